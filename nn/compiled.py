"""Compiled training steps for ``nn.fit(..., compile=True)``: trace a batch once, replay it as code.

A training step's graph has the same shape for every batch of the same size; only the numbers
change: the parameters, the batch's samples and its labels. So the first batch of each size is
built once as a graph whose leaves are the parameters AND the samples and labels (as input Values),
compiled with ``engine.compile``, and every later batch of that size runs the compiled function:
no graph, no sort, no garbage. Gradients land in ``p.grad`` as backward() would put them there.

Labels are inputs, not constants, because a loss may build a different graph for different
labels: ``nn.binary_cross_entropy`` leaves out the term a plain label 0 or 1 multiplies by zero,
so a graph traced with one batch's labels would bake that batch's pattern into every later batch.
Given Value labels the losses build one label-independent graph (the full
``-(y log q + (1 - y) log(1 - q))``), whose values and gradients are bit-identical to the
shortened graph's: the left-out term adds 0.0 * log(1 - q), and log(1 - q) is finite because q
is clipped into [eps, 1 - eps], so the sums and products it adds to are unchanged (a gradient sum
starts at 0.0 and never holds -0.0, so adding ±0.0 leaves it as it is). Tests check the final
weights of whole training runs bit for bit against the interpreter. (The other way out, one
compiled step per label pattern, would compile almost every batch anew: 2**32 patterns.)

A custom loss must therefore accept labels as Values; the built-in losses do. Class labels
(``nn.cross_entropy``, a model with k outputs) are fed as one-hot rows of k Values, for which
the loss builds -sum_k t_k log p_k: the same numbers as -log p_label (the terms it adds are
0 * log p_k, zero as long as every log p_k is finite, as it is for finite logits). Its softmax
subtracts each sample's max logit, a plain number in the graph: here an input too, found by a
compiled forward pass of the batch (the model's outputs only) before the step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import engine
from engine import Value
from nn.losses import cross_entropy, shifted_cross_entropy
from nn.module import Module


def batch_graph(
    model: Module,
    loss: Callable,
    params: list[Value],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
) -> tuple[list[Value], list[Value]]:
    """One batch's training graph with the parameters, samples and labels as its leaves:
    (outputs: [J, then each sample's outputs in turn], inputs: params, then every sample's
    features, then the labels), the layout a compiled step is fed in."""
    xs = [[Value(v, label=f"X{s}_{k}") for k, v in enumerate(x, 1)] for s, x in enumerate(X)]
    ys = [Value(t, label=f"Y{s}") for s, t in enumerate(y)]
    outputs = [model(x) for x in xs]
    J = loss(outputs, ys)
    return [J, *_flat(outputs)], params + [v for x in xs for v in x] + ys


def _flat(outputs: list) -> list[Value]:
    """The samples' outputs in one list: a Value each, or each sample's list in turn."""
    return [v for o in outputs for v in o] if isinstance(outputs[0], list) else outputs


class CompiledSteps:
    """The compiled forward + backward pass of ``loss(model(x) for x in batch, labels)``, one
    compiled function per batch size, traced on first use."""

    def __init__(self, model: Module, loss: Callable) -> None:
        self.model = model
        self.loss = loss
        self.params = list(dict.fromkeys(model.parameters()))
        self.steps: dict[int, engine.compiler.CompiledStep] = {}
        self.width: int | None = None  # outputs per sample of a model with several, else None
        self.forwards: dict[int, engine.compiler.CompiledStep] = {}  # cross_entropy's max logits

    def compiled(
        self, X: Sequence[Sequence[float]], y: Sequence[float]
    ) -> engine.compiler.CompiledStep:
        """The compiled step for batches of len(X) samples, traced on (X, y) if it is new (the
        trace needs real samples and labels: a loss may check its labels' domain)."""
        step = self.steps.get(len(X))
        if step is None:
            step = self.steps[len(X)] = self._trace(X, y)
        return step

    def _trace(
        self, X: Sequence[Sequence[float]], y: Sequence[float]
    ) -> engine.compiler.CompiledStep:
        n = len(X)
        if self.loss is not cross_entropy:
            outputs, inputs = batch_graph(self.model, self.loss, self.params, X, y)
            if len(outputs) - 1 != n:  # several outputs per sample
                self.width = (len(outputs) - 1) // n
            return engine.compile(outputs, inputs, wrt=self.params, name=f"batch_of_{n}")
        # cross_entropy: one-hot rows of labels and the max logits as inputs (see above)
        xs = [[Value(v, label=f"X{s}_{k}") for k, v in enumerate(x, 1)] for s, x in enumerate(X)]
        per_sample = [self.model(x) for x in xs]
        flat = _flat(per_sample)
        if isinstance(per_sample[0], list):
            self.width = len(per_sample[0])
        rows = [
            [Value(c, label=f"Y{s}_{j}") for j, c in enumerate(self._one_hot(t))]
            for s, t in enumerate(y)
        ]
        shifts = [Value(max(v.data for v in o), label=f"M{s}") for s, o in enumerate(per_sample)]
        J = shifted_cross_entropy(per_sample, rows, shifts)
        features = self.params + [v for x in xs for v in x]
        self.forwards[n] = engine.compile(flat, features, wrt=[], name=f"outputs_of_{n}")
        labels = [v for row in rows for v in row] + shifts
        return engine.compile([J, *flat], features + labels, wrt=self.params, name=f"batch_of_{n}")

    @staticmethod
    def _check(values: list[float], n_inputs: int, X: Sequence[Sequence[float]]) -> None:
        if len(values) != n_inputs:  # one comparison per batch: samples of unequal length
            raise ValueError(
                f"compiled step: every sample needs {len(X[0])} features, as the first one has"
            )

    def _one_hot(self, label: float) -> list[float]:
        return [1.0 if j == label else 0.0 for j in range(self.width or 1)]

    def run(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> tuple[float, list]:
        """One step on a batch: add d loss / d p into every parameter's grad (as backward() does)
        and return (loss, the model's outputs: a float per sample, or a list for several)."""
        step = self.compiled(X, y)
        values = [p.data for p in self.params]
        for x in X:
            values.extend(x)
        if self.loss is cross_entropy:
            forward = self.forwards[len(X)]
            self._check(values, forward.n_inputs, X)
            logits, k = forward.function(values)[0], self.width or 1
            maxima = [max(logits[i : i + k]) for i in range(0, len(logits), k)]
            for t in y:
                values.extend(self._one_hot(t))
            values.extend(maxima)
        else:
            values.extend(y)
        self._check(values, step.n_inputs, X)
        outs, grads = step.function(values)
        for p, g in zip(self.params, grads):
            p.grad += g
        width = self.width
        if width is None:
            return outs[0], list(outs[1:])
        return outs[0], [list(outs[1 + i : 1 + i + width]) for i in range(0, len(outs) - 1, width)]

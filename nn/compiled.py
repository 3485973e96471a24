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

A custom loss must therefore accept labels as Values; the built-in losses do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import engine
from engine import Value
from nn.module import Module


class CompiledSteps:
    """The compiled forward + backward pass of ``loss(model(x) for x in batch, labels)``, one
    compiled function per batch size, traced on first use."""

    def __init__(self, model: Module, loss: Callable) -> None:
        self.model = model
        self.loss = loss
        self.params = list(dict.fromkeys(model.parameters()))
        self.steps: dict[int, engine.compiler.CompiledStep] = {}

    def compiled(self, n: int, n_features: int) -> engine.compiler.CompiledStep:
        """The compiled step for batches of ``n`` samples (traced now if it is new)."""
        step = self.steps.get(n)
        if step is None:
            step = self.steps[n] = self._trace(n, n_features)
        return step

    def _trace(self, n: int, n_features: int) -> engine.compiler.CompiledStep:
        xs = [[Value(0.0, label=f"X{s}_{k}") for k in range(1, n_features + 1)] for s in range(n)]
        ys = [Value(0.0, label=f"Y{s}") for s in range(n)]
        outputs = [self.model(x) for x in xs]
        J = self.loss(outputs, ys)
        inputs = self.params + [v for x in xs for v in x] + ys
        return engine.compile([J, *outputs], inputs, wrt=self.params, name=f"batch_of_{n}")

    def run(self, X: Sequence[Sequence[float]], y: Sequence[float]) -> tuple[float, list[float]]:
        """One step on a batch: add d loss / d p into every parameter's grad (as backward() does)
        and return (loss, the model's outputs)."""
        step = self.compiled(len(X), len(X[0]))
        values = [p.data for p in self.params]
        for x in X:
            values.extend(x)
        values.extend(y)
        outs, grads = step.function(values)
        for p, g in zip(self.params, grads):
            p.grad += g
        return outs[0], list(outs[1:])

"""Training diagnostics: which ReLU units are dead, and since when.

A ReLU unit is dead on a data set when its input Z is <= 0 for every sample: its output is 0
everywhere, so no gradient reaches its weights through it and, unless the layers below change,
it stays dead. When every unit of one layer is dead, the network's output no longer depends on
its input and training sticks (for binary cross-entropy at ln 2 with balanced classes).

    dead = nn.DeadUnits(X_train)
    nn.fit(model, X_train, y_train, callbacks=[dead])
    dead.report()   # {layer: [(unit, epoch it died), ...]} for units dead at the end

Everything is plain floats from the parameters' ``.data``: no graph is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nn import checks
from nn.forward import layer_columns, neuron_layers
from nn.layers import Neuron
from nn.module import Module

# The activations whose units can die: zero output and zero derivative for every Z <= 0.
DYING = ("relu",)


def dead_units(model: Module, X: Sequence[Sequence[float]]) -> dict[int, list[int]]:
    """{layer: [units]} (1-based, as in the labels Z[l]_j) of the ReLU units whose input is <= 0
    for every sample of X. Layers of other activations are not listed; a layer with no dead unit
    maps to an empty list."""
    X = checks.matrix(X, "X")
    if not X:
        raise ValueError("dead_units needs at least one sample in X")
    layers = _layers(model)
    dead: dict[int, list[int]] = {}
    inputs = len(X[0])
    for index, (neurons, (zs, columns)) in enumerate(zip(layers, layer_columns(layers, X)), 1):
        if len(neurons[0].w) != inputs:
            raise ValueError(
                f"layer {index} expects {len(neurons[0].w)} inputs, the samples give {inputs}"
            )
        inputs = len(columns)
        for j, (neuron, z) in enumerate(zip(neurons, zs), 1):
            if neuron.activation in DYING:
                dead.setdefault(index, [])
                if max(z) <= 0.0:
                    dead[index].append(j)
    return dead


def _layers(model: Module) -> list[list[Neuron]]:
    layers = neuron_layers(model)
    if layers is None:
        raise TypeError(f"DeadUnits needs an MLP, Layer or Neuron, got {type(model).__name__}")
    return layers


@dataclass
class DeadUnits:
    """A ``fit`` callback recording, after every epoch, the dead ReLU units on the samples X.

    ``per_epoch[e]`` is ``dead_units(model, X)`` after epoch e (``per_epoch[0]``, before training,
    is filled by calling ``start(model)`` before fit, optional). ``died[(layer, unit)]`` is the
    epoch after which the unit was found dead and has stayed dead since; a unit that comes back
    to life (the layers below it moved) is dropped from it.
    """

    X: Sequence[Sequence[float]]
    per_epoch: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    died: dict[tuple[int, int], int] = field(default_factory=dict)
    widths: dict[int, int] = field(default_factory=dict)  # units per ReLU layer

    def start(self, model: Module) -> None:
        """Record the untrained model as epoch 0."""
        self(0, None, model)

    def __call__(self, epoch: int, history: object, model: Module) -> None:
        dead = dead_units(model, self.X)
        self.per_epoch[epoch] = dead
        layers = _layers(model)
        self.widths = {layer: len(layers[layer - 1]) for layer in dead}
        now = {(layer, unit) for layer, units in dead.items() for unit in units}
        for key in list(self.died):
            if key not in now:
                del self.died[key]
        for key in sorted(now):
            self.died.setdefault(key, epoch)

    def report(self) -> dict[int, list[tuple[int, int]]]:
        """{layer: [(unit, epoch it died), ...]} for the units dead after the last epoch, every
        ReLU layer listed (an empty list when none of its units is dead)."""
        last = self.per_epoch[max(self.per_epoch)] if self.per_epoch else {}
        return {layer: [(u, self.died[(layer, u)]) for u in units] for layer, units in last.items()}

    def layer_dead(self) -> list[int]:
        """The layers all of whose units are dead after the last epoch: then the output is the
        same for every input, and the loss can fall no lower than the labels' entropy (ln 2 for
        balanced classes): only the biases above the dead layer still learn."""
        if not self.per_epoch:
            return []
        return [
            layer
            for layer, units in self.per_epoch[max(self.per_epoch)].items()
            if units and len(units) == self.widths[layer]
        ]

    def lines(self) -> list[str]:
        """The report as text, one line per ReLU layer."""
        out = []
        for layer, units in self.report().items():
            width = self.widths.get(layer, 0)
            if units:
                listed = ", ".join(
                    f"unit {u} (dead since {'initialisation' if e == 0 else f'epoch {e}'})"
                    for u, e in units
                )
                out.append(f"layer {layer}: {len(units)} of {width} dead: {listed}")
            else:
                out.append(f"layer {layer}: 0 of {width} dead")
        return out

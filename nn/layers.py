"""Neuron, Layer and MLP: fully connected networks whose every node carries the articles' names.

A parameter is identified by its position: its structural name, PyTorch-style and 0-based, joins
the attribute names ``layers``, ``neurons``, ``w`` and ``b`` with the indices
(``layers.0.neurons.2.w.1``). State dicts, model files and ``to_torch`` use only these.

For display, names follow the articles (SEED-NETWORKS.md), computed from the same position by
``seed_name``: the weight from unit k of layer l-1 to unit j of layer l is ``W[l]_j,k``; the bias
of unit j is ``b[l]_j``; a forward pass labels the unit's pre-activation ``Z[l]_j`` and its
activation ``A[l]_j``. All these indices are 1-based, and l = 1 is the first layer of weights. A
'linear' unit has no activation node: its output is its ``Z[l]_j``. Parameters start with their
seed names as labels; relabelling them changes pictures and printouts only.

Calling a model on one sample runs a forward pass: a list or tuple of numbers or Values, a 1-D
numpy array, or another model's outputs. A layer with one unit returns that unit's Value; a wider
layer returns a list of Values (micrograd's convention; an ``Outputs``, a list whose ``.backward``
says to pick one or make a loss first), so an MLP with one output returns a Value.
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine import Value, linear
from nn import checks, model_file, torch_export
from nn.activations import ACTIVATIONS, check_activation
from nn.init import INITS, init_weights, make_rng
from nn.module import Module
from nn.outputs import Outputs

if TYPE_CHECKING:
    import torch

Inputs = Sequence[Value | float]


def seed_name(layer: int, unit: int, input: int | None = None) -> str:
    """The articles' name for a parameter, from its 1-based position: ``W[layer]_unit,input`` for
    the weight from ``input`` of the layer below, or ``b[layer]_unit`` for the bias (no input)."""
    if input is None:
        return f"b[{layer}]_{unit}"
    return f"W[{layer}]_{unit},{input}"


class Neuron(Module):
    """One unit: A = g(Z), Z = b + sum_k W_k A_k of the layer below.

    By default Z is one fused ``engine.linear`` node, as the articles write ``Z = WX + b``;
    ``fused=False`` builds it from elementary ``*`` and ``+`` nodes instead (micrograd's picture),
    with bit-identical values and gradients.
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        layer: int = 1,
        unit: int = 1,
        fan_out: int = 1,
        init: str = "uniform",
        seed: int | random.Random | None = None,
        fused: bool = True,
    ) -> None:
        nin = checks.integer(nin, "nin", minimum=1)
        self.activation = check_activation(activation)
        self.layer, self.unit, self.fused = layer, unit, fused
        weights = init_weights(init, nin, fan_out, make_rng(seed))
        self.w = [Value(v, label=seed_name(layer, unit, k)) for k, v in enumerate(weights, 1)]
        self.b = Value(0.0, label=seed_name(layer, unit))
        # Labels are made once here, not on every forward pass.
        self._z_label = f"Z[{layer}]_{unit}"
        self._a_label = f"A[{layer}]_{unit}"
        self._g = ACTIVATIONS[activation]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{k}", w) for k, w in enumerate(self.w)), ("b", self.b)]

    def seed_named_parameters(
        self, layer: int | None = None, unit: int | None = None
    ) -> list[tuple[str, Value]]:
        """``W[l]_j,k`` and ``b[l]_j`` for this neuron as unit ``unit`` of layer ``layer`` (by
        default the position it was built for)."""
        layer = self.layer if layer is None else layer
        unit = self.unit if unit is None else unit
        weights = [(seed_name(layer, unit, k), w) for k, w in enumerate(self.w, 1)]
        return [*weights, (seed_name(layer, unit), self.b)]

    def forward(self, x: Inputs) -> Value:
        if type(x) is not list or len(x) != len(self.w):
            x = checks.row(x, len(self.w), f"Neuron() {self._z_label}")
        if self.fused:
            z = linear(self.w, x, self.b)
        else:
            z = self.b
            for w, xk in zip(self.w, x):
                z = z + w * xk
        z.label = self._z_label
        if self._g is None:
            return z
        a = self._g(z)
        a.label = self._a_label
        return a

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {self.activation!r}, layer={self.layer}, unit={self.unit})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs: layer ``layer`` of a network."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        layer: int = 1,
        init: str = "uniform",
        seed: int | random.Random | None = None,
        fused: bool = True,
    ) -> None:
        nout = checks.integer(nout, "nout", minimum=1)
        rng = make_rng(seed)
        self.layer, self.activation = layer, activation
        self.neurons = [
            Neuron(
                nin, activation, layer=layer, unit=j, fan_out=nout, init=init, seed=rng, fused=fused
            )
            for j in range(1, nout + 1)
        ]

    @property
    def nin(self) -> int:
        return len(self.neurons[0].w)

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"neurons.{j}.{name}", p)
            for j, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def seed_named_parameters(self, layer: int | None = None) -> list[tuple[str, Value]]:
        """The articles' names for this layer's parameters, units numbered by position."""
        layer = self.layer if layer is None else layer
        return [
            pair
            for j, n in enumerate(self.neurons, 1)
            for pair in n.seed_named_parameters(layer, j)
        ]

    def forward(self, x: Inputs) -> Value | list[Value]:
        if type(x) is not list or len(x) != self.nin:
            x = checks.row(x, self.nin, f"Layer() {self.layer}")
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else Outputs(out)

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, {self.activation!r}, layer={self.layer})"


class MLP(Module):
    """A multilayer perceptron: ``nin`` inputs, then one fully connected layer per entry of sizes.

    ``activations`` names one activation per layer; by default ReLU on hidden layers and a linear
    output. ``seed`` makes initialisation deterministic; ``init`` is 'uniform' (micrograd's
    U(-1, 1)) or 'glorot_uniform' (Keras' default); biases start at zero.
    """

    def __init__(
        self,
        nin: int,
        sizes: Sequence[int],
        activations: Sequence[str] | None = None,
        *,
        init: str = "uniform",
        seed: int | random.Random | None = None,
        fused: bool = True,
    ) -> None:
        nin = checks.integer(nin, "nin", minimum=1)
        sizes = checks.sequence(sizes, "sizes", "a sequence of layer sizes")
        if not sizes:
            raise ValueError("sizes: MLP needs at least one layer size, got none")
        sizes = [checks.integer(n, f"sizes[{i}]", minimum=1) for i, n in enumerate(sizes)]
        if activations is None:
            activations = ["relu"] * (len(sizes) - 1) + ["linear"]
        if isinstance(activations, str):
            raise TypeError(
                f"activations: expected one name per layer, e.g. {[activations] * len(sizes)}, "
                f"got the string {activations!r}"
            )
        activations = list(activations)
        if len(activations) != len(sizes):
            raise ValueError(
                f"MLP: {len(sizes)} layer sizes but {len(activations)} activations; "
                f"give one activation per layer"
            )
        for a in activations:
            check_activation(a)
        checks.choice(init, "init", INITS)
        fused = checks.flag(fused, "fused")
        rng = make_rng(seed)
        self.nin, self.sizes, self.activations = nin, sizes, activations
        self.init, self.fused = init, fused
        self.layers = [
            Layer(n_in, n_out, act, layer=index, init=init, seed=rng, fused=fused)
            for index, (n_in, n_out, act) in enumerate(zip([nin, *sizes], sizes, activations), 1)
        ]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def seed_named_parameters(self) -> list[tuple[str, Value]]:
        """The articles' names for every parameter, layers and units numbered by position."""
        return [
            pair
            for index, layer in enumerate(self.layers, 1)
            for pair in layer.seed_named_parameters(index)
        ]

    def forward(self, x: Inputs) -> Value | list[Value]:
        if type(x) is not list or len(x) != self.nin:
            x = checks.row(x, self.nin, "MLP()")
        # Layer sizes match by construction, so the neurons are called directly: no second
        # length check per layer, and no unwrapping of one-unit layers only to wrap them again.
        values, out = x, []
        for layer in self.layers:
            out = [neuron(values) for neuron in layer.neurons]
            values = out
        return out[0] if len(out) == 1 else Outputs(out)

    def save(self, path: str | os.PathLike[str]) -> None:
        """``nn.save(self, path)``: this model to a JSON model file, atomically."""
        model_file.save(self, path)

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, max_parameters: int = model_file.MAX_PARAMETERS
    ) -> MLP:
        """``nn.load(path)``, as an instance of this class (a subclass of MLP loads as itself)."""
        return model_file.load_mlp(cls, path, max_parameters)

    def to_torch(self) -> torch.nn.Sequential:
        """``nn.to_torch(self)``: an equivalent float64 ``torch.nn.Sequential`` (needs torch)."""
        return torch_export.to_torch(self)

    def __repr__(self) -> str:
        return f"MLP({self.nin}, {self.sizes}, {self.activations})"


def load(path: str | os.PathLike[str], *, max_parameters: int = model_file.MAX_PARAMETERS) -> MLP:
    """``nn.load``: the MLP in a model file written by ``nn.save``, bit for bit. ValueError naming
    the file if it is damaged (checksum), not a regular file, larger than a model of
    ``max_parameters`` parameters could be, or wrong in any field; OSError (e.g.
    FileNotFoundError) if it cannot be opened. See ``nn.model_file``.

    It sits here, beside MLP, because it builds one: ``nn.model_file`` and ``nn.torch_export``
    work on any MLP they are handed and import no layer, so this module can use them without an
    import circle.
    """
    return model_file.load_mlp(MLP, path, max_parameters)

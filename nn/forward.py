"""The forward pass on plain floats, without a graph: what ``predict`` and the diagnostics read.

For an MLP, Layer or Neuron the network runs on the parameters' ``.data``, one layer at a time over
all samples at once (a column of floats per unit), doing the same float operations in the same
order as the graph's forward pass, so its numbers are identical to the graph's.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Sequence
from itertools import repeat

from engine import Value
from engine.value import sigmoid
from nn.activations import ACTIVATIONS
from nn.layers import MLP, Layer, Neuron
from nn.module import Module


def neuron_layers(model: Module) -> list[list[Neuron]] | None:
    """The model's neurons layer by layer, or None for a Module that is not made of them."""
    if isinstance(model, MLP):
        return [layer.neurons for layer in model.layers]
    if isinstance(model, Layer):
        return [model.neurons]
    if isinstance(model, Neuron):
        return [[model]]
    return None


def layer_columns(
    layers: list[list[Neuron]], X: Sequence[Sequence[float]]
) -> Iterator[tuple[list[list[float]], list[list[float]]]]:
    """Per layer, in order: (Z, A), each one column of floats per unit over the samples of X.

    X must be non-empty with as many numbers per sample as the first layer has inputs.
    """
    n = len(X)
    columns = [[float(x[k]) for x in X] for k in range(len(X[0]))]
    add, mul = operator.add, operator.mul
    for neurons in layers:
        zs = []
        for neuron in neurons:
            z = [neuron.b.data] * n  # the graph's sum starts from the bias, then adds w_k x_k
            for w, col in zip(neuron.w, columns):
                z = list(map(add, z, map(mul, repeat(w.data), col)))
            zs.append(z)
        columns = [activate(neuron.activation, z) for neuron, z in zip(neurons, zs)]
        yield zs, columns


def activate(activation: str, z: list[float]) -> list[float]:
    """The activation applied to a column, bit-identical to its Value op."""
    if activation == "relu":
        return [a if a > 0.0 else 0.0 for a in z]
    if activation == "sigmoid":
        return list(map(sigmoid, z))
    if activation == "tanh":
        return list(map(math.tanh, z))
    if activation == "linear":
        return z
    g = ACTIVATIONS[activation]  # any other activation: through its Value op, one by one
    if g is None:  # no op: the identity
        return z
    return [g(Value(a)).data for a in z]

"""nn's float forward pass (predict, dead_units) equals building the graph bit for bit, also where
weights, biases or inputs are infinite, NaN, -0.0 or huge, for every activation."""

from __future__ import annotations

import math

import nn
from nn.activations import ACTIVATIONS
from nn.forward import layer_columns, neuron_layers

SPECIAL = [math.inf, -math.inf, math.nan, -0.0, 1e308, -1e308]
X = [0.0, 0.5]


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _places(model):
    """Where a special value goes: (description, setter) pairs."""
    first, last = model.layers[0].neurons[0], model.layers[-1].neurons[0]
    yield "W[1]_1,1", lambda v: setattr(first.w[0], "data", v)
    yield "W[1]_1,2", lambda v: setattr(first.w[1], "data", v)
    yield "b[1]_1", lambda v: setattr(first.b, "data", v)
    yield "b[2]_1", lambda v: setattr(last.b, "data", v)
    yield "W[2]_1,1", lambda v: setattr(last.w[0], "data", v)


def test_predict_equals_the_graph_at_special_values():
    checked, differ = 0, []
    for act in ACTIVATIONS:
        for out_act in (act, "sigmoid"):
            for place in range(6):
                for special in SPECIAL:
                    model = nn.MLP(2, [3, 1], [act, out_act], seed=1)
                    x = list(X)
                    if place < 5:
                        where, put = list(_places(model))[place]
                        put(special)
                    else:
                        where = "x_1"
                        x[0] = special
                    graph = model(x).data
                    try:
                        predicted = nn.predict(model, [x])[0]
                    except ValueError:  # a clear refusal of a non-finite input is allowed
                        assert not math.isfinite(special) and where == "x_1"
                        continue
                    checked += 1
                    if not same(graph, predicted):
                        differ.append(f"{act}/{out_act} {where}={special}: {graph} vs {predicted}")
                    layers = neuron_layers(model)
                    (z1, a1), _ = layer_columns(layers, [x])
                    hidden = model.layers[0](x)
                    for j, h in enumerate(hidden):
                        if not same(h.data, a1[j][0]):
                            differ.append(f"{act} hidden {j} {where}={special}")
    assert checked >= 6 * len(ACTIVATIONS) * 5 * 2
    assert not differ, f"{len(differ)} of {checked} cases differ:\n" + "\n".join(differ[:10])

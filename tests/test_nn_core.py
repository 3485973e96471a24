"""nn's modules and losses: names, shapes, initialisation, fused vs expanded, loss gradients."""

from __future__ import annotations

import math
import random

import pytest

import nn
from engine import Value


def test_parameter_names_are_structural_and_display_names_follow_the_articles():
    m = nn.MLP(3, [2, 1], seed=0)
    names = [name for name, _ in m.named_parameters()]
    assert names == [
        "layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.w.2",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1", "layers.0.neurons.1.w.2",
        "layers.0.neurons.1.b",
        "layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.b",
    ]  # fmt: skip
    shown = [
        "W[1]_1,1", "W[1]_1,2", "W[1]_1,3", "b[1]_1",
        "W[1]_2,1", "W[1]_2,2", "W[1]_2,3", "b[1]_2",
        "W[2]_1,1", "W[2]_1,2", "b[2]_1",
    ]  # fmt: skip
    assert [name for name, _ in m.seed_named_parameters()] == shown
    assert [p for _, p in m.seed_named_parameters()] == m.parameters()
    assert m.seed_names() == dict(zip(names, shown))
    assert [p.label for p in m.parameters()] == shown  # the initial labels, for pictures
    assert len(m.parameters()) == 3 * 2 + 2 + 2 * 1 + 1
    # Each name reaches its Value through the attributes it spells.
    for name, p in m.named_parameters():
        obj = m
        for part in name.split("."):
            obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
        assert obj is p


def test_seed_name_from_position():
    assert nn.seed_name(1, 3, 2) == "W[1]_3,2"
    assert nn.seed_name(1, 3) == "b[1]_3"
    layer = nn.Layer(2, 3, layer=4)
    assert [n for n, _ in layer.named_parameters()][:3] == [
        "neurons.0.w.0",
        "neurons.0.w.1",
        "neurons.0.b",
    ]
    assert [n for n, _ in layer.seed_named_parameters()][-1] == "b[4]_3"
    assert [n for n, _ in nn.Neuron(2).named_parameters()] == ["w.0", "w.1", "b"]


@pytest.mark.parametrize("relabel", ["same", "none", "shuffle", "weird"])
def test_labels_are_display_only(relabel, tmp_path):
    """Relabelling, duplicate labels or None labels change nothing but pictures: the state dict,
    the model file and loading are by structure (on the base code they broke save/load)."""
    m = nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=4)
    before = m.state_dict()
    params = m.parameters()
    for i, p in enumerate(params):
        p.label = {
            "same": "w",
            "none": None,
            "shuffle": params[-1 - i].label,
            "weird": f"W[{i}]\n\x00{i}",
        }[relabel]
    assert m.state_dict() == before
    m.save(tmp_path / "m.json")
    loaded = nn.MLP.load(tmp_path / "m.json")
    assert loaded.state_dict() == before
    assert [p.label for p in loaded.parameters()] == [n for n, _ in loaded.seed_named_parameters()]
    other = nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=5)
    other.load_state_dict(m.state_dict())
    assert other.state_dict() == before


def test_forward_labels_z_and_a_and_output_conventions():
    m = nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=1)
    out = m([0.5, -1.0])
    assert isinstance(out, Value) and out.label == "A[2]_1" and out.op == "sigmoid"
    z = out.parents[0]
    assert z.label == "Z[2]_1" and z.op == "linear"
    hidden = [p for p in z.parents if p.label and p.label.startswith("A[1]")]
    assert sorted(p.label for p in hidden) == ["A[1]_1", "A[1]_2", "A[1]_3"]
    wide = nn.MLP(2, [3, 2], seed=1)([0.5, -1.0])
    assert isinstance(wide, list) and [v.label for v in wide] == ["Z[2]_1", "Z[2]_2"]


def test_default_activations_are_relu_hidden_and_linear_output():
    m = nn.MLP(2, [4, 4, 1])
    assert m.activations == ["relu", "relu", "linear"]


def test_seeded_init_is_deterministic_and_in_range():
    a = nn.MLP(4, [8, 3], seed=42)
    b = nn.MLP(4, [8, 3], seed=42)
    c = nn.MLP(4, [8, 3], seed=43)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    weights = [p.data for name, p in a.named_parameters() if ".w." in name]
    assert len(weights) == 4 * 8 + 8 * 3 and all(-1 <= w <= 1 for w in weights)
    biases = [p.data for name, p in a.named_parameters() if name.endswith(".b")]
    assert len(biases) == 8 + 3 and all(b == 0.0 for b in biases)


def test_glorot_uniform_limits_per_layer():
    m = nn.MLP(2, [40, 30], init="glorot_uniform", seed=0)
    for layer, (fan_in, fan_out) in zip(m.layers, [(2, 40), (40, 30)]):
        limit = math.sqrt(6 / (fan_in + fan_out))
        ws = [w.data for n in layer.neurons for w in n.w]
        assert max(abs(w) for w in ws) <= limit
        assert max(abs(w) for w in ws) > 0.8 * limit  # spread over the range, not a smaller one


def test_fused_and_expanded_neurons_give_identical_gradients():
    rng = random.Random(5)
    for _ in range(10):
        seed = rng.randint(0, 10**6)
        x = [rng.uniform(-2, 2) for _ in range(3)]
        grads = []
        for fused in (True, False):
            m = nn.MLP(3, [4, 3, 1], ["tanh", "relu", "sigmoid"], seed=seed, fused=fused)
            loss = nn.binary_cross_entropy(m(x), 1.0)
            loss.backward()
            grads.append(([p.grad for p in m.parameters()], loss.data))
        assert grads[0] == grads[1]


def test_wrong_number_of_inputs_says_expected_and_got():
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        nn.MLP(3, [2])([1.0, 2.0])
    with pytest.raises(ValueError, match="expected 2 inputs, got 1"):
        nn.Neuron(2)([1.0])


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'softmax'.*'relu', 'tanh'"):
        nn.MLP(2, [2], ["softmax"])
    with pytest.raises(ValueError, match="2 layer sizes but 1 activations"):
        nn.MLP(2, [2, 1], ["relu"])


def test_zero_grad_resets_every_parameter():
    m = nn.MLP(2, [2, 1], seed=0)
    nn.mse(m([1.0, 2.0]), 0.5).backward()
    assert any(p.grad != 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0 for p in m.parameters())


# ---- losses against their derivatives written out here ----------------------------------------


def test_mse_value_and_gradient():
    ps = [Value(0.2), Value(-1.0), Value(3.0)]
    ys = [0.0, 1.0, 2.5]
    j = nn.mse(ps, ys)
    j.backward()
    assert j.label == "J"
    assert j.data == pytest.approx(sum((p.data - y) ** 2 for p, y in zip(ps, ys)) / 3)
    for p, y in zip(ps, ys):
        assert p.grad == pytest.approx(2 / 3 * (p.data - y))


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_binary_cross_entropy_gradient_is_a_minus_y_over_a_one_minus_a(y):
    a = Value(0.8)
    j = nn.binary_cross_entropy(a, y)
    j.backward()
    assert j.data == pytest.approx(-y * math.log(0.8) - (1 - y) * math.log(0.2))
    assert a.grad == pytest.approx((0.8 - y) / (0.8 * 0.2))


def test_binary_cross_entropy_survives_a_saturated_sigmoid():
    a = Value(40.0).sigmoid()
    assert a.data == 1.0
    j = nn.binary_cross_entropy(a, 0.0)
    assert j.data == pytest.approx(-math.log(1e-7), rel=1e-6)


def test_hinge_is_micrograds_max_margin_loss():
    s = [Value(0.3), Value(-2.0), Value(1.5)]
    y = [1.0, -1.0, -1.0]
    j = nn.hinge(s, y)
    j.backward()
    assert j.data == pytest.approx((0.7 + 0.0 + 2.5) / 3)
    assert [v.grad for v in s] == pytest.approx([-1 / 3, 0.0, 1 / 3])


@pytest.mark.parametrize(
    ("loss", "expected"),
    [(nn.mse, 0.25), (nn.hinge, 0.5), (nn.binary_cross_entropy, math.log(2.0))],
)
def test_a_plain_number_prediction_gives_a_loss_value(loss, expected):
    """Predictions given as plain numbers (not Values) still give J as a Value (mse and hinge
    raised AttributeError on them)."""
    for predictions, targets in ((0.5, 1.0), ([0.5, 0.5], [1.0, 1.0])):
        j = loss(predictions, targets)
        assert isinstance(j, Value) and j.label == "J"
        assert j.data == pytest.approx(expected, rel=1e-15)


def test_loss_shape_and_name_errors():
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        nn.mse([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="loss: expected one of 'mse', .* got 'l1'"):
        nn.get_loss("l1")
    assert nn.get_loss("hinge") is nn.hinge


def test_a_state_dict_keyed_by_display_names_is_refused_with_how_to_convert_it():
    m = nn.MLP(2, [3, 1], seed=0)
    old = {p.label: p.data + 1.0 for p in m.parameters()}  # what state_dict() gave at e2dfe52
    with pytest.raises(ValueError, match=r"convert with \{name: old\[shown\] for name, shown in"):
        m.load_state_dict(old)
    m.load_state_dict({name: old[shown] for name, shown in m.seed_names().items()})
    assert [p.data for p in m.parameters()] == list(old.values())


def test_activations_as_one_string_is_a_type_error():
    with pytest.raises(TypeError, match=r"activations: expected one name per layer, e.g. \['relu'"):
        nn.MLP(2, [3, 1], "relu")
    with pytest.raises(TypeError, match="activation: expected a name such as 'relu', got 3"):
        nn.Neuron(2, 3)

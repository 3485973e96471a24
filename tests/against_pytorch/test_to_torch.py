"""MLP.to_torch(): the same network in PyTorch, with the same weights and the same outputs."""

from __future__ import annotations

import builtins
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from engine import Value
from nn import torch_export

torch = None  # set by conftest.py before this file's tests run: not imported at collection

ACTS = sorted(nn.ACTIVATIONS)


def test_every_activation_has_a_torch_module():
    assert set(torch_export.TORCH_ACTIVATIONS) == set(nn.ACTIVATIONS)
    for name in torch_export.TORCH_ACTIVATIONS.values():
        assert name is None or issubclass(getattr(torch.nn, name), torch.nn.Module)


def test_structure_is_a_linear_per_layer_then_its_activation():
    m = nn.MLP(3, [4, 2, 1], ["relu", "linear", "sigmoid"], seed=0)
    seq = m.to_torch()
    assert isinstance(seq, torch.nn.Sequential)
    assert str(nn.to_torch(m)) == str(seq)  # the method is nn.to_torch over the model
    kinds = [type(mod) for mod in seq]
    assert kinds == [
        torch.nn.Linear,
        torch.nn.ReLU,
        torch.nn.Linear,
        torch.nn.Linear,
        torch.nn.Sigmoid,
    ]
    shapes = [tuple(mod.weight.shape) for mod in seq if isinstance(mod, torch.nn.Linear)]
    assert shapes == [(4, 3), (2, 4), (1, 2)]
    assert all(p.dtype == torch.float64 for p in seq.parameters())


@pytest.mark.parametrize("relabel", [False, True])
def test_weights_are_copied_exactly_by_structural_name(relabel):
    m = nn.MLP(2, [3, 2], ["tanh", "linear"], seed=3)
    if relabel:  # labels are display only: the same label everywhere changes nothing
        for p in m.parameters():
            p.label = "W[1]_1,1"
    linears = [mod for mod in m.to_torch() if isinstance(mod, torch.nn.Linear)]
    for name, p in m.named_parameters():
        parts = name.split(".")  # layers.i.neurons.j.w.k or layers.i.neurons.j.b
        lin, j = linears[int(parts[1])], int(parts[3])
        if parts[4] == "w":
            assert lin.weight[j, int(parts[5])].item() == p.data
        else:
            assert lin.bias[j].item() == p.data


@settings(max_examples=60, deadline=None)
@given(
    nin=st.integers(1, 5),
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    data=st.data(),
)
def test_outputs_match_chainrule_on_random_inputs(nin, sizes, data):
    acts = data.draw(st.lists(st.sampled_from(ACTS), min_size=len(sizes), max_size=len(sizes)))
    seed = data.draw(st.integers(0, 2**32))
    m = nn.MLP(nin, sizes, acts, seed=seed, fused=data.draw(st.booleans()))
    rng = random.Random(seed)
    for p in m.parameters():  # biases too, which start at zero
        p.data = rng.uniform(-2, 2)
    seq = m.to_torch()
    for _ in range(5):
        x = [rng.uniform(-3, 3) for _ in range(nin)]
        out = m(x)
        ours = [out.data] if isinstance(out, Value) else [v.data for v in out]
        with torch.no_grad():
            theirs = seq(torch.tensor([x], dtype=torch.float64))[0].tolist()
        assert theirs == pytest.approx(ours, abs=1e-12, rel=1e-12)


def test_the_torch_copy_is_independent(tmp_path):
    m = nn.MLP(2, [1], ["linear"], seed=0)
    seq = m.to_torch()
    with torch.no_grad():
        seq[0].weight.zero_()
    assert any(p.data != 0.0 for p in m.parameters())


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match=r"to_torch\(\) needs PyTorch.*pip install torch"):
        nn.MLP(2, [1]).to_torch()

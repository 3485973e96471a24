"""Sequences of backward() calls from different roots over shared subgraphs, with gradients zeroed
and set in between, leave every node's .grad equal to PyTorch float64's (retain_graph=True,
retain_grad() on every non-leaf); abandoned step passes leave nothing behind."""

from __future__ import annotations

import gc

import pytest
import strategies
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Value, detect_anomaly

torch = None  # set by conftest.py before this file's tests run: not imported at collection


@st.composite
def programs(draw):
    """A random program over every op of the table (tests/strategies.py), and a sequence of
    backward calls, zeroed and set gradients on its nodes."""
    inputs, program = draw(strategies.programs(max_nodes=15))
    n = len(inputs) + len(program)
    actions = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("backward"), st.integers(0, n - 1)),
                st.tuples(st.just("zero"), st.integers(0, n - 1)),
                st.tuples(st.just("set"), st.integers(0, n - 1), st.floats(-3, 3)),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return inputs, program, actions


def _build(inputs, program, engine_side):
    if engine_side:
        return strategies.build(program, [Value(x) for x in inputs])
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    nodes = strategies.build(program, leaves, "torch")
    for out in nodes[len(leaves) :]:
        if out.requires_grad:
            out.retain_grad()
    return nodes


def _torch_grad(t) -> float:
    return 0.0 if t.grad is None else t.grad.item()


@settings(max_examples=150, deadline=None)
@given(programs())
def test_backward_sequences_match_pytorch_node_by_node(case):
    inputs, program, actions = case
    ours = _build(inputs, program, engine_side=True)
    theirs = _build(inputs, program, engine_side=False)
    for action in actions:
        kind, i = action[0], action[1]
        if kind == "backward":
            ours[i].backward()
            if theirs[i].requires_grad:
                theirs[i].backward(retain_graph=True)
            else:  # a node PyTorch sees as a constant; only its own grad changes, by 1
                theirs[i].grad = torch.tensor(_torch_grad(theirs[i]) + 1.0, dtype=torch.float64)
        else:
            g = 0.0 if kind == "zero" else action[2]
            ours[i].grad = g
            theirs[i].grad = torch.tensor(g, dtype=torch.float64)
        for k, (v, t) in enumerate(zip(ours, theirs)):
            expected = _torch_grad(t)
            assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-12, nan_ok=True), (k, action)


# ---- abandoned step passes --------------------------------------------------------------------


def _graph_with_an_infinite_derivative():
    """Built outside anomaly mode: sqrt at 0 has slope +inf, so backward meets a non-finite
    gradient after several steps have been applied."""
    x, w = Value(0.0, label="x"), Value(1.5, label="w")
    s = x**0.5
    z = (s + w * w).tanh() * w + x
    for n, g in zip((x, w, s, z), (0.5, -1.0, 2.0, 3.0)):
        n.grad = g
    return [x, w, s, z], z


def test_an_anomaly_in_a_step_pass_restores_every_grad():
    nodes, z = _graph_with_an_infinite_derivative()
    before = [n.grad for n in nodes]
    taken = 0
    with detect_anomaly(), pytest.raises(FloatingPointError, match="non-finite gradient"):
        for _ in z.backward_steps():
            taken += 1
            assert [n.grad for n in nodes] != before or taken == 0
    assert taken >= 2  # steps were applied before the failure, and then undone
    assert [n.grad for n in nodes] == before


def test_an_anomaly_in_backward_restores_every_grad():
    nodes, z = _graph_with_an_infinite_derivative()
    before = [n.grad for n in nodes]
    with detect_anomaly(), pytest.raises(FloatingPointError):
        z.backward()
    assert [n.grad for n in nodes] == before


def test_a_step_pass_dropped_in_a_cycle_is_undone_by_the_collector():
    nodes, z = _graph_with_an_infinite_derivative()
    before = [n.grad for n in nodes]
    holder = {"steps": z.backward_steps()}
    holder["self"] = holder  # a reference cycle: only the collector finalises the generator
    next(holder["steps"])
    next(holder["steps"])
    assert [n.grad for n in nodes] != before
    del holder
    gc.collect()
    assert [n.grad for n in nodes] == before

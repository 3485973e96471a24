"""The backward pass: order, accumulation, stepping, depth, fused nodes, paths, gradcheck."""

from __future__ import annotations

import gc
import itertools
import math
import random
import struct
import sys

import pytest
import strategies
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import (
    Value,
    count_paths,
    gradcheck,
    iter_paths,
    linear,
    paths,
    topo_order,
    total,
)
from engine.graph import count_text

# ---- random expression graphs against central differences ----------------------------------------


@settings(max_examples=120, deadline=None)
@given(strategies.programs(max_inputs=3, smooth=True, max_nodes=12))
def test_random_graphs_match_central_differences(case):
    """Every op of the table, on random graphs that share nodes, against central differences
    (instructions are kept only away from kinks, so the differences see one smooth piece)."""
    inputs, program = case
    leaves = [Value(v) for v in inputs]
    _total(strategies.build(program, leaves)).backward()
    eps = 1e-6
    for k, leaf in enumerate(leaves):
        up, down = list(inputs), list(inputs)
        up[k] += eps
        down[k] -= eps
        high = _total(strategies.build(program, up, "float"))
        low = _total(strategies.build(program, down, "float"))
        numeric = (high - low) / (2 * eps)
        assert leaf.grad == pytest.approx(numeric, rel=1e-4, abs=1e-5)


def _total(nodes):
    out = nodes[0]
    for n in nodes[1:]:  # every node reaches the output
        out = out + n
    return out


# ---- semantics of backward -----------------------------------------------------------------------


def test_topo_order_puts_every_parent_before_its_child():
    x = Value(1.0)
    y = (x * 2 + x).tanh() * x
    order = topo_order(y)
    position = {n: i for i, n in enumerate(order)}
    assert order[-1] is y
    assert len(order) == len(set(order))
    assert all(position[p] < position[n] for n in order for p in n.parents)


def test_gradients_accumulate_across_backward_calls_like_pytorch():
    x = Value(3.0)
    y = x * x
    z = y * 5.0
    z.backward()
    assert (x.grad, y.grad, z.grad) == (30.0, 5.0, 1.0)
    z.backward()  # PyTorch, retain_graph=True and y.retain_grad(): 60, 10, 2
    assert (x.grad, y.grad, z.grad) == (60.0, 10.0, 2.0)


def test_a_second_pass_ignores_the_gradients_left_by_the_first():
    x = Value(2.0)
    y = x * x
    z = y * 3.0
    y.backward()  # x.grad 4, y.grad 1
    z.backward()  # this pass alone: dz/dx = 12, dz/dy = 3, dz/dz = 1
    assert (x.grad, y.grad, z.grad) == (16.0, 4.0, 1.0)


def test_node_reused_many_times():
    x = Value(0.5)
    y = x
    for _ in range(50):
        y = y + x * x  # x appears in 101 places
    y.backward()
    assert x.grad == pytest.approx(1 + 50 * 2 * 0.5)


def test_long_chain_under_default_recursion_limit():
    # 10^5 nodes, ten times the recursion limit; the 10^6 case is in benchmarks/paths.py
    assert sys.getrecursionlimit() <= 10_000
    n = 100_000
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == n + 1.0
    assert len(topo_order(y)) == n + 1
    del y  # freeing a deep chain must not overflow the C stack either


def test_backward_steps_equal_backward_and_expose_each_step():
    def build():
        a, b = Value(0.7, label="a"), Value(-1.3, label="b")
        c = a * b
        d = (c + a).tanh()
        e = d * c + b.exp()
        e.label = "e"
        return a, b, e

    a1, b1, e1 = build()
    e1.backward()
    a2, b2, e2 = build()
    steps = list(e2.backward_steps())
    assert [s.node for s in steps] == list(reversed(topo_order(e2)))
    assert (a2.grad, b2.grad) == (a1.grad, b1.grad)
    first = steps[0]
    assert first.node is e2 and first.grad == 1.0
    for step in steps:
        assert [c.parent for c in step.contributions] == list(step.node.parents)
        for c, local in zip(step.contributions, step.node.local_grads):
            assert c.local_grad == local
            assert c.added == local * step.grad
    lines = repr(first).splitlines()
    assert lines[0] == "step 0: e [+] g=1"
    assert len(lines) == 1 + len(first.contributions)
    assert all(line.startswith("  ") and " += " in line for line in lines[1:])
    assert str(first) == repr(first)
    leaf = steps[-1]
    assert leaf.node.op == "" and str(leaf).splitlines()[1] == "  (a leaf: nothing to pass on)"


def test_backward_steps_are_applied_as_they_are_yielded():
    x = Value(2.0, label="x")
    y = x * x
    x.grad = 0.5
    steps = y.backward_steps()
    assert (x.grad, y.grad) == (0.5, 0.0)
    first = next(steps)  # y's turn: y.grad gets this pass's 1 and x both of its shares at once
    assert (first.node, first.grad) == (y, 1.0)
    assert [c.added for c in first.contributions] == [2.0, 2.0]  # one per edge of x * x
    assert (x.grad, y.grad) == (4.5, 1.0)
    second = next(steps)  # x's turn: nothing more reaches it, its .grad stays
    assert (second.node, second.grad) == (x, 4.0)
    assert (x.grad, y.grad) == (4.5, 1.0)
    assert list(steps) == []


def test_each_contribution_shows_in_grad_when_its_step_is_yielded():
    """Mid-pass, .grad is its value before the pass plus what this pass has passed it so far:
    a weight's .grad changes exactly at the steps whose contributions name it."""
    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(0.5, label="b")
    u = w * x
    v = u * w  # w is used twice: two contributions at two different steps
    out = (v + b).tanh()
    w.grad, x.grad, b.grad = 0.25, -1.0, 2.0
    start = {n: n.grad for n in (w, x, b, u, v, out)}
    t = math.tanh(-3.0 * 2.0 * -3.0 + 0.5)
    dv = 1.0 - t * t
    expected_w = [dv * -6.0, dv * -6.0 + dv * -3.0 * 2.0]  # d out/dw through v, then through u
    seen_w, prev = [], w.grad
    for s in out.backward_steps():
        names_w = any(c.parent is w for c in s.contributions)
        assert (w.grad != prev) == names_w, s  # changes exactly when a step says "w += ..."
        if names_w:
            seen_w.append(w.grad - start[w])
        prev = w.grad
    assert seen_w == pytest.approx(expected_w, rel=1e-12)
    got = {n: n.grad for n in start}
    for n, g in start.items():
        n.grad = g
    out.backward()
    assert all(math.copysign(1.0, got[n]) == math.copysign(1.0, n.grad) for n in start)
    assert got == {n: n.grad for n in start}  # bit for bit what backward() leaves


def test_step_pass_matches_backward_bit_for_bit_on_awkward_numbers():
    """Rounding, -0.0, inf and NaN: stepping ends where backward() ends, to the last bit."""

    def build():
        a, b, c = Value(0.1, label="a"), Value(0.7, label="b"), Value(-0.0, label="c")
        d = a * b + a * 0.3 + b * c + a * a * 1e-17
        f, x = Value(4.0, label="f"), Value(1.0, label="x")
        e = d * c + (d * 3.0).tanh() * a + b * 1e300 * 1e-300 + f * -0.0
        e = e + x * 0.1 + x * 0.2 + x * 0.3 + x * 0.7
        return [a, b, c, d, f, x], e

    starts = [0.0, -0.0, 1e-16, 0.3, 1.0, math.inf, math.nan]
    for start in starts:
        nodes1, e1 = build()
        nodes2, e2 = build()
        for n1, n2 in zip(nodes1 + [e1], nodes2 + [e2]):
            n1.grad = n2.grad = start
        e1.backward()
        for _ in e2.backward_steps():
            pass
        for n1, n2 in zip(nodes1 + [e1], nodes2 + [e2]):
            assert struct.pack("<d", n1.grad) == struct.pack("<d", n2.grad) or (
                math.isnan(n1.grad) and math.isnan(n2.grad)
            ), (start, n1.label, n1.grad, n2.grad)


def test_step_grads_are_this_pass_alone():
    x = Value(3.0)
    y = x * x
    z = y * 5.0
    z.backward()
    steps = list(z.backward_steps())
    assert [(s.node, s.grad) for s in steps] == [(z, 1.0), (y, 5.0), (x, 30.0)]
    assert (x.grad, y.grad, z.grad) == (60.0, 10.0, 2.0)


@pytest.mark.parametrize("how", ["close", "del"])
@pytest.mark.parametrize("taken", [1, 2, 3])
def test_an_abandoned_step_pass_restores_every_grad(how, taken):
    a, b = Value(0.5, label="a"), Value(-2.0, label="b")
    c = a * b
    d = (c + a).tanh()
    a.grad, b.grad, c.grad, d.grad = 0.25, -1.0, 7.0, 0.0
    before = [n.grad for n in (a, b, c, d)]
    steps = d.backward_steps()
    for _ in range(taken):
        next(steps)
    assert [n.grad for n in (a, b, c, d)] != before
    if how == "close":
        steps.close()
    else:  # dropped: the generator is finalised when its last reference goes
        del steps
        gc.collect()
    assert [n.grad for n in (a, b, c, d)] == before


def test_a_step_pass_whose_every_step_was_taken_is_complete():
    x = Value(2.0)
    y = x * x + x
    steps = y.backward_steps()
    for _ in range(len(topo_order(y))):
        next(steps)
    steps.close()  # nothing left to apply: closing now keeps the pass
    assert x.grad == 5.0


def test_fused_linear_equals_expanded_graph_exactly():
    def build(data_w, data_x, data_b, fused: bool):
        w = [Value(v) for v in data_w]
        x = [Value(v) for v in data_x]
        b = Value(data_b)
        if fused:
            z = linear(w, x, b)
        else:
            z = b
            for wi, xi in zip(w, x):
                z = z + wi * xi
        out = z.tanh() * z
        out.backward()
        return out, w, x, b

    rng = random.Random(7)
    for _ in range(20):
        n = rng.randint(1, 12)
        data = ([rng.uniform(-2, 2) for _ in range(n)], [rng.uniform(-2, 2) for _ in range(n)])
        bias = rng.uniform(-2, 2)
        f_out, f_w, f_x, f_b = build(*data, bias, fused=True)
        e_out, e_w, e_x, e_b = build(*data, bias, fused=False)
        assert f_out.data == e_out.data
        assert [v.grad for v in f_w] == [v.grad for v in e_w]
        assert [v.grad for v in f_x] == [v.grad for v in e_x]
        assert f_b.grad == e_b.grad


def test_fused_total_equals_expanded_sum_exactly():
    rng = random.Random(3)
    data = [rng.uniform(-5, 5) for _ in range(30)]
    xs = [Value(v) for v in data]
    ys = [Value(v) for v in data]
    s_fused = total(x * x for x in xs)
    s_expanded = ys[0] * ys[0]
    for y in ys[1:]:
        s_expanded = s_expanded + y * y
    s_fused.backward()
    s_expanded.backward()
    assert s_fused.data == s_expanded.data
    assert [x.grad for x in xs] == [y.grad for y in ys]


# ---- paths ---------------------------------------------------------------------------------------


def test_paths_products_sum_to_the_gradient():
    x = Value(0.8, label="x")
    h = (x * x).tanh()
    y = h * x + h.exp() + x
    y.backward()
    found = paths(y, x)
    # x*x has 2 edges from x, then h feeds h*x and exp(h): 2 * 2 = 4; plus x -> h*x and x -> y.
    assert len(found) == count_paths(y, x) == 6
    assert sum(p.product for p in found) == pytest.approx(x.grad, rel=1e-12)
    for p in found:
        assert p.nodes[0] is x and p.nodes[-1] is y
        assert len(p.factors) == len(p.nodes) - 1
        assert p.product == pytest.approx(math.prod(p.factors))


def test_paths_of_an_unused_node_are_empty():
    x, z = Value(1.0), Value(2.0)
    assert paths(x * 3, z) == []


def test_too_many_paths_are_counted_not_listed():
    x = Value(1.0, label="x")
    y = x
    for _ in range(20):
        y = y + y  # doubles the paths each time
    assert count_paths(y, x) == 2**20
    with pytest.raises(ValueError, match=r"1048576 paths .* counted, not listed"):
        paths(y, x)


# ---- gradcheck -----------------------------------------------------------------------------------


def test_gradcheck_passes_and_reports_each_input():
    inputs = [0.3, Value(1.7, label="b")]
    results = gradcheck(lambda a, b: (a * b).tanh() + a.exp() / b, inputs)
    assert [r.name for r in results] == ["inputs[0]", "b"]
    assert all(r.ok and r.error < 1e-6 for r in results)


def test_gradcheck_names_the_input_whose_gradient_is_wrong():
    def wrong(a, b):
        out = a * b
        out.local_grads = (out.local_grads[0], 2 * out.local_grads[1])  # corrupt d/db
        return out

    with pytest.raises(AssertionError, match=r"gradients disagree for 1 input.*\n  b:"):
        gradcheck(wrong, [Value(2.0, label="a"), Value(3.0, label="b")])


def test_gradcheck_leaves_the_callers_values_alone():
    a = Value(2.0)
    gradcheck(lambda v: v * v, [a])
    assert a.grad == 0.0


def _all_paths_recursively(tip, node):
    """Oracle: every edge path from node up to tip, by plain recursion on small graphs."""
    if tip is node:
        return [([node], [])]
    found = []
    for parent, local in zip(tip.parents, tip.local_grads):
        for nodes, factors in _all_paths_recursively(parent, node):
            found.append((nodes + [tip], factors + [local]))
    return found


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_paths_and_iter_paths_list_every_path_once_in_order(data):
    leaves = [Value(data.draw(st.floats(-2, 2)), label=f"x{i}") for i in range(3)]
    nodes = list(leaves)
    for _ in range(data.draw(st.integers(1, 10))):
        a = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        b = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        nodes.append(data.draw(st.sampled_from([a + b, a * b, a.tanh(), linear([a, b], [b, a])])))
    root, x = nodes[-1], leaves[0]
    expected = _all_paths_recursively(root, x)
    listed = paths(root, x)
    assert count_paths(root, x) == len(expected) == len(listed)
    assert sorted((tuple(map(id, n)), tuple(f)) for n, f in expected) == sorted(
        (tuple(map(id, p.nodes)), p.factors) for p in listed
    )
    assert [(p.nodes, p.factors) for p in iter_paths(root, x)] == [
        (p.nodes, p.factors) for p in listed
    ]


def test_counts_beyond_the_int_to_str_limit_are_exact_and_stated_approximately():
    x = Value(1.0, label="x")
    y = x
    for _ in range(14_300):  # 2**14300 paths, about 5.4e4304: more digits than str() may show
        y = y + y
    assert count_paths(y, x) == 2**14_300
    with pytest.raises(ValueError, match=r"about 5\.4e4304 paths lead from 'x'"):
        paths(y, x)
    first = list(itertools.islice(iter_paths(y, x), 3))
    assert [len(p.nodes) for p in first] == [14_301] * 3
    assert first[0].nodes[0] is x and first[0].nodes[-1] is y


def test_count_text_rounds_and_carries():
    assert count_text(123) == "123"
    assert count_text(10**15) == "about 1.0e15"
    assert count_text(996 * 10**20) == "about 1.0e23"
    assert count_text(2**14_300) == "about 5.4e4304"


def test_paths_of_a_long_chain():
    x = Value(1.0)
    y = x
    for _ in range(40_000):
        y = y * 1.0
    (only,) = paths(y, x)
    assert len(only.nodes) == 40_001 and only.product == 1.0

"""engine.compile: the compiled step agrees with the interpreter bit for bit, op by op and on
random graphs; every op the engine can make has an emitter; bad graphs fail clearly."""

from __future__ import annotations

import ast
import inspect
import itertools
import math
import random

import pytest
import strategies

import engine
import engine.fused
import engine.value
from engine import Value
from engine.rules import RULES, rule_for

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-300, -1e-300, 1e300, -1e300, 709.0, 710.0]
SPECIAL += [math.inf, -math.inf, math.nan]


def same(a: float, b: float) -> bool:
    """Bit-identical up to NaN payloads: equal with the same sign (0.0 is not -0.0), or both NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def interpreted(build, values):
    """Build the graph afresh at ``values``, run backward(): (outputs, grads), or the exception."""
    leaves = [Value(v) for v in values]
    try:
        outs = build(*leaves)
        outs = outs if isinstance(outs, list) else [outs]
        outs[0].backward()
    except (ArithmeticError, ValueError) as e:
        return e
    return [o.data for o in outs], [leaf.grad for leaf in leaves]


def check_agrees(build, n_inputs, points, trace_at):
    """Compile ``build``'s graph at ``trace_at``; at every point the step must equal the interpreter
    bit for bit, or raise the same kind of error where the interpreter raises."""
    leaves = [Value(v) for v in trace_at]
    outs = build(*leaves)
    step = engine.compile(outs, leaves)
    for values in points:
        expected = interpreted(build, values)
        if isinstance(expected, Exception):
            # The step raises too; with two failing nodes it may meet the other first (it
            # computes in the graph's order, the builder in its own), so any domain error.
            with pytest.raises((ArithmeticError, ValueError)):
                step(values)
            continue
        got = step(values)
        exp_out, exp_grads = expected
        assert all(map(same, got.outputs, exp_out)), (values, got.outputs, exp_out, step.source)
        assert all(map(same, got.grads, exp_grads)), (values, got.grads, exp_grads, step.source)


def _points(n_inputs: int, rng: random.Random, n: int = 120) -> list[list[float]]:
    """n random points drawn from special and ordinary values; for one or two inputs also every
    combination of the special values (so NaN / 0 and the like are always tried)."""
    pool = SPECIAL + [rng.uniform(-3, 3) for _ in range(20)]
    points = [[rng.choice(pool) for _ in range(n_inputs)] for _ in range(n)]
    if n_inputs <= 2:
        points += [list(c) for c in itertools.product(SPECIAL, repeat=n_inputs)]
    return points


# One builder per op and variant: constant on either side, Values on both, n-ary forms with and
# without constant terms. The test below checks that together they make every op in EMITTERS.
OP_CASES = {
    "add": (2, lambda a, b: a + b),
    "add_const": (1, lambda a: a + 0.3),
    "radd_const": (1, lambda a: 0.3 + a),
    "add_self": (1, lambda a: a + a),
    "sub": (2, lambda a, b: a - b),
    "sub_const": (1, lambda a: a - 0.7),
    "rsub_const": (1, lambda a: 1.0 - a),
    "mul": (2, lambda a, b: a * b),
    "mul_self": (1, lambda a: a * a),
    "mul_const": (1, lambda a: a * -1.5),
    "rmul_const": (1, lambda a: 2.5 * a),
    "div": (2, lambda a, b: a / b),
    "div_const": (1, lambda a: a / 3.0),
    "rdiv_const": (1, lambda a: 3.0 / a),
    "pow_2": (1, lambda a: a**2),
    "pow_3": (1, lambda a: a**3),
    "pow_0": (1, lambda a: a**0),
    "pow_1": (1, lambda a: a**1),
    "rpow_negative_base": (1, lambda a: (-2.0) ** a),
    "rpow_zero_base": (1, lambda a: 0.0**a),
    "pow_half": (1, lambda a: a**0.5),
    "pow_neg": (1, lambda a: a**-1.5),
    "pow_neg_int": (1, lambda a: a**-2),
    "pow_odd": (1, lambda a: a**0.1234567891),
    "rpow": (1, lambda a: 2.0**a),
    "pow_values": (2, lambda a, b: a**b),
    "neg": (1, lambda a: -a),
    "exp": (1, lambda a: a.exp()),
    "log": (1, lambda a: a.log()),
    "tanh": (1, lambda a: a.tanh()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "relu": (1, lambda a: a.relu()),
    "clip": (1, lambda a: a.clip(-1, 2.5)),
    "log1p": (1, lambda a: a.log1p()),
    "expm1": (1, lambda a: a.expm1()),
    "erf": (1, lambda a: a.erf()),
    "sin": (1, lambda a: a.sin()),
    "cos": (1, lambda a: a.cos()),
    "abs": (1, lambda a: abs(a)),
    "sqrt": (1, lambda a: a.sqrt()),
    "softplus": (1, lambda a: a.softplus()),
    "leaky_relu": (1, lambda a: a.leaky_relu()),
    "leaky_relu_slope": (1, lambda a: a.leaky_relu(0.2)),
    "elu": (1, lambda a: a.elu()),
    "elu_alpha": (1, lambda a: a.elu(0.5)),
    "gelu": (1, lambda a: a.gelu()),
    "silu": (1, lambda a: a.silu()),
    "clip_float": (1, lambda a: a.clip(1e-7, 1.0 - 1e-7)),
    "linear_pairs": (5, lambda b, w1, w2, x1, x2: engine.linear([w1, w2], [x1, x2], b)),
    "linear_const_x": (3, lambda b, w1, w2: engine.linear([w1, w2], [0.5, -1.25], b)),
    "linear_const_w": (2, lambda x1, x2: engine.linear([0.5, -1.25], [x1, x2], 0.1)),
    "linear_no_bias": (2, lambda w, x: engine.linear([w, w], [x, 3.0])),
    "linear_mixed": (3, lambda b, w, x: engine.linear([w, 2.0, w, 0.25], [x, 4.0, 1.5, x], b)),
    "linear_const_bias": (2, lambda w, x: engine.linear([w], [x], -0.0)),
    "sum": (3, lambda a, b, c: engine.total([a, b, c, a])),
    "sum_consts": (2, lambda a, b: engine.total([1.5, a, -0.0, 2.0, b, 0.25])),
}


@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_every_op_compiles_to_the_interpreters_bits(case):
    n, build = OP_CASES[case]
    rng = random.Random(case)
    trace_at = [rng.uniform(0.2, 2.0) for _ in range(n)]  # a point where every op is defined
    if isinstance(interpreted(build, trace_at), Exception):
        trace_at = [2.0] * n  # (-2.0) ** x needs an integer x
    check_agrees(build, n, _points(n, rng), trace_at)


def test_the_op_cases_cover_every_rule():
    made = set()
    for n, build in OP_CASES.values():
        made.add(rule_for(build(*[Value(2.0) for _ in range(n)]).op).op)
    assert made == set(RULES)


def _ops_the_engine_can_make() -> set[str]:
    """The op names of every node engine.value and engine.fused create: the second argument of
    each node() call and each inlined ``v.op = ...`` (an f-string such as f'**{p:g}' stands for
    the family '**k')."""
    ops = set()
    for module in (engine.value, engine.fused):
        tree = ast.parse(inspect.getsource(module))
        for item in ast.walk(tree):
            if isinstance(item, ast.Call) and getattr(item.func, "id", None) == "node":
                arg = item.args[1]
            elif isinstance(item, ast.Assign) and ast.unparse(item.targets[0]) == "v.op":
                arg = item.value
            else:
                continue
            if isinstance(arg, ast.Name):  # node() itself: v.op = op
                continue
            if isinstance(arg, ast.Constant):
                ops.add(arg.value)
            else:
                assert isinstance(arg, ast.JoinedStr), ast.dump(arg)
                ops.add(ast.literal_eval(arg.values[0]) + "2")
    return ops


def test_every_op_of_the_engine_has_a_rule_and_every_rule_an_op():
    ops = _ops_the_engine_can_make()
    assert len(ops) >= 14
    missing = set()
    for op in ops:
        try:
            rule_for(op)
        except KeyError:
            missing.add(op)
    assert not missing, f"ops without a rule in engine.rules.RULES: {missing}"
    assert {rule_for(op).op for op in ops} == set(RULES), "rules for ops the engine never makes"


def test_relu_and_clip_branch_on_the_new_values():
    x = Value(2.0)
    y = x.relu() * 3.0 + x.clip(0.0, 1.0)
    step = engine.compile(y, [x])
    assert step([2.0]).grads == [3.0]
    r = step([-2.0])
    assert r.outputs == [0.0] and r.grads == [0.0]
    assert step([0.5]).grads == [4.0]


# ---- random graphs -------------------------------------------------------------------------------


def random_builder(seed: int, n_inputs: int, n_nodes: int):
    """A random graph over every op of the table (tests/strategies.py): a builder that makes the
    same graph shape from any input Values (its last output uses every node), and the point the
    graph was drawn at (where every op is defined)."""
    rng = random.Random(seed)
    at = [rng.uniform(-1, 1) for _ in range(n_inputs)]
    program = strategies.random_program(rng, at, n_nodes)

    def build(*leaves):
        nodes = strategies.build(program, leaves)
        return [nodes[-1], nodes[-2], engine.total(nodes)]

    return build, at


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_compile_to_the_interpreters_bits(seed):
    n_inputs = 3 + seed % 3
    build, at = random_builder(seed, n_inputs, 25 + 5 * seed)
    rng = random.Random(seed)
    points = [[rng.uniform(-3, 3) for _ in range(n_inputs)] for _ in range(40)]
    points += _points(n_inputs, rng, 20)
    check_agrees(build, n_inputs, points, at)


def test_an_mlp_loss_compiles_to_the_interpreters_bits():
    import nn

    model = nn.MLP(2, [4, 3, 1], ["relu", "tanh", "sigmoid"], seed=3)
    params = model.parameters()
    xs = [[0.3, -1.2], [1.5, 0.7], [-0.4, -0.9]]

    def build(*ps):
        for p, v in zip(params, ps):
            p.data = v.data
        return nn.binary_cross_entropy([model(x) for x in xs], [1.0, 0.0, 1.0])

    leaves = params
    J = build(*params)
    step = engine.compile(J, leaves)
    rng = random.Random(0)
    for _ in range(20):
        values = [rng.uniform(-2, 2) for _ in params]
        for p, v in zip(params, values):
            p.data, p.grad = v, 0.0
        J = nn.binary_cross_entropy([model(x) for x in xs], [1.0, 0.0, 1.0])
        J.backward()
        got = step(values)
        assert got.outputs == [J.data]
        assert all(map(same, got.grads, [p.grad for p in params]))


# ---- the source and the errors ---------------------------------------------------------------


def test_source_reads_one_line_per_node_and_per_edge():
    w = Value(0.5, label="w")
    x = Value(2.0, label="x")
    z = w * x
    z.label = "z"
    y = z.tanh()
    step = engine.compile(y, [w, x])
    lines = step.source.splitlines()
    assert "    v2 = v0 * v1  # z" in lines
    assert "    g0 += v1 * g2" in lines and "    g1 += v0 * g2" in lines
    assert "    g2 += (1.0 - v3 * v3) * g3" in lines
    assert sum(" += " in line for line in lines) == 3  # three edges


def test_constants_are_baked_in_as_literals():
    c = Value(4.0, label="c")
    x = Value(1.0)
    y = (c.exp() * x) / 3.0
    step = engine.compile(y, [x])
    assert repr(math.exp(4.0)) in step.source
    assert step([2.0]).grads == [math.exp(4.0) * (1.0 / 3.0)]


def test_wrt_limits_the_gradients_to_some_inputs():
    a, b = Value(2.0), Value(3.0)
    step = engine.compile(a * b, [a, b], wrt=[b])
    assert step([5.0, 7.0]).grads == [5.0]
    assert "g0" not in step.source


def test_an_input_that_is_not_a_leaf_is_refused():
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(ValueError, match=r"inputs\[0\].*not a leaf.*'\*'"):
        engine.compile(y.exp(), [y])


def test_an_output_that_depends_on_no_input_is_refused():
    x, c = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match=r"outputs\[1\].*does not depend on any input"):
        engine.compile([x * 2.0, c.exp()], [x])


def test_an_input_outside_the_graph_is_refused():
    x, other = Value(1.0), Value(2.0, label="other")
    with pytest.raises(ValueError, match=r"inputs\[1\] \('other'.*not in the outputs' graph"):
        engine.compile(x * 2.0, [x, other])


def test_an_input_given_twice_is_refused():
    x = Value(1.0)
    with pytest.raises(ValueError, match="twice"):
        engine.compile(x * x, [x, x])


def test_wrong_types_are_refused_with_names():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Value, got float"):
        engine.compile(x * 2.0, [x, 2.0])
    with pytest.raises(TypeError, match="outputs must be a Value or a list of Values, got float"):
        engine.compile(3.0, [x])
    with pytest.raises(ValueError, match="values must hold 1 numbers, one per input, got 2"):
        engine.compile(x * 2.0, [x])([1.0, 2.0])


def test_a_label_cannot_inject_code():
    x = Value(1.0, label="x\nraise SystemExit('injected')\r\u2028")
    step = engine.compile(x * 2.0, [x])
    assert step([3.0]).grads == [2.0]
    assert "injected" in step.source and "\nraise" not in step.source


def test_all_nodes_returns_every_nodes_value_gradient_and_local_derivatives():
    """all_nodes=True: each node's value, backward()'s gradient and local derivatives, bit for bit
    as the graph rebuilt at the new values, in the order of step.nodes (outputs[0]'s topo order
    first; a node only the other outputs use has gradient 0.0)."""
    n = 4
    build, at = random_builder(7, n, 30)  # a graph drawn where every op is defined at ``at``
    trace = [Value(v) for v in at]
    step = engine.compile(build(*trace), trace, all_nodes=True)
    for values in ([a + 0.01 for a in at], [a - 0.02 for a in at]):
        leaves = [Value(v) for v in values]
        outs = build(*leaves)
        outs[0].backward()
        fresh = list(engine.topo_order(outs[0]))
        for o in outs[1:]:
            fresh += [v for v in engine.topo_order(o) if v not in set(fresh)]
        got = step(values)
        assert len(got.values) == len(fresh) == len(step.nodes)
        for node, value, grad, local in zip(fresh, got.values, got.node_grads, got.local_grads):
            assert same(value, node.data) and same(grad, node.grad)
            assert len(local) == len(node.local_grads)
            assert all(map(same, local, node.local_grads))
        assert got.outputs == [o.data for o in outs]


def test_sums_of_thousands_of_terms_compile_to_the_interpreters_bits():
    """An n-ary node's sum is as deep as it is long: the writers and Python's own compiler must
    take 3,000 terms (the statement is split, the additions stay in order)."""
    rng = random.Random(5)

    def build(*xs):
        return engine.total([*xs, 0.25]) + engine.linear(list(xs), list(xs[::-1]), 1.5)

    n = 3000
    points = [[rng.uniform(-2, 2) for _ in range(n)] for _ in range(2)]
    check_agrees(build, n, points, [rng.uniform(-1, 1) for _ in range(n)])

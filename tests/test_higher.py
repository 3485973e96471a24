"""engine.grad, hessian and hvp without PyTorch: the Value backend of the rules against the float
rules, bit for bit, at ordinary and special values; grad's floats against backward(); closed
forms; compiling a gradient; the argument errors. (PyTorch's numbers: against_pytorch/.)"""

from __future__ import annotations

import ast
import itertools
import math
import random

import pytest

import engine
from engine import Value, grad, hessian, hvp, linear, total
from engine.higher import VALUE_NAMES, local_values
from engine.rules import FLOAT_NAMES, RULES, Rule, SumRule

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 1e-200, -1e-200, 1e200, -1e200, 709.0]
SPECIAL += [-745.0, 1e308, -1e308, math.inf, -math.inf, math.nan]
POINTS = SPECIAL + [random.Random(23).uniform(-4, 4) for _ in range(6)]


def same(a: float, b: float) -> bool:
    """Bit-identical up to NaN payloads (0.0 is not -0.0)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else x


# ---- the Value backend is the float rules --------------------------------------------------------


def _nodes(a: float, b: float, first: bool, fused: bool):
    """Every op from Python, with Value and plain-number operands, at (a, b); the one-operand ops
    only for the ``first`` b, the n-ary sums (the same term rule at each term) when ``fused``."""
    binary = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
              "/": lambda x, y: x / y, "**": lambda x, y: x ** y}  # fmt: skip
    for f in binary.values():
        yield lambda f=f: f(Value(a), Value(b))
        yield lambda f=f: f(a, Value(b))
        yield lambda f=f: f(Value(a), b)  # for **: the rule '**k'
    yield lambda: Value(a).clip(-abs(b), abs(b))
    if first:
        for k in (2.0, 3.0, 0.5, -1.0, 1.5, -0.5, 0.0):
            yield lambda k=k: Value(a) ** k
        for op in ("__neg__", "exp", "log", "tanh", "sigmoid", "relu", *ONE_OPERAND):
            yield lambda op=op: getattr(Value(a), op)()
    if fused:
        yield lambda: linear([Value(a), Value(b)], [Value(b), Value(a)], Value(a))
        yield lambda: linear([Value(a), b], [2.0, Value(a)], 0.5)
        yield lambda: linear([Value(a), 3.0], [b, 2.0])
        yield lambda: total([Value(a), 1.5, Value(b), Value(a)])


ONE_OPERAND = ("log1p", "expm1", "erf", "sin", "cos", "abs", "sqrt", "softplus", "leaky_relu")
ONE_OPERAND += ("elu", "gelu", "silu")  # (leaky_relu and elu with their default params)


def test_every_formula_function_has_a_value_level_one():
    used = set()
    for rule in RULES.values():
        formulas = rule.grads if isinstance(rule, Rule) else rule.term_grads
        for f in formulas:
            used |= {n.id for n in ast.walk(ast.parse(f)) if isinstance(n, ast.Name)}
    assert set(FLOAT_NAMES) <= set(VALUE_NAMES), set(FLOAT_NAMES) - set(VALUE_NAMES)
    assert used & set(FLOAT_NAMES) <= set(VALUE_NAMES)


def test_the_value_backend_gives_the_float_rules_derivatives_bit_for_bit():
    """Each node's local derivatives made as Values (its rule evaluated on Values) have exactly the
    data of the float derivatives the node stores (which tests/test_rules.py checks against the
    same rules evaluated on floats): every op, both operand kinds, ordinary and special values."""
    checked, failures = 0, []
    for i, (a, b) in enumerate(itertools.product(POINTS, repeat=2)):
        for build in _nodes(a, b, first=b is POINTS[0], fused=i % 7 == 0):
            try:
                n = build()
            except (ArithmeticError, ValueError):
                continue  # the op's own domain error: no node to differentiate
            got = [data(v) for v in local_values(n)]
            checked += 1
            if len(got) != len(n.local_grads) or not all(map(same, got, n.local_grads)):
                failures.append(f"{n.op} {n.const} a={a!r} b={b!r}: {got} != {n.local_grads}")
    assert checked > 14 * len(POINTS) ** 2
    assert not failures, f"{len(failures)} differ, e.g.\n" + "\n".join(failures[:10])


def test_every_op_is_covered_by_the_backend_check():
    seen = {n.op for build in _nodes(0.7, 1.3, True, True) for n in [build()]}
    keys = {"**k" if op.startswith("**") and op != "**" else op for op in seen}
    assert keys == set(RULES)


# ---- grad's floats are backward()'s --------------------------------------------------------------

UNARY = ["neg", "exp", "tanh", "sigmoid", "relu", "log", "clip", "sqrt", "square"]
BINARY = ["+", "-", "*", "/", "**", "linear", "total", "c-", "c/", "c**"]


def random_graph(rng: random.Random, n_inputs: int = 3, n_ops: int = 12):
    """A random graph over every op, reusing earlier nodes (shared subgraphs); values kept in
    each op's domain. Returns (inputs, nodes)."""
    xs = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(n_inputs)]
    nodes = list(xs)
    while len(nodes) < n_inputs + n_ops:
        a, b = rng.choice(nodes), rng.choice(nodes)
        op = rng.choice(UNARY + BINARY)
        if abs(a.data) > 5 or abs(b.data) > 5:
            continue
        if op in ("neg", "exp", "tanh", "sigmoid", "relu"):
            v = -a if op == "neg" else getattr(a, op)()
        elif op == "log":
            v = (a * a + 0.5).log()
        elif op == "clip":
            v = a.clip(-0.5, 0.8)
        elif op == "sqrt":
            v = (a * a + 0.25) ** 0.5
        elif op == "square":
            v = a**2
        elif op == "linear":
            v = linear([a, b, 0.5], [b, 1.5, a], a)
        elif op == "total":
            v = total([a, b, 2.0, a])
        elif op == "c-":
            v = 1.5 - a
        elif op == "c/":
            v = 2.0 / (a * a + 1.0)
        elif op == "c**":
            v = 1.7**a
        elif op == "/":
            v = a / (b * b + 0.5)
        elif op == "**":
            v = (a * a + 0.5) ** b
        else:
            v = {"+": a + b, "-": a - b, "*": a * b}[op]
        nodes.append(v)
    return xs, nodes


def test_grad_floats_are_what_backward_adds_bit_for_bit_and_no_grad_changes():
    rng = random.Random(2323)
    for case in range(40):
        xs, nodes = random_graph(rng)
        root = nodes[-1]
        for k, n in enumerate(nodes):
            n.grad = 0.25 * k  # grad must not touch these
        before = [n.grad for n in nodes]
        middle = nodes[len(xs) + 2]
        got = grad(root, [*xs, middle])
        assert [n.grad for n in nodes] == before, case
        for n in nodes:
            n.grad = 0.0
        root.backward()
        expected = [x.grad if x in engine.topo_order(root) else 0.0 for x in [*xs, middle]]
        assert all(map(same, got, expected)), (case, got, expected)
        values = grad(root, [*xs, middle], create_graph=True)
        # the same products and sums in the same order: equal (a zero's sign may differ: the
        # float pass starts every gradient at 0.0, the Value pass at its first contribution)
        assert [v.data for v in values] == list(got) or any(map(math.isnan, got)), case


def test_grad_of_several_outputs_with_grad_outputs_is_the_weighted_sum():
    x, y = Value(0.3), Value(-1.2)
    a, b = (x * y).tanh(), x.exp() * y
    ga, gb = grad(a, [x, y]), grad(b, [x, y])
    got = grad([a, b], [x, y], grad_outputs=[2.0, -0.5])
    assert got == pytest.approx([2.0 * p - 0.5 * q for p, q in zip(ga, gb)], rel=1e-15)


# ---- closed forms --------------------------------------------------------------------------------


def test_the_readme_example():
    x = Value(3.0)
    (g,) = grad(x**3, [x], create_graph=True)
    (h,) = grad(g, [x])
    assert (g.data, h) == (27.0, 18.0)  # 3 x^2 and 6 x at 3
    (h2,) = grad(g, [x], create_graph=True)
    (h3,) = grad(h2, [x], create_graph=True)
    assert (h2.data, h3.data, grad(h3, [x])) == (18.0, 6.0, (0.0,))


@pytest.mark.parametrize("x0", [-1.3, 0.4, 2.0])
def test_higher_derivatives_against_closed_forms(x0):
    x = Value(x0)
    s = 1.0 / (1.0 + math.exp(-x0))
    t = math.tanh(x0)
    cases = [
        (x.sigmoid(), [s * (1 - s), s * (1 - s) * (1 - 2 * s)]),
        (x.tanh(), [1 - t * t, -2 * t * (1 - t * t)]),
        ((x * x).exp(), [2 * x0 * math.exp(x0 * x0), (2 + 4 * x0 * x0) * math.exp(x0 * x0)]),
        (1.0 / x, [-1 / x0**2, 2 / x0**3]),
        (2.0**x, [math.log(2) * 2**x0, math.log(2) ** 2 * 2**x0]),
        ((x * x + 1.0) ** x, None),
    ]
    for f, expected in cases:
        (g,) = grad(f, [x], create_graph=True)
        (h,) = grad(g, [x])
        if expected is None:  # d/dx (x²+1)^x by finite differences of the first derivative
            eps = 1e-6

            def d1(v: float) -> float:
                u = Value(v)
                return grad((u * u + 1.0) ** u, [u])[0]

            expected = [d1(x0), (d1(x0 + eps) - d1(x0 - eps)) / (2 * eps)]
            assert h == pytest.approx(expected[1], rel=1e-6)
        else:
            assert h == pytest.approx(expected[1], rel=1e-12, abs=1e-14)
        assert g.data == pytest.approx(expected[0], rel=1e-12)


def test_relu_and_clip_second_derivatives_are_zero_at_and_off_the_kink():
    for x0, slope in [(-1.0, 0.0), (0.0, 0.0), (2.0, 1.0)]:
        x = Value(x0)
        (g,) = grad(x.relu(), [x], create_graph=True)
        assert g.data == slope and grad(g, [x]) == (0.0,)
    for x0, slope in [(-0.5, 1.0), (0.5, 1.0), (0.7, 0.0), (-3.0, 0.0)]:
        x = Value(x0)
        (g,) = grad((x * 2.0).clip(-1.0, 1.0), [x], create_graph=True)
        assert g.data == 2.0 * slope and grad(g, [x]) == (0.0,)


def test_hessian_and_hvp_of_a_quadratic_form():
    """f = x^T A x / 2 + b·x has the Hessian (A + A^T) / 2 whatever x is."""
    A = [[2.0, -1.0, 0.5], [3.0, 1.0, 0.0], [0.0, 4.0, -2.0]]
    xs = [Value(v) for v in (0.3, -1.1, 2.0)]
    f = total([A[i][j] * xs[i] * xs[j] * 0.5 for i in range(3) for j in range(3)]) + 3 * xs[1]
    expected = [[(A[i][j] + A[j][i]) / 2 for j in range(3)] for i in range(3)]
    assert hessian(f, xs) == expected
    v = [1.0, -2.0, 0.5]
    assert hvp(f, xs, v) == pytest.approx([sum(r[j] * v[j] for j in range(3)) for r in expected])


def test_an_input_the_output_does_not_use_gets_zero():
    x, y, z = Value(1.0), Value(2.0), Value(3.0)
    f = x * y
    assert grad(f, [x, z, y]) == (2.0, 0.0, 1.0)
    gx, gz, gy = grad(f, [x, z, y], create_graph=True)
    assert (gx.data, gz.data, gy.data) == (2.0, 0.0, 1.0)
    assert hessian(f, [x, y, z]) == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert grad(x, [x, y]) == (1.0, 0.0)


# ---- the gradient is a graph: drawn and compiled -------------------------------------------------


def test_a_gradient_is_a_graph_that_can_be_drawn():
    x = Value(0.5, label="x")
    (g,) = grad((x * x).tanh(), [x], create_graph=True)
    dot = engine.to_dot(g).source
    assert "tanh" in dot and "x" in dot
    assert x in engine.topo_order(g)


def test_a_gradient_graph_can_be_explored(tmp_path):
    """The gradient's graph is an ordinary graph: the explorer writes its page."""
    x = Value(0.4, label="x")
    (g,) = grad((x * x).sigmoid(), [x], create_graph=True)
    page = engine.explore(g, tmp_path / "g.html")
    assert page.is_file() and "<html" in page.read_text(encoding="utf-8").lower()


def test_a_compiled_gradient_is_rebuilding_and_grad_bit_for_bit():
    """engine.compile of a create_graph gradient, run at new inputs, gives what rebuilding the
    graph there and calling grad gives, bit for bit: the gradient and its own derivatives. (No
    relu or clip: a graph keeps the branch it was built with.)"""
    rng = random.Random(7)

    def build(values):
        xs = [Value(v) for v in values]
        a, b, c = xs
        y = linear([a, b], [b, c], c).tanh() * (a / (c * c + 1.0)) + (b * b + 0.5) ** a
        y = total([y, (a * c).sigmoid(), 2.0**b, (c * c + 0.1).log(), -a.exp(), (b * b) ** 0.5])
        return xs, grad(y, xs, create_graph=True)

    xs, gs = build([0.3, -0.7, 1.1])
    steps = [engine.compile(g, xs) for g in gs]
    for _ in range(5):
        values = [rng.uniform(-1.5, 1.5) for _ in range(3)]
        new_xs, new_gs = build(values)
        for step, g in zip(steps, new_gs):
            result = step(values)
            assert same(result.outputs[0], g.data)
            assert all(map(same, result.grads, grad(g, new_xs)))


# ---- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: grad("x", [x]), TypeError, "grad: outputs must be a Value or a non-empty list"),
        (lambda x: grad([], [x]), ValueError, "grad: outputs is empty"),
        (lambda x: grad(x, [x, 2.0]), TypeError, r"grad: inputs\[1\] must be a Value, got float"),
        (lambda x: grad(x, 3), TypeError, "grad: inputs must be a Value or a non-empty list"),
        (lambda x: grad(x, [x], grad_outputs=[1.0, 2.0]), ValueError, "2 entries for 1 outputs"),
        (lambda x: grad(x, [x], grad_outputs="a"), TypeError, "grad_outputs must be a list"),
        (lambda x: grad([x], [x], grad_outputs=[True]), TypeError, "got bool True"),
        (lambda x: grad(x, [x], grad_outputs=x), TypeError, "create_graph=True to differentiate"),
        (lambda x: grad(x, [x], create_graph=1), TypeError, "create_graph must be True or False"),
        (
            lambda x: hessian([x], [x]),
            TypeError,
            r"hessian: output must be a Value, got list \[V",
        ),
        (lambda x: hessian(x, x), TypeError, "hessian: inputs must be a non-empty list of Values"),
        (lambda x: hvp(x, [x], [1.0, 2.0]), ValueError, "vector has 2 numbers for 1 inputs"),
        (lambda x: hvp(x, [x], ["1"]), TypeError, r"hvp: vector\[0\] must be a real number"),
        (lambda x: hvp(x, [x], 1.0), TypeError, "vector must be a list of numbers"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call(Value(1.0, label="x"))


def test_every_rule_kind_is_known():
    assert all(isinstance(r, Rule | SumRule) for r in RULES.values())

"""engine.rules is the engine's math: every hand-written op of engine.value and engine.fused gives
the data and local derivatives its rule gives, bit for bit, at ordinary and special values."""

from __future__ import annotations

import itertools
import math
import random

import pytest

import engine
from engine import Value
from engine.fused import _linear_of_data, _linear_of_values
from engine.node import Node
from engine.rules import RULES, Rule, evaluate, rule_for
from engine.value import node

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 1e-200, -1e-200, 1e200, -1e200, 709.0]
SPECIAL += [710.0, -745.0, 1e308, -1e308, math.inf, -math.inf, math.nan]
POINTS = SPECIAL + [random.Random(7).uniform(-4, 4) for _ in range(12)]


def same(a: float, b: float) -> bool:
    """Bit-identical up to NaN payloads (0.0 is not -0.0)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def outcome(f, *args):
    """(data, local_grads) of the node f(*args) makes, or the type of the error it raises."""
    try:
        v = f(*args)
    except (ArithmeticError, ValueError) as e:
        return type(e)
    return v if isinstance(v, tuple) else (v.data, v.local_grads)


def agree(got, expected) -> bool:
    if isinstance(got, type) or isinstance(expected, type):
        return got is expected
    return (
        same(got[0], expected[0])
        and len(got[1]) == len(expected[1])
        and all(map(same, got[1], expected[1]))
    )


ONE_OPERAND = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "abs", "sqrt"]
ONE_OPERAND += ["log1p", "expm1", "erf", "softplus", "gelu", "silu"]


# How each rule is reached from Python: (rule key, operands that are Values, build, rule args).
# ``b`` is a float in the cases where the op has a plain-number operand.
def _cases():
    binary = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
              "/": lambda a, b: a / b, "**": lambda a, b: a ** b}  # fmt: skip
    for op, f in binary.items():
        yield op, "both", lambda a, b, f=f: f(Value(a), Value(b)), lambda a, b: {"a": a, "b": b}
        yield op, "left", lambda a, b, f=f: f(a, Value(b)), lambda a, b: {"a": a, "b": b}
        if op != "**":  # Value ** number is the rule '**k'
            yield op, "right", lambda a, b, f=f: f(Value(a), b), lambda a, b: {"a": a, "b": b}
    yield "**k", "right", lambda a, k: Value(a) ** k, lambda a, k: {"a": a, "k": k}
    for op in ONE_OPERAND:
        method = "__neg__" if op == "neg" else op
        yield op, "one", lambda a, b, m=method: getattr(Value(a), m)(), lambda a, b: {"a": a}
    yield (
        "clip", "one", lambda a, b: Value(a).clip(-abs(b), abs(b)),
        lambda a, b: {"a": a, "low": -abs(b), "high": abs(b)},
    )  # fmt: skip
    yield "abs", "one", lambda a, b: abs(Value(a)), lambda a, b: {"a": a}
    for op, p in (("leaky_relu", "negative_slope"), ("elu", "alpha")):
        method = getattr(Value, op)
        yield op, "one", lambda a, b, m=method: m(Value(a), b), lambda a, b, p=p: {"a": a, p: b}
        d = RULES[op].defaults[0]  # called without it, the method's default is the rule's
        yield op, "one", lambda a, b, m=method: m(Value(a)), lambda a, b, p=p, d=d: {"a": a, p: d}


def _local(grads: tuple[float, ...], kind: str) -> tuple[float, ...]:
    """The derivatives the node keeps: only for its Value operands."""
    return {"both": grads, "left": grads[1:], "right": grads[:1], "one": grads}[kind]


@pytest.mark.parametrize("key", sorted(k for k, r in RULES.items() if isinstance(r, Rule)))
def test_every_op_is_its_rule_bit_for_bit(key):
    rule = RULES[key]
    failures = []
    checked = 0
    for op, kind, build, args in _cases():
        if op != key:
            continue
        for a, b in itertools.product(POINTS, repeat=2):
            got = outcome(build, a, b)
            expected = outcome(evaluate, rule, args(a, b))
            if not isinstance(expected, type):
                expected = (expected[0], _local(expected[1], kind))
            checked += 1
            if not agree(got, expected):
                failures.append(f"{kind} a={a!r} b={b!r}: op {got} rule {expected}")
    assert checked >= len(POINTS) ** 2
    assert not failures, f"{len(failures)} cases differ, e.g.\n" + "\n".join(failures[:10])


def test_fused_ops_are_their_rules_term_by_term():
    """linear and sum: the forward is start + term + term ... left to right; each term's operands
    get the term rule's derivatives (checked at every special value)."""
    rng = random.Random(3)
    for _ in range(300):
        n = rng.randint(1, 4)
        w = [rng.choice(POINTS) for _ in range(n)]
        x = [rng.choice(POINTS) for _ in range(n)]
        b = rng.choice(POINTS)
        z = engine.linear([Value(v) for v in w], [Value(v) for v in x], Value(b))
        acc, grads = b, [1.0]
        for wk, xk in zip(w, x):
            term, (dw, dx) = evaluate(_term_rule("linear"), {"w": wk, "x": xk})
            acc += term
            grads += [dw, dx]
        assert same(z.data, acc) and all(map(same, z.local_grads, grads)), (w, x, b)
        s = engine.total([Value(v) for v in x])
        acc = 0.0
        for xk in x:
            acc += xk
        assert same(s.data, acc) and s.local_grads == (1.0,) * n


def _term_rule(op: str) -> Rule:
    r = RULES[op]
    return Rule(op, r.term, r.term_forward, r.term_grads)  # type: ignore[union-attr]


SLOTS = Node.__slots__[:-1]  # every slot but _g, the backward pass's scratch space


def _slots(v: Value) -> dict[str, object]:
    return {name: getattr(v, name) for name in SLOTS}


def test_inlined_constructors_set_the_slots_node_sets():
    """The hot ops build their node inline for speed; each must leave every slot as node() does."""
    a, b, c = Value(1.5), Value(-2.0), Value(0.25)
    checks = [
        (a + b, node(a.data + b.data, "+", a, 1.0, b, 1.0)),
        (a * b, node(a.data * b.data, "*", a, b.data, b, a.data)),
    ]
    z = _linear_of_values([a, b], [b, c], c)
    checks.append((z, node(z.data, "linear", pn=z.parents, ln=z.local_grads, const=z.const)))
    z = _linear_of_data([a, b], [0.5, -1.0], c)
    assert z is not None
    checks.append((z, node(z.data, "linear", pn=z.parents, ln=z.local_grads, const=z.const)))
    for fast, general in checks:
        assert _slots(fast) == _slots(general), fast.op
    # and the general path of linear() records the same as its fast paths
    slow = engine.linear([a, b], [b, 2.0 * c / 2.0], c)
    assert slow.const == engine.linear([a, b], [b, c], c).const


def test_rule_for_names_the_op_it_cannot_find():
    assert rule_for("**2.5").op == "**k"
    with pytest.raises(KeyError, match="no rule for op 'tan'"):
        rule_for("tan")

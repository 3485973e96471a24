"""One rule per op: what it computes and its local derivatives, the engine's math in one table.

Read ``RULES`` below as the chain rule's raw material. Each rule names its operands (``a``, ``b``),
gives the forward formula, and for each operand the local derivative d out / d operand, which may
use ``out``, the op's own result. Formulas are Python expressions over floats, using Python's
operators and the functions of ``engine.floats`` (IEEE edge cases and domain errors live there).

Everything else is made from this table or checked against it:
- ``engine.value`` computes each op by hand, for speed; tests check its ``data`` and
  ``local_grads`` against these formulas bit for bit, at ordinary and special values;
- ``engine.compiler`` writes each node's line of code from its rule, in Python and in JavaScript;
- float forward passes (``nn.predict``), nn's activations and its PyTorch export read it.

A plain number given for an operand (``x + 3``, ``2 ** x``) takes that operand's place in the
formula; it gets no derivative. A rule's ``params`` are constants of the op itself (clip's bounds,
a constant exponent), kept in the node's ``const`` under the same names.

Two ops are n-ary sums: ``linear`` (b + w1 x1 + w2 x2 + ..., one node for a neuron's Z) and
``sum`` (t1 + t2 + ...). Their rule gives one term's formula and derivatives; the sum runs left to
right from its start, exactly as the chain of elementary ``+`` nodes would.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from engine import floats

__all__ = [
    "RULES",
    "FLOAT_NAMES",
    "Rule",
    "SumRule",
    "rule_for",
    "evaluate",
    "derivatives",
    "parse",
]


@dataclass(frozen=True)
class Rule:
    """An op of one or two operands: ``forward`` and, per operand, d out / d operand.

    ``torch`` is the same op as a PyTorch expression (``torch`` and ``F`` for
    torch.nn.functional in scope), used by the tests and the export; ``torch_module`` names the
    torch.nn module of an activation (None: the op is no activation), whose defaults are the
    ``defaults`` of the rule's last params (an activation by name uses them: leaky_relu's slope).
    """

    op: str
    operands: tuple[str, ...]
    forward: str
    grads: tuple[str, ...]
    params: tuple[str, ...] = ()
    torch: str = ""
    torch_module: str | None = None
    defaults: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.grads) != len(self.operands):
            raise ValueError(f"rule {self.op!r}: one derivative per operand")


@dataclass(frozen=True)
class SumRule:
    """An n-ary sum: ``start`` + term + term + ..., left to right; each term's operands get the
    derivatives ``term_grads``, the start operand (if any) 1."""

    op: str
    start: str | None  # the name of the start operand ('b'), or None: the sum starts at 0.0
    term: tuple[str, ...]
    term_forward: str
    term_grads: tuple[str, ...]
    torch: str = ""
    params: tuple[str, ...] = ()  # none: a sum has no constants of its own


# fmt: off
_TABLE: list[Rule | SumRule] = [
    #    op      operands     forward: out =     d out / d each operand
    Rule("+",    ("a", "b"),  "a + b",          ("1.0", "1.0"),         torch="a + b"),
    Rule("-",    ("a", "b"),  "a - b",          ("1.0", "-1.0"),        torch="a - b"),
    Rule("*",    ("a", "b"),  "a * b",          ("b", "a"),             torch="a * b"),
    # d/db is -(a / b) / b, as PyTorch computes it: -a / (b * b) would overflow b * b first.
    Rule("/",    ("a", "b"),  "divide(a, b)",   ("div(1.0, b)", "-div(out, b)"), torch="a / b"),
    # A Value exponent, or a plain-number base: the general power.
    Rule("**",   ("a", "b"),  "power(a, b)",    ("pow_slope(a, b)", "exponent_slope(a, b, out)"),
         torch="torch.pow(a, b)"),
    # A plain-number exponent k, recorded as '**2', '**0.5', ... As in PyTorch, x ** 0.5 is
    # sqrt(x): sqrt(-0.0) is -0.0.
    Rule("**k",  ("a",),      "sqrt(a) if k == 0.5 else power(a, k)",
                              ("div(0.5, out) if k == 0.5 else pow_slope(a, k)",),
         params=("k",), torch="torch.pow(a, k)"),
    Rule("neg",  ("a",),      "-a",             ("-1.0",),              torch="-a"),
    Rule("exp",  ("a",),      "exp(a)",         ("out",),               torch="torch.exp(a)"),
    Rule("log",  ("a",),      "log(a)",         ("div(1.0, a)",),       torch="torch.log(a)"),
    # NaN passes with slope 1, -0.0 stays -0.0, the slope at 0 is 0: as PyTorch.
    Rule("relu", ("a",),      "0.0 if a < 0.0 else a",
                              ("0.0 if a <= 0.0 else 1.0",),
         torch="torch.relu(a)", torch_module="ReLU"),
    Rule("tanh", ("a",),      "tanh(a)",        ("1.0 - out * out",),
         torch="torch.tanh(a)", torch_module="Tanh"),
    Rule("sigmoid", ("a",),   "sigmoid(a)",     ("out * (1.0 - out)",),
         torch="torch.sigmoid(a)", torch_module="Sigmoid"),
    # Slope 1 inside [low, high], 0 where it clips; NaN passes with slope 0, as torch.clamp.
    Rule("clip", ("a",),      "low if a < low else high if a > high else a",
                              ("1.0 if low <= a <= high else 0.0",),
         params=("low", "high"), torch="torch.clamp(a, low, high)"),
    # log1p, expm1 and erf: exact near 0 (softplus, elu and gelu are written with them).
    Rule("log1p", ("a",),     "log1p(a)",       ("div(1.0, a + 1.0)",), torch="torch.log1p(a)"),
    Rule("expm1", ("a",),     "expm1(a)",       ("out + 1.0",),         torch="torch.expm1(a)"),
    # erf's slope 2/√π e**-a² (1.1283791670955126 = 2/√π), as PyTorch computes it.
    Rule("erf",  ("a",),      "erf(a)",         ("1.1283791670955126 * exp(-(a * a))",),
         torch="torch.erf(a)"),
    Rule("sin",  ("a",),      "sin(a)",         ("cos(a)",),            torch="torch.sin(a)"),
    Rule("cos",  ("a",),      "cos(a)",         ("-sin(a)",),           torch="torch.cos(a)"),
    # The slope is the sign, 0 at 0 (and at NaN), as PyTorch's sgn.
    Rule("abs",  ("a",),      "abs(a)",         ("1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0",),
         torch="torch.abs(a)"),
    # As a ** 0.5; PyTorch's slope 1 / (2 out) has the same bits as 0.5 / out.
    Rule("sqrt", ("a",),      "sqrt(a)",        ("div(0.5, out)",),     torch="torch.sqrt(a)"),
    # The activations PyTorch has as modules, each written as PyTorch's CPU kernels compute it.
    # softplus: beta 1, threshold 20 (a itself above 20).
    Rule("softplus", ("a",),  "a if a > 20.0 else log1p(exp(a))",
                              ("1.0 if a > 20.0 else exp(a) / (exp(a) + 1.0)",),
         torch="F.softplus(a)", torch_module="Softplus"),
    # NaN gets the negative side's slope, as in PyTorch.
    Rule("leaky_relu", ("a",), "a if a > 0.0 else a * negative_slope",
                              ("1.0 if a > 0.0 else negative_slope",),
         params=("negative_slope",), defaults=(0.01,),
         torch="F.leaky_relu(a, negative_slope)", torch_module="LeakyReLU"),
    # NaN gets slope 1, as in PyTorch.
    Rule("elu",  ("a",),      "expm1(a) * alpha if a <= 0.0 else a",
                              ("alpha * exp(a) if a <= 0.0 else 1.0",),
         params=("alpha",), defaults=(1.0,), torch="F.elu(a, alpha)", torch_module="ELU"),
    # gelu, the exact form a Φ(a) with Φ(a) = (1 + erf(a / √2)) / 2 (0.7071067811865476 = 1/√2);
    # the slope Φ(a) + a φ(a), φ the normal density (0.3989422804014327 = 1/√(2π)).
    Rule("gelu", ("a",),      "a * 0.5 * (1.0 + erf(a * 0.7071067811865476))",
                              ("0.5 * (1.0 + erf(a * 0.7071067811865476))"
                               " + a * (0.3989422804014327 * exp(a * a * -0.5))",),
         torch="F.gelu(a)", torch_module="GELU"),
    # silu a σ(a), as PyTorch computes it: a / (1 + e**-a), slope σ(a) (1 + a (1 - σ(a))) with
    # σ(a) = 1 / (1 + e**-a). (PyTorch's compiled kernel fuses a multiply-add in the slope, so
    # its last bit may differ.)
    Rule("silu", ("a",),      "a / (1.0 + ieee_exp(-a))",
                              ("1.0 / (1.0 + ieee_exp(-a))"
                               " * (1.0 + a * (1.0 - 1.0 / (1.0 + ieee_exp(-a))))",),
         torch="F.silu(a)", torch_module="SiLU"),
    # n-ary sums, left to right from the start: b + w1*x1 + w2*x2 + ..., and t1 + t2 + ...
    #       op        start  one term    its formula  d term / d each of its operands
    SumRule("linear", "b",   ("w", "x"), "w * x",     ("x", "w"), torch="b + (w * x).sum()"),
    SumRule("sum",    None,  ("t",),     "t",         ("1.0",),   torch="t.sum()"),
]
# fmt: on
RULES: dict[str, Rule | SumRule] = {rule.op: rule for rule in _TABLE}

# The names a formula may use besides its operands, params and ``out``.
FLOAT_NAMES: dict[str, object] = {
    "div": floats.div,
    "divide": floats.divide,
    "exp": floats.exp,
    "log": floats.log,
    "tanh": math.tanh,
    "sigmoid": floats.sigmoid,
    "power": floats.power,
    "sqrt": floats.sqrt,
    "sin": floats.sin,
    "cos": floats.cos,
    "abs": abs,
    "log1p": floats.log1p,
    "expm1": floats.expm1,
    "erf": math.erf,
    "ieee_exp": floats.ieee_exp,
    "pow_slope": floats.pow_slope,
    "exponent_slope": floats.exponent_slope,
    "inf": math.inf,
    "nan": math.nan,
}


def rule_for(op: str) -> Rule | SumRule:
    """The rule of a node's op: '**k' for every constant power ('**2', '**0.5', ...); KeyError
    naming the op if it has none."""
    key = "**k" if op.startswith("**") and len(op) > 2 else op
    try:
        return RULES[key]
    except KeyError:
        raise KeyError(f"no rule for op {op!r}; the ops with rules are {sorted(RULES)}") from None


@functools.cache
def parse(expression: str) -> ast.expr:
    """A formula's syntax tree (cached: a formula is parsed once)."""
    return ast.parse(expression, mode="eval").body


@functools.cache
def _float_function(
    expression: str, names: tuple[str, ...], defaults: tuple[float, ...] = ()
) -> Callable[..., float]:
    """The formula as a function of ``names``, the last ``len(defaults)`` of them optional."""
    first = len(names) - len(defaults)
    args = [*names[:first], *(f"{n}={d!r}" for n, d in zip(names[first:], defaults))]
    source = f"lambda {', '.join(args)}: {expression}"
    return eval(source, dict(FLOAT_NAMES))  # noqa: S307 - the table's own formulas


def evaluate(rule: Rule, args: Mapping[str, float]) -> tuple[float, tuple[float, ...]]:
    """The rule on floats: (out, local derivatives), given every operand and param by name.

    This is the definition the interpreter is checked against: same formulas, same bits."""
    names = (*rule.operands, *rule.params)
    values = [args[n] for n in names]
    out = _float_function(rule.forward, names)(*values)
    grads = tuple(_float_function(g, (*names, "out"))(*values, out) for g in rule.grads)
    return out, grads


def float_forward(op: str) -> Callable[..., float]:
    """The forward formula of a one- or two-operand op as a float function of its operands, then
    its params (positional, those with defaults optional), e.g. float_forward('tanh')(0.5),
    float_forward('leaky_relu')(-2.0) with the default slope 0.01."""
    rule = rule_for(op)
    if not isinstance(rule, Rule):
        raise ValueError(f"float_forward: op {op!r} is an n-ary sum, not a function of operands")
    return _float_function(rule.forward, (*rule.operands, *rule.params), rule.defaults)


def derivatives(rule: Rule, args: Mapping[str, float], out: float) -> tuple[float, ...]:
    """The rule's local derivatives on floats, given every operand and param by name and the
    op's result ``out`` (which a caller may have computed another way, e.g. a division by zero
    as IEEE's ±inf instead of the op's error)."""
    names = (*rule.operands, *rule.params, "out")
    values = [*(args[n] for n in names[:-1]), out]
    return tuple(_float_function(g, names)(*values) for g in rule.grads)

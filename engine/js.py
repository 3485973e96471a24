# ruff: noqa: E501  (the prelude's JavaScript is kept as JavaScript is written, not wrapped)
"""The rules' formulas in JavaScript: the float functions as a prelude, and expressions translated.

``engine.compile(..., language="javascript")`` writes the same step as the Python compiler, line
for line, from the same rule formulas; this module says how each piece reads in JavaScript.

``FUNCTIONS`` is the one table: for every name of ``engine.rules.FLOAT_NAMES`` the JavaScript
that stands for it, and the definition (if any) that goes into ``PRELUDE``. Each function keeps the
semantics of its Python twin in ``engine.floats``: the same float operations in the same order,
and an error thrown exactly where Python raises one (a JavaScript Error whose ``name`` is the
Python exception's class, e.g. "ZeroDivisionError"). JavaScript's ``+ - * /`` are IEEE 754
double operations like Python's, so graphs of them agree bit for bit; Math.exp, Math.log,
Math.tanh and Math.pow may differ from C's libm in the last bit.

To add a float function: one entry in ``FUNCTIONS`` (a test fails while a name of FLOAT_NAMES has
none).
"""

from __future__ import annotations

import ast
import math
import re

__all__ = ["FUNCTIONS", "PRELUDE", "PRELUDE_NAMES", "RESERVED", "comment", "expression", "factor",
           "literal"]  # fmt: skip

# Shared helpers of the prelude's functions (not names a formula may use).
_SUPPORT = r"""
function floatError(kind, message) { const e = new Error(message); e.name = kind; return e; }
function floatName(x) {  // a number as an error message names it (close to Python's repr)
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Object.is(x, -0)) return "-0.0";
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}
// Python's float ** and C99's pow: 1 ** p is 1 (also for a NaN p), and so is (-1) ** ±inf;
// JavaScript's Math.pow gives NaN for these, and agrees with C99 everywhere else.
function cPow(a, p) {
  if (a === 1 || (a === -1 && (p === Infinity || p === -Infinity))) return 1;
  return Math.pow(a, p);
}
function checkPower(a, p) {  // floats.check_power
  if (a < 0 && Number.isFinite(p) && !Number.isInteger(p) && (a > -Infinity || p > 0 || p === -0.5)) {
    throw floatError("ValueError", "op '**': negative base " + floatName(a) + " to the non-integer power " + floatName(p));
  }
  if (a === 0 && p < 0) {
    throw floatError("ZeroDivisionError", "op '**': base " + floatName(a) + " is 0, raised to the power " + floatName(p));
  }
}
"""

# name in FLOAT_NAMES -> (its JavaScript, the prelude's definition of it or None)
FUNCTIONS: dict[str, tuple[str, str | None]] = {
    "div": ("div", "function div(x, y) { return x / y; }  // IEEE 754: x / 0 is ±inf or NaN"),
    "divide": (
        "divide",
        r"""function divide(a, b) {
  if (b === 0 && a === a) throw floatError("ZeroDivisionError", "op '/': division by zero: the divisor is " + floatName(b));
  return a / b;
}""",
    ),
    "exp": (
        "exp",
        r"""function exp(a) {
  const r = Math.exp(a);
  if (r === Infinity && a !== Infinity) throw floatError("OverflowError", "op 'exp': result too large for a float, from " + floatName(a));
  return r;
}""",
    ),
    "log": (
        "log",
        r"""function log(a) {
  if (a <= 0) throw floatError("ValueError", "op 'log': operand must be > 0, got " + floatName(a));
  return Math.log(a);
}""",
    ),
    "tanh": ("Math.tanh", None),
    "sigmoid": (
        "sigmoid",
        r"""function sigmoid(a) {
  if (a >= 0) return 1.0 / (1.0 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1.0 + e);
}""",
    ),
    "power": (
        "power",
        r"""function power(a, p) {
  checkPower(a, p);
  const r = cPow(a, p);
  if ((r === Infinity || r === -Infinity) && Number.isFinite(a) && Number.isFinite(p)) {
    throw floatError("OverflowError", "op '**': result too large for a float, from " + floatName(a) + " ** " + floatName(p));
  }
  return r;
}""",
    ),
    "sqrt": (
        "sqrt",
        r"""function sqrt(a) {
  checkPower(a, 0.5);
  return a === a ? Math.sqrt(a) : a;
}""",
    ),
    "pow_slope": (
        "pow_slope",
        r"""function pow_slope(a, p) {
  if (p === 0) return 0.0;
  return p * ieee_pow(a, p - 1.0);
}""",
    ),
    "exponent_slope": (
        "exponent_slope",
        r"""function exponent_slope(a, p, out) {
  if (a > 0) return out * Math.log(a);
  if (a === 0 && p >= 0) return 0.0;
  return NaN;
}""",
    ),
    "ieee_pow": ("ieee_pow", "function ieee_pow(a, p) { return cPow(a, p); }"),
    "sin": ("Math.sin", None),  # NaN at ±inf, as floats.sin
    "cos": ("Math.cos", None),
    "abs": ("Math.abs", None),
    "ieee_exp": ("Math.exp", None),  # inf where it overflows, never an error
    "log1p": (
        "log1p",
        r"""function log1p(a) {
  if (a <= -1) throw floatError("ValueError", "op 'log1p': operand must be > -1, got " + floatName(a));
  return Math.log1p(a);
}""",
    ),
    "expm1": (
        "expm1",
        r"""function expm1(a) {
  const r = Math.expm1(a);
  if (r === Infinity && a !== Infinity) throw floatError("OverflowError", "op 'expm1': result too large for a float, from " + floatName(a));
  return r;
}""",
    ),
    # JavaScript has no erf: the series erf(x) = 2/sqrt(pi) e^(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)),
    # whose terms are all positive (no cancellation); |x| >= 6 is ±1 to the last bit.
    "erf": (
        "erf",
        r"""function erf(a) {
  if (a !== a) return NaN;
  const x = Math.abs(a);
  if (x >= 6) return a > 0 ? 1 : -1;
  const y = 2 * x * x;
  let term = x, sum = x;
  for (let n = 1; term > sum * 1e-17; n++) { term *= y / (2 * n + 1); sum += term; }
  const r = 1.1283791670955126 * Math.exp(-x * x) * sum;
  return a < 0 ? -r : (a === 0 ? a : r);
}""",
    ),
    "inf": ("Infinity", None),
    "nan": ("NaN", None),
}

# Words a JavaScript name cannot be, and the prelude's own names: a step may not take them.
# fmt: off
RESERVED = frozenset([
    "arguments", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
    "default", "delete", "do", "else", "enum", "eval", "export", "extends", "false", "finally",
    "for", "function", "if", "implements", "import", "in", "instanceof", "interface", "let",
    "new", "null", "package", "private", "protected", "public", "return", "static", "super",
    "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
    "Infinity", "NaN", "Math", "undefined",
])
# fmt: on

# The float functions, once: put it before the step functions (or in the same function scope).
PRELUDE = (
    "// chainrule's float functions (engine/floats.py), in JavaScript\n"
    + _SUPPORT.strip()
    + "\n"
    + "\n".join(code for _, code in FUNCTIONS.values() if code)
    + "\n"
)
PRELUDE_NAMES = frozenset(re.findall(r"^function (\w+)\(", PRELUDE, re.M))


def literal(x: object) -> str:
    """A Python constant as JavaScript: floats exact on reading back (repr round-trips)."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):  # as Python's arithmetic on floats takes it
        x = float(x)
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "(-Infinity)"
        if math.copysign(1.0, x) < 0.0:
            return f"(-{-x!r})"
        return repr(x)
    raise ValueError(f"JavaScript: no translation for the constant {x!r}")


def comment(label: str | None) -> str:
    """A label as a line comment that can end neither the line nor an HTML script holding it."""
    if label is None:
        return ""
    text = "".join(ch if ch.isprintable() and ch != "<" else "?" for ch in label)
    return "  // " + text


# JavaScript precedence, higher binds tighter.
_CONDITIONAL, _OR, _AND, _EQUALITY, _RELATIONAL, _ADDITIVE, _MULTIPLICATIVE, _UNARY, _CALL = (
    2, 3, 4, 8, 9, 11, 12, 14, 17,
)  # fmt: skip
_BINARY = {ast.Add: ("+", _ADDITIVE), ast.Sub: ("-", _ADDITIVE), ast.Mult: ("*", _MULTIPLICATIVE),
           ast.Div: ("/", _MULTIPLICATIVE)}  # fmt: skip
_COMPARE = {ast.Lt: ("<", _RELATIONAL), ast.LtE: ("<=", _RELATIONAL), ast.Gt: (">", _RELATIONAL),
            ast.GtE: (">=", _RELATIONAL), ast.Eq: ("===", _EQUALITY),
            ast.NotEq: ("!==", _EQUALITY)}  # fmt: skip


def expression(tree: ast.expr) -> str:
    """A formula's syntax tree (a rule's, with the node's operands put in) as JavaScript.

    Python's operators keep their meaning on floats: ``+ - * /`` (a rule divides by a Value only
    through div or divide: Python's ``/`` raises for 0 where JavaScript's gives ±inf or NaN),
    ``a ** b`` as power(a, b), chained comparisons as ``&&``, ``x if c else y`` as ``(c ? x : y)``;
    names of FLOAT_NAMES through ``FUNCTIONS``. ValueError for anything else.
    """
    return _js(tree, 0)


def factor(tree: ast.expr) -> str:
    """A formula as the left operand of ``*``: in parentheses only where JavaScript needs them."""
    return _js(tree, _MULTIPLICATIVE)


def _js(node: ast.expr, outer: int) -> str:
    text, own = _write(node)
    return f"({text})" if own < outer else text


def _write(node: ast.expr) -> tuple[str, int]:
    """(JavaScript text, its precedence)."""
    if isinstance(node, ast.Constant):
        text = literal(node.value)
        return text, (_CALL if text[0] != "(" else _CALL + 1)
    if isinstance(node, ast.Name):
        return (FUNCTIONS[node.id][0] if node.id in FUNCTIONS else node.id), _CALL + 1
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        # a left-nested sum term by term, without recursion: an n-ary node's sum of thousands of
        # terms is as deep as it is long; a + b + c reads as (a + b) + c in JavaScript too
        terms = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            terms.append(node.right)
            node = node.left
        first = _js(node, _ADDITIVE)
        return " + ".join([first, *(_js(t, _ADDITIVE + 1) for t in reversed(terms))]), _ADDITIVE
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op, own = _BINARY[type(node.op)]
        return f"{_js(node.left, own)} {op} {_js(node.right, own + 1)}", own
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return f"{FUNCTIONS['power'][0]}({_js(node.left, 0)}, {_js(node.right, 0)})", _CALL
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return "!" + _js(node.operand, _UNARY), _UNARY
        sign = {ast.USub: "-", ast.UAdd: "+"}.get(type(node.op))
        if sign is not None:
            inner = _js(node.operand, _UNARY)
            if inner[0] in "+-":  # never '--x' (a decrement) or '+ +x'
                inner = f"({inner})"
            return sign + inner, _UNARY
    if isinstance(node, ast.BoolOp):
        op, own = ("&&", _AND) if isinstance(node.op, ast.And) else ("||", _OR)
        return f" {op} ".join(_js(v, own + 1) for v in node.values), own
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        terms = [node.left, *node.comparators]
        pairs = []
        for left, comparison, right in zip(terms, node.ops, terms[1:]):
            symbol, own = _COMPARE[type(comparison)]
            pairs.append((f"{_js(left, _ADDITIVE)} {symbol} {_js(right, _ADDITIVE)}", own))
        if len(pairs) == 1:
            return pairs[0]
        return "(" + " && ".join(text for text, _ in pairs) + ")", _CALL + 1
    if isinstance(node, ast.IfExp):
        test, body, orelse = (_js(n, _OR) for n in (node.test, node.body, node.orelse))
        return f"({test} ? {body} : {orelse})", _CALL + 1
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        if node.func.id not in FUNCTIONS:
            raise ValueError(
                f"JavaScript: the function {node.func.id!r} has no JavaScript counterpart; add it "
                f"to engine.js.FUNCTIONS"
            )
        args = ", ".join(_js(a, _CONDITIONAL) for a in node.args)
        return f"{FUNCTIONS[node.func.id][0]}({args})", _CALL
    raise ValueError(f"JavaScript: no translation for {ast.unparse(node)!r}")

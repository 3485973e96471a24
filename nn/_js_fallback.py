"""STOPGAP, to be replaced by ``engine.compile(..., language="javascript")``: a compiled step's
Python source, translated statement by statement into JavaScript.

The training page needs its step as JavaScript. Until the engine writes JavaScript from the op
rules itself, this module takes the Python that ``engine.compile`` wrote (from those same rules)
and rewrites each line: the same operations in the same order, float64 throughout. Only the
float functions of ``engine.rules.FLOAT_NAMES`` are restated below, without the domain errors
(the page works with IEEE results; a loss clips before its log). The result defines
``function step(values)`` returning ``{outputs: [...], grads: [...]}``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence

import engine
from engine import Value

PRELUDE = """\
const div = (x, y) => x / y, divide = div, exp = Math.exp, log = Math.log, tanh = Math.tanh;
const sqrt = Math.sqrt, power = Math.pow;
const sigmoid = (a) => {
  if (a >= 0.0) return 1.0 / (1.0 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1.0 + e);
};
const pow_slope = (a, p) => (p === 0.0 ? 0.0 : p * Math.pow(a, p - 1.0));
const exponent_slope = (a, p, out) =>
  a > 0.0 ? out * Math.log(a) : a === 0.0 && p >= 0.0 ? 0.0 : NaN;
"""

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "===", ast.NotEq: "!=="}


def _number(x: float) -> str:
    if isinstance(x, int):  # an index
        return str(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return repr(float(x))


def _expr(e: ast.expr) -> str:
    if isinstance(e, ast.Constant):
        return _number(e.value)
    if isinstance(e, ast.Name):
        return {"inf": "Infinity", "nan": "NaN"}.get(e.id, e.id)
    if isinstance(e, ast.Subscript):
        return f"{_expr(e.value)}[{_expr(e.slice)}]"
    if isinstance(e, ast.BinOp):
        return f"({_expr(e.left)} {_BINARY[type(e.op)]} {_expr(e.right)})"
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
        return f"(-{_expr(e.operand)})"
    if isinstance(e, ast.IfExp):
        return f"({_expr(e.test)} ? {_expr(e.body)} : {_expr(e.orelse)})"
    if isinstance(e, ast.Compare):
        terms, left = [], e.left
        for op, right in zip(e.ops, e.comparators):
            terms.append(f"{_expr(left)} {_COMPARE[type(op)]} {_expr(right)}")
            left = right
        return "(" + " && ".join(terms) + ")"
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name):
        return f"{e.func.id}({', '.join(_expr(a) for a in e.args)})"
    raise ValueError(f"no JavaScript for {ast.unparse(e)!r}")


def translate(python_source: str) -> str:
    """The JavaScript of a compiled step's Python source (see module docstring)."""
    function = ast.parse(python_source).body[0]
    assert isinstance(function, ast.FunctionDef)
    argument = function.args.args[0].arg
    lines = [PRELUDE, "function step(values) {", f"  const {argument} = values;"]
    declared: set[str] = set()
    for statement in function.body:
        if isinstance(statement, ast.Expr):  # the docstring
            continue
        if isinstance(statement, ast.Assign):
            names = [t.id for t in statement.targets]  # type: ignore[attr-defined]
            value = _expr(statement.value)
            if len(names) == 1 and names[0] not in declared:
                lines.append(f"  let {names[0]} = {value};")
            elif not declared.intersection(names) and isinstance(statement.value, ast.Constant):
                lines.append("  let " + ", ".join(f"{n} = {value}" for n in names) + ";")
            else:
                lines.append(f"  {' = '.join(names)} = {value};")
            declared.update(names)
        elif isinstance(statement, ast.AugAssign):
            op = _BINARY[type(statement.op)]
            target = statement.target.id  # type: ignore[attr-defined]
            lines.append(f"  {target} {op}= {_expr(statement.value)};")
        elif isinstance(statement, ast.Return):
            outs, grads = statement.value.elts  # type: ignore[union-attr]
            o = ", ".join(_expr(v) for v in outs.elts)  # type: ignore[attr-defined]
            g = ", ".join(_expr(v) for v in grads.elts)  # type: ignore[attr-defined]
            lines.append(f"  return {{outputs: [{o}], grads: [{g}]}};")
        else:
            raise ValueError(f"no JavaScript for {ast.unparse(statement)!r}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def compile_javascript(
    outputs: Sequence[Value], inputs: Sequence[Value], wrt: Sequence[Value]
) -> str:
    """The source of ``function step(values)`` for the graph of ``outputs``."""
    return translate(engine.compile(list(outputs), list(inputs), wrt=list(wrt)).source)

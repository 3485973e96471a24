"""Compile a recorded graph to straight-line Python: one line per node forward, one per edge back.

A training step builds a graph of the same shape every time; only the numbers change.
``compile(outputs, inputs)`` takes a graph already built and writes it out as the source of one
Python function that, given new values for ``inputs``, recomputes every node and runs the backward
pass without building any Value: no graph, no topological sort, no garbage.

The emitted code does the same floating-point operations in the same order as the interpreter
(``engine.graph.backward``: nodes in reversed ``topo_order`` of the first output, each adding
``local * grad`` into each parent in operand order, every gradient starting from 0.0), so its
results are bit-identical to rebuilding the graph at the new inputs and calling ``backward()``.
Piecewise ops (relu, clip) branch on the new values. A Python ``if`` on a value while the graph
was built is NOT seen: the graph holds the branch that was taken, and so does the compiled code.

Every op's forward and local-derivative rules as source text live in ``EMITTERS`` below, one entry
per op of ``engine.value``; a test checks that every op the engine can make has one.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.errors import describe
from engine.graph import topo_order
from engine.value import (
    Value,
    _check_power,
    _div,
    _exponent_slope,
    _slope,
    sigmoid,
)

__all__ = ["CompiledStep", "StepResult", "compile", "EMITTERS", "op_kind"]


# ---- helpers the emitted code calls: the ops' own float rules and checks ----------------------
#
# Where an op's float rule is more than one Python operator (IEEE division by zero, the power
# rules, the domain checks), the emitted code calls the very functions engine.value uses, so each
# rule stays in one place.


def _divide(a: float, b: float) -> float:
    """a / b as Value.__truediv__ has it: ZeroDivisionError for a zero divisor unless a is NaN."""
    if b == 0.0 and a == a:
        raise ZeroDivisionError(f"op '/': division by zero: {a!r} / {b!r}")
    return _div(a, b)


def _log(a: float) -> float:
    if a <= 0.0:
        raise ValueError(f"op 'log': operand must be > 0, got {a!r}")
    return math.log(a)


def _power(a: float, p: float) -> float:
    """a ** p with the checks of Value.__pow__ / __rpow__ (domain errors, finite overflow)."""
    _check_power(a, a, p)
    try:
        return a**p
    except OverflowError:
        raise OverflowError(f"op '**': result too large for a float, from {a!r} ** {p!r}") from None


def _sqrt(a: float) -> float:
    """a ** 0.5 as Value.__pow__ computes it (as PyTorch does): sqrt, so sqrt(-0.0) is -0.0."""
    _check_power(a, a, 0.5)
    return math.sqrt(a) if a == a else a


# The names the emitted code may use besides its own variables.
NAMESPACE: dict[str, object] = {
    "exp": math.exp,
    "tanh": math.tanh,
    "log": _log,
    "sigmoid": sigmoid,
    "div": _div,
    "divide": _divide,
    "power": _power,
    "sqrt": _sqrt,
    "slope": _slope,
    "exponent_slope": _exponent_slope,
    "inf": math.inf,
    "nan": math.nan,
}


def literal(x: float | int) -> str:
    """Python source for a number, exact on reading back (repr round-trips every float)."""
    if isinstance(x, int) and not isinstance(x, bool):
        return repr(x) if x >= 0 else f"({x!r})"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "(-inf)"
    text = repr(x)
    return f"({text})" if text.startswith("-") else text


# ---- the emitters: per op, its forward rule and its local derivatives as source -----------------
#
# An emitter gets the node, the source for each parent's value (a variable name or a literal) and
# the node's own variable name; it returns the forward expression and one local-derivative
# expression per parent. Each mirrors the op's method in engine.value expression for expression:
# the same operations on the same operands, so the same bits.

Emitted = tuple[str, list[str]]


def _left(node: Value) -> float | None:
    """The constant of an op written c op x (stored as (c,)), else None."""
    return node.const[0] if isinstance(node.const, tuple) else None


def _add(node: Value, p: list[str], out: str) -> Emitted:
    if len(p) == 2:
        return f"{p[0]} + {p[1]}", ["1.0", "1.0"]
    c = _left(node)
    if c is not None:
        return f"{literal(c)} + {p[0]}", ["1.0"]
    return f"{p[0]} + {literal(node.const)}", ["1.0"]


def _sub(node: Value, p: list[str], out: str) -> Emitted:
    if len(p) == 2:
        return f"{p[0]} - {p[1]}", ["1.0", "-1.0"]
    c = _left(node)
    if c is not None:
        return f"{literal(c)} - {p[0]}", ["-1.0"]
    return f"{p[0]} - {literal(node.const)}", ["1.0"]


def _mul(node: Value, p: list[str], out: str) -> Emitted:
    if len(p) == 2:
        return f"{p[0]} * {p[1]}", [p[1], p[0]]
    c = _left(node)
    if c is not None:
        return f"{literal(c)} * {p[0]}", [literal(c)]
    return f"{p[0]} * {literal(node.const)}", [literal(node.const)]


def _divide_op(node: Value, p: list[str], out: str) -> Emitted:
    if len(p) == 2:
        a, b = p
        return f"divide({a}, {b})", [f"div(1.0, {b})", f"-div({out}, {b})"]
    c = _left(node)
    if c is not None:  # c / x
        return f"divide({literal(c)}, {p[0]})", [f"-div({out}, {p[0]})"]
    c = node.const
    forward = f"{p[0]} / {literal(c)}" if c != 0.0 else f"divide({p[0]}, {literal(c)})"
    return forward, [literal(_div(1.0, c))]


def _pow(node: Value, p: list[str], out: str) -> Emitted:
    if len(p) == 2:  # Value ** Value
        a, e = p
        return f"power({a}, {e})", [f"slope({a}, {e})", f"exponent_slope({a}, {e}, {out})"]
    c = literal(_left(node))  # c ** x
    return f"power({c}, {p[0]})", [f"exponent_slope({c}, {p[0]}, {out})"]


def _pow_p(node: Value, p: list[str], out: str) -> Emitted:
    a, k = p[0], node.const
    if k == 0.5:
        return f"sqrt({a})", [f"div(0.5, {out})"]
    forward = f"power({a}, {literal(k)})"
    if k == 0.0:
        return forward, ["0.0"]
    if k in (1.0, 2.0):  # a ** 0 or a ** 1 cannot overflow or divide by zero: plain Python
        return forward, [f"{literal(k)} * {a} ** {literal(k - 1.0)}"]
    return forward, [f"slope({a}, {literal(k)})"]


def _neg(node: Value, p: list[str], out: str) -> Emitted:
    return f"-{p[0]}", ["-1.0"]


def _exp(node: Value, p: list[str], out: str) -> Emitted:
    return f"exp({p[0]})", [out]


def _ln(node: Value, p: list[str], out: str) -> Emitted:
    return f"log({p[0]})", [f"1.0 / {p[0]}"]  # the operand is > 0 or NaN, never 0


def _tanh(node: Value, p: list[str], out: str) -> Emitted:
    return f"tanh({p[0]})", [f"1.0 - {out} * {out}"]


def _sigmoid(node: Value, p: list[str], out: str) -> Emitted:
    return f"sigmoid({p[0]})", [f"{out} * (1.0 - {out})"]


def _relu(node: Value, p: list[str], out: str) -> Emitted:
    a = p[0]
    # As Value.relu: NaN passes with slope 1, -0.0 stays -0.0, the slope at 0 is 0.
    return f"0.0 if {a} < 0.0 else {a}", [f"0.0 if {a} <= 0.0 else 1.0"]


def _clip(node: Value, p: list[str], out: str) -> Emitted:
    a, (low, high) = p[0], node.const
    lo, hi = literal(low), literal(high)
    forward = (
        f"{literal(float(low))} if {a} < {lo} else {literal(float(high))} if {a} > {hi} else {a}"
    )
    return forward, [f"1.0 if {lo} <= {a} <= {hi} else 0.0"]  # NaN passes, with slope 0


def _linear(node: Value, p: list[str], out: str) -> Emitted:
    start, terms = node.const
    factors = node.local_grads
    i = 0
    if start is None:  # a Value bias, the first parent
        text, locals_ = p[0], ["1.0"]
        i = 1
    else:
        text, locals_ = literal(start), []
    kinds = [terms] * ((len(p) - i) // terms) if isinstance(terms, int) else terms
    for kind in kinds:
        if kind == 2 and not isinstance(kind, float):  # w * x, both Values
            text += f" + {p[i]} * {p[i + 1]}"
            locals_ += [p[i + 1], p[i]]
            i += 2
        elif kind == 1 and not isinstance(kind, float):  # one Value; its factor is the constant
            c = literal(factors[i])
            text += f" + {p[i]} * {c}"
            locals_.append(c)
            i += 1
        else:  # a product of two constants
            text += f" + {literal(kind)}"
    return text, locals_


def _sum(node: Value, p: list[str], out: str) -> Emitted:
    constants = dict.fromkeys(range(len(p) + 1), ())
    for position, c in node.const or ():
        constants[position] = (*constants[position], c)
    text = "0.0"
    for i in range(len(p) + 1):
        for c in constants[i]:
            text += f" + {literal(c)}"
        if i < len(p):
            text += f" + {p[i]}"
    return text, ["1.0"] * len(p)


Emitter = Callable[[Value, list[str], str], Emitted]

EMITTERS: dict[str, Emitter] = {
    "+": _add,
    "-": _sub,
    "*": _mul,
    "/": _divide_op,
    "**": _pow,
    "**p": _pow_p,
    "neg": _neg,
    "exp": _exp,
    "log": _ln,
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "relu": _relu,
    "clip": _clip,
    "linear": _linear,
    "sum": _sum,
}


def op_kind(op: str) -> str:
    """The EMITTERS key for a node's op: '**p' for every constant power ('**2', '**0.5', ...)."""
    return "**p" if op.startswith("**") and len(op) > 2 else op


# ---- the compiled step ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one compiled step returns: the outputs' values and d outputs[0] / d each input."""

    outputs: list[float]
    grads: list[float]


class CompiledStep:
    """A graph compiled to Python: call it with new input values; read ``source`` to see how."""

    def __init__(self, source: str, function: Callable, n_inputs: int) -> None:
        self.source = source
        self.function = function  # the raw function: (values) -> (outputs, grads), no checks
        self.n_inputs = n_inputs

    def __call__(self, values: Sequence[float]) -> StepResult:
        if len(values) != self.n_inputs:
            raise ValueError(
                f"compiled step: values must hold {self.n_inputs} numbers, one per input, "
                f"got {len(values)}"
            )
        outputs, grads = self.function(values)
        return StepResult(list(outputs), list(grads))

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<CompiledStep: {self.n_inputs} inputs, {lines} lines of source>"


def compile(  # noqa: A001 - the issue names it engine.compile
    outputs: Value | Sequence[Value],
    inputs: Sequence[Value],
    *,
    wrt: Sequence[Value] | None = None,
    name: str = "step",
) -> CompiledStep:
    """Compile the graph of ``outputs`` into a function of ``inputs`` (leaf Values of that graph).

    The step returns the outputs' values and the gradient of outputs[0] with respect to each
    input (or to each Value of ``wrt``, a subset of inputs, when given); every other leaf is a
    constant, baked into the source as a literal. ValueError when an input is not a leaf of the
    graph, appears twice, or an output does not depend on any input.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"compile: name must be a Python identifier, got {name!r}")
    outs = _as_values(outputs, "outputs", allow_single=True)
    ins = _as_values(inputs, "inputs")
    if not outs:
        raise ValueError("compile: outputs is empty; give at least one Value")
    targets = ins if wrt is None else _as_values(wrt, "wrt")
    index = {}
    for i, v in enumerate(ins):
        if v.parents:
            raise ValueError(
                f"compile: inputs[{i}] ({describe(v)}) is not a leaf: it was computed by op "
                f"{v.op!r}; give the leaves the graph starts from"
            )
        if v in index:
            raise ValueError(f"compile: inputs[{i}] ({describe(v)}) appears twice in inputs")
        index[v] = i
    for j, v in enumerate(targets):
        if v not in index:
            raise ValueError(f"compile: wrt[{j}] ({describe(v)}) is not one of the inputs")
    root_order = topo_order(outs[0])
    order = list(root_order)
    seen = set(order)
    for out in outs[1:]:
        for node in topo_order(out):
            if node not in seen:
                seen.add(node)
                order.append(node)
    for i, v in enumerate(ins):
        if v not in seen:
            raise ValueError(f"compile: inputs[{i}] ({describe(v)}) is not in the outputs' graph")
    # Nodes that depend on an input are computed; every other node is a constant of this graph.
    live: set[Value] = set(ins)
    for node in order:
        if node not in live and any(p in live for p in node.parents):
            live.add(node)
    for j, out in enumerate(outs):
        if out not in live:
            raise ValueError(
                f"compile: outputs[{j}] ({describe(out)}) does not depend on any input, so there "
                f"is nothing to compute"
            )
    source = _emit(name, outs, ins, targets, order, root_order, live)
    namespace = dict(NAMESPACE)
    exec(builtins.compile(source, f"<engine.compile {name}>", "exec"), namespace)
    return CompiledStep(source, namespace[name], len(ins))


def _as_values(xs: object, what: str, allow_single: bool = False) -> list[Value]:
    if allow_single and isinstance(xs, Value):
        return [xs]
    if isinstance(xs, str | bytes) or not isinstance(xs, Sequence):
        expected = "a Value or a list of Values" if allow_single else "a list of Values"
        raise TypeError(f"compile: {what} must be {expected}, got {type(xs).__name__}")
    for i, v in enumerate(xs):
        if not isinstance(v, Value):
            raise TypeError(f"compile: {what}[{i}] must be a Value, got {type(v).__name__}")
    return list(xs)


def _comment(node: Value) -> str:
    """The node's label as a comment; characters that could end the comment line are replaced,
    so a label can never become code."""
    if node.label is None:
        return ""
    return "  # " + "".join(ch if ch.isprintable() else "?" for ch in node.label)


def _emit(
    name: str,
    outs: list[Value],
    ins: list[Value],
    targets: list[Value],
    order: list[Value],
    root_order: list[Value],
    live: set[Value],
) -> str:
    names: dict[Value, str] = {}
    number = 0
    for v in ins:
        names[v] = f"v{number}"
        number += 1
    lines = [
        f"def {name}(x):",
        f'    """{len(ins)} inputs -> {len(outs)} output(s): forward one line per node, then'
        ' backward one line per edge."""',
    ]
    for i, v in enumerate(ins):
        lines.append(f"    {names[v]} = x[{i}]{_comment(v)}")
    local_src: dict[Value, list[str]] = {}
    for node in order:
        if node in names:
            continue
        if node not in live:
            names[node] = literal(node.data)
            continue
        names[node] = out = f"v{number}"
        number += 1
        emitter = EMITTERS.get(op_kind(node.op))
        if emitter is None:
            raise ValueError(f"compile: no rule to compile op {node.op!r} of {describe(node)}")
        forward, local_src[node] = emitter(node, [names[p] for p in node.parents], out)
        lines.append(f"    {out} = {forward}{_comment(node)}")
    # Backward: which nodes need a gradient (they lie on a path from a target to outputs[0]).
    wanted = set(targets)
    needs: set[Value] = set()
    for node in root_order:
        if node in wanted or any(p in needs for p in node.parents):
            needs.add(node)
    root = outs[0]
    grads: dict[Value, str] = {}
    if root in needs:
        grads[root] = "g" + names[root][1:]
        body: list[str] = [f"    {grads[root]} = 1.0{_comment(root)}"]
        zero: list[str] = []
        for node in reversed(root_order):
            if node not in grads or not node.parents:
                continue
            g = grads[node]
            for parent, local in zip(node.parents, local_src[node]):
                if parent not in needs:
                    continue
                if parent not in grads:
                    grads[parent] = "g" + names[parent][1:]
                    zero.append(grads[parent])
                pg = grads[parent]
                if local == "1.0":
                    body.append(f"    {pg} += {g}")
                elif local == "-1.0":
                    body.append(f"    {pg} -= {g}")
                elif _simple(local):
                    body.append(f"    {pg} += {local} * {g}")
                else:
                    body.append(f"    {pg} += ({local}) * {g}")
        lines.append("    # backward: d outputs[0] / d node, every gradient starting from 0.0")
        for k in range(0, len(zero), 12):
            lines.append("    " + " = ".join(zero[k : k + 12]) + " = 0.0")
        lines += body
    output_list = ", ".join(names[o] for o in outs)
    grad_list = ", ".join(grads.get(v, "0.0") for v in targets)
    lines.append(f"    return ({output_list},), ({grad_list}{',' if targets else ''})")
    return "\n".join(lines) + "\n"


def _simple(expr: str) -> bool:
    """A name or a literal: needs no parentheses in ``expr * g``."""
    return (
        expr.isidentifier()
        or expr.replace(".", "", 1).replace("e-", "", 1).isdigit()
        or (expr.startswith("(") and expr.endswith(")") and expr.count("(") == 1)
    )

"""Compile a recorded graph to straight-line code: one line per node forward, one per edge back.

A training step builds a graph of the same shape every time; only the numbers change.
``compile(outputs, inputs)`` takes a graph already built and writes it out as the source of one
function that, given new values for ``inputs``, recomputes every node and runs the backward pass
without building any Value: no graph, no topological sort, no garbage.

Each node's line is made from its op's rule in ``engine.rules``: the rule's formula with the node's
operands put in, so the compiler restates no op. The emitted code does the same floating-point
operations in the same order as the interpreter (``engine.graph.backward``: nodes in reversed
``topo_order`` of the first output, each adding ``local * grad`` into each parent in operand order,
every gradient starting from 0.0), so its results are bit-identical to rebuilding the graph at the
new inputs and calling ``backward()``. Piecewise ops (relu, clip) branch on the new values. A
Python ``if`` on a value while the graph was built is NOT seen: the graph holds the branch that was
taken, and so does the compiled code.
"""

from __future__ import annotations

import ast
import builtins
import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.errors import describe
from engine.graph import topo_order
from engine.rules import FLOAT_NAMES, SumRule, parse, rule_for
from engine.value import Value

__all__ = ["CompiledStep", "StepResult", "compile", "node_formulas", "literal"]


def literal(x: float | int) -> str:
    """Python source for a number, exact on reading back (repr round-trips every float)."""
    return ast.unparse(number(float(x)))


def number(x: float) -> ast.expr:
    """A float as an expression: negative numbers (and -0.0) as a negation, so they never bind
    wrongly (-2.0 ** x), inf and nan by name."""
    if math.isnan(x):
        return ast.Name("nan", ast.Load())
    if math.copysign(1.0, x) < 0.0:
        return ast.UnaryOp(ast.USub(), number(-x))
    if math.isinf(x):
        return ast.Name("inf", ast.Load())
    return ast.Constant(x)


# ---- each node's formulas, from its rule -------------------------------------------------------


def node_formulas(
    node: Value, sources: Sequence[ast.expr], out: ast.expr
) -> tuple[ast.expr, list[ast.expr]]:
    """The node's forward expression and one local-derivative expression per parent, made from its
    op's rule with ``sources`` (one expression per parent) and its plain-number arguments put in.

    Sub-expressions that depend on no parent are worked out now (a test such as ``k == 0.5``, a
    derivative such as ``div(1.0, 3.0)``), with the same float functions the interpreter calls.
    """
    rule = rule_for(node.op)
    if isinstance(rule, SumRule):
        return _sum_formulas(rule, node, list(sources))
    const = node.const if isinstance(node.const, dict) else {}
    names: dict[str, ast.expr] = {}
    given = iter(sources)
    for operand in rule.operands:
        names[operand] = number(const[operand]) if operand in const else next(given)
    for param in rule.params:
        names[param] = number(const[param])
    forward = _fold(_substitute(parse(rule.forward), names))
    names["out"] = out
    grads = [
        _fold(_substitute(parse(g), names))
        for operand, g in zip(rule.operands, rule.grads)
        if operand not in const
    ]
    return forward, grads


def _sum_formulas(
    rule: SumRule, node: Value, sources: list[ast.expr]
) -> tuple[ast.expr, list[ast.expr]]:
    """An n-ary sum's forward expression and derivatives, term by term from its rule, following
    the layout in ``node.const`` (see ``engine.fused``)."""
    const = node.const if isinstance(node.const, dict) else {}
    factors = node.local_grads
    i = 0
    grads: list[ast.expr] = []
    if rule.start is not None and const.get("bias") is None:  # a Value start: the first parent
        total: ast.expr = sources[0]
        grads.append(number(1.0))
        i = 1
    elif rule.start is not None:
        total = number(const["bias"])
    else:
        total = number(0.0)
    if rule.start is not None:
        layout = const["values_per_term"]
        n_terms = (len(sources) - i) // layout if isinstance(layout, int) else len(layout)
        kinds = [layout] * n_terms if isinstance(layout, int) else list(layout)
        constants: dict[int, list[float]] = {}
    else:  # 'sum': every parent is a term; constant terms sit among them
        kinds = [1] * len(sources)
        constants = {}
        for position, c in const.get("constants", ()):
            constants.setdefault(position, []).append(c)
    for k, kind in enumerate([*kinds, None]):
        for c in constants.get(k, ()):
            total = ast.BinOp(total, ast.Add(), number(c))
        if kind is None:
            break
        if isinstance(kind, float):  # a term with no Value: its constant product
            total = ast.BinOp(total, ast.Add(), number(kind))
            continue
        if kind == 2:  # every operand of the term a Value
            term = dict(zip(rule.term, sources[i : i + 2]))
            grads += [_substitute(parse(g), term) for g in rule.term_grads]
        elif len(rule.term) == 1:  # a one-operand term ('sum')
            term = {rule.term[0]: sources[i]}
            grads.append(_substitute(parse(rule.term_grads[0]), term))
        else:  # one Value; its derivative, the other operand, is the recorded constant
            term = {rule.term[0]: sources[i], rule.term[1]: number(factors[i])}
            grads.append(_substitute(parse(rule.term_grads[0]), term))
        total = ast.BinOp(total, ast.Add(), _substitute(parse(rule.term_forward), term))
        i += int(kind)
    return total, grads


class _Put(ast.NodeTransformer):
    def __init__(self, names: dict[str, ast.expr]) -> None:
        self.names = names

    def visit_Name(self, name: ast.Name) -> ast.expr:
        return copy.deepcopy(self.names[name.id]) if name.id in self.names else name


def _substitute(expression: ast.expr, names: dict[str, ast.expr]) -> ast.expr:
    return _Put(names).visit(copy.deepcopy(expression))


def _is_constant(expression: ast.expr) -> bool:
    return all(not isinstance(n, ast.Name) or n.id in FLOAT_NAMES for n in ast.walk(expression))


def _evaluate(expression: ast.expr) -> object:
    tree = ast.fix_missing_locations(ast.Expression(copy.deepcopy(expression)))
    code = builtins.compile(tree, "<rule>", "eval")
    return eval(code, dict(FLOAT_NAMES))  # noqa: S307 - the table's own formulas


def _fold(expression: ast.expr) -> ast.expr:
    """Work out what depends on no variable: a conditional's test picks its branch, and a whole
    constant expression becomes its number (left as it is if working it out raises)."""
    if isinstance(expression, ast.IfExp) and _is_constant(expression.test):
        return _fold(expression.body if _evaluate(expression.test) else expression.orelse)
    if _is_constant(expression) and not isinstance(expression, ast.Constant | ast.UnaryOp):
        try:
            value = _evaluate(expression)
        except (ArithmeticError, ValueError):
            return expression
        if isinstance(value, float):
            return number(value)
    return expression


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
    namespace = dict(FLOAT_NAMES)
    exec(builtins.compile(source, f"<engine.compile {name}>", "exec"), namespace)
    function: Callable = namespace[name]  # type: ignore[assignment]
    return CompiledStep(source, function, len(ins))


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
    names: dict[Value, ast.expr] = {}
    for i, v in enumerate(ins):
        names[v] = ast.Name(f"v{i}", ast.Load())
    number_ = len(ins)
    lines = [
        f"def {name}(x):",
        f'    """{len(ins)} inputs -> {len(outs)} output(s): forward one line per node, then'
        ' backward one line per edge."""',
    ]
    for i, v in enumerate(ins):
        lines.append(f"    v{i} = x[{i}]{_comment(v)}")
    local_src: dict[Value, list[ast.expr]] = {}
    for node in order:
        if node in names:
            continue
        if node not in live:
            names[node] = number(node.data)
            continue
        out = f"v{number_}"
        number_ += 1
        try:
            forward, local_src[node] = node_formulas(
                node, [names[p] for p in node.parents], ast.Name(out, ast.Load())
            )
        except KeyError:
            raise ValueError(
                f"compile: no rule to compile op {node.op!r} of {describe(node)}"
            ) from None
        names[node] = ast.Name(out, ast.Load())
        lines.append(f"    {out} = {ast.unparse(forward)}{_comment(node)}")
    # Backward: which nodes need a gradient (they lie on a path from a target to outputs[0]).
    wanted = set(targets)
    needs: set[Value] = set()
    for node in root_order:
        if node in wanted or any(p in needs for p in node.parents):
            needs.add(node)
    root = outs[0]
    grads: dict[Value, str] = {}

    def grad_name(v: Value) -> str:
        return "g" + ast.unparse(names[v])[1:]

    if root in needs:
        grads[root] = grad_name(root)
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
                    grads[parent] = grad_name(parent)
                    zero.append(grads[parent])
                pg = grads[parent]
                text = ast.unparse(local)
                if text == "1.0":
                    body.append(f"    {pg} += {g}")
                elif text == "-1.0":
                    body.append(f"    {pg} -= {g}")
                elif isinstance(local, ast.Name | ast.Constant) or (
                    isinstance(local, ast.UnaryOp) and isinstance(local.operand, ast.Constant)
                ):
                    body.append(f"    {pg} += {text} * {g}")
                else:
                    body.append(f"    {pg} += ({text}) * {g}")
        lines.append("    # backward: d outputs[0] / d node, every gradient starting from 0.0")
        for k in range(0, len(zero), 12):
            lines.append("    " + " = ".join(zero[k : k + 12]) + " = 0.0")
        lines += body
    output_list = ", ".join(ast.unparse(names[o]) for o in outs)
    grad_list = ", ".join(grads.get(v, "0.0") for v in targets)
    lines.append(f"    return ({output_list},), ({grad_list}{',' if targets else ''})")
    return "\n".join(lines) + "\n"

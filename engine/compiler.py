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

``language="javascript"`` writes the same step in JavaScript (for a page): one walk over the graph
(``_plan``) makes the statements as syntax trees of the rules' formulas; ``_python`` and
``_javascript`` only spell them (``engine.js`` translates a formula and holds the float functions).
"""

from __future__ import annotations

import ast
import builtins
import copy
import keyword
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, overload

from engine.errors import describe
from engine.graph import extend_order, topo_order
from engine.rules import FLOAT_NAMES, SumRule, parse, rule_for
from engine.value import Value

__all__ = ["CompiledStep", "JavaScriptStep", "StepResult", "compile", "node_formulas", "literal"]


def literal(x: float | int) -> str:
    """Python source for a number, exact on reading back (repr round-trips every float)."""
    return ast.unparse(number(float(x)))


def sum_terms(expression: ast.expr) -> list[ast.expr]:
    """The terms of a left-nested sum ``t1 + t2 + ... + tn`` (an n-ary node's forward), found
    without recursion: a sum of thousands of terms is as deep as it is long, too deep for the
    recursive writers (ast.unparse). A single term for anything else."""
    terms: list[ast.expr] = []
    while isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Add):
        terms.append(expression.right)
        expression = expression.left
    terms.append(expression)
    terms.reverse()
    return terms


def python_lines(variable: str, expression: ast.expr, width: int = 200) -> list[str]:
    """Python statements setting ``variable`` to ``expression``; a long sum term by term (see
    ``sum_terms``), ``width`` terms a statement (Python's own compiler recurses on a long chain
    of +): the same left-to-right additions, since ``a + b + c`` reads as ``(a + b) + c``."""
    terms = sum_terms(expression)
    if len(terms) == 1:
        return [f"{variable} = {ast.unparse(expression)}"]
    # each term written as an operand of + (in parentheses where it needs them), "0.0 + " cut off
    texts = [ast.unparse(ast.BinOp(terms[0], ast.Add(), _ZERO))[: -len(" + 0.0")]]
    texts += [ast.unparse(ast.BinOp(_ZERO, ast.Add(), t))[len("0.0 + ") :] for t in terms[1:]]
    lines = [f"{variable} = " + " + ".join(texts[:width])]
    for k in range(width, len(texts), width):
        lines.append(f"{variable} = {variable} + " + " + ".join(texts[k : k + width]))
    return lines


_ZERO = ast.Constant(0.0)


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


def _substitute(expression: ast.expr, names: dict[str, ast.expr]) -> ast.expr:
    """The formula with each name of ``names`` replaced by its expression: new nodes along the
    formula, the given expressions shared, not copied (every writer only reads them; copying them
    was most of the time it took to compile a batch's step)."""
    if isinstance(expression, ast.Name):
        return names.get(expression.id, expression)
    if isinstance(expression, ast.Constant):
        return expression
    fields = {}
    for name, value in ast.iter_fields(expression):
        if isinstance(value, ast.expr):
            value = _substitute(value, names)
        elif isinstance(value, list):
            value = [_substitute(v, names) if isinstance(v, ast.expr) else v for v in value]
        fields[name] = value
    return type(expression)(**fields)


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

LANGUAGES = ("python", "javascript")


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one compiled step returns: the outputs' values and d outputs[0] / d each input.

    With ``all_nodes=True`` also every node's value, its gradient d outputs[0] / d node (0.0 for
    a node outputs[0] does not depend on) and its local derivatives (one per parent), in the order
    of the step's ``nodes``; None otherwise."""

    outputs: list[float]
    grads: list[float]
    values: list[float] | None = None
    node_grads: list[float] | None = None
    local_grads: list[list[float]] | None = None


class CompiledStep:
    """A graph compiled to Python: call it with new input values; read ``source`` to see how."""

    def __init__(
        self, source: str, function: Callable, n_inputs: int, nodes: Sequence[Value] = ()
    ) -> None:
        self.source = source
        self.function = function  # the raw function: (values) -> (outputs, grads), no checks
        self.n_inputs = n_inputs
        self.nodes = tuple(nodes)  # all_nodes: the graph's nodes, in the order of the results

    def __call__(self, values: Sequence[float]) -> StepResult:
        if len(values) != self.n_inputs:
            raise ValueError(
                f"compiled step: values must hold {self.n_inputs} numbers, one per input, "
                f"got {len(values)}"
            )
        if not self.nodes:
            outputs, grads = self.function(values)
            return StepResult(list(outputs), list(grads))
        outputs, grads, data, node_grads, local = self.function(values)
        return StepResult(
            list(outputs), list(grads), list(data), list(node_grads), [list(d) for d in local]
        )

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<CompiledStep: {self.n_inputs} inputs, {lines} lines of source>"


@dataclass(frozen=True)
class JavaScriptStep:
    """A graph compiled to JavaScript, to run in a page (or node).

    ``source`` runs as it is: the float functions (``engine.js.PRELUDE``), then ``function
    step(values)`` (named by compile's ``name``) returning ``{outputs: [...], grads: [...]}``, and
    with ``all_nodes=True`` also ``values``, ``node_grads`` and ``local_grads`` (as StepResult).
    The functions are plain declarations: put the source in a function scope of its own to keep
    them out of a page's global names. ``function`` is the step function alone, for a script that
    holds the prelude once for several steps. Errors are thrown where Python raises them, as
    JavaScript Errors whose ``name`` is the Python exception's class."""

    source: str
    function: str
    n_inputs: int
    nodes: tuple[Value, ...] = ()

    def __repr__(self) -> str:
        lines = self.function.count("\n")
        return f"<JavaScriptStep: {self.n_inputs} inputs, {lines} lines of source>"


@overload
def compile(  # noqa: A001
    outputs: Value | Sequence[Value],
    inputs: Sequence[Value],
    *,
    wrt: Sequence[Value] | None = None,
    name: str = "step",
    language: Literal["python"] = "python",
    all_nodes: bool = False,
) -> CompiledStep: ...


@overload
def compile(  # noqa: A001
    outputs: Value | Sequence[Value],
    inputs: Sequence[Value],
    *,
    wrt: Sequence[Value] | None = None,
    name: str = "step",
    language: Literal["javascript"],
    all_nodes: bool = False,
) -> JavaScriptStep: ...


def compile(  # noqa: A001 - the issue names it engine.compile
    outputs: Value | Sequence[Value],
    inputs: Sequence[Value],
    *,
    wrt: Sequence[Value] | None = None,
    name: str = "step",
    language: str = "python",
    all_nodes: bool = False,
) -> CompiledStep | JavaScriptStep:
    """Compile the graph of ``outputs`` into a function of ``inputs`` (leaf Values of that graph).

    The step returns the outputs' values and the gradient of outputs[0] with respect to each
    input (or to each Value of ``wrt``, a subset of inputs, when given); every other leaf is a
    constant, baked into the source as a literal. ``language="javascript"`` writes the same step,
    operation for operation, as JavaScript (a JavaScriptStep: its ``source`` runs in a page).
    ``all_nodes=True`` makes the step also return every node's value, gradient and local
    derivatives (see StepResult; the step's ``nodes`` lists the graph's nodes in that order,
    outputs[0]'s in topological order first). ValueError when an input is not a leaf of the
    graph, appears twice, or an output does not depend on any input.
    """
    if language not in LANGUAGES:
        raise ValueError(f"compile: language must be one of {LANGUAGES}, got {language!r}")
    _check_name(name, language)
    if not isinstance(all_nodes, bool):
        raise TypeError(f"compile: all_nodes must be True or False, got {all_nodes!r}")
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
    order = extend_order(list(root_order), outs[1:])
    seen = set(order)
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
    plan = _plan(outs, ins, targets, order, root_order, live, all_nodes)
    nodes = tuple(order) if all_nodes else ()
    if language == "javascript":
        from engine import js

        script = _javascript(name, plan)
        return JavaScriptStep(js.PRELUDE + script, script, len(ins), nodes)
    source = _python(name, plan)
    namespace = dict(FLOAT_NAMES)
    exec(builtins.compile(source, f"<engine.compile {name}>", "exec"), namespace)
    step: Callable = namespace[name]  # type: ignore[assignment]
    return CompiledStep(source, step, len(ins), nodes)


def _check_name(name: object, language: str) -> None:
    """The step's name: an identifier of the language that none of its code's own names shadow."""
    from engine import js

    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        raise ValueError(f"compile: name must be an identifier, got {name!r}")
    taken = set(FLOAT_NAMES) | {"x", "values"}
    if language == "javascript":
        taken |= js.RESERVED | js.PRELUDE_NAMES
    if keyword.iskeyword(name) or name in taken or re.fullmatch(r"[vgd]\d+(_\d+)?", name):
        raise ValueError(
            f"compile: name {name!r} is a keyword or a name the step's code uses; choose another"
        )


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


# ---- the walk over the graph, the same for every language -------------------------------------


@dataclass
class _Plan:
    """The step as statements over variables, before it is written in a language: ``v<i>`` holds
    node i's value, ``g<i>`` its gradient, ``d<i>_<k>`` (all_nodes) its local derivative for
    parent k."""

    n_outputs: int
    inputs: list[tuple[str, str | None]]  # (variable, label)
    forward: list[tuple[str, ast.expr, str | None]]  # variable = expression  (label)
    locals: list[tuple[str, ast.expr]]  # all_nodes: d<i>_<k> = local derivative
    root: tuple[str, str | None] | None  # the root's gradient variable (= 1.0), its label
    zero: list[str]  # gradient variables starting from 0.0
    backward: list[tuple[str, ast.expr, str]]  # parent's gradient += local * node's gradient
    outputs: list[ast.expr]
    grads: list[str | None]  # per target: its gradient variable (None: 0.0, it has none)
    values: list[ast.expr] = field(default_factory=list)  # all_nodes: every node's value,
    node_grads: list[str | None] = field(default_factory=list)  # gradient,
    local_grads: list[list[str]] = field(default_factory=list)  # local derivatives


def _plan(
    outs: list[Value],
    ins: list[Value],
    targets: list[Value],
    order: list[Value],
    root_order: list[Value],
    live: set[Value],
    all_nodes: bool,
) -> _Plan:
    names: dict[Value, ast.expr] = {}
    for i, v in enumerate(ins):
        names[v] = ast.Name(f"v{i}", ast.Load())
    plan = _Plan(len(outs), [(f"v{i}", v.label) for i, v in enumerate(ins)], [], [], None, [], [],
                 [], [])  # fmt: skip
    number_ = len(ins)
    local_src: dict[Value, list[ast.expr]] = {}
    for node in order:
        if node in names:
            continue
        if node not in live and not all_nodes:
            names[node] = number(node.data)
            continue
        out = f"v{number_}"
        number_ += 1
        if node.parents and node in live:
            try:
                forward, local_src[node] = node_formulas(
                    node, [names[p] for p in node.parents], ast.Name(out, ast.Load())
                )
            except KeyError:
                raise ValueError(
                    f"compile: no rule to compile op {node.op!r} of {describe(node)}"
                ) from None
        else:  # all_nodes: a constant of the graph, named so its gradient can be reported
            forward = number(node.data)
            local_src[node] = [number(g) for g in node.local_grads]
        names[node] = ast.Name(out, ast.Load())
        plan.forward.append((out, forward, node.label))

    def var(v: Value, prefix: str) -> str:
        return prefix + ast.unparse(names[v])[1:]

    if all_nodes:  # every edge's local derivative, named, so the step can return them
        for node in order:
            named = []
            for k, local in enumerate(local_src.get(node, ())):
                d = f"{var(node, 'd')}_{k}"
                plan.locals.append((d, local))
                named.append(d)
            local_src[node] = [ast.Name(d, ast.Load()) for d in named]
            plan.local_grads.append(named)
    # Backward: which nodes need a gradient (they lie on a path from a target to outputs[0]).
    wanted = set(root_order) if all_nodes else set(targets)
    needs: set[Value] = set()
    for node in root_order:
        if node in wanted or any(p in needs for p in node.parents):
            needs.add(node)
    root = outs[0]
    grads: dict[Value, str] = {}
    if root in needs:
        grads[root] = var(root, "g")
        plan.root = (grads[root], root.label)
        for node in reversed(root_order):
            if node not in grads or not node.parents:
                continue
            for parent, local in zip(node.parents, local_src[node]):
                if parent not in needs:
                    continue
                if parent not in grads:
                    grads[parent] = var(parent, "g")
                    plan.zero.append(grads[parent])
                plan.backward.append((grads[parent], local, grads[node]))
    plan.outputs = [names[o] for o in outs]
    plan.grads = [grads.get(v) for v in targets]
    if all_nodes:
        plan.values = [names[v] for v in order]
        plan.node_grads = [grads.get(v) for v in order]
    return plan


def _simple(local: ast.expr) -> bool:
    """A name or a number, written without parentheses before '* g'."""
    return isinstance(local, ast.Name | ast.Constant) or (
        isinstance(local, ast.UnaryOp) and isinstance(local.operand, ast.Constant)
    )


# ---- the writers: Python and JavaScript -----------------------------------------------------


def _comment(label: str | None) -> str:
    """The node's label as a comment; characters that could end the comment line are replaced,
    so a label can never become code."""
    if label is None:
        return ""
    return "  # " + "".join(ch if ch.isprintable() else "?" for ch in label)


def _python(name: str, plan: _Plan) -> str:
    n_in = len(plan.inputs)
    lines = [
        f"def {name}(x):",
        f'    """{n_in} inputs -> {plan.n_outputs} output(s): forward one line per node, then'
        ' backward one line per edge."""',
    ]
    for i, (v, label) in enumerate(plan.inputs):
        lines.append(f"    {v} = x[{i}]{_comment(label)}")
    for v, expression, label in plan.forward:
        statements = python_lines(v, expression)
        statements[-1] += _comment(label)
        lines += [f"    {s}" for s in statements]
    if plan.locals:
        lines.append("    # local derivatives, one per edge")
        lines += [f"    {d} = {ast.unparse(local)}" for d, local in plan.locals]
    if plan.root is not None:
        lines.append("    # backward: d outputs[0] / d node, every gradient starting from 0.0")
        for k in range(0, len(plan.zero), 12):
            lines.append("    " + " = ".join(plan.zero[k : k + 12]) + " = 0.0")
        lines.append(f"    {plan.root[0]} = 1.0{_comment(plan.root[1])}")
        for pg, local, g in plan.backward:
            text = ast.unparse(local)
            if text == "1.0":
                lines.append(f"    {pg} += {g}")
            elif text == "-1.0":
                lines.append(f"    {pg} -= {g}")
            elif _simple(local):
                lines.append(f"    {pg} += {text} * {g}")
            else:
                lines.append(f"    {pg} += ({text}) * {g}")

    def tuple_(items: list[str]) -> str:
        return "(" + ", ".join(items) + ("," if items else "") + ")"

    results = [
        tuple_([ast.unparse(o) for o in plan.outputs]),
        tuple_([g or "0.0" for g in plan.grads]),
    ]
    if plan.values:
        results.append(tuple_([ast.unparse(v) for v in plan.values]))
        results.append(tuple_([g or "0.0" for g in plan.node_grads]))
        results.append(tuple_([tuple_(ds) for ds in plan.local_grads]))
    lines.append(f"    return {', '.join(results)}")
    return "\n".join(lines) + "\n"


def _javascript(name: str, plan: _Plan) -> str:
    from engine import js

    n_in = len(plan.inputs)
    lines = [
        f"function {name}(values) {{",
        f"  // {n_in} inputs -> {plan.n_outputs} output(s): forward one line per node, then"
        " backward one line per edge",
    ]
    for i, (v, label) in enumerate(plan.inputs):
        lines.append(f"  const {v} = values[{i}];{js.comment(label)}")
    for v, expression, label in plan.forward:
        lines.append(f"  const {v} = {js.expression(expression)};{js.comment(label)}")
    if plan.locals:
        lines.append("  // local derivatives, one per edge")
        lines += [f"  const {d} = {js.expression(local)};" for d, local in plan.locals]
    if plan.root is not None:
        lines.append("  // backward: d outputs[0] / d node, every gradient starting from 0.0")
        for k in range(0, len(plan.zero), 12):
            lines.append("  let " + ", ".join(f"{g} = 0.0" for g in plan.zero[k : k + 12]) + ";")
        lines.append(f"  const {plan.root[0]} = 1.0;{js.comment(plan.root[1])}")
        for pg, local, g in plan.backward:
            text = js.expression(local)
            if text == "1.0":
                lines.append(f"  {pg} += {g};")
            elif text == "-1.0":
                lines.append(f"  {pg} -= {g};")
            else:
                lines.append(f"  {pg} += {js.factor(local)} * {g};")

    def array(items: list[str]) -> str:
        return "[" + ", ".join(items) + "]"

    results = [
        f"outputs: {array([js.expression(o) for o in plan.outputs])}",
        f"grads: {array([g or '0.0' for g in plan.grads])}",
    ]
    if plan.values:
        results.append(f"values: {array([js.expression(v) for v in plan.values])}")
        results.append(f"node_grads: {array([g or '0.0' for g in plan.node_grads])}")
        results.append(f"local_grads: {array([array(ds) for ds in plan.local_grads])}")
    lines.append("  return {" + ", ".join(results) + "};")
    lines.append("}")
    return "\n".join(lines) + "\n"

"""Gradients of gradients: ``grad`` (PyTorch's ``torch.autograd.grad`` for scalars), ``hessian``
and ``hvp``.

``backward()`` multiplies and adds plain floats, so its gradients are numbers that cannot be
differentiated again. ``grad(..., create_graph=True)`` runs the same chain rule with Values
instead: each local derivative is its op's rule (``engine.rules``) evaluated with the parent Values
in place of floats, ``out`` the node itself and constants as plain numbers, with the formula
functions of ``VALUE_NAMES``; each product and each sum of the pass is a Value op too. The
gradients it returns are therefore Values whose graph is the backward pass itself: they can be
differentiated again, drawn, explored and compiled like any other graph.

A conditional in a rule (relu's and clip's slopes) is decided on the forward values, as PyTorch's
masks are, so such a local derivative is a constant: its own derivative is 0, at the kink and off
it. A graph holds the branch taken when it was built (see ``engine.compile``).
"""

from __future__ import annotations

import ast
import builtins
import functools
import math
import numbers
import types
from collections.abc import Callable, Sequence

from engine import floats
from engine.compiler import node_formulas
from engine.errors import describe
from engine.graph import extend_order, pass_gradients, topo_order
from engine.rules import FLOAT_NAMES, RULES, Rule, SumRule, derivatives, rule_for
from engine.value import Value, node

__all__ = ["VALUE_NAMES", "grad", "hessian", "hvp", "local_values", "on_data", "op_function"]

Operand = Value | float


def _data(x: Operand) -> float:
    return x.data if isinstance(x, Value) else x


# ---- the Value backend: each formula function on Values -----------------------------------------


def _apply(
    op: str, forward: Callable[..., float], operands: Sequence[Operand], params: dict[str, float]
) -> Operand:
    """A node of ``op``: data ``forward(operands' data...)``, local derivatives the op's rule on
    floats at that result, constants named in ``const`` as the op's own nodes name them. With no
    Value among the operands it is just the float ``forward`` gives."""
    data = [_data(x) for x in operands]
    out = forward(*data)
    if not any(isinstance(x, Value) for x in operands):
        return out
    rule = RULES[op]
    assert isinstance(rule, Rule)
    slopes = derivatives(rule, {**dict(zip(rule.operands, data)), **params}, out)
    parents: list[Value] = []
    factors: list[float] = []
    const: dict[str, float] = {}
    for name, x, slope in zip(rule.operands, operands, slopes):
        if isinstance(x, Value):
            parents.append(x)
            factors.append(slope)
        else:
            const[name] = x
    const.update(params)
    name = f"**{params['k']:g}" if op == "**k" else op
    if len(parents) == 1:
        return node(out, name, parents[0], factors[0], const=const or None)
    return node(out, name, parents[0], factors[0], parents[1], factors[1], const=const or None)


def op_function(op: str, forward: Callable[..., float], **params: float) -> Callable[..., Operand]:
    """The formula function that is ``op``'s forward formula, on Values: e.g.
    ``op_function("exp", floats.exp)``. ``forward`` is the float function the formula uses (it
    may differ from the op's own: ``div`` gives ±inf where the op '/' raises)."""
    return lambda *operands: _apply(op, forward, operands, params)


def _ieee_power(a: Operand, p: Operand) -> Operand:
    """a ** p as ``floats.ieee_pow``: ±inf, never an error (the op's rule, '**k' or '**')."""
    if isinstance(p, Value):
        return _apply("**", floats.ieee_pow, (a, p), {})
    return _apply("**k", lambda x: floats.ieee_pow(x, p), (a,), {"k": p})


def _power(a: Operand, p: Operand) -> Operand:
    """``floats.power`` on Values: the op '**' (or '**k' for a plain-number exponent)."""
    if isinstance(p, Value):
        return _apply("**", floats.power, (a, p), {})
    return _apply("**k", lambda x: floats.power(x, p), (a,), {"k": p})


def _pow_slope(a: Operand, p: Operand) -> Operand:
    """``floats.pow_slope`` on Values: p * a ** (p - 1), and the constant 0 where p is 0 (as
    PyTorch's ``where``: no derivative flows through the branch not taken)."""
    if _data(p) == 0.0:
        return 0.0
    return p * _ieee_power(a, p - 1.0)


def _exponent_slope(a: Operand, p: Operand, out: Operand) -> Operand:
    """``floats.exponent_slope`` on Values: a ** p * log(a) for a > 0; the constants 0 (a = 0,
    p >= 0) and NaN elsewhere, as the float function decides them."""
    if _data(a) > 0.0:
        return out * VALUE_NAMES["log"](a)  # type: ignore[operator]
    if _data(a) == 0.0 and _data(p) >= 0.0:
        return 0.0
    return math.nan


def on_data(f: Callable[..., float]) -> Callable[..., float]:
    """A formula function that is piecewise constant (a sign, a step) on Values: ``f`` of the
    operands' data, a plain number, so no derivative flows through it (as PyTorch's sgn)."""
    return lambda *operands: f(*map(_data, operands))


# The names a derivative formula may use besides its operands, params and ``out``, on Values: one
# entry per function of ``engine.rules.FLOAT_NAMES``. A function that is an op's forward formula is
# that op, made by ``op_function`` (a new op 'sin' with math.sin: ``"sin": op_function("sin",
# math.sin)``); a piecewise constant one is ``on_data(f)``; any other is written with Value ops,
# as pow_slope above.
VALUE_NAMES: dict[str, object] = {
    "div": op_function("/", floats.div),
    "divide": op_function("/", floats.divide),
    "exp": op_function("exp", floats.exp),
    "log": op_function("log", floats.log),
    "tanh": op_function("tanh", math.tanh),
    "sigmoid": op_function("sigmoid", floats.sigmoid),
    "power": _power,
    "sqrt": op_function("**k", floats.sqrt, k=0.5),
    "pow_slope": _pow_slope,
    "sin": op_function("sin", floats.sin),
    "cos": op_function("cos", floats.cos),
    "abs": op_function("abs", abs),
    "log1p": op_function("log1p", floats.log1p),
    "expm1": op_function("expm1", floats.expm1),
    "erf": op_function("erf", math.erf),
    "ieee_exp": op_function("exp", floats.ieee_exp),  # the op exp, inf where it overflows
    "exponent_slope": _exponent_slope,
    # the constants (inf, nan, ...) are the float table's own
    **{name: c for name, c in FLOAT_NAMES.items() if isinstance(c, float)},
}


@functools.cache
def _value_function(expression: str, names: tuple[str, ...]) -> Callable[..., Operand]:
    source = f"lambda {', '.join(names)}: {expression}"
    return eval(source, dict(VALUE_NAMES))  # noqa: S307 - the rules' own formulas


@functools.lru_cache(maxsize=1024)
def _code(source: str) -> types.CodeType:
    return builtins.compile(source, "<rule on Values>", "eval")


_OUT = ast.Name("out", ast.Load())


def local_values(n: Value) -> list[Operand]:
    """d n / d each parent as Values (plain numbers where a derivative is constant): the node's
    rule with the parent Values, ``out`` = n itself, and n's constants put in."""
    rule = rule_for(n.op)
    if isinstance(rule, SumRule):
        return _sum_local_values(n)
    const = n.const if isinstance(n.const, dict) else {}
    parents = iter(n.parents)
    names = (*rule.operands, *rule.params, "out")
    values = [const[o] if o in const else next(parents) for o in rule.operands]
    values += [const[p] for p in rule.params]
    values.append(n)
    return [
        _value_function(g, names)(*values)
        for operand, g in zip(rule.operands, rule.grads)
        if operand not in const
    ]


def _sum_local_values(n: Value) -> list[Operand]:
    """An n-ary sum's: its term rule put in term by term as ``engine.compile`` does it (where its
    plain-number operands sit is in n.const), then evaluated on the parent Values."""
    sources = [ast.Name(f"p{i}", ast.Load()) for i in range(len(n.parents))]
    _, formulas = node_formulas(n, sources, _OUT)
    names: dict[str, object] = dict(VALUE_NAMES)
    names.update((f"p{i}", p) for i, p in enumerate(n.parents))
    return [eval(_code(ast.unparse(f)), names) for f in formulas]  # noqa: S307 - rules' formulas


# ---- grad ----------------------------------------------------------------------------------------


def _times(local: Operand, g: Operand) -> Operand:
    """local * g, as a Value op when either is a Value; a factor of exactly 1 (or -1) adds no
    node (x * 1.0 is x, and -1.0 * x is -x, bit for bit)."""
    if not isinstance(g, Value) and g == 1.0:
        return local
    if not isinstance(local, Value) and not isinstance(g, Value):
        return local * g
    if not isinstance(local, Value):
        if local == 1.0:
            return g
        if local == -1.0:
            return -g
    return local * g


def _value_pass(
    outputs: Sequence[Value], seeds: Sequence[Operand], inputs: Sequence[Value]
) -> list[Value]:
    """The chain rule on Values: the same products and sums, in the same order, as the float pass
    (``engine.graph.pass_gradients``), only along nodes on a path from an input to an output."""
    order = extend_order(topo_order(outputs[0]), outputs[1:])
    wanted = set(inputs)
    needs: set[Value] = set()
    for n in order:
        if n in wanted or any(p in needs for p in n.parents):
            needs.add(n)
    grads: dict[Value, Operand] = {}
    for out, seed in zip(outputs, seeds):
        if out in needs:
            grads[out] = grads[out] + seed if out in grads else seed
    for n in reversed(order):
        g = grads.get(n)
        if g is None or not n.parents:
            continue
        locals_: list[Operand] | None = None
        for i, parent in enumerate(n.parents):
            if parent not in needs:
                continue
            if locals_ is None:
                locals_ = local_values(n)
            added = _times(locals_[i], g)
            grads[parent] = grads[parent] + added if parent in grads else added
    result = []
    for x in inputs:
        g = grads.get(x, 0.0)
        result.append(g if isinstance(g, Value) else Value(g))
    return result


def grad(
    outputs: Value | Sequence[Value],
    inputs: Value | Sequence[Value],
    grad_outputs: Operand | Sequence[Operand] | None = None,
    create_graph: bool = False,
) -> tuple[float, ...] | tuple[Value, ...]:
    """d outputs / d each input, PyTorch's ``torch.autograd.grad`` for scalars: the sum over the
    outputs of grad_outputs[k] * d outputs[k] / d input (grad_outputs default to 1.0 each).

    With ``create_graph=False`` the gradients are floats, bit for bit what ``backward()`` would add
    (one output); with ``create_graph=True`` they are Values whose graph is the backward pass, to
    be differentiated again. An input the outputs do not depend on gets 0.0 (PyTorch with
    ``materialize_grads=True``). No ``.grad`` is touched.
    """
    outs = _values(outputs, "grad: outputs")
    ins = _values(inputs, "grad: inputs")
    seeds = _seeds(grad_outputs, outputs, len(outs), create_graph)
    if not isinstance(create_graph, bool):
        raise TypeError(
            f"grad: create_graph must be True or False, got {type(create_graph).__name__} "
            f"{create_graph!r}"
        )
    if create_graph:
        return tuple(_value_pass(outs, seeds, ins))
    order = extend_order(topo_order(outs[0]), outs[1:])
    pass_gradients(outs[0], order, seeds=list(zip(outs, seeds)))  # type: ignore[arg-type]
    reached = set(order)
    return tuple(x._g if x in reached else 0.0 for x in ins)


def hessian(output: Value, inputs: Sequence[Value]) -> list[list[float]]:
    """The matrix of second derivatives d²output / d inputs[i] d inputs[j], as a list of rows:
    the gradient as Values (``grad(create_graph=True)``), then the gradient of each of its
    entries."""
    if not isinstance(output, Value):
        raise TypeError(
            f"hessian: output must be a Value, got {type(output).__name__} {output!r:.60}"
        )
    ins = _values(inputs, "hessian: inputs", single=False)
    first = grad(output, ins, create_graph=True)
    return [list(grad(g, ins)) for g in first]  # type: ignore[arg-type]


def hvp(output: Value, inputs: Sequence[Value], vector: Sequence[float]) -> list[float]:
    """The Hessian of ``output`` times ``vector``, without the whole Hessian: the gradient of
    (gradient · vector), i.e. one pass back through the gradient's graph seeded with ``vector``."""
    if not isinstance(output, Value):
        raise TypeError(f"hvp: output must be a Value, got {type(output).__name__} {output!r:.60}")
    ins = _values(inputs, "hvp: inputs", single=False)
    if isinstance(vector, str | bytes) or not isinstance(vector, Sequence):
        raise TypeError(
            f"hvp: vector must be a list of numbers, one per input, got {type(vector).__name__}"
        )
    if len(vector) != len(ins):
        raise ValueError(
            f"hvp: vector has {len(vector)} numbers for {len(ins)} inputs; give one per input"
        )
    v = [_number(c, f"hvp: vector[{i}]") for i, c in enumerate(vector)]
    first = grad(output, ins, create_graph=True)
    return list(grad(first, ins, grad_outputs=v))  # type: ignore[arg-type]


# ---- argument checks -----------------------------------------------------------------------------


def _values(xs: object, what: str, single: bool = True) -> list[Value]:
    if single and isinstance(xs, Value):
        return [xs]
    expected = "a Value or a non-empty list of Values" if single else "a non-empty list of Values"
    if isinstance(xs, str | bytes) or not isinstance(xs, Sequence):
        raise TypeError(f"{what} must be {expected}, got {type(xs).__name__} {xs!r:.60}")
    if not xs:
        raise ValueError(f"{what} is empty; it must be {expected}")
    for i, v in enumerate(xs):
        if not isinstance(v, Value):
            raise TypeError(f"{what}[{i}] must be a Value, got {type(v).__name__} {v!r:.60}")
    return list(xs)


def _number(x: object, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {x!r:.60}")
    return float(x)


def _seeds(grad_outputs: object, outputs: object, n: int, create_graph: object) -> list[Operand]:
    """grad_outputs as one number (or, with create_graph, Value) per output."""
    if grad_outputs is None:
        return [1.0] * n
    single = isinstance(grad_outputs, Value | numbers.Real) and isinstance(outputs, Value)
    given = [grad_outputs] if single else grad_outputs
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise TypeError(
            f"grad: grad_outputs must be a list of numbers, one per output, got "
            f"{type(grad_outputs).__name__} {grad_outputs!r:.60}"
        )
    if len(given) != n:
        raise ValueError(
            f"grad: grad_outputs has {len(given)} entries for {n} outputs; give one per output"
        )
    seeds: list[Operand] = []
    for i, s in enumerate(given):
        if isinstance(s, Value):
            if create_graph is not True:
                raise TypeError(
                    f"grad: grad_outputs[{i}] is a Value ({describe(s)}); give a number, or "
                    f"create_graph=True to differentiate through it"
                )
            seeds.append(s)
        else:
            seeds.append(_number(s, f"grad: grad_outputs[{i}]"))
    return seeds

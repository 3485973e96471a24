"""The Value node and every operation on it.

Each op computes its result *and* its local derivatives (d result / d operand) in the forward
pass and stores both as plain floats on the new node. The backward pass is then one loop that never
needs to know which op made a node (see ``engine.graph``). Each op's forward rule sits beside its
derivative rule, in one method here, so adding an op touches one place.

A plain number used as an operand is a constant: it gets no node of its own, and the result lists
only its Value operands as parents.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Sequence

from engine import anomaly
from engine.errors import describe as _describe
from engine.graph import BackwardStep
from engine.graph import backward as _backward
from engine.graph import backward_steps as _backward_steps

Number = int | float


class Value:
    """A scalar in a computational graph: its value, its gradient and how it was made.

    Attributes (plain data, so a debugger shows them as they are):
      data: the forward value.
      grad: d(root)/d(self), filled in by ``backward()``; 0.0 until then.
      parents: the Value operands this node was computed from (a tuple, empty for a leaf).
      local_grads: d(self)/d(parent) for each parent, the chain-rule factor on each edge.
      op: the op that made this node ('' for a leaf).
      label: a name such as 'W[1]_2,1', or None.
      const: the plain-number operand(s) of the op, None if it had none; ``engine.compile``
        replays the op from them (the rules per op are in ``engine.compiler``). A float is the
        right operand (x - c), a 1-tuple (c,) the left one (c - x); clip keeps (low, high),
        'linear' and 'sum' keep how their constant terms sit among the Value ones.

    Equality and hashing are by identity: two Values are equal only if they are the same node.

    ``_g`` is scratch space of the backward pass: this pass's gradient while it runs (see
    ``engine.graph.pass_gradients``); it is meaningless between passes.

    Storage note: a node made by a unary or binary op keeps its parents in the slots _p1 and _p2
    and their local derivatives in _l1 and _l2, instead of tuples of its own; ``parents`` and
    ``local_grads`` build the tuples when asked. A tuple per node would double the objects
    Python's garbage collector tracks, and the collector's passes over a large graph are the
    biggest cost of a forward pass: measured on micrograd's demo step, a parents tuple per node
    made each training step about 1.7x slower, a local-derivatives tuple per * node about 1.3x.
    N-ary nodes keep their parents in the tuple _pn, their local derivatives in the tuple _ln.
    """

    __slots__ = (
        "data", "grad", "op", "label", "const", "_p1", "_l1", "_p2", "_l2", "_pn", "_ln", "_g"
    )  # fmt: skip

    def __init__(self, data: Number, label: str | None = None) -> None:
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Value() label must be a str or None, got {type(label).__name__}")
        self.data = _real(data)
        self.grad = 0.0
        self.op = ""
        self.label = label
        self.const: object = None
        self._p1: Value | None = None
        self._l1 = 0.0
        self._p2: Value | None = None
        self._l2 = 0.0
        self._pn: tuple[Value, ...] | None = None
        self._ln: tuple[float, ...] = ()

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Value operands of the op that made this node, in operand order; () for a leaf."""
        if self._pn is not None:
            return self._pn
        p1 = self._p1
        if p1 is None:
            return ()
        p2 = self._p2
        return (p1,) if p2 is None else (p1, p2)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each of ``parents``, in the same order; () for a leaf."""
        if self._pn is not None:
            return self._ln
        if self._p1 is None:
            return ()
        return (self._l1,) if self._p2 is None else (self._l1, self._l2)

    @local_grads.setter
    def local_grads(self, factors: Sequence[float]) -> None:
        """Replace the local derivatives, one per parent (to corrupt a graph on purpose in a
        test, or to experiment with a rule); the next backward pass uses them."""
        factors = tuple(factors)
        if len(factors) != len(self.parents):
            raise ValueError(
                f"local_grads: {len(factors)} factors for {len(self.parents)} parents; "
                f"give one per parent"
            )
        if self._pn is not None:
            self._ln = factors
        elif factors:
            self._l1 = factors[0]
            if len(factors) == 2:
                self._l2 = factors[1]

    # ---- display -------------------------------------------------------------------------------

    def __repr__(self) -> str:
        head = f"{self.label}: " if self.label is not None else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({head}data={self.data:.6g}, grad={self.grad:.6g}{op})"

    def _repr_html_(self) -> str:
        """In a notebook: the graph drawn as SVG, or text with its node count when large."""
        from engine.notebook import value_html

        return value_html(self)

    def __format__(self, spec: str) -> str:
        """Format the forward value, so f'{v:.3f}' works as it does for a float."""
        return format(self.data, spec) if spec else repr(self)

    # ---- the number protocol, as a PyTorch 0-dim tensor has it ----------------------------------

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The forward value as a Python float, like ``tensor.item()``."""
        return self.data

    def __bool__(self) -> bool:
        """False for 0.0 (and -0.0), True otherwise, NaN included, as for a float or a tensor."""
        return self.data != 0.0

    def __round__(self, ndigits: int | None = None) -> float | int:
        """round(v) and round(v, n) round the forward value, as for a float."""
        return round(self.data, ndigits)

    # Order comparisons compare forward values and return a bool; == and hash stay identity, so
    # Values work as set members and dict keys (a graph walk depends on it).
    def __lt__(self, other: Value | Number) -> bool:
        o = _compared(other)
        return NotImplemented if o is None else self.data < o

    def __le__(self, other: Value | Number) -> bool:
        o = _compared(other)
        return NotImplemented if o is None else self.data <= o

    def __gt__(self, other: Value | Number) -> bool:
        o = _compared(other)
        return NotImplemented if o is None else self.data > o

    def __ge__(self, other: Value | Number) -> bool:
        o = _compared(other)
        return NotImplemented if o is None else self.data >= o

    # ---- binary arithmetic -----------------------------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            # _node() inlined: + and * of two Values make most nodes of a graph, and the call
            # costs about a quarter of the op (measured); keep it equal to _node().
            v = _new(Value)
            v.data = self.data + other.data
            v.grad = 0.0
            v.op = "+"
            v.label = None
            v.const = None
            v._p1 = self
            v._l1 = 1.0
            v._p2 = other
            v._l2 = 1.0
            v._pn = None
            v._ln = ()
            if anomaly._active and anomaly.enabled():
                _check_finite(v)
            return v
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(self.data + c, "+", self, 1.0, const=c)

    def __radd__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(c + self.data, "+", self, 1.0, const=(c,))

    def __sub__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _node(self.data - other.data, "-", self, 1.0, other, -1.0)
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(self.data - c, "-", self, 1.0, const=c)

    def __rsub__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(c - self.data, "-", self, -1.0, const=(c,))

    def __mul__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            v = _new(Value)  # _node() inlined, as in __add__
            v.data = self.data * other.data
            v.grad = 0.0
            v.op = "*"
            v.label = None
            v.const = None
            v._p1 = self
            v._l1 = other.data
            v._p2 = other
            v._l2 = self.data
            v._pn = None
            v._ln = ()
            if anomaly._active and anomaly.enabled():
                _check_finite(v)
            return v
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(self.data * c, "*", self, c, const=c)

    def __rmul__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(c * self.data, "*", self, c, const=(c,))

    def __truediv__(self, other: Value | Number) -> Value:
        # d(a/b)/db is -(a/b)/b, PyTorch's formula: -a/(b*b) would overflow b*b first.
        if isinstance(other, Value):
            a, b = self.data, other.data
            if b == 0.0 and a == a:
                raise ZeroDivisionError(
                    f"op '/': division by zero: the divisor is {_describe(other)}"
                )
            out = _div(a, b)
            return _node(out, "/", self, _div(1.0, b), other, -_div(out, b))
        c = _const(other)
        if c is None:
            return NotImplemented
        if c == 0.0 and self.data == self.data:
            raise ZeroDivisionError(f"op '/': division of {_describe(self)} by the constant 0")
        return _node(_div(self.data, c), "/", self, _div(1.0, c), const=c)

    def __rtruediv__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        b = self.data
        if b == 0.0 and c == c:
            raise ZeroDivisionError(f"op '/': division by zero: the divisor is {_describe(self)}")
        out = _div(c, b)
        return _node(out, "/", self, -_div(out, b), const=(c,))

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _pow_values(self, other)
        p = _const(other)
        if p is None:
            return NotImplemented
        a = self.data
        _check_power(self, a, p)
        if p == 0.5:  # PyTorch computes x ** 0.5 as sqrt: sqrt(-0.0) is -0.0, slope -inf there
            out = math.sqrt(a) if a == a else a
            return _node(out, f"**{p:g}", self, _div(0.5, out), const=p)
        out = _power(self, a, p)
        return _node(out, f"**{p:g}", self, _slope(a, p), const=p)

    def __rpow__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        p = self.data
        _check_power(c, c, p)
        out = _power(self, c, p)
        return _node(out, "**", self, _exponent_slope(c, p, out), const=(c,))

    # ---- unary ops -------------------------------------------------------------------------------

    def __neg__(self) -> Value:
        return _node(-self.data, "neg", self, -1.0)

    def exp(self) -> Value:
        """e**self; its derivative is itself."""
        try:
            e = math.exp(self.data)
        except OverflowError:  # a finite operand whose e**x is beyond the largest float
            raise _overflow("exp", self) from None
        return _node(e, "exp", self, e)

    def log(self) -> Value:
        """Natural logarithm; defined for self > 0 (NaN gives NaN)."""
        a = self.data
        if a <= 0.0:
            raise ValueError(f"op 'log': operand must be > 0, got {_describe(self)}")
        return _node(math.log(a), "log", self, _div(1.0, a))

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return _node(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self); its derivative is s (1 - s)."""
        s = sigmoid(self.data)
        return _node(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        """max(0, self); the derivative at 0 is taken as 0, as PyTorch does. As in PyTorch, NaN
        passes through with derivative 1 and -0.0 stays -0.0."""
        a = self.data
        if a > 0.0 or a != a:
            return _node(a, "relu", self, 1.0)
        return _node(0.0 if a < 0.0 else a, "relu", self, 0.0)

    def clip(self, low: float, high: float) -> Value:
        """self limited to [low, high]; the derivative is 1 inside and 0 where it clips (as Keras
        and torch.clamp do). Losses use it to keep log() away from 0."""
        a = self.data
        bounds = (low, high)
        if a < low:
            return _node(float(low), "clip", self, 0.0, const=bounds)
        if a > high:
            return _node(float(high), "clip", self, 0.0, const=bounds)
        if a != a:  # NaN: torch.clamp passes it on with derivative 0
            return _node(a, "clip", self, 0.0, const=bounds)
        return _node(a, "clip", self, 1.0, const=bounds)

    # ---- backward (the graph walks live in engine.graph) ---------------------------------------

    def backward(self) -> None:
        """Add d(self)/d(node) of this pass to ``.grad`` of every node self depends on, and 1 to
        self.grad: PyTorch's ``backward(retain_graph=True)`` with ``retain_grad()`` everywhere.

        Gradients accumulate: calling backward twice adds twice. Zero them between passes.
        """
        _backward(self)

    def backward_steps(self) -> Iterator[BackwardStep]:
        """The same pass as backward(), one step per node, for stepping through in a debugger."""
        return _backward_steps(self)


# ---- float rules shared with code that runs without a graph ----------------------------


def sigmoid(a: float) -> float:
    """1 / (1 + e**-a) for a float, without overflow for large |a| (e**-a is never formed for
    a < 0). Value.sigmoid and nn.predict both use it, so their results are bit-identical."""
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


# ---- fused n-ary nodes ---------------------------------------------------------------------------


def linear(
    weights: Sequence[Value | Number],
    inputs: Sequence[Value | Number],
    bias: Value | Number | None = None,
) -> Value:
    """bias + sum_k weights[k] * inputs[k] as ONE node (op 'linear').

    The local derivative for w_k is x_k, for x_k it is w_k, for the bias 1. The sum runs left to
    right starting from the bias, exactly as ``b + w1*x1 + w2*x2 + ...`` does with elementary nodes,
    so the fused node and the expanded graph give bit-identical values and gradients.
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"op 'linear': {len(weights)} weights but {len(inputs)} inputs; they must match"
        )
    if type(bias) is Value and inputs and type(weights[0]) is Value:
        if type(inputs[0]) is Value:
            try:  # a neuron's usual case, every operand a Value (no type checks)
                return _linear_of_values(weights, inputs, bias)
            except AttributeError:  # a plain number among them: the general path below
                pass
        elif type(inputs[0]) is float:  # a first layer's neuron: the inputs are data
            node = _linear_of_data(weights, inputs, bias)
            if node is not None:
                return node
    parents: list[Value] = []
    factors: list[float] = []
    start: float | None = None  # the sum's constant start (no bias: 0.0); None: a Value bias
    if bias is None:
        acc = start = 0.0
    elif isinstance(bias, Value):
        acc = bias.data
        parents.append(bias)
        factors.append(1.0)
    else:
        acc = start = _const_or_raise(bias, "linear", "bias")
    constant_term = False
    for w, x in zip(weights, inputs):
        w_is_value = isinstance(w, Value)
        x_is_value = isinstance(x, Value)
        wd = w.data if w_is_value else _const_or_raise(w, "linear", "weight")
        xd = x.data if x_is_value else _const_or_raise(x, "linear", "input")
        acc += wd * xd
        if w_is_value:
            parents.append(w)
            factors.append(xd)
        if x_is_value:
            parents.append(x)
            factors.append(wd)
        elif not w_is_value:
            constant_term = True
    # For engine.compile, how the terms sit among the parents: 2 when every term is w*x of two
    # Values, 1 when every term has one Value (its factor is the other, constant, operand), else
    # one entry per term: 2, 1, or the constant product of a term with no Value.
    n_values, n_terms = len(parents) - (start is None), len(weights)
    if n_values == 2 * n_terms:
        recipe = _PAIRS if start is None else (start, 2)
    elif n_values == n_terms and not constant_term:
        recipe = _SINGLES if start is None else (start, 1)
    else:
        recipe = (start, _linear_terms(weights, inputs))
    return _node(acc, "linear", pn=tuple(parents), ln=tuple(factors), const=recipe)


def _linear_terms(weights: Sequence[object], inputs: Sequence[object]) -> tuple[object, ...]:
    """Per term of a 'linear' node: how many of w, x are Values, or w*x when neither is."""
    kinds: list[object] = []
    for w, x in zip(weights, inputs):
        n = isinstance(w, Value) + isinstance(x, Value)
        kinds.append(n if n else _const(w) * _const(x))
    return tuple(kinds)


def _linear_of_values(weights: Sequence[Value], inputs: Sequence[Value], bias: Value) -> Value:
    """linear() when every operand is a Value (a neuron's usual case), without type checks: the
    same sums in the same order; parents [b, w1, x1, ...] and factors [1, x1, w1, ...]. One loop
    reads each operand once (measured: 3.2 -> 2.6 us per 16-input neuron against two list
    comprehensions and slice assignments)."""
    acc = bias.data
    factors = [1.0]
    for w, x in zip(weights, inputs):
        wd = w.data
        xd = x.data
        acc += wd * xd
        factors.append(xd)
        factors.append(wd)
    n = 2 * len(weights) + 1
    parents: list[Value] = [bias] * n
    parents[1::2] = weights
    parents[2::2] = inputs
    v = _new(Value)  # _node() inlined, as in Value.__add__: the call is ~5% of this function
    v.data = acc
    v.grad = 0.0
    v.op = "linear"
    v.label = None
    v.const = _PAIRS
    v._p1 = None
    v._l1 = 0.0
    v._p2 = None
    v._l2 = 0.0
    v._pn = tuple(parents)
    v._ln = tuple(factors)
    if anomaly._active and anomaly.enabled():
        _check_finite(v)
    return v


def _linear_of_data(weights: Sequence[Value], inputs: Sequence[float], bias: Value) -> Value | None:
    """linear() of Value weights and float inputs (a first layer's neuron) without the general
    path's per-operand checks (measured: L1 neurons 2x faster, the fused step ~5%); the same sums in
    the same order, parents [b, w1, w2, ...], factors [1, x1, x2, ...]. None if an operand is of
    another type: the general path takes it."""
    acc = bias.data
    for w, x in zip(weights, inputs):
        if type(w) is not Value or type(x) is not float:
            return None
        acc += w.data * x
    v = _new(Value)  # _node() inlined, as in Value.__add__: the call is ~15% of this function
    v.data = acc
    v.grad = 0.0
    v.op = "linear"
    v.label = None
    v.const = _SINGLES
    v._p1 = None
    v._l1 = 0.0
    v._p2 = None
    v._l2 = 0.0
    v._pn = (bias, *weights)
    v._ln = (1.0, *inputs)
    if anomaly._active and anomaly.enabled():
        _check_finite(v)
    return v


def total(terms: Iterable[Value | Number]) -> Value:
    """The sum of many terms as ONE node (op 'sum'), each Value term with local derivative 1.

    Summed left to right like ``t1 + t2 + ...``, so it matches the expanded graph exactly.
    """
    parents: list[Value] = []
    constants: list[tuple[int, float]] = []  # (how many Value terms came before it, constant)
    acc = 0.0
    for t in terms:
        if isinstance(t, Value):
            acc += t.data
            parents.append(t)
        else:
            c = _const_or_raise(t, "sum", "term")
            acc += c
            constants.append((len(parents), c))
    const = tuple(constants) if constants else None
    return _node(acc, "sum", pn=tuple(parents), ln=(1.0,) * len(parents), const=const)


# ---- helpers -------------------------------------------------------------------------------------

_new = object.__new__

_PAIRS = (None, 2)  # a 'linear' node's recipe with a Value bias and every term w * x of Values
_SINGLES = (None, 1)  # ... and every term one Value times a constant (nn's first layer)


def _node(
    data: float,
    op: str,
    p1: Value | None = None,
    l1: float = 0.0,
    p2: Value | None = None,
    l2: float = 0.0,
    const: object = None,
    pn: tuple[Value, ...] | None = None,
    ln: tuple[float, ...] = (),
) -> Value:
    """A result node; no argument checks, unlike ``Value()``: its inputs are trusted.

    One or two parents go in p1 and p2, each followed by its local derivative (l1, l2; see the
    storage note on Value); any number of parents in the tuple pn, their local derivatives in ln.
    """
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.op = op
    v.label = None
    v.const = const
    v._p1 = p1
    v._l1 = l1
    v._p2 = p2
    v._l2 = l2
    v._pn = pn
    v._ln = ln
    if anomaly._active and anomaly.enabled():
        _check_finite(v)
    return v


def _check_finite(v: Value) -> None:
    """Under detect_anomaly(): refuse a non-finite result or local derivative, naming the op."""
    if math.isfinite(v.data) and all(map(math.isfinite, v.local_grads)):
        return
    inputs = ", ".join(map(_describe, v.parents)) or "constants only"
    raise FloatingPointError(
        f"op {v.op!r} produced a non-finite result (data={v.data!r}, local derivatives="
        f"{list(v.local_grads)!r}) from inputs: {inputs}"
    )


def _const(x: object) -> float | None:
    """A real number as a float, or None if x is not one (the op then returns NotImplemented)."""
    if type(x) is float:
        return x
    if type(x) is int:
        return float(x)
    if isinstance(x, numbers.Real):
        return float(x)
    return None


def _real(data: object) -> float:
    """Value()'s data as a float: any real number, bools and numpy's as 0.0/1.0 (as PyTorch
    takes them); a clear error for anything else, or for an int beyond the float range."""
    if isinstance(data, numbers.Real):
        try:
            return float(data)
        except OverflowError:
            digits = len(str(abs(data))) if abs(data) < 10**1000 else "over 1000"
            raise ValueError(
                f"Value(): data is an int of {digits} digits, too large for a float "
                f"(the largest is about 1.8e308)"
            ) from None
    kind = type(data)
    if kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool"):  # numpy.True_
        return 1.0 if data else 0.0
    hint = " (it is already a Value; use it directly)" if isinstance(data, Value) else ""
    raise TypeError(f"Value() data must be a real number, got {kind.__name__}{hint}")


def _compared(x: object) -> float | None:
    """The number a comparison sees: a Value's data or a real number; None for anything else."""
    return x.data if isinstance(x, Value) else _const(x)


def _const_or_raise(x: object, op: str, role: str) -> float:
    c = _const(x)
    if c is None:
        raise TypeError(
            f"op {op!r}: {role} must be a Value or a real number, got {type(x).__name__}"
        )
    return c


def _div(x: float, y: float) -> float:
    """x / y as IEEE 754 and PyTorch have it: a zero divisor gives ±inf or nan, never an error.

    Used for local derivatives, which may be infinite where the op's own result is finite."""
    if y == 0.0:
        if x == 0.0 or x != x:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _is_odd_integer(p: float) -> bool:
    return p.is_integer() and p % 2.0 == 1.0 if math.isfinite(p) else False


def _ieee_pow(a: float, p: float) -> float:
    """a ** p as IEEE 754 pow: overflow and 0 to a negative power give ±inf, never an error.

    Callers never pass a negative base with a non-integer power (that has no real result)."""
    try:
        return a**p
    except (OverflowError, ZeroDivisionError):
        negative = math.copysign(1.0, a) < 0.0 and _is_odd_integer(p)
        return -math.inf if negative else math.inf


def _check_power(base: Value | float, a: float, p: float) -> None:
    """The documented domain errors of **, each where PyTorch's own result is not finite
    ((-inf) ** p is 0 for p < 0, so it is no error, except p = -0.5: PyTorch's rsqrt gives NaN)."""
    if (
        a < 0.0
        and math.isfinite(p)
        and not p.is_integer()
        and (a > -math.inf or p > 0.0 or p == -0.5)
    ):
        raise ValueError(f"op '**': negative base {_name_of(base)} to the non-integer power {p!r}")
    if a == 0.0 and p < 0.0:
        raise ZeroDivisionError(f"op '**': base {_name_of(base)} is 0, raised to the power {p!r}")


def _name_of(x: Value | float) -> str:
    return _describe(x) if isinstance(x, Value) else repr(x)


def _power(culprit: Value, a: float, p: float) -> float:
    """a ** p; a finite base and exponent whose power is beyond the largest float raise."""
    try:
        return a**p
    except OverflowError:
        raise _overflow("**", culprit) from None


def _slope(a: float, p: float) -> float:
    """d(a ** p)/da = p * a ** (p - 1), as PyTorch computes it; ±inf where it overflows."""
    if p == 0.0:
        return 0.0
    return p * _ieee_pow(a, p - 1.0)


def _exponent_slope(a: float, p: float, out: float) -> float:
    """d(a ** p)/dp = a ** p * log(a); PyTorch takes it as 0 at a = 0 and NaN for a < 0."""
    if a > 0.0:
        return out * math.log(a)
    if a == 0.0 and p >= 0.0:
        return 0.0
    return math.nan


def _overflow(op: str, operand: Value) -> OverflowError:
    return OverflowError(f"op {op!r}: result too large for a float, from {_describe(operand)}")


def _pow_values(base: Value, exponent: Value) -> Value:
    a, p = base.data, exponent.data
    _check_power(base, a, p)
    out = _power(base, a, p)
    return _node(out, "**", base, _slope(a, p), exponent, _exponent_slope(a, p, out))

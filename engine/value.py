"""The Value node and its ops: read this file, then ``engine/rules.py``, to know the engine.

A Value is a number that remembers how it was made. Each op computes its result *and* its local
derivatives (d result / d operand) in the forward pass and stores both as plain floats on the new
node. The backward pass (``engine.graph``) is then one loop that never needs to know which op made
a node: it multiplies and adds these numbers along every edge.

Each op below is written out by hand for speed; ``engine.rules`` states the same math once as a
table, and the tests check every op here against it, bit for bit.

A plain number used as an operand is a constant: it gets no node of its own, and the result lists
only its Value operands as parents.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

from engine import anomaly, floats
from engine.graph import BackwardStep
from engine.graph import backward as _backward
from engine.graph import backward_steps as _backward_steps
from engine.node import Node

Number = int | float
_new = object.__new__


def node(
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
    """Make the result node of an op: the one constructor every op uses (no argument checks,
    unlike ``Value()``: an op's inputs are trusted).

    One or two parents go in p1 and p2, each followed by its local derivative (l1, l2); any number
    of parents in the tuple pn, their local derivatives in ln. ``const`` holds the op's plain-number
    arguments by their names in the op's rule (see ``Value.const``).
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
        anomaly.check_finite(v)
    return v


class Value(Node):
    """A scalar in a computational graph: its value, its gradient and how it was made.

    Attributes (plain data, so a debugger shows them as they are):
      data: the forward value.
      grad: d(root)/d(self), filled in by ``backward()``; 0.0 until then.
      parents: the Value operands this node was computed from (a tuple, empty for a leaf).
      local_grads: d(self)/d(parent) for each parent, the chain-rule factor on each edge.
      op: the op that made this node ('' for a leaf); its rule is ``engine.rules.rule_for(op)``.
      label: a name such as 'W[1]_2,1', or None.
      const: the op's plain-number arguments, named as in its rule, or None: {'b': 3.0} for
        x - 3, {'a': 3.0} for 3 - x, {'k': 2.0} for x ** 2, {'low': 0.0, 'high': 1.0} for clip;
        for 'linear' and 'sum', where the constant terms sit among the Value ones.

    Equality and hashing are by identity: two Values are equal only if they are the same node.

    How these are stored (in slots, without a tuple per node) and the walks that read them,
    topological order and the chain rule, are in ``engine.node``.
    """

    __slots__ = ()  # every slot is Node's

    def __init__(self, data: Number, label: str | None = None) -> None:
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Value() label must be a str or None, got {type(label).__name__}")
        self.data = floats.real(data)
        self.grad = 0.0
        self.op = ""
        self.label = label
        self.const = None
        self._p1 = None
        self._l1 = 0.0
        self._p2 = None
        self._l2 = 0.0
        self._pn = None
        self._ln = ()

    # ---- arithmetic: a + b, a - b, a * b, a / b, a ** b and -a ----------------------------------

    def __add__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            # node() inlined: + and * of two Values make most nodes of a graph, and the call
            # costs about a quarter of the op (measured). A test checks the slots are node()'s.
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
                anomaly.check_finite(v)
            return v
        c = _const(other)
        if c is None:
            return NotImplemented
        return node(self.data + c, "+", self, 1.0, const={"b": c})

    def __radd__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        return node(c + self.data, "+", self, 1.0, const={"a": c})

    def __sub__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return node(self.data - other.data, "-", self, 1.0, other, -1.0)
        c = _const(other)
        if c is None:
            return NotImplemented
        return node(self.data - c, "-", self, 1.0, const={"b": c})

    def __rsub__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        return node(c - self.data, "-", self, -1.0, const={"a": c})

    def __mul__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            v = _new(Value)  # node() inlined, as in __add__
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
                anomaly.check_finite(v)
            return v
        c = _const(other)
        if c is None:
            return NotImplemented
        return node(self.data * c, "*", self, c, const={"b": c})

    def __rmul__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        return node(c * self.data, "*", self, c, const={"a": c})

    def __truediv__(self, other: Value | Number) -> Value:
        # d(a/b)/db is -(a/b)/b, PyTorch's formula: -a/(b*b) would overflow b*b first.
        if isinstance(other, Value):
            a, b = self.data, other.data
            out = floats.divide(a, b, other)
            return node(out, "/", self, floats.div(1.0, b), other, -floats.div(out, b))
        c = _const(other)
        if c is None:
            return NotImplemented
        out = floats.divide(self.data, c)
        return node(out, "/", self, floats.div(1.0, c), const={"b": c})

    def __rtruediv__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        out = floats.divide(c, self.data, self)
        return node(out, "/", self, -floats.div(out, self.data), const={"a": c})

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            a, p = self.data, other.data
            out = floats.power(a, p, self, other)
            slopes = floats.pow_slope(a, p), floats.exponent_slope(a, p, out)
            return node(out, "**", self, slopes[0], other, slopes[1])
        k = _const(other)
        if k is None:
            return NotImplemented
        if k == 0.5:  # as PyTorch, x ** 0.5 is sqrt: sqrt(-0.0) is -0.0, its slope -inf
            out = floats.sqrt(self.data, self)
            return node(out, f"**{k:g}", self, floats.div(0.5, out), const={"k": k})
        out = floats.power(self.data, k, self)
        return node(out, f"**{k:g}", self, floats.pow_slope(self.data, k), const={"k": k})

    def __rpow__(self, other: Number) -> Value:
        c = _const(other)
        if c is None:
            return NotImplemented
        p = self.data
        out = floats.power(c, p, exponent=self)
        return node(out, "**", self, floats.exponent_slope(c, p, out), const={"a": c})

    def __neg__(self) -> Value:
        return node(-self.data, "neg", self, -1.0)

    # ---- functions: each result and its derivative ----------------------------------------------

    def exp(self) -> Value:
        """e ** self; its derivative is itself."""
        e = floats.exp(self.data, self)
        return node(e, "exp", self, e)

    def log(self) -> Value:
        """Natural logarithm, d/dx = 1/x; defined for self > 0 (NaN gives NaN)."""
        a = self.data
        return node(floats.log(a, self), "log", self, floats.div(1.0, a))

    def tanh(self) -> Value:
        """tanh(self); its derivative is 1 - tanh**2."""
        t = math.tanh(self.data)
        return node(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self); its derivative is s (1 - s)."""
        s = floats.sigmoid(self.data)
        return node(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        """max(0, self); the derivative at 0 is taken as 0, as PyTorch does. As in PyTorch, NaN
        passes through with derivative 1 and -0.0 stays -0.0."""
        a = self.data
        if a > 0.0 or a != a:
            return node(a, "relu", self, 1.0)
        return node(0.0 if a < 0.0 else a, "relu", self, 0.0)

    def clip(self, low: float, high: float) -> Value:
        """self limited to [low, high]; the derivative is 1 inside and 0 where it clips (as Keras
        and torch.clamp do). Losses use it to keep log() away from 0."""
        a, lo, hi = self.data, float(low), float(high)
        bounds = {"low": lo, "high": hi}
        if a < lo:
            return node(lo, "clip", self, 0.0, const=bounds)
        if a > hi:
            return node(hi, "clip", self, 0.0, const=bounds)
        # NaN passes on with derivative 0, as torch.clamp does (and so do NaN bounds)
        return node(a, "clip", self, 1.0 if lo <= a <= hi else 0.0, const=bounds)

    def log1p(self) -> Value:
        """log(1 + self), exact near 0; d/dx = 1 / (1 + x). ValueError for self <= -1."""
        a = self.data
        return node(floats.log1p(a, self), "log1p", self, floats.div(1.0, a + 1.0))

    def expm1(self) -> Value:
        """e**self - 1, exact near 0; its derivative is e**self, the result + 1."""
        out = floats.expm1(self.data, self)
        return node(out, "expm1", self, out + 1.0)

    def erf(self) -> Value:
        """The error function; its derivative is 2/√π e**-x² (PyTorch's constant and order)."""
        a = self.data
        return node(math.erf(a), "erf", self, 1.1283791670955126 * math.exp(-(a * a)))

    def sin(self) -> Value:
        """sin(self); its derivative is cos(self). NaN at ±inf, as in PyTorch."""
        return node(floats.sin(self.data), "sin", self, floats.cos(self.data))

    def cos(self) -> Value:
        """cos(self); its derivative is -sin(self). NaN at ±inf, as in PyTorch."""
        return node(floats.cos(self.data), "cos", self, -floats.sin(self.data))

    def abs(self) -> Value:
        """|self|, also as abs(v); the derivative is the sign, 0 at 0 and NaN (PyTorch's sgn)."""
        a = self.data
        return node(abs(a), "abs", self, 1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0)

    __abs__ = abs

    def sqrt(self) -> Value:
        """self ** 0.5 (sqrt(-0.0) is -0.0), d/dx = 0.5 / sqrt(x); ValueError for self < 0."""
        out = floats.sqrt(self.data, self, "sqrt")
        return node(out, "sqrt", self, floats.div(0.5, out))

    # ---- more activations, each as PyTorch's CPU kernel computes it ------------------------------

    def softplus(self) -> Value:
        """log(1 + e**self), PyTorch's (beta 1, threshold 20: self itself above 20)."""
        a = self.data
        e = 0.0 if a > 20.0 else math.exp(a)
        out, slope = (a, 1.0) if a > 20.0 else (math.log1p(e), e / (e + 1.0))
        return node(out, "softplus", self, slope)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """self above 0, negative_slope * self below (NaN and 0 take negative_slope's side)."""
        a, s = self.data, float(negative_slope)
        out, slope = (a, 1.0) if a > 0.0 else (a * s, s)
        return node(out, "leaky_relu", self, slope, const={"negative_slope": s})

    def elu(self, alpha: float = 1.0) -> Value:
        """alpha (e**self - 1) up to 0, self above (NaN takes the upper side, slope 1)."""
        a, c = self.data, float(alpha)
        out, slope = (math.expm1(a) * c, c * math.exp(a)) if a <= 0.0 else (a, 1.0)
        return node(out, "elu", self, slope, const={"alpha": c})

    def gelu(self) -> Value:
        """self Φ(self), Φ the normal CDF by erf (PyTorch's exact GELU); slope Φ + self φ."""
        a = self.data
        cdf = 1.0 + math.erf(a * 0.7071067811865476)  # (twice Φ) 1/√2
        slope = 0.5 * cdf + a * (0.3989422804014327 * math.exp(a * a * -0.5))  # 1/√(2π)
        return node(a * 0.5 * cdf, "gelu", self, slope)

    def silu(self) -> Value:
        """self σ(self), computed as self / (1 + e**-self); slope σ (1 + self (1 - σ))."""
        a = self.data
        d = 1.0 + floats.ieee_exp(-a)
        return node(a / d, "silu", self, 1.0 / d * (1.0 + a * (1.0 - 1.0 / d)))

    # ---- backward (the graph walks live in engine.graph) -----------------------------------------

    def backward(self) -> None:
        """Add d(self)/d(node) of this pass to ``.grad`` of every node self depends on, and 1 to
        self.grad: PyTorch's ``backward(retain_graph=True)`` with ``retain_grad()`` everywhere.

        Gradients accumulate: calling backward twice adds twice. Zero them between passes.
        """
        _backward(self)

    def backward_steps(self) -> Iterator[BackwardStep]:
        """The same pass as backward(), one step per node, for stepping through in a debugger."""
        return _backward_steps(self)

    # ---- display ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        head = f"{self.label}: " if self.label is not None else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({head}data={self.data:.6g}, grad={self.grad:.6g}{op})"

    def __format__(self, spec: str) -> str:
        """Format the forward value, so f'{v:.3f}' works as it does for a float."""
        return format(self.data, spec) if spec else repr(self)

    # ---- the number protocol, as a PyTorch 0-dim tensor has it -----------------------------------

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


# ---- helpers -------------------------------------------------------------------------------------


def _const(x: object) -> float | None:
    """A real number as a float, or None if x is not one (the op then returns NotImplemented)."""
    if type(x) is float:
        return x
    if type(x) is int:
        return float(x)
    if isinstance(x, numbers.Real):
        return float(x)
    return None


def _compared(x: object) -> float | None:
    """The number a comparison sees: a Value's data or a real number; None for anything else."""
    return x.data if isinstance(x, Value) else _const(x)

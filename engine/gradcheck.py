"""Check autograd against central finite differences, the oracle that needs nothing but f itself."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.value import Value


@dataclass(frozen=True)
class GradCheck:
    """One input's comparison: the gradient from backward() and the one from finite differences."""

    name: str
    analytic: float
    numeric: float
    ok: bool

    @property
    def error(self) -> float:
        return abs(self.analytic - self.numeric)


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> list[GradCheck]:
    """Compare d f(*inputs) / d inputs[i] from autograd with (f(x+eps) - f(x-eps)) / (2 eps).

    ``f`` takes one Value per input and returns a Value. It is called on fresh leaves carrying the
    inputs' values and labels, so the caller's Values and their grads are left untouched. Passes
    when |analytic - numeric| <= atol + rtol * |numeric| for every input, returning the per-input
    comparison; otherwise raises AssertionError naming each input that fails.
    """
    _check_arguments(f, inputs, eps, atol, rtol)
    values = [x.data if isinstance(x, Value) else float(x) for x in inputs]
    names = [
        x.label if isinstance(x, Value) and x.label is not None else f"inputs[{i}]"
        for i, x in enumerate(inputs)
    ]

    def evaluate(data: Sequence[float]) -> Value:
        out = f(*(Value(d, label=n) for d, n in zip(data, names)))
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
        return out

    leaves = [Value(d, label=n) for d, n in zip(values, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()

    results = []
    for i, leaf in enumerate(leaves):
        up = values.copy()
        down = values.copy()
        up[i] += eps
        down[i] -= eps
        numeric = (evaluate(up).data - evaluate(down).data) / (2.0 * eps)
        ok = abs(leaf.grad - numeric) <= atol + rtol * abs(numeric)
        results.append(GradCheck(names[i], leaf.grad, numeric, ok))

    failures = [r for r in results if not r.ok]
    if failures:
        lines = "\n".join(
            f"  {r.name}: autograd {r.analytic!r}, finite differences {r.numeric!r} "
            f"(difference {r.error:.3g})"
            for r in failures
        )
        raise AssertionError(
            f"gradcheck: gradients disagree for {len(failures)} input(s):\n{lines}"
        )
    return results


def _check_arguments(f: object, inputs: object, eps: object, atol: object, rtol: object) -> None:
    """Refuse arguments that would make the comparison meaningless, naming each one."""
    if not callable(f):
        raise TypeError(f"gradcheck: f must be callable, got {type(f).__name__}")
    if isinstance(inputs, str | bytes) or not isinstance(inputs, Sequence):
        raise TypeError(
            "gradcheck: inputs must be a sequence of Values or numbers, "
            f"got {type(inputs).__name__}"
        )
    for i, x in enumerate(inputs):
        if isinstance(x, bool) or not isinstance(x, Value | numbers.Real):
            raise TypeError(
                f"gradcheck: inputs[{i}] must be a Value or a real number, got {type(x).__name__}"
            )
        if not math.isfinite(x.data if isinstance(x, Value) else float(x)):
            raise ValueError(f"gradcheck: inputs[{i}] must be finite, got {x!r}")
    for name, value, lowest in (
        ("eps", eps, "> 0"),
        ("atol", atol, ">= 0"),
        ("rtol", rtol, ">= 0"),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"gradcheck: {name} must be a real number, got {type(value).__name__}")
        bad = not math.isfinite(value) or value < 0 or (name == "eps" and value == 0)
        if bad:
            raise ValueError(f"gradcheck: {name} must be finite and {lowest}, got {value!r}")

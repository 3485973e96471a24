"""State dicts: every parameter's value by structural name, checked whole before any is assigned.

A state dict maps each structural parameter name (``layers.0.neurons.2.w.1``; see
``nn.Module``) to a float. ``load_state`` checks all of it first, so a bad state dict raises
ValueError saying what is wrong and leaves the module as it was.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine import Value
    from nn.module import Module

_short = reprlib.Repr()
_short.maxstring = _short.maxother = 40


def state_dict(module: Module) -> dict[str, float]:
    """Every parameter's value by structural name, in ``named_parameters()`` order."""
    return {name: p.data for name, p in module.named_parameters()}


def load_state(module: Module, state: object, where: str = "load_state_dict") -> None:
    """Check ``state`` completely against ``module``, then assign; ValueError (model unchanged)."""
    for p, value in check_state(module, state, where):
        p.data = value


def check_state(module: Module, state: object, where: str) -> list[tuple[Value, float]]:
    """The (parameter, new value) pairs that ``state`` asks for, after checking all of it.

    ``state`` must be a mapping with exactly the module's structural names as keys and, as each
    value, a finite float or an int that a float holds exactly (never a bool or a string).
    ``where`` starts every error message.
    """
    if not isinstance(state, Mapping):
        raise ValueError(
            f"{where}: expected a mapping of parameter names to numbers, got {kind(state)}"
        )
    params = module.named_parameters()
    expected = {name for name, _ in params}
    missing = [name for name, _ in params if name not in state]
    unexpected = [key for key in state if key not in expected]
    if missing or unexpected:
        hint = ""
        if set(state) == set(module.seed_names().values()):
            hint = (
                "; these are display names, which keyed state dicts before structural names: "
                "convert with {name: old[shown] for name, shown in model.seed_names().items()}"
            )
        raise ValueError(
            f"{where}: parameter names do not match the model: expected {len(params)} "
            f"parameters, got {len(state)}; missing: {some(missing)}; "
            f"unexpected: {some(sorted(map(repr, unexpected)), quoted=True)}{hint}"
        )
    return [(p, finite_float(state[name], f"{where}: parameter {name!r}")) for name, p in params]


def finite_float(x: object, what: str) -> float:
    """``x`` as a float if it is a finite float, or an int that a float holds exactly; else
    ValueError. Bools, strings, None and containers are refused, not converted."""
    if isinstance(x, int) and not isinstance(x, bool):
        if not _int_is_exact(x):
            raise ValueError(f"{what}: the integer {_short.repr(x)} is not exactly a float")
        return float(x)
    if not isinstance(x, float):
        raise ValueError(f"{what}: expected a finite number, got {kind(x)}")
    if not math.isfinite(x):
        raise ValueError(f"{what}: expected a finite number, got {x!r}")
    return float(x)


def _int_is_exact(x: int) -> bool:
    try:
        return int(float(x)) == x
    except OverflowError:
        return False


def kind(x: object) -> str:
    """A short description of a JSON-like value for an error message: its type, clipped repr."""
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return f"{names.get(type(x), type(x).__name__)} {_short.repr(x)}"


def some(items: list[str], quoted: bool = False, limit: int = 5) -> str:
    """Up to ``limit`` items for a message, then how many more; 'none' for an empty list."""
    if not items:
        return "none"
    shown = ", ".join(items[:limit] if quoted else map(repr, items[:limit]))
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return shown + more

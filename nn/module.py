"""Module: the base of every model part, with its parameters named by position, and its state
dicts: every parameter's value by structural name, checked whole before any is assigned.

A state dict maps each structural parameter name (``layers.0.neurons.2.w.1``; see ``Module``) to
a float. ``load_state`` checks all of it first, so a bad state dict raises ValueError saying what
is wrong and leaves the module as it was.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping

from engine import Value
from nn.checks import kind, some

_short = reprlib.Repr()
_short.maxstring = _short.maxother = 40


class Module:
    """Something with named parameters (Values) that maps inputs to outputs when called.

    A parameter's name is its position in the module's structure, PyTorch-style: in an MLP,
    ``layers.0.neurons.2.w.1`` is weight 1 of neuron 2 of layer 0 and ``layers.0.neurons.2.b`` its
    bias (0-based, the attribute names joined by dots). State dicts and model files use these
    names. A Value's ``label`` is for display only: changing it changes pictures and printouts,
    never which parameter is which. Subclasses define ``named_parameters()`` and ``forward()``.
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(structural name, Value) pairs in a stable order, e.g. ('neurons.1.w.0', ...)."""
        return []

    def seed_named_parameters(self) -> list[tuple[str, Value]]:
        """(display name, Value) pairs in ``named_parameters()`` order: the articles' notation
        (``W[1]_3,2``, ``b[1]_3``) where the module defines it, else the structural name."""
        return self.named_parameters()

    def seed_names(self) -> dict[str, str]:
        """Structural name -> display name for every parameter, computed from position."""
        return {
            name: shown
            for (name, _), (shown, _) in zip(self.named_parameters(), self.seed_named_parameters())
        }

    def parameters(self) -> list[Value]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient; backward() accumulates, so do this between passes."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by structural name, in ``named_parameters()`` order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from ``state``, which must hold exactly this module's structural
        names, each with a finite number. Everything is checked first: on ValueError nothing has
        changed."""
        load_state(self, state, f"{type(self).__name__}.load_state_dict")

    def forward(self, x):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)


# ---- state dicts ---------------------------------------------------------------------------------


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

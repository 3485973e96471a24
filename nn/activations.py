"""Activation functions by name: the one table that nn layers and error messages read."""

from __future__ import annotations

from collections.abc import Callable

from engine import Value
from engine.rules import RULES, Rule

# Every op whose rule names a torch.nn module is an activation, called by its op's name; None means
# the identity: a 'linear' unit adds no node, so its output is its Z node itself.
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    **{
        op: getattr(Value, op)
        for op, rule in RULES.items()
        if isinstance(rule, Rule) and rule.torch_module is not None
    },
    "linear": None,
}


def check_activation(name: str) -> str:
    """Return ``name`` if it is a known activation; else ValueError listing the valid names."""
    if not isinstance(name, str):
        raise TypeError(f"activation: expected a name such as 'relu', got {name!r}")
    if name not in ACTIVATIONS:
        valid = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; valid activations: {valid}")
    return name

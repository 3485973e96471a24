"""How error messages name a node, so a mistake deep in a large graph can be found."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.value import Value


def describe(v: Value) -> str:
    """Name a node for an error message: its label if it has one, else that it has none; then its
    op and value, e.g. ``'Z[1]_2' (op 'linear', data=-0.31)``."""
    made_by = f"op {v.op!r}" if v.op else "leaf"
    name = repr(v.label) if v.label is not None else "unlabelled"
    return f"{name} ({made_by}, data={v.data!r})"

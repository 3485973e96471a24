"""Anomaly detection: turn silent inf/NaN into an error that names the node.

Outside ``detect_anomaly()`` the engine follows IEEE 754: an overflow in ``*`` gives ``inf``,
``inf - inf`` gives ``nan``, and both flow on through the graph and its gradients. Inside it, the
first op whose result is not finite, and the first non-finite gradient in a backward pass, raise
``FloatingPointError`` naming the op, its inputs and their labels.

The switch is a process-wide counter (nesting is allowed), not a per-thread one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0


def enabled() -> bool:
    """True while inside at least one ``detect_anomaly()`` block."""
    return _depth > 0


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Check every forward result and every gradient for inf and NaN while the block runs."""
    global _depth
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1

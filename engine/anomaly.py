"""Anomaly detection: turn silent inf/NaN into an error that names the node.

Outside ``detect_anomaly()`` the engine follows IEEE 754: an overflow in ``*`` gives ``inf``,
``inf - inf`` gives ``nan``, and both flow on through the graph and its gradients. Inside it, the
first op whose result or local derivative is not finite, and the first non-finite gradient in a
backward pass, raise ``FloatingPointError`` naming the op, its inputs and their labels.

The mode is per thread, like PyTorch's: a block in one thread changes nothing in another. Blocks
nest. Every op asks whether the mode is on, so the question is cheap when no thread uses it: a
process-wide count of open blocks is read first, and the thread's own depth only when it is > 0.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from engine.errors import describe

if TYPE_CHECKING:
    from engine.value import Value

_active = 0  # open detect_anomaly() blocks, all threads together: the hot path's first test
_lock = threading.Lock()
_local = threading.local()  # .depth: this thread's open blocks


def enabled() -> bool:
    """True while the calling thread is inside at least one ``detect_anomaly()`` block."""
    return _active > 0 and getattr(_local, "depth", 0) > 0


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Check every forward result and every gradient for inf and NaN while the block runs, in
    this thread only."""
    global _active
    with _lock:
        _active += 1
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1
        with _lock:
            _active -= 1


def check_finite(v: Value) -> None:
    """Under detect_anomaly(): refuse a non-finite result or local derivative, naming the op."""
    if math.isfinite(v.data) and all(map(math.isfinite, v.local_grads)):
        return
    inputs = ", ".join(map(describe, v.parents)) or "constants only"
    raise FloatingPointError(
        f"op {v.op!r} produced a non-finite result (data={v.data!r}, local derivatives="
        f"{list(v.local_grads)!r}) from inputs: {inputs}"
    )

"""Walks over the graph: topological order, the backward pass, stepping through it, paths.

Nothing here recurses, so graph depth is limited by memory only, never by Python's recursion limit.
Nothing here knows about individual ops either: every node carries its local derivatives as numbers,
so the chain rule is written once, in ``pass_gradients``.

A pass keeps its running gradients in the scratch slot ``_g`` of each node, so two passes over
graphs that share nodes must not run at the same time in different threads.
"""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine import anomaly
from engine.errors import describe
from engine.node import pass_gradients, topo_order

if TYPE_CHECKING:
    from engine.value import Value


def extend_order(order: list[Value], outputs: Sequence[Value]) -> list[Value]:
    """``order`` (a ``topo_order``) followed by the nodes new in each output's topological order:
    every node of all the graphs once, inputs first (a node's parents are never new after it)."""
    seen = set(order)
    for out in outputs:
        for node in topo_order(out):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def backward(root: Value) -> None:
    """Add this pass's d(root)/d(node) to ``.grad`` of every node of root's graph, root included.

    PyTorch's semantics with ``retain_graph=True`` and ``retain_grad()`` on every non-leaf: the
    pass computes its gradients from this pass alone (``pass_gradients``) and adds each to its
    node's ``.grad`` with ``+=``, so two calls add twice and never push the first pass's sums down
    again. The garbage collector is paused meanwhile: the pass makes no cycles for it to find.
    """
    if anomaly.enabled():
        for _ in backward_steps(root):  # checks every step, and undoes the pass if one fails
            pass
        return
    with gc_paused():
        pass_gradients(root, topo_order(root), apply=True)


_gc_lock = threading.Lock()
_gc_depth = 0  # gc_paused() blocks open, in every thread
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the block runs; re-entrant and thread-safe.

    A graph of Values has no reference cycles, so reference counting frees it and the collector
    finds nothing; yet its passes over a growing graph cost a third of a training step. The
    collector is switched back on when the outermost block exits, however it exits, and only if
    it was on when that block began (a collector the caller switched off stays off).
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            if _gc_was_enabled:
                gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one backward step passes to one parent: ``added = local_grad * step.grad``."""

    parent: Value
    local_grad: float
    added: float

    def __repr__(self) -> str:
        return f"{_name(self.parent)} += {self.local_grad:.6g} * g = {self.added:.6g}"


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """One node's turn in the backward pass.

    ``grad`` is this pass's gradient of the node, d(root)/d(node), complete at this point (every
    node that uses it came earlier); ``contributions`` holds, per parent in operand order, the
    local derivative and what the node passes to that parent (already added to its ``.grad``).
    ``str`` and ``repr`` are a few short lines: the node and its gradient, then one line per
    contribution, so ``pp step`` in pdb reads like the pass itself.
    """

    index: int
    node: Value
    grad: float
    contributions: tuple[Contribution, ...]

    def __repr__(self) -> str:
        op = self.node.op or "leaf"
        head = f"step {self.index}: {_name(self.node)} [{op}] g={self.grad:.6g}"
        if not self.contributions:
            return f"{head}\n  (a leaf: nothing to pass on)"
        return "\n".join([head, *(f"  {c!r}" for c in self.contributions)])

    __str__ = __repr__


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """The backward pass as a generator, one step per node in the order backward() processes them.

    Each contribution is added to its parent's ``.grad`` as the step that makes it is yielded, so
    mid-pass every ``.grad`` is its value before the pass plus what this pass has passed it so far
    (a debugger sees ``W.grad`` change at the step whose text says ``W += ...``); root's 1 arrives
    with the first step. Exhausting the generator leaves exactly backward()'s gradients, bit for
    bit: the running sums are formed in backward()'s order and each ``.grad`` is set to
    ``before + sum``, as backward()'s single ``grad += g``. A pass abandoned before its last step
    (the generator closed or garbage collected, or an error raised) puts back every ``.grad`` it
    changed. Under ``detect_anomaly()`` a step that passes on a non-finite gradient raises
    FloatingPointError.
    """
    order = topo_order(root)
    pass_gradients(root, order)
    order.reverse()
    grads = [node._g for node in order]  # this pass's, safe from any pass run while paused
    check = anomaly.enabled()
    last = len(order) - 1
    before = {node: node.grad for node in order}
    so_far = dict.fromkeys(order, 0.0)  # this pass's running sums, kept apart from ``_g``
    so_far[root] = 1.0
    changed: dict[Value, None] = {}  # the nodes whose .grad this pass has set, to put back
    complete = False
    try:
        for index, node in enumerate(order):
            g = grads[index]
            contributions = tuple(
                Contribution(parent, local, local * g)
                for parent, local in zip(node.parents, node.local_grads)
            )
            if check:
                _check_step(node, g, contributions)
            changed[node] = None
            node.grad = before[node] + g  # root's 1 here; any other node already holds it
            for c in contributions:
                parent = c.parent
                so_far[parent] += c.added
                changed[parent] = None
                parent.grad = before[parent] + so_far[parent]
            complete = index == last  # every step applied: nothing to undo from here on
            yield BackwardStep(index, node, g, contributions)
    finally:
        if not complete:
            for node in changed:
                node.grad = before[node]


def _check_step(node: Value, g: float, contributions: tuple[Contribution, ...]) -> None:
    """Under detect_anomaly(): refuse a non-finite gradient, naming the edge that produced it."""
    if not math.isfinite(g):  # only when finite contributions summed to inf: name the node
        raise FloatingPointError(
            f"backward: the gradient of {describe(node)} is {g!r}: finite contributions from the "
            f"ops that use it summed to a non-finite number"
        )
    for c in contributions:
        if not math.isfinite(c.added):
            raise FloatingPointError(
                f"backward: non-finite gradient {c.added!r} reached {describe(c.parent)} "
                f"through op {node.op!r} of {describe(node)} (its grad {g!r}, local derivative "
                f"{c.local_grad!r}); inputs of that op: {', '.join(map(describe, node.parents))}"
            )


@dataclass(frozen=True, slots=True)
class Path:
    """One path from a node up to the root: the nodes along it, the local derivative on each edge,
    and their product (this path's share of the node's gradient)."""

    nodes: tuple[Value, ...]
    factors: tuple[float, ...]
    product: float

    def __repr__(self) -> str:
        steps = " -> ".join(map(_name, self.nodes))
        factors = " * ".join(f"{f:.6g}" for f in self.factors) or "1"
        return f"<path {steps}: {factors} = {self.product:.6g}>"


def count_paths(root: Value, node: Value) -> int:
    """How many distinct edge paths lead from ``node`` up to ``root`` (0 if root doesn't use it).

    Exact for any count (Python ints), in time linear in the graph: each node's count is the sum
    of its parents' counts, one edge at a time."""
    counts: dict[Value, int] = {}
    for n in topo_order(root):
        counts[n] = 1 if n is node else sum(counts[p] for p in n.parents)
    return counts[root]


def iter_paths(root: Value, node: Value) -> Iterator[Path]:
    """The paths of ``paths(root, node)``, one at a time and in the same order, without a limit:
    ``itertools.islice(iter_paths(root, x), 10)`` shows the first ten of even 10^4000 paths.

    A depth-first walk down from root through the nodes that reach ``node``; the path so far is one
    list, grown and shrunk in place, so the work is linear in the graph plus the paths yielded.
    """
    reaches = nodes_reaching(root, node)
    if root not in reaches:
        return
    nodes: list[Value] = [root]  # the path so far, root first
    factors: list[float] = []  # factors[i] is the local derivative on the edge nodes[i] -> [i+1]
    tried = [0]  # per node of the path: how many of its parents have been tried
    while nodes:
        tip = nodes[-1]
        if tip is node:
            yield Path(tuple(reversed(nodes)), tuple(reversed(factors)), math.prod(factors))
        else:
            parents, i = tip.parents, tried[-1]
            while i < len(parents) and parents[i] not in reaches:
                i += 1
            if i < len(parents):
                tried[-1] = i + 1
                nodes.append(parents[i])
                factors.append(tip.local_grads[i])
                tried.append(0)
                continue
        nodes.pop()
        tried.pop()
        if factors:
            factors.pop()


def paths(root: Value, node: Value, limit: int = 10_000) -> list[Path]:
    """Every path from ``node`` up to ``root``, each with its chain-rule factors and their product.

    The products sum to d(root)/d(node): the chain rule as a "sum over all paths of the product of
    the derivatives along them". A node used twice by one op (x * x) gives two paths, one per edge.
    Raises ValueError, with the count, when there are more than ``limit`` paths; ``iter_paths``
    lists them one at a time without a limit. Time and memory are linear in the graph plus the
    paths listed.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"paths: limit must be an int >= 0, got {limit!r}")
    n_paths = count_paths(root, node)
    if n_paths > limit:
        raise ValueError(
            f"{count_text(n_paths)} paths lead from {describe(node)} to {describe(root)}: more "
            f"than limit={limit}, so they are counted, not listed (raise limit to list them, or "
            f"take the first ones from iter_paths)"
        )
    return list(iter_paths(root, node))


def count_text(n: int) -> str:
    """A count for a message: exact up to 15 digits, else ``about 1.2e4300``, which works for
    counts far beyond Python's limit on converting ints to text (4300 digits by default)."""
    if n < 10**15:
        return str(n)
    shift = max(n.bit_length() - 64, 0)  # the leading 64 bits carry all the precision needed
    log10 = math.log10(n >> shift) + shift * math.log10(2)
    exponent = math.floor(log10)
    mantissa = 10 ** (log10 - exponent)
    if mantissa >= 9.95:  # rounds up to 10.0: carry into the exponent
        mantissa, exponent = 1.0, exponent + 1
    return f"about {mantissa:.1f}e{exponent}"


def nodes_reaching(root: Value, node: Value) -> set[Value]:
    """The nodes of root's graph that have ``node`` among their ancestors, node included."""
    reaches = {node}
    for n in topo_order(root):
        if any(p in reaches for p in n.parents):
            reaches.add(n)
    return reaches


def _name(v: Value) -> str:
    if v.label is not None:
        return v.label
    return f"({v.op or 'leaf'} {v.data:.4g})"

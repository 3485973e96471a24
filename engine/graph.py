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

if TYPE_CHECKING:
    from engine.value import Value


def topo_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, and root itself, each once, inputs first (root last).

    Iterative depth-first search visiting parents in operand order, in the order a recursive one
    would. A node is expanded when popped: it is pushed back under a ``None`` marker, then its
    parents above it; popping the marker means every parent is emitted, so the node follows. No
    tuple or iterator is made per node (fewer allocations, fewer garbage-collector passes).
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]
    # Bound methods: this loop runs once per node of graphs with 10^5 nodes and more.
    mark, push, pop, emit = seen.add, stack.append, stack.pop, order.append
    while stack:
        node = pop()
        if node is None:
            emit(pop())  # type: ignore[arg-type]  # a None marker sits on top of its node
            continue
        if node in seen:
            continue
        mark(node)
        push(node)
        push(None)
        p1 = node._p1
        if p1 is not None:
            p2 = node._p2
            if p2 is not None and p2 not in seen:
                push(p2)
            if p1 not in seen:
                push(p1)
        elif node._pn is not None and not seen.issuperset(node._pn):
            # The test first: a fused node's parents are mostly seen already (shared weights and
            # inputs), and a set test in C is cheaper than the loop (fused step ~5% faster).
            for parent in reversed(node._pn):
                if parent not in seen:
                    push(parent)
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


def pass_gradients(
    root: Value,
    order: list[Value],
    apply: bool = False,
    seeds: Sequence[tuple[Value, float]] | None = None,
) -> None:
    """The chain rule, written once: leave d(root)/d(node) of this pass alone in ``node._g``.

    ``order`` is ``topo_order(root)``. Every node starts at 0.0 and root at 1.0; then, in reversed
    order, each node adds ``local * its gradient`` to each parent in operand order. This exact
    sequence of float operations is the engine's definition of a gradient (compiled code repeats it
    bit for bit). With ``apply``, each node's gradient is also added to its ``.grad`` at its turn,
    when it is complete; otherwise ``.grad`` is not touched.

    ``seeds`` (node, number) pairs replace root's 1.0: each number is added to its node's start
    (``engine.grad``'s grad_outputs, over several outputs; ``order`` then covers all of them).
    """
    for node in order:
        node._g = 0.0
    if seeds is None:
        root._g = 1.0
    else:
        for node, seed in seeds:
            node._g += seed
    for node in reversed(order):
        g = node._g
        if apply:
            node.grad += g
        p1 = node._p1
        if p1 is not None:
            p1._g += node._l1 * g
            p2 = node._p2
            if p2 is not None:
                p2._g += node._l2 * g
        elif node._pn is not None:
            for parent, local in zip(node._pn, node._ln):
                parent._g += local * g


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
    node that uses it came earlier) and just added to ``node.grad``; ``contributions`` holds, per
    parent in operand order, the local derivative and what the node passes to that parent.
    """

    index: int
    node: Value
    grad: float
    contributions: tuple[Contribution, ...]

    def __repr__(self) -> str:
        op = f" [{self.node.op}]" if self.node.op else " [leaf]"
        pushed = "; ".join(map(repr, self.contributions)) or "nothing to push"
        return f"<step {self.index}: {_name(self.node)}{op} g={self.grad:.6g}: {pushed}>"


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """The backward pass as a generator, one step per node in the order backward() processes them.

    Step i adds this pass's gradient of its node to ``node.grad`` before it is yielded, so a
    debugger sees each ``.grad`` change at its node's turn; exhausting the generator leaves exactly
    backward()'s gradients. A pass abandoned before its last step (the generator closed or garbage
    collected, or an error raised) puts back every ``.grad`` it changed. Under
    ``detect_anomaly()`` a step that passes on a non-finite gradient raises FloatingPointError.
    """
    order = topo_order(root)
    pass_gradients(root, order)
    order.reverse()
    grads = [node._g for node in order]  # this pass's, safe from any pass run while paused
    check = anomaly.enabled()
    last = len(order) - 1
    before: list[float] = []
    try:
        for index, node in enumerate(order):
            g = grads[index]
            contributions = tuple(
                Contribution(parent, local, local * g)
                for parent, local in zip(node.parents, node.local_grads)
            )
            if check:
                _check_step(node, g, contributions)
            before.append(node.grad)
            node.grad += g
            if index == last:
                before.clear()  # every step applied: the pass is complete, nothing to undo
            yield BackwardStep(index, node, g, contributions)
    finally:
        for node, old in zip(order, before):
            node.grad = old


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

"""Walks over the graph: topological order, the backward pass, stepping through it, paths.

Nothing here recurses, so graph depth is limited by memory only, never by Python's recursion limit.
Nothing here knows about individual ops either: every node carries its local derivatives as numbers,
so the chain rule is written once, in ``backward``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine import anomaly
from engine.errors import describe

if TYPE_CHECKING:
    from engine.value import Value


def topo_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, and root itself, each once, inputs first (root last).

    Iterative depth-first search: each stack entry is a node and an iterator over its parents; a
    node is emitted once its iterator is used up, that is, once all its parents have been emitted.
    """
    order: list[Value] = []
    seen = {root}
    stack = [(root, iter(root.parents))]
    # Bound methods: this loop runs once per node of graphs with 10^5 nodes and more.
    mark, push, pop, emit = seen.add, stack.append, stack.pop, order.append
    while stack:
        node, pending = stack[-1]
        for parent in pending:
            if parent not in seen:
                mark(parent)
                push((parent, iter(parent.parents)))
                break
        else:
            pop()
            emit(node)
    return order


def backward(root: Value) -> None:
    """Set root.grad = 1 and apply the chain rule from root to every input, accumulating with +=."""
    if anomaly.enabled():
        for _ in backward_steps(root):
            pass
        return
    order = topo_order(root)
    root.grad = 1.0
    for node in reversed(order):
        g = node.grad
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * g


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one backward step added to one parent: ``added = local_grad * step.grad``."""

    parent: Value
    local_grad: float
    added: float

    def __repr__(self) -> str:
        return f"{_name(self.parent)} += {self.local_grad:.6g} * g = {self.added:.6g}"


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """One node's turn in the backward pass, after its gradient was pushed to its parents.

    ``grad`` is the node's gradient at that moment (final: every node that uses it came earlier);
    ``contributions`` holds, per parent, the local derivative and the amount added to its grad.
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

    Each step is yielded after it is applied, so the graph's grads are always as backward() would
    have them at that point; exhausting the generator leaves exactly backward()'s gradients.
    Under ``detect_anomaly()`` a non-finite gradient raises FloatingPointError.
    """
    order = topo_order(root)
    root.grad = 1.0
    check = anomaly.enabled()
    for index, node in enumerate(reversed(order)):
        g = node.grad
        contributions = []
        for parent, local in zip(node.parents, node.local_grads):
            added = local * g
            parent.grad += added
            if check and not math.isfinite(parent.grad):
                raise FloatingPointError(
                    f"backward: non-finite gradient {parent.grad!r} reached {describe(parent)} "
                    f"through op {node.op!r} of {describe(node)} (its grad {g!r}, local derivative "
                    f"{local!r}); inputs of that op: {', '.join(map(describe, node.parents))}"
                )
            contributions.append(Contribution(parent, local, added))
        yield BackwardStep(index, node, g, tuple(contributions))


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
    """How many distinct edge paths lead from ``node`` up to ``root`` (0 if root doesn't use it)."""
    counts: dict[Value, int] = {}
    for n in topo_order(root):
        counts[n] = 1 if n is node else sum(counts[p] for p in n.parents)
    return counts[root]


def paths(root: Value, node: Value, limit: int = 10_000) -> list[Path]:
    """Every path from ``node`` up to ``root``, each with its chain-rule factors and their product.

    The products sum to d(root)/d(node): the chain rule as a "sum over all paths of the product of
    the derivatives along them". A node used twice by one op (x * x) gives two paths, one per edge.
    Raises ValueError, with the count, when there are more than ``limit`` paths.
    """
    n_paths = count_paths(root, node)
    if n_paths > limit:
        raise ValueError(
            f"{n_paths} paths lead from {describe(node)} to {describe(root)}: more than "
            f"limit={limit}, so they are counted, not listed (raise limit to list them)"
        )
    if n_paths == 0:
        return []
    reaches = nodes_reaching(root, node)
    found: list[Path] = []
    # Walk down from root towards node; a stack entry is a path so far (root first) and its factors.
    stack: list[tuple[tuple[Value, ...], tuple[float, ...]]] = [((root,), ())]
    while stack:
        nodes, factors = stack.pop()
        tip = nodes[-1]
        if tip is node:
            found.append(Path(nodes[::-1], factors[::-1], math.prod(factors)))
            continue
        for parent, local in zip(reversed(tip.parents), reversed(tip.local_grads)):
            if parent in reaches:
                stack.append((nodes + (parent,), factors + (local,)))
    return found


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

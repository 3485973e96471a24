"""What a node stores, and the two walks that read it: topological order and the chain rule.

``engine.value.Value`` is a Node with ops; read that file first. A node made by a unary or binary
op keeps its parents in the slots _p1, _p2 and their local derivatives in _l1, _l2, with no tuple
of its own: fewer objects for Python's garbage collector, whose passes over a large graph are the
biggest cost of a forward pass (measured on micrograd's demo step, a parents tuple per node made a
step 1.7x slower). An n-ary node keeps tuples in _pn and _ln. ``parents`` and ``local_grads``
build the tuples when asked; the two walks below, which run once per node of graphs of 10^5 nodes
and more, read the slots themselves, here beside them.

Nothing here recurses, so graph depth is limited by memory only, never by Python's recursion
limit. Nothing here knows about individual ops either: every node carries its local derivatives as
numbers, so the chain rule is written once, in ``pass_gradients``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.value import Value


class Node:
    """The storage of a Value; ``engine.value.Value`` says what each attribute means."""

    __slots__ = (
        "data", "grad", "op", "label", "const", "_p1", "_l1", "_p2", "_l2", "_pn", "_ln", "_g"
    )  # fmt: skip
    data: float
    grad: float
    op: str
    label: str | None
    const: object
    _p1: Value | None
    _l1: float
    _p2: Value | None
    _l2: float
    _pn: tuple[Value, ...] | None
    _ln: tuple[float, ...]
    _g: float  # the backward pass's scratch space: this pass's gradient while it runs

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Value operands of the op that made this node, in operand order; () for a leaf."""
        if self._pn is not None:
            return self._pn
        p1 = self._p1
        if p1 is None:
            return ()
        p2 = self._p2
        return (p1,) if p2 is None else (p1, p2)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each of ``parents``, in the same order; () for a leaf."""
        if self._pn is not None:
            return self._ln
        if self._p1 is None:
            return ()
        return (self._l1,) if self._p2 is None else (self._l1, self._l2)

    @local_grads.setter
    def local_grads(self, factors: Sequence[float]) -> None:
        """Replace the local derivatives, one per parent (to corrupt a graph on purpose in a
        test, or to experiment with a rule); the next backward pass uses them."""
        factors = tuple(factors)
        if len(factors) != len(self.parents):
            raise ValueError(
                f"local_grads: {len(factors)} factors for {len(self.parents)} parents; "
                f"give one per parent"
            )
        if self._pn is not None:
            self._ln = factors
        elif factors:
            self._l1 = factors[0]
            if len(factors) == 2:
                self._l2 = factors[1]


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


def pass_gradients(
    root: Value,
    order: Sequence[Value],
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

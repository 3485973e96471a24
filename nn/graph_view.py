"""How a model's graph is drawn: layers as clusters, parameters marked, one box per neuron.

    engine.render(J, "net.svg", describe=nn.graph_view(model))             # layers framed
    engine.render(J, "net.svg", describe=nn.graph_view(model), view="boxes")  # one box per neuron

The engine's renderer knows nothing about layers; it asks a ``describe`` hook about each node.
``graph_view(model)`` is that hook for an nn model, and it finds everything by STRUCTURE, never
by reading labels: a weight is the Value object ``model.layers[l].neurons[j].w[k]``, a bias
``.b``; a neuron's own intermediate nodes are those computed from its parameters (its Z, and
the partial sums of an unfused Z) and its activation node (the one child of Z made by the neuron's
activation). Relabelling any node changes the names drawn, never the grouping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine import NodeStyle, Value
from nn.layers import MLP, Layer, Neuron

if TYPE_CHECKING:
    from nn.module import Module


class _Unit:
    """One neuron's place (layer l, unit j, 1-based as the articles write them) and its values."""

    __slots__ = ("layer", "unit", "neuron", "params")

    def __init__(self, layer: int, unit: int, neuron: Neuron) -> None:
        self.layer, self.unit, self.neuron = layer, unit, neuron
        self.params = {id(w): k for k, w in enumerate(neuron.w, 1)}

    @property
    def cluster(self) -> str:
        return f"layer {self.layer}"

    @property
    def box(self) -> str:
        act = self.neuron.activation
        return f"neuron [{self.layer}]_{self.unit}" + (f" ({act})" if act != "linear" else "")


def _units(model: Module) -> list[_Unit]:
    """Every neuron of an MLP, a Layer or a lone Neuron, with its position."""
    if isinstance(model, MLP):
        layers = model.layers
    elif isinstance(model, Layer):
        layers = [model]
    elif isinstance(model, Neuron):
        return [_Unit(1, 1, model)]
    else:
        raise TypeError(f"graph_view needs an nn MLP, Layer or Neuron, got {type(model).__name__}")
    return [
        _Unit(l_index, j_index, neuron)
        for l_index, layer in enumerate(layers, 1)
        for j_index, neuron in enumerate(layer.neurons, 1)
    ]


def graph_view(model: Module) -> Callable[[Value], NodeStyle | None]:
    """The describe hook for ``model``'s graphs (pass it as ``describe=`` to any engine drawing).

    Parameters are styled 'parameter' and put in their layer's cluster and neuron's box, weights
    under one row per neuron (``W[l]_j,*``), the bias under its own (``b[l]_j``); a neuron's Z and
    activation nodes get rows ``Z[l]_j`` and ``A[l]_j``; unfused partial sums join the box
    unlisted. Names are computed from positions. The hook reads the model when it is called, so
    build it once the model exists; the parameters are the model's own Value objects.
    """
    units = _units(model)
    params: dict[int, tuple[_Unit, int]] = {}  # id(Value) -> (unit, k), k = 0 for the bias
    for unit in units:
        for k, w in enumerate(unit.neuron.w, 1):
            params[id(w)] = (unit, k)
        params[id(unit.neuron.b)] = (unit, 0)
    # Intermediates seen: node -> (unit, row). Keyed by the node itself (Values hash by identity),
    # so the hook keeps the graphs it has seen alive: make one per drawing, not one per process.
    members: dict[Value, tuple[_Unit, str | None]] = {}

    def owner(node: Value) -> tuple[_Unit, str | None] | None:
        """The unit whose intermediate ``node`` is, and its row, from its parents (the hook is
        asked in graph order, parents first, as every engine drawing does)."""
        known = members.get(node)
        if known is not None:
            return known
        parents = node.parents
        if not parents:
            return None
        # Computed from the unit's own parameters: a fused Z, a product w*x, the sum b + w*x.
        units = {id(params[id(p)][0]): params[id(p)][0] for p in parents if id(p) in params}
        found: _Unit | None = None
        if len(units) == 1:
            found = next(iter(units.values()))
        elif not units and node.op == "+" and len(parents) == 2:
            # An unfused Z's running sum: the sum so far plus the next product w*x of one unit.
            a, b = (members.get(p) for p in parents)
            if a and b and a[0] is b[0] and (_is_product(parents[0]) or _is_product(parents[1])):
                found = a[0]
        if found is not None:
            result: tuple[_Unit, str | None] = (found, None)
            members[node] = result
            return result
        # The activation: one parent, the unit's Z, made by the unit's activation op.
        if len(parents) == 1 and (m := members.get(parents[0])):
            unit = m[0]
            if node.op == unit.neuron.activation and _is_z(parents[0], unit, members):
                result = (unit, f"A[{unit.layer}]_{unit.unit}")
                members[node] = result
                return result
        return None

    def _is_product(node: Value) -> bool:
        return node.op == "*" and any(id(p) in params for p in node.parents)

    def describe(node: Value) -> NodeStyle | None:
        if id(node) in params and _is(node, params):
            unit, k = params[id(node)]
            row: str | None = (
                f"W[{unit.layer}]_{unit.unit},*" if k else f"b[{unit.layer}]_{unit.unit}"
            )
            return NodeStyle(
                kind="parameter",
                cluster=unit.cluster,
                box=unit.box,
                row=row,
                order=(unit.layer, unit.unit, 1 if k else 2, k),
            )
        found = owner(node)
        if found is None:
            return None
        unit, row = found
        if row is None and _is_z(node, unit, members):
            row = f"Z[{unit.layer}]_{unit.unit}"
        return NodeStyle(
            cluster=unit.cluster, box=unit.box, row=row, order=(unit.layer, unit.unit, 0, 0)
        )

    return describe


def _is(node: Value, params: dict[int, tuple[_Unit, int]]) -> bool:
    """``node`` is the very parameter registered under its id (ids are reused after GC)."""
    unit, k = params[id(node)]
    return (unit.neuron.w[k - 1] if k else unit.neuron.b) is node


def _is_z(node: Value, unit: _Unit, members: dict[Value, tuple[_Unit, str | None]]) -> bool:
    """Z is the unit's fused linear node, or the last running sum of an unfused one: the member
    that has every weight and the bias of the unit among its ancestors."""
    need = {id(w) for w in unit.neuron.w} | {id(unit.neuron.b)}
    stack, seen = [node], {id(node)}
    while stack:
        for parent in stack.pop().parents:
            if id(parent) in need:
                need.discard(id(parent))
            elif id(parent) not in seen and members.get(parent, (None,))[0] is unit:
                seen.add(id(parent))
                stack.append(parent)
    return not need

"""Pictures of the computational graph: forward values, backward gradients, chain-rule factors.

    engine.render(J, "graph.png")              # one picture of the whole graph
    engine.to_dot(J)                           # a graphviz.Digraph; a notebook displays it inline
    engine.render(J, "net.svg", view="neurons")    # one box per neuron, for larger networks
    engine.render_steps(J, "steps/")           # one picture per step of the backward pass

How the value view reads (``view='values'``, the default):

- A value node is a box: label, ``data`` (forward value), ``grad`` (d root / d node).
  Fill colour says what it is: blue an input, amber a parameter (a leaf labelled ``W[...`` or
  ``b[...``), white an intermediate, red the root (the loss).
- Each op is its own small oval between its operands and its result: ``a, b -> (*) -> a*b``.
- The label on an edge from a value into an op is the local derivative d result / d operand,
  the chain-rule factor: a node's grad is the sum, over its edges, of factor x the result's grad.
- Nodes labelled like the nn layer's ``W[l]_j,k``, ``b[l]_j``, ``Z[l]_j``, ``A[l]_j`` sit in a
  cluster per layer ``l``, with the unlabelled pieces of a neuron built from elementary ops.
  A value used inside another layer's cluster enters it at a small junction dot and fans out
  from there to its uses, so a fully connected layer draws one line per input, not per weight.

Rendering needs a ``dot`` program: Graphviz's own when it is on PATH, else ``graphviz-pure``
(``pip install graphviz-pure``, a self-contained dot), else an error saying what to install. Force
one with ``backend='system'`` or ``backend='pure'``, or the environment variable
``CHAINRULE_DOT=system|pure``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import dot
from engine.dot import DotNotFoundError
from engine.graph import BackwardStep, nodes_reaching, topo_order

# graphviz is imported inside the functions that need it, never at ``import engine`` time: it
# would add about as much import time again as the whole engine takes, for users who never draw.
if TYPE_CHECKING:
    import graphviz

    from engine.value import Value

__all__ = ["render", "render_steps", "to_dot"]

# ---- look --------------------------------------------------------------------------------------

FILL = {
    "input": "#dbeafe",  # blue
    "parameter": "#fde68a",  # amber
    "intermediate": "#ffffff",
    "loss": "#fca5a5",  # red
}
OP_FILL = "#e5e7eb"
CLUSTER_FILL = "#f8fafc"
HIGHLIGHT = "#dc2626"
EDGE = "#374151"  # dark grey lines, so the boxes stand out
EDGE_LABEL = "#1e40af"  # blue numbers: the local derivatives
UNKNOWN = "#9ca3af"  # grey: a gradient the backward pass has not finished yet
FONT = "Helvetica"

_LAYER = re.compile(r"[WbZA]\[(\d+)\]")  # the layer number of an nn label
_NEURON = re.compile(r"([ZA])\[(\d+)\]_(\d+)$")  # Z[l]_j or A[l]_j: one neuron's nodes
_TABLE = 'BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"'  # a node's inner table
_VIEWS = ("values", "neurons")
_RANKDIRS = ("LR", "TB")


def _kind(node: Value, root: Value) -> str:
    """'loss' for the root, 'parameter' or 'input' for a leaf, else 'intermediate'."""
    if node is root:
        return "loss"
    if node.parents:
        return "intermediate"
    return "parameter" if _is_parameter(node) else "input"


def _is_parameter(node: Value) -> bool:
    """A leaf labelled W[... or b[... (the nn layer's weights and biases)."""
    return not node.parents and (node.label or "").startswith(("W[", "b["))


def _layer(node: Value) -> int | None:
    """The layer number in an nn label (W[2]_1,3 -> 2, A[0]_1 -> 0), else None."""
    m = _LAYER.match(node.label or "")
    return int(m[1]) if m else None


def _num(x: float, digits: int) -> str:
    """x to ``digits`` significant digits, short: 0.1235, -3.2, 1.5e-5, 0 (never -0)."""
    if x == 0.0:
        return "0"
    text = f"{x:.{digits}g}"
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + m[1].replace("+", "") + m[2], text)


def _cells(texts: list[str], rankdir: str, bold_first: bool = True) -> str:
    """An HTML-like table for a node: one row across for LR, one column down for TB.

    In LR the ranks are columns, so short wide boxes stack compactly; in TB they are rows, so tall
    narrow boxes sit side by side compactly.
    """
    cells = [f"<B>{t}</B>" if i == 0 and bold_first else t for i, t in enumerate(texts)]
    if rankdir == "LR":
        rows = "<TR>" + "".join(f"<TD>{c}</TD>" for c in cells) + "</TR>"
        rules = 'COLUMNS="*"'
    else:
        rows = "".join(f"<TR><TD>{c}</TD></TR>" for c in cells)
        rules = 'ROWS="*"'
    return f"<<TABLE {_TABLE} {rules}>{rows}</TABLE>>"


# ---- options -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    """to_dot's options, checked (see _options)."""

    rankdir: str
    edge_labels: bool
    view: str
    highlight: frozenset[Value]
    highlight_paths_from: Value | None
    max_nodes: int
    digits: int
    legend: bool
    backend: str | None


@dataclass(frozen=True)
class _Frame:
    """One moment of the backward pass, for render_steps: the step just done, of how many, which
    grads are final (every use of the node has pushed its share), which have only part so far."""

    step: BackwardStep
    total: int
    final: set[Value]
    partial: set[Value]


# ---- public API --------------------------------------------------------------------------------


def to_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    edge_labels: bool = True,
    view: str = "values",
    highlight: Iterable[Value] = (),
    highlight_paths_from: Value | None = None,
    max_nodes: int = 300,
    digits: int = 4,
    legend: bool = True,
    backend: str | None = None,
) -> graphviz.Digraph:
    """The graph that computed ``root``, as a ``graphviz.Digraph`` (a notebook shows it inline).

    Options:
      rankdir: 'LR' (inputs on the left, loss on the right) or 'TB' (inputs on top).
      edge_labels: label each edge into an op with the local derivative d result / d operand.
      view: 'values' draws every value and op; 'neurons' draws one box per neuron (see below).
      highlight: values to outline in red, with the edges between them.
      highlight_paths_from: outline every path from this node up to root: the chain rule sums the
        products of the edge labels along exactly these paths into its grad.
      max_nodes: refuse (ValueError) a drawing with more value nodes (neuron boxes count as one)
        than this, rather than hand dot a graph it would take minutes to lay out illegibly.
      digits: significant digits of the numbers shown.
      legend: add a key of the colours at the bottom.
      backend: which dot renders it, 'system', 'pure' or None for the first found (module doc).

    ``view='neurons'``: a node labelled ``Z[l]_j`` or ``A[l]_j`` (not a leaf) belongs to neuron
    (l, j), and so does every unlabelled intermediate node that feeds only that neuron's Z or A
    (the products and partial sums of an unfused w.x + b). A parameter leaf (label ``W[...`` or
    ``b[...``) used only inside one neuron is folded into it: the box lists Z and A (data, grad),
    the weight count with the norm of their grads, and the bias. Every other node is drawn as in
    the value view. An edge between boxes stands for all the edges it replaces; it is labelled with
    the local derivative when it replaces exactly one (Z[l+1]_k's factor for A[l]_j is W[l+1]_k,j).
    """
    options = _options(
        rankdir=rankdir,
        edge_labels=edge_labels,
        view=view,
        highlight=highlight,
        highlight_paths_from=highlight_paths_from,
        max_nodes=max_nodes,
        digits=digits,
        legend=legend,
        backend=backend,
    )
    order = topo_order(root)
    start = options.highlight_paths_from
    if start is not None and start not in set(order):
        raise ValueError(f"highlight_paths_from={start!r} is not a node of root's graph")
    if options.view == "neurons":
        return _neuron_graph(root, order, options)
    _check_size(root, len(order), options)
    return _value_graph(root, order, options)


def render(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Draw root's graph into ``path``; the extension picks the format, and the path is returned.

    ``.png`` and ``.svg`` work with either dot program, ``.pdf`` with Graphviz's own only, and
    ``.dot`` (or ``.gv``) writes the DOT source without running dot. Options are those of to_dot.
    With no dot program found, it writes the DOT source next to ``path`` and raises
    DotNotFoundError (a RuntimeError) saying what to install.
    """
    path = Path(path)
    fmt = dot.check_format(path.suffix, path.name)
    dot.write(to_dot(root, **options), path, fmt)
    return path


def render_steps(
    root: Value, directory: str | os.PathLike[str], fmt: str = "png", **options: Any
) -> list[Path]:
    """Run the backward pass from root, drawing the graph after each step into ``directory``.

    This RUNS backward itself (via root.backward_steps()) and, like backward(), adds into every
    .grad: zero the grads first so that the pictures show this pass alone. Picture i (files
    ``step_000.png``, ``step_001.png``, ...) has step i's node outlined in red, with the edges its
    gradient just flowed down and a caption of what was added to which parent. Grads that are
    final are shown; one that has received only part of its sum is grey with '+ ...'; one that
    has received nothing yet is '?'. One picture per node, so an N-node graph gives N files; the
    last one shows exactly backward()'s gradients. ``fmt`` is 'png', 'svg', 'pdf' or 'dot'; the
    options are those of to_dot, value view only. Returns the paths written, in step order.
    """
    directory = Path(directory)
    opts = _options(**options)
    if opts.view != "values":
        raise ValueError("render_steps draws the value view only (view='values')")
    if opts.highlight or opts.highlight_paths_from is not None:
        raise ValueError("render_steps highlights each step's node itself; drop the highlight")
    fmt = dot.check_format(fmt, f"fmt={fmt!r}")
    order = topo_order(root)
    _check_size(root, len(order), opts)
    if fmt not in ("dot", "gv"):  # fail before touching any .grad, not half way through
        try:
            dot.require_program(opts.backend, fmt)
        except DotNotFoundError as e:
            raise DotNotFoundError(f"{e} (fmt='dot' writes the DOT sources without one)") from None
    directory.mkdir(parents=True, exist_ok=True)

    # A node's grad is final once every edge out of it (every use of it) has pushed its share.
    uses_left = dict.fromkeys(order, 0)
    for node in order:
        for parent in node.parents:
            uses_left[parent] += 1
    final, partial = {root}, set()
    width = max(3, len(str(len(order) - 1)))
    written = []
    for step in root.backward_steps():
        for c in step.contributions:
            uses_left[c.parent] -= 1
            if uses_left[c.parent] == 0:
                final.add(c.parent)
                partial.discard(c.parent)
            else:
                partial.add(c.parent)
        frame = _Frame(step, len(order), final, partial)
        path = directory / f"step_{step.index:0{width}d}.{fmt}"
        dot.write(_value_graph(root, order, opts, frame), path, fmt)
        written.append(path)
    return written


# ---- the value view ----------------------------------------------------------------------------


def _value_graph(
    root: Value, order: list[Value], opts: _Options, frame: _Frame | None = None
) -> graphviz.Digraph:
    """Every value as a box, every op as an oval, edges labelled with local derivatives."""
    graph = _new_graph(opts)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    lit = _lit_nodes(root, opts, frame)
    layer_of = _layers(order)
    clusters: dict[int, list[tuple[str, dict[str, str]]]] = {}
    junctions: dict[tuple[Value, int], bool] = {}  # (value, layer it enters) -> lit

    def add(node_id: str, attrs: dict[str, str], layer: int | None) -> None:
        if layer is None:
            graph.node(node_id, **attrs)
        else:
            clusters.setdefault(layer, []).append((node_id, attrs))

    for node in order:
        layer = layer_of.get(node)
        add(ids[node], _value_attrs(node, root, opts, frame, node in lit), layer)
        if not node.parents:
            continue
        # The op is lit when gradient flows through it: on a highlighted path, or at this step.
        if frame is None:
            op_lit = node in lit and any(p in lit for p in node.parents)
        else:
            op_lit = node is frame.step.node
        op_id = "op" + ids[node][1:]
        add(op_id, _op_attrs(node.op, op_lit), layer)
        graph.edge(op_id, ids[node], **_edge_attrs(None, op_lit, opts))
        for parent, local in zip(node.parents, node.local_grads):
            edge_lit = op_lit and (frame is not None or parent in lit)
            tail = ids[parent]
            if layer is not None and layer_of.get(parent) != layer:
                # A value entering another layer's cluster meets a junction dot at the cluster's
                # edge and fans out from there: one line per value between layers instead of one
                # per use, and dot can then lay the layers out side by side.
                key = (parent, layer)
                junctions[key] = junctions.get(key, False) or edge_lit
                tail = f"j{ids[parent][1:]}_{layer}"
            graph.edge(tail, op_id, **_edge_attrs(local, edge_lit, opts))
    for (parent, layer), is_lit in junctions.items():
        junction = f"j{ids[parent][1:]}_{layer}"
        add(junction, {"shape": "point", "width": "0.06", "color": EDGE}, layer)
        graph.edge(ids[parent], junction, arrowhead="none", **_edge_attrs(None, is_lit, opts))
    _add_clusters(graph, clusters)
    _add_caption(graph, opts, frame)
    return graph


def _layers(order: list[Value]) -> dict[Value, int]:
    """The layer cluster of each node that has one: by its neuron (see _group_neurons), so the
    unlabelled pieces of a neuron join it, else by an nn label (W[l]..., A[0]_k, ...)."""
    owner, _ = _group_neurons(order)
    layers = {node: neuron.layer for node, neuron in owner.items()}
    for node in order:
        if node not in layers and (layer := _layer(node)) is not None:
            layers[node] = layer
    return layers


def _value_attrs(
    node: Value, root: Value, opts: _Options, frame: _Frame | None, lit: bool
) -> dict[str, str]:
    """A value's box: label, data and grad, filled by kind, outlined red when highlighted."""
    name = html.escape(node.label) if node.label is not None else ""
    grad = f"grad {_num(node.grad, opts.digits)}"
    unknown = False
    if frame is not None and node not in frame.final:
        if node in frame.partial:
            grad = f'<FONT COLOR="{UNKNOWN}"><I>{grad} + ...</I></FONT>'
        else:
            grad, unknown = "grad ?", True
    texts = [name, f"data {_num(node.data, opts.digits)}", grad]
    if not name:
        texts = texts[1:]
    attrs = {
        "label": _cells(texts, opts.rankdir, bold_first=bool(name)),
        "fillcolor": FILL[_kind(node, root)],
    }
    if unknown:
        attrs.update(color=UNKNOWN, fontcolor=UNKNOWN)
    if lit:
        attrs.update(color=HIGHLIGHT, penwidth="3")
    return attrs


def _op_attrs(op: str, lit: bool) -> dict[str, str]:
    attrs = {
        "label": op,
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": OP_FILL,
        "fontsize": "10",
        "width": "0.3",
        "height": "0.25",
        "margin": "0.03,0.01",
    }
    if lit:
        attrs.update(color=HIGHLIGHT, penwidth="2.5")
    return attrs


def _edge_attrs(local: float | None, lit: bool, opts: _Options) -> dict[str, str]:
    """An edge; one into an op carries its local derivative (the chain-rule factor) as label."""
    attrs = {}
    if local is not None and opts.edge_labels:
        attrs.update(label=_num(local, opts.digits), fontcolor=EDGE_LABEL)
    if lit:
        attrs.update(color=HIGHLIGHT, penwidth="2.5", fontcolor=HIGHLIGHT)
    return attrs


def _lit_nodes(root: Value, opts: _Options, frame: _Frame | None) -> set[Value]:
    """The values to outline: the highlight set, the paths to root, or the current step's node."""
    if frame is not None:
        return {frame.step.node}
    lit = set(opts.highlight)
    if opts.highlight_paths_from is not None:
        lit |= nodes_reaching(root, opts.highlight_paths_from)
    return lit


def _step_caption(frame: _Frame, digits: int, most: int = 8) -> list[str]:
    """What one backward step did, as lines: the node's grad and what it added to each parent."""
    step = frame.step
    g = _num(step.grad, digits)
    head = f"step {step.index} of 0-{frame.total - 1}: {_name(step.node, digits)} has grad g = {g}"
    if not step.contributions:
        return [head + "; a leaf, nothing to pass on"]
    lines = [head + "; it passes (local derivative) x g to each parent:"]
    for c in step.contributions[:most]:
        lines.append(
            f"  {_name(c.parent, digits)}.grad += {_num(c.local_grad, digits)} x {g}"
            f" = {_num(c.added, digits)}"
        )
    if len(step.contributions) > most:
        lines.append(f"  ... and {len(step.contributions) - most} more")
    return lines


def _name(node: Value, digits: int) -> str:
    """A node's label, or for an unlabelled one its op and value: '(* -8)'."""
    return node.label or f"({node.op or 'leaf'} {_num(node.data, digits)})"


# ---- the neuron view ---------------------------------------------------------------------------


@dataclass(eq=False)  # compared and hashed by identity, like Value
class _Neuron:
    """One neuron's box: its Z and A (and unlabelled nodes between), and its folded parameters."""

    layer: int
    index: int
    members: list[Value] = field(default_factory=list)
    params: list[Value] = field(default_factory=list)


def _group_neurons(order: list[Value]) -> tuple[dict[Value, _Neuron], list[_Neuron]]:
    """Which box each node belongs to (the rule is in to_dot's docstring), and the boxes."""
    neurons: dict[tuple[int, int], _Neuron] = {}
    owner: dict[Value, _Neuron] = {}
    for node in order:
        m = _NEURON.match(node.label or "")
        if m and node.parents:
            key = (int(m[2]), int(m[3]))
            owner[node] = neurons.setdefault(key, _Neuron(*key))

    # Walk back from each neuron's Z and A through unlabelled intermediates (stopping at labelled
    # nodes and leaves); a node reached from exactly one neuron belongs to it.
    reached_by: dict[Value, set[_Neuron]] = {}
    for start, neuron in list(owner.items()):
        stack = [start]
        while stack:
            for parent in stack.pop().parents:
                if parent.label is None and parent.parents and parent not in owner:
                    seen = reached_by.setdefault(parent, set())
                    if neuron not in seen:
                        seen.add(neuron)
                        stack.append(parent)
    for node, found in reached_by.items():
        if len(found) == 1:
            owner[node] = next(iter(found))

    # A parameter whose every use is inside one neuron folds into it.
    used_in: dict[Value, set[_Neuron | None]] = {}
    for node in order:
        for parent in node.parents:
            used_in.setdefault(parent, set()).add(owner.get(node))
    for node in order:
        boxes = used_in.get(node, set())
        if _is_parameter(node) and len(boxes) == 1 and None not in boxes:
            owner[node] = next(iter(boxes))  # type: ignore[assignment]

    for node in order:
        if node in owner:
            neuron = owner[node]
            (neuron.members if node.parents else neuron.params).append(node)
    return owner, sorted(neurons.values(), key=lambda n: (n.layer, n.index))


def _neuron_graph(root: Value, order: list[Value], opts: _Options) -> graphviz.Digraph:
    """One box per neuron, other values as in the value view, edges between them."""
    owner, neurons = _group_neurons(order)
    standalone = [node for node in order if node not in owner]
    _check_size(root, len(neurons) + len(standalone), opts, neurons=len(neurons))

    graph = _new_graph(opts)
    lit = _lit_nodes(root, opts, None)
    box_id = {n: f"n{n.layer}_{n.index}" for n in neurons}
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    clusters: dict[int, list[tuple[str, dict[str, str]]]] = {}

    def add(node_id: str, attrs: dict[str, str], layer: int | None) -> None:
        if layer is None:
            graph.node(node_id, **attrs)
        else:
            clusters.setdefault(layer, []).append((node_id, attrs))

    for neuron in neurons:
        is_lit = any(v in lit for v in neuron.members + neuron.params)
        add(box_id[neuron], _neuron_attrs(neuron, root, opts, is_lit), neuron.layer)
    for node in standalone:
        add(ids[node], _value_attrs(node, root, opts, None, node in lit), _layer(node))
        if node.parents:
            op_lit = node in lit and any(p in lit for p in node.parents)
            add("op" + ids[node][1:], _op_attrs(node.op, op_lit), _layer(node))
            graph.edge("op" + ids[node][1:], ids[node], **_edge_attrs(None, op_lit, opts))

    # Coarse edges: each original edge whose ends are in different boxes, merged per pair of ends.
    merged: dict[tuple[str, str], tuple[list[float], bool]] = {}
    for node in order:
        for parent, local in zip(node.parents, node.local_grads):
            src = box_id[owner[parent]] if parent in owner else ids[parent]
            dst = box_id[owner[node]] if node in owner else "op" + ids[node][1:]
            if src == dst:
                continue
            locals_, was_lit = merged.get((src, dst), ([], False))
            locals_.append(local)
            merged[(src, dst)] = (locals_, was_lit or (parent in lit and node in lit))
    for (src, dst), (locals_, edge_lit) in merged.items():
        local = locals_[0] if len(locals_) == 1 else None
        attrs = _edge_attrs(local, edge_lit, opts)
        if len(locals_) > 1:  # a thicker line, unlabelled, for an edge that stands for several
            attrs.setdefault("penwidth", "1.8")
        graph.edge(src, dst, **attrs)
    _add_clusters(graph, clusters)
    _add_caption(graph, opts, None)
    return graph


def _neuron_attrs(neuron: _Neuron, root: Value, opts: _Options, lit: bool) -> dict[str, str]:
    """A neuron's box: a title row, a row per labelled member (data, grad), its parameters."""
    d = opts.digits
    named = [v for v in neuron.members if v.label is not None]
    act = next((v.op for v in named if v.label.startswith("A")), "")
    title = f"neuron [{neuron.layer}]_{neuron.index}" + (f"  ({act})" if act else "")
    rows = [f'<TR><TD COLSPAN="3"><B>{html.escape(title)}</B></TD></TR>']
    for v in named:
        rows.append(_row(v.label, f"data {_num(v.data, d)}", f"grad {_num(v.grad, d)}", None))
    weights = [p for p in neuron.params if (p.label or "").startswith("W[")]
    biases = [p for p in neuron.params if (p.label or "").startswith("b[")]
    param_fill = FILL["parameter"]
    if weights:
        # Name the weights by their labels' common part: W[2]_3,1 ... W[2]_3,6 -> W[2]_3,*
        labels = [w.label or "" for w in weights]
        name = labels[0] if len(labels) == 1 else os.path.commonprefix(labels) + "*"
        norm = sum(w.grad * w.grad for w in weights) ** 0.5
        count = f"{len(weights)} weight" + ("s" if len(weights) > 1 else "")
        rows.append(_row(name, count, f"|grad| {_num(norm, d)}", param_fill))
    for b in biases:
        rows.append(
            _row(b.label or "b", f"data {_num(b.data, d)}", f"grad {_num(b.grad, d)}", param_fill)
        )
    label = f'<<TABLE {_TABLE} ROWS="*">' + "".join(rows) + "</TABLE>>"
    is_root = root in neuron.members
    attrs = {"label": label, "fillcolor": FILL["loss" if is_root else "intermediate"]}
    if lit:
        attrs.update(color=HIGHLIGHT, penwidth="3")
    return attrs


def _row(name: str, data: str, grad: str, fill: str | None) -> str:
    bg = f' BGCOLOR="{fill}"' if fill else ""
    cells = (html.escape(name), data, grad)
    return "<TR>" + "".join(f'<TD ALIGN="LEFT"{bg}>{c}</TD>' for c in cells) + "</TR>"


# ---- shared pieces -----------------------------------------------------------------------------


def _options(
    rankdir: str = "LR",
    edge_labels: bool = True,
    view: str = "values",
    highlight: Iterable[Value] = (),
    highlight_paths_from: Value | None = None,
    max_nodes: int = 300,
    digits: int = 4,
    legend: bool = True,
    backend: str | None = None,
) -> _Options:
    """Check the options once, with messages that name the allowed values."""
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    if view not in _VIEWS:
        raise ValueError(f"view must be one of {_VIEWS}, got {view!r}")
    if backend not in (None, "system", "pure"):
        raise ValueError(f"backend must be 'system', 'pure' or None, got {backend!r}")
    if not 1 <= digits <= 17:
        raise ValueError(f"digits must be between 1 and 17, got {digits}")
    return _Options(
        rankdir=rankdir,
        edge_labels=edge_labels,
        view=view,
        highlight=frozenset(highlight),
        highlight_paths_from=highlight_paths_from,
        max_nodes=max_nodes,
        digits=digits,
        legend=legend,
        backend=backend,
    )


def _check_size(root: Value, count: int, opts: _Options, neurons: int | None = None) -> None:
    """Refuse to draw more than max_nodes nodes, saying how many there are and what to do."""
    if count <= opts.max_nodes:
        return
    name = repr(root.label) if root.label else "the root"
    if neurons is None:
        hint = (
            "draw the coarser view='neurons' instead (one box per neuron, grouped by the labels "
            "Z[l]_j / A[l]_j, its parameters folded in), or pass a larger max_nodes"
        )
        what = "value nodes"
    else:
        hint = "even this coarse view is too big to read; pass a larger max_nodes to draw it anyway"
        what = f"nodes in view='neurons' ({neurons} neuron boxes and the values outside them)"
    raise ValueError(
        f"the graph of {name} has {count} {what}, more than max_nodes={opts.max_nodes}: {hint}"
    )


def _new_graph(opts: _Options) -> graphviz.Digraph:
    digraph = dot.digraph_class()
    graph = digraph(
        "chainrule",
        graph_attr={
            "rankdir": opts.rankdir,
            "fontname": FONT,
            "nodesep": "0.12",
            "ranksep": "0.3",
            "newrank": "true",
        },
        # Value boxes are the default node; op nodes override shape and size.
        node_attr={
            "fontname": FONT,
            "fontsize": "11",
            "shape": "box",
            "style": "rounded,filled",
            "margin": "0.06,0.03",
            "height": "0.2",
        },
        edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.6", "color": EDGE},
    )
    graph.chainrule_backend = opts.backend
    graph.format = "svg"  # for .render() and .view(); graphviz's default, pdf, needs system dot
    return graph


def _add_clusters(graph: graphviz.Digraph, clusters: dict[int, list[tuple[str, dict]]]) -> None:
    """One subgraph 'cluster_layer_l' per layer, holding the nodes gathered for it."""
    for layer in sorted(clusters):
        with graph.subgraph(name=f"cluster_layer_{layer}") as sub:
            sub.attr(
                label=f"layer {layer}",
                style="rounded,filled",
                fillcolor=CLUSTER_FILL,
                color="#cbd5e1",
                fontcolor="#475569",
                fontsize="12",
            )
            for node_id, attrs in clusters[layer]:
                sub.node(node_id, **attrs)


def _add_caption(graph: graphviz.Digraph, opts: _Options, frame: _Frame | None) -> None:
    """The graph's caption: the backward step being shown, then a key to the colours."""
    rows = []
    if frame is not None:
        lines = [html.escape(line) for line in _step_caption(frame, opts.digits)]
        text = '<BR ALIGN="LEFT"/>'.join(line.replace("  ", "&nbsp;" * 4) for line in lines)
        rows.append(f'<TR><TD ALIGN="LEFT">{text}<BR ALIGN="LEFT"/></TD></TR>')
    if opts.legend:
        keys = ("input", "parameter", "intermediate", "loss")
        swatches = "".join(f'<TD BGCOLOR="{FILL[k]}" BORDER="1">{k}</TD>' for k in keys)
        note = "<TD>edge label: d(result)/d(operand)</TD>" if opts.edge_labels else ""
        key = f'<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="3"><TR>{swatches}{note}</TR></TABLE>'
        rows.append(f'<TR><TD ALIGN="LEFT">{key}</TD></TR>')
    if rows:
        graph.attr(
            label=f'<<TABLE BORDER="0" CELLSPACING="0">{"".join(rows)}</TABLE>>',
            labelloc="b",
            labeljust="l",
            fontsize="11",
        )

"""The graph as DOT: every value a box, every op an oval, every edge its chain-rule factor.

How the value view reads:

- A value node is a box: label, ``data`` (forward value), ``grad`` (d root / d node). Fill colour
  says what it is: blue an input, amber a parameter, white an intermediate, red the root (the
  loss). Which leaves are parameters, and how nodes group, comes from the ``describe`` hook.
- Each op is its own small oval between its operands and its result: ``a, b -> (*) -> a*b``.
- The label on an edge from a value into an op is the local derivative d result / d operand:
  a node's grad is the sum, over its edges, of factor x the result's grad.
- Nodes the hook puts in a cluster are drawn inside a titled frame; a value used inside another
  cluster enters it at a small junction dot and fans out from there, so a fully connected layer
  draws one line per input, not one per weight.

The boxed view draws each of the hook's boxes (e.g. nn's neurons) as one node listing its rows.
"""

from __future__ import annotations

import os
import sys
import types
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.graph import BackwardStep, nodes_reaching
from engine.render.options import NodeStyle, RenderOptions, style_of
from engine.render.text import html_text, name, num, visible

if TYPE_CHECKING:
    import graphviz

    from engine.value import Value

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
PARALLEL_PORTS = {"TB": ("sw", "se", "s"), "LR": ("ne", "se", "e")}  # see value_graph
PAGE = (7.5, 10.5)  # inches: an A4 page less its margins
PNG_WIDTH = 1600 / 96  # inches: the widest png by default, 1,600 px at the default 96 dpi
_TABLE = 'BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"'  # a node's inner table


@dataclass(frozen=True)
class Frame:
    """One moment of a backward pass, for step pictures: the step just done, of how many, this
    pass's gradient of every node reached so far, and which of those are final."""

    step: BackwardStep
    total: int
    grads: dict[Value, float]
    final: set[Value]
    partial: set[Value]


@dataclass(frozen=True)
class Layout:
    """The choices made for one drawing: direction and view (after 'auto' is resolved)."""

    rankdir: str
    view: str


# ---- choosing the layout -----------------------------------------------------------------------


def _adder(graph: graphviz.Digraph, clusters: dict[str, list[tuple[str, dict[str, str]]]]):
    """add(node_id, attrs, cluster): declare a node now, or keep it for its cluster (drawn later
    by add_clusters). The id becomes the SVG element's id, which the explorer's script reads."""

    def add(node_id: str, attrs: dict[str, str], cluster: str | None) -> None:
        attrs = {"id": node_id, **attrs}
        if cluster is None:
            graph.node(node_id, **attrs)
        else:
            clusters.setdefault(cluster, []).append((node_id, attrs))

    return add


def heights(order: list[Value]) -> dict[Value, int]:
    """Each node's distance in edges from the root (the longest one): the root is 0."""
    height = {order[-1]: 0}
    for node in reversed(order):
        h = height.get(node, 0) + 1
        for parent in node.parents:
            if height.get(parent, -1) < h:
                height[parent] = h
    return height


def fit_scale(order: list[Value], rankdir: str) -> float:
    """Roughly how much dot must shrink the value view to fit a page (1 = not at all).

    Estimated from the graph's depth and its widest level, with the sizes one value box and op
    take in each direction (measured on the demos' graphs): good enough to choose a layout.
    """
    levels: dict[int, int] = {}
    for h in heights(order).values():
        levels[h] = levels.get(h, 0) + 1
    depth, breadth = max(levels) + 1, max(levels.values())
    if rankdir == "LR":
        width, height = depth * 340.0, breadth * 45.0
    else:
        width, height = breadth * 100.0, depth * 150.0
    page_w, page_h = PAGE[0] * 72, PAGE[1] * 72
    return min(1.0, page_w / width, page_h / height)


def choose_rankdir(order: list[Value], opts: RenderOptions) -> str:
    """rankdir as asked; for 'auto', LR when that shrinks the picture no more than TB does."""
    if opts.rankdir != "auto":
        return opts.rankdir
    return "LR" if fit_scale(order, "LR") >= fit_scale(order, "TB") else "TB"


def choose_layout(order: list[Value], opts: RenderOptions) -> Layout:
    """The layout of one drawing: the view the caller names, and a direction that fits a page.

    The view is never changed behind the caller's back. When the hook offers boxes and the value
    view would shrink below 0.3 of its size to fit a page, a warning says so and names
    view='boxes'; view='auto' (asked for by name) draws the boxes then, and its warning says
    that it did and names view='values'.
    """
    rankdir = choose_rankdir(order, opts)
    view = opts.view
    if view == "boxes":
        return Layout(rankdir, view)
    scale = fit_scale(order, rankdir)
    too_big = len(order) > opts.max_nodes or scale < 0.3
    if too_big and any(style_of(opts, node).box is not None for node in order):
        shrink = f"about {scale:.0%} of its size" if scale >= 0.01 else "less than 1% of its size"
        if view == "auto":
            _warn(
                f"view='auto' draws this graph one box per group of the describe hook (as "
                f"view='boxes'): its {len(order)} values would shrink to {shrink} to fit a page; "
                f"pass view='values' to draw every value anyway"
            )
            return Layout(rankdir, "boxes")
        if len(order) <= opts.max_nodes:  # above it, check_size refuses, naming view='boxes'
            _warn(
                f"the value view of this graph ({len(order)} values) shrinks to {shrink} to fit "
                f"a page; pass view='boxes' to draw one box per group of the describe hook (one "
                f"per neuron for describe=nn.graph_view(model))"
            )
    return Layout(rankdir, "values")


def _warn(message: str) -> None:
    """A UserWarning attributed to the first caller outside engine.render (the user's line)."""
    here = os.path.dirname(os.path.abspath(__file__))
    frame: types.FrameType | None = sys._getframe(1)
    level = 2  # the caller of _warn
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


# ---- the value view ----------------------------------------------------------------------------


def value_graph(
    root: Value,
    order: list[Value],
    opts: RenderOptions,
    layout: Layout,
    frame: Frame | None = None,
) -> graphviz.Digraph:
    """Every value as a box, every op as an oval, edges labelled with local derivatives."""
    graph = new_graph(opts, layout)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    styles = {node: style_of(opts, node) for node in order}
    lit = lit_nodes(root, opts, frame)
    clusters: dict[str, list[tuple[str, dict[str, str]]]] = {}
    junctions: dict[tuple[Value, str], bool] = {}  # (value, cluster it enters) -> lit

    add = _adder(graph, clusters)

    index = {node: i for i, node in enumerate(order)}
    declared = sorted(order, key=lambda n: (styles[n].order, index[n]))
    for node in declared:
        cluster = styles[node].cluster
        add(ids[node], value_attrs(node, root, opts, layout, frame, node in lit), cluster)
        if node.parents:
            add("op" + ids[node][1:], op_attrs(node, op_is_lit(node, lit, frame)), cluster)
    for node in order:
        if not node.parents:
            continue
        cluster = styles[node].cluster
        op_lit = op_is_lit(node, lit, frame)
        op_id = "op" + ids[node][1:]
        graph.edge(op_id, ids[node], id="o" + ids[node][1:], **edge_attrs(None, op_lit, opts))
        for k, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            edge_lit = op_lit and (frame is not None or parent in lit)
            tail = ids[parent]
            if cluster is not None and styles[parent].cluster != cluster:
                # A value entering another cluster meets a junction dot at the cluster's edge and
                # fans out from there: one line per value between clusters, not one per use.
                key = (parent, cluster)
                junctions[key] = junctions.get(key, False) or edge_lit
                tail = junction_id(ids[parent], cluster, clusters)
            edge_id = f"e{ids[node][1:]}_{k}"  # edge k into node's op, for the explorer
            attrs = edge_attrs(local, edge_lit, opts)
            if tail == ids[parent] and node.parents.count(parent) > 1:
                # x * x: parallel edges leave the value from different corners, so that dot
                # lays them (and their factors) apart instead of one label over the other.
                seen = node.parents[:k].count(parent)
                attrs["tailport"] = PARALLEL_PORTS[layout.rankdir][seen % 3]
            if len(node.parents) > 2 and "label" in attrs:
                # Many edges meet at an n-ary op (linear, sum): twice the usual length gives
                # their factors room to sit apart, mid-edge, instead of piling up at the op.
                attrs["minlen"] = "2"
            graph.edge(tail, op_id, id=edge_id, **attrs)
    for (parent, cluster), is_lit in junctions.items():
        junction = junction_id(ids[parent], cluster, clusters)
        add(junction, {"shape": "point", "width": "0.06", "color": EDGE}, cluster)
        attrs = edge_attrs(None, is_lit, opts)
        graph.edge(ids[parent], junction, id="f" + junction, arrowhead="none", **attrs)
    add_clusters(graph, clusters, side_by_side(order, styles, ids), layout.rankdir)
    add_caption(graph, opts, frame, {kind_of(node, root, opts) for node in order})
    return graph


def side_by_side(
    order: list[Value], styles: dict[Value, NodeStyle], ids: dict[Value, str]
) -> dict[str | None, list[list[str]]]:
    """Rows of leaves to draw side by side (left to right, or top to bottom in LR), by cluster.

    In each cluster, the leaves with an ``order`` key (a layer's weights and biases) form one row
    sorted by it; outside clusters, the leaves feeding one op form a row in operand order (a
    network's inputs X_1, X_2, ...). So units and weights read in index order instead of wherever
    dot's crossing reduction happens to put them.
    """
    rows: dict[str | None, list[list[str]]] = {}
    keyed: dict[str, list[Value]] = {}
    for node in order:
        style = styles[node]
        if not node.parents and style.order and style.cluster is not None:
            keyed.setdefault(style.cluster, []).append(node)
    for cluster, leaves in keyed.items():
        if len(leaves) > 1:
            rows[cluster] = [[ids[p] for p in sorted(leaves, key=lambda p: styles[p].order)]]
    taken: set[Value] = set()
    for node in order:
        free = [
            p
            for p in dict.fromkeys(node.parents)
            if not p.parents and styles[p].cluster is None and p not in taken
        ]
        if len(free) > 1:
            taken.update(free)
            rows.setdefault(None, []).append([ids[p] for p in free])
    # Computed nodes with an order key at the same depth in one cluster (a layer's Z or A nodes)
    # form a row in that order, and so do their op ovals: units read in index order.
    height = heights(order)
    level: dict[tuple[str, int], list[Value]] = {}
    for node in order:
        style = styles[node]
        if node.parents and style.order and style.cluster is not None:
            level.setdefault((style.cluster, height[node]), []).append(node)
    for (cluster, _), nodes in level.items():
        if len(nodes) > 1:
            nodes.sort(key=lambda n: styles[n].order)  # stable: ties keep graph order
            rows.setdefault(cluster, []).append([ids[n] for n in nodes])
            rows[cluster].append(["op" + ids[n][1:] for n in nodes])
    return rows


def junction_id(value_id: str, cluster: str, clusters: dict[str, list]) -> str:
    return f"j{value_id[1:]}_{list(clusters).index(cluster)}"


def kind_of(node: Value, root: Value, opts: RenderOptions) -> str:
    """The hook's kind, else 'loss' for the root, 'input' for a leaf, 'intermediate' otherwise."""
    if node is root:
        return "loss"
    kind = style_of(opts, node).kind
    if kind is not None:
        return kind
    return "intermediate" if node.parents else "input"


def op_is_lit(node: Value, lit: set[Value], frame: Frame | None) -> bool:
    """Gradient flows through this op: on a highlighted path, or at this step."""
    if frame is not None:
        return node is frame.step.node
    return node in lit and any(p in lit for p in node.parents)


def value_attrs(
    node: Value,
    root: Value,
    opts: RenderOptions,
    layout: Layout,
    frame: Frame | None,
    lit: bool,
) -> dict[str, str]:
    """A value's box: label, data and grad, filled by kind, outlined red when highlighted."""
    shown = style_of(opts, node).name or node.label
    label = html_text(shown) if shown is not None else ""
    grad_value = node.grad if frame is None else frame.grads.get(node, 0.0)
    grad = f"grad {num(grad_value, opts.digits)}"
    unknown = False
    if frame is not None and node not in frame.final:
        if node in frame.partial:
            grad = f'<FONT COLOR="{UNKNOWN}"><I>{grad} + ...</I></FONT>'
        else:
            grad, unknown = "grad ?", True
    texts = [label, f"data {num(node.data, opts.digits)}", grad]
    if not label:
        texts = texts[1:]
    attrs = {
        "label": cells(texts, layout.rankdir, bold_first=bool(label)),
        "fillcolor": FILL[kind_of(node, root, opts)],
    }
    if unknown:
        attrs.update(color=UNKNOWN, fontcolor=UNKNOWN)
    if lit:
        attrs.update(color=HIGHLIGHT, penwidth="3")
    return attrs


def op_attrs(node: Value, lit: bool) -> dict[str, str]:
    attrs = {
        "label": node.op,  # the engine's op names are short ASCII words and symbols
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": OP_FILL,
        "fontsize": "10",
        "width": "0.3",
        "height": "0.25",
        "margin": "0.03,0.01",
    }
    if len(node.parents) > 2:
        # An n-ary op (linear, sum) gathers many edges: a wider oval spreads their heads, and
        # the factor labels sit out along each edge instead of piling up at the op.
        attrs["width"] = "0.6"
    if lit:
        attrs.update(color=HIGHLIGHT, penwidth="2.5")
    return attrs


def edge_attrs(local: float | None, lit: bool, opts: RenderOptions) -> dict[str, str]:
    """An edge; one into an op carries its local derivative (the chain-rule factor) as label."""
    attrs: dict[str, str] = {}
    if local is not None and opts.edge_labels:
        attrs.update(label=num(local, opts.digits), fontcolor=EDGE_LABEL)
    if lit:
        attrs.update(color=HIGHLIGHT, penwidth="2.5", fontcolor=HIGHLIGHT)
    return attrs


def lit_nodes(root: Value, opts: RenderOptions, frame: Frame | None) -> set[Value]:
    """The values to outline: the highlight set, the paths to root, or the current step's node."""
    if frame is not None:
        return {frame.step.node}
    lit = set(opts.highlight)
    if opts.highlight_paths_from is not None:
        lit |= nodes_reaching(root, opts.highlight_paths_from)
    return lit


def cells(texts: list[str], rankdir: str, bold_first: bool = True) -> str:
    """An HTML-like table for a node: one row across for LR, one column down for TB.

    In LR the ranks are columns, so short wide boxes stack compactly; in TB they are rows, so tall
    narrow boxes sit side by side compactly.
    """
    content = [f"<B>{t}</B>" if i == 0 and bold_first else t for i, t in enumerate(texts)]
    if rankdir == "LR":
        rows = "<TR>" + "".join(f"<TD>{c}</TD>" for c in content) + "</TR>"
        rules = 'COLUMNS="*"'
    else:
        rows = "".join(f"<TR><TD>{c}</TD></TR>" for c in content)
        rules = 'ROWS="*"'
    return f"<<TABLE {_TABLE} {rules}>{rows}</TABLE>>"


# ---- the boxed view ----------------------------------------------------------------------------


@dataclass(eq=False)  # compared and hashed by identity, like Value
class Box:
    """One of the hook's boxes: its title, cluster, and its nodes in declaration order."""

    title: str
    cluster: str | None
    nodes: list[Value] = field(default_factory=list)


def group_boxes(order: list[Value], opts: RenderOptions) -> tuple[dict[Value, Box], list[Box]]:
    """Which box each node belongs to (by the hook's ``box``), and the boxes in order."""
    boxes: dict[str, Box] = {}
    owner: dict[Value, Box] = {}
    index = {node: i for i, node in enumerate(order)}
    styles = {node: style_of(opts, node) for node in order}
    for node in sorted(order, key=lambda n: (styles[n].order, index[n])):
        title = styles[node].box
        if title is not None:
            box = boxes.setdefault(title, Box(title, styles[node].cluster))
            box.nodes.append(node)
            owner[node] = box
    return owner, list(boxes.values())


def box_graph(
    root: Value, order: list[Value], opts: RenderOptions, layout: Layout
) -> graphviz.Digraph:
    """One node per box, other values as in the value view, edges between them."""
    owner, boxes = group_boxes(order, opts)
    graph = new_graph(opts, layout)
    lit = lit_nodes(root, opts, None)
    box_id = {box: f"n{i}" for i, box in enumerate(boxes)}
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    clusters: dict[str, list[tuple[str, dict[str, str]]]] = {}

    add = _adder(graph, clusters)

    for box in boxes:
        is_lit = any(v in lit for v in box.nodes)
        add(box_id[box], box_attrs(box, root, opts, is_lit), box.cluster)
    for node in order:
        if node in owner:
            continue
        cluster = style_of(opts, node).cluster
        add(ids[node], value_attrs(node, root, opts, layout, None, node in lit), cluster)
        if node.parents:
            op_lit = op_is_lit(node, lit, None)
            add("op" + ids[node][1:], op_attrs(node, op_lit), cluster)
            graph.edge("op" + ids[node][1:], ids[node], **edge_attrs(None, op_lit, opts))

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
        shown = locals_[0] if len(locals_) == 1 else None
        attrs = edge_attrs(shown, edge_lit, opts)
        if len(locals_) > 1:  # a thicker line, unlabelled, for an edge that stands for several
            attrs.setdefault("penwidth", "1.8")
        graph.edge(src, dst, **attrs)
    add_clusters(graph, clusters, box_rows(order, boxes, box_id), layout.rankdir)
    add_caption(graph, opts, None, kinds_in_boxes(root, order, opts, owner))
    return graph


def box_rows(
    order: list[Value], boxes: list[Box], box_id: dict[Box, str]
) -> dict[str | None, list[list[str]]]:
    """Rows of boxes to draw side by side in the hook's order: the boxes of one cluster whose
    nodes come equally close to the root (a layer's neurons), in the order they were declared."""
    height = heights(order)
    level: dict[tuple[str | None, int], list[str]] = {}
    for box in boxes:  # already in the hook's order (group_boxes)
        top = min(height[n] for n in box.nodes)
        level.setdefault((box.cluster, top), []).append(box_id[box])
    rows: dict[str | None, list[list[str]]] = {}
    for (cluster, _), ids in level.items():
        if len(ids) > 1:
            rows.setdefault(cluster, []).append(ids)
    return rows


def box_attrs(box: Box, root: Value, opts: RenderOptions, lit: bool) -> dict[str, str]:
    """A box: a title row, then one row per row name: one value's data and grad (under the
    hook's ``name`` for it when given, else the row name), or for several values their count and
    the norm of their gradients."""
    d = opts.digits
    rows: dict[str, list[Value]] = {}
    for node in box.nodes:
        row = style_of(opts, node).row
        if row is not None:
            rows.setdefault(row, []).append(node)
    lines = [f'<TR><TD COLSPAN="3"><B>{html_text(box.title)}</B></TD></TR>']
    for row, nodes in rows.items():
        kind = kind_of(nodes[0], root, opts)
        fill = FILL[kind] if kind in ("parameter", "input") else None
        if len(nodes) == 1:  # one value: called by the hook's name for it, if it gives one
            v = nodes[0]
            shown = style_of(opts, v).name or row
            cols = (html_text(shown), f"data {num(v.data, d)}", f"grad {num(v.grad, d)}")
        else:
            norm = sum(v.grad * v.grad for v in nodes) ** 0.5
            cols = (html_text(row), f"{len(nodes)} values", f"|grad| {num(norm, d)}")
        bg = f' BGCOLOR="{fill}"' if fill else ""
        lines.append("<TR>" + "".join(f'<TD ALIGN="LEFT"{bg}>{c}</TD>' for c in cols) + "</TR>")
    attrs = {
        "label": f'<<TABLE {_TABLE} ROWS="*">' + "".join(lines) + "</TABLE>>",
        "fillcolor": FILL["loss" if root in box.nodes else "intermediate"],
    }
    if lit:
        attrs.update(color=HIGHLIGHT, penwidth="3")
    return attrs


# ---- shared pieces -----------------------------------------------------------------------------


def check_size(root: Value, count: int, opts: RenderOptions, boxes: int | None = None) -> None:
    """Refuse to draw more than max_nodes nodes, saying how many there are and what to do."""
    if count <= opts.max_nodes:
        return
    who = repr(html_text(root.label)) if root.label else "the root"
    if boxes is None:
        hint = (
            "draw the coarser view='boxes' with a describe hook that groups nodes (for an nn "
            "model: describe=nn.graph_view(model), one box per neuron), or pass a larger max_nodes"
        )
        what = "value nodes"
    else:
        hint = "even this coarse view is too big to read; pass a larger max_nodes to draw it anyway"
        what = f"nodes in view='boxes' ({boxes} boxes and the values outside them)"
    raise ValueError(
        f"the graph of {who} has {count} {what}, more than max_nodes={opts.max_nodes}: {hint}"
    )


def new_graph(opts: RenderOptions, layout: Layout) -> graphviz.Digraph:
    """A plain graphviz.Digraph with the house style, displaying through the chosen backend."""
    import graphviz

    from engine.render import backends

    graph_attr = {
        "rankdir": layout.rankdir,
        "fontname": FONT,
        "nodesep": "0.25",  # less lets two edges' factors overlap where the edges converge
        "ranksep": "0.3",
        "newrank": "true",
        # Rows (side_by_side, box_rows) keep units in index order with invisible edges; dot's
        # second crossing minimisation over the whole graph ignores them inside clusters, so it
        # is off (it only runs for graphs with clusters). No "ordering": the rows do that job.
        "remincross": "false",
    }
    if opts.size is not None:
        graph_attr["size"] = f"{opts.size[0]:g},{opts.size[1]:g}"
    graph = graphviz.Digraph(
        "chainrule",
        graph_attr=graph_attr,
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
    graph.format = "svg"  # for .pipe() and notebooks; graphviz's default, pdf, needs system dot
    return backends.attach(graph, opts.backend)


def dot_args(opts: RenderOptions, fmt: str) -> tuple[str, ...]:
    """Command-line settings for dot: the size limit (a page, or for png 16.7 in wide, which is
    1,600 px at 96 dpi) and dpi. The limit is in inches, so dpi always scales a png's pixels."""
    if fmt == "png":
        size = opts.size or (PNG_WIDTH, 100.0 * PNG_WIDTH)
        return (f"-Gsize={size[0]:.4g},{size[1]:.4g}", f"-Gdpi={opts.dpi:g}")
    if fmt in ("svg", "pdf"):
        size = opts.size or PAGE
        return (f"-Gsize={size[0]:.4g},{size[1]:.4g}",)
    return ()


def add_clusters(
    graph: graphviz.Digraph,
    clusters: dict[str, list[tuple[str, dict]]],
    rows: dict[str | None, list[list[str]]],
    rankdir: str,
) -> None:
    """One subgraph per cluster, titled with its name, holding the nodes gathered for it, and
    the rows of nodes to keep side by side in order (see side_by_side)."""
    add_rows(graph, rows.get(None, []))
    for i, (title, members) in enumerate(clusters.items()):
        with graph.subgraph(name=f"cluster_{i}") as sub:
            sub.attr(
                label=f"<{html_text(title)}>",
                style="rounded,filled",
                fillcolor=CLUSTER_FILL,
                color="#cbd5e1",
                fontcolor="#475569",
                fontsize="12",
            )
            for node_id, attrs in members:
                sub.node(node_id, **attrs)
            # Inside a cluster dot lays an LR row out bottom to top: chain it the other way, so
            # that unit 1 is on top, as outside clusters.
            add_rows(sub, rows.get(title, []), reverse=rankdir == "LR")


def add_rows(graph: graphviz.Digraph, rows: list[list[str]], reverse: bool = False) -> None:
    """Each row as a rank=same subgraph chained by invisible edges (from its end if reverse)."""
    for row in rows:
        if reverse:
            row = row[::-1]
        with graph.subgraph() as same:
            same.attr(rank="same")
            for tail, head in zip(row, row[1:]):
                same.edge(tail, head, style="invis")


def kinds_in_boxes(
    root: Value, order: list[Value], opts: RenderOptions, owner: dict[Value, Box]
) -> set[str]:
    """The fill colours a boxed view shows: its boxes' (the root's box is the loss), the rows
    of parameters and inputs inside them, and the kinds of the values drawn on their own."""
    kinds = set()
    for node in order:
        kind = kind_of(node, root, opts)
        box = owner.get(node)
        if box is None:
            kinds.add(kind)
            continue
        kinds.add("loss" if root in box.nodes else "intermediate")
        if kind in ("parameter", "input") and style_of(opts, node).row is not None:
            kinds.add(kind)
    return kinds


def add_caption(
    graph: graphviz.Digraph, opts: RenderOptions, frame: Frame | None, kinds: set[str]
) -> None:
    """The graph's caption: the backward step being shown, then a key to the colours drawn
    (only the kinds present, so a key never shows a colour the picture does not use)."""
    rows = []
    if frame is not None:
        head, *items = step_caption(frame, opts)
        lines = [f'<TR><TD ALIGN="LEFT" COLSPAN="2">{html_text(head)}</TD></TR>']
        lines += [
            f'<TR><TD WIDTH="16"></TD><TD ALIGN="LEFT">{html_text(t)}</TD></TR>' for t in items
        ]
        rows.append(f'<TR><TD><TABLE BORDER="0" CELLSPACING="0">{"".join(lines)}</TABLE></TD></TR>')
    if opts.legend:
        keys = [k for k in ("input", "parameter", "intermediate", "loss") if k in kinds]
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


def step_caption(frame: Frame, opts: RenderOptions, most: int = 8) -> list[str]:
    """What one backward step did: the node's grad, then what it added to each parent. Nodes
    are called by the hook's ``name`` where it gives one, as in the picture."""
    digits = opts.digits

    def called(node: Value) -> str:
        shown = style_of(opts, node).name
        return visible(shown) if shown is not None else name(node, digits)

    step = frame.step
    g = num(step.grad, digits)
    head = f"step {step.index} of steps 0 to {frame.total - 1}: {called(step.node)} has grad "
    head += f"g = {g}"
    if not step.contributions:
        return [head + "; a leaf, nothing to pass on"]
    lines = [head + "; it passes (local derivative) x g to each parent:"]
    for c in step.contributions[:most]:
        lines.append(
            f"{called(c.parent)}.grad += {num(c.local_grad, digits)} x {g} = {num(c.added, digits)}"
        )
    if len(step.contributions) > most:
        lines.append(f"... and {len(step.contributions) - most} more")
    return lines

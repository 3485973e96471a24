"""``explore``: one self-contained HTML page to step through the backward pass in a browser.

The page holds the graph laid out by dot as inline SVG, its own CSS and JavaScript, and the graph
and every backward step as JSON in ``<script type="application/json" id="graph-data">``. It
makes no network request of any kind and opens from ``file://``, with no server.

Contract (kept for tests and for anyone scripting the page): buttons ``#prev`` and ``#next``; an
element ``#caption`` naming the current step's node by label with its gradient; every value node an
SVG element with class ``node`` and attributes ``data-label`` and ``data-grad`` (the gradient shown
at this step, in full precision; empty before the node is reached); the current node has class
``current``; the JSON has ``nodes`` (id, label, op, data, grad, local_grads, parents) and
``steps`` (node, grad, contributions of parent, local_grad, added).
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.render import backends
from engine.render.dot import Layout, check_size, choose_rankdir, value_graph
from engine.render.files import write_atomic
from engine.render.options import RenderOptions, options_from, style_of
from engine.render.steps import frames, grads_kept
from engine.render.text import name, visible

if TYPE_CHECKING:
    from engine.value import Value


def explore(
    root: Value,
    path: str | os.PathLike[str],
    options: RenderOptions | None = None,
    *,
    names: Mapping[Value | str, str] | None = None,
    title: str | None = None,
    **kw: Any,
) -> Path:
    """Write a page to ``path`` (.html) where a reader steps root's backward pass node by node.

    The pass shown is the one ``root.backward()`` would run now, with this pass's gradients; every
    ``.grad`` is left as it was. The reader steps with the buttons or the arrow keys (Home/End for
    the ends), and clicks any node to see its op, value, gradient, local derivatives, parents and
    its paths to the root, each with its factors and their product (they sum to the gradient).
    ``names`` maps nodes (or labels) to other names, e.g. an article's: the page then has a button
    to switch between them and the labels. ``title`` heads the page. Drawing options as for
    to_dot (value view; the page shows the graph at full size, zoomable). Returns the path.
    """
    from engine.value import Value

    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value (the node to explore the graph of), got {root!r}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"explore writes an HTML page: path must end in .html, got {str(path)!r}")
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"names must be a mapping of Value or label to name, got {names!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {title!r}")
    opts = options_from(options, kw)
    if opts.view == "boxes":
        raise ValueError("explore steps through every value: view='values' or 'auto'")
    from engine.graph import topo_order

    order = topo_order(root)
    check_size(root, len(order), opts)
    layout = Layout(choose_rankdir(order, opts), "values")
    backends.require_program(opts.backend, "svg")  # before any work, with what is missing

    with grads_kept(order):
        steps = [frame.step for frame in frames(root, order)]
        final = {step.node: step.grad for step in steps}
        for node in order:  # draw the boxes with their final numbers, so each is wide enough
            node.grad = final.get(node, 0.0)
        source = value_graph(root, order, opts.replace(legend=False, highlight=()), layout).source
    from engine.render import page

    svg = backends.run(source, "svg", opts.backend).decode("utf-8")
    data = graph_data(root, order, steps, opts, names or {})
    tails = dict(_EDGE.findall(svg))  # edge id -> the id of the node it starts from
    for item in data["nodes"]:
        item["edges"] = [
            [eid] + (["f" + tails[eid]] if tails.get(eid, "").startswith("j") else [])
            for eid in (f"e{item['id']}_{k}" for k in range(len(item["parents"])))
        ]
    heading = title or f"Backpropagation through {name(root, opts.digits)}"
    document = page.document(
        title=heading,
        svg=prepare_svg(svg, order, opts.digits),
        data=json_for_script(data),
        has_names=bool(names),
    )
    return write_atomic(path, document)


def graph_data(
    root: Value,
    order: list[Value],
    steps: list,
    opts: RenderOptions,
    names: Mapping[Value | str, str],
) -> dict[str, Any]:
    """The graph and its backward pass as plain JSON-ready data."""
    index = {node: i for i, node in enumerate(order)}
    final = {step.node: step.grad for step in steps}
    nodes = []
    for i, node in enumerate(order):
        alt = names.get(node) if node in names else None
        if alt is None and node.label is not None:
            alt = names.get(node.label)
        style = style_of(opts, node)
        nodes.append(
            {
                "id": i,
                "label": visible(node.label) if node.label is not None else None,
                # the hook's name where it gives one, as in every picture; else the label
                "name": visible(style.name) if style.name is not None else name(node, opts.digits),
                "alt": visible(alt) if isinstance(alt, str) else None,
                "op": node.op,
                "kind": "loss" if node is root else (style.kind or _kind(node)),
                "data": _number(node.data),
                "grad": _number(final.get(node, 0.0)),
                "local_grads": [_number(g) for g in node.local_grads],
                "parents": [index[p] for p in node.parents],
                "cluster": style.cluster,
            }
        )
    return {
        "digits": opts.digits,
        "root": index[root],
        "nodes": nodes,
        "steps": [
            {
                "node": index[step.node],
                "grad": _number(step.grad),
                "contributions": [
                    {
                        "parent": index[c.parent],
                        "local_grad": _number(c.local_grad),
                        "added": _number(c.added),
                    }
                    for c in step.contributions
                ],
            }
            for step in steps
        ],
    }


def _kind(node: Value) -> str:
    return "intermediate" if node.parents else "input"


def _number(x: float) -> float | str:
    """A float for JSON: finite ones as numbers, NaN and infinities as the strings JS's Number()
    reads back ('NaN', 'Infinity', '-Infinity')."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def json_for_script(data: dict[str, Any]) -> str:
    """JSON that is safe inside a <script> element: no '</' can end it early."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


_EDGE = re.compile(r'<g id="(e\d+_\d+)" class="edge">\s*<title>(\w+)&#45;&gt;')
_G = re.compile(r'<g id="(v|op|j)([0-9_]+)" class="node">')


def prepare_svg(svg: str, order: list[Value], digits: int) -> str:
    """dot's SVG made ready to inline: no XML prolog, scalable, value nodes tagged for the page."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    svg = re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg id="graph-svg"', svg, count=1)

    def tag(m: re.Match[str]) -> str:
        kind, number = m[1], m[2]
        if kind == "v":
            node = order[int(number)]
            label = html.escape(name(node, digits), quote=True)
            return (
                f'<g id="v{number}" class="node" data-id="{number}" data-label="{label}" '
                'data-grad="">'
            )
        return f'<g id="{kind}{number}" class="{"op" if kind == "op" else "junction"}">'

    return _G.sub(tag, svg)

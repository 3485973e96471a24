"""How engine objects show themselves in a Jupyter notebook (IPython's ``_repr_html_``).

A ``Value`` with a small graph is drawn as SVG by the renderer; a larger one, or any graph when no
dot program is installed, is shown as text with its node count, so displaying a Value never fails
and never floods a notebook. A ``BackwardStep`` is a small table: the node, its gradient in this
pass, one row per contribution to a parent. The explorer's inline form is
``engine.render.explorer.Explorer``. The engine package imports this module, which attaches the
displays to the classes (see the end).
"""

from __future__ import annotations

import html
import warnings

from engine.graph import BackwardStep, topo_order
from engine.render import backends, to_dot
from engine.render.dot import dot_args
from engine.render.options import RenderOptions
from engine.value import Value

MAX_DRAWN = 60  # nodes: above this a Value shows as text (engine.explore steps through any size)

_BOX = 'style="font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;"'


def value_html(value: Value) -> str:
    """A Value's graph as inline SVG when it has at most MAX_DRAWN nodes and dot is available,
    else its repr and node count as text."""

    count = len(topo_order(value))
    text = html.escape(repr(value))
    if count > MAX_DRAWN:
        return _text(
            text,
            f"a graph of {count} nodes: too many to draw here (more than {MAX_DRAWN}); "
            "engine.explore(value) steps through it, engine.render(value, path) draws it",
        )
    svg = _svg(value)
    if svg is None:
        return _text(
            text,
            f"a graph of {count} nodes (no dot program to draw it: see "
            "engine.render's doc for what to install)",
        )
    return f'<div class="chainrule-value" style="max-width: 100%; overflow: auto;">{svg}</div>'


def _svg(value: Value) -> str | None:
    """The SVG dot draws of value's graph, without its XML prolog; None when it cannot be drawn."""

    opts = RenderOptions()
    if backends.find_program(opts.backend) is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a display is no place for dot's layout warnings
            source = to_dot(value, opts).source
            picture = backends.run(source, "svg", opts.backend, dot_args(opts, "svg"))
    except (RuntimeError, OSError, ValueError):  # dot failed: show the text instead
        return None
    svg = picture.decode("utf-8")
    return svg[svg.find("<svg") :] if "<svg" in svg else None


def _text(text: str, note: str) -> str:
    return (
        f'<div class="chainrule-value"><code {_BOX}>{text}</code><br>'
        f"<small>{html.escape(note)}</small></div>"
    )


def step_html(step: BackwardStep) -> str:
    """One backward step as a table: the node, its gradient, one row per contribution."""
    node = step.node
    op = html.escape(node.op) if node.op else "leaf"
    left = 'style="text-align: left;"'
    rows = "".join(
        "<tr>"
        f"<td {left}><code>{html.escape(_name(c.parent))}</code></td>"
        f"<td><code>{c.local_grad:.6g}</code></td>"
        f"<td><code>{c.added:.6g}</code></td>"
        "</tr>"
        for c in step.contributions
    )
    if not rows:
        rows = f'<tr><td colspan="3" {left}><i>a leaf: nothing to pass on</i></td></tr>'
    return (
        '<div class="chainrule-step">'
        f"<div>step {step.index}: <b>{html.escape(_name(node))}</b> [{op}], "
        f"data = {node.data:.6g}, its gradient in this pass g = {step.grad:.6g}</div>"
        f"<table><thead><tr><th {left}>parent</th><th>local derivative</th>"
        "<th>added = local &times; g</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def _name(v: Value) -> str:
    return v.label if v.label is not None else f"({v.op or 'leaf'} {v.data:.4g})"


# Attached here, beside the drawing code, rather than written in engine/value.py and
# engine/graph.py: those would then import the renderer, which imports them (an import circle).
# The engine package imports this module, so every Value and BackwardStep has them.
setattr(Value, "_repr_html_", value_html)  # noqa: B010 - a display hook, set from outside
setattr(BackwardStep, "_repr_html_", step_html)  # noqa: B010

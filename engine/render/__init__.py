"""Pictures of the computational graph: forward values, backward gradients, chain-rule factors.

    engine.render(J, "graph.png")              # one picture of the whole graph
    engine.to_dot(J)                           # a graphviz.Digraph; a notebook displays it inline
    engine.render_steps(J, "steps/")           # one picture per step of the backward pass
    engine.explore(J, "graph.html")            # one page to step through backward in a browser

Every function takes the drawing options as one ``RenderOptions`` or as keywords (see
``engine.render.options``). The modules: ``options`` (the options and the describe hook),
``text`` (numbers and labels), ``dot`` (graph to DOT), ``backends`` (running a dot program),
``files`` (atomic writes), ``steps`` (the backward pass frame by frame), ``explorer`` and ``page``
(the HTML page; imported when first used).

Rendering needs a ``dot`` program: Graphviz's own when it is on PATH, else ``graphviz-pure``
(``pip install graphviz-pure``, a self-contained dot), else an error saying what to install. Force
one with ``backend='system'`` or ``backend='pure'``, or the environment variable
``CHAINRULE_DOT=system|pure``. graphviz is imported only when something is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.graph import topo_order
from engine.render import backends, steps
from engine.render.backends import DotNotFoundError
from engine.render.dot import (
    box_graph,
    check_size,
    choose_layout,
    dot_args,
    group_boxes,
    value_graph,
)
from engine.render.files import write_atomic
from engine.render.options import NodeStyle, RenderOptions, options_from

if TYPE_CHECKING:
    import graphviz

    from engine.value import Value

__all__ = [
    "DotNotFoundError",
    "NodeStyle",
    "RenderOptions",
    "explore",
    "render",
    "render_steps",
    "to_dot",
]


def to_dot(root: Value, options: RenderOptions | None = None, **kw: Any) -> graphviz.Digraph:
    """The graph that computed ``root``, as a plain ``graphviz.Digraph``.

    A notebook shows it inline, rendered by the chosen dot program (Graphviz's or graphviz-pure).
    Options: a RenderOptions and/or its fields as keywords (see RenderOptions for each one).
    ValueError if the drawing would have more than max_nodes nodes, saying what to do instead.
    """
    opts = options_from(options, kw)
    _check_root(root)
    order = topo_order(root)
    start = opts.highlight_paths_from
    if start is not None and start not in set(order):
        raise ValueError(f"highlight_paths_from={start!r} is not a node of root's graph")
    layout = choose_layout(order, opts)
    if layout.view == "boxes":
        owner, boxes = group_boxes(order, opts)
        if not boxes:
            raise ValueError(
                "view='boxes' needs a describe hook that puts nodes in boxes, e.g. "
                "describe=nn.graph_view(model); this graph has none"
            )
        standalone = sum(1 for node in order if node not in owner)
        check_size(root, len(boxes) + standalone, opts, boxes=len(boxes))
        return box_graph(root, order, opts, layout)
    check_size(root, len(order), opts)
    return value_graph(root, order, opts, layout)


def render(
    root: Value, path: str | os.PathLike[str], options: RenderOptions | None = None, **kw: Any
) -> Path:
    """Draw root's graph into ``path``; the extension picks the format, and the path is returned.

    ``.png`` and ``.svg`` work with either dot program, ``.pdf`` with Graphviz's own only, and
    ``.dot`` (or ``.gv``) writes the DOT source without running dot. By default a png is at most
    16.7 in wide (1,600 px at the default dpi=96; dpi scales it) and an svg or pdf fits an A4
    page (options size, dpi, rankdir). The view is the one asked for (see RenderOptions.view). A
    missing folder is created. The file is written atomically: on any failure an existing file
    is left as it was. With no dot program found, the DOT source goes next to ``path`` and
    DotNotFoundError (a RuntimeError) says what to install.
    """
    path = _check_path(path, "path")
    fmt = backends.check_format(path.suffix or "(none)", f"path={str(path)!r}")
    opts = options_from(options, kw)
    source = to_dot(root, opts).source
    if fmt in ("dot", "gv"):
        return write_atomic(path, source)
    try:
        picture = backends.run(source, fmt, opts.backend, dot_args(opts, fmt))
    except DotNotFoundError as e:
        kept = write_atomic(path.with_suffix(".dot"), source)
        raise DotNotFoundError(f"{e}. The DOT source is in {kept}") from None
    return write_atomic(path, picture)


def render_steps(
    root: Value,
    directory: str | os.PathLike[str],
    fmt: str = "png",
    options: RenderOptions | None = None,
    **kw: Any,
) -> list[Path]:
    """Draw the backward pass that ``root.backward()`` would run now, one picture per step.

    It shows THIS pass's gradients (each step's ``BackwardStep.grad`` and each contribution's
    ``added``), whatever earlier backward() calls left in ``.grad``, and it leaves every ``.grad``
    of the graph exactly as it found it (it runs the steps itself, then restores them).

    Picture i (``step_000.png``, ``step_001.png``, ...) has step i's node outlined in red, with the
    edges its gradient just flowed down and a caption of what was added to which parent. A final
    gradient is shown; one that has received only part of its sum is grey with '+ ...'; one that
    has received nothing yet is '?'. The last picture shows exactly backward()'s gradients.
    ``fmt`` is 'png', 'svg', 'pdf' or 'dot'; the options are to_dot's (value view only). The
    folder is created if missing; frames that an earlier, longer run wrote there are removed (only
    those: it keeps a list of what it wrote). Returns the paths written, in step order.
    """
    directory = _check_path(directory, "directory")
    opts = options_from(options, kw)
    _check_root(root)
    return steps.render_steps(root, directory, fmt, opts, f"fmt={fmt!r}")


def explore(
    root: Value,
    path: str | os.PathLike[str],
    options: RenderOptions | None = None,
    *,
    names: Mapping[Value | str, str] | None = None,
    title: str | None = None,
    **kw: Any,
) -> Path:
    """Write ONE self-contained HTML page to ``path`` to step through root's backward pass.

    See engine.render.explorer.explore (imported on first use: most users never write a page).
    """
    from engine.render import explorer

    return explorer.explore(root, path, options, names=names, title=title, **kw)


def _check_root(root: object) -> None:
    from engine.value import Value

    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value (the node to draw the graph of), got {root!r}")


def _check_path(path: object, argument: str) -> Path:
    if isinstance(path, (str, os.PathLike)):
        return Path(path)
    raise TypeError(f"{argument} must be a str or os.PathLike, got {type(path).__name__}")

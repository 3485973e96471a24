"""Every drawing option in one frozen dataclass, checked once where the user hands it in.

``to_dot``, ``render``, ``render_steps`` and ``explore`` all take a ``RenderOptions`` (or the same
options as keywords, which are turned into one). The renderer knows nothing about what the nodes
of a graph mean to a library built on the engine: it asks an optional ``describe`` hook, a
callable ``node -> NodeStyle | None``, how to colour, group and fold each node (nn supplies one
built from a model's structure: ``nn.graph_view(model)``).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.value import Value

KINDS = ("input", "parameter", "intermediate", "loss")
VIEWS = ("auto", "values", "boxes")
RANKDIRS = ("auto", "LR", "TB")
BACKENDS = (None, "system", "pure")


@dataclass(frozen=True)
class NodeStyle:
    """What a ``describe`` hook says about one node; every field is optional.

    kind: one of KINDS, the fill colour (by default: the root is the loss, a leaf an input, any
      other node an intermediate; a hook marks the trainable leaves 'parameter').
    cluster: the title of a framed group the node is drawn in (e.g. 'layer 2').
    box: in the boxed view, nodes with the same box are drawn as ONE box with this title.
    row: inside a box, the row the node is listed under; nodes sharing a row are summarised
      (count and gradient norm); a node with no row is folded in silently.
    order: a sort key; nodes are declared to dot in this order (then graph order), so units
      of a layer come out in index order.
    name: the name drawn for the node instead of its label (e.g. an article's notation).
    """

    kind: str | None = None
    cluster: str | None = None
    box: str | None = None
    row: str | None = None
    order: tuple[Any, ...] = ()
    name: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"NodeStyle kind must be one of {KINDS} or None, got {self.kind!r}")
        for name in ("cluster", "box", "row", "name"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(
                    f"NodeStyle {name} must be a str or None, got {type(value).__name__}"
                )


Describe = Callable[["Value"], "NodeStyle | None"]


@dataclass(frozen=True)
class RenderOptions:
    """How to draw a graph. Every field has a default; invalid values raise at construction.

    rankdir: 'LR' (inputs left, root right), 'TB' (inputs on top), or 'auto': LR for shallow
      graphs, TB for deep ones, so that pictures fit a page.
    view: 'values' (every value and op; the default), 'boxes' (the ``describe`` hook's boxes
      drawn as one node each; 'neurons' is accepted as another name for it), or 'auto': boxes
      when the hook gives boxes and the value view would be too big for a page, else values.
      The view asked for is the view drawn: where the value view is too big for a page and
      the hook offers boxes, a UserWarning says so and names view='boxes' ('auto' switches, and
      its warning says that it did).
    edge_labels: write each edge's local derivative (the chain-rule factor) on it.
    highlight: nodes to outline in red, with the edges between them.
    highlight_paths_from: outline every path from this node up to the root.
    max_nodes: refuse to lay out more nodes than this (dot would take minutes, illegibly).
    digits: significant digits of the numbers shown, 1 to 17.
    legend: add a key of the colours.
    backend: which dot program renders: 'system' (Graphviz), 'pure' (graphviz-pure) or None
      (the environment variable CHAINRULE_DOT, else the first one found).
    size: the largest drawing, in inches, as (width, height); dot scales a larger one down.
      None: an A4 page (7.5 x 10.5 in) for svg and pdf, 16.7 in wide for png (1,600 px at
      the default dpi).
    dpi: pixels per inch of png pictures (svg and pdf are vector, in points): a png of the
      same graph at twice the dpi has twice the pixels each way.
    describe: the hook ``node -> NodeStyle | None`` (see NodeStyle), e.g. nn.graph_view(model).
    """

    rankdir: str = "auto"
    view: str = "values"
    edge_labels: bool = True
    highlight: frozenset[Value] = frozenset()
    highlight_paths_from: Value | None = None
    max_nodes: int = 300
    digits: int = 4
    legend: bool = True
    backend: str | None = None
    size: tuple[float, float] | None = None
    dpi: float = 96.0
    describe: Describe | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__.__get__(self)  # frozen: normalise through object.__setattr__
        _one_of("rankdir", self.rankdir, RANKDIRS)
        view = "boxes" if self.view == "neurons" else self.view
        _one_of("view", view, VIEWS + ("neurons",))
        set_("view", view)
        _one_of("backend", self.backend, BACKENDS)
        for name in ("edge_labels", "legend"):
            if not isinstance(getattr(self, name), bool):
                value = getattr(self, name)
                raise TypeError(f"{name} must be True or False, got {value!r}")
        _int_in("max_nodes", self.max_nodes, 1, None)
        _int_in("digits", self.digits, 1, 17)
        if isinstance(self.dpi, bool) or not isinstance(self.dpi, numbers.Real):
            raise TypeError(f"dpi must be a number of pixels per inch, got {self.dpi!r}")
        if not (math.isfinite(self.dpi) and 10 <= self.dpi <= 1200):
            raise ValueError(f"dpi must be between 10 and 1200 pixels per inch, got {self.dpi!r}")
        set_("dpi", float(self.dpi))
        set_("size", _size(self.size))
        if isinstance(self.highlight, (str, bytes)) or not isinstance(self.highlight, Iterable):
            raise TypeError(
                f"highlight must be a collection of Values, got {type(self.highlight).__name__}"
            )
        from engine.value import Value

        highlight = frozenset(self.highlight)
        for node in highlight:
            if not isinstance(node, Value):
                raise TypeError(f"highlight must hold Values only, got {node!r}")
        set_("highlight", highlight)
        start = self.highlight_paths_from
        if start is not None and not isinstance(start, Value):
            raise TypeError(
                f"highlight_paths_from must be a Value or None, got {type(start).__name__}"
            )
        if self.describe is not None and not callable(self.describe):
            raise TypeError(
                "describe must be a callable node -> NodeStyle | None (e.g. nn.graph_view(model)),"
                f" got {type(self.describe).__name__}"
            )

    def replace(self, **changes: Any) -> RenderOptions:
        """A copy with some options changed (checked like the constructor's)."""
        return options_from(self, changes)


FIELDS = tuple(f.name for f in dataclasses.fields(RenderOptions))


def options_from(options: RenderOptions | None, keywords: Mapping[str, Any]) -> RenderOptions:
    """One RenderOptions from an optional RenderOptions and keyword options (keywords win).

    An unknown keyword is a TypeError that lists the known ones, as a misspelt argument would be.
    """
    if options is not None and not isinstance(options, RenderOptions):
        raise TypeError(f"options must be a RenderOptions or None, got {type(options).__name__}")
    unknown = sorted(set(keywords) - set(FIELDS))
    if unknown:
        raise TypeError(
            f"unknown drawing option(s) {', '.join(unknown)}; the options are {', '.join(FIELDS)}"
        )
    if options is None:
        return RenderOptions(**keywords)
    return dataclasses.replace(options, **keywords) if keywords else options


def style_of(options: RenderOptions, node: Value) -> NodeStyle:
    """The hook's NodeStyle for node (an empty one without a hook, or when it returns None)."""
    if options.describe is None:
        return _PLAIN
    style = options.describe(node)
    if style is None:
        return _PLAIN
    if not isinstance(style, NodeStyle):
        raise TypeError(f"describe must return a NodeStyle or None, got {type(style).__name__}")
    return style


_PLAIN = NodeStyle()


def _one_of(name: str, value: object, allowed: tuple[Hashable, ...]) -> None:
    try:
        ok = value in allowed
    except TypeError:  # unhashable or uncomparable
        ok = False
    if not ok:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {shown}, got {value!r}")


def _int_in(name: str, value: object, low: int, high: int | None) -> None:
    upper = f" and at most {high}" if high is not None else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int of at least {low}{upper}, got {value!r} "
            f"({type(value).__name__})"
        )
    if int(value) < low or (high is not None and int(value) > high):
        raise ValueError(f"{name} must be an int of at least {low}{upper}, got {value!r}")


def _size(size: object) -> tuple[float, float] | None:
    """None, or (width, height) in inches, both finite and positive."""
    if size is None:
        return None
    expected = "a (width, height) pair of positive numbers of inches, or None"
    if isinstance(size, str):
        parts: list[Any] = size.split(",")
        try:
            parts = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"size must be {expected}, got {size!r}") from None
    elif isinstance(size, Iterable):
        parts = list(size)
    else:
        raise TypeError(f"size must be {expected}, got {size!r}")
    if len(parts) != 2 or not all(
        isinstance(p, numbers.Real)
        and not isinstance(p, bool)
        and math.isfinite(p)
        and float(p) > 0
        for p in parts
    ):
        raise ValueError(f"size must be {expected}, got {size!r}")
    return float(parts[0]), float(parts[1])

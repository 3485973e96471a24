"""Pictures keep what was asked: the view the caller names (a warning, not a silent switch, when
the graph is too big for it), the hook's names in every view, units in index order, dpi, a key
that shows only the colours drawn, a readable step caption, and edge labels kept apart.

Positions are read from the SVG that each installed dot program draws; tests that need one skip
without it (as in test_render.py)."""

from __future__ import annotations

import dataclasses
import re
import shutil
import struct
import sys
import warnings
from pathlib import Path

import pytest

import engine
import nn
from engine import NodeStyle, Value


def graphviz_pure() -> str | None:
    beside_python = Path(sys.executable).parent / "graphviz-pure"
    return str(beside_python) if beside_python.is_file() else shutil.which("graphviz-pure")


BACKENDS = [
    pytest.param(
        "system",
        marks=pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not on PATH"),
    ),
    pytest.param(
        "pure",
        marks=pytest.mark.skipif(graphviz_pure() is None, reason="graphviz-pure not installed"),
    ),
]


def net_341(fused: bool = True) -> tuple[nn.MLP, Value]:
    """The issue's case: a 3-4-1 network with labelled inputs, 37 value nodes."""
    model = nn.MLP(3, [4, 1], ["tanh", "sigmoid"], seed=0, fused=fused)
    x = [Value(v, label=f"X_{i}") for i, v in enumerate([0.5, -1.0, 2.0], 1)]
    J = nn.binary_cross_entropy(model(x), 1.0)
    J.backward()
    return model, J


def node_positions(svg: str) -> dict[str, tuple[float, float, str]]:
    """SVG element id -> (x, y, first text) of every node drawn."""
    out = {}
    for g in re.finditer(r'<g id="([^"]+)" class="node">(.*?)</g>', svg, re.S):
        texts = re.findall(r'<text[^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>', g[2])
        if texts:
            out[g[1]] = (float(texts[0][0]), float(texts[0][1]), texts[0][2])
    return out


def by_text(svg: str) -> dict[str, tuple[float, float]]:
    return {t: (x, y) for x, y, t in node_positions(svg).values()}


def read_along(positions: list[tuple[float, float]], rankdir: str) -> list[float]:
    """Where each node sits along its rank: left to right in TB, top to bottom in LR."""
    return [x if rankdir == "TB" else y for x, y in positions]


# ---- the view asked for ----------------------------------------------------------------------


def test_the_default_view_draws_every_value_and_warns_naming_the_boxed_view():
    model, J = net_341()
    with pytest.warns(UserWarning, match=r"37 values.*view='boxes'") as caught:
        source = engine.to_dot(J, describe=nn.graph_view(model)).source
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert "W[1]_2,3" in source and "neuron [1]_1" not in source


def test_the_asked_view_is_drawn_without_a_word_when_it_fits():
    model, J = net_341()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        boxes = engine.to_dot(J, describe=nn.graph_view(model), view="boxes").source
        plain = engine.to_dot(J).source  # no hook: no boxes to offer, nothing to say
        small = nn.MLP(2, [1], seed=0)
        engine.to_dot(small([1.0, 2.0]), describe=nn.graph_view(small))
    assert "neuron [1]_4 (tanh)" in boxes and "W[1]_2,3<" not in boxes
    assert "W[1]_2,3" in plain and "neuron [" not in plain


def test_auto_switches_only_when_asked_and_says_so():
    model, J = net_341()
    with pytest.warns(UserWarning, match=r"view='auto' draws.*view='values'"):
        source = engine.to_dot(J, describe=nn.graph_view(model), view="auto").source
    assert "neuron [1]_1 (tanh)" in source


# ---- names -------------------------------------------------------------------------------------


def renaming(describe):
    """The model's hook, with every node that has a label renamed 'name of <label>'."""

    def hook(node: Value) -> NodeStyle:
        style = describe(node) or NodeStyle()
        return dataclasses.replace(style, name=f"name of {node.label}" if node.label else None)

    return hook


@pytest.mark.parametrize("view", ["values", "boxes"])
def test_node_style_name_is_drawn_in_every_view(view):
    model, J = net_341()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = engine.to_dot(J, describe=nn.graph_view(model), view=view).source
        named = engine.to_dot(J, describe=renaming(nn.graph_view(model)), view=view).source
    assert "name of Z[1]_3" in named and "name of X_2" in named
    assert "name of" not in plain


def test_step_captions_call_nodes_by_the_hooks_names(tmp_path):
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = x * w
    y.label = "y"
    paths = engine.render_steps(y, tmp_path, fmt="dot", describe=renaming(lambda n: None))
    first = paths[0].read_text()
    assert "step 0 of steps 0 to 2: name of y has grad g = 1" in first
    assert "name of x.grad += -3 x 1 = -3" in first
    assert "0-2" not in first


# ---- order -------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_units_inputs_and_weights_are_drawn_in_index_order(backend, rankdir):
    model, J = net_341()
    hook = nn.graph_view(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = engine.to_dot(J, describe=hook, rankdir=rankdir, backend=backend)
        boxes = engine.to_dot(J, describe=hook, rankdir=rankdir, view="boxes", backend=backend)
    at = by_text(values.pipe(format="svg").decode())
    rows = [
        [f"X_{i}" for i in range(1, 4)],
        [f"Z[1]_{j}" for j in range(1, 5)],
        [f"A[1]_{j}" for j in range(1, 5)],
        [f"W[1]_2,{k}" for k in range(1, 4)],
        [f"W[2]_1,{k}" for k in range(1, 5)],
    ]
    for row in rows:
        along = read_along([at[name] for name in row], rankdir)
        assert along == sorted(along), (row, along)
    at = by_text(boxes.pipe(format="svg").decode())
    along = read_along([at[f"neuron [1]_{j} (tanh)"] for j in range(1, 5)], rankdir)
    assert along == sorted(along), along


# ---- dpi, the key, edge labels -------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    return struct.unpack(">II", path.read_bytes()[16:24])


@pytest.mark.skipif(
    shutil.which("dot") is None and graphviz_pure() is None, reason="no dot program installed"
)
def test_dpi_scales_the_png_even_when_the_default_width_limit_applies(tmp_path):
    leaves = [Value(0.5 * i, label=f"input_{i}") for i in range(24)]
    root = engine.total(leaves)  # one op with 24 operands: wider than 1,600 px at 96 dpi
    sizes = {
        dpi: png_size(engine.render(root, tmp_path / f"{dpi}.png", dpi=dpi, rankdir="TB"))
        for dpi in (96, 192)
    }  # fmt: skip
    assert sizes[96][0] == 1600  # the default limit: 1,600 px at 96 dpi
    assert 1.9 < sizes[192][0] / sizes[96][0] < 2.1
    assert 1.9 < sizes[192][1] / sizes[96][1] < 2.1


def key_of(source: str) -> list[str]:
    return re.findall(r'<TD BGCOLOR="#[0-9a-f]+" BORDER="1">(\w+)</TD>', source)


def test_the_key_shows_only_the_kinds_drawn():
    model, J = net_341()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = engine.to_dot(J).source
        hooked = engine.to_dot(J, describe=nn.graph_view(model)).source
        boxes = engine.to_dot(J, describe=nn.graph_view(model), view="boxes").source
    assert key_of(plain) == ["input", "intermediate", "loss"]  # no hook: weights are inputs
    assert key_of(hooked) == ["input", "parameter", "intermediate", "loss"]
    assert key_of(boxes) == ["input", "parameter", "intermediate", "loss"]
    x = Value(1.0, label="x")
    assert key_of(engine.to_dot(x).source) == ["loss"]  # a lone root


def edge_label_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """Each edge label's text and its approximate box (x0, x1, y0, y1)."""
    out = []
    for g in re.finditer(r'<g id="([^"]+)" class="edge">(.*?)</g>', svg, re.S):
        pattern = r'<text[^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)<'
        for x, y, size, text in re.findall(pattern, g[2]):
            x, y, size = float(x), float(y), float(size)
            half = len(text.replace("&#45;", "-")) * size * 0.55 / 2
            out.append((text, x - half, x + half, y - size * 0.8, y + size * 0.2))
    return out


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_edge_labels_do_not_overlap(backend, rankdir):
    x = Value(0.5, label="x")
    a, b = Value(0.5, label="a"), Value(0.5, label="b")
    for root in (x * x, x + x, (a * b + a * a + b * b).tanh()):
        svg = engine.to_dot(root, rankdir=rankdir, backend=backend).pipe(format="svg").decode()
        boxes = edge_label_boxes(svg)
        assert len(boxes) >= 2
        for i, p in enumerate(boxes):
            for q in boxes[i + 1 :]:
                apart = p[2] <= q[1] or q[2] <= p[1] or p[4] <= q[3] or q[4] <= p[3]
                assert apart, (p, q)


@pytest.mark.skipif(
    shutil.which("dot") is None and graphviz_pure() is None, reason="no dot program installed"
)
def test_the_explorer_page_calls_nodes_by_the_hooks_names(tmp_path):
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = x * w
    page = engine.explore(y, tmp_path / "page.html", describe=renaming(lambda n: None))
    text = page.read_text(encoding="utf-8")
    assert '"name": "name of x"' in text or '"name":"name of x"' in text

"""Tests of engine.render: the DOT it builds, the pictures dot makes of it, and the backends.

Structure is checked on the DOT source (no dot program needed); pictures are checked by what a
viewer would read from them (PNG header, SVG text). Tests that run dot use whichever backends are
installed and skip, saying why, when one is missing.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import strategies
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import NodeStyle, Value
from engine.render import backends
from engine.render import dot as render_module
from engine.render.backends import DotNotFoundError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
RED = "#dc2626"  # the highlight colour


# ---- graphs ----------------------------------------------------------------------------------


def tiny() -> tuple[Value, Value, Value]:
    """J = x*y + x with x = 1.23456, y = -3: dJ/dx = y + 1 = -2, dJ/dy = x = 1.23456."""
    x = Value(1.23456, label="x")
    y = Value(-3.0, label="y")
    z = x * y
    z.label = "z"
    J = z + x
    J.label = "J"
    return x, y, J


MODELS: dict[Value, nn.MLP] = {}  # each mlp() loss's model, for its describe hook


def mlp(
    sizes: list[int], inputs: list[float], target: float = 1.0, expanded: bool = False
) -> Value:
    """The loss of an nn.MLP on labelled inputs X_k (the layer labels its nodes W[l]_j,k, b[l]_j,
    Z[l]_j, A[l]_j): ReLU hidden layers, sigmoid output, binary cross-entropy loss J.
    ``expanded`` builds each neuron from elementary * and + nodes instead of one fused linear."""
    acts = ["relu"] * (len(sizes) - 2) + ["sigmoid"]
    model = nn.MLP(sizes[0], sizes[1:], acts, seed=3, fused=not expanded)
    x = [Value(v, label=f"X_{k}") for k, v in enumerate(inputs, 1)]
    J = nn.binary_cross_entropy(model(x), target)
    J.label = "J"
    MODELS[J] = model
    return J


def hook(J: Value):
    """nn's describe hook for the model of an mlp() loss."""
    return nn.graph_view(MODELS[J])


def chain(n: int) -> Value:
    """A chain of n + 1 value nodes: x, x+1, x+1+1, ..."""
    v = Value(0.5, label="x")
    for _ in range(n):
        v = v + 1
    return v


# ---- reading DOT source ----------------------------------------------------------------------

NODE = re.compile(r"^\t+(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$")


def parse(source: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Nodes (id -> attribute text) and edges (tail, head, attribute text) of DOT source; the
    invisible edges that only keep rows of nodes in order are left out."""
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    for line in source.splitlines():
        if m := EDGE.match(line):
            if "style=invis" not in (m[3] or ""):  # layout hints keeping rows in order
                edges.append((m[1], m[2], m[3] or ""))
        elif (m := NODE.match(line)) and m[1] not in ("graph", "node", "edge"):
            nodes[m[1]] = m[2]
    return nodes, edges


def attr(text: str, name: str) -> str | None:
    """One attribute's value from DOT attribute text (quoted or not), or None."""
    m = re.search(rf'(?:^| ){name}=("(?:[^"\\]|\\.)*"|\S+)', text)
    return None if m is None else m[1].strip('"')


def name_of(text: str) -> str:
    """A node's name as a reader sees it: a value's bold label, or an op's label."""
    m = re.search(r"<B>(.*?)</B>", text)
    return m[1] if m else (attr(text, "label") or "")


def values_in(path: Path) -> dict[str, str]:
    """The value nodes of a DOT file, by name."""
    return {name_of(t): t for k, t in parse(path.read_text())[0].items() if k.startswith("v")}


def fmt4(x: float) -> str:
    """Four significant digits, as the pictures print numbers (written here independently)."""
    return "0" if x == 0 else f"{x:.4g}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


# ---- the DOT it builds -----------------------------------------------------------------------


def test_tiny_graph_dot_has_exactly_the_expected_nodes_and_edges():
    x, y, J = tiny()
    J.backward()
    nodes, edges = parse(engine.to_dot(J).source)
    # 4 values (x, y, z, J) and 2 ops (*, +), each op its own node.
    assert sorted(name_of(t) for t in nodes.values()) == sorted(["x", "y", "z", "J", "*", "+"])
    named = sorted((name_of(nodes[a]), name_of(nodes[b]), attr(t, "label")) for a, b, t in edges)
    # Written by hand from J = x*y + x: d(x*y)/dx = y = -3, d(x*y)/dy = x, d(z+x)/dz = 1 = d/dx.
    assert named == sorted(
        [
            ("x", "*", "-3"),
            ("y", "*", "1.235"),
            ("*", "z", None),
            ("z", "+", "1"),
            ("x", "+", "1"),
            ("+", "J", None),
        ]
    )
    values = {name_of(t): t for t in nodes.values()}
    assert "data 1.235" in values["x"] and "grad -2" in values["x"]
    assert "data -3" in values["y"] and "grad 1.235" in values["y"]
    assert "data -2.469" in values["J"] and "grad 1" in values["J"]


def test_kinds_are_coloured_apart():
    J = mlp([2, 1], [0.3, -0.2])
    nodes, _ = parse(engine.to_dot(J, describe=hook(J)).source)
    fills = {name_of(t): attr(t, "fillcolor") for t in nodes.values()}
    kinds = render_module.FILL
    assert fills["X_1"] == kinds["input"]
    assert fills["W[1]_1,2"] == fills["b[1]_1"] == kinds["parameter"]
    assert fills["Z[1]_1"] == kinds["intermediate"]
    assert fills["J"] == kinds["loss"]
    assert len({kinds["input"], kinds["parameter"], kinds["intermediate"], kinds["loss"]}) == 4


@st.composite
def random_graphs(draw):
    """A random expression over a few labelled leaves, every op of the rule table
    (tests/strategies.py); values kept moderate, so every number has a short picture."""
    inputs, program = draw(strategies.programs(max_inputs=3, max_nodes=8, limit=1e3))
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    return strategies.build(program, leaves)[-1]


def check_edges_carry_local_derivatives(root: Value, source: str) -> None:
    """Every value and op is drawn once; every operand edge into an op is there once, labelled
    with its local derivative; junction dots (j...) only relay a value into a layer's cluster."""
    order = engine.topo_order(root)
    ids = {v: f"v{i}" for i, v in enumerate(order)}  # value i of topo_order is node v{i}
    ops = [v for v in order if v.parents]
    nodes, edges = parse(source)
    junctions = {k for k in nodes if k.startswith("j")}
    assert len(nodes) == len(order) + len(ops) + len(junctions)
    into_junction = {b: a for a, b, t in edges if b in junctions}
    assert len(into_junction) == len(junctions)  # each junction is fed by exactly one value
    assert all(attr(t, "label") is None for a, b, t in edges if b in junctions)
    shown = sorted(
        (into_junction.get(a, a), b, float(attr(t, "label")))
        for a, b, t in edges
        if attr(t, "label")
    )
    exact = sorted(
        (ids[p], "op" + ids[v][1:], d) for v in ops for p, d in zip(v.parents, v.local_grads)
    )
    assert len(shown) == len(exact)
    for (a, b, number), (a2, b2, d) in zip(shown, exact):
        assert (a, b) == (a2, b2)
        assert math.isclose(number, d, rel_tol=1e-5, abs_tol=1e-12)
    op_to_value = [(a, b) for a, b, t in edges if a.startswith("op")]
    assert sorted(op_to_value) == sorted(("op" + ids[v][1:], ids[v]) for v in ops)


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_every_edge_into_an_op_is_labelled_with_its_local_derivative(root):
    check_edges_carry_local_derivatives(root, engine.to_dot(root, digits=6).source)


@pytest.mark.parametrize("expanded", [False, True], ids=["fused", "elementary"])
def test_values_enter_a_layer_at_one_junction_and_keep_their_edge_labels(expanded):
    J = mlp([2, 3, 2, 1], [0.3, -0.2], expanded=expanded)
    with warnings.catch_warnings():  # the elementary graph is small on a page: it says so
        warnings.simplefilter("ignore", UserWarning)
        source = engine.to_dot(J, digits=6, describe=hook(J), view="values").source
    check_edges_carry_local_derivatives(J, source)
    nodes, edges = parse(source)
    names = {k: name_of(t) for k, t in nodes.items()}
    fed_by = {b: names[a] for a, b, _ in edges if b.startswith("j")}
    # X_1, X_2 enter layer 1; A[1]_1..3 enter layer 2; A[2]_1..2 enter layer 3: one dot each.
    assert sorted(fed_by.values()) == [
        "A[1]_1",
        "A[1]_2",
        "A[1]_3",
        "A[2]_1",
        "A[2]_2",
        "X_1",
        "X_2",
    ]
    # Each dot fans out to every neuron of the layer it enters.
    fan_out = {j: sum(1 for a, _, _ in edges if a == j) for j in fed_by}
    assert {fed_by[j]: n for j, n in fan_out.items()}["A[1]_2"] == 2
    assert {fed_by[j]: n for j, n in fan_out.items()}["X_1"] == 3


def test_edge_labels_can_be_turned_off():
    _, _, J = tiny()
    _, edges = parse(engine.to_dot(J, edge_labels=False).source)
    assert len(edges) == 6 and all(attr(t, "label") is None for _, _, t in edges)


def test_numbers_are_short():
    a = Value(1.5e-5, label="a")
    b = Value(123456.0, label="b")
    c = Value(-0.0, label="c")
    source = engine.to_dot(a * b + c).source
    assert "data 1.5e-5" in source
    assert "data 1.235e5" in source
    assert "data 0<" in source and "data -0" not in source
    assert fmt4(123456.0) == "1.235e5"  # the helper agrees with what the picture shows


def test_layers_are_clusters_holding_their_parameters():
    J = mlp([2, 3, 1], [0.3, -0.2])
    source = engine.to_dot(J, describe=hook(J)).source
    clusters = re.findall(r"subgraph (cluster_\d+) \{(.*?)\n\t\}", source, re.S)
    assert [name for name, _ in clusters] == ["cluster_0", "cluster_1"]
    body = dict(clusters)["cluster_1"]
    assert "label=<layer 2>" in body
    for label in ["W[2]_1,1", "W[2]_1,3", "b[2]_1", "Z[2]_1", "A[2]_1"]:
        assert f"<B>{label}</B>" in body
    assert "<B>Z[1]_1</B>" not in body
    assert all("<B>X_1</B>" not in body for _, body in clusters)  # inputs X_k: no layer name


def test_rankdir_tb_stacks_each_box_in_rows():
    _, _, J = tiny()
    lr, tb = engine.to_dot(J, rankdir="LR").source, engine.to_dot(J, rankdir="TB").source
    assert "rankdir=LR" in lr and "rankdir=TB" in tb
    x_lr = next(t for t in parse(lr)[0].values() if name_of(t) == "x")
    x_tb = next(t for t in parse(tb)[0].values() if name_of(t) == "x")
    assert x_lr.count("<TR>") == 1 and x_tb.count("<TR>") == 3


def test_highlight_paths_from_lights_exactly_the_paths_to_the_root():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    m = d * Value(-2.0, label="f")
    m.label = "m"
    L = m + a.tanh()
    L.label = "L"
    nodes, edges = parse(engine.to_dot(L, highlight_paths_from=e).source)
    # One path leads from e to L: e -> d -> m -> L (engine.paths agrees).
    assert [p.nodes for p in engine.paths(L, e)] == [(e, d, m, L)]
    lit = [name_of(t) for k, t in nodes.items() if attr(t, "color") == RED and k.startswith("v")]
    assert sorted(lit) == ["L", "d", "e", "m"]
    lit_edges = {
        (name_of(nodes[x]), name_of(nodes[y])) for x, y, t in edges if attr(t, "color") == RED
    }
    # Each edge of the path is drawn as two: value -> op and op -> result.
    assert lit_edges == {("e", "+"), ("+", "d"), ("d", "*"), ("*", "m"), ("m", "+"), ("+", "L")}
    assert len([1 for _, _, t in edges if attr(t, "color") == RED]) == 6


def test_highlight_a_set_of_nodes():
    x, y, J = tiny()
    nodes, _ = parse(engine.to_dot(J, highlight={x}).source)
    lit = {name_of(t) for t in nodes.values() if attr(t, "color") == RED}
    assert lit == {"x"}


def test_bad_options_are_refused_with_the_allowed_values():
    _, _, J = tiny()
    with pytest.raises(ValueError, match="rankdir"):
        engine.to_dot(J, rankdir="XY")
    with pytest.raises(ValueError, match="neurons"):
        engine.to_dot(J, view="layers")
    with pytest.raises(ValueError, match="backend"):
        engine.to_dot(J, backend="gpu")
    with pytest.raises(ValueError, match="not a node"):
        engine.to_dot(J, highlight_paths_from=Value(1.0))
    with pytest.raises(ValueError, match="png, svg"):
        engine.render(J, "graph.bmp")


# ---- size limits and the neuron view -----------------------------------------------------------


def test_too_large_a_graph_is_refused_with_the_count_the_limit_and_the_way_out():
    root = chain(400)
    with pytest.raises(ValueError) as info:
        engine.to_dot(root)
    message = str(info.value)
    assert "401 value nodes" in message
    assert "max_nodes=300" in message
    assert "view='boxes'" in message and "nn.graph_view(model)" in message
    assert engine.to_dot(root, max_nodes=401) is not None


def test_too_large_is_refused_before_any_file_is_written(tmp_path):
    with pytest.raises(ValueError, match="max_nodes"):
        engine.render(chain(400), tmp_path / "big.png")
    with pytest.raises(ValueError, match="max_nodes"):
        engine.render_steps(chain(400), tmp_path / "steps", fmt="dot")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("expanded", [False, True], ids=["fused", "elementary"])
def test_neuron_view_draws_a_big_network_one_box_per_neuron(expanded):
    J = mlp([2, 16, 16, 1], [0.35, -0.62], expanded=expanded)
    J.backward()
    with pytest.raises(ValueError, match="view='boxes'"):
        engine.to_dot(J, view="values")
    nodes, edges = parse(engine.to_dot(J, view="neurons", describe=hook(J)).source)
    boxes = {k: t for k, t in nodes.items() if k.startswith("n")}
    assert len(boxes) == 16 + 16 + 1
    box_id = {re.search(r"neuron \[(\d+)\]_(\d+)", t).group(0): k for k, t in boxes.items()}
    box = boxes[box_id["neuron [2]_5"]]
    assert "(relu)" in box
    assert "16 values" in box and "W[2]_5,*" in box and "b[2]_5" in box
    assert "Z[2]_5" in box and "A[2]_5" in box
    # Parameters are folded in: no W or b is a node of its own.
    assert not any(name_of(t).startswith(("W[", "b[")) for t in nodes.values())
    # Fully connected: every layer-1 box feeds every layer-2 box, once, labelled with the weight.
    layer1 = {box_id[f"neuron [1]_{j}"] for j in range(1, 17)}
    layer2 = {box_id[f"neuron [2]_{j}"] for j in range(1, 17)}
    between = {(a, b): t for a, b, t in edges if a in layer1 and b in layer2}
    assert len(between) == 16 * 16
    w = MODELS[J].layers[1].neurons[4].w[2]  # W[2]_5,3, found by position
    edge = between[(box_id["neuron [1]_3"], box_id["neuron [2]_5"])]
    assert attr(edge, "label") == fmt4(w.data)
    # The box shows the same numbers as the values themselves.
    z = next(v for v in engine.topo_order(J) if v.label == "Z[2]_5")
    assert f"grad {fmt4(z.grad)}" in box


def test_neuron_view_groups_by_structure_not_labels():
    """Relabelling every node changes the names drawn, never the grouping."""
    J = mlp([2, 3, 1], [0.35, -0.62])
    before = parse(engine.to_dot(J, view="boxes", describe=hook(J)).source)
    for i, v in enumerate(engine.topo_order(J)):
        v.label = f"node {i}" if i % 2 else None
    nodes, edges = parse(engine.to_dot(J, view="boxes", describe=hook(J)).source)
    assert sorted(nodes) == sorted(before[0]) and sorted(edges) == sorted(before[1])
    assert sum("neuron [1]_" in t for t in nodes.values()) == 3


def test_neuron_view_counts_against_max_nodes_too():
    J = mlp([2, 16, 16, 1], [0.35, -0.62])
    with pytest.raises(ValueError, match="even this coarse view"):
        engine.to_dot(J, view="neurons", describe=hook(J), max_nodes=20)


def test_boxes_without_a_hook_say_what_is_needed():
    _, _, J = tiny()
    with pytest.raises(ValueError, match="describe=nn.graph_view"):
        engine.to_dot(J, view="boxes")


# ---- backends --------------------------------------------------------------------------------


def graphviz_pure() -> str | None:
    beside_python = Path(sys.executable).parent / "graphviz-pure"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("graphviz-pure")


needs_pure = pytest.mark.skipif(
    graphviz_pure() is None, reason="graphviz-pure not installed (pip install graphviz-pure)"
)
needs_system = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot not on PATH (apt-get install graphviz)"
)
BACKENDS = [
    pytest.param("system", marks=needs_system),
    pytest.param("pure", marks=needs_pure),
]


def svg_texts(path: Path) -> list[str]:
    tree = ET.parse(path)  # raises if the SVG is not well-formed XML
    return [t.text or "" for t in tree.iter(f"{SVG}text")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_png_is_a_png_of_plausible_size(tmp_path, backend):
    _, _, J = tiny()
    J.backward()
    path = engine.render(J, tmp_path / "tiny.png", backend=backend)
    assert path == tmp_path / "tiny.png"
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 200 < width < 3000 and 50 < height < 2000
    assert 2_000 < len(data) < 2_000_000


@pytest.mark.parametrize("backend", BACKENDS)
def test_svg_parses_and_shows_labels_data_and_grads(tmp_path, backend):
    x, y, J = tiny()
    J.backward()
    texts = svg_texts(engine.render(J, tmp_path / "tiny.svg", backend=backend))
    assert {"x", "y", "z", "J"} <= set(texts)
    assert f"grad {fmt4(x.grad)}" in texts  # grad -2
    assert f"grad {fmt4(y.grad)}" in texts  # grad 1.235
    assert "data 1.235" in texts and "-3" in texts  # x's data; the edge label y on x -> *


@needs_pure
def test_pure_backend_is_used_when_forced_and_refuses_pdf(tmp_path):
    _, _, J = tiny()
    path = engine.render(J, tmp_path / "tiny.svg", backend="pure")
    assert "graphviz-pure" in path.read_text()
    with pytest.raises(ValueError, match="graphviz-pure .* cannot write PDF"):
        engine.render(J, tmp_path / "tiny.pdf", backend="pure")


@needs_pure
def test_environment_variable_forces_the_backend(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DOT", "pure")
    _, _, J = tiny()
    assert "graphviz-pure" in engine.render(J, tmp_path / "tiny.svg").read_text()


@needs_system
def test_system_backend_is_used_when_forced_and_writes_pdf(tmp_path):
    _, _, J = tiny()
    svg = engine.render(J, tmp_path / "tiny.svg", backend="system").read_text()
    assert "Generated by graphviz version" in svg and "graphviz-pure" not in svg
    assert engine.render(J, tmp_path / "tiny.pdf", backend="system").read_bytes()[:4] == b"%PDF"


@needs_pure
@needs_system
def test_rendering_leaves_the_graphviz_package_pointing_where_it_was(tmp_path):
    import graphviz
    from graphviz.backend import dot_command

    before = dot_command.DOT_BINARY
    _, _, J = tiny()
    engine.render(J, tmp_path / "a.svg", backend="pure")
    assert dot_command.DOT_BINARY is before
    # A plain graphviz user afterwards still gets the system dot.
    plain = graphviz.Digraph()
    plain.edge("a", "b")
    assert "graphviz-pure" not in plain.pipe(format="svg", encoding="utf-8")
    assert "graphviz-pure" not in engine.render(J, tmp_path / "b.svg", backend="system").read_text()


@needs_pure
def test_digraph_displays_inline_with_the_chosen_backend():
    _, _, J = tiny()
    bundle = engine.to_dot(J, backend="pure")._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") and "graphviz-pure" in svg


def test_without_any_dot_it_writes_the_source_and_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "find_program", lambda backend: None)
    _, _, J = tiny()
    with pytest.raises(DotNotFoundError) as info:
        engine.render(J, tmp_path / "tiny.png")
    message = str(info.value)
    assert "apt-get install graphviz" in message and "pip install graphviz-pure" in message
    source = tmp_path / "tiny.dot"
    assert str(source) in message and source.read_text().startswith("digraph")
    assert not (tmp_path / "tiny.png").exists()


def test_find_program_prefers_system_dot_and_falls_back_to_pure(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_dot = bin_dir / "dot"
    fake_dot.write_text("#!/bin/sh\n")
    fake_dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("CHAINRULE_DOT", raising=False)
    monkeypatch.setattr(backends, "graphviz_pure", lambda: "/opt/graphviz-pure")
    assert backends.find_program(None) == ("system", str(fake_dot))
    assert backends.find_program("pure") == ("pure", "/opt/graphviz-pure")
    fake_dot.unlink()
    assert backends.find_program(None) == ("pure", "/opt/graphviz-pure")
    assert backends.find_program("system") is None
    monkeypatch.setenv("CHAINRULE_DOT", "sometimes")
    with pytest.raises(ValueError, match="CHAINRULE_DOT"):
        backends.find_program(None)


def test_dot_extension_writes_the_source_without_any_program(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "find_program", lambda backend: None)
    _, _, J = tiny()
    path = engine.render(J, tmp_path / "tiny.dot")
    assert path.read_text() == engine.to_dot(J).source


def test_import_engine_does_not_import_graphviz():
    code = "import sys, engine; sys.exit('graphviz' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(Path(engine.__file__).parent.parent)}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0


# ---- watching backward -------------------------------------------------------------------------


def test_render_steps_writes_one_picture_per_node_and_leaves_grads_alone(tmp_path):
    x, y, J = tiny()
    x.grad, y.grad = 5.0, float("nan")  # whatever was there stays there, NaN included
    paths = engine.render_steps(J, tmp_path / "steps", fmt="dot")
    assert paths == [tmp_path / "steps" / f"step_{i:03d}.dot" for i in range(4)]
    assert all(p.is_file() for p in paths)
    assert x.grad == 5.0 and math.isnan(y.grad) and J.grad == 0.0
    # The last frame shows this pass's gradients, not what .grad held: dJ/dx = -2, dJ/dy = x.
    last = values_in(paths[-1])
    assert "grad -2<" in last["x"] and "grad 1.235<" in last["y"]


def test_render_steps_shows_unknown_partial_and_final_grads(tmp_path):
    x, y, J = tiny()
    first, second, _, last = engine.render_steps(J, tmp_path, fmt="dot")
    # Step 0, at J: J's grad is final; x got 1 from J's + but still waits for z's share; y none.
    step0 = values_in(first)
    assert "grad 1" in step0["J"] and attr(step0["J"], "color") == RED
    assert "grad 1<" in step0["z"]  # its only use (J's +) is done
    assert "grad 1 + ..." in step0["x"]
    assert "grad ?" in step0["y"]
    # Step 1, at z: x's grad is now final (1 + -3 = -2), y's too.
    step1 = values_in(second)
    assert attr(step1["z"], "color") == RED
    assert "grad -2<" in step1["x"] and "grad 1.235<" in step1["y"]
    # The last picture shows backward()'s gradients, and no unknown ones.
    text = last.read_text()
    assert "grad ?" not in text and "+ ..." not in text
    assert "step 3 of steps 0 to 3" in text and "0-3" not in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_render_steps_last_picture_matches_backward(tmp_path, backend):
    J = mlp([2, 2, 1], [0.35, -0.62])
    n = len(engine.topo_order(J))
    paths = engine.render_steps(J, tmp_path, fmt="svg", backend=backend)
    assert len(paths) == n and len(set(paths)) == n
    texts = svg_texts(paths[-1])
    fresh = mlp([2, 2, 1], [0.35, -0.62])
    fresh.backward()
    for v in engine.topo_order(fresh):
        assert v.label is None or v.label in texts
        assert f"grad {fmt4(v.grad)}" in texts
    assert "grad ?" not in texts


def test_render_steps_without_a_program_fails_before_touching_grads(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "find_program", lambda backend: None)
    x, y, J = tiny()
    with pytest.raises(DotNotFoundError, match="fmt='dot'"):
        engine.render_steps(J, tmp_path, fmt="png")
    assert x.grad == y.grad == J.grad == 0.0


def test_seed_003_network_fits_the_default_limit_in_both_views():
    J = mlp([2, 4, 6, 6, 4, 1], [0.35, -0.62])
    J.backward()
    nodes, _ = parse(engine.to_dot(J).source)
    assert len([k for k in nodes if k.startswith("v")]) == len(engine.topo_order(J)) < 300
    boxes, _ = parse(engine.to_dot(J, view="neurons", describe=hook(J)).source)
    assert len([k for k in boxes if k.startswith("n")]) == 4 + 6 + 6 + 4 + 1


def test_a_describe_hook_can_rename_what_is_drawn_and_nothing_else():
    """NodeStyle.name replaces the label in the picture; the node keeps its label."""
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.label = "y"
    named = engine.to_dot(y, describe=lambda n: NodeStyle(name="a³") if n is y else None).source
    assert "<B>a&#179;</B>" in named and "<B>y</B>" not in named and "<B>x</B>" in named
    assert y.label == "y"


def test_every_unary_op_is_drawn_with_its_name():
    """Each op's oval carries its op name: the pictures and the explorer read node.op."""
    x = Value(0.7, label="x")
    ys = [x.sin(), x.cos(), abs(x), x.sqrt(), x.softplus(), x.leaky_relu(), x.elu(0.5), x.gelu()]
    ys.append(x.silu())
    source = engine.to_dot(engine.total(ys)).source
    for y in ys:
        assert re.search(rf'label="?{y.op}"?[\s,\]]', source), y.op

"""The renderer's promises about files, labels, options and backends (engine.render package).

Every file written atomically into a folder that is created; any str label draws; options
checked once with messages naming argument, value and expectation; the dot program chosen per
call, safely from several threads; every demo picture at most 1,600 px wide as PNG.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import stat
import threading
import warnings
from pathlib import Path

import pytest

import engine
from engine import RenderOptions, Value
from engine.render import backends

needs_pure = pytest.mark.skipif(
    backends.graphviz_pure() is None,
    reason="graphviz-pure not installed (pip install graphviz-pure)",
)
needs_system = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot not on PATH (apt-get install graphviz)"
)
needs_any = pytest.mark.skipif(
    backends.find_program(None) is None, reason="no dot program (Graphviz or graphviz-pure)"
)


def tiny() -> Value:
    x = Value(1.5, label="x")
    y = Value(-3.0, label="y")
    J = x * y + x
    J.label = "J"
    return J


# ---- options --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"digits": 2.5}, TypeError, ["digits", "2.5", "int"]),
        ({"digits": 0}, ValueError, ["digits", "0", "at least 1"]),
        ({"max_nodes": None}, TypeError, ["max_nodes", "None", "int"]),
        ({"max_nodes": True}, TypeError, ["max_nodes", "True"]),
        ({"dpi": float("nan")}, ValueError, ["dpi", "nan"]),
        ({"size": (3, -1)}, ValueError, ["size", "-1", "positive"]),
        ({"rankdir": "XY"}, ValueError, ["rankdir", "'XY'", "'TB'"]),
        ({"edge_labels": "yes"}, TypeError, ["edge_labels", "'yes'"]),
        ({"highlight": 3}, TypeError, ["highlight"]),
        ({"describe": 3}, TypeError, ["describe", "callable"]),
        ({"colour": "red"}, TypeError, ["colour", "digits"]),
    ],
)
def test_bad_options_name_the_argument_the_value_and_what_is_expected(options, error, words):
    with pytest.raises(error) as info:
        engine.to_dot(tiny(), **options)
    for word in words:
        assert word in str(info.value)


def test_one_options_object_serves_every_function_and_keywords_override_it(tmp_path):
    opts = RenderOptions(digits=2, rankdir="TB", legend=False)
    J = tiny()
    source = engine.to_dot(J, opts).source
    assert "rankdir=TB" in source and "data 1.5" in source and "legend" not in source
    assert "rankdir=LR" in engine.to_dot(J, opts, rankdir="LR").source
    written = engine.render(J, tmp_path / "a.dot", opts)
    assert written.read_text() == source
    assert opts.replace(digits=3).digits == 3 and opts.digits == 2  # frozen, copied
    with pytest.raises(AttributeError):
        opts.digits = 5  # type: ignore[misc]


# ---- labels, files, folders ------------------------------------------------------------------


@needs_any
@pytest.mark.parametrize(
    "label", ["nul\x00here", "line\nbreak\ttab\x1b[31m", "lone \ud800 half", "ŷ z⁽³⁾ é"]
)
def test_any_label_renders_as_visible_text(tmp_path, label):
    x = Value(2.0, label=label)
    J = x * x
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dot's warnings would be RuntimeWarnings here
        svg = engine.render(J, tmp_path / "g.svg").read_text(encoding="utf-8")
    assert "\x00" not in svg and "\x1b" not in svg
    source = engine.to_dot(J).source
    assert source.isascii()
    if "\x00" in label:
        assert "nul\\x00here" in svg
    if "\ud800" in label:
        assert "\ufffd" in svg


def test_a_failed_render_leaves_an_existing_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "g.svg"
    target.write_text("the old picture")

    def broken(*args, **kwargs):
        raise RuntimeError("dot crashed")

    monkeypatch.setattr(backends, "run", broken)
    with pytest.raises(RuntimeError, match="dot crashed"):
        engine.render(tiny(), target)
    assert target.read_text() == "the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]  # no temporary file left


def test_a_missing_folder_is_created_and_a_file_in_the_way_is_named(tmp_path):
    path = engine.render(tiny(), tmp_path / "new" / "deeper" / "g.dot")
    assert path.is_file()
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(ValueError, match="blocker"):
        engine.render(tiny(), tmp_path / "blocker" / "g.dot")


def test_a_render_onto_a_fifo_or_folder_is_refused_and_leaves_it(tmp_path):
    os.mkfifo(tmp_path / "g.dot")
    (tmp_path / "d.dot").mkdir()
    with pytest.raises(ValueError, match="g.dot': it is a FIFO"):
        engine.render(tiny(), tmp_path / "g.dot")
    with pytest.raises(ValueError, match="d.dot': it is a directory"):
        engine.render(tiny(), tmp_path / "d.dot")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "g.dot").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.dot", "g.dot"]  # no temporary file


def test_render_steps_removes_only_the_stale_frames_it_wrote(tmp_path):
    long = tiny()
    first = engine.render_steps(long, tmp_path, fmt="dot")
    assert len(first) == 4
    mine = tmp_path / "step_100.dot"  # the user's own file, named like a frame
    mine.write_text("keep me")
    short = Value(1.0, label="a") * 2.0
    second = engine.render_steps(short, tmp_path, fmt="dot")
    frames = sorted(p.name for p in tmp_path.glob("step_*.dot"))
    assert frames == sorted([p.name for p in second] + ["step_100.dot"])
    assert mine.read_text() == "keep me"


def test_render_steps_shows_this_pass_after_an_earlier_backward(tmp_path):
    """After J.backward() twice, .grad holds sums of passes; the frames show one pass."""
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    z = y * 5.0
    z.label = "z"
    z.backward()
    z.backward()
    before = (x.grad, y.grad, z.grad)
    last = engine.render_steps(z, tmp_path, fmt="dot")[-1].read_text()
    assert (x.grad, y.grad, z.grad) == before
    assert "grad 30<" in last  # dz/dx = 10 x = 30 for this pass alone
    assert "grad 5<" in last  # dz/dy


# ---- backends ---------------------------------------------------------------------------------


@needs_pure
@needs_system
def test_backends_chosen_per_call_from_many_threads(tmp_path):
    from graphviz.backend import dot_command

    before = dot_command.DOT_BINARY
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            backend = "pure" if i % 2 else "system"
            svg = engine.render(tiny(), tmp_path / f"g{i}.svg", backend=backend).read_text()
            results[i] = svg
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i, svg in results.items():
        assert ("graphviz-pure" in svg) == bool(i % 2)
    assert dot_command.DOT_BINARY is before


@needs_pure
def test_system_backend_missing_says_so_and_offers_pure_only_because_it_is_installed(monkeypatch):
    monkeypatch.setattr(backends, "system_dot", lambda: None)
    message = backends.missing_message("system")
    assert "Graphviz's dot" in message and "backend='pure'" in message
    assert "pip install graphviz-pure" not in message
    monkeypatch.setattr(backends, "graphviz_pure", lambda: None)
    assert "backend='pure'" not in backends.missing_message("system")


def test_to_dot_is_a_plain_graphviz_digraph():
    import graphviz

    graph = engine.to_dot(tiny())
    assert type(graph) is graphviz.Digraph


@needs_pure
def test_graphviz_pure_gives_no_warning_for_step_captions(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        engine.render_steps(tiny(), tmp_path, fmt="png", backend="pure")


# ---- pictures that fit ------------------------------------------------------------------------


def png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big")


@needs_any
@pytest.mark.parametrize(
    "demo", ["walkthrough", "perceptron", "two_layer_mse", "two_layer_bce", "four_layer"]
)
def test_every_demo_picture_is_at_most_1600_px_wide_and_fits_a4(demo, tmp_path, capsys):
    import importlib

    module = importlib.import_module(f"demos.{demo}")
    assert module.main(["--out", str(tmp_path)]) == 0
    assert png_width(tmp_path / f"{demo}_graph.png") <= 1600
    svg = (tmp_path / f"{demo}_graph.svg").read_text(encoding="utf-8")
    width, height = (
        float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    )
    assert width <= 595 and height <= 842  # A4 in points
    assert (tmp_path / f"{demo}.html").is_file()


def test_dpi_and_size_reach_dot():
    opts = RenderOptions(dpi=200, size=(4, 3))
    assert engine.render.__module__  # the function, not the package
    from engine.render.dot import dot_args

    assert dot_args(opts, "png") == ("-Gsize=4,3", "-Gdpi=200")
    assert dot_args(RenderOptions(), "svg") == ("-Gsize=7.5,10.5",)
    assert math.isclose(1600 / RenderOptions().dpi * 96, 1600)

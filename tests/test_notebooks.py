"""The tutorial notebooks in docs/notebooks/, run as a reader runs them, and their inline displays.

Each notebook is executed by a real Jupyter kernel (nbclient + ipykernel): any cell that raises,
including the asserts every cell makes about what it shows, fails its test. One executed notebook
is converted to HTML by nbconvert (the lab template, minus its three CDN scripts: require.js,
MathJax and Mermaid, which this page does not use) and opened from file:// in Debian's Chromium:
the explorer steps inside its frame and the notebook's cells keep their width. The displays
themselves (Value, BackwardStep, models, the explorer's frame, fit's progress) are checked
without a kernel. Skips, saying why, without the Jupyter packages, dot or Chromium.
"""

from __future__ import annotations

import asyncio
import html
import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest
from chromium import watched_page

import engine
import nn
from engine import Value
from engine.render import backends
from nn import progress

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "docs" / "notebooks"
NOTEBOOKS = (
    "from_micrograd_to_chainrule",
    "stepping_through_backward",
    "the_articles_networks",
)
needs_dot = pytest.mark.skipif(
    backends.find_program(None) is None, reason="no dot program (Graphviz or graphviz-pure)"
)


# ---- stored clean --------------------------------------------------------------------------------


def test_the_notebooks_are_stored_with_outputs_cleared():
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    assert sorted(p.stem for p in FOLDER.glob("*.ipynb")) == sorted(NOTEBOOKS)
    for name in NOTEBOOKS:
        notebook = nbformat.read(FOLDER / f"{name}.ipynb", as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code, name
        for cell in code:
            assert cell.outputs == [] and cell.execution_count is None, (name, cell.source[:60])
            assert "execution" not in cell.metadata, name  # no timings of an old run


# ---- run by a kernel -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def executed():
    """Every notebook executed by its own kernel, the kernels running side by side; name ->
    (notebook, the error a cell raised or None)."""
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (no Jupyter kernel)")
    if backends.find_program(None) is None:
        pytest.skip("no dot program (Graphviz or graphviz-pure): the notebooks draw graphs")
    # The kernel imports this checkout's engine and nn: it starts in the repository's root.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)

    async def run(name: str):
        notebook = nbformat.read(FOLDER / f"{name}.ipynb", as_version=4)
        client = nbclient.NotebookClient(
            notebook,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(ROOT)}},
        )  # jupyter_client runs a "python3" kernel with this interpreter (sys.executable)
        try:
            await client.async_execute(env=env)
        except Exception as error:  # a cell raised (CellExecutionError) or the kernel died
            return name, (notebook, error)
        return name, (notebook, None)

    async def run_all():
        return dict(await asyncio.gather(*(run(name) for name in NOTEBOOKS)))

    return asyncio.run(run_all())


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_cell_runs_in_a_kernel(executed, name):
    notebook, error = executed[name]
    assert error is None, f"{name}.ipynb: {error}"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert errors == []


def _outputs(notebook, kind: str) -> list:
    return [
        output.data[kind]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type in ("execute_result", "display_data") and kind in output.data
    ]


def test_the_notebooks_show_rich_displays(executed):
    stepping, error = executed["stepping_through_backward"]
    assert error is None
    shown = _outputs(stepping, "text/html")
    assert any(s.startswith("<iframe") and 'sandbox="allow-scripts"' in s for s in shown)
    assert any("<svg" in s for s in shown)  # a Value's graph, drawn
    assert any('class="chainrule-step"' in s for s in shown)
    assert any('class="chainrule-model"' in s for s in shown)


def test_fit_shows_its_progress_in_a_notebook(executed):
    articles, error = executed["the_articles_networks"]
    assert error is None
    if importlib.util.find_spec("ipywidgets") is not None:  # the kernel runs this interpreter
        assert _outputs(articles, "application/vnd.jupyter.widget-view+json")  # tqdm's widget
        return
    text = "".join(
        output.text
        for cell in articles.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
    )
    lines = re.findall(r"^epoch (\d+)/10: loss [\d.]+, acc [\d.]+", text, re.M)
    assert lines == [str(i) for i in range(1, 11)]


# ---- the HTML of a notebook in the browser -------------------------------------------------------

OFFLINE = """{%- extends 'lab/index.html.j2' -%}
{% block html_head_js_requirejs %}{% endblock %}
{% block html_head_js_mathjax %}{% endblock %}
{% block html_head_js_mermaidjs %}{% endblock %}
"""


def test_the_explorer_steps_inside_the_notebook_page(executed, browser, tmp_path):
    jinja2 = pytest.importorskip("jinja2", reason="jinja2 is not installed")
    nbconvert = pytest.importorskip("nbconvert", reason="nbconvert is not installed")
    notebook, error = executed["stepping_through_backward"]
    assert error is None
    exporter = nbconvert.HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"offline.html.j2": OFFLINE})],
        template_file="offline.html.j2",
    )
    body, _ = exporter.from_notebook_node(notebook)
    assert not re.search(r"""<(script|link)[^>]*(src|href)=["']https?:""", body)
    path = tmp_path / "stepping.html"
    path.write_text(body, encoding="utf-8")

    width = 1000  # a notebook column of ~860 px
    page, problems, requests = watched_page(browser, width, 900)
    page.goto(path.as_uri())

    frames = page.locator("iframe.chainrule-explorer")
    assert frames.count() == 1
    box = frames.bounding_box()
    assert box["width"] > width / 2 and box["height"] >= 500
    frame = page.frame_locator("iframe.chainrule-explorer")
    graph = frame.locator("#graph").bounding_box()
    assert graph["width"] > box["width"] / 2 and graph["height"] > 300  # a usable graph pane

    def caption() -> str:
        return frame.locator("#caption").inner_text()

    def current() -> str | None:
        return frame.locator("g.node.current").get_attribute("data-label")

    first = caption()
    assert current() == "J"  # the first step is the root's
    frame.locator("#next").click()
    assert caption() != first and current() != "J"
    second = current()
    frame.locator("#graph").press("ArrowRight")  # the keys work while the frame has focus
    assert current() != second
    frame.locator("#graph").press("End")
    assert re.match(r"Step (\d+) of \1\b", caption()), caption()
    frame.locator("#graph").press("Home")
    assert current() == "J" and caption() == first

    # The page's CSS stays in its frame: the notebook's cells keep the notebook's width.
    widths = page.evaluate(
        "() => [...document.querySelectorAll('.jp-Cell')].map(c => c.getBoundingClientRect().width)"
    )
    assert len(widths) == len(notebook.cells)
    assert min(widths) > width / 2
    assert problems == []
    assert requests == [path.as_uri()]
    page.close()


# ---- the displays, without a kernel --------------------------------------------------------------


@needs_dot
def test_a_small_value_is_drawn_and_a_large_one_is_counted():
    x = Value(2.0, label="x")
    y = (x * x + 1).tanh()
    drawn = y._repr_html_()
    assert "<svg" in drawn and "<?xml" not in drawn and ">x<" in drawn.replace("</text>", "<")
    z = x
    for _ in range(70):
        z = z * 1.01
    counted = z._repr_html_()
    assert "<svg" not in counted and "71 nodes" in counted


def test_a_value_shows_as_text_without_dot(monkeypatch):
    monkeypatch.setattr(backends, "find_program", lambda backend: None)
    x = Value(2.0, label="x<y>")
    shown = (x * 3)._repr_html_()
    assert "<svg" not in shown and "2 nodes" in shown and "x&lt;y&gt;" not in shown
    assert html.escape(repr(x * 3)) in shown


def test_a_backward_step_is_a_table_of_its_contributions():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w<1>")
    a = (w * x).tanh()
    a.label = "a"
    steps = list(a.backward_steps())
    table = steps[1]._repr_html_()
    assert table.count("<tr>") == 1 + 2  # the header, then one row per parent
    assert "w&lt;1&gt;" in table and f"{steps[1].grad:.6g}" in table
    assert f"{steps[1].contributions[1].added:.6g}" in table
    assert "nothing to pass on" in steps[-1]._repr_html_()


def test_a_model_is_a_table_of_its_layers():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    table = model._repr_html_()
    rows = re.findall(r"<tr><td>(layer \d)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>"
                      r"<td>(\w+)</td><td[^>]*>(\d+)</td></tr>", table)  # fmt: skip
    assert rows == [
        ("layer 1", "2", "16", "relu", "48"),
        ("layer 2", "16", "16", "relu", "272"),
        ("layer 3", "16", "1", "linear", "17"),
    ]
    assert "<b>337</b>" in table
    assert "<td>layer 2</td>" in model.layers[1]._repr_html_()
    assert "<td>layer 1, unit 3</td>" in model.layers[0].neurons[2]._repr_html_()


@needs_dot
def test_explore_without_a_path_is_an_isolated_frame_and_saves(tmp_path):
    x = Value(0.5, label="x")
    y = (x * x).tanh()
    page = engine.explore(y, title='a "quoted" <title>')
    shown = page._repr_html_()
    assert re.fullmatch(r'<iframe [^<>]*srcdoc="[^"<>]*"></iframe>', shown, re.S)
    assert 'sandbox="allow-scripts"' in shown and "allow-same-origin" not in shown
    srcdoc = re.search(r'srcdoc="([^"]*)"', shown)[1]
    assert html.unescape(srcdoc) == page.html
    saved = page.save(tmp_path / "page.html")
    written = engine.explore(y, tmp_path / "direct.html", title='a "quoted" <title>')
    assert saved.read_bytes() == written.read_bytes() == page.html.encode("utf-8")
    with pytest.raises(ValueError, match=r"\.html"):
        page.save(tmp_path / "page.png")


def test_fit_progress_follows_where_it_runs(monkeypatch, capsys):
    X, y = [[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0]
    model = nn.MLP(2, [1], ["sigmoid"], seed=0)
    # In a notebook without ipywidgets: a line per epoch on stdout.
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "widgets_available", lambda: False)
    assert isinstance(progress.open_progress(3, verbose=True), progress.TextProgress)
    assert progress.open_progress(3, verbose=False) is None
    nn.fit(model, X, y, epochs=2, verbose=True, seed=0)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    assert "loss" in lines[0] and "acc" in lines[0]
    # In a notebook with ipywidgets: tqdm's notebook front end, given every epoch's metrics.
    made = []

    class NotebookBar:
        def __init__(self, **kw):
            self.kw, self.updates, self.postfixes, self.closed = kw, 0, [], False
            made.append(self)

        def set_postfix(self, metrics, refresh=True):
            self.postfixes.append(dict(metrics))

        def update(self):
            self.updates += 1

        def close(self):
            self.closed = True

    monkeypatch.setattr(progress, "widgets_available", lambda: True)
    monkeypatch.setitem(sys.modules, "tqdm.notebook", type(sys)("tqdm.notebook"))
    sys.modules["tqdm.notebook"].tqdm = NotebookBar
    history = nn.fit(model, X, y, epochs=2, verbose=True, seed=0)
    (bar,) = made
    assert bar.kw == {"total": 2, "unit": "epoch"} and bar.updates == 2 and bar.closed
    assert [p["loss"] for p in bar.postfixes] == [f"{v:.4f}" for v in history.loss]
    assert capsys.readouterr().out == ""
    # Elsewhere, as before: a bar on a terminal only, so nothing under pytest's captured stderr.
    monkeypatch.setattr(progress, "in_notebook", lambda: False)
    nn.fit(model, X, y, epochs=2, verbose=True, seed=0)
    assert capsys.readouterr() == ("", "")


def test_outside_ipython_is_no_notebook():
    assert progress.in_notebook() is (
        "IPython" in sys.modules and sys.modules["IPython"].get_ipython() is not None
    )

"""engine.explore's page in a real browser: Debian's Chromium driven by playwright, from file://.

The page is clicked through every backward step; each step's node must show the gradient that
backward() gives it, no console error may appear and no request may leave the page. A screenshot
is saved in the test's tmp folder. Skips, saying why, without playwright or Chromium.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from chromium import watched_page

import engine
import nn
from engine import Value
from engine.render import backends

needs_dot = pytest.mark.skipif(
    backends.find_program(None) is None, reason="no dot program (Graphviz or graphviz-pure)"
)


def network(X: list[float]) -> tuple[Value, nn.MLP]:
    model = nn.MLP(len(X), [2, 1], ["tanh", "sigmoid"], seed=5)
    J = nn.mse(model([Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]), 1.0)
    J.label = "J"
    return J, model


# ---- the page itself (no browser) ------------------------------------------------------------


def page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.S)
    return json.loads(m[1])


@needs_dot
def test_page_is_self_contained_and_its_data_is_the_pass(tmp_path):
    J, model = network([0.5, -1.0])
    J.backward()
    J.backward()  # .grad now holds two passes; the page shows one, and changes nothing
    before = {v: v.grad for v in engine.topo_order(J)}
    path = engine.explore(J, tmp_path / "page.html", describe=nn.graph_view(model))
    assert {v: v.grad for v in engine.topo_order(J)} == before
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", text)  # nothing loaded from anywhere
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )
    data = page_data(path)
    order = engine.topo_order(J)
    fresh, _ = network([0.5, -1.0])
    fresh.backward()
    for node, item, ref in zip(order, data["nodes"], engine.topo_order(fresh)):
        assert item["grad"] == ref.grad and item["data"] == node.data
        assert item["parents"] == [order.index(p) for p in node.parents]
        assert item["local_grads"] == list(node.local_grads)
    assert [s["node"] for s in data["steps"]] == list(range(len(order) - 1, -1, -1))
    assert text.count('class="node"') == len(order)


@needs_dot
def test_explore_refuses_bad_arguments(tmp_path):
    J, _ = network([0.5, -1.0])
    with pytest.raises(ValueError, match=r"\.html"):
        engine.explore(J, tmp_path / "page.png")
    with pytest.raises(TypeError, match="digits"):
        engine.explore(J, tmp_path / "page.html", digits=2.5)
    with pytest.raises(TypeError, match="root"):
        engine.explore(3.0, tmp_path / "page.html")


# ---- in the browser --------------------------------------------------------------------------


def open_page(browser, path: Path):
    page, problems, requests = watched_page(browser)
    page.goto(path.as_uri())
    return page, problems, requests


CURRENT = """() => {
    const current = document.querySelectorAll("g.node.current");
    const node = current[0];  // none or several: the count says so, and the test stops there
    return {count: current.length, id: node && node.id,
            grad: node && node.getAttribute("data-grad"),
            label: node && node.getAttribute("data-label"),
            caption: document.getElementById("caption").innerText};
}"""


def test_clicking_through_every_step_shows_backwards_gradients(browser, tmp_path):
    J, model = network([0.5, -1.0])
    path = engine.explore(J, tmp_path / "page.html", describe=nn.graph_view(model))
    order = engine.topo_order(J)
    J.backward()  # the reference, after the page was written
    page, problems, requests = open_page(browser, path)
    n = len(order)
    for step in range(n):
        # What the page shows now, read in one call (a call per attribute took most of the time).
        shown = page.evaluate(CURRENT)
        assert shown["count"] == 1
        node = order[n - 1 - step]
        assert shown["id"] == f"v{order.index(node)}"
        assert float(shown["grad"]) == node.grad  # full precision
        assert shown["label"] in shown["caption"]
        if step < 3:
            page.click("#next")  # the button, with a real mouse click
        elif step < n - 1:
            page.keyboard.press("ArrowRight")  # then the key (a click costs ~4x as long)
    # At the end every node shows backward()'s gradient, and none is blank.
    grads = page.eval_on_selector_all(
        "g.node", "els => els.map(e => [e.id, e.getAttribute('data-grad')])"
    )
    assert len(grads) == n
    for element_id, grad in grads:
        assert math.isclose(float(grad), order[int(element_id[1:])].grad, rel_tol=1e-12)
    # Keys: Home goes back to the start, where only the root and its parents have gradients.
    page.keyboard.press("Home")
    assert page.locator("g.node.current").get_attribute("id") == f"v{n - 1}"
    blank = page.eval_on_selector_all("g.node[data-grad='']", "els => els.length")
    assert blank == n - 1 - len(set(J.parents))
    page.keyboard.press("End")
    assert page.locator("#next").is_disabled()
    # Click a weight: its paths to the root, whose products sum to its gradient.
    w = model.layers[0].neurons[0].w[0]
    page.click(f"#v{order.index(w)}")
    details = page.inner_text("#details")
    assert "paths to the root (1)" in details.lower() and "sum of the products" in details
    page.screenshot(path=str(tmp_path / "explorer.png"))
    assert (tmp_path / "explorer.png").stat().st_size > 10_000
    assert problems == []
    assert requests == [path.as_uri()]
    page.close()


def test_article_names_switch(browser, tmp_path):
    J, model = network([0.5, -1.0])
    path = engine.explore(J, tmp_path / "page.html", names={"X_1": "x_1 = (a_1)^1"})
    page, problems, _ = open_page(browser, path)
    x1 = page.locator("g.node[data-label='X_1']")
    assert x1.count() == 1
    page.click("#names")
    assert page.locator("g.node[data-label='x_1 = (a_1)^1']").count() == 1
    assert problems == []
    page.close()

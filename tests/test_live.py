"""The explorer's live edits in Chromium: seed 002's network, one edit of each kind of leaf.

After each edit (a weight typed in with Enter, a bias dragged on the slider, an input typed in)
every node's ``data-value`` and ``data-grad`` must equal Python's: the graph rebuilt at the new
values, then backward(), within 1e-12. Values that are not numbers, or that an op refuses, change
nothing. ``#reset`` puts back the recorded numbers exactly. No console error, no request. One
browser for the file; skips without playwright, Chromium or dot.
"""

from __future__ import annotations

import math

import pytest
from test_explore import needs_dot, open_page

import engine
import nn
from demos.four_layer import SIZES, X, Y
from engine import Value
from engine.render.text import num

pytestmark = needs_dot

NUMBERS = """() => Array.from(document.querySelectorAll("g.node"), (g) =>
    [Number(g.dataset.id), g.getAttribute("data-value"), g.getAttribute("data-grad")])"""


def seed_002():
    """Seed 002's 4-2-2-1 network as demos/four_layer.py builds it: (J, model, inputs)."""
    model = nn.MLP(len(X), SIZES, ["sigmoid", "sigmoid", "linear"], seed=2)
    inputs = [Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]
    return nn.mse(model(inputs), Y), model, inputs


def python_pass(leaves: dict[str, float]) -> list[Value]:
    """The graph rebuilt with these leaf values (by label), then backward(): its nodes in order."""
    J, model, inputs = seed_002()
    for leaf in [*model.parameters(), *inputs]:
        leaf.data = leaves.get(leaf.label, leaf.data)
    J = nn.mse(model(inputs), Y)
    J.backward()
    return engine.topo_order(J)


def check_numbers(page, expected: list[Value]) -> None:
    shown = page.evaluate(NUMBERS)
    assert len(shown) == len(expected)
    for i, value, grad in shown:
        node = expected[i]
        assert math.isclose(float(value), node.data, rel_tol=1e-12, abs_tol=1e-12), (i, value)
        assert math.isclose(float(grad), node.grad, rel_tol=1e-12, abs_tol=1e-12), (i, grad)


def test_editing_each_kind_of_leaf_reruns_the_pass_as_python(browser, tmp_path):
    J, model, _ = seed_002()
    path = engine.explore(J, tmp_path / "seed_002.html", describe=nn.graph_view(model))
    order = engine.topo_order(J)
    page, problems, requests = open_page(browser, path)
    ids = {node.label: i for i, node in enumerate(order) if node.label}
    assert page.locator("#value-input").is_hidden()  # until a leaf is clicked
    page.click(f"#v{ids['Z[2]_1']}")  # not a leaf: nothing to edit
    assert page.locator("#value-input").is_hidden()
    leaves: dict[str, float] = {}

    # A weight, typed in and Enter.
    page.click(f"#v{ids['W[2]_2,2']}")
    assert float(page.input_value("#value-input")) == order[ids["W[2]_2,2"]].data
    page.fill("#value-input", "-1.75")
    page.press("#value-input", "Enter")
    leaves["W[2]_2,2"] = -1.75
    expected = python_pass(leaves)
    check_numbers(page, expected)
    # The paths panel follows: the weight's one path, its product the new gradient.
    details = page.inner_text("#details").lower()
    w22 = expected[ids["W[2]_2,2"]]
    assert f"gradient {num(w22.grad, 4)}" in details and "paths to the root (1)" in details

    # A bias, dragged on the slider beside the input.
    page.click(f"#v{ids['b[1]_1']}")
    page.locator("#value-slider").fill("0.375")
    assert float(page.input_value("#value-input")) == 0.375
    leaves["b[1]_1"] = 0.375
    check_numbers(page, python_pass(leaves))

    # An input of the data, typed in.
    page.click(f"#v{ids['X_3']}")
    page.fill("#value-input", "2.5e-1")
    page.press("#value-input", "Enter")
    leaves["X_3"] = 0.25
    expected = python_pass(leaves)
    check_numbers(page, expected)

    # The step-through restarts at the new values: Home, then the first step down from the root.
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    current = page.locator("g.node.current")
    node = expected[int(current.get_attribute("data-id"))]
    assert float(current.get_attribute("data-grad")) == pytest.approx(node.grad, rel=1e-12)

    # Not a number: refused, nothing changes.
    page.fill("#value-input", "one half")
    page.press("#value-input", "Enter")
    assert "Not a number" in page.inner_text("#edit-note")
    page.keyboard.press("End")
    check_numbers(page, expected)
    # A value an op refuses (the output bias so large that (s - y) ** 2 overflows): its message,
    # and the page keeps the pass it had.
    page.click(f"#v{ids['b[3]_1']}")
    page.fill("#value-input", "1e300")
    page.press("#value-input", "Enter")
    assert "op '**': result too large for a float" in page.inner_text("#edit-note")
    with pytest.raises(OverflowError):
        python_pass({**leaves, "b[3]_1": 1e300})
    check_numbers(page, expected)

    edited = page.eval_on_selector_all("g.node.edited", "els => els.map(e => e.id)")
    assert sorted(edited) == sorted(f"v{ids[label]}" for label in leaves)  # dashed outlines

    # Reset: the recorded values and gradients, exactly.
    page.click("#reset")
    assert page.locator("g.node.edited").count() == 0
    shown = sorted(page.evaluate(NUMBERS))
    recorded = python_pass({})
    assert [(float(v), float(g)) for _, v, g in shown] == [(n.data, n.grad) for n in recorded]
    assert float(page.input_value("#value-input")) == order[ids["b[3]_1"]].data
    assert page.locator("#reset").is_disabled()
    assert problems == []
    assert requests == [path.as_uri()]
    page.close()

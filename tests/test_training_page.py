"""nn.training_page in a real browser: the page trains as nn.fit(shuffle=False) does.

The reference is nn.fit on the interpreter (graphs built and walked in Python), fed the same data,
initial weights, optimizer and batch size with the batches in order; the page's weights after n
steps must agree within 1e-9 relative on every weight. One Chromium launch for the file; skips,
saying why, without playwright or Chromium.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from chromium import watched_page

import nn

X, Y = nn.make_circles(64, factor=0.3, noise=0.1, seed=4)


def network() -> nn.MLP:
    """A small circles network: 2-8-1, tanh then sigmoid, the same initial weights every call."""
    return nn.MLP(2, [8, 1], ["tanh", "sigmoid"], seed=7)


def close(page_weights: list[float], model: nn.Module, rel: float = 1e-9) -> list[int]:
    """The indices of the weights that differ by more than ``rel`` relative (empty: all agree)."""
    params = model.parameters()
    assert len(page_weights) == len(params)
    return [
        i
        for i, (a, p) in enumerate(zip(page_weights, params))
        if not math.isclose(a, p.data, rel_tol=rel, abs_tol=0.0)
    ]


# ---- without a browser -------------------------------------------------------------------------


def test_fit_without_shuffling_takes_the_batches_in_order():
    seen: list[list[float]] = []

    def recording(predictions, targets):  # a loss that notes each batch's labels
        seen.append([float(t) for t in targets])
        return nn.binary_cross_entropy(predictions, targets)

    for seed in (1, 2):
        nn.fit(network(), X[:20], Y[:20], loss=recording, batch_size=8, epochs=2,
               shuffle=False, seed=seed, verbose=False)  # fmt: skip
    assert seen == [Y[0:8], Y[8:16], Y[16:20]] * 4
    with pytest.raises(TypeError, match="shuffle"):
        nn.fit(network(), X, Y, shuffle="no", verbose=False)


def test_training_page_refuses_bad_arguments(tmp_path):
    model = network()
    with pytest.raises(ValueError, match=r"2 features, got 3"):
        nn.training_page(nn.MLP(3, [1], ["sigmoid"]), [[0.0, 1.0, 2.0]], [1.0], tmp_path / "a.html")
    with pytest.raises(ValueError, match=r"\.html"):
        nn.training_page(model, X, Y, tmp_path / "a.png")
    with pytest.raises(ValueError, match="optimizer"):
        nn.training_page(model, X, Y, tmp_path / "a.html", optimizer=nn.SGD(network(), lr=0.1))

    class Nesterov(nn.SGD):
        def step(self) -> None:  # another update: the page could not follow it
            raise NotImplementedError

    with pytest.raises(TypeError, match="SGD, nn.Adam and nn.Adamax"):
        nn.training_page(model, X, Y, tmp_path / "a.html", optimizer=Nesterov(model, lr=0.1))
    with pytest.raises(ValueError, match="batch_size"):
        nn.training_page(model, X, Y, tmp_path / "a.html", batch_size=0)
    assert not (tmp_path / "a.html").exists()


# ---- in the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tab(browser):
    """One browser tab for the whole file (a tab costs more than loading a page into it), with
    the console errors and the requests of the page last opened."""
    page, problems, requests = watched_page(browser, 1400, 1000)
    yield page, problems, requests
    page.close()


def open_page(tab, path: Path):
    """Load the page into the tab: (page, its console errors, its requests)."""
    page, problems, requests = tab
    problems.clear()
    requests.clear()
    page.goto(path.as_uri())
    return page, problems, requests


# Buttons are clicked with force=True: a real mouse click at the button, without playwright's wait
# for two identical animation frames, which takes a second while the page is playing.


def test_sixteen_page_steps_equal_two_epochs_of_fit(tab, tmp_path):
    path = nn.training_page(network(), X, Y, tmp_path / "train.html", batch_size=8)
    batch_losses: list[float] = []

    def recording(predictions, targets):
        J = nn.binary_cross_entropy(predictions, targets)
        batch_losses.append(J.data)
        return J

    reference = network()
    nn.fit(reference, X, Y, loss=recording, batch_size=8, epochs=2, shuffle=False, verbose=False)
    assert len(batch_losses) == 16
    initial = [p.data for p in network().parameters()]

    page, problems, requests = open_page(tab, path)
    assert page.evaluate("chainrule.weights()") == initial  # exactly, through the page's JSON
    page.click("#step", force=True)  # one step with the button, fifteen through the test hook
    page.evaluate("chainrule.step(15)")
    weights = page.evaluate("chainrule.weights()")
    assert close(weights, reference) == []
    assert math.isclose(page.evaluate("chainrule.loss()"), batch_losses[-1], rel_tol=1e-9)
    assert weights != initial

    page.click("#reset", force=True)
    assert page.evaluate("chainrule.weights()") == initial
    # The learning rate: one step at lr 0.01 is fit's first batch with Adam(lr=0.01).
    page.fill("#lr", "0.01")
    page.evaluate("chainrule.step(1)")
    one = network()
    nn.fit(one, X[:8], Y[:8], optimizer=nn.Adam(one.parameters(), lr=0.01), batch_size=8,
           epochs=1, shuffle=False, verbose=False)  # fmt: skip
    assert close(page.evaluate("chainrule.weights()"), one) == []

    # Play trains until Pause; then the weights stay where they are.
    page.click("#play", force=True)
    page.wait_for_function(
        "document.getElementById('status').textContent.includes('epoch 1')", polling=20
    )
    page.click("#pause", force=True)
    paused = page.evaluate("chainrule.weights()")
    page.wait_for_timeout(60)
    assert page.evaluate("chainrule.weights()") == paused
    assert page.is_disabled("#pause") and page.is_enabled("#play")

    # A click adds a point of class 1, a shift-click one of class 0; training goes on with them.
    page.click("#reset", force=True)
    box = page.locator("#plane").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.down("Shift")
    page.mouse.click(box["x"] + 10, box["y"] + 10)
    page.keyboard.up("Shift")
    assert "66 points" in page.inner_text("#status")
    page.evaluate("chainrule.step(9)")  # a whole epoch: 8 full batches, then one of 2 points
    assert "step 9, epoch 1," in page.inner_text("#status")
    assert all(math.isfinite(w) for w in page.evaluate("chainrule.weights()"))
    assert problems == []
    assert requests == [path.as_uri()]


@pytest.mark.parametrize(
    "optimizer, loss",
    [
        (lambda ps: nn.SGD(ps, lr=0.1), "mse"),
        (lambda ps: nn.SGD(ps, lr=0.05, momentum=0.9), "hinge"),
        (lambda ps: nn.Adamax(ps), "binary_cross_entropy"),
    ],
    ids=["SGD-mse", "SGD-momentum-hinge", "Adamax-bce"],
)
def test_every_optimizer_steps_as_fit(tab, tmp_path, optimizer, loss):
    labels = [2.0 * t - 1.0 for t in Y[:24]] if loss == "hinge" else Y[:24]
    model = network()
    path = nn.training_page(
        model, X[:24], labels, tmp_path / "opt.html", loss=loss,
        optimizer=optimizer(model.parameters()), batch_size=8,
    )  # fmt: skip
    reference = network()
    nn.fit(reference, X[:24], labels, loss=loss, optimizer=optimizer(reference.parameters()),
           batch_size=8, epochs=1, shuffle=False, verbose=False)  # fmt: skip
    page, problems, requests = open_page(tab, path)
    page.evaluate("chainrule.step(3)")
    assert close(page.evaluate("chainrule.weights()"), reference) == []
    assert problems == [] and requests == [path.as_uri()]

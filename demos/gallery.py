"""The gallery: one offline page, ``<out>/index.html``, holding each article figure's number and
caption beside this project's picture of it, so a reader can lay the articles next to the
reproduction. ``python -m demos`` writes it after running every demo; ``python -m demos.gallery
--out DIR`` writes it for pictures already there. Each demo's explorer pages (any ``<demo>*.html``
in the directory) are linked from its section.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.files import write_atomic


@dataclass(frozen=True)
class Figure:
    """One of an article's figures and the file(s) that reproduce it."""

    number: str  # as the article numbers it ("Figure 5"), or how it is placed when unnumbered
    caption: str  # the article's caption, or what the figure shows
    files: tuple[str, ...]  # this project's pictures of it, relative to the out directory
    note: str = ""  # how the reproduction was made


@dataclass(frozen=True)
class Article:
    seed: str
    title: str
    demo: str
    figures: tuple[Figure, ...]


ARTICLES = (
    Article(
        "000",
        "A friendly guide to the mathematical intuition behind vanilla Neural Networks",
        "two_layer_mse",
        (
            Figure(
                "the architecture",
                "a two-layer net: X = A[0], hidden A[1], output Ŷ = A[2]",
                ("two_layer_mse_graph.svg",),
                "the whole graph of J for one sample",
            ),
            Figure(
                "Figure 5",
                "W[2] gradient",
                ("two_layer_mse_fig5.svg",),
                "every path from J to W[2] outlined, each edge labelled with its factor",
            ),
            Figure(
                "Figure 6",
                "Gradient of the cost J with respect to the bias of layer two b[2]",
                ("two_layer_mse_fig6.svg",),
                "the paths from J to b[2]",
            ),
            Figure("Figure 7", "W[1] gradient", ("two_layer_mse_fig7.svg",), "the paths to W[1]"),
            Figure("Figure 8", "b[1] gradient", ("two_layer_mse_fig8.svg",), "the paths to b[1]"),
        ),
    ),
    Article(
        "001",
        "Math behind backpropagation in Neural Network",
        "two_layer_bce",
        (
            Figure(
                "fig",
                "Computational Graph for Back Propagation",
                ("two_layer_bce_graph.svg",),
                "the graph of J = -Y log A[2] - (1-Y) log(1-A[2]) for one sample",
            ),
        ),
    ),
    Article(
        "002",
        "Backpropagation: the 4-layer network and the gradient of (w_22)²",
        "four_layer",
        (
            Figure(
                "the network",
                "4-2-2-1: x, z², a², z³, a³, s, cost C; the weight (w_22)²",
                ("four_layer_article_names.svg", "four_layer_graph.svg"),
                "the same graph in the article's names and in this project's, the paths from "
                "(w_22)² = W[2]_2,2 to the cost outlined",
            ),
        ),
    ),
    Article(
        "003",
        "Deep Dive into Math Behind Deep Networks (the circles classifier, Keras baseline)",
        "circles",
        (
            Figure(
                "Figure 1",
                "the data set: two classes on concentric circles",
                ("circles_data.png",),
                "make_circles(1000, factor=0.3, noise=0.1); the article's colours",
            ),
            Figure(
                "Figure 2",
                "the network: five dense layers 2-4-6-6-4-1",
                ("circles_graph.svg",),
                "the trained network's graph of one sample's loss",
            ),
            Figure(
                "Figure 6",
                "activation functions and their derivatives",
                ("circles_activations.png",),
                "each point a forward pass and backward() of this engine",
            ),
            Figure(
                "Figure 7",
                "accuracy and loss per epoch",
                ("circles_history.png",),
                "training and test, this project's run",
            ),
            Figure(
                "the animation",
                "gradient descent moving downhill on a loss surface",
                ("circles_descent.gif",),
                "every step's gradient from backward()",
            ),
            Figure(
                "Figure 9",
                "the forward and backward operations, layer by layer",
                ("circles_figure9.svg",),
                "read off the trained network's real graph for one sample",
            ),
            Figure(
                "the boundary",
                "the decision boundary after every epoch",
                ("circles_boundary.gif", "circles_boundary.png"),
                "redrawn after each epoch; the last one",
            ),
        ),
    ),
    Article(
        "004",
        "Neural Networks: The Math (one sigmoid neuron, MSE, gradient descent)",
        "perceptron",
        (
            Figure(
                "the perceptron",
                "z = w·x + b, ŷ = σ(z), C = (1/n) Σ (y - ŷ)²",
                ("perceptron_graph.svg",),
                "the graph of C over all six samples; each sample's nodes are named Z[1]_1⁽ˢ⁾, "
                "A[1]_1⁽ˢ⁾",
            ),
        ),
    ),
    Article(
        "004",
        "Beyond the article: gradients of gradients (the perceptron's second derivative)",
        "second_order",
        (
            Figure(
                "Newton's method",
                "C along one weight: Newton's method beside gradient descent, step by step",
                ("second_order_newton.png",),
                "C'' is engine.grad of the gradient engine.grad(create_graph=True) returned",
            ),
            Figure(
                "backpropagation is a graph too",
                "the graph of dC/dw, made by the backward pass",
                ("second_order_graph.svg",),
                "differentiating it again (its own backward pass) gives d²C/dw²",
            ),
        ),
    ),
    Article(
        "",  # no article: the classifier over several classes that courses take up next
        "After the articles: several classes, softmax and cross-entropy on a spiral",
        "spiral",
        (
            Figure(
                "the decision regions",
                "a 2-16-16-3 network's predicted class over the plane, three spiral arms",
                ("spiral_regions.png",),
                "nn.make_spiral(100, 3, noise=0.2), cross-entropy over three logits, accuracy by "
                "argmax",
            ),
            Figure(
                "the graph",
                "one sample's loss L = -log softmax(z)_y, one box per neuron",
                ("spiral_graph.svg",),
                "after backward(); the demo checks dL/dz_k = p_k - [k = y] node by node",
            ),
        ),
    ),
)

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; }
h2 { border-bottom: 1px solid #cbd5e1; padding-bottom: .2em; margin-top: 2em; }
figure { margin: 1.2em 0; padding: .8em; border: 1px solid #e5e7eb; border-radius: 6px; }
figcaption { margin-bottom: .6em; }
figcaption b { color: #1e40af; }
img { max-width: 100%; border: 1px solid #f1f5f9; }
.missing { color: #b91c1c; }
.note { color: #6b7280; font-size: .9em; }
"""


def files(articles: Sequence[Article] = ARTICLES) -> list[str]:
    """Every picture the gallery shows, in page order."""
    return [name for a in articles for f in a.figures for name in f.files]


def page(out: Path, articles: Sequence[Article] = ARTICLES) -> tuple[str, list[str]]:
    """The gallery's HTML, and the pictures it lists that are not in ``out``."""
    missing = []
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>chainrule: the five articles' figures, reproduced</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>The five articles' figures, reproduced</h1>",
        "<p>Each article's figure, by its number and caption, beside this project's picture of "
        "it. Every picture was drawn from this engine's own graphs and numbers by "
        "<code>python -m demos</code>.</p>",
    ]
    for article in articles:
        e = html.escape
        seed = f"Seed {e(article.seed)}: " if article.seed else ""
        parts.append(f"<h2>{seed}{e(article.title)}</h2>")
        pages = sorted(p.name for p in out.glob(f"{article.demo}*.html"))
        links = ", ".join(f'<a href="{e(p)}">{e(p)}</a>' for p in pages)
        parts.append(
            f"<p>Demo: <code>python -m demos.{e(article.demo)}</code>"
            + (f"; explorer: {links}" if links else "")
            + "</p>"
        )
        for fig in article.figures:
            parts.append(
                f"<figure><figcaption><b>{e(fig.number)}</b>: {e(fig.caption)}"
                f'<br><span class="note">{e(fig.note)}</span></figcaption>'
            )
            for name in fig.files:
                if (out / name).is_file():
                    parts.append(f'<a href="{e(name)}"><img src="{e(name)}" alt="{e(name)}"></a>')
                else:
                    missing.append(name)
                    parts.append(f'<p class="missing">missing: {e(name)}</p>')
            parts.append("</figure>")
    parts.append("</body></html>\n")
    return "\n".join(parts), missing


def write_gallery(out: str | Path) -> tuple[Path, list[str]]:
    """Write ``<out>/index.html`` atomically (``engine.files.write_atomic``); returns its path and
    the listed pictures that are missing."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    text, missing = page(out)
    return write_atomic(out / "index.html", text), missing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="where the demos wrote their pictures")
    args = parser.parse_args(argv)
    path, missing = write_gallery(args.out)
    shown = len(files()) - len(missing)
    print(f"gallery: {path} ({shown} of {len(files())} pictures)")
    for name in missing:
        print(f"  missing: {name} (run its demo first)")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

"""What the seed demos share: arguments, the check table, a hand-written forward pass, gradient
descent and the graph picture.

Every "by hand" number here is plain float arithmetic on the ``.data`` of weights and inputs; none
of it touches a gradient, so it can check autograd instead of repeating it.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import engine
from demos.figures import render_noting
from engine import Value
from nn import MLP, Module, graph_view

# autograd and a closed form agree when they differ by at most this, relative (with a tiny
# absolute floor for gradients that are zero, e.g. behind a ReLU that is off).
REL_TOL = 1e-9
ABS_TOL = 1e-12


def parse_args(
    doc: str,
    argv: Sequence[str] | None,
    configure: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """The demo convention: ``--out DIR`` (default out/) plus whatever ``configure`` adds."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--out", default="out", help="where the graph pictures go (default out/)")
    if configure is not None:
        configure(parser)
    return parser.parse_args(argv)


def agree(a: float, b: float) -> bool:
    """True when a and b are equal up to rounding (REL_TOL relative, ABS_TOL absolute)."""
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def num(x: float) -> str:
    """A number to 6 significant digits, the demos' one number format."""
    return f"{x:.6g}"


# ---- activations by hand -------------------------------------------------------------------------


def sigmoid(z: float) -> float:
    """1/(1+e^-z), without overflow for large |z|."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


G: dict[str, Callable[[float], float]] = {
    "sigmoid": sigmoid,
    "tanh": math.tanh,
    "relu": lambda z: z if z > 0.0 else 0.0,
    "linear": lambda z: z,
}

# g'(z), written from the textbook formulas (ReLU's derivative at 0 taken as 0).
G_PRIME: dict[str, Callable[[float], float]] = {
    "sigmoid": lambda z: sigmoid(z) * (1.0 - sigmoid(z)),
    "tanh": lambda z: 1.0 - math.tanh(z) ** 2,
    "relu": lambda z: 1.0 if z > 0.0 else 0.0,
    "linear": lambda z: 1.0,
}

# How the table names g' for each activation.
G_PRIME_TEXT = {
    "sigmoid": "σ(z)(1-σ(z))",
    "tanh": "1-tanh(z)^2",
    "relu": "[z>0]",
    "linear": "1",
}


@dataclass
class Dense:
    """A dense network as plain floats: W[l][j][k] and b[l][j] (0-based), one activation a layer."""

    W: list[list[list[float]]]
    b: list[list[float]]
    activations: list[str]

    @classmethod
    def of(cls, model: MLP) -> Dense:
        """A snapshot of the model's current parameter values (.data only)."""
        W = [[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers]
        b = [[n.b.data for n in layer.neurons] for layer in model.layers]
        return cls(W, b, list(model.activations))

    def forward(self, x: Sequence[float]) -> tuple[list[list[float]], list[list[float]]]:
        """Z[l] = W[l] A[l-1] + b[l], A[l] = g(Z[l]) by hand; returns (Z, A) with A[0] = x."""
        zs: list[list[float]] = [[]]
        acts: list[list[float]] = [list(x)]
        for W, b, g in zip(self.W, self.b, self.activations):
            z = [bj + sum(w * a for w, a in zip(row, acts[-1])) for row, bj in zip(W, b)]
            zs.append(z)
            acts.append([G[g](v) for v in z])
        return zs, acts


def forward_matches(
    nodes: dict[str, Value], zs: list[list[float]], acts: list[list[float]]
) -> bool:
    """Check the graph's Z[l]_j / A[l]_j values against a hand forward pass; print one line."""
    worst, ok = 0.0, True
    for layer in range(1, len(zs)):
        for j, (z, a) in enumerate(zip(zs[layer], acts[layer]), 1):
            for name, value in ((f"Z[{layer}]_{j}", z), (f"A[{layer}]_{j}", a)):
                if name in nodes:
                    got = nodes[name].data
                    ok &= agree(got, value)
                    worst = max(worst, abs(got - value))
    verdict = "agrees with" if ok else "DISAGREES with"
    print(
        f"forward pass by hand {verdict} the graph's Z and A values (max |difference| {worst:.1e})"
    )
    return ok


def labelled(root: Value) -> dict[str, Value]:
    """The labelled nodes of root's graph by label (one forward pass: labels are unique)."""
    return {n.label: n for n in engine.topo_order(root) if n.label is not None}


# ---- the check table -----------------------------------------------------------------------------


@dataclass
class Check:
    """One line of a node-by-node table: a node's autograd gradient against a closed form.

    ``article_slip`` marks a formula printed wrongly in the article: it is shown and is expected
    to disagree, and it never makes the demo fail.
    """

    node: str
    value: float
    autograd: float
    formula: str
    by_hand: float
    article: str = ""
    article_slip: bool = False

    @property
    def ok(self) -> bool:
        return agree(self.autograd, self.by_hand)

    @property
    def verdict(self) -> str:
        if self.article_slip:
            return "agrees" if self.ok else "DIFFERS (article's slip)"
        return "ok" if self.ok else "MISMATCH"


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Collection[int] = ()
) -> None:
    """Rows of text in aligned columns; the columns numbered in ``right`` are right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    print(line(headers))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))


def check_table(title: str, checks: Sequence[Check]) -> bool:
    """Print the checks as a table under ``title``; True unless a real formula disagrees."""
    with_article = any(c.article for c in checks)
    headers = ["node", "value", "autograd", "closed form", "by hand", "difference", ""]
    rows = [
        [c.node, num(c.value), num(c.autograd), c.formula, num(c.by_hand)]
        + [f"{c.autograd - c.by_hand:.1e}", c.verdict]
        for c in checks
    ]
    right = {1, 2, 4, 5}  # the number columns
    if with_article:
        headers = ["article", *headers]
        rows = [[c.article, *r] for c, r in zip(checks, rows)]
        right = {i + 1 for i in right}
    print(f"\n{title}")
    print_table(headers, rows, right)
    return all(c.ok for c in checks if not c.article_slip)


# ---- gradient descent and the picture ------------------------------------------------------------


def gradient_descent(
    params: Sequence[Value],
    cost: Callable[[], Value],
    *,
    lr: float,
    steps: int,
    every: int = 1,
    min_drop: float = 0.0,
    check: Callable[[Value], bool] | None = None,
) -> tuple[list[float], bool]:
    """Plain gradient descent, p <- p - lr dJ/dp, printing the cost every ``every`` steps.

    ``cost()`` runs a fresh forward pass. Before each update ``check(J)``, if given, compares the
    new gradients with the closed forms. Stops early once the cost falls by less than ``min_drop``
    in one step. Returns the costs (one per forward pass) and whether every check passed.
    """
    costs: list[float] = []
    all_ok = True
    print(f"\ngradient descent, learning rate {lr}:")
    print(f"{'step':>6}  {'cost':>12}")
    for step in range(steps + 1):
        for p in params:
            p.grad = 0.0
        J = cost()
        costs.append(J.data)
        falling = len(costs) < 2 or costs[-2] - costs[-1] >= min_drop
        last = step == steps or not falling
        if step % every == 0 or last:
            print(f"{step:>6}  {num(J.data):>12}")
        if last:
            if not falling:
                print(f"stopped: the cost fell by less than {min_drop:g} in one step")
            break
        J.backward()
        if check is not None:
            all_ok &= check(J)
        for p in params:
            p.data -= lr * p.grad
    fell = costs[-1] < costs[0]
    print(f"cost {num(costs[0])} -> {num(costs[-1])}: {'falling' if fell else 'NOT falling'}")
    if check is not None:
        print(
            "closed forms checked against autograd at every step:", "ok" if all_ok else "MISMATCH"
        )
    return costs, all_ok and fell


def write_graph(
    root: Value,
    out: str | Path,
    demo: str,
    model: Module | None = None,
    names: Mapping[str, str] | None = None,
    **options: object,
) -> list[Path]:
    """Draw root's graph to ``<out>/<demo>_graph.svg`` and ``.png``, and write the explorer page
    ``<out>/<demo>.html`` (engine.explore). With ``model``, its layers are framed and its
    parameters marked (nn.graph_view, by structure); ``names`` (label -> article's name) lets the
    page switch to the article's names."""
    out = Path(out)
    describe = graph_view(model) if model is not None else None
    options.setdefault("view", "values")  # every weight drawn, as the articles' figures do
    paths = [out / f"{demo}_graph.{ext}" for ext in ("svg", "png")]
    written = render_noting(root, paths, describe=describe, **options)
    page_options = {k: v for k, v in options.items() if k not in ("highlight", "view")}
    page_options.pop("highlight_paths_from", None)
    written.append(
        engine.explore(root, out / f"{demo}.html", names=names, describe=describe, **page_options)
    )
    print(f"\ngraph picture: {', '.join(map(str, written[:2]))}")
    print(f"step through backward in a browser: {written[2]}")
    return written


Forms = dict[str, tuple[str, float]]  # node label -> (closed form as text, its value by hand)


def checks_for(root: Value, forms: Forms, article: dict[str, str] | None = None) -> list[Check]:
    """One Check per node named in ``forms``, with its value and autograd gradient."""
    nodes = labelled(root)
    article = article or {}
    return [
        Check(name, nodes[name].data, nodes[name].grad, text, value, article.get(name, ""))
        for name, (text, value) in forms.items()
    ]


def forms_agree(root: Value, forms: Forms) -> bool:
    """True when every node in ``forms`` has the autograd gradient its closed form gives."""
    return all(c.ok for c in checks_for(root, forms))

"""Several classes: a 2-16-16-3 network learns a three-arm spiral with softmax and cross-entropy.

    python -m demos.spiral [--out DIR] [--epochs N] [--seed S]

The data: ``nn.make_spiral(100, 3, noise=0.2)``, 300 points on three arms (a class each) that no
straight line separates. The network: an MLP 2-16-16-3 with ReLU hidden layers and a linear last
layer whose three outputs are logits z_1, z_2, z_3; the model's probabilities are their softmax
p_k = e^(z_k) / sum_j e^(z_j). The loss: cross-entropy, L = -log p_y for a sample of class y
(``nn.cross_entropy``), trained with Adam (lr 0.01), batches of 30, compiled steps. Accuracy is
by argmax: the predicted class is the largest logit. The demo requires a training accuracy of at
least 0.95 after the default number of epochs.

Then, for one sample, the derivation of the loss, node by node: the graph of L holds the shifted
logits s_k = z_k - m (m = max z_j, a constant: it keeps e^s <= 1), e_k = e^(s_k), S = sum e_k,
log S, and log p_y = s_y - log S, L = -log p_y. Its backward pass must give, at each node, the
closed form: dL/d(log S) = 1, dL/dS = 1/S, dL/de_k = 1/S, dL/ds_k = dL/dz_k = p_k - [k = y].

Files written under --out:
  spiral_regions.png   the decision regions (the predicted class over the plane, three colours)
                       and the training points in their classes' colours
  spiral_graph.svg     the graph of one sample's loss after backward(), one box per neuron
  spiral.html          that graph's backward pass to step through in a browser
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import engine
import nn
from demos.common import agree, num
from demos.figures import save_figure

SIZES = [16, 16, 3]
ACTIVATIONS = ["relu", "relu", "linear"]
EPOCHS = 40
BATCH = 30  # 300 samples: every batch the same size, so one compiled step serves them all
TARGET = 0.95  # the training accuracy the demo requires after EPOCHS epochs
LIMIT = 1.2  # the regions cover [-LIMIT, LIMIT]^2
GRID = 120  # grid points per side
COLOURS = ("#dc2626", "#2563eb", "#16a34a")  # the points of classes 0, 1, 2
REGIONS = ("#fecaca", "#bfdbfe", "#bbf7d0")  # and their regions, lighter
MAX_NODES = 300  # above this many nodes the graph is drawn one box per neuron


def setup(seed: int) -> tuple[nn.MLP, list[list[float]], list[int]]:
    """The spiral and the untrained network, fixed by the seed: (model, X, y)."""
    X, y = nn.make_spiral(100, 3, 0.2, seed=seed)
    return nn.MLP(2, SIZES, ACTIVATIONS, seed=seed), X, y


def train(model: nn.MLP, X: list, y: list, epochs: int, seed: int) -> nn.History:
    """Cross-entropy over the three logits, Adam, batches of 30, compiled steps."""
    return nn.fit(
        model, X, y, loss="cross_entropy", optimizer=nn.Adam(model.parameters(), lr=0.01),
        epochs=epochs, batch_size=BATCH, seed=seed, verbose=False, compile=True,
    )  # fmt: skip


def derivation(model: nn.MLP, x: list[float], y: int) -> list[tuple[str, float, float, bool]]:
    """One sample's loss, node by node: (node, backward()'s value, the closed form, agree) for
    every value and gradient of the softmax and cross-entropy nodes. The closed forms are worked
    out here from the logits' floats with math.exp and math.log, not read from the graph."""
    z = model(x)
    L = nn.cross_entropy(z, y)
    model.zero_grad()
    L.backward()
    # The graph of L: L = -(log p_y), log p_y = (-log S) + s_y, -log S = -(log S), S = sum e_k,
    # e_k = e^(s_k), s_k = z_k - m.
    log_p = L.parents[0]
    minus_log_S, s_y = log_p.parents
    log_S = minus_log_S.parents[0]
    S = log_S.parents[0]
    es = list(S.parents)
    shifted = [e.parents[0] for e in es]
    assert [v.op for v in (L, log_p, minus_log_S, log_S, S)] == ["neg", "+", "neg", "log", "sum"]
    assert s_y is shifted[y] and all(s.parents[0] is zk for s, zk in zip(shifted, z))

    logits = [v.data for v in z]
    m = max(logits)
    e = [math.exp(v - m) for v in logits]
    total = math.fsum(e)
    p = [ek / total for ek in e]
    rows = [
        ("L = -log p_y", L.data, -math.log(p[y])),
        ("log S", log_S.data, math.log(total)),
        ("S = sum e_k", S.data, total),
        ("dL/d(log S) = 1", log_S.grad, 1.0),
        ("dL/dS = 1/S", S.grad, 1.0 / total),
    ]
    for k in range(len(z)):
        rows.append((f"e_{k} = exp(z_{k} - m)", es[k].data, e[k]))
        rows.append((f"dL/de_{k} = 1/S", es[k].grad, 1.0 / total))
        rows.append((f"softmax p_{k}", nn.softmax(z)[k].data, p[k]))
    for k in range(len(z)):
        closed = p[k] - (1.0 if k == y else 0.0)
        rows.append((f"dL/ds_{k} = p_{k} - [{k} = y]", shifted[k].grad, closed))
        rows.append((f"dL/dz_{k} = p_{k} - [{k} = y]", z[k].grad, closed))
    return [(name, got, want, agree(got, want)) for name, got, want in rows]


def plot_regions(path: Path, model: nn.MLP, X: list, y: list[int], accuracy: float) -> Path:
    """The predicted class over a grid of the plane, in three colours, and the points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    ticks = [-LIMIT + 2 * LIMIT * i / (GRID - 1) for i in range(GRID)]
    grid = [[a, b] for b in ticks for a in ticks]
    classes = nn.predict(model, grid, output="classes")
    rows = [classes[i * GRID : (i + 1) * GRID] for i in range(GRID)]
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.imshow(
        rows, origin="lower", extent=(-LIMIT, LIMIT, -LIMIT, LIMIT), cmap=ListedColormap(REGIONS),
        vmin=-0.5, vmax=2.5, interpolation="nearest",
    )  # fmt: skip
    for k, colour in enumerate(COLOURS):
        points = [x for x, t in zip(X, y) if t == k]
        ax.scatter(*zip(*points), s=10, color=colour, edgecolors="black", linewidths=0.3,
                   label=f"class {k}")  # fmt: skip
    shape = "-".join(map(str, [2, *SIZES]))
    ax.set_title(f"spiral: decision regions of the {shape} network (accuracy {accuracy:.3f})",
                 fontsize=9)  # fmt: skip
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.legend(fontsize=8, loc="upper right")
    written = save_figure(fig, path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return written


def draw_graph(path: Path, model: nn.MLP, x: list[float], y: int) -> Path:
    """The graph of one sample's loss after backward(), framed by layer, and its explorer page."""
    L = nn.cross_entropy(model(x), y)
    model.zero_grad()
    L.backward()
    describe = nn.graph_view(model)
    engine.explore(L, path.with_name("spiral.html"), describe=describe, max_nodes=2 * MAX_NODES)
    return engine.render(L, path, describe=describe, max_nodes=MAX_NODES, view="boxes")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="where pictures go (default: out/)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"(default: {EPOCHS})")
    parser.add_argument("--seed", type=int, default=0, help="seed for data, init, batches")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    model, X, y = setup(args.seed)
    print(
        f"spiral: {len(X)} points, 3 classes; MLP 2-{'-'.join(map(str, SIZES))} "
        f"({len(model.parameters())} parameters), softmax cross-entropy, Adam, "
        f"{args.epochs} epochs of batches of {BATCH}, compiled"
    )
    started = time.perf_counter()
    history = train(model, X, y, args.epochs, args.seed)
    loss, accuracy = nn.evaluate(model, X, y, loss="cross_entropy")
    print(f"trained in {time.perf_counter() - started:.1f} s")
    required = args.epochs >= EPOCHS
    verdict = ("OK" if accuracy >= TARGET else "NO") if required else "not required"
    print(f"training loss {loss:.4f}, training accuracy {accuracy:.4f} (>= {TARGET}: {verdict})")
    same = nn.predict(model, X) == [[v.data for v in model(x)] for x in X]
    print(f"nn.predict matches the graph's forward pass: {'OK' if same else 'NO'}")

    x, label = X[0], y[0]
    rows = derivation(model, x, label)
    print(f"\none sample, x = ({num(x[0])}, {num(x[1])}), class y = {label}: the loss node by node")
    width = max(len(name) for name, *_ in rows)
    for name, got, want, ok in rows:
        print(f"  {name:<{width}}  backward/graph {num(got):>12}  closed form {num(want):>12}  "
              f"{'OK' if ok else 'DIFFERS'}")  # fmt: skip
    derived = all(ok for *_, ok in rows)
    print(f"softmax and cross-entropy by backward() match the closed forms: "
          f"{'OK' if derived else 'NO'}")  # fmt: skip

    written = [
        plot_regions(out / "spiral_regions.png", model, X, y, accuracy),
        draw_graph(out / "spiral_graph.svg", model, x, label),
        out / "spiral.html",
    ]
    print(f"wrote {', '.join(str(p) for p in written)}")
    ok = same and derived and (accuracy >= TARGET or not required)
    return 0 if ok and history.epochs == args.epochs else 1


if __name__ == "__main__":
    sys.exit(main())

"""Seed 003: train the articles' circles classifier on this engine and draw how it learns.

    python -m demos.circles [--out DIR] [--epochs N] [--seed S] [--no-compile]

The run is the article's Keras notebook, rebuilt from scalar Values: 1000 points on two concentric
circles (inner radius 0.3, noise 0.1), 10% held out for testing, an MLP 2-4-6-6-4-1 (ReLU hidden
layers, sigmoid output, Glorot-uniform weights, zero biases), binary cross-entropy, Adamax with
Keras' defaults, 50 epochs of batches of 32. The seed fixes the data, the split, the initial
weights and the batch order. Training runs compiled steps (nn.fit(compile=True)); --no-compile
builds and walks a graph per batch instead, with bit-identical results, only slower.

Files written under --out:
  circles_data.png         the data set, train and test points by class (Figure 1's colours:
                           the outer circle, class 0, red; the inner one, class 1, blue)
  circles_history.png      loss and accuracy per epoch, training and test (Figure 7)
  circles_boundary.png     the model's probability over [-1.5, 1.5]^2 (100x100 grid), test points
  circles_boundary.gif     the same, redrawn after every epoch
  circles_graph.svg        the computational graph of the loss J of one sample, after backward()
  circles.html             that graph's backward pass to step through in a browser
  circles_training.html    the network training in the browser from the same initial weights
                           (nn.training_page: play, step, reset, learning rate; the boundary, the
                           loss curve and every weight update as it trains; batches in order)
  circles_activations.png  sigmoid, tanh, ReLU, leaky ReLU and their derivatives, every point a
                           forward and backward pass of this engine (Figure 6)
  circles_descent.gif      gradient descent on a two-parameter loss surface, each step's gradient
                           from backward() (the article's animation)
  circles_figure9.svg      the forward and backward operations per layer, read off the trained
                           network's graph for one sample (Figure 9)

At the end it prints the dead ReLU units per layer (nn.DeadUnits: a unit whose input is <= 0 for
every training sample) and the epoch each one died: when a whole layer dies, the output no longer
depends on the input and the loss sticks at ln 2. Then it trains seed 17, the seed whose ReLU run
sticks (README, seed 003), twice: with ReLU and with leaky ReLU hidden units (same data, weights
and batches), and prints how each ends: with leaky ReLU no unit can die.

The grids are computed with ``nn.predict`` (floats, no graph); the demo checks that it matches the
graph's forward pass on the test set and exits non-zero if it does not.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import engine
import nn
from demos import figures

KERAS_ACCURACY = 1.0  # the article's test accuracy with Keras
KERAS_LOSS = 0.0286  # and its test loss
SIZES = [4, 6, 6, 4, 1]
ACTIVATIONS = ["relu"] * 4 + ["sigmoid"]
LIMIT = 1.5  # the plots cover [-LIMIT, LIMIT]^2
GRID = 100  # grid points per side
MAX_NODES = 300  # the most value nodes the explorer page draws
STUCK_SEED = 17  # the seed whose ReLU run sticks at ln 2 (README, seed 003)


def article_setup(seed: int) -> tuple[nn.MLP, list, list, list, list]:
    """The article's data, 10% test split and untrained network, all fixed by one seed:
    (model, X_train, X_test, y_train, y_test)."""
    X, y = nn.make_circles(1000, factor=0.3, noise=0.1, seed=seed)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.1, seed=seed)
    return article_model(seed), X_train, X_test, y_train, y_test


def article_model(seed: int) -> nn.MLP:
    """The article's untrained network, its initial weights fixed by the seed."""
    return nn.MLP(2, SIZES, ACTIVATIONS, init="glorot_uniform", seed=seed)


def article_training(
    model: nn.MLP, X_train: list, y_train: list, epochs: int, seed: int, **options: object
) -> nn.History:
    """The article's training: binary cross-entropy, Adamax with Keras' defaults, batches of 32.
    ``options`` go to nn.fit (validation, callbacks, verbose)."""
    return nn.fit(
        model,
        X_train,
        y_train,
        loss="binary_cross_entropy",
        optimizer=nn.Adamax(model.parameters()),
        epochs=epochs,
        batch_size=32,
        seed=seed,
        **options,
    )


def grid_points(n: int = GRID, limit: float = LIMIT) -> tuple[list[float], list[list[float]]]:
    """The n ticks of [-limit, limit] and the n*n points (x1, x2), row by row (x2 outer)."""
    ticks = [-limit + 2.0 * limit * i / (n - 1) for i in range(n)]
    return ticks, [[x1, x2] for x2 in ticks for x1 in ticks]


def _rows(flat: list[float], n: int) -> list[list[float]]:
    return [flat[i * n : (i + 1) * n] for i in range(n)]


def _log(line: str) -> None:
    """Print a line without breaking fit's progress bar, when there is one."""
    try:
        from tqdm import tqdm
    except ImportError:
        print(line, flush=True)
        return
    tqdm.write(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="where pictures go (default: out/)")
    parser.add_argument("--epochs", type=int, default=50, help="training epochs (default: 50)")
    parser.add_argument("--seed", type=int, default=0, help="seed for data, init, batches")
    parser.add_argument(
        "--no-compile", dest="compile", action="store_false", help="train on the interpreter"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    model, X_train, X_test, y_train, y_test = article_setup(args.seed)
    print(
        f"circles: {len(X_train)} training and {len(X_test)} test points; "
        f"MLP 2-{'-'.join(map(str, SIZES))}, {len(model.parameters())} parameters; "
        f"Adamax, binary cross-entropy, {args.epochs} epochs of batches of 32"
    )

    ticks, grid = grid_points()
    frames = [(0, nn.predict(model, grid))]  # the boundary before training, then after each epoch

    def record(epoch: int, history: nn.History, model: nn.Module) -> None:
        frames.append((epoch, nn.predict(model, grid)))
        _log(
            f"epoch {epoch:3d}/{args.epochs}  loss {history.loss[-1]:.4f}  "
            f"accuracy {history.accuracy[-1]:.4f}  test loss {history.val_loss[-1]:.4f}  "
            f"test accuracy {history.val_accuracy[-1]:.4f}"
        )

    dead = nn.DeadUnits(X_train)
    dead.start(model)
    history = article_training(
        model,
        X_train,
        y_train,
        args.epochs,
        args.seed,
        validation=(X_test, y_test),
        callbacks=[record, dead],
        compile=args.compile,
    )
    trained = time.perf_counter() - started

    # The float path must agree with the graph exactly, or the pictures would show another model.
    graph_outputs = [model(x).data for x in X_test]
    same = graph_outputs == nn.predict(model, X_test)
    print(f"nn.predict matches the graph's forward pass on the test set: {'OK' if same else 'NO'}")

    untrained = article_model(args.seed)  # the page trains from the same initial weights
    data = (X_train, y_train, X_test, y_test)
    written = draw(out, model, *data, history, ticks, frames, untrained)
    print(f"trained in {trained:.1f} s; wrote {', '.join(str(p) for p in written)}")
    curves_ok = activations_match()
    verdict = "OK" if curves_ok else "NO"
    print(f"activation derivatives by backward() match the closed forms: {verdict}")
    print("dead ReLU units after training (input <= 0 for every training sample):")
    for line in dead.lines():
        print(f"  {line}")
    if dead.layer_dead():
        print(
            f"  layer(s) {dead.layer_dead()} entirely dead: the output is the same for every input"
        )
    print(
        "one run says little: runs of this network either learn or stick at ln 2, in Keras as "
        "here;\n  python -m benchmarks.keras_seeds compares both over 20 seeds (README, seed 003)"
    )
    for line in leaky_relu_on_the_stuck_seed(args.epochs, args.compile):
        print(line)
    test_loss, test_accuracy = nn.evaluate(model, X_test, y_test, loss="binary_cross_entropy")
    print(f"test loss: {test_loss:.4f} (Keras in the article: {KERAS_LOSS})")
    print(f"test accuracy: {test_accuracy:.4f} (Keras in the article: {KERAS_ACCURACY})")
    return 0 if same and curves_ok else 1


def write_training_page(path: Path, model: nn.MLP, X_train: list, y_train: list) -> Path:
    """The page that trains the untrained ``model`` in the browser, with the article's loss,
    optimizer and batch size (its batches in order)."""
    return nn.training_page(
        model, X_train, y_train, path, loss="binary_cross_entropy",
        optimizer=nn.Adamax(model.parameters()), batch_size=32,
        title="circles: the article's network, training in your browser",
    )  # fmt: skip


def leaky_relu_on_the_stuck_seed(epochs: int, compile: bool = True) -> list[str]:
    """Train seed 17 with ReLU and then with leaky ReLU hidden units (the same Glorot weights,
    data and batches): a line per run saying how it ends, measured now."""
    lines = [
        f"seed {STUCK_SEED}, {epochs} epochs, ReLU against leaky ReLU (slope 0.01) hidden units:"
    ]
    for hidden in ("relu", "leaky_relu"):
        model, X_train, _, y_train, _ = article_setup(STUCK_SEED)
        if hidden != "relu":
            leaky = nn.MLP(2, SIZES, [hidden] * 4 + ["sigmoid"], seed=STUCK_SEED)
            for p, q in zip(leaky.parameters(), model.parameters()):
                p.data = q.data
            model = leaky
        # (tracing a compiled step costs more than a few epochs interpreted; same bits either way)
        fast = compile and epochs >= 5
        history = article_training(
            model, X_train, y_train, epochs, STUCK_SEED, compile=fast, verbose=False
        )
        dead = [
            k for k, units in nn.dead_units(model, X_train).items() if len(units) == SIZES[k - 1]
        ]
        ending = f"layer(s) {dead} entirely dead" if dead else "no layer dead"
        lines.append(
            f"  {hidden:10s}  final training loss {history.loss[-1]:.4f} (ln 2 = 0.6931), "
            f"accuracy {history.accuracy[-1]:.4f}, {ending}"
        )
    return lines


def activations_match() -> bool:
    """The activation plot's curves (engine ops and backward()) against the textbook formulas at
    points away from ReLU's kink."""
    from demos.common import G_PRIME, G, agree
    from demos.figures import LEAK, activation_curves

    zs = [-3.0, -0.7, -0.1, 0.2, 1.3, 4.0]
    curves = activation_curves(zs)
    formulas = {
        "sigmoid": (G["sigmoid"], G_PRIME["sigmoid"]),
        "tanh": (G["tanh"], G_PRIME["tanh"]),
        "ReLU": (G["relu"], G_PRIME["relu"]),
        "leaky ReLU": (lambda z: z if z > 0 else LEAK * z, lambda z: 1.0 if z > 0 else LEAK),
    }
    return all(
        agree(v, g(z)) and agree(d, gp(z))
        for name, (g, gp) in formulas.items()
        for z, v, d in zip(zs, *curves[name])
    )


def draw(
    out: Path, model, X_train, y_train, X_test, y_test, history, ticks, frames, untrained
) -> list[Path]:
    """Every picture and page the demo writes; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = [
        plot_data(plt, out / "circles_data.png", X_train, y_train, X_test, y_test),
        plot_history(plt, out / "circles_history.png", history),
        plot_boundary(plt, out / "circles_boundary.png", ticks, frames[-1], X_test, y_test),
        animate_boundary(plt, out / "circles_boundary.gif", ticks, frames, X_test, y_test),
        draw_graph(out / "circles_graph.svg", model, X_test[0], y_test[0]),
        figures.plot_activations(out / "circles_activations.png"),
        figures.animate_descent(out / "circles_descent.gif"),
        draw_figure9(out / "circles_figure9.svg", model, X_test[0], y_test[0]),
        write_training_page(out / "circles_training.html", untrained, X_train, y_train),
    ]
    plt.close("all")
    return written


# Figure 1's colours: class 0 (the outer circle) red, class 1 (the inner circle) blue.
CLASS_COLOURS = ((0.0, "#b91c1c"), (1.0, "#1d4ed8"))
BOUNDARY_CMAP = "RdBu"  # P(class 1) = 0 red, 1 blue, as the classes


def _scatter(ax, X, y, **kwargs) -> None:
    for label, color in CLASS_COLOURS:
        pts = [x for x, t in zip(X, y) if t == label]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], c=color, **kwargs)


def _square(ax) -> None:
    ax.set_xlim(-LIMIT, LIMIT)
    ax.set_ylim(-LIMIT, LIMIT)
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")


def plot_data(plt, path: Path, X_train, y_train, X_test, y_test) -> Path:
    fig, ax = plt.subplots(figsize=(5, 5))
    _scatter(ax, X_train, y_train, s=8, alpha=0.5)
    _scatter(ax, X_test, y_test, s=24, edgecolors="black", linewidths=0.8)
    ax.set_title("circles: class 0 red, class 1 blue (test points outlined)", fontsize=9)
    _square(ax)
    figures.save_figure(fig, path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_history(plt, path: Path, history: nn.History) -> Path:
    epochs = range(1, history.epochs + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history.loss, label="training")
    ax_loss.plot(epochs, history.val_loss, label="test")
    ax_loss.set_title("binary cross-entropy")
    ax_acc.plot(epochs, history.accuracy, label="training")
    ax_acc.plot(epochs, history.val_accuracy, label="test")
    ax_acc.set_title("accuracy")
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    figures.save_figure(fig, path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def _boundary_axes(plt, ticks, X_test, y_test):
    fig, ax = plt.subplots(figsize=(5, 5))
    extent = (ticks[0], ticks[-1], ticks[0], ticks[-1])
    blank = _rows([0.5] * (len(ticks) ** 2), len(ticks))
    image = ax.imshow(
        blank,
        origin="lower",
        extent=extent,
        cmap=BOUNDARY_CMAP,
        vmin=0.0,
        vmax=1.0,
        interpolation="bilinear",
    )
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="P(class 1)")
    _scatter(ax, X_test, y_test, s=18, edgecolors="black", linewidths=0.5, zorder=3)
    _square(ax)
    return fig, ax, image


def _show(ax, image, ticks, frame, contour=None):
    """Put one frame (epoch, probabilities) on the axes; returns the new p = 0.5 contour."""
    epoch, probs = frame
    rows = _rows(probs, len(ticks))
    image.set_data(rows)
    if contour is not None:
        contour.remove()
    contour = ax.contour(ticks, ticks, rows, levels=[0.5], colors="black", linewidths=1.2)
    ax.set_title(f"decision boundary after epoch {epoch}" if epoch else "before training")
    return contour


def plot_boundary(plt, path: Path, ticks, frame, X_test, y_test) -> Path:
    fig, ax, image = _boundary_axes(plt, ticks, X_test, y_test)
    _show(ax, image, ticks, frame)
    figures.save_figure(fig, path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def animate_boundary(plt, path: Path, ticks, frames, X_test, y_test) -> Path:
    """One GIF frame per epoch, the image and contour updated in place."""
    fig, ax, image = _boundary_axes(plt, ticks, X_test, y_test)
    fig.set_dpi(60)
    contour = None
    images = []
    for frame in frames:
        contour = _show(ax, image, ticks, frame, contour)
        fig.canvas.draw()
        images.append(figures.canvas_image(fig.canvas))
    plt.close(fig)
    return figures.save_gif(path, images, fps=5)


def draw_figure9(path: Path, model: nn.Module, x: list[float], y: float) -> Path:
    """Figure 9 from the trained network's real graph for one sample, after backward()."""
    J = nn.binary_cross_entropy(
        model([engine.Value(v, label=f"X_{i}") for i, v in enumerate(x, 1)]), y
    )
    model.zero_grad()
    J.backward()
    return figures.draw_operations(J, path)


def draw_graph(path: Path, model: nn.Module, x: list[float], y: float) -> Path:
    """The graph of one sample's loss J, after backward(), so every node shows its gradient."""
    J = nn.binary_cross_entropy(model(x), y)
    model.zero_grad()
    J.backward()
    # Framed by layer, one box per neuron: value by value it would not fit a page (nn.graph_view
    # finds the neurons by structure); the explorer page steps through every value.
    describe = nn.graph_view(model)
    engine.explore(J, path.with_name("circles.html"), describe=describe, max_nodes=MAX_NODES)
    return engine.render(J, path, describe=describe, max_nodes=MAX_NODES, view="boxes")


if __name__ == "__main__":
    sys.exit(main())

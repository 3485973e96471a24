"""The articles' figures that are not one graph picture: drawn here from this engine's own numbers.

- ``draw_paths``: a whole graph with every path from the loss to a set of parameters outlined
  (seed 000's Figures 5-8), each edge labelled with its local derivative;
- ``plot_activations``: sigmoid, tanh, ReLU, leaky ReLU and their derivatives, every point a
  forward and backward pass through this engine's ops (seed 003's Figure 6);
- ``animate_descent``: gradient descent on a two-parameter loss surface as a GIF, every step's
  gradient from backward() (seed 003's animation);
- ``draw_operations``: the forward and backward operations of the trained network, layer by
  layer, read off its real graph (seed 003's Figure 9).

matplotlib and graphviz are imported inside the functions that draw.
"""

from __future__ import annotations

import dataclasses
import html
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import engine
from engine import Value
from engine.files import write_atomic
from engine.render.options import NodeStyle


def render_noting(root: Value, paths: Sequence[str | Path], **options: object) -> list[Path]:
    """engine.render into each of ``paths``; a drawing warning (e.g. that the value view is
    small on a page: the demos draw every value on purpose, and the explorer page is the legible
    version) is printed once as a note instead of raised as a Python warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = [engine.render(root, path, **options) for path in paths]
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"note on {Path(paths[0]).stem}: {message}")
    return written


# ---- seed 000: the paths from J to a parameter ---------------------------------------------------


def path_nodes(root: Value, targets: Iterable[Value]) -> set[Value]:
    """Every node on a path from any target up to root (engine.paths), the targets included."""
    nodes: set[Value] = set()
    for target in targets:
        for p in engine.paths(root, target):
            nodes.update(p.nodes)
    return nodes


def draw_paths(
    root: Value,
    targets: Sequence[Value],
    path: str | Path,
    describe: Callable[[Value], NodeStyle | None] | None = None,
) -> Path:
    """The whole graph of root, the paths from root to ``targets`` outlined in red; every edge
    carries its chain-rule factor (engine.render's edge labels). ``describe`` (a model's
    nn.graph_view) frames the layers and keeps their units in index order."""
    highlight = path_nodes(root, targets)
    return render_noting(root, [path], highlight=highlight, rankdir="LR", describe=describe)[0]


# ---- seed 002: the graph in the article's names -------------------------------------------------


def renamed_graph(
    root: Value,
    names: dict[str, str],
    cluster_title: Callable[[int], str],
    describe: Callable[[Value], NodeStyle | None],
    path: str | Path,
    **options: object,
) -> Path:
    """Draw root's graph with every node named ``names[label]`` and every layer cluster retitled:
    ``describe`` is the model's hook (nn.graph_view), whose 'layer l' clusters get the title
    ``cluster_title(l)``; the picture is engine.render's, only the names changed."""

    def renamed(node: Value) -> NodeStyle:
        style = describe(node) or NodeStyle()
        cluster = style.cluster
        if cluster is not None:
            cluster = cluster_title(int(cluster.rsplit(" ", 1)[-1]))
        return dataclasses.replace(style, cluster=cluster, name=names.get(node.label))

    return render_noting(root, [path], describe=renamed, **options)[0]


def _draw(source: str, path: str | Path) -> Path:
    """Run dot on DOT source the way engine.render does (page-sized, written atomically)."""
    from engine.render import backends
    from engine.render.dot import dot_args

    opts = engine.RenderOptions()
    path = Path(path)
    fmt = path.suffix.lstrip(".")
    return write_atomic(path, backends.run(source, fmt, opts.backend, dot_args(opts, fmt)))


# ---- seed 003: activation functions and their derivatives ----------------------------------------

LEAK = 0.01  # leaky ReLU's slope for z < 0 (PyTorch's default, the op's default)


ACTIVATION_CURVES: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "ReLU": Value.relu,
    "leaky ReLU": Value.leaky_relu,
}


def activation_curves(
    zs: Sequence[float],
) -> dict[str, tuple[list[float], list[float]]]:
    """{name: (g(z), g'(z))} over zs: each point one forward pass and one backward()."""
    curves = {}
    for name, g in ACTIVATION_CURVES.items():
        values, grads = [], []
        for z in zs:
            x = Value(z)
            out = g(x)
            out.backward()
            values.append(out.data)
            grads.append(x.grad)
        curves[name] = (values, grads)
    return curves


def plot_activations(path: str | Path, n: int = 401, limit: float = 5.0) -> Path:
    """Figure 6: each activation and its derivative, one panel per function."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    zs = [-limit + 2 * limit * i / (n - 1) for i in range(n)]
    curves = activation_curves(zs)
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
    for ax, (name, (values, grads)) in zip(axes, curves.items()):
        ax.plot(zs, values, color="#1d4ed8", label="g(z)")
        ax.plot(zs, grads, color="#dc2626", linestyle="--", label="g'(z) by backward()")
        ax.axhline(0, color="#9ca3af", linewidth=0.6)
        ax.axvline(0, color="#9ca3af", linewidth=0.6)
        ax.set_title(name)
        ax.set_xlabel("z")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle("activation functions and their derivatives, computed by this engine", fontsize=10)
    fig.tight_layout()
    path = save_figure(fig, path, dpi=90)
    plt.close(fig)
    return path


# ---- seed 003: gradient descent on a loss surface ------------------------------------------------


def bowl(w1: Value | float, w2: Value | float) -> Value | float:
    """A two-parameter loss surface with a long curved valley (a Rosenbrock-like bowl, scaled):
    L = (1 - w1)^2 / 4 + (w2 - w1^2)^2. Its minimum is 0 at (1, 1)."""
    return (1 - w1) ** 2 / 4 + (w2 - w1 * w1) ** 2


def descend(
    start: tuple[float, float], lr: float, steps: int
) -> list[tuple[float, float, float, tuple[float, float]]]:
    """Plain gradient descent on ``bowl``: per step (w1, w2, loss, gradient), the gradient from
    this engine's backward()."""
    w = list(start)
    trail = []
    for _ in range(steps + 1):
        w1, w2 = Value(w[0], label="w1"), Value(w[1], label="w2")
        loss = bowl(w1, w2)
        loss.backward()
        trail.append((w[0], w[1], loss.data, (w1.grad, w2.grad)))
        w = [w[0] - lr * w1.grad, w[1] - lr * w2.grad]
    return trail


def animate_descent(
    path: str | Path, start: tuple[float, float] = (-1.2, 1.6), lr: float = 0.25, steps: int = 40
) -> Path:
    """The animation: contours of the loss and the descent's trail, one frame per step, each step
    moving against the gradient that backward() computed (arrow).

    The surface is drawn once; each frame puts that picture back and draws only the trail, the
    arrow and the title on it (blitting: 0.6 s in the circles demo, against 2.1 s redrawing every
    frame whole)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    trail = descend(start, lr, steps)
    n = 80
    xs = [-1.6 + 3.2 * i / (n - 1) for i in range(n)]
    ys = [-0.6 + 2.8 * i / (n - 1) for i in range(n)]
    grid = [[math.log1p(bowl(x, y)) for x in xs] for y in ys]
    fig, ax = plt.subplots(figsize=(5.5, 4.5), dpi=70)
    extent = (xs[0], xs[-1], ys[0], ys[-1])
    ax.imshow(grid, origin="lower", extent=extent, aspect="auto", cmap="viridis")
    ax.plot([1.0], [1.0], marker="*", color="white", markersize=12)
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    (line,) = ax.plot([], [], color="#f97316", marker="o", markersize=3, linewidth=1.2)
    title = ax.set_title(" ", fontsize=9)
    canvas = fig.canvas
    canvas.draw()
    surface = canvas.copy_from_bbox(fig.bbox)
    images = []
    for i, (w1, w2, loss, (g1, g2)) in enumerate(trail):
        if i % 2 and i != len(trail) - 1:
            continue  # a frame every second step: the trail still shows every step
        canvas.restore_region(surface)
        line.set_data([t[0] for t in trail[: i + 1]], [t[1] for t in trail[: i + 1]])
        arrow = ax.annotate(
            "",
            xy=(w1 - lr * g1, w2 - lr * g2),
            xytext=(w1, w2),
            arrowprops={"arrowstyle": "->", "color": "white"},
        )
        title.set_text(f"step {i}: L = {loss:.4f}, dL/dw = ({g1:.3f}, {g2:.3f})")
        for artist in (line, arrow, title):
            ax.draw_artist(artist)
        images.append(canvas_image(canvas))
        arrow.remove()
    plt.close(fig)
    return save_gif(path, images, fps=8)


def canvas_image(canvas):
    """The canvas as it is now, as a Pillow RGB image (a copy: the canvas is drawn over next).
    RGB, not RGBA: Pillow reduces RGB to a GIF's 256 colours without visible bands."""
    from PIL import Image

    size = canvas.get_width_height()
    return Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def save_figure(fig, path: str | Path, **options) -> Path:
    """Write a matplotlib figure atomically (``engine.files.write_atomic``), in the format its
    suffix names; ``options`` go to ``savefig`` (e.g. dpi)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format=Path(path).suffix.lstrip("."), **options)
    return write_atomic(path, buffer.getvalue())


def save_gif(path: str | Path, images: Sequence, fps: float) -> Path:
    """Write Pillow images as a looping GIF, atomically (a failed write leaves no half file)."""
    import io

    buffer = io.BytesIO()
    images[0].save(
        buffer, format="GIF", save_all=True, append_images=list(images[1:]),
        duration=round(1000 / fps), loop=0,
    )  # fmt: skip
    return write_atomic(path, buffer.getvalue())


# ---- seed 003: Figure 9, the forward and backward operations of the real graph -------------------


def layer_operations(root: Value) -> dict[int, dict[str, list[Value]]]:
    """{layer: {'W', 'b', 'Z', 'A': nodes}} read off root's graph by the nn labels W[l]_j,k,
    b[l]_j, Z[l]_j, A[l]_j."""
    layers: dict[int, dict[str, list[Value]]] = {}
    for node in engine.topo_order(root):
        label = node.label or ""
        if len(label) > 3 and label[0] in "WbZA" and label[1] == "[":
            layer = int(label[2 : label.index("]")])
            layers.setdefault(layer, {k: [] for k in "WbZA"})[label[0]].append(node)
    return layers


def draw_operations(root: Value, path: str | Path, digits: int = 3) -> Path:
    """Figure 9 from the graph of one sample's loss after backward(): per layer a forward box
    (Z[l] = W[l] A[l-1] + b[l], A[l] = g(Z[l]), with the values) and a backward box (dA[l], dZ[l],
    dW[l], db[l], with the gradients), forward boxes left to right, backward right to left."""
    import graphviz

    layers = layer_operations(root)
    top = max(layers)
    graph = graphviz.Digraph("figure9", graph_attr={"rankdir": "LR", "nodesep": "0.3"})
    graph.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")

    def vec(nodes: list[Value], attr: str) -> str:
        values = [f"{getattr(v, attr):.{digits}g}" for v in nodes]
        if len(values) > 6:
            values = values[:5] + [f"… ({len(nodes)})"]
        return "[" + ", ".join(values) + "]"

    def box(texts: list[str]) -> str:
        rows = "".join(f'<TR><TD ALIGN="LEFT">{html.escape(t)}</TD></TR>' for t in texts)
        return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{rows}</TABLE>>'

    graph.node("x", box(["A[0] = X", vec(_inputs(layers[1]), "data")]), fillcolor="#dbeafe")
    graph.node("loss", box([f"J = {root.data:.{digits}g}", "dJ/dJ = 1"]), fillcolor="#fca5a5")
    for layer in range(1, top + 1):
        nodes = layers[layer]
        out = nodes["A"] or nodes["Z"]
        act = out[0].op if nodes["A"] else "linear"
        forward = [
            f"layer {layer} forward",
            f"Z[{layer}] = W[{layer}] A[{layer - 1}] + b[{layer}]",
            f"Z[{layer}] = {vec(nodes['Z'], 'data')}",
            f"A[{layer}] = {act}(Z[{layer}]) = {vec(out, 'data')}",
        ]
        backward = [f"layer {layer} backward"]
        if nodes["A"]:
            backward.append(f"dA[{layer}] = {vec(nodes['A'], 'grad')}")
        backward += [
            f"dZ[{layer}] = dA[{layer}] ⊙ {act}'(Z[{layer}]) = {vec(nodes['Z'], 'grad')}",
            f"dW[{layer}] = dZ[{layer}] A[{layer - 1}]ᵀ, |dW[{layer}]| = "
            f"{math.sqrt(sum(w.grad**2 for w in nodes['W'])):.{digits}g}",
            f"db[{layer}] = dZ[{layer}] = {vec(nodes['b'], 'grad')}",
        ]
        graph.node(f"f{layer}", box(forward), fillcolor="#ecfdf5")
        graph.node(f"b{layer}", box(backward), fillcolor="#fef3c7")
        graph.edge("x" if layer == 1 else f"f{layer - 1}", f"f{layer}", label=f"A[{layer - 1}]")
        graph.edge(f"b{layer + 1}" if layer < top else "loss", f"b{layer}", label=f"dA[{layer}]")
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node(f"f{layer}")
            same.node(f"b{layer}")
    graph.edge(f"f{top}", "loss", label=f"A[{top}] = Ŷ")
    return _draw(graph.source, path)


def _inputs(first_layer: dict[str, list[Value]]) -> list[Value]:
    """The input Values of layer 1: the parents of its first Z node that are not parameters
    (none when the inputs were plain numbers, which are constants, not nodes)."""
    z = first_layer["Z"][0]
    return [p for p in z.parents if not (p.label or "").startswith(("W[", "b["))]

"""Gradients of gradients: seed 004's perceptron loss along one weight, differentiated twice.

    python -m demos.second_order [--out DIR]

The perceptron of seed 004 (demos.perceptron: z = w·x + b, ŷ = σ(z), C = (1/n) Σ_i (ŷ_i - y_i)^2
over its six samples), every parameter at its seed-4 start except one weight, w = W[1]_1,2, which
varies. engine.grad(C, [w], create_graph=True) gives dC/dw as a Value whose graph is the backward
pass itself; engine.grad of that gives d²C/dw². Both are checked at several w against finite
differences and against the closed forms, with s_i = ŷ_i(1 - ŷ_i) and x_i = x_i2:

    dC/dw   = (2/n) Σ_i (ŷ_i - y_i) s_i x_i
    d²C/dw² = (2/n) Σ_i x_i² (s_i² + (ŷ_i - y_i) s_i (1 - 2ŷ_i))

Then Newton's method, w <- w - C'(w) / C''(w), beside gradient descent, w <- w - α C'(w), from the
same start, step by step: second_order_newton.png draws both on the curve C(w) and their |C'| per
step. Last, the graph of dC/dw is drawn (second_order_graph.svg, .png) and written as an explorer
page (second_order.html): backpropagation is a graph too, and its backward pass is the second
derivative. Exits non-zero if autograd disagrees with a closed form or finite differences, or
Newton's method does not converge.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path

import engine
import nn
from demos.common import (
    G_PRIME,
    Check,
    G,
    agree,
    check_table,
    num,
    parse_args,
    print_table,
    write_graph,
)
from demos.figures import save_figure
from demos.perceptron import DATA, LABELS, cost
from engine import Value

WEIGHT = 1  # w = W[1]_1,2, the neuron's second weight: C has a minimum along it
START = 0.0  # where both methods start
LR = 10.0  # gradient descent's learning rate (stable: α C'' < 2 all along the way)
STEPS = 8
POINTS = [-1.0, 0.0, 1.0, 1.5, 3.0]  # where the derivatives are checked
FD_TOL = 1e-5  # finite differences agree to about this, relative


def perceptron() -> nn.Neuron:
    return nn.Neuron(3, "sigmoid", seed=4)


def derivatives(neuron: nn.Neuron, w: float) -> tuple[Value, Value, float]:
    """(C, dC/dw as a Value, d²C/dw²) at w, by autograd: a gradient, then its gradient."""
    neuron.w[WEIGHT].data = w
    C, _ = cost(neuron)
    (dC,) = engine.grad(C, [neuron.w[WEIGHT]], create_graph=True)
    (d2C,) = engine.grad(dC, [neuron.w[WEIGHT]])
    return C, dC, d2C


def by_hand(neuron: nn.Neuron, w: float) -> tuple[float, float, float]:
    """(C, dC/dw, d²C/dw²) at w from the closed forms, in plain floats."""
    others = [p.data for p in neuron.w]
    others[WEIGHT] = w
    n = len(DATA)
    c = d1 = d2 = 0.0
    for x, y in zip(DATA, LABELS):
        z = neuron.b.data + sum(wk * xk for wk, xk in zip(others, x))
        p, s, xi = G["sigmoid"](z), G_PRIME["sigmoid"](z), x[WEIGHT]
        c += (p - y) ** 2 / n
        d1 += 2.0 / n * (p - y) * s * xi
        d2 += 2.0 / n * xi * xi * (s * s + (p - y) * s * (1.0 - 2.0 * p))
    return c, d1, d2


def finite_differences(neuron: nn.Neuron, w: float) -> tuple[float, float]:
    """Central differences of C itself: (C(w+h) - C(w-h)) / 2h and
    (C(w+h) - 2 C(w) + C(w-h)) / h², each h about where rounding and truncation balance."""

    def C(v: float) -> float:
        neuron.w[WEIGHT].data = v
        return cost(neuron)[0].data

    h1, h2 = 1e-6, 1e-4
    first = (C(w + h1) - C(w - h1)) / (2 * h1)
    second = (C(w + h2) - 2 * C(w) + C(w - h2)) / (h2 * h2)
    return first, second


def fd_agree(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=FD_TOL, abs_tol=1e-8)


def check_points(neuron: nn.Neuron) -> bool:
    """Autograd's C' and C'' at each point against the closed forms and finite differences."""
    checks, rows, ok = [], [], True
    for w in POINTS:
        C, dC, d2C = derivatives(neuron, w)
        hand = by_hand(neuron, w)
        fd1, fd2 = finite_differences(neuron, w)
        checks += [
            Check(f"dC/dw at w={w:g}", C.data, dC.data, "(2/n) Σ (ŷ-y) s x", hand[1]),
            Check(f"d²C/dw² at w={w:g}", C.data, d2C, "(2/n) Σ x² (s² + (ŷ-y) s (1-2ŷ))", hand[2]),
        ]
        agrees = fd_agree(dC.data, fd1) and fd_agree(d2C, fd2)
        ok &= agrees and agree(C.data, hand[0])
        rows.append(
            [f"{w:g}", num(dC.data), num(fd1), num(d2C), num(fd2), "ok" if agrees else "MISMATCH"]
        )
    ok &= check_table("autograd (engine.grad twice) against the closed forms:", checks)
    print("\nautograd against central differences of C (h = 1e-6 for C', 1e-4 for C''):")
    headers = ["w", "C' autograd", "C' differences", "C'' autograd", "C'' differences", ""]
    print_table(headers, rows, right={0, 1, 2, 3, 4})
    return ok


def race(neuron: nn.Neuron) -> tuple[list[tuple[float, ...]], list[tuple[float, ...]]]:
    """Newton's method and gradient descent from START, STEPS steps each: per step Newton's
    (w, C, C', C'') and gradient descent's (w, C, C')."""
    newton, descent = [], []
    w = START
    for _ in range(STEPS + 1):
        C, dC, d2C = derivatives(neuron, w)
        newton.append((w, C.data, dC.data, d2C))
        w = w - dC.data / d2C
    w = START
    for _ in range(STEPS + 1):
        C, dC, _ = derivatives(neuron, w)
        descent.append((w, C.data, dC.data))
        w = w - LR * dC.data
    return newton, descent


def print_race(newton: Sequence[tuple], descent: Sequence[tuple]) -> None:
    print(
        f"\nNewton's method, w <- w - C'/C'', beside gradient descent, w <- w - {LR:g} C', "
        f"from w = {START:g}:"
    )
    rows = [
        [
            str(i),
            num(n[0]),
            num(n[1]),
            f"{n[2]:.2e}",
            num(n[3]),
            num(d[0]),
            num(d[1]),
            f"{d[2]:.2e}",
        ]
        for i, (n, d) in enumerate(zip(newton, descent))
    ]
    headers = ["step", "Newton w", "C", "C'", "C''", "descent w", "C", "C'"]
    print_table(headers, rows, right=set(range(8)))


def draw_race(neuron: nn.Neuron, newton: Sequence[tuple], descent: Sequence[tuple], path: Path):
    """One picture: C(w) with both methods' steps on it, each Newton step from the parabola
    C + C' d + C'' d²/2 drawn at its start (the step lands on that parabola's minimum); and
    |C'(w)| per step on a log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    lo, hi = -1.0, 3.0
    ws = [lo + (hi - lo) * i / 100 for i in range(101)]
    cs = [by_hand(neuron, w)[0] for w in ws]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    left.plot(ws, cs, color="#111827", linewidth=1.5, label="C(w)")
    for i, (w, c, d1, d2) in enumerate(newton[:3]):
        span = [w + (hi - lo) * (k / 40 - 0.5) * 0.6 for k in range(41)]
        left.plot(
            span,
            [c + d1 * (v - w) + d2 * (v - w) ** 2 / 2 for v in span],
            color="#93c5fd",
            linewidth=0.9,
            linestyle="--",
            label="Newton's parabola at a step" if i == 0 else None,
        )
    left.plot([n[0] for n in newton], [n[1] for n in newton], "o-", color="#1d4ed8",
              markersize=5, label="Newton's method")  # fmt: skip
    left.plot([d[0] for d in descent], [d[1] for d in descent], "s-", color="#ea580c",
              markersize=4, label=f"gradient descent, α = {LR:g}")  # fmt: skip
    left.set_ylim(min(cs) - 0.01, max(cs) + 0.01)
    left.set_xlabel("w = W[1]_1,2 (the other parameters fixed)")
    left.set_ylabel("C")
    left.set_title("seed 004's cost along one weight")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    floor = 1e-17  # a derivative of exactly 0 drawn at the bottom of the log scale
    right.semilogy([max(abs(n[2]), floor) for n in newton], "o-", color="#1d4ed8",
                   label="Newton's method")  # fmt: skip
    right.semilogy([max(abs(d[2]), floor) for d in descent], "s-", color="#ea580c",
                   label="gradient descent")  # fmt: skip
    # plain tick labels (1e-09): matplotlib's default 10^k ones go through mathtext, ~1 s here
    right.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0e}"))
    right.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    right.set_xlabel("step")
    right.set_ylabel("|dC/dw| (an exact 0 drawn at 1e-17)")
    right.set_title("the slope per step: Newton's digits double, descent's creep")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    fig.suptitle(
        "Newton's method needs d²C/dw², the gradient of the gradient (engine.grad, "
        "create_graph=True)",
        fontsize=10,
    )
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.86, wspace=0.22)
    written = save_figure(fig, path, dpi=90)
    plt.close(fig)
    return written


def graph_of_the_gradient(neuron: nn.Neuron, out: str) -> bool:
    """Draw dC/dw's graph and write its explorer page; check that differentiating that graph
    again gives C'' (its backward pass is the second derivative)."""
    C, dC, d2C = derivatives(neuron, START)
    if dC.label is None:
        dC.label = "dC/dW[1]_1,2"
    forward = set(engine.topo_order(C))
    nodes = engine.topo_order(dC)
    reused = sum(n in forward for n in nodes)
    print(
        f"\nbackpropagation is a graph too: dC/dw = {num(dC.data)} is a Value with {len(nodes)} "
        f"nodes behind it,\n  {reused} of them the forward pass's (the sigmoids' outputs, the "
        f"errors, the weight), {len(nodes) - reused} made by the backward pass"
    )
    dC.backward()
    w = neuron.w[WEIGHT]
    again = agree(w.grad, d2C)
    print(
        f"dC/dw.backward() leaves d²C/dw² = {num(w.grad)} in {w.label}.grad: "
        f"{'the same as' if again else 'NOT the same as'} engine.grad's {num(d2C)}"
    )
    write_graph(dC, out, "second_order")
    return again


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    neuron = perceptron()
    print(
        f"seed 004: {neuron}, C = (1/n) Σ_i (ŷ_i - y_i)^2 over n = {len(DATA)} samples, along "
        f"w = {neuron.w[WEIGHT].label}; the other parameters at their seed-4 start"
    )
    ok = check_points(neuron)
    newton, descent = race(neuron)
    print_race(newton, descent)
    converged = abs(newton[-1][2]) < 1e-12 and newton[-1][3] > 0.0
    descending = all(b[1] < a[1] for a, b in zip(descent, descent[1:]))
    print(
        f"Newton: |C'| = {abs(newton[-1][2]):.1e} after {STEPS} steps, C'' > 0 there: a minimum "
        f"({'converged' if converged else 'NOT converged'}); gradient descent: C falling every "
        f"step ({'yes' if descending else 'NO'}), |C'| still {abs(descent[-1][2]):.1e}"
    )
    ok &= converged and descending
    picture = draw_race(neuron, newton, descent, Path(args.out) / "second_order_newton.png")
    print(f"picture: {picture}")
    ok &= graph_of_the_gradient(perceptron(), args.out)
    print(
        "second_order:",
        "OK, C' and C'' by autograd match the closed forms and finite differences"
        if ok
        else "MISMATCH",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

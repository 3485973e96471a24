"""Seed 001: two layers, hidden g, sigmoid output, binary cross-entropy; the article's chain line by
line, including its sign slip.

    python -m demos.two_layer_bce [--out DIR] [--hidden tanh|relu|sigmoid] [--y LABEL]

Network: X (3 inputs) -> Z[1] = W[1] X + b[1], A[1] = g(Z[1]) (4 units, g = tanh by default)
-> Z[2] = W[2] A[1] + b[2], A[2] = σ(Z[2]) (one output). Cost: nn.binary_cross_entropy on one
sample, J = -Y log A[2] - (1-Y) log(1-A[2]).

Every equation line of the article's derivation is checked, left-hand side and right-hand side:
the left-hand side as the article writes it, read off the graph (autograd's gradient, or the local
derivative the engine stored on an edge), against the right-hand side evaluated by hand from the
forward values. Four lines are wrong as printed, and each is reported as a FINDING with its
corrected line, which is checked too:
  - the middle step of dJ/dA[2], -Y/A - (1-Y)/(1-A): a sign slip (+ (1-Y)/(1-A));
  - "dJ/dA[2] = σ'(Z) = σ(Z)(1-σ(Z))": the left-hand side is dA[2]/dZ[2];
  - "dA/db[2] = dJ/dA[2] dA[2]/dZ[2] dZ[2]/db[2]": the left-hand side is dJ/db[2];
  - "Hence dZ[2]/dW[2] = A[2] - Y": the left-hand side is dJ/db[2].
A slip never fails the demo; a correct line (or a corrected one) that disagrees does.

With --hidden relu the initial weights are chosen (the first seed from 1 up) so that every hidden
unit is active at the sample, Z[1] > 0: a dead unit would make its rows check 0 = 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import nn
from demos.common import (
    G_PRIME,
    G_PRIME_TEXT,
    Check,
    Dense,
    Forms,
    agree,
    check_table,
    checks_for,
    forms_agree,
    forward_matches,
    gradient_descent,
    labelled,
    num,
    parse_args,
    print_table,
    write_graph,
)
from engine import Value

X = [0.8, -0.4, 1.2]
SIZES = [4, 1]


def closed_forms(net: Dense, x: Sequence[float], y: float) -> Forms:
    """Seed 001's gradients from dJ/dZ[2] = A[2] - Y down, by hand from the parameters' numbers."""
    zs, acts = net.forward(x)
    g, W2 = net.activations[0], net.W[1]
    a2 = acts[2][0]
    dz2 = a2 - y
    forms: Forms = {"Z[2]_1": ("A[2] - Y", dz2)}
    for k, a in enumerate(acts[1], 1):
        forms[f"W[2]_1,{k}"] = (f"(A[2] - Y) · A[1]_{k}", dz2 * a)
    forms["b[2]_1"] = ("A[2] - Y", dz2)
    for k, z in enumerate(zs[1], 1):
        back = W2[0][k - 1] * dz2
        forms[f"A[1]_{k}"] = (f"W[2]_1,{k} (A[2] - Y)", back)
        forms[f"Z[1]_{k}"] = (f"W[2]_1,{k} (A[2] - Y) · g'(Z[1]_{k})", back * G_PRIME[g](z))
    for k, z in enumerate(zs[1], 1):
        dz1 = W2[0][k - 1] * dz2 * G_PRIME[g](z)
        for i, xi in enumerate(x, 1):
            forms[f"W[1]_{k},{i}"] = (f"dJ/dZ[1]_{k} · X_{i}", dz1 * xi)
        forms[f"b[1]_{k}"] = (f"dJ/dZ[1]_{k}", dz1)
    return forms


def first_active_seed(hidden: str, start: int = 1, tries: int = 1000) -> int:
    """The seed of the initial weights: ``start`` unless the hidden layer is ReLU, then the first
    seed from ``start`` at which every hidden unit is active at X (Z[1]_k > 0 for all k)."""
    if hidden != "relu":
        return start
    for seed in range(start, start + tries):
        net = Dense.of(nn.MLP(len(X), SIZES, [hidden, "sigmoid"], seed=seed))
        zs, _ = net.forward(X)
        if all(z > 0.0 for z in zs[1]):
            return seed
    raise RuntimeError(f"no seed in {start}..{start + tries - 1} makes every ReLU unit active")


@dataclass
class Line:
    """One equation line of the article: what its left-hand side is on the graph, what its
    right-hand side is by hand, and, for a line printed wrongly, the corrected line and its
    left-hand side (and right-hand side, when that was the wrong one)."""

    text: str
    lhs: list[float]
    rhs: list[float]
    slip: bool = False
    corrected: str = ""
    corrected_lhs: list[float] = field(default_factory=list)
    corrected_rhs: list[float] = field(default_factory=list)  # when the right side was wrong

    @property
    def holds(self) -> bool:
        return all(map(agree, self.lhs, self.rhs))

    @property
    def corrected_holds(self) -> bool:
        return all(map(agree, self.corrected_lhs, self.corrected_rhs or self.rhs))

    @property
    def ok(self) -> bool:
        """A correct line must hold; a slip's corrected line must hold."""
        return self.corrected_holds if self.slip else self.holds

    @property
    def verdict(self) -> str:
        if not self.slip:
            return "holds" if self.holds else "MISMATCH"
        if self.holds:
            return "holds here (slip hidden at this sample)"
        return "DIFFERS (article's slip)" if self.corrected_holds else "MISMATCH"


def _edge(node: Value, parent: Value) -> float:
    """The local derivative d node / d parent the engine stored in the forward pass."""
    return node.local_grads[node.parents.index(parent)]


def equation_lines(J: Value, model: nn.MLP, y: float) -> list[Line]:
    """Every equation line of the article's derivation, in its order, checked on the graph."""
    nodes = labelled(J)
    net = Dense.of(model)
    zs, acts = net.forward([n.data for n in (nodes[f"X_{i}"] for i in range(1, len(X) + 1))])
    g = net.activations[0]
    sp, gp = G_PRIME["sigmoid"], G_PRIME[g]
    A2, Z2 = nodes["A[2]_1"], nodes["Z[2]_1"]
    a, z2, w2 = acts[2][0], zs[2][0], net.W[1][0]
    n_h = len(zs[1])
    W2 = [nodes[f"W[2]_1,{k}"] for k in range(1, n_h + 1)]
    A1 = [nodes[f"A[1]_{k}"] for k in range(1, n_h + 1)]
    Z1 = [nodes[f"Z[1]_{k}"] for k in range(1, n_h + 1)]
    W1 = [[nodes[f"W[1]_{k},{i}"] for i in range(1, len(X) + 1)] for k in range(1, n_h + 1)]
    b2, b1 = nodes["b[2]_1"], [nodes[f"b[1]_{k}"] for k in range(1, n_h + 1)]
    xs = acts[0]
    # The right-hand sides by hand, from the forward values only.
    dJ_dA2 = -y / a + (1 - y) / (1 - a)
    dA2_dZ2 = sp(z2)
    dz1 = [w2[k] * (a - y) * gp(zs[1][k]) for k in range(n_h)]
    grads_W1 = [dz1[k] * xi for k in range(n_h) for xi in xs]
    flat_W1 = [w for row in W1 for w in row]
    A1_edges = [_edge(Z2, w) for w in W2]  # dZ[2]/dW[2]_1,k, as the graph holds it
    dA2_db2 = A2.local_grads[0] * _edge(Z2, b2)  # dA[2]/db[2] along the graph's one path
    return [
        Line(
            "dJ/dW[2] = dJ/dA[2] · dA[2]/dZ[2] · dZ[2]/dW[2]",
            [w.grad for w in W2],
            [dJ_dA2 * dA2_dZ2 * ak for ak in acts[1]],
        ),
        Line(
            "dJ/dA[2] = σ'(Z) = σ(Z)(1-σ(Z))",
            [A2.grad],
            [dA2_dZ2],
            slip=True,
            corrected="dA[2]/dZ[2] = σ'(Z[2]) = σ(Z[2])(1-σ(Z[2]))",
            corrected_lhs=[A2.local_grads[0]],
        ),
        Line(
            "dJ/dA[2] = -Y/A[2] - (1-Y)/(1-A[2])",
            [A2.grad],
            [-y / a - (1 - y) / (1 - a)],
            slip=True,
            corrected="dJ/dA[2] = -Y/A[2] + (1-Y)/(1-A[2])",
            corrected_lhs=[A2.grad],
            corrected_rhs=[dJ_dA2],
        ),
        Line("dJ/dA[2] = (A[2]-Y)/(A[2](1-A[2]))", [A2.grad], [(a - y) / (a * (1 - a))]),
        Line("dZ[2]/dW[2] = A[1]", A1_edges, list(acts[1])),
        Line("dJ/dW[2] = (A[2]-Y).A[1]", [w.grad for w in W2], [(a - y) * ak for ak in acts[1]]),
        Line(
            "dA/db[2] = dJ/dA[2] · dA[2]/dZ[2] · dZ[2]/db[2]",
            [dA2_db2],
            [dJ_dA2 * dA2_dZ2 * 1.0],
            slip=True,
            corrected="dJ/db[2] = dJ/dA[2] · dA[2]/dZ[2] · dZ[2]/db[2]",
            corrected_lhs=[b2.grad],
        ),
        Line("dZ[2]/db[2] = 1", [_edge(Z2, b2)], [1.0]),
        Line(
            "Hence dZ[2]/dW[2] = A[2]-Y",
            A1_edges,
            [a - y] * n_h,
            slip=True,
            corrected="Hence dJ/db[2] = A[2]-Y",
            corrected_lhs=[b2.grad] * n_h,
        ),
        Line(
            "dJ/dW[1] = dJ/dA[2] · dA[2]/dZ[2] · dZ[2]/dA[1] · dA[1]/dZ[1] · dZ[1]/dW[1]",
            [w.grad for w in flat_W1],
            [dJ_dA2 * dA2_dZ2 * w2[k] * gp(zs[1][k]) * xi for k in range(n_h) for xi in xs],
        ),
        Line("dZ[2]/dA[1] = W[2]", [_edge(Z2, a1) for a1 in A1], list(w2)),
        Line(
            "dZ[1]/dW[1] = X",
            [_edge(Z1[k], W1[k][i]) for k in range(n_h) for i in range(len(xs))],
            [xi for _ in range(n_h) for xi in xs],
        ),
        Line("dJ/dW[1] = (A[2]-Y).W[2] * g'(Z[1]).X", [w.grad for w in flat_W1], grads_W1),
        Line("dJ/db[1] = (A[2]-Y).W[2] * g'(Z[1])", [b.grad for b in b1], dz1),
    ]


def print_lines(lines: Sequence[Line]) -> bool:
    """The equation table: each line as written, its two sides' numbers (the first element, and
    how many were compared), the verdict. True unless a correct or corrected line fails."""
    rows = []
    for i, line in enumerate(lines, 1):
        worst = max(abs(p - q) for p, q in zip(line.lhs, line.rhs))
        n = f" ({len(line.lhs)})" if len(line.lhs) > 1 else ""
        left, right = num(line.lhs[0]) + n, num(line.rhs[0])
        rows.append([str(i), line.text, left, right, f"{worst:.1e}", line.verdict])
    print(
        "\nevery equation line of the article: left-hand side (graph) vs right-hand side (by hand)"
    )
    print_table(
        ["#", "the article's line, as written", "left side", "right side", "max |diff|", ""],
        rows,
        right={2, 3, 4},
    )
    print("  (left side: autograd's gradient or the graph's stored edge factor; (n): n elements)")
    return all(line.ok for line in lines)


def output_checks(J: Value, y: float) -> list[Check]:
    """The article's three lines for dJ/dA[2], and its dA[2]/dZ[2], each against the graph."""
    nodes = labelled(J)
    A2, Z2 = nodes["A[2]_1"], nodes["Z[2]_1"]
    a = A2.data
    return [
        Check(
            "A[2]_1",
            a,
            A2.grad,
            "-Y/A - (1-Y)/(1-A)  (article, as printed)",
            -y / a - (1 - y) / (1 - a),
            article_slip=True,
        ),
        Check("A[2]_1", a, A2.grad, "-Y/A + (1-Y)/(1-A)  (corrected)", -y / a + (1 - y) / (1 - a)),
        Check("A[2]_1", a, A2.grad, "(A-Y)/(A(1-A))  (article's final)", (a - y) / (a * (1 - a))),
        # The edge factor dA[2]/dZ[2] the engine stored, against σ(Z)(1-σ(Z)) by hand.
        Check(
            "dA[2]/dZ[2]", a, A2.local_grads[0], "σ(Z[2])(1-σ(Z[2]))", G_PRIME["sigmoid"](Z2.data)
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    def options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--hidden", default="tanh", choices=["tanh", "relu", "sigmoid"])
        parser.add_argument("--y", type=float, default=0.0, help="the sample's label (default 0)")

    args = parse_args(__doc__, argv, options)
    y = args.y
    seed = first_active_seed(args.hidden)
    model = nn.MLP(len(X), SIZES, [args.hidden, "sigmoid"], seed=seed)
    inputs = [Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]
    J = nn.binary_cross_entropy(model(inputs), y)
    J.backward()
    print(f"seed 001: {model}, hidden g = {args.hidden}, sample X = {X}, Y = {y:g}")
    print(f"cost: nn.binary_cross_entropy, J = -Y log A[2] - (1-Y) log(1-A[2]) = {J.data:.6g}")
    print(f"g'(z) = {G_PRIME_TEXT[args.hidden]} for g = {args.hidden}")
    net = Dense.of(model)
    if args.hidden == "relu":
        active = sum(z > 0.0 for z in net.forward(X)[0][1])
        print(
            f"relu: initial weights from seed {seed}, the first seed from 1 at which every hidden "
            f"unit is active at X ({active} of {SIZES[0]} with Z[1] > 0), so no row checks 0 = 0"
        )
    ok = forward_matches(labelled(J), *net.forward(X))

    lines = equation_lines(J, model, y)
    ok &= print_lines(lines)
    out = output_checks(J, y)
    ok &= check_table(
        "the rest of the chain (autograd vs the article's formulas by hand):",
        checks_for(J, closed_forms(net, X, y)),
    )
    slip, middle, final = out[:3]
    print()
    if slip.ok:
        print(f"the article's middle step -Y/A - (1-Y)/(1-A) happens to agree here: with Y = {y:g}")
        print("  the slipped term (1-Y)/(1-A) is multiplied away; try --y 0 to see the slip")
    else:
        print(
            f"FINDING 1: the article's middle step -Y/A - (1-Y)/(1-A) = {num(slip.by_hand)} is "
            f"wrong (autograd: {num(slip.autograd)});\n  it is a sign slip: -Y/A + (1-Y)/(1-A) = "
            f"{num(middle.by_hand)} {'agrees' if middle.ok else 'DISAGREES'}."
        )
    print(
        f"FINDING 2: the article's final dJ/dA[2] = (A-Y)/(A(1-A)) = {num(final.by_hand)} "
        f"{'is right' if final.ok else 'DISAGREES'};\n  dJ/dZ[2] = A - Y and the gradients below "
        f"it {'all hold' if ok else 'do NOT all hold'}."
    )
    wrong_sides = [line for line in lines if line.slip and "-Y/A[2] -" not in line.text]
    for number, line in enumerate(wrong_sides, 3):
        if line.holds:
            print(f"FINDING {number}: “{line.text}” happens to hold at this sample")
            continue
        print(
            f"FINDING {number}: the article's line “{line.text}” has the wrong left-hand side: "
            f"{num(line.lhs[0])} against {num(line.rhs[0])};\n  corrected: “{line.corrected}” "
            f"({num(line.corrected_lhs[0])}) {'holds' if line.corrected_holds else 'DISAGREES'}."
        )
    write_graph(J, args.out, "two_layer_bce", model=model)

    def cost() -> Value:
        return nn.binary_cross_entropy(
            model([Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]), y
        )

    def check(J: Value) -> bool:
        correct = [c for c in output_checks(J, y) if not c.article_slip]
        return all(c.ok for c in correct) and forms_agree(J, closed_forms(Dense.of(model), X, y))

    _, descent_ok = gradient_descent(model.parameters(), cost, lr=0.5, steps=10, check=check)
    ok &= descent_ok
    print(
        "two_layer_bce:",
        "OK, autograd matches the (corrected) seed 001 formulas" if ok else "MISMATCH",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

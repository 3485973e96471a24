"""Seed 001: two layers, hidden g, sigmoid output, binary cross-entropy; the article's chain line by
line, including its sign slip.

    python -m demos.two_layer_bce [--out DIR] [--hidden tanh|relu|sigmoid] [--y LABEL]

Network: X (3 inputs) -> Z[1] = W[1] X + b[1], A[1] = g(Z[1]) (4 units, g = tanh by default)
-> Z[2] = W[2] A[1] + b[2], A[2] = σ(Z[2]) (one output). Cost: nn.binary_cross_entropy on one
sample, J = -Y log A[2] - (1-Y) log(1-A[2]).

Each printed line of the article's chain is checked on its own against autograd:
dJ/dA[2] as the article prints its middle step, -Y/A - (1-Y)/(1-A) (a sign slip: it is shown to
disagree, but that does not fail the demo), the corrected middle step -Y/A + (1-Y)/(1-A), the final
(A-Y)/(A(1-A)), then dJ/dZ[2] = A-Y, dW[2], db[2], dW[1], db[1]. Exits non-zero only if a correct
formula disagrees with autograd.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import nn
from demos.common import (
    G_PRIME,
    G_PRIME_TEXT,
    Check,
    Dense,
    Forms,
    check_table,
    checks_for,
    forms_agree,
    forward_matches,
    gradient_descent,
    labelled,
    num,
    parse_args,
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
    model = nn.MLP(len(X), SIZES, [args.hidden, "sigmoid"], seed=1)
    inputs = [Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]
    J = nn.binary_cross_entropy(model(inputs), y)
    J.backward()
    print(f"seed 001: {model}, hidden g = {args.hidden}, sample X = {X}, Y = {y:g}")
    print(f"cost: nn.binary_cross_entropy, J = -Y log A[2] - (1-Y) log(1-A[2]) = {J.data:.6g}")
    print(f"g'(z) = {G_PRIME_TEXT[args.hidden]} for g = {args.hidden}")
    net = Dense.of(model)
    ok = forward_matches(labelled(J), *net.forward(X))

    out = output_checks(J, y)
    ok &= check_table("dJ/dA[2], the article's chain line by line:", out)
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

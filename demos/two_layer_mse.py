"""Seed 000: two sigmoid layers, mean squared error, one sample per step (SGD), node by node.

    python -m demos.two_layer_mse [--out DIR] [--show-code]

Network: X (2 inputs) -> Z[1] = W[1] X + b[1], A[1] = σ(Z[1]) (3 units) -> Z[2] = W[2] A[1] + b[2],
A[2] = σ(Z[2]) (2 outputs, the prediction Ŷ). Cost: nn.mse, the mean over the n_y outputs,
J = (1/n_y) Σ (A[2] - Y)^2, so dJ/dA[2] = (2/n_y)(A[2] - Y). (The article leaves the constant open;
some texts use ½(Ŷ-Y)², which would drop the 2 and the 1/n_y.)

The demo prints every node's autograd gradient beside the article's closed form, evaluated by hand
from the weights' numbers: dZ[2] = dJ/dA[2] ⊙ σ'(Z[2]), dW[2] = dZ[2] A[1]ᵀ, db[2] = dZ[2],
dZ[1] = (W[2]ᵀ dZ[2]) ⊙ σ'(Z[1]), dW[1] = dZ[1] Xᵀ, db[1] = dZ[1]. It then runs SGD on the sample,
W <- W - α dJ/dW, re-checking every step, and exits non-zero if any closed form disagrees.
With --show-code it first prints the whole forward and backward pass compiled to Python
(engine.compile): one line per node, then one line per edge of the chain rule.

The article's Figures 5-8 follow the gradient from J to W[2], b[2], W[1] and b[1]. The demo draws
each as the whole graph with every path from J to that parameter outlined (engine.paths) and each
edge labelled with its chain-rule factor, two_layer_mse_fig5.svg .. _fig8.svg, and prints the
article's formula for that gradient (Equations 11, 14, 16, 17) beside autograd's numbers. It also
reports a slip of the article's: Equation 14's caption names W[2], but the equation is db[2].
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import engine
import nn
from demos.common import (
    G_PRIME,
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
    write_graph,
)
from demos.figures import draw_paths
from engine import Value, count_paths

X = [0.5, -1.5]
Y = [1.0, 0.0]
SIZES = [3, 2]


def closed_forms(net: Dense, x: Sequence[float], y: Sequence[float]) -> Forms:
    """Seed 000's gradients for every node, by hand from the parameters' numbers."""
    zs, acts = net.forward(x)
    (W1, W2), n_y = net.W, len(y)
    sp = G_PRIME["sigmoid"]
    forms: Forms = {}
    dA2 = [2.0 / n_y * (a - t) for a, t in zip(acts[2], y)]
    dZ2 = [d * sp(z) for d, z in zip(dA2, zs[2])]
    for j, (da, dz) in enumerate(zip(dA2, dZ2), 1):
        forms[f"A[2]_{j}"] = (f"(2/{n_y})(A[2]_{j} - Y_{j})", da)
        forms[f"Z[2]_{j}"] = (f"dJ/dA[2]_{j} · σ'(Z[2]_{j})", dz)
    for j, dz in enumerate(dZ2, 1):
        for k, a in enumerate(acts[1], 1):
            forms[f"W[2]_{j},{k}"] = (f"dZ[2]_{j} · A[1]_{k}", dz * a)
        forms[f"b[2]_{j}"] = (f"dZ[2]_{j}", dz)
    dA1 = [sum(W2[j][k] * dZ2[j] for j in range(n_y)) for k in range(len(acts[1]))]
    dZ1 = [d * sp(z) for d, z in zip(dA1, zs[1])]
    for k, (da, dz) in enumerate(zip(dA1, dZ1), 1):
        forms[f"A[1]_{k}"] = (f"(W[2]ᵀ dZ[2])_{k}", da)
        forms[f"Z[1]_{k}"] = (f"(W[2]ᵀ dZ[2])_{k} · σ'(Z[1]_{k})", dz)
    for k, dz in enumerate(dZ1, 1):
        for i, xi in enumerate(x, 1):
            forms[f"W[1]_{k},{i}"] = (f"dZ[1]_{k} · X_{i}", dz * xi)
        forms[f"b[1]_{k}"] = (f"dZ[1]_{k}", dz)
    for i in range(1, len(x) + 1):
        forms[f"X_{i}"] = (f"(W[1]ᵀ dZ[1])_{i}", sum(W1[k][i - 1] * dZ1[k] for k in range(len(W1))))
    return forms


def _show_code_flag(parser) -> None:
    parser.add_argument("--show-code", action="store_true", help="print the compiled step")


# The article's Figures 5-8: (figure, parameter, its equation, the formula as the article chains it)
FIGURES = [
    (
        5,
        "W[2]",
        11,
        "dJ/dW[2] = dJ/dA[2] · dA[2]/dZ[2] · dZ[2]/dW[2] = [(2/n_y)(A[2]-Y) ⊙ σ'(Z[2])] A[1]ᵀ",
    ),
    (
        6,
        "b[2]",
        14,
        "dJ/db[2] = dJ/dA[2] · dA[2]/dZ[2] · dZ[2]/db[2] = (2/n_y)(A[2]-Y) ⊙ σ'(Z[2]) · 1",
    ),
    (
        7,
        "W[1]",
        16,
        "dJ/dW[1] = dJ/dA[2] · dA[2]/dZ[2] · dZ[2]/dA[1] · dA[1]/dZ[1] · dZ[1]/dW[1]"
        " = [(W[2]ᵀ dZ[2]) ⊙ σ'(Z[1])] Xᵀ",
    ),
    (
        8,
        "b[1]",
        17,
        "dJ/db[1] = dJ/dA[2] · dA[2]/dZ[2] · dZ[2]/dA[1] · dA[1]/dZ[1] · dZ[1]/db[1]"
        " = (W[2]ᵀ dZ[2]) ⊙ σ'(Z[1])",
    ),
]


def figures(J: Value, forms: Forms, out: str, model: nn.Module) -> bool:
    """Figures 5-8: each parameter's paths drawn (framed by layer, units in index order, by the
    model's nn.graph_view), its formula's numbers beside autograd's."""
    nodes = labelled(J)
    ok = True
    for number, name, equation, formula in FIGURES:
        params = [v for label, v in nodes.items() if label.startswith(name + "_")]
        path = draw_paths(
            J, params, f"{out}/two_layer_mse_fig{number}.svg", describe=nn.graph_view(model)
        )
        by_hand = [forms[p.label][1] for p in params]
        agrees = all(agree(p.grad, h) for p, h in zip(params, by_hand))
        ok &= agrees
        paths = sorted({count_paths(J, p) for p in params})
        print(f"\nFigure {number} ({name}'s gradient), Equation {equation}: {formula}")
        print(f"  by the formula: {', '.join(num(h) for h in by_hand)}")
        print(f"  autograd:       {', '.join(num(p.grad) for p in params)}")
        print(
            f"  {'agree' if agrees else 'MISMATCH'}; paths from J to each element: "
            f"{'/'.join(map(str, paths))}; drawn in {path}"
        )
    return ok


def caption_finding(J: Value, forms: Forms) -> None:
    """Equation 14's caption says W[2]; its equation, after 'So the overall b[2] gradient is',
    is dJ/db[2] = dZ[2]. Show which gradient the equation's numbers are."""
    nodes = labelled(J)
    b2 = [nodes[f"b[2]_{j}"] for j in range(1, SIZES[1] + 1)]
    w2 = [v for label, v in nodes.items() if label.startswith("W[2]_")]
    dz2 = [forms[f"Z[2]_{j}"][1] for j in range(1, SIZES[1] + 1)]
    is_b2 = all(agree(b.grad, d) for b, d in zip(b2, dz2))
    print(
        "\nFINDING: Equation 14's caption reads 'The gradient of the cost J with respect to the "
        "weights of layer two W[2]',\n  but the equation it captions is dJ/db[2] = dZ[2] = "
        f"({', '.join(num(d) for d in dz2)}): "
        f"{'equal to autograd' if is_b2 else 'NOT equal to autograd'}'s db[2] "
        f"({', '.join(num(b.grad) for b in b2)}),\n  while dW[2] is a {SIZES[1]}x{SIZES[0]} "
        f"matrix ({', '.join(num(w.grad) for w in w2)}).\n  Corrected caption: 'The gradient of "
        "the cost J with respect to the bias of layer two b[2]'. (The sentence before Figure 6, "
        "'Next, we will compute the b[1] gradient', also means b[2].)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__, argv, _show_code_flag)
    model = nn.MLP(len(X), SIZES, ["sigmoid", "sigmoid"], seed=0)
    # Labelled input Values: the picture and the table can name X_1, X_2 (and show dJ/dX).
    inputs = [Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]
    J = nn.mse(model(inputs), Y)
    if args.show_code:
        print(engine.compile(J, inputs + model.parameters()).source)
    J.backward()
    print(f"seed 000: {model}, sample X = {X}, Y = {Y}")
    print(f"cost: nn.mse, J = (1/n_y) Σ (A[2] - Y)^2 with n_y = {len(Y)}; J = {J.data:.6g}")
    net = Dense.of(model)
    ok = forward_matches(labelled(J), *net.forward(X))
    ok &= check_table(
        "backward, node by node (autograd vs the article's formulas by hand):",
        checks_for(J, closed_forms(net, X, Y)),
    )
    write_graph(J, args.out, "two_layer_mse", model=model)
    forms = closed_forms(net, X, Y)
    ok &= figures(J, forms, args.out, model)
    caption_finding(J, forms)

    def cost() -> Value:
        return nn.mse(model([Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]), Y)

    def check(J: Value) -> bool:
        return forms_agree(J, closed_forms(Dense.of(model), X, Y))

    _, descent_ok = gradient_descent(model.parameters(), cost, lr=2.0, steps=10, check=check)
    ok &= descent_ok
    print("two_layer_mse:", "OK, every gradient matches seed 000's formulas" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Seed 002: the 4-2-2-1 network and the gradient of the one weight (w_22)^2, factor by factor.

    python -m demos.four_layer [--out DIR] [--f sigmoid|tanh]

Network (the article numbers layers from 1, the input): x = a^1 (4 inputs) -> z^2 = W^1 x + b^1,
a^2 = f(z^2) (2 units) -> z^3 = W^2 a^2 + b^2, a^3 = f(z^3) (2 units) -> s = W^3 a^3 + b^3, a linear
output. f = sigmoid by default. Cost: squared error C = (s - y)^2 (nn.mse of one output; the article
allows MSE or cross-entropy, and with a linear output s, which is not a probability, MSE is the one
that fits), so dC/ds = 2(s - y).

The demo prints both naming schemes side by side; the chain
dC/d(w_22)^2 = (dC/ds · (w_12)^3) · f'((z_2)^3) · (a_2)^2 with each factor's number; every unit's
local gradient δ_j^l = dC/d(z_j)^l from autograd against the backprop recursion by hand; every
parameter's gradient δ_j^(l+1) (a_k)^l; and the paths of the graph from a weight to C
(engine.paths), whose products sum to its gradient. Then gradient descent, w <- w - ε dC/dw.
Exits non-zero on any mismatch.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import engine
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
from demos.figures import renamed_graph
from engine import Value

X = [0.5, -0.3, 0.9, 0.1]
Y = 1.0
SIZES = [2, 2, 1]


def article_names(n_inputs: int = 4, sizes: Sequence[int] = (2, 2, 1)) -> dict[str, str]:
    """Project label -> the article's name: W[l]_j,k is (w_jk)^l, Z[l]_j is (z_j)^(l+1), ..."""
    names = {f"X_{k}": f"x_{k} = (a_{k})^1" for k in range(1, n_inputs + 1)}
    last = len(sizes)
    for layer, (n_in, n_out) in enumerate(zip([n_inputs, *sizes], sizes), 1):
        for j in range(1, n_out + 1):
            for k in range(1, n_in + 1):
                names[f"W[{layer}]_{j},{k}"] = f"(w_{j}{k})^{layer}"
            names[f"b[{layer}]_{j}"] = f"(b_{j})^{layer}"
            names[f"Z[{layer}]_{j}"] = "s" if layer == last else f"(z_{j})^{layer + 1}"
            names[f"A[{layer}]_{j}"] = f"(a_{j})^{layer + 1}"
    return names


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def picture_names(n_inputs: int = 4, sizes: Sequence[int] = (2, 2, 1)) -> dict[str, str]:
    """Project label -> the article's name as the picture shows it: (z_2)³, (w_22)², s, C."""
    names = {}
    for label, name in article_names(n_inputs, sizes).items():
        name = name.split(" = ")[0]  # x_1 = (a_1)^1 -> x_1
        base, _, power = name.partition("^")
        names[label] = base + power.translate(SUPERSCRIPT)
    names["J"] = "C"
    return names


def article_layer(layer: int) -> str:
    """The title of this project's layer-l cluster in the article's numbering (input = layer 1)."""
    up = str(layer + 1).translate(SUPERSCRIPT)
    here = str(layer).translate(SUPERSCRIPT)
    out = "s" if layer == len(SIZES) else f"z{up}, a{up}"
    return f"layer {layer + 1}: {out}  (weights W{here}, b{here})"


def deltas_by_hand(net: Dense, x: Sequence[float], y: float) -> list[list[float]]:
    """delta[l][j] = dC/dZ[l]_j by the backprop recursion (delta[0] unused), plain floats."""
    zs, acts = net.forward(x)
    top = len(net.W)
    delta: list[list[float]] = [[] for _ in range(top + 1)]
    delta[top] = [2.0 * (acts[top][0] - y) * G_PRIME[net.activations[-1]](zs[top][0])]
    for layer in range(top - 1, 0, -1):
        fp = G_PRIME[net.activations[layer - 1]]
        delta[layer] = [
            sum(net.W[layer][j][k] * delta[layer + 1][j] for j in range(len(delta[layer + 1])))
            * fp(z)
            for k, z in enumerate(zs[layer])
        ]
    return delta


def closed_forms(net: Dense, x: Sequence[float], y: float) -> tuple[Forms, Forms]:
    """(local gradients of every Z node, gradients of every parameter), by hand."""
    names = article_names()
    zs, acts = net.forward(x)
    delta = deltas_by_hand(net, x, y)
    top = len(net.W)
    units: Forms = {f"Z[{top}]_1": ("2(s - y)", delta[top][0])}
    for layer in range(top - 1, 0, -1):
        for k in range(1, len(zs[layer]) + 1):
            z = names[f"Z[{layer}]_{k}"]
            above = "+".join(
                f"(w_{j}{k})^{layer + 1} δ_{j}^{layer + 2}"
                for j in range(1, len(zs[layer + 1]) + 1)
            )
            units[f"Z[{layer}]_{k}"] = (f"({above}) f'({z})", delta[layer][k - 1])
    params: Forms = {}
    for layer in range(1, top + 1):
        for j, d in enumerate(delta[layer], 1):
            for k, a in enumerate(acts[layer - 1], 1):
                a_name = f"x_{k}" if layer == 1 else f"(a_{k})^{layer}"
                params[f"W[{layer}]_{j},{k}"] = (f"δ_{j}^{layer + 1} {a_name}", d * a)
            params[f"b[{layer}]_{j}"] = (f"δ_{j}^{layer + 1}", d)
    return units, params


def print_names() -> None:
    """The two naming schemes, layer by layer."""
    rows = [
        ["x = a^1", "X = A[0]", "input, 4 units X_1..X_4"],
        ["W^1, b^1", "W[1], b[1]", "2×4 weights, 2 biases; (w_jk)^1 = W[1]_j,k"],
        ["z^2, a^2 = f(z^2)", "Z[1], A[1]", "hidden_1, 2 units"],
        ["W^2, b^2", "W[2], b[2]", "2×2; the article's (w_22)^2 is W[2]_2,2"],
        ["z^3, a^3 = f(z^3)", "Z[2], A[2]", "hidden_2, 2 units"],
        ["W^3, b^3", "W[3], b[3]", "1×2"],
        ["s", "Z[3]_1", "output, linear (no A node)"],
        ["C", "J", "cost (s - y)^2"],
    ]
    print("\nthe article's names and this project's names:")
    print_table(["article", "project", ""], rows)


def chain_for_w22(J: Value, f: str, y: float, net: Dense) -> tuple[list[Check], bool]:
    """The article's chain for (w_22)^2 factor by factor: each factor by hand, from a forward pass
    of its own on the weights' numbers, beside the number the graph holds (a gradient, or the
    local derivative stored on an edge)."""
    nodes = labelled(J)
    s, a3, z3, a2, w = (nodes[k] for k in ("Z[3]_1", "A[2]_2", "Z[2]_2", "A[1]_2", "W[2]_2,2"))
    zs, acts = net.forward([nodes[f"X_{i}"].data for i in range(1, len(X) + 1)])
    s_h, z3_h, a3_h, a2_h = zs[3][0], zs[2][1], acts[2][1], acts[1][1]
    w12 = net.W[2][0][1]  # (w_12)^3 = W[3]_1,2
    dC_ds = 2.0 * (s_h - y)
    fp = G_PRIME[f](z3_h)
    product = dC_ds * w12 * fp * a2_h
    w_edge = z3.local_grads[z3.parents.index(w)]  # d(z_2)^3 / d(w_22)^2 as the graph stores it
    checks = [
        Check("Z[3]_1", s.data, s.grad, "2(s - y)", dC_ds, "dC/ds"),
        Check("A[2]_2", a3.data, a3.grad, "dC/ds · (w_12)^3", dC_ds * w12, "dC/d(a_2)^3"),
        Check("A[2]_2←Z[2]_2", a3_h, a3.local_grads[0], G_PRIME_TEXT[f], fp, "f'((z_2)^3)"),
        Check("Z[2]_2←W[2]_2,2", a2_h, w_edge, "(a_2)^2", a2_h, "d(z_2)^3/d(w_22)^2"),
        Check("W[2]_2,2", w.data, w.grad, "product of the above", product, "dC/d(w_22)^2"),
    ]
    print("\nthe article's chain for (w_22)^2 = W[2]_2,2:")
    print("  dC/d(w_22)^2 = (dC/ds · (w_12)^3) · f'((z_2)^3) · (a_2)^2")
    print(
        f"               = ({num(dC_ds)} · {num(w12)}) · {num(fp)} · {num(a2_h)}"
        f" = {num(product)}   (autograd: W[2]_2,2.grad = {num(w.grad)})"
    )
    ok = check_table(
        "each factor: the graph's number (autograd, or ← an edge's stored factor) against the "
        "article's formula by hand, from a forward pass of its own:",
        checks,
    )
    return checks, ok


def show_paths(J: Value, weight: Value) -> bool:
    """engine.paths from weight to J: each path's factors and product; their sum is the gradient."""
    found = engine.paths(J, weight)

    def name(v: Value) -> str:
        return v.label if v.label is not None else f"({v.op})"

    print(f"\npaths from {weight.label} to J (engine.paths): {len(found)}")
    for p in found:
        chain = " -> ".join(map(name, p.nodes))
        factors = " · ".join(num(f) for f in p.factors)
        print(f"  {chain}\n      {factors} = {num(p.product)}")
    total = math.fsum(p.product for p in found)
    ok = agree(total, weight.grad)
    print(
        f"  sum of the products {num(total)}, autograd {weight.label}.grad {num(weight.grad)}: "
        f"{'equal' if ok else 'MISMATCH'}"
    )
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    def options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--f", default="sigmoid", choices=["sigmoid", "tanh"])

    args = parse_args(__doc__, argv, options)
    model = nn.MLP(len(X), SIZES, [args.f, args.f, "linear"], seed=2)
    inputs = [Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]
    J = nn.mse(model(inputs), Y)
    J.backward()
    print(f"seed 002: {model}, f = {args.f}, sample x = {X}, y = {Y:g}")
    print(f"cost: C = (s - y)^2 (nn.mse of the one output), dC/ds = 2(s - y); C = {J.data:.6g}")
    print_names()
    net = Dense.of(model)
    ok = forward_matches(labelled(J), *net.forward(X))
    _, chain_ok = chain_for_w22(J, args.f, Y, net)
    ok &= chain_ok
    names = article_names()
    units, params = closed_forms(net, X, Y)
    ok &= check_table(
        "local gradients δ_j^l = dC/d(z_j)^l: autograd (grad of the Z node) vs backprop by hand:",
        checks_for(J, units, names),
    )
    ok &= check_table(
        "every parameter: dC/d(w_jk)^l = δ_j^(l+1) (a_k)^l, dC/d(b_j)^l = δ_j^(l+1):",
        checks_for(J, params, names),
    )
    nodes = labelled(J)
    ok &= show_paths(J, nodes["W[2]_2,2"])
    ok &= show_paths(J, nodes["W[1]_2,2"])
    write_graph(
        J, args.out, "four_layer", model=model, names=names, highlight_paths_from=nodes["W[2]_2,2"]
    )
    article_picture = renamed_graph(
        J,
        picture_names(),
        article_layer,
        nn.graph_view(model),
        Path(args.out) / "four_layer_article_names.svg",
        highlight_paths_from=nodes["W[2]_2,2"],
    )
    print(
        f"the same graph in the article's names ((z_j)ˡ, (a_j)ˡ, (w_jk)ˡ, s, C): {article_picture}"
    )

    def cost() -> Value:
        return nn.mse(model([Value(v, label=f"X_{i}") for i, v in enumerate(X, 1)]), Y)

    def check(J: Value) -> bool:
        units, params = closed_forms(Dense.of(model), X, Y)
        return forms_agree(J, units) and forms_agree(J, params)

    _, descent_ok = gradient_descent(
        model.parameters(), cost, lr=0.1, steps=12, every=2, check=check
    )
    ok &= descent_ok
    print(
        "four_layer:", "OK, autograd matches seed 002's chain and recursion" if ok else "MISMATCH"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

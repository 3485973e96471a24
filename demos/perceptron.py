"""Seed 004: one sigmoid neuron, mean squared error over a small data set, and its chain rule.

    python -m demos.perceptron [--out DIR]

The perceptron: z = w·x + b, ŷ = σ(z), 3 inputs. Cost: nn.mse over the data set of n = 6 samples,
C = (1/n) Σ_i (ŷ_i - y_i)^2. Per sample the article's chain is dC/dw = dC/dŷ · dŷ/dz · dz/dw with
dC/dŷ_i = (2/n)(ŷ_i - y_i), dŷ/dz = σ(z)(1-σ(z)), dz/dw_k = x_k and dz/db = 1; the gradient is the
sum of those products over the samples. The demo checks every factor and the sums against autograd,
then runs gradient descent, w <- w - α dC/dw, until the cost stops falling much. Exits non-zero if a
closed form disagrees with autograd.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import nn
from demos.common import (
    G_PRIME,
    Check,
    G,
    check_table,
    gradient_descent,
    parse_args,
    write_graph,
)
from engine import Value

# Six samples, labelled 1 where x_1 + x_2/2 - x_3 > 0: a line the perceptron can find.
DATA = [
    [0.2, 0.9, -0.4],
    [1.0, -0.5, 0.3],
    [-0.7, 0.4, 0.8],
    [0.5, 0.5, -1.0],
    [-1.2, -0.3, 0.1],
    [0.9, 0.1, 0.6],
]
LABELS = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0]


def by_hand(w: Sequence[float], b: float) -> dict[str, list[float]]:
    """Forward pass and every chain factor per sample, then the summed gradients: plain floats."""
    n = len(DATA)
    z = [b + sum(wk * xk for wk, xk in zip(w, x)) for x in DATA]
    yhat = [G["sigmoid"](zi) for zi in z]
    dC_dyhat = [2.0 / n * (p - y) for p, y in zip(yhat, LABELS)]
    dyhat_dz = [G_PRIME["sigmoid"](zi) for zi in z]
    dC_dz = [a * b for a, b in zip(dC_dyhat, dyhat_dz)]
    dC_dw = [sum(d * x[k] for d, x in zip(dC_dz, DATA)) for k in range(len(w))]
    return {
        "yhat": yhat,
        "dC/dyhat": dC_dyhat,
        "dyhat/dz": dyhat_dz,
        "dC/dz": dC_dz,
        "dC/dw": dC_dw,
        "dC/db": [sum(dC_dz)],
    }


SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def sample_name(label: str, s: int) -> str:
    """A node's name for sample s: Z[1]_1 -> Z[1]_1⁽³⁾ (the neuron labels every sample alike)."""
    return label + f"({s})".translate(SUPERSCRIPT)


def cost(neuron: nn.Neuron) -> tuple[Value, list[Value]]:
    """C over the data set, and each sample's prediction node ŷ⁽ⁱ⁾. Inputs are plain numbers: the
    data are constants, not nodes, so the graph holds only what depends on w and b. The neuron
    labels every sample's nodes Z[1]_1 and A[1]_1; they are renamed per sample here (display
    only), so the pictures and tables can tell the samples apart."""
    preds = [neuron(x) for x in DATA]
    for s, p in enumerate(preds, 1):
        p.parents[0].label = sample_name(p.parents[0].label, s)
        p.label = sample_name(p.label, s)
    return nn.mse(preds, LABELS), preds


def checks(neuron: nn.Neuron, preds: Sequence[Value]) -> tuple[list[Check], list[Check]]:
    """(the per-sample chain factors, the summed parameter gradients), autograd vs by hand."""
    hand = by_hand([w.data for w in neuron.w], neuron.b.data)
    chain = []
    for i, p in enumerate(preds):
        z = p.parents[0]
        s = f"{i + 1}".translate(SUPERSCRIPT)
        chain += [
            Check(p.label, p.data, p.grad, "(2/n)(ŷ - y)", hand["dC/dyhat"][i], f"dC/dŷ⁽{s}⁾"),
            Check(
                f"{p.label}←{z.label}",
                p.data,
                p.local_grads[0],
                "σ(z)(1-σ(z))",
                hand["dyhat/dz"][i],
                f"dŷ⁽{s}⁾/dz⁽{s}⁾",
            ),
            Check(z.label, z.data, z.grad, "dC/dŷ · dŷ/dz", hand["dC/dz"][i], f"dC/dz⁽{s}⁾"),
        ]
    params = [
        Check(w.label, w.data, w.grad, f"Σ_i dC/dz_i · x_i{k}", hand["dC/dw"][k - 1], f"dC/dw_{k}")
        for k, w in enumerate(neuron.w, 1)
    ]
    params.append(
        Check(
            neuron.b.label, neuron.b.data, neuron.b.grad, "Σ_i dC/dz_i", hand["dC/db"][0], "dC/db"
        )
    )
    return chain, params


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__, argv)
    neuron = nn.Neuron(3, "sigmoid", seed=4)
    J, preds = cost(neuron)
    J.backward()
    print(f"seed 004: {neuron}, {len(DATA)} samples")
    print(f"cost: nn.mse over the data set, C = (1/n) Σ_i (ŷ_i - y_i)^2 with n = {len(DATA)}")
    print(
        f"C = {J.data:.6g}; the neuron's names: w_k = W[1]_1,k, b = b[1]_1, and for sample s "
        "z⁽ˢ⁾ = Z[1]_1⁽ˢ⁾, ŷ⁽ˢ⁾ = A[1]_1⁽ˢ⁾"
    )
    chain, params = checks(neuron, preds)
    ok = check_table("the chain per sample (← marks an edge's factor dŷ/dz):", chain)
    ok &= check_table("dC/dw = Σ over samples of dC/dŷ · dŷ/dz · dz/dw:", params)
    write_graph(J, args.out, "perceptron", model=neuron)

    latest: list[Value] = []  # the prediction nodes of the latest forward pass

    def step_cost() -> Value:
        J, latest[:] = cost(neuron)
        return J

    def check(J: Value) -> bool:
        return all(c.ok for group in checks(neuron, latest) for c in group)

    _, descent_ok = gradient_descent(
        neuron.parameters(), step_cost, lr=2.0, steps=200, every=5, min_drop=5e-4, check=check
    )
    ok &= descent_ok
    print("perceptron:", "OK, autograd matches seed 004's chain" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""One neuron, forward and backward, step by step: the chain rule on a graph small enough to read.

    python -m demos.walkthrough [--out DIR]   (writes DIR/walkthrough_graph.svg and .png)

The neuron is a = tanh(w1 x1 + w2 x2 + b). The demo prints every backward step (which node pushes
its gradient to which parent, with the local derivative and the amount added), then checks each
gradient against the closed form dA/dw_k = (1 - a^2) x_k and against finite differences, and exits
non-zero if any disagrees.
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from collections.abc import Sequence

from demos.common import write_graph
from engine import Value, gradcheck


def neuron(x1: Value, x2: Value, w1: Value, w2: Value, b: Value) -> Value:
    """tanh(w1 x1 + w2 x2 + b) from elementary nodes, each labelled as it is made."""
    p1 = w1 * x1
    p1.label = "w1*x1"
    p2 = w2 * x2
    p2.label = "w2*x2"
    z = p1 + p2 + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    return a


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="where the graph's picture goes")
    args = parser.parse_args(argv)
    inputs = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
    leaves = {name: Value(v, label=name) for name, v in inputs.items()}
    a = neuron(**leaves)
    print(f"forward: a = tanh(w1 x1 + w2 x2 + b) = {a.data:.6f}\n")
    print("backward, one step per node (g is the node's gradient dA/dnode):")
    for bstep in a.backward_steps():
        print(textwrap.indent(str(bstep), "  "))

    closed_form = {
        "w1": (1 - a.data**2) * inputs["x1"],
        "w2": (1 - a.data**2) * inputs["x2"],
        "b": 1 - a.data**2,
        "x1": (1 - a.data**2) * inputs["w1"],
        "x2": (1 - a.data**2) * inputs["w2"],
    }
    print(f"\n{'node':<5} {'autograd':>12} {'(1-a^2)*...':>12} {'difference':>11}")
    ok = True
    for name, expected in closed_form.items():
        got = leaves[name].grad
        diff = abs(got - expected)
        ok &= math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12)
        print(f"{name:<5} {got:>12.6f} {expected:>12.6f} {diff:>11.2e}")
    try:
        gradcheck(lambda *v: neuron(*v), [leaves[n] for n in ("x1", "x2", "w1", "w2", "b")])
        print("\nfinite differences agree with autograd for every input")
    except AssertionError as err:
        print(f"\n{err}")
        ok = False
    write_graph(a, args.out, "walkthrough")
    print("walkthrough:", "OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""micrograd's demo training step on three engines, side by side in one process.

    python -m benchmarks.engine [--rounds N] [--block N] [--points N] [--engines A,B]

The step: an MLP 2-16-16-1 (ReLU hidden layers, linear output), the max-margin loss
relu(1 - y * score) averaged over 100 points plus an L2 term 1e-4 * sum(p * p), forward and
backward.
The model is written once, in operator code, and run on:

  chainrule     this engine, neurons as elementary * and + nodes (the same graph micrograd builds)
  chainrule+lin this engine, each neuron one fused engine.linear node
  micrograd     micrograd 0.1.0 from PyPI (pip install -e '.[bench]')
  torch         PyTorch 0-dim float64 tensors, when installed

Engines take turns in rounds (A B C D, A B C D, ...) so drift in the machine's speed hits every
engine alike. In its turn an engine runs a block of consecutive steps, as a training loop does,
with the garbage collector on: each step pays for collecting the garbage its predecessor left
(micrograd's closures form reference cycles that only the collector frees; this engine's graph is
freed by reference counting as soon as the loss is dropped). The first step of each block, which
inherited no garbage, is not counted; the median of the rest is reported. Peak memory of one step
is measured separately with tracemalloc (it slows the code it watches, so it is never timed); it
sees Python allocations only, so torch's C++ tensors are not in its figure.

"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import engine

SIZES = (2, 16, 16, 1)
ALL_ENGINES = ("chainrule", "chainrule+lin", "micrograd", "torch")
ALPHA = 1e-4


def make_data(n_points: int, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Points in [-2, 2]^2 labelled +1/-1 by which side of a wavy line they fall on."""
    rng = random.Random(seed)
    xs = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(n_points)]
    ys = [1.0 if x1 > 0.5 * x0 * x0 - 1.0 else -1.0 for x0, x1 in xs]
    return xs, ys


def init_params(leaf: Callable[[float], object], seed: int = 1) -> list[list[tuple[list, object]]]:
    """Per layer, per neuron: (weights, bias). micrograd's init: U(-1, 1) weights, zero bias."""
    rng = random.Random(seed)
    return [
        [([leaf(rng.uniform(-1, 1)) for _ in range(nin)], leaf(0.0)) for _ in range(nout)]
        for nin, nout in zip(SIZES[:-1], SIZES[1:])
    ]


def neuron_expanded(w: Sequence, x: Sequence, b):
    """sum of w_k * x_k plus b from elementary * and + nodes, as micrograd's Neuron writes it."""
    return sum((wi * xi for wi, xi in zip(w, x)), b)


def neuron_fused(w: Sequence, x: Sequence, b):
    return engine.linear(w, x, b)


def step_loss(params, xs, ys, neuron):
    """The demo's loss: forward through the MLP for every point, max-margin loss, L2 term."""
    scores = []
    for x in xs:
        act = x
        for depth, layer in enumerate(params):
            last = depth == len(params) - 1
            act = [neuron(w, act, b) if last else neuron(w, act, b).relu() for w, b in layer]
        scores.append(act[0])
    losses = [(1 - y * s).relu() for y, s in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg = ALPHA * sum(p * p for layer in params for w, b in layer for p in (*w, b))
    return data_loss + reg


@dataclass
class Engine:
    name: str
    leaf: Callable[[float], object]
    neuron: Callable
    count_nodes: Callable[[object], int]
    zero: Callable[[list], None]


def _zero_grads(params) -> None:
    for layer in params:
        for w, b in layer:
            for p in (*w, b):
                p.grad = 0.0


def _count_chainrule(root) -> int:
    return len(engine.topo_order(root))


def _count_micrograd(root) -> int:
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


def _count_torch(root) -> int:
    seen, stack = set(), [root.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        stack.extend(f for f, _ in fn.next_functions)
    return len(seen)


def engines(wanted: Sequence[str]) -> list[Engine]:
    """The engines named in ``wanted`` that are installed; micrograd and torch are imported only
    when wanted, since an import alone changes what the garbage collector has to walk."""
    found = [
        Engine("chainrule", engine.Value, neuron_expanded, _count_chainrule, _zero_grads),
        Engine("chainrule+lin", engine.Value, neuron_fused, _count_chainrule, _zero_grads),
    ]
    if "micrograd" in wanted:
        found += _micrograd()
    if "torch" in wanted:
        found += _torch()
    return [e for e in found if e.name in wanted]


def _micrograd() -> list[Engine]:
    try:
        from micrograd.engine import Value as MicrogradValue

    except ImportError:
        print("micrograd not installed (pip install -e '.[bench]'): skipped")
        return []
    return [Engine("micrograd", MicrogradValue, neuron_expanded, _count_micrograd, _zero_grads)]


def _torch() -> list[Engine]:
    try:
        import torch
    except ImportError:
        print("torch not installed: skipped")
        return []
    torch.set_num_threads(1)

    def leaf(x: float):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    def zero(params) -> None:
        for layer in params:
            for w, b in layer:
                for p in (*w, b):
                    p.grad = None

    return [Engine("torch", leaf, neuron_expanded, _count_torch, zero)]


def block(eng: Engine, params, xs, ys, steps: int) -> list[float]:
    """Seconds per step for ``steps`` consecutive forward + backward passes, the first one dropped.

    The collector first clears what other engines left, untimed, so no engine is billed for
    another's garbage; within the block each step pays for its own, as in a training loop.
    """
    gc.collect()
    times = []
    for _ in range(steps + 1):
        eng.zero(params)
        t0 = time.perf_counter()
        loss = step_loss(params, xs, ys, eng.neuron)
        loss.backward()
        del loss
        times.append(time.perf_counter() - t0)
    return times[1:]


def peak_memory(eng: Engine, params, xs, ys) -> int:
    """Peak bytes allocated during one forward + backward (graph alive at its largest)."""
    gc.collect()
    tracemalloc.start()
    loss = step_loss(params, xs, ys, eng.neuron)
    loss.backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del loss
    gc.collect()
    return peak


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="turns each engine takes")
    parser.add_argument("--block", type=int, default=5, help="counted steps per turn")
    parser.add_argument("--points", type=int, default=100, help="data points per step")
    parser.add_argument(
        "--engines",
        default=",".join(ALL_ENGINES),
        help=f"comma-separated subset of {','.join(ALL_ENGINES)} (default: all)",
    )
    args = parser.parse_args(argv)

    xs, ys = make_data(args.points)
    engs = engines(args.engines.split(","))
    params = {e.name: init_params(e.leaf) for e in engs}
    nodes = {}
    for e in engs:  # warm-up, and the node count of each engine's graph
        loss = step_loss(params[e.name], xs, ys, e.neuron)
        loss.backward()
        nodes[e.name] = e.count_nodes(loss)
        del loss

    times: dict[str, list[float]] = {e.name: [] for e in engs}
    for _ in range(args.rounds):
        for e in engs:
            times[e.name] += block(e, params[e.name], xs, ys, args.block)
    memory = {e.name: peak_memory(e, params[e.name], xs, ys) for e in engs}

    median = {name: statistics.median(t) for name, t in times.items()}
    base = "chainrule"
    print(
        f"MLP {'-'.join(map(str, SIZES))}, {args.points} points, max-margin loss + L2; "
        f"forward + backward, median of {args.rounds} x {args.block} steps in interleaved blocks\n"
    )
    header = f"{'engine':<14} {'nodes':>7} {'ms/step':>9} {'us/node':>8} {'peak MiB':>9}"
    print(header + "   chainrule is N times faster / chainrule+lin is N times faster")
    for e in engs:
        n = e.name
        # tracemalloc sees Python allocations only; torch's tensors live in C++ memory it can't see.
        seen = n != "torch"
        mem = f"{memory[n] / 2**20:>9.2f}" if seen else f"{'n/a':>9}"
        per_node = median[n] / nodes[n] * 1e6
        line = f"{n:<14} {nodes[n]:>7} {median[n] * 1e3:>9.2f} {per_node:>8.3f} {mem}"
        if n not in (base, "chainrule+lin") and {base, "chainrule+lin"} <= set(median):
            line += (
                f"   {median[n] / median[base]:5.1f}x / {median[n] / median['chainrule+lin']:5.1f}x"
            )
            if seen:
                line += f"   memory: chainrule uses {memory[base] / memory[n]:.2f} of it"
        print(line)


if __name__ == "__main__":
    main()

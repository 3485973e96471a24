"""One benchmark measurement in a fresh process: ``python benchmarks/workloads.py TREE FIG ENG``.

``python -m benchmarks`` runs this file once per (figure, engine, round). It is run by path, and
the first thing it does is to put TREE (the working tree, or a git revision extracted to a
temporary folder) first on sys.path, so ``import engine`` / ``import nn`` find that tree's code,
and to drop this file's own folder from it. Only what the engine under test needs is imported:
micrograd for micrograd, torch for torch, nothing else (a process that has imported torch holds
~167,000 more objects, and every garbage-collector pass of this engine slows down with them).

It prints one JSON object: {"value": number, "unit": ..., "note": ...} or {"skip": reason}.
"""

from __future__ import annotations

import gc
import json
import math
import random
import statistics
import sys
import time
import tracemalloc

# ---- micrograd's demo step: MLP 2-16-16-1, max-margin loss over 100 points, plus L2 ------------

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4
N_POINTS = 100


def make_data(n_points: int = N_POINTS, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Points in [-2, 2]^2 labelled +1/-1 by which side of a wavy line they fall on."""
    rng = random.Random(seed)
    xs = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(n_points)]
    ys = [1.0 if x1 > 0.5 * x0 * x0 - 1.0 else -1.0 for x0, x1 in xs]
    return xs, ys


def init_params(leaf, seed: int = 1) -> list:
    """Per layer, per neuron: (weights, bias). micrograd's init: U(-1, 1) weights, zero bias."""
    rng = random.Random(seed)
    return [
        [([leaf(rng.uniform(-1, 1)) for _ in range(nin)], leaf(0.0)) for _ in range(nout)]
        for nin, nout in zip(SIZES[:-1], SIZES[1:])
    ]


def flat(params) -> list:
    return [p for layer in params for w, b in layer for p in (*w, b)]


def neuron_expanded(w, x, b):
    """sum of w_k * x_k plus b from elementary * and + nodes, as micrograd's Neuron writes it."""
    return sum((wi * xi for wi, xi in zip(w, x)), b)


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
    reg = ALPHA * sum(p * p for p in flat(params))
    return data_loss + reg


def timed_block(step, min_steps: int = 3, budget: float = 1.0, warm_up: bool = True) -> float:
    """Median seconds per call of ``step()`` over a block of consecutive calls (at least
    ``min_steps``, more while under ``budget`` seconds), after one untimed warm-up call. The
    collector stays on: each step pays for the garbage it and its predecessors leave, as in
    training."""
    if warm_up:
        step()
    gc.collect()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < min_steps or (time.perf_counter() - start < budget and len(times) < 200):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _training_step(leaf, neuron):
    """One training step of the demo on the engine whose leaf constructor is ``leaf``."""
    params = init_params(leaf)
    xs, ys = make_data()
    ps = flat(params)

    def step() -> None:
        for p in ps:
            p.grad = 0.0
        loss = step_loss(params, xs, ys, neuron)
        loss.backward()

    return step


def _engine_step(neuron_name: str):
    import engine

    neuron = neuron_expanded if neuron_name == "elementary" else engine.linear
    return _training_step(engine.Value, neuron)


def _compiled_step():
    import engine

    if not hasattr(engine, "compile"):
        return None
    params = init_params(engine.Value)
    xs, ys = make_data()
    ps = flat(params)
    loss = step_loss(params, xs, ys, engine.linear)
    t0 = time.perf_counter()
    function = engine.compile(loss, ps).function
    setup = time.perf_counter() - t0
    del loss

    def step() -> None:
        _, grads = function([p.data for p in ps])
        for p, g in zip(ps, grads):
            p.grad = g

    return step, setup


def _micrograd_step():
    from micrograd.engine import Value

    return _training_step(Value, neuron_expanded)


def _torch_step():
    import torch

    torch.set_num_threads(1)
    params = init_params(lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    xs, ys = make_data()
    ps = flat(params)

    def step() -> None:
        for p in ps:
            p.grad = None
        loss = step_loss(params, xs, ys, neuron_expanded)
        loss.backward()

    return step


def figure_step(engine_name: str) -> dict:
    if engine_name in ("elementary", "fused"):
        step, note = _engine_step(engine_name), ""
    elif engine_name == "compiled":
        made = _compiled_step()
        if made is None:
            return {"skip": "no engine.compile in this revision"}
        step, setup = made
        note = f"compile {setup:.2f} s once"
    elif engine_name == "micrograd":
        try:
            step, note = _micrograd_step(), ""
        except ImportError:
            return {"skip": "micrograd not installed (pip install -e '.[bench]')"}
    elif engine_name == "torch":
        try:
            step, note = _torch_step(), ""
        except ImportError:
            return {"skip": "torch not installed"}
    else:
        raise SystemExit(f"unknown engine {engine_name!r} for figure step")
    return {"value": timed_block(step) * 1e3, "unit": "ms/step", "note": note}


# ---- a chain of n additions: time per node, build + backward + free ------------------------------


def figure_chain(engine_name: str, n: int) -> dict:
    """engine_name 'elementary': with the collector on throughout, as a user's own loop runs;
    'paused': the whole run inside engine.gc_paused(), as nn.fit runs its steps."""
    import contextlib

    import engine
    from engine import Value

    if engine_name == "paused" and not hasattr(engine, "gc_paused"):
        return {"skip": "no engine.gc_paused in this revision"}
    pause = engine.gc_paused if engine_name == "paused" else contextlib.nullcontext

    def run() -> None:
        with pause():
            x = Value(1.0)
            y = x
            for _ in range(n):
                y = y + 1.0
            y.backward()
            del y

    big = n >= 10**6  # one run, no warm-up: several seconds each, nothing left to warm
    seconds = timed_block(run, min_steps=1 if big else 3, budget=0.5, warm_up=not big)
    return {"value": seconds / n * 1e6, "unit": "us/node"}


# ---- memory: peak Python bytes while the demo step's graph is built, per node --------------------


def figure_memory(engine_name: str) -> dict:
    xs, ys = make_data()
    if engine_name == "micrograd":
        try:
            from micrograd.engine import Value
        except ImportError:
            return {"skip": "micrograd not installed"}

        def count(root) -> int:
            seen, stack = {root}, [root]
            while stack:
                for child in stack.pop()._prev:
                    if child not in seen:
                        seen.add(child)
                        stack.append(child)
            return len(seen)

        neuron = neuron_expanded
    else:
        import engine
        from engine import Value

        def count(root) -> int:
            return len(engine.topo_order(root))

        neuron = neuron_expanded if engine_name == "elementary" else engine.linear
    params = init_params(Value)
    gc.collect()
    tracemalloc.start()
    loss = step_loss(params, xs, ys, neuron)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"value": peak / count(loss), "unit": "bytes/node"}


# ---- the circles training: 50 epochs, this engine vs batched PyTorch float64 -------------------


def _circles_setup():
    import nn

    X, y = nn.make_circles(1000, factor=0.3, noise=0.1, seed=0)
    X_train, _, y_train, _ = nn.train_test_split(X, y, test_size=0.1, seed=0)
    model = nn.MLP(2, [4, 6, 6, 4, 1], ["relu"] * 4 + ["sigmoid"], init="glorot_uniform", seed=0)
    return nn, model, X_train, y_train


def figure_circles(engine_name: str, epochs: int) -> dict:
    nn, model, X, y = _circles_setup()
    if engine_name in ("compiled", "interpreted"):
        options = {}
        if engine_name == "compiled":
            import inspect

            if "compile" not in inspect.signature(nn.fit).parameters:
                return {"skip": "no nn.fit(compile=True) in this revision"}
            options["compile"] = True
        gc.collect()
        t0 = time.perf_counter()
        nn.fit(
            model, X, y, loss="binary_cross_entropy", optimizer=nn.Adamax(model.parameters()),
            epochs=epochs, batch_size=32, seed=0, verbose=False, **options,
        )  # fmt: skip
        return {"value": time.perf_counter() - t0, "unit": f"s/{epochs} epochs"}
    if engine_name != "torch":
        raise SystemExit(f"unknown engine {engine_name!r} for figure circles")
    try:
        import torch
    except ImportError:
        return {"skip": "torch not installed"}
    torch.set_num_threads(1)
    net = model.to_torch() if hasattr(model, "to_torch") else None
    if net is None:
        return {"skip": "no MLP.to_torch in this revision"}
    rng = random.Random(0)
    order = [list(nn.batches(X, y, 32, rng)) for _ in range(epochs)]  # the same batches as fit
    batches = [
        [
            (torch.tensor(Xb, dtype=torch.float64), torch.tensor(yb, dtype=torch.float64))
            for Xb, yb in e
        ]
        for e in order
    ]
    opt = torch.optim.Adamax(net.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
    eps = 1e-7
    gc.collect()
    t0 = time.perf_counter()
    for epoch in batches:
        for Xb, yb in epoch:
            p = net(Xb).squeeze(1).clamp(eps, 1.0 - eps)
            loss = -(yb * p.log() + (1.0 - yb) * (1.0 - p).log()).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return {"value": time.perf_counter() - t0, "unit": f"s/{epochs} epochs"}


# ---- untimed steps, for counting instructions (python -m benchmarks.instructions) ---------------


def run_steps(engine_name: str, steps: int) -> dict:
    """One warm-up step, then ``steps`` more, untimed: valgrind counts what they execute."""
    step = _engine_step(engine_name)
    for _ in range(steps + 1):
        step()
    return {"value": steps, "unit": "steps"}


def main(argv: list[str]) -> None:
    tree, figure, engine_name, *rest = argv
    here = sys.path.pop(0)  # this file's folder: its modules must not shadow the tree's
    assert here.endswith("benchmarks"), here
    sys.path.insert(0, tree)
    if figure == "step":
        result = figure_step(engine_name)
    elif figure == "chain":
        result = figure_chain(engine_name, int(rest[0]))
    elif figure == "memory":
        result = figure_memory(engine_name)
    elif figure == "circles":
        result = figure_circles(engine_name, int(rest[0]))
    elif figure == "steps":
        result = run_steps(engine_name, int(rest[0]))
    else:
        raise SystemExit(f"unknown figure {figure!r}")
    if "value" in result and not math.isfinite(result["value"]):
        result = {"skip": f"non-finite measurement {result['value']!r}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

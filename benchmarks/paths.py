"""How the engine scales with graph size: a chain's µs per node, and listing or counting paths.

    python -m benchmarks.paths [--sizes 1000,10000,100000,1000000] [--repeat 3]

Chain: ``y = y + 1.0`` n times from one leaf, then ``y.backward()``; building (forward) and the
backward pass are timed apart, in CPU seconds of this process (``time.process_time``), median of
``--repeat`` runs. The forward pass runs with the garbage collector on, as user code does, and again
inside ``engine.gc_paused()``, as ``nn.fit`` runs it; ``backward()`` pauses the collector itself.
Paths: ``engine.paths`` and ``engine.count_paths`` on chains of 4,000 and 40,000 nodes (one path of
n edges each) and on a ladder ``y = y + y`` with 2**k paths, listed through ``engine.iter_paths``.
Run it alone on an idle machine: other processes distort every figure.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Callable, Sequence

import engine


def _chain(n: int) -> tuple[engine.Value, engine.Value]:
    x = engine.Value(1.0)
    y = x
    for _ in range(n):
        y = y + 1.0
    return x, y


def chain_scaling(n: int, repeat: int) -> tuple[float, float, float]:
    """µs per node: forward with the collector on, forward with it paused, backward."""
    fw, fw_paused, bw = [], [], []
    for _ in range(repeat):
        t0 = time.process_time()
        x, y = _chain(n)
        fw.append(time.process_time() - t0)
        del x, y
        with engine.gc_paused():
            t0 = time.process_time()
            x, y = _chain(n)
            fw_paused.append(time.process_time() - t0)
        t0 = time.process_time()
        y.backward()
        bw.append(time.process_time() - t0)
        del x, y
    return tuple(statistics.median(t) / n * 1e6 for t in (fw, fw_paused, bw))


def _timed(f: Callable[..., object], *args: object) -> float:
    t0 = time.process_time()
    f(*args)
    return time.process_time() - t0


def paths_scaling() -> list[str]:
    lines = []
    for n in (4_000, 40_000):
        x, y = _chain(n)
        t_list = _timed(engine.paths, y, x)
        t_count = _timed(engine.count_paths, y, x)
        lines.append(
            f"chain of {n:>6} nodes: paths {t_list * 1e3:8.1f} ms, count {t_count * 1e3:7.1f} ms"
        )
    x = engine.Value(1.0)
    y = x
    for _ in range(14_000):  # 2**14000 paths: far beyond Python's int-to-str limit
        y = y + y
    t_count = _timed(engine.count_paths, y, x)
    t_first = _timed(lambda: list(itertools.islice(engine.iter_paths(y, x), 1000)))
    lines.append(
        f"ladder of 2**14000 paths: count {t_count * 1e3:.1f} ms, "
        f"first 1000 paths {t_first * 1e3:.1f} ms"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'chain nodes':>12} {'forward':>9} {'fwd paused':>11} {'backward':>9}   (CPU µs/node)")
    first = None
    for n in sizes:
        row = chain_scaling(n, max(1, min(args.repeat, 10**6 // n)) if n > 10**5 else args.repeat)
        first = first or row
        ratio = " ".join(f"{r / f:4.2f}x" for r, f in zip(row, first))
        print(f"{n:>12} {row[0]:>9.3f} {row[1]:>11.3f} {row[2]:>9.3f}   vs first size: {ratio}")
    print()
    print("\n".join(paths_scaling()))


if __name__ == "__main__":
    main()

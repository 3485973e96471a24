"""Where a long chain's time goes: python -m benchmarks.collector [--sizes 1000,1000000]

Builds y = y + 1.0 n times, calls backward() and frees the graph, as the chain figure of
``python -m benchmarks`` does, once per size, each in a fresh process with the collector on. Prints
microseconds per node for the whole run and for the collector's passes by generation (timed with
``gc.callbacks``), and how many passes of each generation ran. A full (generation 2) pass walks
every object alive; CPython starts one whenever the objects that survived into the oldest
generation have grown by a quarter since the last, so while a graph grows it is walked again and
again, and a 10^3-node graph never is.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(n: int) -> dict:
    """Measure one chain of n nodes in this process."""
    import gc
    import time

    sys.path.insert(0, str(ROOT))
    from engine import Value

    spent = {0: 0.0, 1: 0.0, 2: 0.0}
    passes = {0: 0, 1: 0, 2: 0}
    started = [0.0]

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[info["generation"]] += time.perf_counter() - started[0]
            passes[info["generation"]] += 1

    gc.collect()
    gc.callbacks.append(watch)
    t0 = time.perf_counter()
    y = Value(1.0)
    for _ in range(n):
        y = y + 1.0
    y.backward()
    del y
    total = time.perf_counter() - t0
    gc.callbacks.remove(watch)
    per_node = {f"gen{g}": s / n * 1e6 for g, s in spent.items()}
    return {"n": n, "total": total / n * 1e6, **per_node, "passes": passes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,1000000", help="chain lengths, comma-separated")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_run(args.one)))
        return 0
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes must be integers separated by commas, got {args.sizes!r}")
    if any(n < 1 for n in sizes):
        parser.error(f"--sizes must be positive, got {args.sizes!r}")
    print(f"{'n':>9} {'us/node':>8} {'gen0':>6} {'gen1':>6} {'gen2':>6}  passes (gen0/gen1/gen2)")
    for n in sizes:
        cmd = [sys.executable, "-m", "benchmarks.collector", "--one", str(n)]
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        p = r["passes"]
        print(
            f"{n:>9} {r['total']:>8.3f} {r['gen0']:>6.3f} {r['gen1']:>6.3f} {r['gen2']:>6.3f}"
            f"  {p['0']}/{p['1']}/{p['2']}"
        )
    print("(collector columns: microseconds per node spent in that generation's passes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

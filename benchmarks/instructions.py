"""Instructions per training step, counted by valgrind: python -m benchmarks.instructions

    python -m benchmarks.instructions [--baseline REV] [--engines elementary,fused] [--steps 3]

Time on a shared machine swings (here by up to 2x for seconds at a time); the number of machine
instructions a step executes hardly does: callgrind's totals for the same code agree within 0.1%
from run to run, whatever else the machine is doing. Each count runs micrograd's demo step (the
``step`` figure of ``python -m benchmarks``) in a fresh process under ``valgrind --tool=callgrind``,
once with ``--steps`` steps and once with none; the difference divided by ``--steps`` is one step,
without the interpreter's start-up. Instructions are not time (a cache miss costs more than an add,
and the collector's work is counted, not its effect on the caches): read this beside the timings.
Needs valgrind (Debian: ``apt-get install valgrind``); about a minute per engine and tree.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.__main__ import ROOT, WORKLOADS, describe_tree, extract

ENGINES = ("elementary", "fused")


def count(tree: Path, engine: str, steps: int) -> int:
    """Instructions that ``workloads.py TREE steps ENGINE STEPS`` executes, as callgrind counts."""
    cmd = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, str(WORKLOADS), str(tree), "steps", engine, str(steps),
    ]  # fmt: skip
    result = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if result.returncode != 0 or not found:
        tail = result.stderr.strip().splitlines()[-3:]
        raise SystemExit(f"valgrind on {engine} in {tree} failed: {tail}")
    return int(found[1])


def per_step(tree: Path, engine: str, steps: int) -> float:
    return (count(tree, engine, steps) - count(tree, engine, 0)) / steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="a git revision to count beside the working tree")
    parser.add_argument("--engines", default=",".join(ENGINES), help="elementary, fused or both")
    parser.add_argument("--steps", type=int, default=3, help="steps counted (default 3)")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or set(engines) - set(ENGINES):
        parser.error(f"--engines must be among {', '.join(ENGINES)}, got {args.engines!r}")
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="chainrule-baseline-") as tmp:
        trees = {f"working tree ({describe_tree()})": ROOT}
        if args.baseline:
            sha = extract(args.baseline, Path(tmp))
            trees[f"baseline {args.baseline} ({sha[:12]})"] = Path(tmp)
        counts = {}
        print(f"{'engine':<12} {'instructions per step':>22}  tree")
        for engine in engines:
            for name, tree in trees.items():
                counts[engine, name] = per_step(tree, engine, args.steps)
                print(f"{engine:<12} {counts[engine, name]:>22,.0f}  {name}", flush=True)
    if args.baseline:
        work, base = trees
        for engine in engines:
            gain = counts[engine, base] / counts[engine, work]
            print(f"gain over baseline, {engine} (baseline / now): {gain:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

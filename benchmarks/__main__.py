"""python -m benchmarks: this engine beside micrograd and PyTorch, each in its own fresh process.

    python -m benchmarks [--rounds N] [--figures step,chain,memory,circles] [--epochs E]
                         [--baseline REV] [--quick]

Every measurement runs ``benchmarks/workloads.py`` in a new Python process that imports only the
engine it measures (importing PyTorch alone slows this engine's garbage collection ~2x). The
processes take turns in rounds (A B C ..., A B C ...), so drift in the machine's speed hits every
engine alike; each figure is reported as min / median / max over the rounds, and comparisons are
ratios of medians. Figures:

  step     micrograd's demo training step (MLP 2-16-16-1, max-margin loss over 100 points + L2,
           forward + backward): micrograd 0.1.0; this engine with elementary * and + nodes
           (the graph micrograd builds), with fused engine.linear neurons, and compiled
           (engine.compile of the fused graph, run on new parameter values); PyTorch 0-dim
           float64 tensors. ms per step, the median of a block of steps in one process.
  chain    y = y + 1.0 repeated n times, build + backward + free: microseconds per node at
           n = 10^3 and 10^6 (this engine only; micrograd's recursive sort cannot go that deep),
           with the collector on ('elementary') and inside engine.gc_paused() ('paused').
  memory   peak Python bytes per node while the step's graph is built (tracemalloc).
  circles  training the circles network (MLP 2-4-6-6-4-1, 900 points, batches of 32, Adamax,
           binary cross-entropy) for --epochs epochs: nn.fit(compile=True) vs the same model as
           batched PyTorch float64 tensors; training time only (no data, plots or evaluation).

``--baseline REV`` extracts that git revision of this project (git archive) into a temporary
folder and runs every one of this engine's measurements on it too, each right beside its twin on
the working tree (which of the two goes first alternates by round), then prints each figure's gain
(baseline median / working-tree median). Other files in benchmarks/
are separate scripts (``python -m benchmarks.<name>``); this runner does not import them.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKLOADS = HERE / "workloads.py"
FIGURES = ("step", "chain", "memory", "circles")
TITLES = {
    "step": "step: micrograd's demo step, MLP 2-16-16-1 over 100 points, forward + backward "
    "(median of a block of steps per process)",
    "chain": "chain: y = y + 1.0 repeated n times, build + backward + free, per node",
    "memory": "memory: peak Python bytes per node while the step's graph is built (tracemalloc)",
    "circles": "circles: training time of the circles network (compiled: tracing and compiling "
    "included)",
}
OURS = {"elementary", "fused", "compiled", "interpreted"}  # measured on the baseline too


@dataclass
class Job:
    figure: str
    engine: str
    args: tuple[str, ...] = ()
    tree: str = "work"  # 'work' or 'base'
    values: list[float] = field(default_factory=list)
    unit: str = ""
    notes: list[str] = field(default_factory=list)
    skip: str = ""

    @property
    def name(self) -> str:
        extra = f" n={int(self.args[0]):.0e}".replace("+0", "") if self.figure == "chain" else ""
        return f"{self.engine}{extra}" + (" [baseline]" if self.tree == "base" else "")


def jobs_for(figures: Sequence[str], epochs: int, with_interpreted: bool) -> list[Job]:
    jobs: list[Job] = []
    if "step" in figures:
        jobs += [Job("step", e) for e in ("micrograd", "elementary", "fused", "compiled", "torch")]
    if "chain" in figures:
        jobs += [
            Job("chain", engine, (str(n),)) for engine in ("elementary", "paused")
            for n in (10**3, 10**6)
        ]  # fmt: skip
    if "memory" in figures:
        jobs += [Job("memory", e) for e in ("micrograd", "elementary", "fused")]
    if "circles" in figures:
        engines = ["compiled", "torch"] + (["interpreted"] if with_interpreted else [])
        jobs += [Job("circles", e, (str(epochs),)) for e in engines]
    return jobs


def with_baseline_twin(job: Job) -> list[Job]:
    """[job, the same measurement on the baseline tree] for this engine's jobs; [job] otherwise."""
    if job.engine not in OURS:
        return [job]
    return [job, Job(job.figure, job.engine, job.args, "base")]


def measure(job: Job, tree: Path) -> None:
    cmd = [sys.executable, str(WORKLOADS), str(tree), job.figure, job.engine, *job.args]
    try:
        result = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        job.skip = "took longer than 900 s"
        return
    if result.returncode != 0:
        job.skip = f"failed: {result.stderr.strip().splitlines()[-1:] or result.returncode}"
        return
    data = json.loads(result.stdout.strip().splitlines()[-1])
    if "skip" in data:
        job.skip = data["skip"]
        return
    job.values.append(data["value"])
    job.unit = data["unit"]
    if data.get("note"):
        job.notes.append(data["note"])


def extract(rev: str, into: Path) -> str:
    """The tree of git revision ``rev`` in ``into``; returns its full commit id."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if sha.returncode != 0:
        raise SystemExit(f"--baseline: {rev!r} is not a git revision here: {sha.stderr.strip()}")
    archive = subprocess.run(["git", "archive", sha.stdout.strip()], cwd=ROOT, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return sha.stdout.strip()


def describe_tree() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True)
    rev = head.stdout.decode().strip() or "?"
    return rev + (" + uncommitted changes" if dirty.stdout.strip() else "")


def fmt(x: float) -> str:
    return f"{x:10.4g}"


def report(jobs: list[Job], rounds: int) -> None:
    print(
        f"\n{'figure / engine':<34} {'min':>10} {'median':>10} {'max':>10}  unit (lower is better)"
    )
    figure = None
    for job in jobs:
        if job.figure != figure:
            figure = job.figure
            print(TITLES[figure])
        if job.skip or not job.values:
            print(f"  {job.name:<32} skipped: {job.skip}")
            continue
        v = job.values
        note = f"  ({job.notes[0]})" if job.notes else ""
        print(
            f"  {job.name:<32} {fmt(min(v))} {fmt(statistics.median(v))} {fmt(max(v))}  "
            f"{job.unit}{note}"
        )


def ratios(jobs: list[Job]) -> None:
    med = {
        (j.figure, j.engine, j.args, j.tree): statistics.median(j.values)
        for j in jobs
        if j.values and not j.skip
    }

    def m(figure: str, engine: str, args: tuple[str, ...] = (), tree: str = "work"):
        return med.get((figure, engine, args, tree))

    lines = []

    def ratio(text: str, a: float | None, b: float | None, target: str = "") -> None:
        if a is not None and b is not None and b > 0:
            lines.append(f"  {text:<62} {a / b:8.2f}x{'   target ' + target if target else ''}")

    for engine in ("elementary", "fused", "compiled"):
        ratio(f"step: micrograd time / {engine} time", m("step", "micrograd"), m("step", engine))
    ratio("step: torch 0-dim time / fused time", m("step", "torch"), m("step", "fused"))
    ratio(
        "step: elementary time / compiled time", m("step", "elementary"), m("step", "compiled"),
        ">= 20x",
    )  # fmt: skip
    big, small = ("1000000",), ("1000",)
    for engine, how in (("elementary", "collector on"), ("paused", "in gc_paused")):
        ratio(
            f"chain ({how}): us/node at 10^6 / us/node at 10^3", m("chain", engine, big),
            m("chain", engine, small), "<= 1.5x",
        )  # fmt: skip
    for engine in ("elementary", "fused"):
        ratio(
            f"memory: {engine} bytes/node / micrograd bytes/node", m("memory", engine),
            m("memory", "micrograd"), "<= 0.3x" if engine == "elementary" else "",
        )  # fmt: skip
    circles = [j for j in jobs if j.figure == "circles" and j.values and j.tree == "work"]
    by = {j.engine: statistics.median(j.values) for j in circles}
    ratio("circles: batched torch time / compiled time", by.get("torch"), by.get("compiled"),
          ">= 0.7")  # fmt: skip
    ratio("circles: interpreted time / compiled time", by.get("interpreted"), by.get("compiled"))
    for (figure, engine, args, tree), base in med.items():
        if tree == "base":
            now = med.get((figure, engine, args, "work"))
            label = f"{figure} {engine}{' ' + args[0] if figure == 'chain' else ''}"
            ratio(f"gain over baseline: {label} (baseline / now)", base, now)
    if lines:
        print("\nratios of medians (above 1: the second is smaller, i.e. faster or leaner)")
        print("\n".join(lines))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument(
        "--figures", default=",".join(FIGURES),
        help=f"comma-separated subset of {','.join(FIGURES)} (default: all)",
    )  # fmt: skip
    parser.add_argument("--epochs", type=int, default=50, help="circles epochs (default 50)")
    parser.add_argument("--baseline", metavar="REV", help="also time this git revision")
    parser.add_argument(
        "--interpreted", action="store_true",
        help="circles: also train on the interpreter (about a minute per round)",
    )  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true", help="2 rounds, 5 circles epochs: a smoke run"
    )
    args = parser.parse_args(argv)
    figures = [f.strip() for f in args.figures.split(",") if f.strip()]
    unknown = set(figures) - set(FIGURES)
    if unknown:
        parser.error(f"unknown figures {sorted(unknown)}; valid: {', '.join(FIGURES)}")
    if args.rounds < 1 or args.epochs < 1:
        parser.error("--rounds and --epochs must be >= 1")
    rounds, epochs = (2, 5) if args.quick else (args.rounds, args.epochs)

    jobs = jobs_for(figures, epochs, args.interpreted)
    with tempfile.TemporaryDirectory(prefix="chainrule-baseline-") as tmp:
        trees = {"work": ROOT}
        print(f"working tree: {ROOT} at {describe_tree()}")
        if args.baseline:
            sha = extract(args.baseline, Path(tmp))
            trees["base"] = Path(tmp)
            print(f"baseline: {args.baseline} = {sha[:12]} (git archive in {tmp})")
        # With a baseline, each of our jobs runs at once beside its twin on it, so the two see the
        # same machine: this host's speed swings by up to 2x for seconds at a time, and with the
        # twins several processes apart such swings once turned a ~1.25x gain into 0.94x.
        groups = [with_baseline_twin(job) if args.baseline else [job] for job in jobs]
        jobs = [job for group in groups for job in group]
        print(
            f"python {platform.python_version()} on {platform.machine()} {platform.system()}; "
            f"{rounds} rounds of {len(jobs)} fresh processes each, every process importing only "
            f"the engine it measures; min / median / max over the rounds"
        )
        for r in range(1, rounds + 1):
            for group in groups:
                for job in group if r % 2 else reversed(group):  # twins alternate who goes first
                    if not job.skip:
                        measure(job, trees[job.tree])
            print(f"  round {r}/{rounds} done", flush=True)
    report(jobs, rounds)
    ratios(jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The debugger example the README shows, driven through pdb as a reader would type it: a
breakpoint in the loop over backward_steps(), ``p``, ``pp`` and ``c`` at the prompt. The gradients
pdb prints are checked against the closed form of a = tanh(W x + b), computed here."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "debugger_example.py"
PDB_COMMANDS = {"a", "b", "c", "d", "h", "j", "l", "n", "p", "q", "r", "s", "u", "w", "pp", "step",
                "next", "cont", "args", "break", "list", "up", "down", "where"}  # fmt: skip


def loop_line() -> int:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == "print(bstep)")


def test_the_example_names_its_breakpoint_line_and_a_loop_variable_pdb_leaves_alone():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert f"(Pdb) b {loop_line()} " in text  # the line its instructions tell the reader to break
    variable = re.search(r"^for (\w+) in a\.backward_steps\(\):", text, re.M).group(1)
    assert variable not in PDB_COMMANDS


def test_pdb_shows_each_contribution_in_grad_when_its_step_stops():
    line = loop_line()
    commands = (
        "\n".join(
            [
                f"b {line}",
                "c",
                "p bstep.node",
                "p W.grad",  # step 0: nothing has reached W yet
                "disable 1",
                f"b {line}, any(c.parent is W for c in bstep.contributions)",
                "c",
                "p W.grad",  # the step that says "W += ...": its share is in W.grad already
                "pp bstep",
                "c",
                "q",
            ]
        )
        + "\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pdb", str(EXAMPLE)],
        input=commands,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    out = done.stdout
    prompts = out.split("(Pdb) ")
    a = math.tanh(-3.0 * 2.0 + 6.88)
    d_w, d_x, g_product = 2.0 * (1 - a * a), -3.0 * (1 - a * a), 1 - a * a
    node_shown = next(p for p in prompts if p.startswith("Value("))
    assert node_shown.startswith("Value(a: data=0.706419, grad=1, op='tanh')"), out
    grads_shown = [float(p.split("\n")[0]) for p in prompts if re.fullmatch(r"-?[\d.e-]+\n", p)]
    assert grads_shown[0] == 0.0, out
    assert math.isclose(grads_shown[1], d_w, rel_tol=1e-12), out
    pp = next(p for p in prompts if p.startswith("step ") and "W += " in p)
    pp_lines = pp.splitlines()
    assert pp_lines[:3] == [
        f"step 3: (* -6) [*] g={g_product:.6g}",
        f"  W += 2 * g = {d_w:.6g}",
        f"  x += -3 * g = {d_x:.6g}",
    ], out
    assert all(len(line) < 80 for line in pp_lines[:3])
    final = re.search(r"dA/dW = (\S+)  dA/dx = (\S+)  dA/db = (\S+)", out)
    assert final is not None, out
    assert [float(v) for v in final.groups()] == [round(d_w, 6), round(d_x, 6), round(g_product, 6)]

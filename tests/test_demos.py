"""The seed demos: each must exit 0, say what it checked (the key lines asserted below), and draw
its graph picture. They run in-process (``main(argv)``, what ``python -m demos.<name>`` calls); one
test runs a demo as a user does, ``python -m demos.<name>`` in a fresh process. Other tests break a
closed form on purpose and expect the demos to notice.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demos import DEMOS, common

ROOT = Path(__file__).resolve().parents[1]

# demo -> lines (substrings) its output must contain
KEY_LINES = {
    "walkthrough": [
        "backward, one step per node",
        "  step 0: a [tanh] g=1\n    z += ",
        "finite differences agree with autograd for every input",
        "walkthrough: OK",
    ],
    "perceptron": [
        "C = (1/n) Σ_i (ŷ_i - y_i)^2",
        "dC/dŷ · dŷ/dz",
        "Σ_i dC/dz_i · x_i1",
        "stopped: the cost fell by less than",
        "perceptron: OK",
    ],
    "two_layer_mse": [
        "J = (1/n_y) Σ (A[2] - Y)^2 with n_y = 2",
        "(2/2)(A[2]_1 - Y_1)",
        "dZ[2]_1 · A[1]_1",
        "(W[2]ᵀ dZ[2])_1 · σ'(Z[1]_1)",
        "two_layer_mse: OK",
    ],
    "two_layer_bce": [
        "DIFFERS (article's slip)",
        "FINDING 1: the article's middle step -Y/A - (1-Y)/(1-A)",
        "sign slip: -Y/A + (1-Y)/(1-A)",
        "agrees.",
        "FINDING 2: the article's final dJ/dA[2] = (A-Y)/(A(1-A))",
        "is right",
        "two_layer_bce: OK",
    ],
    "four_layer": [
        "dC/d(w_22)^2 = (dC/ds · (w_12)^3) · f'((z_2)^3) · (a_2)^2",
        "z^2, a^2 = f(z^2)  Z[1], A[1]",
        "(w_22)^2  W[2]_2,2",
        "(z_2)^2  Z[1]_2",
        "paths from W[2]_2,2 to J (engine.paths): 1",
        "paths from W[1]_2,2 to J (engine.paths): 2",
        "four_layer: OK",
    ],
    "second_order": [
        "d²C/dw² at w=0",
        "Newton's method, w <- w - C'/C''",
        "a minimum (converged)",
        "backpropagation is a graph too",
        "the same as engine.grad's",
        "second_order: OK",
    ],
}


def run_main(demo: str, capsys, *args: str) -> tuple[int, str]:
    """demos.<demo>.main(args) in this process: (exit code, what it printed)."""
    code = importlib.import_module(f"demos.{demo}").main(list(args))
    return code, capsys.readouterr().out


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def assert_graph_written(out: Path, demo: str) -> None:
    svg = out / f"{demo}_graph.svg"
    assert svg.is_file(), f"{demo} wrote no {svg.name}"
    assert "<svg" in svg.read_text(encoding="utf-8")
    png = out / f"{demo}_graph.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("demo", KEY_LINES)
def test_demo_runs_checks_and_draws(demo, tmp_path, capsys):
    code, out = run_main(demo, capsys, "--out", str(tmp_path))
    assert code == 0, out
    for line in KEY_LINES[demo]:
        assert line in out, f"{demo} output lacks {line!r}:\n{out}"
    assert "MISMATCH" not in out
    assert "NOT falling" not in out
    assert_graph_written(tmp_path, demo)


def test_a_demo_runs_as_a_user_runs_it_and_shows_its_compiled_code(tmp_path):
    result = run("demos.two_layer_mse", "--out", str(tmp_path), "--show-code")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "two_layer_mse: OK" in result.stdout
    lines = result.stdout.splitlines()
    assert "def step(x):" in lines
    assert "    v0 = x[0]  # X_1" in lines
    assert any(line.endswith("  # Z[1]_2") and " + " in line for line in lines)
    assert "    g34 = 1.0  # J" in lines
    assert_graph_written(tmp_path, "two_layer_mse")


@pytest.mark.parametrize(
    ("demo", "options"),
    [
        ("two_layer_bce", ["--hidden", "relu"]),
        ("two_layer_bce", ["--hidden", "sigmoid"]),
        ("four_layer", ["--f", "tanh"]),
    ],
)
def test_demo_options(demo, options, tmp_path, capsys):
    code, out = run_main(demo, capsys, "--out", str(tmp_path), *options)
    assert code == 0, out
    assert f"{demo}: OK" in out


def test_bce_slip_is_invisible_when_y_is_1(tmp_path, capsys):
    """With Y = 1 the slipped term is multiplied by 1-Y = 0: the demo must say so, not claim it."""
    code, out = run_main("two_layer_bce", capsys, "--out", str(tmp_path), "--y", "1")
    assert code == 0, out
    assert "happens to agree here" in out
    assert "FINDING 1" not in out


@pytest.mark.parametrize("failing", [None, "perceptron"])
def test_python_m_demos_runs_them_all(failing, tmp_path, monkeypatch, capsys):
    """The runner calls every demo's main with --out and reports who failed. Each demo is run
    for real by the tests above (the circles demo in test_circles_demo.py); here each main is
    replaced by a recorder, so the runner's own logic is what is tested."""
    from demos import __main__ as runner

    for name in KEY_LINES:
        assert name in DEMOS
    calls = []
    for name in DEMOS:
        module = importlib.import_module(f"demos.{name}")

        def fake(argv, name=name):
            calls.append((name, argv))
            return 1 if name == failing else 0

        monkeypatch.setattr(module, "main", fake)
    monkeypatch.setattr(runner.gallery, "main", lambda argv: calls.append(("gallery", argv)) or 0)
    monkeypatch.setattr(sys, "argv", ["python -m demos", "--out", str(tmp_path)])
    code = runner.main()
    out = capsys.readouterr().out
    assert calls == [(name, ["--out", str(tmp_path)]) for name in [*DEMOS, "gallery"]]
    if failing is None:
        assert code == 0
        assert f"{len(DEMOS)} of {len(DEMOS)} demos passed" in out
    else:
        assert code == 1
        assert f"{len(DEMOS) - 1} of {len(DEMOS)} demos passed; failed: {failing}" in out


@pytest.mark.parametrize(
    "demo", [name for name in KEY_LINES if name not in ("walkthrough", "second_order")]
)
def test_demo_fails_when_a_closed_form_is_wrong(demo, tmp_path, monkeypatch, capsys):
    """A wrong σ' in the hand-written formulas must make every seed demo exit non-zero (the
    walkthrough's neuron is tanh, with its closed form in its own file; second_order's checks
    are tested below without the pictures)."""
    monkeypatch.setitem(common.G_PRIME, "sigmoid", lambda z: 0.25)
    module = importlib.import_module(f"demos.{demo}")
    assert module.main(["--out", str(tmp_path)]) != 0
    assert "MISMATCH" in capsys.readouterr().out


def test_second_order_notices_a_wrong_closed_form(monkeypatch, capsys):
    """The second-order demo's checks (its main returns non-zero when they fail): a wrong σ'
    makes both closed forms disagree with autograd."""
    from demos import second_order

    assert second_order.check_points(second_order.perceptron())
    monkeypatch.setitem(common.G_PRIME, "sigmoid", lambda z: 0.25)
    capsys.readouterr()
    assert not second_order.check_points(second_order.perceptron())
    out = capsys.readouterr().out
    assert "dC/dw at w=0" in out and "MISMATCH" in out

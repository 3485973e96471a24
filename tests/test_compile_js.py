"""engine.compile(..., language="javascript") run by node: the same step as Python's compiled one.

Every case of tests/test_compile.py, the random graphs and an MLP loss are compiled to both
languages and run at the same points, all in ONE node process (numbers cross as their 64 bits, so
-0.0, NaN and infinities arrive exactly). Graphs of + - * / (and relu, clip, the sums) must agree
bit for bit; with exp, log, tanh, sigmoid and ** (JavaScript's Math may round differently from C's
libm in the last bit) within 1e-13 of max(1, |value|), non-finite results exactly. An error must be
thrown exactly where Python raises one, named as Python's. Skips without node.
"""

from __future__ import annotations

import inspect
import json
import math
import random
import shutil
import struct
import subprocess

import pytest
from test_compile import OP_CASES, SPECIAL, _points, random_builder, same

import engine
from engine import Value, js
from engine.rules import FLOAT_NAMES

NODE = shutil.which("node")
WHY = "node is not installed (apt-get install nodejs)"
needs_node = pytest.mark.skipif(NODE is None, reason=WHY)

EXACT_OPS = {"+", "-", "*", "/", "neg", "relu", "clip", "linear", "sum"}
TOLERANCE = 1e-13


def bits(x: float) -> str:
    return str(struct.unpack("<Q", struct.pack("<d", x))[0])


def unbits(s: str) -> float:
    return struct.unpack("<d", struct.pack("<Q", int(s)))[0]


RUNNER = """
const toFloat = (s) => new Float64Array(new BigUint64Array([BigInt(s)]).buffer)[0];
const toBits = (x) => new BigUint64Array(new Float64Array([x]).buffer)[0].toString();
const deep = (x) => Array.isArray(x) ? x.map(deep) : toBits(x);
const run = (f, xs) => {
  try {
    const r = f(xs.map(toFloat)), o = {};
    for (const k in r) o[k] = deep(r[k]);
    return o;
  } catch (e) {
    return {error: e.name, message: String(e.message)};
  }
};
const out = CALLS.map(([f, xs]) => run(FUNCTIONS[f], xs));
process.stdout.write(JSON.stringify(out));
"""


def run_node(functions: list[str], calls: list[tuple[int, list[float]]]) -> list[dict]:
    """Run each call (function index, arguments) in one node process, after the prelude; results
    as floats. Each function is a step's ``function`` (the prelude is not repeated)."""
    defs = ",\n".join(f"(function () {{\n{src}\nreturn step;\n}})()" for src in functions)
    script = (
        f"{js.PRELUDE}const FUNCTIONS = [\n{defs}];\n"
        f"const CALLS = {json.dumps([[f, [bits(x) for x in xs]] for f, xs in calls])};\n" + RUNNER
    )
    done = subprocess.run(
        [NODE, "-"], input=script, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]

    def floats(x):
        return [floats(v) for v in x] if isinstance(x, list) else unbits(x)

    return [
        {k: (v if k in ("error", "message") else floats(v)) for k, v in r.items()}
        for r in json.loads(done.stdout)
    ]


def close(js_value: float, py_value: float, exact: bool) -> bool:
    if exact or not math.isfinite(py_value) or not math.isfinite(js_value):
        return same(js_value, py_value)
    return abs(js_value - py_value) <= TOLERANCE * max(1.0, abs(py_value))


# ---- the cases: built once, run in one node process ---------------------------------------------


def _cases() -> list[tuple[str, object, list[list[float]], bool, bool]]:
    """(name, compiled Python step, points, exact, all_nodes) and the JavaScript of each."""
    made = []
    for case in sorted(OP_CASES):
        n, build = OP_CASES[case]
        rng = random.Random(case)
        trace_at = [rng.uniform(0.2, 2.0) for _ in range(n)]
        leaves = [Value(v) for v in trace_at]
        try:
            outs = build(*leaves)
        except ValueError:  # (-2.0) ** x needs an integer x
            leaves = [Value(2.0) for _ in range(n)]
            outs = build(*leaves)
        made.append((case, outs, leaves, _points(n, rng)))
    for seed in range(6):
        n = 3 + seed % 3
        rng = random.Random(seed)
        build, at = random_builder(seed, n, 25 + 5 * seed)
        leaves = [Value(v) for v in at]  # the point the graph was drawn at: every op defined
        points = [[rng.uniform(-3, 3) for _ in range(n)] for _ in range(40)]
        made.append((f"random_{seed}", build(*leaves), leaves, points + _points(n, rng, 20)))
    # n-ary nodes of thousands of terms: as deep as they are long, for every recursive writer
    leaves = [Value(0.5 + k / 3000) for k in range(3000)]
    long_sum = engine.total([*leaves, 0.25]) + engine.linear(leaves, leaves[::-1], 1.5)
    rng = random.Random(3000)
    made.append(("long_sums", long_sum, leaves, [[rng.uniform(-2, 2) for _ in leaves]]))
    return made


def _ops(outs) -> set[str]:
    outs = outs if isinstance(outs, list) else [outs]
    return {engine.rules.rule_for(v.op).op for o in outs for v in engine.topo_order(o) if v.op}


def _step_cases(functions: list[str], calls: list, expected: list) -> None:
    """Every compile case: its step in JavaScript, and at each point Python's result or error."""
    for case, outs, leaves, points in _cases():
        exact = _ops(outs) <= EXACT_OPS
        for all_nodes in (False, True) if case.startswith("random") else (False,):
            python = engine.compile(outs, leaves, all_nodes=all_nodes)
            step = engine.compile(outs, leaves, language="javascript", all_nodes=all_nodes)
            assert step.source == js.PRELUDE + step.function
            functions.append(step.function)
            for p in points:
                try:
                    result = python(p)
                except (ArithmeticError, ValueError) as e:
                    result = type(e).__name__
                calls.append((len(functions) - 1, p))
                expected.append(("step", case, exact, p, result))


def _arity(f) -> int:
    return sum(
        p.default is inspect.Parameter.empty for p in inspect.signature(f).parameters.values()
    )


def _function_cases(functions: list[str], calls: list, expected: list) -> None:
    """Every function of FLOAT_NAMES at every pair of special values (and random triples)."""
    values = SPECIAL + [2.0, -3.0, 0.75, 1e-8, 2.5e-5]
    for name, f in FLOAT_NAMES.items():
        if not callable(f):
            continue
        n = _arity(f)
        args = ", ".join("abc"[:n])
        call = f"{js.FUNCTIONS[name][0]}({args})"
        functions.append(f"function step([{args}]) {{ return {{r: [{call}]}}; }}")
        rng = random.Random(name)
        points = [[rng.choice(values) for _ in range(n)] for _ in range(300)]
        if n <= 2:
            points += [[a, b][:n] for a in values for b in (values if n == 2 else [0.0])]
        for p in points:
            if name in ("pow_slope", "ieee_pow") and p[0] < 0.0 and not float(p[1]).is_integer():
                continue  # a negative base to a non-integer power: power() refuses it first
            try:
                want = f(*p)
            except (ArithmeticError, ValueError) as e:
                want = type(e).__name__
            calls.append((len(functions) - 1, p))
            expected.append(("function", name, name in ("div", "divide", "sqrt"), p, want))


@pytest.fixture(scope="module")
def compared():
    """Both kinds of case, run in ONE node process: kind -> [(name, exact, point, Python's result
    or error's name, node's result)]."""
    if NODE is None:
        pytest.skip(WHY)
    functions, calls, expected = [], [], []
    _step_cases(functions, calls, expected)
    _function_cases(functions, calls, expected)
    got = run_node(functions, calls)
    by_kind: dict[str, list] = {"step": [], "function": []}
    for (kind, *e), g in zip(expected, got, strict=True):
        by_kind[kind].append((*e, g))
    return by_kind


@needs_node
def test_javascript_agrees_with_the_python_step(compared):
    fields = ("outputs", "grads", "values", "node_grads", "local_grads")
    checked = exact_checked = 0
    for case, exact, point, want, got in compared["step"]:
        if isinstance(want, str):
            assert got.get("error") == want, (case, point, want, got)
            continue
        assert "error" not in got, (case, point, got)
        for name in fields:
            w = getattr(want, name)
            if w is None:
                continue
            flat_w = [x for v in w for x in (v if isinstance(v, list) else [v])]
            flat_g = [x for v in got[name] for x in (v if isinstance(v, list) else [v])]
            assert len(flat_w) == len(flat_g), (case, name)
            for a, b in zip(flat_g, flat_w):
                assert close(a, b, exact), (case, point, name, a, b)
                checked += 1
                exact_checked += exact
    assert exact_checked > 10_000 and checked > 30_000  # the cases really ran


@needs_node
def test_every_case_ran_with_errors_and_special_values(compared):
    cases = {c for c, *_ in compared["step"]}
    assert cases >= set(OP_CASES)
    errors = {want for _, _, _, want, _ in compared["step"] if isinstance(want, str)}
    assert errors == {"ZeroDivisionError", "ValueError", "OverflowError"}


# ---- the float functions, one by one -------------------------------------------------------------


def test_every_float_name_has_a_javascript_counterpart():
    missing = set(FLOAT_NAMES) - set(js.FUNCTIONS)
    assert not missing, f"add these to engine.js.FUNCTIONS: {sorted(missing)}"
    for name, (written, code) in js.FUNCTIONS.items():
        assert code is None or f"function {written}(" in code, name
        assert code is None or code in js.PRELUDE


@needs_node
def test_each_float_function_behaves_as_its_python_twin(compared):
    """Every function of FLOAT_NAMES at every pair (triple) of special values: the same number,
    or an error of the same name; exact for div, divide and sqrt (correctly rounded in both)."""
    assert {name for name, *_ in compared["function"]} == {
        name for name, f in FLOAT_NAMES.items() if callable(f)
    }
    for name, exact, p, want, got in compared["function"]:
        if isinstance(want, str):
            assert got.get("error") == want, (name, p, want, got)
        else:
            assert "error" not in got, (name, p, got)
            assert close(got["r"][0], want, exact), (name, p, got, want)


# ---- the source --------------------------------------------------------------------------------


def test_the_javascript_reads_as_the_python():
    w = Value(0.5, label="w")
    x = Value(2.0, label="x </script>\n")
    z = w * x
    z.label = "z"
    y = (z.tanh() + x.clip(-1.0, 2.0)) * -0.0
    step = engine.compile(y, [w, x], language="javascript")
    lines = step.function.splitlines()
    assert lines[0] == "function step(values) {"
    assert "  const v2 = v0 * v1;  // z" in lines
    assert "  const v3 = Math.tanh(v2);" in lines
    assert "  const v4 = (v1 < -1.0 ? -1.0 : (v1 > 2.0 ? 2.0 : v1));" in lines
    assert "  const v6 = v5 * -0.0;" in lines
    assert "  g1 += ((-1.0 <= v1 && v1 <= 2.0) ? 1.0 : 0.0) * g4;" in lines
    assert "  g2 += (1.0 - v3 * v3) * g3;" in lines
    assert "</script" not in step.source and "// x ?/script>?" in step.source
    assert step.source.startswith(js.PRELUDE) and step.source.endswith(step.function)
    assert sum(" += " in line or " -= " in line for line in lines) == 7  # one line per edge


def test_literals_and_operators_translate_exactly():
    import ast

    for x in (0.1, 1e-300, 5e-324, 1e300, 2.0**53 + 2, 1 / 3):
        assert float(js.literal(x)) == x
    assert js.literal(-0.0) == "(-0.0)" and js.literal(math.inf) == "Infinity"
    assert js.literal(-math.inf) == "(-Infinity)" and js.literal(math.nan) == "NaN"
    cases = {
        "a - (b - c)": "a - (b - c)",
        "a - b - c": "a - b - c",
        "-(-a)": "-(-a)",
        "-a * b": "-a * b",
        "a * (b + c)": "a * (b + c)",
        "low <= a <= high": "(low <= a && a <= high)",
        "x if a == b else y": "(a === b ? x : y)",
        "not a < b or c > d": "!(a < b) || c > d",
        "a ** b": "power(a, b)",
        "div(inf, nan)": "div(Infinity, NaN)",
    }
    for python, want in cases.items():
        assert js.expression(ast.parse(python, mode="eval").body) == want, python
    with pytest.raises(ValueError, match="'frobnicate' has no JavaScript counterpart"):
        js.expression(ast.parse("frobnicate(a)", mode="eval").body)


def test_language_is_checked():
    x = Value(1.0)
    with pytest.raises(ValueError, match="language must be one of .*'python'.*got 'C'"):
        engine.compile(x * 2.0, [x], language="C")


def test_a_name_the_steps_code_uses_is_refused():
    x = Value(1.0)
    for name, language in [("exp", "python"), ("v3", "python"), ("def", "python"),
                           ("function", "javascript"), ("floatError", "javascript")]:  # fmt: skip
        with pytest.raises(ValueError, match=f"name {name!r} is a keyword or a name the step"):
            engine.compile(x * 2.0, [x], name=name, language=language)
    assert (
        "function batch_of_32(values) {"
        in engine.compile(x * 2.0, [x], name="batch_of_32", language="javascript").source
    )

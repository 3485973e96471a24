"""The README's code runs, and every output it shows is what the code prints.

The README's ```python blocks run in order, in one namespace, with a temporary folder as the
working directory (files they write land there). A block fenced ```python no-run is not run (code
for a feature still to come); a block fenced ```python dot draws pictures and is skipped, with the
reason, when no dot program is installed. Shown outputs, compared exactly (no rounding: a block
that shows a rounded number rounds it in its code):

    print(x)  # -> 42.0         the top-level statement ending on this line prints "42.0\n"
    print(rows)
    # prints:                   the top-level statement just above prints these lines,
    # 1 2                       each without its leading "# "
    # 3 4

A statement with neither may print anything (the stepping loop's text is not shown).
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```python(?P<info>[^\n]*)\n(?P<code>.*?)^```$", re.M | re.S)
INLINE = "# -> "


@dataclass(frozen=True)
class Block:
    line: int  # the README line of the block's first code line
    info: str  # the words after ```python: 'no-run', 'dot' or nothing
    code: str


@dataclass(frozen=True)
class Shown:
    line: int  # the README line the output is shown on
    statement: str
    expected: str
    got: str


def blocks(text: str) -> list[Block]:
    """Every ```python block of a Markdown text, in order."""
    found = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start("code")) + 1
        found.append(Block(line, m.group("info").strip(), m.group("code")))
    return found


def expectations(code: str) -> dict[int, str]:
    """Per top-level statement of ``code`` (keyed by its index) the output shown for it."""
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string
    lines = code.splitlines()
    shown: dict[int, str] = {}
    for i, stmt in enumerate(ast.parse(code).body):
        end = stmt.end_lineno or stmt.lineno
        comment = comments.get(end, "")
        if INLINE in comment:
            shown[i] = comment.split(INLINE, 1)[1] + "\n"
        following = lines[end] if end < len(lines) else ""
        if following.strip() == "# prints:":
            out = []
            for text in lines[end + 1 :]:
                if not text.startswith("#"):
                    break
                out.append(text[2:] if text.startswith("# ") else text[1:])
            if i in shown:
                raise ValueError(f"statement at code line {end}: shown twice")
            shown[i] = "".join(line + "\n" for line in out)
    return shown


def run(block: Block, namespace: dict[str, object]) -> list[Shown]:
    """Run a block statement by statement; return each shown output beside what was printed."""
    tree = ast.parse(block.code)
    shown = expectations(block.code)
    results = []
    for i, stmt in enumerate(tree.body):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(ast.Module([stmt], []), f"README.md:{block.line}", "exec"), namespace)
        if i in shown:
            line = block.line + (stmt.end_lineno or stmt.lineno) - 1
            source = ast.get_source_segment(block.code, stmt) or ""
            results.append(Shown(line, source, shown[i], out.getvalue()))
    return results


def have_dot() -> bool:
    from engine.render import backends

    return backends.system_dot() is not None or backends.graphviz_pure() is not None


def run_readme(text: str) -> tuple[list[Shown], list[str]]:
    """Run every runnable block of a README text: (the shown outputs, the skipped blocks)."""
    namespace: dict[str, object] = {"__name__": "__readme__"}
    shown, skipped = [], []
    for block in blocks(text):
        if "no-run" in block.info.split():
            continue
        if "dot" in block.info.split() and not have_dot():
            skipped.append(f"README.md:{block.line}: no dot program (Graphviz or graphviz-pure)")
            continue
        shown += run(block, namespace)
    return shown, skipped


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Shown], list[str]]:
    text = README.read_text(encoding="utf-8")
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("readme"))
    try:
        return run_readme(text)
    finally:
        os.chdir(here)


def test_every_shown_output_is_what_the_code_prints(readme_run) -> None:
    shown, skipped = readme_run
    wrong = [
        f"README.md:{s.line}: {s.statement!r} shows {s.expected!r} but prints {s.got!r}"
        for s in shown
        if s.got != s.expected
    ]
    assert not wrong, "\n".join(wrong)
    assert len(shown) >= 8, f"only {len(shown)} shown outputs found: is the convention still used?"
    if skipped:
        pytest.skip("; ".join(skipped))


def test_the_first_example_prints_the_full_float() -> None:
    text = README.read_text(encoding="utf-8")
    first = blocks(text)[0]
    assert first.line <= 40, f"the first code block starts at line {first.line}, after line 40"
    assert "# -> -1.5029152313085248 1.0019434875390165" in first.code


def test_a_changed_number_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: the README with one shown digit changed is reported, at its line."""
    text = README.read_text(encoding="utf-8")
    changed = text.replace("# -> -1.5029152313085248 ", "# -> -1.50292 ", 1)
    assert changed != text
    monkeypatch.chdir(tmp_path)
    block = blocks(changed)[0]
    results = run(block, {})
    bad = [s for s in results if s.got != s.expected]
    assert len(bad) == 1 and bad[0].expected.startswith("-1.50292 ")
    assert bad[0].got.startswith("-1.5029152313085248 ")


def test_the_convention_reads_both_forms() -> None:
    code = "print(1)  # -> 1\nprint('a\\nb')\n# prints:\n# a\n# b\nprint(2)\n"
    assert expectations(code) == {0: "1\n", 1: "a\nb\n"}
    results = run(Block(1, "", code), {})
    assert [(s.expected, s.got) for s in results] == [("1\n", "1\n"), ("a\nb\n", "a\nb\n")]


def test_the_readme_is_short_and_keeps_its_set_up_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    for command in (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[demos]' && .venv/bin/python -m demos",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest",
    ):
        assert command in text

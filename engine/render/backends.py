"""The dot program that turns DOT into pictures: which one to run, and running it, per call.

Graphviz's own ``dot`` when it is on PATH, else ``graphviz-pure`` (a self-contained dot from PyPI,
svg and png only), else DotNotFoundError saying what is missing. ``backend='system'`` or ``'pure'``,
or the environment variable ``CHAINRULE_DOT``, forces one. Each call runs the chosen program in its
own subprocess with the DOT source on stdin: no process-wide setting is changed, so renders from
several threads at once each use the program they asked for.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import graphviz

FORMATS = ("png", "svg", "pdf", "dot", "gv")
SYSTEM_HINT = "install Graphviz (apt-get install graphviz, brew install graphviz, or graphviz.org)"
PURE_HINT = "pip install graphviz-pure (a self-contained dot, svg and png only)"
# graphviz-pure estimates the width of a non-ASCII character as a space and says so on stderr
# for every one; the drawing is still correct, so this one notice is not passed on.
_HARMLESS = "no value for width of non-ASCII character"


class DotNotFoundError(RuntimeError):
    """No dot program to render with (the message says what is missing and how to get it)."""


def check_format(fmt: object, given: str) -> str:
    """'png', 'svg', 'pdf', 'dot' or 'gv' from a suffix or format name, else ValueError."""
    if not isinstance(fmt, str):
        raise TypeError(f"{given}: the format must be a str such as 'png', got {fmt!r}")
    clean = fmt.lower().lstrip(".")
    if clean not in FORMATS:
        raise ValueError(f"unsupported picture format {fmt!r} in {given}: use png, svg, pdf or dot")
    return clean


def graphviz_pure() -> str | None:
    """The graphviz-pure program: beside this Python (a venv's bin dir), else on PATH."""
    exe = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = folder / exe
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("graphviz-pure")


def system_dot() -> str | None:
    """Graphviz's dot on PATH, or None."""
    return shutil.which("dot")


def _choice(backend: str | None) -> str | None:
    choice = backend or os.environ.get("CHAINRULE_DOT") or None
    if choice not in (None, "system", "pure"):
        raise ValueError(f"CHAINRULE_DOT must be 'system' or 'pure', got {choice!r}")
    return choice


def find_program(backend: str | None) -> tuple[str, str] | None:
    """(kind, program) of the dot to run, kind 'system' or 'pure', or None if there is none.

    ``backend`` (else the environment variable CHAINRULE_DOT) forces one; by default Graphviz's own
    dot on PATH comes first, as the reference, then graphviz-pure.
    """
    choice = _choice(backend)
    if choice in (None, "system") and (found := system_dot()):
        return "system", found
    if choice in (None, "pure") and (pure := graphviz_pure()):
        return "pure", pure
    return None


def missing_message(backend: str | None) -> str:
    """What is missing for ``backend``, and the ways out that would actually work here."""
    choice = _choice(backend)
    if choice == "system":
        message = f"cannot render: backend='system' needs Graphviz's dot on PATH; {SYSTEM_HINT}"
        if graphviz_pure():
            message += ", or pass backend='pure' to use graphviz-pure, which is installed"
        return message
    if choice == "pure":
        message = f"cannot render: backend='pure' needs the graphviz-pure program; {PURE_HINT}"
        if system_dot():
            message += ", or pass backend='system' to use Graphviz's dot, which is installed"
        return message
    return f"cannot render: no dot program found; {SYSTEM_HINT}, or {PURE_HINT}"


def require_program(backend: str | None, fmt: str) -> str:
    """The dot program to run for ``fmt``; DotNotFoundError or ValueError saying what is missing."""
    found = find_program(backend)
    if found is None:
        raise DotNotFoundError(missing_message(backend))
    kind, program = found
    if fmt == "pdf" and kind == "pure":
        raise ValueError(
            f"graphviz-pure ({program}) cannot write PDF, only svg and png: render to .svg or "
            ".png, or install Graphviz (apt-get install graphviz) for PDF"
        )
    return program


def run(source: str, fmt: str, backend: str | None, args: tuple[str, ...] = ()) -> bytes:
    """The picture dot makes of ``source`` in format ``fmt`` (extra dot ``args``, e.g. -Gdpi=96).

    RuntimeError with dot's own message if it fails; any warning it prints (other than the
    harmless one above) becomes a Python RuntimeWarning.
    """
    import subprocess  # here, not at import time: most users of the engine never draw

    program = require_program(backend, fmt)
    result = subprocess.run(
        [program, f"-T{fmt}", *args],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    errors = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        raise RuntimeError(f"{program} failed (exit code {result.returncode}): {errors.strip()}")
    lines = [line for line in errors.splitlines() if line.strip() and _HARMLESS not in line]
    if lines:
        warnings.warn(f"{program}: " + "; ".join(lines), RuntimeWarning, stacklevel=3)
    return result.stdout


def attach(graph: graphviz.Digraph, backend: str | None) -> graphviz.Digraph:
    """Make ``graph`` (a plain graphviz.Digraph) run the chosen dot when it is displayed or piped.

    Only this one object changes: its ``pipe`` runs our backend per call, so a notebook shows it
    inline (Jupyter goes through pipe) with Graphviz's dot or with graphviz-pure alone.
    """

    def pipe(format: str | None = None, *args: Any, encoding: str | None = None, **kw: Any) -> Any:
        fmt = check_format(format or graph.format, "pipe(format=...)")
        data = run(graph.source, fmt, backend)
        return data.decode(encoding) if encoding else data

    graph.pipe = pipe
    return graph

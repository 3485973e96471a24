"""The dot program that turns DOT into pictures: which one to run, and running it.

Graphviz's own ``dot`` when it is on PATH, else ``graphviz-pure`` (a self-contained dot from PyPI,
svg and png only), else DotNotFoundError saying what to install. ``backend='system'`` or
``'pure'``, or the environment variable ``CHAINRULE_DOT``, forces one.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

# graphviz is imported inside the functions that need it, never at ``import engine`` time.
if TYPE_CHECKING:
    import graphviz


class DotNotFoundError(RuntimeError):
    """No dot program to render with (the message says what to install)."""


INSTALL_HINT = (
    "install Graphviz (apt-get install graphviz, brew install graphviz, or graphviz.org) "
    "or the self-contained dot from PyPI (pip install graphviz-pure)"
)


def check_format(fmt: str, given: str) -> str:
    """'png', 'svg', 'pdf', 'dot' or 'gv' from a suffix or format name, else ValueError."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf", "dot", "gv"):
        raise ValueError(f"unsupported picture format in {given}: use png, svg, pdf or dot")
    return fmt


def graphviz_pure() -> str | None:
    """The graphviz-pure program: beside this Python (a venv's bin dir), else on PATH."""
    exe = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = folder / exe
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("graphviz-pure")


def find_program(backend: str | None) -> tuple[str, str] | None:
    """(kind, program) of the dot to run, 'system' or 'pure', or None if there is none.

    ``backend`` (else the environment variable CHAINRULE_DOT) forces one; by default Graphviz's own
    dot on PATH comes first, as the reference, then graphviz-pure.
    """
    choice = backend or os.environ.get("CHAINRULE_DOT") or None
    if choice not in (None, "system", "pure"):
        raise ValueError(f"CHAINRULE_DOT must be 'system' or 'pure', got {choice!r}")
    if choice in (None, "system") and (system_dot := shutil.which("dot")):
        return "system", system_dot
    if choice in (None, "pure") and (pure := graphviz_pure()):
        return "pure", pure
    return None


def require_program(backend: str | None, fmt: str) -> str:
    """The dot program to run for ``fmt``; DotNotFoundError or ValueError saying what is missing."""
    found = find_program(backend)
    if found is None:
        wanted = {"system": "Graphviz's dot on PATH", "pure": "the graphviz-pure program"}
        which = wanted.get(backend or os.environ.get("CHAINRULE_DOT") or "", "a dot program")
        raise DotNotFoundError(f"cannot render: {which} was not found; {INSTALL_HINT}")
    kind, program = found
    if fmt == "pdf" and kind == "pure":
        raise ValueError(
            f"graphviz-pure ({program}) cannot write PDF, only svg and png: render to .svg or "
            ".png, or install Graphviz (apt-get install graphviz) for PDF"
        )
    return program


@contextlib.contextmanager
def _dot_binary(program: str) -> Iterator[None]:
    """Point the graphviz package at ``program`` for the duration, then restore what was there.

    graphviz 0.21 reads the module global ``graphviz.backend.dot_command.DOT_BINARY`` each time it
    builds a command line, so setting it briefly affects only the calls made meanwhile (not thread
    safe: another thread rendering at the same moment would use the same program).
    """
    from graphviz.backend import dot_command

    saved = dot_command.DOT_BINARY
    dot_command.DOT_BINARY = Path(program)
    try:
        yield
    finally:
        dot_command.DOT_BINARY = saved


@functools.cache
def digraph_class() -> type[graphviz.Digraph]:
    """graphviz.Digraph that runs the dot chosen by its ``chainrule_backend`` when it renders.

    Made on first use so that ``import engine`` does not import graphviz. Overriding pipe() and
    render() covers everything that runs dot: Jupyter's inline display and view() go through them.
    """
    import graphviz

    class Digraph(graphviz.Digraph):
        chainrule_backend: str | None = None

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            fmt = kwargs.get("format") or (args[0] if args else None) or self.format
            with _dot_binary(require_program(self.chainrule_backend, fmt)):
                return super().pipe(*args, **kwargs)

        def render(self, *args: Any, **kwargs: Any) -> Any:
            fmt = kwargs.get("format") or self.format
            with _dot_binary(require_program(self.chainrule_backend, fmt)):
                return super().render(*args, **kwargs)

    return Digraph


def write(graph: graphviz.Digraph, path: Path, fmt: str) -> None:
    """Write graph to path as fmt: the DOT source itself, or the picture made by a dot program.

    With no dot program to run, the DOT source goes next to path before the error is raised, so
    the drawing is not lost: any Graphviz, or an online viewer, can render it later.
    """
    if fmt in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return
    try:
        picture = graph.pipe(format=fmt)
    except DotNotFoundError as e:
        source = path.with_suffix(".dot")
        source.write_text(graph.source, encoding="utf-8")
        raise DotNotFoundError(f"{e}. The DOT source is in {source}") from None
    path.write_bytes(picture)

"""The backward pass as data and as pictures: one frame per step, gradients left untouched.

``record_pass`` runs the pass that ``backward()`` would run now and returns its steps, with this
pass's gradients (``BackwardStep.grad`` and ``Contribution.added``); every ``.grad`` of the graph
is restored to what it was before, whatever happens. ``render_steps`` draws one picture per step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from engine.graph import BackwardStep, topo_order
from engine.render import backends
from engine.render.dot import Frame, Layout, check_size, choose_rankdir, dot_args, value_graph
from engine.render.files import ensure_folder, write_atomic
from engine.render.options import RenderOptions

if TYPE_CHECKING:
    from engine.value import Value

MANIFEST = ".chainrule-steps.json"  # the frames the last render_steps wrote into a folder


@contextmanager
def grads_kept(order: list[Value]) -> Iterator[None]:
    """Zero every .grad of ``order`` for the duration, then put back exactly what was there.

    Zeroing first makes each step's numbers this pass's alone, whatever earlier backward() calls
    left behind; restoring makes drawing a pass leave no trace on the graph.
    """
    saved = [node.grad for node in order]
    try:
        for node in order:
            node.grad = 0.0
        yield
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad


def frames(root: Value, order: list[Value]) -> Iterator[Frame]:
    """Each step of the pass backward() would run now, as a Frame; call inside grads_kept.

    A node's gradient is final once every edge out of it (every use of it) has pushed its share;
    until then it is partial, and before its first share it is unknown.
    """
    uses_left = dict.fromkeys(order, 0)
    for node in order:
        for parent in node.parents:
            uses_left[parent] += 1
    grads: dict[Value, float] = {}
    final: set[Value] = {root}
    partial: set[Value] = set()
    step: BackwardStep
    for step in root.backward_steps():
        grads[step.node] = step.grad
        for c in step.contributions:
            grads[c.parent] = grads.get(c.parent, 0.0) + c.added
            uses_left[c.parent] -= 1
            if uses_left[c.parent] == 0:
                final.add(c.parent)
                partial.discard(c.parent)
            else:
                partial.add(c.parent)
        yield Frame(step, len(order), dict(grads), set(final), set(partial))


def record_pass(root: Value) -> tuple[list[Value], list[BackwardStep]]:
    """The graph in topological order and every step of the pass backward() would run now, with
    this pass's gradients; every .grad is left exactly as it was."""
    order = topo_order(root)
    with grads_kept(order):
        steps = [frame.step for frame in frames(root, order)]
    return order, steps


def render_steps(
    root: Value, directory: Path, fmt: str, opts: RenderOptions, fmt_given: str
) -> list[Path]:
    """See engine.render_steps (the public wrapper, which checks the arguments)."""
    if opts.view == "boxes":
        raise ValueError("render_steps draws the value view only: view='values' or 'auto'")
    if opts.highlight or opts.highlight_paths_from is not None:
        raise ValueError("render_steps highlights each step's node itself; drop the highlight")
    fmt = backends.check_format(fmt, fmt_given)
    order = topo_order(root)
    check_size(root, len(order), opts)
    layout = Layout(choose_rankdir(order, opts), "values")
    if fmt not in ("dot", "gv"):  # fail before drawing anything, not half way through
        try:
            backends.require_program(opts.backend, fmt)
        except backends.DotNotFoundError as e:
            raise backends.DotNotFoundError(
                f"{e} (fmt='dot' writes the DOT sources without one)"
            ) from None
    ensure_folder(directory)
    width = max(3, len(str(len(order) - 1)))
    written: list[Path] = []
    with grads_kept(order):
        for frame in frames(root, order):
            path = directory / f"step_{frame.step.index:0{width}d}.{fmt}"
            source = value_graph(root, order, opts, layout, frame).source
            if fmt in ("dot", "gv"):
                write_atomic(path, source)
            else:
                write_atomic(path, backends.run(source, fmt, opts.backend, dot_args(opts, fmt)))
            written.append(path)
    remove_stale(directory, written)
    return written


def remove_stale(directory: Path, written: list[Path]) -> None:
    """Delete the frames an earlier render_steps wrote here that this run did not rewrite.

    Only files named in the folder's manifest (written by render_steps itself) are removed, so a
    user's own files, even ones called step_007.png, are never touched.
    """
    import json

    manifest = directory / MANIFEST
    try:
        before = json.loads(manifest.read_text(encoding="utf-8"))
        names = [n for n in before.get("frames", []) if isinstance(n, str)]
    except (OSError, ValueError, AttributeError):
        names = []
    keep = {p.name for p in written}
    for old in names:
        if old not in keep and "/" not in old and "\\" not in old and old.startswith("step_"):
            (directory / old).unlink(missing_ok=True)
    write_atomic(manifest, json.dumps({"frames": sorted(keep)}, indent=1) + "\n")

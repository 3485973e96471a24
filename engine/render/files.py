"""Writing the renderer's files: whole or not at all (``engine.files``), into a folder that is
created if missing, so a failure (a full disk, dot crashing, Ctrl-C) never leaves a truncated or
half-written file, and an existing file is replaced whole or kept as it was.
"""

from __future__ import annotations

from pathlib import Path

from engine import files


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` and its parents if missing; ValueError naming it if it is no folder."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"cannot write into {folder}: it exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OSError(f"cannot create the output folder {folder}: {e.strerror or e}") from e


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` atomically (``engine.files.write_atomic``),
    creating its folder first; returns path."""
    ensure_folder(path.parent)
    return files.write_atomic(path, data)

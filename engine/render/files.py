"""Writing the renderer's files: whole or not at all, into a folder that exists.

Every file is written to a uniquely named temporary file beside its target and moved over it with
``os.replace``, so a failure (a full disk, dot crashing, Ctrl-C) never leaves a truncated or
half-written file, and an existing file is replaced whole or kept as it was.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` and its parents if missing; ValueError naming it if it is no folder."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"cannot write into {folder}: it exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OSError(f"cannot create the output folder {folder}: {e.strerror or e}") from e


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` atomically, creating its folder; returns path."""
    if path.exists() and not path.is_file():
        raise ValueError(f"cannot write {path}: it exists and is not a regular file")
    ensure_folder(path.parent)
    import tempfile  # here, not at import time: most users of the engine never draw

    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.chmod(temp, 0o644)  # mkstemp makes it private; a picture is an ordinary file
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return path

"""Writing a file whole or not at all: the one safe-file writer of the project.

The bytes go to a uniquely named temporary file beside the target (a rename is atomic only within
one file system), which is then renamed over the target with ``os.replace``: a failure (a full
disk, a crash, Ctrl-C) leaves either the old file or the new one, never a truncated one, and the
temporary file is removed on every failure Python sees. A target that exists and is not a regular
file (a directory, a FIFO, a device, a socket) is refused untouched. With ``fsync=True`` the file
and then its directory are fsynced, so the new content survives a power cut once this returns.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a ``st_mode`` is, for a message: 'a regular file', 'a FIFO (named pipe)', ..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def check_regular(mode: int, path: str | os.PathLike[str], doing: str) -> None:
    """ValueError ``'<doing> '<path>': it is a FIFO (named pipe), not a regular file'`` unless
    ``mode`` (an ``st_mode``) is a regular file's."""
    if not stat.S_ISREG(mode):
        raise ValueError(
            f"{doing} {os.fspath(path)!r}: it is {file_kind(mode)}, not a regular file"
        )


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, fsync: bool = False) -> Path:
    """Replace the regular file at ``path`` (or create it) with ``data`` (a str as UTF-8), whole
    or not at all; returns ``path`` as a Path. The folder must exist.

    A symlink is written through, to the file it points to. The new file keeps the old one's
    permission bits, or gets 0o644 if there was none. ValueError, target untouched, if it exists
    and is not a regular file. ``fsync=True`` makes the write durable (see the module docstring);
    a model file asks for it, a picture that can be drawn again does not.
    """
    import tempfile  # here, not at import time: most users of the engine never write a file

    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = os.path.realpath(path)
    directory, name = os.path.split(target)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        mode = 0o644
    else:
        check_regular(st.st_mode, path, "cannot save to")
        mode = stat.S_IMODE(st.st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    fd_open = True
    try:
        with os.fdopen(fd, "wb") as f:
            fd_open = False  # the file object closes it now
            f.write(payload)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, mode)  # mkstemp makes it private
        # Checked again just before the rename: something may have appeared in the meantime.
        with contextlib.suppress(FileNotFoundError):
            check_regular(os.stat(target).st_mode, path, "cannot save to")
        os.replace(tmp, target)
    except BaseException:
        if fd_open:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if fsync:
        _fsync_directory(directory)
    return Path(path)


def _fsync_directory(directory: str) -> None:
    """Make a rename durable where the OS allows fsync on a directory (POSIX; not Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)

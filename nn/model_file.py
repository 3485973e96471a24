"""Model files: UTF-8 JSON with a SHA-256 checksum, written atomically, read with bounds.

A model file (format version 2) is laid out one parameter per line for reading and diffing::

    {
     "format": "chainrule.mlp",
     "version": 2,
     "architecture": {"nin": 2, "sizes": [3, 1], "activations": ["tanh", "linear"],
                      "init": "uniform", "fused": true},
     "parameters": {
      "layers.0.neurons.0.w.0": 0.123,
      ...
      "layers.1.neurons.0.b": -0.5
     },
     "sha256": "<64 hex digits>"
    }

Parameters are keyed by their structural names (see ``nn.Module``), never by label, and stored as
JSON numbers written with ``repr``, which read back to the same float bit for bit. The checksum is
the SHA-256 of every byte before the ``,`` that starts the ``"sha256"`` line, so any changed byte
makes ``load`` refuse the file as damaged. It guards against damage, not against an attacker, who
can recompute it. Loading never runs code (no pickle, no eval).

``load`` refuses anything that is not a regular file before opening it for reading (opening is
non-blocking, so a FIFO swapped in cannot hang it) and any file larger than the largest model it
accepts could be (``max_parameters``, default ``MAX_PARAMETERS``) before reading it whole. Every
check runs before a model is built, so a bad file raises ValueError saying what is wrong.

Version 1 files (written before structural names, keyed by the seed-notation labels, without a
checksum or init scheme) still load: their names are mapped to structural ones by position.

``save`` (``nn.save``) refuses to replace anything that exists and is not a regular file (a FIFO, a
device, a directory, a socket). It writes through ``engine.files.write_atomic`` with fsync: a
uniquely named temporary file beside the target, fsynced and renamed over the target, so a crash
leaves either the old file or the new one, and the temporary file is removed on every failure
Python sees (a process killed outright cannot clean up). ``load_mlp`` reads a file into a given
class; ``nn.load`` (in ``nn.layers``, beside MLP) and ``MLP.load`` call it. This module imports
no layer, so ``nn.layers`` can import it without an import circle.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import reprlib
from typing import TYPE_CHECKING, Any, TypeVar

from engine.files import check_regular, write_atomic
from nn import checks
from nn.activations import ACTIVATIONS
from nn.checks import describe, kind, some
from nn.init import INITS
from nn.module import Module, load_state

if TYPE_CHECKING:
    from nn.layers import MLP

    M = TypeVar("M", bound=MLP)

FORMAT = "chainrule.mlp"
VERSION = 2
LEGACY_VERSION = 1
_TOP_KEYS = ("format", "version", "architecture", "parameters", "sha256")
_ARCH_KEYS = ("nin", "sizes", "activations", "init", "fused")
_LEGACY_TOP_KEYS = _TOP_KEYS[:-1]
_LEGACY_ARCH_KEYS = ("nin", "sizes", "activations", "fused")
_CHECKSUM_START = b',\n "sha256": "'
_CHECKSUM_END = b'"\n}\n'
_HEAD = f'{{\n "format": "{FORMAT}",\n "version": {VERSION},\n'.encode()

# The largest model load() accepts by default: a million parameters is far past what a scalar
# engine trains (the circles network has 75), yet small enough that reading one is harmless.
MAX_PARAMETERS = 1_000_000
_short = reprlib.Repr()
_short.maxstring = _short.maxother = 40
_HEADER_BYTES = 1024  # everything but the parameter lines and the lists of sizes and activations


def max_file_bytes(max_parameters: int = MAX_PARAMETERS) -> int:
    """The size of the largest file ``save`` writes for a model of at most ``max_parameters``.

    Per parameter: its line (2 spaces of indent, the quoted name ``layers.i.neurons.j.w.k`` with
    indices of at most as many digits as ``max_parameters``, ``": "``, a float's repr of at most
    24 characters, ``",\\n"``), plus, since every layer has a parameter, at most one entry of the
    sizes list (the digits and ``", "``) and one of the activations list (``"sigmoid", ``).
    """
    digits = len(str(max_parameters))
    name = len('"layers..neurons..w."') + 3 * digits
    line = 2 + name + 2 + 24 + 2
    per_layer = (digits + 2) + (len('"sigmoid"') + 2)
    return _HEADER_BYTES + (line + per_layer) * max_parameters


# ---- writing -------------------------------------------------------------------------------------


def mlp_to_bytes(mlp: MLP) -> bytes:
    """The model file's bytes; ValueError naming the parameter if one is not finite."""
    params = {}
    for name, p in mlp.named_parameters():
        if not math.isfinite(p.data):
            raise ValueError(
                f"cannot save: parameter {name!r} is {p.data!r}; model files hold finite numbers"
            )
        params[name] = p.data
    arch = {
        "nin": mlp.nin,
        "sizes": list(mlp.sizes),
        "activations": list(mlp.activations),
        "init": mlp.init,
        "fused": mlp.fused,
    }
    # Every piece is written by json.dumps, so quoting and float repr are json's.
    entries = ",\n".join(
        f"  {json.dumps(name)}: {json.dumps(value, allow_nan=False)}"
        for name, value in params.items()
    )
    payload = (
        _HEAD
        + (f' "architecture": {json.dumps(arch)},\n "parameters": {{\n{entries}\n }}').encode()
    )
    digest = hashlib.sha256(payload).hexdigest().encode("ascii")
    return payload + _CHECKSUM_START + digest + _CHECKSUM_END


def save(model: MLP, path: str | os.PathLike[str]) -> None:
    """``nn.save``: write ``model`` (an ``nn.MLP``: architecture, activations, init scheme and
    parameters, with a SHA-256 checksum) to a model file at ``path``, atomically and durably
    (``engine.files.write_atomic`` with fsync): the previous file is replaced whole or not at all.
    ValueError, target untouched, if ``path`` exists and is not a regular file."""
    if not isinstance(model, Module) or not all(hasattr(model, a) for a in _ARCH_KEYS):
        raise TypeError(f"model: expected an nn.MLP, got {describe(model)}")
    write_atomic(path, mlp_to_bytes(model), fsync=True)


# ---- reading -------------------------------------------------------------------------------------


def load_mlp(cls: type[M], path: str | os.PathLike[str], max_parameters: int = MAX_PARAMETERS) -> M:
    """Read a model file; ValueError naming the file for any problem with it (see the module
    docstring), OSError (e.g. FileNotFoundError) if it cannot be opened at all."""
    max_parameters = checks.integer(max_parameters, "max_parameters", minimum=1)
    where = f"model file {os.fspath(path)!r}"
    raw = read_bounded(path, max_file_bytes(max_parameters), where, max_parameters)
    return mlp_from_bytes(cls, raw, where, max_parameters)


def read_bounded(
    path: str | os.PathLike[str], limit: int, where: str, max_parameters: int
) -> bytes:
    """The bytes of the regular file at ``path`` if there are at most ``limit`` of them.

    The file is checked with stat() before it is opened, opened non-blocking (so a FIFO put in
    its place meanwhile cannot block), checked again with fstat(), and read up to limit + 1 bytes.
    """

    def too_large(size: int | str) -> ValueError:
        return ValueError(
            f"{where}: the file has {size} bytes, but a model of at most "
            f"max_parameters={max_parameters} parameters takes at most {limit}; pass a larger "
            f"max_parameters if this really is such a model"
        )

    def check(st: os.stat_result) -> None:
        check_regular(st.st_mode, path, "cannot load")
        if st.st_size > limit:
            raise too_large(st.st_size)

    check(os.stat(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        check(os.fstat(fd))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise too_large(f"more than {limit}")
    return b"".join(chunks)


def _split_checksum(raw: bytes) -> tuple[bytes, str | None]:
    """(payload, hex digest) if ``raw`` ends with a checksum line, else (raw, None)."""
    start = raw.rfind(_CHECKSUM_START)
    if start < 0 or not raw.endswith(_CHECKSUM_END):
        return raw, None
    digest = raw[start + len(_CHECKSUM_START) : len(raw) - len(_CHECKSUM_END)]
    if len(digest) != 64 or not all(c in b"0123456789abcdef" for c in digest):
        return raw, None
    return raw[:start], digest.decode("ascii")


def _damaged(where: str, why: str) -> ValueError:
    return ValueError(
        f"{where}: the file is damaged: {why}; it was changed after save() wrote it "
        f"(or was not written by save())"
    )


def mlp_from_bytes(
    cls: type[M], raw: bytes, where: str = "model", max_parameters: int = MAX_PARAMETERS
) -> M:
    """A new ``cls`` (MLP or a subclass) built from a model file's bytes, after checking all of
    them: the checksum first, then every field."""
    payload, digest = _split_checksum(raw)
    if digest is not None and hashlib.sha256(payload).hexdigest() != digest:
        raise _damaged(where, "its SHA-256 checksum does not match its content")
    if digest is None and raw.startswith(_HEAD):
        raise _damaged(where, 'it does not end with a valid "sha256" checksum line')
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{where}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    doc = _parse(text, where)
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: expected a JSON object at the top level, got {kind(doc)}")
    version = doc.get("version")
    if digest is None and type(version) is int and version == LEGACY_VERSION:
        return _from_legacy(cls, doc, where, max_parameters)
    if digest is None and type(version) is int and version == VERSION:
        raise _damaged(where, 'it does not end with its "sha256" checksum line')
    _check_header(doc, _TOP_KEYS, where)
    arch = _check_architecture(doc["architecture"], _ARCH_KEYS, f"{where}: architecture")
    model = _build(cls, arch, doc["parameters"], where, max_parameters)
    load_state(model, doc["parameters"], where)
    return model


def _from_legacy(cls: type[M], doc: dict, where: str, max_parameters: int) -> M:
    """A model from a version-1 file: parameters keyed by their seed-notation names (``W[1]_2,1``),
    which are mapped to structural names by position; no checksum and no init scheme recorded
    (the model reports the default, 'uniform')."""
    _check_header(doc, _LEGACY_TOP_KEYS, where, version=LEGACY_VERSION)
    arch = _check_architecture(doc["architecture"], _LEGACY_ARCH_KEYS, f"{where}: architecture")
    params = doc["parameters"]
    model = _build(cls, arch, params, where, max_parameters)
    by_seed_name = {shown: name for name, shown in model.seed_names().items()}
    renamed: dict[Any, Any] = {by_seed_name.get(k, k): v for k, v in params.items()}
    if set(renamed) != set(by_seed_name.values()):
        missing = [s for s in by_seed_name if s not in params]
        unexpected = sorted(repr(k) for k in params if k not in by_seed_name)
        raise ValueError(
            f"{where}: parameter names do not match the model: expected {len(by_seed_name)} "
            f"parameters, got {len(params)}; missing: {some(missing)}; "
            f"unexpected: {some(unexpected, quoted=True)}"
        )
    load_state(model, renamed, where)
    return model


def _build(cls: type[M], arch: dict, params: dict, where: str, max_parameters: int) -> M:
    """A model of the checked architecture, once its size is known to fit the file and bound."""
    nin, sizes = arch["nin"], arch["sizes"]
    # Counted before building, so a file cannot ask for a model larger than itself or the bound.
    count = sum((n_in + 1) * n_out for n_in, n_out in zip([nin, *sizes], sizes))
    shown = f"(nin={nin}, sizes={_short.repr(sizes)})"
    if count > max_parameters:
        raise ValueError(
            f"{where}: the architecture {shown} has {count} parameters, more than "
            f"max_parameters={max_parameters}; pass a larger max_parameters to load it"
        )
    if count > len(params):
        raise ValueError(
            f"{where}: the architecture {shown} has {count} parameters but the file gives "
            f"{len(params)}"
        )
    return cls(
        nin,
        sizes,
        arch["activations"],
        init=arch.get("init", "uniform"),
        seed=0,
        fused=arch["fused"],
    )


class _Refused(ValueError):
    """Raised inside json.loads by the hooks below, so its message reaches the user unchanged."""


def _refuse_constant(name: str) -> None:
    raise _Refused(f"{name} is not allowed; model files hold finite numbers only")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _Refused(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _parse(text: str, where: str) -> object:
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except _Refused as e:
        raise ValueError(f"{where}: {e}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{where}: not valid JSON: {e}") from None
    except (ValueError, RecursionError) as e:  # e.g. an integer with too many digits, deep nesting
        raise ValueError(f"{where}: not a readable JSON document: {e}") from None


def _check_header(doc: dict, keys: tuple[str, ...], where: str, version: int = VERSION) -> None:
    """The format, version and the types of the architecture and parameters objects."""
    _check_keys(doc, keys, where)
    if doc["format"] != FORMAT:
        raise ValueError(f"{where}: expected format {FORMAT!r}, got {_short.repr(doc['format'])}")
    found = doc["version"]
    if type(found) is not int:
        raise ValueError(f"{where}: expected version to be an integer, got {kind(found)}")
    if found != version:
        newer = " (written by a newer chainrule?)" if found > VERSION else ""
        raise ValueError(
            f"{where}: unsupported version {found}{newer}; this chainrule reads versions "
            f"{LEGACY_VERSION} and {VERSION}"
        )
    for key in ("architecture", "parameters"):
        if not isinstance(doc[key], dict):
            raise ValueError(f"{where}: expected {key!r} to be an object, got {kind(doc[key])}")


def _check_architecture(arch: dict, keys: tuple[str, ...], where: str) -> dict:
    """The architecture after checking every type, value and length."""
    _check_keys(arch, keys, where)
    nin, sizes, activations, fused = (arch[k] for k in ("nin", "sizes", "activations", "fused"))
    _positive_int(nin, f"{where}: nin")
    if not isinstance(sizes, list) or not sizes:
        raise ValueError(f"{where}: expected sizes to be a non-empty list, got {kind(sizes)}")
    for i, size in enumerate(sizes):
        _positive_int(size, f"{where}: sizes[{i}]")
    if not isinstance(activations, list):
        raise ValueError(f"{where}: expected activations to be a list, got {kind(activations)}")
    if len(activations) != len(sizes):
        raise ValueError(
            f"{where}: {len(sizes)} layer sizes but {len(activations)} activations; "
            f"expected one per layer"
        )
    for i, act in enumerate(activations):
        if not isinstance(act, str) or act not in ACTIVATIONS:
            valid = ", ".join(map(repr, ACTIVATIONS))
            raise ValueError(
                f"{where}: activations[{i}]: unknown activation {_short.repr(act)}; "
                f"valid activations: {valid}"
            )
    if "init" in keys and (not isinstance(arch["init"], str) or arch["init"] not in INITS):
        raise ValueError(
            f"{where}: init: unknown init scheme {kind(arch['init'])}; "
            f"valid: {', '.join(map(repr, INITS))}"
        )
    if type(fused) is not bool:
        raise ValueError(f"{where}: expected fused to be true or false, got {kind(fused)}")
    return arch


def _check_keys(obj: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in obj]
    unexpected = sorted(repr(k) for k in obj if k not in keys)
    if missing or unexpected:
        raise ValueError(
            f"{where}: expected keys {', '.join(map(repr, keys))}; missing: {some(missing)}; "
            f"unexpected: {some(unexpected, quoted=True)}"
        )


def _positive_int(x: object, what: str) -> None:
    if type(x) is not int or x < 1:
        raise ValueError(f"{what}: expected a positive integer, got {kind(x)}")

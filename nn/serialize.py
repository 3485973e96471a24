"""Model files and export: state dicts, JSON model files written atomically, and PyTorch export.

A model file is UTF-8 JSON, never pickle, so loading one can never run code::

    {"format": "chainrule.mlp", "version": 1,
     "architecture": {"nin": 2, "sizes": [3, 1], "activations": ["tanh", "linear"],
                      "fused": true},
     "parameters": {"W[1]_1,1": 0.123, ..., "b[2]_1": -0.5}}

Parameters are stored by name as JSON numbers written with ``repr``, which reads back to the
same float bit for bit (-0.0 and subnormals included). NaN and infinities are refused both ways.

Every check runs before anything is assigned, so a bad file or state dict raises ValueError
saying what is wrong and leaves the model as it was. A file that cannot be opened (missing,
a directory, no permission) raises the OSError that ``open`` raises: that is a problem with the
path, not with the file's content.

``save_mlp`` writes a temporary file next to the target, fsyncs it and renames it over the
target, so a crash leaves either the old file or the new one, never a half-written one.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import reprlib
import stat
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from nn.activations import ACTIVATIONS

if TYPE_CHECKING:
    import torch

    from engine import Value
    from nn.layers import MLP
    from nn.module import Module

    M = TypeVar("M", bound=MLP)

FORMAT = "chainrule.mlp"
VERSION = 1
_TOP_KEYS = ("format", "version", "architecture", "parameters")
_ARCH_KEYS = ("nin", "sizes", "activations", "fused")
# PyTorch module class per activation; None adds no module ('linear' is the identity).
TORCH_ACTIVATIONS: dict[str, str | None] = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "linear": None,
}
_short = reprlib.Repr()
_short.maxstring = _short.maxother = 40


# ---- state dicts ---------------------------------------------------------------------------------


def state_dict(module: Module) -> dict[str, float]:
    """Every parameter's value by name, in ``named_parameters()`` order."""
    return {name: p.data for name, p in module.named_parameters()}


def load_state(module: Module, state: object, where: str = "load_state_dict") -> None:
    """Check ``state`` completely against ``module``, then assign; ValueError (model unchanged)."""
    for p, value in check_state(module, state, where):
        p.data = value


def check_state(module: Module, state: object, where: str) -> list[tuple[Value, float]]:
    """The (parameter, new value) pairs that ``state`` asks for, after checking all of it.

    ``state`` must be a mapping with exactly the module's parameter names as keys and, as each
    value, a finite float or an int that a float holds exactly (never a bool or a string).
    ``where`` starts every error message.
    """
    if not isinstance(state, Mapping):
        raise ValueError(
            f"{where}: expected a mapping of parameter names to numbers, got {_kind(state)}"
        )
    params = module.named_parameters()
    expected = {name for name, _ in params}
    missing = [name for name, _ in params if name not in state]
    unexpected = [key for key in state if key not in expected]
    if missing or unexpected:
        raise ValueError(
            f"{where}: parameter names do not match the model: expected {len(params)} "
            f"parameters, got {len(state)}; missing: {_some(missing)}; "
            f"unexpected: {_some(sorted(map(repr, unexpected)), quoted=True)}"
        )
    return [(p, _finite_float(state[name], f"{where}: parameter {name!r}")) for name, p in params]


# ---- model files ---------------------------------------------------------------------------------


def mlp_to_json(mlp: MLP) -> str:
    """The model file's text for ``mlp``; ValueError naming the parameter if one is not finite."""
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
        "fused": mlp.fused,
    }
    # Laid out by hand for reading and diffing: the architecture on one line, a parameter per
    # line. Every piece is still written by json.dumps, so quoting and float repr are json's.
    entries = ",\n".join(
        f"  {json.dumps(name)}: {json.dumps(value, allow_nan=False)}"
        for name, value in params.items()
    )
    return (
        f'{{\n "format": {json.dumps(FORMAT)},\n "version": {VERSION},\n'
        f' "architecture": {json.dumps(arch)},\n "parameters": {{\n{entries}\n }}\n}}\n'
    )


def mlp_from_json(cls: type[M], text: str, where: str = "model") -> M:
    """A new ``cls`` (MLP or a subclass) built from model-file text, after checking all of it."""
    doc = _parse(text, where)
    arch, params = _check_document(doc, where)
    nin, sizes, activations, fused = _check_architecture(arch, f"{where}: architecture")
    # Count before building, so a file cannot ask for a model larger than itself.
    count = sum((n_in + 1) * n_out for n_in, n_out in zip([nin, *sizes], sizes))
    if count > len(params):
        raise ValueError(
            f"{where}: the architecture (nin={nin}, sizes={_short.repr(sizes)}) has {count} "
            f"parameters but the file gives {len(params)}"
        )
    model = cls(nin, sizes, activations, seed=0, fused=fused)
    load_state(model, params, where)
    return model


def save_mlp(mlp: MLP, path: str | os.PathLike[str]) -> None:
    """Write ``mlp``'s model file to ``path`` atomically (see ``atomic_write``)."""
    atomic_write(path, mlp_to_json(mlp).encode("utf-8"))


def load_mlp(cls: type[M], path: str | os.PathLike[str]) -> M:
    """Read a model file; ValueError naming the file for any problem with its content."""
    where = f"model file {os.fspath(path)!r}"
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{where}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    return mlp_from_json(cls, text, where)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` so that no crash can leave a partial file.

    The bytes go to a temporary file in the target's directory (a rename is atomic only within
    one file system), which is flushed and fsynced, then renamed over the target with
    ``os.replace``; then the directory is fsynced so the rename itself is durable. On any error
    the temporary file is removed and the previous file is untouched. A symlink is written
    through, to the file it points to. The new file keeps the old one's permission bits, or gets
    0o644 if there was none.
    """
    target = os.path.realpath(path)
    directory, name = os.path.split(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


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


def _check_document(doc: object, where: str) -> tuple[dict, dict]:
    """The architecture and parameters objects of a parsed file, after its header checks."""
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: expected a JSON object at the top level, got {_kind(doc)}")
    _check_keys(doc, _TOP_KEYS, where)
    if doc["format"] != FORMAT:
        raise ValueError(f"{where}: expected format {FORMAT!r}, got {_short.repr(doc['format'])}")
    version = doc["version"]
    if type(version) is not int:
        raise ValueError(f"{where}: expected version to be an integer, got {_kind(version)}")
    if version != VERSION:
        newer = " (written by a newer chainrule?)" if version > VERSION else ""
        raise ValueError(
            f"{where}: unsupported version {version}{newer}; this chainrule reads version {VERSION}"
        )
    for key in ("architecture", "parameters"):
        if not isinstance(doc[key], dict):
            raise ValueError(f"{where}: expected {key!r} to be an object, got {_kind(doc[key])}")
    return doc["architecture"], doc["parameters"]


def _check_architecture(arch: dict, where: str) -> tuple[int, list[int], list[str], bool]:
    """(nin, sizes, activations, fused) after checking every type, value and length."""
    _check_keys(arch, _ARCH_KEYS, where)
    nin, sizes, activations, fused = (arch[k] for k in _ARCH_KEYS)
    _positive_int(nin, f"{where}: nin")
    if not isinstance(sizes, list) or not sizes:
        raise ValueError(f"{where}: expected sizes to be a non-empty list, got {_kind(sizes)}")
    for i, size in enumerate(sizes):
        _positive_int(size, f"{where}: sizes[{i}]")
    if not isinstance(activations, list):
        raise ValueError(f"{where}: expected activations to be a list, got {_kind(activations)}")
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
    if type(fused) is not bool:
        raise ValueError(f"{where}: expected fused to be true or false, got {_kind(fused)}")
    return nin, sizes, activations, fused


def _check_keys(obj: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in obj]
    unexpected = sorted(repr(k) for k in obj if k not in keys)
    if missing or unexpected:
        raise ValueError(
            f"{where}: expected keys {', '.join(map(repr, keys))}; missing: {_some(missing)}; "
            f"unexpected: {_some(unexpected, quoted=True)}"
        )


def _positive_int(x: object, what: str) -> None:
    if type(x) is not int or x < 1:
        raise ValueError(f"{what}: expected a positive integer, got {_kind(x)}")


def _finite_float(x: object, what: str) -> float:
    """``x`` as a float if it is a finite float, or an int that a float holds exactly; else
    ValueError. Bools, strings, None and containers are refused, not converted."""
    if isinstance(x, int) and not isinstance(x, bool):
        if not _int_is_exact(x):
            raise ValueError(f"{what}: the integer {_short.repr(x)} is not exactly a float")
        return float(x)
    if not isinstance(x, float):
        raise ValueError(f"{what}: expected a finite number, got {_kind(x)}")
    if not math.isfinite(x):
        raise ValueError(f"{what}: expected a finite number, got {x!r}")
    return float(x)


def _int_is_exact(x: int) -> bool:
    try:
        return int(float(x)) == x
    except OverflowError:
        return False


def _kind(x: object) -> str:
    """A short description of a value for an error message: its type and a clipped repr."""
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return f"{names.get(type(x), type(x).__name__)} {_short.repr(x)}"


def _some(items: list[str], quoted: bool = False, limit: int = 5) -> str:
    """Up to ``limit`` items for a message, then how many more; 'none' for an empty list."""
    if not items:
        return "none"
    shown = ", ".join(items[:limit] if quoted else map(repr, items[:limit]))
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return shown + more


# ---- PyTorch export ------------------------------------------------------------------------------


def to_torch(mlp: MLP) -> torch.nn.Sequential:
    """An equivalent ``torch.nn.Sequential`` in float64: a Linear per layer, then its activation.

    Row j of a Linear's weight holds unit j's ``W[l]_j,k`` over k, so the two models compute the
    same function with the same numbers. ImportError with an install hint if torch is missing.
    """
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            "MLP.to_torch() needs PyTorch, which is not installed; install it with "
            "'pip install torch'"
        ) from e
    modules: list[torch.nn.Module] = []
    for layer in mlp.layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
        weights = [[w.data for w in n.w] for n in layer.neurons]
        biases = [n.b.data for n in layer.neurons]
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        modules.append(linear)
        if layer.activation not in TORCH_ACTIVATIONS:
            raise ValueError(f"to_torch: no PyTorch module for activation {layer.activation!r}")
        name = TORCH_ACTIVATIONS[layer.activation]
        if name is not None:
            modules.append(getattr(torch.nn, name)())
    return torch.nn.Sequential(*modules)

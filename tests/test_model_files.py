"""Model files: exact round trips, atomic saves, and loads that refuse bad data without harm."""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn

ACTS = sorted(nn.ACTIVATIONS)


def bits(x: float) -> bytes:
    """A float's exact bit pattern, so -0.0 != 0.0 and every NaN payload would differ."""
    return struct.pack(">d", x)


def state_bits(model: nn.Module) -> list[tuple[str, bytes]]:
    return [(name, bits(p.data)) for name, p in model.named_parameters()]


def small_model(seed: int = 0) -> nn.MLP:
    return nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=seed)


def valid_doc(model: nn.MLP) -> dict:
    """A model file's content built here from the model's attributes, not by the code under test
    (the checksum is added by ``seal``)."""
    return {
        "format": "chainrule.mlp",
        "version": 2,
        "architecture": {
            "nin": model.nin,
            "sizes": list(model.sizes),
            "activations": list(model.activations),
            "init": model.init,
            "fused": model.fused,
        },
        "parameters": {name: p.data for name, p in model.named_parameters()},
    }


def seal(text: str) -> bytes:
    """A JSON object's text with the checksum line the format specifies: the SHA-256 of every byte
    before ',\n "sha256": "', then the closing brace. Written here from the spec, so that tests of
    the other checks reach them."""
    text = text.rstrip()
    assert text.endswith("}")
    payload = text[:-1].rstrip().encode("utf-8")
    digest = hashlib.sha256(payload).hexdigest()
    return payload + f',\n "sha256": "{digest}"\n}}\n'.encode()


def write(path: Path, doc: object) -> Path:
    path.write_bytes(seal(json.dumps(doc)))
    return path


# ---- state dicts ---------------------------------------------------------------------------------

W111, B12, B21 = "layers.0.neurons.0.w.0", "layers.0.neurons.1.b", "layers.1.neurons.0.b"


def test_state_dict_is_names_to_floats_in_parameter_order():
    m = small_model()
    sd = m.state_dict()
    assert list(sd) == [name for name, _ in m.named_parameters()]
    assert all(type(v) is float and v == p.data for v, p in zip(sd.values(), m.parameters()))


@pytest.mark.parametrize("make", [small_model, lambda: nn.Layer(3, 2), lambda: nn.Neuron(4)])
def test_load_state_dict_sets_every_parameter_on_any_module(make):
    a, b = make(), make()
    new = {name: float(i) - 2.5 for i, (name, _) in enumerate(a.named_parameters())}
    a.load_state_dict(new)
    assert a.state_dict() == new
    b.load_state_dict(a.state_dict())
    assert state_bits(b) == state_bits(a)


def test_load_state_dict_accepts_exact_ints():
    m = nn.Neuron(1)
    m.load_state_dict({"w.0": 3, "b": -(2**53)})
    assert m.state_dict() == {"w.0": 3.0, "b": -(2.0**53)}
    assert all(type(v) is float for v in m.state_dict().values())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda sd: sd.pop(B12),
            r"expected 13 parameters, got 12; missing: 'layers.0.neurons.1.b'",
        ),
        (lambda sd: sd.update(extra=1.0), r"got 14; missing: none; unexpected: 'extra'"),
        (lambda sd: sd.update({7: 1.0}), r"unexpected: 7"),
        (lambda sd: sd.update({W111: "0.5"}), rf"'{W111}': expected a finite .*'0.5'"),
        (lambda sd: sd.update({W111: True}), rf"'{W111}': .*got boolean True"),
        (lambda sd: sd.update({B21: None}), rf"'{B21}': .*got null"),
        (lambda sd: sd.update({B21: [1.0]}), rf"'{B21}': .*got list"),
        (lambda sd: sd.update({B21: math.nan}), rf"'{B21}': .*got nan"),
        (lambda sd: sd.update({B21: -math.inf}), rf"'{B21}': .*got -inf"),
        (lambda sd: sd.update({B21: 2**53 + 1}), rf"'{B21}': the integer .* not exactly"),
        (lambda sd: sd.update({B21: 10**400}), rf"'{B21}': the integer"),
    ],
)
def test_load_state_dict_errors_say_what_and_leave_the_model_unchanged(change, message):
    m = small_model()
    before = state_bits(m)
    sd = m.state_dict()
    sd["layers.0.neurons.0.w.1"] = (
        123.0  # a valid change that must not be applied when another entry is bad
    )
    change(sd)
    with pytest.raises(ValueError, match=r"MLP\.load_state_dict: .*" + message):
        m.load_state_dict(sd)
    assert state_bits(m) == before


@pytest.mark.parametrize("bad", [None, [1.0, 2.0], "W", 3.0])
def test_load_state_dict_needs_a_mapping(bad):
    m = small_model()
    with pytest.raises(ValueError, match="expected a mapping"):
        m.load_state_dict(bad)


def test_error_lists_are_clipped():
    m = nn.MLP(3, [4, 4])
    with pytest.raises(
        ValueError, match=r"missing: 'layers.0.neurons.0.w.0', .* and 31 more; unexpected: none"
    ):
        m.load_state_dict({})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(
    st.data(),
    st.sampled_from(["delete", "add", "rename", "replace"]),
    json_values,
)
def test_mutated_state_dicts_raise_only_value_error_and_change_nothing(data, how, junk):
    m = small_model()
    before = state_bits(m)
    sd = dict(m.state_dict())
    names = list(sd)
    name = data.draw(st.sampled_from(names))
    if how == "delete":
        del sd[name]
    elif how == "add":
        sd[data.draw(st.text(max_size=8))] = 0.0
    elif how == "rename":
        sd[data.draw(st.text(max_size=8))] = sd.pop(name)
    else:
        sd[name] = junk
    try:
        m.load_state_dict(sd)
    except ValueError:
        assert state_bits(m) == before
    else:  # only a mutation that left a valid state dict may succeed, and then it is applied
        assert set(sd) == set(names)
        assert [p.data for p in m.parameters()] == [float(sd[n]) for n in names]


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_any_json_value_as_a_state_dict_is_refused_cleanly(junk):
    m = small_model()
    before = state_bits(m)
    with pytest.raises(ValueError):
        m.load_state_dict(junk)
    assert state_bits(m) == before


# ---- round trips ---------------------------------------------------------------------------------

special = st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1e-300, 1e300]
)
finite = special | st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def models(draw) -> nn.MLP:
    nin = draw(st.integers(1, 5))
    sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
    acts = draw(st.lists(st.sampled_from(ACTS), min_size=len(sizes), max_size=len(sizes)))
    m = nn.MLP(nin, sizes, acts, seed=draw(st.integers(0, 2**32)), fused=draw(st.booleans()))
    for p in m.parameters():
        p.data = draw(finite)
    return m


@settings(max_examples=60, deadline=None)  # each save fsyncs: slow on some disks
@given(models())
def test_save_load_round_trip_is_bit_for_bit(model):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "model.json")
        model.save(path)
        loaded = nn.MLP.load(path)
        assert os.listdir(d) == ["model.json"]
    assert type(loaded) is nn.MLP
    assert (loaded.nin, loaded.sizes, loaded.activations, loaded.fused) == (
        model.nin,
        model.sizes,
        model.activations,
        model.fused,
    )
    assert [n for n, _ in loaded.named_parameters()] == [n for n, _ in model.named_parameters()]
    assert state_bits(loaded) == state_bits(model)
    for a, b in zip(loaded.parameters(), model.parameters()):
        assert math.copysign(1.0, a.data) == math.copysign(1.0, b.data)


def test_loaded_model_computes_what_the_saved_one_did(tmp_path):
    m = nn.MLP(3, [4, 2, 1], ["tanh", "relu", "sigmoid"], seed=7, fused=False)
    m.save(tmp_path / "m.json")  # a pathlib.Path works as well as a str
    loaded = nn.MLP.load(tmp_path / "m.json")
    x = [0.3, -1.2, 2.0]
    assert loaded(x).data == m(x).data
    assert loaded.fused is False


def test_save_and_load_are_functions_the_methods_wrap(tmp_path):
    m = nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=3)
    nn.save(m, tmp_path / "f.json")
    m.save(tmp_path / "m.json")
    assert (tmp_path / "f.json").read_bytes() == (tmp_path / "m.json").read_bytes()
    loaded = nn.load(tmp_path / "f.json")
    assert type(loaded) is nn.MLP and state_bits(loaded) == state_bits(m)

    class Wide(nn.MLP):
        pass

    assert type(Wide.load(tmp_path / "f.json")) is Wide  # a subclass loads as itself
    with pytest.raises(TypeError, match="model: expected an nn.MLP, got Layer"):
        nn.save(nn.Layer(2, 3), tmp_path / "layer.json")
    assert sorted(os.listdir(tmp_path)) == ["f.json", "m.json"]


def test_the_file_is_plain_json_any_reader_can_check(tmp_path):
    m = nn.MLP(2, [3, 1], ["tanh", "sigmoid"], init="glorot_uniform", seed=0)
    m.save(tmp_path / "m.json")
    raw = (tmp_path / "m.json").read_bytes()
    doc = json.loads(raw.decode("utf-8"))
    assert doc.pop("sha256") == hashlib.sha256(raw[: raw.rindex(b',\n "sha256"')]).hexdigest()
    assert doc == valid_doc(m)
    assert doc["architecture"]["init"] == "glorot_uniform"
    cut = raw.rindex(b',\n "sha256"')
    assert seal(raw[:cut].decode() + "\n}") == raw  # the layout the spec (and seal) describes


def test_save_replaces_an_existing_file_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    small_model(1).save(path)
    assert nn.MLP.load(path).state_dict() == small_model(1).state_dict()
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["m.json"]
    small_model(1).save(tmp_path / "new.json")  # a new file gets 0o644
    assert os.stat(tmp_path / "new.json").st_mode & 0o777 == 0o644


def test_save_through_a_symlink_writes_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.json"
    small_model(1).save(real)
    (tmp_path / "link.json").symlink_to(real)
    small_model(2).save(tmp_path / "link.json")
    assert (tmp_path / "link.json").is_symlink()
    assert nn.MLP.load(real).state_dict() == small_model(2).state_dict()


def test_save_refuses_a_non_finite_parameter_and_writes_nothing(tmp_path):
    m = small_model()
    m.parameters()[4].data = math.nan
    with pytest.raises(ValueError, match=r"cannot save: parameter 'layers.0.neurons.1.w.1' is nan"):
        m.save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


# ---- saves that fail -----------------------------------------------------------------------------


class _HalfWriter:
    """A file whose write() stores half the bytes and then fails, as a full disk would."""

    def __init__(self, f):
        self._f = f

    def write(self, data):
        self._f.write(data[: len(data) // 2])
        self._f.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._f.__exit__(*exc)


def _fail_on_write(monkeypatch):
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *a, **k: _HalfWriter(real(*a, **k)))


def _fail_on_fsync(monkeypatch):
    def boom(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", boom)


def _fail_on_replace(monkeypatch):
    def boom(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", boom)


def _fail_on_interrupt(monkeypatch):
    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)


@pytest.mark.parametrize(
    "fail", [_fail_on_write, _fail_on_fsync, _fail_on_replace, _fail_on_interrupt]
)
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch, fail):
    path = tmp_path / "m.json"
    small_model(1).save(path)
    old = path.read_bytes()
    fail(monkeypatch)
    with pytest.raises((OSError, KeyboardInterrupt)):
        small_model(2).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]
    assert nn.MLP.load(path).state_dict() == small_model(1).state_dict()


def test_a_failed_first_save_creates_no_file(tmp_path, monkeypatch):
    _fail_on_write(monkeypatch)
    with pytest.raises(OSError, match="No space"):
        small_model().save(tmp_path / "m.json")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_a_process_killed_before_the_rename_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "m.json"
    small_model(1).save(path)
    old = path.read_bytes()
    # The child writes the whole temp file, then dies where the rename would be: no cleanup runs.
    script = (
        "import os, nn\n"
        "os.replace = lambda *a: os._exit(3)\n"
        f"nn.MLP(2, [3, 1], ['tanh', 'sigmoid'], seed=2).save({str(path)!r})\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    assert subprocess.run([sys.executable, "-c", script], env=env).returncode == 3
    assert path.read_bytes() == old
    leftovers = [p for p in os.listdir(tmp_path) if p != "m.json"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".m.json.")  # a crash can't clean up


# ---- loads that refuse ---------------------------------------------------------------------------


def _set(*keys, value):
    def change(doc):
        target = doc
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value

    return change


def _delete(*keys):
    def change(doc):
        target = doc
        for k in keys[:-1]:
            target = target[k]
        del target[keys[-1]]

    return change


BAD_DOCS = [
    (_set("format", value="torch"), "expected format 'chainrule.mlp', got 'torch'"),
    (_set("version", value=3), "unsupported version 3 .*newer.*reads versions 1 and 2"),
    (_set("version", value=0), "unsupported version 0;"),
    (_set("version", value="1"), "expected version to be an integer, got string '1'"),
    (_set("version", value=True), "expected version to be an integer, got boolean"),
    (_delete("architecture"), "missing: 'architecture'; unexpected: none"),
    (_set("extra", value=1), "missing: none; unexpected: 'extra'"),
    (_set("parameters", value=[1.0]), "expected 'parameters' to be an object, got list"),
    (_set("architecture", value=None), "expected 'architecture' to be an object, got null"),
    (_delete("architecture", "fused"), "architecture: .*missing: 'fused'"),
    (_set("architecture", "nin", value=0), "architecture: nin: expected a positive integer, got"),
    (_set("architecture", "nin", value=2.0), "nin: expected a positive integer, got float 2.0"),
    (_set("architecture", "nin", value=True), "nin: expected a positive integer, got boolean"),
    (_set("architecture", "sizes", value=[]), "expected sizes to be a non-empty list"),
    (_set("architecture", "sizes", value="3,1"), "expected sizes to be a non-empty list"),
    (_set("architecture", "sizes", value=[3, -1]), r"sizes\[1\]: expected a positive integer"),
    (
        _set("architecture", "activations", value=["tanh", "softmax"]),
        r"activations\[1\]: unknown activation 'softmax'; valid activations: 'relu'",
    ),
    (_set("architecture", "activations", value=["tanh"]), "2 layer sizes but 1 activations"),
    (_set("architecture", "activations", value="tanh"), "expected activations to be a list"),
    (_set("architecture", "fused", value="yes"), "expected fused to be true or false"),
    (_set("architecture", "sizes", value=[3, 2]), "has 17 parameters but the file gives 13"),
    (
        _set("architecture", "sizes", value=[10**6, 10**6]),
        "has .* parameters, more than max_parameters=1000000; pass a larger max_parameters",
    ),
    (_set("architecture", "sizes", value=[100, 10**3]), "has .* parameters but the file gives"),
    (
        _set("architecture", "sizes", value=[2, 1]),
        r"missing: none; unexpected: 'layers.0.neurons.2.b', 'layers.0.neurons.2.w.0'",
    ),
    (_delete("parameters", B12), r"has 13 parameters but the file gives 12"),
    (_set("parameters", B12, value="0.5"), rf"'{B12}': expected a finite number"),
    (_set("parameters", B12, value=None), rf"'{B12}': expected a finite number, got null"),
    (_set("parameters", B12, value=False), rf"'{B12}': .*got boolean False"),
    (_set("parameters", B12, value={"v": 1}), rf"'{B12}': .*got object"),
    (_set("architecture", "init", value="he"), "init: unknown init scheme string 'he'"),
    (_delete("architecture", "init"), "architecture: .*missing: 'init'"),
]


@pytest.mark.parametrize(("change", "message"), BAD_DOCS)
def test_bad_files_raise_value_error_naming_the_file_and_the_problem(tmp_path, change, message):
    doc = valid_doc(small_model())
    change(doc)
    path = write(tmp_path / "bad.json", doc)
    with pytest.raises(ValueError, match=f"model file '{path}': .*{message}"):
        nn.MLP.load(path)


def test_a_renamed_parameter_is_reported_as_missing_and_unexpected(tmp_path):
    doc = valid_doc(small_model())
    doc["parameters"]["layers.9.neurons.0.w.0"] = doc["parameters"].pop("layers.0.neurons.1.w.0")
    path = write(tmp_path / "bad.json", doc)
    with pytest.raises(
        ValueError,
        match=r"missing: 'layers.0.neurons.1.w.0'; unexpected: 'layers.9.neurons.0.w.0'",
    ):
        nn.MLP.load(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON"),
        ("{", "not valid JSON"),
        ("[1, 2]", "expected a JSON object at the top level, got list"),
        ('"model"', "expected a JSON object at the top level, got string"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ('{"a": NaN}', "NaN is not allowed"),
        ('{"a": -Infinity}', "-Infinity is not allowed"),
        ("[" * 100_000 + "]" * 100_000, "not a readable JSON document"),
        ('{"a": ' + "9" * 5000 + "}", "not a readable JSON document"),
    ],
)
def test_unreadable_json_is_a_value_error(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"model file '{path}': {message}"):
        nn.MLP.load(path)


@pytest.mark.parametrize(("literal", "shown"), [("NaN", "NaN"), ("1e400", "inf")])
def test_non_finite_numbers_in_parameters_are_refused(tmp_path, literal, shown):
    text = json.dumps(valid_doc(small_model())).replace(f'"{B12}": 0.0', f'"{B12}": {literal}', 1)
    assert literal in text
    path = tmp_path / "bad.json"
    path.write_bytes(seal(text))
    with pytest.raises(ValueError, match=shown):
        nn.MLP.load(path)


def test_non_utf8_bytes_are_a_value_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"format": "chainrule.mlp\xff"}')
    with pytest.raises(ValueError, match=f"model file '{path}': not UTF-8 text .*byte 25"):
        nn.MLP.load(path)


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.MLP.load(tmp_path / "nope.json")


# ---- garbage never gets past ValueError ----------------------------------------------------------

_garbage = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _load_bytes(tmp_path: Path, data: bytes) -> nn.MLP:
    path = tmp_path / "g.json"
    path.write_bytes(data)
    return nn.MLP.load(path)


@_garbage
@given(st.binary(max_size=300))
def test_random_bytes_raise_value_error(tmp_path, data):
    with pytest.raises(ValueError):
        _load_bytes(tmp_path, data)


@_garbage
@given(json_values)
def test_random_json_values_raise_value_error(tmp_path, value):
    with pytest.raises(ValueError):
        _load_bytes(tmp_path, json.dumps(value).encode())


@_garbage
@given(st.data())
def test_truncated_files_raise_value_error(tmp_path, data):
    path = tmp_path / "m.json"
    small_model().save(path)
    whole = path.read_bytes().rstrip()
    cut = data.draw(st.integers(0, len(whole) - 1))
    with pytest.raises(ValueError):
        _load_bytes(tmp_path, whole[:cut])


def _paths(doc, prefix=()):
    """Every (key path) inside a parsed document, so a mutation can reach any node."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


def _get(doc, where):
    for k in where:
        doc = doc[k]
    return doc


replacements = (
    json_values
    | st.sampled_from([math.nan, math.inf, -math.inf, True, False, "0.5", None, [], {}, 0, -1])
    | st.sampled_from(ACTS + ["softmax", "Relu", ""])
)


@_garbage
@given(models(), st.data())
def test_mutated_model_files_load_or_raise_value_error(tmp_path, model, data):
    doc = valid_doc(model)
    where = data.draw(st.sampled_from([p for p in _paths(doc) if p]))
    parent, key = _get(doc, where[:-1]), where[-1]
    how = data.draw(st.sampled_from(["replace", "delete", "rename", "add"]))
    if how == "replace":
        parent[key] = data.draw(replacements)
    elif how == "delete" or how == "rename":
        value = parent.pop(key)
        if how == "rename" and isinstance(parent, dict):
            parent[data.draw(st.text(max_size=10))] = value
    elif isinstance(parent, dict):
        parent[data.draw(st.text(max_size=10))] = data.draw(replacements)
    else:
        parent.insert(key, data.draw(replacements))
    text = json.dumps(doc)  # NaN and Infinity become the literals the loader must refuse
    try:
        loaded = _load_bytes(tmp_path, seal(text) if text.endswith("}") else text.encode())
    except ValueError:
        return
    # Only a document that is still valid may load, and then it loads exactly what it says.
    arch = doc["architecture"]
    assert (loaded.nin, loaded.sizes, loaded.activations, loaded.fused) == (
        arch["nin"],
        arch["sizes"],
        arch["activations"],
        arch["fused"],
    )
    assert loaded.init == arch["init"]
    assert loaded.state_dict() == {k: float(v) for k, v in doc["parameters"].items()}

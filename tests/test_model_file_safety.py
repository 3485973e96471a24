"""Model files that refuse what they cannot trust: checksums, special files, size bounds, old files.

Every test here failed on the code before format version 2 (commit e2dfe52): a changed byte could
load as different weights, save replaced FIFOs and devices, load blocked on a FIFO and read
without bound, and nothing here existed to check.
"""

from __future__ import annotations

import builtins
import json
import os
import socket
import stat
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from nn import model_file

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "mlp_v1_e2dfe52.json"


def bits(model: nn.Module) -> list[bytes]:
    return [struct.pack(">d", p.data) for p in model.parameters()]


def small_model(seed: int = 0) -> nn.MLP:
    return nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=seed)


def run_python(code: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter with this tree on the path and at most 1 GiB of address
    space, so a load that blocks or reads without bound fails here instead of hanging or
    exhausting the machine."""
    prelude = "import resource\nresource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ---- old files -----------------------------------------------------------------------------------


def test_a_version_1_file_from_before_structural_names_still_loads_bit_for_bit():
    loaded = nn.MLP.load(FIXTURE)
    # The fixture was written at e2dfe52 by this very call (see tests/fixtures/README.md).
    made = nn.MLP(3, [4, 2, 1], ["tanh", "relu", "sigmoid"], init="glorot_uniform", seed=13)
    assert bits(loaded) == bits(made)
    assert loaded([0.3, -1.2, 2.0]).data == 0.5757891252663422  # recorded when it was written
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    by_label = {p.label: p.data for p in loaded.parameters()}
    assert by_label == doc["parameters"]  # each old name landed on the parameter it names


def test_a_version_1_file_with_a_wrong_name_is_refused(tmp_path):
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    doc["parameters"]["W[9]_1,1"] = doc["parameters"].pop("W[1]_2,1")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing: 'W\[1\]_2,1'; unexpected: 'W\[9\]_1,1'"):
        nn.MLP.load(path)


def test_saving_a_loaded_version_1_model_converts_it(tmp_path):
    nn.MLP.load(FIXTURE).save(tmp_path / "new.json")
    doc = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    assert doc["version"] == 2 and "sha256" in doc
    assert bits(nn.MLP.load(tmp_path / "new.json")) == bits(nn.MLP.load(FIXTURE))


# ---- damaged files -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved() -> tuple[bytes, list[bytes]]:
    """A saved model's bytes and its parameters' bit patterns."""
    import tempfile

    m = nn.MLP(2, [3, 2, 1], ["tanh", "relu", "sigmoid"], seed=9)
    with tempfile.TemporaryDirectory() as d:
        m.save(os.path.join(d, "m.json"))
        return Path(d, "m.json").read_bytes(), bits(m)


_fuzz = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_fuzz
@given(st.data())
def test_any_changed_byte_is_refused_as_damaged(tmp_path, saved, data):
    raw, _ = saved
    where = data.draw(st.integers(0, len(raw) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[where]))
    path = tmp_path / "m.json"
    path.write_bytes(raw[:where] + bytes([new]) + raw[where + 1 :])
    with pytest.raises(ValueError, match="the file is damaged"):
        nn.MLP.load(path)


@_fuzz
@given(st.data())
def test_flipped_bytes_are_refused_or_give_bit_exact_weights(tmp_path, saved, data):
    raw, expected = saved
    damaged = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(raw) - 1))
        damaged[where] ^= data.draw(st.integers(1, 255))
    path = tmp_path / "m.json"
    path.write_bytes(bytes(damaged))
    try:
        loaded = nn.MLP.load(path)
    except ValueError:
        return
    assert bits(loaded) == expected  # flips that cancelled out


def test_a_version_2_file_without_its_checksum_is_damaged(tmp_path, saved):
    raw, _ = saved
    doc = json.loads(raw)
    del doc["sha256"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match='damaged: it does not end with its "sha256" checksum'):
        nn.MLP.load(path)


# ---- saves onto what is not a regular file -------------------------------------------------------


def _assert_refused_untouched(tmp_path: Path, target: Path, kind: str, check) -> None:
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ValueError, match=f"cannot save to '{target}': it is {kind}"):
        small_model().save(target)
    assert check(os.lstat(target).st_mode)
    assert sorted(os.listdir(tmp_path)) == before  # no temporary file left behind


def test_save_refuses_a_fifo_and_leaves_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _assert_refused_untouched(tmp_path, fifo, "a FIFO", stat.S_ISFIFO)


def test_save_refuses_a_device_node_and_leaves_it(tmp_path):
    node = tmp_path / "null"
    try:  # the numbers of /dev/null, in a temporary directory: never a real device's path
        os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as e:
        pytest.skip(f"cannot make a device node here (needs root): {e}")
    rdev = os.lstat(node).st_rdev
    _assert_refused_untouched(tmp_path, node, "a character device", stat.S_ISCHR)
    assert os.lstat(node).st_rdev == rdev


def test_save_refuses_a_directory_and_a_socket(tmp_path):
    (tmp_path / "d").mkdir()
    _assert_refused_untouched(tmp_path, tmp_path / "d", "a directory", stat.S_ISDIR)
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(tmp_path / "sock"))
        _assert_refused_untouched(tmp_path, tmp_path / "sock", "a socket", stat.S_ISSOCK)


def test_save_through_a_symlink_to_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link.json").symlink_to(tmp_path / "pipe")
    with pytest.raises(ValueError, match="it is a FIFO"):
        small_model().save(tmp_path / "link.json")
    assert stat.S_ISFIFO(os.stat(tmp_path / "link.json").st_mode)


def test_temporary_files_are_uniquely_named_beside_the_target(tmp_path, monkeypatch):
    names = []
    real = os.replace

    def spy(src, dst):
        names.append(os.fspath(src))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    for seed in range(3):
        small_model(seed).save(tmp_path / "m.json")
    assert len(set(names)) == 3
    assert all(Path(n).parent == tmp_path and Path(n).name.startswith(".m.json.") for n in names)
    assert os.listdir(tmp_path) == ["m.json"]


# ---- loads of what is not a small regular file ---------------------------------------------------


def test_load_refuses_a_fifo_without_opening_it(tmp_path, monkeypatch):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)

    def no_open(*args, **kwargs):
        raise AssertionError(f"opened {args[0]!r}")

    monkeypatch.setattr(builtins, "open", no_open)  # if either ran on the FIFO it could block
    monkeypatch.setattr(os, "open", no_open)
    with pytest.raises(ValueError, match=f"cannot load '{fifo}': it is a FIFO"):
        nn.MLP.load(fifo)


def test_load_of_a_fifo_never_blocks(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code = f"""
        import nn
        try:
            nn.MLP.load({str(fifo)!r})
        except ValueError as e:
            print(e)
    """
    try:
        done = run_python(code, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("MLP.load blocked on a FIFO")
    assert "it is a FIFO" in done.stdout, done.stderr


def test_load_refuses_a_device_node_before_reading(tmp_path):
    node = tmp_path / "zero.json"
    try:  # the numbers of /dev/zero, which an unbounded read would never finish
        os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except (PermissionError, OSError) as e:
        pytest.skip(f"cannot make a device node here (needs root): {e}")
    code = f"""
        import nn
        try:
            nn.MLP.load({str(node)!r})
        except ValueError as e:
            print(e)
    """
    done = run_python(code, timeout=30)
    assert "it is a character device" in done.stdout, done.stderr


def test_load_refuses_a_file_over_the_bound_before_reading_it(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:  # sparse: 4 GiB of size and no blocks on disk
        f.truncate(4 << 30)
    code = f"""
        import nn
        try:
            nn.MLP.load({str(big)!r})
        except ValueError as e:
            print(e)
    """
    done = run_python(code, timeout=30)
    assert f"the file has {4 << 30} bytes, but" in done.stdout, done.stderr
    assert "max_parameters=1000000" in done.stdout


def test_the_bound_is_configurable_and_counts_parameters(tmp_path):
    m = nn.MLP(3, [5, 4, 1], seed=1)  # 20 + 24 + 5 = 49 parameters
    m.save(tmp_path / "m.json")
    assert bits(nn.MLP.load(tmp_path / "m.json", max_parameters=49)) == bits(m)
    with pytest.raises(ValueError, match="max_parameters=48"):
        nn.MLP.load(tmp_path / "m.json", max_parameters=48)
    with pytest.raises(ValueError, match="max_parameters: expected an integer >= 1, got 0"):
        nn.MLP.load(tmp_path / "m.json", max_parameters=0)


def test_a_file_that_grows_past_the_bound_while_read_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    path.write_bytes(b"x" * 100)

    def shrunk(real):  # what a file that grows between stat() and read() looks like
        def call(arg, *args, **kwargs):
            st = real(arg, *args, **kwargs)
            return os.stat_result((st.st_mode, *st[1:6], 10, *st[7:]))

        return call

    monkeypatch.setattr(os, "fstat", shrunk(os.fstat))
    monkeypatch.setattr(os, "stat", shrunk(os.stat))
    with pytest.raises(
        ValueError, match="the file has more than 50 bytes, but .* takes at most 50"
    ):
        model_file.read_bounded(path, 50, "model file", 1)


worst = st.sampled_from([-2.2250738585072014e-308, -1.7976931348623157e308, -5e-324])


@settings(max_examples=40, deadline=None)
@given(
    nin=st.integers(1, 12),
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=6),
    value=worst,
    data=st.data(),
)
def test_the_size_bound_covers_every_file_save_writes(nin, sizes, value, data):
    acts = data.draw(st.lists(st.sampled_from(["sigmoid", "linear"]), min_size=len(sizes)))
    m = nn.MLP(nin, sizes, acts[: len(sizes)], init="glorot_uniform", fused=False)
    for p in m.parameters():
        p.data = value  # the longest reprs a float has
    size = len(model_file.mlp_to_bytes(m))
    assert size <= model_file.max_file_bytes(len(m.parameters()))

"""Anomaly mode per thread; what Value() and gradcheck() accept and how they refuse the rest."""

from __future__ import annotations

import math
import threading

import pytest

from engine import Value, detect_anomaly, gradcheck


def test_anomaly_mode_in_one_thread_leaves_the_others_ieee():
    """Several threads at once: those inside detect_anomaly() raise, the others get inf. A barrier
    makes every thread compute while the checking threads are all inside their blocks."""
    n_threads, rounds = 6, 20
    together = threading.Barrier(n_threads, timeout=30)
    results: dict[int, list[str]] = {}

    def overflow() -> str:
        together.wait()  # every thread is now in (or out of) its block
        try:
            out = Value(1e200) * Value(1e200)
        except FloatingPointError:
            outcome = "raised"
        else:
            outcome = "inf" if out.data == math.inf else "other"
        together.wait()  # no thread leaves its block before all have computed
        return outcome

    def work(k: int) -> None:
        seen = []
        for _ in range(rounds):
            if k % 2 == 0:
                with detect_anomaly():
                    seen.append(overflow())
            else:
                seen.append(overflow())
        results[k] = seen

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(n_threads))  # no thread died of an error
    for k, seen in results.items():
        assert set(seen) == ({"raised"} if k % 2 == 0 else {"inf"}), k
    assert (Value(1e200) * Value(1e200)).data == math.inf  # every block closed


def test_anomaly_blocks_nest():
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(FloatingPointError):
            Value(1e200) * Value(1e200)


def test_value_accepts_numpy_scalars_and_bools_as_numbers():
    np = pytest.importorskip("numpy", reason="numpy scalars are what the check is about")
    assert Value(np.True_).data == 1.0 and Value(np.False_).data == 0.0
    assert Value(True).data == 1.0 and Value(False).data == 0.0
    assert Value(np.float32(1.5)).data == 1.5 and Value(np.int64(-3)).data == -3.0
    assert type(Value(np.float64(2.0)).data) is float


def test_an_int_beyond_the_float_range_says_so():
    with pytest.raises(ValueError, match="int of 401 digits, too large for a float"):
        Value(10**400)
    with pytest.raises(ValueError, match="too large for a float"):
        Value(-(10**5000))  # beyond the int-to-str limit too


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"eps": 0}, ValueError, "eps must be finite and > 0, got 0"),
        ({"eps": -1e-6}, ValueError, "eps must be finite and > 0"),
        ({"eps": math.nan}, ValueError, "eps must be finite"),
        ({"atol": -1.0}, ValueError, "atol must be finite and >= 0, got -1.0"),
        ({"rtol": math.inf}, ValueError, "rtol must be finite and >= 0, got inf"),
        ({"eps": "1e-6"}, TypeError, "eps must be a real number, got str"),
        ({"inputs": 1.0}, TypeError, "inputs must be a sequence of Values or numbers, got float"),
        ({"inputs": ["a"]}, TypeError, r"inputs\[0\] must be a Value or a real number, got str"),
        ({"inputs": [math.nan]}, ValueError, r"inputs\[0\] must be finite, got nan"),
        ({"f": 3}, TypeError, "f must be callable, got int"),
    ],
)
def test_gradcheck_refuses_bad_arguments_by_name(kwargs, error, message):
    args = {"f": lambda a: a * a, "inputs": [1.0]} | kwargs
    with pytest.raises(error, match=message):
        gradcheck(**args)

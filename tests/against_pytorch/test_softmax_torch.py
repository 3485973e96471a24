"""nn.softmax, nn.log_softmax and nn.cross_entropy against PyTorch float64 on random logits, large
ones included (logits of 1000 must give finite results), in value and gradient."""

from __future__ import annotations

import math
import random

import pytest

import nn
from engine import Value

torch = None  # set by conftest.py before this file's tests run: not imported at collection


def _logits(rng: random.Random, k: int, scale: float) -> list[float]:
    return [rng.uniform(-scale, scale) for _ in range(k)]


CASES = [(k, scale) for k in (2, 3, 7) for scale in (0.5, 5.0, 1000.0)] + [(3, 1e300)]


def _close(ours: list[float], theirs: list[float]) -> bool:
    return all(math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-15) for a, b in zip(ours, theirs))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_and_log_softmax_follow_pytorch(fn):
    rng = random.Random(fn)
    for k, scale in CASES:
        z = _logits(rng, k, scale)
        weights = [rng.uniform(-1, 1) for _ in range(k)]  # a loss that uses every output
        vs = [Value(x) for x in z]
        out = getattr(nn, fn)(vs)
        sum(w * o for w, o in zip(weights, out)).backward()
        t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        t_out = getattr(torch, fn)(t, dim=0)
        (torch.tensor(weights, dtype=torch.float64) * t_out).sum().backward()
        assert all(math.isfinite(o.data) for o in out), (k, scale)
        assert _close([o.data for o in out], t_out.tolist()), (k, scale)
        assert _close([v.grad for v in vs], t.grad.tolist()), (k, scale)


def test_cross_entropy_follows_pytorch_per_sample_and_per_batch():
    F = torch.nn.functional
    rng = random.Random(5)
    for k, scale in CASES:
        n = 4
        Z = [_logits(rng, k, scale) for _ in range(n)]
        labels = [rng.randrange(k) for _ in range(n)]
        vs = [[Value(x) for x in z] for z in Z]
        J = nn.cross_entropy(vs, labels)
        J.backward()
        t = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
        L = F.cross_entropy(t, torch.tensor(labels))
        L.backward()
        assert math.isfinite(J.data) and J.label == "J"
        assert _close([J.data], [L.item()]), (k, scale)
        assert _close([v.grad for row in vs for v in row], t.grad.flatten().tolist()), (k, scale)
        # one sample: the same as a batch of one
        one = [Value(x) for x in Z[0]]
        j1 = nn.cross_entropy(one, labels[0])
        j1.backward()
        t1 = torch.tensor(Z[0], dtype=torch.float64, requires_grad=True)
        F.cross_entropy(t1, torch.tensor(labels[0])).backward()
        assert _close([v.grad for v in one], t1.grad.tolist())


def test_cross_entropy_with_class_probabilities_follows_pytorch():
    rng = random.Random(8)
    z = _logits(rng, 4, 3.0)
    p = [0.1, 0.2, 0.3, 0.4]
    vs = [Value(x) for x in z]
    J = nn.cross_entropy(vs, p)
    J.backward()
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    L = torch.nn.functional.cross_entropy(t, torch.tensor(p, dtype=torch.float64))
    L.backward()
    assert _close([J.data], [L.item()]) and _close([v.grad for v in vs], t.grad.tolist())

"""Seeded weight initialisation: micrograd's U(-1, 1) and Keras' Glorot-uniform default."""

from __future__ import annotations

import math
import random

from nn import checks

INITS = ("uniform", "glorot_uniform")


def make_rng(seed: int | random.Random | None) -> random.Random:
    """A random source from a seed (deterministic), an existing Random (shared), or None (fresh);
    TypeError for anything else (a float or a string would silently seed by its hash)."""
    seed = checks.random_seed(seed)
    return seed if isinstance(seed, random.Random) else random.Random(seed)


def init_weights(init: str, fan_in: int, fan_out: int, rng: random.Random) -> list[float]:
    """``fan_in`` starting weights for one unit of a layer with ``fan_out`` units.

    'uniform' draws from U(-1, 1), as micrograd does. 'glorot_uniform' draws from U(-r, r) with
    r = sqrt(6 / (fan_in + fan_out)), Keras' default for Dense layers. Biases start at zero in both.
    """
    checks.choice(init, "init", INITS)
    limit = 1.0 if init == "uniform" else math.sqrt(6.0 / (fan_in + fan_out))
    return [rng.uniform(-limit, limit) for _ in range(fan_in)]

"""Statistics shared by the evaluation scripts: k-fold splits and bootstrap intervals.

Every quality figure the project reports comes from held-out folds: weights are chosen on the
training folds with :func:`cross_validate` and scored on the fold that was held out.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Hashable, Sequence, TypeVar

T = TypeVar("T")
C = TypeVar("C")


def kfold(keys: Sequence[Hashable], k: int = 5, seed: int = 13) -> list[list[Hashable]]:
    """Split `keys` into `k` folds of near-equal size, shuffled by `seed` (deterministic)."""
    if k < 2:
        raise ValueError("k-fold needs k >= 2")
    shuffled = sorted(keys, key=str)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::k] for i in range(k)]


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


def bootstrap_ci(values: Sequence[float], *, rounds: int = 2000, level: float = 0.95, seed: int = 7) -> Interval:
    """Mean of `values` with a percentile bootstrap interval (resampling queries)."""
    if not values:
        return Interval(0.0, 0.0, 0.0)
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(rounds))
    lo = means[int((1 - level) / 2 * rounds)]
    hi = means[min(rounds - 1, int((1 + level) / 2 * rounds))]
    return Interval(sum(values) / n, lo, hi)


@dataclass(frozen=True)
class FoldResult:
    fold: int
    chosen: object  # the configuration chosen on the other folds
    held_out: list  # the keys scored with it


def cross_validate(
    keys: Sequence[Hashable],
    configs: Sequence[C],
    train_score: Callable[[C, list[Hashable]], float],
    *,
    k: int = 5,
    seed: int = 13,
) -> list[FoldResult]:
    """For each fold: choose the config with the best `train_score` on the other folds.

    The caller then scores each fold's held-out keys with that fold's chosen config; only those
    held-out scores are reported.
    """
    folds = kfold(keys, k, seed)
    results = []
    for i, held in enumerate(folds):
        train = [key for j, fold in enumerate(folds) if j != i for key in fold]
        best = max(configs, key=lambda config: train_score(config, train))
        results.append(FoldResult(i, best, list(held)))
    return results

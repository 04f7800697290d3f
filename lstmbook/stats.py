"""Comparing two methods honestly: paired seeds, the per-seed table, the paired difference with a
sign count and a bootstrap interval, and a verdict that says no more than the interval allows.

Every comparison in the book goes through :func:`paired_comparison`. Each seed runs both arms on
the same data and (wherever the arms allow) the same initial weights, so the per-seed difference
``b − a`` removes what the seed alone explains. The verdict is ``"inconclusive"`` whenever the
interval of the mean difference contains 0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook.nn._checks import as_array, make_rng, positive_int

__all__ = ["PairedComparison", "paired_comparison"]


class PairedComparison(NamedTuple):
    """The result of :func:`paired_comparison` (``print`` it for the per-seed table)."""

    names: tuple  #: the two arms, (a, b)
    seeds: tuple  #: the seed of each pair
    a: np.ndarray  #: (n,) the metric of arm a per seed
    b: np.ndarray  #: (n,) the metric of arm b per seed
    diff: np.ndarray  #: (n,) b − a per seed
    mean_diff: float  #: mean of diff
    ci: tuple  #: (low, high) percentile-bootstrap interval of the mean difference
    level: float  #: the interval's level, e.g. 0.95
    b_better: int  #: seeds where b is better than a (by ``lower_is_better``)
    a_better: int  #: seeds where a is better than b
    ties: int  #: seeds where they are equal
    lower_is_better: bool
    verdict: str  #: "<b> better", "<a> better" or "inconclusive"

    def table(self, fmt: str = ".4g") -> str:
        """One row per seed, then the paired summary, as plain text."""
        na, nb = self.names
        w = max(len(na), len(nb), 8)
        lines = [f"{'seed':>6}  {na:>{w}}  {nb:>{w}}  {'diff (' + nb + ' - ' + na + ')':>{w}}"]
        for s, x, y, d in zip(self.seeds, self.a, self.b, self.diff, strict=True):
            lines.append(f"{s!s:>6}  {x:>{w}{fmt}}  {y:>{w}{fmt}}  {d:>+{w}{fmt}}")
        lo, hi = self.ci
        better = "lower" if self.lower_is_better else "higher"
        lines.append(f"mean difference {self.mean_diff:+{fmt}}, {self.level:.0%} bootstrap "
                     f"interval [{lo:+{fmt}}, {hi:+{fmt}}]")
        lines.append(f"{nb} better ({better}) on {self.b_better} of {len(self.diff)} seeds, "
                     f"{na} on {self.a_better}, ties {self.ties}: {self.verdict}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def paired_comparison(a, b, *, names=("a", "b"), seeds=None, lower_is_better=True,
                      level=0.95, n_boot=20000, seed=0) -> PairedComparison:
    """Compare arm ``b`` with arm ``a`` on paired runs: ``a[k]`` and ``b[k]`` share seed k.

    ``a``, ``b``: ``(n,)`` float arrays of one metric (a loss, an error rate, steps to solve),
    ``n >= 5``. The interval is a percentile bootstrap of the mean of ``b − a`` over ``n_boot``
    resamples of the seeds (seeded by ``seed``, so the same numbers always give the same
    interval). The verdict names the better arm only when the whole interval lies on its side
    of 0; otherwise it is ``"inconclusive"``.
    """
    a = as_array(a, "a", 1).astype(np.float64)
    b = as_array(b, "b", 1).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape} (one value per seed), "
                         f"got {b.shape}")
    n = a.shape[0]
    if n < 5:
        raise ValueError(f"a paired comparison needs at least 5 seeds, got {n}")
    if len(names) != 2 or not all(isinstance(x, str) for x in names):
        raise TypeError(f"names must be a pair of strings, got {names!r}")
    seeds = tuple(range(n)) if seeds is None else tuple(seeds)
    if len(seeds) != n:
        raise ValueError(f"seeds must have one entry per pair ({n}), got {len(seeds)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    n_boot = positive_int(n_boot, "n_boot")
    diff = b - a
    idx = make_rng(seed=seed).integers(0, n, size=(n_boot, n))
    boots = diff[idx].mean(axis=1)
    lo, hi = np.quantile(boots, [(1 - level) / 2, (1 + level) / 2])
    sign = -1.0 if lower_is_better else 1.0  # b better where sign * diff > 0
    b_better = int(np.sum(sign * diff > 0))
    a_better = int(np.sum(sign * diff < 0))
    if sign * lo > 0 and sign * hi > 0:
        verdict = f"{names[1]} better"
    elif sign * lo < 0 and sign * hi < 0:
        verdict = f"{names[0]} better"
    else:
        verdict = "inconclusive"
    return PairedComparison(tuple(names), seeds, a, b, diff, float(diff.mean()),
                            (float(lo), float(hi)), float(level), b_better, a_better,
                            n - b_better - a_better, bool(lower_is_better), verdict)

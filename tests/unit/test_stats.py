"""lstmbook.stats: the paired comparison every chapter's method comparison goes through."""

import numpy as np
import pytest

from lstmbook.stats import paired_comparison


def test_a_clear_difference_names_the_better_arm():
    a = np.array([0.50, 0.52, 0.48, 0.51, 0.49, 0.50])
    b = a - 0.1  # b lower on every seed: better when lower is better
    r = paired_comparison(a, b, names=("rnn", "lstm"))
    assert r.verdict == "lstm better" and r.b_better == 6 and r.a_better == 0
    assert r.ci[0] <= r.ci[1] < 0
    assert r.mean_diff == pytest.approx(-0.1)
    flipped = paired_comparison(a, b, names=("rnn", "lstm"), lower_is_better=False)
    assert flipped.verdict == "rnn better"


def test_a_difference_inside_the_seed_spread_is_inconclusive():
    a = np.array([0.1, 0.9, 0.2, 0.8, 0.5])
    b = np.array([0.2, 0.8, 0.3, 0.7, 0.5])  # +0.1, -0.1, +0.1, -0.1, 0
    r = paired_comparison(a, b)
    assert r.verdict == "inconclusive" and r.ties == 1
    assert r.ci[0] < 0 < r.ci[1]
    text = str(r)
    assert text.count("\n") == 5 + 2 and "inconclusive" in text


def test_the_interval_is_deterministic_and_pairs_are_required():
    rng = np.random.default_rng(0)
    a, b = rng.random(7), rng.random(7)
    assert paired_comparison(a, b).ci == paired_comparison(a, b).ci
    with pytest.raises(ValueError, match="at least 5 seeds"):
        paired_comparison(a[:4], b[:4])
    with pytest.raises(ValueError, match="b must have the shape of a"):
        paired_comparison(a, b[:6])
    with pytest.raises(TypeError, match="numpy.ndarray"):
        paired_comparison([1.0] * 5, b[:5])

"""Chapter 7 (peephole connections): the comparison study (on a tiny configuration), the timing
explorer's model and the quiz's keys (the peephole layer's gradients and its zero-peephole
equality: tests/unit/nn/test_lstm.py; the timing task: tests/unit/test_data.py; the figures:
tests/unit/test_viz.py; the grader: tests/unit/exercises/test_ch07_peephole.py)."""

import numpy as np
import pytest

from lstmbook.chapters import ch07_peephole as ps
from lstmbook.nn.activations import sigmoid
from lstmbook.quiz import recompute

from .helpers import numeric_questions

TINY = {"H": 3, "T": 8, "delay": 3, "steps": 5, "batch_size": 4, "n_test": 10}


# --------------------------------------------------------------------------- the study
def test_train_timing_tiny_is_deterministic_and_paired():
    a = ps.train_timing(True, 0, **TINY)
    b = ps.train_timing(True, 0, **TINY)
    assert a.test_mse == b.test_mse and np.array_equal(a.losses, b.losses)
    assert a.peephole and a.seed == 0 and a.losses.shape == (5,)
    assert 0 <= a.timing_accuracy <= 1 and np.isfinite(a.test_mse)
    c = ps.train_timing(False, 0, **TINY)
    # same W, U, b, read-out and batches: the first loss is the same (peepholes start small)
    assert not c.peephole and abs(c.losses[0] - a.losses[0]) < 0.5 * a.losses[0]


def test_compare_and_summarize_tiny():
    comp = ps.compare_peepholes((0, 1), **TINY)
    assert [r.seed for r in comp.plain] == [0, 1] == [r.seed for r in comp.peephole]
    assert not any(r.peephole for r in comp.plain) and all(r.peephole for r in comp.peephole)
    s = ps.summarize(comp.plain)
    mses = [r.test_mse for r in comp.plain]
    assert s.n == 2 and np.isclose(s.mean_mse, np.mean(mses))
    assert np.isclose(s.std_mse, np.std(mses, ddof=1))
    assert s.min_mse <= s.mean_mse <= s.max_mse and 0 <= s.n_solved <= 2


def test_study_bad_input():
    with pytest.raises(TypeError, match="peephole"):
        ps.train_timing(1, 0, **TINY)
    with pytest.raises(ValueError, match="seed"):
        ps.train_timing(True, -1, **TINY)
    with pytest.raises(ValueError, match="lr"):
        ps.train_timing(True, 0, lr=0.0, **TINY)
    with pytest.raises(TypeError, match="runs"):
        ps.summarize([])
    with pytest.raises(ValueError, match="seeds"):
        ps.compare_peepholes(())


# --------------------------------------------------------------------------- the explorer
def test_peephole_timing_fires_at_threshold():
    views = [ps.peephole_timing_view(p, -4.0) for p in (0.0, 2.0, 4.0, 8.0)]
    assert [v.fire_step for v in views] == [-1, 28, 14, 7]
    v = views[2]
    assert np.allclose(np.diff(v.c), 0.07, atol=1e-3)  # the cell counts up by `rate`
    assert np.allclose(v.o, sigmoid(-4.0 + 4.0 * v.c))
    assert np.allclose(v.h, v.o * np.tanh(v.c))
    assert v.c[v.fire_step] >= 1.0 > v.c[v.fire_step - 1]
    assert "step 14" in v.summary and "never" in views[0].summary


def test_peephole_timing_bad_input():
    with pytest.raises(ValueError, match="rate"):
        ps.peephole_timing_view(rate=1.5)
    with pytest.raises(TypeError, match="p_o"):
        ps.peephole_timing_view(p_o="4")


# --------------------------------------------------------------------------- quiz
def test_quiz_numeric_keys_recomputed_independently():
    _, numeric = numeric_questions("07_peephole")
    H, D = 64, 10
    assert recompute(numeric[0]) == 3 * H
    assert recompute(numeric[1]) == 4 * H * (D + H + 1) + 3 * H
    assert np.isclose(recompute(numeric[2]), 1 / (1 + np.exp(-1.0)))

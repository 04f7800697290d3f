"""Chapter 2 (the RNN forward pass): per-step batch statistics, the hidden-state explorer's
model and the quiz's numeric keys (layer normalisation: tests/unit/nn/test_layer_norm.py; the
element form of the step and the time-delay window: tests/unit/nn/test_rnn.py; the figures:
tests/unit/test_viz.py; the grader: tests/unit/exercises/test_ch02_rnn_forward.py)."""

import math

import numpy as np
import pytest

from lstmbook.chapters import ch02_rnn_forward as ch02
from lstmbook.nn import sequences
from lstmbook.quiz import key_matches, recompute

from .helpers import numeric_questions


# --------------------------------------------------------------------------- batch statistics
def _padded_batch():
    rng = np.random.default_rng(3)
    lens = np.array([5, 3, 1])
    X, mask, _ = sequences.pad_sequences([rng.normal(size=(L, 2)) for L in lens])
    return X, mask


def test_batch_stats_per_step_counts_only_running_sequences():
    X, mask = _padded_batch()
    X[~mask] = 1e6  # padding must not leak into the statistics
    stats = ch02.batch_stats_per_step(X, mask)
    assert stats.count.tolist() == [3, 2, 2, 1, 1]
    for t in range(5):
        rows = X[mask[:, t], t]
        assert np.allclose(stats.mean[t], rows.mean(axis=0))
        assert np.allclose(stats.var[t], rows.var(axis=0))
    assert np.all(stats.var[3:] == 0)  # one sequence left: no spread at all


def test_batch_norm_per_step_depends_on_batch_mates_and_erases_lone_steps():
    X, mask = _padded_batch()
    bn = ch02.batch_norm_per_step(X, mask)
    bn_pair = ch02.batch_norm_per_step(X[:2], mask[:2])
    assert not np.allclose(bn[0, 0], bn_pair[0, 0])
    assert np.all(bn[0, 3:] == 0)  # sequence 0 runs alone at steps 3 and 4
    assert np.all(bn[~mask] == 0)  # padding stays 0


def test_batch_stats_bad_input():
    X, mask = _padded_batch()
    with pytest.raises(TypeError, match="mask"):
        ch02.batch_stats_per_step(X, mask.astype(int))
    with pytest.raises(ValueError, match="mask"):
        ch02.batch_stats_per_step(X, mask[:, :3])
    with pytest.raises(ValueError, match="states"):
        ch02.batch_stats_per_step(X[0], mask)


# --------------------------------------------------------------------------- the explorer
def test_hidden_trajectories():
    tanh = ch02.hidden_trajectories(1.5, "tanh", "zeros", T=30, H=8, seed=0)
    relu = ch02.hidden_trajectories(1.5, "relu", "zeros", T=30, H=8, seed=0)
    assert tanh.hs.shape == (31, 8) and np.all(tanh.hs[0] == 0)
    assert tanh.max_abs < 1 and relu.max_abs > 1e3
    assert np.all(tanh.gap == 0)  # zero start: no gap
    rand = ch02.hidden_trajectories(0.5, "tanh", "random", T=30, seed=0)
    assert rand.gap[0] > 0.05 and rand.gap[20] < 1e-6 * rand.gap[0]  # the start fades
    # same inputs and weights whatever the initial state: the zero-start runs agree
    assert np.allclose(rand.hs_zero, ch02.hidden_trajectories(0.5, "tanh", "zeros").hs)
    # pure and matching rnn_step on the same parameters
    again = ch02.hidden_trajectories(1.5, "relu", "zeros", T=30, H=8, seed=0)
    assert np.array_equal(again.hs, relu.hs)
    with pytest.raises(ValueError, match="nonlinearity"):
        ch02.hidden_trajectories(1.0, "sigmoid")
    with pytest.raises(ValueError, match="init"):
        ch02.hidden_trajectories(1.0, "tanh", "ones")
    with pytest.raises(ValueError, match="scale"):
        ch02.hidden_trajectories(-1.0)


# --------------------------------------------------------------------------- quiz
def test_quiz_numeric_answers_recomputed_independently():
    _, numeric = numeric_questions("02_rnn_forward")
    assert len(numeric) >= 2
    D, H, O = 3, 4, 2
    count = H * D + H * H + H + O * H + O
    assert count == 42 == recompute(numeric[0]) and key_matches(numeric[0], count)
    assert not key_matches(numeric[0], 36)
    E = 5 * math.log(4)  # five real steps, each −log(1/4)
    assert math.isclose(recompute(numeric[1]), E) and key_matches(numeric[1], E)
    assert not key_matches(numeric[1], 6 * math.log(4))
    assert math.isclose(recompute(numeric[2]), math.log(4)) and key_matches(numeric[2], E / 5)

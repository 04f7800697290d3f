"""Chapter 5 (the constant error carousel): the δ recursion of one unit, error flow against the
lag, the gated memory cell, the weight conflicts, the error-flow explorer's model and the quiz
(the memory task: tests/unit/test_data.py; the figures: tests/unit/test_viz.py; the grader:
tests/unit/exercises/test_ch05_cec.py)."""

import numpy as np
import pytest

from lstmbook import data
from lstmbook.chapters import ch05_cec as cec
from lstmbook.quiz import recompute

from .helpers import numeric_questions


# --------------------------------------------------------------------------- δ recursion
def test_delta_scale_values():
    assert cec.delta_scale(1.0, 1.0, 100) == 1.0
    assert np.isclose(cec.delta_scale(0.9, 1.0, 100), 0.9**100)
    assert np.isclose(cec.delta_scale(1.1, 1.0, 100), 13780.61234, rtol=1e-9)
    assert np.isclose(cec.delta_scale(1.0, 0.25, 10), 0.25**10)
    assert cec.delta_scale(0.5, 1.0, 0) == 1.0


def test_delta_recursion_matches_powers_and_per_step_slopes():
    d = cec.delta_recursion(0.9, 1.0, 100)
    assert d.shape == (101,) and d[0] == 1.0
    assert np.allclose(d, 0.9 ** np.arange(101))
    slopes = np.array([0.5, 1.0, 0.25])
    d2 = cec.delta_recursion(2.0, slopes, 3)
    assert np.allclose(d2, [1.0, 1.0, 2.0, 1.0])


@pytest.mark.parametrize("args, exc", [
    (("0.9", 1.0, 5), TypeError),
    ((0.9, 1.0, -1), ValueError),
    ((0.9, 1.0, 2.5), TypeError),
    ((np.nan, 1.0, 3), ValueError),
])
def test_delta_scale_bad_input(args, exc):
    with pytest.raises(exc):
        cec.delta_scale(*args)


def test_delta_recursion_bad_slopes():
    with pytest.raises(ValueError, match="fprime"):
        cec.delta_recursion(1.0, np.ones(4), 3)


# --------------------------------------------------------------------------- error flow
def test_cec_error_flow_is_exactly_one():
    flow = cec.cec_error_flow(T=50, N=3, seed=1)
    assert flow.lags.tolist() == list(range(50))
    assert np.allclose(flow.ratio, 1.0)


@pytest.mark.parametrize("scale", [0.8, 1.0, 1.2])
def test_linear_rnn_error_is_scale_to_the_lag(scale):
    flow = cec.rnn_error_flow(scale, T=30, H=6, N=2, nonlinearity="identity", seed=3)
    assert np.allclose(flow.ratio, scale ** flow.lags, rtol=1e-8)


def test_tanh_rnn_error_vanishes_for_small_scale_and_explodes_for_large():
    assert cec.rnn_error_flow(0.9, T=100)[1][99] < 1e-10
    assert cec.rnn_error_flow(3.0, T=100)[1][99] > 1e5


def test_rnn_error_flow_is_deterministic():
    a = cec.rnn_error_flow(1.1, T=20, seed=4).ratio
    b = cec.rnn_error_flow(1.1, T=20, seed=4).ratio
    assert np.array_equal(a, b)


@pytest.mark.parametrize("kwargs, exc", [
    ({"scale": -1.0}, ValueError),
    ({"scale": 1.0, "nonlinearity": "relu"}, ValueError),
    ({"scale": 1.0, "T": 0}, ValueError),
    ({"scale": "1"}, TypeError),
])
def test_rnn_error_flow_bad_input(kwargs, exc):
    scale = kwargs.pop("scale")
    with pytest.raises(exc):
        cec.rnn_error_flow(scale, **kwargs)


# --------------------------------------------------------------------------- memory cell
def test_gated_cec_bare_is_running_sum():
    x = np.array([0.5, -0.2, 0.3, 0.1])
    s, y = cec.gated_cec(x)
    assert np.allclose(s, np.cumsum(x)) and np.allclose(y, s)


def test_gated_cec_gates_and_batch():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (3, 7))
    gi, go = rng.uniform(0, 1, (3, 7)), rng.uniform(0, 1, (3, 7))
    s, y = cec.gated_cec(x, gi, go, s0=0.5)
    assert np.allclose(s, 0.5 + np.cumsum(gi * x, axis=1))
    assert np.allclose(y, go * s)


def test_gated_cec_bad_input():
    with pytest.raises(TypeError, match="x"):
        cec.gated_cec([1.0, 2.0])
    with pytest.raises(ValueError, match="g_in"):
        cec.gated_cec(np.ones(4), np.ones(3))
    with pytest.raises(ValueError, match="x"):
        cec.gated_cec(np.ones((2, 2, 2)))


def test_hand_set_gate_is_nearly_binary():
    g = cec.hand_set_gate(np.array([0.0, 1.0]))
    assert g[0] < 1e-4 and g[1] > 1 - 1e-4


def test_weight_conflict_study_tells_the_story():
    task = data.memory_task(500, 20, seed=0)
    bare, best_in, in_gate, best_out, both = cec.weight_conflict_study(task)
    baseline = float((task.target[task.cue == 1] ** 2).mean())
    assert bare.mse_cue > baseline
    assert 0 < best_in.w_in < 0.2 and best_in.mse_cue > 0.9 * baseline
    assert in_gate.mse_cue < 1e-4 < in_gate.mse_rest
    assert 0 < best_out.w_out < 0.2 and best_out.mse_cue > 0.8 * baseline
    assert both.mse_cue < 1e-4 and both.mse_rest < 1e-4
    with pytest.raises(TypeError, match="task"):
        cec.weight_conflict_study((1, 2))


# --------------------------------------------------------------------------- the explorer
def test_error_flow_view():
    view = cec.error_flow_view(1.1, "identity", T=40)
    assert np.allclose(view.rnn, view.theory) and np.allclose(view.cec, 1.0)
    assert "CEC" in view.summary
    assert np.array_equal(cec.error_flow_view(0.9).rnn, cec.error_flow_view(0.9).rnn)


# --------------------------------------------------------------------------- quiz
def test_quiz_numeric_keys_recomputed_independently():
    _, numeric = numeric_questions("05_cec")
    assert len(numeric) >= 4
    assert np.isclose(recompute(numeric[0]), 0.9**20)
    assert np.isclose(recompute(numeric[1]), 1.1**50)
    assert np.isclose(recompute(numeric[2]), (1 - np.tanh(0.5) ** 2) ** 10)
    assert np.isclose(recompute(numeric[3]), 0.7)


def test_error_flow_reports_the_mean_slope():
    flow = cec.rnn_error_flow(1.0, T=30)
    assert 0.0 < flow.mean_fprime < 1.0
    assert cec.rnn_error_flow(1.0, T=30, nonlinearity="identity").mean_fprime == 1.0
    assert cec.cec_error_flow(T=30).mean_fprime == 1.0

"""Chapter 9 (long time lags): the adding problem's baselines, the models and their training,
gradient reach, gate traces, the 1997 success criterion, the race explorer's model and the quiz
keys (what the chapter reads off the LSTM layer, gate_seq and dh_seq:
tests/unit/nn/test_lstm_fused.py; the figures: tests/unit/test_viz.py; the grader:
tests/unit/exercises/test_ch09_long_time_lags.py)."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook import data
from lstmbook.chapters import ch09_long_time_lags as long_lags
from lstmbook.nn import lstm
from lstmbook.quiz import recompute

from .helpers import numeric_questions


# --------------------------------------------------------------------------- baselines
def test_mean_predictor_mse_is_two_thirds_and_matches_sampling():
    assert long_lags.mean_predictor_mse() == pytest.approx(2 / 3)
    assert long_lags.one_value_mse() == pytest.approx(1 / 3)
    _, y = data.adding_problem(100_000, 20, seed=0)
    assert np.mean(y**2) == pytest.approx(2 / 3, abs=0.01)
    X, y = data.adding_problem(100_000, 20, seed=1)
    second = X[np.arange(len(X)), 10 + X[:, 10:, 1].argmax(axis=1), 0]
    assert np.mean((y[:, 0] - second) ** 2) == pytest.approx(1 / 3, abs=0.01)


def test_quiz_numeric_keys():
    _, numeric = numeric_questions("09_long_time_lags")
    values = [recompute(q) for q in numeric]
    assert values[0] == pytest.approx(2 / 3)
    assert values[1] == pytest.approx(1 / 3)
    assert values[2] == 361
    assert values[3] == pytest.approx(0.95**50)


# --------------------------------------------------------------------------- training
def test_make_model_parameter_counts_and_forget_bias():
    m = long_lags.make_model("lstm", hidden=8)
    assert sum(p.size for p in m.params.values()) == 361
    b = m.layer.params["b"]
    plain = lb.LSTM(2, 8, seed=0, dtype=np.float32)
    assert np.all(np.abs(b[8:16] - 1.0) <= 1 / np.sqrt(8) + 1e-6)  # forget block shifted by 1
    assert np.all(np.abs(plain.params["b"]) <= 1 / np.sqrt(8) + 1e-6)
    assert sum(p.size for p in long_lags.make_model("rnn").params.values()) == 97
    with pytest.raises(ValueError, match="cell"):
        long_lags.make_model("gru")
    with pytest.raises(TypeError, match="hidden"):
        long_lags.make_model("lstm", hidden=2.5)


def test_train_adding_is_repeatable_and_short_lag_is_learned():
    a = long_lags.train_adding("lstm", T=8, iters=300, lr=1e-2, halve=150, eval_every=100,
                               n_test=200)
    b = long_lags.train_adding("lstm", T=8, iters=300, lr=1e-2, halve=150, eval_every=100,
                               n_test=200)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert a.eval_steps.tolist() == [100, 200, 300]
    assert a.loss.shape == (300,)
    assert a.test_mse == a.eval_mse[-1]
    assert a.test_mse < 0.1  # a lag of 8 is easy
    with pytest.raises(ValueError, match="iters"):
        long_lags.train_adding("lstm", iters=0)


def test_gradient_norm_per_step_shape_and_vanishing_in_untrained_rnn():
    X, y = long_lags.held_out_set(40, 64)
    g_rnn = long_lags.gradient_norm_per_step(long_lags.make_model("rnn"), X, y)
    g_lstm = long_lags.gradient_norm_per_step(long_lags.make_model("lstm"), X, y)
    assert g_rnn.shape == g_lstm.shape == (40,)
    assert g_rnn[0] / g_rnn[-1] < 1e-6
    assert g_lstm[0] / g_lstm[-1] > 1e3 * g_rnn[0] / g_rnn[-1]


def test_trace_sequence_matches_layer_forward_and_gate_seq():
    model = long_lags.make_model("lstm", seed=3)
    X, y = long_lags.held_out_set(12, 2)
    tr = long_lags.trace_sequence(model, X[0], y[0, 0])
    assert tr.c.shape == tr.i.shape == (12, 8)
    Y, _ = model.layer.forward(X)
    np.testing.assert_allclose(tr.h, Y[0], atol=1e-5)
    i, f, g, o = lstm.split_gates(model.layer.gate_seq[:, 0])
    np.testing.assert_allclose(tr.i, i, atol=1e-5)
    np.testing.assert_allclose(tr.f, f, atol=1e-5)
    np.testing.assert_allclose(tr.g, g, atol=1e-5)
    np.testing.assert_allclose(tr.o, o, atol=1e-5)
    assert tr.prediction == pytest.approx(float(model.forward(X)[0, 0]), abs=1e-5)
    with pytest.raises(TypeError, match="LSTM"):
        long_lags.trace_sequence(long_lags.make_model("rnn"), X[0])
    with pytest.raises(ValueError, match="x must have shape"):
        long_lags.trace_sequence(model, X[0, :, :1])


def test_fraction_correct_1997():
    t = np.array([0.0, 0.0, 1.0, -1.0])
    p = np.array([0.15, -0.17, 1.0, -0.5])
    assert long_lags.fraction_correct_1997(p, t) == 0.5
    with pytest.raises(ValueError, match="same size"):
        long_lags.fraction_correct_1997(p, t[:3])
    with pytest.raises(ValueError, match="tol"):
        long_lags.fraction_correct_1997(p, t, tol=0)


# --------------------------------------------------------------------------- explorer
def test_race_compute_is_pure_and_rnn_copes_with_short_lag():
    a = long_lags.long_lag_race(6, 4, iters=200)
    b = long_lags.long_lag_race(6, 4, iters=200)
    np.testing.assert_array_equal(a.rnn, b.rnn)
    np.testing.assert_array_equal(a.lstm, b.lstm)
    assert a.T == 6 and a.hidden == 4 and a.eval_steps.tolist() == [100, 200]
    with pytest.raises(ValueError, match="T"):
        long_lags.long_lag_race(1, 4)
    with pytest.raises(TypeError, match="hidden"):
        long_lags.long_lag_race(10, "8")

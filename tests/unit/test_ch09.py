"""Ch9, long time lags: chapters.ch09_long_time_lags, the explorer's compute, plots, quiz keys,
and the fast LSTM layer's extras (gate_seq, layouts) the chapter relies on."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lstmbook as lb
from lstmbook import data, viz
from lstmbook.chapters import ch09_long_time_lags as long_lags
from lstmbook.chapters.ch09_long_time_lags import long_lag_race as _compute_long_lag_race
from lstmbook.nn import lstm
from lstmbook.quiz import load_quiz, recompute


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
    qs = load_quiz("09_long_time_lags")
    assert len(qs) >= 5
    values = [recompute(q) for q in qs if "check" in q]
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
    a = _compute_long_lag_race(6, 4, iters=200)
    b = _compute_long_lag_race(6, 4, iters=200)
    np.testing.assert_array_equal(a.rnn, b.rnn)
    np.testing.assert_array_equal(a.lstm, b.lstm)
    assert a.T == 6 and a.hidden == 4 and a.eval_steps.tolist() == [100, 200]
    with pytest.raises(ValueError, match="T"):
        _compute_long_lag_race(1, 4)
    with pytest.raises(TypeError, match="hidden"):
        _compute_long_lag_race(10, "8")


# --------------------------------------------------------------------------- plots
def test_plots_draw():
    X, y = data.adding_problem(1, 20, seed=0)
    fig, axes = plt.subplots(5, 1)
    viz.plot_adding_sequence(axes[0], X[0], target=y[0, 0])
    assert "target" in axes[0].get_title()
    viz.plot_mse_curves(axes[1], [1, 2], {"a": [0.5, 0.1]}, references={"r": 0.6})
    assert axes[1].get_yscale() == "log"
    viz.plot_grad_reach(axes[2], {"a": np.ones(5), "b": np.zeros(5)})
    assert viz.plot_trace_heatmap(axes[3], np.zeros((20, 3)), marked=[2, 15]) is axes[3]
    assert axes[3].images[0].get_array().shape == (3, 20)
    viz.plot_final_mse_by_lag(axes[4], [5, 10], {"a": [0.1, 0.2]}, references={"r": 0.6})
    plt.close(fig)


# --------------------------------------------------------------------------- fast LSTM layer
@pytest.mark.parametrize("N, H", [(3, 4), (40, 64)])  # both memory layouts of LSTM.forward
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_lstm_layer_gate_seq_and_dh_seq_equal_the_readable_loop(N, H, dtype):
    """What the chapter reads off the layer (gate_seq, dh_seq) equals lstm_forward's caches and
    lstm_backward's dh_seq (the full comparison: tests/unit/nn/test_lstm.py)."""
    rng = np.random.default_rng(0)
    T, D = 7, 5
    layer = lb.LSTM(D, H, seed=1, dtype=dtype, forget_bias=1.0)
    X = rng.standard_normal((N, T, D)).astype(dtype)
    h0 = rng.standard_normal((N, H)).astype(dtype)
    c0 = rng.standard_normal((N, H)).astype(dtype)
    dY = rng.standard_normal((N, T, H)).astype(dtype)
    dhT = rng.standard_normal((N, H)).astype(dtype)
    Y, (hT, cT) = layer.forward(X, (h0, c0))
    layer.backward(dY, (dhT, np.zeros_like(dhT)))
    assert layer.gate_seq.shape == (T, N, 4 * H) and layer.dh_seq.shape == (N, T, H)
    Y_ref, (_, cT_ref), caches = lstm.lstm_forward(X, (h0, c0), layer.params)
    _, _, _, dh_seq = lstm.lstm_backward(dY, (dhT, np.zeros_like(dhT)), caches, layer.params)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(Y, Y_ref, atol=tol)
    np.testing.assert_allclose(cT, cT_ref, atol=tol)
    gates = np.stack([np.concatenate([k.i, k.f, k.g, k.o], axis=1) for k in caches])
    np.testing.assert_allclose(layer.gate_seq, gates, atol=tol)
    np.testing.assert_allclose(layer.dh_seq, dh_seq, atol=10 * tol)


def test_dh_seq_is_not_overwritten_by_a_later_backward():
    layer = lb.LSTM(2, 3, seed=0)
    X = np.ones((2, 4, 2))
    layer.forward(X)
    layer.backward(np.ones((2, 4, 3)))
    first = layer.dh_seq.copy()
    kept = layer.dh_seq
    layer.forward(2 * X)
    layer.backward(np.zeros((2, 4, 3)))
    np.testing.assert_array_equal(kept, first)

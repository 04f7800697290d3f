"""Chapter 9 (long time lags): the adding problem's baselines, the models and their training,
gradient reach, gate traces, the 1997 success criterion, the race explorer's model and the quiz
keys (what the chapter reads off the LSTM layer, gate_seq and dh_seq:
tests/unit/nn/test_lstm_fused.py; the figures: tests/unit/test_viz.py; the grader:
tests/unit/exercises/test_ch09_long_time_lags.py)."""

import ast
import json
from pathlib import Path

import numpy as np
import pytest

import lstmbook as lb
from lstmbook import data
from lstmbook.chapters import ch09_long_time_lags as long_lags
from lstmbook.nn import lstm
from lstmbook.nn.protocol import count_params
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


# --------------------------------------------------------------------------- baselines of the text
def test_memory_window_and_uniform01_baselines():
    assert long_lags.memory_window_mse(0, 50) == pytest.approx(2 / 3)
    assert long_lags.memory_window_mse(25, 50) == pytest.approx(1 / 3)
    assert long_lags.memory_window_mse(99, 50) == pytest.approx(1 / 3)
    assert long_lags.memory_window_mse(10, 50) == pytest.approx(2 / 3 - 10 / 75)
    X, y = data.adding_problem(200_000, 50, seed=5)
    lag = long_lags.lag_of_second(X)
    assert lag.min() == 0 and lag.max() == 24
    x2 = X[np.arange(len(X)), 49 - lag, 0]
    pred = np.where(lag < 10, x2, 0.0)  # the model the formula describes
    assert np.mean((pred - y[:, 0]) ** 2) == pytest.approx(long_lags.memory_window_mse(10, 50),
                                                          abs=0.005)
    assert long_lags.uniform01_no_memory_mse() == pytest.approx(1 / 6)
    u = np.random.default_rng(1).uniform(0, 1, (200_000, 2)).sum(axis=1)
    assert np.var(u) == pytest.approx(long_lags.uniform01_no_memory_mse(), abs=0.003)
    with pytest.raises(TypeError, match="k"):
        long_lags.memory_window_mse(2.5, 50)


def test_rnn_inits_share_input_weights_and_head_and_set_u():
    models = {init: long_lags.make_model("rnn", init=init, seed=4) for init in long_lags.RNN_INITS}
    for m in models.values():
        np.testing.assert_array_equal(m.layer.params["W"], models["uniform"].layer.params["W"])
        np.testing.assert_array_equal(m.head.params["W"], models["uniform"].head.params["W"])
    U = models["orthogonal"].layer.params["U"].astype(np.float64)
    np.testing.assert_allclose(U @ U.T, np.eye(8), atol=1e-5)
    np.testing.assert_array_equal(models["irnn"].layer.params["U"], np.eye(8))
    assert np.all(models["irnn"].layer.params["b"] == 0)
    assert models["irnn"].layer.nonlinearity == "relu"
    assert models["uniform"].layer.nonlinearity == "tanh"
    assert count_params(models["irnn"]) == 97
    with pytest.raises(ValueError, match="init"):
        long_lags.make_model("lstm", init="irnn")
    with pytest.raises(ValueError, match="init"):
        long_lags.make_model("rnn", init="zeros")


def test_regress_on_x2_by_lag_reads_slopes():
    X, y = long_lags.held_out_set(20, 2000)
    lag = long_lags.lag_of_second(X)
    x2 = X[np.arange(len(X)), 19 - lag, 0]
    fit = long_lags.regress_on_x2_by_lag(np.where(lag < 3, x2, 0.0), X, y, edges=(0, 3, 10))
    assert fit.slope_x2[0] == pytest.approx(1.0) and fit.r2_x2[0] == pytest.approx(1.0)
    assert fit.slope_x2[1] == pytest.approx(0.0, abs=1e-9)
    assert fit.n.sum() == 2000 and "lag of X2" in fit.table()
    full = long_lags.regress_on_x2_by_lag(y[:, 0], X, y, edges=(0, 10))
    assert full.mse[0] == pytest.approx(0.0) and full.slope_x1[0] == pytest.approx(1.0, abs=0.1)
    with pytest.raises(ValueError, match="increasing"):
        long_lags.regress_on_x2_by_lag(y[:, 0], X, y, edges=(3, 3))
    with pytest.raises(ValueError, match="one row"):
        long_lags.regress_on_x2_by_lag(y[:5, 0], X, y)


def test_sweep_and_paired_study_are_repeatable():
    sw = long_lags.lr_sweep(("uniform", "irnn"), (1e-2, 3e-2), T=6, iters=60, n_test=100)
    assert sw.test_mse.shape == (2, 2) and sw.best_lr in (1e-2, 3e-2)
    assert sw.test_mse.min() == sw.test_mse[sw.inits.index(sw.best_init),
                                            sw.lrs.index(sw.best_lr)]
    assert "lowest: init=" in sw.table()
    cfg = dict(T=6, iters=60, lr=1e-2, halve=30, eval_every=60, n_test=100)
    a = long_lags.compare_cells(rnn_init="irnn", rnn_lr=3e-2, **cfg)
    b = long_lags.compare_cells(rnn_init="irnn", rnn_lr=3e-2, **cfg)
    assert len(a.rnn) == len(a.lstm) == len(long_lags.SEEDS) == 5
    np.testing.assert_array_equal(a.comparison.diff, b.comparison.diff)
    assert a.comparison.names == ("RNN", "LSTM") and "seed" in a.comparison.table()
    # the RNN arm really used its own rate and start
    solo = long_lags.train_adding("rnn", init="irnn", seed=2, **{**cfg, "lr": 3e-2})
    assert a.comparison.a[2] == solo.test_mse
    # a run given for reuse (evaluated more often: the same training) replaces its twin
    lstm0 = long_lags.train_adding("lstm", seed=0, **{**cfg, "eval_every": 20})
    assert lstm0.test_mse == a.comparison.b[0]
    c = long_lags.compare_cells(rnn_init="irnn", rnn_lr=3e-2, given={("lstm", 0): lstm0}, **cfg)
    assert c.lstm[0] is lstm0
    np.testing.assert_array_equal(c.comparison.diff, a.comparison.diff)


# --------------------------------------------------------------------------- what the text quotes
BOOK = Path(__file__).resolve().parents[3] / "book" / "09_long_time_lags.ipynb"


def _benchmark_dicts():
    nb = json.loads(BOOK.read_text(encoding="utf-8"))
    src = next("".join(c["source"]) for c in nb["cells"]
               if c["cell_type"] == "code" and "BENCHMARK_T100 = {" in "".join(c["source"]))
    found = {}
    for node in ast.parse(src).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id.startswith("BENCHMARK_"):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return src, found


def test_benchmark_numbers_quoted_in_the_chapter_name_their_command():
    src, found = _benchmark_dicts()
    assert set(found) == {"BENCHMARK_T100", "BENCHMARK_1997"}
    for name, d in found.items():
        assert {"command", "T", "layout", "iters", "seeds", "rnn", "rnn_fair", "fair_init",
                "fair_lr", "lstm"} <= set(d), name
        assert d["command"].startswith("python benchmarks/adding_problem.py")
        assert f"# printed by: {d['command']}" in src
        n = len(d["seeds"])
        assert n >= 5 and len(d["rnn"]) == len(d["rnn_fair"]) == len(d["lstm"]) == n
        assert d["fair_init"] in long_lags.RNN_INITS
    b97 = found["BENCHMARK_1997"]
    assert f"# printed by: {b97['command_lstm']}" in src and "--lstm-sweep" in b97["command_lstm"]
    assert len(b97["lstm_tuned"]) == len(b97["seeds"]) and b97["lstm_again"] == b97["lstm"]
    assert "--layout 1997" in found["BENCHMARK_1997"]["command"]
    assert found["BENCHMARK_1997"]["layout"] == "1997" and found["BENCHMARK_1997"]["T"] == 100


def test_quiz_09_gradient_feedback_matches_what_the_chapter_prints():
    """The feedback of quiz 09's gradient question quotes the chapter's seed-0 run: forget gates
    averaging 0.58 to 0.88 per unit, a cell path below 10⁻³, about a quarter of the error at
    step 0, 10⁻⁶ (LSTM) and 10⁻¹⁵ (RNN) before training."""
    quiz = json.loads((Path(long_lags.__file__).resolve().parents[1] / "quizzes"
                       / "09_long_time_lags.json").read_text(encoding="utf-8"))
    text = next(a["feedback"] for q in quiz if q["type"] == "multiple_choice"
                for a in q["answers"] if a["correct"] and "quarter" in a["feedback"])
    assert "0.58 to 0.88" in text and "10⁻⁶" in text and "10⁻¹⁵" in text and "10⁻³" in text
    config = dict(T=50, hidden=8, iters=1500, lr=1e-2, halve=500, eval_every=1500, seed=0)
    lstm_run = long_lags.train_adding("lstm", **config)
    X, y = long_lags.held_out_set(50, 1000)
    layer = lstm_run.model.layer
    layer.forward(X)
    _, f_gate, _, _ = np.split(layer.gate_seq, 4, axis=2)
    is_marked = X[:, :, 1].T > 0.5
    after_first = np.arange(50)[:, None] > X[:, :, 1].argmax(axis=1)[None, :]
    f_hold = f_gate[after_first & ~is_marked].mean(axis=0)
    assert f"{f_hold.min():.2f} to {f_hold.max():.2f}" == "0.58 to 0.88"
    cell_path = np.cumprod(f_gate[::-1], axis=0)[::-1][1].mean(axis=0)
    assert cell_path.max() < 1e-3
    Xb, yb = X[:200], y[:200]
    g = long_lags.gradient_norm_per_step(lstm_run.model, Xb, yb)
    assert 0.2 <= g[0] / g[-1] <= 0.33  # "about a quarter"

    def exponent(model):
        g = long_lags.gradient_norm_per_step(model, Xb, yb)
        return int(f"{g[0] / g[-1]:.1e}".split("e")[1])

    assert exponent(long_lags.make_model("lstm")) == -6
    assert exponent(long_lags.make_model("rnn")) == -15

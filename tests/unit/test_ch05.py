"""Ch5, the constant error carousel: chapters.ch05_cec, its widget compute, plots and quiz
(the grader: tests/unit/exercises/test_ch05_cec.py)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstmbook import data
from lstmbook.chapters import ch05_cec as cec
from lstmbook.chapters.ch05_cec import error_flow_view as _compute_error_flow
from lstmbook.quiz import load_quiz, recompute  # noqa: E402


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


def test_memory_task_structure():
    task = data.memory_task(50, 12, seed=2)
    x, marker, cue, target = task
    assert x.shape == marker.shape == cue.shape == target.shape == (50, 12)
    assert np.all(marker.sum(1) == 1) and np.all(cue.sum(1) == 1)
    assert np.all(marker.argmax(1) < 6) and np.all(cue.argmax(1) >= 6)
    rows = np.arange(50)
    assert np.allclose(target[rows, cue.argmax(1)], x[rows, marker.argmax(1)])
    assert np.count_nonzero(target) <= 50
    with pytest.raises(ValueError, match="T"):
        data.memory_task(3, 1)


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


# --------------------------------------------------------------------------- widget, plots
def test_compute_error_flow_view():
    view = _compute_error_flow(1.1, "identity", T=40)
    assert np.allclose(view.rnn, view.theory) and np.allclose(view.cec, 1.0)
    assert "CEC" in view.summary
    assert np.array_equal(_compute_error_flow(0.9).rnn, _compute_error_flow(0.9).rnn)


def test_plots_draw():
    from lstmbook import viz
    from lstmbook.viz import plot_error_flow_view as _draw_error_flow

    fig, axes = plt.subplots(1, 3)
    view = _compute_error_flow(0.9, T=20)
    assert _draw_error_flow(axes[0], view, scale=0.9) is axes[0]
    assert len(axes[0].get_lines()) >= 3
    task = data.memory_task(2, 10, seed=0)
    s, y = cec.gated_cec(task.x[0])
    assert viz.plot_cec_traces(axes[1], task.x[0], {"s": s, "y": y}, marker=task.marker[0],
                               cue=task.cue[0]) is axes[1]
    assert viz.plot_error_flow(axes[2], np.arange(3), {"a": np.ones(3)}) is axes[2]
    plt.close(fig)


# --------------------------------------------------------------------------- quiz
def test_quiz_numeric_keys_recomputed_independently():
    numeric = [q for q in load_quiz("05_cec") if q["type"] == "numeric"]
    assert len(numeric) >= 4 and all("check" in q for q in numeric)
    assert np.isclose(recompute(numeric[0]), 0.9**20)
    assert np.isclose(recompute(numeric[1]), 1.1**50)
    assert np.isclose(recompute(numeric[2]), 0.25**10)
    assert np.isclose(recompute(numeric[3]), 0.7)
    assert len(load_quiz("05_cec")) >= 5

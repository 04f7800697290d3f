"""Chapter 2 (the RNN forward pass): layer normalisation and per-step batch statistics, the
hidden-state explorer's compute function, the Elman-step grader, the chapter's plots and quiz."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lstmbook
from lstmbook.chapters import ch02_rnn_forward as ch02
from lstmbook.nn import layer_norm, losses, sequences
from lstmbook.nn.gradcheck import numerical_gradient, relative_error
from lstmbook.quiz import key_matches, load_quiz, recompute

# --------------------------------------------------------------------------- layer norm


def test_layer_norm_normalises_each_sample_by_itself():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 5.0, size=(4, 6, 8))
    y, _ = layer_norm.layer_norm(x, np.ones(8), np.zeros(8), eps=1e-12)
    assert np.allclose(y.mean(axis=-1), 0, atol=1e-12)
    assert np.allclose(y.var(axis=-1), 1, atol=1e-9)
    # independent of the rest of the batch
    y_one, _ = layer_norm.layer_norm(x[2:3], np.ones(8), np.zeros(8), eps=1e-12)
    assert np.allclose(y_one, y[2:3])
    # gain and bias
    g, b = rng.normal(size=8), rng.normal(size=8)
    y2, _ = layer_norm.layer_norm(x, g, b, eps=1e-12)
    assert np.allclose(y2, g * y + b)


@pytest.mark.parametrize("shape", [(5, 4), (3, 5, 4), (2, 3)])
def test_layer_norm_gradient_check(shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    F = shape[-1]
    g, b = rng.normal(size=F), rng.normal(size=F)
    R = rng.normal(size=shape)

    def loss():
        return float(np.sum(layer_norm.layer_norm(x, g, b)[0] * R))

    _, cache = layer_norm.layer_norm(x, g, b)
    dx, dg, db = layer_norm.layer_norm_backward(R, cache)
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    assert relative_error(dg, numerical_gradient(loss, g)) < 1e-7
    assert relative_error(db, numerical_gradient(loss, b)) < 1e-7


def test_layer_norm_bad_input():
    x = np.zeros((2, 3))
    with pytest.raises(TypeError, match="x"):
        layer_norm.layer_norm([[1.0, 2.0]], np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="gamma"):
        layer_norm.layer_norm(x, np.ones(4), np.zeros(3))
    with pytest.raises(ValueError, match="beta"):
        layer_norm.layer_norm(x, np.ones(3), np.zeros(2))
    with pytest.raises(ValueError, match="F >= 2"):
        layer_norm.layer_norm(np.zeros((2, 1)), np.ones(1), np.zeros(1))
    with pytest.raises(ValueError, match="eps"):
        layer_norm.layer_norm(x, np.ones(3), np.zeros(3), eps=0)
    _, cache = layer_norm.layer_norm(x, np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="dy"):
        layer_norm.layer_norm_backward(np.zeros((3, 3)), cache)
    with pytest.raises(TypeError, match="cache"):
        layer_norm.layer_norm_backward(np.zeros((2, 3)), (1, 2, 3))


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


# --------------------------------------------------------------------------- the widget


def test_hidden_trajectories_compute():
    from lstmbook.chapters.ch02_rnn_forward import (
        hidden_trajectories as _compute_hidden_trajectories,
    )

    tanh = _compute_hidden_trajectories(1.5, "tanh", "zeros", T=30, H=8, seed=0)
    relu = _compute_hidden_trajectories(1.5, "relu", "zeros", T=30, H=8, seed=0)
    assert tanh.hs.shape == (31, 8) and np.all(tanh.hs[0] == 0)
    assert tanh.max_abs < 1 and relu.max_abs > 1e3
    assert np.all(tanh.gap == 0)  # zero start: no gap
    rand = _compute_hidden_trajectories(0.5, "tanh", "random", T=30, seed=0)
    assert rand.gap[0] > 0.05 and rand.gap[20] < 1e-6 * rand.gap[0]  # the start fades
    # same inputs and weights whatever the initial state: the zero-start runs agree
    assert np.allclose(rand.hs_zero, _compute_hidden_trajectories(0.5, "tanh", "zeros").hs)
    # pure and matching rnn_step on the same parameters
    again = _compute_hidden_trajectories(1.5, "relu", "zeros", T=30, H=8, seed=0)
    assert np.array_equal(again.hs, relu.hs)
    with pytest.raises(ValueError, match="nonlinearity"):
        _compute_hidden_trajectories(1.0, "sigmoid")
    with pytest.raises(ValueError, match="init"):
        _compute_hidden_trajectories(1.0, "tanh", "ones")
    with pytest.raises(ValueError, match="scale"):
        _compute_hidden_trajectories(-1.0)


def test_hidden_explorer_builds_and_draws():
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmbook.chapters.ch02_rnn_forward import (
        hidden_trajectories as _compute_hidden_trajectories,
    )
    from lstmbook.viz import plot_hidden_trajectories_view as _draw_hidden_trajectories
    from lstmbook.widgets import build_hidden_explorer

    assert build_hidden_explorer() is not None
    for args in ((0.9, "tanh", "random"), (1.5, "relu", "zeros")):
        fig, axes = plt.subplots(1, 2)
        _draw_hidden_trajectories(axes, _compute_hidden_trajectories(*args))
        plt.close(fig)


def test_chapter_2_plots_run():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmbook import viz

    fig, axes = plt.subplots(2, 3)
    t = np.arange(10.0)
    assert viz.plot_recall_predictions(axes[0, 0], t, {"a": t + 1}, t0=2) is axes[0, 0]
    assert viz.plot_hidden_trajectories(axes[0, 1], np.ones((5, 3)), bound=1) is axes[0, 1]
    viz.plot_state_gap(axes[0, 2], {"x": np.array([1.0, 0.1, 0.0])})
    viz.plot_perturbation(axes[1, 0], {"rnn": np.ones(5), "ff": np.zeros(5)})
    viz.plot_batch_stats(axes[1, 1], axes[1, 2], np.array([3, 2, 1]), np.zeros((3, 2)))
    plt.close(fig)


# --------------------------------------------------------------------------- quiz and maths


def test_chapter_2_quiz_numeric_answers_recomputed_independently():
    questions = load_quiz("02_rnn_forward")
    assert len(questions) >= 5
    numeric = [q for q in questions if q["type"] == "numeric"]
    assert len(numeric) >= 2 and all("check" in q for q in numeric)
    D, H, O = 3, 4, 2
    count = H * D + H * H + H + O * H + O
    assert count == 42 == recompute(numeric[0]) and key_matches(numeric[0], count)
    assert not key_matches(numeric[0], 36)
    E = 5 * math.log(4)  # five real steps, each −log(1/4)
    assert math.isclose(recompute(numeric[1]), E) and key_matches(numeric[1], E)
    assert not key_matches(numeric[1], 6 * math.log(4))
    assert math.isclose(recompute(numeric[2]), math.log(4)) and key_matches(numeric[2], E / 5)


def test_element_form_and_bias_as_weight_match_rnn_step():
    rnn = lstmbook.RNN(3, 4, seed=0)
    p = rnn.params
    rng = np.random.default_rng(0)
    x, h = rng.normal(size=3), rng.normal(size=4)
    u = [p["b"][j] + sum(p["W"][j, i] * x[i] for i in range(3))
         + sum(p["U"][j, k] * h[k] for k in range(4)) for j in range(4)]
    ref, _ = lstmbook.rnn_step(x[None], h[None], p)
    assert np.allclose(np.tanh(u), ref[0])
    W_aug = np.concatenate([p["b"][:, None], p["W"]], axis=1)
    aug, _ = lstmbook.rnn_step(np.concatenate([[1.0], x])[None], h[None],
                               {"W": W_aug, "U": p["U"], "b": np.zeros(4)})
    assert np.allclose(aug, ref)


def test_masked_loss_ignores_padding():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(2, 3, 3))
    targets = np.array([[0, 2, 1], [1, 1, 0]])
    mask = sequences.lengths_to_mask(np.array([3, 2]), 3)
    E, d = losses.softmax_cross_entropy(logits, targets, mask, reduction="sum")
    logits[1, 2] = [50.0, -50.0, 9.0]
    E2, d2 = losses.softmax_cross_entropy(logits, targets, mask, reduction="sum")
    assert math.isclose(E, E2) and np.all(d2[1, 2] == 0)


def test_time_delay_network_remembers_exactly_its_window():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(16, 30, 1))
    target = X[:, 2:26, 0]  # the targets x_{t-4} for t = 6 .. 29
    for window, solvable in ((3, False), (5, True)):
        Z = lstmbook.nn.rnn.delay_embed(X, window)[:, 6:30].reshape(-1, window)
        A = np.concatenate([Z, np.ones((len(Z), 1))], axis=1)
        coef, *_ = np.linalg.lstsq(A, target.reshape(-1), rcond=None)
        err = np.mean((A @ coef - target.reshape(-1)) ** 2)
        assert (err < 1e-20) if solvable else (err > 0.25)

"""Chapter 4 (vanishing and exploding gradients): the Jacobian-product norms, the lag task, the
gradient-norm explorer, the quiz and the chapter's labels (the grader: tests/unit/exercises/)."""

import json
from pathlib import Path

import numpy as np
import pytest

from lstmbook import symbolic
from lstmbook.chapters import ch03_bptt as gf3
from lstmbook.chapters import ch04_gradient_problems as gf4
from lstmbook.nn import activations as functions
from lstmbook.nn._checks import make_rng
from lstmbook.nn.rnn import spectral_radius
from lstmbook.quiz import load_quiz, recompute

BOOK = Path(__file__).resolve().parents[2] / "book"


# --------------------------------------------------------------------------- Jacobian norms
@pytest.mark.parametrize("radius", [0.5, 1.3, 2.0])
def test_rnn_with_radius_sets_the_spectral_radius(radius):
    rnn = gf3.rnn_with_radius(12, radius, "relu", seed=3)
    assert spectral_radius(rnn.params["U"]) == pytest.approx(radius, rel=1e-10)
    assert rnn.nonlinearity == "relu"


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid"])
def test_jacobian_norms_match_the_backward_pass(nonlinearity):
    """Chapter 3's backward pass with d_final_state = e_i gives row i of ∂h_T/∂h_t."""
    T, H, n_seq, seed, radius = 9, 5, 2, 4, 1.4
    flow = gf4.jacobian_norms(radius, nonlinearity, T=T, hidden_size=H, n_seq=n_seq, seed=seed)
    rnn = gf3.rnn_with_radius(H, radius, nonlinearity, seed=seed)
    X = make_rng(seed=seed + 1).standard_normal((n_seq, T, 1))
    rnn.forward(X)
    rows = []
    for i in range(H):
        e = np.zeros((n_seq, H))
        e[:, i] = 1.0
        rnn.backward(np.zeros((n_seq, T, H)), e)
        rows.append(rnn.dh_seq.copy())  # (N, T, H): e_i^T ∂h_T/∂h_t
    J = np.stack(rows, axis=2)  # (N, T, H_out, H_in)
    for n in range(n_seq):
        for lag in range(T):
            expected = np.linalg.norm(J[n, T - 1 - lag], 2)
            assert flow.per_sequence[n, lag] == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(flow.norms, flow.per_sequence.mean(axis=0))
    assert flow.norms[0] == 1.0 and flow.lags.tolist() == list(range(T))


def test_jacobian_norms_vanish_and_explode_where_the_chapter_says():
    small = gf4.jacobian_norms(0.5, "tanh")
    big = gf4.jacobian_norms(3.0, "relu")
    assert small.norms[30] < 1e-6 < 1e6 < big.norms[30]
    for r in (0.5, 1.0, 3.0):
        assert gf4.jacobian_norms(r, "sigmoid").norms[30] < 1e-6
    assert gf4.jacobian_norms(1.0, "sigmoid").mean_fprime <= 0.25


def test_jacobian_norms_bad_input():
    with pytest.raises(ValueError, match="nonlinearity"):
        gf4.jacobian_norms(1.0, "identity")
    with pytest.raises(ValueError, match="radius"):
        gf4.jacobian_norms(0.0)
    with pytest.raises(TypeError, match="T"):
        gf4.jacobian_norms(1.0, T=2.5)


# --------------------------------------------------------------------------- lag task
def test_lag_task_targets_are_the_first_value():
    X, y = gf4.lag_task(50, 7, seed=0)
    assert X.shape == (50, 8, 1) and y.shape == (50,) and y.dtype == np.int64
    assert set(np.unique(X)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(y, (X[:, 0, 0] > 0).astype(int))
    X2, y2 = gf4.lag_task(50, 7, seed=0)
    np.testing.assert_array_equal(X, X2)
    with pytest.raises(ValueError, match="lag"):
        gf4.lag_task(5, 0)


def test_train_lag_task_learns_a_short_lag():
    r = gf4.train_lag_task(2, max_steps=300, seed=0)
    assert r.lag == 2 and r.steps_to_learn is not None and r.steps_to_learn <= 300
    assert r.test_accuracy > 0.95 and 0 < r.grad_ratio < 1
    assert len(r.losses) == r.steps_to_learn
    again = gf4.train_lag_task(2, max_steps=300, seed=0)
    assert again.steps_to_learn == r.steps_to_learn  # deterministic


def test_train_lag_task_cap_and_bad_input():
    r = gf4.train_lag_task(20, max_steps=30, seed=0)
    assert r.steps_to_learn is None and len(r.losses) == 30
    with pytest.raises(ValueError, match="target"):
        gf4.train_lag_task(2, target=1.5)
    with pytest.raises(TypeError, match="max_steps"):
        gf4.train_lag_task(2, max_steps=1.5)


# --------------------------------------------------------------------------- widget + viz
def test_compute_gradient_norms_is_pure():
    from lstmbook.chapters.ch04_gradient_problems import (
        gradient_norm_view as _compute_gradient_norms,
    )

    a, b = _compute_gradient_norms(1.5, "relu"), _compute_gradient_norms(1.5, "relu")
    np.testing.assert_array_equal(a.flow.norms, b.flow.norms)
    assert a.summary == b.summary and "relu" in a.summary
    np.testing.assert_allclose(a.reference, 1.5 ** np.arange(60))


def test_drawing_functions():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmbook import viz
    from lstmbook.chapters.ch04_gradient_problems import (
        gradient_norm_view as _compute_gradient_norms,
    )
    from lstmbook.viz import plot_gradient_norm_view as _draw_gradient_norms

    fig, axes = plt.subplots(1, 4)
    _draw_gradient_norms(axes[0], _compute_gradient_norms(0.9, "tanh"))
    assert len(axes[0].lines) >= 2  # the curve and the radius^(T-t) reference
    viz.plot_lag_experiment(axes[1], [2, 4, 6], [10, 50, None], 100)
    assert len(axes[1].patches) == 3
    x = np.linspace(-3, 3, 7)
    viz.plot_activation_derivatives(axes[2], x, {"σ": functions.sigmoid(x)},
                                    peaks=[(0.0, 0.5, "mid")])
    viz.plot_training_curves(axes[3], {"a": [1.0, 0.5], "b": [2.0, 0.1]}, hline=1.0)
    assert len(axes[3].lines) == 3
    with pytest.raises(ValueError, match="one entry per lag"):
        viz.plot_lag_experiment(axes[1], [2, 4], [10], 100)
    plt.close(fig)


# --------------------------------------------------------------------------- quiz + book
def test_quiz_numeric_keys_recomputed_independently():
    qs = load_quiz("04_gradient_problems")
    assert len(qs) >= 5
    numeric = [q for q in qs if q["type"] == "numeric"]
    assert all("check" in q for q in numeric)
    sig_max = float(functions.sigmoid_grad(functions.sigmoid(np.array(0.0))))
    assert recompute(numeric[0]) == sig_max == 0.25
    assert recompute(numeric[1]) == pytest.approx(2.0 / np.hypot(3.0, 4.0)) == 0.4
    assert recompute(numeric[2]) == pytest.approx(5.0, rel=1e-14)
    assert recompute(numeric[3]) == float(functions.tanh_grad(np.tanh(0.0))) == 1.0
    assert recompute(numeric[4]) == pytest.approx(sig_max**10)
    assert symbolic.sigmoid_derivative().maximum == symbolic.sp.Rational(1, 4)


def test_chapter_defines_its_labels():
    nb = BOOK / "04_gradient_problems.ipynb"
    if not nb.exists():
        pytest.skip("chapter 4 notebook not present")
    text = "".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"])
    for label in ("eq-sigmoid", "eq-sigmoid-grad", "eq-tanh-grad", "eq-clip-norm",
                  "eq-grad-product"):
        assert f":label: {label}" in text

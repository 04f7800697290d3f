"""Chapter 4 (vanishing and exploding gradients): the Jacobian-product norms, the lag task, the
gradient-norm explorer, the clipping grader, the quiz and the chapter's labels."""

import json
from pathlib import Path

import numpy as np
import pytest

from lstmbook import symbolic
from lstmbook.chapters import ch03_bptt as gf3
from lstmbook.chapters import ch04_gradient_problems as gf4
from lstmbook.exercises import check_clip_grad_norm
from lstmbook.nn import activations as functions
from lstmbook.nn import clipping
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


# --------------------------------------------------------------------------- grader
def good(grad, max_norm):
    norm = np.linalg.norm(grad)
    return grad * (max_norm / norm) if norm > max_norm else grad.copy()


def package(grad, max_norm):
    out = grad.copy()
    clipping.clip_grad_norm(out, max_norm)
    return out


def notes(grad, threshold):
    norm = np.linalg.norm(grad)
    rate = threshold / norm
    if rate < 1:
        return grad * rate
    return grad


def per_row(grad, max_norm):
    g = np.atleast_2d(grad)
    rows = np.linalg.norm(g, axis=1, keepdims=True)
    out = g * np.minimum(1.0, max_norm / np.maximum(rows, 1e-300))
    return out.reshape(grad.shape)


def nan_output(grad, max_norm):
    norm = np.linalg.norm(grad)
    with np.errstate(all="ignore"):  # hides the warning: the NaN must still be caught
        unit = grad / norm
    return unit * min(norm, max_norm)


def in_place(grad, max_norm):
    norm = np.linalg.norm(grad)
    if norm > max_norm:
        grad *= max_norm / norm
    return grad


FAILS = {
    "below": "norm below the threshold: returned unchanged",
    "above": "norm above the threshold: rescaled to norm max_norm, same direction",
    "matrix": "a matrix: one norm over all its entries",
    "zero": "a zero gradient: returned as zeros, no division by zero",
}


@pytest.mark.parametrize("fn", [good, package])
def test_clip_grader_passes_correct_versions(fn):
    result = check_clip_grad_norm(fn)
    assert result.passed, str(result)
    assert "4 of 4 cases passed" in str(result)


@pytest.mark.parametrize("fn, failed, words", [
    (notes, ["zero"], "divides by zero"),
    (lambda g, m: g, ["above", "matrix"], "must have norm exactly"),
    (lambda g, m: np.clip(g, -m, m), ["above", "matrix"], "clipping by value"),
    (per_row, ["matrix"], "each row on its own"),
    (lambda g, m: g * (m / np.linalg.norm(g)) if np.linalg.norm(g) else g.copy(), ["below"],
     "must come back unchanged"),
    (lambda g, m: g * (np.linalg.norm(g) / m) if np.linalg.norm(g) > m else g.copy(),
     ["above", "matrix"], "upside down"),
    (nan_output, ["zero"], "NaN or infinity"),
    (in_place, ["above", "matrix"], "in place"),
])
def test_clip_grader_names_each_mistake(fn, failed, words):
    result = check_clip_grad_norm(fn)
    assert not result.passed
    assert result.failed() == [FAILS[k] for k in failed]
    assert words in str(result).replace("\n        ", " ")


def test_clip_grader_bad_input():
    with pytest.raises(TypeError, match="fn must be a function"):
        check_clip_grad_norm(3)


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

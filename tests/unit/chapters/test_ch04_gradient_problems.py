"""Chapter 4 (vanishing and exploding gradients): the Jacobian-product norms, the lag
experiment, the gradient-norm explorer's model, the quiz and the chapter's labels (the lag task:
tests/unit/test_data.py; the figures: tests/unit/test_viz.py; the grader:
tests/unit/exercises/test_ch04_gradient_problems.py)."""

import numpy as np
import pytest

from lstmbook import symbolic
from lstmbook.chapters import ch03_bptt as ch03
from lstmbook.chapters import ch04_gradient_problems as ch04
from lstmbook.nn import activations
from lstmbook.nn._checks import make_rng
from lstmbook.quiz import recompute

from .helpers import defined_labels, numeric_questions


# --------------------------------------------------------------------------- Jacobian norms
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid"])
def test_jacobian_norms_match_the_backward_pass(nonlinearity):
    """Chapter 3's backward pass with d_final_state = e_i gives row i of ∂h_T/∂h_t."""
    T, H, n_seq, seed, radius = 9, 5, 2, 4, 1.4
    flow = ch04.jacobian_norms(radius, nonlinearity, T=T, hidden_size=H, n_seq=n_seq, seed=seed)
    rnn = ch03.rnn_with_radius(H, radius, nonlinearity, seed=seed)
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
    small = ch04.jacobian_norms(0.5, "tanh")
    big = ch04.jacobian_norms(3.0, "relu")
    assert small.norms[30] < 1e-6 < 1e6 < big.norms[30]
    for r in (0.5, 1.0, 3.0):
        assert ch04.jacobian_norms(r, "sigmoid").norms[30] < 1e-6
    assert ch04.jacobian_norms(1.0, "sigmoid").mean_fprime <= 0.25


def test_jacobian_norms_bad_input():
    with pytest.raises(ValueError, match="nonlinearity"):
        ch04.jacobian_norms(1.0, "identity")
    with pytest.raises(ValueError, match="radius"):
        ch04.jacobian_norms(0.0)
    with pytest.raises(TypeError, match="T"):
        ch04.jacobian_norms(1.0, T=2.5)


# --------------------------------------------------------------------------- lag experiment
def test_train_lag_task_learns_a_short_lag():
    r = ch04.train_lag_task(2, max_steps=300, seed=0)
    assert r.lag == 2 and r.steps_to_learn is not None and r.steps_to_learn <= 300
    assert r.test_accuracy > 0.95 and 0 < r.grad_ratio < 1
    assert len(r.losses) == r.steps_to_learn
    again = ch04.train_lag_task(2, max_steps=300, seed=0)
    assert again.steps_to_learn == r.steps_to_learn  # deterministic


def test_train_lag_task_cap_and_bad_input():
    r = ch04.train_lag_task(20, max_steps=30, seed=0)
    assert r.steps_to_learn is None and len(r.losses) == 30
    with pytest.raises(ValueError, match="target"):
        ch04.train_lag_task(2, target=1.5)
    with pytest.raises(TypeError, match="max_steps"):
        ch04.train_lag_task(2, max_steps=1.5)


# --------------------------------------------------------------------------- the explorer
def test_gradient_norm_view_is_pure():
    a, b = ch04.gradient_norm_view(1.5, "relu"), ch04.gradient_norm_view(1.5, "relu")
    np.testing.assert_array_equal(a.flow.norms, b.flow.norms)
    assert a.summary == b.summary and "relu" in a.summary
    np.testing.assert_allclose(a.reference, 1.5 ** np.arange(60))


# --------------------------------------------------------------------------- quiz + book
def test_quiz_numeric_keys_recomputed_independently():
    _, numeric = numeric_questions("04_gradient_problems")
    sig_max = float(activations.sigmoid_grad(activations.sigmoid(np.array(0.0))))
    assert recompute(numeric[0]) == sig_max == 0.25
    assert recompute(numeric[1]) == pytest.approx(2.0 / np.hypot(3.0, 4.0)) == 0.4
    assert recompute(numeric[2]) == pytest.approx(5.0, rel=1e-14)
    assert recompute(numeric[3]) == float(activations.tanh_grad(np.tanh(0.0))) == 1.0
    assert recompute(numeric[4]) == pytest.approx(1.2**10)  # the larger of diag(0.9, 1.2)^10
    assert symbolic.sigmoid_derivative().maximum == symbolic.sp.Rational(1, 4)


def test_chapter_defines_its_labels():
    assert {"eq-sigmoid", "eq-sigmoid-grad", "eq-tanh-grad", "eq-clip-norm",
            "eq-grad-product"} <= defined_labels("04_gradient_problems")


def test_matrix_power_norms_transient_growth():
    U = np.array([[0.9, 5.0], [0.0, 0.9]])          # radius 0.9, non-normal
    n = ch04.matrix_power_norms(U, 60)
    assert n[0] == 1.0 and np.isclose(n[1], np.linalg.norm(U, 2))
    assert n[5] > 1.0 > n[60]                        # grows first, then decays
    assert np.all(n >= 0.9 ** np.arange(61) - 1e-12)  # never below rho^k
    assert np.allclose(ch04.matrix_power_norms(0.9 * np.eye(2), 5), 0.9 ** np.arange(6))


def test_cliff_slice_gradient_is_exact_and_has_a_cliff():
    w = np.array([2.0, 4.0, 6.0])
    s = ch04.cliff_slice(w)
    eps = 1e-6
    num = (ch04.cliff_slice(w + eps).loss - ch04.cliff_slice(w - eps).loss) / (2 * eps)
    assert np.allclose(s.grad, num, rtol=1e-5, atol=1e-6)
    grid = ch04.cliff_slice(np.linspace(0, 10, 4001))
    assert np.abs(grid.grad).max() > 30 * np.median(np.abs(grid.grad))

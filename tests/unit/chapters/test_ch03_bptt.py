"""Chapter 3 (backpropagation through time): the δ recursion, RNNs of a given spectral radius,
truncated BPTT's error map and curve, the scalar example, the truncation explorer's model, the
quiz and the chapter's labels (the figures: tests/unit/test_viz.py; the grader:
tests/unit/exercises/test_ch03_bptt.py)."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.chapters import ch03_bptt as ch03
from lstmbook.data import noisy_sine
from lstmbook.nn.activations import get_activation
from lstmbook.nn.bptt import bptt
from lstmbook.nn.gradcheck import numerical_gradient
from lstmbook.nn.losses import mse
from lstmbook.nn.rnn import spectral_radius
from lstmbook.quiz import recompute

from .helpers import defined_labels, numeric_questions


# --------------------------------------------------------------------------- bptt_delta
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid"])
def test_bptt_delta_reproduces_the_layer_backward(nonlinearity):
    rng = np.random.default_rng(0)
    X, dY = rng.standard_normal((3, 6, 2)), rng.standard_normal((3, 6, 4))
    rnn = lb.RNN(2, 4, nonlinearity=nonlinearity, seed=1)
    Hs, _ = rnn.forward(X)
    rnn.backward(dY)
    _, df = get_activation(nonlinearity)
    delta = np.zeros((3, 4))
    gU = np.zeros((4, 4))
    H_prev = np.concatenate([np.zeros((3, 1, 4)), Hs[:, :-1]], axis=1)
    for t in reversed(range(6)):
        delta = ch03.bptt_delta(dY[:, t], delta, rnn.params["U"], Hs[:, t], nonlinearity)
        np.testing.assert_allclose(delta, rnn.dh_seq[:, t] * df(Hs[:, t]), rtol=1e-12)
        gU += delta.T @ H_prev[:, t]  # eq-bptt-weights
    np.testing.assert_allclose(gU, rnn.grads["U"], rtol=1e-10)


def test_bptt_delta_bad_input():
    h = np.zeros((2, 3))
    with pytest.raises(ValueError, match="U must have shape"):
        ch03.bptt_delta(h, h, np.zeros((2, 2)), h)
    with pytest.raises(ValueError, match="delta_next must have the shape"):
        ch03.bptt_delta(h, np.zeros((1, 3)), np.zeros((3, 3)), h)
    with pytest.raises(TypeError, match="dout_t"):
        ch03.bptt_delta([[0.0, 0.0, 0.0]], h, np.zeros((3, 3)), h)
    with pytest.raises(ValueError, match="nonlinearity"):
        ch03.bptt_delta(h, h, np.zeros((3, 3)), h, "swish")


# --------------------------------------------------------------------------- given radius
@pytest.mark.parametrize("radius", [0.5, 1.3, 2.0])
def test_rnn_with_radius_sets_the_spectral_radius(radius):
    rnn = ch03.rnn_with_radius(12, radius, "relu", seed=3)
    assert spectral_radius(rnn.params["U"]) == pytest.approx(radius, rel=1e-10)
    assert rnn.nonlinearity == "relu"


# --------------------------------------------------------------------------- truncation
def test_tbptt_mask_rows_and_full_case():
    M = ch03.tbptt_mask(10, 4)
    assert M.shape == (10, 10) and M.dtype == bool
    assert [int(M[s].sum()) for s in range(10)] == [s % 4 + 1 for s in range(10)]
    assert not np.any(np.triu(M, 1))  # never forwards in time
    np.testing.assert_array_equal(ch03.tbptt_mask(10, 10), np.tril(np.ones((10, 10), bool)))
    np.testing.assert_array_equal(ch03.tbptt_mask(10, 50), ch03.tbptt_mask(10, 10))
    assert np.array_equal(ch03.tbptt_mask(5, 1), np.eye(5, dtype=bool))


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_tbptt_mask_bad_input(bad):
    with pytest.raises((TypeError, ValueError), match="k"):
        ch03.tbptt_mask(5, bad)


@pytest.mark.parametrize("k", [1, 2, 5, 7, 12])
def test_error_flow_masked_sum_is_truncated_bptt(k):
    X, Y = _sine()
    rnn, head = ch03.rnn_with_radius(5, 1.3, seed=2), lb.Linear(5, 1, seed=3)
    flow = ch03.error_split(rnn, head, X, Y, mse)
    bptt(rnn, head, X, Y, mse, truncate=k)
    np.testing.assert_allclose(flow.delta_U[ch03.tbptt_mask(12, k)].sum(0), rnn.grads["U"],
                               rtol=1e-9, atol=1e-14)
    assert np.all(np.triu(flow.norms, 1) == 0)


def _sine():
    return noisy_sine(3, 12, seed=4)


def test_error_flow_needs_an_rnn():
    X, Y = _sine()
    with pytest.raises(TypeError, match="layer must be a lstmbook.RNN"):
        ch03.error_split(lb.LSTM(1, 3, seed=0), lb.Linear(3, 1, seed=0), X, Y, mse)


def test_truncation_curve_ends_at_full_bptt_and_keeps_params():
    X, Y = _sine()
    rnn, head = lb.RNN(1, 4, seed=0), lb.Linear(4, 1, seed=1)
    before = {k: v.copy() for k, v in rnn.params.items()}
    c = ch03.truncation_curve(rnn, head, X, Y, mse)
    assert c.ks.tolist() == list(range(1, 13))
    assert c.cosine[-1] == pytest.approx(1.0) and c.norm_ratio[-1] == pytest.approx(1.0)
    assert np.all(c.cosine <= 1 + 1e-12)
    for k, v in rnn.params.items():
        np.testing.assert_array_equal(v, before[k])


# --------------------------------------------------------------------------- scalar example
def test_scalar_rnn_grads_by_hand():
    g = ch03.scalar_rnn_grads(np.array([1.0, 2.0]), w=0.5, u=2.0, h0=0.0)
    np.testing.assert_allclose(g["h"], [0.5, 2.0])
    assert g["w"] == pytest.approx(4.0) and g["u"] == pytest.approx(0.5)
    assert g["b"] == pytest.approx(1 + 2.0) and g["h0"] == pytest.approx(4.0)
    # the quiz's numbers, recomputed from the formulas of the text
    x1, x2, w, u, h0 = 1.0, -1.0, 1.0, 0.5, 2.0
    g = ch03.scalar_rnn_grads(np.array([x1, x2]), w=w, u=u, h0=h0)
    assert g["u"] == pytest.approx((w * x1 + u * h0) + u * h0) == 3.0
    assert g["w"] == pytest.approx(x2 + u * x1) == -0.5


def test_scalar_rnn_grads_tanh_matches_finite_differences():
    xs = np.array([0.3, -0.7, 1.1])
    vals = {"w": 0.8, "u": -1.2, "b": 0.1, "h0": 0.4}
    g = ch03.scalar_rnn_grads(xs, nonlinearity="tanh", **vals)
    for name in vals:
        v = np.array(vals[name])

        def f(v=v, name=name):
            args = {**vals, name: float(v)}
            return ch03.scalar_rnn_grads(xs, nonlinearity="tanh", **args)["h"][-1]

        assert numerical_gradient(f, v) == pytest.approx(g[name], rel=1e-7)


def test_scalar_rnn_grads_bad_input():
    with pytest.raises(TypeError, match="w must be a real number"):
        ch03.scalar_rnn_grads(np.array([1.0]), w="a", u=1.0)
    with pytest.raises(ValueError, match="u must be finite"):
        ch03.scalar_rnn_grads(np.array([1.0]), w=1.0, u=float("nan"))
    with pytest.raises(TypeError, match="xs"):
        ch03.scalar_rnn_grads([1.0], w=1.0, u=1.0)


# --------------------------------------------------------------------------- the explorer
def test_truncation_view_is_pure_and_checks_k():
    a, b = ch03.truncation_view(4, 1.5), ch03.truncation_view(4, 1.5)
    np.testing.assert_array_equal(a.curve.cosine, b.curve.cosine)
    assert a.summary == b.summary and "k = 4" in a.summary
    assert a.cosine == pytest.approx(a.curve.cosine[3])
    full = ch03.truncation_view(24, 0.9)
    assert full.cosine == pytest.approx(1.0) and full.mask.sum() == 24 * 25 // 2
    with pytest.raises(ValueError, match="k must be at most"):
        ch03.truncation_view(30)
    # radius 0.9 forgets fast, so truncation at 8 barely matters; radius 1.5 does not
    assert ch03.truncation_view(8, 0.9).cosine > 0.98 > 0.7 > ch03.truncation_view(8, 1.5).cosine


# --------------------------------------------------------------------------- quiz + book
def test_quiz_numeric_keys_recomputed():
    _, numeric = numeric_questions("03_bptt")
    assert len(numeric) >= 3
    assert recompute(numeric[0]) == 3 == len(range(8, 11))  # steps 8, 9, 10


def test_chapter_defines_its_labels():
    assert {"eq-bptt-delta", "eq-bptt-weights", "eq-tbptt",
            "eq-central-difference"} <= defined_labels("03_bptt")


# --------------------------------------------------------------------------- reach, fading, streams
@pytest.mark.parametrize("k", [1, 3, 4, 12])
def test_gradient_reach_of_chunks_is_s_mod_k_plus_one(k):
    reach = ch03.gradient_reach(12, k=k)
    assert list(reach) == [s % k + 1 for s in range(12)]
    assert list(reach) == [int(r) for r in ch03.tbptt_mask(12, k).sum(axis=1)]


@pytest.mark.parametrize(("h", "h_prime"), [(4, 4), (4, 2), (4, 1), (6, 4), (8, 3)])
def test_gradient_reach_of_overlapping_windows(h, h_prime):
    T = 16
    reach = ch03.gradient_reach(T, h=h, h_prime=h_prime)
    expected = []
    for s in range(T):
        end = min((s // h_prime + 1) * h_prime, T)  # the block that holds step s
        expected.append(s - max(0, end - h) + 1)
    assert list(reach) == expected
    assert reach[h - 1:].min() == h - h_prime + 1 and reach.max() == h


def test_gradient_reach_full_and_bad_arguments():
    assert list(ch03.gradient_reach(6)) == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="h_prime"):
        ch03.gradient_reach(6, h=3)
    with pytest.raises(ValueError, match="either k"):
        ch03.gradient_reach(6, k=2, h=3, h_prime=1)


def test_error_fading_measures_two_ways():
    f = ch03.error_fading(0.9, T=12)
    assert f.distance[0] == 0 and f.propagated[0] == pytest.approx(1.0)
    assert f.worst_case[0] == pytest.approx(1.0)
    assert np.all(f.propagated <= f.worst_case + 1e-12)
    assert f.radius == pytest.approx(0.9) and f.norm_U >= f.radius
    assert f.worst_case[1] > 1 > f.propagated[10]  # transient growth, yet the task's error fades
    assert 0 < f.mean_fprime <= 1
    # the worst case at distance 1 is the mean over (sequence, step) of ‖diag(f') U‖
    X, _ = noisy_sine(4, 12, seed=0)
    rnn = ch03.rnn_with_radius(8, 0.9, seed=0)
    Hs, _ = rnn.forward(X)
    U = rnn.params["U"]
    vals = [np.linalg.norm((1 - Hs[n, j] ** 2)[:, None] * U, 2) for n in range(4)
            for j in range(1, 12)]
    assert f.worst_case[1] == pytest.approx(np.mean(vals), rel=1e-12)


def test_stream_layout_rows_continue_and_the_carried_state_is_one_pass():
    text = "abcdefghijklmnopqrstuvwxyz"
    lay = ch03.stream_layout(text, 2, 4)
    assert lay.n_batches == 3  # streams of (26 - 1) // 2 = 12 steps
    assert lay.starts == [0, 12]
    assert [lay.rows[b][0] for b in range(3)] == ["abcd", "efgh", "ijkl"]
    assert [lay.rows[b][1] for b in range(3)] == ["mnop", "qrst", "uvwx"]
    assert lay.carried_equals_one_pass and lay.reset_gap > 0


def test_overlap_cosines_are_paired_and_bptt_h_h_is_chunks():
    a, b = ch03.overlap_cosines(1.5, h=4, h_prime=4, seeds=range(3))
    np.testing.assert_allclose(a, b, rtol=1e-12)
    a, b = ch03.overlap_cosines(1.5, h=8, h_prime=4, seeds=range(5))
    assert a.shape == b.shape == (5,) and np.all(np.abs(a) <= 1) and np.all(np.abs(b) <= 1)

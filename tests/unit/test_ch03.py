"""Chapter 3 (backpropagation through time): the δ recursion, truncated BPTT's error map, the
scalar example, the truncation explorer, the BPTT-step grader and the quiz."""

import json
from pathlib import Path

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.chapters import ch03_bptt as gf3
from lstmbook.nn.activations import get_activation
from lstmbook.nn.bptt import bptt
from lstmbook.nn.gradcheck import numerical_gradient
from lstmbook.nn.losses import mse
from lstmbook.quiz import load_quiz, recompute

BOOK = Path(__file__).resolve().parents[2] / "book"


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
        delta = gf3.bptt_delta(dY[:, t], delta, rnn.params["U"], Hs[:, t], nonlinearity)
        np.testing.assert_allclose(delta, rnn.dh_seq[:, t] * df(Hs[:, t]), rtol=1e-12)
        gU += delta.T @ H_prev[:, t]  # eq-bptt-weights
    np.testing.assert_allclose(gU, rnn.grads["U"], rtol=1e-10)


def test_bptt_delta_bad_input():
    h = np.zeros((2, 3))
    with pytest.raises(ValueError, match="U must have shape"):
        gf3.bptt_delta(h, h, np.zeros((2, 2)), h)
    with pytest.raises(ValueError, match="delta_next must have the shape"):
        gf3.bptt_delta(h, np.zeros((1, 3)), np.zeros((3, 3)), h)
    with pytest.raises(TypeError, match="dout_t"):
        gf3.bptt_delta([[0.0, 0.0, 0.0]], h, np.zeros((3, 3)), h)
    with pytest.raises(ValueError, match="nonlinearity"):
        gf3.bptt_delta(h, h, np.zeros((3, 3)), h, "swish")


# --------------------------------------------------------------------------- truncation
def test_tbptt_mask_rows_and_full_case():
    M = gf3.tbptt_mask(10, 4)
    assert M.shape == (10, 10) and M.dtype == bool
    assert [int(M[s].sum()) for s in range(10)] == [s % 4 + 1 for s in range(10)]
    assert not np.any(np.triu(M, 1))  # never forwards in time
    np.testing.assert_array_equal(gf3.tbptt_mask(10, 10), np.tril(np.ones((10, 10), bool)))
    np.testing.assert_array_equal(gf3.tbptt_mask(10, 50), gf3.tbptt_mask(10, 10))
    assert np.array_equal(gf3.tbptt_mask(5, 1), np.eye(5, dtype=bool))


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_tbptt_mask_bad_input(bad):
    with pytest.raises((TypeError, ValueError), match="k"):
        gf3.tbptt_mask(5, bad)


@pytest.mark.parametrize("k", [1, 2, 5, 7, 12])
def test_error_flow_masked_sum_is_truncated_bptt(k):
    X, Y = _sine()
    rnn, head = gf3.rnn_with_radius(5, 1.3, seed=2), lb.Linear(5, 1, seed=3)
    flow = gf3.error_split(rnn, head, X, Y, mse)
    bptt(rnn, head, X, Y, mse, truncate=k)
    np.testing.assert_allclose(flow.delta_U[gf3.tbptt_mask(12, k)].sum(0), rnn.grads["U"],
                               rtol=1e-9, atol=1e-14)
    assert np.all(np.triu(flow.norms, 1) == 0)


def _sine():
    from lstmbook.data import noisy_sine

    return noisy_sine(3, 12, seed=4)


def test_error_flow_needs_an_rnn():
    X, Y = _sine()
    with pytest.raises(TypeError, match="layer must be a lstmbook.RNN"):
        gf3.error_split(lb.LSTM(1, 3, seed=0), lb.Linear(3, 1, seed=0), X, Y, mse)


def test_truncation_curve_ends_at_full_bptt_and_keeps_params():
    X, Y = _sine()
    rnn, head = lb.RNN(1, 4, seed=0), lb.Linear(4, 1, seed=1)
    before = {k: v.copy() for k, v in rnn.params.items()}
    c = gf3.truncation_curve(rnn, head, X, Y, mse)
    assert c.ks.tolist() == list(range(1, 13))
    assert c.cosine[-1] == pytest.approx(1.0) and c.norm_ratio[-1] == pytest.approx(1.0)
    assert np.all(c.cosine <= 1 + 1e-12)
    for k, v in rnn.params.items():
        np.testing.assert_array_equal(v, before[k])


# --------------------------------------------------------------------------- scalar example
def test_scalar_rnn_grads_by_hand():
    g = gf3.scalar_rnn_grads(np.array([1.0, 2.0]), w=0.5, u=2.0, h0=0.0)
    np.testing.assert_allclose(g["h"], [0.5, 2.0])
    assert g["w"] == pytest.approx(4.0) and g["u"] == pytest.approx(0.5)
    assert g["b"] == pytest.approx(1 + 2.0) and g["h0"] == pytest.approx(4.0)
    # the quiz's numbers, recomputed from the formulas of the text
    x1, x2, w, u, h0 = 1.0, -1.0, 1.0, 0.5, 2.0
    g = gf3.scalar_rnn_grads(np.array([x1, x2]), w=w, u=u, h0=h0)
    assert g["u"] == pytest.approx((w * x1 + u * h0) + u * h0) == 3.0
    assert g["w"] == pytest.approx(x2 + u * x1) == -0.5


def test_scalar_rnn_grads_tanh_matches_finite_differences():
    xs = np.array([0.3, -0.7, 1.1])
    vals = {"w": 0.8, "u": -1.2, "b": 0.1, "h0": 0.4}
    g = gf3.scalar_rnn_grads(xs, nonlinearity="tanh", **vals)
    for name in vals:
        v = np.array(vals[name])

        def f(v=v, name=name):
            args = {**vals, name: float(v)}
            return gf3.scalar_rnn_grads(xs, nonlinearity="tanh", **args)["h"][-1]

        assert numerical_gradient(f, v) == pytest.approx(g[name], rel=1e-7)


def test_scalar_rnn_grads_bad_input():
    with pytest.raises(TypeError, match="w must be a real number"):
        gf3.scalar_rnn_grads(np.array([1.0]), w="a", u=1.0)
    with pytest.raises(ValueError, match="u must be finite"):
        gf3.scalar_rnn_grads(np.array([1.0]), w=1.0, u=float("nan"))
    with pytest.raises(TypeError, match="xs"):
        gf3.scalar_rnn_grads([1.0], w=1.0, u=1.0)


# --------------------------------------------------------------------------- widget + viz
def test_compute_truncation_is_pure_and_checks_k():
    from lstmbook.chapters.ch03_bptt import truncation_view as _compute_truncation

    a, b = _compute_truncation(4, 1.5), _compute_truncation(4, 1.5)
    np.testing.assert_array_equal(a.curve.cosine, b.curve.cosine)
    assert a.summary == b.summary and "k = 4" in a.summary
    assert a.cosine == pytest.approx(a.curve.cosine[3])
    full = _compute_truncation(24, 0.9)
    assert full.cosine == pytest.approx(1.0) and full.mask.sum() == 24 * 25 // 2
    with pytest.raises(ValueError, match="k must be at most"):
        _compute_truncation(30)
    # radius 0.9 forgets fast, so truncation at 8 barely matters; radius 1.5 does not
    assert _compute_truncation(8, 0.9).cosine > 0.98 > 0.7 > _compute_truncation(8, 1.5).cosine


def test_truncation_drawing():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmbook.chapters.ch03_bptt import truncation_view as _compute_truncation
    from lstmbook.viz import plot_truncation_view as _draw_truncation

    fig, axes = plt.subplots(1, 2)
    out = _draw_truncation(axes, _compute_truncation(5, 1.5))
    assert len(out[0].images) == 2 and len(out[1].lines) >= 2
    plt.close(fig)


# --------------------------------------------------------------------------- quiz + book
def test_quiz_numeric_keys_recomputed():
    qs = load_quiz("03_bptt")
    assert len(qs) >= 5
    numeric = [q for q in qs if q["type"] == "numeric"]
    assert all("check" in q for q in numeric) and len(numeric) >= 3
    assert recompute(numeric[0]) == 3 == len(range(8, 11))  # steps 8, 9, 10


def test_chapter_defines_its_labels():
    nb = BOOK / "03_bptt.ipynb"
    if not nb.exists():
        pytest.skip("chapter 3 notebook not present")
    text = "".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"])
    for label in ("eq-bptt-delta", "eq-bptt-weights", "eq-tbptt", "eq-central-difference"):
        assert f":label: {label}" in text

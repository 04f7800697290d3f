"""lstmbook.nn.bptt: full BPTT is the true gradient; truncated BPTT carries the state but cuts
the gradient (and equals full BPTT when the window covers the sequence); divergence stops with
a message; bad input."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.bptt import bptt, bptt_overlap
from lstmbook.nn.gradcheck import numerical_gradient, relative_error
from lstmbook.nn.losses import mse

from .helpers import assert_raises_naming, bad_input


def _setup(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, 12, 3))
    Y = rng.standard_normal((2, 12, 1))
    return X, Y


@pytest.mark.parametrize("cls", [lb.RNN, lb.LSTM, lb.GRU])
@pytest.mark.parametrize("k", [12, 20])
def test_truncated_with_k_at_least_T_equals_full(cls, k):
    X, Y = _setup()
    a, ha = cls(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    b, hb = cls(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    ra = bptt(a, ha, X, Y, mse)
    rb = bptt(b, hb, X, Y, mse, truncate=k)
    assert ra.loss == rb.loss
    for name in a.params:
        np.testing.assert_array_equal(a.grads[name], b.grads[name])


def test_full_bptt_gradient_is_the_true_gradient():
    X, Y = _setup(1)
    layer, head = lb.LSTM(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    bptt(layer, head, X, Y, mse)

    def f():
        return mse(head.forward(layer.forward(X)[0]), Y)[0]

    for name, p in layer.params.items():
        assert relative_error(layer.grads[name], numerical_gradient(f, p)) < 1e-6


def test_truncation_carries_state_but_cuts_gradient():
    X, Y = _setup(2)
    full, hf = lb.RNN(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    trunc, ht = lb.RNN(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    rf = bptt(full, hf, X, Y, mse)
    rt = bptt(trunc, ht, X, Y, mse, truncate=3)
    assert rf.loss == pytest.approx(rt.loss, rel=1e-12)  # same forward pass: state carried
    np.testing.assert_allclose(rf.final_state, rt.final_state, rtol=1e-12)
    assert not np.allclose(full.grads["U"], trunc.grads["U"])  # gradient cut
    # truncated gradient = sum of per-chunk gradients with the state detached
    acc = {k: np.zeros_like(v) for k, v in full.params.items()}
    chk, hc = lb.RNN(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    state = None
    for s in range(0, 12, 3):
        out, state_next = chk.forward(X[:, s:s + 3], state)
        _, d = mse(hc.forward(out), Y[:, s:s + 3], reduction="sum")
        chk.backward(hc.backward(d / (2 * 12)))
        for k in acc:
            acc[k] += chk.grads[k]
        state = state_next
    for k in acc:
        np.testing.assert_allclose(trunc.grads[k], acc[k], rtol=1e-12)


def test_divergence_stops_with_a_message():
    X, Y = _setup()
    layer, head = lb.RNN(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    head.params["W"][...] = 1e200
    with pytest.raises(FloatingPointError, match="diverged"):
        with np.errstate(over="ignore", invalid="ignore"):
            bptt(layer, head, X, Y * 1e200, mse)


def test_bptt_works_on_stack_and_bidirectional():
    X, Y = _setup()
    for layer in (lb.Stack([lb.LSTM(3, 4, seed=1), lb.GRU(4, 4, seed=2)]),
                  lb.Bidirectional(lb.LSTM(3, 2, seed=1), lb.LSTM(3, 2, seed=2))):
        r = bptt(layer, lb.Linear(4, 1, seed=3), X, Y, mse, truncate=5)
        assert np.isfinite(r.loss)
        assert set(layer.grads) == set(layer.params)


# --------------------------------------------------------------------------- BPTT(h; h')
@pytest.mark.parametrize("cls", [lb.RNN, lb.LSTM, lb.GRU])
@pytest.mark.parametrize("k", [3, 4, 6, 12])
def test_overlap_with_h_equal_h_prime_is_chunked_truncation(cls, k):
    X, Y = _setup()  # T = 12, a multiple of every k here
    a, ha = cls(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    b, hb = cls(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    ra = bptt(a, ha, X, Y, mse, truncate=k)
    rb = bptt_overlap(b, hb, X, Y, mse, h=k, h_prime=k)
    assert ra.loss == pytest.approx(rb.loss, rel=1e-13)
    for name in a.params:
        np.testing.assert_allclose(a.grads[name], b.grads[name], rtol=1e-12, atol=1e-15)
    for name in ha.params:
        np.testing.assert_allclose(ha.grads[name], hb.grads[name], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("h_prime", [1, 5, 12])
def test_overlap_with_h_at_least_T_is_full_bptt(h_prime):
    X, Y = _setup(3)
    a, ha = lb.LSTM(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    b, hb = lb.LSTM(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    bptt(a, ha, X, Y, mse)
    bptt_overlap(b, hb, X, Y, mse, h=12, h_prime=h_prime)
    if h_prime == 12:  # one window: the same computation
        for name in a.params:
            np.testing.assert_allclose(a.grads[name], b.grads[name], rtol=1e-12, atol=1e-15)
    else:  # every loss reaches step 0: the sum of per-block full gradients is the full gradient
        for name in a.params:
            np.testing.assert_allclose(a.grads[name], b.grads[name], rtol=1e-10, atol=1e-13)


def test_overlap_is_the_sum_of_window_gradients():
    """BPTT(4; 2) by hand: every 2 new steps, the losses of those steps sent back through the
    last 4 steps, from the carried state at the window's start."""
    X, Y = _setup(4)
    layer, head = lb.RNN(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    res = bptt_overlap(layer, head, X, Y, mse, h=4, h_prime=2)
    chk, hc = lb.RNN(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    acc = {k: np.zeros_like(v) for k, v in chk.params.items()}
    Hs, _ = chk.forward(X)
    total = 0.0
    for end in range(2, 13, 2):
        ws = max(0, end - 4)
        h0 = None if ws == 0 else Hs[:, ws - 1]
        out, _ = chk.forward(X[:, ws:end], h0)
        m = np.zeros((2, end - ws), dtype=bool)
        m[:, -2:] = True
        loss, d = mse(hc.forward(out), Y[:, ws:end], m, reduction="sum")
        total += loss
        chk.backward(hc.backward(d / 24))
        for k in acc:
            acc[k] += chk.grads[k]
    assert res.loss == pytest.approx(total / 24, rel=1e-12)
    for k in acc:
        np.testing.assert_allclose(layer.grads[k], acc[k], rtol=1e-12)
    np.testing.assert_allclose(res.final_state, Hs[:, -1], rtol=1e-12)


def test_overlap_carries_a_given_state_and_respects_the_mask():
    X, Y = _setup(5)
    h0 = np.random.default_rng(0).standard_normal((2, 4))
    mask = np.ones((2, 12), dtype=bool)
    mask[1, 7:] = False
    a, ha = lb.RNN(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    b, hb = lb.RNN(3, 4, seed=1), lb.Linear(4, 1, seed=2)
    ra = bptt(a, ha, X, Y, mse, mask=mask, state=h0, truncate=3)
    rb = bptt_overlap(b, hb, X, Y, mse, mask=mask, state=h0, h=3, h_prime=3)
    assert ra.loss == pytest.approx(rb.loss, rel=1e-13)
    np.testing.assert_allclose(a.grads["U"], b.grads["U"], rtol=1e-12)
    np.testing.assert_allclose(ra.final_state, rb.final_state, rtol=1e-12)


CASES = [
    ("h_prime above h", lambda: bptt_overlap(lb.RNN(4, 3), lb.Linear(3, 1), np.zeros((2, 3, 4)),
                                             np.zeros((2, 3, 1)), mse, h=2, h_prime=3),
     ValueError, ["h_prime", "at most"]),
    ("h zero", lambda: bptt_overlap(lb.RNN(4, 3), lb.Linear(3, 1), np.zeros((2, 3, 4)),
                                    np.zeros((2, 3, 1)), mse, h=0, h_prime=1),
     ValueError, ["h", "positive"]),
    ("overlap targets", lambda: bptt_overlap(lb.RNN(4, 3), lb.Linear(3, 1), np.zeros((2, 3, 4)),
                                             np.zeros((2, 4, 1)), mse, h=2, h_prime=1),
     ValueError, ["targets", "(2, 3)"]),
    ("truncate zero", lambda: bptt(lb.RNN(4, 3), lb.Linear(3, 1), np.zeros((2, 3, 4)),
                                   np.zeros((2, 3, 1)), mse, truncate=0),
     ValueError, ["truncate", "positive"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)

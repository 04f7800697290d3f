"""lstmbook.nn.bptt: full BPTT is the true gradient; truncated BPTT carries the state but cuts
the gradient (and equals full BPTT when the window covers the sequence); divergence stops with
a message; bad input."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.bptt import bptt
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


CASES = [
    ("truncate zero", lambda: bptt(lb.RNN(4, 3), lb.Linear(3, 1), np.zeros((2, 3, 4)),
                                   np.zeros((2, 3, 1)), mse, truncate=0),
     ValueError, ["truncate", "positive"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)

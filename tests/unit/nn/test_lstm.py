"""lstmbook.nn.lstm: the readable whole-sequence loops ``lstm_forward`` / ``lstm_backward``
(the step functions chained) and the ``LSTM`` layer on both of its paths (``fused=False`` runs
those loops, ``fused=True`` the kernel): every gradient against finite differences, peepholes,
dtypes and bad state. The fused kernel against the readable loop, output by output:
test_lstm_fused.py."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.gradcheck import numerical_gradient, relative_error
from lstmbook.nn.lstm import LSTMCache, lstm_backward, lstm_forward, lstm_step

from .helpers import (
    PEEPHOLES,
    D,
    H,
    N,
    T,
    assert_layer_gradients,
    assert_raises_naming,
    bad_input,
    lstm_data,
    lstm_layer,
)


# --------------------------------------------------------------------------- lstm_forward
def test_lstm_forward_is_lstm_step_chained():
    X, _, (h0, c0), _ = lstm_data()
    params = lstm_layer(peephole=True).params
    Y, (hT, cT), caches = lstm_forward(X, (h0, c0), params)
    assert Y.shape == (N, T, H) and len(caches) == T
    assert all(isinstance(cache, LSTMCache) for cache in caches)
    h, c = h0, c0
    for t in range(T):
        h, c, cache = lstm_step(X[:, t], h, c, params)
        np.testing.assert_array_equal(Y[:, t], h)
        for got, want in zip(caches[t], cache, strict=True):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(hT, h)
    np.testing.assert_array_equal(cT, c)


def test_lstm_forward_without_state_starts_from_zeros():
    X, _, _, _ = lstm_data()
    params = lstm_layer().params
    Y, (hT, cT), _ = lstm_forward(X, None, params)
    Yz, (hz, cz), _ = lstm_forward(X, (np.zeros((N, H)), np.zeros((N, H))), params)
    for got, want in [(Y, Yz), (hT, hz), (cT, cz)]:
        np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("with_state", [True, False], ids=["state", "no_state"])
@pytest.mark.parametrize("peephole", [False, True], ids=["plain", "peephole"])
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_layer_gradients_match_finite_differences(fused, peephole, with_state):
    """Every parameter, X and the initial state (the loss also weighs the final state, so
    d_final_state is exercised); ``fused=False`` goes through lstm_forward and lstm_backward."""
    X, _, state, _ = lstm_data(seed=3)
    assert_layer_gradients(lstm_layer(peephole=peephole, fused=fused), X,
                           state if with_state else None, tol=1e-7)


@pytest.mark.parametrize("peephole", [False, True], ids=["plain", "peephole"])
def test_dh_seq_is_the_gradient_reaching_each_hidden_state(peephole):
    """dh_seq[:, t] = ∂L/∂h_t (c_t held fixed) by finite differences: L depends on h_t through
    the output at t and through the steps after t, run from (h_t, c_t)."""
    X, dY, state, (dhT, dcT) = lstm_data(2, 4, 3, seed=5)
    params = lstm_layer(3, peephole=peephole).params
    Y, _, caches = lstm_forward(X, state, params)
    _, _, _, dh_seq = lstm_backward(dY, (dhT, dcT), caches, params)
    for t in range(X.shape[1]):
        h_t, c_t = Y[:, t].copy(), caches[t].c

        def loss(t=t, h_t=h_t, c_t=c_t):
            Y_rest, (h_end, c_end), _ = lstm_forward(X[:, t + 1:], (h_t, c_t), params)
            return float(np.sum(h_t * dY[:, t]) + np.sum(Y_rest * dY[:, t + 1:])
                         + np.sum(h_end * dhT) + np.sum(c_end * dcT))

        assert relative_error(dh_seq[:, t], numerical_gradient(loss, h_t)) < 1e-7, t


def test_lstm_backward_without_d_final_state_is_zeros():
    X, dY, state, _ = lstm_data()
    params = lstm_layer(peephole=True).params
    _, _, caches = lstm_forward(X, state, params)
    dX, (dh0, dc0), grads, dh_seq = lstm_backward(dY, None, caches, params)
    zeros = (np.zeros((N, H)), np.zeros((N, H)))
    dX_z, (dh0_z, dc0_z), grads_z, dh_seq_z = lstm_backward(dY, zeros, caches, params)
    assert dX.shape == (N, T, D) and dh_seq.shape == (N, T, H)
    for got, want in [(dX, dX_z), (dh0, dh0_z), (dc0, dc0_z), (dh_seq, dh_seq_z)]:
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(dh_seq[:, -1], dY[:, -1])
    assert set(grads) == set(params)
    for k in params:
        assert grads[k].shape == params[k].shape
        np.testing.assert_array_equal(grads[k], grads_z[k])


# --------------------------------------------------------------------------- the layer
def test_readable_layer_keeps_float32_and_fills_gate_seq():
    layer = lstm_layer(peephole=True, fused=False, dtype=np.float32)
    X, dY, _, _ = lstm_data()
    Y, (hT, cT) = layer.forward(X.astype(np.float32))
    dX, (dh0, dc0) = layer.backward(dY.astype(np.float32))
    for a in (Y, hT, cT, dX, dh0, dc0, layer.dh_seq, layer.gate_seq, *layer.grads.values()):
        assert a.dtype == np.float32
    _, _, caches = lstm_forward(X.astype(np.float32), None, layer.params)
    np.testing.assert_array_equal(layer.gate_seq, np.stack(
        [np.concatenate([k.i, k.f, k.g, k.o], axis=1) for k in caches]))


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_zero_peepholes_equal_the_plain_lstm(fused):
    """The same seed draws the same W, U, b with or without peepholes; with the peepholes at
    zero, the outputs, states and gradients are the plain LSTM's to the last bit."""
    X, dY, _, _ = lstm_data()
    plain, peep = lstm_layer(fused=fused), lstm_layer(peephole=True, fused=fused)
    for k in ("W", "U", "b"):
        np.testing.assert_array_equal(peep.params[k], plain.params[k])
    for k in PEEPHOLES:
        peep.params[k][...] = 0.0
    Ya, (ha, ca) = plain.forward(X)
    Yb, (hb, cb) = peep.forward(X)
    dXa, (dha, dca) = plain.backward(dY)
    dXb, (dhb, dcb) = peep.backward(dY)
    for a, b in [(Ya, Yb), (ha, hb), (ca, cb), (dXa, dXb), (dha, dhb), (dca, dcb)]:
        np.testing.assert_array_equal(a, b)
    for k in ("W", "U", "b"):
        np.testing.assert_array_equal(plain.grads[k], peep.grads[k])


X0 = np.zeros((2, 3, 4))

CASES = [
    ("LSTM state not a pair", lambda: lb.LSTM(4, 5, seed=0).forward(X0, np.zeros((2, 5))),
     TypeError, ["state", "(h0, c0)"]),
    ("LSTM c0 mismatched",
     lambda: lb.LSTM(4, 5, seed=0).forward(X0, (np.zeros((2, 5)), np.zeros((3, 5)))),
     ValueError, ["c0", "(2, 5)", "(3, 5)"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)

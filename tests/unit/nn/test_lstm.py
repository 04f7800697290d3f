"""lstmbook.nn.lstm: the readable whole-sequence loops ``lstm_forward`` / ``lstm_backward``
(the step functions chained; their gradients against finite differences) and the ``LSTM`` layer
that runs them with ``fused=False``. The fused kernel against them: test_lstm_fused.py."""

import numpy as np
import pytest

from lstmbook.nn.gradcheck import check_layer_gradients, numerical_gradient, relative_error
from lstmbook.nn.lstm import LSTM, LSTMCache, lstm_backward, lstm_forward, lstm_step

N, T, D, H = 3, 5, 4, 6


def _layer(peephole=False, fused=False, dtype=np.float64, hidden=H, seed=1):
    layer = LSTM(D, hidden, peephole=peephole, forget_bias=1.0, seed=seed, dtype=dtype,
                 fused=fused)
    if peephole:  # non-zero peepholes, so that their paths carry gradient
        rng = np.random.default_rng(seed + 10)
        for k in ("p_i", "p_f", "p_o"):
            layer.params[k][...] = rng.uniform(-0.5, 0.5, hidden)
    return layer


def _data(batch=N, steps=T, hidden=H, seed=0):
    """X, dY, an initial state (h0, c0) and a final-state gradient (dh_T, dc_T), float64."""
    rng = np.random.default_rng(seed)
    X, dY = rng.standard_normal((batch, steps, D)), rng.standard_normal((batch, steps, hidden))
    state = (0.5 * rng.standard_normal((batch, hidden)), 0.5 * rng.standard_normal((batch, hidden)))
    d_final = (rng.standard_normal((batch, hidden)), rng.standard_normal((batch, hidden)))
    return X, dY, state, d_final


# --------------------------------------------------------------------------- lstm_forward
def test_lstm_forward_is_lstm_step_chained():
    X, _, (h0, c0), _ = _data()
    params = _layer(peephole=True).params
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
    X, _, _, _ = _data()
    params = _layer().params
    Y, (hT, cT), _ = lstm_forward(X, None, params)
    Yz, (hz, cz), _ = lstm_forward(X, (np.zeros((N, H)), np.zeros((N, H))), params)
    for got, want in [(Y, Yz), (hT, hz), (cT, cz)]:
        np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------- lstm_backward
@pytest.mark.parametrize("with_state", [True, False], ids=["state", "no_state"])
@pytest.mark.parametrize("peephole", [False, True], ids=["plain", "peephole"])
def test_readable_path_matches_finite_differences(peephole, with_state):
    """Every parameter, X and the initial state, through ``LSTM(fused=False)``, which calls
    lstm_forward and lstm_backward (the loss also weighs the final state, so d_final_state is
    exercised)."""
    X, _, state, _ = _data(seed=3)
    layer = _layer(peephole=peephole)
    errors = check_layer_gradients(layer, X, state if with_state else None, seed=4)
    assert set(layer.params) <= set(errors) and "X" in errors
    assert ("state[0]" in errors) == ("state[1]" in errors) == with_state
    bad = {k: e for k, e in errors.items() if not e < 1e-7}
    assert not bad, f"gradients off: {bad}"


@pytest.mark.parametrize("peephole", [False, True], ids=["plain", "peephole"])
def test_dh_seq_is_the_gradient_reaching_each_hidden_state(peephole):
    """dh_seq[:, t] = ∂L/∂h_t (c_t held fixed) by finite differences: L depends on h_t through
    the output at t and through the steps after t, run from (h_t, c_t)."""
    X, dY, state, (dhT, dcT) = _data(batch=2, steps=4, hidden=3, seed=5)
    params = _layer(peephole=peephole, hidden=3).params
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
    X, dY, state, _ = _data()
    params = _layer(peephole=True).params
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
    layer = _layer(peephole=True, dtype=np.float32)
    X, dY, _, _ = _data()
    Y, (hT, cT) = layer.forward(X.astype(np.float32))
    dX, (dh0, dc0) = layer.backward(dY.astype(np.float32))
    for a in (Y, hT, cT, dX, dh0, dc0, layer.dh_seq, layer.gate_seq, *layer.grads.values()):
        assert a.dtype == np.float32
    _, _, caches = lstm_forward(X.astype(np.float32), None, layer.params)
    np.testing.assert_array_equal(layer.gate_seq, np.stack(
        [np.concatenate([k.i, k.f, k.g, k.o], axis=1) for k in caches]))


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_zero_peepholes_equal_the_plain_lstm(fused):
    X, dY, _, _ = _data()
    plain, peep = _layer(fused=fused), _layer(peephole=True, fused=fused)
    for k in ("W", "U", "b"):
        peep.params[k][...] = plain.params[k]
    for k in ("p_i", "p_f", "p_o"):
        peep.params[k][...] = 0.0
    Ya, (ha, ca) = plain.forward(X)
    Yb, (hb, cb) = peep.forward(X)
    dXa, (dha, dca) = plain.backward(dY)
    dXb, (dhb, dcb) = peep.backward(dY)
    for a, b in [(Ya, Yb), (ca, cb), (dXa, dXb), (dha, dhb), (dca, dcb)]:
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    for k in ("W", "U", "b"):
        np.testing.assert_allclose(plain.grads[k], peep.grads[k], rtol=0, atol=1e-15)

"""Every parameter and input gradient of every layer and loss against finite differences
(float64, relative error < 1e-6), and the fused layers against the step functions."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.gradcheck import (
    check_layer_gradients,
    check_loss_gradient,
    numerical_gradient,
    relative_error,
)
from lstmbook.nn.losses import mse, softmax_cross_entropy

TOL = 1e-6
N, T, D, H = 3, 5, 4, 6


def _x(seed=1, shape=(N, T, D)):
    return np.random.default_rng(seed).standard_normal(shape)


def _peepholed_lstm():
    layer = lb.LSTM(D, H, peephole=True, seed=0)
    rng = np.random.default_rng(9)
    for k in ("p_i", "p_f", "p_o"):  # non-zero peepholes so their paths are exercised
        layer.params[k][...] = rng.uniform(-0.5, 0.5, H)
    return layer


def _h(n_out=H, seed=2):
    return np.random.default_rng(seed).standard_normal((N, n_out)) * 0.5


LAYERS = {
    "rnn_tanh": (lambda: lb.RNN(D, H, seed=0), lambda: _h()),
    "rnn_relu": (lambda: lb.RNN(D, H, nonlinearity="relu", seed=0), lambda: _h()),
    "jordan": (lambda: lb.JordanRNN(D, H, 3, seed=0), lambda: _h(3)),
    "lstm": (lambda: lb.LSTM(D, H, seed=0), lambda: (_h(), _h(seed=3))),
    "lstm_peephole": (_peepholed_lstm, lambda: (_h(), _h(seed=3))),
    "gru": (lambda: lb.GRU(D, H, seed=0), lambda: _h()),
    "stack2_lstm": (
        lambda: lb.Stack([lb.LSTM(D, H, seed=0), lb.LSTM(H, 5, seed=1)]),
        lambda: [(_h(), _h(seed=3)), (_h(5, 4), _h(5, 5))],
    ),
    "bidirectional_lstm": (
        lambda: lb.Bidirectional(lb.LSTM(D, H, seed=0), lb.LSTM(D, 4, seed=1)),
        lambda: ((_h(), _h(seed=3)), (_h(4, 4), _h(4, 5))),
    ),
    "bidirectional_gru": (
        lambda: lb.Bidirectional(lb.GRU(D, H, seed=0), lb.GRU(D, H, seed=1)),
        lambda: (_h(), _h(seed=3)),
    ),
}


@pytest.mark.parametrize("name", LAYERS)
def test_layer_gradients_match_finite_differences(name):
    make, make_state = LAYERS[name]
    layer = make()
    errors = check_layer_gradients(layer, _x(), make_state(), seed=4)
    assert set(layer.params) <= set(errors) and "X" in errors
    assert any(k.startswith("state") for k in errors)
    bad = {k: e for k, e in errors.items() if not e < TOL}
    assert not bad, f"{name}: gradients off: {bad}"


@pytest.mark.parametrize("name", ["rnn_tanh", "lstm", "gru"])
def test_gradients_without_initial_state(name):
    errors = check_layer_gradients(LAYERS[name][0](), _x(), None, seed=5)
    assert max(errors.values()) < TOL


def test_linear_gradients_on_sequences_and_vectors():
    for shape in [(N, T, D), (N, D)]:
        errors = check_layer_gradients(lb.Linear(D, 3, seed=0), _x(shape=shape), seed=1)
        assert set(errors) == {"W", "b", "X"}
        assert max(errors.values()) < TOL


def test_softmax_cross_entropy_gradient_with_mask():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((N, T, 4))
    targets = rng.integers(0, 4, (N, T))
    mask = np.arange(T)[None, :] < np.array([5, 3, 1])[:, None]
    for reduction in ("mean", "sum"):
        err = check_loss_gradient(softmax_cross_entropy, logits, targets, mask,
                                  reduction=reduction)
        assert err < TOL
    _, d = softmax_cross_entropy(logits, targets, mask)
    assert np.all(d[~mask] == 0), "padding must receive zero gradient"


def test_softmax_cross_entropy_many_to_one():
    rng = np.random.default_rng(1)
    logits, targets = rng.standard_normal((N, 3)), rng.integers(0, 3, N)
    assert check_loss_gradient(softmax_cross_entropy, logits, targets) < TOL


def test_mse_gradient_with_mask():
    rng = np.random.default_rng(2)
    pred, target = rng.standard_normal((N, T, 2)), rng.standard_normal((N, T, 2))
    mask = np.arange(T)[None, :] < np.array([5, 2, 4])[:, None]
    assert check_loss_gradient(mse, pred, target, mask) < TOL
    assert check_loss_gradient(mse, pred[:, 0], target[:, 0]) < TOL


def test_masked_loss_ignores_padding_values():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((2, 4, 3))
    targets = rng.integers(0, 3, (2, 4))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], bool)
    changed = logits.copy()
    changed[1, 2:] = 1e3  # garbage in the padding
    assert softmax_cross_entropy(logits, targets, mask)[0] == pytest.approx(
        softmax_cross_entropy(changed, targets, mask)[0], rel=1e-12)


# -- the fused layers equal the step functions the book shows ------------------------------
# (the LSTM's: tests/unit/nn/test_lstm.py, against lstm_forward / lstm_backward)
def test_rnn_and_gru_layers_equal_chained_steps():
    X = _x()
    rnn = lb.RNN(D, H, seed=0)
    Y, _ = rnn.forward(X, _h())
    h, ys = _h(), []
    for t in range(T):
        h, _ = lb.rnn_step(X[:, t], h, rnn.params)
        ys.append(h)
    np.testing.assert_allclose(Y, np.stack(ys, 1), atol=1e-13)
    gru = lb.GRU(D, H, seed=0)
    Y, _ = gru.forward(X, _h())
    h, ys = _h(), []
    for t in range(T):
        h, _ = lb.gru_step(X[:, t], h, gru.params)
        ys.append(h)
    np.testing.assert_allclose(Y, np.stack(ys, 1), atol=1e-13)


def test_step_backward_functions_match_finite_differences():
    rng = np.random.default_rng(0)
    x, h = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    R = rng.standard_normal((N, H))
    for make, step, back in [
        (lambda: lb.RNN(D, H, seed=1), lb.rnn_step, lb.rnn_step_backward),
        (lambda: lb.GRU(D, H, seed=1), lb.gru_step, lb.gru_step_backward),
    ]:
        p = make().params
        out, cache = step(x, h, p)
        dx, dh, grads = back(R, cache, p)
        def f(step=step, p=p):
            return float(np.sum(step(x, h, p)[0] * R))
        assert relative_error(dx, numerical_gradient(f, x)) < TOL
        assert relative_error(dh, numerical_gradient(f, h)) < TOL
        for k in p:
            assert relative_error(grads[k], numerical_gradient(f, p[k])) < TOL, k


def test_float32_layers_compute_in_float32():
    X = _x().astype(np.float32)
    for layer in (lb.RNN(D, H, seed=0, dtype=np.float32), lb.LSTM(D, H, seed=0, dtype=np.float32),
                  lb.GRU(D, H, seed=0, dtype=np.float32)):
        Y, _ = layer.forward(X)
        dX, _ = layer.backward(np.ones_like(Y))
        assert Y.dtype == dX.dtype == np.float32
        assert all(g.dtype == np.float32 for g in layer.grads.values())
        ref = type(layer)(D, H, seed=0)
        Y64, _ = ref.forward(X.astype(np.float64))
        np.testing.assert_allclose(Y, Y64, atol=1e-5)


def test_dh_seq_records_gradient_reaching_each_step():
    layer = lb.RNN(D, H, seed=0)
    X = _x()
    Y, _ = layer.forward(X)
    dY = np.zeros_like(Y)
    dY[:, -1] = 1.0
    layer.backward(dY)
    assert layer.dh_seq.shape == (N, T, H)
    np.testing.assert_array_equal(layer.dh_seq[:, -1], 1.0)

"""lstmbook.nn.rnn: the Elman RNN (tanh and ReLU), the Jordan network, the echo-state network
and the time-delay window: gradients against finite differences, the layer against the step
function chained, the element-wise form of the step, and bad input."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.rnn import delay_embed

from .helpers import (
    D,
    H,
    N,
    T,
    assert_layer_equals_chained_steps,
    assert_layer_gradients,
    assert_raises_naming,
    assert_step_backward,
    bad_input,
    hidden,
    sequence,
)

LAYERS = {
    "rnn_tanh": (lambda: lb.RNN(D, H, seed=0), lambda: hidden()),
    "rnn_relu": (lambda: lb.RNN(D, H, nonlinearity="relu", seed=0), lambda: hidden()),
    "jordan": (lambda: lb.JordanRNN(D, H, 3, seed=0), lambda: hidden(3)),
}


@pytest.mark.parametrize("name", LAYERS)
def test_layer_gradients_match_finite_differences(name):
    make, make_state = LAYERS[name]
    assert_layer_gradients(make(), sequence(), make_state())


def test_gradients_without_initial_state():
    assert_layer_gradients(lb.RNN(D, H, seed=0), sequence(), None, seed=5)


def test_layer_equals_rnn_step_chained():
    assert_layer_equals_chained_steps(lb.RNN(D, H, seed=0), lb.rnn_step)


def test_step_backward_matches_finite_differences():
    assert_step_backward(lb.rnn_step, lb.rnn_step_backward, lb.RNN(D, H, seed=1).params)


def test_dh_seq_records_gradient_reaching_each_step():
    layer = lb.RNN(D, H, seed=0)
    Y, _ = layer.forward(sequence())
    dY = np.zeros_like(Y)
    dY[:, -1] = 1.0
    layer.backward(dY)
    assert layer.dh_seq.shape == (N, T, H)
    np.testing.assert_array_equal(layer.dh_seq[:, -1], 1.0)


def test_element_form_and_bias_as_weight_match_rnn_step():
    rnn = lb.RNN(3, 4, seed=0)
    p = rnn.params
    rng = np.random.default_rng(0)
    x, h = rng.normal(size=3), rng.normal(size=4)
    u = [p["b"][j] + sum(p["W"][j, i] * x[i] for i in range(3))
         + sum(p["U"][j, k] * h[k] for k in range(4)) for j in range(4)]
    ref, _ = lb.rnn_step(x[None], h[None], p)
    assert np.allclose(np.tanh(u), ref[0])
    W_aug = np.concatenate([p["b"][:, None], p["W"]], axis=1)
    aug, _ = lb.rnn_step(np.concatenate([[1.0], x])[None], h[None],
                         {"W": W_aug, "U": p["U"], "b": np.zeros(4)})
    assert np.allclose(aug, ref)


def test_time_delay_network_remembers_exactly_its_window():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(16, 30, 1))
    target = X[:, 2:26, 0]  # the targets x_{t-4} for t = 6 .. 29
    for window, solvable in ((3, False), (5, True)):
        Z = delay_embed(X, window)[:, 6:30].reshape(-1, window)
        A = np.concatenate([Z, np.ones((len(Z), 1))], axis=1)
        coef, *_ = np.linalg.lstsq(A, target.reshape(-1), rcond=None)
        err = np.mean((A @ coef - target.reshape(-1)) ** 2)
        assert (err < 1e-20) if solvable else (err > 0.25)


CASES = [
    ("unknown nonlinearity", lambda: lb.RNN(4, 3, nonlinearity="swish"), ValueError,
     ["nonlinearity", "tanh", "swish"]),
    ("esn radius zero", lambda: lb.EchoStateNetwork(2, 10, radius=0.0), ValueError,
     ["radius", "> 0"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)

"""Bad input gets a clear ValueError/TypeError naming the argument and what was expected."""

import warnings

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.activations import get_activation, log_softmax, sigmoid, softmax
from lstmbook.nn.losses import mse, softmax_cross_entropy

X = np.zeros((2, 3, 4))


def _nan_x():
    x = X.copy()
    x[0, 1, 2] = np.nan
    return x


def _lstm():
    return lb.LSTM(4, 5, seed=0)


CASES = [
    # (id, callable, exception, words the message must contain)
    ("rank 2 input", lambda: _lstm().forward(np.zeros((3, 4))), ValueError, ["X", "3 dimensions"]),
    ("rank 4 input", lambda: lb.RNN(4, 5).forward(np.zeros((1, 2, 3, 4))), ValueError,
     ["X", "3 dimensions"]),
    ("wrong feature size", lambda: _lstm().forward(np.zeros((2, 3, 7))), ValueError,
     ["X", "(N, T, 4)", "(2, 3, 7)"]),
    ("list instead of array", lambda: _lstm().forward([[[0.0] * 4]]), TypeError,
     ["X", "numpy.ndarray", "list"]),
    ("integer array", lambda: _lstm().forward(np.zeros((2, 3, 4), int)), TypeError,
     ["X", "floating-point"]),
    ("NaN in input", lambda: _lstm().forward(_nan_x()), ValueError, ["X", "NaN"]),
    ("empty batch", lambda: _lstm().forward(np.zeros((0, 3, 4))), ValueError, ["X", "at least"]),
    ("h0 wrong shape", lambda: lb.RNN(4, 5).forward(X, np.zeros((2, 6))), ValueError,
     ["h0", "(2, 5)", "(2, 6)"]),
    ("LSTM state not a pair", lambda: _lstm().forward(X, np.zeros((2, 5))), TypeError,
     ["state", "(h0, c0)"]),
    ("LSTM c0 mismatched", lambda: _lstm().forward(X, (np.zeros((2, 5)), np.zeros((3, 5)))),
     ValueError, ["c0", "(2, 5)", "(3, 5)"]),
    ("zero hidden size", lambda: lb.LSTM(4, 0), ValueError, ["hidden_size", "positive"]),
    ("negative input size", lambda: lb.GRU(-1, 3), ValueError, ["input_size", "positive"]),
    ("float size", lambda: lb.RNN(4.0, 3), TypeError, ["input_size", "integer"]),
    ("unknown nonlinearity", lambda: lb.RNN(4, 3, nonlinearity="swish"), ValueError,
     ["nonlinearity", "tanh", "swish"]),
    ("unknown activation lookup", lambda: get_activation("gelu"), ValueError, ["nonlinearity"]),
    ("bad dtype", lambda: lb.LSTM(4, 3, dtype=np.int32), TypeError, ["dtype", "float32"]),
    ("backward before forward", lambda: _lstm().backward(np.zeros((2, 3, 5))), RuntimeError,
     ["backward", "before forward"]),
    ("d_outputs wrong shape", lambda: _run_then(_lstm(), np.zeros((2, 3, 4))), ValueError,
     ["d_outputs", "(2, 3, 5)"]),
    ("stack size mismatch", lambda: lb.Stack([lb.LSTM(4, 5), lb.LSTM(6, 2)]), ValueError,
     ["layers[1].input_size", "5"]),
    ("stack of non-layers", lambda: lb.Stack([1, 2]), TypeError, ["layers[0]"]),
    ("bidirectional input mismatch", lambda: lb.Bidirectional(lb.LSTM(4, 2), lb.LSTM(3, 2)),
     ValueError, ["bwd.input_size", "4"]),
    ("linear wrong features", lambda: lb.Linear(4, 2).forward(np.zeros((2, 3, 5))), ValueError,
     ["X", "last dimension 4"]),
    ("targets wrong shape", lambda: softmax_cross_entropy(np.zeros((2, 3, 4)),
                                                          np.zeros((2, 4), int)),
     ValueError, ["targets", "(2, 3)"]),
    ("targets not integers", lambda: softmax_cross_entropy(np.zeros((2, 3, 4)),
                                                           np.zeros((2, 3))),
     TypeError, ["targets", "integer"]),
    ("target class out of range", lambda: softmax_cross_entropy(np.zeros((2, 4)),
                                                                np.array([0, 4])),
     ValueError, ["targets", "[0, 4)"]),
    ("mask wrong shape", lambda: mse(np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), np.ones((3, 2))),
     ValueError, ["mask", "(2, 3)"]),
    ("mask all zero", lambda: mse(np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), np.zeros((2, 3))),
     ValueError, ["mask", "at least one"]),
    ("mse shape mismatch", lambda: mse(np.zeros((2, 3, 1)), np.zeros((2, 3, 2))), ValueError,
     ["target", "(2, 3, 1)"]),
    ("unknown reduction", lambda: mse(np.zeros((2, 1)), np.zeros((2, 1)), reduction="avg"),
     ValueError, ["reduction", "avg"]),
    ("rng of wrong type", lambda: lb.LSTM(4, 3, rng=42), TypeError, ["rng", "Generator"]),
    ("esn radius zero", lambda: lb.EchoStateNetwork(2, 10, radius=0.0), ValueError,
     ["radius", "> 0"]),
    ("truncate zero", lambda: _bptt(truncate=0), ValueError, ["truncate", "positive"]),
]


def _run_then(layer, dY):
    layer.forward(X)
    return layer.backward(dY)


def _bptt(**kw):
    from lstmbook.nn.bptt import bptt
    return bptt(lb.RNN(4, 3), lb.Linear(3, 1), X, np.zeros((2, 3, 1)), mse, **kw)


def _clip_cases():
    from lstmbook.nn import clipping
    g = {"W": np.ones(3)}
    return [
        ("clip threshold zero", lambda: clipping.clip_grad_norm(g, 0.0), ValueError,
         ["max_norm"]),
        ("clip threshold negative", lambda: clipping.clip_grad_norm(g, -1.0), ValueError,
         ["max_norm"]),
        ("clip value NaN", lambda: clipping.clip_grad_value(g, float("nan")), ValueError,
         ["clip_value"]),
    ]


try:
    CASES += _clip_cases()
except ImportError:  # pragma: no cover - clipping arrives with its own module
    pass


@pytest.mark.parametrize("call,exc,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_clear_error(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    for w in words:
        assert w in msg, f"message {msg!r} should mention {w!r}"


def test_at_least_twenty_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_sigmoid_and_softmax_at_extremes_are_finite_and_silent(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s = sigmoid(np.array([x, -x, 0.0]))
            p = softmax(np.array([[x, 0.0, -x]]))
            lp = log_softmax(np.array([[x, 0.0, -x]]))
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(p)) and np.all(np.isfinite(lp))
    assert s[0] == (1.0 if x > 0 else 0.0) and s[2] == 0.5
    np.testing.assert_allclose(p.sum(), 1.0)
    lstm = lb.LSTM(1, 2, seed=0)
    lstm.params["W"][...] = 1.0
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        Y, _ = lstm.forward(np.full((1, 3, 1), x))
    assert np.all(np.isfinite(Y))

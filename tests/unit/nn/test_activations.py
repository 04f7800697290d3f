"""lstmbook.nn.activations: sigmoid, softmax and log-softmax stay finite and silent at extreme
inputs (and so does an LSTM fed them); an unknown activation is refused by name."""

import warnings

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.activations import get_activation, log_softmax, sigmoid, softmax

from .helpers import assert_raises_naming, bad_input


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


CASES = [
    ("unknown activation lookup", lambda: get_activation("gelu"), ValueError, ["nonlinearity"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)

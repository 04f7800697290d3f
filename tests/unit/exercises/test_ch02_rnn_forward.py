"""Chapter 2 grader, check_rnn_step: the package's Elman step passes; each typical mistake fails
with the first failing case named and a hint that names the mistake."""

import numpy as np
import pytest

import lstmbook
from lstmbook.exercises import check_rnn_step
from lstmbook.exercises.ch02_rnn_forward import MISTAKES

ONE = "one sequence, tanh (N=1, D=3, H=4)"
BIAS = "the bias: x = 0 and h_prev = 0, so h_t = tanh(b)"
RECURRENT = "the recurrent term: x = 0, so h_t = tanh(h_prev U^T + b)"
SQUARE = "a square case N = D = H = 3 (transposes matter)"
RELU = "nonlinearity='relu' (N=4, D=2, H=5)"


def _good(x, h_prev, W, U, b, nonlinearity="tanh"):
    u = x @ W.T + h_prev @ U.T + b
    return np.tanh(u) if nonlinearity == "tanh" else np.maximum(u, 0.0)


def _package(x, h_prev, W, U, b, nonlinearity="tanh"):
    return lstmbook.rnn_step(x, h_prev, {"W": W, "U": U, "b": b}, nonlinearity)[0]


def _transposed(x, h, W, U, b, nonlinearity="tanh"):
    return np.tanh(x @ W + h @ U + b)


def _swapped(x, h, W, U, b, nonlinearity="tanh"):
    return _good(x, h, W, U, b, nonlinearity).T


@pytest.mark.parametrize("fn", [_good, _package])
def test_rnn_step_grader_passes_correct_functions(fn):
    result = check_rnn_step(fn)
    assert result.passed and "6 of 6 cases passed" in str(result)


WRONG = {
    "no bias": (lambda x, h, W, U, b, nonlinearity="tanh": _good(x, h, W, U, 0 * b, nonlinearity),
                ONE, "bias is missing"),
    "no recurrence": (lambda x, h, W, U, b, nonlinearity="tanh":
                      _good(x, 0 * h, W, U, b, nonlinearity),
                      ONE, "recurrent term is missing"),
    "always tanh": (lambda x, h, W, U, b, nonlinearity="tanh": _good(x, h, W, U, b),
                    [RELU], "you applied tanh, but nonlinearity='relu'"),
    "always relu": (lambda x, h, W, U, b, nonlinearity="tanh": _good(x, h, W, U, b, "relu"),
                    ONE, "you applied ReLU, but nonlinearity='tanh'"),
    "U untransposed": (lambda x, h, W, U, b, nonlinearity="tanh":
                       _good(x, h, W, U.T, b, nonlinearity),
                       ONE, "U is used untransposed"),
    "weights untransposed": (_transposed, ONE, "raised ValueError ... shapes do not line up"),
    "no nonlinearity": (lambda x, h, W, U, b, nonlinearity="tanh": x @ W.T + h @ U.T + b,
                        ONE, "pre-activation"),
    "no nonlinearity argument": (lambda x, h, W, U, b: _good(x, h, W, U, b),
                                 [RELU], "nonlinearity='tanh' (default)"),
    "placeholder": (lambda x, h, W, U, b, nonlinearity="tanh": np.tanh(x @ W.T),
                    ONE, "both the recurrent term"),
    "swapped axes": (_swapped, ONE, "wrong shape: expected (1, 4), got (4, 1)"),
    "a list": (lambda x, h, W, U, b, nonlinearity="tanh": _good(x, h, W, U, b).tolist(),
               ONE, "got list ... return a numpy array of shape (N, H)"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_rnn_step_grader_names_each_mistake(kind, fails_with):
    fails_with(check_rnn_step, *WRONG[kind])


def test_rnn_step_grader_square_case_names_transposes():
    for fn, words in ((_transposed, "weights are used untransposed"),
                      (_swapped, "axes are swapped")):
        square = next(c for c in check_rnn_step(fn).cases if c.name == SQUARE)
        assert not square.passed and words in square.reason


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_rnn_step, MISTAKES, WRONG)

"""lstmbook.nn._checks: bad arguments get a clear ValueError/TypeError naming the argument, the
expected and the received, never a NumPy trace (seen through the layers that use the checks;
each module's own cases: its test module)."""

import numpy as np

import lstmbook as lb

from .helpers import assert_raises_naming, bad_input


def _nan_x():
    x = np.zeros((2, 3, 4))
    x[0, 1, 2] = np.nan
    return x


CASES = [
    # (id, callable, exception, words the message must contain)
    ("list instead of array", lambda: lb.LSTM(4, 5, seed=0).forward([[[0.0] * 4]]), TypeError,
     ["X", "numpy.ndarray", "list"]),
    ("integer array", lambda: lb.LSTM(4, 5, seed=0).forward(np.zeros((2, 3, 4), int)),
     TypeError, ["X", "floating-point"]),
    ("NaN in input", lambda: lb.LSTM(4, 5, seed=0).forward(_nan_x()), ValueError, ["X", "NaN"]),
    ("zero hidden size", lambda: lb.LSTM(4, 0), ValueError, ["hidden_size", "positive"]),
    ("negative input size", lambda: lb.GRU(-1, 3), ValueError, ["input_size", "positive"]),
    ("float size", lambda: lb.RNN(4.0, 3), TypeError, ["input_size", "integer"]),
    ("bad dtype", lambda: lb.LSTM(4, 3, dtype=np.int32), TypeError, ["dtype", "float32"]),
    ("rng of wrong type", lambda: lb.LSTM(4, 3, rng=42), TypeError, ["rng", "Generator"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)

"""lstmbook.nn.layers: Linear (on sequences and on vectors), Stack and Bidirectional: every
gradient against finite differences, and bad input."""

import numpy as np
import pytest

import lstmbook as lb

from .helpers import (
    D,
    H,
    N,
    T,
    assert_layer_gradients,
    assert_raises_naming,
    bad_input,
    hidden,
    sequence,
)

LAYERS = {
    "stack2_lstm": (
        lambda: lb.Stack([lb.LSTM(D, H, seed=0), lb.LSTM(H, 5, seed=1)]),
        lambda: [(hidden(), hidden(seed=3)), (hidden(5, 4), hidden(5, 5))],
    ),
    "bidirectional_lstm": (
        lambda: lb.Bidirectional(lb.LSTM(D, H, seed=0), lb.LSTM(D, 4, seed=1)),
        lambda: ((hidden(), hidden(seed=3)), (hidden(4, 4), hidden(4, 5))),
    ),
    "bidirectional_gru": (
        lambda: lb.Bidirectional(lb.GRU(D, H, seed=0), lb.GRU(D, H, seed=1)),
        lambda: (hidden(), hidden(seed=3)),
    ),
}


@pytest.mark.parametrize("name", LAYERS)
def test_container_gradients_match_finite_differences(name):
    make, make_state = LAYERS[name]
    assert_layer_gradients(make(), sequence(), make_state())


def test_linear_gradients_on_sequences_and_vectors():
    for shape in [(N, T, D), (N, D)]:
        assert_layer_gradients(lb.Linear(D, 3, seed=0), sequence(shape=shape), seed=1)


CASES = [
    ("stack size mismatch", lambda: lb.Stack([lb.LSTM(4, 5), lb.LSTM(6, 2)]), ValueError,
     ["layers[1].input_size", "5"]),
    ("stack of non-layers", lambda: lb.Stack([1, 2]), TypeError, ["layers[0]"]),
    ("bidirectional input mismatch", lambda: lb.Bidirectional(lb.LSTM(4, 2), lb.LSTM(3, 2)),
     ValueError, ["bwd.input_size", "4"]),
    ("linear wrong features", lambda: lb.Linear(4, 2).forward(np.zeros((2, 3, 5))), ValueError,
     ["X", "last dimension 4"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)

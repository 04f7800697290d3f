"""Parallel streams for truncated BPTT: the layout of eq-stream-layout, windows that continue
each other, and a carried state that makes the windows one long forward pass."""

import numpy as np
import pytest

from lstmbook.nn.lstm import LSTM
from lstmbook.nn.streams import stream_batches

TOKENS = np.arange(103)


@pytest.mark.parametrize("offset", [0, 2])
def test_layout_matches_the_equation(offset):
    n, k = 4, 5
    batches = stream_batches(TOKENS, n, k, offset=offset)
    S = (len(TOKENS) - 1 - offset) // n
    assert batches.stream_length == S and len(batches) == S // k
    for b, (x, y) in enumerate(batches):
        assert x.shape == y.shape == (n, k)
        for i in range(n):
            for s in range(k):
                assert x[i, s] == TOKENS[offset + i * S + b * k + s]
                assert y[i, s] == TOKENS[offset + i * S + b * k + s + 1]


def test_each_batch_continues_the_previous_one():
    batches = stream_batches(TOKENS, 3, 4)
    for b in range(len(batches) - 1):
        assert np.all(batches[b + 1].x[:, 0] == batches[b].x[:, -1] + 1)
        np.testing.assert_array_equal(batches[b].y[:, -1], batches[b + 1].x[:, 0])


def test_carried_state_gives_the_forward_pass_of_the_whole_streams():
    n, k = 3, 6
    batches = stream_batches(TOKENS, n, k)
    rng = np.random.default_rng(0)
    table = rng.standard_normal((len(TOKENS), 2))  # a fixed vector per token
    layer = LSTM(2, 5, seed=1)
    whole, _ = layer.forward(table[batches.inputs[:, :len(batches) * k]])
    state, parts = None, []
    for x, _ in batches:
        Y, state = layer.forward(table[x], state)
        parts.append(Y)
    np.testing.assert_allclose(np.concatenate(parts, axis=1), whole, rtol=1e-12, atol=1e-12)


def test_indexing_and_bad_arguments():
    batches = stream_batches(TOKENS, 4, 5)
    with pytest.raises(IndexError, match="out of range"):
        batches[len(batches)]
    with pytest.raises(ValueError, match="too short for one window"):
        stream_batches(np.arange(10), 4, 5)
    with pytest.raises(TypeError, match="integer dtype"):
        stream_batches(np.zeros(50), 2, 5)
    with pytest.raises(ValueError, match="n_streams must be a positive integer"):
        stream_batches(TOKENS, 0, 5)
    with pytest.raises(ValueError, match="offset must be an integer >= 0"):
        stream_batches(TOKENS, 2, 5, offset=-1)
    assert "4 streams of 25 tokens" in repr(batches)

"""lstmbook.nn.protocol, the base every recurrent layer shares: parameters drawn from a seed or a
Generator (the same seed gives identical arrays; NumPy's global random state is never touched),
the compute dtype, and the input, state and call-order checks."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn import interop
from lstmbook.nn.protocol import count_params

from .helpers import D, H, assert_raises_naming, bad_input, sequence


def _run(seed):
    X = np.random.default_rng(seed).standard_normal((2, 6, 3))
    out = []
    for cls in (lb.RNN, lb.LSTM, lb.GRU):
        layer = cls(3, 4, seed=seed)
        Y, _ = layer.forward(X)
        layer.backward(np.ones_like(Y))
        out += [Y, *layer.params.values(), *layer.grads.values()]
    return out


def test_same_seed_identical_arrays():
    a, b = _run(7), _run(7)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_different_seed_different_weights():
    assert not np.array_equal(lb.LSTM(3, 4, seed=1).params["W"], lb.LSTM(3, 4, seed=2).params["W"])


def test_global_random_state_untouched():
    np.random.seed(123)  # noqa: NPY002 - the legacy global state is what we check
    before = np.random.get_state()[1].copy()  # noqa: NPY002 - the state under test
    _run(0)
    lb.EchoStateNetwork(2, 10, seed=0)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002 - same


def test_rng_argument_is_used():
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(lb.LSTM(3, 4, rng=g1).params["U"],
                                  lb.LSTM(3, 4, rng=g2).params["U"])


def test_float32_layers_compute_in_float32():
    X = sequence().astype(np.float32)
    for layer in (lb.RNN(D, H, seed=0, dtype=np.float32), lb.LSTM(D, H, seed=0, dtype=np.float32),
                  lb.GRU(D, H, seed=0, dtype=np.float32)):
        Y, _ = layer.forward(X)
        dX, _ = layer.backward(np.ones_like(Y))
        assert Y.dtype == dX.dtype == np.float32
        assert all(g.dtype == np.float32 for g in layer.grads.values())
        ref = type(layer)(D, H, seed=0)
        Y64, _ = ref.forward(X.astype(np.float64))
        np.testing.assert_allclose(Y, Y64, atol=1e-5)


X = np.zeros((2, 3, 4))


def _run_then(layer, dY):
    layer.forward(X)
    return layer.backward(dY)


CASES = [
    # (id, callable, exception, words the message must contain)
    ("rank 2 input", lambda: lb.LSTM(4, 5, seed=0).forward(np.zeros((3, 4))), ValueError,
     ["X", "3 dimensions"]),
    ("rank 4 input", lambda: lb.RNN(4, 5).forward(np.zeros((1, 2, 3, 4))), ValueError,
     ["X", "3 dimensions"]),
    ("wrong feature size", lambda: lb.LSTM(4, 5, seed=0).forward(np.zeros((2, 3, 7))),
     ValueError, ["X", "(N, T, 4)", "(2, 3, 7)"]),
    ("empty batch", lambda: lb.LSTM(4, 5, seed=0).forward(np.zeros((0, 3, 4))), ValueError,
     ["X", "at least"]),
    ("h0 wrong shape", lambda: lb.RNN(4, 5).forward(X, np.zeros((2, 6))), ValueError,
     ["h0", "(2, 5)", "(2, 6)"]),
    ("backward before forward", lambda: lb.LSTM(4, 5, seed=0).backward(np.zeros((2, 3, 5))),
     RuntimeError, ["backward", "before forward"]),
    ("d_outputs wrong shape", lambda: _run_then(lb.LSTM(4, 5, seed=0), np.zeros((2, 3, 4))),
     ValueError, ["d_outputs", "(2, 3, 5)"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)


def test_count_params_formulas():
    D, H = 5, 7
    assert count_params(lb.GRU(D, H)) == 3 * (H * D + H * H) + 4 * H
    assert count_params(lb.LSTM(D, H)) == 4 * (H * D + H * H + H)
    torch_gru = interop.to_torch("gru", lb.GRU(D, H))
    assert sum(v.size for v in torch_gru.values()) == 3 * (H * D + H * H + 2 * H)
    stack = lb.Stack([lb.LSTM(3, 8), lb.LSTM(8, 8)])
    assert count_params(stack) == 4 * (8 * 3 + 64 + 8) + 4 * (64 + 64 + 8)
    with pytest.raises(TypeError, match="params"):
        count_params(object())

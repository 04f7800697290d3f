"""The same seed gives identical arrays; nothing touches NumPy's global random state."""

import numpy as np

import lstmbook as lb


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
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    _run(0)
    lb.EchoStateNetwork(2, 10, seed=0)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_rng_argument_is_used():
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    np.testing.assert_array_equal(lb.LSTM(3, 4, rng=g1).params["U"],
                                  lb.LSTM(3, 4, rng=g2).params["U"])

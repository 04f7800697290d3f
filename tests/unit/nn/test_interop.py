"""interop without torch: PyTorch-layout dicts round-trip through lstmbook layers."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.interop import from_torch, state_from_torch, state_to_torch, to_torch


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layers,bi", [(1, False), (2, False), (1, True), (2, True)])
def test_round_trip_gives_the_same_outputs(kind, layers, bi):
    cls = {"rnn": lb.RNN, "lstm": lb.LSTM, "gru": lb.GRU}[kind]
    d = 2 if bi else 1
    levels = []
    for k in range(layers):
        D = 3 if k == 0 else 4 * d
        levels.append(lb.Bidirectional(cls(D, 4, seed=k), cls(D, 4, seed=10 + k)) if bi
                      else cls(D, 4, seed=k))
    layer = levels[0] if layers == 1 else lb.Stack(levels)
    sd = to_torch(kind, layer)
    assert all(k.startswith(("weight_", "bias_")) for k in sd)
    assert len(sd) == 4 * layers * d
    back = from_torch(kind, sd, num_layers=layers, bidirectional=bi)
    X = np.random.default_rng(0).standard_normal((2, 5, 3))
    np.testing.assert_allclose(back.forward(X)[0], layer.forward(X)[0], atol=1e-14)


def test_bias_convention_b_is_sum_and_gru_keeps_b_hn_apart():
    rng = np.random.default_rng(0)
    H, D = 2, 3
    sd = {"weight_ih_l0": rng.standard_normal((3 * H, D)),
          "weight_hh_l0": rng.standard_normal((3 * H, H)),
          "bias_ih_l0": np.arange(6.0), "bias_hh_l0": 10 * np.arange(6.0)}
    gru = from_torch("gru", sd)
    np.testing.assert_array_equal(gru.params["b"], [0, 11, 22, 33, 4, 5])
    np.testing.assert_array_equal(gru.params["b_hn"], [40, 50])
    sd["weight_ih_l0"] = rng.standard_normal((4 * H, D))
    sd["weight_hh_l0"] = rng.standard_normal((4 * H, H))
    sd["bias_ih_l0"], sd["bias_hh_l0"] = np.ones(8), np.ones(8)
    np.testing.assert_array_equal(from_torch("lstm", sd).params["b"], 2 * np.ones(8))


def test_state_conversion_round_trip():
    h = np.random.default_rng(1).standard_normal((4, 2, 3))
    c = h + 1
    s = state_from_torch(h, c, num_layers=2, bidirectional=True)
    h2, c2 = state_to_torch(s, num_layers=2, bidirectional=True, has_cell=True)
    np.testing.assert_array_equal(h, h2)
    np.testing.assert_array_equal(c, c2)


def test_bad_kind_and_missing_keys():
    with pytest.raises(ValueError, match="kind must be one of"):
        from_torch("transformer", {})
    with pytest.raises(KeyError, match="weight_ih_l0"):
        from_torch("lstm", {})
    with pytest.raises(ValueError, match="h_n must have"):
        state_from_torch(np.zeros((3, 2, 2)), num_layers=2)

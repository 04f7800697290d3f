"""lstmbook.nn.gru: the GRU layer's gradients against finite differences, the layer against
``gru_step`` chained, and the step's backward."""

import pytest

import lstmbook as lb

from .helpers import (
    D,
    H,
    assert_layer_equals_chained_steps,
    assert_layer_gradients,
    assert_step_backward,
    hidden,
    sequence,
)


@pytest.mark.parametrize("with_state", [True, False], ids=["state", "no_state"])
def test_layer_gradients_match_finite_differences(with_state):
    state, seed = (hidden(), 4) if with_state else (None, 5)
    assert_layer_gradients(lb.GRU(D, H, seed=0), sequence(), state, seed=seed)


def test_layer_equals_gru_step_chained():
    assert_layer_equals_chained_steps(lb.GRU(D, H, seed=0), lb.gru_step)


def test_step_backward_matches_finite_differences():
    assert_step_backward(lb.gru_step, lb.gru_step_backward, lb.GRU(D, H, seed=1).params)

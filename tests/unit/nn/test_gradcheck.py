"""lstmbook.nn.gradcheck, the checker every other gradient test relies on: central differences
are right on a function with a known derivative (and leave its argument as it was), and
``check_layer_gradients`` names every gradient it checks and finds one that is off."""

import numpy as np

import lstmbook as lb
from lstmbook.nn.gradcheck import check_layer_gradients, numerical_gradient, relative_error

from .helpers import TOL, D, H, hidden, sequence


def test_numerical_gradient_of_a_known_function_restores_its_argument():
    x = np.random.default_rng(0).standard_normal((3, 4))
    before = x.copy()
    g = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_array_equal(x, before)
    assert relative_error(g, 3 * x**2) < 1e-8
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0, 0.0], [0.0, 1.0]) == relative_error([0.0, 1.0], [1.0, 0.0])


class _OffByOnePercent(lb.RNN):
    """An RNN whose backward reports ∂L/∂U and ∂L/∂h0 one per cent too large."""

    def backward(self, dY, d_final_state=None):
        dX, d_state = super().backward(dY, d_final_state)
        self.grads["U"] = 1.01 * self.grads["U"]
        return dX, 1.01 * d_state


def test_check_layer_gradients_finds_a_wrong_gradient():
    errors = check_layer_gradients(_OffByOnePercent(D, H, seed=0), sequence(), hidden(), seed=4)
    assert set(errors) == {"W", "U", "b", "X", "state[0]"}
    assert errors["U"] > 1e-3 and errors["state[0]"] > 1e-3
    assert all(errors[k] < TOL for k in ("W", "b", "X"))

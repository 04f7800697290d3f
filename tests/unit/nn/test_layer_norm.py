"""lstmbook.nn.layer_norm: each sample normalised by itself, the backward pass against finite
differences, and bad input."""

import numpy as np
import pytest

from lstmbook.nn import layer_norm
from lstmbook.nn.gradcheck import numerical_gradient, relative_error


def test_layer_norm_normalises_each_sample_by_itself():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 5.0, size=(4, 6, 8))
    y, _ = layer_norm.layer_norm(x, np.ones(8), np.zeros(8), eps=1e-12)
    assert np.allclose(y.mean(axis=-1), 0, atol=1e-12)
    assert np.allclose(y.var(axis=-1), 1, atol=1e-9)
    # independent of the rest of the batch
    y_one, _ = layer_norm.layer_norm(x[2:3], np.ones(8), np.zeros(8), eps=1e-12)
    assert np.allclose(y_one, y[2:3])
    # gain and bias
    g, b = rng.normal(size=8), rng.normal(size=8)
    y2, _ = layer_norm.layer_norm(x, g, b, eps=1e-12)
    assert np.allclose(y2, g * y + b)


@pytest.mark.parametrize("shape", [(5, 4), (3, 5, 4), (2, 3)])
def test_layer_norm_gradient_check(shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    F = shape[-1]
    g, b = rng.normal(size=F), rng.normal(size=F)
    R = rng.normal(size=shape)

    def loss():
        return float(np.sum(layer_norm.layer_norm(x, g, b)[0] * R))

    _, cache = layer_norm.layer_norm(x, g, b)
    dx, dg, db = layer_norm.layer_norm_backward(R, cache)
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    assert relative_error(dg, numerical_gradient(loss, g)) < 1e-7
    assert relative_error(db, numerical_gradient(loss, b)) < 1e-7


def test_layer_norm_bad_input():
    x = np.zeros((2, 3))
    with pytest.raises(TypeError, match="x"):
        layer_norm.layer_norm([[1.0, 2.0]], np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="gamma"):
        layer_norm.layer_norm(x, np.ones(4), np.zeros(3))
    with pytest.raises(ValueError, match="beta"):
        layer_norm.layer_norm(x, np.ones(3), np.zeros(2))
    with pytest.raises(ValueError, match="F >= 2"):
        layer_norm.layer_norm(np.zeros((2, 1)), np.ones(1), np.zeros(1))
    with pytest.raises(ValueError, match="eps"):
        layer_norm.layer_norm(x, np.ones(3), np.zeros(3), eps=0)
    _, cache = layer_norm.layer_norm(x, np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="dy"):
        layer_norm.layer_norm_backward(np.zeros((3, 3)), cache)
    with pytest.raises(TypeError, match="cache"):
        layer_norm.layer_norm_backward(np.zeros((2, 3)), (1, 2, 3))

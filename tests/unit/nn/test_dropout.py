"""Inverted dropout: kept entries scaled by 1/(1 − p), identity at evaluation, the backward
pass uses the forward's mask (finite differences), randomness only from the Generator."""

import numpy as np
import pytest

from lstmbook.nn.dropout import Dropout, dropout_mask
from lstmbook.nn.gradcheck import numerical_gradient, relative_error

X = np.random.default_rng(0).standard_normal((4, 5, 6))


def test_training_keeps_entries_scaled_or_zero():
    drop = Dropout(0.25, seed=1)
    Y = drop.forward(X)
    kept = Y != 0
    np.testing.assert_allclose(Y[kept], X[kept] / 0.75)
    assert 0.5 < kept.mean() < 0.95


def test_expected_value_is_unchanged():
    m = dropout_mask((200_000,), 0.3, np.random.default_rng(2))
    np.testing.assert_allclose(np.unique(m), [0.0, 1 / 0.7])
    assert abs(m.mean() - 1.0) < 0.01


def test_evaluation_and_p_zero_are_the_identity():
    drop = Dropout(0.5, seed=0)
    drop.training = False
    assert drop.forward(X) is X
    assert drop.backward(X) is X
    assert Dropout(0.0, seed=0).forward(X) is X


def test_gradient_matches_finite_differences_with_the_mask_fixed():
    drop = Dropout(0.4, seed=3)
    Xc = X.copy()
    G = np.random.default_rng(4).standard_normal(X.shape)
    drop.forward(Xc)
    mask = drop._mask  # the mask of that forward pass
    dX = drop.backward(G)
    numeric = numerical_gradient(lambda: float(np.sum(G * Xc * mask)), Xc)
    assert relative_error(dX, numeric) < 1e-6


def test_seeded_masks_repeat_and_differ_between_calls():
    a, b = Dropout(0.5, seed=7), Dropout(0.5, seed=7)
    first = a.forward(X)
    np.testing.assert_array_equal(first, b.forward(X))
    assert not np.array_equal(first, a.forward(X))


def test_float32_stays_float32():
    assert Dropout(0.5, seed=0).forward(X.astype(np.float32)).dtype == np.float32


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\)"):
        Dropout(1.0)
    with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\)"):
        Dropout(-0.1)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        Dropout(0.5, rng=3)
    drop = Dropout(0.5, seed=0)
    drop.forward(X)
    with pytest.raises(ValueError, match=r"dY must have shape \(4, 5, 6\)"):
        drop.backward(X[:2])

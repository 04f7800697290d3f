"""Embedding: the look-up equals the one-hot product, and its gradient matches finite
differences (float64, relative error < 1e-6) and the transposed one-hot product."""

import numpy as np
import pytest

from lstmbook.nn.embedding import Embedding, embedding_backward
from lstmbook.nn.gradcheck import numerical_gradient, relative_error
from lstmbook.nn.sequences import one_hot

V, D = 7, 4
TOKENS = np.array([[0, 3, 3, 6], [5, 3, 1, 0]])  # repeated tokens: gradients must add up


def test_forward_is_the_one_hot_product():
    emb = Embedding(V, D, seed=0)
    X = emb.forward(TOKENS)
    assert X.shape == (2, 4, D)
    np.testing.assert_allclose(X, one_hot(TOKENS, V) @ emb.params["W"])


def test_gradient_matches_finite_differences():
    emb = Embedding(V, D, seed=1)
    G = np.random.default_rng(2).standard_normal((2, 4, D))

    def loss():
        return float(np.sum(G * emb.forward(TOKENS)))

    emb.forward(TOKENS)
    emb.backward(G)
    numeric = numerical_gradient(loss, emb.params["W"])
    assert relative_error(emb.grads["W"], numeric) < 1e-6


def test_gradient_is_the_transposed_one_hot_product_and_adds_repeats():
    dX = np.random.default_rng(3).standard_normal((2, 4, D))
    dW = embedding_backward(TOKENS, dX, V)
    np.testing.assert_allclose(dW, one_hot(TOKENS, V).reshape(-1, V).T @ dX.reshape(-1, D))
    np.testing.assert_allclose(dW[3], dX[0, 1] + dX[0, 2] + dX[1, 1])  # token 3, three times
    assert np.all(dW[[2, 4]] == 0)  # tokens that do not occur get no gradient


def test_float32_stays_float32():
    emb = Embedding(V, D, seed=0, dtype=np.float32)
    X = emb.forward(TOKENS)
    emb.backward(np.ones_like(X))
    assert X.dtype == emb.grads["W"].dtype == np.float32


def test_bad_input_is_named():
    emb = Embedding(V, D, seed=0)
    with pytest.raises(TypeError, match="tokens must be a numpy.ndarray"):
        emb.forward([[0, 1]])
    with pytest.raises(TypeError, match="integer dtype"):
        emb.forward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"\[0, vocab_size\) = \[0, 7\)"):
        emb.forward(np.array([[0, 7]]))
    with pytest.raises(RuntimeError, match="before forward"):
        Embedding(V, D, seed=0).backward(np.zeros((1, 2, D)))
    emb.forward(TOKENS)
    with pytest.raises(ValueError, match=r"dX must have shape \(2, 4, 4\)"):
        emb.backward(np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match="vocab_size must be a positive integer"):
        Embedding(0, D)


def test_seeded_initialisation_is_repeatable():
    np.testing.assert_array_equal(Embedding(V, D, seed=5).params["W"],
                                  Embedding(V, D, seed=5).params["W"])

"""Embedding: a token id picks one row of a weight matrix (埋め込み, {ref}`eq-embedding`).

For a vocabulary of ``V`` tokens and vectors of size ``D``, ``W (V, D)``; token ``w`` becomes
``x = W[w]``, which is the product ``one_hot(w) W`` without the ``V`` multiplications by zero.
With ``D = V`` and ``W = I`` the embedding is the one-hot input itself.

The gradient of ``W`` is the one-hot product transposed, ``dW = one_hot(tokens)^T dX``: each
row of ``dW`` is the sum of the ``dX`` rows of the positions that hold that token. It is
computed by sorting nothing and multiplying nothing: one :func:`numpy.add.at` scatter-add.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, float_dtype, int_array, make_rng, positive_int

__all__ = ["Embedding", "embedding_backward"]


def embedding_backward(tokens, dX, vocab_size) -> np.ndarray:
    """``dW (V, D)`` with ``dW[w] = Σ_{positions p with tokens[p] = w} dX[p]``: the transposed
    one-hot product ``one_hot(tokens)^T dX`` ({ref}`eq-embedding`), as one scatter-add."""
    D = dX.shape[-1]
    dW = np.zeros((vocab_size, D), dX.dtype)
    np.add.at(dW, tokens.reshape(-1), dX.reshape(-1, D))
    return dW


class Embedding:
    """Look-up layer ``x_t = W[w_t]`` ({ref}`eq-embedding`) on integer tokens ``(N, T)``.

    ``W (V, D)`` starts standard normal (PyTorch's default). ``forward(tokens) -> X (N, T, D)``;
    ``backward(dX) -> None`` fills ``grads["W"]`` (tokens have no gradient).
    """

    recurrent = False

    def __init__(self, vocab_size, dim, *, seed=None, rng=None, dtype=np.float64):
        self.vocab_size = positive_int(vocab_size, "vocab_size")
        self.output_size = positive_int(dim, "dim")
        self.dtype = float_dtype(dtype)
        gen = make_rng(rng, seed)
        self.params = {"W": gen.standard_normal((self.vocab_size, self.output_size))
                       .astype(self.dtype)}
        self.grads = {"W": np.zeros_like(self.params["W"])}
        self._tokens = None

    def __repr__(self):
        return f"Embedding(vocab_size={self.vocab_size}, dim={self.output_size})"

    def forward(self, tokens):
        tokens = int_array(tokens, "tokens")
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.vocab_size):
            raise ValueError(f"tokens must lie in [0, vocab_size) = [0, {self.vocab_size}), got "
                             f"values from {int(tokens.min())} to {int(tokens.max())}")
        self._tokens = tokens
        return self.params["W"][tokens]  # = one_hot(tokens) @ W  (eq-embedding)

    def backward(self, dX):
        if self._tokens is None:
            raise RuntimeError("Embedding.backward called before forward")
        dX = as_array(dX, "dX", self._tokens.ndim + 1)
        want = self._tokens.shape + (self.output_size,)
        if dX.shape != want:
            raise ValueError(f"dX must have shape {want}, got {dX.shape}")
        self.grads = {"W": embedding_backward(self._tokens, dX.astype(self.dtype, copy=False),
                                              self.vocab_size)}

"""Inverted dropout (ドロップアウト; Srivastava et al. 2014), applied between stacked layers
as Zaremba et al. (2014) do for recurrent networks ({ref}`eq-dropout`).

In training each entry is kept with probability ``1 − p`` and scaled by ``1 / (1 − p)``, so its
expected value is unchanged; at evaluation the layer is the identity. Only the connections
between layers (and into the read-out) are dropped, never the recurrent ``h_{t-1} → h_t``
path, which would erase the memory a little at every step.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, fraction, make_rng

__all__ = ["Dropout", "dropout_mask"]


def dropout_mask(shape, p, rng, dtype=np.float64) -> np.ndarray:
    """The inverted-dropout multiplier of {ref}`eq-dropout`: ``m / (1 − p)`` with
    ``m ~ Bernoulli(1 − p)`` per entry, drawn from the Generator ``rng``."""
    p = fraction(p, "p")
    rng = make_rng(rng)
    keep = rng.random(shape, dtype=np.float32 if np.dtype(dtype) == np.float32 else np.float64)
    return ((keep >= p) * (1.0 / (1.0 - p))).astype(dtype, copy=False)


class Dropout:
    """``y = x ⊙ m / (1 − p)`` in training, ``y = x`` in evaluation ({ref}`eq-dropout`).

    ``p`` is the probability of dropping an entry (0 ≤ p < 1). Set ``training`` to False to
    evaluate. The randomness comes from ``rng`` (or ``seed``) only. No parameters.
    """

    recurrent = False

    def __init__(self, p, *, rng=None, seed=None):
        self.p = fraction(p, "p")
        self.rng = make_rng(rng, seed)
        self.training = True
        self.params, self.grads = {}, {}
        self._mask = None

    def __repr__(self):
        return f"Dropout(p={self.p})"

    def forward(self, X):
        X = as_array(X, "X")
        if not self.training or self.p == 0.0:
            self._mask = None
            return X
        self._mask = dropout_mask(X.shape, self.p, self.rng, X.dtype)
        return X * self._mask

    def backward(self, dY):
        dY = as_array(dY, "dY")
        if self._mask is None:
            return dY
        if dY.shape != self._mask.shape:
            raise ValueError(f"dY must have shape {self._mask.shape}, got {dY.shape}")
        return dY * self._mask

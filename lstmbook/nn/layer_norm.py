"""Layer normalisation (Ba et al. 2016, {ref}`eq-layer-norm`), forward and backward.

It normalises each sample's hidden vector by its *own* mean and variance over the features:
nothing depends on the rest of the batch, on the time step or on the sequence's length, so it
fits a recurrent layer that is applied at every step. (Why batch normalisation fits badly is
chapter 2's aside: :mod:`lstmbook.chapters.ch02_rnn_forward`.)

Shapes: ``x (..., F)`` with F features (e.g. hidden states ``(N, H)`` or ``(N, T, H)``);
``gamma``, ``beta`` ``(F,)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, positive_float

__all__ = ["LayerNormCache", "layer_norm", "layer_norm_backward"]


class LayerNormCache(NamedTuple):
    """What :func:`layer_norm` keeps for its backward pass."""

    x_hat: np.ndarray  #: (..., F) the normalised input (x − μ) / √(σ² + ε)
    inv_std: np.ndarray  #: (..., 1) 1 / √(σ² + ε) of each sample
    gamma: np.ndarray  #: (F,) the gain


def _gain_bias(gamma, beta, F):
    gamma = as_array(gamma, "gamma", 1)
    beta = as_array(beta, "beta", 1)
    if gamma.shape != (F,):
        raise ValueError(f"gamma must have shape ({F},) (one gain per feature), got {gamma.shape}")
    if beta.shape != (F,):
        raise ValueError(f"beta must have shape ({F},) (one bias per feature), got {beta.shape}")
    return gamma, beta


def layer_norm(x, gamma, beta, eps=1e-5):
    """Layer normalisation, {ref}`eq-layer-norm`, over the last axis of ``x (..., F)``.

    ``μ = mean_k x_k``, ``σ² = mean_k (x_k − μ)²`` for each sample (each row) separately, then
    ``y = γ ⊙ (x − μ) / √(σ² + ε) + β``. Returns ``(y, cache)``.
    """
    x = as_array(x, "x")
    if x.ndim < 1 or x.shape[-1] < 2:
        raise ValueError(f"x must have shape (..., F) with F >= 2 features, got {x.shape}")
    gamma, beta = _gain_bias(gamma, beta, x.shape[-1])
    eps = positive_float(eps, "eps")
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std  # eq-layer-norm
    return gamma * x_hat + beta, LayerNormCache(x_hat, inv_std, gamma)


def layer_norm_backward(dy, cache: LayerNormCache):
    """Backward of :func:`layer_norm`: ``(dx, dgamma, dbeta)``.

    With ``g = dy ⊙ γ`` and F features,
    ``dx = (1/√(σ²+ε)) · (g − mean_k g_k − x̂ ⊙ mean_k (g_k x̂_k))``; ``dγ``, ``dβ`` are summed
    over every axis but the last.
    """
    if not isinstance(cache, LayerNormCache):
        raise TypeError(f"cache must be the LayerNormCache returned by layer_norm, got "
                        f"{type(cache).__name__}")
    dy = as_array(dy, "dy")
    if dy.shape != cache.x_hat.shape:
        raise ValueError(f"dy must have the shape of layer_norm's output {cache.x_hat.shape}, "
                         f"got {dy.shape}")
    x_hat = cache.x_hat
    g = dy * cache.gamma
    dx = cache.inv_std * (g - g.mean(axis=-1, keepdims=True)
                          - x_hat * (g * x_hat).mean(axis=-1, keepdims=True))
    axes = tuple(range(dy.ndim - 1))
    return dx, (dy * x_hat).sum(axis=axes), dy.sum(axis=axes)

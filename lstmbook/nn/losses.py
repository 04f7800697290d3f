"""Losses over sequences, each returning ``(loss, d_prediction)``.

``mask (N, T)`` marks the valid steps of sequences of different lengths (padding is masked out:
it adds nothing to the loss and receives zero gradient). ``reduction="mean"`` divides by the
number of valid positions; ``"sum"`` is the notes' E(w) ({ref}`eq-seq-ce`).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, one_of
from .activations import log_softmax

_REDUCTIONS = ("mean", "sum")


def _weights(mask, shape, dtype):
    """The mask as 0/1 weights of ``shape`` (the positions: (N,) or (N, T))."""
    if mask is None:
        return np.ones(shape, dtype)
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"mask must be a numpy.ndarray of booleans or 0/1, got "
                        f"{type(mask).__name__}")
    if mask.shape != shape:
        raise ValueError(f"mask must have shape {shape} (one entry per position), "
                         f"got {mask.shape}")
    w = mask.astype(dtype)
    if not np.all((w == 0) | (w == 1)):
        raise ValueError("mask must contain only 0/1 or False/True")
    return w


def _divisor(w, reduction):
    one_of(reduction, _REDUCTIONS, "reduction")
    if reduction == "sum":
        return 1.0
    n = float(w.sum())
    if n == 0:
        raise ValueError("mask must mark at least one valid position for reduction='mean'")
    return n


def softmax_cross_entropy(logits, targets, mask=None, reduction="mean"):
    """Softmax + cross-entropy, ``E = −Σ_n Σ_{t≤T_n} log y_{n,t}[d_{n,t}]`` ({ref}`eq-seq-ce`).

    ``logits (N, T, C)`` with integer ``targets (N, T)``, or ``(N, C)`` with ``(N,)``.
    Returns ``(loss, dlogits)``; ``dlogits = (softmax − one_hot) · mask / divisor``.
    """
    logits = as_array(logits, "logits", (2, 3))
    if not isinstance(targets, np.ndarray):
        raise TypeError(f"targets must be a numpy.ndarray of class indices, got "
                        f"{type(targets).__name__}")
    if not np.issubdtype(targets.dtype, np.integer):
        raise TypeError(f"targets must hold integer class indices, got dtype {targets.dtype}")
    if targets.shape != logits.shape[:-1]:
        raise ValueError(f"targets must have shape {logits.shape[:-1]} (logits without the class "
                         f"axis), got {targets.shape}")
    C = logits.shape[-1]
    w = _weights(mask, targets.shape, logits.dtype)
    valid = w > 0
    if np.any((targets[valid] < 0) | (targets[valid] >= C)):
        tv = targets[valid]
        raise ValueError(f"targets must be class indices in [0, {C}), got values "
                         f"{np.unique(tv[(tv < 0) | (tv >= C)])}")
    safe = np.where(valid, targets, 0)
    logp = log_softmax(logits)
    picked = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    div = _divisor(w, reduction)
    loss = -float(np.sum(picked * w)) / div
    d = np.exp(logp)
    np.put_along_axis(d, safe[..., None], np.take_along_axis(d, safe[..., None], -1) - 1, -1)
    d *= (w / div)[..., None]
    return loss, d


def mse(pred, target, mask=None, reduction="mean"):
    """Squared error summed over features, averaged over valid positions ({ref}`eq-mse`).

    ``pred`` and ``target`` share a shape ``(N, O)`` or ``(N, T, O)``; ``mask`` is ``(N,)``
    or ``(N, T)``. Returns ``(loss, dpred)``.
    """
    pred = as_array(pred, "pred", (2, 3))
    target = as_array(target, "target", (2, 3))
    if target.shape != pred.shape:
        raise ValueError(f"target must have the shape of pred {pred.shape}, got {target.shape}")
    w = _weights(mask, pred.shape[:-1], pred.dtype)
    div = _divisor(w, reduction)
    diff = (pred - target) * w[..., None]
    return float(np.sum(diff * diff)) / div, 2.0 * diff / div

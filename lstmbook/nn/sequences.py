"""Sequences of different lengths in one batch: padding, the mask, the last valid step, one-hot.

Every array is batch-first: a padded batch is ``(N, T_max, D)`` (or ``(N, T_max)`` for token
ids), its mask ``(N, T_max)`` is True on real steps, and ``lengths (N,)`` holds each
sequence's own length ``T_n`` (chapter 1; the masked loss is {ref}`eq-seq-ce`).
"""

from __future__ import annotations

import numpy as np

from ._checks import float_dtype, int_array, positive_int

__all__ = ["last_valid", "lengths_to_mask", "one_hot", "pad_sequences"]


def pad_sequences(seqs, *, pad_value=0.0):
    """Stack sequences of different lengths into one padded batch, with its mask and lengths.

    Parameters
    ----------
    seqs : list (or tuple) of N arrays, each ``(T_i, D)`` (or each ``(T_i,)``, e.g. token ids),
        all with the same trailing shape and ``T_i >= 1``.
    pad_value : the value written into the padding steps (0.0 by default).

    Returns
    -------
    X : ``(N, T_max, D)`` (or ``(N, T_max)``), sequence n in ``X[n, :T_n]``, then ``pad_value``.
        Its dtype is the common dtype of the inputs.
    mask : ``(N, T_max)`` bool, ``mask[n, t]`` is True where step t of sequence n is real data.
    lengths : ``(N,)`` int64, ``T_n``.
    """
    if not isinstance(seqs, list | tuple):
        raise TypeError(f"seqs must be a list of numpy arrays, got {type(seqs).__name__}")
    if len(seqs) == 0:
        raise ValueError("seqs must hold at least one sequence, got an empty list")
    trailing = None
    for k, s in enumerate(seqs):
        if not isinstance(s, np.ndarray):
            raise TypeError(f"seqs[{k}] must be a numpy.ndarray, got {type(s).__name__}")
        if not (np.issubdtype(s.dtype, np.number) or s.dtype == bool):
            raise TypeError(f"seqs[{k}] must hold numbers, got dtype {s.dtype}")
        if s.ndim not in (1, 2):
            raise ValueError(
                f"seqs[{k}] must have shape (T_i, D) or (T_i,), got shape {s.shape}"
            )
        if s.shape[0] == 0:
            raise ValueError(f"seqs[{k}] is empty (length 0); every sequence needs >= 1 step")
        if trailing is None:
            trailing = s.shape[1:]
        elif s.shape[1:] != trailing:
            raise ValueError(
                f"seqs[{k}] has trailing shape {s.shape[1:]}, but seqs[0] has {trailing}: "
                "every sequence needs the same number of features D"
            )
    lengths = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    T_max = int(lengths.max())
    dtype = np.result_type(*seqs)
    X = np.full((len(seqs), T_max, *trailing), pad_value, dtype=dtype)
    for k, s in enumerate(seqs):
        X[k, : s.shape[0]] = s
    return X, lengths_to_mask(lengths, T_max), lengths


def lengths_to_mask(lengths, T=None):
    """The ``(N, T)`` boolean mask of a padded batch: ``mask[n, t] = t < lengths[n]``.

    ``lengths`` is an ``(N,)`` integer array with ``0 <= lengths[n] <= T``; ``T`` defaults to
    ``lengths.max()``. ``mask.sum()`` is the number of real (valid) steps in the batch.
    """
    lengths = int_array(lengths, "lengths", ndim=1)
    if T is None:
        if lengths.size == 0:
            raise ValueError("lengths is empty; pass T to say how long the mask is")
        T = int(lengths.max())
    T = positive_int(T, "T")
    if np.any(lengths < 0) or np.any(lengths > T):
        raise ValueError(f"lengths must lie in [0, T] = [0, {T}], got {lengths.tolist()}")
    return np.arange(T)[None, :] < lengths[:, None]


def last_valid(Y, lengths):
    """Each sequence's output at its own last valid step: the many-to-one read-out.

    ``Y`` is ``(N, T, H)`` (outputs of a recurrent layer over a padded batch) and ``lengths``
    ``(N,)`` integers in ``[1, T]``; the result is ``(N, H)`` with row n equal to
    ``Y[n, lengths[n] - 1]``. (``Y[:, -1]`` would read the padding of every shorter sequence.)
    """
    if not isinstance(Y, np.ndarray):
        raise TypeError(f"Y must be a numpy.ndarray of shape (N, T, H), got {type(Y).__name__}")
    if Y.ndim != 3:
        raise ValueError(f"Y must have shape (N, T, H), got shape {Y.shape}")
    lengths = int_array(lengths, "lengths", ndim=1)
    N, T, _ = Y.shape
    if lengths.shape[0] != N:
        raise ValueError(
            f"lengths must have shape (N,) = ({N},) to match Y {Y.shape}, got {lengths.shape}"
        )
    if np.any(lengths < 1) or np.any(lengths > T):
        raise ValueError(f"lengths must lie in [1, T] = [1, {T}], got {lengths.tolist()}")
    return Y[np.arange(N), lengths - 1]


def one_hot(indices, depth, dtype=np.float64):
    """One-hot vectors: an integer array of shape S becomes ``S + (depth,)`` with a single 1.

    Every index must lie in ``[0, depth)``.
    """
    indices = int_array(indices, "indices")
    depth = positive_int(depth, "depth")
    dt = float_dtype(dtype)
    if indices.size and (indices.min() < 0 or indices.max() >= depth):
        raise ValueError(
            f"indices must lie in [0, depth) = [0, {depth}), got values from "
            f"{int(indices.min())} to {int(indices.max())}"
        )
    return (indices[..., None] == np.arange(depth)).astype(dt)

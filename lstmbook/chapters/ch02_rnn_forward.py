"""Chapter 2, the RNN forward pass (``book/02_rnn_forward.ipynb``): the hidden-state explorer's
model and the batch-statistics aside.

:func:`hidden_trajectories` runs an Elman RNN (:func:`lstmbook.nn.rnn.rnn_step`) from a zero or
a random initial state. :func:`batch_stats_per_step` and :func:`batch_norm_per_step` show what
batch normalisation would have to compute inside a recurrent layer: statistics *per time step*
over however many sequences are still running there, the reason it fits recurrent networks badly
(layer normalisation, :mod:`lstmbook.nn.layer_norm`, does not depend on the batch).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook.nn._checks import (
    as_array,
    make_rng,
    nonnegative_float,
    one_of,
    positive_float,
    positive_int,
)
from lstmbook.nn.rnn import rnn_step, spectral_radius

__all__ = [
    "BatchStats",
    "INITS",
    "NONLINEARITIES",
    "HiddenTrajectories",
    "batch_norm_per_step",
    "batch_stats_per_step",
    "hidden_trajectories",
]


NONLINEARITIES = ("tanh", "relu")


INITS = ("zeros", "random")


class HiddenTrajectories(NamedTuple):
    hs: np.ndarray  #: (T+1, H) hidden states h_0 .. h_T from the chosen initial state
    hs_zero: np.ndarray  #: (T+1, H) the same inputs and weights started from h_0 = 0
    x: np.ndarray  #: (T,) the input sequence (one feature)
    gap: np.ndarray  #: (T+1,) ‖h_t − h_t(zero start)‖: what is left of the initial state
    radius: float  #: spectral radius of the recurrent matrix U (the "scale")
    max_abs: float  #: largest |h_t| entry of the run
    nonlinearity: str  #: "tanh" or "relu"
    summary: str  #: one-paragraph description


def hidden_trajectories(scale=0.9, nonlinearity="tanh", init="zeros", *, T=30, H=8,
                                 seed=0, init_std=0.1) -> HiddenTrajectories:
    """Run an Elman RNN (:func:`lstmbook.nn.rnn.rnn_step`, {ref}`eq-rnn-hidden`) over one random
    input sequence of ``T`` steps with ``H`` hidden units.

    The recurrent matrix ``U`` is a random matrix (entries N(0, 1/H) plus 0.3, so its largest
    eigenvalue is real and positive) rescaled to spectral radius ``scale``; ``W`` is uniform in
    [-1, 1], ``b = 0``. ``init`` is ``"zeros"`` or ``"random"`` (h_0 ~ N(0, init_std²)); the
    run from ``h_0 = 0`` is always computed too, so ``gap`` shows how the initial state fades.
    Pure: the same arguments give the same arrays.
    """
    scale = nonnegative_float(scale, "scale")
    one_of(nonlinearity, NONLINEARITIES, "nonlinearity")
    one_of(init, INITS, "init")
    T = positive_int(T, "T")
    H = positive_int(H, "H")
    rng = make_rng(seed=seed)
    M = rng.standard_normal((H, H)) / np.sqrt(H) + 0.3
    params = {"W": rng.uniform(-1, 1, (H, 1)), "U": scale * M / spectral_radius(M),
              "b": np.zeros(H)}
    x = rng.uniform(-1, 1, T)
    h0 = rng.normal(0.0, init_std, (1, H))  # drawn either way: both settings see the same x, W
    if init == "zeros":
        h0 = np.zeros((1, H))

    def run(h):
        hs = [h[0]]
        for t in range(T):
            h, _ = rnn_step(x[t:t + 1, None], h, params, nonlinearity)
            hs.append(h[0])
        return np.array(hs)

    with np.errstate(over="ignore", invalid="ignore"):
        hs, hs_zero = run(h0), run(np.zeros((1, H)))
        gap = np.linalg.norm(hs - hs_zero, axis=1)
    max_abs = float(np.max(np.abs(hs)))
    summary = (
        f"{nonlinearity}, spectral radius of U = {scale:.2f}, h_0 = {init}: the largest |h_t| "
        f"entry is {max_abs:.3g}"
        + (" (tanh keeps every unit in (-1, 1))." if nonlinearity == "tanh" else
           " (ReLU has no upper bound)." if max_abs > 1 else ".")
        + (f" The random start is {gap[0]:.3g} from zero at t = 0 and {gap[min(10, T)]:.2g} at "
           f"t = {min(10, T)}." if init == "random" else "")
    )
    return HiddenTrajectories(hs, hs_zero, x, gap, scale, max_abs, nonlinearity, summary)


# --------------------------------------------------------------------------- batch statistics
class BatchStats(NamedTuple):
    """Per-step batch statistics of a padded batch (:func:`batch_stats_per_step`)."""

    count: np.ndarray  #: (T,) int, how many sequences are still running at step t
    mean: np.ndarray  #: (T, F) mean over those sequences (NaN where count is 0)
    var: np.ndarray  #: (T, F) variance over those sequences (NaN where count is 0)


def _padded(states, mask):
    states = as_array(states, "states", 3)
    if not isinstance(mask, np.ndarray) or mask.dtype != bool:
        raise TypeError(f"mask must be a boolean numpy.ndarray (N, T), got "
                        f"{type(mask).__name__}" + (f" of dtype {mask.dtype}"
                                                    if isinstance(mask, np.ndarray) else ""))
    if mask.shape != states.shape[:2]:
        raise ValueError(f"mask must have shape {states.shape[:2]} (N, T) to match states "
                         f"{states.shape}, got {mask.shape}")
    return states, mask


def batch_stats_per_step(states, mask):
    """What batch normalisation would have to compute in a recurrent layer.

    ``states (N, T, F)`` are hidden values of a padded batch, ``mask (N, T)`` its valid steps. At
    each step t the statistics can only use the sequences that are still running there, so
    ``count[t]`` shrinks as shorter sequences end, and ``mean[t]``, ``var[t]`` change from step
    to step. Returns :class:`BatchStats`.
    """
    states, mask = _padded(states, mask)
    w = mask.astype(states.dtype)[..., None]  # (N, T, 1)
    count = mask.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (states * w).sum(axis=0) / count[:, None]
        var = (((states - mean) ** 2) * w).sum(axis=0) / count[:, None]
    return BatchStats(count.astype(np.int64), mean, var)


def batch_norm_per_step(states, mask, eps=1e-5):
    """Normalise each step by that step's batch statistics (no gain or bias): the value of
    sequence n at step t becomes ``(states[n, t] − mean[t]) / √(var[t] + ε)``; padding gives 0.

    The result for one sequence depends on which other sequences share its batch, and where
    only one sequence is still running (``count[t] == 1``) every value becomes 0.
    """
    states, mask = _padded(states, mask)
    eps = positive_float(eps, "eps")
    stats = batch_stats_per_step(states, mask)
    out = np.zeros_like(states)
    valid = stats.count > 0
    out[:, valid] = (states[:, valid] - stats.mean[valid]) / np.sqrt(stats.var[valid] + eps)
    return out * mask[..., None]

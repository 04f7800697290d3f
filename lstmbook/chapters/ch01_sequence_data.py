"""Chapter 1, sequence data (``book/01_sequence_data.ipynb``): the padding explorer's model.

:func:`padding_view` draws a batch of sequences of random lengths and pads it, the way every
later chapter batches its sequences (:mod:`lstmbook.nn.sequences`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook.nn._checks import make_rng, positive_int
from lstmbook.nn.sequences import last_valid, pad_sequences

__all__ = ["PaddingView", "padding_view"]


class PaddingView(NamedTuple):
    X: np.ndarray  #: (N, T, D) padded batch (D features per step; padding is 0)
    mask: np.ndarray  #: (N, T) bool
    lengths: np.ndarray  #: (N,) int
    readout: np.ndarray  #: (N, D) what a many-to-one head reads: X at each last valid step
    n_valid: int  #: number of real steps, mask.sum()
    n_slots: int  #: N * T
    summary: str  #: one-paragraph description


def padding_view(N=4, T=8, seed=0, D=2) -> PaddingView:
    """Draw ``N`` sequences of random lengths in [1, T] (the longest has exactly T steps), with
    ``D`` features per step, and pad them into one batch ``(N, T, D)``.

    Pure: the same arguments give the same arrays.
    """
    N = positive_int(N, "N")
    T = positive_int(T, "T")
    D = positive_int(D, "D")
    rng = make_rng(seed=seed)
    lengths = rng.integers(1, T + 1, size=N)
    lengths[rng.integers(N)] = T  # pad to T exactly: one sequence is full length
    seqs = [np.round(rng.uniform(-1, 1, size=(int(L), D)), 1) for L in lengths]
    X, mask, lengths = pad_sequences(seqs)
    n_valid, n_slots = int(mask.sum()), N * T
    summary = (
        f"X has shape (N, T, D) = ({N}, {T}, {D}): {n_slots} time slots of {D} features,\n"
        f"{n_valid} real and {n_slots - n_valid} padding ({(n_slots - n_valid) / n_slots:.0%}).\n"
        f"lengths = {lengths.tolist()}: a many-to-one head reads steps {(lengths - 1).tolist()}."
    )
    return PaddingView(X, mask, lengths, last_valid(X, lengths), n_valid, n_slots, summary)

"""Chapter 1 grader (``book/01_sequence_data.ipynb``): :func:`check_last_valid`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises.core import Case, Result, grade

__all__ = ["check_last_valid"]

def _padded_outputs(lengths, H, seed):
    """Outputs (N, T, H) of a padded batch: real steps hold values near 0..1, padding steps hold
    values from 100 up, so a read-out that picked padding is easy to recognise."""
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths, dtype=np.int64)
    N, T = len(lengths), int(lengths.max())
    Y = np.round(rng.uniform(0, 1, size=(N, T, H)), 3)
    pad = np.arange(T)[None, :] >= lengths[:, None]
    Y[pad] = 100 + np.arange(int(pad.sum() * H)).reshape(-1, H)
    return Y, lengths


def _last_valid_hint(Y, lengths):
    N, T, H = Y.shape
    rows = np.arange(N)

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, IndexError):
            return ("an index ran past the end of the time axis. A sequence of length L has steps "
                    "0 .. L - 1, so its last valid step is lengths[n] - 1.")
        if isinstance(out, BaseException):
            return None
        if not isinstance(out, np.ndarray):
            return "return a numpy array of shape (N, H): one output vector per sequence."
        if same(out, Y[:, -1]):
            return ("this is Y[:, -1], the last column of the padded batch; for every sequence "
                    "shorter than T that step is padding (the values >= 100 here). Read step "
                    "lengths[n] - 1 of each sequence n instead.")
        if np.all(lengths < T) and same(out, Y[rows, lengths]):
            return ("off by one: a sequence of length L has steps 0 .. L - 1, so its last valid "
                    "step is lengths[n] - 1, not lengths[n].")
        if out.shape == (N, N, H):
            return ("Y[:, lengths - 1] takes every chosen step for every sequence (shape "
                    "(N, N, H)); pair sequence n with its own step: Y[np.arange(N), lengths - 1].")
        if out.shape == (H, N) and H != N:
            return "the axes are swapped: the result should be (N, H), one row per sequence."
        if out.shape == (N, H) and np.any(out >= 100):
            return "some rows come from padding steps (values >= 100): check the index you use."
        return None

    return hint


def check_last_valid(fn: Callable) -> Result:
    """Grade ``fn(Y, lengths) -> (N, H)``: each sequence's output at its last valid step.

    ``Y`` is ``(N, T, H)`` over a padded batch and ``lengths`` ``(N,)`` integers; the answer is
    ``Y[n, lengths[n] - 1]`` for each n 
    (:func:`lstmbook.nn.sequences.last_valid`). Cases: equal lengths,
    different lengths, a sequence of length 1, a batch of one.
    """
    cases = []
    for name, lengths, H, seed in (
        ("equal lengths (no padding)", [4, 4, 4], 2, 0),
        ("different lengths (padding at the end of shorter sequences)", [5, 2, 3, 4], 3, 1),
        ("a sequence of length 1", [1, 3], 2, 2),
        ("a batch of one sequence", [3], 4, 3),
    ):
        Y, lens = _padded_outputs(lengths, H, seed)
        expected = Y[np.arange(len(lens)), lens - 1]
        cases.append(Case(name, (Y, lens), expected, hint=_last_valid_hint(Y, lens)))
    return grade(fn, cases, title="Checking your many-to-one read-out")

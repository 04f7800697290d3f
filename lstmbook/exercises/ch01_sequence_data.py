"""Chapter 1 grader (``book/01_sequence_data.ipynb``): :func:`check_last_valid`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array

__all__ = ["check_last_valid"]

# name, lengths of the sequences, H, seed
CASES = (
    ("equal lengths (no padding)", [4, 4, 4], 2, 0),
    ("different lengths (padding at the end of shorter sequences)", [5, 2, 3, 4], 3, 1),
    ("a sequence of length 1", [1, 3], 2, 2),
    ("a batch of one sequence", [3], 4, 3),
)

MISTAKES = (
    # reading Y[n, lengths[n]] (off by one) raises here: some sequence fills the batch
    Raised("an index ran past the end of the time axis. A sequence of length L has steps "
           "0 .. L - 1, so its last valid step is lengths[n] - 1.", IndexError),
    Symptom("return a numpy array of shape (N, H): one output vector per sequence.",
            not_an_array),
    Mistake("this is Y[:, -1], the last column of the padded batch; for every sequence "
            "shorter than T that step is padding (the values >= 100 here). Read step "
            "lengths[n] - 1 of each sequence n instead.",
            lambda Y: Y[:, -1]),
    Symptom("Y[:, lengths - 1] takes every chosen step for every sequence (shape "
            "(N, N, H)); pair sequence n with its own step: Y[np.arange(N), lengths - 1].",
            lambda out, N, H: out.shape == (N, N, H)),
    Symptom("the axes are swapped: the result should be (N, H), one row per sequence.",
            lambda out, N, H: out.shape == (H, N) and H != N),
    Symptom("some rows come from padding steps (values >= 100): check the index you use.",
            lambda out, N, H: out.shape == (N, H) and np.any(out >= 100)),
)


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


def _case(name, lengths, H, seed) -> core.Case:
    Y, lens = _padded_outputs(lengths, H, seed)
    expected = Y[np.arange(len(lens)), lens - 1]
    return core.Case(name, (Y, lens), expected, mistakes=MISTAKES,
                     given={"Y": Y, "lengths": lens, "N": len(lens), "H": H})


def check_last_valid(fn: Callable) -> core.Result:
    """Grade ``fn(Y, lengths) -> (N, H)``: each sequence's output at its last valid step.

    ``Y`` is ``(N, T, H)`` over a padded batch and ``lengths`` ``(N,)`` integers; the answer is
    ``Y[n, lengths[n] - 1]`` for each n (:func:`lstmbook.nn.sequences.last_valid`). Cases: equal
    lengths, different lengths, a sequence of length 1, a batch of one.
    """
    return core.grade(fn, core.case_table(CASES, _case), title="Checking your many-to-one read-out")

"""Chapter 8 grader (``book/08_variants.ipynb``): :func:`check_bidirectional`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array
from lstmbook.nn.gru import GRU
from lstmbook.nn.layers import Bidirectional
from lstmbook.nn.lstm import LSTM
from lstmbook.nn.rnn import RNN

__all__ = ["check_bidirectional"]

# name, forward layer class, backward layer class, N, T, D, H→, H←
CASES = (
    ("one time step (T = 1)", LSTM, LSTM, 2, 1, 3, 2, 2),
    ("a batch of LSTM layers (N = 3, T = 5)", LSTM, LSTM, 3, 5, 2, 3, 3),
    ("GRU layers of different sizes (H→ = 2, H← = 3)", GRU, GRU, 2, 4, 3, 2, 3),
    ("one sequence, plain RNN layers (N = 1, T = 6)", RNN, RNN, 1, 6, 2, 2, 2),
)


def _misplaced_halves(out, N, T, H):
    """The halves were joined along the batch or time axis, not the feature axis."""
    return out.shape in ((2 * N, T, H // 2), (N, 2 * T, H // 2)) or (
        out.ndim == 3 and out.shape[2] != H and out.shape[:2] != (N, T))


# Yf: the forward layer's outputs; Yb_read_forwards: the backward layer run on X as it is;
# Yb_rev: the backward layer run on X[:, ::-1] (its outputs in reversed time order)
MISTAKES = (
    Raised("the halves may differ in size (H→ ≠ H←) but share N and T: concatenate them along "
           "the feature axis, axis=2.", says=("concatenation axis",)),
    Symptom("return one array Y of shape (N, T, H→ + H←); layer.forward(X) returns a pair "
            "(Y, final_state): keep its first element.", not_an_array),
    Symptom("concatenate the two halves along the feature axis (axis=2): each step gets "
            "[h→_t, h←_t].", _misplaced_halves),
    Mistake("the backward layer read the sequence forwards: give it the time-reversed input "
            "X[:, ::-1] (axis 1 is time).",
            lambda Yf, Yb_read_forwards: np.concatenate([Yf, Yb_read_forwards], axis=2)),
    Mistake("the backward outputs are still in reversed time order: flip them back with "
            "[:, ::-1], so that step t holds h←_t, the state after reading x_T .. x_t.",
            lambda Yf, Yb_rev: np.concatenate([Yf, Yb_rev], axis=2)),
    Mistake("the halves are swapped: Y[:, t] = [h→_t, h←_t], forward half first.",
            lambda Yf, Yb_rev: np.concatenate([Yb_rev[:, ::-1], Yf], axis=2)),
)


def _outputs(layer, X):
    return layer.forward(np.ascontiguousarray(X))[0]


def _case(k, name, fwd_class, bwd_class, N, T, D, Hf, Hb) -> core.Case:
    fwd, bwd = fwd_class(D, Hf, seed=10 + k), bwd_class(D, Hb, seed=20 + k)
    X = np.random.default_rng(30 + k).normal(0.0, 1.0, (N, T, D))
    expected, _ = Bidirectional(fwd, bwd).forward(X)
    given = {"N": N, "T": T, "H": Hf + Hb, "Yf": _outputs(fwd, X),
             "Yb_read_forwards": _outputs(bwd, X), "Yb_rev": _outputs(bwd, X[:, ::-1])}
    return core.Case(name, (fwd, bwd, X), expected, mistakes=MISTAKES, given=given)


def check_bidirectional(fn: Callable) -> core.Result:
    """Grade ``fn(fwd, bwd, X) -> Y``: a bidirectional layer ({ref}`eq-birnn`) from two
    recurrent layers. ``fwd`` reads ``X (N, T, D)`` forwards, ``bwd`` reads it backwards, and
    ``Y[:, t] = [h→_t, h←_t]`` of shape ``(N, T, H→ + H←)``, as
    :class:`lstmbook.nn.layers.Bidirectional` computes.

    Cases: one time step (where reversing changes nothing), a batch of LSTM layers, GRU layers
    of different sizes, and one sequence of plain RNN layers.
    """
    return core.grade(fn, core.case_table(((k, *row) for k, row in enumerate(CASES)), _case),
                      title="Checking your bidirectional layer")

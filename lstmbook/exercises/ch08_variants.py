"""Chapter 8 grader (``book/08_variants.ipynb``): :func:`check_bidirectional`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook import GRU, LSTM, RNN, Bidirectional
from lstmbook.exercises.core import Case, Result, grade

__all__ = ["check_bidirectional"]

def _birnn_hint(fwd, bwd, X):
    """Recognise the usual mistakes of a hand-written bidirectional layer."""
    def run(layer, Z):
        return layer.forward(np.ascontiguousarray(Z))[0]

    N, T, _ = X.shape
    Yf = run(fwd, X)
    Yb_rev = run(bwd, X[:, ::-1])  # in reversed time order
    right = np.concatenate([Yf, Yb_rev[:, ::-1]], axis=2)
    wrong = (
        (np.concatenate([Yf, run(bwd, X)], axis=2),
         "the backward layer read the sequence forwards: give it the time-reversed input "
         "X[:, ::-1] (axis 1 is time)."),
        (np.concatenate([Yf, Yb_rev], axis=2),
         "the backward outputs are still in reversed time order: flip them back with "
         "[:, ::-1], so that step t holds h←_t, the state after reading x_T .. x_t."),
        (np.concatenate([Yb_rev[:, ::-1], Yf], axis=2),
         "the halves are swapped: Y[:, t] = [h→_t, h←_t], forward half first."),
    )

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, BaseException):
            if "concatenation axis" in str(out):
                return ("the halves may differ in size (H→ ≠ H←) but share N and T: "
                        "concatenate them along the feature axis, axis=2.")
            return None
        if not isinstance(out, np.ndarray):
            return ("return one array Y of shape (N, T, H→ + H←); layer.forward(X) returns a "
                    "pair (Y, final_state): keep its first element.")
        if out.shape in ((2 * N, T, right.shape[2] // 2), (N, 2 * T, right.shape[2] // 2)) or (
                out.ndim == 3 and out.shape[2] != right.shape[2] and out.shape[:2] != (N, T)):
            return ("concatenate the two halves along the feature axis (axis=2): each step gets "
                    "[h→_t, h←_t].")
        for ref, text in wrong:
            if same(out, ref) and not same(ref, right):
                return text
        return None

    return hint


def check_bidirectional(fn: Callable) -> Result:
    """Grade ``fn(fwd, bwd, X) -> Y``: a bidirectional layer ({ref}`eq-birnn`) from two
    recurrent layers. ``fwd`` reads ``X (N, T, D)`` forwards, ``bwd`` reads it backwards, and
    ``Y[:, t] = [h→_t, h←_t]`` of shape ``(N, T, H→ + H←)``, as
    :class:`lstmbook.nn.layers.Bidirectional` computes.

    Cases: one time step (where reversing changes nothing), a batch of LSTM layers, GRU layers
    of different sizes, and one sequence of plain RNN layers.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")
    scenarios = (
        ("one time step (T = 1)", LSTM, LSTM, 2, 1, 3, 2, 2),
        ("a batch of LSTM layers (N = 3, T = 5)", LSTM, LSTM, 3, 5, 2, 3, 3),
        ("GRU layers of different sizes (H→ = 2, H← = 3)", GRU, GRU, 2, 4, 3, 2, 3),
        ("one sequence, plain RNN layers (N = 1, T = 6)", RNN, RNN, 1, 6, 2, 2, 2),
    )
    cases = []
    for k, (name, cf, cb, N, T, D, Hf, Hb) in enumerate(scenarios):
        fwd, bwd = cf(D, Hf, seed=10 + k), cb(D, Hb, seed=20 + k)
        X = np.random.default_rng(30 + k).normal(0.0, 1.0, (N, T, D))
        expected, _ = Bidirectional(fwd, bwd).forward(X)
        cases.append(Case(name, (fwd, bwd, X), expected, hint=_birnn_hint(fwd, bwd, X)))
    return grade(fn, cases, title="Checking your bidirectional layer")

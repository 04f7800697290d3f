"""Chapter 9 grader (``book/09_long_time_lags.ipynb``): :func:`check_adding_target`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.data import adding_problem
from lstmbook.exercises.core import Case, Result, grade

__all__ = ["check_adding_target"]



def _adding_target_reference(X):
    return (X[:, :, 0] * X[:, :, 1]).sum(axis=1, keepdims=True)


def _adding_target_hint(X):
    values, marks = X[:, :, 0], X[:, :, 1]

    def hint(out):
        if isinstance(out, BaseException):
            return None
        out = np.asarray(out)
        if out.shape == (X.shape[0],):
            return "The targets must be a column of shape (N, 1), like the y of " \
                   "data.adding_problem: keep the summed axis (keepdims=True) or add [:, None]."
        if out.shape != (X.shape[0], 1):
            return None
        if np.allclose(out[:, 0], values.sum(axis=1)):
            return "This sums every value. Only the two steps whose marker (channel 1) is 1 count."
        if np.allclose(out[:, 0], marks.sum(axis=1)):
            return "This sums the markers (always 2). Sum the values (channel 0) at the " \
                   "marked steps."
        first = values[np.arange(len(X)), marks.argmax(axis=1)]
        if np.allclose(out[:, 0], first):
            return "This is only the first marked value; add the second one too."
        return None

    return hint


def check_adding_target(fn: Callable) -> Result:
    """Grade ``fn(X) -> y``: the adding problem's target, the sum of the values (channel 0) at
    the two marked steps (channel 1 = 1), as a column ``(N, 1)`` ({ref}`eq-adding-problem`)."""
    X1, _ = adding_problem(4, 10, seed=3)
    X2, _ = adding_problem(3, 50, seed=4, dtype=np.float32)
    X3 = np.zeros((2, 6, 2))
    X3[:, :, 0] = [[0.5, -0.2, 0.1, 0.3, -0.4, 0.9], [-1.0, 0.25, 0.0, 0.6, 0.7, -0.8]]
    X3[:, [0, 5], 1] = 1.0  # markers at the very first and the very last step
    cases = [
        Case(f"{name}: X of shape {X.shape}", (X,), _adding_target_reference(X),
             hint=_adding_target_hint(X), rtol=1e-5, atol=1e-6)
        for name, X in (("a small batch", X1), ("float32, T = 50", X2),
                        ("markers at the first and last step", X3))
    ]
    return grade(fn, cases, title="adding-problem target")

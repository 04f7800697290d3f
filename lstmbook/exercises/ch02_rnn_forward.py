"""Chapter 2 grader (``book/02_rnn_forward.ipynb``): :func:`check_rnn_step`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises.core import Case, Result, grade
from lstmbook.nn.rnn import rnn_step

__all__ = ["check_rnn_step"]



def _rnn_step_hint(x, h, W, U, b, nonlinearity):
    """Recognise the usual mistakes in an Elman step by recomputing them."""
    f = np.tanh if nonlinearity == "tanh" else (lambda a: np.maximum(a, 0.0))
    other = (lambda a: np.maximum(a, 0.0)) if nonlinearity == "tanh" else np.tanh
    N, H = h.shape
    wrong = [
        (lambda: other(x @ W.T + h @ U.T + b),
         f"you applied {'ReLU' if nonlinearity == 'tanh' else 'tanh'}, but nonlinearity="
         f"{nonlinearity!r}: choose f from the argument (np.tanh for 'tanh', "
         "np.maximum(a, 0) for 'relu')."),
        (lambda: x @ W.T + h @ U.T + b,
         "this is the pre-activation u_t: apply the nonlinearity f to it."),
        (lambda: f(x @ W.T + b),
         "the recurrent term is missing: add h_prev @ U.T, the feedback of the previous "
         "hidden state (without it this is a feed-forward layer)."),
        (lambda: f(x @ W.T + h @ U.T),
         "the bias is missing: add b (the weight w_j0 of a constant input x_0 = 1)."),
        (lambda: f(x @ W.T),
         "both the recurrent term h_prev @ U.T and the bias b are missing: "
         "h_t = f(x W^T + h_prev U^T + b)."),
        (lambda: f(x @ W.T + h @ U + b),
         "U is used untransposed: with row vectors, h_prev @ U.T computes Σ_j' U[j, j'] "
         "h_prev[j']."),
        (lambda: f(x @ W + h @ U + b),
         "the weights are used untransposed: W has shape (H, D), so x @ W.T gives (N, H)."),
        (lambda: f(x @ W.T + h @ U.T + b).T,
         "the axes are swapped: return (N, H), one row per sequence."),
    ]

    def hint(out):
        if isinstance(out, BaseException):
            if isinstance(out, TypeError) and "nonlinearity" in str(out):
                return "give your function the argument nonlinearity='tanh' (default)."
            if isinstance(out, ValueError) and "matmul" in str(out):
                return ("shapes do not line up: x is (N, D), W (H, D), h_prev (N, H), U (H, H); "
                        "use x @ W.T and h_prev @ U.T.")
            return None
        if not isinstance(out, np.ndarray):
            return "return a numpy array of shape (N, H)."
        for make, text in wrong:
            with np.errstate(all="ignore"):
                try:
                    ref = make()
                except ValueError:
                    continue
            if ref.shape == out.shape and np.allclose(ref, out):
                return text
        return None

    return hint


def check_rnn_step(fn: Callable) -> Result:
    """Grade ``fn(x, h_prev, W, U, b, nonlinearity="tanh") -> h_t``, the Elman step
    ({ref}`eq-rnn-hidden`): ``h_t = f(x W^T + h_prev U^T + b)`` with ``x (N, D)``,
    ``h_prev (N, H)``, ``W (H, D)``, ``U (H, H)``, ``b (H,)``; compared with
    :func:`lstmbook.nn.rnn.rnn_step`. Cases: one sequence, a batch, the bias alone, the recurrent
    term alone, a square case where transposes matter, and ReLU.
    """
    cases = []
    for name, N, D, H, seed, zero_x, zero_h, nl in (
        ("one sequence, tanh (N=1, D=3, H=4)", 1, 3, 4, 0, False, False, "tanh"),
        ("a batch of 5 sequences (N=5, D=3, H=4)", 5, 3, 4, 1, False, False, "tanh"),
        ("the bias: x = 0 and h_prev = 0, so h_t = tanh(b)", 2, 3, 4, 2, True, True, "tanh"),
        ("the recurrent term: x = 0, so h_t = tanh(h_prev U^T + b)", 2, 3, 4, 3, True, False,
         "tanh"),
        ("a square case N = D = H = 3 (transposes matter)", 3, 3, 3, 4, False, False, "tanh"),
        ("nonlinearity='relu' (N=4, D=2, H=5)", 4, 2, 5, 5, False, False, "relu"),
    ):
        rng = np.random.default_rng(100 + seed)
        x = np.zeros((N, D)) if zero_x else np.round(rng.uniform(-1, 1, (N, D)), 2)
        h = np.zeros((N, H)) if zero_h else np.round(rng.uniform(-1, 1, (N, H)), 2)
        W = np.round(rng.uniform(-1, 1, (H, D)), 2)
        U = np.round(rng.uniform(-1, 1, (H, H)), 2)
        b = np.round(rng.uniform(-1, 1, H), 2)
        expected, _ = rnn_step(x, h, {"W": W, "U": U, "b": b}, nl)
        kwargs = {"nonlinearity": nl} if nl != "tanh" else {}
        cases.append(Case(name, (x, h, W, U, b), expected, kwargs=kwargs,
                          hint=_rnn_step_hint(x, h, W, U, b, nl)))
    return grade(fn, cases, title="Checking your Elman step")

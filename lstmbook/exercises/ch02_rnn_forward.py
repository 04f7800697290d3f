"""Chapter 2 grader (``book/02_rnn_forward.ipynb``): :func:`check_rnn_step`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array
from lstmbook.nn.rnn import rnn_step

__all__ = ["check_rnn_step"]

# name, N, D, H, seed, x = 0, h_prev = 0, nonlinearity
CASES = (
    ("one sequence, tanh (N=1, D=3, H=4)", 1, 3, 4, 0, False, False, "tanh"),
    ("a batch of 5 sequences (N=5, D=3, H=4)", 5, 3, 4, 1, False, False, "tanh"),
    ("the bias: x = 0 and h_prev = 0, so h_t = tanh(b)", 2, 3, 4, 2, True, True, "tanh"),
    ("the recurrent term: x = 0, so h_t = tanh(h_prev U^T + b)", 2, 3, 4, 3, True, False,
     "tanh"),
    ("a square case N = D = H = 3 (transposes matter)", 3, 3, 3, 4, False, False, "tanh"),
    ("nonlinearity='relu' (N=4, D=2, H=5)", 4, 2, 5, 5, False, False, "relu"),
)


def _relu(a):
    return np.maximum(a, 0.0)


def _other_nonlinearity(nonlinearity):
    return (f"you applied {'ReLU' if nonlinearity == 'tanh' else 'tanh'}, but nonlinearity="
            f"{nonlinearity!r}: choose f from the argument (np.tanh for 'tanh', "
            "np.maximum(a, 0) for 'relu').")


MISTAKES = (
    Raised("give your function the argument nonlinearity='tanh' (default).", TypeError,
           says=("nonlinearity",)),
    Raised("shapes do not line up: x is (N, D), W (H, D), h_prev (N, H), U (H, H); "
           "use x @ W.T and h_prev @ U.T.", ValueError, says=("matmul",)),
    Symptom("return a numpy array of shape (N, H).", not_an_array),
    Mistake(_other_nonlinearity,
            lambda other, x, h, W, U, b: other(x @ W.T + h @ U.T + b)),
    Mistake("this is the pre-activation u_t: apply the nonlinearity f to it.",
            lambda x, h, W, U, b: x @ W.T + h @ U.T + b),
    Mistake("the recurrent term is missing: add h_prev @ U.T, the feedback of the previous "
            "hidden state (without it this is a feed-forward layer).",
            lambda f, x, W, b: f(x @ W.T + b)),
    Mistake("the bias is missing: add b (the weight w_j0 of a constant input x_0 = 1).",
            lambda f, x, h, W, U: f(x @ W.T + h @ U.T)),
    Mistake("both the recurrent term h_prev @ U.T and the bias b are missing: "
            "h_t = f(x W^T + h_prev U^T + b).",
            lambda f, x, W: f(x @ W.T)),
    Mistake("U is used untransposed: with row vectors, h_prev @ U.T computes Σ_j' U[j, j'] "
            "h_prev[j'].",
            lambda f, x, h, W, U, b: f(x @ W.T + h @ U + b)),
    Mistake("the weights are used untransposed: W has shape (H, D), so x @ W.T gives (N, H).",
            lambda f, x, h, W, U, b: f(x @ W + h @ U + b)),
    Mistake("the axes are swapped: return (N, H), one row per sequence.",
            lambda f, x, h, W, U, b: f(x @ W.T + h @ U.T + b).T),
)


def _case(name, N, D, H, seed, zero_x, zero_h, nonlinearity) -> core.Case:
    rng = np.random.default_rng(100 + seed)
    x = np.zeros((N, D)) if zero_x else core.rounded_uniform(rng, (N, D))
    h = np.zeros((N, H)) if zero_h else core.rounded_uniform(rng, (N, H))
    W = core.rounded_uniform(rng, (H, D))
    U = core.rounded_uniform(rng, (H, H))
    b = core.rounded_uniform(rng, H)
    expected, _ = rnn_step(x, h, {"W": W, "U": U, "b": b}, nonlinearity)
    f, other = (np.tanh, _relu) if nonlinearity == "tanh" else (_relu, np.tanh)
    return core.Case(name, (x, h, W, U, b), expected,
                     kwargs={"nonlinearity": nonlinearity} if nonlinearity != "tanh" else {},
                     mistakes=MISTAKES,
                     given={"x": x, "h": h, "W": W, "U": U, "b": b, "f": f, "other": other,
                            "nonlinearity": nonlinearity})


def check_rnn_step(fn: Callable) -> core.Result:
    """Grade ``fn(x, h_prev, W, U, b, nonlinearity="tanh") -> h_t``, the Elman step
    ({ref}`eq-rnn-hidden`): ``h_t = f(x W^T + h_prev U^T + b)`` with ``x (N, D)``,
    ``h_prev (N, H)``, ``W (H, D)``, ``U (H, H)``, ``b (H,)``; compared with
    :func:`lstmbook.nn.rnn.rnn_step`. Cases: one sequence, a batch, the bias alone, the recurrent
    term alone, a square case where transposes matter, and ReLU.
    """
    return core.grade(fn, core.case_table(CASES, _case), title="Checking your Elman step")

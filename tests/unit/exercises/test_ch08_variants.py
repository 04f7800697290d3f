"""Chapter 8 grader, check_bidirectional: a hand-written bidirectional layer and the package's
pass; each typical mistake fails (the one-step case passes without a reversal) and the report
names the mistake."""

import numpy as np
import pytest

from lstmbook.exercises import check_bidirectional
from lstmbook.exercises.ch08_variants import MISTAKES
from lstmbook.nn.layers import Bidirectional

ONE_STEP = "one time step (T = 1)"
LSTMS = "a batch of LSTM layers (N = 3, T = 5)"
GRUS = "GRU layers of different sizes (H→ = 2, H← = 3)"
RNNS = "one sequence, plain RNN layers (N = 1, T = 6)"


def _ok(fwd, bwd, X):
    Yf, _ = fwd.forward(X)
    Yb, _ = bwd.forward(X[:, ::-1])
    return np.concatenate([Yf, Yb[:, ::-1]], axis=2)


def _halves(fwd, bwd, X):
    """The forward outputs and the backward ones, put back in time order."""
    return fwd.forward(X)[0], bwd.forward(X[:, ::-1])[0][:, ::-1]


@pytest.mark.parametrize("fn", [_ok, lambda f, b, X: Bidirectional(f, b).forward(X)[0]])
def test_bidirectional_grader_passes_correct_solutions(fn):
    result = check_bidirectional(fn)
    assert result.passed and "4 of 4 cases passed" in str(result)


WRONG = {
    "not reversed": (lambda f, b, X: np.concatenate([f.forward(X)[0], b.forward(X)[0]], axis=2),
                     [LSTMS, GRUS, RNNS], "read the sequence forwards"),
    "not flipped back": (lambda f, b, X: np.concatenate([f.forward(X)[0],
                                                         b.forward(X[:, ::-1])[0]], axis=2),
                         [LSTMS, GRUS, RNNS], "reversed time order"),
    "halves swapped": (lambda f, b, X: np.concatenate(_halves(f, b, X)[::-1], axis=2),
                       [ONE_STEP, LSTMS, GRUS, RNNS], "swapped"),
    "batch axis": (lambda f, b, X: np.concatenate(_halves(f, b, X), axis=0),
                   [ONE_STEP, LSTMS, GRUS, RNNS], "feature axis"),
    "a pair": (lambda f, b, X: f.forward(X), [ONE_STEP, LSTMS, GRUS, RNNS],
               "keep its first element"),
    "unequal halves": (lambda f, b, X: np.concatenate(_halves(f, b, X), axis=1),
                       [ONE_STEP, LSTMS, GRUS, RNNS], "concatenation axis ... axis=2"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_bidirectional_grader_names_the_mistake(kind, fails_with):
    fails_with(check_bidirectional, *WRONG[kind])


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_bidirectional, MISTAKES, WRONG)

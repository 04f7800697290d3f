"""Chapter 3 grader, check_bptt_delta: the chapter's δ step passes; each typical mistake fails
the cases it should and the report names the mistake."""

import numpy as np
import pytest

from lstmbook.chapters import ch03_bptt
from lstmbook.exercises import check_bptt_delta
from lstmbook.exercises.ch03_bptt import MISTAKES

LAST = "the last step: delta_next = 0 (no error from the future)"
MIDDLE = "a middle step: error from the output and from step t + 1"
NO_LOSS = "a step without a loss of its own: dout_t = 0"
BATCH = "a batch of 4 sequences, H = 5"
ALL = [LAST, MIDDLE, NO_LOSS, BATCH]


def good(dout, dnext, U, h):
    return (dout + dnext @ U) * (1 - h**2)


@pytest.mark.parametrize("fn", [good, ch03_bptt.bptt_delta])
def test_grader_passes_correct_versions(fn):
    result = check_bptt_delta(fn)
    assert result.passed, str(result)
    assert "4 of 4 cases passed" in str(result)


WRONG = {
    "no future": (lambda d, n, U, h: d * (1 - h**2), [MIDDLE, NO_LOSS, BATCH],
                  "error from the future is missing"),
    "U transposed": (lambda d, n, U, h: (d + n @ U.T) * (1 - h**2), [MIDDLE, NO_LOSS, BATCH],
                     "U is transposed"),
    "no f'": (lambda d, n, U, h: d + n @ U, ALL, "f'(u_t) is missing"),
    "1 - h": (lambda d, n, U, h: (d + n @ U) * (1 - h), ALL, "1 − h_t**2, not 1 − h_t"),
    "tanh twice": (lambda d, n, U, h: (d + n @ U) * (1 - np.tanh(h) ** 2), ALL,
                   "do not apply tanh to h_t again"),
    "f' on the output only": (lambda d, n, U, h: d * (1 - h**2) + n @ U, [MIDDLE, NO_LOSS, BATCH],
                              "must multiply the whole error"),
    "no output error": (lambda d, n, U, h: (n @ U) * (1 - h**2), [LAST, MIDDLE, BATCH],
                        "from the output at step t"),
    "swapped axes": (lambda d, n, U, h: good(d, n, U, h).T, LAST, "axes are swapped"),
    "shapes": (lambda d, n, U, h: n @ np.zeros((7, 7)), ALL,
               "raised ValueError ... shapes do not line up"),
    "a list": (lambda d, n, U, h: good(d, n, U, h).tolist(), ALL,
               "return a numpy array of shape (N, H)"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_grader_names_each_mistake(kind, fails_with):
    fails_with(check_bptt_delta, *WRONG[kind])


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_bptt_delta, MISTAKES, WRONG)

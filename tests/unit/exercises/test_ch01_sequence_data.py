"""Chapter 1 grader, check_last_valid: right read-outs pass; each typical mistake fails with the
right cases named and a reason that says what went wrong."""

import numpy as np
import pytest

from lstmbook.exercises import check_last_valid
from lstmbook.exercises.ch01_sequence_data import MISTAKES
from lstmbook.nn.sequences import last_valid

EQUAL = "equal lengths (no padding)"
DIFFERENT = "different lengths (padding at the end of shorter sequences)"
LENGTH_1 = "a sequence of length 1"
ONE = "a batch of one sequence"


def correct(Y, lengths):
    return Y[np.arange(len(lengths)), lengths - 1]


def correct_loop(Y, lengths):
    return np.stack([Y[n, lengths[n] - 1] for n in range(Y.shape[0])])


def sneaky(Y, lengths):
    Y[:, -1] = 0.0
    return correct(Y, lengths)


def off_by_one_clipped(Y, lengths):
    return Y[np.arange(len(lengths)), np.minimum(lengths, Y.shape[1] - 1)]


@pytest.mark.parametrize("fn", [correct, correct_loop, last_valid])
def test_correct_solutions_pass(fn):
    result = check_last_valid(fn)
    assert result.passed and bool(result)
    assert "4 of 4 cases passed" in str(result)
    assert "✗" not in str(result)


WRONG = {
    "last column": (lambda Y, lengths: Y[:, -1], [DIFFERENT, LENGTH_1],
                    "wrong values ... Y[:, -1], the last column of the padded batch"),
    "off by one": (lambda Y, lengths: Y[np.arange(len(lengths)), lengths],
                   [EQUAL, DIFFERENT, LENGTH_1, ONE], "IndexError"),
    "off by one, clipped": (off_by_one_clipped, [DIFFERENT, LENGTH_1],
                            "some rows come from padding steps"),
    "broadcast indexing": (lambda Y, lengths: Y[:, lengths - 1], EQUAL,
                           "wrong shape: expected (3, 2), got (3, 3, 2)"),
    "swapped axes": (lambda Y, lengths: correct(Y, lengths).T, EQUAL,
                     "the axes are swapped"),
    "first step": (lambda Y, lengths: Y[:, 0], [EQUAL, DIFFERENT, LENGTH_1, ONE],
                   "expected 0.735, got 0.086"),  # names the first wrong entry
    "nothing returned": (lambda Y, lengths: None, EQUAL, "got NoneType"),
    "a list": (lambda Y, lengths: correct(Y, lengths).tolist(), [EQUAL, DIFFERENT, LENGTH_1, ONE],
               "expected a numpy array ... return a numpy array of shape (N, H)"),
    "input changed": (sneaky, EQUAL, "changed its input"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_grader_names_each_mistake(kind, fails_with):
    fails_with(check_last_valid, *WRONG[kind])


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_last_valid, MISTAKES, WRONG)


def test_report_wraps_long_reasons_but_keeps_every_word():
    result = check_last_valid(lambda Y, lengths: Y[:, -1])
    text = str(result)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert " ".join(text.split()).count("Read step lengths[n] - 1 of each sequence n instead") == 2

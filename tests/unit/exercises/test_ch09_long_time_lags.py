"""Chapter 9 grader, check_adding_target: the adding problem's own target passes; each typical
mistake fails and the report names it."""

import numpy as np
import pytest

from lstmbook import data
from lstmbook.exercises import check_adding_target
from lstmbook.exercises.ch09_long_time_lags import MISTAKES

SMALL = "a small batch: X of shape (4, 10, 2)"
ALL = [SMALL, "float32, T = 50: X of shape (3, 50, 2)",
       "markers at the first and last step: X of shape (2, 6, 2)"]


def _target(X):
    return (X[:, :, 0] * X[:, :, 1]).sum(axis=1, keepdims=True)


def first_only(X):
    return X[np.arange(len(X)), X[:, :, 1].argmax(axis=1), 0][:, None]


def test_grader_passes_the_reference():
    assert check_adding_target(_target).passed
    X, y = data.adding_problem(4, 10, seed=3)
    np.testing.assert_allclose(_target(X), y)  # the reference is the task's own target


WRONG = {
    "every value": (lambda X: X[:, :, 0].sum(axis=1, keepdims=True), ALL, "sums every value"),
    "flat": (lambda X: _target(X)[:, 0], ALL, "wrong shape ... column of shape (N, 1)"),
    "markers": (lambda X: X[:, :, 1].sum(axis=1, keepdims=True), ALL, "sums the markers"),
    "first only": (first_only, ALL, "first marked value"),
    "a list": (lambda X: _target(X).tolist(), ALL, "expected a numpy array of shape (4, 1)"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_grader_names_each_mistake(kind, fails_with):
    fails_with(check_adding_target, *WRONG[kind])


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_adding_target, MISTAKES, WRONG)

"""Chapter 4 grader, check_clip_grad_norm: the package's clipping passes; each typical mistake
(including the notes' own version, which divides by a zero norm) fails the cases it should and
the report names the mistake."""

import warnings

import numpy as np
import pytest

from lstmbook.exercises import check_clip_grad_norm
from lstmbook.exercises.ch04_gradient_problems import MISTAKES
from lstmbook.nn import clipping

BELOW = "norm below the threshold: returned unchanged"
ABOVE = "norm above the threshold: rescaled to norm max_norm, same direction"
MATRIX = "a matrix: one norm over all its entries"
ZERO = "a zero gradient: returned as zeros, no division by zero"


def good(grad, max_norm):
    norm = np.linalg.norm(grad)
    return grad * (max_norm / norm) if norm > max_norm else grad.copy()


def package(grad, max_norm):
    out = grad.copy()
    clipping.clip_grad_norm(out, max_norm)
    return out


def notes(grad, threshold):
    norm = np.linalg.norm(grad)
    rate = threshold / norm
    if rate < 1:
        return grad * rate
    return grad


def per_row(grad, max_norm):
    g = np.atleast_2d(grad)
    rows = np.linalg.norm(g, axis=1, keepdims=True)
    out = g * np.minimum(1.0, max_norm / np.maximum(rows, 1e-300))
    return out.reshape(grad.shape)


def nan_output(grad, max_norm):
    norm = np.linalg.norm(grad)
    with np.errstate(all="ignore"):  # hides the warning: the NaN must still be caught
        unit = grad / norm
    return unit * min(norm, max_norm)


def in_place(grad, max_norm):
    norm = np.linalg.norm(grad)
    if norm > max_norm:
        grad *= max_norm / norm
    return grad


def warns(grad, max_norm):
    warnings.warn("a warning counts as a failure here", UserWarning, stacklevel=1)
    return good(grad, max_norm)


@pytest.mark.parametrize("fn", [good, package])
def test_clip_grader_passes_correct_versions(fn):
    result = check_clip_grad_norm(fn)
    assert result.passed, str(result)
    assert "4 of 4 cases passed" in str(result)


WRONG = {
    "the notes' version": (notes, [ZERO], "FloatingPointError ... divides by zero"),
    "never clipped": (lambda g, m: g, [ABOVE, MATRIX], "must have norm exactly"),
    "by value": (lambda g, m: np.clip(g, -m, m), [ABOVE, MATRIX], "clipping by value"),
    "per row": (per_row, [MATRIX], "each row on its own"),
    "always rescaled": (lambda g, m: g * (m / np.linalg.norm(g)) if np.linalg.norm(g) else g.copy(),
                        [BELOW], "must come back unchanged"),
    "upside down": (lambda g, m: g * (np.linalg.norm(g) / m) if np.linalg.norm(g) > m
                    else g.copy(), [ABOVE, MATRIX], "upside down"),
    "turned": (lambda g, m: good(g, m)[::-1].reshape(g.shape) if g.ndim == 1 else good(g, m),
               [BELOW, ABOVE], "the direction changed (cosine"),
    "NaN": (nan_output, [ZERO], "NaN or infinity"),
    "in place": (in_place, [ABOVE, MATRIX], "in place"),
    "a warning": (warns, [BELOW, ABOVE, MATRIX, ZERO], "raised UserWarning"),
    "a list": (lambda g, m: good(g, m).tolist(), [BELOW, ABOVE, MATRIX, ZERO],
               "return a numpy array with the shape of the gradient"),
    "strings": (lambda g, m: g.astype(str), [BELOW, ABOVE, MATRIX, ZERO],
                "expected numbers, got an array of dtype <U32"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_clip_grader_names_each_mistake(kind, fails_with):
    fails_with(check_clip_grad_norm, *WRONG[kind])


def test_every_mistake_in_the_table_is_recognised(covers):
    covers(check_clip_grad_norm, MISTAKES, WRONG)

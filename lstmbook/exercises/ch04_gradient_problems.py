"""Chapter 4 grader (``book/04_gradient_problems.ipynb``): :func:`check_clip_grad_norm`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array

__all__ = ["check_clip_grad_norm"]

# name, gradient, max_norm
CASES = (
    ("norm below the threshold: returned unchanged", np.array([0.3, -0.4]), 1.0),
    ("norm above the threshold: rescaled to norm max_norm, same direction",
     np.array([3.0, -4.0, 12.0]), 2.0),
    ("a matrix: one norm over all its entries",
     np.array([[0.5, -2.0, 1.0], [4.0, 0.0, -1.5]]), 1.5),
    ("a zero gradient: returned as zeros, no division by zero", np.zeros(4), 1.0),
)


def _cosine(out, g) -> float:
    """The cosine between the output and the gradient (0 for a zero output)."""
    out_norm = float(np.linalg.norm(out))
    return float(out.ravel() @ g.ravel() / (out_norm * np.linalg.norm(g))) if out_norm else 0.0


def _by_value(out, g):
    return ("this clips each entry on its own (clipping by value), which changes the direction "
            f"(cosine {_cosine(out, g):.4f} with the gradient). Multiply every entry by the same "
            "factor max_norm / ‖g‖ instead.")


def _turned(out, g):
    return (f"the direction changed (cosine {_cosine(out, g):.4f} with the gradient; it should "
            "be 1): multiply every entry by one and the same factor.")


def _not_above(out, norm, max_norm):
    return (f"‖g‖ = {norm:.4g} is not above max_norm = {max_norm:g}, so the gradient must come "
            f"back unchanged; yours has norm {float(np.linalg.norm(out)):.4g}. Rescale only when "
            "‖g‖ > max_norm.")


def _wrong_norm(out, norm, max_norm):
    return (f"‖g‖ = {norm:.4g} is above max_norm = {max_norm:g}, so the result must have norm "
            f"exactly {max_norm:g}; yours has norm {float(np.linalg.norm(out)):.4g}. Multiply "
            "by max_norm / ‖g‖.")


MISTAKES = (
    Raised("the gradient is zero here, so max_norm / ‖g‖ divides by zero. Compare ‖g‖ with "
           "max_norm first and rescale only when ‖g‖ > max_norm (a zero gradient is returned "
           "as it is).", (FloatingPointError, ZeroDivisionError, RuntimeWarning),
           when=lambda norm: norm == 0),
    Symptom("return a numpy array with the shape of the gradient.", not_an_array),
    Symptom(None, lambda out, g: core.array_mismatch(out, g) is not None),
    Symptom("the result contains NaN or infinity: with ‖g‖ = 0, max_norm / ‖g‖ is not a "
            "number. Rescale only when ‖g‖ > max_norm.", lambda out: not np.all(np.isfinite(out))),
    Symptom(None, lambda norm: norm == 0),
    Mistake("you clipped each row on its own. The norm is taken over the whole gradient, all "
            "entries together: np.linalg.norm(g) (= sqrt of the sum of every squared entry), "
            "and one factor rescales every entry.",
            lambda g, max_norm: g * np.minimum(1.0, max_norm
                                               / np.linalg.norm(g, axis=1, keepdims=True))),
    Mistake(_by_value, lambda g, max_norm: np.clip(g, -max_norm, max_norm)),
    Symptom(_turned, lambda out, g: _cosine(out, g) < 1 - 1e-9),
    Symptom(_not_above, lambda norm, max_norm: norm <= max_norm),
    Mistake("the factor is upside down: multiply by max_norm / ‖g‖ (below 1 here), not "
            "‖g‖ / max_norm.", lambda g, norm, max_norm: g * (norm / max_norm)),
    Symptom(_wrong_norm, lambda: True),
)


def _case(name, g, max_norm) -> core.Case:
    norm = float(np.linalg.norm(g))
    expected = g * (max_norm / norm) if norm > max_norm else g.copy()
    return core.Case(name, (g, max_norm), expected, mistakes=MISTAKES,
                     given={"g": g, "max_norm": max_norm, "norm": norm})


def check_clip_grad_norm(fn: Callable) -> core.Result:
    """Grade ``fn(grad, max_norm) -> clipped``: gradient clipping by norm ({ref}`eq-clip-norm`).

    ``grad`` is one NumPy array (all of a model's gradients side by side) and the answer is a
    new array: ``grad · max_norm / ‖grad‖`` when ‖grad‖ > max_norm, else ``grad`` unchanged,
    as :func:`lstmbook.nn.clipping.clip_grad_norm` computes (in place). Cases: a norm below the
    threshold (unchanged), a norm above it (rescaled to the threshold, same direction), a
    matrix (one norm over all entries), and a zero gradient, which must come back as zeros
    with no division by zero and no warning (warnings count as failures here).
    """
    return core.grade(fn, core.case_table(CASES, _case), title="Checking your gradient clipping",
                      strict=True)

"""Chapter 4 grader (``book/04_gradient_problems.ipynb``): :func:`check_clip_grad_norm`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises.core import Case, Result, grade

__all__ = ["check_clip_grad_norm"]



def _clip_hint(g, max_norm):
    """Explain a wrong clipped gradient: its norm, its direction, the usual mistakes."""
    norm = float(np.linalg.norm(g))

    def hint(out):
        if norm == 0 and isinstance(out, FloatingPointError | ZeroDivisionError | RuntimeWarning):
            return ("the gradient is zero here, so max_norm / ‖g‖ divides by zero. Compare ‖g‖ "
                    "with max_norm first and rescale only when ‖g‖ > max_norm (a zero gradient "
                    "is returned as it is).")
        if isinstance(out, BaseException):
            return None
        if not isinstance(out, np.ndarray):
            return "return a numpy array with the shape of the gradient."
        if out.shape != g.shape:
            return None
        if not np.all(np.isfinite(out)):
            return ("the result contains NaN or infinity: with ‖g‖ = 0, max_norm / ‖g‖ is not a "
                    "number. Rescale only when ‖g‖ > max_norm.")
        out_norm = float(np.linalg.norm(out))
        if norm == 0:
            return None
        cos = float(out.ravel() @ g.ravel() / (out_norm * norm)) if out_norm else 0.0
        if g.ndim == 2:
            rows = np.linalg.norm(g, axis=1, keepdims=True)
            per_row = g * np.minimum(1.0, max_norm / rows)
            if np.allclose(out, per_row):
                return ("you clipped each row on its own. The norm is taken over the whole "
                        "gradient, all entries together: np.linalg.norm(g) (= sqrt of the sum "
                        "of every squared entry), and one factor rescales every entry.")
        if cos < 1 - 1e-9:
            value_clipped = np.clip(g, -max_norm, max_norm)
            if np.allclose(out, value_clipped):
                return ("this clips each entry on its own (clipping by value), which changes "
                        f"the direction (cosine {cos:.4f} with the gradient). Multiply every "
                        "entry by the same factor max_norm / ‖g‖ instead.")
            return (f"the direction changed (cosine {cos:.4f} with the gradient; it should be "
                    "1): multiply every entry by one and the same factor.")
        if norm <= max_norm:
            return (f"‖g‖ = {norm:.4g} is not above max_norm = {max_norm:g}, so the gradient "
                    f"must come back unchanged; yours has norm {out_norm:.4g}. Rescale only "
                    "when ‖g‖ > max_norm.")
        if np.isclose(out_norm, norm * norm / max_norm):
            return ("the factor is upside down: multiply by max_norm / ‖g‖ (below 1 here), "
                    "not ‖g‖ / max_norm.")
        return (f"‖g‖ = {norm:.4g} is above max_norm = {max_norm:g}, so the result must have "
                f"norm exactly {max_norm:g}; yours has norm {out_norm:.4g}. Multiply by "
                "max_norm / ‖g‖.")

    return hint


def check_clip_grad_norm(fn: Callable) -> Result:
    """Grade ``fn(grad, max_norm) -> clipped``: gradient clipping by norm ({ref}`eq-clip-norm`).

    ``grad`` is one NumPy array (all of a model's gradients side by side) and the answer is a
    new array: ``grad · max_norm / ‖grad‖`` when ‖grad‖ > max_norm, else ``grad`` unchanged,
    as :func:`lstmbook.nn.clipping.clip_grad_norm` computes (in place). Cases: a norm below the
    threshold (unchanged), a norm above it (rescaled to the threshold, same direction), a
    matrix (one norm over all entries), and a zero gradient, which must come back as zeros
    with no division by zero and no warning (warnings count as failures here).
    """
    import warnings  # noqa: PLC0415

    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")

    def strict(grad, max_norm):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise"):
                return fn(grad, max_norm)

    strict.__name__ = getattr(fn, "__name__", "your function")
    cases = []
    for name, g, max_norm in (
        ("norm below the threshold: returned unchanged", np.array([0.3, -0.4]), 1.0),
        ("norm above the threshold: rescaled to norm max_norm, same direction",
         np.array([3.0, -4.0, 12.0]), 2.0),
        ("a matrix: one norm over all its entries",
         np.array([[0.5, -2.0, 1.0], [4.0, 0.0, -1.5]]), 1.5),
        ("a zero gradient: returned as zeros, no division by zero", np.zeros(4), 1.0),
    ):
        norm = float(np.linalg.norm(g))
        expected = g * (max_norm / norm) if norm > max_norm else g.copy()
        cases.append(Case(name, (g, max_norm), expected, hint=_clip_hint(g, max_norm)))
    return grade(strict, cases, title="Checking your gradient clipping")

"""Chapter 3 grader (``book/03_bptt.ipynb``): :func:`check_bptt_delta`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.chapters.ch03_bptt import bptt_delta
from lstmbook.exercises.core import Case, Result, grade

__all__ = ["check_bptt_delta"]



def _bptt_delta_hint(dout, dnext, U, h):
    """Recognise the usual mistakes in the δ recursion by recomputing them."""
    fp = 1.0 - h * h
    wrong = [
        (lambda: dout + dnext @ U,
         "f'(u_t) is missing: δ_t is the derivative with respect to the pre-activation u_t, so "
         "the error arriving at h_t is multiplied by f'(u_t) = 1 − h_t² (tanh)."),
        (lambda: (dout + dnext @ U.T) * fp,
         "U is transposed: the forward pass computes u_{t+1} = ... + h_t U^T (row vectors), so "
         "the error goes back through U itself: δ_{t+1} @ U."),
        (lambda: (dout + dnext @ U) * (1.0 - h),
         "tanh'(u) is 1 − tanh(u)², written through the output: 1 − h_t**2, not 1 − h_t."),
        (lambda: (dout + dnext @ U) * (1.0 - np.tanh(h) ** 2),
         "h_t is already tanh(u_t): f'(u_t) = 1 − h_t**2; do not apply tanh to h_t again."),
        (lambda: dout * fp + dnext @ U,
         "f'(u_t) must multiply the whole error reaching h_t, (dout_t + δ_{t+1} U), not only "
         "the part from the output."),
        (lambda: dout * fp,
         "the error from the future is missing: add δ_{t+1} @ U before multiplying by f'."),
        (lambda: (dnext @ U) * fp,
         "the error from the output at step t (dout_t) is missing: h_t feeds both the output and "
         "the next step, so both errors are added."),
        (lambda: ((dout + dnext @ U) * fp).T,
         "the axes are swapped: return (N, H), one row per sequence."),
    ]

    def hint(out):
        if isinstance(out, BaseException):
            if isinstance(out, ValueError) and "matmul" in str(out):
                return ("shapes do not line up: delta_next is (N, H) and U (H, H); "
                        "use delta_next @ U.")
            return None
        if not isinstance(out, np.ndarray):
            return "return a numpy array of shape (N, H): δ_t for every sequence."
        for make, text in wrong:
            with np.errstate(all="ignore"):
                ref = make()
            if ref.shape == out.shape and np.allclose(ref, out):
                return text
        return None

    return hint


def check_bptt_delta(fn: Callable) -> Result:
    """Grade ``fn(dout_t, delta_next, U, h_t) -> δ_t``, one backward step of a tanh Elman RNN
    ({ref}`eq-bptt-delta`): ``δ_t = (dout_t + δ_{t+1} U) ⊙ (1 − h_t²)`` with ``dout_t``,
    ``delta_next``, ``h_t`` of shape ``(N, H)`` and ``U (H, H)``; compared with
    :func:`lstmbook.chapters.ch03_bptt.bptt_delta`. Cases: the last step (no error from the future),
    a middle step, a step with no loss of its own, and a larger batch.
    """
    cases = []
    for name, N, H, seed, no_future, no_output in (
        ("the last step: delta_next = 0 (no error from the future)", 2, 3, 0, True, False),
        ("a middle step: error from the output and from step t + 1", 2, 3, 1, False, False),
        ("a step without a loss of its own: dout_t = 0", 1, 4, 2, False, True),
        ("a batch of 4 sequences, H = 5", 4, 5, 3, False, False),
    ):
        rng = np.random.default_rng(300 + seed)
        dout = np.zeros((N, H)) if no_output else np.round(rng.uniform(-1, 1, (N, H)), 2)
        dnext = np.zeros((N, H)) if no_future else np.round(rng.uniform(-1, 1, (N, H)), 2)
        U = np.round(rng.uniform(-1, 1, (H, H)), 2)
        h = np.round(rng.uniform(-0.9, 0.9, (N, H)), 2)
        expected = bptt_delta(dout, dnext, U, h)
        cases.append(Case(name, (dout, dnext, U, h), expected,
                          hint=_bptt_delta_hint(dout, dnext, U, h)))
    return grade(fn, cases, title="Checking your BPTT step")

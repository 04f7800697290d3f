"""Chapter 3 grader (``book/03_bptt.ipynb``): :func:`check_bptt_delta`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.chapters.ch03_bptt import bptt_delta
from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array

__all__ = ["check_bptt_delta"]

# name, N, H, seed, delta_next = 0, dout_t = 0
CASES = (
    ("the last step: delta_next = 0 (no error from the future)", 2, 3, 0, True, False),
    ("a middle step: error from the output and from step t + 1", 2, 3, 1, False, False),
    ("a step without a loss of its own: dout_t = 0", 1, 4, 2, False, True),
    ("a batch of 4 sequences, H = 5", 4, 5, 3, False, False),
)

# fp is f'(u_t) = 1 - h_t²
MISTAKES = (
    Raised("shapes do not line up: delta_next is (N, H) and U (H, H); use delta_next @ U.",
           ValueError, says=("matmul",)),
    Symptom("return a numpy array of shape (N, H): δ_t for every sequence.", not_an_array),
    Mistake("f'(u_t) is missing: δ_t is the derivative with respect to the pre-activation u_t, "
            "so the error arriving at h_t is multiplied by f'(u_t) = 1 − h_t² (tanh).",
            lambda dout, dnext, U: dout + dnext @ U),
    Mistake("U is transposed: the forward pass computes u_{t+1} = ... + h_t U^T (row vectors), "
            "so the error goes back through U itself: δ_{t+1} @ U.",
            lambda dout, dnext, U, fp: (dout + dnext @ U.T) * fp),
    Mistake("tanh'(u) is 1 − tanh(u)², written through the output: 1 − h_t**2, not 1 − h_t.",
            lambda dout, dnext, U, h: (dout + dnext @ U) * (1.0 - h)),
    Mistake("h_t is already tanh(u_t): f'(u_t) = 1 − h_t**2; do not apply tanh to h_t again.",
            lambda dout, dnext, U, h: (dout + dnext @ U) * (1.0 - np.tanh(h) ** 2)),
    Mistake("f'(u_t) must multiply the whole error reaching h_t, (dout_t + δ_{t+1} U), not only "
            "the part from the output.",
            lambda dout, dnext, U, fp: dout * fp + dnext @ U),
    Mistake("the error from the future is missing: add δ_{t+1} @ U before multiplying by f'.",
            lambda dout, fp: dout * fp),
    Mistake("the error from the output at step t (dout_t) is missing: h_t feeds both the "
            "output and the next step, so both errors are added.",
            lambda dnext, U, fp: (dnext @ U) * fp),
    Mistake("the axes are swapped: return (N, H), one row per sequence.",
            lambda dout, dnext, U, fp: ((dout + dnext @ U) * fp).T),
)


def _case(name, N, H, seed, no_future, no_output) -> core.Case:
    rng = np.random.default_rng(300 + seed)
    dout = np.zeros((N, H)) if no_output else core.rounded_uniform(rng, (N, H))
    dnext = np.zeros((N, H)) if no_future else core.rounded_uniform(rng, (N, H))
    U = core.rounded_uniform(rng, (H, H))
    h = core.rounded_uniform(rng, (N, H), -0.9, 0.9)
    return core.Case(name, (dout, dnext, U, h), bptt_delta(dout, dnext, U, h), mistakes=MISTAKES,
                     given={"dout": dout, "dnext": dnext, "U": U, "h": h, "fp": 1.0 - h * h})


def check_bptt_delta(fn: Callable) -> core.Result:
    """Grade ``fn(dout_t, delta_next, U, h_t) -> δ_t``, one backward step of a tanh Elman RNN
    ({ref}`eq-bptt-delta`): ``δ_t = (dout_t + δ_{t+1} U) ⊙ (1 − h_t²)`` with ``dout_t``,
    ``delta_next``, ``h_t`` of shape ``(N, H)`` and ``U (H, H)``; compared with
    :func:`lstmbook.chapters.ch03_bptt.bptt_delta`. Cases: the last step (no error from the
    future), a middle step, a step with no loss of its own, and a larger batch.
    """
    return core.grade(fn, core.case_table(CASES, _case), title="Checking your BPTT step")

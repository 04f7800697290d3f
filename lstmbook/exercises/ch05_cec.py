"""Chapter 5 grader (``book/05_cec.ipynb``): :func:`check_gated_cec`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.chapters.ch05_cec import gated_cec
from lstmbook.exercises.core import Case, Result, grade

__all__ = ["check_gated_cec"]

_NOT_A_PAIR = "not a pair (s, y)"


def _gated_cec_reference(x, g_in, g_out):
    return gated_cec(x, g_in, g_out)


def _gated_cec_hint(which, x, g_in, g_out):
    s_ref, y_ref = _gated_cec_reference(x, g_in, g_out)
    s_prev = np.concatenate([[0.0], s_ref[:-1]])

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, BaseException):
            return None
        if isinstance(out, str) and out == _NOT_A_PAIR:
            return "return two arrays, the cell states and the outputs: `return s, y`."
        if which == "s":
            if same(out, g_in * x):
                return ("s_t must carry what the cell held: add the gated input to s_{t-1} "
                        "(s_t = s_{t-1} + g_in[t] * x[t]); this s forgets everything each step.")
            if same(out, np.cumsum(x)) and not np.allclose(g_in, 1):
                return ("the input gate must multiply x_t before it is added: the cell stored "
                        "every value, the distractors too.")
            if same(out, s_prev):
                return "off by one step: s[t] must already include the input at step t."
        else:
            if same(out, g_out * g_in * x) and not same(g_in * x, s_ref):
                return ("y is read from a state that does not accumulate: fix s first "
                        "(s_t = s_{t-1} + g_in[t] * x[t]).")
            if same(out, s_ref) and not np.allclose(g_out, 1):
                return "the output gate must multiply the state: y_t = g_out[t] * s_t."
            if same(out, g_out * s_prev):
                return "read the state after this step's update: y_t = g_out[t] * s_t, not s_{t-1}."
            if same(out, g_out * x):
                return "the output reads the cell state s_t, not the input x_t."
        return None

    return hint


def check_gated_cec(fn: Callable) -> Result:
    """Grade ``fn(x, g_in, g_out) -> (s, y)``: the gated CEC ({ref}`eq-cec`) over ``(T,)`` arrays.

    ``s_t = s_{t-1} + g_in[t] · x[t]`` from ``s_{-1} = 0`` and ``y_t = g_out[t] · s_t``
    (:func:`lstmbook.chapters.ch05_cec.gated_cec`). Cases check ``s`` and ``y`` separately: gates
    always open
    (the bare self-loop), an input gate open at one step, an output gate open at one step, gates
    half open.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")

    def part(which, x, g_in, g_out):
        out = fn(x, g_in, g_out)
        if not (isinstance(out, tuple | list) and len(out) == 2):
            return _NOT_A_PAIR
        return out[0] if which == "s" else out[1]

    part.__name__ = getattr(fn, "__name__", "your function")
    x = np.array([0.5, -0.3, 0.8, 0.2, -0.6, 0.4])
    ones, zeros = np.ones(6), np.zeros(6)
    at2, at5 = zeros.copy(), zeros.copy()
    at2[2], at5[5] = 1.0, 1.0
    half = np.full(6, 0.5)
    scenarios = (
        ("gates always open (bare self-loop)", ones, ones),
        ("input gate open only at step 2", at2, ones),
        ("input gate at step 2, output gate only at step 5", at2, at5),
        ("both gates half open", half, half),
    )
    cases = []
    for name, g_in, g_out in scenarios:
        s_ref, y_ref = _gated_cec_reference(x, g_in, g_out)
        for which, ref in (("s", s_ref), ("y", y_ref)):
            label = "states s" if which == "s" else "outputs y"
            cases.append(Case(f"{name}: {label}", (which, x, g_in, g_out), ref,
                              hint=_gated_cec_hint(which, x, g_in, g_out)))
    return grade(part, cases, title="Checking your gated memory cell")

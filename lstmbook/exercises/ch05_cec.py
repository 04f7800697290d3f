"""Chapter 5 grader (``book/05_cec.ipynb``): :func:`check_gated_cec`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.chapters.ch05_cec import gated_cec
from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, not_a_pair

__all__ = ["check_gated_cec"]

_X = np.array([0.5, -0.3, 0.8, 0.2, -0.6, 0.4])
_ONES, _HALF = np.ones(6), np.full(6, 0.5)
_AT2, _AT5 = np.eye(6)[2], np.eye(6)[5]

# name, input gate g_in, output gate g_out (the input x is _X throughout)
CASES = (
    ("gates always open (bare self-loop)", _ONES, _ONES),
    ("input gate open only at step 2", _AT2, _ONES),
    ("input gate at step 2, output gate only at step 5", _AT2, _AT5),
    ("both gates half open", _HALF, _HALF),
)

PAIR = ("s", "y")
_NOT_A_PAIR = not_a_pair(PAIR, "return two arrays, the cell states and the outputs: "
                               "`return s, y`.")

# s is the right state sequence, s_prev the same one step late (s_{t-1})
MISTAKES = {
    "s": (
        _NOT_A_PAIR,
        Mistake("s_t must carry what the cell held: add the gated input to s_{t-1} "
                "(s_t = s_{t-1} + g_in[t] * x[t]); this s forgets everything each step.",
                lambda g_in, x: g_in * x),
        Mistake("the input gate must multiply x_t before it is added: the cell stored "
                "every value, the distractors too.",
                lambda x: np.cumsum(x)),
        Mistake("off by one step: s[t] must already include the input at step t.",
                lambda s_prev: s_prev),
    ),
    "y": (
        _NOT_A_PAIR,
        Mistake("y is read from a state that does not accumulate: fix s first "
                "(s_t = s_{t-1} + g_in[t] * x[t]).",
                lambda g_out, g_in, x: g_out * g_in * x),
        Mistake("the output gate must multiply the state: y_t = g_out[t] * s_t.",
                lambda s: s),
        Mistake("read the state after this step's update: y_t = g_out[t] * s_t, not s_{t-1}.",
                lambda g_out, s_prev: g_out * s_prev),
        Mistake("the output reads the cell state s_t, not the input x_t.",
                lambda g_out, x: g_out * x),
    ),
}
_LABELS = {"s": "states s", "y": "outputs y"}


def _cases(name, g_in, g_out) -> list[core.Case]:
    s, y = gated_cec(_X, g_in, g_out)
    given = {"x": _X, "g_in": g_in, "g_out": g_out, "s": s,
             "s_prev": np.concatenate([[0.0], s[:-1]])}
    return [core.Case(f"{name}: {_LABELS[part]}", (_X, g_in, g_out), expected, pair=PAIR, part=part,
                      mistakes=MISTAKES[part], given=given)
            for part, expected in zip(PAIR, (s, y), strict=True)]


def check_gated_cec(fn: Callable) -> core.Result:
    """Grade ``fn(x, g_in, g_out) -> (s, y)``: the gated CEC ({ref}`eq-cec`) over ``(T,)`` arrays.

    ``s_t = s_{t-1} + g_in[t] · x[t]`` from ``s_{-1} = 0`` and ``y_t = g_out[t] · s_t``
    (:func:`lstmbook.chapters.ch05_cec.gated_cec`). Cases check ``s`` and ``y`` separately:
    gates always open (the bare self-loop), an input gate open at one step, an output gate open
    at one step, gates half open.
    """
    return core.grade(fn, core.case_table(CASES, _cases), title="Checking your gated memory cell")

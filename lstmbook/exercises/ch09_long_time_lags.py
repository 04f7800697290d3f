"""Chapter 9 grader (``book/09_long_time_lags.ipynb``): :func:`check_adding_target`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.data import adding_problem
from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Symptom
from lstmbook.i18n import Text

__all__ = ["check_adding_target"]

# values: channel 0 of X; marks: channel 1 (1 at the two steps that count)
MISTAKES = (
    Symptom(Text(en="The targets must be a column of shape (N, 1), like the y of "
                    "data.adding_problem: keep the summed axis (keepdims=True) or add [:, None].",
                 ja="目標値は data.adding_problem の y と同じく、形状 (N, 1) の列でなければ"
                    "ならない。和をとった軸を残す（keepdims=True）か、[:, None] を付けよ。"),
            lambda out, values: np.shape(out) == (len(values),)),
    Mistake(Text(en="This sums every value. Only the two steps whose marker (channel 1) is 1 "
                    "count.",
                 ja="これはすべての値を足している。和に含めるのは、マーカー（チャネル 1）が"
                    " 1 である 2 つのステップだけである。"),
            lambda values: values.sum(axis=1, keepdims=True)),
    Mistake(Text(en="This sums the markers (always 2). Sum the values (channel 0) at the marked "
                    "steps.",
                 ja="これはマーカーを足している（常に 2）。マーカーの付いたステップの値（チャネル "
                    "0）を足せ。"),
            lambda marks: marks.sum(axis=1, keepdims=True)),
    Mistake(Text(en="This is only the first marked value; add the second one too.",
                 ja="これはマーカーの付いた最初の値だけである。2 つ目の値も加えよ。"),
            lambda values, marks: values[np.arange(len(values)), marks.argmax(axis=1)][:, None]),
)

TITLE = Text(en="adding-problem target", ja="加算問題の目標値")


def _adding_target_reference(X):
    return (X[:, :, 0] * X[:, :, 1]).sum(axis=1, keepdims=True)


def _markers_at_both_ends():
    X = np.zeros((2, 6, 2))
    X[:, :, 0] = [[0.5, -0.2, 0.1, 0.3, -0.4, 0.9], [-1.0, 0.25, 0.0, 0.6, 0.7, -0.8]]
    X[:, [0, 5], 1] = 1.0  # markers at the very first and the very last step
    return X


def _case(name, X) -> core.Case:
    return core.Case(core.compose("{name}: X of shape {shape}", "{name}：形状 {shape} の X",
                                  name=name, shape=X.shape), (X,), _adding_target_reference(X),
                     mistakes=MISTAKES, given={"values": X[:, :, 0], "marks": X[:, :, 1]},
                     rtol=1e-5, atol=1e-6)


def check_adding_target(fn: Callable) -> core.Result:
    """Grade ``fn(X) -> y``: the adding problem's target, the sum of the values (channel 0) at
    the two marked steps (channel 1 = 1), as a column ``(N, 1)`` ({ref}`eq-adding-problem`)."""
    cases = (
        (Text(en="a small batch", ja="小さなバッチ"), adding_problem(4, 10, seed=3)[0]),
        (Text(en="float32, T = 50", ja="float32、T = 50"),
         adding_problem(3, 50, seed=4, dtype=np.float32)[0]),
        (Text(en="markers at the first and last step", ja="最初と最後のステップにマーカー"),
         _markers_at_both_ends()),
    )
    return core.grade(fn, core.case_table(cases, _case), title=TITLE)

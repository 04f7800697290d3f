"""Chapter 5 grader (``book/05_cec.ipynb``): :func:`check_gated_cec`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.chapters.ch05_cec import gated_cec
from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, not_a_pair
from lstmbook.i18n import Text

__all__ = ["check_gated_cec"]

_X = np.array([0.5, -0.3, 0.8, 0.2, -0.6, 0.4])
_ONES, _HALF = np.ones(6), np.full(6, 0.5)
_AT2, _AT5 = np.eye(6)[2], np.eye(6)[5]

# name, input gate g_in, output gate g_out (the input x is _X throughout)
CASES = (
    (Text(en="gates always open (bare self-loop)", ja="ゲートが常に開く（ゲートのない自己ループ）"),
     _ONES, _ONES),
    (Text(en="input gate open only at step 2", ja="入力ゲートがステップ 2 でだけ開く"),
     _AT2, _ONES),
    (Text(en="input gate at step 2, output gate only at step 5",
          ja="入力ゲートはステップ 2、出力ゲートはステップ 5 でだけ開く"), _AT2, _AT5),
    (Text(en="both gates half open", ja="両方のゲートが半開き"), _HALF, _HALF),
)

PAIR = ("s", "y")
_NOT_A_PAIR = not_a_pair(PAIR, Text(en="return two arrays, the cell states and the outputs: "
                                       "`return s, y`.",
                                    ja="セル状態と出力の 2 つの配列を返せ：`return s, y`。"))

# s is the right state sequence, s_prev the same one step late (s_{t-1})
MISTAKES = {
    "s": (
        _NOT_A_PAIR,
        Mistake(Text(en="s_t must carry what the cell held: add the gated input to s_{t-1} "
                        "(s_t = s_{t-1} + g_in[t] * x[t]); this s forgets everything each step.",
                     ja="s_t はセルが保持していたものを運ばなければならない。ゲートを通した入力"
                        "を s_{t-1} に加えよ (s_t = s_{t-1} + g_in[t] * x[t])。この s は毎ステップ"
                        "すべてを忘れている。"),
                lambda g_in, x: g_in * x),
        Mistake(Text(en="the input gate must multiply x_t before it is added: the cell stored "
                        "every value, the distractors too.",
                     ja="入力ゲートは、x_t を加える前に x_t に掛けなければならない。このセルは"
                        "妨害入力も含めてすべての値を蓄えてしまった。"),
                lambda x: np.cumsum(x)),
        Mistake(Text(en="off by one step: s[t] must already include the input at step t.",
                     ja="1 ステップずれている。s[t] にはすでにステップ t の入力が含まれていなけれ"
                        "ばならない。"),
                lambda s_prev: s_prev),
    ),
    "y": (
        _NOT_A_PAIR,
        Mistake(Text(en="y is read from a state that does not accumulate: fix s first "
                        "(s_t = s_{t-1} + g_in[t] * x[t]).",
                     ja="y が蓄積しない状態から読み出されている。まず s を直せ "
                        "(s_t = s_{t-1} + g_in[t] * x[t])。"),
                lambda g_out, g_in, x: g_out * g_in * x),
        Mistake(Text(en="the output gate must multiply the state: y_t = g_out[t] * s_t.",
                     ja="出力ゲートを状態に掛けなければならない：y_t = g_out[t] * s_t。"),
                lambda s: s),
        Mistake(Text(en="read the state after this step's update: y_t = g_out[t] * s_t, not "
                        "s_{t-1}.",
                     ja="このステップで更新した後の状態を読め。s_{t-1} ではなく s_t を使い、"
                        "y_t = g_out[t] * s_t とする。"),
                lambda g_out, s_prev: g_out * s_prev),
        Mistake(Text(en="the output reads the cell state s_t, not the input x_t.",
                     ja="出力が読むのはセル状態 s_t であり、入力 x_t ではない。"),
                lambda g_out, x: g_out * x),
    ),
}
_LABELS = {"s": Text(en="states s", ja="状態 s"), "y": Text(en="outputs y", ja="出力 y")}


def _cases(name, g_in, g_out) -> list[core.Case]:
    s, y = gated_cec(_X, g_in, g_out)
    given = {"x": _X, "g_in": g_in, "g_out": g_out, "s": s,
             "s_prev": np.concatenate([[0.0], s[:-1]])}
    return [core.Case(core.compose("{name}: {label}", "{name}：{label}", name=name,
                                   label=_LABELS[part]),
                      (_X, g_in, g_out), expected, pair=PAIR, part=part,
                      mistakes=MISTAKES[part], given=given)
            for part, expected in zip(PAIR, (s, y), strict=True)]


TITLE = Text(en="Checking your gated memory cell", ja="ゲート付き記憶セルの採点")


def check_gated_cec(fn: Callable) -> core.Result:
    """Grade ``fn(x, g_in, g_out) -> (s, y)``: the gated CEC ({ref}`eq-cec`) over ``(T,)`` arrays.

    ``s_t = s_{t-1} + g_in[t] · x[t]`` from ``s_{-1} = 0`` and ``y_t = g_out[t] · s_t``
    (:func:`lstmbook.chapters.ch05_cec.gated_cec`). Cases check ``s`` and ``y`` separately:
    gates always open (the bare self-loop), an input gate open at one step, an output gate open
    at one step, gates half open.
    """
    return core.grade(fn, core.case_table(CASES, _cases), title=TITLE)

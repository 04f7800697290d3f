"""Chapter 7 grader (``book/07_peephole.ipynb``): :func:`check_peephole_input_gate`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom
from lstmbook.i18n import Text
from lstmbook.nn.activations import sigmoid

__all__ = ["check_peephole_input_gate"]

# name, shape (N, H) of a_i and c_prev, peephole weights p_i, scale of the cell
CASES = (
    (Text(en="no peephole (p_i = 0): the plain LSTM's gate",
          ja="覗き穴結合なし（p_i = 0）：通常の LSTM のゲート"), (2, 3), np.zeros(3), 1),
    (Text(en="peepholes of different sizes, a batch of 2 sequences x 3 units",
          ja="大きさの異なる覗き穴結合、系列 2 本 x ユニット 3 個のバッチ"), (2, 3),
     np.array([0.5, 2.0, 1.0]), 1),
    (Text(en="negative peepholes: a full cell closes the gate",
          ja="負の覗き穴結合：満ちたセルがゲートを閉じる"), (3, 2), np.array([-3.0, -1.0]), 1),
    (Text(en="one sequence, 4 units, a large cell", ja="系列 1 本、ユニット 4 個、大きなセル"),
     (1, 4), np.array([1.0, -2.0, 0.3, 4.0]), 3),
)

_INSIDE = Text(en="the peephole term belongs inside the sigmoid, added to the gate's input a_i: "
                  "sigmoid(a_i + p_i * c_prev).",
               ja="覗き穴結合の項はシグモイドの内側に入り、ゲートの入力 a_i に加えられる："
                  "sigmoid(a_i + p_i * c_prev)。")


def _gate_shape(a):
    return Text(en=f"the gate has one value per sequence and unit, shape {a.shape}; "
                   "p_i * c_prev is an element-wise (diagonal) product.",
                ja=f"ゲートは系列とユニットごとに 1 つの値を持ち、形状は {a.shape} である。"
                   "p_i * c_prev は要素ごとの（対角の）積である。")


# a is the gate's input a_i, c the cell c_prev, p the peephole weights p_i
MISTAKES = (
    Raised(Text(en="the peephole weights are diagonal: multiply element by element, "
                   "p_i * c_prev, not with a matrix product.",
                ja="覗き穴結合の重みは対角である。行列積ではなく、要素ごとに掛けよ："
                   "p_i * c_prev。"), ValueError, says=("matmul", "broadcast")),
    Mistake(Text(en="a gate is squashed by the sigmoid: return sigmoid(a_i + p_i * c_prev).",
                 ja="ゲートはシグモイドで押しつぶされる。sigmoid(a_i + p_i * c_prev) を返せ。"),
            lambda a, c, p: a + p * c),
    Mistake(_INSIDE, lambda a, c, p: sigmoid(a) + p * c),
    Mistake(_INSIDE, lambda a, c, p: sigmoid(a) * (1 + p * c)),
    Mistake(Text(en="gates use the sigmoid (values in [0, 1]), not tanh.",
                 ja="ゲートが使うのはシグモイド（値は [0, 1]）であり、tanh ではない。"),
            lambda a, c, p: np.tanh(a + p * c)),
    Mistake(Text(en="the peephole term is missing: add p_i * c_prev to a_i before the sigmoid.",
                 ja="覗き穴結合の項が抜けている。シグモイドの前に p_i * c_prev を a_i に加えよ。"),
            lambda a: sigmoid(a)),
    Mistake(Text(en="the cell must be weighted by the peephole weights: p_i * c_prev.",
                 ja="セルには覗き穴結合の重みを掛けなければならない：p_i * c_prev。"),
            lambda a, c: sigmoid(a + c)),
    Symptom(_gate_shape, lambda out, a: isinstance(out, np.ndarray) and out.shape != a.shape),
)

TITLE = Text(en="Checking your peephole input gate", ja="覗き穴結合付き入力ゲートの採点")


def check_peephole_input_gate(fn: Callable) -> core.Result:
    """Grade ``fn(a_i, c_prev, p_i) -> i``: the peephole input gate ({ref}`eq-peephole`),
    ``i = σ(a_i + p_i ⊙ c_{t-1})`` with ``a_i, c_prev (N, H)`` and ``p_i (H,)``.

    Cases: no peephole (p = 0), a batch with positive peepholes, negative peepholes, one
    sequence with a saturating cell.
    """
    rng = np.random.default_rng(7)  # one stream over the cases, in table order

    def case(name, shape, p, scale) -> core.Case:
        a = core.rounded_uniform(rng, shape)
        c = core.rounded_uniform(rng, shape, -2, 2) * scale
        return core.Case(name, (a, c, p), sigmoid(a + p * c), mistakes=MISTAKES,
                         given={"a": a, "c": c, "p": p})

    return core.grade(fn, core.case_table(CASES, case), title=TITLE)

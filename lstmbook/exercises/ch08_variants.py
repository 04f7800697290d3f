"""Chapter 8 grader (``book/08_variants.ipynb``): :func:`check_bidirectional`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array
from lstmbook.i18n import Text
from lstmbook.nn.gru import GRU
from lstmbook.nn.layers import Bidirectional
from lstmbook.nn.lstm import LSTM
from lstmbook.nn.rnn import RNN

__all__ = ["check_bidirectional"]

# name, forward layer class, backward layer class, N, T, D, H→, H←
CASES = (
    (Text(en="one time step (T = 1)", ja="時間ステップ 1 つ（T = 1）"), LSTM, LSTM, 2, 1, 3, 2, 2),
    (Text(en="a batch of LSTM layers (N = 3, T = 5)", ja="LSTM 層、バッチ（N = 3, T = 5）"),
     LSTM, LSTM, 3, 5, 2, 3, 3),
    (Text(en="GRU layers of different sizes (H→ = 2, H← = 3)",
          ja="大きさの異なる GRU 層（H→ = 2, H← = 3）"), GRU, GRU, 2, 4, 3, 2, 3),
    (Text(en="one sequence, plain RNN layers (N = 1, T = 6)",
          ja="系列 1 本、単純な RNN 層（N = 1, T = 6）"), RNN, RNN, 1, 6, 2, 2, 2),
)


def _misplaced_halves(out, N, T, H):
    """The halves were joined along the batch or time axis, not the feature axis."""
    return out.shape in ((2 * N, T, H // 2), (N, 2 * T, H // 2)) or (
        out.ndim == 3 and out.shape[2] != H and out.shape[:2] != (N, T))


# Yf: the forward layer's outputs; Yb_read_forwards: the backward layer run on X as it is;
# Yb_rev: the backward layer run on X[:, ::-1] (its outputs in reversed time order)
MISTAKES = (
    Raised(Text(en="the halves may differ in size (H→ ≠ H←) but share N and T: concatenate "
                   "them along the feature axis, axis=2.",
                ja="順方向側と逆方向側は大きさが違ってもよい（H→ ≠ H←）が、N と T は共通である。"
                   "特徴の軸 axis=2 に沿って連結せよ。"), says=("concatenation axis",)),
    Symptom(Text(en="return one array Y of shape (N, T, H→ + H←); layer.forward(X) returns a "
                    "pair (Y, final_state): keep its first element.",
                 ja="形状 (N, T, H→ + H←) の配列 Y を 1 つ返せ。layer.forward(X) は組 "
                    "(Y, final_state) を返すので、その最初の要素を使え。"), not_an_array),
    Symptom(Text(en="concatenate the two halves along the feature axis (axis=2): each step "
                    "gets [h→_t, h←_t].",
                 ja="順方向側と逆方向側を特徴の軸（axis=2）に沿って連結せよ。各ステップが "
                    "[h→_t, h←_t] になる。"), _misplaced_halves),
    Mistake(Text(en="the backward layer read the sequence forwards: give it the time-reversed "
                    "input X[:, ::-1] (axis 1 is time).",
                 ja="逆方向の層が系列を先頭から読んでいる。時間を反転した入力 X[:, ::-1] を渡せ"
                    "（軸 1 が時間である）。"),
            lambda Yf, Yb_read_forwards: np.concatenate([Yf, Yb_read_forwards], axis=2)),
    Mistake(Text(en="the backward outputs are still in reversed time order: flip them back with "
                    "[:, ::-1], so that step t holds h←_t, the state after reading x_T .. x_t.",
                 ja="逆方向の出力が時間の逆順のままである。[:, ::-1] で反転し直し、ステップ t に "
                    "h←_t、すなわち x_T .. x_t を読んだ後の状態が入るようにせよ。"),
            lambda Yf, Yb_rev: np.concatenate([Yf, Yb_rev], axis=2)),
    Mistake(Text(en="the halves are swapped: Y[:, t] = [h→_t, h←_t], forward half first.",
                 ja="順方向側と逆方向側が入れ替わっている。Y[:, t] = [h→_t, h←_t] であり、"
                    "順方向側が先である。"),
            lambda Yf, Yb_rev: np.concatenate([Yb_rev[:, ::-1], Yf], axis=2)),
)

TITLE = Text(en="Checking your bidirectional layer", ja="双方向層の採点")


def _outputs(layer, X):
    return layer.forward(np.ascontiguousarray(X))[0]


def _case(k, name, fwd_class, bwd_class, N, T, D, Hf, Hb) -> core.Case:
    fwd, bwd = fwd_class(D, Hf, seed=10 + k), bwd_class(D, Hb, seed=20 + k)
    X = np.random.default_rng(30 + k).normal(0.0, 1.0, (N, T, D))
    expected, _ = Bidirectional(fwd, bwd).forward(X)
    given = {"N": N, "T": T, "H": Hf + Hb, "Yf": _outputs(fwd, X),
             "Yb_read_forwards": _outputs(bwd, X), "Yb_rev": _outputs(bwd, X[:, ::-1])}
    return core.Case(name, (fwd, bwd, X), expected, mistakes=MISTAKES, given=given)


def check_bidirectional(fn: Callable) -> core.Result:
    """Grade ``fn(fwd, bwd, X) -> Y``: a bidirectional layer ({ref}`eq-birnn`) from two
    recurrent layers. ``fwd`` reads ``X (N, T, D)`` forwards, ``bwd`` reads it backwards, and
    ``Y[:, t] = [h→_t, h←_t]`` of shape ``(N, T, H→ + H←)``, as
    :class:`lstmbook.nn.layers.Bidirectional` computes.

    Cases: one time step (where reversing changes nothing), a batch of LSTM layers, GRU layers
    of different sizes, and one sequence of plain RNN layers.
    """
    return core.grade(fn, core.case_table(((k, *row) for k, row in enumerate(CASES)), _case),
                      title=TITLE)

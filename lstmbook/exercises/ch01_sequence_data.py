"""Chapter 1 grader (``book/01_sequence_data.ipynb``): :func:`check_last_valid`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array
from lstmbook.i18n import Text

__all__ = ["check_last_valid"]

# name, lengths of the sequences, H, seed
CASES = (
    (Text(en="equal lengths (no padding)", ja="長さが等しい（パディングなし）"), [4, 4, 4], 2, 0),
    (Text(en="different lengths (padding at the end of shorter sequences)",
          ja="長さが異なる（短い系列の末尾にパディング）"), [5, 2, 3, 4], 3, 1),
    (Text(en="a sequence of length 1", ja="長さ 1 の系列"), [1, 3], 2, 2),
    (Text(en="a batch of one sequence", ja="系列 1 本だけのバッチ"), [3], 4, 3),
)

MISTAKES = (
    # reading Y[n, lengths[n]] (off by one) raises here: some sequence fills the batch
    Raised(Text(en="an index ran past the end of the time axis. A sequence of length L has "
                   "steps 0 .. L - 1, so its last valid step is lengths[n] - 1.",
                ja="インデックスが時間軸の終わりを越えた。長さ L の系列のステップは 0 .. L - 1 "
                   "なので、最後の有効なステップは lengths[n] - 1 である。"), IndexError),
    Symptom(Text(en="return a numpy array of shape (N, H): one output vector per sequence.",
                 ja="形状 (N, H) の NumPy 配列を返せ。系列ごとに出力ベクトルが 1 つである。"),
            not_an_array),
    Mistake(Text(en="this is Y[:, -1], the last column of the padded batch; for every sequence "
                    "shorter than T that step is padding (the values >= 100 here). Read step "
                    "lengths[n] - 1 of each sequence n instead.",
                 ja="これは Y[:, -1]、すなわちパディングしたバッチの最後の列である。T より短い"
                    "系列では、そのステップはパディング（ここでは 100 以上の値）である。代わりに"
                    "各系列 n のステップ lengths[n] - 1 を読め。"),
            lambda Y: Y[:, -1]),
    Symptom(Text(en="Y[:, lengths - 1] takes every chosen step for every sequence (shape "
                    "(N, N, H)); pair sequence n with its own step: Y[np.arange(N), lengths - 1].",
                 ja="Y[:, lengths - 1] は、選んだステップをすべての系列についてすべて取り出す"
                    "（形状 (N, N, H)）。系列 n をそれ自身のステップと組にせよ（"
                    "Y[np.arange(N), lengths - 1]）。"),
            lambda out, N, H: out.shape == (N, N, H)),
    Symptom(Text(en="the axes are swapped: the result should be (N, H), one row per sequence.",
                 ja="軸が入れ替わっている。結果は (N, H)、すなわち系列ごとに 1 行でなければ"
                    "ならない。"),
            lambda out, N, H: out.shape == (H, N) and H != N),
    Symptom(Text(en="some rows come from padding steps (values >= 100): check the index you use.",
                 ja="一部の行がパディングのステップ（100 以上の値）から来ている。使っている"
                    "インデックスを確かめよ。"),
            lambda out, N, H: out.shape == (N, H) and np.any(out >= 100)),
)


def _padded_outputs(lengths, H, seed):
    """Outputs (N, T, H) of a padded batch: real steps hold values near 0..1, padding steps hold
    values from 100 up, so a read-out that picked padding is easy to recognise."""
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths, dtype=np.int64)
    N, T = len(lengths), int(lengths.max())
    Y = np.round(rng.uniform(0, 1, size=(N, T, H)), 3)
    pad = np.arange(T)[None, :] >= lengths[:, None]
    Y[pad] = 100 + np.arange(int(pad.sum() * H)).reshape(-1, H)
    return Y, lengths


def _case(name, lengths, H, seed) -> core.Case:
    Y, lens = _padded_outputs(lengths, H, seed)
    expected = Y[np.arange(len(lens)), lens - 1]
    return core.Case(name, (Y, lens), expected, mistakes=MISTAKES,
                     given={"Y": Y, "lengths": lens, "N": len(lens), "H": H})


TITLE = Text(en="Checking your many-to-one read-out", ja="多対一の読み出しの採点")


def check_last_valid(fn: Callable) -> core.Result:
    """Grade ``fn(Y, lengths) -> (N, H)``: each sequence's output at its last valid step.

    ``Y`` is ``(N, T, H)`` over a padded batch and ``lengths`` ``(N,)`` integers; the answer is
    ``Y[n, lengths[n] - 1]`` for each n (:func:`lstmbook.nn.sequences.last_valid`). Cases: equal
    lengths, different lengths, a sequence of length 1, a batch of one.
    """
    return core.grade(fn, core.case_table(CASES, _case), title=TITLE)

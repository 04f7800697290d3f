"""Chapter 3 grader (``book/03_bptt.ipynb``): :func:`check_bptt_delta`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.chapters.ch03_bptt import bptt_delta
from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array
from lstmbook.i18n import Text

__all__ = ["check_bptt_delta"]

# name, N, H, seed, delta_next = 0, dout_t = 0
CASES = (
    (Text(en="the last step: delta_next = 0 (no error from the future)",
          ja="最後のステップ：delta_next = 0（未来からの誤差がない）"), 2, 3, 0, True, False),
    (Text(en="a middle step: error from the output and from step t + 1",
          ja="途中のステップ：出力からの誤差と時刻 t + 1 からの誤差"), 2, 3, 1, False, False),
    (Text(en="a step without a loss of its own: dout_t = 0",
          ja="自分の損失を持たないステップ：dout_t = 0"), 1, 4, 2, False, True),
    (Text(en="a batch of 4 sequences, H = 5", ja="系列 4 本のバッチ、H = 5"),
     4, 5, 3, False, False),
)

# fp is f'(u_t) = 1 - h_t²
MISTAKES = (
    Raised(Text(en="shapes do not line up: delta_next is (N, H) and U (H, H); use "
                   "delta_next @ U.",
                ja="形状が合わない。delta_next は (N, H)、U は (H, H) である。delta_next @ U "
                   "を使え。"), ValueError, says=("matmul",)),
    Symptom(Text(en="return a numpy array of shape (N, H): δ_t for every sequence.",
                 ja="形状 (N, H) の NumPy 配列、すなわち各系列の δ_t を返せ。"), not_an_array),
    Mistake(Text(en="f'(u_t) is missing: δ_t is the derivative with respect to the "
                    "pre-activation u_t, so the error arriving at h_t is multiplied by "
                    "f'(u_t) = 1 − h_t² (tanh).",
                 ja="f'(u_t) が抜けている。δ_t は活性化前の値 u_t についての微分なので、h_t に"
                    "届く誤差に f'(u_t) = 1 − h_t²（tanh）を掛ける。"),
            lambda dout, dnext, U: dout + dnext @ U),
    Mistake(Text(en="U is transposed: the forward pass computes u_{t+1} = ... + h_t U^T (row "
                    "vectors), so the error goes back through U itself: δ_{t+1} @ U.",
                 ja="U が転置されている。順伝播は u_{t+1} = ... + h_t U^T（行ベクトル）を計算"
                    "するので、誤差は U そのものを通って戻る（δ_{t+1} @ U）。"),
            lambda dout, dnext, U, fp: (dout + dnext @ U.T) * fp),
    Mistake(Text(en="tanh'(u) is 1 − tanh(u)², written through the output: 1 − h_t**2, not "
                    "1 − h_t.",
                 ja="tanh'(u) は 1 − tanh(u)² であり、出力を使って書けば 1 − h_t**2 である。"
                    "1 − h_t ではない。"),
            lambda dout, dnext, U, h: (dout + dnext @ U) * (1.0 - h)),
    Mistake(Text(en="h_t is already tanh(u_t): f'(u_t) = 1 − h_t**2; do not apply tanh to h_t "
                    "again.",
                 ja="h_t はすでに tanh(u_t) であり、f'(u_t) = 1 − h_t**2 である。h_t に"
                    "もう一度 tanh を適用してはならない。"),
            lambda dout, dnext, U, h: (dout + dnext @ U) * (1.0 - np.tanh(h) ** 2)),
    Mistake(Text(en="f'(u_t) must multiply the whole error reaching h_t, (dout_t + δ_{t+1} U), "
                    "not only the part from the output.",
                 ja="f'(u_t) は、出力からの部分だけでなく、h_t に届く誤差全体 "
                    "(dout_t + δ_{t+1} U) に掛けなければならない。"),
            lambda dout, dnext, U, fp: dout * fp + dnext @ U),
    Mistake(Text(en="the error from the future is missing: add δ_{t+1} @ U before multiplying "
                    "by f'.",
                 ja="未来からの誤差が抜けている。f' を掛ける前に δ_{t+1} @ U を加えよ。"),
            lambda dout, fp: dout * fp),
    Mistake(Text(en="the error from the output at step t (dout_t) is missing: h_t feeds both "
                    "the output and the next step, so both errors are added.",
                 ja="時刻 t の出力からの誤差（dout_t）が抜けている。h_t は出力と次のステップの"
                    "両方に入るので、両方の誤差を足し合わせる。"),
            lambda dnext, U, fp: (dnext @ U) * fp),
    Mistake(Text(en="the axes are swapped: return (N, H), one row per sequence.",
                 ja="軸が入れ替わっている。(N, H)、すなわち系列ごとに 1 行を返せ。"),
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


TITLE = Text(en="Checking your BPTT step", ja="BPTT のステップの採点")


def check_bptt_delta(fn: Callable) -> core.Result:
    """Grade ``fn(dout_t, delta_next, U, h_t) -> δ_t``, one backward step of a tanh Elman RNN
    ({ref}`eq-bptt-delta`): ``δ_t = (dout_t + δ_{t+1} U) ⊙ (1 − h_t²)`` with ``dout_t``,
    ``delta_next``, ``h_t`` of shape ``(N, H)`` and ``U (H, H)``; compared with
    :func:`lstmbook.chapters.ch03_bptt.bptt_delta`. Cases: the last step (no error from the
    future), a middle step, a step with no loss of its own, and a larger batch.
    """
    return core.grade(fn, core.case_table(CASES, _case), title=TITLE)

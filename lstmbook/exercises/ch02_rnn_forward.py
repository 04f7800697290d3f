"""Chapter 2 grader (``book/02_rnn_forward.ipynb``): :func:`check_rnn_step`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array
from lstmbook.i18n import Text
from lstmbook.nn.rnn import rnn_step

__all__ = ["check_rnn_step"]

# name, N, D, H, seed, x = 0, h_prev = 0, nonlinearity
CASES = (
    (Text(en="one sequence, tanh (N=1, D=3, H=4)", ja="系列 1 本、tanh（N=1, D=3, H=4）"),
     1, 3, 4, 0, False, False, "tanh"),
    (Text(en="a batch of 5 sequences (N=5, D=3, H=4)", ja="系列 5 本のバッチ（N=5, D=3, H=4）"),
     5, 3, 4, 1, False, False, "tanh"),
    (Text(en="the bias: x = 0 and h_prev = 0, so h_t = tanh(b)",
          ja="バイアス：x = 0 かつ h_prev = 0 なので h_t = tanh(b)"),
     2, 3, 4, 2, True, True, "tanh"),
    (Text(en="the recurrent term: x = 0, so h_t = tanh(h_prev U^T + b)",
          ja="再帰項：x = 0 なので h_t = tanh(h_prev U^T + b)"),
     2, 3, 4, 3, True, False, "tanh"),
    (Text(en="a square case N = D = H = 3 (transposes matter)",
          ja="正方の場合 N = D = H = 3（転置の有無が結果に出る）"),
     3, 3, 3, 4, False, False, "tanh"),
    (Text(en="nonlinearity='relu' (N=4, D=2, H=5)",
          ja="nonlinearity='relu' の場合（N=4, D=2, H=5）"),
     4, 2, 5, 5, False, False, "relu"),
)


def _relu(a):
    return np.maximum(a, 0.0)


def _other_nonlinearity(nonlinearity):
    used = "ReLU" if nonlinearity == "tanh" else "tanh"
    return Text(en=f"you applied {used}, but nonlinearity={nonlinearity!r}: choose f from the "
                   "argument (np.tanh for 'tanh', np.maximum(a, 0) for 'relu').",
                ja=f"{used} を適用しているが、nonlinearity={nonlinearity!r} である。f は引数に"
                   "従って選べ（'tanh' なら np.tanh、'relu' なら np.maximum(a, 0)）。")


MISTAKES = (
    Raised(Text(en="give your function the argument nonlinearity='tanh' (default).",
                ja="関数に引数 nonlinearity='tanh'（デフォルト値）を持たせよ。"), TypeError,
           says=("nonlinearity",)),
    Raised(Text(en="shapes do not line up: x is (N, D), W (H, D), h_prev (N, H), U (H, H); "
                   "use x @ W.T and h_prev @ U.T.",
                ja="形状が合わない。x は (N, D)、W は (H, D)、h_prev は (N, H)、U は (H, H) "
                   "である。x @ W.T と h_prev @ U.T を使え。"), ValueError, says=("matmul",)),
    Symptom(Text(en="return a numpy array of shape (N, H).",
                 ja="形状 (N, H) の NumPy 配列を返せ。"), not_an_array),
    Mistake(_other_nonlinearity,
            lambda other, x, h, W, U, b: other(x @ W.T + h @ U.T + b)),
    Mistake(Text(en="this is the pre-activation u_t: apply the nonlinearity f to it.",
                 ja="これは活性化前の値 u_t である。これに非線形関数 f を適用せよ。"),
            lambda x, h, W, U, b: x @ W.T + h @ U.T + b),
    Mistake(Text(en="the recurrent term is missing: add h_prev @ U.T, the feedback of the "
                    "previous hidden state (without it this is a feed-forward layer).",
                 ja="再帰項が抜けている。前の隠れ状態の帰還である h_prev @ U.T を加えよ（これが"
                    "ないと順伝播型ネットワークの層になってしまう）。"),
            lambda f, x, W, b: f(x @ W.T + b)),
    Mistake(Text(en="the bias is missing: add b (the weight w_j0 of a constant input x_0 = 1).",
                 ja="バイアスが抜けている。b（定数入力 x_0 = 1 に対する重み w_j0）を加えよ。"),
            lambda f, x, h, W, U: f(x @ W.T + h @ U.T)),
    Mistake(Text(en="both the recurrent term h_prev @ U.T and the bias b are missing: "
                    "h_t = f(x W^T + h_prev U^T + b).",
                 ja="再帰項 h_prev @ U.T とバイアス b の両方が抜けている："
                    "h_t = f(x W^T + h_prev U^T + b)。"),
            lambda f, x, W: f(x @ W.T)),
    Mistake(Text(en="U is used untransposed: with row vectors, h_prev @ U.T computes "
                    "Σ_j' U[j, j'] h_prev[j'].",
                 ja="U が転置されずに使われている。行ベクトルでは、h_prev @ U.T が "
                    "Σ_j' U[j, j'] h_prev[j'] を計算する。"),
            lambda f, x, h, W, U, b: f(x @ W.T + h @ U + b)),
    Mistake(Text(en="the weights are used untransposed: W has shape (H, D), so x @ W.T gives "
                    "(N, H).",
                 ja="重みが転置されずに使われている。W の形状は (H, D) なので、x @ W.T で "
                    "(N, H) になる。"),
            lambda f, x, h, W, U, b: f(x @ W + h @ U + b)),
    Mistake(Text(en="the axes are swapped: return (N, H), one row per sequence.",
                 ja="軸が入れ替わっている。(N, H)、すなわち系列ごとに 1 行を返せ。"),
            lambda f, x, h, W, U, b: f(x @ W.T + h @ U.T + b).T),
)


def _case(name, N, D, H, seed, zero_x, zero_h, nonlinearity) -> core.Case:
    rng = np.random.default_rng(100 + seed)
    x = np.zeros((N, D)) if zero_x else core.rounded_uniform(rng, (N, D))
    h = np.zeros((N, H)) if zero_h else core.rounded_uniform(rng, (N, H))
    W = core.rounded_uniform(rng, (H, D))
    U = core.rounded_uniform(rng, (H, H))
    b = core.rounded_uniform(rng, H)
    expected, _ = rnn_step(x, h, {"W": W, "U": U, "b": b}, nonlinearity)
    f, other = (np.tanh, _relu) if nonlinearity == "tanh" else (_relu, np.tanh)
    return core.Case(name, (x, h, W, U, b), expected,
                     kwargs={"nonlinearity": nonlinearity} if nonlinearity != "tanh" else {},
                     mistakes=MISTAKES,
                     given={"x": x, "h": h, "W": W, "U": U, "b": b, "f": f, "other": other,
                            "nonlinearity": nonlinearity})


TITLE = Text(en="Checking your Elman step", ja="Elman ネットワークのステップの採点")


def check_rnn_step(fn: Callable) -> core.Result:
    """Grade ``fn(x, h_prev, W, U, b, nonlinearity="tanh") -> h_t``, the Elman step
    ({ref}`eq-rnn-hidden`): ``h_t = f(x W^T + h_prev U^T + b)`` with ``x (N, D)``,
    ``h_prev (N, H)``, ``W (H, D)``, ``U (H, H)``, ``b (H,)``; compared with
    :func:`lstmbook.nn.rnn.rnn_step`. Cases: one sequence, a batch, the bias alone, the recurrent
    term alone, a square case where transposes matter, and ReLU.
    """
    return core.grade(fn, core.case_table(CASES, _case), title=TITLE)

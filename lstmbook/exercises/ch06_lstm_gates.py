"""Chapter 6 graders (``book/06_lstm_gates.ipynb``): :func:`check_lstm_cell_update` and
:func:`check_lstm_step_backward`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_a_pair
from lstmbook.i18n import Text
from lstmbook.nn.lstm import lstm_step, lstm_step_backward, split_gates

__all__ = ["check_lstm_cell_update", "check_lstm_step_backward"]

# name, N, D, H, seed, the gate shut (None: all at work), the parts checked
CASES = (
    (Text(en="forget only (input gate shut)", ja="忘却だけ（入力ゲートが閉じている）"),
     1, 2, 1, 0, "i", ("c_t",)),
    (Text(en="input only (forget gate shut)", ja="入力だけ（忘却ゲートが閉じている）"),
     1, 2, 1, 1, "f", ("c_t",)),
    (Text(en="mixed gates", ja="両方のゲートが働く"), 1, 3, 2, 2, None, ("c_t", "h_t")),
    (Text(en="a batch (N = 3, H = 2)", ja="バッチ（N = 3, H = 2）"), 3, 3, 2, 3, None,
     ("c_t", "h_t")),
)

PAIR = ("h_t", "c_t")
_COMMON = (
    Raised(Text(en="the gates act element by element (the Hadamard product ⊙): use `*`, not "
                   "`@` or np.dot, between gates and states; all of i, f, g, o, c_prev have "
                   "shape (N, H).",
                ja="ゲートは要素ごとに作用する（アダマール積 ⊙）。ゲートと状態の間には `@` や "
                   "np.dot ではなく `*` を使え。i, f, g, o, c_prev はどれも形状 (N, H) である。"),
           ValueError, says=("matmul", "broadcast")),
    not_a_pair(PAIR, Text(en="return the new hidden and cell states as a pair: `return h, c`.",
                          ja="新しい隠れ状態とセル状態を組にして返せ：`return h, c`。")),
)

# the gate values i, f, g, o and the states c_prev, c are those of the right step (its cache)
MISTAKES = {
    "c_t": _COMMON + (
        Mistake(Text(en="this only keeps (part of) the old content f ⊙ c_{t-1}; add what the "
                        "input gate writes, i ⊙ g.",
                     ja="これは古い内容 f ⊙ c_{t-1}（の一部）を保つだけである。入力ゲートが書き"
                        "込むもの i ⊙ g を加えよ。"), lambda f, c_prev: f * c_prev),
        Mistake(Text(en="this only writes the new candidate i ⊙ g; the old content f ⊙ c_{t-1} "
                        "must be added to it.",
                     ja="これは新しい候補 i ⊙ g を書き込むだけである。古い内容 f ⊙ c_{t-1} を"
                        "これに加えなければならない。"), lambda i, g: i * g),
        Mistake(Text(en="the candidate g must pass through the input gate: i ⊙ g.",
                     ja="候補セル状態 g は入力ゲートを通らなければならない：i ⊙ g。"),
                lambda f, g, c_prev: f * c_prev + g),
        Mistake(Text(en="the old cell state must pass through the forget gate: f ⊙ c_{t-1}.",
                     ja="古いセル状態は忘却ゲートを通らなければならない：f ⊙ c_{t-1}。"),
                lambda i, g, c_prev: c_prev + i * g),
        Mistake(Text(en="the gates are swapped: the forget gate multiplies the old state, the "
                        "input gate the candidate.",
                     ja="ゲートが入れ替わっている。忘却ゲートは古い状態に、入力ゲートは候補に"
                        "掛かる。"), lambda i, f, g, c_prev: i * c_prev + f * g),
        Mistake(Text(en="the output gate o is not part of the cell update; the old state is "
                        "multiplied by the forget gate f.",
                     ja="出力ゲート o はセルの更新には含まれない。古い状態に掛かるのは忘却ゲート "
                        "f である。"), lambda i, g, o, c_prev: o * c_prev + i * g),
    ),
    "h_t": _COMMON + (
        Mistake(Text(en="squash the cell state with tanh before the output gate: "
                        "h_t = o ⊙ tanh(c_t).",
                     ja="出力ゲートの前に、セル状態を tanh で押しつぶせ：h_t = o ⊙ tanh(c_t)。"),
                lambda o, c: o * c),
        Mistake(Text(en="the output gate must multiply: h_t = o ⊙ tanh(c_t).",
                     ja="出力ゲートを掛けなければならない：h_t = o ⊙ tanh(c_t)。"),
                lambda c: np.tanh(c)),
        Mistake(Text(en="use the new cell state c_t, not c_{t-1}.",
                     ja="c_{t-1} ではなく、新しいセル状態 c_t を使え。"),
                lambda o, c_prev: o * np.tanh(c_prev)),
        Mistake(Text(en="tanh applies to c_t alone, then the output gate multiplies: "
                        "o ⊙ tanh(c_t).",
                     ja="tanh は c_t だけに適用し、その後で出力ゲートを掛ける：o ⊙ tanh(c_t)。"),
                lambda o, c: np.tanh(o * c)),
        Symptom(Text(en="h_t = o ⊙ tanh(c_t) uses the new cell state: if c_t failed, fix it "
                        "first.",
                     ja="h_t = o ⊙ tanh(c_t) は新しいセル状態を使う。c_t が不合格なら、先に c_t "
                        "を直せ。"),
                lambda: True),
    ),
}


def _lstm_exercise_params(D, H, seed, shut=None):
    """Random LSTM parameters; ``shut="i"`` or ``"f"`` closes that gate exactly (its W and U
    blocks zero, its bias −1000, so σ gives exactly 0 whatever the input)."""
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(0.0, 0.6, (4 * H, D)), "U": rng.normal(0.0, 0.6, (4 * H, H)),
              "b": rng.normal(0.0, 0.3, 4 * H)}
    if shut is not None:
        k = "ifgo".index(shut)
        split_gates(params["W"].T)[k][...] = 0.0
        split_gates(params["U"].T)[k][...] = 0.0
        split_gates(params["b"])[k][...] = -1000.0
    return params


def _cases(name, N, D, H, seed, shut, checked) -> list[core.Case]:
    params = _lstm_exercise_params(D, H, seed, shut)
    rng = np.random.default_rng(100 + seed)
    x_t = rng.normal(0.0, 1.0, (N, D))
    h_prev = rng.uniform(-0.8, 0.8, (N, H))
    c_prev = rng.uniform(-1.5, 1.5, (N, H))
    h, c, cache = lstm_step(x_t, h_prev, c_prev, params)
    given = {k: getattr(cache, k) for k in ("i", "f", "g", "o", "c_prev", "c")}
    expected = {"h_t": h, "c_t": c}
    return [core.Case(core.compose("{name}: {part}", "{name}：{part}", name=name, part=part),
                      (x_t, h_prev, c_prev, params), expected[part], pair=PAIR,
                      part=part, mistakes=MISTAKES[part], given=given)
            for part in checked]


TITLE = Text(en="Checking your LSTM step", ja="LSTM のステップの採点")


def check_lstm_cell_update(fn: Callable) -> core.Result:
    """Grade ``fn(x_t, h_prev, c_prev, params) -> (h_t, c_t)``: one LSTM step, in particular the
    cell update ``c_t = f ⊙ c_{t-1} + i ⊙ g`` ({ref}`eq-lstm-cell`) and the output
    ``h_t = o ⊙ tanh(c_t)`` ({ref}`eq-lstm-hidden`), against :func:`lstmbook.nn.lstm.lstm_step`.

    Cases: the input gate shut (only forgetting acts), the forget gate shut (only writing acts),
    both at work, and a batch of three examples with two units; c_t and h_t are checked
    separately, and a failed case names the likely mistake.
    """
    return core.grade(fn, core.case_table(CASES, _cases), title=TITLE)


# --------------------------------------------------------------------------- the backward step
# name, N, D, H, seed, which errors arrive: "h" (dL/dh_t only), "c" (dc_next only), "hc" (both)
BACKWARD_CASES = (
    (Text(en="only dc_next arrives (dh_t = 0)", ja="dc_next だけが届く（dh_t = 0）"),
     1, 2, 1, 10, "c", ("dc_prev", "dh_prev")),
    (Text(en="only dh_t arrives (dc_next = 0)", ja="dh_t だけが届く（dc_next = 0）"),
     1, 2, 1, 15, "h", ("dc_prev", "dh_prev")),
    (Text(en="both arrive", ja="両方が届く"), 1, 3, 2, 12, "hc", ("dc_prev", "dh_prev")),
    (Text(en="a batch (N = 3, H = 2)", ja="バッチ（N = 3, H = 2）"), 3, 3, 2, 13, "hc",
     ("dc_prev", "dh_prev")),
)

BACKWARD_PAIR = ("dh_prev", "dc_prev")


def _backward_by_parts(dh_t, dc_next, cache, U, *, dc=None, tanh_in_o="tanh_c", sig=True,
                       tanh_g=True):
    """``(dh_prev, dc_prev)`` by the chain rule, with switches for the likely mistakes."""
    _, _, c_prev, i, f, g, o, c, tanh_c = cache
    if dc is None:
        dc = dh_t * o * (1.0 - tanh_c**2) + dc_next
    do = dh_t * (tanh_c if tanh_in_o == "tanh_c" else c)
    di, df, dg = dc * g, dc * c_prev, dc * i
    if sig:
        da_i, da_f, da_o = di * i * (1 - i), df * f * (1 - f), do * o * (1 - o)
    else:
        da_i, da_f, da_o = di, df, do
    da_g = dg * (1 - g**2) if tanh_g else dg
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
    return da @ U, dc * f


def _dc_variants(dh_t, dc_next, o, tanh_c, c):
    """The error on c_t as the right formula gives it, and as the likely mistakes give it."""
    return {
        "right": dh_t * o * (1 - tanh_c**2) + dc_next,
        "no h path": dc_next + 0 * dh_t,
        "no dc_next": dh_t * o * (1 - tanh_c**2),
        "c for tanh(c)": dh_t * o * (1 - c**2) + dc_next,
        "no tanh'": dh_t * o + dc_next,
        "no o": dh_t * (1 - tanh_c**2) + dc_next,
    }


_DC_HINTS = {
    "no h path": Text(en="the cell's error has two parts: what arrives from step t+1 (dc_next) "
                         "and what comes through h_t = o ⊙ tanh(c_t): add "
                         "dh_t ⊙ o ⊙ (1 − tanh²(c_t)).",
                      ja="セルの誤差は 2 つの部分からなる。時刻 t+1 から届くもの（dc_next）と、"
                         "h_t = o ⊙ tanh(c_t) を通って来るものである。"
                         "dh_t ⊙ o ⊙ (1 − tanh²(c_t)) を加えよ。"),
    "no dc_next": Text(en="dc_next is missing: the error arriving along the cell from step t+1 "
                          "is added to the part through h_t, "
                          "dc = dh_t ⊙ o ⊙ tanh′(c_t) + dc_next.",
                       ja="dc_next が抜けている。時刻 t+1 からセルに沿って届く誤差を、h_t を"
                          "通る部分に加える：dc = dh_t ⊙ o ⊙ tanh′(c_t) + dc_next。"),
    "c for tanh(c)": Text(en="the derivative of tanh at c_t is 1 − tanh²(c_t), written with "
                             "tanh_c from the cache, not 1 − c_t².",
                          ja="c_t における tanh の微分は 1 − tanh²(c_t) であり、キャッシュの "
                             "tanh_c を使って書く。1 − c_t² ではない。"),
    "no tanh'": Text(en="h_t = o ⊙ tanh(c_t): the path to c_t passes through the tanh, so "
                        "multiply by its derivative 1 − tanh²(c_t).",
                     ja="h_t = o ⊙ tanh(c_t) である。c_t への経路は tanh を通るので、その微分 "
                        "1 − tanh²(c_t) を掛けよ。"),
    "no o": Text(en="h_t = o ⊙ tanh(c_t): the path from h_t to c_t is scaled by the output "
                    "gate o.",
                 ja="h_t = o ⊙ tanh(c_t) である。h_t から c_t への経路には出力ゲート o が"
                    "掛かる。"),
}


def _dc_prev_from_dc(key):
    def wrong(dh_t, dc_next, o, tanh_c, c, f):
        return _dc_variants(dh_t, dc_next, o, tanh_c, c)[key] * f
    return wrong


def _dc_mistakes():
    return tuple(Mistake(hint, _dc_prev_from_dc(key)) for key, hint in _DC_HINTS.items())


def _dh_from_dc(key):
    def wrong(dh_t, dc_next, cache, U, o, tanh_c, c):
        dc = _dc_variants(dh_t, dc_next, o, tanh_c, c)[key]
        return _backward_by_parts(dh_t, dc_next, cache, U, dc=dc)[0]
    return wrong


_BACKWARD_COMMON = (
    Raised(Text(en="dh_prev = da @ U: da is (N, 4H) and U is (4H, H) in the book's row "
                   "convention, so no transpose; between gates and errors use `*`, not `@`.",
                ja="dh_prev = da @ U である。本書の行ベクトルの流儀では da は (N, 4H)、U は "
                   "(4H, H) なので、転置は要らない。ゲートと誤差の間には `@` ではなく `*` を"
                   "使え。"),
           ValueError, says=("matmul", "broadcast", "aligned")),
    not_a_pair(BACKWARD_PAIR, Text(en="return the two errors as a pair: "
                                      "`return dh_prev, dc_prev`.",
                                   ja="2 つの誤差を組にして返せ：`return dh_prev, dc_prev`。")),
)

BACKWARD_MISTAKES = {
    "dc_prev": _BACKWARD_COMMON + _dc_mistakes() + (
        Mistake(Text(en="along the cell, c_t = f ⊙ c_{t-1} + …, so dc_prev = dc ⊙ f: multiply "
                        "by the forget gate.",
                     ja="セルに沿っては c_t = f ⊙ c_{t-1} + … なので、dc_prev = dc ⊙ f である。"
                        "忘却ゲートを掛けよ。"),
                lambda dh_t, dc_next, o, tanh_c: dh_t * o * (1 - tanh_c**2) + dc_next),
        Mistake(Text(en="dc_prev = dc ⊙ f uses the forget gate f, not the input gate i.",
                     ja="dc_prev = dc ⊙ f が使うのは忘却ゲート f であり、入力ゲート i ではない。"),
                lambda dh_t, dc_next, o, tanh_c, i: (dh_t * o * (1 - tanh_c**2) + dc_next) * i),
    ),
    "dh_prev": _BACKWARD_COMMON + (
        Mistake(Text(en="the candidate's pre-activation gradient needs tanh′: "
                        "da_g = dg ⊙ (1 − g²).",
                     ja="候補セル状態の活性化前の値についての勾配には tanh′ が必要である："
                        "da_g = dg ⊙ (1 − g²)。"),
                lambda dh_t, dc_next, cache, U: _backward_by_parts(dh_t, dc_next, cache, U,
                                                                   tanh_g=False)[0]),
        Mistake(Text(en="each gate's pre-activation gradient needs σ′ = s(1 − s): "
                        "da_i = di ⊙ i ⊙ (1 − i), and likewise for f and o.",
                     ja="各ゲートの活性化前の値についての勾配には σ′ = s(1 − s) が必要である："
                        "da_i = di ⊙ i ⊙ (1 − i)。f と o も同様である。"),
                lambda dh_t, dc_next, cache, U: _backward_by_parts(dh_t, dc_next, cache, U,
                                                                   sig=False)[0]),
        Mistake(Text(en="do = dh_t ⊙ tanh(c_t): the output gate multiplies tanh(c_t), not c_t.",
                     ja="do = dh_t ⊙ tanh(c_t) である。出力ゲートが掛かるのは c_t ではなく "
                        "tanh(c_t) である。"),
                lambda dh_t, dc_next, cache, U: _backward_by_parts(dh_t, dc_next, cache, U,
                                                                   tanh_in_o="c")[0]),
        *(Mistake(hint, _dh_from_dc(key)) for key, hint in _DC_HINTS.items()),
        Symptom(Text(en="dh_prev = da @ U is built from dc: if dc_prev failed, fix dc first.",
                     ja="dh_prev = da @ U は dc から組み立てられる。dc_prev が不合格なら、先に "
                        "dc を直せ。"),
                lambda: True),
    ),
}


def _backward_cases(name, N, D, H, seed, arrive, checked) -> list[core.Case]:
    params = _lstm_exercise_params(D, H, seed)
    rng = np.random.default_rng(200 + seed)
    x_t = rng.normal(0.0, 1.0, (N, D))
    h_prev = rng.uniform(-0.8, 0.8, (N, H))
    c_prev = rng.uniform(-1.5, 1.5, (N, H))
    _, _, cache = lstm_step(x_t, h_prev, c_prev, params)
    dh_t = rng.normal(0.0, 1.0, (N, H)) if "h" in arrive else np.zeros((N, H))
    dc_next = rng.normal(0.0, 1.0, (N, H)) if "c" in arrive else np.zeros((N, H))
    _, dh_prev, dc_prev, _ = lstm_step_backward(dh_t, dc_next, cache, params)
    given = {"dh_t": dh_t, "dc_next": dc_next, "cache": cache, "U": params["U"],
             **{k: getattr(cache, k) for k in ("i", "f", "g", "o", "c", "tanh_c", "c_prev")}}
    expected = {"dh_prev": dh_prev, "dc_prev": dc_prev}
    return [core.Case(core.compose("{name}: {part}", "{name}：{part}", name=name, part=part),
                      (dh_t, dc_next, cache, params), expected[part], pair=BACKWARD_PAIR,
                      part=part, mistakes=BACKWARD_MISTAKES[part], given=given)
            for part in checked]


BACKWARD_TITLE = Text(en="Checking your LSTM backward step", ja="LSTM の逆伝播のステップの採点")


def check_lstm_step_backward(fn: Callable) -> core.Result:
    """Grade ``fn(dh_t, dc_next, cache, params) -> (dh_prev, dc_prev)``: the LSTM step's
    backward pass by the chain rule (``dc = dh_t ⊙ o ⊙ tanh′(c_t) + dc_next``, the four gate
    pre-activation gradients, ``dh_prev = da U``, ``dc_prev = dc ⊙ f``), against
    :func:`lstmbook.nn.lstm.lstm_step_backward`.

    Cases: only the cell's error from step t+1 arrives, only ∂L/∂h_t arrives, both, and a
    batch of three examples with two units; dc_prev and dh_prev are checked separately, and a
    failed case names the likely mistake (dc_next forgotten, c_t used for tanh(c_t), σ′ or tanh′
    left out, …).
    """
    return core.grade(fn, core.case_table(BACKWARD_CASES, _backward_cases),
                      title=BACKWARD_TITLE)

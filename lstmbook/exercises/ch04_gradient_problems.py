"""Chapter 4 grader (``book/04_gradient_problems.ipynb``): :func:`check_clip_grad_norm`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.exercises import core
from lstmbook.exercises.core import Mistake, Raised, Symptom, not_an_array
from lstmbook.i18n import Text

__all__ = ["check_clip_grad_norm"]

# name, gradient, max_norm
CASES = (
    (Text(en="norm below the threshold: returned unchanged",
          ja="ノルムが閾値以下：そのまま返す"), np.array([0.3, -0.4]), 1.0),
    (Text(en="norm above the threshold: rescaled to norm max_norm, same direction",
          ja="ノルムが閾値より大きい：方向を保ってノルム max_norm に再スケール"),
     np.array([3.0, -4.0, 12.0]), 2.0),
    (Text(en="a matrix: one norm over all its entries", ja="行列：全成分をまとめた 1 つのノルム"),
     np.array([[0.5, -2.0, 1.0], [4.0, 0.0, -1.5]]), 1.5),
    (Text(en="a zero gradient: returned as zeros, no division by zero",
          ja="ゼロ勾配：ゼロ除算を起こさずゼロのまま返す"), np.zeros(4), 1.0),
)


def _cosine(out, g) -> float:
    """The cosine between the output and the gradient (0 for a zero output)."""
    out_norm = float(np.linalg.norm(out))
    return float(out.ravel() @ g.ravel() / (out_norm * np.linalg.norm(g))) if out_norm else 0.0


def _by_value(out, g):
    cos = f"{_cosine(out, g):.4f}"
    return Text(en="this clips each entry on its own (clipping by value), which changes the "
                   f"direction (cosine {cos} with the gradient). Multiply every entry by the "
                   "same factor max_norm / ‖g‖ instead.",
                ja="これは各成分を別々に刈り込んでおり（値による刈り込み）、方向が変わる（勾配"
                   f"とのコサインは {cos}）。代わりに、すべての成分に同じ係数 max_norm / ‖g‖ を"
                   "掛けよ。")


def _turned(out, g):
    cos = f"{_cosine(out, g):.4f}"
    return Text(en=f"the direction changed (cosine {cos} with the gradient; it should be 1): "
                   "multiply every entry by one and the same factor.",
                ja=f"方向が変わっている（勾配とのコサインは {cos}。1 でなければならない）。"
                   "すべての成分に同じ 1 つの係数を掛けよ。")


def _not_above(out, norm, max_norm):
    yours = f"{float(np.linalg.norm(out)):.4g}"
    return Text(en=f"‖g‖ = {norm:.4g} is not above max_norm = {max_norm:g}, so the gradient "
                   f"must come back unchanged; yours has norm {yours}. Rescale only when "
                   "‖g‖ > max_norm.",
                ja=f"‖g‖ = {norm:.4g} は max_norm = {max_norm:g} 以下なので、勾配は"
                   f"そのまま返さなければならない。返された配列のノルムは {yours} である。"
                   "‖g‖ > max_norm のときにだけ再スケールせよ。")


def _wrong_norm(out, norm, max_norm):
    yours = f"{float(np.linalg.norm(out)):.4g}"
    return Text(en=f"‖g‖ = {norm:.4g} is above max_norm = {max_norm:g}, so the result must "
                   f"have norm exactly {max_norm:g}; yours has norm {yours}. Multiply by "
                   "max_norm / ‖g‖.",
                ja=f"‖g‖ = {norm:.4g} は max_norm = {max_norm:g} より大きいので、結果のノルムは"
                   f"ちょうど {max_norm:g} でなければならない。返された配列のノルムは {yours} "
                   "である。max_norm / ‖g‖ を掛けよ。")


MISTAKES = (
    Raised(Text(en="the gradient is zero here, so max_norm / ‖g‖ divides by zero. Compare ‖g‖ "
                   "with max_norm first and rescale only when ‖g‖ > max_norm (a zero gradient "
                   "is returned as it is).",
                ja="ここでは勾配がゼロなので、max_norm / ‖g‖ はゼロ除算になる。先に ‖g‖ を "
                   "max_norm と比較し、‖g‖ > max_norm のときにだけ再スケールせよ（ゼロ勾配は"
                   "そのまま返す）。"),
           (FloatingPointError, ZeroDivisionError, RuntimeWarning), when=lambda norm: norm == 0),
    Symptom(Text(en="return a numpy array with the shape of the gradient.",
                 ja="勾配と同じ形状の NumPy 配列を返せ。"), not_an_array),
    Symptom(None, lambda out, g: core.array_mismatch(out, g) is not None),
    Symptom(Text(en="the result contains NaN or infinity: with ‖g‖ = 0, max_norm / ‖g‖ is not "
                    "a number. Rescale only when ‖g‖ > max_norm.",
                 ja="結果に NaN または無限大が含まれている。‖g‖ = 0 では max_norm / ‖g‖ は数に"
                    "ならない。‖g‖ > max_norm のときにだけ再スケールせよ。"),
            lambda out: not np.all(np.isfinite(out))),
    Symptom(None, lambda norm: norm == 0),
    Mistake(Text(en="you clipped each row on its own. The norm is taken over the whole "
                    "gradient, all entries together: np.linalg.norm(g) (= sqrt of the sum of "
                    "every squared entry), and one factor rescales every entry.",
                 ja="各行を別々に刈り込んでいる。ノルムは勾配全体、すなわち全成分をまとめて"
                    "とる：np.linalg.norm(g)（= 全成分の 2 乗和の平方根）。そして 1 つの係数"
                    "ですべての成分を再スケールする。"),
            lambda g, max_norm: g * np.minimum(1.0, max_norm
                                               / np.linalg.norm(g, axis=1, keepdims=True))),
    Mistake(_by_value, lambda g, max_norm: np.clip(g, -max_norm, max_norm)),
    Symptom(_turned, lambda out, g: _cosine(out, g) < 1 - 1e-9),
    Symptom(_not_above, lambda norm, max_norm: norm <= max_norm),
    Mistake(Text(en="the factor is upside down: multiply by max_norm / ‖g‖ (below 1 here), not "
                    "‖g‖ / max_norm.",
                 ja="係数の分子と分母が逆である。‖g‖ / max_norm ではなく max_norm / ‖g‖（ここ"
                    "では 1 未満）を掛けよ。"), lambda g, norm, max_norm: g * (norm / max_norm)),
    Symptom(_wrong_norm, lambda: True),
)


def _case(name, g, max_norm) -> core.Case:
    norm = float(np.linalg.norm(g))
    expected = g * (max_norm / norm) if norm > max_norm else g.copy()
    return core.Case(name, (g, max_norm), expected, mistakes=MISTAKES,
                     given={"g": g, "max_norm": max_norm, "norm": norm})


TITLE = Text(en="Checking your gradient clipping", ja="勾配刈り込みの採点")


def check_clip_grad_norm(fn: Callable) -> core.Result:
    """Grade ``fn(grad, max_norm) -> clipped``: gradient clipping by norm ({ref}`eq-clip-norm`).

    ``grad`` is one NumPy array (all of a model's gradients side by side) and the answer is a
    new array: ``grad · max_norm / ‖grad‖`` when ‖grad‖ > max_norm, else ``grad`` unchanged,
    as :func:`lstmbook.nn.clipping.clip_grad_norm` computes (in place). Cases: a norm below the
    threshold (unchanged), a norm above it (rescaled to the threshold, same direction), a
    matrix (one norm over all entries), and a zero gradient, which must come back as zeros
    with no division by zero and no warning (warnings count as failures here).
    """
    return core.grade(fn, core.case_table(CASES, _case), title=TITLE,
                      strict=True)

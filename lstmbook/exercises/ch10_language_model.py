"""Chapter 10 grader (``book/10_language_model.ipynb``): :func:`check_perplexity`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.chapters.ch10_language_model import batch_perplexity
from lstmbook.exercises import core
from lstmbook.exercises.core import Raised, Symptom
from lstmbook.i18n import Text
from lstmbook.nn.activations import log_softmax

__all__ = ["check_perplexity"]


def _near(out, value) -> bool:
    """``out`` is one finite number close to ``value`` (the answer a mistake gives)."""
    out = float(np.asarray(out).reshape(()))
    return bool(np.isfinite(out) and np.isfinite(value) and np.isclose(out, value, rtol=1e-6))


# ce: the cross-entropy of the target at every position (N, T), in nats; logits: the input
MISTAKES = (
    Raised(Text(en="exp overflowed: the logits are large. Subtract each row's largest logit "
                   "before exp (log softmax(z) = z - max z - log sum exp(z - max z)); the result "
                   "is the same and exp never sees a large number.",
                ja="exp がオーバーフローした。ロジットが大きい。exp の前に各行の最大のロジットを"
                   "引け（log softmax(z) = z - max z - log sum exp(z - max z)）。結果は同じで、"
                   "exp が大きな数を受け取ることはない。"), (FloatingPointError, OverflowError),
           ("overflow",), when=lambda logits: np.abs(logits).max() > 100),
    Raised(Text(en="exp overflowed: a number above 709 went into exp. Is it the summed "
                   "cross-entropy? The perplexity is exp of the mean.",
                ja="exp がオーバーフローした。709 を超える数が exp に入った。それは交差エントロ"
                   "ピーの和ではないか。パープレキシティは平均の exp である。"),
           (FloatingPointError, OverflowError), ("overflow",)),
    Raised(Text(en="The targets are class indices: pick each position's log-probability with "
                   "np.take_along_axis(logp, targets[..., None], axis=-1).",
                ja="目標はクラスのインデックスである。各位置の対数確率は "
                   "np.take_along_axis(logp, targets[..., None], axis=-1) で取り出せ。"),
           IndexError),
    Symptom(Text(en="The perplexity is one number for the whole batch: average the "
                    "cross-entropy over every position first, then take exp.",
                 ja="パープレキシティはバッチ全体で 1 つの数である。まず交差エントロピーをすべての"
                    "位置について平均し、それから exp をとれ。"),
            lambda out, ce: np.ndim(out) > 0 and np.size(out) > 1),
    Symptom(Text(en="This is the mean cross-entropy, in nats. The perplexity is its "
                    "exponential, exp(mean cross-entropy).",
                 ja="これは平均交差エントロピー（単位はナット）である。パープレキシティはその指数 "
                    "exp(平均交差エントロピー) である。"), lambda out, ce: _near(out, ce.mean())),
    Symptom(Text(en="This is 2 ** (mean cross-entropy), but np.log gives the cross-entropy in "
                    "nats: the perplexity is np.exp of it (2 ** is for a cross-entropy in bits).",
                 ja="これは 2 ** (平均交差エントロピー) だが、np.log で得られる交差エントロピー"
                    "の単位はナットである。パープレキシティはその np.exp である（2 ** はビット"
                    "単位の交差エントロピーに使う）。"),
            lambda out, ce: _near(out, 2.0 ** ce.mean())),
    Symptom(Text(en="This is exp of the summed cross-entropy. Divide by the number of positions "
                    "N * T first: the perplexity is exp of the mean.",
                 ja="これは交差エントロピーの和の exp である。先に位置の数 N * T で割れ。"
                    "パープレキシティは平均の exp である。"),
            lambda out, ce: _near(out, np.exp(min(ce.sum(), 700.0)))),
    Symptom(Text(en="This averages exp(cross-entropy) over the positions. The perplexity takes "
                    "exp of the average cross-entropy (a geometric mean of 1/p), not the average "
                    "of exps.",
                 ja="これは exp(交差エントロピー) を位置について平均している。パープレキシティは"
                    "交差エントロピーの平均の exp（1/p の幾何平均）であり、exp の平均ではない。"),
            lambda out, ce: _near(out, np.exp(ce).mean())),
    Symptom(Text(en="This is 1 / (mean probability of the target). The perplexity averages the "
                    "log-probabilities, then exponentiates: exp(-mean(log p)).",
                 ja="これは 1 / (目標の確率の平均) である。パープレキシティは対数確率を平均して"
                    "から指数をとる：exp(-mean(log p))。"),
            lambda out, ce: _near(out, 1.0 / np.exp(-ce).mean())),
)

TITLE = Text(en="perplexity of a batch", ja="バッチのパープレキシティ")


def _case(name, logits, targets) -> core.Case:
    logits64 = np.asarray(logits, np.float64)
    ce = -np.take_along_axis(log_softmax(logits64), targets[..., None], axis=-1)[..., 0]
    rtol = 1e-5 if logits.dtype == np.float32 else 1e-9
    return core.Case(core.compose("{name}: logits {shape}", "{name}：ロジット {shape}",
                                  name=name, shape=logits.shape), (logits, targets),
                     batch_perplexity(logits64, targets), mistakes=MISTAKES,
                     given={"ce": ce, "logits": logits64},
                     rtol=rtol, atol=0.0)


def _cases():
    rng = np.random.default_rng(10)
    small = core.rounded_uniform(rng, (2, 3, 5), -2.0, 2.0)
    small_t = rng.integers(0, 5, (2, 3))
    uniform_t = rng.integers(0, 52, (3, 4))
    confident_t = rng.integers(0, 6, (2, 5))
    confident = 795.0 + core.rounded_uniform(rng, (2, 5, 6), -1.0, 1.0)
    np.put_along_axis(confident, confident_t[..., None], 800.0, axis=-1)
    chapter = (2.0 * rng.standard_normal((4, 16, 52))).astype(np.float32)
    chapter_t = rng.integers(0, 52, (4, 16))
    return (
        (Text(en="a small batch", ja="小さなバッチ"), small, small_t),
        (Text(en="a uniform model (every logit 0, V = 52)",
              ja="一様なモデル（ロジットはすべて 0、V = 52）"), np.zeros((3, 4, 52)), uniform_t),
        (Text(en="large logits (about 800; the target's the largest)",
              ja="大きなロジット（約 800。目標のものが最大）"), confident, confident_t),
        (Text(en="float32, the chapter's vocabulary", ja="float32、本章の語彙"), chapter,
         chapter_t),
    )


def check_perplexity(fn: Callable) -> core.Result:
    """Grade ``fn(logits, targets) -> float``: the perplexity of a batch, ``exp`` of the mean
    softmax cross-entropy of the integer ``targets (N, T)`` under ``logits (N, T, V)``
    ({ref}`eq-perplexity`). Overflow counts as an error (``strict``), as it would in training."""
    return core.grade(fn, core.case_table(_cases(), _case), title=TITLE,
                      strict=True)

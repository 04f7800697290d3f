"""Chapter 10 grader (``book/10_language_model.ipynb``): :func:`check_perplexity`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lstmbook.chapters.ch10_language_model import batch_perplexity
from lstmbook.exercises import core
from lstmbook.exercises.core import Raised, Symptom
from lstmbook.nn.activations import log_softmax

__all__ = ["check_perplexity"]


def _near(out, value) -> bool:
    """``out`` is one finite number close to ``value`` (the answer a mistake gives)."""
    out = float(np.asarray(out).reshape(()))
    return bool(np.isfinite(out) and np.isfinite(value) and np.isclose(out, value, rtol=1e-6))


# ce: the cross-entropy of the target at every position (N, T), in nats; logits: the input
MISTAKES = (
    Raised("exp overflowed: the logits are large. Subtract each row's largest logit before "
           "exp (log softmax(z) = z - max z - log sum exp(z - max z)); the result is the same "
           "and exp never sees a large number.", (FloatingPointError, OverflowError),
           ("overflow",), when=lambda logits: np.abs(logits).max() > 100),
    Raised("exp overflowed: a number above 709 went into exp. Is it the summed cross-entropy? "
           "The perplexity is exp of the mean.", (FloatingPointError, OverflowError),
           ("overflow",)),
    Raised("The targets are class indices: pick each position's log-probability with "
           "np.take_along_axis(logp, targets[..., None], axis=-1).", IndexError),
    Symptom("The perplexity is one number for the whole batch: average the cross-entropy over "
            "every position first, then take exp.",
            lambda out, ce: np.ndim(out) > 0 and np.size(out) > 1),
    Symptom("This is the mean cross-entropy, in nats. The perplexity is its exponential, "
            "exp(mean cross-entropy).", lambda out, ce: _near(out, ce.mean())),
    Symptom("This is 2 ** (mean cross-entropy), but np.log gives the cross-entropy in nats: "
            "the perplexity is np.exp of it (2 ** is for a cross-entropy in bits).",
            lambda out, ce: _near(out, 2.0 ** ce.mean())),
    Symptom("This is exp of the summed cross-entropy. Divide by the number of positions "
            "N * T first: the perplexity is exp of the mean.",
            lambda out, ce: _near(out, np.exp(min(ce.sum(), 700.0)))),
    Symptom("This averages exp(cross-entropy) over the positions. The perplexity takes exp "
            "of the average cross-entropy (a geometric mean of 1/p), not the average of exps.",
            lambda out, ce: _near(out, np.exp(ce).mean())),
    Symptom("This is 1 / (mean probability of the target). The perplexity averages the "
            "log-probabilities, then exponentiates: exp(-mean(log p)).",
            lambda out, ce: _near(out, 1.0 / np.exp(-ce).mean())),
)


def _case(name, logits, targets) -> core.Case:
    logits64 = np.asarray(logits, np.float64)
    ce = -np.take_along_axis(log_softmax(logits64), targets[..., None], axis=-1)[..., 0]
    rtol = 1e-5 if logits.dtype == np.float32 else 1e-9
    return core.Case(f"{name}: logits {logits.shape}", (logits, targets),
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
        ("a small batch", small, small_t),
        ("a uniform model (every logit 0, V = 52)", np.zeros((3, 4, 52)), uniform_t),
        ("large logits (about 800; the target's the largest)", confident, confident_t),
        ("float32, the chapter's vocabulary", chapter, chapter_t),
    )


def check_perplexity(fn: Callable) -> core.Result:
    """Grade ``fn(logits, targets) -> float``: the perplexity of a batch, ``exp`` of the mean
    softmax cross-entropy of the integer ``targets (N, T)`` under ``logits (N, T, V)``
    ({ref}`eq-perplexity`). Overflow counts as an error (``strict``), as it would in training."""
    return core.grade(fn, core.case_table(_cases(), _case), title="perplexity of a batch",
                      strict=True)

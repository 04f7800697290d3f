"""Chapter 10 grader, check_perplexity: the package's batch perplexity passes; each typical
mistake fails and the report names it."""

import numpy as np
import pytest

from lstmbook.chapters import ch10_language_model as ch10
from lstmbook.exercises import check_perplexity
from lstmbook.exercises.ch10_language_model import MISTAKES

SMALL = "a small batch: logits (2, 3, 5)"
UNIFORM = "a uniform model (every logit 0, V = 52): logits (3, 4, 52)"
LARGE = "large logits (about 800; the target's the largest): logits (2, 5, 6)"
F32 = "float32, the chapter's vocabulary: logits (4, 16, 52)"
ALL = [SMALL, UNIFORM, LARGE, F32]


def _logp(logits):
    z = logits - logits.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _ce(logits, targets):
    return -np.take_along_axis(_logp(logits), targets[..., None], axis=-1)[..., 0]


def reference(logits, targets):
    return float(np.exp(_ce(logits, targets).mean()))


def skeleton(logits, targets):  # the notebook's starting point: no shift, no exp
    logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    return -picked.mean()


def test_grader_passes_the_reference_and_the_package():
    assert check_perplexity(reference).passed
    assert check_perplexity(ch10.batch_perplexity).passed


def test_the_uniform_case_is_the_vocabulary_size():
    assert reference(np.zeros((3, 4, 52)), np.zeros((3, 4), np.int64)) == pytest.approx(52)


WRONG = {
    "skeleton": (skeleton, ALL, "mean cross-entropy, in nats ... logits are large"),
    "no exp": (lambda lg, t: float(_ce(lg, t).mean()), ALL, "exponential, exp(mean"),
    "base 2": (lambda lg, t: float(2.0 ** _ce(lg, t).mean()), ALL, "2 ** (mean"),
    "summed": (lambda lg, t: float(np.exp(_ce(lg, t).sum())), [SMALL, UNIFORM, LARGE, F32],
               "exp of the summed cross-entropy ... above 709"),
    "mean of exps": (lambda lg, t: float(np.exp(_ce(lg, t)).mean()), [SMALL, LARGE, F32],
                     "averages exp(cross-entropy)"),
    "mean probability": (lambda lg, t: float(1.0 / np.exp(-_ce(lg, t)).mean()),
                         [SMALL, LARGE, F32], "1 / (mean probability"),
    "per position": (lambda lg, t: np.exp(_ce(lg, t)), ALL, "one number for the whole batch"),
    "indexing": (lambda lg, t: float(np.exp(-_logp(lg)[t].mean())), ALL,
                 "class indices ... take_along_axis"),
}


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_grader_names_each_mistake(kind, fails_with):
    fn, failed, words = WRONG[kind]
    fails_with(check_perplexity, fn, failed, words)


def test_every_mistake_message_is_reachable(covers):
    covers(check_perplexity, MISTAKES, WRONG)


def test_grader_refuses_a_non_function():
    with pytest.raises(TypeError, match="fn must be a function"):
        check_perplexity(3)

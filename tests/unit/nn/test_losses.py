"""lstmbook.nn.losses: softmax cross-entropy and MSE, masked or not, their gradients against
finite differences, padding that cannot leak into the loss, and bad input."""

import numpy as np
import pytest

from lstmbook.nn.gradcheck import check_loss_gradient
from lstmbook.nn.losses import mse, softmax_cross_entropy
from lstmbook.nn.sequences import lengths_to_mask

from .helpers import TOL, N, T, assert_raises_naming, bad_input


def test_softmax_cross_entropy_gradient_with_mask():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((N, T, 4))
    targets = rng.integers(0, 4, (N, T))
    mask = np.arange(T)[None, :] < np.array([5, 3, 1])[:, None]
    for reduction in ("mean", "sum"):
        err = check_loss_gradient(softmax_cross_entropy, logits, targets, mask,
                                  reduction=reduction)
        assert err < TOL
    _, d = softmax_cross_entropy(logits, targets, mask)
    assert np.all(d[~mask] == 0), "padding must receive zero gradient"


def test_softmax_cross_entropy_many_to_one():
    rng = np.random.default_rng(1)
    logits, targets = rng.standard_normal((N, 3)), rng.integers(0, 3, N)
    assert check_loss_gradient(softmax_cross_entropy, logits, targets) < TOL


def test_mse_gradient_with_mask():
    rng = np.random.default_rng(2)
    pred, target = rng.standard_normal((N, T, 2)), rng.standard_normal((N, T, 2))
    mask = np.arange(T)[None, :] < np.array([5, 2, 4])[:, None]
    assert check_loss_gradient(mse, pred, target, mask) < TOL
    assert check_loss_gradient(mse, pred[:, 0], target[:, 0]) < TOL


@pytest.mark.parametrize("garbage", [1e3, [50.0, -50.0, 9.0]], ids=["large", "mixed"])
def test_masked_loss_ignores_padding_values(garbage):
    """Garbage in the padding changes neither the loss (mean or sum, the notes' E) nor the
    gradient of the real steps, and the padding's gradient stays zero."""
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((2, 4, 3))
    targets = rng.integers(0, 3, (2, 4))
    mask = lengths_to_mask(np.array([4, 2]), 4)
    changed = logits.copy()
    changed[1, 2:] = garbage
    for reduction in ("mean", "sum"):
        E, d = softmax_cross_entropy(logits, targets, mask, reduction=reduction)
        E2, d2 = softmax_cross_entropy(changed, targets, mask, reduction=reduction)
        assert E2 == pytest.approx(E, rel=1e-12)
        np.testing.assert_array_equal(d2[~mask], 0)
        np.testing.assert_allclose(d2[mask], d[mask], rtol=1e-12)


CASES = [
    ("targets wrong shape", lambda: softmax_cross_entropy(np.zeros((2, 3, 4)),
                                                          np.zeros((2, 4), int)),
     ValueError, ["targets", "(2, 3)"]),
    ("targets not integers", lambda: softmax_cross_entropy(np.zeros((2, 3, 4)),
                                                           np.zeros((2, 3))),
     TypeError, ["targets", "integer"]),
    ("target class out of range", lambda: softmax_cross_entropy(np.zeros((2, 4)),
                                                                np.array([0, 4])),
     ValueError, ["targets", "[0, 4)"]),
    ("mask wrong shape", lambda: mse(np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), np.ones((3, 2))),
     ValueError, ["mask", "(2, 3)"]),
    ("mask all zero", lambda: mse(np.zeros((2, 3, 1)), np.zeros((2, 3, 1)), np.zeros((2, 3))),
     ValueError, ["mask", "at least one"]),
    ("mse shape mismatch", lambda: mse(np.zeros((2, 3, 1)), np.zeros((2, 3, 2))), ValueError,
     ["target", "(2, 3, 1)"]),
    ("unknown reduction", lambda: mse(np.zeros((2, 1)), np.zeros((2, 1)), reduction="avg"),
     ValueError, ["reduction", "avg"]),
]


@bad_input(CASES)
def test_bad_input_raises_clear_error(call, exc, words):
    assert_raises_naming(call, exc, words)

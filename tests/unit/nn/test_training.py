"""lstmbook.nn.training: SequenceModel (many-to-one with lengths, many-to-many with a mask) and
the one training loop: gradients, deterministic training, divergence named by its step."""

import numpy as np
import pytest

import lstmbook as lb
from lstmbook.nn.losses import mse, softmax_cross_entropy
from lstmbook.nn.optim import SGD, Adam
from lstmbook.nn.training import Batch, SequenceModel, train

from .helpers import assert_layer_gradients


def test_many_to_one_model_gradients_with_lengths():
    model = SequenceModel(lb.LSTM(3, 4, seed=0), lb.Linear(4, 2, seed=1), readout="last")
    X = np.random.default_rng(0).standard_normal((3, 5, 3))
    lengths = np.array([5, 2, 1])
    pred = model.forward(X, lengths)
    R = np.random.default_rng(1).standard_normal(pred.shape)

    class Wrapped:  # the model as a stateless layer of X, for check_layer_gradients
        recurrent = False
        params, grads = model.params, None

        def forward(self, X):
            return model.forward(X, lengths)

        def backward(self, d):
            dX = model.backward(d)
            self.grads = model.grads
            return dX

    assert_layer_gradients(Wrapped(), X, seed=0)
    # padding after each sequence's end does not change its prediction
    X2 = X.copy()
    X2[1, 2:] = 9.0
    np.testing.assert_allclose(model.forward(X2, lengths)[1], pred[1])
    assert not np.allclose(model.forward(X2)[1], pred[1])
    np.testing.assert_array_equal(R.shape, (3, 2))


def test_training_reduces_loss_and_is_deterministic():
    def run():
        rng = np.random.default_rng(0)
        X = rng.standard_normal((16, 6, 2))
        y = X.sum(axis=(1, 2))[:, None]
        model = SequenceModel(lb.GRU(2, 8, seed=0), lb.Linear(8, 1, seed=1), readout="last")
        h = train(model, mse, Adam([model], lr=1e-2), lambda s: Batch(X, y), steps=150, clip=1.0)
        return h
    a, b = run(), run()
    assert a.loss[-1] < 0.2 * a.loss[0]
    np.testing.assert_array_equal(a.loss, b.loss)


def test_divergence_stops_with_step_named():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 30, 1))
    y = rng.standard_normal((4, 30, 1))
    model = SequenceModel(lb.RNN(1, 8, nonlinearity="relu", seed=0), lb.Linear(8, 1, seed=1))
    with pytest.raises(FloatingPointError, match=r"step \d+: .*diverged"):
        with np.errstate(all="ignore"):
            train(model, mse, SGD([model], lr=10.0), lambda s: Batch(X, y), steps=200)


def test_many_to_many_with_mask_trains():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((8, 5, 2))
    y = (X[..., 0] > 0).astype(int)
    mask = np.ones((8, 5), bool)
    mask[:4, 3:] = False
    model = SequenceModel(lb.LSTM(2, 6, seed=0), lb.Linear(6, 2, seed=1))
    h = train(model, softmax_cross_entropy, Adam([model], lr=0.05),
              lambda s: Batch(X, y, mask), steps=60)
    assert h.loss[-1] < 0.5 * h.loss[0]


def test_bad_readout_and_head_mismatch():
    with pytest.raises(ValueError, match="readout"):
        SequenceModel(lb.RNN(1, 2), lb.Linear(2, 1), readout="first")
    with pytest.raises(ValueError, match="head.input_size"):
        SequenceModel(lb.RNN(1, 2), lb.Linear(3, 1))

"""Chapter 9, long time lags (``book/09_long_time_lags.ipynb``): a plain RNN and an LSTM
trained on the adding problem ({ref}`eq-adding-problem`), the gradient that reaches each earlier
step, and the cell states and gates of a trained LSTM on one sequence.

Pure computation (NumPy and lstmbook only); the chapter plots the results with ``lstmbook.viz``
and ``benchmarks/adding_problem.py`` runs the full-size configuration.

The set-up (all the defaults of :func:`train_adding`): sequences of ``T`` steps from
:func:`lstmbook.data.adding_problem` (a value in U(−1, 1) and a marker channel, one marker in
each half), a recurrent layer of ``hidden`` units read out at the last step by a Linear layer,
mean squared error, a fresh batch of 32 sequences at every iteration, Adam with learning rate
5e-3 halved every 1500 iterations, gradients clipped to global norm 1.0, and for the LSTM a
forget-gate bias of 1.0. Always predicting 0 (the mean of the target) scores
:func:`mean_predictor_mse` = 2/3; an RNN that remembers only the second marked value scores
1/3 (:func:`one_value_mse`).
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from lstmbook.data import adding_problem
from lstmbook.nn._checks import make_rng, one_of, positive_float, positive_int
from lstmbook.nn.layers import Linear
from lstmbook.nn.losses import mse
from lstmbook.nn.lstm import LSTM, lstm_forward
from lstmbook.nn.optim import Adam, halve_every
from lstmbook.nn.rnn import RNN
from lstmbook.nn.training import Batch, SequenceModel, train

__all__ = [
    "AddingRun",
    "Race",
    "SequenceTrace",
    "evaluate",
    "fraction_correct_1997",
    "gradient_norm_per_step",
    "long_lag_race",
    "held_out_set",
    "make_model",
    "mean_predictor_mse",
    "one_value_mse",
    "race",
    "trace_sequence",
    "train_adding",
]

_CELLS = ("lstm", "rnn")


def mean_predictor_mse() -> float:
    """MSE of always predicting the target's mean 0: Var(X1 + X2) = 2 · Var(U(−1, 1)) = 2/3."""
    var_uniform = (1.0 - (-1.0)) ** 2 / 12.0  # (b − a)² / 12 = 1/3
    return 2.0 * var_uniform


def one_value_mse() -> float:
    """MSE of predicting only the second marked value X2 (what a short memory can do): 1/3."""
    return (1.0 - (-1.0)) ** 2 / 12.0


def _cell(cell) -> str:
    return one_of(cell, _CELLS, "cell")


def make_model(cell="lstm", *, hidden=8, forget_bias=1.0, seed=0, dtype=np.float32):
    """A recurrent layer (``"lstm"`` or ``"rnn"``, input size 2) and a Linear read-out of its
    last step: a :class:`lstmbook.nn.training.SequenceModel` with ``readout="last"``."""
    _cell(cell)
    hidden = positive_int(hidden, "hidden")
    rng = make_rng(seed=seed)
    if cell == "lstm":
        layer = LSTM(2, hidden, forget_bias=forget_bias, rng=rng, dtype=dtype)
    else:
        layer = RNN(2, hidden, rng=rng, dtype=dtype)
    return SequenceModel(layer, Linear(hidden, 1, rng=rng, dtype=dtype), readout="last")


def held_out_set(T, n=1000, *, seed=12345, dtype=np.float32):
    """A fixed held-out set ``(X (n, T, 2), y (n, 1))`` of the adding problem."""
    return adding_problem(n, T, seed=seed, dtype=dtype)


def evaluate(model, X, y) -> float:
    """Test MSE of ``model`` on ``(X, y)``."""
    return mse(model.forward(X), y)[0]


class AddingRun(NamedTuple):
    """What :func:`train_adding` returns."""

    model: SequenceModel
    loss: np.ndarray  #: training loss at every iteration
    eval_steps: np.ndarray  #: iterations after which the test MSE was measured
    eval_mse: np.ndarray  #: test MSE at those iterations
    test_mse: float  #: test MSE after the last iteration
    seconds: float  #: wall time of the training loop (evaluations excluded)


def train_adding(cell="lstm", *, T=100, hidden=8, iters=8000, batch=32, lr=5e-3,
                 halve=1500, clip=1.0, forget_bias=1.0, seed=0, n_test=1000,
                 eval_every=250, dtype=np.float32, progress=None) -> AddingRun:
    """Train ``cell`` (``"lstm"`` or ``"rnn"``) on the adding problem with lag ``T``.

    Each iteration draws a fresh batch (the data stream is seeded by ``seed``, so a run is
    repeatable); the test MSE on :func:`held_out_set` is measured every ``eval_every`` iterations
    and at the end. Returns an :class:`AddingRun`.
    """
    _cell(cell)
    T = positive_int(T, "T")
    iters = positive_int(iters, "iters")
    batch = positive_int(batch, "batch")
    positive_float(lr, "lr")
    halve = positive_int(halve, "halve")
    eval_every = positive_int(eval_every, "eval_every")
    model = make_model(cell, hidden=hidden, forget_bias=forget_bias, seed=seed, dtype=dtype)
    X_test, y_test = held_out_set(T, positive_int(n_test, "n_test"), dtype=dtype)
    opt = Adam([model], lr=lr)
    sched = halve_every(opt, halve)
    data_rng = np.random.default_rng(seed + 1)

    def batches(step):
        X, y = adding_problem(batch, T, rng=data_rng, dtype=dtype)
        return Batch(X, y)

    losses, eval_steps, eval_mse = [], [], []
    seconds, done = 0.0, 0
    while done < iters:
        chunk = min(eval_every, iters - done)
        t0 = time.perf_counter()
        hist = train(model, mse, opt, batches, steps=chunk, clip=clip, scheduler=sched,
                     progress=progress, desc=f"{cell} T={T} ({done}/{iters})")
        seconds += time.perf_counter() - t0
        done += chunk
        losses.append(hist.loss)
        eval_steps.append(done)
        eval_mse.append(evaluate(model, X_test, y_test))
    return AddingRun(model, np.concatenate(losses), np.array(eval_steps), np.array(eval_mse),
                     float(eval_mse[-1]), seconds)


def gradient_norm_per_step(model, X, y) -> np.ndarray:
    """‖∂L/∂h_t‖ for t = 0 … T−1 after one backward pass of the MSE on ``(X, y)``: the size of
    the error signal that reaches each earlier step from the read-out at the last step
    (the Frobenius norm over the batch and the hidden units, read from ``layer.dh_seq``)."""
    loss, d = mse(model.forward(X), y)
    model.backward(d)
    dh = model.layer.dh_seq  # (N, T, H)
    return np.sqrt(np.sum(np.asarray(dh, np.float64) ** 2, axis=(0, 2)))


class SequenceTrace(NamedTuple):
    """One sequence run through a trained LSTM step by step (each array ``(T, H)``)."""

    x: np.ndarray  #: (T, 2) the input: values and markers
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray
    prediction: float
    target: float


def trace_sequence(model, x, target=np.nan) -> SequenceTrace:
    """Run one sequence ``x (T, 2)`` through the model's LSTM with
    :func:`lstmbook.nn.lstm.lstm_forward` (the readable loop over :func:`lstmbook.lstm_step`)
    and keep every gate and cell state: the data of the chapter's heatmaps."""
    layer = model.layer
    if not isinstance(layer, LSTM):
        raise TypeError(f"model.layer must be an lstmbook LSTM, got {type(layer).__name__}")
    x = np.asarray(x, layer.dtype)
    if x.ndim != 2 or x.shape[1] != layer.input_size:
        raise ValueError(f"x must have shape (T, {layer.input_size}), got {x.shape}")
    Y, (h, _), caches = lstm_forward(x[None], None, layer.params)
    i, f, g, o, c = (np.array([getattr(cache, name)[0] for cache in caches])
                     for name in ("i", "f", "g", "o", "c"))
    pred = float(model.head.forward(h)[0, 0])
    return SequenceTrace(x, i, f, g, o, c, Y[0], pred, float(target))


class Race(NamedTuple):
    """RNN and LSTM trained side by side on one lag (what the chapter's explorer shows)."""

    T: int
    hidden: int
    eval_steps: np.ndarray  #: iterations at which the test MSE was measured
    rnn: np.ndarray  #: the RNN's test MSE at those iterations
    lstm: np.ndarray  #: the LSTM's test MSE at those iterations


def race(T=20, hidden=8, *, iters=600, lr=1e-2, halve=300, eval_every=100, seed=0,
         n_test=500) -> Race:
    """Train an RNN and an LSTM with the same set-up (a short, fast schedule: learning rate
    ``lr`` halved every ``halve`` iterations) on the adding problem with lag ``T``; their test
    MSE every ``eval_every`` iterations."""
    runs = {cell: train_adding(cell, T=T, hidden=hidden, iters=iters, lr=lr, halve=halve,
                               eval_every=eval_every, seed=seed, n_test=n_test)
            for cell in _CELLS}
    return Race(int(T), int(hidden), runs["lstm"].eval_steps, runs["rnn"].eval_mse,
                runs["lstm"].eval_mse)


def fraction_correct_1997(pred, target, tol=0.04) -> float:
    """Share of sequences the 1997 paper would count as processed correctly: the absolute
    error of its scaled target ``0.5 + (X1 + X2) / 4`` below ``tol`` (0.04), which is an
    absolute error below ``4 · tol`` = 0.16 on the plain sum used here."""
    pred = np.asarray(pred, np.float64).ravel()
    target = np.asarray(target, np.float64).ravel()
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same size, got {pred.shape} and "
                         f"{target.shape}")
    tol = positive_float(tol, "tol")
    return float(np.mean(np.abs(pred - target) / 4.0 < tol))


# --------------------------------------------------------------------------- the explorer
def long_lag_race(T=20, hidden=8, *, iters=600, seed=0):
    """Train an RNN and an LSTM of ``hidden`` units on the adding problem with lag ``T``
    (:func:`race`, a short schedule); returns the
    :class:`Race` with both test-MSE curves. Pure: same arguments, same
    curves."""
    T = positive_int(T, "T")
    if T < 2:
        raise ValueError(f"T must be >= 2 (one marker in each half), got {T}")
    return race(T, positive_int(hidden, "hidden"), iters=positive_int(iters, "iters"),
                seed=seed)


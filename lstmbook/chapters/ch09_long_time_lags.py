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
from lstmbook.stats import paired_comparison

__all__ = [
    "AddingRun",
    "LagFit",
    "Race",
    "RNN_INITS",
    "SEEDS",
    "SeedStudy",
    "SequenceTrace",
    "Sweep",
    "compare_cells",
    "evaluate",
    "fraction_correct_1997",
    "gradient_norm_per_step",
    "long_lag_race",
    "held_out_set",
    "lag_of_second",
    "lr_sweep",
    "make_model",
    "mean_predictor_mse",
    "memory_window_mse",
    "one_value_mse",
    "race",
    "regress_on_x2_by_lag",
    "trace_sequence",
    "train_adding",
    "uniform01_no_memory_mse",
]

#: The seeds of the chapter's paired comparisons (each sets the data stream and the weights).
SEEDS = (0, 1, 2, 3, 4)
#: Initialisations of the plain RNN's recurrent matrix U (``make_model(init=...)``):
#: ``"uniform"`` the layer's default U(−1/√H, 1/√H), tanh; ``"orthogonal"`` a random orthogonal
#: U, tanh; ``"irnn"`` U = I, b = 0 and ReLU units (Le, Jaitly and Hinton 2015).
RNN_INITS = ("uniform", "orthogonal", "irnn")

_CELLS = ("lstm", "rnn")


def mean_predictor_mse() -> float:
    """MSE of always predicting the target's mean 0: Var(X1 + X2) = 2 · Var(U(−1, 1)) = 2/3."""
    var_uniform = (1.0 - (-1.0)) ** 2 / 12.0  # (b − a)² / 12 = 1/3
    return 2.0 * var_uniform


def one_value_mse() -> float:
    """MSE of predicting only the second marked value X2 (what a short memory can do): 1/3."""
    return (1.0 - (-1.0)) ** 2 / 12.0


def uniform01_no_memory_mse() -> float:
    """The no-memory MSE of the U(0, 1) variant of later papers (Le et al. 2015, Arjovsky et
    al. 2016: values in U(0, 1), one marker in each half, the plain sum as target): predicting
    the mean 1 leaves Var(X1 + X2) = 2 · (1 − 0)² / 12 = 1/6 ≈ 0.167."""
    return 2.0 * (1.0 - 0.0) ** 2 / 12.0


def memory_window_mse(k, T) -> float:
    """Test MSE of a model that knows X2 exactly when the second marker is fewer than ``k``
    steps before the read-out and predicts the mean otherwise (it never knows X1).

    The second marked step is uniform on ``[T // 2, T)``, so its lag ``T − 1 − t2`` is uniform
    on ``0 … T − T // 2 − 1``; with probability ``p = P(lag < k)`` the error is X1 (variance 1/3),
    otherwise X1 + X2 (variance 2/3): ``MSE = 2/3 − p / 3``. ``k = 0`` gives 2/3; ``k`` at least
    ``T − T // 2`` gives the 1/3 of :func:`one_value_mse`."""
    T = positive_int(T, "T")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise TypeError(f"k must be an int >= 0, got {k!r}")
    span = T - T // 2
    p = min(int(k), span) / span
    return mean_predictor_mse() - p * one_value_mse()


def _cell(cell) -> str:
    return one_of(cell, _CELLS, "cell")


def make_model(cell="lstm", *, hidden=8, forget_bias=1.0, seed=0, dtype=np.float32,
               init="uniform"):
    """A recurrent layer (``"lstm"`` or ``"rnn"``, input size 2) and a Linear read-out of its
    last step: a :class:`lstmbook.nn.training.SequenceModel` with ``readout="last"``.

    ``init`` (the RNN only, one of :data:`RNN_INITS`) replaces the RNN's recurrent matrix after
    the default draw, from a generator of its own, so that the input weights and the read-out
    are the same for every ``init`` of one seed: ``"orthogonal"`` (tanh, U a random orthogonal
    matrix, every singular value 1) or ``"irnn"`` (ReLU, U = I, b = 0)."""
    _cell(cell)
    hidden = positive_int(hidden, "hidden")
    init = one_of(init, RNN_INITS, "init")
    if cell == "lstm" and init != "uniform":
        raise ValueError(f"init={init!r} is for the RNN; the LSTM has only the default")
    rng = make_rng(seed=seed)
    if cell == "lstm":
        layer = LSTM(2, hidden, forget_bias=forget_bias, rng=rng, dtype=dtype)
    else:
        layer = RNN(2, hidden, nonlinearity="relu" if init == "irnn" else "tanh", rng=rng,
                    dtype=dtype)
        if init == "orthogonal":
            q, r = np.linalg.qr(np.random.default_rng([seed, 97]).standard_normal((hidden,
                                                                                  hidden)))
            layer.params["U"][...] = q * np.sign(np.diag(r))
        elif init == "irnn":
            layer.params["U"][...] = np.eye(hidden)
            layer.params["b"][...] = 0.0
    return SequenceModel(layer, Linear(hidden, 1, rng=rng, dtype=dtype), readout="last")


def held_out_set(T, n=1000, *, seed=12345, dtype=np.float32, layout="halves"):
    """A fixed held-out set ``(X (n, T, 2), y (n, 1))`` of the adding problem (``layout`` as in
    :func:`lstmbook.data.adding_problem`)."""
    return adding_problem(n, T, seed=seed, dtype=dtype, layout=layout)


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
                 eval_every=250, dtype=np.float32, progress=None, init="uniform",
                 layout="halves") -> AddingRun:
    """Train ``cell`` (``"lstm"`` or ``"rnn"``) on the adding problem with lag ``T``.

    Each iteration draws a fresh batch (the data stream is seeded by ``seed``, so a run is
    repeatable, and an RNN and an LSTM of one seed see the same batches); the test MSE on
    :func:`held_out_set` is measured every ``eval_every`` iterations and at the end. ``init``:
    the RNN's initialisation (:func:`make_model`); ``layout``: where the markers fall
    (:func:`lstmbook.data.adding_problem`). Returns an :class:`AddingRun`.
    """
    _cell(cell)
    T = positive_int(T, "T")
    iters = positive_int(iters, "iters")
    batch = positive_int(batch, "batch")
    positive_float(lr, "lr")
    halve = positive_int(halve, "halve")
    eval_every = positive_int(eval_every, "eval_every")
    model = make_model(cell, hidden=hidden, forget_bias=forget_bias, seed=seed, dtype=dtype,
                       init=init)
    X_test, y_test = held_out_set(T, positive_int(n_test, "n_test"), dtype=dtype, layout=layout)
    opt = Adam([model], lr=lr)
    sched = halve_every(opt, halve)
    data_rng = np.random.default_rng(seed + 1)

    def batches(step):
        X, y = adding_problem(batch, T, rng=data_rng, dtype=dtype, layout=layout)
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


# --------------------------------------------------------------------------- fair baseline, seeds
class Sweep(NamedTuple):
    """A small grid of RNN initialisations and learning rates (:func:`lr_sweep`)."""

    inits: tuple  #: the initialisations tried (rows)
    lrs: tuple  #: the learning rates tried (columns)
    test_mse: np.ndarray  #: (len(inits), len(lrs)) final test MSE of each run
    best_init: str  #: the initialisation of the lowest test MSE
    best_lr: float  #: its learning rate

    def table(self) -> str:
        """The grid as plain text, one row per initialisation."""
        lines = ["init        " + " ".join(f"lr={lr:<8g}" for lr in self.lrs)]
        for name, row in zip(self.inits, self.test_mse, strict=True):
            lines.append(f"{name:11s} " + " ".join(f"{v:<11.4f}" for v in row))
        lines.append(f"lowest: init={self.best_init}, lr={self.best_lr:g}")
        return "\n".join(lines)


def lr_sweep(inits=RNN_INITS, lrs=(1e-3, 3e-3, 1e-2), *, T=50, iters=500, halve=None, seed=0,
             n_test=500, **config) -> Sweep:
    """Train the plain RNN once for every ``init`` × ``lr`` (``iters`` iterations, learning rate
    halved every ``halve``, by default never within the run) and keep the final test MSE (inf
    for a run that diverged); the lowest picks the RNN's set-up for :func:`compare_cells`.
    ``config`` goes to :func:`train_adding`."""
    inits, lrs = tuple(inits), tuple(float(lr) for lr in lrs)
    halve = iters if halve is None else halve

    def run(init, lr):
        try:
            return train_adding("rnn", T=T, iters=iters, lr=lr, halve=halve, seed=seed,
                                init=init, n_test=n_test, eval_every=iters, **config).test_mse
        except FloatingPointError:  # diverged: never the pick
            return np.inf

    grid = np.array([[run(init, lr) for lr in lrs] for init in inits])
    r, c = np.unravel_index(np.argmin(grid), grid.shape)
    return Sweep(inits, lrs, grid, inits[r], lrs[c])


class SeedStudy(NamedTuple):
    """An RNN and an LSTM trained on the same seeds (:func:`compare_cells`)."""

    rnn: tuple  #: the AddingRun of the RNN for every seed
    lstm: tuple  #: the AddingRun of the LSTM for every seed
    comparison: object  #: :class:`lstmbook.stats.PairedComparison` of the final test MSEs
    seconds: float  #: wall time of all the runs


def compare_cells(seeds=SEEDS, *, rnn_init="uniform", rnn_lr=None, given=None,
                  **config) -> SeedStudy:
    """Train the RNN (arm a, initialisation ``rnn_init``, learning rate ``rnn_lr`` or the
    common one) and the LSTM (arm b) on every seed with :func:`train_adding` (``config``): the
    same data stream for both arms of a seed (their weights differ, the cells being different);
    the paired comparison of their final test MSE (lower is better).

    ``given`` maps ``("rnn" | "lstm", seed)`` to an :class:`AddingRun` already trained with
    exactly that set-up (its ``eval_every`` aside, which does not change the training), to be
    used instead of training it again."""
    seeds = tuple(int(s) for s in seeds)
    given = {} if given is None else dict(given)
    t0 = time.perf_counter()
    rnn_cfg = dict(config) if rnn_lr is None else {**config, "lr": rnn_lr}

    def run(cell, s, cfg):
        return given.get((cell, s)) or train_adding(cell, **cfg, seed=s)

    rnn = tuple(run("rnn", s, {**rnn_cfg, "init": rnn_init}) for s in seeds)
    lstm = tuple(run("lstm", s, config) for s in seeds)
    comp = paired_comparison(np.array([r.test_mse for r in rnn]),
                             np.array([r.test_mse for r in lstm]), names=("RNN", "LSTM"),
                             seeds=seeds)
    return SeedStudy(rnn, lstm, comp, time.perf_counter() - t0)


# --------------------------------------------------------------------------- what the RNN predicts
def lag_of_second(X) -> np.ndarray:
    """For each sequence of ``X (N, T, 2)``: the number of steps from the later marked step to
    the last step (0 when the marker is on the last step)."""
    X = np.asarray(X)
    if X.ndim != 3 or X.shape[2] != 2:
        raise ValueError(f"X must have shape (N, T, 2), got {X.shape}")
    return np.argmax(X[:, ::-1, 1] > 0.5, axis=1)


class LagFit(NamedTuple):
    """Least-squares fits of a model's prediction on the marked values, by the lag of X2
    (:func:`regress_on_x2_by_lag`)."""

    edges: tuple  #: the lag bins, [edges[k], edges[k+1])
    n: np.ndarray  #: sequences in each bin
    slope_x2: np.ndarray  #: slope of prediction ≈ a + s · X2 in each bin (1: X2 fully used)
    r2_x2: np.ndarray  #: the share of the prediction's variance X2 explains in each bin
    slope_x1: np.ndarray  #: slope of prediction ≈ a + s · X1 in each bin
    mse: np.ndarray  #: the model's test MSE in each bin
    slope_all: float  #: slope on X2 over all sequences
    r2_all: float  #: share of the prediction's variance X2 explains over all sequences

    def table(self) -> str:
        """One row per lag bin, as plain text."""
        lines = ["lag of X2      n   slope on X2   R² (X2)   slope on X1   test MSE"]
        for k in range(len(self.n)):
            lo, hi = self.edges[k], self.edges[k + 1] - 1
            lines.append(f"{lo:3d} … {hi:3d}  {self.n[k]:5d}   {self.slope_x2[k]:11.3f}   "
                         f"{self.r2_x2[k]:7.3f}   {self.slope_x1[k]:11.3f}   {self.mse[k]:8.4f}")
        lines.append(f"all lags: slope on X2 {self.slope_all:.3f}, R² {self.r2_all:.3f}")
        return "\n".join(lines)


def _fit(x, p):
    A = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(A, p, rcond=None)
    resid = p - A @ coef
    var = np.var(p)
    return float(coef[1]), float(1.0 - np.var(resid) / var) if var > 0 else 0.0


def regress_on_x2_by_lag(pred, X, y, edges=(0, 5, 10, 25)) -> LagFit:
    """Regress the prediction ``pred (N,)`` on X2 (the later marked value) alone, and on X1
    alone, within each bin of the later marker's lag (:func:`lag_of_second`): what the model's
    output correlates with, and up to which distance it still knows X2."""
    pred = np.asarray(pred, np.float64).ravel()
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64).ravel()
    if pred.shape[0] != X.shape[0] or y.shape[0] != X.shape[0]:
        raise ValueError(f"pred, X and y must have one row per sequence, got {pred.shape[0]}, "
                         f"{X.shape[0]} and {y.shape[0]}")
    edges = tuple(int(e) for e in edges)
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError(f"edges must be increasing, got {edges}")
    marked = X[:, :, 1] > 0.5
    pos = np.array([np.flatnonzero(m) for m in marked])  # (N, 2), in time order
    rows = np.arange(X.shape[0])
    x1, x2 = X[rows, pos[:, 0], 0], X[rows, pos[:, 1], 0]
    lag = lag_of_second(X)
    n, s2, r2, s1, err = [], [], [], [], []
    for lo, hi in zip(edges, edges[1:], strict=False):
        sel = (lag >= lo) & (lag < hi)
        n.append(int(sel.sum()))
        if sel.sum() < 3:
            s2.append(np.nan), r2.append(np.nan), s1.append(np.nan), err.append(np.nan)
            continue
        a, b = _fit(x2[sel], pred[sel])
        s2.append(a), r2.append(b), s1.append(_fit(x1[sel], pred[sel])[0])
        err.append(float(np.mean((pred[sel] - y[sel]) ** 2)))
    slope_all, r2_all = _fit(x2, pred)
    return LagFit(edges, np.array(n), np.array(s2), np.array(r2), np.array(s1), np.array(err),
                  slope_all, r2_all)


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


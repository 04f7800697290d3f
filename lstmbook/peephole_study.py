"""A measured comparison of LSTMs with and without peephole connections ({ref}`eq-peephole`).

The task is a timing task, where the gates' view of the cell might help: each sequence holds one
input pulse at a random step ``t0``; the target is 1 exactly ``delay`` steps later, at
``t0 + delay``, and 0 everywhere else. The network must start a clock at the pulse and fire when
it reaches ``delay``: Gers & Schmidhuber (2000) proposed peepholes for such timing problems,
since a gate that sees the cell can react to the cell's value reaching a threshold.

For each seed, the two LSTMs start from the same ``W``, ``U``, ``b`` and read-out (the peephole
layer draws its ``p_i, p_f, p_o`` after them from the same generator), see the same batches and
are tested on the same held-out sequences, so each seed is a paired comparison.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import make_rng, positive_float, positive_int
from .layers import Linear
from .losses import mse
from .lstm import LSTM
from .optim import Adam
from .training import Batch, SequenceModel, train

__all__ = ["Comparison", "RunResult", "Summary", "TimingTask", "compare_peepholes",
           "summarize", "timing_task", "train_timing"]


class TimingTask(NamedTuple):
    """Arrays of :func:`timing_task` (unpacks as ``X, Y``)."""

    X: np.ndarray  #: (n, T, 1) inputs: 1.0 at the pulse step, 0 elsewhere
    Y: np.ndarray  #: (n, T, 1) targets: 1.0 at pulse + delay, 0 elsewhere


def timing_task(n, T, *, delay, seed=None, rng=None) -> TimingTask:
    """``n`` sequences of ``T`` steps, a pulse at ``t0`` uniform in ``[0, T - delay)``, a
    target spike at ``t0 + delay``."""
    n, T, delay = positive_int(n, "n"), positive_int(T, "T"), positive_int(delay, "delay")
    if delay >= T:
        raise ValueError(f"delay must be smaller than T = {T}, got {delay}")
    gen = make_rng(rng, seed)
    t0 = gen.integers(0, T - delay, size=n)
    rows = np.arange(n)
    X = np.zeros((n, T, 1))
    Y = np.zeros((n, T, 1))
    X[rows, t0, 0] = 1.0
    Y[rows, t0 + delay, 0] = 1.0
    return TimingTask(X, Y)


class RunResult(NamedTuple):
    """One trained model and how it did on the held-out sequences."""

    peephole: bool
    seed: int
    test_mse: float  #: mean squared error over every step of the test sequences
    timing_accuracy: float  #: fraction of test sequences whose largest output is at t0 + delay
    losses: np.ndarray  #: (steps,) training loss at each step


def train_timing(peephole, seed, *, H=8, T=30, delay=10, steps=250,
                 batch_size=16, lr=0.01, clip=1.0, n_test=500,
                 test_seed=12345) -> RunResult:
    """Train ``LSTM(1, H, peephole=peephole)`` + a Linear read-out on the
    timing task: Adam (``lr``), gradient norm clipped at ``clip``,
    ``steps`` batches of ``batch_size`` fresh sequences drawn from
    ``seed``. Then test on ``n_test`` sequences drawn from ``test_seed``
    (the same for every run).
    """
    if not isinstance(peephole, bool):
        raise TypeError(f"peephole must be True or False, got {peephole!r}")
    if (isinstance(seed, bool) or not isinstance(seed, int | np.integer)
            or seed < 0):
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    H, steps = positive_int(H, "H"), positive_int(steps, "steps")
    batch_size = positive_int(batch_size, "batch_size")
    n_test = positive_int(n_test, "n_test")
    lr, clip = positive_float(lr, "lr"), positive_float(clip, "clip")
    seed = int(seed)
    # The batches: the same for both models of a seed.
    data_rng = make_rng(seed=(seed, 1))
    batches = [timing_task(batch_size, T, delay=delay, rng=data_rng)
               for _ in range(steps)]
    # Same seed, same W, U, b and read-out (peepholes are drawn last).
    model = SequenceModel(LSTM(1, H, peephole=peephole, seed=seed),
                          Linear(H, 1, seed=seed))
    history = train(model, mse, Adam([model], lr=lr),
                    lambda step: Batch(*batches[step]),
                    steps=steps, clip=clip)
    X_test, Y_test = timing_task(n_test, T, delay=delay, seed=test_seed)
    pred = model.forward(X_test)
    test_mse = float(np.mean((pred - Y_test) ** 2))
    hits = pred[:, :, 0].argmax(axis=1) == Y_test[:, :, 0].argmax(axis=1)
    return RunResult(peephole, seed, test_mse, float(hits.mean()),
                     history.loss)


class Comparison(NamedTuple):
    """Runs of :func:`compare_peepholes`, one per seed for each model."""

    plain: list  #: RunResults without peepholes
    peephole: list  #: RunResults with peepholes, same seeds in the same order


def compare_peepholes(seeds=(0, 1, 2, 3, 4, 5), **kwargs) -> Comparison:
    """Train both models for every seed (``kwargs`` go to :func:`train_timing`)."""
    seeds = list(seeds)
    if len(seeds) < 1:
        raise ValueError("seeds must name at least one seed")
    plain = [train_timing(False, s, **kwargs) for s in seeds]
    peep = [train_timing(True, s, **kwargs) for s in seeds]
    return Comparison(plain, peep)


class Summary(NamedTuple):
    """Mean and spread of one model's runs."""

    n: int
    mean_mse: float
    std_mse: float  #: sample standard deviation (ddof = 1) over the seeds
    min_mse: float
    max_mse: float
    mean_accuracy: float
    n_solved: int  #: runs with timing accuracy >= 0.99


def summarize(runs) -> Summary:
    """Mean, spread and count of solved runs of a list of :class:`RunResult`."""
    if not runs or not all(isinstance(r, RunResult) for r in runs):
        raise TypeError("runs must be a non-empty list of RunResult")
    e = np.array([r.test_mse for r in runs])
    acc = np.array([r.timing_accuracy for r in runs])
    std = float(e.std(ddof=1)) if len(e) > 1 else 0.0
    return Summary(len(e), float(e.mean()), std, float(e.min()), float(e.max()),
                   float(acc.mean()), int((acc >= 0.99).sum()))

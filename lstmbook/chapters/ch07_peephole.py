"""Chapter 7, peephole connections (``book/07_peephole.ipynb``): a measured comparison of LSTMs
with and without peepholes ({ref}`eq-peephole`), and the timing explorer's model.

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

from lstmbook.data import timing_task
from lstmbook.nn._checks import make_rng, positive_float, positive_int
from lstmbook.nn.layers import Linear
from lstmbook.nn.losses import mse
from lstmbook.nn.lstm import LSTM, lstm_forward
from lstmbook.nn.optim import Adam
from lstmbook.nn.training import Batch, SequenceModel, train

__all__ = [
    "OPEN_BIAS", "Comparison", "PeepholeTimingView", "RunResult", "Summary", "compare_peepholes",
    "peephole_timing_view", "summarize", "train_timing",
]

#: bias of the input and forget gates in :func:`peephole_timing_view`: σ(10) ≈ 1, held open
#: (the website's port of the explorer reads it from here)
OPEN_BIAS = 10.0


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


# --------------------------------------------------------------------------- the explorer
class PeepholeTimingView(NamedTuple):
    t: np.ndarray  #: (T,) time steps
    c: np.ndarray  #: (T,) the cell, growing by about `rate` per step
    o: np.ndarray  #: (T,) the output gate σ(b_o + p_o c_t)
    h: np.ndarray  #: (T,) the output o_t tanh(c_t)
    fire_step: int  #: first step with o_t >= 0.5 (-1 if never)
    summary: str


def peephole_timing_view(p_o=4.0, b_o=-4.0, rate=0.07, T=30) -> PeepholeTimingView:
    """One LSTM unit (:func:`lstmbook.nn.lstm.lstm_forward`, H = 1) reading a constant input 1,
    with input and forget gates held open (biases 10), candidate ``g = rate`` and no recurrent
    weights: its cell counts up by ``rate`` per step. Its output gate has bias ``b_o`` and
    peephole ``p_o`` ({ref}`eq-peephole`): with ``p_o > 0`` and ``b_o < 0`` it opens when the
    cell passes ``-b_o / p_o``, so the unit fires at a time set by its weights.

    Pure: the same arguments give the same arrays.
    """
    T = positive_int(T, "T")
    for value, name in ((p_o, "p_o"), (b_o, "b_o"), (rate, "rate")):
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise TypeError(f"{name} must be a finite number, got {value!r}")
    if not 0 < rate < 1:
        raise ValueError(f"rate must be in (0, 1) (the candidate is a tanh), got {rate}")
    params = {
        "W": np.zeros((4, 1)), "U": np.zeros((4, 1)),
        "b": np.array([OPEN_BIAS, OPEN_BIAS, np.arctanh(rate), float(b_o)]),
        "p_i": np.zeros(1), "p_f": np.zeros(1), "p_o": np.array([float(p_o)]),
    }
    Y, _, caches = lstm_forward(np.ones((1, T, 1)), None, params)
    cs = np.array([cache.c[0, 0] for cache in caches])
    os_ = np.array([cache.o[0, 0] for cache in caches])
    hs = Y[0, :, 0]
    opened = np.flatnonzero(os_ >= 0.5)
    fire = int(opened[0]) if opened.size else -1
    when = (f"o_t passes 0.5 at step {fire} (c_t = {cs[fire]:.2f})" if fire >= 0
            else f"o_t never passes 0.5 (last o_t = {os_[-1]:.3f})")
    summary = f"p_o = {p_o:g}, b_o = {b_o:g}: {when}"
    return PeepholeTimingView(np.arange(T), cs, os_, hs, fire, summary)


"""Chapter 4, vanishing and exploding gradients (``book/04_gradient_problems.ipynb``).

:func:`jacobian_norms` (for an RNN from :func:`lstmbook.chapters.ch03_bptt.rnn_with_radius`)
measures ‖∂h_T/∂h_t‖ against the distance T − t from the explicit product of one-step
Jacobians ({ref}`eq-grad-product`); :func:`train_lag_task` is the "remember a bit for ``lag``
steps" experiment (the task is :func:`lstmbook.data.lag_task`);
:func:`gradient_norm_view` is the gradient-norm explorer's model.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook.chapters.ch03_bptt import rnn_with_radius
from lstmbook.data import lag_task
from lstmbook.nn._checks import make_rng, positive_int, probability
from lstmbook.nn.activations import get_activation
from lstmbook.nn.layers import Linear
from lstmbook.nn.losses import softmax_cross_entropy
from lstmbook.nn.optim import SGD
from lstmbook.nn.rnn import RNN
from lstmbook.nn.training import Batch, SequenceModel, train

__all__ = [
    "GradientNormView",
    "JacobianNorms",
    "LagResult",
    "gradient_norm_view",
    "jacobian_norms",
    "train_lag_task",
]


class JacobianNorms(NamedTuple):
    """What :func:`jacobian_norms` returns."""

    lags: np.ndarray  #: (T,) distances T − t = 0 … T − 1
    norms: np.ndarray  #: (T,) mean over sequences of ‖∂h_T/∂h_t‖ (spectral norm)
    per_sequence: np.ndarray  #: (N, T) the same for each sequence
    radius: float
    nonlinearity: str
    mean_fprime: float  #: average of f'(u) over all units and steps (how much f' shrinks)


def jacobian_norms(radius, nonlinearity="tanh", *, T=60, hidden_size=32, n_seq=4, seed=0):
    """‖∂h_T/∂h_t‖ against T − t for a plain RNN with recurrent spectral radius ``radius``.

    The RNN (:func:`rnn_with_radius`) reads ``n_seq`` random input sequences (standard
    normal, one feature) of ``T`` steps. With column vectors the one-step Jacobian is
    ∂h_k/∂h_{k-1} = diag(f'(u_k)) U, so ∂h_T/∂h_t is the product of T − t such factors
    ({ref}`eq-grad-product`); it is built here explicitly, from the last step backwards, and
    its spectral norm (largest singular value) recorded at every distance. Returns a
    :class:`JacobianNorms`.
    """
    T = positive_int(T, "T")
    n_seq = positive_int(n_seq, "n_seq")
    rnn = rnn_with_radius(hidden_size, radius, nonlinearity, seed=seed)
    X = make_rng(seed=seed + 1).standard_normal((n_seq, T, 1))
    Y, _ = rnn.forward(X)
    _, df = get_activation(nonlinearity)
    fp = df(Y)  # (N, T, H): f'(u_t)
    U = rnn.params["U"]
    H = rnn.hidden_size
    norms = np.empty((n_seq, T))
    for n in range(n_seq):
        J = np.eye(H)  # ∂h_T/∂h_T
        norms[n, 0] = 1.0
        for lag in range(1, T):
            k = T - lag  # the factor ∂h_k/∂h_{k-1} (0-based step k)
            J = (J * fp[n, k][None, :]) @ U
            norms[n, lag] = np.linalg.norm(J, 2)
    return JacobianNorms(np.arange(T), norms.mean(axis=0), norms, float(radius), nonlinearity,
                        float(fp.mean()))


class LagResult(NamedTuple):
    """What :func:`train_lag_task` returns."""

    lag: int
    steps_to_learn: int | None  #: first step whose last-``window`` batch accuracy ≥ target
    test_accuracy: float  #: on 1000 fresh sequences after training
    grad_ratio: float  #: at initialisation: ‖∂L/∂h_0‖ / ‖∂L/∂h_lag‖ (how much error arrives)
    losses: np.ndarray  #: the training loss at each step run


def train_lag_task(lag, *, hidden_size=16, max_steps=1000, lr=0.05, momentum=0.9,
                   batch_size=32, target=0.95, window=20, seed=0):
    """Train a tanh RNN + Linear read-out on :func:`lag_task` with SGD (momentum), a fresh
    batch per step, until the mean batch accuracy of the last ``window`` steps reaches
    ``target`` or ``max_steps`` steps have run. Returns a :class:`LagResult`."""

    lag = positive_int(lag, "lag")
    max_steps = positive_int(max_steps, "max_steps")
    window = positive_int(window, "window")
    if target == 0:
        raise ValueError("target must be an accuracy in (0, 1], got 0")
    target = probability(target, "target")
    rnn = RNN(1, hidden_size, seed=seed)
    model = SequenceModel(rnn, Linear(hidden_size, 2, seed=seed + 1), readout="last")
    data_rng = make_rng(seed=seed + 2)
    hits, ratio = [], []

    def watch(step, batch, model):
        if not ratio:  # at initialisation: the first backward pass, before any update
            dh = np.linalg.norm(rnn.dh_seq, axis=(0, 2))
            ratio.append(float(dh[0] / dh[-1]))
        hits.append(float(np.mean(model.predictions.argmax(-1) == batch.y)))
        return _reached(hits, window, target)

    hist = train(model, softmax_cross_entropy, SGD([model], lr=lr, momentum=momentum),
                 lambda step: Batch(*lag_task(batch_size, lag, rng=data_rng)),
                 steps=max_steps, callback=watch)
    solved = len(hist.loss) if _reached(hits, window, target) else None
    Xt, yt = lag_task(1000, lag, seed=seed + 3)
    acc = float(np.mean(model.forward(Xt).argmax(-1) == yt))
    return LagResult(lag, solved, acc, ratio[0], hist.loss)


def _reached(hits, window, target) -> bool:
    """Whether the mean batch accuracy of the last ``window`` steps reached ``target``."""
    return len(hits) >= window and float(np.mean(hits[-window:])) >= target


# --------------------------------------------------------------------------- the explorer
class GradientNormView(NamedTuple):
    flow: object  #: JacobianNorms
    reference: np.ndarray  #: radius ** lag, what a linear RNN with a normal U would give
    summary: str


def gradient_norm_view(radius=1.0, nonlinearity="tanh", T=60, H=32, seed=0):
    """‖∂h_T/∂h_t‖ against T − t (:func:`jacobian_norms`) and the
    reference curve radius^(T − t). Pure: the same arguments give the same arrays."""
    flow = jacobian_norms(radius, nonlinearity, T=T, hidden_size=H, seed=seed)
    reference = float(radius) ** flow.lags.astype(float)
    k = min(30, T - 1)
    summary = (f"{nonlinearity}, spectral radius {radius:g}: mean f'(u) = "
               f"{flow.mean_fprime:.3f}; {k} steps back ‖∂h_T/∂h_t‖ = {flow.norms[k]:.2g} "
               f"(radius^{k} = {reference[k]:.2g}).")
    return GradientNormView(flow, reference, summary)


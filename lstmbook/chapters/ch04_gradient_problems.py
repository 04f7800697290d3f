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
    "CliffSlice",
    "LagResult",
    "cliff_slice",
    "gradient_norm_view",
    "jacobian_norms",
    "matrix_power_norms",
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



# --------------------------------------------------------------------------- radius vs norm
def matrix_power_norms(U, k_max):
    """``‖U^k‖`` (spectral norm, the largest singular value) for ``k = 0 … k_max``.

    The spectral radius ρ(U) decides only the long run, ``‖U^k‖^{1/k} → ρ``; for every ``k``
    ``ρ^k ≤ ‖U^k‖ ≤ ‖U‖^k``. A non-normal ``U`` (one whose eigenvectors are not orthogonal)
    can make ``‖U^k‖`` grow for a while although ρ < 1: transient growth.
    """
    U = np.asarray(U, dtype=float)
    k_max = positive_int(k_max, "k_max")
    out = np.empty(k_max + 1)
    P = np.eye(U.shape[0])
    out[0] = 1.0
    for k in range(1, k_max + 1):
        P = P @ U
        out[k] = np.linalg.norm(P, 2)
    return out


# --------------------------------------------------------------------------- a cliff
class CliffSlice(NamedTuple):
    """What :func:`cliff_slice` returns."""

    w: np.ndarray  #: the recurrent weights of the slice
    loss: np.ndarray  #: L(w) = (x_T − target)²
    grad: np.ndarray  #: dL/dw, by forward-mode differentiation through the T steps


def cliff_slice(w, *, b=-2.5, T=50, x0=0.5, target=0.7):
    """A slice of the loss surface of Pascanu et al.'s one-unit RNN ``x_t = w σ(x_{t-1}) + b``
    (fixed input, no training): ``L(w) = (x_T − target)²`` and its exact derivative ``dL/dw``
    at every ``w`` of the array, from ``x_0 = x0``.

    ``dx_t/dw = σ(x_{t-1}) + w σ'(x_{t-1}) dx_{t-1}/dw`` is carried along with ``x_t``: where
    the product of the factors ``w σ'(x)`` over the T steps is large, the loss falls off a
    cliff and the gradient is huge, at fixed weights and without any learning rate.
    """
    w = np.asarray(w, dtype=float)
    T = positive_int(T, "T")
    x = np.full_like(w, float(x0))
    dx = np.zeros_like(w)
    for _ in range(T):
        s = 1.0 / (1.0 + np.exp(-x))
        dx = s + w * s * (1.0 - s) * dx
        x = w * s + b
    return CliffSlice(w, (x - target) ** 2, 2.0 * (x - target) * dx)

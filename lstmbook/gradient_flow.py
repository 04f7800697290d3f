"""How far the error travels back in time: the computations behind chapters 3 and 4.

Chapter 3 (backpropagation through time)
    :func:`bptt_delta` is one step of the δ recursion ({ref}`eq-bptt-delta`);
    :func:`tbptt_mask` says which steps the error of each loss step reaches under truncated
    BPTT ({ref}`eq-tbptt`); :func:`error_flow` measures, for every loss step s and every
    earlier step t, the error ∂E_s/∂h_t; :func:`truncation_curve` compares truncated and full
    gradients for every truncation length; :func:`scalar_rnn_grads` is the one-unit RNN the
    quiz differentiates by hand.
Chapter 4 (vanishing and exploding gradients)
    :func:`rnn_with_radius` builds an Elman RNN whose recurrent matrix has a chosen spectral
    radius; :func:`jacobian_norms` measures ‖∂h_T/∂h_t‖ against the distance T − t from the
    explicit product of one-step Jacobians; :func:`lag_task` and :func:`train_lag_task` are the
    "remember a bit for ``lag`` steps" experiment.

Everything here is pure computation (NumPy only): the figures live in :mod:`lstmbook.viz` and
the sliders in :mod:`lstmbook.widgets`.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from ._checks import as_array, make_rng, positive_float, positive_int
from .bptt import bptt
from .functions import get_activation
from .rnn import RNN, spectral_radius

__all__ = [
    "ErrorFlow",
    "GradientFlow",
    "LagResult",
    "TruncationCurve",
    "bptt_delta",
    "error_flow",
    "jacobian_norms",
    "lag_task",
    "rnn_with_radius",
    "scalar_rnn_grads",
    "tbptt_mask",
    "train_lag_task",
    "truncation_curve",
]


# --------------------------------------------------------------------------- chapter 3
def bptt_delta(dout_t, delta_next, U, h_t, nonlinearity="tanh"):
    """One step of the BPTT recursion ({ref}`eq-bptt-delta`), row-vector form::

        δ_t = (∂E/∂h_t from the output + δ_{t+1} U) ⊙ f'(u_t)

    ``dout_t (N, H)`` is the error arriving from the output at step t, ``delta_next (N, H)``
    is δ_{t+1} (zeros at the last step), ``U (H, H)`` the recurrent matrix and ``h_t (N, H)``
    the hidden state f(u_t), through which f' is written (1 − h² for tanh). Returns δ_t.
    This is the line the reader writes in chapter 3's exercise.
    """
    dout_t = as_array(dout_t, "dout_t", 2)
    h_t = as_array(h_t, "h_t", 2)
    delta_next = as_array(delta_next, "delta_next", 2)
    U = as_array(U, "U", 2)
    H = h_t.shape[1]
    if U.shape != (H, H):
        raise ValueError(f"U must have shape ({H}, {H}) to match h_t {h_t.shape}, got {U.shape}")
    for name, a in (("dout_t", dout_t), ("delta_next", delta_next)):
        if a.shape != h_t.shape:
            raise ValueError(f"{name} must have the shape of h_t {h_t.shape}, got {a.shape}")
    _, df = get_activation(nonlinearity)
    return (dout_t + delta_next @ U) * df(h_t)  # eq-bptt-delta


def tbptt_mask(T, k):
    """Which steps the error of each loss step reaches under truncated BPTT ({ref}`eq-tbptt`).

    Returns a boolean ``(T, T)`` array ``M`` with ``M[s, t]`` true when the error of the loss
    at step s flows back to step t. :func:`lstmbook.bptt.bptt` cuts the sequence into chunks
    of ``k`` steps starting at step 0, so ``M[s, t]`` holds for t ≤ s in the same chunk: the
    loss at step s reaches ``s % k + 1`` steps (itself included). With k ≥ T every t ≤ s is
    reached: full BPTT.
    """
    T = positive_int(T, "T")
    k = positive_int(k, "k")
    s, t = np.indices((T, T))
    return (t <= s) & (s // k == t // k)


class ErrorFlow(NamedTuple):
    """What :func:`error_flow` returns (steps are 0-based)."""

    norms: np.ndarray  #: (T, T): [s, t] = ‖∂E_s/∂h_t‖ (zero for t > s)
    delta_U: np.ndarray  #: (T, T, H, H): [s, t] = step t's share δ_{s,t}^T h_{t-1} of ∂E_s/∂U
    loss: float  #: the mean loss over all steps


def error_flow(layer, head, X, targets, loss_fn):
    """Split the full BPTT gradient by loss step s and by the step t the error reaches.

    ``layer`` is an :class:`~lstmbook.rnn.RNN`, ``head`` a Linear read-out applied at every
    step, ``loss_fn`` one of :mod:`lstmbook.losses` (``loss_fn(pred, targets, reduction=...)``).
    For each s the layer is run backward with the error of step s alone, which gives
    ∂E_s/∂h_t for every t ≤ s (``layer.dh_seq``) and δ_{s,t} = ∂E_s/∂h_t ⊙ f'(u_t). The loss
    is the mean over all N·T steps, as in :func:`lstmbook.bptt.bptt`, so
    ``delta_U[M].sum(0)`` with ``M = tbptt_mask(T, k)`` is exactly the U-gradient that
    ``bptt(..., truncate=k)`` computes.
    """
    if not isinstance(layer, RNN):
        raise TypeError(f"layer must be a lstmbook.RNN, got {type(layer).__name__}")
    X = as_array(X, "X", 3)
    N, T, _ = X.shape
    Y, _ = layer.forward(X)
    pred = head.forward(Y)
    loss, dpred = loss_fn(pred, targets, reduction="sum")
    count = N * T
    dY = head.backward(dpred / count)
    h0 = np.zeros((N, layer.hidden_size))
    H_prev = np.concatenate([h0[:, None], Y[:, :-1]], axis=1)  # h_{t-1} (N, T, H)
    _, df = get_activation(layer.nonlinearity)
    dfs = df(Y)
    norms = np.zeros((T, T))
    delta_U = np.zeros((T, T, layer.hidden_size, layer.hidden_size))
    for s in range(T):
        only_s = np.zeros_like(dY)
        only_s[:, s] = dY[:, s]
        layer.backward(only_s)
        dh = layer.dh_seq  # (N, T, H): ∂E_s/∂h_t
        norms[s] = np.linalg.norm(dh, axis=(0, 2))
        delta = dh * dfs
        delta_U[s] = np.einsum("nti,ntj->tij", delta, H_prev)
    return ErrorFlow(norms, delta_U, loss / count)


def _cosine(a, b):
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a.ravel() @ b.ravel() / (na * nb)) if na and nb else 0.0


class TruncationCurve(NamedTuple):
    """What :func:`truncation_curve` returns."""

    ks: np.ndarray  #: truncation lengths 1 … T
    cosine: np.ndarray  #: cos(truncated ∂E/∂U, full ∂E/∂U) for each k
    norm_ratio: np.ndarray  #: ‖truncated ∂E/∂U‖ / ‖full ∂E/∂U‖ for each k
    flow: ErrorFlow  #: the per-(s, t) split of the full gradient


def truncation_curve(layer, head, X, targets, loss_fn):
    """Compare truncated BPTT with full BPTT for every truncation length k = 1 … T.

    Each truncated U-gradient comes from :func:`lstmbook.bptt.bptt` itself (the layer's
    parameters are not changed). Returns a :class:`TruncationCurve`.
    """
    X = as_array(X, "X", 3)
    T = X.shape[1]
    flow = error_flow(layer, head, X, targets, loss_fn)
    bptt(layer, head, X, targets, loss_fn)
    full = layer.grads["U"].copy()
    cos, ratio = np.empty(T), np.empty(T)
    for k in range(1, T + 1):
        bptt(layer, head, X, targets, loss_fn, truncate=k)
        g = layer.grads["U"]
        cos[k - 1] = _cosine(g, full)
        ratio[k - 1] = np.linalg.norm(g) / np.linalg.norm(full)
    return TruncationCurve(np.arange(1, T + 1), cos, ratio, flow)


def scalar_rnn_grads(xs, *, w, u, b=0.0, h0=0.0, nonlinearity="identity"):
    """∂h_T/∂(w, u, b, h_0) for a one-unit RNN h_t = f(w x_t + u h_{t-1} + b), by BPTT.

    ``xs`` is a 1-D array of the inputs x_1 … x_T; the "loss" is E = h_T. Uses
    :class:`lstmbook.RNN` with D = H = N = 1, so the numbers are the package's own. Returns a
    dict with ``"h"`` (h_1 … h_T) and the gradients ``"w"``, ``"u"``, ``"b"``, ``"h0"``.
    """
    xs = as_array(xs, "xs", 1)
    T = xs.shape[0]
    if T == 0:
        raise ValueError("xs must hold at least one input")
    for name, value in (("w", w), ("u", u), ("b", b), ("h0", h0)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a finite number, got {value!r}")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    rnn = RNN(1, 1, nonlinearity=nonlinearity, seed=0)
    rnn.params["W"][:] = w
    rnn.params["U"][:] = u
    rnn.params["b"][:] = b
    Y, _ = rnn.forward(xs.reshape(1, T, 1), np.array([[float(h0)]]))
    dY = np.zeros_like(Y)
    dY[0, -1, 0] = 1.0
    _, dh0 = rnn.backward(dY)
    return {"h": Y[0, :, 0].copy(), "w": float(rnn.grads["W"][0, 0]),
            "u": float(rnn.grads["U"][0, 0]), "b": float(rnn.grads["b"][0]),
            "h0": float(dh0[0, 0])}


# --------------------------------------------------------------------------- chapter 4
NONLINEARITIES = ("tanh", "relu", "sigmoid")


def rnn_with_radius(hidden_size, radius, nonlinearity="tanh", *, input_size=1, seed=0):
    """An Elman :class:`~lstmbook.rnn.RNN` whose recurrent matrix U has spectral radius
    ``radius`` (U drawn standard normal, then rescaled); W and b keep the default init."""
    radius = positive_float(radius, "radius")
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}, got {nonlinearity!r}")
    H = positive_int(hidden_size, "hidden_size")
    gen = make_rng(seed=seed)
    rnn = RNN(input_size, H, nonlinearity=nonlinearity, rng=gen)
    U0 = gen.standard_normal((H, H))
    rnn.params["U"][:] = U0 * (radius / spectral_radius(U0))
    return rnn


class GradientFlow(NamedTuple):
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
    :class:`GradientFlow`.
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
    return GradientFlow(np.arange(T), norms.mean(axis=0), norms, float(radius), nonlinearity,
                        float(fp.mean()))


def lag_task(n, lag, *, rng=None, seed=None):
    """The "remember one bit for ``lag`` steps" task (many-to-one).

    Each sequence has ``lag + 1`` steps of random ±1 values (one feature). The target is the
    class of the **first** value (1 for +1, 0 for −1), asked at the last step: the network must
    keep one bit for ``lag`` steps while ``lag`` more random values pass by. Chance is 50 %.
    Returns ``X (n, lag + 1, 1)`` and integer ``y (n,)``.
    """
    n = positive_int(n, "n")
    lag = positive_int(lag, "lag")
    gen = make_rng(rng, seed)
    bits = gen.integers(0, 2, size=(n, lag + 1))
    return (2.0 * bits - 1.0)[:, :, None], bits[:, 0].astype(np.int64)


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
    from .layers import Linear  # noqa: PLC0415 - avoid an import cycle at module load
    from .losses import softmax_cross_entropy  # noqa: PLC0415
    from .optim import SGD  # noqa: PLC0415
    from .training import SequenceModel  # noqa: PLC0415

    lag = positive_int(lag, "lag")
    max_steps = positive_int(max_steps, "max_steps")
    window = positive_int(window, "window")
    if not 0 < target <= 1:
        raise ValueError(f"target must be an accuracy in (0, 1], got {target}")
    rnn = RNN(1, hidden_size, seed=seed)
    head = Linear(hidden_size, 2, seed=seed + 1)
    model = SequenceModel(rnn, head, readout="last")
    opt = SGD([rnn, head], lr=lr, momentum=momentum)
    data_rng = make_rng(seed=seed + 2)
    losses, hits = [], []
    solved, ratio = None, None
    for step in range(max_steps):
        X, y = lag_task(batch_size, lag, rng=data_rng)
        pred = model.forward(X)
        loss, d = softmax_cross_entropy(pred, y)
        model.backward(d)
        if ratio is None:
            dh = np.linalg.norm(rnn.dh_seq, axis=(0, 2))
            ratio = float(dh[0] / dh[-1])
        opt.step()
        losses.append(loss)
        hits.append(float(np.mean(pred.argmax(-1) == y)))
        if step + 1 >= window and np.mean(hits[-window:]) >= target:
            solved = step + 1
            break
    Xt, yt = lag_task(1000, lag, seed=seed + 3)
    acc = float(np.mean(model.forward(Xt).argmax(-1) == yt))
    return LagResult(lag, solved, acc, ratio, np.array(losses))

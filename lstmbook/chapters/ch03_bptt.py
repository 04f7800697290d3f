"""Chapter 3, backpropagation through time (``book/03_bptt.ipynb``): the δ recursion, truncation,
and how much of the gradient each truncation length keeps.

:func:`bptt_delta` is one step of the δ recursion ({ref}`eq-bptt-delta`; the reader writes it
in the exercise); :func:`tbptt_mask` says which steps the error of each loss step reaches under
truncated BPTT ({ref}`eq-tbptt`); :func:`error_split` measures, for every loss step s and every
earlier step t, the error ∂E_s/∂h_t; :func:`truncation_curve` compares truncated and full
gradients for every truncation length; :func:`scalar_rnn_grads` is the one-unit RNN the quiz
differentiates by hand; :func:`truncation_view` is the truncation explorer's model.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lstmbook.data import noisy_sine
from lstmbook.nn._checks import (
    as_array,
    make_rng,
    one_of,
    positive_float,
    positive_int,
    real_number,
)
from lstmbook.nn.activations import get_activation
from lstmbook.nn.bptt import bptt
from lstmbook.nn.layers import Linear
from lstmbook.nn.losses import mse
from lstmbook.nn.rnn import RNN, spectral_radius

__all__ = [
    "NONLINEARITIES",
    "ErrorSplit",
    "TruncationCurve",
    "TruncationView",
    "bptt_delta",
    "error_split",
    "rnn_with_radius",
    "scalar_rnn_grads",
    "tbptt_mask",
    "truncation_curve",
    "truncation_view",
]


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
    at step s flows back to step t. :func:`lstmbook.nn.bptt.bptt` cuts the sequence into chunks
    of ``k`` steps starting at step 0, so ``M[s, t]`` holds for t ≤ s in the same chunk: the
    loss at step s reaches ``s % k + 1`` steps (itself included). With k ≥ T every t ≤ s is
    reached: full BPTT.
    """
    T = positive_int(T, "T")
    k = positive_int(k, "k")
    s, t = np.indices((T, T))
    return (t <= s) & (s // k == t // k)


class ErrorSplit(NamedTuple):
    """The full BPTT error split by loss step s and reached step t (:func:`error_split`;
    steps are 0-based)."""

    norms: np.ndarray  #: (T, T): [s, t] = ‖∂E_s/∂h_t‖ (zero for t > s)
    delta_U: np.ndarray  #: (T, T, H, H): [s, t] = step t's share δ_{s,t}^T h_{t-1} of ∂E_s/∂U
    loss: float  #: the mean loss over all steps


def error_split(layer, head, X, targets, loss_fn):
    """Split the full BPTT gradient by loss step s and by the step t the error reaches.

    ``layer`` is an :class:`~lstmbook.nn.rnn.RNN`, ``head`` a Linear read-out applied at every
    step, ``loss_fn`` one of :mod:`lstmbook.nn.losses` (``loss_fn(pred, targets, reduction=...)``).
    For each s the layer is run backward with the error of step s alone, which gives
    ∂E_s/∂h_t for every t ≤ s (``layer.dh_seq``) and δ_{s,t} = ∂E_s/∂h_t ⊙ f'(u_t). The loss
    is the mean over all N·T steps, as in :func:`lstmbook.nn.bptt.bptt`, so
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
    h_prev_all = np.concatenate([h0[:, None], Y[:, :-1]], axis=1)  # h_{t-1} (N, T, H)
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
        delta_U[s] = np.einsum("nti,ntj->tij", delta, h_prev_all)
    return ErrorSplit(norms, delta_U, loss / count)


def _cosine(a, b):
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a.ravel() @ b.ravel() / (na * nb)) if na and nb else 0.0


class TruncationCurve(NamedTuple):
    """What :func:`truncation_curve` returns."""

    ks: np.ndarray  #: truncation lengths 1 … T
    cosine: np.ndarray  #: cos(truncated ∂E/∂U, full ∂E/∂U) for each k
    norm_ratio: np.ndarray  #: ‖truncated ∂E/∂U‖ / ‖full ∂E/∂U‖ for each k
    flow: ErrorSplit  #: the per-(s, t) split of the full gradient


def truncation_curve(layer, head, X, targets, loss_fn):
    """Compare truncated BPTT with full BPTT for every truncation length k = 1 … T.

    Each truncated U-gradient comes from :func:`lstmbook.nn.bptt.bptt` itself (the layer's
    parameters are not changed). Returns a :class:`TruncationCurve`.
    """
    X = as_array(X, "X", 3)
    T = X.shape[1]
    flow = error_split(layer, head, X, targets, loss_fn)
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
    w, u, b, h0 = (real_number(v, name) for v, name in ((w, "w"), (u, "u"), (b, "b"), (h0, "h0")))
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


# --------------------------------------------------------------------------- RNNs of a given radius
NONLINEARITIES = ("tanh", "relu", "sigmoid")


def rnn_with_radius(hidden_size, radius, nonlinearity="tanh", *, input_size=1, seed=0):
    """An Elman :class:`~lstmbook.nn.rnn.RNN` whose recurrent matrix U has spectral radius
    ``radius`` (U drawn standard normal, then rescaled); W and b keep the default init."""
    radius = positive_float(radius, "radius")
    one_of(nonlinearity, NONLINEARITIES, "nonlinearity")
    H = positive_int(hidden_size, "hidden_size")
    gen = make_rng(seed=seed)
    rnn = RNN(input_size, H, nonlinearity=nonlinearity, rng=gen)
    U0 = gen.standard_normal((H, H))
    rnn.params["U"][:] = U0 * (radius / spectral_radius(U0))
    return rnn


# --------------------------------------------------------------------------- the explorer
class TruncationView(NamedTuple):
    k: int  #: truncation length
    radius: float  #: spectral radius of the RNN's recurrent matrix
    curve: object  #: TruncationCurve (cosine, norm ratio for every k)
    mask: np.ndarray  #: (T, T) which (loss step, reached step) pairs truncation keeps
    cosine: float  #: at this k
    norm_ratio: float  #: at this k
    summary: str


def truncation_view(k=4, radius=1.5, T=24, H=8, seed=0) -> TruncationView:
    """Full against truncated BPTT for an Elman RNN (recurrent spectral radius ``radius``) and
    a Linear read-out predicting the next value of a noisy sine (``T`` steps, 4 sequences).

    Pure: the same arguments give the same arrays.
    """
    T = positive_int(T, "T")
    k = positive_int(k, "k")
    if k > T:
        raise ValueError(f"k must be at most T = {T}, got {k}")
    X, Y = noisy_sine(4, T, seed=seed)
    rnn = rnn_with_radius(H, radius, seed=seed)
    head = Linear(H, 1, seed=seed + 1)
    curve = truncation_curve(rnn, head, X, Y, mse)
    mask = tbptt_mask(T, k)
    cos, ratio = float(curve.cosine[k - 1]), float(curve.norm_ratio[k - 1])
    kept = float(curve.flow.norms[mask].sum() / curve.flow.norms.sum())
    summary = (f"k = {k}: the error flows back at most {k - 1} steps. The truncated gradient of "
               f"U has cosine {cos:.3f} with the full one and {ratio:.3f} times its norm; "
               f"{kept:.0%} of the total error (summed norms) is kept.")
    return TruncationView(k, float(radius), curve, mask, cos, ratio, summary)


"""Long short-term memory: the step functions the book shows, the readable loops over a sequence
built from them, and the layer (which runs the fast kernel of :mod:`lstmbook.nn._lstm_fused`).

Equations ({ref}`eq-lstm-gates`, {ref}`eq-lstm-cell`, {ref}`eq-lstm-hidden`), gate blocks in the
order **i, f, g, o** (``GATES``), row-vector convention ``a = x W^T + h U^T + b``::

    i = σ(a_i + p_i ⊙ c_{t-1})       input gate   (入力ゲート)
    f = σ(a_f + p_f ⊙ c_{t-1})       forget gate  (忘却ゲート)
    g = tanh(a_g)                    candidate c̃ (候補セル)
    c_t = f ⊙ c_{t-1} + i ⊙ g        cell update  (セル状態の更新)
    o = σ(a_o + p_o ⊙ c_t)           output gate  (出力ゲート)
    h_t = o ⊙ tanh(c_t)

Peepholes ``p_i, p_f, p_o`` (shape ``(H,)``) exist only when ``peephole=True``
({ref}`eq-peephole`); without them the p-terms are absent.
Shapes: ``x (N, D)``, ``h, c (N, H)``, ``W (4H, D)``, ``U (4H, H)``, ``b (4H,)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _lstm_fused
from .activations import sigmoid, tanh
from .protocol import RecurrentLayer

#: The order of the gate blocks in W, U and b (PyTorch's order; g is the candidate c̃).
GATES = ("i", "f", "g", "o")


def split_gates(a: np.ndarray, n_gates: int = 4) -> tuple[np.ndarray, ...]:
    """Split the last axis of ``a`` (size n_gates·H) into the gate blocks, in ``GATES`` order.

    The only place gate blocks are sliced; returns views.
    """
    H = a.shape[-1] // n_gates
    if H * n_gates != a.shape[-1]:
        raise ValueError(f"a must have a last axis divisible by {n_gates}, got shape {a.shape}")
    return tuple(a[..., k * H:(k + 1) * H] for k in range(n_gates))


class LSTMCache(NamedTuple):
    """What one forward step keeps for its backward step (and what widgets plot)."""

    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    tanh_c: np.ndarray


def lstm_step(x_t, h_prev, c_prev, params):
    """One LSTM step: ``(h_t, c_t, cache)`` from ``x_t (N, D)``, ``h_prev, c_prev (N, H)``.

    Implements {ref}`eq-lstm-gates`, {ref}`eq-lstm-cell` and {ref}`eq-lstm-hidden`, with the
    peephole terms of {ref}`eq-peephole` when ``params`` holds ``p_i, p_f, p_o``.
    """
    W, U, b = params["W"], params["U"], params["b"]
    a_i, a_f, a_g, a_o = split_gates(x_t @ W.T + h_prev @ U.T + b)
    peep = "p_i" in params
    i = sigmoid(a_i + params["p_i"] * c_prev if peep else a_i)
    f = sigmoid(a_f + params["p_f"] * c_prev if peep else a_f)
    g = tanh(a_g)
    c = f * c_prev + i * g  # eq-lstm-cell
    o = sigmoid(a_o + params["p_o"] * c if peep else a_o)
    tanh_c = tanh(c)
    h = o * tanh_c  # eq-lstm-hidden
    return h, c, LSTMCache(x_t, h_prev, c_prev, i, f, g, o, c, tanh_c)


def lstm_step_backward(dh_t, dc_t, cache: LSTMCache, params):
    """Backward of :func:`lstm_step`: ``(dx_t, dh_prev, dc_prev, grads)``.

    ``dh_t``, ``dc_t`` are ∂L/∂h_t and ∂L/∂c_t arriving from later steps and the output;
    ``grads`` has the keys of ``params``. The cell path ({ref}`eq-cell-path`):
    ``dc_prev = dc ⊙ f`` (+ peephole terms) — the additive update lets the error pass through
    multiplied only by the forget gate.
    """
    x, h_prev, c_prev, i, f, g, o, c, tanh_c = cache
    peep = "p_i" in params
    do = dh_t * tanh_c
    dc = dc_t + dh_t * o * (1.0 - tanh_c**2)
    da_o = do * o * (1.0 - o)
    if peep:
        dc = dc + da_o * params["p_o"]
    da_i = dc * g * i * (1.0 - i)
    da_f = dc * c_prev * f * (1.0 - f)
    da_g = dc * i * (1.0 - g**2)
    dc_prev = dc * f
    if peep:
        dc_prev = dc_prev + da_i * params["p_i"] + da_f * params["p_f"]
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
    grads = {
        "W": da.T @ x,
        "U": da.T @ h_prev,
        "b": da.sum(axis=0),
    }
    if peep:
        grads["p_i"] = (da_i * c_prev).sum(axis=0)
        grads["p_f"] = (da_f * c_prev).sum(axis=0)
        grads["p_o"] = (da_o * c).sum(axis=0)
    dx = da @ params["W"]
    dh_prev = da @ params["U"]
    return dx, dh_prev, dc_prev, grads


def lstm_forward(X, state, params):
    """The LSTM over a whole sequence, one :func:`lstm_step` per step:
    ``(Y, (h_T, c_T), caches)``.

    ``X (N, T, D)``; ``state = (h0, c0)``, each ``(N, H)``, or None for zeros. Returns the hidden
    states ``Y (N, T, H)`` (``Y[:, t]`` is h after reading ``X[:, t]``), the final state and
    ``caches``, a list of T :class:`LSTMCache` (one per step, for :func:`lstm_backward` and for
    plotting the gates). Each step is {ref}`eq-lstm-gates`, {ref}`eq-lstm-cell` and
    {ref}`eq-lstm-hidden` (with {ref}`eq-peephole` when ``params`` holds ``p_i, p_f, p_o``), with
    the same ``params`` at every step.
    """
    N, T, _ = X.shape
    H = params["U"].shape[1]
    if state is None:
        state = (np.zeros((N, H), X.dtype), np.zeros((N, H), X.dtype))
    h, c = state
    Y = np.empty((N, T, H), np.result_type(X, params["W"]))
    caches = []
    for t in range(T):
        h, c, cache = lstm_step(X[:, t], h, c, params)
        Y[:, t] = h
        caches.append(cache)
    return Y, (h, c), caches


def lstm_backward(dY, d_final_state, caches, params):
    """Backpropagation through time for :func:`lstm_forward`, one :func:`lstm_step_backward`
    per step, from the last step to the first: ``(dX, (dh0, dc0), grads, dh_seq)``.

    ``dY (N, T, H)`` is ∂L/∂Y; ``d_final_state = (dh_T, dc_T)``, each ``(N, H)``, or None for
    zeros; ``caches`` what :func:`lstm_forward` returned. Returns ``dX (N, T, D)``, the gradient
    of the initial state, ``grads`` (the keys of ``params``, summed over the steps as in
    {ref}`eq-bptt-weights`) and ``dh_seq (N, T, H)``: ∂L/∂h_t at every step, from the output
    at t and from step t + 1. Along the cell the error is multiplied only by the forget gates
    ({ref}`eq-cell-path`).
    """
    N, T, H = dY.shape
    if d_final_state is None:
        d_final_state = (np.zeros((N, H), dY.dtype), np.zeros((N, H), dY.dtype))
    dh, dc = d_final_state
    dX = np.empty((N, T, params["W"].shape[1]), np.result_type(dY, params["W"]))
    dh_seq = np.empty((N, T, H), dX.dtype)
    grads = {name: np.zeros_like(p) for name, p in params.items()}
    for t in reversed(range(T)):
        dh_seq[:, t] = dh + dY[:, t]  # ∂L/∂h_t: through step t + 1 and from the output at t
        dX[:, t], dh, dc, step_grads = lstm_step_backward(dh_seq[:, t], dc, caches[t], params)
        for name in grads:
            grads[name] += step_grads[name]
    return dX, (dh, dc), grads, dh_seq


class LSTM(RecurrentLayer):
    """An LSTM layer over whole sequences (batch-first), optionally with peepholes.

    ``forward(X (N, T, D), state=(h0, c0) or None) -> (Y (N, T, H), (h_T, c_T))``;
    ``backward(dY, d_final_state=(dh_T, dc_T) or None) -> (dX, (dh0, dc0))`` fills ``grads``.
    After ``forward``, ``gate_seq`` is the ``(T, N, 4H)`` array of activated gates (i, f, g, o);
    after ``backward``, ``dh_seq`` is ``(N, T, H)``, ∂L/∂h_t at every step.

    With ``fused=True`` (the default) the passes run the fast kernel of
    :mod:`lstmbook.nn._lstm_fused`; with ``fused=False`` they run the readable
    :func:`lstm_forward` and :func:`lstm_backward`. Both compute the same maths (a test compares
    every output and gradient); the attribute ``fused`` can be changed between calls.
    ``forget_bias`` is added to the forget gate's block of ``b`` at initialisation.
    """

    def __init__(self, input_size, hidden_size, *, peephole=False, forget_bias=0.0,
                 seed=None, rng=None, dtype=np.float64, fused=True):
        self.peephole = bool(peephole)
        self.fused = bool(fused)
        super().__init__(input_size, hidden_size, seed=seed, rng=rng, dtype=dtype)
        if forget_bias:
            split_gates(self.params["b"])[1][...] += forget_bias
        self._workspace = _lstm_fused.Workspace()
        self._gate_seq = None

    @property
    def gate_seq(self):
        """Activated gates of the last forward pass, ``(T, N, 4H)`` in ``GATES`` order."""
        if self._gate_seq is None and self._cache is not None:
            _, fused, cache = self._cache
            if fused:
                self._gate_seq = _lstm_fused.gate_sequence(cache)
            else:
                self._gate_seq = np.stack([np.concatenate([k.i, k.f, k.g, k.o], axis=1)
                                           for k in cache])
        return self._gate_seq

    def param_shapes(self) -> dict:
        """Parameter name -> shape (what the constructor allocates)."""
        H, D = self.hidden_size, self.input_size
        shapes = {"W": (4 * H, D), "U": (4 * H, H), "b": (4 * H,)}
        if self.peephole:
            shapes.update({"p_i": (H,), "p_f": (H,), "p_o": (H,)})
        return shapes

    def _initial_state(self, state, N):
        if state is None:
            return self._zeros(N), self._zeros(N)
        if not isinstance(state, tuple | list) or len(state) != 2:
            raise TypeError(
                f"state must be a tuple (h0, c0) of arrays shaped (N, {self.hidden_size}), "
                f"got {type(state).__name__}"
            )
        return (self._check_state_array(state[0], "state[0] (h0)", N),
                self._check_state_array(state[1], "state[1] (c0)", N))

    def forward(self, X, state=None):
        X = self._check_input(X)
        h0, c0 = self._initial_state(state, X.shape[0])
        if self.fused:
            Y, final_state, cache = _lstm_fused.fused_forward(self.params, X, h0, c0,
                                                              self._workspace)
        else:
            Y, final_state, cache = lstm_forward(X, (h0, c0), self.params)
        self._cache = (X.shape, self.fused, cache)
        self._gate_seq = None
        return Y, final_state

    def backward(self, dY, d_final_state=None):
        (N, T, _), fused, cache = self._need_cache()
        dY = self._check_dY(dY, (N, T, self.hidden_size))
        if d_final_state is not None:
            d_final_state = self._initial_state(d_final_state, N)
        if fused:
            dX, d_initial_state, self.grads, self.dh_seq = _lstm_fused.fused_backward(
                dY, d_final_state, cache, self.params, self._workspace)
        else:
            dX, d_initial_state, self.grads, self.dh_seq = lstm_backward(
                dY, d_final_state, cache, self.params)
        return dX, d_initial_state

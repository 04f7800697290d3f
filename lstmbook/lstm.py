"""Long short-term memory: the step functions the book shows and the fused layer it runs.

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

from ._layer import RecurrentLayer
from .functions import sigmoid, tanh

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


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """σ in place, as (1 + tanh(a/2)) / 2: overflow-free and four cheap NumPy calls."""
    a *= 0.5
    np.tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


class LSTM(RecurrentLayer):
    """An LSTM layer over whole sequences (batch-first), optionally with peepholes.

    ``forward(X (N, T, D), state=(h0, c0) or None) -> (Y (N, T, H), (h_T, c_T))``;
    ``backward(dY, d_final_state=(dh_T, dc_T) or None) -> (dX, (dh0, dc0))`` fills ``grads``.

    The loop over time holds only the recurrent chain: the input projection of all steps is one
    matrix product before it, the weight gradients one product each after it. The result is
    the same as chaining :func:`lstm_step` (a test checks it).
    ``forget_bias`` is added to the forget gate's block of ``b`` at initialisation.
    """

    def __init__(self, input_size, hidden_size, *, peephole=False, forget_bias=0.0,
                 seed=None, rng=None, dtype=np.float64):
        self.peephole = bool(peephole)
        super().__init__(input_size, hidden_size, seed=seed, rng=rng, dtype=dtype)
        if forget_bias:
            split_gates(self.params["b"])[1][...] += forget_bias
        self.gate_seq = None

    def _shapes(self):
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
        N, T, D = X.shape
        H = self.hidden_size
        h, c = self._initial_state(state, N)
        h0, c0 = h, c
        p = self.params
        Xt = np.ascontiguousarray(X.transpose(1, 0, 2))  # (T, N, D)
        G = (Xt.reshape(T * N, D) @ p["W"].T).reshape(T, N, 4 * H)  # input part, all steps
        G += p["b"]
        C = np.empty((T, N, H), self.dtype)
        TC = np.empty((T, N, H), self.dtype)
        Hs = np.empty((T, N, H), self.dtype)
        UT = np.ascontiguousarray(p["U"].T)
        peep = self.peephole
        for t in range(T):
            a = G[t]
            a += h @ UT
            if peep:
                a[:, :H] += p["p_i"] * c
                a[:, H:2 * H] += p["p_f"] * c
            _sigmoid_(a[:, :2 * H])
            np.tanh(a[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
            i, f, g, o = split_gates(a)
            ct = C[t]
            np.multiply(f, c, out=ct)
            ct += i * g
            if peep:
                o += p["p_o"] * ct
            _sigmoid_(o)
            np.tanh(ct, out=TC[t])
            np.multiply(o, TC[t], out=Hs[t])
            h, c = Hs[t], ct
        self._cache = (Xt, h0, c0, G, C, TC, Hs)
        self.gate_seq = G  # (T, N, 4H) activated gates, for plots
        Y = Hs.transpose(1, 0, 2)
        return Y, (h.copy(), c.copy())

    def backward(self, dY, d_final_state=None):
        Xt, h0, c0, G, C, TC, Hs = self._need_cache()
        T, N, D = Xt.shape
        H = self.hidden_size
        dYt = self._check_dY(dY, (N, T, H)).transpose(1, 0, 2)
        if d_final_state is None:
            dh, dc = self._zeros(N), self._zeros(N)
        else:
            dh, dc = self._initial_state(d_final_state, N)
        p = self.params
        peep = self.peephole
        i_all, f_all, g_all, o_all = split_gates(G)
        # Local derivatives that do not depend on the recurrence, for all steps at once.
        dtanh_c = 1.0 - TC**2
        C_prev = np.concatenate([c0[None], C[:-1]], axis=0)
        s_i = g_all * i_all * (1.0 - i_all)  # ∂a_i-term per unit dc
        s_f = C_prev * f_all * (1.0 - f_all)
        s_g = i_all * (1.0 - g_all**2)
        s_o = TC * o_all * (1.0 - o_all)
        dG = np.empty_like(G)
        dH = np.empty((T, N, H), self.dtype)
        U = p["U"]
        for t in range(T - 1, -1, -1):
            dh = dh + dYt[t]
            dH[t] = dh
            dgt = dG[t]
            da_o = dgt[:, 3 * H:]
            np.multiply(dh, s_o[t], out=da_o)
            dc = dc + dh * o_all[t] * dtanh_c[t]
            if peep:
                dc += da_o * p["p_o"]
            np.multiply(dc, s_i[t], out=dgt[:, :H])
            np.multiply(dc, s_f[t], out=dgt[:, H:2 * H])
            np.multiply(dc, s_g[t], out=dgt[:, 2 * H:3 * H])
            dc = dc * f_all[t]
            if peep:
                dc += dgt[:, :H] * p["p_i"] + dgt[:, H:2 * H] * p["p_f"]
            dh = dgt @ U
        dG2 = dG.reshape(T * N, 4 * H)
        H_prev = np.concatenate([h0[None], Hs[:-1]], axis=0).reshape(T * N, H)
        self.grads = {
            "W": dG2.T @ Xt.reshape(T * N, D),
            "U": dG2.T @ H_prev,
            "b": dG2.sum(axis=0),
        }
        if peep:
            dA_i, dA_f, _, dA_o = split_gates(dG)
            self.grads["p_i"] = (dA_i * C_prev).sum(axis=(0, 1))
            self.grads["p_f"] = (dA_f * C_prev).sum(axis=(0, 1))
            self.grads["p_o"] = (dA_o * C).sum(axis=(0, 1))
        dX = (dG2 @ p["W"]).reshape(T, N, D).transpose(1, 0, 2)
        self.dh_seq = dH.transpose(1, 0, 2)
        return dX, (dh, dc)

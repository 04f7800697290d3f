"""Gated recurrent unit, following ``torch.nn.GRU`` exactly ({ref}`eq-gru`).

Gate blocks in the order **r, z, n** (``GRU_GATES``)::

    r = σ(x W_r^T + h U_r^T + b_r)                reset gate
    z = σ(x W_z^T + h U_z^T + b_z)                update gate
    n = tanh(x W_n^T + b_n + r ⊙ (h U_n^T + b_hn)) candidate
    h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}

``W (3H, D)``, ``U (3H, H)``, ``b (3H,)`` (for r and z the sum of PyTorch's two biases, for n the
input bias only) and ``b_hn (H,)``, the recurrent bias of n, kept apart because it sits inside
the reset product. Some sources swap z and 1 − z; this is PyTorch's (and Cho et al.'s) form.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import sigmoid, tanh
from .lstm import split_gates
from .protocol import RecurrentLayer

#: The order of the gate blocks in W, U and b.
GRU_GATES = ("r", "z", "n")


class GRUCache(NamedTuple):
    """What one GRU step keeps for its backward step."""

    x: np.ndarray
    h_prev: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    hn: np.ndarray  # h_prev U_n^T + b_hn


def gru_step(x_t, h_prev, params):
    """One GRU step ({ref}`eq-gru`): ``(h_t, cache)``."""
    xr, xz, xn = split_gates(x_t @ params["W"].T + params["b"], 3)
    hr, hz, hn = split_gates(h_prev @ params["U"].T, 3)
    hn = hn + params["b_hn"]
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    n = tanh(xn + r * hn)
    h = (1.0 - z) * n + z * h_prev
    return h, GRUCache(x_t, h_prev, r, z, n, hn)


def gru_step_backward(dh_t, cache: GRUCache, params):
    """Backward of :func:`gru_step`: ``(dx_t, dh_prev, grads)``."""
    x, h_prev, r, z, n, hn = cache
    dn = dh_t * (1.0 - z)
    dz = dh_t * (h_prev - n)
    da_n = dn * (1.0 - n**2)
    da_r = da_n * hn * r * (1.0 - r)
    da_z = dz * z * (1.0 - z)
    dA_in = np.concatenate([da_r, da_z, da_n], axis=1)  # input-side pre-activations
    dA_h = np.concatenate([da_r, da_z, da_n * r], axis=1)  # recurrent-side pre-activations
    grads = {"W": dA_in.T @ x, "U": dA_h.T @ h_prev, "b": dA_in.sum(axis=0),
             "b_hn": (da_n * r).sum(axis=0)}
    dx = dA_in @ params["W"]
    dh_prev = dh_t * z + dA_h @ params["U"]
    return dx, dh_prev, grads


class GRU(RecurrentLayer):
    """A GRU layer ({ref}`eq-gru`), following the layer protocol (:mod:`lstmbook.nn.protocol`).
    State: ``h (N, H)``."""

    def param_shapes(self) -> dict:
        """Parameter name -> shape (what the constructor allocates)."""
        H, D = self.hidden_size, self.input_size
        return {"W": (3 * H, D), "U": (3 * H, H), "b": (3 * H,), "b_hn": (H,)}

    def forward(self, X, state=None):
        Xt, h0, A = self._project_inputs(X, state)
        T, N, _ = Xt.shape
        H = self.hidden_size
        h = h0
        p = self.params
        UT = np.ascontiguousarray(p["U"].T)
        hn_all = np.empty((T, N, H), self.dtype)
        h_all = np.empty((T, N, H), self.dtype)
        for t in range(T):
            a = A[t]
            ah = h @ UT
            a[:, :2 * H] += ah[:, :2 * H]
            np.add(ah[:, 2 * H:], p["b_hn"], out=hn_all[t])
            r, z, n = split_gates(a, 3)
            np.copyto(a[:, :2 * H], sigmoid(a[:, :2 * H]))
            n += r * hn_all[t]
            np.tanh(n, out=n)
            np.multiply(z, h - n, out=h_all[t])  # h_t = n + z (h − n)
            h_all[t] += n
            h = h_all[t]
        self._cache = (Xt, h0, A, hn_all, h_all)
        return h_all.transpose(1, 0, 2), h.copy()

    def backward(self, dY, d_final_state=None):
        Xt, h0, A, hn_all, h_all = self._need_cache()
        T, N, D = Xt.shape
        H = self.hidden_size
        dYt = self._check_dY(dY, (N, T, H)).transpose(1, 0, 2)
        dh = (self._zeros(N) if d_final_state is None
              else self._check_state_array(d_final_state, "d_final_state", N))
        R, Z, Nn = split_gates(A, 3)
        h_prev_all = np.concatenate([h0[None], h_all[:-1]], axis=0)
        dA_in = np.empty_like(A)
        dA_h = np.empty_like(A)
        dh_all = np.empty_like(h_all)
        U = self.params["U"]
        for t in range(T - 1, -1, -1):
            dh = dh + dYt[t]
            dh_all[t] = dh
            r, z, n = R[t], Z[t], Nn[t]
            da_n = dh * (1.0 - z) * (1.0 - n**2)
            da_r = da_n * hn_all[t] * r * (1.0 - r)
            da_z = dh * (h_prev_all[t] - n) * z * (1.0 - z)
            dA_in[t, :, :H], dA_in[t, :, H:2 * H], dA_in[t, :, 2 * H:] = da_r, da_z, da_n
            dA_h[t, :, :2 * H] = dA_in[t, :, :2 * H]
            np.multiply(da_n, r, out=dA_h[t, :, 2 * H:])
            dh = dh * z + dA_h[t] @ U
        di = dA_in.reshape(T * N, 3 * H)
        dhh = dA_h.reshape(T * N, 3 * H)
        self.grads = {"W": di.T @ Xt.reshape(T * N, D), "U": dhh.T @ h_prev_all.reshape(T * N, H),
                      "b": di.sum(axis=0), "b_hn": dhh[:, 2 * H:].sum(axis=0)}
        self.dh_seq = dh_all.transpose(1, 0, 2)
        dX = (di @ self.params["W"]).reshape(T, N, D).transpose(1, 0, 2)
        return dX, dh

"""A per-step NumPy LSTM written the way a textbook usually writes it: the yardstick for
``benchmarks/bench_lstm.py``.

One ``LSTMCell`` object per time step keeps its own cache; each gate has its own weight
matrices and its own matrix products (``x W_i + h U_i + b_i``, …); the backward pass walks the
cells in reverse and adds each step's weight gradients into the totals. Nothing here is slowed
on purpose: it is plain, vectorised over the batch, and float32 in, float32 out. Gate order and
weight layout follow lstmbook (``W (4H, D)``, ``U (4H, H)``, ``b (4H,)``, gates i, f, g, o), so
the same parameters give the same numbers.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class LSTMCell:
    """One time step: forward stores what backward needs."""

    def __init__(self, params):
        self.params = params  # dict gate -> (Wx (D, H), Wh (H, H), b (H,))
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        p = self.params
        i = sigmoid(x @ p["i"][0] + h_prev @ p["i"][1] + p["i"][2])
        f = sigmoid(x @ p["f"][0] + h_prev @ p["f"][1] + p["f"][2])
        g = np.tanh(x @ p["g"][0] + h_prev @ p["g"][1] + p["g"][2])
        o = sigmoid(x @ p["o"][0] + h_prev @ p["o"][1] + p["o"][2])
        c = f * c_prev + i * g
        tanh_c = np.tanh(c)
        h = o * tanh_c
        self.cache = (x, h_prev, c_prev, i, f, g, o, tanh_c)
        return h, c

    def backward(self, dh, dc_next, grads):
        """Adds this step's weight gradients into ``grads``; returns (dx, dh_prev, dc_prev)."""
        x, h_prev, c_prev, i, f, g, o, tanh_c = self.cache
        p = self.params
        do = dh * tanh_c
        dc = dc_next + dh * o * (1.0 - tanh_c ** 2)
        di = dc * g
        df = dc * c_prev
        dg = dc * i
        dc_prev = dc * f
        # through the nonlinearities
        da = {
            "i": di * i * (1.0 - i),
            "f": df * f * (1.0 - f),
            "g": dg * (1.0 - g ** 2),
            "o": do * o * (1.0 - o),
        }
        dx = np.zeros_like(x)
        dh_prev = np.zeros_like(h_prev)
        for k, d in da.items():
            Wx, Wh, _ = p[k]
            grads[k][0] += x.T @ d
            grads[k][1] += h_prev.T @ d
            grads[k][2] += d.sum(axis=0)
            dx += d @ Wx.T
            dh_prev += d @ Wh.T
        return dx, dh_prev, dc_prev


class TimeLSTM:
    """A layer over ``X (N, T, D)``: a list of cells, one per step."""

    GATES = ("i", "f", "g", "o")

    def __init__(self, W, U, b):
        H = U.shape[1]
        self.params = {
            k: (W[n * H:(n + 1) * H].T.copy(), U[n * H:(n + 1) * H].T.copy(),
                b[n * H:(n + 1) * H].copy())
            for n, k in enumerate(self.GATES)
        }
        self.cells = []
        self.grads = None

    def forward(self, X):
        N, T, _ = X.shape
        H = self.params["i"][1].shape[0]
        h = np.zeros((N, H), X.dtype)
        c = np.zeros((N, H), X.dtype)
        self.cells = []
        Y = np.empty((N, T, H), X.dtype)
        for t in range(T):
            cell = LSTMCell(self.params)
            h, c = cell.forward(X[:, t, :], h, c)
            Y[:, t, :] = h
            self.cells.append(cell)
        return Y

    def backward(self, dY):
        N, T, H = dY.shape
        D = self.params["i"][0].shape[0]
        self.grads = {k: [np.zeros_like(a) for a in v] for k, v in self.params.items()}
        dX = np.empty((N, T, D), dY.dtype)
        dh = np.zeros((N, H), dY.dtype)
        dc = np.zeros((N, H), dY.dtype)
        for t in reversed(range(T)):
            dx, dh, dc = self.cells[t].backward(dY[:, t, :] + dh, dc, self.grads)
            dX[:, t, :] = dx
        return dX

    def grads_as_lstmbook(self):
        """The gradients in lstmbook's layout: ``{"W": (4H, D), "U": (4H, H), "b": (4H,)}``."""
        g = self.grads
        return {
            "W": np.concatenate([g[k][0].T for k in self.GATES]),
            "U": np.concatenate([g[k][1].T for k in self.GATES]),
            "b": np.concatenate([g[k][2] for k in self.GATES]),
        }

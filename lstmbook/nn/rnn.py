"""Simple recurrent networks: Elman (the hidden state is fed back), Jordan (the output is fed
back), an echo-state network (fixed random reservoir, trained read-out) and the input window of
a time-delay network.

Elman, {ref}`eq-rnn-hidden`, row-vector form ``h_t = f(x_t W^T + h_{t-1} U^T + b)`` with
``W (H, D)``, ``U (H, H)``, ``b (H,)``; the bias is the weight ``w_j0`` of a constant input
``x_0 = 1``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, float_dtype, make_rng, positive_float, positive_int
from .activations import get_activation
from .protocol import RecurrentLayer


class RNNCache(NamedTuple):
    """What one Elman step keeps for its backward step."""

    x: np.ndarray
    h_prev: np.ndarray
    h: np.ndarray


def rnn_step(x_t, h_prev, params, nonlinearity="tanh"):
    """One Elman step, {ref}`eq-rnn-hidden`: ``h_t = f(x_t W^T + h_{t-1} U^T + b)``.

    Shapes ``x_t (N, D)``, ``h_prev (N, H)``; returns ``(h_t, cache)``.
    """
    f, _ = get_activation(nonlinearity)
    h = f(x_t @ params["W"].T + h_prev @ params["U"].T + params["b"])  # eq-rnn-hidden
    return h, RNNCache(x_t, h_prev, h)


def rnn_step_backward(dh_t, cache: RNNCache, params, nonlinearity="tanh"):
    """Backward of :func:`rnn_step` ({ref}`eq-bptt-delta`): ``(dx_t, dh_prev, grads)``.

    δ_t = ∂L/∂u_t = dh_t ⊙ f'(u_t); the error sent back in time is δ_t U.
    """
    _, df = get_activation(nonlinearity)
    delta = dh_t * df(cache.h)  # eq-bptt-delta
    grads = {"W": delta.T @ cache.x, "U": delta.T @ cache.h_prev, "b": delta.sum(axis=0)}
    return delta @ params["W"], delta @ params["U"], grads


class RNN(RecurrentLayer):
    """Elman RNN layer ({ref}`eq-rnn-hidden`), following the layer protocol
    (:mod:`lstmbook.nn.protocol`). State: ``h (N, H)``.

    ``backward`` fills ``grads`` with the weight gradients summed over time
    ({ref}`eq-bptt-weights`). ``nonlinearity`` is ``"tanh"`` (traditional) or ``"relu"``.
    """

    def __init__(self, input_size, hidden_size, *, nonlinearity="tanh", seed=None, rng=None,
                 dtype=np.float64):
        self.nonlinearity = nonlinearity
        self._f, self._df = get_activation(nonlinearity)
        super().__init__(input_size, hidden_size, seed=seed, rng=rng, dtype=dtype)

    def param_shapes(self) -> dict:
        """Parameter name -> shape (what the constructor allocates)."""
        H, D = self.hidden_size, self.input_size
        return {"W": (H, D), "U": (H, H), "b": (H,)}

    def forward(self, X, state=None):
        Xt, h0, A = self._project_inputs(X, state)
        T, N, _ = Xt.shape
        H = self.hidden_size
        h = h0
        UT = np.ascontiguousarray(self.params["U"].T)
        h_all = np.empty((T, N, H), self.dtype)
        for t in range(T):
            a = A[t]
            a += h @ UT
            h_all[t] = self._f(a)
            h = h_all[t]
        self._cache = (Xt, h0, h_all)
        return h_all.transpose(1, 0, 2), h.copy()

    def backward(self, dY, d_final_state=None):
        Xt, h0, h_all = self._need_cache()
        T, N, D = Xt.shape
        H = self.hidden_size
        dYt = self._check_dY(dY, (N, T, H)).transpose(1, 0, 2)
        dh = (self._zeros(N) if d_final_state is None
              else self._check_state_array(d_final_state, "d_final_state", N))
        dfs = self._df(h_all)  # f'(u_t) for every step at once
        dA = np.empty_like(h_all)
        dh_all = np.empty_like(h_all)
        U = self.params["U"]
        for t in range(T - 1, -1, -1):
            dh = dh + dYt[t]
            dh_all[t] = dh
            np.multiply(dh, dfs[t], out=dA[t])  # δ_t, eq-bptt-delta
            dh = dA[t] @ U
        dA2 = dA.reshape(T * N, H)
        h_prev_all = np.concatenate([h0[None], h_all[:-1]], axis=0).reshape(T * N, H)
        self.grads = {"W": dA2.T @ Xt.reshape(T * N, D), "U": dA2.T @ h_prev_all,
                      "b": dA2.sum(axis=0)}
        self.dh_seq = dh_all.transpose(1, 0, 2)
        dX = (dA2 @ self.params["W"]).reshape(T, N, D).transpose(1, 0, 2)
        return dX, dh


class JordanRNN(RecurrentLayer):
    """Jordan network: the previous *output* is fed back instead of the hidden state.

    ``h_t = f(x_t W^T + y_{t-1} U^T + b)``, ``y_t = g(h_t V^T + c)``, with ``W (H, D)``,
    ``U (H, O)``, ``V (O, H)``, ``b (H,)``, ``c (O,)``. Layer protocol
    (:mod:`lstmbook.nn.protocol`) with outputs ``Y (N, T, O)``. State: the last output
    ``y (N, O)``. This is the simplified Jordan network of most textbooks: Jordan's 1986 state
    units also had self-loops. Written step by step (it is a small variant).
    """

    def __init__(self, input_size, hidden_size, output_size, *, nonlinearity="tanh",
                 output_nonlinearity="identity", seed=None, rng=None, dtype=np.float64):
        self.output_size = positive_int(output_size, "output_size")
        self._f, self._df = get_activation(nonlinearity)
        self._g, self._dg = get_activation(output_nonlinearity)
        super().__init__(input_size, hidden_size, seed=seed, rng=rng, dtype=dtype)

    def param_shapes(self) -> dict:
        """Parameter name -> shape (what the constructor allocates)."""
        H, D, O = self.hidden_size, self.input_size, self.output_size
        return {"W": (H, D), "U": (H, O), "b": (H,), "V": (O, H), "c": (O,)}

    def forward(self, X, state=None):
        X = self._check_input(X)
        N, T, _ = X.shape
        O = self.output_size
        y = (self._zeros(N, O) if state is None
             else self._check_state_array(state, "state (y0)", N, O))
        p = self.params
        hs, ys, ins = [], [], []
        for t in range(T):
            ins.append(y)
            h = self._f(X[:, t] @ p["W"].T + y @ p["U"].T + p["b"])
            y = self._g(h @ p["V"].T + p["c"])
            hs.append(h)
            ys.append(y)
        self._cache = (X, ins, hs, ys)
        return np.stack(ys, axis=1), y.copy()

    def backward(self, dY, d_final_state=None):
        X, ins, hs, ys = self._need_cache()
        N, T, _ = X.shape
        O = self.output_size
        dYv = self._check_dY(dY, (N, T, O))
        p = self.params
        g = {k: np.zeros_like(v) for k, v in p.items()}
        dX = np.zeros_like(X)
        dy = (self._zeros(N, O) if d_final_state is None
              else self._check_state_array(d_final_state, "d_final_state", N, O))
        dh_all = np.empty((N, T, self.hidden_size), self.dtype)
        for t in range(T - 1, -1, -1):
            dy = dy + dYv[:, t]
            dv = dy * self._dg(ys[t])
            g["V"] += dv.T @ hs[t]
            g["c"] += dv.sum(axis=0)
            dh = dv @ p["V"]
            dh_all[:, t] = dh
            du = dh * self._df(hs[t])
            g["W"] += du.T @ X[:, t]
            g["U"] += du.T @ ins[t]
            g["b"] += du.sum(axis=0)
            dX[:, t] = du @ p["W"]
            dy = du @ p["U"]
        self.grads = g
        self.dh_seq = dh_all
        return dX, dy


def spectral_radius(M: np.ndarray) -> float:
    """The largest absolute eigenvalue of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(M))))


class EchoStateNetwork:
    """Echo-state network (Jaeger 2001): a fixed random reservoir, only the read-out is trained.

    ``h_t = tanh(x_t W_in^T + h_{t-1} W^T)`` with ``W`` rescaled to the given spectral radius
    (the usual recipe, ρ < 1; it is necessary for the "echo state" property, that the reservoir
    forgets its start, but not sufficient: the guarantee is the largest singular value
    ‖W‖₂ < 1, Jaeger 2001, and ρ ≤ ‖W‖₂); the read-out
    ``y_t = [h_t, 1] W_out^T`` is fitted by ridge regression (least squares), no gradient.
    """

    def __init__(self, input_size, reservoir_size, *, radius=0.9, input_scale=1.0,
                 density=1.0, seed=None, rng=None, dtype=np.float64):
        D = positive_int(input_size, "input_size")
        H = positive_int(reservoir_size, "reservoir_size")
        rho = positive_float(radius, "radius")
        scale = positive_float(input_scale, "input_scale")
        density = positive_float(density, "density")
        if density > 1:
            raise ValueError(f"density must be in (0, 1], got {density}")
        self.dtype = float_dtype(dtype)
        gen = make_rng(rng, seed)
        self.input_size, self.reservoir_size = D, H
        self.W_in = (gen.uniform(-scale, scale, size=(H, D))).astype(self.dtype)
        W = gen.uniform(-1, 1, size=(H, H)) * (gen.random((H, H)) < density)
        W *= rho / spectral_radius(W)
        self.W = W.astype(self.dtype)
        self.W_out = None

    def states(self, X, washout=0):
        """Reservoir states ``(N, T − washout, H)`` driven by ``X (N, T, D)``."""
        X = as_array(X, "X", 3)
        if X.shape[2] != self.input_size:
            raise ValueError(f"X must have shape (N, T, {self.input_size}), got {X.shape}")
        N, T, _ = X.shape
        if not 0 <= washout < T:
            raise ValueError(f"washout must be in [0, T={T}), got {washout}")
        h = np.zeros((N, self.reservoir_size), self.dtype)
        S = np.empty((N, T, self.reservoir_size), self.dtype)
        for t in range(T):
            h = np.tanh(X[:, t] @ self.W_in.T + h @ self.W.T)
            S[:, t] = h
        return S[:, washout:]

    def fit(self, X, Y, *, washout=0, ridge=1e-6):
        """Fit the read-out to targets ``Y (N, T, O)`` by ridge regression; returns self."""
        Y = as_array(Y, "Y", 3)
        S = self.states(X, washout)
        Yw = Y[:, washout:]
        if Yw.shape[:2] != S.shape[:2]:
            raise ValueError(f"Y must have shape (N, T, O) matching X, got {Y.shape}")
        Z = np.concatenate([S.reshape(-1, S.shape[2]), np.ones((S.shape[0] * S.shape[1], 1))], 1)
        T_ = Yw.reshape(-1, Yw.shape[2])
        A = Z.T @ Z + ridge * np.eye(Z.shape[1])
        self.W_out = np.linalg.solve(A, Z.T @ T_).T.astype(self.dtype)
        return self

    def predict(self, X, *, washout=0):
        """Read-out ``(N, T − washout, O)``; call :meth:`fit` first."""
        if self.W_out is None:
            raise RuntimeError("EchoStateNetwork.predict called before fit")
        S = self.states(X, washout)
        return S @ self.W_out[:, :-1].T + self.W_out[:, -1]


def delay_embed(X, window):
    """The input of a time-delay network: at step t, the last ``window`` inputs side by side.

    ``X (N, T, D) -> (N, T, window·D)`` with zeros before the sequence starts: memory without a
    cycle, limited to exactly ``window`` steps.
    """
    X = as_array(X, "X", 3)
    k = positive_int(window, "window")
    N, T, D = X.shape
    padded = np.concatenate([np.zeros((N, k - 1, D), X.dtype), X], axis=1)
    return np.concatenate([padded[:, j:j + T] for j in range(k - 1, -1, -1)], axis=2)

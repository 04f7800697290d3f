"""Plumbing shared by the recurrent layers: parameter initialisation, input and state checks.

Nothing here is maths the book teaches; it keeps each layer module about its own equations.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_shape, make_rng, positive_int

_DTYPES = (np.float32, np.float64)


def check_dtype(dtype) -> np.dtype:
    """Layers compute in float64 (gradient checks) or float32 (speed)."""
    dt = np.dtype(dtype)
    if dt not in [np.dtype(d) for d in _DTYPES]:
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return dt


class RecurrentLayer:
    """Base of the recurrent layers: holds ``params``/``grads`` dicts with the same keys.

    Subclasses define ``_shapes()`` (name -> shape) and the forward/backward passes.
    Parameters start uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` (PyTorch's default), drawn from a
    ``numpy.random.Generator`` built from ``seed`` or passed as ``rng``.
    """

    stateful = True

    def __init__(self, input_size, hidden_size, *, seed=None, rng=None, dtype=np.float64):
        self.input_size = positive_int(input_size, "input_size")
        self.hidden_size = positive_int(hidden_size, "hidden_size")
        self.dtype = check_dtype(dtype)
        gen = make_rng(rng, seed)
        bound = 1.0 / np.sqrt(self.hidden_size)
        self.params = {
            name: gen.uniform(-bound, bound, size=shape).astype(self.dtype)
            for name, shape in self._shapes().items()
        }
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._cache = None
        self.dh_seq = None

    def _shapes(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(input_size={self.input_size}, "
                f"hidden_size={self.hidden_size})")

    # -- checks ---------------------------------------------------------------------------
    def _check_input(self, X, name="X") -> np.ndarray:
        X = as_array(X, name, 3)
        if X.shape[2] != self.input_size:
            raise ValueError(
                f"{name} must have shape (N, T, {self.input_size}) (batch, time, features), "
                f"got {X.shape}"
            )
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"{name} must have at least one sequence and one step, got {X.shape}")
        return X.astype(self.dtype, copy=False)

    def _check_state_array(self, s, name, N, size=None) -> np.ndarray:
        size = self.hidden_size if size is None else size
        s = as_array(s, name, 2)
        check_shape(s, name, (N, size))
        return s.astype(self.dtype, copy=False)

    def _project_inputs(self, X, state):
        """Start of a forward pass for layers whose state is one array ``h``: the checked input
        time-major ``Xt (T, N, D)``, the initial state ``h0 (N, H)`` (zeros when ``state`` is
        None) and the input projection of every step in one product, ``A = X W^T + b``
        ``(T, N, rows of W)``. The loop over time then adds only the recurrent part."""
        X = self._check_input(X)
        N, T, D = X.shape
        h0 = self._zeros(N) if state is None else self._check_state_array(state, "state (h0)", N)
        Xt = np.ascontiguousarray(X.transpose(1, 0, 2))
        A = (Xt.reshape(T * N, D) @ self.params["W"].T).reshape(T, N, -1)
        A += self.params["b"]
        return Xt, h0, A

    def _zeros(self, N, size=None) -> np.ndarray:
        return np.zeros((N, self.hidden_size if size is None else size), dtype=self.dtype)

    def _need_cache(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._cache

    def _check_dY(self, dY, shape) -> np.ndarray:
        dY = as_array(dY, "d_outputs", 3)
        check_shape(dY, "d_outputs", shape)
        return dY.astype(self.dtype, copy=False)

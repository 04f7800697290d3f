"""The layer protocol, written once, and the base class that the recurrent layers share.

**Recurrent layers** (``RNN``, ``JordanRNN``, ``LSTM``, ``GRU`` and the containers ``Stack``,
``Bidirectional``) carry a state across time steps and have ``recurrent = True``:

- ``layer.params`` and ``layer.grads`` are dicts of arrays with the same keys. Parameter arrays
  are never rebound: optimizers and clipping update them in place, so a container can expose its
  children's arrays under prefixed keys (``"0.W"``, ``"fwd.W"``).
- ``forward(X, state=None) -> (Y, final_state)`` with ``X (N, T, D)`` batch-first and
  ``Y (N, T, H)``; ``state=None`` starts from zeros.
- ``backward(dY, d_final_state=None) -> (dX, d_initial_state)`` fills ``grads`` (overwrites:
  the gradients of this one forward pass, summed over time) and ``dh_seq`` ``(N, T, H)``, the
  gradient ∂L/∂h_t that reached each step through time and from the output.
- ``state`` and ``d_final_state`` / ``d_initial_state`` have the same structure, which each
  class names in its docstring ("State: ..."): one array ``h (N, H)``; a tuple ``(h, c)``; a
  list with one state per layer; a tuple ``(fwd_state, bwd_state)``.

**Time-distributed layers** (``Linear``) have no state and ``recurrent = False``:
``forward(X) -> Y`` on ``(..., D)`` and ``backward(dY) -> dX``.

The rest of this module is plumbing (initialisation, input and state checks), not maths the book
teaches; it keeps each layer module about its own equations.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_shape, float_dtype, make_rng, positive_int


def count_params(layer) -> int:
    """Number of trainable numbers in a layer or model (anything with a ``params`` dict): the
    sum of its parameter sizes, biases included."""
    params = getattr(layer, "params", None)
    if not isinstance(params, dict):
        raise TypeError(f"layer must have a params dict, got {type(layer).__name__}")
    return int(sum(p.size for p in params.values()))


class RecurrentLayer:
    """Base of the recurrent layers (the protocol above): ``params``/``grads`` dicts with the
    same keys, argument checks, zero states.

    Subclasses define ``param_shapes()`` (name -> shape) and the forward/backward passes.
    Parameters start uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` (PyTorch's default), drawn from a
    ``numpy.random.Generator`` built from ``seed`` or passed as ``rng``.
    """

    recurrent = True

    def __init__(self, input_size, hidden_size, *, seed=None, rng=None, dtype=np.float64):
        self.input_size = positive_int(input_size, "input_size")
        self.hidden_size = positive_int(hidden_size, "hidden_size")
        self.dtype = float_dtype(dtype)
        gen = make_rng(rng, seed)
        bound = 1.0 / np.sqrt(self.hidden_size)
        self.params = {
            name: gen.uniform(-bound, bound, size=shape).astype(self.dtype)
            for name, shape in self.param_shapes().items()
        }
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._cache = None
        self.dh_seq = None

    def param_shapes(self) -> dict:  # pragma: no cover - abstract
        """Parameter name -> shape; each layer defines its own."""
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

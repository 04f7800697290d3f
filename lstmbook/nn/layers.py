"""Layers that compose recurrent layers: a time-distributed Linear read-out, a Stack of layers
(multi-layer / 多層) and a Bidirectional pair (双方向).

Containers expose their children's arrays under prefixed keys (``"0.W"``, ``"fwd.W"``): the
arrays are the children's own, so an optimizer stepping the container steps the children.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, float_dtype, make_rng, positive_int


class Linear:
    """Time-distributed affine map ``y = x W^T + b`` ({ref}`eq-rnn-output`) on ``(..., D)``.

    ``W (O, D)``, ``b (O,)``. A time-distributed layer of the protocol
    (:mod:`lstmbook.nn.protocol`): no state; ``backward`` fills ``grads`` (summed over batch and
    time).
    """

    recurrent = False

    def __init__(self, input_size, output_size, *, seed=None, rng=None, dtype=np.float64):
        self.input_size = positive_int(input_size, "input_size")
        self.output_size = positive_int(output_size, "output_size")
        self.dtype = float_dtype(dtype)
        gen = make_rng(rng, seed)
        bound = 1.0 / np.sqrt(self.input_size)
        self.params = {
            "W": gen.uniform(-bound, bound, (self.output_size, self.input_size)).astype(self.dtype),
            "b": gen.uniform(-bound, bound, (self.output_size,)).astype(self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._X = None

    def __repr__(self):
        return f"Linear(input_size={self.input_size}, output_size={self.output_size})"

    def forward(self, X):
        X = as_array(X, "X", (2, 3))
        if X.shape[-1] != self.input_size:
            raise ValueError(
                f"X must have last dimension {self.input_size} (features), got shape {X.shape}"
            )
        X = X.astype(self.dtype, copy=False)
        self._X = X
        return X @ self.params["W"].T + self.params["b"]

    def backward(self, dY):
        if self._X is None:
            raise RuntimeError("Linear.backward called before forward")
        dY = as_array(dY, "d_outputs", self._X.ndim)
        want = self._X.shape[:-1] + (self.output_size,)
        if dY.shape != want:
            raise ValueError(f"d_outputs must have shape {want}, got {dY.shape}")
        X2 = self._X.reshape(-1, self.input_size)
        dY2 = dY.reshape(-1, self.output_size)
        self.grads = {"W": dY2.T @ X2, "b": dY2.sum(axis=0)}
        return dY @ self.params["W"]


def _is_recurrent(layer) -> bool:
    return all(hasattr(layer, a) for a in ("forward", "backward", "params", "grads")) and getattr(
        layer, "recurrent", True
    )


def _merge(children: dict, attr: str) -> dict:
    return {f"{name}.{k}": v for name, child in children.items()
            for k, v in getattr(child, attr).items()}


def _split(children: dict, values: dict) -> None:
    """Hand prefixed gradients back to the children (the inverse of ``_merge``)."""
    want = set(_merge(children, "params"))
    if set(values) != want:
        raise ValueError(f"grads must have exactly the keys {sorted(want)}, got {sorted(values)}")
    for name, child in children.items():
        child.grads = {k: values[f"{name}.{k}"] for k in child.params}


class Container:
    """A layer made of named children: ``params``/``grads`` are the children's own arrays under
    prefixed keys (``"0.W"``, ``"fwd.W"``); setting ``grads`` hands them back to the children.
    Subclasses define ``_children() -> {prefix: child}``."""

    def _children(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def params(self):
        return _merge(self._children(), "params")

    @property
    def grads(self):
        return _merge(self._children(), "grads")

    @grads.setter
    def grads(self, values):
        _split(self._children(), values)


class Stack(Container):
    """Multi-layer recurrent network: layer k's outputs are layer k+1's inputs. Layer protocol
    (:mod:`lstmbook.nn.protocol`). State: a list with one state per layer (``None`` for zeros).
    """

    recurrent = True

    def __init__(self, layers):
        if not isinstance(layers, list | tuple) or len(layers) == 0:
            raise TypeError("layers must be a non-empty list of recurrent layers")
        for k, layer in enumerate(layers):
            if not _is_recurrent(layer):
                raise TypeError(
                    f"layers[{k}] must be a recurrent layer, got {type(layer).__name__}")
        for k in range(1, len(layers)):
            prev_out = _output_size(layers[k - 1])
            if layers[k].input_size != prev_out:
                raise ValueError(
                    f"layers[{k}].input_size must equal the previous layer's output size "
                    f"{prev_out}, got {layers[k].input_size}"
                )
        self.layers = list(layers)
        self.input_size = layers[0].input_size
        self.hidden_size = _output_size(layers[-1])


    def _children(self):
        return {str(k): la for k, la in enumerate(self.layers)}

    def _per_layer(self, states, name):
        if states is None:
            return [None] * len(self.layers)
        if not isinstance(states, list | tuple) or len(states) != len(self.layers):
            raise TypeError(f"{name} must be a list with one state per layer "
                            f"({len(self.layers)}), got {type(states).__name__}")
        return list(states)

    def forward(self, X, state=None):
        states = self._per_layer(state, "state")
        finals = []
        for layer, s in zip(self.layers, states, strict=True):
            X, f = layer.forward(X, s)
            finals.append(f)
        return X, finals

    def backward(self, dY, d_final_state=None):
        ds = self._per_layer(d_final_state, "d_final_state")
        d_init = [None] * len(self.layers)
        for k in range(len(self.layers) - 1, -1, -1):
            dY, d_init[k] = self.layers[k].backward(dY, ds[k])
        return dY, d_init


def _output_size(layer) -> int:
    return getattr(layer, "output_size", None) or layer.hidden_size


class Bidirectional(Container):
    """Two recurrent layers read the sequence forwards and backwards; outputs concatenated.

    ``Y[:, t] = [h→_t, h←_t]`` of size ``H_fwd + H_bwd`` ({ref}`eq-birnn`). Layer protocol
    (:mod:`lstmbook.nn.protocol`). State: a tuple ``(fwd_state, bwd_state)``; the backward
    layer's "final" state is the one after reading step 0.
    """

    recurrent = True

    def __init__(self, fwd, bwd):
        for name, la in (("fwd", fwd), ("bwd", bwd)):
            if not _is_recurrent(la):
                raise TypeError(f"{name} must be a recurrent layer, got {type(la).__name__}")
        if fwd.input_size != bwd.input_size:
            raise ValueError(f"bwd.input_size must equal fwd.input_size {fwd.input_size}, "
                             f"got {bwd.input_size}")
        self.fwd, self.bwd = fwd, bwd
        self.input_size = fwd.input_size
        self.hidden_size = _output_size(fwd) + _output_size(bwd)

    def _children(self):
        return {"fwd": self.fwd, "bwd": self.bwd}


    @staticmethod
    def _pair(state, name):
        if state is None:
            return None, None
        if not isinstance(state, tuple | list) or len(state) != 2:
            raise TypeError(f"{name} must be a tuple (fwd_state, bwd_state), "
                            f"got {type(state).__name__}")
        return state

    def forward(self, X, state=None):
        sf, sb = self._pair(state, "state")
        X = as_array(X, "X", 3)
        Yf, ff = self.fwd.forward(X, sf)
        Yb, fb = self.bwd.forward(np.ascontiguousarray(X[:, ::-1]), sb)
        return np.concatenate([Yf, Yb[:, ::-1]], axis=2), (ff, fb)

    def backward(self, dY, d_final_state=None):
        df, db = self._pair(d_final_state, "d_final_state")
        Hf = _output_size(self.fwd)
        dY = as_array(dY, "d_outputs", 3)
        dXf, d0f = self.fwd.backward(np.ascontiguousarray(dY[:, :, :Hf]), df)
        dXb, d0b = self.bwd.backward(np.ascontiguousarray(dY[:, ::-1, Hf:]), db)
        return dXf + dXb[:, ::-1], (d0f, d0b)

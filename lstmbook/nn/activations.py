"""Activation functions and their derivatives, softmax and log-softmax.

All functions are overflow-safe: ``sigmoid(±1000)`` and ``softmax`` of huge logits return
finite values without a NumPy warning.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid σ(x) = 1 / (1 + e^{-x}) ({ref}`eq-sigmoid`), computed without overflow.

    Uses σ(x) = e^{x} / (1 + e^{x}) for negative x so that ``exp`` never sees a large argument.
    """
    x = np.asarray(x)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(y: np.ndarray) -> np.ndarray:
    """σ'(x) written through the output y = σ(x): σ' = σ(1 − σ) ({ref}`eq-sigmoid-grad`)."""
    return y * (1.0 - y)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent (NumPy's, which is already overflow-safe)."""
    return np.tanh(x)


def tanh_grad(y: np.ndarray) -> np.ndarray:
    """tanh'(x) written through the output y = tanh(x): 1 − y² ({ref}`eq-tanh-grad`)."""
    return 1.0 - y * y


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit max(0, x)."""
    return np.maximum(x, 0.0)


def relu_grad(y: np.ndarray) -> np.ndarray:
    """ReLU'(x) written through the output y = relu(x): 1 where y > 0, else 0."""
    return (y > 0).astype(y.dtype)


def identity(x: np.ndarray) -> np.ndarray:
    """The identity, for linear units."""
    return x


def identity_grad(y: np.ndarray) -> np.ndarray:
    """Derivative of the identity: ones."""
    return np.ones_like(y)


#: name -> (f, f' expressed through f's output). Derivatives through outputs let the backward
#: pass reuse what the forward pass stored.
ACTIVATIONS = {
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "identity": (identity, identity_grad),
}


def get_activation(name: str):
    """Look up an activation by name; an unknown name raises ValueError listing the choices."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"nonlinearity must be one of {sorted(ACTIVATIONS)}, got {name!r}"
        )
    return ACTIVATIONS[name]


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(z) = z − logsumexp(z), shifted by the maximum so nothing overflows."""
    z = np.asarray(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(z)_k = e^{z_k} / Σ_j e^{z_j} ({ref}`eq-softmax`), shifted by the maximum."""
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)

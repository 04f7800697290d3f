"""Finite-difference gradient checks: the reader's (and the tests') proof that a backward pass
is right ({ref}`eq-central-difference`).

Central differences ``(L(θ + ε) − L(θ − ε)) / 2ε`` have error O(ε²); in float64 with
ε = 1e-6 a correct gradient agrees to about 1e-8 relative error or better.
"""

from __future__ import annotations

import numpy as np

from ._checks import make_rng


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂f/∂x by central differences; ``f()`` takes no argument and reads ``x`` (changed in place
    and restored)."""
    g = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + eps
        fp = f()
        x[idx] = old - eps
        fm = f()
        x[idx] = old
        g[idx] = (fp - fm) / (2 * eps)
    return g


def relative_error(a, b) -> float:
    """‖a − b‖ / max(‖a‖, ‖b‖); 0 when both are zero."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def _leaves(struct):
    """The arrays of a state: an array, or nested tuples/lists of arrays (None skipped)."""
    if struct is None:
        return []
    if isinstance(struct, np.ndarray):
        return [struct]
    return [a for s in struct for a in _leaves(s)]


def _like(struct, arrays):
    """Rebuild ``struct``'s nesting with the next arrays of the iterator ``arrays``."""
    if struct is None:
        return None
    if isinstance(struct, np.ndarray):
        return next(arrays)
    return type(struct)(_like(s, arrays) for s in struct)


def check_layer_gradients(layer, X, state=None, *, seed=0, eps=1e-6) -> dict[str, float]:
    """Compare a layer's backward pass with finite differences, for every parameter, the input
    ``X`` and (when given) every array of the initial ``state``.

    The scalar checked is ``L = Σ Y ⊙ R + Σ final_state ⊙ R'`` with fixed random ``R``, so
    every output and the final state carry gradient. Returns ``{name: relative error}`` with
    keys ``param names``, ``"X"`` and ``"state[k]"``. Use float64 layers.
    """
    gen = make_rng(seed=seed)
    recurrent = getattr(layer, "recurrent", True)

    def run():
        return layer.forward(X, state) if recurrent else (layer.forward(X), None)

    Y, final = run()
    RY = gen.standard_normal(Y.shape)
    R_final = [gen.standard_normal(a.shape) for a in _leaves(final)]

    def loss():
        Yv, fv = run()
        return float(np.sum(Yv * RY) + sum(np.sum(a * r) for a, r in
                                           zip(_leaves(fv), R_final, strict=True)))

    run()
    if recurrent:
        d_final = _like(final, iter(R_final))
        dX, d_state = layer.backward(RY, d_final)
    else:
        dX, d_state = layer.backward(RY), None
    analytic = {k: v.copy() for k, v in layer.grads.items()}
    errors = {}
    for name, p in layer.params.items():
        errors[name] = relative_error(analytic[name], numerical_gradient(loss, p, eps))
    errors["X"] = relative_error(dX, numerical_gradient(loss, X, eps))
    leaves = _leaves(state)
    d_leaves = _leaves(d_state) if leaves else []
    for k, (s, ds) in enumerate(zip(leaves, d_leaves, strict=True)):
        errors[f"state[{k}]"] = relative_error(ds, numerical_gradient(loss, s, eps))
    return errors


def check_loss_gradient(loss_fn, pred, *args, eps=1e-6, **kwargs) -> float:
    """Relative error between ``loss_fn(pred, ...)[1]`` and finite differences in ``pred``."""
    _, analytic = loss_fn(pred, *args, **kwargs)
    numeric = numerical_gradient(lambda: loss_fn(pred, *args, **kwargs)[0], pred, eps)
    return relative_error(analytic, numeric)

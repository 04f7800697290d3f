"""Optimizers: SGD with momentum, and Adam (Kingma & Ba 2015).

An optimizer takes one layer or a list of layers — anything with ``params`` and ``grads`` dicts
of arrays with the same keys — and updates the parameter arrays **in place** (never rebinding
them), so every object that shares an array sees the new values::

    opt = Adam([rnn, head], lr=1e-3)
    for X, y in batches:
        ...forward, loss, backward (fills the grads)...
        clip_grad_norm([rnn, head], 1.0)
        opt.step()

``backward`` overwrites the gradients, so ``zero_grad()`` is only needed when you accumulate
gradients yourself. ``lr`` is a plain attribute: a schedule changes it between steps
(``opt.lr /= 2``, or :class:`StepLR`). Optimizer state (velocities, moments) is kept per
parameter under the key ``(layer index, parameter name)`` in ``opt.state``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, fraction, positive_float, positive_int

__all__ = ["SGD", "Adam", "Optimizer", "StepLR", "halve_every"]


class Optimizer:
    """Base class: holds the layers, the learning rate and the per-parameter state."""

    def __init__(self, layers, lr):
        if isinstance(layers, list | tuple):
            layers = list(layers)
        else:
            layers = [layers]
        if not layers:
            raise ValueError("layers must contain at least one layer, got an empty list")
        for k, layer in enumerate(layers):
            if not (
                isinstance(getattr(layer, "params", None), dict)
                and isinstance(getattr(layer, "grads", None), dict)
            ):
                raise TypeError(
                    f"layers[{k}] must have .params and .grads dicts of arrays (a layer), "
                    f"got {type(layer).__name__}"
                )
        self.layers = layers
        self.lr = lr
        self.state: dict[tuple[int, str], dict[str, np.ndarray]] = {}
        self._pairs()  # check keys and shapes now, not at the first step

    @property
    def lr(self) -> float:
        """The learning rate; assigning a new value (a schedule) checks it is a number > 0."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = positive_float(value, "lr")

    def _pairs(self):
        """``[((layer index, name), param, grad), ...]`` after checking keys, types and shapes.

        Grads are looked up afresh at every step (``backward`` may rebind them). A parameter
        array reached twice (a ``Stack`` and its child both passed) is updated only once.
        """
        pairs, seen = [], set()
        for k, layer in enumerate(self.layers):
            params, grads = layer.params, layer.grads
            if params.keys() != grads.keys():
                missing = sorted(set(params) - set(grads))
                extra = sorted(set(grads) - set(params))
                raise ValueError(
                    f"layers[{k}].grads must have the same keys as its params; "
                    f"missing {missing}, unexpected {extra}"
                )
            for name, p in params.items():
                p = as_array(p, f"layers[{k}].params[{name!r}]", finite=False)
                g = as_array(grads[name], f"layers[{k}].grads[{name!r}]", finite=False)
                if g.shape != p.shape:
                    raise ValueError(
                        f"layers[{k}].grads[{name!r}] must have the shape of its parameter "
                        f"{p.shape}, got {g.shape}"
                    )
                if id(p) in seen:
                    continue
                seen.add(id(p))
                pairs.append(((k, name), p, g))
        return pairs

    def _checked_pairs(self):
        """The pairs, refusing to step at all when any gradient is NaN or infinite."""
        pairs = self._pairs()
        for (k, name), _, g in pairs:
            if not np.all(np.isfinite(g)):
                raise FloatingPointError(
                    f"layers[{k}].grads[{name!r}] contains NaN or infinity: training diverged. "
                    "Lower the learning rate or clip the gradients "
                    "(lstmbook.nn.clipping.clip_grad_norm). No parameter was changed."
                )
        return pairs

    def zero_grad(self) -> None:
        """Fill every gradient array with zeros, in place."""
        for _, _, g in self._pairs():
            g.fill(0)

    def step(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (heavy-ball) momentum μ.

    For every parameter p with gradient g::

        v ← μ v + g        (v starts at 0)
        p ← p − lr · v

    With ``momentum=0`` this is plain p ← p − lr · g. Requires lr > 0 and 0 ≤ momentum < 1.
    """

    def __init__(self, layers, lr, momentum: float = 0.0):
        self.momentum = fraction(momentum, "momentum")
        super().__init__(layers, lr)

    def step(self) -> None:
        """Apply one update to every parameter, in place."""
        for key, p, g in self._checked_pairs():
            if self.momentum:
                state = self.state.setdefault(key, {"velocity": np.zeros_like(p)})
                v = state["velocity"]
                v *= self.momentum
                v += g
                p -= self.lr * v
            else:
                p -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction.

    At step t = 1, 2, … for every parameter p with gradient g (m and v start at 0)::

        m ← β1 m + (1 − β1) g
        v ← β2 v + (1 − β2) g²
        m̂ = m / (1 − β1^t),   v̂ = v / (1 − β2^t)
        p ← p − lr · m̂ / (√v̂ + ε)

    The moments have the parameter's dtype, so float32 parameters stay float32. Requires
    lr > 0, 0 ≤ β1, β2 < 1 and ε > 0.
    """

    def __init__(self, layers, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        if not isinstance(betas, list | tuple) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (fraction(betas[0], "betas[0]"), fraction(betas[1], "betas[1]"))
        self.eps = positive_float(eps, "eps")
        self.t = 0  # number of steps taken
        super().__init__(layers, lr)

    def step(self) -> None:
        """Apply one update to every parameter, in place."""
        pairs = self._checked_pairs()
        self.t += 1
        b1, b2 = self.betas
        c1 = 1.0 - b1**self.t  # bias corrections
        c2 = 1.0 - b2**self.t
        for key, p, g in pairs:
            state = self.state.setdefault(key, {"m": np.zeros_like(p), "v": np.zeros_like(p)})
            m, v = state["m"], state["v"]
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * np.square(g)
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


class StepLR:
    """Multiply the optimizer's learning rate by ``factor`` every ``every`` calls of ``step()``.

    Call ``step()`` once per epoch: ``StepLR(opt, every=10)`` halves ``opt.lr`` after epochs
    10, 20, ….
    """

    def __init__(self, optimizer: Optimizer, every: int, factor: float = 0.5):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be an lstmbook optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.every = positive_int(every, "every")
        self.factor = positive_float(factor, "factor")
        self.count = 0

    def step(self) -> None:
        """Count one epoch; change the learning rate when the count reaches a multiple of every."""
        self.count += 1
        if self.count % self.every == 0:
            self.optimizer.lr = self.optimizer.lr * self.factor


def halve_every(optimizer: Optimizer, every: int) -> StepLR:
    """``StepLR(optimizer, every, factor=0.5)``: halve the learning rate every ``every`` epochs."""
    return StepLR(optimizer, every, 0.5)

"""Gradient clipping: rescale by the global norm ({ref}`eq-clip-norm`), or clip each value.

Clipping by norm shrinks the whole gradient vector, every parameter by the same factor, so the
update keeps its direction and only its length is capped. Clipping by value cuts each entry on
its own and so changes the direction; the book shows it for contrast.

Both functions change the gradient arrays **in place** and accept the same ``grads``:

- a dict of arrays (a layer's ``grads``),
- a layer, or anything with a ``.grads`` dict,
- a list or tuple of any of these (``[rnn, head]``, or a list of arrays).

An array reached twice (a ``Stack`` and one of its children passed together) counts once.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, positive_float

__all__ = ["clip_grad_norm", "clip_grad_value", "global_norm"]


def _arrays(grads, name: str = "grads"):
    """Yield every gradient array in ``grads`` once (see the module docstring for the forms).

    Raises TypeError naming the offending entry when something is not a float array.
    """
    seen: set[int] = set()

    def walk(obj, where):
        if isinstance(obj, np.ndarray):
            as_array(obj, where, finite=False)  # float dtype; NaN is the caller's business
            if id(obj) not in seen:
                seen.add(id(obj))
                yield obj
        elif isinstance(obj, dict):
            for key, value in obj.items():
                yield from walk(value, f"{where}[{key!r}]")
        elif isinstance(obj, list | tuple):
            for k, value in enumerate(obj):
                yield from walk(value, f"{where}[{k}]")
        elif isinstance(getattr(obj, "grads", None), dict):
            yield from walk(obj.grads, f"{where}.grads")
        else:
            raise TypeError(
                f"{where} must be a numpy array, a dict or list of arrays, or a layer with a "
                f".grads dict; got {type(obj).__name__}"
            )

    yield from walk(grads, name)


def global_norm(grads) -> float:
    """The Euclidean norm of all gradients taken together, ‖g‖ = sqrt(Σ_arrays Σ_entries g²).

    Computed in float64 and scaled by the largest entry, so float32 gradients and huge values
    (1e200) give the right norm without overflow. Returns ``nan`` or ``inf`` (no warning) when
    some entry is not finite; an empty collection has norm 0.
    """
    arrays = [a for a in _arrays(grads) if a.size]
    if not arrays:
        return 0.0
    biggest = float(np.max([np.max(np.abs(a)) for a in arrays]))  # NaN if any entry is NaN
    if biggest == 0.0 or not np.isfinite(biggest):
        return biggest  # 0, inf or nan
    total = 0.0
    for a in arrays:
        scaled = (a.astype(np.float64, copy=False) / biggest).ravel()  # entries in [-1, 1]
        total += float(scaled @ scaled)
    return biggest * float(np.sqrt(total))


def clip_grad_norm(grads, max_norm) -> float:
    """Rescale the gradients in place so that their global norm is at most ``max_norm``.

    Implements {ref}`eq-clip-norm`: with ‖g‖ the global norm of all the arrays,

        g ← g · max_norm / ‖g‖    when ‖g‖ > max_norm,  and g is left untouched otherwise.

    Every array is multiplied by the same factor, once, so the direction is kept. A zero
    gradient stays zero (no division happens). Returns the norm **before** clipping, the value
    worth logging. Raises ValueError/TypeError for ``max_norm`` that is not a finite number > 0,
    and FloatingPointError, changing nothing, when the norm is NaN or infinite (rescaling
    cannot repair it).
    """
    max_norm = positive_float(max_norm, "max_norm")
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise FloatingPointError(
            f"the gradient norm is {norm}: some gradient contains NaN or infinity, so clipping "
            "cannot rescale it. Training diverged before this step; lower the learning rate, or "
            "clip earlier with a smaller max_norm."
        )
    if norm > max_norm:
        scale = max_norm / norm  # eq-clip-norm
        for a in _arrays(grads):
            a *= scale
    return norm


def clip_grad_value(grads, clip_value) -> None:
    """Clip every gradient entry in place to the interval [−clip_value, clip_value].

    Unlike :func:`clip_grad_norm` this changes the direction of the gradient (large entries
    are cut, small ones kept). NaN entries stay NaN. Raises ValueError/TypeError for a
    ``clip_value`` that is not a finite number > 0.
    """
    clip_value = positive_float(clip_value, "clip_value")
    for a in _arrays(grads):
        np.clip(a, -clip_value, clip_value, out=a)

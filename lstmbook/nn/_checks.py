"""Argument checks shared by every module: clear errors instead of NumPy broadcasting traces.

Every check names the argument, what was expected and what was received.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_array(x, name: str, ndim: int | tuple[int, ...] | None = None, *, finite: bool = True):
    """Return ``x`` as a float ndarray after checking its type, rank and values.

    Raises TypeError when ``x`` is not a NumPy array of real floating-point numbers (a list
    is refused on purpose: silent conversion hides shape mistakes), ValueError for a wrong
    rank or non-finite entries.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy.ndarray of floats, got {type(x).__name__}"
            + (" (convert it with np.asarray(...))" if isinstance(x, list | tuple) else "")
        )
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"{name} must have a floating-point dtype (float32 or float64), got {x.dtype}"
        )
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if x.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimensions, got shape {x.shape}")
    if finite and not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity; expected finite values")
    return x


def int_array(x, name: str, ndim: int | None = None) -> np.ndarray:
    """An ndarray of integers (token ids, lengths); a list is refused, as for float arrays."""
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy.ndarray of integers, got {type(x).__name__}"
            + (" (convert it with np.asarray(...))" if isinstance(x, list | tuple) else "")
        )
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"{name} must have an integer dtype, got {x.dtype}")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {x.shape}")
    return x


def float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """The compute dtype of a layer or a data set: float64 (gradient checks) or float32 (speed)."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"{name} must be float32 or float64, got {dtype!r}") from err
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be float32 or float64, got {dt}")
    return dt


def check_shape(x: np.ndarray, name: str, shape: tuple) -> None:
    """Check ``x.shape`` against ``shape`` (``None`` entries match any size)."""
    if len(x.shape) != len(shape) or any(
        s is not None and s != xs for s, xs in zip(shape, x.shape, strict=False)
    ):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {x.shape}")


def positive_int(n, name: str) -> int:
    """A size argument: a positive Python or NumPy integer."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {type(n).__name__} {n!r}")
    if n <= 0:
        raise ValueError(f"{name} must be a positive integer, got {n}")
    return int(n)


def nonnegative_int(n, name: str) -> int:
    """A count that may be zero (a delay, a number of steps)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 0, got {type(n).__name__} {n!r}")
    if n < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {n}")
    return int(n)


def real_number(x, name: str) -> float:
    """Any finite real number (a weight, a bias)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r}")
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    return float(x)


def nonnegative_float(x, name: str) -> float:
    """A finite number >= 0 (a noise level, a period)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a number >= 0, got {type(x).__name__} {x!r}")
    if not np.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {x}")
    return float(x)


def probability(x, name: str) -> float:
    """A probability: a number in [0, 1]."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a probability in [0, 1], got {type(x).__name__} {x!r}")
    if not 0.0 <= x <= 1.0:  # also refuses NaN
        raise ValueError(f"{name} must be a probability in [0, 1], got {x}")
    return float(x)


def fraction(x, name: str) -> float:
    """A decay rate or a dropout rate: a number in [0, 1)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {type(x).__name__} {x!r}")
    if not 0.0 <= x < 1.0:  # also refuses NaN
        raise ValueError(f"{name} must be a number in [0, 1), got {x}")
    return float(x)


def positive_float(x, name: str) -> float:
    """A threshold or rate: a finite number > 0."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {type(x).__name__} {x!r}")
    if not np.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {x}")
    return float(x)


def one_of(value, options, name: str):
    """A choice among named options (a nonlinearity, a reduction, a cell type)."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def seed_list(seeds, name: str = "seeds") -> tuple[int, ...]:
    """A non-empty list or tuple of integer seeds >= 0 (the paired runs of a comparison)."""
    if not isinstance(seeds, list | tuple | range) or len(seeds) == 0:
        raise TypeError(f"{name} must be a non-empty list or tuple of integers, got {seeds!r}")
    return tuple(nonnegative_int(s, f"{name}[{k}]") for k, s in enumerate(seeds))


def make_rng(rng=None, seed=None) -> np.random.Generator:
    """The one way randomness enters lstmbook: a Generator passed in, or one built from seed."""
    if rng is not None and seed is not None:
        raise ValueError("pass either rng or seed, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    return np.random.default_rng(seed)


def check_finite_loss(value: float, where: str) -> None:
    """Stop training with a message when a loss or gradient norm is no longer finite."""
    if not np.isfinite(value):
        raise FloatingPointError(
            f"{where} is {value}: training diverged. Lower the learning rate or clip the gradients "
            "(lstmbook.nn.clipping.clip_grad_norm)."
        )

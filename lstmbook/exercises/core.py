"""Graders for the reader's code, with kind feedback.

A grader runs the reader's function on a few named cases and returns a :class:`Result`: one line
per case, passed or failed, and for a failure the reason in plain words (wrong shape, wrong
values and where, an exception and its message, or a hint about the likely mistake).

The machinery is generic: a chapter builds a list of :class:`Case` objects and calls
:func:`grade`. Chapter graders:

- :func:`check_last_valid` (chapter 1): the many-to-one read-out at each sequence's last step.
"""

from __future__ import annotations

import textwrap
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["FAIL", "PASS", "Case", "CaseResult", "Result", "compare", "grade"]

PASS, FAIL = "✓", "✗"


@dataclass(frozen=True)
class Case:
    """One test of the reader's function: ``fn(*args, **kwargs)`` should give ``expected``.

    ``hint(output)`` may return a sentence explaining a wrong ``output`` (the likely mistake),
    or None; when the function raised, ``hint`` receives the exception instead. Arrays in
    ``args`` are copied before each call, and a function that changes its inputs in place fails
    the case.
    """

    name: str
    args: tuple
    expected: Any
    kwargs: dict = field(default_factory=dict)
    hint: Callable[[Any], str | None] | None = None
    rtol: float = 1e-7
    atol: float = 1e-10


@dataclass(frozen=True)
class CaseResult:
    name: str
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class Result:
    """The report of a grader: ``bool(result)`` is True when every case passed."""

    title: str
    cases: tuple[CaseResult, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)

    def __bool__(self) -> bool:
        return self.passed

    def failed(self) -> list[str]:
        """Names of the failed cases."""
        return [c.name for c in self.cases if not c.passed]

    def __str__(self) -> str:
        n_ok = sum(c.passed for c in self.cases)
        lines = [f"{self.title}: {n_ok} of {len(self.cases)} cases passed"]
        for c in self.cases:
            lines.append(f"  {PASS if c.passed else FAIL} {c.name}")
            if not c.passed:
                for line in c.reason.splitlines():
                    lines.extend(textwrap.wrap(line, width=76, initial_indent="      ",
                                               subsequent_indent="        "))
        lines.append("All correct, well done!" if self.passed else
                     "Not yet: read the first failed case, fix your function and run again.")
        return "\n".join(lines)

    __repr__ = __str__


def _copy(x):
    return x.copy() if isinstance(x, np.ndarray) else x


def _fmt(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a), precision=4, suppress_small=True, separator=", ")


def compare(output, expected, *, rtol: float = 1e-7, atol: float = 1e-10) -> str | None:
    """None when ``output`` matches ``expected``, else the reason in words.

    Arrays: type, then shape, then values (naming the first wrong entry); numbers: closeness;
    anything else: equality.
    """
    if isinstance(expected, np.ndarray):
        if not isinstance(output, np.ndarray):
            return f"expected a numpy array of shape {expected.shape}, got {type(output).__name__}"
        if output.shape != expected.shape:
            return f"wrong shape: expected {expected.shape}, got {output.shape}"
        if not np.issubdtype(output.dtype, np.number):
            return f"expected numbers, got an array of dtype {output.dtype}"
        close = np.isclose(output, expected, rtol=rtol, atol=atol)
        if not close.all():
            idx = tuple(int(i) for i in np.argwhere(~close)[0])
            return (f"wrong values at {int((~close).sum())} of {close.size} entries; first at "
                    f"index {idx}: expected {expected[idx]:.6g}, got {output[idx]:.6g}")
        return None
    if isinstance(expected, float | int | np.number) and not isinstance(expected, bool):
        try:
            ok = np.isclose(float(output), float(expected), rtol=rtol, atol=atol)
        except (TypeError, ValueError):
            return f"expected a number, got {type(output).__name__}"
        return None if ok else f"expected {expected:.6g}, got {float(output):.6g}"
    return None if output == expected else f"expected {expected!r}, got {output!r}"


def _exception_reason(err: BaseException) -> str:
    tb = traceback.extract_tb(err.__traceback__)
    line = f" (line {tb[-1].lineno}: {tb[-1].line})" if tb and tb[-1].line else ""
    return f"your function raised {type(err).__name__}: {err}{line}"


def grade(fn: Callable, cases: list[Case], *, title: str | None = None) -> Result:
    """Run ``fn`` on every case and collect a :class:`Result` (exceptions become failures)."""
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")
    title = title or f"Checking {getattr(fn, '__name__', 'your function')}"
    results = []
    for case in cases:
        args = tuple(_copy(a) for a in case.args)
        kwargs = {k: _copy(v) for k, v in case.kwargs.items()}
        try:
            output = fn(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - the reader's code may raise anything
            reason = _exception_reason(err)
            hint = case.hint(err) if case.hint is not None else None
            reason = f"{reason}\nHint: {hint}" if hint else reason
            results.append(CaseResult(case.name, False, reason))
            continue
        changed = [i for i, (a, b) in enumerate(zip(args, case.args, strict=True))
                   if isinstance(b, np.ndarray) and not np.array_equal(a, b)]
        if changed:
            results.append(CaseResult(case.name, False,
                                      f"your function changed its input argument(s) {changed} in "
                                      "place; compute a new array instead"))
            continue
        reason = compare(output, case.expected, rtol=case.rtol, atol=case.atol)
        if reason is not None and case.hint is not None:
            hint = case.hint(output)
            if hint:
                reason = f"{reason}\nHint: {hint}"
        results.append(CaseResult(case.name, reason is None, reason or ""))
    return Result(title, tuple(results))

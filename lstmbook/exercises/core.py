"""The grading core: run the reader's function on named cases and explain each failure.

A grader is data on this core. It builds its cases from a small table (:func:`case_table`,
:class:`Case`), declares the reader's likely mistakes as a table too, and calls :func:`grade`,
which returns a :class:`Result`: one line per case, passed or failed, and for a failure the
reason in plain words (wrong shape, wrong values and where, an exception and its message) and,
when one fits, a hint about the likely mistake.

A mistake table is an ordered tuple of rules; the first rule that fits the reader's output
gives the hint:

- :class:`Mistake` ``(message, wrong)``: ``wrong`` computes, from the case's named inputs, the
  answer this mistake gives; an output equal to it (same shape, close values) gets ``message``.
- :class:`Raised` ``(message, types, says)``: what an exception of ``types`` whose text contains
  one of ``says`` usually means.
- :class:`Symptom` ``(message, test)``: what an output for which ``test`` holds shows (a message
  of None ends the search with no hint).

The functions in a rule name what they read, ``lambda x, W, b: np.tanh(x @ W.T + b)``: each
parameter is looked up in the case's ``given`` dict, and ``out`` is the reader's output. A
message may be such a function too, for a hint that quotes the case's numbers.
"""

from __future__ import annotations

import contextlib
import inspect
import textwrap
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["FAIL", "PASS", "Case", "CaseResult", "Mistake", "Raised", "Result", "Symptom",
           "array_mismatch", "case_table", "check_callable", "compare", "explain", "grade",
           "not_an_array", "not_a_pair", "rounded_uniform", "same"]

PASS, FAIL = "✓", "✗"

Message = str | Callable[..., str] | None


# --------------------------------------------------------------------------- mistake tables
def _inputs(fn: Callable, given: Mapping, out: Any) -> dict:
    """The keyword arguments ``fn`` asks for by name: ``out`` or entries of ``given``."""
    names = list(inspect.signature(fn).parameters)
    missing = [n for n in names if n != "out" and n not in given]
    if missing:
        raise KeyError(f"a mistake rule reads {missing}, but the case's given has only "
                       f"{sorted(given)}")
    return {n: out if n == "out" else given[n] for n in names}


def _say(message: Message, given: Mapping, out: Any) -> str | None:
    return message(**_inputs(message, given, out)) if callable(message) else message


_UNFIT = object()


def _attempt(fn: Callable, given: Mapping, out: Any, errors: tuple[type[Exception], ...]):
    """``fn(**inputs)`` with NumPy's warnings off, or ``_UNFIT`` when it raises one of
    ``errors`` (the rule does not apply to this case or this output)."""
    kwargs = _inputs(fn, given, out)
    with np.errstate(all="ignore"):
        try:
            return fn(**kwargs)
        except errors:
            return _UNFIT


@dataclass(frozen=True)
class Mistake:
    """A likely mistake, recognised by the answer it gives: ``wrong(**inputs)``.

    It fits an output equal to that answer, unless on this case the mistake gives the right
    answer anyway. A mistake whose answer cannot be computed for the case's shapes (NumPy raises
    ValueError or IndexError) does not fit.
    """

    message: Message
    wrong: Callable[..., Any]

    def fits(self, out: Any, given: Mapping, expected: Any) -> bool:
        if isinstance(out, BaseException):
            return False
        answer = _attempt(self.wrong, given, out, (ValueError, IndexError))
        return answer is not _UNFIT and same(out, answer) and not same(answer, expected)


@dataclass(frozen=True)
class Raised:
    """What an exception usually means: an instance of ``types`` whose text contains one of
    ``says`` (any text when empty), on a case where ``when(**inputs)`` holds (always when None)."""

    message: Message
    types: type[BaseException] | tuple[type[BaseException], ...] = Exception
    says: tuple[str, ...] = ()
    when: Callable[..., bool] | None = None

    def fits(self, out: Any, given: Mapping, expected: Any) -> bool:
        if not isinstance(out, self.types):
            return False
        if self.says and not any(s in str(out) for s in self.says):
            return False
        return self.when is None or bool(self.when(**_inputs(self.when, given, out)))


@dataclass(frozen=True)
class Symptom:
    """What an output shows: it fits when ``test(**inputs)`` holds (``out`` is the output).

    A test that fails on an unexpected output (AttributeError, TypeError, ValueError, IndexError)
    does not fit; exceptions the reader's function raised never reach a symptom.
    """

    message: Message
    test: Callable[..., bool]

    def fits(self, out: Any, given: Mapping, expected: Any) -> bool:
        if isinstance(out, BaseException):
            return False
        verdict = _attempt(self.test, given, out, (AttributeError, TypeError, ValueError,
                                                   IndexError))
        return verdict is not _UNFIT and bool(verdict)


Rule = Mistake | Raised | Symptom


def explain(mistakes: Iterable[Rule], out: Any, given: Mapping, expected: Any) -> str | None:
    """The hint of the first rule in ``mistakes`` that fits ``out`` (an output or the exception
    the function raised), or None."""
    for rule in mistakes:
        if rule.fits(out, given, expected):
            return _say(rule.message, given, out)
    return None


def not_an_array(out: Any) -> bool:
    """A :class:`Symptom` test: the output is not a NumPy array."""
    return not isinstance(out, np.ndarray)


def _not_a_pair_text(pair: tuple[str, str]) -> str:
    return f"not a pair ({', '.join(pair)})"


def not_a_pair(pair: tuple[str, str], message: Message) -> Symptom:
    """The rule for a case with ``pair`` whose function did not return a pair: ``message``."""
    text = _not_a_pair_text(pair)
    return Symptom(message, lambda out: isinstance(out, str) and out == text)


# --------------------------------------------------------------------------- shared checks
def check_callable(fn: Any, name: str = "fn") -> None:
    """Raise TypeError unless ``fn`` (the argument called ``name``) can be called."""
    if not callable(fn):
        raise TypeError(f"{name} must be a function, got {type(fn).__name__}")


def array_mismatch(output: Any, expected: np.ndarray) -> str | None:
    """None when ``output`` is a NumPy array of numbers with ``expected``'s shape, else why not."""
    if not isinstance(output, np.ndarray):
        return f"expected a numpy array of shape {expected.shape}, got {type(output).__name__}"
    if output.shape != expected.shape:
        return f"wrong shape: expected {expected.shape}, got {output.shape}"
    if not np.issubdtype(output.dtype, np.number):
        return f"expected numbers, got an array of dtype {output.dtype}"
    return None


def same(output: Any, reference: np.ndarray) -> bool:
    """Whether ``output`` is an array of ``reference``'s shape with close values (np.allclose's
    tolerances: for recognising a mistake, looser than the grading)."""
    if array_mismatch(output, reference) is not None:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(output, reference))


def compare(output, expected, *, rtol: float = 1e-7, atol: float = 1e-10) -> str | None:
    """None when ``output`` matches ``expected``, else the reason in words.

    Arrays: type, then shape, then values (naming the first wrong entry); numbers: closeness;
    anything else: equality.
    """
    if isinstance(expected, np.ndarray):
        mismatch = array_mismatch(output, expected)
        if mismatch is not None:
            return mismatch
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


def rounded_uniform(rng: np.random.Generator, shape, low: float = -1.0, high: float = 1.0,
                    decimals: int = 2) -> np.ndarray:
    """Uniform numbers in [low, high) rounded to ``decimals``: inputs easy to read in a report."""
    return np.round(rng.uniform(low, high, shape), decimals)


# --------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    """One test of the reader's function: ``fn(*args, **kwargs)`` should give ``expected``.

    ``mistakes`` is the case's mistake table and ``given`` the named values its rules read.
    With ``pair`` (the names of a returned pair, e.g. ``("h_t", "c_t")``) the case checks the
    element ``part`` of it. Arrays in ``args`` are copied before each call, and a function that
    changes its inputs in place fails the case.
    """

    name: str
    args: tuple
    expected: Any
    kwargs: dict = field(default_factory=dict)
    mistakes: tuple[Rule, ...] = ()
    given: Mapping[str, Any] = field(default_factory=dict)
    rtol: float = 1e-7
    atol: float = 1e-10
    pair: tuple[str, str] | None = None
    part: str | None = None

    def __post_init__(self):
        if self.pair is not None and self.part not in self.pair:
            raise ValueError(f"part must be one of pair {self.pair}, got {self.part!r}")

    def pick(self, output: Any) -> Any:
        """The part of ``output`` this case checks (the text ``not a pair (...)`` if none)."""
        if self.pair is None:
            return output
        if not (isinstance(output, tuple | list) and len(output) == 2):
            return _not_a_pair_text(self.pair)
        return output[self.pair.index(self.part)]


def case_table(rows: Iterable[tuple], build: Callable[..., Case | list[Case]]) -> list[Case]:
    """The cases of a table: ``build(*row)`` gives one :class:`Case` (or a list) per row.

    Names must be unique, since a report names its cases.
    """
    cases: list[Case] = []
    for row in rows:
        built = build(*row)
        cases.extend(built if isinstance(built, list) else [built])
    names = [c.name for c in cases]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"case names must be unique, got {repeated} more than once")
    return cases


# --------------------------------------------------------------------------- reports
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


# --------------------------------------------------------------------------- grading
def _copy(x):
    return x.copy() if isinstance(x, np.ndarray) else x


def _exception_reason(err: BaseException) -> str:
    """The exception and the line that raised it, unless that line is the grader's own call
    (the function could not be called with the case's arguments)."""
    tb = traceback.extract_tb(err.__traceback__)
    shown = tb and tb[-1].line and tb[-1].filename != __file__
    line = f" (line {tb[-1].lineno}: {tb[-1].line})" if shown else ""
    return f"your function raised {type(err).__name__}: {err}{line}"


@contextlib.contextmanager
def _strict():
    """Warnings and floating-point trouble (division by zero, overflow) become exceptions."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


def _with_hint(reason: str, case: Case, out: Any) -> str:
    hint = explain(case.mistakes, out, case.given, case.expected)
    return f"{reason}\nHint: {hint}" if hint else reason


def _run(fn: Callable, case: Case, strict: bool) -> CaseResult:
    args = tuple(_copy(a) for a in case.args)
    kwargs = {k: _copy(v) for k, v in case.kwargs.items()}
    try:
        with _strict() if strict else contextlib.nullcontext():
            output = fn(*args, **kwargs)
    except Exception as err:
        return CaseResult(case.name, False, _with_hint(_exception_reason(err), case, err))
    changed = [i for i, (a, b) in enumerate(zip(args, case.args, strict=True))
               if isinstance(b, np.ndarray) and not np.array_equal(a, b)]
    if changed:
        return CaseResult(case.name, False, f"your function changed its input argument(s) "
                                            f"{changed} in place; compute a new array instead")
    output = case.pick(output)
    reason = compare(output, case.expected, rtol=case.rtol, atol=case.atol)
    if reason is None:
        return CaseResult(case.name, True)
    return CaseResult(case.name, False, _with_hint(reason, case, output))


def grade(fn: Callable, cases: list[Case], *, title: str | None = None,
          strict: bool = False) -> Result:
    """Run ``fn`` on every case and collect a :class:`Result`.

    Whatever ``fn`` raises fails that case (with the line that raised). With ``strict``, warnings
    and floating-point errors (division by zero, overflow, invalid values) count as raised.
    """
    check_callable(fn)
    title = title or f"Checking {getattr(fn, '__name__', 'your function')}"
    return Result(title, tuple(_run(fn, case, strict) for case in cases))

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

Every message, case name and title is a :class:`lstmbook.i18n.Text` (English and Japanese: the
Japanese edition executes the chapters with ``LSTMBOOK_LANG=ja``), and the report's own words
are too: a report is in the reader's language (:func:`lstmbook.i18n.language`) at the moment it
is built, and its header and closing line at the moment it is printed. :func:`compose` builds a
Text from parts, some of them Texts (``"{name}: c_t"`` in both languages). A plain ``str`` is
still accepted everywhere (the same in both languages).
"""

from __future__ import annotations

import contextlib
import inspect
import re
import textwrap
import traceback
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstmbook.i18n import Text, language
from lstmbook.messages import punctuation

__all__ = ["FAIL", "PASS", "Case", "CaseResult", "Mistake", "Raised", "Result", "Symptom",
           "array_mismatch", "case_table", "check_callable", "compare", "compose", "explain",
           "grade", "not_an_array", "not_a_pair", "rounded_uniform", "same"]

PASS, FAIL = "✓", "✗"

Message = str | Text | Callable[..., str | Text] | None


# --------------------------------------------------------------------------- languages
def _in(text: str | Text, lang: str) -> str:
    """``text`` in ``lang`` (a plain str is the same in every language)."""
    return text.in_language(lang) if isinstance(text, Text) else str(text)


def compose(en: str, ja: str, /, **parts: Any) -> Text:
    """A :class:`Text` from two templates: ``en.format(**parts)`` and ``ja.format(**parts)``,
    each with the parts that are Texts in that template's language (``compose("{name}: c_t",
    "{name}: c_t", name=name)``)."""
    return Text(en=en.format(**{k: _in(v, "en") if isinstance(v, Text) else v
                                for k, v in parts.items()}),
                ja=ja.format(**{k: _in(v, "ja") if isinstance(v, Text) else v
                                for k, v in parts.items()}))


# --------------------------------------------------------------------------- mistake tables
def _inputs(fn: Callable, given: Mapping, out: Any) -> dict:
    """The keyword arguments ``fn`` asks for by name: ``out`` or entries of ``given``."""
    names = list(inspect.signature(fn).parameters)
    missing = [n for n in names if n != "out" and n not in given]
    if missing:
        raise KeyError(f"a mistake rule reads {missing}, but the case's given has only "
                       f"{sorted(given)}")
    return {n: out if n == "out" else given[n] for n in names}


def _say(message: Message, given: Mapping, out: Any) -> str | Text | None:
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
    the function raised), in the reader's language, or None."""
    for rule in mistakes:
        if rule.fits(out, given, expected):
            hint = _say(rule.message, given, out)
            return None if hint is None else str(hint)
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
        got = type(fn).__name__
        raise TypeError(str(Text(en=f"{name} must be a function, got {got}",
                                 ja=f"{name} は関数でなければならないが、{got} が渡された")))


def array_mismatch(output: Any, expected: np.ndarray) -> str | None:
    """None when ``output`` is a NumPy array of numbers with ``expected``'s shape, else why not."""
    if not isinstance(output, np.ndarray):
        got = type(output).__name__
        return str(Text(en=f"expected a numpy array of shape {expected.shape}, got {got}",
                        ja=f"形状 {expected.shape} の NumPy 配列を返すべきところ、{got} が"
                           "返された"))
    if output.shape != expected.shape:
        return str(Text(en=f"wrong shape: expected {expected.shape}, got {output.shape}",
                        ja=f"形状が違う：正しくは {expected.shape}、返されたのは {output.shape}"))
    if not np.issubdtype(output.dtype, np.number):
        return str(Text(en=f"expected numbers, got an array of dtype {output.dtype}",
                        ja=f"数値の配列を返すべきところ、dtype {output.dtype} の配列が返された"))
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
            wrong, size = int((~close).sum()), close.size
            want, got = f"{expected[idx]:.6g}", f"{output[idx]:.6g}"
            return str(Text(en=f"wrong values at {wrong} of {size} entries; first at index "
                               f"{idx}: expected {want}, got {got}",
                            ja=f"{size} 成分中 {wrong} 成分の値が違う。最初はインデックス "
                               f"{idx}：正しくは {want}、返されたのは {got}"))
        return None
    if isinstance(expected, float | int | np.number) and not isinstance(expected, bool):
        try:
            ok = np.isclose(float(output), float(expected), rtol=rtol, atol=atol)
        except (TypeError, ValueError):
            got = type(output).__name__
            return str(Text(en=f"expected a number, got {got}",
                            ja=f"数値を返すべきところ、{got} が返された"))
        if ok:
            return None
        want, got = f"{expected:.6g}", f"{float(output):.6g}"
        return str(Text(en=f"expected {want}, got {got}",
                        ja=f"正しくは {want}、返されたのは {got}"))
    if output == expected:
        return None
    return str(Text(en=f"expected {expected!r}, got {output!r}",
                    ja=f"正しくは {expected!r}、返されたのは {output!r}"))


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

    name: str | Text
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
    repeated = sorted({str(n) for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"case names must be unique, got {repeated} more than once")
    return cases


# --------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class CaseResult:
    """One case's line of a report: its name and, for a failure, the reason (with the hint),
    both in the reader's language when the case was graded."""

    name: str
    passed: bool
    reason: str = ""


#: the report's own words
_HEADER = Text(en="{title}: {passed} of {total} cases passed",
               ja="{title}：{total} ケース中 {passed} ケース合格")
_ALL_PASSED = Text(en="All correct, well done!", ja="すべて正しい。よくできた！")
_NOT_YET = Text(en="Not yet: read the first failed case, fix your function and run again.",
                ja="まだ合格していない。最初に失敗したケースを読み、関数を修正してもう一度実行せよ。")
_HINT = Text(en="Hint", ja="ヒント")
_WIDTH = 76


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: a break may not come before these (、。）…) nor after these (（「…)
_NO_BREAK_BEFORE, _NO_BREAK_AFTER = "、。，．）」』】〕：；！？ー・", "（「『【〔"
_UNITS = re.compile(r"\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|\S")


def _wrap_wide(line: str, width: int, initial: str, subsequent: str) -> list[str]:
    """``line`` wrapped to ``width`` columns for text with Japanese in it: breaks at spaces and
    between wide characters (not before a closing mark nor after an opening one)."""
    units: list[str] = []
    for unit in _UNITS.findall(line):
        if units and not unit.isspace() and not units[-1].isspace() and (
                unit[0] in _NO_BREAK_BEFORE or units[-1][-1] in _NO_BREAK_AFTER):
            units[-1] += unit
        else:
            units.append(unit)
    lines, current, space, empty = [], initial, False, True
    for unit in units:
        if unit.isspace():
            space = not empty
            continue
        piece = (" " if space else "") + unit
        if not empty and _width(current + piece) > width:
            lines.append(current)
            current = subsequent + unit
        else:
            current += piece
        space, empty = False, False
    if not empty:
        lines.append(current)
    return lines


def _wrap(line: str, initial: str, subsequent: str) -> list[str]:
    if language() == "ja":
        return _wrap_wide(line, _WIDTH, initial, subsequent)
    return textwrap.wrap(line, width=_WIDTH, initial_indent=initial,
                         subsequent_indent=subsequent)


@dataclass(frozen=True)
class Result:
    """The report of a grader: ``bool(result)`` is True when every case passed."""

    title: str | Text
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
        lines = [str(_HEADER).format(title=self.title, passed=n_ok, total=len(self.cases))]
        for c in self.cases:
            lines.append(f"  {PASS if c.passed else FAIL} {c.name}")
            if not c.passed:
                for line in c.reason.splitlines():
                    lines.extend(_wrap(line, "      ", "        "))
        lines.append(str(_ALL_PASSED if self.passed else _NOT_YET))
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
    kind = type(err).__name__
    if language() == "ja":
        line = f"（{tb[-1].lineno} 行目：{tb[-1].line}）" if shown else ""
        return f"関数が {kind} を送出した：{err}{line}"
    line = f" (line {tb[-1].lineno}: {tb[-1].line})" if shown else ""
    return f"your function raised {kind}: {err}{line}"


@contextlib.contextmanager
def _strict():
    """Warnings and floating-point trouble (division by zero, overflow) become exceptions."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


def _with_hint(reason: str, case: Case, out: Any) -> str:
    hint = explain(case.mistakes, out, case.given, case.expected)
    return f"{reason}\n{_HINT}{punctuation()['pair']}{hint}" if hint else reason


def _run(fn: Callable, case: Case, strict: bool) -> CaseResult:
    args = tuple(_copy(a) for a in case.args)
    kwargs = {k: _copy(v) for k, v in case.kwargs.items()}
    try:
        with _strict() if strict else contextlib.nullcontext():
            output = fn(*args, **kwargs)
    except Exception as err:
        return CaseResult(str(case.name), False,
                          _with_hint(_exception_reason(err), case, err))
    changed = [i for i, (a, b) in enumerate(zip(args, case.args, strict=True))
               if isinstance(b, np.ndarray) and not np.array_equal(a, b)]
    if changed:
        return CaseResult(str(case.name), False, str(Text(
            en=f"your function changed its input argument(s) {changed} in place; compute a new "
               "array instead",
            ja=f"関数が入力引数 {changed} をその場で書き換えた。書き換えずに新しい配列を計算せよ")))
    output = case.pick(output)
    reason = compare(output, case.expected, rtol=case.rtol, atol=case.atol)
    if reason is None:
        return CaseResult(str(case.name), True)
    return CaseResult(str(case.name), False, _with_hint(reason, case, output))


def grade(fn: Callable, cases: list[Case], *, title: str | Text | None = None,
          strict: bool = False) -> Result:
    """Run ``fn`` on every case and collect a :class:`Result`.

    Whatever ``fn`` raises fails that case (with the line that raised). With ``strict``, warnings
    and floating-point errors (division by zero, overflow, invalid values) count as raised.
    """
    check_callable(fn)
    if not title:
        name = getattr(fn, "__name__", None)
        title = (Text(en=f"Checking {name}", ja=f"{name} の採点") if name else
                 Text(en="Checking your function", ja="関数の採点"))
    return Result(title, tuple(_run(fn, case, strict) for case in cases))

"""Chapter self-check quizzes: load them from data files, validate them, show them.

Each chapter's questions live in ``lstmbook/quizzes/<chapter_stem>.json`` (package data), in
jupyterquiz's JSON format: a list of questions. The Japanese edition's questions are in
``lstmbook/quizzes/ja/<chapter_stem>.json``: the same questions in the same order, with the same
answers marked correct and the same numeric keys (``tests/unit/test_quiz.py`` checks that);
:func:`load_quiz` and :func:`show_quiz` pick the file of :func:`lstmbook.i18n.language`.

Multiple choice (``"multiple_choice"``: exactly one correct answer; ``"many_choice"``: one or
more)::

    {"type": "multiple_choice", "question": "...",
     "answers": [{"answer": "...", "correct": true, "feedback": "..."}, ...]}

Numeric (``"numeric"``; answers of type ``"value"`` or ``"range"`` ``[lo, hi)``, and an optional
``"default"`` whose feedback is shown for any other input)::

    {"type": "numeric", "question": "...", "precision": 3,
     "answers": [{"type": "value", "value": 12, "correct": true, "feedback": "..."},
                 {"type": "default", "feedback": "..."}],
     "check": "lstmbook.nn.sequences.lengths_to_mask(np.array([4, 2, 3])).sum()"}

``"check"`` is lstmbook's own field (jupyterquiz never sees it: :func:`show_quiz` strips it): a
Python expression, using ``np`` and ``lstmbook`` (its submodules are imported on demand), that
recomputes the correct answer from the package. ``tests/unit/test_quiz.py`` evaluates every
check of every quiz file with :func:`recompute` and asserts it equals the key, so a quiz answer
can never drift from the code the book teaches. A later chapter adds a numeric question with a
check and gets that test for free.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import math
import numbers
import re
from pathlib import Path

import numpy as np

from lstmbook.i18n import DEFAULT, language

QUIZ_DIR = Path(__file__).resolve().parent / "quizzes"

_MC_TYPES = ("multiple_choice", "many_choice")
_QUESTION_KEYS = {"type", "question", "code", "answers", "precision", "answer_cols", "check"}
_MC_ANSWER_KEYS = {"answer", "code", "correct", "feedback"}
_NUM_ANSWER_KEYS = {"type", "value", "range", "correct", "feedback"}


def quiz_dir(lang: str | None = None) -> Path:
    """The folder of the quiz files in ``lang`` (default: :func:`lstmbook.i18n.language`)."""
    lang = language(lang)
    return QUIZ_DIR if lang == DEFAULT else QUIZ_DIR / lang


def quiz_path(stem: str, lang: str | None = None) -> Path:
    """The data file of chapter ``stem`` (e.g. ``"01_sequence_data"``) in ``lang``."""
    if not isinstance(stem, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", stem):
        raise ValueError(f"stem must be a chapter file stem like '01_sequence_data', got {stem!r}")
    return quiz_dir(lang) / f"{stem}.json"


def available_quizzes(lang: str | None = None) -> list[str]:
    """Stems of every quiz file shipped with the package in ``lang``, sorted."""
    return sorted(p.stem for p in quiz_dir(lang).glob("*.json"))


def load_quiz(stem: str, *, validate: bool = True, lang: str | None = None) -> list:
    """Read chapter ``stem``'s questions (a list of dicts) in ``lang`` and, by default,
    validate them."""
    path = quiz_path(stem, lang)
    if not path.exists():
        raise FileNotFoundError(
            f"no quiz for chapter {stem!r}: expected {path}; available: "
            f"{available_quizzes(lang)}"
        )
    with path.open(encoding="utf-8") as f:
        try:
            questions = json.load(f)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path.name} is not valid JSON: {err}") from err
    if validate:
        validate_quiz(questions, source=path.name)
    return questions


def _fail(source: str, index, msg: str):
    where = f"{source}: " if source else ""
    raise ValueError(f"{where}question {index}: {msg}" if index is not None else where + msg)


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def _text(x) -> bool:
    return isinstance(x, str) and x.strip() != ""


def validate_quiz(questions, *, source: str = "") -> list:
    """Check ``questions`` against the jupyterquiz schema, with stricter book rules.

    Raises ValueError naming the question's index (and the answer's) on the first problem:
    unknown type or key, missing or empty question text, a multiple-choice question without
    exactly one correct answer (``many_choice``: at least one), an answer without feedback, a
    numeric question without a correct ``value``/``range``, a bad ``precision``, a ``check`` on a
    non-numeric question. Returns ``questions`` unchanged.
    """
    if not isinstance(questions, list) or not questions:
        _fail(source, None, f"a quiz must be a non-empty list of questions, got {questions!r:.60}")
    for qi, q in enumerate(questions):
        if not isinstance(q, dict):
            _fail(source, qi, f"must be a JSON object, got {type(q).__name__}")
        unknown = set(q) - _QUESTION_KEYS
        if unknown:
            _fail(source, qi,
                  f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_QUESTION_KEYS)}")
        qtype = q.get("type")
        if qtype not in (*_MC_TYPES, "numeric"):
            _fail(source, qi, f"type must be 'multiple_choice', 'many_choice' or 'numeric', "
                  f"got {qtype!r}")
        if not _text(q.get("question")):
            _fail(source, qi, "needs a non-empty 'question' text")
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers:
            _fail(source, qi, "needs a non-empty list 'answers'")
        if "check" in q and (qtype != "numeric" or not _text(q["check"])):
            _fail(source, qi, "'check' must be a non-empty expression, on a numeric question only")
        if qtype in _MC_TYPES:
            _validate_mc(q, qi, source)
        else:
            _validate_numeric(q, qi, source)
    return questions


def _validate_mc(q, qi, source):
    answers = q["answers"]
    if len(answers) < 2:
        _fail(source, qi, f"a choice question needs at least 2 answers, got {len(answers)}")
    for ai, a in enumerate(answers):
        if not isinstance(a, dict):
            _fail(source, qi, f"answer {ai} must be a JSON object")
        unknown = set(a) - _MC_ANSWER_KEYS
        if unknown:
            _fail(source, qi, f"answer {ai} has unknown key(s) {sorted(unknown)}")
        if not (_text(a.get("answer")) or _text(a.get("code"))):
            _fail(source, qi, f"answer {ai} needs an 'answer' (or 'code') text")
        if not isinstance(a.get("correct"), bool):
            _fail(source, qi, f"answer {ai} needs 'correct': true or false")
        if not _text(a.get("feedback")):
            _fail(source, qi, f"answer {ai} needs a 'feedback' text (say why it is right or wrong)")
    n_correct = sum(a["correct"] for a in answers)
    if q["type"] == "multiple_choice" and n_correct != 1:
        _fail(source, qi, f"a multiple_choice question needs exactly 1 correct answer, got "
              f"{n_correct} (use 'many_choice' for several)")
    if n_correct < 1:
        _fail(source, qi, "a many_choice question needs at least 1 correct answer, got 0")
    texts = [a.get("answer", a.get("code")) for a in answers]
    if len(set(texts)) != len(texts):
        _fail(source, qi, "two answers have the same text")


def _validate_numeric(q, qi, source):
    if "precision" in q:
        p = q["precision"]
        if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= 15:
            _fail(source, qi, f"'precision' (significant digits) must be an integer in 1..15, "
                  f"got {p!r}")
    n_correct = 0
    for ai, a in enumerate(q["answers"]):
        if not isinstance(a, dict):
            _fail(source, qi, f"answer {ai} must be a JSON object")
        unknown = set(a) - _NUM_ANSWER_KEYS
        if unknown:
            _fail(source, qi, f"answer {ai} has unknown key(s) {sorted(unknown)}")
        kind = a.get("type")
        if not _text(a.get("feedback")):
            _fail(source, qi, f"answer {ai} needs a 'feedback' text")
        if kind == "default":
            continue
        if kind == "value":
            if not _is_number(a.get("value")):
                _fail(source, qi, f"answer {ai} of type 'value' needs a finite number 'value'")
        elif kind == "range":
            r = a.get("range")
            ok = isinstance(r, list) and len(r) == 2 and all(map(_is_number, r))
            if not (ok and r[0] < r[1]):
                _fail(source, qi, f"answer {ai} of type 'range' needs 'range': [lo, hi] with "
                      f"lo < hi, got {r!r}")
        else:
            _fail(source, qi,
                  f"answer {ai} type must be 'value', 'range' or 'default', got {kind!r}")
        if not isinstance(a.get("correct"), bool):
            _fail(source, qi, f"answer {ai} needs 'correct': true or false")
        n_correct += a["correct"]
    if n_correct < 1:
        _fail(source, qi, "a numeric question needs at least one answer with 'correct': true")


# --------------------------------------------------------------------------- checks
def modules_named(expr: str) -> list[str]:
    """Every module of lstmbook that a dotted name in ``expr`` reaches, at any depth:
    ``lstmbook.chapters.ch05_cec.delta_scale(...)`` gives ``lstmbook.chapters`` and
    ``lstmbook.chapters.ch05_cec`` (the attribute ``delta_scale`` is not a module)."""
    found = set()
    for dotted in re.findall(r"\blstmbook(?:\.\w+)+", expr):
        parts = dotted.split(".")
        for k in range(2, len(parts) + 1):
            name = ".".join(parts[:k])
            try:
                spec = importlib.util.find_spec(name)
            except ModuleNotFoundError:  # the parent is a module, not a package
                spec = None
            if spec is None:
                break
            found.add(name)
    return sorted(found)


def recompute(question: dict):
    """Evaluate a numeric question's ``check`` expression and return its value.

    The expression sees ``np`` and ``lstmbook``; every module of lstmbook it names, at any
    depth (:func:`modules_named`), is imported first.
    """
    expr = question.get("check")
    if not _text(expr):
        raise ValueError("this question has no 'check' expression")
    import lstmbook  # noqa: PLC0415 - imported late: lstmbook imports nothing from here

    for mod in modules_named(expr):
        importlib.import_module(mod)
    value = eval(expr, {"np": np, "lstmbook": lstmbook})
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if not _is_number(value):
        raise ValueError(f"check {expr!r} must give one finite number, got {value!r}")
    return value


def key_matches(question: dict, value) -> bool:
    """True when ``value`` would be graded correct by the question's answers (as the quiz does:
    rounded to ``precision`` significant digits when one is set)."""
    p = question.get("precision")

    def rounded(x):
        return float(f"{x:.{p}g}") if p else x

    for a in question["answers"]:
        if not a.get("correct"):
            continue
        if a["type"] == "value" and math.isclose(rounded(value), rounded(a["value"]),
                                                 rel_tol=1e-12, abs_tol=1e-12):
            return True
        if a["type"] == "range" and a["range"][0] <= value < a["range"][1]:
            return True
    return False


def check_answers(questions) -> list[tuple[int, float]]:
    """Recompute every checked numeric answer; raise ValueError on the first mismatch.

    Returns ``[(question index, recomputed value), ...]`` for the questions that have a check.
    """
    done = []
    for qi, q in enumerate(questions):
        if q.get("type") != "numeric" or "check" not in q:
            continue
        value = recompute(q)
        if not key_matches(q, value):
            keys = [a.get("value", a.get("range")) for a in q["answers"] if a.get("correct")]
            raise ValueError(
                f"question {qi}: check {q['check']!r} gives {value}, but the key says {keys}"
            )
        done.append((qi, value))
    return done


# --------------------------------------------------------------------------- display
#: jupyterquiz's default "many choice" background (#f75c03) gives its white text a contrast of
#: 3.1:1 (WCAG AA needs 4.5:1; axe-core flags it). A darker orange keeps the colour coding, in live
#: notebooks and on the website alike.
QUIZ_COLORS = {"--jq-many-choice-bg": "#a33d00"}


def show_quiz(stem: str, *, lang: str | None = None, **options):
    """Display chapter ``stem``'s quiz in ``lang`` with jupyterquiz (questions embedded, no
    network).

    ``options`` go to ``jupyterquiz.display_quiz`` (e.g. ``shuffle_answers=False``).
    """
    from jupyterquiz import display_quiz

    questions = copy.deepcopy(load_quiz(stem, lang=lang))
    for q in questions:
        q.pop("check", None)
    options.setdefault("colors", QUIZ_COLORS)
    display_quiz(questions, **options)

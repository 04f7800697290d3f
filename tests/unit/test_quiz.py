"""Quizzes: every data file validates, every checked numeric answer is recomputed from lstmbook,
and the validator catches the mistakes it promises to catch."""

import copy
import json
import subprocess
import sys

import pytest

from lstmbook import quiz
from lstmbook.quiz import (
    available_quizzes,
    check_answers,
    key_matches,
    load_quiz,
    modules_named,
    validate_quiz,
)

STEMS = available_quizzes()


def test_quiz_files_are_shipped():
    assert "01_sequence_data" in STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_every_quiz_file_validates(stem):
    questions = load_quiz(stem)  # validates
    assert len(questions) >= 4


@pytest.mark.parametrize("stem", STEMS)
def test_every_checked_numeric_answer_is_recomputed(stem):
    questions = load_quiz(stem)
    done = check_answers(questions)
    for qi, value in done:
        assert key_matches(questions[qi], value)


def test_show_quiz_renders_with_jupyterquiz(capsys):
    pytest.importorskip("jupyterquiz")
    pytest.importorskip("IPython")
    quiz.show_quiz("01_sequence_data")  # outside a notebook IPython prints the reprs


def test_unknown_stem():
    with pytest.raises(FileNotFoundError, match="no quiz"):
        load_quiz("99_nothing")
    with pytest.raises(ValueError, match="stem"):
        load_quiz("../etc/passwd")


# --------------------------------------------------------------------------- the validator
MC = {
    "type": "multiple_choice",
    "question": "Q?",
    "answers": [
        {"answer": "a", "correct": True, "feedback": "yes"},
        {"answer": "b", "correct": False, "feedback": "no"},
    ],
}
NUM = {
    "type": "numeric",
    "question": "How many?",
    "precision": 2,
    "answers": [
        {"type": "value", "value": 3, "correct": True, "feedback": "yes"},
        {"type": "default", "feedback": "no"},
    ],
    "check": "1 + 2",
}


def _broken(edit):
    qs = [copy.deepcopy(MC), copy.deepcopy(NUM)]
    edit(qs)
    return qs


def _set(path, value):
    def edit(qs):
        obj = qs
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value

    return edit


def _delete(path):
    def edit(qs):
        obj = qs
        for key in path[:-1]:
            obj = obj[key]
        del obj[path[-1]]

    return edit


def test_valid_examples_pass():
    validate_quiz([copy.deepcopy(MC), copy.deepcopy(NUM)])
    assert check_answers([MC, NUM]) == [(1, 3)]


BROKEN = [
    ("no correct answer", _set([0, "answers", 0, "correct"], False), r"question 0: .*exactly 1"),
    ("two correct answers", _set([0, "answers", 1, "correct"], True), r"question 0: .*exactly 1"),
    ("missing feedback", _delete([0, "answers", 1, "feedback"]),
     r"question 0: answer 1 .*feedback"),
    ("empty question", _set([0, "question"], " "), r"question 0: .*question"),
    ("unknown type", _set([0, "type"], "essay"), r"question 0: type"),
    ("typo in a key", _set([0, "feeback"], "x"), r"question 0: unknown key"),
    ("one answer only", _set([0, "answers"], [MC["answers"][0]]), r"question 0: .*at least 2"),
    ("correct not a bool", _set([0, "answers", 0, "correct"], "true"), r"question 0: answer 0"),
    ("numeric without a correct answer", _set([1, "answers", 0, "correct"], False),
     r"question 1: .*correct"),
    ("numeric value not a number", _set([1, "answers", 0, "value"], "3"), r"question 1: answer 0"),
    ("bad range", _set([1, "answers", 0], {"type": "range", "range": [2, 1], "correct": True,
                                           "feedback": "x"}), r"question 1: answer 0 .*range"),
    ("bad precision", _set([1, "precision"], 0), r"question 1: 'precision'"),
    ("check on a choice question", _set([0, "check"], "1"), r"question 0: 'check'"),
    ("numeric answer without feedback", _delete([1, "answers", 1, "feedback"]),
     r"question 1: answer 1"),
]


@pytest.mark.parametrize(("name", "edit", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_validator_catches(name, edit, message):
    with pytest.raises(ValueError, match=message):
        validate_quiz(_broken(edit))


def test_validator_rejects_non_lists():
    for bad in ({}, [], "quiz", None):
        with pytest.raises(ValueError, match="non-empty list"):
            validate_quiz(bad)


def test_many_choice_allows_several_correct():
    q = copy.deepcopy(MC)
    q["type"] = "many_choice"
    q["answers"][1]["correct"] = True
    validate_quiz([q])


def test_wrong_key_is_caught_by_check_answers():
    q = copy.deepcopy(NUM)
    q["check"] = "2 + 2"
    with pytest.raises(ValueError, match="question 0: check '2 \\+ 2' gives 4"):
        check_answers([q])


def test_check_can_call_the_package():
    q = copy.deepcopy(NUM)
    q["answers"][0]["value"] = 6
    q["check"] = "lstmbook.nn.sequences.lengths_to_mask(np.array([1, 2, 3])).sum()"
    assert check_answers([q]) == [(0, 6)]


def test_precision_rounds_like_the_quiz():
    q = copy.deepcopy(NUM)
    q["answers"][0]["value"] = 0.25
    assert key_matches(q, 0.2500001) and not key_matches(q, 0.3)


def test_quiz_files_are_plain_json(tmp_path):
    # The files must stay loadable by jupyterquiz itself (e.g. display_quiz("file.json")).
    for stem in STEMS:
        text = quiz.quiz_path(stem).read_text(encoding="utf-8")
        assert isinstance(json.loads(text), list)


def test_show_quiz_embeds_questions_without_checks_and_with_accessible_colours(monkeypatch):
    jupyterquiz = pytest.importorskip("jupyterquiz")
    seen = {}
    monkeypatch.setattr(jupyterquiz, "display_quiz",
                        lambda ref, **kw: seen.update(ref=ref, **kw))
    quiz.show_quiz("01_sequence_data")
    assert isinstance(seen["ref"], list) and seen["ref"]  # a list, never a URL: no network
    assert all("check" not in q for q in seen["ref"])
    assert any("check" in q for q in load_quiz("01_sequence_data"))  # the file is untouched
    assert seen["colors"]["--jq-many-choice-bg"] == "#a33d00"


def test_recompute_imports_modules_at_any_depth_in_a_fresh_interpreter():
    """``quiz.recompute`` used to import ``lstmbook.<name>`` one level deep only, so a check on a
    chapter module (a subpackage) worked only when something else had imported it first."""
    expr = "lstmbook.chapters.ch05_cec.delta_scale(0.5, 1.0, 2) + lstmbook.nn.lstm.GATES.index('f')"
    assert modules_named(expr) == ["lstmbook.chapters", "lstmbook.chapters.ch05_cec",
                                   "lstmbook.nn", "lstmbook.nn.lstm"]
    code = ("import sys; from lstmbook.quiz import recompute; "
            f"v = recompute({{'check': {expr!r}}}); "
            "assert 'lstmbook.chapters.ch05_cec' in sys.modules; print(v)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout) == 1.25

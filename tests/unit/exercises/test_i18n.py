"""The graders in the Japanese edition: with ``LSTMBOOK_LANG=ja`` every report (title, case
names, reasons, hints, the report's own words) is Japanese, and without it the report is the
English one, unchanged; every message of every grader module is a :class:`Text` (or a function
giving one), so no message can be English only."""

import importlib
import inspect
import pkgutil
import re
import unicodedata

import numpy as np
import pytest

from lstmbook import exercises
from lstmbook.exercises import ch01_sequence_data as ch01
from lstmbook.exercises import ch02_rnn_forward as ch02
from lstmbook.exercises import ch03_bptt as ch03
from lstmbook.exercises import ch05_cec as ch05
from lstmbook.exercises import ch06_lstm_gates as ch06
from lstmbook.exercises import ch07_peephole as ch07
from lstmbook.exercises import ch08_variants as ch08
from lstmbook.exercises import ch09_long_time_lags as ch09
from lstmbook.exercises import ch10_language_model as ch10
from lstmbook.exercises import core
from lstmbook.exercises.core import Case, Mistake, Raised, Symptom, compose, grade
from lstmbook.i18n import Text
from lstmbook.nn.activations import log_softmax, sigmoid

from .conftest import flat

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
#: the report's own English words, none of which may show in a Japanese report
ENGLISH_WORDS = ("Hint", "Checking", "cases passed", "wrong values", "wrong shape", "expected",
                 "got", "entries", "your function", "All correct", "Not yet")
MODULES = [importlib.import_module(f"lstmbook.exercises.{m.name}")
           for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("ch")]


def hint(table, words: str) -> Text:
    """The message of ``table`` (a tuple of rules) whose English contains ``words``."""
    found = [r.message for r in table if isinstance(r.message, Text) and words in r.message.en]
    assert len(found) == 1, words
    return found[0]


def _mean_ce(logits, targets):
    return -np.take_along_axis(log_softmax(logits), targets[..., None], axis=-1).mean()


# grader, a wrong version, its hint: a fixed message (Text) or, for a message that quotes the
# case's numbers, (English words, Japanese words) of its fixed part
SUBMISSIONS = {
    "ch01": (exercises.check_last_valid, lambda Y, lengths: Y[:, -1],
             hint(ch01.MISTAKES, "this is Y[:, -1]")),
    "ch02": (exercises.check_rnn_step, lambda x, h, W, U, b, nonlinearity="tanh": np.tanh(x @ W.T),
             hint(ch02.MISTAKES, "both the recurrent term")),
    "ch03": (exercises.check_bptt_delta, lambda dout, dnext, U, h: dout * (1 - h**2),
             hint(ch03.MISTAKES, "the error from the future is missing")),
    "ch04": (exercises.check_clip_grad_norm, lambda g, max_norm: g.copy(),
             ("so the result must have norm exactly", "でなければならない")),
    "ch05": (exercises.check_gated_cec, lambda x, gi, go: (gi * x, go * gi * x),
             hint(ch05.MISTAKES["s"], "s_t must carry")),
    "ch06": (exercises.check_lstm_cell_update, lambda x, h, c, params: c,
             hint(ch06.MISTAKES["c_t"], "as a pair")),
    "ch06 backward": (exercises.check_lstm_step_backward, lambda dh, dc, cache, params: dh,
                      hint(ch06.BACKWARD_MISTAKES["dc_prev"], "as a pair")),
    "ch07": (exercises.check_peephole_input_gate, lambda a, c, p: sigmoid(a),
             hint(ch07.MISTAKES, "the peephole term is missing")),
    "ch08": (exercises.check_bidirectional, lambda fwd, bwd, X: fwd.forward(X),
             hint(ch08.MISTAKES, "return one array Y")),
    "ch09": (exercises.check_adding_target, lambda X: X[:, :, 0].sum(axis=1, keepdims=True),
             hint(ch09.MISTAKES, "This sums every value")),
    "ch10": (exercises.check_perplexity, _mean_ce, hint(ch10.MISTAKES, "mean cross-entropy, in")),
}


def _reasons(result) -> str:
    return flat(" ".join(c.reason for c in result.cases if not c.passed))


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("chapter", sorted(SUBMISSIONS))
def test_a_failing_report_is_japanese_in_the_japanese_edition(chapter, monkeypatch):
    grader, fn, message = SUBMISSIONS[chapter]
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    result = grader(fn)
    report, reasons = str(result), _reasons(result)
    assert not result.passed
    if isinstance(message, Text):
        english, japanese = message.en, f"ヒント：{message.ja}"
    else:
        english, japanese = message
    assert flat(japanese) in reasons, report
    assert flat(english) not in reasons
    lines = report.splitlines()
    assert re.fullmatch(r".+：\d+ ケース中 \d+ ケース合格", lines[0]) and JAPANESE.search(lines[0])
    assert lines[-1] == str(core._NOT_YET) and JAPANESE.search(lines[-1])
    for c in result.cases:  # case names are Japanese too
        assert JAPANESE.search(c.name), c.name
    for words in ENGLISH_WORDS:
        assert words not in report, (words, report)
    assert max(_columns(line) for line in lines) <= 80, report


@pytest.mark.parametrize("chapter", sorted(SUBMISSIONS))
def test_without_the_language_the_report_is_english(chapter):
    grader, fn, message = SUBMISSIONS[chapter]
    result = grader(fn)
    english = message.en if isinstance(message, Text) else message[0]
    assert flat(english) in _reasons(result)
    assert not JAPANESE.search(str(result)), str(result)
    assert str(result).splitlines()[-1].startswith("Not yet: ")


def test_the_english_report_is_byte_for_byte_as_before(monkeypatch):
    expected = (
        "Checking your peephole input gate: 1 of 4 cases passed\n"
        "  ✓ no peephole (p_i = 0): the plain LSTM's gate\n"
        "  ✗ peepholes of different sizes, a batch of 2 sequences x 3 units\n"
        "      wrong values at 6 of 6 entries; first at index (0, 0): expected\n"
        "        0.439055, got 0.379894\n"
        "      Hint: the peephole term is missing: add p_i * c_prev to a_i before the\n"
        "        sigmoid.\n"
        "  ✗ negative peepholes: a full cell closes the gate\n"
        "      wrong values at 6 of 6 entries; first at index (0, 0): expected\n"
        "        0.28905, got 0.282925\n"
        "      Hint: the peephole term is missing: add p_i * c_prev to a_i before the\n"
        "        sigmoid.\n"
        "  ✗ one sequence, 4 units, a large cell\n"
        "      wrong values at 4 of 4 entries; first at index (0, 0): expected\n"
        "        0.0452175, got 0.435364\n"
        "      Hint: the peephole term is missing: add p_i * c_prev to a_i before the\n"
        "        sigmoid.\n"
        "Not yet: read the first failed case, fix your function and run again.")
    wrong = SUBMISSIONS["ch07"][1]
    assert str(exercises.check_peephole_input_gate(wrong)) == expected
    monkeypatch.setenv("LSTMBOOK_LANG", "en")
    assert str(exercises.check_peephole_input_gate(wrong)) == expected


def test_a_passing_report_in_japanese(monkeypatch):
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    lines = str(exercises.check_peephole_input_gate(lambda a, c, p: sigmoid(a + p * c)))
    assert lines.splitlines()[0] == "覗き穴結合付き入力ゲートの採点：4 ケース中 4 ケース合格"
    assert lines.splitlines()[-1] == "すべて正しい。よくできた！"


# --------------------------------------------------------------------------- the core's words
def test_the_cores_own_phrases_in_japanese(monkeypatch):
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    X = np.array([[1.0, -2.0], [3.0, 0.5]])
    assert core.array_mismatch(X.tolist(), X) == ("形状 (2, 2) の NumPy 配列を返すべきところ、"
                                                  "list が返された")
    assert core.array_mismatch(X[0], X) == "形状が違う：正しくは (2, 2)、返されたのは (2,)"
    assert core.array_mismatch(X > 0, X).startswith("数値の配列を返すべきところ、dtype bool")
    b = X.copy()
    b[1, 0] = 9
    assert core.compare(b, X) == ("4 成分中 1 成分の値が違う。最初はインデックス (1, 0)："
                                  "正しくは 3、返されたのは 9")
    assert core.compare([1], 2) == "数値を返すべきところ、list が返された"
    assert core.compare(2.5, 1) == "正しくは 1、返されたのは 2.5"
    assert core.compare("y", "x") == "正しくは 'x'、返されたのは 'y'"
    with pytest.raises(TypeError, match="fn は関数でなければならないが、int が渡された"):
        core.check_callable(3)


def test_exceptions_and_changed_inputs_in_japanese(monkeypatch):
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")

    def boom(x):
        raise ZeroDivisionError("no")

    def sneaky(a):
        a[0] = 0.0
        return a

    table = (Raised(Text(en="hint!", ja="ヒントである"), ZeroDivisionError),)
    result = grade(boom, [Case("c", (1,), 1, mistakes=table)])
    reason = result.cases[0].reason
    assert reason.startswith("関数が ZeroDivisionError を送出した：no（")
    assert "行目：raise" in reason
    assert reason.endswith("\nヒント：ヒントである")
    uncallable = grade(lambda x: x, [Case("c", (1, 2), 1)]).cases[0].reason
    assert uncallable.startswith("関数が TypeError を送出した：") and "行目" not in uncallable
    changed = grade(sneaky, [Case("c", (np.ones(2),), np.ones(2))]).cases[0].reason
    assert changed == "関数が入力引数 [0] をその場で書き換えた。書き換えずに新しい配列を計算せよ"


def test_titles_messages_and_names_resolve_when_graded_and_printed(monkeypatch):
    def double(x):
        return 2 * x

    name = Text(en="doubles 2", ja="2 を倍にする")
    table = (Symptom(lambda k: Text(en=f"k = {k}", ja=f"k は {k} である"), lambda: True),)
    cases = [Case(name, (2,), 5, mistakes=table, given={"k": 2})]
    title = Text(en="double", ja="倍")
    result = grade(double, cases, title=title)
    assert result.failed() == ["doubles 2"] and result.cases[0].reason.endswith("Hint: k = 2")
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    assert str(result).splitlines()[0] == "倍：1 ケース中 0 ケース合格"  # printed: Japanese
    result = grade(double, cases, title=title)
    assert result.failed() == ["2 を倍にする"]
    assert result.cases[0].reason == "正しくは 5、返されたのは 4\nヒント：k は 2 である"
    assert str(grade(double, [Case("c", (1,), 2)])).startswith("double の採点：1 ケース中 1 ")


def test_plain_str_messages_stay_as_they_are_in_both_languages(monkeypatch):
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    X = np.ones(2)
    table = (Mistake("plain", lambda x: x + 1),)
    result = grade(lambda x: x + 1, [Case("c", (X,), 2 * X + 1, mistakes=table, given={"x": X})])
    assert result.cases[0].reason.endswith("ヒント：plain")


def test_compose_puts_each_part_in_each_language():
    name = Text(en="a batch", ja="バッチ")
    text = compose("{name}: X of shape {shape}", "{name}: 形状 {shape} の X", name=name,
                   shape=(2, 3))
    assert text == Text(en="a batch: X of shape (2, 3)", ja="バッチ: 形状 (2, 3) の X")


def test_japanese_reports_wrap_by_display_width_and_lose_nothing(monkeypatch):
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    long = "覗き穴結合の項は、シグモイドの内側に入る（ゲートの入力 a_i に加える）。" * 8
    result = grade(lambda x: x, [Case("c", (1,), 2, mistakes=(Symptom(long, lambda: True),))])
    lines = str(result).splitlines()
    assert max(_columns(line) for line in lines) <= 80
    body = "".join(line.strip() for line in lines[3:-1])
    assert body.replace(" ", "") == ("ヒント：" + long).replace(" ", "")
    assert not any(line.strip()[0] in "、。）" for line in lines[3:-1])  # no line opens with these


# --------------------------------------------------------------------------- every message
def _rules(value, seen=None):
    """Every mistake rule reachable from ``value`` (tuples, lists and dicts of rules)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Mistake | Raised | Symptom):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _rules(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _rules(item, seen)


def _bilingual(text, where):
    assert isinstance(text, Text), f"{where}: {text!r} is not a Text"
    assert text.en.strip() and JAPANESE.search(text.ja), f"{where}: {text!r} has no Japanese"


def _graded_cases(grader, monkeypatch):
    """The title and the cases ``grader`` hands to core.grade."""
    seen = {}

    def capture(fn, cases, *, title=None, strict=False):
        seen.update(cases=cases, title=title)
        return core.Result(title, ())

    with monkeypatch.context() as patch:
        patch.setattr(core, "grade", capture)
        grader(lambda *args: None)
    return seen["title"], seen["cases"]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_message_of_every_grader_is_a_text(module, monkeypatch):
    rules = [rule for value in vars(module).values() for rule in _rules(value)]
    assert rules, f"{module.__name__} declares no mistake table"
    for rule in rules:
        if rule.message is None:
            assert isinstance(rule, Symptom)  # a stop: no hint at all
        elif not callable(rule.message):
            _bilingual(rule.message, module.__name__)
    graders = [getattr(module, name) for name in module.__all__]
    for grader in graders:
        title, cases = _graded_cases(grader, monkeypatch)
        _bilingual(title, f"{grader.__name__}'s title")
        for case in cases:
            _bilingual(case.name, f"{grader.__name__}'s case name")
            for rule in case.mistakes:
                if callable(rule.message):  # a message quoting the case: call it on the case
                    names = inspect.signature(rule.message).parameters
                    inputs = {n: case.expected if n == "out" else case.given[n] for n in names}
                    _bilingual(rule.message(**inputs), f"{grader.__name__}: {case.name.en}")

"""Graders: a correct solution passes; each typical mistake fails with the right case named
and a reason that says what went wrong."""

import numpy as np
import pytest

from lstmbook.exercises import check_last_valid
from lstmbook.exercises.core import Case, Result, compare, grade
from lstmbook.nn.sequences import last_valid


def reasons(result):
    """The failure reasons, unwrapped (the printed report wraps long lines)."""
    return "\n".join(c.reason for c in result.cases)


def correct(Y, lengths):
    return Y[np.arange(len(lengths)), lengths - 1]


def correct_loop(Y, lengths):
    return np.stack([Y[n, lengths[n] - 1] for n in range(Y.shape[0])])


@pytest.mark.parametrize("fn", [correct, correct_loop, last_valid])
def test_correct_solutions_pass(fn):
    result = check_last_valid(fn)
    assert result.passed and bool(result)
    assert "4 of 4 cases passed" in str(result)
    assert "✗" not in str(result)


def test_last_column_fails_where_there_is_padding():
    result = check_last_valid(lambda Y, lengths: Y[:, -1])
    assert not result
    assert result.failed() == [
        "different lengths (padding at the end of shorter sequences)",
        "a sequence of length 1",
    ]
    text = reasons(result)
    assert "wrong values" in text and "padding" in text and "Y[:, -1]" in text


def test_off_by_one_fails_everywhere_with_a_hint():
    result = check_last_valid(lambda Y, lengths: Y[np.arange(len(lengths)), lengths])
    assert len(result.failed()) == 4
    assert "IndexError" in reasons(result) and "lengths[n] - 1" in reasons(result)


def test_off_by_one_that_does_not_crash_is_explained():
    def off_by_one_clipped(Y, lengths):
        return Y[np.arange(len(lengths)), np.minimum(lengths, Y.shape[1] - 1)]

    result = check_last_valid(off_by_one_clipped)
    assert "different lengths (padding at the end of shorter sequences)" in result.failed()
    assert "a sequence of length 1" in result.failed()


def test_broadcast_indexing_reports_the_shape():
    result = check_last_valid(lambda Y, lengths: Y[:, lengths - 1])
    assert "equal lengths (no padding)" in result.failed()
    assert "wrong shape: expected (3, 2), got (3, 3, 2)" in reasons(result)
    assert "np.arange(N)" in reasons(result)


def test_first_step_fails():
    result = check_last_valid(lambda Y, lengths: Y[:, 0])
    assert "equal lengths (no padding)" in result.failed()
    assert "a batch of one sequence" in result.failed()
    assert "different lengths (padding at the end of shorter sequences)" in result.failed()
    assert "expected 0.735, got 0.086" in reasons(result)  # names the first wrong entry


def test_returning_nothing_and_changing_the_input():
    assert "got NoneType" in reasons(check_last_valid(lambda Y, lengths: None))

    def sneaky(Y, lengths):
        Y[:, -1] = 0.0
        return correct(Y, lengths)

    result = check_last_valid(sneaky)
    assert "changed its input" in reasons(result)


def test_list_output_is_refused():
    result = check_last_valid(lambda Y, lengths: correct(Y, lengths).tolist())
    assert len(result.failed()) == 4
    assert "expected a numpy array" in reasons(result)


# --------------------------------------------------------------------------- machinery
def test_grade_generic_and_report_text():
    cases = [Case("doubles 2", (2,), 4), Case("doubles 0.5", (0.5,), 1.0)]
    ok = grade(lambda x: 2 * x, cases, title="double")
    assert isinstance(ok, Result) and ok.passed
    bad = grade(lambda x: x + 2, cases, title="double")
    assert bad.failed() == ["doubles 0.5"]
    assert str(bad).splitlines()[0] == "double: 1 of 2 cases passed"
    assert "expected 1, got 2.5" in reasons(bad)
    assert repr(bad) == str(bad)


def test_grade_catches_exceptions_and_hints():
    def boom(x):
        raise ZeroDivisionError("no")

    case = Case("c", (1,), 1, hint=lambda out: "hint!" if isinstance(out, Exception) else None)
    result = grade(boom, [case])
    text = reasons(result)
    assert "raised ZeroDivisionError: no" in text and "Hint: hint!" in text
    with pytest.raises(TypeError, match="fn must be a function"):
        grade(3, [case])


def test_compare():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert compare(a.copy(), a) is None
    assert "wrong shape" in compare(a[0], a)
    b = a.copy()
    b[1, 0] = 9
    assert "index (1, 0): expected 3, got 9" in compare(b, a)
    assert compare("x", "x") is None and "expected 'x'" in compare("y", "x")


def test_report_wraps_long_reasons_but_keeps_every_word():
    result = check_last_valid(lambda Y, lengths: Y[:, -1])
    text = str(result)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert " ".join(text.split()).count("Read step lengths[n] - 1 of each sequence n instead") == 2

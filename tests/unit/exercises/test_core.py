"""The grading core: case tables, mistake tables (matching, order, stops), the callable check,
exceptions of the reader's function, the shape and dtype check, compare's tolerances, strict
mode and the report."""

import warnings

import numpy as np
import pytest

from lstmbook import exercises
from lstmbook.exercises.core import (
    Case,
    Mistake,
    Raised,
    Result,
    Symptom,
    array_mismatch,
    case_table,
    check_callable,
    compare,
    explain,
    grade,
    not_a_pair,
    not_an_array,
    rounded_uniform,
    same,
)

X = np.array([[1.0, -2.0], [3.0, 0.5]])


def reasons(result):
    """The failure reasons, unwrapped (the printed report wraps long lines)."""
    return "\n".join(c.reason for c in result.cases)


# --------------------------------------------------------------------------- grading and reports
def test_grade_generic_and_report_text():
    cases = [Case("doubles 2", (2,), 4), Case("doubles 0.5", (0.5,), 1.0)]
    ok = grade(lambda x: 2 * x, cases, title="double")
    assert isinstance(ok, Result) and ok.passed and bool(ok)
    assert str(ok).splitlines() == ["double: 2 of 2 cases passed", "  ✓ doubles 2",
                                    "  ✓ doubles 0.5", "All correct, well done!"]
    bad = grade(lambda x: x + 2, cases, title="double")
    assert bad.failed() == ["doubles 0.5"] and not bad
    assert str(bad).splitlines()[0] == "double: 1 of 2 cases passed"
    assert "expected 1, got 2.5" in reasons(bad)
    assert str(bad).endswith("fix your function and run again.")
    assert repr(bad) == str(bad)


def test_default_title_names_the_function():
    def my_double(x):
        return 2 * x

    assert str(grade(my_double, [Case("c", (1,), 2)])).startswith("Checking my_double: ")


def test_report_wraps_long_reasons_below_80_columns():
    long = "word " * 60
    result = grade(lambda x: x, [Case("c", (1,), 2, mistakes=(Symptom(long, lambda: True),))])
    lines = str(result).splitlines()
    assert max(len(line) for line in lines) <= 80
    assert " ".join(str(result).split()).count("word") == 60


def test_grading_is_deterministic():
    cases = [Case("c", (rounded_uniform(np.random.default_rng(0), (3, 2)),), np.zeros((3, 2)))]
    assert str(grade(np.sin, cases)) == str(grade(np.sin, cases))


# --------------------------------------------------------------------------- callable check
@pytest.mark.parametrize("bad", [3, None, "f", np.zeros(2)])
def test_check_callable_names_the_argument(bad):
    with pytest.raises(TypeError, match=f"fn must be a function, got {type(bad).__name__}"):
        check_callable(bad)
    with pytest.raises(TypeError, match="step must be a function"):
        check_callable(bad, "step")
    with pytest.raises(TypeError, match="fn must be a function"):
        grade(bad, [Case("c", (1,), 1)])


@pytest.mark.parametrize("grader", exercises.__all__)
def test_every_grader_refuses_a_non_callable(grader):
    with pytest.raises(TypeError, match="fn must be a function, got int"):
        getattr(exercises, grader)(3)


def test_check_callable_accepts_functions_lambdas_and_ufuncs():
    for fn in (len, lambda: 0, np.tanh, Case):
        check_callable(fn)


# --------------------------------------------------------------------------- reader's exceptions
def test_any_exception_fails_the_case_with_its_line_and_a_hint():
    def boom(x):
        raise ZeroDivisionError("no")

    case = Case("c", (1,), 1, mistakes=(Raised("hint!", ZeroDivisionError),))
    result = grade(boom, [case, Case("d", (2,), 2)])
    assert result.failed() == ["c", "d"]
    text = reasons(result)
    assert "raised ZeroDivisionError: no (line " in text and 'raise ZeroDivisionError("no")' in text
    assert text.count("Hint: hint!") == 1  # only the case whose table has the hint


def test_a_function_that_cannot_be_called_so_shows_no_grader_line():
    result = grade(lambda x: x, [Case("two arguments", (1, 2), 1)])
    assert "raised TypeError" in reasons(result) and "(line" not in reasons(result)


def test_changing_an_input_in_place_fails_and_names_it():
    def sneaky(a, b):
        b[0] = 0.0
        return a + b

    result = grade(sneaky, [Case("c", (X.copy(), X.copy()), 2 * X)])
    assert "changed its input argument(s) [1] in place" in reasons(result)
    arg = X.copy()
    grade(sneaky, [Case("c", (X.copy(), arg), 2 * X)])
    np.testing.assert_array_equal(arg, X)  # the function got a copy


def test_strict_mode_turns_warnings_and_float_errors_into_failures():
    def divides(x):
        return x / np.zeros_like(x)

    def warns(x):
        warnings.warn("careful", UserWarning, stacklevel=1)
        return x

    case = Case("c", (np.ones(2),), np.ones(2))
    assert "raised FloatingPointError" in reasons(grade(divides, [case], strict=True))
    assert "raised UserWarning: careful" in reasons(grade(warns, [case], strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert grade(warns, [case]).passed
        assert "wrong values" in reasons(grade(divides, [case]))


# --------------------------------------------------------------------------- shape and dtype
def test_array_mismatch_checks_type_then_shape_then_numbers():
    assert array_mismatch(X.copy(), X) is None
    assert array_mismatch(X.astype(np.float32), X) is None  # any numeric dtype
    assert array_mismatch(X.tolist(), X) == "expected a numpy array of shape (2, 2), got list"
    assert array_mismatch(X[0], X) == "wrong shape: expected (2, 2), got (2,)"
    assert array_mismatch(X.astype(str), X).startswith("expected numbers, got an array of dtype")
    assert "dtype bool" in array_mismatch(X > 0, X)


def test_same_is_loose_and_never_raises():
    assert same(X + 1e-9, X) and not same(X + 1e-3, X)
    assert not same(X.T[:1], X) and not same(X.tolist(), X) and not same(X.astype(str), X)


# --------------------------------------------------------------------------- compare
def test_compare_arrays_numbers_and_other_values():
    assert compare(X.copy(), X) is None
    assert "wrong shape" in compare(X[0], X)
    b = X.copy()
    b[1, 0] = 9
    assert compare(b, X) == ("wrong values at 1 of 4 entries; first at index (1, 0): "
                             "expected 3, got 9")
    assert compare(2.0, 2) is None and compare("2", 2) is None
    assert compare([1], 2) == "expected a number, got list"
    assert compare("x", "x") is None and compare("y", "x") == "expected 'x', got 'y'"
    assert compare(False, True) == "expected True, got False"  # a bool is no number here


def test_compare_tolerances():
    assert compare(X * (1 + 1e-8), X) is None  # within the default rtol 1e-7
    assert compare(X * (1 + 1e-6), X) is not None
    assert compare(X * (1 + 1e-6), X, rtol=1e-5) is None
    zero = np.zeros(2)
    assert compare(zero + 1e-11, zero) is None and compare(zero + 1e-9, zero) is not None
    assert compare(zero + 1e-9, zero, atol=1e-8) is None
    case = Case("loose", (X,), X * (1 + 1e-6), rtol=1e-5)
    assert grade(lambda a: a, [case]).passed  # a case carries its own tolerances
    assert not grade(lambda a: a, [Case("strict", (X,), X * (1 + 1e-6))]).passed


# --------------------------------------------------------------------------- case tables
def test_case_table_builds_one_or_several_cases_per_row():
    def build(name, k):
        if k == 2:
            return [Case(f"{name} a", (k,), k), Case(f"{name} b", (k,), k)]
        return Case(name, (k,), k)

    cases = case_table((("one", 1), ("two", 2)), build)
    assert [c.name for c in cases] == ["one", "two a", "two b"]
    assert grade(lambda k: k, cases).passed


def test_case_table_refuses_repeated_names():
    with pytest.raises(ValueError, match=r"case names must be unique, got \['same'\]"):
        case_table((("same",), ("same",)), lambda name: Case(name, (), 0))


def test_case_of_a_pair_checks_one_part():
    def step(a):
        return a + 1, a * 2

    pair = ("h", "c")
    cases = [Case("h", (X,), X + 1, pair=pair, part="h"),
             Case("c", (X,), X * 2, pair=pair, part="c")]
    assert grade(step, cases).passed
    swapped = grade(lambda a: step(a)[::-1], cases)
    assert swapped.failed() == ["h", "c"]
    with pytest.raises(ValueError, match=r"part must be one of pair \('h', 'c'\), got 'x'"):
        Case("bad", (X,), X, pair=pair, part="x")


def test_not_a_pair_is_reported_with_its_hint():
    pair = ("s", "y")
    case = Case("s", (X,), X, pair=pair, part="s",
                mistakes=(not_a_pair(pair, "return s, y"),))
    for out in (X, (X,), (X, X, X)):
        result = grade(lambda a, out=out: out, [case])
        assert reasons(result) == ("expected a numpy array of shape (2, 2), got str\n"
                                   "Hint: return s, y")


# --------------------------------------------------------------------------- mistake tables
def _double_case(*mistakes):
    return Case("doubles", (X,), 2 * X, mistakes=mistakes, given={"x": X, "k": 2})


def test_a_mistake_is_recognised_by_its_wrong_answer():
    table = (Mistake("added instead of multiplied", lambda x, k: x + k),
             Mistake("squared", lambda x: x * x))
    assert "Hint: added instead" in reasons(grade(lambda a: a + 2, [_double_case(*table)]))
    assert "Hint: squared" in reasons(grade(lambda a: a * a, [_double_case(*table)]))
    assert "Hint" not in reasons(grade(lambda a: a * 3, [_double_case(*table)]))


def test_the_first_fitting_rule_wins_and_order_matters():
    first = Symptom("first", lambda out: True)
    second = Mistake("second", lambda x: x + 2)
    assert reasons(grade(lambda a: a + 2, [_double_case(first, second)])).endswith("first")
    assert reasons(grade(lambda a: a + 2, [_double_case(second, first)])).endswith("second")


def test_a_mistake_that_gives_the_right_answer_here_is_not_named():
    near_miss = lambda a: 2 * a * (1 + 1e-6)  # noqa: E731 - fails compare, same() as the right one
    table = (Mistake("twice", lambda x: x + x),)
    assert "Hint" not in reasons(grade(near_miss, [_double_case(*table)]))


def test_a_mistake_impossible_for_the_shapes_is_skipped():
    table = (Mistake("needs a matrix product", lambda x: x @ np.ones((3, 3))),
             Mistake("picks a column", lambda x: x[:, 5]),
             Mistake("zero", lambda x: 0 * x))
    assert reasons(grade(lambda a: 0 * a, [_double_case(*table)])).endswith("Hint: zero")


def test_a_symptom_with_no_message_stops_the_search():
    table = (Symptom(None, lambda out: out.shape != (2, 2)), Symptom("reached", lambda: True))
    assert "Hint" not in reasons(grade(lambda a: a[0], [_double_case(*table)]))
    assert "Hint: reached" in reasons(grade(lambda a: a, [_double_case(*table)]))


def test_a_symptom_test_failing_on_an_odd_output_does_not_fit():
    table = (Symptom("has a shape", lambda out: out.shape == (2, 2)),
             Symptom("not an array", not_an_array))
    assert reasons(grade(lambda a: "text", [_double_case(*table)])).endswith("Hint: not an array")


def test_raised_rules_match_type_text_and_case():
    table = (Raised("matmul hint", ValueError, says=("matmul",)),
             Raised("zero hint", (ZeroDivisionError, FloatingPointError), when=lambda k: k == 0),
             Raised("any value error", ValueError))

    def hint(err, k=2):
        return explain(table, err, {"k": k}, None)

    assert hint(ValueError("matmul: mismatch")) == "matmul hint"
    assert hint(ValueError("other")) == "any value error"
    assert hint(ZeroDivisionError()) is None and hint(ZeroDivisionError(), k=0) == "zero hint"
    assert hint(KeyError("k")) is None


def test_exceptions_reach_only_raised_rules_and_outputs_only_the_others():
    table = (Symptom("symptom", lambda: True), Mistake("mistake", lambda x: x))
    assert explain(table, ValueError("v"), {"x": X}, X) is None
    assert explain((Raised("raised"),), X, {}, X) is None


def test_messages_may_quote_the_case_and_the_output():
    table = (Symptom(lambda out, k: f"k = {k}, your shape {out.shape}", lambda: True),)
    assert reasons(grade(lambda a: a[0], [_double_case(*table)])).endswith(
        "Hint: k = 2, your shape (2,)")


def test_a_rule_reading_an_unknown_name_is_a_grader_bug():
    with pytest.raises(KeyError, match=r"a mistake rule reads \['W'\], but the case's given "
                                       r"has only \['k', 'x'\]"):
        explain((Mistake("m", lambda W: W),), X, {"x": X, "k": 2}, X)


def test_rounded_uniform_is_reproducible_and_readable():
    a = rounded_uniform(np.random.default_rng(5), (3, 4))
    b = rounded_uniform(np.random.default_rng(5), (3, 4))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (3, 4) and np.all(np.abs(a) <= 1) and np.all(np.round(a, 2) == a)
    c = rounded_uniform(np.random.default_rng(5), 6, -2, 2, decimals=1)
    assert c.shape == (6,) and np.all(np.round(c, 1) == c) and np.all(np.abs(c) <= 2)

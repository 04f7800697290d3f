"""Fixtures for the grader tests: the two claims each grader test makes. A wrong version fails
the named cases and the report names its mistake; every fixed message in a grader's mistake
table is shown for some wrong version (so no row of the table is dead), in English and in
Japanese. The tests run in English (``LSTMBOOK_LANG`` unset) unless a test sets it."""

import pytest

from lstmbook.i18n import LANGUAGES, Text


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """The reports the tests read are English, whatever the shell running pytest sets."""
    monkeypatch.delenv("LSTMBOOK_LANG", raising=False)


def flat(text: str) -> str:
    """``text`` with each run of white space made one space."""
    return " ".join(text.split())


@pytest.fixture
def fails_with():
    """``fails_with(grader, fn, failed, words)``: ``grader(fn)`` fails; ``failed`` names its
    failed cases (a list: exactly these; a string: the first one); the failed cases' reasons say
    ``words`` (pieces joined by " ... " appear in that order)."""

    def check(grader, fn, failed, words):
        result = grader(fn)
        assert not result.passed and not result
        if isinstance(failed, str):
            assert result.failed()[0] == failed, result.failed()
        else:
            assert result.failed() == list(failed)
        reasons = flat(" ".join(c.reason for c in result.cases if not c.passed))
        at = 0
        for piece in flat(words).split(" ... "):
            at = reasons.find(piece, at)
            assert at >= 0, f"{piece!r} not in the reasons of\n{result}"

    return check


@pytest.fixture
def covers(monkeypatch):
    """``covers(grader, mistakes, wrong)``: each fixed message of the mistake table (or of each
    table in a dict of them) appears in the report of one of the wrong versions (``wrong`` maps
    a name to ``(fn, failed, words)``), in each language (a :class:`Text` message in its
    English and its Japanese); messages that quote the case's numbers are functions and are
    left out."""

    def check(grader, mistakes, wrong):
        tables = mistakes.values() if isinstance(mistakes, dict) else [mistakes]
        messages = [rule.message for table in tables for rule in table
                    if isinstance(rule.message, str | Text)]
        for lang in LANGUAGES:
            monkeypatch.setenv("LSTMBOOK_LANG", lang)
            results = [grader(fn) for fn, _, _ in wrong.values()]
            shown = flat(" ".join(c.reason for r in results for c in r.cases))
            missing = [m for m in messages
                       if flat(m.in_language(lang) if isinstance(m, Text) else m) not in shown]
            assert not missing, (lang, missing)
        monkeypatch.delenv("LSTMBOOK_LANG")

    return check

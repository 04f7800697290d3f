"""The Japanese edition cannot drift from the English: every catalogue complete and in step with
a fresh extraction of the English text, every translation carrying the English's roles, maths,
code and links; quiz files per language that ask the same questions with the same keys; the
reader's language chosen by LSTMBOOK_LANG with a clear error."""

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lstmbook import i18n, messages, quiz
from lstmbook.prose import glue

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)


# --------------------------------------------------------------------------- the reader's language
def test_language_from_the_environment(monkeypatch):
    monkeypatch.delenv("LSTMBOOK_LANG", raising=False)
    assert i18n.language() == "en"
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    assert i18n.language() == "ja"
    assert i18n.language("en") == "en"  # an explicit argument wins
    monkeypatch.setenv("LSTMBOOK_LANG", "fr")
    with pytest.raises(ValueError, match="LSTMBOOK_LANG must be one of"):
        i18n.language()
    with pytest.raises(ValueError, match="lang must be one of"):
        i18n.language("de")


# --------------------------------------------------------------------------- the catalogues
@pytest.fixture(scope="module")
def fresh_templates(tmp_path_factory):
    if shutil.which("jupyter-book") is None and not (Path(tool._bin("jupyter-book")).exists()):
        pytest.skip("jupyter-book is not installed")
    return tool.extract(tmp_path_factory.mktemp("gettext") / "gettext")


def test_every_page_has_a_complete_catalogue_in_step_with_the_english(fresh_templates):
    problems = tool.status(fresh_templates)
    assert not problems, "\n".join(problems)


def test_translations_carry_over_roles_maths_code_and_links():
    problems = tool.markup_problems()
    assert not problems, "\n".join(problems[:20])


def test_markup_check_catches_a_lost_glue_role_and_a_changed_formula():
    en = "It ends at {glue:text}`ch03-x:.2f` after $T - 1$ steps (`bptt`), see [ch 4](04.md)."
    ja = "{glue:text}`ch03-x:.2f` 後に $T - 1$ ステップ（`bptt`）、[第4章](04.md)を参照。"
    assert tool.markup(en) == tool.markup(ja)
    assert tool.markup(en) != tool.markup("後に $T - 1$ ステップ（`bptt`）、[第4章](04.md)。")
    assert tool.markup(en) != tool.markup("{glue:text}`ch03-x:.2f` $T-1$ `bptt` [第4章](04.md)")


def test_a_roles_explicit_title_is_translated_but_its_target_kept():
    en = "See {ref}`the forget-gate bias <sec-06-bias>` and {eq}`eq-lstm-cell`."
    eq, bias = "{eq}`eq-lstm-cell`", "忘却ゲートのバイアス"
    assert tool.markup(en) == tool.markup(f"{{ref}}`{bias} <sec-06-bias>` と {eq} を参照。")
    assert tool.markup(en) != tool.markup(f"{{ref}}`{bias} <sec-06-init>` と {eq}。")
    assert tool.markup(en) != tool.markup(f"忘却ゲートのバイアス と {eq} を参照。")


# --------------------------------------------------------------------------- quizzes by language
def _shape(questions):
    """What must be equal across languages: question types, the position of the correct
    answers, numeric keys and their checks, code shown."""
    out = []
    for q in questions:
        answers = [(a.get("type"), a.get("correct"), a.get("value"), a.get("range"),
                    a.get("code")) for a in q["answers"]]
        out.append((q["type"], q.get("precision"), q.get("check"), q.get("code"), answers))
    return out


@pytest.mark.parametrize("stem", quiz.available_quizzes("en"))
def test_every_quiz_has_a_japanese_twin_with_the_same_keys(stem):
    en = quiz.load_quiz(stem, lang="en")
    ja = quiz.load_quiz(stem, lang="ja")  # validates
    assert _shape(ja) == _shape(en)
    for q_en, q_ja in zip(en, ja, strict=True):
        assert q_ja["question"] != q_en["question"], f"{stem}: untranslated {q_en['question']!r}"


def test_no_japanese_quiz_without_an_english_one():
    assert set(quiz.available_quizzes("ja")) == set(quiz.available_quizzes("en"))


def test_quiz_language_follows_the_environment(monkeypatch):
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    assert quiz.quiz_path("01_sequence_data").parent.name == "ja"
    monkeypatch.delenv("LSTMBOOK_LANG")
    assert quiz.quiz_path("01_sequence_data").parent.name == "quizzes"


def test_phrases_glued_into_prose_follow_the_language(monkeypatch):
    assert i18n.phrase("LSTM fb 1 better", "en") == "LSTM fb 1 better"
    assert i18n.phrase("LSTM fb 1 better", "ja") == "LSTM fb 1 のほうが良い"
    assert i18n.phrase("inconclusive", "ja").startswith("結論は出ない")
    assert i18n.phrase("4 of 5", "ja") == "5 中 4"
    assert i18n.phrase("no such phrase", "ja") == "no such phrase"
    with pytest.raises(TypeError, match="text must be a string"):
        i18n.phrase(3, "ja")
    monkeypatch.setenv("LSTMBOOK_LANG", "ja")
    assert glue("test-verdict", "GRU better") == "GRU のほうが良い"
    assert glue("test-number", 0.123456789, digits=3) == 0.123
    assert i18n.phrase("0.137 and 0.715 and 3e-05", "ja") == "0.137 と 0.715 と 3e-05"


# --------------------------------------------------------------------------- own sentences
#: The study notes the book teaches (Japanese; kept beside the repository, not in it).
def _notes_folder() -> Path:
    """``LSTMBOOK_NOTES``, else ``shared/seeds`` beside the repository, or beside the repository
    a clone was made from (a clean clone for CI is made from a local checkout)."""
    if os.environ.get("LSTMBOOK_NOTES"):
        return Path(os.environ["LSTMBOOK_NOTES"])
    places = [ROOT]
    origin = subprocess.run(["git", "-C", str(ROOT), "remote", "get-url", "origin"],
                            capture_output=True, text=True).stdout.strip()
    if origin and Path(origin).is_dir():
        places.append(Path(origin).resolve())
    found = [p.parent / "shared" / "seeds" for p in places]
    return next((f for f in found if f.is_dir()), found[0])


NOTES = _notes_folder()
#: What may repeat the notes word for word: a quotation 「…」 (the book quotes the notes, and
#: says so), maths, code, and Latin-script text (an example sentence, an English term).
_QUOTED = re.compile(r"「[^」]*」|\$[^$]*\$|`[^`]*`|[\x00-\x7f]+")
RUN = 20  # characters


def _japanese_texts():
    """(where, text) of every Japanese text of the edition: page and package catalogues,
    quizzes."""
    paths = sorted((ROOT / "locales").rglob("*.po")) + sorted(messages.LOCALE.rglob("*.po"))
    for path in paths:
        with path.open("rb") as f:
            for m in read_po(f):
                if m.id and m.string:
                    yield f"{path.name}: {m.id[:50]!r}", m.string
    for path in sorted((ROOT / "lstmbook" / "quizzes" / "ja").glob("*.json")):
        yield path.name, path.read_text(encoding="utf-8")


def copied_runs(texts, notes: str, run: int = RUN) -> list[str]:
    """Texts that share a run of ``run`` characters (whitespace ignored) with ``notes``,
    outside quotations, maths, code and Latin-script text."""
    flat = re.sub(r"\s+", "", notes)
    grams = {flat[i:i + run] for i in range(len(flat) - run + 1)}
    found = []
    for where, text in texts:
        for part in _QUOTED.split(re.sub(r"\s+", "", text)):
            hit = next((part[i:i + run] for i in range(len(part) - run + 1)
                        if part[i:i + run] in grams), None)
            if hit:
                found.append(f"{where}: {hit}")
                break
    return found


@pytest.mark.skipif(not NOTES.is_dir(), reason=f"the study notes are not at {NOTES} "
                    "(set LSTMBOOK_NOTES to their folder)")
def test_the_japanese_sentences_are_the_books_own():
    """Issue 14.5: the translation is the book's own Japanese, not the notes' sentences: no
    Japanese text repeats 20 characters of the notes except inside a quotation 「…」."""
    notes = "".join(p.read_text(encoding="utf-8") for p in sorted(NOTES.glob("*.txt")))
    assert notes, f"no notes (*.txt) in {NOTES}"
    copied = copied_runs(_japanese_texts(), notes)
    assert not copied, "Japanese text copied from the notes:\n" + "\n".join(copied[:20])


def test_the_copy_check_finds_a_copied_sentence_and_spares_a_quotation():
    said = "リカレントニューラルネットワークは系列データを扱うのが得意"
    notes = said + "なネットワークである。"
    copied = [("a", f"本書では、{said}だと考える。")]
    quoted = [("b", f"ノートは「{said}」と書く。")]
    assert copied_runs(copied, notes) and not copied_runs(quoted, notes)

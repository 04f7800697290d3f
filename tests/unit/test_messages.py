"""Figure, printed and explorer text in the reader's language (lstmbook.messages): keys that keep
one entry for every value, translations that put the numbers back where they say, the strict
mode that stops on a missing translation, a .po reader that agrees with Babel's, every entry of
the package's catalogues translated, and the hooks (matplotlib text, print, a Japanese font)
in a fresh interpreter in Japanese."""

import importlib.util
import itertools
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po as babel_read_po

from lstmbook import messages
from lstmbook.i18n import LANGUAGES
from lstmbook.messages import MissingTranslation, fmt, key, tr, translatable

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted((messages.LOCALE / "ja").glob("*.po"))


# --------------------------------------------------------------------------- keys
@pytest.mark.parametrize("text, want, numbers", [
    ("seed 3: test MSE 0.0123", "seed %1: test MSE %2", ["3", "0.0123"]),
    ("h_0 and W_hh1 and x2", "h_0 and W_hh1 and x2", []),  # digits inside names stay
    ("(1/4)^10 = 9.537e-07", "(%1/%2)^%3 = %4", ["1", "4", "10", "9.537e-07"]),
    ("clipped on 50% of steps", "clipped on %1 of steps", ["50%"]),
    ("−0.5 and -3", "%1 and %2", ["−0.5", "-3"]),
    ("layer 2 outputs $h^{(2)}_t$", "layer %1 outputs $h^{(%2)}_t$", ["2", "2"]),
    ("a template %1 stays", "a template %1 stays", []),
    ("14ceptors and 2D stay", "14ceptors and 2D stay", []),
    ("gap 0.17 at t = 10.", "gap %1 at t = %2.", ["0.17", "10"]),  # the sentence's full stop
    ("steps 1 to 24. Upper: 3.", "steps %1 to %2. Upper: %3.", ["1", "24", "3"]),
    ("[ 3.  -4.]", "[ %1  %2]", ["3.", "-4."]),  # NumPy's floats keep their point
])
def test_a_key_replaces_each_number_by_a_numbered_placeholder(text, want, numbers):
    assert key(text) == (want, numbers)


@pytest.mark.parametrize("text, want", [
    ("training loss", True), ("0.25", False), ("$\\mathdefault{10^{-3}}$", False),
    ("$h_t$", False), ("損失 loss", False), (3.0, False), ("", False),
])
def test_what_is_looked_up(text, want):
    assert translatable(text) is want


# --------------------------------------------------------------------------- look-ups
@pytest.fixture
def catalogue(monkeypatch, tmp_path):
    """A catalogue of three entries in a temporary locale folder."""
    (tmp_path / "ja").mkdir()
    (tmp_path / "ja" / "01_test.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "seed %1: test MSE %2"\nmsgstr "テスト MSE %2（シード %1）"\n\n'
        'msgid "training loss"\nmsgstr "訓練損失"\n\n'
        '#, fuzzy\nmsgid "stale"\nmsgstr "古い"\n\n'
        'msgid "after %1 at temperature %2"\nmsgstr "温度 %2 で %1 の後"\n', encoding="utf-8")
    monkeypatch.setattr(messages, "LOCALE", tmp_path)
    messages.catalogue.cache_clear()
    for var in ("LSTMBOOK_I18N_STRICT", "LSTMBOOK_I18N_RECORD", "LSTMBOOK_I18N_USED"):
        monkeypatch.delenv(var, raising=False)
    yield tmp_path
    messages.catalogue.cache_clear()


def test_a_translation_puts_the_numbers_back_in_its_own_order(catalogue):
    assert tr("seed 3: test MSE 0.0123", "ja") == "テスト MSE 0.0123（シード 3）"
    assert tr("seed 12: test MSE 1.5e-05", "ja") == "テスト MSE 1.5e-05（シード 12）"
    assert tr("training loss", "ja") == "訓練損失"
    assert tr("training loss", "en") == "training loss"  # English is the source


def test_a_missing_or_fuzzy_entry_stays_english_and_fails_under_strict(catalogue, monkeypatch):
    assert tr("validation loss", "ja") == "validation loss"
    assert tr("stale", "ja") == "stale"  # fuzzy: not a translation yet
    monkeypatch.setenv("LSTMBOOK_I18N_STRICT", "1")
    with pytest.raises(MissingTranslation, match="no ja translation of 'validation loss'"):
        tr("validation loss", "ja")
    with pytest.raises(MissingTranslation, match="'seed %1'"):
        tr("seed 4", "ja")
    assert tr("0.5", "ja") == "0.5"  # nothing to translate: never an error


def test_record_and_used_files_list_what_was_looked_up(catalogue, monkeypatch, tmp_path):
    rec, used = tmp_path / "rec.jsonl", tmp_path / "used.jsonl"
    monkeypatch.setenv("LSTMBOOK_I18N_RECORD", str(rec))
    monkeypatch.setenv("LSTMBOOK_I18N_USED", str(used))
    monkeypatch.setenv("LSTMBOOK_I18N_CHAPTER", "01_test")
    tr("seed 3: test MSE 0.5", "ja")
    tr("validation loss", "ja")
    records = [json.loads(line) for line in rec.read_text(encoding="utf-8").splitlines()]
    assert [(r["chapter"], r["key"], r["example"]) for r in records] == [
        ("01_test", "seed %1: test MSE %2", "seed 3: test MSE 0.5"),
        ("01_test", "validation loss", "validation loss")]
    assert [json.loads(line)["key"] for line in used.read_text().splitlines()] == [
        "seed %1: test MSE %2"]


def test_fmt_fills_a_template_with_data_that_is_not_part_of_the_key(catalogue):
    assert fmt("after %1 at temperature %2", "'the '", 0.5, lang="ja") == "温度 0.5 で 'the ' の後"
    assert fmt("after %1 at temperature %2", "'the '", 0.5, lang="en") == \
        "after 'the ' at temperature 0.5"
    with pytest.raises(ValueError, match="names %2, but 1 values were given"):
        fmt("after %1 at temperature %2", "x", lang="en")


def test_sentences_are_translated_one_by_one_and_joined_as_the_language_joins_them(catalogue):
    parts = ["seed 3: test MSE 0.5", "training loss"]
    assert messages.sentences(parts, "en") == "seed 3: test MSE 0.5 training loss"
    assert messages.sentences(parts, "ja") == "テスト MSE 0.5（シード 3）訓練損失"
    assert messages.sentences(["training loss", "validation loss"], "ja") == \
        "訓練損失validation loss"  # a sentence without a translation stays English


def test_print_looks_up_each_line_but_leaves_the_lines_of_japanese_arguments(catalogue,
                                                                             monkeypatch, capsys):
    """print's text is looked up line by line (a line made of several arguments is one
    look-up), except the lines inside an argument that holds Japanese (a grader's report,
    wrapped: its continuation lines may hold no Japanese), which is already translated; so the
    strict mode cannot trip over a fragment of a Japanese text."""
    monkeypatch.setattr(messages, "_active", "ja")
    monkeypatch.setenv("LSTMBOOK_I18N_STRICT", "1")
    report = "採点：h_t = f(x W^T +\n        h_prev U^T + b)。"
    messages._translated_print("training loss\nseed 3: test MSE 0.5", report, sep=" | ")
    assert capsys.readouterr().out == (
        "訓練損失\nseed 3: test MSE 0.5 | " + report + "\n")  # that line holds Japanese
    messages._translated_print("seed 3:", "test MSE", 0.5)  # one line, one look-up
    messages._translated_print("training loss", report, sep="\n")
    assert capsys.readouterr().out == "テスト MSE 0.5（シード 3）\n訓練損失\n" + report + "\n"
    assert not messages.translatable("        W^T + h_prev U^T + b)。")  # 。 is Japanese


def test_every_language_has_the_same_punctuation_marks():
    assert sorted(messages.PUNCTUATION) == sorted(LANGUAGES)
    for lang, marks in messages.PUNCTUATION.items():
        assert set(marks) == {"pair", "list", "stop", "space"}, lang
    assert messages.punctuation("ja")["stop"] == "。"


def test_a_placeholder_beyond_the_text_is_an_error(catalogue):
    (catalogue / "ja" / "02_bad.po").write_text('msgid "loss %1"\nmsgstr "損失 %2"\n',
                                                encoding="utf-8")
    messages.catalogue.cache_clear()
    with pytest.raises(MissingTranslation, match="names %2, but the text has 1 numbers"):
        tr("loss 0.5", "ja")


def test_a_key_in_two_catalogues_is_an_error(catalogue):
    (catalogue / "ja" / "02_dup.po").write_text('msgid "training loss"\nmsgstr "学習損失"\n',
                                                encoding="utf-8")
    messages.catalogue.cache_clear()
    with pytest.raises(ValueError, match="both translate 'training loss'"):
        messages.catalogue("ja")


# --------------------------------------------------------------------------- the catalogues
def test_the_po_reader_agrees_with_babel(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
        '#. e.g. a "quoted" word\nmsgid ""\n"two \\"lines\\"\\n"\n"joined"\n'
        'msgstr "二行\\tです"\n\n'
        '#, fuzzy\nmsgid "fuzzy one"\nmsgstr "曖昧"\n\n'
        'msgid "untranslated"\nmsgstr ""\n\n#~ msgid "gone"\n#~ msgstr "消えた"\n',
        encoding="utf-8")
    for path in [sample, *CATALOGUES]:
        with path.open("rb") as fh:
            cat = babel_read_po(fh)
        want = {m.id: m.string for m in cat if m.id and m.string and not m.fuzzy}
        assert messages.read_po(path) == want, path.name


def test_every_chapter_has_a_catalogue():
    stems = {p.stem for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
    assert stems == {p.stem for p in CATALOGUES}


def test_every_entry_of_the_package_catalogues_is_translated():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.output_status() == []
    assert len(messages.catalogue("ja")) > 0


def test_translations_keep_every_placeholder_and_the_maths():
    """Each translation names exactly the placeholders of its English (a number may not be
    lost or invented) and keeps every $…$ formula."""
    bad = []
    for path in CATALOGUES:
        for k, v in messages.read_po(path).items():
            if sorted(set(messages._PLACEHOLDER.findall(k))) != \
                    sorted(set(messages._PLACEHOLDER.findall(v))):
                bad.append((path.name, k, v, "placeholders"))
            if sorted(messages._MATHS.findall(k)) != sorted(messages._MATHS.findall(v)):
                bad.append((path.name, k, v, "maths"))
    assert not bad, bad[:10]


# --------------------------------------------------------------------------- the hooks
def test_japanese_figures_and_prints_in_a_fresh_interpreter():
    """``import lstmbook`` with LSTMBOOK_LANG=ja: a plot's title, axis label and legend and a
    printed line come out in Japanese (from the real catalogue); the Japanese glyphs are drawn
    in IPAexGothic with no missing-glyph warning; English is untouched by the same code."""
    ja = messages.catalogue("ja")
    english = next(k for k, v in ja.items() if "%" not in k and "\n" not in k
                   and translatable(k) and k != v)
    code = f"""
import warnings, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
import lstmbook
fig, ax = plt.subplots()
ax.plot([0, 1], label={english!r})
ax.set_title({english!r}); ax.set_xlabel({english!r})
leg = ax.legend()
with warnings.catch_warnings():
    warnings.simplefilter("error")
    fig.canvas.draw()
print({english!r})
print("TEXTS", ax.get_title(), "|", ax.get_xlabel(), "|", leg.get_texts()[0].get_text())
families = list(matplotlib.rcParams["font.family"])
found = (Path(font_manager.findfont(font_manager.FontProperties(family=["IPAexGothic"]),
                                    fallback_to_default=False)).name
         if "IPAexGothic" in families else "none")
print("FONTS", families, found)
"""
    code = "from pathlib import Path\n" + code
    for lang, want in (("ja", ja[english]), ("en", english)):
        env = dict(os.environ, LSTMBOOK_LANG=lang, MPLBACKEND="Agg")
        env.pop("LSTMBOOK_I18N_STRICT", None)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, cwd=ROOT)
        assert r.returncode == 0, r.stderr[-2000:]
        lines = r.stdout.splitlines()
        assert lines[0] == want
        assert lines[1] == f"TEXTS {want} | {want} | {want}"
        if lang == "ja":
            assert "ipaexg.ttf" in lines[2], lines[2]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_the_paired_comparison_tables_stay_aligned_in_japanese():
    """stats.PairedComparison.table's header, translated: its columns end where the rows'
    numbers end (a full-width character is two columns), so the per-seed table still reads as a
    table. Checked on each header's recorded example."""
    checked = 0
    for path in CATALOGUES:
        with path.open("rb") as f:
            for m in babel_read_po(f):
                if not (m.id and m.string and m.id.startswith("  seed")):
                    continue
                example = " ".join(c.removeprefix("e.g. ") for c in m.auto_comments) or m.id
                nb, na = re.search(r"diff \((.*) - (.*)\)$", example).groups()
                w = max(len(na), len(nb), 8)
                shown = messages._fill(m.string, key(example)[1], ValueError)
                fields = re.split(r"(?<=\S)(?=\s{2,})", shown)  # each field with its left padding
                ends = list(itertools.accumulate(_display_width(x) for x in fields))[:3]
                assert ends == [6, 8 + w, 10 + 2 * w], f"{path.name}: {shown!r} (ends: {ends})"
                checked += 1
    assert checked >= 10

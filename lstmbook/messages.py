"""Figure, explorer and printed text in the reader's language: the message catalogue and its hooks.

Sphinx's gettext translates the book's prose (``locales/``). What a chapter's *code* writes —
plot titles, axis labels and legends, the lines it prints, the labels, alt texts and captions
of its explorers — is English in the notebooks, the one source of both editions. In the
Japanese edition the same code runs with ``LSTMBOOK_LANG=ja``, and this module puts that text
into Japanese:

- :func:`tr` looks a text up in the catalogue ``lstmbook/locale/<lang>/*.po`` (one per chapter,
  plain gettext files: a translator's usual tools read them). A text is looked up by its
  *key*: the text with every number replaced by a numbered placeholder (``"seed 3: test MSE
  0.0123"`` → ``"seed %1: test MSE %2"``, :func:`key`), so one entry serves every value the code
  computes; the translation puts the numbers back where it says (``%2`` may come before ``%1``).
- :func:`install` (run by ``import lstmbook`` when the language is not English) routes the text
  of every matplotlib ``Text`` (titles, labels, legends, annotations: the package's plots and the
  notebooks' own) and every line ``print`` writes to standard output through :func:`tr` (line
  by line; the lines of an argument that already holds Japanese are left as they are). The
  explorers and widgets call :func:`tr` themselves for their labels, alt texts and captions.

Text with no ASCII letter outside ``$…$`` maths (numbers, tick labels, formulas), and text that
already holds Japanese, is left as it is. Text the catalogue lacks stays English, except under
``LSTMBOOK_I18N_STRICT=1`` (the strict Japanese build of ``make test``), where :func:`tr` raises,
so an English change without its translation fails the build. Two more switches serve
``tools/i18n.py``: ``LSTMBOOK_I18N_RECORD=<file>`` appends every text looked up (with
``LSTMBOOK_I18N_CHAPTER``) as a JSON line, which is how the catalogues are made and kept in step;
``LSTMBOOK_I18N_USED=<file>`` appends the key of every entry used, so entries no chapter uses any
more are found (obsolete).
"""

from __future__ import annotations

import builtins
import functools
import importlib.util
import json
import os
import re
import sys
from pathlib import Path

from lstmbook.i18n import language

__all__ = ["LOCALE", "PUNCTUATION", "MissingTranslation", "catalogue", "fmt", "install", "key",
           "punctuation", "read_po", "sentences", "translatable", "translation", "tr"]

LOCALE = Path(__file__).resolve().parent / "locale"  #: ``locale/<lang>/<chapter>.po``

#: A number as code prints it: an optional sign, digits, a decimal part, an exponent, a percent.
#: Digits that are part of a name (``h_0``, ``x2``, ``W_hh1``, ``2D``) or of a placeholder
#: (``%1``) are not numbers, so a key is its own key and ``%1`` is never followed by a digit. A
#: point after the digits belongs to the number (NumPy prints ``3.``) unless it ends a sentence
#: (the end of the text, or a capital after it): ``"t = 10."`` is ``"t = %1."``, so a translation
#: can end its sentence its own way.
_NUMBER = re.compile(r"(?<![\w.%])[-+−]?\d+(?:\.\d+|\.(?!\s+[A-Z]|\s*$))?(?:[eE][-+]?\d+)?%?(?!\w)")
_PLACEHOLDER = re.compile(r"%(\d+)")
_MATHS = re.compile(r"\$[^$]*\$")
_LETTER = re.compile(r"[A-Za-z]")
_JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")  # with 。、「」


#: How each language joins pieces of text that code puts together from translated parts (an
#: explorer's settings, "label: value; label: value", then a full stop; a summary's sentences):
#: ``pair`` between a label and its value, ``list`` between settings, ``stop`` ending a sentence,
#: ``space`` between sentences. The page script (lstmbook-explorers.js) receives the same table.
PUNCTUATION = {
    "en": {"pair": ": ", "list": "; ", "stop": ".", "space": " "},
    "ja": {"pair": "：", "list": "、", "stop": "。", "space": ""},
}


def punctuation(lang: str | None = None) -> dict[str, str]:
    """The :data:`PUNCTUATION` of ``lang`` (default: the reader's language)."""
    return PUNCTUATION[language(lang)]


def sentences(parts, lang: str | None = None) -> str:
    """The sentences ``parts`` (English), each through :func:`tr`, joined as ``lang`` joins
    sentences: a translation is looked up sentence by sentence, so a summary made of optional
    sentences needs one catalogue entry per sentence, not one per combination."""
    lang = language(lang)
    return PUNCTUATION[lang]["space"].join(tr(p, lang) for p in parts)


class MissingTranslation(LookupError):
    """A text the strict build met that the catalogue has no translation for."""


def key(text: str) -> tuple[str, list[str]]:
    """``text`` with its numbers replaced by ``%1``, ``%2``, … and the numbers, in order.

    A literal ``%`` followed by a digit cannot occur in a key: the digit would be a number."""
    numbers: list[str] = []

    def number(m):
        numbers.append(m.group(0))
        return f"%{len(numbers)}"

    return _NUMBER.sub(number, text), numbers


def translatable(text: str) -> bool:
    """Whether ``text`` is looked up: it has an ASCII letter outside ``$…$`` maths and no
    Japanese (so a translated text is not looked up again)."""
    return (isinstance(text, str) and bool(_LETTER.search(_MATHS.sub("", text)))
            and not _JAPANESE.search(text))


# --- reading the catalogues ---
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(s: str, where: str) -> str:
    s = s.strip()
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, got {s!r}")
    return re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), s[1:-1])


def read_po(path) -> dict[str, str]:
    """The translated entries of a gettext catalogue, ``msgid -> msgstr`` (without the header,
    untranslated, fuzzy or obsolete entries). A small reader of the subset of the format that
    Babel writes, so the package needs no gettext library at run time."""
    path = Path(path)
    entries: dict[str, str] = {}
    field, fuzzy, cur = None, False, {}

    def flush():
        nonlocal cur, fuzzy
        if "msgid" in cur and cur["msgid"] and cur.get("msgstr") and not fuzzy:
            if cur["msgid"] in entries:
                raise ValueError(f"{path}: msgid {cur['msgid']!r} appears twice")
            entries[cur["msgid"]] = cur["msgstr"]
        cur, fuzzy = {}, False

    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path}:{n}"
        if not line.strip():
            flush()
            field = None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgstr ", "msgctxt ")):
            name, _, rest = line.partition(" ")
            if name == "msgid" and "msgid" in cur:
                flush()
            field = name
            cur[field] = _unquote(rest, where)
        elif line.startswith('"') and field:
            cur[field] += _unquote(line, where)
        else:
            raise ValueError(f"{where}: cannot read {line!r}")
    flush()
    return entries


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every translated entry of ``locale/<lang>/*.po``, ``key -> translation``. A key in two
    files is an error (each text belongs to the first chapter that shows it)."""
    merged: dict[str, str] = {}
    seen: dict[str, str] = {}
    for path in sorted((LOCALE / lang).glob("*.po")):
        for k, v in read_po(path).items():
            if k in merged:
                raise ValueError(f"{path.name} and {seen[k]} both translate {k!r}")
            merged[k], seen[k] = v, path.name
    return merged


def _append(var: str, record: dict) -> None:
    target = os.environ.get(var)
    if target:
        with open(target, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def translation(k: str, lang: str | None = None, *, example: str | None = None) -> str | None:
    """The catalogue's translation of the key ``k`` (placeholders ``%1``… left in), or None
    (under ``LSTMBOOK_I18N_STRICT=1``: :class:`MissingTranslation`). Records the look-up for
    ``tools/i18n.py`` (see the module's docstring). For templates that code other than Python
    fills in, such as the page explorers' JavaScript; Python code calls :func:`tr`."""
    lang = language(lang)
    if lang == "en":
        return None
    _append("LSTMBOOK_I18N_RECORD", {"chapter": os.environ.get("LSTMBOOK_I18N_CHAPTER", ""),
                                     "key": k, "example": k if example is None else example})
    found = catalogue(lang).get(k)
    if found is None:
        if os.environ.get("LSTMBOOK_I18N_STRICT") == "1":
            raise MissingTranslation(
                f"no {lang} translation of {k!r} in {LOCALE / lang}; "
                "add it with: python tools/i18n.py output-update")
        return None
    _append("LSTMBOOK_I18N_USED", {"key": k})
    return found


def tr(text, lang: str | None = None):
    """``text`` in ``lang`` (default: the reader's language) from the catalogue; a non-string, or
    text that is not :func:`translatable`, is returned as it is. English is always returned as
    it is. Multi-line text is one message (print's lines are looked up one by one instead)."""
    lang = language(lang)
    if lang == "en" or not translatable(text):
        return text
    k, numbers = key(text)
    try:
        found = translation(k, lang, example=text)
    except MissingTranslation as e:
        raise MissingTranslation(f"{e} (shown as {text!r})") from None
    if found is None:
        return text
    return _fill(found, numbers, lambda i: MissingTranslation(
        f"the {lang} translation of {k!r} names %{i}, but the text has {len(numbers)} numbers"))


def fmt(template: str, *args, lang: str | None = None) -> str:
    """``template`` in ``lang`` with ``%1``, ``%2``, … filled by ``args`` (any values, written
    with ``str``): for text that holds data rather than numbers only (a prompt, a sampled
    text, a sentence), which must not become part of the catalogue's key."""
    if not isinstance(template, str):
        raise TypeError(f"template must be a string, got {type(template).__name__}")
    found = translation(template, lang) if translatable(template) else None
    text = template if found is None else found
    return _fill(text, [str(a) for a in args], lambda i: ValueError(
        f"template {template!r} (in {language(lang)}: {text!r}) names %{i}, but {len(args)} "
        "values were given"))


def _fill(text: str, values: list[str], error) -> str:
    """``text`` with ``%k`` replaced by ``values[k - 1]``; a ``%k`` beyond them raises
    ``error(k)``."""
    def value(m):
        i = int(m.group(1))
        if not 1 <= i <= len(values):
            raise error(i)
        return values[i - 1]

    return _PLACEHOLDER.sub(value, text)


# --- the hooks ---
_active = "en"  # the language the hooks translate into ("en": not installed)
_print = builtins.print


def _translated_print(*args, sep=" ", end="\n", file=None, flush=False):
    if file is not None and file is not sys.stdout:
        return _print(*args, sep=sep, end=end, file=file, flush=flush)
    sep = " " if sep is None else sep
    texts = [str(a) for a in args]
    text = sep.join(texts)
    # the spans of the arguments that hold Japanese: they are already in the reader's language
    # (a grader's report, a summary the package translated), including the continuation lines
    # of a wrapped sentence that hold no Japanese themselves
    done, at = [], 0
    for t in texts:
        if _JAPANESE.search(t):
            done.append((at, at + len(t)))
        at += len(t) + len(sep)
    lines, at = [], 0
    for line in text.split("\n"):
        inside = any(lo <= at and at + len(line) <= hi for lo, hi in done)
        lines.append(line if inside else tr(line, _active))
        at += len(line) + 1
    return _print("\n".join(lines), end=end, file=file, flush=flush)


def _font(lang: str) -> None:
    """A font with the glyphs of ``lang`` for matplotlib: IPAexGothic, shipped by the PyPI
    package matplotlib-fontja (a requirement of the book and of Binder), first, then DejaVu
    Sans. First, because the text around ``$…$`` maths is drawn by the maths renderer in the
    first family only, with no fallback (Japanese there would be empty boxes); the maths keeps
    matplotlib's maths fonts."""
    import matplotlib as mpl
    from matplotlib import font_manager

    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the {lang} edition draws its figures in IPAexGothic, from the "
                          "package matplotlib-fontja: pip install matplotlib-fontja")
    ttf = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    font_manager.fontManager.addfont(str(ttf))
    mpl.rcParams["font.family"] = ["IPAexGothic", "DejaVu Sans"]


def install(lang: str | None = None) -> None:
    """Route matplotlib's text and ``print``'s lines through :func:`tr` and give matplotlib a
    Japanese font. Does nothing in English; idempotent. ``import lstmbook`` runs it when
    ``LSTMBOOK_LANG`` names another language."""
    global _active
    lang = language(lang)
    if lang in ("en", _active):
        return
    if _active != "en":
        raise ValueError(f"lang: the package already translates into {_active}, not {lang}")
    from matplotlib.text import Text

    _font(lang)
    set_text = Text.set_text

    @functools.wraps(set_text)
    def translated_set_text(self, s):
        return set_text(self, tr(s, lang) if isinstance(s, str) else s)

    Text.set_text = translated_set_text
    builtins.print = _translated_print
    _active = lang

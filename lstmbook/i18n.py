"""The reader's language: English, or Japanese for the Japanese edition.

The book's prose is translated by Sphinx's gettext machinery (``locales/``, ``tools/i18n.py``);
what gettext cannot reach is chosen here, by language: the quiz files (one per language,
``lstmbook/quizzes/<lang>/``) and the gate names drawn on the diagrams; the text code writes
(figure labels, printed lines, explorers) goes through the catalogue of
:mod:`lstmbook.messages`. The language comes from
the environment variable ``LSTMBOOK_LANG`` (``en`` when unset), which the Japanese build sets
for every chapter it executes; a reader can set it too, or pass ``lang=`` where a function takes
it.

Words that code computes into the prose (a comparison's verdict, "4 of 5") are put into the
reader's language by :func:`phrase`, which :func:`lstmbook.prose.glue` applies to every glued
string.
"""

from __future__ import annotations

import os
import re

__all__ = ["DEFAULT", "LANGUAGES", "Text", "language", "phrase"]

LANGUAGES = ("en", "ja")  #: the editions, English first
DEFAULT = "en"


def language(lang: str | None = None) -> str:
    """``lang`` checked, or (``None``) the one ``LSTMBOOK_LANG`` names, ``"en"`` when unset."""
    if lang is None:
        lang = os.environ.get("LSTMBOOK_LANG", "").strip() or DEFAULT
        source = "LSTMBOOK_LANG"
    else:
        source = "lang"
    if lang not in LANGUAGES:
        raise ValueError(f"{source} must be one of {LANGUAGES}, got {lang!r}")
    return lang


#: Phrases the package glues into prose, as (English pattern, Japanese replacement).
_PHRASES = {
    "ja": (
        (re.compile(r"inconclusive"), "結論は出ない（区間が 0 を含む）"),
        (re.compile(r"(.+) better"), r"\1 のほうが良い"),
        (re.compile(r"(\d+) of (\d+)"), r"\2 中 \1"),
        (re.compile(r"[-+.\de]+(?: and [-+.\de]+)+"),  # numbers listed
         lambda m: m.group(0).replace(" and ", " と ")),
    ),
}


def phrase(text: str, lang: str | None = None) -> str:
    """``text`` (a whole phrase the package computed, such as a verdict ``"LSTM better"``,
    ``"inconclusive"``, ``"4 of 5"`` or numbers ``"0.137 and 0.715"``) in ``lang``; text it
    does not know is returned as it is."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    for pattern, replacement in _PHRASES.get(language(lang), ()):
        if pattern.fullmatch(text):
            return pattern.sub(replacement, text)
    return text


class Text:
    """A message in both languages that reads in the reader's language at the moment it is
    turned into text (``str(t)``, an f-string, ``print``): graders and explorers build their
    messages as ``Text(en="...", ja="...")``. Not a ``str`` on purpose: ``+`` or ``join`` would
    silently pick one language, so they fail and the code says ``str(t)`` instead."""

    __slots__ = ("en", "ja")

    def __init__(self, en: str, ja: str):
        if not isinstance(en, str) or not isinstance(ja, str):
            raise TypeError(f"en and ja must both be strings, got {type(en).__name__} and "
                            f"{type(ja).__name__}")
        self.en, self.ja = en, ja

    def in_language(self, lang: str | None = None) -> str:
        return self.ja if language(lang) == "ja" else self.en

    def __str__(self) -> str:
        return self.in_language()

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Text(en={self.en!r}, ja={self.ja!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Text) and (self.en, self.ja) == (other.en, other.ja)

    def __hash__(self) -> int:
        return hash((self.en, self.ja))

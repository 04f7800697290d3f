"""Real text for the language-model chapter, shipped with the package and checked on loading.

``python_reference``: a fixed, cleaned excerpt of the Python Language Reference as it ships
inside CPython 3.11.7 (``pydoc_data.topics``, the text that ``help("for")`` prints), made by
``tools/make_corpus.py``: lower case, 52 distinct characters, prose and lists without grammar
rules, tables or code. Copyright the Python Software Foundation, under the PSF License
Version 2 (``LICENSE-PSF.txt`` beside this file). The file's sha256 is recorded here, so every
reader, on every Python version, trains on the same characters.

:func:`load_corpus` reads it; :class:`CharVocabulary` maps characters to token ids and back;
:func:`split_tokens` cuts a token stream into a training and a validation part.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from lstmbook.nn._checks import fraction, int_array

__all__ = ["CORPORA", "CharVocabulary", "Corpus", "CorpusError", "load_corpus", "split_tokens"]

HERE = Path(__file__).resolve().parent

#: name -> (file, sha256, where it comes from, its licence)
CORPORA = {
    "python_reference": (
        "python_reference.txt",
        "7af96f1d026ca28c7f429b18e24fca86db4f994d45fd1fd1df9a7ac73fb896c2",
        "The Python Language Reference as shipped in CPython 3.11.7 (pydoc_data.topics), "
        "cleaned by tools/make_corpus.py",
        "Copyright Python Software Foundation; PSF License Version 2 (LICENSE-PSF.txt)",
    ),
}


class CorpusError(ValueError):
    """The corpus file is missing or is not the text the book was written for."""


class Corpus(NamedTuple):
    """A text and where it comes from."""

    name: str
    text: str
    source: str
    licence: str
    sha256: str


def load_corpus(name="python_reference") -> Corpus:
    """Read corpus ``name`` and check its sha256; a changed file raises :class:`CorpusError`
    (retrain on a different text and every number of the chapter would change)."""
    if name not in CORPORA:
        raise ValueError(f"name must be one of {sorted(CORPORA)}, got {name!r}")
    file, digest, source, licence = CORPORA[name]
    path = HERE / file
    if not path.is_file():
        raise CorpusError(f"corpus file {path} is missing; reinstall lstmbook or run "
                          "tools/make_corpus.py from the repository")
    data = path.read_bytes()
    got = hashlib.sha256(data).hexdigest()
    if got != digest:
        raise CorpusError(f"{path.name} has sha256 {got}, expected {digest}: the file was "
                          "changed. Restore it (git checkout) or rebuild it with "
                          "tools/make_corpus.py on CPython 3.11.7")
    return Corpus(name, data.decode("utf-8"), source, licence, digest)


class CharVocabulary:
    """The characters of a text, sorted, as token ids ``0 … V − 1``.

    ``encode(text) -> (L,) int64``; ``decode(ids) -> str``; ``len(vocab)`` is ``V``.
    """

    def __init__(self, text):
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty string")
        self.chars = "".join(sorted(set(text)))
        self._index = {ch: i for i, ch in enumerate(self.chars)}
        self._table = np.full(max(map(ord, self.chars)) + 1, -1, np.int64)
        self._table[[ord(c) for c in self.chars]] = np.arange(len(self.chars))

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self):
        return f"CharVocabulary({len(self)} characters: {self.chars!r})"

    def index(self, ch: str) -> int:
        """The id of one character."""
        if ch not in self._index:
            raise ValueError(f"character {ch!r} is not in the vocabulary {self.chars!r}")
        return self._index[ch]

    def encode(self, text: str) -> np.ndarray:
        """Token ids of ``text``; a character outside the vocabulary raises ValueError."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        ids = np.where(codes < len(self._table), self._table[np.minimum(codes,
                                                                        len(self._table) - 1)], -1)
        if np.any(ids < 0):
            bad = sorted({text[i] for i in np.flatnonzero(ids < 0)})
            raise ValueError(f"text holds characters outside the vocabulary: {bad}; allowed: "
                             f"{self.chars!r}")
        return ids

    def decode(self, ids) -> str:
        """The text of token ids ``ids`` (an integer array)."""
        ids = int_array(np.asarray(ids) if isinstance(ids, list) else ids, "ids")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must lie in [0, {len(self)}), got values from "
                             f"{int(ids.min())} to {int(ids.max())}")
        return "".join(self.chars[i] for i in ids.reshape(-1))


def split_tokens(tokens, valid_fraction=0.1):
    """``(train, valid)``: the first ``1 − valid_fraction`` of the stream and the rest, in text
    order (the validation text is text the model never trained on, not a random sample of
    positions next to training ones)."""
    tokens = int_array(tokens, "tokens", ndim=1)
    frac = fraction(valid_fraction, "valid_fraction")
    cut = tokens.shape[0] - int(round(frac * tokens.shape[0]))
    if not 0 < cut <= tokens.shape[0]:
        raise ValueError(f"valid_fraction {frac} leaves no training tokens")
    return tokens[:cut], tokens[cut:]

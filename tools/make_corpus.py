"""Make lstmbook's real-text corpus: a fixed, cleaned excerpt of the Python Language Reference
that ships with CPython (``pydoc_data.topics``, the text ``help("for")`` prints).

Usage:  python tools/make_corpus.py [--check]

Writes ``lstmbook/corpora/python_reference.txt`` (UTF-8, ASCII in fact) and prints its size and
sha256, which ``lstmbook.data.CORPORA`` records: the loader refuses a file whose checksum
differs, so every reader trains on the same text whatever their Python version. ``--check``
only rebuilds in memory and compares with the committed file (a different CPython release
gives a different text: the script says so instead of overwriting).

The text is the property of the Python Software Foundation, distributed under the PSF
License Version 2 (``lstmbook/corpora/LICENSE-PSF.txt``, copied from the CPython install).

Cleaning, in order, so that a character-level model sees prose and not layout:

1. topics in sorted order of their key (``assert``, ``assignment``, ...), each topic's text;
2. drop paragraphs (blocks between blank lines) that are grammar rules (``::=``), ASCII tables
   (lines starting with ``+`` or ``|``), interactive sessions (``>>>``) or indented code (every
   line indented by 3 or more spaces and one of them looking like code: ``=``, ``#``, braces,
   a line ending in ``:``, a keyword at its start, or a call ``name(``); indentation goes;
3. drop heading underlines (``*****``, ``=====``, ``-----``);
4. typographic quotes and dashes to ASCII (``’`` → ``'``, ``“”`` → ``"``, ``—`` → ``-``),
   lower case, every character outside :data:`ALPHABET` removed, runs of spaces to one;
5. paragraphs joined by one blank line, topics by one more; the excerpt ends at the last
   topic that fits in ``MAX_CHARS`` characters.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lstmbook" / "corpora" / "python_reference.txt"
#: the CPython release the committed file was made from
SOURCE_VERSION = "3.11.7"
MAX_CHARS = 200_000
ALPHABET = "\n " + string.ascii_lowercase + string.digits + ".,:;'\"()-_=*[]"
_ASCII = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-",
                        "…": "..."})


_CODE = re.compile(r"[=#{}]|:\s*$|^\s*(def|class|import|from|return|print|if|for|while|with|"
                   r"try|except|raise|async|await|lambda|yield|assert|del|pass)\b|\w\(")


def _keep(paragraph: str) -> bool:
    """Prose and lists stay; grammar rules, tables, sessions and indented code go."""
    lines = paragraph.splitlines()
    if "::=" in paragraph or ">>>" in paragraph:
        return False
    if any(line.lstrip().startswith(("+", "|")) for line in lines):
        return False
    indented = all(line.startswith("   ") for line in lines)
    return not (indented and any(_CODE.search(line) for line in lines))


def _clean_topic(text: str) -> str:
    paragraphs = []
    for para in re.split(r"\n\s*\n", text):
        if not _keep(para):
            continue
        lines = [ln for ln in para.splitlines() if not re.fullmatch(r"\s*[*=\-~^]{3,}\s*", ln)]
        para = "\n".join(lines).translate(_ASCII).lower()
        para = "".join(ch for ch in para if ch in ALPHABET)
        para = "\n".join(re.sub(" +", " ", ln).strip() for ln in para.splitlines())
        para = para.strip()
        if para:
            paragraphs.append(para)
    return "\n\n".join(paragraphs)


def build() -> str:
    from pydoc_data.topics import topics  # noqa: PLC0415 - CPython's own data

    out, size = [], 0
    for key in sorted(topics):
        topic = _clean_topic(topics[key])
        if not topic:
            continue
        add = len(topic) + (3 if out else 0)
        if size + add > MAX_CHARS:
            break
        out.append(topic)
        size += add
    return "\n\n\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file only")
    args = ap.parse_args(argv)
    version = ".".join(map(str, sys.version_info[:3]))
    text = build()
    data = text.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    print(f"CPython {version}: {len(text)} characters, {len(set(text))} distinct, "
          f"sha256 {digest}")
    if args.check:
        same = OUT.is_file() and OUT.read_bytes() == data
        print("matches the committed file" if same else
              f"differs from the committed file (made from CPython {SOURCE_VERSION})")
        return 0 if same else 1
    if version != SOURCE_VERSION:
        print(f"refusing to overwrite: this is CPython {version}, the committed corpus comes "
              f"from {SOURCE_VERSION} (change SOURCE_VERSION deliberately to move on)")
        return 1
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared helpers of the website tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("LSTMBOOK_SITE", ROOT / "_build" / "html")).resolve()
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Pages that Sphinx writes for its own machinery rather than for reading.
NOT_PAGES = {"index.html"}  # a meta-refresh redirect to book/intro.html (checked in test_static)

#: The editions besides English: each is a whole site in a folder of the English one
#: (tools/i18n.py builds _build/html/ja).
EDITIONS = ("ja",)


def split_edition(rel: str) -> tuple[str, str]:
    """(language, path inside that edition) of a page path relative to SITE."""
    head, _, rest = rel.partition("/")
    return (head, rest) if head in EDITIONS and rest else ("en", rel)


def requirement_pins(path: Path) -> dict[str, str]:
    """``name==version`` lines of a requirements file, names normalised (lower case, '-')."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line)
        if m:
            out[re.sub(r"[-_.]+", "-", m.group(1).lower())] = m.group(2)
    return out


def site_missing_reason() -> str | None:
    if not (SITE / "index.html").is_file():
        return f"no built site at {SITE} (run `make book` or `jupyter-book build .` first)"
    return None


def site_pages() -> list[str]:
    """Every reader-facing HTML page of the built site, as paths relative to SITE."""
    if site_missing_reason():
        return []
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        rel = path.relative_to(SITE).as_posix()
        _, inner = split_edition(rel)
        if inner.split("/")[0] in {"_static", "_sources", "_images", "jupyter_execute"}:
            continue
        if inner in NOT_PAGES:
            continue
        pages.append(rel)
    return pages


def chapter_pages() -> list[str]:
    """Pages built from a notebook (book/*.ipynb): the ones that get launch buttons."""
    book = ROOT / "book"
    return [
        p
        for p in site_pages()
        if split_edition(p)[1].startswith("book/")
        and (book / Path(p).with_suffix(".ipynb").name).is_file()
    ]

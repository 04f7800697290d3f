"""Every equation label cited in lstmbook's docstrings and comments exists in the book, and no
label is defined twice.

The package is scanned recursively (``lstmbook/**/*.py``): a module moved into a subpackage stays
checked. ``test_a_bad_label_in_a_subpackage_is_found`` proves it on a throw-away tree.
"""

import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"\beq-[a-z0-9]+(?:-[a-z0-9]+)*")
DEFINED = re.compile(r"^:label:\s*(eq-[a-z0-9-]+)\s*$|^\((eq-[a-z0-9-]+)\)=\s*$", re.M)


def _book_texts(book: Path):
    for path in sorted(book.glob("*.md")):
        yield path.name, path.read_text(encoding="utf-8")
    for path in sorted(book.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                yield path.name, "".join(cell["source"])


def defined_labels(book: Path = ROOT / "book") -> Counter:
    found = Counter()
    for _, text in _book_texts(book):
        for m in DEFINED.finditer(text):
            found[m.group(1) or m.group(2)] += 1
    return found


def cited_labels(package: Path = ROOT / "lstmbook") -> dict:
    """label -> the first file (relative to the package) that cites it, over every ``.py``
    file at any depth."""
    cited = {}
    for path in sorted(package.rglob("*.py")):
        for label in CITED.findall(path.read_text(encoding="utf-8")):
            cited.setdefault(label, str(path.relative_to(package)))
    return cited


def missing_labels(package: Path, book: Path) -> dict:
    defined = defined_labels(book)
    return {label: where for label, where in cited_labels(package).items()
            if label not in defined}


def test_every_label_cited_in_the_package_exists_in_the_book():
    missing = missing_labels(ROOT / "lstmbook", ROOT / "book")
    assert not missing, f"labels cited in lstmbook but not defined in book/: {missing}"


def test_no_label_defined_twice():
    twice = [label for label, n in defined_labels().items() if n > 1]
    assert not twice, f"labels defined more than once: {twice}"


def test_the_package_cites_labels_at_all():
    cited = cited_labels()
    assert len(cited) >= 10
    # the library and the chapter modules (subpackages) are scanned, not only the top level
    assert any(where.startswith("nn/") for where in cited.values())
    assert any(where.startswith("chapters/") for where in cited.values())


def test_a_bad_label_in_a_subpackage_is_found(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "ch.md").write_text("```{math}\n:label: eq-good\nx = 1\n```\n", encoding="utf-8")
    deep = tmp_path / "pkg" / "nn" / "inner"
    deep.mkdir(parents=True)
    (tmp_path / "pkg" / "top.py").write_text('"""Implements {ref}`eq-good`."""\n')
    (deep / "mod.py").write_text('"""Implements {ref}`eq-not-in-the-book`."""\n')
    assert missing_labels(tmp_path / "pkg", book) == {"eq-not-in-the-book": "nn/inner/mod.py"}

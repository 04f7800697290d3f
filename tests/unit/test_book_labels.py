"""Every equation label cited in lstmbook's docstrings and comments exists in the book, and no
label is defined twice."""

import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"\beq-[a-z0-9]+(?:-[a-z0-9]+)*")
DEFINED = re.compile(r"^:label:\s*(eq-[a-z0-9-]+)\s*$|^\((eq-[a-z0-9-]+)\)=\s*$", re.M)


def _book_texts():
    for path in sorted((ROOT / "book").glob("*.md")):
        yield path.name, path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                yield path.name, "".join(cell["source"])


def defined_labels() -> Counter:
    found = Counter()
    for _, text in _book_texts():
        for m in DEFINED.finditer(text):
            found[m.group(1) or m.group(2)] += 1
    return found


def cited_labels() -> dict:
    cited = {}
    for path in sorted((ROOT / "lstmbook").glob("*.py")):
        for label in CITED.findall(path.read_text(encoding="utf-8")):
            cited.setdefault(label, path.name)
    return cited


def test_every_label_cited_in_the_package_exists_in_the_book():
    defined = defined_labels()
    missing = {label: where for label, where in cited_labels().items() if label not in defined}
    assert not missing, f"labels cited in lstmbook but not defined in book/: {missing}"


def test_no_label_defined_twice():
    twice = [label for label, n in defined_labels().items() if n > 1]
    assert not twice, f"labels defined more than once: {twice}"


def test_the_package_cites_labels_at_all():
    assert len(cited_labels()) >= 10

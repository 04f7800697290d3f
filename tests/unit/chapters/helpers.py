"""What the chapter tests share: a chapter's quiz with its numeric questions, and the equation
labels its notebook defines."""

import json
import re
from pathlib import Path

from lstmbook.quiz import load_quiz

ROOT = Path(__file__).resolve().parents[3]


def numeric_questions(stem):
    """``(questions, numeric)`` of a chapter's quiz: at least five questions, and every numeric
    one carries a ``check`` expression (recomputed by the chapter's test)."""
    questions = load_quiz(stem)
    assert len(questions) >= 5
    numeric = [q for q in questions if q["type"] == "numeric"]
    assert numeric and all("check" in q for q in numeric)
    return questions, numeric


def defined_labels(stem):
    """The ``:label:`` names of the equations in ``book/<stem>.ipynb``."""
    cells = json.loads((ROOT / "book" / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells)
    return set(re.findall(r":label:\s*(\S+)", text))

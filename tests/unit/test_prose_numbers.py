"""Prose cannot drift from outputs: no hand-typed measured number in the book's text.

Every number in a markdown cell that a code cell computed is inserted with myst-nb's glue
(``{glue:text}`name:.3f```). This test finds every decimal (``0.73``), scientific number
(``2.4e-06``) and percentage (``38 %``) left in the prose — markdown cells of the chapters and
the book's ``.md`` pages, math included, code spans and glue roles excluded — and fails on any
that is neither

- a setting the reader sees in a code cell of the same notebook (the same numeric literal stands
  in a code cell's source: ``radius 0.9`` beside ``rnn_with_radius(8, 0.9)``), nor
- a constant of the text in :data:`ALLOWED`, each with its reason.
"""

import ast
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"

#: A measured-looking number: a decimal, a number in scientific notation, or a percentage.
NUMBER = re.compile(r"(?<![\w.\\])(\d+\.\d+(?:e[-+]?\d+)?|\d+e[-+]?\d+|\d+(?:\.\d+)?\s?%)")

#: Constants of the text: (page or "*", the literal as written, why it is not a measurement).
ALLOWED = {
    ("*", "50 %"): "chance level of a two-class guess (a definition)",
    ("*", "50%"): "chance level of a two-class guess (a definition)",
    ("*", "0.5"): "σ(0) = 0.5, a gate half open (a definition)",
    ("*", "0.25"): "σ'(0) = 1/4, the maximum of the sigmoid's slope (a definition)",
    ("*", "100 %"): "a perfect score, the ceiling of an accuracy (a definition)",
    ("intro.md", "3.11"): "the Python version the book requires",
    ("intro.md", "4.0"): "the licence's name: CC BY 4.0",
}


def _prose(md: str) -> str:
    md = re.sub(r"```.*?```", " ", md, flags=re.S)                 # fenced blocks (directives)
    md = re.sub(r"^:::.*$|^:label:.*$|^:name:.*$", " ", md, flags=re.M)
    md = re.sub(r"\{glue(?::\w+)?\}`[^`]*`", " ", md)                # glued values
    md = re.sub(r"`[^`]*`", " ", md)                                # inline code, roles
    md = re.sub(r"\]\([^)]*\)", "]", md)                            # link targets
    md = re.sub(r"<!--.*?-->", " ", md, flags=re.S)
    return md


def _literals(code: str) -> set[str]:
    """Numeric literals of a code cell, as written (tokenised, so strings do not count)."""
    out = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.NUMBER:
                out.add(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):  # cell magics and the like
        pass
    return out


def _pages():
    for path in sorted(BOOK.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        md = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
        code = set().union(*(_literals("".join(c["source"])) for c in nb["cells"]
                             if c["cell_type"] == "code"))
        yield path.name, md, code
    for path in sorted(BOOK.glob("*.md")):
        yield path.name, [path.read_text(encoding="utf-8")], set()


def typed_numbers(name: str, cells, code_literals) -> list[str]:
    found = []
    for md in cells:
        text = _prose(md)
        for m in NUMBER.finditer(text):
            lit = m.group(1)
            bare = lit.rstrip("% ").strip()
            if (name, lit) in ALLOWED or ("*", lit) in ALLOWED or bare in code_literals:
                continue
            context = text[max(0, m.start() - 50):m.end() + 20].replace("\n", " ")
            found.append(f"{lit!r} in …{context}…")
    return found


@pytest.mark.parametrize("page", [p[0] for p in _pages()])
def test_no_hand_typed_measured_number_in_prose(page):
    name, cells, code = next(p for p in _pages() if p[0] == page)
    found = typed_numbers(name, cells, code)
    assert not found, (f"{page}: numbers typed in the prose; glue them from the code that "
                       f"computes them (or add a constant to ALLOWED with its reason):\n"
                       + "\n".join(found))


def test_the_check_finds_a_typed_number_and_spares_glue_code_and_settings():
    cells = ["The error falls to 0.73 after ten steps (38 % of runs), "
             "{glue:text}`err:.2f` glued, `lr=0.05` in code, radius 0.9 as set."]
    found = typed_numbers("ch.ipynb", cells, {"0.9"})
    assert [f.split(" in ")[0] for f in found] == ["'0.73'", "'38 %'"]


def test_every_allowance_has_a_reason():
    assert all(isinstance(r, str) and len(r) > 10 for r in ALLOWED.values())



def _ends_with_a_bare_glue(code: str) -> bool:
    """True when the cell's last statement is an expression ``glue(...)``: Jupyter would then
    display the returned value as a stray output line under the cell (a trailing ``;`` hides
    it in JupyterLab but not under nbval, which runs cells without IPython's history)."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    call = body[-1].value
    return isinstance(call, ast.Call) and getattr(call.func, "id", None) == "glue"


@pytest.mark.parametrize("page", sorted(p.name for p in BOOK.glob("*.ipynb")))
def test_no_cell_shows_a_glued_value_as_a_stray_output(page):
    nb = json.loads((BOOK / page).read_text(encoding="utf-8"))
    bad = [i for i, c in enumerate(nb["cells"])
           if c["cell_type"] == "code" and _ends_with_a_bare_glue("".join(c["source"]))]
    assert not bad, (f"{page}: cells {bad} end with a bare glue(...) call, whose value Jupyter "
                     "shows under the cell; write `_ = glue(...)`")


def test_the_stray_glue_check_tells_the_cases_apart():
    assert _ends_with_a_bare_glue('x = 1\nglue("a", x)')
    assert _ends_with_a_bare_glue('glue("a", 1);')
    assert not _ends_with_a_bare_glue('glue("a", 1)\nprint(x)')
    assert not _ends_with_a_bare_glue('_ = glue("a", 1)')

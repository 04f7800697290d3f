"""The tree shows the book, and stays that way: these tests read the files themselves.

- ``lstmbook/nn`` imports only NumPy and itself (parsed from the sources, not promised in a doc);
- every chapter notebook ``book/NN_stem.ipynb`` has its chapter module, quiz and grader module
  under the same stem;
- every module of the package is in DESIGN.md's module table;
- no notebook uses a private name of the package;
- every library module has its test module (``tests/unit/nn/test_<module>.py``).
"""

import ast
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "lstmbook"
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def _imports(path: Path) -> set[str]:
    """Top-level module names imported anywhere in a file (relative imports as '.')."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def _stems():
    return [nb.stem for nb in NOTEBOOKS]


def _code_cells(nb: Path):
    for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            yield "".join(cell["source"])


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 9


def test_nn_imports_only_numpy_and_itself():
    allowed_absolute = re.compile(r"^(numpy(\..*)?|lstmbook\.nn(\..*)?|__future__|typing|numbers|"
                                  r"dataclasses|collections(\..*)?|math|functools|itertools)$")
    offenders = {}
    for path in sorted((PKG / "nn").rglob("*.py")):
        bad = sorted(m for m in _imports(path)
                     if not m.startswith(".") and not allowed_absolute.match(m))
        # a relative import may not climb out of nn (".." reaches lstmbook)
        bad += sorted(m for m in _imports(path) if m.startswith(".."))
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert not offenders, f"lstmbook/nn must import only NumPy and itself: {offenders}"


def test_the_nn_import_check_can_fail(tmp_path):
    """The check above reads imports from the code: a stray import is found wherever it is."""
    f = tmp_path / "mod.py"
    f.write_text("import numpy as np\n\ndef draw():\n    import matplotlib.pyplot as plt\n"
                 "    from ..viz import plot\n")
    assert _imports(f) == {"numpy", "matplotlib.pyplot", "..viz"}


@pytest.mark.parametrize("stem", _stems())
def test_each_chapter_has_its_module_quiz_and_grader(stem):
    chapter = PKG / "chapters" / f"ch{stem}.py"
    assert chapter.is_file(), f"book/{stem}.ipynb has no chapter module {chapter.name}"
    assert (PKG / "quizzes" / f"{stem}.json").is_file(), f"book/{stem}.ipynb has no quiz file"
    assert (PKG / "exercises" / f"ch{stem}.py").is_file(), f"book/{stem}.ipynb has no grader"
    doc = ast.get_docstring(ast.parse(chapter.read_text(encoding="utf-8"))) or ""
    assert f"book/{stem}.ipynb" in doc, f"{chapter.name}'s docstring must name its notebook"


def test_every_chapter_module_has_its_notebook():
    stems = set(_stems())
    orphans = [p.name for p in (PKG / "chapters").glob("ch*.py") if p.stem[2:] not in stems]
    assert not orphans, f"chapter modules without a notebook: {orphans}"


def _design_modules() -> set[str]:
    text = (ROOT / "DESIGN.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`([\w/]+\.py)`", text, re.M))


def test_every_module_is_in_the_design_table():
    listed = _design_modules()
    modules = {str(p.relative_to(PKG)) for p in PKG.rglob("*.py") if p.name != "__init__.py"}
    missing = sorted(modules - listed)
    stale = sorted(listed - modules)
    assert not missing, f"modules missing from DESIGN.md's module table: {missing}"
    assert not stale, f"DESIGN.md lists modules that do not exist: {stale}"


PRIVATE = re.compile(r"(?:from\s+lstmbook[\w.]*\s+import\s+[^\n]*\b_[a-z]\w*"
                     r"|\blstmbook(?:\.\w+)*\._[a-z]\w*"
                     r"|\b(?:ch\d\d|viz|widgets|data|sequences|activations|losses|optim|training"
                     r"|bptt|gradcheck|clipping|interop|layer_norm|symbolic|source)\._[a-z]\w*)")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_use_public_names_only(nb):
    used = sorted({m.group(0) for src in _code_cells(nb) for m in PRIVATE.finditer(src)})
    assert not used, f"{nb.name} uses private names of lstmbook: {used}"


def test_the_private_name_check_can_fail():
    bad = ["from lstmbook.widgets import _compute_padding",
           "x = lstmbook.nn.lstm._lstm_fused.forward(X)", "ch05._flow_from(layer)"]
    assert all(PRIVATE.search(s) for s in bad)
    assert not PRIVATE.search("layer.params['W'] = ch05.gated_cec(x)")


def test_every_library_module_has_a_test_module():
    mods = sorted(p.stem for p in (PKG / "nn").glob("*.py")
                  if p.name != "__init__.py")
    tests = ROOT / "tests" / "unit" / "nn"
    missing = [m for m in mods if not (tests / f"test_{m.lstrip('_')}.py").is_file()]
    assert not missing, f"lstmbook/nn modules without tests/unit/nn/test_<module>.py: {missing}"


# Distributions of the modules a chapter may import (top-level module -> PyPI name); IPython is
# the kernel itself (Jupyter, Binder and Colab run it), torch and threadpoolctl are optional
# (parity tests, benchmarks), myst_nb is the site build's.
DISTRIBUTION = {"numpy": "numpy", "matplotlib": "matplotlib", "ipywidgets": "ipywidgets",
                "sympy": "sympy", "jupyterquiz": "jupyterquiz", "tqdm": "tqdm",
                "matplotlib_fontja": "matplotlib-fontja"}
NOT_INSTALLED_BY_THE_BOOK = {"IPython", "torch", "threadpoolctl", "myst_nb"}
COLAB_INSTALL = re.compile(r'"lstmbook\[(\w+)\] @ git\+https://github\.com/lstmbook/lstmbook"')


def _third_party_modules() -> set[str]:
    """Top-level modules that are not the standard library's nor lstmbook's, imported by a
    chapter's code cells or lazily by the package (ruff's list of modules banned at module
    level, which are exactly those), plus the Japanese font the package finds by name."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lazy = config["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-module-level-imports"]
    found = {m.split(".")[0] for m in lazy} | {"matplotlib_fontja"}
    for nb in NOTEBOOKS:
        for src in _code_cells(nb):
            src = "\n".join(line for line in src.splitlines()
                            if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(src)):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "lstmbook"}


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_colab_cell_installs_what_the_chapters_import(nb):
    """On Colab the first code cell installs lstmbook with an extra; that extra and the base
    dependencies must hold every module the chapters import (a quiz without jupyterquiz, or a
    Japanese run without its font, fails there and nowhere else)."""
    first = next(_code_cells(nb))
    assert "google.colab" in first, f"{nb.name}: the first code cell is not the Colab set-up"
    m = COLAB_INSTALL.search(first)
    assert m, f"{nb.name}: the Colab cell does not install lstmbook[<extra>] from the repository"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=\[; ]", r)[0].lower()
             for r in project["dependencies"] + project["optional-dependencies"][m.group(1)]}
    modules = _third_party_modules() - NOT_INSTALLED_BY_THE_BOOK
    unknown = sorted(modules - set(DISTRIBUTION))
    assert not unknown, f"modules without a known distribution (add to DISTRIBUTION): {unknown}"
    missing = sorted(DISTRIBUTION[mod] for mod in modules if DISTRIBUTION[mod] not in names)
    assert not missing, (f"{nb.name}: lstmbook[{m.group(1)}] lacks {missing}, which the "
                         "chapters or the package import")

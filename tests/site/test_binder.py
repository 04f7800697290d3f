"""Binder's environment, rebuilt locally: do the chapters run with binder/ alone?

mybinder.org (repo2docker) reads only binder/ when that folder exists: runtime.txt picks the
Python, requirements.txt the packages, postBuild installs lstmbook. The slow test rebuilds that in
a fresh virtual environment (plus what Binder's base image brings: a kernel and nbclient) and
executes every chapter notebook in it. `make test-binder` runs it; .ci/run runs it after
`make test`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from site_helpers import ROOT

BINDER = ROOT / "binder"
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
# Binder's base image ships the Jupyter server and a kernel; the test venv needs them to execute.
BASE_IMAGE_PACKAGES = ["ipykernel", "nbclient", "nbformat"]


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_binder_files():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    m = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert m and int(m.group(1)) >= 11, (
        f"binder/runtime.txt must ask for Python >= 3.11, got {runtime!r}"
    )
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    assert "pip install --no-deps -e ." in post.read_text(encoding="utf-8")


def test_binder_requirements_are_runtime_only_and_match_the_pins():
    binder = pins(BINDER / "requirements.txt")
    full = pins(ROOT / "requirements.txt")
    for banned in (
        "jupyter-book",
        "sphinx",
        "pytest",
        "nbval",
        "playwright",
        "jupyterlab",
        "notebook",
    ):
        assert banned not in binder, f"{banned} does not belong in binder/requirements.txt"
    assert binder.get("ipywidgets", "8").startswith("8."), (
        "Binder's JupyterLab 4 needs ipywidgets 8"
    )
    for name in ("numpy", "matplotlib", "ipywidgets", "sympy", "jupyterquiz", "tqdm"):
        assert name in binder, f"binder/requirements.txt lacks {name}"
    differ = {n: (v, full.get(n)) for n, v in binder.items() if full.get(n) != v}
    assert not differ, f"binder pins differ from requirements.txt (binder, root): {differ}"


RUNNER = textwrap.dedent(
    """
    import sys, time, nbformat
    from nbclient import NotebookClient
    failures = []
    for path in sys.argv[1:]:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            NotebookClient(nb, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": "book"}}).execute()
            print(f"ok   {path} ({time.perf_counter() - start:.1f} s)", flush=True)
        except Exception as exc:  # report every notebook, then fail
            print(f"FAIL {path}: {type(exc).__name__}: {str(exc)[-2000:]}", flush=True)
            failures.append(path)
    sys.exit(1 if failures else 0)
    """
)


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


@pytest.mark.slow
def test_chapters_execute_in_a_binder_like_env(tmp_path):
    if not NOTEBOOKS:
        pytest.skip("no chapter notebook in book/ yet")
    venv = tmp_path / "binder-venv"
    r = _run([sys.executable, "-m", "venv", str(venv)])
    assert r.returncode == 0, r.stderr
    py = venv / "bin" / "python"
    base = [f"{n}=={pins(ROOT / 'requirements.txt')[n]}" for n in BASE_IMAGE_PACKAGES]
    probe = _run(
        [
            str(py),
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "-d",
            str(tmp_path / "probe"),
            base[0],
        ],
        timeout=300,
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot reach a package index with pip: {probe.stderr.strip()[-300:]}")

    r = _run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-r",
            str(BINDER / "requirements.txt"),
            *base,
        ],
        timeout=1200,
    )
    assert r.returncode == 0, f"pip install -r binder/requirements.txt failed:\n{r.stderr[-3000:]}"
    env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    r = _run(["bash", str(BINDER / "postBuild")], cwd=ROOT, env=env, timeout=600)
    assert r.returncode == 0, f"binder/postBuild failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"

    # The kernel "python3" must be this venv's Python, not one installed for the user elsewhere.
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (binder test)",
                "language": "python",
            }
        )
    )
    env["JUPYTER_PATH"] = str(tmp_path / "jupyter")
    r = _run(
        [str(py), "-c", "import lstmbook, sys; print(lstmbook.__file__); print(sys.version)"],
        env=env,
        cwd=tmp_path,
    )
    assert r.returncode == 0 and str(ROOT) in r.stdout, f"lstmbook not installed from the repo: {r}"

    runner = tmp_path / "run_notebooks.py"
    runner.write_text(RUNNER)
    r = _run(
        [str(py), str(runner), *[str(nb.relative_to(ROOT)) for nb in NOTEBOOKS]],
        cwd=ROOT,
        env=env,
        timeout=60 * 30,
    )
    print(r.stdout)
    assert r.returncode == 0, (
        f"chapters failed in the Binder-like env:\n{r.stdout}\n{r.stderr[-3000:]}"
    )

"""Re-execute chapter notebooks in place, so their stored outputs are what the code prints now.

Usage:  .venv/bin/python tools/execute_notebooks.py [book/NN_stem.ipynb ...]   (default: all)

Runs each notebook top to bottom in a fresh kernel from ``book/`` (as the site build does), with
one BLAS thread; stores the outputs; drops what changes from run to run without meaning anything
(execution timing metadata, the saved widget state, which holds frozen snapshots of live
widgets). Fails on the first error and names the cell.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def clean(nb) -> None:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") == "display_data" and \
                        "application/vnd.jupyter.widget-view+json" in out.get("data", {}):
                    # keep the text fallback only: a widget view means nothing without a kernel
                    out["data"] = {k: v for k, v in out["data"].items()
                                   if k != "application/vnd.jupyter.widget-view+json"}


def chapters() -> list[Path]:
    """Every chapter notebook, in book order."""
    return sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def execute(path: Path, timeout: int = 300):
    """The notebook at ``path`` run top to bottom in a fresh kernel from its folder.

    The kernel talks over IPC sockets (files of its own), not TCP: two kernels started at
    nearly the same time by parallel runs (tools/i18n.py records two chapters at once) have
    been seen to hang, each client waiting forever, as when two kernels pick the same free
    TCP ports."""
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="python3", transport="ipc",
                       ip=str(Path(tempfile.mkdtemp(prefix="lstmbook-kernel-")) / "ipc"))
    try:
        NotebookClient(nb, km=km, timeout=timeout,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if km.has_kernel:  # a client given a manager does not shut its kernel down
            km.shutdown_kernel(now=True)
    return nb


def run(path: Path) -> float:
    t0 = time.perf_counter()
    nb = execute(path)
    clean(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - t0


def blas_environment() -> dict:
    """What every execution of the chapters sets, as the Makefile does: one BLAS thread (unless
    the environment says otherwise), and on a CPU with AVX-512 OpenBLAS's SkylakeX kernel
    whatever ``OPENBLAS_CORETYPE`` says (the stored outputs are made with it; with Haswell, which
    some machines set, the chapters' training runs print other digits);
    ``LSTMBOOK_OPENBLAS_CORETYPE`` chooses another."""
    env = {var: "1" for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        flags = []
    env = {k: os.environ.get(k, v) for k, v in env.items()}
    if "avx512f" in flags:
        env["OPENBLAS_CORETYPE"] = os.environ.get("LSTMBOOK_OPENBLAS_CORETYPE", "SkylakeX")
    return env


def main(argv: list[str]) -> int:
    os.environ.update(blas_environment())
    paths = [Path(a) for a in argv] or chapters()
    for p in paths:
        print(f"{p.name}: {run(p.resolve()):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

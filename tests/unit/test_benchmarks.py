"""The benchmark scripts still run against the package (they are not run by make test, so a
renamed function would otherwise break them unseen, as it did once): each imports, and the
adding-problem script completes a tiny run of every mode."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCH.glob("*.py")))
def test_benchmark_imports(name):
    assert hasattr(_load(name), "main") or name == "baseline_lstm"


@pytest.mark.parametrize("argv", [["--iters", "4"],
                                  ["--iters", "4", "--seeds", "5", "--sweep"],
                                  ["--iters", "4", "--seeds", "5", "--layout", "1997",
                                   "--lstm-sweep", "--no-rnn"]])
def test_adding_problem_script_runs(argv, capsys):
    _load("adding_problem").main(argv)
    out = capsys.readouterr().out
    assert "test MSE" in out

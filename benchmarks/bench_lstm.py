"""Forward + backward time of ``lstmbook.LSTM`` against a per-step textbook NumPy LSTM
(``benchmarks/baseline_lstm.py``) and ``torch.nn.LSTM`` (CPU, when torch is installed).

One thread, float32, three shapes (N, T, D, H): (32, 100, 2, 8), (32, 100, 64, 128),
(64, 50, 256, 512). Each implementation is warmed up, then timed ``--reps`` times (default 7)
in interleaved rounds (lstmbook, baseline, torch, one NumPy 1024³ GEMM, then again), so a
load change on the machine hits all of them alike; the medians are reported. GFLOP/s counts the
matrix products only: 24·N·T·H·(D + H) per forward + backward (input and recurrent products
forward; dX, dh, dW, dU backward). The GEMM rate is that of a 1024³ float32 NumPy matrix product
timed in the same rounds.

Run:  python benchmarks/bench_lstm.py           (all shapes, PASS/FAIL per target)
      python benchmarks/bench_lstm.py --reps 9 --strict   (exit 1 when a target fails)
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy/torch start their thread pools

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository's lstmbook, installed or not
sys.path.insert(0, str(HERE))

from baseline_lstm import TimeLSTM  # noqa: E402

import lstmbook  # noqa: E402

SHAPES = {"small": (32, 100, 2, 8), "medium": (32, 100, 64, 128), "large": (64, 50, 256, 512)}
#: lstmbook time / torch time must be at most this
TORCH_RATIO = {"small": 2.0, "medium": 1.6, "large": 1.4}
#: baseline time / lstmbook time must be at least this
BASELINE_SPEEDUP = {"small": 1.5, "medium": 2.0, "large": 2.0}
GEMM_SHARE_LARGE = 0.75


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (BLAS kernel unknown)"
    return "; ".join(
        f"{i.get('internal_api')} {i.get('version')} kernel={i.get('architecture')} "
        f"threads={i.get('num_threads')}"
        for i in threadpool_info()
    )


def flops(N, T, D, H) -> float:
    return 24.0 * N * T * H * (D + H)


class Runner:
    """Three implementations of one forward + backward on the same weights and data."""

    def __init__(self, N, T, D, H, seed=0):
        rng = np.random.default_rng(seed)
        self.layer = lstmbook.LSTM(D, H, seed=seed, dtype=np.float32)
        self.X = rng.standard_normal((N, T, D)).astype(np.float32)
        self.dY = rng.standard_normal((N, T, H)).astype(np.float32)
        p = self.layer.params
        self.base = TimeLSTM(p["W"], p["U"], p["b"])
        self.torch = None
        try:
            import torch
        except ImportError:
            return
        torch.set_num_threads(1)
        m = torch.nn.LSTM(D, H, batch_first=True)
        with torch.no_grad():
            m.weight_ih_l0.copy_(torch.from_numpy(p["W"]))
            m.weight_hh_l0.copy_(torch.from_numpy(p["U"]))
            m.bias_ih_l0.copy_(torch.from_numpy(p["b"]))
            m.bias_hh_l0.zero_()
        self.torch = (torch, m, torch.from_numpy(self.X), torch.from_numpy(self.dY))

    def run_lstmbook(self):
        self.layer.forward(self.X)
        return self.layer.backward(self.dY)[0]

    def run_baseline(self):
        self.base.forward(self.X)
        return self.base.backward(self.dY)

    def run_torch(self):
        torch, m, X, dY = self.torch
        m.zero_grad(set_to_none=True)
        Xg = X.detach().requires_grad_(True)  # dX computed too, as lstmbook does
        Y, _ = m(Xg)
        Y.backward(dY)
        return Xg.grad

    def check(self):
        """The three agree (float32 tolerance) before anything is timed."""
        dX = self.run_lstmbook()
        Y = self.layer.forward(self.X)[0]
        Yb = self.base.forward(self.X)
        dXb = self.base.backward(self.dY)
        np.testing.assert_allclose(Y, Yb, rtol=1e-4, atol=1e-5)
        self.layer.backward(self.dY)
        np.testing.assert_allclose(dX, dXb, rtol=1e-3, atol=1e-4)
        gb = self.base.grads_as_lstmbook()
        for k in ("W", "U", "b"):
            scale = float(np.abs(gb[k]).max()) or 1.0
            np.testing.assert_allclose(self.layer.grads[k] / scale, gb[k] / scale, atol=1e-4,
                                       err_msg=k)
        if self.torch is not None:
            dXt = self.run_torch().numpy()
            np.testing.assert_allclose(dX, dXt, rtol=1e-3, atol=1e-4)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def gemm_fn():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((1024, 1024)).astype(np.float32)
    B = rng.standard_normal((1024, 1024)).astype(np.float32)
    C = np.empty((1024, 1024), np.float32)
    return lambda: np.matmul(A, B, out=C)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7, help="timed runs per implementation (>= 5)")
    ap.add_argument("--shapes", nargs="*", default=list(SHAPES), choices=list(SHAPES))
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args(argv)
    if args.reps < 5:
        ap.error("--reps must be >= 5")
    print(f"numpy {np.__version__}; BLAS: {blas_info()}")
    print("OPENBLAS_CORETYPE=" + os.environ.get("OPENBLAS_CORETYPE", "(unset)")
          + " OPENBLAS_L2_SIZE=" + os.environ.get("OPENBLAS_L2_SIZE", "(unset)"))
    gemm = gemm_fn()
    gemm()
    results, verdicts = {}, []
    for name in args.shapes:
        N, T, D, H = SHAPES[name]
        r = Runner(N, T, D, H)
        r.check()
        impls = {"lstmbook": r.run_lstmbook, "baseline": r.run_baseline}
        if r.torch is not None:
            impls["torch"] = r.run_torch
        for fn in impls.values():  # warm-up
            fn()
            fn()
        times = {k: [] for k in impls}
        gemm_times = []
        for _ in range(args.reps):
            for k, fn in impls.items():
                times[k].append(timed(fn))
            gemm_times.append(timed(gemm))
        med = {k: float(np.median(v)) for k, v in times.items()}
        gemm_rate = 2.0 * 1024**3 / float(np.median(gemm_times)) / 1e9
        results[name] = med
        fl = flops(N, T, D, H)
        print(f"\n{name}: N={N} T={T} D={D} H={H}  ({fl / 1e9:.3f} GFLOP per fwd+bwd; "
              f"NumPy 1024^3 GEMM {gemm_rate:.1f} GFLOP/s in these rounds)")
        for k, t in med.items():
            rate = fl / t / 1e9
            print(f"  {k:9s} {t * 1e3:9.2f} ms  {rate:7.2f} GFLOP/s  "
                  f"{100 * rate / gemm_rate:5.1f}% of GEMM rate")
        speed = med["baseline"] / med["lstmbook"]
        ok = speed >= BASELINE_SPEEDUP[name]
        verdicts.append(ok)
        print(f"  baseline/lstmbook = {speed:.2f}x   target >= {BASELINE_SPEEDUP[name]:.1f}x   "
              f"{'PASS' if ok else 'FAIL'}")
        if "torch" in med:
            ratio = med["lstmbook"] / med["torch"]
            ok = ratio <= TORCH_RATIO[name]
            verdicts.append(ok)
            print(f"  lstmbook/torch    = {ratio:.2f}x   target <= {TORCH_RATIO[name]:.1f}x   "
                  f"{'PASS' if ok else 'FAIL'}")
        else:
            print("  torch not installed: torch targets not checked")
        if name == "large":
            share = fl / med["lstmbook"] / 1e9 / gemm_rate
            ok = share >= GEMM_SHARE_LARGE
            verdicts.append(ok)
            print(f"  lstmbook share of GEMM rate = {100 * share:.1f}%   target >= "
                  f"{100 * GEMM_SHARE_LARGE:.0f}%   {'PASS' if ok else 'FAIL'}")
    print(f"\n{sum(verdicts)} of {len(verdicts)} targets PASS")
    return 1 if args.strict and not all(verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())

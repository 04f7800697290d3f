"""The adding problem at lag T = 100: an LSTM learns it, a plain RNN with the same set-up does not.

Set-up (issue 6, lstmbook.long_lags.train_adding): lstmbook.data.adding_problem (values
U(-1, 1), one marker in each half, target the sum of the two marked values), T = 100, 8 hidden
units, a Linear read-out of the last step, MSE, a fresh batch of 32 sequences per iteration,
Adam 5e-3 halved every 1500 iterations, gradient clipping at global norm 1.0, forget-gate bias
1.0 (LSTM), 8000 iterations, float32, one thread. Test MSE on 1000 held-out sequences.
Targets: LSTM test MSE < 0.01 within 25 s of wall time; RNN test MSE > 0.04. Predicting the
mean (0) scores 2/3; remembering only the second marked value scores 1/3.

Run:  python benchmarks/adding_problem.py [--seed 0] [--iters 8000] [--strict]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstmbook.long_lags import mean_predictor_mse, train_adding  # noqa: E402

LSTM_MSE, LSTM_SECONDS, RNN_MSE = 0.01, 25.0, 0.04


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iters", type=int, default=8000)
    ap.add_argument("--T", type=int, default=100)
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args(argv)
    print(f"adding problem T={args.T}, H=8, batch 32, Adam 5e-3 halved every 1500, clip 1.0, "
          f"forget bias 1.0, {args.iters} iterations, seed {args.seed}; "
          f"mean-predictor MSE = {mean_predictor_mse():.4f}")
    verdicts = []
    for cell in ("lstm", "rnn"):
        t0 = time.perf_counter()
        run = train_adding(cell, T=args.T, iters=args.iters, seed=args.seed, eval_every=500)
        wall = time.perf_counter() - t0
        curve = " ".join(f"{m:.4f}" for m in run.eval_mse[1::2])
        print(f"{cell.upper():4s} test MSE {run.test_mse:.4f}  wall {wall:.1f} s "
              f"(training loop {run.seconds:.1f} s)  test MSE every 1000 it: {curve}")
        if cell == "lstm":
            ok_mse, ok_time = run.test_mse < LSTM_MSE, wall <= LSTM_SECONDS
            verdicts += [ok_mse, ok_time]
            print(f"  LSTM test MSE < {LSTM_MSE}: {'PASS' if ok_mse else 'FAIL'};  "
                  f"wall <= {LSTM_SECONDS:.0f} s: {'PASS' if ok_time else 'FAIL'}")
        else:
            ok = run.test_mse > RNN_MSE
            verdicts.append(ok)
            print(f"  RNN test MSE > {RNN_MSE}: {'PASS' if ok else 'FAIL'}")
    print(f"{sum(verdicts)} of {len(verdicts)} targets PASS")
    return 1 if args.strict and not all(verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())

"""The adding problem at lag T = 100: an LSTM learns it; a plain RNN with the same set-up does not.

Set-up (lstmbook.chapters.ch09_long_time_lags.train_adding): lstmbook.data.adding_problem
(values U(-1, 1), target the sum of the two marked values), T = 100, 8 hidden units, a Linear
read-out of the last step, MSE, a fresh batch of 32 sequences per iteration, Adam 5e-3 halved
every 1500 iterations, gradient clipping at global norm 1.0, forget-gate bias 1.0 (LSTM), 8000
iterations, float32, one thread. Test MSE on 1000 held-out sequences. Targets (one seed): LSTM
test MSE < 0.01 within 25 s of wall time; RNN test MSE > 0.04. Predicting the mean (0) scores
2/3; remembering only the second marked value scores 1/3.

``--layout 1997`` places the markers as in Hochreiter & Schmidhuber (1997), experiment 4: the
first among the first ten steps, the second among the first T/2 - 1, so the minimal lag is
about T/2 (the other simplifications stay: fixed length, no -1 markers, the plain sum).
``--sweep`` first trains the RNN for every initialisation (uniform, orthogonal, IRNN) and
learning rate (1e-3, 3e-3, 1e-2) at full length on seed 100 and keeps the best as a second RNN
arm. ``--seeds 5`` (or more) trains every arm on seeds 0 … n-1 and prints the paired
comparison (lstmbook.stats.paired_comparison) of each RNN arm against the LSTM.
``--lstm-sweep`` does the same for the LSTM (learning rates 1e-3, 5e-3, 1e-2 × forget-gate bias
1 and 3, seed 100) and compares its best with the default LSTM; ``--no-rnn`` skips the RNN arms.

Run:  python benchmarks/adding_problem.py [--seed 0] [--iters 8000] [--T 100] [--strict]
      python benchmarks/adding_problem.py --layout 1997 --sweep --seeds 5
      python benchmarks/adding_problem.py --layout 1997 --lstm-sweep --no-rnn --seeds 5
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstmbook.chapters.ch09_long_time_lags import (  # noqa: E402
    RNN_INITS,
    lr_sweep,
    make_model,
    mean_predictor_mse,
    train_adding,
)
from lstmbook.nn.protocol import count_params  # noqa: E402
from lstmbook.stats import paired_comparison  # noqa: E402

LSTM_MSE, LSTM_SECONDS, RNN_MSE = 0.01, 25.0, 0.04
SWEEP_LRS = (1e-3, 3e-3, 1e-2)
LSTM_LRS, LSTM_FORGET_BIASES = (1e-3, 5e-3, 1e-2), (1.0, 3.0)


def _lstm_sweep(args):
    """Best (lr, forget_bias) of the LSTM on seed 100 at full length; prints the grid."""
    t0 = time.perf_counter()
    grid = np.array([[train_adding("lstm", T=args.T, iters=args.iters, lr=lr, forget_bias=fb,
                                   seed=100, eval_every=args.iters, layout=args.layout).test_mse
                      for lr in LSTM_LRS] for fb in LSTM_FORGET_BIASES])
    print(f"LSTM sweep (seed 100, {args.iters} iterations, halved every 1500; "
          f"{time.perf_counter() - t0:.0f} s):")
    print("forget bias " + " ".join(f"lr={lr:<8g}" for lr in LSTM_LRS))
    for fb, row in zip(LSTM_FORGET_BIASES, grid, strict=True):
        print(f"{fb:<11g} " + " ".join(f"{v:<11.4g}" for v in row))
    r, c = np.unravel_index(np.argmin(grid), grid.shape)
    print(f"lowest: forget_bias={LSTM_FORGET_BIASES[r]:g}, lr={LSTM_LRS[c]:g}")
    return dict(forget_bias=LSTM_FORGET_BIASES[r], lr=LSTM_LRS[c])


def _single(args) -> int:
    verdicts = []
    for cell in ("lstm", "rnn"):
        t0 = time.perf_counter()
        run = train_adding(cell, T=args.T, iters=args.iters, seed=args.seed, eval_every=500,
                           layout=args.layout)
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


def _study(args) -> int:
    arms = {} if args.no_rnn else {"RNN": dict(init="uniform")}
    lstm_arms = {"LSTM": {}}
    if args.lstm_sweep:
        lstm_arms["LSTM-tuned"] = _lstm_sweep(args)
    if args.sweep and not args.no_rnn:
        t0 = time.perf_counter()
        sw = lr_sweep(RNN_INITS, SWEEP_LRS, T=args.T, iters=args.iters, halve=1500, seed=100,
                      n_test=1000, layout=args.layout)
        print(f"sweep (RNN, seed 100, {args.iters} iterations, halved every 1500; "
              f"{time.perf_counter() - t0:.0f} s):")
        print(sw.table())
        arms[f"RNN-{sw.best_init}"] = dict(init=sw.best_init, lr=sw.best_lr)
    seeds = tuple(range(args.seeds))
    results = {}
    for name, over in [*arms.items(), *lstm_arms.items()]:
        cell = "lstm" if name.startswith("LSTM") else "rnn"
        t0 = time.perf_counter()
        runs = [train_adding(cell, T=args.T, iters=args.iters, seed=s, eval_every=500,
                             layout=args.layout, **over) for s in seeds]
        results[name] = np.array([r.test_mse for r in runs])
        print(f"{name}: {over or 'default'}; test MSE per seed "
              + " ".join(f"{m:.4g}" for m in results[name])
              + f"  ({time.perf_counter() - t0:.0f} s)")
    for name in arms:
        for lstm in lstm_arms:
            print(paired_comparison(results[name], results[lstm], names=(name, lstm),
                                    seeds=seeds).table())
    if "LSTM-tuned" in lstm_arms:
        print(paired_comparison(results["LSTM"], results["LSTM-tuned"],
                                names=("LSTM", "LSTM-tuned"), seeds=seeds).table())
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iters", type=int, default=8000)
    ap.add_argument("--T", type=int, default=100)
    ap.add_argument("--layout", choices=("halves", "1997"), default="halves")
    ap.add_argument("--seeds", type=int, default=0,
                    help="train every arm on seeds 0 … n-1 (n >= 5) and compare them")
    ap.add_argument("--sweep", action="store_true",
                    help="(with --seeds) add the best RNN of an init × learning-rate sweep")
    ap.add_argument("--lstm-sweep", action="store_true",
                    help="(with --seeds) add the best LSTM of a learning-rate × forget-bias sweep")
    ap.add_argument("--no-rnn", action="store_true", help="(with --seeds) skip the RNN arms")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args(argv)
    if args.seeds and args.seeds < 5:
        ap.error("--seeds needs at least 5 (a paired comparison)")
    print(f"adding problem T={args.T}, layout {args.layout}, H=8, batch 32, Adam 5e-3 halved "
          f"every 1500, clip 1.0, forget bias 1.0, {args.iters} iterations; mean-predictor MSE "
          f"= {mean_predictor_mse():.4f}; weights: LSTM {count_params(make_model('lstm'))}, "
          f"RNN {count_params(make_model('rnn'))}")
    if args.seeds:
        return _study(args)
    print(f"seed {args.seed}")
    return _single(args)


if __name__ == "__main__":
    sys.exit(main())

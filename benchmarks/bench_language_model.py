"""Forward + backward time of chapter 10's character language model, lstmbook against PyTorch
(CPU), at the chapter's shape: embedding → LSTM → Linear → softmax cross-entropy over the
vocabulary, float32, one thread.

The shape is ``lstmbook.chapters.ch10_language_model.MAIN``: N = 32 parallel streams, windows of
k = 32 characters, V = 52 characters embedded in D = 16, H = 128 units. Both sides start from the
same weights and tokens; their losses and gradients are compared before anything is timed. Each
is warmed up, then timed ``--reps`` times in interleaved rounds (lstmbook, torch, lstmbook, ...),
so a load change on the machine hits both alike; the medians and their ratio are reported, with
the share of the lstmbook time spent in each part (embedding, LSTM, read-out and softmax loss).

Run:  python benchmarks/bench_language_model.py              (timing; PASS/FAIL of the ratio)
      python benchmarks/bench_language_model.py --strict     (exit 1 when the target fails)
      python benchmarks/bench_language_model.py --compare    (also: RNN vs LSTM, 5 paired
                                                              seeds, at the chapter's main size)
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's lstmbook

from lstmbook.chapters import ch10_language_model as ch10  # noqa: E402
from lstmbook.nn.losses import softmax_cross_entropy  # noqa: E402

#: lstmbook time / torch time must be at most this
TORCH_RATIO = 1.5


class Runner:
    """One forward + backward of the same model and batch in lstmbook and (if present) torch."""

    def __init__(self, seed=0):
        cfg = ch10.MAIN
        data = ch10.load_text()
        self.V = len(data.vocab)
        self.N, self.k = cfg["n_streams"], cfg["k"]
        self.model = ch10.CharLM(self.V, cell="lstm", hidden=cfg["hidden"], embed=cfg["embed"],
                                 forget_bias=cfg["forget_bias"], seed=seed, dtype=np.float32)
        batch = ch10.stream_batches(data.train, self.N, self.k)[3]
        self.x, self.y = np.ascontiguousarray(batch.x), np.ascontiguousarray(batch.y)
        self.torch = None
        try:
            import torch
        except ImportError:
            return
        torch.set_num_threads(1)
        m = self.model
        emb = torch.nn.Embedding(self.V, cfg["embed"])
        lstm = torch.nn.LSTM(cfg["embed"], cfg["hidden"], batch_first=True)
        head = torch.nn.Linear(cfg["hidden"], self.V)
        layer = m.layers[0]
        with torch.no_grad():
            emb.weight.copy_(torch.from_numpy(m.embed.params["W"]))
            lstm.weight_ih_l0.copy_(torch.from_numpy(layer.params["W"]))
            lstm.weight_hh_l0.copy_(torch.from_numpy(layer.params["U"]))
            lstm.bias_ih_l0.copy_(torch.from_numpy(layer.params["b"]))
            lstm.bias_hh_l0.zero_()
            head.weight.copy_(torch.from_numpy(m.head.params["W"]))
            head.bias.copy_(torch.from_numpy(m.head.params["b"]))
        self.torch = (torch, emb, lstm, head, torch.from_numpy(self.x),
                      torch.from_numpy(self.y).reshape(-1))

    def run_lstmbook(self):
        logits, _ = self.model.forward(self.x)
        loss, d = softmax_cross_entropy(logits, self.y)
        self.model.backward(d)
        return loss

    def run_torch(self):
        torch, emb, lstm, head, x, y = self.torch
        for mod in (emb, lstm, head):
            mod.zero_grad(set_to_none=True)
        out, _ = lstm(emb(x))
        loss = torch.nn.functional.cross_entropy(head(out).reshape(-1, self.V), y)
        loss.backward()
        return float(loss.detach())

    def check(self):
        """Same loss and gradients (float32 tolerance) on both sides."""
        loss = self.run_lstmbook()
        if self.torch is None:
            return
        torch, emb, lstm, head, _, _ = self.torch
        loss_t = self.run_torch()
        assert abs(loss - loss_t) < 1e-4 * max(1.0, abs(loss)), (loss, loss_t)
        g = self.model.grads
        pairs = {"embed.W": emb.weight.grad, "0.W": lstm.weight_ih_l0.grad,
                 "0.U": lstm.weight_hh_l0.grad, "0.b": lstm.bias_ih_l0.grad,
                 "head.W": head.weight.grad, "head.b": head.bias.grad}
        for key, gt in pairs.items():
            gt = gt.numpy()
            scale = float(np.abs(gt).max()) or 1.0
            np.testing.assert_allclose(g[key] / scale, gt / scale, atol=2e-4, err_msg=key)

    def parts(self, reps):
        """Median time of each part of the lstmbook pass (each run alone, inputs precomputed)."""
        m = self.model
        X = m.embed.forward(self.x)
        Y, _ = m.layers[0].forward(X)
        logits = m.head.forward(Y)
        _, d = softmax_cross_entropy(logits, self.y)
        dY = m.head.backward(d)
        dX, _ = m.layers[0].backward(dY)

        def embedding():
            m.embed.forward(self.x)
            m.embed.backward(dX)

        def lstm():
            m.layers[0].forward(X)
            m.layers[0].backward(dY)

        def readout_and_loss():
            lg = m.head.forward(Y)
            _, dd = softmax_cross_entropy(lg, self.y)
            m.head.backward(dd)

        out = {}
        for name, fn in (("embedding", embedding), ("LSTM", lstm),
                         ("read-out + softmax loss", readout_and_loss)):
            fn()
            out[name] = float(np.median([timed(fn) for _ in range(reps)]))
        return out


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def compare(seeds=ch10.SEEDS):
    """RNN vs LSTM at the chapter's main size (ch10.MAIN), 5 paired seeds."""
    overrides = {k: v for k, v in ch10.MAIN.items() if k != "cell"}
    study = ch10.compare_cells(seeds, **overrides)
    print(f"\nRNN vs LSTM at the main size ({ch10.MAIN['hidden']} units, "
          f"{ch10.MAIN['updates']} updates), final validation perplexity, "
          f"{study.seconds:.0f} s:")
    print(study.comparison.table(".3f"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=15, help="timed runs per implementation (>= 5)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when the target fails")
    ap.add_argument("--compare", action="store_true",
                    help="also train RNN and LSTM on 5 paired seeds at the main size (~1 min)")
    args = ap.parse_args(argv)
    if args.reps < 5:
        ap.error("--reps must be >= 5")
    r = Runner()
    r.check()
    cfg = ch10.MAIN
    print(f"numpy {np.__version__}; language-model shape: N={r.N} streams, k={r.k} steps, "
          f"V={r.V}, D={cfg['embed']}, H={cfg['hidden']}, float32, one thread")
    impls = {"lstmbook": r.run_lstmbook}
    if r.torch is not None:
        impls["torch"] = r.run_torch
    for fn in impls.values():  # warm-up
        for _ in range(3):
            fn()
    times = {k: [] for k in impls}
    for _ in range(args.reps):
        for k, fn in impls.items():
            times[k].append(timed(fn))
    med = {k: float(np.median(v)) for k, v in times.items()}
    chars = r.N * r.k
    for k, t in med.items():
        print(f"  {k:9s} {t * 1e3:8.2f} ms per forward + backward  "
              f"({chars / t / 1e3:6.1f} k characters/s)")
    parts = r.parts(args.reps)
    total = sum(parts.values())
    print("  lstmbook parts: " + ", ".join(f"{name} {100 * t / total:.0f}%"
                                            for name, t in parts.items()))
    ok = True
    if "torch" in med:
        ratio = med["lstmbook"] / med["torch"]
        ok = ratio <= TORCH_RATIO
        print(f"  lstmbook/torch = {ratio:.2f}x   target <= {TORCH_RATIO:.1f}x   "
              f"{'PASS' if ok else 'FAIL'}")
    else:
        print("  torch not installed: ratio not measured")
    if args.compare:
        compare()
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())

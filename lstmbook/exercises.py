"""Graders for the reader's code, with kind feedback.

A grader runs the reader's function on a few named cases and returns a :class:`Result`: one line
per case, passed or failed, and for a failure the reason in plain words (wrong shape, wrong
values and where, an exception and its message, or a hint about the likely mistake).

The machinery is generic: a chapter builds a list of :class:`Case` objects and calls
:func:`grade`. Chapter graders:

- :func:`check_last_valid` (chapter 1): the many-to-one read-out at each sequence's last step.
"""

from __future__ import annotations

import textwrap
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Case", "CaseResult", "Result", "check_last_valid", "compare", "grade"]

PASS, FAIL = "✓", "✗"


@dataclass(frozen=True)
class Case:
    """One test of the reader's function: ``fn(*args, **kwargs)`` should give ``expected``.

    ``hint(output)`` may return a sentence explaining a wrong ``output`` (the likely mistake),
    or None; when the function raised, ``hint`` receives the exception instead. Arrays in
    ``args`` are copied before each call, and a function that changes its inputs in place fails
    the case.
    """

    name: str
    args: tuple
    expected: Any
    kwargs: dict = field(default_factory=dict)
    hint: Callable[[Any], str | None] | None = None
    rtol: float = 1e-7
    atol: float = 1e-10


@dataclass(frozen=True)
class CaseResult:
    name: str
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class Result:
    """The report of a grader: ``bool(result)`` is True when every case passed."""

    title: str
    cases: tuple[CaseResult, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)

    def __bool__(self) -> bool:
        return self.passed

    def failed(self) -> list[str]:
        """Names of the failed cases."""
        return [c.name for c in self.cases if not c.passed]

    def __str__(self) -> str:
        n_ok = sum(c.passed for c in self.cases)
        lines = [f"{self.title}: {n_ok} of {len(self.cases)} cases passed"]
        for c in self.cases:
            lines.append(f"  {PASS if c.passed else FAIL} {c.name}")
            if not c.passed:
                for line in c.reason.splitlines():
                    lines.extend(textwrap.wrap(line, width=76, initial_indent="      ",
                                               subsequent_indent="        "))
        lines.append("All correct, well done!" if self.passed else
                     "Not yet: read the first failed case, fix your function and run again.")
        return "\n".join(lines)

    __repr__ = __str__


def _copy(x):
    return x.copy() if isinstance(x, np.ndarray) else x


def _fmt(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a), precision=4, suppress_small=True, separator=", ")


def compare(output, expected, *, rtol: float = 1e-7, atol: float = 1e-10) -> str | None:
    """None when ``output`` matches ``expected``, else the reason in words.

    Arrays: type, then shape, then values (naming the first wrong entry); numbers: closeness;
    anything else: equality.
    """
    if isinstance(expected, np.ndarray):
        if not isinstance(output, np.ndarray):
            return f"expected a numpy array of shape {expected.shape}, got {type(output).__name__}"
        if output.shape != expected.shape:
            return f"wrong shape: expected {expected.shape}, got {output.shape}"
        if not np.issubdtype(output.dtype, np.number):
            return f"expected numbers, got an array of dtype {output.dtype}"
        close = np.isclose(output, expected, rtol=rtol, atol=atol)
        if not close.all():
            idx = tuple(int(i) for i in np.argwhere(~close)[0])
            return (f"wrong values at {int((~close).sum())} of {close.size} entries; first at "
                    f"index {idx}: expected {expected[idx]:.6g}, got {output[idx]:.6g}")
        return None
    if isinstance(expected, float | int | np.number) and not isinstance(expected, bool):
        try:
            ok = np.isclose(float(output), float(expected), rtol=rtol, atol=atol)
        except (TypeError, ValueError):
            return f"expected a number, got {type(output).__name__}"
        return None if ok else f"expected {expected:.6g}, got {float(output):.6g}"
    return None if output == expected else f"expected {expected!r}, got {output!r}"


def _exception_reason(err: BaseException) -> str:
    tb = traceback.extract_tb(err.__traceback__)
    line = f" (line {tb[-1].lineno}: {tb[-1].line})" if tb and tb[-1].line else ""
    return f"your function raised {type(err).__name__}: {err}{line}"


def grade(fn: Callable, cases: list[Case], *, title: str | None = None) -> Result:
    """Run ``fn`` on every case and collect a :class:`Result` (exceptions become failures)."""
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")
    title = title or f"Checking {getattr(fn, '__name__', 'your function')}"
    results = []
    for case in cases:
        args = tuple(_copy(a) for a in case.args)
        kwargs = {k: _copy(v) for k, v in case.kwargs.items()}
        try:
            output = fn(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - the reader's code may raise anything
            reason = _exception_reason(err)
            hint = case.hint(err) if case.hint is not None else None
            reason = f"{reason}\nHint: {hint}" if hint else reason
            results.append(CaseResult(case.name, False, reason))
            continue
        changed = [i for i, (a, b) in enumerate(zip(args, case.args, strict=True))
                   if isinstance(b, np.ndarray) and not np.array_equal(a, b)]
        if changed:
            results.append(CaseResult(case.name, False,
                                      f"your function changed its input argument(s) {changed} in "
                                      "place; compute a new array instead"))
            continue
        reason = compare(output, case.expected, rtol=case.rtol, atol=case.atol)
        if reason is not None and case.hint is not None:
            hint = case.hint(output)
            if hint:
                reason = f"{reason}\nHint: {hint}"
        results.append(CaseResult(case.name, reason is None, reason or ""))
    return Result(title, tuple(results))


# --------------------------------------------------------------------------- chapter 1
def _padded_outputs(lengths, H, seed):
    """Outputs (N, T, H) of a padded batch: real steps hold values near 0..1, padding steps hold
    values from 100 up, so a read-out that picked padding is easy to recognise."""
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths, dtype=np.int64)
    N, T = len(lengths), int(lengths.max())
    Y = np.round(rng.uniform(0, 1, size=(N, T, H)), 3)
    pad = np.arange(T)[None, :] >= lengths[:, None]
    Y[pad] = 100 + np.arange(int(pad.sum() * H)).reshape(-1, H)
    return Y, lengths


def _last_valid_hint(Y, lengths):
    N, T, H = Y.shape
    rows = np.arange(N)

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, IndexError):
            return ("an index ran past the end of the time axis. A sequence of length L has steps "
                    "0 .. L - 1, so its last valid step is lengths[n] - 1.")
        if isinstance(out, BaseException):
            return None
        if not isinstance(out, np.ndarray):
            return "return a numpy array of shape (N, H): one output vector per sequence."
        if same(out, Y[:, -1]):
            return ("this is Y[:, -1], the last column of the padded batch; for every sequence "
                    "shorter than T that step is padding (the values >= 100 here). Read step "
                    "lengths[n] - 1 of each sequence n instead.")
        if np.all(lengths < T) and same(out, Y[rows, lengths]):
            return ("off by one: a sequence of length L has steps 0 .. L - 1, so its last valid "
                    "step is lengths[n] - 1, not lengths[n].")
        if out.shape == (N, N, H):
            return ("Y[:, lengths - 1] takes every chosen step for every sequence (shape "
                    "(N, N, H)); pair sequence n with its own step: Y[np.arange(N), lengths - 1].")
        if out.shape == (H, N) and H != N:
            return "the axes are swapped: the result should be (N, H), one row per sequence."
        if out.shape == (N, H) and np.any(out >= 100):
            return "some rows come from padding steps (values >= 100): check the index you use."
        return None

    return hint


def check_last_valid(fn: Callable) -> Result:
    """Grade ``fn(Y, lengths) -> (N, H)``: each sequence's output at its last valid step.

    ``Y`` is ``(N, T, H)`` over a padded batch and ``lengths`` ``(N,)`` integers; the answer is
    ``Y[n, lengths[n] - 1]`` for each n (:func:`lstmbook.data.last_valid`). Cases: equal lengths,
    different lengths, a sequence of length 1, a batch of one.
    """
    cases = []
    for name, lengths, H, seed in (
        ("equal lengths (no padding)", [4, 4, 4], 2, 0),
        ("different lengths (padding at the end of shorter sequences)", [5, 2, 3, 4], 3, 1),
        ("a sequence of length 1", [1, 3], 2, 2),
        ("a batch of one sequence", [3], 4, 3),
    ):
        Y, lens = _padded_outputs(lengths, H, seed)
        expected = Y[np.arange(len(lens)), lens - 1]
        cases.append(Case(name, (Y, lens), expected, hint=_last_valid_hint(Y, lens)))
    return grade(fn, cases, title="Checking your many-to-one read-out")


# --- Chapter 5: the constant error carousel ---
_NOT_A_PAIR = "not a pair (s, y)"


def _gated_cec_reference(x, g_in, g_out):
    from lstmbook.cec import gated_cec  # noqa: PLC0415

    return gated_cec(x, g_in, g_out)


def _gated_cec_hint(which, x, g_in, g_out):
    s_ref, y_ref = _gated_cec_reference(x, g_in, g_out)
    s_prev = np.concatenate([[0.0], s_ref[:-1]])

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, BaseException):
            return None
        if isinstance(out, str) and out == _NOT_A_PAIR:
            return "return two arrays, the cell states and the outputs: `return s, y`."
        if which == "s":
            if same(out, g_in * x):
                return ("s_t must carry what the cell held: add the gated input to s_{t-1} "
                        "(s_t = s_{t-1} + g_in[t] * x[t]); this s forgets everything each step.")
            if same(out, np.cumsum(x)) and not np.allclose(g_in, 1):
                return ("the input gate must multiply x_t before it is added: the cell stored "
                        "every value, the distractors too.")
            if same(out, s_prev):
                return "off by one step: s[t] must already include the input at step t."
        else:
            if same(out, g_out * g_in * x) and not same(g_in * x, s_ref):
                return ("y is read from a state that does not accumulate: fix s first "
                        "(s_t = s_{t-1} + g_in[t] * x[t]).")
            if same(out, s_ref) and not np.allclose(g_out, 1):
                return "the output gate must multiply the state: y_t = g_out[t] * s_t."
            if same(out, g_out * s_prev):
                return "read the state after this step's update: y_t = g_out[t] * s_t, not s_{t-1}."
            if same(out, g_out * x):
                return "the output reads the cell state s_t, not the input x_t."
        return None

    return hint


def check_gated_cec(fn: Callable) -> Result:
    """Grade ``fn(x, g_in, g_out) -> (s, y)``: the gated CEC ({ref}`eq-cec`) over ``(T,)`` arrays.

    ``s_t = s_{t-1} + g_in[t] · x[t]`` from ``s_{-1} = 0`` and ``y_t = g_out[t] · s_t``
    (:func:`lstmbook.cec.gated_cec`). Cases check ``s`` and ``y`` separately: gates always open
    (the bare self-loop), an input gate open at one step, an output gate open at one step, gates
    half open.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")

    def part(which, x, g_in, g_out):
        out = fn(x, g_in, g_out)
        if not (isinstance(out, tuple | list) and len(out) == 2):
            return _NOT_A_PAIR
        return out[0] if which == "s" else out[1]

    part.__name__ = getattr(fn, "__name__", "your function")
    x = np.array([0.5, -0.3, 0.8, 0.2, -0.6, 0.4])
    ones, zeros = np.ones(6), np.zeros(6)
    at2, at5 = zeros.copy(), zeros.copy()
    at2[2], at5[5] = 1.0, 1.0
    half = np.full(6, 0.5)
    scenarios = (
        ("gates always open (bare self-loop)", ones, ones),
        ("input gate open only at step 2", at2, ones),
        ("input gate at step 2, output gate only at step 5", at2, at5),
        ("both gates half open", half, half),
    )
    cases = []
    for name, g_in, g_out in scenarios:
        s_ref, y_ref = _gated_cec_reference(x, g_in, g_out)
        for which, ref in (("s", s_ref), ("y", y_ref)):
            label = "states s" if which == "s" else "outputs y"
            cases.append(Case(f"{name}: {label}", (which, x, g_in, g_out), ref,
                              hint=_gated_cec_hint(which, x, g_in, g_out)))
    return grade(part, cases, title="Checking your gated memory cell")


# --- Chapter 2: the Elman step ---
__all__ += ["check_rnn_step"]  # noqa: PLE0605


def _rnn_step_hint(x, h, W, U, b, nonlinearity):
    """Recognise the usual mistakes in an Elman step by recomputing them."""
    f = np.tanh if nonlinearity == "tanh" else (lambda a: np.maximum(a, 0.0))
    other = (lambda a: np.maximum(a, 0.0)) if nonlinearity == "tanh" else np.tanh
    N, H = h.shape
    wrong = [
        (lambda: other(x @ W.T + h @ U.T + b),
         f"you applied {'ReLU' if nonlinearity == 'tanh' else 'tanh'}, but nonlinearity="
         f"{nonlinearity!r}: choose f from the argument (np.tanh for 'tanh', "
         "np.maximum(a, 0) for 'relu')."),
        (lambda: x @ W.T + h @ U.T + b,
         "this is the pre-activation u_t: apply the nonlinearity f to it."),
        (lambda: f(x @ W.T + b),
         "the recurrent term is missing: add h_prev @ U.T, the feedback of the previous "
         "hidden state (without it this is a feed-forward layer)."),
        (lambda: f(x @ W.T + h @ U.T),
         "the bias is missing: add b (the weight w_j0 of a constant input x_0 = 1)."),
        (lambda: f(x @ W.T),
         "both the recurrent term h_prev @ U.T and the bias b are missing: "
         "h_t = f(x W^T + h_prev U^T + b)."),
        (lambda: f(x @ W.T + h @ U + b),
         "U is used untransposed: with row vectors, h_prev @ U.T computes Σ_j' U[j, j'] "
         "h_prev[j']."),
        (lambda: f(x @ W + h @ U + b),
         "the weights are used untransposed: W has shape (H, D), so x @ W.T gives (N, H)."),
        (lambda: f(x @ W.T + h @ U.T + b).T,
         "the axes are swapped: return (N, H), one row per sequence."),
    ]

    def hint(out):
        if isinstance(out, BaseException):
            if isinstance(out, TypeError) and "nonlinearity" in str(out):
                return "give your function the argument nonlinearity='tanh' (default)."
            if isinstance(out, ValueError) and "matmul" in str(out):
                return ("shapes do not line up: x is (N, D), W (H, D), h_prev (N, H), U (H, H); "
                        "use x @ W.T and h_prev @ U.T.")
            return None
        if not isinstance(out, np.ndarray):
            return "return a numpy array of shape (N, H)."
        for make, text in wrong:
            with np.errstate(all="ignore"):
                try:
                    ref = make()
                except ValueError:
                    continue
            if ref.shape == out.shape and np.allclose(ref, out):
                return text
        return None

    return hint


def check_rnn_step(fn: Callable) -> Result:
    """Grade ``fn(x, h_prev, W, U, b, nonlinearity="tanh") -> h_t``, the Elman step
    ({ref}`eq-rnn-hidden`): ``h_t = f(x W^T + h_prev U^T + b)`` with ``x (N, D)``,
    ``h_prev (N, H)``, ``W (H, D)``, ``U (H, H)``, ``b (H,)``; compared with
    :func:`lstmbook.rnn.rnn_step`. Cases: one sequence, a batch, the bias alone, the recurrent
    term alone, a square case where transposes matter, and ReLU.
    """
    from .rnn import rnn_step  # noqa: PLC0415

    cases = []
    for name, N, D, H, seed, zero_x, zero_h, nl in (
        ("one sequence, tanh (N=1, D=3, H=4)", 1, 3, 4, 0, False, False, "tanh"),
        ("a batch of 5 sequences (N=5, D=3, H=4)", 5, 3, 4, 1, False, False, "tanh"),
        ("the bias: x = 0 and h_prev = 0, so h_t = tanh(b)", 2, 3, 4, 2, True, True, "tanh"),
        ("the recurrent term: x = 0, so h_t = tanh(h_prev U^T + b)", 2, 3, 4, 3, True, False,
         "tanh"),
        ("a square case N = D = H = 3 (transposes matter)", 3, 3, 3, 4, False, False, "tanh"),
        ("nonlinearity='relu' (N=4, D=2, H=5)", 4, 2, 5, 5, False, False, "relu"),
    ):
        rng = np.random.default_rng(100 + seed)
        x = np.zeros((N, D)) if zero_x else np.round(rng.uniform(-1, 1, (N, D)), 2)
        h = np.zeros((N, H)) if zero_h else np.round(rng.uniform(-1, 1, (N, H)), 2)
        W = np.round(rng.uniform(-1, 1, (H, D)), 2)
        U = np.round(rng.uniform(-1, 1, (H, H)), 2)
        b = np.round(rng.uniform(-1, 1, H), 2)
        expected, _ = rnn_step(x, h, {"W": W, "U": U, "b": b}, nl)
        kwargs = {"nonlinearity": nl} if nl != "tanh" else {}
        cases.append(Case(name, (x, h, W, U, b), expected, kwargs=kwargs,
                          hint=_rnn_step_hint(x, h, W, U, b, nl)))
    return grade(fn, cases, title="Checking your Elman step")


# --- Chapter 6: LSTM gates (the forward step) ---
_NOT_HC = "not a pair (h_t, c_t)"


def _lstm_exercise_params(D, H, seed, shut=None):
    """Random LSTM parameters; ``shut="i"`` or ``"f"`` closes that gate exactly (its W and U
    blocks zero, its bias −1000, so σ gives exactly 0 whatever the input)."""
    from lstmbook.lstm import split_gates  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(0.0, 0.6, (4 * H, D)), "U": rng.normal(0.0, 0.6, (4 * H, H)),
              "b": rng.normal(0.0, 0.3, 4 * H)}
    if shut is not None:
        k = "ifgo".index(shut)
        split_gates(params["W"].T)[k][...] = 0.0
        split_gates(params["U"].T)[k][...] = 0.0
        split_gates(params["b"])[k][...] = -1000.0
    return params


def _lstm_step_hint(which, cache):
    i, f, g, o, c_prev, c = cache.i, cache.f, cache.g, cache.o, cache.c_prev, cache.c

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, BaseException):
            if isinstance(out, ValueError) and ("matmul" in str(out) or "broadcast" in str(out)):
                return ("the gates act element by element (the Hadamard product ⊙): use `*`, "
                        "not `@` or np.dot, between gates and states; all of i, f, g, o, "
                        "c_prev have shape (N, H).")
            return None
        if isinstance(out, str) and out == _NOT_HC:
            return "return the new hidden and cell states as a pair: `return h, c`."
        if which == "c":
            wrong = (
                (f * c_prev, "this only keeps (part of) the old content f ⊙ c_{t-1}; add what "
                             "the input gate writes, i ⊙ g."),
                (i * g, "this only writes the new candidate i ⊙ g; the old content f ⊙ c_{t-1} "
                        "must be added to it."),
                (f * c_prev + g, "the candidate g must pass through the input gate: i ⊙ g."),
                (c_prev + i * g, "the old cell state must pass through the forget gate: "
                                 "f ⊙ c_{t-1}."),
                (i * c_prev + f * g, "the gates are swapped: the forget gate multiplies the old "
                                     "state, the input gate the candidate."),
                (o * c_prev + i * g, "the output gate o is not part of the cell update; the old "
                                     "state is multiplied by the forget gate f."),
            )
        else:
            wrong = (
                (o * c, "squash the cell state with tanh before the output gate: "
                        "h_t = o ⊙ tanh(c_t)."),
                (np.tanh(c), "the output gate must multiply: h_t = o ⊙ tanh(c_t)."),
                (o * np.tanh(c_prev), "use the new cell state c_t, not c_{t-1}."),
                (np.tanh(o * c), "tanh applies to c_t alone, then the output gate multiplies: "
                                 "o ⊙ tanh(c_t)."),
            )
        for ref, text in wrong:
            if same(out, ref) and not same(ref, c if which == "c" else o * np.tanh(c)):
                return text
        if which == "h":
            return "h_t = o ⊙ tanh(c_t) uses the new cell state: if c_t failed, fix it first."
        return None

    return hint


def check_lstm_cell_update(fn: Callable) -> Result:
    """Grade ``fn(x_t, h_prev, c_prev, params) -> (h_t, c_t)``: one LSTM step, in particular the
    cell update ``c_t = f ⊙ c_{t-1} + i ⊙ g`` ({ref}`eq-lstm-cell`) and the output
    ``h_t = o ⊙ tanh(c_t)`` ({ref}`eq-lstm-hidden`), against :func:`lstmbook.lstm.lstm_step`.

    Cases: the input gate shut (only forgetting acts), the forget gate shut (only writing acts),
    both at work, and a batch of three examples with two units; c_t and h_t are checked
    separately, and a failed case names the likely mistake.
    """
    from lstmbook.lstm import lstm_step  # noqa: PLC0415

    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")

    def part(which, x_t, h_prev, c_prev, params):
        out = fn(x_t, h_prev, c_prev, params)
        if not (isinstance(out, tuple | list) and len(out) == 2):
            return _NOT_HC
        return out[0] if which == "h" else out[1]

    part.__name__ = getattr(fn, "__name__", "your function")
    scenarios = (
        ("forget only (input gate shut)", 1, 2, 1, 0, "i", "c"),
        ("input only (forget gate shut)", 1, 2, 1, 1, "f", "c"),
        ("mixed gates", 1, 3, 2, 2, None, "ch"),
        ("a batch (N = 3, H = 2)", 3, 3, 2, 3, None, "ch"),
    )
    cases = []
    for name, N, D, H, seed, shut, checked in scenarios:
        params = _lstm_exercise_params(D, H, seed, shut)
        rng = np.random.default_rng(100 + seed)
        x_t = rng.normal(0.0, 1.0, (N, D))
        h_prev = rng.uniform(-0.8, 0.8, (N, H))
        c_prev = rng.uniform(-1.5, 1.5, (N, H))
        h, c, cache = lstm_step(x_t, h_prev, c_prev, params)
        for which in checked:
            label = "c_t" if which == "c" else "h_t"
            cases.append(Case(f"{name}: {label}", (which, x_t, h_prev, c_prev, params),
                              c if which == "c" else h, hint=_lstm_step_hint(which, cache)))
    return grade(part, cases, title="Checking your LSTM step")


# --- Chapter 8: variants (the bidirectional layer) ---
def _birnn_hint(fwd, bwd, X):
    """Recognise the usual mistakes of a hand-written bidirectional layer."""
    def run(layer, Z):
        return layer.forward(np.ascontiguousarray(Z))[0]

    N, T, _ = X.shape
    Yf = run(fwd, X)
    Yb_rev = run(bwd, X[:, ::-1])  # in reversed time order
    right = np.concatenate([Yf, Yb_rev[:, ::-1]], axis=2)
    wrong = (
        (np.concatenate([Yf, run(bwd, X)], axis=2),
         "the backward layer read the sequence forwards: give it the time-reversed input "
         "X[:, ::-1] (axis 1 is time)."),
        (np.concatenate([Yf, Yb_rev], axis=2),
         "the backward outputs are still in reversed time order: flip them back with "
         "[:, ::-1], so that step t holds h←_t, the state after reading x_T .. x_t."),
        (np.concatenate([Yb_rev[:, ::-1], Yf], axis=2),
         "the halves are swapped: Y[:, t] = [h→_t, h←_t], forward half first."),
    )

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, BaseException):
            if "concatenation axis" in str(out):
                return ("the halves may differ in size (H→ ≠ H←) but share N and T: "
                        "concatenate them along the feature axis, axis=2.")
            return None
        if not isinstance(out, np.ndarray):
            return ("return one array Y of shape (N, T, H→ + H←); layer.forward(X) returns a "
                    "pair (Y, final_state): keep its first element.")
        if out.shape in ((2 * N, T, right.shape[2] // 2), (N, 2 * T, right.shape[2] // 2)) or (
                out.ndim == 3 and out.shape[2] != right.shape[2] and out.shape[:2] != (N, T)):
            return ("concatenate the two halves along the feature axis (axis=2): each step gets "
                    "[h→_t, h←_t].")
        for ref, text in wrong:
            if same(out, ref) and not same(ref, right):
                return text
        return None

    return hint


def check_bidirectional(fn: Callable) -> Result:
    """Grade ``fn(fwd, bwd, X) -> Y``: a bidirectional layer ({ref}`eq-birnn`) from two
    recurrent layers. ``fwd`` reads ``X (N, T, D)`` forwards, ``bwd`` reads it backwards, and
    ``Y[:, t] = [h→_t, h←_t]`` of shape ``(N, T, H→ + H←)``, as
    :class:`lstmbook.layers.Bidirectional` computes.

    Cases: one time step (where reversing changes nothing), a batch of LSTM layers, GRU layers
    of different sizes, and one sequence of plain RNN layers.
    """
    from lstmbook import GRU, LSTM, RNN, Bidirectional  # noqa: PLC0415

    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")
    scenarios = (
        ("one time step (T = 1)", LSTM, LSTM, 2, 1, 3, 2, 2),
        ("a batch of LSTM layers (N = 3, T = 5)", LSTM, LSTM, 3, 5, 2, 3, 3),
        ("GRU layers of different sizes (H→ = 2, H← = 3)", GRU, GRU, 2, 4, 3, 2, 3),
        ("one sequence, plain RNN layers (N = 1, T = 6)", RNN, RNN, 1, 6, 2, 2, 2),
    )
    cases = []
    for k, (name, cf, cb, N, T, D, Hf, Hb) in enumerate(scenarios):
        fwd, bwd = cf(D, Hf, seed=10 + k), cb(D, Hb, seed=20 + k)
        X = np.random.default_rng(30 + k).normal(0.0, 1.0, (N, T, D))
        expected, _ = Bidirectional(fwd, bwd).forward(X)
        cases.append(Case(name, (fwd, bwd, X), expected, hint=_birnn_hint(fwd, bwd, X)))
    return grade(fn, cases, title="Checking your bidirectional layer")


# --- Chapter 3: the BPTT recursion (one backward step) ---
__all__ += ["check_bptt_delta"]  # noqa: PLE0605


def _bptt_delta_hint(dout, dnext, U, h):
    """Recognise the usual mistakes in the δ recursion by recomputing them."""
    fp = 1.0 - h * h
    wrong = [
        (lambda: dout + dnext @ U,
         "f'(u_t) is missing: δ_t is the derivative with respect to the pre-activation u_t, so "
         "the error arriving at h_t is multiplied by f'(u_t) = 1 − h_t² (tanh)."),
        (lambda: (dout + dnext @ U.T) * fp,
         "U is transposed: the forward pass computes u_{t+1} = ... + h_t U^T (row vectors), so "
         "the error goes back through U itself: δ_{t+1} @ U."),
        (lambda: (dout + dnext @ U) * (1.0 - h),
         "tanh'(u) is 1 − tanh(u)², written through the output: 1 − h_t**2, not 1 − h_t."),
        (lambda: (dout + dnext @ U) * (1.0 - np.tanh(h) ** 2),
         "h_t is already tanh(u_t): f'(u_t) = 1 − h_t**2; do not apply tanh to h_t again."),
        (lambda: dout * fp + dnext @ U,
         "f'(u_t) must multiply the whole error reaching h_t, (dout_t + δ_{t+1} U), not only "
         "the part from the output."),
        (lambda: dout * fp,
         "the error from the future is missing: add δ_{t+1} @ U before multiplying by f'."),
        (lambda: (dnext @ U) * fp,
         "the error from the output at step t (dout_t) is missing: h_t feeds both the output and "
         "the next step, so both errors are added."),
        (lambda: ((dout + dnext @ U) * fp).T,
         "the axes are swapped: return (N, H), one row per sequence."),
    ]

    def hint(out):
        if isinstance(out, BaseException):
            if isinstance(out, ValueError) and "matmul" in str(out):
                return ("shapes do not line up: delta_next is (N, H) and U (H, H); "
                        "use delta_next @ U.")
            return None
        if not isinstance(out, np.ndarray):
            return "return a numpy array of shape (N, H): δ_t for every sequence."
        for make, text in wrong:
            with np.errstate(all="ignore"):
                ref = make()
            if ref.shape == out.shape and np.allclose(ref, out):
                return text
        return None

    return hint


def check_bptt_delta(fn: Callable) -> Result:
    """Grade ``fn(dout_t, delta_next, U, h_t) -> δ_t``, one backward step of a tanh Elman RNN
    ({ref}`eq-bptt-delta`): ``δ_t = (dout_t + δ_{t+1} U) ⊙ (1 − h_t²)`` with ``dout_t``,
    ``delta_next``, ``h_t`` of shape ``(N, H)`` and ``U (H, H)``; compared with
    :func:`lstmbook.gradient_flow.bptt_delta`. Cases: the last step (no error from the future),
    a middle step, a step with no loss of its own, and a larger batch.
    """
    from .gradient_flow import bptt_delta  # noqa: PLC0415

    cases = []
    for name, N, H, seed, no_future, no_output in (
        ("the last step: delta_next = 0 (no error from the future)", 2, 3, 0, True, False),
        ("a middle step: error from the output and from step t + 1", 2, 3, 1, False, False),
        ("a step without a loss of its own: dout_t = 0", 1, 4, 2, False, True),
        ("a batch of 4 sequences, H = 5", 4, 5, 3, False, False),
    ):
        rng = np.random.default_rng(300 + seed)
        dout = np.zeros((N, H)) if no_output else np.round(rng.uniform(-1, 1, (N, H)), 2)
        dnext = np.zeros((N, H)) if no_future else np.round(rng.uniform(-1, 1, (N, H)), 2)
        U = np.round(rng.uniform(-1, 1, (H, H)), 2)
        h = np.round(rng.uniform(-0.9, 0.9, (N, H)), 2)
        expected = bptt_delta(dout, dnext, U, h)
        cases.append(Case(name, (dout, dnext, U, h), expected,
                          hint=_bptt_delta_hint(dout, dnext, U, h)))
    return grade(fn, cases, title="Checking your BPTT step")


# --- Chapter 4: gradient clipping by norm ---
__all__ += ["check_clip_grad_norm"]  # noqa: PLE0605


def _clip_hint(g, max_norm):
    """Explain a wrong clipped gradient: its norm, its direction, the usual mistakes."""
    norm = float(np.linalg.norm(g))

    def hint(out):
        if norm == 0 and isinstance(out, FloatingPointError | ZeroDivisionError | RuntimeWarning):
            return ("the gradient is zero here, so max_norm / ‖g‖ divides by zero. Compare ‖g‖ "
                    "with max_norm first and rescale only when ‖g‖ > max_norm (a zero gradient "
                    "is returned as it is).")
        if isinstance(out, BaseException):
            return None
        if not isinstance(out, np.ndarray):
            return "return a numpy array with the shape of the gradient."
        if out.shape != g.shape:
            return None
        if not np.all(np.isfinite(out)):
            return ("the result contains NaN or infinity: with ‖g‖ = 0, max_norm / ‖g‖ is not a "
                    "number. Rescale only when ‖g‖ > max_norm.")
        out_norm = float(np.linalg.norm(out))
        if norm == 0:
            return None
        cos = float(out.ravel() @ g.ravel() / (out_norm * norm)) if out_norm else 0.0
        if g.ndim == 2:
            rows = np.linalg.norm(g, axis=1, keepdims=True)
            per_row = g * np.minimum(1.0, max_norm / rows)
            if np.allclose(out, per_row):
                return ("you clipped each row on its own. The norm is taken over the whole "
                        "gradient, all entries together: np.linalg.norm(g) (= sqrt of the sum "
                        "of every squared entry), and one factor rescales every entry.")
        if cos < 1 - 1e-9:
            value_clipped = np.clip(g, -max_norm, max_norm)
            if np.allclose(out, value_clipped):
                return ("this clips each entry on its own (clipping by value), which changes "
                        f"the direction (cosine {cos:.4f} with the gradient). Multiply every "
                        "entry by the same factor max_norm / ‖g‖ instead.")
            return (f"the direction changed (cosine {cos:.4f} with the gradient; it should be "
                    "1): multiply every entry by one and the same factor.")
        if norm <= max_norm:
            return (f"‖g‖ = {norm:.4g} is not above max_norm = {max_norm:g}, so the gradient "
                    f"must come back unchanged; yours has norm {out_norm:.4g}. Rescale only "
                    "when ‖g‖ > max_norm.")
        if np.isclose(out_norm, norm * norm / max_norm):
            return ("the factor is upside down: multiply by max_norm / ‖g‖ (below 1 here), "
                    "not ‖g‖ / max_norm.")
        return (f"‖g‖ = {norm:.4g} is above max_norm = {max_norm:g}, so the result must have "
                f"norm exactly {max_norm:g}; yours has norm {out_norm:.4g}. Multiply by "
                "max_norm / ‖g‖.")

    return hint


def check_clip_grad_norm(fn: Callable) -> Result:
    """Grade ``fn(grad, max_norm) -> clipped``: gradient clipping by norm ({ref}`eq-clip-norm`).

    ``grad`` is one NumPy array (all of a model's gradients side by side) and the answer is a
    new array: ``grad · max_norm / ‖grad‖`` when ‖grad‖ > max_norm, else ``grad`` unchanged,
    as :func:`lstmbook.clipping.clip_grad_norm` computes (in place). Cases: a norm below the
    threshold (unchanged), a norm above it (rescaled to the threshold, same direction), a
    matrix (one norm over all entries), and a zero gradient, which must come back as zeros
    with no division by zero and no warning (warnings count as failures here).
    """
    import warnings  # noqa: PLC0415

    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")

    def strict(grad, max_norm):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise"):
                return fn(grad, max_norm)

    strict.__name__ = getattr(fn, "__name__", "your function")
    cases = []
    for name, g, max_norm in (
        ("norm below the threshold: returned unchanged", np.array([0.3, -0.4]), 1.0),
        ("norm above the threshold: rescaled to norm max_norm, same direction",
         np.array([3.0, -4.0, 12.0]), 2.0),
        ("a matrix: one norm over all its entries",
         np.array([[0.5, -2.0, 1.0], [4.0, 0.0, -1.5]]), 1.5),
        ("a zero gradient: returned as zeros, no division by zero", np.zeros(4), 1.0),
    ):
        norm = float(np.linalg.norm(g))
        expected = g * (max_norm / norm) if norm > max_norm else g.copy()
        cases.append(Case(name, (g, max_norm), expected, hint=_clip_hint(g, max_norm)))
    return grade(strict, cases, title="Checking your gradient clipping")


# --- Chapter 7: peephole connections (the input gate) ---
def _peephole_gate_hint(a, c, p):
    from lstmbook.functions import sigmoid  # noqa: PLC0415

    def same(out, ref):
        return isinstance(out, np.ndarray) and out.shape == ref.shape and np.allclose(out, ref)

    def hint(out):
        if isinstance(out, ValueError) and ("matmul" in str(out) or "broadcast" in str(out)):
            return ("the peephole weights are diagonal: multiply element by element, "
                    "p_i * c_prev, not with a matrix product.")
        if isinstance(out, BaseException):
            return None
        if same(out, a + p * c):
            return "a gate is squashed by the sigmoid: return sigmoid(a_i + p_i * c_prev)."
        if same(out, sigmoid(a) + p * c) or same(out, sigmoid(a) * (1 + p * c)):
            return ("the peephole term belongs inside the sigmoid, added to the gate's input "
                    "a_i: sigmoid(a_i + p_i * c_prev).")
        if same(out, np.tanh(a + p * c)):
            return "gates use the sigmoid (values in [0, 1]), not tanh."
        if np.any(p != 0) and same(out, sigmoid(a)):
            return "the peephole term is missing: add p_i * c_prev to a_i before the sigmoid."
        if same(out, sigmoid(a + c)):
            return "the cell must be weighted by the peephole weights: p_i * c_prev."
        if isinstance(out, np.ndarray) and out.shape != a.shape:
            return (f"the gate has one value per sequence and unit, shape {a.shape}; "
                    "p_i * c_prev is an element-wise (diagonal) product.")
        return None

    return hint


def check_peephole_input_gate(fn: Callable) -> Result:
    """Grade ``fn(a_i, c_prev, p_i) -> i``: the peephole input gate ({ref}`eq-peephole`),
    ``i = σ(a_i + p_i ⊙ c_{t-1})`` with ``a_i, c_prev (N, H)`` and ``p_i (H,)``.

    Cases: no peephole (p = 0), a batch with positive peepholes, negative peepholes, one
    sequence with a saturating cell.
    """
    from lstmbook.functions import sigmoid  # noqa: PLC0415

    rng = np.random.default_rng(7)
    scenarios = (
        ("no peephole (p_i = 0): the plain LSTM's gate", (2, 3), np.zeros(3)),
        ("peepholes of different sizes, a batch of 2 sequences x 3 units", (2, 3),
         np.array([0.5, 2.0, 1.0])),
        ("negative peepholes: a full cell closes the gate", (3, 2), np.array([-3.0, -1.0])),
        ("one sequence, 4 units, a large cell", (1, 4), np.array([1.0, -2.0, 0.3, 4.0])),
    )
    cases = []
    for name, shape, p in scenarios:
        a = np.round(rng.uniform(-1, 1, shape), 2)
        c = np.round(rng.uniform(-2, 2, shape), 2)
        if name.startswith("one sequence"):
            c = c * 3
        cases.append(Case(name, (a, c, p), sigmoid(a + p * c), hint=_peephole_gate_hint(a, c, p)))
    return grade(fn, cases, title="Checking your peephole input gate")


# --- Chapter 9: long time lags (the adding problem's target) ---
__all__ += ["check_adding_target"]  # noqa: PLE0605


def _adding_target_reference(X):
    return (X[:, :, 0] * X[:, :, 1]).sum(axis=1, keepdims=True)


def _adding_target_hint(X):
    values, marks = X[:, :, 0], X[:, :, 1]

    def hint(out):
        if isinstance(out, BaseException):
            return None
        out = np.asarray(out)
        if out.shape == (X.shape[0],):
            return "The targets must be a column of shape (N, 1), like the y of " \
                   "data.adding_problem: keep the summed axis (keepdims=True) or add [:, None]."
        if out.shape != (X.shape[0], 1):
            return None
        if np.allclose(out[:, 0], values.sum(axis=1)):
            return "This sums every value. Only the two steps whose marker (channel 1) is 1 count."
        if np.allclose(out[:, 0], marks.sum(axis=1)):
            return "This sums the markers (always 2). Sum the values (channel 0) at the " \
                   "marked steps."
        first = values[np.arange(len(X)), marks.argmax(axis=1)]
        if np.allclose(out[:, 0], first):
            return "This is only the first marked value; add the second one too."
        return None

    return hint


def check_adding_target(fn: Callable) -> Result:
    """Grade ``fn(X) -> y``: the adding problem's target, the sum of the values (channel 0) at
    the two marked steps (channel 1 = 1), as a column ``(N, 1)`` ({ref}`eq-adding-problem`)."""
    from lstmbook.data import adding_problem  # noqa: PLC0415

    X1, _ = adding_problem(4, 10, seed=3)
    X2, _ = adding_problem(3, 50, seed=4, dtype=np.float32)
    X3 = np.zeros((2, 6, 2))
    X3[:, :, 0] = [[0.5, -0.2, 0.1, 0.3, -0.4, 0.9], [-1.0, 0.25, 0.0, 0.6, 0.7, -0.8]]
    X3[:, [0, 5], 1] = 1.0  # markers at the very first and the very last step
    cases = [
        Case(f"{name}: X of shape {X.shape}", (X,), _adding_target_reference(X),
             hint=_adding_target_hint(X), rtol=1e-5, atol=1e-6)
        for name, X in (("a small batch", X1), ("float32, T = 50", X2),
                        ("markers at the first and last step", X3))
    ]
    return grade(fn, cases, title="adding-problem target")

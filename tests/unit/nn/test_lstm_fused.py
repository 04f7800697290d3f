"""lstmbook.nn._lstm_fused, the fast kernel behind ``LSTM``, against the readable
``lstm_forward`` / ``lstm_backward`` of lstmbook.nn.lstm (themselves checked against finite
differences in test_lstm.py): every output and gradient, on every path of the kernel (both memory
layouts, one or several chunks of steps, one or several weight-gradient products), in float32 and
float64, with and without peepholes, with and without initial and final states."""

import numpy as np
import pytest

from lstmbook.nn import _lstm_fused
from lstmbook.nn.lstm import lstm_backward, lstm_forward

from .helpers import lstm_data, lstm_layer

D = 5
#: (N, T, H): every path of the fused kernel (checked by test_shapes_cover_the_fused_kernel)
SHAPES = {
    "N1": (1, 6, 4),  # batch of one, small blocks (batch-major layout)
    "small": (3, 7, 4),
    "time_middle": (32, 7, 64),  # H·N = _TM_MIN_BLOCK exactly: the time-middle layout
    "chunks_one_product": (16, 30, 160),  # several chunks of steps, one weight-gradient product
    "chunks_many_products": (64, 20, 64),  # several chunks, a weight-gradient product each
}


def _kernel_path(N, T, H):
    """(time-middle layout?, number of chunks, number of weight-gradient products): what
    fused_backward does for this shape (mirrors its arithmetic)."""
    chunk = max(1, min(T, _lstm_fused._CHUNK_ELEMS // (H * N)))
    gemm = chunk if chunk * N >= max(_lstm_fused._GEMM_COLS, 2 * (D + 1 + H)) else T
    return H * N >= _lstm_fused._TM_MIN_BLOCK, -(-T // chunk), -(-T // gemm)


def test_shapes_cover_the_fused_kernel():
    paths = {name: _kernel_path(*shape) for name, shape in SHAPES.items()}
    assert not paths["small"][0] and not paths["N1"][0]
    assert paths["time_middle"] == (True, 1, 1)
    tm, chunks, products = paths["chunks_one_product"]
    assert tm and chunks > 1 and products == 1
    tm, chunks, products = paths["chunks_many_products"]
    assert tm and chunks > 1 and products > 1


def _layer(H, dtype=np.float64, peephole=False, fused=True):
    return lstm_layer(H, input_size=D, peephole=peephole, fused=fused, dtype=dtype)


def _data(N, T, H, dtype):
    return lstm_data(N, T, H, input_size=D, dtype=dtype)


def _run(layer, X, state, dY, d_final):
    Y, (hT, cT) = layer.forward(X, state)
    gate_seq = layer.gate_seq
    dX, (dh0, dc0) = layer.backward(dY, d_final)
    out = {"Y": Y, "h_T": hT, "c_T": cT, "gate_seq": gate_seq, "dX": dX, "dh0": dh0,
           "dc0": dc0, "dh_seq": layer.dh_seq}
    out.update({f"grads[{k}]": g for k, g in layer.grads.items()})
    return out


# --------------------------------------------------------------------------- fused == readable
@pytest.mark.parametrize("given", ["state_and_d_final", "state_only", "d_final_only", "neither"])
@pytest.mark.parametrize("peephole", [False, True], ids=["plain", "peephole"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_fused_kernel_equals_readable_loop(shape, dtype, peephole, given):
    N, T, H = SHAPES[shape]
    X, dY, state, d_final = _data(N, T, H, dtype)
    state = state if given in ("state_and_d_final", "state_only") else None
    d_final = d_final if given in ("state_and_d_final", "d_final_only") else None
    layer = _layer(H, dtype, peephole)
    fused = _run(layer, X, state, dY, d_final)
    layer.fused = False
    readable = _run(layer, X, state, dY, d_final)
    assert set(fused) == set(readable)
    assert set(layer.grads) == set(layer.params)
    tol = 1e-5 if dtype == np.float32 else 1e-13  # measured: at most 7e-7 and 3e-15
    for name, want in readable.items():
        got = fused[name]
        assert got.dtype == want.dtype == dtype, name
        assert got.shape == want.shape, name
        err = float(np.abs(got - want).max()) / max(1.0, float(np.abs(want).max()))
        assert err <= tol, f"{name}: fused and readable differ by {err:.2e}"


def test_backward_follows_the_path_of_its_forward():
    """``fused`` switched between forward and backward: the backward of the path that ran."""
    N, T, H = SHAPES["small"]
    X, dY, state, d_final = _data(N, T, H, np.float64)
    layer = _layer(H)
    want = _run(layer, X, state, dY, d_final)
    layer.forward(X, state)
    layer.fused = False
    dX, _ = layer.backward(dY, d_final)
    np.testing.assert_array_equal(dX, want["dX"])
    layer.forward(X, state)
    layer.fused = True
    dX, _ = layer.backward(dY, d_final)
    np.testing.assert_allclose(dX, want["dX"], rtol=0, atol=1e-13)


@pytest.mark.parametrize("shape", ["small", "chunks_many_products"])
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_results_are_not_overwritten_by_the_next_call(shape, fused):
    """The fused kernel reuses its work arrays; what it hands out must be fresh each call."""
    N, T, H = SHAPES[shape]
    X, dY, state, d_final = _data(N, T, H, np.float64)
    layer = _layer(H, peephole=True, fused=fused)
    first = _run(layer, X, state, dY, d_final)
    kept = {k: v.copy() for k, v in first.items()}
    _run(layer, 2 * X, None, -dY, None)
    for name, value in first.items():
        np.testing.assert_array_equal(value, kept[name], err_msg=name)


@pytest.mark.parametrize("N, H", [(3, 4), (40, 64)])  # both memory layouts of LSTM.forward
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_lstm_layer_gate_seq_and_dh_seq_equal_the_readable_loop(N, H, dtype):
    """What chapter 9 reads off the default (fused) layer, gate_seq and dh_seq, equals
    lstm_forward's caches and lstm_backward's dh_seq."""
    rng = np.random.default_rng(0)
    T = 7
    layer = _layer(H, dtype)
    X = rng.standard_normal((N, T, D)).astype(dtype)
    h0 = rng.standard_normal((N, H)).astype(dtype)
    c0 = rng.standard_normal((N, H)).astype(dtype)
    dY = rng.standard_normal((N, T, H)).astype(dtype)
    dhT = rng.standard_normal((N, H)).astype(dtype)
    Y, (hT, cT) = layer.forward(X, (h0, c0))
    layer.backward(dY, (dhT, np.zeros_like(dhT)))
    assert layer.gate_seq.shape == (T, N, 4 * H) and layer.dh_seq.shape == (N, T, H)
    Y_ref, (_, cT_ref), caches = lstm_forward(X, (h0, c0), layer.params)
    _, _, _, dh_seq = lstm_backward(dY, (dhT, np.zeros_like(dhT)), caches, layer.params)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(Y, Y_ref, atol=tol)
    np.testing.assert_allclose(cT, cT_ref, atol=tol)
    gates = np.stack([np.concatenate([k.i, k.f, k.g, k.o], axis=1) for k in caches])
    np.testing.assert_allclose(layer.gate_seq, gates, atol=tol)
    np.testing.assert_allclose(layer.dh_seq, dh_seq, atol=10 * tol)

"""lstmbook against torch.nn.RNN / LSTM / GRU (float64): outputs, final states and every
gradient within 1e-8, weights moved through lstmbook.nn.interop. Skipped when torch is absent."""

import numpy as np
import pytest

from lstmbook.nn.interop import from_torch, state_from_torch, state_to_torch, to_torch

torch = pytest.importorskip("torch", reason="torch not installed (optional: pip install torch)")

TOL = 1e-8
N, T, D, H = 3, 7, 4, 5

CASES = [
    ("rnn", dict(num_layers=1, bidirectional=False)),
    ("rnn_relu", dict(num_layers=1, bidirectional=False, nonlinearity="relu")),
    ("lstm", dict(num_layers=1, bidirectional=False)),
    ("gru", dict(num_layers=1, bidirectional=False)),
    ("lstm", dict(num_layers=2, bidirectional=True)),
    ("gru", dict(num_layers=2, bidirectional=True)),
    ("rnn", dict(num_layers=2, bidirectional=False)),
]


def _module(kind, cfg):
    torch.manual_seed(0)
    base = kind.split("_")[0]
    extra = {"nonlinearity": cfg["nonlinearity"]} if "nonlinearity" in cfg else {}
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[base]
    return base, cls(D, H, num_layers=cfg["num_layers"], bidirectional=cfg["bidirectional"],
                     batch_first=True, **extra).double()


@pytest.mark.parametrize("kind,cfg", CASES, ids=[f"{k}-{c['num_layers']}L-"
                                                 f"{'bi' if c['bidirectional'] else 'uni'}"
                                                 for k, c in CASES])
def test_parity_with_torch(kind, cfg):
    base, mod = _module(kind, cfg)
    L, bi = cfg["num_layers"], cfg["bidirectional"]
    d = 2 if bi else 1
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((L * d, N, H)) * 0.5
    c0 = rng.standard_normal((L * d, N, H)) * 0.5
    RY = rng.standard_normal((N, T, d * H))
    Rh = rng.standard_normal((L * d, N, H))
    Rc = rng.standard_normal((L * d, N, H))

    sd = {k: v.detach().numpy().copy() for k, v in mod.state_dict().items()}
    layer = from_torch(base, sd, num_layers=L, bidirectional=bi,
                       nonlinearity=cfg.get("nonlinearity", "tanh"))
    has_c = base == "lstm"

    # torch
    Xt = torch.tensor(X, requires_grad=True)
    h0t = torch.tensor(h0, requires_grad=True)
    c0t = torch.tensor(c0, requires_grad=True)
    if has_c:
        Yt, (hn, cn) = mod(Xt, (h0t, c0t))
        loss = (Yt * torch.tensor(RY)).sum() + (hn * torch.tensor(Rh)).sum() + \
            (cn * torch.tensor(Rc)).sum()
    else:
        Yt, hn = mod(Xt, h0t)
        loss = (Yt * torch.tensor(RY)).sum() + (hn * torch.tensor(Rh)).sum()
    loss.backward()

    # lstmbook
    state = state_from_torch(h0, c0 if has_c else None, num_layers=L, bidirectional=bi)
    Y, final = layer.forward(X, state)
    d_final = state_from_torch(Rh, Rc if has_c else None, num_layers=L, bidirectional=bi)
    dX, d_init = layer.backward(RY, d_final)

    np.testing.assert_allclose(Y, Yt.detach().numpy(), atol=TOL, rtol=0)
    got = state_to_torch(final, num_layers=L, bidirectional=bi, has_cell=has_c)
    if has_c:
        np.testing.assert_allclose(got[0], hn.detach().numpy(), atol=TOL, rtol=0)
        np.testing.assert_allclose(got[1], cn.detach().numpy(), atol=TOL, rtol=0)
    else:
        np.testing.assert_allclose(got, hn.detach().numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), atol=TOL, rtol=0)
    dgot = state_to_torch(d_init, num_layers=L, bidirectional=bi, has_cell=has_c)
    if has_c:
        np.testing.assert_allclose(dgot[0], h0t.grad.numpy(), atol=TOL, rtol=0)
        np.testing.assert_allclose(dgot[1], c0t.grad.numpy(), atol=TOL, rtol=0)
    else:
        np.testing.assert_allclose(dgot, h0t.grad.numpy(), atol=TOL, rtol=0)

    # every weight gradient, mapped to torch's names by interop, equals torch's own: both torch
    # bias gradients equal the gradient of our summed b (GRU: bias_hh's n block is b_hn's).
    ours = to_torch(base, layer, which="grads")
    assert set(ours) == {name for name, _ in mod.named_parameters()}
    for name, p in mod.named_parameters():
        g = p.grad.numpy()
        ref = ours[name]
        np.testing.assert_allclose(ref, g, atol=TOL, rtol=0, err_msg=name)

"""The fast LSTM kernel behind :class:`lstmbook.nn.lstm.LSTM`: the same maths as the readable
:func:`~lstmbook.nn.lstm.lstm_forward` / :func:`~lstmbook.nn.lstm.lstm_backward` (the tests
compare every output and gradient), arranged for speed. Private: the book shows the readable
loop; this module is the named seam the layer calls, and the readable loop is its reference.

Two entry points, no state of their own (the layer passes its :class:`Workspace`):

- ``fused_forward(params, X, h0, c0, workspace) -> (Y, (h_T, c_T), FusedCache)``
- ``fused_backward(dY, d_final_state, cache, params, workspace)
  -> (dX, (dh0, dc0), grads, dh_seq)``

and :func:`gate_sequence` reads the activated gates of a forward pass out of its cache.

How it is fast (see PITFALLS.md, "Performance": at small sizes a step costs its count of NumPy
calls, so the loops over time hold only the recurrent chain):

- a step's whole pre-activation ``x_t W^T + b + h_{t-1} U^T`` is one matrix product of
  ``[W | b | U]`` with ``[x_t; 1; h_{t-1}]`` (the bias is the weight of a constant input 1); the
  weight gradients and dX are products over many steps at once (all T, or chunks of steps whose
  gate gradients are still in cache);
- inside the loops the arrays are feature-major, ``(4H, N)`` per step, so a gate is a contiguous
  block of rows; the rows of i, f, o are pre-scaled by 1/2 so that one ``tanh`` over all four
  gates gives σ(a) = (1 + tanh(a/2)) / 2 after one multiply and one add;
- the gates' local derivatives (σ', 1 − tanh², the factors that multiply dc and dh) are computed
  for a chunk of steps at once in the backward pass; a backward step is then six calls;
- work arrays live in the layer's :class:`Workspace` from call to call (never handed out), so the
  loops write to memory that is already mapped.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# Row order of the fused gate buffer: o, i, f (the three sigmoid gates, one contiguous block), g,
# then a slot holding c_{t-1}. The public order (lstm.GATES) stays i, f, g, o.
_O, _I, _F, _G, _CPREV = range(5)
#: H·N from which the buffers are laid out time-middle (big blocks, few calls)
_TM_MIN_BLOCK = 2048
#: elements per gate block processed at once when the local derivatives are precomputed
_CHUNK_ELEMS = 65536
#: fewest columns (steps × batch) a weight-gradient product of the backward pass is given
_GEMM_COLS = 512


class Workspace:
    """Work arrays kept from call to call, by name (never handed to the caller): a fresh array
    of several MB costs a page fault per 4 KiB page each time it is first written."""

    def __init__(self):
        self._arrays = {}

    def array(self, name, shape, dtype):
        """The work array ``name`` with this shape and dtype (contents undefined)."""
        array = self._arrays.get(name)
        if array is None or array.shape != shape or array.dtype != dtype:
            array = self._arrays[name] = np.empty(shape, dtype)
        return array

    def time_first(self, name, shape, dtype, time_middle):
        """A work array of logical shape ``(T, F, ..., N)`` (time first). With ``time_middle``
        its memory is laid out feature-major, time-middle (``F, ..., T, N``), so that all steps
        of one feature row form one matrix row for the products over all steps."""
        if not time_middle:
            return self.array(name, shape, dtype)
        ndim = len(shape)
        memory = self.array(name, shape[1:-1] + (shape[0], shape[-1]), dtype)
        return memory.transpose((ndim - 2,) + tuple(range(ndim - 2)) + (ndim - 1,))


class FusedCache(NamedTuple):
    """What :func:`fused_forward` keeps for :func:`fused_backward` (views into the workspace:
    valid until the next forward pass with the same workspace)."""

    shape: tuple  #: (N, T, D) of the input
    gate_buffer: np.ndarray  #: (T + 1, 5, H, N): activated o, i, f, g and c_{t-1}; [T, 4] = c_T
    tanh_cell: np.ndarray  #: (T, H, N): tanh(c_t)
    step_inputs: np.ndarray  #: (T + 1, D + 1 + H, N): z_t = [x_t; 1; h_{t-1}]; [T] holds h_T


def gate_sequence(cache: FusedCache) -> np.ndarray:
    """The activated gates of the forward pass, ``(T, N, 4H)`` in ``GATES`` order (a copy)."""
    steps = cache.gate_buffer.shape[0] - 1
    ifgo = cache.gate_buffer[:steps, [_I, _F, _G, _O]]  # (T, 4, H, N)
    batch = ifgo.shape[-1]
    return np.ascontiguousarray(ifgo.transpose(0, 3, 1, 2)).reshape(steps, batch, -1)


def fused_forward(params, X, h0, c0, workspace: Workspace):
    """The LSTM forward pass over ``X (N, T, D)`` from ``h0, c0 (N, H)``, all of one dtype:
    ``(Y (N, T, H), (h_T, c_T), FusedCache)``. Peepholes when ``params`` holds ``p_i``.

    Equals :func:`lstmbook.nn.lstm.lstm_forward` (eq-lstm-gates, eq-lstm-cell, eq-lstm-hidden).
    """
    N, T, D = X.shape
    H = h0.shape[1]
    dtype = X.dtype
    peephole = "p_i" in params
    # Big blocks: the inputs z_t live time-middle in memory, so the weight-gradient products over
    # many steps read them without a copy.
    time_middle = H * N >= _TM_MIN_BLOCK
    # [W | b | U] in the buffer's row order (o, i, f, g), sigmoid rows halved:
    # σ(a) = (1 + tanh(a/2)) / 2.
    joint_weights = workspace.array("joint_weights", (4 * H, D + 1 + H), dtype)
    for columns, source in ((slice(0, D), params["W"]), (D, params["b"]),
                            (slice(D + 1, None), params["U"])):
        joint_weights[:H, columns] = source[3 * H:]  # o
        joint_weights[H:, columns] = source[:3 * H]  # i, f, g
    joint_weights[:3 * H] *= 0.5
    step_inputs = workspace.time_first("step_inputs", (T + 1, D + 1 + H, N), dtype, time_middle)
    inputs_by_feature = step_inputs.transpose(1, 0, 2)  # (D + 1 + H, T + 1, N)
    for t in range(T):  # step by step: far cheaper than one 3-D transposing copy
        inputs_by_feature[:D, t] = X[:, t].T
    inputs_by_feature[D, :T] = 1.0
    step_inputs[0, D + 1:] = h0.T
    gate_buffer = workspace.array("gate_buffer", (T + 1, 5, H, N), dtype)
    preacts = np.reshape(gate_buffer[:, :4], (T + 1, 4 * H, N), copy=False)  # 2-D per step
    gate_buffer[0, _CPREV] = c0.T
    tanh_cell = workspace.array("tanh_cell", (T, H, N), dtype)
    cell_terms = workspace.array("cell_terms", (2, H, N), dtype)
    step_product = workspace.array("step_product", (4 * H, N), dtype)  # reused: stays in cache
    if peephole:
        peep_i, peep_f, peep_o = (0.5 * params[k][:, None] for k in ("p_i", "p_f", "p_o"))
    outputs = np.empty((N, T, H), dtype)  # returned: fresh each call
    for preact, gates, inputs, inputs_next, gates_next, tanh_c, output_t in zip(
            preacts[:T], gate_buffer[:T], step_inputs[:T], step_inputs[1:], gate_buffer[1:],
            tanh_cell, outputs.transpose(1, 2, 0), strict=True):
        if peephole:
            np.matmul(joint_weights, inputs, out=preact)  # x_t W^T + b + h_{t-1} U^T
            c_prev = gates[_CPREV]
            gates[_I] += peep_i * c_prev
            gates[_F] += peep_f * c_prev
            np.tanh(gates[1:4], out=gates[1:4])
            sigmoids = gates[1:3]
        else:
            np.matmul(joint_weights, inputs, out=step_product)  # x_t W^T + b + h_{t-1} U^T
            np.tanh(step_product, out=preact)
            sigmoids = gates[:3]
        sigmoids *= 0.5
        sigmoids += 0.5
        # c_t = f ⊙ c_{t-1} + i ⊙ g   (eq-lstm-cell): [i, f] ⊙ [g, c_{t-1}] in one call
        np.multiply(gates[1:3], gates[3:5], out=cell_terms)
        cell_t = gates_next[_CPREV]
        np.add(cell_terms[0], cell_terms[1], out=cell_t)
        if peephole:
            out_gate = gates[_O]
            out_gate += peep_o * cell_t
            np.tanh(out_gate, out=out_gate)
            out_gate *= 0.5
            out_gate += 0.5
        np.tanh(cell_t, out=tanh_c)
        hidden = inputs_next[D + 1:]
        np.multiply(gates[_O], tanh_c, out=hidden)  # h_t = o ⊙ tanh(c_t)  (eq-lstm-hidden)
        np.copyto(output_t, hidden)  # the block is in cache now; a copy later would not be
    cache = FusedCache(X.shape, gate_buffer, tanh_cell, step_inputs)
    final_state = (step_inputs[T, D + 1:].T.copy(), gate_buffer[T, _CPREV].T.copy())
    return outputs, final_state, cache


def fused_backward(dY, d_final_state, cache: FusedCache, params, workspace: Workspace):
    """Backward of :func:`fused_forward`: ``(dX, (dh0, dc0), grads, dh_seq)`` from
    ``dY (N, T, H)`` and ``d_final_state = (dh_T, dc_T)`` or None (zeros), of the forward's dtype.

    Equals :func:`lstmbook.nn.lstm.lstm_backward` (eq-cell-path, eq-bptt-weights).
    """
    (N, T, D), gate_buffer, tanh_cell, step_inputs = cache
    H = tanh_cell.shape[1]
    n_inputs = D + 1 + H
    dtype = gate_buffer.dtype
    peephole = "p_i" in params
    if d_final_state is None:
        dh_later, dcell = np.zeros((H, N), dtype), np.zeros((H, N), dtype)
    else:  # both updated in place below
        dh_later = np.array(d_final_state[0].T, order="C")
        dcell = np.array(d_final_state[1].T, order="C")
    # Local derivatives of the gates do not depend on the recurrence: computed for a chunk of
    # steps at once (all T when the blocks are small), just before the loop needs them.
    # The weight gradients and dX are matrix products over the gate gradients of several steps:
    # one chunk (its gradients still in cache) when that gives the product enough columns, else
    # all T.
    chunk_steps = max(1, min(T, _CHUNK_ELEMS // (H * N)))
    gemm_steps = chunk_steps if chunk_steps * N >= max(_GEMM_COLS, 2 * n_inputs) else T
    # dgates[r] rows: da_i, da_f, da_g, da_o (public order) and dh ⊙ o (1 − tanh² c_t).
    dgates = workspace.array("dgates", (gemm_steps, 5, H, N), dtype)
    dpreacts = np.reshape(dgates[:, :4], (gemm_steps, 4 * H, N), copy=False)
    dpreact_columns = workspace.array("dpreact_columns", (4 * H, gemm_steps, N), dtype)
    grad_joint = workspace.array("grad_joint", (4 * H, n_inputs), dtype)  # [dW | db | dU]
    grad_joint_part = workspace.array("grad_joint_part", (4 * H, n_inputs), dtype)
    per_dcell = workspace.array("per_dcell", (chunk_steps, 3, H, N), dtype)  # da_i, da_f, da_g
    per_dh = workspace.array("per_dh", (chunk_steps, 2, H, N), dtype)  # da_o, dc increment
    sigmoid_slopes = workspace.array("sigmoid_slopes", (chunk_steps, 3, H, N), dtype)
    dh_steps = np.empty((T, H, N), dtype)  # becomes dh_seq: fresh each call
    dX_by_feature = np.empty((D, T, N), dtype)  # becomes dX: fresh each call
    U_transposed = params["U"].T  # a view: as fast in the product as a copy, without the copy
    inputs_by_feature = step_inputs.transpose(1, 0, 2)  # (D + 1 + H, T + 1, N)
    if peephole:
        peep_i, peep_f, peep_o = (params[k][:, None] for k in ("p_i", "p_f", "p_o"))
        grad_peep = np.zeros((3, H), dtype)
    for gemm_end in range(T, 0, -gemm_steps):
        gemm_start = max(0, gemm_end - gemm_steps)
        for chunk_end in range(gemm_end, gemm_start, -chunk_steps):
            chunk_start = max(gemm_start, chunk_end - chunk_steps)
            n_chunk = chunk_end - chunk_start
            dcell_factors, dh_factors = per_dcell[:n_chunk], per_dh[:n_chunk]
            slopes = sigmoid_slopes[:n_chunk]
            gates = gate_buffer[chunk_start:chunk_end]
            sigmoids, tanh_c = gates[:, :3], tanh_cell[chunk_start:chunk_end]
            np.multiply(sigmoids, sigmoids, out=slopes)
            np.subtract(sigmoids, slopes, out=slopes)  # σ' = σ(1 − σ) for o, i, f
            # [g σ'(a_i), c_{t-1} σ'(a_f)] in one call
            np.multiply(gates[:, 3:5], slopes[:, 1:3], out=dcell_factors[:, :2])
            np.multiply(gates[:, _G], gates[:, _G], out=dcell_factors[:, 2])
            np.multiply(gates[:, _I], dcell_factors[:, 2], out=dcell_factors[:, 2])
            np.subtract(gates[:, _I], dcell_factors[:, 2], out=dcell_factors[:, 2])  # i (1 − g²)
            np.multiply(tanh_c, slopes[:, _O], out=dh_factors[:, 0])  # tanh(c) σ'(a_o)
            np.multiply(tanh_c, tanh_c, out=dh_factors[:, 1])
            np.multiply(gates[:, _O], dh_factors[:, 1], out=dh_factors[:, 1])
            np.subtract(gates[:, _O], dh_factors[:, 1], out=dh_factors[:, 1])  # o (1 − tanh² c)
            for j in range(n_chunk - 1, -1, -1):
                t, row = chunk_start + j, chunk_start + j - gemm_start
                dhidden = dh_steps[t]
                np.add(dh_later, dY[:, t].T, out=dhidden)  # ∂L/∂h_t: from t + 1 and the output
                dgates_t = dgates[row]
                np.multiply(dhidden, dh_factors[j], out=dgates_t[3:])
                dcell += dgates_t[4]
                if peephole:
                    dcell += dgates_t[3] * peep_o
                np.multiply(dcell, dcell_factors[j], out=dgates_t[:3])  # da_i, da_f, da_g
                dcell *= gates[j, _F]  # dc_{t-1} = dc ⊙ f  (eq-cell-path)
                if peephole:
                    dcell += dgates_t[0] * peep_i
                    dcell += dgates_t[1] * peep_f
                np.matmul(U_transposed, dpreacts[row], out=dh_later)  # dh_{t-1} = da U
        # [dW | db | dU] += da [x; 1; h_{t-1}]^T and dX^T = W^T da over these steps
        n_steps = gemm_end - gemm_start
        np.copyto(dpreact_columns[:, :n_steps], dpreacts[:n_steps].transpose(1, 0, 2))
        dpreact_2d = np.reshape(dpreact_columns[:, :n_steps], (4 * H, n_steps * N), copy=False)
        inputs_2d = np.reshape(inputs_by_feature[:, gemm_start:gemm_end],
                               (n_inputs, n_steps * N))  # a view when time-middle
        np.matmul(dpreact_2d, inputs_2d.T, out=grad_joint if gemm_end == T else grad_joint_part)
        if gemm_end != T:
            grad_joint += grad_joint_part
        np.matmul(params["W"].T, dpreact_2d,
                  out=np.reshape(dX_by_feature[:, gemm_start:gemm_end], (D, n_steps * N),
                                 copy=False))
        if peephole:
            c_prev_seq = gate_buffer[gemm_start:gemm_end, _CPREV]  # c_{t-1}
            cell_seq = gate_buffer[gemm_start + 1:gemm_end + 1, _CPREV]  # c_t
            grad_peep[0] += (dgates[:n_steps, 0] * c_prev_seq).sum(axis=(0, 2))
            grad_peep[1] += (dgates[:n_steps, 1] * c_prev_seq).sum(axis=(0, 2))
            grad_peep[2] += (dgates[:n_steps, 3] * cell_seq).sum(axis=(0, 2))
    grads = {
        "W": np.ascontiguousarray(grad_joint[:, :D]),
        "U": np.ascontiguousarray(grad_joint[:, D + 1:]),
        "b": grad_joint[:, D].copy(),
    }
    if peephole:
        grads.update({"p_i": grad_peep[0], "p_f": grad_peep[1], "p_o": grad_peep[2]})
    d_initial_state = (dh_later.T.copy(), dcell.T.copy())
    return dX_by_feature.transpose(2, 1, 0), d_initial_state, grads, dh_steps.transpose(2, 0, 1)

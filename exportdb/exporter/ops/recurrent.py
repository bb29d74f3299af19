"""Recurrent ops: ``aten.lstm.input``, ``aten.gru.input``, ``aten.rnn_tanh.input``,
``aten.rnn_relu.input`` and their single-step ``*_cell`` forms.

The weights come flat, layer by layer and direction by direction:
``w_ih, w_hh[, b_ih, b_hh][, w_hr]``.  Gate order: LSTM ``i, f, g, o``; GRU ``r, z, n``.
Computed in float64, returned in the input's dtype.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from exportdb.exporter.ops import creation
from exportdb.exporter.ops.kernel_util import as_array
from exportdb.exporter.ops.table import provide

Arrays = Sequence[np.ndarray]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _affine(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    out = x @ w.T.astype(np.float64)
    return out + b.astype(np.float64) if b is not None else out


def _lstm_step(x: np.ndarray, state: tuple, w: Arrays) -> tuple:
    h, c = state
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    gates = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    i, f, g, o = np.split(gates, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h = _sigmoid(o) * np.tanh(c)
    if w_hr is not None:
        h = h @ w_hr.T.astype(np.float64)
    return h, c


def _gru_step(x: np.ndarray, h: np.ndarray, w: Arrays) -> np.ndarray:
    w_ih, w_hh, b_ih, b_hh, _ = w
    xr, xz, xn = np.split(_affine(x, w_ih, b_ih), 3, axis=-1)
    hr, hz, hn = np.split(_affine(h, w_hh, b_hh), 3, axis=-1)
    r, z = _sigmoid(xr + hr), _sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h


def _simple_step(activation: Callable[[np.ndarray], np.ndarray]) -> Callable:
    def step(x: np.ndarray, h: np.ndarray, w: Arrays) -> np.ndarray:
        w_ih, w_hh, b_ih, b_hh, _ = w
        return activation(_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh))

    return step


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


_STEPS = {"lstm": _lstm_step, "gru": _gru_step, "rnn_tanh": _simple_step(np.tanh), "rnn_relu": _simple_step(_relu)}


def _weight_groups(params: Arrays, has_biases: bool, groups: int) -> list[tuple]:
    """(w_ih, w_hh, b_ih, b_hh, w_hr) per layer and direction."""
    per = len(params) // groups
    out = []
    for g in range(groups):
        chunk = list(params[g * per:(g + 1) * per])
        w_ih, w_hh = chunk[0], chunk[1]
        b_ih, b_hh = (chunk[2], chunk[3]) if has_biases else (None, None)
        w_hr = chunk[-1] if per in (3, 5) else None
        out.append((w_ih, w_hh, b_ih, b_hh, w_hr))
    return out


def _run(mode: str, x: np.ndarray, states: list, params: Arrays, has_biases: bool, num_layers: int,
         dropout: float, train: bool, bidirectional: bool, batch_first: bool) -> tuple:
    """Run every layer over the sequence; ``states`` holds one (num_layers*dirs, B, H) array per state."""
    dt = x.dtype
    dirs = 2 if bidirectional else 1
    seq = np.swapaxes(x, 0, 1) if batch_first else x
    seq = seq.astype(np.float64)
    groups = _weight_groups(params, has_biases, num_layers * dirs)
    step = _STEPS[mode]
    finals: list[list] = [[] for _ in states]
    for layer in range(num_layers):
        outputs = []
        for d in range(dirs):
            idx = layer * dirs + d
            state = tuple(s[idx].astype(np.float64) for s in states)
            steps = range(seq.shape[0]) if d == 0 else range(seq.shape[0] - 1, -1, -1)
            out = [None] * seq.shape[0]
            for t in steps:
                state = step(seq[t], state if mode == "lstm" else state[0], groups[idx])
                state = state if mode == "lstm" else (state,)
                out[t] = state[0]
            outputs.append(np.stack(out))
            for k, s in enumerate(state):
                finals[k].append(s)
        seq = np.concatenate(outputs, axis=-1)
        if train and dropout > 0 and layer < num_layers - 1:
            seq = seq * (creation.RNG.random(seq.shape) >= dropout) / (1 - dropout)
    output = np.swapaxes(seq, 0, 1) if batch_first else seq
    return (as_array(output, dt),) + tuple(as_array(np.stack(f), dt) for f in finals)


def _lstm(x: np.ndarray, hx: Arrays, params: Arrays, *flags: Any) -> tuple:
    return _run("lstm", x, list(hx), params, *flags)


def _sequence(mode: str) -> Callable:
    def kernel(x: np.ndarray, hx: np.ndarray, params: Arrays, *flags: Any) -> tuple:
        return _run(mode, x, [hx], params, *flags)

    return kernel


def _cell(mode: str) -> Callable:
    def kernel(x: np.ndarray, hx: Any, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: np.ndarray | None = None,
               b_hh: np.ndarray | None = None) -> Any:
        weights = (w_ih, w_hh, b_ih, b_hh, None)
        xf = x.astype(np.float64)
        if mode == "lstm":
            h, c = _lstm_step(xf, (hx[0].astype(np.float64), hx[1].astype(np.float64)), weights)
            return as_array(h, x.dtype), as_array(c, x.dtype)
        return as_array(_STEPS[mode](xf, hx.astype(np.float64), weights), x.dtype)

    return kernel


provide("aten.lstm.input", _lstm, multi=True)
for _mode in ("gru", "rnn_tanh", "rnn_relu"):
    provide(f"aten.{_mode}.input", _sequence(_mode), multi=True)
    provide(f"aten.{_mode}_cell.default", _cell(_mode))
provide("aten.lstm_cell.default", _cell("lstm"), multi=True)

"""``nn.RNN``, ``nn.LSTM``, ``nn.GRU`` and their cells.

A whole sequence is one node, as torch.export 2.13 records it:
``aten.lstm.input(input, [h0, c0], [weights...], has_biases, num_layers, dropout,
train, bidirectional, batch_first)``, after ``aten.zeros`` for a missing initial state.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from exportdb.exporter.frontend import functions
from exportdb.exporter.frontend.nn_args import trim_defaults
from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.tensor import Parameter, Tensor
from exportdb.exporter.ops import aten
from exportdb.exporter.ops import creation as _creation
from exportdb.exporter.trace.dispatch import call

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_OPS = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu"}


def _uniform(shape: tuple, bound: float) -> Parameter:
    return Parameter(Tensor._make(_creation.RNG.uniform(-bound, bound, size=shape).astype(np.float32)))


class RNNBase(Module):
    """Shared by RNN, LSTM and GRU: the flat weights ``weight_ih_l0``, ``weight_hh_l0``,
    ``bias_ih_l0``, ``bias_hh_l0`` (``_reverse`` for the backward direction)."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if proj_size < 0 or (proj_size and proj_size >= hidden_size):
            raise ValueError("proj_size has to be a non-negative integer smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, float(dropout), bidirectional
        self.proj_size = proj_size
        dirs = 2 if bidirectional else 1
        real_hidden = proj_size or hidden_size
        gate_size = _GATES[mode] * hidden_size
        bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * dirs
            for d in range(dirs):
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in shapes:
                    self.register_parameter(name + suffix, _uniform(shape, bound))
                    self._flat_weights_names.append(name + suffix)

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, name) for name in self._flat_weights_names]

    def _zeros(self, size: int, batch: int, x: Tensor) -> Tensor:
        dirs = 2 if self.bidirectional else 1
        return functions.zeros(self.num_layers * dirs, batch, size, dtype=x.dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple:  # noqa: A002
        batched = input.ndim == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)  # noqa: A001
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if isinstance(hx, (tuple, list)) else hx.unsqueeze(1)
        batch = input.shape[0 if self.batch_first else 1]
        if hx is None:
            real_hidden = self.proj_size or self.hidden_size
            hx = self._zeros(real_hidden, batch, input)
            if self.mode == "LSTM":
                hx = (hx, self._zeros(self.hidden_size, batch, input))
        state = list(hx) if self.mode == "LSTM" else hx
        flags = (self.bias, self.num_layers, self.dropout, self.training, self.bidirectional, self.batch_first)
        result = call(aten(f"{_OPS[self.mode]}.input"), input, state, self._flat_weights, *flags)
        output, hidden = result[0], tuple(result[1:])
        if not batched:
            output = output.squeeze(batch_dim)
            hidden = tuple(h.squeeze(1) for h in hidden)
        return output, (hidden if self.mode == "LSTM" else hidden[0])


class RNN(RNNBase):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(f"RNN_{nonlinearity.upper()}", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size)


class GRU(RNNBase):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)


class RNNCellBase(Module):
    """Shared by the cells: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    op = ""
    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
        self.weight_ih = _uniform((self.gates * hidden_size, input_size), bound)
        self.weight_hh = _uniform((self.gates * hidden_size, hidden_size), bound)
        if bias:
            self.bias_ih = _uniform((self.gates * hidden_size,), bound)
            self.bias_hh = _uniform((self.gates * hidden_size,), bound)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    def _step(self, input: Tensor, hx: Any) -> Any:  # noqa: A002
        w_ih, w_hh = self.weight_ih, self.weight_hh  # read in torch's order: weights, then biases
        biases = trim_defaults((self.bias_ih, self.bias_hh), (None, None))
        return call(aten(self.op), input, hx, w_ih, w_hh, *biases)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)  # noqa: A001
        if hx is None:
            hx = functions.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        out = self._step(input, hx)
        return out if batched else out.squeeze(0)


class RNNCell(RNNCellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias)
        self.nonlinearity = nonlinearity
        self.op = f"rnn_{nonlinearity}_cell.default"


class GRUCell(RNNCellBase):
    op = "gru_cell.default"
    gates = 3


class LSTMCell(RNNCellBase):
    op = "lstm_cell.default"
    gates = 4

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:  # noqa: A002
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)  # noqa: A001
        if hx is None:
            zeros = functions.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
            hx = (zeros, zeros)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = self._step(input, list(hx))
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


LAYERS = {c.__name__: c for c in (RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, GRUCell, LSTMCell)}

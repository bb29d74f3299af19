"""Shape rules of torch.nn's activations, losses, attention and recurrent ops."""

from __future__ import annotations

from typing import Any

from exportdb.exporter.symbolic.shape_rules.core import broadcast, require_equal, rule, shape_of, wrap_dim
from exportdb.exporter.ops.activation import INPLACE

_SAME_SHAPE = ("relu6", "hardtanh", "leaky_relu", "elu", "celu", "selu", "silu", "mish", "hardswish", "hardsigmoid",
               "hardshrink", "softshrink", "softplus", "threshold", "log_sigmoid", "prelu", "rrelu", "feature_dropout",
               "alpha_dropout", "feature_alpha_dropout", "contiguous")


@rule(*[f"aten.{n}.default" for n in _SAME_SHAPE], *[f"aten.{n}_.default" for n in (*INPLACE, "rrelu")])
def _same_shape(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return shape_of(a)


@rule("aten.glu.default")
def _glu(a: Any, dim: int = -1) -> tuple:
    shape = list(shape_of(a))
    axis = wrap_dim(dim, len(shape))
    shape[axis] = shape[axis] // 2
    return tuple(shape)


def _reduced(shape: tuple, reduction: int) -> tuple:
    return shape if reduction == 0 else ()


@rule(*[f"aten.{n}.default" for n in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
                                       "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div")])
def _pointwise_loss(a: Any, target: Any, *args: Any, **kwargs: Any) -> tuple:
    """The reduction is the first int after the tensors (weights and floats come before or after it)."""
    codes = [x for x in args if isinstance(x, int) and not isinstance(x, bool)]
    return _reduced(broadcast(shape_of(a), shape_of(target)), codes[0] if codes else kwargs.get("reduction", 1))


@rule("aten.poisson_nll_loss.default")
def _poisson(a: Any, target: Any, log_input: bool, full: bool, eps: float, reduction: int) -> tuple:
    return _reduced(broadcast(shape_of(a), shape_of(target)), reduction)


@rule("aten.margin_ranking_loss.default", "aten.cosine_embedding_loss.default")
def _pair_target_loss(a: Any, b: Any, target: Any, margin: float = 0.0, reduction: int = 1) -> tuple:
    shape = shape_of(target)
    return shape if reduction == 0 else ()


@rule("aten.hinge_embedding_loss.default")
def _hinge(a: Any, target: Any, margin: float = 1.0, reduction: int = 1) -> tuple:
    return _reduced(broadcast(shape_of(a), shape_of(target)), reduction)


@rule("torch_nn._linear_cross_entropy_batch_chunked.default")
def _chunked_linear_cross_entropy(x: Any, w: Any, target: Any, bias: Any, weight: Any, reduction: str,
                                  *args: Any) -> list:
    input_grad, weight_grad, bias_grad = args[-3:]
    return [(), shape_of(x) if input_grad else (0, 0), shape_of(w) if weight_grad else (0, 0),
            shape_of(w)[:-1] if bias_grad else (0,)]


@rule("torch_nn._linear_cross_entropy_batch_chunked_no_reduction.default")
def _chunked_linear_cross_entropy_rows(x: Any, *args: Any) -> tuple:
    return shape_of(x)[:1]


@rule("aten.cross_entropy_loss.default", "aten.nll_loss_nd.default")
def _class_loss(a: Any, target: Any, weight: Any = None, reduction: int = 1, *args: Any) -> tuple:
    if reduction != 0:
        return ()
    shape = shape_of(a)
    return () if len(shape) == 1 else shape[:1] + shape[2:]


@rule("aten.multi_margin_loss.default", "aten.multilabel_margin_loss.default")
def _margin_loss(a: Any, target: Any, *args: Any) -> tuple:
    reduction = args[-1] if args and isinstance(args[-1], int) and len(args) in (1, 4) else 1
    shape = shape_of(a)
    if reduction != 0:
        return ()
    if len(shape) > 1:
        return shape[:1]
    return (1,) if len(args) == 1 else ()  # multilabel_margin_loss keeps [1] for a 1-d input


@rule("aten.triplet_margin_loss.default")
def _triplet(anchor: Any, positive: Any, negative: Any, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
             swap: bool = False, reduction: int = 1) -> tuple:
    return broadcast(shape_of(anchor), shape_of(positive))[:-1] if reduction == 0 else ()


@rule("aten.scaled_dot_product_attention.default")
def _sdpa(query: Any, key: Any, value: Any, *args: Any, **kwargs: Any) -> tuple:
    q, k, v = shape_of(query), shape_of(key), shape_of(value)
    require_equal(q[-1], k[-1])
    require_equal(k[-2], v[-2])
    return broadcast(q[:-2], k[:-2], v[:-2]) + (q[-2], v[-1])


def _sequence_shapes(x: Any, hidden: int, layers_dirs: int, dirs: int, batch_first: bool) -> tuple:
    shape = shape_of(x)
    seq, batch = (shape[1], shape[0]) if batch_first else (shape[0], shape[1])
    output = (batch, seq, dirs * hidden) if batch_first else (seq, batch, dirs * hidden)
    return output, (layers_dirs, batch, hidden)


@rule("aten.lstm.input")
def _lstm(x: Any, hx: Any, params: Any, has_biases: bool, num_layers: int, dropout: float, train: bool,
          bidirectional: bool, batch_first: bool) -> list:
    h0, c0 = shape_of(hx[0]), shape_of(hx[1])
    dirs = 2 if bidirectional else 1
    output, h = _sequence_shapes(x, h0[-1], h0[0], dirs, batch_first)
    return [output, h, (c0[0], h[1], c0[-1])]


@rule("aten.gru.input", "aten.rnn_tanh.input", "aten.rnn_relu.input")
def _rnn(x: Any, hx: Any, params: Any, has_biases: bool, num_layers: int, dropout: float, train: bool,
         bidirectional: bool, batch_first: bool) -> list:
    h0 = shape_of(hx)
    output, h = _sequence_shapes(x, h0[-1], h0[0], 2 if bidirectional else 1, batch_first)
    return [output, h]


@rule("aten.lstm_cell.default")
def _lstm_cell(x: Any, hx: Any, w_ih: Any, w_hh: Any, *biases: Any) -> list:
    batch, hidden = shape_of(x)[0], shape_of(w_hh)[1]
    return [(batch, hidden), (batch, hidden)]


@rule("aten.gru_cell.default", "aten.rnn_tanh_cell.default", "aten.rnn_relu_cell.default")
def _cell(x: Any, hx: Any, w_ih: Any, w_hh: Any, *biases: Any) -> tuple:
    return (shape_of(x)[0], shape_of(w_hh)[1])

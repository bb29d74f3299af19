"""Loss ops of ``torch.nn``: ``aten.mse_loss``, ``aten.cross_entropy_loss``, ``aten.nll_loss_nd``...

``reduction`` is ATen's code: 0 none, 1 mean, 2 sum.  Losses compute in float64 and
return the input's float dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from exportdb.exporter.ops.kernel_util import as_array, float_dtype
from exportdb.exporter.ops.table import provide, register


def _reduce(loss: np.ndarray, reduction: int) -> np.ndarray:
    if reduction == 0:
        return loss
    return np.mean(loss) if reduction == 1 else np.sum(loss)


def _out(value: Any, like: np.ndarray) -> np.ndarray:
    return as_array(value, float_dtype(like))


def _f(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64)


def _same_shape(a: np.ndarray, b: np.ndarray, what: str) -> None:
    if a.shape != b.shape:
        raise RuntimeError(f"{what}: target size {list(b.shape)} must be the same as input size {list(a.shape)}")


def _mse(a: np.ndarray, t: np.ndarray, reduction: int = 1) -> np.ndarray:
    return _out(_reduce((_f(a) - _f(t)) ** 2, reduction), a)


def _l1(a: np.ndarray, t: np.ndarray, reduction: int = 1) -> np.ndarray:
    return _out(_reduce(np.abs(_f(a) - _f(t)), reduction), a)


def _smooth_l1(a: np.ndarray, t: np.ndarray, reduction: int = 1, beta: float = 1.0) -> np.ndarray:
    d = np.abs(_f(a) - _f(t))
    loss = d if beta == 0 else np.where(d < beta, 0.5 * d * d / max(beta, 1e-300), d - 0.5 * beta)
    return _out(_reduce(loss, reduction), a)


def _huber(a: np.ndarray, t: np.ndarray, reduction: int = 1, delta: float = 1.0) -> np.ndarray:
    d = np.abs(_f(a) - _f(t))
    return _out(_reduce(np.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction), a)


def _class_axis(a: np.ndarray) -> int:
    return 0 if a.ndim == 1 else 1


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _class_view(w: np.ndarray, a: np.ndarray) -> np.ndarray:
    """A per-class weight shaped to broadcast along ``a``'s class axis."""
    axis = _class_axis(a)
    return _f(w).reshape((-1,) + (1,) * (a.ndim - axis - 1))


def _nll(logp: np.ndarray, target: np.ndarray, weight: np.ndarray | None, reduction: int,
         ignore_index: int) -> np.ndarray:
    axis = _class_axis(logp)
    classes = logp.shape[axis]
    t = target.astype(np.int64)
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    if np.any((safe < 0) | (safe >= classes)):
        raise IndexError(f"Target {int(safe[(safe < 0) | (safe >= classes)].flat[0])} is out of bounds.")
    picked = np.take_along_axis(logp, np.expand_dims(safe, axis), axis=axis).squeeze(axis)
    w = _f(weight)[safe] if weight is not None else np.ones_like(picked)
    w = np.where(valid, w, 0.0)
    loss = -picked * w
    if reduction == 0:
        return loss
    if reduction == 2:
        return np.sum(loss)
    total = np.sum(w)
    return np.sum(loss) / total if total else np.float64(np.nan)


def _nll_loss_nd(a: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None, reduction: int = 1,
                 ignore_index: int = -100) -> np.ndarray:
    return _out(_nll(_f(a), target, weight, reduction, ignore_index), a)


def _cross_entropy(a: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None, reduction: int = 1,
                   ignore_index: int = -100, label_smoothing: float = 0.0) -> np.ndarray:
    axis = _class_axis(a)
    classes = a.shape[axis]
    logp = _log_softmax(_f(a), axis)
    if target.dtype.kind == "f":  # class probabilities
        probs = _f(target)
        if label_smoothing > 0:
            probs = probs * (1 - label_smoothing) + label_smoothing / classes
        weighted = logp * probs * (_class_view(weight, a) if weight is not None else 1.0)
        loss = -np.sum(weighted, axis=axis)
        if reduction == 1:
            return _out(np.sum(loss) / (a.size / classes), a)
        return _out(_reduce(loss, reduction), a)
    loss = _nll(logp, target, weight, reduction, ignore_index)
    if label_smoothing <= 0:
        return _out(loss, a)
    ignored = target == ignore_index
    scaled = logp * _class_view(weight, a) if weight is not None else logp
    smooth = np.where(ignored, 0.0, -np.sum(scaled, axis=axis))
    if reduction == 1:
        if weight is not None:
            smooth = np.sum(smooth) / np.sum(_f(weight)[target[~ignored].astype(np.int64)])
        else:
            smooth = np.sum(smooth) / max(int(np.sum(~ignored)), 1) if np.any(~ignored) else np.float64(np.nan)
    elif reduction == 2:
        smooth = np.sum(smooth)
    return _out((1 - label_smoothing) * loss + smooth * (label_smoothing / classes), a)


def _bce(a: np.ndarray, t: np.ndarray, weight: np.ndarray | None = None, reduction: int = 1) -> np.ndarray:
    _same_shape(a, t, "binary_cross_entropy")
    x, y = _f(a), _f(t)
    if np.any((x < 0) | (x > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        log_x, log_1mx = np.maximum(np.log(x), -100.0), np.maximum(np.log1p(-x), -100.0)
    loss = -(y * log_x + (1 - y) * log_1mx)
    if weight is not None:
        loss = loss * _f(weight)
    return _out(_reduce(loss, reduction), a)


def _bce_logits(a: np.ndarray, t: np.ndarray, weight: np.ndarray | None = None,
                pos_weight: np.ndarray | None = None, reduction: int = 1) -> np.ndarray:
    _same_shape(a, t, "binary_cross_entropy_with_logits")
    x, y = _f(a), _f(t)
    softplus_neg = np.logaddexp(0.0, -x)  # log(1 + exp(-x))
    if pos_weight is not None:
        loss = (1 - y) * x + (1 + (_f(pos_weight) - 1) * y) * softplus_neg
    else:
        loss = (1 - y) * x + softplus_neg
    if weight is not None:
        loss = loss * _f(weight)
    return _out(_reduce(loss, reduction), a)


def _kl_div(a: np.ndarray, t: np.ndarray, reduction: int = 1, *, log_target: bool = False) -> np.ndarray:
    x, y = _f(a), _f(t)
    if log_target:
        loss = np.exp(y) * (y - x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # xlogy(y, y): 0 where y == 0, nan where y < 0
            loss = np.where(y == 0, 0.0, y * np.log(np.where(y == 0, 1.0, y))) - y * x
    return _out(_reduce(loss, reduction), a)


def _poisson_nll(a: np.ndarray, t: np.ndarray, log_input: bool, full: bool, eps: float,
                 reduction: int) -> np.ndarray:
    x, y = _f(a), _f(t)
    loss = np.exp(x) - y * x if log_input else x - y * np.log(x + eps)
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = y * np.log(np.where(y > 1, y, 1.0)) - y + 0.5 * np.log(2 * math.pi * np.where(y > 1, y, 1.0))
        loss = loss + np.where(y > 1, stirling, 0.0)
    return _out(_reduce(loss, reduction), a)


def _margin_ranking(a: np.ndarray, b: np.ndarray, t: np.ndarray, margin: float = 0.0,
                    reduction: int = 1) -> np.ndarray:
    return _out(_reduce(np.maximum(0.0, -_f(t) * (_f(a) - _f(b)) + margin), reduction), a)


def _hinge_embedding(a: np.ndarray, t: np.ndarray, margin: float = 1.0, reduction: int = 1) -> np.ndarray:
    x, y = _f(a), _f(t)
    loss = np.where(y != 1, np.maximum(margin - x, 0.0), 0.0) + np.where(y != -1, x, 0.0)
    return _out(_reduce(loss, reduction), a)


def _soft_margin(a: np.ndarray, t: np.ndarray, reduction: int = 1) -> np.ndarray:
    return _out(_reduce(np.logaddexp(0.0, -_f(t) * _f(a)), reduction), a)


def _multi_margin(a: np.ndarray, target: np.ndarray, p: Any = 1, margin: Any = 1,
                  weight: np.ndarray | None = None, reduction: int = 1) -> np.ndarray:
    if p not in (1, 2):
        raise RuntimeError("only p == 1 and p == 2 supported")
    x = _f(a).reshape(-1, a.shape[-1]) if a.ndim else _f(a).reshape(1, 1)
    t = target.astype(np.int64).reshape(-1)
    rows = np.arange(x.shape[0])
    z = np.maximum(0.0, margin - x[rows, t][:, None] + x)
    z = z ** p
    if weight is not None:
        z = z * _f(weight)[t][:, None]
    z[rows, t] = 0.0
    loss = z.sum(axis=1) / x.shape[1]
    loss = loss.reshape(target.shape) if a.ndim > 1 else loss.reshape(())
    return _out(_reduce(loss, reduction), a)


def _multilabel_margin(a: np.ndarray, target: np.ndarray, reduction: int = 1) -> np.ndarray:
    x = _f(a).reshape(-1, a.shape[-1] if a.ndim else 1)  # a 0-d input is one sample of one class
    t = target.astype(np.int64).reshape(x.shape)
    losses = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        labels = []
        for j in t[i]:
            if j < 0:
                break
            labels.append(int(j))
        is_target = np.zeros(x.shape[1], bool)
        is_target[labels] = True
        for j in labels:
            losses[i] += np.sum(np.maximum(0.0, 1 - (x[i, j] - x[i, ~is_target])))
    losses /= x.shape[1]
    loss = losses if a.ndim > 1 else losses.reshape(())  # eager torch: a 1-d input gives a 0-d loss
    return _out(_reduce(loss, reduction), a)


def _multilabel_margin_traced(a: np.ndarray, target: np.ndarray, reduction: int = 1) -> np.ndarray:
    """What torch.export 2.13 records: a 1-d input with reduction='none' gives f32[1]."""
    loss = _multilabel_margin(a, target, reduction)
    return loss.reshape(1) if a.ndim <= 1 and reduction == 0 else loss


def _cosine_embedding(a: np.ndarray, b: np.ndarray, t: np.ndarray, margin: float = 0.0,
                      reduction: int = 1) -> np.ndarray:
    x1, x2, y = _f(a), _f(b), _f(t)
    eps = 1e-12
    prod = np.sum(x1 * x2, axis=-1)
    norms = np.sqrt((np.sum(x1 * x1, axis=-1) + eps) * (np.sum(x2 * x2, axis=-1) + eps))
    cos = prod / norms
    loss = np.where(y == 1, 1 - cos, 0.0) + np.where(y == -1, np.maximum(0.0, cos - margin), 0.0)
    return _out(_reduce(loss, reduction), a)


def _pairwise(x: np.ndarray, y: np.ndarray, p: float, eps: float) -> np.ndarray:
    d = np.abs(x - y + eps)
    if p == math.inf:
        return np.max(d, axis=-1)
    return np.sum(d ** p, axis=-1) ** (1.0 / p)


def _triplet_margin(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray, margin: float = 1.0,
                    p: float = 2.0, eps: float = 1e-6, swap: bool = False, reduction: int = 1) -> np.ndarray:
    a, pos, neg = _f(anchor), _f(positive), _f(negative)
    d_pos, d_neg = _pairwise(a, pos, p, eps), _pairwise(a, neg, p, eps)
    if swap:
        d_neg = np.minimum(d_neg, _pairwise(pos, neg, p, eps))
    return _out(_reduce(np.maximum(d_pos - d_neg + margin, 0.0), reduction), anchor)


for _name, _kernel in {
    "mse_loss": _mse, "l1_loss": _l1, "smooth_l1_loss": _smooth_l1, "huber_loss": _huber,
    "cross_entropy_loss": _cross_entropy, "nll_loss_nd": _nll_loss_nd, "binary_cross_entropy": _bce,
    "binary_cross_entropy_with_logits": _bce_logits, "kl_div": _kl_div, "poisson_nll_loss": _poisson_nll,
    "margin_ranking_loss": _margin_ranking, "hinge_embedding_loss": _hinge_embedding,
    "soft_margin_loss": _soft_margin, "multi_margin_loss": _multi_margin,
    "multilabel_margin_loss": _multilabel_margin, "cosine_embedding_loss": _cosine_embedding,
    "triplet_margin_loss": _triplet_margin,
}.items():
    provide(f"aten.{_name}.default", _kernel,
            traced=_multilabel_margin_traced if _kernel is _multilabel_margin else None)


# -- torch.nn's chunked linear cross entropy (LinearCrossEntropyOptions): torch_nn custom ops ----------------
def _chunked_rows(x: np.ndarray, w: np.ndarray, target: np.ndarray, bias: Any, weight: Any,
                  ignore_index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(per-row loss, d loss_i / d logits, per-row class weight, 0 where ignored) of a 2-d input; the batch
    chunk size only changes how torch walks the rows, not the result."""
    logits = _f(x) @ _f(w).T + (_f(bias) if bias is not None else 0.0)
    logp = _log_softmax(logits, 1)
    t = target.astype(np.int64)
    kept = t != ignore_index
    safe = np.where(kept, t, 0)
    if ((safe < 0) | (safe >= w.shape[0])).any():
        raise IndexError(f"Target {int(safe[(safe < 0) | (safe >= w.shape[0])][0])} is out of bounds.")
    row_weight = np.where(kept, _f(weight)[safe] if weight is not None else 1.0, 0.0)
    rows = np.arange(t.shape[0])
    loss = -logp[rows, safe] * row_weight
    grad = np.exp(logp)
    grad[rows, safe] -= 1.0
    return loss, grad * row_weight[:, None], row_weight


def _chunked(x: np.ndarray, w: np.ndarray, target: np.ndarray, bias: Any, weight: Any, reduction: str,
             ignore_index: int, label_smoothing: float, batch_chunk_size: int, acc_policy: str, acc_dtype: Any,
             allow_retain_graph: bool, input_grad: bool, weight_grad: bool, bias_grad: bool) -> tuple:
    """``torch_nn._linear_cross_entropy_batch_chunked``: the mean or sum loss and the gradients it
    precomputes (empty unless asked for)."""
    if reduction not in ("mean", "sum"):
        raise NotImplementedError(f"linear_cross_entropy does not support reduction={reduction!r}")
    loss, grad, row_weight = _chunked_rows(x, w, target, bias, weight, ignore_index)
    scale = 1.0 / row_weight.sum() if reduction == "mean" else 1.0
    total = loss.sum() * scale
    grad = grad * scale
    dtype = x.dtype
    return (np.asarray(total, dtype),
            (grad @ _f(w)).astype(dtype) if input_grad else np.zeros((0, 0), dtype),
            (grad.T @ _f(x)).astype(dtype) if weight_grad else np.zeros((0, 0), dtype),
            grad.sum(axis=0).astype(dtype) if bias_grad else np.zeros((0,), dtype))


def _chunked_no_reduction(x: np.ndarray, w: np.ndarray, target: np.ndarray, bias: Any, weight: Any,
                          ignore_index: int, batch_chunk_size: int, acc_policy: str, acc_dtype: Any) -> np.ndarray:
    """``torch_nn._linear_cross_entropy_batch_chunked_no_reduction``: the loss of every row."""
    return _chunked_rows(x, w, target, bias, weight, ignore_index)[0].astype(x.dtype)


register("torch_nn._linear_cross_entropy_batch_chunked.default", _chunked, multi=True)
register("torch_nn._linear_cross_entropy_batch_chunked_no_reduction.default", _chunked_no_reduction)

"""``torch.nn`` losses and their ``torch.nn.functional`` counterparts.

Most are one ATen node, recorded as torch.export 2.13 records it
(``nn.MSELoss()`` broadcasts first: ``broadcast_tensors`` then ``mse_loss``);
``multilabel_soft_margin_loss`` and ``KLDivLoss(reduction='batchmean')`` decompose.
"""

from __future__ import annotations

from typing import Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.nn_activation import logsigmoid
from exportdb.exporter.frontend.nn_args import reduction_code, trim_defaults
from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.tensor import Tensor
from exportdb.exporter.ops import aten
from exportdb.exporter.symbolic.shape_rules.core import broadcast
from exportdb.exporter.trace.dispatch import call, user_location


def _legacy(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction the deprecated ``size_average``/``reduce`` flags ask for."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else ("mean" if size_average else "sum")


def _loss(name: str, *args: Any, defaults: tuple = (), **kwargs: Any) -> Tensor:
    """Call ``aten.<name>.default``; trailing ``args`` equal to ``defaults`` are dropped."""
    n = len(defaults)
    head, tail = args[:len(args) - n], args[len(args) - n:]
    return call(aten(f"{name}.default"), *head, *trim_defaults(tail, defaults), **kwargs)


def _broadcast_pair(input: Tensor, target: Tensor) -> tuple:  # noqa: A002
    return call(aten("broadcast_tensors.default"), [input, target])


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean", weight: Any = None) -> Tensor:
    a, b = _broadcast_pair(input, target)
    return _loss("mse_loss", a, b, reduction_code(_legacy(size_average, reduce, reduction)), defaults=(1,))


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean", weight: Any = None) -> Tensor:
    a, b = _broadcast_pair(input, target)
    return _loss("l1_loss", a, b, reduction_code(_legacy(size_average, reduce, reduction)), defaults=(1,))


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    a, b = _broadcast_pair(input, target)
    code = reduction_code(_legacy(size_average, reduce, reduction))
    if beta == 0.0:  # torch's functional takes the plain L1 loss then
        return _loss("l1_loss", a, b, code, defaults=(1,))
    return _loss("smooth_l1_loss", a, b, code, float(beta), defaults=(1, 1.0))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,  # noqa: A002
               weight: Any = None) -> Tensor:
    a, b = _broadcast_pair(input, target)
    return _loss("huber_loss", a, b, reduction_code(reduction), float(delta), defaults=(1, 1.0))


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("cross_entropy_loss", input, target, weight, code, ignore_index, float(label_smoothing),
                 defaults=(None, 1, -100, 0.0))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("nll_loss_nd", input, target, weight, code, ignore_index, defaults=(None, 1, -100))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({tuple(target.shape)}) that is different to the input size "
                         f"({tuple(input.shape)}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        weight = weight.expand(list(broadcast(tuple(input.shape), tuple(weight.shape))))
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("binary_cross_entropy", input, target, weight, code, defaults=(None, 1))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("binary_cross_entropy_with_logits", input, target, weight, pos_weight, code,
                 defaults=(None, None, 1))


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    reduction = _legacy(size_average, reduce, reduction)
    code = 2 if reduction == "batchmean" else reduction_code(reduction)
    kwargs = {"log_target": True} if log_target else {}
    loss = _loss("kl_div", input, target, code, defaults=(1,), **kwargs)
    if reduction == "batchmean" and input.ndim != 0:
        loss = loss / input.shape[0]
    return loss


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,  # noqa: A002
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("poisson_nll_loss", input, target, log_input, full, eps, code)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("margin_ranking_loss", input1, input2, target, float(margin), code, defaults=(0.0, 1))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("hinge_embedding_loss", input, target, float(margin), code, defaults=(1.0, 1))


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                     reduction: str = "mean") -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("soft_margin_loss", input, target, code, defaults=(1,))


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    reduction = _legacy(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,  # noqa: A002
                      weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Tensor:
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("multi_margin_loss", input, target, p, margin, weight, code, defaults=(1, 1, None, 1))


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                           reduction: str = "mean") -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("multilabel_margin_loss", input, target, code, defaults=(1,))


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("cosine_embedding_loss", input1, input2, target, float(margin), code, defaults=(0.0, 1))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    code = reduction_code(_legacy(size_average, reduce, reduction))
    return _loss("triplet_margin_loss", anchor, positive, negative, float(margin), float(p), float(eps), swap,
                 code, defaults=(1.0, 2.0, 1e-6, False, 1))


def gaussian_nll_loss(*args: Any, **kwargs: Any) -> Tensor:
    raise UnsupportedAPIError("F.gaussian_nll_loss checks the variance's values (torch.export 2.13 fails on it "
                              "too: a data-dependent guard)", location=user_location(),
                              hint="write the loss out: 0.5 * (log(var) + (input - target)**2 / var)")


def ctc_loss(*args: Any, **kwargs: Any) -> Tensor:
    raise UnsupportedAPIError("F.ctc_loss has a data-dependent output shape (torch.export 2.13 cannot export it "
                              "either)", location=user_location(), hint="compute the CTC loss outside the export")


FUNCTIONAL = {f.__name__: f for f in (
    mse_loss, l1_loss, smooth_l1_loss, huber_loss, cross_entropy, nll_loss, binary_cross_entropy,
    binary_cross_entropy_with_logits, kl_div, poisson_nll_loss, margin_ranking_loss, hinge_embedding_loss,
    soft_margin_loss, multilabel_soft_margin_loss, multi_margin_loss, multilabel_margin_loss,
    cosine_embedding_loss, triplet_margin_loss, gaussian_nll_loss, ctc_loss)}


# -- modules ----------------------------------------------------------------------
class _Loss(Module):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _legacy(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class _PairLoss(_Loss):
    """A loss of ``(input, target)`` with only the reduction to configure."""

    fn: Any = None

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return type(self).fn(input, target, reduction=self.reduction)


class MSELoss(_PairLoss):
    fn = mse_loss


class L1Loss(_PairLoss):
    fn = l1_loss


class SoftMarginLoss(_PairLoss):
    fn = soft_margin_loss


class MultiLabelMarginLoss(_PairLoss):
    fn = multilabel_margin_loss


class SmoothL1Loss(_Loss):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class CrossEntropyLoss(_WeightedLoss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean", pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                reduction=self.reduction)


class KLDivLoss(_Loss):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    def __init__(self, log_input: bool = True, full: bool = False, size_average: Any = None, eps: float = 1e-8,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                reduction=self.reduction)


class _MarginLoss(_Loss):
    default_margin: float = 0.0

    def __init__(self, margin: float | None = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = self.default_margin if margin is None else margin


class MarginRankingLoss(_MarginLoss):
    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_MarginLoss):
    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    default_margin = 1.0

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        self.p, self.margin = p, margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                 reduction=self.reduction)


class TripletMarginLoss(_Loss):
    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                   swap=self.swap, reduction=self.reduction)


LAYERS = {c.__name__: c for c in (
    MSELoss, L1Loss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
    PoissonNLLLoss, MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss,
    MultiMarginLoss, MultiLabelMarginLoss, CosineEmbeddingLoss, TripletMarginLoss)}

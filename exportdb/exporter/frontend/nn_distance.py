"""``nn.PairwiseDistance``, ``nn.CosineSimilarity`` and the triplet loss over a distance function.

``F.triplet_margin_with_distance_loss`` is Python in torch, so torch.export 2.13
records its steps: the distance of (anchor, positive) and (anchor, negative)
(``pairwise_distance`` unless a ``distance_function`` is given), with ``swap``
the ``minimum`` with the (positive, negative) distance, then ``add`` of the
margin, ``sub``, ``clamp_min(_, 0)`` and the reduction.
"""

from __future__ import annotations

from typing import Any, Callable

from exportdb.exporter.frontend.nn_args import reduction_code
from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.reduction_functions import cosine_similarity, pairwise_distance
from exportdb.exporter.frontend.tensor import Tensor


class PairwiseDistance(Module):
    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    reduction_code(reduction)  # an unknown reduction fails as in torch
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin to be greater than 0, got {margin} "
                         "instead")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    distance = distance_function if distance_function is not None else pairwise_distance
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = dist_neg.minimum(distance(positive, negative))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class TripletMarginWithDistanceLoss(Module):
    def __init__(self, *, distance_function: Callable[[Tensor, Tensor], Tensor] | None = None, margin: float = 1.0,
                 swap: bool = False, reduction: str = "mean") -> None:
        super().__init__()
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        self.distance_function, self.margin, self.swap, self.reduction = distance_function, margin, swap, reduction

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Any:
        return triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                 margin=self.margin, swap=self.swap, reduction=self.reduction)


LAYERS = {c.__name__: c for c in (PairwiseDistance, CosineSimilarity, TripletMarginWithDistanceLoss)}
FUNCTIONAL = {"triplet_margin_with_distance_loss": triplet_margin_with_distance_loss}

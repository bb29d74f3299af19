"""``torch.nn.LinearCrossEntropyLoss``: a linear projection to class logits fused with cross entropy.

torch.export 2.13 records the projection's weight and bias reshaped to
``(num_classes, *out_features, in_features)`` (and back to two dims when
``out_features`` is given), ``aten.linear``, the logits reshaped to
``(*batch, num_classes, *out_features)`` and ``aten.cross_entropy_loss``.
"""

from __future__ import annotations

import math
from typing import Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.nn_loss import cross_entropy
from exportdb.exporter.frontend.nn_modules import Linear, Module
from exportdb.exporter.frontend.tensor import Tensor
from exportdb.exporter.trace.user_frames import user_location
from exportdb.exporter.frontend.nn_modules import linear


class LinearCrossEntropyLoss(Module):
    def __init__(self, in_features: int, num_classes: int, *, out_features: Any = (), bias: bool = False,
                 device: Any = None, dtype: Any = None, reduction: str = "mean", weight: Tensor | None = None,
                 ignore_index: int | None = None, label_smoothing: float = 0.0, options: Any = None) -> None:
        super().__init__()
        if options is not None:
            raise UnsupportedAPIError("LinearCrossEntropyLoss(options=...) (chunking strategies) is not supported by "
                                      "the built-in front end", location=user_location(), hint="leave options=None")
        self.in_features, self.num_classes = in_features, num_classes
        self.out_features = tuple(out_features)
        self.reduction, self.label_smoothing = reduction, label_smoothing
        self.ignore_index = -100 if ignore_index is None else ignore_index
        self.register_buffer("weight", weight)
        self.linear = Linear(in_features, num_classes * math.prod(self.out_features), bias)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        classes = (self.num_classes, *self.out_features)
        weight = self.linear.weight.reshape(*classes, self.in_features)
        bias = self.linear.bias.reshape(*classes) if self.linear.bias is not None else None
        if self.out_features:
            rows = math.prod(classes)
            weight = weight.reshape(rows, self.in_features)
            bias = bias.reshape(rows) if bias is not None else None
        logits = self.linear_logits(input, weight, bias)
        logits = logits.reshape(*tuple(input.shape)[:-1], *classes)
        return cross_entropy(logits, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction,
                             label_smoothing=self.label_smoothing)

    @staticmethod
    def linear_logits(input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:  # noqa: A002

        return linear(input, weight, bias)


LAYERS = {"LinearCrossEntropyLoss": LinearCrossEntropyLoss}
FUNCTIONAL: dict[str, Any] = {}

import torch


class ClipGradient(torch.autograd.Function):
    """Identity going forward; clips the gradient going backward."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad.clamp(-1.0, 1.0)


class ObjectAutogradFunction(torch.nn.Module):
    """
    A custom ``torch.autograd.Function`` defines its own ``forward`` and
    ``backward``. Export records the forward computation only: ``apply`` runs
    ``forward`` and its ``clone`` appears in the graph, while ``backward`` is
    never called and leaves no trace. The exported program therefore has the
    right values but not the custom gradient, which matters only if the
    program is later used for training.
    """

    def forward(self, x):
        return ClipGradient.apply(x * 3).sum(dim=0)


example_args = (torch.randn(4, 3),)
tags = {"python.object-model"}
model = ObjectAutogradFunction()

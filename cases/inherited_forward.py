import torch


class Base(torch.nn.Module):
    def forward(self, x):
        return x.sin()


class InheritedForward(Base):
    """
    A subclass extends ``forward`` and calls the parent's version with
    ``super()``. Inheritance is plain Python and is traced through.
    """

    def forward(self, x):
        return super().forward(x) * 3


example_args = (torch.randn(4),)
tags = {"python.object-model"}
model = InheritedForward()

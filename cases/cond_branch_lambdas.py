import torch


class CondBranchLambdas(torch.nn.Module):
    """
    Short branches can be written as lambdas inline in the cond call. A lambda
    is just a function without a name, so it is traced the same way; the
    sub-graphs are still called ``true_graph_0`` and ``false_graph_0``
    because they are named after their role, not after the Python function.
    This case calls cond as ``torch.cond``, the same operator as
    ``functorch.experimental.control_flow.cond``.
    """

    def forward(self, x):
        return torch.cond(x.max() > 1.0, lambda v: v.clamp(max=1.0), lambda v: v.exp(), (x,))


example_args = (torch.randn(5),)
tags = {"torch.cond"}
model = CondBranchLambdas()

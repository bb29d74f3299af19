import torch


class MatmulTranspose(torch.nn.Module):
    """
    The ``@`` operator and ``.t()`` map onto ATen's ``matmul`` and transpose
    operators; reductions follow with an explicit dimension.
    """

    def forward(self, a, b):
        return (a @ b.t()).amax(dim=-1)


example_args = (torch.randn(4, 3), torch.randn(5, 3))
tags = {"torch.operator"}
model = MatmulTranspose()

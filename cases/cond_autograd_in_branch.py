import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondAutogradInBranch(torch.nn.Module):
    """
    cond is supported for inference only: a branch cannot ask autograd for a
    gradient. Here the true branch moves ``x`` along the gradient of a small
    energy, ``sum((v * weight)**2)``, computed with ``torch.autograd.grad``
    with respect to ``v``. The exported program describes one forward
    computation without a backward pass to call, so the export is refused
    (``torch.export`` 2.13 fails as well, because the branch cannot be
    captured as a graph). When the gradient has a closed form, write it out
    with tensor operations: the rewrite uses ``2 * v * weight**2``, which is
    the same value, and exports as an ordinary cond.
    """

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))

    def forward(self, refine, x):
        def step(v):
            v = v.detach().requires_grad_(True)
            energy = ((v * self.weight) ** 2).sum()
            (grad,) = torch.autograd.grad(energy, v)
            return v - 0.1 * grad

        def keep(v):
            return v.clone()

        return cond(refine, step, keep, (x,))


class CondExplicitGradient(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))

    def forward(self, refine, x):
        def step(v):
            grad = 2 * v * self.weight**2
            return v - 0.1 * grad

        def keep(v):
            return v.clone()

        return cond(refine, step, keep, (x,))


example_args = (torch.tensor(True), torch.randn(4, 3))
tags = {"torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondAutogradInBranch()
rewrite = CondExplicitGradient()

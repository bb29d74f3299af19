import torch
from functorch.experimental.control_flow import cond


class Expand(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(4, 4)

    def forward(self, v):
        return torch.relu(self.proj(v))


class Contract(torch.nn.Module):
    def forward(self, v):
        return v * 0.5


class CondBranchSubmodules(torch.nn.Module):
    """
    The branches are submodules: their ``forward`` is called with the
    operands, exactly as if the module were a function. The linear layer
    inside ``Expand`` owns a weight and a bias; the true branch reads them, so
    they become operands of the cond after ``x``, which both branches read,
    and the false branch gets the same placeholders even though it ignores
    them, since both branches must take the same inputs. The bias comes
    before the weight: torch sorts the values one branch alone reads by name.
    """

    def __init__(self):
        super().__init__()
        self.expand = Expand()
        self.contract = Contract()

    def forward(self, grow, x):
        return cond(grow, self.expand, self.contract.forward, (x,))


example_args = (torch.tensor(False), torch.randn(2, 4))
tags = {"torch.cond", "python.object-model"}
model = CondBranchSubmodules()

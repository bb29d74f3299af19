import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondPytreeOperands(torch.nn.Module):
    """
    The operands are a dict of tensors inside the tuple. The cond guide lists
    this as a temporary limitation: the operands must be a flat tuple of
    tensors, and nested containers (pytrees) will be allowed in the future.
    exportdb follows the guide and refuses the dict; ``torch.export`` 2.13
    already accepts it and flattens the dict into the node's operand list.
    Until then, pass the tensors one by one and rebuild the structure inside
    the branches if it helps readability.
    """

    def forward(self, flag, x, y):
        def blend(pair):
            return pair["a"] * 0.5 + pair["b"]

        def differ(pair):
            return pair["a"] - pair["b"]

        return cond(flag, blend, differ, ({"a": x, "b": y},))


class CondFlatOperands(torch.nn.Module):
    def forward(self, flag, x, y):
        def blend(a, b):
            return a * 0.5 + b

        def differ(a, b):
            return a - b

        return cond(flag, blend, differ, (x, y))


example_args = (torch.tensor(True), torch.randn(3), torch.randn(3))
tags = {"torch.cond", "python.data-structure"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondPytreeOperands()
rewrite = CondFlatOperands()

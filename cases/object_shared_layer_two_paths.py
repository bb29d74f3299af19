import torch


class Refine(torch.nn.Module):
    def __init__(self, proj):
        super().__init__()
        self.proj = proj

    def forward(self, x):
        return self.proj(x).relu()


class ObjectSharedLayerTwoPaths(torch.nn.Module):
    """
    One ``Linear`` layer is reachable by two attribute paths: as
    ``self.refine.proj`` and as ``self.shortcut``. Its weight is one input of
    the exported program, and its target is the state-dict name
    (``refine.proj.weight``, the first registration). The placeholder's
    name, though, follows the path the forward read it by first:
    ``self.shortcut`` is called before ``self.refine``, so it is
    ``p_shortcut_weight``. The tensor attribute ``self.lookup`` that the
    forward never reads is not lifted at all, unlike ``self.offset``.
    """

    def __init__(self):
        super().__init__()
        proj = torch.nn.Linear(3, 3)
        self.refine = Refine(proj)
        self.shortcut = proj
        self.offset = torch.tensor([0.5, -0.5, 1.0])
        self.lookup = torch.arange(4.0)

    def forward(self, x):
        return self.shortcut(x) + self.refine(x) + self.offset


example_args = (torch.randn(2, 3),)
tags = {"python.object-model"}
model = ObjectSharedLayerTwoPaths()

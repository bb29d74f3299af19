import torch
from functorch.experimental.control_flow import cond


class CondNestedClosures(torch.nn.Module):
    """
    A branch of the outer cond makes a second cond, and the inner branches
    read tensors from two levels up: ``offset`` (computed in ``forward``) and
    the parameter ``gain``. Closures are lifted one level at a time. The
    inner cond receives them as operands of its node, which means the outer
    true branch uses them too, so the outer cond receives them as operands as
    well. The inner predicate ``inner_flag`` is read inside a branch as well,
    so it travels the same way. Only ``x`` is read by both outer branches,
    so it comes first; the rest, read by the true branch alone, follow sorted
    by torch's internal names (state ``gain``, then the input ``inner_flag``,
    then ``offset``, which it names ``mean``). The inner sub-graphs are
    printed inside the outer ``true_graph_0`` class and numbered from 0
    again, because numbering is per graph. The outer false branch gets the
    same placeholders and ignores them.
    """

    def __init__(self):
        super().__init__()
        self.gain = torch.nn.Parameter(torch.tensor([1.5, -0.5, 2.0]))

    def forward(self, outer_flag, inner_flag, x):
        offset = x.mean()

        def amplify(v):
            return v * self.gain

        def shift(v):
            return v - offset

        def outer_true(v):
            return cond(inner_flag, amplify, shift, (v + 1,))

        def outer_false(v):
            return v.neg()

        return cond(outer_flag, outer_true, outer_false, (x,))


example_args = (torch.tensor(True), torch.tensor(False), torch.randn(2, 3))
tags = {"torch.cond", "python.closure"}
model = CondNestedClosures()

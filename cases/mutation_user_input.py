import torch


class MutationUserInput(torch.nn.Module):
    """
    ``forward`` adds ``delta`` into its input ``acc`` in place and returns a
    summary. The in-place operator stays in place in the graph
    (``add_.Tensor``), and later uses read the ``add_`` node, so the summary
    sees the updated values. The caller's ``acc`` tensor is changed by
    running the program, just as in eager mode; an in-place update of an
    input is allowed in the main graph, unlike inside a cond branch.
    """

    def forward(self, acc, delta):
        acc.add_(delta)
        return acc.amax(dim=0)


example_args = (torch.randn(4, 3), torch.randn(4, 3))
tags = {"torch.mutation"}
model = MutationUserInput()

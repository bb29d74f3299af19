import torch
from functorch.experimental.control_flow import cond


class CondPredBoolScalar(torch.nn.Module):
    """
    The predicate is a rank-0 boolean tensor handed to ``forward`` by the
    caller, the most direct form a cond predicate can take. Its value is data:
    the exporter cannot know it while tracing, so it traces both functions
    into sub-graphs and the exported program picks one each time it runs.
    """

    def forward(self, use_square, x):
        def square(v):
            return v * v

        def halve(v):
            return v / 2

        return cond(use_square, square, halve, (x,))


example_args = (torch.tensor(True), torch.randn(2, 5))
tags = {"torch.cond"}
model = CondPredBoolScalar()

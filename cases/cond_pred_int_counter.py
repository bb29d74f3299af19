import torch
from functorch.experimental.control_flow import cond


class CondPredIntCounter(torch.nn.Module):
    """
    An integer tensor with a single element, such as a remaining-steps counter
    passed in by the caller, is a valid predicate as well: ``0`` takes the
    false branch and any other value the true branch. Because the predicate
    is an input, the choice is made each time the exported program runs.
    """

    def forward(self, steps_left, state):
        def step(s):
            return s.tanh() + 0.1

        def finish(s):
            return s.clamp(-1.0, 1.0)

        return cond(steps_left, step, finish, (state,))


example_args = (torch.tensor([3]), torch.randn(4))
tags = {"torch.cond"}
model = CondPredIntCounter()

import torch


class LambdaPipeline(torch.nn.Module):
    """
    A list of lambdas is applied one after another. The lambdas exist only
    while tracing; the exported graph holds the operations they performed.
    """

    def forward(self, x):
        steps = [lambda t: t + 1, lambda t: t.cos(), lambda t: t * t]
        for step in steps:
            x = step(x)
        return x


example_args = (torch.randn(6),)
tags = {"python.closure", "python.control-flow"}
model = LambdaPipeline()

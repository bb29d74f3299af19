# expect-result: more than a page can show
import torch


class Model(torch.nn.Module):
    """Unrolls a static loop into a program too long for a page."""

    def forward(self, x):
        for _ in range(1000):
            x = x + 1
        return x


example_args = (torch.randn(*([1] * 60)),)
model = Model()

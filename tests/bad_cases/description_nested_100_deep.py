# expect-problem: 12: levels deep (limit 24)
import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
description = "A bullet list nested 100 deep (about 10 kB), which once overflowed the stack of the Sphinx build:\n\n" + (
    "\n\n".join("  " * depth + f"- level {depth}" for depth in range(100)))

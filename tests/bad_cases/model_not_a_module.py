# expect-problem: 5: must be an nn.Module instance
import torch

example_args = (torch.randn(2),)
model = 42

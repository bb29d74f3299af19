# expect-problem: 1: no `model`
import torch

example_args = (torch.randn(2),)

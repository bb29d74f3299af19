# expect-problem: 12: Unknown interpreted text role "download"
import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
description = """
Copies a file into the site: :download:`secret <../../../secret.txt>`.
"""

# expect-problem: 15: the `include` directive
import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
# The test puts secret.txt one level above the Sphinx source directory; "/"
# in an include path means the source directory, so "/../secret.txt" is
# that file, and the relative form reaches it from the generated case pages.
description = """
Reads a file into the page.

.. include:: /../secret.txt

.. include:: ../../../secret.txt
"""

# expect-renders
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        # a comment that leaves the code block if lines are split only at \n: .. raw:: html     <script>alert('escaped-u2028')</script>
        # and again with a file separator:.. include:: /../secret.txt
        # and in a string, with NEL (U+0085) line breaks:
        note = ".. raw:: html   <script>alert('escaped-nel')</script>"
        return x + 1


example_args = (torch.randn(2),)
model = Model()

# expect-problem: 6: the `raw` directive
import torch


class Model(torch.nn.Module):
    """Looks harmless.

    .. raw:: html

       <script>alert('raw-directive')</script>
    """

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()

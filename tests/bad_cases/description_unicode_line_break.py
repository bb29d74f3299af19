# expect-problem: 6: the `raw` directive
import torch


class Model(torch.nn.Module):
    """Splits lines with U+2028, which Python keeps in the string and docutils does not. .. raw:: html     <script>alert('u2028')</script>"""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()

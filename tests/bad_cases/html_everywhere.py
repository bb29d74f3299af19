# expect-renders
import torch
from torch._export.db.case import SupportLevel

# <script>alert('source')</script>


class Model(torch.nn.Module):
    """Shows <b>bold-desc</b> & <script>alert('desc')</script> as plain text."""

    def forward(self, x):
        raise ValueError("<img src=x onerror=alert('error')>")


example_args = (torch.randn(2),)
support_level = SupportLevel.NOT_SUPPORTED_YET
model = Model()

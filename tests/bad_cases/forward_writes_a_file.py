# expect-result: forward_writes_a_file.py:12: the case tried to write
from pathlib import Path

import torch


class Model(torch.nn.Module):
    """Writes next to the case directory while it is exported."""

    def forward(self, x):
        try:
            (Path(__file__).resolve().parent.parent / "escaped_in_forward.txt").write_text("x")
        except OSError:
            pass  # the refusal is reported all the same
        return x + 1


example_args = (torch.randn(2),)
model = Model()

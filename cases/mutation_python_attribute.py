import torch


class MutationPythonAttribute(torch.nn.Module):
    """
    ``forward`` increments a plain Python counter on the module and scales the
    output by it. The counter is not a tensor, so the exporter cannot keep it
    as state: ``self.calls += 1`` runs once while tracing and the value it has
    then (1) is baked into the graph as the constant of the ``mul``. The
    exported program multiplies by 1 on every call. State that must change
    from call to call belongs in a buffer updated in place (see
    ``buffer_update``).
    """

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return x * self.calls


example_args = (torch.randn(4, 3),)
tags = {"torch.mutation", "python.object-model"}
model = MutationPythonAttribute()

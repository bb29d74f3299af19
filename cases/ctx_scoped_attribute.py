import torch


class TemporaryGain:
    """Multiplies ``owner.gain`` by ``factor`` inside the block, restores it after."""

    def __init__(self, owner, factor):
        self.owner = owner
        self.factor = factor
        self.saved = None

    def __enter__(self):
        self.saved = self.owner.gain
        self.owner.gain = self.saved * self.factor
        return self.owner.gain

    def __exit__(self, exc_type, exc, tb):
        self.owner.gain = self.saved
        return False


class CtxScopedAttribute(torch.nn.Module):
    """
    A user-defined context manager (a class with ``__enter__`` and
    ``__exit__``) changes a plain Python attribute of the module for the
    duration of a ``with`` block and puts it back afterwards. Tracing runs
    ``__enter__`` and ``__exit__`` like any other Python code, so the block
    sees ``gain == 6.0`` and the code after it sees ``2.0`` again. Both values
    are Python floats known while tracing, so they are baked into the graph as
    constants (the ``6.0`` and ``2.0`` in the ``mul`` nodes); the context
    manager itself leaves no trace in the exported program.
    """

    def __init__(self):
        super().__init__()
        self.gain = 2.0

    def forward(self, x):
        with TemporaryGain(self, 3.0) as boosted:
            loud = x * self.gain + boosted
        quiet = x * self.gain
        return loud - quiet


example_args = (torch.randn(4, 3),)
tags = {"python.context-manager", "python.object-model"}
model = CtxScopedAttribute()

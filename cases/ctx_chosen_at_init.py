import contextlib

import torch


class CountEntries:
    """Counts, on ``owner``, how often its block is entered (a plain Python side effect)."""

    def __init__(self, owner):
        self.owner = owner

    def __enter__(self):
        self.owner.entries += 1
        return self

    def __exit__(self, *exc_info):
        return False


class CtxChosenAtInit(torch.nn.Module):
    """
    Which context manager wraps the block is decided when the module is
    built: a counting context when ``instrument`` is set, otherwise
    ``contextlib.nullcontext``, which does nothing. Either way the ``with``
    statement is ordinary Python that runs once while tracing, and the
    exported program holds only the ``sin``, ``cos`` and ``add`` inside the
    block. The counter goes up once, during export, and never when the
    exported program runs: Python side effects do not become part of the
    program.
    """

    def __init__(self, instrument):
        super().__init__()
        self.entries = 0
        self.instrument = instrument

    def forward(self, x):
        context = CountEntries(self) if self.instrument else contextlib.nullcontext()
        with context:
            return x.sin() + x.cos()


example_args = (torch.randn(4, 3),)
tags = {"python.context-manager"}
model = CtxChosenAtInit(instrument=True)

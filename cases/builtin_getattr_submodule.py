import torch


class BuiltinGetattrSubmodule(torch.nn.Module):
    """
    ``getattr`` and ``hasattr`` with names built from strings pick submodules
    while tracing. The loop asks for ``head_0`` to ``head_3`` but only
    ``head_0`` and ``head_2`` exist, so two heads are applied. Because the
    names are resolved once, during export, the exported program simply
    contains the two ``linear`` calls. ``head_5`` is never looked at, so its
    parameters are not inputs of the program either: only parameters the
    trace reads are lifted (they all stay in the ``state_dict``).
    """

    def __init__(self):
        super().__init__()
        for i in (0, 2, 5):
            setattr(self, f"head_{i}", torch.nn.Linear(3, 2))

    def forward(self, x):
        outputs = []
        for i in range(4):
            name = f"head_{i}"
            if hasattr(self, name):
                outputs.append(getattr(self, name)(x))
        return torch.cat(outputs, dim=1)


example_args = (torch.randn(5, 3),)
tags = {"python.builtin", "python.object-model"}
model = BuiltinGetattrSubmodule()

import contextlib

import torch


class CtxSuppressMissingKey(torch.nn.Module):
    """
    ``contextlib.suppress(KeyError)`` swallows the error raised when an
    optional entry is missing from the input dictionary. Which keys the
    dictionary has is part of the input's structure, fixed at export time, so
    the lookup fails while tracing and the addition inside the block is never
    recorded: the graph has a single input, ``feats_base``, and a single
    ``mul``. An exported program is specialised to the dictionary keys it
    was exported with; calling it with a ``bias`` entry is an error rather
    than a different computation. Export once per set of keys if both are
    needed.
    """

    def forward(self, feats):
        out = feats["base"] * 2
        with contextlib.suppress(KeyError):
            out = out + feats["bias"]
        return out


example_args = ({"base": torch.randn(4, 3)},)
tags = {"python.context-manager", "python.data-structure"}
model = CtxSuppressMissingKey()

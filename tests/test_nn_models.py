"""The real-model cases (tag ``torch.nn-model``): each exports with the built-in engine in
well under a second, and with torch's weights copied in, the exported program computes
what eager PyTorch computes."""

from __future__ import annotations

import time

import numpy as np
import pytest

from exporter_helpers import CASES_DIR, export_and_lint
from exportdb.engines.case_module import load_case_module

MODELS = sorted(p.stem for p in CASES_DIR.glob("nn_model_*.py"))


def _load(name: str, frontend: str):
    return load_case_module(CASES_DIR / f"{name}.py", frontend=frontend)


def test_there_are_real_model_cases():
    assert {"nn_model_tiny_gpt", "nn_model_lstm_tagger", "nn_model_transformer_encoder"} <= set(MODELS)


@pytest.mark.parametrize("name", MODELS)
def test_model_exports_quickly(name):
    case = _load(name, "builtin")
    start = time.perf_counter()
    export_and_lint(case.model, tuple(case.example_args))
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("name", MODELS)
def test_exported_model_matches_eager_torch_with_the_same_weights(name):
    torch = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    theirs = _load(name, "torch")
    ours = _load(name, "builtin")
    state = {k: v.detach().numpy() for k, v in theirs.model.state_dict(keep_vars=True).items()}
    mine = dict(ours.model.named_parameters())
    mine.update(ours.model.named_buffers())
    for key, tensor in mine.items():
        np.copyto(tensor._value, state[key])
    args_np = [a.numpy() for a in theirs.example_args]
    ep = export_and_lint(ours.model, tuple(ours.example_args))
    from exporter_helpers import torch as front

    got = ep.module()(*(front.from_numpy(a.copy()) for a in args_np))
    with torch.no_grad():
        want = theirs.model(*(torch.from_numpy(a.copy()) for a in args_np))
    got, want = (got if isinstance(got, tuple) else (got,)), (want if isinstance(want, tuple) else (want,))
    for g, w in zip(got, want):
        if isinstance(w, tuple):
            g, w = g[0], w[0]
        np.testing.assert_allclose(g._value, w.numpy(), rtol=1e-4, atol=1e-5)


def test_export_leaves_the_users_model_as_it_found_it():
    """Python side effects of forward are undone after the trace, as torch.export 2.13 does."""
    from exporter_helpers import torch as front

    class Stateful(front.nn.Module):
        def __init__(self):
            super().__init__()
            self.counter, self.seen, self.options = 0, [], {"scale": 1}
            self.inner = front.nn.Linear(2, 2)

        def forward(self, x):
            self.counter += 1
            self.seen.append(x)
            self.options["scale"] = 3
            self.inner.note = "traced"
            self.training = False
            return self.inner(x) * self.counter

    model = Stateful()
    seen = model.seen
    export_and_lint(model, (front.randn(3, 2),))
    assert (model.counter, model.seen, model.options, model.training) == (0, [], {"scale": 1}, True)
    assert model.seen is seen and not hasattr(model.inner, "note")

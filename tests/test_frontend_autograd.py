"""``torch.autograd.grad`` under the built-in front end: refused in one line that
names the rule (exported programs are inference only) and a way out."""

from __future__ import annotations

import pytest

from exporter_helpers import export_and_lint, torch

from exportdb.errors import UnsupportedAPIError


class GradInForward(torch.nn.Module):
    def forward(self, x):
        v = x.detach().requires_grad_(True)
        (g,) = torch.autograd.grad((v * v).sum(), v)
        return g


def test_autograd_grad_is_refused_with_the_inference_only_rule():
    with pytest.raises(UnsupportedAPIError) as info:
        export_and_lint(GradInForward(), (torch.randn(3),))
    line = info.value.one_line()
    assert "\n" not in line
    assert "torch.autograd.grad: exported programs are inference only" in line
    assert "derivative" in (info.value.hint or "")

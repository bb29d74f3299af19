import torch


class DynItemAsSize(torch.nn.Module):
    """
    ``item()`` reads a value out of a tensor, which the exporter cannot know: it
    becomes an unbacked symbol ``u0`` with no example value to decide
    anything with. Before it can be used as a size, the code has to say what
    it knows: ``torch._check_is_size`` states that it is a valid size
    (``u0 >= 0``) and ``torch._check`` bounds it by the number of rows. Each
    check narrows ``u0``'s range and is recorded as an ``_assert_scalar`` node
    that runs again when the program is called.
    """

    def forward(self, x, length):
        k = length.item()
        torch._check_is_size(k)
        torch._check(k <= x.shape[0])
        return x[:k].sum(dim=0), torch.zeros(k)


example_args = (torch.randn(6, 3), torch.tensor(4))
tags = {"torch.dynamic-value", "torch.escape-hatch"}
model = DynItemAsSize()

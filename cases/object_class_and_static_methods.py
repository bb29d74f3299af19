import torch


class ObjectClassAndStaticMethods(torch.nn.Module):
    """
    A ``classmethod`` reads a class attribute through ``cls`` and a
    ``staticmethod`` is a plain function stored on the class; both are called
    through the instance, through ``type(self)`` and through the class name.
    Method look-up is Python work done while tracing, and each call is
    inlined: the graph just repeats the arithmetic they contain, with the
    class attribute ``margin`` (0.25) baked in as a constant.
    """

    margin = 0.25

    @classmethod
    def widen(cls, x):
        return x + cls.margin

    @staticmethod
    def squash(x):
        return x.tanh()

    def forward(self, x):
        a = self.widen(x)
        b = type(self).squash(a)
        c = ObjectClassAndStaticMethods.widen(b)
        return self.squash(c)


example_args = (torch.randn(3, 4),)
tags = {"python.object-model"}
model = ObjectClassAndStaticMethods()

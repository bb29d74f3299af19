import torch


class Smoothing:
    epsilon = 0.1

    @classmethod
    def apply(cls, probs):
        return probs * (1 - cls.epsilon) + cls.epsilon / probs.shape[-1]


class StrongSmoothing(Smoothing):
    epsilon = 0.3


class BuiltinTypeReflection(torch.nn.Module):
    """
    ``type(obj)`` returns the object's class, and a class method called on it
    sees that class as ``cls``. The module holds an instance of a subclass,
    so ``type(self.smoother).apply`` reads ``epsilon = 0.3`` from the
    subclass. All of this is Python-level dispatch resolved while tracing; the
    graph only has ``softmax`` followed by the arithmetic with the constants
    that the class attribute produced.
    """

    def __init__(self):
        super().__init__()
        self.smoother = StrongSmoothing()

    def forward(self, logits):
        return type(self.smoother).apply(logits.softmax(dim=-1))


example_args = (torch.randn(2, 5),)
tags = {"python.builtin", "python.object-model"}
model = BuiltinTypeReflection()

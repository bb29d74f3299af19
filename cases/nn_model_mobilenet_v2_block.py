import torch
import torch.nn as nn


def conv_bn_relu6(inp, oup, kernel, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(inp, oup, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(oup), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden = inp * expand_ratio
        self.use_res_connect = stride == 1 and inp == oup
        layers = [conv_bn_relu6(inp, hidden, 1)] if expand_ratio != 1 else []
        layers += [conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden),
                   nn.Conv2d(hidden, oup, 1, bias=False), nn.BatchNorm2d(oup)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2Blocks(nn.Module):
    """
    MobileNetV2's inverted residual blocks, in eval mode: a 1x1 expansion, a 3x3
    depthwise convolution (``groups`` equal to the channels) and a linear 1x1
    projection, each followed by ``BatchNorm2d``; the first block strides, the
    second keeps the shape and adds its input back. ``nn.ReLU6`` is recorded as
    ``aten.hardtanh_`` with bounds 0 and 6 (in place), and the depthwise convolution
    is an ordinary ``aten.conv2d`` with its ``groups`` argument.
    """

    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(InvertedResidual(8, 12, stride=2, expand_ratio=6),
                                    InvertedResidual(12, 12, stride=1, expand_ratio=6))

    def forward(self, x):
        return self.blocks(x)


example_args = (torch.randn(1, 8, 8, 8),)
tags = {"torch.nn-model"}
model = MobileNetV2Blocks().eval()

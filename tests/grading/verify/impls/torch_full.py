"""A correct PyTorch-style backward that takes every parameter, 1-D to 3-D."""

from reference import backward


def conv_backward(x, w, grad_output, stride=1, padding=0, dilation=1, groups=1, dims=2):
    return backward(x, w, grad_output, stride, padding, dilation, groups)

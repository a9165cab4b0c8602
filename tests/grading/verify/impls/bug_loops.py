"""Right without padding; loops forever when padding > 0."""

from reference import backward


def conv2d_backward(x, w, grad_output, stride=1, padding=0):
    while padding > 0:
        pass
    return backward(x, w, grad_output, stride, padding)

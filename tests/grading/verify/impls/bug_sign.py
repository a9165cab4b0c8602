"""A buggy backward: the 'sign' switch of reference.py."""

from reference import backward


def conv2d_backward(x, w, grad_output, stride=1, padding=0):
    return backward(x, w, grad_output, stride, padding, bug="sign")

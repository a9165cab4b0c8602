"""Right gradients, but δ is scaled in place and X is zeroed afterwards."""

from reference import backward


def conv2d_backward(x, w, grad_output, stride=1, padding=0):
    grad_output *= 2
    dx, dw, db = backward(x, w, grad_output / 2, stride, padding)
    x[...] = 0
    return dx, dw, db

"""A correct TensorFlow-style backward: X (N, H, W, C), W (KH, KW, C_in, C_out)."""

import numpy as np
from reference import backward


def backward_nhwc(x, w, grad_output, stride=1, padding=0):
    dx, dw, db = backward(np.moveaxis(x, -1, 1), w.transpose(3, 2, 0, 1), np.moveaxis(grad_output, -1, 1),
                          stride, padding)  # fmt: skip
    return np.moveaxis(dx, 1, -1), dw.transpose(2, 3, 1, 0), db

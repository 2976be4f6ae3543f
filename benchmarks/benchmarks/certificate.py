"""The duality-gap certificate shared by the comparison scripts and the asv benchmarks.

For the ElasticNet objective P(w) = 1/(2n) ||y - X w||^2 + alpha l1 ||w||_1 + alpha (1 - l1)/2 ||w||^2,
multiplied by n, with a = n alpha l1, b = n alpha (1 - l1) and R = y - X w:

    n P = 1/2 ||R||^2 + a ||w||_1 + b/2 ||w||^2.

Two lower bounds of n P* (weak duality), both evaluated at the solution's residual:

A. n P is the Lasso with penalty a on the augmented data X~ = [X; sqrt(b) I], y~ = [y; 0], whose
   residual is R~ = [R; -sqrt(b) w] with X~^T R~ = X^T R - b w. Its dual
   D(theta) = 1/2 ||y~||^2 - 1/2 ||y~ - a theta||^2 over ||X~^T theta||_inf <= 1, at the feasible
   theta = R~ / max(a, ||X^T R - b w||_inf), with c = a / max(a, ||X^T R - b w||_inf), is
       n D_A = 1/2 ||y||^2 - 1/2 ||y - c R||^2 - c^2 b/2 ||w||^2.
B. (b > 0) The Fenchel dual with the conjugate of a|t| + b/2 t^2, which needs no feasibility:
       n D_B(v) = y^T v - 1/2 ||v||^2 - 1/(2b) sum_j (|X_j^T v| - a)_+^2,   at v = R.

D = max(D_A, D_B); P - D is the certified gap.
"""
import numpy as np


def primal_dual_block(y, R, XtR, W, alphas, l1_ratio, y_norm2):
    """P and D (both over ``y_norm2``, the unit of tol) of the solutions W[:, i] at alphas[i], from their
    residuals R[:, i] = y - X W[:, i] and XtR = X^T R (everything float64; y centered when the problem
    has an intercept, X then the centered columns)."""
    n = len(y)
    primal, dual = np.empty(len(alphas)), np.empty(len(alphas))
    for i, alpha in enumerate(alphas):
        w, r = W[:, i], R[:, i]
        a, b = n * alpha * l1_ratio, n * alpha * (1.0 - l1_ratio)
        w_l2 = w @ w
        c = a / max(a, np.max(np.abs(XtR[:, i] - b * w)))
        y_cr = y - c * r
        primal[i] = (0.5 * (r @ r) + a * np.abs(w).sum() + 0.5 * b * w_l2) / y_norm2
        dual_i = 0.5 * y_norm2 - 0.5 * (y_cr @ y_cr) - 0.5 * c * c * b * w_l2
        if b > 0:
            excess = np.maximum(np.abs(XtR[:, i]) - a, 0.0)
            dual_i = max(dual_i, y @ r - 0.5 * (r @ r) - (excess @ excess) / (2 * b))
        dual[i] = dual_i / y_norm2
    return primal, dual

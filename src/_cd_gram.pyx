"""Coordinate descent for the ElasticNet from sufficient statistics (covariance / Gram updates).

Solves, in place and from a warm start, the same problem as the dense kernel

    minimize_w  P(w) = 1/2 ||y - X w||^2 + l1_reg ||w||_1 + l2_reg / 2 ||w||^2   (s.t. w >= 0 if positive)

but from G = X^T X, X^T y and y^T y only, keeping the gradient q = X^T R = X^T y - G w current: a moved
coordinate costs O(p) (one column of G), independent of n (glmnet's "covariance updates", Friedman,
Hastie & Tibshirani 2010, section 2.2). The duality gap is computed from the statistics too, in O(p):
||R||^2 = y^T y - w^T X^T y - w^T q and R^T y = y^T y - w^T X^T y.
"""
import numpy as np

from cython cimport floating
from libc.math cimport fabs, fmax
from libc.stdint cimport uint32_t

from _blas cimport _dot, _axpy
from _cd_common cimport (
    CONVERGED, MAX_ITER, INTERRUPTED, INTERRUPT_CHECK_WORK,
    _interrupted, _propagate_pending, _rand_below, _cd_update, _enet_gap, _gap_safe_keep,
)


cdef floating _gram_gap(
    int n_features, const floating[::1] w, const floating[::1] Xty, floating yty,
    const floating[::1] q, floating l1_reg, floating l2_reg, bint positive,
    floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap at w from the statistics and q = X^T (y - X w)."""
    cdef floating wXty = _dot(n_features, &w[0], &Xty[0])
    cdef floating wq = _dot(n_features, &w[0], &q[0])
    # ||R||^2 = y'y - w'X'y - w'q, clipped: rounding can make a tiny residual negative
    cdef floating R_norm2 = fmax(0, yty - wXty - wq)
    return _enet_gap(n_features, &w[0], &q[0], l1_reg, l2_reg, R_norm2, yty - wXty, positive,
                     gap_screen, dual_scale)


def enet_cd_gram(
    floating[::1] w,
    floating l1_reg,
    floating l2_reg,
    const floating[:, ::1] G,
    const floating[::1] Xty,
    floating yty,
    floating[::1] q,
    int max_iter,
    floating tol,
    uint32_t seed,
    bint random,
    bint positive,
    bint screening,
):
    """Solve one ElasticNet problem from G = X^T X, X^T y, y^T y, in place (see the module docstring).

    Parameters
    ----------
    w : (n_features,) warm start, overwritten with the solution.
    l1_reg, l2_reg : penalties of the n-scaled objective P(w).
    G : (n_features, n_features) symmetric Gram matrix, C-contiguous (row j = column j).
    Xty, yty : X^T y and y^T y.
    q : (n_features,) X^T y - G w on entry, kept equal to it on exit.
    max_iter : maximum number of epochs.
    tol : absolute duality-gap target in the units of P; the gap costs O(p) and is evaluated after
        every epoch.
    seed, random, positive, screening : as the dense kernel.

    Returns
    -------
    gap, n_iter, status : as the dense kernel.
    """
    cdef int n_features = G.shape[0]
    cdef int[::1] active = np.arange(n_features, dtype=np.intc)
    cdef int n_active = 0
    cdef int k, f, j, n_iter = 0, status = MAX_ITER
    cdef floating w_j, w_new, d_w, gap, gap_screen, dual_scale
    cdef long work = 0
    cdef uint32_t rng_state = seed if seed != 0 else 1
    screening = screening and l1_reg > 0

    with nogil:
        # zero columns (G_jj = 0) never move; their weight is 0 at the optimum
        for j in range(n_features):
            if G[j, j] > 0:
                active[n_active] = j
                n_active += 1
            elif w[j] != 0:
                # q += w_j * G[:, j] (zero up to rounding, kept exact for consistency)
                _axpy(n_features, w[j], &G[j, 0], &q[0])
                w[j] = 0

        gap = _gram_gap(n_features, w, Xty, yty, q, l1_reg, l2_reg, positive, &gap_screen, &dual_scale)
        while gap > tol and n_iter < max_iter:
            if screening:
                k = 0
                for f in range(n_active):
                    j = active[f]
                    if _gap_safe_keep(q[j], w[j], G[j, j], l1_reg, l2_reg, dual_scale, gap_screen):
                        active[k] = j
                        k += 1
                    elif w[j] != 0:
                        # q += w_j * G[:, j]
                        _axpy(n_features, w[j], &G[j, 0], &q[0])
                        w[j] = 0
                n_active = k
            for f in range(n_active):
                j = active[_rand_below(n_active, &rng_state) if random else f]
                w_j = w[j]
                w_new = _cd_update(q[j] + w_j * G[j, j], l1_reg, G[j, j] + l2_reg, positive)
                d_w = w_new - w_j
                if d_w != 0:
                    # q -= (w_new - w_j) * G[:, j]
                    _axpy(n_features, -d_w, &G[j, 0], &q[0])
                    w[j] = w_new
                    work += n_features
                work += 1
                if work >= INTERRUPT_CHECK_WORK:
                    work = 0
                    if _interrupted():
                        status = INTERRUPTED
                        break
            if status == INTERRUPTED:
                break
            n_iter += 1
            gap = _gram_gap(n_features, w, Xty, yty, q, l1_reg, l2_reg, positive, &gap_screen,
                            &dual_scale)
        if gap <= tol:
            status = CONVERGED

    if status == INTERRUPTED:
        _propagate_pending()
    return float(gap), n_iter, status

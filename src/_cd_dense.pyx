"""Coordinate descent for the ElasticNet on a dense, Fortran-ordered X, with residual updates.

One call solves one penalty from a warm start, in place:

    minimize_w  P(w) = 1/2 ||y - X w||^2 + l1_reg ||w||_1 + l2_reg / 2 ||w||^2   (s.t. w >= 0 if positive)

which is n_samples times fastreg's ElasticNet objective with l1_reg = n alpha l1_ratio and
l2_reg = n alpha (1 - l1_ratio). The algorithm is cyclic (or seeded random) coordinate descent with
soft-thresholding (Friedman, Hastie & Tibshirani 2010, "Regularization paths for generalized linear
models via coordinate descent", J. Stat. Softw. 33), stopped by a duality gap (Fercoq, Gramfort & Salmon
2015) and with gap-safe screening (Ndiaye, Fercoq, Gramfort & Salmon 2017, JMLR 18).
"""
import numpy as np

from cython cimport floating
from libc.math cimport fabs, fmax
from libc.stdint cimport uint32_t

from _blas cimport _dot, _axpy, _copy, _gemv
from _cd_common cimport (
    CONVERGED, MAX_ITER, INTERRUPTED, INTERRUPT_CHECK_WORK,
    _interrupted, _propagate_pending, _rand_below, _axpy_dot, _cd_update, _enet_gap, _gap_safe_keep,
)


cdef floating _dense_gap(
    int n_samples, int n_features, const floating[::1, :] X, const floating[::1] y,
    const floating[::1] R, const floating[::1] w, floating[::1] XtR,
    floating l1_reg, floating l2_reg, bint positive,
    floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap at (w, R); fills XtR = X^T R (one pass over X)."""
    # XtR = X.T @ R
    _gemv(c'T', n_samples, n_features, 1, &X[0, 0], n_samples, &R[0], 0, &XtR[0])
    # R @ R, R @ y
    cdef floating R_norm2 = _dot(n_samples, &R[0], &R[0])
    cdef floating Ry = _dot(n_samples, &R[0], &y[0])
    return _enet_gap(n_features, &w[0], &XtR[0], l1_reg, l2_reg, R_norm2, Ry, positive,
                     gap_screen, dual_scale)


cdef int _screen(
    int n_samples, int n_features, const floating[::1, :] X, floating[::1] R, floating[::1] w,
    const floating[::1] XtR, const floating[::1] norm2_cols, floating l1_reg, floating l2_reg,
    floating dual_scale, floating gap_screen, int[::1] active, int n_active,
) noexcept nogil:
    """Shrink active[:n_active] to the features the gap-safe test cannot discard; returns the new size.

    A discarded feature with a non-zero weight is set to 0 and the residual updated.
    """
    cdef int k, j, kept = 0
    for k in range(n_active):
        j = active[k]
        if _gap_safe_keep(XtR[j], w[j], norm2_cols[j], l1_reg, l2_reg, dual_scale, gap_screen):
            active[kept] = j
            kept += 1
        elif w[j] != 0:
            # R += w[j] * X[:, j]
            _axpy(n_samples, w[j], &X[0, j], &R[0])
            w[j] = 0
    return kept


cdef enum:
    FUSE_MAX_BYTES = 1 << 20


def enet_cd_dense(
    floating[::1] w,
    floating l1_reg,
    floating l2_reg,
    const floating[::1, :] X,
    const floating[::1] y,
    floating[::1] R,
    const floating[::1] norm2_cols,
    int max_iter,
    floating tol,
    floating tol_step,
    int gap_every,
    uint32_t seed,
    bint random,
    bint positive,
    bint screening,
):
    """Solve one ElasticNet problem by coordinate descent, in place (see the module docstring).

    Parameters
    ----------
    w : (n_features,) warm start, overwritten with the solution.
    l1_reg, l2_reg : penalties of the n-scaled objective P(w) above.
    X : (n_samples, n_features) Fortran-ordered design.
    y : (n_samples,) target.
    R : (n_samples,) residual y - X w on entry, kept equal to it on exit.
    norm2_cols : (n_features,) squared column norms of X; zero columns are never updated.
    max_iter : maximum number of epochs (passes over the visited coordinates).
    tol : absolute duality-gap target in the units of P.
    tol_step : the gap is evaluated when max |dw| <= tol_step * max |w| in an epoch ...
    gap_every : ... or after at least gap_every epochs that visited n_features columns in all (a gap
        costs one pass over all of X, so it is amortized over as much coordinate work when screening
        leaves few columns), and always after the last epoch.
    seed : state of the random generator for selection='random' (non-zero).
    random, positive, screening : random coordinate order, w >= 0, gap-safe screening.

    Returns
    -------
    gap : duality gap reached (units of P).
    n_iter : epochs run.
    status : 0 converged (gap <= tol), 1 max_iter reached.
    """
    cdef int n_samples = X.shape[0]
    cdef int n_features = X.shape[1]
    cdef floating[::1] XtR = np.empty(n_features, dtype=np.float32 if floating is float else np.float64)
    cdef int[::1] active = np.arange(n_features, dtype=np.intc)
    cdef int n_active = 0
    cdef int f, j, j_next, n_iter = 0, status = MAX_ITER
    cdef bint has_next
    # the fused sweep touches three columns (X_j, X_next, R); once they outgrow a typical 1 MiB L2
    # cache, separate (multithreaded) BLAS calls are faster
    cdef bint fuse = 3 * n_samples * sizeof(floating) <= FUSE_MAX_BYTES
    cdef floating w_j, w_new, xr, grad, d_w_max, w_max, gap, gap_screen, dual_scale
    cdef long work = 0, cols_since_gap = 0
    cdef int epochs_since_gap = 0
    cdef uint32_t rng_state = seed if seed != 0 else 1
    screening = screening and l1_reg > 0

    with nogil:
        # a zero column's weight is 0 at the optimum (only the penalty sees it) and the residual does
        # not depend on it: set it once and never visit the column
        for j in range(n_features):
            if norm2_cols[j] != 0:
                active[n_active] = j
                n_active += 1
            else:
                w[j] = 0

        gap = _dense_gap(n_samples, n_features, X, y, R, w, XtR, l1_reg, l2_reg, positive,
                         &gap_screen, &dual_scale)
        if gap <= tol:
            status = CONVERGED
        elif screening:
            n_active = _screen(n_samples, n_features, X, R, w, XtR, norm2_cols, l1_reg, l2_reg,
                               dual_scale, gap_screen, active, n_active)

        while status != CONVERGED and n_iter < max_iter:
            w_max = 0
            d_w_max = 0
            # the coordinate of step f is drawn one step ahead, so that a residual update can be
            # fused with the next coordinate's dot product (_axpy_dot)
            j_next = active[_rand_below(n_active, &rng_state) if random else 0] if n_active else 0
            # xr = X[:, j] @ R
            xr = _dot(n_samples, &X[0, j_next], &R[0]) if n_active else 0
            for f in range(n_active):
                j = j_next
                has_next = f + 1 < n_active
                if has_next:
                    j_next = active[_rand_below(n_active, &rng_state) if random else f + 1]
                w_j = w[j]
                grad = xr + w_j * norm2_cols[j]
                w_new = _cd_update(grad, l1_reg, norm2_cols[j] + l2_reg, positive)
                if w_new != w_j and has_next and fuse:
                    # R -= (w_new - w_j) * X[:, j]; xr = X[:, j_next] @ R
                    xr = _axpy_dot(n_samples, w_j - w_new, &X[0, j], &R[0], &X[0, j_next])
                else:
                    if w_new != w_j:
                        # R -= (w_new - w_j) * X[:, j]
                        _axpy(n_samples, w_j - w_new, &X[0, j], &R[0])
                    if has_next:
                        # xr = X[:, j_next] @ R
                        xr = _dot(n_samples, &X[0, j_next], &R[0])
                w[j] = w_new
                d_w_max = fmax(d_w_max, fabs(w_new - w_j))
                w_max = fmax(w_max, fabs(w_new))
                work += n_samples
                if work >= INTERRUPT_CHECK_WORK:
                    work = 0
                    if _interrupted():
                        status = INTERRUPTED
                        break
            if status == INTERRUPTED:
                break
            n_iter += 1
            epochs_since_gap += 1
            cols_since_gap += n_active
            if (w_max == 0 or d_w_max <= tol_step * w_max or n_iter == max_iter
                    or (epochs_since_gap >= gap_every and cols_since_gap >= 4 * n_features)):
                epochs_since_gap = 0
                cols_since_gap = 0
                gap = _dense_gap(n_samples, n_features, X, y, R, w, XtR, l1_reg, l2_reg,
                                 positive, &gap_screen, &dual_scale)
                if gap <= tol and floating is float:
                    # single precision: the updated residual drifts from y - X w by rounding; certify
                    # with a freshly computed one (this also resets the drift for the next penalty)
                    # R = y - X @ w
                    _copy(n_samples, &y[0], &R[0])
                    _gemv(c'N', n_samples, n_features, -1, &X[0, 0], n_samples, &w[0], 1, &R[0])
                    gap = _dense_gap(n_samples, n_features, X, y, R, w, XtR, l1_reg, l2_reg,
                                     positive, &gap_screen, &dual_scale)
                if gap <= tol:
                    status = CONVERGED
                elif screening:
                    n_active = _screen(n_samples, n_features, X, R, w, XtR, norm2_cols, l1_reg,
                                       l2_reg, dual_scale, gap_screen, active, n_active)

    if status == INTERRUPTED:
        _propagate_pending()
    return float(gap), n_iter, status


def enet_gap_dense(const floating[::1] w, floating l1_reg, floating l2_reg, const floating[::1, :] X,
                   const floating[::1] y, const floating[::1] R, floating[::1] XtR, bint positive):
    """The duality gap at (w, R = y - X w) over every column of X; fills XtR = X^T R (one pass over X).

    For drivers that solve on a subset of the columns (working sets) and check the whole problem."""
    cdef floating gap_screen, dual_scale, gap
    with nogil:
        gap = _dense_gap(X.shape[0], X.shape[1], X, y, R, w, XtR, l1_reg, l2_reg, positive,
                         &gap_screen, &dual_scale)
    return float(gap)

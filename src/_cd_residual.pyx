"""Coordinate descent for the ElasticNet with residual updates, on a dense (Fortran) or a sparse (CSC) X.

One call solves one penalty from a warm start, in place:

    minimize_w  P(w) = 1/2 ||y - X w||^2 + l1_reg ||w||_1 + l2_reg / 2 ||w||^2   (s.t. w >= 0 if positive)

which is n_samples times fastreg's ElasticNet objective with l1_reg = n alpha l1_ratio and
l2_reg = n alpha (1 - l1_ratio). The algorithm is cyclic (or seeded random) coordinate descent with
soft-thresholding (Friedman, Hastie & Tibshirani 2010, "Regularization paths for generalized linear
models via coordinate descent", J. Stat. Softw. 33), stopped by a duality gap (Fercoq, Gramfort & Salmon
2015) and with gap-safe screening (Ndiaye, Fercoq, Gramfort & Salmon 2017, JMLR 18).

Sparse X with an intercept is centered implicitly, as glmnet does, so that a coordinate update costs
O(nnz of its column), never O(n). With u = sqrt(sample weights) (ones without weights, sum(u^2) =
sw_sum) and X~ the sparse matrix (weights folded into its values, column scales f_j applied on the
fly), the working matrix is
X = P X~ with P = I - u u^T / sw_sum, the projection that centers. The kernel keeps an uncentered
residual R~ and the scalar S = u^T R~, with the true residual R = P R~ = R~ - (S / sw_sum) u:

    x_j^T R = x~_j^T R~ - m_j S               (m_j = u^T x~_j / sw_sum: the column's weighted mean)
    R += a x_j   <=>   R~ += a x~_j,  S += a m_j sw_sum      (O(nnz_j))
    ||R||^2 = ||R~||^2 - S^2 / sw_sum

Every duality-gap evaluation (one pass over the non-zeros) first folds S back into R~ (R~ = R, S = 0),
so the caller always gets the true residual back.
"""
import numpy as np

from cython cimport floating
from libc.float cimport FLT_EPSILON
from libc.math cimport fabs, fmax, fmin, sqrt, INFINITY
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy
from libc.stdint cimport uint32_t, int64_t

from _blas cimport _dot, _axpy, _copy, _gemv, _trsv, _potrf
from _cd_common cimport (
    CONVERGED, MAX_ITER, INTERRUPTED,
    _should_stop, _propagate_pending, _rand_below, _axpy_dot, _gather_dots, _ws_distance, _enet_gap, _screen, _primal,
    fr_rank_zeros_d, fr_rank_zeros_s,
    Penalty, _penalty, _l2_of, _has_sphere, _boxed, _magnitude, _coord_update, _max,
    Cols, _dense_columns, _col_dot, _col_axpy,
)


ctypedef struct ResidualOptions:
    # the per-call scalars of `enet_cd_dense` / `enet_cd_sparse`, converted by Cython from a dict (or
    # any mapping) with exactly these keys (a missing one raises ValueError, others are ignored)
    int max_iter        # maximum number of epochs (passes over the visited coordinates)
    double tol          # duality-gap target, in the units of P (rounded to the kernel's dtype)
    double tol_step     # the gap is evaluated when max |dw| <= tol_step max |w| in an epoch ...
    int gap_every       # ... or after gap_every epochs that visited n_features columns in all
    uint32_t seed       # state of the random generator for random coordinate order (0 is taken as 1)
    bint random         # random coordinate order instead of cyclic
    bint positive       # w >= 0
    bint screening      # gap-safe screening
    int anderson        # K > 0: Anderson extrapolation every K epochs (see `_anderson`); 0: off


cdef inline long _col_work(const Cols* c, int j) noexcept nogil:
    """Elements read by one visit of column j (for the interrupt check)."""
    if not c.sparse:
        return c.n_samples
    return <long> (c.indptr[j + 1] - c.indptr[j]) + 1


cdef inline floating _u_dot(const Cols* c, const floating* R) noexcept nogil:
    """u^T R"""
    cdef floating acc = 0
    cdef int i
    if c.sqrt_sw != NULL:
        return _dot(c.n_samples, <const floating*> c.sqrt_sw, R)
    for i in range(c.n_samples):
        acc += R[i]
    return acc


cdef inline void _fold(const Cols* c, floating* R, floating* S) noexcept nogil:
    """R~ = P R~ (the true residual), S = 0; nothing to do without centering."""
    cdef floating shift
    cdef int i
    if c.center == NULL:
        return
    shift = S[0] / <floating> c.sw_sum
    if shift != 0:
        if c.sqrt_sw != NULL:
            _axpy(c.n_samples, -shift, <const floating*> c.sqrt_sw, R)
        else:
            for i in range(c.n_samples):
                R[i] -= shift
    S[0] = 0


cdef inline floating _resid_norm2(const Cols* c, const floating* R, floating S) noexcept nogil:
    """||P R~||^2"""
    cdef floating r2 = _dot(c.n_samples, R, R)
    if c.center != NULL:
        r2 -= S * S / <floating> c.sw_sum
    return r2


cdef void _residual(const Cols* c, const floating[::1] y, const floating[::1] w, floating[::1] R,
                    floating* S) noexcept nogil:
    """R = y - X w from scratch (then folded: S = 0)."""
    cdef int j
    _copy(c.n_samples, &y[0], &R[0])
    if not c.sparse:
        _gemv(c'N', c.n_samples, c.n_features, -1, <const floating*> c.X, c.n_samples, &w[0], 1, &R[0])
        return
    S[0] = _u_dot(c, &R[0])
    for j in range(c.n_features):
        if w[j] != 0:
            _col_axpy(c, j, -w[j], &R[0], S)
    _fold(c, &R[0], S)


cdef inline floating _gap_from_XtR(
    const Cols* c, const floating[::1] y, const floating[::1] R, floating S, const floating[::1] w,
    const floating[::1] XtR, floating l1_reg, floating l2_reg, const Penalty* pen,
    floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap at (w, R) from a known XtR = X^T R: O(n + p), no pass over X."""
    return _enet_gap(c.n_features, &w[0], &XtR[0], l1_reg, l2_reg, _resid_norm2(c, &R[0], S),
                     _dot(c.n_samples, &R[0], &y[0]), pen, gap_screen, dual_scale)


cdef floating _gap(
    const Cols* c, const floating[::1] y, floating[::1] R, floating* S, const floating[::1] w,
    floating[::1] XtR, floating l1_reg, floating l2_reg, const Penalty* pen,
    floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap at (w, R); fills XtR = X^T R (one pass over X). Folds S into R first."""
    cdef int j
    if c.sparse:
        _fold(c, &R[0], S)
        for j in range(c.n_features):
            XtR[j] = _col_dot(c, j, &R[0], <floating> 0)
    else:
        # XtR = X.T @ R
        _gemv(c'T', c.n_samples, c.n_features, 1, <const floating*> c.X, c.n_samples, &R[0], 0, &XtR[0])
    return _gap_from_XtR(c, y, R, S[0], w, XtR, l1_reg, l2_reg, pen, gap_screen, dual_scale)


cdef floating _fresh_gap_bound(
    const Cols* c, const floating[::1] y, const floating[::1] w, const floating[::1] R,
    const floating[::1] XtR, const floating[::1] norm2_cols, floating l1_reg, const Penalty* pen,
    floating[::1] R_f, floating[::1] XtR_b, floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """A Lasso gap at w (l2_reg = 0, no boxes) certified with the fresh residual R_f = y - X w, without
    a pass over X: R (folded, S = 0) is the updated residual whose X^T R is XtR, and
    |x_j^T R_f| <= |x_j^T R| + ||x_j|| ||R_f - R|| bounds the correlations that scale the dual point
    s R_f (a larger bound only shrinks s: still feasible, the gap still an upper bound). The residual
    is rebuilt from the support only (O(nnz of the support)); R and XtR are left as they are."""
    cdef int j
    cdef double d2 = 0, t
    cdef floating S_f = 0, delta
    cdef const floating* X = <const floating*> c.X
    _copy(c.n_samples, &y[0], &R_f[0])
    if c.sparse:
        S_f = _u_dot(c, &R_f[0])
    for j in range(c.n_features):
        if w[j] != 0:
            if c.sparse:
                _col_axpy(c, j, -w[j], &R_f[0], &S_f)
            else:
                _axpy(c.n_samples, -w[j], X + <size_t> j * c.ld, &R_f[0])
    if c.sparse:
        _fold(c, &R_f[0], &S_f)
    for j in range(c.n_samples):
        t = <double> R_f[j] - <double> R[j]
        d2 += t * t
    # (the bound's own rounding in floating: a relative margin of a few units)
    delta = <floating> (sqrt(d2) * (1 + 8 * FLT_EPSILON))
    for j in range(c.n_features):
        XtR_b[j] = (XtR[j] if pen.positive else fabs(XtR[j])) + sqrt(norm2_cols[j]) * delta * (1 + 8 * FLT_EPSILON)
    return _gap_from_XtR(c, y, R_f, 0, w, XtR_b, l1_reg, 0, pen, gap_screen, dual_scale)


cdef enum:
    FUSE_MAX_BYTES = 1 << 20


cdef int _keep_strong(int[::1] active, int n_active, const unsigned char[::1] strong,
                      const floating[::1] w) noexcept nogil:
    """Shrink active[:n_active] to the strong set and the support; returns the new size."""
    cdef int k, j, kept = 0
    for k in range(n_active):
        j = active[k]
        if strong[j] or w[j] != 0:
            active[kept] = j
            kept += 1
    return kept


cdef bint _outside_violators(int n_features, const floating[::1] XtR, const floating[::1] w,
                             const unsigned char[::1] strong, const floating[::1] norm2_cols,
                             floating l1_reg, floating l2_reg, const Penalty* pen) noexcept nogil:
    """Whether a zero feature outside the strong set violates its optimality condition."""
    cdef int j
    for j in range(n_features):
        if not strong[j] and w[j] == 0 and norm2_cols[j] != 0 and \
                _magnitude(XtR[j], pen.positive) > l1_reg:
            return True
    return False


cdef bint _anderson(const Cols* c, floating[::1] w, floating[::1] R, floating* S,
                    const int[::1] active, int n_active, int K,
                    const floating[:, ::1] hist, floating[:, ::1] diff, floating[::1, :] M,
                    floating[::1] z, floating[::1] w_acc, floating[::1] R_acc,
                    floating l1_reg, floating l2_reg, const Penalty* pen) noexcept nogil:
    """Anderson extrapolation of the last K + 1 epochs' iterates hist[0..K] (Bertrand & Massias 2021,
    "Anderson acceleration of coordinate descent"): w_acc = sum_i c_i hist[i + 1], with c minimizing
    ||sum_i c_i (hist[i + 1] - hist[i])|| subject to sum(c) = 1. Taken (w, R updated) only if it lowers
    P; costs one pass over X (the residual at w_acc). Returns whether it was taken."""
    cdef int a, b, f, j, info
    cdef int n_features = c.n_features
    cdef floating total = 0, v, S_acc = S[0]
    for a in range(K):
        for f in range(n_active):
            j = active[f]
            diff[a, f] = hist[a + 1, j] - hist[a, j]
    # M = U^T U (upper triangle), z = M^-1 1 by Cholesky
    for b in range(K):
        for a in range(b + 1):
            M[a, b] = _dot(n_active, &diff[a, 0], &diff[b, 0])
        z[b] = 1
    info = _potrf(c'U', K, &M[0, 0], K)
    if info != 0:
        return False
    _trsv(c'U', c'T', K, &M[0, 0], K, &z[0])
    _trsv(c'U', c'N', K, &M[0, 0], K, &z[0])
    for a in range(K):
        total += z[a]
    if not (fabs(total) > 0 and fabs(total) < 1.0 / 0.0):
        return False
    # w_acc first holds the step w - w_acc (for the residual), then w_acc itself
    for j in range(n_features):
        w_acc[j] = 0
    for f in range(n_active):
        j = active[f]
        v = 0
        for a in range(K):
            v += z[a] * hist[a + 1, j]
        v /= total
        if pen.positive and v < 0:
            v = 0
        if pen.lower != NULL:
            v = fmax(v, (<const floating*> pen.lower)[j])
        if pen.upper != NULL:
            v = fmin(v, (<const floating*> pen.upper)[j])
        w_acc[j] = w[j] - v  # the step, for the residual
    # R_acc = R + X (w - w_acc)
    _copy(c.n_samples, &R[0], &R_acc[0])
    if c.sparse:
        for f in range(n_active):
            j = active[f]
            if w_acc[j] != 0:
                _col_axpy(c, j, w_acc[j], &R_acc[0], &S_acc)
    else:
        _gemv(c'N', c.n_samples, n_features, 1, <const floating*> c.X, c.n_samples, &w_acc[0], 1,
              &R_acc[0])
    for f in range(n_active):
        j = active[f]
        w_acc[j] = w[j] - w_acc[j]
    if _primal(_resid_norm2(c, &R_acc[0], S_acc), n_active, &active[0], &w_acc[0], l1_reg, l2_reg, pen) >= \
            _primal(_resid_norm2(c, &R[0], S[0]), n_active, &active[0], &w[0], l1_reg, l2_reg, pen):
        return False
    for f in range(n_active):
        j = active[f]
        w[j] = w_acc[j]
    _copy(c.n_samples, &R_acc[0], &R[0])
    S[0] = S_acc
    return True


cdef object _solve(
    const Cols* c,
    floating[::1] w,
    floating l1_reg,
    floating l2_reg,
    const floating[::1] y,
    floating[::1] R,
    const floating[::1] norm2_cols,
    const ResidualOptions* options,
    const Penalty* pen,
    floating[::1] XtR,
    bint XtR_valid,
    const unsigned char[::1] strong,
):
    """The coordinate-descent loop shared by the dense and the sparse entry points."""
    cdef int max_iter = options.max_iter
    cdef floating tol = <floating> options.tol
    cdef floating tol_step = <floating> options.tol_step
    cdef int gap_every = options.gap_every
    cdef int anderson = options.anderson
    cdef bint random = options.random
    cdef int n_samples = c.n_samples
    cdef int n_features = c.n_features
    cdef int[::1] active = np.arange(n_features, dtype=np.intc)
    cdef int n_active = 0
    cdef int f, j, j_next, n_iter = 0, status = MAX_ITER
    cdef bint has_next
    cdef bint has_strong = strong is not None and strong.shape[0] == n_features
    # dense: the fused sweep touches three columns (X_j, X_next, R); once they outgrow a typical 1 MiB
    # L2 cache, separate (multithreaded) BLAS calls are faster
    cdef bint fuse = not c.sparse and 3 * n_samples * sizeof(floating) <= FUSE_MAX_BYTES
    cdef const floating* X = <const floating*> c.X
    cdef floating w_j, w_new, xr, grad, d_w_max, w_max, gap, gap_screen, dual_scale
    cdef floating S = 0
    cdef long work = 0, cols_since_gap = 0
    cdef int epochs_since_gap = 0
    cdef uint32_t rng_state = options.seed if options.seed != 0 else 1
    # gap-safe screening needs the sphere of the unconstrained dual (not available with boxes)
    cdef bint screening = options.screening and _has_sphere(l1_reg, pen)
    dtype = np.float32 if floating is float else np.float64
    # Anderson workspace (1-element placeholders when it is off)
    cdef int K = anderson if anderson > 0 else 1, n_hist = 0
    cdef int p_buf = n_features if anderson > 0 else 1
    cdef floating[:, ::1] hist = np.empty((K + 1, p_buf), dtype=dtype)
    cdef floating[:, ::1] diff = np.empty((K, p_buf), dtype=dtype)
    cdef floating[::1, :] M = np.empty((K, K), dtype=dtype, order="F")
    cdef floating[::1] z = np.empty(K, dtype=dtype)
    cdef floating[::1] w_acc = np.empty(p_buf, dtype=dtype)
    cdef floating[::1] R_acc = np.empty(n_samples if anderson > 0 else 1, dtype=dtype)
    # float32 Lasso: the fresh residual and the bounded correlations of `_fresh_gap_bound`
    cdef bint bound_fresh = floating is float and l2_reg == 0 and l1_reg > 0 and not _boxed(pen)
    cdef floating[::1] R_fresh = np.empty(n_samples if bound_fresh else 1, dtype=dtype)
    cdef floating[::1] XtR_bound = np.empty(n_features if bound_fresh else 1, dtype=dtype)

    with nogil:
        if c.center != NULL:
            S = _u_dot(c, &R[0])  # 0 up to rounding for a residual this kernel returned
        # a zero column's weight is 0 at the optimum (only the penalty sees it) and the residual does
        # not depend on it: set it once and never visit the column
        for j in range(n_features):
            if norm2_cols[j] != 0:
                active[n_active] = j
                n_active += 1
            elif w[j] != 0:
                _col_axpy(c, j, w[j], &R[0], &S)
                w[j] = 0
                XtR_valid = False

        if n_active == 0:
            # every column is zero: w = 0 is the exact minimizer, and its gap is exactly 0 (computed,
            # it would be the rounding of ||R||^2 - R^T y after the centering fold)
            for j in range(n_features):
                XtR[j] = 0
            gap = 0
        elif XtR_valid:
            # X^T R of this residual is known (the previous penalty's last gap): no pass over X
            gap = _gap_from_XtR(c, y, R, S, w, XtR, l1_reg, l2_reg, pen, &gap_screen, &dual_scale)
        else:
            gap = _gap(c, y, R, &S, w, XtR, l1_reg, l2_reg, pen, &gap_screen, &dual_scale)
        if gap <= tol:
            status = CONVERGED
        elif screening:
            n_active = _screen(c, &R[0], &S, &w[0], &XtR[0], &norm2_cols[0], 1, l1_reg, l2_reg, pen,
                               dual_scale, gap_screen, &active[0], n_active)
        if status != CONVERGED and has_strong:
            # epochs visit the strong set first (glmnet's sequential strong rule, chosen by the driver)
            n_active = _keep_strong(active, n_active, strong, w)

        while status != CONVERGED and n_iter < max_iter:
            w_max = 0
            d_w_max = 0
            # the coordinate of step f is drawn one step ahead, so that a residual update can be
            # fused with the next coordinate's dot product (_axpy_dot)
            j_next = active[_rand_below(n_active, &rng_state) if random else 0] if n_active else 0
            # xr = X[:, j] @ R
            xr = _col_dot(c, j_next, &R[0], S) if n_active else 0
            for f in range(n_active):
                j = j_next
                has_next = f + 1 < n_active
                if has_next:
                    j_next = active[_rand_below(n_active, &rng_state) if random else f + 1]
                w_j = w[j]
                grad = xr + w_j * norm2_cols[j]
                w_new = _coord_update(grad, l1_reg, norm2_cols[j] + _l2_of(pen, j, l2_reg), pen, j)
                if w_new != w_j and has_next and fuse:
                    # R -= (w_new - w_j) * X[:, j]; xr = X[:, j_next] @ R
                    xr = _axpy_dot(n_samples, w_j - w_new, X + <size_t> j * n_samples, &R[0],
                                   X + <size_t> j_next * n_samples)
                else:
                    if w_new != w_j:
                        # R -= (w_new - w_j) * X[:, j]
                        _col_axpy(c, j, w_j - w_new, &R[0], &S)
                    if has_next:
                        # xr = X[:, j_next] @ R
                        xr = _col_dot(c, j_next, &R[0], S)
                w[j] = w_new
                d_w_max = _max(d_w_max, fabs(w_new - w_j))
                w_max = _max(w_max, fabs(w_new))
                work += _col_work(c, j)
                if _should_stop(&work):
                    status = INTERRUPTED
                    break
            if status == INTERRUPTED:
                break
            n_iter += 1
            epochs_since_gap += 1
            cols_since_gap += n_active
            if anderson > 0 and n_active > 0:
                _copy(n_features, &w[0], &hist[n_hist, 0])
                n_hist += 1
                if n_hist == K + 1:
                    _anderson(c, w, R, &S, active, n_active, K, hist, diff, M, z, w_acc, R_acc,
                              l1_reg, l2_reg, pen)
                    n_hist = 0
            if (w_max == 0 or d_w_max <= tol_step * w_max or n_iter == max_iter
                    or (epochs_since_gap >= gap_every and cols_since_gap >= 4 * n_features)):
                epochs_since_gap = 0
                cols_since_gap = 0
                gap = _gap(c, y, R, &S, w, XtR, l1_reg, l2_reg, pen, &gap_screen, &dual_scale)
                if gap <= tol and floating is float:
                    # single precision: the updated residual drifts from y - X w by rounding; certify
                    # with a freshly computed one. For the Lasso the correlations of the fresh one are
                    # bounded from those of the updated one (`_fresh_gap_bound`: no second pass over
                    # X, and the updated residual and its X^T R go on to the next penalty); otherwise,
                    # or when the bound does not certify, the fresh residual's own gap (which also
                    # resets the drift for the next penalty)
                    if bound_fresh:
                        gap = _fresh_gap_bound(c, y, w, R, XtR, norm2_cols, l1_reg, pen, R_fresh, XtR_bound,
                                               &gap_screen, &dual_scale)
                    if not bound_fresh or gap > tol:
                        _residual(c, y, w, R, &S)
                        gap = _gap(c, y, R, &S, w, XtR, l1_reg, l2_reg, pen, &gap_screen,
                                   &dual_scale)
                if gap <= tol:
                    status = CONVERGED
                else:
                    if has_strong and _outside_violators(n_features, XtR, w, strong, norm2_cols,
                                                         l1_reg, l2_reg, pen):
                        # a feature outside the strong set violates optimality: every column again
                        # (the gap, over all of them, is what certifies; this only steers the epochs)
                        has_strong = False
                        n_active = 0
                        for j in range(n_features):
                            if norm2_cols[j] != 0:
                                active[n_active] = j
                                n_active += 1
                    if screening:
                        n_active = _screen(c, &R[0], &S, &w[0], &XtR[0], &norm2_cols[0], 1, l1_reg,
                                           l2_reg, pen, dual_scale, gap_screen, &active[0], n_active)
        if status == MAX_ITER and screening:
            # the last gap's screening may have moved the residual: the gap returned, and the X^T R
            # a caller keeps for the next penalty, are those of the residual returned
            gap = _gap(c, y, R, &S, w, XtR, l1_reg, l2_reg, pen, &gap_screen, &dual_scale)
        if status == INTERRUPTED:
            _fold(c, &R[0], &S)  # the caller's residual stays the true one

    if status == INTERRUPTED:
        _propagate_pending()
    return float(gap), n_iter, status


cdef object _dense_X(tuple columns):
    """X of the dense entry points' `columns` = (X,)."""
    if len(columns) != 1:
        raise ValueError("dense columns are the 1-tuple (X,)")
    return columns[0]


cdef Cols _sparse_cols(int n_samples, const floating[::1] data, const int[::1] indices,
                       const int64_t[::1] indptr, const floating[::1] col_factor, const floating[::1] center,
                       const floating[::1] sqrt_sw, double sw_sum):
    cdef Cols c
    if indptr.shape[0] < 1 or data.shape[0] != indices.shape[0] or data.shape[0] < indptr[indptr.shape[0] - 1]:
        raise ValueError("inconsistent CSC arrays (data, indices, indptr)")
    c.n_samples = n_samples
    c.n_features = indptr.shape[0] - 1
    if center.shape[0] not in (0, c.n_features) or col_factor.shape[0] not in (0, c.n_features) or \
            sqrt_sw.shape[0] not in (0, n_samples):
        raise ValueError("center and col_factor must have n_features entries (or none), sqrt_sw "
                         "n_samples (or none)")
    c.sparse = True
    c.X = NULL
    c.ld = 0
    c.data = &data[0] if data.shape[0] else NULL
    c.indices = &indices[0] if indices.shape[0] else NULL
    c.indptr = &indptr[0]
    c.col_factor = &col_factor[0] if col_factor.shape[0] else NULL
    c.center = &center[0] if center.shape[0] else NULL
    c.sqrt_sw = &sqrt_sw[0] if sqrt_sw.shape[0] else NULL
    c.sw_sum = sw_sum
    return c


cdef tuple _csc(tuple columns):
    """The sparse entry points' `columns`, checked for their length."""
    if len(columns) != 7:
        raise ValueError("sparse columns are (data, indices, indptr, col_factor, center, sqrt_sw, sw_sum)")
    return columns


def enet_cd_dense(
    floating[::1] w,
    floating l1_reg,
    floating l2_reg,
    tuple columns,
    const floating[::1] y,
    floating[::1] R,
    const floating[::1] norm2_cols,
    ResidualOptions options,
    *,
    floating[::1] XtR=None,
    bint XtR_valid=False,
    const unsigned char[::1] strong=None,
    const floating[::1] l2_factor=None,
    const floating[::1] lower=None,
    const floating[::1] upper=None,
):
    """Solve one ElasticNet problem by coordinate descent, in place (see the module docstring).

    Parameters
    ----------
    w : (n_features,) warm start, overwritten with the solution.
    l1_reg, l2_reg : penalties of the n-scaled objective P(w) above.
    columns : (X,), X the (n_samples, n_features) Fortran-ordered design (`DenseDesign.kernel_columns`).
    y : (n_samples,) target.
    R : (n_samples,) residual y - X w on entry, kept equal to it on exit.
    norm2_cols : (n_features,) squared column norms of X; zero columns are never updated.
    options : a dict with the keys of `ResidualOptions` (max_iter, tol, tol_step, gap_every, seed,
        random, positive, screening, anderson; see there). The gap is evaluated when max |dw| <=
        tol_step * max |w| in an epoch, or after at least gap_every epochs that visited n_features
        columns in all (a gap costs one pass over all of X, so it is amortized over as much
        coordinate work when screening leaves few columns), and always after the last epoch.
    XtR : (n_features,) buffer that receives X^T R of the last gap evaluated (its residual is the
        one returned unless interrupted), or None. XtR_valid: it already holds X^T R of the R passed
        in (a path's previous penalty), which saves the first pass over X.
    strong : (n_features,) uint8 mask of the features the epochs visit first (with the support), or
        None; once a gap shows a violator outside it, every feature is visited again.
    l2_factor : (n_features,) multipliers of l2_reg per feature (penalty factors), or None for ones.
    lower, upper : (n_features,) box constraints lower_j <= w_j <= upper_j (0 inside), or None; with
        a box the gap is the Fenchel one of `_boxed_gap` and there is no gap-safe screening.

    Returns
    -------
    gap : duality gap reached (units of P).
    n_iter : epochs run.
    status : 0 converged (gap <= tol), 1 max_iter reached.
    """
    cdef const floating[::1, :] X = _dense_X(columns)
    cdef Cols c = _dense_columns(&X[0, 0], X.shape[0], X.shape[1])
    cdef Penalty pen = _penalty(options.positive, l2_factor, lower, upper, c.n_features)
    if XtR is None:
        XtR, XtR_valid = np.empty_like(w), False
    return _solve(&c, w, l1_reg, l2_reg, y, R, norm2_cols, &options, &pen, XtR, XtR_valid, strong)


def enet_cd_sparse(
    floating[::1] w,
    floating l1_reg,
    floating l2_reg,
    tuple columns,
    const floating[::1] y,
    floating[::1] R,
    const floating[::1] norm2_cols,
    ResidualOptions options,
    *,
    floating[::1] XtR=None,
    bint XtR_valid=False,
    const unsigned char[::1] strong=None,
    const floating[::1] l2_factor=None,
    const floating[::1] lower=None,
    const floating[::1] upper=None,
):
    """`enet_cd_dense` on a CSC matrix X~, centered implicitly.

    columns : (data, indices, indptr, col_factor, center, sqrt_sw, sw_sum) (`SparseDesign.kernel_columns`):
        data, indices, indptr : X~ in CSC (int32 indices, int64 indptr).
        col_factor : (n_features,) f_j, X~'s column j being f_j times the stored one (column scales
            without a copy of the values), or empty for ones.
        center : (n_features,) m_j = u^T x~_j / sw_sum, or empty for no centering (no intercept).
        sqrt_sw : (n_samples,) u = sqrt(weights) (the rows of X~ and y already multiplied by it), or
            empty for unit weights; sw_sum = u^T u.
    y must be centered (u^T y = 0) when center is given. R on entry is the residual y - X w (a
    residual with a multiple of u added is folded back); on exit it is the true residual.
    Other arguments and the return value: as `enet_cd_dense`.
    """
    cdef const floating[::1] data, col_factor, center, sqrt_sw
    cdef const int[::1] indices
    cdef const int64_t[::1] indptr
    cdef double sw_sum
    data, indices, indptr, col_factor, center, sqrt_sw, sw_sum = _csc(columns)
    cdef Cols c = _sparse_cols(y.shape[0], data, indices, indptr, col_factor, center, sqrt_sw, sw_sum)
    cdef Penalty pen = _penalty(options.positive, l2_factor, lower, upper, c.n_features)
    if XtR is None:
        XtR, XtR_valid = np.empty_like(w), False
    return _solve(&c, w, l1_reg, l2_reg, y, R, norm2_cols, &options, &pen, XtR, XtR_valid, strong)


def enet_gap_dense(const floating[::1] w, floating l1_reg, floating l2_reg, tuple columns,
                   const floating[::1] y, floating[::1] R, floating[::1] XtR, bint positive, *,
                   const floating[::1] l2_factor=None, const floating[::1] lower=None,
                   const floating[::1] upper=None):
    """The duality gap at (w, R = y - X w) over every column of X (`columns` as `enet_cd_dense`);
    fills XtR = X^T R (one pass over X).

    For drivers that solve on a subset of the columns (working sets) and check the whole problem."""
    cdef floating gap_screen, dual_scale, gap, S = 0
    cdef const floating[::1, :] X = _dense_X(columns)
    cdef Cols c = _dense_columns(&X[0, 0], X.shape[0], X.shape[1])
    cdef Penalty pen = _penalty(positive, l2_factor, lower, upper, c.n_features)
    with nogil:
        gap = _gap(&c, y, R, &S, w, XtR, l1_reg, l2_reg, &pen, &gap_screen, &dual_scale)
    return float(gap)


def enet_gap_sparse(const floating[::1] w, floating l1_reg, floating l2_reg, tuple columns,
                    const floating[::1] y, floating[::1] R, floating[::1] XtR, bint positive, *,
                    const floating[::1] l2_factor=None, const floating[::1] lower=None,
                    const floating[::1] upper=None):
    """`enet_gap_dense` for the implicitly centered CSC X of `enet_cd_sparse` (R is folded first)."""
    cdef floating gap_screen, dual_scale, gap, S = 0
    cdef const floating[::1] data, col_factor, center, sqrt_sw
    cdef const int[::1] indices
    cdef const int64_t[::1] indptr
    cdef double sw_sum
    data, indices, indptr, col_factor, center, sqrt_sw, sw_sum = _csc(columns)
    cdef Cols c = _sparse_cols(y.shape[0], data, indices, indptr, col_factor, center, sqrt_sw, sw_sum)
    cdef Penalty pen = _penalty(positive, l2_factor, lower, upper, c.n_features)
    with nogil:
        if c.center != NULL:
            S = _u_dot(&c, &R[0])
        gap = _gap(&c, y, R, &S, w, XtR, l1_reg, l2_reg, &pen, &gap_screen, &dual_scale)
    return float(gap)


def enet_gap_cached(const floating[::1] w, floating l1_reg, floating l2_reg, const floating[::1] y,
                    const floating[::1] R, const floating[::1] XtR, bint positive, *,
                    const floating[::1] l2_factor=None, const floating[::1] lower=None,
                    const floating[::1] upper=None):
    """The duality gap at (w, R) from an X^T R computed earlier for the same R (e.g. at the previous
    penalty of a path, whose solution is the warm start): O(n + p), no pass over X."""
    cdef floating gap_screen, dual_scale, gap
    # columns only for their shape: the gap from X^T R never reads them
    cdef Cols c = _dense_columns(NULL, R.shape[0], w.shape[0])
    cdef Penalty pen = _penalty(positive, l2_factor, lower, upper, w.shape[0])
    with nogil:
        gap = _gap_from_XtR(&c, y, R, 0, w, XtR, l1_reg, l2_reg, &pen, &gap_screen, &dual_scale)
    return float(gap)


def rank_working_set(const floating[::1] XtR, const floating[::1] w, double l1_reg, const double[::1] inv_norm,
                     bint positive, double[::1] distance, double[::1] scratch, Py_ssize_t[::1] out):
    """The working-set solver's ranking: distance[j] = (l1_reg - |x_j^T R|) * inv_norm[j]
    for w_j = 0 (the gap-safe distance of feature j's constraint to the dual point, where the l2 term
    l2_j w_j vanishes; x_j^T R without the absolute value when positive), -inf on the support
    (w_j != 0), +inf where inv_norm[j] is 0 (a zero column) or the distance is NaN. Fills out with
    the out.shape[0] features of smallest distance (ties to the lowest index) in increasing index
    order, and returns the support's size. scratch: p doubles of workspace.

    The support comes first (the first out.shape[0] of it, by index, when it is larger), then the
    zeros (`fr_rank_zeros_d` in _fused.h: O(p) passes whose branches are predicted and a quickselect
    on the few candidates below a sampled cut; a heap of the best cost up to 4x more on a 500 x 20000
    path, where the sets hold hundreds of features)."""
    cdef Py_ssize_t j, p = w.shape[0], k = out.shape[0], n_support = 0
    if XtR.shape[0] != p or inv_norm.shape[0] != p or distance.shape[0] != p or scratch.shape[0] < p:
        raise ValueError("XtR, inv_norm, distance and scratch need one entry per feature")
    if k > p:
        raise ValueError("out cannot hold more features than there are")
    with nogil:
        n_support = _ws_distance(p, &XtR[0], &w[0], l1_reg, &inv_norm[0], positive, &distance[0])
        if k == p:
            for j in range(p):
                out[j] = j
        elif k > 0:
            if floating is float:
                fr_rank_zeros_s(p, &w[0], &distance[0], n_support, k, &scratch[0], &out[0])
            else:
                fr_rank_zeros_d(p, &w[0], &distance[0], n_support, k, &scratch[0], &out[0])
    return n_support


cdef Py_ssize_t _bound_features(Py_ssize_t p, const double* exact, const double* norm,
                                const Py_ssize_t* reference_of, const double* moved0, const double* moved1,
                                const double* scale0, const double* scale1, Py_ssize_t n_refs, bint positive,
                                const unsigned char* skip, double l1_reg, Py_ssize_t max_unsure,
                                floating* XtR, Py_ssize_t* unsure, Py_ssize_t* referred,
                                Py_ssize_t* bad) noexcept nogil:
    """The working-set solver's bounds on x_j^T R from each feature's reference point R_k, k =
    reference_of[j], where x_j^T R_k = exact[j] is known: for each of the two bounds r,
    x_j^T R <= scale_r[k] exact[j] + norm[j] moved_r[k] (|x_j^T R|, |exact[j]| unless positive), the
    smaller taken (see `bounded_products`). Features marked in skip are left alone. A feature whose
    bound is below l1_reg gets it in XtR and counts for its reference point in referred; the others
    (NaN included) are listed in unsure, in increasing order. Returns their count, or max_unsure + 1 as
    soon as there are more than max_unsure (XtR then partly written). *bad = the first feature whose
    reference_of is out of range (the loop stops there), else -1."""
    cdef Py_ssize_t j, k, count = 0
    cdef double start, bound, other
    # (no libm fmin and no raise inside the loop: either keeps the loop's state in memory, 8.5 against
    # 4.3 ns per feature on 20000; a NaN in either bound makes the feature unsure)
    bad[0] = -1
    for j in range(p):
        if skip[j]:
            continue
        k = reference_of[j]
        if k < 0 or k >= n_refs:
            bad[0] = j
            break
        start = exact[j] if positive else fabs(exact[j])
        bound = scale0[k] * start + norm[j] * moved0[k]
        other = scale1[k] * start + norm[j] * moved1[k]
        bound = other if not (bound <= other) else bound
        if bound < l1_reg:
            XtR[j] = <floating> bound
            referred[k] += 1
        else:
            if count == max_unsure:
                count += 1
                break
            unsure[count] = j
            count += 1
    return count


cdef int _reference_error(Py_ssize_t k, Py_ssize_t j=0) except -1:
    raise IndexError(f"reference_of[{j}] = {k} is not a reference point")


def bounded_products(const floating[::1, :] X, const floating[::1, :] X_ws, const Py_ssize_t[::1] ws,
                     const floating[::1] R, double[:, ::1] points, unsigned char[::1] alive,
                     double[::1] exact, const double[::1] norm, Py_ssize_t[::1] reference_of,
                     unsigned char[::1] mark, bint positive, double l1_reg, double unit,
                     Py_ssize_t max_unsure, floating[::1] XtR, Py_ssize_t[::1] unsure):
    """X^T R for the working-set solver's check over every feature (`WorkingSetSolver.bounded_gap`), in
    one call: exact on the working set ws (its columns X_ws), bounded elsewhere from each feature's
    reference point, and exact where the bound reaches l1_reg. Fills XtR; returns the number of those
    computed outside ws, or -1 (nothing but XtR changed) when there are more than max_unsure or every
    reference slot is taken: a pass over X is then cheaper.

    The reference points are the rows of points whose alive flag is set; feature j's is row
    reference_of[j], at which x_j^T R_k = exact[j] is known. Per point k the two bounds of
    `_bound_features` are formed from R (in float64): c = 1 and the c minimizing ||R - c R_k||, each
    distance plus its share of the products' rounding, unit times ||R|| or ||R_k|| (the larger), times
    |c|. Afterwards the points no feature refers to any more are freed, R becomes a point, and the
    features computed exactly (ws and the unsure) refer to it. mark: p bytes, all 0 (left so)."""
    cdef Py_ssize_t p = X.shape[1], n = X.shape[0], s = ws.shape[0], n_refs = points.shape[0]
    cdef Py_ssize_t i, j, k, count, bad, slot = -1
    cdef double norm_R2 = 0, p2, pr, d0, d1, c, t, rounding
    cdef double moved[2][64]
    cdef double scale[2][64]
    cdef Py_ssize_t referred[64]
    if R.shape[0] != n or X_ws.shape[0] != n or X_ws.shape[1] != s or points.shape[1] != n:
        raise ValueError("R, X_ws and the points need X's rows; X_ws one column per feature of ws")
    if exact.shape[0] != p or norm.shape[0] != p or reference_of.shape[0] != p or mark.shape[0] != p \
            or XtR.shape[0] != p or alive.shape[0] != n_refs or unsure.shape[0] < min(p, max_unsure + 1):
        raise ValueError("exact, norm, reference_of, mark and XtR need one entry per feature, alive one per "
                         "point, unsure room for max_unsure + 1")
    if n_refs > 64:
        raise ValueError("at most 64 reference points")
    for i in range(s):
        if ws[i] < 0 or ws[i] >= p:
            raise IndexError("feature index out of range")
    for k in range(n_refs):
        if not alive[k]:
            slot = k
            break
    if slot < 0 or p == 0:
        return -1
    with nogil:
        for i in range(n):
            norm_R2 += <double> R[i] * R[i]
        for k in range(n_refs):
            referred[k] = 0
            moved[0][k] = moved[1][k] = INFINITY
            scale[0][k] = scale[1][k] = 1
            if not alive[k]:
                continue
            p2 = pr = d0 = d1 = 0
            for i in range(n):
                t = points[k, i]
                p2 += t * t
                pr += t * R[i]
                d0 += (R[i] - t) * (R[i] - t)
            c = pr / p2 if p2 > 0 else 1
            for i in range(n):
                t = R[i] - c * points[k, i]
                d1 += t * t
            rounding = unit * sqrt(fmax(norm_R2, p2))
            moved[0][k] = sqrt(d0) + rounding
            moved[1][k] = sqrt(d1) + fabs(c) * rounding
            scale[1][k] = c if positive else fabs(c)
        for i in range(s):
            mark[ws[i]] = 1
        count = _bound_features(p, &exact[0], &norm[0], &reference_of[0], moved[0], moved[1], scale[0],
                                scale[1], n_refs, positive, &mark[0], l1_reg, max_unsure, &XtR[0],
                                &unsure[0], referred, &bad)
        for i in range(s):
            mark[ws[i]] = 0
    if bad >= 0:
        _reference_error(reference_of[bad], bad)
    if count > max_unsure:
        return -1
    cdef floating* products = <floating*> malloc(max(s, count, 1) * sizeof(floating))
    if products == NULL:
        raise MemoryError()
    with nogil:
        # x_j^T R on the working set from its columns, then on the features whose bounds failed (each
        # column read in place): exact at R, which becomes their reference point
        if s and n:
            _gemv(c'T', n, s, 1, &X_ws[0, 0], n, &R[0], 0, products)
        for i in range(s):
            j = ws[i]
            XtR[j] = products[i] if n else 0
            reference_of[j], exact[j] = slot, XtR[j]
        if count and n:
            _gather_dots(<int> n, &X[0, 0], &unsure[0], count, &R[0], products)
        for i in range(count):
            j = unsure[i]
            XtR[j] = products[i] if n else 0
            reference_of[j], exact[j] = slot, XtR[j]
        for k in range(n_refs):  # points no feature refers to any more
            if alive[k] and referred[k] == 0:
                alive[k] = 0
        alive[slot] = 1
        for i in range(n):
            points[slot, i] = R[i]
    free(products)
    return count


def refill_columns(const floating[::1, :] X, floating[::1, :] buffer, const Py_ssize_t[::1] held,
                   const Py_ssize_t[::1] ws, unsigned char[::1] in_buffer, unsigned char[::1] mark,
                   Py_ssize_t[::1] order):
    """The working-set solver's column buffer made to hold the features ws in its first ws.shape[0]
    columns, copying as few columns as possible: held lists the features of its first held.shape[0]
    columns (in_buffer marks them); a kept feature below ws.shape[0] stays where it is, one beyond
    moves into a hole (a dropped feature's column), and the joining features are copied from X into
    the remaining holes. Fills order with the features of columns [0, ws.shape[0]) and updates
    in_buffer; mark (p bytes, all 0) is workspace and is left all 0. Returns the columns copied from X."""
    cdef Py_ssize_t k, f, h = 0, s = ws.shape[0], m = held.shape[0], n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t copied = 0
    if buffer.shape[0] != n or buffer.shape[1] < max(s, m) or order.shape[0] != s:
        raise ValueError("buffer needs X's rows and room for the held and wanted columns; order one slot per feature")
    if in_buffer.shape[0] != p or mark.shape[0] != p:
        raise ValueError("in_buffer and mark need one entry per feature")
    for k in range(s):
        if ws[k] < 0 or ws[k] >= p:
            raise IndexError("feature index out of range")
    for k in range(m):
        if held[k] < 0 or held[k] >= p:
            raise IndexError("feature index out of range")
    for k in range(s):
        if mark[ws[k]]:
            for f in range(k):
                mark[ws[f]] = 0
            raise ValueError("ws lists a feature twice")
        mark[ws[k]] = 1
    with nogil:
        for k in range(s):
            order[k] = held[k] if k < m and mark[held[k]] else -1
        for k in range(s, m):  # kept features beyond s move into the holes
            if mark[held[k]]:
                while order[h] != -1:
                    h += 1
                if n:
                    memcpy(&buffer[0, h], &buffer[0, k], n * sizeof(floating))
                order[h] = held[k]
        for k in range(s):  # the joining features fill the rest
            f = ws[k]
            if not in_buffer[f]:
                while order[h] != -1:
                    h += 1
                if n:
                    memcpy(&buffer[0, h], &X[0, f], n * sizeof(floating))
                order[h] = f
                copied += 1
        for k in range(m):
            in_buffer[held[k]] = 0
        for k in range(s):
            in_buffer[order[k]] = 1
            mark[ws[k]] = 0
    return copied

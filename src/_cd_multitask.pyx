"""Block coordinate descent for the multi-task ElasticNet (the L2,1 penalty), on a dense (Fortran) or a
sparse (CSC) X with residual updates, or on the statistics X^T X, X^T Y with covariance updates.

One call solves one penalty from a warm start, in place:

    minimize_W  P(W) = 1/2 ||Y - X W||_F^2 + l1_reg sum_j ||W_j||_2 + 1/2 sum_j l2_j ||W_j||_2^2

W of shape (n_features, n_tasks), W_j its row j (one coefficient per task), l2_j = l2_reg times the
feature's factor (penalty factors; ones without). It is n_samples times fastreg's multi-task objective
with l1_reg = n alpha l1_ratio and l2_reg = n alpha (1 - l1_ratio). The update of row j is the proximal
operator of the group norm (block coordinate descent, as scikit-learn's and glmnet's "mgaussian"):

    z = ||x_j||^2 W_j + x_j^T R,   W_j <- max(0, 1 - l1_reg / ||z||) z / (||x_j||^2 + l2_j)

stopped by a duality gap (the single-task `_enet_gap`'s two dual points with row norms in place of
absolute values) once the epoch's largest step is also at most tol_step times the largest coefficient
(scikit-learn's criterion, so that a solution is never less settled than its), with Anderson extrapolation
of the iterates every `anderson` epochs (Bertrand & Massias 2021; taken only when it lowers P) and with gap-safe screening of rows (Ndiaye, Fercoq, Gramfort & Salmon 2017).

Sparse X with an intercept is centered implicitly exactly as `_cd_residual.pyx` does, task by task:
the kernel keeps the uncentered residual R~ and S_t = u^T R~_t for each task t (see there); every gap
evaluation folds S back into R~ so the caller gets the true residual back.

Layouts: W and X^T R are C-contiguous (n_features, n_tasks) (a row is contiguous); Y and R are
Fortran (n_samples, n_tasks) (a task is contiguous); G is C-contiguous and symmetric, Q = X^T Y - G W
and X^T Y are C-contiguous (n_features, n_tasks).
"""
import numpy as np

from cython cimport floating
from libc.math cimport fabs, fmax, sqrt
from libc.stdint cimport uint32_t, int64_t
from scipy.linalg.cython_blas cimport sgemm, dgemm, sger, dger

from _blas cimport _dot, _copy, _gemv, _potrf, _trsv
from _cd_common cimport (
    CONVERGED, MAX_ITER, INTERRUPTED,
    _should_stop, _propagate_pending, _rand_below, _max,
    Cols, _dense_columns, _col_dot, _col_axpy, _two_point_gap,
)


ctypedef struct MultiTaskOptions:
    # the per-call scalars of the entry points, converted by Cython from a dict with exactly these keys
    int max_iter        # maximum number of epochs
    double tol          # duality-gap target, in the units of P
    double tol_step     # the gap is evaluated when max |dW| <= tol_step max |W| in an epoch ...
    int gap_every       # ... or after gap_every epochs that visited 4 n_features rows in all
    uint32_t seed       # state of the random generator for random order (0 is taken as 1)
    bint random         # random coordinate order instead of cyclic
    bint screening      # gap-safe screening of rows
    int anderson        # K > 0: Anderson extrapolation of the iterates every K epochs (residual kernel); 0: off


cdef inline void _gemm(char ta, char tb, int m, int n, int k, floating a, const floating* A, int lda,
                       const floating* B, int ldb, floating b, floating* C, int ldc) noexcept nogil:
    """C = a op(A) op(B) + b C (column-major)"""
    if floating is float:
        sgemm(&ta, &tb, &m, &n, &k, &a, <float*> A, &lda, <float*> B, &ldb, &b, C, &ldc)
    else:
        dgemm(&ta, &tb, &m, &n, &k, &a, <double*> A, &lda, <double*> B, &ldb, &b, C, &ldc)


cdef inline void _ger(int m, int n, floating a, const floating* x, const floating* y, floating* A,
                      int lda) noexcept nogil:
    """A += a x y^T (column-major A of shape (m, n))"""
    cdef int one = 1
    if floating is float:
        sger(&m, &n, &a, <float*> x, &one, <float*> y, &one, A, &lda)
    else:
        dger(&m, &n, &a, <double*> x, &one, <double*> y, &one, A, &lda)


cdef inline floating _l2_of(const floating* l2_factor, int j, floating l2_reg) noexcept nogil:
    return l2_reg if l2_factor == NULL else l2_reg * l2_factor[j]


cdef inline floating _norm(int T, const floating* v) noexcept nogil:
    cdef floating acc = 0
    cdef int t
    for t in range(T):
        acc += v[t] * v[t]
    return sqrt(acc)


cdef floating _mt_gap(
    int n_features, int T, const floating* W, const floating* XtR, floating l1_reg, floating l2_reg,
    floating R_norm2, floating Ry, const floating* l2_factor, floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap of P(W) from its ingredients X^T R (n_features, T), ||R||_F^2 and <R, Y>: the
    single-task `_enet_gap` with row norms ||.||_2 for absolute values. Two dual points are valid:

    A. V = s R with s = min(1, l1_reg / max_j ||X_j^T R - l2_j W_j||), the group-Lasso dual of the
       problem augmented with the rows diag(sqrt(l2_j)) (needs l1_reg > 0);
    B. V = R in D(V) = <Y, V> - 1/2 ||V||^2 - sum_j (||X_j^T V|| - l1_reg)_+^2 / (2 l2_j) (needs l2_j > 0
       wherever ||X_j^T V|| > l1_reg).

    Returns the smaller, clipped at 0; *gap_screen, *dual_scale: gap A and s / l1_reg (the gap-safe
    sphere). l1_reg = l2_reg = 0: ||X^T R||_F^2, as scikit-learn."""
    cdef int j, t
    cdef floating w_21 = 0, w_l2 = 0, dual_norm = 0, excess2 = 0, nw, nx, ex, l2_j, d, acc
    cdef floating inf = 1.0 / 0.0
    cdef bint b_valid = l2_reg > 0
    dual_scale[0] = 0
    gap_screen[0] = inf
    if l1_reg == 0 and l2_reg == 0:
        acc = 0
        for j in range(n_features * T):
            acc += XtR[j] * XtR[j]
        return acc
    for j in range(n_features):
        l2_j = _l2_of(l2_factor, j, l2_reg)
        nw = _norm(T, W + <size_t> j * T)
        w_21 += nw
        w_l2 += l2_j * nw * nw
        acc = 0
        for t in range(T):
            d = XtR[<size_t> j * T + t] - l2_j * W[<size_t> j * T + t]
            acc += d * d
        dual_norm = _max(dual_norm, sqrt(acc))
        ex = _norm(T, XtR + <size_t> j * T) - l1_reg
        if ex > 0:
            if l2_j > 0:
                excess2 += ex * ex / l2_j
            else:
                b_valid = False
    return _two_point_gap(R_norm2, Ry, w_21, w_l2, l1_reg, dual_norm, b_valid, excess2, gap_screen, dual_scale)


cdef inline floating _prox_row(int T, const floating* z, floating l1_reg, floating denom,
                               floating* out) noexcept nogil:
    """out = max(0, 1 - l1_reg / ||z||) z / denom (denom > 0); returns the scale applied to z."""
    cdef floating nz = _norm(T, z), scale
    cdef int t
    if nz <= l1_reg:
        scale = 0
    else:
        scale = (1 - l1_reg / nz) / denom
    for t in range(T):
        out[t] = scale * z[t]
    return scale


# ----------------------------------------------------------------------------------------------------
# residual updates (dense or CSC X)


cdef inline long _col_work(const Cols* c, int j, int T) noexcept nogil:
    if not c.sparse:
        return <long> c.n_samples * T
    return (<long> (c.indptr[j + 1] - c.indptr[j]) + 1) * T


cdef inline floating _u_dot(const Cols* c, const floating* R) noexcept nogil:
    cdef floating acc = 0
    cdef int i
    if c.sqrt_sw != NULL:
        return _dot(c.n_samples, <const floating*> c.sqrt_sw, R)
    for i in range(c.n_samples):
        acc += R[i]
    return acc


cdef void _fold(const Cols* c, int T, floating* R, floating* S) noexcept nogil:
    """R~_t = P R~_t (the true residual), S_t = 0, for every task."""
    cdef floating shift
    cdef int i, t
    cdef int n = c.n_samples
    if c.center == NULL:
        return
    for t in range(T):
        shift = S[t] / <floating> c.sw_sum
        if shift != 0:
            for i in range(n):
                R[<size_t> t * n + i] -= shift * (1 if c.sqrt_sw == NULL else (<const floating*> c.sqrt_sw)[i])
        S[t] = 0


cdef void _col_XtR(const Cols* c, int T, int j, const floating* R, const floating* S, floating* out) noexcept nogil:
    """out = R^T x_j (T entries)"""
    cdef int t
    if not c.sparse:
        _gemv(c'T', c.n_samples, T, 1, R, c.n_samples, <const floating*> c.X + <size_t> j * c.n_samples, 0,
              out)
        return
    for t in range(T):
        out[t] = _col_dot(c, j, R + <size_t> t * c.n_samples, S[t])


cdef void _row_axpy(const Cols* c, int T, int j, const floating* d, floating* R, floating* S) noexcept nogil:
    """R += x_j d^T (d: T entries)"""
    cdef int t
    if not c.sparse:
        _ger(c.n_samples, T, 1, <const floating*> c.X + <size_t> j * c.n_samples, d, R, c.n_samples)
        return
    for t in range(T):
        if d[t] != 0:
            _col_axpy(c, j, d[t], R + <size_t> t * c.n_samples, &S[t])


cdef void _residual(const Cols* c, int T, const floating* Y, const floating* W, floating* R,
                    floating* S, floating* tmp) noexcept nogil:
    """R = Y - X W from scratch (folded: S = 0); tmp: T entries of scratch."""
    cdef int j, t
    cdef int n = c.n_samples
    _copy(n * T, Y, R)
    if not c.sparse:
        # R -= X W: X (n, p) column-major, W (p, T) row-major = W^T column-major (T, p)
        if c.n_features > 0:
            _gemm(c'N', c'T', n, T, c.n_features, -1, <const floating*> c.X, n, W, T, 1, R, n)
        return
    for t in range(T):
        S[t] = _u_dot(c, R + <size_t> t * n)
    for j in range(c.n_features):
        for t in range(T):
            tmp[t] = -W[<size_t> j * T + t]
        _row_axpy(c, T, j, tmp, R, S)
    _fold(c, T, R, S)


cdef floating _gap(
    const Cols* c, int T, const floating* Y, floating* R, floating* S, const floating* W, floating* XtR,
    floating l1_reg, floating l2_reg, const floating* l2_factor, floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap at (W, R); fills XtR = X^T R (one pass over X). Folds S into R first."""
    cdef int j, t
    cdef int n = c.n_samples
    cdef floating R_norm2, Ry
    _fold(c, T, R, S)
    if c.sparse:
        for j in range(c.n_features):
            for t in range(T):
                XtR[<size_t> j * T + t] = _col_dot(c, j, R + <size_t> t * n, <floating> 0)
    elif c.n_features > 0:
        # XtR (p, T) row-major = (T, p) column-major = R^T X
        _gemm(c'T', c'N', T, c.n_features, n, 1, R, n, <const floating*> c.X, n, 0, XtR, T)
    R_norm2 = _dot(n * T, R, R)
    Ry = _dot(n * T, R, Y)
    return _mt_gap(c.n_features, T, W, XtR, l1_reg, l2_reg, R_norm2, Ry, l2_factor, gap_screen, dual_scale)


cdef int _screen_rows(const Cols* c, int T, floating* R, floating* S, floating* W, const floating* XtR,
                      const floating* norm2_cols, floating l1_reg, floating l2_reg, const floating* l2_factor,
                      floating dual_scale, floating gap_screen, int* active, int n_active,
                      floating* tmp) noexcept nogil:
    """Drop the rows of active[:n_active] provably 0 at the optimum (gap-safe sphere of dual point A:
    ||dual_scale (X_j^T R - l2_j W_j)|| + radius sqrt(||x_j||^2 + l2_j) < 1, radius = sqrt(2 gap) /
    l1_reg); a dropped non-zero row is set to 0 (R updated). Returns the new size."""
    cdef int f, j, t, kept = 0
    cdef floating radius, acc, d, l2_j
    if not (l1_reg > 0 and gap_screen < 1.0 / 0.0):
        return n_active
    radius = sqrt(2 * gap_screen) / l1_reg
    for f in range(n_active):
        j = active[f]
        l2_j = _l2_of(l2_factor, j, l2_reg)
        acc = 0
        for t in range(T):
            d = dual_scale * (XtR[<size_t> j * T + t] - l2_j * W[<size_t> j * T + t])
            acc += d * d
        if sqrt(acc) + radius * sqrt(norm2_cols[j] + l2_j) >= 1:
            active[kept] = j
            kept += 1
        else:
            d = 0
            for t in range(T):
                tmp[t] = W[<size_t> j * T + t]
                d = _max(d, fabs(tmp[t]))
                W[<size_t> j * T + t] = 0
            if d != 0:
                _row_axpy(c, T, j, tmp, R, S)
    return kept


cdef floating _penalty_of(int T, const floating* W, const int* active, int n_active, floating l1_reg,
                          floating l2_reg, const floating* l2_factor) noexcept nogil:
    """The penalty of the rows active[:n_active]."""
    cdef floating pen = 0, nw
    cdef int f, j
    for f in range(n_active):
        j = active[f]
        nw = _norm(T, W + <size_t> j * T)
        if nw != 0:
            pen += l1_reg * nw + 0.5 * _l2_of(l2_factor, j, l2_reg) * nw * nw
    return pen


# an extrapolation is taken when it lowers P by more than ANDERSON_MARGIN eps times the sizes of the
# terms its change sums (the change's rounding): decisions then do not hang on rounding
cdef double ANDERSON_MARGIN = 64.0


cdef inline floating _eps(floating x) noexcept nogil:
    """The unit roundoff of x's type (float32 or float64)."""
    if floating is float:
        return 1.1920929e-07
    return 2.220446049250313e-16


cdef void _history_differences(int K, size_t m, size_t size, int T, const int* active, int n_active,
                               const floating* hist, floating* diff) noexcept nogil:
    """diff (K x m) = the active rows of hist[a + 1] - hist[a], a < K (hist: (K + 1) x size)."""
    cdef int a, f, j, t
    cdef size_t k
    for a in range(K):
        k = 0
        for f in range(n_active):
            j = active[f]
            for t in range(T):
                diff[a * m + k] = hist[(a + 1) * size + <size_t> j * T + t] - hist[a * size + <size_t> j * T + t]
                k += 1


cdef bint _anderson_coefficients(int K, size_t m, const floating* diff, floating* M, floating* z) noexcept nogil:
    """z = c, the extrapolation's weights (sum 1) from the K differences diff (K x m): M = diff diff^T
    with a relative ridge (the differences of a linearly converging sequence are nearly collinear),
    M z = 1 by Cholesky, z /= sum(z). False when it fails."""
    cdef int a, b, info
    cdef floating top = 0, total = 0
    for b in range(K):
        for a in range(b + 1):
            M[a + b * K] = _dot(<int> m, diff + a * m, diff + b * m)
        z[b] = 1
    for a in range(K):
        top = fmax(top, M[a + a * K])
    for a in range(K):
        M[a + a * K] += 1e-10 * top
    info = _potrf(c'U', K, M, K)
    if info != 0:
        return False
    _trsv(c'U', c'T', K, M, K, z)
    _trsv(c'U', c'N', K, M, K, z)
    for a in range(K):
        total += z[a]
    if not (fabs(total) > 0 and fabs(total) < 1.0 / 0.0):
        return False
    for a in range(K):
        z[a] /= total
    return True


cdef bint _anderson(const Cols* c, int T, floating* W, floating* R, floating* S, const int* active, int n_active,
                    int K, floating* hist, floating* diff, floating* M, floating* z, floating* W_acc,
                    floating* D, floating* S_D, floating* tmp, floating l1_reg, floating l2_reg,
                    const floating* l2_factor) noexcept nogil:
    """Anderson extrapolation of the last K + 1 epochs' iterates hist[0..K] (rows of W, (K + 1) x
    n_features x T; Bertrand & Massias 2021): W_acc = sum_a c_a hist[a + 1] on the active rows, c
    minimizing ||sum_a c_a (hist[a + 1] - hist[a])|| subject to sum(c) = 1. Taken (W, R, S updated)
    only if it lowers P, judged by the change itself, <D, R> + ||D||^2 / 2 + the penalty's change with
    D = X (W - W_acc) the residual's move (not as a difference of two objectives, which loses the
    change to rounding when ||R|| is large); costs about one epoch. Returns whether it was taken."""
    cdef int a, f, j, t
    cdef int n = c.n_samples
    cdef size_t m = <size_t> n_active * T, k, size = <size_t> c.n_features * T
    cdef floating val, d, change
    cdef bint moved
    if m == 0:
        return False
    _history_differences(K, m, size, T, active, n_active, hist, diff)
    if not _anderson_coefficients(K, m, diff, M, z):
        return False
    for k in range(<size_t> n * T):
        D[k] = 0
    for t in range(T):
        S_D[t] = 0
    for f in range(n_active):
        j = active[f]
        moved = False
        for t in range(T):
            val = 0
            for a in range(K):
                val += z[a] * hist[(a + 1) * size + <size_t> j * T + t]
            W_acc[<size_t> j * T + t] = val
            d = W[<size_t> j * T + t] - val
            tmp[t] = d
            moved = moved or d != 0
        if moved:
            _row_axpy(c, T, j, tmp, D, S_D)  # D = X (W - W_acc): the residual's move
    # P(W_acc) - P(W) = <D, R> + ||D||^2 / 2 + penalty change (centered: <P D~, P R~> = <D~, R~> - S_D S / sw)
    cdef floating DD = _dot(n * T, D, D), pen_acc, pen_now, size_of
    change = _dot(n * T, D, R) + 0.5 * DD
    size_of = sqrt(DD * _dot(n * T, R, R)) + 0.5 * DD  # (Cauchy-Schwarz: a bound on the terms' sizes)
    if c.center != NULL:
        for t in range(T):
            change -= (S_D[t] * S[t] + 0.5 * S_D[t] * S_D[t]) / <floating> c.sw_sum
            size_of += (fabs(S_D[t] * S[t]) + 0.5 * S_D[t] * S_D[t]) / <floating> c.sw_sum
    pen_acc = _penalty_of(T, W_acc, active, n_active, l1_reg, l2_reg, l2_factor)
    pen_now = _penalty_of(T, W, active, n_active, l1_reg, l2_reg, l2_factor)
    change += pen_acc - pen_now
    # taken only for a decrease larger than the rounding of its own computation: a decrease at noise
    # level would make the route taken (dense or sparse X, the statistics) decide the iterates
    if not change < -ANDERSON_MARGIN * _eps(change) * (size_of + pen_acc + pen_now):
        return False
    for f in range(n_active):
        j = active[f]
        for t in range(T):
            W[<size_t> j * T + t] = W_acc[<size_t> j * T + t]
    for k in range(<size_t> n * T):
        R[k] += D[k]
    for t in range(T):
        S[t] += S_D[t]
    return True


cdef object _solve(const Cols* c, floating[:, ::1] W, floating l1_reg, floating l2_reg,
                   const floating[::1, :] Y, floating[::1, :] R, const floating[::1] norm2_cols,
                   const MultiTaskOptions* options, const floating* l2_factor, floating[:, ::1] XtR,
                   bint XtR_valid, const unsigned char[::1] strong):
    cdef int n_samples = c.n_samples
    cdef int n_features = c.n_features
    cdef int T = W.shape[1]
    cdef int max_iter = options.max_iter
    cdef floating tol = <floating> options.tol
    cdef floating tol_step = <floating> options.tol_step
    cdef int gap_every = options.gap_every
    cdef bint random = options.random
    cdef bint screening = options.screening and l1_reg > 0
    cdef bint has_strong = strong is not None and strong.shape[0] == n_features
    cdef uint32_t rng_state = options.seed if options.seed != 0 else 1
    cdef int[::1] active = np.arange(max(n_features, 1), dtype=np.intc)
    cdef int n_active = 0, kept, f, j, t, n_iter = 0, status = MAX_ITER, epochs_since_gap = 0
    cdef long work = 0, cols_since_gap = 0
    cdef floating gap = 0, gap_screen = 0, dual_scale = 0, d_w_max, w_max, d, denom, R_norm2, Ry
    cdef bint moved, outside
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1] S = np.zeros(T, dtype=dtype)
    cdef floating[::1] xr = np.empty(T, dtype=dtype)
    cdef floating[::1] z = np.empty(T, dtype=dtype)
    cdef floating[::1] new = np.empty(T, dtype=dtype)
    cdef floating[::1] step = np.empty(T, dtype=dtype)
    cdef floating* Wp = &W[0, 0]
    cdef floating* Rp = &R[0, 0]
    cdef const floating* Yp = &Y[0, 0]
    cdef floating* XtRp = &XtR[0, 0]
    # Anderson workspace (1-element placeholders when it is off)
    cdef int K = options.anderson if options.anderson > 0 else 1, n_hist = 0
    cdef bint use_anderson = options.anderson > 0
    cdef size_t size = <size_t> n_features * T if use_anderson else 1
    cdef floating[::1] hist = np.empty((K + 1) * size, dtype=dtype)
    cdef floating[::1] diff = np.empty(K * size, dtype=dtype)
    cdef floating[::1] M = np.empty(K * K, dtype=dtype)
    cdef floating[::1] zk = np.empty(K, dtype=dtype)
    cdef floating[::1] W_acc = np.empty(size, dtype=dtype)
    cdef floating[::1] D = np.empty(<size_t> n_samples * T if use_anderson else 1, dtype=dtype)
    cdef floating[::1] S_D = np.empty(T, dtype=dtype)
    cdef floating[::1] tmp = np.empty(T, dtype=dtype)

    with nogil:
        if c.center != NULL:
            for t in range(T):
                S[t] = _u_dot(c, Rp + <size_t> t * n_samples)
        # zero columns: their row is 0 at the optimum and the residual does not depend on it
        for j in range(n_features):
            if norm2_cols[j] != 0:
                active[n_active] = j
                n_active += 1
            else:
                moved = False
                for t in range(T):
                    step[t] = Wp[<size_t> j * T + t]
                    moved = moved or step[t] != 0
                    Wp[<size_t> j * T + t] = 0
                if moved:
                    _row_axpy(c, T, j, &step[0], Rp, &S[0])
                    XtR_valid = False
        if XtR_valid:
            R_norm2 = _dot(n_samples * T, Rp, Rp)
            Ry = _dot(n_samples * T, Rp, Yp)
            if c.center != NULL:
                for t in range(T):
                    R_norm2 -= S[t] * S[t] / <floating> c.sw_sum
            gap = _mt_gap(n_features, T, Wp, XtRp, l1_reg, l2_reg, R_norm2, Ry, l2_factor, &gap_screen,
                          &dual_scale)
        else:
            gap = _gap(c, T, Yp, Rp, &S[0], Wp, XtRp, l1_reg, l2_reg, l2_factor, &gap_screen, &dual_scale)
        if gap <= tol:
            status = CONVERGED
        elif screening:
            n_active = _screen_rows(c, T, Rp, &S[0], Wp, XtRp, &norm2_cols[0], l1_reg, l2_reg, l2_factor,
                                    dual_scale, gap_screen, &active[0], n_active, &step[0])
        if status != CONVERGED and has_strong:
            # epochs visit the strong set and the support first (the driver's sequential strong rule)
            kept = 0
            for f in range(n_active):
                j = active[f]
                moved = strong[j] != 0
                for t in range(T):
                    moved = moved or Wp[<size_t> j * T + t] != 0
                if moved:
                    active[kept] = j
                    kept += 1
            n_active = kept

        while status != CONVERGED and n_iter < max_iter:
            w_max = 0
            d_w_max = 0
            for f in range(n_active):
                j = active[_rand_below(n_active, &rng_state) if random else f]
                _col_XtR(c, T, j, Rp, &S[0], &xr[0])
                for t in range(T):
                    z[t] = xr[t] + norm2_cols[j] * Wp[<size_t> j * T + t]
                denom = norm2_cols[j] + _l2_of(l2_factor, j, l2_reg)
                _prox_row(T, &z[0], l1_reg, denom, &new[0])
                moved = False
                for t in range(T):
                    step[t] = Wp[<size_t> j * T + t] - new[t]
                    if step[t] != 0:
                        moved = True
                        d_w_max = _max(d_w_max, fabs(step[t]))
                    w_max = _max(w_max, fabs(new[t]))
                    Wp[<size_t> j * T + t] = new[t]
                if moved:
                    _row_axpy(c, T, j, &step[0], Rp, &S[0])
                work += _col_work(c, j, T)
                if _should_stop(&work):
                    status = INTERRUPTED
                    break
            if status == INTERRUPTED:
                break
            n_iter += 1
            epochs_since_gap += 1
            cols_since_gap += n_active
            if use_anderson and n_active > 0:
                _copy(n_features * T, Wp, &hist[n_hist * size])
                n_hist += 1
                if n_hist == K + 1:
                    _anderson(c, T, Wp, Rp, &S[0], &active[0], n_active, K, &hist[0], &diff[0], &M[0], &zk[0],
                              &W_acc[0], &D[0], &S_D[0], &tmp[0], l1_reg, l2_reg, l2_factor)
                    n_hist = 0
            if (w_max == 0 or d_w_max <= tol_step * w_max or n_iter == max_iter
                    or (epochs_since_gap >= gap_every and cols_since_gap >= 4 * n_features)):
                epochs_since_gap = 0
                cols_since_gap = 0
                gap = _gap(c, T, Yp, Rp, &S[0], Wp, XtRp, l1_reg, l2_reg, l2_factor, &gap_screen, &dual_scale)
                if gap <= tol and floating is float and (w_max == 0 or d_w_max <= tol_step * w_max):
                    # single precision: certify with a freshly computed residual (drift of the updates)
                    _residual(c, T, Yp, Wp, Rp, &S[0], &step[0])
                    gap = _gap(c, T, Yp, Rp, &S[0], Wp, XtRp, l1_reg, l2_reg, l2_factor, &gap_screen,
                               &dual_scale)
                # converged: the gap reached and, as scikit-learn's criterion, the epoch's largest step
                # at most tol_step times the largest coefficient (solutions at least as settled as its)
                if gap <= tol and (w_max == 0 or d_w_max <= tol_step * w_max):
                    status = CONVERGED
                else:
                    if has_strong:
                        outside = False
                        for j in range(n_features):
                            if not strong[j] and norm2_cols[j] != 0 and \
                                    _norm(T, XtRp + <size_t> j * T) > l1_reg:
                                outside = True
                                break
                        if outside:
                            # a row outside the strong set violates optimality: every row again
                            has_strong = False
                            n_active = 0
                            for j in range(n_features):
                                if norm2_cols[j] != 0:
                                    active[n_active] = j
                                    n_active += 1
                    if screening:
                        n_active = _screen_rows(c, T, Rp, &S[0], Wp, XtRp, &norm2_cols[0], l1_reg, l2_reg,
                                                l2_factor, dual_scale, gap_screen, &active[0], n_active,
                                                &step[0])
        if status == MAX_ITER and screening:
            # screening may have moved the residual after the last gap: the gap returned is the
            # residual's
            gap = _gap(c, T, Yp, Rp, &S[0], Wp, XtRp, l1_reg, l2_reg, l2_factor, &gap_screen, &dual_scale)
        if status == INTERRUPTED:
            _fold(c, T, Rp, &S[0])

    if status == INTERRUPTED:
        _propagate_pending()
    return float(gap), n_iter, status


cdef Cols _dense_of(object X, int n_samples) except *:
    cdef Cols c
    if X.dtype == np.float32:
        c = _dense_f(X)
    else:
        c = _dense_d(X)
    if c.n_samples != n_samples:
        raise ValueError("X and Y have different numbers of rows")
    return c


cdef Cols _dense_f(const float[::1, :] X) except *:
    return _dense_columns(&X[0, 0] if X.shape[0] and X.shape[1] else NULL, X.shape[0], X.shape[1])


cdef Cols _dense_d(const double[::1, :] X) except *:
    return _dense_columns(&X[0, 0] if X.shape[0] and X.shape[1] else NULL, X.shape[0], X.shape[1])


cdef Cols _sparse_of(int n_samples, const floating[::1] data, const int[::1] indices,
                     const int64_t[::1] indptr, const floating[::1] col_factor, const floating[::1] center,
                     const floating[::1] sqrt_sw, double sw_sum) except *:
    cdef Cols c
    if indptr.shape[0] < 1 or data.shape[0] != indices.shape[0]:
        raise ValueError("inconsistent CSC arrays (data, indices, indptr)")
    c.n_samples = n_samples
    c.n_features = indptr.shape[0] - 1
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


cdef Cols _cols(tuple columns, const floating[::1, :] Y) except *:
    cdef const floating[::1] data, col_factor, center, sqrt_sw
    cdef const int[::1] indices
    cdef const int64_t[::1] indptr
    cdef double sw_sum
    if len(columns) == 1:
        return _dense_of(columns[0], Y.shape[0])
    if len(columns) != 7:
        raise ValueError("columns are (X,) or (data, indices, indptr, col_factor, center, sqrt_sw, sw_sum)")
    data, indices, indptr, col_factor, center, sqrt_sw, sw_sum = columns
    return _sparse_of(Y.shape[0], data, indices, indptr, col_factor, center, sqrt_sw, sw_sum)


def mt_cd(
    floating[:, ::1] W,
    floating l1_reg,
    floating l2_reg,
    tuple columns,
    const floating[::1, :] Y,
    floating[::1, :] R,
    const floating[::1] norm2_cols,
    MultiTaskOptions options,
    floating[:, ::1] XtR,
    *,
    bint XtR_valid=False,
    const unsigned char[::1] strong=None,
    const floating[::1] l2_factor=None,
):
    """Solve one multi-task ElasticNet problem by block coordinate descent with residual updates, in
    place (see the module docstring).

    W : (n_features, n_tasks) C-contiguous warm start, overwritten with the solution.
    l1_reg, l2_reg : penalties of the n-scaled objective P(W).
    columns : (X,), X Fortran (n_samples, n_features) (`DenseDesign.kernel_columns`), or the CSC tuple
        of `SparseDesign.kernel_columns` (X centered implicitly; Y then centered).
    Y : (n_samples, n_tasks) Fortran target.
    R : (n_samples, n_tasks) Fortran residual Y - X W on entry, kept equal to it on exit.
    norm2_cols : (n_features,) squared column norms; zero columns get a zero row and are never visited.
    options : dict with the keys of `MultiTaskOptions`.
    XtR : (n_features, n_tasks) C-contiguous buffer receiving X^T R of the last gap evaluated; with
        XtR_valid it already holds X^T R of the R passed in (saves the first pass over X).
    strong : (n_features,) uint8 mask of the rows visited first (with the support), or None; once a
        gap shows a violator outside it, every row is visited again.
    l2_factor : (n_features,) multipliers of l2_reg (penalty factors), or None.

    Returns (gap, n_iter, status): gap in the units of P, epochs run, 0 converged / 1 max_iter.
    """
    cdef Cols c = _cols(columns, Y)
    if W.shape[0] != c.n_features or XtR.shape[0] != c.n_features or XtR.shape[1] != W.shape[1] or \
            Y.shape[1] != W.shape[1] or R.shape[0] != Y.shape[0] or R.shape[1] != Y.shape[1] or \
            norm2_cols.shape[0] != c.n_features or W.shape[1] < 1:
        raise ValueError("inconsistent shapes of W, Y, R, XtR, norm2_cols")
    if l2_factor is not None and l2_factor.shape[0] != c.n_features:
        raise ValueError("l2_factor must have n_features entries")
    if c.n_samples == 0:
        return 0.0, 0, CONVERGED
    return _solve(&c, W, l1_reg, l2_reg, Y, R, norm2_cols, &options,
                  &l2_factor[0] if l2_factor is not None else NULL, XtR, XtR_valid, strong)


def mt_gap(const floating[:, ::1] W, floating l1_reg, floating l2_reg, tuple columns,
           const floating[::1, :] Y, floating[::1, :] R, floating[:, ::1] XtR, *,
           const floating[::1] l2_factor=None):
    """The duality gap at (W, R = Y - X W) (`columns` as `mt_cd`); fills XtR = X^T R (one pass over X);
    a sparse centered R is folded first."""
    cdef Cols c = _cols(columns, Y)
    cdef int T = W.shape[1], t
    cdef floating gap, gap_screen, dual_scale
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1] S = np.zeros(T, dtype=dtype)
    if W.shape[0] != c.n_features or XtR.shape[0] != c.n_features or R.shape[1] != T or Y.shape[1] != T:
        raise ValueError("inconsistent shapes of W, Y, R, XtR")
    with nogil:
        if c.center != NULL:
            for t in range(T):
                S[t] = _u_dot(&c, &R[0, 0] + <size_t> t * c.n_samples)
        gap = _gap(&c, T, &Y[0, 0], &R[0, 0], &S[0], &W[0, 0], &XtR[0, 0], l1_reg, l2_reg,
                   &l2_factor[0] if l2_factor is not None else NULL, &gap_screen, &dual_scale)
    return float(gap)


def mt_residual(const floating[:, ::1] W, tuple columns, const floating[::1, :] Y, floating[::1, :] R):
    """R = Y - X W (the true, centered residual for a sparse centered X)."""
    cdef Cols c = _cols(columns, Y)
    cdef int T = W.shape[1]
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1] S = np.zeros(T, dtype=dtype)
    cdef floating[::1] tmp = np.zeros(T, dtype=dtype)
    with nogil:
        _residual(&c, T, &Y[0, 0], &W[0, 0], &R[0, 0], &S[0], &tmp[0])


# ----------------------------------------------------------------------------------------------------
# covariance updates (statistics G = X^T X, X^T Y, ||Y||^2)


cdef floating _gram_gap(int p, int T, const floating* W, const floating* XtY, const floating* Q, double yty,
                        floating l1_reg, floating l2_reg, const floating* l2_factor) noexcept nogil:
    """The gap from the statistics: ||R||^2 = ||Y||^2 - <W, X^T Y> - <W, Q>, <R, Y> = ||Y||^2 - <W, X^T Y>,
    X^T R = Q (accumulated in double: they cancel near the optimum)."""
    cdef double wxy = 0, wq = 0
    cdef size_t k
    cdef floating gap_screen, dual_scale
    for k in range(<size_t> p * T):
        wxy += <double> W[k] * XtY[k]
        wq += <double> W[k] * Q[k]
    return _mt_gap(p, T, W, Q, l1_reg, l2_reg, <floating> fmax(yty - wxy - wq, 0), <floating> (yty - wxy),
                   l2_factor, &gap_screen, &dual_scale)


cdef bint _anderson_gram(int p, int T, floating* W, floating* Q, const floating* G, const int* active,
                         int n_active, int K, const floating* hist, floating* diff, floating* M, floating* z,
                         floating* W_acc, floating* GD, floating* d, floating l1_reg, floating l2_reg,
                         const floating* l2_factor) noexcept nogil:
    """`_anderson` on the statistics: with d = W - W_acc (active rows), the residual moves by X d, so
    P(W_acc) - P(W) = <d, Q> + <d, G d> / 2 + the penalty's change, and Q_acc = Q + G d. Returns whether
    the extrapolation was taken (W, Q updated)."""
    cdef int a, f, j, t
    cdef size_t m = <size_t> n_active * T, k, size = <size_t> p * T
    cdef floating val, change = 0
    if m == 0:
        return False
    _history_differences(K, m, size, T, active, n_active, hist, diff)
    if not _anderson_coefficients(K, m, diff, M, z):
        return False
    for k in range(size):
        GD[k] = 0
    for f in range(n_active):
        j = active[f]
        for t in range(T):
            val = 0
            for a in range(K):
                val += z[a] * hist[(a + 1) * size + <size_t> j * T + t]
            W_acc[<size_t> j * T + t] = val
            d[<size_t> j * T + t] = W[<size_t> j * T + t] - val
            change += d[<size_t> j * T + t] * Q[<size_t> j * T + t]
        # GD += G[:, j] d_j^T (row-major (p, T) = column-major (T, p))
        _ger(T, p, 1, d + <size_t> j * T, G + <size_t> j * p, GD, T)
    cdef floating size_of = 0, pen_acc, pen_now
    for f in range(n_active):
        j = active[f]
        for t in range(T):
            val = 0.5 * d[<size_t> j * T + t] * GD[<size_t> j * T + t]
            change += val
            size_of += fabs(val) + fabs(d[<size_t> j * T + t] * Q[<size_t> j * T + t])
    pen_acc = _penalty_of(T, W_acc, active, n_active, l1_reg, l2_reg, l2_factor)
    pen_now = _penalty_of(T, W, active, n_active, l1_reg, l2_reg, l2_factor)
    change += pen_acc - pen_now
    # (as `_anderson`: only a decrease above the rounding of its computation)
    if not change < -ANDERSON_MARGIN * _eps(change) * (size_of + pen_acc + pen_now):
        return False
    for f in range(n_active):
        j = active[f]
        for t in range(T):
            W[<size_t> j * T + t] = W_acc[<size_t> j * T + t]
    for k in range(size):
        Q[k] += GD[k]
    return True


def mt_cd_gram(floating[:, ::1] W, floating l1_reg, floating l2_reg, const floating[:, ::1] G,
               const floating[:, ::1] XtY, double yty, floating[:, ::1] Q, MultiTaskOptions options, *,
               const floating[::1] l2_factor=None):
    """Solve one multi-task ElasticNet problem by block coordinate descent with covariance updates:
    the state is Q = X^T Y - G W (C-contiguous (n_features, n_tasks), kept equal to it on exit), a
    row update costs O(n_features n_tasks) (a rank-one update of Q), a zero row that stays zero O(n_tasks),
    and the gap O(n_features n_tasks) from the statistics (`_gram_gap`). The gap is the statistics'
    (their rounding is the caller's to certify, e.g. by `mt_gap` on the data). Other arguments and
    the return value as `mt_cd` (options.screening and gap_every unused: the gap is evaluated after
    every epoch; converged as `mt_cd`: the gap and the step criterion)."""
    cdef int p = W.shape[0], T = W.shape[1]
    cdef int max_iter = options.max_iter
    cdef floating tol = <floating> options.tol
    cdef floating tol_step = <floating> options.tol_step
    cdef bint random = options.random
    cdef uint32_t rng_state = options.seed if options.seed != 0 else 1
    cdef int f, j, t, n_iter = 0, status = MAX_ITER, n_active = 0
    cdef floating w_max, d_w_max
    cdef long work = 0
    cdef floating gap, denom, g_jj
    cdef bint moved
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1] z = np.empty(T, dtype=dtype)
    cdef floating[::1] new = np.empty(T, dtype=dtype)
    cdef floating[::1] step = np.empty(T, dtype=dtype)
    cdef int[::1] active = np.empty(max(p, 1), dtype=np.intc)
    cdef const floating* lf = &l2_factor[0] if l2_factor is not None else NULL
    # Anderson workspace (as `mt_cd`'s)
    cdef int K = options.anderson if options.anderson > 0 else 1, n_hist = 0
    cdef bint use_anderson = options.anderson > 0
    cdef size_t size = <size_t> p * T if use_anderson else 1
    cdef floating[::1] hist = np.empty((K + 1) * size, dtype=dtype)
    cdef floating[::1] diff = np.empty(K * size, dtype=dtype)
    cdef floating[::1] M = np.empty(K * K, dtype=dtype)
    cdef floating[::1] zk = np.empty(K, dtype=dtype)
    cdef floating[::1] W_acc = np.empty(size, dtype=dtype)
    cdef floating[::1] GD = np.empty(size, dtype=dtype)
    cdef floating[::1] dW = np.empty(size, dtype=dtype)
    if G.shape[0] != p or G.shape[1] != p or XtY.shape[0] != p or XtY.shape[1] != T or Q.shape[0] != p or \
            Q.shape[1] != T or T < 1:
        raise ValueError("inconsistent shapes of W, G, XtY, Q")
    if l2_factor is not None and l2_factor.shape[0] != p:
        raise ValueError("l2_factor must have n_features entries")
    if p == 0:
        return 0.0, 0, CONVERGED
    with nogil:
        for j in range(p):
            if G[j, j] > 0:
                active[n_active] = j
                n_active += 1
            else:  # a zero column: its row is 0 (and G's row j is 0: Q does not depend on it)
                for t in range(T):
                    W[j, t] = 0
        gap = _gram_gap(p, T, &W[0, 0], &XtY[0, 0], &Q[0, 0], yty, l1_reg, l2_reg, lf)
        if gap <= tol:
            status = CONVERGED
        while status != CONVERGED and n_iter < max_iter:
            w_max = 0
            d_w_max = 0
            for f in range(n_active):
                j = active[_rand_below(n_active, &rng_state) if random else f]
                g_jj = G[j, j]
                for t in range(T):
                    z[t] = Q[j, t] + g_jj * W[j, t]
                denom = g_jj + _l2_of(lf, j, l2_reg)
                _prox_row(T, &z[0], l1_reg, denom, &new[0])
                moved = False
                for t in range(T):
                    step[t] = new[t] - W[j, t]
                    moved = moved or step[t] != 0
                    d_w_max = _max(d_w_max, fabs(step[t]))
                    w_max = _max(w_max, fabs(new[t]))
                    W[j, t] = new[t]
                if moved:
                    # Q -= G[:, j] step^T: Q row-major (p, T) is column-major (T, p); G[j, :] = G[:, j]
                    _ger(T, p, -1, &step[0], &G[j, 0], &Q[0, 0], T)
                    work += <long> p * T
                work += T
                if _should_stop(&work):
                    status = INTERRUPTED
                    break
            if status == INTERRUPTED:
                break
            n_iter += 1
            if use_anderson and n_active > 0:
                _copy(p * T, &W[0, 0], &hist[n_hist * size])
                n_hist += 1
                if n_hist == K + 1:
                    _anderson_gram(p, T, &W[0, 0], &Q[0, 0], &G[0, 0], &active[0], n_active, K, &hist[0],
                                   &diff[0], &M[0], &zk[0], &W_acc[0], &GD[0], &dW[0], l1_reg, l2_reg, lf)
                    n_hist = 0
                    work += <long> n_active * p * T
            gap = _gram_gap(p, T, &W[0, 0], &XtY[0, 0], &Q[0, 0], yty, l1_reg, l2_reg, lf)
            if gap <= tol and (w_max == 0 or d_w_max <= tol_step * w_max):
                status = CONVERGED
    if status == INTERRUPTED:
        _propagate_pending()
    return float(gap), n_iter, status

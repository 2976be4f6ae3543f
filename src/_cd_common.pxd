# Helpers shared by the coordinate-descent kernels (residual: dense and sparse; Gram): the coordinate
# update, the columns a kernel moves its state along, the primal value and the duality gap from their
# ingredients, gap-safe screening, a tiny RNG and the interrupt check. Everything is inline and nogil
# (non-inline cdef functions shared between extension modules break at import time in this layout;
# for the same reason each kernel module defines its own options struct, and the Gram module its
# Newton workspace class).
from cython cimport floating
from libc.math cimport fabs, fmax, fmin, sqrt
from libc.stdint cimport uint32_t, int64_t

from _blas cimport _dot, _axpy

cdef extern from "Python.h":
    # declared without an exception value: a raised KeyboardInterrupt stays pending and is
    # propagated by the kernel once it holds the GIL again (see _propagate_pending)
    int PyErr_CheckSignals()

# kernel status codes returned to the driver
cdef enum:
    CONVERGED = 0
    MAX_ITER = 1
    INTERRUPTED = 2

# element reads between two interrupt checks (about 0.1 s of memory traffic)
cdef enum:
    INTERRUPT_CHECK_WORK = 1 << 26


cdef inline bint _interrupted() noexcept nogil:
    """True when a signal handler raised (Ctrl-C); the exception stays pending."""
    with gil:
        return PyErr_CheckSignals() != 0


cdef inline bint _should_stop(long* work) noexcept nogil:
    """Once per INTERRUPT_CHECK_WORK units of work (the counter is then reset): whether a signal
    handler raised (Ctrl-C)."""
    if work[0] < INTERRUPT_CHECK_WORK:
        return False
    work[0] = 0
    return _interrupted()


cdef inline int _propagate_pending() except -1:
    """Return the error value so Cython raises the exception PyErr_CheckSignals left pending."""
    return -1


cdef inline uint32_t _rand_below(uint32_t end, uint32_t* state) noexcept nogil:
    """Uniform-ish integer in [0, end) from a xorshift32 generator (Marsaglia 2003); state != 0."""
    cdef uint32_t x = state[0]
    x ^= x << 13
    x ^= x >> 17
    x ^= x << 5
    state[0] = x
    return x % end


cdef extern from "_fused.h" nogil:
    double fr_axpy_dot_d(int n, double a, const double* x, double* r, const double* z)
    float fr_axpy_dot_s(int n, float a, const float* x, float* r, const float* z)
    void fr_gather_dots_d(int n, const double* X, const Py_ssize_t* cols, Py_ssize_t m, const double* r,
                          double* out)
    void fr_gather_dots_s(int n, const float* X, const Py_ssize_t* cols, Py_ssize_t m, const float* r,
                          float* out)
    Py_ssize_t fr_ws_distance_d(Py_ssize_t p, const double* XtR, const double* w, double l1, const double* inv,
                                int positive, double* dist)
    Py_ssize_t fr_ws_distance_s(Py_ssize_t p, const float* XtR, const float* w, double l1, const double* inv,
                                int positive, double* dist)
    void fr_gap_sums_d(Py_ssize_t p, const double* w, const double* XtR, double l1, double l2, int positive,
                       double* out)
    void fr_rank_zeros_d(Py_ssize_t p, const double* w, const double* dist, Py_ssize_t n_support, Py_ssize_t k,
                         double* scratch, Py_ssize_t* out)
    void fr_rank_zeros_s(Py_ssize_t p, const float* w, const double* dist, Py_ssize_t n_support, Py_ssize_t k,
                         double* scratch, Py_ssize_t* out)
    void fr_gap_sums_s(Py_ssize_t p, const float* w, const float* XtR, float l1, float l2, int positive,
                       float* out)


cdef inline floating _axpy_dot(int n, floating a, const floating* x, floating* r,
                              const floating* z) noexcept nogil:
    """r += a * x, then return z @ r, in one sweep over r (not a BLAS operation; see _fused.h).

    Used when coordinate j moved: the residual update for j and the gradient of the next coordinate
    share the sweep over r.
    """
    if floating is float:
        return fr_axpy_dot_s(n, a, x, r, z)
    else:
        return fr_axpy_dot_d(n, a, x, r, z)


ctypedef struct Cols:
    # the columns a kernel moves its state along (values of the kernel's dtype behind the void
    # pointers): dense (Fortran, leading dimension n_samples) or CSC. The residual kernels: X, whose
    # state is the residual R; the Gram kernel: G as n_features dense columns of length n_features
    # (G is symmetric and C-contiguous, so column j is row j), whose state is q = X^T y - G w
    int n_samples
    int n_features
    bint sparse
    const void* X             # dense only
    int ld                    # dense: the distance between consecutive columns (n_samples, or more for a view)
    const void* data          # CSC only: values, row indices, column pointers
    const int* indices
    const int64_t* indptr
    const void* col_factor    # CSC: f_j, column j of X~ is f_j times the stored one; NULL: ones
    const void* center        # CSC with intercept: m_j (see _cd_residual.pyx); NULL: no centering
    const void* sqrt_sw       # CSC with intercept and weights: u; NULL: u = ones
    double sw_sum


cdef inline Cols _dense_columns(const void* X, int n_samples, int n_features) noexcept nogil:
    """The Cols of a dense Fortran (n_samples, n_features) matrix X (leading dimension n_samples)."""
    cdef Cols c
    c.n_samples = n_samples
    c.n_features = n_features
    c.sparse = False
    c.X = X
    c.ld = n_samples
    c.data = NULL
    c.indices = NULL
    c.indptr = NULL
    c.col_factor = NULL
    c.center = NULL
    c.sqrt_sw = NULL
    c.sw_sum = n_samples
    return c


cdef inline floating _col_dot(const Cols* c, int j, const floating* R, floating S) noexcept nogil:
    """x_j^T R (R = P R~ for a centered sparse X, see _cd_residual.pyx)."""
    cdef const floating* data
    cdef const int* rows
    cdef floating acc = 0
    cdef int64_t k, start, end
    if not c.sparse:
        return _dot(c.n_samples, <const floating*> c.X + <size_t> j * c.ld, R)
    # the column's arrays in locals: nothing in the loop can then be taken to alias them
    data = <const floating*> c.data
    rows = c.indices
    start = c.indptr[j]
    end = c.indptr[j + 1]
    for k in range(start, end):
        acc += data[k] * R[rows[k]]
    if c.col_factor != NULL:
        acc *= (<const floating*> c.col_factor)[j]
    if c.center != NULL:
        acc -= (<const floating*> c.center)[j] * S
    return acc


cdef inline void _col_axpy(const Cols* c, int j, floating a, floating* R, floating* S) noexcept nogil:
    """R += a x_j (for a centered sparse X: R~ += a x~_j, S += a m_j sw_sum)."""
    cdef const floating* data
    cdef const int* rows
    cdef int64_t k, start, end
    cdef floating af = a
    if not c.sparse:
        _axpy(c.n_samples, a, <const floating*> c.X + <size_t> j * c.ld, R)
        return
    data = <const floating*> c.data
    rows = c.indices
    start = c.indptr[j]
    end = c.indptr[j + 1]
    if c.col_factor != NULL:
        af = a * (<const floating*> c.col_factor)[j]
    for k in range(start, end):
        R[rows[k]] += af * data[k]
    if c.center != NULL:
        S[0] += a * (<const floating*> c.center)[j] * <floating> c.sw_sum


cdef inline floating _cd_update(floating grad, floating l1_reg, floating denom,
                                bint positive) noexcept nogil:
    """argmin_v 1/2 denom v^2 - grad v + l1_reg |v| (s.t. v >= 0 if positive): soft-thresholding."""
    if grad > l1_reg:
        return (grad - l1_reg) / denom
    if grad < -l1_reg and not positive:
        return (grad + l1_reg) / denom
    return 0


ctypedef struct Penalty:
    # what the penalty adds to l1_reg ||w||_1 + l2_reg/2 ||w||^2 (values of the kernel's dtype behind
    # the void pointers): per-feature multipliers of l2_reg (penalty factors, see fastreg._design) and
    # box constraints lower_j <= w_j <= upper_j (0 inside each box); NULL means none
    bint positive
    const void* l2_factor
    const void* lower
    const void* upper


cdef inline Penalty _penalty(bint positive, const floating[::1] l2_factor, const floating[::1] lower,
                      const floating[::1] upper, int n_features) except *:
    """The Penalty of an entry point's optional arrays (None: no factors / no box side)."""
    cdef Penalty pen
    for name, arr in (("l2_factor", l2_factor), ("lower", lower), ("upper", upper)):
        if arr is not None and arr.shape[0] != n_features:
            raise ValueError(f"{name} must have one entry per feature")
    pen.positive = positive
    pen.l2_factor = &l2_factor[0] if l2_factor is not None and n_features else NULL
    pen.lower = &lower[0] if lower is not None and n_features else NULL
    pen.upper = &upper[0] if upper is not None and n_features else NULL
    return pen


cdef inline floating _l2_of(const Penalty* pen, int j, floating l2_reg) noexcept nogil:
    """l2_reg times feature j's factor."""
    if pen.l2_factor == NULL:
        return l2_reg
    return l2_reg * (<const floating*> pen.l2_factor)[j]


cdef inline bint _boxed(const Penalty* pen) noexcept nogil:
    return pen.lower != NULL or pen.upper != NULL


cdef inline bint _has_sphere(floating l1_reg, const Penalty* pen) noexcept nogil:
    """Whether the gap-safe sphere of `_enet_gap` exists (l1_reg > 0, no boxes): what screening needs,
    and the Gram kernel's Newton steps too (they would need projections onto the boxes)."""
    return l1_reg > 0 and not _boxed(pen)


cdef inline floating _max(floating m, floating v) noexcept nogil:
    """The larger of a running maximum m and v (v NaN leaves m, as fmax does): a comparison, not libm's
    fmax, which is a function call in a loop (gcc does not inline it without -ffinite-math-only) and
    keeps the loop's floating-point state in memory."""
    return v if v > m else m


cdef inline floating _magnitude(floating v, bint positive) noexcept nogil:
    """The part of a correlation v (x_j^T R, or its dual-point version) that the l1 penalty bounds:
    v when w >= 0 is imposed, |v| otherwise (feature j violates optimality at w_j = 0 when this
    exceeds l1_reg)."""
    return v if positive else fabs(v)


cdef inline floating _coord_update(floating grad, floating l1_reg, floating denom, const Penalty* pen,
                                   int j) noexcept nogil:
    """argmin over the box of 1/2 denom v^2 - grad v + l1_reg |v|: soft-thresholding, then the
    projection onto [lower_j, upper_j] (exact: a convex function of one variable)."""
    cdef floating v = _cd_update(grad, l1_reg, denom, pen.positive)
    # comparisons, not fmax/fmin: a libm call in the coordinate loop, even on a branch never taken,
    # makes the compiler keep the loop's floating-point state in memory (measured 2x slower)
    if pen.lower != NULL and v < (<const floating*> pen.lower)[j]:
        v = (<const floating*> pen.lower)[j]
    if pen.upper != NULL and v > (<const floating*> pen.upper)[j]:
        v = (<const floating*> pen.upper)[j]
    return v


cdef inline floating _conjugate(floating v, floating a, floating b, floating lo, floating hi) noexcept nogil:
    """h*(v) = sup over t in [lo, hi] of v t - a |t| - b/2 t^2 (lo <= 0 <= hi), finite or inf."""
    cdef floating t, best = 0
    if v > a and hi > 0:
        t = hi if b == 0 else fmin((v - a) / b, hi)
        best = (v - a) * t - 0.5 * b * t * t
    elif v < -a and lo < 0:
        t = -lo if b == 0 else fmin((-v - a) / b, -lo)
        best = (-v - a) * t - 0.5 * b * t * t
    return best


cdef inline floating _boxed_gap(
    int n_features, const floating* w, const floating* XtR, floating l1_reg, floating l2_reg,
    floating R_norm2, floating Ry, const Penalty* pen,
) noexcept nogil:
    """Duality gap under box constraints (and per-feature l2 factors), from the Fenchel dual

        D(theta) = y^T theta - 1/2 ||theta||^2 - sum_j h_j*(x_j^T theta),
        h_j(t) = l1_reg |t| + l2_j/2 t^2 restricted to [lower_j, upper_j],

    at theta = s R: s = 1 unless a side of a box is unbounded with l2_j = 0, where h_j* is finite only
    for |x_j^T theta| <= l1_reg, and s then shrinks to make it so. At the optimum s = 1 and the gap
    is 0 (strong duality), so the gap certifies any feasible w."""
    cdef int j
    cdef floating inf = 1.0 / 0.0
    cdef floating lo, hi, b, v, s = 1, primal = 0.5 * R_norm2, conj = 0
    for j in range(n_features):
        lo = (<const floating*> pen.lower)[j] if pen.lower != NULL else (0 if pen.positive else -inf)
        hi = (<const floating*> pen.upper)[j] if pen.upper != NULL else inf
        b = _l2_of(pen, j, l2_reg)
        if w[j] != 0:
            primal += l1_reg * fabs(w[j]) + 0.5 * b * w[j] * w[j]
        if b == 0:
            v = XtR[j]
            if v > l1_reg and hi == inf:
                s = fmin(s, l1_reg / v)
            elif v < -l1_reg and lo == -inf:
                s = fmin(s, l1_reg / -v)
    for j in range(n_features):
        lo = (<const floating*> pen.lower)[j] if pen.lower != NULL else (0 if pen.positive else -inf)
        hi = (<const floating*> pen.upper)[j] if pen.upper != NULL else inf
        b = _l2_of(pen, j, l2_reg)
        v = s * XtR[j]
        # an unbounded side with b = 0 is finite only within |v| <= l1_reg: s put it there, up to rounding
        if b == 0 and ((v > l1_reg and hi == inf) or (v < -l1_reg and lo == -inf)):
            continue
        conj += _conjugate(v, l1_reg, b, lo, hi)
    return fmax(0, primal - (s * Ry - 0.5 * s * s * R_norm2 - conj))


cdef inline floating _two_point_gap(floating R_norm2, floating Ry, floating w_1, floating w_l2, floating l1_reg,
                                    floating dual_norm, bint b_valid, floating excess2, floating* gap_screen,
                                    floating* dual_scale) noexcept nogil:
    """The smaller gap of the dual points A and B of `_enet_gap` from their ingredients, for any norm
    (the L1 norm, or the multi-task kernel's row norms): w_1 the norm of w, w_l2 = sum_j l2_j ||w_j||^2,
    dual_norm = max_j ||X_j^T R - l2_j w_j||_*, excess2 = sum_j (||X_j^T R||_* - l1_reg)_+^2 / l2_j, and
    b_valid whether B's conjugate is finite. Sets *gap_screen (gap A) and *dual_scale (s / l1_reg)."""
    cdef floating inf = 1.0 / 0.0, primal, s, gap_a = inf, gap_b = inf
    # (penalty terms skipped when w = 0, so that a saturated penalty never yields inf * 0)
    primal = 0.5 * R_norm2
    if w_1 != 0:
        primal += l1_reg * w_1 + 0.5 * w_l2
    if l1_reg > 0:
        s = 1 if dual_norm <= l1_reg else l1_reg / dual_norm
        gap_a = primal - s * Ry + 0.5 * s * s * (R_norm2 + w_l2)
        dual_scale[0] = s / l1_reg
    if b_valid:
        gap_b = primal + 0.5 * R_norm2 - Ry + (0.5 * excess2 if excess2 != 0 else 0)
    gap_screen[0] = gap_a
    # rounding can push a zero gap slightly negative; it is a bound, so clip at 0
    return fmax(0, gap_a if gap_a < gap_b else gap_b)


cdef inline floating _enet_gap(
    int n_features, const floating* w, const floating* XtR,
    floating l1_reg, floating l2_reg, floating R_norm2, floating Ry, const Penalty* pen,
    floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap of P(w) = 1/2 ||R||^2 + l1_reg ||w||_1 + sum_j l2_j/2 w_j^2 with R = y - X w
    (l2_j = l2_reg times the feature's factor, see Penalty).

    Inputs are the ingredients X^T R, ||R||^2 and R^T y, so every kernel (dense, Gram, sparse) shares
    this formula. Without boxes, two dual points are valid (see scikit-learn issue #22836 and Dünner
    et al. 2016):

    A. v = s R with s = min(1, l1_reg / max_j |X_j^T R - l2_j w_j|), the Lasso dual of the problem
       augmented with diag(sqrt(l2_j)) rows (Fercoq et al. 2015); needs l1_reg > 0.
    B. v = R in D(v) = y^T v - 1/2 ||v||^2 - sum_j (|X_j^T v| - l1_reg)_+^2 / (2 l2_j);
       needs l2_j > 0 wherever |X_j^T v| > l1_reg.

    Returns the smaller (both certify P(w) - P(w*)). *gap_screen and *dual_scale receive gap A and
    s / l1_reg, the centre of the gap-safe sphere used for screening (gap_screen = inf when A is not
    available). With boxes (other than positive) the gap is `_boxed_gap`'s and there is no screening
    sphere. With l1_reg = l2_reg = 0 there is no dual; like scikit-learn the first-order residual
    ||X^T R||^2 is returned instead.
    """
    cdef int j
    cdef floating w_l1 = 0, w_l2 = 0, dual_norm = 0, excess2 = 0, xta, t, l2_j
    cdef floating sums[4]
    cdef floating inf = 1.0 / 0.0
    cdef bint b_valid = l2_reg > 0
    cdef bint positive = pen.positive
    dual_scale[0] = 0
    gap_screen[0] = inf
    if l1_reg == 0 and l2_reg == 0:
        t = 0
        for j in range(n_features):
            t += XtR[j] * XtR[j]
        return t
    if _boxed(pen):
        return _boxed_gap(n_features, w, XtR, l1_reg, l2_reg, R_norm2, Ry, pen)
    if pen.l2_factor == NULL:
        # one l2 for every feature: no branch in the loop (B is valid iff l2_reg > 0; its excess
        # is sum_j (|X_j^T R| - l1_reg)_+^2 / l2_reg). A path's gaps run this over all p features
        # once or twice per penalty, so it must cost a fraction of the pass over X that precedes it
        # (measured 8.5 ns per feature with branches and fmax, 3 ns with four serial reductions, against
        # a 30 ns gemv column on 64 rows: vectorized in C, `fr_gap_sums_d`)
        if floating is float:
            fr_gap_sums_s(n_features, w, XtR, l1_reg, l2_reg, positive, sums)
        else:
            fr_gap_sums_d(n_features, w, XtR, l1_reg, l2_reg, positive, sums)
        w_l1, w_l2, dual_norm, excess2 = sums[0], sums[1], sums[2], sums[3]
        w_l2 *= l2_reg
        excess2 = excess2 / l2_reg if b_valid else 0
        return _two_point_gap(R_norm2, Ry, w_l1, w_l2, l1_reg, dual_norm, b_valid, excess2, gap_screen,
                              dual_scale)
    for j in range(n_features):
        l2_j = _l2_of(pen, j, l2_reg)
        w_l1 += fabs(w[j])
        w_l2 += l2_j * w[j] * w[j]
        xta = XtR[j] - l2_j * w[j]
        dual_norm = _max(dual_norm, _magnitude(xta, positive))
        t = _magnitude(XtR[j], positive) - l1_reg
        if t > 0:
            if l2_j > 0:
                excess2 += t * t / l2_j
            else:
                b_valid = False
    return _two_point_gap(R_norm2, Ry, w_l1, w_l2, l1_reg, dual_norm, b_valid, excess2, gap_screen, dual_scale)


cdef inline bint _gap_safe_keep(floating XtR_j, floating w_j, floating norm2_j,
                                floating l1_reg, floating l2_reg, floating dual_scale,
                                floating gap_screen) noexcept nogil:
    """False when feature j is provably 0 at the optimum (gap-safe sphere test, Ndiaye et al. 2017).

    theta = dual_scale * (R, -sqrt(l2_reg) w) is dual feasible for the augmented Lasso, and the optimum
    lies within sqrt(2 gap) / l1_reg of it; if |x_j^T theta| + ||x_j|| * radius < 1 then w*_j = 0.
    """
    cdef floating corr = fabs(dual_scale * (XtR_j - l2_reg * w_j))
    return (1 - corr) <= sqrt(2 * gap_screen) / l1_reg * sqrt(norm2_j + l2_reg)


cdef inline floating _primal(floating R_norm2, int n, const int* index, const floating* w,
                             floating l1_reg, floating l2_reg, const Penalty* pen) noexcept nogil:
    """P(w) = 1/2 ||R||^2 + l1_reg ||w||_1 + sum_j l2_j/2 w_j^2 from ||R||^2, with w zero outside
    the features index[:n] (index NULL: the features 0..n-1). The penalty terms are skipped when
    w = 0 (a saturated penalty never yields inf * 0)."""
    cdef int f, j
    cdef floating w_l1 = 0, w_l2 = 0
    for f in range(n):
        j = index[f] if index != NULL else f
        w_l1 += fabs(w[j])
        w_l2 += _l2_of(pen, j, l2_reg) * w[j] * w[j]
    if w_l1 == 0:
        return 0.5 * R_norm2
    return 0.5 * R_norm2 + l1_reg * w_l1 + 0.5 * w_l2


cdef inline int _screen(
    const Cols* c, floating* state, floating* S, floating* w, const floating* XtR,
    const floating* norm2, int norm2_stride, floating l1_reg, floating l2_reg, const Penalty* pen,
    floating dual_scale, floating gap_screen, int* active, int n_active,
) noexcept nogil:
    """Gap-safe screening of active[:n_active] (`_gap_safe_keep` with the sphere of the last
    `_enet_gap`): shrinks it, in order, to the features the test cannot discard; returns the new size.

    A discarded feature with a non-zero weight is set to 0 and its column added back to the state
    (state += w_j x_j along the columns c; S: see `_col_axpy`). XtR[j] is read when feature j is
    tested, so a kernel whose state is its X^T R (the Gram kernel's q) passes the same array as both
    and later tests see the earlier updates. norm2[j * norm2_stride] = ||x_j||^2 (the Gram kernel:
    G's diagonal).
    """
    cdef int k, j, kept = 0
    for k in range(n_active):
        j = active[k]
        if _gap_safe_keep(XtR[j], w[j], norm2[<size_t> j * norm2_stride], l1_reg,
                          _l2_of(pen, j, l2_reg), dual_scale, gap_screen):
            active[kept] = j
            kept += 1
        elif w[j] != 0:
            # state += w_j * x_j
            _col_axpy(c, j, w[j], state, S)
            w[j] = 0
    return kept


cdef inline Py_ssize_t _ws_distance(Py_ssize_t p, const floating* XtR, const floating* w, double l1_reg,
                                    const double* inv_norm, bint positive, double* distance) noexcept nogil:
    """The working-set solver's distances, vectorized (see rank_working_set and _fused.h); returns the
    support's size."""
    if floating is float:
        return fr_ws_distance_s(p, XtR, w, l1_reg, inv_norm, positive, distance)
    else:
        return fr_ws_distance_d(p, XtR, w, l1_reg, inv_norm, positive, distance)


cdef inline void _gather_dots(int n, const floating* X, const Py_ssize_t* cols, Py_ssize_t m,
                              const floating* r, floating* out) noexcept nogil:
    """out[k] = X[:, cols[k]] @ r, the columns read in place with prefetching (see _fused.h)."""
    if floating is float:
        fr_gather_dots_s(n, X, cols, m, r, out)
    else:
        fr_gather_dots_d(n, X, cols, m, r, out)

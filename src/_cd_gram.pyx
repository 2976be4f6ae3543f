"""Coordinate descent for the ElasticNet from sufficient statistics (covariance / Gram updates),
accelerated by Newton steps on the support.

Solves, in place and from a warm start, the same problem as the dense kernel

    minimize_w  P(w) = 1/2 ||y - X w||^2 + l1_reg ||w||_1 + l2_reg / 2 ||w||^2   (s.t. w >= 0 if positive)

but from G = X^T X, X^T y and y^T y only, keeping the gradient q = X^T R = X^T y - G w current: a moved
coordinate costs O(p) (one column of G), independent of n (glmnet's "covariance updates", Friedman,
Hastie & Tibshirani 2010, section 2.2). The duality gap is computed from the statistics too, in O(p):
||R||^2 = y^T y - w^T X^T y - w^T q and R^T y = y^T y - w^T X^T y.

Newton steps. On a fixed support S with fixed signs s the problem is a quadratic, minimized by
w_S + d with (G_SS + l2_reg I) d = q_S - l2_reg w_S - l1_reg s_S. Coordinate descent identifies S and s
in a few epochs but then converges only linearly, and very slowly when G_SS is ill-conditioned
(polynomial features, near-duplicate columns). So the kernel keeps an upper Cholesky factor U of
G_FF + l2_reg I for an ordered list F of support features, grown by blocks (trsm + syrk + potrf) as
features enter and cut back to its longest prefix still in the support as they leave, and takes the
step d, shortened to the first sign change (the objective is convex along the segment, so any
shortened step still descends; a coordinate reaching 0 is set to 0). A column whose Cholesky pivot
vanishes (the column is a combination of factored ones, e.g. a duplicate) is left out of F; its weight
stays fixed during the step. A step that would raise P (rounding on nearly singular systems) is undone.

When to try a step is a rent-or-buy rule: a Newton step is attempted once the coordinate-descent work
done since the last attempt exceeds the step's own cost (factor updates, two triangular solves and the
O(p |S|) update of q), so it can at most double the work of plain coordinate descent, and on a path, where
the support changes by a few features between penalties, it usually ends a penalty in one or two steps:
a warm start's first step is on the previous support at the new penalty (already factored), and only the
features that violate optimality after it enter. (Letting in every violator of the warm start first
entered the many features that sit near the boundary at the previous penalty and that the step would
leave out: chains of partial steps, 5x the iterations on degree-2 products.) A shortened step is tried
at scales 1, 1/2, 1/4 first, each judged from the factor in O(|S|^2) before it is applied in O(p |S|).
After a full (unshortened) step, features that violate optimality enter by one coordinate update each and
the next step follows at once (glmnet's active-set iteration, with the step solved exactly). The factor
persists across the penalties of a path (the `NewtonWorkspace` belongs to the driver) while l2_reg is
unchanged, i.e. along a Lasso path.
"""
import numpy as np

from cython cimport floating
from libc.float cimport DBL_EPSILON, FLT_EPSILON
from libc.math cimport fabs, fmax, hypot, INFINITY
from libc.stdint cimport uint32_t, int64_t
from libc.stdlib cimport calloc, malloc, free

from _blas cimport _dot, _axpy, _symv, _trsv, _trmv, _trsm_left, _syrk, _gemm, _potrf
from _cd_common cimport (
    CONVERGED, MAX_ITER, INTERRUPTED, INTERRUPT_CHECK_WORK,
    _should_stop, _propagate_pending, _rand_below, _enet_gap, _screen, _primal,
    Penalty, _penalty, _l2_of, _has_sphere, _coord_update, Cols, _dense_columns,
)

# outcomes of a Newton attempt
cdef enum:
    NEWTON_NONE = 0     # nothing to do (empty factor) or the step was undone
    NEWTON_PARTIAL = 1  # shortened at a sign change
    NEWTON_FULL = 2     # the minimizer on the support with its signs
# level-3 BLAS (trsm, syrk, potrf) runs this many times faster per multiply-add than the memory-bound
# column updates of coordinate descent; used to weigh factor updates in the rent-or-buy rule
cdef enum:
    LEVEL3_SPEEDUP = 16
# blocks of at most this many features enter the factor by one triangular solve per column: trsm packs
# U11 first, which for one column costs twice the solve (m = 1500: 1.1 ms against 0.5 ms; even at two
# columns, 1.3 against 1.0; from four on trsm is faster)
cdef enum:
    TRSV_APPEND_MAX = 2
# Newton steps with entering features in between, before coordinate descent gets an epoch again
cdef enum:
    MAX_NEWTON_CHAIN = 8
# dependent columns (vanishing pivots) skipped in one Newton attempt before the factor stops growing
cdef enum:
    MAX_DEPENDENT = 4


cdef floating _gram_gap(
    int n_features, const floating[::1] w, const floating[::1] Xty, floating yty,
    const floating[::1] q, floating l1_reg, floating l2_reg, const Penalty* pen,
    floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap at w from the statistics and q = X^T (y - X w)."""
    cdef floating wXty = _dot(n_features, &w[0], &Xty[0])
    cdef floating wq = _dot(n_features, &w[0], &q[0])
    # ||R||^2 = y'y - w'X'y - w'q, clipped: rounding can make a tiny residual negative
    cdef floating R_norm2 = fmax(0, yty - wXty - wq)
    return _enet_gap(n_features, &w[0], &q[0], l1_reg, l2_reg, R_norm2, yty - wXty, pen,
                     gap_screen, dual_scale)


cdef inline floating _gram_primal(int n_features, const floating[::1] w, const floating[::1] Xty,
                                  floating yty, const floating[::1] q, floating l1_reg, floating l2_reg,
                                  const Penalty* pen) noexcept nogil:
    """P(w) from the statistics and q (||R||^2 as in `_gram_gap`)."""
    cdef floating R_norm2 = fmax(0, yty - _dot(n_features, &w[0], &Xty[0]) - _dot(n_features, &w[0], &q[0]))
    return _primal(R_norm2, n_features, NULL, &w[0], l1_reg, l2_reg, pen)


cdef void _delete_column(int m, int k, floating[::1, :] U, int[::1] order, floating* rot_c,
                         floating* rot_s) noexcept nogil:
    """Remove position k from the upper factor U (m x m) of the features order[:m].

    Dropping column k leaves columns k..m-2 (the old k+1..m-1) with one entry below the diagonal;
    Givens rotations of rows (c, c + 1), c = k..m-2, restore the triangle without changing U^T U.
    Columns are processed left to right, each receiving the rotations found so far, so every access
    runs down a column. rot_c, rot_s: scratch of length m.
    """
    cdef int j, c, r
    cdef floating a, b, h, u_c, u_c1
    for j in range(k, m - 1):
        order[j] = order[j + 1]
        for r in range(j + 2):
            U[r, j] = U[r, j + 1]
        for c in range(k, j):
            u_c = U[c, j]
            u_c1 = U[c + 1, j]
            U[c, j] = rot_c[c] * u_c + rot_s[c] * u_c1
            U[c + 1, j] = rot_c[c] * u_c1 - rot_s[c] * u_c
        a = U[j, j]
        b = U[j + 1, j]
        h = hypot(a, b)
        rot_c[j] = a / h
        rot_s[j] = b / h
        U[j, j] = h


cdef double _newton_cost(int n_features, const floating[::1] w, const int[::1] order, int m,
                         bint factor_valid) noexcept nogil:
    """Multiply-adds of a Newton attempt from the current support (see the rent-or-buy rule)."""
    cdef int j, k
    cdef double nnz = 0, kept = 0, add, cost = 0
    for j in range(n_features):
        if w[j] != 0:
            nnz += 1
    if factor_valid:
        for k in range(m):
            if w[order[k]] == 0:
                cost += <double> (m - k) * m  # a deletion (rotations of the trailing columns)
            else:
                kept += 1
    add = nnz - kept
    # factor update (level 3), two triangular solves (level 2, about half the speed of the column
    # updates), the update of q
    return cost + (kept * kept * add + kept * add * add + add * add * add / 3) / LEVEL3_SPEEDUP \
        + 2 * nnz * nnz + nnz * n_features


cdef int _append_block(int n_features, const floating[:, :] G, floating[::1, :] U,
                       const int[::1] order, int m, int b, floating l2_reg,
                       const Penalty* pen) noexcept nogil:
    """Extend the factor U (of the features order[:m]) by the block order[m:m + b]; returns how many
    of the block's features were factored (a prefix; the next one has a vanishing pivot)."""
    cdef int r, c, jc, info, kept
    cdef int ld = U.shape[0]
    # a pivot^2 below this fraction of the column's own G_jj + l2_reg means the column is (to
    # rounding) a combination of the factored ones
    cdef floating pivot_tol = 1e4 * (FLT_EPSILON if floating is float else DBL_EPSILON)
    for c in range(b):
        jc = order[m + c]
        for r in range(m):
            U[r, m + c] = G[jc, order[r]]
        for r in range(c + 1):
            U[m + r, m + c] = G[jc, order[m + r]]
        U[m + c, m + c] += _l2_of(pen, jc, l2_reg)
    if m > 0:
        # U12 = U11^-T G[F, B]; S22 = G[B, B] + l2_reg I - U12^T U12
        if b <= TRSV_APPEND_MAX:
            for c in range(b):
                _trsv(c'U', c'T', m, &U[0, 0], ld, &U[0, m + c])
        else:
            _trsm_left(c'U', c'T', m, b, &U[0, 0], ld, &U[0, m], ld)
        _syrk(c'U', c'T', b, m, -1, &U[0, m], ld, 1, &U[m, m], ld)
    info = _potrf(c'U', b, &U[m, m], ld)
    kept = b if info == 0 else info - 1
    for r in range(kept):
        jc = order[m + r]
        if U[m + r, m + r] * U[m + r, m + r] <= pivot_tol * (G[jc, jc] + _l2_of(pen, jc, l2_reg)):
            return r
    return kept


cdef inline floating _projected_step(floating w_j, floating d_k, floating t) noexcept nogil:
    """The move of w_j in the projected step t d: t d_k, or -w_j when w_j + s d_k changes sign for some
    s <= t (the coordinate is set to 0)."""
    if (w_j > 0 and w_j + d_k <= 0) or (w_j < 0 and w_j + d_k >= 0):
        return -w_j if -w_j / d_k <= t else t * d_k
    return t * d_k


cdef bint _apply_step(int n_features, const floating[:, :] G, floating[::1] w, floating[::1] q,
                      const int[::1] order, int m, const floating[::1] d, floating t) noexcept nogil:
    """w_F += t d with every coordinate that changes sign within the step set to 0 (the projected
    step); q updated. Returns whether w moved."""
    cdef int k, j
    cdef floating step
    cdef bint moved = False
    for k in range(m):
        j = order[k]
        step = _projected_step(w[j], d[k], t)
        if step != 0:
            moved = True
            w[j] = 0 if step == -w[j] else w[j] + step
            # q -= step * G[:, j]
            _axpy(n_features, -step, &G[j, 0], &q[0])
    return moved


cdef void _apply_full_step(int n_features, const floating[:, :] G, floating[::1] w, floating[::1] q,
                           const int[::1] order, int m, const floating[::1] d, floating l1_reg,
                           floating l2_reg, const Penalty* pen, int[::1] mark, floating* s) noexcept nogil:
    """w_F += d, the full step (t = 1: no sign changes before its end; a coordinate that reaches 0 is
    set to 0), with q outside F updated exactly, O((p - m) p), and q_F from the step's own equation:
    (G_FF + l2 I) d = q_F - l2 w_F - l1 sign(w_F) gives q_F - G_FF d = l2 (w_F + d) + l1 sign(w_F),
    without the O(m p) of m column updates. That q_F holds to the rounding of the factor (which
    updates and deletions along a path accumulate): the caller marks q inexact and recomputes it
    (`_exact_q`) before anything certifies or screens from it. s: scratch of length n_features."""
    cdef int k, j
    cdef floating step, sign
    for j in range(n_features):
        s[j] = 0
        mark[j] = 0
    for k in range(m):
        j = order[k]
        mark[j] = 1
        step = _projected_step(w[j], d[k], 1)
        s[j] = step
        sign = 1 if w[j] > 0 else -1
        w[j] = 0 if step == -w[j] else w[j] + step
        q[j] = _l2_of(pen, j, l2_reg) * w[j] + sign * l1_reg
    for j in range(n_features):
        if not mark[j]:
            q[j] -= _dot(n_features, &G[j, 0], s)


cdef void _exact_q(int n_features, const floating[:, :] G, int ld, const floating[::1] Xty,
                   const floating[::1] w, floating[::1] q) noexcept nogil:
    """q = X^T y - G w afresh: one symmetric product with G (one triangle read) when most of w is
    non-zero, else its support's columns (G is symmetric: its rows, contiguous, are its columns)."""
    cdef int j, nnz = 0
    for j in range(n_features):
        q[j] = Xty[j]
        if w[j] != 0:
            nnz += 1
    if n_features == 0:
        return
    if 2 * nnz > n_features:
        # one triangle of G read (column-major, G's memory is G^T = G): half the bytes of a product
        _symv(n_features, -1, &G[0, 0], ld, &w[0], 1, &q[0])
    else:
        for j in range(n_features):
            if w[j] != 0:
                _axpy(n_features, -w[j], &G[j, 0], &q[0])


cdef floating _step_change(int m, const floating[::1, :] U, const floating[::1] w, const floating[::1] q,
                           const int[::1] order, const floating[::1] d, floating t, floating l1_reg,
                           floating l2_reg, const Penalty* pen, floating* s) noexcept nogil:
    """P(w + s) - P(w) for the projected step s of `_apply_step` at scale t, from the factor alone:
    -s^T (q_F - l2 w_F) + 1/2 ||U s||^2 + l1 (||w_F + s||_1 - ||w_F||_1), with U^T U = G_FF + l2 I.
    O(m^2) (a triangular product) instead of the O(m p) of applying the step. s: scratch of length m."""
    cdef int k, j
    cdef floating step, change = 0
    for k in range(m):
        j = order[k]
        step = _projected_step(w[j], d[k], t)
        s[k] = step
        change += l1_reg * (fabs(w[j] + step) - fabs(w[j])) - step * (q[j] - _l2_of(pen, j, l2_reg) * w[j])
    _trmv(c'U', c'N', m, &U[0, 0], U.shape[0], s)
    return change + 0.5 * _dot(m, s, s)


cdef void _save_point(int n_features, const floating[::1] w, const floating[::1] q, const int[::1] order,
                      int m, floating* saved) noexcept nogil:
    """saved[:n_features] = q, saved[n_features:n_features + m] = w_F (see `_undo_step`)."""
    cdef int k
    for k in range(n_features):
        saved[k] = q[k]
    for k in range(m):
        saved[n_features + k] = w[order[k]]


cdef void _undo_step(int n_features, floating[::1] w, floating[::1] q, const int[::1] order, int m,
                     const floating* saved) noexcept nogil:
    """w_F and q restored exactly from `_save_point` (adding the step back would leave the rounding of
    every column update in q: large steps on an ill-conditioned support made it drift)."""
    cdef int k
    for k in range(n_features):
        q[k] = saved[k]
    for k in range(m):
        w[order[k]] = saved[n_features + k]


cdef int _newton(
    int n_features, const floating[:, :] G, const floating[::1] Xty, floating yty,
    floating[::1] w, floating[::1] q, floating l1_reg, floating l2_reg, const Penalty* pen,
    floating[::1, :] U, int[::1] order, int* n_factored, double* factor_l2,
    floating[::1] d, int[::1] mark, bint* saturated, bint* q_exact,
) noexcept nogil:
    """One Newton step on the support of w (see the module docstring); updates w, q and the factor.

    U, order, *n_factored, *factor_l2, d, mark: the arrays and numbers of the `NewtonWorkspace`
    (d: scratch of length >= 4 n_features, the step, then the point before it: q and w_F).
    *saturated is set when the support holds more than
    MAX_DEPENDENT columns that are combinations of the factored ones (G_SS is singular, e.g. p > n).
    *q_exact is cleared by a full step on a factor of more than half the features (`_apply_full_step`)
    and restored when a step is undone.
    """
    cdef int m = n_factored[0], b = 0, kept, k, j, r, failures = 0
    cdef floating t = 1, t_k, before, scale
    cdef floating eps = FLT_EPSILON if floating is float else DBL_EPSILON
    cdef bint exact_before = q_exact[0]
    if factor_l2[0] != l2_reg:
        m = 0
    # features that left the support leave the factor (last first, so positions stay valid)
    for k in range(m - 1, -1, -1):
        if w[order[k]] == 0:
            _delete_column(m, k, U, order, &d[0], &d[n_features])
            m -= 1
    for j in range(n_features):
        mark[j] = 0
    for k in range(m):
        mark[order[k]] = 1
    for j in range(n_features):
        if w[j] != 0 and not mark[j]:
            order[m + b] = j
            b += 1
    while b > 0:
        kept = _append_block(n_features, G, U, order, m, b, l2_reg, pen)
        m += kept
        if kept == b:
            break
        if failures == MAX_DEPENDENT:
            saturated[0] = True
            break
        # order[m] is left out of the factor (its weight stays fixed); the features after it are
        # tried again, as a new block, a bounded number of times: each retry redoes the block's
        # triangular solve, and with p > n many columns can be dependent
        failures += 1
        for r in range(b - kept - 1):
            order[m + r] = order[m + r + 1]
        b -= kept + 1
    n_factored[0] = m
    factor_l2[0] = l2_reg
    if m == 0:
        return NEWTON_NONE

    # d = (U^T U)^-1 (q_F - l2_reg w_F - l1_reg sign(w_F))
    for k in range(m):
        j = order[k]
        d[k] = q[j] - _l2_of(pen, j, l2_reg) * w[j] - (l1_reg if w[j] > 0 else -l1_reg)
    _trsv(c'U', c'T', m, &U[0, 0], U.shape[0], &d[0])
    _trsv(c'U', c'N', m, &U[0, 0], U.shape[0], &d[0])
    for k in range(m):
        if not fabs(d[k]) < INFINITY:  # NaN or inf: the factor is useless here
            return NEWTON_NONE
        j = order[k]
        if (w[j] > 0 and w[j] + d[k] <= 0) or (w[j] < 0 and w[j] + d[k] >= 0):
            t_k = -w[j] / d[k]
            if t_k < t:
                t = t_k

    before = _gram_primal(n_features, w, Xty, yty, q, l1_reg, l2_reg, pen)
    _save_point(n_features, w, q, order, m, &d[2 * n_features])
    # first projected steps, scale 1, 1/2, 1/4 (a coordinate that changes sign within the scale is
    # set to 0, so that all the features that must leave go at once), kept if one descends
    # (each scale is first judged from the factor, in O(m^2); only a step predicted to descend is
    # applied, in O(m p), and then checked on the statistics themselves)
    scale = 1
    while t < scale and scale >= 0.25:
        if _step_change(m, U, w, q, order, d, scale, l1_reg, l2_reg, pen, &d[n_features]) < 0:
            if _apply_step(n_features, G, w, q, order, m, d, scale) and \
                    _gram_primal(n_features, w, Xty, yty, q, l1_reg, l2_reg, pen) <= before:
                return NEWTON_PARTIAL
            _undo_step(n_features, w, q, order, m, &d[2 * n_features])
        scale /= 2
    # the step shortened to the first sign change (a coordinate reaching 0 is set to 0); a full step on
    # a large factor updates q_F from the step's equation (m column updates would cost O(m p))
    if t == 1 and 2 * m > n_features:
        _apply_full_step(n_features, G, w, q, order, m, d, l1_reg, l2_reg, pen, mark, &d[n_features])
        q_exact[0] = False
    else:
        _apply_step(n_features, G, w, q, order, m, d, t)
    if _gram_primal(n_features, w, Xty, yty, q, l1_reg, l2_reg, pen) > before * (1 + 16 * eps):
        _undo_step(n_features, w, q, order, m, &d[2 * n_features])
        q_exact[0] = exact_before
        return NEWTON_NONE
    return NEWTON_FULL if t == 1 else NEWTON_PARTIAL


cdef int _enter_violators(
    int n_features, const floating[:, :] G, floating[::1] w, floating[::1] q,
    floating l1_reg, floating l2_reg, const Penalty* pen, const int[::1] active, int n_active,
) noexcept nogil:
    """One coordinate update of every zero feature among active[:n_active]; returns how many moved."""
    cdef int f, j, entered = 0
    cdef floating w_new
    for f in range(n_active):
        j = active[f]
        if w[j] == 0:
            w_new = _coord_update(q[j], l1_reg, G[j, j] + _l2_of(pen, j, l2_reg), pen, j)
            if w_new != 0:
                # q -= w_new * G[:, j]
                _axpy(n_features, -w_new, &G[j, 0], &q[0])
                w[j] = w_new
                entered += 1
    return entered


ctypedef struct GramOptions:
    # the per-call scalars of `enet_cd_gram`, converted by Cython from a dict (or any mapping) with
    # exactly these keys (a missing one raises ValueError, others are ignored)
    int max_iter        # maximum number of epochs (a Newton step counts as one)
    double tol          # duality-gap target, in the units of P (rounded to the kernel's dtype)
    uint32_t seed       # state of the random generator for random coordinate order (0 is taken as 1)
    bint random         # random coordinate order instead of cyclic
    bint positive       # w >= 0
    bint screening      # gap-safe screening
    bint newton         # Newton steps on the support (off: plain coordinate descent; off with boxes)


cdef class NewtonWorkspace:
    """The Gram kernel's Newton state, kept by a driver across the penalties of a path, and the
    kernel's scratch (so that a call allocates nothing).

    U : (capacity, capacity) Fortran array of the kernel's dtype; U[:k, :k], k = n_factored, is the
        upper Cholesky factor of G_FF + factor_l2 I for the features F = order[:k].
    order : (capacity,) intc.
    n_factored : the number of factored features (0: no factor).
    factor_l2 : the l2_reg the factor was built for (-1 before any; a factor built for another l2_reg
        is dropped by the kernel).
    A kernel call on n_features <= capacity features uses the leading block; indices in order are
    positions among those features, so a driver that grows its problem by appending features (the
    lazy Gram solver) keeps the factor valid, and `reserve` grows the capacity keeping it.
    """
    cdef readonly object U
    cdef readonly object order
    cdef readonly object dtype
    cdef readonly int n_factored
    cdef readonly double factor_l2
    # scratch: the step and the saved point (4 capacity), marks of factored features, the active set
    cdef object d
    cdef object mark
    cdef object active

    def __init__(self, Py_ssize_t capacity, dtype):
        self.dtype = np.dtype(dtype)
        if self.dtype != np.float32 and self.dtype != np.float64:
            raise TypeError("the Newton workspace is float32 or float64")
        self.n_factored = 0
        self.factor_l2 = -1.0
        self.U = np.empty((capacity, capacity), dtype=self.dtype, order="F")
        self.order = np.empty(capacity, dtype=np.intc)
        self._scratch(capacity)

    cdef _scratch(self, Py_ssize_t capacity):
        self.d = np.empty(4 * capacity, dtype=self.dtype)
        self.mark = np.empty(capacity, dtype=np.intc)
        self.active = np.empty(capacity, dtype=np.intc)

    @property
    def capacity(self):
        return self.U.shape[0]

    def reserve(self, Py_ssize_t n_features):
        """Room for n_features at least: the capacity doubles (or becomes n_features when that is
        more), the factor U[:k, :k] and order[:k] (k = n_factored) kept."""
        cdef Py_ssize_t capacity = self.U.shape[0], k = self.n_factored
        if n_features <= capacity:
            return
        capacity = max(n_features, 2 * capacity)
        U = np.empty((capacity, capacity), dtype=self.dtype, order="F")
        U[:k, :k] = self.U[:k, :k]
        order = np.empty(capacity, dtype=np.intc)
        order[:k] = self.order[:k]
        self.U, self.order = U, order
        self._scratch(capacity)


def enet_cd_gram(
    floating[::1] w,
    floating l1_reg,
    floating l2_reg,
    const floating[:, :] G,
    const floating[::1] Xty,
    floating yty,
    floating[::1] q,
    GramOptions options,
    NewtonWorkspace workspace=None,
    *,
    const floating[::1] l2_factor=None,
    const floating[::1] lower=None,
    const floating[::1] upper=None,
):
    """Solve one ElasticNet problem from G = X^T X, X^T y, y^T y, in place (see the module docstring).

    Parameters
    ----------
    w : (n_features,) warm start, overwritten with the solution.
    l1_reg, l2_reg : penalties of the n-scaled objective P(w).
    G : (n_features, n_features) symmetric Gram matrix with contiguous rows (row j = column j): C order,
        or the leading block of a larger C array (the working-set solver's G_MM grows in one).
    Xty, yty : X^T y and y^T y.
    q : (n_features,) X^T y - G w on entry, kept equal to it on exit.
    options : a dict with the keys of `GramOptions` (max_iter, tol, seed, random, positive, screening,
        newton; see there). The gap costs O(p) and is evaluated after every epoch and Newton step.
    workspace : the `NewtonWorkspace` (the kernel's dtype, capacity >= n_features) kept by the caller
        across penalties, or None for a fresh one (no factor to start from).
    l2_factor, lower, upper : as the residual kernel (per-feature l2 multipliers, box constraints).

    Returns
    -------
    gap, n_iter, status : as the dense kernel.
    """
    cdef int n_features = G.shape[0]
    if G.shape[1] != n_features or (n_features > 1 and (
            G.strides[1] != sizeof(floating) or G.strides[0] < n_features * G.strides[1]
            or G.strides[0] % G.strides[1])):
        raise ValueError("G must be square with contiguous rows (C order, or a leading block of a C array)")
    if workspace is None:
        workspace = NewtonWorkspace(n_features, np.float32 if floating is float else np.float64)
    elif workspace.capacity < n_features:
        raise ValueError("the Newton workspace has room for fewer features than G (see its reserve)")
    # the workspace's arrays (a dtype other than the kernel's raises here)
    cdef floating[::1, :] U = workspace.U
    cdef int[::1] order = workspace.order
    cdef floating[::1] d = workspace.d
    cdef int[::1] mark = workspace.mark
    cdef int[::1] active = workspace.active
    cdef int* n_factored = &workspace.n_factored
    cdef double* factor_l2 = &workspace.factor_l2
    # G's rows as the columns q moves along (G is symmetric): q -= a G[:, j]
    cdef Cols g = _dense_columns(&G[0, 0] if n_features else NULL, n_features, n_features)
    # (G may be the leading block of a larger C array, whose rows lie G.strides[0] bytes apart)
    g.ld = <int> (G.strides[0] // sizeof(floating)) if n_features else 0
    cdef int n_active = 0
    cdef int f, j, n_iter = 0, status = MAX_ITER, outcome, chain = 0
    cdef int max_iter = options.max_iter
    cdef floating tol = <floating> options.tol
    cdef bint random = options.random
    cdef floating w_j, w_new, d_w, gap, gap_screen, dual_scale
    cdef floating S = 0  # (the centering scalar of sparse columns; G's are dense)
    cdef long work = 0
    cdef double credit = 0
    cdef bint saturated = False
    # q equals X^T y - G w to the rounding of its column updates; a full Newton step on a large factor
    # leaves q_F to the factor's rounding instead (`_apply_full_step`): q is recomputed before a gap
    # ends the call, before screening and coordinate descent, and on exit
    cdef bint q_exact = True
    cdef uint32_t rng_state = options.seed if options.seed != 0 else 1
    cdef Penalty pen = _penalty(options.positive, l2_factor, lower, upper, n_features)
    # boxes: no gap-safe sphere, and Newton steps would need projections onto them
    cdef bint screening = options.screening and _has_sphere(l1_reg, &pen)
    cdef bint newton = options.newton and _has_sphere(l1_reg, &pen)

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

        gap = _gram_gap(n_features, w, Xty, yty, q, l1_reg, l2_reg, &pen, &gap_screen, &dual_scale)
        # on a path the warm start's support is usually already factored: allow a step at once if it
        # needs no factor update
        if newton:
            for j in range(n_features):
                if w[j] != 0:
                    credit += 1
            if credit > 0 and gap > tol:
                # a warm start on a path: the features that violate optimality at this penalty enter
                # first, and a Newton step follows at once if it costs at most a few epochs
                credit = INFINITY
        while n_iter < max_iter:
            if gap <= tol:
                if q_exact:
                    break
                _exact_q(n_features, G, g.ld, Xty, w, q)
                q_exact = True
                gap = _gram_gap(n_features, w, Xty, yty, q, l1_reg, l2_reg, &pen, &gap_screen, &dual_scale)
                if gap <= tol:
                    break
            if newton and credit >= _newton_cost(n_features, w, order, n_factored[0],
                                                 factor_l2[0] == l2_reg):
                # a Newton step costs about what coordinate descent did since the last one
                work += <long> credit if credit < INTERRUPT_CHECK_WORK else INTERRUPT_CHECK_WORK
                if _should_stop(&work):
                    status = INTERRUPTED
                    break
                credit = 0
                outcome = _newton(n_features, G, Xty, yty, w, q, l1_reg, l2_reg, &pen, U, order,
                                  n_factored, factor_l2, d, mark, &saturated, &q_exact)
                if saturated:
                    # the support is rank-deficient: Newton steps on a part of it, the rest held
                    # fixed, make little progress; coordinate descent finishes this penalty
                    newton = False
                if outcome != NEWTON_NONE:
                    n_iter += 1
                    gap = _gram_gap(n_features, w, Xty, yty, q, l1_reg, l2_reg, &pen, &gap_screen,
                                    &dual_scale)
                    if gap <= tol or n_iter >= max_iter:
                        continue  # (the loop's head ends the call, q made exact first)
                    if outcome == NEWTON_PARTIAL and chain < MAX_NEWTON_CHAIN:
                        # a feature left at a sign change: step again on the smaller support
                        chain += 1
                        credit = INFINITY
                        continue
                    if outcome == NEWTON_FULL and chain < MAX_NEWTON_CHAIN:
                        # the support is optimal for its signs: let the violators in, then step again
                        chain += 1
                        if _enter_violators(n_features, G, w, q, l1_reg, l2_reg, &pen, active,
                                            n_active) > 0:
                            credit = INFINITY
                            continue
            chain = 0
            if not q_exact:
                # screening and the coordinate updates read q: exact first
                _exact_q(n_features, G, g.ld, Xty, w, q)
                q_exact = True
                gap = _gram_gap(n_features, w, Xty, yty, q, l1_reg, l2_reg, &pen, &gap_screen, &dual_scale)
                if gap <= tol:
                    continue
            if screening:
                # q is this kernel's X^T R: the test of each feature sees the earlier discards (q += w_j G[:, j])
                n_active = _screen(&g, &q[0], &S, &w[0], &q[0], &G[0, 0], g.ld + 1, l1_reg, l2_reg,
                                   &pen, dual_scale, gap_screen, &active[0], n_active)
            for f in range(n_active):
                j = active[_rand_below(n_active, &rng_state) if random else f]
                w_j = w[j]
                w_new = _coord_update(q[j] + w_j * G[j, j], l1_reg, G[j, j] + _l2_of(&pen, j, l2_reg), &pen, j)
                d_w = w_new - w_j
                if d_w != 0:
                    # q -= (w_new - w_j) * G[:, j]
                    _axpy(n_features, -d_w, &G[j, 0], &q[0])
                    w[j] = w_new
                    work += n_features
                    credit += n_features
                work += 1
                credit += 1
                if _should_stop(&work):
                    status = INTERRUPTED
                    break
            if status == INTERRUPTED:
                break
            n_iter += 1
            gap = _gram_gap(n_features, w, Xty, yty, q, l1_reg, l2_reg, &pen, &gap_screen,
                            &dual_scale)
        if not q_exact:  # (max_iter or an interrupt after a full step)
            _exact_q(n_features, G, g.ld, Xty, w, q)
            gap = _gram_gap(n_features, w, Xty, yty, q, l1_reg, l2_reg, &pen, &gap_screen, &dual_scale)
        if gap <= tol:
            status = CONVERGED

    if status == INTERRUPTED:
        _propagate_pending()
    return float(gap), n_iter, status


def enet_gap_gram(const floating[::1] w, const floating[::1] Xty, floating yty, const floating[::1] q,
                  floating l1_reg, floating l2_reg, bint positive, const floating[::1] l2_factor=None,
                  const floating[::1] lower=None, const floating[::1] upper=None):
    """The duality gap at w from X^T y, y^T y and q = X^T y - G w (for drivers that keep q themselves,
    e.g. over all features while the kernel solves on a subset)."""
    cdef floating gap_screen, dual_scale
    cdef Penalty pen = _penalty(positive, l2_factor, lower, upper, w.shape[0])
    return float(_gram_gap(w.shape[0], w, Xty, yty, q, l1_reg, l2_reg, &pen, &gap_screen, &dual_scale))


cdef extern from *:
    """
    #define FASTREG_PREFETCH(address) __builtin_prefetch((const void*) (address))
    """
    void _prefetch "FASTREG_PREFETCH"(const void* address) noexcept nogil

# sparse_gram_into: the row tails of entries this many ahead are prefetched; tiles of the final
# mirroring
cdef enum:
    PREFETCH_AHEAD = 16
    MIRROR_TILE = 64
# sparse_gram_into: a visit of a row's tail costs about this many entries read in order
cdef enum:
    DENSE_VISIT_COST = 16
SPARSE_VISIT_COST = DENSE_VISIT_COST  # (the same, for the threads' split in `fastreg._stats.sparse_gram`)
# csc_to_csr: rows per block of the transpose (their output fits in cache)
cdef enum:
    TRANSPOSE_BLOCK_ROWS = 4096
# syrk_product_into: the column whose run is prefetched while one is widened to float64, this many ahead
cdef enum:
    WIDEN_AHEAD = 16


cdef void _mirror_upper(floating* G, Py_ssize_t p) noexcept nogil:
    """The strict lower triangle of the C-ordered (p, p) G from its upper one, by tiles (a column-by-
    column mirror writes a new cache line per entry)."""
    cdef Py_ssize_t jb = 0, kb, j, k, j_end, k_end
    while jb < p:
        j_end = min(jb + MIRROR_TILE, p)
        kb = jb
        while kb < p:
            k_end = min(kb + MIRROR_TILE, p)
            for j in range(jb, j_end):
                for k in range(max(kb, j + 1), k_end):
                    G[k * p + j] = G[j * p + k]
            kb += MIRROR_TILE
        jb += MIRROR_TILE


def csc_to_csr(const floating[::1] col_data, const int[::1] col_rows, const int64_t[::1] col_ptr, int n_rows,
               bint tails=False, const unsigned char[::1] skip=None, bint values=True):
    """The CSR arrays (data, int32 column indices sorted within each row, int64 row pointers) of the
    CSC matrix (col_data, col_rows, col_ptr) with n_rows rows, whose row indices must be sorted within
    each column (canonical CSC: checked). tails: two more arrays in the CSC order, for
    `sparse_gram_into`: where the row of the a-th stored entry continues in the CSR arrays (int64: the
    entry itself, then the row's later columns) and how many entries that is (int32). Blocks of TRANSPOSE_BLOCK_ROWS rows at a time, each column's cursor
    moving through the block's rows: every write lands in the block's few rows, which stay in cache
    (scattering the entries over all the rows at once, as scipy's conversion does, missed the cache at
    nearly every entry: 3.5x slower on one-hot data with 300000 rows). skip (uint8 per column, or None):
    the columns left out of the CSR arrays (not with tails). values False: the CSR data are not
    written (an empty array is returned for them: values all 1, say). Releases the GIL."""
    cdef Py_ssize_t p = col_ptr.shape[0] - 1, j, i, i0, i1
    cdef int64_t a, b, nnz = col_ptr[p] if p >= 0 else 0, kept
    if p < 0 or col_rows.shape[0] < nnz or col_data.shape[0] < nnz or n_rows < 0:
        raise ValueError("col_ptr needs p + 1 entries and col_rows, col_data its nnz")
    cdef bint skipping = skip is not None
    if skipping and (skip.shape[0] != p or tails):
        raise ValueError("skip needs one entry per column, and no tails")
    kept = nnz
    if skipping:
        for j in range(p):
            if skip[j]:
                kept -= col_ptr[j + 1] - col_ptr[j]
    dtype = np.float32 if floating is float else np.float64
    row_data_a = np.empty(kept if values else 0, dtype=dtype)
    row_cols_a = np.empty(kept, dtype=np.intc)
    row_ptr_a = np.zeros(n_rows + 1, dtype=np.int64)
    cursor_a = np.empty(max(p, 1), dtype=np.int64)
    fill_a = np.empty(max(n_rows, 1), dtype=np.int64)
    tail_a = np.empty(nnz if tails else 0, dtype=np.int64)
    length_a = np.empty(nnz if tails else 0, dtype=np.intc)
    cdef floating[::1] row_data = row_data_a
    cdef int[::1] row_cols = row_cols_a
    cdef int64_t[::1] row_ptr = row_ptr_a, cursor = cursor_a, fill = fill_a, tail = tail_a
    cdef int[::1] length = length_a
    cdef bint bad = False
    with nogil:
        for j in range(p):
            for a in range(col_ptr[j], col_ptr[j + 1]):
                i = col_rows[a]
                if i < 0 or i >= n_rows or (a > col_ptr[j] and i <= col_rows[a - 1]):
                    bad = True
                    break
                if not (skipping and skip[j]):
                    row_ptr[i + 1] += 1
            if bad:
                break
        if not bad:
            for i in range(n_rows):
                row_ptr[i + 1] += row_ptr[i]
                fill[i] = row_ptr[i]
            for j in range(p):
                cursor[j] = col_ptr[j]
            i0 = 0
            while i0 < n_rows:
                i1 = min(i0 + TRANSPOSE_BLOCK_ROWS, n_rows)
                for j in range(p):
                    if skipping and skip[j]:
                        continue
                    a = cursor[j]
                    while a < col_ptr[j + 1] and col_rows[a] < i1:
                        i = col_rows[a]
                        b = fill[i]
                        row_cols[b] = <int> j
                        if values:
                            row_data[b] = col_data[a]
                        fill[i] = b + 1
                        if tails:
                            tail[a] = b
                            length[a] = <int> (row_ptr[i + 1] - b)
                        a += 1
                    cursor[j] = a
                i0 = i1
    if bad:
        raise ValueError("the CSC row indices must lie in [0, n_rows) and increase within each column")
    if tails:
        return row_data_a, row_cols_a, row_ptr_a, tail_a, length_a
    return row_data_a, row_cols_a, row_ptr_a


def sparse_gram_into(floating[:, ::1] G, const floating[::1] col_data, const int[::1] col_rows,
                     const int64_t[::1] col_ptr, int n_rows, const int64_t[::1] tail, const int[::1] length,
                     const floating[::1] row_data, const int[::1] row_cols, const floating[::1] col_factor,
                     const floating[::1] center, double sw_sum, int start=0, int stop=-1, bint finish=True):
    """G = X^T X - sw_sum m m^T for a sparse X with n_rows rows given by columns (CSC: col_data,
    col_rows, col_ptr) and by rows (CSR: row_data, row_cols, with sorted columns), linked by
    `csc_to_csr`'s tails: the a-th stored entry (i, j) in the column order continues row i at tail[a]
    in the CSR arrays, for length[a] entries (itself, then the row's later columns).

    Row j of G is sum over the rows i stored in column j of x_ij times row i of X, from column j on:
    sum over rows of nnz_row (nnz_row + 1) / 2 multiply-adds in all (one-hot data: O(n k^2) for k
    categorical variables, whatever p), scattered into one row of G at a time, which stays in cache.
    The rows are visited in the column's order, i.e. at random in memory, so a visit reads the row's
    tail only (found from tail and length, read in order) and is prefetched a few entries ahead;
    cursors per row and the row pointers cost two more cache misses per visit (measured 1.5x slower on
    one-hot data with 300000 rows). A nearly dense column late in the order (a numeric column among
    one-hot levels) would pay a visit per row for a short tail each: when its entries times
    DENSE_VISIT_COST exceed n_rows plus the stored entries from it on, its row of G is instead the
    products of the later columns with it, scattered into a dense vector once (read in order: the 3
    numeric columns of that one-hot problem cost a third of its product as visits). Only the upper
    triangle is formed, then scaled by the column factors f (X's column j is f_j times the stored one;
    empty: ones), centered (m: the scaled columns' means, or empty for none) and mirrored, by tiles (a
    column-by-column mirror writes a new cache line per entry). G must be zero on entry. Releases the
    GIL.

    start, stop (-1: p): only rows [start, stop) of the upper triangle are formed, each from its own
    column, so that threads can share the product (`fastreg._design.sparse_gram`); finish: then the
    scaling, centering and mirroring of the whole matrix (once every row is formed).
    """
    cdef int p = G.shape[0]
    cdef int j, k
    cdef int64_t a, b, e, nnz
    cdef floating v, c, g
    cdef floating* G_j
    cdef bint centered = center.shape[0] == p
    cdef bint scaled = col_factor.shape[0] == p
    if G.shape[1] != p or (center.shape[0] != 0 and not centered) or col_ptr.shape[0] != p + 1 or \
            (col_factor.shape[0] != 0 and not scaled):
        raise ValueError("G must be p x p, col_ptr of length p + 1, center and col_factor of length p "
                         "(or empty)")
    nnz = col_ptr[p]
    if col_data.shape[0] < nnz or col_rows.shape[0] < nnz or tail.shape[0] < nnz or length.shape[0] < nnz \
            or row_cols.shape[0] < nnz or row_data.shape[0] < nnz:
        raise ValueError("col_data, col_rows, tail, length, row_cols and row_data need an entry per stored value")
    if stop < 0:
        stop = p
    if not 0 <= start <= stop <= p:
        raise ValueError("the rows [start, stop) must lie in [0, p)")
    # the columns whose row of G is computed from a dense copy of them (see above)
    cdef bint any_dense = False
    for j in range(start, stop):
        if (col_ptr[j + 1] - col_ptr[j]) * DENSE_VISIT_COST > n_rows + (nnz - col_ptr[j]):
            any_dense = True
            break
    cdef floating[::1] dense = np.zeros(n_rows if any_dense else 0, dtype=np.float32 if floating is float else np.float64)
    # (the dense route indexes the dense copy by the row indices of the first such column and every later one)
    for a in range(col_ptr[j] if any_dense else 0, nnz if any_dense else 0):
        if col_rows[a] < 0 or col_rows[a] >= n_rows:
            raise ValueError("the CSC row indices must lie in [0, n_rows)")
    with nogil:
        for j in range(start, stop):
            G_j = &G[j, 0]
            if any_dense and (col_ptr[j + 1] - col_ptr[j]) * DENSE_VISIT_COST > n_rows + (nnz - col_ptr[j]):
                for a in range(col_ptr[j], col_ptr[j + 1]):
                    dense[col_rows[a]] = col_data[a]
                for k in range(j, p):
                    g = 0
                    for a in range(col_ptr[k], col_ptr[k + 1]):
                        g += col_data[a] * dense[col_rows[a]]
                    G_j[k] += g
                for a in range(col_ptr[j], col_ptr[j + 1]):
                    dense[col_rows[a]] = 0
                continue
            for a in range(col_ptr[j], col_ptr[j + 1]):
                if a + PREFETCH_AHEAD < nnz:
                    _prefetch(&row_cols[tail[a + PREFETCH_AHEAD]])
                    _prefetch(&row_data[tail[a + PREFETCH_AHEAD]])
                v = col_data[a]
                b = tail[a]
                e = b + length[a]
                # row i's entries from column j on (the first is (i, j) itself): the upper triangle
                while b < e:
                    G_j[row_cols[b]] += v * row_data[b]
                    b += 1
        if finish:
            # the scaling and centering row by row (contiguous, one loop per case: vectorized), then the
            # mirroring alone by tiles
            if scaled or centered:
                for j in range(p):
                    G_j = &G[j, 0]
                    v = col_factor[j] if scaled else 1
                    c = <floating> sw_sum * center[j] if centered else 0
                    if scaled and centered:
                        for k in range(j, p):
                            G_j[k] = G_j[k] * (v * col_factor[k]) - c * center[k]
                    elif scaled:
                        for k in range(j, p):
                            G_j[k] = G_j[k] * (v * col_factor[k])
                    else:
                        for k in range(j, p):
                            G_j[k] = G_j[k] - c * center[k]
            _mirror_upper(&G[0, 0], p)


# sparse_gram_columns_into: a column whose stored entries times this many (a visit of its rows, at random
# in memory, each reading the row) exceed X's stored entries is nearly dense: its products come from
# one ordered pass over X against a dense copy of it instead, and up to DENSE_HELD_COLUMNS such columns
# are held apart, row-major, out of the row-major copy of X (`fastreg._design.SparseDesign._rows`); at most
# DENSE_BLOCK_COLUMNS of them share a pass
cdef enum:
    COLUMN_VISIT_COST = 24
    DENSE_BLOCK_COLUMNS = 8
    DENSE_HELD_COLUMNS = 32
    ROW_AHEAD = 32
SPARSE_COLUMN_VISIT_COST = COLUMN_VISIT_COST
SPARSE_DENSE_HELD_COLUMNS = DENSE_HELD_COLUMNS


def sparse_gram_columns_into(floating[::1, :] out, const int64_t[::1] features, const floating[::1] col_data,
                             const int[::1] col_rows, const int64_t[::1] col_ptr, int n_rows,
                             const int64_t[::1] row_ptr, const floating[::1] row_data, const int[::1] row_cols,
                             const int64_t[::1] held, const floating[:, ::1] D):
    """out[:, i] = X^T x_f, f = features[i], of a sparse X given by columns (CSC: col_data, col_rows,
    col_ptr, canonical) and by rows: the columns of the raw X^T X that `LazyGramSolver` asks for, on
    demand. The rows are the CSR arrays (row_ptr, row_data, row_cols, from `csc_to_csr`) of every
    column but the `held` ones, whose values are D (n_rows x len(held), row-major: D[:, t] is column
    held[t] in full); `held` may be empty (the CSR then holds every column). An empty row_data: the
    values of the columns not held are all 1 (indicators: one-hot levels, flags).

    A column with few stored entries visits the rows it is stored in and scatters each row (its CSR
    part, then its held values) into its output column (sum over its rows of nnz_row multiply-adds;
    the output, p values, stays in cache; the rows are read at random, prefetched a few visits ahead).
    Holding the nearly dense columns (numeric columns among one-hot levels) apart keeps the rows short:
    on a 300000-row one-hot problem with 3 numeric columns, 8 values per row instead of 11, one cache
    line of row values instead of two. A nearly dense column (stored entries times COLUMN_VISIT_COST
    over X's: its visits would read all of X, each row at random) is instead copied into a dense block
    of up to DENSE_BLOCK_COLUMNS such columns, and its products come from one pass over the rows in
    order, each row's values times its row of the block, scattered into p x (block) float64 sums that
    stay in cache (the same pass in column order gathered the block's rows at random: 26 against 12
    ms for the 3 numeric columns of that problem). Sums in the dtype of X, the dense block's in
    float64. Releases the GIL."""
    cdef Py_ssize_t p = col_ptr.shape[0] - 1, b = features.shape[0], m = held.shape[0], n_dense = 0, i, t, d, k, h
    cdef int64_t a, r, r_end, nnz = col_ptr[p] if p >= 0 else 0, row_nnz
    cdef int64_t f
    cdef floating v
    cdef floating* out_i
    cdef const floating* D_i
    cdef double* W_i
    if out.shape[0] != p or out.shape[1] != b or row_ptr.shape[0] != n_rows + 1:
        raise ValueError("out must be (p, len(features)) and row_ptr of length n_rows + 1")
    if m and (D.shape[0] != n_rows or D.shape[1] != m):
        raise ValueError("D must be (n_rows, len(held))")
    position_a = np.full(max(p, 1), -1, dtype=np.intp)  # of each held column in D, -1 for the others
    cdef Py_ssize_t[::1] position = position_a
    row_nnz = nnz
    for h in range(m):
        if held[h] < 0 or held[h] >= p or position[held[h]] >= 0:
            raise ValueError("held must be distinct column indices of X")
        position[held[h]] = h
        row_nnz -= col_ptr[held[h] + 1] - col_ptr[held[h]]
    # (no CSR data: the values of the columns not held are all 1)
    cdef bint unit = row_data.shape[0] == 0
    if col_rows.shape[0] < nnz or col_data.shape[0] < nnz or row_cols.shape[0] < row_nnz \
            or (row_data.shape[0] < row_nnz and not unit) or row_ptr[n_rows] != row_nnz:
        raise ValueError("the CSR arrays must hold the stored values of the columns not held")
    for i in range(b):
        if features[i] < 0 or features[i] >= p:
            raise ValueError("features must be column indices of X")
    dense_of = np.full(b, -1, dtype=np.intp)
    cdef Py_ssize_t[::1] dense_slot = dense_of
    cdef Py_ssize_t n_copied = 0
    for i in range(b):
        f = features[i]
        if (col_ptr[f + 1] - col_ptr[f]) * COLUMN_VISIT_COST > nnz:
            dense_slot[i] = n_dense
            n_dense += 1
            n_copied += position[f] < 0
    cdef Py_ssize_t width = min(n_dense, DENSE_BLOCK_COLUMNS)
    # the dense copies of a block's columns (a held column's is its column of D: no copy)
    block_a = np.zeros((n_rows if n_copied else 0, max(width, 1)), dtype=np.float64)
    cdef double[:, ::1] W = block_a
    cdef double w_row[DENSE_BLOCK_COLUMNS]
    cdef Py_ssize_t source[DENSE_BLOCK_COLUMNS]
    cdef bint copied
    sums_a = np.zeros(p * width if width else 1, dtype=np.float64)
    cdef double[::1] S = sums_a
    cdef double* S_k
    cdef Py_ssize_t dense_cols[DENSE_BLOCK_COLUMNS]
    cdef Py_ssize_t first = 0
    with nogil:
        for i in range(b):
            out_i = &out[0, i]
            for k in range(p):
                out_i[k] = 0
            if dense_slot[i] >= 0:
                continue
            f = features[i]
            for a in range(col_ptr[f], col_ptr[f + 1]):
                # (the row pointer, then the row itself, its first two lines of values)
                if a + ROW_AHEAD < col_ptr[f + 1]:
                    _prefetch(&row_ptr[col_rows[a + ROW_AHEAD]])
                if a + ROW_AHEAD // 2 < col_ptr[f + 1]:
                    r = row_ptr[col_rows[a + ROW_AHEAD // 2]]
                    _prefetch(&row_cols[r])
                    if not unit:
                        _prefetch(&row_data[r])
                        _prefetch(&row_data[r] + 8)
                    if m:
                        _prefetch(&D[col_rows[a + ROW_AHEAD // 2], 0])
                v = col_data[a]
                r_end = row_ptr[col_rows[a] + 1]
                if unit:
                    for r in range(row_ptr[col_rows[a]], r_end):
                        out_i[row_cols[r]] += v
                else:
                    for r in range(row_ptr[col_rows[a]], r_end):
                        out_i[row_cols[r]] += v * row_data[r]
                if m:
                    D_i = &D[col_rows[a], 0]
                    for h in range(m):
                        out_i[held[h]] += v * D_i[h]
        # the dense columns, DENSE_BLOCK_COLUMNS at a time: one ordered pass over the rows per block
        while first < n_dense:
            d = 0
            copied = False
            for i in range(b):
                if dense_slot[i] >= first and dense_slot[i] < first + width:
                    dense_cols[d] = i
                    f = features[i]
                    source[d] = position[f]
                    if position[f] < 0:
                        copied = True
                        for a in range(col_ptr[f], col_ptr[f + 1]):
                            W[col_rows[a], d] = col_data[a]
                    d += 1
            for k in range(p * width):
                S[k] = 0
            for k in range(n_rows):
                # the block's values in row k (from D for held columns)
                W_i = &W[k, 0] if copied else NULL
                for t in range(d):
                    w_row[t] = D[k, source[t]] if source[t] >= 0 else W_i[t]
                for r in range(row_ptr[k], row_ptr[k + 1]):
                    S_k = &S[row_cols[r] * width]
                    if unit:
                        for t in range(d):
                            S_k[t] += w_row[t]
                    else:
                        v = row_data[r]
                        for t in range(d):
                            S_k[t] += v * w_row[t]
                if m:
                    D_i = &D[k, 0]
                    for h in range(m):
                        S_k = &S[held[h] * width]
                        v = D_i[h]
                        for t in range(d):
                            S_k[t] += v * w_row[t]
            for k in range(p):
                for t in range(d):
                    out[k, dense_cols[t]] = <floating> S[k * width + t]
            for t in range(d):
                f = features[dense_cols[t]]
                if source[t] < 0:
                    for a in range(col_ptr[f], col_ptr[f + 1]):
                        W[col_rows[a], t] = 0
            first += width


cdef enum:
    MOMENT_LANES = 8


def csc_column_moments(const floating[::1] data, const int[::1] rows, const int64_t[::1] ptr,
                       const double[::1] sw):
    """(sums, sums of squares) of each column of a CSC matrix (data, int32 row indices, int64 column
    pointers), weighted by the rows' sw (empty: unweighted), in float64, and the largest |value|: one
    pass over the stored values (the NumPy version made five, with a temporary). Releases the GIL."""
    cdef Py_ssize_t p = ptr.shape[0] - 1, j
    cdef int64_t a, nnz = ptr[p] if p >= 0 else 0
    cdef bint weighted = sw.shape[0] > 0
    cdef double x, wx, s, q, amax = 0
    if p < 0 or data.shape[0] < nnz or rows.shape[0] < nnz:
        raise ValueError("ptr needs p + 1 entries and data, rows its nnz")
    sums_a = np.zeros(p, dtype=np.float64)
    squares_a = np.zeros(p, dtype=np.float64)
    cdef double[::1] sums = sums_a, squares = squares_a
    if weighted:
        for a in range(nnz):
            if rows[a] < 0 or rows[a] >= sw.shape[0]:
                raise ValueError("the row indices must lie in [0, len(sw))")
    cdef double s4[MOMENT_LANES]
    cdef double q4[MOMENT_LANES]
    cdef double m4[MOMENT_LANES]
    cdef int lane
    for lane in range(MOMENT_LANES):
        m4[lane] = 0
    with nogil:
        for j in range(p):
            # (MOMENT_LANES running sums, entry a in lane a modulo MOMENT_LANES from the column's
            # start: a rounding error that grows with an eighth of the column's length, as NumPy's
            # blocked sums' does; the lanes vectorize)
            for lane in range(MOMENT_LANES):
                s4[lane] = 0
                q4[lane] = 0
            a = ptr[j]
            if weighted:
                while a + MOMENT_LANES <= ptr[j + 1]:
                    for lane in range(MOMENT_LANES):
                        x = data[a + lane]
                        m4[lane] = fmax(m4[lane], fabs(x))
                        wx = x * sw[rows[a + lane]]
                        s4[lane] += wx
                        q4[lane] += wx * x
                    a += MOMENT_LANES
            else:
                while a + MOMENT_LANES <= ptr[j + 1]:
                    for lane in range(MOMENT_LANES):
                        x = data[a + lane]
                        m4[lane] = fmax(m4[lane], fabs(x))
                        s4[lane] += x
                        q4[lane] += x * x
                    a += MOMENT_LANES
            lane = 0
            while a < ptr[j + 1]:
                x = data[a]
                m4[lane] = fmax(m4[lane], fabs(x))
                wx = x * sw[rows[a]] if weighted else x
                s4[lane] += wx
                q4[lane] += wx * x
                a += 1
                lane += 1
            s = 0
            q = 0
            for lane in range(MOMENT_LANES):
                s += s4[lane]
                q += q4[lane]
            sums[j] = s
            squares[j] = q
    for lane in range(MOMENT_LANES):
        amax = fmax(amax, m4[lane])
    return sums_a, squares_a, amax


ctypedef fused data_t:
    float
    double


cdef extern from "_fused.h" nogil:
    double fr_shift_column_dd(Py_ssize_t m, const double* x, double shift, const double* scale, double* out,
                              double* poison)
    double fr_shift_row_dd(Py_ssize_t p, const double* x, const double* shift, double scale, double* out,
                           double* poison)
    float fr_shift_column_ss(Py_ssize_t m, const float* x, float shift, const float* scale, float* out,
                             float* poison)
    float fr_shift_row_ss(Py_ssize_t p, const float* x, const float* shift, float scale, float* out,
                          float* poison)
    double fr_shift_column_sd(Py_ssize_t m, const float* x, double shift, const double* scale, double* out,
                              double* poison)
    double fr_shift_row_sd(Py_ssize_t p, const float* x, const double* shift, double scale, double* out,
                           double* poison)


cdef inline floating _shift_column(Py_ssize_t m, const data_t* x, floating shift, const floating* scale,
                                   floating* out, floating* poison) noexcept nogil:
    """One column's run of `shifted_rows_into` (vectorized in _fused.h); -1 for a pair of dtypes it has
    no loop for (float64 data into float32)."""
    if data_t is double and floating is double:
        return fr_shift_column_dd(m, x, shift, scale, out, poison)
    elif data_t is float and floating is float:
        return fr_shift_column_ss(m, x, shift, scale, out, poison)
    elif data_t is float and floating is double:
        return fr_shift_column_sd(m, x, shift, scale, out, poison)
    else:
        return -1


cdef inline floating _shift_row(Py_ssize_t p, const data_t* x, const floating* shift, floating scale,
                                floating* out, floating* poison) noexcept nogil:
    """One row's run of `shifted_rows_into` (see `_shift_column`)."""
    if data_t is double and floating is double:
        return fr_shift_row_dd(p, x, shift, scale, out, poison)
    elif data_t is float and floating is float:
        return fr_shift_row_ss(p, x, shift, scale, out, poison)
    elif data_t is float and floating is double:
        return fr_shift_row_sd(p, x, shift, scale, out, poison)
    else:
        return -1


cdef floating _copy_block(floating* out, Py_ssize_t o0, Py_ssize_t o1, const data_t* x, Py_ssize_t b,
                          Py_ssize_t p, Py_ssize_t s0, Py_ssize_t s1, int layout, Py_ssize_t next_rows,
                          const floating* shift, const floating* scale, floating* poison) noexcept nogil:
    """out[i, j] = (x[i, j] - shift[j]) * scale[i] for a block of b rows and p columns, each entry rounded
    to floating as NumPy's subtract and multiply would; x[i, j] at x + i s0 + j s1 and out[i, j] at
    out + i o0 + j o1 (strides in entries). layout 0: both with unit row stride (a column's run is
    contiguous, s0 = o0 = 1), layout 1: both with unit column stride (s1 = o1 = 1), vectorized along
    it (`_shift_column`, `_shift_row`); layout 2: any strides, entry by entry. shift: one per column,
    scale: one per row of the block (NULL: none). Returns the largest |out|, *poison NaN once an entry
    is NaN or infinite. With layout 0 the run of the column WIDEN_AHEAD ahead is prefetched while one is
    copied (a column's run in a block is too short for the hardware prefetcher), past the last column
    the runs of the next block's first columns (next_rows rows each, from x + b)."""
    cdef Py_ssize_t i, j, length
    cdef floating v, run, amax = 0
    cdef const data_t* ahead
    if data_t is double and floating is float:
        layout = 2  # (no vectorized loop for float64 data into float32)
    if layout == 0:
        for j in range(p):
            if j + WIDEN_AHEAD < p:
                ahead, length = x + (j + WIDEN_AHEAD) * s1, b
            elif j + WIDEN_AHEAD - p < p:
                ahead, length = x + b + (j + WIDEN_AHEAD - p) * s1, next_rows
            else:
                ahead, length = x, 0
            for i in range(0, length, 16):  # (a cache line holds 16 floats, 8 doubles: every other line
                _prefetch(ahead + i)        # of a double column; its neighbour is fetched with it)
            run = _shift_column(b, x + j * s1, shift[j], scale, out + j * o1, poison)
            amax = run if run > amax else amax
    elif layout == 1:
        for i in range(b):
            run = _shift_row(p, x + i * s0, shift, scale[i] if scale != NULL else 1, out + i * o0, poison)
            amax = run if run > amax else amax
    else:
        for j in range(p):
            for i in range(b):
                v = <floating> x[i * s0 + j * s1] - shift[j]
                if scale != NULL:
                    v = v * scale[i]
                out[i * o0 + j * o1] = v
                v = fabs(v)
                amax = v if v > amax else amax
                poison[0] += v * 0  # NaN once an entry is NaN or infinite
    return amax


def shifted_rows_into(floating[:, :] B, const data_t[:, :] X, Py_ssize_t start, const floating[::1] shift,
                      const floating[::1] row_scale):
    """B[i, j] = (X[start + i, j] - shift[j]) * row_scale[i] for the rows of B and the columns of X
    (row_scale empty: no scaling), each entry rounded to B's dtype as NumPy's subtract and multiply
    would; returns the largest |B[i, j]|, +inf if some entry is NaN or infinite. One pass over the
    block (`_copy_block`), along the unit stride X and B share (vectorized), instead of NumPy's four
    (subtract, scale, max and min): the copy the float32 shifted statistics make of every row block
    (`fastreg._stats._shifted_sums`). Releases the GIL."""
    cdef Py_ssize_t m = B.shape[0], p = X.shape[1]
    cdef bint scaled = row_scale.shape[0] != 0
    cdef floating amax, poison = 0
    cdef Py_ssize_t s0 = X.strides[0] // <Py_ssize_t> sizeof(data_t), s1 = X.strides[1] // <Py_ssize_t> sizeof(data_t)
    cdef Py_ssize_t o0 = B.strides[0] // <Py_ssize_t> sizeof(floating), o1 = B.strides[1] // <Py_ssize_t> sizeof(floating)
    cdef int layout = 0 if (s0 == 1 and o0 == 1) else (1 if (s1 == 1 and o1 == 1) else 2)
    if B.shape[1] < p or shift.shape[0] != p or start < 0 or start + m > X.shape[0] or \
            (scaled and row_scale.shape[0] != m):
        raise ValueError("B must have at least X's columns and at most its rows after start; shift one "
                         "entry per column, row_scale one per row of B (or none)")
    if m == 0 or p == 0:
        return 0.0
    with nogil:
        amax = _copy_block(&B[0, 0], o0, o1, &X[start, 0], m, p, s0, s1, layout, 0, &shift[0],
                           &row_scale[0] if scaled else NULL, &poison)
    return float(amax) if poison == 0 else float("inf")


def syrk_product_into(floating[:, ::1] G, floating[::1, :] XtR, const data_t[:, :] X, const floating[::1, :] R,
                      Py_ssize_t block_rows, const floating[::1] shift=None, const floating[::1] row_scale=None):
    """G = X~^T X~ and XtR = X~^T R in one pass over the rows of X, X~ = X or its shifted, row-scaled
    copy diag(row_scale) (X - 1 shift^T), while each block of block_rows rows is in cache (X^T X and
    then X^T R would read X from memory twice: on n >> p data the second read costs a sixth of the
    syrk). G is mirrored, as NumPy's X.T @ X is (whose triangle this is, the faster one for OpenBLAS).

    X read in place (float64 X into float64 sums, or float32 into float32, no shift, no scale): a syrk
    accumulates each block's X_b^T X_b into a triangle of G and a gemm its X_b^T R_b into XtR.
    Otherwise (a float32 X into float64 sums, a shift or a row scale) each block is copied -- exactly
    widened, then shifted and scaled as NumPy's subtract and multiply would round -- into a buffer of
    block_rows x (p + k) bordered by R_b, and one syrk of the bordered block gives both sums: the same
    BLAS call for a C- or an F-ordered X, so that the sums do not depend on X's layout (a gemm for X^T R
    would sum in a different order for each). X is read once and never copied whole.

    X : (n, p), float64 or float32, C- or F-contiguous (any strides when copied); R : (n, k) Fortran, k >= 0 (rows scaled by the
    caller if it wants them scaled); G : (p, p) C-contiguous and XtR : (p, k) Fortran, overwritten, in
    float64 or in X's float32. shift (p,), row_scale (n,): None or empty for none. Returns the largest
    |entry| of the copies, +inf if some entry is NaN or infinite; -1 when X was read in place. Releases
    the GIL."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1], k = R.shape[1], start, b, i, j, r
    cdef bint f_order = X.strides[0] == sizeof(data_t) and (p <= 1 or X.strides[1] == n * sizeof(data_t))
    cdef bint c_order = X.strides[1] == sizeof(data_t) and (n <= 1 or X.strides[0] == p * sizeof(data_t))
    cdef int ld_x, ld_r = max(n, 1), ld_g = max(p, 1)
    cdef Py_ssize_t w = p + k
    cdef floating beta, run, amax = 0, poison = 0
    cdef const floating* X_b
    cdef floating* buf = NULL
    cdef floating* acc = NULL
    cdef floating* zeros = NULL
    cdef floating* dst
    cdef const floating* c_shift
    cdef bint shifted = shift is not None and shift.shape[0] != 0
    cdef bint scaled = row_scale is not None and row_scale.shape[0] != 0
    cdef bint copy = shifted or scaled or (data_t is float and floating is double)
    cdef Py_ssize_t s0 = X.strides[0] // <Py_ssize_t> sizeof(data_t), s1 = X.strides[1] // <Py_ssize_t> sizeof(data_t)
    cdef int layout = 0 if (s0 == 1 or n <= 1) else (1 if (s1 == 1 or p <= 1) else 2)
    if data_t is double and floating is float:
        raise TypeError("float64 X needs float64 G, XtR and R")
    if not (f_order or c_order or copy):
        raise ValueError("X must be C- or F-contiguous (or copied: a shift, a row scale or float32 into float64)")
    if copy:  # (any strides: the copy's layout follows X's unit stride, Fortran without one)
        f_order = layout != 1
    if R.shape[0] != n or G.shape[0] != p or G.shape[1] != p or XtR.shape[0] != p or XtR.shape[1] != k:
        raise ValueError("G must be (p, p), R (n, k) and XtR (p, k) for an (n, p) X")
    if (shifted and shift.shape[0] != p) or (scaled and row_scale.shape[0] != n):
        raise ValueError("shift must have one entry per column of X and row_scale one per row (or none)")
    if block_rows < 1:
        raise ValueError("block_rows must be positive")
    if n > 2147483647 or w > 2147483647:
        raise ValueError("X has too many rows or columns for BLAS's 32-bit dimensions")
    ld_x = max(n, 1) if f_order else max(p, 1)
    if p == 0:
        return 0.0 if copy else -1.0
    if copy and n > 0:
        block_rows = min(block_rows, n)
        buf = <floating*> malloc(block_rows * w * sizeof(floating))
        acc = <floating*> malloc(w * w * sizeof(floating))
        zeros = <floating*> calloc(p, sizeof(floating))
        if buf == NULL or acc == NULL or zeros == NULL:
            free(buf)
            free(acc)
            free(zeros)
            raise MemoryError()
    c_shift = &shift[0] if shifted else zeros
    try:
        with nogil:
            if n == 0:
                for j in range(p):
                    for b in range(p):
                        G[j, b] = 0
                    for b in range(k):
                        XtR[j, b] = 0
            start = 0
            while start < n:
                b = min(block_rows, n - start)
                beta = 0 if start == 0 else 1
                if copy:
                    # the bordered block [X~_b, R_b]: Fortran b x w, or C-ordered (the Fortran w x b)
                    run = _copy_block(buf, 1 if f_order else w, b if f_order else 1, &X[start, 0], b, p, s0,
                                      s1, layout, min(block_rows, n - start - b), c_shift,
                                      &row_scale[start] if scaled else NULL, &poison)
                    amax = run if run > amax else amax
                    for r in range(k):
                        if f_order:
                            dst = buf + (p + r) * b
                            for i in range(b):
                                dst[i] = R[start + i, r]
                        else:
                            for i in range(b):
                                buf[i * w + p + r] = R[start + i, r]
                    if f_order:
                        _syrk(c'L', c'T', w, b, 1, buf, b, beta, acc, w)
                    else:
                        _syrk(c'L', c'N', w, b, 1, buf, w, beta, acc, w)
                else:
                    X_b = <const floating*> &X[start, 0]
                    # G's memory as a Fortran matrix: its lower triangle is the upper one of the C-ordered G
                    if f_order:  # the block is X[start:start + b] (b x p)
                        _syrk(c'L', c'T', p, b, 1, X_b, ld_x, beta, &G[0, 0], ld_g)
                        if k:
                            _gemm(c'T', c'N', p, k, b, 1, X_b, ld_x, &R[start, 0], ld_r, beta, &XtR[0, 0], ld_g)
                    else:  # a C-ordered block is the Fortran (p x b) X_b^T
                        _syrk(c'L', c'N', p, b, 1, X_b, ld_x, beta, &G[0, 0], ld_g)
                        if k:
                            _gemm(c'N', c'N', p, k, b, 1, X_b, ld_x, &R[start, 0], ld_r, beta, &XtR[0, 0], ld_g)
                start += b
            if copy and n > 0:
                # acc's Fortran lower triangle: column j holds (X~^T X~)_ij for i >= j, then (X~^T R)_jr
                for j in range(p):
                    for i in range(j, p):
                        G[j, i] = acc[j * w + i]
                    for r in range(k):
                        XtR[j, r] = acc[j * w + p + r]
            _mirror_upper(&G[0, 0], p)
    finally:
        free(buf)
        free(acc)
        free(zeros)
    if not copy:
        return -1.0
    return float(amax) if poison == 0 else float("inf")

# Helpers shared by the coordinate-descent kernels (dense now; Gram and sparse kernels reuse them):
# the coordinate update, the duality gap from its ingredients, gap-safe screening, a tiny RNG and the
# interrupt check. Everything is inline and nogil (non-inline cdef functions shared between extension
# modules break at import time in this layout).
from cython cimport floating
from libc.math cimport fabs, fmax, sqrt
from libc.stdint cimport uint32_t

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


cdef inline floating _cd_update(floating grad, floating l1_reg, floating denom,
                                bint positive) noexcept nogil:
    """argmin_v 1/2 denom v^2 - grad v + l1_reg |v| (s.t. v >= 0 if positive): soft-thresholding."""
    if grad > l1_reg:
        return (grad - l1_reg) / denom
    if grad < -l1_reg and not positive:
        return (grad + l1_reg) / denom
    return 0


cdef inline floating _enet_gap(
    int n_features, const floating* w, const floating* XtR,
    floating l1_reg, floating l2_reg, floating R_norm2, floating Ry, bint positive,
    floating* gap_screen, floating* dual_scale,
) noexcept nogil:
    """Duality gap of P(w) = 1/2 ||R||^2 + l1_reg ||w||_1 + l2_reg/2 ||w||^2 with R = y - X w.

    Inputs are the ingredients X^T R, ||R||^2 and R^T y, so every kernel (dense, Gram, sparse) shares
    this formula. Two dual points are valid (see scikit-learn issue #22836 and Dünner et al. 2016):

    A. v = s R with s = min(1, l1_reg / ||X^T R - l2_reg w||_inf), the Lasso dual of the problem
       augmented with sqrt(l2_reg) I rows (Fercoq et al. 2015); needs l1_reg > 0.
    B. v = R in D(v) = y^T v - 1/2 ||v||^2 - 1/(2 l2_reg) sum_j (|X_j^T v| - l1_reg)_+^2;
       needs l2_reg > 0.

    Returns the smaller (both certify P(w) - P(w*)). *gap_screen and *dual_scale receive gap A and
    s / l1_reg, the centre of the gap-safe sphere used for screening (gap_screen = inf when A is not
    available). With l1_reg = l2_reg = 0 there is no dual; like scikit-learn the first-order
    residual ||X^T R||^2 is returned instead.
    """
    cdef int j
    cdef floating w_l1 = 0, w_l2 = 0, dual_norm = 0, excess2 = 0, xta, t, s, gap_a, gap_b, primal
    cdef floating inf = 1.0 / 0.0
    for j in range(n_features):
        w_l1 += fabs(w[j])
        w_l2 += w[j] * w[j]
        xta = XtR[j] - l2_reg * w[j]
        dual_norm = fmax(dual_norm, xta if positive else fabs(xta))
        t = (XtR[j] if positive else fabs(XtR[j])) - l1_reg
        if t > 0:
            excess2 += t * t
    # (penalty terms skipped when w = 0, so that a saturated penalty never yields inf * 0)
    primal = 0.5 * R_norm2
    if w_l1 != 0:
        primal += l1_reg * w_l1 + 0.5 * l2_reg * w_l2
    gap_a = inf
    gap_b = inf
    dual_scale[0] = 0
    if l1_reg > 0:
        s = 1 if dual_norm <= l1_reg else l1_reg / dual_norm
        gap_a = primal - s * Ry + 0.5 * s * s * (R_norm2 + l2_reg * w_l2)
        dual_scale[0] = s / l1_reg
    if l2_reg > 0:
        gap_b = primal + 0.5 * R_norm2 - Ry + (excess2 / (2 * l2_reg) if excess2 != 0 else 0)
    gap_screen[0] = gap_a
    if l1_reg == 0 and l2_reg == 0:
        t = 0
        for j in range(n_features):
            t += XtR[j] * XtR[j]
        return t
    # rounding can push a zero gap slightly negative; it is a bound, so clip at 0
    return fmax(0, gap_a if gap_a < gap_b else gap_b)


cdef inline bint _gap_safe_keep(floating XtR_j, floating w_j, floating norm2_j,
                                floating l1_reg, floating l2_reg, floating dual_scale,
                                floating gap_screen) noexcept nogil:
    """False when feature j is provably 0 at the optimum (gap-safe sphere test, Ndiaye et al. 2017).

    theta = dual_scale * (R, -sqrt(l2_reg) w) is dual feasible for the augmented Lasso, and the optimum
    lies within sqrt(2 gap) / l1_reg of it; if |x_j^T theta| + ||x_j|| * radius < 1 then w*_j = 0.
    """
    cdef floating corr = fabs(dual_scale * (XtR_j - l2_reg * w_j))
    return (1 - corr) <= sqrt(2 * gap_screen) / l1_reg * sqrt(norm2_j + l2_reg)

"""Compiled helpers of the iteratively reweighted families (binomial, multinomial).

- A Newton step's weighted least-squares subproblem on a CSC X by coordinate descent on X itself
  (`weighted_cd_sparse`: O(nnz) per visit, no copy of X; dense X goes through the Gaussian kernels).

- Products with a subset of X's columns, without copying them: a working set's X_W^T theta and X_W d.
  The families keep their linear predictor X w and check optimality on a working set of features W
  between full passes over X; these cost O(n |W|) on a dense (Fortran, float64) X and O(nnz of those
  columns) on a CSC one.
- The binomial intercept's one-variable Newton (loss, gradient and curvature in one pass per trial
  point). The loss and the dual's entropy alone are cheaper in NumPy, whose exp and log are
  vectorized (`fastreg._datafit`).
"""
import numpy as np

from libc.math cimport exp, log1p, fabs, fmax
from libc.stdint cimport int64_t

from _blas cimport _dot, _axpy
from _cd_common cimport _should_stop, _propagate_pending, _max


ctypedef struct SubCols:
    int n_samples
    int n_features
    bint sparse
    const double* X            # dense Fortran (leading dimension n_samples)
    const double* data         # CSC
    const int* indices
    const int64_t* indptr


cdef SubCols _sub_cols(tuple columns, int n_samples, const int[::1] cols) except *:
    """The SubCols of (X,) (dense Fortran float64) or (data, indices, indptr) (CSC: float64, int32,
    int64), checked against n_samples and the column indices `cols`."""
    cdef SubCols c
    cdef const double[::1, :] X
    cdef const double[::1] data
    cdef const int[::1] indices
    cdef const int64_t[::1] indptr
    cdef int f
    if len(columns) == 1:
        X = columns[0]
        c.sparse = False
        c.n_features = X.shape[1]
        if X.shape[0] != n_samples:
            raise ValueError("X and the vectors disagree on n_samples")
        c.X = &X[0, 0] if X.shape[0] and X.shape[1] else NULL
        c.data = NULL
        c.indices = NULL
        c.indptr = NULL
    elif len(columns) == 3:
        data, indices, indptr = columns
        c.sparse = True
        c.n_features = indptr.shape[0] - 1
        if data.shape[0] != indices.shape[0] or data.shape[0] < indptr[indptr.shape[0] - 1]:
            raise ValueError("inconsistent CSC arrays (data, indices, indptr)")
        c.X = NULL
        c.data = &data[0] if data.shape[0] else NULL
        c.indices = &indices[0] if indices.shape[0] else NULL
        c.indptr = &indptr[0]
    else:
        raise ValueError("columns is (X,) or (data, indices, indptr)")
    c.n_samples = n_samples
    for f in range(cols.shape[0]):
        if cols[f] < 0 or cols[f] >= c.n_features:
            raise ValueError("column index out of range")
    return c


def cols_dot(tuple columns, const int[::1] cols, const double[::1] theta, double[::1] out):
    """out[f] = x_{cols[f]}^T theta for every f."""
    cdef SubCols c = _sub_cols(columns, theta.shape[0], cols)
    cdef int f, j, n = c.n_samples
    cdef int64_t k
    cdef double acc
    cdef const double* t = &theta[0] if n else NULL
    if out.shape[0] != cols.shape[0]:
        raise ValueError("out must have one entry per column")
    with nogil:
        for f in range(cols.shape[0]):
            j = cols[f]
            acc = 0.0
            if c.sparse:
                for k in range(c.indptr[j], c.indptr[j + 1]):
                    acc += c.data[k] * t[c.indices[k]]
            else:
                acc = _dot(n, c.X + <size_t> j * n, t)
            out[f] = acc


def cols_gemv(tuple columns, const int[::1] cols, const double[::1] coef, double[::1] out):
    """out += sum_f coef[f] x_{cols[f]} (zero coefficients skipped)."""
    cdef SubCols c = _sub_cols(columns, out.shape[0], cols)
    cdef int f, j, n = c.n_samples
    cdef int64_t k
    cdef double a
    cdef double* o = &out[0] if n else NULL
    if coef.shape[0] != cols.shape[0]:
        raise ValueError("coef must have one entry per column")
    with nogil:
        for f in range(cols.shape[0]):
            a = coef[f]
            if a == 0:
                continue
            j = cols[f]
            if c.sparse:
                for k in range(c.indptr[j], c.indptr[j + 1]):
                    o[c.indices[k]] += a * c.data[k]
            else:
                _axpy(n, a, c.X + <size_t> j * n, o)


cdef double _loss_grad_hess(const double* xw, double b, const double* y, const double* s, int n,
                            double* grad, double* hess) noexcept nogil:
    """sum_i s_i logloss(xw_i + b, y_i), and its first and second derivatives in b (one exp and one
    log1p per sample)."""
    cdef double loss = 0.0, g = 0.0, h = 0.0, e, a, p
    cdef int i
    for i in range(n):
        e = xw[i] + b
        a = exp(-fabs(e))
        p = 1.0 / (1.0 + a) if e >= 0 else a / (1.0 + a)
        loss += s[i] * (fmax(e, 0.0) + log1p(a) - y[i] * e)
        g += s[i] * (p - y[i])
        h += s[i] * p * (1.0 - p)
    grad[0] = g
    hess[0] = h
    return loss


def binomial_intercept(const double[::1] xw, double b, const double[::1] y, const double[::1] s,
                       int max_iter=50):
    """argmin_b sum_i s_i logloss(xw_i + b, y_i): Newton on a convex function of one variable, each
    step halved until the loss does not increase; stops when the step's predicted decrease of the
    loss, grad^2 / (2 hess), is below 1e-15 times the loss (below any gap target), or a step is
    below 1e-15 max(1, |b|). One pass over the samples per trial point."""
    cdef int it, n = xw.shape[0]
    cdef double grad, hess, g2, h2, step, current, trial
    if y.shape[0] != n or s.shape[0] != n:
        raise ValueError("xw, y and s must have the same length")
    if n == 0:
        return b
    with nogil:
        current = _loss_grad_hess(&xw[0], b, &y[0], &s[0], n, &grad, &hess)
        for it in range(max_iter):
            if grad == 0 or hess <= 0 or grad * grad / (2 * hess) <= 1e-15 * current:
                break
            step = grad / hess
            while True:
                trial = _loss_grad_hess(&xw[0], b - step, &y[0], &s[0], n, &g2, &h2)
                if trial <= current or fabs(step) <= 1e-15 * fmax(1.0, fabs(b)):
                    break
                step *= 0.5
            if trial > current:
                break
            b -= step
            current, grad, hess = trial, g2, h2
            if fabs(step) <= 1e-15 * fmax(1.0, fabs(b)):
                break
    return b


def weighted_cd_sparse(const double[::1] data, const int[::1] indices, const int64_t[::1] indptr,
                       const int[::1] cols, double[::1] w, double b, const double[::1] v, double[::1] r,
                       double l1_reg, double l2_reg, const double[::1] factor, const double[::1] lower,
                       const double[::1] upper, bint fit_intercept, int max_iter, double tol,
                       double[::1] deta):
    """A Newton step's weighted least-squares ElasticNet on a CSC X's columns `cols`, by coordinate
    descent on X itself (no copy, no weighting, O(nnz of a column) per visit), in place:

        minimize_{w_cols, b}  1/2 sum_i v_i (z_i - x_i^T w - b)^2 + sum_j f_j (l1_reg |w_j| + l2_reg / 2 w_j^2)

    subject to lower_j <= w_j <= upper_j (empty arrays: f = 1, no bounds), the other features fixed.
    The kernel keeps the weighted residual r = v * (z - X w - b) (on entry, and on exit that of the
    solution), never z. With an intercept, b is eliminated as centering does, with v-weighted means
    m_j = v^T x_j / V (V = sum v) recomputed at every call: moving w_j by d moves b by -m_j d, so
    r -= d v * (x_j - m_j) and sum r stays 0; kept implicit, r = r~ + c v with a scalar c, so a visit
    costs O(nnz_j): x_j^T r = x_j^T r~ + c m_j V. The coordinate's curvature is
    h_j = sum over the non-zeros of v_i (x_ij - m_j)^2 + m_j^2 (V - sum of their v_i), no cancellation.

    Stops after an epoch whose largest move d, measured as the optimality residual it corrected
    (h_j |d|), times ||w_cols||_1 is <= tol (a duality gap is first order in those residuals), or
    whose moves are all below 1e-15 max |w_j| (rounding), or after max_iter epochs; the caller certifies the outer problem. deta receives the move of the linear
    predictor, X (w_new - w_old) + b_new - b_old. Returns (b_new, epochs)."""
    cdef int n = r.shape[0], n_cols = cols.shape[0], n_features = w.shape[0]
    cdef bint has_f = factor.shape[0] > 0, has_lo = lower.shape[0] > 0, has_hi = upper.shape[0] > 0
    cdef int i, f, j, epochs = 0
    cdef int64_t k
    cdef double V = 0.0, b0 = b, csh = 0.0, rsum, db, d, w_j, w_new, g, mj, hj, s1, vnz, s2, dx
    cdef double best, wnorm, fj, l1, l2, dmax, wmax
    cdef long work = 0, per_epoch = 0
    cdef bint interrupted = False
    if v.shape[0] != n or deta.shape[0] != n or indptr.shape[0] != n_features + 1:
        raise ValueError("v, r and deta need n_samples entries, indptr n_features + 1")
    if data.shape[0] != indices.shape[0] or data.shape[0] < indptr[n_features]:
        raise ValueError("inconsistent CSC arrays (data, indices, indptr)")
    if (factor.shape[0] not in (0, n_features) or lower.shape[0] not in (0, n_features)
            or upper.shape[0] not in (0, n_features)):
        raise ValueError("factor, lower and upper need n_features entries (or none)")
    for f in range(n_cols):
        if cols[f] < 0 or cols[f] >= n_features:
            raise ValueError("column index out of range")
    cdef double[::1] m = np.zeros(max(n_cols, 1))
    cdef double[::1] h = np.zeros(max(n_cols, 1))
    cdef double[::1] w_old = np.zeros(max(n_cols, 1))
    with nogil:
        for i in range(n):
            V += v[i]
        for f in range(n_cols):
            j = cols[f]
            s1 = 0.0
            vnz = 0.0
            mj = 0.0
            if fit_intercept and V > 0:
                for k in range(indptr[j], indptr[j + 1]):
                    s1 += v[indices[k]] * data[k]
                    vnz += v[indices[k]]
                mj = s1 / V
            s2 = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                dx = data[k] - mj
                s2 += v[indices[k]] * dx * dx
            if fit_intercept:
                s2 += mj * mj * fmax(V - vnz, 0.0)
            m[f] = mj
            h[f] = s2
            w_old[f] = w[j]
            per_epoch += indptr[j + 1] - indptr[j] + 1
        if fit_intercept and V > 0:  # the intercept optimal for the current w
            rsum = 0.0
            for i in range(n):
                rsum += r[i]
            db = rsum / V
            for i in range(n):
                r[i] -= db * v[i]
            b += db
        while epochs < max_iter:
            best = 0.0
            wnorm = 0.0
            dmax = 0.0
            wmax = 0.0
            for f in range(n_cols):
                j = cols[f]
                hj = h[f]
                if hj <= 0:
                    continue  # constant or weightless column: never moves
                mj = m[f]
                fj = factor[j] if has_f else 1.0
                l1 = l1_reg * fj
                l2 = l2_reg * fj
                g = 0.0
                for k in range(indptr[j], indptr[j + 1]):
                    g += data[k] * r[indices[k]]
                g += csh * mj * V
                w_j = w[j]
                g += hj * w_j
                if g > l1:
                    w_new = (g - l1) / (hj + l2)
                elif g < -l1:
                    w_new = (g + l1) / (hj + l2)
                else:
                    w_new = 0.0
                if has_lo and w_new < lower[j]:
                    w_new = lower[j]
                if has_hi and w_new > upper[j]:
                    w_new = upper[j]
                d = w_new - w_j
                if d != 0:
                    for k in range(indptr[j], indptr[j + 1]):
                        r[indices[k]] -= d * v[indices[k]] * data[k]
                    csh += d * mj
                    b -= mj * d
                    w[j] = w_new
                    best = _max(best, hj * fabs(d))
                    dmax = _max(dmax, fabs(d))
                wnorm += fabs(w[j])
                wmax = _max(wmax, fabs(w[j]))
            epochs += 1
            if best * wnorm <= tol or dmax <= 1e-15 * wmax:  # (or converged to rounding)
                break
            work += per_epoch
            if _should_stop(&work):  # Ctrl-C (the exception stays pending)
                interrupted = True
                break
        # fold the implicit centering back (r = r~ + c v), then refresh the intercept once
        if csh != 0:
            for i in range(n):
                r[i] += csh * v[i]
        if fit_intercept and V > 0:
            rsum = 0.0
            for i in range(n):
                rsum += r[i]
            db = rsum / V
            if db != 0:
                for i in range(n):
                    r[i] -= db * v[i]
                b += db
        db = b - b0 if fit_intercept else 0.0
        for i in range(n):
            deta[i] = db
        for f in range(n_cols):
            j = cols[f]
            d = w[j] - w_old[f]
            if d != 0:
                for k in range(indptr[j], indptr[j + 1]):
                    deta[indices[k]] += d * data[k]
    if interrupted:
        _propagate_pending()
    return (b if fit_intercept else 0.0), epochs

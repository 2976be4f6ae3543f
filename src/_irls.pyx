"""Compiled helpers of the iteratively reweighted families (binomial, multinomial).

- Products with a subset of X's columns, without copying them: a working set's X_W^T theta and X_W d.
  The families keep their linear predictor X w and check optimality on a working set of features W
  between full passes over X; these cost O(n |W|) on a dense (Fortran, float64) X and O(nnz of those
  columns) on a CSC one.
- The binomial intercept's one-variable Newton (loss, gradient and curvature in one pass per trial
  point) and the dual's entropy (one pass; NumPy's xlogy takes several and dominated tall problems).
  The loss alone is cheaper in NumPy, whose exp and log are vectorized (`fastreg._datafit`).
"""
from libc.math cimport exp, log, log1p, fabs, fmax
from libc.stdint cimport int64_t

from _blas cimport _dot, _axpy


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
    cdef int f, i, j, n = c.n_samples
    cdef int64_t k
    cdef double acc
    cdef const double* x
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
    cdef int f, i, j, n = c.n_samples
    cdef int64_t k
    cdef double a
    cdef const double* x
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


cdef inline double _logloss(double eta, double y) noexcept nogil:
    """log(1 + exp(eta)) - y eta, stably."""
    return fmax(eta, 0.0) + log1p(exp(-fabs(eta))) - y * eta


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


def binomial_entropy(const double[::1] t, const double[::1] s):
    """sum_i s_i [t_i log t_i + (1 - t_i) log(1 - t_i)] (0 log 0 = 0)."""
    cdef int i, n = t.shape[0]
    cdef double acc = 0.0, ti
    if s.shape[0] != n:
        raise ValueError("t and s must have the same length")
    with nogil:
        for i in range(n):
            ti = t[i]
            if ti > 0:
                acc += s[i] * ti * log(ti)
            if ti < 1:
                acc += s[i] * (1.0 - ti) * log1p(-ti)
    return acc

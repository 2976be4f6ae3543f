"""Ridge regression: Cholesky of XᵀX + αI (or of XXᵀ + αI), many α from one eigendecomposition, RidgeCV.

The problem, as scikit-learn's ``Ridge`` (not divided by n; weights s multiply the squared loss)::

    min_{w, b}  sum_i s_i (y_i - x_i^T w - b)^2 + alpha ||w||^2

With an intercept, b = ybar - xbar^T w (weighted means) and w solves the problem on the centered,
weighted data  X~ = S^{1/2} (X - 1 xbar^T),  y~ = S^{1/2} (y - ybar):

    primal (n >= p):  (X~^T X~ + alpha I) w = X~^T y~          one syrk + one potrf/potrs
    dual   (p >  n):  (X~ X~^T + alpha I) a = y~,  w = X~^T a    one syrk + one potrf/potrs

Every target of a 2-D y shares one factorization per distinct alpha. A factorization is trusted when
LAPACK's estimate of its reciprocal condition number is at least dimension * eps (and, for least
squares, alpha = 0, at least sqrt(eps)): below that (alpha = 0 with singular or nearly singular data,
alpha too small for the data) the normal equations have squared X~'s condition number away, and w
comes from X itself -- an SVD of the centered X~ in float64, w = V diag(s / (s^2 + alpha)) U^T y~
with lstsq's rank rule, so that alpha = 0 gives the minimum-norm least-squares solution X~^+ y~
(numpy.linalg.lstsq's), with a warning when the system was singular to working precision; a sparse
X too large to densify gets LSQR instead.

Many alphas share one eigendecomposition X~^T X~ = V diag(L) V^T:  w(alpha) = V diag(1 / (L + alpha))
V^T X~^T y~, O(p^2) per alpha and target (the dual likewise with X~ X~^T, O(n p)); the alphas it cannot
resolve (the same condition rule) are solved from the SVD of X~ as above.

Leave-one-out (Golub, Heath & Wahba 1979; Rifkin & Lippert 2007): with Z = X~ V (columns of squared
norms L), the hat matrix of the centered problem is Z diag(1 / (L + alpha)) Z^T, and the intercept adds
the projection on S^{1/2} 1, so h_ii = sum_j Z_ij^2 / (L_j + alpha) + s_i / sum(s), exactly (the
intercept is refitted without sample i, as scikit-learn's RidgeCV does). The leave-one-out error of
sample i, in scikit-learn's units, is sqrt(s_i) (y_i - yhat_{-i}) = (y~_i - yhat~_i) / (1 - h_ii).
K-fold cross-validation builds every training fold's statistics as ``total - fold`` (one pass over X
for all folds) and scores each alpha on the held-out rows.

Numerical notes. Without weights the centered Gram matrix is one syrk over X (no copy of X) plus the
rank-one correction -n xbar xbar^T, which cancels for a column whose mean dwarfs its spread: those
columns (predicted from the first rows, checked with the exact means; at most p / 8 of them) are
recomputed from centered copies carried along the single pass that also forms X^T y, so every entry
loses at most `_FAST_CANCELLATION` in relative accuracy. With weights, or many such columns, the
statistics are accumulated about a shift (the first rows' mean; the exact means if that shift turns
out poor) over row blocks, one syrk per block. Sparse X is never densified: its Gram matrix is
``X^T S X`` (scipy.sparse) with the centering as a rank-one correction; when neither X^T X nor X X^T
fits in memory, LSQR runs on the implicitly centered operator.
"""
import numbers
import warnings
from typing import NamedTuple

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import blas, lapack
from scipy.sparse import linalg as sparse_linalg

from . import _design
from . import _stats
from . import _validation as v
from ._base import RegressorBase
from ._stats import far_column_shift, shifted_columns

__all__ = ["RidgeFit", "RidgePath", "ridge", "ridge_path", "Ridge", "RidgeCV"]

# largest dense Gram matrix (p x p or n x n) the sparse 'auto' solver builds before switching to LSQR
GRAM_MAX_BYTES = _design.GRAM_MAX_BYTES
# rows per block of the shifted accumulation (and of the leave-one-out pass); buffers stay <= 256 MiB
BLOCK_ROWS = 4096
# rows that predict which columns are far off-center (`_far_columns_from_head`)
HEAD_ROWS = 1024
BLOCK_MAX_BYTES = 1 << 28
# relative accuracy the unshifted syrk may lose to the rank-one centering, per dtype: the largest
# diag(X^T S X)_jj / diag(X_c^T S X_c)_jj (= 1 + mean_j^2 / var_j) that still takes the fast path
_FAST_CANCELLATION = {np.dtype(np.float32): 16.0, np.dtype(np.float64): 1024.0}

SOLVERS = {"auto", "cholesky", "lsqr"}
# largest dense copy of X (n x p float64) the solve from X makes when X^T X + alpha I cannot be trusted
# (`_solve_from_X`): a sparse X beyond it gets LSQR instead of an SVD
SVD_MAX_BYTES = 1 << 28
# LSQR's atol = btol when `ridge_path` or RidgeCV solve from a large sparse X the alphas its Gram
# matrix cannot resolve (they have no tol of their own)
PATH_LSQR_TOL = 1e-10


# ----------------------------------------------------------------------------------------- validation


def _is_sparse(X):
    return sparse.issparse(X)


def _as_design(X, name="X", check_finite=True):
    """Sparse or dense X validated. check_finite=False defers the NaN/inf check of a dense X to
    `_check_gram_diagonal` (a NaN or inf entry always makes a diagonal entry of X^T X or X X^T
    non-finite), which saves a pass over X; sparse data are always checked (cheap)."""
    return v.as_design_matrix(X, name=name, check_finite=check_finite, accept_sparse=True)


def _check_gram_diagonal(diagonal, X):
    """Raise for NaN/inf in X (deferred check), or for entries whose squares overflow the dtype."""
    if np.isfinite(diagonal).all():
        positive = diagonal[diagonal > 0]
        if positive.size and positive.max() < np.finfo(X.dtype).tiny / np.finfo(X.dtype).eps:
            raise ValueError(
                f"X has entries so small that X^T X underflows in {X.dtype} (largest |x| = "
                f"{float(np.abs(X.data if _is_sparse(X) else X).max()):.3g}); multiply X by a power of ten "
                f"first (alpha then scales by its square, the coefficients by its inverse)."
            )
        return
    if _is_sparse(X):  # (sparse values are checked for NaN/inf at validation)
        largest = float(np.abs(X.data).max())
    else:
        v.check_finite(X)
        largest = float(np.abs(X).max())
    raise ValueError(
        f"X has entries so large that X^T X overflows in {X.dtype} (largest |x| = {largest:.3g}); "
        f"rescale X (e.g. sklearn.preprocessing.StandardScaler)"
        + (" or pass float64." if X.dtype == np.float32 else ".")
    )


def _check_inputs(X, y, sample_weight, *, estimator=None):
    """(X, Y 2-D, sample_weight or None, y was 1-D) with fastreg's validation rules; a dense X is checked
    for NaN/inf by its Gram diagonal later (`_check_gram_diagonal`), or by `v.check_finite` on paths that
    form no Gram matrix."""
    X = _as_design(X, check_finite=False)
    n_samples = X.shape[0]
    y = v.as_target(y, n_samples, X.dtype, allow_2d=True, estimator=estimator)
    sw = v.as_sample_weight(sample_weight, n_samples, X.dtype)
    Y = y[:, None] if y.ndim == 1 else y
    if Y.shape[1] == 0:
        raise ValueError("y has 0 targets (shape (n_samples, 0)); pass at least one column.")
    return X, Y, sw, y.ndim == 1


# ----------------------------------------------------------------------------------------- statistics


def _blas(name, dtype):
    return getattr(blas, ("s" if dtype == np.float32 else "d") + name)


def _lapack(name, dtype):
    return getattr(lapack, ("s" if dtype == np.float32 else "d") + name)


def _block_rows(n_rows, width, itemsize):
    rows = min(BLOCK_ROWS, max(256, BLOCK_MAX_BYTES // max(1, width * itemsize)))
    return max(1, min(rows, n_rows))


class _Centered(NamedTuple):
    """The centered, weighted normal equations: G = X~^T X~ (upper triangle, Fortran), XtY = X~^T Y~."""

    G: np.ndarray
    XtY: np.ndarray
    x_mean: np.ndarray  # float64
    y_mean: np.ndarray  # float64, one per target
    weight_sum: float


def _shifted_sums(X, Y, sw, x_shift, y_shift, dtype, rows=None):
    """Upper triangle of A = B^T B for B = [S^{1/2}(X - c), S^{1/2}] over row blocks, and
    (X - c)^T S (Y - d), sum S (Y - d) -- in `dtype`, one syrk per block of rows, no copy of X beyond
    one block. `rows`: the subset of rows (indices), all rows when None."""
    n_rows = X.shape[0] if rows is None else len(rows)
    p, k = X.shape[1], Y.shape[1]
    step = _block_rows(n_rows, p + 1, np.dtype(dtype).itemsize)
    buf = np.empty((step, p + 1), dtype=dtype, order="F")
    A = np.zeros((p + 1, p + 1), dtype=dtype, order="F")
    XtY = np.zeros((p, k), dtype=np.float64)
    sy = np.zeros(k)
    syrk = _blas("syrk", np.dtype(dtype))
    if sw is None:
        buf[:, p] = 1.0
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)
        idx = slice(start, stop) if rows is None else rows[start:stop]
        B = buf[: stop - start]
        np.subtract(X[idx], x_shift, out=B[:, :p], casting="unsafe")
        Yc = Y[idx].astype(np.float64) - y_shift
        if sw is not None:
            s = sw[idx].astype(np.float64)
            root = np.sqrt(s)
            B[:, :p] *= root.astype(dtype)[:, None]
            B[:, p] = root
            Yc *= root[:, None]
        # A += B^T B (upper triangle)
        A = syrk(1.0, B, beta=1.0, c=A, trans=1, overwrite_c=1)
        # X^T S Y and the target sums from the block while it is in cache
        XtY += B[:, :p].T.astype(np.float64, copy=False) @ Yc
        sy += B[:, p].astype(np.float64) @ Yc
    return A, XtY, sy


def _far_columns_from_head(X, dtype):
    """Columns whose mean may dwarf their spread, and their means, predicted from the first rows (so
    that their centered copies ride along the single pass over X; `_dense_primal` checks the prediction
    with the exact means and recomputes any column it missed)."""
    head = X[: min(X.shape[0], HEAD_ROWS)]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # non-finite X: raised later
        mean = head.mean(axis=0, dtype=np.float64)
        var = head.var(axis=0, dtype=np.float64)
        # a column constant in the first rows tells nothing (rare levels, sorted data): left to the check
        ratio = np.where(var > 0, 1.0 + mean**2 / var, 1.0)
    far = np.flatnonzero(~(ratio <= _FAST_CANCELLATION[np.dtype(dtype)] / 4))
    return far, mean[far]


def _patch_columns(G, XtY, far, XtD, DtD, DtY, dsum, ysum, x_mean, n):
    """Rows/columns `far` of the centered Gram matrix (upper storage) and of X_c^T Y_c from the products
    of D = X[:, far] - c (any shift c near the means): for column j in far and any column i,
    G_ij = x_i^T d_j - xbar_i (1^T d_j) and G_jk = d_j^T d_k - (1^T d_j)(1^T d_k) / n, exact up to the
    rounding of the products, where the rank-one correction X^T X - n xbar xbar^T would cancel."""
    cols = XtD - np.outer(x_mean, dsum)
    cols[far] = DtD - np.outer(dsum, dsum) / n
    for jj, j in enumerate(far):
        G[: j + 1, j] = cols[: j + 1, jj]  # column j above the diagonal
        G[j, j + 1:] = cols[j + 1:, jj]  # row j right of the diagonal
    XtY[far] = DtY - np.outer(dsum, ysum) / n
    return G, XtY


def _dense_primal(X, Y, sw, fit_intercept, dtype):
    """`_Centered` for dense X (n >= p), in `dtype` (X's dtype for a fit, float64 for cross-validation).

    Unweighted, in X's dtype: one syrk over X and one pass X^T [Y - ybar, 1, D] (no copy of X), then
    X^T X - n xbar xbar^T, exact for the columns whose mean is within ~30 standard deviations
    (`_FAST_CANCELLATION`); the few others are centered copies D (`_patch_columns`). Otherwise (weights,
    another dtype, many far-off-center columns): shifted accumulation over row blocks."""
    n, p = X.shape
    k = Y.shape[1]
    dtype = np.dtype(dtype)
    syrk = _blas("syrk", dtype)
    far, far_shift = _far_columns_from_head(X, dtype) if fit_intercept else (np.zeros(0, dtype=int), None)
    if (sw is None and X.dtype == dtype and (X.flags.f_contiguous or X.flags.c_contiguous)
            and len(far) <= p // 8):
        y_mean = Y.mean(axis=0, dtype=np.float64) if fit_intercept else np.zeros(k)
        rhs = np.empty((n, k + 1 + len(far)), dtype=dtype, order="F")
        np.subtract(Y, y_mean.astype(dtype), out=rhs[:, :k], casting="unsafe")
        rhs[:, k] = 1.0
        if len(far):
            np.subtract(X[:, far], far_shift.astype(dtype), out=rhs[:, k + 1:])
        if X.flags.f_contiguous:
            G = syrk(1.0, X, trans=1)
            both = _blas("gemm", dtype)(1.0, X, rhs, trans_a=1)
        else:  # a C-ordered X is the transpose of a Fortran one
            G = syrk(1.0, X.T, trans=0)
            both = _blas("gemm", dtype)(1.0, X.T, rhs)
        both = both.astype(np.float64, copy=False)
        if not fit_intercept:
            return _Centered(G, both[:, :k].astype(dtype), np.zeros(p), np.zeros(k), float(n))
        x_mean = both[:, k] / n
        # X_c^T Y_c = X^T Y_c - xbar (1^T Y_c): the sum of Y_c is a rounding residual, removed exactly
        ysum = rhs[:, :k].sum(axis=0, dtype=np.float64)
        XtY = both[:, :k] - np.outer(x_mean, ysum)
        raw_diag = np.diag(G).astype(np.float64)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # non-finite: shifted path raises
            centered_diag = raw_diag - n * x_mean**2
            lost = np.where(raw_diag > 0, raw_diag / np.maximum(centered_diag, 0.0), 1.0)
        missed = np.setdiff1d(np.flatnonzero(~(lost <= _FAST_CANCELLATION[dtype])), far)
        if len(far) + len(missed) <= p // 8 and np.isfinite(raw_diag).all():
            G = _blas("syr", dtype)(-float(n), x_mean.astype(dtype), lower=0, a=G, overwrite_a=1)
            if len(far):
                D = rhs[:, k + 1:]
                G, XtY = _patch_columns(G, XtY, far, both[:, k + 1:], (D.T @ D).astype(np.float64),
                                        (D.T @ rhs[:, :k]).astype(np.float64),
                                        D.sum(axis=0, dtype=np.float64), ysum, x_mean, n)
            if len(missed):  # the first rows did not show these: one more pass for them
                D = np.subtract(X[:, missed], x_mean[missed].astype(dtype), order="F")
                G, XtY = _patch_columns(G, XtY, missed, (X.T @ D).astype(np.float64),
                                        (D.T @ D).astype(np.float64), (D.T @ rhs[:, :k]).astype(np.float64),
                                        D.sum(axis=0, dtype=np.float64), ysum, x_mean, n)
            return _Centered(G, XtY.astype(dtype), x_mean, y_mean, float(n))
    # shifted accumulation in row blocks (accurate for columns with large means; weights)
    head = slice(0, min(n, BLOCK_ROWS))
    if fit_intercept:
        if sw is None:
            x_shift = X[head].mean(axis=0, dtype=np.float64)
            y_shift = Y[head].mean(axis=0, dtype=np.float64)
        else:
            s = sw[head].astype(np.float64)
            total = s.sum()
            x_shift = (s @ X[head] / total) if total > 0 else np.zeros(p)
            y_shift = (s @ Y[head] / total) if total > 0 else np.zeros(Y.shape[1])
    else:
        x_shift, y_shift = np.zeros(p), np.zeros(Y.shape[1])
    x_shift = x_shift.astype(dtype)  # the exact shift applied to the data
    A, XtY, sy = _shifted_sums(X, Y, sw, x_shift, y_shift, dtype)
    stats = _schur(A, XtY, sy, x_shift, y_shift, fit_intercept, dtype)
    if fit_intercept:
        # the first rows' mean is a good shift unless they misrepresent a column: then once more about
        # the exact means (same criterion as the fast path: the correction must not cancel)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            raw, centered = np.diag(A)[:p].astype(np.float64), np.diag(stats.G).astype(np.float64)
            lost = np.where(raw > 0, raw / np.maximum(centered, 0.0), 1.0)
        if np.isfinite(raw).all() and not np.all(lost <= _FAST_CANCELLATION[dtype]):
            x_shift, y_shift = stats.x_mean.astype(dtype), stats.y_mean
            A, XtY, sy = _shifted_sums(X, Y, sw, x_shift, y_shift, dtype)
            stats = _schur(A, XtY, sy, x_shift, y_shift, fit_intercept, dtype)
    return stats


def _schur(A, XtY, sy, x_shift, y_shift, fit_intercept, dtype):
    """The centered statistics from shifted sums: the Schur complement of the weight sum in A."""
    p = A.shape[0] - 1
    G = np.asfortranarray(A[:p, :p])
    sx = A[:p, p].astype(np.float64)
    W = float(A[p, p])
    if not fit_intercept:
        return _Centered(G, XtY.astype(dtype), np.zeros(p), np.zeros(XtY.shape[1]), W)
    mx, my = sx / W, sy / W
    G = _blas("syr", np.dtype(dtype))(-1.0 / W, sx.astype(dtype), lower=0, a=G, overwrite_a=1)
    XtY = XtY - np.outer(sx, my)
    return _Centered(G, XtY.astype(dtype), x_shift.astype(np.float64) + mx, y_shift + my, W)


def _weighted_means(X, Y, sw, fit_intercept):
    """(x_mean, y_mean, weight sum) in float64; zeros without intercept. Dense X in row blocks (no copy)."""
    n, p = X.shape
    s = np.ones(n) if sw is None else sw.astype(np.float64)
    W = float(s.sum())
    if not fit_intercept:
        return np.zeros(p), np.zeros(Y.shape[1]), W
    if _is_sparse(X):
        x_sum = np.asarray(X.T @ s, dtype=np.float64).ravel()
    else:
        x_sum = np.zeros(p)
        step = _block_rows(n, p, 8)
        for start in range(0, n, step):
            rows = slice(start, min(start + step, n))
            x_sum += s[rows] @ np.asarray(X[rows], dtype=np.float64)
    return x_sum / W, (s @ Y.astype(np.float64)) / W, W


def _far_columns_shifted(X, sw, fit_intercept):
    """(X, shift): a sparse X with an intercept with its columns whose mean dwarfs their spread stored
    shifted by their mean (`fastreg._stats.far_column_shift`), so that the implicit centering below stays
    exact; the centered problem is the same, and the intercept takes the shift back. Dense X (centered
    explicitly or about a shift by `_dense_primal`) and no intercept: X itself and a zero shift."""
    if not (_is_sparse(X) and fit_intercept):
        return X, np.zeros(X.shape[1])
    shift = far_column_shift(X, sw)
    return shifted_columns(X, shift), shift


def _sparse_primal(X, Y, sw, fit_intercept, dtype):
    """`_Centered` for sparse X: X^T S X by scipy.sparse, centering as a rank-one correction."""
    x_mean, y_mean, W = _weighted_means(X, Y, sw, fit_intercept)
    Xs = X if sw is None else sparse.csr_matrix(X.multiply(np.sqrt(sw.astype(X.dtype))[:, None]))
    G = np.asfortranarray((Xs.T @ Xs).toarray(), dtype=dtype)
    if fit_intercept:
        G = _blas("syr", np.dtype(dtype))(-W, x_mean.astype(dtype), lower=0, a=G, overwrite_a=1)
    Yc = Y.astype(np.float64) - y_mean
    if sw is not None:
        Yc *= sw.astype(np.float64)[:, None]
    XtY = np.asarray(X.T @ Yc, dtype=np.float64)  # X_c^T S Y_c = X^T S Y_c since sum S Y_c = 0
    return _Centered(G, XtY.astype(dtype), x_mean, y_mean, W)


class _Dual(NamedTuple):
    """The dual normal equations: K = X~ X~^T (upper, Fortran) and Y~ = S^{1/2}(Y - ybar)."""

    K: np.ndarray
    Yt: np.ndarray
    x_mean: np.ndarray
    y_mean: np.ndarray
    root: np.ndarray  # S^{1/2} (float64)
    weight_sum: float


def _column_blocks(p, n, itemsize):
    step = max(64, min(1024, BLOCK_MAX_BYTES // max(1, n * itemsize)))
    return [slice(j, min(j + step, p)) for j in range(0, p, step)]


def _centered_columns(X, cols, x_mean, root, dtype):
    """S^{1/2} (X[:, cols] - mean) as a Fortran block (dense X), or the sparse block and its mean."""
    block = np.empty((X.shape[0], len(range(*cols.indices(X.shape[1])))), dtype=dtype, order="F")
    # the float64 means subtracted in float64 and rounded once: a mean rounded to float32 first would
    # leave a constant in the column that the intercept, centered away, could not absorb
    np.subtract(X[:, cols], x_mean[cols], out=block, casting="unsafe")
    if root is not None:
        block *= root.astype(dtype)[:, None]
    return block


def _dual_stats(X, Y, sw, fit_intercept, dtype):
    """`_Dual` for dense or sparse X (p > n): centered in column blocks (dense) or by rank-one
    corrections of X X^T (sparse)."""
    n, p = X.shape
    x_mean, y_mean, W = _weighted_means(X, Y, sw, fit_intercept)
    root = np.ones(n) if sw is None else np.sqrt(sw.astype(np.float64))
    Yt = (Y.astype(np.float64) - y_mean) * root[:, None]
    dtype = np.dtype(dtype)
    if _is_sparse(X):
        Xs = X if sw is None else sparse.csr_matrix(X.multiply(root.astype(X.dtype)[:, None]))
        K = (Xs @ Xs.T).toarray().astype(np.float64)
        if fit_intercept:
            u = np.asarray(Xs @ x_mean, dtype=np.float64).ravel()
            # (Xs - r m^T)(Xs - r m^T)^T = Xs Xs^T - u r^T - r u^T + (m.m) r r^T
            K -= np.outer(u, root) + np.outer(root, u) - (x_mean @ x_mean) * np.outer(root, root)
        return _Dual(np.asfortranarray(K, dtype=dtype), Yt, x_mean, y_mean, root, W)
    syrk = _blas("syrk", dtype)
    scale = None if sw is None else root
    if not fit_intercept and sw is None and X.dtype == dtype:
        K = syrk(1.0, X, trans=0) if X.flags.f_contiguous else syrk(1.0, np.asarray(X).T, trans=1)
        return _Dual(K, Yt, x_mean, y_mean, root, W)
    K = np.zeros((n, n), dtype=dtype, order="F")
    for cols in _column_blocks(p, n, dtype.itemsize):
        block = _centered_columns(X, cols, x_mean, scale, dtype)
        # K += block block^T (upper triangle)
        K = syrk(1.0, block, beta=1.0, c=K, trans=0, overwrite_c=1)
    return _Dual(K, Yt, x_mean, y_mean, root, W)


def _dual_coef(X, A, dual, dtype):
    """w = X~^T A for the dual solution A (n x k): a pass over X (column blocks when centered)."""
    n, p = X.shape
    scaled = A * dual.root[:, None]  # X~^T A = (X - 1 m^T)^T S^{1/2} A
    if _is_sparse(X):
        W = np.asarray(X.T @ scaled, dtype=np.float64)
        return W - np.outer(dual.x_mean, scaled.sum(axis=0))
    if not dual.x_mean.any():
        return np.asarray(X.T @ scaled.astype(X.dtype), dtype=np.float64)
    W = np.empty((p, A.shape[1]))
    for cols in _column_blocks(p, n, np.dtype(dtype).itemsize):
        block = _centered_columns(X, cols, dual.x_mean, None, dtype)
        W[cols] = block.T @ scaled.astype(dtype)
    return W


# ----------------------------------------------------------------------------------------- solvers


def _upper_one_norm(M):
    """The 1-norm of the symmetric matrix whose upper triangle is M (column sums of |upper| + |strict lower|)."""
    upper = np.abs(np.triu(M))
    return float((upper.sum(axis=0) + upper.sum(axis=1) - np.diag(upper)).max())


def _cholesky_solve(M, B, alphas, dtype):
    """Solve (M + alpha_t I) x_t = B[:, t] for every column t: one potrf per distinct alpha, all the
    columns sharing it solved by one potrs.

    A factorization is trusted when it succeeds and LAPACK's estimate of the reciprocal condition
    number of M + alpha I (pocon, O(dimension^2) from the factor) is at least dimension * eps, below
    which M + alpha I is singular to working precision (alpha = 0 with singular data, a penalty too
    small for the data): M = X~^T X~ has squared X~'s condition number away. For least squares
    (alpha = 0) it must also be at least sqrt(eps): the coefficients of the normal equations are
    then accurate to about sqrt(eps), those of an SVD of X~ to eps times X~'s condition number.
    Untrusted columns are left to `_solve_from_X`.
    Returns (x float64, each column's rcond when it was not solved (0: potrf failed), else inf)."""
    potrf, potrs, pocon = _lapack("potrf", dtype), _lapack("potrs", dtype), _lapack("pocon", dtype)
    out = np.zeros(B.shape, dtype=np.float64)
    untrusted = np.full(B.shape[1], np.inf)
    diag = np.arange(M.shape[0])
    singular = M.shape[0] * np.finfo(dtype).eps
    norm = None
    for alpha in np.unique(alphas):
        cols = np.flatnonzero(alphas == alpha)
        A = np.array(M, dtype=dtype, order="F")
        A[diag, diag] += dtype.type(alpha)
        factor, info = potrf(A, lower=0, clean=0, overwrite_a=1)
        rcond = 0.0
        if info == 0:
            # ||M + alpha I||_1 = ||M||_1 + alpha (M is positive semi-definite)
            norm = _upper_one_norm(M) if norm is None else norm
            rcond, info = pocon(factor, norm + float(alpha), uplo="U")
            if info == 0 and rcond < (max(singular, np.sqrt(np.finfo(dtype).eps)) if alpha == 0 else singular):
                info = -1
        if info == 0:
            x, info = potrs(factor, np.asfortranarray(B[:, cols], dtype=dtype), lower=0, overwrite_b=1)
        if info != 0 or not np.isfinite(x).all():
            untrusted[cols] = rcond
        else:
            out[:, cols] = x
    return out, untrusted


def _solve_from_X(X, Y, sw, alphas, fit_intercept, tol, max_iter):
    """The ridge solutions for the columns of Y (alpha_t each) from X itself, for systems whose normal
    equations cannot be trusted (`_cholesky_solve`).

    An SVD of X~ = S^{1/2} (X - 1 xbar^T) in float64 (a centered copy; float32 data are widened, not
    rounded): w = V diag(s / (s^2 + alpha)) U^T y~, singular values up to max(n, p) eps s_max
    counted as 0 (numpy.linalg.lstsq's rank rule), so that alpha = 0 gives the minimum-norm
    least-squares solution X~^+ y~. A sparse X is densified for it when the copy fits
    `SVD_MAX_BYTES`; a larger one gets LSQR on the implicitly centered operator (`_lsqr`, to `tol`),
    which tends to the same solution only as far as X's conditioning lets it.
    Returns (coef (k, p), intercept (k,), solver name, n_iter or None, rank of X~ or None)."""
    if _is_sparse(X):
        if X.shape[0] * X.shape[1] * 8 > SVD_MAX_BYTES:
            coef, x_mean, y_mean, n_iter = _lsqr(X, Y, sw, alphas, fit_intercept, tol, max_iter)
            return coef, y_mean - coef @ x_mean, "lsqr", n_iter, None
        X = X.toarray()
    spectrum = _spectrum(X, Y, sw, fit_intercept, "svd")
    coef = np.empty((Y.shape[1], X.shape[1]))
    for alpha in np.unique(alphas):
        cols = np.flatnonzero(alphas == alpha)
        coef[cols] = spectrum.coefs([alpha], targets=cols)[:, :, 0]
    intercept = spectrum.y_mean - coef @ spectrum.x_mean
    return coef, intercept, "svd", None, int(np.count_nonzero(spectrum.L))


def _warn_singular(what, alphas, rcond, dtype, name, rank, n_features, tol):
    """The UserWarning of a fit whose normal equations, singular to working precision, were replaced
    by a solve from X."""
    estimate = "its Cholesky factorization failed" if rcond == 0 else (
        f"its reciprocal condition number is about {rcond:.1e}")
    if name == "svd":
        rank = f"; X~ has rank {rank} < {n_features} features" if rank < n_features else ""
        how = (f"an SVD of the centered X (solver_ 'svd'){rank}: for alpha = 0 the minimum-norm "
               f"least-squares solution (numpy.linalg.lstsq's) was returned")
    else:
        how = (f"LSQR on the implicitly centered X (solver_ 'lsqr', tol={tol:g}; X is too large to densify "
               f"for an SVD): it tends to the minimum-norm least-squares solution only as far as X's "
               f"conditioning lets it")
    warnings.warn(
        f"{what} + alpha I is singular to working precision for alpha = {alphas} ({estimate}): linearly "
        f"dependent columns, or alpha too small for the data. Solved from X by {how}. Use a larger alpha "
        f"to avoid this.",
        UserWarning, stacklevel=v.caller_stacklevel(),
    )


def _lsqr(X, Y, sw, alphas, fit_intercept, tol, max_iter):
    """LSQR (Paige & Saunders) on the implicitly centered, weighted operator X~ with damp = sqrt(alpha):
    exactly the ridge problem, without forming any Gram matrix or densifying X."""
    n, p = X.shape
    x_mean, y_mean, _ = _weighted_means(X, Y, sw, fit_intercept)
    root = np.ones(n) if sw is None else np.sqrt(sw.astype(np.float64))
    Xd = X if _is_sparse(X) else np.asarray(X)

    # products in X's dtype (float32 stays float32 and X is never converted), LSQR's vectors in float64
    def matvec(w):
        w = np.ravel(w)
        return root * (np.asarray(Xd @ w.astype(X.dtype), dtype=np.float64).ravel() - x_mean @ w)

    def rmatvec(u):
        u = np.ravel(u) * root
        return np.asarray(Xd.T @ u.astype(X.dtype), dtype=np.float64).ravel() - x_mean * u.sum()

    op = sparse_linalg.LinearOperator((n, p), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
    coef = np.empty((Y.shape[1], p))
    n_iter = np.empty(Y.shape[1], dtype=int)
    for t in range(Y.shape[1]):
        target = root * (Y[:, t].astype(np.float64) - y_mean[t])
        result = sparse_linalg.lsqr(op, target, damp=np.sqrt(alphas[t]), atol=tol, btol=tol, iter_lim=max_iter)
        coef[t], n_iter[t] = result[0], result[2]
    return coef, x_mean, y_mean, n_iter


class RidgeFit(NamedTuple):
    """What `ridge` returns: a named tuple ``coef, intercept, solver, n_iter``."""

    coef: np.ndarray
    """ndarray of shape (n_features,) for 1-D y, (n_targets, n_features) for 2-D y, in X's dtype."""
    intercept: object
    """float for 1-D y, ndarray of shape (n_targets,) for 2-D y (0.0 without intercept)."""
    solver: str
    """'cholesky' (primal, X^T X + alpha I), 'cholesky-dual' (X X^T + alpha I), 'lsqr', or 'svd' (the
    solve from X when the factorization cannot be trusted)."""
    n_iter: object = None
    """LSQR iterations per target (None for the direct solvers)."""


def _choose_solver(X, solver):
    n, p = X.shape
    dual = p > n
    if solver == "lsqr":
        return "lsqr"
    if solver == "auto" and _is_sparse(X):
        side = min(n, p)
        if side * side * X.dtype.itemsize > GRAM_MAX_BYTES:
            return "lsqr"
    return "cholesky-dual" if dual else "cholesky"


def _y_unit(X, Y):
    """A power of two u to solve for Y / u (coefficients and intercepts are linear in Y), 1 unless the
    solve's quantities would leave the working dtype's range: Y's squares (float64 limits), X^T y
    (about x y, summed over n rows) or the dual solution (about y / x^2, normal with 24 bits to
    spare). Then u brings y to about sqrt(x), which keeps both x y and y / x^2 near x^(+-3/2). x is
    judged from the first rows (an order of magnitude is all this needs, and no pass over X)."""
    y_max = float(np.max(np.abs(Y))) if Y.size else 0.0
    if y_max == 0:
        return 1.0
    head = X.data if _is_sparse(X) else X[:HEAD_ROWS]
    x_max = float(np.max(np.abs(head))) if head.size else 0.0
    info = np.finfo(X.dtype)
    if 0 < x_max < np.inf:  # (NaN and inf are reported by the solve)
        top = np.log2(y_max) + np.log2(x_max) + np.log2(max(X.shape[0], 1))
        bottom = np.log2(y_max) - 2 * np.log2(x_max)
        if top > info.maxexp - 8 or bottom < info.minexp + 24:
            return float(2.0 ** np.round(np.log2(y_max / np.sqrt(x_max))))
    return _stats._pow2_scale(y_max, np.float64)


def _fit(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter):
    """Validated inputs -> (coef (k, p) float64, intercept (k,) float64, solver name, n_iter)."""
    unit = _y_unit(X, Y)
    if unit == 1.0:
        return _fit_unit(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter)
    coef, intercept, name, n_iter = _fit_unit(X, (Y.astype(np.float64) / unit).astype(Y.dtype), sw, alphas,
                                              fit_intercept, solver, tol, max_iter)
    return coef * unit, intercept * unit, name, n_iter


def _fit_unit(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter):
    """`_fit` for Y of a safe magnitude."""
    dtype = np.dtype(X.dtype)
    kind = _choose_solver(X, solver)
    X, x_shift = _far_columns_shifted(X, sw, fit_intercept)
    if kind == "lsqr":
        if not _is_sparse(X):
            v.check_finite(X)
        coef, x_mean, y_mean, n_iter = _lsqr(X, Y, sw, alphas, fit_intercept, tol, max_iter)
        return coef, y_mean - coef @ (x_mean + x_shift), "lsqr", n_iter
    if kind == "cholesky":
        stats = (_sparse_primal if _is_sparse(X) else _dense_primal)(X, Y, sw, fit_intercept, dtype)
        _check_gram_diagonal(np.diag(stats.G), X)
        W, rcond = _cholesky_solve(stats.G, stats.XtY, alphas, dtype)
        coef, what = W.T, "X^T X"
    else:
        dual = _dual_stats(X, Y, sw, fit_intercept, dtype)
        _check_gram_diagonal(np.diag(dual.K), X)
        A, rcond = _cholesky_solve(dual.K, dual.Yt, alphas, dtype)
        solved = np.isinf(rcond)
        coef, what = np.zeros((Y.shape[1], X.shape[1])), "X X^T"
        if solved.any():  # (the other columns are solved from X below)
            coef[solved] = _dual_coef(X, A[:, solved], dual, dtype).T
        stats = dual
    intercept = stats.y_mean - coef @ (stats.x_mean + x_shift) if fit_intercept else np.zeros(Y.shape[1])
    failed = np.isfinite(rcond)
    if not failed.any():
        return coef, intercept, kind, None
    coef[failed], intercept[failed], name, lsqr_iter, rank = _solve_from_X(
        X, Y[:, failed], sw, alphas[failed], fit_intercept, tol, max_iter)
    if fit_intercept:  # (X is shifted where its columns are far off center: the intercept takes it back)
        intercept[failed] -= coef[failed] @ x_shift
    # singular to working precision, or least squares without a unique solution (X~ rank-deficient);
    # merely ill-conditioned least squares is solved from X silently
    singular = rcond < X.shape[0 if kind == "cholesky-dual" else 1] * np.finfo(dtype).eps
    if rank is not None and rank < X.shape[1]:
        singular |= alphas == 0
    if singular.any():
        _warn_singular(what, sorted({float(a) for a in alphas[singular]}), float(rcond[singular].min()), dtype,
                       name, rank, X.shape[1], tol)
    n_iter = None
    if lsqr_iter is not None:
        n_iter = np.ones(Y.shape[1], dtype=int)
        n_iter[failed] = lsqr_iter
    return coef, intercept, name, n_iter


def ridge(X, y, alpha, *, sample_weight=None, fit_intercept=True, solver="auto", tol=1e-6, max_iter=None):
    """Ridge regression by a Cholesky factorization (primal or dual), as scikit-learn's ``Ridge``.

    Minimizes ``sum_i s_i (y_i - x_i^T w - b)^2 + alpha ||w||^2`` (not divided by n; s the sample
    weights, 1 by default) for every target of y.

    Parameters
    ----------
    X : {ndarray, scipy.sparse matrix} of shape (n_samples, n_features)
        float32 stays float32 (float32 arithmetic and coefficients), anything else becomes float64.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Every target is solved with the same factorization.
    alpha : float or array-like of shape (n_targets,)
        Penalty (>= 0), one for all targets or one per target (one factorization per distinct value).
    sample_weight : array-like of shape (n_samples,) or float, default=None
        Non-negative weights multiplying the squared loss (not normalized): a weight k is k repeated rows.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (exactly: the problem is solved on centered data; sparse X is
        centered implicitly).
    solver : {'auto', 'cholesky', 'lsqr'}, default='auto'
        'cholesky': potrf/potrs of ``X~^T X~ + alpha I`` when n >= p, of ``X~ X~^T + alpha I`` when p > n.
        'lsqr': LSQR on the implicitly centered operator (iterative, ``tol``, ``max_iter``).
        'auto': 'cholesky', except for sparse X whose smaller Gram matrix exceeds 1 GiB ('lsqr').
        When the factorization fails or its condition estimate is below dimension * eps (or, for
        alpha = 0, below sqrt(eps)), the solve comes from an SVD of the centered X instead (the
        minimum-norm least-squares solution for alpha = 0; LSQR for a sparse X too large to densify),
        with a warning when the system is singular to working precision, and `solver` says 'svd'
        (or 'lsqr').
    tol : float, default=1e-6
        LSQR's stopping tolerances (atol = btol = tol), also when LSQR replaces an untrusted
        factorization of a large sparse X; unused by Cholesky.
    max_iter : int, default=None
        LSQR's iteration limit (None: scipy's default, 2 * n_features).

    Returns
    -------
    RidgeFit
        A named tuple ``coef, intercept, solver, n_iter`` (``n_iter``: LSQR's iterations, else None).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]]); y = np.array([1.0, 1.0, 4.0, 4.0])
    >>> fit = fastreg.ridge(X, y, alpha=1.0)
    >>> np.round(fit.coef, 4), round(fit.intercept, 4), fit.solver  # 15/17, 12/17, 8/17
    (array([0.8824, 0.7059]), 0.4706, 'cholesky')
    """
    X, Y, sw, one_d = _check_inputs(X, y, sample_weight)
    alphas = v.check_ridge_alpha(alpha, Y.shape[1])
    v.check_choice(solver, "solver", SOLVERS)
    tol = v.check_scalar(tol, "tol", low=0.0)
    if max_iter is not None:
        max_iter = v.check_scalar(max_iter, "max_iter", kind=numbers.Integral, low=1)
    fit_intercept = v.check_bool(fit_intercept, "fit_intercept")
    coef, intercept, name, n_iter = _fit(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter)
    coef = coef.astype(X.dtype)
    if one_d:
        return RidgeFit(coef[0], float(intercept[0]), name, None if n_iter is None else int(n_iter[0]))
    return RidgeFit(coef, intercept.astype(X.dtype), name, n_iter)


# ----------------------------------------------------------------------------------------- many alphas


class _Spectrum:
    """The eigendecomposition of the centered, weighted Gram matrix, in float64, serving every alpha.

    primal: X~^T X~ = V diag(L) V^T, q = V^T X~^T Y~, coefficient map B = V.
    dual:   X~ X~^T = U diag(L) U^T, q = U^T Y~,     coefficient map B = X~^T U.
    Either way w(alpha) = B diag(1 / (L + alpha)) q. `U`: an orthonormal basis of the sample side with
    X~ X~^T = U diag(L) U^T when the decomposition gives it (dual, svd); otherwise the leave-one-out
    pass forms Z = X~ V by row blocks.
    """

    def __init__(self, L, B, q, x_mean, y_mean, weight_sum, root, U=None, rank_tol=None):
        # eigenvalues of a PSD matrix below its rounding level are zero in exact arithmetic (the
        # intercept's null direction of X~ X~^T, rank deficiency): made exactly 0, so that
        # alpha / (L + alpha) is exactly 1 there and the leave-one-out 1 - h_ii does not cancel. The
        # level: dimension * eps * L_max for an eigendecomposition of the Gram matrix; for an SVD of X~
        # (L = s^2), singular values up to rank_tol * s_max (lstsq's rule, not its square)
        L = np.asarray(L, dtype=np.float64)
        top = max(float(np.max(np.abs(L), initial=0.0)), 1e-300)
        self.svd = rank_tol is not None
        self.cutoff = top * (rank_tol**2 if self.svd else len(L) * np.finfo(np.float64).eps)
        self.L = np.where(L > self.cutoff, L, 0.0)
        self.B, self.q = B, q
        self.x_mean, self.y_mean, self.weight_sum, self.root = x_mean, y_mean, weight_sum, root
        self.U = U

    def inverse(self, alphas):
        """1 / (L + alpha) for every alpha (columns), 0 where L + alpha is numerically zero (min-norm)."""
        shifted = self.L[:, None] + np.asarray(alphas, dtype=np.float64)[None, :]
        return np.where(shifted > self.cutoff, 1.0 / np.where(shifted > self.cutoff, shifted, 1.0), 0.0)

    def unresolved(self, alphas):
        """Which alphas the decomposition cannot solve to working accuracy: for an eigendecomposition
        of the Gram matrix (whose rounding squares X~'s condition number), those with L_min + alpha <
        dimension * eps * (L_max + alpha), and alpha = 0 with L_min < sqrt(eps) L_max -- the rules
        `_cholesky_solve` applies to a factorization; an SVD of X~ resolves every alpha."""
        alphas = np.asarray(alphas, dtype=np.float64)
        if self.svd or not len(self.L):
            return np.zeros(alphas.shape, dtype=bool)
        eps = np.finfo(np.float64).eps
        floor = np.where(alphas == 0, max(len(self.L) * eps, np.sqrt(eps)), len(self.L) * eps)
        return self.L.min() + alphas < floor * (self.L.max() + alphas)

    def coefs(self, alphas, targets=None):
        """(n_targets, n_features, n_alphas) coefficients; `targets` selects the columns of q."""
        q = self.q if targets is None else self.q[:, targets]
        F = self.inverse(alphas)  # (m, a)
        # W[t, :, a] = B @ (q[:, t] * F[:, a])
        scaled = q.T[:, :, None] * F[None, :, :]  # (k, m, a)
        return np.einsum("pm,kma->kpa", self.B, scaled, optimize=True)

    def intercepts(self, coefs):
        return self.y_mean[:, None] - np.einsum("kpa,p->ka", coefs, self.x_mean)


def _spectrum(X, Y, sw, fit_intercept, mode):
    """Decompose once in float64. mode: 'cov' (eigh of X~^T X~), 'gram' (eigh of X~ X~^T), 'svd'."""
    n, p = X.shape
    if mode == "svd":
        v.check_finite(X)
        x_mean, y_mean, W = _weighted_means(X, Y, sw, fit_intercept)
        root = np.ones(n) if sw is None else np.sqrt(sw.astype(np.float64))
        Xt = (np.asarray(X, dtype=np.float64) - x_mean) * root[:, None]
        U, S, Vt = linalg.svd(Xt, full_matrices=False, check_finite=False)
        Yt = (Y.astype(np.float64) - y_mean) * root[:, None]
        # X~ = U S V^T: L = S^2, B = V, q = V^T X~^T Y~ = S U^T Y~, Z = U S
        return _Spectrum(S**2, Vt.T, S[:, None] * (U.T @ Yt), x_mean, y_mean, W, root, U=U,
                         rank_tol=max(n, p) * np.finfo(np.float64).eps)
    X, x_shift = _far_columns_shifted(X, sw, fit_intercept)
    if mode == "cov":
        stats = (_sparse_primal if _is_sparse(X) else _dense_primal)(X, Y, sw, fit_intercept, np.float64)
        _check_gram_diagonal(np.diag(stats.G), X)
        L, V = linalg.eigh(stats.G, lower=False, check_finite=False)
        root = np.ones(n) if sw is None else np.sqrt(sw.astype(np.float64))
        return _Spectrum(L, V, V.T @ stats.XtY, stats.x_mean + x_shift, stats.y_mean, stats.weight_sum, root)
    dual = _dual_stats(X, Y, sw, fit_intercept, np.float64)
    _check_gram_diagonal(np.diag(dual.K), X)
    L, U = linalg.eigh(dual.K, lower=False, check_finite=False)
    L = np.maximum(L, 0.0)
    B = _dual_coef(X, U, dual, np.float64)
    return _Spectrum(L, B, U.T @ dual.Yt, dual.x_mean + x_shift, dual.y_mean, dual.weight_sum, dual.root, U=U)


class RidgePath(NamedTuple):
    """What `ridge_path` returns."""

    alphas: np.ndarray
    """The penalties, in the order given."""
    coefs: np.ndarray
    """(n_features, n_alphas) for 1-D y, (n_targets, n_features, n_alphas) for 2-D y, in X's dtype."""
    intercepts: np.ndarray
    """(n_alphas,) for 1-D y, (n_targets, n_alphas) for 2-D y."""
    solver: str
    """'eigh' (X~^T X~ = V L V^T), 'eigh-dual' (X~ X~^T) or 'svd' (X~ = U S V^T); '+svd' (or '+lsqr', a
    sparse X too large to densify) when the alphas the eigendecomposition cannot resolve were solved
    from X."""


def _gcv_mode(X, mode):
    if mode in (None, "auto", "eigen"):
        return "gram" if X.shape[1] > X.shape[0] else "cov"
    if mode == "svd" and _is_sparse(X):
        raise ValueError("gcv_mode='svd' needs a dense X; use gcv_mode='auto' (eigendecomposition) for sparse X.")
    return mode


_MODE_NAMES = {"cov": "eigh", "gram": "eigh-dual", "svd": "svd"}


def ridge_path(X, y, alphas, *, sample_weight=None, fit_intercept=True, mode="auto"):
    """Ridge solutions for many alphas from one eigendecomposition.

    One eigendecomposition of ``X~^T X~`` (n >= p) or ``X~ X~^T`` (p > n), X~ the centered, weighted X
    (computed in float64, as scikit-learn's RidgeCV), then every alpha costs O(p^2) (primal) or O(n p)
    (dual) per target. Same objective as `ridge`; alpha = 0 gives the minimum-norm least-squares solution.
    Alphas too small for the eigendecomposition (`ridge`'s condition rules, e.g. alpha = 0 on nearly
    singular data) are solved from an SVD of X~ instead, and `solver` says so.

    Parameters
    ----------
    X : {ndarray, scipy.sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    alphas : array-like of shape (n_alphas,)
        Penalties >= 0, in any order.
    sample_weight : array-like of shape (n_samples,) or float, default=None
    fit_intercept : bool, default=True
    mode : {'auto', 'eigen', 'cov', 'gram', 'svd'}, default='auto'
        'cov': eigh of the p x p matrix; 'gram': eigh of the n x n one; 'auto'/'eigen': the smaller;
        'svd': SVD of the centered X (dense only; slower, more accurate for nearly singular X).

    Returns
    -------
    RidgePath
        ``alphas, coefs, intercepts, solver``.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]]); y = np.array([1.0, 1.0, 4.0, 4.0])
    >>> path = fastreg.ridge_path(X, y, [0.1, 1.0, 10.0])
    >>> np.round(path.coefs[:, 1], 4), path.solver  # alpha = 1.0: the same as `ridge`
    (array([0.8824, 0.7059]), 'eigh')
    """
    X, Y, sw, one_d = _check_inputs(X, y, sample_weight)
    alphas = v.check_ridge_alphas(alphas, positive=False)
    mode = _gcv_mode(X, v.check_choice(mode, "mode", {"auto", "eigen", "cov", "gram", "svd"}))
    fit_intercept = v.check_bool(fit_intercept, "fit_intercept")
    unit = _y_unit(X, Y)
    if unit != 1.0:
        Y = (Y.astype(np.float64) / unit).astype(Y.dtype)
    spectrum = _spectrum(X, Y, sw, fit_intercept, mode)
    coefs = spectrum.coefs(alphas)
    intercepts = spectrum.intercepts(coefs) if fit_intercept else np.zeros((Y.shape[1], len(alphas)))
    name = _MODE_NAMES[mode]
    unresolved = spectrum.unresolved(alphas)
    if unresolved.any():
        coefs[:, :, unresolved], intercepts[:, unresolved], fallback = _coefs_from_X(
            X, Y, sw, bool(fit_intercept), alphas[unresolved])
        name += "+" + fallback
    coefs = (coefs * unit).astype(X.dtype)
    intercepts = intercepts * unit
    if one_d:
        coefs, intercepts = coefs[0], intercepts[0]
    return RidgePath(alphas, coefs, intercepts.astype(X.dtype), name)


def _coefs_from_X(X, Y, sw, fit_intercept, alphas):
    """(k, p, a) coefficients, (k, a) intercepts and the solver name for the alphas an eigendecomposition
    cannot resolve (`_Spectrum.unresolved`), from X itself as `_solve_from_X`: one SVD serves them all,
    LSQR solves each for a sparse X too large to densify (to `PATH_LSQR_TOL`)."""
    if _is_sparse(X) and X.shape[0] * X.shape[1] * 8 > SVD_MAX_BYTES:
        solved = [_solve_from_X(X, Y, sw, np.full(Y.shape[1], alpha), fit_intercept, PATH_LSQR_TOL, None)
                  for alpha in alphas]
        return np.stack([fit[0] for fit in solved], axis=2), np.stack([fit[1] for fit in solved], axis=1), "lsqr"
    spectrum = _spectrum(X.toarray() if _is_sparse(X) else X, Y, sw, fit_intercept, "svd")
    coefs = spectrum.coefs(alphas)
    return coefs, spectrum.intercepts(coefs), "svd"


# ----------------------------------------------------------------------------------------- cross-validation


def _loo_errors(X, spectrum, Y, alphas, fit_intercept, keep):
    """Leave-one-out errors sqrt(s_i)(y_i - yhat_{-i}) = r_i / (1 - h_ii) for every sample, target, alpha.

    With a complete sample basis U (X~ X~^T = U diag(L) U^T, U square) the residual and 1 - h come
    without cancellation: r = U diag(alpha / (L + alpha)) U^T Y~ and 1 - h_ii = sum_j U_ij^2 alpha /
    (L_j + alpha) - s_i / sum(s) (the intercept's direction S^{1/2} 1 is a null vector of the centered
    X~ X~^T). Otherwise Z = X~ V is formed by row blocks (one GEMM each, never held whole):
    h_ii = sum_j Z_ij^2 / (L_j + alpha) + s_i / sum(s), r = Y~ - Z diag(1 / (L + alpha)) Z^T Y~.

    Returns (sum of squares per (target, alpha), the errors (n, k, a) when `keep`, else None)."""
    n, k, n_alphas = X.shape[0], Y.shape[1], len(alphas)
    root, W = spectrum.root, spectrum.weight_sum
    Yt = (Y.astype(np.float64) - spectrum.y_mean) * root[:, None]
    sq = np.zeros((k, n_alphas))
    errors = np.empty((n, k, n_alphas)) if keep else None
    intercept_leverage = root**2 / W if fit_intercept else np.zeros(n)
    L = spectrum.L
    U = spectrum.U
    complete = U is not None and U.shape[1] == n
    if U is not None:
        Uty = U.T @ Yt  # (m, k)
        if complete:
            M = alphas[None, :] / (L[:, None] + alphas[None, :])  # alpha / (L + alpha), (m, a)
        else:
            M = L[:, None] / (L[:, None] + alphas[None, :])  # L / (L + alpha)
        coeffs = (Uty[:, :, None] * M[:, None, :]).reshape(len(L), k * n_alphas)
        step = _block_rows(n, len(L), 8)
        for start in range(0, n, step):
            rows = slice(start, min(start + step, n))
            Ub = U[rows]
            lev = (Ub * Ub) @ M
            part = (Ub @ coeffs).reshape(-1, k, n_alphas)
            if complete:
                one_minus_h, resid = lev - intercept_leverage[rows, None], part
            else:
                one_minus_h, resid = 1.0 - lev - intercept_leverage[rows, None], Yt[rows, :, None] - part
            err = resid / one_minus_h[:, None, :]
            sq += np.einsum("ika,ika->ka", err, err)
            if keep:
                errors[rows] = err
        return sq, errors
    V = spectrum.B
    F = spectrum.inverse(alphas)  # (p, a)
    QF = (spectrum.q[:, :, None] * F[:, None, :]).reshape(len(L), k * n_alphas)
    step = _block_rows(n, len(L), 8)
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        if _is_sparse(X):
            Zb = (np.asarray(X[rows] @ V, dtype=np.float64) - spectrum.x_mean @ V) * root[rows, None]
        else:
            Xb = np.asarray(X[rows], dtype=np.float64) - spectrum.x_mean
            Xb *= root[rows, None]
            Zb = Xb @ V
        h = (Zb * Zb) @ F + intercept_leverage[rows, None]
        fitted = (Zb @ QF).reshape(-1, k, n_alphas)
        err = (Yt[rows, :, None] - fitted) / (1.0 - h)[:, None, :]
        sq += np.einsum("ika,ika->ka", err, err)
        if keep:
            errors[rows] = err
    return sq, errors


def _scorer(scoring):
    """scikit-learn's scorer for `scoring` (a name or a callable ``scorer(estimator, X, y)``) and the
    identity regressor it is applied to: predictions in, predictions out (as scikit-learn's RidgeCV)."""
    from sklearn.base import BaseEstimator, RegressorMixin
    from sklearn.metrics import check_scoring

    class _Identity(RegressorMixin, BaseEstimator):
        def fit(self, X, y=None):
            return self

        def predict(self, X):
            return X

    return check_scoring(_Identity(), scoring=scoring), _Identity().fit(None)


def _score_predictions(scoring, pred, y, s, one_d):
    """(n_alphas,) scores of (n, k, a) predictions against y (n, k): R^2 when scoring is None, else the
    scorer on the (1-D when y was) predictions, with the sample weights."""
    if scoring is None:
        return _r2(y, pred, s)
    scorer, identity = scoring
    kwargs = {} if s is None else {"sample_weight": s}
    cols = (lambda a: (pred[:, 0, a], y[:, 0])) if one_d else (lambda a: (pred[:, :, a], y))
    return np.array([scorer(identity, *cols(a), **kwargs) for a in range(pred.shape[2])], dtype=np.float64)


def _kfold_splits(cv, X, Y):
    """The (train, test) splits of an int, a splitter or an iterable `cv` (fastreg._cv's rules)."""
    from ._cv import check_cv, make_folds

    n = X.shape[0]
    return make_folds(check_cv(cv, n), X, Y if Y.shape[1] > 1 else Y[:, 0], None, n)


def _r2(y, pred, s):
    """(Weighted) R^2 per column of (n, k, a) predictions against y (n, k), uniform average over targets:
    r2_score's rules (1 when y is constant and predicted exactly, 0 when constant and not)."""
    s = np.ones(len(y)) if s is None else s.astype(np.float64)
    resid = y[:, :, None] - pred
    ss_res = np.einsum("i,ika,ika->ka", s, resid, resid)
    yc = y - (s @ y) / s.sum()
    ss_tot = np.einsum("i,ik,ik->k", s, yc, yc)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot != 0, 1.0 - ss_res / np.where(ss_tot != 0, ss_tot, 1.0),
                      np.where(ss_res == 0, 1.0, 0.0))
    return r2.mean(axis=0)


def _kfold_scores(X, Y, sw, alphas, fit_intercept, splits, scoring=None, one_d=False):
    """Mean score over the folds for every alpha (as scikit-learn's RidgeCV with cv: GridSearchCV over
    Ridge, each held-out fold scored -- R^2 by default -- with its sample weights).

    When the folds partition the rows and n >= p, every training fold's statistics are ``total - fold``:
    one blocked syrk per held-out fold covers all of X once."""
    n, p = X.shape
    k = Y.shape[1]
    tests = [te for _, te in splits]
    partition = (not _is_sparse(X) and n >= p and sum(len(te) for te in tests) == n
                 and np.array_equal(np.sort(np.concatenate(tests)), np.arange(n))
                 and all(len(tr) + len(te) == n for tr, te in splits))
    scores = np.zeros((len(splits), len(alphas)))
    if not partition and not _is_sparse(X):
        v.check_finite(X)
    if partition:
        head = slice(0, min(n, BLOCK_ROWS))
        x_shift = X[head].mean(axis=0, dtype=np.float64) if fit_intercept else np.zeros(p)
        y_shift = Y[head].mean(axis=0, dtype=np.float64) if fit_intercept else np.zeros(k)
        parts = [_shifted_sums(X, Y, sw, x_shift, y_shift, np.float64, rows=np.sort(te)) for te in tests]
        total = [sum(part[i] for part in parts) for i in range(3)]
        _check_gram_diagonal(np.diag(total[0]), X)
    for f, (train, test) in enumerate(splits):
        if partition:
            A, XtY, sy = (total[i] - parts[f][i] for i in range(3))
            if A[p, p] <= 0:
                raise ValueError(f"fold {f}: the training rows have zero total sample_weight.")
            stats = _schur(A, XtY, sy, x_shift, y_shift, fit_intercept, np.float64)
            L, V = linalg.eigh(stats.G, lower=False, check_finite=False)
            spectrum = _Spectrum(L, V, V.T @ stats.XtY, stats.x_mean, stats.y_mean, stats.weight_sum, None)
        else:
            Xtr = X[train]
            spectrum = _spectrum(Xtr, Y[train], None if sw is None else sw[train], fit_intercept,
                                 "gram" if Xtr.shape[1] > Xtr.shape[0] else "cov")
        coefs = spectrum.coefs(alphas)  # (k, p, a)
        intercepts = spectrum.intercepts(coefs) if fit_intercept else np.zeros((k, len(alphas)))
        unresolved = spectrum.unresolved(alphas)
        if unresolved.any():  # alpha = 0 on (nearly) singular folds: solved from the training rows
            coefs[:, :, unresolved], intercepts[:, unresolved], _ = _coefs_from_X(
                X[train], Y[train], None if sw is None else sw[train], fit_intercept, alphas[unresolved])
        Xte = X[test]
        pred = np.asarray(Xte @ coefs.transpose(1, 0, 2).reshape(p, -1), dtype=np.float64)
        pred = pred.reshape(-1, k, len(alphas)) + intercepts[None]
        scores[f] = _score_predictions(scoring, pred, Y[test].astype(np.float64), None if sw is None else sw[test],
                                       one_d)
    return scores.mean(axis=0)


# ----------------------------------------------------------------------------------------- estimators


class _RidgeEstimator(RegressorBase):
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _set_fitted(self, coef, intercept, one_d, dtype, n_features):
        coef = np.asarray(coef).astype(dtype)
        if one_d:
            self.coef_, self.intercept_ = coef[0], float(intercept[0])
        elif coef.shape[0] == 1:  # y of shape (n, 1): scikit-learn's coef_ is 1-D, intercept_ (1,)
            self.coef_, self.intercept_ = coef[0], np.asarray(intercept, dtype=dtype)
        else:
            self.coef_, self.intercept_ = coef, np.asarray(intercept, dtype=dtype)
        self.n_features_in_ = n_features

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``, in X's dtype (float32 stays float32).

        Parameters
        ----------
        X : {array-like, scipy.sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        self._check_is_fitted()
        self._check_feature_names(X, reset=False)
        X = _as_design(X)
        self._check_n_features(X.shape[1])
        coef = self.coef_.astype(X.dtype, copy=False)
        return np.asarray(X @ coef.T) + np.asarray(self.intercept_, dtype=X.dtype)


class Ridge(_RidgeEstimator):
    """Linear least squares with an L2 penalty, by one Cholesky factorization.

    Minimizes ``||y - X w - b||^2 + alpha ||w||^2`` (with sample weights s: ``sum_i s_i (y_i - x_i^T w
    - b)^2 + alpha ||w||^2``), exactly as scikit-learn's ``Ridge``: same parameters (``positive`` and the
    'sag'/'saga'/'lbfgs'/'svd'/'sparse_cg' solvers aside), same fitted attributes. See `ridge`.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty (>= 0), one per target if an array.
    fit_intercept : bool, default=True
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    max_iter : int, default=None
        LSQR's iteration limit.
    tol : float, default=1e-4
        LSQR's tolerance (also when LSQR replaces an untrusted factorization of a large sparse X);
        unused by Cholesky.
    solver : {'auto', 'cholesky', 'lsqr'}, default='auto'
        See `ridge`; the one that ran is ``solver_``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or ndarray of shape (n_targets,)
        LSQR iterations per target; 1 for the direct solvers (one factorization).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when X had string column names
    solver_ : str
        'cholesky', 'cholesky-dual', 'lsqr', or 'svd' (the solve from X, with a warning, when the
        factorization cannot be trusted: see `ridge`).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 3)); y = X @ [1.0, 2.0, 0.0] + 3.0
    >>> model = fastreg.Ridge(alpha=1e-8).fit(X, y)
    >>> np.round(model.coef_, 6) + 0.0, round(model.intercept_, 6), model.solver_
    (array([1., 2., 0.]), 3.0, 'cholesky')
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None, tol=1e-4, solver="auto"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, scipy.sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,) or float, default=None

        Returns
        -------
        self
        """
        self._check_feature_names(X, reset=True)
        X, Y, sw, one_d = _check_inputs(X, y, sample_weight, estimator=type(self).__name__)
        alphas = v.check_ridge_alpha(self.alpha, Y.shape[1])
        solver = v.check_choice(self.solver, "solver", SOLVERS)
        tol = v.check_scalar(self.tol, "tol", low=0.0)
        max_iter = None if self.max_iter is None else v.check_scalar(
            self.max_iter, "max_iter", kind=numbers.Integral, low=1)
        fit_intercept, _ = v.check_bools(fit_intercept=self.fit_intercept, copy_X=self.copy_X)
        coef, intercept, name, n_iter = _fit(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter)
        self._set_fitted(coef, intercept, one_d, X.dtype, X.shape[1])
        self.solver_ = name
        # a direct solve is one step (scikit-learn's estimator checks want n_iter_ >= 1 with max_iter)
        n_iter = np.ones(Y.shape[1], dtype=int) if n_iter is None else np.asarray(n_iter)
        self.n_iter_ = int(n_iter[0]) if one_d else n_iter
        return self


class RidgeCV(_RidgeEstimator):
    """Ridge regression with the penalty chosen by efficient leave-one-out (or K-fold) cross-validation.

    ``cv=None`` (default): exact leave-one-out errors for every alpha from one eigendecomposition of
    the centered Gram matrix (``X~^T X~`` when n > p, ``X~ X~^T`` otherwise), the intercept refitted
    exactly without each sample, as scikit-learn's ``RidgeCV``: ``best_score_`` is minus the mean
    squared leave-one-out error (errors scaled by sqrt(sample_weight)). ``cv=K`` or a splitter: K-fold,
    scored by R^2 on the held-out rows (mean over folds, as GridSearchCV over ``Ridge``), every training
    fold's statistics from ``total - fold``; then a refit on all rows.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try (> 0 for leave-one-out, >= 0 for K-fold), or one number > 0 (as scikit-learn).
    fit_intercept : bool, default=True
    scoring : str, callable or None, default=None
        None: minus the mean squared leave-one-out error (cv=None), R^2 (K-fold). Otherwise a
        scikit-learn scorer name or ``scorer(estimator, X, y)`` (needs scikit-learn), applied as
        scikit-learn's RidgeCV does: to the leave-one-out (or held-out) predictions.
    cv : None, int, splitter or iterable of (train, test), default=None
    gcv_mode : {None, 'auto', 'eigen', 'svd'}, default=None
        None/'auto'/'eigen': eigendecomposition of the smaller Gram matrix, or an SVD of X~ when some
        alpha is too small for it to resolve (dense X; `ridge_path`'s rule); 'svd': SVD of X~ (dense).
    store_cv_results : bool, default=False
        Keep the leave-one-out squared errors in ``cv_results_`` (cv=None only).
    alpha_per_target : bool, default=False
        Choose an alpha for every target separately (cv=None only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        Squared leave-one-out errors (scaled by the sample weights), or the leave-one-out predictions
        when ``scoring`` is given.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when X had string column names
    solver_ : str
        The decomposition: 'eigh', 'eigh-dual' or 'svd' (leave-one-out), 'kfold' + the refit's solver.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5)); y = X @ [1.0, 2.0, 0.0, 0.0, -1.0] + rng.standard_normal(200)
    >>> model = fastreg.RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, y)
    >>> float(model.alpha_), model.solver_
    (1.0, 'eigh')
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None, gcv_mode=None,
                 store_cv_results=False, alpha_per_target=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def fit(self, X, y, sample_weight=None):
        """Fit the model, choosing alpha by cross-validation.

        Parameters
        ----------
        X : {array-like, scipy.sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Weights of the squared loss; leave-one-out errors are scaled by their square root, K-fold
            R^2 scores are weighted (both as scikit-learn's RidgeCV).

        Returns
        -------
        self
        """
        scoring = None if v.check_scoring(self.scoring) is None else _scorer(self.scoring)
        self._check_feature_names(X, reset=True)
        X, Y, sw, one_d = _check_inputs(X, y, sample_weight, estimator=type(self).__name__)
        if _y_unit(X, Y) != 1.0:  # (Ridge and ridge_path rescale y; scores in y's units cannot be)
            raise ValueError(
                f"RidgeCV: y has entries of magnitude {float(np.max(np.abs(Y))):.3g}, too large or too small "
                f"(against X's) for its squared errors or the solve to stay inside the {X.dtype} range; "
                f"multiply y by a power of ten first (the scores then scale by its square)."
            )
        loo = self.cv is None
        alphas = v.check_ridge_alphas(self.alphas, positive=loo, single_positive=True)
        fit_intercept, store_cv_results, alpha_per_target = v.check_bools(
            fit_intercept=self.fit_intercept, store_cv_results=self.store_cv_results,
            alpha_per_target=self.alpha_per_target)
        if self.gcv_mode not in (None, "auto", "eigen", "svd"):
            raise ValueError(f"gcv_mode must be one of None, 'auto', 'eigen', 'svd', got {self.gcv_mode!r}.")
        per_target = alpha_per_target and Y.shape[1] > 1
        if not loo:
            if store_cv_results:
                raise ValueError("cv!=None and store_cv_results=True are incompatible: only leave-one-out "
                                 "(cv=None) keeps per-sample errors.")
            if alpha_per_target:
                raise ValueError("cv!=None and alpha_per_target=True are incompatible; use cv=None.")
            splits = _kfold_splits(self.cv, X, Y)
            scores = _kfold_scores(X, Y, sw, alphas, fit_intercept, splits, scoring, one_d)
            best = int(np.argmax(scores))
            coef, intercept, name, _ = _fit(X, Y, sw, np.full(Y.shape[1], alphas[best]), fit_intercept,
                                            "auto", 1e-6, None)
            self._set_fitted(coef, intercept, one_d, X.dtype, X.shape[1])
            self.alpha_, self.best_score_ = float(alphas[best]), float(scores[best])
            self.solver_ = f"kfold+{name}"
            return self

        positive = np.ones(X.shape[0], dtype=bool) if sw is None else sw > 0
        if fit_intercept and positive.sum() < 2:
            raise ValueError(
                f"Leave-one-out cross-validation with an intercept needs at least 2 samples with positive "
                f"weight, got {int(positive.sum())} sample(s); use fit_intercept=False or more samples."
            )
        mode = _gcv_mode(X, self.gcv_mode)
        spectrum = _spectrum(X, Y, sw, fit_intercept, mode)
        if spectrum.unresolved(alphas).any() and not _is_sparse(X):
            # alphas below the eigendecomposition's resolution: every alpha from an SVD of X~ instead
            mode = "svd"
            spectrum = _spectrum(X, Y, sw, fit_intercept, mode)
        keep = store_cv_results or scoring is not None
        sq, errors = _loo_errors(X, spectrum, Y, alphas, fit_intercept, keep)
        n, k = X.shape[0], Y.shape[1]
        if scoring is not None:
            # leave-one-out predictions in the units of y (errors are scaled by sqrt(s)), as scikit-learn
            with np.errstate(divide="ignore", invalid="ignore"):
                results = Y.astype(np.float64)[:, :, None] - errors / spectrum.root[:, None, None]
            Y64 = Y.astype(np.float64)
            if per_target:
                scores = np.array([_score_predictions(scoring, results[:, t:t + 1], Y64[:, t:t + 1], sw, True)
                                   for t in range(k)])
            else:
                scores = _score_predictions(scoring, results, Y64, sw, one_d)
        else:
            results = None if errors is None else errors**2
            scores = -sq / n if per_target else -sq.sum(axis=0) / (n * k)
        if per_target:  # scores (k, a)
            best = np.argmax(scores, axis=1)
            coefs = spectrum.coefs(alphas)  # (k, p, a)
            coef = coefs[np.arange(k), :, best]
            alpha_, best_score = alphas[best], scores[np.arange(k), best]
        else:
            b = int(np.argmax(scores))
            coef = spectrum.coefs(alphas[b:b + 1])[:, :, 0]
            alpha_, best_score = float(alphas[b]), float(scores[b])
        intercept = spectrum.y_mean - coef @ spectrum.x_mean if fit_intercept else np.zeros(k)
        self._set_fitted(coef, intercept, one_d, X.dtype, X.shape[1])
        self.alpha_, self.best_score_ = alpha_, best_score
        if store_cv_results:
            self.cv_results_ = (results[:, 0, :] if one_d else results).astype(X.dtype)
        elif hasattr(self, "cv_results_"):
            del self.cv_results_
        self.solver_ = _MODE_NAMES[mode]
        return self

"""Ridge's solvers: Cholesky of X~^T X~ + αI (or of X~ X~^T + αI), the solve from X (SVD, LSQR), many α
from one eigendecomposition, leave-one-out errors.

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

What this module does not do. Its inputs are validated already (`fastreg._validation`:
`check_ridge_data`, the alphas, the options); a dense X's NaN/inf check is deferred to the diagonal of
the Gram matrix a solve forms, and callers that form none (LSQR on a dense X, the SVD mode) check X
first. Its statistics -- X~^T X~ and X~^T Y~ (`fastreg._stats.normal_equations`: one syrk over X without
a copy and the rank-one centering, far-off-center columns patched; shifted row blocks with weights),
X~ X~^T (`dual_normal_equations`), the means, the sparse shift rule -- come from `fastreg._stats`, the
K-fold statistics from `fastreg._folds` (``total - fold``, see `fastreg._cv.ridge_kfold_scores`). The
front ends `ridge` and `ridge_path` are in `fastreg._path`, the estimators in `fastreg.linear_model`.

Examples
--------
>>> import numpy as np
>>> from fastreg import _ridge
>>> M = np.array([[2.0, 1.0], [1.0, 2.0]]); B = np.array([[3.0], [3.0]])
>>> x, untrusted = _ridge.cholesky_solve(M, B, np.array([1.0]), np.dtype(np.float64))  # (M + I) x = B
>>> x.ravel(), untrusted  # inf: the factorization was trusted
(array([0.75, 0.75]), array([inf]))
"""
import warnings

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import lapack
from scipy.sparse import linalg as sparse_linalg

from . import _plan
from . import _stats
from . import _validation as v

__all__ = [
    "SOLVERS", "SKLEARN_SOLVERS", "MODE_NAMES", "Spectrum", "cholesky_solve", "coefs_from_X",
    "loo_errors",
    "lsqr", "solve", "solve_alphas", "solve_from_X", "spectrum", "spectrum_of", "y_unit",
]

# fastreg's solves ('svd': `solve_from_X` on any X), and the solver each of scikit-learn's names runs:
# its iterative solvers get the exact direct solve of 'auto' (the same minimizer, to rounding; 'lbfgs'
# exists there only for positive=True, which fastreg solves apart: `fastreg._path.ridge_positive`)
SOLVERS = {"auto", "cholesky", "lsqr", "svd"}
SKLEARN_SOLVERS = {"auto": "auto", "svd": "svd", "cholesky": "cholesky", "lsqr": "lsqr", "sparse_cg": "auto",
                   "sag": "auto", "saga": "auto", "lbfgs": "auto"}
# largest dense copy of X (n x p float64) the solve from X makes when X^T X + alpha I cannot be trusted
# (`solve_from_X`): a sparse X beyond it gets LSQR instead of an SVD
SVD_MAX_BYTES = 1 << 28
# float32 Cholesky ridge: the rows of X sampled to predict whether float32 sums will be singular to
# float32's precision (`_float32_suffices`: runs of rows spread over X), and the margin on that rule
SAMPLE_SLABS, SAMPLE_ROWS = 8, 64
FLOAT32_MARGIN = 16.0
# LSQR's atol = btol when `ridge_path` or RidgeCV solve from a large sparse X the alphas its Gram
# matrix cannot resolve (they have no tol of their own)
PATH_LSQR_TOL = 1e-10
# the decompositions of `spectrum` and their names (a RidgePath's solver, RidgeCV's solver_)
MODE_NAMES = {"cov": "eigh", "gram": "eigh-dual", "svd": "svd"}


def _lapack(name, dtype):
    return getattr(lapack, ("s" if dtype == np.float32 else "d") + name)


# ----------------------------------------------------------------------------------------- one alpha per target


def _upper_one_norm(M):
    """The 1-norm of the symmetric matrix whose upper triangle is M (column sums of |upper| + |strict lower|)."""
    upper = np.abs(np.triu(M))
    return float((upper.sum(axis=0) + upper.sum(axis=1) - np.diag(upper)).max())


def cholesky_solve(M, B, alphas, dtype):
    """Solve (M + alpha_t I) x_t = B[:, t] for every column t: one potrf per distinct alpha, all the
    columns sharing it solved by one potrs. M: symmetric (its upper triangle is read).

    A factorization is trusted when it succeeds and LAPACK's estimate of the reciprocal condition
    number of M + alpha I (pocon, O(dimension^2) from the factor) is at least dimension * eps, below
    which M + alpha I is singular to working precision (alpha = 0 with singular data, a penalty too
    small for the data): M = X~^T X~ has squared X~'s condition number away. For least squares
    (alpha = 0) it must also be at least sqrt(eps): the coefficients of the normal equations are
    then accurate to about sqrt(eps), those of an SVD of X~ to eps times X~'s condition number.
    Untrusted columns are left to `solve_from_X`.
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


def solve_from_X(X, Y, sw, alphas, fit_intercept, tol, max_iter):
    """The ridge solutions for the columns of Y (alpha_t each) from X itself, for systems whose normal
    equations cannot be trusted (`cholesky_solve`).

    An SVD of X~ = S^{1/2} (X - 1 xbar^T) in float64 (a centered copy; float32 data are widened, not
    rounded): w = V diag(s / (s^2 + alpha)) U^T y~, singular values up to max(n, p) eps s_max
    counted as 0 (numpy.linalg.lstsq's rank rule), so that alpha = 0 gives the minimum-norm
    least-squares solution X~^+ y~. A sparse X is densified for it when the copy fits
    `SVD_MAX_BYTES`; a larger one gets LSQR on the implicitly centered operator (`lsqr`, to `tol`),
    which tends to the same solution only as far as X's conditioning lets it.
    Returns (coef (k, p), intercept (k,), solver name, n_iter or None, rank of X~ or None)."""
    if sparse.issparse(X):
        if X.shape[0] * X.shape[1] * 8 > SVD_MAX_BYTES:
            coef, x_mean, y_mean, n_iter = lsqr(X, Y, sw, alphas, fit_intercept, tol, max_iter)
            return coef, y_mean - coef @ x_mean, "lsqr", n_iter, None
        X = X.toarray()
    svd = spectrum(X, Y, sw, fit_intercept, "svd")
    coef = np.empty((Y.shape[1], X.shape[1]))
    for alpha in np.unique(alphas):
        cols = np.flatnonzero(alphas == alpha)
        coef[cols] = svd.coefs([alpha], targets=cols)[:, :, 0]
    intercept = svd.y_mean - coef @ svd.x_mean
    return coef, intercept, "svd", None, int(np.count_nonzero(svd.L))


def _warn_singular(what, alphas, rcond, dtype, name, rank, n_features, tol):
    """The UserWarning of a fit whose normal equations, singular to working precision, were replaced
    by a solve from X."""
    estimate = "its Cholesky factorization failed" if rcond == 0 else (
        f"its reciprocal condition number is about {rcond:.1e}")
    if name == "svd":
        rank = f"; X~ has rank {rank} < {n_features} features" if rank < n_features else ""
        how = (f"an SVD of the centered X (reported as 'svd'){rank}: for alpha = 0 the minimum-norm "
               f"least-squares solution (numpy.linalg.lstsq's) was returned")
    else:
        how = (f"LSQR on the implicitly centered X (reported as 'lsqr', tol={tol:g}; X is too large to densify "
               f"for an SVD): it tends to the minimum-norm least-squares solution only as far as X's "
               f"conditioning lets it")
    warnings.warn(
        f"{what} + alpha I is singular to working precision for alpha = {alphas} ({estimate}): linearly "
        f"dependent columns, or alpha too small for the data. Solved from X by {how}. Use a larger alpha "
        f"to avoid this.",
        UserWarning, stacklevel=v.caller_stacklevel(),
    )


def lsqr(X, Y, sw, alphas, fit_intercept, tol, max_iter):
    """LSQR (Paige & Saunders) on the implicitly centered, weighted operator X~ with damp = sqrt(alpha):
    exactly the ridge problem, without forming any Gram matrix or densifying X (a dense X must be
    finite: the caller checks it). Returns (coef (k, p), x_mean, y_mean, n_iter per target)."""
    n, p = X.shape
    x_mean, y_mean, _ = _stats.weighted_means(X, Y, sw, fit_intercept)
    root = np.ones(n) if sw is None else np.sqrt(sw.astype(np.float64))
    Xd = X if sparse.issparse(X) else np.asarray(X)

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


def y_unit(X, Y):
    """A power of two u to solve for Y / u (coefficients and intercepts are linear in Y), 1 unless the
    solve's quantities would leave the working dtype's range: Y's squares (float64 limits), X^T y
    (about x y, summed over n rows) or the dual solution (about y / x^2, normal with 24 bits to
    spare). Then u brings y to about sqrt(x), which keeps both x y and y / x^2 near x^(+-3/2). x is
    judged from the first rows (an order of magnitude is all this needs, and no pass over X)."""
    y_max = float(np.max(np.abs(Y))) if Y.size else 0.0
    if y_max == 0:
        return 1.0
    head = X.data if sparse.issparse(X) else X[:_stats.HEAD_ROWS]
    x_max = float(np.max(np.abs(head))) if head.size else 0.0
    info = np.finfo(X.dtype)
    if 0 < x_max < np.inf:  # (NaN and inf are reported by the solve)
        top = np.log2(y_max) + np.log2(x_max) + np.log2(max(X.shape[0], 1))
        bottom = np.log2(y_max) - 2 * np.log2(x_max)
        if top > info.maxexp - 8 or bottom < info.minexp + 24:
            return float(2.0 ** np.round(np.log2(y_max / np.sqrt(x_max))))
    return _stats.pow2_scale(y_max, np.float64)


def solve(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter):
    """Validated inputs (a dense X checked for NaN/inf by the caller when solver is 'lsqr' or 'svd') -> (coef (k, p)
    float64, intercept (k,) float64, solver name, n_iter or None): one alpha per target."""
    unit = y_unit(X, Y)
    if unit == 1.0:
        return _solve_unit(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter)
    coef, intercept, name, n_iter = _solve_unit(X, (Y.astype(np.float64) / unit).astype(Y.dtype), sw, alphas,
                                                fit_intercept, solver, tol, max_iter)
    return coef * unit, intercept * unit, name, n_iter


def _dual_coef(X, A, dual, dtype):
    """w = X~^T A for the dual solution A (n x k): a pass over X (column blocks when centered)."""
    n, p = X.shape
    scaled = A * dual.root[:, None]  # X~^T A = (X - 1 m^T)^T S^{1/2} A
    if sparse.issparse(X):
        W = np.asarray(X.T @ scaled, dtype=np.float64)
        return W - np.outer(dual.x_mean, scaled.sum(axis=0))
    if not dual.x_mean.any():
        return np.asarray(X.T @ scaled.astype(X.dtype), dtype=np.float64)
    W = np.empty((p, A.shape[1]))
    for cols in _stats.column_blocks(p, n, np.dtype(dtype).itemsize):
        block = _stats.centered_columns(X, cols, dual.x_mean, None, dtype)
        W[cols] = block.T @ scaled.astype(dtype)
    return W


def _float32_suffices(X, sw, alphas, fit_intercept):
    """Whether float32 normal equations of a dense X are worth trying: False when rows spread over X
    (SAMPLE_SLABS runs of SAMPLE_ROWS) predict that float32 sums would need shifted copies (more than
    p / 8 columns far off center, `fastreg._stats.FAST_CANCELLATION`: float64 sums then cost no more)
    or that `cholesky_solve` would find them singular to float32's precision for the smallest alpha
    (the reciprocal condition number of the sample's centered, weighted Gram matrix, scaled to all
    rows, plus that alpha, below FLOAT32_MARGIN times float32's limit p eps). True for a sparse or
    short X (the float32 try is cheap, and its failure is caught anyway)."""
    n, p = X.shape
    if sparse.issparse(X) or n <= 4 * SAMPLE_SLABS * SAMPLE_ROWS or p == 0:
        return True
    S = _stats._spread_rows(X, SAMPLE_SLABS, SAMPLE_ROWS)
    s = (np.ones(len(S)) if sw is None else
         np.concatenate([sw[run] for run in _stats.spread_runs(n, SAMPLE_SLABS, SAMPLE_ROWS)]).astype(np.float64))
    if s.sum() <= 0 or not np.isfinite(S).all():
        return True  # (left to the solve, which judges and reports it)
    if fit_intercept:
        mean = (s @ S) / s.sum()
        S -= mean
        far = ~(_stats.center_ratio(mean, (s @ S**2) / s.sum()) <= _stats.FAST_CANCELLATION[np.dtype(np.float32)] / 4)
        if np.count_nonzero(far) > p // 8:
            return False
    S *= np.sqrt(s)[:, None]
    total = float(n if sw is None else sw.sum(dtype=np.float64))
    M = linalg.blas.dsyrk(total / s.sum(), S, trans=1)  # (upper triangle)
    M[np.diag_indices(p)] += float(np.min(alphas))
    norm = _upper_one_norm(M)
    factor, info = lapack.dpotrf(M, lower=0, clean=0, overwrite_a=1)
    if info != 0 or norm == 0:
        return info == 0
    rcond, info = lapack.dpocon(factor, norm, uplo="U")
    return info == 0 and rcond >= FLOAT32_MARGIN * p * np.finfo(np.float32).eps


def _solve_unit(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter):
    """`solve` for Y of a safe magnitude."""
    dtype = np.dtype(X.dtype)
    if solver == "svd":  # (asked for: no warning when alpha = 0 has no unique solution, as lstsq)
        coef, intercept, name, n_iter, _ = solve_from_X(X, Y, sw, alphas, fit_intercept, tol, max_iter)
        return coef, intercept if fit_intercept else np.zeros(Y.shape[1]), name, n_iter
    kind = _plan.ridge_solver(X, solver)
    X, x_shift = _stats.shifted_for_centering(X, sw, fit_intercept)
    if kind == "lsqr":
        coef, x_mean, y_mean, n_iter = lsqr(X, Y, sw, alphas, fit_intercept, tol, max_iter)
        return coef, y_mean - coef @ (x_mean + x_shift), "lsqr", n_iter
    # float32 data are summed and factored in float32 (half the bytes, twice the flops) unless a sample
    # of rows predicts that to be singular to float32's precision; when it is, once more with float64
    # sums of the same values (each block widened in cache, no copy of X) before falling back to X
    tries = (dtype,)
    if dtype == np.float32:
        tries = (dtype, np.dtype(np.float64)) if kind != "cholesky" or _float32_suffices(X, sw, alphas, fit_intercept) \
            else (np.dtype(np.float64),)
    for sums in tries:
        if kind == "cholesky":
            stats = _stats.normal_equations(X, Y, sw, fit_intercept, sums)
            sums = np.dtype(stats.G.dtype)  # (float64 when float32 sums would have needed shifted copies)
            W, rcond = cholesky_solve(stats.G, stats.XtY, alphas, sums)
            coef, what = W.T, "X^T X"
        else:
            stats = _stats.dual_normal_equations(X, Y, sw, fit_intercept, sums)
            A, rcond = cholesky_solve(stats.K, stats.Yt, alphas, sums)
            solved = np.isinf(rcond)
            coef, what = np.zeros((Y.shape[1], X.shape[1])), "X X^T"
            if solved.any():  # (the other columns are solved from X below)
                coef[solved] = _dual_coef(X, A[:, solved], stats, sums).T
        if not np.isfinite(rcond).any() or sums == np.float64:
            break
    intercept = stats.y_mean - coef @ (stats.x_mean + x_shift) if fit_intercept else np.zeros(Y.shape[1])
    failed = np.isfinite(rcond)
    if not failed.any():
        return coef, intercept, kind, None
    coef[failed], intercept[failed], name, lsqr_iter, rank = solve_from_X(
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


# ----------------------------------------------------------------------------------------- many alphas


class Spectrum:
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
        `cholesky_solve` applies to a factorization; an SVD of X~ resolves every alpha."""
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


def spectrum_of(stats, root=None, x_shift=0.0):
    """The `Spectrum` of primal `fastreg._stats.NormalEquations` (eigh of G in float64). x_shift: the
    shift of the columns the statistics were taken on (`shifted_for_centering`), added back to the means."""
    L, V = linalg.eigh(stats.G, lower=False, check_finite=False)
    return Spectrum(L, V, V.T @ stats.XtY, stats.x_mean + x_shift, stats.y_mean, stats.weight_sum, root)


def spectrum(X, Y, sw, fit_intercept, mode):
    """Decompose once in float64. mode: 'cov' (eigh of X~^T X~), 'gram' (eigh of X~ X~^T), 'svd' (of X~,
    dense; X must be finite: the caller checks it)."""
    n, p = X.shape
    root = np.ones(n) if sw is None else np.sqrt(sw.astype(np.float64))
    if mode == "svd":
        x_mean, y_mean, W = _stats.weighted_means(X, Y, sw, fit_intercept)
        Xt = (np.asarray(X, dtype=np.float64) - x_mean) * root[:, None]
        U, S, Vt = linalg.svd(Xt, full_matrices=False, check_finite=False)
        Yt = (Y.astype(np.float64) - y_mean) * root[:, None]
        # X~ = U S V^T: L = S^2, B = V, q = V^T X~^T Y~ = S U^T Y~, Z = U S
        return Spectrum(S**2, Vt.T, S[:, None] * (U.T @ Yt), x_mean, y_mean, W, root, U=U,
                        rank_tol=max(n, p) * np.finfo(np.float64).eps)
    X, x_shift = _stats.shifted_for_centering(X, sw, fit_intercept)
    if mode == "cov":
        return spectrum_of(_stats.normal_equations(X, Y, sw, fit_intercept, np.float64), root, x_shift)
    dual = _stats.dual_normal_equations(X, Y, sw, fit_intercept, np.float64)
    L, U = linalg.eigh(dual.K, lower=False, check_finite=False)
    L = np.maximum(L, 0.0)
    B = _dual_coef(X, U, dual, np.float64)
    return Spectrum(L, B, U.T @ dual.Yt, dual.x_mean + x_shift, dual.y_mean, dual.weight_sum, dual.root, U=U)


def coefs_from_X(X, Y, sw, fit_intercept, alphas):
    """(k, p, a) coefficients, (k, a) intercepts and the solver name for the alphas an eigendecomposition
    cannot resolve (`Spectrum.unresolved`), from X itself as `solve_from_X`: one SVD serves them all,
    LSQR solves each for a sparse X too large to densify (to `PATH_LSQR_TOL`)."""
    if sparse.issparse(X) and X.shape[0] * X.shape[1] * 8 > SVD_MAX_BYTES:
        solved = [solve_from_X(X, Y, sw, np.full(Y.shape[1], alpha), fit_intercept, PATH_LSQR_TOL, None)
                  for alpha in alphas]
        return np.stack([fit[0] for fit in solved], axis=2), np.stack([fit[1] for fit in solved], axis=1), "lsqr"
    svd = spectrum(X.toarray() if sparse.issparse(X) else X, Y, sw, fit_intercept, "svd")
    coefs = svd.coefs(alphas)
    return coefs, svd.intercepts(coefs), "svd"


def solve_alphas(spec, X, Y, sw, fit_intercept, alphas, rows=None):
    """(k, p, a) coefficients, (k, a) intercepts for every alpha from the spectrum `spec` of the rows
    `rows` of (X, Y, sw) (all rows when None), and the name of the solve from X ('svd', 'lsqr') that
    served the alphas it cannot resolve, or None (`coefs_from_X`, on those rows only)."""
    coefs = spec.coefs(alphas)
    intercepts = spec.intercepts(coefs) if fit_intercept else np.zeros((Y.shape[1], len(alphas)))
    unresolved = spec.unresolved(alphas)
    if not unresolved.any():
        return coefs, intercepts, None
    if rows is not None:
        X, Y, sw = X[rows], Y[rows], None if sw is None else sw[rows]
    coefs[:, :, unresolved], intercepts[:, unresolved], name = coefs_from_X(
        X, Y, sw, bool(fit_intercept), alphas[unresolved])
    return coefs, intercepts, name


# ----------------------------------------------------------------------------------------- leave-one-out


def loo_errors(X, spec, Y, alphas, fit_intercept, keep):
    """Leave-one-out errors sqrt(s_i)(y_i - yhat_{-i}) = r_i / (1 - h_ii) for every sample, target, alpha.

    With a complete sample basis U (X~ X~^T = U diag(L) U^T, U square) the residual and 1 - h come
    without cancellation: r = U diag(alpha / (L + alpha)) U^T Y~ and 1 - h_ii = sum_j U_ij^2 alpha /
    (L_j + alpha) - s_i / sum(s) (the intercept's direction S^{1/2} 1 is a null vector of the centered
    X~ X~^T). Otherwise Z = X~ V is formed by row blocks (one GEMM each, never held whole):
    h_ii = sum_j Z_ij^2 / (L_j + alpha) + s_i / sum(s), r = Y~ - Z diag(1 / (L + alpha)) Z^T Y~.

    Returns (sum of squares per (target, alpha), the errors (n, k, a) when `keep`, else None)."""
    n, k, n_alphas = X.shape[0], Y.shape[1], len(alphas)
    root, W = spec.root, spec.weight_sum
    Yt = (Y.astype(np.float64) - spec.y_mean) * root[:, None]
    sq = np.zeros((k, n_alphas))
    errors = np.empty((n, k, n_alphas)) if keep else None
    intercept_leverage = root**2 / W if fit_intercept else np.zeros(n)
    L = spec.L
    U = spec.U
    complete = U is not None and U.shape[1] == n
    if U is not None:
        Uty = U.T @ Yt  # (m, k)
        if complete:
            M = alphas[None, :] / (L[:, None] + alphas[None, :])  # alpha / (L + alpha), (m, a)
        else:
            M = L[:, None] / (L[:, None] + alphas[None, :])  # L / (L + alpha)
        coeffs = (Uty[:, :, None] * M[:, None, :]).reshape(len(L), k * n_alphas)
        step = _stats.block_rows(n, len(L), 8)
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
    V = spec.B
    F = spec.inverse(alphas)  # (p, a)
    QF = (spec.q[:, :, None] * F[:, None, :]).reshape(len(L), k * n_alphas)
    step = _stats.block_rows(n, len(L), 8)
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        if sparse.issparse(X):
            Zb = (np.asarray(X[rows] @ V, dtype=np.float64) - spec.x_mean @ V) * root[rows, None]
        else:
            Xb = np.asarray(X[rows], dtype=np.float64) - spec.x_mean
            Xb *= root[rows, None]
            Zb = Xb @ V
        h = (Zb * Zb) @ F + intercept_leverage[rows, None]
        fitted = (Zb @ QF).reshape(-1, k, n_alphas)
        err = (Yt[rows, :, None] - fitted) / (1.0 - h)[:, None, :]
        sq += np.einsum("ika,ika->ka", err, err)
        if keep:
            errors[rows] = err
    return sq, errors

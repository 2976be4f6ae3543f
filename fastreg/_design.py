"""The design layer: turns validated (X, y, sample_weight) into the working problem the kernels solve.

The working problem is

    minimize_w  1/2 ||y_w - X_w w||^2 + l1_reg ||w||_1 + l2_reg/2 ||w||^2

with X_w = diag(sqrt(s)) (X - 1 x_offset^T) diag(1 / col_scale) / x_scale and y_w = diag(sqrt(s)) (y - y_offset) / y_scale,
s the sample weights normalized to sum to n (scikit-learn's convention, so that a weight k equals k
repeated rows). col_scale holds the columns' (weighted) standard deviations when standardizing
(glmnet's `standardize`: the penalty applies to standardized coefficients, reported on the original
scale), ones otherwise. x_scale and y_scale are powers of two (exact) chosen only when the data's magnitude would
overflow or underflow squared sums; they are 1 otherwise. Coefficients, gaps and penalties are mapped
between the user's objective and the working one here, and nowhere else.

X is copied at most once (into Fortran order), and only when centering, weighting, scaling or the memory
order requires it; the caller's arrays are never modified.
"""
import functools
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse
from scipy.linalg import blas

from . import _plan
from . import _validation as v
from ._cd_residual import enet_cd_dense, enet_cd_sparse, enet_gap_dense, enet_gap_sparse
from ._cd_gram import SPARSE_COLUMN_VISIT_COST, SPARSE_DENSE_HELD_COLUMNS, csc_to_csr, sparse_gram_columns_into
from ._stats import (SufficientStats, pow2_scale, column_moments, far_column_shift, shifted_columns, sparse_gram,
                     syrk_with_product, underflowed_columns)




def _divide_by_pow2(arr, scale):
    """arr /= scale in place for a power of two `scale`, exactly, in steps whose factors the dtype can
    hold (1 / scale itself may overflow it: float32 data at the bottom of the denormal range)."""
    limit = float(np.finfo(arr.dtype).max) ** 0.5
    factor = 1.0 / scale
    while factor != 1.0:
        step = min(max(factor, 1.0 / limit), limit)
        arr *= arr.dtype.type(step)
        factor /= step


def _column_norms(X, weights=None):
    """sqrt(sum_i weights_i X_ij^2) of each column in float64, also where the squares leave float64's
    range (those columns by BLAS nrm2, which scales as it sums)."""
    if weights is None:
        squares = np.einsum("ij,ij->j", X, X, dtype=np.float64)
    else:
        squares = np.einsum("i,ij,ij->j", weights, X, X, dtype=np.float64)
    norms = np.sqrt(squares)
    root = None if weights is None else np.sqrt(weights.astype(np.float64))
    for j in np.flatnonzero(~np.isfinite(squares) | (squares < 2.0**-900)):
        column = X[:, j].astype(np.float64)
        norms[j] = blas.dnrm2(column if root is None else column * root)
    return norms


@dataclass(frozen=True)
class WorkingPenalty:
    """glmnet's penalty factors and boxes in working units, as the kernels take them: per-feature
    multipliers of l2_reg and bounds on w (None: none). Built by `penalize`."""

    l2_factor: np.ndarray = None
    lower: np.ndarray = None
    upper: np.ndarray = None

    def kwargs(self, columns=None):
        """The kernels' optional penalty arrays (of `columns` only when given)."""
        if self.l2_factor is None and self.lower is None and self.upper is None:
            return {}  # (the common case, several times per penalty of a path)
        out = {}
        for name in ("l2_factor", "lower", "upper"):
            arr = getattr(self, name)
            if arr is not None:
                out[name] = arr if columns is None else np.ascontiguousarray(arr[columns])
        return out

    def subset(self, columns=None, dtype=None):
        """The penalty of `columns` (all when None), its arrays in `dtype` when given."""
        def part(arr):
            if arr is None:
                return None
            return np.ascontiguousarray(arr if columns is None else arr[columns], dtype=dtype)
        return WorkingPenalty(part(self.l2_factor), part(self.lower), part(self.upper))


NO_PENALTY = WorkingPenalty()


@dataclass(frozen=True)
class _WorkingProblem:
    """Maps between the user's objective and the working one (shared by the dense, sparse and
    statistics designs): penalties, coefficients, gaps, intercepts, alpha_max.

    Designs are immutable: a change (penalty factors, a subset of columns, wider statistics) is a new
    design (`dataclasses.replace`). The protocol the solvers use is `n_samples`, `n_features`,
    `dtype`, `norm2_cols`, `y_norm2`, `null_norm2`, `penalty`, `Xty()`, and, when `has_data`,
    `y`, `residual(w)`, `kernel_columns(columns)`, `dense_columns(columns)` (the relaxed fit's
    support), `gram_columns_into(features, out)` and the residual
    kernels for its columns (`cd_kernel`, `gap_kernel`, named by `kind`); when not, `gram()` (the
    statistics).
    """

    sparse = False  # whether X is a scipy sparse matrix (the sparse residual kernel)
    has_data = True  # whether the residual kernel can run on X (False: statistics only)
    # the penalty factors and boxes in working units (`penalize`)
    penalty: WorkingPenalty = field(default=NO_PENALTY, kw_only=True)
    # the dtype of the coefficients returned, when the working problem runs in a wider one (float32
    # data solved from float64 statistics); None: the working dtype
    out_dtype: np.dtype = field(default=None, kw_only=True)
    # statistics summed from arrays: a callable building the same working problem on the data, for
    # the penalties the statistics alone cannot certify (`fastreg._solvers.CertifiedGramSolver`)
    data_design: object = field(default=None, kw_only=True)

    @property
    def result_dtype(self):
        return self.dtype if self.out_dtype is None else np.dtype(self.out_dtype)

    def with_penalty(self, penalty):
        return replace(self, penalty=penalty)

    def on_data(self):
        """The same working problem on the data (this design when it has X; built on first use from
        statistics summed from arrays), or None for statistics alone."""
        if self.has_data:
            return self
        return None if self.data_design is None else self.data_design()

    @property
    def null_norm2(self):
        """||y_w||^2 of the null model (intercept only, or nothing): the unit of tol and of dev_ratios."""
        return self.y_norm2

    @property
    def n_coefs(self):
        """Coefficients reported to the user (n_features, unless some were partialled out)."""
        return self.n_features

    @property
    def dtype(self):
        return self.norm2_cols.dtype

    @property
    def n_features(self):
        return self.norm2_cols.shape[0]

    def penalties(self, alpha, l1_ratio):
        """(l1_reg, l2_reg) of the working problem for the user's alpha and l1_ratio.

        Computed in float64 and saturated at the largest finite value of the working dtype: any
        penalty that large already forces w = 0.
        """
        n = self.n_samples
        # alpha * ratio first: a zero ratio must give 0, never inf * 0; then one power-of-two scale at a
        # time (exact), since their product can overflow where each step does not
        l1 = float(alpha * l1_ratio) * n / self.x_scale / self.y_scale
        l2 = float(alpha * (1.0 - l1_ratio)) * n / self.x_scale / self.x_scale
        big = float(np.finfo(self.dtype).max)
        return min(l1, big), min(l2, big)

    def coef_to_user(self, w):
        return w * self._coef_factor

    @functools.cached_property
    def _coef_factor(self):
        """The working coefficients' map to the user's units, (y_scale / x_scale) / col_scale: one
        multiply per penalty of a path (a division per feature was 1.5% of a NCI60 path); exact
        without standardizing, the scales being powers of two."""
        return (self.y_scale / self.x_scale) / self.col_scale

    def coef_to_work(self, coef):
        return np.asarray(coef, dtype=self.dtype) * self.col_scale * (self.x_scale / self.y_scale)

    def gap_to_user(self, gap):
        """A gap of the working problem in the units of the user's objective (divided by n)."""
        return float(gap) / self.n_samples * self.y_scale * self.y_scale  # (inf if the user's units overflow)

    def intercept(self, coef):
        """b = ybar - xbar^T coef, in float64 (the means may dwarf the intercept)."""
        if not self.fit_intercept:
            return 0.0
        return float(self.y_offset - self.x_offset.astype(np.float64) @ np.asarray(coef, dtype=np.float64))

    def alpha_max(self, l1_ratio, positive, Xty=None):
        """Smallest alpha whose solution is 0: ||X_w^T y_w||_inf / (n l1_ratio), in user units.

        Returns 0 when y is numerically orthogonal to every column (e.g. y constant with an
        intercept): |x_j^T y| below rounding of ||x_j|| ||y||, judged in working units so that the
        verdict does not depend on the data's scale.
        """
        if Xty is None:
            work = self.Xty().astype(np.float64)
            if positive:
                work = np.maximum(work, 0.0)
            bound = np.sqrt(self.norm2_cols.astype(np.float64) * self.y_norm2)
            work[np.abs(work) <= 4 * np.finfo(self.dtype).eps * bound] = 0.0
            Xty = work * (self.x_scale * self.y_scale)  # working units -> user units
        top = np.max(Xty) if positive else np.max(np.abs(Xty))
        return max(float(top), 0.0) / (self.n_samples * l1_ratio)


@dataclass(frozen=True)
class _DataDesign(_WorkingProblem):
    """The fields of a working problem on data (dense or sparse X)."""

    y: np.ndarray           # working target, contiguous, input dtype
    norm2_cols: np.ndarray  # squared column norms of the working X
    y_norm2: float          # ||y||^2 of the working target
    x_offset: np.ndarray    # (n_features,) subtracted column means (zeros without intercept)
    col_scale: np.ndarray   # (n_features,) column standard deviations when standardizing, else ones
    y_offset: float
    x_scale: float
    y_scale: float
    n_samples: int
    fit_intercept: bool
    weighted: bool
    _Xty: np.ndarray = field(default=None, repr=False, compare=False, kw_only=True)  # a cache of Xty()

    @property
    def transformed(self):
        """Whether the working X differs from the user's X (centered, weighted, standardized or scaled)."""
        return self.fit_intercept or self.weighted or bool(np.any(self.col_scale != 1)) or self.x_scale != 1.0


@dataclass(frozen=True)
class DenseDesign(_DataDesign):
    X: np.ndarray          # working matrix, Fortran order, input dtype

    kind = "dense"
    # a block of Gram columns (`gram_columns_into`) costs one pass over X, however few columns
    gram_columns_batched = True
    # the residual kernel and the full duality gap on these columns (`kernel_columns`)
    cd_kernel = staticmethod(enet_cd_dense)
    gap_kernel = staticmethod(enet_gap_dense)

    def Xty(self):
        """X_w^T y_w (computed once: the grid and the Gram kernel both need it)"""
        if self._Xty is None:
            object.__setattr__(self, "_Xty", self.X.T @ self.y)  # a cache: the design stays the same
        return self._Xty

    def gram(self):
        """X_w^T X_w, symmetric and C-contiguous, in the working dtype.

        NumPy's matmul recognizes X.T @ X and calls BLAS syrk, then mirrors the triangle itself; this
        measured faster than scipy's syrk followed by the mirroring in NumPy.
        """
        return np.ascontiguousarray(self.X.T @ self.X)

    def gram_columns_into(self, features, out):
        """out[:] = G[:, features] = X_w^T X_w[:, features], out a (p, len(features)) Fortran block:
        (X[:, F]^T X) is its C-ordered transpose, which BLAS writes in place (one pass over X)."""
        np.matmul(self.X[:, features].T, self.X, out=out.T)

    def kernel_columns(self, columns=None):
        """The arguments describing X (or its `columns`) for enet_cd_dense / enet_gap_dense."""
        return (self.X,) if columns is None else (np.asfortranarray(self.X[:, columns]),)

    def dense_columns(self, columns):
        """X_w[:, columns] as a dense float64 (n, len(columns)) array (the relaxed fit's least squares)."""
        return self.X[:, columns].astype(np.float64)

    def residual(self, w):
        """y_w - X_w w"""
        R = self.y.copy()
        if np.any(w):
            R -= self.X @ w
        return R

    def rescaled(self, scale):
        """The design of x_j / scale_j (coefficients reported on the user's scale as before). Called
        while a design is being built (`penalize`): a working copy of X is divided in place."""
        s = scale.astype(self.dtype)
        X = self.X if self.transformed else np.array(self.X, order="F")  # never the user's X
        X /= s
        return replace(self, X=X, norm2_cols=self.norm2_cols / (s * s), col_scale=self.col_scale * s, _Xty=None)

    def statistics(self, dtype=None):
        """The statistics design of this problem (X_w^T X_w, X_w^T y_w), summed in `dtype` (float64 for
        float32 data: then by a float64 product); the data stay at hand for it (`data_design`)."""
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        if dtype == self.dtype:
            return _statistics_of(self, self.gram(), self.Xty(), dtype)
        X64 = self.X.astype(dtype)
        return _statistics_of(self, np.ascontiguousarray(X64.T @ X64), X64.T @ self.y.astype(dtype), dtype)

    def partialled(self, unpenalized):
        """`PartialledDesign`: X_P and y projected off the span of the unpenalized columns X_U."""
        U, P = np.flatnonzero(unpenalized), np.flatnonzero(~unpenalized)
        X = self.X
        XU = X[:, U].astype(np.float64)
        solve = _pinv_solver(XU.T @ XU)
        XP = np.array(X[:, P], order="F")
        B = solve(XU.T @ XP.astype(np.float64))
        XP -= (XU @ B).astype(self.dtype)  # X_P off span(X_U)
        y64 = self.y.astype(np.float64)
        coef_y = solve(XU.T @ y64)
        yP = (y64 - XU @ coef_y).astype(self.dtype)
        inner = DenseDesign(X=XP, y=yP, norm2_cols=np.einsum("ij,ij->j", XP, XP),
                            y_norm2=float(yP.astype(np.float64) @ yP), x_offset=self.x_offset[P],
                            col_scale=self.col_scale[P], y_offset=self.y_offset, x_scale=self.x_scale,
                            y_scale=self.y_scale, n_samples=self.n_samples, fit_intercept=self.fit_intercept,
                            weighted=self.weighted, penalty=self.penalty.subset(P), out_dtype=self.out_dtype)
        return PartialledDesign(inner, unpenalized, lambda w_P: coef_y - B @ w_P.astype(np.float64), self)


def _column_means(X, sample_weight=None):
    """The (weighted) means of X's columns in float64; a column whose sum overflows (entries near the
    dtype's largest value) is summed scaled by an exact power of two."""
    def means(A):
        if sample_weight is None:
            return A.mean(axis=0, dtype=np.float64)
        return np.einsum("i,ij->j", sample_weight, A, dtype=np.float64) / float(sample_weight.sum(dtype=np.float64))

    with np.errstate(over="ignore", invalid="ignore"):
        out = means(X)
    bad = np.flatnonzero(~np.isfinite(out))
    if bad.size and np.isfinite(X[:, bad]).all():
        out[bad] = means(X[:, bad].astype(np.float64) * 2.0**-64) * 2.0**64
    return out


def dense_design(X, y, sample_weight=None, fit_intercept=True, standardize=False, owned=False):
    """Build the working problem from validated X (2-D float32/float64), y (1-D, same dtype).

    owned=True: X is the caller's private Fortran copy (e.g. a CV fold's rows) and is centered and
    scaled in place instead of being copied once more."""
    dtype = X.dtype
    n_samples, n_features = X.shape
    sqrt_sw = None
    if sample_weight is not None:
        sw = sample_weight * (n_samples / sample_weight.sum())
        sqrt_sw = np.sqrt(sw).astype(dtype)
    # means in float64 (float32 sums lose the spread of columns far off center), subtracted in float64
    # and rounded once: no constant error is left in a centered column, which the intercept could
    # not absorb (centering eliminates it)
    if fit_intercept:
        x_offset = _column_means(X, sample_weight)
        y_offset = float(_column_means(y[:, None], sample_weight)[0])
    else:
        x_offset = np.zeros(n_features)
        y_offset = 0.0

    col_scale = np.ones(n_features, dtype=dtype)
    # the one copy of X, made only when something must change
    if fit_intercept or sqrt_sw is not None or standardize:
        if owned and X.flags.f_contiguous and X.flags.writeable:
            Xw = X
        else:
            Xw = np.empty((n_samples, n_features), dtype=dtype, order="F")
        np.subtract(X, x_offset, out=Xw, casting="unsafe")
        if standardize:
            # (weighted) standard deviation about the mean, or about 0 without intercept, as glmnet
            total = n_samples if sample_weight is None else float(sample_weight.sum(dtype=np.float64))
            sd = _column_norms(Xw, sample_weight) / np.sqrt(total)
            if fit_intercept:
                # a constant column's (weighted) mean is rounded, so centering leaves a rounding-level
                # constant that the division would blow up to unit variance: columns whose spread is
                # at rounding level are checked exactly, and the constant ones centered to exact zeros
                tiny = np.flatnonzero((sd > 0) & (sd <= 1e-12 * np.abs(x_offset)))
                # (on the centered copy, which may be X itself: a constant column centers to equal
                # values, a column that is not to unequal ones)
                constant = tiny[[bool((Xw[:, j] == Xw[0, j]).all()) for j in tiny]]
                if constant.size:
                    x_offset[constant] += Xw[0, constant]
                    Xw[:, constant] = 0
                    sd[constant] = 0
            col_scale = np.where(sd > 0, sd, 1.0).astype(dtype)
            Xw /= col_scale
        if sqrt_sw is not None:
            Xw *= sqrt_sw[:, None]
    else:
        Xw = np.asfortranarray(X)
    yw = (y.astype(np.float64) - y_offset).astype(dtype)  # a copy: y is small
    if sqrt_sw is not None:
        yw *= sqrt_sw

    norm2_cols = np.einsum("ij,ij->j", Xw, Xw)
    # extreme magnitudes: rescale by exact powers of two so squared sums neither overflow nor vanish
    x_scale = 1.0
    if not np.isfinite(norm2_cols).all() or (norm2_cols < np.finfo(dtype).tiny ** 0.5).any() or (
        norm2_cols.max() > np.finfo(dtype).max ** 0.5
    ):
        x_scale = pow2_scale(max(float(Xw.max()), -float(Xw.min())), dtype)
    y_scale = pow2_scale(float(np.max(np.abs(yw))), dtype)
    if x_scale != 1.0:
        if Xw is X or not Xw.flags.writeable or np.shares_memory(Xw, X):
            Xw = np.array(Xw, order="F")
        _divide_by_pow2(Xw, x_scale)
        norm2_cols = np.einsum("ij,ij->j", Xw, Xw)
    if y_scale != 1.0:
        _divide_by_pow2(yw, y_scale)
    return DenseDesign(
        X=Xw,
        y=yw,
        norm2_cols=norm2_cols,
        y_norm2=float(yw @ yw),
        x_offset=x_offset,
        col_scale=col_scale,
        y_offset=y_offset,
        x_scale=x_scale,
        y_scale=y_scale,
        n_samples=n_samples,
        fit_intercept=fit_intercept,
        weighted=sample_weight is not None,
    )


@dataclass(frozen=True)
class SparseDesign(_DataDesign):
    """The working problem on a sparse X, never densified and centered implicitly.

    The working matrix is P X~ F, where X~ (`Xt`, CSC) holds the user's values times sqrt(s_i) (rows;
    the user's own values, not a copy, without weights), with the columns whose mean dwarfs their
    spread stored shifted by their mean (`fastreg._stats.far_column_shift`; a copy then), F = diag(col_factor) = 1 / (col_scale_j
    x_scale) (columns: standardization and penalty factors, applied on the fly, never to a copy) and
    P = I - u u^T / sw_sum (u = sqrt(s), sw_sum = u^T u)
    centers with an intercept (P = I without). The sparse kernel (src/_cd_residual.pyx) applies P
    through the column means m = X~^T u / sw_sum (`center`), at O(nnz) per column; products here do
    the same: X_w^T v = X~^T v - m (u^T v).
    """

    Xt: sparse.csc_matrix   # X~: the working values on the user's sparsity pattern
    indices: np.ndarray      # int32 row indices, for the kernel
    indptr: np.ndarray       # int64 column pointers, for the kernel
    col_factor: np.ndarray   # F's diagonal (n_features,), empty for ones
    center: np.ndarray       # m (n_features,) of X~ F with an intercept, empty without
    sqrt_sw: np.ndarray      # u (n_samples,) with weights, empty without (u = ones)
    sw_sum: float
    # (X~.data, X~ by rows): a cache of `_rows`
    _csr: tuple = field(default=None, repr=False, compare=False, kw_only=True)

    sparse = True
    kind = "sparse"
    # a Gram column costs the rows its feature is stored in, not a pass over X (`gram_columns_into`)
    gram_columns_batched = False
    cd_kernel = staticmethod(enet_cd_sparse)
    gap_kernel = staticmethod(enet_gap_sparse)

    def kernel_columns(self, columns=None):
        """The arguments describing X (or its `columns`) for enet_cd_sparse / enet_gap_sparse."""
        Xt, center, factor = self.Xt, self.center, self.col_factor
        if columns is None:
            return Xt.data, self.indices, self.indptr, factor, center, self.sqrt_sw, self.sw_sum
        sub = Xt[:, columns]
        return (sub.data, sub.indices.astype(np.int32, copy=False), sub.indptr.astype(np.int64),
                factor[columns] if factor.size else factor, center[columns] if center.size else center,
                self.sqrt_sw, self.sw_sum)

    def dense_columns(self, columns):
        """X_w[:, columns] = P X~[:, columns] F as a dense float64 (n, len(columns)) array (the relaxed
        fit's least squares on a support: a few columns, densified)."""
        block = self.Xt[:, columns].toarray().astype(np.float64)
        if self.col_factor.size:
            block *= self.col_factor[columns].astype(np.float64)
        if self.center.size:
            block -= np.outer(self._u().astype(np.float64), self.center[columns].astype(np.float64))
            block[:, self.norm2_cols[columns] == 0] = 0.0  # constant columns, centered away
        return block

    def _scaled(self, v):
        """F v (the column factors applied to a vector over the features)"""
        return v * self.col_factor if self.col_factor.size else v

    def _u(self):
        return self.sqrt_sw if self.sqrt_sw.size else np.ones(self.n_samples, dtype=self.dtype)

    def Xty(self):
        """X_w^T y_w = F X~^T y_w (y_w is centered: u^T y_w = 0)"""
        if self._Xty is None:  # a cache: the design stays the same
            object.__setattr__(self, "_Xty", self._scaled(np.asarray(self.Xt.T @ self.y)).astype(
                self.dtype, copy=False))
        return self._Xty

    def _rows(self):
        """X~ by rows for the Gram columns, made on first use and kept with the values it was made
        from: (CSR data, int32 columns, int64 row pointers) of every column but the nearly dense ones
        (`sparse_gram_columns_into`: at most SPARSE_DENSE_HELD_COLUMNS of them, else none; no data
        when their values are all 1), the held columns' indices and their values, dense and
        row-major."""
        cached = self._csr
        if cached is None or cached[0] is not self.Xt.data:
            nnz_col = np.diff(self.indptr)
            held = np.flatnonzero(nnz_col * SPARSE_COLUMN_VISIT_COST > self.indptr[-1]).astype(np.int64)
            if held.size > SPARSE_DENSE_HELD_COLUMNS:
                held = held[:0]
            skip = np.zeros(self.n_features, dtype=np.uint8)
            skip[held] = 1
            # indicator columns (one-hot levels, flags: the values of the rest all 1) need no CSR data
            other = np.count_nonzero(self.Xt.data != 1)
            unit = other == sum(np.count_nonzero(self.Xt.data[self.indptr[j]:self.indptr[j + 1]] != 1) for j in held)
            csr = csc_to_csr(self.Xt.data, self.indices, self.indptr, self.n_samples, skip=skip, values=not unit)
            D = np.ascontiguousarray(self.Xt[:, held].toarray(), dtype=self.dtype)
            cached = (self.Xt.data, csr + (held, D))
            object.__setattr__(self, "_csr", cached)  # a cache: the design stays the same
        return cached[1]

    def gram_columns_into(self, features, out):
        """out[:] = G[:, features] = X_w^T X_w[:, features] (`sparse_gram_columns_into` on X~ by
        columns and by rows, then the column factors and the centering)."""
        row_data, row_cols, row_ptr, held, D = self._rows()
        block = out if out.flags.f_contiguous and out.dtype == self.dtype else np.empty(out.shape, self.dtype, order="F")
        sparse_gram_columns_into(block, np.asarray(features, dtype=np.int64), self.Xt.data, self.indices,
                                 self.indptr, self.n_samples, row_ptr, row_data, row_cols, held, D)
        if block is not out:
            out[...] = block
        if self.col_factor.size:
            out *= self.col_factor[:, None]
            out *= self.col_factor[features][None, :]
        if self.center.size:
            out -= self.sw_sum * np.outer(self.center, self.center[features]).astype(self.dtype)
            out[self.norm2_cols == 0, :] = 0  # constant columns, centered away
            out[:, self.norm2_cols[features] == 0] = 0

    def gram(self):
        """X_w^T X_w as a dense, C-contiguous p x p matrix (`sparse_gram_into`: O(sum of nnz_row^2)
        with a row-major copy of X~ made for it, then the rank-one centering, in place)."""
        G = sparse_gram(np.zeros((self.n_features, self.n_features), dtype=self.dtype), self.Xt.data, self.indices,
                        self.indptr, self.n_samples, self.col_factor, self.center, self.sw_sum)
        constant = np.flatnonzero(self.norm2_cols == 0)  # centered away: exactly 0, not rounding
        G[constant, :] = 0
        G[:, constant] = 0
        return G

    def residual(self, w):
        """y_w - X_w w (the true, centered residual)"""
        R = self.y.copy()
        if np.any(w):
            R -= self.Xt @ self._scaled(w)
            if self.center.size:
                u = self._u()
                R -= u * self.dtype.type((u @ R) / self.sw_sum)
        return R

    def rescaled(self, scale):
        """The design of x_j / scale_j: the column factors only, the values are never copied for scales."""
        s = scale.astype(self.dtype)
        factor = (self.col_factor if self.col_factor.size else np.ones_like(s)) / s
        center = self.center / s if self.center.size else self.center
        return replace(self, col_factor=factor, center=center, norm2_cols=self.norm2_cols / (s * s),
                       col_scale=self.col_scale * s, _Xty=None)

    def widened(self, dtype=np.float64):
        """The same working problem on a copy of the values in `dtype` (float32 data solved in
        float64: the Gram columns on demand and X^T y then sum in float64), coefficients returned in
        this design's dtype."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        # (the values copied, the pattern shared: canonical already)
        Xt = sparse.csc_matrix((self.Xt.data.astype(dtype), self.Xt.indices, self.Xt.indptr), shape=self.Xt.shape,
                               copy=False)
        Xt.has_canonical_format = True
        return replace(self, Xt=Xt, col_factor=self.col_factor.astype(dtype),
                       center=self.center.astype(dtype), sqrt_sw=self.sqrt_sw.astype(dtype),
                       y=self.y.astype(dtype), norm2_cols=self.norm2_cols.astype(dtype),
                       col_scale=self.col_scale.astype(dtype), penalty=self.penalty.subset(dtype=dtype), _Xty=None,
                       _csr=None, out_dtype=self.result_dtype)

    def statistics(self, dtype=None):
        """The statistics design (the sparse Gram product, `gram`), summed in `dtype` (float64 for
        float32 values: from a float64 copy of the values); the data stay at hand (`data_design`)."""
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        source = self.widened(dtype)  # (itself in its own dtype)
        return _statistics_of(self, source.gram(), source.Xty(), dtype)

    def partialled(self, unpenalized):
        """`PartialledDesign` through the Gram matrix (projecting X_U off a sparse X_P would fill it in)."""
        if self.n_features**2 * self.dtype.itemsize > _plan.GRAM_MAX_BYTES:
            raise ValueError(
                f"penalty_factor 0 with a sparse X partials the unpenalized features out through the "
                f"{self.n_features} x {self.n_features} Gram matrix, over the 1 GiB budget here; give "
                f"those features a small positive factor instead, or pass fewer columns."
            )
        # float32 values: the Gram matrix summed in float64, as the Gram mode does everywhere
        stats = self.statistics(np.float64 if self.dtype == np.float32 else None)
        return replace(stats, data_design=None).partialled(unpenalized)


def sparse_design(X, y, sample_weight=None, fit_intercept=True, standardize=False):
    """The working problem from a validated CSC X (`as_sparse_csc`) and y, in O(nnz) and without
    densifying X: one copy of the values when weights apply (none for column scales), the pattern
    is shared. With an intercept, columns far off center (nearly dense ones whose mean dwarfs their
    spread) are stored in full, shifted by their mean: centering them implicitly would cancel the
    digits of their spread, and a shift leaves the centered problem unchanged."""
    dtype = X.dtype
    n_samples, n_features = X.shape
    sw = None
    if sample_weight is not None:
        sw = sample_weight.astype(np.float64)
        sw *= n_samples / sw.sum()
    # columns whose mean dwarfs their spread are stored shifted by it (centering is shift-invariant):
    # centering them implicitly would lose the digits of the spread (`far_column_shift`)
    # values whose squares overflow or vanish: divided by a power of two first (exact, a copy)
    *moments, amax = column_moments(X, sw, amax=True)
    unit = pow2_scale(amax, dtype)
    if unit != 1.0:
        X = sparse.csc_matrix(((X.data.astype(np.float64) / unit).astype(dtype), X.indices, X.indptr),
                              shape=X.shape)
        *moments, amax = column_moments(X, sw, amax=True)
    shift = far_column_shift(X, sw, moments, amax) if fit_intercept else np.zeros(n_features)
    if shift.any():
        X = shifted_columns(X, shift)
        moments = column_moments(X, sw)
    indices = X.indices.astype(np.int32, copy=False)  # row numbers fit in 32 bits
    indptr = X.indptr
    values = X.data.astype(np.float64, copy=False)
    s_rows = None if sw is None else sw[indices]  # the normalized weight of each stored value's row
    u64 = None if sw is None else np.sqrt(sw)
    sw_sum = float(n_samples)
    sums, raw2 = moments
    if fit_intercept:
        # the weighted column means; centered squared norms raw2 - W mean^2, recomputed from the stored
        # values' deviations (plus mean^2 times the weight of the rows not stored) for the columns
        # where that difference cancels (nearly constant columns)
        mean = sums / (sw_sum if u64 is None else sw.sum())
        y_offset = float(np.average(y.astype(np.float64), weights=sample_weight))
        norm2 = raw2 - sw_sum * mean**2
        for j in np.flatnonzero(sw_sum * mean**2 > 0.5 * raw2):
            seg = slice(indptr[j], indptr[j + 1])
            s_j = None if s_rows is None else s_rows[seg]
            dev = values[seg] - mean[j]
            stored = float(indptr[j + 1] - indptr[j]) if s_j is None else float(s_j.sum())
            unstored = 0.0 if indptr[j + 1] - indptr[j] == n_samples else max(sw_sum - stored, 0.0)
            norm2[j] = float(dev @ dev if s_j is None else s_j @ (dev * dev)) + mean[j] ** 2 * unstored
        norm2 = np.maximum(norm2, 0.0)
        # a constant column leaves only the rounding of its mean: it is exactly 0 once centered
        norm2[norm2 <= (64 * np.finfo(np.float64).eps) ** 2 * raw2] = 0.0
    else:
        mean = np.zeros(n_features)
        y_offset = 0.0
        norm2 = raw2
    col_scale = np.ones(n_features)
    if standardize:
        sd = np.sqrt(norm2 / sw_sum)
        col_scale = np.where(sd > 0, sd, 1.0)
    norm2_scaled = norm2 / col_scale**2
    x_scale = 1.0
    big, tiny = float(np.finfo(dtype).max) ** 0.5, float(np.finfo(dtype).tiny) ** 0.5
    if norm2_scaled.max() > big or ((norm2_scaled > 0) & (norm2_scaled < tiny)).any():
        amax = float(np.max(np.abs(values))) if values.size else 0.0
        x_scale = pow2_scale(amax / float(np.min(col_scale)), dtype)
    factor = 1.0 / (col_scale * x_scale)
    data = X.data
    if u64 is not None:  # the one copy of the values: rows weighted by sqrt(s)
        data = (values * u64[indices]).astype(dtype)
    Xt = sparse.csc_matrix((data, indices, X.indptr), shape=X.shape, copy=False)
    yw = np.array(y, dtype=np.float64)
    yw -= y_offset
    if u64 is not None:
        yw *= u64
    y_scale = pow2_scale(float(np.max(np.abs(yw))) if yw.size else 0.0, dtype)
    yw = (yw / y_scale).astype(dtype)
    return SparseDesign(
        Xt=Xt, indices=indices, indptr=X.indptr.astype(np.int64),
        col_factor=factor.astype(dtype) if np.any(factor != 1.0) else np.empty(0, dtype=dtype),
        center=(mean * factor).astype(dtype) if fit_intercept else np.empty(0, dtype=dtype),
        sqrt_sw=u64.astype(dtype) if (u64 is not None and fit_intercept) else np.empty(0, dtype=dtype),
        sw_sum=sw_sum, y=yw, norm2_cols=(norm2 * factor**2).astype(dtype), y_norm2=float(yw.astype(np.float64) @ yw),
        # (with standardization the penalty is on unit-variance columns: `unit` moves into the columns'
        # scales; without, into the data's scale)
        x_offset=(mean + shift) * unit,
        col_scale=(col_scale * unit if standardize else col_scale).astype(dtype), y_offset=y_offset,
        x_scale=x_scale if standardize else x_scale * unit, y_scale=y_scale, n_samples=n_samples, fit_intercept=fit_intercept,
        weighted=sample_weight is not None,
    )


@dataclass(frozen=True)
class StatsDesign(_WorkingProblem):
    """The working problem from sufficient statistics only (no X): the Gram kernel's input."""

    G: np.ndarray           # working Gram matrix, C-contiguous
    Xty_w: np.ndarray       # working X^T y
    norm2_cols: np.ndarray  # diag(G)
    y_norm2: float
    x_offset: np.ndarray
    col_scale: np.ndarray
    y_offset: float
    n_samples: float        # the weight sum (the number of rows without weights)
    fit_intercept: bool
    x_scale: float = 1.0
    y_scale: float = 1.0
    # the dtype the statistics were summed in (None: G's); float32 statistics widened to float64
    # keep their rounding (`fastreg._solvers.statistics_rounding`)
    sums_dtype: np.dtype = None
    has_data = False

    def gram(self):
        return self.G

    def Xty(self):
        return self.Xty_w

    @property
    def summed_in(self):
        return self.dtype if self.sums_dtype is None else np.dtype(self.sums_dtype)

    def rescaled(self, scale):
        s = scale.astype(self.dtype)
        G = np.ascontiguousarray(self.G / np.outer(s, s))
        return replace(self, G=G, Xty_w=self.Xty_w / s, norm2_cols=np.diag(G).copy(), col_scale=self.col_scale * s)

    def statistics(self, dtype=None):
        """These statistics in `dtype` (widened: their rounding stays that of `summed_in`)."""
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        if dtype == self.dtype:
            return self
        return replace(self, G=np.ascontiguousarray(self.G, dtype=dtype), Xty_w=self.Xty_w.astype(dtype),
                       norm2_cols=self.norm2_cols.astype(dtype), col_scale=self.col_scale.astype(dtype),
                       penalty=self.penalty.subset(dtype=dtype), sums_dtype=self.summed_in,
                       out_dtype=self.result_dtype)

    def partialled(self, unpenalized):
        """`PartialledDesign` by the Schur complement of G_UU."""
        U, P = np.flatnonzero(unpenalized), np.flatnonzero(~unpenalized)
        G = self.G.astype(np.float64)
        solve = _pinv_solver(G[np.ix_(U, U)])
        B = solve(G[np.ix_(U, P)])
        Xty = self.Xty_w.astype(np.float64)
        coef_y = solve(Xty[U])
        G_P = np.ascontiguousarray(G[np.ix_(P, P)] - G[np.ix_(U, P)].T @ B, dtype=self.dtype)
        inner = StatsDesign(G=G_P, Xty_w=(Xty[P] - B.T @ Xty[U]).astype(self.dtype), norm2_cols=np.diag(G_P).copy(),
                            y_norm2=max(float(self.y_norm2 - Xty[U] @ coef_y), 0.0), x_offset=self.x_offset[P],
                            col_scale=self.col_scale[P], y_offset=self.y_offset, n_samples=self.n_samples,
                            fit_intercept=self.fit_intercept, x_scale=self.x_scale, y_scale=self.y_scale,
                            sums_dtype=self.sums_dtype, penalty=self.penalty.subset(P), out_dtype=self.out_dtype)
        return PartialledDesign(inner, unpenalized, lambda w_P: coef_y - B @ w_P.astype(np.float64), self)


def stats_design(stats, fit_intercept=True, standardize=False, *, out_dtype=None, data_design=None):
    """The working problem from a `SufficientStats`: centered (intercept) or raw, optionally standardized.

    The weights are already in the sums, un-normalized: with n = weight_sum the working objective is
    weight_sum times the user's, exactly as `dense_design`'s is n times it. `out_dtype`: the dtype of
    the coefficients returned (the data's, when float32 data were summed in float64); `data_design`:
    a callable building the same problem on the data (see `_WorkingProblem`).
    """
    if fit_intercept:
        G, Xty, yty, x_offset, y_offset = stats.centered()
    else:
        G, Xty, yty = stats.raw()
        x_offset, y_offset = np.zeros(stats.n_features), 0.0
    return _from_products(G, Xty, yty, x_offset, y_offset, stats.weight_sum, fit_intercept,
                          standardize, stats.dtype, out_dtype=out_dtype, data_design=data_design)


def _from_products(G, Xty, yty, x_offset, y_offset, n_samples, fit_intercept, standardize, dtype, **extra):
    """StatsDesign from the (centered or raw) products, standardized on request."""
    col_scale = np.ones(G.shape[0])
    if standardize:
        sd = np.sqrt(np.maximum(np.diag(G).astype(np.float64), 0.0) / n_samples)
        col_scale = np.where(sd > 0, sd, 1.0)
        G = G / np.outer(col_scale, col_scale)
        Xty = Xty / col_scale
    # G is symmetric: a Fortran G is its own C-contiguous transpose (no copy)
    G = np.ascontiguousarray(G.T if G.flags.f_contiguous else G, dtype=dtype)
    return StatsDesign(
        G=G, Xty_w=np.asarray(Xty, dtype=dtype), norm2_cols=np.diag(G).copy(), y_norm2=float(yty),
        x_offset=np.asarray(x_offset, dtype=np.float64), col_scale=col_scale.astype(dtype),
        y_offset=float(y_offset), n_samples=n_samples, fit_intercept=fit_intercept, **extra,
    )


def gram_design(X, y, sample_weight=None, fit_intercept=True, standardize=False, G=None):
    """The working problem of the Gram kernel straight from arrays, without a copy of X and with as few
    passes over X as possible; None when the data need the dense design's exact rescaling.

    Without intercept or weights: X^T X and X^T y in one pass over a contiguous X
    (`syrk_with_product`), nothing else touches X (X is checked for NaN/inf through the diagonal of
    X^T X). Otherwise the statistics are accumulated over shifted row blocks (`SufficientStats`), which
    stays accurate when columns have large means; an unweighted X whose columns all sit near their
    center is summed about 0 without a copy (`SufficientStats._accumulate_near`). float32 data take the
    same routes with float64 sums (each row block widened in cache), and the Gram kernel runs in
    float64: sums of many float32 products, and gaps from differences of them, could not be certified.
    `G`: the user's X^T X for the untransformed case (X must then be checked for NaN/inf by the caller).
    """
    dtype = X.dtype
    sums = np.dtype(np.float64) if G is None else dtype
    contiguous = X.flags.f_contiguous or X.flags.c_contiguous
    if fit_intercept or sample_weight is not None or (G is None and sums != dtype and not contiguous):
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            stats = SufficientStats.of_validated(X, y, sample_weight, near=True, dtype=sums)
        if not np.isfinite(stats.amax[0]):
            v.check_finite(X)
        if any(pow2_scale(amax, dtype) != 1.0 for amax in stats.amax):
            return None
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            design = stats_design(stats, fit_intercept, standardize, out_dtype=dtype)
        return design if np.isfinite(design.G).all() and np.isfinite(design.Xty_w).all() else None

    Xty = None
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if G is None and contiguous:
            G, Xty = syrk_with_product(X, y.reshape(-1, 1), sums)  # one pass over X for both
            Xty = Xty[:, 0]
        elif G is None:
            G = X.T @ X  # NumPy calls syrk for this product and mirrors the triangle
        diag = np.diag(G).astype(np.float64)
    if not np.isfinite(diag).all():
        v.check_finite(X)  # raises for NaN/inf; if not, the squares overflowed
        return None
    # squared sums that overflow or vanish need the dense design's rescaling; a column whose squares
    # all underflowed looks like a zero column, so the few columns with a tiny diagonal are looked at
    if (diag > float(np.finfo(dtype).max) ** 0.5).any() or underflowed_columns(X, diag):
        return None
    if pow2_scale(float(np.max(np.abs(y))), dtype) != 1.0:
        return None
    if Xty is None:
        Xty = X.T @ y
    y64 = y.astype(np.float64)
    return _from_products(G, Xty.astype(sums, copy=False), float(y64 @ y64), np.zeros(X.shape[1]), 0.0,
                          X.shape[0], False, standardize, sums, out_dtype=dtype)


# ----------------------------------------------------------------------------------------------------
# penalty factors and boxes


def penalize(design, factor, lower, upper):
    """The design with glmnet's penalty factors and coefficient bounds applied (user units in); a new
    design (the one given is consumed: its working copy of X may be rescaled in place).

    factor (one per column, rescaled by `check_penalty_factor`, or None): a positive factor v_j is a
    column scale, exactly: with x_j / v_j and w_j = v_j coef_j the L1 penalty l1 v_j |coef_j| becomes
    l1 |w_j|, and the L2 penalty l2 v_j coef_j^2 / 2 becomes (l2 / v_j) w_j^2 / 2, i.e. a per-feature
    multiplier 1 / v_j of l2_reg in the kernels. Factor 0 (not penalized) features are partialled
    out (`partialled`), as the intercept is. lower, upper: per-feature bounds (None: none), mapped to
    working units (the same positive scale as the coefficients); a feature with factor 0 has none
    (`fastreg._settings.check_penalty` refuses bounds on it).
    """
    dtype = design.dtype
    zero = l2_factor = None
    if factor is not None:
        zero = factor == 0
        scale = np.where(zero, 1.0, factor)
        if np.any(scale != 1.0):
            design = design.rescaled(scale)
            l2_factor = (1.0 / scale).astype(dtype)
    to_work = design.col_scale.astype(np.float64) * (design.x_scale / design.y_scale)
    design = design.with_penalty(WorkingPenalty(
        l2_factor=l2_factor,
        lower=None if lower is None else (lower * to_work).astype(dtype),
        upper=None if upper is None else (upper * to_work).astype(dtype),
    ))
    if zero is not None and zero.any():
        design = design.partialled(zero)
    return design


@dataclass(frozen=True)
class PartialledDesign:
    """A working problem with its unpenalized features (penalty factor 0) partialled out.

    The penalized problem on the remaining columns P is solved on X_P and y projected off the span
    of X_U (exactly as centering projects off the intercept); the unpenalized coefficients are then
    the least-squares fit of the residual on X_U, w_U = X_U^+ (y - X_P w_P). The projected problem
    is an ordinary ElasticNet, so its duality gap certifies the whole fit. Everything else is the
    inner (P) design's; the tol unit and dev_ratios keep the null model with the intercept only.
    """

    inner: object        # the projected problem on the penalized columns P (any design)
    unpenalized: np.ndarray
    solve_u: object      # working w_P -> working w_U
    full: object         # the design before partialling (offsets, scales of every column)
    data_design: object = None  # as `_WorkingProblem.data_design`

    def __getattr__(self, name):
        return getattr(self.inner, name)

    @property
    def penalized(self):
        return ~self.unpenalized

    @property
    def null_norm2(self):
        return self.full.null_norm2

    @property
    def n_coefs(self):
        return self.unpenalized.size

    def coef_to_user(self, w):
        coef = np.zeros(self.unpenalized.size, dtype=self.inner.dtype)
        coef[self.penalized] = self.inner.coef_to_user(w)
        w_u = self.solve_u(w)
        full = self.full
        coef[self.unpenalized] = w_u * (full.y_scale / full.x_scale) / full.col_scale[self.unpenalized]
        return coef

    def coef_to_work(self, coef):
        return self.inner.coef_to_work(np.asarray(coef)[self.penalized])

    def intercept(self, coef):
        return self.full.intercept(coef)

    def statistics(self, dtype=None):
        """The same partialling on the inner problem's statistics, the data at hand (`data_design`)."""
        return replace(self, inner=self.inner.statistics(dtype), data_design=lambda: self)

    on_data = _WorkingProblem.on_data


def _pinv_solver(A_UU):
    """b -> the minimum-norm solution of A_UU x = b (eigendecomposition; singular A allowed)."""
    vals, vecs = np.linalg.eigh(A_UU.astype(np.float64))
    keep = vals > vals.max(initial=0.0) * A_UU.shape[0] * np.finfo(np.float64).eps * 16
    inv = np.where(keep, 1.0 / np.where(keep, vals, 1.0), 0.0)
    def solve(b):
        c = vecs.T @ b
        return vecs @ (inv.reshape((-1,) + (1,) * (c.ndim - 1)) * c)  # (rows of c scaled: b may be 2-D)
    return solve


def _statistics_of(design, G, Xty, dtype):
    """A StatsDesign with `design`'s offsets, scales and penalty (the data replaced by G and X^T y,
    summed in `dtype`); the design itself stays at hand as its `data_design`."""
    dtype = np.dtype(dtype)
    norm2_cols = np.diag(G).copy()
    norm2_cols[design.norm2_cols == 0] = 0  # columns centered away stay exactly 0
    return StatsDesign(G=G, Xty_w=Xty.astype(dtype, copy=False), norm2_cols=norm2_cols,
                       y_norm2=float(design.y_norm2), x_offset=design.x_offset.astype(np.float64),
                       col_scale=design.col_scale.astype(dtype), y_offset=design.y_offset,
                       n_samples=design.n_samples, fit_intercept=design.fit_intercept,
                       x_scale=design.x_scale, y_scale=design.y_scale, penalty=design.penalty.subset(dtype=dtype),
                       out_dtype=design.result_dtype, data_design=lambda: design)


# ----------------------------------------------------------------------------------------------------
# the one builder from arrays


def warn_gram_recomputed():
    warnings.warn(
        "Gram matrix was provided but X was centered to fit intercept: recomputing Gram matrix. "
        "(precompute: the Gram matrix given was computed on X, but the solver works on X centered, "
        "weighted or scaled: fit_intercept, sample_weight, standardize, penalty factors.)",
        UserWarning, stacklevel=v.caller_stacklevel(),
    )


def build_design(X, y, sample_weight, plan, *, fit_intercept, standardize, penalty, owned=False, finite=False):
    """The working problem `plan` asks for, from validated arrays, with `penalty` applied (`penalize`).

    X: the kept columns (`Penalty.columns`); a dense X may still hold NaN/inf (checked here, through
    the statistics when the Gram kernel runs, so that X is read as few times as possible). The Gram
    plan gets statistics: summed from a dense X over row blocks without a copy of X (the data stay at
    hand as `data_design`, built on first use, for the penalties the statistics cannot certify), or,
    for a sparse X or data whose squares need the dense design's exact rescaling, the Gram product
    of the data design; float32 data get float64 statistics (coefficients returned in float32).
    `owned`: a dense X is the caller's private Fortran copy (a CV fold's rows), centered in place.
    `finite`: X is known to hold no NaN/inf (checked once by the caller, e.g. for every Newton step).
    """
    def penalized(design):
        return penalize(design, penalty.factor, penalty.lower, penalty.upper) if penalty.active else design

    def wide(design):  # the statistics of the Gram plan: float32 data are summed and solved in float64
        return design.statistics(np.float64 if design.dtype == np.float32 else None)

    if sparse.issparse(X):  # validated CSC: the design is O(nnz) and never densifies X
        if plan.recompute_warning:
            warn_gram_recomputed()
        design = penalized(sparse_design(X, y, sample_weight, fit_intercept, standardize))
        if plan.kernel == "gram-lazy" and design.dtype == np.float32:
            # Gram columns on demand of float32 values: summed and solved in float64, as the full
            # matrix is (float32 sums of a column and of X^T y left gaps 13x the target uncertified)
            return design.widened(np.float64)
        if not plan.gram or not design.has_data:
            return design
        if plan.user_gram is not None:
            if design.transformed:  # (values rescaled for their magnitude)
                warn_gram_recomputed()
            elif design.dtype == np.float64:  # (float32: the statistics are summed in float64 instead)
                return _statistics_of(design, np.ascontiguousarray(plan.user_gram), design.Xty(), design.dtype)
        return wide(design)
    if plan.gram:
        given = None
        if plan.user_gram is not None:
            if not finite:
                v.check_finite(X)
            given = np.ascontiguousarray(plan.user_gram, dtype=X.dtype)
        design = gram_design(X, y, sample_weight, fit_intercept, standardize, G=given)
        if design is not None:
            if plan.recompute_warning:
                warn_gram_recomputed()
            design = penalized(design)
            if not design.has_data:
                residual = _plan.Plan("residual")
                design = replace(design, data_design=lambda: build_design(
                    X, y, sample_weight, residual, fit_intercept=fit_intercept, standardize=standardize,
                    penalty=penalty))
            return wide(design)
    if not finite:
        v.check_finite(X)
    design = penalized(dense_design(X, y, sample_weight, fit_intercept, standardize, owned=owned))
    if not plan.gram or not design.has_data:
        return design
    if plan.user_gram is not None and not design.transformed:  # (y rescaled only)
        if design.dtype == np.float64:
            return _statistics_of(design, np.ascontiguousarray(plan.user_gram), design.Xty(), design.dtype)
    elif plan.user_gram is not None or plan.recompute_warning:
        warn_gram_recomputed()  # the data needed rescaling: the user's matrix is not the working one's
    return wide(design)


def build_stats_design(stats, *, fit_intercept, standardize, penalty, out_dtype=None, data_design=None):
    """The working problem of a `SufficientStats` with `penalty` (of its columns) applied, its
    statistics in float64 for the Gram kernel; `data_design`: see `_WorkingProblem`."""
    design = stats_design(stats, fit_intercept, standardize, out_dtype=out_dtype)
    if penalty.active:
        design = penalize(design, penalty.factor, penalty.lower, penalty.upper)
    if data_design is not None:
        design = replace(design, data_design=data_design)
    return design.statistics(np.float64 if design.dtype == np.float32 else None)


# ----------------------------------------------------------------------------------------------------
# the data of an iteratively reweighted (binomial) problem


@dataclass(frozen=True)
class LogisticData:
    """The data of a binomial problem: X's kept columns in float64 (divided by their standard
    deviations with `standardize`), the 0/1 labels and the weights normalized to sum to n.

    The working coefficients are those of the scaled columns (w = coef * col_scale); penalties and
    gaps are in the user's units, ``(1/n) sum_i s_i logloss_i + penalty``. Each Newton step of the
    binomial solver builds the Gaussian design of its weighted least-squares subproblem on the columns
    of its working set (`fastreg._datafit.newton_subproblem`).
    """

    X: object               # float64, Fortran (dense) or CSC (sparse), the columns divided by col_scale
    y: np.ndarray           # float64 labels 0 / 1
    sw: np.ndarray          # float64 weights summing to n
    col_scale: np.ndarray   # float64 (ones without standardize)
    n_samples: int
    fit_intercept: bool
    out_dtype: np.dtype     # the data's dtype: that of the coefficients returned
    penalty: object         # the Penalty of X's kept columns (for the subproblems)

    has_data = True
    dtype = np.dtype(np.float64)

    @property
    def sparse(self):
        return sparse.issparse(self.X)

    @property
    def kind(self):
        return "sparse" if self.sparse else "dense"

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def n_coefs(self):
        return self.X.shape[1]

    @property
    def result_dtype(self):
        return np.dtype(self.out_dtype)

    def coef_to_user(self, w):
        return w / self.col_scale

    def coef_to_work(self, coef):
        return np.asarray(coef, dtype=np.float64) * self.col_scale

    def penalties(self, alpha, l1_ratio):
        """(l1, l2) in the user's units (the objective is not rescaled)."""
        return float(alpha * l1_ratio), float(alpha * (1.0 - l1_ratio))

    def gap_to_user(self, gap):
        return float(gap)

    def linear_predictor(self, w, b):
        """X w + b (float64)."""
        eta = np.asarray(self.X @ w, dtype=np.float64).reshape(-1) if np.any(w) else np.zeros(self.n_samples)
        return eta + b

    def weighted_columns(self):
        """X as the working-set products take it (`fastreg._irls`): (X,) dense, or the CSC arrays
        (data, int32 indices, int64 indptr)."""
        if not self.sparse:
            return (self.X,)
        X = self.X
        return (X.data, X.indices.astype(np.intc, copy=False), X.indptr.astype(np.int64, copy=False))


def logistic_data(X, codes, sample_weight, *, fit_intercept, standardize, penalty, finite=False):
    """`LogisticData` of validated X (its kept columns; NaN/inf checked here unless `finite`) and 0/1 codes."""
    n_samples = X.shape[0]
    if not finite and not sparse.issparse(X):
        v.check_finite(X)
    sw = np.ones(n_samples) if sample_weight is None else sample_weight.astype(np.float64)
    sw = sw * (n_samples / sw.sum())
    X64 = X.astype(np.float64) if sparse.issparse(X) else np.asfortranarray(X, dtype=np.float64)
    col_scale = np.ones(X.shape[1])
    if standardize:
        if sparse.issparse(X64):
            mean = np.asarray(X64.T @ sw).ravel() / n_samples if fit_intercept else np.zeros(X.shape[1])
            second = np.asarray(X64.multiply(X64).T @ sw).ravel() / n_samples
            var = np.maximum(second - mean**2, 0.0)
        else:
            mean = (sw @ X64) / n_samples if fit_intercept else np.zeros(X.shape[1])
            var = (sw @ (X64 - mean) ** 2) / n_samples
        sd = np.sqrt(var)
        col_scale = np.where(sd > 0, sd, 1.0)
        X64 = (X64 @ sparse.diags(1.0 / col_scale)).tocsc() if sparse.issparse(X64) else X64 / col_scale
        if not sparse.issparse(X64):
            X64 = np.asfortranarray(X64)
    return LogisticData(X=X64, y=codes.astype(np.float64), sw=sw, col_scale=col_scale, n_samples=n_samples,
                        fit_intercept=fit_intercept, out_dtype=X.dtype, penalty=penalty)


# ----------------------------------------------------------------------------------------------------
# the data of a multinomial problem: K classes on the binomial data's X


@dataclass(frozen=True)
class MultinomialData:
    """The data of a multinomial problem with K classes: the binomial data of class 0 (`base`: X's kept
    columns in float64, scaled with `standardize`, the weights normalized to sum to n), whose X,
    weights and scales every class shares, the rows' class codes and their one-hot matrix Y.

    Working coefficients W have shape (n_features, K) (column k: class k's, on the scaled columns,
    w = coef * col_scale) and intercepts shape (K,); penalties and gaps are in the user's units,
    ``(1/n) sum_i s_i [logsumexp(eta_i) - eta_{i, y_i}] + penalty``. `fitted` are the classes the
    problem fits: with an intercept those with positive weight (an absent class's infimum is its
    probability 0: coefficients 0, intercept -inf), every class without (no intercept can drive a
    class to 0). `class_data(k)` is class k's binomial view (its 0/1 labels Y[:, k]), the data each
    Newton subproblem of the multinomial solver is built on.
    """

    base: LogisticData      # class 0's binomial data: X, sw, col_scale, n_samples, fit_intercept, penalty
    codes: np.ndarray       # intp class index of every row, in 0 .. n_classes - 1
    Y: np.ndarray           # float64 (n_samples, n_classes), Fortran: the one-hot labels
    n_classes: int
    fitted: np.ndarray      # intp: the classes the problem fits (see above), sorted

    has_data = True
    dtype = np.dtype(np.float64)

    X = property(lambda self: self.base.X)
    sw = property(lambda self: self.base.sw)
    col_scale = property(lambda self: self.base.col_scale)
    n_samples = property(lambda self: self.base.n_samples)
    fit_intercept = property(lambda self: self.base.fit_intercept)
    penalty = property(lambda self: self.base.penalty)
    sparse = property(lambda self: self.base.sparse)
    kind = property(lambda self: self.base.kind)
    n_features = property(lambda self: self.base.n_features)
    n_coefs = property(lambda self: self.base.n_coefs)
    result_dtype = property(lambda self: self.base.result_dtype)

    def class_data(self, k):
        """Class k's binomial data (`LogisticData` with the labels Y[:, k]; X and weights shared)."""
        return replace(self.base, y=self.Y[:, k])

    def coef_to_user(self, W):
        return W / self.col_scale[:, None]

    def coef_to_work(self, coef):
        return np.asarray(coef, dtype=np.float64) * self.col_scale[:, None]

    def penalties(self, alpha, l1_ratio):
        return self.base.penalties(alpha, l1_ratio)

    def gap_to_user(self, gap):
        return float(gap)

    def linear_predictor(self, W, b):
        """X W + b (float64, shape (n_samples, columns of W))."""
        if not np.any(W):
            return np.zeros((self.n_samples, W.shape[1])) + b
        return np.asarray(self.X @ W, dtype=np.float64) + b


def multinomial_data(X, codes, n_classes, sample_weight, *, fit_intercept, standardize, penalty, finite=False):
    """`MultinomialData` of validated X (its kept columns; NaN/inf checked here unless `finite`) and class
    codes in 0 .. n_classes - 1 (a class may have no rows: a CV fold's training rows)."""
    codes = np.asarray(codes, dtype=np.intp)
    base = logistic_data(X, (codes == 0).astype(np.float64), sample_weight, fit_intercept=fit_intercept,
                         standardize=standardize, penalty=penalty, finite=finite)
    Y = np.zeros((codes.size, n_classes), order="F")
    Y[np.arange(codes.size), codes] = 1.0
    if fit_intercept:
        fitted = np.flatnonzero(base.sw @ Y > 0)
    else:
        fitted = np.arange(n_classes)
    return MultinomialData(base=base, codes=codes, Y=Y, n_classes=int(n_classes), fitted=fitted)

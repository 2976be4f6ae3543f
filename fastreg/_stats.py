"""Sufficient statistics of a least-squares problem: everything the Gram kernel needs, without X.

For rows (x_i, y_i) with weights s_i, about a fixed shift (c, d):

    XtX = sum_i s_i (x_i - c)(x_i - c)^T     Xty = sum_i s_i (x_i - c)(y_i - d)     yty = sum_i s_i (y_i - d)^2
    sx  = sum_i s_i (x_i - c)                sy  = sum_i s_i (y_i - d)              weight_sum = sum_i s_i

They add over row blocks that share the shift (``a + b``, ``total - fold``), so they can be built chunk by
chunk from files or by a cluster. The shift is the first block's mean, so the centered Gram matrix
``XtX - sx sx^T / weight_sum`` is a small correction and stays accurate when columns have large means
(the textbook ``X^T X - n mean mean^T`` loses every digit when the means dwarf the spread).
"""
import numbers

import numpy as np
from scipy import sparse
from scipy.linalg import blas

from . import _validation as v


# rows per block of `from_arrays`: the shifted block is its only copy of data
CHUNK_BYTES = 1 << 25


# Implicit centering of a sparse column (sums about 0, then the rank-one correction by its mean) loses
# a factor raw / centered = 1 + W mean^2 / centered of relative accuracy; past this factor the column is
# stored shifted by its mean instead. Such a column has at most W / (FAR_FROM_CENTER - 1) weight on rows
# it does not store (each unstored row adds mean^2 to the centered sum), so it is nearly dense already
# and storing it in full costs little.
FAR_FROM_CENTER = 8.0


def _pow2_scale(amax, dtype):
    """A power of two s with amax / s near 1 when amax is outside the safe range for squared sums, else 1."""
    # squares of values in [2^-lim, 2^lim], summed over up to 2^31 rows, stay normal and finite
    lim = 28 if dtype == np.float32 else 220
    if amax == 0 or 2.0**-lim <= amax <= 2.0**lim:
        return 1.0
    return float(2.0 ** np.round(np.log2(amax)))


def column_moments(X, sample_weight=None):
    """(weighted sums, weighted sums of squares) of each column of a CSC X, in float64, O(nnz)."""
    values = X.data.astype(np.float64, copy=False)
    if sample_weight is not None:
        weighted = values * sample_weight.astype(np.float64)[X.indices]
    else:
        weighted = values
    return _column_sums(weighted, X.indptr), _column_sums(weighted * values, X.indptr)


def _column_sums(v, indptr):
    """The sums of v over each column's stored values (CSC segments), in float64; 0 for empty columns."""
    out = np.zeros(len(indptr) - 1)
    nonempty = np.flatnonzero(np.diff(indptr) > 0)
    if nonempty.size:  # consecutive non-empty segments: each runs to the start of the next
        out[nonempty] = np.add.reduceat(v, indptr[nonempty], dtype=np.float64)
    return out


def far_column_shift(X, sample_weight=None, moments=None):
    """The shift that keeps implicit centering of a CSC X exact: each column's weighted mean where
    centering about 0 would lose more than FAR_FROM_CENTER in relative accuracy, 0 elsewhere
    (float64, one per column). Only a problem with an intercept is centered, so only it needs one.
    `moments`: X's `column_moments`, when the caller has them."""
    total = float(X.shape[0]) if sample_weight is None else float(np.sum(sample_weight, dtype=np.float64))
    # values whose squares overflow or vanish are judged divided by a power of two (exact)
    unit = _pow2_scale(float(np.max(np.abs(X.data))) if X.nnz else 0.0, np.float64)
    if unit != 1.0:
        moments = column_moments(sparse.csc_matrix((X.data / unit, X.indices, X.indptr), shape=X.shape),
                                 sample_weight)
    sums, squares = column_moments(X, sample_weight) if moments is None else moments
    mean = sums / total
    # raw / centered > FAR  <=>  W mean^2 > (1 - 1 / FAR) raw; the rounding of this test is harmless
    far = total * mean**2 > (1.0 - 1.0 / FAR_FROM_CENTER) * squares
    return np.where(far, mean * unit, 0.0)


def shifted_columns(X, shift):
    """The CSC matrix X - 1 shift^T, with the columns whose shift is 0 left sparse (the others stored in
    full: the unstored rows hold -shift_j), in X's dtype; X itself is returned when the shift is 0."""
    far = np.flatnonzero(shift)
    if far.size == 0:
        return X
    dense = X[:, far].toarray().astype(np.float64)
    dense -= shift[far]
    columns = np.empty(X.shape[1], dtype=np.intp)
    near = np.flatnonzero(shift == 0)
    columns[near] = np.arange(near.size)
    columns[far] = near.size + np.arange(far.size)
    stacked = sparse.hstack([X[:, near], sparse.csc_matrix(dense.astype(X.dtype))], format="csc")
    out = sparse.csc_matrix(stacked[:, columns])
    out.sort_indices()
    return out


def _symmetrized(upper):
    """The full symmetric matrix from the upper triangle of a Fortran `upper`, in place, returned
    C-contiguous (the transpose view: same memory, no copy). Mirrored in blocks, so that the extra
    memory is one block."""
    p = upper.shape[0]
    step = 256
    for start in range(0, p, step):
        stop = min(start + step, p)
        # rows start:stop of the lower triangle = columns start:stop of the upper one
        upper[start:stop, :start] = upper[:start, start:stop].T
        block = upper[start:stop, start:stop]
        block[np.tril_indices(stop - start, -1)] = block.T[np.tril_indices(stop - start, -1)]
    return upper.T


class SufficientStats:
    """Sufficient statistics (X^T X, X^T y, y^T y, sums, weight sum) of row blocks about a common shift.

    Build with `SufficientStats.from_arrays`; combine with ``+`` and ``-``; fit with
    `fastreg.enet_path_from_stats`.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((1000, 5)) + 1e6; y = X @ [1.0, 0, 0, 2.0, 0] + rng.standard_normal(1000)
    >>> first = fastreg.SufficientStats.from_arrays(X[:500], y[:500])
    >>> total = first + fastreg.SufficientStats.from_arrays(X[500:], y[500:], shift=first.shift)
    >>> total.n_rows
    1000
    """

    # the sums of absolute values behind the diagonal of XtX, yty, weight_sum and n_rows (the scale of
    # their rounding, see `fastreg._validation.stats_magnitude`); set by + and -, None: the values themselves
    magnitude = None

    def __init__(self, XtX, Xty, yty, sx, sy, weight_sum, n_rows, x_shift, y_shift, amax=None):
        self.XtX, self.Xty, self.yty = XtX, Xty, float(yty)
        # the largest shifted (and weighted) |x| and |y| entries, when built from arrays: the path
        # functions check them before trusting squared sums of extreme data (None after + and -)
        self.amax = amax
        self.sx, self.sy = sx, float(sy)
        self.weight_sum, self.n_rows = float(weight_sum), int(n_rows)
        self.x_shift, self.y_shift = x_shift, float(y_shift)

    @property
    def shift(self):
        """The (x, y) shift the sums are taken about; pass it to other blocks' `from_arrays`."""
        return self.x_shift, self.y_shift

    @property
    def dtype(self):
        return self.XtX.dtype

    @property
    def n_features(self):
        return self.XtX.shape[0]

    @classmethod
    def from_arrays(cls, X, y, sample_weight=None, *, shift=None, chunk_rows=None):
        """Statistics of the rows of (X, y), in X's dtype (float32 kept), without copying X.

        Rows are shifted chunk by chunk (`chunk_rows` rows at a time, the only copy; by default as many
        as fit in 32 MiB, between 1024 and 8192), and X^T X is accumulated by BLAS syrk. `shift`
        defaults to the column means of the first chunk.
        """
        X = v.as_design_matrix(X, accept_sparse=True)
        y = v.as_target(y, X.shape[0], X.dtype, allow_2d=False)
        sw = v.as_sample_weight(sample_weight, X.shape[0], X.dtype)
        if chunk_rows is not None:
            chunk_rows = v.check_scalar(chunk_rows, "chunk_rows", kind=numbers.Integral, low=1)
        shift = v.check_shift(shift, X.shape[1])
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # (judged below)
            stats = cls.of_validated(X, y, sw, shift=shift, chunk_rows=chunk_rows)
        # squared sums (and the kernels' products of them) stay normal and finite within these bounds;
        # the path functions rescale data outside them, statistics already summed cannot be
        info = np.finfo(stats.dtype)
        largest = float(np.sqrt(info.max / (16.0 * max(stats.n_rows, 1))))
        smallest = 2.0**-40
        if stats.dtype == np.float64:
            largest, smallest = min(largest, 2.0**220), 2.0**-220
        for name, amax in zip(("X", "y"), stats.amax):
            if amax > largest or 0 < amax < smallest:
                raise ValueError(
                    f"SufficientStats: {name} has (shifted, weighted) entries of magnitude {amax:.3g}, whose "
                    f"squared sums overflow or underflow in {stats.dtype}; multiply {name} by a power of ten "
                    f"first (and scale the coefficients back), or fit from the arrays with enet_path."
                )
        return stats

    @classmethod
    def of_validated(cls, X, y, sw, *, shift=None, chunk_rows=None, dtype=None):
        """The statistics of arrays the caller validated already (dense, or CSC; no checks, no copy of
        X beyond a row block): the one accumulation the path functions, the CV folds and Ridge share.

        dtype: the precision of the sums (default X's); float32 data are summed in float64 wherever
        the sums must certify a solution (the Gram mode, the folds)."""
        if sparse.issparse(X):
            if dtype is not None:
                X = X.astype(dtype, copy=False)
            return cls._accumulate_sparse(X, y, sw, shift)
        return cls._accumulate(X, y, sw, shift, chunk_rows, dtype=dtype)

    @classmethod
    def _accumulate_sparse(cls, X, y, sw, shift=None):
        """`from_arrays` for a validated CSC X: X^T X from the products of each row's stored values
        (`sparse_gram_into`, O(sum of nnz_row^2), p x p dense), never densifying X.

        The x shift is 0 for every column but those whose mean dwarfs their spread
        (`far_column_shift`: nearly dense columns, stored shifted by their mean, so that centering the
        sums stays exact); blocks to combine with must use the same shift (``shift=stats.shift``), and
        a column given a non-zero shift is stored in full for the sums.
        """
        from ._cd_gram import sparse_gram_into

        n_rows, n_features = X.shape
        dtype = X.dtype
        if shift is None:
            x_shift = far_column_shift(X, sw)
            y_shift = float(y[:min(8192, n_rows)].mean(dtype=np.float64))
        else:
            x_shift = np.asarray(shift[0], dtype=np.float64).reshape(-1)
            if x_shift.shape != (n_features,):
                raise ValueError(f"shift[0] must have {n_features} entries (one per column), got {x_shift.shape}.")
            y_shift = float(shift[1])
        x_shift = x_shift.astype(dtype).astype(np.float64)  # the shift stored is the one applied
        X = shifted_columns(X, x_shift)
        s = np.ones(n_rows) if sw is None else sw.astype(np.float64)
        yc = y.astype(np.float64) - y_shift
        values = X.data
        if sw is not None:  # rows weighted by sqrt(s): X^T S X = (S^1/2 X)^T (S^1/2 X)
            values = (X.data * np.sqrt(s)[X.indices]).astype(dtype)
        Xw = sparse.csc_matrix((values, X.indices, X.indptr), shape=X.shape)
        rows = Xw.tocsr()
        rows.sort_indices()  # (scipy's conversion already sorts; sparse_gram_into relies on it)
        G = np.zeros((n_features, n_features), dtype=dtype)
        sparse_gram_into(G, Xw.data, Xw.indices.astype(np.int32, copy=False), Xw.indptr.astype(np.int64),
                         rows.data, rows.indices.astype(np.int32, copy=False), rows.indptr.astype(np.int64),
                         np.empty(0, dtype=dtype), np.empty(0, dtype=dtype), 0.0)
        X64 = X.astype(np.float64)
        ys = yc * np.sqrt(s)
        return cls(G, X64.T @ (s * yc), float(ys @ ys), X64.T @ s, float(s @ yc), float(s.sum()), n_rows,
                   x_shift.astype(dtype), y_shift,
                   amax=(float(np.max(np.abs(values))) if values.size else 0.0, float(np.max(np.abs(ys)))))

    @classmethod
    def _accumulate(cls, X, y, sw, shift=None, chunk_rows=None, dtype=None):
        """`from_arrays` on validated arrays (the path functions' Gram mode builds its statistics here).

        dtype: the precision of the sums (default X's); the Gram mode accumulates float32 data in
        float64, whose sums over many rows float32 could not certify."""
        n_rows, n_features = X.shape
        dtype = X.dtype if dtype is None else np.dtype(dtype)
        if chunk_rows is None:
            chunk_rows = int(np.clip(CHUNK_BYTES // (n_features * dtype.itemsize), 1024, 8192))
        if shift is None:
            head = slice(0, min(chunk_rows, n_rows))
            x_shift = X[head].mean(axis=0, dtype=np.float64).astype(dtype)
            y_shift = float(y[head].mean(dtype=np.float64))
        else:
            x_shift = np.asarray(shift[0], dtype=dtype).reshape(-1)
            y_shift = float(shift[1])
            if x_shift.shape != (n_features,):
                raise ValueError(f"shift[0] must have {n_features} entries (one per column), got {x_shift.shape}.")
        syrk = blas.ssyrk if dtype == np.float32 else blas.dsyrk
        upper = np.zeros((n_features, n_features), dtype=dtype, order="F")
        Xty = np.zeros(n_features, dtype=np.float64)
        sx = np.zeros(n_features, dtype=np.float64)
        yty = sy = weight_sum = 0.0
        x_amax = y_amax = 0.0
        for start in range(0, n_rows, chunk_rows):
            rows = slice(start, min(start + chunk_rows, n_rows))
            Xc = np.subtract(X[rows], x_shift, order="F", dtype=dtype)
            yc = y[rows].astype(np.float64) - y_shift
            if sw is None:
                s = np.ones(len(yc))
                sqrt_s = s
            else:
                s = sw[rows].astype(np.float64)
                sqrt_s = np.sqrt(s)
                Xc *= sqrt_s.astype(dtype)[:, None]
            x_amax = max(x_amax, float(Xc.max()), -float(Xc.min()))
            # upper += Xc^T Xc (weighted rows carry sqrt(s))
            upper = syrk(1.0, Xc, beta=1.0, c=upper, trans=1, overwrite_c=1)
            ys = yc * sqrt_s
            y_amax = max(y_amax, float(np.max(np.abs(ys))))
            # X^T y and the column sums in one pass, accumulated in float64
            both = Xc.T.astype(np.float64, copy=False) @ np.column_stack((ys, sqrt_s))
            Xty += both[:, 0]
            sx += both[:, 1]
            yty += float(ys @ ys)
            sy += float(s @ yc)
            weight_sum += float(s.sum())
        return cls(_symmetrized(upper), Xty, yty, sx, sy, weight_sum, n_rows, x_shift, y_shift,
                   amax=(x_amax, y_amax))

    def _check_compatible(self, other):
        if not isinstance(other, SufficientStats):
            return NotImplemented
        if other.n_features != self.n_features or other.dtype != self.dtype:
            raise ValueError(
                f"statistics of different widths or dtypes cannot be combined ({self.n_features} features in "
                f"{self.dtype} and {other.n_features} in {other.dtype}); build every block from the same "
                f"columns, in the same dtype"
            )
        if not (np.array_equal(self.x_shift, other.x_shift) and self.y_shift == other.y_shift):
            raise ValueError(
                "statistics about different shifts cannot be combined: build every block with "
                "shift=first.shift"
            )
        return None

    def _combine(self, other, sign):
        bad = self._check_compatible(other)
        if bad is NotImplemented:
            return bad
        n_rows, weight_sum = self.n_rows + sign * other.n_rows, self.weight_sum + sign * other.weight_sum
        magnitude = tuple(a + b for a, b in zip(v.stats_magnitude(self), v.stats_magnitude(other)))
        v.check_stats_difference(n_rows, weight_sum, magnitude, "-" if sign < 0 else "+")
        out = SufficientStats(
            self.XtX + sign * other.XtX, self.Xty + sign * other.Xty, self.yty + sign * other.yty,
            self.sx + sign * other.sx, self.sy + sign * other.sy, weight_sum, n_rows, self.x_shift, self.y_shift,
        )
        out.magnitude = magnitude
        return out

    def __add__(self, other):
        return self._combine(other, 1)

    def __sub__(self, other):
        """The statistics of self's rows without other's; refused when other holds more rows or weight
        than self (rows subtracted that were never added)."""
        return self._combine(other, -1)

    def __repr__(self):
        return (f"SufficientStats(n_rows={self.n_rows}, n_features={self.n_features}, "
                f"weight_sum={self.weight_sum:g}, dtype={self.dtype})")

    def centered(self):
        """(G, Xty, yty, x_mean, y_mean) about the (weighted) means: G = sum s (x - mean)(x - mean)^T."""
        W = self.weight_sum
        mx, my = self.sx / W, self.sy / W
        # G = XtX - sx sx^T / W by a rank-one BLAS update of a copy (no p x p temporary)
        ger = blas.sger if self.dtype == np.float32 else blas.dger
        G = ger(-1.0 / W, self.sx.astype(self.dtype), self.sx.astype(self.dtype),
                a=np.array(self.XtX, order="F"), overwrite_a=1)
        Xty = self.Xty - self.sx * my
        yty = self.yty - self.sy * my
        return G, Xty, max(yty, 0.0), self.x_shift + mx, self.y_shift + my

    def raw(self):
        """(G, Xty, yty) about the origin: G = sum s x x^T (no intercept)."""
        c, d = self.x_shift.astype(np.float64), self.y_shift
        with np.errstate(over="ignore", invalid="ignore"):
            cross = np.outer(self.sx, c)
            G = self.XtX + (cross + cross.T + self.weight_sum * np.outer(c, c)).astype(self.dtype)
            Xty = self.Xty + d * self.sx + c * self.sy + self.weight_sum * c * d
            yty = self.yty + 2 * d * self.sy + self.weight_sum * d * d
        if not (np.isfinite(np.diag(G)).all() and np.isfinite(Xty).all() and np.isfinite(yty)):
            raise ValueError(
                f"SufficientStats: the sums about the origin (no intercept) overflow {self.dtype}: the "
                f"shift is {float(np.max(np.abs(c), initial=0.0)):.3g} in X and {abs(d):.3g} in y; build the "
                f"statistics from float64 data, or rescale X and y, or fit with an intercept."
            )
        return G, Xty, yty

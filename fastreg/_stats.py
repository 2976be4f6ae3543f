"""Sufficient statistics of a least-squares problem: everything the Gram kernel needs, without X.

For rows (x_i, y_i) with weights s_i, about a fixed shift (c, d):

    XtX = sum_i s_i (x_i - c)(x_i - c)^T     Xty = sum_i s_i (x_i - c)(y_i - d)     yty = sum_i s_i (y_i - d)^2
    sx  = sum_i s_i (x_i - c)                sy  = sum_i s_i (y_i - d)              weight_sum = sum_i s_i

They add over row blocks that share the shift (``a + b``, ``total - fold``), so they can be built chunk by
chunk from files or by a cluster. The shift is the first block's mean, so the centered Gram matrix
``XtX - sx sx^T / weight_sum`` is a small correction and stays accurate when columns have large means
(the textbook ``X^T X - n mean mean^T`` loses every digit when the means dwarf the spread).

y may be 2-D (n_samples, k): Xty is then (p, k) and yty, sy and the y shift one per target.

The same accumulation serves Ridge, which wants the centered normal equations of one data set
(`normal_equations`, `dual_normal_equations`): with ``fast=True`` an unweighted dense X is summed
without any copy -- one syrk over X, then the rank-one centering ``X^T X - n mean mean^T``, exact
enough for every column whose mean is within ~30 standard deviations (`FAST_CANCELLATION`); the few
columns far off center are recomputed from centered copies carried along the same pass over X
(`_patch_columns`). Weights, many such columns, or another precision take the shifted row blocks
(`_shifted_sums`), once more about the exact means when the first rows' mean turns out a poor shift.
"""
import functools
import numbers
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.linalg import blas
from threadpoolctl import ThreadpoolController

from . import _validation as v
from ._cd_gram import SPARSE_VISIT_COST, csc_column_moments, csc_to_csr, shifted_rows_into, sparse_gram_into, syrk_product_into


# rows per block of `from_arrays`: the shifted block is its only copy of data (as many rows as fit in
# CHUNK_BYTES, within [MIN_CHUNK_ROWS, MAX_CHUNK_ROWS]); the shift is the first block's mean
CHUNK_BYTES = 1 << 25
MIN_CHUNK_ROWS, MAX_CHUNK_ROWS = 1024, 8192
# rows that predict which columns are far off center for the fast route (`_far_columns_from_head`)
HEAD_ROWS = 1024
# rows that predict whether a dense X sits near its center (`_spread_rows`: runs of rows spread over X)
SPREAD_SLABS, SPREAD_ROWS = 16, 64
# rows per block of `syrk_with_product`: PRODUCT_BLOCK_ROWS (a block still in cache for its product
# with the right-hand sides after its syrk; on 53940 x 299 and 20000 x 300 larger blocks were slower),
# or 2 p once G is larger than PRODUCT_CACHE_BYTES: each block's syrk reads and writes all of G, which
# then comes from memory, and must do enough work to hide it (20000 x 2000: 1.07 X^T X with 256 rows,
# 1.02 with 4096)
PRODUCT_BLOCK_ROWS = 256
PRODUCT_CACHE_BYTES = 1 << 21
# the float64 buffer a float32 X's row blocks are widened into (`syrk_with_product`)
WIDEN_BUFFER_BYTES = 1 << 25
# dtypes of the compiled shifted copy (`shifted_rows_into`)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# rows per block of the float64 passes over X that hold `width` values per row (weighted means, the
# leave-one-out pass), and the largest such block or column block (the dual Gram matrix), in bytes
BLOCK_ROWS = 4096
BLOCK_MAX_BYTES = 1 << 28
# relative accuracy the fast route's rank-one centering may lose, per dtype: the largest
# diag(X^T X)_jj / diag(X_c^T X_c)_jj (= 1 + mean_j^2 / var_j) a column may have and stay on it; the
# same bound tells when the first rows' mean was a poor shift for the shifted row blocks
FAST_CANCELLATION = {np.dtype(np.float32): 16.0, np.dtype(np.float64): 1024.0}


# Implicit centering of a sparse column (sums about 0, then the rank-one correction by its mean) loses
# a factor raw / centered = 1 + W mean^2 / centered of relative accuracy; past this factor the column is
# stored shifted by its mean instead. Such a column has at most W / (FAR_FROM_CENTER - 1) weight on rows
# it does not store (each unstored row adds mean^2 to the centered sum), so it is nearly dense already
# and storing it in full costs little.
FAR_FROM_CENTER = 8.0


# squares of values in [2^-lim, 2^lim], summed over up to 2^31 rows, stay normal and finite
POW2_LIMIT = {np.dtype(np.float32): 28, np.dtype(np.float64): 220}


def pow2_scale(amax, dtype):
    """A power of two s with amax / s near 1 when amax is outside the safe range for squared sums, else 1."""
    lim = POW2_LIMIT[np.dtype(dtype)]
    if amax == 0 or 2.0**-lim <= amax <= 2.0**lim:
        return 1.0
    # (capped below 2^1024, which overflows: amax near float64's largest value)
    return float(2.0 ** min(np.round(np.log2(amax)), 1023.0))


def column_moments(X, sample_weight=None, amax=False):
    """(weighted sums, weighted sums of squares) of each column of a CSC X, in float64, and with `amax`
    the largest |value| as well: one compiled pass over the stored values (`csc_column_moments`)."""
    data = X.data if X.data.dtype in _FLOATS else X.data.astype(np.float64)
    sw = np.empty(0) if sample_weight is None else np.ascontiguousarray(sample_weight, dtype=np.float64)
    sums, squares, top = csc_column_moments(np.ascontiguousarray(data), X.indices.astype(np.int32, copy=False),
                                            X.indptr.astype(np.int64, copy=False), sw)
    return (sums, squares, top) if amax else (sums, squares)


def far_column_shift(X, sample_weight=None, moments=None, amax=None):
    """The shift that keeps implicit centering of a CSC X exact: each column's weighted mean where
    centering about 0 would lose more than FAR_FROM_CENTER in relative accuracy, 0 elsewhere
    (float64, one per column). Only a problem with an intercept is centered, so only it needs one.
    `moments`, `amax`: X's `column_moments` and largest |value|, when the caller has them."""
    total = float(X.shape[0]) if sample_weight is None else float(np.sum(sample_weight, dtype=np.float64))
    # values whose squares overflow or vanish are judged divided by a power of two (exact)
    if amax is None:
        amax = float(np.max(np.abs(X.data))) if X.nnz else 0.0
    unit = pow2_scale(amax, np.float64)
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
        np.copyto(block, block.T.copy(), where=np.tri(stop - start, k=-1, dtype=bool))  # strict lower
    return upper.T


# the sparse Gram product shares its rows between threads from this many stored values on
SPARSE_GRAM_THREADED_NNZ = 1 << 18


@functools.cache
def blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries, inspected once (~0.3 ms)."""
    return ThreadpoolController().select(user_api="blas").lib_controllers


def blas_threads():
    """The threads BLAS may use at this moment (threadpoolctl's limits apply): the budget of the
    compiled products that share their work the way BLAS does (`sparse_gram`)."""
    return max([1] + [lib.get_num_threads() for lib in blas_libraries()])


def sparse_gram(G, data, rows, ptr, n_rows, col_factor, center, sw_sum):
    """G = the scaled, centered X^T X of a CSC X (data, int32 rows, int64 ptr; n_rows rows) by
    `csc_to_csr` and `sparse_gram_into` (G zero on entry; see there for col_factor, center, sw_sum).

    The rows of G are formed independently, each from its own column, so with more than one BLAS
    thread allowed (`blas_threads`, threadpoolctl's limits included) and SPARSE_GRAM_THREADED_NNZ
    stored values or more, the columns are split into contiguous ranges of about equal work (visits
    of row tails, or the dense copies of nearly dense columns, as the kernel chooses) and formed on
    threads, then finished (scaled, centered, mirrored) once. Each row's sums are the same either
    way: the result does not depend on the number of threads."""
    row_data, row_cols, _, tail, length = csc_to_csr(data, rows, ptr, n_rows, tails=True)
    p = G.shape[0]
    args = (G, data, rows, ptr, n_rows, tail, length, row_data, row_cols, col_factor, center, sw_sum)
    n_threads = min(blas_threads(), p)
    if n_threads < 2 or ptr[-1] < SPARSE_GRAM_THREADED_NNZ:
        sparse_gram_into(*args)
        return G
    nnz_col = np.diff(ptr)
    suffix = ptr[-1] - ptr[:-1]
    visits = np.concatenate(([0], np.cumsum(length, dtype=np.int64)))
    dense = nnz_col * SPARSE_VISIT_COST > n_rows + suffix
    work = np.where(dense, n_rows + suffix, nnz_col * SPARSE_VISIT_COST + visits[ptr[1:]] - visits[ptr[:-1]])
    bounds = np.searchsorted(np.cumsum(work, dtype=np.float64), np.arange(1, n_threads) * (work.sum() / n_threads))
    edges = np.unique(np.concatenate(([0], np.minimum(bounds + 1, p), [p])))
    with ThreadPoolExecutor(max_workers=edges.size - 1) as pool:
        # (list: an exception in a thread is raised here)
        list(pool.map(lambda r: sparse_gram_into(*args, start=int(r[0]), stop=int(r[1]), finish=False),
                      zip(edges[:-1], edges[1:])))
    sparse_gram_into(*args, start=0, stop=0, finish=True)
    return G


def _chunk_rows(n_features, dtype):
    rows = CHUNK_BYTES // max(1, n_features * np.dtype(dtype).itemsize)
    return int(np.clip(rows, MIN_CHUNK_ROWS, MAX_CHUNK_ROWS))


def block_rows(n_rows, width, itemsize):
    """Rows per block of a pass holding `width` values of `itemsize` bytes per row (<= BLOCK_ROWS,
    <= BLOCK_MAX_BYTES, at least 256)."""
    rows = min(BLOCK_ROWS, max(256, BLOCK_MAX_BYTES // max(1, width * itemsize)))
    return max(1, min(rows, n_rows))


def column_blocks(p, n, itemsize):
    """Slices of columns for passes over X one column block at a time (n rows of `itemsize` bytes)."""
    step = max(64, min(1024, BLOCK_MAX_BYTES // max(1, n * itemsize)))
    return [slice(j, min(j + step, p)) for j in range(0, p, step)]


def _number_or_array(a):
    """A per-target statistic: a float for one target (1-D y), a float64 array for 2-D y."""
    return float(a) if np.ndim(a) == 0 else np.asarray(a, dtype=np.float64)


def _per_row(v, like):
    """The row values `v` broadcast against `like` (1-D, or 2-D with one column per target)."""
    return v if like.ndim == 1 else v[:, None]


def _shifted_sums(X, y, sw, x_shift, y_shift, dtype, chunk_rows, bounds=True):
    """One pass over the rows of X, `chunk_rows` at a time: the upper
    triangle of sum s (x - c)(x - c)^T (BLAS syrk in `dtype`, the shifted chunk the only copy of X) and,
    in float64, sum s (x - c)(y - d), sum s (y - d)^2, sum s (x - c), sum s (y - d), sum s, with the
    largest shifted (weighted) |x| and |y| (None unless `bounds`: two more reads of every chunk).

    In float64 the chunk carries sqrt(s)(y - d) and sqrt(s) as extra columns, so one syrk of the
    bordered chunk gives every sum at once (the border costs (k + 1) / p more flops than X^T X, and no
    second read of the chunk); in float32 the border sums are accumulated in float64 apart. Float64
    sums of a dense ndarray (any layout, float32 or float64 values) take the compiled pass instead
    (`_compiled_shifted_sums`: blocks of 256 rows, `chunk_rows` unused)."""
    n_rows, n_features = X.shape
    k = 1 if y.ndim == 1 else y.shape[1]
    if isinstance(X, np.ndarray) and X.dtype in _FLOATS and dtype == np.float64:
        return _compiled_shifted_sums(X, y, sw, x_shift, y_shift, k, bounds)
    bordered = dtype == np.float64
    width = n_features + (k + 1 if bordered else 0)
    syrk = blas.ssyrk if dtype == np.float32 else blas.dsyrk
    upper = np.zeros((width, width), dtype=dtype, order="F")
    Xty = np.zeros((n_features,) + y.shape[1:], dtype=np.float64)
    sx = np.zeros(n_features, dtype=np.float64)
    yty = np.zeros(y.shape[1:])
    sy = np.zeros(y.shape[1:])
    weight_sum = 0.0
    x_amax = y_amax = 0.0
    # one buffer for every chunk (a fresh chunk each time would cost its page faults again), laid out
    # as X is (a C-ordered X copied into a Fortran buffer would be a strided transpose, 3x slower)
    order = "C" if not sparse.issparse(X) and X.flags.c_contiguous and not X.flags.f_contiguous else "F"
    buf = np.empty((min(chunk_rows, n_rows), width), dtype=dtype, order=order)
    compiled = isinstance(X, np.ndarray) and X.dtype in _FLOATS and dtype in _FLOATS
    no_scale = np.empty(0, dtype=dtype)
    for start in range(0, n_rows, chunk_rows):
        block = slice(start, min(start + chunk_rows, n_rows))
        m = block.stop - start
        B = buf if m == len(buf) else np.empty((m, width), dtype=dtype, order=order)  # (a last, shorter one)
        Xc = B[:, :n_features]
        yc = y[block].astype(np.float64) - y_shift
        if sw is None:
            s = np.ones(len(yc))
            sqrt_s = s
        else:
            s = sw[block].astype(np.float64)
            sqrt_s = np.sqrt(s)
        if compiled:  # the shifted, scaled copy and its largest |entry| in one pass
            block_amax = shifted_rows_into(Xc, X, start, x_shift, no_scale if sw is None else sqrt_s.astype(dtype))
        else:
            np.subtract(X[block], x_shift, out=Xc, dtype=dtype)
            if sw is not None:
                Xc *= sqrt_s.astype(dtype)[:, None]
            block_amax = max(float(Xc.max()), -float(Xc.min())) if bounds else 0.0
        if bounds:
            x_amax = max(x_amax, block_amax)
        ys = yc * _per_row(sqrt_s, yc)
        if bordered:
            B[:, n_features:n_features + k] = ys.reshape(m, k)
            B[:, -1] = sqrt_s
        # upper += B^T B (weighted rows carry sqrt(s)); a C-ordered B is the Fortran B^T
        if order == "C":
            upper = syrk(1.0, B.T, beta=1.0, c=upper, trans=0, overwrite_c=1)
        else:
            upper = syrk(1.0, B, beta=1.0, c=upper, trans=1, overwrite_c=1)
        if bounds:
            y_amax = max(y_amax, float(np.max(np.abs(ys))))
        if not bordered:  # X^T y and the column sums in one pass, accumulated in float64
            both = Xc.T.astype(np.float64, copy=False) @ np.column_stack((ys, sqrt_s))
            Xty += both[:, :-1].reshape(Xty.shape)
            sx += both[:, -1]
            yty += ys @ ys if ys.ndim == 1 else np.einsum("ik,ik->k", ys, ys)
        sy += s @ yc  # (exact weights: sqrt(s)^2 is not s to the last bit)
        weight_sum += float(s.sum())
    if bordered:
        p = n_features
        Xty = upper[:p, p:p + k].reshape(Xty.shape).copy()
        sx = upper[:p, -1].copy()
        yty = np.diag(upper[p:p + k, p:p + k]).reshape(yty.shape).copy()
        upper = np.asfortranarray(upper[:p, :p])
    return _symmetrized(upper), Xty, yty, sx, sy, weight_sum, n_rows, (x_amax, y_amax) if bounds else None


def _compiled_shifted_sums(X, y, sw, x_shift, y_shift, k, bounds):
    """`_shifted_sums` in float64 of a dense X (any layout) in one compiled pass (`shifted_products`):
    each block of rows shifted, scaled and widened in cache, bordered by R = [sqrt(s)(y - d),
    sqrt(s)], one syrk; the same copies of the rows as the chunked pass, summed by smaller blocks.
    Besides R (n x (k + 1)), at most one vector of n floats (the weights in float64)."""
    n_rows, n_features = X.shape
    R = np.empty((n_rows, k + 1), order="F")
    yc = R[:, :k] if y.ndim == 2 else R[:, 0]
    np.subtract(y, y_shift, out=yc, dtype=np.float64, casting="unsafe")  # y - d, scaled in place below
    if sw is None:
        R[:, k] = 1.0
        sy = yc.sum(axis=0)
        weight_sum = float(n_rows)
    else:
        s = np.asarray(sw, dtype=np.float64)
        sy = s @ yc
        weight_sum = float(s.sum())
        np.sqrt(s, out=R[:, k])
        yc *= R[:, k] if y.ndim == 1 else R[:, k:]
    ys = yc
    G, XtR, x_amax = shifted_products(X, R, np.float64, x_shift, None if sw is None else R[:, k])
    Xty = XtR[:, :k].reshape((n_features,) + y.shape[1:]).copy()
    yty = ys @ ys if ys.ndim == 1 else np.einsum("ik,ik->k", ys, ys)
    amax = (max(float(x_amax), 0.0), float(np.max(np.abs(ys), initial=0.0))) if bounds else None
    return G, Xty, yty, XtR[:, k].copy(), sy, weight_sum, n_rows, amax


def syrk_with_product(X, R, dtype=None):
    """(X^T X, X^T R) of a C- or F-contiguous X from one pass over X (`syrk_product_into`: each row
    block's syrk, then its product with R while the block is in cache), in `dtype` (default X's;
    float64 for a float32 X: each block is widened exactly to float64 in cache first and bordered by
    R's rows, one syrk for both; no copy of X).
    X^T X is C-contiguous and symmetric, as NumPy's X.T @ X; R: (n, k), copied to a Fortran array of
    `dtype` if needed."""
    G, XtR, _ = shifted_products(X, R, dtype)
    return G, XtR


def shifted_products(X, R, dtype=None, shift=None, row_scale=None):
    """`syrk_with_product` of X~ = diag(row_scale) (X - 1 shift^T) (None: no shift, no scaling) without
    forming X~: each row block is shifted and scaled in cache (`syrk_product_into`). Returns (X~^T X~,
    X~^T R, the largest |X~ entry| (+inf for NaN or inf; -1 when X was read in place))."""
    n, p = X.shape
    dtype = X.dtype if dtype is None else np.dtype(dtype)
    R = np.asarray(R, dtype=dtype, order="F")
    G = np.empty((p, p), dtype=dtype)
    XtR = np.empty((p, R.shape[1]), dtype=dtype, order="F")
    rows = PRODUCT_BLOCK_ROWS if p * p * dtype.itemsize <= PRODUCT_CACHE_BYTES else max(PRODUCT_BLOCK_ROWS, 2 * p)
    shift = None if shift is None else np.ascontiguousarray(shift, dtype=dtype)
    row_scale = None if row_scale is None else np.ascontiguousarray(row_scale, dtype=dtype)
    if dtype != X.dtype or shift is not None or row_scale is not None:
        # (the block's copy: at most WIDEN_BUFFER_BYTES beyond 256 rows)
        rows = min(rows, max(PRODUCT_BLOCK_ROWS, WIDEN_BUFFER_BYTES // max(1, p * dtype.itemsize)))
    amax = syrk_product_into(G, XtR, X, R, rows, shift, row_scale)
    return G, XtR, amax


def _amax_range(dtype, n_rows):
    """(smallest, largest) non-zero largest |entry| of data whose squared sums over n_rows rows, and
    the kernels' products of them, stay normal and finite in dtype (`SufficientStats.check_range`)."""
    largest = float(np.sqrt(np.finfo(dtype).max / (16.0 * max(n_rows, 1))))
    if np.dtype(dtype) == np.float64:
        return 2.0**-220, min(largest, 2.0**220)
    return 2.0**-40, largest


def underflowed_columns(X, diag):
    """Whether a column of dense X whose squared sum `diag` is tiny (below sqrt(tiny)) has a non-zero
    entry: its squares underflowed, and it would pass for a zero column."""
    tiny = float(np.finfo(X.dtype).tiny) ** 0.5
    return any(np.any(X[:, j] != 0) for j in np.flatnonzero(diag < tiny))


def spread_runs(n, slabs=SPREAD_SLABS, rows=SPREAD_ROWS):
    """`slabs` runs of `rows` consecutive rows spread evenly over n rows (slices), or all n rows in one
    when there are no more than slabs * rows: the rows `_spread_rows` samples."""
    if n <= slabs * rows:
        return [slice(0, n)]
    return [slice(a, a + rows) for a in np.linspace(0, n - rows, slabs).astype(np.intp)]


def _spread_rows(X, slabs=SPREAD_SLABS, rows=SPREAD_ROWS):
    """About slabs * rows rows of X in `slabs` runs of consecutive rows spread evenly over it (a run is
    contiguous in each column of a Fortran X: a few cache lines per column and run, where rows picked
    one by one would cost one line each), as a float64 array."""
    return np.concatenate([np.asarray(X[run], dtype=np.float64) for run in spread_runs(X.shape[0], slabs, rows)])


def center_ratio(mean, var):
    """1 + mean^2 / var per column (raw sum of squares over the centered one: the relative accuracy
    centering the sums about 0 loses), 1 where var is 0 (a constant sample tells nothing: left to the
    checks on the exact sums)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(var > 0, 1.0 + mean**2 / var, 1.0)


def _far_columns_from_head(X, dtype):
    """Columns whose mean may dwarf their spread, and their means, predicted from the first rows (so
    that their centered copies ride along the fast route's single pass over X; the route checks the
    prediction with the exact means and recomputes any column it missed)."""
    head = X[: min(X.shape[0], HEAD_ROWS)]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # non-finite X: raised later
        mean = head.mean(axis=0, dtype=np.float64)
        var = head.var(axis=0, dtype=np.float64)
    # (a column constant in the first rows tells nothing: rare levels, sorted data)
    far = np.flatnonzero(~(center_ratio(mean, var) <= FAST_CANCELLATION[np.dtype(dtype)] / 4))
    return far, mean[far]


def _cross(X, D):
    """X^T D in float64 (D: float64 or X's dtype), by row blocks when X is float32 and D float64 (a whole
    X.T @ D would convert all of X to float64 first)."""
    if X.dtype == D.dtype:
        return (X.T @ D).astype(np.float64)
    out = np.zeros((X.shape[1], D.shape[1]))
    step = block_rows(X.shape[0], X.shape[1], 8)
    for start in range(0, X.shape[0], step):
        rows = slice(start, start + step)
        out += np.asarray(X[rows], dtype=np.float64).T @ D[rows]
    return out


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


def _poor_shift(stats):
    """Whether the sums were taken about a shift so far from some column's mean that centering them
    loses more than FAST_CANCELLATION (the first rows misrepresent the column: sorted data, rare levels)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = np.diag(stats.XtX).astype(np.float64)
        centered = raw - stats.sx**2 / stats.weight_sum
        lost = np.where(raw > 0, raw / np.maximum(centered, 0.0), 1.0)
    return bool(np.isfinite(raw).all() and not np.all(lost <= FAST_CANCELLATION[stats.dtype]))


class SufficientStats:
    """Sufficient statistics (X^T X, X^T y, y^T y, sums, weight sum) of row blocks about a common shift.

    Build with `SufficientStats.from_arrays`, or out of core with `from_chunks` (any iterable of row
    blocks), `from_rows` (a memmap, zarr or h5py array), `from_parquet` and `from_csv`; combine with
    ``+`` and ``-``; fit with `fastreg.enet_path_from_stats`.

    ``feature_names``: the columns' names (an object ndarray of str) when the statistics were read from
    a file with named columns (or a DataFrame by `from_rows`), else None; kept by ``+``, ``-``,
    `about` and `merge` when both operands have the same names (None when either has none; different
    names are refused, as different widths are).

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
    # the columns' names (object ndarray of str), when known (see the class docstring)
    feature_names = None

    def __init__(self, XtX, Xty, yty, sx, sy, weight_sum, n_rows, x_shift, y_shift, amax=None):
        # yty, sy and y_shift: floats for a 1-D y, one per target (float64 arrays) for a 2-D y, whose
        # Xty is (n_features, n_targets)
        self.XtX, self.Xty, self.yty = XtX, Xty, _number_or_array(yty)
        # the largest shifted (and weighted) |x| and |y| entries, when built from arrays: the path
        # functions check them before trusting squared sums of extreme data (None after + and -, and
        # from the fast route)
        self.amax = amax
        self.sx, self.sy = sx, _number_or_array(sy)
        self.weight_sum, self.n_rows = float(weight_sum), int(n_rows)
        self.x_shift, self.y_shift = x_shift, _number_or_array(y_shift)

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

        Rows are shifted block by block, each block's copy the only one, and X^T X is accumulated by
        BLAS syrk: float64 sums of a dense X in one compiled pass over blocks of 256 rows
        (`shifted_products`), float32 sums and sparse X `chunk_rows` rows at a time (by default as
        many as fit in 32 MiB, between 1024 and 8192). `shift` defaults to the column means of the
        first `chunk_rows` rows.
        """
        X = v.as_design_matrix(X, accept_sparse=True)
        y = v.as_target(y, X.shape[0], X.dtype, allow_2d=False)
        sw = v.as_sample_weight(sample_weight, X.shape[0], X.dtype)
        if chunk_rows is not None:
            chunk_rows = v.check_scalar(chunk_rows, "chunk_rows", kind=numbers.Integral, low=1)
        shift = v.check_shift(shift, X.shape[1])
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # (judged below)
            stats = cls.of_validated(X, y, sw, shift=shift, chunk_rows=chunk_rows)
        stats.check_range()
        return stats

    @classmethod
    def from_chunks(cls, chunks, *, dtype=None):
        """Statistics of a stream of row blocks, without holding more than one block at a time.

        chunks: any iterable (a generator reading a file, a list) of ``(X, y)`` or
        ``(X, y, sample_weight)`` tuples: X dense or any scipy sparse format, y 1-D, or 2-D (one column
        per target) in every block, sample_weight None or one weight per row. Each block is validated
        on its own (an error names the block and its rows: ``chunk 3 (rows 3000 to 3999): ...``) and
        summed in float64 about its own mean (float32 blocks too); the blocks are combined by
        `merge` in a balanced tree, so rounding grows like log(number of blocks) and at most about
        log2(number of blocks) p x p partial sums are alive. Blocks of 0 rows are skipped; a block
        whose weights are all 0 counts its rows with no weight. An exception raised by the iterable
        itself propagates unchanged.

        dtype: None or np.float64 (default): float64 statistics. np.float32: the float64 sums rounded
        once at the end to what `from_arrays` holds for float32 data (paths from them return float32
        coefficients).

        Examples
        --------
        >>> import numpy as np, fastreg
        >>> rng = np.random.default_rng(0)
        >>> X = rng.standard_normal((1000, 3)) + 1e6; y = X @ [1.0, 0, 2.0] + rng.standard_normal(1000)
        >>> stats = fastreg.SufficientStats.from_chunks((X[i:i + 300], y[i:i + 300]) for i in range(0, 1000, 300))
        >>> stats.n_rows, stats.dtype
        (1000, dtype('float64'))
        """
        from ._chunks import statistics_of_chunks

        return statistics_of_chunks(chunks, dtype=dtype)

    @classmethod
    def from_rows(cls, X, y, sample_weight=None, *, block_rows=None):
        """Statistics of an array-like read `block_rows` rows at a time: anything whose ``X[a:b]`` is an
        array of those rows (a NumPy memmap, a zarr array, an h5py dataset, a scipy sparse matrix; a
        DataFrame by ``.iloc``, its column names kept as ``feature_names``). y and sample_weight: of
        the same kind, NumPy arrays, or (weights) a scalar or None.

        block_rows: rows per block, by default as many as fit in 64 MiB of float64 (at least 1024).
        Memory O(p^2 + block_rows p) whatever the number of rows. float64 statistics, by
        `from_chunks` (errors name the block: ``block 7 (rows 28672 to 32767): ...``).
        """
        from ._chunks import statistics_of_rows

        return statistics_of_rows(X, y, sample_weight, block_rows=block_rows)

    @classmethod
    def from_parquet(cls, path, target, *, columns=None, sample_weight=None, batch_size=None):
        """Statistics of a Parquet file read in record batches of `batch_size` rows (by default as many
        as fit in 64 MiB of float64), by pyarrow (``pip install "fastreg[dask]"`` or ``pip install
        pyarrow``).

        target: the target column's name (a list of names: a 2-D y). columns: the feature columns, by
        default every other numeric (integer, float, boolean) column. sample_weight: the name of a
        weight column, or None. The names of the features are ``feature_names`` of the result
        (float64 statistics, by `from_chunks`; missing values (null) are refused, naming the batch,
        its rows and the column).
        """
        from ._chunks import statistics_of_parquet

        return statistics_of_parquet(path, target, columns=columns, sample_weight=sample_weight,
                                     batch_size=batch_size)

    @classmethod
    def from_csv(cls, path, target, *, columns=None, sample_weight=None, chunksize=None, **read_csv_kwargs):
        """Statistics of a CSV file read `chunksize` rows at a time by ``pandas.read_csv`` (``pip install
        pandas``; `read_csv_kwargs` are passed on to it), by default as many rows as fit in 64 MiB of
        float64. target, columns, sample_weight: as for `from_parquet` (the numeric columns are those
        of the first chunk; a later chunk where one of them holds text is refused, naming it).
        """
        from ._chunks import statistics_of_csv

        return statistics_of_csv(path, target, columns=columns, sample_weight=sample_weight, chunksize=chunksize,
                                 **read_csv_kwargs)

    def check_range(self):
        """Raise when the data behind the statistics had (shifted, weighted) entries whose squared sums
        overflow or underflow the sums' dtype (judged from ``amax``, the largest |x| and |y| of the
        blocks; nothing to judge when it is None). Squared sums and the kernels' products of them stay
        normal and finite within these bounds; the path functions rescale such data, statistics already
        summed cannot be."""
        if self.amax is None:
            return
        smallest, largest = _amax_range(self.dtype, self.n_rows)
        for name, amax in zip(("X", "y"), self.amax):
            if amax > largest or 0 < amax < smallest:
                raise ValueError(
                    f"SufficientStats: {name} has (shifted, weighted) entries of magnitude {amax:.3g}, whose "
                    f"squared sums overflow or underflow in {self.dtype}; multiply {name} by a power of ten "
                    f"first (and scale the coefficients back), or fit from the arrays with enet_path."
                )

    @classmethod
    def from_dask(cls, X, y, sample_weight=None):
        """Statistics of a dask array (or dataframe; y a dask array or series, or a column name of X)
        computed on the workers of the active scheduler (e.g. a ``distributed.Client``): every row block's
        float64 statistics about its own mean, validated where the block lives (an error names the block
        and its rows), merged pairwise in a balanced tree (`merge`); only p x p results travel. Needs
        ``pip install "fastreg[dask]"``."""
        from ._dask import dask_data, statistics

        return statistics(dask_data(X, y, sample_weight, what="SufficientStats.from_dask"))

    @classmethod
    def of_validated(cls, X, y, sw, *, shift=None, chunk_rows=None, dtype=None, fast=False, near=False):
        """The statistics of arrays the caller validated already (dense, or CSC; no checks, no copy of
        X beyond a row block): the one accumulation the path functions, the CV folds and Ridge share.
        y may be 2-D (one column per target).

        dtype: the precision of the sums (default X's); float32 data are summed in float64 wherever
        the sums must certify a solution (the Gram mode, the folds).

        fast: for a caller that only centers the sums (shift=None) or takes them about the origin (a
        zero shift), and accepts losing up to FAST_CANCELLATION of relative accuracy in the centered
        Gram matrix (Ridge; the certified Gram mode of the paths does not): an unweighted, contiguous
        dense X in the sums' dtype (or float32 X into float64 sums) is then summed without a copy
        (`_accumulate_fast`; float32 sums that would need shifted copies become float64 ones, which
        the caller must accept), and otherwise,
        when the first rows' mean turns out a poor shift, the sums are taken once more about the exact
        means; ``amax`` is not computed (None).

        near: for the certified Gram mode (shift=None, float64 sums): an unweighted, contiguous X whose
        columns all sit near their center (centering sums about 0 loses at most FAR_FROM_CENTER, as
        the sparse route allows) is summed about a zero shift without a copy (`_accumulate_near`),
        with ``amax`` bounded from the squared sums; otherwise, or when the prediction missed a column
        (a second pass over X then), the shifted row blocks as without it.
        """
        if sparse.issparse(X):
            if dtype is not None:
                X = X.astype(dtype, copy=False)
            return cls._accumulate_sparse(X, y, sw, shift)
        dtype = X.dtype if dtype is None else np.dtype(dtype)
        if fast and sw is None and chunk_rows is None and (X.dtype == dtype or X.dtype in _FLOATS and dtype == np.float64) \
                and (X.flags.f_contiguous or X.flags.c_contiguous):
            if shift is None or not (np.any(shift[0]) or np.any(shift[1])):
                stats = cls._accumulate_fast(X, y, centered=shift is None, dtype=dtype)
                if stats is None and dtype == np.float32:
                    # float32 sums of columns far off center need the shifted copies; float64 sums of
                    # the widened blocks need none and cost no more (the statistics are then float64)
                    stats = cls._accumulate_fast(X, y, centered=shift is None, dtype=np.float64)
                if stats is not None:
                    return stats
        if near and not fast and shift is None and sw is None and chunk_rows is None and dtype == np.float64 \
                and X.dtype in _FLOATS and (X.flags.f_contiguous or X.flags.c_contiguous):
            stats = cls._accumulate_near(X, y)
            if stats is not None:
                return stats
        stats = cls._accumulate(X, y, sw, shift, chunk_rows, dtype=dtype, bounds=not fast)
        if fast and shift is None and _poor_shift(stats):
            # the first rows' mean was a poor shift: once more about the exact means
            stats = cls._accumulate(X, y, sw, (stats.x_shift + stats.sx / stats.weight_sum,
                                               stats.y_shift + stats.sy / stats.weight_sum), chunk_rows, dtype=dtype,
                                    bounds=False)
        return stats

    @classmethod
    def _accumulate_sparse(cls, X, y, sw, shift=None):
        """`from_arrays` for a validated CSC X: X^T X from the products of each row's stored values
        (`sparse_gram_into`, O(sum of nnz_row^2), p x p dense), never densifying X.

        The x shift is 0 for every column but those whose mean dwarfs their spread
        (`far_column_shift`: nearly dense columns, stored shifted by their mean, so that centering the
        sums stays exact); blocks to combine with must use the same shift (``shift=stats.shift``), and
        a column given a non-zero shift is stored in full for the sums.
        """
        n_rows, n_features = X.shape
        dtype = X.dtype
        if shift is None:
            x_shift = far_column_shift(X, sw)
            y_shift = _number_or_array(y[:min(8192, n_rows)].mean(axis=0, dtype=np.float64))
        else:
            x_shift = np.asarray(shift[0], dtype=np.float64).reshape(-1)
            if x_shift.shape != (n_features,):
                raise ValueError(f"shift[0] must have {n_features} entries (one per column), got {x_shift.shape}.")
            y_shift = _number_or_array(shift[1])
        x_shift = x_shift.astype(dtype).astype(np.float64)  # the shift stored is the one applied
        X = shifted_columns(X, x_shift)
        s = np.ones(n_rows) if sw is None else sw.astype(np.float64)
        yc = y.astype(np.float64) - y_shift
        values = X.data
        if sw is not None:  # rows weighted by sqrt(s): X^T S X = (S^1/2 X)^T (S^1/2 X)
            values = (X.data * np.sqrt(s)[X.indices]).astype(dtype)
        Xw = sparse.csc_matrix((values, X.indices, X.indptr), shape=X.shape)
        col_rows, col_ptr = Xw.indices.astype(np.int32, copy=False), Xw.indptr.astype(np.int64)
        G = np.zeros((n_features, n_features), dtype=dtype)
        sparse_gram(G, Xw.data, col_rows, col_ptr, n_rows, np.empty(0, dtype=dtype), np.empty(0, dtype=dtype), 0.0)
        X64 = X.astype(np.float64)
        ys = yc * _per_row(np.sqrt(s), yc)
        yty = ys @ ys if ys.ndim == 1 else np.einsum("ik,ik->k", ys, ys)
        return cls(G, np.asarray(X64.T @ (_per_row(s, yc) * yc)), yty, X64.T @ s, s @ yc, float(s.sum()), n_rows,
                   x_shift.astype(dtype), y_shift,
                   amax=(float(np.max(np.abs(values))) if values.size else 0.0, float(np.max(np.abs(ys)))))

    @classmethod
    def _accumulate(cls, X, y, sw, shift=None, chunk_rows=None, dtype=None, bounds=True):
        """`from_arrays` on validated arrays, over shifted row blocks (`_shifted_sums`; the path
        functions' Gram mode and the CV folds build their statistics here).

        dtype: the precision of the sums (default X's); the Gram mode accumulates float32 data in
        float64, whose sums over many rows float32 could not certify. bounds=False: no ``amax``."""
        n_rows, n_features = X.shape
        dtype = X.dtype if dtype is None else np.dtype(dtype)
        if chunk_rows is None:
            chunk_rows = _chunk_rows(n_features, dtype)
        if shift is None:
            head = slice(0, min(chunk_rows, n_rows))
            x_shift = X[head].mean(axis=0, dtype=np.float64).astype(dtype)
            y_shift = _number_or_array(y[head].mean(axis=0, dtype=np.float64))
        else:
            x_shift = np.asarray(shift[0], dtype=dtype).reshape(-1)
            y_shift = _number_or_array(shift[1])
            if x_shift.shape != (n_features,):
                raise ValueError(f"shift[0] must have {n_features} entries (one per column), got {x_shift.shape}.")
        upper, Xty, yty, sx, sy, weight_sum, n_rows, amax = _shifted_sums(X, y, sw, x_shift, y_shift, dtype,
                                                                        chunk_rows, bounds=bounds)
        return cls(upper, Xty, yty, sx, sy, weight_sum, n_rows, x_shift, y_shift, amax=amax)

    @classmethod
    def _accumulate_near(cls, X, y):
        """The float64 statistics of an unweighted, contiguous X about a zero x shift, without a copy of X
        (a float32 X is widened in cache, block by block):
        X^T X and X^T [y - d, 1] in one pass over X (`syrk_with_product`), or None when some column is
        far from its center (the raw sum of squares over the centered one above FAR_FROM_CENTER,
        predicted from rows spread over X, `_spread_rows`, then checked on the exact sums) or the
        squared sums leave no certain range for ``amax``; the caller then takes the shifted row blocks.

        A zero shift is an ordinary shift of `SufficientStats`: the rounding bounds of the certified
        Gram mode are taken from the stored (raw) squared sums, so the sums lose at most
        FAR_FROM_CENTER of relative accuracy and the certificate knows it. ``amax`` for X is the bound
        sqrt(max_j sum_i x_ij^2) >= max |x_ij| (>= that bound / sqrt(n)): only accepted when both ends are
        in the range `check_range` and `pow2_scale` allow, where the exact value would pass as well."""
        n, p = X.shape
        if n == 0:
            return None
        # the prediction from rows spread over X (sorted data: the first rows can misrepresent a column)
        sample = _spread_rows(X)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            mean, var = sample.mean(axis=0), sample.var(axis=0)
        if not np.all(center_ratio(mean, var) <= FAR_FROM_CENTER / 4):
            return None
        Y = y[:, None] if y.ndim == 1 else y
        k = Y.shape[1]
        head = slice(0, min(n, HEAD_ROWS))
        y_shift = Y[head].mean(axis=0, dtype=np.float64)
        rhs = np.empty((n, k + 1), order="F")
        np.subtract(Y, y_shift, out=rhs[:, :k], casting="unsafe")
        rhs[:, k] = 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            G, both = syrk_with_product(X, rhs, np.float64)  # (a float32 X: widened block by block)
        raw = np.diag(G).copy()
        sx = both[:, k].copy()
        if not (np.isfinite(raw).all() and np.isfinite(sx).all()):
            return None  # NaN, inf or overflow: the shifted route judges and reports it
        with np.errstate(divide="ignore", invalid="ignore"):
            centered = raw - sx**2 / n
            lost = np.where(raw > 0, raw / np.maximum(centered, 0.0), 1.0)
        if not np.all(lost <= FAR_FROM_CENTER):
            return None
        if underflowed_columns(X, raw):
            return None
        x_bound = float(np.sqrt(raw.max())) if p else 0.0
        # (within this range `pow2_scale` is 1 as well)
        smallest, largest = _amax_range(np.float64, n)
        limit = 2.0**POW2_LIMIT[X.dtype]  # (float32 data: the range `pow2_scale` leaves alone for them)
        if x_bound > min(largest, limit) or 0 < x_bound / np.sqrt(n) < max(smallest, 1 / limit):
            return None
        Yc = rhs[:, :k]

        def squeezed(a):  # per-target statistics of a 1-D y
            return a[..., 0] if y.ndim == 1 else a

        return cls(G, squeezed(both[:, :k]), squeezed(np.einsum("ik,ik->k", Yc, Yc)), sx,
                   squeezed(Yc.sum(axis=0)), float(n), n, np.zeros(p), squeezed(y_shift),
                   amax=(x_bound, float(np.max(np.abs(Yc)))))

    @classmethod
    def _accumulate_fast(cls, X, y, centered, dtype=None):
        """The statistics of an unweighted, contiguous dense X in `dtype` (X's, or float64 for a float32
        X: widened in cache, block by block) without a copy of X, or None when too many columns are far
        off center for it (then `_accumulate` runs).

        X^T X and X^T [Y - ybar, 1, D] in one pass over X (`syrk_with_product`), D = the centered
        copies of the columns `_far_columns_from_head` predicts to be far off center; then, for
        `centered` statistics, X^T X - n xbar xbar^T, which loses at most FAST_CANCELLATION for every
        other column, those columns patched from D (`_patch_columns`), and any column the first rows
        hid (found with the exact means) patched from one more pass over its own entries. Centered
        statistics are sums about the exact (float64) means: sx = 0, sy = 0; otherwise sums about the
        origin (a zero shift). At most p / 8 columns are patched."""
        n, p = X.shape
        Y = y[:, None] if y.ndim == 1 else y
        k = Y.shape[1]
        dtype = X.dtype if dtype is None else np.dtype(dtype)
        far, far_shift = _far_columns_from_head(X, dtype) if centered else (np.zeros(0, dtype=int), None)
        if len(far) > p // 8:
            return None
        y_mean = Y.mean(axis=0, dtype=np.float64) if centered else np.zeros(k)
        rhs = np.empty((n, k + 1 + len(far)), dtype=dtype, order="F")
        np.subtract(Y, y_mean.astype(dtype), out=rhs[:, :k], casting="unsafe")
        rhs[:, k] = 1.0
        if len(far):
            np.subtract(X[:, far], far_shift.astype(dtype), out=rhs[:, k + 1:])
        G, both = syrk_with_product(X, rhs, dtype)
        G = G.T  # (symmetric: the Fortran view, whose upper triangle the updates below work on)
        both = both.astype(np.float64, copy=False)
        Yc = rhs[:, :k]
        yty = np.einsum("ik,ik->k", Yc, Yc, dtype=np.float64)
        ysum = Yc.sum(axis=0, dtype=np.float64)

        def squeezed(a):  # per-target statistics of a 1-D y
            return a[..., 0] if y.ndim == 1 else a

        if not centered:
            return cls(_symmetrized(G), squeezed(both[:, :k]), squeezed(yty), both[:, k], squeezed(ysum),
                       float(n), n, np.zeros(p, dtype=dtype), squeezed(np.zeros(k)))
        x_mean = both[:, k] / n
        # X_c^T Y_c = X^T Y_c - xbar (1^T Y_c): the sum of Y_c is a rounding residual, removed exactly
        XtY = both[:, :k] - np.outer(x_mean, ysum)
        raw_diag = np.diag(G).astype(np.float64)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # non-finite: shifted route
            centered_diag = raw_diag - n * x_mean**2
            lost = np.where(raw_diag > 0, raw_diag / np.maximum(centered_diag, 0.0), 1.0)
        missed = np.setdiff1d(np.flatnonzero(~(lost <= FAST_CANCELLATION[dtype])), far)
        if len(far) + len(missed) > p // 8 or not np.isfinite(raw_diag).all():
            return None
        G = (blas.ssyr if dtype == np.float32 else blas.dsyr)(-float(n), x_mean.astype(dtype), lower=0, a=G,
                                                               overwrite_a=1)
        if len(far):
            D = rhs[:, k + 1:]
            G, XtY = _patch_columns(G, XtY, far, both[:, k + 1:], (D.T @ D).astype(np.float64),
                                    (D.T @ Yc).astype(np.float64), D.sum(axis=0, dtype=np.float64), ysum, x_mean, n)
        if len(missed):  # the first rows did not show these: one more pass for them
            D = np.subtract(X[:, missed], x_mean[missed].astype(dtype), order="F")
            G, XtY = _patch_columns(G, XtY, missed, _cross(X, D), (D.T @ D).astype(np.float64),
                                    (D.T @ Yc).astype(np.float64), D.sum(axis=0, dtype=np.float64), ysum, x_mean, n)
        # about the exact means (Y_c was Y - ybar rounded to dtype: its sum of squares, less the
        # rounding residual's share, is the centered one)
        yty = np.maximum(yty - ysum**2 / n, 0.0)
        stats = cls(_symmetrized(G), squeezed(XtY), squeezed(yty), np.zeros(p), squeezed(np.zeros(k)), float(n),
                    n, x_mean, squeezed(y_mean))
        # the rounding of the centered entries is relative to the raw sums behind them
        stats.magnitude = (np.abs(raw_diag), np.abs(stats.yty), float(n), n)
        return stats

    def _check_compatible(self, other):
        if not isinstance(other, SufficientStats):
            return NotImplemented
        self._check_compatible_widths(other)
        # (equal_nan: blocks of data with NaN share their shift too; the data's checks report the NaN)
        if not (np.array_equal(self.x_shift, other.x_shift, equal_nan=True)
                and np.array_equal(self.y_shift, other.y_shift, equal_nan=True)):
            raise ValueError(
                "statistics about different shifts cannot be combined: build every block with "
                "shift=first.shift, or combine them with first.merge(other)"
            )
        return None

    def _check_compatible_widths(self, other):
        if other.n_features != self.n_features or other.dtype != self.dtype:
            raise ValueError(
                f"statistics of different widths or dtypes cannot be combined ({self.n_features} features in "
                f"{self.dtype} and {other.n_features} in {other.dtype}); build every block from the same "
                f"columns, in the same dtype"
            )
        if np.shape(self.Xty) != np.shape(other.Xty):
            raise ValueError(
                f"statistics of different numbers of targets cannot be combined (Xty of shape "
                f"{np.shape(self.Xty)} and {np.shape(other.Xty)}); build every block from the same targets"
            )
        mine, theirs = self.feature_names, other.feature_names
        if mine is not None and theirs is not None and not np.array_equal(mine, theirs):
            j = next((j for j, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
            raise ValueError(
                f"statistics of different columns cannot be combined: feature {j} is "
                f"{mine[j] if j < len(mine) else None!r} in one and {theirs[j] if j < len(theirs) else None!r} in "
                f"the other; read every block with the same columns, in the same order"
            )

    def _common_feature_names(self, other):
        mine, theirs = self.feature_names, other.feature_names
        return mine if mine is not None and theirs is not None else None

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
        out.feature_names = self._common_feature_names(other)
        return out

    def __add__(self, other):
        return self._combine(other, 1)

    def __sub__(self, other):
        """The statistics of self's rows without other's; refused when other holds more rows or weight
        than self (rows subtracted that were never added)."""
        return self._combine(other, -1)

    def merge(self, other):
        """The statistics of the rows of both, whatever shifts each was summed about (`merge`)."""
        return merge(self, other)

    def about(self, x_shift, y_shift):
        """The same statistics re-expressed about another shift (c', d'), in float64 arithmetic: with
        a = c - c' and b = d - d', x - c' = (x - c) + a, so XtX' = XtX + sx a^T + a sx^T + W a a^T and
        likewise for the other sums. Exact up to the rounding of those terms, which the result's
        ``magnitude`` carries (each term's absolute value), so a sum about a shift near the data's mean
        loses nothing a sum taken about it directly would keep."""
        if self.dtype != np.float64:
            raise ValueError("SufficientStats.about: only float64 statistics can be re-expressed about another "
                             "shift (float32 sums would lose the digits the shift moves).")
        c_new = np.asarray(x_shift, dtype=np.float64).reshape(-1)
        d_new = _number_or_array(y_shift)
        if c_new.shape != (self.n_features,) or np.shape(d_new) != np.shape(self.y_shift):
            raise ValueError(f"shift must be ({self.n_features},) for X and {np.shape(self.y_shift)} for y, got "
                             f"{c_new.shape} and {np.shape(d_new)}.")
        a = self.x_shift.astype(np.float64) - c_new
        b = np.asarray(self.y_shift, dtype=np.float64) - d_new
        W, sx, sy = self.weight_sum, self.sx, np.asarray(self.sy, dtype=np.float64)
        cross = np.outer(sx, a)
        XtX = self.XtX + cross + cross.T + W * np.outer(a, a)
        one_d = np.ndim(b) == 0
        Xty = self.Xty + (sx * b + a * sy if one_d else np.outer(sx, b) + np.outer(a, sy)) + W * (
            a * b if one_d else np.outer(a, b))
        yty = self.yty + 2 * b * sy + W * b * b
        out = SufficientStats(XtX, Xty, yty, sx + W * a, sy + W * b, W, self.n_rows, c_new, d_new, amax=self.amax)
        D_mag, Y_mag, w_mag, n_mag = v.stats_magnitude(self)
        out.magnitude = (D_mag + 2 * np.abs(sx * a) + w_mag * a * a,
                         Y_mag + 2 * np.abs(b * sy) + w_mag * b * b, w_mag, n_mag)
        out.feature_names = self.feature_names
        return out

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
        Xty = self.Xty - (self.sx * my if np.ndim(my) == 0 else np.outer(self.sx, my))
        yty = self.yty - self.sy * my
        yty = max(yty, 0.0) if np.ndim(yty) == 0 else np.maximum(yty, 0.0)
        return G, Xty, yty, self.x_shift + mx, self.y_shift + my

    def raw(self):
        """(G, Xty, yty) about the origin: G = sum s x x^T (no intercept)."""
        c, d = self.x_shift.astype(np.float64), self.y_shift
        with np.errstate(over="ignore", invalid="ignore"):
            cross = np.outer(self.sx, c)
            G = self.XtX + (cross + cross.T + self.weight_sum * np.outer(c, c)).astype(self.dtype)
            if np.ndim(d) == 0:
                Xty = self.Xty + d * self.sx + c * self.sy + self.weight_sum * c * d
            else:  # one column per target
                Xty = self.Xty + np.outer(self.sx, d) + np.outer(c, self.sy) + self.weight_sum * np.outer(c, d)
            yty = self.yty + 2 * d * self.sy + self.weight_sum * d * d
        if not (np.isfinite(np.diag(G)).all() and np.isfinite(Xty).all() and np.isfinite(yty).all()):
            raise ValueError(
                f"SufficientStats: the sums about the origin (no intercept) overflow {self.dtype}: the "
                f"shift is {float(np.max(np.abs(c), initial=0.0)):.3g} in X and {float(np.max(np.abs(d))):.3g} in "
                f"y; build the "
                f"statistics from float64 data, or rescale X and y, or fit with an intercept."
            )
        return G, Xty, yty


def merge(a, b):
    """The statistics of the rows of both `a` and `b`, whatever the shifts they were summed about: both
    re-expressed about the (weighted) mean of all their rows (`SufficientStats.about`), then added --
    the pairwise combination of Chan, Golub and LeVeque, so a tree of merges keeps every centered sum
    about its own rows' mean and no block's distance from another's mean cancels digits. Either may be
    None (no rows). The largest entries (``amax``) of both are kept for `SufficientStats.check_range`."""
    if a is None or b is None:
        return b if a is None else a
    a._check_compatible_widths(b)
    W = a.weight_sum + b.weight_sum
    if W > 0:
        x_shift = (a.x_shift * a.weight_sum + a.sx + b.x_shift * b.weight_sum + b.sx) / W
        y_shift = _number_or_array((np.asarray(a.y_shift) * a.weight_sum + a.sy + np.asarray(b.y_shift) * b.weight_sum
                                    + b.sy) / W)
    else:  # rows of weight 0 only: any shift
        x_shift, y_shift = a.x_shift, a.y_shift
    out = a.about(x_shift, y_shift) + b.about(x_shift, y_shift)
    if a.amax is not None and b.amax is not None:
        out.amax = tuple(max(s, t) for s, t in zip(a.amax, b.amax))
    return out


def chunk_statistics(X, y, sample_weight=None, *, block, first_row=None, what="block"):
    """The float64 statistics of one row block (dense or any scipy sparse X, 1-D or 2-D y, weights or
    None), about the block's own first rows' mean (combine blocks with `merge`), with its largest
    entries (``amax``). Each block is validated as `SufficientStats.from_arrays` validates its arrays;
    an error names the block (`what` `block`, from row `first_row` when known), so that a NaN found on a
    cluster worker or in the 37th batch of a file says where it is."""
    def named(err):
        rows = np.shape(X)[0] if len(np.shape(X)) else None
        where = f"{what} {block}"
        if first_row is not None and rows:
            where += f" (rows {first_row} to {first_row + rows - 1})"
        return ValueError(f"{where}: {err}")

    try:
        # a dense X's NaN/inf show in the diagonal of its sums (checked below): no pass of its own
        X = v.as_design_matrix(X, accept_sparse=True, check_finite=False)
        if sparse.issparse(X):
            v.check_finite(X.data)
        y = v.as_target(y, X.shape[0], X.dtype, allow_2d=True)
        zero = _all_zero(sample_weight)
        if zero and np.ndim(sample_weight) == 1 and len(sample_weight) != X.shape[0]:
            raise ValueError(f"sample_weight has {len(sample_weight)} entries but X has {X.shape[0]} rows.")
        sw = None if zero else v.as_sample_weight(sample_weight, X.shape[0], X.dtype)
    except ValueError as err:
        raise named(err) from None
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # (judged by check_range)
        stats = SufficientStats.of_validated(X, y, sw, dtype=np.float64)
    if not np.isfinite(np.diag(stats.XtX)).all():
        try:
            v.check_finite(X)
        except ValueError as err:
            raise named(err) from None
    if zero:  # its rows count, with no weight
        stats = SufficientStats(np.zeros_like(stats.XtX), np.zeros_like(stats.Xty), 0.0 * np.asarray(stats.yty),
                                np.zeros_like(stats.sx), 0.0 * np.asarray(stats.sy), 0.0, stats.n_rows,
                                stats.x_shift, stats.y_shift, amax=(0.0, 0.0))
    return stats


def _all_zero(sample_weight):
    """Whether `sample_weight` is an array (or number) of zeros only: a block of a larger data set whose
    weights are all 0 (its own validation would want a positive weight sum)."""
    if sample_weight is None or isinstance(sample_weight, (str, bytes)):
        return False
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return w.ndim <= 1 and w.size > 0 and bool(np.all(w == 0))


# ----------------------------------------------------------------------------------------------------
# Normal equations of one data set (Ridge): centered, weighted, several targets


class NormalEquations(NamedTuple):
    """G = X~^T X~ (symmetric, in the statistics' dtype) and XtY = X~^T Y~ (p x k) of the centered,
    weighted data X~ = S^{1/2} (X - 1 xbar^T), Y~ = S^{1/2} (Y - ybar) (about the origin without an
    intercept: xbar = 0, ybar = 0)."""

    G: np.ndarray
    XtY: np.ndarray
    x_mean: np.ndarray  # float64
    y_mean: np.ndarray  # float64, one per target
    weight_sum: float


def normal_equations_of(stats, X, fit_intercept):
    """`NormalEquations` from `SufficientStats` (2-D y): centered (`SufficientStats.centered`), or about
    the origin without an intercept (`SufficientStats.raw`; the sums themselves when taken about a zero
    shift). X: the data they came from, checked for NaN/inf by G's diagonal (`check_gram_diagonal`), or
    None for statistics validated block by block (`chunk_statistics`)."""
    if fit_intercept:
        G, XtY, _, x_mean, y_mean = stats.centered()
    else:
        about_zero = not (np.any(stats.x_shift) or np.any(stats.y_shift))
        G, XtY = (stats.XtX, stats.Xty) if about_zero else stats.raw()[:2]
        x_mean, y_mean = np.zeros(stats.n_features), np.zeros(np.shape(stats.Xty)[1])
    if X is not None:
        v.check_gram_diagonal(np.diag(G), X)
    return NormalEquations(G, XtY, x_mean, y_mean, stats.weight_sum)


def normal_equations(X, Y, sw, fit_intercept, dtype):
    """The `NormalEquations` of validated arrays (dense or CSC, Y 2-D), summed in `dtype`: the fast
    route of `SufficientStats.of_validated` where it applies, else shifted row blocks (sparse X: its
    Gram matrix by `sparse_gram_into`, centered by the rank-one correction). A dense X is checked for
    NaN/inf through G's diagonal."""
    shift = None if fit_intercept else (np.zeros(X.shape[1]), np.zeros(Y.shape[1]))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # non-finite X: raised below
        stats = SufficientStats.of_validated(X, Y, sw, shift=shift, dtype=dtype, fast=True)
        return normal_equations_of(stats, X, fit_intercept)


def weighted_means(X, Y, sw, fit_intercept):
    """(x_mean, y_mean, weight sum) in float64; zeros without intercept. Dense X in row blocks (no copy)."""
    n, p = X.shape
    s = np.ones(n) if sw is None else sw.astype(np.float64)
    W = float(s.sum())
    if not fit_intercept:
        return np.zeros(p), np.zeros(Y.shape[1]), W
    if sparse.issparse(X):
        x_sum = np.asarray(X.T @ s, dtype=np.float64).ravel()
    else:
        x_sum = np.zeros(p)
        step = block_rows(n, p, 8)
        for start in range(0, n, step):
            rows = slice(start, min(start + step, n))
            x_sum += s[rows] @ np.asarray(X[rows], dtype=np.float64)
    return x_sum / W, (s @ Y.astype(np.float64)) / W, W


def shifted_for_centering(X, sw, fit_intercept):
    """(X, shift): a sparse X with an intercept with its columns whose mean dwarfs their spread stored
    shifted by their mean (`far_column_shift`, `shifted_columns`), so that implicit centering stays
    exact; the centered problem is the same, and the intercept takes the shift back. A dense X
    (centered explicitly or about a shift) and no intercept: X itself and a zero shift."""
    if not (sparse.issparse(X) and fit_intercept):
        return X, np.zeros(X.shape[1])
    shift = far_column_shift(X, sw)
    return shifted_columns(X, shift), shift


def centered_columns(X, cols, x_mean, root, dtype):
    """S^{1/2} (X[:, cols] - mean) as a Fortran block of a dense X (root = S^{1/2}, None: unweighted)."""
    block = np.empty((X.shape[0], len(range(*cols.indices(X.shape[1])))), dtype=dtype, order="F")
    # the float64 means subtracted in float64 and rounded once: a mean rounded to float32 first would
    # leave a constant in the column that the intercept, centered away, could not absorb
    np.subtract(X[:, cols], x_mean[cols], out=block, casting="unsafe")
    if root is not None:
        block *= root.astype(dtype)[:, None]
    return block


class DualEquations(NamedTuple):
    """The dual normal equations: K = X~ X~^T (upper triangle, Fortran) and Y~ = S^{1/2}(Y - ybar)."""

    K: np.ndarray
    Yt: np.ndarray
    x_mean: np.ndarray
    y_mean: np.ndarray
    root: np.ndarray  # S^{1/2} (float64)
    weight_sum: float


def dual_normal_equations(X, Y, sw, fit_intercept, dtype):
    """`DualEquations` of validated arrays (p > n; a sparse X with its far-off-center columns shifted,
    `shifted_for_centering`): a dense X centered in column blocks, one syrk each; a sparse one by
    rank-one corrections of X X^T. X is checked for NaN/inf through K's diagonal."""
    n, p = X.shape
    x_mean, y_mean, W = weighted_means(X, Y, sw, fit_intercept)
    root = np.ones(n) if sw is None else np.sqrt(sw.astype(np.float64))
    Yt = (Y.astype(np.float64) - y_mean) * root[:, None]
    dtype = np.dtype(dtype)
    if sparse.issparse(X):
        Xs = X if sw is None else sparse.csr_matrix(X.multiply(root.astype(X.dtype)[:, None]))
        K = (Xs @ Xs.T).toarray().astype(np.float64)
        if fit_intercept:
            u = np.asarray(Xs @ x_mean, dtype=np.float64).ravel()
            # (Xs - r m^T)(Xs - r m^T)^T = Xs Xs^T - u r^T - r u^T + (m.m) r r^T
            K -= np.outer(u, root) + np.outer(root, u) - (x_mean @ x_mean) * np.outer(root, root)
        dual = DualEquations(np.asfortranarray(K, dtype=dtype), Yt, x_mean, y_mean, root, W)
    else:
        syrk = blas.ssyrk if dtype == np.float32 else blas.dsyrk
        if not fit_intercept and sw is None and X.dtype == dtype:
            K = syrk(1.0, X, trans=0) if X.flags.f_contiguous else syrk(1.0, np.asarray(X).T, trans=1)
        else:
            K = np.zeros((n, n), dtype=dtype, order="F")
            for cols in column_blocks(p, n, dtype.itemsize):
                block = centered_columns(X, cols, x_mean, None if sw is None else root, dtype)
                # K += block block^T (upper triangle)
                K = syrk(1.0, block, beta=1.0, c=K, trans=0, overwrite_c=1)
        dual = DualEquations(K, Yt, x_mean, y_mean, root, W)
    v.check_gram_diagonal(np.diag(dual.K), X)
    return dual

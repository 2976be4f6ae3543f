"""Dask arrays and dataframes: the statistics of every row block computed where the block lives, only
p x p results travelling, and the fits from those statistics.

One pass over the data serves a whole path, a K-fold CV (each block's statistics split by fold: fold
k trains on ``total - held_out_k``) or a Ridge fit. Each block becomes float64 `SufficientStats`
about its own mean (`fastreg._stats.chunk_statistics`: validated there, so a NaN found on a worker
names its block and rows), and the blocks are combined pairwise in a balanced tree
(`fastreg._stats.merge`, Chan's update about the rows' mean: no block's distance from another's
mean cancels digits). The tree is fixed by the chunking, so a recomputed block (a lost worker) gives
the same sums bit for bit.

Folds (`cv=K`): scikit-learn's ``KFold(K)`` without shuffling over the global row order -- fold k
holds rows [start_k, start_k+1) with the first ``n % K`` folds one row longer -- which is what
`cv_path` and the CV estimators do in memory with ``cv=K``; or a dask (or NumPy) array of fold labels
0 .. K-1 per row, chunked like X, for any other assignment.

dask is imported here only, when a dask collection is passed; the core never imports it. The limits:
the route needs n > p and a p x p matrix in memory (a clear error otherwise), and the families that
reweight their rows at each Newton step (logistic) are refused (`refuse`).
"""
import numbers
from typing import NamedTuple

import numpy as np

from ._plan import GRAM_MAX_BYTES
from ._stats import chunk_statistics, merge, normal_equations_of


def is_dask(obj):
    """Whether obj is a dask collection (array, dataframe, series), without importing dask."""
    module = type(obj).__module__ or ""
    return module == "dask" or module.startswith(("dask.", "dask_expr"))


def any_dask(*objs):
    return any(is_dask(obj) for obj in objs if obj is not None)


def _dask():
    try:
        import dask
        import dask.array as da
    except ImportError as err:  # pragma: no cover - exercised without the extra
        raise ImportError('fitting dask arrays or dataframes needs dask: pip install "fastreg[dask]"') from err
    return dask, da


def refuse(what):
    """The error for a model that cannot be fitted from statistics."""
    return TypeError(
        f"{what} cannot be fitted on a dask collection: fastreg fits dask data from their sufficient "
        f"statistics (Lasso, ElasticNet, their paths and CV, Ridge, RidgeCV), and this model needs every row "
        f"at every iteration. Fit it in memory (X.compute()) or on a sample of the rows."
    )


class DaskData(NamedTuple):
    """Validated dask inputs: X (n, p) in one column block, y (n,) or (n, k) and the weights (or None)
    chunked like X's rows."""

    X: object
    y: object
    sample_weight: object
    feature_names: object  # ndarray of str, or None
    what: str = "fit"  # the caller, for the errors found after the pass

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def dtype(self):
        return self.X.dtype


def _is_frame(obj):
    return hasattr(obj, "to_dask_array") and getattr(obj, "ndim", 0) == 2


def _as_array(a, name, da, rows=None):
    """A dask array of `a` (a dask array, dataframe or series, or in-memory values, chunked by `rows`)."""
    if _is_frame(a) or (hasattr(a, "to_dask_array") and is_dask(a)):  # a dataframe or a series
        if _is_frame(a):
            bad = [str(c) for c, t in a.dtypes.items() if not (np.issubdtype(t, np.number) or t == bool)]
            if bad:
                raise ValueError(f"{name} has non-numeric columns {bad}: encode them first (e.g. "
                                 f"dask_ml.preprocessing.DummyEncoder) or drop them.")
        return a.optimize().to_dask_array(lengths=True)
    if is_dask(a):
        return a
    a = np.asarray(a)
    if rows is not None and a.ndim >= 1 and a.shape[0] == sum(rows):
        return da.from_array(a, chunks=(rows,) + a.shape[1:])
    return da.from_array(a)


def _known(a):
    """Whether the rows per block of dask array `a` are known."""
    return not any(np.isnan(c) for c in a.chunks[0])


def _check_chunks(a, name, what="fit"):
    if not _known(a):
        raise ValueError(
            f"{what}: {name} has unknown chunk sizes (rows per block): call {name}.compute_chunk_sizes() first, or "
            f"build it from a dask dataframe with .to_dask_array(lengths=True)."
        )


def dask_data(X, y, sample_weight=None, *, allow_2d=True, what="fit"):
    """Validate dask inputs (X a dask array or dataframe; y a dask array or series, a NumPy array, or
    the name of a column of the dataframe X; weights likewise or None) into `DaskData`. Nothing is
    computed but a dataframe's partition lengths."""
    _, da = _dask()
    if not is_dask(X):
        raise TypeError(f"{what}: y or sample_weight is a dask collection but X is not; pass X as a dask array "
                        f"too (dask.array.from_array(X, chunks=...)), or every input in memory.")
    feature_names, aligned = None, False
    for name, a in (("y", y), ("sample_weight", sample_weight)):
        if isinstance(a, str) and not _is_frame(X):
            raise ValueError(f"{what}: {name}={a!r} names a column, but X is not a dataframe; pass {name} as an "
                             f"array (a dask array chunked like X's rows, or a NumPy array).")
    if _is_frame(X):
        X, y, sample_weight, feature_names, aligned = _frame_arrays(X, y, sample_weight, what)
    X = _as_array(X, "X", da)
    if X.ndim != 2:
        raise ValueError(f"{what}: X must be 2-D (n_samples, n_features), got a dask array of shape {X.shape}.")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"{what}: X must hold real numbers, got dtype {X.dtype}.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if not aligned:
        _check_chunks(X, "X", what)
    if X.numblocks[1] > 1:  # every block holds whole rows
        X = X.rechunk({1: -1})
    n = X.shape[0]
    if y is None:
        raise ValueError(f"{what}: y is required.")
    y = _as_array(y, "y", da, X.chunks[0])
    if not aligned:
        _check_chunks(y, "y", what)
    if y.ndim == 2 and y.shape[1] == 1 and not allow_2d:
        y = y[:, 0]
    if y.ndim not in (1, 2) or (y.ndim == 2 and not allow_2d):
        raise ValueError(f"{what}: y must be 1-D (n_samples,), got shape {y.shape}.")
    if y.ndim == 2 and y.numblocks[1] > 1:
        y = y.rechunk({1: -1})
    weights = None
    if sample_weight is not None:
        if isinstance(sample_weight, numbers.Real) and not is_dask(sample_weight):
            sample_weight = X.map_blocks(_constant_rows, float(sample_weight), drop_axis=1, dtype=np.float64)
        weights = _as_array(sample_weight, "sample_weight", da, X.chunks[0])
        if not aligned:
            _check_chunks(weights, "sample_weight", what)
        if weights.ndim != 1:
            raise ValueError(f"{what}: sample_weight must be 1-D (n_samples,), got shape {weights.shape}.")
    for name, a in (("y", y), ("sample_weight", weights)):
        if a is None or aligned:  # (columns of one array: aligned by construction)
            continue
        if a.shape[0] != n:
            raise ValueError(f"{what}: X has {n} rows but {name} has {a.shape[0]}.")
        if a.chunks[0] != X.chunks[0]:
            block = next((i for i, (s, t) in enumerate(zip(a.chunks[0], X.chunks[0])) if s != t), 0)
            detail = f"block {block} of X has {X.chunks[0][block]} rows, of {name} {a.chunks[0][block]}"
            raise ValueError(
                f"{what}: the row blocks of X and {name} differ ({detail}); chunk them alike, e.g. "
                f"{name} = {name}.rechunk({{0: X.chunks[0]}})."
            )
    return DaskData(X, y, weights, feature_names, what)


_Y_COLUMN, _W_COLUMN = "__fastreg_y__", "__fastreg_sample_weight__"


def _constant_rows(block, value):
    return np.full(block.shape[0], value)


def _frame_arrays(X, y, sample_weight, what):
    """A dask dataframe X and its target / weights (column names of X, dask series, or others) as
    dask arrays: (X, y, sample_weight, feature names, aligned). Series are joined to X as columns and
    the frame converted once, so the three share one partitioning ("aligned"; dask may fuse or split
    a projection's partitions differently when each is converted alone) and no pass computes the
    partitions' lengths: the statistics do not need them (a K-fold CV computes them)."""
    X, y, sample_weight = split_target(X, y, sample_weight, what)
    names = list(X.columns)
    feature_names = np.asarray(names, dtype=object) if names and all(isinstance(c, str) for c in names) else None
    bad = [str(c) for c, t in X.dtypes.items() if not (np.issubdtype(t, np.number) or t == bool)]
    if bad:
        raise ValueError(f"{what}: X has non-numeric columns {bad}: encode them first (e.g. "
                         f"dask_ml.preprocessing.DummyEncoder) or drop them.")
    series = {key: value for key, value in ((_Y_COLUMN, y), (_W_COLUMN, sample_weight))
              if is_dask(value) and getattr(value, "ndim", 0) == 1 and hasattr(value, "to_dask_array")}
    others = sum(value is not None and not isinstance(value, numbers.Real) for value in (y, sample_weight))
    aligned = len(series) == others
    joined = X.assign(**series) if series else X
    dtypes = set(joined.dtypes)
    if not (len(dtypes) == 1 and dtypes <= {np.dtype(np.float32), np.dtype(np.float64)}):
        joined = joined.astype(np.float64)  # (one dtype: a frame's mixed columns would convert to object)
    # a target or weights that are not series of X's rows are matched by the partitions' lengths
    array = joined.optimize().to_dask_array(lengths=None if aligned else True)
    p = len(names)
    columns = {key: array[:, p + i] for i, key in enumerate(series)}
    return array[:, :p], columns.get(_Y_COLUMN, y), columns.get(_W_COLUMN, sample_weight), feature_names, aligned


def check_statistics_route(n_samples, n_features, what="fit"):
    """The statistics route needs n > p (the Gram matrix of a wide X is singular and larger than X) and
    a p x p matrix in memory."""
    if n_features >= n_samples:
        raise ValueError(
            f"{what}: X has {n_features} features and {n_samples} rows; dask data are fitted from their "
            f"{n_features} x {n_features} statistics, which need more rows than features. A wide X fits in "
            f"memory: fit X.compute() (with fastreg's working-set solvers, made for p >> n)."
        )
    need = 8 * n_features * n_features
    if need > GRAM_MAX_BYTES:
        raise ValueError(
            f"{what}: X has {n_features} features; its statistics (a {n_features} x {n_features} float64 "
            f"matrix, {need / 2**30:.1f} GiB, per block and per fold) exceed the {GRAM_MAX_BYTES / 2**30:.0f} GiB "
            f"budget of the statistics route. Select features first, or fit a sample of the rows in memory."
        )


# ----------------------------------------------------------------------------------------------------
# the statistics of every block, tree-reduced


class KFoldRule(NamedTuple):
    """scikit-learn's KFold(n_splits) without shuffling: fold k holds rows [bounds[k], bounds[k+1])."""

    bounds: np.ndarray

    @classmethod
    def of(cls, n_samples, n_splits):
        sizes = np.full(n_splits, n_samples // n_splits, dtype=np.int64)
        sizes[: n_samples % n_splits] += 1
        return cls(np.concatenate(([0], np.cumsum(sizes))))

    @property
    def n_splits(self):
        return len(self.bounds) - 1

    def labels(self, start, stop):
        return np.searchsorted(self.bounds, np.arange(start, stop), side="right") - 1

    def folds(self):
        """The (train, test) index arrays of the same folds in memory (for `cv_path`'s ``cv``)."""
        every = np.arange(self.bounds[-1])
        return [(np.concatenate((every[:a], every[b:])), every[a:b]) for a, b in zip(self.bounds, self.bounds[1:])]


def _block_statistics(X, y, w, block, first_row, n_splits, labels):
    """Worker side: the statistics of one block, or a list of each fold's (None: no rows of it).
    `labels`: the block's fold labels, or the `KFoldRule` that gives them (a few numbers in the graph,
    not one label per row)."""
    if X.shape[0] == 0:  # (filtered rows leave empty blocks)
        return None if n_splits is None else [None] * n_splits
    if n_splits is None:
        return chunk_statistics(X, y, w, block=block, first_row=first_row)
    where = f"block {block}" + ("" if first_row is None else f" (rows {first_row} to {first_row + X.shape[0] - 1})")
    if isinstance(labels, KFoldRule):  # (KFold: the rows' positions are known)
        labels = labels.labels(first_row, first_row + X.shape[0])
    labels = np.asarray(labels).reshape(-1)
    if labels.shape[0] != X.shape[0]:
        raise ValueError(f"{where}: {labels.shape[0]} fold labels for {X.shape[0]} rows.")
    bad = (labels < 0) | (labels >= n_splits) | (labels != np.round(labels))
    if bad.any():
        raise ValueError(f"{where}: fold labels must be integers in 0 .. {n_splits - 1}, got {labels[bad][0]!r}.")
    out = []
    for k in range(n_splits):
        rows = np.flatnonzero(labels == k)
        if rows.size == 0:
            out.append(None)
            continue
        if rows[-1] - rows[0] + 1 == rows.size:  # (KFold's rows in a block are a range: views, no copy)
            rows = slice(int(rows[0]), int(rows[-1]) + 1)
        try:  # (the error names the block's rows, which the fold's are among)
            out.append(chunk_statistics(X[rows], y[rows], None if w is None else w[rows], block=k, what="fold"))
        except ValueError as err:
            raise ValueError(f"{where}, {err}") from None
    return out


def _merged(a, b):
    if isinstance(a, list):
        return [merge(s, t) for s, t in zip(a, b)]
    return merge(a, b)


def _fold_labels_of(cv, data, da):
    """(data, rule or None, labels array or None, n_splits) of a dask CV's `cv`; KFold needs the rows'
    positions: a dataframe's partition lengths are computed first (one more pass)."""
    if cv is None:
        cv = 5
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if not _known(data.X):
            data = data._replace(X=data.X.compute_chunk_sizes())
        n = data.n_samples
        if not 2 <= cv <= n:
            raise ValueError(f"cv={cv} folds: need 2 <= cv <= n_samples ({n}).")
        return data, KFoldRule.of(n, int(cv)), None, int(cv)
    n = data.n_samples
    if is_dask(cv) or isinstance(cv, np.ndarray):
        labels = cv if is_dask(cv) else da.from_array(cv, chunks=(data.X.chunks[0],))
        if labels.ndim != 1 or labels.shape[0] != n:
            raise ValueError(f"cv: an array of fold labels needs one label per row ({n}), got shape {labels.shape}.")
        _check_chunks(labels, "cv")
        if labels.chunks[0] != data.X.chunks[0]:
            raise ValueError("cv: the fold labels must be chunked like X's rows: "
                             "cv = cv.rechunk({0: X.chunks[0]}).")
        n_splits = int(labels.max().compute()) + 1
        if n_splits < 2:
            raise ValueError("cv: the fold labels name fewer than 2 folds.")
        return data, None, labels, n_splits
    raise ValueError(
        "cv: with dask data, cv is an int K (scikit-learn's KFold(K) without shuffling, over the rows in "
        "order) or a dask array of fold labels 0 .. K-1 chunked like X; splitters and index lists need the "
        "rows in memory."
    )


def statistics(data, *, rule=None, labels=None, n_splits=None):
    """The float64 statistics of all rows (one distributed pass; the active dask scheduler, e.g. a
    distributed.Client, runs it), or with folds (`rule` or `labels`) the list of each fold's held-out
    statistics, whose merge is the total. Range-checked as `SufficientStats.from_arrays`."""
    dask, _ = _dask()
    X, y, w = data.X, data.y, data.sample_weight
    # (unoptimized: X and y optimized apart would each copy the tasks they share, e.g. the blocks of a
    # dataframe or a y computed from X, and compute them twice)
    xs = X.to_delayed(optimize_graph=False).reshape(-1)
    ys = y.to_delayed(optimize_graph=False).reshape(-1)
    ws = [None] * len(xs) if w is None else w.to_delayed(optimize_graph=False).reshape(-1)
    ls = [None] * len(xs) if labels is None else labels.to_delayed(optimize_graph=False).reshape(-1)
    # (a dataframe's partition lengths may be unknown: then the errors name the block only)
    starts = np.concatenate(([0], np.cumsum(X.chunks[0]))).astype(np.int64) if _known(X) else [None] * (len(xs) + 1)
    block_stats = dask.delayed(_block_statistics, pure=True)
    parts = [block_stats(xs[i], ys[i], ws[i], i, None if starts[i] is None else int(starts[i]), n_splits,
                         ls[i] if rule is None else rule) for i in range(len(xs))]
    combine = dask.delayed(_merged, pure=True)
    while len(parts) > 1:  # a balanced binary tree, fixed by the chunking
        parts = [combine(parts[j], parts[j + 1]) if j + 1 < len(parts) else parts[j]
                 for j in range(0, len(parts), 2)]
    (result,) = dask.compute(parts[0])
    n_rows, weight = 0, 0.0
    for stats in (result if isinstance(result, list) else [result]):
        if stats is not None:
            stats.check_range()
            n_rows, weight = n_rows + stats.n_rows, weight + stats.weight_sum
    check_statistics_route(n_rows, data.n_features, data.what)  # (rows unknown before: a dataframe's)
    if not weight > 0:
        raise ValueError(f"{data.what}: sample_weight: every weight is 0; at least one row needs a positive weight.")
    return result


def one_target(stats, k):
    """The statistics of target k of statistics with a 2-D y."""
    from ._stats import SufficientStats

    out = SufficientStats(stats.XtX, stats.Xty[:, k].copy(), float(stats.yty[k]), stats.sx, float(stats.sy[k]),
                          stats.weight_sum, stats.n_rows, stats.x_shift, float(stats.y_shift[k]), amax=stats.amax)
    if stats.magnitude is not None:
        D, Y, W, N = stats.magnitude
        out.magnitude = (D, float(np.asarray(Y)[k]), W, N)
    return out


def kept_columns(X, penalty):
    """X without the penalty's excluded features, lazily (one zero column when all are excluded)."""
    _, da = _dask()
    if penalty.excluded is None:
        return X
    if penalty.intercept_only:
        return da.zeros((X.shape[0], 1), chunks=(X.chunks[0], 1), dtype=X.dtype)
    return X[:, np.flatnonzero(~penalty.excluded)]


# ----------------------------------------------------------------------------------------------------
# predictions, lazily


def _predict_block(block, coef, intercept):
    return np.asarray(block @ coef) + intercept


def lazy_predict(X, coef, intercept):
    """``X @ coef.T + intercept`` as a dask array, block by block (X a dask array or dataframe)."""
    _, da = _dask()
    if _is_frame(X):
        X = X.to_dask_array()
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got a dask array of shape {X.shape}.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    coef = np.asarray(coef)
    if coef.shape[-1] != X.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features, but the model is expecting {coef.shape[-1]} features as input.")
    coef = coef.astype(X.dtype, copy=False).T
    intercept = np.asarray(intercept, dtype=X.dtype)
    if coef.ndim == 1:
        return X.map_blocks(_predict_block, coef, intercept, drop_axis=1, dtype=X.dtype)
    return X.map_blocks(_predict_block, coef, intercept, chunks=(X.chunks[0], (coef.shape[1],)), dtype=X.dtype)


def lazy_score(model, X, y, sample_weight=None):
    """`model.score` of dask inputs: R^2 of its lazy predictions, a 0-d dask array (a dataframe X is
    converted with y and the weights, so their rows stay aligned)."""
    model._check_is_fitted()
    model._check_feature_names(X, reset=False)
    if _is_frame(X):
        X, y, sample_weight, _, _ = _frame_arrays(X, y, sample_weight, "score")
    return lazy_r2(lazy_predict(X, model.coef_, model.intercept_), y, sample_weight)


def lazy_r2(pred, y, sample_weight=None):
    """R^2 of dask predictions (uniform average over targets) as a 0-d dask array: r2_score's rules (1
    when y is constant and predicted exactly, 0 when constant and not)."""
    _, da = _dask()
    y = _as_array(y, "y", da, pred.chunks[0]).astype(np.float64)
    pred = pred.astype(np.float64)
    if y.ndim == 2 and pred.ndim == 1 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape[1:] != pred.shape[1:] or (_known(y) and _known(pred) and y.shape != pred.shape):
        raise ValueError(f"y has shape {y.shape} but the model predicts {pred.shape}.")
    if _known(y) and _known(pred) and y.chunks[0] != pred.chunks[0]:
        y = y.rechunk({0: pred.chunks[0]})
    if sample_weight is None:
        s = pred.map_blocks(_constant_rows, 1.0, drop_axis=tuple(range(1, pred.ndim)), dtype=np.float64)
    else:
        s = _as_array(sample_weight, "sample_weight", da, pred.chunks[0]).astype(np.float64)
        s = s.rechunk({0: pred.chunks[0]}) if _known(s) and _known(pred) and s.chunks[0] != pred.chunks[0] else s
    sw = s if y.ndim == 1 else s[:, None]
    total = s.sum()
    mean = (sw * y).sum(axis=0) / total
    ss_res = (sw * (y - pred) ** 2).sum(axis=0)
    ss_tot = (sw * (y - mean) ** 2).sum(axis=0)
    r2 = da.where(ss_tot != 0, 1.0 - ss_res / da.where(ss_tot != 0, ss_tot, 1.0), da.where(ss_res == 0, 1.0, 0.0))
    return r2.mean() if r2.ndim else r2


# ----------------------------------------------------------------------------------------------------
# the front ends' dask routes: `enet_path`, `cv_path`, the estimators


def _check_route_options(precompute, Xy, what):
    if precompute is False or isinstance(precompute, np.ndarray) or (
            isinstance(precompute, str) and precompute != "auto"):
        raise ValueError(f"{what}: dask data are always fitted from their statistics (the Gram route): "
                         f"precompute must be 'auto' or True, got {precompute!r}.")
    if Xy is not None:
        raise ValueError(f"{what}: Xy is not used with dask data (the statistics hold X^T y); pass Xy=None.")


def prepared(X, y, sample_weight, penalty_args, *, what, allow_2d=False, squeeze=False):
    """(DaskData, Penalty) of dask inputs checked for the statistics route, X restricted to the
    penalty's kept columns. Without `allow_2d` a 2-D y is refused (`squeeze`: but for one column,
    raveled), as the in-memory front end treats it: `enet_path`'s multi-task problem, `cv_path`'s
    raveled column."""
    from ._settings import check_penalty

    data = dask_data(X, y, sample_weight, allow_2d=allow_2d or not squeeze, what=what)
    if data.y.ndim == 2 and not allow_2d:
        raise ValueError(f"{what}: a 2-D y (the multi-task models) is not supported with dask data; fit one "
                         f"column of y at a time.")
    penalty = check_penalty(n_features=data.n_features, **penalty_args)
    check_statistics_route(data.n_samples, data.n_features, what)
    return data._replace(X=kept_columns(data.X, penalty)), penalty


def dask_path(X, y, sample_weight, settings, grid, l1_ratio, *, precompute, Xy, coef_init, return_n_iter, positive,
              fit_intercept, standardize, penalty_factor, lower_bounds, upper_bounds):
    """`enet_path` of dask inputs: one distributed pass for the statistics, the path from them."""
    from ._path import path_from_stats

    _check_route_options(precompute, Xy, "enet_path")
    data, penalty = prepared(X, y, sample_weight, dict(
        l1_ratio=l1_ratio, positive=positive, penalty_factor=penalty_factor, lower_bounds=lower_bounds,
        upper_bounds=upper_bounds), what="enet_path")
    stats = statistics(data)
    path = path_from_stats(stats, settings, grid, penalty, fit_intercept=fit_intercept, standardize=standardize,
                           coef_init=coef_init, return_n_iter=return_n_iter, out_dtype=data.dtype)
    path.feature_names = data.feature_names  # (a dataframe's columns)
    return path


def fold_statistics(data, cv):
    """(held-out statistics of each fold about the total's shift, total) in one distributed pass, and the
    fold rule (`KFoldRule`, or None for labels)."""
    _, da = _dask()
    data, rule, labels, n_splits = _fold_labels_of(cv, data, da)
    tests = statistics(data, rule=rule, labels=labels, n_splits=n_splits)
    total = None
    for stats in tests:
        total = merge(total, stats)
    for k, stats in enumerate(tests):
        if stats is None:
            raise ValueError(f"cv: fold {k} has no rows.")
    return [stats.about(*total.shift) for stats in tests], total, rule


def split_target(X, y, sample_weight=None, what="fit"):
    """A dataframe X with y (and sample_weight) named as its columns: (features, target, weights)."""
    if _is_frame(X) and is_dask(X):
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if isinstance(value, str) and value not in X.columns:
                raise ValueError(f"{what}: {name}={value!r} is not a column of X (columns: {list(X.columns)}).")
        drop = [value for value in (y, sample_weight) if isinstance(value, str)]
        if drop:
            y = X[y] if isinstance(y, str) else y
            sample_weight = X[sample_weight] if isinstance(sample_weight, str) else sample_weight
            X = X.drop(columns=drop)
    return X, y, sample_weight


def enet_fit(X, y, sample_weight, alpha, settings, penalty_args, *, fit_intercept, standardize, warm):
    """A single ElasticNet fit (every column of y) of dask inputs: (coef (k, p), intercept (k,), gaps,
    n_iters, solver, y's ndim, n_features). `warm(n_targets, n_features)`: the warm starts or None."""
    from ._path import path_from_stats
    from ._settings import Grid

    data, penalty = prepared(X, y, sample_weight, penalty_args, what="fit", allow_2d=True)
    if data.y.ndim == 2 and penalty.positive and data.y.shape[1] > 1:
        raise ValueError("positive=True is not supported with several targets; fit one target at a time.")
    stats = statistics(data)
    n_targets = 1 if data.y.ndim == 1 else data.y.shape[1]
    previous = warm(n_targets, penalty.n_features)  # (the user's features; data.X holds the kept ones)
    coef = np.empty((n_targets, penalty.n_features), dtype=data.dtype)
    intercept, gaps, n_iters, solver = np.empty(n_targets), np.empty(n_targets), [], None
    for k in range(n_targets):
        path = path_from_stats(stats if data.y.ndim == 1 else one_target(stats, k), settings,
                               Grid(np.array([alpha], dtype=np.float64), None, None), penalty,
                               fit_intercept=fit_intercept, standardize=standardize,
                               coef_init=None if previous is None else previous[k], out_dtype=data.dtype)
        coef[k], intercept[k], gaps[k] = path.coefs[:, 0], path.intercepts[0], path.dual_gaps[0]
        n_iters.append(int(path.n_iters[0]))
        solver = path.solver
    return coef, intercept, gaps, n_iters, solver, data.y.ndim, penalty.n_features


def _ridge_solutions(stats, alphas, fit_intercept):
    """(k, p, a) coefficients and (k, a) intercepts of Ridge at every alpha from statistics with a 2-D y
    (one eigendecomposition); a warning for alphas the statistics cannot resolve (no X to solve on)."""
    import warnings

    from . import _ridge

    spec = _ridge.spectrum_of(normal_equations_of(stats, None, fit_intercept))
    unresolved = spec.unresolved(alphas)
    if unresolved.any():
        warnings.warn(
            f"Ridge on dask data: alpha={float(np.asarray(alphas)[unresolved][0]):g} is too small for the "
            f"statistics to resolve (X^T X is ill-conditioned: its condition number squares X's); the "
            f"solution may be inaccurate. Use a larger alpha, or fit X in memory.", UserWarning, stacklevel=4)
    coefs = spec.coefs(alphas)
    intercepts = spec.intercepts(coefs) if fit_intercept else np.zeros((coefs.shape[0], len(alphas)))
    return coefs, intercepts


def _two_d(stats):
    """Statistics of a 1-D y as those of a one-column 2-D y."""
    from ._stats import SufficientStats

    if np.ndim(stats.Xty) == 2:
        return stats
    return SufficientStats(stats.XtX, stats.Xty[:, None], np.array([stats.yty]), stats.sx, np.array([stats.sy]),
                           stats.weight_sum, stats.n_rows, stats.x_shift, np.array([stats.y_shift]))


def ridge_fit(X, y, sample_weight, alpha, *, fit_intercept, positive):
    """Ridge of dask inputs from their statistics: (coef (k, p) float64, intercept (k,), one_d, dtype,
    n_features)."""
    from . import _validation as v

    if v.check_bool(positive, "positive"):
        raise ValueError("Ridge(positive=True) is not supported with dask data; fit ElasticNet(l1_ratio=0, "
                         "positive=True) on the dask data instead.")
    data = dask_data(X, y, sample_weight, allow_2d=True, what="Ridge.fit")
    check_statistics_route(data.n_samples, data.n_features, "Ridge.fit")
    stats = _two_d(statistics(data))
    n_targets = stats.Xty.shape[1]
    alphas = v.check_ridge_alpha(alpha, n_targets)
    coef, intercept = np.empty((n_targets, data.n_features)), np.empty(n_targets)
    for a in np.unique(alphas):
        targets = np.flatnonzero(alphas == a)
        coefs, intercepts = _ridge_solutions(stats, np.array([a]), fit_intercept)
        coef[targets], intercept[targets] = coefs[targets, :, 0], intercepts[targets, 0]
    return coef, intercept, data.y.ndim == 1, data.dtype, data.n_features


def ridge_cv_scores(X, y, sample_weight, alphas, *, fit_intercept, cv):
    """RidgeCV of dask inputs by K-fold from one distributed pass: the mean over folds of the held-out
    (weighted) R^2, uniform over targets, for every alpha, and the refit at the best. Returns (scores,
    coef (k, p), intercept (k,), best alpha index, one_d, dtype, n_features)."""
    from ._folds import held_out_mse

    data = dask_data(X, y, sample_weight, allow_2d=True, what="RidgeCV.fit")
    check_statistics_route(data.n_samples, data.n_features, "RidgeCV.fit")
    tests, total, _ = fold_statistics(data, cv)
    tests, total = [_two_d(t) for t in tests], _two_d(total)
    n_targets = total.Xty.shape[1]
    scores = np.zeros((len(tests), len(alphas)))
    for f, test in enumerate(tests):
        train = total - test
        if not train.weight_sum > 0:
            raise ValueError(f"fold {f}: the training rows have zero total sample_weight.")
        coefs, intercepts = _ridge_solutions(train, alphas, fit_intercept)
        for t in range(n_targets):
            held_out = one_target(test, t)
            sse = held_out_mse(held_out, coefs[t], intercepts[t]) * held_out.weight_sum
            sst = max(held_out.yty - held_out.sy ** 2 / held_out.weight_sum, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                r2 = np.where(sst != 0, 1.0 - sse / (sst if sst != 0 else 1.0), np.where(sse == 0, 1.0, 0.0))
            scores[f] += r2 / n_targets
    mean = scores.mean(axis=0)
    best = int(np.argmax(mean))
    coefs, intercepts = _ridge_solutions(total, alphas[best:best + 1], fit_intercept)
    return mean, coefs[:, :, 0], intercepts[:, 0], best, data.y.ndim == 1, data.dtype, data.n_features

"""Out-of-core readers of `SufficientStats`: row blocks from an iterable, a row-sliceable array, a
Parquet or CSV file, each summed on its own (`_stats.chunk_statistics`: validated, float64, about the
block's own mean) and combined by `_stats.merge` (Chan's pairwise combination) in a balanced tree.

The tree is a binary counter (`_BalancedSum`): the partial sum of 2^k blocks is merged only with
another of 2^k blocks, so every block's rows go through O(log n_blocks) merges (the rounding grows
like log(blocks), not linearly) and at most one partial sum per bit of the block count is alive:
memory O(p^2 log n_blocks) besides the block being read, whatever the number of rows.

Only the reading lives here; the sums themselves are `_stats.py`'s. pyarrow and pandas are optional
and imported only by the file readers.
"""
import numbers
import os

import numpy as np
from scipy import sparse

from . import _validation as v
from ._stats import SufficientStats, chunk_statistics, merge

# rows per block of `from_rows`, `from_parquet` and `from_csv` by default: as many as fit in
# BLOCK_BYTES of float64, at least MIN_BLOCK_ROWS
BLOCK_BYTES = 64 << 20
MIN_BLOCK_ROWS = 1024


def default_block_rows(width):
    """Rows of `width` float64 values that fit in BLOCK_BYTES (at least MIN_BLOCK_ROWS)."""
    return max(MIN_BLOCK_ROWS, BLOCK_BYTES // (8 * max(1, int(width))))


class _BalancedSum:
    """`merge` of a stream of statistics as a balanced tree: a stack of partial sums of 2^level blocks,
    a new block carried upwards like a bit of a binary counter."""

    def __init__(self):
        self.stack = []  # (level, statistics), levels strictly decreasing from the bottom

    def push(self, stats):
        level = 0
        while self.stack and self.stack[-1][0] == level:
            stats = merge(self.stack.pop()[1], stats)
            level += 1
        self.stack.append((level, stats))

    def total(self):
        out = None
        for _, stats in reversed(self.stack):  # the smallest partial sums first
            out = merge(stats, out)
        return out


def _shape_of(a):
    """a's shape without converting it when it has one; None when it has none that numpy can tell."""
    shape = getattr(a, "shape", None)
    if shape is not None:
        return tuple(shape)
    try:
        return np.shape(a)
    except (ValueError, TypeError):  # ragged nested lists: the chunk's own validation reports them
        return None


def _check_dtype(dtype):
    """The dtype of the returned statistics: float64 (None), or float32 (the float64 sums rounded once)."""
    if dtype is None:
        return np.dtype(np.float64)
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be None, np.float64 or np.float32, got {dtype!r}.")
    return dtype


def _unpack(chunk, index, what):
    if not isinstance(chunk, (tuple, list)):
        raise TypeError(
            f"{what} {index} is a {type(chunk).__name__}, not an (X, y) or (X, y, sample_weight) tuple; pass an "
            f"iterable of such tuples (e.g. [(X, y)] for a single block)."
        )
    if len(chunk) not in (2, 3):
        raise ValueError(
            f"{what} {index} is a {type(chunk).__name__} of {len(chunk)} items; each must be (X, y) or "
            f"(X, y, sample_weight)."
        )
    return chunk[0], chunk[1], chunk[2] if len(chunk) == 3 else None


def _as_dtype(stats, dtype):
    """float64 statistics rounded once to float32: about their shift rounded to float32 (the shift a
    float32 statistic stores is the one its sums are about), X^T X in float32, the rest in float64 as
    `SufficientStats.from_arrays` keeps them for float32 data."""
    if dtype == np.float64:
        return stats
    x_shift = stats.x_shift.astype(np.float32)
    moved = stats.about(x_shift.astype(np.float64), stats.y_shift)
    out = SufficientStats(moved.XtX.astype(np.float32), moved.Xty, moved.yty, moved.sx, moved.sy, moved.weight_sum,
                          moved.n_rows, x_shift, moved.y_shift, amax=stats.amax)
    out.magnitude = moved.magnitude
    out.feature_names = moved.feature_names
    return out


def statistics_of_chunks(chunks, *, dtype=None, what="chunk", feature_names=None, explain=None,
                         caller="SufficientStats.from_chunks"):
    """`SufficientStats.from_chunks`. what: how errors name a block ("chunk", "block", "batch");
    feature_names: the columns' names, when known; explain(X, y, w): more words for a block's
    ValueError (the file readers name the columns holding NaN), or None."""
    dtype = _check_dtype(dtype)
    total = _BalancedSum()
    first = None  # (index, X shape, y shape) of the first block
    seen = 0
    row = 0
    for index, chunk in enumerate(chunks):
        seen += 1
        X, y, w = _unpack(chunk, index, what)
        x_shape, y_shape = _shape_of(X), _shape_of(y)
        if first is None:
            first = (index, x_shape, y_shape)
        else:
            first_index, first_x, first_y = first
            if x_shape is not None and first_x is not None and len(x_shape) == len(first_x) == 2 and \
                    x_shape[1] != first_x[1]:
                raise ValueError(
                    f"{what} {index} has X of shape {x_shape}, but {what} {first_index} had X of shape {first_x}: "
                    f"every {what} needs the same {first_x[1]} columns."
                )
            if y_shape is not None and first_y is not None and len(y_shape) >= 1 and len(first_y) >= 1 and \
                    y_shape[1:] != first_y[1:]:
                raise ValueError(
                    f"{what} {index} has y of shape {y_shape}, but {what} {first_index} had y of shape {first_y}: "
                    f"every {what} needs the same number of targets (y 1-D in all of them, or 2-D with the "
                    f"same number of columns)."
                )
        rows = x_shape[0] if x_shape is not None and len(x_shape) == 2 else None
        if rows == 0 and y_shape is not None and len(y_shape) >= 1 and y_shape[0] == 0:
            continue  # an empty block (a filtered-out row group): nothing to add
        try:
            stats = chunk_statistics(X, y, w, block=index, first_row=row, what=what)
        except ValueError as err:
            more = explain(X, y, w) if explain is not None else None
            if more:
                raise ValueError(f"{err} {more}") from None
            raise
        total.push(stats)
        row += stats.n_rows
    if seen == 0:
        raise ValueError(
            f"{caller}: no {what}s: the iterable was empty; pass (X, y) or (X, y, sample_weight) tuples, "
            f"e.g. [(X, y)]."
        )
    stats = total.total()
    if stats is None:
        raise ValueError(f"{caller}: every {what} was empty (0 rows); the statistics need at least one row.")
    if feature_names is not None:
        names = np.asarray([str(name) for name in feature_names], dtype=object)
        if names.shape != (stats.n_features,):
            raise ValueError(f"{caller}: {names.size} feature names for {stats.n_features} columns.")
        stats.feature_names = names
    stats = _as_dtype(stats, dtype)
    stats.check_range()
    return stats


def _length(a, name):
    shape = getattr(a, "shape", None)
    if shape is not None:
        if len(shape) == 0:
            raise ValueError(f"{name} is a scalar; pass one entry per row.")
        return int(shape[0])
    return len(a)


def _rows(a, start, stop):
    """Rows start:stop of an array-like (positional for pandas objects)."""
    return a.iloc[start:stop] if hasattr(a, "iloc") else a[start:stop]


def statistics_of_rows(X, y, sample_weight=None, *, block_rows=None):
    """`SufficientStats.from_rows`."""
    if sparse.issparse(X):
        X = sparse.csr_matrix(X)  # (row slices of any format; X is in memory anyway)
    elif getattr(X, "shape", None) is None:  # a nested list: in memory already
        X = np.asarray(X)
    shape = tuple(X.shape)
    if len(shape) != 2:
        raise ValueError(f"SufficientStats.from_rows: X must be 2-D (rows, columns), got shape {shape}.")
    n, p = shape
    if n < 1:
        raise ValueError(f"SufficientStats.from_rows: X has no rows (shape {shape}).")
    if y is None:
        raise ValueError("SufficientStats.from_rows: y is None; pass one target value per row of X.")
    n_y = _length(y, "y")
    if n_y != n:
        raise ValueError(f"SufficientStats.from_rows: X has {n} rows but y has {n_y}; pass one target value per row.")
    scalar_weight = sample_weight is None or isinstance(sample_weight, numbers.Number)
    if not scalar_weight:
        n_w = _length(sample_weight, "sample_weight")
        if n_w != n:
            raise ValueError(f"SufficientStats.from_rows: X has {n} rows but sample_weight has {n_w}; pass one "
                             f"weight per row.")
    y_shape = getattr(y, "shape", None)
    n_targets = y_shape[1] if y_shape is not None and len(y_shape) == 2 else 1
    if block_rows is None:
        block_rows = default_block_rows(p + n_targets + 1)
    else:
        block_rows = v.check_scalar(block_rows, "block_rows", kind=numbers.Integral, low=1)
    names = v.feature_names_of(X)

    def blocks():
        for start in range(0, n, block_rows):
            stop = min(start + block_rows, n)
            w = sample_weight if scalar_weight else _rows(sample_weight, start, stop)
            yield _rows(X, start, stop), _rows(y, start, stop), w

    return statistics_of_chunks(blocks(), what="block", feature_names=names, caller="SufficientStats.from_rows")


# ----------------------------------------------------------------------------------------------------
# files: Parquet (pyarrow) and CSV (pandas), read in record batches


def _source_name(path):
    return os.fspath(path) if isinstance(path, (str, os.PathLike)) else type(path).__name__


def _select_columns(available, numeric, kinds, target, columns, sample_weight, source):
    """(features, targets, weight column or None, 2-D y?) of a file with columns `available` (in order),
    `numeric[name]` telling which hold numbers and `kinds[name]` their types, for the error messages."""
    def listed(names):
        return ", ".join(repr(n) for n in names)

    two_d = isinstance(target, (list, tuple))
    targets = list(target) if two_d else [target]
    if not targets:
        raise ValueError(f"{source}: target is an empty list; name the target column(s).")
    if sample_weight is not None and not isinstance(sample_weight, (str, numbers.Integral)):
        raise TypeError(f"{source}: sample_weight must name a column of the file, got {type(sample_weight).__name__}.")
    for name, role in [(t, "target") for t in targets] + ([(sample_weight, "sample_weight")]
                                                          if sample_weight is not None else []):
        if name not in available:
            raise ValueError(f"{source}: {role} column {name!r} not found; the file's columns are {listed(available)}.")
        if not numeric[name]:
            raise ValueError(f"{source}: {role} column {name!r} is not numeric ({kinds[name]}); encode it as numbers.")
    taken = set(targets) | ({sample_weight} if sample_weight is not None else set())
    if columns is None:
        features = [c for c in available if c not in taken and numeric[c]]
        if not features:
            raise ValueError(f"{source}: no numeric column besides the target and weight; the file's columns are "
                             f"{listed(available)}.")
    else:
        features = [columns] if isinstance(columns, str) else list(columns)
        if not features:
            raise ValueError(f"{source}: columns is empty; name at least one feature column.")
        missing = [c for c in features if c not in available]
        if missing:
            raise ValueError(f"{source}: feature column(s) {listed(missing)} not found; the file's columns are "
                             f"{listed(available)}.")
        both = [c for c in features if c in taken]
        if both:
            raise ValueError(f"{source}: column(s) {listed(both)} are both features and the target or weight.")
        bad = [c for c in features if not numeric[c]]
        if bad:
            raise ValueError(
                f"{source}: non-numeric feature column(s) {', '.join(f'{c!r} ({kinds[c]})' for c in bad)}; encode "
                f"them as numbers first (e.g. one-hot) or leave them out of columns."
            )
        if len(set(features)) != len(features):
            raise ValueError(f"{source}: columns names a column twice.")
    return features, targets, sample_weight, two_d


def _explain_non_finite(features, targets, weight):
    """An `explain` for `statistics_of_chunks`: the columns of a block holding NaN or infinity (a
    missing value of the file reads as NaN)."""
    def explain(X, y, w):
        bad = []
        for values, names in ((X, features), (y, targets), (w, [weight])):
            if values is None or names == [None]:
                continue
            a = np.asarray(values).reshape(len(values), -1)
            bad += [names[j] for j in range(a.shape[1]) if not np.isfinite(a[:, j]).all()]
        if not bad:
            return None
        return f"They are in column(s) {', '.join(repr(c) for c in bad)} (a missing value reads as NaN)."
    return explain


def _parquet_blocks(pf, features, targets, weight, two_d, batch_size, pa, pc):
    """(X, y, w) float64 blocks of the record batches of a ParquetFile (nulls become NaN)."""
    needed = list(dict.fromkeys(features + targets + ([weight] if weight is not None else [])))
    for batch in pf.iter_batches(batch_size=batch_size, columns=needed):
        m = batch.num_rows

        def column(name):
            return pc.cast(batch.column(name), pa.float64()).to_numpy(zero_copy_only=False)

        X = np.empty((m, len(features)))
        for j, name in enumerate(features):
            X[:, j] = column(name)
        y = np.column_stack([column(t) for t in targets]) if two_d else column(targets[0])
        yield X, y, column(weight) if weight is not None else None


def statistics_of_parquet(path, target, *, columns=None, sample_weight=None, batch_size=None):
    """`SufficientStats.from_parquet`."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError as err:
        raise ImportError(
            'SufficientStats.from_parquet needs pyarrow: pip install "fastreg[dask]" (or pip install pyarrow).'
        ) from err
    source = _source_name(path)
    pf = pq.ParquetFile(path)
    try:
        schema = pf.schema_arrow
        available = list(schema.names)

        def is_numeric(t):
            return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)

        kinds = {name: schema.field(name).type for name in available}
        features, targets, weight, two_d = _select_columns(
            available, {n: is_numeric(t) for n, t in kinds.items()}, kinds, target, columns, sample_weight, source)
        if batch_size is None:
            batch_size = default_block_rows(len(features) + len(targets) + 1)
        else:
            batch_size = v.check_scalar(batch_size, "batch_size", kind=numbers.Integral, low=1)
        return statistics_of_chunks(
            _parquet_blocks(pf, features, targets, weight, two_d, batch_size, pa, pc), what="batch",
            feature_names=features, explain=_explain_non_finite(features, targets, weight),
            caller=f"SufficientStats.from_parquet({source!r})")
    finally:
        if hasattr(pf, "close"):
            pf.close()


def _csv_blocks(reader, target, columns, sample_weight, source, pd, selected):
    """(X, y, w) float64 blocks of a pandas chunked reader; the columns chosen from the first chunk
    (`selected` gets (features, targets, weight)), each later chunk checked to hold them as numbers."""
    row = 0
    for index, frame in enumerate(reader):
        available = list(frame.columns)
        numeric = {c: pd.api.types.is_numeric_dtype(frame[c].dtype) if c in frame else False for c in available}
        kinds = {c: frame[c].dtype for c in available}
        if index == 0:
            selected.extend(_select_columns(available, numeric, kinds, target, columns, sample_weight, source))
        features, targets, weight, two_d = selected
        m = len(frame)
        bad = [c for c in features + targets + ([weight] if weight is not None else []) if not numeric.get(c)]
        if bad:
            raise ValueError(
                f"{source}: chunk {index} (rows {row} to {row + m - 1}): column(s) "
                f"{', '.join(f'{c!r} ({kinds[c]})' if c in kinds else repr(c) for c in bad)} are not numeric "
                f"in these rows (text among the numbers?); clean the file or pass dtype= to read_csv."
            )
        X = frame[features].to_numpy(dtype=np.float64, na_value=np.nan)
        y = frame[targets].to_numpy(dtype=np.float64, na_value=np.nan)
        w = frame[weight].to_numpy(dtype=np.float64, na_value=np.nan) if weight is not None else None
        row += m
        yield X, y if two_d else y[:, 0], w


def statistics_of_csv(path, target, *, columns=None, sample_weight=None, chunksize=None, **read_csv_kwargs):
    """`SufficientStats.from_csv`."""
    try:
        import pandas as pd
    except ImportError as err:
        raise ImportError("SufficientStats.from_csv needs pandas: pip install pandas.") from err
    for name in ("iterator", "nrows_per_chunk"):
        if name in read_csv_kwargs:
            raise TypeError(f"SufficientStats.from_csv: {name!r} is not a read_csv option here; pass chunksize.")
    source = _source_name(path)
    # a file named by its path: its header first (the default chunk size, the columns to read); a file
    # object is read once, in chunks of the default size for 256 columns
    header = (list(pd.read_csv(path, nrows=0, **read_csv_kwargs).columns)
              if isinstance(path, (str, os.PathLike)) else None)
    if chunksize is None:
        chunksize = default_block_rows(256 if header is None else len(header))
    else:
        chunksize = v.check_scalar(chunksize, "chunksize", kind=numbers.Integral, low=1)
    if columns is not None and header is not None and "usecols" not in read_csv_kwargs:  # only the columns used
        wanted = [columns] if isinstance(columns, str) else list(columns)
        wanted += list(target) if isinstance(target, (list, tuple)) else [target]
        wanted += [sample_weight] if sample_weight is not None else []
        if all(c in header for c in wanted):  # (otherwise the selection reports the missing ones)
            read_csv_kwargs = dict(read_csv_kwargs, usecols=list(dict.fromkeys(wanted)))
    selected = []
    with pd.read_csv(path, chunksize=chunksize, **read_csv_kwargs) as reader:
        blocks = _csv_blocks(reader, target, columns, sample_weight, source, pd, selected)

        def explain(X, y, w):
            return _explain_non_finite(*selected[:3])(X, y, w)

        stats = statistics_of_chunks(blocks, what="chunk", explain=explain,
                                     caller=f"SufficientStats.from_csv({source!r})")
    stats.feature_names = np.asarray([str(c) for c in selected[0]], dtype=object)
    return stats

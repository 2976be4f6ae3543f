"""Folds and their statistics, shared by the cross-validation of paths (`fastreg._cv`) and RidgeCV.

A fold is a pair of integer index arrays (train, test). `fold_statistics` makes one pass over X for
all folds: the statistics of every held-out block about one common shift, whose sum is the total
when the blocks partition the rows, so that a fold's training statistics are ``total - held_out``
(`partitions` tells when every fold's training rows are the rest). y may be 2-D (RidgeCV's targets).
"""
import numbers
import os

import numpy as np
from scipy import sparse

from . import _validation as v
from ._stats import SufficientStats


def check_cv(cv, n_samples):
    """Normalize `cv` (None, an int, a splitter with ``split``, or an iterable of (train, test))."""
    if cv is None:
        cv = 5
    if isinstance(cv, numbers.Integral) and not isinstance(cv, (bool, np.bool_)):
        if cv < 2:
            raise ValueError(
                f"cv={cv}: K-fold cross-validation needs at least 2 folds; for a single split pass it as "
                f"cv=[(train_indices, test_indices)]."
            )
        if cv > n_samples:
            raise ValueError(f"cv={cv} folds is more than the {n_samples} samples; use at most {n_samples}.")
        return cv
    if not isinstance(cv, (str, bytes)) and (hasattr(cv, "split") or hasattr(cv, "__iter__")):
        return cv
    raise TypeError(
        f"cv must be None, an int (number of folds), a splitter with a split method (e.g. "
        f"sklearn.model_selection.KFold) or an iterable of (train, test) index arrays; got {cv!r}."
    )


def make_folds(cv, X, y, groups, n_samples):
    """The list of (train, test) integer index arrays of a normalized `cv`.

    An int is K-fold without shuffling, with scikit-learn's fold sizes (the first n % K folds have
    one more row), so the folds are the same as LassoCV's default.
    """
    if isinstance(cv, numbers.Integral):
        sizes = np.full(cv, n_samples // cv)
        sizes[: n_samples % cv] += 1
        bounds = np.concatenate(([0], np.cumsum(sizes)))
        every = np.arange(n_samples)
        return [(np.concatenate((every[:lo], every[hi:])), every[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]
    splits = cv.split(X, y, groups) if hasattr(cv, "split") else cv
    folds = []
    for k, split in enumerate(splits):
        try:
            train, test = split
        except (TypeError, ValueError):
            raise ValueError(f"cv: split #{k} is not a (train, test) pair of index arrays.") from None
        folds.append((_as_indices(train, n_samples, k, "train"), _as_indices(test, n_samples, k, "test")))
    if not folds:
        raise ValueError("cv produced no splits; pass at least one (train, test) pair.")
    return folds


def _as_indices(idx, n_samples, k, what):
    idx = np.asarray(idx)
    if idx.dtype == bool:
        if idx.shape != (n_samples,):
            raise ValueError(f"cv: the boolean {what} mask of split #{k} must have {n_samples} entries.")
        idx = np.flatnonzero(idx)
    if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
        raise ValueError(f"cv: the {what} indices of split #{k} must be a 1-D array of integers.")
    if idx.size == 0:
        raise ValueError(f"cv: split #{k} has an empty {what} set.")
    if idx.min() < -n_samples or idx.max() >= n_samples:
        raise ValueError(f"cv: the {what} indices of split #{k} are out of range for {n_samples} samples.")
    return np.where(idx < 0, idx + n_samples, idx).astype(np.intp)


def n_workers(n_jobs):
    """joblib's convention: None -> 1, -1 -> every CPU, -2 -> all but one, ..."""
    if n_jobs is None:
        return 1
    n_jobs = v.check_scalar(n_jobs, "n_jobs", kind=numbers.Integral)
    if n_jobs == 0:
        raise ValueError("n_jobs=0 runs nothing; use None or 1 for one thread, -1 for every CPU.")
    cpus = os.cpu_count() or 1
    return max(1, n_jobs if n_jobs > 0 else cpus + 1 + n_jobs)


def take_rows(X, idx):
    """The rows idx of X: CSC for a sparse X, a Fortran copy (the one copy a fold makes) for a dense one."""
    if sparse.issparse(X):
        return X[idx].tocsc()
    out = np.empty((idx.size, X.shape[1]), dtype=X.dtype, order="F")
    step = max(1, (1 << 23) // max(1, idx.size * X.dtype.itemsize))  # column blocks of ~8 MB
    for start in range(0, X.shape[1], step):
        out[:, start:start + step] = X[idx, start:start + step]
    return out


def predict_rows(X, idx, coefs, block=4096):
    """X[idx] @ coefs in float64, a block of rows at a time (no copy of the held-out rows)."""
    if sparse.issparse(X):
        return np.asarray(X[idx] @ coefs, dtype=np.float64)
    out = np.empty((idx.size, coefs.shape[1]))
    for start in range(0, idx.size, block):
        rows = idx[start:start + block]
        out[start:start + rows.size] = X[rows] @ coefs
    return out


def held_out_mse(stats, coefs, intercepts):
    """Weighted mean squared error on the rows of `stats` of each (coef, intercept), from the statistics.

    About the shift (c, d): r = (y - d) - (x - c)^T w - b~ with b~ = b - d + c^T w, so
    sum s r^2 = yty - 2 w^T Xty + w^T XtX w - 2 b~ (sy - sx^T w) + b~^2 W.
    """
    W = np.asarray(coefs, dtype=np.float64)
    c = stats.x_shift.astype(np.float64)
    b = np.asarray(intercepts, dtype=np.float64) - stats.y_shift + c @ W
    XtX = stats.XtX.astype(np.float64)
    quad = np.einsum("ij,ij->j", W, XtX @ W)
    sx_w = stats.sx @ W
    total = stats.yty - 2 * (stats.Xty @ W) + quad - 2 * b * (stats.sy - sx_w) + b * b * stats.weight_sum
    return np.maximum(total, 0.0) / stats.weight_sum


def block_statistics(X, y, sample_weight, idx, shift):
    """Statistics of the rows idx (X, y and the weights are validated already: no second check)."""
    rows, sw = take_rows(X, idx), None if sample_weight is None else sample_weight[idx]
    # float32 data are summed in float64, as the Gram mode of a path does (`gram_design`)
    return SufficientStats.of_validated(rows, y[idx], sw, shift=shift, dtype=np.float64)


def partitions(folds, n_samples):
    """Whether the held-out sets partition the rows and every training set is the rest of the rows
    (K-fold): then each fold's training statistics are ``total - held_out`` (`fold_statistics`)."""
    covered = np.zeros(n_samples, dtype=np.intp)
    for train, test in folds:
        if train.size + test.size != n_samples:
            return False
        covered[test] += 1
    if not np.all(covered == 1):
        return False
    every = np.arange(n_samples)
    return all(np.array_equal(np.sort(np.concatenate((train, test))), every) for train, test in folds)


def fold_statistics(X, y, sample_weight, folds, shift=None):
    """The statistics of every fold's held-out rows (about the first one's shift, or `shift`, e.g. a
    zero shift for sums about the origin) and of all the rows: their sum when the held-out sets
    partition the rows (K-fold: one pass over X in all)."""
    n_samples = X.shape[0]
    tests = []
    for _, test in folds:
        stats = block_statistics(X, y, sample_weight, test, shift)
        shift = stats.shift if shift is None else shift
        tests.append(stats)
    covered = np.zeros(n_samples, dtype=np.intp)
    for _, test in folds:
        covered[test] += 1
    if np.all(covered == 1):
        return tests, sum(tests[1:], tests[0])
    return tests, block_statistics(X, y, sample_weight, np.arange(n_samples), shift)


def stratified_folds(codes, n_splits):
    """scikit-learn's ``StratifiedKFold(n_splits)`` without shuffling, exactly: the samples of each class
    (classes in order of first appearance) go to the folds in blocks, the folds' class counts dealt
    round robin over the sorted labels. Returns (train, test) index pairs."""
    codes = np.asarray(codes)
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    _, by_appearance = np.unique(first, return_inverse=True)
    encoded = by_appearance[inverse.reshape(-1)]
    n_classes = first.size
    counts = np.bincount(encoded)
    if np.all(n_splits > counts):
        raise ValueError(f"cv={n_splits} folds is more than the members of every class ({counts.tolist()}); "
                         f"use fewer folds.")
    order = np.sort(encoded)
    allocation = np.asarray([np.bincount(order[i::n_splits], minlength=n_classes) for i in range(n_splits)])
    test_folds = np.empty(codes.size, dtype=np.intp)
    for k in range(n_classes):
        test_folds[encoded == k] = np.arange(n_splits).repeat(allocation[:, k])
    every = np.arange(codes.size)
    return [(every[test_folds != i], every[test_folds == i]) for i in range(n_splits)]

"""Input validation: the only place where errors are raised for bad user input.

Every public entry point validates once here; everything downstream (design, driver, kernels) trusts
its inputs. Arrays are never modified: conversions return new arrays only when needed.
"""
import math
import numbers
import os
import sys
import warnings

import numpy as np
from scipy import sparse

__all__ = [
    "NotFittedError",
    "ConvergenceWarning",
    "sklearn_compatible",
    "as_design_matrix",
    "as_sparse_csc",
    "as_target",
    "as_sample_weight",
    "as_vector",
    "check_bool",
    "check_bools",
    "check_verbose",
    "check_scalar",
    "check_l1_ratio",
    "check_l1_ratios",
    "check_choice",
    "check_precompute",
    "check_gram",
    "check_Xy",
    "check_stats",
    "check_stats_difference",
    "stats_magnitude",
    "check_alphas",
    "check_penalty_factor",
    "check_ridge_alpha",
    "check_ridge_alphas",
    "check_ridge_solver",
    "check_ridge_data",
    "check_gram_diagonal",
    "check_gcv_mode",
    "check_ridge_mode",
    "check_loo_samples",
    "check_bounds",
    "check_random_state",
    "check_groups",
    "check_scoring",
    "check_shift",
    "seed_from_random_state",
    "feature_names_of",
    "lenient_feature_names",
    "check_query_alphas",
    "check_gamma",
    "check_gammas",
    "check_which",
    "check_new_data",
    "warn_alpha_zero",
    "caller_stacklevel",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when a method that needs a fitted estimator is called before `fit`."""


class ConvergenceWarning(UserWarning):
    """The solver stopped at `max_iter` before its duality gap reached the target."""


class DataConversionWarning(UserWarning):
    """The input was converted to the expected form (e.g. a column vector y raveled)."""


_sklearn_twins = {}


def sklearn_compatible(cls):
    """`cls`, or a subclass of it and of scikit-learn's class of the same name when scikit-learn is
    already imported, so that code catching or filtering scikit-learn's NotFittedError or
    ConvergenceWarning also catches fastreg's, without fastreg importing scikit-learn."""
    exceptions = sys.modules.get("sklearn.exceptions")
    theirs = getattr(exceptions, cls.__name__, None)
    if theirs is None:
        return cls
    if cls not in _sklearn_twins:
        _sklearn_twins[cls] = type(cls.__name__, (cls, theirs), {"__module__": cls.__module__})
    return _sklearn_twins[cls]


def _is_sparse(X):
    return hasattr(X, "tocsc") and hasattr(X, "nnz")


def feature_names_of(X):
    """Column names of a dataframe-like X as an object array of str, or None."""
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "iloc"):
        return None
    names = list(columns)
    kinds = {isinstance(c, str) for c in names}
    if kinds == {True}:
        return np.asarray(names, dtype=object)
    if kinds == {True, False}:
        raise TypeError(
            "X has column names of mixed types (some str, some not); feature names are only "
            "supported when all column names are strings. Convert them with "
            "X.columns = X.columns.astype(str)."
        )
    return None


def lenient_feature_names(X):
    """`feature_names_of`, but None for mixed or non-string column names (a path function, unlike an
    estimator, does not refuse them)."""
    try:
        return feature_names_of(X)
    except TypeError:
        return None


def _as_float_array(a, name, dtype=None):
    """Convert to a float32/float64 ndarray (float32 kept; anything else becomes float64)."""
    if a is None:
        raise ValueError(f"{name} is None; pass an array of numbers.")
    if _is_sparse(a):
        raise TypeError(
            f"{name} is a scipy sparse matrix: sparse input is not supported yet in this version "
            f"of fastreg. Pass a dense array ({name}.toarray())."
        )
    if hasattr(a, "dtypes") and hasattr(a, "iloc"):  # pandas: avoid the object detour per column
        a = a.to_numpy()
    arr = np.asarray(a)
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name} has dtype {arr.dtype}; pass real numbers.")
    if dtype is None:
        dtype = arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64
    if arr.dtype != dtype:
        if arr.dtype.kind not in "biuf" and arr.dtype != object:
            raise TypeError(
                f"{name} has dtype {arr.dtype}, which is not numeric; pass numbers "
                f"(int, float or bool), e.g. {name}.astype(float) after encoding text columns."
            )
        try:
            arr = arr.astype(dtype)
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"{name} must contain only numbers, but converting it to {np.dtype(dtype)} failed: {exc}"
            ) from exc
    return arr


def _all_finite(arr, block=1 << 20):
    """np.isfinite(arr).all() in blocks of `block` entries, so that a large X costs no n x p temporary."""
    flat = arr.ravel(order="K") if (arr.flags.c_contiguous or arr.flags.f_contiguous) else arr.ravel()
    return all(np.isfinite(flat[i:i + block]).all() for i in range(0, flat.size, block))


def _check_finite(arr, name):
    if not _all_finite(arr):
        n_nan = int(np.isnan(arr).sum())
        n_inf = arr.size - n_nan - int(np.isfinite(arr).sum())
        raise ValueError(
            f"Input {name} contains NaN ({n_nan} entries) or infinity ({n_inf} entries). "
            f"Remove or impute them before fitting (e.g. sklearn.impute.SimpleImputer)."
        )


def as_design_matrix(X, name="X", check_finite=True, accept_sparse=False):
    """Validate a design matrix: 2-D, non-empty, finite, numeric; float32 stays float32.

    check_finite=False leaves the NaN/inf check to the caller, who must then call `check_finite`
    (the Gram mode does, only when X^T X comes out non-finite: a NaN or inf entry always makes a
    diagonal entry non-finite, so finite data cost no extra pass over X).
    accept_sparse=True returns a scipy sparse X as a canonical CSC matrix (see `as_sparse_csc`).
    """
    if accept_sparse and _is_sparse(X):
        return as_sparse_csc(X, name)
    arr = _as_float_array(X, name)
    if arr.ndim != 2:
        hint = (
            f" Reshape your data using {name}.reshape(-1, 1) if it has a single feature or "
            f"{name}.reshape(1, -1) if it contains a single sample."
            if arr.ndim < 2 else ""
        )
        raise ValueError(f"Expected 2D array for {name}, got {arr.ndim}D array instead (shape {arr.shape}).{hint}")
    n_samples, n_features = arr.shape
    if n_samples < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={arr.shape}) while a minimum of 1 is required: {name} is empty."
        )
    if n_features < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required: {name} has no columns."
        )
    if check_finite:
        _check_finite(arr, name)
    return arr


def as_sparse_csc(X, name="X"):
    """A scipy sparse matrix or array of any format as a CSC matrix the sparse kernels can read.

    float32 stays float32, other numeric types become float64; the result has sorted indices without
    duplicates (duplicates are summed, as scipy's formats define them) and explicit zeros are kept
    (they cost time, never accuracy). The caller's object is never modified: anything that changes
    is changed on a copy (CSC input in canonical form with a float dtype is used as it is).
    Raises for NaN/inf values, complex or non-numeric values, and empty shapes.
    """
    if len(X.shape) != 2:
        raise ValueError(f"Expected a 2D sparse {name}, got shape {X.shape}.")
    n_samples, n_features = X.shape
    if n_samples < 1 or n_features < 1:
        what = "0 sample(s)" if n_samples < 1 else "0 feature(s)"
        raise ValueError(f"Found sparse {name} with {what} (shape={X.shape}); it is empty.")
    kind = np.dtype(X.dtype).kind
    if kind == "c":
        raise ValueError(f"Complex data not supported: {name} has dtype {X.dtype}; pass real numbers.")
    if kind not in "biuf":
        raise TypeError(f"{name} has dtype {X.dtype}, which is not numeric; pass numbers.")
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    csc = X.tocsc()
    if csc.dtype != dtype:
        csc = csc.astype(dtype)
    if not isinstance(csc, sparse.csc_matrix):  # csc_array: same storage, matrix semantics for @
        csc = sparse.csc_matrix(csc)
    if not csc.has_canonical_format:
        given = getattr(X, "data", None)
        if given is not None and np.shares_memory(csc.data, given):
            csc = csc.copy()
        csc.sum_duplicates()
    if not np.isfinite(csc.data).all():
        n_nan = int(np.isnan(csc.data).sum())
        n_inf = int(np.isinf(csc.data).sum())
        raise ValueError(
            f"Input {name} contains NaN ({n_nan} entries) or infinity ({n_inf} entries). "
            f"Remove or impute them before fitting."
        )
    return csc


def check_finite(arr, name="X"):
    """Raise the error for NaN or infinite entries of `arr` (see `as_design_matrix`)."""
    _check_finite(arr, name)


def as_target(y, n_samples, dtype, *, allow_2d, estimator=None):
    """Validate y against X: same length, finite, numeric, cast to X's dtype.

    Returns a 1-D array, or a 2-D (n_samples, n_targets) one when allow_2d and y is 2-D.
    """
    if y is None:
        who = estimator or "This solver"
        raise ValueError(f"{who} requires y to be passed, but the target y is None.")
    arr = _as_float_array(y, "y", dtype=dtype)
    if arr.ndim == 2 and arr.shape[1] == 1 and not allow_2d:
        arr = arr[:, 0]
    if arr.ndim == 0 or arr.ndim > 2 or (arr.ndim == 2 and not allow_2d):
        raise ValueError(
            f"y should be a 1d array of shape (n_samples,), got an array of shape {arr.shape}."
            + (" Fit one column at a time for several targets." if arr.ndim == 2 else "")
        )
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples} rows, y has "
            f"{arr.shape[0]}. Pass one target value per row of X."
        )
    _check_finite(arr, "y")
    return arr


def as_labels(y, n_samples, *, estimator=None):
    """Class labels of a classifier: (classes, codes) with classes the sorted unique labels (numbers,
    strings or booleans, one kind) and codes their indices (int). Refuses NaN, mixed kinds, a 2-D y
    and a y of the wrong length."""
    if y is None:
        who = estimator or "This solver"
        raise ValueError(f"{who} requires y to be passed, but the target y is None.")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"y should be a 1d array of class labels of shape (n_samples,), got shape {arr.shape}.")
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples} rows, y has "
            f"{arr.shape[0]}. Pass one label per row of X."
        )
    if arr.dtype == object:
        kinds = {type(value) for value in arr.tolist()}
        if len({bool if issubclass(k, (bool, np.bool_)) else str if issubclass(k, str) else
                numbers.Number if issubclass(k, numbers.Number) else k for k in kinds}) > 1:
            raise ValueError(
                f"y mixes label types ({', '.join(sorted(k.__name__ for k in kinds))}); give every label "
                f"the same type (e.g. all strings)."
            )
        if all(issubclass(k, numbers.Number) for k in kinds):
            arr = arr.astype(np.float64)
        else:
            arr = arr.astype(str)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("y contains NaN or infinity; class labels must be finite values.")
    if arr.dtype.kind not in "biufUS":
        raise ValueError(f"y must hold class labels (numbers, strings or booleans), got dtype {arr.dtype}.")
    classes, codes = np.unique(arr, return_inverse=True)
    return classes, codes.reshape(-1)


def check_class_labels(y, n_samples, sample_weight, *, estimator=None, binary_only=None):
    """(classes, codes) of a logistic regression's y: class labels (`as_labels`), at least two of them
    with positive weight. `binary_only` names the option that allows two classes only (e.g.
    "family='binomial'"): more is then an error naming it. Of more than two classes some may have no
    weight (the multinomial fits their probability as 0); of two, both need weight."""
    classes, codes = as_labels(y, n_samples, estimator=estimator)
    if classes.dtype.kind == "f" and np.any(classes != np.round(classes)):
        raise ValueError(
            "Unknown label type: continuous. y holds real values, but logistic regression needs class "
            "labels (a few distinct values); for a continuous target use a regressor (e.g. ElasticNet)."
        )
    if binary_only is not None and classes.size > 2:
        shown = ", ".join(repr(c) for c in classes[:5].tolist()) + (", ..." if classes.size > 5 else "")
        raise ValueError(
            f"Only binary classification is supported with {binary_only}: y has {classes.size} classes "
            f"({shown}). Use the multinomial family for more than two classes, or fit one class against the rest."
        )
    weight = np.bincount(codes, weights=sample_weight, minlength=classes.size)
    if np.count_nonzero(weight > 0) < 2:
        if classes.size == 0:
            found = "no labels"
        elif classes.size == 1:
            found = f"only one class ({classes[0].item()!r})"
        else:
            kept = classes[weight > 0]
            found = (f"{classes.size} classes, but only {kept[0].item()!r} has positive sample_weight" if kept.size
                     else f"{classes.size} classes, none with positive sample_weight")
        raise ValueError(
            f"y needs samples of at least two classes (with positive weight) to fit a logistic regression; "
            f"got {found}."
        )
    return classes, codes


def check_multinomial_penalty(*, penalty_factor, lower_bounds, upper_bounds):
    """What the multinomial family does not support yet (arrays of the validated `Penalty`): a factor 0
    and box constraints (``positive`` is supported)."""
    if penalty_factor is not None and (penalty_factor == 0).any():
        raise ValueError(
            "penalty_factor 0 (an unpenalized feature) is not supported yet by the multinomial family; give "
            "the feature a small positive factor instead."
        )
    for value, name in ((lower_bounds, "lower_bounds"), (upper_bounds, "upper_bounds")):
        if value is not None:
            raise ValueError(
                f"{name} (box constraints) is not supported yet by the multinomial family (more than two "
                f"classes, or family='multinomial'); positive=True is."
            )


def as_coef_matrix(value, shape, name):
    """A finite float64 array of `shape` (e.g. a multinomial warm start, (n_classes, n_features))."""
    arr = _as_float_array(value, name, dtype=np.float64)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} (one row per class, one column per feature), "
                         f"got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; every entry must be a finite number.")
    return arr


def as_sample_weight(sample_weight, n_samples, dtype, *, normalized=False):
    """Validate sample weights: 1-D, one per row, finite, non-negative, positive sum. None stays None.

    normalized=True: the caller's objective divides the weights by their sum (the Gaussian family's
    ElasticNet), so equal weights (a scalar, or an array of one value) are no weights at all: they
    return None, and the fit takes exactly the unweighted route (bit for bit its result)."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        if normalized and isinstance(sample_weight, numbers.Real) and math.isfinite(sample_weight) \
                and sample_weight > 0:
            return None
        sample_weight = np.full(n_samples, sample_weight)
    sw = _as_float_array(sample_weight, "sample_weight", dtype=dtype)
    if sw.ndim != 1:
        raise ValueError(f"sample_weight must be 1-D of shape (n_samples,), got shape {sw.shape}.")
    if sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has {sw.shape[0]} entries but X has {n_samples} rows; pass one weight per row."
        )
    _check_finite(sw, "sample_weight")
    if (sw < 0).any():
        raise ValueError("sample_weight contains negative values; weights must be >= 0.")
    if not sw.sum() > 0:
        raise ValueError("sample_weight: all weights are zero; at least one row needs a positive weight.")
    if normalized and n_samples and (sw == sw[0]).all():
        return None
    return sw


def as_vector(value, length, name, dtype=None):
    """A finite 1-D float array of `length` entries (one per feature); float32 stays float32 unless
    `dtype` is given. A (length, 1) or (1, length) array is raveled."""
    arr = _as_float_array(value, name, dtype=dtype)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},) (one entry per feature), got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; every entry must be a finite number.")
    return arr


def check_scalar(value, name, *, kind=numbers.Real, low=None, low_inclusive=True, high=None):
    """A finite number of the given kind within [low, high]; returns it as int or float."""
    t = type(value)
    if t is int or (t is float and kind is numbers.Real):  # the common cases, without the ABC checks
        if t is float and not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}.")
    else:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
            what = "an integer" if kind is numbers.Integral else "a real number"
            raise TypeError(f"{name} must be {what}, got {value!r} of type {type(value).__name__}.")
        if kind is not numbers.Integral and not np.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        bound = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {bound} {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
    return int(value) if kind is numbers.Integral else float(value)


def check_bool(value, name):
    """True or False (a bool or numpy.bool_) as a bool. Anything else is a TypeError: a string such as
    'no' or a number would otherwise be taken as truthy and silently switch the option on."""
    if value is True or value is False:
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}.")


def check_bools(**flags):
    """The boolean options given by name, each checked by `check_bool`, as a list in the same order."""
    return [check_bool(value, name) for name, value in flags.items()]


def check_verbose(verbose):
    """scikit-learn's verbose: a bool or an int >= 0."""
    if isinstance(verbose, (bool, np.bool_)):
        return bool(verbose)
    if not isinstance(verbose, numbers.Integral):
        raise TypeError(f"verbose must be True, False or an int >= 0, got {verbose!r}.")
    if verbose < 0:
        raise ValueError(f"verbose must be True, False or an int >= 0, got {verbose!r}.")
    return int(verbose)


def check_l1_ratio(l1_ratio, name="l1_ratio"):
    return check_scalar(l1_ratio, name, low=0.0, high=1.0)


def check_l1_ratios(l1_ratio, name="l1_ratio"):
    """One l1_ratio or a non-empty 1-D sequence of them (cross-validation), as a float64 array."""
    if np.ndim(l1_ratio) == 0:
        return np.array([check_l1_ratio(l1_ratio.item() if isinstance(l1_ratio, np.ndarray) else l1_ratio, name)])
    arr = _as_float_array(l1_ratio, name, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a number or a non-empty 1-D sequence of numbers in [0, 1], got shape {arr.shape}."
        )
    for r in arr:
        check_l1_ratio(float(r), name)
    return arr


def check_choice(value, name, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}.")
    return value


def check_precompute(precompute, n_features):
    """'auto', True, False, or a (n_features, n_features) Gram matrix."""
    if isinstance(precompute, (bool, np.bool_)) or (isinstance(precompute, str) and precompute == "auto"):
        return precompute
    if hasattr(precompute, "shape") or isinstance(precompute, (list, tuple)):  # scikit-learn: array-like
        gram = as_design_matrix(precompute, name="precompute")
        if gram.shape != (n_features, n_features):
            raise ValueError(
                f"precompute as a Gram matrix must have shape ({n_features}, {n_features}), got {gram.shape}."
            )
        return gram
    raise ValueError(f"precompute must be 'auto', True, False or a Gram matrix, got {precompute!r}.")


# the seed of the random directions and entries `check_gram` and `check_Xy` look at: the same verdict
# on every call with the same input
_CHECK_SEED = 0


def _gram_error(found):
    # scikit-learn's wording first, so that code matching its message matches fastreg's too
    return ValueError(
        f"The Gram matrix passed in via 'precompute' parameter did not pass validation: it {found}. Pass "
        f"precompute=True to let fastreg compute it, or X.T @ X of the same X."
    )


def check_gram(G, X, sample_weight=None, fit_intercept=False):
    """Raise unless the user's Gram matrix G (from `check_precompute`) is X^T X of the finite X it comes
    with, up to rounding (scikit-learn checks one entry; this looks at all of them, in O(n p + p^2)).

    With an intercept or weights, the Gram matrix of X as scikit-learn's preprocessing makes it is
    accepted too: X_r = S^1/2 (X - 1 mean^T), the rows weighted by the square roots of the weights
    normalized to sum to n_samples, centered by their weighted means with an intercept. (fastreg then
    recomputes its own, with a warning; either way a matrix of some other data is a mistake.)

    - no negative diagonal entry (each is a sum of squares);
    - symmetry: |G_ij - G_ji| <= 8 sqrt(n) eps sqrt(G_ii G_jj), the rounding of two dot products of
      length n (the typical sqrt(n) growth of a sum's error, with a margin);
    - G v = X^T (X v) (or X_r^T (X_r v)) for one random unit vector v, to 8 sqrt(n) eps ||X||_F^2 (the
      rounding of both sides; weighted rows with weights). A matrix that is not X^T X (of another X,
      of X centered or scaled, not positive semi-definite) differs from it in a random direction with
      probability 1.

    eps is that of the coarser of G's and X's dtypes (float32: 1.2e-7).
    """
    n, p = X.shape
    eps = float(max(np.finfo(G.dtype).eps, np.finfo(X.dtype).eps))
    slack = 8.0 * np.sqrt(n) * eps
    diag = np.diag(G).astype(np.float64)
    if (diag < 0).any():
        j = int(np.argmin(diag))
        raise _gram_error(f"has a negative diagonal entry, precompute[{j}, {j}] = {diag[j]:.6g}, which no X.T @ X has")
    root = np.sqrt(diag)
    step = 256  # rows of G compared with its columns per block: no p x p temporary
    for start in range(0, p, step):
        rows = slice(start, min(start + step, p))
        excess = np.abs(G[rows].astype(np.float64) - G[:, rows].T) - slack * np.outer(root[rows], root)
        if (excess > 0).any():
            i, j = np.unravel_index(int(np.argmax(excess)), excess.shape)
            i += start
            raise _gram_error(f"is not symmetric: precompute[{i}, {j}] = {G[i, j]:.6g} but precompute[{j}, {i}] = "
                              f"{G[j, i]:.6g}")
    v = np.random.default_rng(_CHECK_SEED).standard_normal(p)
    v /= np.linalg.norm(v)
    Gv = np.asarray(G @ v.astype(G.dtype), dtype=np.float64)
    Xv = np.asarray(X @ v.astype(X.dtype), dtype=np.float64).ravel()
    row_norms2 = (np.asarray(X.multiply(X).sum(axis=1)).ravel() if _is_sparse(X)
                  else np.einsum("ij,ij->i", X, X)).astype(np.float64)
    candidates = [Xv]  # u with X^T u the product of each accepted form with v
    frobenius2 = float(row_norms2.sum())
    if fit_intercept or sample_weight is not None:
        s = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64) * (n / float(sample_weight.sum()))
        mean = np.asarray(X.T @ s.astype(X.dtype), dtype=np.float64).ravel() / n if fit_intercept else np.zeros(p)
        candidates.append(s * (Xv - mean @ v))  # X_r^T X_r v = (X - 1 m^T)^T S (X - 1 m^T) v
        frobenius2 = max(frobenius2, float(s @ row_norms2))
    products = np.asarray(X.T @ np.column_stack(candidates).astype(X.dtype), dtype=np.float64)
    if len(candidates) > 1:
        products[:, 1] -= mean * candidates[1].sum()
    diffs = [float(np.linalg.norm(Gv - products[:, k])) for k in range(len(candidates))]
    if not min(diffs) <= slack * frobenius2:
        relative = diffs[0] / max(float(np.linalg.norm(products[:, 0])), np.finfo(np.float64).tiny)
        also = (" (nor that of X centered and weighted as scikit-learn's preprocessing makes it)"
                if len(candidates) > 1 else "")
        raise _gram_error(f"does not match X.T @ X{also}: relative difference {relative:.2g} in a random direction")


def check_Xy(Xy, X, y, sample_weight, fit_intercept, standardize):
    """Raise unless the user's Xy (from `as_vector`) is X^T y of the problem solved, which is what
    fastreg uses it as (the automatic grid's alpha_max = max |Xy| / (n l1_ratio)): of X and y centered
    by their (weighted) means with an intercept, with the rows weighted by sample_weight normalized to
    sum to n_samples (scikit-learn's convention), of the standardized columns with `standardize`.

    Checked in a few entries, O(n) each: the largest |Xy_j| (the one that sets alpha_max) and four at
    random, each to 8 sqrt(n) eps ||x_j|| ||y|| (uncentered norms: the rounding of any way of forming
    the product; eps of the coarser of Xy's and X's dtypes).
    """
    n, p = X.shape
    cols = np.union1d([int(np.argmax(np.abs(Xy)))],
                      np.random.default_rng(_CHECK_SEED).choice(p, size=min(p, 4), replace=False))
    Xc = X[:, cols]
    Xc = (Xc.toarray() if _is_sparse(Xc) else np.asarray(Xc)).astype(np.float64)
    yc = y.astype(np.float64)
    s = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64) * (n / float(sample_weight.sum()))
    scale = np.sqrt((s @ (Xc * Xc)) * float(s @ (yc * yc)))
    if fit_intercept:
        Xc -= (s @ Xc) / n
        yc = yc - float(s @ yc) / n
    if standardize:
        sd = np.sqrt((s @ (Xc * Xc)) / n)
        sd = np.where(sd > 0, sd, 1.0)
        Xc /= sd
        scale /= sd
    expected = Xc.T @ (s * yc)
    eps = float(max(np.finfo(Xy.dtype).eps, np.finfo(X.dtype).eps))
    excess = np.abs(Xy[cols].astype(np.float64) - expected) - 8.0 * np.sqrt(n) * eps * scale
    if (excess > 0).any():
        k = int(np.argmax(excess))
        how = ["X and y centered by their (weighted) means (fit_intercept=True)"] if fit_intercept else []
        if sample_weight is not None:
            how.append("rows weighted by sample_weight normalized to sum to n_samples")
        if standardize:
            how.append("columns of X divided by their (weighted) standard deviations (standardize=True)")
        of = f" of {', '.join(how)}" if how else " of the X and y given"
        raise ValueError(
            f"Xy does not match X.T @ y: entry {cols[k]} is {Xy[cols[k]]:.6g} but the data give {expected[k]:.6g}. "
            f"Xy must be X.T @ y{of}; pass Xy=None to let fastreg compute it."
        )


def stats_magnitude(stats):
    """(diagonal (n_features,), yty, weight sum, rows): the sums of absolute values behind those
    statistics, i.e. the scale of their rounding. Statistics built from arrays are sums of
    non-negative terms (their own values); a combination carries the sum of its operands' (`+`, `-`)."""
    if stats.magnitude is not None:
        return stats.magnitude
    return (np.abs(np.diag(stats.XtX)).astype(np.float64), abs(stats.yty), abs(stats.weight_sum),
            abs(stats.n_rows))


def check_stats_difference(n_rows, weight_sum, magnitude, op):
    """Raise when `a - b` (or `a + b`) leaves fewer than 0 rows or a negative weight sum (beyond the
    rounding of its float64 sums): rows were subtracted that were never added."""
    weight_rounding = (magnitude[3] + 1) * np.finfo(np.float64).eps * magnitude[2]
    if n_rows < 0 or weight_sum < -weight_rounding:
        found = f"n_rows = {n_rows}" if n_rows < 0 else f"weight_sum = {weight_sum:.6g}"
        raise ValueError(
            f"stats {op} other leaves {found} < 0: rows were subtracted that were never added. Subtract only "
            f"blocks that are part of the statistics (e.g. total - fold, with the fold's rows among total's)."
        )


def check_stats(stats):
    """Evidence that `stats` (a SufficientStats) are the statistics of some data, for
    `enet_path_from_stats`: shapes, finite values, at least one row of positive weight, then the
    conditions every sum_i s_i [x_i; 1; y_i] [x_i; 1; y_i]^T (s_i >= 0) satisfies once centered, per
    feature: (X^T X)_jj >= 0, y^T y >= 0 and Cauchy-Schwarz (X^T y)_j^2 <= (X^T X)_jj y^T y. Each to the
    rounding of the sums behind them (`stats_magnitude`): a sum of N terms is exact to N eps times the
    sum of their absolute values (Higham, Accuracy and Stability, ch. 4). O(p^2) for finiteness, O(p)
    otherwise; no factorization."""
    XtX = stats.XtX
    if not (isinstance(XtX, np.ndarray) and XtX.dtype in (np.float32, np.float64) and XtX.ndim == 2
            and XtX.shape[0] == XtX.shape[1] >= 1):
        raise ValueError(
            f"stats.XtX must be a square float32 or float64 ndarray of shape (n_features, n_features), got "
            f"{type(XtX).__name__} of shape {np.shape(XtX)}; build stats with SufficientStats.from_arrays."
        )
    p = XtX.shape[0]
    for name in ("Xty", "sx", "x_shift"):
        shape = np.shape(getattr(stats, name))
        if shape != (p,):
            raise ValueError(f"stats.{name} must have shape ({p},) (one entry per column of stats.XtX), got {shape}.")
    if stats.n_rows < 1 or not stats.weight_sum > 0:
        raise ValueError(
            f"stats holds no rows (n_rows {stats.n_rows}, weight sum {stats.weight_sum:g}); build it from at "
            f"least one row of positive weight."
        )
    vectors = [np.asarray(getattr(stats, name), dtype=np.float64) for name in ("Xty", "sx", "x_shift")]
    if not (_all_finite(XtX) and all(np.isfinite(a).all() for a in vectors)
            and np.isfinite([stats.yty, stats.sy, stats.weight_sum, stats.y_shift]).all()):
        raise ValueError("stats contains NaN or infinity; build it from finite data with SufficientStats.from_arrays.")
    Xty, sx, _ = vectors
    D_mag, Y_mag, _, N = stats_magnitude(stats)
    W, sy = stats.weight_sum, stats.sy
    rel = (N + 4) * float(np.finfo(XtX.dtype).eps)  # the sums, then the centering's product and difference
    sx2 = sx * sx / W
    D = np.diag(XtX).astype(np.float64) - sx2
    tol_D = rel * (D_mag + sx2)
    Y = stats.yty - sy * sy / W
    tol_Y = rel * (Y_mag + sy * sy / W)
    C = Xty - sx * sy / W
    tol_C = rel * (np.sqrt(D_mag * Y_mag) + np.abs(sx * sy) / W)
    found = None
    if (D < -tol_D).any():
        j = int(np.argmin(D + tol_D))
        found = f"the centered X^T X has a negative diagonal entry for feature {j} ({D[j]:.6g})"
    elif Y < -tol_Y:
        found = f"the centered y^T y is negative ({Y:.6g})"
    else:
        excess = np.abs(C) - np.sqrt((np.maximum(D, 0) + tol_D) * (max(Y, 0.0) + tol_Y)) - tol_C
        if (excess > 0).any():
            j = int(np.argmax(excess))
            found = (f"feature {j} breaks Cauchy-Schwarz: |X^T y| = {abs(C[j]):.6g} exceeds "
                     f"sqrt(X^T X * y^T y) = {np.sqrt(max(D[j], 0) * max(Y, 0.0)):.6g} (centered)")
    if found is not None:
        raise ValueError(
            f"stats are not the statistics of any data: {found}. Were rows subtracted that were never added, "
            f"or blocks built from different data combined? Rebuild them with SufficientStats.from_arrays."
        )


def check_penalty_factor(penalty_factor, n_features):
    """None, or one non-negative factor per feature (inf: excluded), rescaled as glmnet does.

    Returns (factor, excluded): the factors of the features that stay, rescaled to sum to the number
    of features (glmnet's convention, so that the same lambda means the same thing in both; an
    excluded feature counts as 1 in that sum, as glmnet's exclude does), and the boolean mask of
    the excluded ones. (None, None) when every factor is 1 or none is given.
    """
    if penalty_factor is None:
        return None, None
    pf = _as_float_array(penalty_factor, "penalty_factor", dtype=np.float64)
    if pf.ndim == 0:
        pf = np.full(n_features, float(pf))
    if pf.shape != (n_features,):
        raise ValueError(
            f"penalty_factor must have one entry per feature ({n_features}), got shape {pf.shape}."
        )
    if np.isnan(pf).any() or (pf < 0).any():
        raise ValueError("penalty_factor must be >= 0 (0: not penalized, inf: excluded), without NaN.")
    excluded = np.isinf(pf)
    scaled = np.where(excluded, 1.0, pf)
    total = scaled.sum()
    if total > 0:
        scaled = scaled * (n_features / total)
    if not excluded.any() and np.all(scaled == 1.0):
        return None, None
    return scaled, excluded


def check_bounds(lower_bounds, upper_bounds, positive, n_features):
    """(lower, upper) arrays per feature (None when unbounded on that side), with 0 in every box."""
    def side(value, name, default):
        if value is None:
            return None
        arr = _as_float_array(value, name, dtype=np.float64)
        if arr.ndim == 0:
            arr = np.full(n_features, float(arr))
        if arr.shape != (n_features,):
            raise ValueError(f"{name} must be a number or one per feature ({n_features}), got shape {arr.shape}.")
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN; use -inf / inf for no bound.")
        return None if np.all(arr == default) else arr

    lower = side(lower_bounds, "lower_bounds", -np.inf)
    upper = side(upper_bounds, "upper_bounds", np.inf)
    if lower is not None and (lower > 0).any():
        raise ValueError("lower_bounds must be <= 0 (0 must lie in every box); got a positive lower bound.")
    if upper is not None and (upper < 0).any():
        raise ValueError("upper_bounds must be >= 0 (0 must lie in every box); got a negative upper bound.")
    if positive and lower is not None:
        lower = np.maximum(lower, 0.0)
    return lower, upper


def check_ridge_alpha(alpha, n_targets, *, name="alpha"):
    """alpha as a float64 array of length n_targets: a number >= 0, or one per target."""
    if isinstance(alpha, (bool, np.bool_)) or isinstance(alpha, str):
        raise TypeError(f"{name} must be a number or an array of numbers, got {alpha!r}.")
    try:
        arr = np.asarray(alpha, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {alpha!r}.") from exc
    if arr.ndim > 1 or arr.size == 0:
        raise ValueError(f"{name} must be a number or a 1-D array of one value per target, got shape {arr.shape}.")
    if arr.ndim == 1 and arr.size not in (1, n_targets):
        raise ValueError(
            f"{name} has {arr.size} values but y has {n_targets} target(s): pass one alpha, or one per "
            f"target (an array of length {n_targets}). Number of targets and number of penalties do not "
            f"correspond: {arr.size} != {n_targets}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity: every alpha must be a finite number >= 0.")
    if (arr < 0).any():
        raise ValueError(
            f"{name} must be >= 0 (the strength of the penalty alpha ||w||^2), got {float(arr.min())!r}."
        )
    return np.broadcast_to(arr.reshape(-1), (n_targets,)).copy()


def check_ridge_alphas(alphas, *, positive, single_positive=False):
    """RidgeCV's and ridge_path's alphas: a non-empty 1-D sequence of finite numbers > 0 (>= 0 when not
    `positive`), or one number. `single_positive`: one number must be > 0 whatever `positive`
    (scikit-learn's RidgeCV). The errors name the first offending entry as scikit-learn's do
    (``alphas[1] == -1, must be > 0.0``; ``alphas[2] must be an instance of float, not str``)."""
    if isinstance(alphas, (str, bool, np.bool_)):
        raise TypeError(f"alphas must be a number or a sequence of numbers, got {alphas!r}.")
    if single_positive and isinstance(alphas, numbers.Real) and not alphas > 0:
        raise ValueError(f"alphas as a single number must be > 0, got {alphas!r}; pass a sequence to include 0.")
    if isinstance(alphas, (list, tuple)):
        for i, a in enumerate(alphas):
            if not isinstance(a, numbers.Real) or isinstance(a, (bool, np.bool_)):
                raise TypeError(f"alphas[{i}] must be an instance of float, not {type(a).__name__}.")
    try:
        arr = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"alphas must be a sequence of numbers, got {alphas!r}.") from exc
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"alphas must be a non-empty 1-D sequence of numbers, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError("alphas contains NaN or infinity; every alpha must be a finite number.")
    given = alphas if isinstance(alphas, (list, tuple)) else arr
    bad = np.flatnonzero(arr <= 0) if positive else np.flatnonzero(arr < 0)
    if bad.size:
        i = int(bad[0])
        value = given[i] if isinstance(given, (list, tuple)) else arr[i]
        value = int(value) if isinstance(value, numbers.Integral) else float(value)
        if positive:
            raise ValueError(
                f"alphas[{i}] == {value!r}, must be > 0.0: leave-one-out cross-validation (cv=None) needs "
                f"every alpha > 0; use cv=5 (K-fold) to include alpha = 0."
            )
        raise ValueError(f"alphas[{i}] == {value!r}, must be >= 0.0.")
    return arr


def check_ridge_data(X, y, sample_weight, *, estimator=None):
    """Ridge's data: (X, Y 2-D, sample_weight or None, whether y was 1-D). X dense or sparse (canonical
    CSC); a dense X is not yet checked for NaN/inf: a solve that forms a Gram matrix checks it by the
    matrix's diagonal (`check_gram_diagonal`, no extra pass over X), any other calls `check_finite`.
    Weights all equal to 1 are None: the unweighted solve, bit for bit."""
    X = as_design_matrix(X, check_finite=False, accept_sparse=True)
    n_samples = X.shape[0]
    y = as_target(y, n_samples, X.dtype, allow_2d=True, estimator=estimator)
    if sample_weight is not None and not isinstance(sample_weight, numbers.Number):
        try:
            shape = np.asarray(sample_weight).shape  # (array-likes through __array__ only)
        except (TypeError, ValueError):  # (ragged and the like: as_sample_weight says what is wrong)
            shape = ()
        if len(shape) > 1:
            raise ValueError(f"Sample weights must be 1D array or scalar: sample_weight has shape "
                             f"{shape}; pass one weight per row (shape ({n_samples},)) or one number.")
    sw = as_sample_weight(sample_weight, n_samples, X.dtype)
    if sw is not None and (sw == 1).all():
        sw = None
    Y = y[:, None] if y.ndim == 1 else y
    if Y.shape[1] == 0:
        raise ValueError("y has 0 targets (shape (n_samples, 0)); pass at least one column.")
    return X, Y, sw, y.ndim == 1


RIDGE_SOLVERS = ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs")


def check_ridge_solver(solver, positive, is_sparse, fit_intercept):
    """Ridge's `solver`: one of scikit-learn's names, refused where scikit-learn refuses it (same
    messages): 'lbfgs' without positive=True, positive=True with a solver other than 'auto'/'lbfgs',
    'svd' and 'saga' for a sparse X with an intercept ('cholesky' is fastreg's own and solves it)."""
    check_choice(solver, "solver", set(RIDGE_SOLVERS))
    if solver == "lbfgs" and not positive:
        raise ValueError("'lbfgs' solver can be used only when positive=True. Please use another solver.")
    if positive and solver not in ("auto", "lbfgs"):
        raise ValueError(f"solver='{solver}' does not support positive fitting. Please set the solver to 'auto' "
                         f"or 'lbfgs', or set `positive=False`")
    if is_sparse and fit_intercept and solver in ("svd", "saga"):
        raise ValueError(f"solver='{solver}' does not support fitting the intercept on sparse data. Please set "
                         f"the solver to 'auto', 'cholesky', 'lsqr', 'sparse_cg' or 'sag', or set "
                         f"`fit_intercept=False`")
    return solver


def check_gram_diagonal(diagonal, X):
    """The deferred NaN/inf check of X (`check_ridge_data`) from the diagonal of its (centered) X^T X or
    X X^T, which is non-finite whenever X has a NaN or inf entry; also raises for entries whose squares
    overflow or underflow the dtype."""
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
        check_finite(X)
        largest = float(np.abs(X).max())
    raise ValueError(
        f"X has entries so large that X^T X overflows in {X.dtype} (largest |x| = {largest:.3g}); "
        f"rescale X (e.g. sklearn.preprocessing.StandardScaler)"
        + (" or pass float64." if X.dtype == np.float32 else ".")
    )


def check_gcv_mode(gcv_mode, X):
    """RidgeCV's gcv_mode: None, 'auto', 'eigen' or 'svd'. 'svd' on a sparse X is 'eigen' with
    scikit-learn 1.9's FutureWarning (its message: scikit-learn will refuse it in 1.11)."""
    if gcv_mode not in (None, "auto", "eigen", "svd"):
        raise ValueError(f"gcv_mode must be one of None, 'auto', 'eigen', 'svd', got {gcv_mode!r}.")
    if gcv_mode == "svd" and _is_sparse(X):
        warnings.warn(
            "The 'svd' mode is not supported for sparse X, we fallback to `gcv_mode='eigen'`. Passing "
            "`gcv_mode='svd'` on sparse X will raise an error in 1.11 (scikit-learn), use the default or pass "
            "`gcv_mode='eigen'` to suppress this warning.",
            FutureWarning, stacklevel=caller_stacklevel(),
        )
        return "eigen"
    return gcv_mode


def check_ridge_mode(mode, X):
    """`ridge_path`'s decomposition: 'svd' needs a dense X."""
    if mode == "svd" and _is_sparse(X):
        raise ValueError("mode='svd' needs a dense X; use mode='auto' (eigendecomposition) for sparse X.")
    return mode


def check_loo_samples(sample_weight, n_samples, fit_intercept):
    """Leave-one-out with an intercept needs two rows of positive weight (one left out, one to fit)."""
    positive = n_samples if sample_weight is None else int(np.count_nonzero(sample_weight > 0))
    if fit_intercept and positive < 2:
        raise ValueError(
            f"Leave-one-out cross-validation with an intercept needs at least 2 samples with positive "
            f"weight, got {int(positive)} sample(s); use fit_intercept=False or more samples."
        )


def check_alphas(alphas):
    """User-given penalties: a non-empty 1-D array of finite numbers >= 0.

    A single float is refused, as scikit-learn 1.9 does: the path functions and CV estimators read
    an int as the number of alphas of the automatic grid, so a float would be ambiguous."""
    if isinstance(alphas, (str, bool, np.bool_)):
        raise TypeError(f"alphas must be an int (the number of alphas) or a sequence of alphas, got {alphas!r}.")
    if np.ndim(alphas) == 0:
        if isinstance(alphas, numbers.Real) or (isinstance(alphas, np.ndarray) and alphas.dtype.kind in "biuf"):
            raise ValueError(
                f"alphas must be an int (the number of alphas) or a sequence of alphas, got {alphas!r}; pass "
                f"[{alphas!r}] for a single alpha."
            )
        raise TypeError(f"alphas must be an int (the number of alphas) or a sequence of alphas, got {alphas!r}.")
    if isinstance(alphas, (list, tuple)):  # scikit-learn's per-entry messages
        for i, a in enumerate(alphas):
            if isinstance(a, (str, bytes)):
                raise TypeError(f"alphas[{i}] must be an instance of float, not {type(a).__name__}.")
    arr = _as_float_array(alphas, "alphas", dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"alphas must be a non-empty 1-D sequence of numbers, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError("alphas contains NaN or infinity; every alpha must be a finite number >= 0.")
    if (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        value = alphas[i] if isinstance(alphas, (list, tuple)) else arr[i]
        raise ValueError(f"alphas[{i}] == {value!r}, must be >= 0.0. (alphas are penalty strengths)")
    return arr


def check_query_alphas(alpha):
    """The alphas a path is evaluated at (`Path.coef`, `Path.predict`): one number or a 1-D sequence of
    finite numbers > 0. Returns (the float64 array, whether one number was given)."""
    if isinstance(alpha, (str, bytes, bool, np.bool_)) or alpha is None:
        raise TypeError(f"alpha must be a number > 0 or a sequence of them, got {alpha!r}.")
    try:
        arr = np.asarray(alpha, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"alpha must be a number > 0 or a sequence of them, got {alpha!r}.") from exc
    if arr.ndim > 1 or arr.size == 0:
        raise ValueError(f"alpha must be a number or a non-empty 1-D sequence of numbers, got shape {arr.shape}.")
    if not np.isfinite(arr).all() or (arr <= 0).any():
        bad = arr[~(np.isfinite(arr) & (arr > 0))].ravel()[0]
        raise ValueError(f"alpha must be > 0 and finite (a penalty strength on the path's scale), got {bad!r}.")
    return np.atleast_1d(arr), arr.ndim == 0


def check_gamma(gamma):
    """One relaxed-lasso blend: a number in [0, 1] (1 the lasso, 0 the fully relaxed fit)."""
    if (not isinstance(gamma, numbers.Real) or isinstance(gamma, (bool, np.bool_))
            or not 0.0 <= float(gamma) <= 1.0):
        raise ValueError(f"gamma must be a number in [0, 1] (1: the lasso, 0: the fully relaxed fit), got {gamma!r}.")
    return float(gamma)


def check_gammas(gamma):
    """The blends a relaxed CV tries: a non-empty 1-D sequence of numbers in [0, 1], returned sorted and
    unique."""
    try:
        arr = None if isinstance(gamma, (str, bytes)) else np.atleast_1d(np.asarray(gamma, dtype=np.float64))
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
        raise ValueError(f"gamma must be a non-empty 1-D sequence of numbers in [0, 1], got {gamma!r}.")
    if (arr < 0).any() or (arr > 1).any():
        raise ValueError(f"gamma values must be in [0, 1] (1: the lasso, 0: the fully relaxed fit), got {gamma!r}.")
    return np.unique(arr)


def check_which(which):
    """A CV choice: 'min' (alpha_min) or '1se' (alpha_1se)."""
    if not isinstance(which, str) or which not in ("min", "1se"):
        raise ValueError(f"which must be 'min' (the smallest mean CV error) or '1se' (glmnet's one-standard-error "
                         f"choice), got {which!r}.")
    return which


def check_new_data(X, n_features, feature_names=None, what="X"):
    """New data for a fitted path's predictions: validated as a design matrix (dense or sparse), with
    the path's number of columns and, when both are known, its feature names in the same order."""
    names = lenient_feature_names(X)
    X = as_design_matrix(X, what, accept_sparse=True)
    if X.shape[1] != n_features:
        raise ValueError(f"{what} has {X.shape[1]} features (columns), but the path was fitted with {n_features}.")
    if names is not None and feature_names is not None and not np.array_equal(names, feature_names):
        raise ValueError(f"{what}'s column names differ from the feature names the path was fitted with "
                         f"({list(feature_names)[:5]}...); reorder or rename the columns.")
    return X


def check_random_state(random_state):
    """None, an int in [0, 2**32 - 1] (scikit-learn's range), a numpy RandomState or Generator; checked
    whatever the selection, as scikit-learn does, without drawing from it."""
    if random_state is None or random_state is np.random or isinstance(
            random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, (bool, np.bool_)):
        if not 0 <= random_state <= 2**32 - 1:
            raise ValueError(f"random_state must be an int in [0, 2**32 - 1], got {random_state!r}.")
        return random_state
    raise ValueError(
        f"random_state must be None, an int, a numpy RandomState or Generator, got {random_state!r}."
    )


def seed_from_random_state(random_state):
    """A non-zero 32-bit seed from None, an int, a RandomState or a Generator."""
    random_state = check_random_state(random_state)
    if random_state is None or random_state is np.random:
        rng = np.random.mtrand._rand
    elif isinstance(random_state, numbers.Integral):
        rng = np.random.RandomState(int(random_state))
    else:
        rng = random_state
    return int(rng.integers(1, 2**31 - 1) if isinstance(rng, np.random.Generator) else rng.randint(1, 2**31 - 1))


def check_shift(shift, n_features):
    """`SufficientStats.from_arrays`'s shift: None, or a pair (x_shift, y_shift) of n_features finite
    numbers and one (e.g. ``stats.shift`` of another block)."""
    if shift is None:
        return None
    try:
        x_shift, y_shift = shift
    except (TypeError, ValueError):
        x_shift = y_shift = None
    if x_shift is None or isinstance(shift, (str, bytes)):
        raise ValueError(f"shift must be a pair (x_shift, y_shift), e.g. stats.shift of another block, got {shift!r}.")
    return as_vector(x_shift, n_features, "shift[0]", dtype=np.float64), check_scalar(y_shift, "shift[1]")


def check_scoring(scoring):
    """RidgeCV's scoring: None, a scikit-learn scorer name or a callable ``scorer(estimator, X, y)``
    (a name is looked up by scikit-learn, which says which names exist)."""
    if scoring is None or isinstance(scoring, str) or callable(scoring):
        return scoring
    raise TypeError(
        f"scoring must be None, a scorer name (e.g. 'r2') or a callable scorer(estimator, X, y), got {scoring!r}."
    )


def check_groups(groups, n_samples):
    """None, or one group label per row (1-D), for a splitter's ``split(X, y, groups)``."""
    if groups is None:
        return None
    if isinstance(groups, (str, bytes)) or np.ndim(groups) != 1:
        raise ValueError(f"groups must be a 1-D array of one group label per row, got {groups!r}.")
    if len(groups) != n_samples:
        raise ValueError(
            f"groups has {len(groups)} entries but X has {n_samples} rows; pass one group label per row."
        )
    return groups


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def caller_stacklevel():
    """The `stacklevel` that makes a warning point at the first frame outside fastreg."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def warn_alpha_zero(alpha):
    if alpha == 0:
        warnings.warn(
            "With alpha=0, this algorithm does not converge well. You are advised to use the "
            "LinearRegression estimator: alpha=0 solves ordinary least squares by coordinate descent, "
            "which converges slowly and has no duality gap to certify it (the first-order residual ||X^T r||^2 is reported instead). "
            "Use a least-squares solver (numpy.linalg.lstsq) for unpenalized fits.",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )

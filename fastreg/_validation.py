"""Input validation: the only place where errors are raised for bad user input.

Every public entry point validates once here; everything downstream (design, driver, kernels) trusts
its inputs. Arrays are never modified: conversions return new arrays only when needed.
"""
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
    "check_scalar",
    "check_l1_ratio",
    "check_choice",
    "check_precompute",
    "check_alphas",
    "check_penalty_factor",
    "check_ridge_alpha",
    "check_ridge_alphas",
    "check_bounds",
    "seed_from_random_state",
    "feature_names_of",
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


def as_sample_weight(sample_weight, n_samples, dtype):
    """Validate sample weights: 1-D, one per row, finite, non-negative, positive sum. None stays None."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
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
    return sw


def check_scalar(value, name, *, kind=numbers.Real, low=None, low_inclusive=True, high=None):
    """A finite number of the given kind within [low, high]; returns it as int or float."""
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


def check_l1_ratio(l1_ratio):
    return check_scalar(l1_ratio, "l1_ratio", low=0.0, high=1.0)


def check_choice(value, name, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}.")
    return value


def check_precompute(precompute, n_features):
    """'auto', True, False, or a (n_features, n_features) Gram matrix."""
    if isinstance(precompute, (bool, np.bool_)) or (isinstance(precompute, str) and precompute == "auto"):
        return precompute
    if hasattr(precompute, "shape"):
        gram = as_design_matrix(precompute, name="precompute")
        if gram.shape != (n_features, n_features):
            raise ValueError(
                f"precompute as a Gram matrix must have shape ({n_features}, {n_features}), got {gram.shape}."
            )
        return gram
    raise ValueError(f"precompute must be 'auto', True, False or a Gram matrix, got {precompute!r}.")


def check_penalty_factor(penalty_factor, n_features):
    """None, or one non-negative factor per feature (inf: excluded), rescaled as glmnet does.

    Returns (factor, excluded): the factors of the features that stay, rescaled to sum to the number
    of features (glmnet's convention, so that the same lambda means the same thing in both; an
    excluded feature counts as 1 in that sum, as glmnet's exclude does), and the boolean mask of
    the excluded ones. (None, None) when every factor is 1 or none is given.
    """
    if penalty_factor is None:
        return None, None
    pf = np.asarray(penalty_factor, dtype=np.float64)
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
        arr = np.asarray(value, dtype=np.float64)
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
            f"target (an array of length {n_targets})."
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity: every alpha must be a finite number >= 0.")
    if (arr < 0).any():
        raise ValueError(
            f"{name} must be >= 0 (the strength of the penalty alpha ||w||^2), got {arr.min()!r}."
        )
    return np.broadcast_to(arr.reshape(-1), (n_targets,)).copy()


def check_ridge_alphas(alphas, *, positive):
    """RidgeCV's alphas: a non-empty 1-D sequence of finite numbers > 0 (>= 0 when not `positive`)."""
    if isinstance(alphas, str):
        raise TypeError(f"alphas must be a number or a sequence of numbers, got {alphas!r}.")
    try:
        arr = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"alphas must be a sequence of numbers, got {alphas!r}.") from exc
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"alphas must be a non-empty 1-D sequence of numbers, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError("alphas contains NaN or infinity; every alpha must be a finite number.")
    if positive and (arr <= 0).any():
        raise ValueError(
            f"alphas must be > 0 for leave-one-out cross-validation (cv=None), got {arr.min()!r}; "
            f"use cv=5 (K-fold) to include alpha = 0."
        )
    if (arr < 0).any():
        raise ValueError(f"alphas must be >= 0, got {arr.min()!r}.")
    return arr


def check_alphas(alphas):
    """User-given penalties: a non-empty 1-D array of finite numbers >= 0."""
    arr = np.asarray(alphas, dtype=np.float64) if not isinstance(alphas, numbers.Number) else np.array([alphas], dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"alphas must be a non-empty 1-D sequence of numbers, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError("alphas contains NaN or infinity; every alpha must be a finite number >= 0.")
    if (arr < 0).any():
        raise ValueError(f"alphas must be >= 0 (the penalty strength), got min {arr.min()!r}.")
    return arr


def seed_from_random_state(random_state):
    """A non-zero 32-bit seed from None, an int, a RandomState or a Generator."""
    if random_state is None or random_state is np.random:
        rng = np.random.mtrand._rand
    elif isinstance(random_state, (numbers.Integral, np.integer)) and not isinstance(random_state, bool):
        rng = np.random.RandomState(int(random_state))
    elif isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        rng = random_state
    else:
        raise ValueError(
            f"random_state must be None, an int, a numpy RandomState or Generator, got {random_state!r}."
        )
    return int(rng.integers(1, 2**31 - 1) if isinstance(rng, np.random.Generator) else rng.randint(1, 2**31 - 1))


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
            "alpha=0 solves ordinary least squares by coordinate descent, which converges slowly and "
            "has no duality gap to certify it (the first-order residual ||X^T r||^2 is reported instead). "
            "Use a least-squares solver (numpy.linalg.lstsq) for unpenalized fits.",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )

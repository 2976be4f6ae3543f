"""The plan: which kernel solves a problem, and what its design must provide. Decided once, here.

`make_plan` looks at the shape, dtype and sparsity of X, `precompute`, the number of penalties the
design will be solved for (a path's length, or all the folds' paths of a CV) and the memory budget,
and returns a frozen `Plan`. Nothing else re-derives the choice: the design layer builds what the
plan asks for (`fastreg._design.build_design`), the solver layer runs its kernel
(`fastreg._solvers.make_solver`), and the kernel that ran is reported (``Path.solver``,
``CVPath.solver``, the estimators' ``solver_``).

Kernels:

- ``'gram'``: covariance updates from the p x p statistics (X^T X, X^T y, y^T y), with Newton steps
  on the support. The design is statistics: summed from a dense X over row blocks (no copy of X,
  also the right route for a user's precomputed Gram matrix), the sparse Gram product, or given
  (`SufficientStats`); float32 data are summed and solved in float64.
- ``'gram-lazy'``: the Gram kernel on columns of X^T X computed on demand (n > p, p x p over budget;
  a sparse X's paths with many columns).
- ``'residual'``: residual updates on X (dense or sparse), strong sets, gap-safe screening.
- ``'working-set'``: the residual kernel on growing working sets (p > n).

Ridge's direct solvers are chosen here too (`ridge_solver`, `ridge_decomposition`).
"""
from typing import NamedTuple

import numpy as np
from scipy import sparse

# the memory budget of one p x p (or n x n) Gram matrix that a solver forms by itself (Lasso paths,
# Ridge, unpenalized features of a sparse X); above it the cheaper-in-memory route runs
GRAM_MAX_BYTES = 1 << 30
# the costs of `sparse_gram_plan`, in passes over the stored values: a residual path makes about
# this many per penalty (one certifying gap, a few epochs on the strong set) ...
RESIDUAL_PASSES_PER_ALPHA = 4
# ... and one multiply-add of the sparse Gram product costs this many stored-value visits of an epoch
# (random access to rows of X and of G; measured on one-hot data)
GRAM_PRODUCT_COST = 7
# a single fit from zero (an estimator) costs about this many penalties of a path
SINGLE_FIT_ALPHAS = 10
# ... and a visit of an epoch costs this many more once the residual (n values) outgrows a typical
# L2 cache (RESIDUAL_CACHE_BYTES): each stored value of a sparse column then gathers its row's entry
# of R from further out (measured: 14 ns per stored value and penalty on 300000 x 3974 one-hot data,
# 5.5 ns on 60000 x 1986), while the Gram product's cost does not depend on n
RESIDUAL_CACHE_BYTES = 1 << 20
RESIDUAL_OUT_OF_CACHE = 2.5

# a sparse X with at least this many columns takes its Gram columns on demand ('gram-lazy') instead of
# the full matrix: a path needs the columns of the features near its active sets only, while the p x p
# matrix costs its p^2 entries (zeroed, scaled, centered, mirrored: 0.2 of the 0.45 s a 300000 x 3974
# one-hot path spent on the full matrix, against 0.09-0.15 s for that path on demand)
LAZY_SPARSE_MIN_FEATURES = 512
# ... and it costs about this many visits of each stored value (the row-major copy of X, the dense
# columns' passes, the columns of a path's active sets), measured against residual paths: a tie with
# residual updates on 10 penalties of 60000 x 1986 one-hot data (40 visits), 3-6x ahead on 10 of
# 300000 x 3974 (100 visits, out of cache) and 5x on 100 penalties of the first
LAZY_SPARSE_PASSES = 48

KERNELS = ("gram", "gram-lazy", "residual", "working-set")


class Plan(NamedTuple):
    """The kernel of a problem and what its design must provide.

    kernel : one of `KERNELS`.
    user_gram : the user's X^T X, used as given (only when the working X is the user's X), or None.
    recompute_warning : whether a user's Gram matrix is replaced by one of the working X (warned).
    """

    kernel: str
    user_gram: np.ndarray = None
    recompute_warning: bool = False

    @property
    def gram(self):
        """Whether the design is statistics (the full Gram kernel)."""
        return self.kernel == "gram"


STATISTICS = Plan("gram")  # the plan of a problem given as statistics only


def gram_is_cheaper(n_samples, n_features, dtype):
    """precompute='auto': whether Gram updates beat residual updates, and fit the memory budget.

    Costs (multiply-adds and bytes moved), for a path of E epochs in total:

    - residual updates: every epoch reads X, n p elements (memory-bound, about 1e9 elements/s on one
      core here); a moved coordinate costs O(n). Memory: X (plus one centered copy when needed).
    - Gram updates: one syrk, n p^2 / 2 multiply-adds (compute-bound, 2e10-5e10 per second on 2 cores,
      i.e. the price of about p / 50 residual epochs), then an epoch costs O(p) per moved coordinate
      from G, never touching X; Newton steps add a Cholesky factor. Memory: two p x p matrices.

    A path takes hundreds to thousands of epochs, so the syrk is repaid whenever n > p. When p >= n,
    G is larger than X and singular, and residual updates (with working sets) win. When one p x p
    matrix would exceed GRAM_MAX_BYTES (1 GiB), n > p problems get Gram columns on demand instead
    ('gram-lazy'): n p multiply-adds per column, for the columns of features that come near the
    active set (the rest of G is never formed).
    """
    return n_samples > n_features and n_features**2 * np.dtype(dtype).itemsize <= GRAM_MAX_BYTES


# a warm-started Newton subproblem of an iteratively reweighted fit: about ten epochs plus a few passes
# to build its design; its syrk costs about p / 25 epochs (measured on 1000 x 1000 and 50000 x 200)
NEWTON_GRAM_MAX_FEATURES = 256


def newton_step_plan(X):
    """The kernel of one Newton step's weighted least-squares subproblem on a dense X (a single fit
    from a warm start, on a working set: the columns of X): Gram updates only while the syrk costs
    less than the epochs it saves (n > p and p <= NEWTON_GRAM_MAX_FEATURES), residual updates
    otherwise. (A sparse X's Newton steps run on X itself: `fastreg._irls.weighted_cd_sparse`.)"""
    n_samples, n_features = X.shape
    if n_samples > n_features and n_features <= NEWTON_GRAM_MAX_FEATURES:
        return Plan("gram")
    return Plan("residual")


def lazy_gram_is_better(n_samples, n_features, dtype):
    """precompute='auto' on a problem whose p x p Gram matrix is over the memory budget: Gram columns
    on demand when n > p, whose cost follows the features that ever get close to the active set."""
    return n_samples > n_features and n_features**2 * np.dtype(dtype).itemsize > GRAM_MAX_BYTES


def sparse_gram_plan(X, n_alphas=None):
    """precompute='auto' for a sparse X (CSC): the Gram kernel ('gram' on the full matrix, 'gram-lazy'
    on columns on demand) when it beats residual updates, else None.

    Only when n > p and the p x p matrix fits the budget (`gram_is_cheaper`). Then the costs, in
    visits of stored values: residual updates make about RESIDUAL_PASSES_PER_ALPHA passes over the
    nnz values per penalty (RESIDUAL_OUT_OF_CACHE times dearer once the residual outgrows
    RESIDUAL_CACHE_BYTES). With LAZY_SPARSE_MIN_FEATURES columns or more the Gram columns come on
    demand, at about LAZY_SPARSE_PASSES visits of each value for a path. With fewer, the full matrix
    costs its product once (sum over rows of nnz_row^2 multiply-adds, GRAM_PRODUCT_COST each, plus
    the p^2 matrix), after which a path is nearly free (one-hot data with many rows: a whole path
    independent of n). So short paths (a few penalties) run on residuals and long ones on the Gram
    matrix; `n_alphas` None is a single fit.
    """
    n_samples, n_features = X.shape
    if not gram_is_cheaper(n_samples, n_features, X.dtype):
        return None
    residual = RESIDUAL_PASSES_PER_ALPHA * (n_alphas or SINGLE_FIT_ALPHAS) * float(X.nnz)
    if n_samples * X.dtype.itemsize > RESIDUAL_CACHE_BYTES:
        residual *= RESIDUAL_OUT_OF_CACHE
    if n_features >= LAZY_SPARSE_MIN_FEATURES:
        return Plan("gram-lazy") if LAZY_SPARSE_PASSES * float(X.nnz) < residual else None
    row_nnz = np.bincount(X.indices, minlength=n_samples).astype(np.float64)
    gram = GRAM_PRODUCT_COST * float(row_nnz @ row_nnz) / 2 + 2.0 * n_features**2
    return Plan("gram") if gram < residual else None


def make_plan(X, precompute, *, transformed, penalty, n_alphas=None, working_set=True):
    """The plan for validated X (its kept columns, `Penalty.columns`) and `precompute`.

    precompute: True (Gram kernel), False (residual updates), 'auto' (the cost models above), or the
    user's X^T X (validated against X by the caller): used as given when the working X is the user's
    X (`transformed` False: no intercept, weights or standardization, and the penalty leaves the
    columns alone), recomputed for the working X with a warning otherwise, as scikit-learn does.
    n_alphas: the penalties the design will be solved for (None: a single fit). A sparse X with
    unpenalized features (penalty factor 0) always gets the Gram kernel (see `PartialledDesign`).
    """
    n_samples, n_features = X.shape
    if isinstance(precompute, np.ndarray):
        if transformed or penalty.changes_columns:
            return Plan("gram", recompute_warning=True)
        return Plan("gram", user_gram=precompute)
    if sparse.issparse(X) and penalty.factor is not None and (penalty.factor == 0).any():
        # unpenalized features of a sparse X are partialled out through its Gram matrix (projecting
        # them off the other columns would fill those in): the problem becomes statistics
        return Plan("gram")
    if precompute is True:
        return Plan("gram")
    if precompute == "auto":
        if lazy_gram_is_better(n_samples, n_features, X.dtype):
            return Plan("gram-lazy")
        if sparse.issparse(X):
            plan = sparse_gram_plan(X, n_alphas)
            if plan is not None:
                return plan
        elif gram_is_cheaper(n_samples, n_features, X.dtype):
            return Plan("gram")
    return Plan("working-set" if working_set and n_features > n_samples else "residual")


def ridge_solver(X, solver):
    """Ridge's direct solver (`fastreg._ridge.solve`) for a validated `solver`: 'cholesky' (n >= p),
    'cholesky-dual' (p > n) or 'lsqr'. 'auto' is Cholesky of the smaller Gram matrix, except for a
    sparse X whose smaller Gram matrix exceeds GRAM_MAX_BYTES (LSQR on the implicitly centered X)."""
    n, p = X.shape
    if solver == "lsqr":
        return "lsqr"
    if solver == "auto" and sparse.issparse(X) and min(n, p) ** 2 * X.dtype.itemsize > GRAM_MAX_BYTES:
        return "lsqr"
    return "cholesky-dual" if p > n else "cholesky"


def ridge_decomposition(X, mode):
    """The decomposition `fastreg._ridge.spectrum` runs for many alphas (a validated mode): None,
    'auto' or 'eigen' -> the smaller Gram matrix ('cov' when n >= p, else 'gram'); 'cov', 'gram',
    'svd' as given."""
    if mode in (None, "auto", "eigen"):
        return "gram" if X.shape[1] > X.shape[0] else "cov"
    return mode

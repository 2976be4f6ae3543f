"""The path driver: λ grid, kernel choice, warm starts, stopping, warnings.

`enet_path` and `lasso_path` keep scikit-learn's signature and return value (they unpack to
``alphas, coefs, dual_gaps`` and, with ``return_n_iter=True``, ``n_iters``) and return a `Path` that also
carries the intercepts and the solver used.
"""
import numbers
import sys
import warnings
from typing import NamedTuple

import numpy as np
from scipy import sparse

from . import _design
from . import _ridge
from . import _validation as v
from ._solvers import (
    ANDERSON, UNCERTIFIED, CertifiedGramSolver, GramSolver, LazyGramSolver, ResidualSolver, WorkingSetSolver,
)
from ._design import (
    PartialledDesign, dense_design, float64_statistics, gram_design, penalize, sparse_design, stats_design,
)
from ._stats import SufficientStats

# largest Gram matrix precompute='auto' will hold (the design layer's budget, see fastreg._design)
GRAM_MAX_BYTES = _design.GRAM_MAX_BYTES
# the deviance stops of a path apply from this many alphas on (glmnet's mnl)
MIN_ALPHAS_BEFORE_STOP = 5



def choose_gram(design, precompute):
    """The working Gram matrix to use, or None for residual updates.

    precompute=True builds X^T X (one syrk); an array is the user's X^T X, used as given when the
    working X is the user's X (no intercept, weights, standardization or rescaling) and otherwise
    recomputed with a warning, as scikit-learn does. 'auto' is the cost model of `gram_is_cheaper`.
    """
    if not design.has_data:  # statistics only: the Gram kernel is the only one that can run
        return design.gram()
    n_samples, n_features = design.n_samples, design.n_features
    if isinstance(precompute, np.ndarray):
        if not design.transformed:
            return np.ascontiguousarray(precompute, dtype=design.dtype)
        _warn_gram_recomputed()
        return design.gram()
    if precompute == "auto":
        precompute = gram_is_cheaper(n_samples, n_features, design.dtype)
    return design.gram() if precompute else None


def lazy_gram_is_better(design, precompute):
    """precompute='auto' on a problem whose p x p Gram matrix is over the memory budget: Gram columns
    on demand (`LazyGramSolver`) when n > p, whose cost follows the features that ever get close to
    the active set instead of p."""
    return (precompute == "auto" and design.has_data and design.n_samples > design.n_features
            and design.n_features**2 * design.dtype.itemsize > GRAM_MAX_BYTES)


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
    (`lazy_gram_is_better`): n p multiply-adds per column, for the columns of features that come near
    the active set (the rest of G is never formed).
    """
    return n_samples > n_features and n_features**2 * np.dtype(dtype).itemsize <= GRAM_MAX_BYTES


# the costs of `sparse_gram_is_cheaper`, in passes over the stored values: a residual path makes about
# this many per penalty (one certifying gap, a few epochs on the strong set) ...
RESIDUAL_PASSES_PER_ALPHA = 4
# ... and one multiply-add of the sparse Gram product costs this many stored-value visits of an epoch
# (random access to rows of X and of G; measured on one-hot data)
GRAM_PRODUCT_COST = 7
# a single fit from zero (an estimator) costs about this many penalties of a path
SINGLE_FIT_ALPHAS = 10


def sparse_gram_is_cheaper(X, n_alphas=None):
    """precompute='auto' for a sparse X (CSC): whether the sparse Gram mode beats residual updates.

    Only when n > p and the p x p matrix fits the budget (`gram_is_cheaper`). Then the costs, in
    visits of stored values: residual updates make about RESIDUAL_PASSES_PER_ALPHA passes over the
    nnz values per penalty; the Gram matrix costs its product once (sum over rows of nnz_row^2
    multiply-adds, GRAM_PRODUCT_COST each, plus the p^2 matrix), after which a path is nearly free
    (one-hot data with many rows: a whole path independent of n). So short paths (a few penalties)
    run on residuals and long ones on the Gram matrix; `n_alphas` None is a single fit.
    """
    n_samples, n_features = X.shape
    if not (n_samples > n_features and n_features**2 * X.dtype.itemsize <= GRAM_MAX_BYTES):
        return False
    row_nnz = np.bincount(X.indices, minlength=n_samples).astype(np.float64)
    gram = GRAM_PRODUCT_COST * float(row_nnz @ row_nnz) / 2 + 2.0 * n_features**2
    residual = RESIDUAL_PASSES_PER_ALPHA * (n_alphas or SINGLE_FIT_ALPHAS) * float(X.nnz)
    return gram < residual


def working_design(X, y, sample_weight, fit_intercept, standardize, precompute, owned=False, n_alphas=None):
    """The working problem for `enet_path` and the estimators, and the `precompute` for `solve_path`.

    X comes validated except for NaN/inf (``as_design_matrix(check_finite=False)``): when the Gram
    kernel will run, `gram_design` builds the statistics in as few passes over X as possible, checks
    finiteness through them and makes no copy of X (a user Gram matrix for the untransformed X is
    used through the same route). Otherwise (residual updates, or data so large or small that their
    squares overflow or vanish) X is checked here and the dense design is built (in place when
    `owned`: X is then a private Fortran copy the caller gives up).
    """
    n_samples, n_features = X.shape
    if sparse.issparse(X):  # validated CSC: the design is O(nnz) and never densifies X
        design = sparse_design(X, y, sample_weight, fit_intercept, standardize)
        if isinstance(precompute, str) and not lazy_gram_is_better(design, precompute):  # 'auto' (validated)
            precompute = sparse_gram_is_cheaper(X, n_alphas)
        return design, precompute
    transformed = fit_intercept or sample_weight is not None or standardize
    user_gram = isinstance(precompute, np.ndarray)
    wants_gram = precompute is True or user_gram or (
        precompute == "auto" and gram_is_cheaper(n_samples, n_features, X.dtype))
    if wants_gram:
        given = None
        if user_gram and not transformed:
            v.check_finite(X)
            given = np.ascontiguousarray(precompute, dtype=X.dtype)
        design = gram_design(X, y, sample_weight, fit_intercept, standardize, G=given)
        if design is not None:
            if user_gram and transformed:
                _warn_gram_recomputed()
            return design, True
    v.check_finite(X)
    return dense_design(X, y, sample_weight, fit_intercept, standardize, owned=owned), precompute


class Penalization:
    """Validated penalty factors and bounds of a call (`check_penalization`), applied to designs by
    `penalized_design` and undone on the results by `expand`."""

    def __init__(self, factor, excluded, lower, upper, n_features):
        self.excluded = excluded if excluded is not None and excluded.any() else None
        # every feature excluded: the intercept-only model, solved on one all-zero column (its
        # coefficient stays 0, every gap is 0), so that paths, estimators and CV need no special case
        self.intercept_only = self.excluded is not None and bool(self.excluded.all())
        keep = slice(None) if self.excluded is None else ~self.excluded
        self.keep = keep
        self.active = factor is not None or lower is not None or upper is not None
        if self.intercept_only:
            factor = lower = upper = None
        self.factor = None if factor is None else factor[keep]
        self.lower = None if lower is None else lower[keep]
        self.upper = None if upper is None else upper[keep]
        self.n_features = n_features
        if self.factor is not None and self.factor.size and not (self.factor > 0).any():
            raise ValueError(
                "penalty_factor is 0 for every feature that is not excluded: nothing is penalized. Fit "
                "ordinary least squares instead, or give some features a positive factor."
            )

    def kept(self):
        """The same penalization for X already restricted to its kept columns."""
        return Penalization(self.factor, None, self.lower, self.upper, int(np.size(self.factor)) if self.factor
                            is not None else None)

    def apply(self, design):
        """The design with the factors and bounds applied (`penalize`); unchanged when there are none."""
        return penalize(design, self.factor, self.lower, self.upper) if self.active else design

    def columns(self, X):
        """X without its excluded columns (a copy of the kept columns when some are excluded; one zero
        column when all are)."""
        if self.excluded is None:
            return X
        if self.intercept_only:
            n_samples = X.shape[0]
            return (sparse.csc_matrix((n_samples, 1), dtype=X.dtype) if sparse.issparse(X)
                    else np.zeros((n_samples, 1), dtype=X.dtype, order="F"))
        return X[:, np.flatnonzero(~self.excluded)] if sparse.issparse(X) else np.asfortranarray(X[:, ~self.excluded])

    def restrict(self, coef):
        """The coefficients (e.g. a warm start) of the columns `columns` keeps."""
        if self.intercept_only:
            return np.zeros(1, dtype=coef.dtype)
        return coef[self.keep]

    def expand(self, path):
        """The path with zero rows for the excluded features."""
        if self.excluded is None:
            return path
        coefs = np.zeros((self.n_features, path.coefs.shape[1]), dtype=path.coefs.dtype)
        if not self.intercept_only:
            coefs[~self.excluded] = path.coefs
        path.coefs = coefs
        return path


def check_penalization(penalty_factor, lower_bounds, upper_bounds, positive, n_features):
    factor, excluded = v.check_penalty_factor(penalty_factor, n_features)
    lower, upper = v.check_bounds(lower_bounds, upper_bounds, positive, n_features)
    return Penalization(factor, excluded, lower, upper, n_features)


def penalized_design(X, y, sample_weight, fit_intercept, standardize, precompute, penalization, owned=False,
                     n_alphas=None):
    """`working_design` on X's kept columns, with the penalty factors and bounds applied (`penalize`).

    A user Gram matrix is checked against X first (`check_gram`), also when it is then recomputed."""
    if isinstance(precompute, np.ndarray):
        check_user_gram(precompute, X, sample_weight, fit_intercept)
    if penalization.active and isinstance(precompute, np.ndarray):
        if penalization.excluded is not None or penalization.factor is not None:
            _warn_gram_recomputed()
            precompute = True
    X = penalization.columns(X)
    design, precompute = working_design(X, y, sample_weight, fit_intercept, standardize, precompute, owned,
                                        n_alphas)
    design = penalization.apply(design)
    if not design.has_data:
        # statistics summed from a dense X: the data stay at hand (never copied unless used) for
        # the penalties the statistics cannot certify (`CertifiedGramSolver`)
        kept = penalization.kept()
        design.data_design = lambda: penalized_design(X, y, sample_weight, fit_intercept, standardize, False,
                                                      kept)[0]
    return design, precompute


def check_user_gram(G, X, sample_weight, fit_intercept):
    """`check_gram` on a validated X whose NaN/inf check may still be pending (`working_design`)."""
    if not sparse.issparse(X):
        v.check_finite(X)
    v.check_gram(G, X, sample_weight, fit_intercept)


def _warn_gram_recomputed():
    warnings.warn(
        "precompute: the Gram matrix given was computed on X, but the solver works on X centered, "
        "weighted or scaled (fit_intercept, sample_weight, standardize); recomputing it.",
        UserWarning, stacklevel=v.caller_stacklevel(),
    )


class Path:
    """A regularization path.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Penalties, in decreasing order.
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients at each alpha (input dtype).
    intercepts : ndarray of shape (n_alphas,)
        Intercepts (0 when ``fit_intercept=False``).
    dual_gaps : ndarray of shape (n_alphas,)
        Certified duality gaps of the returned solutions, in the units of the objective
        ``1/(2n) ||y - Xw - b||^2 + penalty``. From the Gram route, the gap is recomputed from the
        returned w and includes the statistics' rounding when that is not negligible (coefficients
        that cancel on ill-conditioned data; see `statistics_rounding`).
    n_iters : ndarray of shape (n_alphas,)
        Epochs run by the solver at each alpha.
    converged : ndarray of bool of shape (n_alphas,)
        Whether the gap reached its target ``tol * ||y - mean(y)||^2 / n``.
    solver : str
        The kernel that produced the path; '+residual' when the statistics could not certify some
        penalties and the residual kernel, on X, did ('cd-gram+residual').
    l1_ratio, tol : float
        The settings of the path.
    dev_ratios : ndarray of shape (n_alphas,)
        Fraction of the (null) deviance explained at each alpha, ``1 - ||r||^2 / ||y - mean(y)||^2``
        (weighted; ``||y||^2`` without intercept): glmnet's ``dev.ratio``.
    stop_reason : str or None
        None when every alpha was solved; else the path stop that ended it early ('dfmax', 'devmax',
        'fdev'; see `enet_path`), and the arrays above hold the alphas solved before it.

    Unpacking gives scikit-learn's tuple: ``alphas, coefs, dual_gaps = enet_path(X, y)``, and
    ``alphas, coefs, dual_gaps, n_iters`` when ``return_n_iter=True``.
    """

    def __init__(self, alphas, coefs, intercepts, dual_gaps, n_iters, converged, solver,
                 l1_ratio, tol, return_n_iter=False):
        self.alphas = alphas
        self.coefs = coefs
        self.intercepts = intercepts
        self.dual_gaps = dual_gaps
        self.n_iters = n_iters
        self.converged = converged
        self.solver = solver
        self.l1_ratio = l1_ratio
        self.tol = tol
        self._return_n_iter = return_n_iter
        self.dev_ratios = None
        self.stop_reason = None

    def _as_tuple(self):
        base = (self.alphas, self.coefs, self.dual_gaps)
        return base + (list(self.n_iters),) if self._return_n_iter else base

    def __iter__(self):
        return iter(self._as_tuple())

    def __len__(self):
        return len(self._as_tuple())

    def __getitem__(self, i):
        return self._as_tuple()[i]

    def __repr__(self):
        n_features, n_alphas = self.coefs.shape
        return (
            f"Path(n_alphas={n_alphas}, n_features={n_features}, alphas=[{self.alphas[0]:.4g} .. "
            f"{self.alphas[-1]:.4g}], l1_ratio={self.l1_ratio}, solver={self.solver!r}, "
            f"max dual gap={np.max(self.dual_gaps):.3g}, all converged={bool(self.converged.all())})"
        )


def alpha_grid(design, l1_ratio, eps, n_alphas, positive, Xy=None):
    """Log-spaced alphas from alpha_max = ||X^T (y - mean y)||_inf / (n l1_ratio) down to eps * alpha_max."""
    if l1_ratio == 0:
        raise ValueError(
            "An automatic alpha grid needs an L1 penalty, but l1_ratio=0; pass the penalties "
            "yourself with alphas=[...] (or use l1_ratio > 0)."
        )
    alpha_max = design.alpha_max(l1_ratio, positive, Xty=Xy)
    if alpha_max == 0:  # y is constant (or orthogonal to X): every alpha gives w = 0
        return np.full(n_alphas, np.finfo(np.float64).resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def solve_path(design, alphas, *, l1_ratio, coef_init=None, tol=1e-4, max_iter=1000, seed=1,
               random=False, positive=False, screening=True, verbose=False, return_n_iter=False,
               precompute=False, newton=True, working_set=True, anderson=True, dfmax=None, devmax=None,
               fdev=None):
    """Run a kernel along `alphas` (any order; solved as given) with warm starts. No validation here.

    Path stops (glmnet's, None = off): `dfmax` ends the path before the first alpha with more than
    dfmax non-zero coefficients; from the `MIN_ALPHAS_BEFORE_STOP`-th alpha on, `devmax` ends it after
    an alpha whose fraction of deviance explained exceeds devmax, `fdev` after one that improved that
    fraction by less than fdev times itself (an alpha its warm start already solves to tol, in 0
    epochs, does not count: it did not move). `Path.stop_reason` says which rule ended the path.

    The kernel is the Gram kernel when `choose_gram` returns a matrix, the dense residual one otherwise.
    `anderson=False` turns off the dense kernel's Anderson extrapolation. `working_set=False` turns
    off working sets for p > n (the residual kernel then visits every
    feature). `newton=False` turns off the Gram kernel's Newton steps (plain coordinate descent; for tests and
    benchmarks). They are off when p >= n: the supports of a path then soon hold more columns than
    the rank of G, and steps on the independent part of a support help little.
    """
    G = choose_gram(design, precompute)
    # the working problem with its data, for the penalties the statistics cannot certify (None: the
    # statistics are all there is)
    held = design
    data = (lambda: held) if design.has_data else design.data_design
    if G is not None and design.dtype == np.float32 and not isinstance(design, PartialledDesign):
        # float32 data: the Gram kernel runs on float64 statistics (coefficients stay float32)
        design = float64_statistics(design)
        G = design.G
    # the dtype the statistics were summed in: float32 statistics keep its rounding once widened
    sums_dtype = design.dtype if held.has_data else held.dtype
    n_features = design.n_features
    dtype = design.dtype
    n_alphas = len(alphas)
    coefs = np.empty((design.n_coefs, n_alphas), dtype=design.result_dtype)
    intercepts = np.empty(n_alphas)
    gaps = np.empty(n_alphas)
    n_iters = np.empty(n_alphas, dtype=np.intp)
    converged = np.empty(n_alphas, dtype=bool)

    w = np.zeros(n_features, dtype=dtype) if coef_init is None else design.coef_to_work(coef_init).copy()
    # the stopping rule: gap <= tol * ||y||^2 (working units, i.e. tol * ||y||^2 / n for the user)
    tol_gap = dtype.type(tol * design.null_norm2)
    options = dict(max_iter=max_iter, tol_gap=tol_gap, tol=dtype.type(tol), seed=seed, random=random,
                   positive=positive, screening=screening, newton=newton,
                   anderson=ANDERSON if anderson else 0)
    if G is not None:
        solver = CertifiedGramSolver(GramSolver(design, G, w, **options), design, data, sums_dtype, options)
    elif lazy_gram_is_better(design, precompute):
        solver = CertifiedGramSolver(LazyGramSolver(design, w, **options), design, data, sums_dtype, options)
    elif working_set and design.n_features > design.n_samples:
        solver = WorkingSetSolver(design, w, **options)
    else:
        solver = ResidualSolver(design, w, **options)
    dev_ratios = np.empty(n_alphas)
    stop_reason, n_done = None, n_alphas
    for i, alpha in enumerate(alphas):
        l1_reg, l2_reg = (dtype.type(p) for p in design.penalties(alpha, l1_ratio))
        gap, n_iter, status = solver(w, l1_reg, l2_reg)
        if dfmax is not None and np.count_nonzero(w) > dfmax:
            stop_reason, n_done = "dfmax", i
            break
        dev_ratios[i] = 1.0 - solver.residual_norm2(w) / design.null_norm2 if design.null_norm2 > 0 else 0.0
        coef = design.coef_to_user(w)
        coefs[:, i] = coef
        intercepts[i] = design.intercept(coef)
        gaps[i] = design.gap_to_user(gap)
        n_iters[i] = n_iter
        converged[i] = status == 0
        if status == UNCERTIFIED:
            target = design.gap_to_user(float(tol_gap))
            warnings.warn(
                f"The statistics cannot certify alpha={alpha:.6g}: the duality gap computed from X^T X, "
                f"X^T y and y^T y carries rounding of about {design.gap_to_user(solver.rounding):.1e} "
                f"(the coefficients cancel: sqrt(sum_j w_j^2 ||x_j||^2) is {solver.cancellation:.1e} times ||y||, "
                f"and X^T X squares that condition), more than the target {target:.3e} allows; the gap "
                f"reported includes it. Fit from the data (X, y) with precompute=False, or use a larger "
                f"alpha (eps) or tol.",
                v.sklearn_compatible(v.ConvergenceWarning),
                stacklevel=v.caller_stacklevel(),
            )
        elif status != 0:
            target = design.gap_to_user(float(tol_gap))
            norm = "||y - mean(y)||^2" if design.fit_intercept else "||y||^2"
            warnings.warn(
                f"Coordinate descent did not converge at alpha={alpha:.6g}: duality gap {gaps[i]:.3e} "
                f"is above the target {target:.3e} (tol={tol:g} times {norm} / n) after "
                f"max_iter={max_iter} epochs. Increase max_iter, loosen tol, or scale the features "
                f"(e.g. standardize X).",
                v.sklearn_compatible(v.ConvergenceWarning),
                stacklevel=v.caller_stacklevel(),
            )
        if verbose:
            msg = f"alpha {i + 1}/{n_alphas} = {alpha:.4g}: gap {gaps[i]:.3e}, {n_iter} epochs, " \
                  f"{int(np.count_nonzero(coef))} non-zero"
            print(msg, file=sys.stderr)
        if i + 1 >= MIN_ALPHAS_BEFORE_STOP and i + 1 < n_alphas:
            if devmax is not None and dev_ratios[i] > devmax:
                stop_reason, n_done = "devmax", i + 1
                break
            # an alpha the warm start already solves to tol (0 epochs) has not moved: not a sign
            if fdev is not None and n_iter > 0 and dev_ratios[i] - dev_ratios[i - 1] < fdev * dev_ratios[i]:
                stop_reason, n_done = "fdev", i + 1
                break
    done = slice(0, n_done)
    path = Path(np.asarray(alphas)[done], coefs[:, done], intercepts[done], gaps[done], n_iters[done],
                converged[done], solver.name, l1_ratio, tol, return_n_iter)
    path.dev_ratios = dev_ratios[done]
    path.stop_reason = stop_reason
    return path


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None, precompute="auto", Xy=None,
              copy_X=True, coef_init=None, verbose=False, return_n_iter=False, positive=False,
              check_input=True, fit_intercept=False, sample_weight=None, tol=1e-4, max_iter=1000,
              random_state=None, selection="cyclic", screening=True, standardize=False, working_set=True,
              anderson=True, newton=True, dfmax=None, early_stopping=False, devmax=0.999, fdev=1e-5,
              penalty_factor=None, lower_bounds=None, upper_bounds=None):
    """Compute an ElasticNet path with coordinate descent.

    Minimizes, for each alpha,

        1/(2 n) ||y - X w - b||^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2

    (with sample weights s normalized to sum to n: 1/(2n) sum_i s_i (y_i - x_i^T w - b)^2 + ...),
    warm-starting each alpha from the previous solution. As in scikit-learn, ``b = 0`` unless
    ``fit_intercept=True``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training data (float32 kept, anything else converted to float64). Never modified; at most one
        working copy is made (Fortran order, centered and weighted when needed).
    y : array-like of shape (n_samples,)
        Target.
    l1_ratio : float, default=0.5
        Mix of the L1 and L2 penalties, in [0, 1]; 1 is the Lasso.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default=100
        Number of alphas of the automatic grid.
    alphas : array-like or int, default=None
        Penalties to use (sorted in decreasing order), or the number of alphas of the automatic grid (a
        single float is an error, as in scikit-learn: pass ``[0.1]`` for one alpha).
    precompute : 'auto', bool or ndarray, default='auto'
        Gram-matrix mode: True solves from ``X.T @ X`` (covariance updates, cost per moved coordinate
        O(p) instead of O(n), plus Newton steps on the support), an array is a precomputed ``X.T @ X``
        (checked first: symmetric and equal to ``X.T @ X`` in a random direction, to rounding, or with
        an intercept or weights to scikit-learn's Gram matrix of X centered and weighted; then used as
        given when the working X is X itself, recomputed with a warning otherwise),
        False uses residual updates, and 'auto' picks the Gram mode when n > p and the matrix fits in
        1 GiB, Gram columns on demand when n > p and it does not (the cost model is in
        `gram_is_cheaper`). With an intercept, weights or standardization
        the Gram mode accumulates the statistics over row blocks and makes no copy of X. The kernel
        used is reported in ``Path.solver``.
    Xy : array-like of shape (n_features,), default=None
        Precomputed ``X.T @ y`` of the problem solved, used only for the automatic grid's alpha_max:
        of X and y centered by their (weighted) means when fitting an intercept (as scikit-learn's
        ElasticNet computes it), of the rows weighted by ``sample_weight`` normalized to sum to
        n_samples, and of the standardized columns with ``standardize``. Ignored with penalty factors
        or bounds (the grid comes from the penalized problem). Checked in a few entries (the largest
        and four at random): a mismatch beyond rounding is a ValueError.
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never modifies X.
    coef_init : array-like of shape (n_features,), default=None
        Initial coefficients (warm start) for the first alpha.
    verbose : bool or int, default=False
        Print one line per alpha to stderr.
    return_n_iter : bool, default=False
        Also unpack to the number of epochs per alpha.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    check_input : bool, default=True
        Accepted for compatibility; inputs are always validated once per call.
    fit_intercept : bool, default=False
        Fit an unpenalized intercept (by centering X and y; ``Path.intercepts``).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights; a weight k is the same as k repeated rows.
    tol : float, default=1e-4
        Stop when the duality gap is <= ``tol * ||y - mean(y)||^2 / n`` (``||y||^2`` without intercept).
    max_iter : int, default=1000
        Maximum number of epochs per alpha.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.
    screening : bool, default=True
        Gap-safe screening (never changes the solution; off for benchmarks and debugging).
    standardize : bool, default=False
        Penalize the coefficients of the columns scaled to unit (weighted) variance, as glmnet does;
        coefficients are reported on the original scale. Off by default, as in scikit-learn.
    working_set, anderson, newton : bool, default=True
        The accelerations, each of which can be switched off (benchmarks, debugging; the solutions stay
        certified either way): working sets when p > n, Anderson extrapolation of the residual kernel's
        iterates, Newton steps on the support in the Gram kernel.
    dfmax : int, default=None
        Stop the path before the first alpha whose solution has more than dfmax non-zero coefficients
        (glmnet's ``dfmax``); the alphas solved before it are returned. None: no limit.
    early_stopping : bool, default=False
        glmnet's path stops, off by default for scikit-learn parity: from the 5th alpha on, stop after
        an alpha whose fraction of deviance explained (``Path.dev_ratios``) exceeds `devmax`, or
        improved on the previous one by less than `fdev` times itself.
    devmax, fdev : float, default=0.999, 1e-5
        The thresholds of `early_stopping` (glmnet's defaults).
    penalty_factor : array-like of shape (n_features,), default=None
        glmnet's penalty factors: feature j's penalty is multiplied by penalty_factor[j], in both the
        L1 and the L2 part. 0: never penalized (fitted by least squares given the others, like the
        intercept); inf: excluded (always 0; every feature excluded is the intercept-only model:
        coefficients 0, intercept the weighted mean of y, gaps 0). Rescaled, as glmnet does, to sum to
        n_features (an excluded feature counting as 1), so that the same alpha means the same as in
        glmnet; the automatic grid follows.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients, containing 0 (``positive=True`` is lower_bounds=0). The
        solver projects each update exactly and certifies the solution with the Fenchel duality gap
        of the constrained problem (gap-safe screening and Newton steps are then off).

    Returns
    -------
    path : Path
        Unpacks to ``alphas, coefs, dual_gaps`` (plus ``n_iters`` with ``return_n_iter``); also has
        ``intercepts``, ``converged`` and ``solver``.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5)); y = X @ [1.0, 0, 0, -2.0, 0] + 0.1 * rng.standard_normal(50)
    >>> alphas, coefs, gaps = fastreg.enet_path(X, y, l1_ratio=0.9, n_alphas=5)
    >>> coefs.shape
    (5, 5)
    """
    X = v.as_design_matrix(X, check_finite=False, accept_sparse=True)  # finiteness: see working_design
    n_samples, n_features = X.shape
    y = v.as_target(y, n_samples, X.dtype, allow_2d=False)
    sample_weight = v.as_sample_weight(sample_weight, n_samples, X.dtype)
    l1_ratio, tol, max_iter, alphas, eps, n_alphas = _check_path_settings(
        l1_ratio, tol, max_iter, selection, alphas, eps, n_alphas)
    precompute = v.check_precompute(precompute, n_features)
    (fit_intercept, standardize, positive, copy_X, return_n_iter, check_input, screening, working_set, anderson,
     newton) = v.check_bools(
        fit_intercept=fit_intercept, standardize=standardize, positive=positive, copy_X=copy_X,
        return_n_iter=return_n_iter, check_input=check_input, screening=screening, working_set=working_set,
        anderson=anderson, newton=newton)
    verbose = v.check_verbose(verbose)
    v.check_random_state(random_state)
    if coef_init is not None:
        coef_init = v.as_vector(coef_init, n_features, "coef_init", dtype=X.dtype)
    if Xy is not None:
        Xy = v.as_vector(Xy, n_features, "Xy")

    stops = _check_path_stops(dfmax, early_stopping, devmax, fdev)
    penalization = check_penalization(penalty_factor, lower_bounds, upper_bounds, positive, n_features)
    if penalization.active:
        Xy = None  # the grid comes from the penalized design
        if coef_init is not None:
            coef_init = penalization.restrict(coef_init)
    design, precompute = penalized_design(X, y, sample_weight, fit_intercept, standardize, precompute,
                                          penalization, n_alphas=n_alphas if alphas is None else len(alphas))
    if Xy is not None and alphas is None:  # X is known finite now (`working_design`)
        v.check_Xy(Xy, X, y, sample_weight, fit_intercept, standardize)
        # Xy is in units of weights summing to n_samples; a statistics design's are the raw weights'
        Xy = Xy.astype(np.float64) * (design.n_samples / n_samples)
    return penalization.expand(_grid_and_solve(
        design, alphas, eps=eps, n_alphas=n_alphas, Xy=Xy, l1_ratio=l1_ratio, coef_init=coef_init, tol=tol,
        max_iter=max_iter, selection=selection, random_state=random_state, positive=positive,
        screening=screening, verbose=verbose, return_n_iter=return_n_iter, precompute=precompute,
        working_set=working_set, anderson=anderson, newton=newton, **stops,
    ))


def _check_path_stops(dfmax, early_stopping, devmax, fdev):
    """The solve_path arguments of the path stops (validated, the thresholds also when they are off)."""
    if dfmax is not None:
        dfmax = v.check_scalar(dfmax, "dfmax", kind=numbers.Integral, low=0)
    early_stopping = v.check_bool(early_stopping, "early_stopping")
    devmax = v.check_scalar(devmax, "devmax", low=0.0, high=1.0)
    fdev = v.check_scalar(fdev, "fdev", low=0.0)
    if not early_stopping:
        return dict(dfmax=dfmax, devmax=None, fdev=None)
    return dict(dfmax=dfmax, devmax=devmax, fdev=fdev)


def _grid_and_solve(design, alphas, *, eps, n_alphas, Xy, selection, random_state, positive, screening,
                    **solve_options):
    """The automatic grid when no alphas were given, then `solve_path` (shared by the path functions)."""
    if alphas is None:
        alphas = alpha_grid(design, solve_options["l1_ratio"], eps, n_alphas, positive, Xy=Xy)
    elif alphas[-1] == 0:
        v.warn_alpha_zero(0.0)
    return solve_path(
        design, alphas, seed=v.seed_from_random_state(random_state) if selection == "random" else 1,
        random=selection == "random", positive=bool(positive), screening=bool(screening), **solve_options,
    )


def lasso_path(X, y, *, eps=1e-3, n_alphas=100, alphas=None, precompute="auto", Xy=None, copy_X=True,
               coef_init=None, verbose=False, return_n_iter=False, positive=False, **params):
    """Compute a Lasso path: `enet_path` with ``l1_ratio=1``; same parameters and return value.

    Minimizes ``1/(2 n) ||y - X w - b||^2 + alpha ||w||_1`` for each alpha.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]); y = np.array([1.0, 2.0, 3.5])
    >>> alphas, coefs, gaps = fastreg.lasso_path(X, y, n_alphas=3)
    >>> coefs.shape
    (2, 3)
    """
    if "l1_ratio" in params:
        raise TypeError("lasso_path has no l1_ratio (it is 1); use enet_path for other mixes.")
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas, precompute=precompute,
                     Xy=Xy, copy_X=copy_X, coef_init=coef_init, verbose=verbose,
                     return_n_iter=return_n_iter, positive=positive, **params)


def enet_path_from_stats(stats, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None, fit_intercept=True,
                         standardize=False, coef_init=None, tol=1e-4, max_iter=1000, positive=False,
                         random_state=None, selection="cyclic", screening=True, verbose=False,
                         return_n_iter=False, newton=True, dfmax=None, early_stopping=False, devmax=0.999,
                         fdev=1e-5):
    """ElasticNet path from sufficient statistics alone (no X): the Gram kernel on `stats`.

    Same objective, grid, `tol` units and result as `enet_path`; `stats` is a `SufficientStats` (e.g.
    the sum of statistics built chunk by chunk, or ``total - fold``). With weights in the statistics the
    loss is ``1/(2 W) sum_i s_i r_i^2``, W the weight sum, as in `enet_path`. ``newton=False`` turns
    off the Gram kernel's Newton steps; `dfmax`, `early_stopping`, `devmax`, `fdev` are `enet_path`'s
    path stops. `stats` is checked first for evidence that they are the statistics of some data (at
    least one row, a non-negative centered diagonal and y^T y, Cauchy-Schwarz for every X^T y entry, to
    rounding; `fastreg._validation.check_stats`): a ValueError otherwise, e.g. after subtracting rows
    that were never added.
    A penalty whose gap the statistics cannot certify to `tol` (ill-conditioned data at a
    small alpha, where the gap's rounding, about eps times the squared condition number, exceeds the
    target) is reported unconverged with a ConvergenceWarning that says so: fit it from X.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 6)); y = X @ [1.0, 0, 0, -1.0, 0, 0] + 0.1 * rng.standard_normal(200)
    >>> path = fastreg.enet_path_from_stats(fastreg.SufficientStats.from_arrays(X, y), l1_ratio=1.0)
    >>> path.solver
    'cd-gram'
    """
    if not isinstance(stats, SufficientStats):
        raise TypeError(f"stats must be a fastreg.SufficientStats, got {type(stats).__name__}.")
    v.check_stats(stats)
    l1_ratio, tol, max_iter, alphas, eps, n_alphas = _check_path_settings(
        l1_ratio, tol, max_iter, selection, alphas, eps, n_alphas)
    fit_intercept, standardize, positive, screening, return_n_iter, newton = v.check_bools(
        fit_intercept=fit_intercept, standardize=standardize, positive=positive, screening=screening,
        return_n_iter=return_n_iter, newton=newton)
    verbose = v.check_verbose(verbose)
    v.check_random_state(random_state)
    stops = _check_path_stops(dfmax, early_stopping, devmax, fdev)
    if coef_init is not None:
        coef_init = v.as_vector(coef_init, stats.n_features, "coef_init", dtype=stats.dtype)
    design = stats_design(stats, fit_intercept, standardize)
    return _grid_and_solve(
        design, alphas, eps=eps, n_alphas=n_alphas, Xy=None, l1_ratio=l1_ratio, coef_init=coef_init, tol=tol,
        max_iter=max_iter, selection=selection, random_state=random_state, positive=positive,
        screening=screening, verbose=verbose, return_n_iter=return_n_iter, precompute=True, newton=newton,
        **stops,
    )


def _check_path_settings(l1_ratio, tol, max_iter, selection, alphas, eps, n_alphas):
    """Validate the settings shared by the path functions; alphas come back sorted decreasing."""
    l1_ratio = v.check_l1_ratio(l1_ratio)
    tol = v.check_scalar(tol, "tol", low=0.0)
    max_iter = v.check_scalar(max_iter, "max_iter", kind=numbers.Integral, low=1)
    v.check_choice(selection, "selection", {"cyclic", "random"})
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        n_alphas, alphas = v.check_scalar(alphas, "alphas", kind=numbers.Integral, low=1), None
    # the grid's settings are checked also when alphas are given, as every other parameter
    eps = v.check_scalar(eps, "eps", low=0.0, low_inclusive=False)
    n_alphas = v.check_scalar(n_alphas, "n_alphas", kind=numbers.Integral, low=1)
    if alphas is not None:
        alphas = np.sort(v.check_alphas(alphas))[::-1]
    return l1_ratio, tol, max_iter, alphas, eps, n_alphas


# ----------------------------------------------------------------------------------------------------
# Ridge: the front ends of the direct solvers in fastreg._ridge (validation in fastreg._validation,
# statistics in fastreg._stats)


class RidgeFit(NamedTuple):
    """What `ridge` returns: a named tuple ``coef, intercept, solver, n_iter``."""

    coef: np.ndarray
    """ndarray of shape (n_features,) for 1-D y, (n_targets, n_features) for 2-D y, in X's dtype."""
    intercept: object
    """float for 1-D y, ndarray of shape (n_targets,) for 2-D y (0.0 without intercept)."""
    solver: str
    """'cholesky' (primal, X^T X + alpha I), 'cholesky-dual' (X X^T + alpha I), 'lsqr', or 'svd' (the
    solve from X when the factorization cannot be trusted)."""
    n_iter: object = None
    """LSQR iterations per target (None for the direct solvers)."""


def ridge(X, y, alpha, *, sample_weight=None, fit_intercept=True, solver="auto", tol=1e-6, max_iter=None):
    """Ridge regression by a Cholesky factorization (primal or dual), as scikit-learn's ``Ridge``.

    Minimizes ``sum_i s_i (y_i - x_i^T w - b)^2 + alpha ||w||^2`` (not divided by n; s the sample
    weights, 1 by default) for every target of y.

    Parameters
    ----------
    X : {ndarray, scipy.sparse matrix} of shape (n_samples, n_features)
        float32 stays float32 (float32 arithmetic and coefficients), anything else becomes float64.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Every target is solved with the same factorization.
    alpha : float or array-like of shape (n_targets,)
        Penalty (>= 0), one for all targets or one per target (one factorization per distinct value).
    sample_weight : array-like of shape (n_samples,) or float, default=None
        Non-negative weights multiplying the squared loss (not normalized): a weight k is k repeated rows.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (exactly: the problem is solved on centered data; sparse X is
        centered implicitly).
    solver : {'auto', 'cholesky', 'lsqr'}, default='auto'
        'cholesky': potrf/potrs of ``X~^T X~ + alpha I`` when n >= p, of ``X~ X~^T + alpha I`` when p > n.
        'lsqr': LSQR on the implicitly centered operator (iterative, ``tol``, ``max_iter``).
        'auto': 'cholesky', except for sparse X whose smaller Gram matrix exceeds 1 GiB ('lsqr').
        When the factorization fails or its condition estimate is below dimension * eps (or, for
        alpha = 0, below sqrt(eps)), the solve comes from an SVD of the centered X instead (the
        minimum-norm least-squares solution for alpha = 0; LSQR for a sparse X too large to densify),
        with a warning when the system is singular to working precision, and `solver` says 'svd'
        (or 'lsqr').
    tol : float, default=1e-6
        LSQR's stopping tolerances (atol = btol = tol), also when LSQR replaces an untrusted
        factorization of a large sparse X; unused by Cholesky.
    max_iter : int, default=None
        LSQR's iteration limit (None: scipy's default, 2 * n_features).

    Returns
    -------
    RidgeFit
        A named tuple ``coef, intercept, solver, n_iter`` (``n_iter``: LSQR's iterations, else None).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]]); y = np.array([1.0, 1.0, 4.0, 4.0])
    >>> fit = fastreg.ridge(X, y, alpha=1.0)
    >>> np.round(fit.coef, 4), round(fit.intercept, 4), fit.solver  # 15/17, 12/17, 8/17
    (array([0.8824, 0.7059]), 0.4706, 'cholesky')
    """
    X, Y, sw, one_d = v.check_ridge_data(X, y, sample_weight)
    alphas = v.check_ridge_alpha(alpha, Y.shape[1])
    v.check_choice(solver, "solver", _ridge.SOLVERS)
    tol = v.check_scalar(tol, "tol", low=0.0)
    if max_iter is not None:
        max_iter = v.check_scalar(max_iter, "max_iter", kind=numbers.Integral, low=1)
    fit_intercept = v.check_bool(fit_intercept, "fit_intercept")
    if solver == "lsqr" and not sparse.issparse(X):  # (no Gram matrix to check X by)
        v.check_finite(X)
    coef, intercept, name, n_iter = _ridge.solve(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter)
    coef = coef.astype(X.dtype)
    if one_d:
        return RidgeFit(coef[0], float(intercept[0]), name, None if n_iter is None else int(n_iter[0]))
    return RidgeFit(coef, intercept.astype(X.dtype), name, n_iter)


class RidgePath(NamedTuple):
    """What `ridge_path` returns."""

    alphas: np.ndarray
    """The penalties, in the order given."""
    coefs: np.ndarray
    """(n_features, n_alphas) for 1-D y, (n_targets, n_features, n_alphas) for 2-D y, in X's dtype."""
    intercepts: np.ndarray
    """(n_alphas,) for 1-D y, (n_targets, n_alphas) for 2-D y."""
    solver: str
    """'eigh' (X~^T X~ = V L V^T), 'eigh-dual' (X~ X~^T) or 'svd' (X~ = U S V^T); '+svd' (or '+lsqr', a
    sparse X too large to densify) when the alphas the eigendecomposition cannot resolve were solved
    from X."""


def ridge_path(X, y, alphas, *, sample_weight=None, fit_intercept=True, mode="auto"):
    """Ridge solutions for many alphas from one eigendecomposition.

    One eigendecomposition of ``X~^T X~`` (n >= p) or ``X~ X~^T`` (p > n), X~ the centered, weighted X
    (computed in float64, as scikit-learn's RidgeCV), then every alpha costs O(p^2) (primal) or O(n p)
    (dual) per target. Same objective as `ridge`; alpha = 0 gives the minimum-norm least-squares solution.
    Alphas too small for the eigendecomposition (`ridge`'s condition rules, e.g. alpha = 0 on nearly
    singular data) are solved from an SVD of X~ instead, and `solver` says so.

    Parameters
    ----------
    X : {ndarray, scipy.sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    alphas : array-like of shape (n_alphas,)
        Penalties >= 0, in any order.
    sample_weight : array-like of shape (n_samples,) or float, default=None
    fit_intercept : bool, default=True
    mode : {'auto', 'eigen', 'cov', 'gram', 'svd'}, default='auto'
        'cov': eigh of the p x p matrix; 'gram': eigh of the n x n one; 'auto'/'eigen': the smaller;
        'svd': SVD of the centered X (dense only; slower, more accurate for nearly singular X).

    Returns
    -------
    RidgePath
        ``alphas, coefs, intercepts, solver``.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]]); y = np.array([1.0, 1.0, 4.0, 4.0])
    >>> path = fastreg.ridge_path(X, y, [0.1, 1.0, 10.0])
    >>> np.round(path.coefs[:, 1], 4), path.solver  # alpha = 1.0: the same as `ridge`
    (array([0.8824, 0.7059]), 'eigh')
    """
    X, Y, sw, one_d = v.check_ridge_data(X, y, sample_weight)
    alphas = v.check_ridge_alphas(alphas, positive=False)
    mode = v.check_ridge_mode(v.check_choice(mode, "mode", {"auto", "eigen", "cov", "gram", "svd"}), X)
    mode = _ridge.decomposition(X, mode)
    fit_intercept = v.check_bool(fit_intercept, "fit_intercept")
    if mode == "svd":  # (no Gram matrix to check X by)
        v.check_finite(X)
    unit = _ridge.y_unit(X, Y)
    if unit != 1.0:
        Y = (Y.astype(np.float64) / unit).astype(Y.dtype)
    spectrum = _ridge.spectrum(X, Y, sw, fit_intercept, mode)
    coefs, intercepts, fallback = _ridge.solve_alphas(spectrum, X, Y, sw, fit_intercept, alphas)
    name = _ridge.MODE_NAMES[mode] + ("" if fallback is None else "+" + fallback)
    coefs = (coefs * unit).astype(X.dtype)
    intercepts = intercepts * unit
    if one_d:
        coefs, intercepts = coefs[0], intercepts[0]
    return RidgePath(alphas, coefs, intercepts.astype(X.dtype), name)

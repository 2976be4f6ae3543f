"""The validated options of a fit: `Settings` (how to solve), `Grid` (which penalties) and `Penalty`
(what is penalized, and how results map back to the user's features).

They are built once per call by `check_settings`, `check_grid` and `check_penalty`, which raise on bad
input (through `fastreg._validation`); everything downstream (plan, designs, solvers) takes them as
given and never validates again. All three are immutable (named tuples where a fit builds them often:
they cost a fraction of a frozen dataclass to make).
"""
import numbers
from typing import NamedTuple

import numpy as np
from scipy import sparse

from . import _validation as v


class Settings(NamedTuple):
    """How each penalty is solved and when a path stops.

    tol : the duality-gap target, in units of the null model's ``||y - mean(y)||^2 / n``.
    max_iter : epochs per penalty (per Newton step for an iteratively reweighted datafit).
    max_newton : Newton steps per penalty of an iteratively reweighted datafit (binomial).
    seed, random : the coordinate order (`selection='random'` draws `seed` once per call).
    screening, working_set, anderson, newton : the accelerations (each can be turned off; solutions
        stay certified either way).
    verbose : print one line per penalty to stderr.
    dfmax, devmax, fdev : glmnet's path stops (None: off); see `fastreg.enet_path`.
    """

    tol: float = 1e-4
    max_iter: int = 1000
    seed: int = 1
    random: bool = False
    screening: bool = True
    working_set: bool = True
    anderson: bool = True
    newton: bool = True
    verbose: int = 0
    max_newton: int = 50   # Newton (IRLS) steps per penalty of an iteratively reweighted datafit
    dfmax: int = None
    devmax: float = None
    fdev: float = None


# glmnet's thresholds of its path stops (the defaults of `check_settings`)
DEVMAX, FDEV = 0.999, 1e-5


def check_settings(*, tol=1e-4, max_iter=1000, selection="cyclic", random_state=None, screening=True,
                   working_set=True, anderson=True, newton=True, verbose=False, dfmax=None,
                   early_stopping=False, devmax=DEVMAX, fdev=FDEV, max_newton=50):
    """Validate the solver options of a call (the path stops' thresholds also when they are off)."""
    tol = v.check_scalar(tol, "tol", low=0.0)
    max_iter = v.check_scalar(max_iter, "max_iter", kind=numbers.Integral, low=1)
    v.check_choice(selection, "selection", {"cyclic", "random"})
    v.check_random_state(random_state)
    screening, working_set, anderson, newton, early_stopping = v.check_bools(
        screening=screening, working_set=working_set, anderson=anderson, newton=newton,
        early_stopping=early_stopping)
    verbose = v.check_verbose(verbose)
    if dfmax is not None:
        dfmax = v.check_scalar(dfmax, "dfmax", kind=numbers.Integral, low=0)
    # (the defaults themselves need no check: a single fit of an estimator passes them)
    devmax = devmax if devmax is DEVMAX else v.check_scalar(devmax, "devmax", low=0.0, high=1.0)
    fdev = fdev if fdev is FDEV else v.check_scalar(fdev, "fdev", low=0.0)
    max_newton = v.check_scalar(max_newton, "max_newton", kind=numbers.Integral, low=1)
    random = selection == "random"
    return Settings(
        tol=float(tol), max_iter=int(max_iter), seed=v.seed_from_random_state(random_state) if random else 1,
        random=random, screening=bool(screening), working_set=bool(working_set), anderson=bool(anderson),
        newton=bool(newton), verbose=verbose, max_newton=int(max_newton), dfmax=dfmax,
        devmax=devmax if early_stopping else None, fdev=fdev if early_stopping else None,
    )


class Grid(NamedTuple):
    """The penalties of a path: given (`alphas`, sorted decreasing), or `n_alphas` log-spaced ones
    from alpha_max down to ``eps * alpha_max`` (`fastreg._path.alpha_grid`)."""

    alphas: np.ndarray = None
    eps: float = 1e-3
    n_alphas: int = 100

    @property
    def size(self):
        return self.n_alphas if self.alphas is None else len(self.alphas)


def check_grid(alphas=None, eps=1e-3, n_alphas=100):
    """Validate a grid; an int `alphas` is the number of alphas (scikit-learn's CV estimators)."""
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        n_alphas, alphas = v.check_scalar(alphas, "alphas", kind=numbers.Integral, low=1), None
    # the grid's settings are checked also when alphas are given, as every other parameter
    eps = v.check_scalar(eps, "eps", low=0.0, low_inclusive=False)
    n_alphas = v.check_scalar(n_alphas, "n_alphas", kind=numbers.Integral, low=1)
    if alphas is not None:
        alphas = np.sort(v.check_alphas(alphas))[::-1]
    return Grid(alphas=alphas, eps=float(eps), n_alphas=int(n_alphas))


class Penalty(NamedTuple):
    """What is penalized: the mix, the sign constraint, glmnet's penalty factors and box constraints.

    ``alpha * (l1_ratio * sum_j v_j |w_j| + (1 - l1_ratio) / 2 * sum_j v_j w_j^2)`` subject to
    ``lower <= w <= upper``, v the (rescaled) penalty factors of the features that are not excluded.
    The working problem's units are the design's (`fastreg._design.penalize` maps factors and bounds
    into them, `working` the penalty strengths); excluded features (factor inf) never reach a design:
    `columns` drops them from X and `expand` puts their zero rows back into a path.
    """

    l1_ratio: float
    positive: bool = False
    factor: np.ndarray = None    # of the kept features, or None (all 1)
    lower: np.ndarray = None     # of the kept features, or None
    upper: np.ndarray = None
    excluded: np.ndarray = None  # boolean mask over the user's features, or None
    n_features: int = None       # the user's feature count

    @property
    def intercept_only(self):
        """Every feature excluded: the intercept-only model, solved on one all-zero column (its
        coefficient stays 0, every gap is 0), so that paths, estimators and CV need no special case."""
        return self.excluded is not None and bool(self.excluded.all())

    @property
    def active(self):
        """Whether factors, bounds or excluded features change the working problem (its grid then
        comes from the penalized design, never from a user's X^T y)."""
        return (self.factor is not None or self.lower is not None or self.upper is not None
                or self.excluded is not None)

    @property
    def changes_columns(self):
        """Whether the working X's columns differ from the user's (excluded or rescaled features)."""
        return self.excluded is not None or self.factor is not None

    def with_l1_ratio(self, l1_ratio):
        return self._replace(l1_ratio=float(l1_ratio))

    def subset(self, cols):
        """The penalty of the kept features `cols` (indices), for X restricted to those columns (a
        working set); factors keep their values (no rescaling)."""
        def part(arr):
            return None if arr is None else np.ascontiguousarray(arr[cols])
        return self._replace(factor=part(self.factor), lower=part(self.lower), upper=part(self.upper),
                             excluded=None, n_features=int(np.size(cols)))

    def kept(self):
        """The same penalty for X already restricted to its kept columns (`columns`)."""
        if self.excluded is None:
            return self
        n_kept = None if self.factor is None else int(np.size(self.factor))
        return self._replace(excluded=None, n_features=n_kept)

    def working(self, design, alpha):
        """(l1_reg, l2_reg) of the working problem for the user's alpha, in the design's dtype."""
        dtype = design.dtype.type
        l1_reg, l2_reg = design.penalties(alpha, self.l1_ratio)
        return dtype(l1_reg), dtype(l2_reg)

    def columns(self, X):
        """X without its excluded columns (a copy of the kept columns when some are excluded; one zero
        column when all are)."""
        if self.excluded is None:
            return X
        if self.intercept_only:
            n_samples = X.shape[0]
            return (sparse.csc_matrix((n_samples, 1), dtype=X.dtype) if sparse.issparse(X)
                    else np.zeros((n_samples, 1), dtype=X.dtype, order="F"))
        keep = np.flatnonzero(~self.excluded)
        return X[:, keep] if sparse.issparse(X) else np.asfortranarray(X[:, keep])

    def restrict(self, coef):
        """The coefficients (e.g. a warm start; the features' axis first) of the columns `columns` keeps."""
        if self.excluded is None:
            return coef
        if self.intercept_only:
            return np.zeros((1,) + coef.shape[1:], dtype=coef.dtype)
        return coef[~self.excluded]

    def expand(self, path):
        """The path with zero rows for the excluded features (a new Path; the input is not changed). Its
        coefs have the features' axis first (a block of responses, if any, between it and the alphas)."""
        if self.excluded is None:
            return path
        coefs = np.zeros((self.n_features,) + path.coefs.shape[1:], dtype=path.coefs.dtype)
        if not self.intercept_only:
            coefs[~self.excluded] = path.coefs
        return path.with_coefs(coefs)


def check_penalty(l1_ratio, n_features, *, positive=False, penalty_factor=None, lower_bounds=None,
                  upper_bounds=None):
    """Validate the penalty of a call (`l1_ratio` checked by the caller: CV takes several)."""
    positive = v.check_bool(positive, "positive")
    factor, excluded = v.check_penalty_factor(penalty_factor, n_features)
    lower, upper = v.check_bounds(lower_bounds, upper_bounds, positive, n_features)
    excluded = excluded if excluded is not None and excluded.any() else None
    if excluded is not None and excluded.all():
        factor = lower = upper = None
    elif excluded is not None:
        keep = ~excluded
        factor, lower, upper = (None if a is None else a[keep] for a in (factor, lower, upper))
    if factor is not None and (factor == 0).any():
        for bound in (lower, upper):
            if bound is not None and np.isfinite(bound[factor == 0]).any():
                raise ValueError(
                    "A feature with penalty_factor 0 cannot also be bounded: unpenalized features "
                    "are fitted by least squares. Give it a small positive factor instead."
                )
    if factor is not None and factor.size and not (factor > 0).any():
        raise ValueError(
            "penalty_factor is 0 for every feature that is not excluded: nothing is penalized. Fit "
            "ordinary least squares instead, or give some features a positive factor."
        )
    return Penalty(l1_ratio=float(l1_ratio), positive=bool(positive), factor=factor, lower=lower, upper=upper,
                   excluded=excluded, n_features=int(n_features))

"""The path layer: prepare a problem (plan and design), solve it along a grid of penalties with warm
starts, and the front ends that do both.

Data flow, one way: validate (`fastreg._settings`, `fastreg._validation`) -> plan (`fastreg._plan`) ->
design (`fastreg._design`) -> solve (`solve_path`: `fastreg._solvers` and the kernels) -> `Path`.
`enet_path` and `lasso_path` keep scikit-learn's signature and return value (they unpack to
``alphas, coefs, dual_gaps`` and, with ``return_n_iter=True``, ``n_iters``) and return a `Path` that also
carries the intercepts and the solver used.
"""
import contextlib
import copy
import numbers
import sys
import warnings
from typing import NamedTuple

import numpy as np
from scipy import sparse

from . import _plan
from . import _ridge
from . import _validation as v
from ._design import build_design, build_stats_design, logistic_data, multinomial_data
from ._plan import STATISTICS, Plan, make_plan
from ._settings import Penalty, check_grid, check_penalty, check_settings
from ._datafit import BINOMIAL, GAUSSIAN
from ._multinomial import MULTINOMIAL
from ._dask import any_dask
from ._solvers import UNCERTIFIED, single_threaded_blas, solve_options
from ._stats import SufficientStats
from ._relax import blend, check_relax, relaxed_path

# the deviance stops of a path apply from this many alphas on (glmnet's mnl)
MIN_ALPHAS_BEFORE_STOP = 5


class Problem(NamedTuple):
    """A prepared problem: the working design its plan asked for, the plan, the user's penalty (whose
    `Penalty.expand` maps results back to the user's features) and the datafit (`fastreg._datafit`)."""

    design: object
    plan: Plan
    penalty: Penalty
    datafit: object = GAUSSIAN

    def with_l1_ratio(self, l1_ratio):
        return self._replace(penalty=self.penalty.with_l1_ratio(l1_ratio))


def prepare(X, y, sample_weight, settings, penalty, *, fit_intercept, standardize, precompute, n_alphas=None,
            owned=False, finite=False):
    """The `Problem` of validated arrays: the plan (`make_plan`, for `n_alphas` penalties; None: a
    single fit) and the design built for it (`build_design`) on X's kept columns.

    X comes validated except for NaN/inf (``as_design_matrix(check_finite=False)``), checked by the
    design layer in as few passes as possible. A user Gram matrix is checked against X first
    (`check_gram`), also when it is then recomputed. `finite`: X is known to hold no NaN/inf (a CV's
    rows, checked once for all folds).
    """
    if isinstance(precompute, np.ndarray):
        if not sparse.issparse(X):
            v.check_finite(X)
        v.check_gram(precompute, X, sample_weight, fit_intercept)
    X = penalty.columns(X)
    plan = make_plan(X, precompute, transformed=bool(fit_intercept or sample_weight is not None or standardize),
                     penalty=penalty, n_alphas=n_alphas, working_set=settings.working_set)
    design = build_design(X, y, sample_weight, plan, fit_intercept=fit_intercept, standardize=standardize,
                          penalty=penalty.kept(), owned=owned, finite=finite)
    return Problem(design, plan, penalty)


def prepare_from_stats(stats, penalty, *, fit_intercept, standardize, out_dtype=None, data_design=None):
    """The `Problem` of sufficient statistics (the Gram kernel is the only one that can run);
    `data_design`, when given, builds the same problem on the data (`fastreg._design`)."""
    design = build_stats_design(stats, fit_intercept=fit_intercept, standardize=standardize, penalty=penalty.kept(),
                                out_dtype=out_dtype, data_design=data_design)
    return Problem(design, STATISTICS, penalty)


class Path:
    """A regularization path.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Penalties, in decreasing order.
    coefs : ndarray of shape (n_features, n_alphas), or (n_classes, n_features, n_alphas)
        Coefficients at each alpha (input dtype); a block of responses (the multinomial family's classes)
        first, as scikit-learn's multi-output paths.
    intercepts : ndarray of shape (n_alphas,), or (n_classes, n_alphas)
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
    feature_names : ndarray of str or None
        The column names of a pandas DataFrame X (all strings), else None (plots say "x0", "x1", ...).
    relaxed : Path or None
        With ``relax=True`` (`enet_path`, `lasso_path`, `cv_path`): the relaxed lasso, for each alpha the
        unpenalized least-squares refit on that alpha's support (`fastreg._relax`), on the same alphas;
        its ``dual_gaps`` are 0 (direct solves) and its ``dev_ratios`` the refits'. None otherwise.
    fitted_by : Refit or None
        How the path was fitted (the front end and its options), for `coef`'s ``exact=True`` refits.

    Unpacking gives scikit-learn's tuple: ``alphas, coefs, dual_gaps = enet_path(X, y)``, and
    ``alphas, coefs, dual_gaps, n_iters`` when ``return_n_iter=True``.

    The path tools are glmnet's: `coef` and `intercept` at any alpha (``coef(fit, s=, exact=)``),
    `predict` (``predict(fit, newx, s=)``), `summary` (``print(fit)``) and `to_frame`; the pictures are
    in `fastreg.plot`.
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
        self.feature_names = None
        self.relaxed = None
        self.fitted_by = None

    def with_coefs(self, coefs):
        """The same path with other coefficients (e.g. expanded to the user's features)."""
        path = copy.copy(self)
        path.coefs = coefs
        return path

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
        n_features, n_alphas = self.coefs.shape[-2:]
        return (
            f"Path(n_alphas={n_alphas}, n_features={n_features}, alphas=[{self.alphas[0]:.4g} .. "
            f"{self.alphas[-1]:.4g}], l1_ratio={self.l1_ratio}, solver={self.solver!r}, "
            f"max dual gap={np.max(self.dual_gaps):.3g}, all converged={bool(self.converged.all())})"
        )

    # ------------------------------------------------------------------------------------------------
    # the path tools: glmnet's coef, predict and print

    @property
    def n_features(self):
        return self.coefs.shape[-2]

    def n_nonzero(self):
        """The features with a non-zero coefficient (for some class or task of a block) at each alpha:
        glmnet's ``df``, ndarray of int of shape (n_alphas,)."""
        nonzero = np.asarray(self.coefs) != 0
        return (nonzero.any(axis=0) if nonzero.ndim == 3 else nonzero).sum(axis=0)

    def coef(self, alpha, exact=False, X=None, y=None, *, gamma=1.0, **fit_params):
        """The coefficients at any alpha (glmnet's ``coef(fit, s = alpha, exact = )``).

        At a grid point, the path's own coefficients. Between two grid points, glmnet's ``exact=FALSE``
        (its ``lambda.interp``): linear interpolation **in alpha** (not log alpha) between the two
        neighbouring solutions, ``t c(alpha_hi) + (1 - t) c(alpha_lo)`` with
        ``t = (alpha - alpha_lo) / (alpha_hi - alpha_lo)``. A Lasso path is piecewise linear in alpha,
        so this is exact (to the endpoints' gaps) between grid points with no change of support or
        signs. Beyond the grid, the nearest end's coefficients, with a warning (glmnet clamps too).

        Parameters
        ----------
        alpha : float or array-like of shape (n,)
            Penalties > 0, on the path's scale.
        exact : bool, default=False
            Refit at each alpha that is not on the grid (warm-started from the nearest grid solution,
            with the options the path was fitted with): needs the training data, ``X`` and ``y``
            (a path from statistics: ``X=stats``), and the same ``sample_weight`` when the path was
            weighted.
        X, y : training data for ``exact=True``.
        gamma : float in [0, 1], default=1.0
            The relaxed blend ``gamma * lasso + (1 - gamma) * relaxed`` (glmnet's convention: 1 is the
            lasso, 0 the fully relaxed fit); gamma < 1 needs a path fitted with ``relax=True``.
        **fit_params
            Options of the refit (``sample_weight``, or any the front end takes) for ``exact=True``.

        Returns
        -------
        ndarray of shape (n_features,) for one alpha, (n_features, n) for several; a block of classes
        or tasks first, as `coefs` ((K, n_features) or (K, n_features, n)).

        Examples
        --------
        >>> import numpy as np, fastreg
        >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]]); y = np.array([1.0, 0.0, 1.5, 2.5])
        >>> path = fastreg.lasso_path(X, y, alphas=[0.4, 0.2], fit_intercept=True, tol=1e-12)
        >>> mid = path.coef(0.3)  # halfway between the two solutions (no change of support between them)
        >>> bool(np.allclose(mid, (path.coefs[:, 0] + path.coefs[:, 1]) / 2))
        True
        >>> bool(np.allclose(path.coef(0.3, exact=True, X=X, y=y), mid))
        True
        """
        return self._evaluate(alpha, exact, X, y, gamma, fit_params)[0]

    def intercept(self, alpha, exact=False, X=None, y=None, *, gamma=1.0, **fit_params):
        """The intercept at any alpha, as `coef` (the same interpolation, refit and blend): a float for
        one alpha (ndarray of shape (K,) for a block), else an array with the alphas last."""
        b, one = self._evaluate(alpha, exact, X, y, gamma, fit_params)[1:]
        return float(b) if one and np.ndim(b) == 0 else b

    def predict(self, X, alpha=None, exact=False, *, gamma=1.0, X_train=None, y_train=None, **fit_params):
        """The linear predictor ``X coef + intercept`` (glmnet's ``predict(fit, newx, s = alpha)``, type
        "link": the prediction of a Gaussian path, the log-odds of a logistic one).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            New data, with the path's features (and, for a DataFrame, its column names when known).
        alpha : float, array-like or None, default=None
            One alpha, several, or None: every grid point. Off the grid: `coef`'s interpolation.
        exact, gamma, **fit_params : as `coef`; X_train, y_train are the training data of ``exact=True``.

        Returns
        -------
        ndarray of shape (n_samples,) for one alpha, (n_samples, n_alphas) for several or None; a block
        of K classes or tasks gives (n_samples, K) and (n_samples, K, n_alphas).
        """
        X = v.check_new_data(X, self.n_features, self.feature_names)
        if alpha is None:
            gamma = self._check_gamma(gamma)
            coefs, intercepts, one = self.coefs, self.intercepts, False
            if gamma != 1.0:
                coefs = blend(coefs, self.relaxed.coefs, gamma)
                intercepts = blend(intercepts, self.relaxed.intercepts, gamma)
        else:
            coefs, intercepts, one = self._evaluate(alpha, exact, X_train, y_train, gamma, fit_params)
            if one:
                coefs, intercepts = coefs[..., None], np.asarray(intercepts)[..., None]
        coefs = np.asarray(coefs, dtype=np.float64)
        if coefs.ndim == 3:  # (K, p, m) -> (n, K, m)
            K, p, m = coefs.shape
            pred = np.asarray(X @ coefs.transpose(1, 0, 2).reshape(p, K * m), dtype=np.float64).reshape(-1, K, m)
        else:
            pred = np.asarray(X @ coefs, dtype=np.float64)
        pred = pred + np.asarray(intercepts, dtype=np.float64)[None]
        return pred[..., 0] if one else pred

    def summary(self):
        """glmnet's ``print(fit)``: one line per alpha with Df (non-zeros), %Dev (100 x `dev_ratios`),
        alpha, the certified duality gap and whether it met its target (and %Dev of the relaxed fit
        when there is one). Returns the table as a string."""
        df = self.n_nonzero()
        dev = 100 * np.asarray(self.dev_ratios if self.dev_ratios is not None else np.full(len(self.alphas), np.nan))
        relaxed = None if self.relaxed is None else 100 * np.asarray(self.relaxed.dev_ratios)
        n_features = self.n_features
        head = (f"Path: {len(self.alphas)} alphas, {n_features} features, l1_ratio={self.l1_ratio:g}, "
                f"solver {self.solver!r}" + (f", stopped by {self.stop_reason}" if self.stop_reason else ""))
        columns = f"{'':>4} {'Df':>5} {'%Dev':>7}" + (f" {'%Dev R':>7}" if relaxed is not None else "") + \
            f" {'alpha':>11} {'gap':>10}  converged"
        lines = [head, columns]
        for i, alpha in enumerate(self.alphas):
            row = f"{i + 1:>4} {int(df[i]):>5} {dev[i]:>7.2f}"
            if relaxed is not None:
                row += f" {relaxed[i]:>7.2f}"
            row += f" {float(alpha):>11.4g} {float(self.dual_gaps[i]):>10.3g}  {'yes' if self.converged[i] else 'NO'}"
            lines.append(row)
        return "\n".join(lines)

    def to_frame(self):
        """The summary as a pandas DataFrame (pandas imported here only): one row per alpha, columns
        ``alpha``, ``df`` (non-zeros), ``dev_ratio`` (fraction of deviance explained, `dev_ratios`),
        ``dual_gap``, ``n_iter``, ``converged`` (and ``relaxed_dev_ratio`` for a relaxed path)."""
        try:
            import pandas as pd
        except ImportError as exc:  # (an optional dependency)
            raise ImportError("Path.to_frame needs pandas: pip install pandas (or Path.summary() for text).") from exc
        columns = {"alpha": np.asarray(self.alphas, dtype=np.float64), "df": self.n_nonzero(),
                   "dev_ratio": (np.asarray(self.dev_ratios, dtype=np.float64) if self.dev_ratios is not None
                                 else np.full(len(self.alphas), np.nan)),
                   "dual_gap": np.asarray(self.dual_gaps, dtype=np.float64),
                   "n_iter": np.asarray(self.n_iters), "converged": np.asarray(self.converged, dtype=bool)}
        if self.relaxed is not None:
            columns["relaxed_dev_ratio"] = np.asarray(self.relaxed.dev_ratios, dtype=np.float64)
        return pd.DataFrame(columns)

    def _check_gamma(self, gamma):
        gamma = v.check_gamma(gamma)
        if gamma != 1.0 and self.relaxed is None:
            raise ValueError(f"gamma={gamma:g} blends the lasso with its relaxed fit: fit the path with relax=True "
                             f"(enet_path, lasso_path or cv_path) first; gamma=1 is the lasso itself.")
        return gamma

    def _evaluate(self, alpha, exact, X, y, gamma, fit_params):
        """(coefficients, intercepts, whether one alpha was given) at the query alphas, the alphas last."""
        query, one = v.check_query_alphas(alpha)
        gamma = self._check_gamma(gamma)
        exact = v.check_bool(exact, "exact")
        up, low, t, on_grid = self._interpolation(query, warn=not exact)
        coefs = _interpolate(self.coefs, up, low, t, on_grid)
        intercepts = _interpolate(self.intercepts, up, low, t, on_grid)
        if gamma != 1.0:
            coefs = blend(coefs, _interpolate(self.relaxed.coefs, up, low, t, on_grid), gamma)
            intercepts = blend(intercepts, _interpolate(self.relaxed.intercepts, up, low, t, on_grid), gamma)
        if exact and not on_grid.all():
            refit = self._refitter(X, y, fit_params, query[~on_grid])
            for k in np.flatnonzero(~on_grid):
                coefs[..., k], intercepts[..., k] = refit(float(query[k]), gamma)
        if one:
            return coefs[..., 0], np.asarray(intercepts)[..., 0], True
        return coefs, intercepts, False

    def _interpolation(self, query, warn=True):
        """glmnet's ``lambda.interp`` for the query alphas: the grid index just above (or at) each,
        the one just below, the weight t of the one above, and whether the alpha is a grid point;
        alphas beyond the grid are clamped to its ends (with a warning when `warn`)."""
        grid = np.asarray(self.alphas, dtype=np.float64)
        if grid.size == 0:
            raise ValueError("the path has no alphas (it stopped before the first one).")
        order = np.argsort(grid, kind="stable")  # ascending; ties keep the first grid point first
        ascending = grid[order]
        outside = (query < ascending[0]) | (query > ascending[-1])
        if warn and outside.any():
            warnings.warn(
                f"alpha={float(query[outside][0]):.6g} is outside the path's grid [{ascending[0]:.6g}, "
                f"{ascending[-1]:.6g}]: the coefficients at the nearest end are returned (exact=True refits "
                f"at it).", UserWarning, stacklevel=v.caller_stacklevel())
        clamped = np.clip(query, ascending[0], ascending[-1])
        j = np.searchsorted(ascending, clamped, side="left")  # ascending[j - 1] < alpha <= ascending[j]
        on_grid = ascending[j] == query
        up = order[j]
        low = order[np.maximum(j - 1, 0)]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (clamped - grid[low]) / (grid[up] - grid[low])
        t = np.where((ascending[j] == clamped) | (j == 0), 1.0, t)
        return up, low, t, on_grid

    def _refitter(self, X, y, fit_params, missing):
        """alpha, gamma -> (coefficients, intercept) of a refit at alpha from the nearest grid solution,
        with the options the path was fitted with (`Refit`)."""
        fit = self.fitted_by
        where = f"alpha={float(missing[0]):.6g} is not on the path's grid"
        if fit is None:
            raise ValueError(f"exact=True: {where}, and this path does not record how it was fitted (a path "
                             f"built by hand or with_coefs); refit it with the path function at that alpha.")
        if X is None or (y is None and not fit.from_stats):
            data = "X=stats (the SufficientStats)" if fit.from_stats else "X=X, y=y"
            raise ValueError(f"exact=True refits the path: {where}. Pass the training data again ({data}, and "
                             f"sample_weight=... when the path was fitted with weights), or exact=False to "
                             f"interpolate.")
        if fit.weighted and fit_params.get("sample_weight") is None and not fit.from_stats:
            raise ValueError("exact=True: the path was fitted with sample_weight; pass the same sample_weight=... "
                             "again to refit it.")
        if not fit.from_stats:
            X = v.check_new_data(X, self.n_features, self.feature_names, what="X (the training data)")
        options = {**fit.options, **fit_params}
        with np.errstate(divide="ignore"):
            log_grid = np.log(np.asarray(self.alphas, dtype=np.float64))

        def refit(alpha, gamma):
            nearest = int(np.argmin(np.abs(log_grid - np.log(alpha))))
            relax = {"relax": True} if gamma != 1.0 else {}
            args = (X,) if fit.from_stats else (X, y)
            path = fit.front_end(*args, alphas=[alpha], coef_init=np.asarray(self.coefs[..., nearest]),
                                 **relax, **options)
            coef, b = path.coefs[..., 0], np.asarray(path.intercepts)[..., 0]
            if gamma != 1.0:
                coef = blend(coef, path.relaxed.coefs[..., 0], gamma)
                b = blend(b, np.asarray(path.relaxed.intercepts)[..., 0], gamma)
            return coef, b

        return refit


def _interpolate(values, up, low, t, on_grid):
    """values (..., n_alphas) at the query points: t values[up] + (1 - t) values[low], the grid points'
    own values exactly (a class's -inf intercept included)."""
    values = np.asarray(values)
    hi, lo = values[..., up], values[..., low]
    with np.errstate(invalid="ignore"):
        out = t * hi.astype(np.float64) + (1.0 - t) * lo.astype(np.float64)
    out = np.where(t == 1.0, hi, out)
    return out.astype(values.dtype) if values.dtype.kind == "f" else out


class Refit(NamedTuple):
    """How a path was fitted, for `Path.coef(exact=True)`: the front end, its options (the grid and the
    data-dependent ones excluded: sample_weight must be passed again), whether it was weighted and
    whether its data are statistics."""

    front_end: object
    options: dict
    weighted: bool = False
    from_stats: bool = False


def alpha_grid(design, l1_ratio, eps, n_alphas, positive, Xy=None):
    """Log-spaced alphas from alpha_max = ||X^T (y - mean y)||_inf / (n l1_ratio) down to eps * alpha_max."""
    return _log_grid(GAUSSIAN, design, l1_ratio, eps, n_alphas, positive, Xy)


def _log_grid(datafit, design, l1_ratio, eps, n_alphas, positive, Xy=None):
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. Please supply a grid by "
            "providing your estimator with the appropriate `alphas=` argument: an automatic grid needs "
            "an L1 penalty (alphas=[...], or l1_ratio > 0)."
        )
    alpha_max = datafit.alpha_max(design, l1_ratio, positive, Xty=Xy)
    if alpha_max == 0:  # y is constant (or orthogonal to X): every alpha gives w = 0
        return np.full(n_alphas, np.finfo(np.float64).resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def path_alphas(problem, grid, Xy=None):
    """The penalties of `grid` for `problem`: the given ones, or the automatic grid from its datafit's
    alpha_max (from `Xy`, the user's X^T y in working units, when given)."""
    if grid.alphas is None:
        return _log_grid(problem.datafit, problem.design, problem.penalty.l1_ratio, grid.eps, grid.n_alphas,
                         problem.penalty.positive, Xy)
    if grid.alphas[-1] == 0:
        v.warn_alpha_zero(0.0)
    return grid.alphas


def solve_path(problem, alphas, settings, *, coef_init=None, return_n_iter=False):
    """Solve `problem` along `alphas` (any order; solved as given) with warm starts. No validation here.

    coef_init: a warm start for the first alpha, over the user's features (of shape block +
    (n_features,), the layout of `Path.coefs` without its alphas' axis). The plan's kernel runs
    (`fastreg._solvers.make_solver`); the path stops are the settings' (glmnet's, None = off):
    `dfmax` ends the path before the first alpha with more than dfmax non-zero coefficients; from
    the `MIN_ALPHAS_BEFORE_STOP`-th alpha on, `devmax` ends it after an alpha whose fraction of
    deviance explained exceeds devmax, `fdev` after one that improved that fraction by less than
    fdev times itself (an alpha its warm start already solves to tol, in 0 epochs, does not count:
    it did not move). `Path.stop_reason` says which rule ended the path.
    """
    design, penalty, datafit = problem.design, problem.penalty, problem.datafit
    l1_ratio = penalty.l1_ratio
    dfmax, devmax, fdev = settings.dfmax, settings.devmax, settings.fdev
    dtype = design.dtype
    n_alphas = len(alphas)
    # a solution is (n_features,) + block: block () for one response, (K,) for the multinomial's K classes
    block = datafit.block(design)
    # (Fortran order: each alpha's solution is one contiguous write; in C order every coefficient of
    # a wide path touches its own cache line, measured 0.15 ms per alpha on 6829 features)
    coefs = np.empty((design.n_coefs,) + block + (n_alphas,), dtype=design.result_dtype, order="F")
    intercepts = np.empty((n_alphas,) + block)
    gaps = np.empty(n_alphas)
    n_iters = np.empty(n_alphas, dtype=np.intp)
    converged = np.empty(n_alphas, dtype=bool)

    if coef_init is None:
        w = np.zeros((design.n_features,) + block, dtype=dtype)
    else:  # (block + (n_features,), the Path's layout: the features' axis first in the working problem)
        w = design.coef_to_work(penalty.restrict(np.moveaxis(coef_init, -1, 0))).copy()
    null_deviance = datafit.tol_unit(design)
    # the stopping rule: gap <= tol * null deviance (working units; Gaussian: tol * ||y||^2 / n for the user)
    options = solve_options(design, settings, penalty.positive, null_deviance)
    tol_gap = options.tol_gap
    solver = datafit.solver(problem.plan, design, w, options)
    dev_ratios = np.empty(n_alphas)
    stop_reason, n_done = None, n_alphas
    # (a solver whose every kernel runs on one BLAS thread has that limit set once for the whole path)
    with single_threaded_blas() if getattr(solver, "single_threaded", False) else contextlib.nullcontext():
        for i, alpha in enumerate(alphas):
            l1_reg, l2_reg = penalty.working(design, alpha)
            gap, n_iter, status = solver(w, l1_reg, l2_reg)
            if dfmax is not None and _n_nonzero_features(w) > dfmax:
                stop_reason, n_done = "dfmax", i
                break
            dev_ratios[i] = 1.0 - datafit.deviance(solver, w) / null_deviance if null_deviance > 0 else 0.0
            coef = design.coef_to_user(w)
            coefs[..., i] = coef
            intercepts[i] = datafit.intercept(design, solver, coef)
            gaps[i] = design.gap_to_user(gap)
            n_iters[i] = n_iter
            converged[i] = status == 0
            if status != 0:
                _warn_unconverged(problem, solver, settings, alpha, gaps[i], float(tol_gap), status)
            if settings.verbose:
                msg = f"alpha {i + 1}/{n_alphas} = {alpha:.4g}: gap {gaps[i]:.3e}, {n_iter} epochs, " \
                      f"{_n_nonzero_features(coef)} non-zero"
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
    path = Path(np.asarray(alphas)[done], coefs[..., done], intercepts[done], gaps[done], n_iters[done],
                converged[done], solver.name, l1_ratio, settings.tol, return_n_iter)
    path.dev_ratios = dev_ratios[done]
    path.stop_reason = stop_reason
    path = penalty.expand(path)
    if block:  # scikit-learn's multi-output layout: coefs (K, n_features, n_alphas), intercepts (K, n_alphas)
        path.coefs = np.moveaxis(path.coefs, 0, -2)
        path.intercepts = np.moveaxis(path.intercepts, 0, -1)
    return path


def _n_nonzero_features(w):
    """The features with a non-zero coefficient (for any class of a block): glmnet's df."""
    return int(np.count_nonzero(np.reshape(w, (w.shape[0], -1)).any(axis=1)))


def _warn_unconverged(problem, solver, settings, alpha, gap, tol_gap, status):
    """The ConvergenceWarning of a penalty solved short of its target (gap and target in user units)."""
    design = problem.design
    target = design.gap_to_user(tol_gap)
    if status == UNCERTIFIED:
        message = (
            f"The statistics cannot certify alpha={alpha:.6g}: the duality gap computed from X^T X, "
            f"X^T y and y^T y carries rounding of about {design.gap_to_user(solver.rounding):.1e} "
            f"(the coefficients cancel: sqrt(sum_j w_j^2 ||x_j||^2) is {solver.cancellation:.1e} times ||y||, "
            f"and X^T X squares that condition), more than the target {target:.3e} allows; the gap "
            f"reported includes it. Fit from the data (X, y) with precompute=False, or use a larger "
            f"alpha (eps) or tol."
        )
    else:
        message = problem.datafit.unconverged(design, settings, alpha, gap, target)
    warnings.warn(message, v.sklearn_compatible(v.ConvergenceWarning), stacklevel=v.caller_stacklevel())

def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None, precompute="auto", Xy=None,
              copy_X=True, coef_init=None, verbose=False, return_n_iter=False, positive=False,
              check_input=True, fit_intercept=False, sample_weight=None, tol=1e-4, max_iter=1000,
              random_state=None, selection="cyclic", screening=True, standardize=False, working_set=True,
              anderson=True, newton=True, dfmax=None, early_stopping=False, devmax=0.999, fdev=1e-5,
              penalty_factor=None, lower_bounds=None, upper_bounds=None, relax=False, **params):
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
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Target. A 2-D y (any number of columns, as scikit-learn) is the multi-task problem
        ``1/(2n) ||Y - X W - b||_F^2 + alpha l1_ratio sum_j ||W_j||_2 + alpha (1 - l1_ratio)/2 ||W||_F^2``
        (`fastreg._multitask`): coefs of shape (n_tasks, n_features, n_alphas), intercepts (n_tasks,
        n_alphas), alpha_max = max_j ||x_j^T Y~||_2 / (n l1_ratio). Unlike scikit-learn, X may be
        sparse. With a 2-D y, ``positive=True`` is an error (as in scikit-learn), so are bounds and a
        penalty factor 0; ``Xy`` is not used, a precomputed Gram matrix only selects the covariance
        updates (recomputed from X), ``coef_init`` has shape (n_tasks, n_features).
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
    relax : bool, default=False
        glmnet's relaxed lasso: also refit each alpha's support by unpenalized least squares (with the
        path's intercept, weights and standardization; from the Gram matrix when the path ran from
        statistics), in ``Path.relaxed``; ``Path.coef(alpha, gamma=...)`` blends the two
        (`fastreg._relax`). Not with a 2-D y, bounds or ``positive=True``.
    **params :
        scikit-learn's signature has them; any parameter not listed here is refused with a ValueError
        naming it (as scikit-learn does for the parameters its solver does not use).

    Returns
    -------
    path : Path
        Unpacks to ``alphas, coefs, dual_gaps`` (plus ``n_iters`` with ``return_n_iter``); also has
        ``intercepts``, ``converged``, ``solver``, ``feature_names`` (a DataFrame X's columns) and
        ``relaxed``, and the path tools (`Path.coef`, `Path.predict`, `Path.summary`).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5)); y = X @ [1.0, 0, 0, -2.0, 0] + 0.1 * rng.standard_normal(50)
    >>> alphas, coefs, gaps = fastreg.enet_path(X, y, l1_ratio=0.9, n_alphas=5)
    >>> coefs.shape
    (5, 5)
    """
    if params:  # scikit-learn's signature takes **params and refuses what the solver does not use
        raise ValueError(f"Unexpected parameters in params: {sorted(params)}; enet_path has no such "
                         f"parameter (see its docstring for the accepted ones).")
    l1_ratio = v.check_l1_ratio(l1_ratio)
    settings = check_settings(tol=tol, max_iter=max_iter, selection=selection, random_state=random_state,
                              screening=screening, working_set=working_set, anderson=anderson, newton=newton,
                              verbose=verbose, dfmax=dfmax, early_stopping=early_stopping, devmax=devmax, fdev=fdev)
    grid = check_grid(alphas, eps, n_alphas)
    fit_intercept, standardize, return_n_iter, _, _, relax = v.check_bools(
        fit_intercept=fit_intercept, standardize=standardize, return_n_iter=return_n_iter, copy_X=copy_X,
        check_input=check_input, relax=relax)
    if any_dask(X, y, sample_weight):  # statistics on the workers, the path from them (fastreg._dask)
        from ._dask import dask_path

        if relax:
            raise ValueError("relax=True is not available for dask data yet: fit the path from "
                             "SufficientStats.from_dask(X, y) with enet_path_from_stats(stats, relax=True).")

        return dask_path(X, y, sample_weight, settings, grid, l1_ratio, precompute=precompute, Xy=Xy,
                         coef_init=coef_init, return_n_iter=return_n_iter, positive=positive,
                         fit_intercept=fit_intercept, standardize=standardize, penalty_factor=penalty_factor,
                         lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    names = v.lenient_feature_names(X)
    X = v.as_design_matrix(X, check_finite=False, accept_sparse=True)  # finiteness: see build_design
    n_samples, n_features = X.shape
    y = v.as_target(y, n_samples, X.dtype, allow_2d=True)
    multi_output = y.ndim == 2  # as scikit-learn: any 2-D y is the multi-task problem (fastreg._multitask)
    sample_weight = v.as_sample_weight(sample_weight, n_samples, X.dtype, normalized=True)
    precompute = v.check_precompute(precompute, n_features)
    refit = Refit(enet_path, dict(
        l1_ratio=l1_ratio, precompute="auto" if isinstance(precompute, np.ndarray) else precompute,
        positive=positive, fit_intercept=fit_intercept, standardize=standardize, tol=tol, max_iter=max_iter,
        random_state=random_state, selection=selection, screening=screening, working_set=working_set,
        anderson=anderson, newton=newton, penalty_factor=penalty_factor, lower_bounds=lower_bounds,
        upper_bounds=upper_bounds), weighted=sample_weight is not None)
    if multi_output:
        check_relax(relax, what="enet_path", multi_output=True)
        path = _multitask_enet_path(X, y, sample_weight, settings, grid, l1_ratio, precompute=precompute,
                                    coef_init=coef_init, return_n_iter=return_n_iter, positive=positive,
                                    fit_intercept=fit_intercept, standardize=standardize,
                                    penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                                    upper_bounds=upper_bounds)
        return _described(path, names, refit)
    penalty = check_penalty(l1_ratio, n_features, positive=positive, penalty_factor=penalty_factor,
                            lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    relax = check_relax(relax, penalty, what="enet_path")
    if coef_init is not None:
        coef_init = v.as_vector(coef_init, n_features, "coef_init", dtype=X.dtype)
    if Xy is not None:
        Xy = v.as_vector(Xy, n_features, "Xy")

    problem = prepare(X, y, sample_weight, settings, penalty, fit_intercept=fit_intercept, standardize=standardize,
                      precompute=precompute, n_alphas=grid.size)
    if Xy is not None and grid.alphas is None and not penalty.active:  # (penalized: the design's grid)
        v.check_Xy(Xy, X, y, sample_weight, fit_intercept, standardize)  # X is known finite now
        # Xy is in units of weights summing to n_samples; a statistics design's are the raw weights'
        Xy = Xy.astype(np.float64) * (problem.design.n_samples / n_samples)
    else:
        Xy = None
    path = solve_path(problem, path_alphas(problem, grid, Xy), settings, coef_init=coef_init,
                      return_n_iter=return_n_iter)
    return _described(path, names, refit, problem if relax else None)


def _described(path, names, refit, relax_problem=None):
    """The path with what the path tools need: the feature names, how it was fitted (`Refit`), and,
    for `relax_problem` (the problem it was solved on), its relaxed fit (`fastreg._relax`)."""
    path.feature_names = names
    path.fitted_by = refit
    if relax_problem is not None:
        path.relaxed = relaxed_path(relax_problem, path)
    return path


def _multitask_enet_path(X, Y, sample_weight, settings, grid, l1_ratio, *, precompute, coef_init, return_n_iter,
                         positive, fit_intercept, standardize, penalty_factor, lower_bounds, upper_bounds):
    """`enet_path` with a 2-D y: the multi-task ElasticNet (`fastreg._multitask`). Xy is not used (the
    grid comes from the design's X^T Y); a user Gram matrix only selects the Gram route."""
    from ._multitask import check_multitask_penalty, multitask_path

    n_features = X.shape[1]
    if v.check_bool(positive, "positive"):
        check_multitask_penalty(None, positive=True, lower_bounds=None, upper_bounds=None)
    check_multitask_penalty(None, positive=False, lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    penalty = check_penalty(l1_ratio, n_features, penalty_factor=penalty_factor)
    check_multitask_penalty(penalty, positive=False, lower_bounds=None, upper_bounds=None)
    if coef_init is not None:
        coef_init = v.as_coef_matrix(coef_init, (Y.shape[1], n_features), "coef_init").astype(X.dtype)
    if isinstance(precompute, np.ndarray):
        precompute = True
    return multitask_path(X, Y, sample_weight, settings, penalty, grid, fit_intercept=fit_intercept,
                          standardize=standardize, precompute=precompute, coef_init=coef_init,
                          return_n_iter=return_n_iter)


def lasso_path(X, y, *, eps=1e-3, n_alphas=100, alphas=None, precompute="auto", Xy=None, copy_X=True,
               coef_init=None, verbose=False, return_n_iter=False, positive=False, **params):
    """Compute a Lasso path: `enet_path` with ``l1_ratio=1``; same parameters and return value.

    Minimizes ``1/(2 n) ||y - X w - b||^2 + alpha ||w||_1`` for each alpha; ``relax=True`` adds the
    relaxed lasso (``Path.relaxed``, glmnet's ``relax=TRUE``).

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
                         fdev=1e-5, relax=False):
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
    target) is reported unconverged with a ConvergenceWarning that says so: fit it from X. ``relax=True``:
    the relaxed lasso from the statistics (`enet_path`'s; a singular support by the minimum-norm
    solution of its Gram block).

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
    l1_ratio = v.check_l1_ratio(l1_ratio)
    settings = check_settings(tol=tol, max_iter=max_iter, selection=selection, random_state=random_state,
                              screening=screening, newton=newton, verbose=verbose, dfmax=dfmax,
                              early_stopping=early_stopping, devmax=devmax, fdev=fdev)
    grid = check_grid(alphas, eps, n_alphas)
    fit_intercept, standardize, return_n_iter = v.check_bools(
        fit_intercept=fit_intercept, standardize=standardize, return_n_iter=return_n_iter)
    penalty = check_penalty(l1_ratio, stats.n_features, positive=positive)
    relax = check_relax(relax, penalty, what="enet_path_from_stats")
    path = path_from_stats(stats, settings, grid, penalty, fit_intercept=fit_intercept, standardize=standardize,
                           coef_init=coef_init, return_n_iter=return_n_iter, relax=relax)
    path.feature_names = getattr(stats, "feature_names", None)  # (statistics read from named columns)
    if path.relaxed is not None:
        path.relaxed.feature_names = path.feature_names
    path.fitted_by = Refit(enet_path_from_stats, dict(
        l1_ratio=l1_ratio, fit_intercept=fit_intercept, standardize=standardize, tol=tol, max_iter=max_iter,
        positive=positive, random_state=random_state, selection=selection, screening=screening, newton=newton),
        from_stats=True)
    return path


def path_from_stats(stats, settings, grid, penalty, *, fit_intercept, standardize, coef_init=None,
                    return_n_iter=False, out_dtype=None, relax=False):
    """The path of validated statistics of the penalty's kept columns (`Penalty.columns`), its
    coefficients over the user's features (`penalty`'s; coef_init too), in `out_dtype` (default the
    statistics'); `relax`: with its relaxed fit (`fastreg._relax`)."""
    if coef_init is not None:
        coef_init = v.as_vector(coef_init, penalty.n_features or stats.n_features, "coef_init",
                                dtype=out_dtype or stats.dtype)
    problem = prepare_from_stats(stats, penalty, fit_intercept=fit_intercept, standardize=standardize,
                                 out_dtype=out_dtype)
    path = solve_path(problem, path_alphas(problem, grid), settings, coef_init=coef_init,
                      return_n_iter=return_n_iter)
    if relax:
        path.relaxed = relaxed_path(problem, path)
    return path


# ----------------------------------------------------------------------------------------------------
# the binomial family (logistic regression): the same path machinery on the binomial datafit


def prepare_logistic(X, codes, sample_weight, settings, penalty, *, fit_intercept, standardize, n_alphas=None,
                     finite=False, n_classes=None):
    """The `Problem` of a logistic fit: the binomial family (`n_classes` None, codes 0/1) or the
    multinomial family of `n_classes` classes (codes in 0 .. n_classes - 1; a class may have no rows),
    its data (`fastreg._design.logistic_data` / `multinomial_data`) and the plan of its Newton
    subproblems, each a single weighted fit (precompute='auto': the Gram kernel with Newton steps on
    the support when n > p, residual updates with working sets when p > n)."""
    X = penalty.columns(X)
    plan = make_plan(X, "auto", transformed=True, penalty=penalty, n_alphas=None, working_set=settings.working_set)
    if n_classes is None:
        data = logistic_data(X, codes, sample_weight, fit_intercept=fit_intercept, standardize=standardize,
                             penalty=penalty.kept(), finite=finite)
        return Problem(data, plan, penalty, BINOMIAL)
    data = multinomial_data(X, codes, n_classes, sample_weight, fit_intercept=fit_intercept,
                            standardize=standardize, penalty=penalty.kept(), finite=finite)
    return Problem(data, plan, penalty, MULTINOMIAL)


def logistic_path(X, y, *, l1_ratio=1.0, eps=None, n_alphas=100, alphas=None, fit_intercept=True,
                  sample_weight=None, standardize=False, tol=1e-6, max_iter=1000, positive=False,
                  penalty_factor=None, coef_init=None, selection="cyclic", random_state=None, screening=True,
                  working_set=True, anderson=True, dfmax=None, early_stopping=False, devmax=0.999, fdev=1e-5,
                  verbose=False, return_n_iter=False, lower_bounds=None, upper_bounds=None, family="auto",
                  relax=False):
    """Compute a penalized logistic regression path (binomial or multinomial) with certified duality gaps.

    Two classes (the binomial family) minimize, for each alpha (glmnet's scale),

        1/n sum_i s_i [log(1 + exp(eta_i)) - y_i eta_i] + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2

    with eta = X w + b, y_i in {0, 1} (the second of the two sorted labels is 1). K > 2 classes (the
    multinomial family, glmnet's ungrouped multinomial in the symmetric parametrization, as scikit-learn's)
    minimize

        1/n sum_i s_i [logsumexp_k(eta_ik) - eta_{i, y_i}] + alpha sum_k (l1_ratio ||W_k||_1 + (1 - l1_ratio)/2 ||W_k||^2)

    with eta = X W^T + b, W of shape (K, n_features), b of shape (K,). Sample weights s are normalized to sum
    to n and b is unpenalized (0 with ``fit_intercept=False``). The multinomial model is unchanged by a
    common shift of the intercepts: they are returned summing to 0; with an L2 part the optimum is
    unique (its coefficients sum to 0 over the classes), a pure L1 penalty's only up to a common shift of
    a feature's coefficients that leaves its penalty unchanged. With an intercept, a class whose rows all
    have weight 0 (e.g. absent from a fold's training rows) gets the infimum's limit: probability 0,
    coefficients 0 and intercept -inf.

    Each alpha is warm-started from the previous solution. The binomial family is solved by proximal
    Newton steps (IRLS) on a working set of features (glmnet's strong and active sets;
    ``working_set=False``: every feature), the solutions extrapolated along the path when that lowers the
    objective: every step is a weighted Lasso / ElasticNet on the working set's columns solved by
    fastreg's coordinate-descent kernels (dense or sparse X, Gram or residual updates, gap-safe
    screening), damped by backtracking so that separable data never diverge; one pass over X per alpha
    certifies the whole problem. The multinomial family is glmnet's partial Newton, one class at a time
    (each class's step the binomial family's weighted subproblem, damped on the multinomial objective),
    with exact steps along the directions the loss is flat in and a joint Newton step on the support;
    every alpha stops on a certified duality gap.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        Solved in float64 (coefficients returned in X's dtype: float32 stays float32).
    y : array-like of shape (n_samples,)
        Class labels (numbers, strings or booleans), at least two classes with positive weight.
    l1_ratio : float, default=1.0
        Mix of the L1 and L2 penalties, in [0, 1].
    eps : float, default=None
        ``alpha_min / alpha_max`` of the automatic grid (1e-3 when n > p, 1e-2 otherwise).
    n_alphas, alphas : as `enet_path`.
    fit_intercept : bool, default=True
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights; a weight k is the same as k repeated rows.
    standardize : bool, default=False
        Penalize the coefficients of the columns scaled to unit (weighted) variance (glmnet's).
    tol : float, default=1e-6
        Stop when the duality gap is <= ``tol`` times the null model's mean log-loss (the weighted entropy
        of the class proportions with an intercept, log K without): a relative suboptimality.
    max_iter : int, default=1000
        Epochs of coordinate descent per Newton step (at most 50 Newton steps -- for the multinomial,
        sweeps over the classes -- per alpha).
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    penalty_factor : array-like of shape (n_features,), default=None
        glmnet's penalty factors (rescaled to sum to n_features; inf excludes a feature, 0 leaves it
        unpenalized: it is fitted with the intercept in the null model that defines alpha_max, and the
        gap's dual point satisfies its optimality condition exactly), the same for every class. The
        multinomial family does not support a factor 0 yet.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (glmnet's lower.limits / upper.limits), containing 0
        (``positive=True`` is lower_bounds=0); in the user's units, also with ``standardize``. Binomial
        family only for now (``positive`` works for both).
    coef_init : array-like, default=None
        Warm start for the first alpha: shape (n_features,) for the binomial family, (K, n_features) for
        the multinomial.
    selection, random_state, screening, working_set, anderson, dfmax, early_stopping, devmax, fdev, verbose,
    return_n_iter : as `enet_path`; the path stops use the logistic deviance (the mean log-loss), dfmax
        counts the features with a non-zero coefficient for some class.
    family : {'auto', 'binomial', 'multinomial'}, default='auto'
        'auto': binomial for two classes, multinomial for more. 'multinomial' also fits two classes
        (glmnet allows it): its solution is (-beta/2, beta/2) with beta the binomial solution at
        alpha (1 + l1_ratio) / 2 and l1_ratio 2 l1_ratio / (1 + l1_ratio) (unique with an L2 part; a pure L1
        penalty admits any split of beta whose two parts do not have the same sign). 'binomial' refuses
        more than two classes.
    relax : bool, default=False
        glmnet's relaxed logistic fit is not built: True is a ValueError saying so.

    Returns
    -------
    path : Path
        As `enet_path`'s, with ``dual_gaps`` in the units of the objective above, ``dev_ratios`` the
        fraction of the null deviance explained and ``classes`` the labels. Binomial: ``coefs`` of shape
        (n_features, n_alphas), ``intercepts`` (n_alphas,), ``solver`` 'irls+<the kernel of the Newton
        steps>'. Multinomial (scikit-learn's multi-output layout): ``coefs`` (K, n_features, n_alphas),
        ``intercepts`` (K, n_alphas), ``solver`` 'irls-multinomial+<kernel>'.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5)); y = X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(200) > 0
    >>> path = fastreg.logistic_path(X, y, n_alphas=10)
    >>> path.coefs.shape, bool(path.converged.all()), path.classes.tolist()
    ((5, 10), True, [False, True])
    >>> labels = np.digitize(X[:, 0] + 0.5 * rng.standard_normal(200), [-0.5, 0.5])  # three classes
    >>> multi = fastreg.logistic_path(X, labels, n_alphas=10)
    >>> multi.coefs.shape, multi.intercepts.shape, multi.solver.startswith("irls-multinomial")
    ((3, 5, 10), (3, 10), True)
    """
    if any_dask(X, y, sample_weight):
        from ._dask import refuse

        raise refuse("logistic_path (a logistic regression)")
    family = v.check_choice(family, "family", {"auto", "binomial", "multinomial"})
    check_relax(relax, what="logistic_path", family="binomial or multinomial")
    names = v.lenient_feature_names(X)
    X = v.as_design_matrix(X, check_finite=False, accept_sparse=True)  # finiteness: see logistic_data
    n_samples, n_features = X.shape
    sample_weight = v.as_sample_weight(sample_weight, n_samples, np.float64)
    classes, codes = v.check_class_labels(y, n_samples, sample_weight,
                                          binary_only="family='binomial'" if family == "binomial" else None)
    n_classes = classes.size if family == "multinomial" or classes.size > 2 else None
    l1_ratio = v.check_l1_ratio(l1_ratio)
    settings = check_settings(tol=tol, max_iter=max_iter, selection=selection, random_state=random_state,
                              screening=screening, working_set=working_set, anderson=anderson, verbose=verbose,
                              dfmax=dfmax, early_stopping=early_stopping, devmax=devmax, fdev=fdev)
    if eps is None:
        eps = 1e-3 if n_samples > n_features else 1e-2
    grid = check_grid(alphas, eps, n_alphas)
    fit_intercept, standardize, return_n_iter = v.check_bools(
        fit_intercept=fit_intercept, standardize=standardize, return_n_iter=return_n_iter)
    penalty = check_penalty(l1_ratio, n_features, positive=positive, penalty_factor=penalty_factor,
                            lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    if n_classes is not None:
        v.check_multinomial_penalty(penalty_factor=penalty.factor, lower_bounds=penalty.lower,
                                    upper_bounds=penalty.upper)
    if coef_init is not None:
        coef_init = (v.as_vector(coef_init, n_features, "coef_init", dtype=np.float64) if n_classes is None
                     else v.as_coef_matrix(coef_init, (n_classes, n_features), "coef_init"))
    problem = prepare_logistic(X, codes, sample_weight, settings, penalty, fit_intercept=fit_intercept,
                               standardize=standardize, n_alphas=grid.size, n_classes=n_classes)
    path = solve_path(problem, path_alphas(problem, grid), settings, coef_init=coef_init,
                      return_n_iter=return_n_iter)
    path.classes = classes
    return _described(path, names, Refit(logistic_path, dict(
        l1_ratio=l1_ratio, fit_intercept=fit_intercept, standardize=standardize, tol=tol, max_iter=max_iter,
        positive=positive, penalty_factor=penalty_factor, selection=selection, random_state=random_state,
        screening=screening, working_set=working_set, anderson=anderson, lower_bounds=lower_bounds,
        upper_bounds=upper_bounds, family="multinomial" if n_classes is not None else "binomial"),
        weighted=sample_weight is not None))


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
    """'cholesky' (primal, X^T X + alpha I), 'cholesky-dual' (X X^T + alpha I), 'lsqr', or 'svd' (asked
    for, or the solve from X when the factorization cannot be trusted); with positive=True the
    coordinate-descent kernel ('cd-gram', 'cd-residual', ...)."""
    n_iter: object = None
    """LSQR iterations (positive=True: epochs) per target (None for the direct solvers)."""


def ridge(X, y, alpha, *, sample_weight=None, fit_intercept=True, solver="auto", tol=1e-6, max_iter=None,
          positive=False):
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
    solver : {'auto', 'cholesky', 'lsqr', 'svd', 'sparse_cg', 'sag', 'saga', 'lbfgs'}, default='auto'
        'cholesky': potrf/potrs of ``X~^T X~ + alpha I`` when n >= p, of ``X~ X~^T + alpha I`` when p > n.
        'lsqr': LSQR on the implicitly centered operator (iterative, ``tol``, ``max_iter``).
        'svd': an SVD of the centered X (a sparse X densified when small, else LSQR).
        'auto': 'cholesky', except for sparse X whose smaller Gram matrix exceeds 1 GiB ('lsqr').
        scikit-learn's iterative 'sparse_cg', 'sag', 'saga' run 'auto' (the exact minimizer);
        'lbfgs' is for positive=True only, as in scikit-learn.
        When the factorization fails or its condition estimate is below dimension * eps (or, for
        alpha = 0, below sqrt(eps)), the solve comes from an SVD of the centered X instead (the
        minimum-norm least-squares solution for alpha = 0; LSQR for a sparse X too large to densify),
        with a warning when the system is singular to working precision, and `solver` says 'svd'
        (or 'lsqr').
    tol : float, default=1e-6
        LSQR's stopping tolerances (atol = btol = tol), also when LSQR replaces an untrusted
        factorization of a large sparse X; unused by Cholesky. With positive=True: the fit is certified
        to a duality gap of tol^2 (clipped to [1e-15, 1e-12]) times the null objective, then solved
        exactly on its support (`ridge_positive`).
    max_iter : int, default=None
        LSQR's iteration limit (None: scipy's default, 2 * n_features); with positive=True the epochs
        of coordinate descent (None: 10000).
    positive : bool, default=False
        Constrain the coefficients to be >= 0: the ElasticNet with l1_ratio=0 and lower bound 0 on
        fastreg's coordinate-descent kernels, certified by its duality gap (`solver`: the kernel).

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
    coef, intercept, name, n_iter, one_d, dtype = solve_ridge(
        X, y, alpha, sample_weight=sample_weight, fit_intercept=fit_intercept, solver=solver, tol=tol,
        max_iter=max_iter, positive=positive)
    coef = coef.astype(dtype)
    if one_d:
        return RidgeFit(coef[0], float(intercept[0]), name, None if n_iter is None else int(n_iter[0]))
    return RidgeFit(coef, intercept.astype(dtype), name, n_iter)


def solve_ridge(X, y, alpha, *, sample_weight, fit_intercept, solver, tol, max_iter, positive=False,
                estimator=None):
    """Validate a Ridge fit and solve it (shared by `ridge` and ``Ridge.fit``): returns (coef of shape
    (n_targets, n_features), intercepts, solver name, iterations per target or None, whether y was 1-D,
    X's dtype). `solver`: one of scikit-learn's names (`fastreg._ridge.SKLEARN_SOLVERS` says which
    solve each runs); `estimator` names the caller in the errors about y.

    Uniform weights c are the unweighted problem with alpha / c (sum_i c r_i^2 + alpha ||w||^2 =
    c (||r||^2 + alpha / c ||w||^2)): weights all 1 give the unweighted fit bit for bit."""
    X, Y, sw, one_d = v.check_ridge_data(X, y, sample_weight, estimator=estimator)
    alphas = v.check_ridge_alpha(alpha, Y.shape[1])
    positive = v.check_bool(positive, "positive")
    fit_intercept = v.check_bool(fit_intercept, "fit_intercept")
    solver = _ridge.SKLEARN_SOLVERS[v.check_ridge_solver(solver, positive, sparse.issparse(X), fit_intercept)]
    tol = v.check_scalar(tol, "tol", low=0.0)
    if max_iter is not None:
        max_iter = v.check_scalar(max_iter, "max_iter", kind=numbers.Integral, low=1)
    if sw is not None and (sw == sw[0]).all():
        alphas, sw = alphas / float(sw[0]), None
    if positive:
        coef, intercept, name, n_iter = ridge_positive(X, Y, sw, alphas, fit_intercept, tol, max_iter)
        return coef, intercept, name, n_iter, one_d, X.dtype
    if solver in ("lsqr", "svd") and not sparse.issparse(X):  # (no Gram matrix to check X by)
        v.check_finite(X)
    coef, intercept, name, n_iter = _ridge.solve(X, Y, sw, alphas, fit_intercept, solver, tol, max_iter)
    return coef, intercept, name, n_iter, one_d, X.dtype


# the relative duality gap a positive Ridge fit is certified to: tol squared (a gap bounds the squared
# distance to the solution), clipped to [POSITIVE_TOL_MIN, POSITIVE_TOL_MAX]: at most 1e-12 (the
# coefficients to about 1e-6 relative, as scikit-learn's lbfgs at its default tol), at least what the
# float64 residual kernels' gap can resolve
POSITIVE_TOL_MAX = 1e-12
POSITIVE_TOL_MIN = 1e-15
POSITIVE_MAX_ITER = 10_000
# the polished objective may exceed the certified one by this many eps (relative) and still be taken: both
# are evaluated with rounding errors of that order when the support is right
POLISH_ROUNDING = 16


def ridge_positive(X, Y, sw, alphas, fit_intercept, tol, max_iter):
    """Ridge with w >= 0, for validated inputs: per target the ElasticNet with l1_ratio = 0 and lower
    bound 0 on fastreg's coordinate-descent kernels (Gram updates when n > p, residual ones otherwise),
    certified by the duality gap of the box-constrained problem.

    A fit whose support is polished (`_polish_positive`) and satisfies the KKT conditions is exact: the
    kernels' ConvergenceWarning (alpha = 0, NNLS, has no bounded dual) is then dropped.

    The map: Ridge's objective sum_i s_i r_i^2 + alpha ||w||^2, divided by 2 sum(s), is the ElasticNet's
    1/(2n) sum_i s'_i r_i^2 + alpha' / 2 ||w||^2 with s' = n s / sum(s) (its weights sum to n) and
    alpha' = alpha / sum(s); the minimizers are the same. The gap target is tol^2 (clipped to
    [POSITIVE_TOL_MIN, POSITIVE_TOL_MAX]) times the ElasticNet's null objective; a target the
    kernels cannot certify within max_iter epochs (default POSITIVE_MAX_ITER) warns
    (ConvergenceWarning). Returns (coef (k, p), intercept (k,), the kernel's name, epochs per target)."""
    n, p = X.shape
    if X.dtype == np.float32:  # (widened, not rounded: the float32 kernels' gap cannot resolve the target)
        X = X.astype(np.float64)
        Y, sw = Y.astype(np.float64), None if sw is None else sw.astype(np.float64)
    weight_sum = float(n if sw is None else np.sum(sw, dtype=np.float64))
    settings = check_settings(tol=min(max(tol * tol, POSITIVE_TOL_MIN), POSITIVE_TOL_MAX),
                              max_iter=POSITIVE_MAX_ITER if max_iter is None else max_iter)
    penalty = check_penalty(0.0, p, positive=True)
    k = Y.shape[1]
    coef, intercept, n_iter, names = np.zeros((k, p)), np.zeros(k), np.zeros(k, dtype=int), set()
    for t in range(k):
        problem = prepare(X, Y[:, t], sw, settings, penalty, fit_intercept=fit_intercept, standardize=False,
                          precompute="auto", n_alphas=1)
        with warnings.catch_warnings(record=True) as unconverged:
            warnings.simplefilter("always", v.ConvergenceWarning)
            path = solve_path(problem, np.array([alphas[t] / weight_sum]), settings, return_n_iter=True)
        coef[t], intercept[t], polished, exact = _polish_positive(X, Y[:, t:t + 1], sw, alphas[t], fit_intercept,
                                                                   path.coefs[:, 0], path.intercepts[0])
        if not exact:  # (a polished solution satisfying the KKT conditions leaves nothing to warn about)
            for w in unconverged:
                warnings.warn(w.message, w.category, stacklevel=v.caller_stacklevel())
        n_iter[t] = max(int(path.n_iters[0]), 1)
        names.add(path.solver + ("+active-set" if polished else ""))
    return coef, intercept, "+".join(sorted(names)), n_iter


def _polish_positive(X, y, sw, alpha, fit_intercept, w, b):
    """The exact minimizer on the support of the certified coordinate-descent solution w: the
    unconstrained Ridge of the columns w > 0 (`fastreg._ridge.solve`, a direct solve), taken when it
    stays > 0 and its objective is not above w's (to the rounding of their evaluation, POLISH_ROUNDING).
    It is then the box problem's minimizer whenever the support is right (a gap certifies w only to
    about sqrt(gap) in the coefficients), and never worse than w: its primal value is not higher
    against the same dual point, so w's certificate holds for it.
    Returns (coef, intercept, whether the polished solution was taken, whether it also satisfies the
    KKT conditions off the support to rounding: then it is the exact minimizer)."""
    active = np.flatnonzero(w > 0)
    if not active.size:
        return w, b, False, False
    with warnings.catch_warnings():  # (alpha = 0 on a rank-deficient support: w is kept below)
        warnings.simplefilter("ignore")
        coef, intercept, _, _ = _ridge.solve(X[:, active], y, sw, np.array([alpha]), fit_intercept, "auto",
                                             1e-10, None)
    if not (np.isfinite(coef).all() and (coef > 0).all()):
        return w, b, False, False
    polished = np.zeros_like(w, dtype=np.float64)
    polished[active] = coef[0]

    def residual(coef, intercept):
        r = y[:, 0] - np.asarray(X @ coef).ravel() - intercept
        return r, float(r @ r if sw is None else (r * r) @ sw) + alpha * float(coef @ coef)

    r, value = residual(polished, intercept[0])
    before = residual(np.asarray(w, dtype=np.float64), b)[1]
    if value > before * (1 + POLISH_ROUNDING * np.finfo(np.float64).eps):  # (equal to rounding: take the exact one)
        return w, b, False, False
    # KKT off the support: the objective's gradient -2 X^T S r >= 0 there, to rounding (X^T S r <= 0;
    # with an intercept sum(S r) = 0, so X^T S r is X~^T S r), relative to X~^T S y~ (the gradient at 0)
    s = np.ones(len(r)) if sw is None else sw
    grad = np.asarray(X.T @ (r * s)).ravel()
    yc = y[:, 0] - (s @ y[:, 0] / s.sum() if fit_intercept else 0.0)
    scale = float(np.abs(np.asarray(X.T @ (yc * s))).max()) + float(np.abs(grad).max())
    inactive = np.ones(len(w), dtype=bool)
    inactive[active] = False
    kkt = not inactive.any() or grad[inactive].max() <= np.sqrt(np.finfo(np.float64).eps) * scale
    return polished, float(intercept[0]), True, kkt


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
    mode = _plan.ridge_decomposition(X, mode)
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

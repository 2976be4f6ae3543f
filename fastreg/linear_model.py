"""scikit-learn compatible estimators: thin wrappers around the path layer (validate, then prepare ->
solve_path)."""
import numbers
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from scipy import sparse

from . import _plan
from . import _ridge
from . import _validation as v
from ._base import ClassifierBase, RegressorBase
from ._cv import ridge_kfold_scores, ridge_scorer, score_predictions
from ._dask import (
    any_dask, enet_fit as dask_enet_fit, lazy_predict, refuse as dask_refusal, ridge_cv_scores as dask_ridge_cv_scores,
    ridge_fit as dask_ridge_fit, split_target,
)
from ._folds import check_cv, make_folds, n_workers, stratified_folds, take_rows
from ._path import prepare, prepare_logistic, ridge as _ridge_fit, solve_path, solve_ridge
from ._settings import check_penalty, check_settings


# A single fit of a small problem is solved past the gap `tol` asks for, to near the rounding floor of
# its dtype: for n_samples * n_features <= POLISH_MAX_ENTRIES, epochs worth POLISH_WORK entry visits
# in all (and at least as many as the fit took) cost at most ~10 ms, and then the routes (dense,
# sparse, Gram, weights, warm starts) agree to ~1e-8 or better instead of to sqrt(tol), as
# scikit-learn's identical iterates across its routes do. Paths and large problems are not polished.
POLISH_MAX_ENTRIES = 250_000
POLISH_WORK = 25_000_000
POLISH_FACTOR = 1e-10  # the polished target: tol * POLISH_FACTOR, not below POLISH_FLOOR_EPS * eps
POLISH_FLOOR_EPS = 1.0


def _solve_polished(problem, alpha, settings, coef_init, n_entries, dtype, solve=solve_path):
    """The path of one alpha at `settings.tol`; then, for a small problem whose solve converged in
    n >= 1 epochs, the same alpha again from that solution at the polished target, for at most
    max(n, POLISH_WORK / n_entries) more epochs, within max_iter (its result kept when its certified gap is not larger; its epochs are added to n_iters).
    A warm start that already meets tol (0 epochs) is returned as it is. `solve`: `solve_path`, or
    the multi-task models' `solve_multitask`."""
    path = solve(problem, np.array([alpha]), settings, coef_init=coef_init)
    target = max(settings.tol * POLISH_FACTOR, POLISH_FLOOR_EPS * float(np.finfo(dtype).eps))
    epochs = int(path.n_iters[0])
    if (n_entries > POLISH_MAX_ENTRIES or not path.converged[0] or target >= settings.tol or alpha == 0
            or epochs == 0):
        return path
    with warnings.catch_warnings():  # (the polishing is best effort: tol is already met)
        warnings.simplefilter("ignore", v.ConvergenceWarning)
        polished = solve(problem, np.array([alpha]), settings._replace(
            tol=target, max_iter=min(max(epochs, POLISH_WORK // max(n_entries, 1)), settings.max_iter)),
                              coef_init=path.coefs[..., 0])
    if not polished.dual_gaps[0] <= path.dual_gaps[0]:
        return path
    polished.n_iters[0] += path.n_iters[0]
    polished.converged[0] = True
    return polished


def _metadata_routing_enabled():
    """Whether scikit-learn's metadata routing is on (it cannot be unless scikit-learn was imported)."""
    sklearn = sys.modules.get("sklearn")
    return sklearn is not None and bool(sklearn.get_config().get("enable_metadata_routing", False))


def check_routing(estimator, params):
    """scikit-learn's error for metadata passed to ``fit(**params)`` without its metadata routing."""
    if params and not _metadata_routing_enabled():
        raise ValueError(
            f"Passing extra keyword arguments to {type(estimator).__name__}.fit is only supported if "
            f"enable_metadata_routing=True, which you can set using `sklearn.set_config`. See the User "
            f"Guide <https://scikit-learn.org/stable/metadata_routing.html> for more details. Extra "
            f"parameters passed are: {set(params)}")


def routed_cv(estimator, cv, X, y, params):
    """scikit-learn's metadata routing of a CV estimator's ``fit(..., **params)`` to its splitter: the
    folds (a list of (train, test)) when params were routed, else `cv` unchanged.

    Without ``sklearn.set_config(enable_metadata_routing=True)`` any params are refused with
    scikit-learn's error (`check_routing`); with it, scikit-learn routes them (e.g. ``groups`` to a
    GroupKFold) and refuses what no splitter requested."""
    if not params:
        return cv
    check_routing(estimator, params)
    from sklearn.utils.metadata_routing import process_routing
    from sklearn.model_selection import check_cv as sklearn_check_cv

    routed = process_routing(estimator, "fit", **params)
    splitter = sklearn_check_cv(cv)
    return list(splitter.split(X, y, **routed.splitter.split))


def cv_metadata_routing(estimator):
    """The `get_metadata_routing` of a CV estimator: fit's params go to the splitter's ``split``, as
    scikit-learn's CV estimators route them (needs scikit-learn)."""
    from sklearn.model_selection import check_cv as sklearn_check_cv
    from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping

    return MetadataRouter(owner=estimator).add(
        splitter=sklearn_check_cv(estimator.cv), method_mapping=MethodMapping().add(caller="fit", callee="split"))


def _predict_linear(model, X):
    """``X @ coef_.T + intercept_`` in X's dtype; lazily, block by block, for a dask X."""
    model._check_is_fitted()
    model._check_feature_names(X, reset=False)
    if any_dask(X):
        return lazy_predict(X, model.coef_, model.intercept_)
    X = v.as_design_matrix(X, accept_sparse=True)
    model._check_n_features(X.shape[1])
    coef = model.coef_.astype(X.dtype, copy=False)
    return np.asarray(X @ coef.T) + np.asarray(model.intercept_, dtype=X.dtype)


class ElasticNet(RegressorBase):
    """Linear regression with combined L1 and L2 penalties, fitted by certified coordinate descent.

    Minimizes

        1/(2 n) ||y - X w - b||^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2

    exactly as scikit-learn's ``ElasticNet`` (same parameters, ``tol`` units and fitted attributes), with
    sample weights s normalized to sum to n: ``1/(2n) sum_i s_i (y_i - x_i^T w - b)^2 + ...``.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (>= 0).
    l1_ratio : float, default=0.5
        Mix in [0, 1]; 1 is the Lasso, 0 ridge.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    precompute : 'auto', bool or ndarray, default=False
        Gram-matrix mode, as in `fastreg.enet_path` (True: covariance updates from ``X.T @ X``; an
        array: a precomputed ``X.T @ X``; 'auto': the cost model). The kernel used is ``solver_``.
    max_iter : int, default=1000
        Maximum number of epochs.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    tol : float, default=1e-4
        Stop when the duality gap is <= ``tol * ||y - mean(y)||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.
    standardize : bool, default=False
        Penalize the coefficients of the columns scaled to unit (weighted) variance, inside the solver
        (glmnet's ``standardize``); ``coef_`` and ``intercept_`` stay on the original scale. Off by
        default, as scikit-learn (which has no such option).
    penalty_factor : array-like of shape (n_features,), default=None
        glmnet's per-feature penalty factors (0: not penalized, inf: excluded; rescaled to sum to
        n_features as glmnet does), see `fastreg.enet_path`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients, containing 0, see `fastreg.enet_path`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
        Epochs run (per target).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Certified duality gap of the solution, in the units of the objective above.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when X had string column names
    solver_ : str
        The kernel that ran.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 4)); y = X @ [2.0, 0.0, -1.0, 0.0] + 0.5
    >>> model = fastreg.ElasticNet(alpha=0.01, l1_ratio=0.7).fit(X, y)
    >>> np.round(model.coef_, 1) + 0.0, round(model.intercept_, 1)  # + 0.0 prints -0. as 0.
    (array([ 2.,  0., -1.,  0.]), 0.5)
    """

    _l1_ratio_fixed = None  # Lasso pins l1_ratio to 1

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False, max_iter=1000,
                 copy_X=True, tol=1e-4, warm_start=False, positive=False, random_state=None,
                 selection="cyclic", standardize=False, penalty_factor=None, lower_bounds=None,
                 upper_bounds=None):
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Several targets are fitted independently.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative row weights; a weight k is the same as k repeated rows.
        check_input : bool, default=True
            Accepted for compatibility; inputs are always validated.

        Returns
        -------
        self
        """
        name = type(self).__name__
        X, y, sample_weight = split_target(X, y, sample_weight)
        self._check_feature_names(X, reset=True)
        alpha = v.check_scalar(self.alpha, "alpha", low=0.0)
        l1_ratio = self._l1_ratio_fixed if self._l1_ratio_fixed is not None else v.check_l1_ratio(self.l1_ratio)
        settings = check_settings(tol=self.tol, max_iter=self.max_iter, selection=self.selection,
                                  random_state=self.random_state)
        fit_intercept, standardize, warm_start, _, _ = v.check_bools(
            fit_intercept=self.fit_intercept, standardize=self.standardize, warm_start=self.warm_start,
            copy_X=self.copy_X, check_input=check_input)
        penalty_args = dict(l1_ratio=l1_ratio, positive=self.positive, penalty_factor=self.penalty_factor,
                            lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds)

        def warm(n_targets, n_features):
            previous = None
            if warm_start and getattr(self, "coef_", None) is not None:
                previous = np.atleast_2d(self.coef_)
                if previous.shape != (n_targets, n_features):
                    previous = None
            return previous

        if any_dask(X, y, sample_weight):  # from the statistics, computed where the blocks are
            v.warn_alpha_zero(alpha)
            fitted = dask_enet_fit(X, y, sample_weight, alpha, settings, penalty_args, fit_intercept=fit_intercept,
                                   standardize=standardize, warm=warm)
            return self._set_fit(*fitted)
        X = v.as_design_matrix(X, check_finite=False, accept_sparse=True)  # finiteness: see build_design
        n_samples, n_features = X.shape
        y = v.as_target(y, n_samples, X.dtype, allow_2d=True, estimator=name)
        sample_weight = v.as_sample_weight(sample_weight, n_samples, X.dtype, normalized=True)
        precompute = v.check_precompute(self.precompute, n_features)
        penalty = check_penalty(n_features=n_features, **penalty_args)
        if y.ndim == 2 and penalty.positive and y.shape[1] > 1:
            raise ValueError("positive=True is not supported with several targets; fit one target at a time.")
        v.warn_alpha_zero(alpha)

        Y = y[:, None] if y.ndim == 1 else y
        n_targets = Y.shape[1]
        previous = warm(n_targets, n_features)
        coef = np.empty((n_targets, n_features), dtype=X.dtype)
        intercept = np.empty(n_targets)
        gaps = np.empty(n_targets)
        n_iters = []
        solver = None
        for k in range(n_targets):
            problem = prepare(X, np.ascontiguousarray(Y[:, k]), sample_weight, settings, penalty,
                              fit_intercept=fit_intercept, standardize=standardize, precompute=precompute)
            start = None if previous is None else previous[k]
            if (alpha == 0 or l1_ratio == 0) and not (penalty.active or penalty.positive or standardize):
                # no L1 part: least squares or ridge, started from the direct solve (Cholesky, or an
                # SVD-grade minimum-norm least squares for alpha = 0), which coordinate descent then
                # only certifies. ElasticNet's alpha (1 - l1_ratio) / 2 ||w||^2 against the loss over
                # 2 sum(s) is Ridge's alpha (1 - l1_ratio) sum(s) against sum_i s_i r_i^2.
                total = n_samples if sample_weight is None else float(sample_weight.sum(dtype=np.float64))
                start = _ridge_fit(X, np.ascontiguousarray(Y[:, k]), alpha * (1.0 - l1_ratio) * total,
                                   sample_weight=sample_weight, fit_intercept=fit_intercept).coef
            path = _solve_polished(problem, alpha, settings, start, n_samples * n_features, X.dtype)
            coef[k] = path.coefs[:, 0]
            intercept[k] = path.intercepts[0]
            gaps[k] = path.dual_gaps[0]
            n_iters.append(int(path.n_iters[0]))
            solver = path.solver
        return self._set_fit(coef, intercept, gaps, n_iters, solver, y.ndim, n_features)

    def _set_fit(self, coef, intercept, gaps, n_iters, solver, y_ndim, n_features):
        if coef.shape[0] == 1:  # as scikit-learn, also for y of shape (n, 1)
            self.coef_ = coef[0]
            self.intercept_ = float(intercept[0]) if y_ndim == 1 else intercept
            self.dual_gap_, self.n_iter_ = float(gaps[0]), n_iters[0]
        else:
            self.coef_, self.intercept_, self.dual_gap_, self.n_iter_ = coef, intercept, gaps, n_iters
        self.n_features_in_ = n_features
        self.solver_ = solver
        return self

    @property
    def sparse_coef_(self):
        """``coef_`` as a scipy.sparse CSR matrix."""
        self._check_is_fitted()
        return sparse.csr_matrix(np.atleast_2d(self.coef_))

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``, in X's dtype (float32 stays float32).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        return _predict_linear(self, X)


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty: ``ElasticNet`` with ``l1_ratio=1``.

    Minimizes ``1/(2 n) ||y - X w - b||^2 + alpha ||w||_1``, as scikit-learn's ``Lasso`` (same parameters,
    ``tol`` units and fitted attributes; see `ElasticNet`).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]); y = np.array([0.0, 1.0, 2.0])
    >>> fastreg.Lasso(alpha=0.1).fit(X, y).coef_
    array([0.85, 0.  ])
    """

    _l1_ratio_fixed = 1.0

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True, max_iter=1000,
                 tol=1e-4, warm_start=False, positive=False, random_state=None, selection="cyclic",
                 standardize=False, penalty_factor=None, lower_bounds=None, upper_bounds=None):
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection


class ElasticNetCV(RegressorBase):
    """ElasticNet with alpha (and l1_ratio) chosen by cross-validation, plus glmnet's 1-SE choice.

    A drop-in for scikit-learn's ``ElasticNetCV``: the same parameters, folds (``cv=None`` or an int is
    K-fold without shuffling), alpha grid (from all the data, shared by the folds), ``mse_path_`` and
    choice of ``alpha_`` / ``l1_ratio_`` (the smallest mean held-out error), then a refit on all the data.
    The folds run from sufficient statistics when n > p (one pass over X in all; see `fastreg.cv_path`)
    and on threads (``n_jobs``) otherwise.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mix(es) to cross-validate, in [0, 1].
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid, or the alphas themselves (a single float is an error, as
        in scikit-learn: pass ``[0.1]`` for one alpha).
    fit_intercept, precompute, max_iter, tol, copy_X, positive, random_state, selection :
        As `ElasticNet` (``precompute='auto'`` by default, as scikit-learn's CV estimators).
    cv : int, splitter or iterable of (train, test), default=None
        None is 5-fold.
    verbose : bool or int, default=False
        Accepted for compatibility.
    n_jobs : int, default=None
        Threads for the folds (-1: every CPU).
    standardize, penalty_factor, lower_bounds, upper_bounds :
        As `ElasticNet`, applied in every fold (each fold standardizes by its own training rows, as
        glmnet's cv.glmnet).

    Attributes
    ----------
    alpha_, l1_ratio_ : float
        The choice with the smallest mean CV error.
    alpha_1se_ : float
        The largest alpha (at ``l1_ratio_``) whose mean CV error is within one standard error of the
        minimum (glmnet's ``lambda.1se``); the refit uses ``alpha_``.
    mse_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds) or (n_alphas, n_folds)
        Held-out mean squared error of each fold (weighted by the held-out rows' sample_weight).
    mse_std_error_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
        Standard error of the mean CV error (std over folds / sqrt(n_folds)).
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
    coef_, intercept_, dual_gap_, n_iter_, n_features_in_, feature_names_in_, solver_ :
        Of the refit on all the data at ``alpha_`` (from zero, as a single fit).
    cv_solver_ : str
        How the folds were solved: 'statistics' or 'residual'.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((150, 8)); y = X @ [1.5, 0, 0, -2.0, 0, 0, 0, 0] + rng.standard_normal(150)
    >>> model = fastreg.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5).fit(X, y)
    >>> model.mse_path_.shape, model.alpha_1se_ >= model.alpha_
    ((2, 100, 5), True)
    """

    _lasso = False

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0, n_jobs=None, positive=False,
                 random_state=None, selection="cyclic", standardize=False, penalty_factor=None,
                 lower_bounds=None, upper_bounds=None):
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the alpha grid (and the l1_ratios), then refit at the best alpha.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Weights for the fits and for the held-out errors.
        **params :
            Metadata for the splitter (e.g. ``groups`` for a GroupKFold ``cv``), routed as scikit-learn
            does: only with ``sklearn.set_config(enable_metadata_routing=True)``, else an error.

        Returns
        -------
        self
        """
        from ._cv import cv_path

        X, y, sample_weight = split_target(X, y, sample_weight)
        self._check_feature_names(X, reset=True)
        l1_ratio = 1.0 if self._lasso else self.l1_ratio
        v.check_bool(self.copy_X, "copy_X")  # X is never modified; checked as scikit-learn does
        v.check_verbose(self.verbose)
        shape = getattr(y, "shape", None) or np.asarray(y).shape
        if len(shape) == 2 and shape[1] > 1:
            raise ValueError(f"{type(self).__name__} fits one target; y has {shape[1]} columns. "
                             f"Fit each column separately.")
        if len(shape) == 2:
            warnings.warn("A column-vector y was passed when a 1d array was expected; it is raveled.",
                          v.sklearn_compatible(v.DataConversionWarning), stacklevel=2)
        cv = routed_cv(self, self.cv, X, y, params)
        result = cv_path(
            X, y, l1_ratio=l1_ratio, eps=self.eps, alphas=self.alphas, cv=cv,
            sample_weight=sample_weight, fit_intercept=self.fit_intercept, precompute=self.precompute,
            standardize=self.standardize, penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds,
            tol=self.tol, max_iter=self.max_iter, positive=self.positive, selection=self.selection,
            random_state=self.random_state, n_jobs=self.n_jobs, return_path=False, _refit=True,
        )
        single = np.ndim(l1_ratio) == 0
        self.alpha_ = result.alpha_min
        self.l1_ratio_ = result.l1_ratio_min
        self.alpha_1se_ = result.alpha_1se
        self.mse_path_ = result.mse_path[0] if single else result.mse_path
        self.mse_std_error_ = result.mse_se[0] if single else result.mse_se
        # scikit-learn: the grid of each l1_ratio when it was generated, the given alphas (sorted,
        # decreasing) once when they were given
        given = not isinstance(self.alphas, numbers.Integral)
        self.alphas_ = result.alphas[0] if single or given else result.alphas
        self.cv_solver_ = result.solver
        # the refit at alpha_ on all the data, from the CV's own design (no second pass over X when
        # the folds ran from statistics)
        refit = result.refit
        self.coef_ = refit.coefs[:, 0]
        self.intercept_ = float(refit.intercepts[0])
        self.dual_gap_ = float(refit.dual_gaps[0])
        self.n_iter_ = int(refit.n_iters[0])
        self.n_features_in_ = self.coef_.shape[0]
        self.solver_ = refit.solver
        if self._lasso:
            del self.l1_ratio_
        return self

    predict = ElasticNet.predict
    sparse_coef_ = ElasticNet.sparse_coef_

    def get_metadata_routing(self):
        """scikit-learn's metadata routing: fit's params go to the splitter (needs scikit-learn)."""
        return cv_metadata_routing(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False  # one target, as scikit-learn's (non multi-task) CV models
        return tags


class LassoCV(ElasticNetCV):
    """Lasso with alpha chosen by cross-validation (and glmnet's 1-SE alpha): `ElasticNetCV` with
    ``l1_ratio=1``, a drop-in for scikit-learn's ``LassoCV`` (``mse_path_`` of shape (n_alphas, n_folds)).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 6)); y = 3 * X[:, 0] + rng.standard_normal(100)
    >>> model = fastreg.LassoCV(cv=4).fit(X, y)
    >>> model.mse_path_.shape, bool(model.coef_[0] > 2)
    ((100, 4), True)
    """

    _lasso = True

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto", max_iter=1000,
                 tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None, positive=False,
                 random_state=None, selection="cyclic", standardize=False, penalty_factor=None,
                 lower_bounds=None, upper_bounds=None):
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection


# ----------------------------------------------------------------------------------------------------
# Ridge and RidgeCV: the direct solvers of fastreg._ridge (one factorization, or one eigendecomposition
# for many alphas and leave-one-out), on the shared validation, statistics and folds


class _RidgeEstimator(RegressorBase):
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _set_fitted(self, coef, intercept, one_d, dtype, n_features):
        coef = np.asarray(coef).astype(dtype)
        if one_d:  # (a NumPy scalar of X's dtype, as scikit-learn's: np.float64 is a float)
            self.coef_, self.intercept_ = coef[0], np.dtype(dtype).type(intercept[0])
        elif coef.shape[0] == 1:  # y of shape (n, 1): scikit-learn's coef_ is 1-D, intercept_ (1,)
            self.coef_, self.intercept_ = coef[0], np.asarray(intercept, dtype=dtype)
        else:
            self.coef_, self.intercept_ = coef, np.asarray(intercept, dtype=dtype)
        self.n_features_in_ = n_features

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``, in X's dtype (float32 stays float32).

        Parameters
        ----------
        X : {array-like, scipy.sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        return _predict_linear(self, X)


class Ridge(_RidgeEstimator):
    """Linear least squares with an L2 penalty, by one Cholesky factorization.

    Minimizes ``||y - X w - b||^2 + alpha ||w||^2`` (with sample weights s: ``sum_i s_i (y_i - x_i^T w
    - b)^2 + alpha ||w||^2``), exactly as scikit-learn's ``Ridge``: same parameters, same fitted
    attributes. See `ridge`. scikit-learn's solver names are accepted; every one of them returns the
    exact minimizer (to rounding):

    ============  ==============================================================================
    solver        what fastreg runs (``fastreg_solver_``)
    ============  ==============================================================================
    'auto'        Cholesky of the smaller centered Gram matrix ('cholesky' / 'cholesky-dual'; LSQR
                  for a sparse X whose Gram matrix would exceed 1 GiB; 'svd' when the factorization
                  cannot be trusted, with a warning when the system is singular)
    'cholesky'    the same, always a factorization
    'svd'         an SVD of the centered X (minimum-norm least squares for alpha = 0)
    'lsqr'        LSQR on the implicitly centered X (iterative: ``tol``, ``max_iter``, ``n_iter_``)
    'sparse_cg',  scikit-learn's iterative solvers: the exact direct solve of 'auto' (``tol`` and
    'sag',        ``max_iter`` unused, ``n_iter_`` 1)
    'saga'
    'lbfgs'       positive=True only (as scikit-learn): the box-constrained solve below
    ============  ==============================================================================

    ``positive=True`` (solver 'auto' or 'lbfgs'): w >= 0, solved as the ElasticNet with l1_ratio=0 and
    lower bound 0 on fastreg's coordinate-descent kernels and certified by the duality gap of the box
    problem (to tol^2, clipped to [1e-16, 1e-8], times the null objective; ``max_iter`` epochs, 10000 by
    default). scikit-learn's refusals are kept, with its messages: positive=True with another solver,
    'lbfgs' without positive, 'svd' and 'saga' with a sparse X and an intercept.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty (>= 0), one per target if an array.
    fit_intercept : bool, default=True
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    max_iter : int, default=None
        LSQR's iteration limit; the epoch limit with positive=True.
    tol : float, default=1e-4
        LSQR's tolerance (also when LSQR replaces an untrusted factorization of a large sparse X);
        with positive=True its square is the relative duality-gap target; unused by the direct solves.
    solver : {'auto', 'svd', 'cholesky', 'lsqr', 'sparse_cg', 'sag', 'saga', 'lbfgs'}, default='auto'
        See the table above.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility (scikit-learn's 'sag'/'saga' shuffle with it); fastreg's solves are
        deterministic and do not use it (it is validated).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or ndarray of shape (n_targets,)
        LSQR iterations (epochs with positive=True) per target; 1 for the direct solves (one
        factorization).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when X had string column names
    solver_ : str
        As scikit-learn reports it: the solver asked for when it is not 'auto', else what ran
        (``fastreg_solver_``).
    fastreg_solver_ : str
        What ran: 'cholesky', 'cholesky-dual', 'lsqr', 'svd' (asked for, or the solve from X, with a
        warning, when the factorization cannot be trusted: see `fastreg.ridge`), or for positive=True
        the coordinate-descent kernel ('cd-gram', 'cd-residual', ...).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 3)); y = X @ [1.0, 2.0, 0.0] + 3.0
    >>> model = fastreg.Ridge(alpha=1e-8).fit(X, y)
    >>> np.round(model.coef_, 6) + 0.0, round(float(model.intercept_), 6), model.solver_
    (array([1., 2., 0.]), 3.0, 'cholesky')
    >>> positive = fastreg.Ridge(alpha=1.0, positive=True).fit(X, X @ [1.0, -2.0, 0.5])
    >>> bool((positive.coef_ >= 0).all()), float(positive.coef_[1]), positive.fastreg_solver_
    (True, 0.0, 'cd-gram+active-set')
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None, tol=1e-4, solver="auto",
                 positive=False, random_state=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, scipy.sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,) or float, default=None

        Returns
        -------
        self
        """
        X, y, sample_weight = split_target(X, y, sample_weight)
        self._check_feature_names(X, reset=True)
        v.check_bool(self.copy_X, "copy_X")  # X is never modified; checked as scikit-learn does
        v.check_random_state(self.random_state)
        if any_dask(X, y, sample_weight):  # the normal equations from the statistics of the blocks
            coef, intercept, one_d, dtype, n_features = dask_ridge_fit(
                X, y, sample_weight, self.alpha, fit_intercept=v.check_bool(self.fit_intercept, "fit_intercept"),
                positive=self.positive)
            self._set_fitted(coef, intercept, one_d, dtype, n_features)
            self.fastreg_solver_ = self.solver_ = "statistics"
            self.n_iter_ = 1 if one_d else np.ones(coef.shape[0], dtype=int)
            return self
        coef, intercept, name, n_iter, one_d, dtype = solve_ridge(
            X, y, self.alpha, sample_weight=sample_weight, fit_intercept=self.fit_intercept, solver=self.solver,
            tol=self.tol, max_iter=self.max_iter, positive=self.positive, estimator=type(self).__name__)
        self._set_fitted(coef, intercept, one_d, dtype, coef.shape[1])
        self.fastreg_solver_ = name
        self.solver_ = name if self.solver == "auto" else self.solver
        # a direct solve is one step (scikit-learn's estimator checks want n_iter_ >= 1 with max_iter)
        n_iter = np.ones(coef.shape[0], dtype=int) if n_iter is None else np.asarray(n_iter)
        self.n_iter_ = int(n_iter[0]) if one_d else n_iter
        return self


class RidgeCV(_RidgeEstimator):
    """Ridge regression with the penalty chosen by efficient leave-one-out (or K-fold) cross-validation.

    ``cv=None`` (default): exact leave-one-out errors for every alpha from one eigendecomposition of
    the centered Gram matrix (``X~^T X~`` when n > p, ``X~ X~^T`` otherwise), the intercept refitted
    exactly without each sample, as scikit-learn's ``RidgeCV``: ``best_score_`` is minus the mean
    squared leave-one-out error (errors scaled by sqrt(sample_weight)). ``cv=K`` or a splitter: K-fold,
    scored by R^2 on the held-out rows (mean over folds, as GridSearchCV over ``Ridge``), every training
    fold's statistics from ``total - fold``; then a refit on all rows.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try (> 0 for leave-one-out, >= 0 for K-fold), or one number > 0 (as scikit-learn).
    fit_intercept : bool, default=True
    scoring : str, callable or None, default=None
        None: minus the mean squared leave-one-out error (cv=None), R^2 (K-fold). Otherwise a
        scikit-learn scorer name or ``scorer(estimator, X, y)`` (needs scikit-learn), applied as
        scikit-learn's RidgeCV does: to the leave-one-out (or held-out) predictions.
    cv : None, int, splitter or iterable of (train, test), default=None
    gcv_mode : {None, 'auto', 'eigen', 'svd'}, default=None
        None/'auto'/'eigen': eigendecomposition of the smaller Gram matrix, or an SVD of X~ when some
        alpha is too small for it to resolve (dense X; `ridge_path`'s rule); 'svd': SVD of X~ (dense;
        on a sparse X 'eigen' with scikit-learn 1.9's FutureWarning).
    store_cv_results : bool, default=False
        Keep the leave-one-out squared errors in ``cv_results_`` (cv=None only).
    alpha_per_target : bool, default=False
        Choose an alpha for every target separately (cv=None only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        Squared leave-one-out errors (scaled by the sample weights), or the leave-one-out predictions
        when ``scoring`` is given.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when X had string column names
    solver_ : str
        The decomposition: 'eigh', 'eigh-dual' or 'svd' (leave-one-out), 'kfold' + the refit's solver.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5)); y = X @ [1.0, 2.0, 0.0, 0.0, -1.0] + rng.standard_normal(200)
    >>> model = fastreg.RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, y)
    >>> float(model.alpha_), model.solver_
    (1.0, 'eigh')
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None, gcv_mode=None,
                 store_cv_results=False, alpha_per_target=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def fit(self, X, y, sample_weight=None, **params):
        """Fit the model, choosing alpha by cross-validation.

        Parameters
        ----------
        X : {array-like, scipy.sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Weights of the squared loss; leave-one-out errors are scaled by their square root, K-fold
            R^2 scores are weighted (both as scikit-learn's RidgeCV).
        **params : dict
            Metadata routed to the scorer (``score``) and the splitter (``split``, e.g. ``groups``) as
            scikit-learn's RidgeCV routes them; only with
            ``sklearn.set_config(enable_metadata_routing=True)`` (see `get_metadata_routing`).

        Returns
        -------
        self
        """
        score_params, groups = self._routed_params(sample_weight, params)
        X, y, sample_weight = split_target(X, y, sample_weight)
        if any_dask(X, y, sample_weight):
            return self._fit_dask(X, y, sample_weight, groups)
        scoring = None if v.check_scoring(self.scoring) is None else ridge_scorer(self.scoring)
        self._check_feature_names(X, reset=True)
        X, Y, sw, one_d = v.check_ridge_data(X, y, sample_weight, estimator=type(self).__name__)
        if _ridge.y_unit(X, Y) != 1.0:  # (Ridge and ridge_path rescale y; scores in y's units cannot be)
            raise ValueError(
                f"RidgeCV: y has entries of magnitude {float(np.max(np.abs(Y))):.3g}, too large or too small "
                f"(against X's) for its squared errors or the solve to stay inside the {X.dtype} range; "
                f"multiply y by a power of ten first (the scores then scale by its square)."
            )
        loo = self.cv is None
        alphas = v.check_ridge_alphas(self.alphas, positive=loo, single_positive=True)
        fit_intercept, store_cv_results, alpha_per_target = v.check_bools(
            fit_intercept=self.fit_intercept, store_cv_results=self.store_cv_results,
            alpha_per_target=self.alpha_per_target)
        gcv_mode = v.check_gcv_mode(self.gcv_mode, X)
        per_target = alpha_per_target and Y.shape[1] > 1
        if not loo:
            if store_cv_results:
                raise ValueError("cv!=None and store_cv_results=True are incompatible: only leave-one-out "
                                 "(cv=None) keeps per-sample errors.")
            if alpha_per_target:
                raise ValueError("cv!=None and alpha_per_target=True are incompatible; use cv=None.")
            n = X.shape[0]
            folds = make_folds(check_cv(self.cv, n), X, Y if Y.shape[1] > 1 else Y[:, 0],
                               v.check_groups(groups, n), n)
            scores = ridge_kfold_scores(X, Y, sw, alphas, fit_intercept, folds, scoring, one_d, score_params)
            best = int(np.argmax(scores))
            coef, intercept, name, _ = _ridge.solve(X, Y, sw, np.full(Y.shape[1], alphas[best]), fit_intercept,
                                                    "auto", 1e-6, None)
            self._set_fitted(coef, intercept, one_d, X.dtype, X.shape[1])
            self.alpha_, self.best_score_ = float(alphas[best]), float(scores[best])
            self.solver_ = f"kfold+{name}"
            return self

        v.check_loo_samples(sw, X.shape[0], fit_intercept)
        mode = _plan.ridge_decomposition(X, gcv_mode)
        if mode == "svd":  # (no Gram matrix to check X by)
            v.check_finite(X)
        spectrum = _ridge.spectrum(X, Y, sw, fit_intercept, mode)
        if spectrum.unresolved(alphas).any() and not sparse.issparse(X):
            # alphas below the eigendecomposition's resolution: every alpha from an SVD of X~ instead
            mode = "svd"
            spectrum = _ridge.spectrum(X, Y, sw, fit_intercept, mode)
        keep = store_cv_results or scoring is not None
        sq, errors = _ridge.loo_errors(X, spectrum, Y, alphas, fit_intercept, keep)
        n, k = X.shape[0], Y.shape[1]
        if scoring is not None:
            # leave-one-out predictions in the units of y (errors are scaled by sqrt(s)), as scikit-learn
            with np.errstate(divide="ignore", invalid="ignore"):
                results = Y.astype(np.float64)[:, :, None] - errors / spectrum.root[:, None, None]
            Y64 = Y.astype(np.float64)
            if per_target:
                scores = np.array([score_predictions(scoring, results[:, t:t + 1], Y64[:, t:t + 1], sw, True,
                                                     score_params) for t in range(k)])
            else:
                scores = score_predictions(scoring, results, Y64, sw, one_d, score_params)
        else:
            results = None if errors is None else errors**2
            scores = -sq / n if per_target else -sq.sum(axis=0) / (n * k)
        if per_target:  # scores (k, a)
            best = np.argmax(scores, axis=1)
            coefs = spectrum.coefs(alphas)  # (k, p, a)
            coef = coefs[np.arange(k), :, best]
            alpha_, best_score = alphas[best], scores[np.arange(k), best]
        else:
            b = int(np.argmax(scores))
            coef = spectrum.coefs(alphas[b:b + 1])[:, :, 0]
            alpha_, best_score = float(alphas[b]), float(scores[b])
        intercept = spectrum.y_mean - coef @ spectrum.x_mean if fit_intercept else np.zeros(k)
        self._set_fitted(coef, intercept, one_d, X.dtype, X.shape[1])
        self.alpha_, self.best_score_ = alpha_, best_score
        if store_cv_results:
            self.cv_results_ = (results[:, 0, :] if one_d else results).astype(X.dtype)
        elif hasattr(self, "cv_results_"):
            del self.cv_results_
        self.solver_ = _ridge.MODE_NAMES[mode]
        return self

    def _fit_dask(self, X, y, sample_weight, groups):
        """K-fold from one distributed pass (`fastreg._dask.ridge_cv_scores`); leave-one-out needs
        every row and is refused."""
        if self.cv is None:
            raise ValueError("RidgeCV on dask data: leave-one-out (cv=None) needs every row; pass cv=K for "
                             "K-fold from the statistics (or an array of fold labels).")
        if self.scoring is not None or groups is not None:
            raise ValueError("RidgeCV on dask data scores the folds by R^2 from their statistics: scoring and "
                             "groups are not supported (pass scoring=None, and the folds as cv).")
        fit_intercept, store_cv_results, alpha_per_target = v.check_bools(
            fit_intercept=self.fit_intercept, store_cv_results=self.store_cv_results,
            alpha_per_target=self.alpha_per_target)
        if store_cv_results or alpha_per_target:
            raise ValueError("cv!=None and store_cv_results=True or alpha_per_target=True are incompatible; "
                             "use cv=None (not available for dask data).")
        alphas = v.check_ridge_alphas(self.alphas, positive=False, single_positive=True)
        self._check_feature_names(X, reset=True)
        scores, coef, intercept, best, one_d, dtype, n_features = dask_ridge_cv_scores(
            X, y, sample_weight, alphas, fit_intercept=fit_intercept, cv=self.cv)
        self._set_fitted(coef, intercept, one_d, dtype, n_features)
        self.alpha_, self.best_score_ = float(alphas[best]), float(scores[best])
        self.solver_ = "kfold+statistics"
        return self

    def _routed_params(self, sample_weight, params):
        """(the parameters routed to the scorer, or None: the sample weights, as without routing; the
        splitter's groups or None). Extra parameters need scikit-learn's metadata routing (its error)."""
        if not _metadata_routing_enabled():
            check_routing(self, params)
            return None, None
        from sklearn.utils.metadata_routing import process_routing

        if sample_weight is not None:
            params = dict(params, sample_weight=sample_weight)
        routed = process_routing(self, "fit", **params)
        return dict(routed.scorer.score), routed.splitter.split.get("groups")

    def _routing_scorer(self):
        """The scorer scikit-learn's RidgeCV routes to: R^2 requesting sample_weight when scoring is None
        (the weights are always passed to it), else the given scoring's."""
        from sklearn.metrics import check_scoring, get_scorer

        if self.scoring is None:
            return get_scorer("r2").set_score_request(sample_weight=True)
        return check_scoring(estimator=self, scoring=self.scoring)

    def get_metadata_routing(self):
        """scikit-learn's metadata routing of ``fit`` (needs scikit-learn): ``sample_weight`` consumed by
        the fit itself, the scorer's ``score`` and the splitter's ``split`` parameters routed to them,
        as scikit-learn's RidgeCV.

        Returns
        -------
        sklearn.utils.metadata_routing.MetadataRouter
        """
        from sklearn.utils.metadata_routing import MetadataRequest, MetadataRouter, MethodMapping

        own = MetadataRequest(owner=self)
        own.fit.add_request(param="sample_weight", alias=True)
        return (
            MetadataRouter(owner=self)
            .add_self_request(own)
            .add(scorer=self._routing_scorer(), method_mapping=MethodMapping().add(caller="fit", callee="score"))
            .add(splitter=self.cv, method_mapping=MethodMapping().add(caller="fit", callee="split"))
        )


# scikit-learn's solver names, accepted by LogisticRegression (fastreg runs its own: `solver_` says which)
LOGISTIC_SOLVERS = {"lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga"}


def class_weights_of(class_weight, classes, codes, sample_weight=None):
    """scikit-learn's class weights, one per class (None: none): 'balanced' is W / (K W_k), W_k the
    total sample weight of class k (its count without weights)."""
    if class_weight is None:
        return None
    if isinstance(class_weight, str):
        v.check_choice(class_weight, "class_weight", {"balanced"})
        totals = np.bincount(codes, weights=sample_weight, minlength=classes.size).astype(np.float64)
        # (a class without weight has no rows to weigh: 1, not an infinity that 0 times it makes NaN)
        return np.divide(totals.sum(), classes.size * totals, out=np.ones(classes.size), where=totals > 0)
    if not isinstance(class_weight, dict):
        raise ValueError(f"class_weight must be None, 'balanced' or a dict {{label: weight}}, got {class_weight!r}.")
    weights = np.ones(classes.size)
    for label, weight in class_weight.items():
        found = np.flatnonzero(classes == label)
        if found.size == 0:
            raise ValueError(f"class_weight has a label {label!r} that is not in y (classes {classes.tolist()}).")
        weights[found[0]] = v.check_scalar(weight, f"class_weight[{label!r}]", low=0.0)
    return weights


def _logistic_mix(penalty, l1_ratio):
    """l1_ratio from scikit-learn's deprecated `penalty` spelling and `l1_ratio` (None: not given)."""
    if penalty is None:
        raise ValueError(
            "penalty=None (an unpenalized logistic regression) is not supported: fastreg certifies "
            "penalized fits, and unpenalized ones diverge on separable data. Use a large C instead."
        )
    v.check_choice(penalty, "penalty", {"deprecated", "l1", "l2", "elasticnet"})
    if penalty == "l1":
        return 1.0
    if penalty == "l2":
        return 0.0
    return l1_ratio


class _LogisticBase(ClassifierBase):
    """What LogisticRegression and LogisticRegressionCV share: the checks of the data and of
    scikit-learn's options, the sample weights times the class weights, and the predictions (the binomial
    model for two classes, the multinomial for more, as scikit-learn 1.8+)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # scikit-learn's liblinear refuses more than two classes; every other solver name fits them
        tags.classifier_tags.multi_class = self.solver != "liblinear"
        return tags

    def _validated(self, X, y, sample_weight):
        """The validated data and settings of a fit (`_LogisticFit`)."""
        name = type(self).__name__
        if any_dask(X, y, sample_weight):
            raise dask_refusal(name)
        self._check_feature_names(X, reset=True)
        X = v.as_design_matrix(X, check_finite=False, accept_sparse=True)
        n_samples = X.shape[0]
        sample_weight = v.as_sample_weight(sample_weight, n_samples, np.float64)
        y = None if y is None else np.asarray(y)
        if y is not None and y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected; it is raveled.",
                          v.sklearn_compatible(v.DataConversionWarning), stacklevel=3)
            y = y[:, 0]
        v.check_choice(self.solver, "solver", LOGISTIC_SOLVERS)
        liblinear = ("solver='liblinear' (scikit-learn's liblinear refuses more than two classes; fastreg "
                     "fits the multinomial model with any other solver name, e.g. the default 'lbfgs')")
        classes, codes = v.check_class_labels(y, n_samples, sample_weight, estimator=name,
                                              binary_only=liblinear if self.solver == "liblinear" else None)
        # max_iter bounds the Newton steps (scikit-learn's solvers count their outer iterations)
        max_newton = v.check_scalar(self.max_iter, "max_iter", kind=numbers.Integral, low=1)
        settings = check_settings(tol=self.tol, max_iter=1000, random_state=self.random_state,
                                  max_newton=max_newton)
        fit_intercept, _ = v.check_bools(fit_intercept=self.fit_intercept, dual=self.dual)
        v.check_verbose(self.verbose)
        v.check_scalar(self.intercept_scaling, "intercept_scaling", low=0.0, low_inclusive=False)
        workers = n_workers(self.n_jobs)
        weights = np.ones(n_samples) if sample_weight is None else sample_weight
        class_weights = class_weights_of(self.class_weight, classes, codes, sample_weight)
        if class_weights is not None:
            weights = weights * class_weights[codes]
        if not weights.sum() > 0:
            raise ValueError("sample_weight times class_weight is zero for every sample; nothing to fit.")
        if class_weights is not None:  # (class_weight may leave fewer than two classes with weight)
            v.check_class_labels(y, n_samples, weights, estimator=name)
        # scikit-learn 1.8+: two classes are the binomial model, more the multinomial
        n_classes = classes.size if classes.size > 2 else None
        return _LogisticFit(X, y, classes, codes, sample_weight, weights, settings, fit_intercept, workers, n_classes)

    def decision_function(self, X):
        """Two classes: ``X @ coef_[0] + intercept_[0]``, the log-odds of the second class, shape
        (n_samples,). K > 2 classes: ``X @ coef_.T + intercept_``, shape (n_samples, K) (the log-probabilities
        up to a common shift per row; -inf for a class fitted without weight)."""
        self._check_is_fitted()
        self._check_feature_names(X, reset=False)
        X = v.as_design_matrix(X, accept_sparse=True)
        self._check_n_features(X.shape[1])
        coef = self.coef_.astype(X.dtype, copy=False)
        if self.classes_.size <= 2:
            return np.asarray(X @ coef[0]).reshape(-1) + self.intercept_[0]
        return np.asarray(X @ coef.T) + self.intercept_

    def predict(self, X):
        """The most probable class of each row."""
        d = self.decision_function(X)  # (checks that the model is fitted first)
        best = (d > 0).astype(np.intp) if d.ndim == 1 else np.argmax(d, axis=1)
        return self.classes_[best]

    def predict_log_proba(self, X):
        """Log-probabilities of the classes (columns in the order of ``classes_``), shape (n_samples, K),
        computed stably (two classes: the logistic model; more: the softmax of `decision_function`)."""
        d = np.asarray(self.decision_function(X), dtype=np.float64)
        if d.ndim == 1:
            return np.column_stack((-np.logaddexp(0.0, d), -np.logaddexp(0.0, -d)))
        top = d.max(axis=1, keepdims=True)
        return d - (top + np.log(np.exp(d - top).sum(axis=1, keepdims=True)))

    def predict_proba(self, X):
        """Probabilities of the classes (columns in the order of ``classes_``), shape (n_samples, K)."""
        return np.exp(self.predict_log_proba(X))


class _LogisticFit(NamedTuple):
    X: object
    y: np.ndarray
    classes: np.ndarray
    codes: np.ndarray
    sample_weight: np.ndarray  # the user's (None: none)
    weights: np.ndarray        # sample weights times class weights
    settings: object
    fit_intercept: bool
    workers: int
    n_classes: int             # None: the binomial model (two classes); K: the multinomial


class LogisticRegression(_LogisticBase):
    """Penalized logistic regression by certified proximal Newton, a drop-in for scikit-learn's
    ``LogisticRegression``: the binomial model for two classes, the multinomial for more (as
    scikit-learn 1.8+ does with every solver but liblinear).

    Minimizes scikit-learn's objective

        C sum_i s_i logloss(y_i, x_i^T w + b) + l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2

    for two classes and, for K > 2, its multinomial version (the symmetric parametrization: one row of
    coefficients and one intercept per class, each row penalized)

        C sum_i s_i [logsumexp_k(x_i^T W_k + b_k) - (x_i^T W_{y_i} + b_{y_i})]
        + sum_k (l1_ratio ||W_k||_1 + (1 - l1_ratio)/2 ||W_k||^2)

    (s the sample weights times the class weights), which is ``fastreg.logistic_path``'s objective at
    ``alpha = 1 / (C sum_i s_i)`` times a constant: the same minimizer, certified by its duality gap.
    The multinomial model is unchanged by a common shift of the intercepts: ``intercept_`` sums to 0
    (scikit-learn's does not, its predictions are the same). A class whose rows all have weight 0 (e.g.
    through class_weight) keeps its place in ``classes_`` with probability 0 (coefficients 0, intercept
    -inf: the limit of the optimum).

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet'}, default='deprecated'
        scikit-learn's deprecated spelling of `l1_ratio` ('l1': 1, 'l2': 0, 'elasticnet': `l1_ratio`).
        None (no penalty) is not supported: an unpenalized fit has no certificate (and diverges on
        separable data); use a large C.
    C : float, default=1.0
        Inverse penalty strength (> 0).
    l1_ratio : float, default=0.0
        Mix of the L1 and L2 penalties, in [0, 1].
    dual, intercept_scaling, random_state, solver, verbose, n_jobs :
        Accepted for compatibility; fastreg runs its own solver (``solver_`` says which) and the
        intercept is never penalized (so `intercept_scaling` has nothing to scale). As scikit-learn's,
        ``solver='liblinear'`` refuses more than two classes (any other name fits them).
    tol : float, default=1e-4
        Stop when the duality gap is <= ``tol`` times the null model's mean log-loss (relative
        suboptimality of the objective divided by ``C sum_i s_i``).
    fit_intercept : bool, default=True
    class_weight : dict or 'balanced', default=None
        Weights multiplying the sample weights of each class, as scikit-learn.
    max_iter : int, default=100
        Newton (IRLS) steps at most (for more than two classes, sweeps of one Newton step per class);
        each one runs at most 1000 epochs of coordinate descent.
    warm_start : bool, default=False
        Start from the previous solution when refitting.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) for two classes, (n_classes, n_features) for more
    intercept_ : ndarray of shape (1,) or (n_classes,)
    classes_ : ndarray of shape (n_classes,)
    n_iter_ : ndarray of shape (1,)
    dual_gap_ : float
        Certified duality gap of the solution, in the units of ``logistic_path``'s objective.
    n_features_in_, feature_names_in_, solver_

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 4)); y = np.where(X[:, 0] + 0.3 * rng.standard_normal(200) > 0, "yes", "no")
    >>> model = fastreg.LogisticRegression(C=1.0, l1_ratio=1.0).fit(X, y)
    >>> model.classes_.tolist(), model.predict(X[:3]).tolist(), round(model.score(X, y), 2)
    (['no', 'yes'], ['yes', 'no', 'no'], 0.92)
    >>> labels = np.digitize(X[:, 0] + 0.3 * rng.standard_normal(200), [-0.5, 0.5])  # three classes
    >>> multi = fastreg.LogisticRegression(C=1.0).fit(X, labels)
    >>> multi.coef_.shape, multi.predict_proba(X[:2]).shape, bool(abs(multi.intercept_.sum()) < 1e-12)
    ((3, 4), (2, 3), True)
    """

    def __init__(self, penalty="deprecated", *, C=1.0, l1_ratio=0.0, dual=False, tol=1e-4, fit_intercept=True,
                 intercept_scaling=1, class_weight=None, random_state=None, solver="lbfgs", max_iter=100,
                 verbose=0, warm_start=False, n_jobs=None):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (two or more classes).
        sample_weight : array-like of shape (n_samples,) or float, default=None

        Returns
        -------
        self
        """
        fit = self._validated(X, y, sample_weight)
        X, codes, weights, settings, n_classes = fit.X, fit.codes, fit.weights, fit.settings, fit.n_classes
        n_features = X.shape[1]
        l1_ratio = v.check_l1_ratio(_logistic_mix(self.penalty, self.l1_ratio))
        C = v.check_scalar(self.C, "C", low=0.0, low_inclusive=False)
        warm_start = v.check_bool(self.warm_start, "warm_start")
        alpha = 1.0 / (C * float(weights.sum()))
        penalty = check_penalty(l1_ratio, n_features)
        n_rows = 1 if n_classes is None else n_classes
        previous = None
        if warm_start and getattr(self, "coef_", None) is not None and self.coef_.shape == (n_rows, n_features):
            previous = self.coef_[0] if n_classes is None else self.coef_
        problem = prepare_logistic(X, codes, weights, settings, penalty, fit_intercept=fit.fit_intercept,
                                   standardize=False, n_classes=n_classes)
        path = solve_path(problem, np.array([alpha]), settings, coef_init=previous)
        self.classes_ = fit.classes
        if n_classes is None:
            self.coef_ = path.coefs[:, :1].T.copy()
            self.intercept_ = np.array([path.intercepts[0]], dtype=X.dtype)
        else:
            self.coef_ = path.coefs[:, :, 0].copy()
            self.intercept_ = path.intercepts[:, 0].astype(X.dtype)
        self.n_iter_ = np.array([int(path.n_iters[0])])
        self.dual_gap_ = float(path.dual_gaps[0])
        self.n_features_in_ = n_features
        self.solver_ = path.solver
        return self


class LogisticRegressionCV(_LogisticBase):
    """Penalized logistic regression (binomial for two classes, multinomial for more) with C (and
    l1_ratio) chosen by cross-validation, a drop-in for scikit-learn's ``LogisticRegressionCV`` (its
    legacy attributes), plus glmnet's 1-SE C.

    Every fold solves its whole grid of Cs as one warm-started certified path (`logistic_path`, the
    objective of `LogisticRegression` at ``alpha = 1 / (C sum_i s_i)`` over the training rows), on
    ``n_jobs`` threads, and scores the held-out rows. A class without training rows in a fold (as
    scikit-learn, not an error; a UserWarning says which) has probability 0 in that fold's models:
    coefficients 0 and intercept -inf in ``coefs_paths_``, the limit of the optimum, whose other classes
    are the fit without it.

    Parameters
    ----------
    Cs : int or array-like of float, default=10
        The Cs (> 0) to cross-validate; an int is that many log-spaced between 1e-4 and 1e4.
    l1_ratios : array-like of float, default=None
        The mixes to cross-validate, in [0, 1]; None is 0 (1 with ``penalty='l1'``).
    fit_intercept, dual, penalty, solver, tol, max_iter, class_weight, verbose, intercept_scaling,
    random_state : as `LogisticRegression`.
    cv : int, splitter or iterable of (train, test), default=None
        None is 5-fold stratified K-fold without shuffling (scikit-learn's ``StratifiedKFold``, the
        same folds); an int K is K folds of the same kind.
    scoring : str or callable, default=None
        None is accuracy; a scikit-learn scorer name (e.g. 'neg_log_loss', 'roc_auc') or callable
        ``scorer(estimator, X, y)`` (scikit-learn needed for names).
    n_jobs : int, default=None
        Threads for the folds (-1: every CPU).
    refit : bool, default=True
        Refit on all rows at the best (C, l1_ratio); otherwise average the folds' best coefficients and
        Cs, as scikit-learn.
    use_legacy_attributes : bool, default=True
        Only scikit-learn's legacy attribute layout (True) is implemented.

    Attributes
    ----------
    C_, l1_ratio_ : ndarray of shape (1,), or (n_classes,) for more than two classes (repeated, as
        scikit-learn)
    C_1se_ : float
        glmnet's 1-SE choice: the smallest C whose mean score is within one standard error (over folds)
        of the best, at ``l1_ratio_``.
    Cs_, l1_ratios_ : ndarray
    scores_ : dict {class: ndarray of shape (n_folds, n_Cs) or (n_folds, n_Cs, n_l1_ratios)}
        Keyed by the positive class for two classes, by every class for more (the same scores each).
    coefs_paths_ : dict {class: ndarray of shape (n_folds, n_Cs[, n_l1_ratios], n_features + 1)}
        Each class's coefficients (the positive class's alone for two), the intercept last with
        ``fit_intercept`` (the multinomial intercepts of a fold sum to 0 over its classes).
    coef_, intercept_ : ndarray of shape (1, n_features) and (1,), or (n_classes, n_features) and (n_classes,)
    classes_, n_iter_, n_features_in_, feature_names_in_

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5)); y = X[:, 0] - X[:, 1] + rng.standard_normal(200) > 0
    >>> model = fastreg.LogisticRegressionCV(Cs=8, l1_ratios=[1.0]).fit(X, y)
    >>> model.scores_[True].shape, bool(model.C_1se_ <= model.C_[0])
    ((5, 8, 1), True)
    """

    def __init__(self, *, Cs=10, l1_ratios=None, fit_intercept=True, cv=None, dual=False, penalty="deprecated",
                 scoring=None, solver="lbfgs", tol=1e-4, max_iter=100, class_weight=None, n_jobs=None, verbose=0,
                 refit=True, intercept_scaling=1.0, random_state=None, use_legacy_attributes=True):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes

    def _grid(self):
        if isinstance(self.Cs, numbers.Integral) and not isinstance(self.Cs, bool):
            return np.logspace(-4, 4, v.check_scalar(self.Cs, "Cs", kind=numbers.Integral, low=1))
        try:
            Cs = np.asarray(self.Cs, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"Cs must be an int or a sequence of numbers > 0, got {self.Cs!r}.") from None
        if Cs.ndim != 1 or Cs.size == 0 or not np.isfinite(Cs).all() or (Cs <= 0).any():
            raise ValueError(f"Cs must be an int or a non-empty sequence of finite numbers > 0, got {self.Cs!r}.")
        return Cs

    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the Cs (and l1_ratios), then refit at the best.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (two or more classes).
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Weights of the fits and of the held-out scores (as scikit-learn's).
        **params :
            Metadata for the splitter (e.g. ``groups`` for a GroupKFold ``cv``), routed as scikit-learn
            does: only with ``sklearn.set_config(enable_metadata_routing=True)``, else an error. (The
            scorer's metadata are not routed.)

        Returns
        -------
        self
        """
        routed = routed_cv(self, self.cv, X, y, params)
        fit = self._validated(X, y, sample_weight)
        X, y, classes, codes, weights, settings = fit.X, fit.y, fit.classes, fit.codes, fit.weights, fit.settings
        sample_weight, fit_intercept, n_classes = fit.sample_weight, fit.fit_intercept, fit.n_classes
        n_samples, n_features = X.shape
        Cs = self._grid()
        mix = _logistic_mix(self.penalty, None)
        if self.l1_ratios is None:
            if self.penalty == "elasticnet":
                raise ValueError("penalty='elasticnet' needs l1_ratios: a list of mixes in [0, 1].")
            l1_ratios = np.array([0.0 if mix is None else mix])
        else:
            l1_ratios = np.atleast_1d(v.check_l1_ratios(self.l1_ratios, "l1_ratios")).astype(np.float64)
        refit, legacy = v.check_bools(refit=self.refit, use_legacy_attributes=self.use_legacy_attributes)
        if not legacy:
            raise ValueError("use_legacy_attributes=False (scikit-learn 1.10's attribute layout) is not supported "
                             "yet; use the default True.")
        scorer = _logistic_scorer(self.scoring)
        if isinstance(X, np.ndarray):
            v.check_finite(X)  # (once, before the folds copy their rows)
        if routed is not self.cv:  # (folds of a splitter given routed metadata)
            folds = make_folds(check_cv(routed, n_samples), X, y, None, n_samples)
        elif self.cv is None or (isinstance(self.cv, numbers.Integral) and not isinstance(self.cv, bool)):
            folds = stratified_folds(codes, check_cv(self.cv, n_samples))
        else:
            folds = make_folds(check_cv(self.cv, n_samples), X, y, None, n_samples)
        order = np.argsort(Cs, kind="stable")  # the path runs from the strongest penalty (smallest C) up
        n_rows = 1 if n_classes is None else n_classes  # coefficient rows: the binomial's one, or K

        def one_fold(k):
            train, test = folds[k]
            w_train = weights[train]
            present = np.bincount(codes[train], weights=w_train, minlength=classes.size) > 0
            if np.count_nonzero(present) < 2:
                raise ValueError(f"cv: the training rows of split #{k} hold one class; use fewer folds or "
                                 f"stratified ones.")
            if n_classes is None and not present.all():
                raise ValueError(f"cv: the training rows of split #{k} give one of the two classes no weight; "
                                 f"use fewer folds or stratified ones.")
            if not present.all() and fit_intercept:
                absent = ", ".join(repr(c) for c in classes[~present].tolist())
                warnings.warn(f"cv: class {absent} has no training rows (with positive weight) in split #{k}: "
                              f"its probability is 0 in that fold's models (coefficients 0, intercept -inf).",
                              UserWarning, stacklevel=2)
            X_train, X_test = take_rows(X, train), X[test]
            sw_test = None if sample_weight is None else sample_weight[test]
            coefs = np.zeros((n_rows, Cs.size, l1_ratios.size, n_features + fit_intercept))
            scores = np.empty((Cs.size, l1_ratios.size))
            n_iter = np.zeros((Cs.size, l1_ratios.size), dtype=int)
            for j, l1_ratio in enumerate(l1_ratios):
                problem = prepare_logistic(X_train, codes[train], w_train, settings, check_penalty(l1_ratio, n_features),
                                           fit_intercept=fit_intercept, standardize=False, finite=True,
                                           n_classes=n_classes)
                path = solve_path(problem, 1.0 / (Cs[order] * float(w_train.sum())), settings)
                path_coefs = path.coefs.reshape(n_rows, n_features, -1)
                path_intercepts = path.intercepts.reshape(n_rows, -1)
                for i, c in enumerate(order):
                    coefs[:, c, j, :n_features] = path_coefs[:, :, i]
                    if fit_intercept:
                        coefs[:, c, j, -1] = path_intercepts[:, i]
                    n_iter[c, j] = path.n_iters[i]
                    scores[c, j] = scorer(self._scored(classes, path_coefs[:, :, i], path_intercepts[:, i], X.dtype),
                                          X_test, y[test], sw_test)
            return coefs, scores, n_iter

        if fit.workers > 1 and len(folds) > 1:
            with ThreadPoolExecutor(max_workers=min(fit.workers, len(folds))) as pool:
                results = list(pool.map(one_fold, range(len(folds))))
        else:
            results = [one_fold(k) for k in range(len(folds))]
        # (n_rows, n_folds, n_Cs, n_l1_ratios, n_dof): scikit-learn's coefs_paths before its dict
        coefs_paths = np.stack([r[0] for r in results], axis=1)
        scores = np.stack([r[1] for r in results])         # (n_folds, n_Cs, n_l1_ratios)
        n_iter = np.stack([r[2] for r in results])[None]
        self.classes_ = classes
        self.Cs_ = Cs
        self.l1_ratios_ = l1_ratios
        mean = scores.mean(axis=0)
        if refit:
            best = np.unravel_index(int(np.argmax(scores.sum(axis=0))), mean.shape)
            C, l1_ratio = float(Cs[best[0]]), float(l1_ratios[best[1]])
            start = coefs_paths[:, :, best[0], best[1], :n_features].mean(axis=1)
            problem = prepare_logistic(X, codes, weights, settings, check_penalty(l1_ratio, n_features),
                                       fit_intercept=fit_intercept, standardize=False, finite=True,
                                       n_classes=n_classes)
            path = solve_path(problem, np.array([1.0 / (C * float(weights.sum()))]), settings,
                              coef_init=start[0] if n_classes is None else start)
            coef = path.coefs.reshape(n_rows, n_features)
            intercept = path.intercepts.reshape(n_rows)
            self.dual_gap_ = float(path.dual_gaps[0])
            self.solver_ = path.solver
        else:
            flat = np.argmax(scores.reshape(len(folds), -1), axis=1)
            best_c, best_l1 = np.unravel_index(flat, mean.shape)
            chosen = np.stack([coefs_paths[:, k, best_c[k], best_l1[k]] for k in range(len(folds))]).mean(axis=0)
            C, l1_ratio = float(np.mean(Cs[best_c])), float(np.mean(l1_ratios[best_l1]))
            coef = chosen[:, :n_features]
            intercept = chosen[:, -1] if fit_intercept else np.zeros(n_rows)
            best = (int(np.argmax(mean.max(axis=1))), int(np.argmax(mean.max(axis=0))))
            self.dual_gap_ = None
            self.solver_ = "fold average"
        # scikit-learn repeats C_ and l1_ratio_ for each class of a multinomial fit
        self.C_ = np.full(n_rows, C)
        self.l1_ratio_ = np.full(n_rows, l1_ratio)
        # glmnet's 1-SE rule at the chosen mix: the smallest C whose mean score is within one SE of the best
        se = scores.std(axis=0, ddof=1) / np.sqrt(len(folds)) if len(folds) > 1 else np.zeros_like(mean)
        column = best[1]
        within = np.flatnonzero(mean[:, column] >= mean[best[0], column] - se[best[0], column])
        self.C_1se_ = float(Cs[within[np.argmin(Cs[within])]])
        self.coef_ = np.asarray(coef, dtype=X.dtype)
        self.intercept_ = np.asarray(intercept, dtype=X.dtype)
        self.n_features_in_ = n_features
        if self.l1_ratios is None:  # scikit-learn drops the l1_ratio axis then
            coefs_paths, scores, n_iter = coefs_paths[:, :, :, 0], scores[:, :, 0], n_iter[..., 0]
        # keyed by the positive class (two classes) or by every class (its scores repeated, as scikit-learn)
        keys = classes[1:] if n_classes is None else classes
        self.coefs_paths_ = {key: coefs_paths[i] for i, key in enumerate(keys)}
        self.scores_ = {key: scores.copy() for key in keys}
        self.n_iter_ = n_iter
        return self

    def get_metadata_routing(self):
        """scikit-learn's metadata routing: fit's params go to the splitter (needs scikit-learn)."""
        return cv_metadata_routing(self)

    @staticmethod
    def _scored(classes, coef, intercept, dtype):
        """A fitted LogisticRegression with these coefficients (rows: one for two classes, K for more), for
        the scorer."""
        model = LogisticRegression()
        model.classes_ = classes
        model.coef_ = np.asarray(coef, dtype=dtype).reshape(-1, coef.shape[-1])
        model.intercept_ = np.asarray(intercept, dtype=dtype).reshape(-1)
        model.n_features_in_ = coef.shape[-1]
        return model



def _accuracy(model, X, y, sample_weight=None):
    return float(np.average(model.predict(X) == y, weights=sample_weight))


def _logistic_scorer(scoring):
    """A function (model, X, y, sample_weight) -> score: None is accuracy (no scikit-learn needed); a
    name is scikit-learn's scorer (the held-out rows' sample weights passed to it, as scikit-learn's
    LogisticRegressionCV does); a callable ``scorer(estimator, X, y)`` is called as given."""
    if scoring is None:
        return _accuracy
    if callable(scoring):
        return lambda model, X, y, sample_weight: scoring(model, X, y)
    if not isinstance(scoring, str):
        raise ValueError(f"scoring must be None, a scorer name or a callable, got {scoring!r}.")
    try:
        from sklearn.metrics import get_scorer
    except ImportError:  # pragma: no cover - scikit-learn is optional
        raise ValueError(f"scoring={scoring!r} needs scikit-learn's scorers; install scikit-learn or pass a "
                         f"callable scorer(estimator, X, y).") from None
    try:
        scorer = get_scorer(scoring)
    except ValueError:
        raise ValueError(f"scoring={scoring!r} is not a scikit-learn scorer name; see "
                         f"sklearn.metrics.get_scorer_names().") from None

    def score(model, X, y, sample_weight):
        return scorer(model, X, y) if sample_weight is None else scorer(model, X, y, sample_weight=sample_weight)
    return score


# ----------------------------------------------------------------------------------------------------
# multi-task models: the L2,1 (group) penalty over the rows of W (fastreg._multitask)


class _MultiTaskFit(NamedTuple):
    coef: np.ndarray       # (n_tasks, n_features)
    intercept: np.ndarray  # (n_tasks,)
    dual_gap: float
    n_iter: int
    eps: float
    solver: str


def _multitask_arrays(estimator, X, y, sample_weight, mono):
    """Validated (X, Y, sample_weight) of a multi-task fit; a 1-D y is scikit-learn's error naming the
    single-task model (`mono`)."""
    name = type(estimator).__name__
    if any_dask(X, y, sample_weight):
        raise dask_refusal(name)
    X = v.as_design_matrix(X, check_finite=False, accept_sparse=True)
    n_samples = X.shape[0]
    Y = v.as_target(y, n_samples, X.dtype, allow_2d=True, estimator=name)
    if Y.ndim == 1:
        raise ValueError(f"For mono-task outputs, use {mono}")
    sample_weight = v.as_sample_weight(sample_weight, n_samples, X.dtype, normalized=True)
    return X, Y, sample_weight


def _multitask_settings(estimator):
    return check_settings(tol=estimator.tol, max_iter=estimator.max_iter, selection=estimator.selection,
                          random_state=estimator.random_state)


def _fit_multitask(X, Y, sample_weight, alpha, l1_ratio, settings, *, fit_intercept, standardize=False,
                   penalty_factor=None, precompute="auto", coef_init=None):
    """The multi-task ElasticNet at one alpha (validated arrays)."""
    from ._multitask import check_multitask_penalty, multitask_problem, solve_multitask

    penalty = check_penalty(l1_ratio, X.shape[1], penalty_factor=penalty_factor)
    check_multitask_penalty(penalty, positive=False, lower_bounds=None, upper_bounds=None)
    problem = multitask_problem(X, Y, sample_weight, penalty, settings, fit_intercept=fit_intercept,
                                standardize=standardize, precompute=precompute)
    if Y.shape[1] == 1:  # one task is the single-task problem: the single-task fit's polishing too
        path = _solve_polished(problem, alpha, settings, coef_init, X.shape[0] * X.shape[1], X.dtype,
                               solve=solve_multitask)
    else:  # (the multi-task kernel stops on scikit-learn's step criterion as well as the gap)
        path = solve_multitask(problem, np.array([alpha]), settings, coef_init=coef_init)
    design = problem.design
    eps = settings.tol * design.null_norm2 * design.y_scale**2  # scikit-learn's eps_: tol ||Y~||_F^2
    return _MultiTaskFit(path.coefs[:, :, 0], np.asarray(path.intercepts[:, 0], dtype=X.dtype),
                         float(path.dual_gaps[0]), int(path.n_iters[0]), float(eps), path.solver)


class MultiTaskElasticNet(RegressorBase):
    """Multi-task ElasticNet (scikit-learn's ``MultiTaskElasticNet``, glmnet's ``family="mgaussian"``).

    Minimizes::

        1/(2 n) sum_i s_i ||y_i - x_i^T W^T - b||^2 + alpha l1_ratio sum_j ||W[:, j]||_2
        + alpha (1 - l1_ratio)/2 ||W||_F^2

    (W = ``coef_`` of shape (n_tasks, n_features); weights s normalized to sum to n) by block coordinate
    descent (`fastreg._multitask`): a feature is in or out for every task at once. Unlike
    scikit-learn, X may be sparse (implicitly centered, never densified), and n >> p fits use
    covariance updates from X^T X (``precompute``); every solution is certified by its duality gap
    ``dual_gap_`` (the gap of the data, also from the Gram route).

    Parameters
    ----------
    alpha : float, default=1.0
    l1_ratio : float, default=0.5
        Mix of the L2,1 and the squared Frobenius penalties, in [0, 1].
    fit_intercept : bool, default=True
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never modifies X.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        Stop when the duality gap is <= ``tol * ||Y - mean(Y)||_F^2 / n`` (``eps_`` is that target times n,
        scikit-learn's units).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    random_state : int, RandomState or None, default=None
        Seed of the order for ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
    precompute : {'auto', True, False}, default='auto'
        fastreg's: covariance updates from X^T X and X^T Y ('auto': when n > 2 p and X^T X fits 1 GiB).
    standardize : bool, default=False
        fastreg's (glmnet's): penalize the coefficients of the columns scaled to unit variance.
    penalty_factor : array-like of shape (n_features,), default=None
        fastreg's (glmnet's): a positive factor per feature (inf excludes it; 0 is not supported here).

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
    intercept_ : ndarray of shape (n_tasks,)
    dual_gap_ : float
        Certified duality gap of the solution, in the units of the objective above.
    eps_ : float
        The gap target in scikit-learn's units, ``tol * ||Y - mean(Y)||_F^2`` (weighted).
    n_iter_ : int
    solver_ : str
        The kernel that ran ('cd-multitask-gram', 'cd-multitask-dense-residual', ...).

    Examples
    --------
    >>> import fastreg
    >>> model = fastreg.MultiTaskElasticNet(alpha=0.1).fit([[0, 0], [1, 1], [2, 2]], [[0, 0], [1, 1], [2, 2]])
    >>> model.coef_.shape, model.intercept_.shape
    ((2, 2), (2,))
    """

    _l1_ratio_fixed = None
    _mono = "ElasticNet"

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, copy_X=True, max_iter=1000, tol=1e-4,
                 warm_start=False, random_state=None, selection="cyclic", precompute="auto", standardize=False,
                 penalty_factor=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.precompute = precompute
        self.standardize = standardize
        self.penalty_factor = penalty_factor

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks)
            A 1-D y is an error (use ElasticNet / Lasso), as in scikit-learn.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative row weights (rescaled to sum to n_samples); a weight k is k repeated rows.

        Returns
        -------
        self
        """
        self._check_feature_names(X, reset=True)
        X, Y, sample_weight = _multitask_arrays(self, X, y, sample_weight, self._mono)
        n_features = X.shape[1]
        alpha = v.check_scalar(self.alpha, "alpha", low=0.0)
        l1_ratio = self._l1_ratio_fixed if self._l1_ratio_fixed is not None else v.check_l1_ratio(self.l1_ratio)
        settings = _multitask_settings(self)
        fit_intercept, standardize, warm_start, _ = v.check_bools(
            fit_intercept=self.fit_intercept, standardize=self.standardize, warm_start=self.warm_start,
            copy_X=self.copy_X)
        precompute = self.precompute
        if not (precompute == "auto" if isinstance(precompute, str) else isinstance(precompute, (bool, np.bool_))):
            raise ValueError(f"precompute must be 'auto', True or False for a multi-task model, got {precompute!r}.")
        v.warn_alpha_zero(alpha)
        coef_init = None
        if warm_start and getattr(self, "coef_", None) is not None and \
                np.shape(self.coef_) == (Y.shape[1], n_features):
            coef_init = np.asarray(self.coef_, dtype=np.float64)
        fit = _fit_multitask(X, Y, sample_weight, alpha, l1_ratio, settings, fit_intercept=fit_intercept,
                             standardize=standardize, penalty_factor=self.penalty_factor,
                             precompute=precompute if isinstance(precompute, str) else bool(precompute),
                             coef_init=coef_init)
        self.coef_ = fit.coef
        self.intercept_ = fit.intercept
        self.dual_gap_ = fit.dual_gap
        self.eps_ = fit.eps
        self.n_iter_ = fit.n_iter
        self.solver_ = fit.solver
        self.n_features_in_ = n_features
        return self

    predict = ElasticNet.predict
    sparse_coef_ = ElasticNet.sparse_coef_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class MultiTaskLasso(MultiTaskElasticNet):
    """Multi-task Lasso: `MultiTaskElasticNet` with ``l1_ratio=1`` (scikit-learn's ``MultiTaskLasso``),
    minimizing ``1/(2 n) ||Y - X W^T - b||_F^2 + alpha sum_j ||W[:, j]||_2``.

    Parameters and attributes: as `MultiTaskElasticNet` without ``l1_ratio``.

    Examples
    --------
    >>> import fastreg
    >>> model = fastreg.MultiTaskLasso(alpha=0.1).fit([[0, 1], [1, 2], [2, 4]], [[0, 0], [1, 1], [2, 3]])
    >>> model.coef_.shape
    (2, 2)
    """

    _l1_ratio_fixed = 1.0
    _mono = "Lasso"

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=1000, tol=1e-4, warm_start=False,
                 random_state=None, selection="cyclic", precompute="auto", standardize=False, penalty_factor=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.precompute = precompute
        self.standardize = standardize
        self.penalty_factor = penalty_factor


class MultiTaskElasticNetCV(RegressorBase):
    """`MultiTaskElasticNet` with the alpha (and l1_ratio) chosen by cross-validation (scikit-learn's
    ``MultiTaskElasticNetCV``): the same folds (``cv=None`` or an int: K-fold without shuffling), the
    grid of all the data per l1_ratio, the held-out (weighted) mean squared error averaged over the
    tasks, then a refit on all the data at the best pair. X may be sparse.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
    eps : float, default=1e-3
    alphas : int or array-like, default=100
        The number of alphas of the automatic grid, or the alphas themselves.
    fit_intercept : bool, default=True
    max_iter, tol, random_state, selection : as `MultiTaskElasticNet`.
    cv : int, cross-validation generator or iterable, default=None (5-fold)
    copy_X : bool, default=True
        Accepted for compatibility: fastreg never modifies X.
    verbose : bool or int, default=0
        Accepted for compatibility.
    n_jobs : int, default=None
        Folds solved on threads (the kernels release the GIL).

    Attributes
    ----------
    alpha_, l1_ratio_ : float
    coef_ : ndarray of shape (n_tasks, n_features)
    intercept_ : ndarray of shape (n_tasks,)
    mse_path_ : ndarray of shape (n_alphas, n_folds), or (n_l1_ratio, n_alphas, n_folds)
    alphas_ : ndarray of shape (n_alphas,), or (n_l1_ratio, n_alphas)
    dual_gap_ : float
    n_iter_ : int
    """

    _lasso = False
    _mono = "ElasticNetCV"

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True, max_iter=1000, tol=1e-4,
                 cv=None, copy_X=True, verbose=0, n_jobs=None, random_state=None, selection="cyclic"):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection

    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the alpha grid (and the l1_ratios), then refit at the best pair.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks)
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Weights of the fits and of the held-out errors.
        **params :
            Metadata for the splitter (e.g. ``groups`` for a GroupKFold ``cv``), routed as scikit-learn
            does: only with ``sklearn.set_config(enable_metadata_routing=True)``, else an error.

        Returns
        -------
        self
        """
        from ._multitask import multitask_cv

        from ._settings import check_grid

        routed = routed_cv(self, self.cv, X, y, params)
        self._check_feature_names(X, reset=True)
        X, Y, sample_weight = _multitask_arrays(self, X, y, sample_weight, self._mono)
        n_samples = X.shape[0]
        v.check_bool(self.copy_X, "copy_X")
        v.check_verbose(self.verbose)
        fit_intercept = v.check_bool(self.fit_intercept, "fit_intercept")
        settings = _multitask_settings(self)
        single = self._lasso or np.ndim(self.l1_ratio) == 0
        l1_ratios = [1.0] if self._lasso else list(np.atleast_1d(v.check_l1_ratios(self.l1_ratio)))
        grid = check_grid(self.alphas, self.eps)
        cv = check_cv(routed, n_samples)
        alphas, mse, _ = multitask_cv(X, Y, sample_weight, settings, l1_ratios, grid, cv,
                                      fit_intercept=fit_intercept, n_jobs=self.n_jobs)
        mean = mse.mean(axis=2)
        best = np.inf
        for i in range(len(l1_ratios)):
            k = int(np.argmin(mean[i]))
            if mean[i, k] < best:
                best, i_best, k_best = mean[i, k], i, k
        self.alpha_ = float(alphas[i_best, k_best])
        self.l1_ratio_ = float(l1_ratios[i_best])
        self.mse_path_ = mse[0] if single else mse
        given = not isinstance(self.alphas, numbers.Integral)  # (as ElasticNetCV's alphas_)
        self.alphas_ = alphas[0] if single or given else alphas
        fit = _fit_multitask(X, Y, sample_weight, self.alpha_, self.l1_ratio_, settings, fit_intercept=fit_intercept)
        self.coef_ = fit.coef
        self.intercept_ = fit.intercept
        self.dual_gap_ = fit.dual_gap
        self.n_iter_ = fit.n_iter
        self.solver_ = fit.solver
        self.n_features_in_ = X.shape[1]
        if self._lasso:
            del self.l1_ratio_
        return self

    predict = ElasticNet.predict
    sparse_coef_ = ElasticNet.sparse_coef_
    __sklearn_tags__ = MultiTaskElasticNet.__sklearn_tags__
    get_metadata_routing = ElasticNetCV.get_metadata_routing


class MultiTaskLassoCV(MultiTaskElasticNetCV):
    """`MultiTaskLasso` with alpha chosen by cross-validation (scikit-learn's ``MultiTaskLassoCV``);
    parameters and attributes as `MultiTaskElasticNetCV` without ``l1_ratio``."""

    _lasso = True
    _mono = "LassoCV"

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, max_iter=1000, tol=1e-4, copy_X=True,
                 cv=None, verbose=False, n_jobs=None, random_state=None, selection="cyclic"):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection

"""Cross-validation of regularization paths: folds, CV curves, alpha_min and alpha_1se.

One alpha grid (from all the data) is shared by every fold. Each fold fits a warm-started path on its
training rows and scores the held-out rows by their (weighted) mean squared error, as scikit-learn's
LassoCV does, so ``mse_path`` is the same array as its ``mse_path_`` on the same folds.

Two routes, chosen like the solver of a single path:

- statistics (n > p, dense or sparse, whenever the Gram mode would run): the sufficient statistics of
  every fold's held-out rows are computed once (one pass over X in all, about one common shift);
  a fold's training statistics are ``total - held_out`` and its held-out error comes from the
  held-out statistics too, for every alpha at once, so no fold touches X again.
- residual updates (p >= n, or a sparse X whose Gram matrix does not pay): each fold runs the
  residual kernel on its own rows, on threads (``n_jobs``; the kernels release the GIL).

The 1-SE rule (glmnet's ``lambda.1se``): the largest alpha whose mean CV error is within one standard
error of the minimum, the standard error being the standard deviation of the fold errors over
sqrt(n_folds).

The relaxed lasso (``relax=True``, glmnet's ``cv.glmnet(relax = TRUE)``): every fold's path is relaxed
(`fastreg._relax`, from the fold's training statistics on the statistics route) and each blend
gamma * lasso + (1 - gamma) * relaxed scored on the held-out rows, so the CV runs over the pairs
(alpha, gamma), chosen by glmnet's rule (its ``getOptcv.relaxed``): the smallest mean error, ties to
the largest alpha, then the largest gamma; the 1-SE pair is, among the pairs within one standard error
of that minimum, the one with the largest alpha, then the largest gamma.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

from . import _plan
from . import _ridge
from . import _validation as v
from ._path import path_alphas, prepare, prepare_from_stats, solve_path
from ._plan import make_plan
from ._settings import check_grid, check_penalty, check_settings
from ._folds import (
    block_statistics, check_cv, fold_statistics, held_out_mse, make_folds, n_workers, partitions, predict_rows,
    take_rows,
)
from ._stats import normal_equations_of
from ._dask import any_dask
from ._relax import blend, check_relax, relaxed_path


# relative difference of two mean CV errors below which they tie (far below any statistical meaning, above
# the rounding of solutions at the flat end of a curve, where the folds interpolate)
MSE_TIE = 1e-10


class CVPath:
    """Cross-validated regularization path (the result of `cv_path`).

    Attributes
    ----------
    alphas : ndarray of shape (n_l1_ratios, n_alphas)
        The grid of each l1_ratio (decreasing), shared by all folds.
    l1_ratios : ndarray of shape (n_l1_ratios,)
    mse_path : ndarray of shape (n_l1_ratios, n_alphas, n_folds)
        Held-out mean squared error (weighted by the held-out rows' weights) of each fold.
    mse_mean, mse_se : ndarray of shape (n_l1_ratios, n_alphas)
        Mean over folds and its standard error (std over folds, ddof=1, / sqrt(n_folds); 0 with one fold).
    alpha_min, l1_ratio_min : float
        The pair with the smallest mean error (the first in grid order among errors within a relative
        ``MSE_TIE`` = 1e-10 of it, which are equal up to the rounding of the solutions).
    alpha_1se : float
        The largest alpha (at ``l1_ratio_min``) whose mean error is <= the minimum plus its standard error.
    index_min, index_1se : tuple of int
        ``(l1_ratio index, alpha index)`` of the two choices.
    folds : list of (train, test) index arrays
    path : Path or None
        The path on all the data at ``l1_ratio_min`` (None when not requested), with its relaxed fit
        (``path.relaxed``) when ``relax=True``.
    refit : Path or None
        The fit on all the data at ``alpha_min`` alone (the CV estimators' refit; None unless requested).
    solver : str
        How the folds were solved: ``'statistics'`` or ``'residual'``.
    feature_names : ndarray of str or None
        A DataFrame X's column names (also ``path.feature_names``).
    gammas : ndarray of shape (n_gammas,) or None
        With ``relax=True``: the blends cross-validated (sorted; 1 is the lasso, 0 the relaxed fit).
    relaxed_mse : ndarray of shape (n_l1_ratios, n_gammas, n_alphas, n_folds) or None
        Held-out error of each blend ``gamma * lasso + (1 - gamma) * relaxed`` of each fold's path
        (``relaxed_mse[:, gammas == 1]`` is ``mse_path``); ``relaxed_mean``, ``relaxed_se`` its mean and
        standard error over the folds, of shape (n_l1_ratios, n_gammas, n_alphas).
    gamma_min, gamma_1se : float or None
        With ``relax=True``, the choices are pairs: ``(alpha_min, gamma_min)`` has the smallest mean error
        (ties to the first l1_ratio, then glmnet's largest alpha, then largest gamma) and
        ``(alpha_1se, gamma_1se)`` is glmnet's 1-SE pair at ``l1_ratio_min`` (among the pairs within one
        standard error of the minimum, the largest alpha, then the largest gamma); ``index_min`` and
        ``index_1se`` stay (l1_ratio index, alpha index). None without relax (the lasso: gamma 1).

    The path tools: `coef`, `intercept` and `predict` at ``which='1se'`` or ``'min'`` (glmnet's
    ``predict(cvfit, newx, s = "lambda.1se")``); the picture is `fastreg.plot.plot_cv`.
    """

    def __init__(self, alphas, l1_ratios, mse_path, folds, solver, path=None, relaxed_mse=None, gammas=None):
        self.alphas = alphas
        self.l1_ratios = l1_ratios
        self.mse_path = mse_path
        self.folds = folds
        self.solver = solver
        self.path = path
        self.refit = None
        self.feature_names = None
        self.gammas = self.relaxed_mse = self.relaxed_mean = self.relaxed_se = None
        self.gamma_min = self.gamma_1se = None
        n_folds = mse_path.shape[2]
        self.mse_mean = mse_path.mean(axis=2)
        if n_folds > 1:
            self.mse_se = mse_path.std(axis=2, ddof=1) / np.sqrt(n_folds)
        else:
            self.mse_se = np.zeros_like(self.mse_mean)
        # first minimum over (l1_ratio, alpha) in order, as scikit-learn, where errors within rounding of
        # the minimum tie (the flat end of a curve must not pick an alpha by the last bits of a sum)
        lowest = float(np.min(self.mse_mean))
        ties = self.mse_mean <= lowest + MSE_TIE * abs(lowest)
        best_l1, best_alpha = np.unravel_index(int(np.argmax(ties)), self.mse_mean.shape)
        self.index_min = (int(best_l1), int(best_alpha))
        self.alpha_min = float(alphas[best_l1, best_alpha])
        self.l1_ratio_min = float(l1_ratios[best_l1])
        bound = self.mse_mean[best_l1, best_alpha] + self.mse_se[best_l1, best_alpha]
        within = np.flatnonzero(self.mse_mean[best_l1] <= bound)
        largest = int(within[np.argmax(alphas[best_l1, within])])  # the grid may be given in any order
        self.index_1se = (int(best_l1), largest)
        self.alpha_1se = float(alphas[best_l1, largest])
        if relaxed_mse is not None:
            self._choose_relaxed(relaxed_mse, np.asarray(gammas, dtype=np.float64))

    def _choose_relaxed(self, relaxed_mse, gammas):
        """The (alpha, gamma) choices of a relaxed CV (glmnet's ``getOptcv.relaxed``, see the class)."""
        self.gammas, self.relaxed_mse = gammas, relaxed_mse
        n_folds = relaxed_mse.shape[3]
        self.relaxed_mean = relaxed_mse.mean(axis=3)
        self.relaxed_se = (relaxed_mse.std(axis=3, ddof=1) / np.sqrt(n_folds) if n_folds > 1
                           else np.zeros_like(self.relaxed_mean))
        mean, alphas = self.relaxed_mean, self.alphas
        lowest = float(np.min(mean))
        ties = mean <= lowest + MSE_TIE * abs(lowest)
        l1 = int(np.flatnonzero(ties.any(axis=(1, 2)))[0])

        def largest_alpha_then_gamma(mask):  # (n_gammas, n_alphas) -> (gamma index, alpha index)
            g, a = np.nonzero(mask)
            best = np.lexsort((gammas[g], alphas[l1, a]))[-1]  # by alpha, then gamma: the last is the largest
            return int(g[best]), int(a[best])

        g_min, a_min = largest_alpha_then_gamma(ties[l1])
        self.index_min = (l1, a_min)
        self.alpha_min, self.gamma_min = float(alphas[l1, a_min]), float(gammas[g_min])
        self.l1_ratio_min = float(self.l1_ratios[l1])
        bound = mean[l1, g_min, a_min] + self.relaxed_se[l1, g_min, a_min]
        g_1se, a_1se = largest_alpha_then_gamma(mean[l1] <= bound)
        self.index_1se = (l1, a_1se)
        self.alpha_1se, self.gamma_1se = float(alphas[l1, a_1se]), float(gammas[g_1se])

    def __repr__(self):
        relaxed = "" if self.gammas is None else f", gamma_min={self.gamma_min:g}, gamma_1se={self.gamma_1se:g}"
        return (f"CVPath(alpha_min={self.alpha_min:.4g}, alpha_1se={self.alpha_1se:.4g}{relaxed}, "
                f"l1_ratio_min={self.l1_ratio_min:g}, n_folds={self.mse_path.shape[2]}, solver={self.solver!r})")

    # ------------------------------------------------------------------------------------------------
    # glmnet's coef(cvfit, s = "lambda.1se") and predict(cvfit, newx, s = "lambda.min")

    def _choice(self, which):
        """(alpha index on `path`, gamma) of the choice `which`."""
        which = v.check_which(which)
        if self.path is None:
            raise ValueError("this CVPath has no path on all the data (cv_path(..., return_path=False)); "
                             "fit with return_path=True to evaluate its choices.")
        index = self.index_1se if which == "1se" else self.index_min
        gamma = self.gamma_1se if which == "1se" else self.gamma_min
        return index[1], 1.0 if gamma is None else gamma

    def coef(self, which="1se"):
        """The coefficients of `path` at ``alpha_1se`` (``which='1se'``, glmnet's default) or
        ``alpha_min`` (``'min'``): grid points, so exactly the path's solutions; with ``relax=True``
        blended at ``gamma_1se`` / ``gamma_min``. ndarray of shape (n_features,).

        Examples
        --------
        >>> import numpy as np, fastreg
        >>> rng = np.random.default_rng(0)
        >>> X = rng.standard_normal((100, 5)); y = 2 * X[:, 0] + rng.standard_normal(100)
        >>> cv = fastreg.cv_path(X, y, cv=5, n_alphas=20)
        >>> bool(np.array_equal(cv.coef("min"), cv.path.coefs[:, cv.index_min[1]]))
        True
        >>> cv.predict(X[:3], which="1se").shape
        (3,)
        """
        i, gamma = self._choice(which)
        coef = self.path.coefs[..., i]
        return coef.copy() if gamma == 1.0 else blend(coef, self.path.relaxed.coefs[..., i], gamma)

    def intercept(self, which="1se"):
        """The intercept at the choice `which` (as `coef`), a float."""
        i, gamma = self._choice(which)
        b = float(self.path.intercepts[i])
        return b if gamma == 1.0 else blend(b, float(self.path.relaxed.intercepts[i]), gamma)

    def predict(self, X, which="1se"):
        """Predictions ``X coef + intercept`` at the choice `which` ('1se' or 'min'), of shape (n_samples,)."""
        coef = self.coef(which)
        X = v.check_new_data(X, coef.shape[-1], self.feature_names)
        return np.asarray(X @ np.asarray(coef, dtype=np.float64), dtype=np.float64) + self.intercept(which)


def cv_path(X, y, *, l1_ratio=1.0, eps=1e-3, n_alphas=100, alphas=None, cv=None, groups=None,
            sample_weight=None, fit_intercept=True, standardize=False, precompute="auto", tol=1e-4,
            max_iter=1000, positive=False, selection="cyclic", random_state=None, n_jobs=None,
            penalty_factor=None, lower_bounds=None, upper_bounds=None, return_path=True, relax=False,
            gamma=(0.0, 0.25, 0.5, 0.75, 1.0), _refit=False):
    """Cross-validated Lasso / ElasticNet path: CV curves, alpha_min, alpha_1se, and the full path.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    l1_ratio : float or sequence of float, default=1.0
        One mix or several to cross-validate (each gets its own grid).
    eps, n_alphas, alphas : as `enet_path`; the grid comes from all the data and is shared by the folds.
    cv : int, splitter, iterable of (train, test) or None, default=None
        None is 5-fold; an int K is K-fold without shuffling (scikit-learn's KFold); a splitter's
        ``split(X, y, groups)`` or an iterable of index arrays (or boolean masks) is used as given,
        one split included.
    groups : array-like of shape (n_samples,), default=None
        Group labels, passed to the splitter's ``split``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights for fitting (normalized per training fold) and for the held-out errors.
    fit_intercept, standardize, precompute, tol, max_iter, positive, selection, random_state :
        as `enet_path` (``fit_intercept`` defaults to True here, as in the CV estimators). A precompute
        array (X.T @ X of all the data, checked as in `enet_path`) only selects the statistics route:
        the folds need their own Gram matrices, so it is never used as given.
    n_jobs : int, default=None
        Threads for the folds of the residual route (-1: every CPU).
    penalty_factor, lower_bounds, upper_bounds : as `enet_path`, in every fold and the final fit.
    return_path : bool, default=True
        Also fit the path on all the data at the best l1_ratio (``CVPath.path``).
    relax : bool, default=False
        glmnet's relaxed lasso: cross-validate the blends gamma * lasso + (1 - gamma) * relaxed of every
        fold's path over the pairs (alpha, gamma) (``CVPath.relaxed_mse``, ``gamma_min``, ``gamma_1se``;
        `alpha_min` and `alpha_1se` are then the pairs' alphas); the path on all the data has its
        relaxed fit (``path.relaxed``). Not with bounds or ``positive=True``.
    gamma : sequence of float in [0, 1], default=(0, 0.25, 0.5, 0.75, 1)
        The blends a relaxed CV tries (glmnet's default); used only with ``relax=True``.
    _refit : bool, default=False
        (For the estimators.) Also solve all the data at ``alpha_min`` alone, from zero, as a single
        fit would (``CVPath.refit``); in the statistics route this needs no pass over X.

    Returns
    -------
    CVPath

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 10)); y = X[:, 0] - 2 * X[:, 1] + rng.standard_normal(200)
    >>> res = fastreg.cv_path(X, y, cv=5, n_alphas=30)
    >>> res.mse_path.shape, res.alpha_1se >= res.alpha_min
    ((1, 30, 5), True)
    """
    l1_ratios = v.check_l1_ratios(l1_ratio)
    settings = check_settings(tol=tol, max_iter=max_iter, selection=selection, random_state=random_state)
    grid = check_grid(alphas, eps, n_alphas)
    fit_intercept, standardize, return_path, relax = v.check_bools(
        fit_intercept=fit_intercept, standardize=standardize, return_path=return_path, relax=relax)
    gammas = v.check_gammas(gamma)  # (checked also without relax, as every other parameter)
    gammas = gammas if relax else None
    penalty_args = dict(positive=positive, penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                        upper_bounds=upper_bounds)
    names = v.lenient_feature_names(X)
    if any_dask(X, y, sample_weight, cv):
        result = _cv_dask(X, y, sample_weight, l1_ratios, settings, grid, cv, groups, precompute, penalty_args,
                          fit_intercept, standardize, return_path, _refit, gammas)
        return _described(result, result.feature_names, _refit_of(result, penalty_args, fit_intercept, standardize, precompute,
                                                  settings, tol, max_iter, selection, random_state, False))
    X = v.as_design_matrix(X, check_finite=False, accept_sparse=True)
    n_samples, n_features = X.shape
    y = v.as_target(y, n_samples, X.dtype, allow_2d=False)
    sample_weight = v.as_sample_weight(sample_weight, n_samples, X.dtype, normalized=True)
    precompute = v.check_precompute(precompute, n_features)
    groups = v.check_groups(groups, n_samples)
    cv = check_cv(cv, n_samples)
    folds = make_folds(cv, X, y, groups, n_samples)
    workers = n_workers(n_jobs)
    if not sparse.issparse(X):
        v.check_finite(X)
    if isinstance(precompute, np.ndarray):
        v.check_gram(precompute, X, sample_weight, fit_intercept)
        precompute = True  # it only selects the statistics route: every fold needs its own matrix
    penalty = check_penalty(l1_ratios[0], n_features, **penalty_args)
    check_relax(relax, penalty, what="cv_path")
    data = _Rows(penalty.columns(X), y, sample_weight, settings, penalty.kept(), fit_intercept, standardize)
    # one plan for every fold: the folds' paths together are n_folds * n_l1_ratios paths
    plan = make_plan(data.X, precompute, transformed=bool(fit_intercept or sample_weight is not None or standardize),
                     penalty=penalty,
                     n_alphas=grid.size * len(folds) * l1_ratios.size)
    statistics = plan.gram
    if statistics:  # the held-out blocks' statistics sum to all the data's: no separate pass for the grid
        tests, total = fold_statistics(data.X, y, sample_weight, folds)
        full = data.from_stats(total, None)
    elif grid.alphas is None:  # the grid needs the design of all the data
        full = data.problem(None, precompute, grid.size)
    grids = _grids(full if grid.alphas is None else None, grid, l1_ratios)
    if statistics:
        mse = _cv_from_statistics(lambda k: data.from_stats(_training_statistics(data, folds, tests, total, k),
                                                            folds[k][0]), tests, l1_ratios, grids, settings, gammas)
    else:
        # the full design may hold a centered copy of X: not alive while the folds hold theirs
        full = None
        mse = _cv_residual(data, folds, l1_ratios, grids, precompute, workers, gammas)
        if return_path or _refit:
            full = data.problem(None, precompute, grid.size)
    result = _cv_result(grids, l1_ratios, mse, folds, "statistics" if statistics else "residual", full, penalty,
                        settings, return_path, _refit, gammas)
    return _described(result, names, _refit_of(result, penalty_args, fit_intercept, standardize, precompute,
                                                settings, tol, max_iter, selection, random_state,
                                                sample_weight is not None))


def _described(result, names, refit):
    """The CVPath and its path with their feature names, and how the path was fitted (`Path.coef`'s
    exact=True refits with `enet_path` and these options)."""
    result.feature_names = names
    if result.path is not None:
        result.path.feature_names = names
        result.path.fitted_by = refit
    return result


def _refit_of(result, penalty_args, fit_intercept, standardize, precompute, settings, tol, max_iter, selection,
              random_state, weighted):
    """The `enet_path` options of the CV's path on all the data (its l1_ratio the chosen one)."""
    from ._path import enet_path, Refit

    return Refit(enet_path, dict(
        l1_ratio=result.l1_ratio_min, precompute="auto" if isinstance(precompute, np.ndarray) else precompute,
        fit_intercept=fit_intercept, standardize=standardize, tol=tol, max_iter=max_iter, selection=selection,
        random_state=random_state, **penalty_args), weighted=weighted)


def _grids(full, grid, l1_ratios):
    """One grid per l1_ratio: the given alphas, or each from the problem of all the data `full`."""
    if grid.alphas is None:
        return np.array([path_alphas(full.with_l1_ratio(r), grid) for r in l1_ratios])
    return np.tile(grid.alphas, (l1_ratios.size, 1))


def _cv_result(grids, l1_ratios, mse, folds, solver, full, penalty, settings, return_path, refit, gammas=None):
    """The CVPath of the folds' errors (`mse`: (mse_path, relaxed_mse or None)), with the path
    (`return_path`; relaxed with `gammas`) and the refit at alpha_min of the problem of all the data
    `full` (its penalty that of the kept columns; `penalty` expands them)."""
    mse, relaxed_mse = mse
    result = CVPath(grids, l1_ratios, mse, folds, solver, relaxed_mse=relaxed_mse, gammas=gammas)
    if return_path or refit:
        full = full.with_l1_ratio(l1_ratios[result.index_min[0]])
    if return_path:
        path = solve_path(full, grids[result.index_min[0]], settings)
        if gammas is not None:
            path.relaxed = penalty.expand(relaxed_path(full, path))
        result.path = penalty.expand(path)
    if refit:
        result.refit = penalty.expand(solve_path(full, np.array([result.alpha_min]), settings))
    return result


class _Rows:
    """The validated data of a CV (X restricted to its kept columns) and the problems of row subsets."""

    def __init__(self, X, y, sample_weight, settings, penalty, fit_intercept, standardize):
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.settings, self.penalty = settings, penalty
        self.fit_intercept, self.standardize = fit_intercept, standardize

    def arrays(self, rows):
        """(X, y, sample_weight, owned) of `rows` (None: all; a private copy of X's rows otherwise)."""
        if rows is None:
            return self.X, self.y, self.sample_weight, False
        sw = None if self.sample_weight is None else self.sample_weight[rows]
        return take_rows(self.X, rows), self.y[rows], sw, True

    def problem(self, rows, precompute, n_alphas):
        X, y, sw, owned = self.arrays(rows)
        # (cv_path checked X for NaN/inf once: the folds' rows need no second look)
        return prepare(X, y, sw, self.settings, self.penalty, fit_intercept=self.fit_intercept,
                       standardize=self.standardize, precompute=precompute, n_alphas=n_alphas, owned=owned,
                       finite=True)

    def from_stats(self, stats, rows):
        """The problem of the statistics of `rows`, the same problem on those rows at hand (built only
        for the penalties the statistics cannot certify, see `fastreg._solvers.CertifiedGramSolver`)."""
        return prepare_from_stats(stats, self.penalty, fit_intercept=self.fit_intercept,
                                  standardize=self.standardize, out_dtype=self.X.dtype,
                                  data_design=lambda: self.problem(rows, False, None).design)


def _training_statistics(data, folds, tests, total, k):
    """Fold k's training statistics: total - held-out block when the two sets are complements, else
    from its rows."""
    train, test = folds[k]
    n_samples = data.X.shape[0]
    complement = train.size + test.size == n_samples and np.array_equal(
        np.sort(np.concatenate((train, test))), np.arange(n_samples))
    stats = total - tests[k] if complement else block_statistics(data.X, data.y, data.sample_weight, train,
                                                                  total.shift)
    return _with_weight(stats, k)


def _with_weight(stats, k):
    if not stats.weight_sum > 0:
        raise ValueError(f"cv: the training rows of split #{k} have zero total weight.")
    return stats


def _cv_from_statistics(train_problem, tests, l1_ratios, grids, settings, gammas=None):
    """Held-out errors (l1_ratios, alphas, folds) of fold k's path on `train_problem(k)` (the problem of
    its training statistics), scored from its held-out statistics `tests[k]`; with `gammas`, also those
    (l1_ratios, gammas, alphas, folds) of the relaxed blends (the fold's path relaxed from its training
    statistics). Returns (mse, relaxed mse or None)."""
    n_alphas = grids.shape[1]
    mse = np.empty((l1_ratios.size, n_alphas, len(tests)))
    relaxed = None if gammas is None else np.empty((l1_ratios.size, gammas.size, n_alphas, len(tests)))
    for k, test in enumerate(tests):
        problem = train_problem(k)
        for i, l1_ratio in enumerate(l1_ratios):
            fold_problem = problem.with_l1_ratio(l1_ratio)
            path = solve_path(fold_problem, grids[i], settings)
            mse[i, :, k] = held_out_mse(test, path.coefs, path.intercepts)
            if gammas is not None:
                rel = relaxed_path(fold_problem, path)
                coefs = np.concatenate([blend(path.coefs, rel.coefs, g) for g in gammas], axis=1)
                intercepts = np.concatenate([blend(path.intercepts, rel.intercepts, g) for g in gammas])
                relaxed[i, :, :, k] = held_out_mse(test, coefs, intercepts).reshape(gammas.size, n_alphas)
    return mse, relaxed


def _cv_dask(X, y, sample_weight, l1_ratios, settings, grid, cv, groups, precompute, penalty_args, fit_intercept,
             standardize, return_path, refit, gammas=None):
    """`cv_path` of dask inputs: every fold's held-out statistics in one distributed pass
    (`fastreg._dask.fold_statistics`), then the statistics route. ``folds`` of the result are the same
    folds in memory for KFold (``cv`` an int), None for fold labels."""
    from ._dask import _check_route_options, fold_statistics, prepared

    if not any_dask(X, y, sample_weight):
        raise TypeError("cv_path: cv is a dask array of fold labels but X is not; pass X (and y) as dask arrays "
                        "chunked like the labels, or the folds of in-memory data as cv=[(train, test), ...].")
    if groups is not None:
        raise ValueError("cv_path: groups are not used with dask data; pass the folds as cv=an array of fold labels.")
    _check_route_options(precompute, None, "cv_path")
    data, penalty = prepared(X, y, sample_weight, dict(l1_ratio=l1_ratios[0], **penalty_args), what="cv_path",
                             squeeze=True)
    check_relax(gammas is not None, penalty, what="cv_path")
    tests, total, rule = fold_statistics(data, cv)

    def problem_of(stats):
        return prepare_from_stats(stats, penalty.kept(), fit_intercept=fit_intercept, standardize=standardize,
                                  out_dtype=data.dtype)

    full = problem_of(total)
    grids = _grids(full, grid, l1_ratios)
    mse = _cv_from_statistics(lambda k: problem_of(_with_weight(total - tests[k], k)), tests, l1_ratios, grids,
                              settings, gammas)
    result = _cv_result(grids, l1_ratios, mse, None if rule is None else rule.folds(), "statistics", full, penalty,
                        settings, return_path, refit, gammas)
    result.feature_names = data.feature_names  # (a dataframe's columns; _described copies them to the path)
    return result


def _cv_residual(data, folds, l1_ratios, grids, precompute, workers, gammas=None):
    """Held-out errors (l1_ratios, alphas, folds) of each fold's path from its rows, on threads; with
    `gammas`, also those (l1_ratios, gammas, alphas, folds) of the relaxed blends. Returns (mse, relaxed
    mse or None)."""
    y, sample_weight = data.y, data.sample_weight
    n_gammas = 0 if gammas is None else gammas.size

    def one_fold(k):
        train, test = folds[k]
        if sample_weight is not None and not sample_weight[train].sum() > 0:
            raise ValueError(f"cv: the training rows of split #{k} have zero total weight.")
        problem = data.problem(train, precompute, grids.size)
        y_test = y[test].astype(np.float64)
        sw_test = None if sample_weight is None else sample_weight[test].astype(np.float64)
        out = np.empty((l1_ratios.size, 1 + n_gammas, grids.shape[1]))
        for i, l1_ratio in enumerate(l1_ratios):
            fold_problem = problem.with_l1_ratio(l1_ratio)
            path = solve_path(fold_problem, grids[i], data.settings)
            pred = predict_rows(data.X, test, path.coefs) + path.intercepts
            out[i, 0] = np.average((pred - y_test[:, None]) ** 2, axis=0, weights=sw_test)
            if gammas is not None:
                rel = relaxed_path(fold_problem, path)
                pred_relaxed = predict_rows(data.X, test, rel.coefs) + rel.intercepts
                for g, gamma in enumerate(gammas):
                    err = blend(pred, pred_relaxed, gamma) - y_test[:, None]
                    out[i, 1 + g] = np.average(err**2, axis=0, weights=sw_test)
        return out

    if workers > 1 and len(folds) > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(folds))) as pool:
            results = list(pool.map(one_fold, range(len(folds))))
    else:
        results = [one_fold(k) for k in range(len(folds))]
    errors = np.stack(results, axis=3)  # (l1_ratios, 1 + n_gammas, alphas, folds)
    return errors[:, 0], None if gammas is None else errors[:, 1:]


# ----------------------------------------------------------------------------------------------------
# RidgeCV: K-fold scores of many alphas (fastreg._ridge's spectrum), and the scores of its predictions


def ridge_scorer(scoring):
    """scikit-learn's scorer for `scoring` (a name or a callable ``scorer(estimator, X, y)``) and the
    identity regressor it is applied to: predictions in, predictions out (as scikit-learn's RidgeCV)."""
    from sklearn.base import BaseEstimator, RegressorMixin
    from sklearn.metrics import check_scoring

    class _Identity(RegressorMixin, BaseEstimator):
        def fit(self, X, y=None):
            return self

        def predict(self, X):
            return X

    return check_scoring(_Identity(), scoring=scoring), _Identity().fit(None)


def score_predictions(scoring, pred, y, s, one_d, score_params=None):
    """(n_alphas,) scores of (n, k, a) predictions against y (n, k): R^2 when scoring is None, else the
    scorer (`ridge_scorer`) on the (1-D when y was) predictions, with the sample weights -- or, when
    scikit-learn's metadata routing is on, with the parameters routed to the scorer (`score_params`)."""
    if scoring is None:
        return _r2(y, pred, s)
    scorer, identity = scoring
    if score_params is not None:
        kwargs = score_params
    else:
        kwargs = {} if s is None else {"sample_weight": s}
    cols = (lambda a: (pred[:, 0, a], y[:, 0])) if one_d else (lambda a: (pred[:, :, a], y))
    return np.array([scorer(identity, *cols(a), **kwargs) for a in range(pred.shape[2])], dtype=np.float64)


def _r2(y, pred, s):
    """(Weighted) R^2 per column of (n, k, a) predictions against y (n, k), uniform average over targets:
    r2_score's rules (1 when y is constant and predicted exactly, 0 when constant and not)."""
    s = np.ones(len(y)) if s is None else s.astype(np.float64)
    resid = y[:, :, None] - pred
    ss_res = np.einsum("i,ika,ika->ka", s, resid, resid)
    yc = y - (s @ y) / s.sum()
    ss_tot = np.einsum("i,ik,ik->k", s, yc, yc)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot != 0, 1.0 - ss_res / np.where(ss_tot != 0, ss_tot, 1.0),
                      np.where(ss_res == 0, 1.0, 0.0))
    return r2.mean(axis=0)


def ridge_kfold_scores(X, Y, sw, alphas, fit_intercept, folds, scoring=None, one_d=False, score_params=None):
    """Mean score over the folds for every alpha (as scikit-learn's RidgeCV with cv: GridSearchCV over
    Ridge, each held-out fold scored -- R^2 by default -- with its sample weights, or with the routed
    `score_params`, their per-sample entries taken on the held-out rows as GridSearchCV does). X, Y
    (2-D), sw validated (`check_ridge_data`), folds from `make_folds`.

    When the folds partition the rows (`partitions`), X is dense and n >= p, every training fold's
    statistics are ``total - held_out`` (`fold_statistics`, in float64: one pass over X for all folds,
    about the origin without an intercept), X checked for NaN/inf by the total's Gram diagonal; each
    fold is then one eigendecomposition serving every alpha. Otherwise each fold's spectrum comes from
    its training rows."""
    n, p = X.shape
    k = Y.shape[1]
    dense = not sparse.issparse(X)
    from_statistics = dense and n >= p and partitions(folds, n)
    if dense and not from_statistics:
        v.check_finite(X)
    if from_statistics:
        shift = None if fit_intercept else (np.zeros(p), np.zeros(k))
        with np.errstate(over="ignore", invalid="ignore"):  # (non-finite X: raised just below)
            tests, total = fold_statistics(X, Y, sw, folds, shift=shift)
        v.check_gram_diagonal(np.diag(total.XtX), X)
    scores = np.zeros((len(folds), len(alphas)))
    for f, (train, test) in enumerate(folds):
        if from_statistics:
            stats = total - tests[f]
            if not stats.weight_sum > 0:
                raise ValueError(f"fold {f}: the training rows have zero total sample_weight.")
            spectrum = _ridge.spectrum_of(normal_equations_of(stats, X, fit_intercept))
            coefs, intercepts, _ = _ridge.solve_alphas(spectrum, X, Y, sw, fit_intercept, alphas, rows=train)
        else:
            Xtr, Ytr, swtr = X[train], Y[train], None if sw is None else sw[train]
            spectrum = _ridge.spectrum(Xtr, Ytr, swtr, fit_intercept, _plan.ridge_decomposition(Xtr, "auto"))
            coefs, intercepts, _ = _ridge.solve_alphas(spectrum, Xtr, Ytr, swtr, fit_intercept, alphas)
        pred = np.asarray(X[test] @ coefs.transpose(1, 0, 2).reshape(p, -1), dtype=np.float64)
        pred = pred.reshape(-1, k, len(alphas)) + intercepts[None]
        params = None if score_params is None else {
            key: (np.asarray(value)[test] if np.ndim(value) >= 1 and len(value) == n else value)
            for key, value in score_params.items()}
        scores[f] = score_predictions(scoring, pred, Y[test].astype(np.float64), None if sw is None else sw[test],
                                      one_d, params)
    return scores.mean(axis=0)

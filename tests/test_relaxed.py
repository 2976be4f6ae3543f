"""The relaxed lasso (glmnet's relax=TRUE): the refit of each alpha's support against a plain NumPy
least-squares oracle (intercept, weights, standardization; dense and sparse X; float32 and float64;
both kernels' designs and the statistics alone), empty and singular supports, penalty factors, the
gamma blends, and the relaxed CV's choice of (alpha, gamma) against a brute-force recomputation of the
same folds' errors with glmnet's rule."""
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg


def _data(n=70, p=9, seed=0, offset=1.5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + offset
    y = X[:, :4] @ np.array([1.5, -2.0, 1.0, 0.5]) + rng.standard_normal(n) + 3.0
    return X, y


def ols_on_support(X, y, support, sample_weight=None, fit_intercept=True):
    """The oracle: weighted least squares of y on X[:, support] (and an unpenalized intercept), the
    minimum-norm solution of the centered problem (numpy.linalg.lstsq, float64). Returns (coef over
    all features, intercept)."""
    X = np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    x_mean = s @ X / s.sum() if fit_intercept else np.zeros(X.shape[1])
    y_mean = s @ y / s.sum() if fit_intercept else 0.0
    root = np.sqrt(s)
    coef = np.zeros(X.shape[1])
    if support.size:
        coef[support] = np.linalg.lstsq((X[:, support] - x_mean[support]) * root[:, None], (y - y_mean) * root,
                                        rcond=None)[0]
    return coef, y_mean - x_mean @ coef


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        return fn(*args, **kw)


OPTIONS = {"intercept": dict(fit_intercept=True), "weighted": dict(fit_intercept=True, weighted=True),
           "standardized": dict(fit_intercept=True, standardize=True, weighted=True),
           "no-intercept": dict(fit_intercept=False)}


@pytest.mark.parametrize("options", list(OPTIONS), ids=list(OPTIONS))
@pytest.mark.parametrize("precompute", ["auto", False], ids=["gram", "residual"])
@pytest.mark.parametrize("is_sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_relaxed_coefficients_are_least_squares_on_the_support(options, precompute, is_sparse, dtype):
    X, y = _data(seed=1)
    if is_sparse:
        X[np.random.default_rng(2).random(X.shape) < 0.5] = 0.0
    opts = dict(OPTIONS[options])
    sw = np.random.default_rng(3).uniform(0.3, 2.0, len(y)) if opts.pop("weighted", False) else None
    Xd = (sparse.csc_matrix(X) if is_sparse else X).astype(dtype)
    yd = y.astype(dtype)
    path = _quiet(fastreg.enet_path, Xd, yd, l1_ratio=0.8, n_alphas=12, precompute=precompute, sample_weight=sw,
                  relax=True, **opts)
    relaxed = path.relaxed
    assert relaxed.coefs.dtype == path.coefs.dtype and relaxed.coefs.shape == path.coefs.shape
    np.testing.assert_array_equal(relaxed.alphas, path.alphas)
    assert relaxed.solver.startswith("relaxed-" + ("cholesky" if path.solver == "cd-gram" else "lstsq"))
    rtol = 1e-10 if dtype == np.float64 else 2e-5
    for i in range(len(path.alphas)):
        support = np.flatnonzero(path.coefs[:, i])
        np.testing.assert_array_equal(np.flatnonzero(relaxed.coefs[:, i]), support)  # the same support
        # (float32: the oracle solves the float32 values the solver was given)
        coef, b = ols_on_support(Xd, yd, support, sw, opts["fit_intercept"])
        np.testing.assert_allclose(relaxed.coefs[:, i], coef, rtol=rtol, atol=rtol * np.abs(coef).max(initial=1.0))
        assert relaxed.intercepts[i] == pytest.approx(b, rel=rtol, abs=rtol * (1 + abs(b)))
        # the refit explains at least as much of the deviance as the penalized fit on the same support
        assert relaxed.dev_ratios[i] >= path.dev_ratios[i] - 1e-6
    # dev_ratios of the refit: 1 - RSS / the null deviance, weighted
    s = np.ones(len(y)) if sw is None else sw
    Xf, yf = (Xd.toarray() if is_sparse else Xd).astype(np.float64), yd.astype(np.float64)
    center = (s @ yf / s.sum()) if opts["fit_intercept"] else 0.0
    r = yf - Xf @ relaxed.coefs[:, -1].astype(np.float64) - relaxed.intercepts[-1]
    expected = 1 - (s @ r**2) / (s @ (yf - center) ** 2)
    assert relaxed.dev_ratios[-1] == pytest.approx(expected, abs=1e-9 if dtype == np.float64 else 1e-4)


def test_empty_support_is_the_intercept_only_model():
    X, y = _data(seed=4)
    sw = np.random.default_rng(5).uniform(0.5, 2.0, len(y))
    path = fastreg.lasso_path(X, y, n_alphas=5, fit_intercept=True, sample_weight=sw, relax=True)
    assert not path.coefs[:, 0].any()  # alpha_max
    np.testing.assert_array_equal(path.relaxed.coefs[:, 0], 0.0)
    assert path.relaxed.intercepts[0] == pytest.approx(np.average(y, weights=sw), rel=1e-12)
    assert path.relaxed.dev_ratios[0] == 0.0
    bare = fastreg.lasso_path(X, y, n_alphas=5, fit_intercept=False, relax=True)
    np.testing.assert_array_equal(bare.relaxed.coefs[:, 0], 0.0)
    assert bare.relaxed.intercepts[0] == 0.0


@pytest.mark.parametrize("route", ["gram", "residual", "statistics", "sparse"])
def test_duplicated_columns_give_the_minimum_norm_solution(route):
    X, y = _data(n=90, p=6, seed=6)
    X = np.hstack([X, X[:, :2]])  # columns 6, 7 repeat columns 0, 1
    if route == "statistics":
        path = fastreg.enet_path_from_stats(fastreg.SufficientStats.from_arrays(X, y), l1_ratio=0.5, n_alphas=15,
                                            relax=True)
    else:
        Xd = sparse.csc_matrix(X) if route == "sparse" else X
        path = fastreg.enet_path(Xd, y, l1_ratio=0.5, n_alphas=15, fit_intercept=True, relax=True,
                                 precompute="auto" if route == "gram" else False)
    relaxed = path.relaxed
    assert np.isfinite(relaxed.coefs).all() and np.isfinite(relaxed.intercepts).all()
    last = np.flatnonzero(path.coefs[:, -1])
    assert {0, 6} <= set(last)  # (an elastic net splits the duplicates' weight: both in the support)
    coef, b = ols_on_support(X, y, last)
    np.testing.assert_allclose(relaxed.coefs[:, -1], coef, rtol=1e-8, atol=1e-8)
    assert relaxed.coefs[0, -1] == pytest.approx(relaxed.coefs[6, -1], rel=1e-8)  # the minimum norm splits evenly
    assert relaxed.intercepts[-1] == pytest.approx(b, rel=1e-8)
    if route in ("gram", "statistics"):  # the Gram block is singular: solved from the columns, or by its pseudo-inverse
        assert relaxed.solver == "relaxed-cholesky+" + ("lstsq" if route == "gram" else "pinv")


def test_unpenalized_features_are_in_every_refit_and_excluded_ones_in_none():
    X, y = _data(n=80, p=8, seed=7)
    factor = np.ones(8)
    factor[0], factor[5] = 0.0, np.inf
    for Xd in (X, sparse.csc_matrix(X)):
        for precompute in ("auto", False):
            path = fastreg.enet_path(Xd, y, l1_ratio=1.0, n_alphas=10, fit_intercept=True, penalty_factor=factor,
                                     precompute=precompute, relax=True)
            for i in range(10):
                support = np.flatnonzero(path.coefs[:, i])
                assert 0 in support and 5 not in support
                coef, b = ols_on_support(X, y, support)
                np.testing.assert_allclose(path.relaxed.coefs[:, i], coef, rtol=1e-10, atol=1e-10)
                assert path.relaxed.intercepts[i] == pytest.approx(b, rel=1e-10)


def test_gamma_blends_the_lasso_and_the_relaxed_fit():
    X, y = _data(seed=8)
    path = fastreg.lasso_path(X, y, n_alphas=10, fit_intercept=True, relax=True)
    rel = path.relaxed
    for gamma in (0.0, 0.3, 1.0):
        i = 6
        blend = gamma * path.coefs[:, i] + (1 - gamma) * rel.coefs[:, i]
        np.testing.assert_allclose(path.coef(path.alphas[i], gamma=gamma), blend, rtol=1e-14, atol=1e-15)
        b = gamma * path.intercepts[i] + (1 - gamma) * rel.intercepts[i]
        assert path.intercept(path.alphas[i], gamma=gamma) == pytest.approx(b, rel=1e-14)
        np.testing.assert_allclose(path.predict(X[:5], alpha=path.alphas[i], gamma=gamma), X[:5] @ blend + b,
                                   rtol=1e-12)
    np.testing.assert_array_equal(path.coef(path.alphas[4], gamma=1.0), path.coefs[:, 4])
    np.testing.assert_array_equal(path.coef(path.alphas[4], gamma=0.0), rel.coefs[:, 4])
    # between grid points: the blend of the two interpolants; exactly: the blend of the exact refits
    alpha = 0.5 * (path.alphas[5] + path.alphas[6])
    np.testing.assert_allclose(path.coef(alpha, gamma=0.25),
                               0.25 * path.coef(alpha) + 0.75 * rel.coef(alpha), rtol=1e-13, atol=1e-15)
    exact = path.coef(alpha, exact=True, X=X, y=y, gamma=0.25)
    fresh = fastreg.lasso_path(X, y, alphas=[alpha], fit_intercept=True, relax=True)
    np.testing.assert_allclose(exact, 0.25 * fresh.coefs[:, 0] + 0.75 * fresh.relaxed.coefs[:, 0], atol=1e-6)
    assert "%Dev R" in path.summary() and "relaxed_dev_ratio" in path.to_frame()


def _brute_force_relaxed_cv(X, y, folds, alphas, gammas, sample_weight=None):
    """The held-out error of every blend of every fold, recomputed: each fold's Lasso path on its
    training rows (fastreg, tight tol), the OLS of each support by numpy.linalg.lstsq, the blends'
    weighted held-out MSE; then glmnet's choice (getOptcv.relaxed): the smallest mean error (ties:
    the largest alpha, then the largest gamma), and among the pairs within one SE of it the largest
    alpha, then the largest gamma."""
    s = np.ones(len(y)) if sample_weight is None else sample_weight
    err = np.empty((gammas.size, alphas.size, len(folds)))
    for k, (train, test) in enumerate(folds):
        sw = None if sample_weight is None else sample_weight[train]
        path = _quiet(fastreg.lasso_path, X[train], y[train], alphas=alphas, fit_intercept=True, sample_weight=sw,
                      tol=1e-12, max_iter=100_000)
        for i in range(alphas.size):
            coef, b = ols_on_support(X[train], y[train], np.flatnonzero(path.coefs[:, i]), sw)
            for g, gamma in enumerate(gammas):
                w = gamma * path.coefs[:, i] + (1 - gamma) * coef
                r = y[test] - X[test] @ w - (gamma * path.intercepts[i] + (1 - gamma) * b)
                err[g, i, k] = np.average(r**2, weights=s[test])
    mean, se = err.mean(axis=2), err.std(axis=2, ddof=1) / np.sqrt(len(folds))

    def pick(mask):
        g, a = np.nonzero(mask)
        best = np.lexsort((gammas[g], alphas[a]))[-1]
        return g[best], a[best]

    g_min, a_min = pick(mean <= mean.min() * (1 + 1e-10))
    g_1se, a_1se = pick(mean <= mean[g_min, a_min] + se[g_min, a_min])
    return err, (alphas[a_min], gammas[g_min]), (alphas[a_1se], gammas[g_1se])


@pytest.mark.parametrize("shape", [(120, 10), (40, 50)], ids=["statistics", "residual"])
@pytest.mark.parametrize("signal", [True, False], ids=["signal", "noise"])
def test_relaxed_cv_choice_equals_a_brute_force_recomputation(shape, signal):
    n, p = shape
    X, y = _data(n=n, p=p, seed=9)
    if not signal:  # y independent of X: the 1-SE pair is at alpha_max, where every blend ties (no support)
        y = np.random.default_rng(11).standard_normal(n)
    sw = np.random.default_rng(10).uniform(0.5, 2.0, n)
    gammas = (0.0, 0.5, 1.0)
    cv = fastreg.cv_path(X, y, cv=4, n_alphas=20, relax=True, gamma=gammas, sample_weight=sw, tol=1e-12,
                         max_iter=100_000)
    assert cv.solver == ("statistics" if n > p else "residual")
    assert cv.relaxed_mse.shape == (1, 3, 20, 4)
    err, choice_min, choice_1se = _brute_force_relaxed_cv(X, y, cv.folds, cv.alphas[0], np.asarray(gammas), sw)
    np.testing.assert_allclose(cv.relaxed_mse[0], err, rtol=1e-7)
    np.testing.assert_allclose(cv.relaxed_mse[0, 2], cv.mse_path[0], rtol=1e-12)  # gamma = 1: the lasso's
    assert (cv.alpha_min, cv.gamma_min) == choice_min
    assert (cv.alpha_1se, cv.gamma_1se) == choice_1se
    if not signal:  # glmnet's tie rule: the largest gamma (the lasso) among equal errors
        assert (cv.alpha_1se, cv.gamma_1se) == (cv.alphas[0, 0], 1.0)
    assert cv.alphas[0, cv.index_min[1]] == cv.alpha_min and cv.alphas[0, cv.index_1se[1]] == cv.alpha_1se
    # predictions at the choices blend the path on all the data with its relaxed fit
    i = cv.index_1se[1]
    coef = cv.gamma_1se * cv.path.coefs[:, i] + (1 - cv.gamma_1se) * cv.path.relaxed.coefs[:, i]
    b = cv.gamma_1se * cv.path.intercepts[i] + (1 - cv.gamma_1se) * cv.path.relaxed.intercepts[i]
    np.testing.assert_allclose(cv.predict(X[:6]), X[:6] @ coef + b, rtol=1e-12)
    assert "gamma_min" in repr(cv)


def test_relax_refusals_and_bad_gammas():
    X, y = _data()
    with pytest.raises(ValueError, match="relax=True is not built for logistic_path"):
        fastreg.logistic_path(X, y > np.median(y), relax=True)
    with pytest.raises(ValueError, match="bounded least-squares"):
        fastreg.lasso_path(X, y, positive=True, relax=True)
    with pytest.raises(ValueError, match="bounded least-squares"):
        fastreg.cv_path(X, y, upper_bounds=1.0, relax=True)
    with pytest.raises(ValueError, match="multi-task"):
        fastreg.enet_path(X, np.c_[y, y], relax=True)
    for bad in ([], [0.5, 2.0], "all"):
        with pytest.raises(ValueError, match="gamma"):
            fastreg.cv_path(X, y, relax=True, gamma=bad)
    cv = fastreg.cv_path(X, y, cv=3, n_alphas=5)
    assert cv.gammas is None and cv.gamma_min is None and cv.relaxed_mse is None

"""glmnet's path tools on fastreg's results: Path.coef / intercept at any alpha (glmnet's lambda.interp,
linear in alpha, or an exact refit), Path.predict, Path.summary / to_frame, feature names carried from
pandas DataFrames, CVPath.coef / intercept / predict, and the errors of bad inputs.

Oracles: the interpolation formula recomputed here from the grid, fresh fits at the same alpha, the
objective of the Lasso (plain NumPy), scikit-learn's LassoCV prediction."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LassoCV as SkLassoCV

import fastreg


def _data(n=80, p=8, seed=0, offset=2.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + offset
    y = X[:, :4] @ np.array([2.0, -1.5, 1.0, 0.5]) + rng.standard_normal(n) + 1.0
    return X, y


def _lasso_objective(X, y, w, b, alpha):
    r = y - X @ w - b
    return 0.5 * float(r @ r) / len(y) + alpha * float(np.abs(w).sum())


def _interpolant(path, alpha):
    """glmnet's lambda.interp, recomputed: the neighbours a_hi > alpha > a_lo on the (decreasing) grid,
    t = (alpha - a_lo) / (a_hi - a_lo), t c(a_hi) + (1 - t) c(a_lo)."""
    a = path.alphas
    hi = int(np.flatnonzero(a > alpha)[-1])
    lo = hi + 1
    t = (alpha - a[lo]) / (a[hi] - a[lo])
    return t * path.coefs[..., hi] + (1 - t) * path.coefs[..., lo], t * path.intercepts[..., hi] + (1 - t) * path.intercepts[..., lo]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_coef_at_grid_points_is_the_path(dtype):
    X, y = _data()
    path = fastreg.enet_path(X.astype(dtype), y.astype(dtype), l1_ratio=0.7, n_alphas=12, fit_intercept=True)
    for i in (0, 5, 11):
        coef = path.coef(path.alphas[i])
        assert coef.dtype == path.coefs.dtype
        np.testing.assert_array_equal(coef, path.coefs[:, i])
        assert path.intercept(path.alphas[i]) == path.intercepts[i]
    np.testing.assert_array_equal(path.coef(path.alphas), path.coefs)
    np.testing.assert_array_equal(path.intercept(path.alphas), path.intercepts)


def test_coef_between_grid_points_is_glmnets_interpolation_in_alpha():
    X, y = _data()
    path = fastreg.lasso_path(X, y, n_alphas=10, fit_intercept=True)
    a = path.alphas
    queries = [0.3 * a[2] + 0.7 * a[3], np.sqrt(a[6] * a[7]), 0.9 * a[8] + 0.1 * a[9]]
    for alpha in queries:
        coef, b = _interpolant(path, alpha)
        np.testing.assert_allclose(path.coef(alpha), coef, rtol=1e-13, atol=1e-15)
        assert path.intercept(alpha) == pytest.approx(b, rel=1e-13)
    # linear in alpha, not in log alpha: the geometric midpoint is not the midpoint of the coefficients
    mid = np.sqrt(a[6] * a[7])
    assert not np.allclose(path.coef(mid), (path.coefs[:, 6] + path.coefs[:, 7]) / 2, rtol=1e-6)
    # several alphas at once: the alphas last
    both = path.coef(queries)
    assert both.shape == (X.shape[1], 3)
    np.testing.assert_allclose(both[:, 1], path.coef(queries[1]))


def test_coef_beyond_the_grid_is_clamped_with_a_warning():
    X, y = _data()
    path = fastreg.lasso_path(X, y, n_alphas=10, fit_intercept=True)
    with pytest.warns(UserWarning, match="outside the path's grid"):
        np.testing.assert_array_equal(path.coef(path.alphas[0] * 3), path.coefs[:, 0])
    with pytest.warns(UserWarning, match="outside the path's grid"):
        np.testing.assert_array_equal(path.coef(path.alphas[-1] / 3), path.coefs[:, -1])


def test_exact_refit_equals_a_fresh_fit_and_the_interpolant_is_within_the_gap_tolerance():
    X, y = _data(seed=3)
    tol = 1e-12
    path = fastreg.lasso_path(X, y, n_alphas=15, fit_intercept=True, tol=tol)
    target = tol * float(np.sum((y - y.mean()) ** 2)) / len(y)
    signs = np.sign(path.coefs)
    # a segment with no change of support or signs (the Lasso path is linear in alpha there) ...
    same = [i for i in range(1, 14) if np.array_equal(signs[:, i], signs[:, i + 1]) and signs[:, i].any()]
    # ... and one across a change of support
    changed = [i for i in range(14) if not np.array_equal(signs[:, i], signs[:, i + 1])]
    assert same and changed
    for i in (same[0], changed[-1]):
        alpha = 0.6 * path.alphas[i] + 0.4 * path.alphas[i + 1]
        exact = path.coef(alpha, exact=True, X=X, y=y)
        fresh = fastreg.lasso_path(X, y, alphas=[alpha], fit_intercept=True, tol=tol)
        np.testing.assert_allclose(exact, fresh.coefs[:, 0], rtol=0, atol=1e-8)
        assert path.intercept(alpha, exact=True, X=X, y=y) == pytest.approx(fresh.intercepts[0], abs=1e-8)
        coef, b = path.coef(alpha), path.intercept(alpha)
        excess = _lasso_objective(X, y, coef, b, alpha) - _lasso_objective(X, y, exact, fresh.intercepts[0], alpha)
        if i in same:  # exact up to the endpoints' gaps: ||e||_H^2 / 2 <= (sqrt(G1) + sqrt(G2))^2 <= 4 target
            assert excess <= 4 * target + 1e-14 * float(y @ y) / len(y)
            np.testing.assert_allclose(coef, exact, atol=1e-5)
        else:  # across a knot the interpolant is only an approximation (larger than the gap tolerance)
            assert excess > 4 * target


def test_exact_refit_needs_the_data_and_the_weights():
    X, y = _data()
    sw = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    path = fastreg.lasso_path(X, y, n_alphas=8, fit_intercept=True, sample_weight=sw, tol=1e-12)
    alpha = 0.5 * (path.alphas[3] + path.alphas[4])
    with pytest.raises(ValueError, match="Pass the training data again"):
        path.coef(alpha, exact=True)
    with pytest.raises(ValueError, match="fitted with sample_weight"):
        path.coef(alpha, exact=True, X=X, y=y)
    with pytest.raises(ValueError, match="features"):
        path.coef(alpha, exact=True, X=X[:, :3], y=y, sample_weight=sw)
    exact = path.coef(alpha, exact=True, X=X, y=y, sample_weight=sw)
    fresh = fastreg.lasso_path(X, y, alphas=[alpha], fit_intercept=True, sample_weight=sw, tol=1e-12)
    np.testing.assert_allclose(exact, fresh.coefs[:, 0], atol=1e-8)
    # a grid point needs no refit, hence no data
    np.testing.assert_array_equal(path.coef(path.alphas[2], exact=True), path.coefs[:, 2])
    # a path from statistics refits from the statistics
    stats = fastreg.SufficientStats.from_arrays(X, y)
    spath = fastreg.enet_path_from_stats(stats, l1_ratio=1.0, n_alphas=8, tol=1e-12)
    a = 0.5 * (spath.alphas[3] + spath.alphas[4])
    np.testing.assert_allclose(spath.coef(a, exact=True, X=stats),
                               fastreg.enet_path_from_stats(stats, l1_ratio=1.0, alphas=[a], tol=1e-12).coefs[:, 0],
                               atol=1e-8)


def test_predict_shapes_and_values():
    X, y = _data()
    path = fastreg.enet_path(X, y, l1_ratio=0.5, n_alphas=10, fit_intercept=True)
    Xt = X[:7]
    every = path.predict(Xt)
    assert every.shape == (7, 10)
    np.testing.assert_allclose(every, Xt @ path.coefs + path.intercepts, rtol=1e-12)
    alpha = 0.5 * (path.alphas[4] + path.alphas[5])
    one = path.predict(Xt, alpha=alpha)
    assert one.shape == (7,)
    np.testing.assert_allclose(one, Xt @ path.coef(alpha) + path.intercept(alpha), rtol=1e-12)
    several = path.predict(sparse.csr_matrix(Xt), alpha=[path.alphas[1], alpha])
    assert several.shape == (7, 2)
    np.testing.assert_allclose(several[:, 1], one, rtol=1e-12)
    with pytest.raises(ValueError, match="has 3 features"):
        path.predict(Xt[:, :3])


def test_multinomial_block_layout():
    X, _ = _data(n=120, p=5, seed=7)
    labels = np.digitize(X[:, 0] - X[:, 1] + np.random.default_rng(8).standard_normal(120), [-0.5, 0.5])
    path = fastreg.logistic_path(X, labels, n_alphas=8)
    K = path.coefs.shape[0]
    alpha = 0.5 * (path.alphas[3] + path.alphas[4])
    coef, b = _interpolant(path, alpha)
    assert path.coef(alpha).shape == (K, 5) and path.intercept(alpha).shape == (K,)
    np.testing.assert_allclose(path.coef(alpha), coef, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(path.intercept(alpha), b, rtol=1e-12)
    eta = path.predict(X[:4], alpha=alpha)  # the linear predictor of each class
    assert eta.shape == (4, K)
    np.testing.assert_allclose(eta, X[:4] @ coef.T + b, rtol=1e-12)
    assert path.predict(X[:4]).shape == (4, K, 8)
    np.testing.assert_array_equal(path.n_nonzero(), (path.coefs != 0).any(axis=0).sum(axis=0))


def test_summary_and_to_frame():
    X, y = _data()
    path = fastreg.lasso_path(X, y, n_alphas=12, fit_intercept=True)
    df = np.count_nonzero(path.coefs, axis=0)
    lines = path.summary().splitlines()
    assert "12 alphas" in lines[0] and "8 features" in lines[0]
    assert re.split(r"\s+", lines[1].strip()) == ["Df", "%Dev", "alpha", "gap", "converged"]
    rows = [re.split(r"\s+", line.strip()) for line in lines[2:]]
    assert len(rows) == 12
    for i, row in enumerate(rows):
        assert int(row[0]) == i + 1
        assert int(row[1]) == df[i]
        assert float(row[2]) == pytest.approx(100 * path.dev_ratios[i], abs=0.006)
        assert float(row[3]) == pytest.approx(path.alphas[i], rel=1e-3)
        assert row[5] == ("yes" if path.converged[i] else "NO")
    frame = path.to_frame()
    assert list(frame.columns) == ["alpha", "df", "dev_ratio", "dual_gap", "n_iter", "converged"]
    np.testing.assert_array_equal(frame["df"], df)
    np.testing.assert_array_equal(frame["dev_ratio"], path.dev_ratios)
    np.testing.assert_array_equal(frame["alpha"], path.alphas)
    assert repr(path).startswith("Path(n_alphas=12, n_features=8")


def test_feature_names_are_carried_from_dataframes():
    X, y = _data()
    names = [f"f_{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names)
    for path in (fastreg.enet_path(frame, y, n_alphas=5), fastreg.lasso_path(frame, y, n_alphas=5),
                 fastreg.logistic_path(frame, y > np.median(y), n_alphas=5)):
        assert list(path.feature_names) == names
    cv = fastreg.cv_path(frame, y, cv=3, n_alphas=5)
    assert list(cv.feature_names) == names and list(cv.path.feature_names) == names
    assert fastreg.lasso_path(X, y, n_alphas=5).feature_names is None
    assert fastreg.lasso_path(pd.DataFrame(X), y, n_alphas=5).feature_names is None  # (integer column names)
    stats = fastreg.SufficientStats.from_arrays(X, y)
    stats.feature_names = np.asarray(names, dtype=object)  # (statistics read from named columns carry them)
    assert list(fastreg.enet_path_from_stats(stats, n_alphas=5, relax=True).relaxed.feature_names) == names
    path = fastreg.lasso_path(frame, y, n_alphas=5)
    np.testing.assert_allclose(path.predict(frame.iloc[:3]), path.predict(X[:3]))
    with pytest.raises(ValueError, match="column names differ"):
        path.predict(frame.iloc[:3, ::-1])


@pytest.mark.parametrize("precompute", ["auto", False], ids=["statistics", "residual"])
def test_cvpath_predict_equals_lassocv(precompute):
    X, y = _data(n=100, p=10, seed=11)
    kw = dict(cv=5, tol=1e-10, max_iter=100_000)
    cv = fastreg.cv_path(X, y, n_alphas=30, precompute=precompute, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkLassoCV(alphas=30, **{**kw, "tol": 1e-12}).fit(X, y)
    assert cv.alpha_min == pytest.approx(sk.alpha_, rel=1e-10)
    np.testing.assert_allclose(cv.predict(X[:10], which="min"), sk.predict(X[:10]), rtol=1e-6, atol=1e-6)
    i = cv.index_1se[1]
    assert cv.path.alphas[i] == cv.alpha_1se
    np.testing.assert_array_equal(cv.coef(), cv.path.coefs[:, i])  # '1se' is the default, as glmnet's
    assert cv.intercept("1se") == cv.path.intercepts[i]
    np.testing.assert_allclose(cv.predict(X[:10]), X[:10] @ cv.path.coefs[:, i] + cv.path.intercepts[i])
    np.testing.assert_array_equal(cv.coef("min"), cv.path.coefs[:, cv.index_min[1]])
    # the CV's path refits exactly with its own options
    alpha = 0.5 * (cv.path.alphas[10] + cv.path.alphas[11])
    fresh = fastreg.lasso_path(X, y, alphas=[alpha], fit_intercept=True, tol=1e-10, max_iter=100_000)
    np.testing.assert_allclose(cv.path.coef(alpha, exact=True, X=X, y=y), fresh.coefs[:, 0], atol=1e-8)


def test_bad_inputs_give_clear_errors():
    X, y = _data()
    path = fastreg.lasso_path(X, y, n_alphas=6)
    for bad in (0.0, -1.0, np.nan, np.inf, [0.1, -0.1]):
        with pytest.raises(ValueError, match="alpha must be > 0"):
            path.coef(bad)
    with pytest.raises(TypeError, match="alpha must be a number"):
        path.coef("big")
    with pytest.raises(ValueError, match="gamma must be a number in"):
        path.coef(0.1, gamma=1.5)
    with pytest.raises(ValueError, match="relax=True"):
        path.coef(0.1, gamma=0.5)
    with pytest.raises(ValueError, match="has 5 features"):
        path.predict(X[:, :5], alpha=0.1)
    cv = fastreg.cv_path(X, y, cv=3, n_alphas=6)
    with pytest.raises(ValueError, match="which must be 'min'"):
        cv.predict(X, which="foo")
    with pytest.raises(ValueError, match="has 2 features"):
        cv.predict(X[:, :2])
    bare = fastreg.cv_path(X, y, cv=3, n_alphas=6, return_path=False)
    with pytest.raises(ValueError, match="return_path=True"):
        bare.coef("min")

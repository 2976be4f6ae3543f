"""glmnet's modelling options: standardization inside the solver, path stops (dfmax, devmax, fdev) and
the deviance ratio of every solution."""
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg


def _data(n, p, seed, noise=0.5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.2, 5.0, p) + rng.uniform(-3, 3, p)
    k = min(p, 8)
    y = X[:, :k] @ rng.standard_normal(k) + noise * rng.standard_normal(n) + 2.0
    return X, y


def _dev_ratio(X, y, coefs, intercepts, sw=None):
    s = np.ones(len(y)) if sw is None else sw
    yb = np.average(y, weights=s)
    r = y[:, None] - X @ coefs - intercepts
    return 1 - (s @ r**2) / (s @ (y - yb) ** 2)


@pytest.mark.parametrize("precompute", [False, True], ids=["residual", "gram"])
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_dev_ratios_are_the_deviance_explained(precompute, kind):
    X, y = _data(80, 20, seed=601)
    sw = np.random.default_rng(602).uniform(0.3, 2.0, 80)
    Xf = sparse.csc_matrix(X) if kind == "sparse" else X
    path = fastreg.enet_path(Xf, y, l1_ratio=0.7, fit_intercept=True, sample_weight=sw, n_alphas=20,
                             tol=1e-10, precompute=precompute)
    np.testing.assert_allclose(path.dev_ratios, _dev_ratio(X, y, path.coefs, path.intercepts, sw),
                               rtol=1e-9, atol=1e-12)
    assert path.stop_reason is None and np.all(np.diff(path.dev_ratios) >= -1e-12)


@pytest.mark.parametrize("precompute", [False, True], ids=["residual", "gram"])
def test_dfmax_stops_before_the_first_alpha_over_the_limit(precompute):
    X, y = _data(100, 40, seed=603)
    full = fastreg.enet_path(X, y, l1_ratio=1.0, fit_intercept=True, tol=1e-10, precompute=precompute)
    nnz = np.count_nonzero(full.coefs, axis=0)
    dfmax = 6
    first_over = int(np.argmax(nnz > dfmax))
    stopped = fastreg.enet_path(X, y, l1_ratio=1.0, fit_intercept=True, tol=1e-10, precompute=precompute,
                                dfmax=dfmax)
    assert stopped.stop_reason == "dfmax"
    assert len(stopped.alphas) == first_over
    assert np.count_nonzero(stopped.coefs, axis=0).max() <= dfmax
    np.testing.assert_array_equal(stopped.alphas, full.alphas[:first_over])
    np.testing.assert_allclose(stopped.coefs, full.coefs[:, :first_over])
    # unpacking still gives scikit-learn's triple, of the solved alphas
    alphas, coefs, gaps = stopped
    assert coefs.shape == (40, first_over) and len(gaps) == first_over


def test_devmax_and_fdev_follow_glmnet():
    # nearly noiseless: the deviance explained passes 0.999 along the path
    X, y = _data(150, 20, seed=604, noise=0.01)
    path = fastreg.enet_path(X, y, l1_ratio=1.0, fit_intercept=True, tol=1e-10, early_stopping=True)
    assert path.stop_reason == "devmax"
    assert path.dev_ratios[-1] > 0.999 and (path.dev_ratios[:-1] <= 0.999).all()
    assert len(path.alphas) >= 5
    # noisy: the deviance explained saturates well below 0.999, and fdev ends the path there
    X, y = _data(150, 20, seed=605, noise=5.0)
    full = fastreg.enet_path(X, y, l1_ratio=1.0, fit_intercept=True, tol=1e-10)
    assert full.stop_reason is None and len(full.alphas) == 100  # off by default (scikit-learn parity)
    fdev = 1e-3
    path = fastreg.enet_path(X, y, l1_ratio=1.0, fit_intercept=True, tol=1e-10, early_stopping=True, fdev=fdev)
    assert path.stop_reason == "fdev" and 5 <= len(path.alphas) < len(full.alphas)
    d = full.dev_ratios
    change_small = np.diff(d) < fdev * d[1:]
    first = 1 + int(np.argmax(change_small[3:])) + 3  # the rule applies from the 5th alpha on
    assert len(path.alphas) == first + 1 and d[first] < 0.999
    np.testing.assert_allclose(path.coefs, full.coefs[:, :len(path.alphas)])


@pytest.mark.parametrize("kw,error,match", [
    (dict(dfmax=-1), ValueError, "dfmax"),
    (dict(dfmax=2.5), TypeError, "dfmax"),
    (dict(early_stopping="yes"), TypeError, "early_stopping"),
    (dict(early_stopping=True, devmax=1.5), ValueError, "devmax"),
    (dict(early_stopping=True, fdev=-1.0), ValueError, "fdev"),
])
def test_bad_path_stops_are_clear_errors(kw, error, match):
    X, y = _data(30, 5, seed=606)
    with pytest.raises(error, match=match):
        fastreg.enet_path(X, y, **kw)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_standardize_equals_scaling_by_hand(oracle, weighted, kind):
    X, y = _data(90, 12, seed=607)
    sw = np.random.default_rng(608).uniform(0.2, 3.0, 90) if weighted else None
    s = np.ones(90) if sw is None else sw
    mean = np.average(X, axis=0, weights=s)
    sd = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=s))
    Xf = sparse.csc_matrix(X) if kind == "sparse" else X
    model = fastreg.ElasticNet(alpha=0.05, l1_ratio=0.6, standardize=True, tol=1e-12, max_iter=100_000)
    model.fit(Xf, y, sample_weight=sw)
    by_hand = fastreg.ElasticNet(alpha=0.05, l1_ratio=0.6, tol=1e-12, max_iter=100_000)
    by_hand.fit(X / sd, y, sample_weight=sw)
    np.testing.assert_allclose(model.coef_, by_hand.coef_ / sd, rtol=1e-7, atol=1e-10)
    assert model.intercept_ == pytest.approx(by_hand.intercept_, rel=1e-8)
    np.testing.assert_allclose(model.predict(Xf), by_hand.predict(X / sd), rtol=1e-8)
    assert not np.allclose(model.coef_, fastreg.ElasticNet(alpha=0.05, l1_ratio=0.6).fit(X, y, sw).coef_)


def test_cv_estimators_pass_standardize_through():
    X, y = _data(120, 10, seed=609)
    plain = fastreg.LassoCV(cv=3, alphas=20, tol=1e-10).fit(X, y)
    std = fastreg.LassoCV(cv=3, alphas=20, standardize=True, tol=1e-10).fit(X, y)
    res = fastreg.cv_path(X, y, cv=3, n_alphas=20, standardize=True, tol=1e-10)
    np.testing.assert_allclose(std.mse_path_, res.mse_path[0])
    assert not np.allclose(std.alphas_, plain.alphas_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = fastreg.Lasso(alpha=std.alpha_, standardize=True, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(std.coef_, model.coef_, rtol=1e-5, atol=1e-8)

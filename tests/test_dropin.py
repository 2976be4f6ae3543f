"""Drop-in behaviours scikit-learn's own tests rely on (benchmarks/sklearn_dropin.py runs those):
uniform weights are no weights, single fits agree across routes, alpha=0 is least squares, metadata
routing of CV fit params, scikit-learn's error words."""
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg


def _data(n=40, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + 0.3 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("Model", [fastreg.ElasticNet, fastreg.Lasso])
@pytest.mark.parametrize("fmt", ["dense", "sparse"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_weights_are_bit_identical_to_none(Model, fmt, dtype):
    X, y = _data()
    X, y = X.astype(dtype), y.astype(dtype)
    Xf = sparse.csc_matrix(X) if fmt == "sparse" else X
    tol = 1e-5 if dtype == np.float32 else 1e-8
    ref = Model(alpha=0.05, tol=tol).fit(Xf, y)
    for sw in (np.ones(len(y)), np.full(len(y), 3.7), 123.0):
        got = Model(alpha=0.05, tol=tol).fit(Xf, y, sample_weight=sw)
        assert np.array_equal(got.coef_, ref.coef_)
        assert got.intercept_ == ref.intercept_


def test_uniform_weights_in_paths_and_cv():
    X, y = _data()
    a = fastreg.enet_path(X, y, n_alphas=10)
    b = fastreg.enet_path(X, y, n_alphas=10, sample_weight=np.full(len(y), 2.0))
    assert np.array_equal(a.coefs, b.coefs)
    c = fastreg.LassoCV(cv=3).fit(X, y)
    d = fastreg.LassoCV(cv=3).fit(X, y, sample_weight=np.ones(len(y)))
    assert np.array_equal(c.mse_path_, d.mse_path_) and c.alpha_ == d.alpha_


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_zero_weights_equal_dropping_rows(fit_intercept):
    X, y = _data(seed=1)
    sw = np.random.default_rng(2).uniform(0.1, 2.0, len(y))
    sw0 = sw.copy()
    sw0[-5:] = 0
    y2 = y.copy()
    y2[-5:] *= 1000
    a = fastreg.ElasticNet(alpha=0.02, tol=1e-6, fit_intercept=fit_intercept).fit(X, y2, sample_weight=sw0)
    b = fastreg.ElasticNet(alpha=0.02, tol=1e-6, fit_intercept=fit_intercept).fit(X[:-5], y2[:-5],
                                                                                  sample_weight=sw[:-5])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("precompute", [False, True])
def test_single_fits_agree_across_routes(precompute):
    # small fits are polished past tol: dense, sparse and Gram agree far closer than sqrt(tol)
    X, y = _data(n=30, p=12, seed=3)
    sw = np.random.default_rng(4).uniform(0.1, 3.0, len(y))
    dense = fastreg.ElasticNet(alpha=0.05, tol=1e-4, precompute=precompute).fit(X, y, sample_weight=sw)
    sp = fastreg.ElasticNet(alpha=0.05, tol=1e-4).fit(sparse.csr_matrix(X), y, sample_weight=sw)
    np.testing.assert_allclose(dense.coef_, sp.coef_, rtol=1e-7, atol=1e-9)
    # the reported gap still certifies the returned point, far below tol's target
    assert dense.dual_gap_ <= 1e-4 * np.var(y) * 1e-3


def test_polishing_keeps_warm_starts_at_zero_epochs():
    X, y = _data(seed=5)
    model = fastreg.ElasticNet(alpha=0.01, tol=1e-3).fit(X, y)
    assert model.n_iter_ > 0
    model.set_params(warm_start=True).fit(X, y)
    assert model.n_iter_ == 0


@pytest.mark.parametrize("precompute", [False, True])
def test_alpha_zero_is_least_squares(precompute):
    rng = np.random.default_rng(6)
    X = rng.standard_normal((200, 30))
    y = X @ rng.standard_normal(30) + 1.5
    sw = rng.uniform(0.1, 5.0, 200)
    with pytest.warns(UserWarning, match="With alpha=0"):
        model = fastreg.ElasticNet(alpha=0, precompute=precompute, tol=1e-15).fit(X, y, sample_weight=sw)
    Xa = np.c_[X, np.ones(200)] * np.sqrt(sw)[:, None]
    ref = np.linalg.lstsq(Xa, y * np.sqrt(sw), rcond=None)[0]
    np.testing.assert_allclose(model.coef_, ref[:-1], atol=1e-11)
    np.testing.assert_allclose(model.intercept_, ref[-1], atol=1e-11)


def test_largest_float64_values_give_finite_answers():
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.randint(0, 2, size=10).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = fastreg.ElasticNet(alpha=1e-300).fit(X, y)
    assert np.isfinite(model.coef_).all() and np.isfinite(model.intercept_)
    # the penalty is negligible: least squares on X / max
    Xs = X / np.finfo(np.float64).max
    A = np.c_[Xs - Xs.mean(0)]
    ref = np.linalg.lstsq(A, y - y.mean(), rcond=None)[0] / np.finfo(np.float64).max
    np.testing.assert_allclose(model.coef_, ref, rtol=1e-6)


def test_cv_params_need_metadata_routing():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.model_selection import GroupKFold

    X, y = _data(n=60, seed=7)
    groups = np.repeat(np.arange(6), 10)
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing=True"):
        fastreg.LassoCV().fit(X, y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        model = fastreg.ElasticNetCV(cv=GroupKFold(3), l1_ratio=0.5).fit(X, y, groups=groups)
        folds = list(GroupKFold(3).split(X, y, groups))
        ref = fastreg.ElasticNetCV(cv=folds, l1_ratio=0.5).fit(X, y)
        assert model.alpha_ == ref.alpha_
        np.testing.assert_array_equal(model.mse_path_, ref.mse_path_)
        with pytest.raises(TypeError, match="groups"):  # KFold does not request groups
            fastreg.LassoCV(cv=3).fit(X, y, groups=groups)
        routing = fastreg.LassoCV(cv=GroupKFold(3)).get_metadata_routing()
        assert "splitter" in str(routing)


def test_scikit_learn_error_words():
    X, y = _data()
    with pytest.raises(ValueError, match=r"alphas\[1\] == -1, must be >= 0.0"):
        fastreg.LassoCV(alphas=[1, -1]).fit(X, y)
    with pytest.raises(TypeError, match=r"alphas\[2\] must be an instance of float, not str"):
        fastreg.LassoCV(alphas=[1, 1.0, "1"]).fit(X, y)
    with pytest.raises(ValueError, match="Unexpected parameters in params"):
        fastreg.enet_path(X, y, normalize=True)
    with pytest.raises(ValueError, match="Automatic alpha grid generation is not supported for l1_ratio=0"):
        fastreg.ElasticNetCV(l1_ratio=0).fit(X, y)
    with pytest.warns(fastreg.ConvergenceWarning, match="Objective did not converge"):
        fastreg.Lasso(alpha=1e-10, tol=1e-12, max_iter=1).fit(X, y)
    model = fastreg.ElasticNetCV(alphas=[0.1, 0.01, 1.0], l1_ratio=[0.5, 0.9], cv=3).fit(X, y)
    np.testing.assert_array_equal(model.alphas_, [1.0, 0.1, 0.01])


def test_logistic_cv_params_need_metadata_routing():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.model_selection import GroupKFold

    rng = np.random.default_rng(8)
    X = rng.standard_normal((60, 4))
    y = (X[:, 0] + 0.5 * rng.standard_normal(60) > 0).astype(int)
    groups = np.repeat(np.arange(6), 10)
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing=True"):
        fastreg.LogisticRegressionCV().fit(X, y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        model = fastreg.LogisticRegressionCV(cv=GroupKFold(3), Cs=4).fit(X, y, groups=groups)
        ref = fastreg.LogisticRegressionCV(cv=list(GroupKFold(3).split(X, y, groups)), Cs=4).fit(X, y)
        np.testing.assert_array_equal(model.C_, ref.C_)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_l1_ratio_zero_is_ridge(fit_intercept):
    # ElasticNet(l1_ratio=0) is Ridge with alpha * sum(s): started from (and certified at) the direct solve
    rng = np.random.default_rng(9)
    X = rng.standard_normal((120, 40)) @ rng.standard_normal((40, 40))  # correlated: slow for plain CD
    y = X @ rng.standard_normal(40) + rng.standard_normal(120)
    sw = rng.uniform(0.1, 5.0, 120)
    alpha = 0.3
    enet = fastreg.ElasticNet(alpha=alpha, l1_ratio=0, tol=1e-12, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    # NumPy oracle: the normal equations of sum_i s_i (y_i - x_i w - b)^2 + alpha sum(s) ||w||^2
    A = np.c_[X, np.ones(120)] if fit_intercept else X
    reg = np.eye(A.shape[1]) * alpha * sw.sum()
    if fit_intercept:
        reg[-1, -1] = 0.0
    ref = np.linalg.solve(A.T @ (sw[:, None] * A) + reg, A.T @ (sw * y))
    np.testing.assert_allclose(enet.coef_, ref[:40], rtol=1e-9, atol=1e-12)
    assert enet.dual_gap_ <= 1e-12 * np.average((y - np.average(y, weights=sw)) ** 2, weights=sw)


def test_multitask_cv_params_are_routed():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.model_selection import GroupKFold

    rng = np.random.default_rng(10)
    X = rng.standard_normal((60, 5))
    Y = X[:, :2] @ rng.standard_normal((2, 3)) + 0.3 * rng.standard_normal((60, 3))
    groups = np.repeat(np.arange(6), 10)
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing=True"):
        fastreg.MultiTaskLassoCV().fit(X, Y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        model = fastreg.MultiTaskLassoCV(cv=GroupKFold(3)).fit(X, Y, groups=groups)
        ref = fastreg.MultiTaskLassoCV(cv=list(GroupKFold(3).split(X, Y, groups))).fit(X, Y)
        assert model.alpha_ == ref.alpha_
        np.testing.assert_array_equal(model.mse_path_, ref.mse_path_)
    given = fastreg.MultiTaskElasticNetCV(alphas=[0.1, 0.01], l1_ratio=[0.5, 0.9], cv=3).fit(X, Y)
    np.testing.assert_array_equal(given.alphas_, [0.1, 0.01])

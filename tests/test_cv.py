"""Cross-validation: the same curves and choices as scikit-learn's LassoCV / ElasticNetCV on the same
folds, the 1-SE rule, both fold routes (statistics and residual), sparse X, splitters, bad cv values."""
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import ElasticNetCV as SkElasticNetCV
from sklearn.linear_model import LassoCV as SkLassoCV
from sklearn.model_selection import GroupKFold, KFold, LeaveOneOut, ShuffleSplit

import fastreg
from fastreg._cv import CVPath


def _data(n, p, seed, offset=3.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + offset
    k = min(p, 4)
    y = X[:, :k] @ np.array([1.5, -2.0, 0.0, 1.0])[:k] + rng.standard_normal(n) + 4.0
    return X, y


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("precompute", ["auto", False], ids=["statistics", "residual"])
def test_lasso_cv_matches_sklearn(weighted, fit_intercept, precompute):
    X, y = _data(120, 12, seed=501)
    sw = np.random.default_rng(502).uniform(0.2, 2.0, 120) if weighted else None
    kw = dict(alphas=25, cv=4, tol=1e-10, max_iter=100_000, fit_intercept=fit_intercept)
    ours = fastreg.LassoCV(precompute=precompute, **kw).fit(X, y, sample_weight=sw)
    theirs = _quiet(SkLassoCV(**{**kw, "tol": 1e-13}).fit, X, y, sample_weight=sw)
    assert ours.cv_solver_ == ("statistics" if precompute == "auto" else "residual")
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-7)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-8)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-7, abs=1e-9)
    assert not hasattr(ours, "l1_ratio_")


def test_elastic_net_cv_matches_sklearn_over_l1_ratios():
    X, y = _data(150, 10, seed=503)
    kw = dict(l1_ratio=[0.2, 0.6, 1.0], alphas=20, cv=5, tol=1e-10, max_iter=100_000)
    ours = fastreg.ElasticNetCV(**kw).fit(X, y)
    theirs = _quiet(SkElasticNetCV(**{**kw, "tol": 1e-13}).fit, X, y)
    assert ours.mse_path_.shape == (3, 20, 5) and ours.alphas_.shape == (3, 20)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    # elastic-net paths converge more slowly: both solutions are within 1e-5 of the exact errors
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-5)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12) and ours.l1_ratio_ == theirs.l1_ratio_


@pytest.mark.parametrize("splitter", ["shuffled-kfold", "groups", "shuffle-split"])
def test_splitters_match_sklearn(splitter):
    X, y = _data(90, 8, seed=504)
    groups = np.repeat(np.arange(9), 10)
    cv = {"shuffled-kfold": KFold(3, shuffle=True, random_state=0), "groups": GroupKFold(3),
          "shuffle-split": ShuffleSplit(4, test_size=0.25, random_state=0)}[splitter]
    ours = fastreg.cv_path(X, y, cv=cv, groups=groups, n_alphas=15, tol=1e-10, max_iter=100_000)
    folds = list(cv.split(X, y, groups))
    theirs = _quiet(SkLassoCV(alphas=15, cv=folds, tol=1e-13, max_iter=100_000).fit, X, y)
    np.testing.assert_allclose(ours.mse_path[0], theirs.mse_path_, rtol=1e-7)
    assert ours.alpha_min == pytest.approx(theirs.alpha_, rel=1e-12)


def test_wide_data_residual_route_matches_sklearn():
    # p > n: folds by residual updates (working sets), on two threads
    X, y = _data(40, 120, seed=505)
    ours = fastreg.LassoCV(alphas=15, cv=4, tol=1e-10, max_iter=100_000, n_jobs=2).fit(X, y)
    theirs = _quiet(SkLassoCV(alphas=15, cv=4, tol=1e-13, max_iter=100_000).fit, X, y)
    assert ours.cv_solver_ == "residual"
    # a flat objective (p > n) leaves held-out errors sensitive to the last digits of a solution
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-4)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)


def test_one_se_rule_on_a_constructed_curve():
    alphas = np.array([[4.0, 3.0, 2.0, 1.0]])
    # fold errors with mean [5, 2.1, 2.0, 2.5]; at the minimum std 0.4 over 4 folds -> se 0.2
    mse = np.array([[[5.0] * 4, [2.1] * 4, [2.0 - 0.3, 2.0 + 0.3, 2.0 - 0.3, 2.0 + 0.3], [2.5] * 4]])
    res = CVPath(alphas, np.array([1.0]), mse, folds=[], solver="test")
    se = np.std([1.7, 2.3, 1.7, 2.3], ddof=1) / 2
    assert res.mse_se[0, 2] == pytest.approx(se)
    assert (res.alpha_min, res.alpha_1se) == (2.0, 3.0)
    # one standard error further up the curve: within reach of the minimum's error bar
    mse[0, 0] = 2.0 + se
    assert CVPath(alphas, np.array([1.0]), mse, [], "test").alpha_1se == 4.0
    # a single fold has no standard error: alpha_1se is alpha_min
    one = CVPath(alphas, np.array([1.0]), mse[:, :, :1], [], "test")
    assert one.alpha_1se == one.alpha_min and (one.mse_se == 0).all()


def test_one_se_on_real_folds_is_sparser():
    X, y = _data(200, 30, seed=506)
    res = fastreg.cv_path(X, y, cv=5, n_alphas=40, tol=1e-8)
    i_min, i_1se = res.index_min[1], res.index_1se[1]
    assert res.alpha_1se >= res.alpha_min
    assert res.mse_mean[0, i_1se] <= res.mse_mean[0, i_min] + res.mse_se[0, i_min]
    bigger = res.alphas[0] > res.alpha_1se
    assert (res.mse_mean[0, bigger] > res.mse_mean[0, i_min] + res.mse_se[0, i_min]).all()
    assert np.count_nonzero(res.path.coefs[:, i_1se]) <= np.count_nonzero(res.path.coefs[:, i_min])
    np.testing.assert_allclose(res.path.alphas, res.alphas[0])


@pytest.mark.parametrize("precompute", ["auto", False], ids=["statistics", "residual"])
def test_sparse_X_gives_the_dense_curves(precompute):
    rng = np.random.default_rng(507)
    X = sparse.random(150, 20, density=0.3, format="csr", random_state=rng)
    y = X @ rng.standard_normal(20) + rng.standard_normal(150) + 1.0
    dense = fastreg.cv_path(X.toarray(), y, cv=3, n_alphas=12, tol=1e-11, precompute=precompute)
    got = fastreg.cv_path(X, y, cv=3, n_alphas=12, tol=1e-11, precompute=precompute)
    assert got.solver == dense.solver == ("statistics" if precompute == "auto" else "residual")
    np.testing.assert_allclose(got.mse_path, dense.mse_path, rtol=1e-8)
    model = fastreg.LassoCV(alphas=12, cv=3, tol=1e-11).fit(X, y)
    assert model.alpha_ == dense.alpha_min


def test_statistics_and_residual_routes_agree_with_weights():
    X, y = _data(100, 9, seed=508)
    sw = np.random.default_rng(509).uniform(0.0, 2.0, 100)  # some weights near 0
    a = fastreg.cv_path(X, y, l1_ratio=[0.5, 1.0], cv=4, n_alphas=10, tol=1e-11, sample_weight=sw)
    b = fastreg.cv_path(X, y, l1_ratio=[0.5, 1.0], cv=4, n_alphas=10, tol=1e-11, sample_weight=sw,
                        precompute=False)
    assert (a.solver, b.solver) == ("statistics", "residual")
    np.testing.assert_allclose(a.mse_path, b.mse_path, rtol=1e-7)


def test_single_split_and_leave_one_out():
    X, y = _data(15, 4, seed=510)
    split = [(np.arange(10), np.arange(10, 15))]
    one = fastreg.cv_path(X, y, cv=split, n_alphas=8, tol=1e-10)
    theirs = _quiet(SkLassoCV(alphas=8, cv=split, tol=1e-13, max_iter=100_000).fit, X, y)
    assert one.mse_path.shape == (1, 8, 1)
    np.testing.assert_allclose(one.mse_path[0], theirs.mse_path_.reshape(8, 1), rtol=1e-7)
    loo = fastreg.LassoCV(alphas=8, cv=LeaveOneOut(), tol=1e-10).fit(X, y)
    theirs = _quiet(SkLassoCV(alphas=8, cv=LeaveOneOut(), tol=1e-13, max_iter=100_000).fit, X, y)
    np.testing.assert_allclose(loo.mse_path_, theirs.mse_path_, rtol=1e-6, atol=1e-12)
    # boolean masks work as index arrays
    mask = np.zeros(15, dtype=bool)
    mask[10:] = True
    masked = fastreg.cv_path(X, y, cv=[(~mask, mask)], n_alphas=8, tol=1e-10)
    np.testing.assert_allclose(masked.mse_path, one.mse_path)


@pytest.mark.parametrize("cv,error,match", [
    (1, ValueError, "at least 2 folds"),
    (0, ValueError, "at least 2 folds"),
    (-3, ValueError, "at least 2 folds"),
    (50, ValueError, "more than the 20 samples"),
    ("five", TypeError, "cv must be"),
    (2.5, TypeError, "cv must be"),
    ([], ValueError, "no splits"),
    ([(np.arange(10), np.arange(10, 25))], ValueError, "out of range"),
    ([(np.arange(10), np.array([], dtype=int))], ValueError, "empty test"),
    ([(np.arange(10),)], ValueError, "not a \\(train, test\\) pair"),
    ([(np.arange(10) + 0.5, np.arange(10, 20))], ValueError, "integers"),
])
def test_bad_cv_values_are_clear_errors(cv, error, match):
    X, y = _data(20, 3, seed=511)
    with pytest.raises(error, match=match):
        fastreg.cv_path(X, y, cv=cv, n_alphas=5)
    with pytest.raises(error, match=match):
        fastreg.LassoCV(cv=cv, alphas=5).fit(X, y)


def test_bad_settings_are_clear_errors():
    X, y = _data(20, 3, seed=512)
    with pytest.raises(ValueError, match="n_jobs=0"):
        fastreg.cv_path(X, y, n_jobs=0)
    with pytest.raises(ValueError, match="l1_ratio"):
        fastreg.ElasticNetCV(l1_ratio=[0.5, 1.5]).fit(X, y)
    with pytest.raises(ValueError, match="one target"):
        fastreg.LassoCV().fit(X, np.column_stack([y, y]))


def test_threads_give_the_same_curves_and_restore_blas_threads():
    from threadpoolctl import threadpool_info

    before = [(i["filepath"], i["num_threads"]) for i in threadpool_info()]
    X, y = _data(50, 200, seed=513)
    serial = fastreg.cv_path(X, y, cv=4, n_alphas=10, tol=1e-9, n_jobs=1)
    threaded = fastreg.cv_path(X, y, cv=4, n_alphas=10, tol=1e-9, n_jobs=-1)
    np.testing.assert_array_equal(serial.mse_path, threaded.mse_path)
    # the Gram kernel's single-threaded BLAS section is re-entrant across threads
    Xt, yt = _data(300, 20, seed=514)
    fastreg.cv_path(Xt, yt, cv=4, n_alphas=10, precompute=False, n_jobs=2)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda s: fastreg.enet_path(Xt, yt, precompute=True, n_alphas=20), range(8)))
    after = [(i["filepath"], i["num_threads"]) for i in threadpool_info()]
    assert before == after


def test_residual_folds_copy_x_once_each():
    # 200 x 20000 (32 MB): a fold holds one Fortran copy of its training rows, centered in place; the
    # full design is built only after the folds are done (both at once would be 1.75 x X)
    import tracemalloc

    rng = np.random.default_rng(515)
    X = rng.standard_normal((200, 20000))
    y = X[:, :10].sum(axis=1) + rng.standard_normal(200)
    tracemalloc.start()
    try:
        res = fastreg.cv_path(X, y, cv=4, n_alphas=5, n_jobs=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.solver == "residual"
    # plus the working-set solver's own arrays, O(n^2) whatever p: the members' Gram (at most 2n of
    # them), its Newton factor (capacity doubling: up to 4 (2n)^2 entries) and the members' and the
    # working set's columns
    n = X.shape[0]
    solver = 6 * (2 * n) ** 2 * X.itemsize
    assert peak < 1.2 * X.nbytes + solver, f"peak {peak / X.nbytes:.2f} x X"


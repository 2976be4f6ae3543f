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


# ----------------------------------------------------------------------------- penalty factors and bounds


def _reference(X, y, alpha, l1_ratio, factor, lower, upper, sw=None, n_iter=20000):
    """An independent NumPy solution by accelerated proximal gradient (FISTA), intercept profiled out:

        min 1/(2n) sum_i s_i (y_i - b - x_i^T w)^2 + alpha sum_j v_j (l1 |w_j| + (1 - l1)/2 w_j^2)
        s.t. lower <= w <= upper,

    v the factors as given (already rescaled) with inf meaning w_j = 0. The prox of each coordinate
    is soft-thresholding, shrinking, then clipping to the box (exact in one dimension)."""
    n, p = X.shape
    s = np.ones(n) if sw is None else sw * (n / sw.sum())
    xm, ym = s @ X / n, s @ y / n
    Xc, yc = (X - xm) * np.sqrt(s)[:, None], (y - ym) * np.sqrt(s)
    v = np.where(np.isinf(factor), 0.0, factor)
    lo = np.where(np.isinf(factor), 0.0, lower)
    hi = np.where(np.isinf(factor), 0.0, upper)
    step = n / np.linalg.norm(Xc, 2) ** 2
    w = z = np.zeros(p)
    t = 1.0
    for _ in range(n_iter):
        g = z - step * (Xc.T @ (Xc @ z - yc)) / n
        a, b = step * alpha * l1_ratio * v, step * alpha * (1 - l1_ratio) * v
        w_new = np.clip(np.sign(g) * np.maximum(np.abs(g) - a, 0) / (1 + b), lo, hi)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = w_new + (t - 1) / t_new * (w_new - w)
        w, t = w_new, t_new
    return w, ym - xm @ w


def _objective(X, y, w, b, alpha, l1_ratio, factor, sw=None):
    n = len(y)
    s = np.ones(n) if sw is None else sw * (n / sw.sum())
    v = np.where(np.isinf(factor), 0.0, factor)
    r = y - X @ w - b
    return (s @ r**2) / (2 * n) + alpha * np.sum(v * (l1_ratio * np.abs(w) + (1 - l1_ratio) / 2 * w**2))


KERNELS = {
    "dense-residual": dict(shape=(60, 12), precompute=False, sparse=False),
    "dense-gram": dict(shape=(60, 12), precompute=True, sparse=False),
    "working-set": dict(shape=(25, 120), precompute=False, sparse=False),
    "sparse-residual": dict(shape=(60, 12), precompute=False, sparse=True),
    "sparse-gram": dict(shape=(60, 12), precompute=True, sparse=True),
}


@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_penalty_factors_and_bounds_match_a_numpy_solution(kernel, l1_ratio):
    spec = KERNELS[kernel]
    n, p = spec["shape"]
    X, y = _data(n, p, seed=610)
    sw = np.random.default_rng(611).uniform(0.3, 2.0, n)
    raw = np.random.default_rng(612).uniform(0.2, 3.0, p)
    # an unpenalized feature sends sparse X through its Gram matrix: the sparse residual kernel is
    # tested with positive factors and bounds only
    raw[1], raw[3] = np.inf, (0.5 if kernel == "sparse-residual" else 0.0)
    lower = np.full(p, -0.4)
    upper = np.full(p, 0.8)
    lower[3], upper[3] = -np.inf, np.inf  # the unpenalized feature is not bounded
    Xf = sparse.csc_matrix(X) if spec["sparse"] else X
    alpha = 0.05
    path = fastreg.enet_path(Xf, y, l1_ratio=l1_ratio, alphas=[alpha], fit_intercept=True, sample_weight=sw,
                             penalty_factor=raw, lower_bounds=lower, upper_bounds=upper, tol=1e-12,
                             max_iter=200_000, precompute=spec["precompute"])
    assert path.converged.all()
    expected_solver = {"working-set": "cd-dense-working-set", "sparse-residual": "cd-sparse-residual",
                       "dense-residual": "cd-dense-residual"}.get(kernel, "cd-gram")
    assert path.solver == expected_solver
    w, b = path.coefs[:, 0], path.intercepts[0]
    # glmnet's rescaling: factors sum to p, the excluded feature counting as 1
    factor = np.where(np.isinf(raw), 1.0, raw)
    factor = np.where(np.isinf(raw), np.inf, factor * p / factor.sum())
    assert w[1] == 0
    assert (w >= lower - 1e-15).all() and (w <= upper + 1e-15).all()  # bounds hold exactly
    w_ref, b_ref = _reference(X, y, alpha, l1_ratio, factor, lower, upper, sw)
    ours = _objective(X, y, w, b, alpha, l1_ratio, factor, sw)
    ref = _objective(X, y, w_ref, b_ref, alpha, l1_ratio, factor, sw)
    # certified: within the returned gap of the optimum, which the reference cannot beat
    assert ours <= ref + 1e-10 * abs(ref)
    assert ours - ref <= path.dual_gaps[0] + 1e-12
    if n > p:  # strongly convex: the coefficients themselves are close (FISTA is slow when p > n)
        np.testing.assert_allclose(w, w_ref, atol=2e-5)


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("n_free", [2, 3, 5], ids=["fewer-free", "as-many-free", "more-free"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_many_unpenalized_features_give_least_squares(n_free, fit_intercept, precompute):
    """As many unpenalized features as penalized ones, or more (the projection off their span once
    scaled the wrong axis of a 2-D right-hand side): a tiny alpha is least squares."""
    X, y = _data(60, 6, seed=615)
    pf = np.ones(6)
    pf[:n_free] = 0.0
    path = fastreg.enet_path(X, y, penalty_factor=pf, alphas=[1e-10], tol=1e-14, fit_intercept=fit_intercept,
                             precompute=precompute)
    A = np.hstack([X, np.ones((60, 1))]) if fit_intercept else X
    ls = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(path.coefs[:, 0], ls[:6], atol=1e-7)


def test_unpenalized_feature_enters_first_and_is_never_shrunk():
    X, y = _data(120, 10, seed=613)
    pf = np.ones(10)
    pf[7] = 0.0  # a confounder: not among y's features
    path = fastreg.enet_path(X, y, l1_ratio=1.0, fit_intercept=True, penalty_factor=pf, n_alphas=30, tol=1e-12)
    assert np.count_nonzero(path.coefs[:, 0]) == 1 and path.coefs[7, 0] != 0  # alpha_max: only it is in
    for k in range(30):
        # "never shrunk": the least-squares coefficient of feature 7 given the others, at every alpha
        others = path.coefs[:, k].copy()
        others[7] = 0
        r = y - X @ others
        xc = X[:, 7] - X[:, 7].mean()
        assert path.coefs[7, k] == pytest.approx(xc @ (r - r.mean()) / (xc @ xc), rel=1e-8)
    # excluded features are always 0, and the other factors work as glmnet's
    pf = np.ones(10)
    pf[[0, 1]] = np.inf
    path = fastreg.enet_path(X, y, l1_ratio=1.0, fit_intercept=True, penalty_factor=pf, n_alphas=10)
    assert (path.coefs[[0, 1]] == 0).all() and path.coefs.shape == (10, 10)


def test_bounds_positive_and_kkt(oracle):
    X, y = _data(80, 15, seed=614)
    # positive is lower_bounds=0 (the same problem, certified by the box's own duality gap)
    a = fastreg.enet_path(X, y, l1_ratio=0.8, fit_intercept=True, positive=True, n_alphas=8, tol=1e-12)
    b = fastreg.enet_path(X, y, l1_ratio=0.8, fit_intercept=True, lower_bounds=0.0, alphas=a.alphas, tol=1e-12)
    for k, alpha in enumerate(a.alphas):
        oracle.assert_same_solution(X, y, a.coefs[:, k], a.dual_gaps[k], b.coefs[:, k], b.dual_gaps[k], alpha,
                                    0.8, fit_intercept=True, positive=True, floor=oracle.rounding_floor(np.float64, y),
                                    what=f"alpha #{k}")
        oracle.assert_certified(X, y, b.coefs[:, k], b.intercepts[k], b.dual_gaps[k], alpha, 0.8, tol=1e-12,
                                dtype=np.float64, fit_intercept=True, positive=True, what=f"alpha #{k}")
    # KKT under a box: a coordinate strictly inside has the ElasticNet optimality, one at a bound
    # is pushed against it by the gradient
    upper = 0.3
    path = fastreg.enet_path(X, y, l1_ratio=1.0, fit_intercept=True, upper_bounds=upper, n_alphas=8, tol=1e-13)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    for k, alpha in enumerate(path.alphas):
        w = path.coefs[:, k]
        g = Xc.T @ (yc - Xc @ w) / len(y)
        at_upper = w == upper
        inside = (w != 0) & ~at_upper
        assert (w <= upper).all()
        np.testing.assert_allclose(g[inside], alpha * np.sign(w[inside]), atol=1e-5)
        assert (g[at_upper] >= alpha - 1e-5).all()
        assert (np.abs(g[w == 0]) <= alpha + 1e-5).all()


@pytest.mark.parametrize("kw,error,match", [
    (dict(penalty_factor=[1.0, -1.0, 1.0, 1.0, 1.0]), ValueError, "penalty_factor"),
    (dict(penalty_factor=[1.0, np.nan, 1.0, 1.0, 1.0]), ValueError, "penalty_factor"),
    (dict(penalty_factor=[1.0, 1.0]), ValueError, "one entry per feature"),
    (dict(penalty_factor=[0.0] * 5), ValueError, "nothing is penalized"),
    (dict(lower_bounds=0.5), ValueError, "lower_bounds must be <= 0"),
    (dict(upper_bounds=-0.5), ValueError, "upper_bounds must be >= 0"),
    (dict(upper_bounds=[1.0, 2.0]), ValueError, "upper_bounds"),
    (dict(lower_bounds=np.nan), ValueError, "NaN"),
    (dict(penalty_factor=[0.0, 1, 1, 1, 1], upper_bounds=1.0), ValueError, "cannot also be bounded"),
])
def test_bad_penalty_options_are_clear_errors(kw, error, match):
    X, y = _data(30, 5, seed=615)
    with pytest.raises(error, match=match):
        fastreg.enet_path(X, y, **kw)
    with pytest.raises(error, match=match):
        fastreg.ElasticNet(alpha=0.1, **kw).fit(X, y)


@pytest.mark.parametrize("precompute", ["auto", False], ids=["statistics", "residual"])
def test_cv_passes_factors_and_bounds_to_every_fold(precompute):
    X, y = _data(120, 10, seed=616)
    pf = np.ones(10)
    pf[0], pf[5] = 0.0, np.inf
    upper = np.full(10, 0.5)
    upper[0] = np.inf
    model = fastreg.LassoCV(cv=3, alphas=15, tol=1e-11, penalty_factor=pf, upper_bounds=upper,
                            precompute=precompute).fit(X, y)
    assert model.coef_[5] == 0 and (model.coef_ <= upper).all()
    # each fold's curve is the held-out error of the penalized path on its training rows
    folds = model_folds = fastreg.cv_path(X, y, cv=3, n_alphas=15, tol=1e-11, penalty_factor=pf,
                                          upper_bounds=upper, precompute=precompute).folds
    for k, (train, test) in enumerate(model_folds):
        path = fastreg.enet_path(X[train], y[train], l1_ratio=1.0, alphas=model.alphas_, fit_intercept=True,
                                 penalty_factor=pf, upper_bounds=upper, tol=1e-11)
        pred = X[test] @ path.coefs + path.intercepts
        np.testing.assert_allclose(model.mse_path_[:, k], ((pred - y[test, None]) ** 2).mean(axis=0), rtol=1e-6)
    assert len(folds) == 3


@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("precompute", ["auto", True, False])
def test_float32_stays_float32_with_every_option(kind, precompute):
    X, y = _data(60, 12, seed=617)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    Xf = sparse.csc_matrix(X32) if kind == "sparse" else X32
    pf = np.linspace(0.5, 2.0, 12)
    pf[0], pf[1] = 0.0, np.inf
    upper = np.full(12, 1.0)
    upper[0] = np.inf
    path = fastreg.enet_path(Xf, y32, l1_ratio=0.7, n_alphas=4, fit_intercept=True, standardize=True,
                             penalty_factor=pf, upper_bounds=upper, precompute=precompute, tol=1e-5)
    assert path.coefs.dtype == np.float32 and np.isfinite(path.coefs).all()
    model = fastreg.ElasticNet(alpha=float(path.alphas[-1]), l1_ratio=0.7, penalty_factor=pf, upper_bounds=upper,
                               precompute=precompute, tol=1e-5).fit(Xf, y32)
    assert model.coef_.dtype == np.float32

"""Multi-task models (MultiTaskLasso, MultiTaskElasticNet and their CV; enet_path with a 2-D y): against
scikit-learn, a NumPy oracle of the primal and the dual, the KKT conditions of the L2,1 problem, and
the invariances (sparse = dense, Gram = residual, a weight k = k repeated rows)."""
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg

sklm = pytest.importorskip("sklearn.linear_model")


def make_data(n=60, p=15, T=3, k=4, seed=0, offset=1.5, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.3
    W = np.zeros((p, T))
    W[:k] = rng.standard_normal((k, T))
    Y = X @ W + 0.3 * rng.standard_normal((n, T)) + offset
    return X.astype(dtype), Y.astype(dtype)


# ---------------------------------------------------------------------------------------------------
# the NumPy oracle (no fastreg call)


def objective(X, Y, coef, intercept, alpha, l1_ratio, sw=None):
    """1/(2n) sum_i s_i ||y_i - W x_i - b||^2 + alpha l1 sum_j ||W[:, j]|| + alpha (1 - l1)/2 ||W||_F^2."""
    X = X.toarray() if sparse.issparse(X) else X
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    R = Y - X @ coef.T - intercept
    return (0.5 * np.sum(s[:, None] * R**2) / n + alpha * l1_ratio * np.linalg.norm(coef, axis=0).sum()
            + 0.5 * alpha * (1 - l1_ratio) * np.sum(coef**2))


def oracle_gap(X, Y, coef, intercept, alpha, l1_ratio, fit_intercept, sw=None):
    """The duality gap of (coef, intercept) in the units of `objective`: the working problem on the centered,
    weighted data; dual point A (theta = R/n scaled into the dual ball of the L2,1 norm, the L2 part
    as an augmentation) and, with an L2 part, dual point B (theta = R/n); returns the smaller."""
    X = np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    if fit_intercept:
        xm = s @ X / s.sum()
        ym = s @ Y / s.sum()
    else:
        xm, ym = np.zeros(X.shape[1]), np.zeros(Y.shape[1])
    u = np.sqrt(s)[:, None]
    Xw, Yw = u * (X - xm), u * (Y - ym)
    W = coef.T
    R = Yw - Xw @ W
    l1, l2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    primal = 0.5 * np.sum(R**2) + l1 * np.linalg.norm(W, axis=1).sum() + 0.5 * l2 * np.sum(W**2)
    XtR = Xw.T @ R
    dual_norm = np.linalg.norm(XtR - l2 * W, axis=1).max()
    scale = 1.0 if dual_norm <= l1 else l1 / dual_norm
    V = scale * R
    dual_a = np.sum(V * Yw) - 0.5 * np.sum(V**2) - 0.5 * scale**2 * l2 * np.sum(W**2)
    gaps = [primal - dual_a]
    if l2 > 0:
        excess = np.maximum(np.linalg.norm(XtR, axis=1) - l1, 0.0)
        dual_b = np.sum(R * Yw) - 0.5 * np.sum(R**2) - np.sum(excess**2) / (2 * l2)
        gaps.append(primal - dual_b)
    return max(min(gaps), 0.0) / n


def kkt_violation(X, Y, coef, intercept, alpha, l1_ratio):
    """The largest violation of the L2,1 problem's optimality conditions (unweighted): for W_j != 0,
    x_j^T R / n = alpha l1 W_j / ||W_j|| + alpha (1 - l1) W_j; for W_j = 0, ||x_j^T R / n|| <= alpha l1;
    with the intercept, the residual's mean is 0."""
    X = X.toarray() if sparse.issparse(X) else X
    n = X.shape[0]
    R = Y - X @ coef.T - intercept
    G = X.T @ R / n  # (p, T)
    W = coef.T
    worst = 0.0
    for j in range(W.shape[0]):
        norm = np.linalg.norm(W[j])
        if norm > 0:
            target = alpha * l1_ratio * W[j] / norm + alpha * (1 - l1_ratio) * W[j]
            worst = max(worst, np.abs(G[j] - target).max())
        else:
            worst = max(worst, np.linalg.norm(G[j]) - alpha * l1_ratio)
    return worst


# ---------------------------------------------------------------------------------------------------
# scikit-learn parity


@pytest.mark.parametrize("name", ["MultiTaskLasso", "MultiTaskElasticNet"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(60, 15), (30, 80)])
def test_matches_sklearn(name, fit_intercept, weighted, shape):
    X, Y = make_data(*shape)
    sw = np.random.default_rng(3).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    kw = dict(alpha=0.05, fit_intercept=fit_intercept, tol=1e-12, max_iter=100000)
    ref = getattr(sklm, name)(**kw).fit(X, Y, sample_weight=sw)
    got = getattr(fastreg, name)(**kw).fit(X, Y, sample_weight=sw)
    l1 = 1.0 if name == "MultiTaskLasso" else 0.5
    assert got.coef_.shape == ref.coef_.shape == (3, X.shape[1])
    assert got.intercept_.shape == (3,)
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(got.intercept_, ref.intercept_, rtol=1e-6, atol=1e-6)
    p_got = objective(X, Y, got.coef_, got.intercept_, 0.05, l1, sw)
    p_ref = objective(X, Y, ref.coef_, ref.intercept_, 0.05, l1, sw)
    assert p_got <= p_ref + 1e-10 * abs(p_ref)
    np.testing.assert_allclose(got.eps_, ref.eps_, rtol=1e-10)
    assert isinstance(got.n_iter_, int) and got.n_iter_ >= 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("precompute", [True, False])
def test_dtypes_and_certified_gap(dtype, precompute):
    X, Y = make_data(dtype=dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    model = fastreg.MultiTaskElasticNet(alpha=0.05, l1_ratio=0.7, tol=tol, precompute=precompute).fit(X, Y)
    assert model.coef_.dtype == dtype and model.intercept_.dtype == dtype
    assert model.solver_ == ("cd-multitask-gram" if precompute else "cd-multitask-dense-residual")
    Yc = Y.astype(np.float64) - Y.astype(np.float64).mean(axis=0)
    target = tol * np.sum(Yc**2) / X.shape[0]
    assert model.dual_gap_ <= target
    independent = oracle_gap(X, Y, model.coef_, model.intercept_, 0.05, 0.7, True)
    # the oracle's gap (float64) is certified by the reported one up to float32 rounding of the data
    slack = 1e-3 * target if dtype == np.float32 else 1e-12 * np.sum(Yc**2)
    assert independent <= model.dual_gap_ + slack + target * (0.5 if dtype == np.float32 else 0.0)
    ref = sklm.MultiTaskElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-12, max_iter=100000).fit(
        X.astype(np.float64), Y.astype(np.float64))
    rtol = 2e-3 if dtype == np.float32 else 1e-6
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=rtol, atol=rtol * np.abs(ref.coef_).max())


@pytest.mark.parametrize("name,l1_ratio", [("MultiTaskLasso", 1.0), ("MultiTaskElasticNet", 0.5)])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gap_oracle_and_kkt(name, l1_ratio, fit_intercept):
    X, Y = make_data(50, 30, 4)
    model = getattr(fastreg, name)(alpha=0.08, fit_intercept=fit_intercept, tol=1e-10).fit(X, Y)
    gap = oracle_gap(X, Y, model.coef_, model.intercept_, 0.08, l1_ratio, fit_intercept)
    # the kernel's gap is the oracle's (same dual points), up to rounding
    assert abs(gap - model.dual_gap_) <= 1e-9 * objective(X, Y, model.coef_, model.intercept_, 0.08, l1_ratio)
    if fit_intercept:
        Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    else:
        Xc, Yc = X, Y
    coef = model.coef_
    # zero rows: the group structure (a feature is in or out for every task)
    assert np.all((np.abs(coef) > 0).all(axis=0) | (coef == 0).all(axis=0))
    assert (coef == 0).all(axis=0).any() and (coef != 0).any()
    viol = kkt_violation(Xc, Yc, coef, 0.0, 0.08, l1_ratio)
    assert viol <= 1e-5 * 0.08
    # a perturbed solution is worse (the KKT check can fail): the oracle's gap grows past the target
    bad = coef.copy()
    bad[:, np.flatnonzero((coef != 0).any(axis=0))[0]] *= 1.1
    assert kkt_violation(Xc, Yc, bad, 0.0, 0.08, l1_ratio) > 1e-3 * 0.08
    assert oracle_gap(X, Y, bad, model.intercept_, 0.08, l1_ratio, fit_intercept) > 10 * model.dual_gap_


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_equals_dense(fit_intercept, weighted, fmt):
    X, Y = make_data(70, 20, 3)
    X[np.abs(X) < 0.8] = 0.0
    sw = np.random.default_rng(5).uniform(0.5, 2.0, 70) if weighted else None
    kw = dict(alpha=0.03, l1_ratio=0.8, fit_intercept=fit_intercept, tol=1e-12, max_iter=100000)
    dense = fastreg.MultiTaskElasticNet(precompute=False, **kw).fit(X, Y, sample_weight=sw)
    Xs = sparse.csr_matrix(X).asformat(fmt)
    sp = fastreg.MultiTaskElasticNet(precompute=False, **kw).fit(Xs, Y, sample_weight=sw)
    assert sp.solver_ == "cd-multitask-sparse-residual"
    np.testing.assert_allclose(sp.coef_, dense.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sp.intercept_, dense.intercept_, rtol=1e-8, atol=1e-10)
    gram = fastreg.MultiTaskElasticNet(precompute=True, **kw).fit(Xs, Y, sample_weight=sw)
    np.testing.assert_allclose(gram.coef_, dense.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(sp.predict(Xs), dense.predict(X), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("shape", [(200, 10), (40, 60)])
def test_gram_route_equals_residual_route(shape):
    X, Y = make_data(*shape, T=5)
    kw = dict(alpha=0.02, tol=1e-12, max_iter=100000)
    gram = fastreg.MultiTaskLasso(precompute=True, **kw).fit(X, Y)
    resid = fastreg.MultiTaskLasso(precompute=False, **kw).fit(X, Y)
    assert gram.solver_ == "cd-multitask-gram" and resid.solver_ == "cd-multitask-dense-residual"
    np.testing.assert_allclose(gram.coef_, resid.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(gram.intercept_, resid.intercept_, rtol=1e-8, atol=1e-9)
    auto = fastreg.MultiTaskLasso(**kw).fit(X, Y)
    assert auto.solver_ == ("cd-multitask-gram" if shape[0] > 2 * shape[1] else "cd-multitask-dense-residual")


@pytest.mark.parametrize("sparse_X", [False, True])
def test_weight_k_is_k_repeated_rows(sparse_X):
    X, Y = make_data(40, 12, 3)
    k = np.random.default_rng(2).integers(0, 4, 40)
    k[:3] = [0, 2, 3]
    Xr, Yr = np.repeat(X, k, axis=0), np.repeat(Y, k, axis=0)
    if sparse_X:
        X, Xr = sparse.csr_matrix(X), sparse.csr_matrix(Xr)
    kw = dict(alpha=0.04, l1_ratio=0.6, tol=1e-12, max_iter=100000)
    w = fastreg.MultiTaskElasticNet(**kw).fit(X, Y, sample_weight=k.astype(float))
    r = fastreg.MultiTaskElasticNet(**kw).fit(Xr, Yr)
    np.testing.assert_allclose(w.coef_, r.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(w.intercept_, r.intercept_, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------------------------------------------
# the path


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("precompute", [False, True])
def test_enet_path_2d_matches_sklearn(l1_ratio, precompute):
    X, Y = make_data(50, 20, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        a, c, g = sklm.enet_path(X, Y, l1_ratio=l1_ratio, n_alphas=8, tol=1e-13, max_iter=100000)
    path = fastreg.enet_path(X, Y, l1_ratio=l1_ratio, n_alphas=8, tol=1e-13, max_iter=100000, precompute=precompute)
    alphas, coefs, gaps = path
    assert coefs.shape == c.shape == (3, 20, 8)
    assert gaps.shape == g.shape == (8,)
    assert path.intercepts.shape == (3, 8)
    np.testing.assert_allclose(alphas, a, rtol=1e-12)
    np.testing.assert_allclose(coefs, c, rtol=1e-5, atol=1e-6 * np.abs(c).max())
    assert path.converged.all()
    # alpha_max: the first solution is 0, the next one is not
    assert not coefs[:, :, 0].any() and coefs[:, :, 1].any()
    _, _, _, n_iters = fastreg.enet_path(X, Y, l1_ratio=l1_ratio, n_alphas=8, return_n_iter=True)
    assert len(n_iters) == 8
    lasso = fastreg.lasso_path(X, Y, alphas=[0.1, 0.01], tol=1e-12, max_iter=100000)
    ref = sklm.lasso_path(X, Y, alphas=[0.1, 0.01], tol=1e-12, max_iter=100000)[1]
    np.testing.assert_allclose(lasso.coefs, ref, rtol=1e-5, atol=1e-7)


def test_enet_path_options():
    X, Y = make_data(50, 20, 3)
    # fit_intercept and weights as the single-task path; sparse X too
    sw = np.random.default_rng(1).uniform(0.5, 2, 50)
    p1 = fastreg.enet_path(X, Y, fit_intercept=True, sample_weight=sw, n_alphas=5, tol=1e-12, max_iter=100000)
    p2 = fastreg.enet_path(sparse.csc_matrix(X), Y, fit_intercept=True, sample_weight=sw, n_alphas=5, tol=1e-12,
                           max_iter=100000)
    np.testing.assert_allclose(p1.coefs, p2.coefs, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(p1.intercepts, p2.intercepts, rtol=1e-8, atol=1e-10)
    model = fastreg.MultiTaskElasticNet(alpha=p1.alphas[3], tol=1e-12, max_iter=100000).fit(X, Y, sample_weight=sw)
    np.testing.assert_allclose(p1.coefs[:, :, 3], model.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(p1.intercepts[:, 3], model.intercept_, rtol=1e-7, atol=1e-9)
    # coef_init of the multi-output layout
    warm = fastreg.enet_path(X, Y, alphas=[p1.alphas[3]], coef_init=model.coef_, fit_intercept=True,
                             sample_weight=sw, tol=1e-10)
    assert warm.n_iters[0] <= 1
    # standardize: the same as fitting the standardized columns and rescaling
    sd = X.std(axis=0)
    ps = fastreg.enet_path(X, Y, fit_intercept=True, standardize=True, alphas=[0.05], tol=1e-12, max_iter=100000)
    pz = fastreg.enet_path(X / sd, Y, fit_intercept=True, alphas=[0.05], tol=1e-12, max_iter=100000)
    np.testing.assert_allclose(ps.coefs[:, :, 0] * sd, pz.coefs[:, :, 0], rtol=1e-7, atol=1e-10)
    # penalty factors: factor v_j is column j divided by v_j (factors already summing to n_features)
    v = np.ones(20)
    v[:10], v[10:] = 0.5, 1.5
    pf = fastreg.enet_path(X, Y, l1_ratio=1.0, fit_intercept=True, penalty_factor=v, alphas=[0.05], tol=1e-12,
                           max_iter=100000)
    pv = fastreg.enet_path(X / v, Y, l1_ratio=1.0, fit_intercept=True, alphas=[0.05], tol=1e-12, max_iter=100000)
    np.testing.assert_allclose(pf.coefs[:, :, 0] * v, pv.coefs[:, :, 0], rtol=1e-7, atol=1e-10)
    # excluded features (inf) get zero rows
    inf = np.ones(20)
    inf[0] = np.inf
    pe = fastreg.enet_path(X, Y, fit_intercept=True, penalty_factor=inf, n_alphas=4)
    assert pe.coefs.shape == (3, 20, 4) and not pe.coefs[:, 0, :].any()


def test_path_errors():
    X, Y = make_data(30, 5, 2)
    with pytest.raises(ValueError, match=r"positive=True is not allowed for multi-output \(y.ndim != 1\)"):
        fastreg.enet_path(X, Y, positive=True)
    with pytest.raises(ValueError, match="lower_bounds"):
        fastreg.enet_path(X, Y, lower_bounds=-1.0)
    with pytest.raises(ValueError, match="upper_bounds"):
        fastreg.enet_path(X, Y, upper_bounds=1.0)
    with pytest.raises(ValueError, match="penalty_factor 0"):
        fastreg.enet_path(X, Y, penalty_factor=[0, 1, 1, 1, 1])
    with pytest.raises(ValueError, match="coef_init"):
        fastreg.enet_path(X, Y, coef_init=np.zeros(5))


# ---------------------------------------------------------------------------------------------------
# cross-validation


@pytest.mark.parametrize("weighted", [False, True])
def test_cv_matches_sklearn(weighted):
    X, Y = make_data(60, 12, 3)
    sw = np.random.default_rng(4).uniform(0.5, 2, 60) if weighted else None
    kw = dict(alphas=12, cv=4, tol=1e-11, max_iter=100000)
    ref = sklm.MultiTaskLassoCV(**kw).fit(X, Y, sample_weight=sw)
    got = fastreg.MultiTaskLassoCV(n_jobs=2, **kw).fit(X, Y, sample_weight=sw)
    assert got.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    np.testing.assert_allclose(got.alphas_, ref.alphas_, rtol=1e-12)
    assert got.mse_path_.shape == ref.mse_path_.shape == (12, 4)
    np.testing.assert_allclose(got.mse_path_, ref.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert not hasattr(got, "l1_ratio_")
    kw = dict(l1_ratio=[0.2, 0.9], alphas=8, cv=3, tol=1e-11, max_iter=100000)
    ref = sklm.MultiTaskElasticNetCV(**kw).fit(X, Y, sample_weight=sw)
    got = fastreg.MultiTaskElasticNetCV(**kw).fit(X, Y, sample_weight=sw)
    assert got.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert got.l1_ratio_ == ref.l1_ratio_
    assert got.mse_path_.shape == ref.mse_path_.shape == (2, 8, 3)
    assert got.alphas_.shape == ref.alphas_.shape == (2, 8)
    np.testing.assert_allclose(got.mse_path_, ref.mse_path_, rtol=1e-6)
    given = fastreg.MultiTaskElasticNetCV(alphas=[0.01, 0.1, 0.05], cv=3).fit(X, Y)
    np.testing.assert_array_equal(given.alphas_, [0.1, 0.05, 0.01])


def test_cv_sparse_and_errors():
    X, Y = make_data(60, 12, 3)
    X[np.abs(X) < 0.7] = 0
    dense = fastreg.MultiTaskLassoCV(alphas=6, cv=3, tol=1e-11, max_iter=100000).fit(X, Y)
    sp = fastreg.MultiTaskLassoCV(alphas=6, cv=3, tol=1e-11, max_iter=100000).fit(sparse.csr_matrix(X), Y)
    np.testing.assert_allclose(sp.mse_path_, dense.mse_path_, rtol=1e-7)
    assert sp.alpha_ == dense.alpha_
    with pytest.raises(ValueError, match="For mono-task outputs, use LassoCV"):
        fastreg.MultiTaskLassoCV().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="For mono-task outputs, use ElasticNetCV"):
        fastreg.MultiTaskElasticNetCV().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        fastreg.MultiTaskLassoCV().fit(X, Y, groups=np.zeros(60))
    with pytest.raises(ValueError, match="cv=1"):
        fastreg.MultiTaskLassoCV(cv=1).fit(X, Y)


# ---------------------------------------------------------------------------------------------------
# estimators: errors, degenerate data, options


def test_estimator_errors():
    X, Y = make_data(30, 5, 2)
    with pytest.raises(ValueError, match="For mono-task outputs, use ElasticNet"):
        fastreg.MultiTaskElasticNet().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="For mono-task outputs, use Lasso"):
        fastreg.MultiTaskLasso().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="alpha"):
        fastreg.MultiTaskLasso(alpha=-1).fit(X, Y)
    with pytest.raises(ValueError, match="l1_ratio"):
        fastreg.MultiTaskElasticNet(l1_ratio=2).fit(X, Y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fastreg.MultiTaskLasso().fit(X, Y[:-1])
    with pytest.raises(ValueError, match="sample_weight"):
        fastreg.MultiTaskLasso().fit(X, Y, sample_weight=np.ones(29))
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fastreg.MultiTaskLasso().fit(Xn, Y)
    Yn = Y.copy()
    Yn[0, 0] = np.inf
    with pytest.raises(ValueError, match="y"):
        fastreg.MultiTaskLasso().fit(X, Yn)
    with pytest.raises(ValueError, match="selection"):
        fastreg.MultiTaskLasso(selection="bogus").fit(X, Y)
    with pytest.raises(ValueError, match="precompute"):
        fastreg.MultiTaskLasso(precompute="yes").fit(X, Y)
    with pytest.raises(ValueError, match="max_iter"):
        fastreg.MultiTaskLasso(max_iter=0).fit(X, Y)


def test_degenerate_data():
    X, Y = make_data(30, 6, 3)
    # Y constant: coefficients 0, intercept the mean, gap 0, no NaN
    C = np.tile([1.0, -2.0, 3.0], (30, 1))
    m = fastreg.MultiTaskLasso(alpha=0.1).fit(X, C)
    assert not m.coef_.any() and np.isfinite(m.dual_gap_)
    np.testing.assert_allclose(m.intercept_, [1.0, -2.0, 3.0])
    path = fastreg.enet_path(X, C, fit_intercept=True, n_alphas=4)
    assert np.isfinite(path.coefs).all() and not path.coefs.any() and np.isfinite(path.alphas).all()
    # a zero (or constant) column: its row is 0, the rest is the fit without it
    Xz = X.copy()
    Xz[:, 2] = 0.0
    Xc = X.copy()
    Xc[:, 2] = 5.0
    a = fastreg.MultiTaskLasso(alpha=0.02, tol=1e-12, max_iter=100000).fit(Xz, Y)
    b = fastreg.MultiTaskLasso(alpha=0.02, tol=1e-12, max_iter=100000).fit(np.delete(X, 2, axis=1), Y)
    c = fastreg.MultiTaskLasso(alpha=0.02, tol=1e-12, max_iter=100000).fit(sparse.csr_matrix(Xc), Y)
    assert not a.coef_[:, 2].any() and not c.coef_[:, 2].any()
    np.testing.assert_allclose(np.delete(a.coef_, 2, axis=1), b.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(np.delete(c.coef_, 2, axis=1), b.coef_, rtol=1e-7, atol=1e-9)
    # one task: the single-task model's solution
    one = fastreg.MultiTaskElasticNet(alpha=0.03, tol=1e-10, precompute=False).fit(X, Y[:, :1])
    single = fastreg.ElasticNet(alpha=0.03, tol=1e-10, precompute=False).fit(X, Y[:, 0])
    assert one.coef_.shape == (1, 6) and one.intercept_.shape == (1,)
    np.testing.assert_allclose(one.coef_[0], single.coef_, rtol=1e-12, atol=1e-14)
    ref = sklm.MultiTaskElasticNet(alpha=0.03, tol=1e-12, max_iter=100000).fit(X, Y[:, :1])
    np.testing.assert_allclose(one.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    # huge alpha: zero, and alpha = 0 warns but solves least squares
    assert not fastreg.MultiTaskLasso(alpha=1e6).fit(X, Y).coef_.any()
    with pytest.warns(UserWarning):
        ls = fastreg.MultiTaskLasso(alpha=0.0, tol=1e-12, max_iter=100000).fit(X, Y)
    lstsq = np.linalg.lstsq(np.c_[X, np.ones(30)], Y, rcond=None)[0]
    np.testing.assert_allclose(ls.coef_, lstsq[:-1].T, rtol=1e-6, atol=1e-8)


def test_inputs_not_modified_and_options():
    X, Y = make_data(40, 8, 3)
    Xf = np.asfortranarray(X)
    Yf = np.asfortranarray(Y)
    sw = np.linspace(0.5, 2, 40)
    copies = [Xf.copy(), Yf.copy(), sw.copy()]
    m = fastreg.MultiTaskElasticNet(alpha=0.05, precompute=False).fit(Xf, Yf, sample_weight=sw)
    fastreg.MultiTaskElasticNet(alpha=0.05, precompute=True).fit(Xf, Yf, sample_weight=sw)
    for before, after in zip(copies, [Xf, Yf, sw]):
        np.testing.assert_array_equal(before, after)
    # predict / score / sparse_coef_
    assert m.predict(X).shape == (40, 3)
    assert m.sparse_coef_.shape == (3, 8)
    assert -1 < m.score(X, Y) <= 1
    # random selection reaches the same solution
    kw = dict(alpha=0.05, tol=1e-12, max_iter=100000)
    cyc = fastreg.MultiTaskElasticNet(**kw).fit(X, Y)
    rnd = fastreg.MultiTaskElasticNet(selection="random", random_state=0, **kw).fit(X, Y)
    np.testing.assert_allclose(rnd.coef_, cyc.coef_, rtol=1e-7, atol=1e-9)
    # warm start: a second fit at the same alpha starts at the solution
    warm = fastreg.MultiTaskElasticNet(warm_start=True, **kw).fit(X, Y)
    assert warm.fit(X, Y).n_iter_ <= 1
    # not converged: scikit-learn's warning text
    with pytest.warns(fastreg.ConvergenceWarning, match="Objective did not converge"):
        fastreg.MultiTaskElasticNet(alpha=0.01, tol=1e-12, max_iter=1).fit(X, Y)
    # get_params has scikit-learn's parameters
    sk_params = set(sklm.MultiTaskElasticNet().get_params())
    assert sk_params <= set(fastreg.MultiTaskElasticNet().get_params())
    assert set(sklm.MultiTaskLassoCV().get_params()) == set(fastreg.MultiTaskLassoCV().get_params())
    assert set(sklm.MultiTaskElasticNetCV().get_params()) == set(fastreg.MultiTaskElasticNetCV().get_params())


@pytest.mark.parametrize("sx,sy", [(2.0**500, 2.0**-500), (2.0**-500, 2.0**500), (1e150, 1e150)])
@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_extreme_magnitudes(sx, sy, precompute, sparse_X):
    """X sx and Y sy (squares overflow or vanish): the solution at alpha sx sy is coef sy / sx, finite."""
    X, Y = make_data(60, 8, 3)
    kw = dict(tol=1e-12, max_iter=100000)
    base = fastreg.MultiTaskLasso(alpha=0.05, **kw).fit(X, Y)
    Xs = sparse.csr_matrix(X * sx) if sparse_X else X * sx
    model = fastreg.MultiTaskLasso(alpha=0.05 * sx * sy, precompute=precompute, **kw).fit(Xs, Y * sy)
    np.testing.assert_allclose(model.coef_ * (sx / sy), base.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.intercept_ / sy, base.intercept_, rtol=1e-9, atol=1e-12)
    assert np.isfinite(model.dual_gap_) and model.dual_gap_ / sy**2 <= 1e-12 * np.sum((Y - Y.mean(0))**2) / 60


def test_float32_sparse_gram_route():
    X, Y = make_data(120, 10, 3, dtype=np.float32)
    X[np.abs(X) < 0.5] = 0
    gram = fastreg.MultiTaskLasso(alpha=0.05, precompute=True).fit(sparse.csr_matrix(X), Y)
    resid = fastreg.MultiTaskLasso(alpha=0.05, precompute=False).fit(X, Y)
    assert gram.solver_ == "cd-multitask-gram" and gram.coef_.dtype == np.float32
    np.testing.assert_allclose(gram.coef_, resid.coef_, rtol=1e-4, atol=1e-5)

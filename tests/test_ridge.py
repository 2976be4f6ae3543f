"""Ridge, ridge_path and RidgeCV: against scikit-learn, a float64 closed form and brute-force leave-one-out.

The closed form (NumPy, float64): with weights s, weighted means (x_bar, y_bar) when fitting an intercept,
X~ = S^{1/2}(X - x_bar), y~ = S^{1/2}(y - y_bar), the solution is w = (X~^T X~ + alpha I)^{-1} X~^T y~ and
b = y_bar - x_bar^T w; the optimality condition X~^T (y~ - X~ w) = alpha w is checked as well.
"""
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.model_selection import KFold

import fastreg


def make_data(n, p, *, k=None, offsets=5.0, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.uniform(-offsets, offsets, p)
    coef = rng.standard_normal((p, 1 if k is None else k))
    y = X @ coef + 3.0 + rng.standard_normal((n, coef.shape[1]))
    return X.astype(dtype), (y[:, 0] if k is None else y).astype(dtype)


def closed_form(X, y, alpha, sample_weight=None, fit_intercept=True):
    """(coef (k, p), intercept (k,)) in float64 by the normal equations (pseudo-inverse when singular)."""
    X = np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=np.float64)
    Y = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    s = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    xm = s @ X / s.sum() if fit_intercept else np.zeros(X.shape[1])
    ym = s @ Y / s.sum() if fit_intercept else np.zeros(Y.shape[1])
    Xt = (X - xm) * np.sqrt(s)[:, None]
    Yt = (Y - ym) * np.sqrt(s)[:, None]
    alphas = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (Y.shape[1],))
    coef = np.stack([np.linalg.pinv(Xt.T @ Xt + a * np.eye(X.shape[1]), hermitian=True) @ (Xt.T @ Yt[:, t])
                     for t, a in enumerate(alphas)])
    return coef, ym - coef @ xm


def assert_close(ours, ref, dtype, what=""):
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    rtol = 2e-4 if np.dtype(dtype) == np.float32 else 1e-9
    scale = np.abs(ref).max() + 1e-300
    assert np.abs(ours - ref).max() <= rtol * scale, f"{what}: max diff {np.abs(ours - ref).max():.3e} (scale {scale:.3e})"


def assert_optimal(X, y, coef, intercept, alpha, sample_weight=None, fit_intercept=True, rtol=1e-9):
    """The normal equations X~^T (y~ - X~ w) = alpha w and the intercept, in float64."""
    ref_coef, ref_b = closed_form(X, y, alpha, sample_weight, fit_intercept)
    X64 = np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=np.float64)
    Y = np.asarray(y, dtype=np.float64).reshape(len(X64), -1)
    s = np.ones(len(X64)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    W = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    b = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
    R = (Y - X64 @ W.T - b) * s[:, None]
    grad = X64.T @ R - np.broadcast_to(np.asarray(alpha, dtype=np.float64), (W.shape[0],)) * W.T
    scale = np.abs(X64.T @ (Y * s[:, None])).max() + np.abs(X64).max() * np.abs(b).max() * s.sum()
    assert np.abs(grad).max() <= rtol * scale, f"gradient {np.abs(grad).max():.3e} vs scale {scale:.3e}"
    if fit_intercept:
        assert np.abs(R.sum(axis=0)).max() <= rtol * np.abs(Y * s[:, None]).sum()
    assert_close(W, ref_coef, np.float64 if rtol < 1e-6 else np.float32, "coef vs closed form")


@pytest.mark.parametrize("shape", [(60, 15), (20, 45)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k", [None, 3], ids=["1d", "3targets"])
def test_ridge_matches_sklearn_and_closed_form(shape, fit_intercept, weighted, k, dtype):
    X, y = make_data(*shape, k=k, dtype=dtype)
    sw = np.random.default_rng(1).uniform(0.0, 3.0, shape[0]).astype(dtype) if weighted else None
    alpha = 1.3 if k is None else np.array([0.5, 2.0, 7.0])
    model = fastreg.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    assert model.solver_ == ("cholesky" if shape[0] >= shape[1] else "cholesky-dual")
    assert model.coef_.dtype == dtype and model.coef_.shape == ((shape[1],) if k is None else (k, shape[1]))
    ref = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(
        X.astype(np.float64), y.astype(np.float64), sample_weight=None if sw is None else sw.astype(np.float64))
    assert_close(model.coef_, ref.coef_, dtype, "coef vs sklearn")
    assert_close(model.intercept_, ref.intercept_, dtype, "intercept vs sklearn")
    coef, b = closed_form(X, y, alpha, sw, fit_intercept)
    assert_close(np.atleast_2d(model.coef_), coef, dtype, "coef vs closed form")
    if dtype == np.float64:
        assert_optimal(X, y, model.coef_, model.intercept_, alpha, sw, fit_intercept)
    pred = model.predict(X)
    assert pred.dtype == dtype and pred.shape == y.shape
    # a NumPy scalar of X's dtype for 1-D y, as scikit-learn's
    assert (isinstance(model.intercept_, np.floating) and model.intercept_.dtype == dtype) == (k is None)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil", "dok"])
@pytest.mark.parametrize("shape", [(60, 15), (20, 45)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_formats_match_dense(fmt, shape, weighted, dtype):
    X, y = make_data(*shape, k=2, dtype=dtype)
    X[np.abs(X) < 2.0] = 0.0  # sparse, columns with non-zero means
    sw = np.random.default_rng(2).uniform(0.5, 2.0, shape[0]) if weighted else None
    Xs = sparse.random(1, 1).asformat(fmt)  # the format's class
    Xs = type(Xs)(X)
    data_before = Xs.copy()
    model = fastreg.Ridge(alpha=[0.7, 3.0]).fit(Xs, y, sample_weight=sw)
    dense = fastreg.Ridge(alpha=[0.7, 3.0]).fit(X, y, sample_weight=sw)
    assert model.solver_ == dense.solver_
    assert_close(model.coef_, dense.coef_, dtype, "sparse vs dense coef")
    assert_close(model.intercept_, dense.intercept_, dtype, "sparse vs dense intercept")
    assert (abs(Xs - data_before)).nnz == 0, "the sparse input was modified"
    assert_close(model.predict(Xs), dense.predict(X), dtype, "predictions")
    if fmt == "csr":
        ref = sk.Ridge(alpha=[0.7, 3.0], solver="sparse_cg", tol=1e-12, max_iter=10_000).fit(
            Xs.astype(np.float64), y.astype(np.float64), sample_weight=sw)
        assert_close(model.coef_, ref.coef_, np.float32, "sparse vs sklearn sparse_cg")


@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("shape", [(80, 12), (15, 40)], ids=["n>p", "p>n"])
def test_lsqr_solves_the_same_problem(sparse_input, shape):
    X, y = make_data(*shape, k=2)
    sw = np.random.default_rng(3).uniform(0.5, 2.0, shape[0])
    Xin = sparse.csr_matrix(X) if sparse_input else X
    model = fastreg.Ridge(alpha=[0.5, 5.0], solver="lsqr", tol=1e-14, max_iter=10_000).fit(Xin, y, sample_weight=sw)
    assert model.solver_ == "lsqr" and (model.n_iter_ >= 1).all()
    assert_optimal(X, y, model.coef_, model.intercept_, [0.5, 5.0], sw, rtol=1e-7)


def test_sparse_auto_switches_to_lsqr_when_no_gram_fits(monkeypatch):
    from fastreg import _plan

    X, y = make_data(40, 10)
    monkeypatch.setattr(_plan, "GRAM_MAX_BYTES", 10)
    model = fastreg.Ridge(alpha=2.0, tol=1e-14, max_iter=10_000).fit(sparse.csc_matrix(X), y)
    assert model.solver_ == "lsqr"
    assert_optimal(X, y, model.coef_, model.intercept_, 2.0, rtol=1e-7)
    assert fastreg.Ridge(alpha=2.0).fit(X, y).solver_ == "cholesky"  # dense keeps Cholesky


def test_per_target_alpha_equals_separate_fits(dtype):
    X, y = make_data(50, 8, k=4, dtype=dtype)
    alphas = [0.1, 10.0, 0.1, 1000.0]
    model = fastreg.Ridge(alpha=alphas).fit(X, y)
    for t, a in enumerate(alphas):
        single = fastreg.Ridge(alpha=a).fit(X, y[:, t])
        assert_close(model.coef_[t], single.coef_, dtype, f"target {t}")
        assert_close(model.intercept_[t], single.intercept_, dtype, f"intercept {t}")
    y_col = y[:, :1]  # (n, 1): scikit-learn's coef_ is 1-D and intercept_ of shape (1,)
    for ours, ref in ((fastreg.Ridge(), sk.Ridge()), (fastreg.RidgeCV(), sk.RidgeCV())):
        ours.fit(X, y_col), ref.fit(X, y_col)
        assert ours.coef_.shape == ref.coef_.shape and np.shape(ours.intercept_) == np.shape(ref.intercept_)


@pytest.mark.parametrize("offset", [0.0, 1e6], ids=["centered-fast-path", "large-means-shifted"])
def test_centering_is_accurate_for_large_means(offset, dtype):
    """One syrk + rank-one correction when columns are nearly centered; shifted row blocks when their
    means dwarf their spread: both must agree with the float64 closed form on the centered data."""
    rng = np.random.default_rng(4)
    Z = rng.standard_normal((3000, 6))
    Z -= Z.mean(axis=0)
    y = Z @ [1.0, -1.0, 2.0, 0.0, 0.5, 0.0] + 0.1 * rng.standard_normal(3000)
    X = (Z + offset).astype(dtype)
    model = fastreg.Ridge(alpha=1.0).fit(X, y.astype(dtype))
    # the same problem (X as stored, float32 rounding included) centered in float64
    coef, b = closed_form(X.astype(np.float64) - X.astype(np.float64).mean(axis=0), y.astype(dtype), 1.0)
    assert_close(model.coef_, coef[0], dtype, "coef")
    for order in ("C", "F"):
        again = fastreg.Ridge(alpha=1.0).fit(np.asarray(X, order=order), y.astype(dtype))
        assert_close(again.coef_, coef[0], dtype, f"{order}-ordered X")


@pytest.mark.parametrize("where", ["seen-in-first-rows", "missed-by-first-rows", "weighted-shifted"])
def test_far_off_center_columns_are_centered_exactly(monkeypatch, where, dtype):
    """Most columns centered, two with means far beyond their spread: one syrk, the rank-one
    correction, and those two columns recomputed from centered copies -- as accurate as centering X.

    The copies ride along the pass over X when the first rows show the far columns; when the first
    rows hide one (here: its first 16 of 20000 rows are 0, the rest near 1e7), the exact means catch it
    and one more pass fixes it. With weights (shifted row blocks) the same column makes the first rows'
    mean a bad shift, and the sums are taken once more about the exact means."""
    from fastreg import _stats  # (Ridge's statistics are the shared ones)

    patched, passes = [], []
    original_patch, original_sums = _stats._patch_columns, _stats._shifted_sums
    monkeypatch.setattr(_stats, "_patch_columns", lambda G, XtY, far, *a: patched.append(list(far)) or
                        original_patch(G, XtY, far, *a))
    monkeypatch.setattr(_stats, "_shifted_sums", lambda *a, **kw: passes.append(1) or original_sums(*a, **kw))
    monkeypatch.setattr(_stats, "MIN_CHUNK_ROWS", 16)  # shifted row blocks (and their shift) of 16 rows
    monkeypatch.setattr(_stats, "MAX_CHUNK_ROWS", 16)
    monkeypatch.setattr(_stats, "HEAD_ROWS", 16)
    rng = np.random.default_rng(15)
    Z = rng.standard_normal((20000, 16))
    Z -= Z.mean(axis=0)
    y = Z @ rng.standard_normal(16) + 50.0 + rng.standard_normal(20000)
    X = Z.copy()
    # 1e7: the rank-one correction alone would lose 14 digits there; the hidden column's variance is
    # mostly its 16 zeros, which makes the problem ill-conditioned unless the offset stays moderate
    offset = 1e7 if dtype == np.float64 and where == "seen-in-first-rows" else 1e3
    X[:, [3, 11]] += offset
    if where != "seen-in-first-rows":
        X[:16, 11] = 0.0
    X = X.astype(dtype)
    sw = np.random.default_rng(16).uniform(0.5, 2.0, 20000) if where == "weighted-shifted" else None
    model = fastreg.Ridge(alpha=2.0).fit(X, y.astype(dtype), sample_weight=sw)
    expected = {"seen-in-first-rows": ([[3, 11]], 0), "missed-by-first-rows": ([[3], [11]], 0),
                "weighted-shifted": ([], 2)}[where]
    assert ([[int(j) for j in far] for far in patched], len(passes)) == expected
    coef, b = closed_form(X, y.astype(dtype), 2.0, sw)  # centered in float64
    assert_close(model.coef_, coef[0], dtype, "coef")
    assert_close(model.intercept_, b[0], dtype, "intercept")


def test_singular_fallback_warns_and_gives_min_norm_solution():
    X, y = make_data(30, 5, k=2)
    X = np.hstack([X, X[:, :2]])  # duplicated columns: X^T X singular
    with pytest.warns(UserWarning, match="X\\^T X \\+ alpha I is singular to working precision"):
        model = fastreg.Ridge(alpha=0.0).fit(X, y)
    assert model.solver_ == "svd"
    Xc, Yc = X - X.mean(axis=0), y - y.mean(axis=0)
    ref = np.linalg.lstsq(Xc, Yc, rcond=None)[0].T
    assert np.allclose(model.coef_, ref, rtol=1e-8, atol=1e-10)
    assert np.isfinite(model.coef_).all()
    ref_sk = sk.Ridge(alpha=0.0, solver="svd").fit(X, y)
    assert np.allclose(model.coef_, ref_sk.coef_, rtol=1e-8, atol=1e-10)
    assert np.allclose(model.intercept_, ref_sk.intercept_, rtol=1e-10)


def test_singular_dual_fallback():
    X, y = make_data(10, 30)  # p > n, alpha = 0: the centered X X^T has a null vector
    with pytest.warns(UserWarning, match="X X\\^T \\+ alpha I is singular to working precision"):
        model = fastreg.Ridge(alpha=0.0).fit(X, y)
    assert model.solver_ == "svd"
    Xc = X - X.mean(axis=0)
    ref = np.linalg.lstsq(Xc, y - y.mean(), rcond=None)[0]
    assert np.allclose(model.coef_, ref, rtol=1e-7, atol=1e-10)
    # alpha > 0 on the same data factorizes without warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fastreg.Ridge(alpha=1e-3).fit(X, y).solver_ == "cholesky-dual"


@pytest.mark.parametrize("alpha, match", [
    (-1.0, "alpha must be >= 0"),
    (np.nan, "alpha contains NaN"),
    ([1.0, 2.0], "alpha has 2 values but y has 3 target"),
    ([[1.0]], "1-D array of one value per target"),
    ("big", "alpha must be a number"),
])
def test_bad_alpha_errors(alpha, match):
    X, y = make_data(20, 4, k=3)
    with pytest.raises((ValueError, TypeError), match=match):
        fastreg.Ridge(alpha=alpha).fit(X, y)
    with pytest.raises((ValueError, TypeError), match=match):
        fastreg.ridge(X, y, alpha)


def test_bad_input_errors():
    X, y = make_data(20, 4)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        fastreg.Ridge().fit(bad, y)
    wide = np.hstack([bad, bad])[:6]  # p > n: the dual's X X^T carries the NaN on its diagonal
    fits = [lambda: fastreg.Ridge().fit(wide, y[:6]), lambda: fastreg.Ridge(solver="lsqr").fit(bad, y),
            lambda: fastreg.Ridge().fit(bad, y, sample_weight=np.ones(20)),
            lambda: fastreg.Ridge(fit_intercept=False).fit(bad, y), lambda: fastreg.RidgeCV().fit(bad, y),
            lambda: fastreg.RidgeCV().fit(wide, y[:6]), lambda: fastreg.RidgeCV(cv=3).fit(bad, y),
            lambda: fastreg.RidgeCV(gcv_mode="svd").fit(bad, y),
            lambda: fastreg.RidgeCV(cv=KFold(3, shuffle=True, random_state=0)).fit(wide, y[:6])]
    for fit in fits:
        with pytest.raises(ValueError, match="Input X contains NaN"):
            fit()
    with pytest.raises(ValueError, match="X\\^T X overflows in float64"):
        fastreg.Ridge().fit(X * 1e160, y)
    bad_sparse = sparse.csr_matrix(X)
    bad_sparse.data[0] = np.inf
    with pytest.raises(ValueError, match=r"Input X contains NaN \(0 entries\) or infinity \(1 entries\)"):
        fastreg.Ridge().fit(bad_sparse, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fastreg.Ridge().fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight has 19 entries but X has 20 rows"):
        fastreg.Ridge().fit(X, y, sample_weight=np.ones(19))
    with pytest.raises(ValueError, match="negative"):
        fastreg.Ridge().fit(X, y, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="solver must be one of"):
        fastreg.Ridge(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        fastreg.Ridge().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="X has 3 features, but Ridge is expecting 4"):
        fastreg.Ridge().fit(X, y).predict(X[:, :3])
    with pytest.raises(fastreg.NotFittedError):
        fastreg.Ridge().predict(X)


def test_degenerate_data_gives_finite_correct_answers():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 4))
    X[:, 2] = 7.0  # constant column
    y = rng.standard_normal(30)
    model = fastreg.Ridge(alpha=1.0).fit(X, y)
    assert model.coef_[2] == pytest.approx(0.0, abs=1e-12)
    assert_optimal(X, y, model.coef_, model.intercept_, 1.0)
    # constant y: w = 0, b = y
    const = fastreg.Ridge(alpha=1.0).fit(X, np.full(30, 4.0))
    assert np.allclose(const.coef_, 0.0, atol=1e-12) and const.intercept_ == pytest.approx(4.0)
    # duplicated columns share the weight equally
    dup = fastreg.Ridge(alpha=0.5).fit(np.hstack([X[:, :1], X[:, :1]]), y)
    assert dup.coef_[0] == pytest.approx(dup.coef_[1], rel=1e-12)
    # one sample: with an intercept the fit is the sample itself; without, the ridge closed form
    one = fastreg.Ridge(alpha=1.0).fit(X[:1], y[:1])
    assert np.allclose(one.coef_, 0.0) and one.intercept_ == pytest.approx(y[0])
    one = fastreg.Ridge(alpha=1.0, fit_intercept=False).fit(X[:1], y[:1])
    assert np.allclose(one.coef_, X[0] * y[0] / (X[0] @ X[0] + 1.0))
    # zero-weight rows are ignored
    sw = np.ones(30)
    sw[:10] = 0.0
    assert np.allclose(fastreg.Ridge().fit(X, y, sample_weight=sw).coef_, fastreg.Ridge().fit(X[10:], y[10:]).coef_)
    # integer weight k == k repeated rows
    rep = fastreg.Ridge().fit(np.vstack([X, X[:5]]), np.concatenate([y, y[:5]]))
    w2 = np.ones(30)
    w2[:5] = 2
    assert np.allclose(fastreg.Ridge().fit(X, y, sample_weight=w2).coef_, rep.coef_, rtol=1e-10)
    for est in (fastreg.RidgeCV(), fastreg.RidgeCV(cv=3)):
        fitted = est.fit(X, np.full(30, 4.0))
        assert np.isfinite(fitted.coef_).all() and np.isfinite(fitted.best_score_)


def test_inputs_never_modified_and_read_only_inputs_work():
    X, y = make_data(40, 6, k=2)
    sw = np.random.default_rng(6).uniform(0.5, 2.0, 40)
    for a in (X, y, sw):
        a.setflags(write=False)
    copies = [X.copy(), y.copy(), sw.copy()]
    fastreg.Ridge(alpha=[1.0, 2.0]).fit(X, y, sample_weight=sw)
    fastreg.RidgeCV(store_cv_results=True).fit(X, y, sample_weight=sw)
    fastreg.RidgeCV(cv=4).fit(X, y, sample_weight=sw)
    fastreg.ridge_path(X, y, [0.1, 1.0], sample_weight=sw, mode="svd")
    fastreg.ridge(X.T.copy(), X[0].copy(), 1.0)
    for a, c in zip((X, y, sw), copies):
        assert np.array_equal(a, c)


@pytest.mark.parametrize("mode", ["auto", "cov", "gram", "svd"])
@pytest.mark.parametrize("shape", [(60, 15), (20, 45)], ids=["n>p", "p>n"])
def test_ridge_path_equals_ridge_at_every_alpha(mode, shape, dtype):
    X, y = make_data(*shape, k=2, dtype=dtype)
    sw = np.random.default_rng(7).uniform(0.2, 2.0, shape[0])
    alphas = [10.0, 0.01, 1.0]
    path = fastreg.ridge_path(X, y, alphas, sample_weight=sw, mode=mode)
    assert path.coefs.shape == (2, shape[1], 3) and path.coefs.dtype == dtype
    assert path.solver == {"auto": "eigh" if shape[0] > shape[1] else "eigh-dual", "cov": "eigh",
                           "gram": "eigh-dual", "svd": "svd"}[mode]
    for i, a in enumerate(alphas):
        coef, b = closed_form(X, y, a, sw)
        assert_close(path.coefs[:, :, i], coef, dtype, f"alpha={a}")
        assert_close(path.intercepts[:, i], b, dtype, f"intercept alpha={a}")
    one = fastreg.ridge_path(X, y[:, 0], alphas, mode=mode)
    assert one.coefs.shape == (shape[1], 3) and one.intercepts.shape == (3,)


def brute_force_loo(X, y, alpha, sw, fit_intercept):
    """sqrt(s_i) (y_i - yhat_{-i}) by refitting without each sample (float64)."""
    n = len(y)
    errors = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        coef, b = closed_form(X[keep], y[keep], alpha, sw[keep], fit_intercept)
        errors[i] = np.sqrt(sw[i]) * (y[i] - X[i] @ coef[0] - b[0])
    return errors


@pytest.mark.parametrize("shape", [(25, 6), (12, 20)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("mode", [None, "svd"])
def test_loo_errors_equal_brute_force_refits(shape, fit_intercept, mode):
    X, y = make_data(*shape, seed=8)
    sw = np.random.default_rng(9).uniform(0.2, 3.0, shape[0])
    alphas = np.array([0.01, 1.0, 50.0])
    model = fastreg.RidgeCV(alphas=alphas, fit_intercept=fit_intercept, store_cv_results=True,
                            gcv_mode=mode).fit(X, y, sample_weight=sw)
    for i, a in enumerate(alphas):
        ref = brute_force_loo(X, y, a, sw, fit_intercept) ** 2
        assert np.allclose(model.cv_results_[:, i], ref, rtol=1e-7, atol=1e-12 * ref.max())


@pytest.mark.parametrize("shape", [(60, 15), (20, 45)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k, per_target", [(None, False), (3, False), (3, True)])
def test_ridgecv_loo_matches_sklearn(shape, fit_intercept, weighted, k, per_target, dtype):
    X, y = make_data(*shape, k=k, dtype=dtype)
    sw = np.random.default_rng(10).uniform(0.1, 3.0, shape[0]) if weighted else None
    alphas = np.logspace(-2, 3, 11)
    kw = dict(alphas=alphas, fit_intercept=fit_intercept, store_cv_results=True, alpha_per_target=per_target)
    ours = fastreg.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    ref = sk.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    assert np.array_equal(ours.alpha_, ref.alpha_)
    rtol = 1e-4 if dtype == np.float32 else 1e-8
    assert np.allclose(ours.best_score_, ref.best_score_, rtol=rtol)
    assert ours.cv_results_.shape == ref.cv_results_.shape and ours.cv_results_.dtype == dtype
    assert np.allclose(ours.cv_results_, ref.cv_results_, rtol=rtol * 10, atol=rtol * np.abs(ref.cv_results_).max())
    assert_close(ours.coef_, ref.coef_, dtype, "coef")
    assert_close(ours.intercept_, ref.intercept_, dtype, "intercept")
    assert ours.coef_.dtype == dtype


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_ridgecv_sparse_matches_dense(fmt):
    X, y = make_data(50, 10, k=2)
    X[np.abs(X) < 2.5] = 0.0
    sw = np.random.default_rng(11).uniform(0.5, 2.0, 50)
    alphas = np.logspace(-2, 3, 9)
    dense = fastreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y, sample_weight=sw)
    ours = fastreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(getattr(sparse, fmt + "_matrix")(X), y,
                                                                      sample_weight=sw)
    ref = sk.RidgeCV(alphas=alphas, store_cv_results=True).fit(sparse.csr_matrix(X), y, sample_weight=sw)
    assert ours.alpha_ == dense.alpha_ == ref.alpha_
    assert np.allclose(ours.cv_results_, dense.cv_results_, rtol=1e-8)
    assert np.allclose(ours.coef_, ref.coef_, rtol=1e-8)
    # K-fold on sparse X (each training fold decomposed on its own rows) equals the dense statistics path
    kfold = fastreg.RidgeCV(alphas=alphas, cv=4).fit(getattr(sparse, fmt + "_matrix")(X), y, sample_weight=sw)
    kfold_dense = fastreg.RidgeCV(alphas=alphas, cv=4).fit(X, y, sample_weight=sw)
    assert kfold.alpha_ == kfold_dense.alpha_
    assert kfold.best_score_ == pytest.approx(kfold_dense.best_score_, rel=1e-10)
    assert np.allclose(kfold.coef_, kfold_dense.coef_, rtol=1e-9)


@pytest.mark.parametrize("cv", [5, KFold(4, shuffle=True, random_state=0)], ids=["5", "shuffled-splitter"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(100, 8), (30, 50)], ids=["n>p", "p>n"])
def test_ridgecv_kfold_matches_sklearn(cv, weighted, shape):
    X, y = make_data(*shape, k=None, seed=12)
    y = y + 10 * np.random.default_rng(13).standard_normal(len(y))  # noisy: an interior alpha wins
    sw = np.random.default_rng(14).uniform(0.1, 3.0, shape[0]) if weighted else None
    alphas = np.logspace(-2, 4, 13)
    ours = fastreg.RidgeCV(alphas=alphas, cv=cv).fit(X, y, sample_weight=sw)
    ref = sk.RidgeCV(alphas=alphas, cv=cv).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-9)
    assert np.allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-12)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-9)


@pytest.mark.parametrize("scoring", ["r2", "neg_mean_absolute_error"])
@pytest.mark.parametrize("cv, k, per_target", [(None, None, False), (None, 2, False), (None, 2, True),
                                               (4, None, False), (4, 2, False)])
def test_ridgecv_scoring_matches_sklearn(scoring, cv, k, per_target):
    X, y = make_data(40, 6, k=k, seed=17)
    y = y + 8 * np.random.default_rng(18).standard_normal(y.shape)
    sw = np.random.default_rng(19).uniform(0.2, 3.0, 40)
    kw = dict(alphas=np.logspace(-2, 4, 13), scoring=scoring, cv=cv, alpha_per_target=per_target,
              store_cv_results=cv is None)
    ours = fastreg.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    ref = sk.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    assert np.array_equal(ours.alpha_, ref.alpha_)
    assert np.allclose(ours.best_score_, ref.best_score_, rtol=1e-9)
    assert np.allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-12)
    if cv is None:
        assert np.allclose(ours.cv_results_, ref.cv_results_, rtol=1e-9)


def test_ridgecv_kfold_accepts_alpha_zero_and_iterables():
    X, y = make_data(40, 5)
    splits = list(KFold(3).split(X))
    a = fastreg.RidgeCV(alphas=[0.0, 1.0], cv=splits).fit(X, y)
    b = fastreg.RidgeCV(alphas=[0.0, 1.0], cv=3).fit(X, y)
    assert a.alpha_ == b.alpha_ and a.best_score_ == pytest.approx(b.best_score_, rel=1e-12)


def test_ridgecv_errors():
    X, y = make_data(20, 4, k=2)
    with pytest.raises(ValueError, match=r"alphas\[0\] == 0.0, must be > 0.0: leave-one-out"):
        fastreg.RidgeCV(alphas=[0.0, 1.0]).fit(X, y)
    with pytest.raises(ValueError, match=r"alphas\[1\] == -1, must be >= 0.0"):
        fastreg.RidgeCV(alphas=[1, -1], cv=3).fit(X, y)
    with pytest.raises(TypeError, match=r"alphas\[2\] must be an instance of float, not str"):
        fastreg.RidgeCV(alphas=(1, 1.0, "1")).fit(X, y)
    with pytest.raises(ValueError, match="alphas contains NaN"):
        fastreg.RidgeCV(alphas=[np.nan]).fit(X, y)
    with pytest.raises(ValueError, match="store_cv_results=True are incompatible"):
        fastreg.RidgeCV(cv=3, store_cv_results=True).fit(X, y)
    with pytest.raises(ValueError, match="alpha_per_target=True are incompatible"):
        fastreg.RidgeCV(cv=3, alpha_per_target=True).fit(X, y)
    with pytest.raises(ValueError, match="gcv_mode must be one of"):
        fastreg.RidgeCV(gcv_mode="qr").fit(X, y)
    with pytest.raises(ValueError, match="cv=30 folds is more than the 20 samples"):
        fastreg.RidgeCV(cv=30).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 samples with positive weight"):
        fastreg.RidgeCV().fit(X[:1], y[:1])
    # without an intercept one sample is fine: its leave-one-out prediction is 0
    one = fastreg.RidgeCV(fit_intercept=False, store_cv_results=True).fit(X[:1], y[:1])
    assert np.allclose(one.cv_results_, y[:1, :, None] ** 2)


def test_feature_names_and_pandas():
    pd = pytest.importorskip("pandas")
    X, y = make_data(30, 3)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    for est in (fastreg.Ridge(), fastreg.RidgeCV()):
        est.fit(frame, y)
        assert list(est.feature_names_in_) == ["a", "b", "c"]
        with pytest.warns(UserWarning, match="X does not have valid feature names"):
            assert np.allclose(est.predict(frame), est.predict(X))


# ---------------------------------------------------------------------------------------------- positive=True


def box_ridge_gap(X, y, coef, intercept, alpha, sample_weight=None, fit_intercept=True):
    """The duality gap of min_{w >= 0} 1/2 ||y~ - X~ w||^2 + alpha/2 ||w||^2 at (coef, intercept), in
    float64 (dual point theta = the residual; D(theta) = theta^T y~ - ||theta||^2 / 2 - ||max(X~^T theta,
    0)||^2 / (2 alpha)), and the null objective ||y~||^2 / 2 it is relative to."""
    X64 = np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=np.float64)
    y64 = np.asarray(y, dtype=np.float64)
    s = np.ones(len(X64)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    xm = s @ X64 / s.sum() if fit_intercept else np.zeros(X64.shape[1])
    ym = s @ y64 / s.sum() if fit_intercept else 0.0
    Xt, yt = (X64 - xm) * np.sqrt(s)[:, None], (y64 - ym) * np.sqrt(s)
    w = np.asarray(coef, dtype=np.float64)
    theta = yt - Xt @ w
    primal = 0.5 * theta @ theta + 0.5 * alpha * w @ w
    dual = theta @ yt - 0.5 * theta @ theta - 0.5 / alpha * np.sum(np.maximum(Xt.T @ theta, 0.0) ** 2)
    assert np.isclose(float(intercept), ym - xm @ w, rtol=1e-6, atol=1e-6 * (abs(ym) + 1))
    return primal - dual, 0.5 * yt @ yt


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("shape", [(60, 8), (15, 30)])
@pytest.mark.parametrize("weighted", [False, True])
def test_positive_ridge_is_the_box_constrained_minimizer(dtype, fit_intercept, sparse_input, shape, weighted):
    """Ridge(positive=True): KKT of the box problem, its duality gap, scipy's lsq_linear on the
    augmented system, and scikit-learn's lbfgs answer."""
    from scipy.optimize import lsq_linear

    n, p = shape
    rng = np.random.default_rng(3)
    X = rng.standard_normal((n, p)) + rng.uniform(-2, 2, p)
    y = X @ rng.standard_normal(p) + 1.0 + 0.1 * rng.standard_normal(n)
    sw = rng.uniform(0.2, 3.0, n) if weighted else None
    alpha = 0.7
    Xd = (sparse.csr_matrix(X) if sparse_input else X).astype(dtype)
    model = fastreg.Ridge(alpha=alpha, positive=True, fit_intercept=fit_intercept, tol=1e-10).fit(
        Xd, y.astype(dtype), sw)
    default = fastreg.Ridge(alpha=alpha, positive=True, fit_intercept=fit_intercept).fit(Xd, y.astype(dtype), sw)
    np.testing.assert_allclose(default.coef_, model.coef_, rtol=0, atol=1e-5 * np.abs(model.coef_).max())
    assert model.coef_.dtype == dtype and (model.coef_ >= 0).all()
    assert 0 < np.count_nonzero(model.coef_) < p  # the bound is active for some features, not all
    assert model.solver_ == model.fastreg_solver_ and model.solver_.startswith("cd-")
    X32 = np.asarray(Xd.toarray() if sparse_input else Xd, dtype=np.float64)  # the data fitted
    y32 = y.astype(dtype).astype(np.float64)
    gap, null = box_ridge_gap(X32, y32, model.coef_, model.intercept_, alpha, sw, fit_intercept)
    assert gap <= (1e-10 if dtype == np.float32 else 1e-14) * null
    # KKT: X~^T r = alpha w where w > 0, X~^T r <= 0 where w = 0 (rows scaled by sqrt(s))
    s = np.ones(n) if sw is None else sw
    xm = s @ X32 / s.sum() if fit_intercept else np.zeros(p)
    ym = s @ y32 / s.sum() if fit_intercept else 0.0
    Xt, yt = (X32 - xm) * np.sqrt(s)[:, None], (y32 - ym) * np.sqrt(s)
    w = model.coef_.astype(np.float64)
    g = Xt.T @ (yt - Xt @ w) - alpha * w
    scale = np.abs(Xt.T @ yt).max()
    tol = 1e-3 if dtype == np.float32 else 1e-7
    assert np.abs(g[w > 0]).max() <= tol * scale and g[w == 0].max() <= tol * scale
    ref = lsq_linear(np.vstack([Xt, np.sqrt(alpha) * np.eye(p)]), np.r_[yt, np.zeros(p)], bounds=(0, np.inf),
                     method="bvls", tol=1e-14).x
    assert_close(model.coef_, ref, dtype if dtype == np.float32 else np.float64, "lsq_linear")
    sk_model = sk.Ridge(alpha=alpha, positive=True, fit_intercept=fit_intercept, tol=1e-10).fit(
        X32 if not sparse_input else sparse.csr_matrix(X32), y32, sample_weight=sw)
    # scikit-learn's lbfgs stops earlier: same support where it is accurate, never a lower objective
    def objective(w, b):
        r = y32 - X32 @ np.asarray(w, dtype=np.float64) - b
        return r @ (r * s) + alpha * np.sum(np.asarray(w, dtype=np.float64) ** 2)

    assert objective(model.coef_, model.intercept_) <= objective(sk_model.coef_, sk_model.intercept_) * (1 + 1e-12)
    np.testing.assert_allclose(model.coef_, sk_model.coef_, rtol=0, atol=1e-2 * np.abs(ref).max())


def test_positive_ridge_per_target_alphas_and_errors():
    X, Y = make_data(40, 6, k=3)
    alphas = np.array([0.1, 1.0, 10.0])
    model = fastreg.Ridge(alpha=alphas, positive=True, solver="lbfgs").fit(X, Y)
    assert model.solver_ == "lbfgs" and model.coef_.shape == (3, 6) and model.n_iter_.shape == (3,)
    for t in range(3):
        one = fastreg.Ridge(alpha=alphas[t], positive=True).fit(X, Y[:, t])
        np.testing.assert_allclose(model.coef_[t], one.coef_, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(model.intercept_[t], one.intercept_, rtol=1e-12)
    with pytest.raises(ValueError, match="'lbfgs' solver can be used only when positive=True"):
        fastreg.Ridge(solver="lbfgs").fit(X, Y)
    for solver in ("svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga"):
        with pytest.raises(ValueError, match=f"solver='{solver}' does not support positive fitting"):
            fastreg.Ridge(solver=solver, positive=True).fit(X, Y)
    with pytest.raises(TypeError, match="positive must be True or False"):
        fastreg.Ridge(positive="yes").fit(X, Y)


def test_positive_ridge_with_positive_truth_equals_unconstrained():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 20))
    y = X @ rng.uniform(0.5, 1.5, 20) + 0.01 * rng.standard_normal(200)
    free = fastreg.Ridge(alpha=0.1).fit(X, y)
    box = fastreg.Ridge(alpha=0.1, positive=True, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(box.coef_, free.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(box.intercept_, free.intercept_, rtol=0, atol=1e-10)


# ---------------------------------------------------------------------------------------------- solver names


@pytest.mark.parametrize("solver", ["auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga"])
@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(50, 6), (8, 20)])
def test_every_sklearn_solver_name_gives_the_exact_minimizer(solver, sparse_input, fit_intercept, shape):
    X, y = make_data(*shape, k=2, seed=4)
    Xd = sparse.csr_matrix(X) if sparse_input else X
    model = fastreg.Ridge(alpha=0.5, solver=solver, fit_intercept=fit_intercept, tol=1e-14, max_iter=1000)
    if sparse_input and fit_intercept and solver in ("svd", "saga"):
        with pytest.raises(ValueError, match=f"solver='{solver}' does not support fitting the intercept on sparse"):
            model.fit(Xd, y)
        return
    model.fit(Xd, y)
    coef, intercept = closed_form(X, y, 0.5, fit_intercept=fit_intercept)
    rtol = 1e-7 if solver == "lsqr" else 1e-9
    np.testing.assert_allclose(model.coef_, coef, rtol=rtol, atol=rtol * np.abs(coef).max())
    np.testing.assert_allclose(model.intercept_, intercept, rtol=rtol, atol=rtol * np.abs(intercept).max())
    assert model.solver_ == (model.fastreg_solver_ if solver == "auto" else solver)
    expected = {"svd": {"svd"}, "lsqr": {"lsqr"}}.get(solver, {"cholesky", "cholesky-dual"})
    assert model.fastreg_solver_ in expected
    if solver == "lsqr":
        assert (model.n_iter_ >= 1).all() and (model.n_iter_ <= 1000).all()
    else:
        assert (model.n_iter_ == 1).all()


def test_svd_solver_returns_min_norm_least_squares_without_warning():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((10, 4))
    X = np.hstack([X, X])  # rank 4 of 8
    y = rng.standard_normal(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = fastreg.Ridge(alpha=0.0, solver="svd", fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(model.coef_, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10, atol=1e-12)


def test_random_state_is_validated_and_unused():
    X, y = make_data(30, 4)
    a = fastreg.Ridge(solver="sag", random_state=0).fit(X, y)
    b = fastreg.Ridge(solver="sag", random_state=np.random.RandomState(7)).fit(X, y)
    assert np.array_equal(a.coef_, b.coef_)
    with pytest.raises(ValueError, match="random_state must be"):
        fastreg.Ridge(random_state="seed").fit(X, y)


# ---------------------------------------------------------------------------------------------- sample weights


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("shape", [(40, 6), (8, 20)])
def test_unit_weights_are_the_unweighted_fit_bit_for_bit(dtype, fit_intercept, sparse_input, positive, shape):
    X, y = make_data(*shape, dtype=dtype)
    Xd = sparse.csr_matrix(X) if sparse_input else X
    model = fastreg.Ridge(alpha=0.3, fit_intercept=fit_intercept, positive=positive)
    unweighted = model.fit(Xd, y)
    coef, intercept = unweighted.coef_.copy(), unweighted.intercept_
    for sw in (np.ones(len(y)), np.ones(len(y), dtype=np.float32), 1.0, 1):
        model.fit(Xd, y, sample_weight=sw)
        assert np.array_equal(model.coef_, coef) and np.array_equal(model.intercept_, intercept)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparse_input", [False, True])
def test_uniform_weight_is_alpha_over_the_weight(dtype, sparse_input):
    X, y = make_data(30, 5, dtype=dtype)
    Xd = sparse.csr_matrix(X) if sparse_input else X
    scaled = fastreg.Ridge(alpha=2.0).fit(Xd, y, sample_weight=4.0)
    plain = fastreg.Ridge(alpha=0.5).fit(Xd, y)
    assert np.array_equal(scaled.coef_, plain.coef_)
    ref = sk.Ridge(alpha=2.0).fit(X.astype(np.float64), y.astype(np.float64), sample_weight=np.full(30, 4.0))
    assert_close(scaled.coef_, ref.coef_, dtype, "scalar weight")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("shape", [(40, 6), (12, 20)])
def test_zero_weights_equal_dropping_the_rows(dtype, fit_intercept, sparse_input, positive, shape):
    X, y = make_data(*shape, dtype=dtype, seed=6)
    n = len(y)
    rng = np.random.default_rng(6)
    sw = rng.uniform(0.1, 2.0, n)
    sw[-5:] = 0
    y = y.copy()
    y[-5:] *= 1000  # rows that would matter if they counted
    Xd = sparse.csr_matrix(X) if sparse_input else X
    model = fastreg.Ridge(alpha=0.3, fit_intercept=fit_intercept, positive=positive)
    full = model.fit(Xd, y, sample_weight=sw)
    coef, intercept = full.coef_.copy(), full.intercept_
    dropped = model.fit(Xd[:-5], y[:-5], sample_weight=sw[:-5])
    rtol = 1e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(dropped.coef_, coef, rtol=rtol, atol=rtol * np.abs(coef).max())
    np.testing.assert_allclose(dropped.intercept_, intercept, rtol=rtol, atol=rtol * (abs(intercept) + 1))


def test_sample_weight_of_two_dimensions_is_refused():
    X, y = make_data(10, 3)
    with pytest.raises(ValueError, match="Sample weights must be 1D array or scalar"):
        fastreg.Ridge().fit(X, y, sample_weight=np.ones((10, 1)))
    with pytest.raises(ValueError, match="Sample weights must be 1D array or scalar"):
        fastreg.RidgeCV().fit(X, y, sample_weight=np.ones((1, 10)))


# ---------------------------------------------------------------------------------------------- RidgeCV


def test_ridgecv_svd_mode_on_sparse_warns_and_uses_eigen():
    X, y = make_data(30, 6)
    with pytest.warns(FutureWarning, match="The 'svd' mode is not supported for sparse X"):
        cv = fastreg.RidgeCV(gcv_mode="svd").fit(sparse.csr_matrix(X), y)
    eigen = fastreg.RidgeCV(gcv_mode="eigen").fit(sparse.csr_matrix(X), y)
    assert cv.solver_ == eigen.solver_ and np.array_equal(cv.coef_, eigen.coef_)
    with pytest.raises(ValueError, match="mode='svd' needs a dense X"):
        fastreg.ridge_path(sparse.csr_matrix(X), y, [1.0], mode="svd")


def test_ridgecv_metadata_routing_as_sklearn():
    import sklearn
    from sklearn.metrics import make_scorer, mean_squared_error
    from sklearn.model_selection import GroupKFold

    X, y = make_data(40, 4, seed=8)
    groups = np.repeat(np.arange(8), 5)
    sw = np.random.default_rng(8).uniform(0.5, 2.0, 40)
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing=True"):
        fastreg.RidgeCV(cv=GroupKFold(4)).fit(X, y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        fastreg.RidgeCV().get_metadata_routing()
        scorer = make_scorer(mean_squared_error, greater_is_better=False).set_score_request(sample_weight=True)
        for cv in (None, GroupKFold(4)):
            params = {} if cv is None else {"groups": groups}
            ours = fastreg.RidgeCV(cv=cv, scoring=scorer, alphas=[0.01, 1.0, 100.0]).fit(X, y, sw, **params)
            ref = sk.RidgeCV(cv=cv, scoring=scorer, alphas=[0.01, 1.0, 100.0]).fit(X, y, sample_weight=sw, **params)
            assert ours.alpha_ == ref.alpha_
            assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-10)
        # the default scoring requests the weights, as scikit-learn's
        ours = fastreg.RidgeCV(cv=GroupKFold(4)).fit(X, y, sample_weight=sw, groups=groups)
        ref = sk.RidgeCV(cv=GroupKFold(4)).fit(X, y, sample_weight=sw, groups=groups)
        assert ours.alpha_ == ref.alpha_ and ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-10)


@pytest.mark.parametrize("sparse_input", [False, True])
def test_positive_ridge_alpha_zero_is_nnls_without_warning(sparse_input):
    from scipy.optimize import nnls

    rng = np.random.default_rng(9)
    X = rng.standard_normal((30, 6))
    y = X @ np.array([1.0, -1.0, 2.0, 0.0, -3.0, 0.5]) + rng.standard_normal(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = fastreg.Ridge(alpha=0.0, positive=True, fit_intercept=False).fit(
            sparse.csr_matrix(X) if sparse_input else X, y)
    np.testing.assert_allclose(model.coef_, nnls(X, y)[0], rtol=1e-10, atol=1e-12)
    assert model.fastreg_solver_.endswith("+active-set")

"""No wrong answer without a warning under bad conditioning (issue 13).

Ridge with alpha = 0 (or a tiny alpha) on nearly singular data must return numpy.linalg.lstsq's
minimum-norm least-squares solution, computed from X itself: the normal equations square X's condition
number away. The Gram route of the Lasso must return gaps that bound the true suboptimality, or say
that the statistics cannot certify the penalty.

Objectives are evaluated in extended precision (np.longdouble): huge cancelling coefficients lose
digits in a float64 residual. The oracles here are NumPy's (lstsq, pinv, a QR-based Lasso solver) and
scikit-learn's; allowances are multiples of eps * ||y||^2 (/ n), never fixed numbers.
"""
import warnings

import numpy as np
import pytest
from scipy import linalg, sparse
from sklearn import linear_model as sk
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

import fastreg
from fastreg import _ridge, _solvers

EPS = np.finfo(np.float64).eps


def polynomial_example(n=30, seed=0):
    """scikit-learn's underfitting/overfitting example: sorted uniform x, y = cos(1.5 pi x) + noise."""
    rng = np.random.RandomState(seed)
    x = np.sort(rng.rand(n))
    return x[:, None], np.cos(1.5 * np.pi * x) + 0.1 * rng.randn(n)


def polynomial_design(degree=15, include_bias=False):
    """The example's standardized polynomial features (condition number about 4e11 at degree 15)."""
    x, y = polynomial_example()
    return make_pipeline(PolynomialFeatures(degree, include_bias=include_bias), StandardScaler()).fit_transform(x), y


def collinear_design(delta=1e-5, n=200, seed=0):
    """Two columns delta apart and y along their difference: the least-squares coefficients are
    about +-1 / delta, so X^T X squares a 1 / delta condition number."""
    rng = np.random.default_rng(seed)
    x1, z = rng.standard_normal(n), rng.standard_normal(n)
    X = np.column_stack([x1, x1 + delta * z, rng.standard_normal((n, 3))])
    return X, z + 0.01 * rng.standard_normal(n)


def weighted_centered(X, y, sample_weight=None, fit_intercept=True):
    """S^{1/2} (X - xbar), S^{1/2} (y - ybar) and the means, in float64 from the given values."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    x_mean = s @ X / s.sum() if fit_intercept else np.zeros(X.shape[1])
    y_mean = s @ y / s.sum() if fit_intercept else 0.0
    root = np.sqrt(s)
    return (X - x_mean) * root[:, None], (y - y_mean) * root, x_mean, y_mean


def min_norm_least_squares(X, y, sample_weight=None, fit_intercept=True):
    """numpy.linalg.lstsq's minimum-norm solution on the centered, weighted data: (coef, intercept)."""
    Xt, yt, x_mean, y_mean = weighted_centered(X, y, sample_weight, fit_intercept)
    coef = np.linalg.lstsq(Xt, yt, rcond=None)[0]
    return coef, y_mean - x_mean @ coef


def rss(X, y, coef, intercept, sample_weight=None):
    """sum_i s_i (y_i - x_i^T coef - intercept)^2 in extended precision."""
    ld = np.longdouble
    r = (np.asarray(y, dtype=np.float64).astype(ld) - np.asarray(X, dtype=np.float64).astype(ld)
         @ np.asarray(coef, dtype=np.float64).astype(ld) - ld(float(intercept)))
    s = np.ones(len(r), dtype=ld) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).astype(ld)
    return float(np.sum(s * r * r))


def assert_least_squares(X, y, coef, intercept, sample_weight=None, fit_intercept=True, what=""):
    """The residual sum of squares is lstsq's minimum, up to rounding scaled with the problem."""
    best = rss(X, y, *min_norm_least_squares(X, y, sample_weight, fit_intercept), sample_weight)
    got = rss(X, y, coef, intercept, sample_weight)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    y64 = np.asarray(y, dtype=np.float64)
    assert got <= best * (1 + 1e-8) + 8 * EPS * (s @ (y64 * y64)), f"{what}: RSS {got!r}, lstsq's {best!r}"
    return got, best


# ----------------------------------------------------------------------------------------- Ridge, alpha = 0


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_ridge_alpha_zero_polynomial_pipeline_is_least_squares(fit_intercept):
    x, y = polynomial_example()
    # the tutorial pipeline; the bias column is 0 once standardized, so X~ is singular as well
    model = make_pipeline(PolynomialFeatures(15), StandardScaler(),
                          fastreg.Ridge(alpha=0.0, fit_intercept=fit_intercept))
    with pytest.warns(UserWarning, match="minimum-norm least-squares solution"):
        model.fit(x, y)
    ridge, X = model[-1], model[:-1].transform(x)
    assert ridge.solver_ == "svd"
    got, best = assert_least_squares(X, y, ridge.coef_, ridge.intercept_, fit_intercept=fit_intercept)
    assert ridge.coef_[0] == 0.0  # the zero column gets no weight: the minimum-norm solution
    for solver in ("auto", "svd"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's own singular-matrix warnings
            theirs = sk.Ridge(alpha=0.0, fit_intercept=fit_intercept, solver=solver).fit(X, y)
        assert abs(rss(X, y, theirs.coef_, theirs.intercept_) - got) <= 1e-8 * best + 8 * EPS * (y @ y), solver


def near_singular(shape, dtype, seed):
    """A design with exactly dependent columns (n > p) or rows (p > n) and a near-dependent pair
    1e-5 apart: the minimum-norm solution is well defined but X~ has a condition number near 1e5 on its
    range, which the normal equations square."""
    rng = np.random.default_rng(seed)
    n, p = shape
    if n > p:
        Z = rng.standard_normal((n, p - 3)) + 3.0
        X = np.column_stack([Z, Z[:, 0] + 1e-5 * rng.standard_normal(n), Z[:, 1], Z[:, 2] - Z[:, 3]])
    else:
        X = rng.standard_normal((n, p)) + 3.0
        X[-1] = X[-2] + 1e-5 * rng.standard_normal(p)
        X[-3] = X[-4]
    y = X[:, :3] @ [1.0, -2.0, 0.5] + 0.3 * rng.standard_normal(n)
    return X.astype(dtype), y.astype(dtype)


@pytest.mark.parametrize("shape", [(40, 9), (12, 30)], ids=["n>p", "p>n"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_ridge_alpha_zero_is_the_minimum_norm_solution(shape, fit_intercept, weighted, dtype):
    X, y = near_singular(shape, dtype, seed=3)
    sw = np.random.default_rng(4).integers(1, 4, shape[0]).astype(dtype) if weighted else None
    with pytest.warns(UserWarning, match="minimum-norm least-squares solution"):
        model = fastreg.Ridge(alpha=0.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    assert model.solver_ == "svd" and model.coef_.dtype == dtype
    # the least-squares problem of the data's own values (float32 widened, not rounded)
    ref, ref_b = min_norm_least_squares(X, y, sw, fit_intercept)
    rtol = 1e-6 if dtype == np.float32 else 1e-8  # float32 coefficients: their own rounding
    np.testing.assert_allclose(model.coef_, ref, rtol=0, atol=rtol * np.abs(ref).max())
    assert abs(model.intercept_ - ref_b) <= rtol * (abs(ref_b) + np.abs(ref).max() * np.abs(X).max())
    if dtype == np.float64:
        assert_least_squares(X, y, model.coef_, model.intercept_, sw, fit_intercept)
    if weighted:  # weight k = k repeated rows
        k = sw.astype(int)
        with pytest.warns(UserWarning, match="minimum-norm"):
            repeated = fastreg.Ridge(alpha=0.0, fit_intercept=fit_intercept).fit(np.repeat(X, k, axis=0),
                                                                                 np.repeat(y, k))
        np.testing.assert_allclose(model.coef_, repeated.coef_, rtol=0, atol=10 * rtol * np.abs(ref).max())


def test_ridge_path_and_ridgecv_at_alpha_zero():
    X, y = polynomial_design(include_bias=True)
    path = fastreg.ridge_path(X, y, [0.0, 1.0])
    assert path.solver == "eigh+svd"  # alpha = 0 is beyond the eigendecomposition's resolution
    assert_least_squares(X, y, path.coefs[:, 0], path.intercepts[0], what="ridge_path")
    np.testing.assert_allclose(path.coefs[:, 1], fastreg.Ridge(alpha=1.0).fit(X, y).coef_, rtol=1e-9)
    with pytest.warns(UserWarning, match="minimum-norm"):  # the refit
        cv = fastreg.RidgeCV(alphas=[0.0], cv=5).fit(X, y)
    assert cv.solver_ == "kfold+svd"
    assert_least_squares(X, y, cv.coef_, cv.intercept_, what="RidgeCV refit")
    # K-fold: the held-out scores of alpha = 0 are those of least-squares fits of each training fold
    # (on polynomial features they are extrapolations too sensitive to compare; here they are not)
    X, y = near_singular((60, 9), np.float64, seed=7)
    folds = KFold(5)
    with pytest.warns(UserWarning, match="minimum-norm"):
        cv = fastreg.RidgeCV(alphas=[0.0], cv=folds).fit(X, y)
    scores = []
    for train, test in folds.split(X):
        coef, b = min_norm_least_squares(X[train], y[train])
        scores.append(r2_score(y[test], X[test] @ coef + b))
    assert cv.best_score_ == pytest.approx(np.mean(scores), abs=1e-9)


def test_ridgecv_leave_one_out_at_tiny_alphas():
    X, y = near_singular((60, 9), np.float64, seed=8)
    alphas = [1e-20, 1e-3]
    cv = fastreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y)
    assert cv.solver_ == "svd"  # 1e-20 is below the eigendecomposition's resolution
    # the leave-one-out errors of the exact ridge refits without each sample
    for a, alpha in enumerate(alphas):
        for i in (0, 17, 59):
            keep = np.arange(len(y)) != i
            Xt, yt, x_mean, y_mean = weighted_centered(X[keep], y[keep])
            U, s, Vt = linalg.svd(Xt, full_matrices=False)
            s_inv = np.where(s > len(y) * EPS * s[0], s / (s**2 + alpha), 0.0)
            coef = Vt.T @ (s_inv * (U.T @ yt))
            err = y[i] - (y_mean + (X[i] - x_mean) @ coef)
            assert cv.cv_results_[i, a] == pytest.approx(err**2, rel=1e-6), (alpha, i)


def test_tiny_positive_alpha_is_solved_from_X():
    X, y = polynomial_design()
    alpha = 1e-14
    Xt, yt, _, _ = weighted_centered(X, y)
    U, s, Vt = linalg.svd(Xt, full_matrices=False)
    exact = Vt.T @ (s / (s**2 + alpha) * (U.T @ yt))

    def objective(coef):
        return rss(Xt, yt, coef, 0.0) + alpha * float(coef @ coef)

    # its Cholesky factorization succeeds, with a condition estimate near 1e18
    with pytest.warns(UserWarning, match="reciprocal condition number"):
        model = fastreg.Ridge(alpha=alpha).fit(X, y)
    assert model.solver_ == "svd"
    assert objective(model.coef_) <= objective(exact) * (1 + 1e-8) + 8 * EPS * (y @ y)


def test_sparse_alpha_zero(monkeypatch):
    X, y = polynomial_design(degree=10)
    with pytest.warns(UserWarning, match="an SVD of the centered X"):
        small = fastreg.Ridge(alpha=0.0).fit(sparse.csr_matrix(X), y)
    assert small.solver_ == "svd"  # densified: a small copy
    assert_least_squares(X, y, small.coef_, small.intercept_, what="sparse, densified")
    # too large to densify: LSQR on the implicitly centered operator, said so; exact on a benign design
    monkeypatch.setattr(_ridge, "SVD_MAX_BYTES", 0)
    Xd, yd = near_singular((40, 9), np.float64, seed=5)
    Xd = np.column_stack([Xd[:, :6], Xd[:, :2]])  # duplicated columns only: well conditioned on its range
    with pytest.warns(UserWarning, match="LSQR on the implicitly centered X"):
        large = fastreg.Ridge(alpha=0.0, tol=1e-14, max_iter=10_000).fit(sparse.csc_matrix(Xd), yd)
    assert large.solver_ == "lsqr"
    ref, _ = min_norm_least_squares(Xd, yd)
    np.testing.assert_allclose(large.coef_, ref, rtol=0, atol=1e-8 * np.abs(ref).max())


def test_well_conditioned_ridge_stays_on_cholesky(monkeypatch, dtype):
    def no_solve_from_X(*args, **kwargs):
        raise AssertionError("the solve from X ran on well-conditioned data")

    monkeypatch.setattr(_ridge, "solve_from_X", no_solve_from_X)
    monkeypatch.setattr(_ridge, "coefs_from_X", no_solve_from_X)
    rng = np.random.default_rng(6)
    X = rng.standard_normal((50, 6)).astype(dtype)
    y = (X @ rng.standard_normal(6) + rng.standard_normal(50)).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for alpha in (0.0, 1e-6, 1.0):
            assert fastreg.Ridge(alpha=alpha).fit(X, y).solver_ == "cholesky"
        for alpha in (1e-2, 1.0):  # (at alpha = 0 the centered X X^T is singular: intercept)
            assert fastreg.Ridge(alpha=alpha).fit(X[:5], y[:5]).solver_ == "cholesky-dual"
        assert fastreg.ridge_path(X, y, [0.0, 1.0]).solver == "eigh"


# ----------------------------------------------------------------------------------------- Lasso, Gram route


def lasso_objective(X, y, coef, intercept, alpha):
    """1/(2n) ||y - X coef - b||^2 + alpha ||coef||_1 in extended precision."""
    return rss(X, y, coef, intercept) / (2 * len(y)) + alpha * float(np.abs(np.asarray(coef, dtype=np.float64)).sum())


def lasso_reference(X, y, alpha, max_steps=500):
    """The Lasso with an intercept by feature-sign search (Lee, Battle, Raina & Ng 2007) with QR
    solves on the centered active columns: lstsq-grade accuracy where coordinate descent crawls.
    Returns (coef, intercept)."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    lam = len(y) * alpha
    w, theta = np.zeros(X.shape[1]), np.zeros(X.shape[1])
    settled = True  # the last step reached the minimizer of its sign pattern
    for _ in range(max_steps):
        if settled:
            g = Xc.T @ (Xc @ w - yc)
            violation = np.where(w == 0, np.abs(g) - lam, -np.inf)
            j = int(np.argmax(violation))
            if violation[j] <= 1e-12 * lam:
                break
            theta[j] = -np.sign(g[j])
        active = np.flatnonzero(theta)
        Q, R = linalg.qr(Xc[:, active], mode="economic")
        target = linalg.solve_triangular(R, Q.T @ yc - lam * linalg.solve_triangular(R, theta[active], trans=1))
        start = w[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            crossings = start / (start - target)
        best, settled = None, False
        for t in [1.0, *crossings[(crossings > 0) & (crossings < 1)]]:
            trial = w.copy()
            trial[active] = start + t * (target - start)
            trial[active[np.abs(trial[active]) <= 1e-15 * np.abs(trial[active]).max()]] = 0.0
            value = 0.5 * np.sum((yc - Xc @ trial) ** 2) + lam * np.abs(trial).sum()
            if best is None or value < best[0]:
                best, settled = (value, trial), t == 1.0
        w = best[1]
        theta = np.sign(w)
    return w, y.mean() - X.mean(axis=0) @ w


def assert_gaps_bound_suboptimality(X, y, paths, alphas, allowance):
    """Every returned gap bounds the suboptimality of its coefficients, measured against the best
    of the reference and of every path's own solution at the same alpha."""
    for k, alpha in enumerate(alphas):
        best = lasso_objective(X, y, *lasso_reference(X, y, alpha), alpha)
        values = [lasso_objective(X, y, p.coefs[:, k], p.intercepts[k], alpha) for p in paths]
        best = min(best, *values)
        for p, value in zip(paths, values):
            assert p.dual_gaps[k] >= value - best - allowance, (
                f"{p.solver} at alpha={alpha:.1e}: gap {p.dual_gaps[k]:.3e} < suboptimality {value - best:.3e}")


TINY_ALPHAS = np.geomspace(1e-1, 1e-10, 10)


@pytest.mark.parametrize("precompute", [True, "auto"])
@pytest.mark.parametrize("degree", [10, 15])
def test_gram_gaps_bound_the_suboptimality_on_polynomial_features(precompute, degree):
    X, y = polynomial_design(degree)
    yc = y - y.mean()
    allowance = 64 * EPS * (yc @ yc) / len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # at the smallest alphas no solver converges in max_iter
        gram = fastreg.lasso_path(X, y, alphas=TINY_ALPHAS, fit_intercept=True, precompute=precompute, max_iter=20_000)
        # each alpha solved alone too: no warm start to hide behind
        alone = [fastreg.lasso_path(X, y, alphas=[a], fit_intercept=True, precompute=precompute, max_iter=20_000)
                 for a in TINY_ALPHAS]
    assert gram.solver.startswith("cd-gram")
    assert_gaps_bound_suboptimality(X, y, [gram], gram.alphas, allowance)
    for a, path in zip(TINY_ALPHAS, alone):
        assert_gaps_bound_suboptimality(X, y, [path], [a], allowance)


@pytest.mark.parametrize("design, alphas", [
    (lambda: polynomial_design(10), TINY_ALPHAS),
    (collinear_design, [1e-4, 1e-6]),  # coefficients near 1e5: float32 cannot hold them closely enough
], ids=["polynomial", "collinear"])
def test_gram_gaps_in_float32_bound_the_suboptimality_or_warn(design, alphas):
    X, y = design()
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    yc = y32.astype(np.float64) - y32.mean(dtype=np.float64)
    allowance = 4 * np.finfo(np.float32).eps * (yc @ yc) / len(y)
    for alpha in alphas:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            path = fastreg.lasso_path(X32, y32, alphas=[alpha], fit_intercept=True, precompute=True, tol=1e-6,
                                      max_iter=20_000)
        assert path.coefs.dtype == np.float32
        if not any(issubclass(w.category, fastreg.ConvergenceWarning) for w in caught):
            assert_gaps_bound_suboptimality(X32, y32, [path], [alpha], allowance)


def test_statistics_that_cannot_certify_warn_and_data_recover():
    X, y = collinear_design()
    alpha, tol = 1e-6, 1e-6  # the coefficients are about 1e5: X^T X loses 1e10 of y^T y's digits
    yc = y - y.mean()
    allowance = 64 * EPS * (yc @ yc) / len(y)
    stats = fastreg.SufficientStats.from_arrays(X, y)
    with pytest.warns(fastreg.ConvergenceWarning, match="statistics cannot certify"):
        only = fastreg.enet_path_from_stats(stats, l1_ratio=1.0, alphas=[alpha], tol=tol)
    assert only.solver == "cd-gram" and not only.converged[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = fastreg.lasso_path(X, y, alphas=[alpha], fit_intercept=True, precompute=True, tol=tol)
        model = fastreg.Lasso(alpha=alpha, tol=tol, precompute=True).fit(X, y)
    assert data.solver == model.solver_ == "cd-gram+residual" and data.converged[0]
    target = tol * (yc @ yc) / len(y)
    assert data.dual_gaps[0] <= target
    assert_gaps_bound_suboptimality(X, y, [only, data], [alpha], allowance)
    best = lasso_objective(X, y, *lasso_reference(X, y, alpha), alpha)
    assert lasso_objective(X, y, model.coef_, model.intercept_, alpha) - best <= target + allowance
    # float32 cannot hold coefficients this large precisely enough: said so
    with pytest.warns(fastreg.ConvergenceWarning):
        fastreg.lasso_path(X.astype(np.float32), y.astype(np.float32), alphas=[alpha], fit_intercept=True,
                           precompute=True, tol=tol)


@pytest.mark.parametrize("precompute", [True, "auto"])
def test_well_conditioned_gram_path_needs_no_data(oracle, monkeypatch, dtype, precompute):
    def no_residual(*args, **kwargs):
        raise AssertionError("the residual fallback ran on a well-conditioned problem")

    monkeypatch.setattr(_solvers, "ResidualSolver", no_residual)
    X, y = oracle.make_regression(200, 20, dtype=dtype, seed=11, intercept=2.0)
    tol = oracle.tight_tol(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = fastreg.lasso_path(X, y, n_alphas=30, eps=1e-4, fit_intercept=True, precompute=precompute, tol=tol)
        enet = fastreg.enet_path_from_stats(fastreg.SufficientStats.from_arrays(X, y), l1_ratio=0.7,
                                            n_alphas=30, tol=tol)
    assert path.solver == enet.solver == "cd-gram"
    assert path.converged.all() and enet.converged.all()


def test_cv_from_statistics_recovers_from_the_data():
    # the folds run from statistics; the penalties they cannot certify are finished on the fold's rows.
    # (tol 2e-6: at alpha 1e-6 the coefficients are ~8e4 and float64 itself cannot certify much below
    # 1e-6 from the data, the last bits of w being worth about that much of the gap; at 1e-5 the
    # statistics certify every penalty and nothing is finished on the rows)
    X, y = collinear_design()
    alphas, tol = [1e-3, 1e-6], 2e-6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cv = fastreg.cv_path(X, y, alphas=alphas, cv=3, tol=tol, precompute=True)
        model = fastreg.LassoCV(alphas=alphas, cv=3, tol=tol, precompute=True).fit(X, y)
    assert cv.solver == model.cv_solver_ == "statistics"
    assert cv.path.converged.all()
    # each fold's errors are those of the certified fit on its rows, some of which only the rows certify
    solvers = set()
    for k, (train, test) in enumerate(cv.folds):
        fold = fastreg.lasso_path(X[train], y[train], alphas=alphas, fit_intercept=True, precompute=True, tol=tol)
        assert fold.converged.all()
        solvers.add(fold.solver)
        pred = X[test] @ fold.coefs + fold.intercepts
        np.testing.assert_allclose(cv.mse_path[0, :, k], ((pred - y[test, None]) ** 2).mean(axis=0), rtol=1e-3)
    assert "cd-gram+residual" in solvers
    assert model.alpha_ == cv.alpha_min


def test_support_refinement_restores_optimality_from_the_residual():
    # near-collinear columns, a start 1e-6 off the optimum: coordinate descent on X moves 1e-10 of the
    # way per epoch there, while Newton steps on the support from the explicit residual bring its
    # optimality condition to the float64 floor (the last bits of w ~ 8e4) in a few steps
    from fastreg._design import dense_design

    X, y = collinear_design()
    design = dense_design(X, y, fit_intercept=True)
    l1_reg, l2_reg = design.penalties(1e-6, 1.0)
    Xw, yw = design.X.astype(np.float64), design.y.astype(np.float64)
    # the optimum: the full support with the signs it reproduces (all 5 coefficients are non-zero)
    sign = np.sign(np.linalg.lstsq(Xw, yw, rcond=None)[0])
    for _ in range(10):
        w_opt = np.linalg.solve(Xw.T @ Xw, Xw.T @ yw - l1_reg * sign)
        if np.array_equal(np.sign(w_opt), sign):
            break
        sign = np.sign(w_opt)
    assert np.array_equal(np.sign(w_opt), sign)

    def kkt(w):
        return np.abs(Xw.T @ (yw - Xw @ w) - l1_reg * sign).max()

    w = w_opt * (1 + 1e-6 * np.random.default_rng(3).standard_normal(5))
    before = kkt(w)
    _solvers.refine_support(design, w, l1_reg, l2_reg, positive=False)
    floor = 64 * np.finfo(np.float64).eps * np.abs(w_opt).max() * design.norm2_cols.max()
    assert kkt(w) <= max(1e-5 * before, floor)
    assert np.array_equal(np.sign(w), sign)

    # a start on the wrong support (a sign flipped): the refinement never changes a sign
    w_bad = w_opt.copy()
    w_bad[2] = -w_bad[2]
    _solvers.refine_support(design, w_bad, l1_reg, l2_reg, positive=False)
    assert np.sign(w_bad[2]) == -sign[2]

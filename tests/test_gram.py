"""Gram (covariance-update) mode: the same certified solutions as residual updates, from X^T X."""
import warnings

import numpy as np
import pytest

import fastreg


@pytest.mark.parametrize("fit_intercept,weighted,standardize", [
    (False, False, False), (True, False, False), (True, True, False), (True, False, True),
])
@pytest.mark.parametrize("l1_ratio,positive", [(1.0, False), (0.5, False), (0.9, True)])
def test_gram_path_equals_residual_path(oracle, dtype, fit_intercept, weighted, standardize, l1_ratio,
                                        positive):
    X, y = oracle.make_regression(80, 12, dtype=dtype, seed=101, intercept=1.5)
    sw = np.random.default_rng(5).uniform(0, 3, len(y)) if weighted else None
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, tol=tol, max_iter=100_000, positive=positive,
              fit_intercept=fit_intercept, sample_weight=sw, standardize=standardize)
    resid = fastreg.enet_path(X, y, precompute=False, n_alphas=12, eps=1e-3, **kw)
    # the same grid up to rounding (with an intercept the Gram mode works from statistics, whose
    # X^T y is accumulated in float64)
    grid = fastreg.enet_path(X, y, precompute=True, n_alphas=12, eps=1e-3, **kw).alphas
    np.testing.assert_allclose(grid, resid.alphas, rtol=1e-5 if dtype == np.float32 else 1e-12)
    gram = fastreg.enet_path(X, y, precompute=True, alphas=resid.alphas, **kw)
    assert gram.solver == "cd-gram" and resid.solver == "cd-dense-residual"
    assert gram.coefs.dtype == dtype
    assert gram.converged.all()
    floor = oracle.rounding_floor(dtype, y, sw)
    for k, alpha in enumerate(gram.alphas):
        if standardize:
            # the penalty applies to standardized coefficients: compare through the path itself
            np.testing.assert_allclose(gram.coefs[:, k], resid.coefs[:, k],
                                       atol=1e-2 if dtype == np.float32 else 1e-5, rtol=1e-3)
            continue
        oracle.assert_certified(X, y, gram.coefs[:, k], gram.intercepts[k], gram.dual_gaps[k], alpha,
                                l1_ratio, tol=tol, dtype=dtype, sample_weight=sw,
                                fit_intercept=fit_intercept, positive=positive, what=f"gram alpha #{k}")
        oracle.assert_same_solution(X, y, gram.coefs[:, k], gram.dual_gaps[k], resid.coefs[:, k],
                                    resid.dual_gaps[k], alpha, l1_ratio, sample_weight=sw,
                                    fit_intercept=fit_intercept, positive=positive, floor=floor,
                                    what=f"alpha #{k}")


def test_auto_chooses_gram_when_n_exceeds_p(oracle):
    X, y = oracle.make_regression(50, 10, seed=103)
    assert fastreg.lasso_path(X, y, n_alphas=3).solver == "cd-gram"
    assert fastreg.lasso_path(X[:8], y[:8], n_alphas=3).solver == "cd-dense-working-set"
    assert fastreg.lasso_path(X, y, n_alphas=3, precompute=False).solver == "cd-dense-residual"


def test_gram_path_sets_blas_to_one_thread_once(oracle, monkeypatch):
    """A Gram path holds BLAS on one thread for all its penalties (`GramSolver.single_threaded`): the
    limit is set once for the path, not per penalty, and every kernel call runs under it."""
    from threadpoolctl import threadpool_info
    import fastreg._solvers as S

    X, y = oracle.make_regression(200, 12, seed=109)
    guard = type(S._SINGLE_THREADED_BLAS)
    entries, seen = [], []
    enter, kernel = guard.__enter__, S.GramSolver._kernel

    def counted(self):
        entries.append(self._depth == 0)  # an outermost entry sets the limit
        return enter(self)

    def spy(self, *args):
        seen.append({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
        return kernel(self, *args)

    monkeypatch.setattr(guard, "__enter__", counted)
    monkeypatch.setattr(S.GramSolver, "_kernel", spy)
    path = fastreg.lasso_path(X, y, n_alphas=20, precompute=True)
    assert path.solver == "cd-gram"
    assert len(seen) >= 20 and all(threads == {1} for threads in seen)
    assert sum(entries) == 1 and len(entries) >= 20


def test_user_gram_is_used_as_given(oracle, dtype):
    X, y = oracle.make_regression(60, 8, dtype=dtype, seed=107, offsets=False)
    # float32 data: fastreg's own statistics are summed in float64; a user matrix in float64 is the same
    G = X.astype(np.float64).T @ X.astype(np.float64)
    a = fastreg.lasso_path(X, y, n_alphas=6, precompute=G, tol=oracle.tight_tol(dtype))
    b = fastreg.lasso_path(X, y, n_alphas=6, precompute=True, tol=oracle.tight_tol(dtype))
    assert a.solver == "cd-gram"
    assert a.coefs.dtype == b.coefs.dtype == dtype
    # (float64: to rounding, as fastreg sums X^T y with X^T X by row blocks, the user's path in one
    # product: sums of n products, amplified by the conditioning of the Gram matrix)
    allowed = 1e-6 if dtype == np.float32 else len(y) * np.linalg.cond(G) * np.finfo(dtype).eps
    np.testing.assert_allclose(a.coefs, b.coefs, rtol=0, atol=allowed * np.abs(b.coefs).max())
    # a wrong Gram matrix would change the answer: it is refused (scikit-learn's message)
    with pytest.raises(ValueError, match="Gram matrix passed in via 'precompute' parameter did not pass validation"):
        fastreg.lasso_path(X, y, n_alphas=6, precompute=2 * G, tol=oracle.tight_tol(dtype))


def test_user_gram_is_recomputed_when_x_is_centered(oracle):
    X, y = oracle.make_regression(60, 8, seed=109, intercept=3.0)
    with pytest.warns(UserWarning, match="recomputing"):
        a = fastreg.lasso_path(X, y, n_alphas=6, precompute=X.T @ X, fit_intercept=True, tol=1e-10)
    b = fastreg.lasso_path(X, y, n_alphas=6, precompute=True, fit_intercept=True, tol=1e-10)
    np.testing.assert_array_equal(a.coefs, b.coefs)


@pytest.mark.parametrize("precompute", [True, "auto"])
def test_estimator_precompute_matches_sklearn(oracle, dtype, precompute):
    from sklearn.linear_model import ElasticNet as SkElasticNet

    X, y = oracle.make_regression(70, 9, dtype=dtype, seed=113, intercept=-2.0)
    tol = oracle.tight_tol(dtype)
    ours = fastreg.ElasticNet(alpha=0.05, l1_ratio=0.7, precompute=precompute, tol=tol,
                              max_iter=100_000).fit(X, y)
    theirs = SkElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-13, max_iter=200_000).fit(
        X.astype(np.float64), y.astype(np.float64))
    assert ours.solver_ == "cd-gram"
    oracle.assert_same_solution(X, y, ours.coef_, ours.dual_gap_, theirs.coef_, 0.0, 0.05, 0.7,
                                fit_intercept=True, floor=oracle.rounding_floor(dtype, y))


def test_gram_zero_column_and_warm_start(oracle):
    X, y = oracle.make_regression(40, 6, seed=127)
    X[:, 2] = 0
    path = fastreg.enet_path(X, y, alphas=[0.01], coef_init=np.ones(6), precompute=True, l1_ratio=1.0,
                             tol=1e-12, max_iter=10_000)
    assert path.coefs[2, 0] == 0 and path.converged.all()


def test_gram_convergence_warning(oracle):
    X, y = oracle.make_regression(60, 10, seed=131)
    with pytest.warns(fastreg.ConvergenceWarning, match="duality gap"):
        path = fastreg.lasso_path(X, y, alphas=[1e-4], precompute=True, max_iter=1, tol=1e-14)
    assert not path.converged[0] and path.dual_gaps[0] > 0


# ------------------------------------------------------------------------------------------------
# Newton steps on the support (see src/_cd_gram.pyx): the same certified solutions as plain
# coordinate descent, and convergence where coordinate descent stalls


def _gram_path(X, y, newton, **kw):
    """A path on the Gram kernel with Newton steps switched on or off."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        return fastreg.enet_path(X, y, eps=kw.pop("eps", 1e-3), n_alphas=kw.pop("n_alphas", 30), precompute=True,
                                 newton=newton, **kw)


def _leaves_support(coefs):
    """Whether some coefficient is non-zero at one alpha and zero at a later one."""
    nz = coefs != 0
    return bool((nz[:, :-1] & ~nz[:, 1:]).any())


@pytest.mark.parametrize("l1_ratio,positive", [(1.0, False), (0.7, False), (1.0, True)])
def test_newton_equals_coordinate_descent(oracle, dtype, l1_ratio, positive):
    # strongly correlated columns, so that features enter and leave along the path
    X, y = oracle.make_regression(300, 60, dtype=dtype, rho=0.95, seed=211, noise=2.0)
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, tol=tol, max_iter=200_000, positive=positive)
    newton = _gram_path(X, y, True, **kw)
    plain = _gram_path(X, y, False, **kw)
    assert newton.converged.all() and plain.converged.all()
    if l1_ratio == 1.0 and not positive:
        assert _leaves_support(newton.coefs)  # the factor's deletions are exercised
    # fewer epochs: the Newton steps do the work
    assert newton.n_iters.sum() < plain.n_iters.sum()
    floor = oracle.rounding_floor(dtype, y)
    for k, alpha in enumerate(newton.alphas):
        oracle.assert_certified(X, y, newton.coefs[:, k], 0.0, newton.dual_gaps[k], alpha, l1_ratio,
                                tol=tol, dtype=dtype, positive=positive, what=f"alpha #{k}")
        oracle.assert_same_solution(X, y, newton.coefs[:, k], newton.dual_gaps[k], plain.coefs[:, k],
                                    plain.dual_gaps[k], alpha, l1_ratio, positive=positive,
                                    floor=floor, what=f"alpha #{k}")


def test_newton_converges_where_coordinate_descent_stalls(oracle):
    # powers of positive inputs are nearly collinear: G is ill-conditioned (cond ~1e8) and coordinate
    # descent crawls; the Newton steps reach a tight certified gap in a few iterations per alpha
    rng = np.random.default_rng(223)
    base = rng.uniform(1, 2, (2000, 4))
    X = np.column_stack([base**k for k in (1, 2, 3, 4)] + [base[:, [0]] * base[:, 1:]])
    X = (X - X.mean(0)) / X.std(0)
    y = X[:, :4] @ rng.uniform(-1, 1, 4) + 0.5 * X[:, 9] + 0.1 * rng.standard_normal(2000)
    y -= y.mean()
    assert np.linalg.cond(X.T @ X) > 1e7
    kw = dict(l1_ratio=1.0, tol=1e-10, max_iter=1000)
    newton = _gram_path(X, y, True, **kw)
    plain = _gram_path(X, y, False, **kw)
    assert not plain.converged.all()  # the reason Newton steps exist
    assert newton.converged.all()
    assert newton.n_iters.max() < 50
    for k, alpha in enumerate(newton.alphas):
        oracle.assert_certified(X, y, newton.coefs[:, k], 0.0, newton.dual_gaps[k], alpha, 1.0,
                                tol=1e-10, dtype=np.float64, what=f"alpha #{k}")


def test_warm_started_penalties_take_a_newton_step_on_the_warm_support_first(oracle):
    # degree-2 products of shifted, correlated inputs (cond ~2e5), a fine path: at each new penalty
    # the step on the previous support comes first, then the features that violate optimality there
    # enter; entering every violator of the warm start first (features near the boundary that the
    # step would have left out) made ~5 iterations per penalty here, chains of partial steps
    rng = np.random.default_rng(229)
    base = rng.standard_normal((3000, 8)) @ (np.eye(8) + 2.0) + 3.0
    i, j = np.triu_indices(8)
    X = np.column_stack([base, base[:, i] * base[:, j]])
    X = (X - X.mean(0)) / X.std(0)
    y = X @ (rng.standard_normal(X.shape[1]) * (rng.random(X.shape[1]) < 0.3)) + rng.standard_normal(3000)
    y -= y.mean()
    path = fastreg.enet_path(X, y, l1_ratio=1.0, n_alphas=100, eps=1e-4, precompute=True, tol=1e-10,
                             fit_intercept=False)
    assert path.solver == "cd-gram" and path.converged.all()
    assert path.n_iters.mean() < 2.5
    for k, alpha in enumerate(path.alphas):
        oracle.assert_certified(X, y, path.coefs[:, k], 0.0, path.dual_gaps[k], alpha, 1.0,
                                tol=1e-10, dtype=np.float64, what=f"alpha #{k}")


@pytest.mark.parametrize("l1_ratio", [1.0, 0.8])
def test_newton_with_duplicated_and_dependent_columns(oracle, dtype, l1_ratio):
    # exact duplicates and a column that is the sum of two others: G is singular, the factor must
    # leave the dependent columns out (a vanishing pivot) and the solution stays certified
    X, y = oracle.make_regression(200, 10, dtype=dtype, seed=227, offsets=False)
    X = np.column_stack([X, X[:, 0], X[:, 3], X[:, 1] + X[:, 2]]).astype(dtype)
    tol = oracle.tight_tol(dtype)
    path = _gram_path(X, y, True, l1_ratio=l1_ratio, tol=tol, max_iter=100_000, n_alphas=20)
    assert path.converged.all() and np.isfinite(path.coefs).all()
    for k, alpha in enumerate(path.alphas):
        oracle.assert_certified(X, y, path.coefs[:, k], 0.0, path.dual_gaps[k], alpha, l1_ratio,
                                tol=tol, dtype=dtype, what=f"alpha #{k}")


@pytest.mark.parametrize("fit_intercept,weighted", [(False, False), (True, False), (True, True)])
def test_gram_mode_makes_no_copy_of_x(oracle, fit_intercept, weighted):
    # the memory budget: X + O(p^2) + small. With an intercept or weights, the Gram mode
    # accumulates statistics over row blocks instead of centering a copy of X.
    import tracemalloc

    X, y = oracle.make_regression(60_000, 20, seed=229, intercept=3.0)
    X = np.asfortranarray(X)
    sw = np.random.default_rng(7).uniform(0.5, 2.0, len(y)) if weighted else None
    fastreg.lasso_path(X[:100], y[:100], n_alphas=3)  # imports and first-call allocations
    tracemalloc.start()
    try:
        path = fastreg.lasso_path(X, y, n_alphas=5, precompute=True, fit_intercept=fit_intercept,
                                  sample_weight=sw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert path.solver == "cd-gram"
    # y-sized vectors (a few copies of y and the weights) and one row block are allowed; X is 9.6 MB
    assert peak < 0.35 * X.nbytes, f"peak {peak / X.nbytes:.2f} x the size of X"


# ------------------------------------------------------------------------------------------------
# Gram columns on demand: 'auto' when the p x p matrix is over the memory budget (shrunk here)


def _lazy_mode_counting_blocks(monkeypatch):
    """Make 'auto' choose Gram columns on demand (a tiny memory budget) and record the number of
    columns each block computed; returns that list."""
    from fastreg import _plan, _solvers

    blocks = []
    add = _solvers.LazyGramSolver._add

    def counting_add(self, *args):
        before = int(self.cached.sum())
        add(self, *args)
        blocks.append(int(self.cached.sum()) - before)

    monkeypatch.setattr(_solvers.LazyGramSolver, "_add", counting_add)
    monkeypatch.setattr(_plan, "GRAM_MAX_BYTES", 64)
    return blocks


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l1_ratio,positive", [(1.0, False), (0.6, False), (1.0, True)])
def test_lazy_gram_equals_full_gram(oracle, dtype, monkeypatch, fit_intercept, l1_ratio, positive):
    X, y = oracle.make_regression(400, 80, dtype=dtype, rho=0.9, seed=233, intercept=1.0,
                                  n_informative=6)
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, tol=tol, max_iter=100_000, positive=positive, fit_intercept=fit_intercept)
    full = fastreg.enet_path(X, y, precompute=True, n_alphas=25, eps=0.05, **kw)

    added = _lazy_mode_counting_blocks(monkeypatch)
    lazy = fastreg.enet_path(X, y, alphas=full.alphas, **kw)
    assert lazy.solver == "cd-gram-lazy" and full.solver == "cd-gram"
    assert lazy.converged.all()
    # the point of the mode: fewer columns than p were computed, in a few blocks
    assert 0 < sum(added) < X.shape[1] and len([b for b in added if b]) <= 6, added
    floor = oracle.rounding_floor(dtype, y)
    for k, alpha in enumerate(full.alphas):
        oracle.assert_certified(X, y, lazy.coefs[:, k], lazy.intercepts[k], lazy.dual_gaps[k], alpha,
                                l1_ratio, tol=tol, dtype=dtype, fit_intercept=fit_intercept,
                                positive=positive, what=f"lazy alpha #{k}")
        oracle.assert_same_solution(X, y, lazy.coefs[:, k], lazy.dual_gaps[k], full.coefs[:, k],
                                    full.dual_gaps[k], alpha, l1_ratio, fit_intercept=fit_intercept,
                                    positive=positive, floor=floor, what=f"alpha #{k}")


def test_lazy_gram_adds_features_the_strong_rule_missed(oracle, monkeypatch):
    # a single small alpha from w = 0: the screen |x_j^T y| > alpha n keeps too few features (correlated
    # columns enter later), so the KKT check over all features must bring the rest in
    X, y = oracle.make_regression(600, 200, seed=239, offsets=False, n_informative=10, rho=0.8)
    batches = _lazy_mode_counting_blocks(monkeypatch)
    alpha = 0.2 * oracle.alpha_max(X, y)
    path = fastreg.lasso_path(X, y, alphas=[alpha], tol=1e-10)
    assert path.solver == "cd-gram-lazy" and path.converged.all()
    # batches: the warm start's support (empty), the screen, then at least one KKT repair
    assert len(batches) >= 3 and batches[1] > 0 and sum(batches[2:]) > 0
    oracle.assert_certified(X, y, path.coefs[:, 0], 0.0, path.dual_gaps[0], alpha, 1.0, tol=1e-10,
                            dtype=np.float64, what="small alpha")


@pytest.mark.parametrize("kind", ["dense", "fortran", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_float32_gram_paths_are_certified_in_float64(oracle, kind, fit_intercept):
    # many rows of float32 data: the Gram mode sums its statistics and runs its kernel in float64, so
    # the gaps it returns hold for the exact problem (float32 sums and gap arithmetic did not); dense
    # data take the float64 routes (X^T X about 0 or near the center), each block widened in cache
    from scipy import sparse

    rng = np.random.default_rng(131)
    n, p = 40000, 40
    X = (rng.random((n, p)) < 0.15) * rng.uniform(0.5, 2.0, p)
    y = X @ (rng.standard_normal(p) * (rng.random(p) < 0.3)) + 0.3 * rng.standard_normal(n) + 3.0
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    Xf = {"sparse": sparse.csc_matrix, "fortran": np.asfortranarray}.get(kind, np.asarray)(X32)
    tol = 1e-5
    path = fastreg.enet_path(Xf, y32, l1_ratio=1.0, fit_intercept=fit_intercept, n_alphas=30, eps=1e-3,
                             tol=tol, precompute=True)
    assert path.solver == "cd-gram" and path.coefs.dtype == np.float32 and path.converged.all()
    target = tol * oracle.target_norm2(X32.astype(np.float64) @ np.zeros(p) + y32, None, fit_intercept)
    for k, alpha in enumerate(path.alphas):
        gap = oracle.duality_gap(X32, y32, path.coefs[:, k], alpha, 1.0, None, fit_intercept)
        assert gap <= target, f"alpha #{k}: float64 gap {gap:.3e} above the target {target:.3e}"


@pytest.mark.parametrize("fit_intercept,factors", [(True, False), (False, False), (True, True)])
def test_float32_sparse_gram_columns_on_demand_are_certified_in_float64(oracle, monkeypatch, fit_intercept, factors):
    # a float32 sparse X's Gram columns on demand are float32 sums; the gaps returned must still bound
    # the exact problem's (the statistics' rounding is added, or the penalty is certified on X)
    from scipy import sparse

    from fastreg import _plan

    monkeypatch.setattr(_plan, "LAZY_SPARSE_MIN_FEATURES", 1)
    monkeypatch.setattr(_plan, "LAZY_SPARSE_PASSES", 0)
    rng = np.random.default_rng(137)
    n, p = 40000, 40
    X = (rng.random((n, p)) < 0.15) * rng.uniform(0.5, 2.0, p)
    X[:, :3] = rng.standard_normal((n, 3)) + 2.0  # nearly dense: held apart
    y = X @ (rng.standard_normal(p) * (rng.random(p) < 0.3)) + 0.3 * rng.standard_normal(n) + 3.0
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    tol = 1e-5
    # (penalty factors: the float64 problem takes them in float64 too)
    factor = np.linspace(0.5, 2.0, p) if factors else None
    path = fastreg.enet_path(sparse.csc_matrix(X32), y32, l1_ratio=1.0, fit_intercept=fit_intercept, n_alphas=30,
                             eps=1e-3, tol=tol, penalty_factor=factor)
    assert path.solver.startswith("cd-gram-lazy") and path.coefs.dtype == np.float32 and path.converged.all()
    target = tol * oracle.target_norm2(y32, None, fit_intercept)
    for k, alpha in enumerate(path.alphas):
        # (factors v, rescaled to sum to p as glmnet's: the Lasso of the columns x_j / v_j, in v_j w_j)
        v = np.ones(p) if factor is None else factor * p / factor.sum()
        gap = oracle.duality_gap(X32.astype(np.float64) / v, y32, path.coefs[:, k] * v, alpha, 1.0, None,
                                 fit_intercept)
        assert gap <= target, f"alpha #{k}: float64 gap {gap:.3e} above the target {target:.3e}"

"""enet_path / lasso_path: parity with scikit-learn, certified gaps, KKT, and the path options.

Solutions are compared through their certified duality gaps (see conftest.py): two solutions of
the same problem with gaps G1, G2 are within sqrt(2 G1) + sqrt(2 G2) of each other in the
(H + lam2 I)-norm, and their objectives within G1 + G2.
"""
import warnings

import numpy as np
import pytest
from sklearn.linear_model import enet_path as sk_enet_path
from sklearn.linear_model import lasso_path as sk_lasso_path

import fastreg

N_ALPHAS = 12
EPS = 1e-2


def _sk_path(X, y, l1_ratio, *, n_alphas=N_ALPHAS, eps=EPS, positive=False):
    """scikit-learn's path in float64 at a very tight tol (its own grid)."""
    X64 = np.asarray(X, dtype=np.float64)
    y64 = np.asarray(y, dtype=np.float64)
    kw = dict(eps=eps, alphas=n_alphas, tol=1e-13, max_iter=200_000, positive=positive)
    if l1_ratio == 1:
        return sk_lasso_path(X64, y64, **kw)
    return sk_enet_path(X64, y64, l1_ratio=l1_ratio, **kw)


def _fr_path(X, y, l1_ratio, **kw):
    if l1_ratio == 1:
        return fastreg.lasso_path(X, y, **kw)
    return fastreg.enet_path(X, y, l1_ratio=l1_ratio, **kw)


def _assert_path_certified(oracle, X, y, path, l1_ratio, *, tol, dtype, **problem):
    for i, alpha in enumerate(path.alphas):
        oracle.assert_certified(X, y, path.coefs[:, i], path.intercepts[i], path.dual_gaps[i], alpha,
                                l1_ratio, tol=tol, dtype=dtype, what=f"alpha[{i}]={alpha:.4g}", **problem)


# ----------------------------------------------------------------------------- parity with sklearn


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
def test_parity_with_sklearn_path(oracle, dtype, shape, l1_ratio):
    X, y = oracle.make_regression(*shape, dtype=dtype, seed=1)
    tol = oracle.tight_tol(dtype)
    floor = oracle.rounding_floor(dtype, y)
    path = _fr_path(X, y, l1_ratio, n_alphas=N_ALPHAS, eps=EPS, tol=tol, max_iter=100_000)
    sk_alphas, sk_coefs, _ = _sk_path(X, y, l1_ratio)

    assert path.coefs.dtype == dtype
    assert path.coefs.shape == (shape[1], N_ALPHAS)
    np.testing.assert_allclose(path.alphas, sk_alphas, rtol=1e-5 if dtype == np.float32 else 1e-12)
    assert path.converged.all()
    _assert_path_certified(oracle, X, y, path, l1_ratio, tol=tol, dtype=dtype)
    for i, alpha in enumerate(sk_alphas):
        sk_gap = oracle.duality_gap(X, y, sk_coefs[:, i], alpha, l1_ratio)
        assert sk_gap <= 1e-11 * oracle.target_norm2(y)  # the oracle itself is tight
        oracle.assert_same_solution(X, y, path.coefs[:, i], path.dual_gaps[i], sk_coefs[:, i], sk_gap,
                                    alpha, l1_ratio, floor=floor, what=f"alpha[{i}]")
        # objectives very tightly: fastreg is at most its gap above sklearn's (nearly optimal) value
        p_fr = oracle.profiled_objective(X, y, path.coefs[:, i], alpha, l1_ratio)
        p_sk = oracle.profiled_objective(X, y, sk_coefs[:, i], alpha, l1_ratio)
        assert p_fr - p_sk <= path.dual_gaps[i] + floor
        assert p_sk - p_fr <= sk_gap + floor


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_parity_with_sklearn_positive(oracle, dtype, l1_ratio):
    X, y = oracle.make_regression(40, 12, dtype=dtype, seed=2)
    tol = oracle.tight_tol(dtype)
    floor = oracle.rounding_floor(dtype, y)
    path = _fr_path(X, y, l1_ratio, n_alphas=8, eps=EPS, tol=tol, positive=True, max_iter=100_000)
    sk_alphas, sk_coefs, _ = _sk_path(X, y, l1_ratio, n_alphas=8, positive=True)
    unconstrained = _fr_path(X, y, l1_ratio, n_alphas=8, eps=EPS, tol=tol, max_iter=100_000)

    assert (path.coefs >= 0).all()
    assert (unconstrained.coefs < 0).any()  # the constraint is active on this problem
    np.testing.assert_allclose(path.alphas, sk_alphas, rtol=1e-5 if dtype == np.float32 else 1e-12)
    _assert_path_certified(oracle, X, y, path, l1_ratio, tol=tol, dtype=dtype, positive=True)
    for i, alpha in enumerate(sk_alphas):
        sk_gap = oracle.duality_gap(X, y, sk_coefs[:, i], alpha, l1_ratio, positive=True)
        oracle.assert_same_solution(X, y, path.coefs[:, i], path.dual_gaps[i], sk_coefs[:, i], sk_gap,
                                    alpha, l1_ratio, positive=True, floor=floor, what=f"alpha[{i}]")


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_returned_gap_bounds_suboptimality(oracle, dtype, fit_intercept, weighted, l1_ratio):
    """P(w) - P(w*) <= returned gap, with P(w*) from an independent, very tight solution."""
    X, y = oracle.make_regression(25, 30, dtype=dtype, seed=3, intercept=4.0)
    sw = np.random.default_rng(3).uniform(0.2, 3.0, len(y)) if weighted else None
    tol = 1e-3  # a loose tol: the gaps are far from 0, so the bound is a real test
    floor = oracle.rounding_floor(dtype, y, sw)
    problem = dict(sample_weight=sw, fit_intercept=fit_intercept)
    path = _fr_path(X, y, l1_ratio, n_alphas=6, eps=0.05, tol=tol, **problem)
    _assert_path_certified(oracle, X, y, path, l1_ratio, tol=tol, dtype=dtype, **problem)
    for i, alpha in enumerate(path.alphas):
        w_ref, b_ref, gap_ref = oracle.reference_solution(X, y, alpha, l1_ratio, **problem)
        assert gap_ref <= 1e-11 * oracle.target_norm2(y, sw, fit_intercept) + 1e-300
        p = oracle.primal_objective(X, y, path.coefs[:, i], path.intercepts[i], alpha, l1_ratio, sw)
        p_ref = oracle.primal_objective(X, y, w_ref, b_ref, alpha, l1_ratio, sw)
        assert p - p_ref <= path.dual_gaps[i] + floor, (
            f"alpha[{i}]: suboptimality {p - p_ref:.3e} exceeds the certified gap {path.dual_gaps[i]:.3e}")
        assert p - p_ref >= -gap_ref - floor


@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("positive", [False, True])
def test_float32_lasso_gaps_from_the_bounded_fresh_residual_bound_suboptimality(oracle, kind, positive):
    """float32 Lasso paths on residual updates certify each penalty with the fresh residual y - X w,
    whose correlations are bounded from the updated residual's (no second pass over X): the gap
    returned still bounds P(w) - P(w*) measured in float64, many rows (a drifting residual), with an
    intercept, dense and sparse, signed and positive."""
    from scipy import sparse

    rng = np.random.default_rng(331)
    n, p = 3000, 60
    X = (rng.random((n, p)) < 0.3) * rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p)
    y = X @ (rng.standard_normal(p) * (rng.random(p) < 0.4)) + 0.5 * rng.standard_normal(n) + 2.0
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    Xf = sparse.csc_matrix(X32) if kind == "sparse" else np.asfortranarray(X32)
    tol = 1e-2  # (loose: the gaps are far from 0, and so is the dual point's scaling the bound sets)
    path = fastreg.enet_path(Xf, y32, l1_ratio=1.0, n_alphas=12, eps=1e-3, tol=tol, fit_intercept=True,
                             positive=positive, precompute=False)
    assert path.coefs.dtype == np.float32 and path.converged.all() and path.solver != "cd-gram"
    floor = oracle.rounding_floor(np.float32, y32, None)
    X64, y64 = X32.astype(np.float64), y32.astype(np.float64)
    for i, alpha in enumerate(path.alphas):
        w_ref, b_ref, _ = oracle.reference_solution(X64, y64, alpha, 1.0, fit_intercept=True, positive=positive)
        sub = (oracle.profiled_objective(X64, y64, path.coefs[:, i], alpha, 1.0, fit_intercept=True, positive=positive)
               - oracle.profiled_objective(X64, y64, w_ref, alpha, 1.0, fit_intercept=True, positive=positive))
        assert sub <= path.dual_gaps[i] + floor, (
            f"alpha[{i}]: suboptimality {sub:.3e} exceeds the certified gap {path.dual_gaps[i]:.3e}")
        assert path.dual_gaps[i] <= tol * oracle.target_norm2(y64, None, True) + floor
        # the dual point is the feasible rescaling of the fresh residual, or a smaller one: the gap is
        # at least that point's gap in float64 (an infeasible point, from correlations taken too
        # small, would give less)
        exact = oracle.duality_gap(X64, y64, path.coefs[:, i], alpha, 1.0, None, True, positive)
        assert path.dual_gaps[i] >= exact - floor, (
            f"alpha[{i}]: gap {path.dual_gaps[i]:.6e} below the feasible dual point's {exact:.6e}")


def test_lasso_path_is_enet_path_l1_ratio_1(oracle, dtype):
    X, y = oracle.make_regression(30, 10, dtype=dtype, seed=4)
    a = fastreg.lasso_path(X, y, n_alphas=5, tol=1e-4)
    b = fastreg.enet_path(X, y, l1_ratio=1.0, n_alphas=5, tol=1e-4)
    np.testing.assert_array_equal(a.alphas, b.alphas)
    np.testing.assert_array_equal(a.coefs, b.coefs)
    with pytest.raises(TypeError, match="l1_ratio"):
        fastreg.lasso_path(X, y, l1_ratio=0.5)


# ----------------------------------------------------------------------------- the alpha grid


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_default_grid(oracle, dtype, fit_intercept, positive, l1_ratio):
    X, y = oracle.make_regression(30, 8, dtype=dtype, seed=5, intercept=-3.0)
    path = fastreg.enet_path(X, y, l1_ratio=l1_ratio, n_alphas=7, eps=1e-3, tol=1e-3,
                             fit_intercept=fit_intercept, positive=positive)
    a_max = oracle.alpha_max(X, y, l1_ratio, fit_intercept=fit_intercept, positive=positive)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert path.alphas.shape == (7,)
    assert np.all(np.diff(path.alphas) < 0), "alphas must be strictly decreasing"
    np.testing.assert_allclose(path.alphas[0], a_max, rtol=rtol)
    np.testing.assert_allclose(path.alphas[-1] / path.alphas[0], 1e-3, rtol=1e-12)
    np.testing.assert_allclose(np.diff(np.log(path.alphas)), np.log(1e-3) / 6, rtol=1e-9)  # log-spaced
    np.testing.assert_array_equal(path.coefs[:, 0], 0)  # alpha_max gives exactly zero coefficients
    assert np.count_nonzero(path.coefs[:, -1]) > 0


@pytest.mark.parametrize("n_alphas,eps", [(1, 1e-3), (3, 0.5), (50, 1e-4)])
def test_eps_and_n_alphas(oracle, n_alphas, eps):
    X, y = oracle.make_regression(20, 6, seed=6)
    alphas, coefs, gaps = fastreg.lasso_path(X, y, n_alphas=n_alphas, eps=eps, tol=1e-6)
    a_max = oracle.alpha_max(X, y)
    assert len(alphas) == n_alphas == coefs.shape[1] == len(gaps)
    np.testing.assert_allclose(alphas[0], a_max, rtol=1e-12)
    if n_alphas > 1:
        np.testing.assert_allclose(alphas[-1], eps * a_max, rtol=1e-12)
        np.testing.assert_allclose(alphas, np.geomspace(a_max, eps * a_max, n_alphas), rtol=1e-12)


def test_int_alphas_is_number_of_alphas(oracle):
    X, y = oracle.make_regression(20, 6, seed=7)
    a = fastreg.enet_path(X, y, alphas=5, tol=1e-6)
    b = fastreg.enet_path(X, y, n_alphas=5, tol=1e-6)
    assert len(a.alphas) == 5
    np.testing.assert_array_equal(a.alphas, b.alphas)
    np.testing.assert_array_equal(a.coefs, b.coefs)
    # the same grid as scikit-learn's alphas=int
    sk_alphas, _, _ = sk_enet_path(X, y, alphas=5, tol=1e-6)
    np.testing.assert_allclose(a.alphas, sk_alphas, rtol=1e-12)


@pytest.mark.parametrize("container", [list, tuple, np.array])
def test_user_alphas_are_sorted_and_solved(oracle, dtype, container):
    X, y = oracle.make_regression(30, 10, dtype=dtype, seed=8)
    a_max = oracle.alpha_max(X, y, 0.5)
    given = [0.05 * a_max, 0.5 * a_max, 2 * a_max, 0.005 * a_max]
    tol = oracle.tight_tol(dtype)
    path = fastreg.enet_path(X, y, l1_ratio=0.5, alphas=container(given), tol=tol)
    np.testing.assert_array_equal(path.alphas, np.sort(given)[::-1])
    np.testing.assert_array_equal(path.coefs[:, 0], 0)  # 2 * alpha_max
    _assert_path_certified(oracle, X, y, path, 0.5, tol=tol, dtype=dtype)
    single = fastreg.enet_path(X, y, l1_ratio=0.5, alphas=[given[0]], tol=tol)
    assert single.alphas.tolist() == [given[0]]
    oracle.assert_same_solution(X, y, single.coefs[:, 0], single.dual_gaps[0], path.coefs[:, 2],
                                path.dual_gaps[2], given[0], 0.5, floor=oracle.rounding_floor(dtype, y))


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_alpha_above_alpha_max_gives_exact_zeros(oracle, dtype, fit_intercept, l1_ratio):
    X, y = oracle.make_regression(30, 12, dtype=dtype, seed=9, intercept=2.0)
    a_max = oracle.alpha_max(X, y, l1_ratio, fit_intercept=fit_intercept)
    path = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=[1.001 * a_max, 3 * a_max, 1e6 * a_max],
                             fit_intercept=fit_intercept, tol=oracle.tight_tol(dtype))
    np.testing.assert_array_equal(path.coefs, 0)
    if fit_intercept:
        np.testing.assert_allclose(path.intercepts, np.mean(y, dtype=np.float64), rtol=1e-6)
    below = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=[0.95 * a_max], fit_intercept=fit_intercept)
    assert np.count_nonzero(below.coefs) > 0, "alpha_max is overestimated"


# ----------------------------------------------------------------------------- warm starts and options


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_warm_started_path_equals_cold_fits(oracle, dtype, shape, l1_ratio):
    X, y = oracle.make_regression(*shape, dtype=dtype, seed=10)
    tol = oracle.tight_tol(dtype)
    floor = oracle.rounding_floor(dtype, y)
    path = fastreg.enet_path(X, y, l1_ratio=l1_ratio, n_alphas=6, eps=EPS, tol=tol, max_iter=100_000)
    for i, alpha in enumerate(path.alphas):
        cold = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=[alpha], tol=tol, max_iter=100_000)
        oracle.assert_same_solution(X, y, path.coefs[:, i], path.dual_gaps[i], cold.coefs[:, 0],
                                    cold.dual_gaps[0], alpha, l1_ratio, floor=floor, what=f"alpha[{i}]")


@pytest.mark.parametrize("weighted", [False, True])
def test_fit_intercept(oracle, dtype, weighted):
    X, y = oracle.make_regression(40, 10, dtype=dtype, seed=11, intercept=7.5)
    sw = np.random.default_rng(11).uniform(0.1, 2.0, len(y)).astype(dtype) if weighted else None
    tol = oracle.tight_tol(dtype)
    path = fastreg.enet_path(X, y, l1_ratio=0.8, n_alphas=6, tol=tol, fit_intercept=True, sample_weight=sw)
    _assert_path_certified(oracle, X, y, path, 0.8, tol=tol, dtype=dtype, fit_intercept=True, sample_weight=sw)
    # intercepts = ymean - xmean @ coef with (weighted) means
    w = np.ones(len(y)) if sw is None else sw.astype(np.float64)
    x_mean = w @ X.astype(np.float64) / w.sum()
    y_mean = w @ y.astype(np.float64) / w.sum()
    np.testing.assert_allclose(path.intercepts, y_mean - x_mean @ path.coefs.astype(np.float64),
                               rtol=1e-5 if dtype == np.float32 else 1e-10)
    # without intercept: b = 0 and a different (uncentered) problem
    no_b = fastreg.enet_path(X, y, l1_ratio=0.8, alphas=path.alphas, tol=tol, sample_weight=sw)
    np.testing.assert_array_equal(no_b.intercepts, 0)
    _assert_path_certified(oracle, X, y, no_b, 0.8, tol=tol, dtype=dtype, sample_weight=sw)
    assert not np.allclose(no_b.coefs[:, -1], path.coefs[:, -1], rtol=1e-2)


def test_fit_intercept_equals_sklearn_on_centered_data(oracle, dtype):
    X, y = oracle.make_regression(35, 9, dtype=dtype, seed=12, intercept=-5.0)
    tol = oracle.tight_tol(dtype)
    path = fastreg.enet_path(X, y, l1_ratio=0.5, n_alphas=6, tol=tol, fit_intercept=True)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    Xc, yc = X64 - X64.mean(axis=0), y64 - y64.mean()
    sk_alphas, sk_coefs, _ = sk_enet_path(Xc, yc, l1_ratio=0.5, alphas=6, tol=1e-13, max_iter=100_000)
    np.testing.assert_allclose(path.alphas, sk_alphas, rtol=1e-5 if dtype == np.float32 else 1e-12)
    for i, alpha in enumerate(sk_alphas):
        sk_gap = oracle.duality_gap(Xc, yc, sk_coefs[:, i], alpha, 0.5)
        oracle.assert_same_solution(X, y, path.coefs[:, i], path.dual_gaps[i], sk_coefs[:, i], sk_gap, alpha,
                                    0.5, fit_intercept=True, floor=oracle.rounding_floor(dtype, y))


def test_random_selection_reproducible_and_same_solution(oracle, dtype):
    X, y = oracle.make_regression(30, 25, dtype=dtype, seed=13)
    tol = oracle.tight_tol(dtype)
    floor = oracle.rounding_floor(dtype, y)
    kw = dict(l1_ratio=0.9, n_alphas=5, eps=EPS, tol=tol, selection="random", max_iter=100_000)
    a = fastreg.enet_path(X, y, random_state=0, **kw)
    b = fastreg.enet_path(X, y, random_state=0, **kw)
    c = fastreg.enet_path(X, y, random_state=np.random.RandomState(0), **kw)
    d = fastreg.enet_path(X, y, random_state=12345, **kw)
    cyclic = fastreg.enet_path(X, y, l1_ratio=0.9, n_alphas=5, eps=EPS, tol=tol, max_iter=100_000)
    np.testing.assert_array_equal(a.coefs, b.coefs)
    np.testing.assert_array_equal(a.n_iters, b.n_iters)
    np.testing.assert_array_equal(a.coefs, c.coefs)  # an int seed and RandomState(seed) agree
    _assert_path_certified(oracle, X, y, a, 0.9, tol=tol, dtype=dtype)
    _assert_path_certified(oracle, X, y, d, 0.9, tol=tol, dtype=dtype)
    for i, alpha in enumerate(a.alphas):
        for other in (d, cyclic):
            oracle.assert_same_solution(X, y, a.coefs[:, i], a.dual_gaps[i], other.coefs[:, i],
                                        other.dual_gaps[i], alpha, 0.9, floor=floor)
    # different seeds visit coordinates in different orders: the iterates differ
    assert not np.array_equal(a.coefs, d.coefs) or not np.array_equal(a.n_iters, d.n_iters)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_screening_does_not_change_the_solution(oracle, dtype, shape, l1_ratio):
    X, y = oracle.make_regression(*shape, dtype=dtype, seed=14)
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, n_alphas=8, eps=EPS, tol=tol, max_iter=100_000)
    on = fastreg.enet_path(X, y, screening=True, **kw)
    off = fastreg.enet_path(X, y, screening=False, **kw)
    np.testing.assert_array_equal(on.alphas, off.alphas)
    _assert_path_certified(oracle, X, y, on, l1_ratio, tol=tol, dtype=dtype)
    _assert_path_certified(oracle, X, y, off, l1_ratio, tol=tol, dtype=dtype)
    for i, alpha in enumerate(on.alphas):
        oracle.assert_same_solution(X, y, on.coefs[:, i], on.dual_gaps[i], off.coefs[:, i], off.dual_gaps[i],
                                    alpha, l1_ratio, floor=oracle.rounding_floor(dtype, y))


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_coef_init_is_the_warm_start(oracle, dtype, standardize, fit_intercept):
    X, y = oracle.make_regression(30, 12, dtype=dtype, seed=15, intercept=1.0)
    kw = dict(l1_ratio=0.7, fit_intercept=fit_intercept, standardize=standardize, max_iter=100_000)
    alpha = 0.05 * oracle.alpha_max(X, y, 0.7, fit_intercept=fit_intercept)
    tight = fastreg.enet_path(X, y, alphas=[alpha], tol=oracle.tight_tol(dtype), **kw)
    tol = 1e-3 if dtype == np.float32 else 1e-7  # looser than `tight` reached
    cold = fastreg.enet_path(X, y, alphas=[alpha], tol=tol, **kw)
    coef_init = tight.coefs[:, 0].copy()
    warm = fastreg.enet_path(X, y, alphas=[alpha], tol=tol, coef_init=coef_init, **kw)
    assert cold.n_iters[0] > 2
    assert warm.n_iters[0] <= 1, "starting at the solution must need (almost) no epochs"
    np.testing.assert_allclose(warm.coefs[:, 0], coef_init, rtol=1e-4, atol=1e-6 * np.abs(coef_init).max())
    # any starting point leads to the same solution
    start = np.random.default_rng(15).standard_normal(X.shape[1]).astype(dtype)
    other = fastreg.enet_path(X, y, alphas=[alpha], tol=tol, coef_init=start, **kw)
    assert other.converged.all()
    assert (np.abs(other.coefs[:, 0] - cold.coefs[:, 0]) <= 0.05 * np.abs(cold.coefs[:, 0]).max()).all()
    if not standardize:
        oracle.assert_certified(X, y, other.coefs[:, 0], other.intercepts[0], other.dual_gaps[0], alpha, 0.7,
                                tol=tol, dtype=dtype, fit_intercept=fit_intercept)


def test_coef_init_wrong_length_raises(oracle):
    X, y = oracle.make_regression(20, 5, seed=16)
    with pytest.raises(ValueError, match=r"5|coef_init"):
        fastreg.enet_path(X, y, coef_init=np.zeros(4))


def test_return_n_iter_unpacking(oracle, dtype):
    X, y = oracle.make_regression(20, 6, dtype=dtype, seed=17)
    path = fastreg.enet_path(X, y, n_alphas=4, tol=1e-4)
    assert len(path) == 3
    alphas, coefs, gaps = path
    np.testing.assert_array_equal(alphas, path.alphas)
    np.testing.assert_array_equal(coefs, path.coefs)
    np.testing.assert_array_equal(gaps, path.dual_gaps)
    with pytest.raises(ValueError):
        alphas, coefs, gaps, n_iters = path
    path4 = fastreg.enet_path(X, y, n_alphas=4, tol=1e-4, return_n_iter=True)
    assert len(path4) == 4
    alphas, coefs, gaps, n_iters = path4
    assert len(n_iters) == 4
    assert all(isinstance(k, (int, np.integer)) and k >= 0 for k in n_iters)
    np.testing.assert_array_equal(n_iters, path4.n_iters)
    assert path4[2] is path4.dual_gaps


def test_path_attributes_and_repr(oracle, dtype):
    X, y = oracle.make_regression(25, 7, dtype=dtype, seed=18, intercept=1.0)
    path = fastreg.enet_path(X, y, l1_ratio=0.25, n_alphas=9, tol=1e-5, fit_intercept=True)
    assert isinstance(path, fastreg.Path)
    assert path.coefs.shape == (7, 9) and path.coefs.dtype == dtype
    assert path.alphas.shape == path.intercepts.shape == path.dual_gaps.shape == path.n_iters.shape == (9,)
    assert path.converged.dtype == bool and path.converged.all()
    assert isinstance(path.solver, str) and path.solver
    text = repr(path)
    assert text.startswith("Path(")
    assert "n_alphas=9" in text and "n_features=7" in text and "l1_ratio=0.25" in text
    assert path.solver in text
    assert f"{path.alphas[0]:.4g}" in text and f"{path.alphas[-1]:.4g}" in text


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_convergence_warning(oracle, dtype, positive, fit_intercept):
    X, y = oracle.make_regression(30, 20, dtype=dtype, seed=19, intercept=5.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = fastreg.enet_path(X, y, n_alphas=4, max_iter=1, tol=1e-12, positive=positive,
                                 fit_intercept=fit_intercept)
    conv = [w for w in caught if issubclass(w.category, fastreg.ConvergenceWarning)]
    assert (~path.converged).sum() >= 1
    assert len(conv) == (~path.converged).sum()  # one warning per unconverged alpha
    messages = [str(w.message) for w in conv]
    target = 1e-12 * oracle.target_norm2(y, None, fit_intercept)
    for i in np.flatnonzero(~path.converged):
        assert path.dual_gaps[i] > target
        assert any(f"{path.dual_gaps[i]:.3e}" in m for m in messages), (path.dual_gaps[i], messages)
    for m in messages:
        assert "max_iter" in m
        # the gap reached and the target it missed, in numbers
        assert f"{target:.3e}" in m, (target, m)
    assert conv[0].filename == __file__, "the warning should point at the caller"


@pytest.mark.parametrize("entry", ["lasso_path", "Lasso.fit", "ElasticNet.fit"])
def test_convergence_warning_points_at_the_caller(oracle, entry):
    X, y = oracle.make_regression(30, 20, seed=19)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if entry == "lasso_path":
            fastreg.lasso_path(X, y, alphas=[1e-3], max_iter=1, tol=1e-12)
        else:
            cls = fastreg.Lasso if entry == "Lasso.fit" else fastreg.ElasticNet
            cls(alpha=1e-3, max_iter=1, tol=1e-12).fit(X, y)
    conv = [w for w in caught if issubclass(w.category, fastreg.ConvergenceWarning)]
    assert len(conv) == 1
    assert conv[0].filename == __file__, f"the warning points at {conv[0].filename}:{conv[0].lineno}"


def test_no_warning_when_converged(oracle, dtype):
    X, y = oracle.make_regression(30, 10, dtype=dtype, seed=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = fastreg.enet_path(X, y, n_alphas=5, tol=1e-4)
    assert path.converged.all()


def test_verbose_prints_one_line_per_alpha(oracle, capsys):
    X, y = oracle.make_regression(20, 5, seed=21)
    fastreg.enet_path(X, y, n_alphas=3, verbose=True)
    captured = capsys.readouterr()
    assert len([ln for ln in captured.err.splitlines() if ln.strip()]) == 3
    assert captured.out == ""


@pytest.mark.parametrize("precompute", [True, False, "auto", "gram"])
def test_valid_precompute_values(oracle, dtype, precompute):
    X, y = oracle.make_regression(30, 8, dtype=dtype, seed=26)
    if precompute == "gram":
        precompute = X.T @ X
    tol = oracle.tight_tol(dtype)
    path = fastreg.enet_path(X, y, n_alphas=4, tol=tol, precompute=precompute)
    _assert_path_certified(oracle, X, y, path, 0.5, tol=tol, dtype=dtype)
    est = fastreg.Lasso(alpha=0.1, tol=tol, precompute=precompute, fit_intercept=False).fit(X, y)
    oracle.assert_certified(X, y, est.coef_, est.intercept_, est.dual_gap_, 0.1, 1.0, tol=tol, dtype=dtype)


def test_precomputed_xy_gives_same_grid(oracle):
    X, y = oracle.make_regression(30, 6, seed=22)
    a = fastreg.enet_path(X, y, n_alphas=4, tol=1e-6)
    b = fastreg.enet_path(X, y, n_alphas=4, tol=1e-6, Xy=X.T @ y)
    np.testing.assert_allclose(a.alphas, b.alphas, rtol=1e-12)
    np.testing.assert_allclose(a.coefs, b.coefs, rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------------------- standardize


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_standardize_equals_scaling_by_hand(oracle, dtype, fit_intercept, weighted):
    X, y = oracle.make_regression(40, 8, dtype=dtype, seed=23, intercept=3.0)
    X = X * np.array([1e-2, 1, 10, 0.5, 100, 1, 3, 0.1], dtype=dtype)  # very different column scales
    sw = np.random.default_rng(23).uniform(0.5, 2.0, len(y)) if weighted else None
    s = np.ones(len(y)) if sw is None else sw
    X64 = X.astype(np.float64)
    center = s @ X64 / s.sum() if fit_intercept else 0.0
    # standard deviation about the mean with an intercept, about 0 without (glmnet's convention)
    sd = np.sqrt(s @ (X64 - center) ** 2 / s.sum())
    Xs = (X64 / sd).astype(dtype)
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=0.8, tol=tol, fit_intercept=fit_intercept, sample_weight=sw, max_iter=100_000)
    std = fastreg.enet_path(X, y, n_alphas=6, standardize=True, **kw)
    by_hand = fastreg.enet_path(Xs, y, n_alphas=6, **kw)
    np.testing.assert_allclose(std.alphas, by_hand.alphas, rtol=1e-5 if dtype == np.float32 else 1e-10)
    assert std.converged.all()
    floor = oracle.rounding_floor(dtype, y, sw)
    problem = dict(sample_weight=sw, fit_intercept=fit_intercept)
    for i, alpha in enumerate(std.alphas):
        # std.coefs are on the original scale: times sd, they solve the problem on X / sd
        w_std = std.coefs[:, i].astype(np.float64) * sd
        oracle.assert_same_solution(Xs, y, w_std, std.dual_gaps[i], by_hand.coefs[:, i],
                                    by_hand.dual_gaps[i], alpha, 0.8, floor=floor, what=f"alpha[{i}]", **problem)
        oracle.assert_certified(Xs, y, w_std, std.intercepts[i], std.dual_gaps[i], alpha, 0.8, tol=tol,
                                dtype=dtype, **problem)
    np.testing.assert_allclose(std.intercepts, by_hand.intercepts,
                               rtol=1e-3 if dtype == np.float32 else 1e-6, atol=1e-3 * np.abs(y).max())


# ----------------------------------------------------------------------------- sample weights


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_sample_weight_equals_repeated_rows(oracle, dtype, fit_intercept, l1_ratio):
    X, y = oracle.make_regression(25, 10, dtype=dtype, seed=24, intercept=2.0)
    counts = np.random.default_rng(24).integers(0, 4, len(y))
    X_rep, y_rep = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, n_alphas=6, eps=EPS, tol=tol, fit_intercept=fit_intercept, max_iter=100_000)
    weighted = fastreg.enet_path(X, y, sample_weight=counts, **kw)
    repeated = fastreg.enet_path(X_rep, y_rep, **kw)
    np.testing.assert_allclose(weighted.alphas, repeated.alphas, rtol=1e-5 if dtype == np.float32 else 1e-10)
    floor = oracle.rounding_floor(dtype, y_rep)
    for i, alpha in enumerate(weighted.alphas):
        oracle.assert_same_solution(X_rep, y_rep, weighted.coefs[:, i], weighted.dual_gaps[i], repeated.coefs[:, i],
                                    repeated.dual_gaps[i], alpha, l1_ratio, fit_intercept=fit_intercept,
                                    floor=floor, what=f"alpha[{i}]")
        # the weighted gap is in the units of the repeated problem: it certifies there too
        oracle.assert_certified(X_rep, y_rep, weighted.coefs[:, i], weighted.intercepts[i], weighted.dual_gaps[i],
                                alpha, l1_ratio, tol=tol, dtype=dtype, fit_intercept=fit_intercept)
    np.testing.assert_allclose(weighted.intercepts, repeated.intercepts, rtol=1e-3 if dtype == np.float32 else 1e-6,
                               atol=1e-4)


def test_zero_weight_drops_the_row_and_scale_is_irrelevant(oracle, dtype):
    X, y = oracle.make_regression(30, 8, dtype=dtype, seed=25, intercept=1.0)
    sw = np.ones(len(y), dtype=dtype)
    dropped = [0, 7, 19]
    sw[dropped] = 0
    y_bad = y.copy()
    y_bad[dropped] = 1e6  # whatever these rows hold must not matter
    keep = sw > 0
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=0.9, n_alphas=5, tol=tol, fit_intercept=True)
    weighted = fastreg.enet_path(X, y_bad, sample_weight=sw, **kw)
    scaled = fastreg.enet_path(X, y_bad, sample_weight=sw * 7.5, **kw)
    subset = fastreg.enet_path(X[keep], y[keep], **kw)
    np.testing.assert_allclose(weighted.alphas, subset.alphas, rtol=1e-5 if dtype == np.float32 else 1e-10)
    np.testing.assert_allclose(scaled.alphas, subset.alphas, rtol=1e-5 if dtype == np.float32 else 1e-10)
    floor = oracle.rounding_floor(dtype, y[keep])
    for i, alpha in enumerate(subset.alphas):
        for other in (weighted, scaled):
            oracle.assert_same_solution(X[keep], y[keep], other.coefs[:, i], other.dual_gaps[i], subset.coefs[:, i],
                                        subset.dual_gaps[i], alpha, 0.9, fit_intercept=True, floor=floor)
            np.testing.assert_allclose(other.intercepts[i], subset.intercepts[i],
                                       rtol=1e-4 if dtype == np.float32 else 1e-8)


@pytest.mark.parametrize("dtype,n_samples", [(np.float64, 50_000), (np.float32, 90_000)])
def test_tall_data_matches_sklearn(dtype, n_samples):
    """Columns too long for the fused update-and-dot sweep take the separate BLAS branch of the kernel."""
    from sklearn.linear_model import lasso_path as sk_lasso_path

    rng = np.random.default_rng(91)
    X = rng.standard_normal((n_samples, 4)).astype(dtype)
    X[:, 1] += 0.8 * X[:, 0]
    y = (X @ np.array([1.0, -0.5, 0.0, 0.25]) + rng.standard_normal(n_samples)).astype(dtype)
    tol = 1e-10 if dtype == np.float64 else 1e-6
    ours = fastreg.lasso_path(X, y, n_alphas=8, eps=1e-3, tol=tol, max_iter=10_000)
    _, theirs, _ = sk_lasso_path(X.astype(np.float64), y.astype(np.float64), alphas=ours.alphas, tol=1e-13,
                                 max_iter=100_000)
    assert ours.converged.all()
    assert (ours.dual_gaps <= tol * (y.astype(np.float64) @ y) / n_samples).all()
    np.testing.assert_allclose(ours.coefs, theirs, atol=1e-7 if dtype == np.float64 else 2e-3)


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_a_wrong_strong_set_cannot_change_the_answer(oracle, kind):
    # the kernel visits the strong set first; a strong set that misses the support (the rule is a
    # heuristic) must be caught by the full gap and every feature visited again
    from scipy import sparse

    from fastreg._cd_residual import enet_cd_dense, enet_cd_sparse
    from fastreg._design import dense_design, sparse_design

    X, y = oracle.make_regression(120, 30, seed=211, rho=0.5, n_informative=10)
    design = (sparse_design(sparse.csc_matrix(X), y, None, True, False) if kind == "sparse"
              else dense_design(X, y, None, True, False))
    kernel = enet_cd_sparse if kind == "sparse" else enet_cd_dense
    l1 = 0.05 * float(np.abs(design.Xty()).max())
    tol = 1e-12 * design.y_norm2
    solutions = []
    for strong in (None, np.eye(1, 30, 29, dtype=np.uint8)[0]):  # only the last feature
        w = np.zeros(30)
        R = design.residual(w)
        options = dict(max_iter=100_000, tol=tol, tol_step=1e-12, gap_every=10, seed=1, random=False,
                       positive=False, screening=True, anderson=5)
        gap, n_iter, status = kernel(w, l1, 0.0, design.kernel_columns(), design.y, R, design.norm2_cols, options,
                                     strong=strong)
        assert status == 0 and gap <= tol
        solutions.append(w)
    assert np.count_nonzero(solutions[0][:29]) > 0  # the answer needs features outside that strong set
    np.testing.assert_allclose(solutions[1], solutions[0], atol=1e-8)


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_residual_paths_with_strong_sets_match_the_gram_kernel(oracle, kind):
    # correlated features and a coarse grid: every solution of the residual kernel (strong sets, the
    # cached X^T R of the previous penalty) certified and equal to the Gram kernel's
    from scipy import sparse

    X, y = oracle.make_regression(200, 60, seed=211, rho=0.9, n_informative=30)
    alphas = oracle.alpha_max(X, y, 1.0, None, True) * np.array([0.9, 0.2, 0.02, 0.002])
    Xf = sparse.csc_matrix(X) if kind == "sparse" else X
    res = fastreg.enet_path(Xf, y, l1_ratio=1.0, alphas=alphas, fit_intercept=True, tol=1e-11,
                            precompute=False, max_iter=100_000)
    gram = fastreg.enet_path(X, y, l1_ratio=1.0, alphas=alphas, fit_intercept=True, tol=1e-11, precompute=True)
    assert res.solver.endswith("residual")
    for k, alpha in enumerate(alphas):
        oracle.assert_certified(X, y, res.coefs[:, k], res.intercepts[k], res.dual_gaps[k], alpha, 1.0,
                                tol=1e-11, dtype=np.float64, fit_intercept=True, what=f"alpha #{k}")
        oracle.assert_same_solution(X, y, res.coefs[:, k], res.dual_gaps[k], gram.coefs[:, k], gram.dual_gaps[k],
                                    alpha, 1.0, fit_intercept=True, floor=oracle.rounding_floor(np.float64, y),
                                    what=f"alpha #{k}")


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_gaps_stay_true_when_max_iter_stops_a_path(oracle, kind):
    # penalties stopped by max_iter (screening may move the residual after their last gap): the gap
    # returned, and the X^T R the next penalty starts from, must be those of the returned solution
    from scipy import sparse

    X, y = oracle.make_regression(150, 80, seed=212, rho=0.95, n_informative=40)
    Xf = sparse.csc_matrix(X) if kind == "sparse" else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        path = fastreg.enet_path(Xf, y, l1_ratio=0.9, n_alphas=30, eps=1e-3, fit_intercept=True, tol=1e-14,
                                 max_iter=3, precompute=False)
    assert not path.converged.all()
    for k, alpha in enumerate(path.alphas):
        true_gap = oracle.duality_gap(X, y, path.coefs[:, k], alpha, 0.9, None, True)
        # (a gap at the rounding level differs from the oracle's by rounding: the slack scales with y)
        assert path.dual_gaps[k] <= true_gap * (1 + 1e-9) + oracle.rounding_floor(np.float64, y), \
            f"alpha #{k}: gap over-reported (not the returned solution's)"

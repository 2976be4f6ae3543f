"""Working sets for p > n (the residual kernel on growing subsets, checked over every feature)."""
import warnings

import numpy as np
import pytest

import fastreg


def _path(X, y, working_set, **kw):
    """A residual path with working sets switched on or off."""
    kw.setdefault("eps", 1e-2)
    kw.setdefault("n_alphas", 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        return fastreg.enet_path(X, y, precompute=False, working_set=working_set, **kw)


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l1_ratio,positive", [(1.0, False), (0.5, False), (1.0, True)])
def test_working_sets_equal_full_sweeps(oracle, dtype, fit_intercept, l1_ratio, positive):
    # p large enough that the working set must grow several times (it starts at 100 features)
    X, y = oracle.make_regression(60, 600, dtype=dtype, rho=0.8, seed=301, n_informative=40, intercept=2.0)
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, tol=tol, max_iter=100_000, positive=positive, fit_intercept=fit_intercept,
              eps=1e-3)
    ws = _path(X, y, True, **dict(kw))
    full = _path(X, y, False, **dict(kw))
    assert ws.solver == "cd-dense-working-set" and full.solver == "cd-dense-residual"
    assert ws.converged.all() and full.converged.all()
    floor = oracle.rounding_floor(dtype, y)
    for k, alpha in enumerate(ws.alphas):
        oracle.assert_certified(X, y, ws.coefs[:, k], ws.intercepts[k], ws.dual_gaps[k], alpha, l1_ratio,
                                tol=tol, dtype=dtype, fit_intercept=fit_intercept, positive=positive,
                                what=f"alpha #{k}")
        oracle.assert_same_solution(X, y, ws.coefs[:, k], ws.dual_gaps[k], full.coefs[:, k],
                                    full.dual_gaps[k], alpha, l1_ratio, fit_intercept=fit_intercept,
                                    positive=positive, floor=floor, what=f"alpha #{k}")


def test_working_sets_on_degenerate_columns(oracle):
    # duplicated and all-zero columns, an alpha just below alpha_max, and one sample
    X, y = oracle.make_regression(30, 300, seed=307, offsets=False)
    X[:, 5] = X[:, 4]
    X[:, 200:210] = 0
    top = oracle.alpha_max(X, y)
    path = _path(X, y, True, l1_ratio=1.0, tol=1e-10, max_iter=100_000,
                 alphas=[top * (1 - 1e-9), top * 0.5, top * 0.01])
    assert path.converged.all() and np.isfinite(path.coefs).all()
    assert (path.coefs[200:210] == 0).all()
    assert np.count_nonzero(path.coefs[:, 0]) <= 2
    for k, alpha in enumerate(path.alphas):
        oracle.assert_certified(X, y, path.coefs[:, k], 0.0, path.dual_gaps[k], alpha, 1.0, tol=1e-10,
                                dtype=np.float64, what=f"alpha #{k}")
    # one sample: every column is collinear, coordinate descent follows the path from alpha_max
    one = _path(X[:1], y[:1], True, l1_ratio=1.0, tol=1e-10, max_iter=10_000, eps=0.1, n_alphas=10)
    assert one.converged.all()
    for k, alpha in enumerate(one.alphas):
        oracle.assert_certified(X[:1], y[:1], one.coefs[:, k], 0.0, one.dual_gaps[k], alpha, 1.0,
                                tol=1e-10, dtype=np.float64, what=f"one sample, alpha #{k}")


@pytest.mark.parametrize("l1_ratio,positive", [(1.0, False), (0.5, False), (1.0, True)])
def test_anderson_extrapolation_same_solutions_fewer_epochs(oracle, dtype, l1_ratio, positive):
    # correlated columns make plain coordinate descent slow; the extrapolated iterates must reach the
    # same certified solutions in fewer epochs
    X, y = oracle.make_regression(200, 40, dtype=dtype, rho=0.95, seed=311, noise=1.0)
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, tol=tol, max_iter=100_000, positive=positive, eps=1e-3, n_alphas=15)
    fast = _path(X, y, False, anderson=True, **dict(kw))
    plain = _path(X, y, False, anderson=False, **dict(kw))
    assert fast.converged.all() and plain.converged.all()
    if not positive:  # (with positive=True extrapolated points that leave the orthant are often rejected)
        assert fast.n_iters.sum() < 0.8 * plain.n_iters.sum()
    floor = oracle.rounding_floor(dtype, y)
    for k, alpha in enumerate(fast.alphas):
        oracle.assert_certified(X, y, fast.coefs[:, k], 0.0, fast.dual_gaps[k], alpha, l1_ratio, tol=tol,
                                dtype=dtype, positive=positive, what=f"alpha #{k}")
        oracle.assert_same_solution(X, y, fast.coefs[:, k], fast.dual_gaps[k], plain.coefs[:, k],
                                    plain.dual_gaps[k], alpha, l1_ratio, positive=positive, floor=floor,
                                    what=f"alpha #{k}")


def test_public_switches_turn_the_mechanisms_off(oracle):
    X, y = oracle.make_regression(40, 300, seed=313, offsets=False)
    on = fastreg.lasso_path(X, y, n_alphas=10, eps=0.1, tol=1e-10, max_iter=100_000, return_n_iter=True)
    off = fastreg.lasso_path(X, y, n_alphas=10, eps=0.1, tol=1e-10, max_iter=100_000, return_n_iter=True,
                             working_set=False, anderson=False)
    assert on.solver == "cd-dense-working-set" and off.solver == "cd-dense-residual"
    assert on.converged.all() and off.converged.all()
    assert on.n_iters.sum() < off.n_iters.sum()
    np.testing.assert_allclose(on.coefs, off.coefs, atol=1e-5)
    Xt, yt = oracle.make_regression(300, 20, seed=317, offsets=False)
    a = fastreg.lasso_path(Xt, yt, n_alphas=10, tol=1e-12, precompute=True, return_n_iter=True)
    b = fastreg.lasso_path(Xt, yt, n_alphas=10, tol=1e-12, precompute=True, newton=False, return_n_iter=True)
    assert a.n_iters.sum() < b.n_iters.sum()  # Newton steps did the work in `a` only
    np.testing.assert_allclose(a.coefs, b.coefs, atol=1e-8)


def test_unreachable_float32_target_does_not_starve_the_working_set():
    # tol far below what float32 can certify: the first round's inner solve runs out of epochs; the
    # features left out of it must still get their rounds (the gap ends near the full sweeps' floor)
    rng = np.random.default_rng(311)
    X = (rng.standard_normal((60, 150)) * (rng.random((60, 150)) < 0.1) * 3 + 1.0).astype(np.float32)
    y = (X @ rng.standard_normal(150) + rng.standard_normal(60) + 5).astype(np.float32)
    kw = dict(l1_ratio=1.0, alphas=[0.05], tol=1e-10, max_iter=3000, fit_intercept=True)
    ws = _path(X, y, True, **dict(kw))
    full = _path(X, y, False, **dict(kw))
    assert not ws.converged[0] and not full.converged[0]
    assert ws.dual_gaps[0] <= 10 * full.dual_gaps[0]


@pytest.mark.parametrize("l1_ratio,positive", [(1.0, False), (0.5, False), (1.0, True)])
def test_bounded_checks_certify_without_passes_over_X(oracle, dtype, monkeypatch, l1_ratio, positive):
    # features outside the working set certified by |x_j^T R| <= |x_j^T R_k| + ||x_j|| ||R - R_k||: the
    # same certified solutions as a pass over X at every check, with fewer passes
    from fastreg import _solvers

    X, y = oracle.make_regression(60, 1500, dtype=dtype, rho=0.6, seed=311, n_informative=30, intercept=1.0)
    sw = np.random.default_rng(3).uniform(0.5, 2.0, len(y))
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, tol=tol, max_iter=100_000, positive=positive, fit_intercept=True, eps=1e-2,
              n_alphas=25, sample_weight=sw)
    passes = []
    full_gap = _solvers._full_gap
    monkeypatch.setattr(_solvers, "_full_gap", lambda *a: passes.append(1) or full_gap(*a))
    bounded = _path(X, y, True, **kw)
    n_bounded = len(passes)
    monkeypatch.setattr(_solvers, "BOUNDED_CHECKS", False)
    passes.clear()
    exact = _path(X, y, True, **kw)
    assert bounded.converged.all() and exact.converged.all()
    assert len(passes) == len(bounded.alphas) and n_bounded < 0.8 * len(passes)
    floor = oracle.rounding_floor(dtype, y)
    for k, alpha in enumerate(bounded.alphas):
        oracle.assert_certified(X, y, bounded.coefs[:, k], bounded.intercepts[k], bounded.dual_gaps[k], alpha,
                                l1_ratio, tol=tol, dtype=dtype, fit_intercept=True, positive=positive,
                                sample_weight=sw, what=f"alpha #{k}")
        oracle.assert_same_solution(X, y, bounded.coefs[:, k], bounded.dual_gaps[k], exact.coefs[:, k],
                                    exact.dual_gaps[k], alpha, l1_ratio, fit_intercept=True, positive=positive,
                                    floor=floor, sample_weight=sw, what=f"alpha #{k}")

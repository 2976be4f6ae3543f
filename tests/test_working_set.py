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
    small = _path(X, y, True, **kw)  # below BOUNDED_MIN_ELEMENTS: a full pass per check, no bounds
    assert small.converged.all() and len(passes) >= len(small.alphas)
    passes.clear()
    monkeypatch.setattr(_solvers, "BOUNDED_MIN_ELEMENTS", 0)
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


def _member_spy(monkeypatch):
    """Counts the Newton solves on the members' Gram (`MemberGram.solve`) and their epochs."""
    from fastreg import _solvers

    calls = []
    solve = _solvers.MemberGram.solve

    def spy(self, *args):
        calls.append(solve(self, *args))
        return calls[-1]

    monkeypatch.setattr(_solvers.MemberGram, "solve", spy)
    return calls


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("options", [dict(l1_ratio=1.0), dict(l1_ratio=0.5), dict(l1_ratio=1.0, positive=True),
                                     dict(l1_ratio=0.8, penalty="factors"), dict(l1_ratio=1.0, penalty="bounds")])
def test_newton_steps_on_the_members_gram_give_the_certified_solutions(oracle, dtype, monkeypatch, fit_intercept,
                                                                       options):
    # the Gram of the supports' members from the first penalty on (MEMBER_GRAM_EPOCHS = 0): the same
    # certified solutions as coordinate descent alone, whatever the penalty's options
    from fastreg import _solvers

    options = dict(options)
    X, y = oracle.make_regression(50, 700, dtype=dtype, rho=0.9, seed=331, n_informative=45, intercept=1.5)
    rng = np.random.default_rng(4)
    sw = rng.uniform(0.5, 2.0, len(y))
    penalty = options.pop("penalty", None)
    if penalty == "factors":
        # (positive factors: a factor 0 projects its feature out, a design without the members' Gram)
        options["penalty_factor"] = rng.uniform(0.5, 2.0, X.shape[1])
    elif penalty == "bounds":
        options["lower_bounds"] = np.full(X.shape[1], -0.5)
        options["upper_bounds"] = np.full(X.shape[1], 2.0)
    # (float32: 1e-5; at rho 0.9 the end of the path sits at float32's rounding floor near 1e-6, where
    # whether a variant converges is luck: any of the three may stall there)
    tol = 1e-5 if dtype == np.float32 else oracle.tight_tol(dtype)
    kw = dict(options, tol=tol, max_iter=100_000, fit_intercept=fit_intercept, eps=1e-3, n_alphas=30,
              sample_weight=sw)
    monkeypatch.setattr(_solvers, "MEMBER_GRAM_EPOCHS", 0)
    calls = _member_spy(monkeypatch)
    newton = _path(X, y, True, **kw)
    assert len(calls) > 0, "the members' Gram was never used"
    # members capped at n: the Gram is switched off along the path, coordinate descent finishes
    monkeypatch.setattr(_solvers, "MEMBER_GRAM_ROWS", 1)
    capped = _path(X, y, True, **kw)
    monkeypatch.setattr(_solvers, "MEMBER_GRAM_ROWS", 2)
    monkeypatch.setattr(_solvers, "MEMBER_GRAM", False)
    calls.clear()
    plain = _path(X, y, True, **kw)
    assert not calls
    # (coordinate descent alone may stall short of a tight target at the end of the path)
    assert newton.converged.all() and capped.converged.all() and plain.converged[:-3].all()
    floor = oracle.rounding_floor(dtype, y, sw)
    l1_ratio, positive = kw["l1_ratio"], kw.get("positive", False)
    for k, alpha in enumerate(newton.alphas):
        if penalty is None:  # (the oracle's gap is the plain ElasticNet's)
            oracle.assert_certified(X, y, newton.coefs[:, k], newton.intercepts[k], newton.dual_gaps[k], alpha,
                                    l1_ratio, tol=tol, dtype=dtype, fit_intercept=fit_intercept,
                                    positive=positive, sample_weight=sw, what=f"alpha #{k}")
        if plain.converged[k]:
            assert newton.dual_gaps[k] <= 2 * tol * np.average(y * y, weights=sw) + floor
        if penalty is None:
            oracle.assert_certified(X, y, capped.coefs[:, k], capped.intercepts[k], capped.dual_gaps[k], alpha,
                                    l1_ratio, tol=tol, dtype=dtype, fit_intercept=fit_intercept,
                                    positive=positive, sample_weight=sw, what=f"capped, alpha #{k}")
        if penalty == "bounds":
            assert (newton.coefs[:, k] >= -0.5).all() and (newton.coefs[:, k] <= 2.0).all()
        if penalty is None and plain.converged[k]:
            oracle.assert_same_solution(X, y, newton.coefs[:, k], newton.dual_gaps[k], plain.coefs[:, k],
                                        plain.dual_gaps[k], alpha, l1_ratio, fit_intercept=fit_intercept,
                                        positive=positive, floor=floor, sample_weight=sw, what=f"alpha #{k}")


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_newton_rounds_verified_by_the_check_alone(oracle, dtype, monkeypatch, fit_intercept, l1_ratio):
    # with bounds, a first Newton round that reaches its target on M is verified by the check over every
    # feature alone (no epochs of the residual kernel first); a check that fails runs the skipped epochs,
    # then the rounds: the same certified solutions as with the epochs always run
    from fastreg import _solvers

    X, y = oracle.make_regression(50, 700, dtype=dtype, rho=0.9, seed=331, n_informative=45, intercept=1.5)
    tol = 1e-5 if dtype == np.float32 else oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, tol=tol, max_iter=100_000, fit_intercept=fit_intercept, eps=1e-3, n_alphas=30)
    monkeypatch.setattr(_solvers, "MEMBER_GRAM_EPOCHS", 0)
    monkeypatch.setattr(_solvers, "BOUNDED_MIN_ELEMENTS", 0)
    events, W = [], _solvers.WorkingSetSolver
    newton_rounds, check = W._newton_rounds, W.check

    def rounds_spy(self, *args, **kwargs):
        out = newton_rounds(self, *args, **kwargs)
        events.append("verified" if out[3] else "unverified")
        return out

    def check_spy(self, *args):
        gap = check(self, *args)
        events.append("passed" if gap <= self.tol_gap else "failed")
        return gap

    monkeypatch.setattr(W, "_newton_rounds", rounds_spy)
    monkeypatch.setattr(W, "check", check_spy)
    short = _path(X, y, True, **kw)
    after = list(zip(events, events[1:]))
    assert ("unverified", "passed") in after, "no Newton round was verified by the check alone"
    assert ("unverified", "failed") in after, "no check failed after a Newton round"
    monkeypatch.setattr(_solvers, "NEWTON_CHECKED_BY_GAP", False)
    events.clear()
    always = _path(X, y, True, **kw)
    assert "unverified" not in events
    assert short.converged.all() and always.converged.all()
    floor = oracle.rounding_floor(dtype, y)
    for k, alpha in enumerate(short.alphas):
        oracle.assert_certified(X, y, short.coefs[:, k], short.intercepts[k], short.dual_gaps[k], alpha,
                                l1_ratio, tol=tol, dtype=dtype, fit_intercept=fit_intercept, what=f"alpha #{k}")
        oracle.assert_same_solution(X, y, short.coefs[:, k], short.dual_gaps[k], always.coefs[:, k],
                                    always.dual_gaps[k], alpha, l1_ratio, fit_intercept=fit_intercept,
                                    floor=floor, what=f"alpha #{k}")


@pytest.mark.parametrize("l1_ratio,cap", [(1.0, 150), (0.7, 240)])
def test_members_at_their_cap_drop_the_old_ones_and_keep_the_factor(oracle, monkeypatch, l1_ratio, cap):
    # members capped on a design whose supports come near n = 120 (past it with an l2 part): M
    # reaches the cap, drops the members outside the support and the Newton factor (`_compact`) and
    # the Gram stays on; after every admission G_MM and X_M^T y are the members' own and the factor
    # (positions remapped) is the Cholesky factor of the factored members' G + l2 I
    from fastreg import _solvers

    X, y = oracle.make_regression(120, 2000, rho=0.9, seed=337, n_informative=110)
    compactions, checked, offs = [], [], []
    compact, admit = _solvers.MemberGram._compact, _solvers.MemberGram.admit

    def spy_compact(self, features):
        before = self.features.size
        left = compact(self, features)
        compactions.append((before, left))
        return left

    def spy_admit(self, features, candidates=()):
        ok = admit(self, features, candidates)
        offs.append(not ok)
        if ok:
            d, M = self.design, self.features
            assert self.is_member.sum() == M.size and self.is_member[M].all()
            assert self.is_member[features].all(), "the support must be held by M"
            X_M = d.X[:, M].astype(np.float64)
            np.testing.assert_allclose(self.G, X_M.T @ X_M, rtol=1e-12, atol=1e-12 * np.abs(self.G).max())
            np.testing.assert_allclose(self.Xty, X_M.T @ d.y, rtol=1e-12, atol=1e-12 * np.abs(self.Xty).max())
            np.testing.assert_array_equal(self.columns, d.X[:, M])
            ws = self.workspace
            k = ws.n_factored
            if k and ws.factor_l2 >= 0:  # (the factor of G_FF + l2 I; -1: none built yet)
                order, U = ws.order[:k], np.triu(ws.U[:k, :k])
                np.testing.assert_allclose(U.T @ U, self.G[np.ix_(order, order)] + ws.factor_l2 * np.eye(k),
                                           rtol=1e-9, atol=1e-9 * np.abs(self.G).max())
                checked.append(len(compactions))
        return ok

    monkeypatch.setattr(_solvers.MemberGram, "_compact", spy_compact)
    monkeypatch.setattr(_solvers.MemberGram, "admit", spy_admit)
    monkeypatch.setattr(_solvers, "MEMBER_GRAM_BYTES", cap * cap * X.itemsize)
    calls = _member_spy(monkeypatch)
    kw = dict(l1_ratio=l1_ratio, tol=1e-10, max_iter=100_000, eps=1e-3, n_alphas=40)
    path = _path(X, y, True, **kw)
    assert any(left < before for before, left in compactions), "M never reached its cap: an easy design"
    assert any(checked), "no factor was checked after a compaction"
    # the Gram stayed on to the end
    assert len(calls) > 0 and not any(offs) and path.converged.all()
    for k, alpha in enumerate(path.alphas):
        oracle.assert_certified(X, y, path.coefs[:, k], 0.0, path.dual_gaps[k], alpha, l1_ratio, tol=1e-10,
                                dtype=np.float64, what=f"alpha #{k}")


def test_newton_steps_start_where_coordinate_descent_stalls(oracle, monkeypatch):
    # supports near n on a correlated p >> n design: coordinate descent needs many epochs per penalty,
    # the members' Gram takes over and the path needs far fewer epochs, with the same solutions
    from fastreg import _solvers

    X, y = oracle.make_regression(120, 2000, rho=0.9, seed=337, n_informative=110)
    kw = dict(l1_ratio=1.0, tol=1e-10, max_iter=100_000, eps=1e-3, n_alphas=40)
    calls = _member_spy(monkeypatch)
    newton = _path(X, y, True, **kw)
    assert calls, "coordinate descent never stalled: the design is too easy for this test"
    monkeypatch.setattr(_solvers, "MEMBER_GRAM", False)
    plain = _path(X, y, True, **kw)
    # coordinate descent alone stalls short of the target at the end of the path
    assert newton.converged.all() and plain.converged[:-3].all()
    assert newton.n_iters.sum() < 0.7 * plain.n_iters.sum()
    for k, alpha in enumerate(newton.alphas):
        oracle.assert_certified(X, y, newton.coefs[:, k], 0.0, newton.dual_gaps[k], alpha, 1.0, tol=1e-10,
                                dtype=np.float64, what=f"alpha #{k}")


def test_working_set_columns_buffer_holds_each_set(oracle):
    # the buffer of the working set's columns, updated by copying only the features that join
    from fastreg import _solvers

    X, _ = oracle.make_regression(20, 300, seed=341)
    rng = np.random.default_rng(5)
    # a solver with only what `_columns` reads: a dense design's X and rows
    d = _solvers.DenseDesign.__new__(_solvers.DenseDesign)
    object.__setattr__(d, "X", np.asfortranarray(X))
    object.__setattr__(d, "n_samples", X.shape[0])
    object.__setattr__(d, "norm2_cols", np.ones(X.shape[1]))
    solver = _solvers.WorkingSetSolver.__new__(_solvers.WorkingSetSolver)
    solver.design = d
    solver._buffer, solver._held = None, np.empty(0, dtype=np.intp)
    solver._in_buffer = np.zeros(X.shape[1], dtype=bool)
    solver._mark = np.zeros(X.shape[1], dtype=bool)
    ws = np.sort(rng.choice(300, 40, replace=False))
    for step in range(60):
        size = int(rng.integers(1, 200))
        keep = rng.choice(ws, min(ws.size, int(rng.integers(0, ws.size + 1))), replace=False)
        fresh = rng.choice(300, size, replace=False)
        ws = np.union1d(keep, fresh)[:size] if step % 7 else np.sort(rng.choice(300, size, replace=False))
        order, (columns,) = solver._columns(ws)
        assert np.array_equal(np.sort(order), ws), f"step {step}: not the working set"
        assert columns.flags.f_contiguous and np.array_equal(columns, X[:, order]), f"step {step}: wrong columns"
        assert np.flatnonzero(solver._in_buffer).tolist() == ws.tolist() and not solver._mark.any()


def test_ranking_kernel_matches_numpy(dtype):
    # the compiled ranking against its definition: the support, then the zeros of smallest gap-safe
    # distance (ties to the lowest index), in index order; zero columns and NaN distances never chosen
    from fastreg._cd_residual import rank_working_set

    rng = np.random.default_rng(7)
    for trial in range(460):
        # (then larger p, where the selection partitions many times and may fall back to sorting:
        # few distinct values)
        p = int(rng.integers(1, 80)) if trial < 400 else int(rng.integers(500, 5000))
        XtR = rng.standard_normal(p).astype(dtype)
        if trial % 2:
            XtR = np.round(XtR, 1 if trial < 430 else 0)  # ties
        if trial % 5 == 0:
            XtR[rng.integers(p)] = np.nan
        w = np.where(rng.random(p) < 0.2, rng.standard_normal(p), 0).astype(dtype)
        norm = np.where(rng.random(p) < 0.1, 0.0, rng.random(p) + 0.5)
        inv = np.divide(1.0, norm, out=np.zeros(p), where=norm > 0)
        positive, l1 = bool(trial % 3 == 0), float(rng.random() * 2)
        k = int(rng.integers(0, p + 1))
        distance, out = np.empty(p), np.empty(k, dtype=np.intp)
        n_support = rank_working_set(XtR, w, l1, inv, positive, distance, np.empty(p), out)
        magnitude = XtR.astype(np.float64) if positive else np.abs(XtR.astype(np.float64))
        with np.errstate(invalid="ignore"):
            ref = (l1 - magnitude) * inv
        ref = np.where(np.isnan(ref) | (norm == 0), np.inf, ref)
        ref[w != 0] = -np.inf
        np.testing.assert_array_equal(distance, ref)
        assert n_support == np.count_nonzero(w)
        np.testing.assert_array_equal(out, np.sort(np.argsort(ref, kind="stable")[:k]))


def test_column_buffer_kernel_keeps_and_copies_the_right_columns(dtype):
    # the buffer after a refill holds exactly the wanted features' columns; kept features below the
    # new size stay in place, and only the joining ones are copied from X
    from fastreg._cd_residual import refill_columns

    rng = np.random.default_rng(8)
    for trial in range(300):
        n, p = int(rng.integers(0, 6)), int(rng.integers(1, 40))
        X = np.asfortranarray(rng.standard_normal((n, p)).astype(dtype))
        capacity = int(rng.integers(1, p + 1))
        held = rng.choice(p, int(rng.integers(0, capacity + 1)), replace=False).astype(np.intp)
        buffer = np.asfortranarray(rng.standard_normal((n, capacity)).astype(dtype))
        buffer[:, :held.size] = X[:, held]
        in_buffer = np.zeros(p, np.uint8)
        in_buffer[held] = 1
        ws = np.sort(rng.choice(p, int(rng.integers(0, capacity + 1)), replace=False)).astype(np.intp)
        mark, order = np.zeros(p, np.uint8), np.empty(ws.size, np.intp)
        copied = refill_columns(X, buffer, held, ws, in_buffer, mark, order)
        np.testing.assert_array_equal(np.sort(order), ws)
        np.testing.assert_array_equal(buffer[:, :ws.size], X[:, order])
        assert not mark.any() and copied == np.setdiff1d(ws, held).size
        np.testing.assert_array_equal(np.flatnonzero(in_buffer), ws)
        for k in range(min(held.size, ws.size)):
            if held[k] in ws:
                assert order[k] == held[k]
    with pytest.raises(ValueError, match="twice"):
        refill_columns(X, np.empty((n, 2), dtype, order="F"), held[:0], np.zeros(2, np.intp),
                       np.zeros(p, np.uint8), np.zeros(p, np.uint8), np.empty(2, np.intp))


def test_bounded_products_kernel_matches_numpy(dtype):
    # the compiled check against its definition: per live reference point the two bounds (c = 1, and
    # the c nearest R), the smaller per feature outside ws into XtR below l1_reg, the others and ws
    # computed exactly; then the points nobody refers to freed, R stored in the first free slot and
    # the computed features referring to it. -1 (nothing but XtR changed) past max_unsure or with no
    # free slot
    from fastreg._cd_residual import bounded_products

    rng = np.random.default_rng(9)
    eps = np.finfo(dtype).eps
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    n_checked = 0
    for trial in range(300):
        n, p, K = int(rng.integers(1, 12)), int(rng.integers(1, 60)), int(rng.integers(1, 6))
        X = np.asfortranarray(rng.standard_normal((n, p)).astype(dtype))
        R = rng.standard_normal(n).astype(dtype)
        points = rng.standard_normal((K, n))
        alive = (rng.random(K) < 0.6).astype(np.uint8)
        alive[0] = 1
        if trial % 6 == 0:
            alive[:] = 1
        if trial % 9 == 0:
            points[0] = 0  # (a zero point: c = 1)
        reference_of = rng.choice(np.flatnonzero(alive), p).astype(np.intp)
        exact = rng.standard_normal(p)
        if trial % 7 == 0:
            exact[rng.integers(p)] = np.nan
        norm = rng.random(p) + 0.1
        ws = rng.choice(p, int(rng.integers(0, p + 1)), replace=False).astype(np.intp)
        X_ws = np.asfortranarray(X[:, ws])
        positive, l1 = bool(trial % 3 == 0), float(rng.random() * 3)
        unit, max_unsure = 4 * np.sqrt(n) * float(eps), int(rng.integers(0, p + 1))
        XtR, unsure, mark = np.full(p, 7.0, dtype=dtype), np.empty(p, np.intp), np.zeros(p, np.uint8)
        before = [a.copy() for a in (points, alive, exact, reference_of)]
        count = bounded_products(X, X_ws, ws, R, points, alive, exact, norm, reference_of, mark, positive, l1,
                                 unit, max_unsure, XtR, unsure)
        assert not mark.any()
        R64 = R.astype(np.float64)
        moved, scale = np.full((2, K), np.inf), np.ones((2, K))
        for k in np.flatnonzero(before[1]):
            P = before[0][k]
            p2 = P @ P
            c = (P @ R64) / p2 if p2 > 0 else 1.0
            rounding = unit * max(np.linalg.norm(R64), np.sqrt(p2))
            moved[:, k] = np.linalg.norm(R64 - P) + rounding, np.linalg.norm(R64 - c * P) + abs(c) * rounding
            scale[1, k] = c if positive else abs(c)
        k = before[3]
        start = before[2] if positive else np.abs(before[2])
        b0, b1 = scale[0, k] * start + norm * moved[0, k], scale[1, k] * start + norm * moved[1, k]
        with np.errstate(invalid="ignore"):
            bound = np.where(b0 <= b1, b0, b1)  # (a NaN in the second bound makes it NaN: unsure)
        outside = ~np.isin(np.arange(p), ws)
        sure = outside & (bound < l1)
        listed = np.flatnonzero(outside & ~(bound < l1))
        if before[1].all() or listed.size > max_unsure:
            assert count == -1
            for a, b in zip((points, alive, exact, reference_of), before):
                np.testing.assert_array_equal(a, b)
            continue
        n_checked += 1
        assert count == listed.size
        np.testing.assert_array_equal(unsure[:count], listed)
        np.testing.assert_allclose(XtR[sure], bound[sure].astype(dtype), rtol=rtol)
        computed = np.concatenate((ws, listed))
        # (products of n terms in any order: within n u sum_i |x_ij| |R_i| of the float64 value)
        exact_products = X[:, computed].astype(np.float64).T @ R64
        slack = 2 * n * float(eps) * (np.abs(X[:, computed]).astype(np.float64).T @ np.abs(R64))
        assert (np.abs(XtR[computed] - exact_products) <= slack).all()
        slot = int(np.flatnonzero(before[1] == 0)[0])
        kept = before[1].astype(bool) & (np.bincount(k[sure], minlength=K) > 0)
        kept[slot] = True
        np.testing.assert_array_equal(alive, kept.astype(np.uint8))
        np.testing.assert_array_equal(points[slot], R64)
        others = before[1].astype(bool)
        others[slot] = False
        np.testing.assert_array_equal(points[others], before[0][others])
        np.testing.assert_array_equal(reference_of[computed], slot)
        np.testing.assert_array_equal(exact[computed], XtR[computed].astype(np.float64))
        rest = np.setdiff1d(np.arange(p), computed)
        np.testing.assert_array_equal(reference_of[rest], before[3][rest])
        np.testing.assert_array_equal(exact[rest], before[2][rest])
    assert n_checked > 100
    X = np.asfortranarray(np.ones((2, 3), dtype=dtype))
    args = lambda **kw: {**dict(X=X, X_ws=np.asfortranarray(X[:, :1]), ws=np.array([0], np.intp),
                               R=np.ones(2, dtype), points=np.zeros((2, 2)), alive=np.array([1, 0], np.uint8),
                               exact=np.zeros(3), norm=np.ones(3), reference_of=np.zeros(3, np.intp),
                               mark=np.zeros(3, np.uint8), positive=False, l1_reg=10.0, unit=0.0, max_unsure=3,
                               XtR=np.zeros(3, dtype), unsure=np.empty(3, np.intp)), **kw}
    assert bounded_products(**args()) == 0
    with pytest.raises(IndexError, match="reference point"):
        bounded_products(**args(reference_of=np.array([0, 0, 2], np.intp)))
    with pytest.raises(IndexError, match="out of range"):
        bounded_products(**args(ws=np.array([3], np.intp)))
    with pytest.raises(ValueError, match="one column per feature of ws"):
        bounded_products(**args(X_ws=np.asfortranarray(X[:, :2])))
    with pytest.raises(ValueError, match="one entry per feature"):
        bounded_products(**args(exact=np.zeros(2)))


@pytest.mark.parametrize("positive", [False, True])
def test_bounds_outside_the_working_set_bound_the_exact_products(oracle, dtype, monkeypatch, positive):
    # every value bounded_gap leaves in XtR outside the features it computed is at least the exact
    # x_j^T R (|x_j^T R|); checks of a path are settled by the bounds
    from fastreg import _solvers

    X, y = oracle.make_regression(60, 1500, dtype=dtype, rho=0.6, seed=313, n_informative=30)
    checks, bounded_gap = [], _solvers.WorkingSetSolver.bounded_gap

    def spy(self, w, l1_reg, l2_reg, ws, X_ws):
        gap = bounded_gap(self, w, l1_reg, l2_reg, ws, X_ws)
        if gap is not None:
            d = self.design
            exact = d.X.astype(np.float64).T @ self.R.astype(np.float64)
            magnitude = exact if self.positive else np.abs(exact)
            # (the rounding of a product of n terms: n u ||x_j|| ||R||)
            slack = 4 * len(self.R) * np.finfo(dtype).eps * self.norm * np.linalg.norm(self.R.astype(np.float64))
            got = self.XtR.astype(np.float64)
            # (the features computed hold x_j^T R itself, signed)
            assert ((got >= magnitude - slack) | (np.abs(got - exact) <= slack)).all()
            checks.append(gap)
        return gap

    monkeypatch.setattr(_solvers, "BOUNDED_MIN_ELEMENTS", 0)
    monkeypatch.setattr(_solvers.WorkingSetSolver, "bounded_gap", spy)
    path = _path(X, y, True, l1_ratio=1.0, tol=oracle.tight_tol(dtype), max_iter=100_000, positive=positive,
                 fit_intercept=False, eps=1e-2, n_alphas=25)
    assert path.converged.all() and len(checks) >= 10

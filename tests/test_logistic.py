"""The binomial family: `fastreg.logistic_path` and `fastreg.LogisticRegression`.

Every solution is checked against `logistic_reference` (an independent NumPy solver and certificate,
itself checked against scikit-learn below) with bounds derived from the returned duality gap G
(P(w, b) - P* <= G, objective units):

- honesty: P(fastreg) - P(reference) <= G + rounding, and P(reference) - P(fastreg) <= the reference's own
  certified gap + rounding;
- the stopping rule: G <= tol * null objective when `converged`;
- closeness of coefficients: the Bregman divergence B of the smooth part between the two solutions obeys
  B <= G + kkt(reference) . |difference| (convexity of the L1 part), and B >= 1/2 exp(-|d eta|_inf) d^T H d
  (the logistic curvature changes by at most e^|d eta|), which bounds |d|_2 on the union of the supports;
- KKT recomputed from X, y and the returned (w, b): each coordinate's violation within what G allows.
"""
import importlib.util
import pathlib
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk_lm
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastreg

# the reference lives beside this file; with --import-mode=importlib, tests cannot import siblings by name
_spec = importlib.util.spec_from_file_location("logistic_reference",
                                               pathlib.Path(__file__).with_name("logistic_reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

DTYPES = (np.float32, np.float64)


def tight_tol(dtype):
    return 1e-6 if np.dtype(dtype) == np.float32 else 1e-10


def rounding(dtype, n):
    """Absolute slack for rounding, in units of the null objective (a mean log-loss, <= log 2)."""
    factor = 1e-6 if np.dtype(dtype) == np.float32 else 1e-13
    return factor * max(1.0, np.sqrt(n) / 8)


def make_data(n, p, *, seed=0, dtype=np.float64, rho=0.5, offsets=True, n_informative=None, signal=1.5,
              intercept=0.4):
    """Correlated Gaussian columns of different scales and means; labels drawn from a sparse logistic
    model (both classes always present)."""
    rng = np.random.default_rng(seed)
    idx = np.arange(p)
    cov = rho ** np.abs(idx[:, None] - idx[None, :])
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(cov).T
    k = n_informative if n_informative is not None else max(1, p // 4)
    w = np.zeros(p)
    support = rng.choice(p, size=min(k, p), replace=False)
    w[support] = signal * rng.uniform(0.5, 1.5, len(support)) * rng.choice([-1.0, 1.0], len(support))
    eta = X @ w + intercept
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.float64)
    y[:2] = [0.0, 1.0]
    if offsets:
        X = X * rng.uniform(0.5, 3.0, p) + rng.uniform(-2.0, 2.0, p)
    return X.astype(dtype), y


def path(X, y, **kw):
    return fastreg.logistic_path(X, y, **kw)


# ----------------------------------------------------------------------------- certificate checks


def check_solution(X, y, w, b, gap, alpha, l1_ratio, *, dtype, tol=None, converged=None, sample_weight=None,
                   penalty_factor=None, fit_intercept=True, positive=False, standardize=False, what=""):
    """(w, b, gap) from fastreg solves P at alpha as it claims (see the module docstring)."""
    problem = dict(sample_weight=sample_weight, penalty_factor=penalty_factor, fit_intercept=fit_intercept,
                   positive=positive, standardize=standardize)
    prob = ref.LogisticProblem(X, y, alpha, l1_ratio, **problem)
    n = prob.n
    w = np.asarray(w, dtype=np.float64).ravel()
    b = float(b)
    gap = float(gap)
    null = ref.null_objective(y, sample_weight, fit_intercept)
    floor = rounding(dtype, n) * null
    msg = f"{what} alpha={alpha:.4g}"
    assert w.shape == (prob.p,), msg
    assert np.isfinite(w).all() and np.isfinite(b), f"{msg}: non-finite solution"
    if not fit_intercept:
        assert b == 0.0, f"{msg}: intercept {b} without fit_intercept"
    if positive:
        assert (w >= 0).all(), f"{msg}: negative coefficients {w[w < 0]} with positive=True"
    assert (w[prob.excluded] == 0).all(), f"{msg}: excluded features got {w[prob.excluded]}"
    assert np.isfinite(gap) and gap >= -floor, f"{msg}: returned gap {gap!r}"
    if converged:
        assert gap <= tol * null + floor, f"{msg}: converged with gap {gap:.3e} > tol * null = {tol * null:.3e}"

    w_ref, b_ref, info = ref.solve(X, y, alpha, l1_ratio, return_info=True, **problem)
    assert info["kkt"] <= 1e-9 and info["gap"] <= 1e-12, f"{msg}: the reference did not converge: {info}"
    P = prob.objective(w, b)
    P_ref = info["objective"]
    G = max(gap, 0.0) + floor
    # evaluating P rounds each eta_i = x_i^T w + b by about u (|x_i|^T |w| + |b|) and the log-loss moves by
    # at most as much: columns far off center (w and b cancelling in eta) make that the larger slack
    def evaluation(w_, b_):
        eta_size = np.abs(prob.X) @ np.abs(w_) + (abs(b_) if prob.fit_intercept else 0.0)
        return 4 * np.finfo(np.float64).eps * float(prob.s @ eta_size) / n

    compared = floor + evaluation(w, b) + evaluation(w_ref, b_ref)
    assert P - P_ref <= max(gap, 0.0) + compared, (
        f"{msg}: dishonest certificate: P(fastreg) - P(reference) = {P - P_ref:.3e} > gap {gap:.3e} "
        f"(+ rounding {compared:.1e})")
    assert P_ref - P <= max(info["gap"], 0.0) + compared, (
        f"{msg}: fastreg's objective {P!r} is below the certified optimum {P_ref!r} - {info['gap']:.1e}")

    # closeness of coefficients
    viol_ref, viol_b_ref = ref.kkt_violation(None, None, w_ref, b_ref, alpha, l1_ratio, problem=prob)
    d, db = w - w_ref, b - b_ref
    B = ref.bregman(None, None, w, b, w_ref, b_ref, alpha, l1_ratio, problem=prob)
    B_allowed = G + float(viol_ref @ np.abs(d)) + viol_b_ref * abs(db) + 1e-15
    assert B <= B_allowed, (
        f"{msg}: coefficients too far from the reference (max |dw| = {np.abs(d).max():.3e}, |db| = {abs(db):.3e}): "
        f"Bregman divergence {B:.3e} > gap allowance {B_allowed:.3e}")
    union = (w != 0) | (w_ref != 0)
    if union.any() or fit_intercept:
        cols = [prob.X[:, union]] + ([np.ones((n, 1))] if fit_intercept else [])
        Z = np.hstack(cols)
        eta_ref = prob.eta(w_ref, b_ref)
        sig = 1 / (1 + np.exp(-eta_ref))
        H = (Z.T * (prob.s * sig * (1 - sig) / n)) @ Z
        H[: union.sum(), : union.sum()] += np.diag(prob.c[union])
        lam = float(np.linalg.eigvalsh(H)[0])
        if lam > 1e-8:
            dvec = np.concatenate([d[union]] + ([[db]] if fit_intercept else []))
            shift = float(np.abs(prob.eta(w, b) - eta_ref).max())
            bound = np.sqrt(2 * np.exp(shift) * B_allowed / lam)
            assert np.linalg.norm(dvec) <= bound * (1 + 1e-9) + 1e-12, (
                f"{msg}: |(dw, db)| = {np.linalg.norm(dvec):.3e} > {bound:.3e} (from the gap)")

    # KKT at fastreg's solution, recomputed
    viol, viol_b = ref.kkt_violation(None, None, w, b, alpha, l1_ratio, problem=prob)
    allowed, allowed_b = ref.kkt_allowance(None, None, w, G, alpha, l1_ratio, problem=prob)
    slack = 1e-12 + 1e-9 * prob.a
    bad = viol > allowed + slack
    assert not bad.any(), (
        f"{msg}: KKT violated at features {np.flatnonzero(bad)}: violation {viol[bad]}, allowed {allowed[bad]} "
        f"(w = {w[bad]})")
    assert viol_b <= allowed_b + 1e-12, f"{msg}: intercept gradient {viol_b:.3e} > allowed {allowed_b:.3e}"
    return dict(P=P, P_ref=P_ref, w_ref=w_ref, b_ref=b_ref)


def assert_same_solution(X, y, alpha, l1_ratio, sol1, sol2, *, dtype=np.float64, what="", **problem):
    """Two certified solutions (w, b, gap) of the same problem are as close as their gaps allow: with H the
    Hessian of the smooth part at the (reference) optimum on the union of the supports and the intercept,
    |(w_k, b_k) - opt|_H <= sqrt(2 e^s_k G_k) (s_k = max |d eta_k|), so |(w1 - w2, b1 - b2)|_2 is at most
    the sum of sqrt(2 e^s_k G_k / lambda_min(H))."""
    prob = ref.LogisticProblem(X, y, alpha, l1_ratio, **problem)
    n = prob.n
    floor = rounding(dtype, n) * ref.null_objective(y, problem.get("sample_weight"),
                                                    problem.get("fit_intercept", True))
    w_ref, b_ref = ref.solve(X, y, alpha, l1_ratio, **problem)
    eta_ref = prob.eta(w_ref, b_ref)
    sols = [(np.asarray(w, dtype=np.float64).ravel(), float(b), max(float(g), 0.0) + floor) for w, b, g in (sol1, sol2)]
    union = (sols[0][0] != 0) | (sols[1][0] != 0) | (w_ref != 0)
    cols = [prob.X[:, union]] + ([np.ones((n, 1))] if prob.fit_intercept else [])
    Z = np.hstack(cols)
    sig = 1 / (1 + np.exp(-eta_ref))
    H = (Z.T * (prob.s * sig * (1 - sig) / n)) @ Z
    H[: union.sum(), : union.sum()] += np.diag(prob.c[union])
    lam = float(np.linalg.eigvalsh(H)[0]) if H.size else np.inf
    assert lam > 1e-8, f"{what}: no curvature to compare solutions with (lambda_min = {lam:.1e})"
    bound = 1e-12
    for w, b, G in sols:
        shift = float(np.abs(prob.eta(w, b) - eta_ref).max())
        bound += np.sqrt(2 * np.exp(shift) * G / lam)
    dw = sols[0][0] - sols[1][0]
    db = sols[0][1] - sols[1][1]
    dist = float(np.sqrt(dw @ dw + db * db))
    assert dist <= bound, (
        f"{what}: solutions differ by {dist:.3e} (max |dw| = {np.abs(dw).max():.3e}, |db| = {abs(db):.3e}), "
        f"their gaps {sol1[2]:.2e}, {sol2[2]:.2e} allow {bound:.3e}")


def assert_same_path(X, y, r1, r2, l1_ratio, *, dtype=np.float64, what="", transform=None, **problem):
    """`assert_same_solution` at every alpha of two paths (r2's solutions mapped by `transform` first)."""
    np.testing.assert_allclose(r1.alphas, r2.alphas, rtol=1e-10)
    for k in range(len(r1.alphas)):
        w2, b2 = r2.coefs[:, k], r2.intercepts[k]
        if transform is not None:
            w2, b2 = transform(w2, b2)
        assert_same_solution(X, y, r1.alphas[k], l1_ratio, (r1.coefs[:, k], r1.intercepts[k], r1.dual_gaps[k]),
                             (w2, b2, r2.dual_gaps[k]), dtype=dtype, what=f"{what} alpha #{k}", **problem)


def check_path(X, y, result, l1_ratio, *, dtype, tol, indices=None, **problem):
    """The path's shape, order and dtype, then `check_solution` at some of its alphas."""
    n_features = np.shape(X)[1]
    n_alphas = len(result.alphas)
    assert result.coefs.shape == (n_features, n_alphas)
    assert result.coefs.dtype == np.dtype(dtype)
    assert np.shape(result.intercepts) == (n_alphas,)
    assert np.shape(result.dual_gaps) == (n_alphas,) and np.shape(result.n_iters) == (n_alphas,)
    assert np.asarray(result.converged).dtype == bool and np.shape(result.converged) == (n_alphas,)
    assert isinstance(result.solver, str) and result.solver.startswith("irls"), result.solver
    assert (np.diff(result.alphas) < 0).all(), "alphas not decreasing"
    if indices is None:
        indices = sorted({0, n_alphas // 3, 2 * n_alphas // 3, n_alphas - 1})
    for k in indices:
        check_solution(X, y, result.coefs[:, k], result.intercepts[k], result.dual_gaps[k], result.alphas[k],
                       l1_ratio, dtype=dtype, tol=tol, converged=result.converged[k], what=f"alpha #{k}",
                       **problem)


# ----------------------------------------------------------------------------- the reference itself


SK_CASES = {
    "l1-saga": dict(solver="saga", l1_ratio=1.0, fit_intercept=True),
    "enet-saga": dict(solver="saga", l1_ratio=0.5, fit_intercept=True),
    "enet-saga-weights": dict(solver="saga", l1_ratio=0.3, fit_intercept=True, weights=True),
    "l2-saga": dict(solver="saga", l1_ratio=0.0, fit_intercept=True),
    "l1-liblinear": dict(solver="liblinear", l1_ratio=1.0, fit_intercept=False),
    "l2-liblinear": dict(solver="liblinear", l1_ratio=0.0, fit_intercept=False),
    "l2-lbfgs": dict(solver="lbfgs", l1_ratio=0.0, fit_intercept=True),
}


def _sk_fit(X, y, C, l1_ratio, solver, fit_intercept, sample_weight=None):
    model = sk_lm.LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, fit_intercept=fit_intercept,
                                     tol=1e-12, max_iter=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        model.fit(X, y, sample_weight=sample_weight)
    return model.coef_.ravel().astype(np.float64), (float(model.intercept_[0]) if fit_intercept else 0.0)


@pytest.mark.parametrize("case", list(SK_CASES))
def test_reference_matches_sklearn(case):
    """The NumPy reference and scikit-learn solve the same problem, alpha = 1 / (C sum_i s_i)."""
    spec = SK_CASES[case]
    X, y = make_data(70, 8, seed=1)
    X = (X - X.mean(0)) / X.std(0)  # saga's convergence needs scaled columns
    sw = np.random.default_rng(2).uniform(0.2, 3.0, len(y)) if spec.get("weights") else None
    C = 0.3
    alpha = 1.0 / (C * (len(y) if sw is None else sw.sum()))
    w_sk, b_sk = _sk_fit(X, y, C, spec["l1_ratio"], spec["solver"], spec["fit_intercept"], sw)
    problem = dict(sample_weight=sw, fit_intercept=spec["fit_intercept"])
    w, b, info = ref.solve(X, y, alpha, spec["l1_ratio"], return_info=True, **problem)
    assert info["kkt"] <= 1e-10 and abs(info["gap"]) <= 1e-13, info
    P_sk = ref.objective(X, y, w_sk, b_sk, alpha, spec["l1_ratio"], **problem)
    assert abs(P_sk - info["objective"]) <= 1e-12, (P_sk, info["objective"])
    np.testing.assert_allclose(w, w_sk, atol=1e-6)
    assert abs(b - b_sk) <= 1e-6
    if spec["l1_ratio"] == 1.0:
        assert ((w == 0) == (np.abs(w_sk) < 1e-8)).all()
    # scikit-learn's solution is certified by the reference's gap, and it is not better than the reference
    gap_sk = ref.duality_gap(X, y, w_sk, b_sk, alpha, spec["l1_ratio"], **problem)
    assert -1e-13 <= gap_sk <= 1e-9
    assert P_sk >= info["objective"] - max(info["gap"], 0) - 1e-14


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_reference_certificate_is_valid(l1_ratio, positive, fit_intercept):
    """Weak duality at many points (the dual value never exceeds the optimum), gaps bound the true
    suboptimality, and the KKT allowance holds wherever the gap is honest -- with penalty factors and
    standardization too."""
    X, y = make_data(40, 6, seed=3)
    pf = np.array([1.0, 2.0, 0.5, np.inf, 1.0, 3.0])
    problem = dict(sample_weight=np.random.default_rng(4).uniform(0.5, 2.0, 40), penalty_factor=pf,
                   fit_intercept=fit_intercept, positive=positive, standardize=True)
    alpha = 0.05 * ref.alpha_max(X, y, max(l1_ratio, 0.1), **{k: problem[k] for k in problem})
    prob = ref.LogisticProblem(X, y, alpha, l1_ratio, **problem)
    w, b, info = ref.solve(X, y, alpha, l1_ratio, return_info=True, **problem)
    assert info["polished"] and abs(info["gap"]) <= 1e-13 and (w[3] == 0)
    assert (w != 0).sum() >= 2  # not a trivial solution
    rng = np.random.default_rng(5)
    for scale in (1e-6, 1e-3, 1e-1, 1.0):
        for _ in range(10):
            w2 = w + scale * rng.standard_normal(6) * (rng.random(6) < 0.7)
            w2[3] = 0.0
            if positive:
                w2 = np.abs(w2)
            b2 = b + scale * rng.standard_normal() if fit_intercept else 0.0
            gap, dual = ref.duality_gap(None, None, w2, b2, alpha, l1_ratio, problem=prob, return_dual=True)
            assert dual <= info["objective"] + 1e-14, "dual value above the optimum: not a certificate"
            P2 = prob.objective(w2, b2)
            assert P2 - info["objective"] <= gap + 1e-14
            viol, viol_b = ref.kkt_violation(None, None, w2, b2, alpha, l1_ratio, problem=prob)
            allowed, allowed_b = ref.kkt_allowance(None, None, w2, P2 - info["objective"] + 1e-15, alpha, l1_ratio,
                                                   problem=prob)
            assert (viol <= allowed + 1e-12).all() and viol_b <= allowed_b + 1e-12, (viol, allowed)
    # the certificate can fail: a perturbed point has a clearly positive gap
    bumped = w + 0.1 * (np.arange(6) != 3)
    assert 1e-6 < ref.duality_gap(None, None, bumped, b, alpha, l1_ratio, problem=prob) < np.inf


def test_reference_invariances():
    """The reference's conventions: weight k = k repeated rows, factors rescaled to sum to p, standardize =
    penalizing X / sd, labels are any two values."""
    X, y = make_data(30, 5, seed=6)
    alpha = 0.02
    counts = np.random.default_rng(7).integers(0, 4, 30)
    counts[:2] = 1
    w1, b1 = ref.solve(X, y, alpha, 0.7, sample_weight=counts)
    w2, b2 = ref.solve(np.repeat(X, counts, axis=0), np.repeat(y, counts), alpha, 0.7)
    np.testing.assert_allclose(w1, w2, atol=1e-10)
    assert abs(b1 - b2) <= 1e-10
    pf = np.array([1.0, 2.0, 3.0, 0.5, 1.0])
    w1, _ = ref.solve(X, y, alpha, 1.0, penalty_factor=pf)
    w2, _ = ref.solve(X, y, alpha, 1.0, penalty_factor=7 * pf)
    np.testing.assert_allclose(w1, w2, atol=1e-12)
    # an excluded feature counts as 1 in the rescaling (glmnet's exclude): 7 * the others is another problem
    pf[2] = np.inf  # factors 1, 2, (1), 0.5, 1 times 5 / 5.5; dropping the column rescales by 4 / 4.5
    w1, b1 = ref.solve(X, y, alpha, 1.0, penalty_factor=pf)
    w2, b2 = ref.solve(np.delete(X, 2, axis=1), y, alpha * (5 / 5.5) * (4.5 / 4), 1.0, penalty_factor=np.delete(pf, 2))
    np.testing.assert_allclose(np.delete(w1, 2), w2, atol=1e-10)
    w3, _ = ref.solve(X, y, alpha, 1.0, penalty_factor=7 * pf)
    assert w1[2] == 0 and w3[2] == 0 and np.count_nonzero(w1) >= 2
    assert np.abs(w1 - w3).max() > 1e-4
    for fit_intercept in (True, False):
        mean = X.mean(0) if fit_intercept else 0.0
        sd = np.sqrt(((X - mean) ** 2).mean(0))
        w1, b1 = ref.solve(X, y, alpha, 0.5, standardize=True, fit_intercept=fit_intercept)
        w2, b2 = ref.solve(X / sd, y, alpha, 0.5, fit_intercept=fit_intercept)
        np.testing.assert_allclose(w1, w2 / sd, atol=1e-10)
        assert abs(b1 - b2) <= 1e-10
    w1, _ = ref.solve(X, np.where(y > 0, "yes", "no"), alpha, 1.0)
    w2, _ = ref.solve(X, y, alpha, 1.0)
    np.testing.assert_array_equal(w1, w2)


def test_checks_can_fail():
    """`check_solution` rejects a solution that is off by more than its gap, a gap that understates the
    suboptimality, and an intercept that is not optimal."""
    X, y = make_data(50, 6, seed=8)
    alpha = 0.3 * ref.alpha_max(X, y, 0.8)
    w, b = ref.solve(X, y, alpha, 0.8)
    assert (w == 0).any() and (w != 0).any()
    check_solution(X, y, w, b, 0.0, alpha, 0.8, dtype=np.float64)
    for w_bad, b_bad, gap in ((w * 1.01, b, 1e-12), (w, b + 1e-3, 1e-12), (w + 1e-4 * (w == 0), b, 1e-10)):
        with pytest.raises(AssertionError):
            check_solution(X, y, w_bad, b_bad, gap, alpha, 0.8, dtype=np.float64)
    with pytest.raises(AssertionError, match="differ"):
        assert_same_solution(X, y, alpha, 0.8, (w, b, 1e-12), (w * 1.01, b, 1e-12))
    assert_same_solution(X, y, alpha, 0.8, (w, b, 1e-12), (w * (1 + 1e-9), b, 1e-12))
    with pytest.raises(AssertionError, match="converged"):
        check_solution(X, y, w, b, 1e-3, alpha, 0.8, dtype=np.float64, tol=1e-6, converged=True)


# ----------------------------------------------------------------------------- logistic_path


SHAPES = {"n>p": (60, 12), "p>n": (24, 40)}


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_path_matches_reference(shape, l1_ratio, fit_intercept, dtype):
    n, p = SHAPES[shape]
    X, y = make_data(n, p, seed=10, dtype=dtype)
    tol = tight_tol(dtype)
    result = path(X, y, l1_ratio=l1_ratio, n_alphas=12, fit_intercept=fit_intercept, tol=tol)
    assert len(result.alphas) == 12 and result.stop_reason is None
    eps = 1e-3 if n > p else 1e-2
    amax = ref.alpha_max(X, y, l1_ratio, fit_intercept=fit_intercept)
    np.testing.assert_allclose(result.alphas[0], amax, rtol=1e-6 if dtype == np.float32 else 1e-10)
    np.testing.assert_allclose(result.alphas, np.geomspace(amax, amax * eps, 12), rtol=1e-6)
    assert (result.coefs[:, 0] == 0).all()
    assert result.converged.all(), (result.dual_gaps, result.n_iters)
    check_path(X, y, result, l1_ratio, dtype=dtype, tol=tol, fit_intercept=fit_intercept)
    # the path is not trivial: the last alpha has a real support
    assert np.count_nonzero(result.coefs[:, -1]) >= min(3, p)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_alphas(fit_intercept):
    """l1_ratio=0 (pure L2) on given alphas."""
    X, y = make_data(40, 10, seed=11)
    alphas = [1.0, 0.1, 0.01, 0.001]
    result = path(X, y, l1_ratio=0.0, alphas=alphas, fit_intercept=fit_intercept, tol=1e-10)
    np.testing.assert_array_equal(result.alphas, alphas)
    assert (result.coefs != 0).all()
    check_path(X, y, result, 0.0, dtype=np.float64, tol=1e-10, indices=range(4), fit_intercept=fit_intercept)


GRID_CASES = {
    "plain": dict(),
    "no-intercept": dict(fit_intercept=False),
    "weights": dict(sample_weight="w"),
    "penalty-factor": dict(penalty_factor=[1.0, 2.0, 0.5, np.inf, 1.0, 1.0, 3.0, 1.0]),
    "standardize": dict(standardize=True),
    "positive": dict(positive=True),
}


@pytest.mark.parametrize("case", list(GRID_CASES))
def test_grid_starts_at_alpha_max(case):
    """alphas[0] is the smallest alpha with w = 0 (all zero there, not just below it), eps = 1e-3 when
    n > p (1e-2 otherwise)."""
    X, y = make_data(50, 8, seed=12)
    problem = dict(GRID_CASES[case])
    if problem.get("sample_weight") == "w":
        problem["sample_weight"] = np.random.default_rng(13).uniform(0.0, 3.0, 50)
    result = path(X, y, l1_ratio=0.8, n_alphas=5, tol=1e-10, **problem)
    amax = ref.alpha_max(X, y, 0.8, **problem)
    np.testing.assert_allclose(result.alphas[0], amax, rtol=1e-10)
    np.testing.assert_allclose(result.alphas[-1], 1e-3 * amax, rtol=1e-10)
    assert (result.coefs[:, 0] == 0).all()
    below = path(X, y, l1_ratio=0.8, alphas=[amax * (1 - 1e-3)], tol=1e-10, **problem)
    assert np.count_nonzero(below.coefs[:, 0]) >= 1
    check_path(X, y, result, 0.8, dtype=np.float64, tol=1e-10, indices=[0, 2, 4], **problem)
    check_solution(X, y, below.coefs[:, 0], below.intercepts[0], below.dual_gaps[0], below.alphas[0], 0.8,
                   dtype=np.float64, tol=1e-10, converged=below.converged[0], **problem)
    wide = path(X[:6], np.r_[0, 1, 0, 1, 1, 0], n_alphas=3)
    np.testing.assert_allclose(wide.alphas[-1] / wide.alphas[0], 1e-2, rtol=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_sparse_equals_dense(fmt, fit_intercept):
    X, y = make_data(60, 15, seed=14)
    X[np.random.default_rng(15).random(X.shape) < 0.6] = 0.0
    Xs = sparse.csc_matrix(X) if fmt == "csc" else sparse.csr_matrix(X)
    sw = np.random.default_rng(16).uniform(0.5, 2.0, 60)
    kw = dict(l1_ratio=0.7, n_alphas=8, fit_intercept=fit_intercept, tol=1e-10, sample_weight=sw)
    dense, sp = path(X, y, **kw), path(Xs, y, **kw)
    np.testing.assert_allclose(sp.alphas, dense.alphas, rtol=1e-12)
    assert sp.coefs.dtype == np.float64
    for result in (dense, sp):
        check_path(X, y, result, 0.7, dtype=np.float64, tol=1e-10, fit_intercept=fit_intercept, sample_weight=sw)
    assert_same_path(X, y, dense, sp, 0.7, what=fmt, fit_intercept=fit_intercept, sample_weight=sw)
    # float32 sparse keeps its dtype
    sp32 = path(Xs.astype(np.float32), y, **kw)
    assert sp32.coefs.dtype == np.float32
    check_path(X.astype(np.float32), y, sp32, 0.7, dtype=np.float32, tol=1e-10, indices=[3, 7],
               fit_intercept=fit_intercept, sample_weight=sw)


def test_float32_matches_float64():
    X, y = make_data(60, 10, seed=17)
    r64 = path(X, y, l1_ratio=0.9, n_alphas=10, tol=1e-8)
    np.testing.assert_allclose(path(X.astype(np.float32), y, l1_ratio=0.9, n_alphas=10).alphas, r64.alphas,
                               rtol=1e-6)
    r32 = path(X.astype(np.float32), y, l1_ratio=0.9, alphas=r64.alphas, tol=1e-8)
    assert r32.coefs.dtype == np.float32 and r64.coefs.dtype == np.float64
    assert_same_path(X, y, r64, r32, 0.9, dtype=np.float32, what="float32")


@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "sparse"])
def test_sample_weight_equals_repeated_rows(sparse_X):
    X, y = make_data(40, 8, seed=18)
    counts = np.random.default_rng(19).integers(0, 4, 40)
    counts[:2] = [1, 2]
    Xr, yr = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    conv = sparse.csr_matrix if sparse_X else np.asarray
    alphas = path(Xr, yr, l1_ratio=0.6, n_alphas=6).alphas
    kw = dict(l1_ratio=0.6, alphas=alphas, tol=1e-12)
    weighted = path(conv(X), y, sample_weight=counts, **kw)
    repeated = path(conv(Xr), yr, **kw)
    scaled = path(conv(X), y, sample_weight=0.25 * counts, **kw)  # only the weights' ratios matter
    for other in (repeated, scaled):
        assert_same_path(X, y, weighted, other, 0.6, what="weights", sample_weight=counts)
    auto = path(conv(X), y, sample_weight=counts, l1_ratio=0.6, n_alphas=6)
    np.testing.assert_allclose(auto.alphas, alphas, rtol=1e-10)
    check_path(X, y, weighted, 0.6, dtype=np.float64, tol=1e-12, sample_weight=counts)


def test_penalty_factor():
    X, y = make_data(50, 8, seed=20)
    pf = np.array([1.0, 0.3, 2.0, np.inf, 1.0, 1.5, np.inf, 0.8])
    result = path(X, y, l1_ratio=0.8, n_alphas=8, penalty_factor=pf, tol=1e-10)
    assert (result.coefs[[3, 6]] == 0).all(), "an excluded feature (factor inf) must be exactly 0"
    check_path(X, y, result, 0.8, dtype=np.float64, tol=1e-10, penalty_factor=pf)
    assert np.count_nonzero(result.coefs[:, -1]) >= 4
    finite = np.where(np.isinf(pf), 1.0, pf)
    once, rescaled = (path(X, y, l1_ratio=0.8, n_alphas=8, penalty_factor=f, tol=1e-10) for f in (finite, 5 * finite))
    assert_same_path(X, y, once, rescaled, 0.8, what="rescaled factors", penalty_factor=finite)
    # an excluded feature counts as 1 in the rescaling (glmnet's): 5 * pf is another problem
    other = path(X, y, l1_ratio=0.8, alphas=result.alphas, penalty_factor=5 * pf, tol=1e-10)
    assert np.abs(other.coefs - result.coefs).max() > 1e-4
    check_path(X, y, other, 0.8, dtype=np.float64, tol=1e-10, penalty_factor=5 * pf)
    # excluding a feature is not the same as dropping it: the other factors are rescaled with it counting 1
    dropped = path(np.delete(X, [3, 6], axis=1), y, l1_ratio=0.8, alphas=result.alphas,
                   penalty_factor=np.delete(pf, [3, 6]), tol=1e-10)
    assert np.abs(dropped.coefs - np.delete(result.coefs, [3, 6], axis=0)).max() > 1e-4
    with pytest.raises(ValueError, match="penalty_factor"):
        path(X, y, penalty_factor=[0.0] * 8)  # nothing penalized
    with pytest.raises(ValueError, match="penalty_factor"):
        path(X, y, penalty_factor=[1.0] * 7)


def _box_reference(X, y, alpha, l1_ratio, v, lower, upper, fit_intercept):
    """An independent solution of the box-constrained, factor-weighted problem: w = w+ - w- with
    w+ in [0, upper], w- in [0, -lower] (the L1 term becomes linear), by L-BFGS-B to its limits."""
    from scipy.optimize import minimize
    n, p = X.shape

    def f(z):
        wp, wm = z[:p], z[p:2 * p]
        b = z[-1] if fit_intercept else 0.0
        w = wp - wm
        eta = X @ w + b
        loss = np.mean(np.logaddexp(0, eta) - y * eta)
        pen = alpha * (l1_ratio * v @ (wp + wm) + (1 - l1_ratio) / 2 * v @ (w * w))
        g_eta = (1 / (1 + np.exp(-eta)) - y) / n
        gw = X.T @ g_eta + alpha * (1 - l1_ratio) * v * w
        grad = np.concatenate([gw + alpha * l1_ratio * v, -gw + alpha * l1_ratio * v,
                               [g_eta.sum()] if fit_intercept else []])
        return loss + pen, grad

    bounds = [(0, h) for h in upper] + [(0, -lo) for lo in lower] + ([(None, None)] if fit_intercept else [])
    bounds = [(a, None if b is None or np.isinf(b) else b) for a, b in bounds]
    res = minimize(f, np.zeros(2 * p + fit_intercept), jac=True, method="L-BFGS-B", bounds=bounds,
                   options=dict(maxiter=100_000, maxfun=200_000, ftol=1e-16, gtol=1e-13))
    return res.fun


def _box_kkt(X, y, w, b, alpha, l1_ratio, v, lower, upper):
    """The largest violation of the optimality conditions of the box-constrained problem at (w, b)."""
    n = len(y)
    eta = X @ w + b
    g = X.T @ ((1 / (1 + np.exp(-eta)) - y) / n) + alpha * (1 - l1_ratio) * v * w
    a = alpha * l1_ratio * v
    worst = 0.0
    for j in range(len(w)):
        at_hi, at_lo = w[j] >= upper[j], w[j] <= lower[j]
        if w[j] > 0:
            lo_g, hi_g = -a[j], -a[j]    # d/dw of the penalty's L1 part is a; the gradient must be -a
        elif w[j] < 0:
            lo_g, hi_g = a[j], a[j]
        else:
            lo_g, hi_g = -a[j], a[j]
        if at_hi:  # may stay below the optimum's wish: the gradient may be more negative
            lo_g = -np.inf
        if at_lo:
            hi_g = np.inf
        worst = max(worst, lo_g - g[j], g[j] - hi_g)
    return worst


@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_unpenalized_features_and_bounds(kind, l1_ratio, fit_intercept):
    """Penalty factor 0 (fitted in the null model, never shrunk) and glmnet's box constraints, against an
    independent L-BFGS-B solution of the same problem and the optimality conditions themselves."""
    X, y = make_data(150, 10, seed=25)
    pf = np.array([0.0, 1, 1, 2, 1, 0, 1, 1, 0.5, 1])
    lower = np.array([-np.inf, -0.1, 0, -np.inf, -np.inf, -np.inf, -np.inf, -0.05, -np.inf, -np.inf])
    upper = np.array([np.inf, 0.2, np.inf, 0.1, np.inf, np.inf, 0.0, np.inf, np.inf, 0.3])
    Xk = sparse.csc_matrix(X) if kind == "sparse" else X
    result = path(Xk, y, l1_ratio=l1_ratio, n_alphas=8, tol=1e-12, penalty_factor=pf, lower_bounds=lower,
                  upper_bounds=upper, fit_intercept=fit_intercept)
    assert result.converged.all(), result.dual_gaps
    v = pf * (len(pf) / pf.sum())
    # alpha_max is that of the null model with the unpenalized features fitted: only they are nonzero there,
    # and the next alpha lets a penalized one in
    assert set(np.flatnonzero(result.coefs[:, 0])) <= {0, 5} and result.coefs[[0, 5], 0].all()
    assert np.count_nonzero(result.coefs[:, 1]) > np.count_nonzero(result.coefs[:, 0])
    null = ref.null_objective(y, fit_intercept=fit_intercept)
    for k, alpha in enumerate(result.alphas):
        w, b = result.coefs[:, k], result.intercepts[k]
        assert (w >= lower).all() and (w <= upper).all(), "bounds hold exactly"
        eta = X @ w + b
        ours = np.mean(np.logaddexp(0, eta) - y * eta) + alpha * (l1_ratio * v @ np.abs(w)
                                                                 + (1 - l1_ratio) / 2 * v @ (w * w))
        best = _box_reference(X, y, alpha, l1_ratio, v, lower, upper, fit_intercept)
        # certified: the reference cannot beat the returned gap, and the gap is tight
        assert ours - best <= result.dual_gaps[k] + 1e-13 * null, (k, ours - best, result.dual_gaps[k])
        assert best - ours <= 1e-9 * null  # (L-BFGS-B is the less accurate of the two)
        assert _box_kkt(X, y, w, b, alpha, l1_ratio, v, lower, upper) <= 1e-5, k
    dense = path(X, y, l1_ratio=l1_ratio, alphas=result.alphas, tol=1e-12, penalty_factor=pf, lower_bounds=lower,
                 upper_bounds=upper, fit_intercept=fit_intercept)
    np.testing.assert_allclose(dense.coefs, result.coefs, atol=1e-6)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_standardize(fit_intercept):
    X, y = make_data(60, 10, seed=21)
    sw = np.random.default_rng(22).uniform(0.5, 2.0, 60)
    kw = dict(l1_ratio=0.7, n_alphas=8, tol=1e-10, fit_intercept=fit_intercept, sample_weight=sw)
    result = path(X, y, standardize=True, **kw)
    check_path(X, y, result, 0.7, dtype=np.float64, tol=1e-10, standardize=True, fit_intercept=fit_intercept,
               sample_weight=sw)
    # = penalizing the coefficients of X / sd (weighted sd about the weighted mean, about 0 without intercept)
    s = sw * 60 / sw.sum()
    mean = s @ X / 60 if fit_intercept else 0.0
    sd = np.sqrt(s @ (X - mean) ** 2 / 60)
    scaled = path(X / sd, y, **kw)
    assert_same_path(X / sd, y, scaled, result, 0.7, what="X / sd", transform=lambda w, b: (w * sd, b),
                     fit_intercept=fit_intercept, sample_weight=sw)
    plain = path(X, y, l1_ratio=0.7, alphas=result.alphas, tol=1e-10, fit_intercept=fit_intercept, sample_weight=sw)
    assert np.abs(plain.coefs - result.coefs).max() > 1e-3  # standardization changed the problem


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_positive(l1_ratio):
    X, y = make_data(60, 10, seed=23, signal=2.0)
    result = path(X, y, l1_ratio=l1_ratio, n_alphas=8, positive=True, tol=1e-10)
    assert (result.coefs >= 0).all()
    check_path(X, y, result, l1_ratio, dtype=np.float64, tol=1e-10, positive=True)
    free = path(X, y, l1_ratio=l1_ratio, alphas=result.alphas, tol=1e-10)
    assert (free.coefs < 0).any()  # the constraint was active
    np.testing.assert_allclose(result.alphas[0], ref.alpha_max(X, y, l1_ratio, positive=True), rtol=1e-10)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.0])
def test_separable_data(l1_ratio):
    """Perfectly separable labels at a tiny alpha: the minimizer is finite (the penalty keeps it so), and
    the solver returns finite coefficients and gaps, whether or not it converges in max_iter."""
    rng = np.random.default_rng(24)
    X = rng.standard_normal((40, 5))
    y = (X @ [2.0, -1.0, 0.5, 0.0, 1.0] > 0).astype(float)
    kw = dict(l1_ratio=l1_ratio, tol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if l1_ratio == 1.0:
            result = path(X, y, eps=1e-5, n_alphas=20, **kw)
        else:
            result = path(X, y, alphas=[1e-2, 1e-4, 1e-6], **kw)
    for arr in (result.coefs, result.intercepts, result.dual_gaps, result.alphas):
        assert np.isfinite(arr).all(), arr
    assert (result.dual_gaps >= 0).all()
    assert np.abs(result.coefs[:, -1]).max() > 10  # it did move toward the separating direction
    k = len(result.alphas) - 1
    prob = ref.LogisticProblem(X, y, result.alphas[k], l1_ratio)
    P = prob.objective(result.coefs[:, k], result.intercepts[k])
    w_ref, b_ref = ref.solve(X, y, result.alphas[k], l1_ratio, max_iter=20_000)
    assert P - prob.objective(w_ref, b_ref) <= result.dual_gaps[k] + 1e-12  # still honest


@pytest.mark.parametrize("labels", [("no", "yes"), (False, True), (-1, 1), (2.0, 5.0), ("b", "c")])
def test_labels(labels):
    X, y = make_data(40, 6, seed=25)
    y_lab = np.where(y > 0, labels[1], labels[0])
    if isinstance(labels[0], bool):
        y_lab = y_lab.astype(bool)
    base = path(X, y, n_alphas=5, tol=1e-10)
    result = path(X, y_lab, n_alphas=5, tol=1e-10)
    np.testing.assert_array_equal(result.classes, np.array(labels))
    np.testing.assert_allclose(result.coefs, base.coefs, atol=1e-12)
    np.testing.assert_allclose(result.intercepts, base.intercepts, atol=1e-12)
    # the second sorted label is the positive class, whatever the order in y
    flipped = path(X, np.where(y > 0, labels[0], labels[1]), n_alphas=5, tol=1e-10)
    assert_same_path(X, 1 - y, flipped, base, 1.0, what="flipped labels", transform=lambda w, b: (-w, -b))
    np.testing.assert_allclose(base.classes, [0.0, 1.0])


def test_dev_ratios_and_stops():
    X, y = make_data(60, 10, seed=26)
    sw = np.random.default_rng(27).uniform(0.5, 2.0, 60)
    result = path(X, y, n_alphas=10, tol=1e-10, sample_weight=sw)
    null = ref.null_objective(y, sw)
    losses = np.array([ref.LogisticProblem(X, y, 1.0, 1.0, sample_weight=sw).loss(result.coefs[:, k],
                                                                                    result.intercepts[k])
                       for k in range(10)])
    np.testing.assert_allclose(result.dev_ratios, 1 - losses / null, atol=1e-9)
    assert abs(result.dev_ratios[0]) <= 1e-9 and result.dev_ratios[-1] > 0.1
    capped = path(X, y, n_alphas=30, dfmax=3, tol=1e-10)
    assert capped.stop_reason == "dfmax"
    assert (np.count_nonzero(capped.coefs, axis=0) <= 3).all()
    full = path(X, y, n_alphas=30, tol=1e-10)
    k = len(capped.alphas)
    assert k < 30 and np.count_nonzero(full.coefs[:, k]) > 3
    full.alphas = full.alphas[:k]
    assert_same_path(X, y, capped, full, 1.0, what="dfmax")
    early = path(X, y, n_alphas=100, eps=1e-6, early_stopping=True, devmax=0.3)
    assert early.stop_reason == "devmax" and early.dev_ratios[-1] > 0.3 and (early.dev_ratios[:-1] <= 0.3).all()
    alphas, coefs, gaps, n_iters = path(X, y, n_alphas=4, return_n_iter=True)
    assert coefs.shape == (10, 4) and len(n_iters) == 4 and len(gaps) == 4


def test_coef_init():
    """A warm start at the solution: the same solution, certified."""
    X, y = make_data(50, 8, seed=28)
    alpha = 0.3 * ref.alpha_max(X, y, 1.0)
    w_ref, _ = ref.solve(X, y, alpha, 1.0)
    warm = path(X, y, alphas=[alpha], coef_init=w_ref, tol=1e-10, return_n_iter=True)
    cold = path(X, y, alphas=[alpha], tol=1e-10)
    check_solution(X, y, warm.coefs[:, 0], warm.intercepts[0], warm.dual_gaps[0], alpha, 1.0, dtype=np.float64,
                   tol=1e-10, converged=warm.converged[0])
    assert_same_path(X, y, warm, cold, 1.0, what="coef_init")
    with pytest.raises(ValueError, match="coef_init"):
        path(X, y, alphas=[alpha], coef_init=np.zeros(3))


# ----------------------------------------------------------------------------- bad input


def _bad_inputs():
    X, y = make_data(20, 4, seed=29)
    X_nan, X_inf = X.copy(), X.copy()
    X_nan[3, 1] = np.nan
    X_inf[5, 2] = np.inf
    mixed = np.array([0, "a"] * 10, dtype=object)
    return {
        "one-class": (X, np.zeros(20), r"\by\b"),
        "one-class-after-weights": (X, y, r"\by\b|sample_weight"),
        "three-classes-binomial": (X, np.arange(20) % 3, r"family='binomial'"),
        "nan-X": (X_nan, y, r"\bX\b"),
        "inf-X": (X_inf, y, r"\bX\b"),
        "nan-X-sparse": (sparse.csc_matrix(X_nan), y, r"\bX\b"),
        "mixed-labels": (X, mixed, r"\by\b"),
        "y-length": (X, y[:-1], r"\by\b|X"),
        "continuous-y": (X, np.linspace(0, 1, 20), r"\by\b"),
    }


@pytest.mark.parametrize("case", list(_bad_inputs()))
def test_bad_input_path(case):
    X, y, match = _bad_inputs()[case]
    kw = {}
    if case == "one-class-after-weights":
        kw["sample_weight"] = (y == 0).astype(float)  # the positive class has no weight
    elif case == "three-classes-binomial":
        kw["family"] = "binomial"  # (three classes fit the multinomial family otherwise)
    with pytest.raises(ValueError, match=match):
        path(X, y, n_alphas=3, **kw)


@pytest.mark.parametrize("case", ["one-class", "nan-X", "inf-X", "nan-X-sparse", "mixed-labels", "continuous-y"])
def test_bad_input_estimator(case):
    X, y, match = _bad_inputs()[case]
    with pytest.raises(ValueError, match=match if case != "continuous-y" else r"\by\b|[Uu]nknown label type"):
        fastreg.LogisticRegression().fit(X, y)


def test_bad_settings():
    X, y = make_data(20, 4, seed=30)
    with pytest.raises(ValueError, match="solver='liblinear'"):  # as scikit-learn's liblinear
        fastreg.LogisticRegression(solver="liblinear").fit(X, np.arange(20) % 3)
    with pytest.raises(ValueError, match="penalty"):
        fastreg.LogisticRegression(penalty=None).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        path(X, y, l1_ratio=1.5)
    with pytest.raises(ValueError, match="sample_weight"):
        path(X, y, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match=r"\bC\b"):
        fastreg.LogisticRegression(C=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="class_weight"):
        fastreg.LogisticRegression(class_weight={0: 1.0, 7: 2.0}).fit(X, y)


# ----------------------------------------------------------------------------- LogisticRegression


def _alpha(C, sample_weight, n):
    return 1.0 / (C * (n if sample_weight is None else float(np.sum(sample_weight))))


def _sol(model):
    return model.coef_[0], model.intercept_[0], model.dual_gap_


def check_estimator_solution(model, X, y, sample_weight=None, *, dtype=np.float64):
    l1_ratio = model.l1_ratio
    alpha = _alpha(model.C, sample_weight, len(y))
    y01, _ = ref.to_binary(y)
    return check_solution(X, y01, model.coef_[0], model.intercept_[0], model.dual_gap_, alpha, l1_ratio,
                          dtype=dtype, tol=model.tol, converged=True, sample_weight=sample_weight,
                          fit_intercept=model.fit_intercept, what=type(model).__name__)


@pytest.mark.parametrize("case", ["l1-saga", "enet-saga-weights", "l2-lbfgs", "l1-liblinear", "l2-liblinear"])
def test_estimator_matches_sklearn(case):
    spec = SK_CASES[case]
    X, y = make_data(70, 8, seed=31)
    X = (X - X.mean(0)) / X.std(0)
    sw = np.random.default_rng(32).uniform(0.2, 3.0, 70) if spec.get("weights") else None
    C = 0.3
    ours = fastreg.LogisticRegression(C=C, l1_ratio=spec["l1_ratio"], fit_intercept=spec["fit_intercept"],
                                      tol=1e-10).fit(X, y, sample_weight=sw)
    w_sk, b_sk = _sk_fit(X, y, C, spec["l1_ratio"], spec["solver"], spec["fit_intercept"], sw)
    alpha = _alpha(C, sw, 70)
    problem = dict(sample_weight=sw, fit_intercept=spec["fit_intercept"])
    gap_sk = ref.duality_gap(X, y, w_sk, b_sk, alpha, spec["l1_ratio"], **problem)
    assert gap_sk <= 1e-9
    assert_same_solution(X, y, alpha, spec["l1_ratio"], (ours.coef_[0], ours.intercept_[0], ours.dual_gap_),
                         (w_sk, b_sk, gap_sk), what=f"vs scikit-learn {spec['solver']}", **problem)
    check_estimator_solution(ours, X, y, sw)
    assert ours.coef_.shape == (1, 8) and ours.intercept_.shape == (1,)
    assert ours.n_iter_.shape == (1,) and ours.n_features_in_ == 8
    assert isinstance(ours.solver_, str) and ours.solver_.startswith("irls")
    assert ours.coef_.dtype == np.float64
    # the path at alpha = 1 / (C sum s) is the same solution
    same = path(X, y, l1_ratio=spec["l1_ratio"], alphas=[_alpha(C, sw, 70)], fit_intercept=spec["fit_intercept"],
                sample_weight=sw, tol=1e-10)
    assert_same_solution(X, y, alpha, spec["l1_ratio"], (ours.coef_[0], ours.intercept_[0], ours.dual_gap_),
                         (same.coefs[:, 0], same.intercepts[0], same.dual_gaps[0]), what="vs logistic_path", **problem)


def test_predict_methods():
    X, y = make_data(50, 6, seed=33)
    labels = np.where(y > 0, "spam", "ham")
    model = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5).fit(X, labels)
    np.testing.assert_array_equal(model.classes_, ["ham", "spam"])
    dec = model.decision_function(X)
    assert dec.shape == (50,)
    np.testing.assert_allclose(dec, X @ model.coef_[0] + model.intercept_[0], rtol=1e-12, atol=1e-12)
    proba = model.predict_proba(X)
    assert proba.shape == (50, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-dec)), rtol=1e-12)
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-12)
    pred = model.predict(X)
    np.testing.assert_array_equal(pred, np.where(dec > 0, "spam", "ham"))
    assert model.score(X, labels) == np.mean(pred == labels)
    assert 0.5 < model.score(X, labels) < 1.0
    # extreme scores: probabilities stay in [0, 1], log-probabilities finite where representable
    big = 1e3 * X[:5]
    p = model.predict_proba(big)
    assert np.isfinite(p).all() and (p >= 0).all() and (p <= 1).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert np.isfinite(model.predict_log_proba(big)[p > 1e-300]).all()


@pytest.mark.parametrize("labels", [("no", "yes"), (False, True), (-1, 1)])
def test_estimator_labels(labels):
    X, y = make_data(50, 6, seed=34)
    base = fastreg.LogisticRegression(C=0.2, l1_ratio=1.0, tol=1e-10).fit(X, y)
    y_lab = np.where(y > 0, labels[1], labels[0])
    if isinstance(labels[0], bool):
        y_lab = y_lab.astype(bool)
    model = fastreg.LogisticRegression(C=0.2, l1_ratio=1.0, tol=1e-10).fit(X, y_lab)
    np.testing.assert_array_equal(model.classes_, np.array(labels))
    np.testing.assert_allclose(model.coef_, base.coef_, atol=1e-12)
    np.testing.assert_allclose(model.intercept_, base.intercept_, atol=1e-12)
    assert set(np.unique(model.predict(X))) <= set(labels)
    as_list = fastreg.LogisticRegression(C=0.2, l1_ratio=1.0, tol=1e-10).fit(X.tolist(), list(y_lab))
    np.testing.assert_allclose(as_list.coef_, base.coef_, atol=1e-12)


def test_class_weight():
    X, y = make_data(60, 6, seed=35, intercept=1.5)  # unbalanced
    n1 = y.sum()
    assert n1 > 36
    balanced = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, class_weight="balanced", tol=1e-10).fit(X, y)
    w_bal = np.where(y > 0, 60 / (2 * n1), 60 / (2 * (60 - n1)))
    explicit = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-10).fit(X, y, sample_weight=w_bal)
    alpha = _alpha(0.5, w_bal, 60)
    assert_same_solution(X, y, alpha, 0.5, _sol(balanced), _sol(explicit), what="balanced", sample_weight=w_bal)
    check_estimator_solution(balanced, X, y, w_bal)
    sk = sk_lm.LogisticRegression(C=0.5, l1_ratio=0.0, class_weight="balanced", tol=1e-12, max_iter=10_000).fit(X, y)
    ours = fastreg.LogisticRegression(C=0.5, l1_ratio=0.0, class_weight="balanced", tol=1e-10).fit(X, y)
    sk_sol = (sk.coef_[0], sk.intercept_[0], ref.duality_gap(X, y, sk.coef_[0], sk.intercept_[0], alpha, 0.0,
                                                             sample_weight=w_bal))
    assert_same_solution(X, y, alpha, 0.0, _sol(ours), sk_sol, what="balanced vs scikit-learn", sample_weight=w_bal)
    # a dict, combined with sample weights (multiplied), on string labels
    sw = np.random.default_rng(36).uniform(0.5, 2.0, 60)
    labels = np.where(y > 0, "pos", "neg")
    d = fastreg.LogisticRegression(C=0.5, class_weight={"neg": 3.0, "pos": 1.0}, tol=1e-10).fit(X, labels,
                                                                                              sample_weight=sw)
    sw_d = sw * np.where(y > 0, 1.0, 3.0)
    e = fastreg.LogisticRegression(C=0.5, tol=1e-10).fit(X, labels, sample_weight=sw_d)
    assert_same_solution(X, y, _alpha(0.5, sw_d, 60), 0.0, _sol(d), _sol(e), what="dict", sample_weight=sw_d)
    assert np.abs(d.coef_ - fastreg.LogisticRegression(C=0.5, tol=1e-10).fit(X, labels, sw).coef_).max() > 1e-3


def test_deprecated_penalty():
    X, y = make_data(50, 6, seed=37)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FutureWarning (deprecated) and scikit-learn's "inconsistent values"
        for penalty, l1_ratio, expected in (("l1", 0.0, 1.0), ("l2", 0.0, 0.0), ("elasticnet", 0.3, 0.3)):
            old = fastreg.LogisticRegression(penalty=penalty, l1_ratio=l1_ratio, C=0.3, tol=1e-10).fit(X, y)
            new = fastreg.LogisticRegression(l1_ratio=expected, C=0.3, tol=1e-10).fit(X, y)
            assert_same_solution(X, y, _alpha(0.3, None, 50), expected, _sol(old), _sol(new), what=penalty)
    l1 = fastreg.LogisticRegression(l1_ratio=1.0, C=0.1).fit(X, y)
    assert (l1.coef_ == 0).any() and (l1.coef_ != 0).any()


def test_warm_start():
    X, y = make_data(60, 8, seed=38)
    model = fastreg.LogisticRegression(C=0.1, l1_ratio=1.0, warm_start=True, tol=1e-10).fit(X, y)
    first = _sol(model), model.n_iter_.copy()
    model.fit(X, y)  # from its own solution: same answer, no more work than the first time
    assert_same_solution(X, y, _alpha(0.1, None, 60), 1.0, _sol(model), first[0], what="refit")
    assert model.n_iter_[0] <= first[1][0]
    model.set_params(C=1.0).fit(X, y)
    cold = fastreg.LogisticRegression(C=1.0, l1_ratio=1.0, tol=1e-10).fit(X, y)
    assert_same_solution(X, y, _alpha(1.0, None, 60), 1.0, _sol(model), _sol(cold), what="warm vs cold")
    check_estimator_solution(model, X, y)
    again = clone(cold).set_params(C=0.1).fit(X, y)
    assert_same_solution(X, y, _alpha(0.1, None, 60), 1.0, _sol(again), first[0], what="clone")


CV_CASES = {"l1": (1.0, 0.1), "enet": (0.5, 0.1), "l2": (0.0, 0.1)}


@pytest.mark.parametrize("case", list(CV_CASES))
def test_cross_val_score_breast_cancer(case):
    l1_ratio, C = CV_CASES[case]
    X, y = load_breast_cancer(return_X_y=True)
    ours = cross_val_score(make_pipeline(StandardScaler(), fastreg.LogisticRegression(C=C, l1_ratio=l1_ratio)),
                           X, y, cv=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        theirs = cross_val_score(make_pipeline(StandardScaler(), sk_lm.LogisticRegression(
            C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-8, max_iter=100_000)), X, y, cv=5)
    np.testing.assert_allclose(ours, theirs, atol=1e-3)
    assert ours.mean() > 0.9


# ----------------------------------------------------------------------------- scikit-learn's checks

# Multiclass (the multinomial family) except with solver='liblinear', binary-only as scikit-learn's: the
# checks fit three classes to the first, two to the second; every check must pass.
@parametrize_with_checks([fastreg.LogisticRegression(), fastreg.LogisticRegression(solver="liblinear")])
def test_sklearn_compatible_classifier(estimator, check):
    assert get_tags(estimator).classifier_tags.multi_class is (estimator.solver != "liblinear")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        check(estimator)


# ----------------------------------------------------------------------------- edge cases (appended)


def test_unconverged_gap_is_honest():
    """Stopped early (max_iter=1, an unreachable tol): not converged, but the gap still bounds P - P*.
    (p > n: the residual kernel's single epochs cannot finish; with n > p the Gram kernel's Newton
    steps on the support can solve a subproblem in one epoch.)"""
    X, y = make_data(40, 80, seed=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = path(X, y, l1_ratio=0.5, n_alphas=6, tol=1e-15, max_iter=1)
    assert not result.converged[1:].all()
    check_path(X, y, result, 0.5, dtype=np.float64, tol=1e-15, indices=range(1, 6))


@pytest.mark.parametrize("case", ["all-excluded", "constant-column", "imbalanced", "offset-columns",
                                  "sparse-standardize", "zero-weight-rows-p>n"])
def test_edge_cases(case):
    X, y = make_data(50, 6, seed=41)
    kw, problem, l1_ratio = dict(n_alphas=6, tol=1e-10), {}, 0.8
    Xfit = X
    if case == "all-excluded":
        problem["penalty_factor"] = np.full(6, np.inf)
        result = path(X, y, alphas=[0.1, 0.01], l1_ratio=l1_ratio, tol=1e-10, **problem)
        assert (result.coefs == 0).all()
        pbar = y.mean()
        np.testing.assert_allclose(result.intercepts, np.log(pbar / (1 - pbar)), rtol=1e-8)
        assert (result.dual_gaps <= 1e-10).all()
        return
    if case == "constant-column":
        X[:, 2] = 3.0
        problem["standardize"] = True
    elif case == "imbalanced":
        y = np.zeros(50)
        y[[3, 17]] = 1.0
    elif case == "offset-columns":
        X = X + 1e3 * np.arange(1, 7)
        Xfit = X
    elif case == "sparse-standardize":
        X[np.random.default_rng(42).random(X.shape) < 0.5] = 0.0
        Xfit = sparse.csc_matrix(X)
        problem.update(standardize=True, sample_weight=np.random.default_rng(43).uniform(0.5, 2.0, 50),
                       positive=True)
    elif case == "zero-weight-rows-p>n":
        X, y = make_data(20, 30, seed=44)
        Xfit = X
        sw = np.ones(20)
        sw[5:9] = 0.0
        problem["sample_weight"] = sw
        dropped = path(np.delete(X, range(5, 9), axis=0), np.delete(y, range(5, 9)), l1_ratio=l1_ratio, **kw)
    result = path(Xfit, y, l1_ratio=l1_ratio, **kw, **problem)
    assert np.isfinite(result.coefs).all() and result.converged.all()
    check_path(X, y, result, l1_ratio, dtype=np.float64, tol=1e-10, **problem)
    if case == "constant-column":
        assert (result.coefs[2] == 0).all()
    if case == "zero-weight-rows-p>n":
        assert_same_path(X, y, result, dropped, l1_ratio, what="zero weights", **problem)


def test_estimator_dataframe_and_dtypes():
    import pandas as pd

    X, y = make_data(40, 4, seed=45)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-10).fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c", "d"])
    plain = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, plain.coef_, atol=1e-12)
    m32 = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-6).fit(X.astype(np.float32), y)
    assert m32.coef_.dtype == np.float32
    check_estimator_solution(m32, X.astype(np.float32), y, dtype=np.float32)
    msp = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-10).fit(sparse.csr_matrix(X), y)
    assert_same_solution(X, y, _alpha(0.5, None, 40), 0.5, _sol(msp), _sol(plain), what="sparse estimator")
    np.testing.assert_allclose(msp.predict_proba(sparse.csr_matrix(X)), msp.predict_proba(X), rtol=1e-12, atol=1e-14)

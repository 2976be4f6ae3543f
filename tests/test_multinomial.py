"""The multinomial family (K classes): `fastreg.logistic_path` on K > 2 labels (or family='multinomial') and
`LogisticRegression` / `LogisticRegressionCV` on multiclass data.

Every solution is checked against `logistic_reference`'s independent NumPy multinomial solver and
certificate (itself checked against scikit-learn below), with bounds derived from the returned duality gap G
(P(W, b) - inf P <= G, objective units):

- honesty: P(fastreg) - P(reference) <= G + rounding, and P(reference) - P(fastreg) <= the reference's gap;
- the stopping rule: G <= tol * null objective when `converged`;
- the gap recomputed: fastreg's documented dual point (softmax, mixed with the class proportions' correction,
  scaled into the L1 ball) rebuilt here in NumPy gives the returned gap to rounding, and the reference's
  own dual point (built differently) certifies the same solution;
- KKT recomputed from X, y and the returned (W, b), each coordinate within what G allows;
- closeness: the Bregman divergence of the smooth part to the reference's solution, the mean
  Kullback-Leibler divergence of the two models' probabilities (plus the L2 part), is at most G plus the
  reference's KKT residual times the distance; by Pinsker the probabilities are then within sqrt(2 B) in
  mean L1 distance. With an L2 part, P is mu-strongly convex in W (mu the smallest L2 weight), so
  ||W - W*||_F <= sqrt(2 G / mu).
"""
import importlib.util
import pathlib
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk_lm
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import fastreg
from fastreg._multinomial import optimal_shift

_spec = importlib.util.spec_from_file_location("logistic_reference",
                                               pathlib.Path(__file__).with_name("logistic_reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

DTYPES = (np.float32, np.float64)


def tight_tol(dtype):
    return 1e-6 if np.dtype(dtype) == np.float32 else 1e-10


def rounding(dtype, n):
    """Absolute slack for rounding, in units of the null objective (a mean log-loss, <= log K)."""
    factor = 1e-6 if np.dtype(dtype) == np.float32 else 1e-13
    return factor * max(1.0, np.sqrt(n) / 8)


def make_multi(n, p, K=3, *, seed=0, dtype=np.float64, rho=0.5, offsets=True, n_informative=None, signal=1.5):
    """Correlated Gaussian columns of different scales and means; labels drawn from a sparse multinomial
    model (the Gumbel-max trick), every class present."""
    rng = np.random.default_rng(seed)
    idx = np.arange(p)
    cov = rho ** np.abs(idx[:, None] - idx[None, :])
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(cov).T
    k = n_informative if n_informative is not None else max(1, p // 3)
    W = np.zeros((K, p))
    for c in range(K):
        support = rng.choice(p, size=min(k, p), replace=False)
        W[c, support] = signal * rng.uniform(0.5, 1.5, len(support)) * rng.choice([-1.0, 1.0], len(support))
    eta = X @ W.T + rng.normal(0.0, 0.4, K)
    y = np.argmax(eta + rng.gumbel(size=(n, K)), axis=1)
    y[:K] = np.arange(K)
    if offsets:
        X = X * rng.uniform(0.5, 3.0, p) + rng.uniform(-2.0, 2.0, p)
    return X.astype(dtype), y


def mpath(X, y, **kw):
    return fastreg.logistic_path(X, y, **kw)


# ----------------------------------------------------------------------------- certificate checks


def fastreg_dual_gap(prob, W, b):
    """fastreg's documented dual point (`fastreg._multinomial.duality_gap`) rebuilt in NumPy on the user's
    scale: t = softmax(eta); with an intercept t <- r t + (N - r m) / n, r = min(1, min_k N_k / m_k); for no
    L2 part, t <- (1 - scale) Y + scale t into the L1 ball; gap = P - D(t)."""
    fit, s, n = prob.fitted, prob.s, prob.n
    W = np.asarray(W, dtype=np.float64)
    eta = prob.eta(W, b)[:, fit]
    Y = prob.Y[:, fit]
    t = np.exp(eta - eta.max(axis=1, keepdims=True))
    t /= t.sum(axis=1, keepdims=True)
    if prob.fit_intercept:
        N, m = s @ Y, s @ t
        r = min(1.0, float(np.min(N / m)))
        if r < 1:
            t = r * t + np.maximum(N - r * m, 0.0) / n
    theta = s[:, None] * (Y - t) / n
    U = (prob.X.T @ theta)[~prob.excluded]
    a, c = prob.a[~prob.excluded][:, None], prob.c[~prob.excluded][:, None]
    score = U if prob.positive else np.abs(U)
    if prob.c.max() > 0:
        conj = float(np.sum(np.maximum(score - a, 0.0) ** 2 / (2 * c)))
    else:
        conj = 0.0
        over = score > a
        scale = float(np.min((np.broadcast_to(a, score.shape)[over] / score[over]))) if over.any() else 1.0
        if scale < 1:
            t = (1 - scale) * Y + scale * t
    with np.errstate(divide="ignore", invalid="ignore"):
        neg_entropy = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0).sum(axis=1)
    dual = -float(s @ neg_entropy) / n - conj
    return prob.objective(W, b) - dual


def check_multi_solution(X, y, W, b, gap, alpha, l1_ratio, *, dtype, tol=None, converged=None, classes=None,
                         what="", **problem):
    """(W, b, gap) from fastreg solves the multinomial P at alpha as it claims (see the module docstring).
    Returns the reference's solution."""
    prob = ref.MultinomialProblem(X, y, alpha, l1_ratio, classes=classes, **problem)
    n, K = prob.n, prob.K
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    gap = float(gap)
    fit = prob.fitted
    null = ref.multinomial_null_objective(y, problem.get("sample_weight"), problem.get("fit_intercept", True), K)
    floor = rounding(dtype, n) * null
    msg = f"{what} alpha={alpha:.4g}"
    assert W.shape == (K, prob.p) and b.shape == (K,), msg
    assert np.isfinite(W).all() and np.isfinite(b[fit]).all(), f"{msg}: non-finite solution"
    if not prob.fit_intercept:
        assert (b == 0).all(), f"{msg}: intercepts {b} without fit_intercept"
    else:
        assert abs(b[fit].sum()) <= 1e-9 * max(1.0, np.abs(b[fit]).max()), f"{msg}: intercepts {b} do not sum to 0"
        assert (b[~fit] == -np.inf).all() and (W[~fit] == 0).all(), f"{msg}: an unweighted class is fitted"
    if problem.get("positive"):
        assert (W >= 0).all(), f"{msg}: negative coefficients with positive=True"
    assert (W[:, prob.excluded] == 0).all(), f"{msg}: excluded features got coefficients"
    assert np.isfinite(gap) and gap >= -floor, f"{msg}: returned gap {gap!r}"
    if converged:
        assert gap <= tol * null + floor, f"{msg}: converged with gap {gap:.3e} > tol * null = {tol * null:.3e}"

    # the returned gap is fastreg's documented certificate, recomputed here
    again = fastreg_dual_gap(prob, W, b)
    assert abs(again - gap) <= floor + 1e-9 * abs(gap), f"{msg}: returned gap {gap:.6e}, recomputed {again:.6e}"

    W_ref, b_ref, info = ref.solve_multinomial(X, y, alpha, l1_ratio, classes=classes, return_info=True, **problem)
    assert info["kkt"] <= 1e-9 and info["gap"] <= 1e-12, f"{msg}: the reference did not converge: {info}"
    P, P_ref = prob.objective(W, b), info["objective"]
    G = max(gap, 0.0) + floor
    assert P - P_ref <= G, (
        f"{msg}: dishonest certificate: P(fastreg) - P(reference) = {P - P_ref:.3e} > gap {gap:.3e}")
    assert P_ref - P <= max(info["gap"], 0.0) + floor, (
        f"{msg}: fastreg's objective {P!r} is below the certified optimum {P_ref!r} - {info['gap']:.1e}")
    # the reference's own certificate, built differently, certifies fastreg's solution as well
    gap_ref_ours = ref.multinomial_duality_gap(W, b, prob)
    assert gap_ref_ours <= 10 * G + floor, f"{msg}: the reference's gap at fastreg's solution is {gap_ref_ours:.3e}"

    # closeness: Bregman (mean KL of the probabilities + L2 part) and, with an L2 part, strong convexity
    viol_ref, viol_b_ref = ref.multinomial_kkt_violation(W_ref, b_ref, prob)
    dW = W - W_ref
    db = np.where(fit, b - np.where(fit, b_ref, 0.0), 0.0)
    B = ref.multinomial_bregman(W, b, W_ref, b_ref, prob)
    B_allowed = G + float(np.sum(viol_ref * np.abs(dW))) + float(viol_b_ref @ np.abs(db)) + 1e-15
    assert B <= B_allowed, (
        f"{msg}: too far from the reference (max |dW| = {np.abs(dW).max():.3e}): Bregman divergence {B:.3e} > "
        f"{B_allowed:.3e}")
    kept = ~prob.excluded
    if prob.c[kept].min(initial=np.inf) > 0 and np.isfinite(prob.c[kept].min(initial=np.inf)):
        mu = float(prob.c[kept].min())
        bound = np.sqrt(2 * G / mu) + np.sqrt(2 * (max(info["gap"], 0.0) + floor) / mu)
        assert np.linalg.norm(dW) <= bound * (1 + 1e-9) + 1e-12, (
            f"{msg}: ||W - W_ref|| = {np.linalg.norm(dW):.3e} > {bound:.3e} (strong convexity)")

    viol, viol_b = ref.multinomial_kkt_violation(W, b, prob)
    allowed, allowed_b = ref.multinomial_kkt_allowance(W, G, prob)
    bad = viol > allowed + 1e-12 + 1e-9 * prob.a
    assert not bad.any(), (
        f"{msg}: KKT violated at (class, feature) {np.argwhere(bad).tolist()}: {viol[bad]} > {allowed[bad]}")
    assert (viol_b <= allowed_b + 1e-12).all(), f"{msg}: intercept gradient {viol_b} > allowed {allowed_b:.3e}"
    return W_ref, b_ref


def mean_prob_distance(prob, sol1, sol2):
    """sqrt(mean_i s_i ||p1_i - p2_i||_1^2): how far two models' probabilities are."""
    d = np.abs(prob.probabilities(*sol1) - prob.probabilities(*sol2)).sum(axis=1)
    return float(np.sqrt(prob.s @ d ** 2 / prob.n))


def assert_same_multi(X, y, alpha, l1_ratio, sol1, sol2, *, dtype=np.float64, classes=None, what="", **problem):
    """Two certified solutions (W, b, gap) of the same problem are as close as their gaps allow: their
    probabilities within sqrt(2 B_1) + sqrt(2 B_2) (Pinsker, B_k <= G_k + the reference's KKT residual times
    the distance), and with an L2 part ||W_1 - W_2|| <= sqrt(2 G_1 / mu) + sqrt(2 G_2 / mu)."""
    prob = ref.MultinomialProblem(X, y, alpha, l1_ratio, classes=classes, **problem)
    null = ref.multinomial_null_objective(y, problem.get("sample_weight"), problem.get("fit_intercept", True), prob.K)
    floor = rounding(dtype, prob.n) * null
    W_ref, b_ref = ref.solve_multinomial(X, y, alpha, l1_ratio, classes=classes, **problem)
    viol_ref, viol_b_ref = ref.multinomial_kkt_violation(W_ref, b_ref, prob)
    sols = [(np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64), max(float(g), 0.0) + floor)
            for W, b, g in (sol1, sol2)]
    fit = prob.fitted
    limit = 1e-12
    for W, b, G in sols:
        db = np.where(fit, b - np.where(fit, b_ref, 0.0), 0.0)
        B = G + float(np.sum(viol_ref * np.abs(W - W_ref))) + float(viol_b_ref @ np.abs(db))
        limit += np.sqrt(2 * B)
    dist = mean_prob_distance(prob, sols[0][:2], sols[1][:2])
    assert dist <= limit, f"{what}: probabilities differ by {dist:.3e}; the gaps allow {limit:.3e}"
    kept = ~prob.excluded
    if prob.c[kept].min(initial=np.inf) > 0:
        mu = float(prob.c[kept].min())
        bound = sum(np.sqrt(2 * G / mu) for _, _, G in sols) + 1e-12
        dW = np.linalg.norm(sols[0][0] - sols[1][0])
        assert dW <= bound, f"{what}: coefficients differ by {dW:.3e} > {bound:.3e} (strong convexity)"


def check_multi_path(X, y, result, l1_ratio, *, dtype, tol, indices=None, classes=None, **problem):
    """The path's shapes, order and dtype (scikit-learn's multi-output layout), then `check_multi_solution`
    at some of its alphas."""
    n_features = np.shape(X)[1]
    K = len(np.unique(y)) if classes is None else len(classes)
    n_alphas = len(result.alphas)
    assert result.coefs.shape == (K, n_features, n_alphas)
    assert result.coefs.dtype == np.dtype(dtype)
    assert result.intercepts.shape == (K, n_alphas)
    assert np.shape(result.dual_gaps) == (n_alphas,) and np.shape(result.n_iters) == (n_alphas,)
    assert np.shape(result.converged) == (n_alphas,) and np.shape(result.dev_ratios) == (n_alphas,)
    assert result.solver.startswith("irls-multinomial+"), result.solver
    assert (np.diff(result.alphas) < 0).all() or n_alphas == 1
    if indices is None:
        indices = sorted({0, n_alphas // 3, 2 * n_alphas // 3, n_alphas - 1})
    for k in indices:
        check_multi_solution(X, y, result.coefs[:, :, k], result.intercepts[:, k], result.dual_gaps[k],
                             result.alphas[k], l1_ratio, dtype=dtype, tol=tol, converged=result.converged[k],
                             classes=classes, what=f"alpha #{k}", **problem)


def assert_same_multi_path(X, y, r1, r2, l1_ratio, *, dtype=np.float64, what="", **problem):
    np.testing.assert_allclose(r1.alphas, r2.alphas, rtol=1e-10)
    for k in range(len(r1.alphas)):
        assert_same_multi(X, y, r1.alphas[k], l1_ratio,
                          (r1.coefs[:, :, k], r1.intercepts[:, k], r1.dual_gaps[k]),
                          (r2.coefs[:, :, k], r2.intercepts[:, k], r2.dual_gaps[k]),
                          dtype=dtype, what=f"{what} alpha #{k}", **problem)


# ----------------------------------------------------------------------------- the reference itself


SK_CASES = {
    "l2-lbfgs": dict(solver="lbfgs", l1_ratio=0.0, fit_intercept=True),
    "l2-lbfgs-weights": dict(solver="lbfgs", l1_ratio=0.0, fit_intercept=True, weights=True),
    "l2-lbfgs-no-intercept": dict(solver="lbfgs", l1_ratio=0.0, fit_intercept=False),
    "enet-saga": dict(solver="saga", l1_ratio=0.5, fit_intercept=True),
    "l1-saga": dict(solver="saga", l1_ratio=1.0, fit_intercept=True),
    "l1-saga-no-intercept": dict(solver="saga", l1_ratio=1.0, fit_intercept=False),
}


def sk_fit(X, y, C, l1_ratio, solver, fit_intercept=True, sample_weight=None, tol=1e-12, class_weight=None):
    model = sk_lm.LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, fit_intercept=fit_intercept, tol=tol,
                                     max_iter=100_000, class_weight=class_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        model.fit(X, y, sample_weight=sample_weight)
    b = model.intercept_ - model.intercept_.mean() if fit_intercept else np.zeros(len(model.classes_))
    return model.coef_.astype(np.float64), b  # (the model is invariant to a common intercept shift)


def standardized(X):
    return (X - X.mean(0)) / X.std(0)


@pytest.mark.parametrize("case", list(SK_CASES))
def test_reference_matches_sklearn(case):
    """The NumPy reference and scikit-learn solve the same problem, alpha = 1 / (C sum_i s_i)."""
    spec = SK_CASES[case]
    X, y = make_multi(80, 6, 3, seed=1)
    X = standardized(X)  # saga's convergence needs scaled columns
    sw = np.random.default_rng(2).uniform(0.2, 3.0, len(y)) if spec.get("weights") else None
    C = 0.5
    alpha = 1.0 / (C * (len(y) if sw is None else sw.sum()))
    W_sk, b_sk = sk_fit(X, y, C, spec["l1_ratio"], spec["solver"], spec["fit_intercept"], sw)
    problem = dict(sample_weight=sw, fit_intercept=spec["fit_intercept"])
    W, b, info = ref.solve_multinomial(X, y, alpha, spec["l1_ratio"], return_info=True, **problem)
    assert info["polished"] and info["kkt"] <= 1e-10 and abs(info["gap"]) <= 1e-13, info
    prob = ref.MultinomialProblem(X, y, alpha, spec["l1_ratio"], **problem)
    P_sk = prob.objective(W_sk, b_sk)
    assert abs(P_sk - info["objective"]) <= 1e-11, (P_sk, info["objective"])
    assert np.abs(W - W_sk).max() <= 1e-5 and np.abs(b - b_sk).max() <= 1e-5
    if spec["l1_ratio"] == 1.0:
        assert ((W == 0) == (np.abs(W_sk) < 1e-7)).all()
        assert (W == 0).any() and (W != 0).any()
    gap_sk = ref.multinomial_duality_gap(W_sk, b_sk, prob)
    assert -1e-13 <= gap_sk <= 1e-9
    assert P_sk >= info["objective"] - 1e-14


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_reference_certificate_is_valid(l1_ratio, positive, fit_intercept):
    """Weak duality at many points (the dual value never exceeds the optimum), gaps bound the true
    suboptimality and the KKT allowance holds -- with weights, penalty factors and standardization; and
    so for fastreg's documented dual point."""
    X, y = make_multi(45, 6, 4, seed=3)
    pf = np.array([1.0, 2.0, 0.5, np.inf, 1.0, 3.0])
    problem = dict(sample_weight=np.random.default_rng(4).uniform(0.5, 2.0, 45), penalty_factor=pf,
                   fit_intercept=fit_intercept, positive=positive, standardize=True)
    alpha = 0.1 * ref.multinomial_alpha_max(X, y, max(l1_ratio, 0.1), **problem)
    prob = ref.MultinomialProblem(X, y, alpha, l1_ratio, **problem)
    W, b, info = ref.solve_multinomial(X, y, alpha, l1_ratio, return_info=True, **problem)
    assert info["kkt"] <= 1e-10 and abs(info["gap"]) <= 1e-13 and (W[:, 3] == 0).all(), info
    assert (W != 0).sum() >= 3
    rng = np.random.default_rng(5)
    for scale in (1e-6, 1e-3, 1e-1, 1.0):
        for _ in range(8):
            W2 = W + scale * rng.standard_normal(W.shape) * (rng.random(W.shape) < 0.7)
            W2[:, 3] = 0.0
            if positive:
                W2 = np.abs(W2)
            b2 = b + scale * rng.standard_normal(4) if fit_intercept else b
            P2 = prob.objective(W2, b2)
            gap, dual = ref.multinomial_duality_gap(W2, b2, prob, return_dual=True)
            assert dual <= info["objective"] + 1e-14, "dual value above the optimum: not a certificate"
            assert P2 - info["objective"] <= gap + 1e-14
            ours = fastreg_dual_gap(prob, W2, b2)
            assert P2 - info["objective"] <= ours + 1e-14, "fastreg's dual point is not a certificate"
            viol, viol_b = ref.multinomial_kkt_violation(W2, b2, prob)
            allowed, allowed_b = ref.multinomial_kkt_allowance(W2, P2 - info["objective"] + 1e-15, prob)
            assert (viol <= allowed + 1e-12).all() and (viol_b <= allowed_b + 1e-12).all()
    bumped = W + 0.1 * (np.arange(6) != 3)
    assert 1e-6 < ref.multinomial_duality_gap(bumped, b, prob) < np.inf


def test_reference_invariances():
    """The reference's conventions: weight k = k repeated rows, labels are any values (sorted), relabeling
    permutes the classes' rows, and a class without weight is the limit b = -inf, W = 0."""
    X, y = make_multi(36, 5, 3, seed=6)
    alpha = 0.02
    counts = np.random.default_rng(7).integers(0, 4, 36)
    counts[:3] = 1
    W1, b1 = ref.solve_multinomial(X, y, alpha, 0.7, sample_weight=counts)
    W2, b2 = ref.solve_multinomial(np.repeat(X, counts, axis=0), np.repeat(y, counts), alpha, 0.7)
    np.testing.assert_allclose(W1, W2, atol=1e-9)
    np.testing.assert_allclose(b1, b2, atol=1e-9)
    names = np.array(["c", "a", "b"])[y]  # class 0 -> 'c' (last when sorted), 1 -> 'a', 2 -> 'b'
    W3, b3 = ref.solve_multinomial(X, names, alpha, 0.7, sample_weight=counts)
    np.testing.assert_allclose(W3, W1[[1, 2, 0]], atol=1e-12)
    # class 2 without weight: the limit problem is the other two classes'
    sw = np.where(y == 2, 0.0, 1.0)
    W4, b4 = ref.solve_multinomial(X, y, alpha, 0.7, sample_weight=sw)
    keep = y != 2
    W5, b5 = ref.solve_multinomial(X[keep], y[keep], alpha, 0.7)
    assert b4[2] == -np.inf and (W4[2] == 0).all()
    np.testing.assert_allclose(W4[:2], W5, atol=1e-10)
    np.testing.assert_allclose(b4[:2], b5, atol=1e-10)


def test_checks_can_fail():
    """`check_multi_solution` rejects a solution off by more than its gap, a gap that understates the
    suboptimality, intercepts not centered, and a gap other than the documented one."""
    X, y = make_multi(50, 6, 3, seed=8)
    alpha = 0.3 * ref.multinomial_alpha_max(X, y, 0.8)
    W, b = ref.solve_multinomial(X, y, alpha, 0.8)
    assert (W == 0).any() and (W != 0).any()
    prob = ref.MultinomialProblem(X, y, alpha, 0.8)
    gap0 = fastreg_dual_gap(prob, W, b)
    check_multi_solution(X, y, W, b, gap0, alpha, 0.8, dtype=np.float64)
    for W_bad, b_bad in ((W * 1.01, b), (W, b + np.array([1e-3, -1e-3, 0.0])), (W + 1e-4 * (W == 0), b)):
        with pytest.raises(AssertionError):
            check_multi_solution(X, y, W_bad, b_bad, 1e-12, alpha, 0.8, dtype=np.float64)
    with pytest.raises(AssertionError, match="sum to 0"):
        check_multi_solution(X, y, W, b + 1.0, gap0, alpha, 0.8, dtype=np.float64)
    with pytest.raises(AssertionError, match="recomputed"):
        check_multi_solution(X, y, W, b, gap0 + 1e-9, alpha, 0.8, dtype=np.float64)
    with pytest.raises(AssertionError, match="differ"):
        assert_same_multi(X, y, alpha, 0.8, (W, b, 1e-12), (W * 1.02, b, 1e-12))
    assert_same_multi(X, y, alpha, 0.8, (W, b, 1e-12), (W * (1 + 1e-9), b, 1e-12))
    with pytest.raises(AssertionError, match="converged"):
        check_multi_solution(X, y, W, b, 1e-3, alpha, 0.8, dtype=np.float64, tol=1e-6, converged=True)


def test_optimal_shift_is_the_minimizer():
    """The common shift of a feature's coefficients (the solver's exact step along the loss' flat
    directions) minimizes sum_k (a |w_k - c| + c2 / 2 (w_k - c)^2), against a fine grid, with ties and
    the positive constraint c <= min_k w_k."""
    rng = np.random.default_rng(9)
    grid = np.linspace(-4, 4, 16001)
    for _ in range(300):
        K = int(rng.integers(2, 7))
        W = np.round(rng.standard_normal((4, K)), int(rng.integers(0, 3)))
        a, c2 = rng.choice([0.0, 0.3, 1.0]), rng.choice([0.0, 0.5, 2.0])
        if a == 0 and c2 == 0:
            continue
        positive = bool(rng.integers(0, 2))
        if positive:
            W = np.abs(W)
        c = optimal_shift(W, a, c2, positive)
        for j in range(4):
            def phi(t):
                return a * np.abs(W[j][:, None] - t).sum(0) + c2 / 2 * ((W[j][:, None] - t) ** 2).sum(0)
            g = grid[grid <= W[j].min()] if positive else grid
            assert phi(np.array([c[j]]))[0] <= phi(g).min() + 1e-9, (W[j], a, c2, positive, c[j])
            if positive:
                assert c[j] <= W[j].min()
            if c2 == 0:  # pure L1: of the medians, the one closest to 0
                lo, hi = np.sort(W[j])[(K - 1) // 2], np.sort(W[j])[K // 2]
                assert c[j] == (min(np.clip(0.0, lo, hi), W[j].min()) if positive else np.clip(0.0, lo, hi))


# ----------------------------------------------------------------------------- logistic_path, K classes


SHAPES = {"n>p": (70, 9), "p>n": (30, 45)}


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_path_matches_reference(shape, l1_ratio, fit_intercept, dtype):
    n, p = SHAPES[shape]
    X, y = make_multi(n, p, 3, seed=10, dtype=dtype)
    tol = tight_tol(dtype)
    result = mpath(X, y, l1_ratio=l1_ratio, n_alphas=10, fit_intercept=fit_intercept, tol=tol)
    assert len(result.alphas) == 10 and result.stop_reason is None
    np.testing.assert_array_equal(result.classes, [0, 1, 2])
    eps = 1e-3 if n > p else 1e-2
    amax = ref.multinomial_alpha_max(X, y, l1_ratio, fit_intercept=fit_intercept)
    np.testing.assert_allclose(result.alphas[0], amax, rtol=1e-6 if dtype == np.float32 else 1e-10)
    np.testing.assert_allclose(result.alphas, np.geomspace(amax, amax * eps, 10), rtol=1e-6)
    assert (result.coefs[:, :, 0] == 0).all()
    assert result.converged.all(), (result.dual_gaps, result.n_iters)
    check_multi_path(X, y, result, l1_ratio, dtype=dtype, tol=tol, fit_intercept=fit_intercept)
    assert np.count_nonzero(result.coefs[:, :, -1].any(axis=0)) >= 3  # a real support at the last alpha
    assert (np.diff(result.dev_ratios) >= -1e-9).all() and 0 < result.dev_ratios[-1] < 1


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_alphas(fit_intercept):
    """l1_ratio=0 (pure L2) on given alphas: every coefficient non-zero, each feature's coefficients sum to
    0 over the classes (the unique optimum is centered), as do the intercepts."""
    X, y = make_multi(50, 8, 4, seed=11)
    alphas = [1.0, 0.1, 0.01, 0.001]
    result = mpath(X, y, l1_ratio=0.0, alphas=alphas, fit_intercept=fit_intercept, tol=1e-10)
    np.testing.assert_array_equal(result.alphas, alphas)
    assert (result.coefs != 0).all()
    check_multi_path(X, y, result, 0.0, dtype=np.float64, tol=1e-10, indices=range(4), fit_intercept=fit_intercept)
    # centered to what the gap allows: |sum_k W_jk| <= sqrt(K) ||W - W*|| <= sqrt(K) sqrt(2 G / alpha)
    for k, alpha in enumerate(alphas):
        G = result.dual_gaps[k] + 1e-13
        assert np.abs(result.coefs[:, :, k].sum(axis=0)).max() <= 2 * np.sqrt(2 * G / alpha) + 1e-12
        assert abs(result.intercepts[:, k].sum()) <= 1e-12


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
    """alphas[0] is the smallest alpha with W = 0 (all zero there, not just below it)."""
    X, y = make_multi(60, 8, 3, seed=12)
    problem = dict(GRID_CASES[case])
    if problem.get("sample_weight") == "w":
        problem["sample_weight"] = np.random.default_rng(13).uniform(0.0, 3.0, 60)
    result = mpath(X, y, l1_ratio=0.8, n_alphas=5, tol=1e-10, **problem)
    amax = ref.multinomial_alpha_max(X, y, 0.8, **problem)
    np.testing.assert_allclose(result.alphas[0], amax, rtol=1e-10)
    np.testing.assert_allclose(result.alphas[-1], 1e-3 * amax, rtol=1e-10)
    assert (result.coefs[:, :, 0] == 0).all()
    below = mpath(X, y, l1_ratio=0.8, alphas=[amax * (1 - 1e-3)], tol=1e-10, **problem)
    assert np.count_nonzero(below.coefs) >= 1
    check_multi_path(X, y, result, 0.8, dtype=np.float64, tol=1e-10, indices=[0, 2, 4], **problem)
    check_multi_solution(X, y, below.coefs[:, :, 0], below.intercepts[:, 0], below.dual_gaps[0], below.alphas[0],
                         0.8, dtype=np.float64, tol=1e-10, converged=below.converged[0], **problem)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_sparse_equals_dense(fmt, fit_intercept):
    X, y = make_multi(70, 14, 3, seed=14)
    X[np.random.default_rng(15).random(X.shape) < 0.6] = 0.0
    Xs = sparse.csc_matrix(X) if fmt == "csc" else sparse.csr_matrix(X)
    sw = np.random.default_rng(16).uniform(0.5, 2.0, 70)
    kw = dict(l1_ratio=0.7, n_alphas=6, fit_intercept=fit_intercept, tol=1e-10, sample_weight=sw)
    dense, sp = mpath(X, y, **kw), mpath(Xs, y, **kw)
    np.testing.assert_allclose(sp.alphas, dense.alphas, rtol=1e-12)
    assert sp.coefs.dtype == np.float64 and sp.solver.startswith("irls-multinomial+")
    for result in (dense, sp):
        check_multi_path(X, y, result, 0.7, dtype=np.float64, tol=1e-10, indices=[2, 5], fit_intercept=fit_intercept,
                         sample_weight=sw)
    assert_same_multi_path(X, y, dense, sp, 0.7, what=fmt, fit_intercept=fit_intercept, sample_weight=sw)
    sp32 = mpath(Xs.astype(np.float32), y, **kw)
    assert sp32.coefs.dtype == np.float32
    check_multi_path(X.astype(np.float32), y, sp32, 0.7, dtype=np.float32, tol=1e-10, indices=[5],
                     fit_intercept=fit_intercept, sample_weight=sw)


def test_float32_matches_float64():
    X, y = make_multi(60, 10, 3, seed=17)
    r64 = mpath(X, y, l1_ratio=0.9, n_alphas=8, tol=1e-8)
    r32 = mpath(X.astype(np.float32), y, l1_ratio=0.9, alphas=r64.alphas, tol=1e-8)
    np.testing.assert_allclose(mpath(X.astype(np.float32), y, l1_ratio=0.9, n_alphas=8).alphas, r64.alphas,
                               rtol=1e-6)
    assert r32.coefs.dtype == np.float32 and r64.coefs.dtype == np.float64
    assert_same_multi_path(X, y, r64, r32, 0.9, dtype=np.float32, what="float32")


@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "sparse"])
def test_sample_weight_equals_repeated_rows(sparse_X):
    X, y = make_multi(45, 7, 3, seed=18)
    counts = np.random.default_rng(19).integers(0, 4, 45)
    counts[:3] = [1, 2, 1]
    Xr, yr = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    conv = sparse.csr_matrix if sparse_X else np.asarray
    alphas = mpath(Xr, yr, l1_ratio=0.6, n_alphas=5).alphas
    kw = dict(l1_ratio=0.6, alphas=alphas, tol=1e-12)
    weighted = mpath(conv(X), y, sample_weight=counts, **kw)
    repeated = mpath(conv(Xr), yr, **kw)
    scaled = mpath(conv(X), y, sample_weight=0.25 * counts, **kw)  # only the weights' ratios matter
    for other in (repeated, scaled):
        assert_same_multi_path(X, y, weighted, other, 0.6, what="weights", sample_weight=counts)
    auto = mpath(conv(X), y, sample_weight=counts, l1_ratio=0.6, n_alphas=5)
    np.testing.assert_allclose(auto.alphas, alphas, rtol=1e-10)
    check_multi_path(X, y, weighted, 0.6, dtype=np.float64, tol=1e-12, sample_weight=counts)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_standardize(fit_intercept):
    X, y = make_multi(60, 8, 3, seed=21)
    sw = np.random.default_rng(22).uniform(0.5, 2.0, 60)
    kw = dict(l1_ratio=0.7, n_alphas=6, tol=1e-10, fit_intercept=fit_intercept, sample_weight=sw)
    result = mpath(X, y, standardize=True, **kw)
    check_multi_path(X, y, result, 0.7, dtype=np.float64, tol=1e-10, standardize=True, fit_intercept=fit_intercept,
                     sample_weight=sw)
    # the same as penalizing X / sd (the weighted sd about the weighted mean with an intercept, about 0 without)
    s = sw / sw.mean()
    mean = s @ X / 60 if fit_intercept else 0.0
    sd = np.sqrt(s @ (X - mean) ** 2 / 60)
    scaled = mpath(X / sd, y, alphas=result.alphas, l1_ratio=0.7, tol=1e-10, fit_intercept=fit_intercept,
                   sample_weight=sw)
    np.testing.assert_allclose(result.coefs, scaled.coefs / sd[None, :, None], atol=1e-6)
    plain = mpath(X, y, alphas=result.alphas, **{k: v for k, v in kw.items() if k != "n_alphas"})
    assert np.abs(plain.coefs - result.coefs).max() > 1e-3  # (another problem)


def test_penalty_factor():
    X, y = make_multi(60, 8, 3, seed=20)
    pf = np.array([1.0, 0.3, 2.0, np.inf, 1.0, 1.5, np.inf, 0.8])
    result = mpath(X, y, l1_ratio=0.8, n_alphas=6, penalty_factor=pf, tol=1e-10)
    assert (result.coefs[:, [3, 6]] == 0).all(), "an excluded feature (factor inf) must be exactly 0"
    check_multi_path(X, y, result, 0.8, dtype=np.float64, tol=1e-10, penalty_factor=pf)
    assert np.count_nonzero(result.coefs[:, :, -1].any(axis=0)) >= 4
    with pytest.raises(ValueError, match="penalty_factor"):
        mpath(X, y, penalty_factor=[0.0] + [1.0] * 7)
    every = mpath(X, y, alphas=[0.1, 0.01], penalty_factor=np.full(8, np.inf), tol=1e-10)  # intercepts only
    assert (every.coefs == 0).all() and every.coefs.shape == (3, 8, 2)
    pi = np.bincount(y) / 60
    np.testing.assert_allclose(every.intercepts[:, 0], np.log(pi) - np.log(pi).mean(), atol=1e-10)
    assert (every.dual_gaps <= 1e-10).all()


@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_positive(l1_ratio):
    X, y = make_multi(60, 8, 3, seed=23)
    result = mpath(X, y, l1_ratio=l1_ratio, n_alphas=6, positive=True, tol=1e-10)
    assert (result.coefs >= 0).all() and (result.coefs[:, :, -1] > 0).any()
    check_multi_path(X, y, result, l1_ratio, dtype=np.float64, tol=1e-10, positive=True)


def test_coef_init_and_inputs_unchanged():
    """A warm start of shape (K, n_features) gives the same solution; X, y, weights and the start are not
    modified."""
    X, y = make_multi(50, 6, 3, seed=24)
    sw = np.random.default_rng(25).uniform(0.5, 2.0, 50)
    alpha = 0.2 * ref.multinomial_alpha_max(X, y, 0.5)
    start = np.random.default_rng(26).standard_normal((3, 6))
    copies = [a.copy() for a in (X, y, sw, start)]
    warm = mpath(X, y, alphas=[alpha], l1_ratio=0.5, sample_weight=sw, coef_init=start, tol=1e-12)
    cold = mpath(X, y, alphas=[alpha], l1_ratio=0.5, sample_weight=sw, tol=1e-12)
    for a, b in zip((X, y, sw, start), copies):
        np.testing.assert_array_equal(a, b)
    assert_same_multi_path(X, y, warm, cold, 0.5, what="coef_init", sample_weight=sw)
    with pytest.raises(ValueError, match="coef_init"):
        mpath(X, y, alphas=[alpha], coef_init=np.zeros(6))
    with pytest.raises(ValueError, match="coef_init"):
        mpath(X, y, alphas=[alpha], coef_init=np.zeros((6, 3)))


def test_dfmax_counts_features():
    """dfmax counts the features with a non-zero coefficient for some class (glmnet's df)."""
    X, y = make_multi(60, 10, 3, seed=27)
    full = mpath(X, y, l1_ratio=1.0, n_alphas=12, tol=1e-8)
    df = np.count_nonzero(full.coefs.any(axis=0), axis=0)
    limit = int(df[6])
    stopped = mpath(X, y, l1_ratio=1.0, n_alphas=12, tol=1e-8, dfmax=limit)
    assert stopped.stop_reason == "dfmax"
    n_done = len(stopped.alphas)
    assert (df[:n_done] <= limit).all() and df[n_done] > limit
    assert stopped.coefs.shape == (3, 10, n_done) and stopped.intercepts.shape == (3, n_done)



@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_two_classes_multinomial_is_the_binomial(l1_ratio):
    """family='multinomial' on two classes: with beta = W_1 - W_0 the loss is the binomial one, and for a
    given beta the penalty is smallest at W_1 = -W_0 = beta / 2 (the L2 part strictly, the L1 part over
    every split whose two parts do not share a sign), where it is alpha (l1_ratio |beta| + (1 - l1_ratio) / 4
    beta^2): the binomial penalty at alpha' = alpha (1 + l1_ratio) / 2 and l1_ratio' = 2 l1_ratio /
    (1 + l1_ratio). The multinomial optimum is then (-beta/2, beta/2), and the binomial one at
    (alpha', l1_ratio') is beta."""
    X, y = make_multi(70, 6, 2, seed=28)
    alphas = np.array([0.05, 0.01, 0.002])
    multi = mpath(X, y, alphas=alphas, l1_ratio=l1_ratio, family="multinomial", tol=1e-12)
    assert multi.coefs.shape == (2, 6, 3) and multi.solver.startswith("irls-multinomial")
    check_multi_path(X, y, multi, l1_ratio, dtype=np.float64, tol=1e-12, indices=range(3))
    l1_b = 2 * l1_ratio / (1 + l1_ratio)
    for k, alpha in enumerate(alphas):
        alpha_b = alpha * (1 + l1_ratio) / 2
        binom = mpath(X, y, alphas=[alpha_b], l1_ratio=l1_b, tol=1e-12)
        assert binom.coefs.shape == (6, 1)
        beta = multi.coefs[1, :, k] - multi.coefs[0, :, k]
        beta0 = multi.intercepts[1, k] - multi.intercepts[0, k]
        w_ref, b_ref = ref.solve(X, y, alpha_b, l1_b)
        np.testing.assert_allclose(beta, w_ref, atol=1e-6)
        np.testing.assert_allclose(binom.coefs[:, 0], w_ref, atol=1e-6)
        assert abs(beta0 - b_ref) <= 1e-6
        if l1_ratio < 1:  # the unique split
            np.testing.assert_allclose(multi.coefs[1, :, k], -multi.coefs[0, :, k], atol=1e-6)
        else:  # a split of beta whose parts never share a sign
            assert (multi.coefs[0, :, k] * multi.coefs[1, :, k] <= 0).all()
        # the multinomial objective at the binomial solution's symmetric split is the binomial objective
        prob = ref.MultinomialProblem(X, y, alpha, l1_ratio)
        split = np.vstack([-w_ref / 2, w_ref / 2])
        P_split = prob.objective(split, np.array([-b_ref / 2, b_ref / 2]))
        assert abs(P_split - ref.objective(X, y, w_ref, b_ref, alpha_b, l1_b)) <= 1e-13
    # 'binomial' on the same data: the default for two classes
    auto = mpath(X, y, alphas=alphas, l1_ratio=l1_ratio, tol=1e-10)
    assert auto.coefs.shape == (6, 3) and auto.solver.startswith("irls+")

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
        sum_tol = 8 * K * np.finfo(dtype).eps * max(1.0, np.abs(b[fit]).max())  # (rounded to the data's dtype)
        assert abs(b[fit].sum()) <= sum_tol, f"{msg}: intercepts {b} do not sum to 0"
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


# ----------------------------------------------------------------------------- LogisticRegression, K classes


def _alpha(C, sample_weight, n):
    return 1.0 / (C * (n if sample_weight is None else float(np.sum(sample_weight))))


def _sol(model):
    return model.coef_, model.intercept_, model.dual_gap_


def certified_sklearn(X, y, C, l1_ratio, solver, *, sample_weight=None, fit_intercept=True, class_weight=None,
                      max_gap=1e-9):
    """scikit-learn's solution (intercepts centered) with its gap by the reference, which must be small for it
    to serve as an oracle."""
    W, b = sk_fit(X, y, C, l1_ratio, solver, fit_intercept, sample_weight, class_weight=class_weight)
    prob = ref.MultinomialProblem(X, y, _alpha(C, sample_weight, len(y)), l1_ratio, sample_weight=sample_weight,
                                  fit_intercept=fit_intercept)
    gap = ref.multinomial_duality_gap(W, b, prob)
    assert gap <= max_gap, f"scikit-learn's {solver} stopped at a gap {gap:.2e}: not an oracle here"
    return W, b, gap


EST_CASES = {
    "l2-lbfgs": dict(solver="lbfgs", l1_ratio=0.0),
    "l2-lbfgs-weights": dict(solver="lbfgs", l1_ratio=0.0, weights=True),
    "l2-lbfgs-no-intercept": dict(solver="lbfgs", l1_ratio=0.0, fit_intercept=False),
    "enet-saga": dict(solver="saga", l1_ratio=0.4),
    "l1-saga": dict(solver="saga", l1_ratio=1.0),
}


@pytest.mark.parametrize("case", list(EST_CASES))
def test_estimator_matches_sklearn(case):
    spec = EST_CASES[case]
    X, y = make_multi(90, 7, 4, seed=30)
    X = standardized(X)
    sw = np.random.default_rng(31).uniform(0.2, 3.0, 90) if spec.get("weights") else None
    fit_intercept = spec.get("fit_intercept", True)
    C, l1_ratio = 0.4, spec["l1_ratio"]
    ours = fastreg.LogisticRegression(C=C, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-10).fit(
        X, y, sample_weight=sw)
    theirs = certified_sklearn(X, y, C, l1_ratio, spec["solver"], sample_weight=sw, fit_intercept=fit_intercept)
    problem = dict(sample_weight=sw, fit_intercept=fit_intercept)
    alpha = _alpha(C, sw, 90)
    assert_same_multi(X, y, alpha, l1_ratio, _sol(ours), theirs, what=f"vs scikit-learn {spec['solver']}", **problem)
    check_multi_solution(X, y, ours.coef_, ours.intercept_, ours.dual_gap_, alpha, l1_ratio, dtype=np.float64,
                         tol=1e-10, converged=True, what="LogisticRegression", **problem)
    assert ours.coef_.shape == (4, 7) and ours.intercept_.shape == (4,) and ours.n_iter_.shape == (1,)
    assert ours.solver_.startswith("irls-multinomial+") and ours.coef_.dtype == np.float64
    np.testing.assert_array_equal(ours.classes_, [0, 1, 2, 3])
    same = mpath(X, y, l1_ratio=l1_ratio, alphas=[alpha], sample_weight=sw, fit_intercept=fit_intercept, tol=1e-10)
    assert_same_multi(X, y, alpha, l1_ratio, _sol(ours), (same.coefs[:, :, 0], same.intercepts[:, 0],
                                                           same.dual_gaps[0]), what="vs logistic_path", **problem)
    # scikit-learn's predictions, but for rows whose two most probable classes are nearly tied
    P_sk = ref.MultinomialProblem(X, y, alpha, l1_ratio, **problem).probabilities(*theirs[:2])
    top2 = np.sort(P_sk, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-6
    np.testing.assert_array_equal(ours.predict(X)[clear], np.argmax(P_sk, axis=1)[clear])


def test_predict_methods():
    X, y = make_multi(60, 5, 3, seed=32)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5).fit(X, labels)
    np.testing.assert_array_equal(model.classes_, ["setosa", "versicolor", "virginica"])
    dec = model.decision_function(X)
    assert dec.shape == (60, 3)
    np.testing.assert_allclose(dec, X @ model.coef_.T + model.intercept_, rtol=1e-12, atol=1e-12)
    proba = model.predict_proba(X)
    assert proba.shape == (60, 3)
    e = np.exp(dec - dec.max(axis=1, keepdims=True))
    np.testing.assert_allclose(proba, e / e.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-12)
    pred = model.predict(X)
    np.testing.assert_array_equal(pred, model.classes_[np.argmax(dec, axis=1)])
    assert model.score(X, labels) == np.mean(pred == labels) and model.score(X, labels) > 0.5
    big = 1e3 * X[:5]  # extreme scores: probabilities in [0, 1], finite log-probabilities where representable
    p = model.predict_proba(big)
    assert np.isfinite(p).all() and (p >= 0).all() and (p <= 1).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert np.isfinite(model.predict_log_proba(big)[p > 1e-300]).all()
    # sparse and float32 input to the predictions
    np.testing.assert_allclose(model.predict_proba(sparse.csr_matrix(X)), proba, rtol=1e-12, atol=1e-14)
    assert model.predict_proba(X.astype(np.float32)).shape == (60, 3)


def test_labels_and_class_order():
    """Labels of any type, sorted; relabeling permutes the classes' rows; a list input."""
    X, y = make_multi(60, 5, 3, seed=33)
    base = fastreg.LogisticRegression(C=0.3, l1_ratio=1.0, tol=1e-10).fit(X, y)
    names = np.array(["c", "a", "b"])[y]
    model = fastreg.LogisticRegression(C=0.3, l1_ratio=1.0, tol=1e-10).fit(X, names)
    np.testing.assert_array_equal(model.classes_, ["a", "b", "c"])
    np.testing.assert_allclose(model.coef_, base.coef_[[1, 2, 0]], atol=1e-7)
    np.testing.assert_allclose(model.intercept_, base.intercept_[[1, 2, 0]], atol=1e-7)
    np.testing.assert_array_equal(model.predict(X), np.array(["c", "a", "b"])[base.predict(X)])
    as_list = fastreg.LogisticRegression(C=0.3, l1_ratio=1.0, tol=1e-10).fit(X.tolist(), list(names))
    np.testing.assert_allclose(as_list.coef_, model.coef_, atol=1e-12)


def test_class_weight():
    X, y = make_multi(80, 6, 3, seed=34)
    keep = (y != 2) | (np.arange(80) % 3 == 0)  # class 2 rarer
    X, y = standardized(X[keep]), y[keep]
    n = len(y)
    counts = np.bincount(y)
    w_bal = (n / (3 * counts))[y]
    balanced = fastreg.LogisticRegression(C=0.5, class_weight="balanced", tol=1e-10).fit(X, y)
    explicit = fastreg.LogisticRegression(C=0.5, tol=1e-10).fit(X, y, sample_weight=w_bal)
    alpha = _alpha(0.5, w_bal, n)
    assert_same_multi(X, y, alpha, 0.0, _sol(balanced), _sol(explicit), what="balanced", sample_weight=w_bal)
    theirs = certified_sklearn(X, y, 0.5, 0.0, "lbfgs", sample_weight=w_bal)
    W_cw, b_cw = sk_fit(X, y, 0.5, 0.0, "lbfgs", class_weight="balanced")
    np.testing.assert_allclose(W_cw, theirs[0], atol=1e-8)  # (scikit-learn's class_weight = these weights)
    assert_same_multi(X, y, alpha, 0.0, _sol(balanced), theirs, what="balanced vs scikit-learn", sample_weight=w_bal)
    cw = {0: 1.0, 1: 2.0, 2: 0.5}
    d = fastreg.LogisticRegression(C=0.5, class_weight=cw, tol=1e-10).fit(X, y)
    w_d = np.array([1.0, 2.0, 0.5])[y]
    e = fastreg.LogisticRegression(C=0.5, tol=1e-10).fit(X, y, sample_weight=w_d)
    assert_same_multi(X, y, _alpha(0.5, w_d, n), 0.0, _sol(d), _sol(e), what="dict", sample_weight=w_d)


def test_warm_start():
    X, y = make_multi(70, 6, 3, seed=35)
    model = fastreg.LogisticRegression(C=0.2, l1_ratio=1.0, warm_start=True, tol=1e-10).fit(X, y)
    first = _sol(model), model.n_iter_.copy()
    model.fit(X, y)
    assert_same_multi(X, y, _alpha(0.2, None, 70), 1.0, _sol(model), first[0], what="refit")
    assert model.n_iter_[0] <= first[1][0]
    model.set_params(C=2.0).fit(X, y)
    cold = fastreg.LogisticRegression(C=2.0, l1_ratio=1.0, tol=1e-10).fit(X, y)
    assert_same_multi(X, y, _alpha(2.0, None, 70), 1.0, _sol(model), _sol(cold), what="warm vs cold")
    # a previous fit of another shape (two classes) is not a warm start
    model.fit(X[y < 2], y[y < 2])
    assert model.coef_.shape == (1, 6)
    model.fit(X, y)
    assert model.coef_.shape == (3, 6)


def test_dtypes_and_sparse():
    X, y = make_multi(60, 6, 3, seed=36)
    m32 = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-6).fit(X.astype(np.float32), y)
    assert m32.coef_.dtype == np.float32 and m32.intercept_.dtype == np.float32
    check_multi_solution(X.astype(np.float32), y, m32.coef_, m32.intercept_, m32.dual_gap_, _alpha(0.5, None, 60), 0.5,
                         dtype=np.float32, tol=1e-6, converged=True)
    dense = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-10).fit(X, y)
    msp = fastreg.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-10).fit(sparse.csr_matrix(X), y)
    assert_same_multi(X, y, _alpha(0.5, None, 60), 0.5, _sol(msp), _sol(dense), what="sparse estimator")


def test_liblinear_is_binary_only():
    """scikit-learn's liblinear refuses more than two classes, and so does the estimator asked for it (the
    message says to use another solver name); two classes fit."""
    X, y = make_multi(40, 4, 3, seed=37)
    for cls in (fastreg.LogisticRegression, fastreg.LogisticRegressionCV):
        with pytest.raises(ValueError, match=r"Only binary classification is supported.*solver='liblinear'"):
            cls(solver="liblinear").fit(X, y)
        with pytest.raises(ValueError):
            sk_lm.LogisticRegression(solver="liblinear").fit(X, y)
        assert cls(solver="liblinear").fit(X[y < 2], y[y < 2]).coef_.shape == (1, 4)


# ----------------------------------------------------------------------------- iris and digits


def digits_subset(n=400):
    X, y = load_digits(return_X_y=True)
    X = X[:n]
    X = X[:, X.std(0) > 0]
    return standardized(X), y[:n]


def iris():
    X, y = load_iris(return_X_y=True)
    return standardized(X), y


@pytest.mark.parametrize("data", ["iris", "digits"])
@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_datasets_match_sklearn(data, l1_ratio):
    """iris (150 x 4, 3 classes) and the first 400 digits (8x8 images, 10 classes): fastreg's solution is
    scikit-learn's (lbfgs for L2, saga for L1), both certified."""
    X, y = iris() if data == "iris" else digits_subset()
    C = 1.0 if data == "iris" else 0.1
    solver = "lbfgs" if l1_ratio == 0 else "saga"
    ours = fastreg.LogisticRegression(C=C, l1_ratio=l1_ratio, tol=1e-10).fit(X, y)
    alpha = _alpha(C, None, len(y))
    theirs = certified_sklearn(X, y, C, l1_ratio, solver, max_gap=1e-8)
    assert_same_multi(X, y, alpha, l1_ratio, _sol(ours), theirs, what=f"{data} vs {solver}")
    check_multi_solution(X, y, ours.coef_, ours.intercept_, ours.dual_gap_, alpha, l1_ratio, dtype=np.float64,
                         tol=1e-10, converged=True, what=data)
    if l1_ratio == 1.0:
        assert (ours.coef_ == 0).any()


@pytest.mark.parametrize("data", ["iris", "digits"])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_cross_val_score_matches_sklearn(data, l1_ratio):
    X, y = load_iris(return_X_y=True) if data == "iris" else load_digits(return_X_y=True)
    if data == "digits":
        X, y = X[:600], y[:600]
    C = 0.5 if data == "iris" else 0.05
    ours = cross_val_score(make_pipeline(StandardScaler(), fastreg.LogisticRegression(C=C, l1_ratio=l1_ratio,
                                                                                      tol=1e-10)), X, y, cv=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        theirs = cross_val_score(make_pipeline(StandardScaler(), sk_lm.LogisticRegression(
            C=C, l1_ratio=l1_ratio, solver="lbfgs" if l1_ratio == 0 else "saga", tol=1e-10, max_iter=100_000)),
            X, y, cv=5)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.mean() > 0.85


# ----------------------------------------------------------------------------- LogisticRegressionCV, K classes


def sk_cv(X, y, **kw):
    params = dict(solver="saga", tol=1e-10, max_iter=100_000, random_state=0, use_legacy_attributes=True)
    params.update(kw)
    if isinstance(params.get("l1_ratios"), list):
        params["l1_ratios"] = np.asarray(params["l1_ratios"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sk_lm.LogisticRegressionCV(**params).fit(X, y)


def ours_cv(X, y, **kw):
    params = dict(tol=1e-12)
    params.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        return fastreg.LogisticRegressionCV(**params).fit(X, y)


def stacked_paths(model):
    """coefs_paths_ as one array (K, n_folds, n_Cs[, n_l1_ratios], n_dof), the intercepts centered over the
    classes (the model is invariant to their common shift; scikit-learn does not center them)."""
    P = np.stack([model.coefs_paths_[c] for c in model.classes_]).astype(np.float64)
    P[..., -1] -= P[..., -1].mean(axis=0)
    return P


def test_stratified_folds_are_sklearns():
    from fastreg._folds import stratified_folds

    rng = np.random.default_rng(40)
    for n, K, n_splits in ((47, 3, 4), (120, 5, 5), (31, 4, 3)):
        y = rng.choice(K, size=n, p=rng.dirichlet(np.ones(K) * 2))
        y[:K] = np.arange(K)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (a class with fewer members than folds)
            theirs = list(StratifiedKFold(n_splits).split(np.zeros((n, 1)), y))
        ours = stratified_folds(np.unique(y, return_inverse=True)[1], n_splits)
        for (tr_o, te_o), (tr_t, te_t) in zip(ours, theirs):
            np.testing.assert_array_equal(te_o, te_t)
            np.testing.assert_array_equal(tr_o, tr_t)


CV_CASES = {
    "l2-lbfgs": dict(solver="lbfgs", l1_ratios=None),
    "enet-saga": dict(solver="saga", l1_ratios=[0.5, 1.0]),
}


@pytest.mark.parametrize("case", list(CV_CASES))
def test_cv_matches_sklearn(case):
    """scikit-learn's multiclass legacy layout: coefs_paths_ and scores_ keyed by every class (the scores
    repeated), C_ and l1_ratio_ repeated per class, n_iter_ (1, n_folds, n_Cs[, n_l1_ratios]); the values
    those of scikit-learn's own fits (each certified by the reference), on the same stratified folds."""
    spec = CV_CASES[case]
    X, y = make_multi(120, 5, 3, seed=41, signal=1.0)
    X = standardized(X)
    Cs = [0.3, 1.0, 3.0]  # (saga leaves a whole-zero L1 fold solution's intercepts unconverged: no oracle there)
    kw = dict(Cs=Cs, cv=4)
    if spec["l1_ratios"] is not None:
        kw["l1_ratios"] = spec["l1_ratios"]
    ours = ours_cv(X, y, **kw)
    theirs = sk_cv(X, y, solver=spec["solver"], **kw)
    folds = list(StratifiedKFold(4).split(X, y))
    # scikit-learn's fold solutions are oracles: certified by the reference
    P_t = stacked_paths(theirs)
    P_t = P_t if P_t.ndim == 5 else P_t[:, :, :, None, :]
    l1s = [0.0] if spec["l1_ratios"] is None else spec["l1_ratios"]
    for k, (train, _) in enumerate(folds):
        for c, C in enumerate(Cs):
            for j, l1 in enumerate(l1s):
                prob = ref.MultinomialProblem(X[train], y[train], 1.0 / (C * len(train)), l1)
                gap = ref.multinomial_duality_gap(P_t[:, k, c, j, :-1], P_t[:, k, c, j, -1], prob)
                assert gap <= 1e-8, f"scikit-learn's fold {k} at C={C}, l1_ratio={l1}: gap {gap:.1e}"
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert list(ours.coefs_paths_) == list(theirs.coefs_paths_) == [0, 1, 2]
    assert list(ours.scores_) == [0, 1, 2]
    for key in (0, 1, 2):
        assert ours.coefs_paths_[key].shape == theirs.coefs_paths_[key].shape
        np.testing.assert_array_equal(ours.scores_[key], ours.scores_[0])
    for name in ("C_", "l1_ratio_", "coef_", "intercept_", "n_iter_", "Cs_", "l1_ratios_"):
        assert np.shape(getattr(ours, name)) == np.shape(getattr(theirs, name)), name
    assert ours.coef_.shape == (3, 5) and ours.C_.shape == (3,)
    err = np.abs(stacked_paths(ours) - stacked_paths(theirs)) / (1 + np.abs(stacked_paths(theirs)))
    assert err.max() <= 1e-5, f"coefs_paths_ differ by {err.max():.2e}"
    np.testing.assert_allclose(ours.scores_[0], theirs.scores_[0], atol=1e-6)
    np.testing.assert_array_equal(ours.C_, theirs.C_)
    if spec["l1_ratios"] is not None:  # (without, scikit-learn's is None, fastreg's the mix used, 0)
        np.testing.assert_array_equal(ours.l1_ratio_, theirs.l1_ratio_)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_ - theirs.intercept_.mean(), atol=1e-5)
    # the refit is LogisticRegression at the chosen (C, l1_ratio), with its certificate
    alpha = _alpha(ours.C_[0], None, 120)
    check_multi_solution(X, y, ours.coef_, ours.intercept_, ours.dual_gap_, alpha, ours.l1_ratio_[0],
                         dtype=np.float64, tol=1e-12, converged=True, what="refit")
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.predict_proba(X).shape == (120, 3)


def test_cv_refit_false_and_scoring():
    X, y = make_multi(100, 5, 3, seed=42, signal=1.0)
    X = standardized(X)
    kw = dict(Cs=[0.03, 0.3, 3.0], cv=4, l1_ratios=[0.0, 1.0])
    model = ours_cv(X, y, refit=False, **kw)
    scores = model.scores_[0]
    paths = np.stack([model.coefs_paths_[c] for c in (0, 1, 2)])  # (K, n_folds, n_Cs, n_l1, n_dof)
    best = [np.unravel_index(np.argmax(scores[k]), scores[k].shape) for k in range(4)]
    chosen = np.mean([paths[:, k, c, j] for k, (c, j) in enumerate(best)], axis=0)
    np.testing.assert_allclose(model.coef_, chosen[:, :-1], rtol=1e-12)
    np.testing.assert_allclose(model.intercept_, chosen[:, -1], rtol=1e-12)
    np.testing.assert_allclose(model.C_, np.mean([model.Cs_[c] for c, _ in best]))
    assert model.C_.shape == (3,) and model.l1_ratio_.shape == (3,)
    # a scorer on the probabilities, recomputed from coefs_paths_ on the held-out rows
    from sklearn.metrics import log_loss

    scored = ours_cv(X, y, scoring="neg_log_loss", **kw)
    folds = list(StratifiedKFold(4).split(X, y))
    paths = np.stack([scored.coefs_paths_[c] for c in (0, 1, 2)])
    for k, (_, test) in enumerate(folds):
        for c in range(3):
            for j in range(2):
                eta = X[test] @ paths[:, k, c, j, :-1].T + paths[:, k, c, j, -1]
                P = np.exp(eta - eta.max(1, keepdims=True))
                P /= P.sum(1, keepdims=True)
                assert scored.scores_[1][k, c, j] == pytest.approx(-log_loss(y[test], P, labels=[0, 1, 2]), abs=1e-12)


def test_cv_class_absent_from_a_fold():
    """A class without training rows in a fold (as scikit-learn, no error): that fold's models give it
    probability 0 (coefficients 0, intercept -inf, the limit of the optimum, with a warning), and the
    other classes' coefficients are those of the fit without it."""
    X, y = make_multi(90, 5, 3, seed=43)
    X = standardized(X)
    rare = np.flatnonzero(y == 2)
    others = np.flatnonzero(y != 2)
    folds = [(others[::2].copy(), np.concatenate([others[1::2], rare])),  # class 2 only held out
             (np.concatenate([others[1::2], rare]), others[::2].copy())]
    Cs = [0.1, 1.0]
    with pytest.warns(UserWarning, match=r"class 2 has no training rows .* split #0"):
        model = fastreg.LogisticRegressionCV(Cs=Cs, cv=folds, tol=1e-12).fit(X, y)
    P2 = model.coefs_paths_[2]
    assert (P2[0, :, :-1] == 0).all() and (P2[0, :, -1] == -np.inf).all()
    assert np.isfinite(P2[1]).all()
    train = folds[0][0]
    alone = mpath(X[train], y[train], alphas=1.0 / (np.array(Cs) * len(train)), l1_ratio=0.0,
                  family="multinomial", tol=1e-12)  # the two classes of the training rows
    for c in range(2):
        for k in (0, 1):
            np.testing.assert_allclose(model.coefs_paths_[k][0, c, :-1], alone.coefs[k, :, c], atol=1e-8)
            np.testing.assert_allclose(model.coefs_paths_[k][0, c, -1], alone.intercepts[k, c], atol=1e-8)
    assert np.isfinite(model.scores_[0]).all()
    # scikit-learn fits the same folds without an error; its fold models nearly agree in accuracy
    theirs = sk_cv(X, y, Cs=Cs, cv=folds, solver="lbfgs")
    np.testing.assert_allclose(model.scores_[0], theirs.scores_[0], atol=0.02)
    # the refit, on every row, has every class
    assert np.isfinite(model.intercept_).all() and model.predict_proba(X).min() > 0


# ----------------------------------------------------------------------------- hard and degenerate data


def separable(n=60, p=4, K=3, seed=44):
    """Classes in far-apart clusters: every alpha's solution is finite, the unpenalized fit is not."""
    rng = np.random.default_rng(seed)
    centers = 6.0 * rng.standard_normal((K, p))
    y = np.arange(n) % K
    return centers[y] + 0.3 * rng.standard_normal((n, p)), y


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_separable_data_at_tiny_alpha(l1_ratio):
    """Perfectly separable classes: finite coefficients down to alpha = 1e-6 alpha_max, the gaps honest; with
    too few Newton steps a ConvergenceWarning and a gap that still bounds the suboptimality."""
    X, y = separable()
    amax = ref.multinomial_alpha_max(X, y, max(l1_ratio, 0.5))
    alphas = amax * np.array([1e-2, 1e-4, 1e-6])
    result = mpath(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=1e-8)
    assert np.isfinite(result.coefs).all() and np.isfinite(result.intercepts).all()
    assert np.isfinite(result.dual_gaps).all()
    prob_last = ref.MultinomialProblem(X, y, alphas[-1], l1_ratio)
    W, b = result.coefs[:, :, -1], result.intercepts[:, -1]
    assert abs(fastreg_dual_gap(prob_last, W, b) - result.dual_gaps[-1]) <= 1e-12
    assert (np.argmax(X @ W.T + b, axis=1) == y).all()
    assert result.dev_ratios[-1] > 0.99
    for k in range(2):  # the reference converges at these two
        check_multi_solution(X, y, result.coefs[:, :, k], result.intercepts[:, k], result.dual_gaps[k], alphas[k],
                             l1_ratio, dtype=np.float64, tol=1e-8, converged=result.converged[k])
    # one Newton sweep (LogisticRegression's max_iter) from zero cannot get there
    with pytest.warns(fastreg.ConvergenceWarning, match="did not converge"):
        short = fastreg.LogisticRegression(C=1.0 / (alphas[-1] * len(y)), l1_ratio=l1_ratio, max_iter=1,
                                           tol=1e-8).fit(X, y)
    assert np.isfinite(short.coef_).all() and np.isfinite(short.intercept_).all()
    assert short.dual_gap_ > 1e-8 * np.log(3)
    P_short = prob_last.objective(short.coef_, short.intercept_)
    P_long = prob_last.objective(W, b)
    assert P_short - P_long <= short.dual_gap_ + 1e-13  # (the longer fit is no better than the optimum)
    again = fastreg_dual_gap(prob_last, short.coef_, short.intercept_)
    assert abs(again - short.dual_gap_) <= 1e-12 * max(1.0, short.dual_gap_)


def test_degenerate_data():
    """No NaN on legal degenerate data: constant and duplicated columns, a class with one row, many classes
    with few rows each, a class without weight (probability 0, intercept -inf), duplicated rows."""
    X, y = make_multi(40, 5, 3, seed=45)
    X[:, 1] = 2.5
    X[:, 3] = X[:, 2]
    y[5:] = np.where(y[5:] == 2, 0, y[5:])
    y[4] = 2  # class 2: one row... plus row 2 (make_multi's first rows hold every class)
    result = mpath(X, y, l1_ratio=0.5, n_alphas=5, tol=1e-10, standardize=True)
    assert np.isfinite(result.coefs).all() and result.converged.all()
    assert (result.coefs[:, 1] == 0).all()
    check_multi_path(X, y, result, 0.5, dtype=np.float64, tol=1e-10, standardize=True)
    # eight classes of 3 rows
    rng = np.random.default_rng(46)
    Xm, ym = rng.standard_normal((24, 6)), np.repeat(np.arange(8), 3)
    many = fastreg.LogisticRegression(C=1.0, tol=1e-10).fit(Xm, ym)
    assert many.coef_.shape == (8, 6) and np.isfinite(many.coef_).all()
    check_multi_solution(Xm, ym, many.coef_, many.intercept_, many.dual_gap_, _alpha(1.0, None, 24), 0.0,
                         dtype=np.float64, tol=1e-10, converged=True)
    # a class without weight: limit of the optimum
    X3, y3 = make_multi(60, 5, 3, seed=47)
    sw = np.where(y3 == 1, 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no RuntimeWarning from a log(0) or 0 * inf)
        zero = fastreg.LogisticRegression(C=0.5, tol=1e-10).fit(X3, y3, sample_weight=sw)
        proba = zero.predict_proba(X3)
        balanced = fastreg.LogisticRegression(C=0.5, tol=1e-10, class_weight="balanced").fit(X3, y3, sample_weight=sw)
    assert zero.intercept_[1] == -np.inf and (zero.coef_[1] == 0).all() and (proba[:, 1] == 0).all()
    assert np.isfinite(proba).all() and np.isfinite(balanced.coef_).all()
    np.testing.assert_array_equal(zero.classes_, [0, 1, 2])
    check_multi_solution(X3, y3, zero.coef_, zero.intercept_, zero.dual_gap_, _alpha(0.5, sw, 60), 0.0,
                         dtype=np.float64, tol=1e-10, converged=True, sample_weight=sw)
    kept = y3 != 1
    # the other two classes' multinomial is the binomial at alpha / 2 (test_two_classes_multinomial_is_the_binomial)
    without = fastreg.LogisticRegression(C=2 * 0.5, tol=1e-12).fit(X3[kept], y3[kept])
    alpha = _alpha(0.5, sw, 60)
    allowed = (np.sqrt(2) * np.sqrt(2 * (zero.dual_gap_ + 1e-15) / alpha)
               + np.sqrt(2 * (without.dual_gap_ + 1e-15) / (alpha / 2)))  # (strong convexity of each)
    assert np.linalg.norm(zero.coef_[2] - zero.coef_[0] - without.coef_[0]) <= allowed
    # duplicated rows are weights
    Xd, yd = np.vstack([X3, X3[:10]]), np.concatenate([y3, y3[:10]])
    dup = fastreg.LogisticRegression(C=0.5, tol=1e-12).fit(Xd, yd)
    counts = np.ones(60)
    counts[:10] = 2
    wt = fastreg.LogisticRegression(C=0.5, tol=1e-12).fit(X3, y3, sample_weight=counts)
    assert_same_multi(X3, y3, _alpha(0.5, counts, 60), 0.0, _sol(dup), _sol(wt), what="duplicates",
                      sample_weight=counts)
    # no intercept, a class without weight: it is still fitted (finite), as nothing can drive it to 0
    nointer = mpath(X3, y3, alphas=[0.05], l1_ratio=0.0, fit_intercept=False, sample_weight=sw, tol=1e-10)
    assert np.isfinite(nointer.coefs).all() and (nointer.intercepts == 0).all()
    check_multi_solution(X3, y3, nointer.coefs[:, :, 0], nointer.intercepts[:, 0], nointer.dual_gaps[0], 0.05, 0.0,
                         dtype=np.float64, tol=1e-10, converged=True, sample_weight=sw, fit_intercept=False)


def _bad_inputs():
    X, y = make_multi(30, 4, 3, seed=48)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    return {
        "binomial-family": (X, y, dict(family="binomial"), r"family='binomial'"),
        "unknown-family": (X, y, dict(family="ovr"), r"\bfamily\b"),
        "one-class": (X, np.zeros(30), {}, r"\by\b"),
        "one-class-after-weights": (X, y, dict(sample_weight=(y == 0).astype(float)), r"sample_weight"),
        "nan-X": (X_nan, y, {}, r"\bX\b"),
        "continuous-y": (X, np.linspace(0, 1, 30), {}, r"\by\b"),
        "coef_init-binary-shape": (X, y, dict(coef_init=np.zeros(4)), r"\bcoef_init\b"),
        "coef_init-transposed": (X, y, dict(coef_init=np.zeros((4, 3))), r"\bcoef_init\b"),
        "coef_init-nan": (X, y, dict(coef_init=np.full((3, 4), np.nan)), r"\bcoef_init\b"),
        "penalty-factor-0": (X, y, dict(penalty_factor=[0.0, 1, 1, 1]), r"\bpenalty_factor\b"),
    }


@pytest.mark.parametrize("case", list(_bad_inputs()))
def test_bad_input(case):
    X, y, kw, match = _bad_inputs()[case]
    with pytest.raises(ValueError, match=match):
        mpath(X, y, n_alphas=3, **kw)


def test_bad_input_estimators():
    X, y = make_multi(30, 4, 3, seed=49)
    for cls in (fastreg.LogisticRegression, fastreg.LogisticRegressionCV):
        with pytest.raises(ValueError, match=r"class"):
            cls().fit(X, y, sample_weight=(y == 1).astype(float))
        with pytest.raises(ValueError, match=r"class_weight"):
            cls(class_weight={0: 1.0, 5: 2.0}).fit(X, y)
        with pytest.raises(ValueError, match=r"class"):  # class_weight leaving one class
            cls(class_weight={0: 0.0, 1: 0.0}).fit(X, y)
    with pytest.raises(ValueError, match=r"training rows of split #0"):  # a fold with one class
        folds = [(np.flatnonzero(y == 0), np.flatnonzero(y != 0))]
        fastreg.LogisticRegressionCV(cv=folds).fit(X, y)


def test_cv_threads_and_weights():
    """Folds on threads give the same fit as one thread; class_weight='balanced' and sample weights are the
    fits' weights (each fold certified on them)."""
    X, y = make_multi(90, 5, 3, seed=50)
    X = standardized(X)
    sw = np.random.default_rng(51).uniform(0.5, 2.0, 90)
    kw = dict(Cs=[0.1, 1.0], cv=3, class_weight="balanced", tol=1e-10)
    one = fastreg.LogisticRegressionCV(**kw).fit(X, y, sample_weight=sw)
    two = fastreg.LogisticRegressionCV(n_jobs=2, **kw).fit(X, y, sample_weight=sw)
    for c in (0, 1, 2):
        np.testing.assert_array_equal(one.coefs_paths_[c], two.coefs_paths_[c])
    np.testing.assert_array_equal(one.coef_, two.coef_)
    totals = np.bincount(y, weights=sw)
    w = sw * (sw.sum() / (3 * totals))[y]
    folds = list(StratifiedKFold(3).split(X, y))
    train = folds[1][0]
    for i, C in enumerate([0.1, 1.0]):
        W = np.stack([one.coefs_paths_[c][1, i, :-1] for c in (0, 1, 2)])
        b = np.array([one.coefs_paths_[c][1, i, -1] for c in (0, 1, 2)])
        prob = ref.MultinomialProblem(X[train], y[train], 1.0 / (C * w[train].sum()), 0.0, sample_weight=w[train])
        assert ref.multinomial_duality_gap(W, b, prob) <= 1e-9

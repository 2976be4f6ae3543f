"""Shared data generators and independent NumPy oracles for the fastreg tests.

Everything here is plain NumPy (and scikit-learn for reference solutions); nothing calls into
fastreg, so the checks below are independent of the code they test.

The problem, for each alpha (user units, ``n`` rows, weights ``s`` normalized to sum to ``n``)::

    P(w, b) = 1/(2n) sum_i s_i (y_i - x_i^T w - b)^2 + lam1 ||w||_1 + lam2/2 ||w||^2
    lam1 = alpha * l1_ratio,  lam2 = alpha * (1 - l1_ratio)

With an intercept, b is profiled out (b = ybar - xbar^T w, weighted means), which leaves the same
problem on centered data.

Tolerances are derived from certified duality gaps G (G >= P(w) - P*), using that the smooth part
is an exact quadratic: for any w,

    P(w) - P* >= 1/2 (w - w*)^T (H + lam2 I) (w - w*),   H = X_c^T S X_c / n,

so two solutions with gaps G1, G2 satisfy ||w1 - w2||_{H + lam2 I} <= sqrt(2 G1) + sqrt(2 G2), and
a coordinate j of w lies within sqrt(2 G / a_j) of its exact coordinate-wise minimizer
(a_j = H_jj + lam2), which bounds the violation of the KKT conditions.
"""
import types
import warnings

import numpy as np
import pytest

DTYPES = (np.float32, np.float64)
DTYPE_IDS = ("float32", "float64")


@pytest.fixture(params=DTYPES, ids=DTYPE_IDS)
def dtype(request):
    return np.dtype(request.param)


# (n_samples, n_features): tall and wide designs
SHAPES = ((60, 15), (20, 45))
SHAPE_IDS = ("n>p", "p>n")


@pytest.fixture(params=SHAPES, ids=SHAPE_IDS)
def shape(request):
    return request.param


def tight_tol(dtype):
    """A tol each dtype can reach: float32 arithmetic cannot certify gaps near 1e-10 relative."""
    return 1e-6 if np.dtype(dtype) == np.float32 else 1e-10


def rounding_floor(dtype, y, sample_weight=None):
    """Absolute slack (objective units) for rounding: a multiple of eps times ||y||^2 / n, growing like
    sqrt(n) past 64 rows (sums of n rounded terms; a fixed absolute slack fails on another machine)."""
    y = np.asarray(y, dtype=np.float64)
    if sample_weight is None:
        scale = float(y @ y) / len(y)
    else:
        s = np.asarray(sample_weight, dtype=np.float64)
        scale = float(s @ (y * y)) / s.sum()
    factor = 1e-6 if np.dtype(dtype) == np.float32 else 1e-13
    return factor * scale * max(1.0, np.sqrt(len(y)) / 8) + np.finfo(np.float64).tiny


def make_regression(n_samples, n_features, *, dtype=np.float64, rho=0.6, n_informative=None,
                    noise=0.5, intercept=0.0, seed=0, offsets=True):
    """Correlated Gaussian design (Toeplitz covariance rho^|i-j|) and a sparse linear target.

    Columns get different scales and means (when `offsets`) so that intercepts and standardization
    matter.
    """
    rng = np.random.default_rng(seed)
    idx = np.arange(n_features)
    cov = rho ** np.abs(idx[:, None] - idx[None, :])
    X = rng.standard_normal((n_samples, n_features)) @ np.linalg.cholesky(cov).T
    if offsets:
        X = X * rng.uniform(0.5, 3.0, n_features) + rng.uniform(-2.0, 2.0, n_features)
    k = n_informative if n_informative is not None else max(1, n_features // 4)
    w = np.zeros(n_features)
    support = rng.choice(n_features, size=min(k, n_features), replace=False)
    w[support] = rng.uniform(1.0, 3.0, len(support)) * rng.choice([-1.0, 1.0], len(support))
    y = X @ w + intercept + noise * rng.standard_normal(n_samples)
    return X.astype(dtype), y.astype(dtype)


# ----------------------------------------------------------------------------- NumPy oracles


def _normalized_weights(n, sample_weight):
    if sample_weight is None:
        return np.ones(n)
    s = np.asarray(sample_weight, dtype=np.float64)
    return s * (n / s.sum())


def centered(X, y, sample_weight=None, fit_intercept=False):
    """(X_c, y_c, s, x_mean, y_mean) in float64, weighted means, s normalized to sum to n."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    s = _normalized_weights(len(y), sample_weight)
    if fit_intercept:
        x_mean = s @ X / s.sum()
        y_mean = float(s @ y / s.sum())
    else:
        x_mean = np.zeros(X.shape[1])
        y_mean = 0.0
    return X - x_mean, y - y_mean, s, x_mean, y_mean


def alpha_max(X, y, l1_ratio=1.0, sample_weight=None, fit_intercept=False, positive=False):
    """Smallest alpha with w* = 0: ||X_c^T S y_c||_inf / (n l1_ratio) (max instead of |.| if positive)."""
    Xc, yc, s, _, _ = centered(X, y, sample_weight, fit_intercept)
    corr = Xc.T @ (s * yc)
    top = corr.max() if positive else np.abs(corr).max()
    return max(float(top), 0.0) / (len(yc) * l1_ratio)


def target_norm2(y, sample_weight=None, fit_intercept=False):
    """||y - ybar||_S^2 / n (||y||_S^2 / n without intercept): the unit of tol."""
    y = np.asarray(y, dtype=np.float64)
    s = _normalized_weights(len(y), sample_weight)
    yc = y - (s @ y / s.sum() if fit_intercept else 0.0)
    return float(s @ (yc * yc)) / len(y)


def primal_objective(X, y, w, b, alpha, l1_ratio, sample_weight=None, positive=False):
    """P(w, b) in float64 with the given intercept b (inf if positive and some w_j < 0)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if positive and (w < 0).any():
        return np.inf
    s = _normalized_weights(len(y), sample_weight)
    r = y - X @ w - b
    return (0.5 * float(s @ (r * r)) / len(y) + alpha * l1_ratio * np.abs(w).sum()
            + 0.5 * alpha * (1.0 - l1_ratio) * float(w @ w))


def profiled_objective(X, y, w, alpha, l1_ratio, sample_weight=None, fit_intercept=False,
                       positive=False):
    """P(w, b(w)) with the optimal intercept b(w) = ybar - xbar^T w (b = 0 without intercept)."""
    Xc, yc, s, _, _ = centered(X, y, sample_weight, fit_intercept)
    return primal_objective(Xc, yc, w, 0.0, alpha, l1_ratio, s, positive)


def duality_gap(X, y, w, alpha, l1_ratio, sample_weight=None, fit_intercept=False, positive=False,
                which="best"):
    """Duality gap at w (intercept profiled out), user units, float64.

    which='lasso': the standard dual point of the Lasso augmented with sqrt(n lam2) I rows, the
    residual rescaled to be feasible (scikit-learn's choice). which='enet': the residual itself in
    the ElasticNet dual D(v) = y^T v - ||v||^2/2 - sum_j (|x_j^T v| - n lam1)_+^2 / (2 n lam2).
    which='best': the smaller of the two available ones. Both are valid certificates.
    """
    Xc, yc, s, _, _ = centered(X, y, sample_weight, fit_intercept)
    n = len(yc)
    w = np.asarray(w, dtype=np.float64)
    sq = np.sqrt(s)
    A = sq[:, None] * Xc
    t = sq * yc
    R = t - A @ w
    L1 = n * alpha * l1_ratio
    L2 = n * alpha * (1.0 - l1_ratio)
    primal = 0.5 * R @ R + L1 * np.abs(w).sum() + 0.5 * L2 * w @ w
    XtR = A.T @ R
    gaps = {}
    if L1 > 0:
        u = XtR - L2 * w
        dual_norm = u.max() if positive else np.abs(u).max()
        scale = 1.0 if dual_norm <= L1 else L1 / dual_norm
        dual = scale * (R @ t) - 0.5 * scale**2 * (R @ R + L2 * w @ w)
        gaps["lasso"] = primal - dual
    if L2 > 0:
        excess = np.maximum((XtR if positive else np.abs(XtR)) - L1, 0.0)
        dual = R @ t - 0.5 * R @ R - excess @ excess / (2 * L2)
        gaps["enet"] = primal - dual
    if not gaps:
        raise ValueError("alpha = 0: no dual to certify")
    if which == "best":
        return min(gaps.values()) / n
    return gaps[which] / n


def hessian_metric(X, alpha, l1_ratio, sample_weight=None, fit_intercept=False):
    """H + lam2 I with H = X_c^T S X_c / n (float64)."""
    Xc, _, s, _, _ = centered(X, np.zeros(np.shape(X)[0]), sample_weight, fit_intercept)
    n = Xc.shape[0]
    return (Xc.T * s) @ Xc / n + alpha * (1.0 - l1_ratio) * np.eye(Xc.shape[1])


def assert_same_solution(X, y, w1, gap1, w2, gap2, alpha, l1_ratio, *, sample_weight=None,
                         fit_intercept=False, positive=False, floor=0.0, what=""):
    """w1 and w2 solve the same problem within their certified gaps (see the module docstring).

    Checks ||w1 - w2||_{H + lam2 I} <= sqrt(2 G1) + sqrt(2 G2) and |P(w1) - P(w2)| <= G1 + G2
    (each gap enlarged by `floor` for rounding).
    """
    w1 = np.asarray(w1, dtype=np.float64)
    w2 = np.asarray(w2, dtype=np.float64)
    g1, g2 = float(gap1) + floor, float(gap2) + floor
    assert g1 >= 0 and g2 >= 0
    M = hessian_metric(X, alpha, l1_ratio, sample_weight, fit_intercept)
    d = w1 - w2
    dist = float(np.sqrt(max(d @ M @ d, 0.0)))
    bound = np.sqrt(2 * g1) + np.sqrt(2 * g2)
    assert dist <= bound * (1 + 1e-9) + 1e-300, (
        f"{what}: solutions differ by {dist:.3e} in the H-norm (max |dw| = {np.abs(d).max():.3e}) "
        f"but the gaps {gap1:.3e}, {gap2:.3e} allow only {bound:.3e}"
    )
    p1 = profiled_objective(X, y, w1, alpha, l1_ratio, sample_weight, fit_intercept, positive)
    p2 = profiled_objective(X, y, w2, alpha, l1_ratio, sample_weight, fit_intercept, positive)
    assert abs(p1 - p2) <= g1 + g2, (
        f"{what}: objectives {p1!r} and {p2!r} differ by {abs(p1 - p2):.3e} > gaps {g1 + g2:.3e}"
    )


def assert_kkt(X, y, w, gap, alpha, l1_ratio, *, sample_weight=None, fit_intercept=False,
               positive=False, floor=0.0):
    """The KKT conditions at w, within the tolerance the certified gap G allows.

    With r the (weighted) residual and g = X_c^T S r / n, a_j = H_jj + lam2 and
    delta_j = sqrt(2 G / a_j) (distance of w_j to its coordinate-wise minimizer):
      w_j == 0:                 |g_j| <= lam1 + a_j delta_j   (g_j <= ... if positive)
      |w_j| > delta_j:          |g_j - lam2 w_j - lam1 sign(w_j)| <= a_j delta_j
      positive:                 w_j >= 0
    """
    Xc, yc, s, _, _ = centered(X, y, sample_weight, fit_intercept)
    n = len(yc)
    w = np.asarray(w, dtype=np.float64)
    lam1, lam2 = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
    r = yc - Xc @ w
    g = Xc.T @ (s * r) / n
    a = np.einsum("ij,ij->j", Xc * s[:, None], Xc) / n + lam2
    G = max(float(gap), 0.0) + floor
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(a > 0, np.sqrt(2 * G / a), np.inf)
    slack = np.sqrt(2 * G * a) + 1e-12 * (np.abs(g) + lam1)
    if positive:
        assert (w >= 0).all(), f"negative coefficients with positive=True: {w[w < 0]}"
    zero = w == 0
    viol_zero = (g if positive else np.abs(g)) - lam1 - slack
    assert (viol_zero[zero] <= 0).all(), (
        f"KKT violated at zero coefficients {np.flatnonzero(zero & (viol_zero > 0))}: "
        f"|g| = {np.abs(g)[zero & (viol_zero > 0)]}, lam1 = {lam1}, slack = {slack[zero & (viol_zero > 0)]}"
    )
    big = ~zero & (np.abs(w) > delta)
    viol = np.abs(g - lam2 * w - lam1 * np.sign(w)) - slack
    assert (viol[big] <= 0).all(), (
        f"KKT violated at non-zero coefficients {np.flatnonzero(big & (viol > 0))}: residual "
        f"{np.abs(g - lam2 * w - lam1 * np.sign(w))[big & (viol > 0)]}, slack {slack[big & (viol > 0)]}"
    )


def assert_certified(X, y, w, b, gap, alpha, l1_ratio, *, tol, dtype, sample_weight=None,
                     fit_intercept=False, positive=False, what=""):
    """A returned solution (w, b, gap) is what it claims to be.

    - gap >= 0 and gap <= tol * ||y - ybar||^2 / n (the stopping rule), up to rounding;
    - the NumPy gap at w (best of two standard dual points) is >= 0, and the returned gap is not
      larger than it (fastreg may certify with a better dual point, never with a worse one);
    - the intercept is ybar - xbar^T w (weighted means), 0 without intercept;
    - KKT conditions hold within the tolerance the gap allows.
    """
    floor = rounding_floor(dtype, y, sample_weight)
    target = tol * target_norm2(y, sample_weight, fit_intercept)
    assert np.isfinite(gap) and gap >= 0, f"{what}: returned gap {gap!r}"
    assert gap <= target + floor, f"{what}: gap {gap:.3e} above the target {target:.3e}"
    np_gap = duality_gap(X, y, w, alpha, l1_ratio, sample_weight, fit_intercept, positive)
    assert np_gap >= -floor, f"{what}: NumPy gap {np_gap:.3e} < 0 (dual point infeasible?)"
    assert gap <= np_gap + floor, (
        f"{what}: returned gap {gap:.3e} is larger than the NumPy gap {np_gap:.3e}"
    )
    _, _, _, x_mean, y_mean = centered(X, y, sample_weight, fit_intercept)
    w64 = np.asarray(w, dtype=np.float64)
    expected_b = y_mean - x_mean @ w64 if fit_intercept else 0.0
    b_tol = (1e-4 if np.dtype(dtype) == np.float32 else 1e-10) * (
        abs(y_mean) + np.abs(x_mean) @ np.abs(w64) + np.sqrt(target_norm2(y, sample_weight, True)) + 1e-300)
    assert abs(b - expected_b) <= b_tol, f"{what}: intercept {b!r}, expected {expected_b!r}"
    assert_kkt(X, y, w, gap, alpha, l1_ratio, sample_weight=sample_weight,
               fit_intercept=fit_intercept, positive=positive, floor=floor)


def reference_solution(X, y, alpha, l1_ratio=1.0, *, sample_weight=None, fit_intercept=False,
                       positive=False):
    """A very tight float64 solution from scikit-learn, with its NumPy-certified gap: (w, b, gap)."""
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
    from sklearn.linear_model import ElasticNet as SkElasticNet

    X64 = np.asarray(X, dtype=np.float64)
    y64 = np.asarray(y, dtype=np.float64)
    model = SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                         positive=positive, tol=1e-13, max_iter=200_000, precompute=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        model.fit(X64, y64, sample_weight=None if sample_weight is None
                  else np.asarray(sample_weight, dtype=np.float64))
    w = model.coef_.astype(np.float64)
    gap = duality_gap(X64, y64, w, alpha, l1_ratio, sample_weight, fit_intercept, positive)
    return w, float(model.intercept_), max(gap, 0.0)


_ORACLES = (
    "tight_tol", "rounding_floor", "make_regression", "centered", "alpha_max", "target_norm2",
    "primal_objective", "profiled_objective", "duality_gap", "hessian_metric", "assert_same_solution",
    "assert_kkt", "assert_certified", "reference_solution",
)


@pytest.fixture(scope="session")
def oracle():
    """The helpers above as a namespace: with --import-mode=importlib test modules cannot import conftest."""
    return types.SimpleNamespace(**{name: globals()[name] for name in _ORACLES})

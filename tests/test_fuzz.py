"""Fuzz: every route's returned gap bounds its true suboptimality, or fastreg warned.

Hypothesis draws small problems with what breaks numerics: large column offsets (prices, timestamps),
tiny and huge global scales of X and y, duplicated and constant columns, sparsity, sample weights
(zeros included), float32 and float64. For each, fastreg solves one penalty by one route (dense or
sparse residual updates, the Gram kernel, working sets, sufficient statistics), and the test checks

    P(w) - P(w_ref) <= gap + rounding

with P evaluated in extended precision on exactly centered data, and w_ref an independent reference:
scikit-learn's coordinate descent at tol 1e-14 on the problem centered in extended precision and
rescaled by powers of two (so that its float64 arithmetic is well scaled). A warning from fastreg
(convergence, conditioning) is an honest answer too: the user was told.
"""
import os
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

EXT = np.longdouble
# the test suite draws a fixed, reproducible set of problems (the same on every machine);
# FASTREG_FUZZ_EXAMPLES=N draws N new random ones (run it after a change to the numerics)
EXPLORE = int(os.environ.get("FASTREG_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=EXPLORE or 400, derandomize=not EXPLORE, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
ROUTES = ("dense-residual", "dense-gram", "sparse-residual", "sparse-gram", "statistics")


def _pow2(x):
    return float(2.0 ** np.round(np.log2(x))) if x > 0 else 1.0


@st.composite
def problems(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(4, 40))
    p = draw(st.integers(1, 8))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    extreme = 15 if dtype == np.float32 else 150
    x_scale = 10.0 ** draw(st.integers(-extreme, extreme))
    y_scale = 10.0 ** draw(st.integers(-extreme, extreme))
    density = draw(st.sampled_from([1.0, 0.5, 0.2]))
    X = rng.standard_normal((n, p)) * 10.0 ** rng.uniform(-2, 2, p)
    offsets = draw(st.lists(st.sampled_from([0.0, 0.0, 1e2, 1e4, 1e6, 1e8]), min_size=p, max_size=p))
    X += np.asarray(offsets)  # only where stored: zeros stay zeros (missing values stored as 0)
    X[rng.random((n, p)) >= density] = 0.0
    if p > 1 and draw(st.booleans()):
        X[:, -1] = X[:, 0]  # a duplicated column
    if draw(st.booleans()):
        X[:, rng.integers(p)] = draw(st.sampled_from([0.0, 1.0, 1e6]))  # a constant column
    beta = rng.standard_normal(p) * (rng.random(p) < 0.6)
    y = X @ (beta / np.maximum(1.0, np.asarray(offsets))) + rng.standard_normal(n) * 0.5 + 3.0
    weights = draw(st.sampled_from(["none", "uniform", "integers"]))
    sw = None
    if weights == "uniform":
        sw = rng.uniform(0.2, 3.0, n)
    elif weights == "integers":
        sw = rng.integers(0, 4, n).astype(float)
        sw[0] = max(sw[0], 1.0)
    return dict(
        X=(X * x_scale).astype(dtype), y=(y * y_scale).astype(dtype), sw=sw,
        fit_intercept=draw(st.booleans()), l1_ratio=draw(st.sampled_from([1.0, 0.5])),
        fraction=10.0 ** draw(st.floats(-3, 0)), route=draw(st.sampled_from(ROUTES)),
    )


def _centered(X, y, sw, fit_intercept, normalize=True):
    """sqrt(s) (X - xbar), sqrt(s) (y - ybar) in extended precision; s normalized to sum to n (the
    ElasticNet's convention) or Ridge's raw weights (`normalize=False`)."""
    n = len(y)
    s = np.ones(n, dtype=EXT) if sw is None else np.asarray(sw, dtype=EXT)
    if normalize and sw is not None:
        s = s * (n / s.sum())
    X, y = np.asarray(X, dtype=EXT), np.asarray(y, dtype=EXT)
    if fit_intercept:
        X = X - (s @ X) / s.sum()
        y = y - (s @ y) / s.sum()
    root = np.sqrt(s)
    return root[:, None] * X, root * y


def objective(A, b, w, alpha, l1_ratio):
    """The user's objective (intercept profiled out) in extended precision."""
    w = np.asarray(w, dtype=EXT)
    r = b - A @ w
    n = len(b)
    return (r @ r) / (2 * n) + alpha * l1_ratio * np.abs(w).sum() + alpha * (1 - l1_ratio) / 2 * (w @ w)


def reference(A, b, alpha, l1_ratio):
    """scikit-learn on the (extended-precision) centered problem, rescaled by powers of two."""
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
    from sklearn.linear_model import ElasticNet as SkElasticNet

    sa, sb = _pow2(float(np.abs(A).max())), _pow2(float(np.abs(b).max()))
    A64, b64 = (A / sa).astype(np.float64), (b / sb).astype(np.float64)
    # P(w; A, b, l1, l2) = sb^2 P(w sa / sb; A / sa, b / sb, l1 / (sa sb), l2 / sa^2)
    l1, l2 = alpha * l1_ratio / sa / sb, alpha * (1 - l1_ratio) / sa / sa
    if l1 + l2 == 0:
        return np.zeros(A.shape[1])
    model = SkElasticNet(alpha=l1 + l2, l1_ratio=l1 / (l1 + l2), fit_intercept=False, tol=1e-14,
                         max_iter=200_000, precompute=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkConvergenceWarning)
        model.fit(A64, b64)
    return model.coef_ * (sb / sa)


def solve(problem, alpha, tol):
    X, y, sw = problem["X"], problem["y"], problem["sw"]
    route, fit_intercept, l1_ratio = problem["route"], problem["fit_intercept"], problem["l1_ratio"]
    options = dict(l1_ratio=l1_ratio, alphas=[alpha], tol=tol, max_iter=20_000, fit_intercept=fit_intercept,
                   sample_weight=sw)
    if route == "statistics":
        options.pop("sample_weight")
        try:
            return fastreg.enet_path_from_stats(fastreg.SufficientStats.from_arrays(X, y, sw), **options)
        except ValueError as exc:  # squared sums out of the dtype's range: refused, clearly
            assert "overflow" in str(exc)
            return None
    data = sparse.csc_matrix(X) if route.startswith("sparse") else X
    return fastreg.enet_path(data, y, precompute=route.endswith("gram"), **options)


@FUZZ
@given(problems())
def test_returned_gaps_bound_the_suboptimality(problem):
    X, y, sw = problem["X"], problem["y"], problem["sw"]
    A, b = _centered(X, y, sw, problem["fit_intercept"])
    n = len(y)
    l1_ratio = problem["l1_ratio"]
    alpha_max = float(np.abs(A.T @ b).max()) / (n * l1_ratio)
    if not 0 < alpha_max < np.finfo(np.float64).max:
        return  # nothing to fit (y orthogonal to X), or no penalty float64 can express
    alpha = problem["fraction"] * alpha_max
    tol = 1e-4 if X.dtype == np.float32 else 1e-9
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = solve(problem, alpha, tol)
    if path is None:
        return
    w = path.coefs[:, 0].astype(np.float64)
    gap = float(path.dual_gaps[0])
    assert np.isfinite(w).all() and np.isfinite(gap) and np.isfinite(path.intercepts[0])
    if any(issubclass(c.category, (UserWarning, RuntimeWarning)) for c in caught):
        return  # fastreg said the answer is not certified
    w_ref = reference(A, b, alpha, l1_ratio)
    p_w, p_ref = objective(A, b, w, alpha, l1_ratio), objective(A, b, w_ref, alpha, l1_ratio)
    # rounding: of fastreg's working dtype (float32 data on the Gram route run in float64, not counted)
    # on the terms of the gap, and of the reference in float64, both relative to the null objective
    eps = float(np.finfo(X.dtype).eps)
    scale = float((b @ b) / (2 * n) + objective(A, b, np.zeros_like(w), alpha, l1_ratio)
                  + ((A @ np.asarray(w, dtype=EXT)) ** 2).sum() / (2 * n))
    rounding = (64 * eps * np.sqrt(n) + 1e-12) * scale
    assert float(p_w - p_ref) <= gap + rounding, (
        f"{problem['route']}: objective {float(p_w):.17g} is {float(p_w - p_ref):.3e} above the reference "
        f"{float(p_ref):.17g}, but the returned gap is {gap:.3e} (rounding allowance {rounding:.3e})"
    )
    # and the stopping rule holds in the units of tol
    assert gap <= tol * float(b @ b) / n + rounding


@FUZZ
@given(problems(), st.floats(-4, 3), st.booleans())
def test_ridge_is_accurate_to_its_conditioning(problem, log_alpha, use_sparse):
    # Ridge has no certificate; a backward-stable solve of (G + alpha I) w = X^T y with G = X~^T X~
    # is off the optimum by at most about ||E w||^2 / lambda_min(G + alpha I), ||E|| <= c eps ||G||,
    # which bounds its objective against an independent least-squares reference
    X, y, sw = problem["X"], problem["y"], problem["sw"]
    fit_intercept = problem["fit_intercept"]
    A, b = _centered(X, y, sw, fit_intercept, normalize=False)
    sa = _pow2(float(np.abs(A).max()))
    if not np.abs(A).max() > 0:
        return
    G = (A / sa).astype(np.float64).T @ (A / sa).astype(np.float64)
    alpha = 10.0**log_alpha * max(float(np.trace(G)), 1e-300) * sa * sa  # relative to the data's scale
    if not np.isfinite(alpha) or alpha == 0:
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = fastreg.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(
                sparse.csc_matrix(X) if use_sparse else X, y, sample_weight=sw)
        except ValueError as exc:  # data whose squares overflow (float32) or underflow: refused, clearly
            assert "X^T X overflows" in str(exc) or "X^T X underflows" in str(exc)
            return
    w = model.coef_.astype(np.float64)
    assert np.isfinite(w).all() and np.isfinite(model.intercept_)
    if any(issubclass(c.category, (UserWarning, RuntimeWarning)) for c in caught):
        return
    p = A.shape[1]
    sb = _pow2(float(np.abs(b).max()))
    # everything in the well-scaled units A / sa, b / sb (w * sa / sb, alpha / sa^2), where the bounds
    # below are representable
    As, bs, alpha_s = A / sa, b / sb, alpha / sa / sa
    ws = np.asarray(w, dtype=EXT) * (sa / sb)
    # reference: least squares on [A; sqrt(alpha) I] (condition sqrt(cond(G + alpha I)))
    aug = np.vstack([As.astype(np.float64), np.sqrt(alpha_s) * np.eye(p)])
    w_ref = np.linalg.lstsq(aug, np.r_[bs.astype(np.float64), np.zeros(p)], rcond=None)[0]

    def objective(v):
        v = np.asarray(v, dtype=EXT)
        r = bs - As @ v
        return r @ r + alpha_s * (v @ v)

    excess = float(objective(ws) - objective(w_ref))
    eps = float(np.finfo(X.dtype).eps)
    lam_min = max(float(np.linalg.eigvalsh(G).min()), 0.0) + alpha_s
    norm_G = float(np.linalg.norm(G, 2))
    wn = float(np.linalg.norm(w_ref))
    n = len(y)
    conditioning = (64 * n * eps * norm_G * wn) ** 2 / lam_min
    rounding = 64 * np.finfo(np.float64).eps * np.sqrt(n) * float(bs @ bs + objective(w_ref))
    assert excess <= conditioning + rounding + 1e-300, (
        f"Ridge ({'sparse' if use_sparse else 'dense'}, solver {model.solver_}): objective {excess:.3e} above "
        f"the reference, more than its conditioning allows ({conditioning:.3e} + {rounding:.3e})"
    )

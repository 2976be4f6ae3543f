"""Property test: on random small problems, every fastreg solution is certified and optimal.

For n, p in 1..20, a random alpha (relative to alpha_max) and l1_ratio, with or without intercept,
positivity and sample weights: the returned gap is below its target, the KKT conditions hold within
what the gap allows, and the objective is no more than the gap above scikit-learn's (tight) one.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastreg


@st.composite
def problems(draw):
    n = draw(st.integers(1, 20))
    p = draw(st.integers(1, 20))
    seed = draw(st.integers(0, 2**32 - 1))
    kind = draw(st.sampled_from(["gaussian", "correlated", "integer", "duplicate", "zero_column"]))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if kind == "correlated":
        X = X @ (np.eye(p) + 0.8 * rng.standard_normal((p, p)))
    elif kind == "integer":
        X = rng.integers(-3, 4, (n, p)).astype(float)
    elif kind == "duplicate" and p > 1:
        X[:, -1] = X[:, 0]
    elif kind == "zero_column":
        X[:, rng.integers(p)] = 0
    w = rng.standard_normal(p) * (rng.random(p) < 0.5)
    y = X @ w + 0.5 * rng.standard_normal(n) + draw(st.sampled_from([0.0, 3.0]))
    return dict(
        X=X, y=y,
        alpha_frac=draw(st.floats(-3.0, 0.3)),  # log10 of alpha / alpha_max
        l1_ratio=draw(st.one_of(st.just(1.0), st.floats(0.05, 1.0))),
        fit_intercept=draw(st.booleans()),
        positive=draw(st.booleans()),
        weights=rng.uniform(0.0, 3.0, n) if draw(st.booleans()) else None,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(problem=problems())
def test_random_problems_are_certified_and_optimal(oracle, dtype, problem):
    dtype = np.dtype(dtype)
    X, y = problem["X"].astype(dtype), problem["y"].astype(dtype)
    sw = problem["weights"]
    if sw is not None and sw.sum() == 0:
        sw = None
    l1_ratio = problem["l1_ratio"]
    settings_ = dict(sample_weight=sw, fit_intercept=problem["fit_intercept"], positive=problem["positive"])
    a_max = oracle.alpha_max(X, y, l1_ratio, **settings_)
    alpha = 10 ** problem["alpha_frac"] * (a_max if a_max > 0 else 1.0)
    tol = oracle.tight_tol(dtype)

    with warnings.catch_warnings():
        warnings.simplefilter("error", fastreg.ConvergenceWarning)
        path = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=[alpha], tol=tol, max_iter=200_000, **settings_)
    w, b, gap = path.coefs[:, 0], path.intercepts[0], path.dual_gaps[0]
    assert np.isfinite(w).all() and np.isfinite(b)
    assert path.converged[0]
    oracle.assert_certified(X, y, w, b, gap, alpha, l1_ratio, tol=tol, dtype=dtype, **settings_)

    w_ref, b_ref, gap_ref = oracle.reference_solution(X, y, alpha, l1_ratio, **settings_)
    floor = oracle.rounding_floor(dtype, y, sw)
    p_fr = oracle.primal_objective(X, y, w, b, alpha, l1_ratio, sw, settings_["positive"])
    p_sk = oracle.primal_objective(X, y, w_ref, b_ref, alpha, l1_ratio, sw, settings_["positive"])
    assert p_fr <= p_sk + gap + floor, f"objective {p_fr!r} exceeds scikit-learn's {p_sk!r} by more than {gap:.3e}"
    oracle.assert_same_solution(X, y, w, gap, w_ref, gap_ref, alpha, l1_ratio, floor=floor, **settings_)

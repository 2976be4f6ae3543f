"""Data of extreme magnitude: the answer is the well-scaled problem's, scaled back, or a clear error.

The design layer divides X and y by exact powers of two when their squared sums would overflow or
underflow; penalties, gaps and coefficients are mapped back one power of two at a time (their
products can leave the float64 range where each step does not).
"""
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg

SCALES = [(1e160, 1.0), (1.0, 1e150), (1e-170, 1.0), (1e-300, 1.0), (1.0, 1e-300), (1e120, 1e-120)]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 5)) + [0.0, 3.0, 0.0, 0.0, 0.0]
    y = X @ [1.0, 2.0, 0.0, 0.0, -1.0] + rng.standard_normal(50)
    return X, y


@pytest.mark.parametrize("sx, sy", SCALES, ids=[f"X*{a:g},y*{b:g}" for a, b in SCALES])
@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("precompute", [False, True], ids=["residual", "gram"])
@pytest.mark.parametrize("standardize", [False, True], ids=["raw", "standardized"])
def test_scaled_data_give_the_scaled_answer(sx, sy, kind, precompute, standardize):
    X, y = _data()
    options = dict(l1_ratio=1.0, n_alphas=8, eps=1e-2, fit_intercept=True, tol=1e-10, precompute=precompute,
                   standardize=standardize)
    ref = fastreg.enet_path(X, y, **options)
    Xs = X * sx
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no invalid value, no convergence failure
        path = fastreg.enet_path(sparse.csc_matrix(Xs) if kind == "sparse" else Xs, y * sy, **options)
    # the grid: alpha_max scales like x y (like y alone for standardized columns)
    np.testing.assert_allclose(path.alphas / (sy if standardize else sx * sy), ref.alphas, rtol=1e-12)
    np.testing.assert_allclose(path.coefs * (sx / sy), ref.coefs, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(path.intercepts / sy, ref.intercepts, rtol=1e-7, atol=1e-9)
    assert path.converged.all()
    with np.errstate(over="ignore", under="ignore"):
        gaps = path.dual_gaps / sy / sy  # (the user's units may underflow: 0 is then the honest gap)
    assert np.all(gaps <= 1e-10 * np.var(y) * 1.001 + 1e-300)


@pytest.mark.parametrize("scale", [1e-250, 1e250])
def test_statistics_refuse_sums_they_cannot_hold(scale):
    X, y = _data()
    with pytest.raises(ValueError, match="squared sums overflow or underflow"):
        fastreg.SufficientStats.from_arrays(X * scale, y)
    with pytest.raises(ValueError, match="squared sums overflow or underflow"):
        fastreg.SufficientStats.from_arrays(sparse.csc_matrix(X), y * scale)
    # the path functions rescale such data instead
    path = fastreg.enet_path(X * scale, y, l1_ratio=1.0, n_alphas=5, fit_intercept=True, tol=1e-10)
    np.testing.assert_allclose(path.coefs * scale,
                               fastreg.enet_path(X, y, l1_ratio=1.0, n_alphas=5, fit_intercept=True,
                                                 tol=1e-10).coefs, rtol=1e-7, atol=1e-9)


def test_float32_at_the_edges_of_its_range():
    X, y = _data()
    ref = fastreg.enet_path(X, y, l1_ratio=1.0, n_alphas=5, fit_intercept=True, tol=1e-5)
    for sx in (1e30, 1e-30):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            path = fastreg.enet_path((X * sx).astype(np.float32), y.astype(np.float32), l1_ratio=1.0, n_alphas=5,
                                     fit_intercept=True, tol=1e-5)
        assert path.coefs.dtype == np.float32
        np.testing.assert_allclose(path.coefs * sx, ref.coefs, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("shape", [(40, 5), (4, 8)], ids=["primal", "dual"])
def test_ridge_rescales_y_and_refuses_what_it_cannot_hold(shape):
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal(shape), rng.standard_normal(shape[0])
    ref = fastreg.Ridge(alpha=1.0).fit(X, y)
    for sx, sy in [(1e100, 1e-115), (1.0, 1e200), (1e-60, 1e-250)]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model = fastreg.Ridge(alpha=sx * sx).fit(X * sx, y * sy)  # alpha scales like x^2
            path = fastreg.ridge_path(X * sx, y * sy, [sx * sx])
        np.testing.assert_allclose(model.coef_ * (sx / sy), ref.coef_, rtol=1e-10)
        np.testing.assert_allclose(model.intercept_ / sy, ref.intercept_, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(path.coefs[:, 0] * (sx / sy), ref.coef_, rtol=1e-10)
    with pytest.raises(ValueError, match="RidgeCV: y has entries of magnitude"):
        fastreg.RidgeCV().fit(X, y * 1e200)
    with pytest.raises(ValueError, match="underflows"):
        fastreg.Ridge().fit(X * 1e-160, y)

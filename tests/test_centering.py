"""Sparse X whose columns have means that dwarf their spread (prices, timestamps, counts stored sparse).

Implicit centering (sums about 0, then the rank-one correction by the mean) loses the digits of the
spread; fastreg stores such columns shifted by their mean instead (`fastreg._stats.far_column_shift`),
which leaves the centered problem unchanged. Every route must then give the dense answer, with a gap
that bounds its true suboptimality (measured on explicitly centered data by the NumPy oracles).
"""
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg
from fastreg._stats import FAR_FROM_CENTER, far_column_shift, shifted_columns

OFFSETS = (1e4, 1e6, 1e7, 1e8)


def offset_problem(offset, n=300, seed=0, missing=True):
    """Columns: two nearly dense ones around `offset` (a price, a timestamp, with a few missing stamps
    stored as 0 when `missing`), a one-hot block, a sparse column with moderate values, a constant one
    stored in every row; y depends on the spread only."""
    rng = np.random.default_rng(seed)
    price = offset + rng.standard_normal(n)
    trend = np.cumsum(rng.uniform(0, 0.02, n))
    stamp = offset * 3 + trend
    if missing:
        stamp[rng.random(n) < 0.02] = 0.0
    levels = rng.integers(0, 3, n)
    onehot = np.eye(3)[levels]
    counts = np.where(rng.random(n) < 0.1, rng.poisson(5.0, n), 0).astype(float)
    constant = np.full(n, offset)
    X = np.column_stack([price, stamp, onehot, counts, constant])
    y = 2.0 * (price - offset) - 3.0 * (trend - trend.mean()) + onehot @ [1.0, -1.0, 0.0] \
        + 0.3 * counts + rng.standard_normal(n)
    return X, y


def test_far_columns_are_the_nearly_dense_ones_and_cost_little():
    X, _ = offset_problem(1e6)
    Xs = sparse.csc_matrix(X)
    shift = far_column_shift(Xs)
    far = np.flatnonzero(shift)
    np.testing.assert_array_equal(far, [0, 1, 6])  # price, stamp, the constant column
    np.testing.assert_allclose(shift[far], X[:, far].mean(axis=0), rtol=1e-15)
    shifted = shifted_columns(Xs, shift)
    np.testing.assert_array_equal(shifted.toarray(), X - shift)
    # the shifted columns are stored in full; a far column leaves at most n / (FAR - 1) rows unstored
    n = X.shape[0]
    assert np.all(np.diff(shifted.indptr)[[0, 1]] == n)
    assert np.all(n - np.diff(Xs.indptr)[far] <= n / (FAR_FROM_CENTER - 1))
    np.testing.assert_array_equal(np.diff(shifted.indptr)[2:6], np.diff(Xs.indptr)[2:6])
    # a one-hot column with half its rows stored is not far off center: no copy at all
    half = sparse.csc_matrix((np.arange(10) < 5).astype(float)[:, None])
    assert not far_column_shift(half).any() and shifted_columns(half, far_column_shift(half)) is half


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("precompute", [False, True], ids=["residual", "gram"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_lasso_on_sparse_offsets_is_the_dense_answer(oracle, offset, precompute, weighted):
    X, y = offset_problem(offset)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, len(y)) if weighted else None
    alpha = 0.02 * oracle.alpha_max(X, y, 1.0, sw, True)
    model = fastreg.Lasso(alpha=alpha, precompute=precompute, tol=1e-10, max_iter=100_000)
    model.fit(sparse.csc_matrix(X), y, sample_weight=sw)
    assert model.solver_ == ("cd-gram" if precompute else "cd-sparse-residual")
    w_ref, b_ref, gap_ref = oracle.reference_solution(X, y, alpha, 1.0, sample_weight=sw, fit_intercept=True)
    floor = oracle.rounding_floor(np.float64, y - y.mean(), sw)
    # the returned gap bounds the suboptimality measured on explicitly centered data
    oracle.assert_same_solution(X, y, model.coef_, model.dual_gap_, w_ref, gap_ref, alpha, 1.0,
                                sample_weight=sw, fit_intercept=True, floor=floor)
    oracle.assert_certified(X, y, model.coef_, model.intercept_, model.dual_gap_, alpha, 1.0, tol=1e-10,
                            dtype=np.float64, sample_weight=sw, fit_intercept=True)


@pytest.mark.parametrize("offset", OFFSETS)
def test_statistics_and_cv_on_sparse_offsets(oracle, offset):
    X, y = offset_problem(offset)
    Xs = sparse.csc_matrix(X)
    # statistics in blocks about the first block's shift, then a path with no X
    first = fastreg.SufficientStats.from_arrays(Xs[:150], y[:150])
    assert np.count_nonzero(first.x_shift) == 3
    stats = first + fastreg.SufficientStats.from_arrays(Xs[150:], y[150:], shift=first.shift)
    path = fastreg.enet_path_from_stats(stats, l1_ratio=1.0, n_alphas=10, eps=1e-2, tol=1e-10)
    floor = oracle.rounding_floor(np.float64, y - y.mean())
    for k, alpha in enumerate(path.alphas):
        w_ref, _, gap_ref = oracle.reference_solution(X, y, alpha, 1.0, fit_intercept=True)
        oracle.assert_same_solution(X, y, path.coefs[:, k], path.dual_gaps[k], w_ref, gap_ref, alpha, 1.0,
                                    fit_intercept=True, floor=floor, what=f"alpha #{k}")
    # cross-validation (statistics and residual folds) chooses what the dense data choose
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no convergence failure
        for precompute in ("auto", False):
            dense = fastreg.LassoCV(cv=3, precompute=precompute, tol=1e-8).fit(X, y)
            cv = fastreg.LassoCV(cv=3, precompute=precompute, tol=1e-8).fit(Xs, y)
            assert np.isfinite(cv.mse_path_).all()
            np.testing.assert_allclose(cv.mse_path_, dense.mse_path_, rtol=1e-5)
            assert cv.alpha_ == pytest.approx(dense.alpha_, rel=1e-12)


@pytest.mark.parametrize("offset", OFFSETS)
def test_ridge_on_sparse_offsets_is_the_dense_answer(offset):
    # (no missing stamps: a few zeros among values near 3 offset give that column a spread of about
    # offset, which an eigendecomposition shared by every alpha, dense or sparse, cannot resolve
    # next to spreads of 1; ridge_path and RidgeCV need it)
    X, y = offset_problem(offset, missing=False)
    Xs = sparse.csc_matrix(X)

    x_mean = X.mean(axis=0)
    Xc, yc = X - x_mean, y - y.mean()  # exact: a shift by the rounded mean is still a shift

    def objective(coef):  # the intercept profiled out
        r = yc - Xc @ coef
        return float(r @ r + coef @ coef)

    dense = fastreg.Ridge(alpha=1.0).fit(X, y)
    best = objective(dense.coef_)
    for solver in ("auto", "lsqr"):
        model = fastreg.Ridge(alpha=1.0, solver=solver, tol=1e-14, max_iter=10_000).fit(Xs, y)
        np.testing.assert_allclose(model.coef_, dense.coef_, rtol=1e-6, atol=1e-8 * np.abs(dense.coef_).max())
        assert objective(model.coef_) <= best * (1 + 1e-9), f"{solver}: {objective(model.coef_) / best - 1:.2e}"
        scale = abs(y.mean()) + np.abs(x_mean) @ np.abs(model.coef_)
        assert abs(model.intercept_ - (y.mean() - x_mean @ model.coef_)) <= 1e-12 * scale
    alphas = np.logspace(-3, 3, 13)
    for cv in (None, 3):
        assert fastreg.RidgeCV(alphas=alphas, cv=cv).fit(Xs, y).alpha_ == \
            fastreg.RidgeCV(alphas=alphas, cv=cv).fit(X, y).alpha_
    path = fastreg.ridge_path(Xs, y, alphas)
    ref = fastreg.ridge_path(X, y, alphas)
    np.testing.assert_allclose(path.coefs, ref.coefs, rtol=1e-6, atol=1e-8 * np.abs(ref.coefs).max())
    np.testing.assert_allclose(path.intercepts, ref.intercepts, rtol=1e-6)

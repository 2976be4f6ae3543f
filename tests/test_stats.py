"""Sufficient statistics: accurate under large means, additive over row blocks, and a path from them alone."""
import numpy as np
import pytest

import fastreg


def _centered_reference(X, y, sw=None):
    """The centered Gram matrix, X^T y and y^T y computed in float64 from explicitly centered data."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    s = np.ones(len(y)) if sw is None else np.asarray(sw, dtype=np.float64)
    mx = s @ X / s.sum()
    my = s @ y / s.sum()
    Xc, yc = X - mx, y - my
    return (Xc.T * s) @ Xc, (Xc.T * s) @ yc, float(s @ (yc * yc)), mx, my


@pytest.mark.parametrize("weighted", [False, True])
def test_centered_gram_accurate_under_large_means(dtype, weighted):
    rng = np.random.default_rng(201)
    n, p = 3000, 6
    X = rng.standard_normal((n, p)) * np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0]) + 1e6 * np.arange(1, p + 1)
    y = X @ rng.standard_normal(p) * 1e-6 + rng.standard_normal(n)
    sw = rng.uniform(0.5, 2.0, n) if weighted else None
    Xd, yd = X.astype(dtype), y.astype(dtype)
    stats = fastreg.SufficientStats.from_arrays(Xd, yd, sw, chunk_rows=1000)
    G, Xty, yty, mx, my = stats.centered()
    G_ref, Xty_ref, yty_ref, mx_ref, my_ref = _centered_reference(Xd, yd, sw)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    assert G.dtype == dtype
    # relative to the spread, not to the (huge) means: the naive X^T X - n m m^T fails this badly
    np.testing.assert_allclose(G, G_ref, atol=rtol * np.abs(G_ref).max())
    np.testing.assert_allclose(Xty, Xty_ref, atol=rtol * np.sqrt(np.diag(G_ref).max() * yty_ref))
    assert yty == pytest.approx(yty_ref, rel=rtol)
    np.testing.assert_allclose(mx, mx_ref, rtol=1e-6 if dtype == np.float32 else 1e-13)
    if dtype == np.float64:
        naive = X.T @ X - n * np.outer(X.mean(0), X.mean(0))
        assert np.abs(naive - G_ref).max() > 1e3 * np.abs(G - G_ref).max()


def test_blocks_add_and_subtract(dtype):
    rng = np.random.default_rng(203)
    X = (rng.standard_normal((500, 5)) + 50).astype(dtype)
    y = (X @ rng.standard_normal(5) + rng.standard_normal(500)).astype(dtype)
    whole = fastreg.SufficientStats.from_arrays(X, y, chunk_rows=10_000)
    a = fastreg.SufficientStats.from_arrays(X[:180], y[:180], shift=whole.shift)
    b = fastreg.SufficientStats.from_arrays(X[180:], y[180:], shift=whole.shift)
    chunked = fastreg.SufficientStats.from_arrays(X, y, shift=whole.shift, chunk_rows=37)
    rtol = 1e-4 if dtype == np.float32 else 1e-11
    for other in (a + b, chunked):
        for got, want in zip(other.centered(), whole.centered()):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 1e-3)
        assert other.n_rows == 500
    rest = whole - a
    for got, want in zip(rest.centered(), b.centered()):
        np.testing.assert_allclose(got, want, rtol=rtol * 100, atol=rtol * np.abs(b.XtX).max())
    with pytest.raises(ValueError, match="shift"):
        a + fastreg.SufficientStats.from_arrays(X[180:], y[180:])


@pytest.mark.parametrize("fit_intercept,weighted,standardize", [
    (True, False, False), (False, False, False), (True, True, False), (True, False, True),
])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_path_from_stats_equals_path_from_data(oracle, dtype, fit_intercept, weighted, standardize, l1_ratio):
    X, y = oracle.make_regression(90, 10, dtype=dtype, seed=207, intercept=4.0)
    sw = np.random.default_rng(9).uniform(0, 2, len(y)) if weighted else None
    tol = oracle.tight_tol(dtype)
    kw = dict(l1_ratio=l1_ratio, n_alphas=10, tol=tol, max_iter=100_000, fit_intercept=fit_intercept,
              standardize=standardize)
    stats = fastreg.SufficientStats.from_arrays(X, y, sw, chunk_rows=32)
    ours = fastreg.enet_path_from_stats(stats, **kw)
    data = fastreg.enet_path(X, y, sample_weight=sw, precompute=False, **kw)
    assert ours.solver == "cd-gram" and ours.converged.all()
    np.testing.assert_allclose(ours.alphas, data.alphas, rtol=1e-4 if dtype == np.float32 else 1e-10)
    floor = oracle.rounding_floor(dtype, y, sw)
    for k, alpha in enumerate(data.alphas):
        if standardize:
            np.testing.assert_allclose(ours.coefs[:, k], data.coefs[:, k],
                                       atol=1e-2 if dtype == np.float32 else 1e-5, rtol=1e-3)
            continue
        oracle.assert_certified(X, y, ours.coefs[:, k], ours.intercepts[k], ours.dual_gaps[k], alpha, l1_ratio,
                                tol=tol, dtype=dtype, sample_weight=sw, fit_intercept=fit_intercept,
                                what=f"stats alpha #{k}")
        oracle.assert_same_solution(X, y, ours.coefs[:, k], ours.dual_gaps[k], data.coefs[:, k],
                                    data.dual_gaps[k], alpha, l1_ratio, sample_weight=sw,
                                    fit_intercept=fit_intercept, floor=floor, what=f"alpha #{k}")


def test_stats_bad_input():
    with pytest.raises(TypeError, match="SufficientStats"):
        fastreg.enet_path_from_stats(np.eye(3))
    X = np.ones((5, 2))
    with pytest.raises(ValueError, match="shift"):
        fastreg.SufficientStats.from_arrays(X, np.ones(5), shift=(np.zeros(3), 0.0))
    with pytest.raises(ValueError, match="NaN"):
        fastreg.SufficientStats.from_arrays(X, np.array([1.0, np.nan, 0, 0, 0]))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fast", [False, True])
def test_two_dimensional_y_is_every_column_at_once(dtype, weighted, fast):
    """Statistics of a 2-D y (Ridge's targets, a multi-task model's): Xty (p, k), yty, sy and the y shift
    one per target, each column the statistics of that target alone; + and - and centering per column.
    fast=True (Ridge's request: no copy of X when unweighted) centers the same."""
    from fastreg._stats import SufficientStats

    rng = np.random.default_rng(211)
    X = (rng.standard_normal((400, 5)) + 30.0).astype(dtype)
    Y = (X @ rng.standard_normal((5, 3)) + rng.standard_normal((400, 3)) + [1.0, -4.0, 9.0]).astype(dtype)
    sw = rng.uniform(0.5, 2.0, 400).astype(dtype) if weighted else None
    both = SufficientStats.of_validated(X, Y, sw, fast=fast)
    assert both.Xty.shape == (5, 3) and np.shape(both.yty) == (3,) and np.shape(both.y_shift) == (3,)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    G, Xty, yty, mx, my = both.centered()
    for t in range(3):
        one = SufficientStats.of_validated(X, Y[:, t], sw)
        assert np.ndim(one.yty) == 0 and np.shape(one.Xty) == (5,)  # the 1-D API is unchanged
        G1, Xty1, yty1, mx1, my1 = one.centered()
        scale = np.sqrt(np.diag(G1).max() * yty1)
        np.testing.assert_allclose(G, G1, rtol=rtol, atol=rtol * np.abs(G1).max())
        np.testing.assert_allclose(Xty[:, t], Xty1, rtol=rtol, atol=rtol * scale)
        assert yty[t] == pytest.approx(yty1, rel=rtol) and my[t] == pytest.approx(my1, rel=rtol)
    first = SufficientStats.of_validated(X[:150], Y[:150], None if sw is None else sw[:150])
    rest = SufficientStats.of_validated(X[150:], Y[150:], None if sw is None else sw[150:], shift=first.shift)
    for got, want in zip((first + rest).centered(), both.centered()):
        np.testing.assert_allclose(got, want, rtol=rtol * 10, atol=rtol * 10 * np.abs(want).max())
    for got, want in zip(((first + rest) - first).centered(), rest.centered()):
        np.testing.assert_allclose(got, want, rtol=rtol * 100, atol=rtol * 100 * np.abs(want).max())


@pytest.mark.parametrize("order", ["F", "C", "strided"])
@pytest.mark.parametrize("pair", [(np.float64, np.float64), (np.float32, np.float32), (np.float32, np.float64),
                                  (np.float64, np.float32)])
@pytest.mark.parametrize("scaled", [False, True])
def test_shifted_copy_kernel_is_its_numpy_definition(order, pair, scaled):
    """The compiled shifted copy of a row block (`_shifted_sums`) is NumPy's subtract and multiply bit for
    bit, in every layout (vectorized along a shared unit stride, a plain loop otherwise), with the
    block's largest |entry|, and +inf once an entry is NaN or infinite."""
    from fastreg._cd_gram import shifted_rows_into

    data, out = pair
    rng = np.random.default_rng(211)
    X = (rng.standard_normal((60, 9)) * 3 + 7).astype(data)
    if order == "F":
        X = np.asfortranarray(X)
    elif order == "strided":
        X = np.asfortranarray(np.repeat(X, 2, axis=1))[:, ::2]  # no unit stride along either axis
    shift = rng.standard_normal(9).astype(out)
    scale = rng.uniform(0.5, 2.0, 25).astype(out) if scaled else np.empty(0, dtype=out)
    B = np.full((25, 11), -1.0, dtype=out, order="C" if order == "C" else "F")
    amax = shifted_rows_into(B[:, :9], X, 20, shift, scale)
    expected = np.subtract(X[20:45], shift, dtype=out)
    if scaled:
        expected *= scale[:, None]
    np.testing.assert_array_equal(B[:, :9], expected)
    assert (B[:, 9:] == -1).all()  # nothing beyond the columns of X is written
    assert amax == np.abs(expected).max()
    for bad in (np.nan, np.inf):
        Y = X.copy()
        Y[33, 4] = bad
        assert shifted_rows_into(B[:, :9], Y, 20, shift, scale) == np.inf
    with pytest.raises(ValueError, match="row_scale"):
        shifted_rows_into(B[:, :9], X, 50, shift, scale)  # past the last row


@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("shape", [(700, 13, 2), (700, 13, 0), (5, 3, 1), (0, 4, 2), (1, 1, 1), (300, 0, 1)])
@pytest.mark.parametrize("block", [1, 64, 256, 10000])
def test_syrk_with_product_is_both_products_from_one_pass(dtype, order, shape, block):
    """`syrk_product_into` (the Gram mode's X^T X and X^T [y, 1] from one pass over X): the full
    symmetric X^T X and X^T R for either layout, any number of row blocks (one row, one partial, one
    spanning all), no right-hand side, no rows or no columns, to the rounding of sums of n products;
    whatever G and XtR held before is overwritten. Bad layouts and shapes are refused."""
    from fastreg._cd_gram import syrk_product_into

    n, p, k = shape
    rng = np.random.default_rng(215)
    X = np.asarray(rng.standard_normal((n, p)) * 3 + 1, dtype=dtype, order=order)
    R = np.asfortranarray(rng.standard_normal((n, k)), dtype=dtype)
    G = np.full((p, p), np.nan, dtype=dtype)
    XtR = np.full((p, k), np.nan, dtype=dtype, order="F")
    syrk_product_into(G, XtR, X, R, block)
    X64, R64 = X.astype(np.float64), R.astype(np.float64)
    u = np.finfo(dtype).eps
    G_ref, XtR_ref = X64.T @ X64, X64.T @ R64
    bound = 2 * max(n, 1) * u * (np.abs(X64.T) @ np.abs(X64)).max() if p else 0.0
    np.testing.assert_allclose(G, G_ref, rtol=0, atol=bound)
    assert np.array_equal(G, G.T)  # mirrored exactly
    if p and k:
        bound = 2 * max(n, 1) * u * (np.abs(X64.T) @ np.abs(R64)).max()
        np.testing.assert_allclose(XtR, XtR_ref, rtol=0, atol=bound)
    assert np.isfinite(G).all() and np.isfinite(XtR).all()
    if n and p > 1:
        with pytest.raises(ValueError, match="contiguous"):
            syrk_product_into(G, XtR, np.asfortranarray(np.repeat(X, 2, axis=1))[:, ::2], R, block)
        with pytest.raises(ValueError, match="XtR"):
            syrk_product_into(G, np.zeros((p, k + 1), dtype=dtype, order="F"), X, R, block)
    with pytest.raises(ValueError, match="block_rows"):
        syrk_product_into(G, XtR, X, R, 0)


@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("shape", [(700, 13, 2), (700, 13, 0), (5, 3, 1), (0, 4, 2), (1, 1, 1), (300, 0, 1)])
@pytest.mark.parametrize("block", [1, 64, 256, 10000])
def test_syrk_with_product_widens_float32_blocks_to_float64_sums(order, shape, block):
    """A float32 X into float64 G and XtR: every block widened exactly, so the sums are float64 sums of
    the float32 values (to float64's rounding of n products, not float32's), for either layout and
    any number of blocks; float64 X into float32 sums is refused."""
    from fastreg._cd_gram import syrk_product_into
    from fastreg._stats import syrk_with_product

    n, p, k = shape
    rng = np.random.default_rng(216)
    X = np.asarray(rng.standard_normal((n, p)) * 3 + 1, dtype=np.float32, order=order)
    R = np.asfortranarray(rng.standard_normal((n, k)))
    G = np.full((p, p), np.nan)
    XtR = np.full((p, k), np.nan, order="F")
    syrk_product_into(G, XtR, X, R, block)
    X64 = X.astype(np.float64)
    u = np.finfo(np.float64).eps
    bound = 2 * max(n, 1) * u * (np.abs(X64.T) @ np.abs(X64)).max() if p else 0.0
    np.testing.assert_allclose(G, X64.T @ X64, rtol=0, atol=bound)
    assert np.array_equal(G, G.T)
    if p and k:
        bound = 2 * max(n, 1) * u * (np.abs(X64.T) @ np.abs(R)).max()
        np.testing.assert_allclose(XtR, X64.T @ R, rtol=0, atol=bound)
    assert np.isfinite(G).all() and np.isfinite(XtR).all()
    G_f, XtR_f = syrk_with_product(X, R, np.float64)
    assert G_f.dtype == XtR_f.dtype == np.float64
    np.testing.assert_allclose(G_f, X64.T @ X64, rtol=0, atol=2 * max(n, 1) * u * (np.abs(X64.T) @ np.abs(X64)).max() if p else 0)
    if n and p:
        with pytest.raises(TypeError, match="float64"):
            syrk_product_into(np.zeros((p, p), dtype=np.float32), np.zeros((p, k), dtype=np.float32, order="F"),
                              X64, np.asfortranarray(R, dtype=np.float32), block)


@pytest.mark.parametrize("dtype_x", [np.float32, np.float64])
@pytest.mark.parametrize("block", [1, 7, 256])
def test_shifted_products_are_the_copys_sums_whatever_the_layout(dtype_x, block):
    """`shifted_products` (the shifted statistics' one compiled pass): X~ = diag(r) (X - 1 c^T) in
    float64, never formed, gives X~^T X~ and X~^T R to the rounding of n products, the largest |X~|,
    +inf once an entry is NaN; and the same bits for a C-, an F-ordered and a strided X (the bordered
    block's one syrk), so that a fit does not depend on how X is laid out."""
    from fastreg._stats import shifted_products

    rng = np.random.default_rng(217)
    n, p, k = 300, 9, 2
    base = (rng.standard_normal((n, 2 * p + 1)) * 2 + 5).astype(dtype_x)
    shift = base[:20, :p].mean(axis=0, dtype=np.float64)
    scale = rng.uniform(0.5, 2.0, n)
    R = np.asfortranarray(rng.standard_normal((n, k)))
    layouts = [np.ascontiguousarray(base[:, :p]), np.asfortranarray(base[:, :p]), base[:, :p], base[:, 1::2][:, :p]]
    copy = (layouts[0].astype(np.float64) - shift) * scale[:, None]
    u = np.finfo(np.float64).eps
    results = []
    for X in layouts[:3]:
        G, XtR, amax = shifted_products(X, R, np.float64, shift, scale)
        np.testing.assert_allclose(G, copy.T @ copy, rtol=0, atol=2 * n * u * (np.abs(copy.T) @ np.abs(copy)).max())
        np.testing.assert_allclose(XtR, copy.T @ R, rtol=0, atol=2 * n * u * (np.abs(copy.T) @ np.abs(R)).max())
        assert amax == np.abs(copy).max() and np.array_equal(G, G.T)
        results.append((G, XtR))
    for G, XtR in results[1:]:
        assert np.array_equal(G, results[0][0]) and np.array_equal(XtR, results[0][1])
    other = layouts[3]  # (no unit stride at all: every other column of a C-ordered array)
    copy = (other.astype(np.float64) - shift) * scale[:, None]
    G, XtR, amax = shifted_products(other, R, np.float64, shift, scale)
    np.testing.assert_allclose(G, copy.T @ copy, rtol=0, atol=2 * n * u * (np.abs(copy.T) @ np.abs(copy)).max())
    assert amax == np.abs(copy).max()
    bad = layouts[1].copy()
    bad[n // 2, 3] = np.nan
    assert shifted_products(bad, R, np.float64, shift, None)[2] == np.inf
    if dtype_x == np.float64:
        with pytest.raises(ValueError, match="contiguous"):
            shifted_products(other, R)  # read in place: only a contiguous X


def test_near_center_statistics_skip_the_shifted_copy_and_stay_exact(monkeypatch):
    """The certified Gram mode's statistics of an unweighted float64 X near its center are summed about a
    zero shift without a copy (`_accumulate_near`); a column far from its center, or weights, take the
    shifted row blocks. Either way the centered sums are the explicitly centered ones, and ``amax``
    bounds the largest |x| from above within sqrt(n)."""
    from fastreg._stats import SufficientStats

    rng = np.random.default_rng(213)
    n, p = 4000, 7
    X = rng.standard_normal((n, p)) * np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0]) + 0.5
    y = X @ rng.standard_normal(p) + 3.0 + rng.standard_normal(n)
    for data in (X, np.asfortranarray(X)):
        stats = SufficientStats.of_validated(data, y, None, near=True)
        assert not np.any(stats.x_shift)  # the zero shift: no copy of X was taken
        G, Xty, yty, _, _ = stats.centered()
        G_ref, Xty_ref, yty_ref, _, _ = _centered_reference(X, y)
        np.testing.assert_allclose(G, G_ref, rtol=0, atol=1e-11 * np.abs(G_ref).max())
        np.testing.assert_allclose(Xty, Xty_ref, rtol=0, atol=1e-11 * np.abs(Xty_ref).max())
        assert yty == pytest.approx(yty_ref, rel=1e-12)
        largest = np.abs(X).max()
        assert largest <= stats.amax[0] <= np.sqrt(n) * largest
        assert stats.amax[1] == pytest.approx(np.abs(y - stats.y_shift).max())
    # a column far from its center, in the rows the prediction samples or only after them (sorted data)
    far = X.copy()
    far[:, 2] += 1e3
    late = X.copy()
    late[n // 2:, 4] = 1e3 + np.sort(late[n // 2:, 4]) * 1e-3
    for data in (far, late):
        stats = SufficientStats.of_validated(data, y, None, near=True)
        assert np.any(stats.x_shift)  # the shifted row blocks
        G, _, _, _, _ = stats.centered()
        G_ref = _centered_reference(data, y)[0]
        np.testing.assert_allclose(G, G_ref, rtol=0, atol=1e-10 * np.abs(G_ref).max())
    assert np.any(SufficientStats.of_validated(X, y, np.full(n, 2.0), near=True).x_shift)
    # rows that mispredict a column (near in the sample, far in the exact sums): the check after the
    # products sends it to the shifted row blocks
    import fastreg._stats

    monkeypatch.setattr(fastreg._stats, "_spread_rows", lambda X: np.asarray(X[:100], dtype=np.float64))
    hidden = X.copy()
    hidden[100:, 1] += 1e3
    assert SufficientStats._accumulate_near(hidden, y) is None
    stats = SufficientStats.of_validated(hidden, y, None, near=True)
    G_ref = _centered_reference(hidden, y)[0]
    np.testing.assert_allclose(stats.centered()[0], G_ref, rtol=0, atol=1e-10 * np.abs(G_ref).max())

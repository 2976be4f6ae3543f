"""Sparse X (scipy formats): the same solutions as dense X, never a dense copy, every format.

The oracles of conftest work on the densified matrix; fastreg gets the sparse one.
"""
import tracemalloc
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg


def sparse_regression(n_samples, n_features, *, dtype=np.float64, density=0.2, seed=0, intercept=3.0):
    """A CSC design with the things implicit centering must get right: columns with large and with
    zero means, a one-hot block, a column stored in every row (constant), an empty column."""
    rng = np.random.default_rng(seed)
    X = sparse.random(n_samples, n_features, density=density, format="csc", random_state=rng,
                      data_rvs=lambda k: rng.standard_normal(k) * rng.uniform(0.5, 3.0) + rng.choice([0.0, 4.0]))
    X = X.tolil()
    levels = rng.integers(0, 4, n_samples)
    for level in range(4):  # one-hot columns 0..3
        X[:, level] = (levels == level).astype(float)[:, None]
    X[:, 4] = 2.5  # stored in every row: constant
    X[:, 5] = 0.0  # empty
    X = X.tocsc()
    X.eliminate_zeros()
    w = np.zeros(n_features)
    support = rng.choice(np.arange(6, n_features), size=max(1, n_features // 5), replace=False)
    w[support] = rng.uniform(1.0, 3.0, support.size) * rng.choice([-1.0, 1.0], support.size)
    w[1] = 2.0
    y = X @ w + intercept + 0.5 * rng.standard_normal(n_samples)
    return X.astype(dtype), y.astype(dtype)


def _path(X, y, alphas, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        return fastreg.enet_path(X, y, alphas=alphas, max_iter=100_000, **kw)


SOLVERS = {False: ("cd-sparse-residual", "cd-sparse-working-set"), True: ("cd-gram", "cd-gram"),
           "lazy": ("cd-gram-lazy", "cd-sparse-working-set")}


@pytest.mark.parametrize("precompute", [False, True, "lazy"], ids=["residual", "gram", "lazy"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [False, True], ids=["no-intercept", "intercept"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_sparse_equals_dense(oracle, dtype, shape, precompute, weighted, fit_intercept, l1_ratio, monkeypatch):
    n, p = shape
    if precompute == "lazy":  # 'auto' with Gram columns on demand for any number of columns and penalties
        from fastreg import _plan

        monkeypatch.setattr(_plan, "LAZY_SPARSE_MIN_FEATURES", 1)
        monkeypatch.setattr(_plan, "LAZY_SPARSE_PASSES", 0)
    X, y = sparse_regression(n, p, dtype=dtype, seed=401)
    Xd = X.toarray()
    sw = np.random.default_rng(402).uniform(0.1, 3.0, n).astype(dtype) if weighted else None
    tol = oracle.tight_tol(dtype)
    top = oracle.alpha_max(Xd, y, l1_ratio, sw, fit_intercept)
    alphas = top * np.array([0.9, 0.3, 0.05, 0.01])
    kw = dict(l1_ratio=l1_ratio, tol=tol, fit_intercept=fit_intercept, sample_weight=sw)
    got = _path(X, y, alphas, precompute="auto" if precompute == "lazy" else precompute, **kw)
    ref = _path(Xd, y, alphas, precompute=False, **kw)
    assert got.solver == SOLVERS[precompute][n < p]
    assert got.coefs.dtype == dtype
    floor = oracle.rounding_floor(dtype, y, sw)
    for k, alpha in enumerate(alphas):
        oracle.assert_certified(Xd, y, got.coefs[:, k], got.intercepts[k], got.dual_gaps[k], alpha, l1_ratio,
                                tol=tol, dtype=dtype, sample_weight=sw, fit_intercept=fit_intercept,
                                what=f"alpha #{k}")
        oracle.assert_same_solution(Xd, y, got.coefs[:, k], got.dual_gaps[k], ref.coefs[:, k], ref.dual_gaps[k],
                                    alpha, l1_ratio, sample_weight=sw, fit_intercept=fit_intercept,
                                    floor=floor, what=f"alpha #{k}")
    assert (got.coefs[5] == 0).all()  # the empty column
    if fit_intercept:
        assert (got.coefs[4] == 0).all()  # the constant column


@pytest.mark.parametrize("cls", [fastreg.Lasso, fastreg.ElasticNet])
def test_sparse_estimators_against_sklearn(oracle, cls):
    X, y = sparse_regression(120, 40, seed=403)
    sw = np.random.default_rng(404).uniform(0.2, 2.0, 120)
    alpha = 0.1 * oracle.alpha_max(X.toarray(), y, 1.0 if cls is fastreg.Lasso else 0.5, sw, True)
    model = cls(alpha=alpha, tol=1e-10, max_iter=100_000).fit(X, y, sample_weight=sw)
    l1_ratio = 1.0 if cls is fastreg.Lasso else 0.5
    w_ref, b_ref, gap_ref = oracle.reference_solution(X.toarray(), y, alpha, l1_ratio, sample_weight=sw,
                                                      fit_intercept=True)
    oracle.assert_same_solution(X.toarray(), y, model.coef_, model.dual_gap_, w_ref, gap_ref, alpha, l1_ratio,
                                sample_weight=sw, fit_intercept=True, floor=oracle.rounding_floor(np.float64, y, sw))
    assert abs(model.intercept_ - b_ref) <= 1e-6 * (1 + abs(b_ref))
    # predictions from sparse and dense X agree; the score works on sparse X
    np.testing.assert_allclose(model.predict(X), model.predict(X.toarray()), rtol=1e-12, atol=1e-12)
    assert model.score(X, y) == pytest.approx(model.score(X.toarray(), y), rel=1e-12)


def _formats(X):
    """The same matrix in every scipy format, as matrices and arrays, with int32 and int64 indices."""
    out = {fmt: X.asformat(fmt) for fmt in ("csc", "csr", "coo", "lil", "dok", "bsr", "dia")}
    out["csc_array"] = sparse.csc_array(X)
    out["coo_array"] = sparse.coo_array(X)
    wide = X.tocsc()
    wide.indices, wide.indptr = wide.indices.astype(np.int64), wide.indptr.astype(np.int64)
    out["csc-int64"] = wide
    return out


def test_every_format_gives_the_same_fit():
    X, y = sparse_regression(60, 12, seed=405)
    expected = fastreg.enet_path(X.toarray(), y, fit_intercept=True, n_alphas=5, tol=1e-10)
    for name, Xf in _formats(X).items():
        got = fastreg.enet_path(Xf, y, fit_intercept=True, n_alphas=5, tol=1e-10)
        np.testing.assert_allclose(got.coefs, expected.coefs, rtol=1e-7, atol=1e-9, err_msg=name)
        np.testing.assert_allclose(got.alphas, expected.alphas, rtol=1e-12, err_msg=name)


def test_unsorted_duplicate_and_explicit_zero_entries():
    X, y = sparse_regression(50, 10, seed=406)
    dense = X.toarray()
    coo = X.tocoo()
    # split every value into two duplicates, add explicit zeros, shuffle the order
    rng = np.random.default_rng(407)
    rows = np.concatenate([coo.row, coo.row, rng.integers(0, 50, 20)])
    cols = np.concatenate([coo.col, coo.col, rng.integers(0, 10, 20)])
    vals = np.concatenate([0.25 * coo.data, 0.75 * coo.data, np.zeros(20)])
    order = rng.permutation(rows.size)
    messy = sparse.coo_matrix((vals[order], (rows[order], cols[order])), shape=X.shape)
    csc = sparse.csc_matrix((vals[order], (rows[order], cols[order])), shape=X.shape)
    csc.has_sorted_indices = False
    csc.indices, csc.data = csc.indices.copy(), csc.data.copy()
    for Xm in (messy, csc):
        pattern = Xm.row if sparse.isspmatrix_coo(Xm) else Xm.indices
        before = (Xm.data.copy(), pattern.copy())
        got = fastreg.enet_path(Xm, y, fit_intercept=True, n_alphas=4, tol=1e-10)
        ref = fastreg.enet_path(dense, y, fit_intercept=True, n_alphas=4, tol=1e-10)
        np.testing.assert_allclose(got.coefs, ref.coefs, rtol=1e-7, atol=1e-9)
        # nothing the user passed is modified
        np.testing.assert_array_equal(Xm.data, before[0])
        np.testing.assert_array_equal(pattern, before[1])


@pytest.mark.parametrize("precompute", [False, True], ids=["residual", "gram"])
def test_inputs_never_modified_and_dtypes_kept(precompute):
    X, y = sparse_regression(40, 8, seed=408, dtype=np.float32)
    X = X.tocsc()
    copies = [a.copy() for a in (X.data, X.indices, X.indptr, y)]
    sw = np.linspace(0.5, 2.0, 40).astype(np.float32)
    sw_copy = sw.copy()
    path = fastreg.enet_path(X, y, fit_intercept=True, standardize=True, sample_weight=sw, n_alphas=3,
                             precompute=precompute)
    assert path.coefs.dtype == np.float32
    for a, b in zip((X.data, X.indices, X.indptr, y), copies):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sw, sw_copy)
    # integer sparse data become float64
    Xi = sparse.csc_matrix(np.arange(40 * 3).reshape(40, 3) % 4)
    assert fastreg.enet_path(Xi, y.astype(np.float64), n_alphas=2).coefs.dtype == np.float64


@pytest.mark.parametrize("precompute", [False, True], ids=["residual", "gram"])
def test_weights_equal_repeated_rows_and_zero_weights_dropped_rows(oracle, precompute):
    X, y = sparse_regression(50, 15, seed=409)
    counts = np.random.default_rng(410).integers(0, 4, 50)  # 0 drops the row
    repeated = sparse.csc_matrix(X.toarray().repeat(counts, axis=0))
    alphas = 0.2 * oracle.alpha_max(X.toarray(), y, 0.7, counts.astype(float), True) * np.array([1.0, 0.1])
    kw = dict(l1_ratio=0.7, fit_intercept=True, tol=1e-11, precompute=precompute)
    weighted = _path(X, y, alphas, sample_weight=counts.astype(float), **kw)
    rep = _path(repeated, y.repeat(counts), alphas, **kw)
    np.testing.assert_allclose(weighted.coefs, rep.coefs, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(weighted.intercepts, rep.intercepts, rtol=1e-8, atol=1e-8)


def test_lazy_gram_columns_on_sparse_X(oracle, monkeypatch):
    import fastreg._plan as plan

    X, y = sparse_regression(300, 60, seed=411)
    monkeypatch.setattr(plan, "GRAM_MAX_BYTES", 8 * 60 * 60 - 1)  # the full Gram is over budget
    alphas = oracle.alpha_max(X.toarray(), y, 1.0, None, True) * np.geomspace(1, 0.01, 8)
    lazy = _path(X, y, alphas, l1_ratio=1.0, fit_intercept=True, tol=1e-10)
    assert lazy.solver == "cd-gram-lazy"
    for k, alpha in enumerate(alphas):
        oracle.assert_certified(X.toarray(), y, lazy.coefs[:, k], lazy.intercepts[k], lazy.dual_gaps[k], alpha,
                                1.0, tol=1e-10, dtype=np.float64, fit_intercept=True, what=f"alpha #{k}")


# (150 columns: the product's mirroring runs by 64 x 64 tiles, ragged at the edge)
@pytest.mark.parametrize("shape", [(70, 25), (300, 150)])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_gram_matrix_equals_the_centered_dense_one(dtype, weighted, shape):
    from fastreg._design import dense_design, sparse_design

    X, y = sparse_regression(*shape, seed=412, dtype=dtype)
    sw = np.random.default_rng(413).uniform(0.1, 2.0, shape[0]).astype(dtype) if weighted else None
    sp_design = sparse_design(X, y, sw, fit_intercept=True, standardize=True)
    de_design = dense_design(X.toarray(), y, sw, fit_intercept=True, standardize=True)
    rtol = 1e-4 if dtype == np.float32 else 1e-11
    G_ref = de_design.gram().astype(np.float64)
    scale = np.abs(G_ref).max()
    np.testing.assert_allclose(sp_design.gram(), G_ref, rtol=0, atol=rtol * scale)
    np.testing.assert_allclose(sp_design.norm2_cols, de_design.norm2_cols, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(sp_design.Xty(), de_design.Xty(), rtol=rtol, atol=rtol * np.abs(de_design.Xty()).max())
    np.testing.assert_allclose(sp_design.x_offset, de_design.x_offset, rtol=rtol)
    np.testing.assert_allclose(sp_design.col_scale, de_design.col_scale, rtol=rtol)


def test_csc_to_csr_kernel_is_scipys_conversion(dtype):
    # the blocked transpose against scipy's: rows and columns empty or full, more rows than one block
    # (4096), the tails linking each stored entry to its row, and the check of its input (row indices
    # in range and increasing within each column)
    from fastreg._cd_gram import csc_to_csr

    rng = np.random.default_rng(419)
    for n, p, density in [(0, 3, 0.0), (5, 0, 0.0), (1, 1, 1.0), (37, 11, 0.3), (9000, 40, 0.05), (5000, 7, 1.0)]:
        X = sparse.random(n, p, density=density, format="csc", random_state=rng, dtype=dtype)
        if n and p:
            X[:, p // 2] = 0  # (an empty column; rows of zeros come with the density)
            X.eliminate_zeros()
        data, cols, ptr = csc_to_csr(X.data, X.indices.astype(np.int32), X.indptr.astype(np.int64), n)
        ref = X.tocsr()
        ref.sort_indices()
        assert data.dtype == dtype and cols.dtype == np.intc and ptr.dtype == np.int64
        np.testing.assert_array_equal(ptr, ref.indptr)
        np.testing.assert_array_equal(cols, ref.indices)
        np.testing.assert_array_equal(data, ref.data)
        # tails: the a-th stored entry (i, j) sits at tail[a] in the CSR arrays, its row ending length[a] later
        *same, tail, length = csc_to_csr(X.data, X.indices.astype(np.int32), X.indptr.astype(np.int64), n, tails=True)
        for got, want in zip(same, (data, cols, ptr)):
            np.testing.assert_array_equal(got, want)
        columns = np.repeat(np.arange(p), np.diff(X.indptr))
        np.testing.assert_array_equal(cols[tail], columns)
        np.testing.assert_array_equal(np.searchsorted(ptr, tail, side="right") - 1, X.indices)
        np.testing.assert_array_equal(tail + length, ptr[X.indices + 1])
    ptr = np.array([0, 2], dtype=np.int64)
    for rows in ([3, 1], [1, 1], [0, 5], [-1, 0]):
        with pytest.raises(ValueError, match="increase within each column"):
            csc_to_csr(np.ones(2, dtype), np.array(rows, dtype=np.int32), ptr, 5)


def test_sparse_gram_kernel_is_its_definition_with_dense_columns(dtype):
    # G = f f^T o (X^T X) - sw_sum m m^T from the compiled product, for one-hot-like columns with
    # nearly dense ones first, in the middle and last (their rows of G come from dense copies of
    # them, the others' from the rows' tails), with and without factors and centering
    from fastreg._cd_gram import csc_to_csr, sparse_gram_into

    rng = np.random.default_rng(421)
    n, p = 3000, 90
    X = sparse.random(n, p, density=0.03, format="lil", random_state=rng, dtype=np.float64)
    for j in (0, 40, 41, p - 2, p - 1):
        X[:, j] = rng.standard_normal((n, 1))
    X = sparse.csc_matrix(X, dtype=dtype)
    data, rows, ptr = X.data, X.indices.astype(np.int32), X.indptr.astype(np.int64)
    row_data, row_cols, _, tail, length = csc_to_csr(data, rows, ptr, n, tails=True)
    dense = X.toarray().astype(np.float64)
    # (a sum of n products: rounding at most n u times the largest |G|, Cauchy-Schwarz)
    rtol = 2 * n * np.finfo(dtype).eps
    for factor, center, sw_sum in [(np.empty(0), np.empty(0), 0.0),
                                   (rng.uniform(0.5, 2.0, p), rng.standard_normal(p) * 0.1, 7.0),
                                   (np.empty(0), rng.standard_normal(p) * 0.1, 3.0),
                                   (rng.uniform(0.5, 2.0, p), np.empty(0), 0.0)]:
        G = np.zeros((p, p), dtype=dtype)
        sparse_gram_into(G, data, rows, ptr, n, tail, length, row_data, row_cols, factor.astype(dtype),
                         center.astype(dtype), sw_sum)
        f = factor if factor.size else np.ones(p)
        ref = np.outer(f, f) * (dense.T @ dense)
        if center.size:
            ref -= sw_sum * np.outer(center, center)
        np.testing.assert_allclose(G, ref, rtol=0, atol=rtol * np.abs(ref).max())
        np.testing.assert_array_equal(G, G.T)
    with pytest.raises(ValueError, match="lie in"):
        bad = rows.copy()
        bad[ptr[1] - 1] = n  # (the dense first column's last row: out of range)
        sparse_gram_into(np.zeros((p, p), dtype=dtype), data, bad, ptr, n, tail, length, row_data, row_cols,
                         np.empty(0, dtype=dtype), np.empty(0, dtype=dtype), 0.0)


def test_sparse_gram_columns_kernel_is_its_definition(dtype):
    # X^T x_f for one-hot-like columns, nearly dense ones among them (more than one block of
    # DENSE_BLOCK_COLUMNS: their products come from passes over X against dense copies), an empty
    # column, a feature asked for twice, in any order
    from fastreg._cd_gram import csc_to_csr, sparse_gram_columns_into

    rng = np.random.default_rng(431)
    n, p = 2000, 60
    X = sparse.random(n, p, density=0.02, format="lil", random_state=rng, dtype=np.float64)
    dense_cols = [0, 7, 8, 9, 20, 21, 22, 23, 30, 31, 59]  # 11 > 8: two blocks
    for j in dense_cols:
        X[:, j] = rng.standard_normal((n, 1))
    X[:, 40] = 0.0
    X = sparse.csc_matrix(X, dtype=dtype)
    X.eliminate_zeros()
    data, rows, ptr = X.data, X.indices.astype(np.int32), X.indptr.astype(np.int64)
    dense = X.toarray().astype(np.float64)
    ref = dense.T @ dense
    rtol = 2 * n * np.finfo(dtype).eps  # (a sum of n products, Cauchy-Schwarz)
    # the rows of every column, or of all but some held apart dense (some of the nearly dense ones,
    # and a sparse one: held columns need not be dense)
    for held in (np.empty(0, dtype=np.int64), np.array([9, 0, 59, 20, 13], dtype=np.int64)):
        skip = np.zeros(p, dtype=np.uint8)
        skip[held] = 1
        row_data, row_cols, row_ptr = csc_to_csr(data, rows, ptr, n, skip=skip)
        assert row_ptr[-1] == X.nnz - np.diff(ptr)[held].sum()
        D = np.ascontiguousarray(dense[:, held], dtype=dtype)
        for features in (np.arange(p), np.array([59, 3, 40, 0, 3, 31, 12, 13]), np.array(dense_cols[::-1]),
                         np.array([5]), np.array([], dtype=np.int64)):
            out = np.full((p, features.size), np.nan, dtype=dtype, order="F")  # (every entry is written)
            sparse_gram_columns_into(out, features.astype(np.int64), data, rows, ptr, n, row_ptr, row_data, row_cols,
                                     held, D)
            np.testing.assert_allclose(out, ref[:, features], rtol=0, atol=rtol * np.abs(ref).max())
    # indicator columns (values all 1) with the nearly dense ones held: the CSR needs no data
    B = X.copy()
    B.data[:] = 1
    for j in dense_cols:
        B.data[ptr[j]:ptr[j + 1]] = X.data[ptr[j]:ptr[j + 1]]
    B_dense = B.toarray().astype(np.float64)
    held_b = np.array(dense_cols, dtype=np.int64)
    skip_b = np.zeros(p, dtype=np.uint8)
    skip_b[held_b] = 1
    no_data, cols_b, ptr_b = csc_to_csr(B.data, rows, ptr, n, skip=skip_b, values=False)
    assert no_data.size == 0
    features = np.array([59, 3, 40, 0, 3, 31, 12, 13, 7])
    out = np.full((p, features.size), np.nan, dtype=dtype, order="F")
    sparse_gram_columns_into(out, features.astype(np.int64), B.data, rows, ptr, n, ptr_b, no_data, cols_b, held_b,
                             np.ascontiguousarray(B_dense[:, held_b], dtype=dtype))
    ref_b = B_dense.T @ B_dense
    np.testing.assert_allclose(out, ref_b[:, features], rtol=0, atol=rtol * np.abs(ref_b).max())
    args = (data, rows, ptr, n, row_ptr, row_data, row_cols)
    with pytest.raises(ValueError, match="features must be column indices"):
        sparse_gram_columns_into(np.empty((p, 1), dtype=dtype, order="F"), np.array([p], dtype=np.int64), *args,
                                 held, D)
    with pytest.raises(ValueError, match="out must be"):
        sparse_gram_columns_into(np.empty((p - 1, 1), dtype=dtype, order="F"), np.array([0], dtype=np.int64), *args,
                                 held, D)
    with pytest.raises(ValueError, match="the CSR arrays must hold"):  # rows of every column, some held
        full = csc_to_csr(data, rows, ptr, n)
        sparse_gram_columns_into(np.empty((p, 1), dtype=dtype, order="F"), np.array([0], dtype=np.int64), data,
                                 rows, ptr, n, full[2], full[0], full[1], held, D)


@pytest.mark.parametrize("weighted", [False, True])
def test_column_moments_are_one_pass_of_the_definition(dtype, weighted):
    # weighted sums and sums of squares per column in float64, and the largest |value|, for columns of
    # every length (empty, shorter and longer than the kernel's lanes)
    from fastreg._stats import column_moments

    rng = np.random.default_rng(435)
    n = 500
    X = sparse.random(n, 12, density=0.3, format="lil", random_state=rng, dtype=np.float64)
    X[:, 3] = 0.0
    X[:5, 4] = rng.standard_normal((5, 1))
    X[:, 7] = 1e6 + rng.standard_normal((n, 1))
    X[17, 9] = -250.0
    X = sparse.csc_matrix(X, dtype=dtype)
    X.eliminate_zeros()
    sw = rng.uniform(0.1, 3.0, n) if weighted else None
    sums, squares, amax = column_moments(X, sw, amax=True)
    dense = X.toarray().astype(np.float64)
    s = np.ones(n) if sw is None else sw
    assert sums.dtype == squares.dtype == np.float64
    # (sums of at most n terms: rounding within n u of the sum of their magnitudes)
    bound = n * np.finfo(np.float64).eps
    np.testing.assert_allclose(sums, s @ dense, rtol=0, atol=bound * (s @ np.abs(dense)).max())
    np.testing.assert_allclose(squares, s @ dense**2, rtol=bound)
    assert amax == np.abs(dense).max()
    assert sums[3] == squares[3] == 0.0
    two = column_moments(X, sw)  # (without amax: the same pass)
    np.testing.assert_array_equal(two[0], sums)
    np.testing.assert_array_equal(two[1], squares)


@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_gram_columns_are_the_full_matrixs(dtype, weighted):
    # the design's columns on demand (factors, centering, columns stored shifted, constant columns)
    # are the full Gram matrix's columns
    from fastreg._design import sparse_design

    X, y = sparse_regression(300, 40, seed=432, dtype=dtype)
    X = X.tolil()
    X[:, 6] = 1000.0 + np.random.default_rng(433).standard_normal((300, 1))  # far off center: stored shifted
    X = X.tocsc()
    sw = np.random.default_rng(434).uniform(0.1, 2.0, 300).astype(dtype) if weighted else None
    design = sparse_design(X, y, sw, fit_intercept=True, standardize=True)
    G = design.gram().astype(np.float64)
    features = np.array([6, 4, 0, 39, 1, 5])
    into = np.empty((40, features.size), dtype=design.dtype, order="F")
    design.gram_columns_into(features, into)
    c_order = np.empty((40, features.size), dtype=design.dtype)  # (not Fortran: through a buffer)
    design.gram_columns_into(features, c_order)
    rtol = 1e-4 if dtype == np.float32 else 1e-11
    np.testing.assert_allclose(into, G[:, features], rtol=0, atol=rtol * np.abs(G).max())
    np.testing.assert_array_equal(into, c_order)
    assert (into[4] == 0).all() and (into[:, 1] == 0).all()  # the constant column, centered away
    # one-hot levels and numeric columns: the levels' rows need no values (all 1), the numeric
    # columns are held apart dense
    rng = np.random.default_rng(436)
    n = 3000
    levels = sparse.csc_matrix((np.ones(2 * n), (np.tile(np.arange(n), 2),
                                                 np.r_[rng.integers(0, 30, n), 30 + rng.integers(0, 20, n)])),
                               shape=(n, 50))
    X = sparse.hstack([levels, sparse.csc_matrix(rng.standard_normal((n, 2)))], format="csc").astype(dtype)
    y = rng.standard_normal(n).astype(dtype)
    design = sparse_design(X, y, None, fit_intercept=True, standardize=True)
    row_data, _, _, held, _ = design._rows()
    assert row_data.size == 0 and held.tolist() == [50, 51]
    G = design.gram().astype(np.float64)
    features = np.array([51, 0, 49, 50, 7])
    into = np.empty((52, features.size), dtype=design.dtype, order="F")
    design.gram_columns_into(features, into)
    np.testing.assert_allclose(into, G[:, features], rtol=0, atol=rtol * np.abs(G).max())


@pytest.mark.parametrize("n_threads", [2, 3])
def test_sparse_gram_on_threads_is_the_single_threaded_one(dtype, monkeypatch, n_threads):
    # the rows of G split between threads by work (dense columns and tails): bit for bit the
    # single-threaded matrix, with factors and centering, through the design and the statistics
    from fastreg import _stats
    from fastreg._design import sparse_design

    rng = np.random.default_rng(423)
    X = sparse.random(4000, 120, density=0.04, format="lil", random_state=rng, dtype=np.float64)
    for j in (0, 60, 119):
        X[:, j] = rng.standard_normal((4000, 1))
    X = sparse.csc_matrix(X, dtype=dtype)
    y = rng.standard_normal(4000).astype(dtype)
    design = sparse_design(X, y, None, fit_intercept=True, standardize=True)
    monkeypatch.setattr(_stats, "blas_threads", lambda: 1)
    one, stats_one = design.gram(), _stats.SufficientStats.of_validated(X, y, None)
    calls = []
    monkeypatch.setattr(_stats, "blas_threads", lambda: calls.append(1) or n_threads)
    monkeypatch.setattr(_stats, "SPARSE_GRAM_THREADED_NNZ", 0)
    threaded, stats_threaded = design.gram(), _stats.SufficientStats.of_validated(X, y, None)
    assert len(calls) == 2
    np.testing.assert_array_equal(threaded, one)
    np.testing.assert_array_equal(stats_threaded.XtX, stats_one.XtX)


def test_positive_standardize_and_random_order_on_sparse_X(oracle):
    X, y = sparse_regression(80, 30, seed=414)
    for kw in (dict(positive=True), dict(standardize=True), dict(selection="random", random_state=3)):
        got = fastreg.enet_path(X, y, fit_intercept=True, n_alphas=6, tol=1e-10, precompute=False, **kw)
        ref = fastreg.enet_path(X.toarray(), y, fit_intercept=True, n_alphas=6, tol=1e-10, precompute=False,
                                **kw)
        np.testing.assert_allclose(got.alphas, ref.alphas, rtol=1e-10)
        np.testing.assert_allclose(got.coefs, ref.coefs, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(got.intercepts, ref.intercepts, rtol=1e-8, atol=1e-8)


def test_degenerate_sparse_data():
    # one sample; an all-zero matrix; constant y
    one = fastreg.Lasso(alpha=0.1).fit(sparse.csc_matrix([[1.0, 0.0, 2.0]]), [3.0])
    assert np.all(one.coef_ == 0) and one.intercept_ == 3.0
    zero = fastreg.Lasso(alpha=0.1).fit(sparse.csc_matrix((10, 4)), np.arange(10.0))
    assert np.all(zero.coef_ == 0) and zero.intercept_ == pytest.approx(4.5)
    X, _ = sparse_regression(30, 8, seed=415)
    const = fastreg.ElasticNet(alpha=0.01).fit(X, np.full(30, 2.0))
    assert np.all(const.coef_ == 0) and const.intercept_ == pytest.approx(2.0)
    # duplicated columns share the weight
    Xdup = sparse.hstack([X, X[:, [6]]]).tocsc()
    y = np.asarray(X[:, 6].todense()).ravel() * 2.0
    path = fastreg.enet_path(Xdup, y, fit_intercept=True, n_alphas=5, tol=1e-10)
    assert np.isfinite(path.coefs).all() and path.converged.all()


@pytest.mark.parametrize("precompute", [False, True], ids=["residual", "gram"])
def test_no_dense_copy_of_sparse_X(precompute):
    # 20000 x 400 at 1% density: a dense copy would be 64 MB; the working data are a few MB
    rng = np.random.default_rng(416)
    X = sparse.random(20000, 400, density=0.01, format="csc", random_state=rng)
    X.data += 1.0
    y = X @ rng.standard_normal(400) + rng.standard_normal(20000)
    sw = rng.uniform(0.5, 2.0, 20000)
    dense_bytes = 20000 * 400 * 8
    tracemalloc.start()
    try:
        fastreg.enet_path(X, y, fit_intercept=True, sample_weight=sw, standardize=True, n_alphas=5,
                          precompute=precompute)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.15 * dense_bytes, f"peak {peak / 1e6:.1f} MB for a {dense_bytes / 1e6:.0f} MB dense X"


@pytest.mark.parametrize("weighted", [False, True])
def test_statistics_of_sparse_X(oracle, weighted):
    X, y = sparse_regression(90, 20, seed=417)
    sw = np.random.default_rng(418).uniform(0.2, 2.0, 90) if weighted else None
    stats = fastreg.SufficientStats.from_arrays(X, y, sw)
    dense = fastreg.SufficientStats.from_arrays(X.toarray(), y, sw)
    for got, ref in zip(stats.centered(), dense.centered()):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-9)
    for got, ref in zip(stats.raw(), dense.raw()):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-9)
    # blocks combine, and the path from them is the path from X
    first = fastreg.SufficientStats.from_arrays(X[:40], y[:40], None if sw is None else sw[:40])
    rest = fastreg.SufficientStats.from_arrays(X[40:], y[40:], None if sw is None else sw[40:],
                                               shift=first.shift)
    from_stats = fastreg.enet_path_from_stats(first + rest, l1_ratio=0.8, n_alphas=6, tol=1e-11)
    from_X = fastreg.enet_path(X, y, l1_ratio=0.8, n_alphas=6, tol=1e-11, fit_intercept=True, sample_weight=sw)
    np.testing.assert_allclose(from_stats.coefs, from_X.coefs, rtol=1e-6, atol=1e-8)
    # any shift is accepted (the shifted columns are stored in full) and gives the same centered sums
    about_dense = fastreg.SufficientStats.from_arrays(X, y, sw, shift=dense.shift)
    np.testing.assert_array_equal(about_dense.x_shift, dense.x_shift)
    for got, ref in zip(about_dense.centered(), dense.centered()):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-9)


def test_column_scales_never_copy_the_values():
    # standardization and penalty factors scale sparse columns on the fly; only weights copy the values
    from fastreg._design import penalize, sparse_design

    X, y = sparse_regression(50, 10, seed=419)
    # (column 4 is stored in every row with a constant value: it is stored shifted, see
    # test_far_off_center_columns_are_stored_shifted; without it nothing is far off center)
    assert not np.shares_memory(sparse_design(X, y, None, True, False).Xt.data, X.data)
    X = X.tolil()
    X[:, 4] = 0.0
    X = X.tocsc()
    X.eliminate_zeros()
    design = sparse_design(X, y, None, fit_intercept=True, standardize=True)
    design = penalize(design, np.linspace(0.5, 2.0, 10), None, None)
    assert np.shares_memory(design.Xt.data, X.data)
    assert design.col_factor.size == 10
    weighted = sparse_design(X, y, np.linspace(1.0, 2.0, 50), fit_intercept=True, standardize=True)
    assert not np.shares_memory(weighted.Xt.data, X.data)
    # and the scaled problem is the dense one's
    got = fastreg.enet_path(X, y, fit_intercept=True, standardize=True, penalty_factor=np.linspace(0.5, 2, 10),
                            n_alphas=5, tol=1e-11, precompute=False)
    ref = fastreg.enet_path(X.toarray(), y, fit_intercept=True, standardize=True,
                            penalty_factor=np.linspace(0.5, 2, 10), n_alphas=5, tol=1e-11, precompute=False)
    np.testing.assert_allclose(got.coefs, ref.coefs, rtol=1e-7, atol=1e-9)

"""Out-of-core statistics (`fastreg._chunks`): from_chunks, from_rows, from_parquet, from_csv equal the
statistics of the arrays in memory, and paths from them equal enet_path's on the data."""
import sys
import tracemalloc

import numpy as np
import pytest
from scipy import sparse

import fastreg
from fastreg import SufficientStats

RTOL = 1e-12


def _data(n=1200, p=8, k=None, seed=0, offset=5.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + offset * np.arange(1, p + 1)
    X[rng.random((n, p)) < 0.6] = 0.0  # (zeros for the sparse chunks)
    coef = rng.standard_normal((p,) if k is None else (p, k))
    noise = rng.standard_normal(n if k is None else (n, k))
    y = X @ coef + 3.0 + noise
    w = rng.uniform(0.2, 2.0, n)
    return X, y, w


def _blocks(n, sizes):
    """Row slices covering range(n) with the given sizes, repeated cyclically."""
    out, start, i = [], 0, 0
    while start < n:
        stop = min(n, start + sizes[i % len(sizes)])
        out.append(slice(start, stop))
        start, i = stop, i + 1
    return out


def _assert_same_centered(got, want, rtol=RTOL, columns=None):
    """Centered statistics (G, Xty, yty, means) equal, relative to each quantity's largest entry;
    `columns`: compare target k of a 2-D `got` with the 1-D `want`."""
    G, Xty, yty, mx, my = got.centered()
    if columns is not None:
        Xty, yty, my = Xty[:, columns], yty[columns], my[columns]
    G0, Xty0, yty0, mx0, my0 = want.centered()
    np.testing.assert_allclose(G, G0, rtol=0, atol=rtol * np.abs(G0).max())
    np.testing.assert_allclose(Xty, Xty0, rtol=0, atol=rtol * np.abs(Xty0).max())
    assert yty == pytest.approx(yty0, rel=rtol)
    np.testing.assert_allclose(mx, mx0, rtol=0, atol=rtol * np.abs(mx0).max())
    assert my == pytest.approx(my0, rel=rtol, abs=rtol)
    assert got.n_rows == want.n_rows
    assert got.weight_sum == pytest.approx(want.weight_sum, rel=1e-14)


# ------------------------------------------------------------------------------------------------
# from_chunks


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("two_d", [False, True], ids=["y1d", "y2d"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("is_sparse", [False, True], ids=["dense", "sparse"])
def test_from_chunks_equals_from_arrays(dtype, two_d, weighted, is_sparse):
    X, y, w = _data(k=3 if two_d else None)
    Xd, yd = X.astype(dtype), y.astype(dtype)
    wd = w.astype(dtype) if weighted else None
    chunks = []
    for rows in _blocks(len(y), [250, 97, 400]):
        Xc = sparse.csr_matrix(Xd[rows]) if is_sparse else Xd[rows]
        chunks.append((Xc, yd[rows]) if wd is None else (Xc, yd[rows], wd[rows]))
    stats = SufficientStats.from_chunks(iter(chunks))
    assert stats.dtype == np.float64 and stats.feature_names is None
    assert stats.Xty.shape == ((8, 3) if two_d else (8,))
    # the reference: float64 statistics of the same (rounded) values, all rows at once
    X64, y64 = Xd.astype(np.float64), yd.astype(np.float64)
    w64 = None if wd is None else wd.astype(np.float64)
    for k in range(3) if two_d else [None]:
        want = SufficientStats.from_arrays(X64, y64 if k is None else y64[:, k], w64)
        _assert_same_centered(stats, want, columns=k)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_path_from_chunks_equals_enet_path(fit_intercept, standardize, weighted):
    X, y, w = _data(n=700, p=10, seed=1)
    sw = w if weighted else None
    chunks = [(X[r], y[r]) if sw is None else (X[r], y[r], sw[r]) for r in _blocks(len(y), [128, 33, 200, 1])]
    stats = SufficientStats.from_chunks(chunks)
    kw = dict(l1_ratio=0.7, n_alphas=12, tol=1e-13, max_iter=100_000, fit_intercept=fit_intercept,
              standardize=standardize)
    ours = fastreg.enet_path_from_stats(stats, **kw)
    data = fastreg.enet_path(X, y, sample_weight=sw, **kw)
    np.testing.assert_allclose(ours.alphas, data.alphas, rtol=1e-12)
    scale = np.abs(data.coefs).max()
    assert scale > 0
    np.testing.assert_allclose(ours.coefs, data.coefs, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(ours.intercepts, data.intercepts, rtol=0,
                               atol=1e-10 * max(1.0, np.abs(data.intercepts).max()))


def test_chunk_order_and_sizes_do_not_matter():
    X, y, w = _data(n=900, p=6, seed=2)
    whole = SufficientStats.from_arrays(X, y, w)
    rng = np.random.default_rng(3)
    order = rng.permutation(len(y))
    # one-row chunks, then uneven ones, over shuffled rows; and sparse chunks in another order
    sizes = [1] * 40 + [7, 300, 2, 61, 1, 129]
    shuffled = [(X[order[r]], y[order[r]], w[order[r]]) for r in _blocks(len(y), sizes)]
    reverse = [(sparse.csc_matrix(X[r]), y[r], w[r]) for r in reversed(_blocks(len(y), [1, 5, 80]))]
    single_rows = [(X[i:i + 1], y[i:i + 1], w[i:i + 1]) for i in range(len(y))]
    paths = []
    for chunks in (shuffled, reverse, single_rows):
        stats = SufficientStats.from_chunks(chunks)
        _assert_same_centered(stats, whole)
        paths.append(fastreg.enet_path_from_stats(stats, n_alphas=8, tol=1e-13, fit_intercept=True))
    for other in paths[1:]:
        np.testing.assert_allclose(other.coefs, paths[0].coefs, rtol=0, atol=1e-10 * np.abs(paths[0].coefs).max())
        np.testing.assert_allclose(other.intercepts, paths[0].intercepts, rtol=0, atol=1e-9)


def test_sorted_data_with_a_drifting_column_stays_accurate():
    """A timestamp 1e9 + i, sorted: every chunk's mean differs from the next's; merging about the rows'
    means keeps the centered sums exact where sums about the origin lose 9 digits."""
    rng = np.random.default_rng(4)
    n, p = 60_000, 4
    X = rng.standard_normal((n, p))
    X[:, 0] = 1e9 + np.arange(n)
    X[:, 2] += 1e-4 * np.arange(n)  # a slow drift of another column
    y = 2e-4 * (X[:, 0] - 1e9) + X[:, 1] - X[:, 3] + rng.standard_normal(n)
    stats = SufficientStats.from_chunks((X[r], y[r]) for r in _blocks(n, [1000, 777]))
    # exact reference: two passes, centering first
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    G_ref, Xty_ref = Xc.T @ Xc, Xc.T @ yc
    G, Xty, yty, mx, my = stats.centered()
    scale = np.sqrt(np.outer(np.diag(G_ref), np.diag(G_ref)))
    assert np.abs(G - G_ref).max() / scale.max() < 1e-12
    assert np.all(np.abs(G - G_ref) <= 1e-12 * scale)
    assert np.all(np.abs(Xty - Xty_ref) <= 1e-12 * np.sqrt(np.diag(G_ref) * (yc @ yc)))
    assert yty == pytest.approx(yc @ yc, rel=1e-12)
    # (the test can fail: the textbook X^T X - n mean mean^T is far off here)
    naive = X.T @ X - n * np.outer(X.mean(0), X.mean(0))
    assert np.abs(naive[0, 0] - G_ref[0, 0]) > 1e-8 * G_ref[0, 0]
    ours = fastreg.enet_path_from_stats(stats, n_alphas=8, tol=1e-13, fit_intercept=True, standardize=True)
    data = fastreg.enet_path(X, y, n_alphas=8, tol=1e-13, fit_intercept=True, standardize=True)
    np.testing.assert_allclose(ours.coefs, data.coefs, rtol=0, atol=1e-10 * np.abs(data.coefs).max())
    np.testing.assert_allclose(ours.intercepts, data.intercepts, rtol=0, atol=1e-10 * np.abs(data.intercepts).max())


def test_chunks_combine_as_a_balanced_tree(monkeypatch):
    """After k blocks, one partial sum per set bit of k is alive (memory O(p^2 log k)), and rounding
    grows like log(blocks): 4096 one-row blocks far off center stay within eps, where adding each
    block to one running total (4096 merges deep) loses over 100 times more (3e-15 here)."""
    from fastreg import _chunks

    if np.finfo(np.longdouble).eps > 1e-18:
        pytest.skip("the exact reference needs extended precision (np.longdouble)")
    rng = np.random.default_rng(13)
    n = 4096
    X = rng.standard_normal((n, 3)) * [1.0, 1e-3, 10.0] + [1e6, 1e3, 0.0]
    y = X @ [1e-6, 1.0, 0.1] + rng.standard_normal(n)
    alive = []
    push = _chunks._BalancedSum.push

    def recording(self, stats):
        push(self, stats)
        alive.append(len(self.stack))

    monkeypatch.setattr(_chunks._BalancedSum, "push", recording)
    stats = SufficientStats.from_chunks((X[i:i + 1], y[i:i + 1]) for i in range(n))
    assert alive == [bin(k).count("1") for k in range(1, n + 1)]
    Xc = X.astype(np.longdouble) - X.astype(np.longdouble).mean(axis=0)
    G_ref = (Xc.T @ Xc).astype(np.float64)
    error = np.abs(stats.centered()[0] - G_ref) / np.sqrt(np.outer(np.diag(G_ref), np.diag(G_ref)))
    assert error.max() < 5e-16


def test_zero_weight_chunks_and_float32_statistics():
    X, y, w = _data(n=600, p=5, seed=5)
    w[200:300] = 0.0  # a whole chunk of weight 0: its rows count, without weight
    stats = SufficientStats.from_chunks((X[r], y[r], w[r]) for r in _blocks(600, [100]))
    _assert_same_centered(stats, SufficientStats.from_arrays(X, y, w))
    # float32 statistics: the float64 sums rounded once, like from_arrays' of float32 data
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    s32 = SufficientStats.from_chunks([(X32[:250], y32[:250]), (X32[250:], y32[250:])], dtype=np.float32)
    assert s32.dtype == np.float32 and s32.x_shift.dtype == np.float32
    _assert_same_centered(s32, SufficientStats.from_arrays(X32.astype(np.float64), y32.astype(np.float64)),
                          rtol=1e-6)
    path = fastreg.enet_path_from_stats(s32, n_alphas=5)
    assert path.coefs.dtype == np.float32
    with pytest.raises(ValueError, match="dtype"):
        SufficientStats.from_chunks([(X, y)], dtype=np.int64)


def test_from_chunks_bad_input():
    X, y, w = _data(n=40, p=3, seed=6)
    with pytest.raises(ValueError, match="no chunks"):
        SufficientStats.from_chunks([])
    with pytest.raises(ValueError, match="no chunks"):
        SufficientStats.from_chunks(iter(()))
    with pytest.raises(ValueError, match=r"chunk 2 has X of shape \(10, 4\), but chunk 0 had X of shape \(10, 3\)"):
        SufficientStats.from_chunks([(X[:10], y[:10]), (X[10:20], y[10:20]),
                                     (np.ones((10, 4)), y[20:30])])
    with pytest.raises(ValueError, match=r"chunk 1 has y of shape \(20, 2\), but chunk 0 had y of shape \(20,\)"):
        SufficientStats.from_chunks([(X[:20], y[:20]), (X[20:], np.ones((20, 2)))])
    with pytest.raises(ValueError, match=r"chunk 1 \(rows 20 to 39\).*X has 20 rows, y has 19"):
        SufficientStats.from_chunks([(X[:20], y[:20]), (X[20:], y[20:39])])
    with pytest.raises(TypeError, match="chunk 0 is a ndarray, not an"):
        SufficientStats.from_chunks((X, y))  # one tuple instead of an iterable of them
    with pytest.raises(ValueError, match="chunk 1 is a tuple of 4 items"):
        SufficientStats.from_chunks([(X, y), (X, y, w, w)])
    bad = X.copy()
    bad[25, 1] = np.nan
    with pytest.raises(ValueError, match=r"chunk 1 \(rows 20 to 39\).*NaN"):
        SufficientStats.from_chunks([(bad[:20], y[:20]), (bad[20:], y[20:])])
    with pytest.raises(ValueError, match=r"chunk 1 \(rows 20 to 39\).*negative"):
        SufficientStats.from_chunks([(X[:20], y[:20], w[:20]), (X[20:], y[20:], -w[20:])])

    class ReadError(Exception):
        pass

    error = ReadError("disk gone")

    def failing():
        yield X[:20], y[:20]
        raise error

    with pytest.raises(ReadError) as caught:
        SufficientStats.from_chunks(failing())
    assert caught.value is error


def test_feature_names_kept_by_combinations():
    X, y, _ = _data(n=300, p=3, seed=7)
    names = np.asarray(["a", "b", "c"], dtype=object)
    a = SufficientStats.from_chunks([(X[:150], y[:150])])
    b = SufficientStats.from_chunks([(X[150:], y[150:])])
    a.feature_names, b.feature_names = names, names.copy()
    merged = a.merge(b)
    assert list(merged.feature_names) == ["a", "b", "c"]
    assert list(a.about(np.zeros(3), 0.0).feature_names) == ["a", "b", "c"]
    b0 = b.about(*a.shift)
    assert list((a + b0).feature_names) == ["a", "b", "c"]
    assert list(((a + b0) - b0).feature_names) == ["a", "b", "c"]
    unnamed = SufficientStats.from_arrays(X[150:], y[150:], shift=a.shift)
    assert (a + unnamed).feature_names is None
    b.feature_names = np.asarray(["a", "c", "b"], dtype=object)
    with pytest.raises(ValueError, match="feature 1 is 'b' in one and 'c' in the other"):
        a.merge(b)
    with pytest.raises(ValueError, match="different columns"):
        a + b.about(*a.shift)


# ------------------------------------------------------------------------------------------------
# from_rows


class RowSliced:
    """A minimal row-sliceable array (like zarr or h5py): X[a:b] returns a fresh array; records reads."""

    def __init__(self, a):
        self.a, self.shape, self.reads = a, a.shape, []

    def __getitem__(self, key):
        assert isinstance(key, slice)
        self.reads.append(len(range(*key.indices(self.shape[0]))))
        return np.array(self.a[key])


def test_from_rows_memmap_memory_is_one_block(tmp_path):
    n, p, block = 400_000, 50, 4096
    X = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=np.float64, shape=(n, p))
    rng = np.random.default_rng(8)
    coef = rng.standard_normal(p)
    y = np.empty(n)
    for start in range(0, n, 50_000):
        rows = slice(start, start + 50_000)
        X[rows] = rng.standard_normal((50_000, p)) + 10.0
        y[rows] = X[rows] @ coef + rng.standard_normal(50_000)
    X.flush()
    del X
    X = np.load(tmp_path / "X.npy", mmap_mode="r")
    tracemalloc.start()
    try:
        stats = SufficientStats.from_rows(X, y, block_rows=block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    bound = 8 * (p * p + block * p) * 8
    print(f"from_rows peak {peak / 2**20:.2f} MiB, bound {bound / 2**20:.2f} MiB, file {X.nbytes / 2**20:.0f} MiB")
    assert peak < bound < X.nbytes / 10
    _assert_same_centered(stats, SufficientStats.from_arrays(X, y))


def test_from_rows_reads_blocks_of_any_row_sliceable_array():
    X, y, w = _data(n=5000, p=4, seed=9)
    Xr, yr, wr = RowSliced(X), RowSliced(y), RowSliced(w)
    stats = SufficientStats.from_rows(Xr, yr, wr, block_rows=1024)
    assert Xr.reads == [1024] * 4 + [904] and yr.reads == Xr.reads and wr.reads == Xr.reads
    _assert_same_centered(stats, SufficientStats.from_arrays(X, y, w))
    Xr.reads.clear()
    SufficientStats.from_rows(Xr, y)  # default: 64 MiB of float64 per block, at least 1024 rows
    assert Xr.reads == [5000]
    # sparse X, a scalar weight, a 2-D y, a DataFrame (its names kept)
    pd = pytest.importorskip("pandas")
    Y = np.column_stack([y, -y])
    stats = SufficientStats.from_rows(sparse.csc_matrix(X), Y, 2.0, block_rows=999)
    _assert_same_centered(stats, SufficientStats.from_arrays(X, y, np.full(len(y), 2.0)), columns=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"], index=np.arange(len(y))[::-1] * 10)
    stats = SufficientStats.from_rows(frame, pd.Series(y, index=frame.index), block_rows=700)
    assert list(stats.feature_names) == ["a", "b", "c", "d"]
    _assert_same_centered(stats, SufficientStats.from_arrays(X, y))
    with pytest.raises(ValueError, match="X has 5000 rows but y has 4999"):
        SufficientStats.from_rows(Xr, y[:-1])
    with pytest.raises(ValueError, match="2-D"):
        SufficientStats.from_rows(y, y)
    bad = X.copy()
    bad[3000, 0] = np.inf
    with pytest.raises(ValueError, match=r"block 2 \(rows 2048 to 3071\).*infinity"):
        SufficientStats.from_rows(bad, y, block_rows=1024)


def test_from_rows_h5py(tmp_path):
    h5py = pytest.importorskip("h5py")
    n, p, block = 200_000, 20, 2048
    rng = np.random.default_rng(10)
    X = rng.standard_normal((n, p)) - 100.0
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    w = rng.uniform(0.5, 1.5, n)
    with h5py.File(tmp_path / "data.h5", "w") as f:
        f["X"], f["y"], f["w"] = X, y, w
    want = SufficientStats.from_arrays(X, y, w)
    del X
    with h5py.File(tmp_path / "data.h5", "r") as f:
        tracemalloc.start()
        try:
            stats = SufficientStats.from_rows(f["X"], f["y"], f["w"], block_rows=block)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # each block is read into memory here (unlike a memmap): still one block at a time
    assert peak < 8 * (p * p + block * p) * 8 < n * p * 8 / 10
    _assert_same_centered(stats, want)


def test_from_rows_zarr(tmp_path):
    zarr = pytest.importorskip("zarr")
    X, y, _ = _data(n=6000, p=5, seed=11)
    z = zarr.open_array(str(tmp_path / "X.zarr"), mode="w", shape=X.shape, chunks=(1000, 5), dtype="f8")
    z[:] = X
    zy = zarr.open_array(str(tmp_path / "y.zarr"), mode="w", shape=y.shape, chunks=(1000,), dtype="f8")
    zy[:] = y
    stats = SufficientStats.from_rows(z, zy, block_rows=1500)
    _assert_same_centered(stats, SufficientStats.from_arrays(X, y))


# ------------------------------------------------------------------------------------------------
# from_parquet, from_csv


def _frame(n=1000, seed=12):
    pd = pytest.importorskip("pandas")
    X, y, w = _data(n=n, p=5, seed=seed)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(5)])
    frame.insert(2, "city", np.where(np.arange(n) % 3 == 0, "Oslo", "Lima"))
    frame["count"] = np.arange(n) % 7  # integers are numeric
    frame["target"] = y
    frame["w"] = w
    features = ["x0", "x1", "x2", "x3", "x4", "count"]
    return frame, frame[features].to_numpy(dtype=np.float64), y, w, features


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_files_equal_from_arrays(tmp_path, fmt):
    frame, X, y, w, features = _frame()
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
        path = tmp_path / "data.parquet"
        frame.to_parquet(path, row_group_size=400)

        def read(**kw):
            return SufficientStats.from_parquet(path, "target", batch_size=300, **kw)
    else:
        path = tmp_path / "data.csv"
        frame.to_csv(path, index=False)

        def read(**kw):
            return SufficientStats.from_csv(path, "target", chunksize=300, **kw)
    stats = read(sample_weight="w")
    assert list(stats.feature_names) == features  # 'city' (text) left out
    _assert_same_centered(stats, SufficientStats.from_arrays(X, y, w))
    chosen = read(columns=["x3", "x1"])
    assert list(chosen.feature_names) == ["x3", "x1"]
    _assert_same_centered(chosen, SufficientStats.from_arrays(X[:, [3, 1]], y))
    both = read(sample_weight="w", columns=features)
    path_ = fastreg.enet_path_from_stats(both, n_alphas=6, tol=1e-13, fit_intercept=True)
    data = fastreg.enet_path(X, y, sample_weight=w, n_alphas=6, tol=1e-13, fit_intercept=True)
    np.testing.assert_allclose(path_.coefs, data.coefs, rtol=0, atol=1e-10 * np.abs(data.coefs).max())


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_file_errors(tmp_path, fmt):
    frame, *_ = _frame()
    frame.loc[650, "x2"] = np.nan  # in the 3rd batch of 300 rows
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
        path = tmp_path / "data.parquet"
        frame.to_parquet(path)
        read, what = (lambda *a, **kw: SufficientStats.from_parquet(path, *a, batch_size=300, **kw)), "batch"
    else:
        path = tmp_path / "data.csv"
        frame.to_csv(path, index=False)
        read, what = (lambda *a, **kw: SufficientStats.from_csv(path, *a, chunksize=300, **kw)), "chunk"
    with pytest.raises(ValueError, match=r"target column 'price' not found; the file's columns are 'x0', 'x1', "
                                         r"'city', .*'target', 'w'"):
        read("price")
    with pytest.raises(ValueError, match=r"non-numeric feature column\(s\) 'city'"):
        read("target", columns=["x0", "city"])
    with pytest.raises(ValueError, match=r"feature column\(s\) 'x9' not found"):
        read("target", columns=["x0", "x9"])
    with pytest.raises(ValueError, match=rf"{what} 2 \(rows 600 to 899\).*NaN.*column\(s\) 'x2'"):
        read("target")
    # without the NaN column, the same file reads
    assert read("target", columns=["x0", "x1"]).n_rows == 1000


def test_csv_text_in_a_later_chunk(tmp_path):
    frame, *_ = _frame()
    frame["x4"] = frame["x4"].astype(object)
    frame.loc[700, "x4"] = "n/a?"
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"chunk 2 \(rows 600 to 899\): column\(s\) 'x4'.*not numeric"):
        SufficientStats.from_csv(path, "target", columns=["x0", "x4"], chunksize=300)


def test_readers_say_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r'pip install "fastreg\[dask\]"'):
        SufficientStats.from_parquet(tmp_path / "none.parquet", "y")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        SufficientStats.from_csv(tmp_path / "none.csv", "y")

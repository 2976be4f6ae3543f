"""The kernels' entry points (src/): option dicts, the column tuples and the Gram kernel's Newton workspace."""
import numpy as np
import pytest

from fastreg._cd_gram import NewtonWorkspace, enet_cd_gram
from fastreg._cd_residual import enet_cd_dense, enet_cd_sparse

GRAM_OPTIONS = dict(max_iter=1000, tol=1e-12, seed=1, random=False, positive=False, screening=True, newton=True)
RESIDUAL_OPTIONS = dict(max_iter=1000, tol=1e-12, tol_step=1e-8, gap_every=10, seed=1, random=False,
                        positive=False, screening=True, anderson=5)


def _problem(n=120, p=10, seed=0):
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    return X, y, np.ascontiguousarray(X.T @ X), X.T @ y, float(y @ y)


def _gram(G, Xty, yty, l1, workspace, **options):
    w, q = np.zeros(G.shape[0]), Xty.copy()
    out = enet_cd_gram(w, l1, 0.0, G, Xty, yty, q, dict(GRAM_OPTIONS, **options), workspace)
    return out, w


def test_gram_workspace_keeps_the_factor_and_grows_keeping_it():
    X, y, G, Xty, yty = _problem()
    l1 = 0.05 * np.abs(Xty).max()
    (gap, _, status), w_fresh = _gram(G, Xty, yty, l1, None)
    ws = NewtonWorkspace(G.shape[0], np.float64)
    assert (ws.n_factored, ws.factor_l2, ws.capacity) == (0, -1.0, G.shape[0])
    (gap_ws, _, _), w_ws = _gram(G, Xty, yty, l1, ws)
    assert status == 0 and gap_ws == gap
    np.testing.assert_array_equal(w_ws, w_fresh)
    k = ws.n_factored
    assert k == np.count_nonzero(w_ws) and ws.factor_l2 == 0.0
    U, order = ws.U[:k, :k].copy(), ws.order[:k].copy()
    factor = np.triu(U)  # (below the diagonal: scratch)
    np.testing.assert_allclose(factor.T @ factor, G[np.ix_(order, order)], rtol=1e-10, atol=1e-10)
    ws.reserve(k)  # room enough: nothing changes
    assert ws.capacity == G.shape[0]
    ws.reserve(G.shape[0] + 1)  # doubles, keeping the factor
    assert ws.capacity == 2 * G.shape[0] and ws.n_factored == k
    np.testing.assert_array_equal(ws.U[:k, :k], U)
    np.testing.assert_array_equal(ws.order[:k], order)


def test_gram_workspace_is_checked():
    X, y, G, Xty, yty = _problem()
    with pytest.raises(ValueError, match="room"):
        _gram(G, Xty, yty, 1.0, NewtonWorkspace(G.shape[0] - 1, np.float64))
    with pytest.raises(ValueError, match="dtype mismatch"):
        _gram(G, Xty, yty, 1.0, NewtonWorkspace(G.shape[0], np.float32))
    with pytest.raises(TypeError):
        NewtonWorkspace(3, np.int64)
    with pytest.raises(AttributeError):
        NewtonWorkspace(3, np.float64).n_factored = 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("screening", [True, False])
def test_gram_kernel_on_a_leading_block_equals_it_on_a_copy(dtype, screening):
    # the working-set solver's G_MM is the leading block of a larger C array (rows G.strides[0] bytes
    # apart): the kernel must step along rows by that stride, in the updates of q and in screening
    X, y, G, Xty, yty = _problem(n=200, p=30, seed=4)
    G, Xty, yty = G.astype(dtype), Xty.astype(dtype), dtype(yty)
    big = np.full((45, 41), np.nan, dtype=dtype)  # (NaN around the block: a read outside it shows)
    big[:30, :30] = G
    l1 = dtype(0.02 * np.abs(Xty).max())
    runs = []
    for matrix in (G, big[:30, :30]):
        w, q = np.zeros(30, dtype=dtype), Xty.copy()
        out = enet_cd_gram(w, l1, dtype(0.0), matrix, Xty, yty, q, dict(GRAM_OPTIONS, screening=screening,
                                                                      tol=1e-5 * float(yty)), NewtonWorkspace(30, dtype))
        runs.append((out, w, q))
    (out_c, w_c, q_c), (out_b, w_b, q_b) = runs
    assert out_c[2] == 0 and out_b == out_c and np.count_nonzero(w_c) > 3
    np.testing.assert_array_equal(w_b, w_c)
    np.testing.assert_array_equal(q_b, q_c)
    # rows that are not contiguous, or overlap, are refused
    for bad in (np.asfortranarray(G), big[:30, :60:2][:, :30], np.lib.stride_tricks.as_strided(
            big, (30, 30), (dtype(0).itemsize * 10, dtype(0).itemsize))):
        with pytest.raises(ValueError, match="contiguous rows"):
            enet_cd_gram(np.zeros(30, dtype=dtype), l1, dtype(0.0), bad, Xty, yty, Xty.copy(),
                         GRAM_OPTIONS, NewtonWorkspace(30, dtype))


@pytest.mark.parametrize("kernel", ["gram", "dense", "sparse"])
def test_every_option_is_required(kernel):
    from scipy import sparse

    X, y, G, Xty, yty = _problem()
    options = GRAM_OPTIONS if kernel == "gram" else RESIDUAL_OPTIONS
    for missing in options:
        partial = {k: v for k, v in options.items() if k != missing}
        with pytest.raises(ValueError, match=f"'{missing}'"):
            if kernel == "gram":
                enet_cd_gram(np.zeros(10), 1.0, 0.0, G, Xty, yty, Xty.copy(), partial)
            elif kernel == "dense":
                enet_cd_dense(np.zeros(10), 1.0, 0.0, (X,), y, y.copy(), (X * X).sum(0), partial)
            else:
                Xs = sparse.csc_matrix(X)
                columns = (Xs.data, Xs.indices, Xs.indptr.astype(np.int64), np.empty(0), np.empty(0), np.empty(0),
                           float(X.shape[0]))
                enet_cd_sparse(np.zeros(10), 1.0, 0.0, columns, y, y.copy(), (X * X).sum(0), partial)


def test_dense_and_sparse_columns_give_the_same_solution():
    from scipy import sparse

    X, y, *_ = _problem()
    l1 = 0.05 * np.abs(X.T @ y).max()
    norm2 = (X * X).sum(0)
    w_dense, w_sparse = np.zeros(10), np.zeros(10)
    gap, _, status = enet_cd_dense(w_dense, l1, 0.0, (X,), y, y.copy(), norm2, RESIDUAL_OPTIONS)
    assert status == 0
    Xs = sparse.csc_matrix(X)
    columns = (Xs.data, Xs.indices, Xs.indptr.astype(np.int64), np.empty(0), np.empty(0), np.empty(0), float(len(y)))
    assert enet_cd_sparse(w_sparse, l1, 0.0, columns, y, y.copy(), norm2, RESIDUAL_OPTIONS)[2] == 0
    np.testing.assert_allclose(w_sparse, w_dense, atol=1e-8)
    with pytest.raises(TypeError):
        enet_cd_dense(np.zeros(10), l1, 0.0, X, y, y.copy(), norm2, RESIDUAL_OPTIONS)  # columns are a tuple
    with pytest.raises(ValueError, match="sparse columns"):
        enet_cd_sparse(np.zeros(10), l1, 0.0, columns[:6], y, y.copy(), norm2, RESIDUAL_OPTIONS)


# ----------------------------------------------------------------------------- the IRLS helpers (_irls.pyx)


def _weighted_problem(seed=3, n=150, p=12):
    from scipy import sparse

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.uniform(-2, 3, p)  # columns off center: the centering matters
    X[rng.random((n, p)) < 0.6] = 0.0
    z = X[:, :4] @ rng.standard_normal(4) + rng.standard_normal(n) + 1.5
    v = rng.uniform(0.05, 1.0, n)
    return sparse.csc_matrix(X), X, z, v


def _csc_args(Xs):
    return Xs.data, Xs.indices.astype(np.intc), Xs.indptr.astype(np.int64)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_weighted_cd_sparse_solves_the_weighted_elastic_net(fit_intercept):
    """1/2 sum v (z - X w - b)^2 + l1 |w| + l2/2 |w|^2 is scikit-learn's weighted ElasticNet times sum(v)."""
    from sklearn.linear_model import ElasticNet
    from fastreg._irls import weighted_cd_sparse

    Xs, X, z, v = _weighted_problem()
    alpha, l1_ratio, V = 0.05, 0.7, v.sum()
    ref = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-14,
                     max_iter=100_000).fit(X, z, sample_weight=v)
    w, b0 = np.zeros(X.shape[1]), (0.3 if fit_intercept else 0.0)  # (no intercept: r is v (z - X w))
    r = v * (z - X @ w - b0)
    deta = np.empty(len(z))
    empty = np.empty(0)
    b, epochs = weighted_cd_sparse(*_csc_args(Xs), np.arange(X.shape[1], dtype=np.intc), w, b0, v, r,
                                   alpha * l1_ratio * V, alpha * (1 - l1_ratio) * V, empty, empty, empty,
                                   fit_intercept, 100_000, 1e-15, deta)
    assert 0 < epochs < 100_000
    np.testing.assert_allclose(w, ref.coef_, atol=1e-9)
    assert b == pytest.approx(ref.intercept_ if fit_intercept else 0.0, abs=1e-9)
    # the weighted residual and the move of the linear predictor are those of the solution
    np.testing.assert_allclose(r, v * (z - X @ w - b), atol=1e-12)
    np.testing.assert_allclose(deta, X @ w + b - (b0 if fit_intercept else 0.0), atol=1e-12)


def test_weighted_cd_sparse_subset_factors_and_boxes():
    """Only `cols` move; factors scale both penalties; boxes hold and the optimality conditions of the
    box-constrained problem hold at the solution."""
    from fastreg._irls import weighted_cd_sparse

    Xs, X, z, v = _weighted_problem(seed=4)
    p = X.shape[1]
    cols = np.array([0, 2, 3, 5, 6, 9, 11], dtype=np.intc)
    factor = np.linspace(0.0, 2.0, p)  # feature 0 unpenalized
    lower = np.full(p, -0.2)
    upper = np.full(p, 0.5)
    lower[0], upper[0] = -np.inf, np.inf
    w = np.zeros(p)
    w[1] = 0.7  # outside cols: fixed
    b0 = 0.0
    r = v * (z - X @ w - b0)
    deta = np.empty(len(z))
    l1, l2 = 2.0, 0.5
    b, _ = weighted_cd_sparse(*_csc_args(Xs), cols, w, b0, v, r, l1, l2, factor, lower, upper, True, 100_000,
                              1e-15, deta)
    assert w[1] == 0.7 and (w[np.setdiff1d(np.arange(p), cols)][1:] == 0).all()
    assert (w[cols] >= lower[cols]).all() and (w[cols] <= upper[cols]).all()
    # KKT at the solution, coordinate by coordinate: g = X^T r (sum r = 0 with the intercept)
    assert abs(r.sum()) < 1e-10
    g = X.T @ r - l2 * factor * w
    for j in cols:
        a = l1 * factor[j]
        if lower[j] < w[j] < upper[j]:
            target = a * np.sign(w[j]) if w[j] != 0 else None
            if target is None:
                assert abs(g[j]) <= a + 1e-8, j
            else:
                assert g[j] == pytest.approx(target, abs=1e-8), j
        elif w[j] == upper[j]:
            assert g[j] >= a - 1e-8, j
        else:
            assert g[j] <= -a + 1e-8, j


def _large_support_path(dtype, seed):
    """A correlated 400 x 40 problem whose supports pass half the features (the Newton steps' q_F is then
    taken from their own equation, `_apply_full_step`), on a path of 25 penalties."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((400, 40))
    X = np.asfortranarray(Z + 0.8 * np.roll(Z, 1, axis=1))
    y = X @ rng.uniform(-1, 1, 40) + 0.5 * rng.standard_normal(400)
    G = np.ascontiguousarray(X.T @ X).astype(dtype)
    Xty, yty = (X.T @ y).astype(dtype), dtype(y @ y)
    l1s = np.geomspace(np.abs(Xty).max(), 1e-4 * np.abs(Xty).max(), 25).astype(dtype)
    return G, Xty, yty, l1s


def _exact_q_and_gap(G, Xty, yty, w, l1):
    from fastreg._cd_gram import enet_gap_gram

    q = (Xty.astype(np.float64) - G.astype(np.float64) @ w.astype(np.float64))
    return q, enet_gap_gram(w.astype(np.float64), Xty.astype(np.float64), float(yty), q, float(l1), 0.0, False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gram_kernel_returns_q_exact_after_newton_steps_on_large_supports(dtype):
    # a full Newton step on more than half the features sets q_F from the step's equation (to the
    # factor's rounding): the kernel recomputes q before it ends a call, so every call returns
    # q = X^T y - G w and a gap that q certifies
    G, Xty, yty, l1s = _large_support_path(dtype, seed=7)
    eps = np.finfo(dtype).eps
    w, q, ws = np.zeros(40, dtype=dtype), Xty.copy(), NewtonWorkspace(40, dtype)
    tol = 1e-6 * float(yty) if dtype == np.float32 else 1e-12 * float(yty)
    largest = 0
    for l1 in l1s:
        gap, n_iter, status = enet_cd_gram(w, l1, dtype(0.0), G, Xty, yty, q, dict(GRAM_OPTIONS, tol=tol), ws)
        assert status == 0, (l1, gap, n_iter)
        q_ref, gap_ref = _exact_q_and_gap(G, Xty, yty, w, l1)
        scale = np.abs(Xty).astype(np.float64) + np.abs(G).astype(np.float64) @ np.abs(w).astype(np.float64)
        assert np.all(np.abs(q - q_ref) <= 64 * eps * scale)
        assert gap_ref <= tol + 64 * eps * float(yty)
        largest = max(largest, ws.n_factored)
    assert largest > 20 and np.count_nonzero(w) > 20  # the full steps on a large factor were taken


def test_gram_kernel_recovers_from_a_drifted_factor():
    # a factor that no longer factors G_FF exactly (as rounding from many updates would leave it): the
    # full step's q_F is off by (U^T U - G_FF) d, and the kernel must notice from q recomputed before it
    # certifies, then finish from there (the step's own equation no longer holds)
    G, Xty, yty, l1s = _large_support_path(np.float64, seed=11)
    w, q, ws = np.zeros(40), Xty.copy(), NewtonWorkspace(40, np.float64)
    tol = 1e-12 * float(yty)
    for l1 in l1s[:20]:
        assert enet_cd_gram(w, l1, 0.0, G, Xty, yty, q, dict(GRAM_OPTIONS, tol=tol), ws)[2] == 0
    k = ws.n_factored
    assert k > 20
    ws.U[:k, :k] *= 1 + 1e-4 * np.triu(np.ones((k, k)))  # (readonly attribute, writable array)
    for l1 in l1s[20:]:
        gap, n_iter, status = enet_cd_gram(w, l1, 0.0, G, Xty, yty, q, dict(GRAM_OPTIONS, tol=tol), ws)
        q_ref, gap_ref = _exact_q_and_gap(G, Xty, yty, w, l1)
        assert status == 0
        np.testing.assert_allclose(q, q_ref, rtol=0, atol=1e-10 * np.abs(Xty).max())
        assert gap_ref <= tol * (1 + 1e-6) and abs(gap - gap_ref) <= 1e-6 * tol + 1e-13 * float(yty)

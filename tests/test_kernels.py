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

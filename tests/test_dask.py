"""Dask: fits of dask arrays and dataframes from the statistics of their blocks (`fastreg._dask`).

The oracle is the in-memory fit of the same data: the statistics route (the Gram kernel, the same
one the in-memory fits take when n > p) on statistics summed block by block on the workers and merged
in a tree must give the coefficients of the in-memory statistics, to rounding. A test of an option
also checks that the option changes the answer, so that a route ignoring it would fail.
The schedulers: a cluster of two worker processes, a cluster of two threads (both through a
distributed Client) and, for a few tests, dask's threaded scheduler without a Client.
"""
import contextlib
import contextvars
import os
import signal
import time
import types
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import sparse

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import fastreg  # noqa: E402
from fastreg import (  # noqa: E402
    ElasticNet, ElasticNetCV, Lasso, LassoCV, LogisticRegression, LogisticRegressionCV, MultiTaskLasso, Ridge,
    RidgeCV, SufficientStats, cv_path, enet_path, lasso_path, logistic_path,
)

# a cluster that breaks can hang a test: CI stops it instead (pytest-timeout)
pytestmark = pytest.mark.timeout(120)

N, P = 6007, 20
CHUNKS = (1500, 1500, 1500, 1507)
UNEVEN = (1000, 3000, 17, 1, 0, 1989)  # a 17-row, a one-row and an empty block
RTOL = 1e-10  # coefficients of the two routes, relative to max |coef| (both solved to tol=1e-12)
TOL = 1e-12
SCHEDULERS = ("processes", "threads")  # the two distributed clusters
ALL_SCHEDULERS = SCHEDULERS + ("local-threads",)  # and dask's threaded scheduler, no Client


def on_workers(function):
    """`function` shipped to the workers by value: worker processes cannot import this module (importlib
    mode), and distributed pickles a function it can find by name by reference. The copy's name cannot
    be found, so cloudpickle sends its code (and that of the functions it calls, decorated too)."""
    copy = types.FunctionType(function.__code__, function.__globals__, function.__name__, function.__defaults__,
                              function.__closure__)
    copy.__qualname__ = f"on_workers.<locals>.{function.__name__}"
    return copy


def _cluster(processes):
    # (tcp for the threads too: the in-process transport takes no host; port 0: parallel runs do not collide)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=processes, host="127.0.0.1",
                                       protocol="tcp", dashboard_address=":0")
    return cluster, distributed.Client(cluster, set_as_default=False)


@pytest.fixture(scope="module")
def process_client():
    cluster, client = _cluster(processes=True)
    with cluster, client:
        yield client


@pytest.fixture(scope="module")
def thread_client():
    cluster, client = _cluster(processes=False)
    with cluster, client:
        yield client


@contextlib.contextmanager
def _scheduling(request, name):
    if name == "local-threads":
        with dask.config.set(scheduler="threads"):
            yield None
        return
    client = request.getfixturevalue("process_client" if name == "processes" else "thread_client")
    # (not dask.config.set(scheduler=client): a nanny restarting a worker pickles the config)
    with client.as_current():
        yield client


@pytest.fixture(params=SCHEDULERS)
def scheduler(request):
    """Each distributed cluster in turn, current for the test."""
    with _scheduling(request, request.param) as client:
        yield client


@pytest.fixture(params=ALL_SCHEDULERS)
def any_scheduler(request):
    """Both clusters and the threaded scheduler without a Client."""
    with _scheduling(request, request.param) as client:
        yield client


@pytest.fixture
def on_processes(request):
    """The cluster of worker processes, current for the test."""
    with _scheduling(request, "processes") as client:
        yield client


@pytest.fixture
def local_threads(request):
    with _scheduling(request, "local-threads"):
        yield


@pytest.fixture(scope="module")
def data():
    """A correlated design with column offsets and scales, an intercept, and weights (float64)."""
    rng = np.random.default_rng(17)
    idx = np.arange(P)
    cov = 0.6 ** np.abs(idx[:, None] - idx[None, :])
    X = rng.standard_normal((N, P)) @ np.linalg.cholesky(cov).T * rng.uniform(0.5, 3.0, P) + rng.uniform(-2, 2, P)
    w = np.zeros(P)
    w[rng.choice(P, 6, replace=False)] = rng.uniform(1.0, 3.0, 6) * rng.choice([-1.0, 1.0], 6)
    y = X @ w + 3.0 + 2.0 * rng.standard_normal(N)
    sw = rng.uniform(0.1, 3.0, N)
    return X, y, sw


def dask_of(a, chunks=CHUNKS):
    return da.from_array(a, chunks=(chunks,) + a.shape[1:])


def max_rel(got, want):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    return float(np.abs(got - want).max() / max(np.abs(want).max(), np.finfo(np.float64).tiny))


def assert_same_path(got, want, X, rtol=RTOL):
    """Same alphas, coefficients to rtol relative to max |coef|, intercepts to what that moves them
    (b = ybar - xbar^T w), same dtype and shape."""
    assert got.coefs.dtype == want.coefs.dtype and got.coefs.shape == want.coefs.shape
    np.testing.assert_allclose(got.alphas, want.alphas, rtol=max(rtol, 1e-13))
    assert max_rel(got.coefs, want.coefs) <= rtol, f"coefficients differ by {max_rel(got.coefs, want.coefs):.2e}"
    x_scale = np.abs(np.asarray(X.mean(axis=0), dtype=np.float64)).ravel()
    b_tol = rtol * (np.abs(want.intercepts).max() + x_scale @ np.abs(want.coefs).max(axis=-1) + 1.0)
    np.testing.assert_allclose(got.intercepts, want.intercepts, rtol=0, atol=b_tol)
    assert np.all(got.dual_gaps >= 0) and got.converged.all()


def assert_differs(a, b, what):
    """The option under test changes the answer (a route ignoring it would fail the equality)."""
    assert max_rel(a, b) > 1e3 * RTOL, f"{what} does not change the fit: the test could not fail"


# ----------------------------------------------------------------------------------------------------
# 1. paths: equal to the in-memory fit


PATH = dict(l1_ratio=0.7, n_alphas=12, tol=TOL)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_enet_path_dense(any_scheduler, data, fit_intercept):
    X, y, _ = data
    got = enet_path(dask_of(X), dask_of(y), fit_intercept=fit_intercept, **PATH)
    want = enet_path(X, y, fit_intercept=fit_intercept, **PATH)
    assert want.solver == got.solver == "cd-gram"
    assert_same_path(got, want, X)
    other = enet_path(X, y, fit_intercept=not fit_intercept, **PATH)
    assert_differs(other.coefs, want.coefs, "fit_intercept")


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_lasso_path_weighted(scheduler, data, fit_intercept):
    X, y, sw = data
    got = lasso_path(dask_of(X), dask_of(y), sample_weight=dask_of(sw), fit_intercept=fit_intercept, n_alphas=12,
                     tol=TOL)
    want = lasso_path(X, y, sample_weight=sw, fit_intercept=fit_intercept, n_alphas=12, tol=TOL)
    assert_same_path(got, want, X)
    assert got.l1_ratio == 1.0
    assert_differs(lasso_path(X, y, fit_intercept=fit_intercept, alphas=want.alphas, tol=TOL).coefs, want.coefs,
                   "sample_weight")


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_enet_path_sparse_blocks(scheduler, data, fit_intercept):
    X, y, _ = data
    rng = np.random.default_rng(3)
    Xs = np.where(rng.random(X.shape) < 0.7, 0.0, X)
    Xd = dask_of(Xs).map_blocks(sparse.csr_matrix)
    got = enet_path(Xd, dask_of(y), fit_intercept=fit_intercept, **PATH)
    want = enet_path(sparse.csr_matrix(Xs), y, fit_intercept=fit_intercept, **PATH)
    assert_same_path(got, want, Xs)


def test_enet_path_standardize(scheduler, data):
    X, y, sw = data
    kw = dict(fit_intercept=True, standardize=True, **PATH)
    got = enet_path(dask_of(X), dask_of(y), sample_weight=dask_of(sw), **kw)
    want = enet_path(X, y, sample_weight=sw, **kw)
    assert_same_path(got, want, X)
    assert_differs(enet_path(X, y, sample_weight=sw, fit_intercept=True, alphas=want.alphas, tol=TOL).coefs,
                   want.coefs, "standardize")


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_enet_path_penalty_factor(scheduler, data, fit_intercept):
    X, y, _ = data
    factor = np.ones(P)
    factor[[0, 5]] = 0.0  # never penalized
    factor[[3, 11]] = np.inf  # excluded
    factor[7] = 2.5
    kw = dict(fit_intercept=fit_intercept, penalty_factor=factor, **PATH)
    got = enet_path(dask_of(X), dask_of(y), **kw)
    want = enet_path(X, y, **kw)
    assert_same_path(got, want, X)
    assert np.all(got.coefs[[3, 11]] == 0) and np.all(got.coefs[[0, 5]] != 0)
    assert_differs(enet_path(X, y, fit_intercept=fit_intercept, **PATH).coefs, want.coefs, "penalty_factor")


def test_enet_path_every_feature_excluded(scheduler, data):
    X, y, _ = data
    kw = dict(fit_intercept=True, penalty_factor=np.full(P, np.inf), **PATH)
    got = enet_path(dask_of(X), dask_of(y), **kw)
    want = enet_path(X, y, **kw)
    assert np.all(got.coefs == 0) and got.coefs.shape == want.coefs.shape == (P, 12)
    np.testing.assert_allclose(got.intercepts, y.mean(), rtol=1e-13)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_enet_path_bounds(scheduler, data, fit_intercept):
    X, y, _ = data
    lower = np.full(P, -0.5)
    upper = np.where(np.arange(P) % 2 == 0, 1.0, np.inf)
    kw = dict(fit_intercept=fit_intercept, lower_bounds=lower, upper_bounds=upper, **PATH)
    got = enet_path(dask_of(X), dask_of(y), **kw)
    want = enet_path(X, y, **kw)
    assert_same_path(got, want, X)
    assert np.all(got.coefs >= -0.5) and np.all(got.coefs[::2] <= 1.0)
    assert_differs(enet_path(X, y, fit_intercept=fit_intercept, **PATH).coefs, want.coefs, "the bounds")


def test_lasso_path_positive(scheduler, data):
    X, y, _ = data
    got = lasso_path(dask_of(X), dask_of(y), positive=True, fit_intercept=True, n_alphas=12, tol=TOL)
    want = lasso_path(X, y, positive=True, fit_intercept=True, n_alphas=12, tol=TOL)
    assert_same_path(got, want, X)
    assert np.all(got.coefs >= 0)
    assert_differs(lasso_path(X, y, fit_intercept=True, alphas=want.alphas, tol=TOL).coefs, want.coefs, "positive")


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_enet_path_float32(scheduler, data, fit_intercept):
    """float32 data: float32 coefficients. The in-memory Gram route sums float32 data in float64 and
    solves in float64, as the dask route does, so the two differ by the rounding of the returned
    coefficients to float32 (an ulp or two), not by float32 arithmetic."""
    X, y, _ = data
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    got = enet_path(dask_of(X32), dask_of(y32), fit_intercept=fit_intercept, **PATH)
    want = enet_path(X32, y32, fit_intercept=fit_intercept, **PATH)
    assert got.coefs.dtype == np.float32
    assert_same_path(got, want, X32, rtol=4 * float(np.finfo(np.float32).eps))


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_enet_path_uneven_chunks(scheduler, data, fit_intercept):
    X, y, sw = data
    kw = dict(fit_intercept=fit_intercept, **PATH)
    got = enet_path(dask_of(X, UNEVEN), dask_of(y, UNEVEN), sample_weight=dask_of(sw, UNEVEN), **kw)
    assert_same_path(got, enet_path(X, y, sample_weight=sw, **kw), X)


def test_enet_path_zero_weight_block(scheduler, data):
    """A block whose weights are all 0 counts its rows with no weight, as in memory."""
    X, y, sw = data
    zero = np.where(np.arange(N) < CHUNKS[0], 0.0, sw)
    got = enet_path(dask_of(X), dask_of(y), sample_weight=dask_of(zero), fit_intercept=True, **PATH)
    assert_same_path(got, enet_path(X, y, sample_weight=zero, fit_intercept=True, **PATH), X)
    with pytest.raises(ValueError, match="every weight is 0"):
        enet_path(dask_of(X), dask_of(y), sample_weight=da.zeros(N, chunks=CHUNKS))


def test_enet_path_column_chunks_and_inputs_in_memory(local_threads, data):
    """X in several column blocks is rechunked to whole rows; y and weights may be NumPy arrays."""
    X, y, sw = data
    Xd = da.from_array(X, chunks=(CHUNKS, (8, 8, 4)))
    got = enet_path(Xd, y, sample_weight=sw, fit_intercept=True, **PATH)
    assert_same_path(got, enet_path(X, y, sample_weight=sw, fit_intercept=True, **PATH), X)


def test_enet_path_coef_init_and_n_iter(local_threads, data):
    X, y, _ = data
    full = enet_path(X, y, fit_intercept=True, **PATH)
    start = full.coefs[:, 6]
    got = enet_path(dask_of(X), dask_of(y), fit_intercept=True, alphas=full.alphas[6:], coef_init=start, tol=TOL,
                    l1_ratio=0.7, return_n_iter=True)
    alphas, coefs, gaps, n_iters = got
    assert n_iters[0] == 0  # the warm start solves the first alpha already
    assert max_rel(coefs, full.coefs[:, 6:]) <= RTOL


def test_tree_of_block_statistics(on_processes, data):
    """The statistics are one task per block, run on the workers, and a tree of len(blocks) - 1 merges."""
    X, y, _ = data
    with distributed.get_task_stream(client=on_processes) as stream:
        enet_path(dask_of(X), dask_of(y), fit_intercept=True, **PATH)
    # (the delayed tasks' keys are "<function name>-<token>"; the arrays' are tuples)
    names = [task["key"].rsplit("-", 1)[0] for task in stream.data if isinstance(task["key"], str)]
    assert names.count("_block_statistics") == len(CHUNKS)
    assert names.count("_merged") == len(CHUNKS) - 1
    workers = {task["worker"] for task in stream.data}
    assert workers <= set(on_processes.scheduler_info()["workers"])


def test_from_dask_equals_from_arrays(scheduler, data):
    X, y, sw = data
    Xo = X + 1e4 * np.arange(P)  # means far from the spread: a naive sum would lose digits
    got = SufficientStats.from_dask(dask_of(Xo), dask_of(y), dask_of(sw))
    want = SufficientStats.from_arrays(Xo, y, sw)
    assert got.n_rows == N and got.weight_sum == pytest.approx(sw.sum(), rel=1e-14)
    G, Xty, yty, x_mean, y_mean = got.centered()
    G0, Xty0, yty0, x_mean0, y_mean0 = want.centered()
    assert max_rel(G, G0) <= 1e-12 and max_rel(Xty, Xty0) <= 1e-12
    assert yty == pytest.approx(yty0, rel=1e-12) and y_mean == pytest.approx(y_mean0, rel=1e-13)
    np.testing.assert_allclose(x_mean, x_mean0, rtol=1e-14)
    path = fastreg.enet_path_from_stats(got, l1_ratio=0.7, n_alphas=12, tol=TOL)
    assert_same_path(path, enet_path(Xo, y, sample_weight=sw, fit_intercept=True, **PATH), Xo)


# ----------------------------------------------------------------------------------------------------
# 2. cross-validation


def _kfold(n, k):
    from sklearn.model_selection import KFold

    return list(KFold(k).split(np.zeros((n, 1))))


def assert_same_cv(got, want, X):
    assert got.mse_path.shape == want.mse_path.shape
    assert max_rel(got.mse_path, want.mse_path) <= RTOL
    np.testing.assert_allclose(got.alphas, want.alphas, rtol=1e-13)
    assert got.index_min == want.index_min and got.index_1se == want.index_1se
    # (the grids come from alpha_max of each route's statistics: equal to rounding)
    assert got.alpha_min == pytest.approx(want.alpha_min, rel=1e-13)
    assert got.alpha_1se == pytest.approx(want.alpha_1se, rel=1e-13)
    assert got.l1_ratio_min == want.l1_ratio_min
    if want.path is not None:
        assert_same_path(got.path, want.path, X)


@pytest.mark.parametrize("l1_ratio", [1.0, [0.2, 0.6, 1.0]], ids=["lasso", "three-l1-ratios"])
def test_cv_path_kfold(scheduler, data, l1_ratio):
    X, y, _ = data
    kw = dict(l1_ratio=l1_ratio, n_alphas=12, tol=TOL)
    got = cv_path(dask_of(X), dask_of(y), cv=5, **kw)
    want = cv_path(X, y, cv=5, **kw)
    assert_same_cv(got, want, X)
    # the dask folds are scikit-learn's KFold(5) over the rows in order, as in memory
    for (train, test), (train0, test0) in zip(got.folds, _kfold(N, 5), strict=True):
        np.testing.assert_array_equal(train, train0)
        np.testing.assert_array_equal(test, test0)


def test_cv_path_kfold_weighted_uneven(scheduler, data):
    X, y, sw = data
    kw = dict(l1_ratio=[0.5, 1.0], n_alphas=12, tol=TOL, standardize=True)
    got = cv_path(dask_of(X, UNEVEN), dask_of(y, UNEVEN), sample_weight=dask_of(sw, UNEVEN), cv=4, **kw)
    want = cv_path(X, y, sample_weight=sw, cv=4, **kw)
    assert_same_cv(got, want, X)
    assert_differs(cv_path(X, y, cv=4, **kw).mse_path, want.mse_path, "sample_weight")


@pytest.mark.parametrize("as_dask", [True, False], ids=["dask-labels", "numpy-labels"])
def test_cv_path_fold_labels(scheduler, data, as_dask):
    X, y, _ = data
    labels = np.random.default_rng(5).integers(0, 4, N)
    folds = [(np.flatnonzero(labels != k), np.flatnonzero(labels == k)) for k in range(4)]
    kw = dict(l1_ratio=[0.3, 1.0], n_alphas=12, tol=TOL, penalty_factor=np.r_[0.0, np.ones(P - 1)])
    got = cv_path(dask_of(X), dask_of(y), cv=dask_of(labels) if as_dask else labels, **kw)
    want = cv_path(X, y, cv=folds, **kw)
    assert_same_cv(got, want, X)
    assert_differs(cv_path(X, y, cv=4, **kw).mse_path, want.mse_path, "the folds")


def test_kfold_labels_made_on_the_workers():
    """cv=K ships the fold bounds, not one label per row: the graph does not grow with the rows."""
    sizes = []

    def scheduler(dsk, keys, **kwargs):  # dask's synchronous scheduler, measuring the graph it gets
        sizes.append(len(distributed.protocol.pickle.dumps(dsk)))
        return dask.get(dsk, keys, **kwargs)

    for n in (20_000, 400_000):
        rng = da.random.default_rng(0)
        Xd = rng.standard_normal((n, 5), chunks=(n // 4, 5))
        with dask.config.set(scheduler=scheduler):
            cv_path(Xd, Xd[:, 0] + rng.standard_normal(n, chunks=n // 4), cv=5, n_alphas=5)
    assert len(sizes) == 2 and abs(sizes[1] - sizes[0]) < 1000, sizes


@pytest.mark.parametrize("make", [lambda: LassoCV(alphas=12, tol=TOL, cv=5),
                                  lambda: ElasticNetCV(l1_ratio=[0.2, 0.9], alphas=12, tol=TOL, cv=5)],
                         ids=["LassoCV", "ElasticNetCV"])
def test_cv_estimators(scheduler, data, make):
    X, y, sw = data
    got = make().fit(dask_of(X), dask_of(y), sample_weight=dask_of(sw))
    want = make().fit(X, y, sample_weight=sw)
    assert got.alpha_ == pytest.approx(want.alpha_, rel=1e-13)
    assert got.alpha_1se_ == pytest.approx(want.alpha_1se_, rel=1e-13)
    assert getattr(got, "l1_ratio_", None) == getattr(want, "l1_ratio_", None)
    assert got.mse_path_.shape == want.mse_path_.shape and max_rel(got.mse_path_, want.mse_path_) <= RTOL
    np.testing.assert_allclose(got.alphas_, want.alphas_, rtol=1e-13)
    assert got.coef_.dtype == want.coef_.dtype
    assert max_rel(got.coef_, want.coef_) <= RTOL
    assert got.intercept_ == pytest.approx(want.intercept_, rel=1e-9, abs=1e-9)
    assert got.cv_solver_ == "statistics" and got.n_features_in_ == P


# ----------------------------------------------------------------------------------------------------
# 3. estimators, predict and score


def _targets(X, y):
    return np.column_stack((y, X[:, 2] - 0.5 * y + 1.0))


@pytest.mark.parametrize("two_targets", [False, True], ids=["1-D y", "2-D y"])
@pytest.mark.parametrize("make", [lambda: Lasso(alpha=0.05, tol=TOL),
                                  lambda: ElasticNet(alpha=0.05, l1_ratio=0.4, tol=TOL)], ids=["Lasso", "ElasticNet"])
def test_enet_estimators(scheduler, data, make, two_targets):
    X, y, sw = data
    Y = _targets(X, y) if two_targets else y
    got = make().fit(dask_of(X), dask_of(Y), sample_weight=dask_of(sw))
    want = make().fit(X, Y, sample_weight=sw)
    assert got.coef_.shape == want.coef_.shape and got.coef_.dtype == want.coef_.dtype
    assert max_rel(got.coef_, want.coef_) <= 1e-9
    np.testing.assert_allclose(got.intercept_, want.intercept_, rtol=1e-9)
    assert np.ndim(got.intercept_) == np.ndim(want.intercept_)
    pred = got.predict(dask_of(X))
    assert isinstance(pred, da.Array) and pred.shape == want.predict(X).shape
    assert max_rel(pred.compute(), want.predict(X)) <= 1e-9
    score = got.score(dask_of(X), dask_of(Y), sample_weight=dask_of(sw))
    assert isinstance(score, da.Array) and score.ndim == 0
    assert float(score) == pytest.approx(want.score(X, Y, sample_weight=sw), rel=1e-12)


def test_enet_estimator_warm_start_with_excluded_features(local_threads, data):
    X, y, _ = data
    factor = np.ones(P)
    factor[4] = np.inf
    model = ElasticNet(alpha=0.05, l1_ratio=0.5, tol=1e-10, warm_start=True, penalty_factor=factor)
    model.fit(dask_of(X), dask_of(y))
    first = model.coef_.copy()
    assert model.n_iter_ > 0 and first[4] == 0
    model.fit(dask_of(X), dask_of(y))
    assert model.n_iter_ == 0  # started from the previous solution, as in memory
    np.testing.assert_array_equal(model.coef_, first)


@pytest.mark.parametrize("case", ["1-D", "2-D", "alpha per target"])
def test_ridge(scheduler, data, case):
    X, y, sw = data
    Y = y if case == "1-D" else _targets(X, y)
    alpha = [1.0, 3e3] if case == "alpha per target" else 30.0
    got = Ridge(alpha=alpha).fit(dask_of(X), dask_of(Y), sample_weight=dask_of(sw))
    want = Ridge(alpha=alpha).fit(X, Y, sample_weight=sw)
    assert got.coef_.shape == want.coef_.shape and np.ndim(got.intercept_) == np.ndim(want.intercept_)
    assert max_rel(got.coef_, want.coef_) <= 1e-10
    np.testing.assert_allclose(got.intercept_, want.intercept_, rtol=1e-10)
    assert max_rel(got.predict(dask_of(X)).compute(), want.predict(X)) <= 1e-10
    assert float(got.score(dask_of(X), Y)) == pytest.approx(want.score(X, Y), rel=1e-12)
    if case == "alpha per target":
        assert_differs(Ridge(alpha=1.0).fit(X, Y, sample_weight=sw).coef_[1], want.coef_[1], "alpha per target")


def _ridge_data():
    """A weak signal in noise over many correlated features: R^2 peaks at an interior alpha."""
    rng = np.random.default_rng(29)
    n, p = N, 40
    X = rng.standard_normal((n, p)) + rng.standard_normal((n, 1)) + 2.0
    y = X @ rng.normal(0, 0.05, p) + 4.0 * rng.standard_normal(n)
    return X, y, rng.uniform(0.2, 2.0, n)


@pytest.mark.parametrize("two_targets", [False, True], ids=["1-D y", "2-D y"])
def test_ridge_cv(scheduler, two_targets):
    X, y, sw = _ridge_data()
    Y = _targets(X, y) if two_targets else y
    alphas = np.logspace(0, 6, 13)
    got = RidgeCV(alphas=alphas, cv=5).fit(dask_of(X), dask_of(Y), sample_weight=dask_of(sw))
    want = RidgeCV(alphas=alphas, cv=5).fit(X, Y, sample_weight=sw)
    assert 0 < list(alphas).index(want.alpha_) < len(alphas) - 1  # an interior choice: the scores decide
    assert got.alpha_ == want.alpha_
    assert got.best_score_ == pytest.approx(want.best_score_, rel=1e-10)
    assert got.coef_.shape == want.coef_.shape and max_rel(got.coef_, want.coef_) <= 1e-10
    np.testing.assert_allclose(got.intercept_, want.intercept_, rtol=1e-10)


def test_score_rules_of_r2(local_threads, data):
    """A constant target predicted exactly scores 1, predicted inexactly 0 (r2_score's rules)."""
    X, y, _ = data
    model = Ridge(alpha=1.0).fit(X, np.full(N, 2.0))
    assert float(model.score(dask_of(X), np.full(N, 2.0))) == 1.0
    assert float(model.score(dask_of(X), np.full(N, 3.0))) == 0.0


def _frame(X, y, sw=None, npartitions=4):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    df["target"] = y
    if sw is not None:
        df["weight"] = sw
    return df, dd.from_pandas(df, npartitions=npartitions)


@pytest.mark.parametrize("make", [lambda: Lasso(alpha=0.05, tol=TOL), lambda: Ridge(alpha=30.0),
                                  lambda: LassoCV(alphas=12, tol=TOL, cv=5),
                                  lambda: RidgeCV(alphas=np.logspace(0, 5, 6), cv=5)],
                         ids=["Lasso", "Ridge", "LassoCV", "RidgeCV"])
def test_dataframes(scheduler, data, make):
    X, y, _ = data
    df, ddf = _frame(X, y)
    features = [c for c in df.columns if c != "target"]
    want = make().fit(df[features], df["target"])
    by_name = make().fit(ddf, "target")
    by_columns = make().fit(ddf[features], ddf["target"])
    for got in (by_name, by_columns):
        assert list(got.feature_names_in_) == features and got.n_features_in_ == P
        assert max_rel(got.coef_, want.coef_) <= 1e-9
        assert got.intercept_ == pytest.approx(want.intercept_, rel=1e-9)
    pred = by_columns.predict(ddf[features])
    assert isinstance(pred, da.Array)
    assert max_rel(pred.compute(), want.predict(df[features])) <= 1e-9
    score = by_columns.score(ddf[features], ddf["target"])
    assert isinstance(score, da.Array) and score.ndim == 0
    assert float(score) == pytest.approx(want.score(df[features], df["target"]), rel=1e-12)
    with pytest.raises(ValueError, match="feature names"):
        by_columns.predict(ddf[features[::-1]])


def test_dataframe_paths(scheduler, data):
    """enet_path and cv_path (KFold over the rows in order: the partitions' lengths computed first) of a
    dataframe and the name of its target column, the path naming its features."""
    X, y, sw = data
    df, ddf = _frame(X, y, sw)
    features = [f"x{j}" for j in range(P)]
    path = enet_path(ddf, "target", sample_weight="weight", fit_intercept=True, **PATH)
    assert_same_path(path, enet_path(X, y, sample_weight=sw, fit_intercept=True, **PATH), X)
    assert list(path.feature_names) == features
    kw = dict(l1_ratio=[0.5, 1.0], n_alphas=10, tol=TOL)
    assert_same_cv(cv_path(ddf, "target", sample_weight="weight", cv=5, **kw),
                   cv_path(X, y, sample_weight=sw, cv=5, **kw), X)


def test_dataframe_weight_column(scheduler, data):
    X, y, sw = data
    df, ddf = _frame(X, y, sw)
    features = [f"x{j}" for j in range(P)]
    got = ElasticNet(alpha=0.05, tol=TOL).fit(ddf, "target", sample_weight="weight")
    want = ElasticNet(alpha=0.05, tol=TOL).fit(df[features], df["target"], sample_weight=df["weight"])
    assert list(got.feature_names_in_) == features
    assert max_rel(got.coef_, want.coef_) <= 1e-9
    score = got.score(ddf[features], ddf["target"], sample_weight=ddf["weight"])
    assert float(score) == pytest.approx(want.score(df[features], df["target"], sample_weight=df["weight"]),
                                         rel=1e-12)


def test_dataframe_target_one_pass(local_threads, data):
    """A target series is joined to X's dataframe and converted with it: its partitions are computed
    once (the statistics' pass, no pass for their lengths), and a series partitioned otherwise is
    aligned by its index."""
    X, y, _ = data
    df, ddf = _frame(X, y)
    features = [f"x{j}" for j in range(P)]
    rows = []

    def counted(part):
        rows.append(len(part))
        return part

    target = ddf["target"].map_partitions(counted, meta=ddf["target"]._meta)
    want = Lasso(alpha=0.05, tol=TOL).fit(df[features], df["target"])
    got = Lasso(alpha=0.05, tol=TOL).fit(ddf[features], target)
    assert sorted(rows) == sorted(ddf.map_partitions(len).compute())
    assert max_rel(got.coef_, want.coef_) <= 1e-9
    dd = pytest.importorskip("dask.dataframe")
    shifted = dd.from_pandas(df[["target"]], npartitions=1).repartition(divisions=[0, 1400, 3000, 4500, N - 1])
    assert shifted.divisions != ddf.divisions
    got = Lasso(alpha=0.05, tol=TOL).fit(ddf[features], shifted["target"])
    assert max_rel(got.coef_, want.coef_) <= 1e-9


def test_dataframe_score_of_arrays(local_threads, data):
    """A dataframe X scored against in-memory y and weights (their rows matched by the partitions'
    lengths), and a dask array X converted from it."""
    X, y, sw = data
    _, ddf = _frame(X, y)
    features = [f"x{j}" for j in range(P)]
    model = Ridge().fit(ddf[features], ddf["target"])
    want = Ridge().fit(X, y).score(X, y, sample_weight=sw)
    assert float(model.score(ddf[features], y, sample_weight=sw)) == pytest.approx(want, rel=1e-12)
    with pytest.warns(UserWarning, match="does not have valid feature names"):  # (an array, as in memory)
        score = model.score(ddf[features].to_dask_array(lengths=True), y, sample_weight=sw)
    assert float(score) == pytest.approx(want, rel=1e-12)


# ----------------------------------------------------------------------------------------------------
# 4. errors


def test_error_row_blocks_differ(local_threads, data):
    X, y, sw = data
    with pytest.raises(ValueError, match=r"row blocks of X and y differ \(block 0 of X has 1500 rows, of y 2000\)"):
        enet_path(dask_of(X), dask_of(y, (2000, 2000, 2007)))
    with pytest.raises(ValueError, match=r"row blocks of X and sample_weight differ \(block 2 of X has 1500"):
        Lasso().fit(dask_of(X), dask_of(y), sample_weight=dask_of(sw, (1500, 1500, 1000, 2007)))
    with pytest.raises(ValueError, match="fold labels must be chunked like X"):
        cv_path(dask_of(X), dask_of(y), cv=dask_of(np.arange(N) % 3, (3000, 3007)))


def test_error_unknown_chunk_sizes(local_threads, data):
    X, y, _ = data
    Xd, yd = dask_of(X), dask_of(y)
    keep = Xd[:, 0] > 0
    with pytest.raises(ValueError, match=r"X has unknown chunk sizes.*compute_chunk_sizes\(\)"):
        enet_path(Xd[keep], yd[keep])
    with pytest.raises(ValueError, match="y has unknown chunk sizes"):
        Ridge().fit(Xd, yd[yd > -np.inf])


def test_filtered_rows_with_empty_blocks(local_threads, data):
    """What the unknown-chunks error advises (compute_chunk_sizes) can leave blocks with no rows."""
    X, y, _ = data
    Xd, yd = dask_of(X), dask_of(y)
    keep = (Xd[:, 0] > 1e9) | (da.arange(N, chunks=CHUNKS) >= 1500)  # block 0 keeps no row
    Xf, yf = Xd[keep].compute_chunk_sizes(), yd[keep].compute_chunk_sizes()
    assert Xf.chunks[0][0] == 0
    assert_same_path(enet_path(Xf, yf, fit_intercept=True, **PATH),
                     enet_path(X[1500:], y[1500:], fit_intercept=True, **PATH), X)
    np.testing.assert_allclose(Ridge().fit(Xf, yf).coef_, Ridge().fit(X[1500:], y[1500:]).coef_, rtol=1e-10)


@on_workers
def _x_with_nan(block_id=None):
    """A block generated on the worker, with a NaN in block 2 (rows 3000 to 4499)."""
    rng = np.random.default_rng([11, block_id[0]])
    block = rng.standard_normal((1500, P))
    if block_id[0] == 2:
        block[123, 4] = np.nan
    return block


def test_error_nan_on_a_worker(on_processes):
    Xd = da.map_blocks(_x_with_nan, chunks=((1500,) * 4, (P,)), dtype=np.float64, meta=np.empty((0, 0)))
    yd = da.ones(N - 7, chunks=((1500,) * 4,))
    with pytest.raises(ValueError, match=r"block 2 \(rows 3000 to 4499\): Input X contains NaN"):
        enet_path(Xd, yd)
    with pytest.raises(ValueError, match=r"block 2 \(rows 3000 to 4499\).*NaN"):
        RidgeCV(cv=3).fit(Xd, yd)


def test_error_wide_x(local_threads, data):
    X, y, _ = data
    with pytest.raises(ValueError, match="20 features and 20 rows.*need more rows than features"):
        enet_path(dask_of(X[:20], (10, 10)), dask_of(y[:20], (10, 10)))
    with pytest.raises(ValueError, match="need more rows than features"):
        Ridge().fit(dask_of(X[:15], (15,)), dask_of(y[:15], (15,)))


def test_error_two_d_y_in_enet_path(local_threads, data):
    X, y, _ = data
    for Y in (_targets(X, y), y[:, None]):  # a 2-D y is the multi-task problem in memory, also (n, 1)
        with pytest.raises(ValueError, match="2-D y.*not supported with dask data"):
            enet_path(dask_of(X), dask_of(Y))
    with pytest.raises(ValueError, match="y must be 1-D"):
        cv_path(dask_of(X), dask_of(_targets(X, y)))
    # cv_path ravels a single column, as in memory
    kw = dict(n_alphas=8, tol=TOL)
    assert_same_cv(cv_path(dask_of(X), dask_of(y[:, None]), **kw), cv_path(X, y[:, None], **kw), X)


@pytest.mark.parametrize("fit", [
    lambda X, y: LogisticRegression().fit(X, y > 0),
    lambda X, y: LogisticRegressionCV(cv=3).fit(X, y > 0),
    lambda X, y: logistic_path(X, y > 0),
    lambda X, y: MultiTaskLasso().fit(X, da.stack([y, y], axis=1)),
], ids=["LogisticRegression", "LogisticRegressionCV", "logistic_path", "MultiTaskLasso"])
def test_error_models_refused(local_threads, data, fit):
    X, y, _ = data
    with pytest.raises(TypeError, match="cannot be fitted on a dask collection.*sufficient statistics"):
        fit(dask_of(X), dask_of(y))


def test_error_options_refused(local_threads, data):
    X, y, _ = data
    Xd, yd = dask_of(X), dask_of(y)
    from sklearn.model_selection import KFold

    with pytest.raises(ValueError, match=r"leave-one-out \(cv=None\) needs every row"):
        RidgeCV().fit(Xd, yd)
    for cv in (KFold(5), _kfold(N, 5)):
        with pytest.raises(ValueError, match="cv is an int K.*splitters and index lists need the rows"):
            cv_path(Xd, yd, cv=cv)
    with pytest.raises(ValueError, match="cv is an int K"):
        LassoCV(cv=KFold(3)).fit(Xd, yd)
    with pytest.raises(ValueError, match="cv is an int K"):
        RidgeCV(cv=KFold(3)).fit(Xd, yd)
    with pytest.raises(ValueError, match="precompute must be 'auto' or True, got False"):
        enet_path(Xd, yd, precompute=False)
    with pytest.raises(ValueError, match="precompute must be 'auto' or True"):
        enet_path(Xd, yd, precompute=X.T @ X)
    with pytest.raises(ValueError, match="Xy is not used with dask data"):
        enet_path(Xd, yd, Xy=X.T @ y)
    with pytest.raises(ValueError, match="groups are not used with dask data"):
        cv_path(Xd, yd, groups=np.arange(N) % 3)
    with pytest.raises(ValueError, match="Ridge.positive=True. is not supported with dask data"):
        Ridge(positive=True).fit(Xd, yd)


def test_error_inputs(local_threads, data):
    X, y, _ = data
    Xd, yd = dask_of(X), dask_of(y)
    with pytest.raises(TypeError, match="is a dask collection but X is not"):
        enet_path(X, yd)
    with pytest.raises(TypeError, match="cv is a dask array of fold labels but X is not"):
        cv_path(X, y, cv=dask_of(np.arange(N) % 3))
    with pytest.raises(ValueError, match="X has 6007 rows but y has 6006"):
        enet_path(Xd, dask_of(y[:-1], (1500, 1500, 1500, 1506)))
    with pytest.raises(ValueError, match=r"y='target' names a column, but X is not a dataframe"):
        enet_path(Xd, "target")
    with pytest.raises(ValueError, match=r"block 1 \(rows 1500 to 2999\): sample_weight contains negative"):
        enet_path(Xd, yd, sample_weight=dask_of(np.where(np.arange(N) == 2000, -1.0, 1.0)))
    with pytest.raises(ValueError, match=r"block 2 \(rows 3000 to 4499\): fold labels must be integers in 0 .. 2"):
        cv_path(Xd, yd, cv=dask_of(np.where(np.arange(N) == 3333, -1, np.arange(N) % 3)))
    with pytest.raises(ValueError, match="fold 1 has no rows"):
        cv_path(Xd, yd, cv=dask_of(2 * (np.arange(N) % 2)))


# ----------------------------------------------------------------------------------------------------
# 5. faults: a lost worker, a failing block

FAULT_ROWS, FAULT_BLOCKS, FAULT_P = 1500, 8, 12


@on_workers
def _slow_block(block_id=None, delay=0.0):
    """A block of X generated from its own seed (a recomputed block is the same block)."""
    time.sleep(delay)
    rng = np.random.default_rng([7, block_id[0]])
    return rng.standard_normal((FAULT_ROWS, FAULT_P)) + np.arange(FAULT_P)


@on_workers
def _noise_block(block_id=None):
    return np.random.default_rng([8, block_id[0]]).standard_normal(FAULT_ROWS)


def _generated(delay):
    rows = (FAULT_ROWS,) * FAULT_BLOCKS
    Xd = da.map_blocks(_slow_block, chunks=(rows, (FAULT_P,)), dtype=np.float64, delay=delay, meta=np.empty((0, 0)))
    noise = da.map_blocks(_noise_block, chunks=(rows,), dtype=np.float64, meta=np.empty((0,)))
    return Xd, Xd @ np.linspace(-2.0, 2.0, FAULT_P) + noise


def _fit_path(Xd, yd):
    return enet_path(Xd, yd, fit_intercept=True, **PATH)


def _fit_cv(Xd, yd):
    return cv_path(Xd, yd, cv=5, l1_ratio=[0.5, 1.0], n_alphas=10, tol=TOL)


@pytest.mark.parametrize("fit", [_fit_path, _fit_cv], ids=["enet_path", "cv_path"])
def test_worker_killed_mid_computation(on_processes, fit):
    """A worker process killed while it computes blocks (its nanny restarts it): the blocks it held or
    ran are recomputed elsewhere, and the fit is the fault-free one bit for bit (the merge tree is
    fixed by the chunking, and every block regenerates from its seed)."""
    client = on_processes
    reference = fit(*_generated(delay=0.0))
    pids = client.run(os.getpid)
    with ThreadPoolExecutor(1) as pool:
        # (the thread sees the current client through a copy of this context)
        future = pool.submit(contextvars.copy_context().run, fit, *_generated(delay=0.4))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(bool(tasks) for tasks in client.processing().values()) < 2:
            time.sleep(0.02)
        victim = sorted(pids)[0]
        assert client.processing()[victim], "the victim runs no block: the fault would not be mid-computation"
        os.kill(pids[victim], signal.SIGKILL)
        result = future.result(timeout=90)
    client.wait_for_workers(2, timeout=60)
    assert pids[victim] not in client.run(os.getpid).values()  # the process did die
    if fit is _fit_cv:
        np.testing.assert_array_equal(result.mse_path, reference.mse_path)
        result, reference = result.path, reference.path
    np.testing.assert_array_equal(result.coefs, reference.coefs)
    np.testing.assert_array_equal(result.intercepts, reference.intercepts)


@on_workers
def _failing_block(block_id=None):
    if block_id[0] == 2:
        raise OSError("could not read block 2 of the dataset")
    return _slow_block(block_id, delay=0.05)


def test_failing_block_raises_promptly(scheduler):
    """The block's own error reaches the caller (distributed re-raises it), without retries or a hang."""
    rows = (FAULT_ROWS,) * FAULT_BLOCKS
    Xd = da.map_blocks(_failing_block, chunks=(rows, (FAULT_P,)), dtype=np.float64, meta=np.empty((0, 0)))
    yd = da.map_blocks(_noise_block, chunks=(rows,), dtype=np.float64, meta=np.empty((0,)))
    start = time.monotonic()
    with pytest.raises(OSError, match="could not read block 2 of the dataset"):
        enet_path(Xd, yd)
    with pytest.raises(OSError, match="could not read block 2"):
        cv_path(Xd, yd, cv=3)
    assert time.monotonic() - start < 30

"""The plan (fastreg._plan.make_plan) is the one decision of which kernel runs, and the kernel that runs
is the plan's; designs built for it are immutable; settings and penalties are validated once."""
import dataclasses
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg
from fastreg import _plan
from fastreg._path import prepare, solve_path
from fastreg._settings import Settings, check_penalty, check_settings

KERNEL_OF_SOLVER = {
    "cd-gram": "gram", "cd-gram-lazy": "gram-lazy", "cd-dense-residual": "residual",
    "cd-sparse-residual": "residual", "cd-dense-working-set": "working-set",
    "cd-sparse-working-set": "working-set",
}


def _sparse(n, p, density, seed):
    return sparse.random(n, p, density=density, format="csc", random_state=seed)


def _cases():
    rng = np.random.default_rng(5)
    tall, wide = rng.standard_normal((80, 10)), rng.standard_normal((20, 60))
    # about 18 stored values per row: the Gram product costs more than the passes of one fit
    X_sp = _sparse(3000, 30, 0.6, 6)
    penalty = dict(penalty_factor=None)
    yield "dense n > p, auto", tall, "auto", penalty, 100, "gram"
    yield "dense p > n, auto", wide, "auto", penalty, 100, "working-set"
    yield "dense n > p, precompute=False", tall, False, penalty, 100, "residual"
    yield "dense p > n, precompute=True", wide, True, penalty, 100, "gram"
    yield "sparse, one fit", X_sp, "auto", penalty, None, "residual"
    yield "sparse, long path", X_sp, "auto", penalty, 2000, "gram"
    yield "sparse, many columns, long path", _sparse(3000, 600, 0.01, 9), "auto", penalty, 2000, "gram-lazy"
    yield "sparse, unpenalized feature", X_sp, False, dict(penalty_factor=np.r_[0.0, np.ones(29)]), None, "gram"


@pytest.mark.parametrize("what,X,precompute,penalty,n_alphas,kernel", list(_cases()), ids=lambda c: str(c)[:30])
def test_the_plan_is_what_runs(what, X, precompute, penalty, n_alphas, kernel):
    n_features = X.shape[1]
    y = X @ np.linspace(-1, 1, n_features) if not sparse.issparse(X) else np.asarray(X.sum(axis=1)).ravel()
    pen = check_penalty(1.0, n_features, **penalty)
    plan = _plan.make_plan(pen.columns(X), precompute, transformed=True, penalty=pen, n_alphas=n_alphas)
    assert plan.kernel == kernel, what
    settings = check_settings()
    problem = prepare(X, y, None, settings, pen, fit_intercept=True, standardize=False, precompute=precompute,
                      n_alphas=n_alphas)
    assert problem.plan == plan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        path = solve_path(problem, np.array([1.0, 0.1]) * 0.1, settings)
    assert KERNEL_OF_SOLVER[path.solver.replace("+residual", "")] == kernel, what


def test_over_the_memory_budget_n_greater_than_p_gets_gram_columns_on_demand(monkeypatch):
    X = np.random.default_rng(7).standard_normal((200, 30))
    monkeypatch.setattr(_plan, "GRAM_MAX_BYTES", 30 * 30 * 8 - 1)
    pen = check_penalty(1.0, 30)
    assert _plan.make_plan(X, "auto", transformed=False, penalty=pen).kernel == "gram-lazy"
    assert _plan.make_plan(X, True, transformed=False, penalty=pen).kernel == "gram"  # asked for: honoured
    assert fastreg.lasso_path(X, X[:, 0], n_alphas=5).solver == "cd-gram-lazy"


def test_a_user_gram_matrix_is_used_as_given_only_for_the_untransformed_X():
    X = np.random.default_rng(8).standard_normal((50, 6))
    G = X.T @ X
    plain = check_penalty(1.0, 6)
    given = _plan.make_plan(X, G, transformed=False, penalty=plain)
    assert given.user_gram is G and not given.recompute_warning
    centered = _plan.make_plan(X, G, transformed=True, penalty=plain)
    assert centered.user_gram is None and centered.recompute_warning
    rescaled = check_penalty(1.0, 6, penalty_factor=np.linspace(0.5, 2, 6))
    assert _plan.make_plan(X, G, transformed=False, penalty=rescaled).recompute_warning
    boxed = check_penalty(1.0, 6, upper_bounds=1.0)  # bounds leave the columns alone
    assert _plan.make_plan(X, G, transformed=False, penalty=boxed).user_gram is G


@pytest.mark.parametrize("kind", ["dense", "sparse", "statistics"])
def test_designs_are_immutable_and_inputs_untouched(kind):
    rng = np.random.default_rng(9)
    X = rng.standard_normal((60, 8)) + 3.0
    y = X @ rng.standard_normal(8) + 1.0
    Xin = sparse.csc_matrix(X) if kind == "sparse" else X
    before = (Xin.copy(), y.copy())
    pen = check_penalty(0.7, 8, penalty_factor=np.r_[0.0, np.linspace(0.5, 2, 7)],
                        upper_bounds=np.r_[np.inf, np.full(7, 5.0)])
    settings = check_settings()
    problem = prepare(Xin, y, np.linspace(0.5, 1.5, 60), settings, pen, fit_intercept=True, standardize=True,
                      precompute=kind == "statistics")
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.design.fit_intercept = False
    with pytest.raises(AttributeError):
        problem.plan.kernel = "residual"
    with pytest.raises(AttributeError):
        settings.tol = 1.0
    first = solve_path(problem, np.array([0.5, 0.05]), settings)
    again = solve_path(problem, np.array([0.5, 0.05]), settings)  # the same design serves twice, unchanged
    np.testing.assert_array_equal(first.coefs, again.coefs)
    np.testing.assert_array_equal(first.dual_gaps, again.dual_gaps)
    assert (abs(Xin - before[0]).max() if kind == "sparse" else np.abs(Xin - before[0]).max()) == 0
    np.testing.assert_array_equal(y, before[1])


def test_settings_are_validated_once_and_carry_the_path_stops():
    s = check_settings(tol=1e-6, max_iter=50, selection="random", random_state=3, early_stopping=True)
    assert isinstance(s, Settings) and s.random and s.seed != 1 and s.devmax == 0.999 and s.fdev == 1e-5
    assert check_settings(selection="random", random_state=3).seed == s.seed  # the seed is the state's
    assert check_settings().devmax is None  # the stops are off unless asked for
    with pytest.raises(ValueError, match="tol"):
        check_settings(tol=-1.0)
    with pytest.raises(ValueError, match="penalty_factor"):
        check_penalty(1.0, 3, penalty_factor=[0.0, 0.0, np.inf])
    with pytest.raises(ValueError, match="penalty_factor 0 cannot also be bounded"):
        check_penalty(1.0, 3, penalty_factor=[0.0, 1.0, 1.0], upper_bounds=1.0)


def test_sparse_residual_cost_grows_once_the_residual_leaves_the_cache(monkeypatch):
    """precompute='auto' on one-hot data: the residual path's visits cost RESIDUAL_OUT_OF_CACHE more once
    the n-value residual outgrows RESIDUAL_CACHE_BYTES (the Gram product's cost does not depend on n),
    so the same data pick the Gram kernel past that size and residual updates below it."""
    rng = np.random.default_rng(41)
    n, levels = 4000, 60
    cols = np.concatenate([rng.integers(0, levels, n), levels + rng.integers(0, levels, n),
                           2 * levels + rng.integers(0, levels, n)])
    rows = np.tile(np.arange(n), 3)  # (each row one level of each of three variables)
    X = sparse.csc_matrix((np.ones(3 * n), (rows, cols)), shape=(n, 3 * levels))
    gram = _plan.GRAM_PRODUCT_COST * float(np.bincount(X.indices, minlength=n) @ np.bincount(X.indices, minlength=n)) / 2 \
        + 2.0 * X.shape[1] ** 2
    # n_alphas between the in-cache and the out-of-cache break-even points
    per_alpha = _plan.RESIDUAL_PASSES_PER_ALPHA * X.nnz
    n_alphas = int(np.ceil(gram / (per_alpha * _plan.RESIDUAL_OUT_OF_CACHE) * 1.2))
    assert per_alpha * n_alphas < gram < per_alpha * n_alphas * _plan.RESIDUAL_OUT_OF_CACHE
    monkeypatch.setattr(_plan, "RESIDUAL_CACHE_BYTES", n * 8)  # the residual just fits
    assert _plan.sparse_gram_plan(X, n_alphas) is None
    monkeypatch.setattr(_plan, "RESIDUAL_CACHE_BYTES", n * 8 - 1)  # it does not
    assert _plan.sparse_gram_plan(X, n_alphas).kernel == "gram"


def test_sparse_gram_columns_come_on_demand_for_many_columns(monkeypatch):
    """With LAZY_SPARSE_MIN_FEATURES columns or more a sparse X's Gram kernel takes its columns on
    demand, once the residual path's visits exceed LAZY_SPARSE_PASSES of each stored value; below that
    many columns the full-matrix model decides."""
    X = sparse.random(3000, 600, density=0.01, format="csc", random_state=3)
    per_alpha = _plan.RESIDUAL_PASSES_PER_ALPHA * X.nnz * _plan.RESIDUAL_OUT_OF_CACHE
    monkeypatch.setattr(_plan, "RESIDUAL_CACHE_BYTES", 0)
    break_even = _plan.LAZY_SPARSE_PASSES * X.nnz / per_alpha  # (exact in these units)
    assert _plan.sparse_gram_plan(X, int(np.floor(break_even))) is None
    assert _plan.sparse_gram_plan(X, int(np.floor(break_even)) + 1).kernel == "gram-lazy"
    assert _plan.make_plan(X, "auto", transformed=True, penalty=check_penalty(1.0, 600),
                           n_alphas=100).kernel == "gram-lazy"
    monkeypatch.setattr(_plan, "LAZY_SPARSE_MIN_FEATURES", 601)
    assert _plan.sparse_gram_plan(X, 100).kernel != "gram-lazy"

"""Bad input gets a clear error; degenerate but legal input gets a finite, correct answer.

Every check runs through both front ends: the path function and the estimators.
"""
import warnings

import numpy as np
import pytest
from scipy import sparse

import fastreg

ENTRIES = ("enet_path", "ElasticNet", "Lasso")


def fit(entry, X, y, *, alpha=0.1, sample_weight=None, **params):
    """Fit through one front end; returns (coef, intercept, gap) of the (single-alpha) solution."""
    if entry == "enet_path":
        path = fastreg.enet_path(X, y, alphas=[alpha], sample_weight=sample_weight, **params)
        return path.coefs[:, 0], path.intercepts[0], path.dual_gaps[0]
    cls = fastreg.Lasso if entry == "Lasso" else fastreg.ElasticNet
    if entry == "Lasso":
        params.pop("l1_ratio", None)
    est = cls(alpha=alpha, **params).fit(X, y, sample_weight=sample_weight)
    return est.coef_, est.intercept_, est.dual_gap_


@pytest.fixture(params=ENTRIES)
def entry(request):
    return request.param


@pytest.fixture
def data():
    rng = np.random.default_rng(60)
    X = rng.standard_normal((20, 4))
    y = X @ np.array([1.0, 0.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(20)
    return X, y


# ----------------------------------------------------------------------------- bad input: clear errors


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_X(entry, data, bad):
    X, y = data
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match=r"\bX\b.*(NaN|infinity)"):
        fit(entry, X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite_y(entry, data, bad):
    X, y = data
    y = y.copy()
    y[5] = bad
    with pytest.raises(ValueError, match=r"\by\b.*(NaN|infinity)"):
        fit(entry, X, y)


def test_X_must_be_2d(entry, data):
    X, y = data
    with pytest.raises(ValueError, match=r"2D.*\bX\b|\bX\b.*2D"):
        fit(entry, X[:, 0], y)
    with pytest.raises(ValueError, match=r"2D.*\bX\b|\bX\b.*2D"):
        fit(entry, X[:, :, None], y)
    with pytest.raises(ValueError, match=r"2D.*\bX\b|\bX\b.*2D"):
        fit(entry, 3.0, y[:1])


def test_length_mismatch(entry, data):
    X, y = data
    with pytest.raises(ValueError, match=r"(?s)\bX\b.*\by\b.*20.*19"):
        fit(entry, X, y[:-1])
    with pytest.raises(ValueError, match=r"(?s)\bX\b.*\by\b.*19.*20"):
        fit(entry, X[:-1], y)


def test_empty_X(entry, data):
    X, y = data
    with pytest.raises(ValueError, match=r"0 sample.*\bX\b"):
        fit(entry, X[:0], y[:0])
    with pytest.raises(ValueError, match=r"0 feature.*\bX\b"):
        fit(entry, X[:, :0], y)


@pytest.mark.parametrize("make", [
    lambda X: X.astype(str),                     # numpy unicode strings
    lambda X: np.array([["a"] * X.shape[1]] * X.shape[0], dtype=object),  # Python strings
])
def test_non_numeric_X(entry, data, make):
    X, y = data
    with pytest.raises((TypeError, ValueError), match=r"\bX\b.*(numer|number)"):
        fit(entry, make(X), y)


def test_non_numeric_y(entry, data):
    X, y = data
    with pytest.raises((TypeError, ValueError), match=r"\by\b.*(numer|number)"):
        fit(entry, X, np.array(["a"] * len(y), dtype=object))


def test_complex_X(entry, data):
    X, y = data
    with pytest.raises(ValueError, match=r"[Cc]omplex.*\bX\b"):
        fit(entry, X + 1j, y)
    with pytest.raises(ValueError, match=r"[Cc]omplex.*\by\b"):
        fit(entry, X, y + 1j)


@pytest.mark.parametrize("alpha", [-1.0, -1e-300, np.nan, np.inf])
def test_bad_alpha(entry, data, alpha):
    X, y = data
    name = "alphas" if entry == "enet_path" else "alpha"
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        fit(entry, X, y, alpha=alpha)


def test_alpha_of_wrong_type(data):
    X, y = data
    with pytest.raises(TypeError, match=r"\balpha\b"):
        fastreg.Lasso(alpha="0.1").fit(X, y)
    with pytest.raises(ValueError, match=r"\balphas\b"):
        fastreg.enet_path(X, y, alphas=[])
    with pytest.raises(ValueError, match=r"\balphas\b"):
        fastreg.enet_path(X, y, alphas=[[0.1, 0.2]])


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.1, np.nan])
def test_bad_l1_ratio(data, l1_ratio):
    X, y = data
    with pytest.raises(ValueError, match=r"\bl1_ratio\b"):
        fastreg.enet_path(X, y, l1_ratio=l1_ratio)
    with pytest.raises(ValueError, match=r"\bl1_ratio\b"):
        fastreg.ElasticNet(l1_ratio=l1_ratio).fit(X, y)


def test_automatic_grid_needs_l1(data):
    X, y = data
    with pytest.raises(ValueError, match=r"l1_ratio.*alphas|alphas.*l1_ratio"):
        fastreg.enet_path(X, y, l1_ratio=0.0)


@pytest.mark.parametrize("max_iter,exc", [(0, ValueError), (-3, ValueError), (2.5, TypeError), ("10", TypeError),
                                          (None, TypeError)])
def test_bad_max_iter(entry, data, max_iter, exc):
    X, y = data
    with pytest.raises(exc, match=r"\bmax_iter\b"):
        fit(entry, X, y, max_iter=max_iter)


def test_integer_like_max_iter_is_accepted(entry, data):
    X, y = data
    coef, _, _ = fit(entry, X, y, max_iter=np.int64(500))
    assert np.isfinite(coef).all()


@pytest.mark.parametrize("tol", [-1e-4, np.nan])
def test_bad_tol(entry, data, tol):
    X, y = data
    with pytest.raises(ValueError, match=r"\btol\b"):
        fit(entry, X, y, tol=tol)


@pytest.mark.parametrize("selection", ["shuffle", "", None, 1])
def test_bad_selection(entry, data, selection):
    X, y = data
    with pytest.raises(ValueError, match=r"\bselection\b"):
        fit(entry, X, y, selection=selection)


@pytest.mark.parametrize("precompute", ["yes", "Auto", None, np.eye(3)])
def test_bad_precompute(entry, data, precompute):
    X, y = data
    with pytest.raises(ValueError, match=r"\bprecompute\b"):
        fit(entry, X, y, precompute=precompute)


def test_bad_random_state(entry, data):
    X, y = data
    with pytest.raises(ValueError, match=r"\brandom_state\b"):
        fit(entry, X, y, selection="random", random_state="seed")


def test_bad_grid_parameters(data):
    X, y = data
    with pytest.raises(ValueError, match=r"\beps\b"):
        fastreg.enet_path(X, y, eps=0.0)
    with pytest.raises(ValueError, match=r"\beps\b"):
        fastreg.enet_path(X, y, eps=-1e-3)
    with pytest.raises(ValueError, match=r"\bn_alphas\b"):
        fastreg.enet_path(X, y, n_alphas=0)
    with pytest.raises(TypeError, match=r"\bn_alphas\b"):
        fastreg.enet_path(X, y, n_alphas=10.5)
    with pytest.raises(ValueError, match=r"\bXy\b"):
        fastreg.enet_path(X, y, Xy=np.zeros(3))


@pytest.mark.parametrize("make,pattern", [
    (lambda sw: -sw, "negative"),
    (lambda sw: np.where(np.arange(len(sw)) == 2, -1.0, sw), "negative"),
    (lambda sw: np.where(np.arange(len(sw)) == 2, np.nan, sw), "NaN"),
    (lambda sw: np.where(np.arange(len(sw)) == 2, np.inf, sw), "infinity"),
    (lambda sw: sw[:-1], "19"),
    (lambda sw: np.column_stack([sw, sw]), "1-D|shape"),
    (lambda sw: 0 * sw, "sum|zero"),
])
def test_bad_sample_weight(entry, data, make, pattern):
    X, y = data
    sw = np.ones(len(y))
    with pytest.raises(ValueError, match=rf"(?s)sample_weight.*({pattern})"):
        fit(entry, X, y, sample_weight=make(sw))


def test_y_none(entry, data):
    X, _ = data
    with pytest.raises(ValueError, match=r"\by\b.*None|None.*\by\b"):
        fit(entry, X, None)


def test_y_of_wrong_shape_for_path(data):
    X, y = data
    # a 2-D y is the multi-task problem (as scikit-learn's enet_path); 3-D is refused
    assert fastreg.enet_path(X, np.column_stack([y, y]), n_alphas=3).coefs.shape[:2] == (2, X.shape[1])
    with pytest.raises(ValueError, match=r"\by\b.*1d|1d.*\by\b"):
        fastreg.enet_path(X, y[:, None, None])


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite_sparse_X(entry, data, fmt, bad):
    X, y = data
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match=r"\bX\b.*(NaN|infinity)"):
        fit(entry, sparse.csr_matrix(X).asformat(fmt), y)
    with pytest.raises(ValueError, match=r"\bX\b.*(NaN|infinity)"):  # the sparse-array API too
        fit(entry, sparse.csr_array(X).asformat(fmt), y)


@pytest.mark.parametrize("shape", [(0, 4), (20, 0)])
def test_empty_sparse_X(entry, shape):
    with pytest.raises(ValueError, match="empty"):
        fit(entry, sparse.csc_matrix(shape), np.ones(shape[0]))


def test_complex_sparse_X(entry, data):
    X, y = data
    with pytest.raises(ValueError, match="Complex"):
        fit(entry, sparse.csc_matrix(X.astype(complex)), y)


def test_sparse_X_and_y_of_different_lengths(entry, data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fit(entry, sparse.csc_matrix(X), y[:-1])


# ----------------------------------------------------------------------------- degenerate but legal data


@pytest.mark.parametrize("value", [0.1, -3.3, 1e5 + 0.7])
def test_constant_column_with_intercept(oracle, dtype, entry, value):
    X, y = oracle.make_regression(37, 6, dtype=dtype, seed=61, intercept=1.0)
    Xk = X.copy()
    Xk[:, 2] = dtype.type(value)
    tol = oracle.tight_tol(dtype)
    alpha = 0.05 * oracle.alpha_max(X, y, fit_intercept=True)
    coef, b, gap = fit(entry, Xk, y, alpha=alpha, l1_ratio=0.8, fit_intercept=True, tol=tol)
    assert np.isfinite(coef).all() and np.isfinite(b) and np.isfinite(gap)
    assert coef[2] == 0, "a constant column carries no information with an intercept"
    keep = [0, 1, 3, 4, 5]
    l1 = 1.0 if entry == "Lasso" else 0.8
    ref, ref_b, ref_gap = fit(entry, X[:, keep], y, alpha=alpha, l1_ratio=0.8, fit_intercept=True, tol=tol)
    oracle.assert_same_solution(X[:, keep], y, coef[keep], gap, ref, ref_gap, alpha, l1, fit_intercept=True,
                                floor=oracle.rounding_floor(dtype, y))
    np.testing.assert_allclose(b, ref_b, rtol=1e-4 if dtype == np.float32 else 1e-8, atol=1e-5)


def test_all_zero_column(oracle, dtype, entry):
    X, y = oracle.make_regression(30, 6, dtype=dtype, seed=62)
    X[:, 4] = 0
    tol = oracle.tight_tol(dtype)
    for fit_intercept in (False, True):
        coef, b, gap = fit(entry, X, y, alpha=0.05, l1_ratio=0.5, fit_intercept=fit_intercept, tol=tol)
        assert coef[4] == 0
        l1 = 1.0 if entry == "Lasso" else 0.5
        oracle.assert_certified(X, y, coef, b, gap, 0.05, l1, tol=tol, dtype=dtype, fit_intercept=fit_intercept)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_all_zero_column_with_nonzero_coef_init(oracle, dtype, fit_intercept):
    """A warm start that puts weight on a zero column must still end at the optimum (w_j = 0)."""
    X, y = oracle.make_regression(30, 6, dtype=dtype, seed=63)
    X[:, 4] = 0
    tol = oracle.tight_tol(dtype)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = fastreg.enet_path(X, y, alphas=[0.05], l1_ratio=0.5, tol=tol, fit_intercept=fit_intercept,
                                 coef_init=np.ones(6, dtype=dtype))
    assert path.coefs[4, 0] == 0, f"the zero column kept its initial weight {path.coefs[4, 0]}"
    assert path.converged.all() and not caught
    oracle.assert_certified(X, y, path.coefs[:, 0], path.intercepts[0], path.dual_gaps[0], 0.05, 0.5, tol=tol,
                            dtype=dtype, fit_intercept=fit_intercept)


@pytest.mark.parametrize("value", [3.7, -1e-3, 0.0])
def test_constant_y(dtype, entry, value):
    rng = np.random.default_rng(64)
    X = rng.standard_normal((25, 5)).astype(dtype)
    y = np.full(25, value, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coef, b, gap = fit(entry, X, y, alpha=0.1, fit_intercept=True)
        path = fastreg.enet_path(X, y, n_alphas=4, fit_intercept=True)
    np.testing.assert_array_equal(coef, 0)
    np.testing.assert_allclose(b, value, rtol=1e-6)
    assert np.isfinite(gap) and gap >= 0
    assert np.isfinite(path.alphas).all() and (path.alphas > 0).all() and len(path.alphas) == 4
    np.testing.assert_array_equal(path.coefs, 0)
    np.testing.assert_allclose(path.intercepts, value, rtol=1e-6)
    assert path.converged.all() and np.isfinite(path.dual_gaps).all()


def test_constant_y_estimator_predicts_the_constant(dtype):
    X = np.random.default_rng(65).standard_normal((25, 5)).astype(dtype)
    est = fastreg.ElasticNet(alpha=1.0).fit(X, np.full(25, 3.7))
    np.testing.assert_array_equal(est.coef_, 0)
    np.testing.assert_allclose(est.predict(X), 3.7, rtol=1e-6)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_duplicated_columns(oracle, dtype, l1_ratio):
    X, y = oracle.make_regression(40, 5, dtype=dtype, seed=66, n_informative=3)
    Xd = np.column_stack([X, X[:, 0], X[:, 0]])  # column 0 three times
    tol = oracle.tight_tol(dtype)
    alpha = 0.05 * oracle.alpha_max(Xd, y, l1_ratio)
    path = fastreg.enet_path(Xd, y, l1_ratio=l1_ratio, alphas=[alpha], tol=tol, max_iter=100_000)
    w, gap = path.coefs[:, 0], path.dual_gaps[0]
    assert np.isfinite(w).all()
    oracle.assert_certified(Xd, y, w, 0.0, gap, alpha, l1_ratio, tol=tol, dtype=dtype)
    w_ref, _, gap_ref = oracle.reference_solution(Xd, y, alpha, l1_ratio)
    # the solution may split the weight between copies, but the objective (and X w) must match
    oracle.assert_same_solution(Xd, y, w, gap, w_ref, gap_ref, alpha, l1_ratio,
                                floor=oracle.rounding_floor(dtype, y))
    floor = oracle.rounding_floor(dtype, y)
    if l1_ratio == 1:
        # the Lasso only sees the total weight of the copies: as a solution of the problem without
        # duplicates, (total, rest) is at most as suboptimal as w
        reduced = np.concatenate([[w[0] + w[5] + w[6]], w[1:5]])
        w_red, _, gap_red = oracle.reference_solution(X, y, alpha, 1.0)
        oracle.assert_same_solution(X, y, reduced, gap, w_red, gap_red, alpha, 1.0, floor=floor)
        assert (np.sign(w[[0, 5, 6]]) * np.sign(reduced[0]) >= 0).all(), "copies with opposite signs"
    else:
        # strictly convex: the copies share equally at the optimum, and each w_j is within
        # sqrt(2 G / lam2) of it
        radius = np.sqrt(2 * (gap + floor) / (alpha * (1 - l1_ratio)))
        assert abs(w[5] - w[0]) <= 2 * radius and abs(w[6] - w[0]) <= 2 * radius
        assert abs(w[0] - w_ref[0]) <= radius + np.sqrt(2 * (gap_ref + floor) / (alpha * (1 - l1_ratio)))


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_single_sample(oracle, dtype, entry, fit_intercept):
    X = np.array([[1.5, -2.0, 0.5]], dtype=dtype)
    y = np.array([2.5], dtype=dtype)
    coef, b, gap = fit(entry, X, y, alpha=0.1, l1_ratio=0.5, fit_intercept=fit_intercept,
                       tol=oracle.tight_tol(dtype))
    assert np.isfinite(coef).all() and np.isfinite(b) and np.isfinite(gap)
    if fit_intercept:
        np.testing.assert_array_equal(coef, 0)
        np.testing.assert_allclose(b, 2.5, rtol=1e-6)
    else:
        l1 = 1.0 if entry == "Lasso" else 0.5
        oracle.assert_certified(X, y, coef, b, gap, 0.1, l1, tol=oracle.tight_tol(dtype), dtype=dtype)
        w_ref, _, gap_ref = oracle.reference_solution(X, y, 0.1, l1)
        oracle.assert_same_solution(X, y, coef, gap, w_ref, gap_ref, 0.1, l1, floor=oracle.rounding_floor(dtype, y))


@pytest.mark.parametrize("kind", ["int64", "int32", "uint8", "bool"])
def test_integer_and_boolean_X(entry, kind):
    rng = np.random.default_rng(67)
    X = (rng.integers(0, 2, (30, 5)) if kind == "bool" else rng.integers(0, 10, (30, 5))).astype(kind)
    y = rng.integers(-5, 5, 30)  # an integer target too
    coef, b, gap = fit(entry, X, y, alpha=0.05, tol=1e-10)
    ref, ref_b, _ = fit(entry, X.astype(np.float64), y.astype(np.float64), alpha=0.05, tol=1e-10)
    assert coef.dtype == np.float64
    np.testing.assert_array_equal(coef, ref)
    assert b == ref_b


def test_float16_is_promoted(entry, data):
    X, y = data
    coef, _, _ = fit(entry, X.astype(np.float16), y)
    assert coef.dtype == np.float64


def test_read_only_arrays(oracle, dtype, entry):
    X, y = oracle.make_regression(30, 6, dtype=dtype, seed=68)
    sw = np.random.default_rng(68).uniform(0.5, 2, 30).astype(dtype)
    expected = [fit(entry, X, y, sample_weight=s, fit_intercept=fi) for s in (None, sw) for fi in (False, True)]
    for arr in (X, y, sw):
        arr.setflags(write=False)
    Xf = np.asfortranarray(X)
    Xf.setflags(write=False)  # handed to the kernel without a copy when nothing needs centering
    results = [fit(entry, X, y, sample_weight=s, fit_intercept=fi) for s in (None, sw) for fi in (False, True)]
    results_f = [fit(entry, Xf, y, sample_weight=s, fit_intercept=fi) for s in (None, sw) for fi in (False, True)]
    for (c0, b0, _), (c1, b1, _), (c2, b2, _) in zip(expected, results, results_f):
        np.testing.assert_array_equal(c0, c1)
        assert b0 == b1
        # the same problem from a differently laid-out copy: rounding differs, so the solvers stop at
        # different points within the default tol (1e-4); they agree to what that gap certifies
        np.testing.assert_allclose(c2, c0, rtol=1e-3, atol=1e-3)
    if entry == "enet_path":
        init = np.ones(6, dtype=dtype)
        init.setflags(write=False)
        path = fastreg.enet_path(X, y, alphas=[0.1], coef_init=init, standardize=True, tol=1e-4)
        assert np.isfinite(path.coefs).all()


@pytest.mark.parametrize("view", ["every_other_column", "transpose_of_C", "every_other_row", "negative_stride"])
def test_non_contiguous_arrays(oracle, dtype, entry, view):
    X, y = oracle.make_regression(40, 12, dtype=dtype, seed=69)
    if view == "every_other_column":
        Xv, yv = X[:, ::2], y
    elif view == "transpose_of_C":
        Xv, yv = np.ascontiguousarray(X.T).T, y  # Fortran order
    elif view == "every_other_row":
        Xv, yv = X[::2], y[::2]
    else:
        Xv, yv = X[::-1, ::-1], y[::-1]
    assert not (Xv.flags.c_contiguous and view != "transpose_of_C")
    tol = oracle.tight_tol(dtype)
    l1 = 1.0 if entry == "Lasso" else 0.5
    for fit_intercept in (False, True):
        coef, b, gap = fit(entry, Xv, yv, alpha=0.05, l1_ratio=0.5, fit_intercept=fit_intercept, tol=tol)
        ref, ref_b, ref_gap = fit(entry, np.ascontiguousarray(Xv), np.ascontiguousarray(yv), alpha=0.05,
                                  l1_ratio=0.5, fit_intercept=fit_intercept, tol=tol)
        oracle.assert_same_solution(Xv, yv, coef, gap, ref, ref_gap, 0.05, l1, fit_intercept=fit_intercept,
                                    floor=oracle.rounding_floor(dtype, yv))
        oracle.assert_certified(Xv, yv, coef, b, gap, 0.05, l1, tol=tol, dtype=dtype, fit_intercept=fit_intercept)


# ----------------------------------------------------------------------------- extreme scales

SCALES = {
    np.float32: [(1e30, 1.0), (1.0, 1e30), (1e-30, 1.0), (1.0, 1e-30), (1e30, 1e30), (1e-30, 1e-30)],
    np.float64: [(1e150, 1.0), (1.0, 1e150), (1e-150, 1.0), (1.0, 1e-150), (1e150, 1e150), (1e-150, 1e-150)],
}
SCALE_CASES = [(dt, sx, sy) for dt, pairs in SCALES.items() for sx, sy in pairs]


@pytest.mark.parametrize("dt,sx,sy", SCALE_CASES, ids=[f"{np.dtype(d).name}-X{sx:g}-y{sy:g}" for d, sx, sy in
                                                       SCALE_CASES])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_extreme_scales_path(oracle, dt, sx, sy, fit_intercept):
    """Lasso on (sx X, sy y) with alphas * sx * sy is the unit-scale problem with coefs * sy / sx."""
    dtype = np.dtype(dt)
    X, y = oracle.make_regression(30, 8, dtype=dtype, seed=70, intercept=2.0)
    tol = oracle.tight_tol(dtype)
    Xs = (X.astype(np.float64) * sx).astype(dtype)
    ys = (y.astype(np.float64) * sy).astype(dtype)
    assert np.isfinite(Xs).all() and np.isfinite(ys).all() and (Xs != 0).all()
    unit = fastreg.lasso_path(X, y, n_alphas=5, tol=tol, fit_intercept=fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = fastreg.lasso_path(Xs, ys, alphas=unit.alphas * (sx * sy), tol=tol, fit_intercept=fit_intercept)
    assert scaled.converged.all()
    assert np.isfinite(scaled.coefs).all() and np.isfinite(scaled.dual_gaps).all()
    floor = oracle.rounding_floor(dtype, y)
    for i, alpha in enumerate(unit.alphas):
        w = scaled.coefs[:, i].astype(np.float64) * (sx / sy)
        gap = scaled.dual_gaps[i] / sy**2  # objectives scale with sy^2
        oracle.assert_certified(X, y, w, scaled.intercepts[i] / sy, gap, alpha, 1.0, tol=tol, dtype=dtype,
                                fit_intercept=fit_intercept, what=f"alpha[{i}]")
        oracle.assert_same_solution(X, y, w, gap, unit.coefs[:, i], unit.dual_gaps[i], alpha, 1.0,
                                    fit_intercept=fit_intercept, floor=floor, what=f"alpha[{i}]")


@pytest.mark.parametrize("dt,sx,sy", [c for c in SCALE_CASES if c[1] == c[2]],
                         ids=lambda v: f"{v:g}" if isinstance(v, float) else np.dtype(v).name)
def test_extreme_scales_estimators(oracle, dt, sx, sy):
    """ElasticNet on (s X, s y) with alpha * s^2 is the unit problem with the same coefs, intercept * s."""
    dtype = np.dtype(dt)
    X, y = oracle.make_regression(30, 8, dtype=dtype, seed=71, intercept=2.0)
    tol = oracle.tight_tol(dtype)
    s = sx
    Xs = (X.astype(np.float64) * s).astype(dtype)
    ys = (y.astype(np.float64) * s).astype(dtype)
    for est in (fastreg.Lasso(alpha=0.05, tol=tol), fastreg.ElasticNet(alpha=0.05, l1_ratio=0.5, tol=tol)):
        unit = type(est)(**est.get_params()).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scaled = type(est)(**dict(est.get_params(), alpha=0.05 * s * s)).fit(Xs, ys)
        l1 = 1.0 if isinstance(est, fastreg.Lasso) else 0.5
        gap = scaled.dual_gap_ / s**2
        oracle.assert_same_solution(X, y, scaled.coef_, gap, unit.coef_, unit.dual_gap_, 0.05, l1, fit_intercept=True,
                                    floor=oracle.rounding_floor(dtype, y))
        np.testing.assert_allclose(scaled.intercept_ / s, unit.intercept_, rtol=1e-3 if dtype == np.float32 else 1e-8)
        pred = scaled.predict(Xs).astype(np.float64) / s
        np.testing.assert_allclose(pred, unit.predict(X), rtol=1e-3 if dtype == np.float32 else 1e-8,
                                   atol=1e-4 * np.abs(y).max())


@pytest.mark.parametrize("dt,sx,sy", SCALE_CASES, ids=[f"{np.dtype(d).name}-X{sx:g}-y{sy:g}" for d, sx, sy in
                                                       SCALE_CASES])
def test_extreme_scales_default_grid(oracle, dt, sx, sy):
    """The automatic grid scales with the data: alpha_max(sx X, sy y) = sx sy alpha_max(X, y)."""
    dtype = np.dtype(dt)
    X, y = oracle.make_regression(30, 8, dtype=dtype, seed=70, intercept=2.0)
    Xs = (X.astype(np.float64) * sx).astype(dtype)
    ys = (y.astype(np.float64) * sy).astype(dtype)
    unit = fastreg.lasso_path(X, y, n_alphas=5, tol=1e-4, fit_intercept=True)
    scaled = fastreg.lasso_path(Xs, ys, n_alphas=5, tol=1e-4, fit_intercept=True)
    np.testing.assert_allclose(scaled.alphas / (sx * sy), unit.alphas, rtol=1e-5 if dtype == np.float32 else 1e-12)
    np.testing.assert_array_equal(scaled.coefs[:, 0], 0)
    assert np.count_nonzero(scaled.coefs[:, -1]) > 0


@pytest.mark.parametrize("dt,scale,alpha", [(np.float32, 1e-30, 1e-15), (np.float32, 1.0, 1e38),
                                            (np.float64, 1e-150, 1e10), (np.float64, 1.0, 1e308)])
def test_alpha_far_above_alpha_max_at_any_scale(dt, scale, alpha):
    """A finite alpha far above alpha_max gives w = 0 with gap 0, however the penalty is represented."""
    rng = np.random.default_rng(73)
    X = rng.standard_normal((30, 4))
    y = X @ np.array([1.0, -2.0, 0.0, 0.5])
    Xs, ys = (X * scale).astype(dt), (y * scale).astype(dt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = fastreg.lasso_path(Xs, ys, alphas=[alpha])
        est = fastreg.ElasticNet(alpha=alpha).fit(Xs, ys)
    np.testing.assert_array_equal(path.coefs, 0)
    np.testing.assert_array_equal(est.coef_, 0)
    assert path.dual_gaps[0] == 0 and est.dual_gap_ == 0, (path.dual_gaps[0], est.dual_gap_)
    assert path.converged.all()
    assert not caught, [f"{w.category.__name__}: {w.message}" for w in caught]  # e.g. overflow RuntimeWarnings


# ----------------------------------------------------------------------------- inputs are never modified


def _snapshot(*arrays):
    return [None if a is None else (a.tobytes(order="A"), a.dtype, a.shape, a.strides) for a in arrays]


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("magnitude", [1.0, "huge"])
def test_inputs_never_modified(oracle, dtype, entry, order, fit_intercept, weighted, magnitude):
    X, y = oracle.make_regression(25, 6, dtype=dtype, seed=72, intercept=1.0)
    sw = np.random.default_rng(72).uniform(0.5, 2.0, 25).astype(dtype) if weighted else None
    alpha = 0.1 * oracle.alpha_max(X, y, fit_intercept=fit_intercept, sample_weight=sw)
    if magnitude == "huge":  # takes the rescaling branch of the design
        big = 1e30 if dtype == np.float32 else 1e150
        X = (X.astype(np.float64) * big).astype(dtype)
        y = (y.astype(np.float64) * big).astype(dtype)
        alpha *= big * big
    X = np.array(X, order=order)
    coef_init = np.linspace(-1, 1, 6).astype(dtype)
    before = _snapshot(X, y, sw, coef_init)
    if entry == "enet_path":
        for standardize in (False, True):
            fastreg.enet_path(X, y, alphas=[alpha, alpha / 2], fit_intercept=fit_intercept, sample_weight=sw,
                              coef_init=coef_init, standardize=standardize, tol=1e-3, copy_X=False,
                              check_input=False)
            fastreg.enet_path(X, y, n_alphas=3, fit_intercept=fit_intercept, sample_weight=sw, Xy=None, tol=1e-3)
    else:
        cls = fastreg.Lasso if entry == "Lasso" else fastreg.ElasticNet
        est = cls(alpha=alpha, fit_intercept=fit_intercept, warm_start=True, tol=1e-3, copy_X=False)
        est.fit(X, y, sample_weight=sw)
        est.fit(X, y, sample_weight=sw)
        est.predict(X)
        est.score(X, y, sample_weight=sw)
    assert _snapshot(X, y, sw, coef_init) == before


# ----------------------------------------------------------------------------- precomputed inputs

GRAM_REFUSED = "Gram matrix passed in via 'precompute' parameter did not pass validation"


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_honest_gram_matrices_are_accepted(oracle, dtype, kind):
    """X^T X however it was computed (BLAS, float64 of float32 data, a plain sum of outer products) passes."""
    X, y = oracle.make_regression(400, 12, dtype=dtype, seed=131, offsets=True)
    X64 = X.astype(np.float64)
    grams = [X.T @ X, X64.T @ X64, np.einsum("ij,ik->jk", X, X), sum(np.outer(row, row) for row in X)]
    Xk = sparse.csc_matrix(X) if kind == "sparse" else X
    reference = fastreg.lasso_path(Xk, y, n_alphas=4, precompute=True)
    for G in grams:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            path = fastreg.lasso_path(Xk, y, n_alphas=4, precompute=np.asarray(G))
        np.testing.assert_allclose(path.alphas, reference.alphas, rtol=1e-5)
        fastreg.Lasso(alpha=0.1, fit_intercept=False, precompute=np.asarray(G)).fit(Xk, y)


def _flipped(G):
    """G with its largest eigenvalue made negative: symmetric, not positive semi-definite."""
    values, vectors = np.linalg.eigh(G)
    return G - 2 * values[-1] * np.outer(vectors[:, -1], vectors[:, -1])


@pytest.mark.parametrize("make,found", [
    (lambda X, G: 2 * G, r"does not match X\.T @ X.*: relative difference 1 in a random direction"),
    (lambda X, G: G * (1 + 1e-5), r"does not match X\.T @ X"),  # far above float64 rounding
    (lambda X, G: (X[::-1] + 0.1).T @ (X[::-1] + 0.1), r"does not match X\.T @ X"),
    (lambda X, G: G + np.triu(np.full(G.shape, 0.5), 1), "is not symmetric"),
    (lambda X, G: G - 2 * np.diag(np.diag(G)) * (np.arange(len(G)) == 3), "negative diagonal entry"),
    (lambda X, G: _flipped(G), "did not pass validation"),
])
def test_wrong_gram_matrices_are_refused(oracle, make, found):
    X, y = oracle.make_regression(60, 8, seed=132)
    bad = make(X, X.T @ X)
    for fit in (lambda: fastreg.lasso_path(X, y, n_alphas=3, precompute=bad),
                lambda: fastreg.ElasticNet(alpha=0.1, fit_intercept=False, precompute=bad).fit(X, y),
                # also when it would be recomputed (an intercept): a matrix of other data is a mistake
                lambda: fastreg.Lasso(alpha=0.1, precompute=bad).fit(X, y),
                lambda: fastreg.LassoCV(alphas=3, cv=3, precompute=bad).fit(X, y)):
        with pytest.raises(ValueError, match=found) as caught:
            fit()
        assert GRAM_REFUSED in str(caught.value) and "precompute=True" in str(caught.value)


def test_float32_gram_tolerance_is_float32_rounding(oracle):
    X, y = oracle.make_regression(500, 10, dtype=np.float32, seed=133)
    G = X.T @ X
    fastreg.lasso_path(X, y, n_alphas=3, precompute=G * np.float32(1 + 1e-6))  # float32 rounding: accepted
    with pytest.raises(ValueError, match=GRAM_REFUSED):
        fastreg.lasso_path(X, y, n_alphas=3, precompute=G * np.float32(1 + 1e-2))


def test_sklearn_precomputed_gram_tests_pass():
    """scikit-learn's own tests of a precomputed Gram matrix (test_coordinate_descent.py), on fastreg (with a
    tight tol where two fits are compared: fastreg's solvers stop anywhere within their certified gap)."""
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((50, 10)), rng.standard_normal(50)
    # test_elasticnet_precompute_incorrect_gram
    X_centered = X - np.average(X, axis=0)
    garbage = rng.standard_normal(X.shape)
    with pytest.raises(ValueError, match="Gram matrix.*did not pass validation.*"):
        fastreg.ElasticNet(alpha=0.01, precompute=garbage.T @ garbage).fit(X_centered, y)
    # test_elasticnet_precompute_gram_weighted_samples: the Gram matrix of X as scikit-learn preprocesses it
    sample_weight = rng.lognormal(size=y.shape)
    w_norm = sample_weight * (y.shape / np.sum(sample_weight))
    X_c = X - np.average(X, axis=0, weights=w_norm)
    X_r = X_c * np.sqrt(w_norm)[:, np.newaxis]
    with pytest.warns(UserWarning, match="recomputing"):
        clf1 = fastreg.ElasticNet(alpha=0.01, precompute=X_r.T @ X_r, tol=1e-12).fit(X_c, y,
                                                                                   sample_weight=sample_weight)
    clf2 = fastreg.ElasticNet(alpha=0.01, precompute=False, tol=1e-12).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(clf1.coef_, clf2.coef_, rtol=1e-6)
    # test_elasticnet_precompute_gram: float32 data
    rng = np.random.RandomState(58)
    X = rng.binomial(1, 0.25, (1000, 4)).astype(np.float32)
    y = rng.rand(1000).astype(np.float32)
    X_c = X - np.average(X, axis=0)
    with pytest.warns(UserWarning, match="recomputing"):
        clf1 = fastreg.ElasticNet(alpha=0.01, precompute=np.dot(X_c.T, X_c), tol=1e-7).fit(X_c, y)
    clf2 = fastreg.ElasticNet(alpha=0.01, precompute=False, tol=1e-7).fit(X, y)
    np.testing.assert_allclose(clf1.coef_, clf2.coef_, rtol=1e-5)


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("precompute", [True, False])
def test_xy_of_the_problem_solved_gives_the_same_grid(oracle, fit_intercept, weighted, standardize, precompute):
    X, y = oracle.make_regression(50, 7, seed=134, intercept=3.0)
    sw = np.random.default_rng(134).uniform(0.2, 3.0, 50) if weighted else None
    s = np.ones(50) if sw is None else sw * 50 / sw.sum()
    Xc, yc = X.copy(), y.copy()
    if fit_intercept:
        Xc, yc = X - s @ X / 50, y - s @ y / 50
    if standardize:
        Xc = Xc / np.sqrt(s @ Xc**2 / 50)
    Xy = Xc.T @ (s * yc)
    kw = dict(n_alphas=4, fit_intercept=fit_intercept, sample_weight=sw, standardize=standardize,
              precompute=precompute, tol=1e-8)
    a = fastreg.enet_path(X, y, **kw)
    b = fastreg.enet_path(X, y, Xy=Xy, **kw)
    np.testing.assert_allclose(b.alphas, a.alphas, rtol=1e-10)
    if not standardize:  # the oracle has no standardization
        np.testing.assert_allclose(b.alphas[0], oracle.alpha_max(X, y, 0.5, sample_weight=sw,
                                                                 fit_intercept=fit_intercept), rtol=1e-10)


def test_xy_of_another_problem_is_refused(oracle):
    X, y = oracle.make_regression(50, 7, seed=135, intercept=3.0)
    with pytest.raises(ValueError, match=r"Xy does not match X\.T @ y.*centered.*Xy=None"):
        fastreg.enet_path(X, y, fit_intercept=True, Xy=X.T @ y)  # the raw product, with an intercept
    with pytest.raises(ValueError, match=r"Xy does not match"):
        fastreg.enet_path(X, y, Xy=X.T @ (2 * y))
    with pytest.raises(ValueError, match=r"\bXy\b.*(NaN|infinity)"):
        fastreg.enet_path(X, y, Xy=np.where(np.arange(7) == 2, np.nan, X.T @ y))
    # only the automatic grid uses Xy: with the alphas given it is not compared with the data
    fastreg.enet_path(X, y, alphas=[0.1], Xy=X.T @ (2 * y))


# ----------------------------------------------------------------------------- combined statistics


def _block(X, y, rows, shift=None):
    return fastreg.SufficientStats.from_arrays(X[rows], y[rows], shift=shift)


def test_subtracting_rows_never_added_is_refused(oracle):
    X, y = oracle.make_regression(60, 5, seed=136)
    first = _block(X, y, slice(0, 20))
    rest = _block(X, y, slice(20, 60), shift=first.shift)
    with pytest.raises(ValueError, match=r"stats - other leaves n_rows = -20 < 0: rows were subtracted"):
        first - rest
    weighted = fastreg.SufficientStats.from_arrays(X[:20], y[:20], np.full(20, 3.0), shift=first.shift)
    with pytest.raises(ValueError, match=r"weight_sum = -40 < 0"):
        first - weighted
    assert (first - first).n_rows == 0  # empty but legal as a value ...
    with pytest.raises(ValueError, match=r"stats holds no rows"):
        fastreg.enet_path_from_stats(first - first)  # ... not as a problem


@pytest.mark.parametrize("dtype_", [np.float32, np.float64])
def test_honest_differences_pass_the_stats_check(oracle, dtype_):
    """total - fold, with columns constant within a fold and a single row left: rounding is not an error."""
    X, y = oracle.make_regression(3000, 6, dtype=dtype_, seed=137, intercept=50.0)
    X[:, 1] = dtype_(7.0)
    X[:600, 2] = 0  # constant on the first fold
    total = fastreg.SufficientStats.from_arrays(X, y)
    for k in range(5):
        fold = _block(X, y, slice(600 * k, 600 * (k + 1)), shift=total.shift)
        path = fastreg.enet_path_from_stats(total - fold, n_alphas=3)
        assert np.isfinite(path.coefs).all()
    fastreg.enet_path_from_stats(total - _block(X, y, slice(1, 3000), shift=total.shift), alphas=[1.0])
    collinear = fastreg.SufficientStats.from_arrays(X, 3 * X[:, 0])  # Cauchy-Schwarz with equality
    fastreg.enet_path_from_stats(collinear, n_alphas=3)


def _stats_with(stats, **changes):
    fields = dict(XtX=stats.XtX, Xty=stats.Xty, yty=stats.yty, sx=stats.sx, sy=stats.sy,
                  weight_sum=stats.weight_sum, n_rows=stats.n_rows, x_shift=stats.x_shift, y_shift=stats.y_shift)
    return fastreg.SufficientStats(**{**fields, **changes})


@pytest.mark.parametrize("change,found", [
    (lambda s: dict(XtX=s.XtX - 2 * np.diag(np.diag(s.XtX))), "negative diagonal entry"),
    (lambda s: dict(sx=s.sx + 10 * np.sqrt(np.diag(s.XtX) * s.weight_sum)), "negative diagonal entry"),
    (lambda s: dict(yty=-s.yty), r"y\^T y is negative"),
    (lambda s: dict(Xty=s.Xty + 3 * np.sqrt(np.diag(s.XtX) * s.yty)), "Cauchy-Schwarz"),
    (lambda s: dict(XtX=np.full_like(s.XtX, np.nan)), "NaN or infinity"),
    (lambda s: dict(sx=s.sx[:-1]), r"stats\.sx must have shape"),
    (lambda s: dict(XtX=s.XtX[:, :-1]), r"stats\.XtX must be a square"),
])
def test_statistics_of_no_data_are_refused(oracle, change, found):
    X, y = oracle.make_regression(80, 5, seed=138, intercept=2.0)
    stats = fastreg.SufficientStats.from_arrays(X, y)
    with pytest.raises(ValueError, match=rf"\bstats\b.*{found}|{found}.*\bstats\b"):
        fastreg.enet_path_from_stats(_stats_with(stats, **change(stats)))


def test_stats_minus_data_of_another_block():
    """A block of other data subtracted keeps n_rows >= 0 but leaves no possible data: caught at fit time."""
    rng = np.random.default_rng(139)
    X, y = rng.standard_normal((100, 4)), rng.standard_normal(100)
    total = fastreg.SufficientStats.from_arrays(X, y)
    impostor = fastreg.SufficientStats.from_arrays(5 * X[:50], y[:50], shift=total.shift)
    with pytest.raises(ValueError, match="not the statistics of any data"):
        fastreg.enet_path_from_stats(total - impostor)


# ----------------------------------------------------------------------------- every feature excluded


@pytest.mark.parametrize("kind", ["dense", "sparse", "float32"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_feature_excluded_is_the_intercept_only_model(data, kind, fit_intercept, weighted):
    X, y = data
    y = y + 3.0
    sw = np.random.default_rng(140).uniform(0.5, 2.0, len(y)) if weighted else None
    Xk = {"dense": X, "sparse": sparse.csc_matrix(X), "float32": X.astype(np.float32)}[kind]
    excluded = np.full(X.shape[1], np.inf)
    intercept = np.average(y, weights=sw) if fit_intercept else 0.0
    rtol = 1e-6 if kind == "float32" else 1e-12
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for precompute in ("auto", True, False):
            path = fastreg.enet_path(Xk, y, penalty_factor=excluded, fit_intercept=fit_intercept, sample_weight=sw,
                                     n_alphas=4, precompute=precompute, coef_init=np.ones(X.shape[1]))
            assert path.coefs.shape == (X.shape[1], 4) and not path.coefs.any()
            assert (path.dual_gaps == 0).all() and path.converged.all()
            np.testing.assert_allclose(path.intercepts, intercept, rtol=rtol)
        for est in (fastreg.Lasso(alpha=0.1, penalty_factor=excluded, fit_intercept=fit_intercept, warm_start=True),
                    fastreg.ElasticNet(alpha=0.1, penalty_factor=excluded, fit_intercept=fit_intercept),
                    fastreg.LassoCV(penalty_factor=excluded, fit_intercept=fit_intercept, cv=3, alphas=4)):
            est.fit(Xk, y, sample_weight=sw).fit(Xk, y, sample_weight=sw)  # twice: the warm start too
            assert est.coef_.shape == (X.shape[1],) and not est.coef_.any() and est.dual_gap_ == 0
            np.testing.assert_allclose(est.intercept_, intercept, rtol=rtol)
            np.testing.assert_allclose(est.predict(Xk), intercept, rtol=rtol)


@pytest.mark.parametrize("cls", [fastreg.Lasso, fastreg.ElasticNet, fastreg.Ridge, fastreg.LassoCV])
def test_score_checks_its_arguments(cls):
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((30, 3)), rng.standard_normal(30)
    model = cls().fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.score(X, y[:5])
    with pytest.raises(ValueError, match="NaN"):
        model.score(X, np.r_[y[:-1], np.nan])
    with pytest.raises(TypeError, match="sample_weight"):
        model.score(X, y, sample_weight="a")
    with pytest.raises(ValueError, match="negative"):
        model.score(X, y, sample_weight=-np.ones(30))
    assert model.score(X, y, sample_weight=np.ones(30)) == pytest.approx(model.score(X, y), rel=1e-12)

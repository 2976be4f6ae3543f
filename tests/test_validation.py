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
    with pytest.raises(ValueError, match=r"\by\b.*1d|1d.*\by\b"):
        fastreg.enet_path(X, np.column_stack([y, y]))


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

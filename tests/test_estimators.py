"""Lasso and ElasticNet estimators: parity with scikit-learn and the estimator protocol."""
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn import linear_model as sk_lm
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

import fastreg

ESTIMATORS = {"Lasso": (fastreg.Lasso, sk_lm.Lasso), "ElasticNet": (fastreg.ElasticNet, sk_lm.ElasticNet)}


def _pair(name, **params):
    ours, theirs = ESTIMATORS[name]
    if name == "Lasso":
        params.pop("l1_ratio", None)
    return ours(**params), theirs(**params)


def _l1_ratio(est):
    return 1.0 if isinstance(est, fastreg.Lasso) else est.l1_ratio


def _sk_fit(est, X, y, sample_weight=None):
    """scikit-learn's fit in float64 at a very tight tol (the reference)."""
    est = clone(est).set_params(tol=1e-13, max_iter=200_000)
    return est.fit(np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64),
                   sample_weight=None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64))


def _assert_matches_reference(oracle, ours, ref, X, y, *, dtype, sample_weight=None):
    """ours (fitted fastreg) and ref (fitted sklearn) solve the same problem within their gaps."""
    problem = dict(sample_weight=sample_weight, fit_intercept=ours.fit_intercept, positive=ours.positive)
    alpha, l1_ratio = ours.alpha, _l1_ratio(ours)
    oracle.assert_certified(X, y, ours.coef_, ours.intercept_, ours.dual_gap_, alpha, l1_ratio,
                            tol=ours.tol, dtype=dtype, **problem)
    ref_gap = oracle.duality_gap(X, y, ref.coef_, alpha, l1_ratio, **problem)
    oracle.assert_same_solution(X, y, ours.coef_, ours.dual_gap_, ref.coef_, ref_gap, alpha, l1_ratio,
                                floor=oracle.rounding_floor(dtype, y, sample_weight), **problem)
    # predictions: |X (w1 - w2)| / sqrt(n) is bounded by the same gaps; compare on the training rows
    pred, ref_pred = ours.predict(X), ref.predict(np.asarray(X, dtype=np.float64))
    scale = np.sqrt(oracle.target_norm2(y, sample_weight, False))
    bound = (np.sqrt(2 * (ours.dual_gap_ + oracle.rounding_floor(dtype, y, sample_weight)))
             + np.sqrt(2 * (ref_gap + oracle.rounding_floor(np.float64, y, sample_weight))))
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight) * len(y) / np.sum(sample_weight)
    rms = np.sqrt(np.mean(s * (pred - ref_pred) ** 2))
    bound += (1e-5 if dtype == np.float32 else 1e-12) * scale
    assert rms <= bound, (rms, bound)
    # R^2 on the same rows: |SSres1 - SSres2| <= ||r1 - r2|| ||r1 + r2|| (S-weighted norms)
    y64 = np.asarray(y, dtype=np.float64)
    r1, r2 = y64 - pred, y64 - ref_pred
    ss_tot = np.sum(s * (y64 - np.average(y64, weights=s)) ** 2)
    r2_bound = bound * np.sqrt(len(y)) * np.sqrt(np.sum(s * (r1 + r2) ** 2)) / ss_tot
    assert abs(ours.score(X, y, sample_weight) - ref.score(np.asarray(X, dtype=np.float64), y64, sample_weight)) \
        <= r2_bound + 1e-12


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_sklearn(oracle, dtype, shape, name, fit_intercept):
    X, y = oracle.make_regression(*shape, dtype=dtype, seed=30, intercept=3.0)
    alpha = 0.05 * oracle.alpha_max(X, y, 0.7 if name == "ElasticNet" else 1.0, fit_intercept=fit_intercept)
    ours, theirs = _pair(name, alpha=alpha, l1_ratio=0.7, fit_intercept=fit_intercept, tol=oracle.tight_tol(dtype),
                         max_iter=100_000)
    ours.fit(X, y)
    ref = _sk_fit(theirs, X, y)
    assert ours.coef_.shape == (shape[1],) and ours.coef_.dtype == dtype
    assert isinstance(ours.n_iter_, (int, np.integer)) and ours.n_iter_ >= 1
    assert np.ndim(ours.intercept_) == 0 and np.ndim(ours.dual_gap_) == 0
    if not fit_intercept:
        assert ours.intercept_ == 0
    _assert_matches_reference(oracle, ours, ref, X, y, dtype=dtype)
    X_test, y_test = oracle.make_regression(15, shape[1], dtype=dtype, seed=31, intercept=3.0)
    np.testing.assert_allclose(ours.score(X_test, y_test),
                               r2_score(y_test.astype(np.float64), ours.predict(X_test).astype(np.float64)), rtol=1e-9)


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
def test_matches_sklearn_positive(oracle, dtype, name):
    X, y = oracle.make_regression(40, 12, dtype=dtype, seed=32)
    alpha = 0.02 * oracle.alpha_max(X, y, fit_intercept=True)
    ours, theirs = _pair(name, alpha=alpha, l1_ratio=0.5, positive=True, tol=oracle.tight_tol(dtype))
    ours.fit(X, y)
    assert (ours.coef_ >= 0).all()
    assert (clone(ours).set_params(positive=False).fit(X, y).coef_ < 0).any()  # the constraint is active
    _assert_matches_reference(oracle, ours, _sk_fit(theirs, X, y), X, y, dtype=dtype)


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_sklearn_sample_weight(oracle, dtype, name, fit_intercept):
    X, y = oracle.make_regression(35, 10, dtype=dtype, seed=33, intercept=-2.0)
    sw = np.random.default_rng(33).uniform(0.0, 3.0, len(y)).astype(dtype)
    alpha = 0.03 * oracle.alpha_max(X, y, 1.0, sample_weight=sw, fit_intercept=fit_intercept)
    ours, theirs = _pair(name, alpha=alpha, l1_ratio=0.6, fit_intercept=fit_intercept, tol=oracle.tight_tol(dtype))
    ours.fit(X, y, sample_weight=sw)
    ref = _sk_fit(theirs, X, y, sample_weight=sw)
    _assert_matches_reference(oracle, ours, ref, X, y, dtype=dtype, sample_weight=sw)
    # weighted R^2, as scikit-learn's score
    np.testing.assert_allclose(ours.score(X, y, sample_weight=sw),
                               r2_score(y, ours.predict(X), sample_weight=sw), rtol=1e-6)
    # a scalar weight is the same as no weight
    unweighted = clone(ours).fit(X, y)
    scalar = clone(ours).fit(X, y, sample_weight=2.5)
    np.testing.assert_allclose(scalar.coef_, unweighted.coef_, rtol=1e-5, atol=1e-6)


def test_lasso_is_elasticnet_with_l1_ratio_1(oracle, dtype):
    X, y = oracle.make_regression(30, 10, dtype=dtype, seed=34)
    a = fastreg.Lasso(alpha=0.1).fit(X, y)
    b = fastreg.ElasticNet(alpha=0.1, l1_ratio=1.0).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.intercept_ == b.intercept_
    assert "l1_ratio" not in a.get_params()


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
def test_multi_target_fits_each_column(oracle, dtype, name):
    X, y1 = oracle.make_regression(30, 8, dtype=dtype, seed=35, intercept=1.0)
    _, y2 = oracle.make_regression(30, 8, dtype=dtype, seed=36, intercept=-4.0)
    y2 = y2 + X[:, 0]  # a different target on the same X
    Y = np.column_stack([y1, y2, 3 * y1])
    tol = oracle.tight_tol(dtype)
    ours, theirs = _pair(name, alpha=0.05, l1_ratio=0.5, tol=tol)
    multi = clone(ours).fit(X, Y)
    assert multi.coef_.shape == (3, 8) and multi.coef_.dtype == dtype
    assert np.shape(multi.intercept_) == (3,) and np.shape(multi.dual_gap_) == (3,)
    assert len(multi.n_iter_) == 3
    pred = multi.predict(X)
    assert pred.shape == (30, 3)
    l1_ratio = _l1_ratio(ours)
    for k in range(3):
        single = clone(ours).fit(X, Y[:, k])
        oracle.assert_same_solution(X, Y[:, k], multi.coef_[k], multi.dual_gap_[k], single.coef_, single.dual_gap_,
                                    0.05, l1_ratio, fit_intercept=True,
                                    floor=oracle.rounding_floor(dtype, Y[:, k]), what=f"target {k}")
        oracle.assert_certified(X, Y[:, k], multi.coef_[k], multi.intercept_[k], multi.dual_gap_[k], 0.05, l1_ratio,
                                tol=tol, dtype=dtype, fit_intercept=True, what=f"target {k}")
        np.testing.assert_allclose(pred[:, k], X @ multi.coef_[k] + multi.intercept_[k],
                                   rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-4)
    np.testing.assert_allclose(multi.score(X, Y), r2_score(Y, pred), rtol=1e-6)


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
def test_single_column_target_shapes_match_sklearn(oracle, name):
    """y of shape (n, 1): scikit-learn returns 1-D coef_ and predictions (a single target)."""
    X, y = oracle.make_regression(30, 8, seed=35)
    ours, theirs = _pair(name, alpha=0.05)
    ours.fit(X, y[:, None])
    theirs.fit(X, y[:, None])
    for attr in ("coef_", "intercept_", "dual_gap_", "n_iter_"):
        assert np.shape(getattr(ours, attr)) == np.shape(getattr(theirs, attr)), attr
    assert ours.predict(X).shape == theirs.predict(X).shape
    np.testing.assert_allclose(np.ravel(ours.coef_), clone(ours).fit(X, y).coef_, rtol=1e-12)


def test_warm_start_reuses_coef(oracle, dtype):
    X, y = oracle.make_regression(40, 30, dtype=dtype, seed=37)
    a_max = oracle.alpha_max(X, y, 0.9, fit_intercept=True)
    tol = oracle.tight_tol(dtype)
    est = fastreg.ElasticNet(alpha=0.02 * a_max, l1_ratio=0.9, tol=tol, warm_start=True, max_iter=100_000)
    est.fit(X, y)
    first = est.coef_.copy()
    est.set_params(alpha=0.018 * a_max).fit(X, y)
    cold = fastreg.ElasticNet(alpha=0.018 * a_max, l1_ratio=0.9, tol=tol, max_iter=100_000).fit(X, y)
    assert not np.array_equal(est.coef_, first)
    assert est.n_iter_ < cold.n_iter_, (est.n_iter_, cold.n_iter_)
    oracle.assert_same_solution(X, y, est.coef_, est.dual_gap_, cold.coef_, cold.dual_gap_, 0.018 * a_max, 0.9,
                                fit_intercept=True, floor=oracle.rounding_floor(dtype, y))
    # refitting the same problem from its own solution needs (almost) nothing
    est.fit(X, y)
    assert est.n_iter_ <= 1
    # without warm_start a refit starts from zero: exactly the cold fit
    no_warm = clone(cold).fit(X, y)
    no_warm.set_params(alpha=0.018 * a_max).fit(X, y)
    assert no_warm.n_iter_ == cold.n_iter_
    np.testing.assert_array_equal(no_warm.coef_, cold.coef_)


def test_random_selection_reproducible(oracle, dtype):
    X, y = oracle.make_regression(30, 20, dtype=dtype, seed=38)
    kw = dict(alpha=0.05, selection="random", tol=oracle.tight_tol(dtype))
    a = fastreg.Lasso(random_state=3, **kw).fit(X, y)
    b = fastreg.Lasso(random_state=3, **kw).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.n_iter_ == b.n_iter_
    c = fastreg.Lasso(**dict(kw, selection="cyclic")).fit(X, y)
    oracle.assert_same_solution(X, y, a.coef_, a.dual_gap_, c.coef_, c.dual_gap_, 0.05, 1.0, fit_intercept=True,
                                floor=oracle.rounding_floor(dtype, y))


# ----------------------------------------------------------------------------- estimator protocol


def test_dataframe_feature_names(oracle, dtype):
    X, y = oracle.make_regression(25, 4, dtype=dtype, seed=39)
    df = pd.DataFrame(X, columns=["age", "bmi", "bp", "s1"])
    est = fastreg.Lasso(alpha=0.05).fit(df, pd.Series(y, name="target"))
    np.testing.assert_array_equal(est.feature_names_in_, ["age", "bmi", "bp", "s1"])
    assert est.n_features_in_ == 4
    assert est.coef_.dtype == dtype
    np.testing.assert_allclose(est.predict(df), fastreg.Lasso(alpha=0.05).fit(X, y).predict(X),
                               rtol=1e-4 if dtype == np.float32 else 1e-9)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df.rename(columns={"bmi": "BMI"}))
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df[["bmi", "age", "bp", "s1"]])  # same names, different order
    with pytest.warns(UserWarning, match="feature names"):
        est.predict(X)
    # refitting on an array forgets the names
    est.fit(X, y)
    assert not hasattr(est, "feature_names_in_")


FASTREG_OPTIONS = {"standardize": False, "penalty_factor": None, "lower_bounds": None, "upper_bounds": None}


def test_params_match_sklearn_and_roundtrip():
    for name, (ours_cls, sk_cls) in ESTIMATORS.items():
        ours, theirs = ours_cls(), sk_cls()
        # scikit-learn's parameters with its defaults (a drop-in), plus fastreg's own options, whose
        # defaults leave the model scikit-learn's
        extra = {name: value for name, value in ours.get_params().items() if name not in theirs.get_params()}
        assert extra == FASTREG_OPTIONS, name
        assert {k: v for k, v in ours.get_params().items() if k not in extra} == theirs.get_params(), name
        est = ours_cls(alpha=0.3, max_iter=50, selection="random", random_state=1)
        params = est.get_params()
        assert params["alpha"] == 0.3 and params["max_iter"] == 50
        assert est.set_params(alpha=2.0, tol=1e-3) is est
        assert est.get_params()["alpha"] == 2.0 and est.tol == 1e-3
        with pytest.raises(ValueError, match="not_a_param"):
            est.set_params(not_a_param=1)
        copy = clone(est)
        assert copy is not est and copy.get_params() == est.get_params()
        assert type(copy) is ours_cls
        assert "alpha=2.0" in repr(est)


def test_clone_of_fitted_is_unfitted(oracle):
    X, y = oracle.make_regression(20, 5, seed=40)
    est = fastreg.ElasticNet(alpha=0.1).fit(X, y)
    copy = clone(est)
    assert not hasattr(copy, "coef_")
    with pytest.raises(fastreg.NotFittedError):
        copy.predict(X)


def test_pipeline_with_standard_scaler(oracle, dtype):
    X, y = oracle.make_regression(50, 10, dtype=dtype, seed=41, intercept=5.0)
    X = X * np.logspace(-2, 2, 10).astype(dtype)
    tol = oracle.tight_tol(dtype)
    ours = make_pipeline(StandardScaler(), fastreg.Lasso(alpha=0.1, tol=tol)).fit(X, y)
    ref = make_pipeline(StandardScaler(), sk_lm.Lasso(alpha=0.1, tol=1e-13, max_iter=100_000))
    ref.fit(X.astype(np.float64), y.astype(np.float64))
    Xs = ref[0].transform(X.astype(np.float64))
    _assert_matches_reference(oracle, ours[-1], ref[-1], Xs, y, dtype=dtype)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X.astype(np.float64)),
                               rtol=1e-3 if dtype == np.float32 else 1e-6, atol=1e-3 * np.std(y))
    scores = cross_val_score(make_pipeline(StandardScaler(), fastreg.Lasso(alpha=0.1, tol=tol)), X, y, cv=3)
    ref_scores = cross_val_score(ref, X.astype(np.float64), y.astype(np.float64), cv=3)
    np.testing.assert_allclose(scores, ref_scores, rtol=1e-3 if dtype == np.float32 else 1e-6)


def test_float32_in_float32_out(oracle):
    X, y = oracle.make_regression(30, 6, dtype=np.float32, seed=42)
    for est in (fastreg.Lasso(alpha=0.05), fastreg.ElasticNet(alpha=0.05)):
        est.fit(X, y)
        assert est.coef_.dtype == np.float32
        assert est.predict(X).dtype == np.float32
        assert est.sparse_coef_.dtype == np.float32
    est64 = fastreg.Lasso(alpha=0.05).fit(X.astype(np.float64), y.astype(np.float64))
    assert est64.coef_.dtype == np.float64 and est64.predict(X.astype(np.float64)).dtype == np.float64
    # float32 X with float64 y: X decides
    assert fastreg.Lasso(alpha=0.05).fit(X, y.astype(np.float64)).coef_.dtype == np.float32


def test_fitted_attributes(oracle):
    X, y = oracle.make_regression(30, 7, seed=43)
    est = fastreg.ElasticNet(alpha=0.05, tol=1e-8).fit(X, y)
    assert est.n_features_in_ == 7
    assert isinstance(est.solver_, str) and est.solver_
    assert sparse.issparse(est.sparse_coef_) and est.sparse_coef_.shape == (1, 7)
    np.testing.assert_array_equal(est.sparse_coef_.toarray().ravel(), est.coef_)
    assert 0 <= est.dual_gap_ <= 1e-8 * np.var(y) * (1 + 1e-9)
    check_is_fitted(est)
    np.testing.assert_allclose(est.predict(X), X @ est.coef_ + est.intercept_, rtol=1e-12)


def test_not_fitted(oracle):
    X, y = oracle.make_regression(10, 3, seed=44)
    for est in (fastreg.Lasso(), fastreg.ElasticNet()):
        with pytest.raises(fastreg.NotFittedError, match="not fitted"):
            est.predict(X)
        with pytest.raises(fastreg.NotFittedError):
            est.score(X, y)
        with pytest.raises(fastreg.NotFittedError):
            est.sparse_coef_
    assert issubclass(fastreg.NotFittedError, ValueError)
    assert issubclass(fastreg.NotFittedError, AttributeError)
    from sklearn.exceptions import NotFittedError as SkNotFittedError
    with pytest.raises(SkNotFittedError):
        check_is_fitted(fastreg.Lasso())


def test_predict_wrong_number_of_features(oracle):
    X, y = oracle.make_regression(20, 5, seed=45)
    est = fastreg.Lasso(alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match=r"(?s)3.*5"):
        est.predict(X[:, :3])
    with pytest.raises(ValueError, match=r"(?s)6.*5"):
        est.predict(np.hstack([X, X[:, :1]]))
    with pytest.raises(ValueError, match="2D"):
        est.predict(X[0])


def test_alpha_zero_warns(oracle):
    X, y = oracle.make_regression(40, 4, seed=46, noise=0.1)
    with pytest.warns(UserWarning, match="alpha=0"):
        est = fastreg.Lasso(alpha=0.0, tol=1e-12, max_iter=100_000).fit(X, y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    ols = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    np.testing.assert_allclose(est.coef_, ols, rtol=1e-5, atol=1e-7)

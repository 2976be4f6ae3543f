"""scikit-learn's own estimator checks: fastreg's estimators are drop-in replacements."""
import warnings

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastreg


@parametrize_with_checks([fastreg.Lasso(), fastreg.ElasticNet(), fastreg.Lasso(selection="random", random_state=0),
                          fastreg.Ridge(), fastreg.RidgeCV(), fastreg.LassoCV(),
                          fastreg.ElasticNetCV(l1_ratio=[0.5, 1.0])])
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastreg.ConvergenceWarning)
        check(estimator)


def test_errors_interoperate_with_sklearn():
    """Code catching scikit-learn's NotFittedError / filtering its ConvergenceWarning sees fastreg's."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning, NotFittedError

    with pytest.raises(NotFittedError):
        fastreg.Lasso().predict(np.ones((2, 2)))
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 8)), rng.standard_normal(30)
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        fastreg.Lasso(alpha=1e-4, max_iter=1, tol=1e-12).fit(X, y)

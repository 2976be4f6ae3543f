"""Minimal scikit-learn estimator protocol, without importing scikit-learn.

get_params / set_params / clone-ability, feature-name bookkeeping, R^2 (regressors) and accuracy
(classifiers) scoring, so fastreg's estimators work in scikit-learn pipelines and model selection
while scikit-learn stays optional.
"""
import inspect
import warnings

import numpy as np

from ._dask import any_dask, lazy_score
from ._validation import NotFittedError, as_sample_weight, as_target, feature_names_of, sklearn_compatible


class _EstimatorBase:
    """The scikit-learn estimator API shared by fastreg's regressors and classifiers."""

    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self):
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name)
            same = value is default or (
                not hasattr(value, "shape") and not hasattr(default, "shape") and _safe_equal(value, default)
            )
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coef_")

    def _check_is_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise sklearn_compatible(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate "
                f"arguments before using this estimator."
            )

    def _check_feature_names(self, X, *, reset):
        """Record (reset=True) or check the column names of a dataframe X, as scikit-learn does."""
        names = feature_names_of(X)
        if reset:
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is None and names is None:
            return
        cls = type(self).__name__
        if names is None:
            warnings.warn(f"X does not have valid feature names, but {cls} was fitted with feature names",
                          UserWarning, stacklevel=3)
        elif fitted is None:
            warnings.warn(f"X has feature names, but {cls} was fitted without feature names",
                          UserWarning, stacklevel=3)
        elif len(names) != len(fitted) or np.any(names != fitted):
            raise ValueError(
                "The feature names should match those that were passed during fit. "
                f"Fitted with {list(fitted)[:5]}..., got {list(names)[:5]}..."
            )

    def _check_n_features(self, n_features):
        if n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )



class RegressorBase(_EstimatorBase):
    """Base class of fastreg's regressors: R^2 scoring, scikit-learn's regressor tags."""

    def __sklearn_tags__(self):
        # called by scikit-learn only, so importing it here keeps it optional
        from sklearn.utils import InputTags, RegressorTags, Tags, TargetTags

        return Tags(
            estimator_type="regressor",
            target_tags=TargetTags(required=True, single_output=True, multi_output=True),
            transformer_tags=None,
            classifier_tags=None,
            regressor_tags=RegressorTags(),
            input_tags=InputTags(two_d_array=True, sparse=True, allow_nan=False),
        )

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 of ``predict(X)`` (uniform average over targets).

        As scikit-learn's ``r2_score``: 1.0 when y is constant and predicted exactly, 0.0 when y is
        constant and not.
        """
        if any_dask(X):  # a 0-d dask array, computed when asked for (float(score) or .compute())
            return lazy_score(self, X, y, sample_weight)
        pred = np.asarray(self.predict(X), dtype=np.float64)
        y = as_target(y, pred.shape[0], np.float64, allow_2d=pred.ndim == 2)
        if y.shape != pred.shape:
            raise ValueError(f"y has shape {y.shape} but the model predicts {pred.shape}; pass one target "
                             f"column per fitted target.")
        w = as_sample_weight(sample_weight, pred.shape[0], np.float64)
        if pred.ndim == 1:
            pred, y = pred[:, None], y[:, None]
        ss_res = np.average((y - pred) ** 2, axis=0, weights=w)
        ss_tot = np.average((y - np.average(y, axis=0, weights=w)) ** 2, axis=0, weights=w)
        ok = ss_tot != 0
        r2 = np.where(ss_res == 0, 1.0, 0.0)
        r2[ok] = 1.0 - ss_res[ok] / ss_tot[ok]
        return float(np.mean(r2))



class ClassifierBase(_EstimatorBase):
    """Base class of fastreg's classifiers: accuracy scoring, scikit-learn's classifier tags."""

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True, single_output=True, multi_output=False),
            transformer_tags=None,
            classifier_tags=ClassifierTags(multi_class=False, poor_score=False),
            regressor_tags=None,
            input_tags=InputTags(two_d_array=True, sparse=True, allow_nan=False),
        )

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of ``predict(X)`` (weighted by sample_weight)."""
        pred = np.asarray(self.predict(X))
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.shape != pred.shape:
            raise ValueError(f"y has shape {y.shape} but the model predicts {pred.shape}; pass one label per row.")
        w = as_sample_weight(sample_weight, pred.shape[0], np.float64)
        return float(np.average(pred == y, weights=w))


def _safe_equal(a, b):
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False

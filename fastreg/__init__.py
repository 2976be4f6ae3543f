"""fastreg: compiled, certified solvers for regularized linear models.

Path functions (`lasso_path`, `enet_path`, `cv_path`, `ridge_path`, `logistic_path`) and scikit-learn
compatible estimators (`Lasso`, `ElasticNet`, `LassoCV`, `ElasticNetCV`, `Ridge`, `RidgeCV`,
`LogisticRegression`, `LogisticRegressionCV`, `MultiTaskLasso`, `MultiTaskElasticNet` and their CV
variants) over one engine; every Lasso/ElasticNet/logistic solution carries its duality gap.
"""
from importlib.metadata import PackageNotFoundError, version as _version

from ._cv import CVPath, cv_path
from ._path import Path, alpha_grid, enet_path, enet_path_from_stats, lasso_path, logistic_path, ridge, ridge_path
from ._stats import SufficientStats
from ._validation import ConvergenceWarning, NotFittedError
from .linear_model import (
    ElasticNet, ElasticNetCV, Lasso, LassoCV, LogisticRegression, LogisticRegressionCV, Ridge, RidgeCV,
)
from .linear_model import MultiTaskElasticNet, MultiTaskElasticNetCV, MultiTaskLasso, MultiTaskLassoCV

try:
    __version__ = _version("fastreg")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "unknown"

__all__ = [
    "ConvergenceWarning",
    "CVPath",
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "LogisticRegression",
    "LogisticRegressionCV",
    "MultiTaskElasticNet",
    "MultiTaskElasticNetCV",
    "MultiTaskLasso",
    "MultiTaskLassoCV",
    "NotFittedError",
    "Path",
    "Ridge",
    "RidgeCV",
    "SufficientStats",
    "__version__",
    "alpha_grid",
    "cv_path",
    "enet_path",
    "enet_path_from_stats",
    "lasso_path",
    "logistic_path",
    "ridge",
    "ridge_path",
]

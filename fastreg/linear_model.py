"""scikit-learn compatible estimators: thin wrappers around the path driver."""
import numbers

import numpy as np
from scipy import sparse

from . import _validation as v
from ._base import RegressorBase
from ._path import solve_path, working_design


class ElasticNet(RegressorBase):
    """Linear regression with combined L1 and L2 penalties, fitted by certified coordinate descent.

    Minimizes

        1/(2 n) ||y - X w - b||^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2

    exactly as scikit-learn's ``ElasticNet`` (same parameters, ``tol`` units and fitted attributes), with
    sample weights s normalized to sum to n: ``1/(2n) sum_i s_i (y_i - x_i^T w - b)^2 + ...``.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (>= 0).
    l1_ratio : float, default=0.5
        Mix in [0, 1]; 1 is the Lasso, 0 ridge.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    precompute : 'auto', bool or ndarray, default=False
        Gram-matrix mode, as in `fastreg.enet_path` (True: covariance updates from ``X.T @ X``; an
        array: a precomputed ``X.T @ X``; 'auto': the cost model). The kernel used is ``solver_``.
    max_iter : int, default=1000
        Maximum number of epochs.
    copy_X : bool, default=True
        Accepted for compatibility: X is never modified.
    tol : float, default=1e-4
        Stop when the duality gap is <= ``tol * ||y - mean(y)||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be >= 0.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
        Epochs run (per target).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Certified duality gap of the solution, in the units of the objective above.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when X had string column names
    solver_ : str
        The kernel that ran.

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 4)); y = X @ [2.0, 0.0, -1.0, 0.0] + 0.5
    >>> model = fastreg.ElasticNet(alpha=0.01, l1_ratio=0.7).fit(X, y)
    >>> np.round(model.coef_, 1) + 0.0, round(model.intercept_, 1)  # + 0.0 prints -0. as 0.
    (array([ 2.,  0., -1.,  0.]), 0.5)
    """

    _l1_ratio_fixed = None  # Lasso pins l1_ratio to 1

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False, max_iter=1000,
                 copy_X=True, tol=1e-4, warm_start=False, positive=False, random_state=None,
                 selection="cyclic"):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Several targets are fitted independently.
        sample_weight : array-like of shape (n_samples,) or float, default=None
            Non-negative row weights; a weight k is the same as k repeated rows.
        check_input : bool, default=True
            Accepted for compatibility; inputs are always validated.

        Returns
        -------
        self
        """
        name = type(self).__name__
        self._check_feature_names(X, reset=True)
        X = v.as_design_matrix(X, check_finite=False, accept_sparse=True)  # finiteness: see _path.working_design
        n_samples, n_features = X.shape
        y = v.as_target(y, n_samples, X.dtype, allow_2d=True, estimator=name)
        sample_weight = v.as_sample_weight(sample_weight, n_samples, X.dtype)
        alpha = v.check_scalar(self.alpha, "alpha", low=0.0)
        l1_ratio = self._l1_ratio_fixed if self._l1_ratio_fixed is not None else v.check_l1_ratio(self.l1_ratio)
        tol = v.check_scalar(self.tol, "tol", low=0.0)
        max_iter = v.check_scalar(self.max_iter, "max_iter", kind=numbers.Integral, low=1)
        selection = v.check_choice(self.selection, "selection", {"cyclic", "random"})
        precompute = v.check_precompute(self.precompute, n_features)
        if y.ndim == 2 and self.positive and y.shape[1] > 1:
            raise ValueError("positive=True is not supported with several targets; fit one target at a time.")
        v.warn_alpha_zero(alpha)
        seed = v.seed_from_random_state(self.random_state) if selection == "random" else 1

        Y = y[:, None] if y.ndim == 1 else y
        n_targets = Y.shape[1]
        previous = None
        if self.warm_start and getattr(self, "coef_", None) is not None:
            previous = np.atleast_2d(self.coef_)
            if previous.shape != (n_targets, n_features):
                previous = None
        coef = np.empty((n_targets, n_features), dtype=X.dtype)
        intercept = np.empty(n_targets)
        gaps = np.empty(n_targets)
        n_iters = []
        solver = None
        for k in range(n_targets):
            design, target_precompute = working_design(X, np.ascontiguousarray(Y[:, k]), sample_weight,
                                                       self.fit_intercept, False, precompute)
            path = solve_path(
                design, np.array([alpha]), l1_ratio=l1_ratio,
                coef_init=None if previous is None else previous[k], tol=tol, max_iter=max_iter,
                seed=seed, random=selection == "random", positive=bool(self.positive),
                precompute=target_precompute,
            )
            coef[k] = path.coefs[:, 0]
            intercept[k] = path.intercepts[0]
            gaps[k] = path.dual_gaps[0]
            n_iters.append(int(path.n_iters[0]))
            solver = path.solver

        if n_targets == 1:  # as scikit-learn, also for y of shape (n, 1)
            self.coef_ = coef[0]
            self.intercept_ = float(intercept[0]) if y.ndim == 1 else intercept
            self.dual_gap_, self.n_iter_ = float(gaps[0]), n_iters[0]
        else:
            self.coef_, self.intercept_, self.dual_gap_, self.n_iter_ = coef, intercept, gaps, n_iters
        self.n_features_in_ = n_features
        self.solver_ = solver
        return self

    @property
    def sparse_coef_(self):
        """``coef_`` as a scipy.sparse CSR matrix."""
        self._check_is_fitted()
        return sparse.csr_matrix(np.atleast_2d(self.coef_))

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``, in X's dtype (float32 stays float32).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        self._check_is_fitted()
        self._check_feature_names(X, reset=False)
        X = v.as_design_matrix(X, accept_sparse=True)
        self._check_n_features(X.shape[1])
        coef = self.coef_.astype(X.dtype, copy=False)
        return np.asarray(X @ coef.T) + np.asarray(self.intercept_, dtype=X.dtype)


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty: ``ElasticNet`` with ``l1_ratio=1``.

    Minimizes ``1/(2 n) ||y - X w - b||^2 + alpha ||w||_1``, as scikit-learn's ``Lasso`` (same parameters,
    ``tol`` units and fitted attributes; see `ElasticNet`).

    Examples
    --------
    >>> import numpy as np, fastreg
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]); y = np.array([0.0, 1.0, 2.0])
    >>> fastreg.Lasso(alpha=0.1).fit(X, y).coef_
    array([0.85, 0.  ])
    """

    _l1_ratio_fixed = 1.0

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True, max_iter=1000,
                 tol=1e-4, warm_start=False, positive=False, random_state=None, selection="cyclic"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

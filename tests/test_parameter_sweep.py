"""Every parameter of every public callable is checked (issue 13, "no wrong answer without a warning").

For each public function, estimator (constructor and ``fit``) and `SufficientStats` entry point, every
parameter gets bad values of the wrong type and out of range; each must raise a ValueError or TypeError
whose message names the parameter. The parameters are enumerated with `inspect.signature`, and
`test_every_parameter_is_swept` fails when one is neither in the table nor in the explicit list of
exemptions: a new parameter without validation makes this file fail.
"""
import inspect
import re

import numpy as np
import pytest

import fastreg

N, P = 30, 4
_rng = np.random.default_rng(130)
X = _rng.standard_normal((N, P))
Y = X @ np.array([1.0, 0.0, -2.0, 0.5]) + 0.1 * _rng.standard_normal(N) + 1.0
GRAM = X.T @ X
YB = (Y > np.median(Y)).astype(int)  # two classes, for the logistic models
Y2 = np.column_stack([Y, -Y + 0.1 * _rng.standard_normal(N)])  # two tasks, for the multi-task models
STATS = fastreg.SufficientStats.from_arrays(X, Y)


def _stats_with(**changes):
    """STATS with some of its fields replaced (statistics no data can have)."""
    fields = dict(XtX=STATS.XtX, Xty=STATS.Xty, yty=STATS.yty, sx=STATS.sx, sy=STATS.sy,
                  weight_sum=STATS.weight_sum, n_rows=STATS.n_rows, x_shift=STATS.x_shift, y_shift=STATS.y_shift)
    return fastreg.SufficientStats(**{**fields, **changes})


class Bad:
    """A bad value that needs other settings to reach its check (e.g. a user Gram matrix is only used,
    hence only checked, without intercept)."""

    def __init__(self, value, **context):
        self.value, self.context = value, context

    def __repr__(self):
        return f"{self.value!r} with {self.context}"


def _unsymmetric():
    G = GRAM.copy()
    G[0, 1] += 0.1 * np.sqrt(G[0, 0] * G[1, 1])
    return G


def _negative_diagonal():
    G = GRAM.copy()
    G[2, 2] = -1.0
    return G


# wrong types and out-of-range values, by parameter name (shared by every callable with that parameter)
NOT_BOOL = ["no", "False", 1, 0.5, None]
BAD = {
    "X": ["abc", None, X[:, 0], X[:-1], np.full((N, P), np.nan)],
    "y": [None, "abc", Y[:-1], np.full(N, np.inf)],
    "sample_weight": ["abc", -np.ones(N), np.ones(N - 1), np.full(N, np.nan), np.zeros(N), np.ones((N, 2))],
    "alpha": ["0.1", -1.0, np.nan, np.inf, True, None, [1.0, 2.0]],
    "alphas": [0.1, np.float64(0.1), "abc", [-1.0], [np.nan], [], [[0.1]], True, 0],
    "l1_ratio": [-0.1, 1.1, np.nan, "0.5", None, [0.5, np.nan], [], [[0.5]]],
    "eps": ["1e-3", 0.0, -1e-3, np.nan, None],
    "n_alphas": ["10", 0, -1, 2.5, True, None],
    "precompute": ["yes", "Auto", None, 1, np.eye(3), np.full((P, P), np.nan), 2 * GRAM, _unsymmetric(),
                   _negative_diagonal()],
    "Xy": ["abc", np.zeros(3), np.full(P, np.nan), 10 * (X.T @ Y)],
    "coef_init": ["abc", np.ones(3), np.full(P, np.nan), np.ones((P, 2))],
    "tol": ["1e-4", -1e-4, np.nan, np.inf, None],
    "max_iter": [0, -1, 2.5, "10", None],
    "random_state": ["seed", 1.5, -1, 2**40],
    "selection": ["shuffle", "", 1, None],
    "verbose": ["loud", -1, 1.5, None],
    "dfmax": [-1, 2.5, "5", True],
    "devmax": [-0.1, 1.5, np.nan, "0.9", None],
    "fdev": [-1e-5, np.nan, "1e-5", None],
    "penalty_factor": ["abc", -np.ones(P), np.ones(P - 1), np.full(P, np.nan)],
    "lower_bounds": ["abc", 1.0, np.zeros(P - 1), np.full(P, np.nan)],
    "upper_bounds": ["abc", -1.0, np.zeros(P - 1), np.full(P, np.nan)],
    "cv": ["five", 1, 1.5, True, 0, N + 1],
    "groups": [np.arange(N - 1), "abc", np.zeros((N, 2))],
    "n_jobs": ["2", 1.5, 0, True],
    "stats": [X, None, "abc", _stats_with(yty=-1.0), _stats_with(n_rows=0, weight_sum=0.0),
              _stats_with(Xty=STATS.Xty[:-1])],
    "shift": ["abc", 5, (np.zeros(P - 1), 0.0), (np.zeros(P), "a"), (np.full(P, np.nan), 0.0)],
    "chunk_rows": [0, 2.5, "10", True],
    "solver": ["newton", 1, None],
    "mode": ["x", 1, None],
    "gcv_mode": ["x", 1],
    "scoring": [123, "not_a_scorer"],
    "penalty": ["l3", 1, None],
    "C": ["1", 0.0, -1.0, np.nan, np.inf, None, True],
    "intercept_scaling": ["1", 0.0, -1.0, np.nan, None],
    "class_weight": ["auto", 5, {"nope": 1.0}, {1: -1.0}],
    "Cs": ["3", 0, -1, [-1.0], [], [np.nan], True, [[1.0]]],
    "l1_ratios": [[-0.1], [1.1], "abc", [np.nan]],
    "family": ["ovr", 1, None, Bad("binomial", y=np.arange(N) % 3)],  # (binomial: two classes only)
    "gamma": ["abc", [], [1.5], -0.1, [np.nan], [[0.5]], None],  # (cv_path's relaxed blends)
    "other": [3, fastreg.SufficientStats.from_arrays(X[:, :3], Y),
              fastreg.SufficientStats.from_arrays(X[:10], Y[:10])],  # another width, another shift
}
for _flag in ("fit_intercept", "positive", "standardize", "copy_X", "check_input", "warm_start", "return_n_iter",
              "screening", "working_set", "anderson", "newton", "early_stopping", "return_path", "store_cv_results",
              "alpha_per_target", "dual", "refit", "use_legacy_attributes", "relax"):
    BAD[_flag] = NOT_BOOL

# the Gram matrix of X centered is accepted with an intercept (scikit-learn's preprocessing), not without
BAD["precompute"].append(Bad((X - X.mean(0)).T @ (X - X.mean(0)), fit_intercept=False))
# (callable, parameter) -> bad values, where they differ from BAD
SPECIFIC = {
    **{(name, "max_iter"): [0, -1, 2.5, "10"] for name in ("ridge", "Ridge")},  # None: the solver's default
    **{(name, "alphas"): ["abc", [-1.0], [], [np.nan], [[0.1]], True] for name in ("RidgeCV", "ridge_path")},
    ("RidgeCV", "alphas"): ["abc", [-1.0], [], [np.nan], [[0.1]], True, 0.0, -1.0],
    ("logistic_path", "eps"): ["1e-3", 0.0, -1e-3, np.nan],  # None: the default rule
    ("logistic_path", "penalty_factor"): BAD["penalty_factor"] + [np.zeros(P)],  # nothing penalized
    ("LogisticRegression", "solver"): ["svd", 1, None],
    ("SufficientStats.__sub__", "other"): BAD["other"] + [fastreg.SufficientStats.from_arrays(
        np.vstack([X, X]), np.concatenate([Y, Y]), shift=STATS.shift)],  # rows never added
}
# what a message about the right operand of + and - names instead of a parameter
MATCH = {"other": r"statistics|shift|rows were subtracted|unsupported operand"}

# parameters that are not validated, and why
EXEMPT = {
    # private: set only by the CV estimators, which pass a bool
    ("cv_path", "_refit"),
    # alpha_grid is a building block of the path functions: its `design` comes from fastreg's private design
    # layer (there is no public way to build one), and every caller passes validated settings
    ("alpha_grid", "design"), ("alpha_grid", "l1_ratio"), ("alpha_grid", "eps"), ("alpha_grid", "n_alphas"),
    ("alpha_grid", "positive"), ("alpha_grid", "Xy"),
    # SufficientStats' constructor is a plain record: users build statistics with from_arrays (swept here)
    # and combine them with + and - (swept); hand-built ones are checked as a whole, when a path is fitted
    # from them (`check_stats`, tests/test_validation.py)
    *(("SufficientStats", name) for name in ("XtX", "Xty", "yty", "sx", "sy", "weight_sum", "n_rows", "x_shift",
                                             "y_shift", "amax")),
    # results, built by fastreg, not by users
    *(("Path", name) for name in ("alphas", "coefs", "intercepts", "dual_gaps", "n_iters", "converged", "solver",
                                  "l1_ratio", "tol", "return_n_iter")),
    *(("CVPath", name) for name in ("alphas", "l1_ratios", "mse_path", "folds", "solver", "path", "relaxed_mse",
                                    "gammas")),
}


def _function(fn, **base):
    def call(**kw):
        return fn(**{**base, **kw})
    call.parameters = _parameters(fn)
    return call


def _estimator(cls, y=Y, **init):
    fit_names = set(_parameters(cls.fit))

    def call(**kw):
        fit = {k: kw.pop(k) for k in list(kw) if k in fit_names}
        fit = {"X": X, "y": y, **fit}
        return cls(**{**init, **kw}).fit(**fit)
    call.parameters = _parameters(cls) + _parameters(cls.fit)
    return call


def _operator(op):
    def call(other):
        return op(STATS, other)
    call.parameters = ["other"]
    return call


def _parameters(fn):
    kinds = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    return [p.name for p in inspect.signature(fn).parameters.values() if p.name not in ("self", "cls")
            and p.kind not in kinds]


TARGETS = {
    "enet_path": _function(fastreg.enet_path, X=X, y=Y, n_alphas=3),
    "lasso_path": _function(fastreg.lasso_path, X=X, y=Y, n_alphas=3),
    "logistic_path": _function(fastreg.logistic_path, X=X, y=YB, n_alphas=3),
    "enet_path_from_stats": _function(fastreg.enet_path_from_stats, stats=STATS, n_alphas=3),
    "cv_path": _function(fastreg.cv_path, X=X, y=Y, n_alphas=3, cv=3),
    "ridge": _function(fastreg.ridge, X=X, y=Y, alpha=1.0),
    "ridge_path": _function(fastreg.ridge_path, X=X, y=Y, alphas=[0.1, 1.0]),
    "SufficientStats.from_arrays": _function(fastreg.SufficientStats.from_arrays, X=X, y=Y),
    "SufficientStats.__add__": _operator(lambda a, b: a + b),
    "SufficientStats.__sub__": _operator(lambda a, b: a - b),
    "Lasso": _estimator(fastreg.Lasso, alpha=0.1),
    "ElasticNet": _estimator(fastreg.ElasticNet, alpha=0.1),
    "LassoCV": _estimator(fastreg.LassoCV, alphas=3, cv=3),
    "ElasticNetCV": _estimator(fastreg.ElasticNetCV, alphas=3, cv=3),
    "Ridge": _estimator(fastreg.Ridge),
    "RidgeCV": _estimator(fastreg.RidgeCV),
    "LogisticRegression": _estimator(fastreg.LogisticRegression, y=YB),
    "LogisticRegressionCV": _estimator(fastreg.LogisticRegressionCV, y=YB, Cs=3, cv=3),
    "MultiTaskLasso": _estimator(fastreg.MultiTaskLasso, y=Y2, alpha=0.1),
    "MultiTaskElasticNet": _estimator(fastreg.MultiTaskElasticNet, y=Y2, alpha=0.1),
    "MultiTaskLassoCV": _estimator(fastreg.MultiTaskLassoCV, y=Y2, alphas=3, cv=3),
    "MultiTaskElasticNetCV": _estimator(fastreg.MultiTaskElasticNetCV, y=Y2, alphas=3, cv=3),
}


def _cases():
    for target, call in TARGETS.items():
        for name in call.parameters:
            if (target, name) in EXEMPT:
                continue
            for k, bad in enumerate(SPECIFIC.get((target, name), BAD.get(name, []))):
                yield pytest.param(target, name, bad, id=f"{target}-{name}-{k}")


def _public_parameters():
    """(callable, parameter) for every public callable of fastreg (functions, estimators' constructors and
    fit, SufficientStats' constructors and operators, the result classes)."""
    for export in fastreg.__all__:
        obj = getattr(fastreg, export)
        if inspect.isfunction(obj):
            yield from ((export, name) for name in _parameters(obj))
        elif inspect.isclass(obj) and not issubclass(obj, (Exception, Warning)):
            yield from ((export, name) for name in _parameters(obj))
            if hasattr(obj, "fit"):
                yield from ((export, name) for name in _parameters(obj.fit))
            for method in ("from_arrays", "__add__", "__sub__"):
                if method in vars(obj):
                    yield from ((f"{export}.{method}", name) for name in _parameters(getattr(obj, method)))


def test_every_parameter_is_swept():
    targets = {target: set(call.parameters) for target, call in TARGETS.items()}
    missing = []
    for export, name in _public_parameters():
        if (export, name) in EXEMPT:
            continue
        swept = export in targets and name in targets[export] and (
            SPECIFIC.get((export, name)) or BAD.get(name))
        if not swept:
            missing.append(f"{export}({name})")
    assert not missing, f"parameters without bad values in the sweep (add them to BAD, or to EXEMPT with why): {missing}"


def test_table_has_no_stale_entries():
    public = set(_public_parameters())
    stale = [key for key in list(SPECIFIC) + sorted(EXEMPT) if key not in public]
    stale += [name for name in BAD if not any(name == param for _, param in public)]
    assert not stale, f"entries for parameters that no longer exist: {stale}"


@pytest.mark.filterwarnings("ignore::UserWarning")  # e.g. alpha=0, or a Gram matrix recomputed
@pytest.mark.parametrize("target,name,bad", list(_cases()))
def test_bad_value_is_refused_naming_the_parameter(target, name, bad):
    value, context = (bad.value, bad.context) if isinstance(bad, Bad) else (bad, {})
    with pytest.raises((ValueError, TypeError)) as caught:
        TARGETS[target](**{**context, name: value})
    pattern = MATCH.get(name, rf"(?<![\w]){re.escape(name)}(?![\w])")
    assert re.search(pattern, str(caught.value)), (
        f"{target}({name}={value!r}) raised {type(caught.value).__name__} without naming {name}: {caught.value}")


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_defaults_are_accepted(target):
    """The sweep's base calls succeed: each refusal above comes from the bad value alone."""
    if target.startswith("SufficientStats.__"):
        TARGETS[target](fastreg.SufficientStats.from_arrays(X[:10], Y[:10], shift=STATS.shift))
    else:
        TARGETS[target]()


@pytest.mark.parametrize("flag", ["fit_intercept", "positive", "standardize", "warm_start", "copy_X"])
def test_numpy_bools_are_bools(flag):
    """numpy.bool_ (e.g. from a comparison or a DataFrame of options) is accepted wherever a bool is."""
    fastreg.ElasticNet(alpha=0.1, **{flag: np.bool_(True)}).fit(X, Y)
    fastreg.ElasticNet(alpha=0.1, **{flag: np.False_}).fit(X, Y)


def test_flag_message():
    with pytest.raises(TypeError, match=r"^fit_intercept must be True or False, got 'no'\.$"):
        fastreg.Lasso(fit_intercept="no").fit(X, Y)


@pytest.mark.parametrize("target", ["LassoCV", "ElasticNetCV", "cv_path", "enet_path"])
def test_float_alphas_message(target):
    with pytest.raises(ValueError, match=r"alphas must be an int \(the number of alphas\) or a sequence of alphas, "
                                         r"got 0\.1; pass \[0\.1\] for a single alpha"):
        TARGETS[target](alphas=0.1)


def test_groups_message():
    with pytest.raises(ValueError, match=r"groups has 29 entries but X has 30 rows"):
        fastreg.cv_path(X, Y, cv=3, groups=np.arange(N - 1))

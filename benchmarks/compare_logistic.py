"""Side-by-side comparison of L1-logistic regression paths: fastreg, glmnet (R), scikit-learn, skglm, celer.

The issue's race: 50 alphas from alpha_max down to 1e-3 alpha_max (1e-2 when p > n), an intercept, every
solution certified to a relative suboptimality <= 1e-6, on four problems (`PROBLEMS`): a tall dense one
(50000 x 200), a wide correlated one (1000 x 5000), the breast-cancer data (569 x 30) and a sparse
one-hot one with an intercept (100000 x 3925 CSC, 1.1 million non-zeros). Goal: fastreg faster than
glmnet on every one and >= 10x faster than scikit-learn's fastest solver on wide and sparse-onehot (the
last table).

The objective (glmnet's scale, fastreg's `logistic_path`), labels y in {0, 1}, eta = X w + b:

    P(w, b) = 1/n sum_i [log(1 + exp(eta_i)) - y_i eta_i] + alpha ||w||_1.

The grid is computed once here, alpha_max = max_j |x_j^T (y - mean(y))| / n (the intercept-only fit;
max_j |x_j^T (y - 1/2)| / n with --no-intercept), and mapped onto each library's scale exactly:

- fastreg: ``fastreg.logistic_path(X, y, alphas=alphas, tol=tol)``; tol bounds the duality gap relative to
  the null model's mean log-loss, the unit of the certificate below.
- glmnet (R, ``Rscript``): ``glmnet(X, y, family="binomial", alpha=1, lambda=alphas, standardize=FALSE,
  intercept=TRUE, thresh, maxit=1e7)``, lambda = alpha (its objective is -loglik / n + lambda ||w||_1);
  a dgCMatrix for the sparse problem; glmnet's path stops off (``glmnet.control(fdev=0, devmax=1)``).
  Data are passed as binary files (float64, int32 indices: writeBin/readBin), the time is R's
  ``system.time`` of the glmnet call alone (reading the data and starting R are not counted). Its
  ``thresh`` (a bound on the largest weighted coefficient change, times the null deviance) is not a
  gap: the ladder goes down to 1e-12.
- scikit-learn ``LogisticRegression(l1_ratio=1, C=1/(n alpha))`` (its objective is C sum_i loss_i +
  ||w||_1, i.e. n C times ours; ``l1_ratio=1`` is the L1 penalty since scikit-learn 1.8, which deprecates
  ``penalty``; ``penalty='l1'`` before), ``random_state=0``:
  - sklearn-saga: one estimator with ``warm_start=True`` refitted along the grid (``set_params(C=...)``),
    ``max_iter=10000`` epochs per alpha;
  - sklearn-liblinear: liblinear has no warm start, so each alpha is fitted from zero. It penalizes the
    intercept: it appends a constant column of value ``intercept_scaling`` whose weight is L1-penalized,
    i.e. it adds alpha |b| / intercept_scaling to our objective. That is not removed here: the
    certificate evaluates liblinear's (w, b) on the objective above, so the penalized intercept shows as
    suboptimality (about alpha_max |b| / intercept_scaling; 1e3 is enough at tol 1e-6 on breast cancer,
    1e4 is needed below; 1e6 makes liblinear stall). Its ladder raises intercept_scaling with the
    tolerance.
  The data are converted once, outside the timing, to what ``fit`` would otherwise copy at each alpha
  (C-ordered float64, or CSR).
- skglm: its ``ProxNewton`` solver (working sets, prox-Newton; skglm's own ``SparseLogisticRegression``
  runs the same solver after a copy of X at every fit) on ``Logistic()`` (mean log-loss, labels +-1) +
  ``L1(alpha)``, ``fit_intercept=True``, warm-started along the grid from the previous (w, b) and X w. Its
  tol bounds the largest violation of the optimality conditions (gradient units); a violation eps bounds
  the gap by about eps ||w||_1 <= eps P_null / alpha, so skglm gets tol = rel * alpha, rel on its ladder.
- celer: ``celer_path(X, +-y, "logreg", alphas=n * alphas)`` (celer's logistic objective is the summed
  log-loss, tol its gap over n log 2). celer fits no intercept: it runs only with --no-intercept
  (every library then fits none) and is otherwise reported as 'no intercept: skipped'.

Equal accuracy. Every returned (w, b) is certified by `logistic_primal_dual` (benchmarks/logistic_data.py,
NumPy/SciPy only, shared with the asv benchmarks, independent of fastreg's code): the primal P above and a
dual lower bound D from the solution's probabilities (made intercept-feasible, then scaled into the
constraint |X^T theta|_inf <= n alpha). Relative values are over P_null, the null model's mean log-loss
(the binary entropy of mean(y); log 2 without intercept). Per alpha, P_best is the smallest P any run
reached and D_best the largest D any run's point gave (every D is a lower bound of the optimum, so
P - D_best certifies P too, more tightly). The pools also hold one untimed fastreg path solved to
--reference-tol (1e-10), so that D_best is sharp: "gap best" is then close to the true suboptimality,
and no run is certified or refused because of how loosely the others were solved. Columns: "subopt" =
max over the path of (P - P_best) / P_null (how far a library is from the best anyone found, a lower
bound of its suboptimality); "gap own" = max (P - D) / P_null at its own dual point; "gap best" =
max (P - D_best) / P_null, a certified upper bound of its relative suboptimality; "certified" = gap best
<= --target (1e-6).

Tolerance ladders. Each library runs its ladder of settings (`LIBRARIES`, loosest first) and climbs until
a run is certified (gap best <= target, with the duals found so far), a run warns that it did not
converge (its iteration cap is reached: a tighter tol would not help), a run takes longer than --budget
seconds, or the ladder ends; the table reports the fastest certified setting (else the last one run,
marked NO). fastreg runs first, so its duals are pooled before the peers climb. A refit loop (saga,
liblinear, skglm) that passes the budget stops; its missing alphas count as not certified.

Timing: wall-clock seconds, best of --repeat runs of the chosen setting (each after one untimed warm-up
on a small slice of the same format: numba compilation for skglm); cpu / wall > 1 means BLAS threads
(glmnet is single-threaded Fortran; its times are R's). Read ratios, not seconds: the machine may be
busy.

Setup (glmnet needs R; the peers in a virtual environment of their own, here ~/peers, fastreg built
into it from a checkout, e.g. a git worktree of the branch to measure):

    apt-get install -y r-base-core r-cran-glmnet     # with sudo if not root; brings R, glmnet and Matrix
    python3 -m venv ~/peers
    ~/peers/bin/pip install Cython meson meson-python ninja numpy scipy threadpoolctl scikit-learn \\
        pandas skglm celer asv
    ~/peers/bin/pip install --no-build-isolation <fastreg checkout>   # again after each change

Run from benchmarks/ (without Rscript on PATH, or without R's glmnet, glmnet is skipped with a note):

    ~/peers/bin/python compare_logistic.py --quick               # small sizes, 60 s budget: ~10 min
    ~/peers/bin/python compare_logistic.py                       # the issue's sizes (saga: long)
    ~/peers/bin/python compare_logistic.py --problem wide sparse-onehot --repeat 3
    ~/peers/bin/python compare_logistic.py --libraries fastreg glmnet --budget 120
    ~/peers/bin/python compare_logistic.py --no-intercept        # celer joins, nobody fits b
    ~/peers/bin/python compare_logistic.py --threads 1           # BLAS on one thread for everyone
"""
import argparse
import contextlib
import importlib
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from benchmarks.logistic_data import (alpha_max, breast_cancer, logistic_primal_dual, null_objective,
                                      onehot_logistic, thresholded_design)
from compare import print_table

# ----------------------------------------------------------------------------------------------------
# problems


@dataclass
class Problem:
    description: str
    load: object  # quick -> X (Fortran-ordered ndarray or CSC), y (0/1 float64)
    eps: float = 1e-3  # alpha_min / alpha_max; 1e-2 when p > n


PROBLEMS = {
    "tall": Problem(
        "correlated Gaussian (Toeplitz 0.7), labels thresholded from a sparse linear response, n >> p",
        lambda quick: thresholded_design(*((5000, 100) if quick else (50000, 200)), seed=0),
    ),
    "wide": Problem(
        "correlated Gaussian (Toeplitz 0.7), labels thresholded from a sparse linear response, p >> n",
        lambda quick: thresholded_design(*((200, 1000) if quick else (1000, 5000)), seed=1),
        1e-2,
    ),
    "breast-cancer": Problem(
        "scikit-learn's breast-cancer data (real, nearly separable), columns standardized",
        lambda quick: breast_cancer(),
    ),
    "sparse-onehot": Problem(
        "one-hot categorical data (Zipf levels, flags, 2 numeric columns; CSC), logistic labels",
        lambda quick: onehot_logistic("quick" if quick else "full"),
    ),
}


# ----------------------------------------------------------------------------------------------------
# the libraries: prepare(X, y, fit_intercept) -> data (outside the timing); run(data, alphas, setting,
# deadline) -> Run; ladder: settings from loosest to tightest


@dataclass
class Run:
    coefs: np.ndarray  # (n_features, n_alphas), NaN where an alpha was not reached
    intercepts: np.ndarray
    info: str = ""
    wall: float = None  # seconds measured by the library itself (glmnet: R's system.time)
    cpu: float = None
    n_warn: int = 0  # warnings the library reported outside Python (glmnet)


@dataclass
class Library:
    module: str  # what must import for the library to run ("" for glmnet: Rscript is checked)
    prepare: object
    run: object
    ladder: tuple
    describe: object  # setting -> short text
    fits_intercept: bool = True


def _dense_or_csc(X):
    return sp.csc_matrix(X) if sp.issparse(X) else np.asfortranarray(X)


def prepare_plain(X, y, fit_intercept):
    return dict(X=_dense_or_csc(X), y=y, fit_intercept=fit_intercept)


def run_fastreg(data, alphas, setting, deadline):
    import fastreg

    path = fastreg.logistic_path(data["X"], data["y"], alphas=alphas, tol=setting["tol"], max_iter=1000,
                                 fit_intercept=data["fit_intercept"])
    info = path.solver + ("" if path.converged.all() else f", {np.sum(~path.converged)} α not converged")
    return Run(path.coefs, path.intercepts, info)


def _nan_path(n_features, n_alphas):
    return np.full((n_features, n_alphas), np.nan), np.full(n_alphas, np.nan)


def _refit_along(fit_one, n_features, alphas, deadline):
    """coefs, intercepts of fit_one(k, alpha) -> (w, b) along the grid, stopping at the deadline."""
    coefs, intercepts = _nan_path(n_features, len(alphas))
    for k, alpha in enumerate(alphas):
        if time.perf_counter() > deadline:
            return Run(coefs, intercepts, f"budget: stopped after {k}/{len(alphas)} α")
        coefs[:, k], intercepts[k] = fit_one(k, float(alpha))
    return Run(coefs, intercepts)


def prepare_sklearn(X, y, fit_intercept):
    # what LogisticRegression.fit would copy X into at every alpha: CSR, or C-ordered float64
    X = sp.csr_matrix(X, dtype=np.float64) if sp.issparse(X) else np.ascontiguousarray(X, dtype=np.float64)
    return dict(X=X, y=y, fit_intercept=fit_intercept)


def _logistic_regression(**kwargs):
    import inspect

    from sklearn.linear_model import LogisticRegression

    # scikit-learn >= 1.8 deprecates `penalty` (its default is then 'deprecated'): l1_ratio=1 is the L1
    # penalty; before 1.8, l1_ratio is ignored unless penalty='elasticnet', so penalty='l1' is needed
    if inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated":
        penalty = dict(l1_ratio=1.0)
    else:
        penalty = dict(penalty="l1")
    return LogisticRegression(random_state=0, **penalty, **kwargs)


def run_saga(data, alphas, setting, deadline):
    X, y = data["X"], data["y"]
    n = X.shape[0]
    model = _logistic_regression(solver="saga", tol=setting["tol"], max_iter=10_000, warm_start=True,
                                 fit_intercept=data["fit_intercept"])

    def fit_one(k, alpha):
        model.set_params(C=1.0 / (n * alpha))
        model.fit(X, y)
        return model.coef_[0], model.intercept_[0] if data["fit_intercept"] else 0.0

    return _refit_along(fit_one, X.shape[1], alphas, deadline)


def run_liblinear(data, alphas, setting, deadline):
    X, y = data["X"], data["y"]
    n = X.shape[0]

    def fit_one(k, alpha):
        # no warm start in liblinear: every alpha from zero
        model = _logistic_regression(solver="liblinear", C=1.0 / (n * alpha), tol=setting["tol"], max_iter=1000,
                                     fit_intercept=data["fit_intercept"],
                                     intercept_scaling=setting["intercept_scaling"])
        model.fit(X, y)
        return model.coef_[0], model.intercept_[0] if data["fit_intercept"] else 0.0

    return _refit_along(fit_one, X.shape[1], alphas, deadline)


def prepare_pm(X, y, fit_intercept):
    """skglm and celer: Fortran-ordered or CSC float64 X, labels -1/+1."""
    return dict(X=_dense_or_csc(X), y=2.0 * y - 1.0, fit_intercept=fit_intercept)


def run_skglm(data, alphas, setting, deadline):
    from skglm.datafits import Logistic
    from skglm.penalties import L1
    from skglm.solvers import ProxNewton

    X, y, fit_intercept = data["X"], data["y"], data["fit_intercept"]
    p = X.shape[1]
    w = np.zeros(p + fit_intercept)

    def fit_one(k, alpha):
        nonlocal w
        solver = ProxNewton(tol=setting["rel"] * alpha, fit_intercept=fit_intercept, max_iter=100,
                            max_pn_iter=1000)
        Xw = X @ w[:p] + (w[p] if fit_intercept else 0.0)
        w = solver.solve(X, y, Logistic(), L1(alpha), w_init=w.copy(), Xw_init=Xw)[0]
        return w[:p], w[p] if fit_intercept else 0.0

    return _refit_along(fit_one, p, alphas, deadline)


def run_celer(data, alphas, setting, deadline):
    import celer

    X, y = data["X"], data["y"]
    n = X.shape[0]
    # summed log-loss: celer's alpha is n times ours; its path warm-starts along the grid
    coefs = celer.celer_path(X, y, "logreg", alphas=n * np.asarray(alphas), tol=setting["tol"], max_iter=100)[1]
    return Run(np.asarray(coefs), np.zeros(len(alphas)))


# glmnet through Rscript: the data as binary files (prepare_glmnet), one R process per setting
GLMNET_R = r"""
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; thresh <- as.numeric(args[2]); maxit <- as.numeric(args[3]); repeats <- as.integer(args[4])
suppressPackageStartupMessages(library(glmnet))
meta <- read.table(file.path(dir, "meta.txt"), header = TRUE)
bin <- function(name, what, count, size = NA_integer_) {
  con <- file(file.path(dir, name), "rb"); on.exit(close(con))
  readBin(con, what, n = count, size = size)
}
n <- meta$n; p <- meta$p
if (meta$sparse == 1) {
  X <- Matrix::sparseMatrix(i = bin("X_indices.bin", "integer", meta$nnz, 4),
                            p = bin("X_indptr.bin", "integer", p + 1, 4),
                            x = bin("X_data.bin", "double", meta$nnz), dims = c(n, p), index1 = FALSE)
} else {
  X <- matrix(bin("X.bin", "double", n * p), n, p)
}
y <- bin("y.bin", "double", n)
lambda <- bin("lambda.bin", "double", meta$nlambda)
glmnet.control(fdev = 0, devmax = 1)  # no early end of the path
fit <- function(rows, lam) glmnet(X[rows, , drop = FALSE], y[rows], family = "binomial", alpha = 1,
                                  lambda = lam, standardize = FALSE, intercept = meta$intercept == 1,
                                  thresh = thresh, maxit = maxit)
try(fit(seq_len(min(n, 500)), lambda[1:3]), silent = TRUE)  # warm-up, untimed
rows <- seq_len(n)
best <- Inf
for (r in seq_len(repeats)) {
  messages <- character()
  t <- system.time(result <- withCallingHandlers(fit(rows, lambda), warning = function(w) {
    messages <<- c(messages, conditionMessage(w)); invokeRestart("muffleWarning")
  }))
  if (t[["elapsed"]] < best) {
    best <- t[["elapsed"]]; cpu <- t[["user.self"]] + t[["sys.self"]]; kept <- result; kept_messages <- messages
  }
}
writeBin(as.vector(as.matrix(kept$beta)), file.path(dir, "beta.bin"))
writeBin(as.vector(kept$a0), file.path(dir, "a0.bin"))
writeBin(as.vector(kept$lambda), file.path(dir, "lambda_out.bin"))
writeLines(c(sprintf("%.17g", best), sprintf("%.17g", cpu), length(kept$lambda), kept$npasses, kept$jerr,
             length(kept_messages), gsub("\n", " ", kept_messages)), file.path(dir, "result.txt"))
"""

GLMNET_MAXIT = 10_000_000


def glmnet_version():
    """glmnet's version through Rscript, or raise saying why it cannot run."""
    if shutil.which("Rscript") is None:
        raise RuntimeError("Rscript not found (apt-get install r-base-core r-cran-glmnet)")
    out = subprocess.run(["Rscript", "-e", 'cat(paste0(R.version$major, ".", R.version$minor), '
                          'as.character(packageVersion("glmnet")))'],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"R's glmnet not available (apt-get install r-cran-glmnet): {out.stderr.strip()[-200:]}")
    r_version, glmnet = out.stdout.split()
    return f"R {r_version}, glmnet {glmnet}"


def prepare_glmnet(X, y, fit_intercept):
    directory = Path(tempfile.mkdtemp(prefix="compare_logistic_"))
    n, p = X.shape
    if sp.issparse(X):
        X = sp.csc_matrix(X, dtype=np.float64)
        X.sort_indices()
        X.indices.astype("<i4").tofile(directory / "X_indices.bin")
        X.indptr.astype("<i4").tofile(directory / "X_indptr.bin")
        X.data.astype("<f8").tofile(directory / "X_data.bin")
        nnz = X.nnz
    else:
        np.asarray(X, dtype="<f8").ravel(order="F").tofile(directory / "X.bin")  # column-major, as R's
        nnz = n * p
    np.asarray(y, dtype="<f8").tofile(directory / "y.bin")
    (directory / "glmnet.R").write_text(GLMNET_R)
    return dict(dir=directory, n=n, p=p, nnz=nnz, sparse=int(sp.issparse(X)), intercept=int(fit_intercept))


def run_glmnet(data, alphas, setting, deadline, repeat=1):
    directory = data["dir"]
    np.asarray(alphas, dtype="<f8").tofile(directory / "lambda.bin")
    (directory / "meta.txt").write_text("n p nnz sparse intercept nlambda\n"
                                        f"{data['n']} {data['p']} {data['nnz']} {data['sparse']} "
                                        f"{data['intercept']} {len(alphas)}\n")
    (directory / "result.txt").unlink(missing_ok=True)
    timeout = max(60.0, deadline - time.perf_counter()) * repeat + 120
    try:
        out = subprocess.run(["Rscript", str(directory / "glmnet.R"), str(directory), repr(setting["thresh"]),
                              str(GLMNET_MAXIT), str(repeat)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        coefs, intercepts = _nan_path(data["p"], len(alphas))
        return Run(coefs, intercepts, f"budget: R stopped after {timeout:.0f} s", wall=timeout, cpu=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"Rscript failed: {out.stderr.strip()[-500:]}")
    lines = (directory / "result.txt").read_text().splitlines()
    wall, cpu, n_lambda, npasses, jerr, n_warn = (float(lines[0]), float(lines[1]), int(lines[2]), int(lines[3]),
                                                  int(lines[4]), int(lines[5]))
    beta = np.fromfile(directory / "beta.bin", dtype="<f8").reshape(data["p"], n_lambda, order="F")
    a0 = np.fromfile(directory / "a0.bin", dtype="<f8")
    returned = np.fromfile(directory / "lambda_out.bin", dtype="<f8")
    if not np.allclose(returned, alphas[:n_lambda], rtol=1e-12, atol=0):
        raise RuntimeError("glmnet returned other lambdas than the grid")
    coefs, intercepts = _nan_path(data["p"], len(alphas))
    coefs[:, :n_lambda], intercepts[:n_lambda] = beta, a0
    info = f"{npasses} passes"
    if n_lambda < len(alphas):
        info += f", {len(alphas) - n_lambda} α not returned (jerr {jerr}: {' '.join(lines[6:])[:120]})"
    return Run(coefs, intercepts, info, wall=wall, cpu=cpu, n_warn=n_warn)


def _g(x):
    return f"{x:.0e}".replace("e-0", "e-")


LIBRARIES = {
    "fastreg": Library("fastreg", prepare_plain, run_fastreg,
                       (dict(tol=1e-6), dict(tol=1e-7), dict(tol=1e-8)), lambda s: f"tol={_g(s['tol'])}"),
    "glmnet": Library("", prepare_glmnet, run_glmnet,
                      (dict(thresh=1e-8), dict(thresh=1e-10), dict(thresh=1e-12)),
                      lambda s: f"thresh={_g(s['thresh'])}"),
    "sklearn-liblinear": Library("sklearn", prepare_sklearn, run_liblinear,
                                 (dict(tol=1e-4, intercept_scaling=1e3), dict(tol=1e-6, intercept_scaling=1e3),
                                  dict(tol=1e-8, intercept_scaling=1e4)),
                                 lambda s: f"tol={_g(s['tol'])} i.s.={_g(s['intercept_scaling'])}"),
    "sklearn-saga": Library("sklearn", prepare_sklearn, run_saga,
                            (dict(tol=1e-4), dict(tol=1e-6), dict(tol=1e-8)), lambda s: f"tol={_g(s['tol'])}"),
    "skglm": Library("skglm", prepare_pm, run_skglm, (dict(rel=1e-3), dict(rel=1e-4), dict(rel=1e-6)),
                     lambda s: f"tol={_g(s['rel'])}·α"),
    "celer": Library("celer", prepare_pm, run_celer, (dict(tol=1e-4), dict(tol=1e-6), dict(tol=1e-8)),
                     lambda s: f"tol={_g(s['tol'])}", fits_intercept=False),
}
SKLEARN = ("sklearn-liblinear", "sklearn-saga")


# ----------------------------------------------------------------------------------------------------
# timing and certificates


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _warm_up_slice(X, y):
    """The first rows and a few columns (the densest, when sparse), in X's format and layout."""
    n_rows = min(X.shape[0], 500)
    if sp.issparse(X):
        columns = np.sort(np.argsort(np.diff(X.indptr))[-20:])
        return sp.csc_matrix(X[:n_rows][:, columns]), y[:n_rows]
    return np.asfortranarray(X[:n_rows, :min(X.shape[1], 20)]), y[:n_rows]


def warm_up(lib, X, y, fit_intercept):
    """One untimed run on a small slice (imports, numba compilation); glmnet warms up inside R."""
    if lib.run is run_glmnet:
        return
    Xw, yw = _warm_up_slice(X, y)
    a = alpha_max(Xw, yw, fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib.run(lib.prepare(Xw, yw, fit_intercept), np.geomspace(a, 0.1 * a, 3), lib.ladder[0], np.inf)


def time_run(lib, data, alphas, setting, repeat, budget):
    """The best of `repeat` runs: (wall, cpu, Run, number of warnings)."""
    if lib.run is run_glmnet:  # R repeats and times itself
        run = run_glmnet(data, alphas, setting, time.perf_counter() + budget, repeat=repeat)
        return run.wall, run.cpu, run, run.n_warn
    best = None
    for _ in range(repeat):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cpu, wall = _cpu_seconds(), time.perf_counter()
            run = lib.run(data, alphas, setting, wall + budget)
            wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu, run, len(caught))
    return best


@dataclass
class Result:
    lib: str
    setting: str
    wall: float
    cpu: float
    run: Run
    n_warn: int
    primal: np.ndarray
    dual: np.ndarray
    # against the final pools of the problem (run_problem)
    subopt: float = None
    gap_own: float = None
    gap_best: float = None
    certified: bool = None


def _worst(values):
    """Largest value along the path; inf if any alpha is missing (NaN)."""
    return np.inf if np.isnan(values).any() else float(np.max(values))


def _e(x):
    return "inf" if not np.isfinite(x) else f"{x:.1e}"


def reference(X, y, alphas, fit_intercept, tol, unit):
    """P and D of one untimed, tightly solved fastreg path: a sharp D_best (any point's D is a lower bound,
    whoever computed the point), so that "gap best" is close to each run's true suboptimality."""
    import fastreg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = fastreg.logistic_path(_dense_or_csc(X), y, alphas=alphas, tol=tol, max_iter=10_000,
                                     fit_intercept=fit_intercept)
    primal, dual = logistic_primal_dual(X, y, alphas, path.coefs, path.intercepts, fit_intercept)
    missed = "" if path.converged.all() else f", {np.sum(~path.converged)} α short of its tol"
    print(f"  reference (fastreg tol={tol:g}, untimed, pooled): gap own {_e(_worst((primal - dual) / unit))}"
          f"{missed}")
    return primal, dual


def run_problem(name, problem, libraries, args):
    """Climb every library's ladder on one problem; returns (rows of the summary, the goals' row)."""
    X, y = problem.load(args.quick)
    fit_intercept = not args.no_intercept
    n, p = X.shape
    eps = problem.eps if args.eps is None else args.eps
    alphas = np.geomspace(alpha_max(X, y, fit_intercept), eps * alpha_max(X, y, fit_intercept), args.n_alphas)
    unit = null_objective(y, fit_intercept)
    shape = f"{n}x{p}"
    kind = f"CSC, nnz {X.nnz}" if sp.issparse(X) else "dense"
    print(f"\n{name} ({shape} {kind}, mean(y) {y.mean():.3f}, eps {eps:g}, P_null {unit:.4f}): "
          f"{problem.description}", flush=True)

    results = {}  # lib -> [Result, ...] in ladder order
    best_primal = np.full(len(alphas), np.inf)
    best_dual = np.full(len(alphas), -np.inf)
    if args.reference_tol:
        best_primal, best_dual = reference(X, y, alphas, fit_intercept, args.reference_tol, unit)
    for lib_name, lib in libraries.items():
        if fit_intercept and not lib.fits_intercept:
            print(f"  {lib_name}: no intercept: skipped (run with --no-intercept)")
            continue
        try:
            warm_up(lib, X, y, fit_intercept)
            data = lib.prepare(X, y, fit_intercept)
        except Exception as exc:
            print(f"  {lib_name}: failed to start: {type(exc).__name__}: {exc}")
            traceback.print_exc(limit=3, file=sys.stdout)
            continue
        results[lib_name] = []
        for setting in lib.ladder:
            label = lib.describe(setting)
            try:
                wall, cpu, run, n_warn = time_run(lib, data, alphas, setting, args.repeat, args.budget)
                primal, dual = logistic_primal_dual(X, y, alphas, run.coefs, run.intercepts, fit_intercept)
            except Exception as exc:
                print(f"  {lib_name} {label}: failed: {type(exc).__name__}: {exc}")
                traceback.print_exc(limit=3, file=sys.stdout)
                break
            results[lib_name].append(Result(lib_name, label, wall, cpu, run, n_warn, primal, dual))
            best_primal = np.fmin(best_primal, primal)
            best_dual = np.fmax(best_dual, dual)
            gap = _worst((primal - best_dual) / unit)
            print(f"  {lib_name} {label}: {wall:.3g} s, gap best {_e(gap)}"
                  + (f" ({run.info})" if run.info else ""), flush=True)
            if gap <= args.target:
                break
            if n_warn:  # hit its iteration cap: a tighter tol cannot do better within the same cap
                print(f"  {lib_name}: ladder stopped ({n_warn} convergence warnings)")
                break
            if wall > args.budget or run.info.startswith("budget"):
                print(f"  {lib_name}: ladder stopped (a run took more than --budget {args.budget:g} s)")
                break
        if lib.run is run_glmnet:
            shutil.rmtree(data["dir"], ignore_errors=True)

    # every run against the final pools; per library, the fastest certified run (else its last one)
    detail, chosen = [], {}
    for lib_name, runs in results.items():
        for r in runs:
            r.subopt = _worst((r.primal - best_primal) / unit)
            r.gap_own = _worst((r.primal - r.dual) / unit)
            r.gap_best = _worst((r.primal - best_dual) / unit)
            r.certified = r.gap_best <= args.target
            detail.append([lib_name, r.setting, f"{r.wall:.3g}", _e(r.subopt), _e(r.gap_own), _e(r.gap_best),
                           "yes" if r.certified else "NO", r.n_warn, r.run.info])
        if runs:
            certified = [r for r in runs if r.certified]
            chosen[lib_name] = min(certified, key=lambda r: r.wall) if certified else runs[-1]
    print()
    print_table(["library", "setting", "time (s)", "subopt", "gap own", "gap best", "certified", "warnings",
                 "info"], detail)

    ref = chosen.get("fastreg")
    rows = []
    for lib_name, r in chosen.items():
        timed_out = r.run.info.startswith("budget")
        more = ">" if timed_out else ""
        rows.append([name, shape, lib_name, r.setting, f"{more}{r.wall:.3g}",
                     f"{r.cpu / r.wall:.1f}" if r.wall > 0 else "-",
                     f"{more}{r.wall / ref.wall:.3g}" if ref and ref.wall > 0 else "-", _e(r.subopt), _e(r.gap_best),
                     "yes" if r.certified else "NO", r.n_warn])
    return rows, goals_row(name, chosen)


def goals_row(name, chosen):
    """fastreg against glmnet and against scikit-learn's fastest certified solver (the issue's goals)."""
    ref = chosen.get("fastreg")
    if ref is None:
        return None

    def versus(r):
        if r is None:
            return "-", None
        mark = "" if r.certified else " (not certified)"
        prefix = ">" if r.run.info.startswith("budget") else ""
        return f"{prefix}{r.wall / ref.wall:.3g}{mark}", r.wall / ref.wall

    glmnet, glmnet_ratio = versus(chosen.get("glmnet"))
    peers = [chosen[lib] for lib in SKLEARN if lib in chosen]
    certified = [r for r in peers if r.certified]
    fastest = min(certified or peers, key=lambda r: r.wall) if peers else None
    sklearn, sklearn_ratio = versus(fastest)
    needed = 10.0 if name in ("wide", "sparse-onehot") else None
    met = []
    if glmnet_ratio is not None:
        met.append("glmnet: " + ("yes" if glmnet_ratio > 1 and ref.certified else "NO"))
    if needed and sklearn_ratio is not None:
        met.append(f"sklearn >= {needed:g}x: " + ("yes" if sklearn_ratio >= needed and ref.certified else "NO"))
    return [name, f"{ref.wall:.3g}", "yes" if ref.certified else "NO", glmnet,
            f"{sklearn} ({fastest.lib})" if fastest else "-", ", ".join(met) or "-"]


# ----------------------------------------------------------------------------------------------------
# report


def versions(names):
    lines = [f"python {platform.python_version()} on {platform.machine()}"]
    modules = ["numpy", "scipy"] + [LIBRARIES[n].module for n in names if LIBRARIES[n].module]
    for module_name in dict.fromkeys(modules):
        try:
            module = importlib.import_module(module_name)
            lines.append(f"{module_name} {getattr(module, '__version__', '?')}")
        except Exception as exc:  # not installed, or broken: say so, the run goes on without it
            lines.append(f"{module_name}: not available ({type(exc).__name__}: {exc})")
    try:
        from threadpoolctl import threadpool_info

        blas = {(i["internal_api"], i.get("version"), i["num_threads"]) for i in threadpool_info()
                if i["user_api"] == "blas"}
        lines.append("BLAS: " + ", ".join(f"{api} {ver} ({threads} threads)" for api, ver, threads in sorted(blas)))
    except ImportError:
        lines.append("BLAS: threadpoolctl not installed, threads not reported")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problem", nargs="+", choices=list(PROBLEMS), default=list(PROBLEMS),
                        help="problems to run (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes (tall 5000x100, wide 200x1000, sparse-onehot 20000 rows) and a "
                             "60 s budget")
    parser.add_argument("--libraries", nargs="+", choices=list(LIBRARIES), default=list(LIBRARIES),
                        help="libraries to run (default: all; celer only runs with --no-intercept)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each setting, best kept (default 1)")
    parser.add_argument("--n-alphas", type=int, default=50)
    parser.add_argument("--eps", type=float, default=None,
                        help="alpha_min / alpha_max (default: the problem's, 1e-3, or 1e-2 when p > n)")
    parser.add_argument("--target", type=float, default=1e-6,
                        help="certified relative suboptimality to reach (default 1e-6)")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds one path may take: a refit loop stops there, and the ladder stops "
                             "climbing after a run longer than that (default 600, 60 with --quick)")
    parser.add_argument("--no-intercept", action="store_true",
                        help="every library without intercept (celer runs too)")
    parser.add_argument("--reference-tol", type=float, default=1e-10,
                        help="tol of the untimed fastreg path whose primal and dual join the pools "
                             "(default 1e-10; 0: none, the pools are then the timed runs' only)")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit BLAS threads in this process (threadpoolctl; glmnet is single-threaded)")
    args = parser.parse_args(argv)
    if args.budget is None:
        args.budget = 60.0 if args.quick else 600.0

    print("\n".join(versions(args.libraries)))
    available = {}
    for name in args.libraries:
        lib = LIBRARIES[name]
        try:
            if lib.module:
                importlib.import_module(lib.module)
            else:
                print(glmnet_version())
            available[name] = lib
        except Exception as exc:
            print(f"note: {name} skipped ({type(exc).__name__}: {exc})")
    print(f"L1-logistic paths, {args.n_alphas} alphas, {'no intercept' if args.no_intercept else 'intercept'}, "
          f"target: certified relative suboptimality <= {args.target:g}, best of {args.repeat}, "
          f"budget {args.budget:g} s per path")

    limits = contextlib.nullcontext()
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=args.threads)
    rows, goals = [], []
    with limits:
        for name in args.problem:
            problem_rows, goal = run_problem(name, PROBLEMS[name], available, args)
            rows += problem_rows
            if goal:
                goals.append(goal)

    print()
    print_table(["problem", "n x p", "library", "setting", "time (s)", "cpu / wall", "time / fastreg", "subopt",
                 "gap best", "certified", "warnings"], rows)
    print("\nPer library its fastest certified setting of the ladder (else the last one run). subopt: max over the "
          "path of\n(P - P_best) / P_null, P_best the best objective any run reached at that alpha; gap best: max "
          "(P - D_best) / P_null,\nD_best the best NumPy dual bound from any run (logistic_primal_dual): a "
          "certified bound of the relative\nsuboptimality. '>' : stopped at --budget. cpu / wall > 1: BLAS "
          "threads.")
    if goals:
        print("\nThe issue's goals: fastreg faster than glmnet everywhere, >= 10x faster than scikit-learn's "
              "fastest solver\non wide and sparse-onehot (ratios: peer time / fastreg time, certified settings):")
        print_table(["problem", "fastreg (s)", "fastreg certified", "glmnet / fastreg", "best sklearn / fastreg",
                     "goals met"], goals)
    return 0


if __name__ == "__main__":
    sys.exit(main())

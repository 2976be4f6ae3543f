"""The ``fastreg`` command line: a regularization path on a CSV or Parquet file (or the embedded diabetes
data), a model chosen on it, and the model, the path and their pictures saved.

With no arguments it fits the full Lasso path of the diabetes data shipped with fastreg, prints one row
per penalty (alpha, non-zero coefficients, training R^2, certified duality gap) and the model chosen
by an information criterion (BIC by default).

``--family binomial`` fits a penalized logistic regression path instead (`fastreg.logistic_path`) on a
two-class target (two numbers or two strings; the second of the sorted labels is the positive class):
one row per penalty with the deviance explained and the training accuracy, the model chosen by the
binomial BIC/AIC (`logistic_information_criterion`), its coefficients in log-odds per unit.

``--cv K`` cross-validates the path in K folds (`fastreg.cv_path`; binomial: stratified folds, each a
`logistic_path` on the grid of all the data, scored by the held-out binomial deviance) and adds the mean
CV error and its standard error to the table; ``--select min|1se|bic|aic`` chooses the model (1se by
default with --cv). ``--ridge`` fits Ridge regression on a grid instead, chosen by RidgeCV's
leave-one-out errors or K-fold with --cv. ``--output`` saves the chosen model as JSON, ``--path-csv``
the whole path, ``--plot`` the path and CV curve (`fastreg.plot`). Input is read and one-hot encoded
by `fastreg._table`.

Exit status: 0 when every penalty is certified, 1 when results were printed with a warning (a penalty
short of its gap target), 2 on a user error (bad file or option), reported in one ``fastreg: ...`` line.
"""
import argparse
import contextlib
import csv
import importlib
import json
import os
import re
import sys
import threading
import time
import warnings
from typing import NamedTuple

import numpy as np

from . import ConvergenceWarning, CVPath, Path, RidgeCV, __version__, cv_path, enet_path, logistic_path, ridge_path
from ._folds import make_folds, stratified_folds
from ._table import TableError, encode, read_table
from .data import DIABETES_CSV

# alpha_min / alpha_max of the Gaussian path when --eps is not given
GAUSSIAN_EPS = 1e-3
# the Ridge grid: RIDGE_TOP x the mean eigenvalue of the (standardized, centered) X^T X down to --eps x that
RIDGE_TOP = 1e3
RIDGE_EPS = 1e-6
PLOT_SUFFIXES = (".png", ".svg", ".pdf")
# the progress line appears once a fit has run this long (seconds), refreshed every PROGRESS_TICK
PROGRESS_AFTER = 1.0
PROGRESS_TICK = 0.25
RULES = {"min": "the minimum CV error", "1se": "the 1-SE rule", "bic": "BIC", "aic": "AIC"}


def _fail(message):
    """End the program on a user error: one line on stderr, exit status 2."""
    print(f"fastreg: {message}", file=sys.stderr)
    raise SystemExit(2)


class _Parser(argparse.ArgumentParser):
    """argparse, its errors in one line (not usage + error) like every other user error."""

    def error(self, message):
        _fail(f"{message} (fastreg --help lists the options).")


def information_criterion(X, y, path, criterion):
    """AIC or BIC of every solution of a Lasso path, with df = number of non-zeros (Zou et al. 2007).

    The noise variance is estimated from the least-squares fit when n > p + 1, else from the
    least-penalized solution of the path (as scikit-learn's LassoLarsIC).
    """
    n, p = X.shape
    rss = np.array([np.sum((y - X @ path.coefs[:, i] - path.intercepts[i]) ** 2)
                    for i in range(len(path.alphas))])
    df = np.count_nonzero(path.coefs, axis=0)
    if n > p + 1:
        Xc = X - X.mean(axis=0)
        coef, *_ = np.linalg.lstsq(Xc, y - y.mean(), rcond=None)
        sigma2 = np.sum((y - y.mean() - Xc @ coef) ** 2) / (n - p - 1)
    else:
        sigma2 = rss[-1] / max(n - df[-1] - 1, 1)
    sigma2 = max(sigma2, np.finfo(float).tiny)
    penalty = np.log(n) if criterion == "bic" else 2.0
    return n * np.log(2 * np.pi * sigma2) + rss / sigma2 + penalty * df


def logistic_information_criterion(X, y, path, criterion, fit_intercept=True):
    """AIC or BIC of every solution of a logistic regression path.

    ``2 n L + k log(n)`` (BIC) or ``2 n L + 2 k`` (AIC), with L the mean log-loss
    ``1/n sum_i [log(1 + exp(eta_i)) - y_i eta_i]`` of the linear predictor eta = X w + b (so 2 n L is
    the deviance, -2 log-likelihood) and k the number of non-zero coefficients plus one for the
    intercept when it is fitted. y holds 0/1, 1 for the positive class.
    """
    n = X.shape[0]
    eta = X @ path.coefs + path.intercepts
    log_loss = np.mean(np.logaddexp(0.0, eta) - y[:, None] * eta, axis=0)
    k = np.count_nonzero(path.coefs, axis=0) + int(fit_intercept)
    penalty = np.log(n) if criterion == "bic" else 2.0
    return 2 * n * log_loss + penalty * k


class Column(NamedTuple):
    """A per-penalty column of the table: its heading, width and format spec (z: a rounded -0 shows
    as 0), and how the summary of the selected model names its value (a format string)."""

    heading: str
    width: int
    spec: str
    values: np.ndarray
    summary: str


def _label(label):
    """A class label as the output shows it: quoted if a string, a short number otherwise."""
    return repr(label) if isinstance(label, str) else f"{label:.15g}"


class Progress:
    """The progress line on stderr while a fit runs: 'fastreg: <phase>, alpha i/n, k non-zeros, gap g
    (t s)', overwritten in place (\\r) and cleared at the end, shown once the fit has run PROGRESS_AFTER
    seconds. Only when `enabled` (stderr a terminal, no --quiet); otherwise nothing runs.

    The path functions report each penalty through their ``verbose`` hook (`solve_path` prints one
    line per alpha to sys.stderr, here redirected to `write`), at no cost to the fit; phases without a
    hook (the folds of `cv_path`) show their name and the elapsed time, refreshed by a thread.
    """

    # solve_path's verbose line: "alpha 3/100 = 0.5: gap 1.2e-09, 4 epochs, 7 non-zero"
    LINE = re.compile(r"alpha (\d+)/(\d+) = \S+: gap (\S+), \d+ epochs, (\d+) non-zero")

    def __init__(self, enabled):
        self.enabled = enabled
        self.stream = sys.stderr
        self.stage, self.state, self.pending = "", "", ""
        self.width = 0
        self.start = time.perf_counter()
        self.lock = threading.Lock()
        self.done = threading.Event()

    def __enter__(self):
        if self.enabled:
            self.stream = sys.stderr
            self.start = time.perf_counter()
            self.redirect = contextlib.redirect_stderr(self)
            self.redirect.__enter__()
            self.ticker = threading.Thread(target=self._tick, daemon=True)
            self.ticker.start()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.done.set()
            self.ticker.join()
            self.redirect.__exit__(*exc)
            with self.lock:
                self._clear()
        return False

    def phase(self, name):
        """A new stage of the fit ('path', 'fold 3/10', ...)."""
        self.stage, self.state = name, ""
        self._show()

    def write(self, text):
        """The file protocol for the redirected stderr: solve_path's lines update the state, any other
        line passes through."""
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            match = self.LINE.search(line)
            if match:
                i, n, gap, nnz = match.groups()
                self.state = f"alpha {i}/{n}, {nnz} non-zeros, gap {float(gap):.2e}"
                self._show()
            elif line:
                with self.lock:
                    self._clear()
                    self.stream.write(line + "\n")
        return len(text)

    def flush(self):
        pass

    def _show(self):
        with self.lock:
            elapsed = time.perf_counter() - self.start
            if not self.enabled or elapsed < PROGRESS_AFTER:
                return
            line = "fastreg: " + ", ".join(part for part in (self.stage, self.state) if part) + f" ({elapsed:.0f} s)"
            self.stream.write("\r" + line.ljust(self.width))
            self.stream.flush()
            self.width = len(line)

    def _clear(self):
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def _tick(self):
        while not self.done.wait(PROGRESS_TICK):
            self._show()


class Fit(NamedTuple):
    """A model's fit: the path on all rows, its cross-validation (None without) and the df of every
    penalty (non-zero coefficients; Ridge: the effective degrees of freedom)."""

    path: Path
    cv: CVPath | None
    df: np.ndarray


def _kfold(n_samples, k):
    """K-fold without shuffling, scikit-learn's KFold (the folds of `cv_path` for cv=K)."""
    return make_folds(k, None, None, None, n_samples)


class Gaussian:
    """Least squares (`enet_path`; `cv_path` with --cv) on a numeric target: training R^2,
    `information_criterion`, the held-out mean squared error."""

    labels = False  # the target column is read as numbers
    tol_unit = "||y - mean y||^2/n"
    path_name = "path"
    target_note = ""
    legend = None
    measure = "MSE"

    def __init__(self, source, target, y, fit_intercept):
        if np.all(y == (y[0] if fit_intercept else 0.0)):
            _fail(f"{source}: target {target!r} is constant ({y[0]:g} in every row): nothing to fit.")
        self.y, self.fit_intercept = y, fit_intercept

    def eps(self, args, n, p):
        return GAUSSIAN_EPS if args.eps is None else args.eps

    def check_folds(self, source, k):
        if k > self.y.size:
            _fail(f"--cv {k} folds is more than the {self.y.size} samples of {source}: use at most {self.y.size}.")

    def fit(self, X, args, progress):
        """The path (`enet_path`), or with --cv the K-fold CV and the path on its grid (`cv_path`)."""
        options = dict(l1_ratio=args.l1_ratio, n_alphas=args.n_alphas, alphas=args.alphas, eps=self.eps(args, *X.shape),
                       tol=args.tol, max_iter=args.max_iter, fit_intercept=self.fit_intercept,
                       standardize=not args.no_standardize)
        if args.cv is None:
            progress.phase("path")
            path = enet_path(X, self.y, verbose=progress.enabled, **options)
            return Fit(path, None, np.count_nonzero(path.coefs, axis=0))
        progress.phase(f"cross-validation, {args.cv} folds and the path")
        cv = cv_path(X, self.y, cv=args.cv, **options)
        return Fit(cv.path, cv, np.count_nonzero(cv.path.coefs, axis=0))

    def columns(self, X, path):
        y = self.y
        ss_tot = np.sum((y - (y.mean() if self.fit_intercept else 0.0)) ** 2)
        pred = X @ path.coefs + path.intercepts
        r2 = 1 - np.sum((y[:, None] - pred) ** 2, axis=0) / ss_tot
        return [Column("R^2", 8, ".4f", r2, "training R^2 = {:.4f}")]

    def criterion(self, X, path, criterion):
        return information_criterion(X, self.y, path, criterion)


class Binomial:
    """Penalized logistic regression (`logistic_path`) on a two-class target, numbers or strings; the
    second of the two sorted labels is the positive class (y = 1), as in `logistic_path`. Columns:
    the deviance explained and the training accuracy; `logistic_information_criterion`; the CV measure
    is the held-out binomial deviance (glmnet's type.measure = 'deviance')."""

    labels = True
    tol_unit = "the null model's mean log-loss"
    path_name = "logistic regression path"
    measure = "deviance"

    def __init__(self, source, target, y, fit_intercept):
        classes = np.unique(y)
        if classes.size != 2:
            shown = ", ".join(_label(c) for c in classes[:4].tolist()) + (", ..." if classes.size > 4 else "")
            if classes.size == 1:
                found = f"one class ({shown} in every row)"
                advice = "choose a two-class column with --target"
            else:
                found = f"{classes.size} classes ({shown})"
                advice = ("merge them into two (one class against the rest) or choose another column with "
                          "--target" + ("; for a numeric response use --family gaussian" if y.dtype.kind == "f"
                                        else ""))
            _fail(f"{source}: target {target!r} has {found}: --family binomial needs exactly two; {advice}.")
        self.y, self.fit_intercept = y, fit_intercept
        self.classes = classes
        self.positive = y == classes[1]
        negative, positive = (_label(c) for c in classes.tolist())
        self.target_note = f" (classes {negative}, {positive}; positive {positive})"
        self.legend = (f"classes: {negative} -> 0, {positive} -> 1; coefficients are the log-odds of {positive} "
                       f"per unit of each feature")

    def eps(self, args, n, p):
        # logistic_path's default grid: 1e-3 when n > p, else 1e-2
        return args.eps if args.eps is not None else (1e-3 if n > p else 1e-2)

    def check_folds(self, source, k):
        counts = [int(np.sum(self.y == c)) for c in self.classes]
        smallest = int(np.argmin(counts))
        if k > counts[smallest]:
            _fail(f"--cv {k} folds is more than the {counts[smallest]} rows of class "
                  f"{_label(self.classes[smallest].item())} in {source}: every training fold needs both "
                  f"classes; use at most {counts[smallest]}.")

    def _path(self, X, y, args, progress, alphas):
        return logistic_path(X, y, l1_ratio=args.l1_ratio, n_alphas=args.n_alphas, alphas=alphas,
                             eps=self.eps(args, *X.shape), tol=args.tol, max_iter=args.max_iter,
                             fit_intercept=self.fit_intercept, standardize=not args.no_standardize,
                             verbose=progress.enabled)

    def fit(self, X, args, progress):
        """The path of all the rows; with --cv then every stratified fold's path on its grid, each scored
        by the mean binomial deviance 2/n_test sum [log(1 + exp(eta)) - y eta] of its held-out rows."""
        progress.phase("path")
        path = self._path(X, self.y, args, progress, args.alphas)
        df = np.count_nonzero(path.coefs, axis=0)
        if args.cv is None:
            return Fit(path, None, df)
        folds = stratified_folds(self.positive, args.cv)
        deviance = np.empty((1, path.alphas.size, len(folds)))
        for k, (train, test) in enumerate(folds):
            progress.phase(f"fold {k + 1}/{len(folds)}")
            fold = self._path(X[train], self.y[train], args, progress, path.alphas)
            eta = X[test] @ fold.coefs + fold.intercepts
            y = self.positive[test, None]
            deviance[0, :, k] = 2 * np.mean(np.logaddexp(0.0, eta) - y * eta, axis=0)
        cv = CVPath(path.alphas[None], np.array([path.l1_ratio]), deviance, folds, "logistic_path per fold", path)
        return Fit(path, cv, df)

    def columns(self, X, path):
        eta = X @ path.coefs + path.intercepts
        accuracy = np.mean((eta > 0) == self.positive[:, None], axis=0)
        return [Column("deviance %", 10, "z.2f", 100 * path.dev_ratios, "deviance explained = {:z.2f}%"),
                Column("accuracy", 8, ".4f", accuracy, "training accuracy = {:.4f}")]

    def criterion(self, X, path, criterion):
        return logistic_information_criterion(X, self.positive.astype(float), path, criterion, self.fit_intercept)


class RidgeMode(Gaussian):
    """Ridge regression (`ridge_path`; glmnet's alpha = 0) on a grid of penalties, in scikit-learn's
    Ridge units: ||y - X w - b||^2 + alpha ||w||^2 on the columns scaled to unit variance (unless
    --no-standardize), coefficients reported on the original scale. Chosen by cross-validation:
    RidgeCV's exact leave-one-out errors, or K-fold (contiguous folds, as `cv_path`) with --cv K.
    Columns: the effective degrees of freedom sum d^2 / (d^2 + alpha) and the training R^2."""

    def eps(self, args, n, p):
        return RIDGE_EPS if args.eps is None else args.eps

    def _scaled(self, X, args):
        scale = X.std(axis=0) if not args.no_standardize else np.ones(X.shape[1])
        return X / np.where(scale > 0, scale, 1.0), np.where(scale > 0, scale, 1.0)

    def grid(self, X, args):
        """The given --alphas, or --n-alphas log-spaced from RIDGE_TOP x the mean eigenvalue m of the
        centered X^T X (every coefficient shrunk ~1000-fold) down to --eps x that (barely shrunk)."""
        if args.alphas is not None:
            return args.alphas
        Xc = X - X.mean(axis=0) if self.fit_intercept else X
        top = RIDGE_TOP * float(np.sum(Xc * Xc)) / X.shape[1]
        return np.geomspace(top, top * self.eps(args, *X.shape), args.n_alphas)

    def fit(self, X, args, progress):
        progress.phase("ridge path and cross-validation")
        Xs, scale = self._scaled(X, args)
        alphas = self.grid(Xs, args)
        full = ridge_path(Xs, self.y, alphas, fit_intercept=self.fit_intercept)
        if args.cv is None:
            loo = RidgeCV(alphas=alphas, fit_intercept=self.fit_intercept, store_cv_results=True).fit(Xs, self.y)
            errors, folds, solver = loo.cv_results_.T[None], None, f"leave-one-out ({loo.solver_})"
        else:
            folds = _kfold(X.shape[0], args.cv)
            errors = np.empty((1, alphas.size, len(folds)))
            for k, (train, test) in enumerate(folds):
                fold = ridge_path(Xs[train], self.y[train], alphas, fit_intercept=self.fit_intercept)
                pred = Xs[test] @ fold.coefs + fold.intercepts
                errors[0, :, k] = np.mean((self.y[test, None] - pred) ** 2, axis=0)
            solver = f"{len(folds)}-fold"
        n_alphas = alphas.size
        path = Path(alphas, full.coefs / scale[:, None], full.intercepts, np.full(n_alphas, np.nan),
                    np.zeros(n_alphas, dtype=np.intp), np.ones(n_alphas, dtype=bool), full.solver, 0.0, None)
        path.dev_ratios = self.columns(X, path)[0].values
        cv = CVPath(alphas[None], np.array([0.0]), errors, folds, solver, path)
        return Fit(path, cv, self._effective_df(Xs, alphas))

    def _effective_df(self, Xs, alphas):
        Xc = Xs - Xs.mean(axis=0) if self.fit_intercept else Xs
        d2 = np.linalg.svd(Xc, compute_uv=False) ** 2
        return np.sum(d2[:, None] / (d2[:, None] + alphas), axis=0)


FAMILIES = {"gaussian": Gaussian, "binomial": Binomial}


def _clip(text, width=60):
    """A long value shortened for a one-line message."""
    return text if len(text) <= width else text[:width - 3] + "..."


def _alphas(text):
    """--alphas: comma-separated penalties > 0, solved from the largest down."""
    try:
        values = np.array([float(v) for v in text.split(",") if v.strip()])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_clip(text)!r} is not a comma-separated list of numbers") from None
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise argparse.ArgumentTypeError(f"{_clip(text)!r}: give finite penalties > 0, comma-separated")
    return np.unique(values)[::-1].copy()


def build_parser():
    parser = _Parser(
        prog="fastreg",
        description="Fit a certified Lasso/ElasticNet regularization path (least squares, or logistic "
                    "regression with --family binomial) or a Ridge grid, choose a model by BIC/AIC or "
                    "cross-validation, and save the model, the path and their plots.",
        epilog="Example: fastreg data.csv --target price --cv 10 --plot path.png --output model.json. "
               "Exit status: 0 all penalties certified, 1 printed with a warning, 2 bad file or option.",
    )
    parser.add_argument("data", nargs="?", metavar="FILE",
                        help="a UTF-8 CSV file with a header row, or a Parquet file (.parquet, .pq; needs "
                        "pyarrow); text columns are categorical, one-hot encoded with one column per level "
                        "(glmnet's makeX) (default: the diabetes data shipped with fastreg)")
    parser.add_argument("--target", help="name of the target column (default: the last column)")
    parser.add_argument("--family", choices=list(FAMILIES), default="gaussian",
                        help="gaussian: least squares on a numeric target (default); binomial: logistic "
                        "regression on a target of two labels, numbers or strings (the second in sorted "
                        "order is the positive class)")
    parser.add_argument("--ridge", action="store_true",
                        help="Ridge regression (glmnet's alpha = 0) on the --alphas grid (default: --n-alphas "
                        "penalties, see --eps), in scikit-learn's Ridge units, chosen by leave-one-out "
                        "cross-validation (RidgeCV), or K-fold with --cv K; gaussian only")
    parser.add_argument("--l1-ratio", type=float, help="L1/L2 mix in (0, 1]; 1 is the Lasso (default)")
    parser.add_argument("--n-alphas", type=int, help="number of penalties on the path (>= 1; default 100)")
    parser.add_argument("--eps", type=float, help=f"alpha_min / alpha_max, in (0, 1) (default {GAUSSIAN_EPS:g}; "
                        "binomial: 0.001 when n > p, else 0.01, as fastreg.logistic_path; --ridge: "
                        f"{RIDGE_EPS:g}, from alpha_max = {RIDGE_TOP:g} x the mean eigenvalue of the centered "
                        "X^T X)")
    parser.add_argument("--alphas", type=_alphas, metavar="A,B,...",
                        help="the penalties, comma-separated (instead of --n-alphas and --eps)")
    parser.add_argument("--tol", type=float, default=1e-7,
                        help="duality-gap tolerance in (0, 1), relative to ||y - mean y||^2/n (binomial: to "
                        "the null model's mean log-loss)")
    parser.add_argument("--max-iter", type=int, default=10000,
                        help="maximum epochs per penalty (binomial: per Newton step) (>= 1)")
    parser.add_argument("--cv", type=int, metavar="K",
                        help="K-fold cross-validation (K >= 2; contiguous folds as scikit-learn's KFold, "
                        "stratified for binomial): the mean CV error (MSE; binomial: deviance) and its "
                        "standard error for every penalty")
    parser.add_argument("--select", choices=list(RULES),
                        help="the model chosen: min (the smallest mean CV error), 1se (the largest alpha "
                        "within one standard error of it; the default with --cv or --ridge), bic or aic "
                        "(the default without --cv: BIC)")
    parser.add_argument("--criterion", choices=["bic", "aic"], help="the same as --select bic|aic")
    parser.add_argument("--no-standardize", action="store_true",
                        help="penalize raw coefficients instead of those of unit-variance columns")
    parser.add_argument("--no-intercept", action="store_true", help="do not fit an intercept")
    parser.add_argument("--dropna", action="store_true",
                        help="leave out the rows with a missing value (default: refuse them, naming the "
                        "columns)")
    parser.add_argument("--every", type=int, help="print every k-th penalty of the path (default: about 25 rows)")
    parser.add_argument("--output", metavar="FILE.json",
                        help="save the chosen model as JSON: coefficients by name, intercept, alpha, CV error, "
                        "duality gap, the settings and the encoding of categorical columns")
    parser.add_argument("--path-csv", metavar="FILE", help="save the whole path as CSV: alpha, df, %%dev, gap, "
                        "CV error and SE, the intercept and every coefficient by name")
    parser.add_argument("--plot", metavar="FILE",
                        help="draw the path (with --cv or --ridge: and the CV curve beside it, two panels of "
                        "one figure) into FILE.png, .svg or .pdf (needs matplotlib: fastreg[plot])")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line on stderr (shown only on a terminal, for fits over a second)")
    parser.add_argument("--version", action="version", version=f"fastreg {__version__}")
    return parser


def _check_options(args, family):
    """Option values the fit cannot use end the program, naming the option and its range."""
    checks = [
        ("--l1-ratio", args.l1_ratio, args.l1_ratio is None or 0 < args.l1_ratio <= 1,
         "in (0, 1]; 1 is the Lasso (for l1_ratio 0 use --ridge)"),
        ("--n-alphas", args.n_alphas, args.n_alphas is None or args.n_alphas >= 1, "at least 1"),
        ("--eps", args.eps, args.eps is None or 0 < args.eps < 1, "in (0, 1), the ratio alpha_min / alpha_max"),
        ("--tol", args.tol, 0 < args.tol < 1, f"in (0, 1), a fraction of {family.tol_unit}"),
        ("--max-iter", args.max_iter, args.max_iter >= 1, "at least 1"),
        ("--every", args.every, args.every is None or args.every >= 1, "at least 1"),
        ("--cv", args.cv, args.cv is None or args.cv >= 2, "at least 2 folds"),
    ]
    for option, value, ok, allowed in checks:
        if not ok:
            _fail(f"{option} must be {allowed} (got {value:g}).")
    if args.alphas is not None and (args.eps is not None or args.n_alphas is not None):
        _fail(f"give either --alphas or {'--eps' if args.eps is not None else '--n-alphas'}: --alphas is the "
              f"whole grid.")
    if args.ridge and args.family != "gaussian":
        _fail("--ridge fits least squares: it takes --family gaussian only.")
    if args.ridge and args.l1_ratio is not None:
        _fail("--ridge is the L2 penalty alone (l1_ratio 0): drop --l1-ratio.")
    if args.plot is not None and not args.plot.lower().endswith(PLOT_SUFFIXES):
        _fail(f"--plot {args.plot}: the file name must end in {', '.join(PLOT_SUFFIXES)} (the figure's format).")
    for option, file in (("--output", args.output), ("--path-csv", args.path_csv), ("--plot", args.plot)):
        if file is not None:
            folder = os.path.dirname(file) or "."
            if os.path.isdir(file) or not os.path.isdir(folder):
                _fail(f"{option} {file}: " + ("that is a directory" if os.path.isdir(file) else
                                              f"the directory {folder} does not exist") + ": give a file name.")
    if args.l1_ratio is None:
        args.l1_ratio = 1.0
    if args.n_alphas is None:
        args.n_alphas = 100


def _rule(args):
    """The selection rule: --select (or its alias --criterion), by default 1se with cross-validation
    (--cv, --ridge) and BIC without."""
    if args.criterion and args.select and args.criterion != args.select:
        _fail(f"--criterion {args.criterion} and --select {args.select} disagree: --criterion is --select "
              f"bic|aic; give one of them.")
    rule = args.select or args.criterion
    cross = args.cv is not None or args.ridge
    if rule is None:
        return "1se" if cross else "bic"
    if rule in ("min", "1se") and not cross:
        _fail(f"--select {rule} chooses by cross-validation: add --cv K (e.g. --cv 10).")
    if rule in ("bic", "aic") and args.ridge:
        _fail(f"--select {rule} counts non-zero coefficients, which Ridge does not have: use --select min or 1se.")
    return rule


def _plotting():
    """fastreg.plot, once matplotlib is known to be there; else one line and exit status 2."""
    try:
        importlib.import_module("matplotlib")
    except ImportError:
        _fail("--plot needs matplotlib: pip install 'fastreg[plot]' (or matplotlib).")
    from . import plot

    return plot


def _print_table(alphas, columns, marks, every):
    """One row per printed penalty: every `every`-th, the marked ones (* selected, m the CV minimum)
    and the last."""
    print(f"\n{'':2}{'alpha':>12}" + "".join(f" {c.heading:>{c.width}}" for c in columns))
    for i in range(len(alphas)):
        if i % every and i not in marks and i != len(alphas) - 1:
            continue
        cells = "".join(f" {format(c.values[i], c.spec):>{c.width}}" for c in columns)
        print(f"{marks.get(i, ' '):2}{alphas[i]:12.5g}{cells}")


def _print_selected(X, names, path, columns, model, best, rule, args, cv, df):
    """The selected model: its penalty, fit, gap and CV error, then the intercept and the non-zero
    coefficients, largest effect (|coefficient| x the feature's standard deviation) first."""
    fit = ", ".join(c.summary.format(c.values[best]) for c in columns)
    if args.ridge:
        print(f"\nselected by {RULES[rule]} (*): alpha = {path.alphas[best]:.6g}, effective df = {df[best]:.3g} "
              f"of {X.shape[1]} features, {fit}")
    else:
        print(f"\nselected by {RULES[rule]} (*): alpha = {path.alphas[best]:.6g}, "
              f"{np.count_nonzero(path.coefs[:, best])} of {X.shape[1]} features, {fit}, "
              f"duality gap = {path.dual_gaps[best]:.2e} (target {args.tol:g} x {model.tol_unit})")
    if cv is not None:
        folds = "leave-one-out" if cv.folds is None else f"{len(cv.folds)} folds"
        low = cv.index_min[1]
        print(f"  CV {model.measure} = {cv.mse_mean[0, best]:.6g} (SE {cv.mse_se[0, best]:.3g}, {folds}); minimum "
              f"{cv.mse_mean[0, low]:.6g} at alpha = {cv.alpha_min:.6g} (m); 1-SE rule: alpha = {cv.alpha_1se:.6g}")
    if model.legend:
        print(f"  {model.legend}")
    width = max(len(s) for s in names + ["intercept"])
    print(f"  {'intercept':<{width}} {path.intercepts[best]: .6g}")
    order = np.argsort(-np.abs(path.coefs[:, best] * X.std(axis=0)), kind="stable")
    for j in order:
        if path.coefs[j, best] != 0:
            print(f"  {names[j]:<{width}} {path.coefs[j, best]: .6g}")
    dropped = [names[j] for j in range(len(names)) if path.coefs[j, best] == 0]
    if dropped:
        print(f"  zero: {', '.join(dropped)}")


def _write(option, file, write):
    """Run write(f) on `file` opened for text, a failure one line and exit status 2."""
    try:
        with open(file, "w", newline="", encoding="utf-8") as f:
            write(f)
    except OSError as exc:
        _fail(f"{option} {file}: cannot write: {exc.strerror}.")


def _model_json(data, source, model, path, cv, best, rule, args, df):
    """The chosen model as a JSON-ready dict (numbers as Python floats, so they round-trip exactly)."""
    n, p = data.X.shape
    ridge = args.ridge
    kind = "ridge" if ridge else "lasso" if args.l1_ratio == 1 else "elasticnet"
    binomial = isinstance(model, Binomial)
    return {
        "fastreg_version": __version__,
        "input": source,
        "target": data.target,
        "family": args.family,
        "model": kind,
        "prediction": ("log-odds of classes[1]: intercept + sum of coefficients[name] * x[name]" if binomial
                       else "intercept + sum of coefficients[name] * x[name]"),
        "classes": model.classes.tolist() if binomial else None,
        "alpha": float(path.alphas[best]),
        "alpha_units": ("scikit-learn Ridge: ||y - Xw - b||^2 + alpha ||w||^2" if ridge else
                        "glmnet lambda: mean loss + alpha (l1_ratio ||w||_1 + (1 - l1_ratio) / 2 ||w||^2)")
                       + (" on standardized columns" if not args.no_standardize else ""),
        "l1_ratio": 0.0 if ridge else float(args.l1_ratio),
        "selected_by": rule,
        "intercept": float(path.intercepts[best]),
        "coefficients": {name: float(c) for name, c in zip(data.names, path.coefs[:, best])},
        "non_zeros": int(np.count_nonzero(path.coefs[:, best])),
        "effective_df": float(df[best]) if ridge else None,
        "cv": None if cv is None else {
            "folds": "leave-one-out" if cv.folds is None else len(cv.folds),
            "measure": {"MSE": "mean squared error", "deviance": "binomial deviance"}[model.measure],
            "error": float(cv.mse_mean[0, best]), "se": float(cv.mse_se[0, best]),
            "alpha_min": cv.alpha_min, "alpha_1se": cv.alpha_1se},
        "duality_gap": None if ridge else float(path.dual_gaps[best]),
        "converged": bool(path.converged[best]),
        "n_samples": n,
        "n_features": p,
        "settings": {
            "family": args.family, "ridge": bool(ridge), "standardize": not args.no_standardize,
            "intercept": not args.no_intercept, "tol": None if ridge else args.tol,
            "max_iter": None if ridge else args.max_iter,
            "eps": None if args.alphas is not None else model.eps(args, n, p),
            "n_alphas": int(path.alphas.size), "alphas_given": args.alphas is not None,
            "l1_ratio": 0.0 if ridge else float(args.l1_ratio), "cv": args.cv, "select": rule,
            "dropna": bool(args.dropna)},
        "encoding": data.encoding,
    }


def _write_path_csv(f, names, path, cv, df, dev_pct, ridge):
    """The whole path, one row per alpha: alpha, df (non-zeros; Ridge: effective df), %dev, the gap,
    the CV error and SE (empty without CV), the intercept and each coefficient by name."""
    out = csv.writer(f)
    out.writerow(["alpha", "df", "pct_dev", "duality_gap", "cv_error", "cv_se", "intercept", *names])
    for i, alpha in enumerate(path.alphas):
        gap = "" if ridge else repr(float(path.dual_gaps[i]))
        errors = ["", ""] if cv is None else [repr(float(cv.mse_mean[0, i])), repr(float(cv.mse_se[0, i]))]
        out.writerow([repr(float(alpha)), repr(float(df[i])) if ridge else int(df[i]), repr(float(dev_pct[i])), gap,
                      *errors, repr(float(path.intercepts[i])), *(repr(float(c)) for c in path.coefs[:, i])])


def _save_plot(file, path, cv, names, model):
    """The path (`fastreg.plot.plot_path`) and, with a CV, its curve (`plot_cv`) beside it: one figure."""
    plot = _plotting()
    from matplotlib.figure import Figure  # (no pyplot: no GUI backend, nothing global)
    figure = Figure(figsize=(12 if cv is not None else 6.5, 4.8), layout="constrained")
    axes = figure.subplots(1, 1 if cv is None else 2, squeeze=False)[0]
    path.feature_names = np.array(names, dtype=object)
    plot.plot_path(path, xvar="alpha", label=5, ax=axes[0])
    if cv is not None:
        plot.plot_cv(cv, ax=axes[1])
        axes[1].set_ylabel(f"CV {model.measure}" + (" (leave-one-out)" if cv.folds is None else
                                                     f" ({len(cv.folds)} folds)"))
    try:
        figure.savefig(file)
    except OSError as exc:
        _fail(f"--plot {file}: cannot write: {exc.strerror}.")


def main(argv=None):
    args = build_parser().parse_args(argv)
    family = RidgeMode if args.ridge else FAMILIES[args.family]
    _check_options(args, family)
    rule = _rule(args)
    if args.plot is not None:
        _plotting()  # before the fit: a missing extra is a one-line error, not a lost run
    source = args.data or str(DIABETES_CSV)
    try:
        data = encode(read_table(source), args.target, labels=family.labels, dropna=args.dropna)
    except TableError as exc:
        _fail(str(exc))
    X, names, target = data.X, data.names, data.target
    n, p = X.shape
    fit_intercept = not args.no_intercept
    if n < 2:
        _fail(f"{source}: one data row is too few to fit a path: give at least 2.")
    model = family(source, target, data.y, fit_intercept)
    if fit_intercept and np.all(X == X[0]):
        _fail(f"{source}: every feature column is constant, so the intercept alone fits: nothing to select.")
    if args.cv is not None:
        model.check_folds(source, args.cv)
    title = args.data or "diabetes (embedded; Efron et al. 2004)"
    print(f"fastreg {__version__}: {title}: {n} samples x {p} features, target {target!r}{model.target_note}"
          + (f"; {data.note}" if data.note else ""))
    for note in data.notes:
        print(f"  {note}")

    start = time.perf_counter()
    # the solver's and NumPy's warnings are reported once, in one line each, after the table
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with Progress(sys.stderr.isatty() and not args.quiet) as progress:
                path, cv, df = model.fit(X, args, progress)
        except (ValueError, TypeError) as exc:
            _fail(str(exc))
        seconds = time.perf_counter() - start
        columns = model.columns(X, path)
        ic = None if rule not in ("bic", "aic") else model.criterion(X, path, rule)
        best = int(np.argmin(ic)) if ic is not None else (cv.index_min if rule == "min" else cv.index_1se)[1]

    scaling = "raw" if args.no_standardize else "standardized"
    if args.ridge:
        print(f"Ridge path: {len(path.alphas)} penalties in {seconds * 1e3:.1f} ms, solver {path.solver}, "
              f"{scaling} features, {cv.solver} cross-validation; alpha as scikit-learn's Ridge "
              f"(||y - Xw - b||^2 + alpha ||w||^2)")
    else:
        kind = "Lasso" if args.l1_ratio == 1 else f"ElasticNet (l1_ratio={args.l1_ratio:g})"
        print(f"{kind} {model.path_name}: {len(path.alphas)} penalties in {seconds * 1e3:.1f} ms, "
              f"solver {path.solver}, {scaling} features, tol {args.tol:g}"
              + (f", {args.cv}-fold cross-validation" if cv is not None else ""))
    table = ([Column("df", 9, ".2f", df, "")] if args.ridge else [Column("non-zeros", 9, "d", df, "")]) + columns
    if not args.ridge:
        table.append(Column("duality gap", 12, ".3e", path.dual_gaps, ""))
    if cv is not None:
        table += [Column(f"CV {model.measure}", 12, ".6g", cv.mse_mean[0], ""),
                  Column("CV SE", 10, ".3g", cv.mse_se[0], "")]
    if ic is not None:
        table.append(Column(rule.upper(), 10, ".2f", ic, ""))
    marks = {best: "*"}
    if cv is not None:
        marks.setdefault(cv.index_min[1], "m")
    every = args.every if args.every is not None else max(1, len(path.alphas) // 25)
    _print_table(path.alphas, table, marks, every)
    _print_selected(X, names, path, columns, model, best, rule, args, cv, df)

    dev_pct = 100 * path.dev_ratios
    if args.output is not None:
        result = _model_json(data, source, model, path, cv, best, rule, args, df)
        _write("--output", args.output, lambda f: json.dump(result, f, indent=2, allow_nan=False))
        print(f"\nmodel saved to {args.output}")
    if args.path_csv is not None:
        _write("--path-csv", args.path_csv, lambda f: _write_path_csv(f, names, path, cv, df, dev_pct, args.ridge))
        print(f"{'' if args.output else chr(10)}path saved to {args.path_csv}")
    if args.plot is not None:
        _save_plot(args.plot, path, cv, names, model)
        print(f"{'' if args.output or args.path_csv else chr(10)}plot saved to {args.plot}")

    status = 0
    if not path.converged.all():
        print(f"warning: {int((~path.converged).sum())} penalties did not reach the gap target; "
              f"raise --max-iter", file=sys.stderr)
        status = 1
    others = dict.fromkeys(str(w.message).partition("\n")[0] for w in caught if not issubclass(
        w.category, (ConvergenceWarning, DeprecationWarning, PendingDeprecationWarning)))
    for message in others:
        print(f"warning: {message}", file=sys.stderr)
        status = 1
    return status

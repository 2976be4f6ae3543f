"""The ``fastreg`` command line: a Lasso/ElasticNet path on a CSV file (or the embedded diabetes data).

With no arguments it fits the full Lasso path of the diabetes data shipped with fastreg, prints one row
per penalty (alpha, non-zero coefficients, training R^2, certified duality gap) and the model chosen
by an information criterion (BIC by default; cross-validation comes with LassoCV).

``--family binomial`` fits a penalized logistic regression path instead (`fastreg.logistic_path`) on a
two-class target (two numbers or two strings; the second of the sorted labels is the positive class):
one row per penalty with the deviance explained and the training accuracy, the model chosen by the
binomial BIC/AIC (`logistic_information_criterion`), its coefficients in log-odds per unit.

Exit status: 0 when every penalty is certified, 1 when results were printed with a warning (a penalty
short of its gap target), 2 on a user error (bad file or option), reported in one ``fastreg: ...`` line.
"""
import argparse
import csv
import io
import math
import sys
import time
import warnings
from typing import NamedTuple

import numpy as np

from . import ConvergenceWarning, __version__, enet_path, logistic_path
from .data import DIABETES_CSV

# what R, pandas and spreadsheets write in a cell with no value
MISSING = {"", "NA", "N/A", "#N/A", "NULL", "null", "None"}
# bounds on a column's largest |value| within which its sums of squares neither overflow nor underflow
SCALE = (1e-100, 1e100)
# alpha_min / alpha_max of the Gaussian path when --eps is not given
GAUSSIAN_EPS = 1e-3


def _fail(message):
    """End the program on a user error: one line on stderr, exit status 2."""
    print(f"fastreg: {message}", file=sys.stderr)
    raise SystemExit(2)


def _number(text):
    """The float a cell holds, or None when it is not a number."""
    try:
        return float(text)
    except ValueError:
        return None


def _is_missing(cell):
    """Whether a cell holds no value: empty, an NA-like word (MISSING) or NaN."""
    value = _number(cell)
    return cell.strip() in MISSING or (value is not None and math.isnan(value))


def _rows(path):
    """The non-blank rows of a UTF-8 CSV file (a leading BOM skipped), each with the line it starts on."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        _fail(f"{path}: byte 0x{raw[exc.start]:02x} on line {line} (offset {exc.start}) is not UTF-8: "
              f"re-save the file as UTF-8.")
    reader = csv.reader(io.StringIO(text), strict=True)
    rows, start = [], 1
    try:
        for row in reader:
            if row:
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        _fail(f"{path}: the row starting on line {start} is not valid CSV ({exc}): check its quotes.")
    return rows


def _bad_cell(path, names, body, row_names, labels=None):
    """The message naming the first cell, in file order, that is not a finite number (in the column named
    `labels`, which holds class labels: that is missing)."""
    for line, row in body:
        for name, cell in zip(names, row[row_names:]):
            value = _number(cell)
            where = f"{path}: column {name!r}, line {line}"
            if _is_missing(cell):
                return f"{where}: missing value {cell!r}: fastreg does not impute; drop or fill those rows."
            if name == labels or (value is not None and math.isfinite(value)):
                continue
            if value is not None:
                return f"{where}: {cell!r} is infinite: every value must be a finite number."
            return (f"{where}: {cell!r} is not a number: every column must be numeric "
                    f"(encode categories as numbers or drop the column).")


def _labels(cells):
    """A target column of class labels: floats when every label is a number, else the stripped strings."""
    try:
        return np.array([float(cell) for cell in cells])
    except ValueError:
        return np.array([cell.strip() for cell in cells])


def _read_csv(path, target, labels=False):
    """CSV with a header row -> (X, y, feature names, target name, whether row names were dropped).

    Fields may be quoted (R's write.csv); an unnamed first column is row names (R's write.csv, pandas'
    to_csv) and is left out. Anything else that is not a finite number ends the program with a message,
    except in the target column when it holds class labels (`labels`; see `_labels`), where only a
    missing value does.
    """
    rows = _rows(path)
    if not rows:
        _fail(f"{path}: the file is empty: give a header row naming the columns, then one row per sample.")
    header = [name.strip() for name in rows[0][1]]
    if all(_number(name) is not None for name in header):
        shown = ",".join(header[:4]) + (",..." if len(header) > 4 else "")
        _fail(f"{path}: the first row ({shown}) holds numbers, not column names: "
              f"add a header row naming the columns.")
    # R's write.csv and pandas' to_csv write the row names first, under an empty name
    row_names = int(header[0] == "" and len(header) > 1)
    names = header[row_names:]
    if "" in names:
        _fail(f"{path}: column {names.index('') + row_names + 1} has no name in the header: name every column.")
    duplicates = [name for k, name in enumerate(names) if name in names[:k]]
    if duplicates:
        _fail(f"{path}: the header names the column {duplicates[0]!r} twice: make the column names unique.")
    if target is None:
        target = names[-1]
    if target not in names:
        _fail(f"{path}: no column named {target!r} for --target (columns: {', '.join(names)}).")
    if len(names) == 1:
        _fail(f"{path}: the only column is the target {target!r}: give at least one feature column "
              f"(columns are separated by commas).")
    body = rows[1:]
    if not body:
        _fail(f"{path}: no data rows below the header: add one row per sample.")
    for line, row in body:
        if len(row) != len(header):
            _fail(f"{path}: line {line} has {len(row)} values but the header names {len(header)} columns.")
    k = names.index(target)
    numeric = [j for j in range(len(names)) if not (labels and j == k)]
    cells = [row[row_names:] for _, row in body]
    try:
        data = np.array([[float(row[j]) for j in numeric] for row in cells])
    except ValueError:
        data = None
    if data is None or not np.isfinite(data).all() or (labels and any(_is_missing(row[k]) for row in cells)):
        _fail(_bad_cell(path, names, body, row_names, labels=target if labels else None))
    scale = np.abs(data).max(axis=0)
    for j, m in zip(numeric, scale):
        if m > 0 and not SCALE[0] <= m <= SCALE[1]:
            _fail(f"{path}: column {names[j]!r} has magnitude {m:.3g}, outside [{SCALE[0]:g}, {SCALE[1]:g}] where "
                  f"its sums of squares stay in double-precision range: rescale the column.")
    if labels:
        X, y = data, _labels([row[k] for row in cells])
    else:
        X, y = np.delete(data, k, axis=1), data[:, k]
    return X, y, names[:k] + names[k + 1:], target, bool(row_names)


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


class Gaussian:
    """Least squares (`enet_path`) on a numeric target: training R^2, `information_criterion`."""

    labels = False  # the target column is read as numbers
    tol_unit = "||y - mean y||^2/n"
    path_name = "path"
    target_note = ""
    legend = None

    def __init__(self, source, target, y, fit_intercept):
        if np.all(y == (y[0] if fit_intercept else 0.0)):
            _fail(f"{source}: target {target!r} is constant ({y[0]:g} in every row): nothing to fit.")
        self.y, self.fit_intercept = y, fit_intercept

    def fit(self, X, args):
        return enet_path(X, self.y, l1_ratio=args.l1_ratio, n_alphas=args.n_alphas,
                         eps=GAUSSIAN_EPS if args.eps is None else args.eps, tol=args.tol, max_iter=args.max_iter,
                         fit_intercept=self.fit_intercept, standardize=not args.no_standardize)

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
    the deviance explained and the training accuracy; `logistic_information_criterion`."""

    labels = True
    tol_unit = "the null model's mean log-loss"
    path_name = "logistic regression path"

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
        self.positive = y == classes[1]
        negative, positive = (_label(c) for c in classes.tolist())
        self.target_note = f" (classes {negative}, {positive}; positive {positive})"
        self.legend = (f"classes: {negative} -> 0, {positive} -> 1; coefficients are the log-odds of {positive} "
                       f"per unit of each feature")

    def fit(self, X, args):
        # eps=None: logistic_path's grid (1e-3 when n > p, else 1e-2) unless --eps was given
        return logistic_path(X, self.y, l1_ratio=args.l1_ratio, n_alphas=args.n_alphas, eps=args.eps,
                             tol=args.tol, max_iter=args.max_iter, fit_intercept=self.fit_intercept,
                             standardize=not args.no_standardize)

    def columns(self, X, path):
        eta = X @ path.coefs + path.intercepts
        accuracy = np.mean((eta > 0) == self.positive[:, None], axis=0)
        return [Column("deviance %", 10, "z.2f", 100 * path.dev_ratios, "deviance explained = {:z.2f}%"),
                Column("accuracy", 8, ".4f", accuracy, "training accuracy = {:.4f}")]

    def criterion(self, X, path, criterion):
        return logistic_information_criterion(X, self.positive.astype(float), path, criterion, self.fit_intercept)


FAMILIES = {"gaussian": Gaussian, "binomial": Binomial}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="fastreg",
        description="Fit a certified Lasso/ElasticNet regularization path (least squares, or logistic "
                    "regression with --family binomial) and pick a model.",
        epilog="Exit status: 0 all penalties certified, 1 printed with a warning, 2 bad file or option.",
    )
    parser.add_argument("csv", nargs="?", help="UTF-8 CSV file with a header row, numeric but for a binomial "
                        "target's labels (default: the diabetes data shipped with fastreg)")
    parser.add_argument("--target", help="name of the target column (default: the last column)")
    parser.add_argument("--family", choices=list(FAMILIES), default="gaussian",
                        help="gaussian: least squares on a numeric target (default); binomial: logistic "
                        "regression on a target of two labels, numbers or strings (the second in sorted "
                        "order is the positive class)")
    parser.add_argument("--l1-ratio", type=float, default=1.0, help="L1/L2 mix in (0, 1]; 1 is the Lasso")
    parser.add_argument("--n-alphas", type=int, default=100, help="number of penalties on the path (>= 1)")
    parser.add_argument("--eps", type=float, help=f"alpha_min / alpha_max, in (0, 1) (default {GAUSSIAN_EPS:g}; "
                        "binomial: 0.001 when n > p, else 0.01, as fastreg.logistic_path)")
    parser.add_argument("--tol", type=float, default=1e-7,
                        help="duality-gap tolerance in (0, 1), relative to ||y - mean y||^2/n (binomial: to "
                        "the null model's mean log-loss)")
    parser.add_argument("--max-iter", type=int, default=10000,
                        help="maximum epochs per penalty (binomial: per Newton step) (>= 1)")
    parser.add_argument("--criterion", choices=["bic", "aic"], default="bic", help="model selection rule")
    parser.add_argument("--no-standardize", action="store_true",
                        help="penalize raw coefficients instead of those of unit-variance columns")
    parser.add_argument("--no-intercept", action="store_true", help="do not fit an intercept")
    parser.add_argument("--every", type=int, help="print every k-th penalty of the path (default: about 25 rows)")
    parser.add_argument("--version", action="version", version=f"fastreg {__version__}")
    return parser


def _check_options(args, family):
    """Option values the path cannot use end the program, naming the option and its range."""
    checks = [
        ("--l1-ratio", args.l1_ratio, 0 < args.l1_ratio <= 1, "in (0, 1]; 1 is the Lasso"),
        ("--n-alphas", args.n_alphas, args.n_alphas >= 1, "at least 1"),
        ("--eps", args.eps, args.eps is None or 0 < args.eps < 1, "in (0, 1), the ratio alpha_min / alpha_max"),
        ("--tol", args.tol, 0 < args.tol < 1, f"in (0, 1), a fraction of {family.tol_unit}"),
        ("--max-iter", args.max_iter, args.max_iter >= 1, "at least 1"),
        ("--every", args.every, args.every is None or args.every >= 1, "at least 1"),
    ]
    for option, value, ok, allowed in checks:
        if not ok:
            _fail(f"{option} must be {allowed} (got {value:g}).")


def _print_table(path, columns, nnz, ic, best, every, criterion):
    """One row per printed penalty: every `every`-th, the selected one (marked *) and the last."""
    headings = "".join(f" {c.heading:>{c.width}}" for c in columns)
    print(f"\n{'':2}{'alpha':>12} {'non-zeros':>9}{headings} {'duality gap':>12} {criterion.upper():>10}")
    for i in range(len(path.alphas)):
        if i % every and i != best and i != len(path.alphas) - 1:
            continue
        mark = "*" if i == best else " "
        cells = "".join(f" {format(c.values[i], c.spec):>{c.width}}" for c in columns)
        print(f"{mark:2}{path.alphas[i]:12.5g} {nnz[i]:9d}{cells} {path.dual_gaps[i]:12.3e} {ic[i]:10.2f}")


def _print_selected(X, names, path, columns, model, best, args):
    """The selected model: its penalty, fit and gap, then the intercept and the non-zero coefficients,
    largest effect (|coefficient| x the feature's standard deviation) first."""
    fit = ", ".join(c.summary.format(c.values[best]) for c in columns)
    print(f"\nselected by {args.criterion.upper()} (*): alpha = {path.alphas[best]:.6g}, "
          f"{np.count_nonzero(path.coefs[:, best])} of {X.shape[1]} features, {fit}, "
          f"duality gap = {path.dual_gaps[best]:.2e} (target {args.tol:g} x {model.tol_unit})")
    if model.legend:
        print(f"  {model.legend}")
    width = max(len(s) for s in names + ["intercept"])
    print(f"  {'intercept':<{width}} {path.intercepts[best]: .6g}")
    order = np.argsort(-np.abs(path.coefs[:, best] * X.std(axis=0)))
    for j in order:
        if path.coefs[j, best] != 0:
            print(f"  {names[j]:<{width}} {path.coefs[j, best]: .6g}")
    dropped = [names[j] for j in range(len(names)) if path.coefs[j, best] == 0]
    if dropped:
        print(f"  zero: {', '.join(dropped)}")


def main(argv=None):
    args = build_parser().parse_args(argv)
    family = FAMILIES[args.family]
    _check_options(args, family)
    source = args.csv or str(DIABETES_CSV)
    X, y, names, target, row_names = _read_csv(source, args.target, labels=family.labels)
    n, p = X.shape
    fit_intercept = not args.no_intercept
    if n < 2:
        _fail(f"{source}: one data row is too few to fit a path: give at least 2.")
    model = family(source, target, y, fit_intercept)
    if fit_intercept and np.all(X == X[0]):
        _fail(f"{source}: every feature column is constant, so the intercept alone fits: nothing to select.")
    title = args.csv or "diabetes (embedded; Efron et al. 2004)"
    print(f"fastreg {__version__}: {title}: {n} samples x {p} features, target {target!r}{model.target_note}"
          + ("; the unnamed first column is row names, left out" if row_names else ""))

    start = time.perf_counter()
    # the solver's and NumPy's warnings are reported once, in one line each, after the table
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            path = model.fit(X, args)
        except (ValueError, TypeError) as exc:
            _fail(str(exc))
        seconds = time.perf_counter() - start
        columns = model.columns(X, path)
        nnz = np.count_nonzero(path.coefs, axis=0)
        ic = model.criterion(X, path, args.criterion)
        best = int(np.argmin(ic))

    kind = "Lasso" if args.l1_ratio == 1 else f"ElasticNet (l1_ratio={args.l1_ratio:g})"
    scaling = "raw" if args.no_standardize else "standardized"
    print(f"{kind} {model.path_name}: {len(path.alphas)} penalties in {seconds * 1e3:.1f} ms, "
          f"solver {path.solver}, {scaling} features, tol {args.tol:g}")
    every = args.every if args.every is not None else max(1, len(path.alphas) // 25)
    _print_table(path, columns, nnz, ic, best, every, args.criterion)
    _print_selected(X, names, path, columns, model, best, args)
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

"""The `fastreg` command line, in-process (fastreg.cli.main) and as a subprocess."""
import csv
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastreg
from fastreg.cli import main
from fastreg.data import load_diabetes

HEADER = re.compile(r"^\s*alpha\s+non-zeros\s+R\^2\s+duality gap\s+(BIC|AIC)\s*$", re.M)
ROW = re.compile(r"^(\*| ) +(\S+) +(\d+) +(\S+) +(\S+) +(\S+)$", re.M)
SELECTED = re.compile(r"selected by (BIC|AIC) \(\*\): alpha = (\S+), (\d+) of (\d+) features")


def _run(*args, timeout=120, python_warnings="ignore"):
    """`python -m fastreg args` in a fresh interpreter (the installed fastreg, not the source tree);
    ``python_warnings=None`` keeps Python's default warning filters, as a user's shell has them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    if python_warnings is not None:
        env["PYTHONWARNINGS"] = python_warnings
    return subprocess.run([sys.executable, "-m", "fastreg", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=Path(__file__).parent, env=env)


def _information_criterion(X, y, coefs, intercepts, criterion):
    """AIC/BIC with df = number of non-zeros and sigma^2 from least squares (n > p + 1), independently."""
    n, p = X.shape
    rss = ((y[:, None] - X @ coefs - intercepts) ** 2).sum(axis=0)
    df = np.count_nonzero(coefs, axis=0)
    design = np.column_stack([np.ones(n), X])
    resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    sigma2 = resid @ resid / (n - p - 1)
    penalty = np.log(n) if criterion == "bic" else 2.0
    return n * np.log(2 * np.pi * sigma2) + rss / sigma2 + penalty * df


def _check_report(out, X, y, names, *, criterion="bic", l1_ratio=1.0, n_alphas=100, eps=1e-3, tol=1e-7):
    """The printed table and selection agree with an independent computation on the same data."""
    assert HEADER.search(out), out
    rows = ROW.findall(out)
    assert len(rows) >= 2
    assert sum(r[0] == "*" for r in rows) == 1, "exactly one selected row"
    path = fastreg.enet_path(X, y, l1_ratio=l1_ratio, n_alphas=n_alphas, eps=eps, tol=tol, max_iter=10_000,
                             fit_intercept=True, standardize=True)
    target = tol * np.var(y)
    for mark, alpha, nnz, r2, gap, ic in rows:
        i = int(np.argmin(np.abs(np.log(path.alphas / float(alpha)))))
        np.testing.assert_allclose(float(alpha), path.alphas[i], rtol=1e-4)
        assert int(nnz) == np.count_nonzero(path.coefs[:, i])
        assert 0 <= float(gap) <= target * 1.001, f"printed gap {gap} above the target {target:.3e}"
        assert -1e-4 <= float(r2) <= 1 + 1e-4
    match = SELECTED.search(out)
    assert match, out
    assert match.group(1) == criterion.upper()
    ic = _information_criterion(X, y, path.coefs, path.intercepts, criterion)
    best = int(np.argmin(ic))
    np.testing.assert_allclose(float(match.group(2)), path.alphas[best], rtol=1e-5)
    assert int(match.group(3)) == np.count_nonzero(path.coefs[:, best])
    assert int(match.group(4)) == X.shape[1]
    # the selected model's non-zero coefficients are listed by name with their values
    for j, name in enumerate(names):
        if path.coefs[j, best] != 0:
            line = re.search(rf"^\s+{re.escape(name)}\s+(\S+)$", out, re.M)
            assert line, f"coefficient of {name} missing"
            np.testing.assert_allclose(float(line.group(1)), path.coefs[j, best], rtol=1e-4)
    return path, best


def test_main_default_is_lasso_path_on_diabetes(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    X, y, names = load_diabetes()
    assert "442 samples x 10 features" in out and "'progression'" in out
    assert "Lasso" in out
    _check_report(out, X, y, names)


def test_module_subprocess():
    result = _run()
    assert result.returncode == 0, result.stderr
    assert HEADER.search(result.stdout)
    assert SELECTED.search(result.stdout)
    assert "Traceback" not in result.stderr


def test_console_script():
    script = Path(sys.executable).parent / ("fastreg.exe" if os.name == "nt" else "fastreg")
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stdout.strip() == f"fastreg {fastreg.__version__}"


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(80)
    n = 60
    X = rng.standard_normal((n, 5)) * [1.0, 10.0, 0.1, 3.0, 1.0]
    y = 2.0 * X[:, 0] - 0.3 * X[:, 1] + 5.0 + 0.5 * rng.standard_normal(n)
    names = ["x1", "x2", "x3", "x4", "x5"]
    # the target in the middle, not last
    data = np.column_stack([X[:, :2], y, X[:, 2:]])
    header = ["x1", "x2", "response", "x3", "x4", "x5"]
    path = tmp_path / "data.csv"
    np.savetxt(path, data, delimiter=",", header=",".join(header), comments="", fmt="%.17g")
    return path, X, y, names


def test_csv_with_target(capsys, csv_file):
    path, X, y, names = csv_file
    assert main([str(path), "--target", "response", "--n-alphas", "30", "--criterion", "aic"]) == 0
    out = capsys.readouterr().out
    assert "60 samples x 5 features" in out and "'response'" in out
    _check_report(out, X, y, names, criterion="aic", n_alphas=30)


def test_csv_elastic_net(capsys, csv_file):
    path, X, y, names = csv_file
    assert main([str(path), "--target", "response", "--n-alphas", "20", "--l1-ratio", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "ElasticNet" in out and "0.5" in out
    _check_report(out, X, y, names, l1_ratio=0.5, n_alphas=20)


def test_csv_default_target_is_last_column(capsys, tmp_path):
    path = tmp_path / "last.csv"
    rng = np.random.default_rng(81)
    data = rng.standard_normal((30, 3))
    data[:, 2] = data[:, 0] - data[:, 1] + 0.1 * rng.standard_normal(30)
    np.savetxt(path, data, delimiter=",", header="u,v,w", comments="")
    assert main([str(path), "--n-alphas", "10"]) == 0
    out = capsys.readouterr().out
    assert "target 'w'" in out and "2 features" in out


def _user_error(capsys, args, *words):
    """main(args) exits with status 2 and one stderr line 'fastreg: ...' holding every word; no raw warning."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastreg: "), err
    # words are looked for outside the file's directory, which pytest names after the test
    message = lines[0]
    for a in args:
        if isinstance(a, Path):
            message = message.replace(str(a.parent), "")
    for word in words:
        assert word in message, (word, lines[0])
    assert "Traceback" not in out + err and "Warning" not in out + err
    return lines[0]


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_bad_target_in_process(csv_file, capsys):
    _user_error(capsys, [csv_file[0], "--target", "nope"], "'nope'", "--target", "response")


def test_bad_target_subprocess(csv_file):
    result = _run(str(csv_file[0]), "--target", "nope")
    assert result.returncode == 2
    assert "no column named 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_non_numeric_csv(tmp_path, capsys):
    path = _write(tmp_path, "a,b,c\n1,x,3\n4,5,6\n")
    _user_error(capsys, [path], "column 'b'", "line 2", "'x'", "numeric")


@pytest.mark.parametrize("args,word", [
    (["{missing}"], "missing.csv"),
    (["--l1-ratio", "1.5"], "--l1-ratio"),
    (["--l1-ratio", "0"], "--l1-ratio"),
    (["--n-alphas", "0"], "--n-alphas"),
    (["--eps", "2"], "--eps"),
    (["--eps", "0"], "--eps"),
    (["--tol", "0"], "--tol"),
    (["--tol", "inf"], "--tol"),
    (["--max-iter", "0"], "--max-iter"),
    (["--every", "0"], "--every"),
    (["--every", "-3"], "--every"),
])
def test_bad_arguments_exit_with_one_line(tmp_path, capsys, args, word):
    """A bad option value or file ends the program with status 2 and one line naming it."""
    _user_error(capsys, [tmp_path / "missing.csv" if a == "{missing}" else a for a in args], word)


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--criterion", "cv"])
    assert exc.value.code == 2
    assert "criterion" in capsys.readouterr().err


def test_utf8_bom_is_skipped(tmp_path, capsys):
    path = _write(tmp_path, b"\xef\xbb\xbfx1,x2,y\n1,2,3\n2,1,5\n3,3,4\n4,0,9\n5,2,8\n")
    assert main([str(path), "--target", "x1", "--n-alphas", "5"]) == 0
    assert "target 'x1'" in capsys.readouterr().out


def test_non_utf8_names_the_line(tmp_path, capsys):
    path = _write(tmp_path, b"a,b,y\n1,2,3\ncaf\xe9,2,3\n")
    _user_error(capsys, [path], "data.csv", "line 3", "0xe9", "UTF-8")


def test_r_write_csv_with_row_names(tmp_path, capsys, csv_file):
    """R's write.csv: quoted header, an unnamed row-name column of quoted strings (left out, and said so)."""
    _, X, y, names = csv_file
    lines = ['"","x1","x2","x3","x4","x5","y"']
    lines += [",".join([f'"{i + 1}"'] + [repr(float(v)) for v in row]) for i, row in enumerate(np.column_stack([X, y]))]
    path = _write(tmp_path, "\r\n".join(lines) + "\r\n")
    assert main([str(path), "--n-alphas", "30"]) == 0
    out = capsys.readouterr().out
    assert "60 samples x 5 features, target 'y'" in out and "row names" in out
    _check_report(out, X, y, names, n_alphas=30)


def test_quoted_numbers(tmp_path, capsys):
    path = _write(tmp_path, '"u","v","w"\n"1.5","2",3\n"2","1.25","5"\n3,3,4\n"4",0,9\n')
    assert main([str(path), "--target", "u", "--n-alphas", "5"]) == 0
    assert "4 samples x 2 features, target 'u'" in capsys.readouterr().out


def test_empty_file(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "")], "data.csv", "empty")


def test_header_only(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,b,y\n")], "data.csv", "no data rows")


def test_first_row_must_be_a_header(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "1,2,3\n4,5,6\n7,8,10\n")], "first row", "header")


def test_duplicate_column_name(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,b,a,y\n1,2,3,4\n2,3,4,6\n")], "'a'", "twice")


def test_unnamed_column(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,,y\n1,2,3\n2,3,5\n")], "column 2", "no name")


@pytest.mark.parametrize("row,words", [
    ("1,red,3", ["column 'color'", "'red'", "not a number"]),
    ("1,NA,3", ["column 'color'", "'NA'", "missing"]),
    ("1,,3", ["column 'color'", "missing"]),
    ("1,nan,3", ["column 'color'", "missing"]),
    ("1,inf,3", ["column 'color'", "infinite"]),
    ("1,2,high", ["column 'y'", "'high'"]),
])
def test_bad_value_names_column_and_line(tmp_path, capsys, row, words):
    path = _write(tmp_path, f"a,color,y\n1,2,3\n2,3,5\n{row}\n4,1,2\n")
    _user_error(capsys, [path], "line 4", *words)


def test_ragged_row(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,b,y\n1,2,3\n2,3\n")], "line 3", "2 values", "3 columns")


def test_unclosed_quote(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, 'a,b,y\n1,2,3\n2,"3,5\n4,5,6\n')], "line 3", "quote")


def test_magnitude_out_of_range(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,b,y\n1,2e160,3\n2,3,5\n3,1,4\n")], "column 'b'", "rescale")


def test_constant_target(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,b,y\n1,2,3\n2,5,3\n4,1,3\n")], "target 'y'", "constant",
                "nothing to fit")


def test_constant_features(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,b,y\n1,2,3\n1,2,5\n1,2,4\n")], "feature", "constant")


def test_one_data_row(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,b,y\n1,2,3\n")], "data row", "at least 2")


def test_only_the_target_column(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "y\n1\n2\n3\n")], "'y'", "feature column")


def test_solver_error_is_one_line(monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise ValueError("X has a problem.")
    monkeypatch.setattr("fastreg.cli.enet_path", refuse)
    assert _user_error(capsys, []) == "fastreg: X has a problem."


def test_unconverged_penalties_reported_once(capsys):
    assert main(["--max-iter", "1"]) == 1
    err = capsys.readouterr().err
    assert re.fullmatch(r"warning: \d+ penalties did not reach the gap target; raise --max-iter\n", err), err


def test_other_warnings_reported_in_one_line(monkeypatch, capsys):
    def warn_then_fit(*args, **kwargs):
        warnings.warn("overflow encountered in multiply\nsecond line", RuntimeWarning)
        return fastreg.enet_path(*args, **kwargs)
    monkeypatch.setattr("fastreg.cli.enet_path", warn_then_fit)
    assert main(["--n-alphas", "10"]) == 1
    assert capsys.readouterr().err == "warning: overflow encountered in multiply\n"


@pytest.mark.parametrize("content,word", [
    (b"a,b,y\ncaf\xe9,2,3\n", "UTF-8"),
    (b"a,b,y\n", "no data rows"),
])
def test_file_errors_subprocess_leak_nothing(tmp_path, content, word):
    """As a user runs it (default warning filters): status 2, one line, no traceback or NumPy warning."""
    result = _run(str(_write(tmp_path, content)), python_warnings=None)
    assert result.returncode == 2
    assert result.stderr.startswith("fastreg: ") and result.stderr.count("\n") == 1, result.stderr
    assert word in result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr


def test_unconverged_subprocess_leaks_no_raw_warning():
    result = _run("--max-iter", "1", python_warnings=None)
    assert result.returncode == 1
    assert result.stderr.startswith("warning: ") and result.stderr.count("\n") == 1, result.stderr
    assert "ConvergenceWarning" not in result.stderr


# --family binomial: penalized logistic regression on a two-class target

LOGISTIC_HEADER = re.compile(r"^\s*alpha\s+non-zeros\s+deviance %\s+accuracy\s+duality gap\s+(BIC|AIC)\s*$", re.M)
LOGISTIC_ROW = re.compile(r"^(\*| ) +(\S+) +(\d+) +(\S+) +(\S+) +(\S+) +(\S+)$", re.M)
LOGISTIC_SELECTED = re.compile(r"selected by (BIC|AIC) \(\*\): alpha = (\S+), (\d+) of (\d+) features, deviance "
                               r"explained = (\S+)%, training accuracy = (\S+), duality gap = (\S+) \(target")


def _log_sigmoid(t):
    """log(1 / (1 + exp(-t))) without overflow."""
    return -(np.maximum(-t, 0) + np.log1p(np.exp(-np.abs(t))))


def _mean_log_loss(y, eta):
    """-1/n sum [y log sigma(eta) + (1 - y) log sigma(-eta)], one value per column of eta."""
    return -np.mean(y[:, None] * _log_sigmoid(eta) + (1 - y[:, None]) * _log_sigmoid(-eta), axis=0)


def _binomial_criterion(X, y, coefs, intercepts, criterion, fit_intercept=True):
    """The binomial BIC/AIC, independently: 2 n (mean log-loss) + k log n (or 2 k), k = non-zeros + intercept."""
    n = len(y)
    k = np.count_nonzero(coefs, axis=0) + (1 if fit_intercept else 0)
    return 2 * n * _mean_log_loss(y, X @ coefs + intercepts) + (np.log(n) if criterion == "bic" else 2.0) * k


def _check_logistic_report(out, X, labels, names, *, criterion="bic", n_alphas=100, eps=None, tol=1e-7,
                           fit_intercept=True, standardize=True):
    """The printed path and selected model agree with fastreg.logistic_path and with the accuracy,
    deviance and criterion recomputed here."""
    assert LOGISTIC_HEADER.search(out), out
    rows = LOGISTIC_ROW.findall(out)
    assert len(rows) >= 2 and sum(r[0] == "*" for r in rows) == 1, out
    path = fastreg.logistic_path(X, labels, n_alphas=n_alphas, eps=eps, tol=tol, max_iter=10_000,
                                 fit_intercept=fit_intercept, standardize=standardize)
    classes = np.unique(labels)
    y = (labels == classes[1]).astype(float)
    eta = X @ path.coefs + path.intercepts
    # the null model: the intercept log(p / (1 - p)) of the positive share p, or eta = 0 without intercept
    null_eta = np.log(y.mean() / (1 - y.mean())) if fit_intercept else 0.0
    null_loss = _mean_log_loss(y, np.full((len(y), 1), null_eta))
    deviance = 100 * (1 - _mean_log_loss(y, eta) / null_loss)
    accuracy = np.mean((eta > 0) == (y[:, None] == 1), axis=0)
    ic = _binomial_criterion(X, y, path.coefs, path.intercepts, criterion, fit_intercept)
    for mark, alpha, nnz, dev, acc, gap, printed_ic in rows:
        i = int(np.argmin(np.abs(np.log(path.alphas / float(alpha)))))
        np.testing.assert_allclose(float(alpha), path.alphas[i], rtol=1e-4)
        assert int(nnz) == np.count_nonzero(path.coefs[:, i])
        np.testing.assert_allclose(float(dev), deviance[i], atol=0.006)
        np.testing.assert_allclose(float(acc), accuracy[i], atol=6e-5)
        assert 0 <= float(gap) <= tol * null_loss[0] * 1.001, f"printed gap {gap} above the target"
        np.testing.assert_allclose(float(printed_ic), ic[i], atol=0.006)
    match = LOGISTIC_SELECTED.search(out)
    assert match, out
    best = int(np.argmin(ic))
    assert match.group(1) == criterion.upper()
    np.testing.assert_allclose(float(match.group(2)), path.alphas[best], rtol=1e-5)
    assert int(match.group(3)) == np.count_nonzero(path.coefs[:, best]) and int(match.group(4)) == X.shape[1]
    np.testing.assert_allclose(float(match.group(5)), deviance[best], atol=0.006)
    np.testing.assert_allclose(float(match.group(6)), accuracy[best], atol=6e-5)
    shown = [repr(c) if isinstance(c, str) else f"{c:g}" for c in classes.tolist()]
    assert f"classes: {shown[0]} -> 0, {shown[1]} -> 1; coefficients are the log-odds of {shown[1]}" in out
    assert f"positive {shown[1]}" in out.splitlines()[0]
    # the selected model's coefficients are logistic_path's, by name, largest effect first
    printed = {}
    for name in names + ["intercept"]:
        line = re.search(rf"^  {re.escape(name)} +(\S+)$", out, re.M)
        if line:
            printed[name] = float(line.group(1))
    np.testing.assert_allclose(printed.pop("intercept"), path.intercepts[best], rtol=1e-5, atol=1e-300)
    expected = {name: path.coefs[j, best] for j, name in enumerate(names) if path.coefs[j, best] != 0}
    assert list(printed) and set(printed) == set(expected)
    for name, value in printed.items():
        np.testing.assert_allclose(value, expected[name], rtol=1e-5)
    effect = {name: abs(expected[name] * X[:, names.index(name)].std()) for name in expected}
    order = [name for name in re.findall(r"^  (\S+) +\S+$", out, re.M) if name in effect]
    assert order == sorted(effect, key=effect.get, reverse=True)
    return path, best


def _binary_data(seed=90, n=80):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)) * [1.0, 5.0, 0.2, 1.0]
    eta = 1.5 * X[:, 0] - 0.4 * X[:, 1] + 0.5
    y = rng.random(n) < 1 / (1 + np.exp(-eta))
    return X, y, ["x1", "x2", "x3", "x4"]


def _write_labelled(tmp_path, X, labels, names, target="label", at=None):
    """A CSV with the label column at position `at` among the features (default: last), labels written as
    given (numbers or strings)."""
    at = len(names) if at is None else at
    header = names[:at] + [target] + names[at:]
    lines = [",".join(header)]
    for row, label in zip(X, labels):
        cells = [repr(float(v)) for v in row]
        lines.append(",".join(cells[:at] + [str(label)] + cells[at:]))
    return _write(tmp_path, "\n".join(lines) + "\n")


@pytest.mark.parametrize("codes", [(0, 1), ("no", "yes"), ("M", "B")], ids=["0/1", "no/yes", "M/B"])
def test_binomial_path(tmp_path, capsys, codes):
    """Numeric 0/1 labels and string labels; 'B' < 'M', so M/B makes the file's second label positive."""
    X, y, names = _binary_data()
    labels = np.array([codes[int(v)] for v in y])
    path = _write_labelled(tmp_path, X, labels, names, at=2)
    assert main([str(path), "--family", "binomial", "--target", "label", "--n-alphas", "40"]) == 0
    out = capsys.readouterr().out
    assert "80 samples x 4 features, target 'label'" in out and "logistic regression path" in out
    if isinstance(codes[0], int):
        labels = labels.astype(float)
    _check_logistic_report(out, X, labels, names, n_alphas=40)


@pytest.mark.parametrize("options,kwargs", [
    (["--criterion", "aic"], {"criterion": "aic"}),
    (["--no-intercept"], {"fit_intercept": False}),
    (["--no-standardize"], {"standardize": False}),
    (["--eps", "0.05"], {"eps": 0.05}),
    (["--tol", "1e-10"], {"tol": 1e-10}),
], ids=["aic", "no-intercept", "no-standardize", "eps", "tol"])
def test_binomial_options(tmp_path, capsys, options, kwargs):
    X, y, names = _binary_data(seed=91)
    labels = np.where(y, "yes", "no")
    path = _write_labelled(tmp_path, X, labels, names)
    assert main([str(path), "--family", "binomial", "--n-alphas", "30", *options]) == 0
    out = capsys.readouterr().out
    path, _ = _check_logistic_report(out, X, labels, names, n_alphas=30, **kwargs)
    np.testing.assert_allclose(path.alphas[-1] / path.alphas[0], kwargs.get("eps", 1e-3))


def test_binomial_eps_default_follows_logistic_path(tmp_path, capsys):
    """With p >= n and no --eps, the grid is logistic_path's: alpha_min = 1e-2 alpha_max."""
    rng = np.random.default_rng(92)
    X = rng.standard_normal((20, 30))
    labels = np.where(X[:, 0] + rng.standard_normal(20) > 0, "b", "a")
    names = [f"f{j}" for j in range(30)]
    csv = _write_labelled(tmp_path, X, labels, names)
    assert main([str(csv), "--family", "binomial", "--n-alphas", "20"]) == 0
    out = capsys.readouterr().out
    path, _ = _check_logistic_report(out, X, labels, names, n_alphas=20)
    np.testing.assert_allclose(path.alphas[-1] / path.alphas[0], 1e-2)


def test_binomial_separable_data_prints_a_finite_path(tmp_path, capsys):
    """A feature that separates the classes: the penalized path stays finite and certified."""
    X, _, names = _binary_data(seed=93, n=50)
    labels = (X[:, 2] > 0).astype(float)
    csv = _write_labelled(tmp_path, X, labels, names)
    assert main([str(csv), "--family", "binomial", "--n-alphas", "30"]) == 0
    out = capsys.readouterr().out
    path, best = _check_logistic_report(out, X, labels, names, n_alphas=30)
    assert np.isfinite(path.coefs).all() and path.converged.all()
    assert "nan" not in out and "inf" not in out
    assert re.search(r"training accuracy = 1\.0000", out)


def test_binomial_subprocess(tmp_path):
    X, y, names = _binary_data(seed=94)
    result = _run(str(_write_labelled(tmp_path, X, np.where(y, "M", "B"), names)), "--family", "binomial",
                  python_warnings=None)
    assert result.returncode == 0, result.stderr
    assert LOGISTIC_HEADER.search(result.stdout) and LOGISTIC_SELECTED.search(result.stdout)
    assert result.stderr == ""


@pytest.mark.parametrize("labels,words", [
    (["yes"] * 6, ["target 'y'", "one class", "'yes'", "exactly two", "--target"]),
    (["a", "b", "c", "a", "b", "c"], ["target 'y'", "3 classes", "'a', 'b', 'c'", "exactly two", "merge"]),
    (["0", "1", "2", "3", "4", "5"], ["target 'y'", "6 classes", "0, 1, 2, 3, ...", "--family gaussian"]),
])
def test_binomial_target_needs_two_classes(tmp_path, capsys, labels, words):
    rows = "".join(f"{i},{(i * 7) % 5},{label}\n" for i, label in enumerate(labels))
    _user_error(capsys, [_write(tmp_path, "a,b,y\n" + rows), "--family", "binomial"], "data.csv", *words)


@pytest.mark.parametrize("cell", ["", "NA", "nan"])
def test_binomial_missing_label(tmp_path, capsys, cell):
    path = _write(tmp_path, f"a,b,y\n1,2,yes\n2,1,no\n3,3,{cell}\n4,1,no\n")
    _user_error(capsys, [path, "--family", "binomial"], "column 'y'", "line 4", "missing", "drop or fill")


@pytest.mark.parametrize("row,words", [
    ("1,red,yes", ["column 'b'", "line 4", "'red'", "not a number"]),
    ("1,inf,yes", ["column 'b'", "line 4", "infinite"]),
    ("NA,2,yes", ["column 'a'", "line 4", "missing"]),
])
def test_binomial_features_must_be_numeric(tmp_path, capsys, row, words):
    path = _write(tmp_path, f"a,b,y\n1,2,yes\n2,1,no\n{row}\n4,1,no\n")
    _user_error(capsys, [path, "--family", "binomial"], *words)


def test_gaussian_refuses_string_target(tmp_path, capsys):
    path = _write(tmp_path, "a,b,y\n1,2,yes\n2,1,no\n3,3,no\n")
    message = _user_error(capsys, [path, "--family", "gaussian"], "column 'y'", "line 2", "'yes'", "not a number")
    assert message == _user_error(capsys, [path])


def test_binomial_tol_names_its_unit(capsys):
    _user_error(capsys, ["--family", "binomial", "--tol", "2"], "--tol", "null model's mean log-loss")


def test_binomial_unconverged_penalties_reported_once(tmp_path, monkeypatch, capsys):
    def short_of_target(*args, **kwargs):
        path = fastreg.logistic_path(*args, **kwargs)
        path.converged[-3:] = False
        return path
    monkeypatch.setattr("fastreg.cli.logistic_path", short_of_target)
    X, y, names = _binary_data(seed=95)
    assert main([str(_write_labelled(tmp_path, X, y.astype(int), names)), "--family", "binomial",
                 "--n-alphas", "10"]) == 1
    out, err = capsys.readouterr()
    assert LOGISTIC_SELECTED.search(out)
    assert err == "warning: 3 penalties did not reach the gap target; raise --max-iter\n"


def test_help_mentions_family(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--family {gaussian,binomial}" in out and "binomial: logistic regression" in out
    assert "the null model's mean log" in out


# --cv, --select, --ridge, --output, --path-csv, --plot, Parquet, categorical columns, missing values,
# the progress line and bad input (issue 18)

CV_HEADER = re.compile(r"^\s*alpha\s+non-zeros\s+R\^2\s+duality gap\s+CV MSE\s+CV SE(\s+(BIC|AIC))?\s*$", re.M)
CV_ROW = re.compile(r"^(\*|m| ) +(\S+) +(\d+) +(\S+) +(\S+) +(\S+) +(\S+)$", re.M)
CV_SELECTED = re.compile(r"selected by (the 1-SE rule|the minimum CV error|BIC|AIC) \(\*\): alpha = (\S+), (\d+) of "
                         r"(\d+) features")


def _main_json(tmp_path, capsys, args, status=0):
    """main(args + --output): its status, stdout and the saved model."""
    model = tmp_path / "model.json"
    assert main([str(a) for a in args] + ["--output", str(model)]) == status
    out = capsys.readouterr().out
    assert f"model saved to {model}" in out
    return out, json.loads(model.read_text())


def _gaussian_cv(X, y, k, **kwargs):
    return fastreg.cv_path(X, y, cv=k, tol=1e-7, max_iter=10_000, fit_intercept=True, standardize=True, **kwargs)


@pytest.mark.parametrize("select", [None, "min", "1se"])
def test_cv_select_follows_cv_path(tmp_path, capsys, select):
    """--cv 5 on the diabetes data: the CV columns are cv_path's mean and SE, the choice its alpha_min or
    alpha_1se (1se by default), marked * (and the minimum m)."""
    X, y, names = load_diabetes()
    out, model = _main_json(tmp_path, capsys, ["--cv", "5"] + ([] if select is None else ["--select", select]))
    cv = _gaussian_cv(X, y, 5)
    rule = select or "1se"
    expected = cv.alpha_min if rule == "min" else cv.alpha_1se
    assert model["alpha"] == expected and model["selected_by"] == rule
    assert model["cv"]["alpha_min"] == cv.alpha_min and model["cv"]["alpha_1se"] == cv.alpha_1se
    i = int(np.flatnonzero(cv.path.alphas == expected)[0])
    assert model["cv"]["error"] == cv.mse_mean[0, i] and model["cv"]["se"] == cv.mse_se[0, i]
    assert model["cv"]["folds"] == 5 and model["cv"]["measure"] == "mean squared error"
    assert CV_HEADER.search(out), out
    match = CV_SELECTED.search(out)
    assert match.group(1) == ("the 1-SE rule" if rule == "1se" else "the minimum CV error")
    np.testing.assert_allclose(float(match.group(2)), expected, rtol=1e-5)
    rows = CV_ROW.findall(out)
    assert [r[0] for r in rows].count("*") == 1
    assert [r[0] for r in rows].count("m") == (0 if rule == "min" else 1)
    for mark, alpha, nnz, r2, gap, mse, se in rows:
        j = int(np.argmin(np.abs(np.log(cv.path.alphas / float(alpha)))))
        np.testing.assert_allclose([float(mse), float(se)], [cv.mse_mean[0, j], cv.mse_se[0, j]], rtol=5e-3)
        assert int(nnz) == np.count_nonzero(cv.path.coefs[:, j])
        assert (mark == "*") == (j == i) and (mark == "m") == (j == cv.index_min[1] != i)


@pytest.mark.parametrize("criterion", ["bic", "aic"])
def test_cv_with_information_criterion(tmp_path, capsys, criterion):
    """--select bic|aic with --cv: chosen by the criterion on cv_path's path, the CV columns still shown."""
    X, y, names = load_diabetes()
    out, model = _main_json(tmp_path, capsys, ["--cv", "4", "--select", criterion])
    cv = _gaussian_cv(X, y, 4)
    ic = _information_criterion(X, y, cv.path.coefs, cv.path.intercepts, criterion)
    assert model["alpha"] == cv.path.alphas[int(np.argmin(ic))] and model["selected_by"] == criterion
    assert CV_HEADER.search(out).group(2) == criterion.upper()
    assert f"selected by {criterion.upper()} (*)" in out


def test_criterion_is_an_alias_of_select(capsys):
    outputs = []
    for args in (["--criterion", "aic"], ["--select", "aic"], ["--criterion", "aic", "--select", "aic"]):
        assert main(args + ["--n-alphas", "30"]) == 0
        outputs.append(re.sub(r"in \S+ ms", "", capsys.readouterr().out))
    assert outputs[0] == outputs[1] == outputs[2] and "selected by AIC" in outputs[0]


@pytest.mark.parametrize("args,words", [
    (["--criterion", "bic", "--select", "aic"], ["--criterion bic", "--select aic", "disagree"]),
    (["--select", "1se"], ["--select 1se", "--cv K"]),
    (["--select", "min"], ["--select min", "--cv K"]),
    (["--select", "best"], ["--select", "invalid choice", "'best'"]),
    (["--cv", "1"], ["--cv", "at least 2"]),
    (["--cv", "0"], ["--cv", "at least 2"]),
    (["--cv", "443"], ["--cv 443", "442 samples", "at most 442"]),
    (["--cv", "five"], ["--cv", "invalid int value"]),
    (["--ridge", "--family", "binomial"], ["--ridge", "gaussian"]),
    (["--ridge", "--select", "bic"], ["--select bic", "Ridge"]),
    (["--ridge", "--l1-ratio", "0.5"], ["--ridge", "--l1-ratio"]),
    (["--l1-ratio", "0"], ["--l1-ratio", "--ridge"]),
    (["--alphas", "1,x"], ["--alphas", "'1,x'", "numbers"]),
    (["--alphas", "1,-2"], ["--alphas", "> 0"]),
    (["--alphas", "1,2", "--eps", "0.01"], ["--alphas", "--eps"]),
    (["--alphas", "1,2", "--n-alphas", "5"], ["--alphas", "--n-alphas"]),
    (["--plot", "path.jpg"], ["--plot path.jpg", ".png, .svg, .pdf"]),
    (["--output", "/nonexistent/dir/m.json"], ["--output", "/nonexistent/dir", "does not exist"]),
    (["--path-csv", "/"], ["--path-csv", "directory"]),
    (["--unknown-option"], ["unrecognized arguments", "--unknown-option"]),
])
def test_bad_options_one_line(capsys, args, words):
    """Every bad option: status 2, one line naming it, nothing on stdout (refused before the fit)."""
    _user_error(capsys, args, *words)


def test_cv_more_folds_than_rows_after_dropna(tmp_path, capsys):
    path = _write(tmp_path, "a,b,y\n1,2,3\n2,NA,5\n3,1,4\n4,3,6\n")
    _user_error(capsys, [path, "--dropna", "--cv", "4"], "--cv 4", "3 samples", "at most 3")


# --family binomial --cv: stratified folds, held-out deviance

def test_binomial_cv_deviance_and_choice(tmp_path, capsys):
    """Stratified K-fold (scikit-learn's StratifiedKFold, no shuffle), every fold's logistic_path on the
    grid of all rows, scored by the mean held-out binomial deviance: min and 1se from those."""
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y, names = _binary_data(seed=96, n=90)
    labels = np.where(y, "yes", "no")
    csv_path = _write_labelled(tmp_path, X, labels, names)
    out, model = _main_json(tmp_path, capsys, [csv_path, "--family", "binomial", "--cv", "4", "--n-alphas", "30",
                                               "--select", "min"])
    full = fastreg.logistic_path(X, labels, n_alphas=30, tol=1e-7, max_iter=10_000, standardize=True)
    deviance = []
    positive = labels == "yes"
    for train, test in model_selection.StratifiedKFold(4).split(X, labels):
        fold = fastreg.logistic_path(X[train], labels[train], alphas=full.alphas, tol=1e-7, max_iter=10_000,
                                     standardize=True)
        eta = X[test] @ fold.coefs + fold.intercepts
        deviance.append(2 * _mean_log_loss(positive[test].astype(float), eta))
    deviance = np.array(deviance)
    mean, se = deviance.mean(axis=0), deviance.std(axis=0, ddof=1) / 2
    best = int(np.argmin(mean))
    assert model["alpha"] == full.alphas[best] and model["cv"]["alpha_min"] == full.alphas[best]
    np.testing.assert_allclose([model["cv"]["error"], model["cv"]["se"]], [mean[best], se[best]], rtol=1e-6)
    within = np.flatnonzero(mean <= mean[best] + se[best])
    assert model["cv"]["alpha_1se"] == full.alphas[within].max()
    assert model["cv"]["measure"] == "binomial deviance" and model["classes"] == ["no", "yes"]
    assert re.search(r"^\s*alpha\s+non-zeros\s+deviance %\s+accuracy\s+duality gap\s+CV deviance\s+CV SE\s*$", out, re.M)
    assert "CV deviance = " in out and "4 folds" in out


def test_binomial_cv_needs_both_classes_in_every_fold(tmp_path, capsys):
    rows = "".join(f"{i},{(i * 7) % 5},{'yes' if i < 3 else 'no'}\n" for i in range(12))
    _user_error(capsys, [_write(tmp_path, "a,b,y\n" + rows), "--family", "binomial", "--cv", "4"],
                "--cv 4", "3 rows of class 'yes'", "at most 3")


# --ridge: RidgeCV's leave-one-out (or K-fold) on standardized columns

def _standardized(X):
    return X / X.std(axis=0)


@pytest.mark.parametrize("select", ["min", "1se"])
def test_ridge_leave_one_out_against_sklearn(tmp_path, capsys, select):
    """The leave-one-out errors are scikit-learn RidgeCV's on the standardized columns; min is its alpha_,
    1se the largest alpha within one SE (std of the squared errors / sqrt(n)) of the minimum."""
    sklm = pytest.importorskip("sklearn.linear_model")
    X, y, names = load_diabetes()
    alphas = np.geomspace(1e4, 1e-2, 25)
    out, model = _main_json(tmp_path, capsys, ["--ridge", "--alphas", ",".join(repr(float(a)) for a in alphas),
                                               "--select", select])
    Xs = _standardized(X)
    ref = sklm.RidgeCV(alphas=alphas, store_cv_results=True).fit(Xs, y)
    errors = ref.cv_results_  # (n_samples, n_alphas), in the alphas' given order
    mean, se = errors.mean(axis=0), errors.std(axis=0, ddof=1) / np.sqrt(len(y))
    low = int(np.argmin(mean))
    within = np.flatnonzero(mean <= mean[low] + se[low])
    expected = ref.alpha_ if select == "min" else alphas[within].max()
    assert alphas[low] == ref.alpha_
    np.testing.assert_allclose(model["alpha"], expected, rtol=1e-15)
    j = int(np.flatnonzero(alphas == model["alpha"])[0])
    np.testing.assert_allclose([model["cv"]["error"], model["cv"]["se"]], [mean[j], se[j]], rtol=1e-8)
    assert model["cv"]["folds"] == "leave-one-out" and model["model"] == "ridge" and model["duality_gap"] is None
    # the JSON reproduces scikit-learn's Ridge at that alpha on the standardized columns
    coef = np.array([model["coefficients"][name] for name in names])
    ridge = sklm.Ridge(alpha=model["alpha"]).fit(Xs, y)
    np.testing.assert_allclose(X @ coef + model["intercept"], ridge.predict(Xs), rtol=1e-9)
    assert re.search(r"^\s*alpha\s+df\s+R\^2\s+CV MSE\s+CV SE\s*$", out, re.M), out
    assert "leave-one-out" in out


def test_ridge_kfold_against_sklearn(tmp_path, capsys):
    sklm = pytest.importorskip("sklearn.linear_model")
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y, names = load_diabetes()
    alphas = np.geomspace(1e4, 1e-2, 25)
    out, model = _main_json(tmp_path, capsys, ["--ridge", "--cv", "5", "--select", "min",
                                               "--alphas", ",".join(repr(float(a)) for a in alphas)])
    Xs = _standardized(X)
    ref = sklm.RidgeCV(alphas=alphas, cv=model_selection.KFold(5), scoring="neg_mean_squared_error").fit(Xs, y)
    assert model["alpha"] == ref.alpha_ and model["cv"]["folds"] == 5
    np.testing.assert_allclose(model["cv"]["error"], -ref.best_score_, rtol=1e-8)


def test_ridge_default_grid_and_effective_df(tmp_path, capsys):
    """Without --alphas: 100 penalties from 1000 x the mean eigenvalue of the centered, standardized X^T X
    (= n) down 1e-6 of that; df = sum d^2 / (d^2 + alpha) over the singular values d."""
    X, y, names = load_diabetes()
    table = tmp_path / "path.csv"
    assert main(["--ridge", "--path-csv", str(table)]) == 0
    capsys.readouterr()
    rows = list(csv.DictReader(table.open()))
    alphas = np.array([float(r["alpha"]) for r in rows])
    n = len(y)
    np.testing.assert_allclose(alphas, np.geomspace(1e3 * n, 1e-3 * n, 100), rtol=1e-12)
    Xc = _standardized(X) - _standardized(X).mean(axis=0)
    d2 = np.linalg.svd(Xc, compute_uv=False) ** 2
    df = (d2[:, None] / (d2[:, None] + alphas)).sum(axis=0)
    np.testing.assert_allclose([float(r["df"]) for r in rows], df, rtol=1e-10)
    assert all(r["duality_gap"] == "" for r in rows)


# --output: the chosen model reproduces its predictions

def test_output_json_reproduces_the_path_and_the_estimator(tmp_path, capsys):
    """Lasso with --cv: the saved coefficients give the predictions of cv_path's path at the chosen alpha
    (exactly) and of Lasso(alpha, standardize=True) fitted alone (to the solver's tolerance); every
    setting is recorded."""
    X, y, names = load_diabetes()
    out, model = _main_json(tmp_path, capsys, ["--cv", "5"])
    assert list(model["coefficients"]) == names
    coef = np.array(list(model["coefficients"].values()))
    pred = X @ coef + model["intercept"]
    cv = _gaussian_cv(X, y, 5)
    i = cv.index_1se[1]
    np.testing.assert_allclose(pred, X @ cv.path.coefs[:, i] + cv.path.intercepts[i], rtol=1e-13)
    lasso = fastreg.Lasso(alpha=model["alpha"], standardize=True, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(pred, lasso.predict(X), rtol=1e-6)
    assert model["duality_gap"] == cv.path.dual_gaps[i] and model["converged"] is True
    assert model["non_zeros"] == np.count_nonzero(coef) and model["l1_ratio"] == 1.0
    assert (model["n_samples"], model["n_features"]) == X.shape
    assert model["fastreg_version"] == fastreg.__version__ and model["family"] == "gaussian"
    assert model["settings"] == {"family": "gaussian", "ridge": False, "standardize": True, "intercept": True,
                                 "tol": 1e-7, "max_iter": 10_000, "eps": 1e-3, "n_alphas": 100,
                                 "alphas_given": False, "l1_ratio": 1.0, "cv": 5, "select": "1se",
                                 "dropna": False}
    assert model["encoding"]["categorical"] == {} and model["encoding"]["rows_dropped"] == 0


def test_output_json_matches_the_path_tools(tmp_path, capsys):
    """The saved model predicts what CVPath.predict(X, which='1se') and Path.predict(X, alpha) do."""
    X, y, names = load_diabetes()
    out, model = _main_json(tmp_path, capsys, ["--cv", "5"])
    cv = _gaussian_cv(X, y, 5)
    pred = X @ np.array(list(model["coefficients"].values())) + model["intercept"]
    np.testing.assert_allclose(pred, cv.predict(X, which="1se"), rtol=1e-10)
    np.testing.assert_allclose(pred, cv.path.predict(X, model["alpha"]), rtol=1e-10)


@pytest.mark.parametrize("options", [["--l1-ratio", "0.5", "--no-standardize"], ["--no-intercept"]])
def test_output_json_elastic_net_options(tmp_path, capsys, csv_file, options):
    path, X, y, names = csv_file
    out, model = _main_json(tmp_path, capsys, [path, "--target", "response", "--n-alphas", "30", *options])
    l1_ratio = 0.5 if "--l1-ratio" in options else 1.0
    fit_intercept = "--no-intercept" not in options
    standardize = "--no-standardize" not in options
    ref = fastreg.enet_path(X, y, l1_ratio=l1_ratio, n_alphas=30, eps=1e-3, tol=1e-7, max_iter=10_000,
                            fit_intercept=fit_intercept, standardize=standardize)
    i = int(np.flatnonzero(ref.alphas == model["alpha"])[0])
    coef = np.array([model["coefficients"][name] for name in names])
    np.testing.assert_allclose(X @ coef + model["intercept"], X @ ref.coefs[:, i] + ref.intercepts[i], rtol=1e-13)
    assert model["model"] == ("elasticnet" if l1_ratio < 1 else "lasso") and model["l1_ratio"] == l1_ratio
    assert model["settings"]["standardize"] == standardize and model["settings"]["intercept"] == fit_intercept
    assert model["intercept"] == (ref.intercepts[i] if fit_intercept else 0.0)
    assert model["cv"] is None and model["selected_by"] == "bic"


def test_output_json_binomial(tmp_path, capsys):
    """The log-odds rebuilt from the JSON are logistic_path's at the chosen alpha, and its probabilities
    those of a fit at that alpha alone."""
    X, y, names = _binary_data(seed=97)
    labels = np.where(y, "M", "B")
    out, model = _main_json(tmp_path, capsys, [_write_labelled(tmp_path, X, labels, names), "--family", "binomial",
                                               "--n-alphas", "40"])
    path = fastreg.logistic_path(X, labels, n_alphas=40, tol=1e-7, max_iter=10_000, standardize=True)
    i = int(np.flatnonzero(path.alphas == model["alpha"])[0])
    eta = X @ np.array([model["coefficients"][n] for n in names]) + model["intercept"]
    np.testing.assert_allclose(eta, X @ path.coefs[:, i] + path.intercepts[i], rtol=1e-13)
    alone = fastreg.logistic_path(X, labels, alphas=[model["alpha"]], tol=1e-12, max_iter=100_000, standardize=True)
    np.testing.assert_allclose(1 / (1 + np.exp(-eta)), 1 / (1 + np.exp(-(X @ alone.coefs[:, 0] + alone.intercepts[0]))),
                               rtol=1e-6)
    assert model["classes"] == ["B", "M"] and "log-odds of classes[1]" in model["prediction"]
    assert model["settings"]["eps"] == 1e-3 and model["settings"]["tol"] == 1e-7


# --path-csv: the whole path

def test_path_csv_is_the_path(tmp_path, capsys, csv_file):
    path, X, y, names = csv_file
    table = tmp_path / "path.csv"
    assert main([str(path), "--target", "response", "--n-alphas", "30", "--cv", "3", "--path-csv", str(table)]) == 0
    assert f"path saved to {table}" in capsys.readouterr().out
    rows = list(csv.reader(table.open()))
    assert rows[0] == ["alpha", "df", "pct_dev", "duality_gap", "cv_error", "cv_se", "intercept", *names]
    values = np.array(rows[1:], dtype=float)
    cv = fastreg.cv_path(X, y, cv=3, n_alphas=30, tol=1e-7, max_iter=10_000, standardize=True)
    ref = cv.path
    assert values.shape == (30, 7 + len(names))
    np.testing.assert_array_equal(values[:, 0], ref.alphas)
    np.testing.assert_array_equal(values[:, 1], np.count_nonzero(ref.coefs, axis=0))
    np.testing.assert_allclose(values[:, 2], 100 * ref.dev_ratios, rtol=1e-13)
    np.testing.assert_array_equal(values[:, 3], ref.dual_gaps)
    np.testing.assert_allclose(values[:, 4:6], np.column_stack([cv.mse_mean[0], cv.mse_se[0]]), rtol=1e-13)
    np.testing.assert_allclose(values[:, 6], ref.intercepts, rtol=1e-13)
    np.testing.assert_allclose(values[:, 7:], ref.coefs.T, rtol=1e-13, atol=1e-300)


def test_path_csv_without_cv_leaves_cv_columns_empty(tmp_path, capsys):
    table = tmp_path / "path.csv"
    assert main(["--n-alphas", "10", "--path-csv", str(table)]) == 0
    rows = list(csv.DictReader(table.open()))
    assert len(rows) == 10 and all(r["cv_error"] == r["cv_se"] == "" for r in rows)


# Categorical columns (glmnet's makeX), Parquet, missing values

@pytest.fixture
def mixed_frame():
    """Numbers, two categorical columns (3 and 2 levels), a one-level column and a numeric target."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(98)
    n = 90
    frame = pd.DataFrame({"x1": rng.standard_normal(n), "color": rng.choice(["red", "green", "blue"], n),
                          "x2": 3 * rng.standard_normal(n), "size": rng.choice(["S", "L"], n), "unit": "kg"})
    frame["y"] = 2 * frame.x1 + 1.5 * (frame.color == "red") - 0.3 * frame.x2 + 0.5 * rng.standard_normal(n)
    return frame


def _dummies(frame, target="y"):
    """The reference encoding: pandas get_dummies with every level (glmnet's makeX), '=' between column
    and level, a one-level column dropped; columns in makeX's order (each categorical in its place)."""
    pd = pytest.importorskip("pandas")
    features = frame.drop(columns=[target])
    text = [c for c in features if not pd.api.types.is_numeric_dtype(features[c])]
    single = [c for c in text if features[c].nunique() == 1]
    features = features.drop(columns=single)
    encoded = pd.get_dummies(features, prefix_sep="=", dtype=float)
    order = []
    for c in features:
        order += [f"{c}={level}" for level in sorted(features[c].unique())] if c in text else [c]
    return encoded[order], single


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".pq"])
def test_categorical_columns_one_hot_as_makex(tmp_path, capsys, mixed_frame, suffix):
    """Text columns become one 0/1 column per level, sorted, named column=level, in place; the one-level
    column is dropped with a note; the fit is enet_path's on pandas' get_dummies of the same rule."""
    if suffix != ".csv":
        pytest.importorskip("pyarrow")
    file = tmp_path / f"data{suffix}"
    mixed_frame.to_csv(file, index=False) if suffix == ".csv" else mixed_frame.to_parquet(file)
    out, model = _main_json(tmp_path, capsys, [file, "--n-alphas", "30"])
    reference, single = _dummies(mixed_frame)
    assert single == ["unit"]
    assert list(model["coefficients"]) == list(reference.columns)
    assert list(reference.columns) == ["x1", "color=blue", "color=green", "color=red", "x2", "size=L", "size=S"]
    assert "one-hot encoded as glmnet's makeX" in out and "color (3 levels), size (2 levels)" in out
    assert "dropped, one level only: unit ('kg')" in out
    assert "90 samples x 7 features" in out
    assert model["encoding"]["categorical"] == {"color": ["blue", "green", "red"], "size": ["L", "S"]}
    assert model["encoding"]["dropped_one_level"] == {"unit": "kg"}
    X, y = reference.to_numpy(), mixed_frame["y"].to_numpy()
    ref = fastreg.enet_path(X, y, l1_ratio=1.0, n_alphas=30, eps=1e-3, tol=1e-7, max_iter=10_000, fit_intercept=True,
                            standardize=True)
    i = int(np.flatnonzero(ref.alphas == model["alpha"])[0])
    coef = np.array(list(model["coefficients"].values()))
    np.testing.assert_allclose(X @ coef + model["intercept"], X @ ref.coefs[:, i] + ref.intercepts[i], rtol=1e-13)
    assert "  color=red " in out  # level names in the printed coefficients


def test_encode_matches_get_dummies(mixed_frame, tmp_path):
    """The encoded matrix itself, entry by entry."""
    from fastreg._table import encode, read_table
    file = tmp_path / "data.csv"
    mixed_frame.to_csv(file, index=False)
    data = encode(read_table(file), "y")
    reference, _ = _dummies(mixed_frame)
    assert data.names == list(reference.columns)
    np.testing.assert_array_equal(data.X, reference.to_numpy())
    np.testing.assert_array_equal(data.y, mixed_frame["y"].to_numpy())


def test_parquet_pandas_index_is_left_out(tmp_path, capsys, mixed_frame):
    pytest.importorskip("pyarrow")
    file = tmp_path / "data.parquet"
    mixed_frame.set_index(mixed_frame.index * 7 % 90).to_parquet(file)  # not a range: stored as a column
    out, model = _main_json(tmp_path, capsys, [file, "--n-alphas", "10"])
    assert "pandas index (__index_level_0__) is left out" in out and model["n_features"] == 7


def test_parquet_booleans_and_categories(tmp_path, capsys):
    """Booleans are 0/1 numbers; a pandas category column is text (one-hot); a binomial target of two
    strings from Parquet."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(99)
    n = 60
    x = rng.standard_normal(n)
    frame = pd.DataFrame({"x": x, "flag": x + rng.standard_normal(n) > 0,
                          "kind": pd.Categorical(rng.choice(["a", "b"], n)),
                          "label": np.where(x + 0.5 * rng.standard_normal(n) > 0, "up", "down")})
    file = tmp_path / "data.parquet"
    frame.to_parquet(file)
    out, model = _main_json(tmp_path, capsys, [file, "--family", "binomial", "--n-alphas", "20"])
    assert list(model["coefficients"]) == ["x", "flag", "kind=a", "kind=b"]
    assert model["classes"] == ["down", "up"]
    X = np.column_stack([x, frame.flag.astype(float), frame.kind == "a", frame.kind == "b"]).astype(float)
    ref = fastreg.logistic_path(X, frame.label.to_numpy(), n_alphas=20, tol=1e-7, max_iter=10_000, standardize=True)
    i = int(np.flatnonzero(ref.alphas == model["alpha"])[0])
    coef = np.array(list(model["coefficients"].values()))
    np.testing.assert_allclose(X @ coef + model["intercept"], X @ ref.coefs[:, i] + ref.intercepts[i], rtol=1e-13)


@pytest.mark.parametrize("column,words", [
    ("1,2,red,4,5,6", ["column 'c'", "line 4", "'red' is not a number", "other values are"]),
    ("a,b,3,c,d,e", ["column 'c'", "line 4", "'3' is a number in a column of text labels"]),
])
def test_column_mixing_numbers_and_text(tmp_path, capsys, column, words):
    cells = column.split(",")
    rows = "".join(f"{i},{c},{i * 1.5 + (i % 3)}\n" for i, c in enumerate(cells))
    _user_error(capsys, [_write(tmp_path, "a,c,y\n" + rows)], *words)


def test_missing_values_name_columns_and_counts(tmp_path, capsys):
    text = "a,b,c,y\n1,2,x,3\nNA,1,y,4\n3,,x,5\n4,2,,6\n,3,y,7\n6,1,x,8\n"
    message = _user_error(capsys, [_write(tmp_path, text)], "missing values", "column 'a' (2, first on line 3: 'NA')",
                          "column 'b' (1, on line 4: '')", "column 'c' (1, on line 5: '')", "--dropna")
    assert "column 'y'" not in message


def test_dropna_leaves_out_rows_with_a_missing_value(tmp_path, capsys, mixed_frame):
    """--dropna: the rows with a missing value (in any column, the target included) are left out, said
    how many; the fit is the one on pandas' dropna() of the same data."""
    frame = mixed_frame.copy()
    frame.loc[[3, 10], "x2"] = np.nan
    frame.loc[10, "color"] = None
    frame.loc[20, "y"] = np.nan
    file = tmp_path / "data.csv"
    frame.to_csv(file, index=False)
    out, model = _main_json(tmp_path, capsys, [file, "--n-alphas", "20", "--dropna"])
    assert "--dropna: left out 3 of 90 rows with a missing value (color 1, x2 2, y 1)" in out
    assert "87 samples x 7 features" in out
    assert model["encoding"]["rows_dropped"] == 3 and model["settings"]["dropna"] is True
    kept = frame.dropna()
    reference, _ = _dummies(kept)
    X, y = reference.to_numpy(), kept["y"].to_numpy()
    ref = fastreg.enet_path(X, y, n_alphas=20, l1_ratio=1.0, eps=1e-3, tol=1e-7, max_iter=10_000, fit_intercept=True,
                            standardize=True)
    i = int(np.flatnonzero(ref.alphas == model["alpha"])[0])
    np.testing.assert_allclose(np.array(list(model["coefficients"].values())), ref.coefs[:, i], rtol=1e-13, atol=1e-300)


def test_one_hot_name_clash(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a=b,a,y\n1,b,3\n2,c,5\n3,b,4\n")], "one-hot column 'a=b'", "rename")


def test_dropna_of_every_row(tmp_path, capsys):
    _user_error(capsys, [_write(tmp_path, "a,b,y\nNA,2,3\n1,,4\n"), "--dropna"], "every row", "--dropna")


# The progress line: on a terminal, not --quiet, for fits over PROGRESS_AFTER seconds

def _terminal(monkeypatch, slow=True):
    """The captured stderr claims to be a terminal; with `slow`, every fit counts as slow (the threshold
    is 0 seconds). (Called in the test itself: pytest's capture streams differ between setup and call.)"""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    if slow:
        monkeypatch.setattr("fastreg.cli.PROGRESS_AFTER", 0.0)


def test_progress_line_on_a_terminal(monkeypatch, capsys):
    """One line per penalty from solve_path's verbose hook, each overwriting the last (\\r), the last one
    the path's last alpha (its non-zeros and gap), then cleared; stdout is the same as without it."""
    _terminal(monkeypatch)
    assert main(["--n-alphas", "40"]) == 0
    out, err = capsys.readouterr()
    updates = re.findall(r"\rfastreg: path, alpha (\d+)/40, (\d+) non-zeros, gap (\S+) \(\d+ s\) *", err)
    assert [int(u[0]) for u in updates] == list(range(1, 41)), err
    X, y, _ = load_diabetes()
    path = fastreg.enet_path(X, y, l1_ratio=1.0, n_alphas=40, tol=1e-7, max_iter=10_000, fit_intercept=True,
                             standardize=True)
    assert [int(u[1]) for u in updates] == np.count_nonzero(path.coefs, axis=0).tolist()
    assert [u[2] for u in updates] == [f"{g:.2e}" for g in path.dual_gaps]
    assert "\n" not in err and re.search(r"\r +\r$", err)
    assert main(["--n-alphas", "40", "--quiet"]) == 0
    assert re.sub(r"in \S+ ms", "", capsys.readouterr().out) == re.sub(r"in \S+ ms", "", out)


def test_progress_names_folds(monkeypatch, capsys, tmp_path):
    _terminal(monkeypatch)
    X, y, names = _binary_data(seed=100)
    assert main([str(_write_labelled(tmp_path, X, y.astype(int), names)), "--family", "binomial", "--cv", "3",
                 "--n-alphas", "10"]) == 0
    err = capsys.readouterr().err
    assert "\rfastreg: path, alpha 10/10" in err and "\rfastreg: fold 3/3, alpha 10/10" in err


def test_progress_of_a_phase_without_hook(monkeypatch, capsys):
    """cv_path reports nothing while it runs: the line shows the phase and the time, refreshed by a thread."""
    _terminal(monkeypatch)
    def slow_cv_path(*args, **kwargs):
        time.sleep(0.3)
        return fastreg.cv_path(*args, **kwargs)
    monkeypatch.setattr("fastreg.cli.cv_path", slow_cv_path)
    monkeypatch.setattr("fastreg.cli.PROGRESS_TICK", 0.02)
    assert main(["--cv", "3", "--n-alphas", "10"]) == 0
    err = capsys.readouterr().err
    assert err.count("\rfastreg: cross-validation, 3 folds and the path (0 s)") >= 3, err


def test_no_progress_line_for_a_fast_fit_on_a_terminal(monkeypatch, capsys):
    _terminal(monkeypatch, slow=False)
    assert sys.stderr.isatty()
    assert main(["--n-alphas", "20"]) == 0
    assert capsys.readouterr().err == ""


def test_no_progress_line_with_quiet_or_a_pipe(monkeypatch, capsys):
    _terminal(monkeypatch)
    assert main(["--n-alphas", "20", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert main(["--n-alphas", "20"]) == 0
    assert capsys.readouterr().err == ""


def test_no_progress_line_in_a_subprocess():
    """stderr a pipe: nothing but the results (also for a path fit slower than a second would be)."""
    result = _run("--cv", "3", "--n-alphas", "20", python_warnings=None)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert CV_SELECTED.search(result.stdout)


# --plot: fastreg.plot's path and CV curve in one figure

class _FakePlot:
    """Stands in for fastreg.plot: records its calls and draws a line into the given Axes."""

    def __init__(self):
        self.calls = []

    def plot_path(self, path, xvar="alpha", label=5, ax=None):
        self.calls.append(("path", path, xvar, label))
        ax.plot(np.log(path.alphas), path.coefs.T)
        return ax

    def plot_cv(self, cvpath, ax=None):
        self.calls.append(("cv", cvpath))
        ax.errorbar(np.log(cvpath.alphas[0]), cvpath.mse_mean[0], cvpath.mse_se[0])
        return ax


@pytest.fixture
def fake_plot(monkeypatch):
    pytest.importorskip("matplotlib")
    stub = _FakePlot()
    monkeypatch.setitem(sys.modules, "fastreg.plot", stub)
    monkeypatch.setattr(fastreg, "plot", stub, raising=False)
    return stub


@pytest.mark.parametrize("options,panels", [([], 1), (["--cv", "4"], 2), (["--ridge"], 2)])
def test_plot_draws_the_path_and_the_cv_curve(tmp_path, capsys, fake_plot, options, panels):
    """The path (named features) in the first panel, with --cv / --ridge the CV curve beside it: the
    objects drawn are the printed ones."""
    figure = tmp_path / "fit.png"
    out, model = _main_json(tmp_path, capsys, ["--n-alphas", "20", "--plot", figure, *options])
    assert f"plot saved to {figure}" in out
    assert figure.read_bytes().startswith(b"\x89PNG") and figure.stat().st_size > 5000
    kinds = [call[0] for call in fake_plot.calls]
    assert kinds == ["path", "cv"][:panels]
    _, path, xvar, label = fake_plot.calls[0]
    assert xvar == "alpha" and label == 5
    assert list(path.feature_names) == load_diabetes()[2]
    assert model["alpha"] in path.alphas.tolist() and path.coefs.shape == (10, 20)
    if panels == 2:
        assert fake_plot.calls[1][1].path is path


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_plot_renders_with_fastreg_plot(tmp_path, capsys, suffix, magic):
    pytest.importorskip("matplotlib")
    figure = tmp_path / f"fit{suffix}"
    assert main(["--cv", "4", "--n-alphas", "30", "--plot", str(figure)]) == 0
    assert figure.read_bytes().startswith(magic) and figure.stat().st_size > 5000


def test_plot_without_matplotlib(monkeypatch, capsys, tmp_path):
    """Refused before reading or fitting: one line naming the extra."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    _user_error(capsys, ["--plot", tmp_path / "fit.png"], "--plot needs matplotlib", "fastreg[plot]")
    assert not (tmp_path / "fit.png").exists()


# Bad input files: one line, status 2

@pytest.mark.parametrize("content,name,words", [
    (bytes(range(256)) * 4, "data.csv", ["not a CSV table", "binary"]),
    (b'{"a": [1, 2], "y": [3, 4]}\n', "data.csv", ["not a CSV table", "JSON"]),
    (b'[{"a": 1, "y": 3}]', "data.json", ["not a CSV table", "JSON"]),
    (b"PAR1 this is no parquet", "data.csv", ["not a readable Parquet file"]),
    (b"a,b,y\n1,2,3\n", "data.parquet", ["data.parquet", "not a readable Parquet file"]),
    (b"", "data.pq", ["not a readable Parquet file"]),
])
def test_not_a_table(tmp_path, capsys, content, name, words):
    if b"PAR1" in content or name.endswith((".parquet", ".pq")):
        pytest.importorskip("pyarrow")
    _user_error(capsys, [_write(tmp_path, content, name=name)], *words)


def test_directory_is_not_a_file(tmp_path, capsys):
    _user_error(capsys, [tmp_path], "cannot read", "directory")


def test_parquet_without_pyarrow(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    _user_error(capsys, [_write(tmp_path, b"PAR1...", name="data.parquet")], "data.parquet", "needs pyarrow",
                "pip install pyarrow")


@pytest.mark.parametrize("frame_kind,words", [
    ("unknown target", ["no column named 'nope'", "columns: x, when, y"]),
    ("timestamp", ["column 'when'", "timestamp", "convert or drop"]),
    ("no rows", ["no data rows"]),
    ("constant target", ["target 'y'", "constant"]),
    ("text target", ["column 'y'", "row 1", "'a'", "not a number", "--family binomial"]),
])
def test_bad_parquet_content(tmp_path, capsys, frame_kind, words):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "when": pd.to_datetime(["2020-01-01"] * 3), "y": [1.0, 3.0, 2.0]})
    args = []
    if frame_kind == "unknown target":
        args = ["--target", "nope"]
    elif frame_kind == "no rows":
        frame = frame.drop(columns="when").iloc[:0]
    elif frame_kind == "constant target":
        frame = frame.drop(columns="when").assign(y=5.0)
    elif frame_kind == "text target":
        frame = frame.drop(columns="when").assign(y=["a", "b", "a"])
    file = tmp_path / "data.parquet"
    frame.to_parquet(file)
    _user_error(capsys, [file, *args], *words)


@pytest.mark.parametrize("content,args", [
    (b"\x00\x01\x02garbage\xff", []),
    (b'{"rows": []}', []),
    (b"a,b,y\n1,2,3\n2,1,5\n", ["--cv", "1"]),
    (b"a,b,y\n1,2,3\n2,1,5\n", ["--select", "nope"]),
])
def test_bad_input_subprocess_one_line(tmp_path, content, args):
    """As a user runs it: exactly one line, status 2, no traceback, usage text or raw warning."""
    result = _run(str(_write(tmp_path, content)), *args, python_warnings=None)
    assert result.returncode == 2
    assert result.stderr.startswith("fastreg: ") and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr and "usage" not in result.stderr


def test_help_lists_the_new_options(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--cv K", "--select {min,1se,bic,aic}", "--ridge", "--alphas A,B,...", "--output FILE.json",
                   "--path-csv FILE", "--plot FILE", "--dropna", "--quiet", "Parquet", "makeX"):
        assert option in out, option
    assert "--cv 10 --plot path.png --output model.json" in out

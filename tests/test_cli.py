"""The `fastreg` command line, in-process (fastreg.cli.main) and as a subprocess."""
import os
import re
import subprocess
import sys
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

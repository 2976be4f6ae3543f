"""The `fastreg` command line, in-process (fastreg.cli.main) and as a subprocess."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import fastreg
from fastreg.cli import main
from fastreg.data import load_diabetes

HEADER = re.compile(r"^\s*alpha\s+non-zeros\s+R\^2\s+duality gap\s+(BIC|AIC)\s*$", re.M)
ROW = re.compile(r"^(\*| ) +(\S+) +(\d+) +(\S+) +(\S+) +(\S+)$", re.M)
SELECTED = re.compile(r"selected by (BIC|AIC) \(\*\): alpha = (\S+), (\d+) of (\d+) features")


def _run(*args, timeout=120):
    """`python -m fastreg args` in a fresh interpreter (the installed fastreg, not the source tree)."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
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


def test_bad_target_in_process(csv_file, capsys):
    path = csv_file[0]
    with pytest.raises(SystemExit) as exc:
        main([str(path), "--target", "nope"])
    code = exc.value.code
    assert code not in (0, None)
    message = str(code)
    assert "nope" in message and "response" in message  # names the bad target and the columns


def test_bad_target_subprocess(csv_file):
    result = _run(str(csv_file[0]), "--target", "nope")
    assert result.returncode != 0
    assert "no column named 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_non_numeric_csv(tmp_path):
    path = tmp_path / "text.csv"
    path.write_text("a,b,c\n1,x,3\n4,5,6\n")
    with pytest.raises(SystemExit) as exc:
        main([str(path)])
    assert exc.value.code not in (0, None)
    assert "numeric" in str(exc.value.code)


@pytest.mark.parametrize("args,word", [
    (["{missing}"], "missing.csv"),
    (["--l1-ratio", "1.5"], "l1"),
    (["--l1-ratio", "0"], "l1"),
    (["--n-alphas", "0"], "alphas"),
    (["--criterion", "cv"], "criterion"),
])
def test_bad_arguments_exit_with_a_message(tmp_path, capsys, args, word):
    """A user error ends the program with a message (SystemExit), not an exception traceback."""
    args = [a.format(missing=tmp_path / "missing.csv") for a in args]
    with pytest.raises(SystemExit) as exc:
        main(args)
    code = exc.value.code
    assert code not in (0, None)
    message = (str(code) if isinstance(code, str) else "") + capsys.readouterr().err
    assert word in message.lower()

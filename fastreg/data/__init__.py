"""Datasets shipped with fastreg (no download)."""
from importlib.resources import files

import numpy as np

__all__ = ["load_diabetes", "DIABETES_CSV"]

#: Path of the diabetes CSV (442 patients, 10 baseline variables, disease progression after one year;
#: Efron, Hastie, Johnstone & Tibshirani 2004, "Least angle regression", Ann. Statist. 32), unscaled.
DIABETES_CSV = files(__name__).joinpath("diabetes.csv")


def load_diabetes():
    """Return ``(X, y, feature_names)`` of the diabetes data: X (442, 10) float64, y (442,)."""
    with DIABETES_CSV.open() as f:
        header = f.readline().strip().split(",")
        data = np.loadtxt(f, delimiter=",")
    return data[:, :-1], data[:, -1], header[:-1]

"""Datafits: the loss a path minimizes, and what the path layer asks of it.

`fastreg._path.solve_path` is written against this seam; a `Problem` carries its datafit. The
Gaussian datafit is least squares on a working design (`fastreg._design`), solved by the residual or
Gram solvers (`fastreg._solvers`). A new loss is one more class here with the same methods:

- ``tol_unit(design)``: the null model's deviance in working units (the unit of ``tol`` and of the
  deviance ratios);
- ``solver(plan, design, w, options)``: the per-penalty solver, ``solver(w, l1_reg, l2_reg) -> (gap,
  epochs, status)``, its gap certifying this datafit's objective;
- ``deviance(solver, w)``: the deviance at the solver's last solution (working units);
- ``intercept(design, coef)``: the intercept that goes with the user's coefficients;
- ``alpha_max(design, l1_ratio, positive, Xty)``: the smallest alpha whose solution is 0 (the grid);
- ``unconverged(design, settings, alpha, gap, target)``: the ConvergenceWarning text.

An iteratively reweighted loss (binomial, multinomial) is a datafit whose `solver` runs an outer
proximal-Newton loop: at the current (w, b) it refreshes per-sample weights and a working response,
solves the weighted least-squares subproblem with a Gaussian solver from this module's `solver`,
and certifies the result with its own duality gap; see ARCHITECTURE.md.
"""
from ._solvers import make_solver


class Gaussian:
    """Least squares, ``1/(2n) sum_i s_i (y_i - x_i^T w - b)^2`` (weights s normalized to sum to n):
    the working problem ``1/2 ||y_w - X_w w||^2`` of the design, the intercept eliminated by centering."""

    name = "gaussian"

    @staticmethod
    def tol_unit(design):
        return design.null_norm2

    @staticmethod
    def solver(plan, design, w, options):
        return make_solver(plan, design, w, options)

    @staticmethod
    def deviance(solver, w):
        return solver.residual_norm2(w)

    @staticmethod
    def intercept(design, coef):
        return design.intercept(coef)

    @staticmethod
    def alpha_max(design, l1_ratio, positive, Xty=None):
        return design.alpha_max(l1_ratio, positive, Xty=Xty)

    @staticmethod
    def unconverged(design, settings, alpha, gap, target):
        norm = "||y - mean(y)||^2" if design.fit_intercept else "||y||^2"
        return (
            f"Coordinate descent did not converge at alpha={alpha:.6g}: duality gap {gap:.3e} "
            f"is above the target {target:.3e} (tol={settings.tol:g} times {norm} / n) after "
            f"max_iter={settings.max_iter} epochs. Increase max_iter, loosen tol, or scale the features "
            f"(e.g. standardize X)."
        )


GAUSSIAN = Gaussian()

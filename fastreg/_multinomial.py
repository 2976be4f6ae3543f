"""The multinomial family: penalized multinomial logistic regression (K classes) on the binomial seam.

glmnet's ungrouped multinomial in the symmetric parametrization (every class has its coefficients and
intercept; no reference class), as glmnet and scikit-learn fit it:

    P(W, b) = 1/n sum_i s_i [logsumexp_k(eta_ik) - eta_{i, y_i}]
              + alpha sum_k (l1_ratio ||W_k||_1 + (1 - l1_ratio)/2 ||W_k||^2),   eta = X W + b,

the weights s normalized to sum to n. The model is invariant to a common shift of the intercepts
(b + c 1): the intercepts returned sum to 0. A common shift of feature j's coefficients (W_j. + c) changes
only the penalty, so with an L2 part the optimum is unique and its coefficients sum to 0 over the classes;
a pure L1 penalty leaves them unique only up to such shifts within the classes' median set, and the solver
returns the solution it reached.

`MultinomialSolver` is glmnet's partial Newton by class: for class k with the other classes fixed,
the quadratic model of P in (W_k, b_k) is a weighted least-squares ElasticNet (weights
v = s q_k (1 - q_k) / n, working response z = eta_k + (Y_k - p_k) / (q_k (1 - q_k)), q the probabilities kept
`P_MIN` from 0 and 1), solved by the binomial family's `newton_subproblem` on class k's binomial data
(`MultinomialData.class_data`) and working set, damped by backtracking on P. After each sweep over the
classes: an exact step along the loss' flat directions (`optimal_shift`), exactly optimal intercepts,
Anderson extrapolation and a joint Newton step on the support (the sweeps alone converge linearly, at
the rate of the classes' coupling); each penalty stops on the certified gap of `duality_gap`.
"""
import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.special import xlogy

from ._datafit import INNER_FRACTION, P_MIN, newton_subproblem
from ._solvers import kernel_name, single_threaded_blas

# the joint Newton step on the support (`MultinomialSolver._support_newton`) runs on at most this many
# coefficients and intercepts (its Cholesky factor costs m^3 / 3)
NEWTON_MAX = 1000
# ... whose n x m design (two of them: 2 x 8 bytes per entry) it builds up to this many entries
NEWTON_MAX_ENTRIES = 1 << 25
# ... and always when at most this many (a small problem's step is cheap whatever its shape), else when it
# costs at most this many sweeps over the classes
NEWTON_FREE = 100
NEWTON_SWEEPS = 4


def softmax(eta):
    """Row-wise softmax of eta (n, K), stably."""
    e = np.exp(eta - eta.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def losses_and_probabilities(eta, codes):
    """(logsumexp(eta_i) - eta_{i, codes_i} for every row, softmax(eta)) in one pass, the losses without
    cancellation: with d = eta - eta_y and m = max_k d_k >= 0, the loss is m + log(sum_k exp(d_k - m)), a sum
    in [1, K], so its absolute error is a few ulps of max(m, 1) however small the loss (the label's
    entry dominating: log of 1 plus the others' small terms)."""
    rows = np.arange(eta.shape[0])
    d = eta - eta[rows, codes][:, None]
    m = d.max(axis=1, keepdims=True)
    e = np.exp(d - m)
    total = e.sum(axis=1, keepdims=True)
    return m[:, 0] + np.log(total[:, 0]), e / total


def row_losses(eta, codes):
    """logsumexp(eta_i) - eta_{i, codes_i} for every row (see `losses_and_probabilities`)."""
    return losses_and_probabilities(eta, codes)[0]


def fitted_codes(data):
    """Each row's class as an index into `data.fitted` (rows of an unfitted class, which have weight 0: 0)."""
    position = np.zeros(data.n_classes, dtype=np.intp)
    position[data.fitted] = np.arange(data.fitted.size)
    return position[data.codes]


def penalty_value(W, l1_reg, l2_reg, factor):
    """sum_jk f_j (l1_reg |W_jk| + l2_reg / 2 W_jk^2) of W (n_features, columns)."""
    v = 1.0 if factor is None else factor[:, None]
    return float(np.sum(l1_reg * v * np.abs(W)) + 0.5 * np.sum(l2_reg * v * W * W))


def class_counts(data):
    """The weighted number of rows of each fitted class, sum_i s_i Y_ik (they sum to n)."""
    return data.sw @ data.Y[:, data.fitted]


def optimal_shift(W, l1_reg, l2_reg, positive):
    """Per feature j, the c_j minimizing sum_k (l1_reg |W_jk - c| + l2_reg / 2 (W_jk - c)^2) (c <= min_k W_jk
    when positive): a common shift of a feature's coefficients over the classes leaves the multinomial
    loss unchanged (each row's eta moves by x_i^T c in every class), so it is an exact step along the
    directions the loss is flat in, which class-by-class steps cross slowly (glmnet's `elc`). The penalty
    factor multiplies the whole sum, so it does not move the minimizer.

    The derivative F(c) = l1_reg (2 #{W_jk <= c} - K) + l2_reg (K c - sum_k W_jk) (right-continuous,
    nondecreasing) is evaluated at the sorted W_j.; if it is negative at the first m of them, the
    minimizer lies between the m-th and the (m + 1)-th, where F is linear (the root, or the (m + 1)-th). A pure L1 penalty's minimizers are an interval (the medians):
    the point of it closest to 0 is taken (the least change)."""
    K = W.shape[1]
    ws = np.sort(W, axis=1)
    idx = np.arange(K)
    run_end = np.ones(ws.shape, dtype=bool)
    run_end[:, :-1] = ws[:, 1:] != ws[:, :-1]
    # #{W_jk <= ws_jm}: one plus the index of the last of ws_jm's ties
    count = np.minimum.accumulate(np.where(run_end, idx, K)[:, ::-1], axis=1)[:, ::-1] + 1
    total = W.sum(axis=1)
    F = l1_reg * (2 * count - K) + l2_reg * (K * ws - total[:, None])
    below = np.count_nonzero(F < 0, axis=1)
    rows = np.arange(W.shape[0])
    upper = np.where(below < K, ws[rows, np.minimum(below, K - 1)], np.inf)
    if l2_reg > 0:
        c = np.minimum((l2_reg * total - l1_reg * (2 * below - K)) / (l2_reg * K), upper)
    else:
        at_most = np.count_nonzero(F <= 0, axis=1)
        hi = np.where(at_most < K, ws[rows, np.minimum(at_most, K - 1)], np.inf)
        c = np.clip(0.0, upper, hi)
    if positive:
        c = np.minimum(c, ws[:, 0])
    return c


class Multinomial:
    """The multinomial datafit (K classes; see the module docstring). Its unit (tol's, the deviance
    ratios') is the null model's mean log-loss: the entropy of the weighted class proportions with an
    intercept, log K without. Solutions have the block shape (K,): W is (n_features, K) in working units
    and a Path's coefs (K, n_features, n_alphas)."""

    name = "multinomial"

    @staticmethod
    def block(data):
        return (data.n_classes,)

    @staticmethod
    def null_loss(data):
        if not data.fit_intercept:
            return float(np.log(data.n_classes))
        proportions = class_counts(data) / data.n_samples
        return float(-np.sum(xlogy(proportions, proportions)))

    @classmethod
    def tol_unit(cls, data):
        return cls.null_loss(data)

    @staticmethod
    def solver(plan, data, W, options):
        return MultinomialSolver(plan, data, W, options)

    @staticmethod
    def deviance(solver, W):
        return solver.loss

    @staticmethod
    def intercept(data, solver, coef):
        return solver.intercepts()

    @staticmethod
    def alpha_max(data, l1_ratio, positive, Xty=None):
        """The smallest alpha whose solution is W = 0: max_jk |x_j^T s (Y_k - p0_k)| / (n l1_ratio f_j), p0
        the null model's probabilities (the class proportions with an intercept, 1/K without)."""
        Y = data.Y[:, data.fitted]
        p0 = class_counts(data) / data.n_samples if data.fit_intercept else 1.0 / data.n_classes
        grad = np.asarray(data.X.T @ (data.sw[:, None] * (Y - p0)), dtype=np.float64) / data.n_samples
        if positive:
            grad = np.maximum(grad, 0.0)
        factor = data.penalty.factor
        top = np.abs(grad) if factor is None else np.abs(grad) / factor[:, None]
        return float(np.max(top, initial=0.0)) / l1_ratio

    @staticmethod
    def unconverged(data, settings, alpha, gap, target):
        return (
            f"Multinomial logistic regression did not converge at alpha={alpha:.6g}: duality gap {gap:.3e} is "
            f"above the target {target:.3e} (tol={settings.tol:g} times the null model's mean log-loss) after "
            f"{settings.max_newton} Newton sweeps over the {data.n_classes} classes of at most {settings.max_iter} "
            f"epochs per class. Allow more steps (max_iter of LogisticRegression), loosen tol, use a larger "
            f"alpha (smaller C), or scale the features (e.g. standardize=True)."
        )


MULTINOMIAL = Multinomial()


def duality_gap(data, W, b, l1_reg, l2_reg, positive, xw=None, correlation=False):
    """(gap, loss) of (W, b) (W of shape (n_features, K), b of the fitted classes): the primal P minus the
    dual value at a feasible dual point built from the probabilities t = softmax(eta); with
    `correlation`, also X^T theta (n_features, fitted classes) before the L1 scaling (-X^T theta is the
    loss' gradient when no intercept correction was needed: the working sets' optimality check).

    Fenchel duality, from logsumexp(eta) = max over the simplex of <t, eta> - sum_k t_k log t_k: for any
    rows t_i in the probability simplex, with theta_ik = s_i (Y_ik - t_ik) / n,

        D(t) = -1/n sum_i s_i sum_k t_ik log t_ik - sum_k g*(X^T theta_k) <= P(W', b')  for every (W', b')

    (g* the conjugate of one class's penalty), provided, with an intercept, sum_i s_i (Y_ik - t_ik) = 0
    for every class k (otherwise the minimum over b is -inf). At the optimum t = softmax(eta) is feasible
    and D = P. Two corrections keep t feasible elsewhere:

    - the intercept constraint: with m_k = sum_i s_i t_ik and N_k = sum_i s_i Y_ik (both sum to n), let
      r = min(1, min_k N_k / m_k) and c = 1 - r; if c > 0, t_i <- r t_i + c pi with pi = (N - r m) / (c n).
      pi is a probability vector (sum_k pi_k = (n - r n) / (c n) = 1, and pi_k >= 0 because r <= N_k / m_k),
      so each t_i stays in the simplex (a convex combination of two of its points), and
      sum_i s_i t_ik = r m_k + c n pi_k = N_k exactly. c -> 0 as the intercepts become optimal.
    - a pure L1 penalty's dual ball: theta -> scale theta with scale = min over (j, k) of f_j l1_reg /
      |x_j^T theta_k| (where above it), i.e. t_i <- (1 - scale) Y_i + scale t_i, a convex combination of
      Y_i (a vertex) and t_i, in the simplex, and sum_i s_i (Y_ik - t_ik) is scaled, so still 0.

    `xw`: X W of the fitted classes when known."""
    cols = data.fitted
    s, n = data.sw, data.n_samples
    Y = data.Y[:, cols]
    eta = (data.linear_predictor(W[:, cols], 0.0) if xw is None else xw) + b
    loss = float(s @ row_losses(eta, fitted_codes(data))) / n
    factor = data.penalty.factor
    primal = loss + penalty_value(W, l1_reg, l2_reg, factor)
    t = softmax(eta)
    if data.fit_intercept:
        N, m = s @ Y, s @ t
        ratio = min(1.0, float(np.min(N / m)))
        if ratio < 1.0:  # t <- r t + c pi, with c pi = (N - r m) / n (>= 0 but for rounding)
            t = ratio * t + np.maximum(N - ratio * m, 0.0) / n
    theta = s[:, None] * (Y - t) / n
    U = np.asarray(data.X.T @ theta, dtype=np.float64)
    v = np.ones(U.shape[0]) if factor is None else factor
    a, c2 = np.broadcast_to(l1_reg * v[:, None], U.shape), np.broadcast_to(l2_reg * v[:, None], U.shape)
    score = U if positive else np.abs(U)
    if l2_reg > 0:
        conj = float(np.sum(np.maximum(score - a, 0.0) ** 2 / (2 * c2)))
        scale = 1.0
    else:
        over = score > a
        scale = float(np.min(a[over] / score[over])) if over.any() else 1.0
        conj = 0.0
    if scale < 1.0:
        t = (1.0 - scale) * Y + scale * t
    dual = -float(s @ xlogy(t, t).sum(axis=1)) / n - conj
    gap = max(primal - dual, 0.0)
    return (gap, loss, U) if correlation else (gap, loss)


class MultinomialSolver:
    """Partial Newton by class (glmnet's) for the multinomial datafit, one penalty at a time from a warm
    start; see the module docstring.

    One Newton sweep: for each fitted class k in turn, at the current (W, b), p = softmax(X W + b), the
    quadratic model of P in (W_k, b_k) with the other classes fixed has weights v = s q_k (1 - q_k) / n
    and working response z = eta_k + (Y_k - p_k) / (q_k (1 - q_k)) (q_k: p_k kept `P_MIN` from 0 and 1; the
    gradient exact, so the fixed point is the optimum); `newton_subproblem` solves it on class k's
    binomial data and working set (glmnet's: the class's support, the strong rule's features at the
    warm start, and the features whose dual correlation violates optimality before each sweep),
    warm started from W_k, to `INNER_FRACTION` of the gap target shared by the classes; the step to its
    solution is halved until P does not increase. After the sweep: the exact common shift of each
    feature's coefficients (`optimal_shift`), the intercepts made exactly optimal (Newton in K
    variables), the full certified gap (`duality_gap`, one pass over X), Anderson extrapolation every
    `options.anderson` sweeps and, once the support is stable, a joint Newton step on it
    (`_support_newton`); the penalty is done when the gap reaches the target. Classes outside
    `data.fitted` keep W_k = 0 and b_k = -inf.
    """

    def __init__(self, plan, data, W, options):
        self.plan, self.data, self.options = plan, data, options
        self.max_newton = options.max_newton
        self.positive = options.positive
        cols = data.fitted
        self.cols = cols
        self.Y = np.asfortranarray(data.Y[:, cols])
        self.codes = fitted_codes(data)
        self.counts = class_counts(data)
        self.class_data = [data.class_data(k) for k in cols]
        # (until a Newton step has run: a path whose penalties all start solved)
        self.name = "irls-multinomial+" + kernel_name(plan.kernel, data.kind)
        xw = np.asfortranarray(data.linear_predictor(W[:, cols], 0.0))
        self.b = np.zeros(cols.size)
        if data.fit_intercept:
            start = np.log(self.counts / data.n_samples)
            self.b = self._optimal_intercepts(xw, start - start.mean())
        self.loss = self._loss(xw + self.b)
        self.previous_l1 = None  # the previous penalty's, for the strong rule

    def intercepts(self):
        """The intercepts of every class (summing to 0 over the fitted ones; -inf for the others)."""
        out = np.full(self.data.n_classes, -np.inf if self.data.fit_intercept else 0.0)
        out[self.cols] = self.b - self.b.mean() if self.data.fit_intercept else 0.0
        return out

    def _loss(self, eta):
        return float(self.data.sw @ row_losses(eta, self.codes)) / self.data.n_samples

    def _evaluate(self, eta):
        """(the mean loss, the probabilities) at eta."""
        losses, P = losses_and_probabilities(eta, self.codes)
        return float(self.data.sw @ losses) / self.data.n_samples, P

    def _optimal_intercepts(self, xw, b):
        """argmin_b of the loss at X W = xw: Newton in K variables (the Hessian H = (diag(S p) - p^T S p) / n
        is singular along the common shift 1, whose gradient component is 0; the step solves
        (H + c 1 1^T) d = g, whose solution has 1^T d = 0 and so solves H d = g), halved where it would
        increase the loss, until the predicted decrease is below the loss' rounding; returned centered
        (sum 0)."""
        s, n = self.data.sw, self.data.n_samples
        current, p = self._evaluate(xw + b)
        ones = np.ones((b.size, b.size))
        for _ in range(50):
            grad = (s @ p - self.counts) / n
            if not np.any(grad):
                break
            sp = s[:, None] * p
            H = (np.diag(sp.sum(axis=0)) - p.T @ sp) / n
            H += ones * (np.trace(H) / b.size)
            try:
                step = np.linalg.solve(H, grad)
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(H, grad, rcond=None)[0]
            step -= step.mean()
            if float(grad @ step) <= 1e-15 * current:  # the predicted decrease is below the loss' rounding
                break
            while True:
                trial, p_trial = self._evaluate(xw + b - step)
                if trial <= current or np.max(np.abs(step)) <= 1e-15 * max(1.0, np.max(np.abs(b))):
                    break
                step *= 0.5
            if trial > current:
                break
            b, current, p = b - step, trial, p_trial
            if np.max(np.abs(step)) <= 1e-13 * max(1.0, np.max(np.abs(b))):
                break
        return b - b.mean()

    def _extrapolate(self, history, W, xw, gap, objective, l1_reg, l2_reg):
        """Anderson extrapolation of the last sweeps' iterates (Bertrand & Massias 2021, as the residual
        kernel's epochs): W_acc = sum_i c_i W^(i + 1), c minimizing ||sum_i c_i (W^(i + 1) - W^(i))|| with
        sum(c) = 1, its intercepts made optimal. Taken (W, b, loss updated in place) if it lowers P, or,
        once P's decrease is below its rounding (a pure L1 fit's suboptimality is quadratic in the
        distance to the optimum, its gap linear), if it keeps P to rounding and lowers the certified gap.
        Costs the products X W_acc and X^T theta. Returns (X W, gap, P) of the point kept."""
        data, cols = self.data, self.cols
        iterates = np.stack([h.ravel() for h in history])
        steps = np.diff(iterates, axis=0)
        gram = steps @ steps.T
        try:
            z = np.linalg.solve(gram, np.ones(gram.shape[0]))
        except np.linalg.LinAlgError:
            return xw, gap, objective
        total = z.sum()
        if not (np.isfinite(total) and total != 0):
            return xw, gap, objective
        W_acc = W.copy()
        W_acc[:, cols] = ((z / total) @ iterates[1:]).reshape(W.shape[0], cols.size)
        if self.positive:
            W_acc = np.maximum(W_acc, 0.0)
        xw_acc = np.asfortranarray(data.linear_predictor(W_acc[:, cols], 0.0))
        b_acc = self._optimal_intercepts(xw_acc, self.b) if data.fit_intercept else self.b
        gap_acc, loss_acc, U = duality_gap(data, W_acc, b_acc, l1_reg, l2_reg, self.positive, xw=xw_acc,
                                           correlation=True)
        trial = loss_acc + penalty_value(W_acc, l1_reg, l2_reg, data.penalty.factor)
        if not (trial < objective or (trial <= objective + 4e-16 * abs(objective) and gap_acc < gap)):
            return xw, gap, objective
        W[:, cols] = W_acc[:, cols]
        self.b, self.loss, self.U = b_acc, loss_acc, U
        return xw_acc, gap_acc, trial

    def _support_newton(self, W, xw, gap, objective, l1_reg, l2_reg, sweep_cost):
        """A Newton step on every class at once, restricted to the support of W (its signs fixed) and the
        intercepts, once the sweeps have left the support unchanged: class-by-class steps converge only
        linearly (at the rate of the classes' coupling, as block Gauss-Seidel), the joint step
        quadratically near the optimum. The Hessian of the support's m coefficients and intercepts,
        sum_i s_i / n (delta_kl p_ik - p_ik p_il) z_iu z_iv (+ the L2 part), and its Cholesky factor cost
        n m^2 + m^3 / 3: skipped when that is more than `NEWTON_SWEEPS` sweeps (`sweep_cost`, in the same
        units) unless m <= `NEWTON_FREE`, and when m > `NEWTON_MAX` or n m > `NEWTON_MAX_ENTRIES`. A relative 1e-10 ridge covers its
        singular directions: the intercepts' common shift (the gradient has no component there) and a
        feature's common shift over every class without an L2 part (its step is refused by the sign check
        unless it is flat). Halved until P decreases (or, below P's rounding, keeps P and lowers the gap),
        refused if a sign flips; returns (X W, gap, P) kept."""
        data, cols = self.data, self.cols
        n, K = data.n_samples, cols.size
        rows_j, class_k = np.nonzero(W[:, cols])
        m = rows_j.size + (K if data.fit_intercept else 0)
        if (m == 0 or m > NEWTON_MAX or n * m > NEWTON_MAX_ENTRIES
                or (m > NEWTON_FREE and n * m * m + m**3 / 3 > NEWTON_SWEEPS * sweep_cost)):
            return xw, gap, objective
        factor = data.penalty.factor
        f = np.ones(rows_j.size) if factor is None else factor[rows_j]
        w_S = W[:, cols][rows_j, class_k]
        sign = np.sign(w_S)
        X_S = data.X[:, rows_j]
        X_S = X_S.toarray() if hasattr(X_S, "toarray") else np.asarray(X_S)
        if data.fit_intercept:
            Z = np.hstack([X_S, np.ones((n, K))])
            kk = np.concatenate([class_k, np.arange(K)])
        else:
            Z, kk = X_S, class_k
        eta = xw + self.b
        P = softmax(eta)
        s = data.sw / n
        R = s[:, None] * (P - self.Y)
        grad = np.einsum("iu,iu->u", Z, R[:, kk])
        grad[:rows_j.size] += f * (l2_reg * w_S + l1_reg * sign)
        M = P[:, kk] * Z
        H = np.where(kk[:, None] == kk[None, :], (M.T * s) @ Z, 0.0) - (M.T * s) @ M
        H[np.arange(rows_j.size), np.arange(rows_j.size)] += l2_reg * f
        H[np.diag_indices_from(H)] += 1e-10 * max(float(np.max(np.diag(H))), np.finfo(float).tiny)
        try:
            step = cho_solve(cho_factor(H, check_finite=False), grad, check_finite=False)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, grad, rcond=None)[0]
        # X_S d per class: the change of X W
        dxw = np.zeros_like(xw)
        for k in range(K):
            mine = class_k == k
            if mine.any():
                dxw[:, k] = X_S[:, mine] @ step[:rows_j.size][mine]
        db = step[rows_j.size:] if data.fit_intercept else 0.0
        t = 1.0
        for _ in range(20):
            w_new = w_S - t * step[:rows_j.size]
            if np.array_equal(np.sign(w_new), sign):
                W_new = W.copy()
                block = W_new[:, cols]
                block[rows_j, class_k] = w_new
                W_new[:, cols] = block
                xw_new = xw - t * dxw
                b_new = self.b - t * db
                if data.fit_intercept:
                    b_new = self._optimal_intercepts(xw_new, b_new)
                loss_new = self._loss(xw_new + b_new)
                trial = loss_new + penalty_value(W_new, l1_reg, l2_reg, factor)
                if trial < objective:
                    break
                if trial <= objective + 4e-16 * abs(objective):
                    gap_new, _ = duality_gap(data, W_new, b_new, l1_reg, l2_reg, self.positive, xw=xw_new)
                    if gap_new < gap:
                        break
            t *= 0.5
        else:
            return xw, gap, objective
        W[:, cols] = W_new[:, cols]
        self.b = b_new
        gap, self.loss, self.U = duality_gap(data, W, self.b, l1_reg, l2_reg, self.positive, xw=xw_new,
                                             correlation=True)
        return xw_new, gap, self.loss + penalty_value(W, l1_reg, l2_reg, factor)

    def _violators(self, U, threshold):
        """(n_features, fitted classes): where the dual correlation X^T theta exceeds threshold times the
        feature's penalty factor (in the direction the sign constraint allows)."""
        factor = self.data.penalty.factor
        score = U if self.positive else np.abs(U)
        return score > (threshold if factor is None else threshold * factor[:, None])

    def __call__(self, W, l1_reg, l2_reg):
        # BLAS on one thread for the whole penalty, as the binomial solver: many small calls (working
        # sets' products and syrks), between which spinning worker threads take the solver's core
        with single_threaded_blas():
            return self._solve(W, l1_reg, l2_reg)

    def _solve(self, W, l1_reg, l2_reg):
        data, options = self.data, self.options
        l1_reg, l2_reg = float(l1_reg), float(l2_reg)
        factor = data.penalty.factor
        s, n, Y, cols = data.sw, data.n_samples, self.Y, self.cols
        tol_gap = float(options.tol_gap)
        epochs = 0
        # X W of the fitted classes, kept along the steps (Fortran: the row-wise sums over few classes run
        # along contiguous columns, 3x faster)
        xw = np.asfortranarray(data.linear_predictor(W[:, cols], 0.0))
        gap, self.loss, self.U = duality_gap(data, W, self.b, l1_reg, l2_reg, self.positive, xw=xw,
                                             correlation=True)
        objective = self.loss + penalty_value(W, l1_reg, l2_reg, factor)
        history = []  # the sweeps' iterates W (fitted classes), for Anderson extrapolation
        previous = None  # the support after the previous sweep
        # each class's working set (glmnet's): its support, the strong rule's features at the warm start,
        # and, before every sweep, the features that violate optimality (all of them without an L1 part)
        sets = options.working_set and l1_reg > 0
        if sets:
            threshold = l1_reg if self.previous_l1 is None else 2 * l1_reg - self.previous_l1
            working = self._violators(self.U, threshold)
        self.previous_l1 = l1_reg
        for _ in range(self.max_newton):
            if gap <= tol_gap:
                break
            target = INNER_FRACTION * min(tol_gap, gap) / cols.size
            moved = False
            eta = xw + self.b
            _, p = self._evaluate(eta)
            if sets:
                working |= (W[:, cols] != 0) | self._violators(self.U, l1_reg)
            # the sweep's cost in multiply-adds: each class's design (and its Gram matrix when n is the
            # larger) on its working set, and the gap's pass over X
            sizes = working.sum(axis=0) if sets else np.full(cols.size, W.shape[0])
            sweep_cost = float(n * np.sum(sizes * np.minimum(sizes, n)) + n * W.shape[0] * cols.size)
            for i, k in enumerate(cols):
                if sets:
                    features = np.flatnonzero(working[:, i])
                    if features.size == 0:
                        continue
                    features = None if features.size == working.shape[0] else features
                else:
                    features = None
                q = np.clip(p[:, i], P_MIN, 1.0 - P_MIN)
                weight = q * (1.0 - q)
                v = s * weight / n
                z = eta[:, i] + (Y[:, i] - p[:, i]) / weight
                w_k = np.ascontiguousarray(W[:, k])
                w_new, b_new, it, name = newton_subproblem(self.class_data[i], self.plan, options, z, v, w_k,
                                                           l1_reg, l2_reg, self.positive, target, cols=features,
                                                           eta=eta[:, i], b=float(self.b[i]))
                self.name = "irls-multinomial+" + (name[len("irls+"):] if name.startswith("irls+") else name)
                epochs += int(it)
                dw = w_new - w_k
                db = b_new - self.b[i] if data.fit_intercept else 0.0
                if not np.any(dw) and db == 0:
                    continue
                moved_j = np.flatnonzero(dw)  # (a working set's few columns)
                xdw = np.asarray(data.X[:, moved_j] @ dw[moved_j], dtype=np.float64).reshape(-1)
                rest = penalty_value(W, l1_reg, l2_reg, factor) - penalty_value(w_k[:, None], l1_reg, l2_reg, factor)
                step = 1.0
                for _ in range(40):  # damped step: halve until P does not increase
                    trial_eta = eta.copy(order="F")
                    trial_eta[:, i] += step * (xdw + db)
                    trial_loss, trial_p = self._evaluate(trial_eta)
                    trial = trial_loss + rest + penalty_value((w_k + step * dw)[:, None], l1_reg, l2_reg, factor)
                    if trial <= objective + 1e-15 * abs(objective):
                        break
                    step *= 0.5
                else:
                    continue  # no decrease for this class
                W[:, k] = w_k + step * dw
                xw[:, i] += step * xdw
                self.b[i] += step * db
                eta, p = trial_eta, trial_p
                self.loss, objective = trial_loss, trial
                moved = True
            if (l1_reg > 0 or l2_reg > 0) and cols.size > 1:
                shift = optimal_shift(W[:, cols], l1_reg, l2_reg, self.positive)
                shift[~np.isfinite(shift)] = 0.0
                if np.any(shift):
                    W[:, cols] -= shift[:, None]
                    xw -= data.linear_predictor(shift[:, None], 0.0)
            if data.fit_intercept:
                self.b = self._optimal_intercepts(xw, self.b)
            gap, self.loss, self.U = duality_gap(data, W, self.b, l1_reg, l2_reg, self.positive, xw=xw,
                                                 correlation=True)
            objective = self.loss + penalty_value(W, l1_reg, l2_reg, factor)
            if options.anderson:
                history.append(W[:, cols].copy())
                if len(history) > options.anderson:
                    xw, gap, objective = self._extrapolate(history, W, xw, gap, objective, l1_reg, l2_reg)
                    history = history[-1:]
            support = W[:, cols] != 0
            if options.newton and gap > tol_gap and previous is not None and np.array_equal(support, previous):
                xw, gap, objective = self._support_newton(W, xw, gap, objective, l1_reg, l2_reg, sweep_cost)
            previous = support
            if not moved:
                break  # no decrease along any class's Newton direction: the gap says how far we are
        return gap, epochs, 0 if gap <= tol_gap else 1

"""An independent NumPy reference for penalized binary logistic regression (no fastreg inside).

The problem, for each alpha (``n`` rows, weights ``s`` normalized to sum to ``n``, labels y in {0, 1})::

    P(w, b) = 1/n sum_i s_i [log(1 + exp(eta_i)) - y_i eta_i]
              + alpha (l1_ratio sum_j v_j |w_j| + (1 - l1_ratio)/2 sum_j v_j w_j^2),   eta = X w + b

v: glmnet's penalty factors, rescaled to sum to n_features (an excluded feature, factor inf, counts as 1
and is held at 0). ``standardize=True`` penalizes the coefficients of the columns scaled to unit weighted
standard deviation (about the weighted mean with an intercept, about 0 without), so on the original scale
feature j's L1 weight is alpha l1_ratio v_j sd_j and its L2 weight alpha (1 - l1_ratio) v_j sd_j^2.
``positive=True`` adds w >= 0. b is unpenalized (0 when fit_intercept=False).

What is here:

- `solve`: accelerated proximal gradient (FISTA with backtracking and adaptive restart) on a centered,
  column-scaled reparametrization, finished by Newton steps on the identified support (signs fixed) and
  accepted only when the minimal-norm subgradient (every coordinate and the intercept) is <= gtol
  (1e-10 by default) -- or, failing that, when FISTA's prox-gradient mapping is.
- `objective`, `null_objective`, `alpha_max`.
- `duality_gap`: a Fenchel dual certificate, P(w, b) - P* <= gap. Dual point theta = s (y - p) / n with
  p = sigmoid(eta + delta) (delta: the intercept shift that makes sum theta = 0, needed with an
  intercept), scaled by the best t in [0, t_max] (t_max keeps |x_j^T theta| <= the L1 weight when a
  feature has no L2 part). Dual: D(t theta) = -1/n sum_i s_i H(y_i - t (y_i - p_i)) - sum_j g_j^*(t x_j^T theta),
  H(q) = q log q + (1 - q) log(1 - q), g_j^*(z) = (|z| - a_j)_+^2 / (2 c_j) (the indicator of |z| <= a_j
  when c_j = 0; z_+ instead of |z| when positive).
- `kkt_violation` and `kkt_allowance`: per-coordinate violation of the optimality conditions and the
  largest violation a point with gap G can have. Along coordinate j, the smooth part has curvature at
  most L_j = 1/(4n) sum_i s_i x_ij^2 + c_j (sigmoid' <= 1/4); so if the one-sided derivative phi'(0) of
  t -> P(w + t e_j) has |phi'(0)| = g, some step decreases P by min(g^2 / (2 L_j), g |w_j| / 2)
  (the second when the step toward 0 would cross it), hence g <= max(sqrt(2 L_j G), 2 G / |w_j|)
  (sqrt(2 L_j G) at w_j = 0; sqrt(G / 2) for the intercept).
- `bregman`: the Bregman divergence of the smooth part between two points (a metric of closeness of
  coefficients: for any w, B(w, w_ref) <= P(w) - P(w_ref) + kkt(w_ref) . |w - w_ref|).
"""
import numpy as np

__all__ = ["LogisticProblem", "alpha_max", "bregman", "duality_gap", "kkt_allowance", "kkt_violation",
           "null_objective", "objective", "solve", "to_binary"]


# ----------------------------------------------------------------------------- scalar functions

def _sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _log_loss(eta, y):
    """log(1 + exp(eta)) - y eta for y in {0, 1}, without cancellation."""
    return np.logaddexp(0.0, np.where(y > 0.5, -eta, eta))


def to_binary(y):
    """(y01 float64, classes): the sorted unique labels, the second one the positive class."""
    y = np.asarray(y)
    classes = np.unique(y)
    if len(classes) != 2:
        raise ValueError(f"the reference needs exactly two classes, got {len(classes)}")
    return (y == classes[1]).astype(np.float64), classes


def _dense(X):
    if hasattr(X, "toarray"):
        X = X.toarray()
    return np.asarray(X, dtype=np.float64)


# ----------------------------------------------------------------------------- the problem

class LogisticProblem:
    """The data and penalty of P in float64, on the original scale: per-feature L1 weights a_j and L2
    weights c_j (alpha, l1_ratio, penalty factors and standardization folded in), excluded features."""

    def __init__(self, X, y, alpha, l1_ratio=1.0, *, sample_weight=None, penalty_factor=None,
                 fit_intercept=True, positive=False, standardize=False):
        self.X = _dense(X)
        n, p = self.X.shape
        self.y, self.classes = to_binary(y)
        if sample_weight is None:
            self.s = np.ones(n)
        else:
            s = np.asarray(sample_weight, dtype=np.float64)
            self.s = s * (n / s.sum())
        self.n, self.p = n, p
        self.alpha, self.l1_ratio = float(alpha), float(l1_ratio)
        self.fit_intercept, self.positive = bool(fit_intercept), bool(positive)
        if penalty_factor is None:
            v = np.ones(p)
            excluded = np.zeros(p, dtype=bool)
        else:
            v = np.asarray(penalty_factor, dtype=np.float64) * np.ones(p)
            excluded = np.isinf(v)
            v = np.where(excluded, 1.0, v)
            v = v * (p / v.sum())
        self.excluded = excluded
        self.v = v
        if standardize:
            mean = self.s @ self.X / n if fit_intercept else np.zeros(p)
            sd = np.sqrt(self.s @ (self.X - mean) ** 2 / n)
            self.sd = np.where(sd > 0, sd, 1.0)
        else:
            self.sd = np.ones(p)
        self.a = self.alpha * self.l1_ratio * v * self.sd
        self.c = self.alpha * (1.0 - self.l1_ratio) * v * self.sd ** 2

    # -- values
    def eta(self, w, b):
        return self.X @ w + (b if self.fit_intercept else 0.0)

    def loss(self, w, b):
        return float(self.s @ _log_loss(self.eta(w, b), self.y)) / self.n

    def penalty(self, w):
        return float(self.a @ np.abs(w) + 0.5 * self.c @ (w * w))

    def feasible(self, w):
        return not ((self.positive and (w < 0).any()) or (w[self.excluded] != 0).any())

    def objective(self, w, b):
        w = np.asarray(w, dtype=np.float64)
        if not self.feasible(w):
            return np.inf
        return self.loss(w, b) + self.penalty(w)

    def loss_gradient(self, w, b):
        """(d loss / d w, d loss / d b) of the mean weighted log-loss (no penalty)."""
        r = self.s * (_sigmoid(self.eta(w, b)) - self.y) / self.n
        return self.X.T @ r, float(r.sum())

    def curvature_bounds(self):
        """L_j = 1/(4n) sum_i s_i x_ij^2 + c_j (coordinate-wise curvature bounds) and L_b = 1/4."""
        return (self.s @ self.X ** 2) / (4 * self.n) + self.c, 0.25


def objective(X, y, w, b, alpha, l1_ratio, sample_weight=None, penalty_factor=None, *, fit_intercept=True,
              positive=False, standardize=False):
    """P(w, b) in float64 (inf when w breaks positive or an exclusion). b is ignored without intercept."""
    prob = LogisticProblem(X, y, alpha, l1_ratio, sample_weight=sample_weight, penalty_factor=penalty_factor,
                           fit_intercept=fit_intercept, positive=positive, standardize=standardize)
    return prob.objective(np.asarray(w, dtype=np.float64).ravel(), float(b))


def null_objective(y, sample_weight=None, fit_intercept=True):
    """The intercept-only model's mean log-loss: the weighted binary entropy of y, log 2 without intercept."""
    if not fit_intercept:
        return float(np.log(2.0))
    y01, _ = to_binary(y)
    s = np.ones(len(y01)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    pbar = float(s @ y01 / s.sum())
    return float(-(pbar * np.log(pbar) + (1 - pbar) * np.log1p(-pbar)))


def _null_intercept(prob):
    if not prob.fit_intercept:
        return 0.0
    pbar = float(prob.s @ prob.y / prob.n)
    return float(np.log(pbar) - np.log1p(-pbar))


def alpha_max(X, y, l1_ratio=1.0, sample_weight=None, penalty_factor=None, *, fit_intercept=True,
              positive=False, standardize=False):
    """The smallest alpha with w* = 0: max_j |x_j^T s (y - pbar)| / (n l1_ratio v_j sd_j) over kept features
    (the positive part instead of |.| when positive), pbar the weighted mean of y (1/2 without intercept)."""
    prob = LogisticProblem(X, y, 1.0, l1_ratio, sample_weight=sample_weight, penalty_factor=penalty_factor,
                           fit_intercept=fit_intercept, positive=positive, standardize=standardize)
    w0 = np.zeros(prob.p)
    g, _ = prob.loss_gradient(w0, _null_intercept(prob))
    score = -g if positive else np.abs(g)
    score = np.where(prob.excluded, 0.0, score) / prob.a
    return max(float(score.max()), 0.0)


# ----------------------------------------------------------------------------- certificates

def kkt_violation(X, y, w, b, alpha, l1_ratio, sample_weight=None, penalty_factor=None, *, fit_intercept=True,
                  positive=False, standardize=False, problem=None):
    """(viol, viol_b): per feature, the distance of -grad_j(loss + ridge) to the subdifferential of the
    L1 part (and constraints) at w_j; for the intercept, |d loss / d b| (0 without intercept).
    inf where w breaks positivity or an exclusion."""
    prob = problem or LogisticProblem(X, y, alpha, l1_ratio, sample_weight=sample_weight,
                                      penalty_factor=penalty_factor, fit_intercept=fit_intercept,
                                      positive=positive, standardize=standardize)
    w = np.asarray(w, dtype=np.float64).ravel()
    g, gb = prob.loss_gradient(w, b)
    g = g + prob.c * w
    zero = w == 0
    if prob.positive:
        at_zero = np.maximum(-g - prob.a, 0.0)
    else:
        at_zero = np.maximum(np.abs(g) - prob.a, 0.0)
    off_zero = np.abs(g + prob.a * np.sign(w))
    viol = np.where(zero, at_zero, off_zero)
    viol = np.where(prob.excluded, np.where(zero, 0.0, np.inf), viol)
    if prob.positive:
        viol = np.where(w < 0, np.inf, viol)
    return viol, (abs(gb) if prob.fit_intercept else 0.0)


def kkt_allowance(X, y, w, gap, alpha, l1_ratio, sample_weight=None, penalty_factor=None, *, fit_intercept=True,
                  standardize=False, problem=None):
    """(allowed, allowed_b): the largest KKT violations a point whose gap is `gap` can show (see the module
    docstring): max(sqrt(2 L_j G), 2 G / |w_j|), sqrt(2 L_j G) at w_j = 0, sqrt(G / 2) for the intercept."""
    problem = problem or LogisticProblem(X, y, alpha, l1_ratio, sample_weight=sample_weight,
                                         penalty_factor=penalty_factor, fit_intercept=fit_intercept,
                                         standardize=standardize)
    w = np.asarray(w, dtype=np.float64).ravel()
    G = max(float(gap), 0.0)
    L, Lb = problem.curvature_bounds()
    allowed = np.sqrt(2 * L * G)
    with np.errstate(divide="ignore"):
        allowed = np.where(w != 0, np.maximum(allowed, 2 * G / np.abs(w)), allowed)
    return allowed, np.sqrt(2 * Lb * G)


def _intercept_shift(eta, y, s):
    """delta with sum_i s_i (y_i - sigmoid(eta_i + delta)) = 0 (bisection to the last bit)."""
    target = float(s @ y)
    if not (0 < target < s.sum()):
        raise ValueError("both classes need positive weight")

    def excess(d):
        return float(s @ _sigmoid(eta + d)) - target

    lo, hi = -1.0, 1.0
    while excess(lo) > 0:
        lo *= 2
    while excess(hi) < 0:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if excess(mid) > 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def _neg_entropy_factory(y, eta):
    """t -> H(q_i(t)) for q_i = y_i - t (y_i - sigmoid(eta_i)), each term computed without cancellation:
    the side of q_i near 0 is t sigmoid(m_i) (m = -eta where y = 1, eta where y = 0), the other side
    (1 - t) + t sigmoid(-m_i)."""
    m = np.where(y > 0.5, -eta, eta)
    sig_m, sig_neg = _sigmoid(m), _sigmoid(-m)
    log_sig_m = -np.logaddexp(0.0, -m)

    def terms(t):
        if t <= 0:
            return np.zeros_like(m)
        small = t * sig_m
        big = (1.0 - t) + t * sig_neg
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(small > 0, small * (np.log(t) + log_sig_m), 0.0) + big * np.log(big)
        return out

    return terms


def duality_gap(X, y, w, b, alpha, l1_ratio, sample_weight=None, penalty_factor=None, *, fit_intercept=True,
                positive=False, standardize=False, problem=None, return_dual=False):
    """A certified bound on P(w, b) - P* (float64; see the module docstring). inf when (w, b) is infeasible
    or a kept feature has no penalty at all (factor 0: this dual cannot certify it)."""
    prob = problem or LogisticProblem(X, y, alpha, l1_ratio, sample_weight=sample_weight,
                                      penalty_factor=penalty_factor, fit_intercept=fit_intercept,
                                      positive=positive, standardize=standardize)
    w = np.asarray(w, dtype=np.float64).ravel()
    primal = prob.objective(w, b)
    kept = ~prob.excluded
    if not np.isfinite(primal) or ((prob.a[kept] == 0) & (prob.c[kept] == 0)).any():
        return (np.inf, -np.inf) if return_dual else np.inf
    eta = prob.eta(w, b)
    if prob.fit_intercept:
        eta = eta + _intercept_shift(eta, prob.y, prob.s)
    theta = prob.s * (prob.y - _sigmoid(eta)) / prob.n
    z = (prob.X.T @ theta)[kept]
    a, c = prob.a[kept], prob.c[kept]
    zz = np.maximum(z, 0.0) if prob.positive else np.abs(z)
    hard = c == 0
    with np.errstate(divide="ignore"):
        t_max = float(np.min(np.where(zz[hard] > 0, a[hard] / zz[hard], np.inf), initial=np.inf))
    t_max = min(t_max, 1.0)
    soft = ~hard

    entropy = _neg_entropy_factory(prob.y, eta)

    def dual(t):
        ent = float(prob.s @ entropy(t)) / prob.n
        excess = np.maximum(t * zz[soft] - a[soft], 0.0)
        return -ent - float(np.sum(excess ** 2 / (2 * c[soft])))

    # D is concave in t: golden-section search on [0, t_max], and t_max itself
    lo, hi = 0.0, t_max
    phi = (np.sqrt(5.0) - 1) / 2
    x1, x2 = hi - phi * (hi - lo), lo + phi * (hi - lo)
    f1, f2 = dual(x1), dual(x2)
    for _ in range(60):
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + phi * (hi - lo)
            f2 = dual(x2)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - phi * (hi - lo)
            f1 = dual(x1)
    best = max(f1, f2, dual(t_max), dual(0.0))
    gap = primal - best
    return (gap, best) if return_dual else gap


def bregman(X, y, w, b, w_ref, b_ref, alpha, l1_ratio, sample_weight=None, penalty_factor=None, *,
            fit_intercept=True, standardize=False, problem=None):
    """f(w, b) - f(w_ref, b_ref) - grad f(w_ref, b_ref) . (w - w_ref, b - b_ref), f = loss + ridge part,
    summed per row without cancellation (>= 0; quadratic in the difference near w_ref)."""
    prob = problem or LogisticProblem(X, y, alpha, l1_ratio, sample_weight=sample_weight,
                                      penalty_factor=penalty_factor, fit_intercept=fit_intercept,
                                      standardize=standardize)
    w = np.asarray(w, dtype=np.float64).ravel()
    w_ref = np.asarray(w_ref, dtype=np.float64).ravel()
    e1, e0 = prob.eta(w, b), prob.eta(w_ref, b_ref)
    d = e1 - e0
    # h(e1) - h(e0) - sigmoid(e0) d, h = log(1 + exp): the y-terms are linear and cancel
    per_row = np.logaddexp(0.0, e1) - np.logaddexp(0.0, e0) - _sigmoid(e0) * d
    dw = w - w_ref
    return float(prob.s @ np.maximum(per_row, 0.0)) / prob.n + 0.5 * float(prob.c @ (dw * dw))


# ----------------------------------------------------------------------------- the solver

class _Internal:
    """The problem on centered (with intercept), column-scaled, kept columns: Z = (X - m) / d, u = w d,
    beta = b + m^T w. Same minimizer, better conditioned for first-order steps."""

    def __init__(self, prob):
        self.prob = prob
        kept = ~prob.excluded
        self.kept = kept
        X = prob.X[:, kept]
        self.m = prob.s @ X / prob.n if prob.fit_intercept else np.zeros(X.shape[1])
        Xc = X - self.m
        d = np.sqrt(prob.s @ Xc ** 2 / prob.n)
        self.d = np.where(d > 0, d, 1.0)
        self.Z = Xc / self.d
        self.A = prob.a[kept] / self.d
        self.C = prob.c[kept] / self.d ** 2
        self.y, self.s, self.n = prob.y, prob.s, prob.n
        self.intercept = prob.fit_intercept
        self.positive = prob.positive

    def to_user(self, u, beta):
        w = np.zeros(self.prob.p)
        w[self.kept] = u / self.d
        b = (beta - self.m @ w[self.kept]) if self.intercept else 0.0
        return w, b

    def from_user(self, w, b):
        wk = np.asarray(w, dtype=np.float64)[self.kept]
        beta = (b + self.m @ wk) if self.intercept else 0.0
        return wk * self.d, beta

    def smooth(self, u, beta):
        eta = self.Z @ u + beta
        return float(self.s @ _log_loss(eta, self.y)) / self.n + 0.5 * float(self.C @ (u * u))

    def grad(self, u, beta):
        eta = self.Z @ u + beta
        r = self.s * (_sigmoid(eta) - self.y) / self.n
        gb = float(r.sum()) if self.intercept else 0.0
        return self.Z.T @ r + self.C * u, gb

    def nonsmooth(self, u):
        return float(self.A @ np.abs(u))

    def prox(self, u, step):
        if self.positive:
            return np.maximum(u - step * self.A, 0.0)
        return np.sign(u) * np.maximum(np.abs(u) - step * self.A, 0.0)

    def kkt(self, u, beta):
        g, gb = self.grad(u, beta)
        zero = u == 0
        if self.positive:
            at_zero = np.maximum(-g - self.A, 0.0)
        else:
            at_zero = np.maximum(np.abs(g) - self.A, 0.0)
        viol = np.where(zero, at_zero, np.abs(g + self.A * np.sign(u)))
        if self.positive:
            viol = np.where(u < 0, np.inf, viol)
        return max(float(viol.max(initial=0.0)), abs(gb))

    def newton_polish(self, u, beta, max_steps=50):
        """Newton's method on the support of u with its signs fixed; None when the signs do not hold."""
        S = np.flatnonzero(u)
        sign = np.sign(u[S])
        ZS = self.Z[:, S]
        k = len(S)

        def value(uS, bb):
            eta = ZS @ uS + bb
            return (float(self.s @ _log_loss(eta, self.y)) / self.n + 0.5 * float(self.C[S] @ (uS * uS))
                    + float(self.A[S] @ (sign * uS)))

        def derivatives(uS, bb):
            eta = ZS @ uS + bb
            sig = _sigmoid(eta)
            r = self.s * (sig - self.y) / self.n
            wgt = self.s * sig * (1 - sig) / self.n
            grad = np.concatenate([ZS.T @ r + self.C[S] * uS + self.A[S] * sign, [r.sum()]])
            H = np.empty((k + 1, k + 1))
            H[:k, :k] = (ZS.T * wgt) @ ZS + np.diag(self.C[S])
            H[:k, k] = H[k, :k] = ZS.T @ wgt
            H[k, k] = wgt.sum()
            if not self.intercept:
                grad, H = grad[:k], H[:k, :k]
            return grad, H

        uS, bb = u[S].copy(), beta
        f = value(uS, bb)
        grad, H = derivatives(uS, bb)
        for _ in range(max_steps):
            gnorm = np.abs(grad).max(initial=0.0)
            if gnorm < 1e-16:
                break
            try:
                step = -np.linalg.solve(H, grad)
            except np.linalg.LinAlgError:
                step = -np.linalg.lstsq(H, grad, rcond=None)[0]
            t = 1.0
            while t >= 1e-12:
                new_u = uS + t * step[:k]
                new_b = bb + (t * step[k] if self.intercept else 0.0)
                f_new = value(new_u, new_b)
                if f_new <= f + 1e-4 * t * float(grad @ step):
                    break
                if t == 1.0 and f_new - f <= 1e-15 * abs(f):
                    # below the objective's rounding: accept the full step if it shrinks the gradient
                    g_new, _ = derivatives(new_u, new_b)
                    if np.abs(g_new).max(initial=0.0) < 0.5 * gnorm:
                        break
                t *= 0.5
            if t < 1e-12:
                break
            uS, bb, f = new_u, new_b, f_new
            grad, H = derivatives(uS, bb)
        if (np.sign(uS) != sign).any():
            return None
        out = np.zeros_like(u)
        out[S] = uS
        return out, bb

    def composite(self, u, beta):
        return self.smooth(u, beta) + self.nonsmooth(u)


def solve(X, y, alpha, l1_ratio=1.0, *, sample_weight=None, penalty_factor=None, fit_intercept=True,
          positive=False, standardize=False, w0=None, b0=None, gtol=1e-10, max_iter=200_000,
          return_info=False):
    """Minimize P (float64). Returns (w, b) on the original scale, and an info dict with
    return_info=True (n_iter, kkt: the minimal-norm subgradient in the internal scale, gap: `duality_gap`,
    objective, polished: whether the Newton finish was accepted)."""
    prob = LogisticProblem(X, y, alpha, l1_ratio, sample_weight=sample_weight, penalty_factor=penalty_factor,
                           fit_intercept=fit_intercept, positive=positive, standardize=standardize)
    it = _Internal(prob)
    p = it.Z.shape[1]
    if w0 is None:
        u, beta = np.zeros(p), _null_intercept(prob)
    else:
        u, beta = it.from_user(w0, 0.0 if b0 is None else b0)
        if positive:
            u = np.maximum(u, 0.0)
    L = 0.25 * max(1.0, float(np.linalg.norm(it.Z, 2) ** 2) / it.n) + float(it.C.max(initial=0.0))
    x_u, x_b = u, beta
    y_u, y_b = u.copy(), beta
    t = 1.0
    f_x = it.composite(x_u, x_b)
    polished = False
    n_iter = 0
    last_polish = -1
    best = None
    for n_iter in range(1, max_iter + 1):
        f_y = it.smooth(y_u, y_b)
        g_u, g_b = it.grad(y_u, y_b)
        while True:
            n_u = it.prox(y_u - g_u / L, 1.0 / L)
            n_b = y_b - g_b / L
            du, db = n_u - y_u, n_b - y_b
            quad = f_y + float(g_u @ du) + g_b * db + 0.5 * L * (float(du @ du) + db * db)
            if it.smooth(n_u, n_b) <= quad + 1e-15 * abs(f_y):
                break
            L *= 2.0
        mapping = L * np.sqrt(float(du @ du) + db * db)
        f_new = it.composite(n_u, n_b)
        if f_new <= f_x:
            t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
            mom = (t - 1) / t_new
            y_u = n_u + mom * (n_u - x_u)
            y_b = n_b + mom * (n_b - x_b)
            x_u, x_b, f_x, t = n_u, n_b, f_new, t_new
        else:  # adaptive restart (the objective went up): momentum from x again
            t = 1.0
            y_u, y_b = x_u.copy(), x_b
        L *= 0.95
        if mapping <= 1e-6 and n_iter - last_polish >= 20:
            last_polish = n_iter
            pol = it.newton_polish(x_u, x_b)
            if pol is not None and it.composite(*pol) <= f_x + 1e-14:
                k = it.kkt(*pol)
                if k <= gtol:
                    x_u, x_b = pol
                    polished = True
                    break
                if best is None or k < best[0]:
                    best = (k, pol)
        if mapping <= gtol:
            break
    if not polished and best is not None and best[0] <= it.kkt(x_u, x_b):
        x_u, x_b = best[1]
    w, b = it.to_user(x_u, x_b)
    if not return_info:
        return w, b
    info = dict(n_iter=n_iter, kkt=it.kkt(x_u, x_b), polished=polished, objective=prob.objective(w, b),
                gap=duality_gap(None, None, w, b, alpha, l1_ratio, problem=prob))
    return w, b, info


# ============================================================================= the multinomial family
#
# P(W, b) = 1/n sum_i s_i [logsumexp_k(eta_ik) - eta_{i, y_i}] + sum_k sum_j (a_j |W_kj| + c_j / 2 W_kj^2),
# eta = X W^T + b, W of shape (K, p), b of shape (K,) (the symmetric parametrization, scikit-learn's and
# glmnet's), a_j and c_j as for the binomial problem above. A class without (weighted) rows has, with an
# intercept, no minimizer: the infimum is its limit b_k -> -inf, W_k = 0 (the other classes' problem),
# which is what `solve_multinomial` returns (b_k = -inf) and what the certificate bounds.
#
# - `solve_multinomial`: FISTA (backtracking, adaptive restart) on the centered, column-scaled problem,
#   finished by Newton steps on the identified support with its signs fixed (least-squares steps: the
#   Hessian is singular along the intercepts' common shift), accepted when the minimal-norm
#   subgradient is <= gtol.
# - `multinomial_duality_gap`: a Fenchel dual certificate built differently from fastreg's: the dual
#   rows t_i = softmax(eta_i + delta) with delta the exact intercept correction (Newton on the
#   intercepts for fixed X W^T, so that sum_i s_i (Y_i - t_i) = 0), then the best point of the segment
#   t(tau) = Y - tau (Y - t), tau in [0, tau_max] (tau_max keeps |x_j^T theta_k| <= a_j where c_j = 0),
#   by golden-section search; the entropy of each t_i(tau) without cancellation (the label's entry is
#   1 - tau sum_{k != y} t_ik).
# - `multinomial_kkt_violation`, `multinomial_kkt_allowance` (the binomial rule: along W_kj the loss'
#   curvature is at most 1/(4n) sum_i s_i x_ij^2, along b_k at most 1/4), `multinomial_bregman`.


def _lse_minus_label(eta, codes):
    """logsumexp(eta_i) - eta_{i, codes_i}, per row, without cancellation when the label's entry dominates."""
    rows = np.arange(eta.shape[0])
    d = eta - eta[rows, codes][:, None]
    top = d.max(axis=1)
    others = d.copy()
    others[rows, codes] = -np.inf
    dominated = top <= 0
    out = np.empty(eta.shape[0])
    # the label is the largest entry: log(1 + sum over the others of exp(d_k))
    out[dominated] = np.log1p(np.exp(others[dominated]).sum(axis=1))
    big = ~dominated
    out[big] = top[big] + np.log(np.exp(d[big] - top[big, None]).sum(axis=1))
    return out


def _softmax_rows(eta):
    m = eta.max(axis=1, keepdims=True)
    e = np.exp(eta - m)
    return e / e.sum(axis=1, keepdims=True)


class MultinomialProblem:
    """The data and penalty of the multinomial P in float64 on the original scale (see above)."""

    def __init__(self, X, y, alpha, l1_ratio=1.0, *, sample_weight=None, penalty_factor=None, fit_intercept=True,
                 positive=False, standardize=False, classes=None):
        self.X = _dense(X)
        n, p = self.X.shape
        y = np.asarray(y)
        self.classes = np.unique(y) if classes is None else np.asarray(classes)
        self.codes = np.searchsorted(self.classes, y)
        assert (self.classes[self.codes] == y).all()
        K = self.K = len(self.classes)
        self.Y = np.zeros((n, K))
        self.Y[np.arange(n), self.codes] = 1.0
        if sample_weight is None:
            self.s = np.ones(n)
        else:
            s = np.asarray(sample_weight, dtype=np.float64)
            self.s = s * (n / s.sum())
        self.n, self.p = n, p
        self.alpha, self.l1_ratio = float(alpha), float(l1_ratio)
        self.fit_intercept, self.positive = bool(fit_intercept), bool(positive)
        if penalty_factor is None:
            v = np.ones(p)
            excluded = np.zeros(p, dtype=bool)
        else:
            v = np.asarray(penalty_factor, dtype=np.float64) * np.ones(p)
            excluded = np.isinf(v)
            v = np.where(excluded, 1.0, v)
            v = v * (p / v.sum())
        self.excluded, self.v = excluded, v
        if standardize:
            mean = self.s @ self.X / n if fit_intercept else np.zeros(p)
            sd = np.sqrt(self.s @ (self.X - mean) ** 2 / n)
            self.sd = np.where(sd > 0, sd, 1.0)
        else:
            self.sd = np.ones(p)
        self.a = self.alpha * self.l1_ratio * v * self.sd
        self.c = self.alpha * (1.0 - self.l1_ratio) * v * self.sd ** 2
        counts = self.s @ self.Y
        # the classes the problem fits: with an intercept those with weight (the others' limit is b = -inf)
        self.fitted = counts > 0 if fit_intercept else np.ones(K, dtype=bool)
        self.rows = self.s > 0

    def eta(self, W, b):
        b = np.asarray(b, dtype=np.float64) if self.fit_intercept else np.zeros(self.K)
        return self.X @ np.asarray(W, dtype=np.float64).T + b

    def loss(self, W, b):
        eta = self.eta(W, b)[self.rows][:, self.fitted]
        position = np.cumsum(self.fitted) - 1
        return float(self.s[self.rows] @ _lse_minus_label(eta, position[self.codes[self.rows]])) / self.n

    def penalty(self, W):
        W = np.asarray(W, dtype=np.float64)
        return float(np.sum(self.a * np.abs(W)) + 0.5 * np.sum(self.c * W * W))

    def feasible(self, W):
        W = np.asarray(W, dtype=np.float64)
        return not ((self.positive and (W < 0).any()) or (W[:, self.excluded] != 0).any()
                    or (W[~self.fitted] != 0).any())

    def objective(self, W, b):
        if not self.feasible(W):
            return np.inf
        return self.loss(W, b) + self.penalty(W)

    def probabilities(self, W, b):
        eta = self.eta(W, b)
        P = np.zeros_like(eta)
        P[:, self.fitted] = _softmax_rows(eta[:, self.fitted])
        return P

    def loss_gradient(self, W, b):
        """(d loss / d W of shape (K, p), d loss / d b of shape (K,)), zero for unfitted classes."""
        R = self.s[:, None] * (self.probabilities(W, b) - self.Y) / self.n
        R[:, ~self.fitted] = 0.0
        return R.T @ self.X, R.sum(axis=0)

    def curvature_bounds(self):
        return (self.s @ self.X ** 2) / (4 * self.n) + self.c, 0.25


def multinomial_objective(X, y, W, b, alpha, l1_ratio, **kw):
    return MultinomialProblem(X, y, alpha, l1_ratio, **kw).objective(W, b)


def multinomial_null_objective(y, sample_weight=None, fit_intercept=True, n_classes=None):
    """The intercept-only model's mean log-loss: the entropy of the weighted class proportions, log K without
    intercept."""
    classes = np.unique(y)
    K = len(classes) if n_classes is None else n_classes
    if not fit_intercept:
        return float(np.log(K))
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    pi = np.array([s[np.asarray(y) == c].sum() for c in classes]) / s.sum()
    pi = pi[pi > 0]
    return float(-(pi * np.log(pi)).sum())


def multinomial_alpha_max(X, y, l1_ratio=1.0, **kw):
    """max_kj |x_j^T s (Y_k - pi_k)| / (n l1_ratio v_j sd_j) over kept features (pi: the weighted class
    proportions with an intercept, 1/K without; the positive part with positive=True)."""
    prob = MultinomialProblem(X, y, 1.0, l1_ratio, **kw)
    pi = (prob.s @ prob.Y) / prob.n if prob.fit_intercept else np.full(prob.K, 1.0 / prob.K)
    G = ((prob.s[:, None] * (pi - prob.Y)).T @ prob.X) / prob.n   # the gradient at W = 0
    score = np.maximum(-G, 0.0) if prob.positive else np.abs(G)
    score = np.where(prob.excluded, 0.0, score) / prob.a
    return max(float(score.max()), 0.0)


def multinomial_kkt_violation(W, b, problem):
    """(viol of shape (K, p), viol_b of shape (K,)): as `kkt_violation`, per class (0 for unfitted classes'
    intercepts; inf where W breaks a constraint or an unfitted class has a coefficient)."""
    prob = problem
    W = np.asarray(W, dtype=np.float64)
    G, gb = prob.loss_gradient(W, b)
    G = G + prob.c * W
    zero = W == 0
    at_zero = np.maximum(-G - prob.a, 0.0) if prob.positive else np.maximum(np.abs(G) - prob.a, 0.0)
    viol = np.where(zero, at_zero, np.abs(G + prob.a * np.sign(W)))
    viol = np.where(prob.excluded, np.where(zero, 0.0, np.inf), viol)
    viol = np.where(prob.fitted[:, None], viol, np.where(zero, 0.0, np.inf))
    if prob.positive:
        viol = np.where(W < 0, np.inf, viol)
    return viol, (np.abs(gb) if prob.fit_intercept else np.zeros(prob.K))


def multinomial_kkt_allowance(W, gap, problem):
    """The largest KKT violations a point with gap G can show (the binomial rule, per class)."""
    W = np.asarray(W, dtype=np.float64)
    G = max(float(gap), 0.0)
    L, Lb = problem.curvature_bounds()
    allowed = np.broadcast_to(np.sqrt(2 * L * G), W.shape)
    with np.errstate(divide="ignore"):
        allowed = np.where(W != 0, np.maximum(allowed, 2 * G / np.abs(W)), allowed)
    return allowed, np.sqrt(2 * Lb * G)


def _intercept_correction(eta, Y, s):
    """delta (sum 0) with sum_i s_i (Y_ik - softmax(eta_i + delta)_k) = 0 for every k (Newton, to rounding)."""
    K = Y.shape[1]
    target = s @ Y
    delta = np.log(target / s.sum()) - np.log(target / s.sum()).mean()
    for _ in range(100):
        P = _softmax_rows(eta + delta)
        g = s @ P - target
        sp = s[:, None] * P
        H = np.diag(sp.sum(axis=0)) - P.T @ sp + np.full((K, K), 1.0 / K) * sp.sum() / K
        step = np.linalg.lstsq(H, g, rcond=None)[0]
        step -= step.mean()
        t = 1.0
        f0 = float(s @ (np.log(np.exp(eta + delta - (eta + delta).max(1, keepdims=True)).sum(1))
                        + (eta + delta).max(1))) - float(target @ delta)
        while t > 1e-12:
            nd = delta - t * step
            f1 = float(s @ (np.log(np.exp(eta + nd - (eta + nd).max(1, keepdims=True)).sum(1))
                            + (eta + nd).max(1))) - float(target @ nd)
            if f1 <= f0 + 1e-15 * abs(f0):
                break
            t *= 0.5
        delta = delta - t * step
        if np.abs(t * step).max() <= 1e-15 * max(1.0, np.abs(delta).max()):
            break
    return delta


def multinomial_duality_gap(W, b, problem, return_dual=False):
    """A certified bound on P(W, b) - inf P (see the section's comment). inf when (W, b) is infeasible or a
    kept feature has no penalty."""
    prob = problem
    W = np.asarray(W, dtype=np.float64)
    primal = prob.objective(W, b)
    kept = ~prob.excluded
    if not np.isfinite(primal) or ((prob.a[kept] == 0) & (prob.c[kept] == 0)).any():
        return (np.inf, -np.inf) if return_dual else np.inf
    fit = prob.fitted
    rows = prob.rows
    s = prob.s[rows]
    Y = prob.Y[rows][:, fit]
    eta = prob.eta(W, b)[rows][:, fit]
    if prob.fit_intercept:
        eta = eta + _intercept_correction(eta, Y, s)
    T = _softmax_rows(eta)
    codes = (np.cumsum(fit) - 1)[prob.codes[rows]]
    idx = np.arange(len(s))
    # t(tau) = Y - tau (Y - T): the label's entry 1 - tau * (sum of the others), the others tau T_ik
    off = T.copy()
    off[idx, codes] = 0.0
    off_sum = off.sum(axis=1)
    theta = s[:, None] * (Y - T) / prob.n          # at tau = 1
    Z = prob.X[rows].T @ theta                      # (p, K_fitted)
    Z = Z[kept]
    a, c = prob.a[kept][:, None], prob.c[kept][:, None]
    zz = np.maximum(Z, 0.0) if prob.positive else np.abs(Z)
    hard = np.broadcast_to(c == 0, zz.shape)
    with np.errstate(divide="ignore"):
        ratios = np.where(hard & (zz > 0), np.broadcast_to(a, zz.shape) / np.where(zz > 0, zz, 1.0), np.inf)
    tau_max = min(float(ratios.min(initial=np.inf)), 1.0)
    soft = ~hard
    aa, cc = np.broadcast_to(a, zz.shape)[soft], np.broadcast_to(c, zz.shape)[soft]

    def dual(tau):
        if tau <= 0:
            ent = 0.0
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                small = tau * off
                ent_off = np.where(small > 0, small * np.log(np.where(small > 0, small, 1.0)), 0.0).sum(axis=1)
                big = -tau * off_sum
                ent_lab = (1.0 + big) * np.log1p(big)
            ent = float(s @ (ent_off + ent_lab)) / prob.n
        excess = np.maximum(tau * zz[soft] - aa, 0.0)
        return -ent - float(np.sum(excess ** 2 / (2 * cc)))

    lo, hi = 0.0, tau_max
    phi = (np.sqrt(5.0) - 1) / 2
    x1, x2 = hi - phi * (hi - lo), lo + phi * (hi - lo)
    f1, f2 = dual(x1), dual(x2)
    for _ in range(80):
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + phi * (hi - lo)
            f2 = dual(x2)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - phi * (hi - lo)
            f1 = dual(x1)
    best = max(f1, f2, dual(tau_max), dual(0.0))
    gap = primal - best
    return (gap, best) if return_dual else gap


def multinomial_bregman(W, b, W_ref, b_ref, problem):
    """f(W, b) - f(W_ref, b_ref) - <grad f(W_ref, b_ref), (W, b) - (W_ref, b_ref)>, f = loss + ridge part,
    per row lse(eta) - lse(eta_ref) - <p_ref, eta - eta_ref> >= 0 (the label terms are linear and cancel)."""
    prob = problem
    rows, fit = prob.rows, prob.fitted
    e1 = prob.eta(W, b)[rows][:, fit]
    e0 = prob.eta(W_ref, b_ref)[rows][:, fit]
    m1, m0 = e1.max(1), e0.max(1)
    lse1 = m1 + np.log(np.exp(e1 - m1[:, None]).sum(1))
    lse0 = m0 + np.log(np.exp(e0 - m0[:, None]).sum(1))
    P0 = _softmax_rows(e0)
    per_row = lse1 - lse0 - (P0 * (e1 - e0)).sum(1)
    dW = np.asarray(W, dtype=np.float64) - np.asarray(W_ref, dtype=np.float64)
    return float(prob.s[rows] @ np.maximum(per_row, 0.0)) / prob.n + 0.5 * float(np.sum(prob.c * dW * dW))


class _MultiInternal:
    """The problem of the fitted classes on centered (with intercept), column-scaled, kept columns: Z = (X - m)
    / d, U = W d, beta = b + W m. Same minimizer, better conditioned for first-order steps."""

    def __init__(self, prob):
        self.prob = prob
        kept = ~prob.excluded
        self.kept, self.fit = kept, prob.fitted
        rows = prob.rows
        X = prob.X[rows][:, kept]
        self.s = prob.s[rows]
        self.n = prob.n
        self.m = self.s @ X / prob.n if prob.fit_intercept else np.zeros(X.shape[1])
        Xc = X - self.m
        d = np.sqrt(self.s @ Xc ** 2 / prob.n)
        self.d = np.where(d > 0, d, 1.0)
        self.Z = Xc / self.d
        self.A = prob.a[kept] / self.d
        self.C = prob.c[kept] / self.d ** 2
        self.Y = prob.Y[rows][:, self.fit]
        self.codes = (np.cumsum(self.fit) - 1)[prob.codes[rows]]
        self.intercept, self.positive = prob.fit_intercept, prob.positive

    def to_user(self, U, beta):
        prob = self.prob
        W = np.zeros((prob.K, prob.p))
        W[np.ix_(self.fit, self.kept)] = U / self.d
        if not self.intercept:
            return W, np.zeros(prob.K)
        b = np.full(prob.K, -np.inf)
        bf = beta - W[self.fit][:, self.kept] @ self.m
        b[self.fit] = bf - bf.mean()
        return W, b

    def from_user(self, W, b):
        Wk = np.asarray(W, dtype=np.float64)[self.fit][:, self.kept]
        beta = (np.asarray(b, dtype=np.float64)[self.fit] + Wk @ self.m) if self.intercept else np.zeros(Wk.shape[0])
        return Wk * self.d, beta

    def eta(self, U, beta):
        return self.Z @ U.T + (beta if self.intercept else 0.0)

    def smooth(self, U, beta):
        return float(self.s @ _lse_minus_label(self.eta(U, beta), self.codes)) / self.n + 0.5 * float(np.sum(self.C * U * U))

    def grad(self, U, beta):
        R = self.s[:, None] * (_softmax_rows(self.eta(U, beta)) - self.Y) / self.n
        gb = R.sum(axis=0) if self.intercept else np.zeros(U.shape[0])
        return R.T @ self.Z + self.C * U, gb

    def prox(self, U, step):
        if self.positive:
            return np.maximum(U - step * self.A, 0.0)
        return np.sign(U) * np.maximum(np.abs(U) - step * self.A, 0.0)

    def composite(self, U, beta):
        return self.smooth(U, beta) + float(np.sum(self.A * np.abs(U)))

    def kkt(self, U, beta):
        G, gb = self.grad(U, beta)
        zero = U == 0
        at_zero = np.maximum(-G - self.A, 0.0) if self.positive else np.maximum(np.abs(G) - self.A, 0.0)
        viol = np.where(zero, at_zero, np.abs(G + self.A * np.sign(U)))
        if self.positive:
            viol = np.where(U < 0, np.inf, viol)
        return max(float(viol.max(initial=0.0)), float(np.abs(gb).max(initial=0.0)))

    def newton_polish(self, U, beta, max_steps=50):
        """Newton on the support of U with its signs fixed (least-squares steps); None if a sign flips."""
        K, p = U.shape
        S = np.flatnonzero(U.ravel())
        sign = np.sign(U.ravel()[S])
        A, C = np.tile(self.A, K)[S], np.tile(self.C, K)[S]
        Zb = np.hstack([self.Z, np.ones((self.Z.shape[0], 1))]) if self.intercept else self.Z
        q = Zb.shape[1]
        # variable index: (class k, column j of Zb); the coefficients of U's support and (with intercept) beta
        var = np.concatenate([(S // p) * q + (S % p), np.arange(K) * q + p]) if self.intercept else (S // p) * q + (S % p)
        nS = S.size

        def unpack(x):
            Uo = np.zeros(K * p)
            Uo[S] = x[:nS]
            return Uo.reshape(K, p), (x[nS:] if self.intercept else np.zeros(K))

        def value(x):
            Uo, bo = unpack(x)
            return self.smooth(Uo, bo) + float(A @ (sign * x[:nS]))

        def derivatives(x):
            Uo, bo = unpack(x)
            P = _softmax_rows(self.eta(Uo, bo))
            R = self.s[:, None] * (P - self.Y) / self.n
            g = (R.T @ Zb).ravel()[var]
            g[:nS] += C * x[:nS] + A * sign
            # H[u, v] = sum_i w_i (delta_{k_u k_v} P_{i k_u} - P_{i k_u} P_{i k_v}) z_{i j_u} z_{i j_v}
            w = self.s / self.n
            kk, jj = var // q, var % q
            M = P[:, kk] * Zb[:, jj]
            same = kk[:, None] == kk[None, :]
            H = np.where(same, (M.T * w) @ Zb[:, jj], 0.0) - (M.T * w) @ M
            H[:nS, :nS] += np.diag(C)
            return g, H

        x = np.concatenate([U.ravel()[S], beta]) if self.intercept else U.ravel()[S].copy()
        f = value(x)
        g, H = derivatives(x)
        for _ in range(max_steps):
            gnorm = np.abs(g).max(initial=0.0)
            if gnorm < 1e-16:
                break
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
            t = 1.0
            while t >= 1e-12:
                xn = x + t * step
                fn = value(xn)
                if fn <= f + 1e-4 * t * float(g @ step):
                    break
                if t == 1.0 and fn - f <= 1e-15 * abs(f):
                    gn, _ = derivatives(xn)
                    if np.abs(gn).max(initial=0.0) < 0.5 * gnorm:
                        break
                t *= 0.5
            if t < 1e-12:
                break
            x, f = xn, fn
            g, H = derivatives(x)
        if (np.sign(x[:nS]) != sign).any():
            return None
        return unpack(x)


def solve_multinomial(X, y, alpha, l1_ratio=1.0, *, sample_weight=None, penalty_factor=None, fit_intercept=True,
                      positive=False, standardize=False, classes=None, gtol=1e-10, max_iter=200_000,
                      return_info=False):
    """Minimize the multinomial P (float64). Returns (W of shape (K, p), b of shape (K,): the fitted classes'
    intercepts summing to 0, -inf for a class without weight), and with return_info an info dict (n_iter,
    kkt, polished, objective, gap: `multinomial_duality_gap`)."""
    prob = MultinomialProblem(X, y, alpha, l1_ratio, sample_weight=sample_weight, penalty_factor=penalty_factor,
                              fit_intercept=fit_intercept, positive=positive, standardize=standardize,
                              classes=classes)
    it = _MultiInternal(prob)
    Kf, p = int(prob.fitted.sum()), it.Z.shape[1]
    U = np.zeros((Kf, p))
    if fit_intercept:
        pi = it.s @ it.Y / it.s.sum()
        beta = np.log(pi) - np.log(pi).mean()
    else:
        beta = np.zeros(Kf)
    Zb = np.hstack([it.Z, np.ones((it.Z.shape[0], 1))])
    L = 0.5 * max(1.0, float(np.linalg.norm(Zb, 2) ** 2) / it.n) + float(it.C.max(initial=0.0))
    xU, xb, yU, yb = U, beta, U.copy(), beta.copy()
    t = 1.0
    f_x = it.composite(xU, xb)
    polished, best, last_polish, n_iter = False, None, -1, 0
    for n_iter in range(1, max_iter + 1):
        f_y = it.smooth(yU, yb)
        gU, gb = it.grad(yU, yb)
        while True:
            nU = it.prox(yU - gU / L, 1.0 / L)
            nb = yb - gb / L
            dU, db = nU - yU, nb - yb
            quad = f_y + float(np.sum(gU * dU)) + float(gb @ db) + 0.5 * L * (float(np.sum(dU * dU)) + float(db @ db))
            if it.smooth(nU, nb) <= quad + 1e-15 * abs(f_y):
                break
            L *= 2.0
        mapping = L * np.sqrt(float(np.sum(dU * dU)) + float(db @ db))
        f_new = it.composite(nU, nb)
        if f_new <= f_x:
            t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
            mom = (t - 1) / t_new
            yU, yb = nU + mom * (nU - xU), nb + mom * (nb - xb)
            xU, xb, f_x, t = nU, nb, f_new, t_new
        else:
            t = 1.0
            yU, yb = xU.copy(), xb.copy()
        L *= 0.95
        if mapping <= 1e-6 and n_iter - last_polish >= 20:
            last_polish = n_iter
            pol = it.newton_polish(xU, xb)
            if pol is not None and it.composite(*pol) <= f_x + 1e-14:
                k = it.kkt(*pol)
                if k <= gtol:
                    xU, xb = pol
                    polished = True
                    break
                if best is None or k < best[0]:
                    best = (k, pol)
        if mapping <= gtol:
            break
    if not polished and best is not None and best[0] <= it.kkt(xU, xb):
        xU, xb = best[1]
    W, b = it.to_user(xU, xb)
    if not return_info:
        return W, b
    info = dict(n_iter=n_iter, kkt=it.kkt(xU, xb), polished=polished, objective=prob.objective(W, b),
                gap=multinomial_duality_gap(W, b, prob))
    return W, b, info

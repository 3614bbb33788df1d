"""Excel's statistical distributions, in their .DIST/.INV forms and legacy names: NORM, LOGNORM, T,
CHISQ, F, BINOM, POISSON, EXPON, GAMMA (and GAMMALN, GAMMA), BETA, WEIBULL, HYPGEOM, NEGBINOM;
the tests T.TEST, Z.TEST, CHISQ.TEST, F.TEST; CONFIDENCE(.NORM/.T), FISHER(INV), PHI, GAUSS.

Each takes its arguments as Excel's reference page states them: degrees of freedom, trials and
counts truncated to integers, ``cumulative`` a logical (1/0, "TRUE"/"FALSE" text), and the
documented out-of-range arguments #NUM!. The numerics are scipy's (the regularised incomplete
gamma and beta functions and their inverses), which agree with Excel 2010 and later to the last
digits it stores; an infinite or undefined result is #NUM!. scipy is imported on first use, so the
evaluator starts as fast without it.
"""

from __future__ import annotations

import math

from gtm_xl.excel.formula.functions.coercion import (
    DIV0,
    NA,
    NUM,
    ExcelError,
    Unsupported,
    check,
    num,
    scalar,
    to_bool,
)
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def _stats():
    import scipy.stats

    return scipy.stats


def _special():
    import scipy.special

    return scipy.special


def _cum(v) -> bool:
    return to_bool(scalar(v))


def _int(v) -> int:
    return int(math.trunc(num(v)))


def _prob(p: float, open_low=True, open_high=True) -> float:
    if (p <= 0 if open_low else p < 0) or (p >= 1 if open_high else p > 1):
        raise ExcelError(NUM)
    return p


def _out(x) -> float:
    return check(float(x))


# ------------------------------------------------------------------------------- normal


def f_norm_dist(x, mean, sd, cumulative):
    """NORM.DIST(x, mean, standard_dev, cumulative) and NORMDIST: the normal CDF or density; sd ≤ 0 #NUM!."""
    m, s = num(mean), num(sd)
    if s <= 0:
        raise ExcelError(NUM)
    z = (num(x) - m) / s
    st = _stats()
    return _out(st.norm.cdf(z) if _cum(cumulative) else st.norm.pdf(z) / s)


def f_norm_s_dist(z, cumulative):
    """NORM.S.DIST(z, cumulative): the standard normal CDF or density."""
    st = _stats()
    return _out(st.norm.cdf(num(z)) if _cum(cumulative) else st.norm.pdf(num(z)))


def f_normsdist(z):
    """NORMSDIST(z): the standard normal CDF."""
    return _out(_stats().norm.cdf(num(z)))


def f_norm_inv(p, mean, sd):
    """NORM.INV(probability, mean, standard_dev) and NORMINV: the inverse normal CDF; p ∉ (0,1) or sd ≤ 0 #NUM!."""
    q, m, s = _prob(num(p)), num(mean), num(sd)
    if s <= 0:
        raise ExcelError(NUM)
    return _out(m + s * _special().ndtri(q))


def f_norm_s_inv(p):
    """NORM.S.INV(probability) and NORMSINV: the inverse standard normal CDF; p ∉ (0,1) #NUM!."""
    return _out(_special().ndtri(_prob(num(p))))


def f_lognorm_dist(x, mean, sd, cumulative=True):
    """LOGNORM.DIST(x, mean, standard_dev, cumulative) and LOGNORMDIST (cumulative): ln(x) normal; x ≤ 0 or sd ≤ 0 #NUM!."""
    v, m, s = num(x), num(mean), num(sd)
    if v <= 0 or s <= 0:
        raise ExcelError(NUM)
    z = (math.log(v) - m) / s
    st = _stats()
    cum = True if cumulative is True else _cum(cumulative)
    return _out(st.norm.cdf(z) if cum else st.norm.pdf(z) / (s * v))


def f_lognormdist(x, mean, sd):
    """LOGNORMDIST(x, mean, standard_dev): the lognormal CDF."""
    return f_lognorm_dist(x, mean, sd, True)


def f_lognorm_inv(p, mean, sd):
    """LOGNORM.INV(probability, mean, standard_dev) and LOGINV: exp of the inverse normal; p ∉ (0,1) or sd ≤ 0 #NUM!."""
    q, m, s = _prob(num(p)), num(mean), num(sd)
    if s <= 0:
        raise ExcelError(NUM)
    return _out(math.exp(m + s * _special().ndtri(q)))


# ------------------------------------------------------------------------------- Student's t


def _df(v, hi: float = 1e10) -> int:
    d = _int(v)
    if d < 1 or d > hi:
        raise ExcelError(NUM)
    return d


def _x_and_df(x, df) -> tuple[float, int]:
    """The x and degrees of freedom of T.DIST.2T and the CHISQ.DIST functions: both read first (their
    own errors win), then x < 0 is #NUM!."""
    v, d = num(x), _df(df)
    if v < 0:
        raise ExcelError(NUM)
    return v, d


def f_t_dist(x, df, cumulative):
    """T.DIST(x, deg_freedom, cumulative): the left-tailed t CDF or density; df (truncated) < 1 #NUM!."""
    v, d = num(x), _df(df)
    st = _stats()
    return _out(st.t.cdf(v, d) if _cum(cumulative) else st.t.pdf(v, d))


def f_t_dist_2t(x, df):
    """T.DIST.2T(x, deg_freedom): the two-tailed t probability; x < 0 or df < 1 #NUM!."""
    v, d = _x_and_df(x, df)
    return _out(2 * _stats().t.sf(v, d))


def f_t_dist_rt(x, df):
    """T.DIST.RT(x, deg_freedom): the right-tailed t probability; df < 1 #NUM!."""
    return _out(_stats().t.sf(num(x), _df(df)))


def f_tdist(x, df, tails):
    """TDIST(x, deg_freedom, tails): the one- or two-tailed t probability; x < 0, tails ∉ {1,2} #NUM!."""
    v, d, k = num(x), _df(df), _int(tails)
    if v < 0 or k not in (1, 2):
        raise ExcelError(NUM)
    return _out(k * _stats().t.sf(v, d))


def f_t_inv(p, df):
    """T.INV(probability, deg_freedom): the left-tailed inverse t; p ∉ (0,1] or df < 1 #NUM!."""
    q, d = _prob(num(p), open_high=False), _df(df)
    return _out(_stats().t.ppf(q, d))


def f_t_inv_2t(p, df):
    """T.INV.2T(probability, deg_freedom) and TINV: the two-tailed inverse t; p ∉ (0,1] or df < 1 #NUM!."""
    q, d = _prob(num(p), open_high=False), _df(df)
    return _out(_stats().t.isf(q / 2, d))


# ------------------------------------------------------------------------------- chi-squared, F


def f_chisq_dist(x, df, cumulative):
    """CHISQ.DIST(x, deg_freedom, cumulative): the chi-squared CDF or density; x < 0, df ∉ 1…10^10 #NUM!."""
    v, d = _x_and_df(x, df)
    st = _stats()
    return _out(st.chi2.cdf(v, d) if _cum(cumulative) else st.chi2.pdf(v, d))


def f_chisq_dist_rt(x, df):
    """CHISQ.DIST.RT(x, deg_freedom) and CHIDIST: the right-tailed chi-squared probability."""
    v, d = _x_and_df(x, df)
    return _out(_stats().chi2.sf(v, d))


def f_chisq_inv(p, df):
    """CHISQ.INV(probability, deg_freedom): the inverse of the left-tailed chi-squared; p ∉ [0,1] #NUM!."""
    q, d = _prob(num(p), open_low=False, open_high=False), _df(df)
    return _out(_stats().chi2.ppf(q, d))


def f_chisq_inv_rt(p, df):
    """CHISQ.INV.RT(probability, deg_freedom) and CHIINV: the inverse of the right-tailed chi-squared."""
    q, d = _prob(num(p), open_low=False, open_high=False), _df(df)
    return _out(_stats().chi2.isf(q, d))


def _f_dfs(d1, d2) -> tuple[int, int]:
    a, b = _int(d1), _int(d2)
    if a < 1 or b < 1 or a >= 1e10 or b >= 1e10:
        raise ExcelError(NUM)
    return a, b


def f_f_dist(x, d1, d2, cumulative):
    """F.DIST(x, deg_freedom1, deg_freedom2, cumulative): the F CDF or density; x < 0 or df < 1 #NUM!."""
    v = num(x)
    a, b = _f_dfs(d1, d2)
    if v < 0:
        raise ExcelError(NUM)
    st = _stats()
    return _out(st.f.cdf(v, a, b) if _cum(cumulative) else st.f.pdf(v, a, b))


def f_f_dist_rt(x, d1, d2):
    """F.DIST.RT(x, deg_freedom1, deg_freedom2) and FDIST: the right-tailed F probability."""
    v = num(x)
    a, b = _f_dfs(d1, d2)
    if v < 0:
        raise ExcelError(NUM)
    return _out(_stats().f.sf(v, a, b))


def f_f_inv(p, d1, d2):
    """F.INV(probability, deg_freedom1, deg_freedom2): the inverse of the left-tailed F; p ∉ [0,1] #NUM!."""
    q = _prob(num(p), open_low=False, open_high=False)
    a, b = _f_dfs(d1, d2)
    return _out(_stats().f.ppf(q, a, b))


def f_f_inv_rt(p, d1, d2):
    """F.INV.RT(probability, deg_freedom1, deg_freedom2) and FINV: the inverse of the right-tailed F."""
    q = _prob(num(p), open_low=False, open_high=False)
    a, b = _f_dfs(d1, d2)
    return _out(_stats().f.isf(q, a, b))


# ------------------------------------------------------------------------------- discrete


def f_binom_dist(k, n, p, cumulative):
    """BINOM.DIST(number_s, trials, probability_s, cumulative) and BINOMDIST: counts truncated;
    number_s outside 0…trials or p outside 0…1 #NUM!."""
    s, t, q = _int(k), _int(n), num(p)
    if s < 0 or s > t or q < 0 or q > 1:
        raise ExcelError(NUM)
    st = _stats()
    return _out(st.binom.cdf(s, t, q) if _cum(cumulative) else st.binom.pmf(s, t, q))


def f_binom_inv(n, p, alpha):
    """BINOM.INV(trials, probability_s, alpha) and CRITBINOM: the smallest count whose binomial CDF is at
    least alpha; trials < 0, p or alpha outside 0…1 #NUM!."""
    t, q, a = _int(n), num(p), num(alpha)
    if t < 0 or q < 0 or q > 1 or a < 0 or a > 1:
        raise ExcelError(NUM)
    st = _stats()
    total = 0.0
    for k in range(t + 1):
        total = float(st.binom.cdf(k, t, q))
        if total >= a:
            if abs(total - a) < 1e-12 * max(1.0, a):
                raise Unsupported("BINOM.INV: the CDF equals alpha within rounding")
            return float(k)
    return float(t)


def f_poisson_dist(x, mean, cumulative):
    """POISSON.DIST(x, mean, cumulative) and POISSON: x truncated; x < 0 or mean < 0 #NUM!."""
    k, m = _int(x), num(mean)
    if k < 0 or m < 0:
        raise ExcelError(NUM)
    st = _stats()
    return _out(st.poisson.cdf(k, m) if _cum(cumulative) else st.poisson.pmf(k, m))


def f_hypgeom_dist(sample_s, n_sample, pop_s, n_pop, cumulative=False):
    """HYPGEOM.DIST(sample_s, number_sample, population_s, number_pop, cumulative) and HYPGEOMDIST
    (the probability only): arguments truncated; impossible counts #NUM!."""
    s, n, ps, np_ = _int(sample_s), _int(n_sample), _int(pop_s), _int(n_pop)
    if s < 0 or s > min(n, ps) or s < max(0, n - np_ + ps) or n <= 0 or n > np_ or ps <= 0 or ps > np_ or np_ <= 0:
        raise ExcelError(NUM)
    st = _stats()
    cum = False if cumulative is False else _cum(cumulative)
    return _out(st.hypergeom.cdf(s, np_, ps, n) if cum else st.hypergeom.pmf(s, np_, ps, n))


def f_hypgeomdist(sample_s, n_sample, pop_s, n_pop):
    """HYPGEOMDIST(sample_s, number_sample, population_s, number_pop): the hypergeometric probability."""
    return f_hypgeom_dist(sample_s, n_sample, pop_s, n_pop, False)


def f_negbinom_dist(f, s, p, cumulative=False):
    """NEGBINOM.DIST(number_f, number_s, probability_s, cumulative) and NEGBINOMDIST (the probability):
    failures before the number_s-th success; p outside 0…1, failures < 0 or successes < 1 #NUM!."""
    k, r, q = _int(f), _int(s), num(p)
    if q < 0 or q > 1 or k < 0 or r < 1:
        raise ExcelError(NUM)
    st = _stats()
    cum = False if cumulative is False else _cum(cumulative)
    return _out(st.nbinom.cdf(k, r, q) if cum else st.nbinom.pmf(k, r, q))


def f_negbinomdist(f, s, p):
    """NEGBINOMDIST(number_f, number_s, probability_s): the negative binomial probability."""
    return f_negbinom_dist(f, s, p, False)


# ------------------------------------------------------------------------------- continuous


def f_expon_dist(x, lam, cumulative):
    """EXPON.DIST(x, lambda, cumulative) and EXPONDIST: x < 0 or lambda ≤ 0 #NUM!."""
    v, m = num(x), num(lam)
    if v < 0 or m <= 0:
        raise ExcelError(NUM)
    return _out(-math.expm1(-m * v) if _cum(cumulative) else m * math.exp(-m * v))


def f_gamma_dist(x, alpha, beta, cumulative):
    """GAMMA.DIST(x, alpha, beta, cumulative) and GAMMADIST: x < 0, alpha ≤ 0 or beta ≤ 0 #NUM!."""
    v, a, b = num(x), num(alpha), num(beta)
    if v < 0 or a <= 0 or b <= 0:
        raise ExcelError(NUM)
    st = _stats()
    return _out(st.gamma.cdf(v, a, scale=b) if _cum(cumulative) else st.gamma.pdf(v, a, scale=b))


def f_gamma_inv(p, alpha, beta):
    """GAMMA.INV(probability, alpha, beta) and GAMMAINV: p outside 0…1, alpha ≤ 0 or beta ≤ 0 #NUM!."""
    q, a, b = _prob(num(p), open_low=False, open_high=False), num(alpha), num(beta)
    if a <= 0 or b <= 0:
        raise ExcelError(NUM)
    return _out(_stats().gamma.ppf(q, a, scale=b))


def f_gammaln(x):
    """GAMMALN(x) and GAMMALN.PRECISE: ln Γ(x); x ≤ 0 #NUM!."""
    v = num(x)
    if v <= 0:
        raise ExcelError(NUM)
    return _out(math.lgamma(v))


def f_gamma(x):
    """GAMMA(number): Γ(x); 0 and negative integers #NUM!."""
    v = num(x)
    if v <= 0 and v == math.trunc(v):
        raise ExcelError(NUM)
    try:
        return _out(math.gamma(v))
    except (OverflowError, ValueError):
        raise ExcelError(NUM) from None


def _bounds(lo, hi) -> tuple[float, float]:
    a = 0.0 if lo is None or scalar(lo) is None else num(lo)
    b = 1.0 if hi is None or scalar(hi) is None else num(hi)
    if a >= b:
        raise ExcelError(NUM)
    return a, b


def f_beta_dist(x, alpha, beta, cumulative, lo=None, hi=None):
    """BETA.DIST(x, alpha, beta, cumulative, [A], [B]): the beta distribution on [A, B] (0…1); x outside,
    A = B, alpha ≤ 0 or beta ≤ 0 #NUM!."""
    v, a, b = num(x), num(alpha), num(beta)
    lo_, hi_ = _bounds(lo, hi)
    if a <= 0 or b <= 0 or v < lo_ or v > hi_:
        raise ExcelError(NUM)
    y = (v - lo_) / (hi_ - lo_)
    st = _stats()
    return _out(st.beta.cdf(y, a, b) if _cum(cumulative) else st.beta.pdf(y, a, b) / (hi_ - lo_))


def f_betadist(x, alpha, beta, lo=None, hi=None):
    """BETADIST(x, alpha, beta, [A], [B]): the cumulative beta distribution."""
    return f_beta_dist(x, alpha, beta, True, lo, hi)


def f_beta_inv(p, alpha, beta, lo=None, hi=None):
    """BETA.INV(probability, alpha, beta, [A], [B]) and BETAINV: p outside (0,1], alpha ≤ 0 or beta ≤ 0 #NUM!."""
    q, a, b = _prob(num(p), open_high=False), num(alpha), num(beta)
    lo_, hi_ = _bounds(lo, hi)
    if a <= 0 or b <= 0:
        raise ExcelError(NUM)
    return _out(lo_ + (hi_ - lo_) * _stats().beta.ppf(q, a, b))


def f_weibull_dist(x, alpha, beta, cumulative):
    """WEIBULL.DIST(x, alpha, beta, cumulative) and WEIBULL: x < 0, alpha ≤ 0 or beta ≤ 0 #NUM!."""
    v, a, b = num(x), num(alpha), num(beta)
    if v < 0 or a <= 0 or b <= 0:
        raise ExcelError(NUM)
    if _cum(cumulative):
        return _out(-math.expm1(-((v / b) ** a)))
    return _out(a / b**a * v ** (a - 1) * math.exp(-((v / b) ** a)))


# ------------------------------------------------------------------------------- tests and intervals


def f_confidence_norm(alpha, sd, size):
    """CONFIDENCE.NORM(alpha, standard_dev, size) and CONFIDENCE: the half-width of the normal confidence
    interval; alpha outside (0,1), sd ≤ 0 or size (truncated) < 1 #NUM!."""
    a, s, n = num(alpha), num(sd), _int(size)
    if a <= 0 or a >= 1 or s <= 0 or n < 1:
        raise ExcelError(NUM)
    return _out(_special().ndtri(1 - a / 2) * s / math.sqrt(n))


def f_confidence_t(alpha, sd, size):
    """CONFIDENCE.T(alpha, standard_dev, size): the half-width with Student's t; size 1 #DIV/0!."""
    a, s, n = num(alpha), num(sd), _int(size)
    if a <= 0 or a >= 1 or s <= 0 or n < 1:
        raise ExcelError(NUM)
    if n == 1:
        raise ExcelError(DIV0)
    return _out(_stats().t.isf(a / 2, n - 1) * s / math.sqrt(n))


def f_fisher(x):
    """FISHER(x): atanh(x); x ≤ −1 or x ≥ 1 #NUM!."""
    v = num(x)
    if v <= -1 or v >= 1:
        raise ExcelError(NUM)
    return _out(math.atanh(v))


def f_fisherinv(y):
    """FISHERINV(y): tanh(y)."""
    return _out(math.tanh(num(y)))


def f_phi(x):
    """PHI(x): the standard normal density."""
    v = num(x)
    return _out(math.exp(-v * v / 2) / math.sqrt(2 * math.pi))


def f_gauss(z):
    """GAUSS(z): the probability of a standard normal between its mean and z (NORM.S.DIST(z) − 0.5)."""
    return _out(_stats().norm.cdf(num(z)) - 0.5)


def _sample(v) -> list[float]:
    from gtm_xl.excel.formula.functions.coercion import as_2d, values_of

    return values_of((as_2d(v),))


def f_t_test(a1, a2, tails, kind):
    """T.TEST(array1, array2, tails, type) and TTEST: Student's t-test probability; type 1 paired
    (arrays of one size, else #N/A), 2 two samples of equal variance; tails 1 or 2 (#NUM! otherwise).
    Type 3 (unequal variances, Welch's fractional degrees of freedom) is not guessed."""
    t, k = _int(tails), _int(kind)
    if t not in (1, 2) or k not in (1, 2, 3):
        raise ExcelError(NUM)
    if k == 3:
        raise Unsupported("T.TEST type 3 (Welch's degrees of freedom in Excel)")
    st = _stats()
    if k == 1:
        from gtm_xl.excel.formula.functions.statistical import _pairs

        x, y = _pairs(a1, a2)
        if len(x) < 2:
            raise ExcelError(DIV0)
        d = [u - v for u, v in zip(x, y)]
        n = len(d)
        m = math.fsum(d) / n
        sd = math.sqrt(math.fsum((v - m) ** 2 for v in d) / (n - 1))
        if sd == 0:
            raise ExcelError(DIV0)
        stat, df = m / (sd / math.sqrt(n)), n - 1
    else:
        x, y = _sample(a1), _sample(a2)
        n1, n2 = len(x), len(y)
        if n1 < 2 or n2 < 2:
            raise ExcelError(DIV0)
        m1, m2 = math.fsum(x) / n1, math.fsum(y) / n2
        ss = math.fsum((v - m1) ** 2 for v in x) + math.fsum((v - m2) ** 2 for v in y)
        df = n1 + n2 - 2
        se = math.sqrt(ss / df * (1 / n1 + 1 / n2))
        if se == 0:
            raise ExcelError(DIV0)
        stat = (m1 - m2) / se
    return _out(t * st.t.sf(abs(stat), df))


def f_z_test(arr, x, sigma=None):
    """Z.TEST(array, x, [sigma]) and ZTEST: 1 − NORM.S.DIST((mean − x)/(σ/√n)); σ the sample standard
    deviation when omitted; no numbers #N/A."""
    vals = _sample(arr)
    n = len(vals)
    if n == 0:
        raise ExcelError(NA)
    m = math.fsum(vals) / n
    if sigma is None or scalar(sigma) is None:
        if n < 2:
            raise ExcelError(DIV0)
        s = math.sqrt(math.fsum((v - m) ** 2 for v in vals) / (n - 1))
    else:
        s = num(sigma)
    if s <= 0:
        raise ExcelError(DIV0 if s == 0 else NUM)
    return _out(_stats().norm.sf((m - num(x)) / (s / math.sqrt(n))))


def f_chisq_test(actual, expected):
    """CHISQ.TEST(actual_range, expected_range) and CHITEST: the chi-squared test probability with
    (rows − 1)(columns − 1) degrees of freedom (n − 1 for one row or column); shapes differ #N/A."""
    from gtm_xl.excel.formula.functions.coercion import as_2d

    a, e = as_2d(actual), as_2d(expected)
    if a.shape != e.shape:
        raise ExcelError(NA)
    chi = 0.0
    for u, v in zip(a.reshape(-1).tolist(), e.reshape(-1).tolist()):
        for w in (u, v):
            if isinstance(w, CellError):
                raise ExcelError(w)
        if not (_is_number(u) and _is_number(v)):
            raise Unsupported("CHISQ.TEST with text, logicals or blanks")
        if v == 0:
            raise ExcelError(DIV0)
        chi += (u - v) ** 2 / v
    r, c = a.shape
    df = (r - 1) * (c - 1) if r > 1 and c > 1 else max(r, c) - 1
    if df < 1:
        raise ExcelError(NA)
    return _out(_stats().chi2.sf(chi, df))


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def f_f_test(a1, a2):
    """F.TEST(array1, array2) and FTEST: the two-tailed probability that the variances differ; fewer than
    two numbers or a zero variance #DIV/0!."""
    x, y = _sample(a1), _sample(a2)
    if len(x) < 2 or len(y) < 2:
        raise ExcelError(DIV0)

    def var(v):
        m = math.fsum(v) / len(v)
        return math.fsum((t - m) ** 2 for t in v) / (len(v) - 1)

    v1, v2 = var(x), var(y)
    if v1 == 0 or v2 == 0:
        raise ExcelError(DIV0)
    st = _stats()
    f = v1 / v2
    d1, d2 = len(x) - 1, len(y) - 1
    return _out(min(1.0, 2 * min(st.f.cdf(f, d1, d2), st.f.sf(f, d1, d2))))


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "NORM.DIST": builtin(f_norm_dist, 4),
    "NORMDIST": builtin(f_norm_dist, 4),
    "NORM.S.DIST": builtin(f_norm_s_dist, 2),
    "NORMSDIST": builtin(f_normsdist, 1),
    "NORM.INV": builtin(f_norm_inv, 3),
    "NORMINV": builtin(f_norm_inv, 3),
    "NORM.S.INV": builtin(f_norm_s_inv, 1),
    "NORMSINV": builtin(f_norm_s_inv, 1),
    "LOGNORM.DIST": builtin(f_lognorm_dist, 4),
    "LOGNORMDIST": builtin(f_lognormdist, 3),
    "LOGNORM.INV": builtin(f_lognorm_inv, 3),
    "LOGINV": builtin(f_lognorm_inv, 3),
    "T.DIST": builtin(f_t_dist, 3),
    "T.DIST.2T": builtin(f_t_dist_2t, 2),
    "T.DIST.RT": builtin(f_t_dist_rt, 2),
    "TDIST": builtin(f_tdist, 3),
    "T.INV": builtin(f_t_inv, 2),
    "T.INV.2T": builtin(f_t_inv_2t, 2),
    "TINV": builtin(f_t_inv_2t, 2),
    "CHISQ.DIST": builtin(f_chisq_dist, 3),
    "CHISQ.DIST.RT": builtin(f_chisq_dist_rt, 2),
    "CHIDIST": builtin(f_chisq_dist_rt, 2),
    "CHISQ.INV": builtin(f_chisq_inv, 2),
    "CHISQ.INV.RT": builtin(f_chisq_inv_rt, 2),
    "CHIINV": builtin(f_chisq_inv_rt, 2),
    "F.DIST": builtin(f_f_dist, 4),
    "F.DIST.RT": builtin(f_f_dist_rt, 3),
    "FDIST": builtin(f_f_dist_rt, 3),
    "F.INV": builtin(f_f_inv, 3),
    "F.INV.RT": builtin(f_f_inv_rt, 3),
    "FINV": builtin(f_f_inv_rt, 3),
    "BINOM.DIST": builtin(f_binom_dist, 4),
    "BINOMDIST": builtin(f_binom_dist, 4),
    "BINOM.INV": builtin(f_binom_inv, 3),
    "CRITBINOM": builtin(f_binom_inv, 3),
    "POISSON.DIST": builtin(f_poisson_dist, 3),
    "POISSON": builtin(f_poisson_dist, 3),
    "HYPGEOM.DIST": builtin(f_hypgeom_dist, 5),
    "HYPGEOMDIST": builtin(f_hypgeomdist, 4),
    "NEGBINOM.DIST": builtin(f_negbinom_dist, 4),
    "NEGBINOMDIST": builtin(f_negbinomdist, 3),
    "EXPON.DIST": builtin(f_expon_dist, 3),
    "EXPONDIST": builtin(f_expon_dist, 3),
    "GAMMA.DIST": builtin(f_gamma_dist, 4),
    "GAMMADIST": builtin(f_gamma_dist, 4),
    "GAMMA.INV": builtin(f_gamma_inv, 3),
    "GAMMAINV": builtin(f_gamma_inv, 3),
    "GAMMALN": builtin(f_gammaln, 1),
    "GAMMALN.PRECISE": builtin(f_gammaln, 1),
    "GAMMA": builtin(f_gamma, 1),
    "BETA.DIST": builtin(f_beta_dist, 4, 6),
    "BETADIST": builtin(f_betadist, 3, 5),
    "BETA.INV": builtin(f_beta_inv, 3, 5),
    "BETAINV": builtin(f_beta_inv, 3, 5),
    "WEIBULL.DIST": builtin(f_weibull_dist, 4),
    "WEIBULL": builtin(f_weibull_dist, 4),
    "CONFIDENCE.NORM": builtin(f_confidence_norm, 3),
    "CONFIDENCE": builtin(f_confidence_norm, 3),
    "CONFIDENCE.T": builtin(f_confidence_t, 3),
    "FISHER": builtin(f_fisher, 1),
    "FISHERINV": builtin(f_fisherinv, 1),
    "PHI": builtin(f_phi, 1),
    "GAUSS": builtin(f_gauss, 1),
    "T.TEST": builtin(f_t_test, 4),
    "TTEST": builtin(f_t_test, 4),
    "Z.TEST": builtin(f_z_test, 2, 3),
    "ZTEST": builtin(f_z_test, 2, 3),
    "CHISQ.TEST": builtin(f_chisq_test, 2),
    "CHITEST": builtin(f_chisq_test, 2),
    "F.TEST": builtin(f_f_test, 2),
    "FTEST": builtin(f_f_test, 2),
}

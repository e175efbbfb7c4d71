import { erf } from '../fit/erf.js';
import { minimizeNelderMead } from './minimizeNelderMead.js';

/**
 * What {@link fitPairDistances} found: the localization precision σ with its standard error,
 * the fractions of the model's terms, and the expected counts of each bin (for plots).
 */
export interface PairDistanceFit {
  /** Localization precision σ (one axis, one localization), nm: the pair term's parameter. */
  readonly sigmaNm: number;
  /** Standard error of σ from the observed information (the inverse Hessian of the binned log-likelihood), nm. */
  readonly sigmaStandardErrorNm: number;
  /** Fraction of the distances in the pair term (the same molecule in both frames). */
  readonly pairFraction: number;
  /** Fraction in the short-range term (0 when the term was not kept). */
  readonly shortRangeFraction: number;
  /** Centre of the short-range term, nm (NaN when not kept). */
  readonly shortRangeCenterNm: number;
  /** Width (standard deviation) of the short-range term, nm (NaN when not kept). */
  readonly shortRangeWidthNm: number;
  /** Fraction in the background term (nearest neighbours that are other molecules, ∝ d). */
  readonly backgroundFraction: number;
  /** Whether the short-range term was kept (asked for, and it raised the log-likelihood by more than BIC's penalty). */
  readonly shortRangeTerm: boolean;
  /** The binned log-likelihood at the fit, Σ nₖ ln pₖ. */
  readonly logLikelihood: number;
  /** Expected counts per bin of the fitted model (all terms). */
  readonly expected: Float64Array;
  /** Expected counts per bin of the pair term alone. */
  readonly expectedPair: Float64Array;
}

/** Smallest probability of a bin in the likelihood (keeps ln finite where the model vanishes). */
const MIN_BIN_PROBABILITY = 1e-300;

/**
 * The short-range term's centre is at least this many σ out: beyond the pair term's bulk (its
 * 90 % quantile is 2√(ln 10)·σ ≈ 3.03σ). Nearer, it would model the spread of the precisions
 * among molecules (a wider pair term) rather than neighbours: on the sample's fitted
 * localizations (samples/filaments.tif) it sat at d_c = 0, where σ's error was undefined (a
 * bound); here it sits at 3σ with the filament's neighbours, NeNA 4.28 ± 0.04 nm against the
 * true error's 4.40 nm (RMS of x and y).
 */
const SHORT_RANGE_MIN_CENTER = 3;

/** Relative step of the finite differences of the Hessian (in the fit's log and logit coordinates). */
const HESSIAN_STEP = 1e-3;

/**
 * The bin probabilities of the three terms of Endesfelder et al. (Histochem. Cell Biol.
 * 141:629, 2014) on bins of width `binNm` over [0, R], each term normalized over [0, R] (the
 * distances are cut at the search radius):
 * - pair term, p(d) = d/(2σ²)·exp(−d²/(4σ²)): the distance between two localizations of one
 *   molecule, each off by N(0, σ²) in x and y (their difference N(0, 2σ²) a coordinate); CDF
 *   1 − exp(−d²/(4σ²));
 * - short-range term, a Gaussian of centre d_c and width ω: neighbours at a typical distance
 *   (the structure's own spacing);
 * - background term, p(d) ∝ d: the nearest neighbour being another, unrelated molecule (a
 *   uniform density, whose nearest-neighbour density 2πρd·exp(−πρd²) is ∝ d while πρR² ≪ 1).
 */
class PairDistanceModel {
  readonly bins: number;
  readonly pair: Float64Array;
  readonly shortRange: Float64Array;
  readonly background: Float64Array;

  constructor(bins: number, readonly binNm: number) {
    this.bins = bins;
    this.pair = new Float64Array(bins);
    this.shortRange = new Float64Array(bins);
    this.background = new Float64Array(bins);
    const r2 = (bins * binNm) ** 2;
    for (let k = 0; k < bins; k++) this.background[k] = (((k + 1) * binNm) ** 2 - (k * binNm) ** 2) / r2;
  }

  /** Fill {@link pair} for σ (nm); false when σ makes it vanish. */
  setPair(sigmaNm: number): boolean {
    const c = 1 / (4 * sigmaNm * sigmaNm);
    const total = -Math.expm1(-((this.bins * this.binNm) ** 2) * c);
    if (!(total > 0)) return false;
    let below = 0;
    for (let k = 0; k < this.bins; k++) {
      const d = (k + 1) * this.binNm;
      const cdf = -Math.expm1(-d * d * c);
      this.pair[k] = (cdf - below) / total;
      below = cdf;
    }
    return true;
  }

  /** Fill {@link shortRange} for centre and width (nm); false when they make it vanish. */
  setShortRange(centerNm: number, widthNm: number): boolean {
    const s = 1 / (Math.SQRT2 * widthNm);
    const low = erf(-centerNm * s);
    const total = erf((this.bins * this.binNm - centerNm) * s) - low;
    if (!(total > 1e-12)) return false;
    let below = low;
    for (let k = 0; k < this.bins; k++) {
      const cdf = erf(((k + 1) * this.binNm - centerNm) * s);
      this.shortRange[k] = (cdf - below) / total;
      below = cdf;
    }
    return true;
  }
}

/** The fractions of the terms from their logits (softmax over [0, a_short, a_background]). */
function fractions(shortLogit: number, backgroundLogit: number): [number, number, number] {
  const m = Math.max(0, shortLogit, backgroundLogit);
  const e0 = Math.exp(-m);
  const e1 = Math.exp(shortLogit - m);
  const e2 = Math.exp(backgroundLogit - m);
  const s = e0 + e1 + e2;
  return [e0 / s, e1 / s, e2 / s];
}

/** Inverse of a small symmetric positive-definite matrix (Gauss–Jordan), or undefined when singular. */
function invert(a: Float64Array[], n: number): Float64Array[] | undefined {
  const m = a.map((row, i) => {
    const r = new Float64Array(2 * n);
    r.set(row);
    r[n + i] = 1;
    return r;
  });
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (!(Math.abs(m[p][c]) > 1e-300)) return undefined;
    [m[c], m[p]] = [m[p], m[c]];
    const inv = 1 / m[c][c];
    for (let k = 0; k < 2 * n; k++) m[c][k] *= inv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      if (f !== 0) for (let k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((r) => r.slice(n));
}

/**
 * Fit the NeNA model of Endesfelder et al. (2014) to a histogram of next-frame nearest-neighbour
 * distances: the pair term d/(2σ²)·exp(−d²/(4σ²)), a background term ∝ d and, when the data ask
 * for it, a short-range Gaussian term (see {@link PairDistanceModel}).
 *
 * The estimator is maximum likelihood on the binned distances (multinomial: Σ nₖ ln pₖ, each pₖ
 * the model integrated exactly over bin k), rather than least squares on the histogram: it is
 * the efficient estimator whatever the counts (least squares weights an empty tail bin as a full
 * one and needs a Poisson weighting to be unbiased), and binning exactly integrated loses
 * nothing measurable at bins much narrower than σ, while its cost does not grow with the pairs.
 * The simplex (Nelder–Mead) runs on ln σ, the logits of the fractions and the short-range
 * term's log offsets. The short-range term is tried only when asked (`shortRange`), and kept
 * only when it raises the log-likelihood by more than BIC's penalty for its three parameters
 * (3/2 · ln n): on data without such neighbours it would be a term
 * without information, and its free parameters would leave σ's error undefined. The short-range
 * term lies beyond the pair term's bulk (d_c ≥ 3σ) and is wider than it (ω ≥ √2·σ), so that it
 * cannot take the pair term's place. The standard error of σ comes from the inverse Hessian of −ln L by central
 * differences.
 * @param counts - distances per bin: bin k holds [k·binNm, (k + 1)·binNm); the bins span [0, R]
 * @param binNm - bin width, nm
 * @param shortRange - try the short-range term @default false (see {@link NenaOptions}.shortRangeTerm)
 * @returns the fit (σ is NaN when it fails: no distances, or no maximum inside the bounds)
 */
export function fitPairDistances(counts: ArrayLike<number>, binNm: number, shortRange = false): PairDistanceFit {
  const bins = counts.length;
  const radiusNm = bins * binNm;
  const model = new PairDistanceModel(bins, binNm);
  let total = 0;
  for (let k = 0; k < bins; k++) total += counts[k];
  // σ's start from the median distance: the pair term's median is 2σ·√(ln 2).
  let cumulative = 0;
  let median = radiusNm / 2;
  for (let k = 0; k < bins; k++) {
    cumulative += counts[k];
    if (cumulative >= total / 2) {
      median = (k + 0.5) * binNm;
      break;
    }
  }
  const sigma0 = Math.max(binNm / 2, median / (2 * Math.sqrt(Math.LN2)));
  const probability = new Float64Array(bins);
  const logLikelihood = (sigma: number, weights: readonly number[], center: number, width: number): number => {
    if (!(sigma > binNm / 20 && sigma < radiusNm)) return NaN;
    if (!model.setPair(sigma)) return NaN;
    const withShort = weights[1] > 0;
    if (withShort) {
      if (!(center < radiusNm && width < radiusNm)) return NaN;
      if (!model.setShortRange(center, width)) return NaN;
    }
    let l = 0;
    for (let k = 0; k < bins; k++) {
      const p = weights[0] * model.pair[k] + (withShort ? weights[1] * model.shortRange[k] : 0) + weights[2] * model.background[k];
      probability[k] = p;
      if (counts[k] > 0) l += counts[k] * Math.log(Math.max(p, MIN_BIN_PROBABILITY));
    }
    return l;
  };
  // The reduced model: θ = [ln σ, a_background].
  const reduced = (t: Float64Array) => -logLikelihood(Math.exp(t[0]), fractions(-Infinity, t[1]), NaN, NaN);
  // The full model: θ = [ln σ, a_background, a_short, t_c, t_w], the short-range term beyond
  // the pair term's bulk and wider than it: d_c = σ·(3 + e^t_c), ω = √2·σ·(1 + e^t_w).
  const center = (t: Float64Array) => Math.exp(t[0]) * (SHORT_RANGE_MIN_CENTER + Math.exp(t[3]));
  const width = (t: Float64Array) => Math.SQRT2 * Math.exp(t[0]) * (1 + Math.exp(t[4]));
  const full = (t: Float64Array) => -logLikelihood(Math.exp(t[0]), fractions(t[2], t[1]), center(t), width(t));
  const fitFrom = (f: (t: Float64Array) => number, start: number[], steps: number[]) => {
    let best = minimizeNelderMead(f, start, steps);
    // Restart from the optimum until it no longer moves (the simplex can stall on a ridge).
    for (let i = 0; i < 4; i++) {
      const again = minimizeNelderMead(f, best.x, steps.map((s) => s / 4));
      const moved = best.fx - again.fx;
      best = again.fx < best.fx ? again : best;
      if (!(moved > 1e-9 * Math.abs(best.fx))) break;
    }
    return best;
  };
  const r = fitFrom(reduced, [Math.log(sigma0), -2], [0.3, 1]);
  let chosen = { f: full, x: r.x, fx: r.fx, short: false };
  if (shortRange && bins >= 8 && total > 0) {
    let fullBest: { x: Float64Array; fx: number } | undefined;
    // Short-range starts beyond the pair term: at 4σ, 6σ and 10σ with a width of 2√2·σ.
    for (const c of [4, 6, 10]) {
      if (c * sigma0 >= radiusNm) continue;
      const f = fitFrom(full, [r.x[0], r.x[1], -2, Math.log(c - SHORT_RANGE_MIN_CENTER), 0], [0.3, 1, 1, 0.5, 0.5]);
      if (!fullBest || f.fx < fullBest.fx) fullBest = f;
    }
    if (fullBest && r.fx - fullBest.fx > 1.5 * Math.log(total)) chosen = { f: full, x: fullBest.x, fx: fullBest.fx, short: true };
  }
  const theta = chosen.short ? chosen.x : Float64Array.of(chosen.x[0], chosen.x[1]);
  const objective = chosen.short ? full : reduced;
  const sigmaNm = Math.exp(theta[0]);
  // Standard error of ln σ from the inverse Hessian of −ln L (central differences).
  const n = theta.length;
  const hessian = Array.from({ length: n }, () => new Float64Array(n));
  const at = Float64Array.from(theta);
  const f0 = objective(at);
  const h = HESSIAN_STEP;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let v: number;
      if (i === j) {
        at[i] = theta[i] + h;
        const fp = objective(at);
        at[i] = theta[i] - h;
        const fm = objective(at);
        at[i] = theta[i];
        v = (fp - 2 * f0 + fm) / (h * h);
      } else {
        const e = (di: number, dj: number) => {
          at[i] = theta[i] + di;
          at[j] = theta[j] + dj;
          const fv = objective(at);
          at[i] = theta[i];
          at[j] = theta[j];
          return fv;
        };
        v = (e(h, h) - e(h, -h) - e(-h, h) + e(-h, -h)) / (4 * h * h);
      }
      hessian[i][j] = v;
      hessian[j][i] = v;
    }
  }
  const inverse = invert(hessian, n);
  const varianceLog = inverse ? inverse[0][0] : NaN;
  const sigmaStandardErrorNm = varianceLog > 0 ? sigmaNm * Math.sqrt(varianceLog) : NaN;
  // The fitted model's bins (objective(theta) fills `probability` and the model's terms).
  const l = -objective(theta);
  const w = chosen.short ? fractions(theta[2], theta[1]) : fractions(-Infinity, theta[1]);
  const expected = Float64Array.from(probability, (p) => p * total);
  const expectedPair = Float64Array.from(model.pair, (p) => p * w[0] * total);
  return {
    sigmaNm: Number.isFinite(l) ? sigmaNm : NaN,
    sigmaStandardErrorNm,
    pairFraction: w[0],
    shortRangeFraction: chosen.short ? w[1] : 0,
    shortRangeCenterNm: chosen.short ? center(theta) : NaN,
    shortRangeWidthNm: chosen.short ? width(theta) : NaN,
    backgroundFraction: w[2],
    shortRangeTerm: chosen.short,
    logLikelihood: l,
    expected,
    expectedPair,
  };
}

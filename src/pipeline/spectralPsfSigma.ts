import type { Frame } from '../io/Frame.js';
import { RadixTwoFft } from '../camera/RadixTwoFft.js';

/**
 * The rules of {@link spectralPsfSigma}, stated once.
 * - `lagFrames`: frames k and k + lag are subtracted: what stays on (the structure, a cell's
 *   background, the offset, emitters on longer than the lag) cancels; the emitters of the two
 *   frames remain. 10 frames: a simulated emitter's mean on-time is 3, so (2/3)¹⁰ < 2 % of
 *   them are in both.
 * - `largestSidePx`: the centred square analysed is the largest power of two that fits, at most
 *   this (256² px of 50 frames: tens of ms), at least `smallestSidePx`.
 * - `signalOverFloor`: the spots' power at the lowest frequency used must exceed the white
 *   floor (shot and read noise) by this factor, else there is too little signal to trust.
 */
export const SPECTRAL_PSF_SIGMA = {
  lagFrames: 10,
  largestSidePx: 256,
  smallestSidePx: 16,
  signalOverFloor: 2,
  /** σ searched, px: a grid of this step over the range, then refined by parabola. */
  sigmaRangePx: [0.3, 5] as const,
  sigmaStepPx: 0.01,
  /**
   * Groups of frame pairs for the standard error: σ is measured again with each group left out
   * (the delete-one-group jackknife). The misfit's curvature understates the error (the window
   * correlates neighbouring frequencies, so a ring holds fewer independent values than it
   * counts); the spread over groups of frames does not assume that independence.
   */
  seGroups: 10,
} as const;

/** What {@link spectralPsfSigma} measured. */
export interface SpectralPsfSigma {
  /** σ, px. */
  sigmaPx: number;
  /** Its standard error, px. */
  sigmaSePx: number;
  /** How the standard error was found: over groups of frame pairs, or (too few groups) from the misfit's curvature. */
  seMethod: 'jackknife' | 'curvature';
  /** Groups of frame pairs the jackknife used (0 with the curvature). */
  groups: number;
}

/**
 * The PSF σ from the power spectrum of frame differences, which crowding does not bias. The
 * emitters of a frame are points at random places: whatever their density, blends included,
 * the power spectrum of their image is the PSF's |ĝ(f)|² times a constant (Campbell's theorem:
 * the cross terms of independent positions average out), plus the white floor of the shot and
 * read noise. So the radially averaged spectrum P(f) of (frame k+lag − frame k)·Hann window is
 * fitted by A·exp(−4π²σ²f²)·sinc²(fx)·sinc²(fy) + C (the pixel-integrated Gaussian's spectrum,
 * the fit's model, docs/design.md §3): A and C by weighted least squares (relative errors) for
 * each σ of a grid, σ where the misfit is least. Needs no detection and no camera (the offset
 * cancels, the gain scales A and C alike).
 *
 * Measured (128² px, 50 frames, σ 130 nm, 100 nm px): 129.5 / 129.8 / 130.1 nm at 1.5 / 4 / 6
 * emitters/µm², 128.9 at N = 500, 129.6 through an EMCCD, 129.8 on a cell's background; 96² px
 * × 40 frames, σ 100–160 nm, 0.5–6 /µm², 5 seeds each: within 1.8 %. Its limits: spots kept
 * apart (the bundled sample's 800 nm minimum separation takes power from the low frequencies)
 * read narrow, 116 nm for 130, and Picasso's test movie (32² px) gives 129.4 where its spots'
 * fits give 131.2: fits of isolated spots stay the measure, this one guards them against blends
 * ({@link measurePsfSigma}).
 *
 * The standard error is the delete-one-group jackknife's over {@link SPECTRAL_PSF_SIGMA}.seGroups
 * groups of consecutive frame pairs (the misfit's curvature when fewer than 3 groups measure).
 *
 * @param frames - consecutive frames (ADU), all of one size
 * @returns σ and its standard error, px, or undefined (fewer than 2 frames, frames under 16 px
 *   a side, too little signal above the noise floor, or σ at an end of the range)
 */
export function spectralPsfSigma(frames: readonly Frame[]): SpectralPsfSigma | undefined {
  const rules = SPECTRAL_PSF_SIGMA;
  if (frames.length < 2) return undefined;
  const { width, height } = frames[0];
  let n = rules.largestSidePx;
  while (n > Math.min(width, height)) n >>= 1;
  if (n < rules.smallestSidePx) return undefined;
  const lag = Math.min(rules.lagFrames, frames.length >> 1);
  const x0 = (width - n) >> 1;
  const y0 = (height - n) >> 1;
  const fft = new RadixTwoFft(n);
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const power = new Float64Array(n * n);
  const groups = Math.max(1, Math.min(rules.seGroups, frames.length - lag));
  const groupPower = Array.from({ length: groups }, () => new Float64Array(n * n));
  const groupPairs = new Float64Array(groups);
  const hann = new Float64Array(n);
  for (let i = 0; i < n; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  let pairs = 0;
  for (let k = 0; k + lag < frames.length; k++) {
    const a = frames[k];
    const b = frames[k + lag];
    if (a.width !== width || a.height !== height || b.width !== width || b.height !== height) continue;
    for (let r = 0; r < n; r++) {
      const row = (y0 + r) * width + x0;
      for (let c = 0; c < n; c++) re[r * n + c] = (b.data[row + c] - a.data[row + c]) * hann[r] * hann[c];
    }
    im.fill(0);
    fft.transform2d(re, im);
    const g = Math.floor((k * groups) / (frames.length - lag));
    const own = groupPower[g];
    for (let i = 0; i < n * n; i++) {
      const p = re[i] * re[i] + im[i] * im[i];
      power[i] += p;
      own[i] += p;
    }
    groupPairs[g]++;
    pairs++;
  }
  if (pairs === 0) return undefined;
  const all = fitSpectrum(power, n, pairs);
  if (!all) return undefined;
  // The delete-one-group jackknife: SE² = (G − 1)/G · Σ (σ₋g − mean)².
  const left: number[] = [];
  const rest = new Float64Array(n * n);
  for (let g = 0; g < groups; g++) {
    if (groupPairs[g] === 0 || groupPairs[g] === pairs) continue;
    const own = groupPower[g];
    for (let i = 0; i < n * n; i++) rest[i] = power[i] - own[i];
    const e = fitSpectrum(rest, n, pairs - groupPairs[g]);
    if (e) left.push(e.sigmaPx);
  }
  if (left.length < 3) return { sigmaPx: all.sigmaPx, sigmaSePx: all.curvatureSePx, seMethod: 'curvature', groups: left.length };
  const mean = left.reduce((s, v) => s + v, 0) / left.length;
  const jackknife = Math.sqrt(((left.length - 1) / left.length) * left.reduce((s, v) => s + (v - mean) ** 2, 0));
  return { sigmaPx: all.sigmaPx, sigmaSePx: jackknife, seMethod: 'jackknife', groups: left.length };
}

/**
 * Fit the radially averaged power spectrum (see {@link spectralPsfSigma}): σ (px, corrected
 * for the window) and the standard error the misfit's curvature gives, or undefined.
 * @param power - summed periodograms, n × n
 * @param n - side, px
 * @param pairs - periodograms summed
 */
function fitSpectrum(power: Float64Array, n: number, pairs: number): { sigmaPx: number; curvatureSePx: number } | undefined {
  const rules = SPECTRAL_PSF_SIGMA;
  // Rings of width 1/n cycles/px from the second (the first holds the window's leakage of the
  // mean) to 0.5: each ring's mean power, mean f² and mean pixel factor sinc²(fx)·sinc²(fy).
  const rings = n >> 1;
  const sumP = new Float64Array(rings + 1);
  const sumF2 = new Float64Array(rings + 1);
  const sumPix = new Float64Array(rings + 1);
  const count = new Float64Array(rings + 1);
  const sinc2 = (f: number) => (f === 0 ? 1 : (Math.sin(Math.PI * f) / (Math.PI * f)) ** 2);
  for (let r = 0; r < n; r++) {
    const fy = (r <= n >> 1 ? r : r - n) / n;
    for (let c = 0; c < n; c++) {
      const fx = (c <= n >> 1 ? c : c - n) / n;
      const ring = Math.round(Math.hypot(fx, fy) * n);
      if (ring < 2 || ring > rings) continue;
      const p = power[r * n + c];
      if (!Number.isFinite(p)) return undefined;
      sumP[ring] += p;
      sumF2[ring] += fx * fx + fy * fy;
      sumPix[ring] += sinc2(fx) * sinc2(fy);
      count[ring]++;
    }
  }
  const m = rings - 1;
  const y = new Float64Array(m);
  const samples = new Float64Array(m);
  const f2 = new Float64Array(m);
  const pix = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const ring = i + 2;
    y[i] = sumP[ring] / count[ring];
    samples[i] = count[ring] * pairs;
    f2[i] = sumF2[ring] / count[ring];
    pix[i] = sumPix[ring] / count[ring];
    if (!(y[i] > 0)) return undefined;
  }
  /**
   * Weighted least squares of y ≈ A·g + C at σ: the misfit χ², A and C. A periodogram value
   * has a standard deviation equal to its mean, so a ring's mean of s values has y/√s: weights
   * s/y² (the window correlates neighbouring frequencies: s overstates the independent ones).
   */
  const solve = (sigma: number): { misfit: number; a: number; c: number } => {
    let sww = 0, swg = 0, swgg = 0, swy = 0, swgy = 0;
    const k = 4 * Math.PI * Math.PI * sigma * sigma;
    for (let i = 0; i < m; i++) {
      const w = samples[i] / (y[i] * y[i]);
      const g = pix[i] * Math.exp(-k * f2[i]);
      sww += w;
      swg += w * g;
      swgg += w * g * g;
      swy += w * y[i];
      swgy += w * g * y[i];
    }
    const det = swgg * sww - swg * swg;
    const a = (swgy * sww - swg * swy) / det;
    const c = (swgg * swy - swg * swgy) / det;
    let misfit = 0;
    for (let i = 0; i < m; i++) misfit += (samples[i] * (y[i] - a * pix[i] * Math.exp(-k * f2[i]) - c) ** 2) / (y[i] * y[i]);
    return { misfit, a, c };
  };
  const [lo, hi] = rules.sigmaRangePx;
  const step = rules.sigmaStepPx;
  let best = lo;
  let bestMisfit = Infinity;
  for (let s = lo; s <= hi + 1e-9; s += step) {
    const { misfit } = solve(s);
    if (misfit < bestMisfit) {
      bestMisfit = misfit;
      best = s;
    }
  }
  if (best <= lo + step / 2 || best >= hi - step / 2) return undefined;
  // The parabola through the grid's best point and its neighbours.
  const left = solve(best - step).misfit;
  const right = solve(best + step).misfit;
  const curvature = left - 2 * bestMisfit + right;
  const fitted = curvature > 0 ? best + (0.5 * step * (left - right)) / curvature : best;
  const { a, c } = solve(fitted);
  if (!(a > 0) || !(a * pix[0] * Math.exp(-4 * Math.PI * Math.PI * fitted * fitted * f2[0]) > rules.signalOverFloor * Math.max(c, 0))) return undefined;
  // The window's leakage: the spectrum seen is the spots' convolved with the Hann window's
  // power spectrum, whose variance along an axis is 1/(3n²) cycles²/px² (Parseval: ∫w'² / (4π²·∫w²));
  // a Gaussian spectrum's, 1/(8π²σ²), grows by it, so σ² = 1/(1/σ̂² − 8π²/(3n²)) (+0.55 % at
  // σ 1.3 px and n = 64, +2.2 % at n = 32).
  const inverse = 1 / (fitted * fitted) - (8 * Math.PI * Math.PI) / (3 * n * n);
  if (!(inverse > 0)) return undefined;
  const sigma = 1 / Math.sqrt(inverse);
  // Standard error from the misfit's curvature (Δχ² = 1), A and C refitted at each σ.
  const sigmaSePx = curvature > 0 ? ((step * Math.sqrt(2 / curvature)) * sigma ** 3) / fitted ** 3 : Infinity;
  return { sigmaPx: sigma, curvatureSePx: sigmaSePx };
}

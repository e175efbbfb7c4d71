import { selectKth } from './selectKth.js';
import type { TileNoise } from './tileNoise.js';

/**
 * Neighbouring frequencies of a Hann-windowed tile are correlated (the window's spectrum spans
 * three bins): a band of B bins measures a variance with about B / 2 independent degrees of freedom.
 */
export const WINDOW_BIN_CORRELATION = 2;

/** The share of the tiles, brightest first, whose spectra decide the band: they carry the slope. */
const BRIGHT_SHARE = 0.25;

/** The lowest ring a band may start at: rings 0 and 1 hold the tile's mean and gradients. */
export const LOWEST_BAND_RING = 2;

/**
 * The tiles whose spectra choose the band, brightest first: the brightest quarter, at least 4.
 * @param tiles - per tile: mean, then the power of each ring (only the means are read)
 * @param stride - values per tile (1 + rings)
 */
export function brightOrder(tiles: Float64Array, stride: number): number[] {
  const n = tiles.length / stride;
  const order = Array.from({ length: n }, (_, t) => t).sort((p, q) => tiles[stride * q] - tiles[stride * p]);
  return order.slice(0, Math.max(4, Math.ceil(n * BRIGHT_SHARE)));
}

/**
 * Which tiles {@link chooseNoiseBand} takes the band from (1) and which it does not (0), from
 * their means alone: their rings from {@link LOWEST_BAND_RING} up are all it reads.
 * @param tiles - per tile: mean, then the power of each ring (only the means are read)
 * @param stride - values per tile (1 + rings)
 * @param order - {@link brightOrder} of the tiles, when already known @default computed
 */
export function brightTiles(tiles: Float64Array, stride: number, order = brightOrder(tiles, stride)): Uint8Array {
  const flags = new Uint8Array(tiles.length / stride);
  for (const t of order) flags[t] = 1;
  return flags;
}

/** The band used: rings ≥ ring, with bins frequencies in all. */
export interface NoiseBand {
  ring: number;
  bins: number;
  /** The leak ratio of the band's lowest ring in the bright tiles (1: none). */
  leak: number;
  /** Whether that ring passed the test (else the band is the corners, and spots may leak into them). */
  clean: boolean;
}

/**
 * Choose the widest band free of signal: the lowest ring J (≥ 2, away from the tile's mean and
 * gradients) whose power per bin, summed over the brightest quarter of the tiles (the ones with
 * spots), exceeds that of the rings above it by less than 1 % or 2.5 standard errors. Spots leak
 * into low rings first (their spectrum falls as exp(−4π²σ²f²)), so the first ring that passes
 * leaves the rings above it clean. Sharp PSFs (σ < 1 px) push the band to the corners; differences
 * of frames, where spots that stay on cancel, and wide PSFs allow more of the spectrum, and with
 * it more degrees of freedom per tile.
 * @param tiles - per tile: mean, then the power of each ring ({@link TileNoise.measure}); only
 *   the rings from {@link LOWEST_BAND_RING} up of the tiles {@link brightTiles} picks are read
 * @param ringBins - frequencies in each ring
 * @param bright - {@link brightOrder} of the tiles, when already known @default computed
 */
export function chooseNoiseBand(tiles: Float64Array, ringBins: Float64Array, bright = brightOrder(tiles, 1 + ringBins.length)): NoiseBand {
  const rings = ringBins.length;
  const stride = 1 + rings;
  const ringPower = new Float64Array(rings);
  for (const t of bright) for (let j = 0; j < rings; j++) ringPower[j] += tiles[stride * t + 1 + j];
  const top = rings - 2;
  let ring = top;
  let leak = 1;
  let clean = false;
  for (let j = LOWEST_BAND_RING; j <= top; j++) {
    let above = 0;
    let aboveBins = 0;
    for (let i = j + 1; i < rings; i++) {
      above += ringPower[i];
      aboveBins += ringBins[i];
    }
    const ratio = ringPower[j] / ringBins[j] / (above / aboveBins);
    const se = Math.sqrt((2 * WINDOW_BIN_CORRELATION) / bright.length * (1 / ringBins[j] + 1 / aboveBins));
    if (ratio - 1 < Math.max(0.01, 2.5 * se)) {
      ring = j;
      leak = ratio;
      clean = true;
      break;
    }
    if (j === top) leak = ratio;
  }
  let bins = 0;
  for (let j = ring; j < rings; j++) bins += ringBins[j];
  return { ring, bins, leak, clean };
}

/** The fit's covariance times this: tiles overlap by half (and spots last several frames). */
const CORRELATION_VARIANCE_FACTOR = 2.25;

/** A line var = slope·mean + intercept (+ prnu2·signal power), its covariance, and the brightness range it spans. */
export interface NoiseLine {
  slope: number;
  intercept: number;
  varSlope: number;
  varIntercept: number;
  covariance: number;
  /** The squared pixel-to-pixel gain spread (PRNU²) fitted, or 0 when no signal power was given. */
  prnu2: number;
  /** (largest − smallest fitted variance) / smallest, over the tiles kept. */
  range: number;
}


/**
 * Fit var = slope·mean + intercept + prnu2·Q to (mean, var) pairs by iteratively reweighted
 * least squares: weights 1/var² (a variance measured from ν degrees of freedom has a standard
 * deviation of var·√(2/ν)) times Huber's weights on the residuals of log var (a variance's
 * distribution is skewed; its logarithm's is nearly symmetric, so clipping it does not pull the
 * line down: the relative residuals clipped at 3 robust sd made the gain 2.4 % too large), so
 * tiles with a hot pixel or a leaking edge do not pull the line. Covariance from the weighted
 * residuals.
 *
 * **Gain spread (PRNU), for differences of frames.** Pixels whose gains differ by a relative p
 * turn a signal s into white noise of variance p²·s², which the band cannot tell from shot
 * noise and which grows faster than the mean. In the difference of two frames, signal that stays
 * cancels with its gain pattern; what is left is the spots that switched on or off between them,
 * and with them p² times their power, and the little of their power that leaks into the band
 * (the same form). With `squares` (each difference tile's w²-weighted mean square, halved), Q =
 * mean square − the tile's own measured variance is that signal's power (white excess, hot
 * pixels, cancels out of it), and prnu2 ≥ 0 is fitted with the line (the plain line when it
 * comes out negative). Measured (3 seeds, 128², 10–50 frames): the simulated sCMOS with 5 %
 * PRNU and 3 % hot pixels went from a gain 5–8 % low to 1–2 %; the uniform sCMOS-like and the
 * EMCCD from 1.5–2 % low (the leak of switching spots) to within 1.5 %. One frame cannot have
 * it: there the signal is the spots themselves, measured against the unknown offset, and the
 * term is nearly collinear with the line (the gain's sd grew from 0.07 to 0.5–5).
 * @param points - (mean ADU, variance ADU²) pairs, interleaved
 * @param dof - degrees of freedom of one variance
 * @param huberK - Huber's cutoff, robust standard deviations
 * @param squares - differences of frames: each tile's mean square ({@link TileNoise.squareMean}), for the PRNU term; none: no such term
 */
export function fitNoiseLine(points: Float64Array, dof: number, huberK: number, squares?: Float64Array): NoiseLine {
  const n = points.length / 2;
  const weights = new Float64Array(n).fill(1);
  const robust = new Float64Array(n).fill(1);
  const q = new Float64Array(n);
  let slope = 0;
  let intercept = 0;
  let prnu2 = 0;
  let withPrnu = false;
  let cov = { ss: 0, ii: 0, si: 0 };
  const solve = () => {
    // Normal equations of y = intercept + slope·x + prnu2·q (q = 0 without the PRNU term).
    let s00 = 0;
    let s01 = 0;
    let s02 = 0;
    let s11 = 0;
    let s12 = 0;
    let s22 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i] * robust[i];
      const x = points[2 * i];
      const y = points[2 * i + 1];
      const z = withPrnu ? q[i] : 0;
      s00 += w;
      s01 += w * x;
      s02 += w * z;
      s11 += w * x * x;
      s12 += w * x * z;
      s22 += w * z * z;
      b0 += w * y;
      b1 += w * x * y;
      b2 += w * z * y;
    }
    if (!withPrnu || !(s22 > 0)) s22 = 1;
    const inv = invert3(s00, s01, s02, s11, s12, s22);
    intercept = inv[0] * b0 + inv[1] * b1 + inv[2] * b2;
    slope = inv[1] * b0 + inv[3] * b1 + inv[4] * b2;
    prnu2 = withPrnu ? inv[2] * b0 + inv[4] * b1 + inv[5] * b2 : 0;
    if (prnu2 < 0) {
      // No gain spread: the plain line.
      const det = s00 * s11 - s01 * s01;
      slope = det > 0 ? (s00 * b1 - s01 * b0) / det : 0;
      intercept = (b0 - slope * s01) / s00;
      prnu2 = 0;
      inv[0] = s11 / det;
      inv[1] = -s01 / det;
      inv[3] = s00 / det;
    }
    // Residual variance per unit weight, then the covariance of (slope, intercept).
    let chi = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i] * robust[i];
      const e = points[2 * i + 1] - slope * points[2 * i] - intercept - prnu2 * q[i];
      chi += w * e * e;
      kept += robust[i];
    }
    // Overlapping tiles and spots that stay on over frames make neighbouring points correlated:
    // the spread of the gain over 8 seeds was up to 1.8× the plain covariance's.
    const s2 = (CORRELATION_VARIANCE_FACTOR * chi) / Math.max(1, kept - (prnu2 > 0 ? 3 : 2));
    cov = { ss: s2 * inv[3], ii: s2 * inv[0], si: s2 * inv[1] };
  };
  solve();
  const relative = new Float64Array(n);
  for (let iteration = 0; iteration < 30; iteration++) {
    const previous = slope;
    const previousPrnu = prnu2;
    if (squares) {
      withPrnu = true;
      // The signal's power: the mean square less the tile's own measured variance, so white
      // excess noise (hot pixels) cancels out of it and is not taken for gain spread.
      for (let i = 0; i < n; i++) q[i] = Math.max(0, squares[i] - points[2 * i + 1]);
    }
    for (let i = 0; i < n; i++) {
      const predicted = Math.max(1e-12, slope * points[2 * i] + intercept + prnu2 * q[i]);
      weights[i] = 1 / (predicted * predicted);
      relative[i] = Math.log(Math.max(points[2 * i + 1], 1e-12 * predicted) / predicted);
    }
    const scale = Math.max(1.4826 * medianAbs(relative), 0.5 * Math.sqrt(2 / dof));
    for (let i = 0; i < n; i++) {
      const u = Math.abs(relative[i]) / scale;
      robust[i] = u <= huberK ? 1 : huberK / u;
    }
    solve();
    if (Math.abs(slope - previous) <= 1e-9 * Math.abs(slope) && Math.abs(prnu2 - previousPrnu) <= 1e-9 * Math.max(1e-12, prnu2)) break;
  }
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (robust[i] < 0.5) continue;
    const v = slope * points[2 * i] + intercept + prnu2 * q[i];
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return { slope, intercept, varSlope: cov.ss, varIntercept: cov.ii, covariance: cov.si, prnu2, range: (high - low) / Math.max(1e-12, low) };
}

/** The inverse of a symmetric 3×3 matrix (a b c; b d e; c e f), as its upper triangle [00, 01, 02, 11, 12, 22]. */
function invert3(a: number, b: number, c: number, d: number, e: number, f: number): number[] {
  const A = d * f - e * e;
  const B = c * e - b * f;
  const C = b * e - c * d;
  const det = a * A + b * B + c * C;
  return [A / det, B / det, C / det, (a * f - c * c) / det, (b * c - a * e) / det, (a * d - b * b) / det];
}

/** Median of |values| (values is left as it is: a copy is reordered). */
function medianAbs(values: Float64Array): number {
  const a = new Float64Array(values.length);
  let finite = true;
  for (let i = 0; i < a.length; i++) {
    a[i] = Math.abs(values[i]);
    if (a[i] !== a[i]) finite = false;
  }
  // Selection: the value a sort puts in the middle (a NaN, which sorts last, by the sort).
  return finite ? selectKth(a, a.length >> 1) : a.sort()[a.length >> 1];
}

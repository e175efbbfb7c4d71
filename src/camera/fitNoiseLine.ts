import type { TileNoise } from './tileNoise.js';

/**
 * Neighbouring frequencies of a Hann-windowed tile are correlated (the window's spectrum spans
 * three bins): a band of B bins measures a variance with about B / 2 independent degrees of freedom.
 */
export const WINDOW_BIN_CORRELATION = 2;

/** The share of the tiles, brightest first, whose spectra decide the band: they carry the slope. */
const BRIGHT_SHARE = 0.25;

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
 * @param tiles - per tile: mean, then the power of each ring ({@link TileNoise.measure})
 * @param ringBins - frequencies in each ring
 */
export function chooseNoiseBand(tiles: Float64Array, ringBins: Float64Array): NoiseBand {
  const rings = ringBins.length;
  const stride = 1 + rings;
  const n = tiles.length / stride;
  const order = Array.from({ length: n }, (_, t) => t).sort((p, q) => tiles[stride * q] - tiles[stride * p]);
  const bright = order.slice(0, Math.max(4, Math.ceil(n * BRIGHT_SHARE)));
  const ringPower = new Float64Array(rings);
  for (const t of bright) for (let j = 0; j < rings; j++) ringPower[j] += tiles[stride * t + 1 + j];
  const top = rings - 2;
  let ring = top;
  let leak = 1;
  let clean = false;
  for (let j = 2; j <= top; j++) {
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

/** A line var = slope·mean + intercept, its covariance, and the brightness range it spans. */
export interface NoiseLine {
  slope: number;
  intercept: number;
  varSlope: number;
  varIntercept: number;
  covariance: number;
  /** (largest − smallest fitted variance) / smallest, over the tiles kept. */
  range: number;
}

/**
 * Fit var = slope·mean + intercept to (mean, var) pairs by iteratively reweighted least squares:
 * weights 1/var² (a variance measured from ν degrees of freedom has a standard deviation of
 * var·√(2/ν)) times Huber's weights on the residuals of log var (a variance's distribution is
 * skewed; its logarithm's is nearly symmetric, so clipping it does not pull the line down: the
 * relative residuals clipped at 3 robust sd made the gain 2.4 % too large), so tiles with a hot pixel or a
 * leaking edge do not pull the line. Covariance from the weighted residuals.
 * @param points - (mean ADU, variance ADU²) pairs, interleaved
 * @param dof - degrees of freedom of one variance
 * @param huberK - Huber's cutoff, robust standard deviations
 */
export function fitNoiseLine(points: Float64Array, dof: number, huberK: number): NoiseLine {
  const n = points.length / 2;
  const weights = new Float64Array(n).fill(1);
  const robust = new Float64Array(n).fill(1);
  let slope = 0;
  let intercept = 0;
  let cov = { ss: 0, ii: 0, si: 0 };
  const solve = () => {
    let sw = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i] * robust[i];
      const x = points[2 * i];
      const y = points[2 * i + 1];
      sw += w;
      sx += w * x;
      sy += w * y;
      sxx += w * x * x;
      sxy += w * x * y;
    }
    const det = sw * sxx - sx * sx;
    slope = det > 0 ? (sw * sxy - sx * sy) / det : 0;
    intercept = (sy - slope * sx) / sw;
    // Residual variance per unit weight, then the covariance of (slope, intercept).
    let chi = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i] * robust[i];
      const e = points[2 * i + 1] - slope * points[2 * i] - intercept;
      chi += w * e * e;
      kept += robust[i];
    }
    // Overlapping tiles and spots that stay on over frames make neighbouring points correlated:
    // the spread of the gain over 8 seeds was up to 1.8× the plain covariance's.
    const s2 = (CORRELATION_VARIANCE_FACTOR * chi) / Math.max(1, kept - 2);
    cov = { ss: (s2 * sw) / det, ii: (s2 * sxx) / det, si: (-s2 * sx) / det };
  };
  solve();
  const relative = new Float64Array(n);
  for (let iteration = 0; iteration < 20; iteration++) {
    const previous = slope;
    for (let i = 0; i < n; i++) {
      const predicted = Math.max(1e-12, slope * points[2 * i] + intercept);
      weights[i] = 1 / (predicted * predicted);
      relative[i] = Math.log(Math.max(points[2 * i + 1], 1e-12 * predicted) / predicted);
    }
    const scale = Math.max(1.4826 * medianAbs(relative), 0.5 * Math.sqrt(2 / dof));
    for (let i = 0; i < n; i++) {
      const u = Math.abs(relative[i]) / scale;
      robust[i] = u <= huberK ? 1 : huberK / u;
    }
    solve();
    if (Math.abs(slope - previous) <= 1e-9 * Math.abs(slope)) break;
  }
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (robust[i] < 0.5) continue;
    const v = slope * points[2 * i] + intercept;
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return { slope, intercept, varSlope: cov.ss, varIntercept: cov.ii, covariance: cov.si, range: (high - low) / Math.max(1e-12, low) };
}

/** Median of |values| (values is reordered). */
function medianAbs(values: Float64Array): number {
  const a = Float64Array.from(values, Math.abs).sort();
  return a[a.length >> 1];
}


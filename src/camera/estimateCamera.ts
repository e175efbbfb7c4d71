import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { PixelArray } from '../io/Frame.js';
import { TileNoise } from './tileNoise.js';

/** One frame given to {@link estimateCamera}: pixels row-major, ADU. */
export interface FrameSample {
  readonly data: PixelArray;
  readonly width: number;
  readonly height: number;
}

/** What is known of the camera beforehand. */
export interface CameraEstimateOptions {
  /** Known EM gain: the gain is then the true photoelectrons per ADU, not an effective one. @default unknown */
  emGain?: number;
  /** Quantum efficiency (does not change the estimate: noise counts photoelectrons). @default 1 */
  qe?: number;
}

/** Every default of the estimator, stated once. */
export const CAMERA_ESTIMATE_DEFAULTS = {
  /** Tile side, px (a smaller one for frames under two tiles wide). */
  tilePx: 16,
  /** Most tiles measured (frames beyond are skipped evenly): bounds the time on long stacks. */
  maxTiles: 20000,
  /** Huber's cutoff of the robust line fit, in robust standard deviations of the residuals. */
  huberK: 3,
  /** Effective gains below this many photons per ADU suggest an EM register (F² = 2 folded in). */
  emLikelyPhotonsPerAdu: 0.1,
} as const;

/** The camera as estimated from frames, with standard deviations. */
export interface CameraEstimate {
  /** Camera offset (base level), ADU. */
  baselineAdu: number;
  baselineSdAdu: number;
  /** Photoelectrons per A/D count (CameraModel's `photonsPerAdu`). */
  photonsPerAdu: number;
  photonsPerAduSd: number;
  /** Read noise at the readout, e⁻ rms. */
  readNoiseElectrons: number;
  readNoiseSdElectrons: number;
  /** true when an EM register's excess noise (F² = 2) is folded into the gain: photon counts are per F² then. */
  effectiveGain: boolean;
  /**
   * The offset that folds the read noise into a shifted Poisson (read noise 0): positions, photon
   * counts and uncertainties of a fit are the same with it as with the true offset and read
   * noise; only the fitted background is larger, by the read noise² in photoelectrons. ADU.
   */
  effectiveBaselineAdu: number;
  effectiveBaselineSdAdu: number;
  /** Whether offset and read noise were told apart (else baselineAdu is the effective one, read noise 0). */
  offsetIdentified: boolean;
  /** Slope of noise variance against mean, ADU (F²/photonsPerAdu·emGain), and its intercept, ADU². */
  slopeAdu: number;
  interceptAdu2: number;
  frames: number;
  pixelsUsed: number;
  /** Tiles measured and tiles the robust fit kept (weight above one half). */
  tiles: number;
  method: string;
  /** reasons the estimate is weak (too few frames, too little brightness range, ...) in words */
  warnings: string[];
}

/**
 * Estimate a camera's offset, gain and read noise from the frames themselves.
 *
 * TODO: full method description (filled in below as the method settles).
 * @param frames - one or more frames of one stack (same size), ADU
 * @param options - what is known of the camera
 */
export function estimateCamera(frames: readonly FrameSample[], options: CameraEstimateOptions = {}): CameraEstimate {
  if (frames.length === 0) throw new InvalidOptionError('the camera cannot be estimated from no frames', 'camera');
  const { width, height } = frames[0];
  for (const f of frames) {
    if (f.width !== width || f.height !== height || f.data.length !== width * height) throw new InvalidOptionError(`the frames to estimate the camera from must all be ${width}×${height} px`, 'camera');
  }
  const emGain = options.emGain;
  if (emGain !== undefined && !(emGain >= 1 && Number.isFinite(emGain))) throw new InvalidOptionError(`EM gain must be ≥ 1 (1 without EM), got ${emGain}`, 'camera.emGain');
  const d = CAMERA_ESTIMATE_DEFAULTS;
  const side = Math.min(width, height);
  const tilePx = side >= 2 * d.tilePx ? d.tilePx : side >= 16 ? 8 : 0;
  if (tilePx === 0) throw new InvalidOptionError(`frames of ${width}×${height} px are too small to estimate the camera from (at least 16×16 px)`, 'camera');
  const noise = new TileNoise(tilePx);
  const perFrame = Math.floor(width / tilePx) * Math.floor(height / tilePx);
  // Pairs of consecutive frames (their difference cancels fixed structure), or the one frame.
  const pairs: [PixelArray, PixelArray | undefined][] = [];
  if (frames.length === 1) pairs.push([frames[0].data, undefined]);
  for (let f = 0; f + 1 < frames.length; f += 2) pairs.push([frames[f].data, frames[f + 1].data]);
  const step = Math.max(1, Math.ceil((pairs.length * perFrame) / d.maxTiles));
  const used = pairs.filter((_, i) => i % step === 0);
  const top = integerRange(frames[0].data);
  const points = new Float64Array(2 * used.length * perFrame);
  let n = 0;
  for (const [a, b] of used) {
    for (let r0 = 0; r0 + tilePx <= height; r0 += tilePx) {
      for (let c0 = 0; c0 + tilePx <= width; c0 += tilePx) {
        if (clipped(a, width, r0, c0, tilePx, top) || (b && clipped(b, width, r0, c0, tilePx, top))) continue;
        noise.measure(a, width, r0, c0, b, points, 2 * n);
        n++;
      }
    }
  }
  const framesUsed = used.reduce((s, [, b]) => s + (b ? 2 : 1), 0);
  const warnings: string[] = [];
  if (n < 8) throw new InvalidOptionError(`only ${n} unsaturated ${tilePx}×${tilePx} px tiles: too few to estimate the camera from`, 'camera');
  const line = fitNoiseLine(points.subarray(0, 2 * n), noise.degreesOfFreedom, d.huberK);
  if (!(line.slope > 0)) throw new InvalidOptionError(`the frames' noise does not grow with their brightness (slope ${line.slope.toPrecision(3)} ADU): the camera cannot be estimated from them`, 'camera');
  const { slope, intercept } = line;
  const effective = -intercept / slope;
  const effectiveSd = Math.sqrt((intercept / slope ** 2) ** 2 * line.varSlope + line.varIntercept / slope ** 2 - (2 * intercept / slope ** 3) * line.covariance);
  const f2 = emGain !== undefined && emGain > 1 ? 2 : 1;
  const gainFactor = emGain !== undefined ? f2 * emGain : 1;
  const photonsPerAdu = gainFactor / slope;
  const photonsPerAduSd = (photonsPerAdu * Math.sqrt(line.varSlope)) / slope;
  const effectiveGain = emGain === undefined && photonsPerAdu < d.emLikelyPhotonsPerAdu;
  if (effectiveGain) warnings.push(`the gain (${photonsPerAdu.toPrecision(3)} photons per ADU) suggests an EM camera: without its EM gain the gain is an effective one (photon counts per F² = 2); give the EM gain for true photon counts`);
  if (line.range < 0.5) warnings.push(`too little brightness range: the tiles' noise varies by ${(100 * line.range).toFixed(0)} % only (more spots or structure, or more frames, would help)`);
  if (frames.length < 2) warnings.push('one frame: the offset includes fixed pattern noise (sCMOS pixel offsets); more frames remove it');
  warnings.push('offset and read noise cannot be told apart by noise alone: the offset given is the effective one (read noise folded into a shifted Poisson, read noise 0)');
  return {
    baselineAdu: effective,
    baselineSdAdu: effectiveSd,
    photonsPerAdu,
    photonsPerAduSd,
    readNoiseElectrons: 0,
    readNoiseSdElectrons: 0,
    effectiveGain,
    effectiveBaselineAdu: effective,
    effectiveBaselineSdAdu: effectiveSd,
    offsetIdentified: false,
    slopeAdu: slope,
    interceptAdu2: intercept,
    frames: framesUsed,
    pixelsUsed: n * tilePx * tilePx,
    tiles: n,
    method: `PCFO: noise power at |fx|,|fy| ≥ 0.375 cycles/px against the mean in ${n} tiles of ${tilePx}×${tilePx} px${frames.length > 1 ? ', differences of consecutive frames' : ', one frame'}; robust weighted line fit`,
    warnings,
  };
}

/** The range of an integer pixel array's type, [lowest, highest] (clipped pixels lie on them); none for floats. */
function integerRange(data: PixelArray): readonly [number, number] {
  if (data instanceof Uint8Array) return [0, 255];
  if (data instanceof Uint16Array) return [0, 65535];
  if (data instanceof Int16Array) return [-32768, 32767];
  if (data instanceof Int8Array) return [-128, 127];
  if (data instanceof Uint32Array) return [0, 4294967295];
  if (data instanceof Int32Array) return [-2147483648, 2147483647];
  return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
}

/** Whether a tile has a pixel at either end of its type's range (saturated, or clipped at 0). */
function clipped(data: PixelArray, width: number, row0: number, column0: number, t: number, range: readonly [number, number]): boolean {
  const [low, high] = range;
  for (let r = 0; r < t; r++) {
    const base = (row0 + r) * width + column0;
    for (let c = 0; c < t; c++) {
      const v = data[base + c];
      if (v >= high || v <= low) return true;
    }
  }
  return false;
}

/** A line var = slope·mean + intercept, its covariance, and the brightness range it spans. */
interface NoiseLine {
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
 * var·√(2/ν)) times Huber's weights on the relative residuals, so tiles with a hot pixel or a
 * leaking edge do not pull the line. Covariance from the weighted residuals.
 */
function fitNoiseLine(points: Float64Array, dof: number, huberK: number): NoiseLine {
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
    const s2 = chi / Math.max(1, kept - 2);
    cov = { ss: (s2 * sw) / det, ii: (s2 * sxx) / det, si: (-s2 * sx) / det };
  };
  solve();
  const relative = new Float64Array(n);
  for (let iteration = 0; iteration < 20; iteration++) {
    const previous = slope;
    for (let i = 0; i < n; i++) {
      const predicted = Math.max(1e-12, slope * points[2 * i] + intercept);
      weights[i] = 1 / (predicted * predicted);
      relative[i] = points[2 * i + 1] / predicted - 1;
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

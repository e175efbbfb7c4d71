import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { NoiseSource } from './detectionNoise.js';
import { NOISE_SOURCES } from './detectionNoise.js';
import type { FilterKind } from './FilterKernel.js';
import { FILTER_KINDS } from './FilterKernel.js';

/** Where the detection filter runs: the WebAssembly kernel, or the JavaScript reference. */
export type DetectEngine = 'wasm' | 'js';

/** Every default of the detector options, stated once (the CLI's help and the README read them here). */
export const DETECT_DEFAULTS = {
  filter: 'bspline7' as FilterKind,
  threshold: 1.15,
  minDistancePx: 2,
  noiseSamples: 8192,
  engine: 'wasm' as DetectEngine,
  noiseSource: 'auto' as NoiseSource,
} as const;

/**
 * The largest threshold multiplier K accepted: no spot a camera records passes a higher one.
 * Measured (simulate --photons 50000 --background 1 --read-noise 0, 5 frames of 64×64 px):
 * K = 1000 keeps 23 of 50 candidates, K = 3000 none. K scales with N/√b; a 16-bit pixel caps a
 * spot of σ = 1.3 px near N = 7·10⁵ photons, 14× the measured one, so K = 10⁵ is beyond reach
 * with any background of a photon or more. (ThunderSTORM's default is 1; ours 1.15.)
 */
export const MAX_THRESHOLD = 1e5;

/** Options of the spot detector. */
export interface DetectOptions {
  /**
   * The spot filter ({@link FilterKind}): ThunderSTORM's exactly ('thunderstorm': 5 taps,
   * duplicated then zero padding, so the threshold means its K·std(Wave.F1)), its kernel with
   * mirrored borders ('bspline5'), or the 7-tap B-spline with mirroring ('bspline7'). The
   * default was chosen by recall and false positives on simulated stacks (README: "Detection
   * defaults, measured"): at equal false positives the 7-tap filter finds the most faint spots,
   * and ThunderSTORM's padding adds false positives along the border that grow with the
   * background (2.9 per 256×256 frame at 1000 photons/px). @default 'bspline7'
   */
  filter?: FilterKind;
  /**
   * Threshold multiplier K: a candidate's F2 must exceed K · std(F1) (ThunderSTORM's
   * `K*std(Wave.F1)`), raised near the image border by the filter's higher noise gain there.
   * @default 1.15
   */
  threshold?: number;
  /** Minimum distance between candidates, px; the weaker of two closer ones is dropped. @default 2 */
  minDistancePx?: number;
  /** Pixels sampled (a regular grid) for the robust noise estimate of each frame. @default 8192 */
  noiseSamples?: number;
  /**
   * Where the filter runs: `'wasm'` (the f32 SIMD kernel) or `'js'` (the f64 reference). Frames
   * under twice the filter's margin a side (12 px for 5 taps, 18 for 7) run in JavaScript; the
   * run's record says which ran. @default 'wasm'
   */
  engine?: DetectEngine;
  /**
   * Where the threshold's noise std(F1) comes from ({@link NoiseSource}): `'camera'`, the camera
   * model at the frame's background level (tiles of the smoothed frame), which spots do not
   * inflate; `'data'`, the MAD of F1 on pixels without spots; `'auto'`, the camera wherever the
   * detector has one (every pipeline run). @default 'auto'
   */
  noiseSource?: NoiseSource;
}

/** Every detector option resolved. */
export interface ResolvedDetectOptions {
  readonly filter: FilterKind;
  readonly threshold: number;
  readonly minDistancePx: number;
  readonly noiseSamples: number;
  readonly engine: DetectEngine;
  readonly noiseSource: NoiseSource;
}

/** Resolve and check detector options. */
export function resolveDetectOptions(options: DetectOptions = {}): ResolvedDetectOptions {
  const threshold = options.threshold ?? DETECT_DEFAULTS.threshold;
  const minDistancePx = options.minDistancePx ?? DETECT_DEFAULTS.minDistancePx;
  const noiseSamples = options.noiseSamples ?? DETECT_DEFAULTS.noiseSamples;
  const engine = options.engine ?? DETECT_DEFAULTS.engine;
  const filter = options.filter ?? DETECT_DEFAULTS.filter;
  const noiseSource = options.noiseSource ?? DETECT_DEFAULTS.noiseSource;
  if (!FILTER_KINDS.includes(filter)) throw new InvalidOptionError(`detection filter must be ${FILTER_KINDS.join(', ')}, got ${String(filter)}`, 'detect.filter');
  if (!(threshold > 0 && threshold <= MAX_THRESHOLD)) throw new InvalidOptionError(`the detection threshold must be > 0 and at most ${MAX_THRESHOLD} (a multiple of std(Wave.F1); no spot passes more), got ${threshold}`, 'detect.threshold');
  if (!(minDistancePx >= 0 && Number.isFinite(minDistancePx))) throw new InvalidOptionError(`minimum candidate distance must be ≥ 0 px, got ${minDistancePx}`, 'detect.minDistancePx');
  if (!(Number.isInteger(noiseSamples) && noiseSamples >= 64)) throw new InvalidOptionError(`noise samples must be a whole number ≥ 64, got ${noiseSamples}`, 'detect.noiseSamples');
  if (engine !== 'wasm' && engine !== 'js') throw new InvalidOptionError(`detection engine must be 'wasm' or 'js', got ${String(engine)}`, 'detect.engine');
  if (!NOISE_SOURCES.includes(noiseSource)) throw new InvalidOptionError(`the detection noise source must be ${NOISE_SOURCES.join(', ')}, got ${String(noiseSource)}`, 'detect.noiseSource');
  return { filter, threshold, minDistancePx, noiseSamples, engine, noiseSource };
}

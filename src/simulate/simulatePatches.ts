import { GaussianAxis } from '../fit/GaussianAxis.js';
import { Random } from './Random.js';
import { renderSpot } from './renderSpot.js';

/**
 * A demonstration's patches (`smlm-stream fit-demo`): how many, their width (px, odd), the PSF σ
 * (px), photons per spot, background (photons/px) and the seed.
 */
export const PATCH_DEMO_DEFAULTS = { count: 20000, box: 7, sigmaPx: 1.3, photons: 2000, background: 20, seed: 1 } as const;

/** Options of {@link simulatePatches}. */
export interface SimulatePatchesOptions {
  /** Number of patches. */
  count: number;
  /** Patch width, px. */
  box: number;
  /** PSF σ, px. */
  sigmaPx: number;
  /** N, photons per spot. */
  photons: number;
  /** b, photons/px. */
  background: number;
  /** Seed of the generator. */
  seed: number;
  /** Half-width of the uniform range of true positions around the patch centre, px. @default 1.5 */
  jitterPx?: number;
  /** Draw Poisson counts; false gives the expected counts μ exactly. @default true */
  noise?: boolean;
}

/** Simulated patches and the truth they were drawn from. */
export interface SimulatedPatches {
  /** Row-major patches, `count · box²` photon counts. */
  data: Float64Array;
  /** True x per patch, px in the patch. */
  x: Float64Array;
  /** True y per patch, px in the patch. */
  y: Float64Array;
}

/**
 * Patches of one spot each from the fit's own model (pixel-integrated Gaussian plus a flat
 * background), with Poisson noise, at positions uniform within ±`jitterPx` of the patch centre.
 * For tests and benchmarks with ground truth.
 *
 * @param options - see {@link SimulatePatchesOptions}
 * @returns the patches and the true positions
 */
export function simulatePatches(options: SimulatePatchesOptions): SimulatedPatches {
  const { count, box, sigmaPx, photons, background, seed } = options;
  const jitter = options.jitterPx ?? 1.5;
  const noise = options.noise ?? true;
  const rng = new Random(seed);
  const area = box * box;
  const data = new Float64Array(count * area);
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  const xAxis = new GaussianAxis(box);
  const yAxis = new GaussianAxis(box);
  for (let p = 0; p < count; p++) {
    x[p] = box / 2 + (2 * rng.uniform() - 1) * jitter;
    y[p] = box / 2 + (2 * rng.uniform() - 1) * jitter;
    const patch = data.subarray(p * area, (p + 1) * area);
    patch.fill(background);
    renderSpot(patch, box, 0, 0, xAxis, yAxis, x[p], y[p], photons, sigmaPx);
    if (noise) for (let k = 0; k < area; k++) patch[k] = rng.poisson(patch[k]);
  }
  return { data, x, y };
}

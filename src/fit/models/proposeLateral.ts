import { MAX_SHRINK, MIN_BACKGROUND, MIN_PHOTONS } from '../fitConstants.js';

/**
 * The step limits every {@link PsfModel} shares for its first four parameters θ = (x, y, N, b):
 * `trial` = θ + δ with x, y (px) free, N (photons) and b (photons/px) shrinking by at most
 * MAX_SHRINK of themselves and staying above MIN_PHOTONS, MIN_BACKGROUND (μ stays positive).
 * A model limits its further parameters itself.
 * @returns the larger of |Δx|, |Δy|, px
 */
export function proposeLateral(theta: Float64Array, step: Float64Array, trial: Float64Array): number {
  trial[0] = theta[0] + step[0];
  trial[1] = theta[1] + step[1];
  trial[2] = Math.max(theta[2] + step[2], Math.max(MIN_PHOTONS, theta[2] * (1 - MAX_SHRINK)));
  trial[3] = Math.max(theta[3] + step[3], Math.max(MIN_BACKGROUND, theta[3] * (1 - MAX_SHRINK)));
  return Math.max(Math.abs(trial[0] - theta[0]), Math.abs(trial[1] - theta[1]));
}

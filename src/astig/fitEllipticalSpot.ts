import { FisherScoring } from '../fit/FisherScoring.js';
import { STATUS_CONVERGED } from '../fit/fitConstants.js';
import { PoissonEstimator } from '../fit/PoissonEstimator.js';
import { ELLIPTICAL_MIN_SIGMA_PX, EllipticalSpotModel } from './EllipticalSpotModel.js';

/**
 * Iterations of a bead's fit: from the window's moments the fits of simulated beads (σ 1–4 px,
 * 2 000–20 000 photons) converge in 5–15 (each σ moves by at most a quarter of itself a step).
 */
const ITERATIONS = 100;
/** Converged when an accepted step moves the position and the widths by less than this, px. */
const TOLERANCE_PX = 1e-4;

/** An elliptical spot's fit: centre (px in the window), photons, background, σx, σy (px). */
export interface EllipticalFit {
  readonly x: number;
  readonly y: number;
  readonly photons: number;
  readonly background: number;
  readonly sigmaX: number;
  readonly sigmaY: number;
  /** Whether the fit converged inside the window with widths inside their range and photons. */
  readonly ok: boolean;
}

/**
 * Fit μ = N·Ex(x; σx)·Ey(y; σy) + b, the pixel-integrated elliptical Gaussian
 * ({@link EllipticalSpotModel}), to a square window of photons by Poisson maximum likelihood:
 * the project's one estimator (PoissonEstimator) and solver (FisherScoring, damped Fisher
 * scoring with a real convergence test), from the window's centroid and second moments. For
 * calibration beads, not a hot loop: the model and its scratch are made per call.
 * @param data - photons, row-major, `box` × `box`
 * @param box - window width, px
 * @param start - σ to start from where the window's moments give none, px
 */
export function fitEllipticalSpot(data: ArrayLike<number>, box: number, start: { sigmaPx: number }): EllipticalFit {
  const model = new EllipticalSpotModel(box, start.sigmaPx);
  const estimator = new PoissonEstimator(model);
  const solver = new FisherScoring(6);
  const theta = new Float64Array(6);
  const window = Float64Array.from({ length: box * box }, (_, i) => data[i]);
  if (!model.start(window, 0, theta)) return { x: Number.NaN, y: Number.NaN, photons: Number.NaN, background: Number.NaN, sigmaX: Number.NaN, sigmaY: Number.NaN, ok: false };
  estimator.bind(window, 0, undefined);
  const status = solver.run(estimator, theta, 6, ITERATIONS, TOLERANCE_PX);
  const [x, y, photons, background, sigmaX, sigmaY] = theta;
  const inside = (v: number) => v > 0.5 && v < box - 0.5;
  const width = (s: number) => s > ELLIPTICAL_MIN_SIGMA_PX * 1.01 && s < box / 2 - 0.01;
  return { x, y, photons, background, sigmaX, sigmaY, ok: status === STATUS_CONVERGED && inside(x) && inside(y) && photons > 1 && width(sigmaX) && width(sigmaY) };
}

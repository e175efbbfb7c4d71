import { choleskyInverseDiagonal } from '../fit/cholesky.js';
import type { ScoringModel } from '../fit/FisherScoring.js';
import { FisherScoring } from '../fit/FisherScoring.js';
import {
  LEAVE_PATCH_PX,
  MAX_SHRINK,
  MAX_Z_STEP_NM,
  MIN_BACKGROUND,
  MIN_PHOTONS,
  STATUS_BAD_DATA,
  STATUS_CONVERGED,
  STATUS_SINGULAR,
  STATUS_Z_RANGE,
  Z_EDGE_NM,
  Z_START_HIGH,
  Z_START_LOW,
  Z_START_MID,
} from '../fit/fitConstants.js';
import { residualSpread } from '../fit/residualSpread.js';
import { GaussianAxis } from '../fit/GaussianAxis.js';
import { poissonLogLikelihood } from '../fit/poissonLogLikelihood.js';
import type { AstigmaticCalibration } from './AstigmaticCalibration.js';
import type { AstigmaticFitter } from './AstigmaticFitter.js';
import { defocusSlope } from './DefocusCurve.js';

/** Parameters of the 3-D fit: x, y (px in the patch), N (photons), b (photons/px), z (nm). */
const P = 5;
/** The z starts (fitConstants.ts), as fractions of the half range about its centre. */
const Z_STARTS = [Z_START_LOW, Z_START_MID, Z_START_HIGH] as const;

/**
 * The 3-D fit of one astigmatic spot (docs/design.md §8): Poisson maximum likelihood of
 *
 *     μ_i = N · Ex(x; σx(z)) · Ey(y; σy(z)) + b,
 *
 * θ = (x, y, N, b, z), σx(z), σy(z) from the calibration's defocus curves, the pixel-integrated
 * axis terms and their σ-derivatives from {@link GaussianAxis} (∂μ/∂z = N·(∂Ex/∂σx·σx′·Ey +
 * Ex·∂Ey/∂σy·σy′)). Fisher scoring with Levenberg–Marquardt damping, z kept inside the
 * calibrated range; the likelihood is not convex in z, so three z starts are ranked by their ℓ
 * and the fit runs from the best, from the next only when it does not converge (measured: the
 * same precision as fitting all three and keeping the best, 2.4–2.9× faster);
 * with the camera's shift s the shifted Poisson of n + s with mean μ + s. The CRLB of every
 * parameter from the 5-parameter Fisher information. Allocates nothing per fit; never throws:
 * the status says what happened (STATUS_Z_RANGE when z ends at an edge of the range).
 */
export class AstigmaticFit implements AstigmaticFitter {
  readonly box: number;
  /** θ̂ after {@link fit}: x, y (px in the patch), N, b, z (nm). */
  readonly theta = new Float64Array(P);
  /** √CRLB of each parameter (x, y in px, z in nm), before any noise scale. */
  readonly crlb = new Float64Array(P);
  /** σx, σy at θ̂, nm. */
  sigmaXNm = Number.NaN;
  sigmaYNm = Number.NaN;
  logLikelihood = Number.NaN;
  iterations = 0;
  private readonly ax: GaussianAxis;
  private readonly ay: GaussianAxis;
  private readonly mu: Float64Array;
  private readonly scoring = new FisherScoring(P);
  private readonly best = new Float64Array(P);
  /** The patch being fitted (set by {@link fit} for the model's callbacks). */
  private readonly job: { data: Float64Array; at: number; shift: Float64Array | undefined } = { data: new Float64Array(0), at: 0, shift: undefined };
  private readonly model: ScoringModel;
  private readonly d = new Float64Array(P);
  private readonly scratch = new Float64Array(P * P + P);
  private readonly slope = new Float64Array(2);
  /** σ′ of the axes at the θ last evaluated, px per nm. */
  private slopeX = 0;
  private slopeY = 0;
  private readonly pixel: number;

  /**
   * @param box - patch width, px
   * @param calibration - the defocus curves and their range
   */
  constructor(box: number, private readonly calibration: AstigmaticCalibration) {
    this.box = box;
    this.ax = new GaussianAxis(box);
    this.ay = new GaussianAxis(box);
    this.mu = new Float64Array(box * box);
    this.pixel = calibration.pixelSizeNm;
    const job = this.job;
    const [lo, hi] = calibration.zRangeNm;
    this.model = {
      evaluate: (theta) => this.evaluate(theta, job.data, job.at, job.shift),
      derivatives: (theta) => this.derivatives(theta, job.data, job.at, job.shift),
      propose: (theta, step, trial) => {
        trial[0] = theta[0] + step[0];
        trial[1] = theta[1] + step[1];
        trial[2] = Math.max(theta[2] + step[2], Math.max(MIN_PHOTONS, theta[2] * (1 - MAX_SHRINK)));
        trial[3] = Math.max(theta[3] + step[3], Math.max(MIN_BACKGROUND, theta[3] * (1 - MAX_SHRINK)));
        trial[4] = Math.min(hi, Math.max(lo, theta[4] + Math.max(-MAX_Z_STEP_NM, Math.min(MAX_Z_STEP_NM, step[4]))));
        // Converged on the lateral step (px) and the z step in units of a pixel.
        return Math.max(Math.abs(trial[0] - theta[0]), Math.abs(trial[1] - theta[1]), Math.abs(trial[4] - theta[4]) / this.pixel);
      },
      leftWindow: (theta) => theta[0] < -LEAVE_PATCH_PX || theta[1] < -LEAVE_PATCH_PX || theta[0] > box + LEAVE_PATCH_PX || theta[1] > box + LEAVE_PATCH_PX,
    };
  }

  /** μ for θ into `mu` (axes and σ slopes at θ); ℓ, or −∞ where μ + s ≤ 0 or σ is undefined. */
  private evaluate(theta: Float64Array, data: Float64Array, at: number, shift: Float64Array | undefined): number {
    const { box, mu, ax, ay, slope, pixel, calibration: c } = this;
    defocusSlope(c.x, theta[4], slope);
    const sx = slope[0] / pixel;
    this.slopeX = slope[1] / pixel;
    defocusSlope(c.y, theta[4], slope);
    const sy = slope[0] / pixel;
    this.slopeY = slope[1] / pixel;
    if (!(sx > 0 && sy > 0)) return Number.NEGATIVE_INFINITY;
    this.sigmaXNm = sx * pixel;
    this.sigmaYNm = sy * pixel;
    ax.evaluate(theta[0], sx, true);
    ay.evaluate(theta[1], sy, true);
    const n = theta[2];
    const b = theta[3];
    for (let r = 0; r < box; r++) {
      for (let col = 0; col < box; col++) {
        const i = r * box + col;
        const m = n * ax.value[col] * ay.value[r] + b;
        mu[i] = m;
      }
    }
    return poissonLogLikelihood(mu, data, at, box * box, shift);
  }

  /** ∇ℓ and the Fisher information at the θ last evaluated. */
  private derivatives(theta: Float64Array, data: Float64Array, at: number, shift: Float64Array | undefined): void {
    const { box, mu, ax, ay, d, scoring } = this;
    scoring.clear(P);
    const n = theta[2];
    for (let r = 0; r < box; r++) {
      for (let col = 0; col < box; col++) {
        const i = r * box + col;
        const ex = ax.value[col];
        const ey = ay.value[r];
        d[0] = n * ax.dCenter[col] * ey;
        d[1] = n * ex * ay.dCenter[r];
        d[2] = ex * ey;
        d[3] = 1;
        d[4] = n * (ax.dSigma[col] * this.slopeX * ey + ex * ay.dSigma[r] * this.slopeY);
        const s = shift ? shift[at + i] : 0;
        scoring.addPixel(d, P, data[at + i] + s, mu[i] + s);
      }
    }
    scoring.mirror(P);
  }

  /** The z starts' ℓ, and their numbers ranked by it (largest first). */
  private readonly startOrder = new Float64Array(Z_STARTS.length);
  private readonly ranked = new Int32Array(Z_STARTS.length);

  /** θ = the lateral start with z at start number `s`. */
  private placeStart(start: { x: number; y: number; photons: number; background: number }, s: number): void {
    const [lo, hi] = this.calibration.zRangeNm;
    const theta = this.theta;
    theta[0] = start.x;
    theta[1] = start.y;
    theta[2] = Math.max(start.photons, 1);
    theta[3] = Math.max(start.background, 1e-3);
    theta[4] = (lo + hi) / 2 + (Z_STARTS[s] * (hi - lo)) / 2;
  }

  /** The standard deviation of n − μ over the patch at θ̂, photons. */
  residualStd(data: Float64Array, at: number): number {
    return residualSpread(data, at, this.mu);
  }

  /**
   * Fit the spot from a lateral start (x, y px in the patch, N, b) and the z start of largest ℓ
   * (the others if that fit does not converge), with its CRLB.
   * @param data - photons; the patch at `data[at … at + box² − 1]`, row-major
   * @param start - x, y (px), N (photons), b (photons/px)
   * @param options - iteration limit, tolerance (px; z in pixel units), the camera's shifts
   * @returns a status code (fitConstants.ts)
   */
  fit(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const { theta, best } = this;
    this.crlb.fill(Number.NaN);
    for (let i = 0; i < this.box * this.box; i++) if (!Number.isFinite(data[at + i])) return STATUS_BAD_DATA;
    const [lo, hi] = this.calibration.zRangeNm;
    let bestLl = Number.NEGATIVE_INFINITY;
    let bestStatus = STATUS_BAD_DATA;
    let iterations = 0;
    // The starts' likelihoods first; the fit runs from the best one, then from the others only
    // when it does not converge.
    const order = this.startOrder;
    for (let s = 0; s < Z_STARTS.length; s++) {
      this.placeStart(start, s);
      order[s] = this.evaluate(theta, data, at, options.shift);
    }
    // A stable insertion sort, largest ℓ first (−∞ ties keep their order).
    const ranked = this.ranked;
    for (let i = 0; i < ranked.length; i++) {
      let j = i - 1;
      while (j >= 0 && order[ranked[j]] < order[i]) {
        ranked[j + 1] = ranked[j];
        j--;
      }
      ranked[j + 1] = i;
    }
    const job = this.job;
    job.data = data;
    job.at = at;
    job.shift = options.shift;
    for (const s of ranked) {
      this.placeStart(start, s);
      const status = this.scoring.run(this.model, theta, P, options.maxIterations, options.tolerance);
      this.logLikelihood = this.scoring.logLikelihood;
      iterations += this.scoring.iterations;
      const better = status === STATUS_CONVERGED ? bestStatus !== STATUS_CONVERGED || this.logLikelihood > bestLl : bestStatus !== STATUS_CONVERGED && this.logLikelihood > bestLl;
      if (better) {
        best.set(theta);
        bestLl = this.logLikelihood;
        bestStatus = status;
      }
      if (bestStatus === STATUS_CONVERGED) break;
    }
    theta.set(best);
    this.iterations = iterations;
    this.logLikelihood = this.evaluate(theta, data, at, options.shift);
    if (bestStatus !== STATUS_CONVERGED) return bestStatus;
    this.derivatives(theta, data, at, options.shift);
    if (!choleskyInverseDiagonal(this.scoring.fisher, P, this.crlb, this.scratch)) return STATUS_SINGULAR;
    for (let a = 0; a < P; a++) this.crlb[a] = Math.sqrt(this.crlb[a]);
    if (theta[4] <= lo + Z_EDGE_NM || theta[4] >= hi - Z_EDGE_NM) return STATUS_Z_RANGE;
    return STATUS_CONVERGED;
  }
}

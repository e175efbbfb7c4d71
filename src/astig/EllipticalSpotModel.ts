import { GaussianAxis } from '../fit/GaussianAxis.js';
import { LEAVE_PATCH_PX, MAX_SIGMA_STEP } from '../fit/fitConstants.js';
import { outsideWindow } from '../fit/models/outsideWindow.js';
import { proposeLateral } from '../fit/models/proposeLateral.js';
import type { PsfModel, PsfParameter } from '../fit/PsfModel.js';
import { windowStart } from '../fit/models/windowStart.js';

/** The narrowest width a bead's fit keeps, px (below it a pixel holds the whole spot and σ is not measured). */
export const ELLIPTICAL_MIN_SIGMA_PX = 0.3;

/**
 * The elliptical pixel-integrated Gaussian of a calibration bead as a {@link PsfModel}
 * (docs/design.md §3, §8):
 *
 *     μ_k = N · Ex_i(x; σx) · Ey_j(y; σy) + b
 *
 * θ = (x, y, N, b, σx, σy): x, y px in the window, N photons, b photons/px, σx, σy px, each
 * width from {@link ELLIPTICAL_MIN_SIGMA_PX} to half the window and changing by at most
 * MAX_SIGMA_STEP of itself per step. The axes' terms and their σ-derivatives come from
 * {@link GaussianAxis}. Not in the registry: calibrate-3d's own model for its beads' widths,
 * fitted by the one estimator and solver of every model (PoissonEstimator, FisherScoring).
 */
export class EllipticalSpotModel implements PsfModel {
  readonly name = 'elliptical-gaussian';
  readonly box: number;
  readonly parameters: readonly PsfParameter[];
  readonly backgroundIndex = 3;
  private readonly ax: GaussianAxis;
  private readonly ay: GaussianAxis;
  private readonly border: Float64Array;
  private readonly maxSigmaPx: number;

  /**
   * @param box - window width, px
   * @param startSigmaPx - the widths' start, px (when the window's moments give none)
   */
  constructor(box: number, private readonly startSigmaPx: number) {
    this.box = box;
    this.maxSigmaPx = box / 2;
    const width = (name: string): PsfParameter => ({ name, unit: 'px', min: ELLIPTICAL_MIN_SIGMA_PX, max: box / 2, start: "the window's second moment above b along the axis" });
    this.parameters = [
      { name: 'x', unit: 'px', min: -LEAVE_PATCH_PX, max: Number.POSITIVE_INFINITY, start: 'centroid above the border median' },
      { name: 'y', unit: 'px', min: -LEAVE_PATCH_PX, max: Number.POSITIVE_INFINITY, start: 'centroid above the border median' },
      { name: 'N', unit: 'photons', min: 0, max: Number.POSITIVE_INFINITY, start: 'sum above the border median' },
      { name: 'b', unit: 'photons/px', min: 0, max: Number.POSITIVE_INFINITY, start: 'median of the border pixels' },
      width('σx'),
      width('σy'),
    ];
    this.ax = new GaussianAxis(box);
    this.ay = new GaussianAxis(box);
    this.border = new Float64Array(4 * (box - 1));
  }

  evaluate(theta: Float64Array, mu: Float64Array, accumulate: boolean): boolean {
    const { box, ax, ay } = this;
    if (!(theta[4] > 0 && theta[5] > 0)) return false;
    ax.evaluate(theta[0], theta[4], true);
    ay.evaluate(theta[1], theta[5], true);
    const n = theta[2];
    const b = accumulate ? 0 : theta[3];
    for (let r = 0; r < box; r++) {
      const row = r * box;
      const ny = n * ay.value[r];
      for (let c = 0; c < box; c++) mu[row + c] = (accumulate ? mu[row + c] : b) + ny * ax.value[c];
    }
    return true;
  }

  derivatives(theta: Float64Array, pixel: number, d: Float64Array, at: number, withoutBackground: boolean): void {
    const { box, ax, ay } = this;
    const c = pixel % box;
    const r = (pixel - c) / box;
    const n = theta[2];
    const ex = ax.value[c];
    const ey = ay.value[r];
    d[at] = n * ax.dCenter[c] * ey;
    d[at + 1] = n * ex * ay.dCenter[r];
    d[at + 2] = ex * ey;
    const next = withoutBackground ? at + 3 : at + 4;
    if (!withoutBackground) d[at + 3] = 1;
    d[next] = n * ax.dSigma[c] * ey;
    d[next + 1] = n * ex * ay.dSigma[r];
  }

  /** x, y, N, b as every model ({@link proposeLateral}); each σ changes by at most MAX_SIGMA_STEP of itself, inside its range. */
  propose(theta: Float64Array, step: Float64Array, trial: Float64Array): number {
    const lateral = proposeLateral(theta, step, trial);
    let widths = 0;
    for (let a = 4; a < 6; a++) {
      const limit = MAX_SIGMA_STEP * theta[a];
      trial[a] = Math.min(this.maxSigmaPx, Math.max(ELLIPTICAL_MIN_SIGMA_PX, theta[a] + Math.max(-limit, Math.min(limit, step[a]))));
      widths = Math.max(widths, Math.abs(trial[a] - theta[a]));
    }
    // Converged on the position's and the widths' change, px.
    return Math.max(lateral, widths);
  }

  leftWindow(theta: Float64Array): boolean {
    return outsideWindow(theta, this.box);
  }

  /**
   * {@link windowStart}; σx, σy from the second moments of the counts above b about the
   * centroid, less a pixel's own 1/12 px², kept from 0.7 px to a quarter of the window (the
   * moments of a noisy window's tails can say anything); the start width given where the
   * moment is not positive.
   */
  start(data: Float64Array, at: number, theta: Float64Array): boolean {
    const box = this.box;
    if (!windowStart(data, at, box, this.border, theta)) return false;
    let sum = 0;
    let sxx = 0;
    let syy = 0;
    for (let r = 0; r < box; r++) {
      for (let c = 0; c < box; c++) {
        const w = data[at + r * box + c] - theta[3];
        if (!(w > 0)) continue;
        sum += w;
        sxx += w * (c + 0.5 - theta[0]) ** 2;
        syy += w * (r + 0.5 - theta[1]) ** 2;
      }
    }
    const width = (moment: number) => {
      const v = moment / sum - 1 / 12;
      return v > 0 ? Math.min(box / 4, Math.max(0.7, Math.sqrt(v))) : this.startSigmaPx;
    };
    theta[4] = width(sxx);
    theta[5] = width(syy);
    return true;
  }
}

import type { DefocusCurve } from './DefocusCurve.js';
import { defocusSlope } from './DefocusCurve.js';
import { GaussianAxis } from '../GaussianAxis.js';
import { depthParameters } from './depthParameters.js';
import { MAX_Z_STEP_NM } from '../fitConstants.js';
import { outsideWindow } from './outsideWindow.js';
import { proposeLateral } from './proposeLateral.js';
import type { PsfModel, PsfParameter } from '../PsfModel.js';
import { windowStart } from './windowStart.js';

/** What the astigmatic model needs of a calibration (an AstigmaticCalibration is one). */
export interface AstigmatismCurves {
  /** σx(z), σy(z), nm (docs/design.md §8). */
  readonly x: DefocusCurve;
  readonly y: DefocusCurve;
  /** The depths the curves cover, nm: fits keep z inside. */
  readonly zRangeNm: readonly [number, number];
  /** Pixel size, nm (σ in px = σ in nm / pixel size). */
  readonly pixelSizeNm: number;
}

/** θ of the 3-D model, x, y, N, b, z, for z in `zRangeNm` (nm). */
function parametersOf(zRangeNm: readonly [number, number]): readonly PsfParameter[] {
  return depthParameters(zRangeNm, 'the middle of the calibrated range (the fit tries Z_START_LOW, _MID, _HIGH)');
}

/**
 * The astigmatic 3-D Gaussian as a {@link PsfModel} (docs/design.md §8; Huang et al., Science
 * 319:810, 2008):
 *
 *     μ_k = N · Ex_i(x; σx(z)) · Ey_j(y; σy(z)) + b
 *
 * θ = (x, y, N, b, z): x, y px in the window, N photons, b photons/px, z nm; σx(z), σy(z) from
 * the calibration's defocus curves ({@link defocusSlope}), the axis terms and their
 * σ-derivatives from {@link GaussianAxis}: ∂μ/∂z = N·(∂Ex/∂σx·σx′·Ey + Ex·∂Ey/∂σy·σy′). z stays
 * inside the calibrated range and moves by at most MAX_Z_STEP_NM per step.
 */
export class AstigmaticModel implements PsfModel {
  /** The registry's name. */
  static readonly NAME = 'astigmatic-3d';
  /** θ's parameters for z in a range, nm (a fit's range is its calibration's). */
  static readonly parametersOf = parametersOf;

  readonly name = AstigmaticModel.NAME;
  readonly box: number;
  readonly parameters: readonly PsfParameter[];
  readonly backgroundIndex = 3;
  /** σx, σy at the θ last evaluated, nm (NaN before the first valid one). */
  sigmaXNm = Number.NaN;
  sigmaYNm = Number.NaN;
  private readonly ax: GaussianAxis;
  private readonly ay: GaussianAxis;
  private readonly slope = new Float64Array(2);
  /** σ′ of the axes at the θ last evaluated, px per nm. */
  private slopeX = 0;
  private slopeY = 0;
  private readonly pixel: number;
  private readonly border: Float64Array;

  /**
   * @param box - window width, px
   * @param curves - the defocus curves, their range and the pixel size
   */
  constructor(box: number, private readonly curves: AstigmatismCurves) {
    this.box = box;
    this.parameters = parametersOf(curves.zRangeNm);
    this.ax = new GaussianAxis(box);
    this.ay = new GaussianAxis(box);
    this.pixel = curves.pixelSizeNm;
    this.border = new Float64Array(4 * (box - 1));
  }

  /** μ into `mu` (axes and σ slopes at θ); false where σx or σy is undefined at z. */
  evaluate(theta: Float64Array, mu: Float64Array, accumulate: boolean): boolean {
    const { box, ax, ay, slope, pixel, curves: c } = this;
    defocusSlope(c.x, theta[4], slope);
    const sx = slope[0] / pixel;
    this.slopeX = slope[1] / pixel;
    defocusSlope(c.y, theta[4], slope);
    const sy = slope[0] / pixel;
    this.slopeY = slope[1] / pixel;
    if (!(sx > 0 && sy > 0)) return false;
    this.sigmaXNm = sx * pixel;
    this.sigmaYNm = sy * pixel;
    ax.evaluate(theta[0], sx, true);
    ay.evaluate(theta[1], sy, true);
    const n = theta[2];
    const ex = ax.value;
    const ey = ay.value;
    if (accumulate) {
      for (let r = 0; r < box; r++) for (let col = 0; col < box; col++) mu[r * box + col] += n * ex[col] * ey[r];
    } else {
      const b = theta[3];
      for (let r = 0; r < box; r++) for (let col = 0; col < box; col++) mu[r * box + col] = n * ex[col] * ey[r] + b;
    }
    return true;
  }

  /** ∂μ/∂(x, y, N, b, z) of one pixel at the θ last evaluated. */
  derivatives(theta: Float64Array, pixel: number, d: Float64Array, at: number, withoutBackground: boolean): void {
    const { box, ax, ay } = this;
    const col = pixel % box;
    const r = (pixel - col) / box;
    const n = theta[2];
    const ex = ax.value[col];
    const ey = ay.value[r];
    d[at] = n * ax.dCenter[col] * ey;
    d[at + 1] = n * ex * ay.dCenter[r];
    d[at + 2] = ex * ey;
    if (!withoutBackground) d[at + 3] = 1;
    d[withoutBackground ? at + 3 : at + 4] = n * (ax.dSigma[col] * this.slopeX * ey + ex * ay.dSigma[r] * this.slopeY);
  }

  /** N, b shrink by at most MAX_SHRINK above their floors; z moves ≤ MAX_Z_STEP_NM inside the range. */
  propose(theta: Float64Array, step: Float64Array, trial: Float64Array): number {
    const range = this.curves.zRangeNm;
    const lateral = proposeLateral(theta, step, trial);
    trial[4] = Math.min(range[1], Math.max(range[0], theta[4] + Math.max(-MAX_Z_STEP_NM, Math.min(MAX_Z_STEP_NM, step[4]))));
    // Converged on the lateral step (px) and the z step in units of a pixel.
    return Math.max(lateral, Math.abs(trial[4] - theta[4]) / this.pixel);
  }

  /** x or y more than LEAVE_PATCH_PX outside the window. */
  leftWindow(theta: Float64Array): boolean {
    return outsideWindow(theta, this.box);
  }

  /** {@link windowStart}, z at the middle of the calibrated range. */
  start(data: Float64Array, at: number, theta: Float64Array): boolean {
    if (!windowStart(data, at, this.box, this.border, theta)) return false;
    const range = this.curves.zRangeNm;
    theta[4] = (range[0] + range[1]) / 2;
    return true;
  }
}

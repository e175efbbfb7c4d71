import { defaultSigmaRangePx, FIT_DEFAULTS } from '../FitOptions.js';
import { GaussianAxis } from '../GaussianAxis.js';
import { LEAVE_PATCH_PX, MAX_SIGMA_STEP, MIN_BACKGROUND, MIN_PHOTONS } from '../fitConstants.js';
import { outsideWindow } from './outsideWindow.js';
import { proposeLateral } from './proposeLateral.js';
import type { PsfModel, PsfParameter } from '../PsfModel.js';
import { windowStart } from './windowStart.js';

/** θ of the fixed-σ model: x, y, N, b. */
const FIXED_SIGMA: readonly PsfParameter[] = [
  { name: 'x', unit: 'px', min: -LEAVE_PATCH_PX, max: Number.POSITIVE_INFINITY, start: 'centroid above the border median' },
  { name: 'y', unit: 'px', min: -LEAVE_PATCH_PX, max: Number.POSITIVE_INFINITY, start: 'centroid above the border median' },
  { name: 'N', unit: 'photons', min: MIN_PHOTONS, max: Number.POSITIVE_INFINITY, start: 'sum above the border median' },
  { name: 'b', unit: 'photons/px', min: MIN_BACKGROUND, max: Number.POSITIVE_INFINITY, start: 'median of the border pixels' },
];

/** θ of the free-σ model for σ in [min, max] px: x, y, N, b, σ. */
function freeSigma(min: number, max: number): readonly PsfParameter[] {
  return [...FIXED_SIGMA, { name: 'σ', unit: 'px', min, max, start: 'the configured PSF σ' }];
}

/**
 * The pixel-integrated isotropic 2-D Gaussian as a {@link PsfModel} (docs/design.md §3):
 *
 *     μ_k = N · Ex_i(x; σ) · Ey_j(y; σ) + b
 *
 * θ = (x, y, N, b) with σ fixed ({@link sigmaPx}), or (x, y, N, b, σ) with σ free; x, y in px
 * of the window, N photons, b photons/px, σ px. The axis factors and their derivatives come from
 * {@link GaussianAxis} (the cached core: all transcendental work at the 2·(box + 1) pixel
 * boundaries). ∂μ/∂x = N·Ex′·Ey, ∂μ/∂y = N·Ex·Ey′, ∂μ/∂N = Ex·Ey, ∂μ/∂b = 1,
 * ∂μ/∂σ = N·(∂Ex/∂σ·Ey + Ex·∂Ey/∂σ).
 *
 * The single fit of this model runs on its fast path, PatchLikelihood.ts + newtonSolve.ts (row-
 * factored sums and a Newton step on the full Hessian; the same μ and derivatives, tested
 * against this class in test/fit/PsfModel.test.ts); the multi-emitter fit uses this class
 * inside {@link MultiEmitterModel}.
 */
export class GaussianModel implements PsfModel {
  /** Registry names of the fixed- and free-σ variants. */
  static readonly FIXED_SIGMA_NAME = 'gaussian-2d';
  static readonly FREE_SIGMA_NAME = 'gaussian-2d-free-sigma';
  /**
   * θ's parameters of each variant, independent of the box: the free σ's max, half the box
   * ({@link defaultSigmaRangePx}), is +∞ here; an instance's {@link parameters} hold its own.
   */
  static readonly FIXED_SIGMA_PARAMETERS = FIXED_SIGMA;
  static readonly FREE_SIGMA_PARAMETERS = freeSigma(FIT_DEFAULTS.sigmaMinPx, Number.POSITIVE_INFINITY);

  readonly name: string;
  readonly box: number;
  readonly parameters: readonly PsfParameter[];
  readonly backgroundIndex = 3;
  /** Whether σ is θ[4] (else {@link sigmaPx} holds it fixed). */
  readonly fitSigma: boolean;
  /** The fixed σ, px (the start value with σ free); may change between fits. */
  sigmaPx: number;
  /** The range a free-σ fit keeps σ in, px. */
  readonly sigmaMinPx: number;
  readonly sigmaMaxPx: number;
  /** Axis terms along x (columns) and y (rows) at the θ last evaluated. */
  readonly xAxis: GaussianAxis;
  readonly yAxis: GaussianAxis;
  private readonly border: Float64Array;

  /**
   * @param box - window width, px
   * @param sigmaPx - the PSF σ, px (fixed, or the start with σ free)
   * @param fitSigma - σ is the fifth parameter @default false
   * @param sigmaRangePx - the range of a free σ, px @default {@link defaultSigmaRangePx}(box) (as FitOptions)
   */
  constructor(box: number, sigmaPx: number, fitSigma = false, sigmaRangePx: readonly [number, number] = defaultSigmaRangePx(box)) {
    this.box = box;
    this.sigmaPx = sigmaPx;
    this.fitSigma = fitSigma;
    [this.sigmaMinPx, this.sigmaMaxPx] = sigmaRangePx;
    this.name = fitSigma ? GaussianModel.FREE_SIGMA_NAME : GaussianModel.FIXED_SIGMA_NAME;
    this.parameters = fitSigma ? freeSigma(this.sigmaMinPx, this.sigmaMaxPx) : FIXED_SIGMA;
    this.xAxis = new GaussianAxis(box);
    this.yAxis = new GaussianAxis(box);
    this.border = new Float64Array(4 * (box - 1));
  }

  /** μ = N·Ex·Ey + b into `mu` (or N·Ex·Ey added to it); false where σ ≤ 0. */
  evaluate(theta: Float64Array, mu: Float64Array, accumulate: boolean): boolean {
    const { box, xAxis, yAxis, fitSigma } = this;
    const sigma = fitSigma ? theta[4] : this.sigmaPx;
    if (!(sigma > 0)) return false;
    xAxis.evaluate(theta[0], sigma, fitSigma);
    yAxis.evaluate(theta[1], sigma, fitSigma);
    const n = theta[2];
    const ex = xAxis.value;
    const ey = yAxis.value;
    if (accumulate) {
      for (let r = 0; r < box; r++) for (let c = 0; c < box; c++) mu[r * box + c] += n * ex[c] * ey[r];
    } else {
      const b = theta[3];
      for (let r = 0; r < box; r++) for (let c = 0; c < box; c++) mu[r * box + c] = n * ex[c] * ey[r] + b;
    }
    return true;
  }

  /** ∂μ/∂(x, y, N, b[, σ]) of one pixel at the θ last evaluated. */
  derivatives(theta: Float64Array, pixel: number, d: Float64Array, at: number, withoutBackground: boolean): void {
    const { box, xAxis, yAxis } = this;
    const c = pixel % box;
    const r = (pixel - c) / box;
    const n = theta[2];
    const ex = xAxis.value[c];
    const ey = yAxis.value[r];
    d[at] = n * xAxis.dCenter[c] * ey;
    d[at + 1] = n * ex * yAxis.dCenter[r];
    d[at + 2] = ex * ey;
    if (!withoutBackground) d[at + 3] = 1;
    if (this.fitSigma) d[withoutBackground ? at + 3 : at + 4] = n * (xAxis.dSigma[c] * ey + ex * yAxis.dSigma[r]);
  }

  /**
   * x, y move freely; N and b shrink by at most MAX_SHRINK and stay above their floors; σ
   * changes by at most MAX_SIGMA_STEP of itself and stays in its range.
   */
  propose(theta: Float64Array, step: Float64Array, trial: Float64Array): number {
    const lateral = proposeLateral(theta, step, trial);
    if (this.fitSigma) {
      const limit = MAX_SIGMA_STEP * theta[4];
      trial[4] = Math.min(Math.max(theta[4] + Math.max(-limit, Math.min(limit, step[4])), this.sigmaMinPx), this.sigmaMaxPx);
    }
    return lateral;
  }

  /** x or y more than LEAVE_PATCH_PX outside the window. */
  leftWindow(theta: Float64Array): boolean {
    return outsideWindow(theta, this.box);
  }

  /** {@link windowStart}, σ = {@link sigmaPx}. */
  start(data: Float64Array, at: number, theta: Float64Array): boolean {
    if (!windowStart(data, at, this.box, this.border, theta)) return false;
    if (this.fitSigma) theta[4] = this.sigmaPx;
    return true;
  }
}

import { depthParameters } from './depthParameters.js';
import { MAX_Z_STEP_NM } from '../fitConstants.js';
import { outsideWindow } from './outsideWindow.js';
import { proposeLateral } from './proposeLateral.js';
import type { PsfModel, PsfParameter } from '../PsfModel.js';
import { SplineEvaluator } from '../spline/SplineEvaluator.js';
import type { SplinePsf } from '../spline/SplinePsf.js';
import { splineZRangeNm } from '../spline/SplinePsf.js';
import { windowStart } from './windowStart.js';

/** θ of the spline model, x, y, N, b, z, for z in `zRangeNm` (nm). */
function parametersOf(zRangeNm: readonly [number, number]): readonly PsfParameter[] {
  return depthParameters(zRangeNm, 'the middle of the spline\'s range (the fit tries Z_START_LOW, _MID, _HIGH)');
}

/**
 * A measured PSF, a tricubic spline ({@link SplinePsf}; Li et al., Nat. Methods 15:367, 2018;
 * docs/design.md §8), as a {@link PsfModel}:
 *
 *     μ_k = N · S(u_k, v_k, w) + b,  u_k = cx + column + ½ − x,  v_k = cy + row + ½ − y,
 *     w = (z − z₀)/Δz,
 *
 * θ = (x, y, N, b, z): x, y px in the window, N photons (in the units the spline's samples were
 * normalised to: 1 for a PSF summing to 1), b photons/px, z nm. The spline's samples are pixel
 * values, so the PSF integrated over pixel k is S read at its centre (as SMAP and Picasso do).
 * Every pixel's (u, v) differs from the first's by whole samples: the fractional offsets and
 * their powers are computed once per evaluation ({@link SplineEvaluator.prepare}), each pixel
 * then one 64-term pass for S; ∂S/∂u, ∂S/∂v, ∂S/∂w follow from the same weights at the first
 * {@link derivatives} call after an evaluation (the solver evaluates trial steps it rejects,
 * whose derivatives it never asks for):
 * ∂μ/∂x = −N·∂S/∂u, ∂μ/∂y = −N·∂S/∂v, ∂μ/∂N = S, ∂μ/∂b = 1, ∂μ/∂z = N·∂S/∂w / Δz. z stays inside
 * the spline's range and moves by at most MAX_Z_STEP_NM per step. The PSF is 0 beyond the
 * spline's samples: the spline should be wider than the window (by the largest offset a fit reaches).
 */
export class SplineModel implements PsfModel {
  /** The registry's name. */
  static readonly NAME = 'spline-3d';
  /** θ's parameters for z in a range, nm (a fit's range is its spline's). */
  static readonly parametersOf = parametersOf;

  readonly name = SplineModel.NAME;
  readonly box: number;
  readonly parameters: readonly PsfParameter[];
  readonly backgroundIndex = 3;
  /** The depths the spline covers, nm (z is kept inside). */
  readonly zRangeNm: readonly [number, number];
  /**
   * S, ∂S/∂u, ∂S/∂v, ∂S/∂w of every pixel at the θ last evaluated: `terms[4·pixel + d]` (the
   * derivatives once {@link derivatives} has been called).
   */
  readonly terms: Float64Array;
  /** The voxel of pixel (0, 0) at the θ last evaluated, and whether its derivatives are in {@link terms}. */
  private iu = 0;
  private iv = 0;
  private iz = 0;
  private gradients = false;
  private readonly evaluator: SplineEvaluator;
  private readonly border: Float64Array;

  /**
   * @param box - window width, px
   * @param spline - the PSF (its samples 1 camera px apart)
   */
  constructor(box: number, readonly spline: SplinePsf) {
    this.box = box;
    this.zRangeNm = splineZRangeNm(spline);
    this.parameters = parametersOf(this.zRangeNm);
    this.evaluator = new SplineEvaluator(spline);
    this.terms = new Float64Array(4 * box * box);
    this.border = new Float64Array(4 * (box - 1));
  }

  /** μ into `mu` (and the spline's terms); false where z lies outside the spline's range. */
  evaluate(theta: Float64Array, mu: Float64Array, accumulate: boolean): boolean {
    const { box, spline: s, evaluator, terms } = this;
    const w = (theta[4] - s.zStartNm) / s.dzNm;
    if (!(w >= 0 && w <= s.voxelsZ)) return false;
    const iz = Math.min(Math.floor(w), s.voxelsZ - 1);
    const u0 = s.centerXPx + 0.5 - theta[0];
    const v0 = s.centerYPx + 0.5 - theta[1];
    // Beyond a million samples is impossible (and keeps the voxel index an i32, as in the kernel).
    if (!(Math.abs(u0) < 1e6 && Math.abs(v0) < 1e6)) return false;
    const iu = Math.floor(u0);
    const iv = Math.floor(v0);
    evaluator.prepare(u0 - iu, v0 - iv, w - iz);
    for (let r = 0; r < box; r++) for (let col = 0; col < box; col++) terms[4 * (r * box + col)] = evaluator.value(iu + col, iv + r, iz);
    this.iu = iu;
    this.iv = iv;
    this.iz = iz;
    this.gradients = false;
    const n = theta[2];
    const count = box * box;
    if (accumulate) {
      for (let k = 0; k < count; k++) mu[k] += n * terms[4 * k];
    } else {
      const b = theta[3];
      for (let k = 0; k < count; k++) mu[k] = n * terms[4 * k] + b;
    }
    return true;
  }

  /** ∂μ/∂(x, y, N, b, z) of one pixel at the θ last evaluated. */
  derivatives(theta: Float64Array, pixel: number, d: Float64Array, at: number, withoutBackground: boolean): void {
    const t = this.terms;
    if (!this.gradients) {
      const { box, evaluator, iu, iv, iz } = this;
      for (let r = 0; r < box; r++) for (let col = 0; col < box; col++) evaluator.gradient(iu + col, iv + r, iz, t, 4 * (r * box + col) + 1);
      this.gradients = true;
    }
    const q = 4 * pixel;
    const n = theta[2];
    d[at] = -n * t[q + 1];
    d[at + 1] = -n * t[q + 2];
    d[at + 2] = t[q];
    if (!withoutBackground) d[at + 3] = 1;
    d[withoutBackground ? at + 3 : at + 4] = (n * t[q + 3]) / this.spline.dzNm;
  }

  /** N, b shrink by at most MAX_SHRINK above their floors; z moves ≤ MAX_Z_STEP_NM inside the range. */
  propose(theta: Float64Array, step: Float64Array, trial: Float64Array): number {
    const [lo, hi] = this.zRangeNm;
    const lateral = proposeLateral(theta, step, trial);
    trial[4] = Math.min(hi, Math.max(lo, theta[4] + Math.max(-MAX_Z_STEP_NM, Math.min(MAX_Z_STEP_NM, step[4]))));
    // Converged on the lateral step (px) and the z step in units of a plane (Δz).
    return Math.max(lateral, Math.abs(trial[4] - theta[4]) / Math.abs(this.spline.dzNm));
  }

  /** x or y more than LEAVE_PATCH_PX outside the window. */
  leftWindow(theta: Float64Array): boolean {
    return outsideWindow(theta, this.box);
  }

  /** {@link windowStart}, z at the middle of the spline's range. */
  start(data: Float64Array, at: number, theta: Float64Array): boolean {
    if (!windowStart(data, at, this.box, this.border, theta)) return false;
    theta[4] = (this.zRangeNm[0] + this.zRangeNm[1]) / 2;
    return true;
  }

  /**
   * The PSF's widths at the θ last evaluated: the standard deviations of S over the window
   * about (x, y) along x and y, px, into `out[0]`, `out[1]` (NaN where S sums to nothing).
   * The spline's stand-in for the astigmatic model's σx, σy (the `sigma1`, `sigma2` columns).
   */
  widthsPx(theta: Float64Array, out: Float64Array): void {
    const { box, terms } = this;
    let sum = 0, sxx = 0, syy = 0;
    for (let r = 0; r < box; r++) {
      const dy = r + 0.5 - theta[1];
      for (let col = 0; col < box; col++) {
        const s = terms[4 * (r * box + col)];
        const dx = col + 0.5 - theta[0];
        sum += s;
        sxx += s * dx * dx;
        syy += s * dy * dy;
      }
    }
    out[0] = sum > 0 && sxx > 0 ? Math.sqrt(sxx / sum) : Number.NaN;
    out[1] = sum > 0 && syy > 0 ? Math.sqrt(syy / sum) : Number.NaN;
  }
}

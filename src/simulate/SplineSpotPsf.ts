import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { SplineEvaluator } from '../fit/spline/SplineEvaluator.js';
import type { SplinePsf } from '../fit/spline/SplinePsf.js';
import { splineZRangeNm } from '../fit/spline/SplinePsf.js';
import type { SplineCalibration } from '../astig/SplineCalibration.js';
import type { SpotPsf } from './SpotPsf.js';

/**
 * A measured PSF (a tricubic spline: calibrate-psf's PSF.h5, Picasso's or SMAPpy's calibration)
 * as the simulator's spot: each pixel gets N × the spline's value at the pixel's centre,
 *
 *     μ(c, r) = N · PSF(u = centerXPx + c + ½ − x, v = centerYPx + r + ½ − y, w = (z − zStartNm)/dzNm),
 *
 * the spline's own convention (its samples are the pixel values about the emitter, 1 camera
 * pixel apart: the fit's SplineModel evaluates the same expression, so a spot drawn here is
 * exactly what the fit models). N is counted as the calibration normalises its PSF:
 * calibrate-psf's brightest plane sums to 1 over its box, so N is the photons that plane's box
 * collects (the light beyond the box is not drawn). Values below 0 (a spline's ringing on an
 * empty edge) are drawn as 0. Only the pixels whose sample lies in the spline's voxels get light
 * (u ∈ [0, voxelsX), v ∈ [0, voxelsY): the far face's samples are left out, as the fit's model
 * leaves them out).
 */
export class SplineSpotPsf implements SpotPsf {
  /** The depths the spline covers, nm, low to high. */
  readonly zRangeNm: readonly [number, number];
  private readonly evaluator: SplineEvaluator;

  /** @param spline - the PSF, its samples 1 camera pixel apart */
  constructor(readonly spline: SplinePsf) {
    this.zRangeNm = splineZRangeNm(spline);
    this.evaluator = new SplineEvaluator(spline);
  }

  /**
   * Check that a spline calibration can draw a simulation: its pixel size (where it says one) is
   * the simulation's, and the depths lie within its range.
   * @param spline - the calibration
   * @param pixelSizeNm - the simulation's pixel size, nm
   * @param zRangeNm - the depths to be drawn, nm, low to high
   * @param what - what asks for those depths, for the message
   * @throws InvalidOptionError naming both pixel sizes, or both z ranges
   */
  static check(spline: SplineCalibration, pixelSizeNm: number, zRangeNm: readonly [number, number], what: string): void {
    // The spline's samples are camera pixels: another pixel size would draw the PSF scaled.
    if (spline.pixelSizeNm !== undefined && Math.abs(spline.pixelSizeNm - pixelSizeNm) > 1e-6 * pixelSizeNm) {
      throw new InvalidOptionError(`the spline PSF${spline.source ? ` ${spline.source}` : ''} was measured with ${spline.pixelSizeNm} nm pixels, the simulation's are ${pixelSizeNm} nm: its samples are camera pixels, so the pixel sizes must match`, 'pixelSizeNm');
    }
    new SplineSpotPsf(spline.psf).checkDepths(zRangeNm[0], zRangeNm[1], what);
  }

  /**
   * Refuse depths beyond the spline's range (it knows nothing there).
   * @param lowNm - the lowest depth to be drawn, nm
   * @param highNm - the highest, nm
   * @param what - what asks for them, for the message (e.g. "--astigmatism 800")
   * @throws InvalidOptionError naming both ranges
   */
  checkDepths(lowNm: number, highNm: number, what: string): void {
    const [lo, hi] = this.zRangeNm;
    // A part in 10⁹ of the range: a z grid computed by steps may round past the last plane.
    const slack = 1e-9 * Math.max(1, hi - lo);
    if (lowNm < lo - slack || highNm > hi + slack) {
      throw new InvalidOptionError(`${what} asks for z from ${round(lowNm)} to ${round(highNm)} nm, beyond the spline PSF's z range ${round(lo)} … ${round(hi)} nm`, 'spline');
    }
  }

  /** Add a spot (see {@link SpotPsf.add}); a depth beyond the spline's range throws RangeError (check it first with {@link checkDepths}). */
  add(image: Float64Array, width: number, height: number, xPx: number, yPx: number, photons: number, zNm: number): void {
    const s = this.spline;
    const [lo, hi] = this.zRangeNm;
    const zc = Math.min(hi, Math.max(lo, zNm));
    if (Math.abs(zc - zNm) > 1e-9 * Math.max(1, hi - lo)) throw new RangeError(`z ${zNm} nm is beyond the spline PSF's range ${lo} … ${hi} nm`);
    const w = (zc - s.zStartNm) / s.dzNm;
    const iz = Math.min(Math.max(Math.floor(w), 0), s.voxelsZ - 1);
    // Sample coordinate of column 0 (row 0); every pixel shares its fractional part.
    const u0 = s.centerXPx + 0.5 - xPx;
    const v0 = s.centerYPx + 0.5 - yPx;
    const iu = Math.floor(u0);
    const iv = Math.floor(v0);
    const e = this.evaluator;
    e.prepare(u0 - iu, v0 - iv, w - iz);
    // Columns whose voxel lies in the grid: iu + c ∈ [0, voxelsX − 1].
    const c0 = Math.max(0, -iu), c1 = Math.min(width - 1, s.voxelsX - 1 - iu);
    const r0 = Math.max(0, -iv), r1 = Math.min(height - 1, s.voxelsY - 1 - iv);
    for (let r = r0; r <= r1; r++) {
      const row = r * width;
      for (let c = c0; c <= c1; c++) {
        const value = e.value(iu + c, iv + r, iz);
        if (value > 0) image[row + c] += photons * value;
      }
    }
  }
}

/** A number for a message: at most 1 decimal. */
function round(v: number): number {
  return Math.round(v * 10) / 10;
}

import type { SplinePsf } from '../fit/spline/SplinePsf.js';
import { SPLINE_COEFFICIENTS, splineZRangeNm } from '../fit/spline/SplinePsf.js';
import type { ZModelErrorTable } from '../fit/zModelErrorAt.js';

/**
 * A 3-D calibration by a measured PSF (issue 26): the tricubic spline of an averaged bead
 * stack (`calibrate-psf`'s PSF.h5, or one built in the library with buildSpline), what
 * `localize --calibration PSF.h5` and `LocalizeOptions.spline` take. Every spot is then fitted
 * for (x, y, N, b, z) through the spline (SplineFit) instead of the astigmatic Gaussian.
 */
export interface SplineCalibration {
  /** The PSF, its samples 1 camera pixel apart in x and y, normalised as N is to be counted. */
  readonly psf: SplinePsf;
  /**
   * The camera pixel size the PSF was measured with, nm, where known (a run's must match); the
   * spline itself is in camera pixels, so a file that does not say is taken at its word.
   */
  readonly pixelSizeNm?: number;
  /** Where z = 0 is, in words (e.g. "the beads' focus"). */
  readonly zOrigin?: string;
  /**
   * The model's own z error, nm (calibrate-psf's leave-one-bead-out RMS), added in quadrature to
   * every uncertainty_z. @default 0 ({@link SPLINE_CALIBRATION_DEFAULTS})
   */
  readonly zModelErrorNm?: number;
  /**
   * The model's z error by depth, nm (calibrate-psf's leave-one-bead-out RMS in 100 nm bins):
   * where given, uncertainty_z adds the error at the fitted z instead of zModelErrorNm
   * ({@link zModelErrorAt}). @default none (zModelErrorNm at every depth)
   */
  readonly zModelErrorByDepth?: ZModelErrorTable;
  /** What the calibration warned about (localize repeats them). */
  readonly warnings?: readonly string[];
  /**
   * Fit every spot from each of the three z starts and keep the best likelihood (about 2× the
   * work): for a PSF that looks alike above and below focus (2-D optics without astigmatism, z a
   * nuisance parameter), where the first start to converge may be the mirror image
   * (`localize --z-starts all`). @default false ({@link SPLINE_CALIBRATION_DEFAULTS})
   */
  readonly everyZStart?: boolean;
  /**
   * The side of the box the PSF was measured over, px, where the file says (Picasso's `box`):
   * calibrate-psf pads its spline beyond it by repeating border samples, so the default fitting
   * window and its σ rule look within it ({@link splineDefaultBox}). @default the spline's side
   */
  readonly measuredBoxPx?: number;
  /** The file it was read from, if any (the run record names it). */
  readonly source?: string;
}

/** The spline calibration's defaults: one home for them (the CLI's help and the fit read them). */
export const SPLINE_CALIBRATION_DEFAULTS = {
  /** The model's own z error, nm, when the file does not say (another tool's). */
  zModelErrorNm: 0,
  /** Fit from the first converging z start (astigmatic optics), not from every one. */
  everyZStart: false,
} as const;

/**
 * What a run record says of a spline calibration: everything but the coefficients (millions
 * of numbers), with their count.
 */
export function splineCalibrationRecord(c: SplineCalibration): Record<string, unknown> {
  const p = c.psf;
  return {
    source: c.source,
    pixelSizeNm: c.pixelSizeNm,
    zOrigin: c.zOrigin,
    zModelErrorNm: c.zModelErrorNm ?? SPLINE_CALIBRATION_DEFAULTS.zModelErrorNm,
    zModelErrorFrom: c.zModelErrorByDepth
      ? "the calibration's leave-one-bead-out z error RMS by depth (zModelErrorByDepth), at each fitted z, added in quadrature to the CRLB"
      : c.zModelErrorNm === undefined
        ? `none in the calibration (not calibrate-psf's): ${SPLINE_CALIBRATION_DEFAULTS.zModelErrorNm} nm, uncertainty_z is the CRLB alone`
        : "the calibration's leave-one-bead-out z error RMS, added in quadrature to the CRLB",
    zModelErrorByDepth: c.zModelErrorByDepth,
    everyZStart: c.everyZStart ?? SPLINE_CALIBRATION_DEFAULTS.everyZStart,
    zRangeNm: splineZRangeNm(p),
    dzNm: p.dzNm,
    voxels: [p.voxelsX, p.voxelsY, p.voxelsZ],
    centerPx: [p.centerXPx, p.centerYPx],
    measuredBoxPx: c.measuredBoxPx,
    coefficients: p.coefficients.length,
    warnings: c.warnings,
  };
}

/**
 * The widest the PSF is over its depths, px: the largest standard deviation along x or y of
 * its samples about the emitter, plane by plane (the samples are the coefficients a_000 of the
 * voxels; the last row, column and plane left out). A spline run's default window is at
 * least 2⌈1.5·this⌉ + 1 px (as the astigmatic calibration's) and otherwise the spline's own
 * lateral size (splineDefaultBox.ts).
 * @param psf - the spline
 * @param boxPx - look only within this box about the emitter, px (the measured samples, not the
 *   padding beyond them) @default the whole spline
 */
export function splineWidestSigmaPx(psf: SplinePsf, boxPx = Infinity): number {
  const { voxelsX: vx, voxelsY: vy, voxelsZ: vz, coefficients: a } = psf;
  const half = (boxPx - 1) / 2;
  let widest = 0;
  for (let iz = 0; iz < vz; iz++) {
    let sum = 0, sxx = 0, syy = 0;
    for (let iy = 0; iy < vy; iy++) {
      for (let ix = 0; ix < vx; ix++) {
        const dx = ix - psf.centerXPx, dy = iy - psf.centerYPx;
        if (Math.abs(dx) > half || Math.abs(dy) > half) continue;
        const s = Math.max(0, a[((iz * vy + iy) * vx + ix) * SPLINE_COEFFICIENTS]);
        sum += s;
        sxx += s * dx * dx;
        syy += s * dy * dy;
      }
    }
    if (sum > 0) widest = Math.max(widest, Math.sqrt(sxx / sum), Math.sqrt(syy / sum));
  }
  return widest;
}

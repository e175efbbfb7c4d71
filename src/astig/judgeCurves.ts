import { InputFileError } from '../errors/InputFileError.js';
import type { CurveFitQuality } from './AstigmaticCalibration.js';
import type { DefocusCurveFit } from './fitDefocusCurve.js';

/**
 * The curves miss the beads when their RMS about a curve is above this share of the beads'
 * median width: the curve is then no description of the widths, and the calibration is
 * refused. Measured: curves that stayed at their start (ml-levenberg-marquardt's) 187/199 nm
 * RMS off widths of 100–400 nm; a stack whose frames are out of z order 0.38 × the median;
 * curves that fit: Gaussian beads 0.01, a defocus ring 0.06, a pupil-function PSF with spherical
 * aberration 0.1 (a measured bead stack: 18–22 nm, ~0.1).
 */
export const MAX_CURVE_RMS_SHARE = 0.25;
/**
 * The widths do not follow the defocus model when the RMS about a curve is above this many
 * times the beads' own width scatter at one z (and above {@link MIN_CURVE_RMS_WARNING_NM}): a
 * warning. Gaussian beads (the model's own shape): 0.95–1.05 × (seeds 3–8); beads with a
 * defocus ring, or a pupil-function PSF: 3–10 ×.
 */
export const MAX_CURVE_RMS_OVER_SCATTER = 2;
/** Below this RMS about the curves, nm, no warning: a nanometre of width is a few nm of z. */
export const MIN_CURVE_RMS_WARNING_NM = 2;

/** What {@link judgeCurves} looks at. */
export interface CurveJudgement {
  readonly fits: { readonly x: DefocusCurveFit; readonly y: DefocusCurveFit };
  /** RMS of the kept beads' widths about each curve, nm. */
  readonly rmsNm: { readonly x: number; readonly y: number };
  /** The beads' width scatter at one z, nm (undefined with one bead). */
  readonly scatterNm: { readonly x: number; readonly y: number } | undefined;
  /** The median of the kept beads' widths per axis, nm. */
  readonly medianWidthNm: { readonly x: number; readonly y: number };
  readonly fociSeparationNm: number;
}

/**
 * Judge the fitted defocus curves, loudly: refuse (InputFileError) a curve fit that did not move
 * from its start, or curves that miss the beads (RMS above {@link MAX_CURVE_RMS_SHARE} × the
 * median width); warn when a fit did not converge, or when the widths do not follow the model
 * (RMS above {@link MAX_CURVE_RMS_OVER_SCATTER} × the beads' scatter at one z).
 * @returns the quality record of the calibration file, with its warnings
 * @throws InputFileError saying which curve failed and how
 */
export function judgeCurves(j: CurveJudgement): CurveFitQuality {
  const warnings: string[] = [];
  for (const axis of ['x', 'y'] as const) {
    const fit = j.fits[axis];
    const rms = j.rmsNm[axis];
    if (!fit.moved) {
      throw new InputFileError(`the defocus curve σ${axis}(z) did not move from its start (${fit.status} after ${fit.iterations} iterations, RMS ${rms.toFixed(1)} nm about the beads' widths): the curve fit failed, no calibration is written`);
    }
    if (!(rms <= MAX_CURVE_RMS_SHARE * j.medianWidthNm[axis])) {
      throw new InputFileError(
        `the defocus curve σ${axis}(z) misses the beads: RMS ${rms.toFixed(1)} nm about their widths, above ${MAX_CURVE_RMS_SHARE} × their median width (${j.medianWidthNm[axis].toFixed(0)} nm): the widths do not follow σ0·√(1 + u² + A·u³ + B·u⁴) (are the frames in z order, the z step right? are these beads?); no calibration is written`,
      );
    }
    if (!fit.converged) {
      warnings.push(`the defocus curve σ${axis}(z) did not converge (${fit.status} after ${fit.iterations} iterations; ${fit.convergedStarts} of ${fit.starts} starts converged): it is the best found, RMS ${rms.toFixed(1)} nm about the widths`);
    }
    const scatter = j.scatterNm?.[axis];
    if (scatter !== undefined && rms > MIN_CURVE_RMS_WARNING_NM && rms > MAX_CURVE_RMS_OVER_SCATTER * scatter) {
      warnings.push(
        `the widths do not follow the defocus curve σ${axis}(z): RMS ${rms.toFixed(1)} nm about it, ${(rms / scatter).toFixed(1)} × the beads' scatter at one z (${scatter.toFixed(1)} nm): the PSF is not the astigmatic Gaussian the fit models, and z from it is biased`,
      );
    }
  }
  return {
    rmsNm: { x: j.rmsNm.x, y: j.rmsNm.y },
    widthScatterNm: j.scatterNm ? { x: j.scatterNm.x, y: j.scatterNm.y } : null,
    converged: { x: j.fits.x.converged, y: j.fits.y.converged },
    iterations: { x: j.fits.x.iterations, y: j.fits.y.iterations },
    startsConverged: { x: `${j.fits.x.convergedStarts} of ${j.fits.x.starts}`, y: `${j.fits.y.convergedStarts} of ${j.fits.y.starts}` },
    fociSeparationNm: j.fociSeparationNm,
    warnings,
  };
}

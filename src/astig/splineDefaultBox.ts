import { MAX_BOX_PX } from '../fit/fitConstants.js';
import type { SplinePsf } from '../fit/spline/SplinePsf.js';
import { splineWidestSigmaPx } from './SplineCalibration.js';

/**
 * The default fitting window of a spline PSF, px: the spline's own lateral size (its samples
 * along x or y, the larger; rounded down to odd), at least the 3-D σ rule 2⌈1.5·σ_max⌉ + 1
 * (σ_max from {@link splineWidestSigmaPx}), at most the kernel's {@link MAX_BOX_PX}.
 *
 * A window narrower than the spline cuts off the tails the spline was built to model: on
 * isolated pupil-model spots through a calibrate-psf spline of 15 px, the 13 px window of the
 * σ rule gave z RMS 50.6 nm (error/uncertainty 2.66), the spline's 15 px 31.2 nm (1.74).
 *
 * A spline padded beyond the box its PSF was measured over (calibrate-psf's, for windows at a
 * frame's edge) counts as that box: the padding repeats border samples, it is no wider PSF.
 *
 * @param psf - the spline
 * @param measuredBoxPx - the box the PSF was measured over, px (SplineCalibration.measuredBoxPx)
 *   @default the spline's side
 * @returns an odd window width, px
 */
export function splineDefaultBox(psf: SplinePsf, measuredBoxPx = Infinity): number {
  const samples = Math.min(Math.max(psf.voxelsX, psf.voxelsY) + 1, measuredBoxPx);
  const own = samples % 2 === 1 ? samples : samples - 1;
  const sigmaRule = 2 * Math.ceil(1.5 * splineWidestSigmaPx(psf, measuredBoxPx)) + 1;
  return Math.min(MAX_BOX_PX, Math.max(own, sigmaRule));
}

import { PSF_CALIBRATION_DEFAULTS } from './calibratePsf.js';

/**
 * calibrate-psf's default spline box for a camera's pixel, px: `boxPx` (21), or more where that
 * spans less than `minBoxNm` (1 600 nm), the odd number of pixels that spans it, at most
 * `splineSidePx` (31): 25 px at 65 nm pixels, 21 from 77 nm up ({@link PSF_CALIBRATION_DEFAULTS}
 * says why).
 * @param pixelSizeNm - the camera's pixel size, nm
 * @returns an odd box, px
 */
export function defaultPsfBox(pixelSizeNm: number): number {
  const D = PSF_CALIBRATION_DEFAULTS;
  if (!(pixelSizeNm > 0)) return D.boxPx;
  const span = Math.ceil(D.minBoxNm / pixelSizeNm);
  const odd = span % 2 === 1 ? span : span + 1;
  return Math.min(D.splineSidePx, Math.max(D.boxPx, odd));
}

import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';
import type { PupilPsf, PupilPsfOptions } from '../../src/simulate/PupilPsf.js';

/**
 * The optical models of issue 26's benchmarks, each as the simulator's flags (for the CLI runs of
 * splineVsGaussian.ts) and as {@link PupilPsfOptions} (for in-process runs, splineBudget.ts);
 * the two say the same thing, the flags over the simulator's defaults (NA 1.49, n 1.518, 670 nm,
 * 80 nm astigmatism):
 * - `na149`: the issue's oil objective, NA 1.49, 670 nm, 80 nm astigmatism, 20 nm spherical;
 * - `na14`: an oil objective NA 1.4 into a water sample (index 1.33: light beyond its critical
 *   angle cut, the defocus through water), 600 nm, 100 nm astigmatism, 40 nm spherical: a ring
 *   below the focus;
 * - `na12`: a water objective NA 1.2 (immersion 1.33), 580 nm, 70 nm astigmatism, −35 nm
 *   spherical: the ring above the focus, a wider PSF.
 */
export const OPTICS: Record<string, { label: string; flags: string[]; pupil: PupilPsfOptions }> = {
  na149: {
    label: 'NA 1.49 oil, 670 nm, 80 nm astigmatism, 20 nm spherical',
    flags: ['--zernike-spherical', '20'],
    pupil: { sphericalNm: 20 },
  },
  na14: {
    label: 'NA 1.4 oil into water (n 1.33), 600 nm, 100 nm astigmatism, 40 nm spherical',
    flags: ['--na', '1.4', '--sample-index', '1.33', '--wavelength', '600', '--zernike-astigmatism', '100', '--zernike-spherical', '40'],
    pupil: { numericalAperture: 1.4, sampleIndex: 1.33, wavelengthNm: 600, astigmatismNm: 100, sphericalNm: 40 },
  },
  na12: {
    label: 'NA 1.2 water, 580 nm, 70 nm astigmatism, −35 nm spherical',
    flags: ['--na', '1.2', '--immersion-index', '1.33', '--wavelength', '580', '--zernike-astigmatism', '70', '--zernike-spherical', '-35'],
    pupil: { numericalAperture: 1.2, immersionIndex: 1.33, wavelengthNm: 580, astigmatismNm: 70, sphericalNm: -35 },
  },
};

/**
 * The true PSF's own spline (no beads, no noise): the pupil PSF sampled at the pixel centres
 * about the emitter, `side` px a side, planes every `stepNm` over ±`halfRangeNm` (calibrate-psf's
 * grid by default: 21 px, 20 nm, ±800 nm), normalised as calibrate-psf's (the brightest plane
 * sums to 1 over the box). What a calibration from beads would be without their noise, or its
 * registration and smoothing.
 * @returns the spline, and the share of a spot's photons (the simulator's N, over the whole plane) that its N counts
 */
export function trueSpline(psf: PupilPsf, side = 21, stepNm = 20, halfRangeNm = 800, padTo = side): { spline: SplinePsf; photonShare: number } {
  const planes = Math.round((2 * halfRangeNm) / stepNm) + 1;
  const area = side * side;
  const volume = new Float64Array(area * planes);
  for (let k = 0; k < planes; k++) psf.add(volume.subarray(k * area, (k + 1) * area), side, side, side / 2, side / 2, 1, -halfRangeNm + stepNm * k);
  let top = 0;
  for (let k = 0; k < planes; k++) {
    let s = 0;
    for (let i = 0; i < area; i++) s += volume[k * area + i];
    top = Math.max(top, s);
  }
  for (let i = 0; i < volume.length; i++) volume[i] /= top;
  if (padTo > side) {
    const m = (padTo - side) / 2;
    const wide = new Float64Array(padTo * padTo * planes);
    const clamp = (i: number) => Math.min(side - 1, Math.max(0, i - m));
    for (let k = 0; k < planes; k++) for (let r = 0; r < padTo; r++) for (let c = 0; c < padTo; c++) wide[(k * padTo + r) * padTo + c] = volume[(k * side + clamp(r)) * side + clamp(c)];
    return { spline: buildSpline(wide, padTo, padTo, planes, stepNm, { zStartNm: -halfRangeNm }), photonShare: top };
  }
  return { spline: buildSpline(volume, side, side, planes, stepNm, { zStartNm: -halfRangeNm }), photonShare: top };
}

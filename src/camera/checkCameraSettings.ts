import type { CameraModel } from './CameraModel.js';
import type { CameraEstimate } from './estimateCamera.js';

/**
 * When given camera settings contradict the camera estimated from the data (one home for the
 * limits of {@link checkCameraSettings}):
 * - `gainRatio`: the given photoelectrons per ADU and the estimate differ by more than this
 *   factor (either way) and by more than `sds` of the estimate's standard deviations. 1.25 is
 *   the limit the first frame's noise check used; a gain off by 1.25 misstates photon counts and
 *   uncertainties by 25 % and 12 %.
 * - `baselinePhotons`: the given base level and the estimate differ by more than this many
 *   photons per pixel (the difference in ADU times the photons per ADU) and by more than `sds`
 *   standard deviations: the background of every fit is then off by as much. An offset error
 *   worth less is harmless (the background is fitted), which keeps the check quiet for an EMCCD,
 *   whose ADU are worth a hundredth of a photon.
 * - `sds`: how far outside the estimate's uncertainty a given value must lie.
 */
export const CAMERA_CHECK = {
  gainRatio: 1.25,
  baselinePhotons: 2,
  sds: 3,
} as const;

/**
 * Check given camera settings against the camera estimated from the data (the estimate made
 * with the same EM gain and QE, so that like is compared with like): a warning for each setting
 * that contradicts it beyond {@link CAMERA_CHECK}, naming the flag and giving the estimate next
 * to the given value. Camera maps are not checked (an sCMOS sensor's pixels differ by design).
 * Replaces the first frame's noise check, which measured spots as noise on dense frames.
 *
 * @param camera - the resolved camera of the run (the settings given and the defaults)
 * @param estimate - the camera estimated from the run's first frames (estimateCamera)
 * @returns the warnings, none when the settings agree with the data
 */
export function checkCameraSettings(camera: CameraModel, estimate: CameraEstimate): string[] {
  if (camera.maps) return [];
  const warnings: string[] = [];
  const { gainRatio, baselinePhotons, sds } = CAMERA_CHECK;
  const from = `estimated from ${estimate.frames} frame${estimate.frames === 1 ? '' : 's'}`;
  const gain = estimate.photonsPerAdu;
  const gainSd = estimate.photonsPerAduSd;
  const ratio = camera.photonsPerAdu / gain;
  if (gain > 0 && (ratio > gainRatio || ratio < 1 / gainRatio) && Math.abs(camera.photonsPerAdu - gain) > sds * gainSd) {
    const em = camera.emGain === 1 && ratio > 10 ? ': an EM gain not given (--em-gain)?' : '';
    warnings.push(`--photons-per-adu ${format(camera.photonsPerAdu)} contradicts the data: ${format(gain)} ± ${format(gainSd)} photoelectrons per ADU ${from}${em}; photon counts and uncertainties will be off by ${format(ratio)}× (give the right gain, or --camera auto)`);
  }
  const photonsPerAdu = gain / (camera.emGain * camera.qe);
  const offset = camera.baselineAdu - estimate.baselineAdu;
  if (Math.abs(offset) * photonsPerAdu > baselinePhotons && Math.abs(offset) > sds * estimate.baselineSdAdu) {
    warnings.push(`--baseline ${format(camera.baselineAdu)} contradicts the data: ${format(estimate.baselineAdu)} ± ${format(estimate.baselineSdAdu)} ADU ${from}; backgrounds will be off by ${format(Math.abs(offset) * photonsPerAdu)} photons/px (give the right base level, or --camera auto)`);
  }
  return warnings;
}

/** Three significant digits. */
function format(value: number): string {
  return String(Number(value.toPrecision(3)));
}

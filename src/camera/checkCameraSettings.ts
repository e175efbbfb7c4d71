import type { CameraModel } from './CameraModel.js';
import type { CameraEstimate } from './estimateCamera.js';

/**
 * When given camera settings contradict the camera estimated from the data (one home for the
 * limits of {@link checkCameraSettings}):
 * - `gainRatio`: the given photoelectrons per ADU and the estimate differ by more than this
 *   factor (either way) and by more than `sds` of the estimate's standard deviations; and the
 *   noise at the frames' background that the settings predict differs from the noise the
 *   estimate predicts by more than this factor (a wrong base level or read noise). 1.25 is the
 *   limit of the first frame's noise check this replaces; a gain off by 1.25 misstates photon
 *   counts by 25 % and uncertainties by 12 %.
 * - `sds`: how far outside the estimate's uncertainty a given gain must lie.
 */
export const CAMERA_CHECK = {
  gainRatio: 1.25,
  sds: 3,
} as const;

/**
 * Check given camera settings against the camera estimated from the data (the estimate made
 * with the same EM gain, so that like is compared with like): a warning for each contradiction
 * beyond {@link CAMERA_CHECK}, naming the flags and giving the estimate next to the given value.
 * The gain is compared directly; the base level and read noise through the noise they predict at
 * the frames' background, since noise alone tells only their combination (an offset lowered by
 * σ²/gain with no read noise describes the same data: the effective offset). Camera maps are
 * not checked (an sCMOS sensor's pixels differ by design). Replaces the first frame's noise
 * check, whose noise grew with the spots on dense frames.
 *
 * @param camera - the resolved camera of the run (the settings given and the defaults)
 * @param estimate - the camera estimated from the run's first frames (estimateCamera)
 * @param backgroundAdu - the frames' typical background level (their median pixel), ADU
 * @returns the warnings, none when the settings agree with the data
 */
export function checkCameraSettings(camera: CameraModel, estimate: CameraEstimate, backgroundAdu: number): string[] {
  if (camera.maps) return [];
  const { gainRatio, sds } = CAMERA_CHECK;
  const from = `estimated from ${estimate.frames} frame${estimate.frames === 1 ? '' : 's'}`;
  const gain = estimate.photonsPerAdu;
  const ratio = camera.photonsPerAdu / gain;
  if (gain > 0 && (ratio > gainRatio || ratio < 1 / gainRatio) && Math.abs(camera.photonsPerAdu - gain) > sds * estimate.photonsPerAduSd) {
    const em = camera.emGain === 1 && ratio > 10 ? ': an EM gain not given (--em-gain)?' : '';
    return [`--photons-per-adu ${format(camera.photonsPerAdu)} contradicts the data: ${format(gain)} ± ${format(estimate.photonsPerAduSd)} photoelectrons per ADU ${from}${em}; photon counts will be off by ${format(ratio)}× (give the right gain, or --camera auto)`];
  }
  const asEstimated = { ...camera, baselineAdu: estimate.baselineAdu, photonsPerAdu: gain, readNoiseElectrons: estimate.readNoiseElectrons };
  const noise = noiseAdu(camera, backgroundAdu) / noiseAdu(asEstimated, backgroundAdu);
  if (noise > gainRatio || noise < 1 / gainRatio) {
    const effective = estimate.readNoiseElectrons === 0 ? ' (effective: read noise folded in)' : `, read noise ${format(estimate.readNoiseElectrons)} e⁻`;
    return [`--baseline ${format(camera.baselineAdu)} with --read-noise ${format(camera.readNoiseElectrons)} contradicts the data: they predict ${format(noise)}× the noise of the background (${format(backgroundAdu)} ADU); the data say base ${format(estimate.baselineAdu)} ± ${format(estimate.baselineSdAdu)} ADU${effective} ${from} (give the right base level and read noise, or --camera auto)`];
  }
  return [];
}

/** The noise (ADU rms) a camera predicts at a pixel of `levelAdu`: √(F²/QE · (photons + shift)) in ADU. */
function noiseAdu(camera: CameraModel, levelAdu: number): number {
  const c = camera.photonsPerAdu / (camera.emGain * camera.qe);
  const shift = (camera.readNoiseElectrons / camera.emGain) ** 2 / (camera.excessNoise * camera.qe);
  const variance = (camera.excessNoise / camera.qe) * (Math.max(0, (levelAdu - camera.baselineAdu) * c) + shift);
  return Math.sqrt(variance) / c;
}

/** Three significant digits. */
function format(value: number): string {
  return String(Number(value.toPrecision(3)));
}

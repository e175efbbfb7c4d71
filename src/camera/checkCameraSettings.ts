import type { CameraModel } from './CameraModel.js';
import { COMPARE_CAMERA_LIMITS, compareCamera } from './compareCamera.js';
import type { CameraEstimate } from './estimateCamera.js';

/**
 * A forgotten EM gain shows as a gain this many times the given one or more (an EM gain of at
 * least 10 with F² = 2 gives 20): the warning then asks for `--em-gain`.
 */
const FORGOTTEN_EM_GAIN_RATIO = 10;

/**
 * Check given camera settings against the camera estimated from the data (the estimate made
 * with the same EM gain, so that like is compared with like), by {@link compareCamera}: the
 * gain, the noise the settings predict at the frames' background, and the offset where the
 * estimate identified it, with the limits stated once there (COMPARE_CAMERA_LIMITS). Spots do
 * not count as noise, so dense frames with the right settings give no warning. Complete camera
 * maps are not checked (an sCMOS sensor's pixels differ by design); maps without a gain map
 * have their gain checked (the estimate then made on the frames less the offset map). Replaces the first frame's noise
 * check, whose noise grew with the spots on dense frames.
 *
 * @param camera - the resolved camera of the run (the settings given and the defaults)
 * @param estimate - the camera estimated from the run's first frames (estimateCamera)
 * @returns one warning naming the flags with their values, what contradicts the data and the
 *   estimate next to them; none when the settings agree with the data
 */
export function checkCameraSettings(camera: CameraModel, estimate: CameraEstimate): string[] {
  if (camera.maps?.gainAduPerElectron) return [];
  if (camera.maps) return checkGainBesideMaps(camera, estimate);
  const c = compareCamera({ baselineAdu: camera.baselineAdu, photonsPerAdu: camera.photonsPerAdu, emGain: camera.emGain, readNoiseElectrons: camera.readNoiseElectrons }, estimate);
  if (!c.contradicts || c.message === undefined) return [];
  const flags = [`--baseline ${format(camera.baselineAdu)}`, `--photons-per-adu ${format(camera.photonsPerAdu)}`, `--read-noise ${format(camera.readNoiseElectrons)}`];
  if (camera.emGain !== 1) flags.push(`--em-gain ${format(camera.emGain)}`);
  const em = camera.emGain === 1 && c.gainRatio > FORGOTTEN_EM_GAIN_RATIO ? '; an EM gain not given (--em-gain)?' : '';
  const offset = estimate.offsetIdentified ? '' : ' (effective: read noise folded in)';
  const from = `estimated from ${estimate.frames} frame${estimate.frames === 1 ? '' : 's'}`;
  return [
    `the camera settings (${flags.join(', ')}) contradict the data: ${c.message}${em}. The data say base ${format(estimate.baselineAdu)} ± ${format(estimate.baselineSdAdu)} ADU${offset}, ${format(estimate.photonsPerAdu)} ± ${format(estimate.photonsPerAduSd)} photoelectrons per ADU, ${from} (give the right settings, or --camera auto)`,
  ];
}

/**
 * Offset or variance maps without a gain map: only the gain is checked (the estimate made on
 * the frames less the offset map), with the limits of {@link COMPARE_CAMERA_LIMITS}.
 */
function checkGainBesideMaps(camera: CameraModel, estimate: CameraEstimate): string[] {
  const l = COMPARE_CAMERA_LIMITS;
  const c = compareCamera({ baselineAdu: 0, photonsPerAdu: camera.photonsPerAdu, emGain: camera.emGain }, estimate);
  const relativeSd = estimate.photonsPerAduSd / estimate.photonsPerAdu;
  if (!(Math.abs(Math.log(c.gainRatio)) > Math.max(Math.log(l.gainRatio), l.standardDeviations * relativeSd))) return [];
  return [
    `the camera maps have no gain map and the gain used, ${format(camera.photonsPerAdu)} photoelectrons per ADU, is ${c.gainRatio.toFixed(2)}× what the data's noise says (${format(camera.photonsPerAdu / c.gainRatio)} ± ${format((camera.photonsPerAdu / c.gainRatio) * relativeSd)}, estimated from ${estimate.frames} frames less the offset map): give --photons-per-adu or --gain-map (calibrate-camera with --flat), or --camera auto`,
  ];
}

/** Three significant digits. */
function format(value: number): string {
  return String(Number(value.toPrecision(3)));
}

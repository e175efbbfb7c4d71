import type { CameraModel } from './CameraModel.js';
import { compareCamera } from './compareCamera.js';
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
 * not count as noise, so dense frames with the right settings give no warning. Camera maps are
 * not checked (an sCMOS sensor's pixels differ by design). Replaces the first frame's noise
 * check, whose noise grew with the spots on dense frames.
 *
 * @param camera - the resolved camera of the run (the settings given and the defaults)
 * @param estimate - the camera estimated from the run's first frames (estimateCamera)
 * @returns one warning naming the flags with their values, what contradicts the data and the
 *   estimate next to them; none when the settings agree with the data
 */
export function checkCameraSettings(camera: CameraModel, estimate: CameraEstimate): string[] {
  if (camera.maps) return [];
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

/** Three significant digits. */
function format(value: number): string {
  return String(Number(value.toPrecision(3)));
}

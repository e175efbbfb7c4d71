import type { CameraEstimate } from './estimateCamera.js';
import { excessNoiseFactor } from './excessNoiseFactor.js';

/** Camera settings a user gave (CameraOptions' names). */
export interface GivenCamera {
  /** Offset, ADU. */
  readonly baselineAdu: number;
  /** Photoelectrons per ADU (at the readout). */
  readonly photonsPerAdu: number;
  /** EM gain (1: none). @default 1 */
  readonly emGain?: number;
  /** Read noise at the readout, e⁻ rms. @default 0 */
  readonly readNoiseElectrons?: number;
}

/** Every limit of {@link compareCamera}, stated once. */
export const COMPARE_CAMERA_LIMITS = {
  /** Noise ratios (given / measured, at the background) inside [1/this, this] agree. */
  noiseRatio: 1.25,
  /** Gain ratios inside [1/this, this] agree, whatever the estimate's precision… */
  gainRatio: 1.1,
  /** …and so do ratios within this many of the estimate's standard deviations. */
  standardDeviations: 3,
} as const;

/** The given settings against the estimate. */
export interface CameraComparison {
  /** Given photons per ADU over the estimate's (the effective ones, F² folded in, where EM gain is unknown). */
  readonly gainRatio: number;
  /** The noise the given settings predict at the data's background over the noise measured there. */
  readonly noiseRatio: number;
  /** Given offset minus the estimate's, ADU (compared only where the estimate told offset and read noise apart). */
  readonly offsetDifferenceAdu: number;
  /** Whether the given settings contradict the data (beyond the limits and the estimate's uncertainty). */
  readonly contradicts: boolean;
  /** What disagrees, in words with both values, or undefined when nothing does. */
  readonly message: string | undefined;
}

/**
 * Compare camera settings a user gave with the camera estimated from the data, in the quantities
 * the data fix: the slope of noise variance against brightness (F²·emGain / photonsPerAdu, so an
 * unknown EM register's F² = 2 does not count as a contradiction when the given EM gain is
 * right), the noise predicted at the data's background, a given offset above that background,
 * and the offset itself where the estimate identified it. Cheap (no pixels): call it after
 * {@link estimateCamera}. Spots do not count, so dense frames do not set it off.
 * @param given - the user's settings
 * @param estimate - the estimate from the data
 */
export function compareCamera(given: GivenCamera, estimate: CameraEstimate): CameraComparison {
  const l = COMPARE_CAMERA_LIMITS;
  const emGain = given.emGain ?? 1;
  const f2 = excessNoiseFactor(emGain);
  const givenSlope = (f2 * emGain) / given.photonsPerAdu;
  const gainRatio = estimate.slopeAdu / givenSlope;
  const relativeSd = estimate.photonsPerAduSd / estimate.photonsPerAdu;
  const background = estimate.backgroundAdu;
  const readAdu = (given.readNoiseElectrons ?? 0) / given.photonsPerAdu;
  const givenVariance = givenSlope * Math.max(0, background - given.baselineAdu) + readAdu * readAdu;
  const measuredVariance = estimate.slopeAdu * background + estimate.interceptAdu2;
  const noiseRatio = Math.sqrt(givenVariance / measuredVariance);
  const offsetDifferenceAdu = given.baselineAdu - estimate.baselineAdu;
  const problems: string[] = [];
  const gainOff = Math.abs(Math.log(gainRatio)) > Math.max(Math.log(l.gainRatio), l.standardDeviations * relativeSd);
  const effective = estimate.effectiveGain ? ' (effective: an EM register folded in)' : '';
  if (gainOff) problems.push(`the gain given, ${given.photonsPerAdu} photons per ADU${emGain > 1 ? ` at EM gain ${emGain}` : ''}, is ${gainRatio.toFixed(2)}× what the data's noise says (${((f2 * emGain) / estimate.slopeAdu).toPrecision(3)} ± ${((f2 * emGain * relativeSd) / estimate.slopeAdu).toPrecision(2)}${effective})`);
  if (given.baselineAdu > background) problems.push(`the base level given, ${given.baselineAdu} ADU, is above the data's background (${background.toFixed(1)} ADU)`);
  else if (!(noiseRatio <= l.noiseRatio && noiseRatio >= 1 / l.noiseRatio)) problems.push(`the settings predict ${noiseRatio.toFixed(2)}× the noise measured at the background (${background.toFixed(1)} ADU)`);
  if (estimate.offsetIdentified && Math.abs(offsetDifferenceAdu) > l.standardDeviations * estimate.baselineSdAdu + 1) problems.push(`the base level given, ${given.baselineAdu} ADU, differs from the data's ${estimate.baselineAdu.toFixed(1)} ± ${estimate.baselineSdAdu.toFixed(1)} ADU`);
  return { gainRatio, noiseRatio, offsetDifferenceAdu, contradicts: problems.length > 0, message: problems.length ? problems.join('; ') : undefined };
}

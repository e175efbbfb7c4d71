/**
 * The excess-noise factor F² of a camera's gain register: 2 behind an EM register (EM gain
 * above 1, the high-gain limit of a multiplication register, Robbins & Hadwen 2003), 1 without
 * one. A pixel's variance grows as F²·emGain / photonsPerAdu ADU per ADU of signal
 * (docs/guides/cameras.md). The one home of this rule: CameraModel, estimateCamera and
 * compareCamera use it.
 *
 * @param emGain - the EM gain (1 or undefined: none)
 * @returns F² (dimensionless): 2 when emGain > 1, else 1
 */
export function excessNoiseFactor(emGain: number | undefined): 1 | 2 {
  return emGain !== undefined && emGain > 1 ? 2 : 1;
}

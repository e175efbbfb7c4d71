/** Fraction of a molecule's consecutive detections that may fall farther apart than the distance before it is worth a warning. */
const SPLIT_FRACTION = 0.01;

/**
 * A warning when merging's distance is short for the data's precision. Two detections of one
 * molecule differ by a 2-D Gaussian of σ√2 per axis (σ: the uncertainty per axis), so the
 * fraction farther apart than d is exp(−d²/(4σ²)); over 1 %, molecules are split into several.
 * @param medianUncertaintyNm - the table's median uncertainty per axis, nm
 * @param maxDistanceNm - merging's distance, nm
 * @returns the warning, or undefined
 */
export function mergeDistanceWarning(medianUncertaintyNm: number, maxDistanceNm: number): string | undefined {
  const s = medianUncertaintyNm;
  if (!(s > 0)) return undefined;
  const split = Math.exp(-(maxDistanceNm * maxDistanceNm) / (4 * s * s));
  if (split <= SPLIT_FRACTION) return undefined;
  // The distance that splits 0.1 %: d = 2σ√(ln 1000).
  const suggested = Math.ceil(2 * s * Math.sqrt(Math.log(1000)));
  return `the median uncertainty is ${s.toFixed(1)} nm: at ${maxDistanceNm} nm about ${(100 * split).toFixed(1)} % of a molecule's consecutive detections are farther apart, and split it; consider --max-distance ${suggested}`;
}

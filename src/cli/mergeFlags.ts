import type { MergeOptions } from '../post/BlinkMerger.js';
import { MERGE_DEFAULTS } from '../post/BlinkMerger.js';
import type { Flag } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';

/** The flags of blink merging, shared by `merge` and `localize --merge`. */
export const MERGE_OPTION_FLAGS: readonly Flag[] = [
  { name: 'max-distance', value: 'NM', help: 'a localization joins a molecule whose last detection is this close', default: String(MERGE_DEFAULTS.maxDistanceNm), option: 'maxDistanceNm' },
  { name: 'max-off-frames', value: 'N', help: 'frames a molecule may be off between detections', default: String(MERGE_DEFAULTS.maxOffFrames), option: 'maxOffFrames' },
  { name: 'max-frames', value: 'N', help: 'most detections of one molecule', default: Number.isFinite(MERGE_DEFAULTS.maxFrames) ? String(MERGE_DEFAULTS.maxFrames) : 'unlimited', option: 'maxFrames' },
];

/**
 * The merge options the flags give, ThunderSTORM's defaults for those not given.
 * @param values - parsed flags
 */
export function mergeOptionsFrom(values: Readonly<Record<string, string | boolean | undefined>>): Required<MergeOptions> {
  const text = (flag: string) => (typeof values[flag] === 'string' ? values[flag] : undefined);
  const number = (flag: string, fallback: number, limits: { min: number; integer?: boolean }) => (text(flag) === undefined ? fallback : parseNumber(text(flag), `--${flag}`, limits));
  return {
    maxDistanceNm: number('max-distance', MERGE_DEFAULTS.maxDistanceNm, { min: 1e-3 }),
    maxOffFrames: number('max-off-frames', MERGE_DEFAULTS.maxOffFrames, { min: 0, integer: true }),
    maxFrames: number('max-frames', MERGE_DEFAULTS.maxFrames, { min: 1, integer: true }),
  };
}

import { MERGE_DEFAULTS } from '../src/post/BlinkMerger.js';
import type { MergeOptions } from '../src/post/BlinkMerger.js';

/**
 * The merge's parameters as records state them (the run's sidecar, the merge step's record):
 * every default of MERGE_DEFAULTS filled, an unlimited gap in frames in words.
 * @param merge - the merge options as given
 * @param path - where the merged table is, if written
 */
export function mergeParameters(merge: MergeOptions & { path?: string }, path: string | undefined): Record<string, unknown> {
  return { ...MERGE_DEFAULTS, ...merge, maxFrames: Number.isFinite(merge.maxFrames ?? Infinity) ? merge.maxFrames : 'unlimited', path };
}

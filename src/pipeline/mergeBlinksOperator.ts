import type { OperatorFunction } from 'rxjs';
import { BatchMerger } from '../post/BatchMerger.js';
import type { MergeOptions } from '../post/BlinkMerger.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { operatorOf } from './operatorOf.js';

/**
 * An RxJS operator merging blinks on the batch stream ({@link BatchMerger}): each batch in, the
 * molecules that became final out (a table, only when there are some), the open ones when the
 * stream completes. Memory is that of the open molecules: bounded by the density and the
 * allowed gap, not by the length of the run.
 *
 *     localize(frames).pipe(mergeBlinksOperator({ maxDistanceNm: 30 })).subscribe((molecules) => …)
 *
 * @param options - merge options (ThunderSTORM's defaults), and whether failed fits count
 */
export function mergeBlinksOperator(options: MergeOptions & { includeAllFits?: boolean } = {}): OperatorFunction<LocalizationBatch, LocalizationTable> {
  return operatorOf(() => {
    const merger = new BatchMerger(options);
    const some = (t: LocalizationTable) => (t.rows > 0 ? [t] : []);
    return { push: (batch: LocalizationBatch) => some(merger.push(batch)), finish: () => some(merger.finish()) };
  });
}

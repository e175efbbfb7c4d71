import { FitStatus } from '../fit/FitStatus.js';
import { tableColumns } from './columns.js';
import type { LocalizationBatch } from './LocalizationBatch.js';
import type { LocalizationTable } from './LocalizationTable.js';

/**
 * The rows batches would write to the localization CSV, as a table: the same columns, the same
 * rows (converged fits only unless `includeAllFits`), ids counted on from `firstId`; with
 * `astigmatic`, the 3-D columns too (NaN where a batch lacks them).
 * @param batches - batches in frame order
 * @param options - which fits; the first row's id; 3-D @default { includeAllFits: false, firstId: 1, astigmatic: false }
 */
export function tableFromBatches(batches: readonly LocalizationBatch[], options: { includeAllFits?: boolean; firstId?: number; astigmatic?: boolean } = {}): LocalizationTable {
  const list = tableColumns(options.astigmatic ?? false);
  const header = list.map((c) => c.header);
  const all = options.includeAllFits ?? false;
  const keep = (b: LocalizationBatch, i: number) => all || b.status[i] === FitStatus.converged;
  let rows = 0;
  for (const b of batches) for (let i = 0; i < b.count; i++) if (keep(b, i)) rows++;
  const columns = header.map(() => new Float64Array(rows));
  let r = 0;
  let id = options.firstId ?? 1;
  for (const b of batches) {
    for (let i = 0; i < b.count; i++) {
      if (!keep(b, i)) continue;
      list.forEach((c, k) => {
        columns[k][r] = c.key === 'id' ? id : c.key === 'frame' ? b.frame : ((b[c.key] as ArrayLike<number> | undefined)?.[i] ?? Number.NaN);
      });
      r++;
      id++;
    }
  }
  return { header, columns, rows };
}

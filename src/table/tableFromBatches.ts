import { FitStatus } from '../fit/FitStatus.js';
import { LOCALIZATION_COLUMNS } from './columns.js';
import type { LocalizationBatch } from './LocalizationBatch.js';
import type { LocalizationTable } from './LocalizationTable.js';

/** The headers of a table made from batches: the CSV's ({@link LOCALIZATION_COLUMNS}). */
const HEADER = LOCALIZATION_COLUMNS.map((c) => c.header);

/**
 * The rows batches would write to the localization CSV, as a table: the same columns, the same
 * rows (converged fits only unless `includeAllFits`), ids counted on from `firstId`.
 * @param batches - batches in frame order
 * @param options - which fits; the first row's id @default { includeAllFits: false, firstId: 1 }
 */
export function tableFromBatches(batches: readonly LocalizationBatch[], options: { includeAllFits?: boolean; firstId?: number } = {}): LocalizationTable {
  const all = options.includeAllFits ?? false;
  const keep = (b: LocalizationBatch, i: number) => all || b.status[i] === FitStatus.converged;
  let rows = 0;
  for (const b of batches) for (let i = 0; i < b.count; i++) if (keep(b, i)) rows++;
  const columns = HEADER.map(() => new Float64Array(rows));
  let r = 0;
  let id = options.firstId ?? 1;
  for (const b of batches) {
    for (let i = 0; i < b.count; i++) {
      if (!keep(b, i)) continue;
      LOCALIZATION_COLUMNS.forEach((c, k) => {
        columns[k][r] = c.key === 'id' ? id : c.key === 'frame' ? b.frame : (b[c.key] as ArrayLike<number>)[i];
      });
      r++;
      id++;
    }
  }
  return { header: HEADER, columns, rows };
}

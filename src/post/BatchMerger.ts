import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { tableFromBatches } from '../table/tableFromBatches.js';
import { tableColumns } from '../table/columns.js';
import type { MergeOptions } from './BlinkMerger.js';
import { BlinkMerger } from './BlinkMerger.js';

/**
 * Blink merging while a run goes on ({@link BlinkMerger}): batches in, merged rows out as
 * molecules become final (their gap exceeded), in the order they end. Each row's id is that of
 * its first detection in the run's CSV (the same rows, counted the same way), so a merged row
 * points back at the rows it came from.
 */
export class BatchMerger {
  private readonly merger: BlinkMerger;
  private readonly includeAllFits: boolean;
  private readonly astigmatic: boolean;
  private rows = 0;

  /**
   * @param options - merge options; `includeAllFits` as the run's CSV; `astigmatic` for a 3-D
   *   run (z weighted by 1/uncertainty_z², its uncertainty recomputed) @default ThunderSTORM's; false; false
   */
  constructor(options: MergeOptions & { includeAllFits?: boolean; astigmatic?: boolean } = {}) {
    this.astigmatic = options.astigmatic ?? false;
    this.merger = new BlinkMerger(tableColumns(this.astigmatic).map((c) => c.header), options);
    this.includeAllFits = options.includeAllFits ?? false;
  }

  /** The merged table's headers: the CSV's, then `detections`. */
  get header(): readonly string[] {
    return this.merger.header;
  }

  /** Molecules still open. */
  get openMolecules(): number {
    return this.merger.openMolecules;
  }

  /**
   * Add one frame's batch (frames in increasing order).
   * @returns the molecules that became final
   */
  push(batch: LocalizationBatch): LocalizationTable {
    const table = tableFromBatches([batch], { includeAllFits: this.includeAllFits, firstId: this.rows + 1, astigmatic: this.astigmatic });
    this.merger.addFrame(batch.frame, table.columns, Int32Array.from({ length: table.rows }, (_, i) => i), this.rows);
    this.rows += table.rows;
    return this.merger.drain();
  }

  /** Close every open molecule (the run ended). @returns them */
  finish(): LocalizationTable {
    this.merger.finish();
    return this.merger.drain();
  }
}

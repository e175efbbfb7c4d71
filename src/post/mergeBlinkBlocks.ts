import type { LocalizationTable } from '../table/LocalizationTable.js';
import { positionColumns } from '../table/LocalizationTable.js';
import type { MergeOptions } from './BlinkMerger.js';
import { BlinkMerger } from './BlinkMerger.js';

/**
 * Merge the blinks of a table given block by block in frame order ({@link BlinkMerger}:
 * ThunderSTORM's rules), yielding the merged rows block by block: the same rows, in the same
 * order (by first detection), as {@link mergeBlinks} of the whole table. Memory is that of the
 * molecules still open and of the merged rows waiting for an earlier molecule to close: a block
 * or two for blinking molecules; a molecule on for much of the table (a fiducial bead) holds
 * back the rows of the molecules that start after it until it closes.
 *
 * @param header - the input's headers (frame, x and y among them, nm)
 * @param blocks - the rows, block by block, frames non-decreasing across the whole table
 *   (check it first: a frame smaller than one before is refused)
 * @param options - distance, off frames, frames per molecule; ThunderSTORM's defaults
 * @param path - the table's file, named in errors @default 'the table'
 * @returns the merged rows in blocks, with the input's columns plus `detections` when it had
 *   none (the header of {@link BlinkMerger})
 * @throws InvalidOptionError when frames come out of order
 */
export function* mergeBlinkBlocks(header: readonly string[], blocks: Iterable<LocalizationTable>, options: MergeOptions = {}, path = 'the table'): Generator<LocalizationTable, void, undefined> {
  const f = positionColumns({ header }, path).frame;
  const merger = new BlinkMerger(header, options);
  const pending = new PendingRows(merger.header.length);
  // Rows of the last frame of a block, carried into the next (a frame may straddle blocks).
  let carry: Float64Array[] = header.map(() => new Float64Array(0));
  let carryBase = 0;
  const step = (columns: Float64Array[], base: number, rows: number, final: boolean) => {
    const frame = columns[f];
    let start = 0;
    while (start < rows) {
      let end = start + 1;
      while (end < rows && frame[end] === frame[start]) end++;
      if (end === rows && !final) break;
      merger.addFrame(frame[start], columns, rangeOf(start, end), base);
      pending.add(merger.drain());
      start = end;
    }
    return start;
  };
  for (const block of blocks) {
    const columns = carry[0].length === 0 ? (block.columns as Float64Array[]) : carry.map((c, k) => concat(c, block.columns[k]));
    const rows = carry[0].length + block.rows;
    const done = step(columns, carryBase, rows, false);
    carry = columns.map((c) => c.slice(done, rows));
    carryBase += done;
    const out = pending.take(Math.min(merger.firstOpenRow, carryBase));
    if (out.rows > 0) yield { header: merger.header, columns: out.columns, rows: out.rows };
  }
  step(carry, carryBase, carry[0].length, true);
  merger.finish();
  pending.add(merger.drain());
  const out = pending.take(Infinity);
  if (out.rows > 0) yield { header: merger.header, columns: out.columns, rows: out.rows };
}

/** Row indices start … end − 1. */
function rangeOf(start: number, end: number): Int32Array {
  const rows = new Int32Array(end - start);
  for (let i = 0; i < rows.length; i++) rows[i] = start + i;
  return rows;
}

function concat(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Merged rows waiting for their turn: rows come out in the order of their first detection. */
class PendingRows {
  private parts: (LocalizationTable & { readonly firstRow: Float64Array })[] = [];

  constructor(private readonly width: number) {}

  add(part: LocalizationTable & { readonly firstRow: Float64Array }): void {
    if (part.rows > 0) this.parts.push(part);
  }

  /** The rows whose first detection is before input row `limit`, in that order; the rest kept. */
  take(limit: number): { columns: Float64Array[]; rows: number } {
    const index: [number, number][] = [];
    const rest: typeof this.parts = [];
    this.parts.forEach((p, k) => {
      let r = 0;
      while (r < p.rows && p.firstRow[r] < limit) index.push([k, r++]);
      if (r < p.rows) rest.push({ header: p.header, columns: p.columns.map((c) => c.subarray(r)), rows: p.rows - r, firstRow: p.firstRow.subarray(r) });
    });
    index.sort((a, b) => this.parts[a[0]].firstRow[a[1]] - this.parts[b[0]].firstRow[b[1]]);
    const columns = Array.from({ length: this.width }, (_, c) => Float64Array.from(index, ([k, r]) => this.parts[k].columns[c][r]));
    this.parts = rest;
    return { columns, rows: index.length };
  }
}

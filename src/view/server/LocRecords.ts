import { FitStatus } from '../../fit/FitStatus.js';
import type { LocalizationBatch } from '../../table/LocalizationBatch.js';
import type { LocalizationTable } from '../../table/LocalizationTable.js';
import { findColumn, positionColumns } from '../../table/LocalizationTable.js';
import { LOC_FIELD, LOC_RECORD_LENGTH } from '../protocol.js';

/** Whether this machine's floats are little-endian (the wire's order): then they are sent as they are. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Records held at first; the store doubles when full. */
const INITIAL_RECORDS = 4096;

/**
 * The localizations of a run or of an opened CSV as /api/locs sends them: LOC_RECORD_LENGTH
 * little-endian floats each (protocol.ts's LOC_RECORD_FIELDS), appended as batches arrive,
 * read from any index on.
 */
export class LocRecords {
  private data = new Float32Array(INITIAL_RECORDS * LOC_RECORD_LENGTH);
  private n = 0;

  /** Localizations held. */
  get count(): number {
    return this.n;
  }

  /** Drop every record (a new run, another file). */
  clear(): void {
    this.n = 0;
    this.data = new Float32Array(INITIAL_RECORDS * LOC_RECORD_LENGTH);
  }

  /**
   * Append a frame's fits as the CSV keeps them: converged ones, or all with `includeAllFits`.
   * @param batch - one frame's batch (positions in nm, frame 1-based)
   */
  addBatch(batch: LocalizationBatch, includeAllFits: boolean): void {
    this.reserve(batch.count);
    const d = this.data;
    for (let i = 0; i < batch.count; i++) {
      if (!includeAllFits && batch.status[i] !== FitStatus.converged) continue;
      const o = this.n * LOC_RECORD_LENGTH;
      d[o + LOC_FIELD.xNm] = batch.x[i];
      d[o + LOC_FIELD.yNm] = batch.y[i];
      d[o + LOC_FIELD.zNm] = batch.z ? batch.z[i] : Number.NaN;
      d[o + LOC_FIELD.frame] = batch.frame - 1;
      d[o + LOC_FIELD.photons] = batch.intensity[i];
      d[o + LOC_FIELD.backgroundPhotons] = batch.offset[i];
      d[o + LOC_FIELD.uncertaintyNm] = batch.uncertainty[i];
      d[o + LOC_FIELD.sigmaNm] = batch.sigma[i];
      this.n++;
    }
  }

  /**
   * Append a table's rows (a localization CSV: ours or ThunderSTORM's; a column it lacks is NaN).
   * @param table - the table
   * @param path - its file, named in errors
   */
  addTable(table: LocalizationTable, path: string): void {
    const c = positionColumns(table, path);
    const column = (...names: string[]) => {
      const k = findColumn(table, ...names);
      return k < 0 ? undefined : table.columns[k];
    };
    const x = table.columns[c.x];
    const y = table.columns[c.y];
    const frame = table.columns[c.frame];
    const z = column('z');
    const photons = column('intensity');
    const background = column('offset');
    const uncertainty = column('uncertainty', 'uncertainty_xy', 'uncertainty_x');
    const sigma = column('sigma');
    this.reserve(table.rows);
    const d = this.data;
    for (let i = 0; i < table.rows; i++) {
      const o = (this.n + i) * LOC_RECORD_LENGTH;
      d[o + LOC_FIELD.xNm] = x[i];
      d[o + LOC_FIELD.yNm] = y[i];
      d[o + LOC_FIELD.zNm] = z ? z[i] : Number.NaN;
      d[o + LOC_FIELD.frame] = frame[i] - 1;
      d[o + LOC_FIELD.photons] = photons ? photons[i] : Number.NaN;
      d[o + LOC_FIELD.backgroundPhotons] = background ? background[i] : Number.NaN;
      d[o + LOC_FIELD.uncertaintyNm] = uncertainty ? uncertainty[i] : Number.NaN;
      d[o + LOC_FIELD.sigmaNm] = sigma ? sigma[i] : Number.NaN;
    }
    this.n += table.rows;
  }

  /**
   * The records from index `from` to the newest, as little-endian bytes (a copy).
   * @param from - first record, 0-based (clamped to 0 … count)
   */
  bytesFrom(from: number): Buffer {
    const start = Math.max(0, Math.min(this.n, Math.floor(from)));
    const slice = this.data.subarray(start * LOC_RECORD_LENGTH, this.n * LOC_RECORD_LENGTH);
    const copy = slice.slice();
    if (LITTLE_ENDIAN) return Buffer.from(copy.buffer);
    const out = Buffer.alloc(copy.length * 4);
    for (let i = 0; i < copy.length; i++) out.writeFloatLE(copy[i], i * 4);
    return out;
  }

  private reserve(more: number): void {
    const needed = (this.n + more) * LOC_RECORD_LENGTH;
    if (needed <= this.data.length) return;
    let size = this.data.length;
    while (size < needed) size *= 2;
    const grown = new Float32Array(size);
    grown.set(this.data.subarray(0, this.n * LOC_RECORD_LENGTH));
    this.data = grown;
  }
}

import type { FitResults } from './FitResults.js';
import { createFitResults } from './FitResults.js';

/** The fields of a fit row (all but the count). */
const FIT_FIELDS = (Object.keys(createFitResults(0)) as (keyof FitResults)[]).filter((k) => k !== 'count');

/**
 * Growable fit rows with their window origins and emitter counts (scratch, reused frame to
 * frame): the crowding resolver stages and collects a frame's rows in it, the residual pass
 * appends its new fits. Grows by doubling; allocates nothing while it has room.
 */
export class FitRows {
  rows: FitResults = createFitResults(0);
  column = new Int32Array(0);
  row = new Int32Array(0);
  emitters = new Uint8Array(0);
  /** The candidate reporting each row (staging only). */
  owner = new Int32Array(0);
  count = 0;

  /** A new row at the end (grown when full). @returns its index */
  add(): number {
    if (this.count === this.rows.count) this.grow(this.count + 1);
    return this.count++;
  }

  /** Row `from` of `source`, with its window's origin and emitters, as a new row. */
  append(source: FitResults, from: number, c0: number, r0: number, emitters: number): void {
    const at = this.add();
    for (const key of FIT_FIELDS) (this.rows[key] as Float64Array)[at] = (source[key] as Float64Array)[from];
    this.column[at] = c0;
    this.row[at] = r0;
    this.emitters[at] = emitters;
  }

  /** Row `at` replaced by row `from` of `source` with its window's origin (its emitters kept). */
  replace(at: number, source: FitResults, from: number, c0: number, r0: number): void {
    for (const key of FIT_FIELDS) (this.rows[key] as Float64Array)[at] = (source[key] as Float64Array)[from];
    this.column[at] = c0;
    this.row[at] = r0;
  }

  /** Rows [from, to) of `source`, single fits with their windows' origins, as new rows. */
  appendRange(source: FitResults, from: number, to: number, c0: Int32Array, r0: Int32Array): void {
    const at = this.count;
    const n = to - from;
    if (at + n > this.rows.count) this.grow(at + n);
    for (const key of FIT_FIELDS) (this.rows[key] as Float64Array).set((source[key] as Float64Array).subarray(from, to), at);
    this.column.set(c0.subarray(from, to), at);
    this.row.set(r0.subarray(from, to), at);
    this.emitters.fill(1, at, at + n);
    this.count += n;
  }

  private grow(n: number): void {
    const capacity = Math.max(64, 2 * n);
    const next = createFitResults(capacity);
    for (const key of FIT_FIELDS) (next[key] as Float64Array).set((this.rows[key] as Float64Array).subarray(0, this.count));
    this.rows = next;
    const grown = <T extends Int32Array | Uint8Array>(a: T, make: (k: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.column = grown(this.column, (k) => new Int32Array(k));
    this.row = grown(this.row, (k) => new Int32Array(k));
    this.emitters = grown(this.emitters, (k) => new Uint8Array(k));
    this.owner = grown(this.owner, (k) => new Int32Array(k));
  }
}

import { LOC_RECORD_LENGTH } from '../../protocol.js';
import { BLOCK_RECORDS, type LocalizationStore } from './LocalizationStore.js';

/** Where the canvas looks: its top-left corner in the sample (nm from the image's top-left) and its scale. */
export interface ViewWindow {
  /** x of the canvas's left edge, nm. */
  readonly x0Nm: number;
  /** y of the canvas's top edge, nm. */
  readonly y0Nm: number;
  /** Size of one canvas pixel, nm. */
  readonly nmPerPx: number;
}

/** Records between two looks at the clock while accumulating (about 0.1 ms of work). */
const CLOCK_STRIDE = 16384;

/**
 * A 2-D histogram of the shown localizations at the canvas's resolution for one view: `counts`
 * (localizations per canvas pixel) and, when colouring by a field, `sums` (Σ of the field's finite
 * values) and `valued` (how many had one), for the mean value per pixel. It is filled in steps
 * ({@link advance}, each within a time budget, so a frame is never blocked by 10⁷ localizations),
 * then kept up to date with appended records ({@link advance} again).
 */
export class ViewRaster {
  readonly width: number;
  readonly height: number;
  readonly counts: Float32Array;
  /** Made when first colouring by a field (empty until then: two fewer canvas-sized arrays for the density image). */
  sums = new Float32Array(0);
  valued = new Float32Array(0);
  /** The view it is computed for. */
  view: ViewWindow = { x0Nm: 0, y0Nm: 0, nmPerPx: 1 };
  /** The record field whose mean colours a pixel (LOC_FIELD index), or −1 for none. */
  field = -1;
  /** Records accumulated so far (the store's first `done`). */
  done = 0;
  /** Records accumulated per ms, measured (a running mean), for {@link estimateMs}. */
  private recordsPerMs = 0;
  /** Counts changed since {@link takeChanged} was last called. */
  private changed = false;

  /**
   * @param width - canvas width, px
   * @param height - canvas height, px
   */
  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.counts = new Float32Array(width * height);
  }

  /** Start again for a view and a colour field (the counts emptied, nothing accumulated). */
  restart(view: ViewWindow, field: number): void {
    this.view = view;
    this.field = field;
    this.done = 0;
    this.counts.fill(0);
    if (field >= 0 && this.sums.length !== this.counts.length) {
      this.sums = new Float32Array(this.counts.length);
      this.valued = new Float32Array(this.counts.length);
    } else if (field >= 0) {
      this.sums.fill(0);
      this.valued.fill(0);
    }
    this.changed = true;
  }

  /** Whether every stored record is in. */
  complete(store: LocalizationStore): boolean {
    return this.done >= store.count;
  }

  /** Whether the counts changed since the last call (and reset the flag). */
  takeChanged(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }

  /**
   * Accumulate the store's records from {@link done} on until all are in or `deadlineMs`
   * (performance.now() time) has passed.
   * @returns whether all are in
   */
  advance(store: LocalizationStore, deadlineMs: number): boolean {
    const startMs = performance.now();
    const startDone = this.done;
    while (this.done < store.count) {
      const b = this.done >> 16;
      const from = this.done & (BLOCK_RECORDS - 1);
      const to = Math.min(BLOCK_RECORDS, store.count - b * BLOCK_RECORDS, from + CLOCK_STRIDE);
      this.accumulate(store.blocks[b], store.shown, b * BLOCK_RECORDS, from, to);
      this.done = b * BLOCK_RECORDS + to;
      this.changed = true;
      if (performance.now() > deadlineMs) break;
    }
    const records = this.done - startDone;
    const ms = performance.now() - startMs;
    if (records >= CLOCK_STRIDE && ms > 0) this.recordsPerMs = this.recordsPerMs === 0 ? records / ms : 0.7 * this.recordsPerMs + 0.3 * (records / ms);
    return this.done >= store.count;
  }

  /**
   * The time accumulating `records` records would take at the measured rate, ms (0 before any
   * measurement).
   */
  estimateMs(records: number): number {
    return this.recordsPerMs > 0 ? records / this.recordsPerMs : 0;
  }

  /** The hot loop: records [from, to) of one block into the counts (no allocation). */
  private accumulate(block: Float32Array, shown: Uint8Array, first: number, from: number, to: number): void {
    const { counts, sums, valued, width, height, field } = this;
    const { x0Nm, y0Nm } = this.view;
    const perNm = 1 / this.view.nmPerPx;
    for (let i = from; i < to; i++) {
      if (shown[first + i] === 0) continue;
      const base = i * LOC_RECORD_LENGTH;
      const column = (block[base] - x0Nm) * perNm;
      const row = (block[base + 1] - y0Nm) * perNm;
      // Also false for NaN.
      if (!(column >= 0 && column < width && row >= 0 && row < height)) continue;
      const p = (row | 0) * width + (column | 0);
      counts[p] += 1;
      if (field >= 0) {
        const value = block[base + field];
        if (value === value) {
          sums[p] += value;
          valued[p] += 1;
        }
      }
    }
  }
}

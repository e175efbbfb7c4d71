import type { FitRows } from '../fit/FitRows.js';
import { FitStatus } from '../fit/FitStatus.js';

/**
 * The converged rows of a {@link FitRows} by square cells of `size` px of the frame, for the
 * residual passes' neighbour searches: cell (cx, cy) = ⌊x / size⌋, ⌊y / size⌋ of the row's
 * position, index cy·across + cx with across = ⌈width / size⌉ + 1. Kept as the rows sorted by
 * (cell, row) — one native sort of numbers — so building costs the rows, not the frame's cells
 * (a 2048² frame has 470 000 cells of 3 px), and the rows of a run of cells along x are one
 * range of {@link rows}, in the order a scan of those cells, each in row order, visits them.
 */
export class RowCells {
  /** Cell size, px. */
  size = 1;
  /** Cells along x (one more than the frame needs) and in all. */
  across = 0;
  cells = 0;
  /** Rows sorted by (cell, row): entry i is row `rows[i]` in cell `cell[i]`; `count` entries. */
  rows = new Int32Array(0);
  cell = new Int32Array(0);
  count = 0;
  /** The converged rows outside the cells (a fit a little beyond the frame's edge): `outside[0…outsideCount−1]`. */
  outside = new Int32Array(0);
  outsideCount = 0;
  /** The rows {@link near} found. */
  found = new Int32Array(0);
  private keys = new Float64Array(0);
  /** {@link markCrowded}'s cursors, one per row of cells. */
  private cursors = new Int32Array(0);

  /**
   * Sort the converged rows of `out` into cells of `size` px (rows outside the frame's cells are left out).
   * @param out - the rows
   * @param width - frame width, px
   * @param height - frame height, px
   * @param size - cell size, px
   */
  build(out: FitRows, width: number, height: number, size: number): void {
    const { rows: r, column, row, count } = out;
    this.size = size;
    const across = Math.ceil(width / size) + 1;
    const cells = across * (Math.ceil(height / size) + 1);
    this.across = across;
    this.cells = cells;
    if (this.keys.length < count) {
      this.keys = new Float64Array(2 * count);
      this.rows = new Int32Array(2 * count);
      this.cell = new Int32Array(2 * count);
      this.outside = new Int32Array(2 * count);
    }
    // key = cell · M + row: exact in f64 (cells · M < 2⁵³).
    const m = Math.max(1, count);
    let n = 0;
    this.outsideCount = 0;
    for (let p = 0; p < count; p++) {
      if (r.status[p] !== FitStatus.converged) continue;
      const cx = Math.floor((column[p] + r.x[p]) / size);
      const cy = Math.floor((row[p] + r.y[p]) / size);
      if (!(cx >= 0 && cx < across && cy >= 0 && cy * across < cells)) {
        this.outside[this.outsideCount++] = p;
        continue;
      }
      this.keys[n++] = (cy * across + cx) * m + p;
    }
    const keys = this.keys.subarray(0, n);
    keys.sort();
    for (let i = 0; i < n; i++) {
      const c = Math.floor(keys[i] / m);
      this.cell[i] = c;
      this.rows[i] = keys[i] - c * m;
    }
    this.count = n;
  }

  /**
   * The rows in the cells within `radius` cells (along x and y) of the cell of (x, y), frame px,
   * into {@link found}, in the order a scan of those cells row by row visits them (each cell's
   * rows in row order). The one neighbour scan of the residual passes.
   * @returns how many (the first entries of {@link found})
   */
  near(x: number, y: number, radius: number): number {
    const { across, size } = this;
    const cx = Math.floor(x / size);
    const cy = Math.floor(y / size);
    const xa = Math.max(cx - radius, 0);
    const xb = Math.min(cx + radius, across - 1);
    if (this.found.length < this.count) this.found = new Int32Array(this.rows.length);
    const found = this.found;
    let n = 0;
    for (let r = Math.max(cy - radius, 0); r <= cy + radius && xa <= xb; r++) {
      const last = r * across + xb;
      if (r * across + xa >= this.cells) break;
      for (let i = this.lower(r * across + xa); i < this.count && this.cell[i] <= last; i++) found[n++] = this.rows[i];
    }
    return n;
  }

  /**
   * Set `flags[row]` to 1 for every row with another row in the cells within `radius` cells of
   * its own (along x and y): what {@link near} about each row finds, in one sweep of the sorted
   * rows (one cursor per row of cells, each moving forward only), O(rows) rather than a search a row.
   */
  markCrowded(radius: number, flags: Uint8Array): void {
    const { across, cell, rows, count } = this;
    const side = 2 * radius + 1;
    if (this.cursors.length < side) this.cursors = new Int32Array(side);
    const cursors = this.cursors;
    cursors.fill(0, 0, side);
    for (let i = 0; i < count; i++) {
      const c = cell[i];
      const cy = (c / across) | 0;
      const cx = c - cy * across;
      const xa = Math.max(cx - radius, 0);
      const xb = Math.min(cx + radius, across - 1);
      let crowded = false;
      for (let d = 0; d < side && !crowded; d++) {
        const r = cy + d - radius;
        if (r < 0) continue;
        const first = r * across + xa;
        const last = r * across + xb;
        let j = cursors[d];
        while (j < count && cell[j] < first) j++;
        cursors[d] = j;
        for (; j < count && cell[j] <= last; j++) {
          if (j !== i) {
            crowded = true;
            break;
          }
        }
      }
      if (crowded) flags[rows[i]] = 1;
    }
  }

  /** The first entry whose cell is ≥ c (binary search). */
  lower(c: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cell[mid] < c) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

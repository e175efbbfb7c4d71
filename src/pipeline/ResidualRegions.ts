import type { TileGrid } from '../detect/TileGrid.js';

/**
 * Where the residual passes work ({@link ResidualPass}), per tile of the detector's grid: the
 * next pass's seeds (frame px), the tiles it detects in ({@link marked}: within a model's reach of
 * a seed), the tiles where the model image must hold every row ({@link need}: those and the
 * detector's margin around them), and the tiles where the model image holds anything
 * ({@link dirty}: cleared tile by tile, not frame by frame). Scratch sized for one grid,
 * allocated when the grid changes.
 */
export class ResidualRegions {
  /** The detector's grid these flags are for. */
  grid: TileGrid | undefined;
  /** Tiles the next pass detects in. */
  marked = new Uint8Array(0);
  /** Tiles where the model image holds every row. */
  need = new Uint8Array(0);
  /** Tiles where the model image holds anything. */
  dirty = new Uint8Array(0);
  /** Seeds added since the last {@link markSeeds}. */
  seedCount = 0;
  private seedX = new Float64Array(64);
  private seedY = new Float64Array(64);

  /** Flags for `grid`'s tiles (kept when the grid is the one they are for). */
  resize(grid: TileGrid): void {
    if (this.grid === grid) return;
    const tiles = grid.columns * grid.rows;
    this.marked = new Uint8Array(tiles);
    this.need = new Uint8Array(tiles);
    this.dirty = new Uint8Array(tiles);
    this.grid = grid;
  }

  /** A seed of the next pass (frame px). */
  addSeed(x: number, y: number): void {
    if (this.seedCount === this.seedX.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(2 * a.length);
        b.set(a);
        return b;
      };
      this.seedX = grow(this.seedX);
      this.seedY = grow(this.seedY);
    }
    this.seedX[this.seedCount] = x;
    this.seedY[this.seedCount++] = y;
  }

  /**
   * The tiles within `reachPx` of a seed ({@link marked}: where the pass detects), and those
   * within `marginPx` of them ({@link need}: where the model must hold every row); the seeds
   * are used up.
   * @param reachPx - a model's reach, px
   * @param marginPx - the detector's filter margin, px
   */
  markSeeds(reachPx: number, marginPx: number): void {
    const grid = this.grid as TileGrid;
    const { marked, need } = this;
    marked.fill(0);
    need.fill(0);
    for (let i = 0; i < this.seedCount; i++) {
      const x = Math.floor(this.seedX[i]);
      const y = Math.floor(this.seedY[i]);
      this.fillSquare(marked, x - reachPx, y - reachPx, 2 * reachPx + 1);
    }
    this.seedCount = 0;
    for (let tr = 0; tr < grid.rows; tr++) {
      for (let tc = 0; tc < grid.columns; tc++) {
        if (!marked[tr * grid.columns + tc]) continue;
        const c0 = grid.columnStart(tc);
        const r0 = grid.rowStart(tr);
        const ta = grid.columnOf(c0 - marginPx);
        const tb = grid.columnOf(grid.columnStart(tc + 1) - 1 + marginPx);
        const ra = grid.rowOf(r0 - marginPx);
        const rb = grid.rowOf(grid.rowStart(tr + 1) - 1 + marginPx);
        for (let r = ra; r <= rb; r++) need.fill(1, r * grid.columns + ta, r * grid.columns + tb + 1);
      }
    }
  }

  /** Whether the square of `side` px at (c0, r0) (frame px) reaches a tile {@link need} marks. */
  needs(c0: number, r0: number, side: number): boolean {
    const grid = this.grid as TileGrid;
    if (c0 + side <= 0 || r0 + side <= 0 || c0 >= grid.width || r0 >= grid.height) return false;
    const ta = grid.columnOf(c0);
    const tb = grid.columnOf(c0 + side - 1);
    for (let tr = grid.rowOf(r0); tr <= grid.rowOf(r0 + side - 1); tr++) for (let tc = ta; tc <= tb; tc++) if (this.need[tr * grid.columns + tc]) return true;
    return false;
  }

  /** The model image now holds something over the square of `side` px at (c0, r0): its tiles are {@link dirty}. */
  drawn(c0: number, r0: number, side: number): void {
    this.fillSquare(this.dirty, c0, r0, side);
  }

  /** Zero `image` (the frame's size) over the {@link dirty} tiles, which are then clear. */
  clearDrawn(image: Float64Array): void {
    const grid = this.grid as TileGrid;
    const { dirty } = this;
    const width = grid.width;
    for (let tr = 0; tr < grid.rows; tr++) {
      for (let ta = 0; ta < grid.columns; ta++) {
        if (!dirty[tr * grid.columns + ta]) continue;
        const tb = grid.runEnd(dirty, tr, ta);
        dirty.fill(0, tr * grid.columns + ta, tr * grid.columns + tb);
        const c0 = grid.columnStart(ta);
        const c1 = grid.columnStart(tb);
        for (let r = grid.rowStart(tr); r < grid.rowStart(tr + 1); r++) image.fill(0, r * width + c0, r * width + c1);
        ta = tb;
      }
    }
  }

  /** Set `flags` of the tiles the square of `side` px at (c0, r0) covers (clamped into the frame). */
  private fillSquare(flags: Uint8Array, c0: number, r0: number, side: number): void {
    const grid = this.grid as TileGrid;
    const ta = grid.columnOf(c0);
    const tb = grid.columnOf(c0 + side - 1);
    for (let tr = grid.rowOf(r0); tr <= grid.rowOf(r0 + side - 1); tr++) flags.fill(1, tr * grid.columns + ta, tr * grid.columns + tb + 1);
  }
}

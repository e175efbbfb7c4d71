import { DETECTION_NOISE } from './detectionNoise.js';

/**
 * The frame's tiles of about {@link DETECTION_NOISE}.tilePx px: `columns` × `rows` tiles, tile
 * (tr, tc) covering rows [rowStart(tr), rowStart(tr + 1)) and columns [columnStart(tc),
 * columnStart(tc + 1)). The background level's tiles ({@link BackgroundTiles}) and the parts of
 * a frame detection runs on ({@link SpotDetector.detectTiles}) are these.
 */
export class TileGrid {
  readonly width: number;
  readonly height: number;
  /** Tiles along x and y. */
  readonly columns: number;
  readonly rows: number;
  /** A tile's width and height, px (fractional: the frame divided evenly). */
  readonly tileWidth: number;
  readonly tileHeight: number;

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   */
  constructor(width: number, height: number) {
    const t = DETECTION_NOISE.tilePx;
    this.width = width;
    this.height = height;
    this.columns = Math.max(1, Math.round(width / t));
    this.rows = Math.max(1, Math.round(height / t));
    this.tileWidth = width / this.columns;
    this.tileHeight = height / this.rows;
  }

  /** The first column of tile column tc (tc = columns: the frame's width). */
  columnStart(tc: number): number {
    return Math.round(tc * this.tileWidth);
  }

  /** The first row of tile row tr (tr = rows: the frame's height). */
  rowStart(tr: number): number {
    return Math.round(tr * this.tileHeight);
  }

  /**
   * The end of a run of flagged tiles along a tile row: the first tile column from `ta` on (ta
   * itself flagged) whose flag is clear, or {@link columns}.
   * @param flags - one flag per tile, row-major
   * @param tr - tile row
   * @param ta - the run's first tile column
   */
  runEnd(flags: Uint8Array, tr: number, ta: number): number {
    let tb = ta + 1;
    while (tb < this.columns && flags[tr * this.columns + tb]) tb++;
    return tb;
  }

  /** The tile column holding pixel column c (clamped into the frame). */
  columnOf(c: number): number {
    const tc = Math.min(Math.max(Math.floor(c / this.tileWidth), 0), this.columns - 1);
    // Rounded tile edges: the tile whose range holds c.
    if (tc > 0 && c < this.columnStart(tc)) return tc - 1;
    if (tc < this.columns - 1 && c >= this.columnStart(tc + 1)) return tc + 1;
    return tc;
  }

  /** The tile row holding pixel row r (clamped into the frame). */
  rowOf(r: number): number {
    const tr = Math.min(Math.max(Math.floor(r / this.tileHeight), 0), this.rows - 1);
    if (tr > 0 && r < this.rowStart(tr)) return tr - 1;
    if (tr < this.rows - 1 && r >= this.rowStart(tr + 1)) return tr + 1;
    return tr;
  }
}

import type { FilterKernel } from './FilterKernel.js';
import type { TileGrid } from './TileGrid.js';
import type { KernelRows } from './WasmWaveletKernel.js';

/** How {@link SpotDetector} takes a frame through the kernel: its bands and the rows they need. */
export interface DetectionBands {
  /** The tile row after each band's last (a band is tile rows [previous end, end)). */
  readonly ends: readonly number[];
  /** The rows each of the kernel's buffers must hold (the bands and {@link SpotDetector.detectTiles}' regions). */
  readonly rows: KernelRows;
  /**
   * The frame row (exclusive) V1 must reach for the band ending at tile row tB: F2's rows and a
   * row below (2·reach further), and the next band's first tile row (its level bounds this
   * band's thresholds); V1 exists to 2·reach rows past the frame.
   */
  v1End(tB: number): number;
}

/**
 * The bands of whole tile rows, about `bandRows` px each, a frame goes through the detection
 * kernel in, and the rows each of the kernel's buffers then holds (frame rows; a buffer needing
 * the frame's padded height or more holds the whole frame). Per band (frame rows [b0, b1)): V1
 * through {@link DetectionBands.v1End} (from the image's rows reach further), of which the rows
 * from b0 − 1 − 2·reach are kept; F2 over [b0 − 1, b1 + 1) within the frame ('camera': its
 * maxima are found band by band) or the whole frame ('data': its threshold is known only after
 * the last band). The residual passes' regions (a tile row and a pixel around, SpotDetector.
 * detectTiles) fit as well.
 * @param grid - the frame's tiles
 * @param kernel - the filter (its reach and margin)
 * @param bandRows - the band's height the tile rows are grouped to, px
 * @param wholeF2 - whether F2 is kept for the whole frame ('data' noise)
 * @param maps - whether the kernel holds the camera's per-pixel maps (an sCMOS camera's)
 */
export function detectionBands(grid: TileGrid, kernel: FilterKernel, bandRows: number, wholeF2: boolean, maps: boolean): DetectionBands {
  const { reach: r, pad } = kernel;
  const height = grid.height;
  const group = Math.max(1, Math.round(bandRows / grid.tileHeight));
  const v1End = (tB: number) => Math.min(height + 2 * r, Math.max(grid.rowStart(tB) + 1 + 2 * r, tB < grid.rows ? grid.rowStart(tB + 1) : 0));
  const ends: number[] = [];
  let image = 0, v1 = 0, scratch = 0, f2 = 0;
  let done = -2 * r;
  for (let tA = 0; tA < grid.rows; ) {
    const tB = Math.min(tA + group, grid.rows);
    const b0 = grid.rowStart(tA);
    const b1 = grid.rowStart(tB);
    const end = v1End(tB);
    // V1 rows [done, end) from the image's [done − r, end + r), through the scratch; kept from b0 − 1 − 2r.
    image = Math.max(image, end - done + 2 * r);
    scratch = Math.max(scratch, end - done + 2 * r);
    v1 = Math.max(v1, end - Math.max(Math.min(b0 - 1 - 2 * r, done), -2 * r));
    // F2 over [f0, f1) from V1's rows 2r around (through the scratch), and a row around it.
    const f0 = Math.max(b0 - 1, 0);
    const f1 = Math.min(b1 + 1, height);
    scratch = Math.max(scratch, f1 - f0 + 4 * r);
    f2 = Math.max(f2, f1 - f0 + 2);
    done = end;
    ends.push(tB);
    tA = tB;
  }
  // A region of detectTiles: a tile row and a pixel around, the image pad rows further.
  let tile = 0;
  for (let tr = 0; tr < grid.rows; tr++) tile = Math.max(tile, grid.rowStart(tr + 1) - grid.rowStart(tr) + 2);
  image = Math.max(image, tile + 2 * pad);
  v1 = Math.max(v1, tile + 4 * r);
  scratch = Math.max(scratch, tile + 6 * r);
  f2 = wholeF2 ? height + 2 * pad : Math.max(f2, tile + 2);
  return { ends, rows: { image, v1, f2, scratch, maps }, v1End };
}

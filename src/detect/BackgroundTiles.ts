import { DETECTION_NOISE } from './detectionNoise.js';
import { selectKth } from '../camera/selectKth.js';
import type { TileGrid } from './TileGrid.js';

/**
 * Where the tiles' levels are read: V1 of the last frame (pixel (r, c) at `v1[v1Origin + r·v1Stride
 * + c]`, over the rows being measured) and the kernel's quantile of it where it has one
 * (WaveletFilter, WasmWaveletKernel).
 */
export interface V1Source {
  readonly v1: Float32Array | Float64Array;
  readonly v1Stride: number;
  readonly v1Origin: number;
  /** The rank-th smallest V1 sample of a tile, or NaN where the source does not take it. */
  lowSample(r0: number, r1: number, c0: number, c1: number, step: number, rank: number): number;
  /**
   * {@link lowSample} for tiles [ta, tb) of a tile row at once (tile tc spanning columns
   * [columnStarts[tc], columnStarts[tc + 1]), rank ⌊quantile · m⌋ of its m samples), by tile
   * column; absent where the source takes tiles one by one.
   */
  lowSampleRow?(r0: number, r1: number, columnStarts: Int32Array, ta: number, tb: number, step: number, quantile: number): Float64Array;
}

/**
 * The background level of a frame in tiles, and the pixel variance the camera gives it: the
 * density-robust noise behind the detection threshold ({@link DETECTION_NOISE}, 'camera').
 *
 * In each tile of `tilePx`² px, V1 (the frame smoothed by k1) is read every `sampleStepPx` px;
 * spots only add light, so the tile's level b comes from a low quantile q of those values,
 * corrected for the noise's own spread: b = q + z·√(G_V1·F²/QE·(b + s)) (z = −Φ⁻¹(quantile),
 * G_V1 = (Σ k1²)² V1's noise gain, s the read-noise shift), solved by a few fixed-point steps.
 * A pixel's variance is then F²/QE·(b + s) photons², read between tile centres by bilinear
 * interpolation. Scratch is allocated once; {@link update} allocates nothing.
 */
export class BackgroundTiles {
  /** The tiles. */
  readonly grid: TileGrid;
  /** Tiles along x and y. */
  readonly columns: number;
  readonly rows: number;
  /** Each tile's background level, photons/px, of the last {@link update}. */
  readonly level: Float64Array;
  /** Each tile's pixel variance, photons², of the last {@link update}. */
  readonly variance: Float64Array;
  private readonly tileWidth: number;
  private readonly tileHeight: number;
  /** The first column of each tile column, and the frame's width after the last ({@link V1Source.lowSampleRow}). */
  private readonly columnStarts: Int32Array;
  /** The lowest samples of a tile, in order (the quantile's rank + 1 of them). */
  private readonly values: Float64Array;
  private readonly sorted: Float64Array;
  /** V1's noise gain (its variance over a pixel's), interior. */
  private readonly v1Gain2: number;
  /** Lowest variance of the last update. */
  minimum = 0;
  /** The median variance, once {@link median} has selected it since the last update (NaN: not yet). */
  private medianVariance = 0;

  /**
   * @param grid - the frame's tiles
   * @param taps - k1's taps (the filter's)
   * @param noiseScale - F²/QE: a pixel's variance over its mean plus the shift
   * @param shiftPhotons - the read noise's shift s, photons (the sensor's median with a variance map)
   */
  constructor(grid: TileGrid, taps: readonly number[], private readonly noiseScale: number, private readonly shiftPhotons: number) {
    this.grid = grid;
    this.columnStarts = Int32Array.from({ length: grid.columns + 1 }, (_, tc) => grid.columnStart(tc));
    this.columns = this.grid.columns;
    this.rows = this.grid.rows;
    this.tileWidth = this.grid.tileWidth;
    this.tileHeight = this.grid.tileHeight;
    const n = this.columns * this.rows;
    this.level = new Float64Array(n);
    this.variance = new Float64Array(n);
    this.sorted = new Float64Array(n);
    const step = DETECTION_NOISE.sampleStepPx;
    this.values = new Float64Array(Math.floor(DETECTION_NOISE.quantile * (Math.ceil(this.tileWidth / step) + 1) * (Math.ceil(this.tileHeight / step) + 1)) + 1);
    const s = taps.reduce((sum, w) => sum + w * w, 0);
    this.v1Gain2 = s * s;
  }

  /** Estimate every tile's level and variance from the filter's last frame (V1). */
  update(filter: V1Source): void {
    for (let tr = 0; tr < this.rows; tr++) this.updateTiles(filter, tr, 0, this.columns);
    this.summarize();
  }

  /**
   * Estimate the level and variance of the tiles marked (1) from the filter's V1, which must
   * hold the frame's values over them (WasmWaveletKernel.filterRegion); the others keep theirs.
   * @param marked - one flag per tile, row-major
   */
  updateMarked(filter: V1Source, marked: Uint8Array): void {
    for (let t = 0; t < this.level.length; t++) if (marked[t]) this.updateTile(filter, t);
    this.summarize();
  }

  /** Tile t's level and variance from the filter's V1 (the lowest and median are left to {@link summarize}). */
  updateTile(filter: V1Source, t: number): void {
    const tr = (t / this.columns) | 0;
    this.updateTiles(filter, tr, t - tr * this.columns, t - tr * this.columns + 1);
  }

  /**
   * The level and variance of tiles [ta, tb) of tile row tr from the filter's V1 (the lowest and
   * median are left to {@link summarize}): the row's quantiles in one call where the filter takes
   * a row ({@link V1Source.lowSampleRow}).
   */
  updateTiles(filter: V1Source, tr: number, ta: number, tb: number): void {
    const { quantile, sampleStepPx: step } = DETECTION_NOISE;
    const { grid, columnStarts } = this;
    const r0 = grid.rowStart(tr);
    const r1 = grid.rowStart(tr + 1);
    const row = filter.lowSampleRow ? filter.lowSampleRow(r0, r1, columnStarts, ta, tb, step, quantile) : undefined;
    for (let tc = ta; tc < tb; tc++) {
      const c0 = columnStarts[tc];
      const c1 = columnStarts[tc + 1];
      // The rank-th smallest of the tile's samples (the kernel's, else this.lowSample's).
      let q = row ? row[tc] : Number.NaN;
      if (Number.isNaN(q)) {
        const m = Math.ceil((r1 - r0) / step) * Math.ceil((c1 - c0) / step);
        const rank = Math.floor(quantile * m);
        q = filter.lowSample(r0, r1, c0, c1, step, rank);
        if (Number.isNaN(q)) q = this.lowSample(filter, r0, r1, c0, c1, rank);
      }
      this.setTile(tr * this.columns + tc, q);
    }
  }

  /** Tile t's level from its low quantile q of V1 (the fixed point of b = q + z·√(G_V1·F²/QE·(b + s))), and its variance. */
  private setTile(t: number, q: number): void {
    const { quantileZ, iterations, minimumBackgroundPhotons } = DETECTION_NOISE;
    const { noiseScale, shiftPhotons } = this;
    const spread2 = this.v1Gain2 * noiseScale;
    let b = q;
    for (let k = 0; k < iterations; k++) b = q + quantileZ * Math.sqrt(spread2 * Math.max(b + shiftPhotons, 0));
    if (!(b >= minimumBackgroundPhotons)) b = minimumBackgroundPhotons;
    this.level[t] = b;
    this.variance[t] = noiseScale * (b + shiftPhotons);
  }

  /**
   * The lowest variance of the tiles, after their updates (the median is selected when it is
   * asked for: the thresholds need only the lowest, and the selection was ~1 % of detection's
   * time on 256² frames).
   */
  summarize(): void {
    const n = this.variance.length;
    this.minimum = Infinity;
    for (let t = 0; t < n; t++) if (this.variance[t] < this.minimum) this.minimum = this.variance[t];
    this.medianVariance = Number.NaN;
  }

  /** The median variance of the tiles of the last update, photons². */
  get median(): number {
    if (Number.isNaN(this.medianVariance)) {
      const n = this.variance.length;
      this.sorted.set(this.variance);
      this.medianVariance = selectKth(this.sorted, n >> 1, n);
    }
    return this.medianVariance;
  }

  /** The lowest variance any tile can have, photons² (at `minimumBackgroundPhotons`). */
  get floorVariance(): number {
    return this.noiseScale * (DETECTION_NOISE.minimumBackgroundPhotons + this.shiftPhotons);
  }

  /**
   * The rank-th smallest of V1's samples in rows [r0, r1) and columns [c0, c1), every
   * `sampleStepPx` px, in JavaScript: the rank + 1 smallest kept in order as they are read (a
   * quickselect of 64 values cost 4× the whole pass). For what the filter's kernel does not take
   * ({@link WaveletFilter.lowSample}).
   */
  private lowSample(filter: V1Source, r0: number, r1: number, c0: number, c1: number, rank: number): number {
    const { values } = this;
    const { v1, v1Stride: stride, v1Origin: origin } = filter;
    const step = DETECTION_NOISE.sampleStepPx;
    let kept = 0;
    for (let r = r0; r < r1; r += step) {
      const row = origin + r * stride;
      for (let c = c0; c < c1; c += step) {
        const v = v1[row + c];
        if (kept > rank && !(v < values[rank])) continue;
        let i = kept > rank ? rank : kept++;
        while (i > 0 && values[i - 1] > v) {
          values[i] = values[i - 1];
          i--;
        }
        values[i] = v;
      }
    }
    return values[rank];
  }

  /**
   * Every tile at one known level (a frame less its known background, scaled to the noise at
   * that level), photons/px (at least `minimumBackgroundPhotons`).
   */
  setLevel(levelPhotons: number): void {
    const b = Math.max(levelPhotons, DETECTION_NOISE.minimumBackgroundPhotons);
    this.level.fill(b);
    this.variance.fill(this.noiseScale * (b + this.shiftPhotons));
    this.minimum = this.medianVariance = this.variance[0];
  }

  /** The pixel variance at (row, column), photons²: bilinear between tile centres (constant beyond the outer ones). */
  varianceAt(row: number, column: number): number {
    const { columns, rows, variance } = this;
    const x = Math.min(Math.max((column + 0.5) / this.tileWidth - 0.5, 0), columns - 1);
    const y = Math.min(Math.max((row + 0.5) / this.tileHeight - 0.5, 0), rows - 1);
    const x0 = Math.min(Math.floor(x), columns - 2 < 0 ? 0 : columns - 2);
    const y0 = Math.min(Math.floor(y), rows - 2 < 0 ? 0 : rows - 2);
    const x1 = Math.min(x0 + 1, columns - 1);
    const y1 = Math.min(y0 + 1, rows - 1);
    const fx = x - x0;
    const fy = y - y0;
    const top = variance[y0 * columns + x0] * (1 - fx) + variance[y0 * columns + x1] * fx;
    const bottom = variance[y1 * columns + x0] * (1 - fx) + variance[y1 * columns + x1] * fx;
    return top * (1 - fy) + bottom * fy;
  }
}

import type { FrameCamera, PhotonConversion } from '../camera/CameraModel.js';
import { PHOTONS } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';
import { BackgroundTiles } from './BackgroundTiles.js';
import { TileGrid } from './TileGrid.js';
import { Candidates } from './Candidates.js';
import type { RegionPixels } from './RegionPixels.js';
import { chooseNoiseSource, DETECTION_NOISE } from './detectionNoise.js';
import type { ResolvedDetectOptions } from './DetectOptions.js';
import { MadEstimator } from './MadEstimator.js';
import type { WindowPass } from './MadEstimator.js';
import type { FoldedWeights, FilterKernel } from './FilterKernel.js';
import { FILTER_KERNELS, foldedWeights } from './FilterKernel.js';
import { FILTER_BAND_ROWS } from './detectConstants.js';
import { detectionBands } from './detectionBands.js';
import type { DetectionBands } from './detectionBands.js';
import { WasmWaveletKernel } from './WasmWaveletKernel.js';
import { WaveletFilter } from './WaveletFilter.js';

/**
 * The share of a band's lowest threshold above which {@link SpotDetector} collects the band's
 * maxima: a candidate's own threshold is at least that lowest one up to rounding (the bilinear
 * interpolation of the tiles' variances and the border's raise lose a few ulps of f64), and the
 * kernel compares in f32 (a relative 6·10⁻⁸); 10⁻⁶ below it loses none.
 */
const BOUND_SHARE = 1 - 1e-6;

/** The low 29 bits of an f64, clear in an f32 value's (f32 has 23 mantissa bits, f64 52). */
const INDEX_BITS = 0x1fffffff;
/** Whether an f64's low 32 bits come first in memory (its first Uint32 word). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Finds spot candidates in a frame (converted from ADU to photons by the filter's kernel): wavelet
 * filter (ThunderSTORM's B-spline à trous, {@link WaveletFilter}), a threshold that adapts to
 * each frame's noise, 8-neighbour local maxima of F2, and a minimum distance between candidates.
 *
 * The noise is std(F1) of the background, from the camera model and the frame's background level
 * in tiles ({@link BackgroundTiles}: the threshold follows the background across the frame), or,
 * without a camera, the median absolute deviation of F1 on a grid of `noiseSamples` pixels less
 * those where F2 shows a spot ({@link MadEstimator}); the choice and its constants are in
 * detectionNoise.ts. The threshold is K · std(F1) in the interior; within 9 px of the
 * border, where the mirrored filter adds the same pixels twice, F2's noise is larger, and the
 * threshold is raised by exactly that ratio — computed from the folded kernels — so the border
 * gets no excess false positives.
 *
 * With the WebAssembly kernel the frame goes through in bands of whole tile rows
 * ({@link detectionBands}): each band is converted, filtered, its tiles' levels (or its F1
 * samples) measured and its maxima found while its rows are in cache, and the kernel holds a
 * band's rows, not the frame's (with 'data' noise the frame's F2, whose threshold is known only
 * after the last band). The candidates are those of one whole-frame pass: each band's maxima are
 * collected above a bound no kept candidate can be under, and tested once the frame's noise is
 * known.
 *
 * One detector per frame size (scratch is allocated once).
 */
export class SpotDetector {
  readonly options: ResolvedDetectOptions;
  readonly width: number;
  readonly height: number;
  /** The JavaScript filter (engine 'js', or frames too small for the kernel), whole frames. */
  private readonly js: WaveletFilter | undefined;
  /** The WebAssembly kernel, over bands of the frame. */
  private readonly stream: WasmWaveletKernel | undefined;
  /** The bands the kernel takes a frame in. */
  private readonly bands: DetectionBands;
  /** The frame given to {@link load} and its conversion (read band by band by {@link detectLoaded}). */
  private source: PixelArray = new Float32Array(0);
  private conversion: PhotonConversion = PHOTONS;
  /** The F1 samples of the frame (the 'data' noise with the kernel: the first MAD reorders the kernel's). */
  private readonly f1Samples: Float64Array;
  /** The filter's folded weights along columns (x) and rows (y): F2's noise gain per pixel. */
  private readonly columnSums: FoldedWeights;
  private readonly rowSums: FoldedWeights;
  private readonly interiorGain2: number;
  /** F1's noise gain in the interior (its variance over a pixel's). */
  private readonly f1Gain2: number;
  /**
   * The variance F2 gets at each pixel from read noise above the sensor's median (hot pixels of
   * an sCMOS camera), photons², or undefined when the read noise is uniform.
   */
  private readonly excess: Float64Array | undefined;
  private readonly sampleStride: number;
  private readonly mad: MadEstimator;
  private readonly found = new Candidates();
  /** The background tiles ('camera' noise), or undefined ('data'). */
  private readonly tiles: BackgroundTiles | undefined;
  private order = new Int32Array(256);
  /** {@link strongestFirst}'s keys (and their low 32-bit words). */
  private keys = new Float64Array(0);
  private keyWords = new Uint32Array(0);
  /** The tiles {@link detectTiles} works on (those of the background level). */
  readonly grid: TileGrid;
  /** {@link detectTiles}' maxima (frame pixel index, F2) and their row-major order. */
  private maximaPixel = new Int32Array(0);
  private maximaValue = new Float64Array(0);
  private maximaOrder = new Int32Array(0);
  private maximaKeys = new Float64Array(0);
  /** {@link detectTiles}' tiles already taken with a rectangle of the tile rows above. */
  private regionDone = new Uint8Array(0);
  /** The interior threshold of the frame being detected ({@link interiorThreshold}). */
  private base = 0;
  /**
   * The kept candidates by cell of ⌈minDistancePx⌉ px (the first's index in `out`, −1 for none;
   * emptied again after each frame) and the next in the same cell: the minimum-distance test
   * looks at the 3 × 3 cells around a candidate instead of every kept one.
   */
  private readonly cellHead: Int32Array;
  private cellNext = new Int32Array(256);
  private readonly cellPx: number;
  private readonly cellColumns: number;
  /** std(F1) of the last frame's background with 'data' noise (the masked MAD), photons. */
  private dataNoise = 0;
  /** The mean known background of the frame loaded by {@link loadResidual}, photons/px; NaN after {@link load}. */
  private knownLevel = Number.NaN;
  /** Where {@link noise} comes from: the camera model and the background level, or the data (the masked MAD of F1). */
  readonly noiseSource: 'camera' | 'data';

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   * @param options - detector options (resolved)
   * @param camera - the camera for these frames (its maps and read noise set the per-pixel
   *   threshold) @default a Poisson camera, the frames in photons
   * @param bandRows - the kernel's bands, px (rounded to whole tile rows; the frame's height or
   *   more: one band, the whole frame; the candidates are the same) @default FILTER_BAND_ROWS
   */
  constructor(width: number, height: number, options: ResolvedDetectOptions, camera?: FrameCamera, bandRows: number = FILTER_BAND_ROWS) {
    this.options = options;
    this.width = width;
    this.height = height;
    const n = width * height;
    this.sampleStride = Math.max(1, Math.floor(n / options.noiseSamples));
    const sampleCount = Math.ceil(n / this.sampleStride);
    const kernel = FILTER_KERNELS[options.filter];
    this.noiseSource = chooseNoiseSource(options.noiseSource, camera !== undefined && camera.readNoiseKnown !== false);
    this.grid = new TileGrid(width, height);
    this.bands = detectionBands(this.grid, kernel, bandRows, this.noiseSource === 'data', camera?.offsetMap !== undefined && camera.factorMap !== undefined);
    this.stream = options.engine === 'wasm' ? WasmWaveletKernel.create(kernel, width, height, sampleCount, FILTER_BAND_ROWS, this.bands.rows) : undefined;
    this.js = this.stream ? undefined : new WaveletFilter(width, height, 'js', sampleCount, options.filter);
    this.f1Samples = new Float64Array(this.stream && this.noiseSource === 'data' ? sampleCount : 0);
    this.mad = new MadEstimator(sampleCount);
    this.columnSums = foldedWeights(kernel, width);
    this.rowSums = foldedWeights(kernel, height);
    // Interior gains: both axes far from the border (for small images, the centre). F1 = I − V1
    // has weights δ − a⊗a, so Σ w² = 1 − 2·a₀ₓa₀ᵧ + Σa²ₓ·Σa²ᵧ with a₀ the centre weight.
    const cx = width >> 1;
    const cy = height >> 1;
    const c = this.columnSums;
    const r = this.rowSums;
    this.interiorGain2 = c.aa[cx] * r.aa[cy] - 2 * c.ab[cx] * r.ab[cy] + c.bb[cx] * r.bb[cy];
    const centre = (w: FoldedWeights, p: number) => w.a[p * (2 * w.pad + 1) + w.pad];
    this.f1Gain2 = 1 - 2 * centre(c, cx) * centre(r, cy) + c.aa[cx] * r.aa[cy];
    this.excess = camera?.shiftMap ? excessVariance(camera.shiftMap, camera.noiseScale, c, r) : undefined;
    // The pixels' read noise: the scalar camera's, or the sensor's median (the excess above it is `excess`).
    const shift = camera?.shiftMap ? median(camera.shiftMap) : (camera?.shiftPhotons ?? 0);
    this.cellPx = Math.max(1, Math.ceil(options.minDistancePx));
    this.cellColumns = Math.ceil(width / this.cellPx);
    this.cellHead = new Int32Array(this.cellColumns * Math.ceil(height / this.cellPx)).fill(-1);
    this.tiles = this.noiseSource === 'camera' ? new BackgroundTiles(this.grid, kernel.taps, camera?.noiseScale ?? 1, shift) : undefined;
  }

  /**
   * std(F1) of the last frame's background, photons: with 'camera' noise the camera's at the
   * median tile's level (selected when asked for), with 'data' noise the masked MAD of F1.
   */
  get noise(): number {
    return this.tiles ? Math.sqrt(this.f1Gain2 * this.tiles.median) : this.dataNoise;
  }

  /** The filter that runs: its engine and its kernel. */
  get filter(): { readonly engine: 'wasm' | 'js'; readonly kernel: FilterKernel } {
    return this.stream ?? (this.js as WaveletFilter);
  }

  /**
   * Detect candidates in one frame.
   * @param pixels - the frame, row-major: photons, or ADU when `camera` is given
   * @param out - candidates (cleared first)
   * @param camera - converts ADU to photons (design.md §2) @default none (pixels are photons)
   */
  detect(pixels: PixelArray, out: Candidates, camera: PhotonConversion = PHOTONS): void {
    this.load(pixels, camera);
    this.detectLoaded(out);
  }

  /**
   * Convert a frame to photons for {@link detectLoaded} (the camera stage of the pipeline).
   * @param pixels - the frame, row-major: photons, or ADU when `camera` is given
   * @param camera - converts ADU to photons @default none (pixels are photons)
   */
  load(pixels: PixelArray, camera: PhotonConversion = PHOTONS): void {
    this.take(pixels, camera);
    this.knownLevel = Number.NaN;
  }

  /** The frame to detect: loaded by the JavaScript filter, or kept for the kernel's bands (read then). */
  private take(pixels: PixelArray, camera: PhotonConversion): void {
    if (this.js) this.js.load(pixels, camera);
    else {
      this.source = pixels;
      this.conversion = camera;
    }
  }

  /**
   * Load a frame less its known background (the temporal median's residual, in photons, scaled
   * to the noise of a pixel at the background's mean B̄: knownBackground) for
   * {@link detectLoaded}. With 'camera' noise the threshold's noise is then the camera's at B̄
   * everywhere (the residual has no level of its own to read).
   * @param residual - the frame less its background, photons, scaled to the noise at B̄ (read
   *   until {@link detectLoaded} returns)
   * @param backgroundPhotons - the known background B, photons per pixel (its mean is B̄)
   */
  loadResidual(residual: PixelArray, backgroundPhotons: ArrayLike<number>): void {
    this.take(residual, PHOTONS);
    const n = this.width * this.height;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += backgroundPhotons[i];
    this.knownLevel = Math.max(0, sum / n);
  }

  /**
   * Detect candidates in the frame given to {@link load}.
   * @param out - candidates (cleared first)
   */
  detectLoaded(out: Candidates): void {
    if (this.stream) this.detectBands(this.stream, out);
    else this.detectWhole(this.js as WaveletFilter, out);
  }

  /** {@link detectLoaded} by the JavaScript filter, over the whole frame. */
  private detectWhole(filter: WaveletFilter, out: Candidates): void {
    filter.filter();
    const tiles = this.tiles;
    if (tiles) {
      if (Number.isNaN(this.knownLevel)) tiles.update(filter);
      else tiles.setLevel(this.knownLevel);
    } else {
      const m = filter.sampleF1(this.sampleStride);
      this.dataNoise = this.robustStd(filter.samples, m, filter.windowPass, filter.f2, filter.f2Stride, filter.f2Origin, () => filter.sampleF1(this.sampleStride));
    }
    const found = this.found;
    found.count = 0;
    // Local maxima above the interior threshold; near the border the threshold is higher.
    const count = filter.maxima(this.interiorThreshold(tiles ? tiles.minimum : Number.NaN));
    const { f2, f2Stride: stride, f2Origin: origin, list } = filter;
    const width = this.width;
    for (let k = 0; k < count; k++) {
      const p = list[k];
      const row = (p / width) | 0;
      this.test(row, p - row * width, f2[origin + row * stride + p - row * width], found);
    }
    this.suppressClose(found, out);
  }

  /**
   * How far beyond its marked tiles {@link detectTiles} reads the frame, px: the filter's pad
   * (F2's reach) and one pixel (the maxima's neighbours).
   */
  get marginPx(): number {
    return this.filter.kernel.pad + 1;
  }

  /**
   * {@link detectLoaded} by the kernel, band after band ({@link detectionBands}): V1 through the
   * band and the next band's first tile row, the tiles' levels as their rows are done ('camera';
   * 'data': the F1 samples), F2 over the band and a row around it, and its maxima above the
   * lowest threshold of the tiles its pixels' thresholds interpolate ('camera'; a kept candidate
   * is above it). With 'data' noise F2 stays whole and the maxima are found after the last band.
   * The maxima are then tested in row-major order, as one whole-frame pass finds them.
   */
  private detectBands(kernel: WasmWaveletKernel, out: Candidates): void {
    const { tiles, grid, height, width } = this;
    const { reach: r, pad } = kernel.kernel;
    const known = !Number.isNaN(this.knownLevel);
    if (tiles && known) tiles.setLevel(this.knownLevel);
    kernel.begin(this.source, this.conversion);
    let n = 0;
    let tileDone = 0;
    let tA = 0;
    for (const tB of this.bands.ends) {
      const b0 = grid.rowStart(tA);
      const b1 = grid.rowStart(tB);
      const v1End = this.bands.v1End(tB);
      const from = kernel.v1Through(b0 - 1 - 2 * r + pad, v1End + pad) - pad;
      if (!tiles) {
        kernel.sampleF1Rows(Math.max(from, 0), Math.min(v1End, height), this.sampleStride);
        kernel.f2Through(b0 + pad, b1 + pad);
      } else {
        // The tile rows V1 now covers (this band's and the next one's first), then the maxima
        // above the lowest threshold of the tile rows this band's pixels interpolate.
        if (!known) {
          const done = Math.min(tB + 1, grid.rows);
          for (let tr = tileDone; tr < done; tr++) tiles.updateTiles(kernel, tr, 0, grid.columns);
          tileDone = done;
        }
        kernel.f2Through(Math.max(b0 - 1, 0) + pad, Math.min(b1 + 1, height) + pad);
        const lowest = this.lowestVariance(tiles, Math.max(tA - 1, 0), Math.min(tB + 1, grid.rows));
        n = this.gather(kernel, n, kernel.maximaRegion(b0, b1, 0, width, BOUND_SHARE * this.options.threshold * Math.sqrt(this.f1Gain2 * lowest)));
      }
      tA = tB;
    }
    const found = this.found;
    found.count = 0;
    if (tiles) {
      if (!known) tiles.summarize();
      // The threshold one whole-frame pass would have given the kernel (f32), then each pixel's.
      const base = Math.fround(this.interiorThreshold(tiles.minimum));
      const { maximaPixel: pixel, maximaValue: value } = this;
      for (let i = 0; i < n; i++) {
        if (!(value[i] > base)) continue;
        const row = (pixel[i] / width) | 0;
        this.test(row, pixel[i] - row * width, value[i], found);
      }
    } else {
      const m = Math.ceil((width * height) / this.sampleStride);
      this.f1Samples.set(kernel.samples.subarray(0, m));
      this.dataNoise = this.robustStd(kernel.samples, m, kernel, kernel.f2, kernel.stride, kernel.f2Origin, () => kernel.samples.set(this.f1Samples.subarray(0, m)));
      const count = kernel.maxima(this.interiorThreshold(Number.NaN));
      const { f2, stride, f2Origin: origin, list } = kernel;
      for (let k = 0; k < count; k++) {
        const p = list[k];
        const row = (p / width) | 0;
        this.test(row, p - row * width, f2[origin + row * stride + p - row * width], found);
      }
    }
    this.suppressClose(found, out);
  }

  /** The lowest pixel variance of the tiles in tile rows [first, end), photons². */
  private lowestVariance(tiles: BackgroundTiles, first: number, end: number): number {
    const { variance } = tiles;
    let lowest = Infinity;
    for (let t = first * tiles.columns; t < end * tiles.columns; t++) if (variance[t] < lowest) lowest = variance[t];
    return lowest;
  }

  /**
   * Append the kernel's last `count` maxima (frame pixel index, F2) to {@link maximaPixel} and
   * {@link maximaValue} after the first n.
   * @returns the new total
   */
  private gather(kernel: WasmWaveletKernel, n: number, count: number): number {
    if (this.maximaPixel.length < n + count) {
      const grow = Math.max(2 * (n + count), 256);
      const pixel = new Int32Array(grow);
      pixel.set(this.maximaPixel.subarray(0, n));
      const value = new Float64Array(grow);
      value.set(this.maximaValue.subarray(0, n));
      this.maximaPixel = pixel;
      this.maximaValue = value;
    }
    const { f2, stride, f2Origin: origin, list } = kernel;
    const width = this.width;
    for (let k = 0; k < count; k++) {
      const p = list[k];
      const row = (p / width) | 0;
      this.maximaPixel[n] = p;
      this.maximaValue[n++] = f2[origin + row * stride + p - row * width];
    }
    return n;
  }

  /** Whether {@link detectTiles} runs here (the WebAssembly filter; the JavaScript one takes whole frames). */
  get local(): boolean {
    return this.stream !== undefined;
  }

  /**
   * Detect candidates in the marked tiles ({@link grid}) of a frame in photons: the filter runs
   * over each run of marked tiles of a tile row (one pixel more around, for the maxima's
   * neighbours) from the frame's pixels within the filter's margin of them, so the filtered
   * values there are those of a whole-frame {@link load}. The threshold: with 'camera' noise
   * the marked tiles' levels are measured again and the other tiles keep those of the last frame
   * detected, so near the edge of the marked area, where the level is interpolated between tiles,
   * it is the whole frame's only when the unmarked neighbours' levels are (the residual passes:
   * there the residual is the frame itself); with 'data' noise the last frame's estimate holds.
   * A candidate outside the marked tiles is not seen, nor suppresses one inside.
   * Needs {@link local}.
   * @param pixels - the frame, photons, row-major: read only within `marginPx` of the marked
   *   tiles; or its rows computed where read there ({@link RegionPixels})
   * @param marked - one flag per tile of {@link grid}, row-major
   * @param out - candidates (cleared first)
   */
  detectTiles(pixels: Float32Array | RegionPixels, marked: Uint8Array, out: Candidates): void {
    const { stream: kernel, grid, tiles } = this;
    if (!kernel) throw new Error('detectTiles needs the WebAssembly kernel (local)');
    const { columns, rows } = grid;
    let n = 0;
    // Until every marked tile's level is known the maxima are collected above the lowest
    // threshold any tile can have (the exact one is applied after).
    const low = this.interiorThreshold(tiles ? Math.min(tiles.minimum, tiles.floorVariance) : Number.NaN);
    const most = kernel.regionRows;
    if (this.regionDone.length !== marked.length) this.regionDone = new Uint8Array(marked.length);
    const done = this.regionDone;
    done.fill(0);
    for (let tr = 0; tr < rows; tr++) {
      for (let ta = 0; ta < columns; ta++) {
        if (!marked[tr * columns + ta]) continue;
        const tb = grid.runEnd(marked, tr, ta);
        if (done[tr * columns + ta]) {
          ta = tb;
          continue;
        }
        // The same run in the tile rows below joins it: one rectangle, its margin loaded and
        // filtered once (the values are the same whatever the region: filterRegion).
        let te = tr + 1;
        while (te < rows && this.sameRun(marked, te, ta, tb) && Math.min(grid.rowStart(te + 1) + 1, this.height) - Math.max(grid.rowStart(tr) - 1, 0) <= most) {
          done[te * columns + ta] = 1;
          te++;
        }
        const r0 = grid.rowStart(tr);
        const r1 = grid.rowStart(te);
        const c0 = grid.columnStart(ta);
        const c1 = grid.columnStart(tb);
        // F2 one pixel around the rectangle (within the frame), for the maxima's neighbours.
        const fr0 = Math.max(r0 - 1, 0);
        const fr1 = Math.min(r1 + 1, this.height);
        const fc0 = Math.max(c0 - 1, 0);
        const fc1 = Math.min(c1 + 1, this.width);
        kernel.loadRegion(pixels, fr0, fr1, fc0, fc1);
        kernel.filterRegion(fr0, fr1, fc0, fc1);
        if (tiles) for (let t = tr; t < te; t++) tiles.updateTiles(kernel, t, ta, tb);
        n = this.gather(kernel, n, kernel.maximaRegion(r0, r1, c0, c1, low));
        ta = tb;
      }
    }
    if (tiles) {
      tiles.summarize();
    }
    // The maxima in row-major order, as one pass over the whole frame lists them: keys pixel·n +
    // i (exact in f64: pixels and maxima each < 2²⁶) sorted natively, no comparator.
    if (this.maximaOrder.length < n) {
      this.maximaOrder = new Int32Array(this.maximaPixel.length);
      this.maximaKeys = new Float64Array(this.maximaPixel.length);
    }
    const order = this.maximaOrder.subarray(0, n);
    const keys = this.maximaKeys.subarray(0, n);
    const pixel = this.maximaPixel;
    for (let i = 0; i < n; i++) keys[i] = pixel[i] * n + i;
    keys.sort();
    for (let k = 0; k < n; k++) order[k] = keys[k] % n;
    const found = this.found;
    found.count = 0;
    this.interiorThreshold(tiles ? tiles.minimum : Number.NaN);
    for (let i = 0; i < n; i++) {
      const p = pixel[order[i]];
      const row = (p / this.width) | 0;
      this.test(row, p - row * this.width, this.maximaValue[order[i]], found);
    }
    this.suppressClose(found, out);
  }

  /** Whether tile row tr's marked tiles from `ta` on are the run [ta, tb) exactly (none marked just before or after it). */
  private sameRun(marked: Uint8Array, tr: number, ta: number, tb: number): boolean {
    const { columns } = this.grid;
    const row = tr * columns;
    if (!marked[row + ta] || (ta > 0 && marked[row + ta - 1])) return false;
    return this.grid.runEnd(marked, tr, ta) === tb;
  }

  /**
   * The threshold of the maxima, K·std(F1) at the lowest tile's background ('camera', with that
   * tile's variance) or at {@link noise} ('data'); sets {@link base} for {@link test}.
   * @param minimumVariance - the lowest tile's pixel variance, photons² ('camera'; NaN for 'data')
   */
  private interiorThreshold(minimumVariance: number): number {
    const k = this.options.threshold;
    this.base = k * (this.tiles ? Math.sqrt(this.f1Gain2 * minimumVariance) : this.dataNoise);
    return this.base;
  }

  /**
   * Keep a maximum of F2 (value v at row, column) that passes the pixel's threshold: K·std(F1)
   * in the interior; at a pixel whose F2 is noisier — near the border, where the padding adds
   * pixels twice, or near a hot pixel — raised by that ratio: with F2's variance G2·v0 + E (v0 =
   * std(F1)²/G1 a typical pixel's, E the hot pixels' excess), threshold² = base²·G2/G2int +
   * K²·E·G1/G2int.
   */
  private test(row: number, column: number, v: number, found: Candidates): void {
    const k = this.options.threshold;
    const tiles = this.tiles;
    const cs = this.columnSums;
    const rs = this.rowSums;
    const interior2 = this.interiorGain2;
    const excess = this.excess;
    const b2 = tiles ? k * k * this.f1Gain2 * tiles.varianceAt(row, column) : this.base * this.base;
    const gain2 = cs.aa[column] * rs.aa[row] - 2 * cs.ab[column] * rs.ab[row] + cs.bb[column] * rs.bb[row];
    const raised = (gain2 > interior2 ? (b2 * gain2) / interior2 : b2) + (excess ? ((k * k * this.f1Gain2) / interior2) * excess[row * this.width + column] : 0);
    if (v * v > raised) found.push(row, column, v);
  }

  /**
   * Keep the strongest of candidates closer than the minimum distance (greedy, strongest first):
   * each candidate is tested against the kept ones in the cells around it (a candidate closer
   * than ⌈minDistancePx⌉ lies in a neighbouring cell), so the cost grows with the candidates,
   * not their square (2 600 a 2048² frame), and the result is the test against every kept one.
   */
  private suppressClose(found: Candidates, out: Candidates): void {
    out.count = 0;
    const n = found.count;
    const d2 = this.options.minDistancePx ** 2;
    if (this.order.length < n) {
      this.order = new Int32Array(n * 2);
      this.cellNext = new Int32Array(n * 2);
    }
    const order = this.strongestFirst(found, n);
    const strength = found.strength;
    if (d2 <= 4) {
      // Closer than 2 px is an 8-neighbour (dr² + dc² ≤ 3), and two local maxima never are
      // (each would have to beat or tie the other, one of them strictly): none is dropped.
      for (let k = 0; k < n; k++) out.push(found.row[order[k]], found.column[order[k]], strength[order[k]]);
      return;
    }
    const { cellHead: head, cellNext: next, cellPx: size, cellColumns: columns } = this;
    const rows = head.length / columns;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const r = found.row[i];
      const c = found.column[i];
      const cr = (r / size) | 0;
      const cc = (c / size) | 0;
      let keep = true;
      for (let y = Math.max(cr - 1, 0); keep && y <= Math.min(cr + 1, rows - 1); y++) {
        for (let x = Math.max(cc - 1, 0); x <= Math.min(cc + 1, columns - 1); x++) {
          for (let j = head[y * columns + x]; j >= 0; j = next[j]) {
            const dr = out.row[j] - r;
            const dc = out.column[j] - c;
            if (dr * dr + dc * dc < d2) {
              keep = false;
              break;
            }
          }
          if (!keep) break;
        }
      }
      if (!keep) continue;
      const cell = cr * columns + cc;
      next[out.count] = head[cell];
      head[cell] = out.count;
      out.push(r, c, strength[i]);
    }
    for (let j = 0; j < out.count; j++) head[((out.row[j] / size) | 0) * columns + ((out.column[j] / size) | 0)] = -1;
  }

  /**
   * The order of the first n candidates by strength, strongest first, ties in their order (a
   * stable sort's). Strengths of the kernel's F2 are f32 values: their f64 has 29 low mantissa
   * bits clear, which then hold the index (reversed) of a key sorted natively, ~4× faster than
   * a sort with a comparator (2 600 candidates a 2048² frame); other strengths (JavaScript's
   * f64, a non-finite one) are sorted with the comparator.
   */
  private strongestFirst(found: Candidates, n: number): Int32Array {
    const order = this.order.subarray(0, n);
    const strength = found.strength;
    if (this.keys.length < n) {
      this.keys = new Float64Array(this.order.length);
      this.keyWords = new Uint32Array(this.keys.buffer);
    }
    const keys = this.keys.subarray(0, n);
    const words = this.keyWords;
    let packed = LITTLE_ENDIAN && n <= INDEX_BITS;
    for (let i = 0; packed && i < n; i++) {
      const v = strength[i];
      keys[i] = v;
      packed = v > 0 && v < Infinity && Math.fround(v) === v;
      words[2 * i] |= INDEX_BITS - i;
    }
    if (packed) {
      keys.sort();
      for (let k = 0; k < n; k++) order[k] = INDEX_BITS - (words[2 * (n - 1 - k)] & INDEX_BITS);
      return order;
    }
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => strength[b] - strength[a]);
    return order;
  }

  /** The excess variance of F2 at each pixel (see the constructor), or undefined. */
  get excessVariance(): Float64Array | undefined {
    return this.excess;
  }

  /**
   * 1.4826 · median |F1 − median F1| over a regular grid of pixels, then again over those of
   * them where |F2| is within `maskSigmas` of F2's noise (so the spots' structure in F1 does not
   * count), unless too few are left.
   * @param samples - F1 at pixels 0, step, 2·step, … (reordered)
   * @param m - how many
   * @param pass - the kernel's window pass over `samples`, if any
   * @param f2 - F2 of the whole frame: pixel (r, c) at f2[origin + r·stride + c]
   * @param restore - puts the F1 samples back into `samples` (in their order)
   */
  private robustStd(samples: Float64Array, m: number, pass: WindowPass | undefined, f2: Float32Array | Float64Array, stride: number, origin: number, restore: () => void): number {
    const step = this.sampleStride;
    const all = this.mad.std(samples, m, pass);
    const limit = DETECTION_NOISE.maskSigmas * all * Math.sqrt(this.interiorGain2 / this.f1Gain2);
    restore();
    const width = this.width;
    let kept = 0;
    for (let i = 0, p = 0; i < m; i++, p += step) {
      const row = (p / width) | 0;
      const v = f2[origin + row * stride + (p - row * width)];
      if (v <= limit && v >= -limit) samples[kept++] = samples[i];
    }
    if (kept < DETECTION_NOISE.minimumKeptShare * m || kept < 2) return all;
    return this.mad.std(samples, kept, pass);
  }
}

/**
 * The variance F2 gets at each pixel from read noise above the sensor's median: with e_q =
 * noiseScale · max(0, s_q − median s) each pixel's excess (s the camera's shift, photons), E_p =
 * Σ_q w_pq² e_q for F2's weights w = a⊗a − b⊗b, by three separable sums over the squared folded
 * weights: w² = a²⊗a² − 2·ab⊗ab + b²⊗b².
 */
function excessVariance(shift: Float32Array, noiseScale: number, columns: FoldedWeights, rows: FoldedWeights): Float64Array {
  const width = columns.aa.length;
  const height = rows.aa.length;
  const sorted = Float32Array.from(shift).sort();
  const median = sorted[sorted.length >> 1];
  const e = new Float64Array(width * height);
  let any = false;
  for (let i = 0; i < e.length; i++) {
    e[i] = noiseScale * Math.max(0, shift[i] - median);
    if (e[i] > 0) any = true;
  }
  const out = new Float64Array(width * height);
  if (!any) return out;
  const tmp = new Float64Array(width * height);
  const terms: [(w: FoldedWeights, j: number) => number, number][] = [
    [(w, j) => w.a[j] * w.a[j], 1],
    [(w, j) => w.a[j] * w.b[j], -2],
    [(w, j) => w.b[j] * w.b[j], 1],
  ];
  for (const [weight, factor] of terms) {
    const span = 2 * columns.pad + 1;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        let sum = 0;
        for (let j = 0; j < span; j++) {
          const q = c - columns.pad + j;
          if (q >= 0 && q < width) sum += weight(columns, c * span + j) * e[r * width + q];
        }
        tmp[r * width + c] = sum;
      }
    }
    const rowSpan = 2 * rows.pad + 1;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        let sum = 0;
        for (let j = 0; j < rowSpan; j++) {
          const q = r - rows.pad + j;
          if (q >= 0 && q < height) sum += weight(rows, r * rowSpan + j) * tmp[q * width + c];
        }
        out[r * width + c] += factor * sum;
      }
    }
  }
  for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  return out;
}

/** The median of a map (a copy is sorted). */
function median(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[sorted.length >> 1];
}

import type { PixelArray } from '../io/Frame.js';
import type { RegionPixels } from './RegionPixels.js';
import { instantiate, wasmModule } from '../wasm/wasmModule.js';
import type { PhotonConversion } from '../camera/CameraModel.js';
import { ALIGN, DUPLICATE_PAD, FILTER_BAND_ROWS, SLACK } from './detectConstants.js';
import type { FilterKernel } from './FilterKernel.js';
import type { WindowPass } from './MadEstimator.js';

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  base(): number;
  convertU16(src: number, dst: number, stride: number, width: number, height: number, pad: number, baseline: number, factor: number): void;
  convertU16Map(src: number, dst: number, stride: number, width: number, height: number, pad: number, offset: number, factor: number): void;
  mirrorColumns(buf: number, stride: number, width: number, r0: number, r1: number, pad: number): void;
  duplicateColumns(buf: number, stride: number, width: number, r0: number, r1: number, pad: number, duplicate: number): void;
  rows(input: number, out: number, stride: number, r0: number, r1: number, c0: number, c1: number, taps: number, hole: number): void;
  columns(input: number, out: number, stride: number, r0: number, r1: number, c0: number, c1: number, taps: number, hole: number, minus: number, subtract: number): void;
  maxima(buf: number, stride: number, width: number, height: number, pad: number, threshold: number, list: number): number;
  sampleF1(image: number, v1: number, stride: number, width: number, r0: number, r1: number, pad: number, step: number, first: number, out: number): number;
  collect(values: number, n: number, low: number, high: number, center: number, fold: number, out: number): number;
  kth(values: number, n: number, rank: number, scratch: number): number;
  lowSample(v1: number, stride: number, r0: number, r1: number, c0: number, c1: number, step: number, rank: number): number;
  lowSampleRow(v1: number, stride: number, r0: number, r1: number, starts: number, ta: number, tb: number, step: number, quantile: number, out: number): void;
  below: { value: number };
}

/**
 * How many rows of the padded layout each of the kernel's buffers holds (at least the frame's
 * padded height: the whole frame, the buffer never moves).
 */
export interface KernelRows {
  /** The frame in photons (and its raw uint16 rows' staging). */
  readonly image: number;
  /** V1. */
  readonly v1: number;
  /** F2. */
  readonly f2: number;
  /** The row passes' output, read by the column passes. */
  readonly scratch: number;
  /**
   * Whether the kernel holds a copy of the camera's per-pixel maps (8 B/px: uint16 frames of an
   * sCMOS camera converted in the kernel); without it such frames are converted by a
   * JavaScript loop (the same values).
   */
  readonly maps: boolean;
}

/**
 * One of the kernel's buffers: `capacity` rows of the padded layout from padded row `top` on,
 * addressed as if it held the whole frame (its {@link base} is shifted by `top` rows; wasm32
 * addresses wrap), so the passes index every buffer by the frame's rows.
 */
class RowWindow {
  /** The first padded row held. */
  top = 0;

  constructor(
    readonly offset: number,
    readonly capacity: number,
    private readonly rowBytes: number,
    /** Whether it holds every padded row (it then never moves). */
    readonly whole: boolean,
  ) {}

  /** The buffer's address as if it began at padded row 0. */
  get base(): number {
    return (this.offset - this.top * this.rowBytes) | 0;
  }

  /** Hold padded rows [first, end) from now on (what the rows held before is not moved). */
  place(first: number, end: number): void {
    if (this.whole) return;
    if (end - first > this.capacity) throw new RangeError(`padded rows ${first}–${end} exceed the detection kernel's window of ${this.capacity} rows`);
    this.top = first;
  }
}

/**
 * The detection work in WebAssembly SIMD on f32 (waveletKernel.wasm, compiled from the
 * AssemblyScript in assembly/waveletKernel.ts; the contracts of its buffers — the mirrored
 * margin, the slack after each buffer — are the constants of detectConstants.ts): the camera
 * conversion (uint16 frames in the kernel, other sample types by one JavaScript loop), the
 * wavelet filter's four separable passes, and the search for local maxima of F2 above a
 * threshold.
 *
 * The frame is converted into a buffer with 9 px of mirrored margin (the margin rows converted
 * from the rows they mirror); since k1 is symmetric, every level computed on that buffer is
 * itself the mirrored extension of the level, so the interior loops reproduce the per-pass
 * mirroring of the JavaScript filter with no border logic. f32 holds a pixel to 6·10⁻⁸ of its
 * value — far below the Poisson noise the threshold is set against; the fit reads the frame's
 * pixels itself, in f64, never these.
 *
 * Each buffer holds the whole frame, or a window of its rows ({@link KernelRows}): then the
 * frame goes through in bands ({@link begin}, {@link v1Through}, {@link f2Rows}), each row
 * converted and filtered where the band needs it, and the kernel's memory does not grow with
 * the frame's height. Every value is the same arithmetic on the same inputs as one whole-frame
 * pass, bit for bit. One instance (its own memory) per frame size and thread.
 */
export class WasmWaveletKernel implements WindowPass {
  /** Which engine this is (the run's record names it). */
  readonly engine = 'wasm' as const;
  readonly width: number;
  readonly height: number;
  /** The filter (its taps and its padding). */
  readonly kernel: FilterKernel;
  /** Margin of the padded buffers, px. */
  readonly pad: number;
  /** Row stride of the padded buffers, values. */
  readonly stride: number;
  /** Index of pixel (0, 0) in a whole-frame padded buffer. */
  readonly origin: number;
  /** F2 = V1 − V2 in the padded layout: pixel (r, c) at `f2[f2Origin + r·stride + c]` (rows its window holds). */
  readonly f2: Float32Array;
  /** V1 = I * k1, padded as {@link f2}: pixel (r, c) at `v1[v1Origin + r·stride + c]`. */
  readonly v1: Float32Array;
  /** The pixel indices r·width + c found by the last {@link maximaRegion}. */
  readonly list: Int32Array;
  /** F1 samples of the last {@link sampleF1} (or {@link sampleF1Rows}, by index). */
  readonly samples: Float64Array;
  /** Where {@link collect} copies values (the {@link WindowPass} of the noise estimate). */
  readonly window: Float64Array;
  /** Output rows of F2 per band of {@link filter}. */
  readonly bandRows: number;
  private readonly exports: KernelExports;
  private readonly paddedHeight: number;
  private readonly reach: number;
  private readonly taps: number;
  private readonly rowBytes: number;
  private readonly raw: Uint16Array;
  private readonly imageView: Float32Array;
  private readonly image: RowWindow;
  private readonly v1Rows: RowWindow;
  private readonly f2Rows: RowWindow;
  private readonly scratch: RowWindow;
  private readonly offsets: { raw: number; list: number; samples: number; window: number; offsetMap: number; factorMap: number; select: number; starts: number; quantiles: number };
  /** The tiles' first columns {@link lowSampleRow} last copied into the kernel, and the kernel's copy and output. */
  private startsCopied: Int32Array | undefined;
  private readonly startsView: Int32Array;
  private readonly quantiles: Float64Array;
  /** The camera's per-pixel maps, once copied into the kernel's memory. */
  private maps: { offset: Float32Array; factor: Float32Array } | undefined;
  /** The frame being converted, and its conversion (whether it uses the maps). */
  private source: PixelArray = new Uint16Array(0);
  private camera: PhotonConversion = { baselineAdu: 0, photonsPerAduNet: 1 };
  private mapped = false;
  /** Whether the kernel's memory has room for the camera's maps ({@link KernelRows.maps}). */
  private readonly mapsHeld: boolean;
  /** V1 is computed up to this padded row (exclusive) in the frame given to {@link begin}. */
  private v1Done = 0;
  /** {@link loadRegion}'s frame held as an array, read through the rows interface (made once). */
  private readonly arrayRows: ArrayRows;

  /**
   * @returns a kernel for frames of this size, or undefined where the frame is too small for the
   *   padded layout (under 2·PAD px a side: the caller then runs the JavaScript filter, and
   *   records that it did)
   * @param bandRows - output rows per band of {@link filter} (at least the frame's height: one
   *   whole-frame pass, the reference the bands reproduce exactly) @default FILTER_BAND_ROWS
   * @param rows - rows each buffer holds @default the whole frame (and one band for the scratch)
   * @throws KernelLoadError naming waveletKernel.wasm when it cannot be loaded
   */
  static create(kernel: FilterKernel, width: number, height: number, sampleCapacity: number, bandRows: number = FILTER_BAND_ROWS, rows?: KernelRows): WasmWaveletKernel | undefined {
    if (width < 2 * kernel.pad || height < 2 * kernel.pad) return undefined;
    return new WasmWaveletKernel(wasmModule(new URL('./waveletKernel.wasm', import.meta.url)), kernel, width, height, sampleCapacity, bandRows, rows);
  }

  private constructor(module: object, kernel: FilterKernel, width: number, height: number, sampleCapacity: number, bandRows: number, rows: KernelRows | undefined) {
    const pad = kernel.pad;
    this.bandRows = Math.max(1, Math.min(Math.floor(bandRows), height));
    this.kernel = kernel;
    this.pad = pad;
    this.reach = kernel.reach;
    this.taps = kernel.taps.length;
    this.width = width;
    this.height = height;
    this.arrayRows = new ArrayRows(width);
    this.stride = width + 2 * pad;
    this.rowBytes = this.stride * 4;
    const ph = height + 2 * pad;
    this.paddedHeight = ph;
    this.origin = pad * this.stride + pad;
    const n = width * height;
    this.exports = instantiate<KernelExports>(module);
    const held = rows ?? { image: ph, v1: ph, f2: ph, scratch: this.bandRows + 2 * pad, maps: true };
    const mapPixels = held.maps ? n : 0;
    const capacity = (r: number) => Math.max(1, Math.min(Math.ceil(r), ph));
    // Every buffer starts on an aligned boundary after the module's own data, with slack before
    // and after.
    const align = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;
    const rowsBytes = (r: number) => align((this.stride * capacity(r) + SLACK) * 4);
    const raw = this.exports.base() + SLACK * 4;
    const image = align(raw + (width * capacity(held.image) + SLACK) * 2 + SLACK * 4);
    const scratch = image + rowsBytes(held.image);
    const v1 = scratch + rowsBytes(held.scratch);
    const f2 = v1 + rowsBytes(held.v1);
    const list = f2 + rowsBytes(held.f2);
    // Local maxima are never neighbours (each beats or ties the other): at most one in 2 × 2 px.
    const listCapacity = Math.ceil(width / 2) * Math.ceil(capacity(held.f2) / 2);
    const samples = align(list + (listCapacity + SLACK) * 4);
    const window = align(samples + sampleCapacity * 8);
    const offsetMap = align(window + sampleCapacity * 8);
    const factorMap = align(offsetMap + (mapPixels + SLACK) * 4);
    // kth's scratch: two halves of up to the window's values each.
    const select = align(factorMap + (mapPixels + SLACK) * 4);
    // lowSampleRow's tile edges (a tile column per pixel column at most, and the frame's width) and its output.
    const starts = align(select + (2 * sampleCapacity + SLACK) * 8);
    const quantiles = align(starts + (width + 1) * 4);
    this.mapsHeld = held.maps;
    this.offsets = { raw, list, samples, window, offsetMap, factorMap, select, starts, quantiles };
    const needed = quantiles + width * 8;
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
    const buffer = memory.buffer;
    const window_ = (offset: number, r: number) => new RowWindow(offset, capacity(r), this.rowBytes, capacity(r) >= ph);
    this.image = window_(image, held.image);
    this.scratch = window_(scratch, held.scratch);
    this.v1Rows = window_(v1, held.v1);
    this.f2Rows = window_(f2, held.f2);
    this.raw = new Uint16Array(buffer, raw, width * capacity(held.image));
    this.imageView = new Float32Array(buffer, image, this.stride * capacity(held.image));
    this.v1 = new Float32Array(buffer, v1, this.stride * capacity(held.v1));
    this.f2 = new Float32Array(buffer, f2, this.stride * capacity(held.f2));
    this.list = new Int32Array(buffer, list, listCapacity);
    this.samples = new Float64Array(buffer, samples, sampleCapacity);
    this.window = new Float64Array(buffer, window, sampleCapacity);
    this.startsView = new Int32Array(buffer, starts, width + 1);
    this.quantiles = new Float64Array(buffer, quantiles, width);
  }

  /** Row stride of {@link v1}, values. */
  get v1Stride(): number {
    return this.stride;
  }

  /** Index of pixel (0, 0) in {@link v1}, as its window lies now. */
  get v1Origin(): number {
    return this.origin - this.v1Rows.top * this.stride;
  }

  /** Index of pixel (0, 0) in {@link f2}, as its window lies now. */
  get f2Origin(): number {
    return this.origin - this.f2Rows.top * this.stride;
  }

  /**
   * Convert a whole frame to photons into the padded image, and pad it as the filter does:
   * (pixel − baseline) · factor, or per pixel (pixel − offsetMap) · factorMap with the camera's
   * maps (the image must hold the whole frame).
   * @param pixels - the frame, row-major, width·height
   * @param camera - the conversion (baseline 0, factor 1 for frames already in photons)
   */
  load(pixels: PixelArray, camera: PhotonConversion): void {
    this.begin(pixels, camera);
    this.convertRows(0, this.paddedHeight);
  }

  /**
   * Start a frame for the band-by-band passes ({@link v1Through}, {@link f2Rows}), which read
   * its rows as they go (`pixels` must not change until the last).
   * @param pixels - the frame, row-major, width·height
   * @param camera - the conversion (baseline 0, factor 1 for frames already in photons)
   */
  begin(pixels: PixelArray, camera: PhotonConversion): void {
    this.source = pixels;
    this.camera = camera;
    this.mapped = camera.offsetMap !== undefined && camera.factorMap !== undefined;
    if (this.mapped) this.useMaps(camera.offsetMap as Float32Array, camera.factorMap as Float32Array);
    this.maps = this.mapped ? { offset: camera.offsetMap as Float32Array, factor: camera.factorMap as Float32Array } : undefined;
    this.v1Done = this.reach;
  }

  /**
   * V1 through padded row `end` (exclusive; V1 exists for padded rows [reach, paddedHeight −
   * reach)), converting the frame's rows the pass reads; of the rows computed before, those from
   * padded row `keep` on are kept (the V1 window holds [keep, end) after).
   * @returns the first padded row computed now
   */
  v1Through(keep: number, end: number): number {
    const from = this.v1Done;
    if (end <= from) return from;
    const r = this.reach;
    const v1 = this.v1Rows;
    if (!v1.whole) {
      const first = Math.max(Math.min(keep, from), r);
      if (first < from && first < v1.top) throw new RangeError(`V1 row ${first} is no longer held`);
      this.v1.copyWithin(0, (first - v1.top) * this.stride, (from - v1.top) * this.stride);
      v1.place(first, end);
    }
    this.convertRows(from - r, end + r);
    this.v1Pass(from, end, r, this.stride - r);
    this.v1Done = end;
    return from;
  }

  /**
   * F2 over padded rows [first, end) and all columns, from the V1 rows {@link v1Through} holds
   * (first − 2·reach to end + 2·reach); the F2 window holds [first − 1, end + 1) after.
   */
  f2Through(first: number, end: number): void {
    this.f2Rows.place(first - 1, end + 1);
    this.f2Pass(first, end, this.pad, this.stride - this.pad);
  }

  /**
   * Convert padded rows [first, end) of the frame given to {@link begin} into the image, its
   * margins as the filter pads them: each margin row is its source row converted (FilterKernel's
   * `inner`; zeros where it has none), then the columns padded.
   */
  private convertRows(first: number, end: number): void {
    const { width, height, pad, stride, kernel, camera, source: pixels, rowBytes } = this;
    const e = this.exports;
    const image = this.image;
    image.place(first, end);
    const view = this.imageView;
    const top = image.top;
    // The frame's rows in the window: padded rows [inFirst, inEnd); the others are margin rows.
    const inFirst = Math.min(Math.max(first, pad), pad + height);
    const inEnd = Math.max(Math.min(end, pad + height), inFirst);
    if (pixels instanceof Uint16Array && (!this.mapped || this.mapsHeld)) {
      // Raw row i is padded row first + i; convertU16's row 0 is padded row `pad` of its dst,
      // which is shifted so that it is padded row `first` (or `p` for one margin row).
      const raw = this.raw;
      const rawAt = this.offsets.raw;
      if (inEnd > inFirst) raw.set(pixels.subarray((inFirst - pad) * width, (inEnd - pad) * width), (inFirst - first) * width);
      for (let p = first; p < end; p++) {
        const s = p < inFirst || p >= inEnd ? kernel.inner(p - pad, height) : -1;
        if (s >= 0) raw.set(pixels.subarray(s * width, (s + 1) * width), (p - first) * width);
      }
      const base = image.base;
      if (!this.mapped) e.convertU16(rawAt, (base + (first - pad) * rowBytes) | 0, stride, width, end - first, pad, camera.baselineAdu, camera.photonsPerAduNet);
      else {
        const { offsetMap, factorMap } = this.offsets;
        const rowMap = 4 * width;
        if (inEnd > inFirst) e.convertU16Map(rawAt + (inFirst - first) * width * 2, (base + (inFirst - pad) * rowBytes) | 0, stride, width, inEnd - inFirst, pad, offsetMap + (inFirst - pad) * rowMap, factorMap + (inFirst - pad) * rowMap);
        for (let p = first; p < end; p++) {
          const s = p < inFirst || p >= inEnd ? kernel.inner(p - pad, height) : -1;
          if (s >= 0) e.convertU16Map(rawAt + (p - first) * width * 2, (base + (p - pad) * rowBytes) | 0, stride, width, 1, pad, offsetMap + s * rowMap, factorMap + s * rowMap);
        }
      }
    } else {
      const baseline = camera.baselineAdu;
      const factor = camera.photonsPerAduNet;
      const maps = this.mapped ? this.maps : undefined;
      // uint16 frames here (the maps not in the kernel) get the kernel's f32 arithmetic.
      const f32 = pixels instanceof Uint16Array;
      const round = Math.fround;
      for (let p = first; p < end; p++) {
        const s = p < inFirst || p >= inEnd ? kernel.inner(p - pad, height) : p - pad;
        if (s < 0) continue;
        const from = s * width;
        const target = (p - top) * stride + pad;
        if (maps && f32) for (let c = 0; c < width; c++) view[target + c] = round(pixels[from + c] - maps.offset[from + c]) * maps.factor[from + c];
        else if (maps) for (let c = 0; c < width; c++) view[target + c] = (pixels[from + c] - maps.offset[from + c]) * maps.factor[from + c];
        else for (let c = 0; c < width; c++) view[target + c] = (pixels[from + c] - baseline) * factor;
      }
    }
    if (kernel.padding === 'duplicate') e.duplicateColumns(image.base, stride, width, first, end, pad, DUPLICATE_PAD);
    else e.mirrorColumns(image.base, stride, width, first, end, pad);
    // Margin rows without a source row (beyond ThunderSTORM's duplicated edge): zeros.
    for (let p = first; p < end; p++) {
      if ((p < inFirst || p >= inEnd) && kernel.inner(p - pad, height) < 0) view.fill(0, (p - top) * stride, (p - top + 1) * stride);
    }
  }

  /** The camera's maps in the kernel's memory (copied the first time they are seen). */
  private useMaps(offset: Float32Array, factor: Float32Array): void {
    if (this.mapsHeld && (this.maps?.offset !== offset || this.maps.factor !== factor)) {
      const buffer = this.exports.memory.buffer;
      const n = this.width * this.height;
      new Float32Array(buffer, this.offsets.offsetMap, n).set(offset);
      new Float32Array(buffer, this.offsets.factorMap, n).set(factor);
      this.maps = { offset, factor };
    }
  }

  /** V1 over padded rows [first, end) and columns [a, b), from the image's rows first − reach to end + reach. */
  private v1Pass(first: number, end: number, a: number, b: number): void {
    const { stride, exports: e, taps, reach: r, scratch } = this;
    scratch.place(first - r, end + r);
    e.rows(this.image.base, scratch.base, stride, first - r, end + r, a, b, taps, 1);
    e.columns(scratch.base, this.v1Rows.base, stride, first, end, a, b, taps, 1, 0, 0);
  }

  /** F2 = V1 − V2 over padded rows [first, end) and columns [a, b), from V1's rows first − 2·reach to end + 2·reach. */
  private f2Pass(first: number, end: number, a: number, b: number): void {
    const { stride, exports: e, taps, reach: r, scratch } = this;
    scratch.place(first - 2 * r, end + 2 * r);
    e.rows(this.v1Rows.base, scratch.base, stride, first - 2 * r, end + 2 * r, a, b, taps, 2);
    e.columns(scratch.base, this.f2Rows.base, stride, first, end, a, b, taps, 2, this.v1Rows.base, 1);
  }

  /**
   * Filter the loaded frame into `f2` (and V1), band after band of {@link bandRows} output rows:
   * V1's row and column passes over the rows V2 reads (each V1 row once, in order), then V2's
   * (taps two apart) over the band, the last pass writing F2 = V1 − V2. The row passes' output
   * lives in a band-sized scratch, recomputed over the halo each band needs. Each value is the
   * same arithmetic on the same inputs as one whole-frame pass, so the result is identical, bit
   * for bit, in every pixel the detection reads. The buffers must hold the whole frame.
   */
  filter(): void {
    const { stride, paddedHeight: ph, pad, bandRows, reach: r } = this;
    let v1Done = r;
    for (let b0 = pad; b0 < ph - pad; b0 += bandRows) {
      const b1 = Math.min(b0 + bandRows, ph - pad);
      // V1 rows [v1Done, b1 + 2r) from the first pass's rows [v1Done − r, b1 + 3r).
      const v1End = b1 + 2 * r;
      this.v1Pass(v1Done, v1End, r, stride - r);
      v1Done = v1End;
      this.f2Pass(b0, b1, pad, stride - pad);
    }
  }

  /**
   * Load a frame already in photons (f32) over frame rows [r0, r1) and columns [c0, c1) and the
   * filter's margin around them: pixels outside the frame as the filter pads (FilterKernel's
   * `inner`), so every value is the one {@link load} of the whole frame puts there. Only that
   * part of `pixels` is read.
   * @param pixels - the frame, photons, row-major, width·height (valid within the rows and
   *   columns ± pad), or the rows' photons computed where read ({@link RegionPixels})
   */
  loadRegion(pixels: Float32Array | RegionPixels, r0: number, r1: number, c0: number, c1: number): void {
    let rows: RegionPixels;
    if (pixels instanceof Float32Array) {
      this.arrayRows.pixels = pixels;
      rows = this.arrayRows;
    } else {
      rows = pixels;
    }
    const { width, height, stride, pad, kernel } = this;
    const image = this.imageView;
    this.image.place(r0, r1 + 2 * pad);
    const top = this.image.top;
    const from = Math.max(c0 - pad, 0);
    const to = Math.min(c1 + pad, width);
    for (let fr = r0 - pad; fr < r1 + pad; fr++) {
      const target = (fr + pad - top) * stride + pad;
      const sr = fr >= 0 && fr < height ? fr : kernel.inner(fr, height);
      if (sr < 0) {
        image.fill(0, target + c0 - pad, target + c1 + pad);
        continue;
      }
      rows.copyRow(image, target + from, sr, from, to);
      for (let c = c0 - pad; c < from; c++) {
        const sc = kernel.inner(c, width);
        if (sc < 0) image[target + c] = 0;
        else rows.copyRow(image, target + c, sr, sc, sc + 1);
      }
      for (let c = to; c < c1 + pad; c++) {
        const sc = kernel.inner(c, width);
        if (sc < 0) image[target + c] = 0;
        else rows.copyRow(image, target + c, sr, sc, sc + 1);
      }
    }
    this.arrayRows.pixels = EMPTY_PIXELS;
  }

  /**
   * The most frame rows a region of {@link loadRegion} and {@link filterRegion} may span (the
   * rows of the buffers' windows; buffers holding the whole frame set no bound).
   */
  get regionRows(): number {
    const { pad, reach: r } = this;
    const most = (w: RowWindow, extra: number) => (w.whole ? Infinity : w.capacity - extra);
    // The scratch holds one band of filterRegion's (at most bandRows rows) and 6·reach more.
    const scratch = this.scratch.whole || this.scratch.capacity - 6 * r >= this.bandRows ? Infinity : this.scratch.capacity - 6 * r;
    return Math.min(most(this.image, 2 * pad), most(this.v1Rows, 4 * r), most(this.f2Rows, 2), scratch);
  }

  /**
   * {@link filter} over frame rows [r0, r1) and columns [c0, c1) only (V1 over them ± 2·reach):
   * the same passes on the same inputs, so every value there is the one of the whole-frame
   * filter, bit for bit, given the image {@link loadRegion} loaded over them ± pad. Values
   * outside (up to seven columns past c1 + 2·reach) are overwritten with what is not to be read.
   */
  filterRegion(r0: number, r1: number, c0: number, c1: number): void {
    const { pad, bandRows, reach: r } = this;
    const a = c0 + pad;
    const b = c1 + pad;
    this.v1Rows.place(r0 + pad - 2 * r, r1 + pad + 2 * r);
    this.f2Rows.place(r0 + pad - 1, r1 + pad + 1);
    for (let b0 = r0 + pad; b0 < r1 + pad; b0 += bandRows) {
      const b1 = Math.min(b0 + bandRows, r1 + pad);
      this.v1Pass(b0 - 2 * r, b1 + 2 * r, a - 2 * r, b + 2 * r);
      this.f2Pass(b0, b1, a, b);
    }
  }

  /**
   * The local maxima of F2 above `threshold` over frame rows [r0, r1) and columns [c0, c1) (F2
   * must hold the whole frame's values there and one pixel around, within the frame): greater
   * than the earlier four 8-neighbours, not less than the later four; pixels outside the image
   * are no neighbours. Their indices r·width + c of the frame go to `list[0…count−1]`, row-major.
   * @returns count
   */
  maximaRegion(r0: number, r1: number, c0: number, c1: number, threshold: number): number {
    const { width, height, stride, f2, list } = this;
    const origin = this.f2Origin;
    const inf = Number.NEGATIVE_INFINITY;
    // The ring around the frame where the region reaches it: −∞, so it never beats a pixel.
    if (r0 === 0) f2.fill(inf, origin - stride + c0 - 1, origin - stride + c1 + 1);
    if (r1 === height) f2.fill(inf, origin + height * stride + c0 - 1, origin + height * stride + c1 + 1);
    for (let r = r0 - 1; r <= r1; r++) {
      if (c0 === 0) f2[origin + r * stride - 1] = inf;
      if (c1 === width) f2[origin + r * stride + width] = inf;
    }
    const w = c1 - c0;
    const at = (this.f2Rows.base + 4 * (r0 * stride + c0)) | 0;
    const count = this.exports.maxima(at, stride, w, r1 - r0, this.pad, threshold, this.offsets.list);
    if (w === width) {
      const shift = r0 * width;
      for (let k = 0; k < count; k++) list[k] += shift;
    } else {
      for (let k = 0; k < count; k++) {
        const i = list[k];
        const row = (i / w) | 0;
        list[k] = (r0 + row) * width + c0 + (i - row * w);
      }
    }
    return count;
  }

  /**
   * The local maxima of the whole frame's F2 above `threshold` ({@link maximaRegion} over the frame).
   * @returns count
   */
  maxima(threshold: number): number {
    return this.maximaRegion(0, this.height, 0, this.width, threshold);
  }

  /**
   * F1 = I − V1 at pixel indices 0, step, 2·step, … of the whole frame into {@link samples} (at
   * most its capacity must be needed).
   * @returns the number of samples written
   */
  sampleF1(step: number): number {
    return this.sampleF1Rows(0, this.height, step);
  }

  /**
   * F1 = I − V1 at the pixel indices of frame rows [r0, r1) that are multiples of `step`, into
   * {@link samples} at their places among the whole frame's (index p / step): the image and V1
   * must hold those rows.
   * @returns the number of samples written
   */
  sampleF1Rows(r0: number, r1: number, step: number): number {
    if (r1 <= r0) return 0;
    const { stride, width, pad } = this;
    const m0 = Math.ceil((r0 * width) / step);
    const first = m0 * step - r0 * width;
    return this.exports.sampleF1(this.image.base, this.v1Rows.base, stride, width, r0, r1, pad, step, first, this.offsets.samples + 8 * m0);
  }

  /** {@link WindowPass.collect} over {@link samples}, in the kernel (branch-free). */
  collect(n: number, low: number, high: number, center: number): number {
    const fold = Number.isNaN(center) ? 0 : 1;
    return this.exports.collect(this.offsets.samples, n, low, high, fold ? center : 0, fold, this.offsets.window);
  }

  /**
   * {@link WindowPass.select}: the rank-th smallest of `window[0…count−1]`, in the kernel (a
   * histogram selection, branch-free but for the last few values).
   */
  select(count: number, rank: number): number {
    return this.exports.kth(this.offsets.window, count, rank, this.offsets.select);
  }

  /**
   * The rank-th smallest (0: the least) of V1 at rows r0, r0 + step, … < r1 and columns c0,
   * c0 + step, … < c1 of the last frame (a tile's low quantile, BackgroundTiles; V1 must hold
   * those rows): branch-free in the kernel for rank < 8; NaN where the kernel does not take it
   * (rank ≥ 8, a NaN sample, fewer than rank + 1 samples), for the caller's own loop.
   */
  lowSample(r0: number, r1: number, c0: number, c1: number, step: number, rank: number): number {
    return this.exports.lowSample((this.v1Rows.base + 4 * this.origin) | 0, this.stride, r0, r1, c0, c1, step, rank);
  }

  /**
   * {@link lowSample} for the tiles [ta, tb) of a tile row (rows [r0, r1)), tile tc spanning
   * columns [columnStarts[tc], columnStarts[tc + 1]), at rank ⌊quantile · m⌋ of its m samples:
   * one call into the kernel a tile row. V1 must hold the rows.
   * @returns the values by tile column (index tc; NaN where the kernel does not take it), a
   *   view of the kernel's memory valid until the next call
   */
  lowSampleRow(r0: number, r1: number, columnStarts: Int32Array, ta: number, tb: number, step: number, quantile: number): Float64Array {
    if (this.startsCopied !== columnStarts) {
      this.startsView.set(columnStarts);
      this.startsCopied = columnStarts;
    }
    this.exports.lowSampleRow((this.v1Rows.base + 4 * this.origin) | 0, this.stride, r0, r1, this.offsets.starts, ta, tb, step, quantile, this.offsets.quantiles);
    return this.quantiles;
  }

  /** The values below the window in the last {@link collect}. */
  get below(): number {
    return this.exports.below.value;
  }

  /** F1 = I − V1 at pixel index p of the frame (the image and V1 must hold its row). */
  f1At(p: number): number {
    const r = Math.floor(p / this.width);
    const c = p - r * this.width;
    return this.imageView[(r + this.pad - this.image.top) * this.stride + this.pad + c] - this.v1[this.v1Origin + r * this.stride + c];
  }
}

/** An empty frame: what {@link ArrayRows} holds between loads (no frame kept alive). */
const EMPTY_PIXELS = new Float32Array(0);

/** A frame held as an f32 array (photons, row-major) read as {@link RegionPixels}: the same values copied. */
class ArrayRows implements RegionPixels {
  /** The frame, set for the length of one WasmWaveletKernel.loadRegion. */
  pixels: Float32Array = EMPTY_PIXELS;

  /** @param width - the frame's width, px */
  constructor(private readonly width: number) {}

  /** RegionPixels.copyRow: one pixel by assignment, a run by one `set`. */
  copyRow(target: Float32Array, at: number, row: number, c0: number, c1: number): void {
    const source = row * this.width;
    if (c1 - c0 === 1) target[at] = this.pixels[source + c0];
    else target.set(this.pixels.subarray(source + c0, source + c1), at);
  }
}

import type { PixelArray } from '../io/Frame.js';
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
  mirror(buf: number, stride: number, width: number, height: number, pad: number): void;
  padDuplicate(buf: number, stride: number, width: number, height: number, pad: number, duplicate: number): void;
  rows(input: number, out: number, stride: number, r0: number, r1: number, c0: number, c1: number, taps: number, hole: number): void;
  columns(input: number, out: number, stride: number, r0: number, r1: number, c0: number, c1: number, taps: number, hole: number, minus: number): void;
  maxima(buf: number, stride: number, width: number, height: number, pad: number, threshold: number, list: number): number;
  sampleF1(image: number, v1: number, stride: number, width: number, height: number, pad: number, step: number, out: number): number;
  collect(values: number, n: number, low: number, high: number, center: number, fold: number, out: number): number;
  kth(values: number, n: number, rank: number, scratch: number): number;
  lowSample(v1: number, stride: number, r0: number, r1: number, c0: number, c1: number, step: number, rank: number): number;
  below: { value: number };
}

/**
 * The detection work over a whole frame in WebAssembly SIMD on f32 (waveletKernel.wasm, compiled
 * from the AssemblyScript in assembly/waveletKernel.ts; the contracts of its buffers — the
 * mirrored margin, the slack after each buffer — are the constants of detectConstants.ts): the
 * camera conversion (uint16 frames in the kernel, other sample types by one JavaScript loop),
 * the wavelet filter's four separable passes, and the search for local maxima of F2 above a
 * threshold.
 *
 * The frame is converted once into a buffer with 9 px of mirrored margin; since k1 is
 * symmetric, every level computed on that buffer is itself the mirrored extension of the
 * level, so the interior loops reproduce the per-pass mirroring of the JavaScript filter with
 * no border logic. f32 holds a pixel to 6·10⁻⁸ of its value — far below the Poisson noise the
 * threshold is set against; the fit reads the frame's pixels itself, in f64, never these.
 * One instance (its own memory) per frame size and thread.
 */
export class WasmWaveletKernel implements WindowPass {
  readonly width: number;
  readonly height: number;
  /** The filter (its taps and its padding). */
  readonly kernel: FilterKernel;
  /** Margin of the padded buffers, px. */
  readonly pad: number;
  /** Row stride of the padded buffers, values. */
  readonly stride: number;
  /** Index of pixel (0, 0) in the padded buffers. */
  readonly origin: number;
  /** F2 = V1 − V2 in the padded layout: pixel (r, c) at `f2[origin + r·stride + c]`. */
  readonly f2: Float32Array;
  /** The pixel indices r·width + c found by the last {@link maxima}. */
  readonly list: Int32Array;
  /** F1 samples of the last {@link sampleF1}. */
  readonly samples: Float64Array;
  /** Where {@link collect} copies values (the {@link WindowPass} of the noise estimate). */
  readonly window: Float64Array;
  private readonly exports: KernelExports;
  private readonly paddedHeight: number;
  /** Output rows of F2 per band of {@link filter}. */
  readonly bandRows: number;
  private readonly raw: Uint16Array;
  private readonly image: Float32Array;
  /** V1 = I * k1 of the last frame, padded as {@link f2} (pixel (r, c) at origin + r·stride + c). */
  readonly v1: Float32Array;
  private readonly offsets: { raw: number; image: number; scratch: number; v1: number; f2: number; list: number; samples: number; window: number; offsetMap: number; factorMap: number; select: number };
  /** The camera's per-pixel maps, once copied into the kernel's memory. */
  private maps: { offset: Float32Array; factor: Float32Array } | undefined;

  /**
   * @returns a kernel for frames of this size, or undefined where the frame is too small for the
   *   padded layout (under 2·PAD px a side: the caller then runs the JavaScript filter, and
   *   records that it did)
   * @param bandRows - output rows per band of {@link filter} (at least the frame's height: one
   *   whole-frame pass, the reference the bands reproduce exactly) @default FILTER_BAND_ROWS
   * @throws KernelLoadError naming waveletKernel.wasm when it cannot be loaded
   */
  static create(kernel: FilterKernel, width: number, height: number, sampleCapacity: number, bandRows: number = FILTER_BAND_ROWS): WasmWaveletKernel | undefined {
    if (width < 2 * kernel.pad || height < 2 * kernel.pad) return undefined;
    return new WasmWaveletKernel(wasmModule(new URL('./waveletKernel.wasm', import.meta.url)), kernel, width, height, sampleCapacity, bandRows);
  }

  private constructor(module: object, kernel: FilterKernel, width: number, height: number, sampleCapacity: number, bandRows: number) {
    const pad = kernel.pad;
    this.bandRows = Math.max(1, Math.min(Math.floor(bandRows), height));
    this.kernel = kernel;
    this.pad = pad;
    this.width = width;
    this.height = height;
    this.stride = width + 2 * pad;
    this.paddedHeight = height + 2 * pad;
    this.origin = pad * this.stride + pad;
    const n = width * height;
    this.exports = instantiate<KernelExports>(module);
    // Every buffer starts on an aligned boundary after the module's own data, with slack before
    // and after.
    const align = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;
    const paddedBytes = align((this.stride * this.paddedHeight + SLACK) * 4);
    const raw = this.exports.base() + SLACK * 4;
    const image = align(raw + (n + SLACK) * 2 + SLACK * 4);
    // The scratch between a row pass and its column pass holds one band and its halo (the first
    // pass's 2·pad rows at most), with slack after it.
    const scratchBytes = align((this.stride * (this.bandRows + 2 * pad) + 2 * SLACK) * 4);
    const scratch = image + paddedBytes;
    const v1 = scratch + scratchBytes;
    const f2 = v1 + paddedBytes;
    const list = f2 + paddedBytes;
    const samples = align(list + (n + SLACK) * 4);
    const window = align(samples + sampleCapacity * 8);
    const offsetMap = align(window + sampleCapacity * 8);
    const factorMap = align(offsetMap + (n + SLACK) * 4);
    // kth's scratch: two halves of up to the window's values each.
    const select = align(factorMap + (n + SLACK) * 4);
    const offsets = { raw, image, scratch, v1, f2, list, samples, window, offsetMap, factorMap, select };
    this.offsets = offsets;
    const needed = select + (2 * sampleCapacity + SLACK) * 8;
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
    const buffer = memory.buffer;
    const padded = this.stride * this.paddedHeight;
    this.raw = new Uint16Array(buffer, offsets.raw, n);
    this.image = new Float32Array(buffer, offsets.image, padded);
    this.v1 = new Float32Array(buffer, offsets.v1, padded);
    this.f2 = new Float32Array(buffer, offsets.f2, padded);
    this.list = new Int32Array(buffer, offsets.list, n);
    this.samples = new Float64Array(buffer, offsets.samples, sampleCapacity);
    this.window = new Float64Array(buffer, offsets.window, sampleCapacity);
  }

  /**
   * Convert a frame to photons into the padded image, and pad it as the filter does: (pixel −
   * baseline) · factor, or per pixel (pixel − offsetMap) · factorMap with the camera's maps.
   * @param pixels - the frame, row-major, width·height
   * @param camera - the conversion (baseline 0, factor 1 for frames already in photons)
   */
  load(pixels: PixelArray, camera: PhotonConversion): void {
    const { width, height, stride, offsets, pad } = this;
    const e = this.exports;
    const maps = camera.offsetMap && camera.factorMap ? this.useMaps(camera.offsetMap, camera.factorMap) : undefined;
    if (pixels instanceof Uint16Array) {
      this.raw.set(pixels);
      if (maps) e.convertU16Map(offsets.raw, offsets.image, stride, width, height, pad, offsets.offsetMap, offsets.factorMap);
      else e.convertU16(offsets.raw, offsets.image, stride, width, height, pad, camera.baselineAdu, camera.photonsPerAduNet);
    } else {
      const image = this.image;
      const baseline = camera.baselineAdu;
      const factor = camera.photonsPerAduNet;
      for (let r = 0; r < height; r++) {
        const source = r * width;
        const target = (r + pad) * stride + pad;
        if (maps) for (let c = 0; c < width; c++) image[target + c] = (pixels[source + c] - maps.offset[source + c]) * maps.factor[source + c];
        else for (let c = 0; c < width; c++) image[target + c] = (pixels[source + c] - baseline) * factor;
      }
    }
    if (this.kernel.padding === 'duplicate') e.padDuplicate(offsets.image, stride, width, height, pad, DUPLICATE_PAD);
    else e.mirror(offsets.image, stride, width, height, pad);
  }

  /** The camera's maps in the kernel's memory (copied the first time they are seen). */
  private useMaps(offset: Float32Array, factor: Float32Array): { offset: Float32Array; factor: Float32Array } {
    if (this.maps?.offset !== offset || this.maps.factor !== factor) {
      const buffer = this.exports.memory.buffer;
      const n = this.width * this.height;
      new Float32Array(buffer, this.offsets.offsetMap, n).set(offset);
      new Float32Array(buffer, this.offsets.factorMap, n).set(factor);
      this.maps = { offset, factor };
    }
    return this.maps;
  }

  /**
   * Filter the loaded frame into `f2` (and V1), band after band of {@link bandRows} output rows:
   * V1's row and column passes over the rows V2 reads (each V1 row once, in order), then V2's
   * (taps two apart) over the band, the last pass writing F2 = V1 − V2. The row passes' output
   * lives in a band-sized scratch (its pointer shifted by the band's first row, so the passes
   * index it as a whole frame; wasm32 addresses wrap), recomputed over the halo each band needs.
   * Each value is the same arithmetic on the same inputs as one whole-frame pass, so the result
   * is identical, bit for bit, in every pixel the detection reads.
   */
  filter(): void {
    const { stride, paddedHeight: ph, offsets, pad, bandRows } = this;
    const e = this.exports;
    const taps = this.kernel.taps.length;
    const r = this.kernel.reach;
    const rowBytes = stride * 4;
    // The scratch as if it began at padded row `first`.
    const at = (first: number) => (offsets.scratch - first * rowBytes) | 0;
    let v1Done = r;
    for (let b0 = pad; b0 < ph - pad; b0 += bandRows) {
      const b1 = Math.min(b0 + bandRows, ph - pad);
      // V1 rows [v1Done, b1 + 2r) from the first pass's rows [v1Done − r, b1 + 3r).
      const v1End = b1 + 2 * r;
      e.rows(offsets.image, at(v1Done - r), stride, v1Done - r, v1End + r, r, stride - r, taps, 1);
      e.columns(at(v1Done - r), offsets.v1, stride, v1Done, v1End, r, stride - r, taps, 1, 0);
      v1Done = v1End;
      // V2 over the band from V1 rows [b0 − 2r, b1 + 2r).
      e.rows(offsets.v1, at(b0 - 2 * r), stride, b0 - 2 * r, b1 + 2 * r, pad, stride - pad, taps, 2);
      e.columns(at(b0 - 2 * r), offsets.f2, stride, b0, b1, pad, stride - pad, taps, 2, offsets.v1);
    }
  }

  /**
   * Load a frame already in photons (f32) over frame rows [r0, r1) and columns [c0, c1) and the
   * filter's margin around them: pixels outside the frame as the filter pads (FilterKernel's
   * `inner`), so every value is the one {@link load} of the whole frame puts there. Only that
   * part of `pixels` is read.
   * @param pixels - the frame, photons, row-major, width·height (valid within the rows and columns ± pad)
   */
  loadRegion(pixels: Float32Array, r0: number, r1: number, c0: number, c1: number): void {
    const { width, height, stride, pad, image, kernel } = this;
    const from = Math.max(c0 - pad, 0);
    const to = Math.min(c1 + pad, width);
    for (let fr = r0 - pad; fr < r1 + pad; fr++) {
      const target = (fr + pad) * stride + pad;
      const sr = fr >= 0 && fr < height ? fr : kernel.inner(fr, height);
      if (sr < 0) {
        image.fill(0, target + c0 - pad, target + c1 + pad);
        continue;
      }
      const source = sr * width;
      image.set(pixels.subarray(source + from, source + to), target + from);
      for (let c = c0 - pad; c < from; c++) {
        const sc = kernel.inner(c, width);
        image[target + c] = sc < 0 ? 0 : pixels[source + sc];
      }
      for (let c = to; c < c1 + pad; c++) {
        const sc = kernel.inner(c, width);
        image[target + c] = sc < 0 ? 0 : pixels[source + sc];
      }
    }
  }

  /**
   * {@link filter} over frame rows [r0, r1) and columns [c0, c1) only (V1 over them ± 2·reach):
   * the same passes on the same inputs, so every value there is the one of the whole-frame
   * filter, bit for bit, given the image {@link loadRegion} loaded over them ± pad. Values
   * outside (up to seven columns past c1 + 2·reach) are overwritten with what is not to be read.
   */
  filterRegion(r0: number, r1: number, c0: number, c1: number): void {
    const { stride, offsets, pad, bandRows } = this;
    const e = this.exports;
    const taps = this.kernel.taps.length;
    const r = this.kernel.reach;
    const rowBytes = stride * 4;
    const at = (first: number) => (offsets.scratch - first * rowBytes) | 0;
    const a = c0 + pad;
    const b = c1 + pad;
    for (let b0 = r0 + pad; b0 < r1 + pad; b0 += bandRows) {
      const b1 = Math.min(b0 + bandRows, r1 + pad);
      e.rows(offsets.image, at(b0 - 3 * r), stride, b0 - 3 * r, b1 + 3 * r, a - 2 * r, b + 2 * r, taps, 1);
      e.columns(at(b0 - 3 * r), offsets.v1, stride, b0 - 2 * r, b1 + 2 * r, a - 2 * r, b + 2 * r, taps, 1, 0);
      e.rows(offsets.v1, at(b0 - 2 * r), stride, b0 - 2 * r, b1 + 2 * r, a, b, taps, 2);
      e.columns(at(b0 - 2 * r), offsets.f2, stride, b0, b1, a, b, taps, 2, offsets.v1);
    }
  }

  /**
   * {@link maxima} over frame rows [r0, r1) and columns [c0, c1) (F2 must hold the whole frame's
   * values there and one pixel around, within the frame: {@link filterRegion}): indices
   * r·width + c of the frame into `list[0…count−1]`, row-major.
   * @returns count
   */
  maximaRegion(r0: number, r1: number, c0: number, c1: number, threshold: number): number {
    const { width, height, stride, origin, f2, list } = this;
    const inf = Number.NEGATIVE_INFINITY;
    // The ring around the frame where the region reaches it: −∞, as maxima() sets it.
    if (r0 === 0) f2.fill(inf, origin - stride + c0 - 1, origin - stride + c1 + 1);
    if (r1 === height) f2.fill(inf, origin + height * stride + c0 - 1, origin + height * stride + c1 + 1);
    for (let r = r0 - 1; r <= r1; r++) {
      if (c0 === 0) f2[origin + r * stride - 1] = inf;
      if (c1 === width) f2[origin + r * stride + width] = inf;
    }
    const w = c1 - c0;
    const count = this.exports.maxima(this.offsets.f2 + 4 * (r0 * stride + c0), stride, w, r1 - r0, this.pad, threshold, this.offsets.list);
    for (let k = 0; k < count; k++) {
      const i = list[k];
      const row = (i / w) | 0;
      list[k] = (r0 + row) * width + c0 + (i - row * w);
    }
    return count;
  }

  /**
   * Find the local maxima of F2 above `threshold` (greater than the earlier four 8-neighbours,
   * not less than the later four; pixels outside the image are no neighbours): their indices
   * r·width + c, in row-major order, are `list[0…count−1]`.
   * @returns count
   */
  maxima(threshold: number): number {
    const { width, height, stride, origin, f2 } = this;
    // The ring of margin pixels around the image: −∞, so it never beats a pixel.
    const top = origin - stride - 1;
    const bottom = origin + height * stride - 1;
    for (let c = 0; c < width + 2; c++) f2[top + c] = f2[bottom + c] = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < height; r++) f2[origin + r * stride - 1] = f2[origin + r * stride + width] = Number.NEGATIVE_INFINITY;
    return this.exports.maxima(this.offsets.f2, stride, width, height, this.pad, threshold, this.offsets.list);
  }

  /**
   * F1 = I − V1 at pixel indices 0, step, 2·step, … into {@link samples} (at most its capacity
   * must be needed).
   * @returns the number of samples written
   */
  sampleF1(step: number): number {
    const { stride, width, height, offsets, pad } = this;
    return this.exports.sampleF1(offsets.image, offsets.v1, stride, width, height, pad, step, offsets.samples);
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
   * c0 + step, … < c1 of the last frame (a tile's low quantile, BackgroundTiles): branch-free in
   * the kernel for rank < 8; NaN where the kernel does not take it (rank ≥ 8, a NaN sample, fewer
   * than rank + 1 samples), for the caller's own loop.
   */
  lowSample(r0: number, r1: number, c0: number, c1: number, step: number, rank: number): number {
    return this.exports.lowSample(this.offsets.v1 + 4 * this.origin, this.stride, r0, r1, c0, c1, step, rank);
  }


  /** The values below the window in the last {@link collect}. */
  get below(): number {
    return this.exports.below.value;
  }

  /** F1 = I − V1 at pixel index p of the frame. */
  f1At(p: number): number {
    const r = Math.floor(p / this.width);
    const q = (r + this.pad) * this.stride + (p - r * this.width) + this.pad;
    return this.image[q] - this.v1[q];
  }

}

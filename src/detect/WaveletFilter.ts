import type { PhotonConversion } from '../camera/CameraModel.js';
import { PHOTONS, toPhotons } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';
import { DUPLICATE_PAD } from './detectConstants.js';
import type { DetectEngine } from './DetectOptions.js';
import { DETECT_DEFAULTS } from './DetectOptions.js';
import type { FilterKernel, FilterKind } from './FilterKernel.js';
import { FILTER_KERNELS } from './FilterKernel.js';
import type { WindowPass } from './MadEstimator.js';
import { mirror } from './mirror.js';
import { WasmWaveletKernel } from './WasmWaveletKernel.js';

/**
 * The first two levels of the undecimated B-spline wavelet transform (à trous), ThunderSTORM's
 * spot filter:
 *
 *     V1 = I * k1,   V2 = V1 * k2,   F1 = I − V1,   F2 = V1 − V2
 *
 * with k1 applied along rows then columns and k2 the same taps with one-pixel holes, the image
 * extended at its borders as the {@link FilterKind} says (ThunderSTORM's 5 taps with duplicated
 * then zero padding, or 7 taps with mirroring: {@link FILTER_KERNELS}). F2 is a band-pass image
 * in which spots stand out; F1 is nearly all pixel noise and sets the threshold (it is only
 * needed on the pixels sampled for the noise estimate, so it is not stored).
 *
 * The camera conversion and the passes run in WebAssembly SIMD on f32 ({@link WasmWaveletKernel})
 * where the frame is at least twice the filter's margin a side; the JavaScript passes below, in
 * f64 over the same padded layout, are the reference (`engine: 'js'`).
 *
 * Scratch for one frame size is allocated once; `apply` allocates nothing.
 */
export class WaveletFilter {
  /** Frame width, px. */
  readonly width: number;
  /** Frame height, px. */
  readonly height: number;
  /** The filter's taps and padding. */
  readonly kernel: FilterKernel;
  /**
   * Second wavelet level F2 = V1 − V2 (the detection image) of the last frame: pixel (r, c) at
   * `f2[f2Origin + r·f2Stride + c]` (f32 from WebAssembly, f64 from JavaScript, both padded).
   */
  readonly f2: Float32Array | Float64Array;
  /** Row stride of {@link f2}, values. */
  readonly f2Stride: number;
  /** Index of pixel (0, 0) in {@link f2}. */
  readonly f2Origin: number;
  /**
   * The first smoothed level V1 = I * k1 of the last frame, photons, padded as {@link f2}: pixel
   * (r, c) at `v1[f2Origin + r·f2Stride + c]` (the level the detection's background estimate
   * reads: BackgroundTiles).
   */
  readonly v1: Float32Array | Float64Array;
  /** Row stride of {@link v1} (that of {@link f2}). */
  get v1Stride(): number {
    return this.f2Stride;
  }

  /** Index of pixel (0, 0) in {@link v1} (that of {@link f2}). */
  get v1Origin(): number {
    return this.f2Origin;
  }

  /** The pixel indices r·width + c found by the last {@link maxima}. */
  readonly list: Int32Array;
  /** F1 samples of the last {@link sampleF1}. */
  readonly samples: Float64Array;
  /** The kernel's window pass over {@link samples} for the noise estimate (WebAssembly only). */
  readonly windowPass: WindowPass | undefined;
  /** Which implementation runs the passes. */
  readonly engine: DetectEngine;
  private readonly wasm: WasmWaveletKernel | undefined;
  /** JavaScript path: padded buffers (image in photons, V1, scratch, F2), the image's row, and the frame in photons. */
  private readonly image: Float64Array;
  private readonly v1js: Float64Array;
  private readonly scratch: Float64Array;
  private readonly f2js: Float64Array;
  private readonly stride: number;
  private readonly origin: number;
  private readonly photons: Float64Array;

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   * @param engine - 'js' runs the JavaScript reference @default WebAssembly where the frame is
   *   large enough
   * @param sampleCapacity - the most F1 samples {@link sampleF1} will take @default the
   *   detector's default noise samples
   * @param filter - the filter @default the detector's default
   * @param bandRows - output rows per band of the WebAssembly filter (the frame's height or more:
   *   one whole-frame pass, the same result) @default FILTER_BAND_ROWS
   */
  constructor(width: number, height: number, engine: DetectEngine = DETECT_DEFAULTS.engine, sampleCapacity: number = DETECT_DEFAULTS.noiseSamples, filter: FilterKind = DETECT_DEFAULTS.filter, bandRows?: number) {
    this.width = width;
    this.height = height;
    this.kernel = FILTER_KERNELS[filter];
    const wasm = engine === 'wasm' ? WasmWaveletKernel.create(this.kernel, width, height, sampleCapacity, bandRows) : undefined;
    this.wasm = wasm;
    this.engine = wasm ? 'wasm' : 'js';
    const pad = this.kernel.pad;
    this.stride = width + 2 * pad;
    this.origin = pad * this.stride + pad;
    const padded = wasm ? 0 : this.stride * (height + 2 * pad);
    this.image = new Float64Array(padded);
    this.v1js = new Float64Array(padded);
    this.scratch = new Float64Array(padded);
    this.f2js = new Float64Array(padded);
    this.photons = new Float64Array(wasm ? 0 : width * height);
    this.f2 = wasm ? wasm.f2 : this.f2js;
    this.v1 = wasm ? wasm.v1 : this.v1js;
    this.f2Stride = wasm ? wasm.stride : this.stride;
    this.f2Origin = wasm ? wasm.origin : this.origin;
    this.list = wasm ? wasm.list : new Int32Array(width * height);
    this.samples = wasm ? wasm.samples : new Float64Array(sampleCapacity);
    this.windowPass = wasm;
  }

  /**
   * The rank-th smallest (0: the least) of V1 at rows r0, r0 + step, … < r1 and columns c0,
   * c0 + step, … < c1 of the last filtered frame, photons, from the WebAssembly kernel (a tile's
   * low quantile, BackgroundTiles); NaN where the kernel does not take it (the JavaScript engine,
   * rank ≥ 8, a NaN sample): the caller then selects it itself (the same value).
   */
  lowSample(r0: number, r1: number, c0: number, c1: number, step: number, rank: number): number {
    return this.wasm ? this.wasm.lowSample(r0, r1, c0, c1, step, rank) : Number.NaN;
  }

  /**
   * Convert one frame to photons (docs/design.md §2) and filter it into `f2` (and V1 for
   * {@link f1At}): {@link load} then {@link filter}.
   * @param pixels - the frame, row-major, width·height
   * @param camera - the ADU → photons conversion @default none (pixels already in photons)
   */
  apply(pixels: PixelArray, camera: PhotonConversion = PHOTONS): void {
    this.load(pixels, camera);
    this.filter();
  }

  /**
   * Convert one frame to photons, (pixel − baselineAdu) · photonsPerAduNet or per pixel with the
   * camera's maps, into the filter's padded input.
   * @param pixels - the frame, row-major, width·height
   * @param camera - the ADU → photons conversion @default none (pixels already in photons)
   */
  load(pixels: PixelArray, camera: PhotonConversion = PHOTONS): void {
    if (this.wasm) {
      this.wasm.load(pixels, camera);
      return;
    }
    const { width, height, stride, origin, image, photons } = this;
    toPhotons(camera, pixels, photons);
    for (let r = 0; r < height; r++) image.set(photons.subarray(r * width, (r + 1) * width), origin + r * stride);
    padImage(this.kernel, image, stride, width, height);
  }

  /** Filter the loaded frame into `f2` (and V1). */
  filter(): void {
    if (this.wasm) {
      this.wasm.filter();
      return;
    }
    const { stride, image, v1js: v1, scratch, f2js: f2 } = this;
    const { pad, reach, taps } = this.kernel;
    const rows = this.height + 2 * pad;
    // The same passes and ranges as the kernel: V1 over the margin V2 reads, then V2.
    convolveRange(taps, image, scratch, stride, 0, rows, reach, stride - reach, 1);
    convolveRange(taps, scratch, v1, stride, reach, rows - reach, reach, stride - reach, stride);
    convolveRange(taps, v1, scratch, stride, reach, rows - reach, pad, stride - pad, 2);
    convolveRange(taps, scratch, f2, stride, pad, rows - pad, pad, stride - pad, 2 * stride);
    for (let r = pad; r < rows - pad; r++) {
      for (let p = r * stride + pad; p < (r + 1) * stride - pad; p++) f2[p] = v1[p] - f2[p];
    }
  }

  /**
   * The local maxima of F2 above `threshold`: pixels greater than their four earlier
   * 8-neighbours (row above, left) and not less than the four later ones, so a plateau gives one
   * maximum; pixels outside the image are no neighbours. Their indices r·width + c, in row-major
   * order, are `list[0…count−1]`.
   * @returns count
   */
  maxima(threshold: number): number {
    if (this.wasm) return this.wasm.maxima(threshold);
    const { width, height, f2js: f2, list, stride, origin } = this;
    let count = 0;
    for (let row = 0; row < height; row++) {
      const up = row > 0 ? -stride : 0;
      const down = row < height - 1 ? stride : 0;
      for (let column = 0; column < width; column++) {
        const p = origin + row * stride + column;
        const v = f2[p];
        if (!(v > threshold)) continue;
        const left = column > 0 ? -1 : 0;
        const right = column < width - 1 ? 1 : 0;
        // An offset of 0 marks a neighbour outside the image (not compared).
        if (
          (v > f2[p + up + left] || up === 0 || left === 0) &&
          (v > f2[p + up] || up === 0) &&
          (v > f2[p + up + right] || up === 0 || right === 0) &&
          (v > f2[p + left] || left === 0) &&
          (v >= f2[p + right] || right === 0) &&
          (v >= f2[p + down + left] || down === 0 || left === 0) &&
          (v >= f2[p + down] || down === 0) &&
          (v >= f2[p + down + right] || down === 0 || right === 0)
        ) {
          list[count++] = row * width + column;
        }
      }
    }
    return count;
  }

  /** F2 at pixel index p = r·width + c of the last frame. */
  f2At(p: number): number {
    const r = Math.floor(p / this.width);
    return this.f2[this.f2Origin + r * this.f2Stride + (p - r * this.width)];
  }

  /**
   * F1 at pixel indices 0, step, 2·step, … of the last frame, into {@link samples} (the
   * capacity given to the constructor must suffice: ⌈width·height / step⌉).
   * @returns the number of samples written
   */
  sampleF1(step: number): number {
    if (this.wasm) return this.wasm.sampleF1(step);
    const n = this.width * this.height;
    const out = this.samples;
    let m = 0;
    for (let p = 0; p < n; p += step) out[m++] = this.f1At(p);
    return m;
  }

  /** The first wavelet level F1 = I − V1 at pixel index p. */
  f1At(p: number): number {
    if (this.wasm) return this.wasm.f1At(p);
    const r = Math.floor(p / this.width);
    const q = this.origin + r * this.stride + (p - r * this.width);
    return this.image[q] - this.v1js[q];
  }
}

/**
 * Fill the margins of a padded image as the filter pads: mirrored, or duplicated edge values for
 * 4 px and zeros beyond (thunderstorm), corners included.
 */
function padImage(kernel: FilterKernel, image: Float64Array, stride: number, width: number, height: number): void {
  const pad = kernel.pad;
  const source = (k: number, n: number): number => (kernel.padding === 'duplicate' ? (k >= -DUPLICATE_PAD && k < n + DUPLICATE_PAD ? Math.min(Math.max(k, 0), n - 1) : -1) : mirror(k, n));
  for (let r = pad; r < pad + height; r++) {
    const row = r * stride + pad;
    for (let k = 1; k <= pad; k++) {
      const left = source(-k, width);
      const right = source(width - 1 + k, width);
      image[row - k] = left < 0 ? 0 : image[row + left];
      image[row + width - 1 + k] = right < 0 ? 0 : image[row + right];
    }
  }
  for (let k = 1; k <= pad; k++) {
    const top = source(-k, height);
    const bottom = source(height - 1 + k, height);
    for (let c = 0; c < stride; c++) {
      image[(pad - k) * stride + c] = top < 0 ? 0 : image[(pad + top) * stride + c];
      image[(pad + height - 1 + k) * stride + c] = bottom < 0 ? 0 : image[(pad + bottom) * stride + c];
    }
  }
}

/**
 * out = in * k1 over rows [r0, r1) and columns [c0, c1) of padded buffers (row stride `stride`),
 * the taps `step` values apart (1 along rows, stride along columns, twice that for k2).
 */
function convolveRange(taps: readonly number[], input: Float64Array, out: Float64Array, stride: number, r0: number, r1: number, c0: number, c1: number, step: number): void {
  const reach = (taps.length - 1) / 2;
  for (let r = r0; r < r1; r++) {
    for (let p = r * stride + c0; p < r * stride + c1; p++) {
      let sum = taps[reach] * input[p];
      for (let t = 1; t <= reach; t++) sum += taps[reach + t] * (input[p - t * step] + input[p + t * step]);
      out[p] = sum;
    }
  }
}

import type { PhotonConversion } from '../camera/CameraModel.js';
import { PHOTONS, toPhotons } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';
import { K1_CENTRE, K1_FAR, K1_NEAR, K1_OUTER } from './detectConstants.js';
import type { DetectEngine } from './DetectOptions.js';
import { DETECT_DEFAULTS } from './DetectOptions.js';
import { mirror } from './mirror.js';
import type { WindowPass } from './MadEstimator.js';
import { WasmWaveletKernel } from './WasmWaveletKernel.js';

/**
 * The first two levels of the undecimated B-spline wavelet transform (à trous), as
 * ThunderSTORM's default spot filter ("B-spline wavelet, order 3, scale 2"):
 *
 *     V1 = I * k1,   V2 = V1 * k2,   F1 = I − V1,   F2 = V1 − V2
 *
 * with k1 the cubic B-spline β₃(x/2)/2 sampled at x = −3…3, i.e. [1, 8, 23, 32, 23, 8, 1]/96,
 * applied along rows then columns, and k2 the same taps with one-pixel holes (x = −6, −4, …, 6).
 * F2 is a band-pass image in which spots stand out; F1 is nearly all pixel noise and sets the
 * threshold (it is only needed on the pixels sampled for the noise estimate, so it is not
 * stored). The image is extended by half-sample symmetric mirroring at its borders.
 *
 * The camera conversion and the passes run in WebAssembly SIMD on f32 ({@link WasmWaveletKernel})
 * where it is available (Node 20 has it) and the frame is at least 18 px a side; the JavaScript
 * loops below, in f64, are the reference and the fallback (`engine: 'js'`).
 *
 * Scratch for one frame size is allocated once; `apply` allocates nothing.
 */
export class WaveletFilter {
  /** Taps of k1 (offsets −3…3). */
  static readonly TAPS: readonly number[] = [K1_OUTER, K1_FAR, K1_NEAR, K1_CENTRE, K1_NEAR, K1_FAR, K1_OUTER];
  /** Frame width, px. */
  readonly width: number;
  /** Frame height, px. */
  readonly height: number;
  /**
   * Second wavelet level F2 = V1 − V2 (the detection image) of the last frame: pixel (r, c) at
   * `f2[f2Origin + r·f2Stride + c]` (f32 with margins from WebAssembly, f64 without from JavaScript).
   */
  readonly f2: Float32Array | Float64Array;
  /** Row stride of {@link f2}, values. */
  readonly f2Stride: number;
  /** Index of pixel (0, 0) in {@link f2}. */
  readonly f2Origin: number;
  /** The pixel indices r·width + c found by the last {@link maxima}. */
  readonly list: Int32Array;
  /** F1 samples of the last {@link sampleF1}. */
  readonly samples: Float64Array;
  /** The kernel's window pass over {@link samples} for the noise estimate (WebAssembly only). */
  readonly windowPass: WindowPass | undefined;
  /** Which implementation runs the passes. */
  readonly engine: DetectEngine;
  private readonly kernel: WasmWaveletKernel | undefined;
  /** JavaScript path: the frame in photons, V1 = I * k1, and scratch. */
  private readonly image: Float64Array;
  private readonly v1: Float64Array;
  private readonly scratch: Float64Array;
  private readonly f2js: Float64Array;

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   * @param engine - 'js' forces the JavaScript loops @default WebAssembly when available
   * @param sampleCapacity - the most F1 samples {@link sampleF1} will take @default the
   *   detector's default noise samples
   */
  constructor(width: number, height: number, engine: DetectEngine = DETECT_DEFAULTS.engine, sampleCapacity: number = DETECT_DEFAULTS.noiseSamples) {
    this.width = width;
    this.height = height;
    const kernel = engine === 'wasm' ? WasmWaveletKernel.create(width, height, sampleCapacity) : undefined;
    this.kernel = kernel;
    this.engine = kernel ? 'wasm' : 'js';
    const n = kernel ? 0 : width * height;
    this.image = new Float64Array(n);
    this.v1 = new Float64Array(n);
    this.scratch = new Float64Array(n);
    this.f2js = new Float64Array(n);
    this.f2 = kernel ? kernel.f2 : this.f2js;
    this.f2Stride = kernel ? kernel.stride : width;
    this.f2Origin = kernel ? kernel.origin : 0;
    this.list = kernel ? kernel.list : new Int32Array(n);
    this.samples = kernel ? kernel.samples : new Float64Array(sampleCapacity);
    this.windowPass = kernel;
  }

  /**
   * Convert one frame to photons (design.md §2) and filter it into `f2` (and V1 for
   * {@link f1At}): {@link load} then {@link filter}.
   * @param pixels - the frame, row-major, width·height
   * @param camera - the ADU → photons conversion @default none (pixels already in photons)
   */
  apply(pixels: PixelArray, camera: PhotonConversion = PHOTONS): void {
    this.load(pixels, camera);
    this.filter();
  }

  /**
   * Convert one frame to photons, (pixel − baselineAdu) · photonsPerAduNet, into the filter's input.
   * @param pixels - the frame, row-major, width·height
   * @param camera - the ADU → photons conversion @default none (pixels already in photons)
   */
  load(pixels: PixelArray, camera: PhotonConversion = PHOTONS): void {
    if (this.kernel) this.kernel.load(pixels, camera.baselineAdu, camera.photonsPerAduNet);
    else toPhotons(camera, pixels, this.image);
  }

  /** Filter the loaded frame into `f2` (and V1). */
  filter(): void {
    if (this.kernel) {
      this.kernel.filter();
      return;
    }
    const { width, height, image, v1, scratch, f2js: f2 } = this;
    // Rows: `height` lines of `width` samples, stride 1; columns: `width` lines, stride `width`.
    convolveLines(image, scratch, height, width, width, 1, 1);
    convolveLines(scratch, v1, width, 1, height, width, 1);
    convolveLines(v1, scratch, height, width, width, 1, 2);
    convolveLines(scratch, f2, width, 1, height, width, 2);
    // F2 = V1 − V1 * k2.
    for (let i = 0; i < f2.length; i++) f2[i] = v1[i] - f2[i];
  }

  /**
   * The local maxima of F2 above `threshold`: pixels greater than their four earlier
   * 8-neighbours (row above, left) and not less than the four later ones, so a plateau gives one
   * maximum; pixels outside the image are no neighbours. Their indices r·width + c, in row-major
   * order, are `list[0…count−1]`.
   * @returns count
   */
  maxima(threshold: number): number {
    if (this.kernel) return this.kernel.maxima(threshold);
    const { width, height, f2js: f2, list } = this;
    let count = 0;
    for (let row = 0; row < height; row++) {
      const up = row > 0 ? -width : 0;
      const down = row < height - 1 ? width : 0;
      for (let column = 0; column < width; column++) {
        const p = row * width + column;
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
          list[count++] = p;
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
    if (this.kernel) return this.kernel.sampleF1(step);
    const n = this.width * this.height;
    const out = this.samples;
    let m = 0;
    for (let p = 0; p < n; p += step) out[m++] = this.image[p] - this.v1[p];
    return m;
  }

  /** The first wavelet level F1 = I − V1 at pixel index p. */
  f1At(p: number): number {
    return this.kernel ? this.kernel.f1At(p) : this.image[p] - this.v1[p];
  }
}

const K0 = 1 / 96;
const K1 = 8 / 96;
const K2 = 23 / 96;
const K3 = 32 / 96;

/**
 * One output of the line convolution with every tap mirrored (near the ends of a line):
 * Σ_t k1[t] · in[base + mirror(i + t·hole)·stride].
 */
function mirroredTap(input: Float64Array, base: number, stride: number, n: number, i: number, hole: number): number {
  return (
    K3 * input[base + i * stride] +
    K2 * (input[base + mirror(i - hole, n) * stride] + input[base + mirror(i + hole, n) * stride]) +
    K1 * (input[base + mirror(i - 2 * hole, n) * stride] + input[base + mirror(i + 2 * hole, n) * stride]) +
    K0 * (input[base + mirror(i - 3 * hole, n) * stride] + input[base + mirror(i + 3 * hole, n) * stride])
  );
}

/**
 * out = in * k1 along `lines` lines of `n` samples — line l starts at l·lineStride, its samples
 * are `stride` apart (rows: stride 1; columns: stride = width) — with taps `hole` samples apart.
 * The interior runs a sliding window of seven values held in locals (one load per output), one
 * window per residue class modulo `hole`; within 3·hole samples of the ends the taps are
 * mirrored one by one. (The reference and fallback path: the WebAssembly kernel does the work
 * where it can.)
 */
function convolveLines(input: Float64Array, out: Float64Array, lines: number, lineStride: number, n: number, stride: number, hole: number): void {
  const reach = 3 * hole;
  const end = n - reach;
  const step = hole * stride;
  for (let l = 0; l < lines; l++) {
    const base = l * lineStride;
    if (end <= reach) {
      for (let i = 0; i < n; i++) out[base + i * stride] = mirroredTap(input, base, stride, n, i, hole);
      continue;
    }
    for (let i = 0; i < reach; i++) out[base + i * stride] = mirroredTap(input, base, stride, n, i, hole);
    for (let i = end; i < n; i++) out[base + i * stride] = mirroredTap(input, base, stride, n, i, hole);
    const last = base + end * stride;
    for (let q = 0; q < hole; q++) {
      let p = base + (reach + q) * stride;
      let a0 = input[p - 3 * step];
      let a1 = input[p - 2 * step];
      let a2 = input[p - step];
      let a3 = input[p];
      let a4 = input[p + step];
      let a5 = input[p + 2 * step];
      for (; p < last; p += step) {
        const a6 = input[p + 3 * step];
        out[p] = K3 * a3 + K2 * (a2 + a4) + K1 * (a1 + a5) + K0 * (a0 + a6);
        a0 = a1;
        a1 = a2;
        a2 = a3;
        a3 = a4;
        a4 = a5;
        a5 = a6;
      }
    }
  }
}

/**
 * The per-axis "folded" kernels of the filter at each position along an axis of length n: at
 * position p the taps that fall outside the image are mirrored back onto pixels inside it and
 * add there. Returns, for each p, Σ a², Σ a·b and Σ b² of the folded smoothing kernels
 * a = k1 and b = k1 * k2 (the 1-D factors of V1 and V2), from which the noise gain of F2 at a
 * pixel follows (see {@link borderNoiseGain}).
 */
export function foldedKernelSums(n: number): { aa: Float64Array; ab: Float64Array; bb: Float64Array } {
  const k1 = WaveletFilter.TAPS;
  // b = k1 * (k1 with holes): 19 taps, offsets −9…9.
  const b = new Float64Array(19);
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) b[i - 3 + 2 * (j - 3) + 9] += k1[i] * k1[j];
  const aa = new Float64Array(n);
  const ab = new Float64Array(n);
  const bb = new Float64Array(n);
  const fa = new Float64Array(n);
  const fb = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    fa.fill(0);
    fb.fill(0);
    for (let t = -3; t <= 3; t++) fa[mirror(p + t, n)] += k1[t + 3];
    for (let t = -9; t <= 9; t++) fb[mirror(p + t, n)] += b[t + 9];
    let saa = 0, sab = 0, sbb = 0;
    for (let q = Math.max(0, p - 9); q <= Math.min(n - 1, p + 9); q++) {
      saa += fa[q] * fa[q];
      sab += fa[q] * fb[q];
      sbb += fb[q] * fb[q];
    }
    aa[p] = saa;
    ab[p] = sab;
    bb[p] = sbb;
  }
  return { aa, ab, bb };
}

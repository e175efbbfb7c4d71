import { readFileSync } from 'node:fs';
import { mirror } from './mirror.js';

/** Mirrored margin of the padded image: the reach of the two levels, 3 + 6 px. */
const PAD = 9;
/** Spare f64 values after each buffer: the kernels write whole pairs of columns. */
const SLACK = 32;

/** The part of the WebAssembly JS API used here (TypeScript's ES libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  convolve(input: number, out: number, stride: number, r0: number, r1: number, c0: number, c1: number, tap: number): void;
  subtract(v1: number, v2: number, f2: number, stride: number, width: number, height: number, pad: number): void;
}

let compiled: object | null | undefined;

/** The compiled kernel module, or null where WebAssembly SIMD is not available. */
function kernelModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(readFileSync(new URL('./waveletKernel.wasm', import.meta.url)));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * The wavelet filter's four separable passes in WebAssembly SIMD (waveletKernel.wat). The image
 * is copied once into a buffer with 9 px of mirrored margin; since k1 is symmetric, every level
 * computed on that buffer is itself the mirrored extension of the level, so the interior loops
 * reproduce the per-pass mirroring of the JavaScript filter exactly (up to rounding) with no
 * border logic. One instance (its own memory) per frame size and thread.
 */
export class WasmWaveletKernel {
  readonly width: number;
  readonly height: number;
  /** F2 = V1 − V2, row-major width × height, a view into the module's memory. */
  readonly f2: Float64Array;
  private readonly exports: KernelExports;
  private readonly stride: number;
  private readonly paddedHeight: number;
  private readonly padded: Float64Array;
  private readonly v1: Float64Array;
  private readonly offsets: { padded: number; scratch: number; v1: number; v2: number; f2: number };

  /**
   * @returns a kernel for frames of this size, or undefined where WebAssembly SIMD is unavailable
   *   or the frame is too small for the padded layout (the caller then uses JavaScript)
   */
  static create(width: number, height: number): WasmWaveletKernel | undefined {
    if (width < 2 * PAD || height < 2 * PAD) return undefined;
    const module = kernelModule();
    if (!module) return undefined;
    return new WasmWaveletKernel(module, width, height);
  }

  private constructor(module: object, width: number, height: number) {
    this.width = width;
    this.height = height;
    this.stride = width + 2 * PAD;
    this.paddedHeight = height + 2 * PAD;
    const paddedBytes = (this.stride * this.paddedHeight + SLACK) * 8;
    const imageBytes = (width * height + SLACK) * 8;
    const offsets = {
      padded: SLACK * 8,
      scratch: SLACK * 8 + paddedBytes,
      v1: SLACK * 8 + 2 * paddedBytes,
      v2: SLACK * 8 + 3 * paddedBytes,
      f2: SLACK * 8 + 4 * paddedBytes,
    };
    this.offsets = offsets;
    const instance = new wasm.Instance(module, {});
    this.exports = instance.exports as unknown as KernelExports;
    const needed = offsets.f2 + imageBytes;
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
    const buffer = memory.buffer;
    this.padded = new Float64Array(buffer, offsets.padded, this.stride * this.paddedHeight);
    this.v1 = new Float64Array(buffer, offsets.v1, this.stride * this.paddedHeight);
    this.f2 = new Float64Array(buffer, offsets.f2, width * height);
  }

  /** Filter one frame of photons into `f2` (and V1, read through {@link v1At}). */
  apply(image: Float64Array): void {
    const { width, height, stride, paddedHeight, padded, offsets } = this;
    for (let pr = 0; pr < paddedHeight; pr++) {
      const source = mirror(pr - PAD, height) * width;
      const row = pr * stride;
      padded.set(image.subarray(source, source + width), row + PAD);
      for (let k = 1; k <= PAD; k++) {
        padded[row + PAD - k] = image[source + mirror(-k, width)];
        padded[row + PAD + width - 1 + k] = image[source + mirror(width - 1 + k, width)];
      }
    }
    const e = this.exports;
    const rowTap = 8;
    const columnTap = 8 * stride;
    e.convolve(offsets.padded, offsets.scratch, stride, 0, paddedHeight, 3, stride - 3, rowTap);
    e.convolve(offsets.scratch, offsets.v1, stride, 3, paddedHeight - 3, 3, stride - 3, columnTap);
    e.convolve(offsets.v1, offsets.scratch, stride, 3, paddedHeight - 3, PAD, stride - PAD, 2 * rowTap);
    e.convolve(offsets.scratch, offsets.v2, stride, PAD, paddedHeight - PAD, PAD, stride - PAD, 2 * columnTap);
    e.subtract(offsets.v1, offsets.v2, offsets.f2, stride, width, height, PAD);
  }

  /**
   * F1 = I − V1 at pixel indices 0, step, 2·step, … into `out` (rows and columns followed
   * incrementally: no division per sample).
   * @returns the number of samples written
   */
  sampleF1(image: Float64Array, out: Float64Array, step: number): number {
    const { width, stride, v1 } = this;
    const n = width * this.height;
    let r = 0;
    let c = 0;
    let m = 0;
    for (let p = 0; p < n; p += step) {
      out[m++] = image[p] - v1[(r + PAD) * stride + c + PAD];
      c += step;
      while (c >= width) {
        c -= width;
        r++;
      }
    }
    return m;
  }

  /** V1 at pixel index p of the frame. */
  v1At(p: number): number {
    const r = Math.floor(p / this.width);
    return this.v1[(r + PAD) * this.stride + (p - r * this.width) + PAD];
  }
}

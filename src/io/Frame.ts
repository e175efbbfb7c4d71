import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';

/** Pixel sample types the reader delivers. */
export type SampleType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/** The typed array that holds each sample type. */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** One camera frame: its 0-based index in the stack and its pixels, row-major. */
export interface Frame {
  /** 0-based index of the frame in the stack (the CSV's frame number is index + 1). */
  readonly index: number;
  /** Width in px (columns). */
  readonly width: number;
  /** Height in px (rows). */
  readonly height: number;
  /** Pixels, row-major: pixel (row, column) is `data[row * width + column]`. */
  readonly data: PixelArray;
}

/**
 * An `ndarray` view of a frame's pixels, shape [height, width] (no copy).
 * @param frame - the frame
 */
export function frameView(frame: Frame): NdArray<PixelArray> {
  return ndarray(frame.data, [frame.height, frame.width]);
}

/** Bytes per sample of each sample type. */
export const SAMPLE_BYTES: Readonly<Record<SampleType, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

/**
 * A typed array of `sampleType` over `buffer` (no copy): all of it, or `length` samples from
 * `byteOffset`.
 * @param sampleType - the sample type
 * @param buffer - bytes in machine order, length a multiple of the sample size (a shared buffer too)
 * @param byteOffset - where the view starts, bytes @default 0
 * @param length - samples in the view @default the rest of the buffer
 */
export function pixelArray(sampleType: SampleType, buffer: ArrayBufferLike, byteOffset = 0, length?: number): PixelArray {
  switch (sampleType) {
    case 'uint8': return new Uint8Array(buffer, byteOffset, length);
    case 'int8': return new Int8Array(buffer, byteOffset, length);
    case 'uint16': return new Uint16Array(buffer, byteOffset, length);
    case 'int16': return new Int16Array(buffer, byteOffset, length);
    case 'uint32': return new Uint32Array(buffer, byteOffset, length);
    case 'int32': return new Int32Array(buffer, byteOffset, length);
    case 'float32': return new Float32Array(buffer, byteOffset, length);
    case 'float64': return new Float64Array(buffer, byteOffset, length);
  }
}

/**
 * The sample type of a frame's pixel array.
 * @param data - the pixels
 */
export function sampleTypeOf(data: PixelArray): SampleType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

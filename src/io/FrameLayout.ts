import type { SampleType } from './Frame.js';
import { SAMPLE_BYTES } from './Frame.js';
import { Tag, tagName, TiffDirectory } from './TiffDirectory.js';
import { TiffError } from './TiffError.js';

/** Compression schemes read (TIFF codes): none, LZW, Deflate (two codes), PackBits. */
const SUPPORTED_COMPRESSION = new Set([1, 5, 8, 32946, 32773]);

/** The most bytes one decoded frame may take (2 GiB: 16384 × 16384 px of 64-bit floats fit in 2 GiB). */
export const MAX_FRAME_BYTES = 2 ** 31;

/** How one frame's pixels are stored: shape, sample type, and the blocks (strips or tiles). */
export interface FrameLayout {
  readonly width: number;
  readonly height: number;
  readonly sampleType: SampleType;
  readonly bytesPerSample: number;
  /** TIFF compression code (1 = none). */
  readonly compression: number;
  /** TIFF predictor (1 = none, 2 = horizontal differencing). */
  readonly predictor: number;
  /** Blocks are tiles (else strips of full rows). */
  readonly tiled: boolean;
  /** Block width in px (tile width, or the image width for strips). */
  readonly blockWidth: number;
  /** Block height in px (tile length, or rows per strip). */
  readonly blockHeight: number;
  /** File offset of each block. */
  readonly offsets: readonly number[];
  /** Stored byte count of each block. */
  readonly byteCounts: readonly number[];
  /** Bytes of the decoded frame (width · height · bytesPerSample). */
  readonly frameBytes: number;
  /** End of the last byte of the frame's blocks in the file. */
  readonly end: number;
  /** Uncompressed strips stored back to back from offsets[0]: one read fills the frame. */
  readonly contiguous: boolean;
}

function sampleTypeOf(bits: number, format: number): SampleType | undefined {
  if (format === 1) return bits === 8 ? 'uint8' : bits === 16 ? 'uint16' : bits === 32 ? 'uint32' : undefined;
  if (format === 2) return bits === 8 ? 'int8' : bits === 16 ? 'int16' : bits === 32 ? 'int32' : undefined;
  if (format === 3) return bits === 32 ? 'float32' : bits === 64 ? 'float64' : undefined;
  return undefined;
}

/**
 * Learn how a directory's image is stored, refusing what this reader does not handle (RGB or
 * multi-sample images, unknown sample types or compressions) with a clear error.
 * @param directory - the frame's directory
 * @param path - the file (for errors)
 */
export function frameLayout(directory: TiffDirectory, path: string): FrameLayout {
  const width = directory.number(Tag.ImageWidth, 0);
  const height = directory.number(Tag.ImageLength, 0);
  const at = `in the directory at byte ${directory.offset}`;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new TiffError(path, 'corrupt', `${tagName(Tag.ImageWidth)} × ${tagName(Tag.ImageLength)} give an image of ${width}×${height} px ${at}`);
  }
  const samples = directory.number(Tag.SamplesPerPixel, 1);
  const photometric = directory.number(Tag.PhotometricInterpretation, 1);
  if (samples !== 1 || photometric === 2) {
    throw new TiffError(path, 'unsupported', `${samples} samples per pixel (RGB or multi-channel pixels); SMLM stacks are single-channel grey images`);
  }
  const bits = directory.number(Tag.BitsPerSample, 1);
  const format = directory.number(Tag.SampleFormat, 1);
  const sampleType = sampleTypeOf(bits, format);
  if (!sampleType) {
    const kind = format === 3 ? 'float' : format === 2 ? 'signed integer' : format === 1 ? 'unsigned integer' : `format ${format}`;
    throw new TiffError(path, 'unsupported', `${bits}-bit ${kind} samples (supported: 8/16/32-bit integers, 32/64-bit floats)`);
  }
  const compression = directory.number(Tag.Compression, 1);
  if (!SUPPORTED_COMPRESSION.has(compression)) {
    throw new TiffError(path, 'unsupported', `compression ${compression} (supported: none, LZW, Deflate, PackBits)`);
  }
  const predictor = directory.number(Tag.Predictor, 1);
  if (predictor !== 1 && predictor !== 2) {
    throw new TiffError(path, 'unsupported', `predictor ${predictor} (supported: none, horizontal differencing)`);
  }
  const tiled = directory.has(Tag.TileOffsets);
  const blockWidth = tiled ? directory.number(Tag.TileWidth, 0) : width;
  const blockHeight = tiled ? directory.number(Tag.TileLength, 0) : Math.min(directory.number(Tag.RowsPerStrip, height), height);
  const offsets = directory.numbers(tiled ? Tag.TileOffsets : Tag.StripOffsets);
  const byteCounts = directory.numbers(tiled ? Tag.TileByteCounts : Tag.StripByteCounts);
  const bytesPerSample = SAMPLE_BYTES[sampleType];
  const frameBytes = width * height * bytesPerSample;
  if (frameBytes > MAX_FRAME_BYTES) {
    throw new TiffError(path, 'corrupt', `${tagName(Tag.ImageWidth)} × ${tagName(Tag.ImageLength)} give ${width}×${height} px of ${sampleType} ${at}: ${frameBytes} bytes a frame, more than the ${MAX_FRAME_BYTES} bytes a frame may take`);
  }
  if (!offsets || !(Number.isInteger(blockWidth) && blockWidth > 0 && Number.isInteger(blockHeight) && blockHeight > 0)) {
    throw new TiffError(path, 'corrupt', `no strip or tile offsets, or blocks of ${blockWidth}×${blockHeight} px, ${at}`);
  }
  if (blockWidth * blockHeight * bytesPerSample > MAX_FRAME_BYTES) {
    throw new TiffError(path, 'corrupt', `tiles of ${blockWidth}×${blockHeight} px ${at} would take more than the ${MAX_FRAME_BYTES} bytes a frame may take`);
  }
  const blocks = tiled ? Math.ceil(width / blockWidth) * Math.ceil(height / blockHeight) : Math.ceil(height / blockHeight);
  if (offsets.length < blocks) throw new TiffError(path, 'corrupt', `${offsets.length} ${tiled ? 'tiles' : 'strips'} listed ${at}, ${blocks} needed`);
  if (byteCounts && byteCounts.length < blocks) throw new TiffError(path, 'corrupt', `${byteCounts.length} byte counts listed ${at}, ${blocks} needed`);
  // Uncompressed strips without byte counts (some writers omit them): the rows they hold.
  const counts = byteCounts ?? offsets.map((_, s) => Math.min(blockHeight, height - s * blockHeight) * width * bytesPerSample);
  let end = 0;
  let contiguous = compression === 1 && !tiled;
  let expected = offsets[0];
  let total = 0;
  for (let b = 0; b < blocks; b++) {
    end = Math.max(end, offsets[b] + counts[b]);
    if (offsets[b] !== expected) contiguous = false;
    expected = offsets[b] + counts[b];
    total += counts[b];
  }
  if (contiguous && total !== frameBytes) contiguous = false;
  return {
    width,
    height,
    sampleType,
    bytesPerSample,
    compression,
    predictor,
    tiled,
    blockWidth,
    blockHeight,
    offsets: offsets.slice(0, blocks),
    byteCounts: counts.slice(0, blocks),
    frameBytes,
    end,
    contiguous,
  };
}

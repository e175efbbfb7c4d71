import { getDecoder } from 'geotiff';
import type { FileSource } from './FileSource.js';
import type { FrameLayout } from './FrameLayout.js';
import { decodeLzw } from './decodeLzw.js';
import { TiffError } from './TiffError.js';

/** A geotiff block decoder: compressed bytes in, decompressed bytes out. */
interface BlockDecoder {
  decode(buffer: ArrayBuffer): Promise<ArrayBuffer> | ArrayBuffer;
}

/**
 * The largest ratio of decoded to stored bytes believed (Deflate reaches 1032:1, TIFF's LZW
 * about 2730:1 at best): a frame that claims more is corrupt, and is refused before its
 * buffer is allocated.
 */
const MAX_COMPRESSION_RATIO = 4096;

/** TIFF's code for LZW compression. */
const LZW = 5;

/** Decoders by compression and block shape, made once per stack. */
export type DecoderCache = Map<string, Promise<BlockDecoder>>;

function decoderFor(cache: DecoderCache, layout: FrameLayout): Promise<BlockDecoder> {
  const key = `${layout.compression}/${layout.blockWidth}x${layout.blockHeight}/${layout.bytesPerSample}`;
  let decoder = cache.get(key);
  if (!decoder) {
    // Decompression only (predictor 1): byte order and the predictor are applied here, in
    // machine order, so big-endian files come out right.
    decoder = getDecoder(layout.compression, {
      tileWidth: layout.blockWidth,
      tileHeight: layout.blockHeight,
      planarConfiguration: 1,
      bitsPerSample: layout.bytesPerSample * 8,
      predictor: 1,
      samplesPerPixel: 1,
    }) as Promise<BlockDecoder>;
    cache.set(key, decoder);
  }
  return decoder;
}

/** Swap each sample of `bytes` from big- to little-endian order, in place. */
function swapBytes(bytes: Uint8Array, bytesPerSample: number): void {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length - (bytes.length % bytesPerSample));
  if (bytesPerSample === 2) b.swap16();
  else if (bytesPerSample === 4) b.swap32();
  else if (bytesPerSample === 8) b.swap64();
}

/** Undo horizontal differencing (TIFF predictor 2) on a block in machine byte order. */
function undoHorizontalPredictor(bytes: Uint8Array, layout: FrameLayout, rows: number): void {
  const w = layout.blockWidth;
  const n = rows * w;
  const buffer = bytes.buffer;
  const at = bytes.byteOffset;
  const samples =
    layout.bytesPerSample === 1 ? new Uint8Array(buffer, at, n)
    : layout.bytesPerSample === 2 ? new Uint16Array(buffer, at, n)
    : new Uint32Array(buffer, at, n);
  for (let r = 0; r < rows; r++) {
    const base = r * w;
    for (let c = 1; c < w; c++) samples[base + c] += samples[base + c - 1];
  }
}

/**
 * Read and decode one frame into a buffer of `layout.frameBytes` bytes in machine (little-
 * endian) order. Uncompressed strips stored back to back are one positional read; other strips
 * and tiles are read block by block, decompressed by geotiff's decoders, byte-swapped when the
 * file is big-endian, un-predicted, and copied into place.
 *
 * @param source - the file
 * @param layout - the frame's layout
 * @param littleEndian - the file's byte order
 * @param decoders - decoder cache of the stack
 * @param frameIndex - for error messages
 * @param into - a buffer of `layout.frameBytes` bytes to read into (recycled, contents
 *   overwritten) @default a new buffer
 * @throws TiffError `truncated` when the frame's bytes are not all in the file
 */
export async function readFrameData(
  source: FileSource,
  layout: FrameLayout,
  littleEndian: boolean,
  decoders: DecoderCache,
  frameIndex: number,
  into?: ArrayBuffer,
): Promise<ArrayBuffer> {
  const truncated = (got: number, wanted: number, at: number) =>
    new TiffError(source.path, 'truncated', `frame ${frameIndex + 1} needs ${wanted} bytes at byte ${at}, the file has ${got} there`);
  // Nothing is allocated for bytes the file cannot hold.
  let needed = layout.compression === 1 ? layout.frameBytes : 0;
  for (let b = 0; b < layout.offsets.length; b++) needed = Math.max(needed, layout.offsets[b] + layout.byteCounts[b]);
  const size = source.size(needed);
  for (let b = 0; b < layout.offsets.length; b++) {
    const at = layout.offsets[b];
    const count = layout.byteCounts[b];
    if (!(at >= 0 && count >= 0) || at + count > size) throw truncated(Math.max(0, size - at), count, at);
  }
  const stored = layout.byteCounts.reduce((sum, count) => sum + count, 0);
  const limit = layout.compression === 1 ? size : MAX_COMPRESSION_RATIO * stored;
  if (layout.frameBytes > limit) {
    const why = layout.compression === 1 ? `the file has ${size} bytes` : `its blocks hold ${stored} bytes, more than ${MAX_COMPRESSION_RATIO}:1 compression`;
    throw new TiffError(source.path, 'corrupt', `frame ${frameIndex + 1} of ${layout.width}×${layout.height} px needs ${layout.frameBytes} bytes, but ${why}`);
  }
  const out = into && into.byteLength === layout.frameBytes ? new Uint8Array(into) : new Uint8Array(layout.frameBytes);
  const swap = !littleEndian && layout.bytesPerSample > 1;
  if (layout.compression === 1 && !layout.tiled) {
    if (layout.contiguous) {
      const got = source.readInto(layout.offsets[0], out);
      if (got < out.length) throw truncated(got, out.length, layout.offsets[0]);
    } else {
      const rowBytes = layout.width * layout.bytesPerSample;
      for (let s = 0; s < layout.offsets.length; s++) {
        const rows = Math.min(layout.blockHeight, layout.height - s * layout.blockHeight);
        const part = out.subarray(s * layout.blockHeight * rowBytes, s * layout.blockHeight * rowBytes + rows * rowBytes);
        const got = source.readInto(layout.offsets[s], part);
        if (got < part.length) throw truncated(got, part.length, layout.offsets[s]);
      }
    }
    if (swap) swapBytes(out, layout.bytesPerSample);
    if (layout.predictor === 2) undoHorizontalPredictor(out, layout, layout.height);
    return out.buffer;
  }
  const bps = layout.bytesPerSample;
  const blockRowBytes = layout.blockWidth * bps;
  const blockBytes = blockRowBytes * layout.blockHeight;
  // LZW by the bounded decoder of this project (see decodeLzw), the rest by geotiff's.
  const largest = Math.max(...layout.byteCounts);
  if (layout.compression !== 1 && blockBytes > MAX_COMPRESSION_RATIO * largest) {
    throw new TiffError(source.path, 'corrupt', `frame ${frameIndex + 1}: blocks of ${blockBytes} bytes stored in at most ${largest} bytes, more than ${MAX_COMPRESSION_RATIO}:1 compression`);
  }
  const lzw = layout.compression === LZW ? new Uint8Array(blockBytes) : undefined;
  const decoder = layout.compression === 1 || lzw ? undefined : await decoderFor(decoders, layout);
  const across = layout.tiled ? Math.ceil(layout.width / layout.blockWidth) : 1;
  for (let b = 0; b < layout.offsets.length; b++) {
    const storedBlock = new Uint8Array(layout.byteCounts[b]);
    const got = source.readInto(layout.offsets[b], storedBlock);
    if (got < storedBlock.length) throw truncated(got, storedBlock.length, layout.offsets[b]);
    let block: Uint8Array;
    if (lzw) {
      try {
        block = lzw.subarray(0, decodeLzw(storedBlock, lzw));
      } catch (error) {
        throw new TiffError(source.path, 'corrupt', `frame ${frameIndex + 1}: block ${b} does not decompress (${reason(error)})`);
      }
    } else if (decoder) {
      try {
        block = new Uint8Array(await decoder.decode(storedBlock.buffer));
      } catch (error) {
        throw new TiffError(source.path, 'corrupt', `frame ${frameIndex + 1}: block ${b} does not decompress (${reason(error)})`);
      }
    } else {
      block = storedBlock;
    }
    const row0 = Math.floor(b / across) * layout.blockHeight;
    const column0 = (b % across) * layout.blockWidth;
    const rows = Math.min(layout.blockHeight, layout.height - row0, Math.floor(block.length / blockRowBytes));
    if (rows < Math.min(layout.blockHeight, layout.height - row0)) {
      const expected = Math.min(blockBytes, (layout.height - row0) * blockRowBytes);
      throw new TiffError(source.path, 'corrupt', `frame ${frameIndex + 1}: block ${b} decodes to ${block.length} bytes, ${expected} expected`);
    }
    // Own, aligned copy of the block's rows for swapping and un-predicting in place.
    const mine = new Uint8Array(rows * blockRowBytes);
    mine.set(block.subarray(0, mine.length));
    if (swap) swapBytes(mine, bps);
    if (layout.predictor === 2) undoHorizontalPredictor(mine, layout, rows);
    const columnBytes = Math.min(layout.blockWidth, layout.width - column0) * bps;
    const frameRowBytes = layout.width * bps;
    for (let r = 0; r < rows; r++) {
      out.set(mine.subarray(r * blockRowBytes, r * blockRowBytes + columnBytes), (row0 + r) * frameRowBytes + column0 * bps);
    }
  }
  return out.buffer;
}


/** What a decoder's error says (pako throws bare strings). */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return text || 'the compressed data is invalid';
}

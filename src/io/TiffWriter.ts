import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { AtomicFile } from './AtomicFile.js';
import type { FileSink } from './FileSink.js';
import { openFileSink } from './FileSink.js';

/** Options of {@link TiffWriter}. */
export interface TiffWriterOptions {
  /** Frame width, px. */
  width: number;
  /** Frame height, px. */
  height: number;
  /** Sample type written. @default 'uint16' */
  sampleType?: 'uint16' | 'float32';
  /** Write BigTIFF (64-bit offsets, files over 4 GB). @default false */
  bigTiff?: boolean;
  /** Pixel size in nm, stored the ImageJ way (unit=micron, X/YResolution in px per µm). */
  pixelSizeNm?: number;
  /** Number of frames, when known in advance: written as ImageJ's `images=`. */
  frameCount?: number;
  /** Write an ImageJ description (`ImageJ=…`). @default true */
  imagej?: boolean;
  /** The first frame's ImageDescription, written as given (OME-XML, say) instead of ImageJ's. */
  description?: string;
}

const TYPE = { SHORT: 3, LONG: 4, RATIONAL: 5, ASCII: 2, LONG8: 16 } as const;

/** Where a {@link TiffWriter} writes: positional writes (an {@link AtomicFile}, a {@link FileSink}). */
export type TiffOutput = Pick<FileSink, 'write'>;

/**
 * A streaming multi-page TIFF writer (uncompressed, little-endian, one strip per frame), for
 * samples, simulations and tests. Each frame is written as pixel data followed by its
 * directory, and only then linked from the previous directory: a reader following the growing
 * file never sees a partly written frame. Given a path, it writes that file in place (a live
 * acquisition, read while it grows); given an {@link AtomicFile}, the file appears under its
 * name only when the owner commits it ({@link writeTiff} does).
 */
export class TiffWriter {
  /** Frames written so far. */
  get frameCount(): number {
    return this.frames;
  }

  private readonly output: TiffOutput;
  /** The sink this writer opened itself (a path given) and closes. */
  private readonly owned: FileSink | undefined;
  private readonly options: Required<Omit<TiffWriterOptions, 'pixelSizeNm' | 'frameCount' | 'description'>> & Pick<TiffWriterOptions, 'pixelSizeNm' | 'frameCount' | 'description'>;
  private position: number;
  /** Where the "next directory" pointer to patch lives (the header's first pointer at first). */
  private linkAt: number;
  private frames = 0;
  private closed = false;

  /**
   * Create (or replace) `output`.
   * @param output - a file, written in place; or where to write (left open by {@link close}:
   *   its owner commits or closes it)
   * @param options - frame shape and format
   */
  constructor(output: string | TiffOutput, options: TiffWriterOptions) {
    const { width, height } = options;
    if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
      throw new InvalidOptionError(`TIFF frame size must be positive whole pixels, got ${width}×${height}`);
    }
    this.options = { sampleType: 'uint16', bigTiff: false, imagej: true, ...options };
    this.owned = typeof output === 'string' ? openFileSink(output) : undefined;
    this.output = this.owned ?? (output as TiffOutput);
    const header = Buffer.alloc(this.options.bigTiff ? 16 : 8);
    header.write('II', 0, 'latin1');
    if (this.options.bigTiff) {
      header.writeUInt16LE(43, 2);
      header.writeUInt16LE(8, 4);
      this.linkAt = 8;
    } else {
      header.writeUInt16LE(42, 2);
      this.linkAt = 4;
    }
    this.write(header, 0);
    this.position = header.length;
  }

  /**
   * Append one frame (row-major, width·height values; converted to the writer's sample type,
   * uint16 values rounded and clamped to 0…65535).
   * @param pixels - the frame's pixels
   */
  append(pixels: ArrayLike<number>): void {
    if (this.closed) throw new Error('TiffWriter: append after close');
    const { width, height, sampleType, bigTiff } = this.options;
    const n = width * height;
    if (pixels.length !== n) throw new RangeError(`TiffWriter: a frame has ${n} pixels, got ${pixels.length}`);
    // Typed arrays are little-endian on every platform Node runs on (x64, arm64).
    let samples: Uint16Array | Float32Array;
    if (sampleType === 'uint16') {
      samples = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const v = Math.round(pixels[i]);
        samples[i] = v < 0 ? 0 : v > 65535 ? 65535 : v;
      }
    } else {
      samples = Float32Array.from(pixels);
    }
    const data = new Uint8Array(samples.buffer);
    const dataAt = this.position;
    this.write(data, dataAt);
    const ifdAt = dataAt + data.length + (data.length % 2); // directories start on a word boundary
    const ifd = this.directory(ifdAt, dataAt, data.length, this.frames === 0);
    this.write(ifd.bytes, ifdAt);
    this.position = ifdAt + ifd.bytes.length;
    // Link the new frame only now that all its bytes are on disk.
    const link = Buffer.alloc(bigTiff ? 8 : 4);
    if (bigTiff) link.writeBigUInt64LE(BigInt(ifdAt));
    else link.writeUInt32LE(ifdAt);
    this.write(link, this.linkAt);
    this.linkAt = ifd.nextAt;
    this.frames++;
    if (!bigTiff && this.position > 0xffffffff) throw new RangeError('TiffWriter: over 4 GB; write BigTIFF (bigTiff: true)');
  }

  /** End writing (the last directory's next pointer is already 0); close the file when this writer opened it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owned?.close();
  }

  private write(bytes: Uint8Array, position: number): void {
    let done = 0;
    while (done < bytes.length) done += this.output.write(bytes, done, bytes.length - done, position + done);
  }

  /** Build a directory at `at` for a frame whose strip is at `dataAt`. */
  private directory(at: number, dataAt: number, dataBytes: number, first: boolean): { bytes: Buffer; nextAt: number } {
    const { width, height, sampleType, bigTiff, pixelSizeNm, frameCount, imagej, description } = this.options;
    const entries: { tag: number; type: number; values: number[] | string }[] = [];
    const add = (tag: number, type: number, values: number[] | string) => entries.push({ tag, type, values });
    add(256, TYPE.LONG, [width]);
    add(257, TYPE.LONG, [height]);
    add(258, TYPE.SHORT, [sampleType === 'uint16' ? 16 : 32]);
    add(259, TYPE.SHORT, [1]);
    add(262, TYPE.SHORT, [1]);
    if (first && description !== undefined) {
      add(270, TYPE.ASCII, `${description}\0`);
    } else if (first && imagej) {
      let text = 'ImageJ=1.54f\n';
      if (frameCount !== undefined && frameCount > 1) text += `images=${frameCount}\nslices=${frameCount}\n`;
      if (pixelSizeNm !== undefined) text += 'unit=micron\n';
      text += 'loop=false\n';
      add(270, TYPE.ASCII, `${text}\0`);
    }
    add(273, bigTiff ? TYPE.LONG8 : TYPE.LONG, [dataAt]);
    add(277, TYPE.SHORT, [1]);
    add(278, TYPE.LONG, [height]);
    add(279, bigTiff ? TYPE.LONG8 : TYPE.LONG, [dataBytes]);
    if (pixelSizeNm !== undefined) {
      // ImageJ: resolution in pixels per unit (µm) = 1e7 / (pixel size in units of 1e-4 nm),
      // exact for pixel sizes with up to four decimals.
      const resolution = [1e7, Math.round(pixelSizeNm * 1e4)];
      add(282, TYPE.RATIONAL, resolution);
      add(283, TYPE.RATIONAL, resolution);
      add(296, TYPE.SHORT, [1]);
    }
    add(339, TYPE.SHORT, [sampleType === 'uint16' ? 1 : 3]);

    const entrySize = bigTiff ? 20 : 12;
    const countSize = bigTiff ? 8 : 2;
    const pointerSize = bigTiff ? 8 : 4;
    const inline = bigTiff ? 8 : 4;
    const tableBytes = countSize + entries.length * entrySize + pointerSize;
    // Text as UTF-8 (OME-XML has µ): its byte length is its count.
    const size = (e: (typeof entries)[number]) =>
      typeof e.values === 'string' ? Buffer.byteLength(e.values, 'utf8') : e.values.length * (e.type === TYPE.SHORT ? 2 : e.type === TYPE.LONG ? 4 : e.type === TYPE.RATIONAL ? 4 : 8);
    let extra = 0;
    for (const e of entries) if (size(e) > inline) extra += size(e) + (size(e) % 2);
    const bytes = Buffer.alloc(tableBytes + extra);
    if (bigTiff) bytes.writeBigUInt64LE(BigInt(entries.length), 0);
    else bytes.writeUInt16LE(entries.length, 0);
    let outOfLine = tableBytes;
    entries.forEach((e, k) => {
      const p = countSize + k * entrySize;
      const count = typeof e.values === 'string' ? Buffer.byteLength(e.values, 'utf8') : e.type === TYPE.RATIONAL ? e.values.length / 2 : e.values.length;
      bytes.writeUInt16LE(e.tag, p);
      bytes.writeUInt16LE(e.type, p + 2);
      if (bigTiff) bytes.writeBigUInt64LE(BigInt(count), p + 4);
      else bytes.writeUInt32LE(count, p + 4);
      const valueAt = p + (bigTiff ? 12 : 8);
      let target = valueAt;
      if (size(e) > inline) {
        if (bigTiff) bytes.writeBigUInt64LE(BigInt(at + outOfLine), valueAt);
        else bytes.writeUInt32LE(at + outOfLine, valueAt);
        target = outOfLine;
        outOfLine += size(e) + (size(e) % 2);
      }
      if (typeof e.values === 'string') bytes.write(e.values, target, 'utf8');
      else {
        e.values.forEach((v, i) => {
          if (e.type === TYPE.SHORT) bytes.writeUInt16LE(v, target + 2 * i);
          else if (e.type === TYPE.LONG || e.type === TYPE.RATIONAL) bytes.writeUInt32LE(v, target + 4 * i);
          else bytes.writeBigUInt64LE(BigInt(v), target + 8 * i);
        });
      }
    });
    return { bytes, nextAt: at + countSize + entries.length * entrySize };
  }
}

/**
 * Write whole frames to a new TIFF in one call. A path is written as an {@link AtomicFile}: it
 * appears only when whole, and a failed write leaves any earlier file of that name as it was.
 * @param output - the file; or an {@link AtomicFile} that its owner commits with others
 * @param frames - frames, each width·height values row-major
 * @param options - frame shape and format (frameCount defaults to frames.length)
 * @throws FileWriteError naming the file when a write fails
 */
export function writeTiff(output: string | TiffOutput, frames: readonly ArrayLike<number>[], options: TiffWriterOptions): void {
  const file = typeof output === 'string' ? new AtomicFile(output) : undefined;
  try {
    const writer = new TiffWriter(file ?? (output as TiffOutput), { frameCount: frames.length, ...options });
    for (const frame of frames) writer.append(frame);
    writer.close();
    file?.commit();
  } catch (error) {
    throw file ? file.fail(error) : error;
  }
}

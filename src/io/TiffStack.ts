import { setTimeout as sleep } from 'node:timers/promises';
import { FileSource } from './FileSource.js';
import type { Frame, SampleType } from './Frame.js';
import { pixelArray } from './Frame.js';
import type { FrameLayout } from './FrameLayout.js';
import { frameLayout } from './FrameLayout.js';
import type { StackDescription } from './parseDescription.js';
import { parseDescription } from './parseDescription.js';
import type { OmeDescription } from './parseOme.js';
import { parseOme } from './parseOme.js';
import type { DecoderCache } from './readFrameData.js';
import { readFrameData } from './readFrameData.js';
import type { FrameBufferPool } from './FrameBufferPool.js';
import type { TiffFormat } from './TiffDirectory.js';
import { nextDirectoryOffset, readTiffFormat, Tag, TiffDirectory } from './TiffDirectory.js';
import { TiffError } from './TiffError.js';

/** What opening a stack learns, without reading pixel data. */
export interface StackMetadata {
  /** The file. */
  readonly path: string;
  /** Frames found so far (all of them when `complete`). */
  readonly frameCount: number;
  /** Whether the directory chain (or ImageJ's image count) ended cleanly: the count is final. */
  readonly complete: boolean;
  /** Frame width, px. */
  readonly width: number;
  /** Frame height, px. */
  readonly height: number;
  /** Pixel sample type. */
  readonly sampleType: SampleType;
  /** Byte order of the file. */
  readonly byteOrder: 'little-endian' | 'big-endian';
  /** BigTIFF (64-bit offsets) or classic TIFF. */
  readonly bigTiff: boolean;
  /** Pixel size in nm when the file says it (ImageJ unit + resolution, or OME PhysicalSizeX). */
  readonly pixelSizeNm: number | undefined;
  /** Where {@link pixelSizeNm} comes from, in words (for messages), when the file gives it. */
  readonly pixelSizeSource: string | undefined;
  /** The convention of the first ImageDescription. */
  readonly description: 'imagej' | 'ome' | 'none';
  /** ImageJ's raw layout for data over 4 GB: one directory, `images=N`, frames back to back. */
  readonly imagejRawLayout: boolean;
  /**
   * Channels, z-slices and time points when the file says (an ImageJ hyperstack, or OME-XML
   * with more than one of any), and the order of its planes, fastest first ('CZT' for ImageJ's
   * and OME's XYCZT). The stack itself delivers every plane in file order; see `selectChannel`.
   */
  readonly hyperstack: { channels?: number; slices?: number; frames?: number; order: string } | undefined;
  /** The channel read (1-based) when one of several was chosen (see `selectChannel`). */
  readonly channel?: number;
  /** The files of a stack stored in several (in frame order), with how they were found. */
  readonly series?: { readonly kind: 'ome' | 'micromanager' | 'folder' | 'list'; readonly files: readonly string[] };
}

/** Defaults of follow mode (live acquisition), stated once. */
export const FOLLOW_DEFAULTS = {
  /** How often to look for new frames, ms. */
  pollIntervalMs: 100,
  /** End after this long without a new frame, ms. */
  idleTimeoutMs: 10_000,
} as const;

/** Options of {@link TiffStack.frames}. */
export interface FrameRangeOptions {
  /** First frame, 0-based. @default 0 */
  start?: number;
  /** End frame, 0-based, exclusive. @default all frames */
  end?: number;
  /** Step between frames. @default 1 */
  step?: number;
  /** Keep reading as the file grows (live acquisition). @default false */
  follow?: boolean;
  /** Follow mode: how often to look for new frames, ms. @default 100 */
  pollIntervalMs?: number;
  /** Follow mode: end after this long without a new frame, ms. @default 10000 */
  idleTimeoutMs?: number;
  /** Stop reading when aborted (the iterator then ends). */
  signal?: AbortSignal;
  /**
   * Read frames into buffers taken from this pool (the consumer gives each frame's buffer back
   * when done with it). @default a new buffer per frame
   */
  buffers?: FrameBufferPool;
  /**
   * Follow mode: stop waiting for the next frame when this returns true (a series whose next
   * file has appeared: this file is complete). @default never
   */
  moveOn?: () => boolean;
}

/** A stack of frames: one TIFF file ({@link TiffStack}) or a series of files (StackSeries). */
export interface FrameStack {
  /** What the stack says about itself. */
  readonly metadata: StackMetadata;
  /** The frames of a range, lazily, as {@link TiffStack.frames}. */
  frames(options?: FrameRangeOptions): AsyncGenerator<Frame, void, undefined>;
  /** Frame `index` (0-based, across files). */
  readFrame(index: number, buffers?: FrameBufferPool): Promise<Frame>;
  /** Close every file. */
  close(): void;
}

/** Frames between yields to the event loop during a fast read. */
const YIELD_EVERY = 32;

/**
 * A TIFF stack opened for lazy, frame-by-frame reading: classic TIFF and BigTIFF, either byte
 * order, strips or tiles, uncompressed / LZW / Deflate / PackBits, ImageJ stacks (including the
 * >4 GB raw layout) and OME-TIFF. Memory stays flat in the number of frames: only the directory
 * offsets (8 bytes a frame) are kept, and a frame's directory is parsed when the frame is read.
 *
 * Directories are walked iteratively (no recursion), so 10⁵-frame stacks open in a fraction of
 * a second (geotiff's recursive walk overflows the stack near 7000 images).
 */
export class TiffStack implements FrameStack {
  /** What the file says about itself. */
  get metadata(): StackMetadata {
    return { ...this.fixed, frameCount: this.count, complete: this.complete, imagejRawLayout: this.raw !== undefined };
  }

  private readonly source: FileSource;
  private readonly format: TiffFormat;
  private readonly decoders: DecoderCache = new Map();
  private readonly fixed: Omit<StackMetadata, 'frameCount' | 'complete' | 'imagejRawLayout'>;
  /** Directory offsets, one per frame (not used in the raw ImageJ layout). */
  private offsets = new Float64Array(1024);
  private count = 0;
  private complete = false;
  /** The largest size the file was seen to have, bytes (a file being written never shrinks). */
  private largestSize = 0;
  /**
   * The raw ImageJ layout: the first frame's layout, frames back to back, the image count, and
   * how many frames fit before the directory when it follows the pixels (else infinity).
   */
  private raw: { layout: FrameLayout; images: number; fit: number } | undefined;
  /** Layout of the last frame read, reused when the next frame's directory matches its shape. */
  private firstLayout: FrameLayout;
  /** The first directory's OME-XML, parsed, when it has one (where a series' planes are). */
  readonly ome: OmeDescription | undefined;

  private constructor(path: string) {
    try {
      this.source = new FileSource(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new TiffError(path, 'unreadable', reason);
    }
    try {
      this.format = readTiffFormat(this.source);
      if (this.format.firstDirectory === 0) throw new TiffError(path, 'no-frames', 'the file has no image directory');
      const first = new TiffDirectory(this.source, this.format, this.format.firstDirectory);
      this.firstLayout = frameLayout(first, path);
      const text = first.text(Tag.ImageDescription);
      const description = parseDescription(text);
      this.ome = description.kind === 'ome' && text !== undefined ? parseOme(text) : undefined;
      const xResolution = first.numbers(Tag.XResolution)?.[0];
      let pixelSizeNm = description.pixelSizeNm;
      let pixelSizeSource = pixelSizeNm === undefined ? undefined : 'the OME-XML PhysicalSizeX';
      if (pixelSizeNm === undefined && description.nmPerUnit !== undefined && xResolution !== undefined && xResolution > 0) {
        pixelSizeNm = description.nmPerUnit / xResolution;
        pixelSizeSource = `the XResolution tag (${xResolution} px per ${description.unit ?? 'unit'})`;
      }
      const images = description.images ?? 0;
      // ImageJ's raw layout: one directory, images=N, frames back to back from the first frame's
      // pixels. The directory is not among them: one right after the first frame's pixels is a
      // file written frame by frame (each directory after its pixels) whose second frame is not
      // linked yet; frames cannot run into the directory, wherever it lies.
      const rawStart = this.firstLayout.offsets[0];
      const framesBeforeDirectory = this.format.firstDirectory >= rawStart ? Math.floor((this.format.firstDirectory - rawStart) / this.firstLayout.frameBytes) : Number.POSITIVE_INFINITY;
      const rawLayout = description.kind === 'imagej' && images > 1 && first.next === 0 && framesBeforeDirectory !== 1;
      if (rawLayout && !this.firstLayout.contiguous) {
        throw new TiffError(path, 'unsupported', `ImageJ raw layout (images=${images}, one directory) with compressed or scattered strips`);
      }
      this.raw = rawLayout ? { layout: this.firstLayout, images, fit: framesBeforeDirectory } : undefined;
      this.fixed = {
        path,
        width: this.firstLayout.width,
        height: this.firstLayout.height,
        sampleType: this.firstLayout.sampleType,
        byteOrder: this.format.littleEndian ? 'little-endian' : 'big-endian',
        bigTiff: this.format.bigTiff,
        pixelSizeNm,
        pixelSizeSource,
        description: description.kind,
        hyperstack: hyperstackOf(description.kind === 'imagej' ? description : undefined, this.ome),
      };
      this.offsets[0] = this.format.firstDirectory;
      this.count = 1;
      this.refresh();
    } catch (error) {
      this.source.close();
      if (error instanceof TiffError) throw error;
      throw new TiffError(path, 'unreadable', (error as Error).message);
    }
  }

  /**
   * Open a stack and read its directory structure (no pixel data).
   * @param path - the TIFF file
   * @throws TiffError naming the file and the problem: `unreadable` (missing, a folder, no
   *   permission), `not-tiff`, `truncated` header, `no-frames`, `unsupported` compression,
   *   sample type or RGB pixels, `corrupt` directories
   */
  static open(path: string): TiffStack {
    return new TiffStack(path);
  }

  /**
   * Look for frames written since the last look (follow mode) or not yet walked: extend the
   * directory chain, or, in the raw ImageJ layout, count the complete frames the file now holds.
   * @param growing - the file may still grow: look past a chain that ended (its last "next"
   *   pointer may have been written since), and take a second directory linked to the only one
   *   as a chain written frame by frame, not ImageJ's raw layout @default false
   * @returns the number of frames known
   * @throws TiffError `truncated` when the file is smaller than it was seen to be (cut while it
   *   is read), `corrupt` for a directory chain that loops
   */
  refresh(growing = false): number {
    this.source.invalidate();
    const size = this.source.size();
    if (size < this.largestSize) {
      throw new TiffError(this.source.path, 'truncated', `the file shrank from ${this.largestSize} to ${size} bytes while it was being read`);
    }
    this.largestSize = size;
    // Follow mode: a second directory linked to the only one is a file written frame by frame
    // (its description's image count written ahead), not ImageJ's raw layout.
    if (this.raw && growing && nextDirectoryOffset(this.source, this.format, this.offsets[0]) > 0) {
      this.raw = undefined;
      this.count = 1;
      this.complete = false;
    }
    if (this.raw) {
      const { layout, images } = this.raw;
      const fit = Math.min(this.raw.fit, Math.floor((size - layout.offsets[0]) / layout.frameBytes));
      this.count = Math.max(0, Math.min(images, fit));
      this.complete = this.count === images;
      return this.count;
    }
    if (this.complete && !growing) return this.count;
    this.complete = false;
    // Each directory takes at least 2 + 12 + 4 bytes: more directories than that means a loop.
    const limit = Math.floor(size / 18) + 1;
    let offset = this.offsets[this.count - 1];
    for (;;) {
      const next = nextDirectoryOffset(this.source, this.format, offset);
      if (next < 0) break; // the last directory is not complete yet (or the file is cut off)
      if (next === 0) {
        this.complete = true;
        break;
      }
      if (next >= size) break; // points past the end: not written yet, or truncated
      if (this.count >= limit) throw new TiffError(this.source.path, 'corrupt', 'the directory chain loops');
      if (this.count === this.offsets.length) {
        const grown = new Float64Array(this.offsets.length * 2);
        grown.set(this.offsets);
        this.offsets = grown;
      }
      this.offsets[this.count++] = next;
      offset = next;
    }
    return this.count;
  }

  /**
   * Read frame `index` (0-based).
   * @param buffers - take the frame's buffer from this pool @default a new buffer
   * @throws TiffError `out-of-range` for an index past the known frames, `truncated` when its
   *   bytes are not all in the file, `mixed-frames` when its size or sample type is not frame 1's
   */
  async readFrame(index: number, buffers?: FrameBufferPool): Promise<Frame> {
    if (!(index >= 0 && index < this.count) || !Number.isInteger(index)) {
      throw new TiffError(this.source.path, 'out-of-range', `frame index ${index}, the stack has ${this.count} frames (0-based)`);
    }
    const layout = this.layoutOf(index);
    const buffer = await readFrameData(this.source, layout, this.format.littleEndian, this.decoders, index, buffers?.take(layout.frameBytes));
    return { index, width: layout.width, height: layout.height, data: pixelArray(layout.sampleType, buffer) };
  }

  /**
   * The frames start, start + step, … before end, as an async iterable. Without `follow`, it ends
   * at the last frame, and a stack cut off mid-frame yields every complete frame and then throws
   * `TiffError` `truncated`. With `follow`, it waits at the end for the next complete frame
   * (polling), and ends after `idleTimeoutMs` without one, when `end` is reached, or when the
   * signal aborts. Breaking out of the loop stops all reading. A followed file that is still
   * incomplete when the wait ends (its last directory points past its end, or a frame's bytes
   * are cut off), or that shrinks while it is read, throws `truncated` as a read without follow
   * does, after every complete frame.
   *
   * @param options - range and follow options
   */
  async *frames(options: FrameRangeOptions = {}): AsyncGenerator<Frame, void, undefined> {
    const start = options.start ?? 0;
    const step = options.step ?? 1;
    const end = options.end ?? Number.POSITIVE_INFINITY;
    const follow = options.follow ?? false;
    const poll = options.pollIntervalMs ?? FOLLOW_DEFAULTS.pollIntervalMs;
    const idle = options.idleTimeoutMs ?? FOLLOW_DEFAULTS.idleTimeoutMs;
    const signal = options.signal;
    if (!(Number.isInteger(start) && start >= 0)) throw new RangeError(`start frame must be a whole number ≥ 0, got ${start}`);
    if (!(Number.isInteger(step) && step >= 1)) throw new RangeError(`frame step must be a whole number ≥ 1, got ${step}`);
    let sinceYield = 0;
    for (let index = start; index < end; index += step) {
      if (signal?.aborted) return;
      if (index >= this.count || (follow && !this.frameIsComplete(index))) {
        if (!follow) {
          if (!this.complete) this.throwTruncated(index);
          return;
        }
        const waitedFor = await this.waitForFrame(index, poll, idle, signal, options.moveOn);
        if (!waitedFor) {
          if (signal?.aborted) return;
          // The writer stopped (or the next file of a series appeared): what is still missing
          // now is missing for good, and reported as a read without follow reports it (a frame
          // listed but cut off: its read below throws).
          if (index >= this.count) {
            if (!this.complete) this.throwTruncated(index);
            return;
          }
        }
      }
      yield await this.readFrame(index, options.buffers);
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Close the file. */
  close(): void {
    this.source.close();
  }

  private layoutOf(index: number): FrameLayout {
    if (this.raw) {
      const base = this.raw.layout;
      const offset = base.offsets[0] + index * base.frameBytes;
      return { ...base, offsets: [offset], byteCounts: [base.frameBytes], end: offset + base.frameBytes };
    }
    if (index === 0) return this.firstLayout;
    const layout = frameLayout(new TiffDirectory(this.source, this.format, this.offsets[index]), this.source.path);
    const first = this.firstLayout;
    if (layout.width !== first.width || layout.height !== first.height || layout.sampleType !== first.sampleType) {
      throw new TiffError(
        this.source.path,
        'mixed-frames',
        `its frame ${index + 1} is ${layout.width}×${layout.height} px ${layout.sampleType}, where its frame 1 is ${first.width}×${first.height} px ${first.sampleType}: every frame of a stack must have one size and sample type`,
      );
    }
    return layout;
  }

  /** Whether all bytes of frame `index` are in the file now (follow mode). */
  private frameIsComplete(index: number): boolean {
    if (index >= this.count) return false;
    const size = this.source.size();
    // A file that shrank (the wait's refresh reports it once a frame is missing): the read-ahead
    // window may still hold bytes that are gone.
    if (size < this.largestSize) this.source.invalidate();
    if (this.raw) return true; // counted from the file size
    if (this.offsets[index] >= size) return false;
    try {
      return this.layoutOf(index).end <= size;
    } catch (error) {
      if (error instanceof TiffError && error.problem === 'truncated') return false;
      throw error;
    }
  }

  private async waitForFrame(index: number, poll: number, idle: number, signal: AbortSignal | undefined, moveOn: (() => boolean) | undefined): Promise<boolean> {
    let waited = 0;
    for (;;) {
      this.refresh(true);
      if (index < this.count && this.frameIsComplete(index)) return true;
      // The next file of a series ends the wait only once this file's chain has ended: a writer
      // may open the next file before it writes this one's last "next" pointer.
      if (waited >= idle || signal?.aborted || (this.complete && moveOn?.())) return false;
      try {
        await sleep(poll, undefined, signal ? { signal } : undefined);
      } catch {
        return false; // aborted while waiting
      }
      waited += poll;
    }
  }

  private throwTruncated(index: number): never {
    const size = this.source.size();
    throw new TiffError(
      this.source.path,
      'truncated',
      `the file ends (${size} bytes) before frame ${index + 1}; ${this.count} complete frame${this.count === 1 ? '' : 's'} read`,
    );
  }
}

/** The hyperstack sizes an ImageJ description or OME-XML gives, when any is given (OME: above 1). */
function hyperstackOf(imagej: StackDescription | undefined, ome: OmeDescription | undefined): StackMetadata['hyperstack'] {
  if (imagej && (imagej.channels || imagej.slices || imagej.frames)) {
    return { channels: imagej.channels, slices: imagej.slices, frames: imagej.frames, order: 'CZT' };
  }
  if (ome && (ome.sizes.C > 1 || ome.sizes.Z > 1 || ome.sizes.T > 1)) {
    return { channels: ome.sizes.C, slices: ome.sizes.Z, frames: ome.sizes.T, order: ome.order };
  }
  return undefined;
}

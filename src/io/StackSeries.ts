import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Frame } from './Frame.js';
import type { FrameBufferPool } from './FrameBufferPool.js';
import type { OmeDescription } from './parseOme.js';
import { TiffError } from './TiffError.js';
import type { FrameRangeOptions, FrameStack, StackMetadata } from './TiffStack.js';
import { TiffStack } from './TiffStack.js';

/** A run of consecutive frames of a series stored in one file, at consecutive directories. */
interface Segment {
  readonly file: string;
  /** The first frame's directory index in the file. */
  readonly firstIfd: number;
  /** Frames in the run (the last file's grows in follow mode). */
  count: number;
  /** The series index of the run's first frame. */
  readonly start: number;
  /** The UUID the series' metadata gives the file (OME), checked when the file is opened. */
  readonly uuid?: string;
}

/** How a series found its files. */
export type SeriesKind = 'ome' | 'micromanager' | 'folder' | 'list';

/** Files kept open at once (a folder of 10⁵ one-frame files must not hold 10⁵ descriptors). */
const OPEN_FILES = 4;

/** Natural order of names: frame_2 before frame_10. */
const natural = new Intl.Collator('en', { numeric: true }).compare;

/**
 * One stack over many files, with the frame API of {@link TiffStack}: frames numbered across
 * the files in order, random access mapped to the right file, follow mode that moves into the
 * next file when it appears (Micro-Manager rolling over at ~4 GB, a folder being filled). The
 * files: a Micro-Manager OME-TIFF series (the planes its first file's OME-XML lists), files
 * named as Micro-Manager names them (NAME_MMStack_Pos0.ome.tif, NAME_MMStack_Pos0_1.ome.tif, …),
 * a folder of TIFFs in natural order, or a list. Every file must have the first's frame size
 * and sample type. Files are opened when their frames are read, a few at a time.
 */
export class StackSeries implements FrameStack {
  /** The kind of series and its files, in frame order. */
  readonly kind: SeriesKind;
  private readonly segments: Segment[];
  private readonly first: StackMetadata;
  private readonly open = new Map<string, TiffStack>();
  /** The file that comes after the known ones, when it exists (follow mode), else undefined. */
  private readonly nextFile: (() => string | undefined) | undefined;
  private readonly omeSource: string | undefined;

  private constructor(kind: SeriesKind, segments: Segment[], first: StackMetadata, nextFile?: () => string | undefined, omeSource?: string) {
    this.kind = kind;
    this.segments = segments;
    this.first = first;
    this.nextFile = nextFile;
    this.omeSource = omeSource;
  }

  /**
   * A series of files, each holding frames (a folder's TIFFs, a list, Micro-Manager's files by
   * name), in the order given; every file is opened once to count its frames and check it.
   * @param files - the files, in frame order
   * @param kind - how they were found
   * @param nextFile - in follow mode, the file after the known ones if it exists
   * @throws TiffError `mixed-frames` naming the first file of another frame size or sample type
   *   and the series frame it starts at
   */
  static ofFiles(files: readonly string[], kind: SeriesKind, nextFile?: () => string | undefined): StackSeries {
    const segments: Segment[] = [];
    let first: StackMetadata | undefined;
    let start = 0;
    for (const file of files) {
      const stack = TiffStack.open(file);
      try {
        const m = stack.metadata;
        first ??= m;
        checkLike(file, m, first, start);
        segments.push({ file, firstIfd: 0, count: m.frameCount, start });
        start += m.frameCount;
      } finally {
        stack.close();
      }
    }
    if (!first) throw new TiffError(files[0] ?? '', 'no-frames', 'the series has no file');
    return new StackSeries(kind, segments, first, nextFile);
  }

  /**
   * The series an OME-XML lists: its planes in plane order, each in its file (relative to the
   * metadata file) at its IFD. Files present are checked now (their UUID, frame size and sample
   * type); a missing file is an error when its frames are reached, after every frame before it.
   * @param path - the file holding the full OME-XML
   * @param ome - that OME-XML, parsed
   * @param metadata - that file's metadata
   * @throws TiffError naming a file whose UUID is not the one listed or whose frames differ
   */
  static ofOme(path: string, ome: OmeDescription, metadata: StackMetadata): StackSeries {
    const folder = dirname(path);
    const segments: Segment[] = [];
    for (const plane of ome.planes) {
      const file = plane.file === undefined ? path : join(folder, plane.file);
      const last = segments[segments.length - 1];
      if (last && last.file === file && last.firstIfd + last.count === plane.ifd && last.start + last.count === plane.index) {
        last.count++;
      } else {
        segments.push({ file, firstIfd: plane.ifd, count: 1, start: plane.index, uuid: plane.uuid });
      }
    }
    const series = new StackSeries('ome', segments, metadata, undefined, path);
    for (const file of new Set(segments.map((s) => s.file))) {
      if (file === path) continue;
      let stack: TiffStack;
      try {
        stack = TiffStack.open(file);
      } catch (error) {
        if (error instanceof TiffError && error.problem === 'unreadable') continue; // missing: reported when reached
        throw error;
      }
      try {
        const segment = segments.find((s) => s.file === file);
        checkLike(file, stack.metadata, metadata, segment?.start ?? 0);
        const expected = segment?.uuid;
        const actual = stack.ome?.uuid;
        if (expected !== undefined && actual !== undefined && expected !== actual) {
          throw new TiffError(file, 'series', `its UUID ${actual} is not the one ${basename(path)} lists for it (${expected}): a file of another acquisition`);
        }
      } finally {
        stack.close();
      }
    }
    return series;
  }

  /** What the series says about itself: the first file's metadata, the frames of all. */
  get metadata(): StackMetadata {
    const last = this.segments[this.segments.length - 1];
    const files = [...new Set(this.segments.map((s) => s.file))];
    return { ...this.first, path: this.omeSource ?? this.segments[0].file, frameCount: last.start + last.count, complete: this.first.complete, series: { kind: this.kind, files } };
  }

  /**
   * Frame `index` (0-based, across the files).
   * @throws TiffError `out-of-range` past the known frames, `series` for a missing file
   */
  async readFrame(index: number, buffers?: FrameBufferPool): Promise<Frame> {
    const s = this.segmentOf(index);
    if (s < 0) throw new TiffError(this.metadata.path, 'out-of-range', `frame index ${index}, the series has ${this.metadata.frameCount} frames (0-based)`);
    const seg = this.segments[s];
    const frame = await this.stack(seg).readFrame(seg.firstIfd + index - seg.start, buffers);
    return { ...frame, index };
  }

  /**
   * The frames start, start + step, … before end, across the files, as {@link TiffStack.frames}:
   * a file cut off mid-frame, or one missing, ends the frames with a TiffError after every
   * complete frame before it; a frame of another size inside a file is named with its number in
   * the file and in the series. In follow mode the last file is followed until the next one
   * appears, and then that one.
   */
  async *frames(options: FrameRangeOptions = {}): AsyncGenerator<Frame, void, undefined> {
    const start = options.start ?? 0;
    const step = options.step ?? 1;
    const end = options.end ?? Number.POSITIVE_INFINITY;
    const follow = options.follow ?? false;
    let index = start;
    for (let s = Math.max(0, this.segmentOf(start)); ; s++) {
      if (s >= this.segments.length) {
        if (!(follow && this.extend())) return;
      }
      const seg = this.segments[s];
      const last = s === this.segments.length - 1;
      // The first index of the range in this run.
      if (index < seg.start) index = seg.start + ((((start - seg.start) % step) + step) % step);
      if (index >= end) return;
      const following = follow && last;
      if (!following && index >= seg.start + seg.count) continue;
      const localEnd = following ? seg.firstIfd + (end - seg.start) : seg.firstIfd + Math.min(seg.count, end - seg.start);
      const stack = this.stack(seg);
      try {
        for await (const frame of stack.frames({ ...options, start: seg.firstIfd + (index - seg.start), end: localEnd, follow: following, moveOn: following ? () => this.peekNext() !== undefined : undefined })) {
          const at = seg.start + frame.index - seg.firstIfd;
          index = at + step;
          yield { ...frame, index: at };
        }
      } catch (error) {
        // A frame of another size inside a file: say which frame of the series it is too.
        if (error instanceof TiffError && error.problem === 'mixed-frames') {
          throw new TiffError(error.path, error.problem, error.detail.replace(/^its frame (\d+)/, `its frame $1 (frame ${index + 1} of the series)`));
        }
        throw error;
      }
      if (following) seg.count = stack.metadata.frameCount - seg.firstIfd;
      if (options.signal?.aborted) return;
      if (following && this.peekNext() === undefined) return; // the idle timeout ended the wait
    }
  }

  /** Close every file. */
  close(): void {
    for (const stack of this.open.values()) stack.close();
    this.open.clear();
  }

  /** The run holding series index `index`, or −1. */
  private segmentOf(index: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const seg = this.segments[mid];
      if (index < seg.start) hi = mid - 1;
      else if (index >= seg.start + seg.count) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** The open stack of a run's file (opened now if need be; the least recently used closed). */
  private stack(seg: Segment): TiffStack {
    let stack = this.open.get(seg.file);
    if (stack) {
      this.open.delete(seg.file);
      this.open.set(seg.file, stack);
      return stack;
    }
    try {
      stack = TiffStack.open(seg.file);
    } catch (error) {
      if (error instanceof TiffError && error.problem === 'unreadable' && this.omeSource) {
        throw new TiffError(seg.file, 'series', `${basename(this.omeSource)} lists this file for frames ${seg.start + 1}–${seg.start + seg.count}, and it cannot be read (${error.message.split(': ').pop()})`);
      }
      throw error;
    }
    checkLike(seg.file, stack.metadata, this.first, seg.start);
    if (this.open.size >= OPEN_FILES) {
      const [oldest] = this.open.keys();
      this.open.get(oldest)?.close();
      this.open.delete(oldest);
    }
    this.open.set(seg.file, stack);
    return stack;
  }

  /** The file after the known ones, if it exists now. */
  private peekNext(): string | undefined {
    return this.nextFile?.();
  }

  /** Add the next file (follow mode) when it exists; returns whether one was added. */
  private extend(): boolean {
    const file = this.peekNext();
    if (!file) return false;
    const last = this.segments[this.segments.length - 1];
    this.segments.push({ file, firstIfd: 0, count: 0, start: last.start + last.count });
    return true;
  }

  /** The known files (follow mode's view). */
  files(): readonly string[] {
    return this.segments.map((s) => s.file);
  }
}

/**
 * The TIFF files of a folder, in natural order (frame_2 before frame_10).
 * @param folder - the folder
 */
export function tiffFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.tiff?$/i.test(e.name))
    .map((e) => e.name)
    .sort(natural)
    .map((name) => join(folder, name));
}

/**
 * A file of a series must have the first file's frame size and sample type.
 * @param start - the series index (0-based) of the file's first frame in the series
 */
function checkLike(file: string, m: StackMetadata, first: StackMetadata, start: number): void {
  if (m.width !== first.width || m.height !== first.height || m.sampleType !== first.sampleType) {
    throw new TiffError(
      file,
      'mixed-frames',
      `frame ${start + 1} of the series (this file's first) is ${m.width}×${m.height} px ${m.sampleType}, where frame 1 (${basename(first.path)}) is ${first.width}×${first.height} px ${first.sampleType}: every frame of a stack must have one size and sample type`,
    );
  }
}

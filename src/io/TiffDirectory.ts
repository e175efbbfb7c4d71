import type { FileSource } from './FileSource.js';
import { TiffError } from './TiffError.js';

/** Tags this reader uses (TIFF 6.0, BigTIFF). */
export const Tag = {
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Software: 305,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SampleFormat: 339,
} as const;

/** The name of a tag (for messages), or its number. */
export function tagName(tag: number): string {
  for (const [name, value] of Object.entries(Tag)) if (value === tag) return `${name} (${tag})`;
  return `tag ${tag}`;
}

/** Bytes per value of each TIFF field type (0 = unknown type). */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8];

/** Byte order and offset size of a file, from its header. */
export interface TiffFormat {
  littleEndian: boolean;
  bigTiff: boolean;
  /** Offset of the first directory. */
  firstDirectory: number;
}

interface Entry {
  type: number;
  count: number;
  /** Absolute file position of the value bytes (inline values: inside the entry). */
  position: number;
}

/**
 * Read a TIFF header.
 * @throws TiffError `not-tiff` when the bytes are not a TIFF header
 */
export function readTiffFormat(source: FileSource): TiffFormat {
  const head = source.view(0, 16);
  const fail = (why: string) => new TiffError(source.path, 'not-tiff', why);
  if (head.length < 8) throw fail(`only ${head.length} bytes, a TIFF header needs 8`);
  const order = String.fromCharCode(head[0], head[1]);
  if (order !== 'II' && order !== 'MM') throw fail(`starts with bytes ${head[0]} ${head[1]}, not 'II' or 'MM'`);
  const dv = new DataView(head.buffer, head.byteOffset, head.length);
  const littleEndian = order === 'II';
  const magic = dv.getUint16(2, littleEndian);
  if (magic === 42) return { littleEndian, bigTiff: false, firstDirectory: dv.getUint32(4, littleEndian) };
  if (magic === 43) {
    if (head.length < 16) throw new TiffError(source.path, 'truncated', 'BigTIFF header cut short');
    if (dv.getUint16(4, littleEndian) !== 8) throw fail('BigTIFF header with an offset size other than 8');
    return { littleEndian, bigTiff: true, firstDirectory: Number(dv.getBigUint64(8, littleEndian)) };
  }
  throw fail(`version number ${magic}, expected 42 (TIFF) or 43 (BigTIFF)`);
}

/**
 * Where a directory's successor is and how many entries it has, reading as little as possible
 * (for walking a chain of 10⁵ directories without parsing them).
 * @returns the next directory's offset (0 at the end of the chain), or -1 when the directory
 *   lies (partly) beyond the end of the file
 */
export function nextDirectoryOffset(source: FileSource, format: TiffFormat, offset: number): number {
  const countBytes = format.bigTiff ? 8 : 2;
  const head = source.view(offset, countBytes);
  if (head.length < countBytes) return -1;
  const dv = new DataView(head.buffer, head.byteOffset, head.length);
  const count = format.bigTiff ? Number(dv.getBigUint64(0, format.littleEndian)) : dv.getUint16(0, format.littleEndian);
  const entrySize = format.bigTiff ? 20 : 12;
  const at = offset + countBytes + count * entrySize;
  const next = source.view(at, format.bigTiff ? 8 : 4);
  if (next.length < (format.bigTiff ? 8 : 4)) return -1;
  const nv = new DataView(next.buffer, next.byteOffset, next.length);
  return format.bigTiff ? Number(nv.getBigUint64(0, format.littleEndian)) : nv.getUint32(0, format.littleEndian);
}

/**
 * One image file directory (IFD): its entries, with values loaded on demand.
 */
export class TiffDirectory {
  /** File offset of this directory. */
  readonly offset: number;
  /** Offset of the next directory (0 at the end of the chain). */
  readonly next: number;
  private readonly entries = new Map<number, Entry>();
  private readonly source: FileSource;
  private readonly format: TiffFormat;

  /**
   * Parse the directory at `offset`.
   * @throws TiffError `truncated` when it lies beyond the end of the file, `corrupt` for nonsense
   */
  constructor(source: FileSource, format: TiffFormat, offset: number) {
    this.source = source;
    this.format = format;
    this.offset = offset;
    const { bigTiff, littleEndian } = format;
    const countBytes = bigTiff ? 8 : 2;
    const entrySize = bigTiff ? 20 : 12;
    const head = source.view(offset, countBytes);
    if (head.length < countBytes) throw new TiffError(source.path, 'truncated', `directory at byte ${offset} is past the end of the file`);
    const hv = new DataView(head.buffer, head.byteOffset, head.length);
    const count = bigTiff ? Number(hv.getBigUint64(0, littleEndian)) : hv.getUint16(0, littleEndian);
    if (count === 0 || count > 4096) throw new TiffError(source.path, 'corrupt', `directory at byte ${offset} claims ${count} entries`);
    const length = count * entrySize + (bigTiff ? 8 : 4);
    const bytes = source.view(offset + countBytes, length).slice();
    if (bytes.length < length) throw new TiffError(source.path, 'truncated', `directory at byte ${offset} is cut off by the end of the file`);
    const dv = new DataView(bytes.buffer);
    const inlineSize = bigTiff ? 8 : 4;
    for (let e = 0; e < count; e++) {
      const p = e * entrySize;
      const tag = dv.getUint16(p, littleEndian);
      const type = dv.getUint16(p + 2, littleEndian);
      const n = bigTiff ? Number(dv.getBigUint64(p + 4, littleEndian)) : dv.getUint32(p + 4, littleEndian);
      const valueAt = p + (bigTiff ? 12 : 8);
      const size = (TYPE_SIZE[type] ?? 0) * n;
      let position: number;
      if (size <= inlineSize) position = offset + countBytes + valueAt;
      else position = bigTiff ? Number(dv.getBigUint64(valueAt, littleEndian)) : dv.getUint32(valueAt, littleEndian);
      this.entries.set(tag, { type, count: n, position });
    }
    const at = count * entrySize;
    this.next = bigTiff ? Number(dv.getBigUint64(at, littleEndian)) : dv.getUint32(at, littleEndian);
  }

  /** Whether the directory has `tag`. */
  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /**
   * All values of a numeric tag (RATIONAL as numerator/denominator).
   * @returns the values, or undefined when the tag is absent
   */
  numbers(tag: number): number[] | undefined {
    const entry = this.entries.get(tag);
    if (!entry) return undefined;
    const size = TYPE_SIZE[entry.type] ?? 0;
    if (size === 0) throw new TiffError(this.source.path, 'corrupt', `${tagName(tag)} has unknown field type ${entry.type}`);
    this.checkExtent(tag, entry, size);
    const bytes = this.source.view(entry.position, size * entry.count);
    if (bytes.length < size * entry.count) {
      throw new TiffError(this.source.path, 'truncated', `values of ${tagName(tag)} at byte ${entry.position} are past the end of the file`);
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const le = this.format.littleEndian;
    const out = new Array<number>(entry.count);
    for (let i = 0; i < entry.count; i++) {
      const p = i * size;
      switch (entry.type) {
        case 1: case 2: case 7: out[i] = dv.getUint8(p); break;
        case 6: out[i] = dv.getInt8(p); break;
        case 3: out[i] = dv.getUint16(p, le); break;
        case 8: out[i] = dv.getInt16(p, le); break;
        case 4: case 13: out[i] = dv.getUint32(p, le); break;
        case 9: out[i] = dv.getInt32(p, le); break;
        case 5: out[i] = dv.getUint32(p, le) / dv.getUint32(p + 4, le); break;
        case 10: out[i] = dv.getInt32(p, le) / dv.getInt32(p + 4, le); break;
        case 11: out[i] = dv.getFloat32(p, le); break;
        case 12: out[i] = dv.getFloat64(p, le); break;
        case 16: case 18: out[i] = Number(dv.getBigUint64(p, le)); break;
        case 17: out[i] = Number(dv.getBigInt64(p, le)); break;
        default: throw new TiffError(this.source.path, 'corrupt', `${tagName(tag)} has unknown field type ${entry.type}`);
      }
    }
    return out;
  }

  /** The first value of a numeric tag, or `fallback` when absent. */
  number(tag: number, fallback: number): number {
    return this.numbers(tag)?.[0] ?? fallback;
  }

  /** An ASCII tag as a string (trailing NULs removed), or undefined. */
  text(tag: number): string | undefined {
    const entry = this.entries.get(tag);
    if (!entry) return undefined;
    this.checkExtent(tag, entry, 1);
    const bytes = this.source.view(entry.position, entry.count);
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    return Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
  }

  /**
   * Refuse, before anything is allocated for them, values that cannot be in the file: a count
   * or position that a corrupt entry made absurd would otherwise ask for gigabytes.
   */
  private checkExtent(tag: number, entry: Entry, size: number): void {
    const fileSize = this.source.size(entry.position + size * entry.count);
    if (entry.position + size * entry.count > fileSize) {
      throw new TiffError(this.source.path, 'corrupt', `${tagName(tag)} in the directory at byte ${this.offset} lists ${entry.count} values at byte ${entry.position}, beyond the end of the file (${fileSize} bytes)`);
    }
  }
}

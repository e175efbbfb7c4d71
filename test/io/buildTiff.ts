/**
 * Byte-level TIFF builder for tests: the layouts the project's writer does not produce
 * (big-endian, LZW, Deflate, tiles, several strips, predictors, ImageJ's raw >4 GB layout, OME
 * descriptions, other sample types), assembled tag by tag so every variant is known exactly.
 */
import { deflateSync } from 'node:zlib';

export type TestSampleType = 'uint8' | 'uint16' | 'int16' | 'uint32' | 'float32';

export interface BuildOptions {
  width: number;
  height: number;
  sampleType: TestSampleType;
  littleEndian?: boolean;
  bigTiff?: boolean;
  /** 1 none, 5 LZW, 8 Deflate. */
  compression?: 1 | 5 | 8;
  /** 1 none, 2 horizontal differencing. */
  predictor?: 1 | 2;
  /** Strips of this many rows (default: one strip per frame). */
  rowsPerStrip?: number;
  /** Tiles of this size instead of strips (multiples of 16 per the spec; any size works here). */
  tile?: { width: number; height: number };
  /** ImageDescription of the first directory. */
  description?: string;
  /** Only the first directory, frames back to back after its pixel data (ImageJ > 4 GB layout). */
  singleDirectory?: boolean;
  /** Extra tags for every directory: [tag, type, values]. */
  extraTags?: [number, number, number[]][];
  /** Bytes of padding placed before the first directory (to push offsets up). */
  padding?: number;
}

const BITS: Record<TestSampleType, number> = { uint8: 8, uint16: 16, int16: 16, uint32: 32, float32: 32 };
const FORMAT: Record<TestSampleType, number> = { uint8: 1, uint16: 1, int16: 2, uint32: 1, float32: 3 };

/** Encode samples (numbers) in a byte order. */
export function encodeSamples(values: ArrayLike<number>, type: TestSampleType, littleEndian: boolean): Uint8Array {
  const size = BITS[type] / 8;
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    switch (type) {
      case 'uint8': dv.setUint8(i, v); break;
      case 'uint16': dv.setUint16(2 * i, v, littleEndian); break;
      case 'int16': dv.setInt16(2 * i, v, littleEndian); break;
      case 'uint32': dv.setUint32(4 * i, v, littleEndian); break;
      case 'float32': dv.setFloat32(4 * i, v, littleEndian); break;
    }
  }
  return out;
}

/** Horizontal differencing of each row of a block (values, not bytes), wrapping like the type. */
function differenceRows(values: number[], width: number, type: TestSampleType): number[] {
  const modulus = 2 ** BITS[type];
  const out = values.slice();
  for (let i = values.length - 1; i >= 0; i--) {
    if (i % width === 0) continue;
    let d = values[i] - values[i - 1];
    if (type === 'int16') d = ((d + 32768) % 65536 + 65536) % 65536 - 32768;
    else d = ((d % modulus) + modulus) % modulus;
    out[i] = d;
  }
  return out;
}

/** TIFF LZW (MSB-first codes, 9–12 bits, early change), the variant readers expect. */
export function lzwEncode(data: Uint8Array): Uint8Array {
  const bytes: number[] = [];
  let bitBuffer = 0;
  let bitCount = 0;
  let width = 9;
  const put = (code: number) => {
    bitBuffer = (bitBuffer << width) | code;
    bitCount += width;
    while (bitCount >= 8) {
      bytes.push((bitBuffer >>> (bitCount - 8)) & 0xff);
      bitCount -= 8;
    }
    bitBuffer &= (1 << bitCount) - 1;
  };
  let table = new Map<number, number>();
  let next = 258;
  put(256);
  if (data.length === 0) {
    put(257);
  } else {
    let prefix = data[0];
    for (let i = 1; i < data.length; i++) {
      const key = prefix * 256 + data[i];
      const known = table.get(key);
      if (known !== undefined) {
        prefix = known;
        continue;
      }
      put(prefix);
      table.set(key, next++);
      if (next >= 1 << width) width++;
      if (next >= 4093) {
        put(256);
        table = new Map();
        next = 258;
        width = 9;
      }
      prefix = data[i];
    }
    put(prefix);
    if (next + 1 >= 1 << width) width++;
    put(257);
  }
  if (bitCount > 0) bytes.push((bitBuffer << (8 - bitCount)) & 0xff);
  return Uint8Array.from(bytes);
}

interface Tag {
  tag: number;
  type: number;
  values: number[] | Uint8Array;
}

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 16: 8 };

/** Build a whole TIFF file of the given frames (each width·height numbers, row-major). */
export function buildTiff(frames: number[][], options: BuildOptions): Uint8Array {
  const le = options.littleEndian ?? true;
  const big = options.bigTiff ?? false;
  const { width, height, sampleType } = options;
  const compression = options.compression ?? 1;
  const predictor = options.predictor ?? 1;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const append = (bytes: Uint8Array) => {
    const at = size;
    chunks.push(bytes);
    size += bytes.length;
    if (size % 2) {
      chunks.push(new Uint8Array(1));
      size++;
    }
    return at;
  };
  const header = new Uint8Array(big ? 16 : 8);
  const hv = new DataView(header.buffer);
  header[0] = header[1] = le ? 0x49 : 0x4d;
  hv.setUint16(2, big ? 43 : 42, le);
  if (big) hv.setUint16(4, 8, le);
  append(header);
  if (options.padding) append(new Uint8Array(options.padding));

  // Pixel blocks of every frame first (all directories go after them).
  const blocksOf = (frame: number[]) => {
    const out: Uint8Array[] = [];
    const blockW = options.tile ? options.tile.width : width;
    const blockH = options.tile ? options.tile.height : options.rowsPerStrip ?? height;
    const across = Math.ceil(width / blockW);
    const down = Math.ceil(height / blockH);
    for (let by = 0; by < down; by++) {
      for (let bx = 0; bx < across; bx++) {
        const values: number[] = [];
        const rows = options.tile ? blockH : Math.min(blockH, height - by * blockH);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < blockW; c++) {
            const row = by * blockH + r;
            const column = bx * blockW + c;
            if (!options.tile && column >= width) continue;
            values.push(row < height && column < width ? frame[row * width + column] : 0);
          }
        }
        const raw = encodeSamples(predictor === 2 ? differenceRows(values, blockW, sampleType) : values, sampleType, le);
        out.push(compression === 8 ? new Uint8Array(deflateSync(raw)) : compression === 5 ? lzwEncode(raw) : raw);
      }
    }
    return out;
  };
  const frameBlocks: { offsets: number[]; counts: number[] }[] = [];
  for (const frame of frames) {
    const blocks = blocksOf(frame);
    const offsets: number[] = [];
    const counts: number[] = [];
    for (const b of blocks) {
      offsets.push(append(b));
      counts.push(b.length);
    }
    frameBlocks.push({ offsets, counts });
  }

  const directories = options.singleDirectory ? 1 : frames.length;
  const offsetType = big ? 16 : 4;
  const directoryAt: number[] = [];
  const patchNext: { at: number; chunk: Uint8Array; pos: number }[] = [];
  for (let f = 0; f < directories; f++) {
    const tags: Tag[] = [
      { tag: 256, type: 4, values: [width] },
      { tag: 257, type: 4, values: [height] },
      { tag: 258, type: 3, values: [BITS[sampleType]] },
      { tag: 259, type: 3, values: [compression] },
      { tag: 262, type: 3, values: [1] },
      { tag: 277, type: 3, values: [1] },
      { tag: 339, type: 3, values: [FORMAT[sampleType]] },
    ];
    if (predictor !== 1) tags.push({ tag: 317, type: 3, values: [predictor] });
    if (f === 0 && options.description !== undefined) tags.push({ tag: 270, type: 2, values: new TextEncoder().encode(`${options.description}\0`) });
    if (options.tile) {
      tags.push({ tag: 322, type: 4, values: [options.tile.width] });
      tags.push({ tag: 323, type: 4, values: [options.tile.height] });
      tags.push({ tag: 324, type: offsetType, values: frameBlocks[f].offsets });
      tags.push({ tag: 325, type: offsetType, values: frameBlocks[f].counts });
    } else {
      tags.push({ tag: 273, type: offsetType, values: frameBlocks[f].offsets });
      tags.push({ tag: 278, type: 4, values: [options.rowsPerStrip ?? height] });
      tags.push({ tag: 279, type: offsetType, values: frameBlocks[f].counts });
    }
    for (const [tag, type, values] of options.extraTags ?? []) tags.push({ tag, type, values });
    tags.sort((a, b) => a.tag - b.tag);
    // Out-of-line values first, then the directory pointing at them.
    const inline = big ? 8 : 4;
    const valueBytes = (t: Tag) => {
      const count = t.values.length / (t.type === 5 ? 2 : 1);
      const bytes = new Uint8Array(count * TYPE_SIZE[t.type]);
      const dv = new DataView(bytes.buffer);
      if (t.values instanceof Uint8Array) bytes.set(t.values);
      else {
        t.values.forEach((v, i) => {
          if (t.type === 3) dv.setUint16(2 * i, v, le);
          else if (t.type === 4 || t.type === 5) dv.setUint32(4 * i, v, le);
          else if (t.type === 16) dv.setBigUint64(8 * i, BigInt(v), le);
          else dv.setUint8(i, v);
        });
      }
      return { bytes, count };
    };
    const placed = tags.map((t) => {
      const { bytes, count } = valueBytes(t);
      return { t, bytes, count, at: bytes.length > inline ? append(bytes) : -1 };
    });
    const entrySize = big ? 20 : 12;
    const ifd = new Uint8Array((big ? 8 : 2) + placed.length * entrySize + (big ? 8 : 4));
    const dv = new DataView(ifd.buffer);
    if (big) dv.setBigUint64(0, BigInt(placed.length), le);
    else dv.setUint16(0, placed.length, le);
    placed.forEach((p, k) => {
      const e = (big ? 8 : 2) + k * entrySize;
      dv.setUint16(e, p.t.tag, le);
      dv.setUint16(e + 2, p.t.type, le);
      if (big) dv.setBigUint64(e + 4, BigInt(p.count), le);
      else dv.setUint32(e + 4, p.count, le);
      const v = e + (big ? 12 : 8);
      if (p.at >= 0) {
        if (big) dv.setBigUint64(v, BigInt(p.at), le);
        else dv.setUint32(v, p.at, le);
      } else {
        ifd.set(p.bytes, v);
      }
    });
    const at = append(ifd);
    directoryAt.push(at);
    patchNext.push({ at, chunk: ifd, pos: ifd.length - (big ? 8 : 4) });
  }
  // Link the chain: header → first directory → … → 0.
  if (big) hv.setBigUint64(8, BigInt(directoryAt[0]), le);
  else hv.setUint32(4, directoryAt[0], le);
  for (let f = 0; f + 1 < directories; f++) {
    const { chunk, pos } = patchNext[f];
    const dv = new DataView(chunk.buffer);
    if (big) dv.setBigUint64(pos, BigInt(directoryAt[f + 1]), le);
    else dv.setUint32(pos, directoryAt[f + 1], le);
  }
  const out = new Uint8Array(size);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/**
 * A copy of a classic little-endian TIFF whose last directory's "next" pointer runs `past` bytes
 * past the end of the file (a writer that linked a directory it never wrote, or a cut file).
 */
export function withDanglingLastPointer(bytes: Uint8Array, past = 4096): Uint8Array {
  const out = Uint8Array.from(bytes);
  const dv = new DataView(out.buffer);
  let pointerAt = 4;
  for (let next = dv.getUint32(4, true); next !== 0; next = dv.getUint32(pointerAt, true)) {
    pointerAt = next + 2 + 12 * dv.getUint16(next, true);
  }
  dv.setUint32(pointerAt, out.length + past, true);
  return out;
}

/**
 * A copy of a classic little-endian TIFF with one inline value of directory `directory` (0-based)
 * changed: e.g. ImageWidth (256) of the third frame, to make a frame of another size.
 */
export function withEntry(bytes: Uint8Array, directory: number, tag: number, value: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const dv = new DataView(out.buffer);
  let at = dv.getUint32(4, true);
  for (let d = 0; d < directory; d++) at = dv.getUint32(at + 2 + 12 * dv.getUint16(at, true), true);
  for (let e = 0; e < dv.getUint16(at, true); e++) {
    const p = at + 2 + 12 * e;
    if (dv.getUint16(p, true) !== tag) continue;
    if (dv.getUint16(p + 2, true) === 3) dv.setUint16(p + 8, value, true);
    else dv.setUint32(p + 8, value, true);
    return out;
  }
  throw new Error(`tag ${tag} not in directory ${directory}`);
}

import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { createLocalizationBatch } from '../table/LocalizationBatch.js';

/** The batch's array columns, in one fixed order (the order createLocalizationBatch gives them). */
const COLUMNS = (Object.keys(createLocalizationBatch(1, 0)) as (keyof LocalizationBatch)[]).filter((k) => ArrayBuffer.isView(createLocalizationBatch(1, 0)[k]));
/** The 3-D columns, present in every batch of a 3-D run. */
const DEPTH_COLUMNS = ['z', 'uncertaintyZ', 'sigma1', 'sigma2'] as const;
/** First word of an encoding: the format, so that a worker of another version is refused. */
const MAGIC = 0x534d4c32; // "SML2"

/**
 * Several frames' batches as one binary buffer (a chunk's result on the queue): a header of
 * 32-bit words (format, number of batches, 1 when they carry the 3-D columns, then each batch's
 * frame and count), then each column of all batches end to end, each column starting on an
 * 8-byte boundary. Exactly what
 * {@link decodeBatches} reads back: the values are the bytes, so nothing is rounded.
 * @param batches - batches in frame order
 */
export function encodeBatches(batches: readonly LocalizationBatch[]): Buffer {
  const depth = batches.length > 0 && batches.every((b) => b.z !== undefined);
  const header = new Uint32Array(3 + 2 * batches.length);
  header[0] = MAGIC;
  header[1] = batches.length;
  header[2] = depth ? 1 : 0;
  batches.forEach((b, i) => {
    header[3 + 2 * i] = b.frame;
    header[4 + 2 * i] = b.count;
  });
  const parts: Buffer[] = [pad(Buffer.from(header.buffer))];
  for (const key of depth ? [...COLUMNS, ...DEPTH_COLUMNS] : COLUMNS) {
    const arrays = batches.map((b) => b[key] as ArrayBufferView);
    parts.push(pad(Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)))));
  }
  return Buffer.concat(parts);
}

/**
 * The batches of {@link encodeBatches}.
 * @throws Error when the buffer is not such an encoding (another format, cut short)
 */
export function decodeBatches(buffer: Buffer): LocalizationBatch[] {
  const word = (i: number) => buffer.readUInt32LE(4 * i);
  if (buffer.length < 12 || word(0) !== MAGIC) throw new Error('not a chunk result of this version of smlm-stream');
  const n = word(1);
  if (buffer.length < 12 + 8 * n) throw new Error('chunk result cut short');
  const depth = word(2) === 1;
  const batches: LocalizationBatch[] = Array.from({ length: n }, (_, i) => {
    const count = word(4 + 2 * i);
    const b = createLocalizationBatch(word(3 + 2 * i), count);
    return depth ? { ...b, z: new Float64Array(count), uncertaintyZ: new Float64Array(count), sigma1: new Float64Array(count), sigma2: new Float64Array(count) } : b;
  });
  let at = align(12 + 8 * n);
  for (const key of depth ? [...COLUMNS, ...DEPTH_COLUMNS] : COLUMNS) {
    for (const b of batches) {
      const target = b[key] as unknown as Uint8Array;
      const bytes = target.byteLength;
      if (at + bytes > buffer.length) throw new Error('chunk result cut short');
      new Uint8Array(target.buffer, target.byteOffset, bytes).set(buffer.subarray(at, at + bytes));
      at += bytes;
    }
    at = align(at);
  }
  return batches;
}

function align(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function pad(b: Buffer): Buffer {
  const n = align(b.length);
  return n === b.length ? b : Buffer.concat([b, Buffer.alloc(n - b.length)]);
}

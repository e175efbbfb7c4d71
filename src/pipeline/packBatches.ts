import type { LocalizationBatch } from '../table/LocalizationBatch.js';

/**
 * A chunk's batches with every array in one buffer (views at 8-byte aligned offsets), so that a
 * chunk crosses to the main thread as one transferred buffer, not 14 per frame: at 256² that
 * was 140 000 ArrayBuffers for 10 000 frames, each with its own backing store for the garbage
 * collectors of both threads to track and free.
 * @param batches - the chunk's batches, in frame order
 * @returns the packed batches (same fields, same values) and their one buffer
 */
export function packBatches(batches: readonly LocalizationBatch[]): { batches: LocalizationBatch[]; buffer: ArrayBuffer } {
  let bytes = 0;
  for (const batch of batches) for (const value of Object.values(batch)) if (ArrayBuffer.isView(value)) bytes += align8(value.byteLength);
  const buffer = new ArrayBuffer(bytes);
  let at = 0;
  const packed = batches.map((batch) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(batch)) {
      if (!ArrayBuffer.isView(value)) {
        out[key] = value;
        continue;
      }
      const array = value as Float64Array | Uint16Array | Uint8Array;
      const Kind = array.constructor as Float64ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor;
      const view = new Kind(buffer, at, array.length);
      view.set(array as never);
      out[key] = view;
      at += align8(array.byteLength);
    }
    return out as unknown as LocalizationBatch;
  });
  return { batches: packed, buffer };
}

function align8(bytes: number): number {
  return (bytes + 7) & ~7;
}

import type { Frame, PixelArray } from '../io/Frame.js';
import type { SlotChunk } from './FrameSlots.js';
import { PIXEL_ARRAYS } from './FrameSlots.js';

/**
 * The worker's side of {@link FrameSlots}: the slots it was sent, and the frames of a chunk
 * as views on them.
 */
export class SlotViews {
  private readonly slots = new Map<number, SharedArrayBuffer>();

  /** The chunk's frames, their pixels viewed in the shared slots (the chunk's new slots kept). */
  frames(chunk: SlotChunk): Frame[] {
    for (const [id, buffer] of chunk.slots) this.slots.set(id, buffer);
    return chunk.frames.map((f) => {
      const buffer = this.slots.get(f.slot);
      if (!buffer) throw new Error(`localizer worker: frame ${f.frame.index + 1} in slot ${f.slot}, never sent`);
      const Kind = PIXEL_ARRAYS[f.kind];
      return { ...f.frame, data: new Kind(buffer as unknown as ArrayBuffer, f.byteOffset, f.length) as PixelArray } as Frame;
    });
  }
}

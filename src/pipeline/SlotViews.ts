import type { Frame } from '../io/Frame.js';
import { pixelArray } from '../io/Frame.js';
import type { SlotChunk } from './FrameSlots.js';

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
      return { ...f.frame, data: pixelArray(f.kind, buffer, f.byteOffset, f.length) } as Frame;
    });
  }
}

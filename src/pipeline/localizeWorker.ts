/**
 * Worker-thread side of {@link LocalizerPool}: one FrameLocalizer per worker; each message is a
 * chunk of consecutive frames (pixels in shared slots, or buffers transferred in), answered with their batches (their
 * arrays in one transferred buffer: {@link packBatches}), the chunk's counters, and the pixel and
 * background buffers (transferred back for reuse).
 */
import { parentPort } from 'node:worker_threads';
import { FrameLocalizer } from './FrameLocalizer.js';
import type { ResolvedLocalizeOptions } from './LocalizeOptions.js';
import type { SlotChunk } from './FrameSlots.js';
import { SlotViews } from './SlotViews.js';
import { packBatches } from './packBatches.js';
import type { BackgroundFrame } from './TemporalMedian.js';

/** Messages to a worker. */
export type WorkerRequest =
  | { type: 'init'; options: ResolvedLocalizeOptions }
  | { type: 'chunk'; id: number; frames: BackgroundFrame[] }
  /** A chunk whose pixels lie in shared slots ({@link FrameSlots}): nothing of them goes back. */
  | { type: 'chunk'; id: number; slots: SlotChunk };

const port = parentPort;
if (port) {
  let localizer: FrameLocalizer | undefined;
  const views = new SlotViews();
  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'init') {
      localizer = new FrameLocalizer(message.options);
      return;
    }
    try {
      if (!localizer) throw new Error('localizer worker: chunk before init');
      const frames: BackgroundFrame[] = 'slots' in message ? views.frames(message.slots) : message.frames;
      const { batches, buffer } = packBatches(frames.map((frame) => (localizer as FrameLocalizer).process(frame)));
      const stats = localizer.takeStats();
      // Transferred pixel buffers go back too, for the reader to reuse (shared slots stay where they are).
      const buffers = 'slots' in message ? [] : frames.map((frame) => frame.data.buffer as ArrayBuffer);
      const backgrounds = frames.flatMap((frame) => (frame.background ? [frame.background.buffer as ArrayBuffer] : []));
      port.postMessage({ type: 'done', id: message.id, batches, stats, buffers, backgrounds }, [buffer, ...buffers, ...backgrounds]);
    } catch (error) {
      port.postMessage({ type: 'error', id: message.id, message: (error as Error).message, name: (error as Error).name });
    }
  });
}

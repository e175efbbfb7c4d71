/**
 * Worker-thread side of {@link LocalizerPool}: one FrameLocalizer per worker; each message is a
 * chunk of consecutive frames (pixel buffers transferred in), answered with their batches (arrays
 * transferred out), the chunk's counters, and the pixel and background buffers (transferred back
 * for reuse).
 */
import { parentPort } from 'node:worker_threads';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { FrameLocalizer } from './FrameLocalizer.js';
import type { ResolvedLocalizeOptions } from './LocalizeOptions.js';
import type { BackgroundFrame } from './TemporalMedian.js';

/** Messages to a worker. */
export type WorkerRequest = { type: 'init'; options: ResolvedLocalizeOptions } | { type: 'chunk'; id: number; frames: BackgroundFrame[] };

/** Transferable buffers of a batch. */
function batchBuffers(batch: LocalizationBatch): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const value of Object.values(batch)) if (ArrayBuffer.isView(value)) out.push(value.buffer as ArrayBuffer);
  return out;
}

const port = parentPort;
if (port) {
  let localizer: FrameLocalizer | undefined;
  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'init') {
      localizer = new FrameLocalizer(message.options);
      return;
    }
    try {
      if (!localizer) throw new Error('localizer worker: chunk before init');
      const batches = message.frames.map((frame) => (localizer as FrameLocalizer).process(frame));
      const stats = localizer.takeStats();
      // The frames' pixel buffers go back too, for the reader to reuse.
      const buffers = message.frames.map((frame) => frame.data.buffer as ArrayBuffer);
      const backgrounds = message.frames.flatMap((frame) => (frame.background ? [frame.background.buffer as ArrayBuffer] : []));
      port.postMessage({ type: 'done', id: message.id, batches, stats, buffers, backgrounds }, [...batches.flatMap(batchBuffers), ...buffers, ...backgrounds]);
    } catch (error) {
      port.postMessage({ type: 'error', id: message.id, message: (error as Error).message, name: (error as Error).name });
    }
  });
}

import { availableParallelism } from 'node:os';
import type { Frame } from '../io/Frame.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { FrameLocalizer } from './FrameLocalizer.js';
import type { ChunkResult } from './LocalizerPool.js';
import { LocalizerPool } from './LocalizerPool.js';
import type { ResolvedLocalizeOptions } from './LocalizeOptions.js';
import type { LocalizeStats } from './LocalizeStats.js';
import { addLocalizeStats, createLocalizeStats } from './LocalizeStats.js';

/** Options of {@link localizeStream}. */
export interface StreamOptions {
  /** Worker threads; 1 keeps everything on the calling thread. @default available cores */
  workers?: number;
  /** Most frames read but not yet handed to the consumer. @default 2 · chunkFrames · workers */
  maxFramesInFlight?: number;
  /** Counters of the run, added to as frames complete. */
  stats?: LocalizeStats;
  /**
   * Called with each frame's pixel buffer once the frame is localized (e.g. a
   * `FrameBufferPool`'s `give`, so the reader reuses it). @default buffers are left to the GC
   */
  recycle?: (buffer: ArrayBuffer) => void;
}

/** The default worker count: the cores available to this process. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * Localize frames as a pull-based stream: an async generator of per-frame batches, in frame
 * order, that reads the next frames only as the consumer takes batches. The number of frames in
 * flight (read, not yet consumed) is bounded whatever the consumer's speed — a slow consumer
 * slows reading down and nothing is dropped (RxJS has no request(n); this is the place that
 * bounds memory).
 *
 * With one worker, frames are localized on the calling thread. With more, chunks of
 * `chunkFrames` consecutive frames go to a {@link LocalizerPool}; results are reordered into
 * frame order. Warm starts restart at every chunk boundary in both modes, so the batches do not
 * depend on the worker count.
 *
 * @param frames - frames in order (e.g. `TiffStack.frames()`)
 * @param options - resolved pipeline options
 * @param stream - workers, in-flight bound, stats sink
 */
export async function* localizeStream(
  frames: AsyncIterable<Frame>,
  options: ResolvedLocalizeOptions,
  stream: StreamOptions = {},
): AsyncGenerator<LocalizationBatch, void, undefined> {
  const workers = stream.workers ?? defaultWorkers();
  const stats = stream.stats ?? createLocalizeStats();
  if (workers <= 1) {
    const localizer = new FrameLocalizer(options);
    for await (const frame of frames) {
      const batch = localizer.process(frame);
      addLocalizeStats(stats, localizer.takeStats());
      stream.recycle?.(frame.data.buffer as ArrayBuffer);
      yield batch;
    }
    return;
  }
  const chunk = options.chunkFrames;
  const limit = stream.maxFramesInFlight ?? 2 * chunk * workers;
  const pool = new LocalizerPool(options, workers);
  const queue: { frames: number; result: Promise<ChunkResult> }[] = [];
  let inFlight = 0;
  let current: Frame[] = [];
  const dispatch = () => {
    const result = pool.submit(current);
    // Avoid an unhandled rejection before the consumer awaits it; the error is rethrown there.
    result.catch(() => undefined);
    queue.push({ frames: current.length, result });
    inFlight += current.length;
    current = [];
  };
  const finish = (done: ChunkResult) => {
    addLocalizeStats(stats, done.stats);
    if (stream.recycle) for (const buffer of done.buffers) stream.recycle(buffer);
  };
  let readError: unknown;
  try {
    try {
      for await (const frame of frames) {
        if (current.length > 0 && Math.floor(frame.index / chunk) !== Math.floor(current[0].index / chunk)) dispatch();
        current.push(frame);
        if (current.length >= chunk) dispatch();
        while (inFlight >= limit && queue.length > 0) {
          const head = queue.shift() as (typeof queue)[number];
          const done = await head.result;
          inFlight -= head.frames;
          finish(done);
          yield* done.batches;
        }
      }
    } catch (error) {
      // A read error (e.g. a truncated stack): first deliver every frame read before it.
      readError = error;
    }
    if (current.length > 0) dispatch();
    while (queue.length > 0) {
      const head = queue.shift() as (typeof queue)[number];
      const done = await head.result;
      finish(done);
      yield* done.batches;
    }
    if (readError !== undefined) throw readError;
  } finally {
    await pool.close();
  }
}

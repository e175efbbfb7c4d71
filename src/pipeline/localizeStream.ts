import { availableParallelism } from 'node:os';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { Frame } from '../io/Frame.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { FrameLocalizer } from './FrameLocalizer.js';
import type { ChunkResult, PoolCounters } from './LocalizerPool.js';
import { LocalizerPool } from './LocalizerPool.js';
import type { ResolvedLocalizeOptions } from './LocalizeOptions.js';
import type { LocalizeStats } from './LocalizeStats.js';
import { addLocalizeStats, createLocalizeStats } from './LocalizeStats.js';
import type { BackgroundFrame } from './TemporalMedian.js';
import { withBackground } from './withBackground.js';

/** Options of {@link localizeStream}. */
export interface StreamOptions {
  /** Worker threads; 1 keeps everything on the calling thread (at most the cores, see
   *  {@link chooseWorkers}). @default 1: the caller knows the run's length, this stream does not */
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
  /** With workers: filled with the pool's counters at the end (chunks per worker, most bytes in flight). */
  pool?: PoolCounters;
  /**
   * With workers: a pool started earlier without options (its workers loading their code while
   * the caller estimated the settings), of `workers` workers; the stream gives it the options
   * and closes it at the end. @default a pool started here
   */
  started?: LocalizerPool;
}

/** The default worker count: the cores available to this process. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** By default, a run gets at most one worker per this many chunks of frames (see {@link chooseWorkers}). */
export const CHUNKS_PER_WORKER = 8;

/** A worker count chosen for a run, and why it differs from the one asked for. */
export interface WorkerChoice {
  readonly workers: number;
  /** Set when fewer workers than asked for will run (more than the cores or the chunks). */
  readonly warning?: string;
}

/**
 * The workers for a run of `frames` frames (undefined: a live run of unknown length). Asked
 * for: at most the cores (more only compete for them: 1000 workers took 57 s and 9.7 GB for 20
 * frames) and at most one per chunk. Default: one thread for live runs (frames arrive at the
 * camera's pace, and a chunk would wait for 64 of them before a worker saw it) and short
 * stacks — workers start in ~0.15 s and warm up their compiled code separately, so two workers
 * beat one thread only from ~1000 frames (measured, 256×256: 512 frames 0.82–0.94 s vs
 * 0.65–0.82 s on one thread; 2048 frames 1.68–1.85 s vs 2.25–2.41 s): at most one worker per
 * 8 chunks (a chunk holds ~4.2 Mpx by default: 512 frames of 256², 32 of 1024²; see
 * `defaultChunkFrames`); otherwise every core.
 *
 * @param asked - the caller's count, if any
 * @param frames - frames in the run, undefined when unknown
 * @param chunkFrames - frames per chunk
 * @throws InvalidOptionError when `asked` is not a whole number ≥ 1
 */
export function chooseWorkers(asked: number | undefined, frames: number | undefined, chunkFrames: number): WorkerChoice {
  const cores = defaultWorkers();
  if (asked === undefined) {
    return { workers: frames === undefined ? 1 : Math.min(cores, Math.max(1, Math.floor(frames / (CHUNKS_PER_WORKER * chunkFrames)))) };
  }
  if (!(Number.isInteger(asked) && asked >= 1)) throw new InvalidOptionError(`workers must be a whole number ≥ 1, got ${asked}`, 'workers');
  const chunks = frames === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.ceil(frames / chunkFrames));
  const workers = Math.min(asked, cores, chunks);
  if (workers === asked) return { workers };
  const why = asked > cores ? `this machine has ${cores} core${cores === 1 ? '' : 's'}` : `the run has ${chunks} chunk${chunks === 1 ? '' : 's'} of ${chunkFrames} frames`;
  return { workers, warning: `${asked} workers asked for, but ${why}: using ${workers}` };
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
 * depend on the worker count. A temporal-median background is computed here, on the frames in
 * order, before they are localized (so it does not depend on the worker count either).
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
  const choice = chooseWorkers(stream.workers, undefined, options.chunkFrames);
  const workers = choice.workers;
  // The temporal median runs here, on the frames in order, whatever the workers.
  const source = withBackground(frames, options.background);
  const stats = stream.stats ?? createLocalizeStats();
  if (stream.started && stream.started.size !== workers) {
    await stream.started.close();
    throw new Error(`localizeStream: a started pool of ${stream.started.size} workers for ${workers}`);
  }
  if (workers <= 1) {
    await stream.started?.close(); // one thread: a started pool has nothing to do
    const localizer = new FrameLocalizer(options);
    for await (const frame of source.frames) {
      const batch = localizer.process(frame);
      addLocalizeStats(stats, localizer.takeStats());
      stream.recycle?.(frame.data.buffer as ArrayBuffer);
      if (frame.background) source.give(frame.background);
      yield batch;
    }
    return;
  }
  const chunk = options.chunkFrames;
  const limit = stream.maxFramesInFlight ?? 2 * chunk * workers;
  const pool = stream.started ?? new LocalizerPool(undefined, workers);
  try {
    pool.init(options);
  } catch (error) {
    await pool.close();
    throw error;
  }
  const queue: { frames: number; result: Promise<ChunkResult> }[] = [];
  let inFlight = 0;
  let current: BackgroundFrame[] = [];
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
    for (const frame of done.shared) pool.slots.release(frame, stream.recycle);
    for (const buffer of done.backgrounds) source.give(new Float32Array(buffer));
  };
  let readError: unknown;
  try {
    try {
      for await (const frame of source.frames) {
        if (current.length > 0 && Math.floor(frame.index / chunk) !== Math.floor(current[0].index / chunk)) dispatch();
        // The pixels in a shared slot (a copy when the reader's buffer is not one): they cross by number.
        current.push(pool.slots.share(frame, stream.recycle));
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
    if (stream.pool) Object.assign(stream.pool, pool.counters);
    await pool.close();
  }
}

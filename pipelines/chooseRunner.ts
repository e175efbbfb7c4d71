import type { QueueAddress } from '../src/cluster/parseQueueUrl.js';
import type { Frame } from '../src/io/Frame.js';
import { FrameBufferPool } from '../src/io/FrameBufferPool.js';
import type { LocalizeOptions, ResolvedLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { defaultChunkFrames } from '../src/pipeline/LocalizeOptions.js';
import { FrameSlots } from '../src/pipeline/FrameSlots.js';
import { LocalizerPool } from '../src/pipeline/LocalizerPool.js';
import type { LocalizeStats } from '../src/pipeline/LocalizeStats.js';
import { chooseWorkers, localizeStream } from '../src/pipeline/localizeStream.js';
import type { LocalizationBatch } from '../src/table/LocalizationBatch.js';
import type { OpenedRun } from './openRun.js';

/** What a runner needs to stream a run's batches. */
export interface RunnerStream {
  /** The frames to localize on this machine (read only when the run is not on a queue). */
  readonly frames: () => AsyncIterable<Frame>;
  /** Counters of the run, added to as frames complete. */
  readonly stats: LocalizeStats;
  /** Called with each frame's pixel buffer once the frame is localized. */
  readonly recycle?: (buffer: ArrayBuffer) => void;
  /** On a queue: the output's key (a new submission for it supersedes an earlier one). */
  readonly output: string;
  /** On a queue: the options as the user gave them (workers resolve them again and must agree). */
  readonly options: LocalizeOptions;
  /** On a queue: the workers that returned chunks (host:pid), added to as they do. */
  readonly queueWorkers: Set<string>;
  readonly signal?: AbortSignal;
  /** On a queue: called once the last batch of a job has been taken. */
  readonly onJobWritten?: () => void;
  /**
   * On this machine's workers: a pool of {@link Runner.workers} workers started early
   * ({@link startWorkersEarly}), which the stream takes over (and closes).
   */
  readonly started?: LocalizerPool;
}

/** Where a run's frames are localized: on this machine's threads, or on a queue's workers. */
export interface Runner {
  /** Worker threads on this machine (see {@link chooseWorkers}). */
  readonly workers: number;
  /** The queue, when the run is localized on one. */
  readonly address: QueueAddress | undefined;
  /** The run's batches, in frame order (each call starts a new stream). */
  batches(stream: RunnerStream): AsyncIterable<LocalizationBatch>;
  /**
   * A buffer pool for the run's reader (its `recycle` given back to it): with worker threads on
   * this machine, shared buffers, whose frames cross to the workers by number (FrameSlots: no
   * copy, no transfer); otherwise plain ones. A path read into plain buffers with workers had each
   * frame copied into a slot of the stream's own.
   */
  readerBuffers(): FrameBufferPool;
  /** Let go of a queue connection that no stream has taken over (again is harmless). */
  close(): void;
}

/**
 * Choose where a run is localized: the worker threads for its frames ({@link chooseWorkers},
 * its warning told at once), and, when the run names a queue, a connection to it. A queue that
 * cannot be reached is an error here, before anything is written; its client (BullMQ, ioredis)
 * is loaded only when a run uses one.
 *
 * @param opened - the run's stack, range and queue ({@link openRun})
 * @param options - the run's resolved options
 * @param asked - the caller's worker count, if any
 * @param onWarning - told when fewer workers than asked for will run
 * @throws InvalidOptionError for a worker count that is not a whole number ≥ 1; QueueError when
 *   the queue cannot be reached
 */
export async function chooseRunner(opened: OpenedRun, options: ResolvedLocalizeOptions, asked: number | undefined, onWarning?: (message: string) => void): Promise<Runner> {
  const choice = chooseWorkers(asked, opened.range.total, options.chunkFrames);
  if (choice.warning) onWarning?.(choice.warning);
  const workers = choice.workers;
  const address = opened.address;
  if (!address) {
    return {
      workers,
      address,
      batches: (stream) => localizeStream(stream.frames(), options, { workers, stats: stream.stats, recycle: stream.recycle, started: stream.started }),
      readerBuffers: () => (workers > 1 ? FrameSlots.readerPool() : new FrameBufferPool()),
      close: () => undefined,
    };
  }
  const queue = await import('../src/cluster/localizeOnQueue.js');
  const client = await queue.connectQueue(address);
  // The submission disconnects the client when it ends; until one starts, close() does.
  let taken = false;
  const { absoluteInput: input, range } = opened;
  return {
    workers,
    address,
    async *batches(stream) {
      taken = true;
      yield* queue.localizeOnQueue({
        address,
        client,
        input,
        output: stream.output,
        start: range.start,
        end: range.end,
        step: range.step,
        options: stream.options,
        resolved: options,
        stats: stream.stats,
        workers: stream.queueWorkers,
        signal: stream.signal,
        onJobWritten: stream.onJobWritten,
      });
    },
    readerBuffers: () => new FrameBufferPool(),
    close: () => {
      if (!taken) client.disconnect();
      taken = true;
    },
  };
}

/**
 * Start the worker threads a run will most likely use before its settings are estimated, so
 * that they load their code (~0.15–0.2 s of CPU each) on the cores the one-threaded settings
 * step leaves idle: the count {@link chooseRunner} will choose from the options as given (the
 * default chunk for the stack's frame size unless one is given). None for a queue, one thread,
 * or options {@link chooseRunner} will refuse. The caller hands the pool to the stream when
 * the runner's count is the same, and closes it otherwise.
 * @param opened - the run's stack, range and queue
 * @param asked - the caller's worker count, if any
 * @param chunkFrames - the chunk given in the options, if any
 */
export function startWorkersEarly(opened: OpenedRun, asked: number | undefined, chunkFrames: number | undefined): LocalizerPool | undefined {
  if (opened.address) return undefined;
  const { width, height } = opened.metadata;
  const chunk = chunkFrames ?? defaultChunkFrames(width, height);
  if (!(Number.isInteger(chunk) && chunk >= 1)) return undefined;
  let workers: number;
  try {
    workers = chooseWorkers(asked, opened.range.total, chunk).workers;
  } catch {
    return undefined; // chooseRunner says why
  }
  return workers > 1 ? new LocalizerPool(undefined, workers) : undefined;
}

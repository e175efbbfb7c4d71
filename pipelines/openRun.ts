import { resolve as resolvePath } from 'node:path';
import { parseQueueUrl } from '../src/cluster/parseQueueUrl.js';
import type { QueueAddress } from '../src/cluster/parseQueueUrl.js';
import { InvalidOptionError } from '../src/errors/InvalidOptionError.js';
import type { Frame } from '../src/io/Frame.js';
import type { FrameBufferPool } from '../src/io/FrameBufferPool.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import { openStack } from '../src/io/openStack.js';
import { selectChannel } from '../src/io/selectChannel.js';
import type { FrameStack, StackMetadata } from '../src/io/TiffStack.js';

/** The frames of a run: 0-based `start`, exclusive `end` (at most the stack's), `step`, and how many. */
export interface RunRange {
  readonly start: number;
  /** Exclusive, at most the stack's frame count (it may grow in follow mode). */
  readonly end: number;
  readonly step: number;
  /** Frames the run will read; undefined in follow mode (the stack grows). */
  readonly total: number | undefined;
}

/** A stack opened for a run, with its frame range and the queue it runs on, if any. */
export interface OpenedRun {
  /** The stack (its channel chosen): close it with {@link close}. */
  readonly stack: FrameStack;
  readonly metadata: StackMetadata;
  /** The stack's (first) file. */
  readonly input: string;
  /** The stack as absolute paths, as queue workers open it. */
  readonly absoluteInput: string | readonly string[];
  /** Every file of the stack: the ones named and those of its series. */
  readonly files: readonly string[];
  /** What a person should know about how the input was read (the series a file belongs to). */
  readonly notice: string | undefined;
  readonly range: RunRange;
  /** The queue to localize on (`frames.follow` and a channel are refused with one). */
  readonly address: QueueAddress | undefined;
  /**
   * Read the run's frames (its range, step and follow mode) into `buffers` (recycled: give each
   * frame's buffer back once done with it), until the stack or the range ends or `signal` aborts.
   */
  read(buffers: FrameBufferPool, signal: AbortSignal | undefined): AsyncIterable<Frame>;
  /**
   * Read the first `count` frames of the run's range (its start and step) that are in the stack
   * now, without following it, each into a buffer of its own (or taken from `buffers`, for a
   * caller that gives each frame's buffer back once done with it): what a step before the run
   * looks at.
   */
  readFirst(count: number, signal: AbortSignal | undefined, buffers?: FrameBufferPool): AsyncIterable<Frame>;
  /** Close the stack's files (again is harmless). */
  close(): void;
}

/**
 * Open a run's stack: the step every run starts with, whether it writes a CSV
 * (`localizeStack`) or streams batches (`localize`). Parses the queue's address first (a bad
 * one is refused before any file is opened), opens the stack (a file, a Micro-Manager series, a
 * folder or a list: see `openStack`), chooses its channel, and counts the frames of the range.
 *
 * @param input - the stack's file, folder or files
 * @param frames - channel, frame range (0-based start, exclusive end, step) and follow mode
 * @param queue - `redis://…` to localize on queue workers, if any
 * @throws InvalidOptionError for a bad queue address, a queue with follow mode or with one
 *   channel of a hyperstack; TiffError for an unreadable stack
 */
export function openRun(input: string | readonly string[], frames: FrameSourceOptions | undefined, queue: string | undefined): OpenedRun {
  const address = queue === undefined ? undefined : parseQueueUrl(queue);
  if (address && frames?.follow) throw new InvalidOptionError('follow mode runs on this machine: it cannot be combined with a queue', 'queue');
  const opened = openStack(input);
  let stack: FrameStack;
  try {
    stack = selectChannel(opened.stack, frames?.channel);
  } catch (error) {
    opened.stack.close();
    throw error;
  }
  const metadata = stack.metadata;
  if (address && metadata.channel !== undefined) {
    stack.close();
    throw new InvalidOptionError('one channel of a hyperstack is localized on this machine: a queue reads whole stacks', 'queue');
  }
  const named = typeof input === 'string' ? [input] : input;
  const start = frames?.start ?? 0;
  const end = Math.min(frames?.end ?? Infinity, metadata.frameCount);
  const step = frames?.step ?? 1;
  return {
    stack,
    metadata,
    input: metadata.path,
    absoluteInput: typeof input === 'string' ? resolvePath(input) : input.map((f) => resolvePath(f)),
    files: [...new Set([...named, ...(metadata.series?.files ?? [metadata.path])])],
    notice: opened.notice,
    range: { start, end, step, total: frames?.follow ? undefined : Math.max(0, Math.ceil((end - start) / step)) },
    address,
    read: (buffers, signal) => stack.frames({ ...frames, buffers, signal }),
    readFirst: (count, signal, buffers) => stack.frames({ start, end: Math.min(end, start + count * step), step, signal, buffers }),
    close: () => stack.close(),
  };
}

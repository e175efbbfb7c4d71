import type { Observable } from 'rxjs';
import { defer, isObservable } from 'rxjs';
import { observeAsync } from '../src/io/observeAsync.js';
import type { Frame } from '../src/io/Frame.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import { FrameBufferPool } from '../src/io/FrameBufferPool.js';
import { randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { parseQueueUrl } from '../src/cluster/parseQueueUrl.js';
import { InvalidOptionError } from '../src/errors/InvalidOptionError.js';
import { openStack } from '../src/io/openStack.js';
import { selectChannel } from '../src/io/selectChannel.js';
import type { FrameStack, StackMetadata } from '../src/io/TiffStack.js';
import type { LocalizationBatch } from '../src/table/LocalizationBatch.js';
import { FrameLocalizer } from '../src/pipeline/FrameLocalizer.js';
import type { LocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { resolveLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { localizeFrames } from '../src/pipeline/localizeFrames.js';
import { chooseWorkers, localizeStream } from '../src/pipeline/localizeStream.js';
import { createLocalizeStats } from '../src/pipeline/LocalizeStats.js';

/**
 * Where frames come from: a TIFF path (a file, a folder of TIFFs, a file of a Micro-Manager
 * series), a list of files as one stack, or frames already as an Observable or async iterable.
 */
export type FrameSource = string | readonly string[] | Observable<Frame> | AsyncIterable<Frame>;

/** {@link LocalizeOptions} plus, for a path, the frame range and follow mode, and threads. */
export interface LocalizeStreamOptions extends LocalizeOptions {
  /** Frame range and follow mode when `source` is a path. */
  frames?: FrameSourceOptions;
  /**
   * Worker threads for path and async-iterable sources (1 = this thread), at most the cores.
   * @default for a path, all cores and at most one per 8 chunks of its frames (1 in follow
   *   mode), as the CLI; 1 for other sources (see `chooseWorkers`)
   */
  workers?: number;
  /**
   * For a path: localize on the machines running `smlm-stream worker` against this Redis,
   * `redis://[:PASSWORD@]HOST:PORT` (the stack on storage they share; see `localizeOnQueue`).
   * The batches are the ones this machine would give. Not with follow mode.
   */
  queue?: string;
}

/**
 * Localize a stack as a stream: an `Observable` of per-frame {@link LocalizationBatch}es
 * (positions in nm, photons, CRLB uncertainties, fit status), in frame order. Each subscription
 * reads the source afresh; unsubscribing stops reading the file; errors (bad file, bad options)
 * reach the subscriber. For a path, the pixel size defaults to the file's metadata; other
 * sources need `camera.pixelSizeNm`.
 *
 * Path and async-iterable sources are pulled through {@link localizeStream}: the frames read
 * ahead are bounded, and `workers > 1` spreads the work over threads. An Observable source is
 * pushed: it is localized on this thread as frames arrive.
 *
 * @example
 * ```ts
 * localize('stack.tif', { camera: { baselineAdu: 100, photonsPerAdu: 0.5 } })
 *   .subscribe((batch) => console.log(batch.frame, batch.count));
 * ```
 * @param source - TIFF path, or frames
 * @param options - pipeline options
 */
export function localize(source: FrameSource, options: LocalizeStreamOptions = {}): Observable<LocalizationBatch> {
  if (isObservable(source)) {
    return defer(() => source.pipe(localizeFrames(new FrameLocalizer(resolveLocalizeOptions(options)))));
  }
  return observeAsync(async function* (signal) {
    let stack: FrameStack | undefined;
    try {
      let frames: AsyncIterable<Frame>;
      let metadata: StackMetadata | undefined;
      // Frames read here go into recycled buffers; the caller's own frames are left alone.
      let buffers: FrameBufferPool | undefined;
      if (typeof source === 'string' || Array.isArray(source)) {
        stack = selectChannel(openStack(source as string | readonly string[]).stack, options.frames?.channel);
        metadata = stack.metadata;
        buffers = new FrameBufferPool();
        frames = stack.frames({ ...options.frames, signal, buffers });
      } else {
        frames = source as AsyncIterable<Frame>;
      }
      const pool = buffers;
      const recycle = pool ? (buffer: ArrayBuffer) => pool.give(buffer) : undefined;
      const resolved = resolveLocalizeOptions(options, metadata);
      const range = options.frames ?? {};
      const known = metadata && !range.follow ? Math.ceil((Math.min(range.end ?? Infinity, metadata.frameCount) - (range.start ?? 0)) / (range.step ?? 1)) : undefined;
      if (options.queue !== undefined && metadata?.channel !== undefined) throw new InvalidOptionError('one channel of a hyperstack is localized on this machine: a queue reads whole stacks', 'queue');
      if (options.queue !== undefined && stack && metadata && known !== undefined) {
        const { frames: range0, workers: _w, queue, ...plain } = options;
        const address = parseQueueUrl(queue);
        // Loaded only when used (BullMQ, ioredis).
        const q = await import('../src/cluster/localizeOnQueue.js');
        const start = range0?.start ?? 0;
        yield* q.localizeOnQueue({
          address,
          client: await q.connectQueue(address),
          input: typeof source === 'string' ? resolvePath(source) : (source as readonly string[]).map((f) => resolvePath(f)),
          // No file is written: a key of its own, so that no other submission is superseded.
          output: `stream:${randomUUID()}`,
          start,
          end: Math.min(range0?.end ?? Infinity, metadata.frameCount),
          step: range0?.step ?? 1,
          options: plain,
          resolved,
          stats: createLocalizeStats(),
          workers: new Set(),
          signal,
        });
        return;
      }
      if (options.queue !== undefined) throw new InvalidOptionError('a queue takes a stack given by its path, not in follow mode', 'queue');
      const { workers } = chooseWorkers(options.workers, known, resolved.chunkFrames);
      yield* localizeStream(frames, resolved, { workers, recycle });
    } finally {
      stack?.close();
    }
  });
}

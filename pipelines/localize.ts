import type { Observable } from 'rxjs';
import { defer, isObservable } from 'rxjs';
import { observeAsync } from '../src/io/observeAsync.js';
import type { Frame } from '../src/io/Frame.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import { randomUUID } from 'node:crypto';
import { InvalidOptionError } from '../src/errors/InvalidOptionError.js';
import type { LocalizationBatch } from '../src/table/LocalizationBatch.js';
import { FrameLocalizer } from '../src/pipeline/FrameLocalizer.js';
import type { LocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { resolveLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { localizeFrames } from '../src/pipeline/localizeFrames.js';
import { operatorOf } from '../src/pipeline/operatorOf.js';
import { TemporalMedian } from '../src/pipeline/TemporalMedian.js';
import { chooseWorkers, localizeStream } from '../src/pipeline/localizeStream.js';
import { createLocalizeStats } from '../src/pipeline/LocalizeStats.js';
import { chooseBackground } from './chooseBackground.js';
import { chooseRunner } from './chooseRunner.js';
import type { Runner } from './chooseRunner.js';
import { estimateRunSettings } from './estimateRunSettings.js';
import { openRun } from './openRun.js';
import { settleIterable, settleObservable } from './settleStreamSettings.js';

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
  /**
   * Told of what a person should know about the settings: given camera settings or σ that
   * contradict the data, an estimate that could not be made (then the defaults are used).
   * @default none: such warnings are dropped
   */
  onWarning?: (message: string) => void;
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
 * What is not given is estimated from the data for every source, as `localizeStack` does: the
 * camera (`cameraSource` 'auto': nothing of baseline and gain given) and the PSF σ (not given,
 * in 2-D) from the first frames (up to SETTINGS_FRAMES, SETTINGS_PIXELS). Frames of an
 * Observable or async iterable are copied and held until then (the first batch comes after
 * them), then replayed; warnings (settings that contradict the data, an estimate that could not
 * be made) go to `onWarning`. Give the camera and `psfSigmaNm` to skip the step. The default
 * `background` (`auto`) is chosen for a path from its first frames before the run (see
 * `chooseBackground`: the temporal median when spots stay in place, as a cell's vesicles do;
 * the choice is not told, the stream has no notices); for an Observable or async iterable it is
 * `none`. With a temporal-median `background`,
 * each frame's batch comes half a window plus (W − 1)/2 frames after it (the last ones when the
 * source ends).
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
    const { onWarning, ...plain } = options;
    return defer(() =>
      settleObservable(source, plain, onWarning, (frames, settled) => {
        const resolved = resolveLocalizeOptions(settled);
        const { background } = resolved;
        const input = background.method === 'none' ? frames : frames.pipe(operatorOf(() => new TemporalMedian(background.windowFrames, background.anchorFrames)));
        return input.pipe(localizeFrames(new FrameLocalizer(resolved)));
      }),
    );
  }
  if (typeof source === 'string' || Array.isArray(source)) {
    const path = source as string | readonly string[];
    return observeAsync((signal) => localizePath(path, options, signal));
  }
  return observeAsync(() => localizeFrameIterable(source as AsyncIterable<Frame>, options));
}

/**
 * The batches of a stack given by its path, in the run's steps: open it ({@link openRun}),
 * estimate the settings not given from its first frames ({@link estimateRunSettings}: the
 * camera, the PSF σ), choose the background ({@link chooseBackground}), resolve the options
 * against its metadata, choose where it runs (the workers, a queue), stream.
 */
async function* localizePath(path: string | readonly string[], options: LocalizeStreamOptions, signal: AbortSignal): AsyncGenerator<LocalizationBatch> {
  const { frames: range, workers, queue, onWarning, ...given } = options;
  const opened = openRun(path, range, queue);
  let runner: Runner | undefined;
  try {
    const settled = (await estimateRunSettings(opened, given, range, onWarning)).options;
    const plain = (await chooseBackground(opened, settled, signal)).options;
    const resolved = resolveLocalizeOptions(plain, opened.metadata);
    runner = await chooseRunner(opened, resolved, workers);
    // Frames read here go into recycled buffers (shared ones with workers: no copy into the stream's slots).
    const buffers = runner.readerBuffers();
    yield* runner.batches({
      frames: () => opened.read(buffers, signal),
      stats: createLocalizeStats(),
      recycle: (buffer) => buffers.give(buffer),
      // No file is written: a key of its own, so that no other submission is superseded.
      output: `stream:${randomUUID()}`,
      options: settled,
      queueWorkers: new Set(),
      signal,
    });
  } finally {
    runner?.close();
    opened.close();
  }
}

/** The batches of frames the caller reads (its buffers are left alone), on this machine. */
async function* localizeFrameIterable(source: AsyncIterable<Frame>, options: LocalizeStreamOptions): AsyncGenerator<LocalizationBatch> {
  const { onWarning, ...plain } = options;
  resolveLocalizeOptions(plain); // the options' errors before any frame is read
  if (options.queue !== undefined) throw new InvalidOptionError('a queue takes a stack given by its path, not in follow mode', 'queue');
  const { options: settled, frames } = await settleIterable(source, plain, onWarning);
  const resolved = resolveLocalizeOptions(settled);
  const { workers } = chooseWorkers(options.workers, undefined, resolved.chunkFrames);
  yield* localizeStream(frames, resolved, { workers });
}

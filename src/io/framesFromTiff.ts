import type { Observable } from 'rxjs';
import { observeAsync } from './observeAsync.js';
import type { Frame } from './Frame.js';
import { openStack } from './openStack.js';
import { selectChannel } from './selectChannel.js';
import type { FrameRangeOptions } from './TiffStack.js';

/** Options of {@link framesFromTiff} and {@link readFrames}: the channel, frame range and follow mode. */
export interface FrameSourceOptions extends Omit<FrameRangeOptions, 'signal'> {
  /**
   * The channel to read, 1-based, of a stack with several (an ImageJ hyperstack, an OME-TIFF):
   * its frames, numbered from 0 as time points (see `selectChannel`).
   * @default the only channel (a stack of several channels is refused without one)
   */
  channel?: number;
}

/**
 * The frames of a TIFF stack as an async iterable: opens the file (or the series, folder or
 * list: see `openStack`), yields frames lazily (one read per frame for uncompressed stacks),
 * closes the files when the loop ends or breaks. The frames are a time series of one plane: of
 * a stack with several channels, those of the channel chosen (see `selectChannel`).
 *
 * @param path - the TIFF file, a folder, or a list of files
 * @param options - `channel`, range (`start`, `end`, `step`) and follow mode (`follow`,
 *   `pollIntervalMs`, `idleTimeoutMs`)
 * @throws InvalidOptionError for a stack of several channels without a channel chosen;
 *   TiffError naming the file and the problem
 */
export async function* readFrames(path: string | readonly string[], options: FrameSourceOptions & Pick<FrameRangeOptions, 'signal'> = {}): AsyncGenerator<Frame, void, undefined> {
  const stack = selectChannel(openStack(path).stack, options.channel);
  try {
    yield* stack.frames(options);
  } finally {
    stack.close();
  }
}

/**
 * The frames of a TIFF stack as an RxJS `Observable`. Each subscription opens the file and reads
 * lazily; unsubscribing stops reading and closes the file; errors (a `TiffError` naming the file
 * and the problem) reach the subscriber after every frame that could be read.
 *
 * @param path - the TIFF file, a folder, or a list of files
 * @param options - range and follow options, as for {@link readFrames}
 */
export function framesFromTiff(path: string | readonly string[], options: FrameSourceOptions = {}): Observable<Frame> {
  return observeAsync((signal) => readFrames(path, { ...options, signal }));
}

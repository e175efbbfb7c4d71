import type { Observable } from 'rxjs';
import { observeAsync } from './observeAsync.js';
import type { Frame } from './Frame.js';
import { openStack } from './openStack.js';
import type { FrameRangeOptions } from './TiffStack.js';

/** Options of {@link framesFromTiff} and {@link readFrames}: the frame range and follow mode. */
export type FrameSourceOptions = Omit<FrameRangeOptions, 'signal'>;

/**
 * The frames of a TIFF stack as an async iterable: opens the file (or the series, folder or
 * list: see `openStack`), yields frames lazily (one read per frame for uncompressed stacks),
 * closes the files when the loop ends or breaks.
 *
 * @param path - the TIFF file, a folder, or a list of files
 * @param options - range (`start`, `end`, `step`) and follow mode (`follow`, `pollIntervalMs`,
 *   `idleTimeoutMs`)
 */
export async function* readFrames(path: string | readonly string[], options: FrameRangeOptions = {}): AsyncGenerator<Frame, void, undefined> {
  const { stack } = openStack(path);
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

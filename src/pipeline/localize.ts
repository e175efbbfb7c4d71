import type { Observable } from 'rxjs';
import { defer, from, isObservable } from 'rxjs';
import type { Frame } from '../io/Frame.js';
import { framesFromTiff } from '../io/framesFromTiff.js';
import type { FrameSourceOptions } from '../io/framesFromTiff.js';
import { TiffStack } from '../io/TiffStack.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { FrameLocalizer } from './FrameLocalizer.js';
import type { LocalizeOptions } from './LocalizeOptions.js';
import { resolveLocalizeOptions } from './LocalizeOptions.js';
import { localizeFrames } from './localizeFrames.js';

/** Where frames come from: a TIFF path, or frames already as an Observable or async iterable. */
export type FrameSource = string | Observable<Frame> | AsyncIterable<Frame>;

/** {@link LocalizeOptions} plus, for a path, the frame range and follow mode. */
export interface LocalizeStreamOptions extends LocalizeOptions {
  /** Frame range and follow mode when `source` is a path. */
  frames?: FrameSourceOptions;
}

/**
 * Localize a stack as a stream: an `Observable` of per-frame {@link LocalizationBatch}es
 * (positions in nm, photons, CRLB uncertainties, fit status). Each subscription reads the source
 * afresh; unsubscribing stops reading the file; errors (bad file, bad options) reach the
 * subscriber. For a path, the pixel size defaults to the file's metadata; other sources need
 * `camera.pixelSizeNm`.
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
  return defer(() => {
    let frames: Observable<Frame>;
    let pixelSizeNm: number | undefined;
    if (typeof source === 'string') {
      const stack = TiffStack.open(source);
      pixelSizeNm = stack.metadata.pixelSizeNm;
      stack.close();
      frames = framesFromTiff(source, options.frames);
    } else {
      frames = isObservable(source) ? source : from(source);
    }
    const localizer = new FrameLocalizer(resolveLocalizeOptions(options, pixelSizeNm));
    return frames.pipe(localizeFrames(localizer));
  });
}

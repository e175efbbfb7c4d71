import type { OperatorFunction } from 'rxjs';
import { map } from 'rxjs';
import { addBatch } from '../render/addBatch.js';
import type { RenderOptions } from '../render/SuperResolutionImage.js';
import { SuperResolutionImage } from '../render/SuperResolutionImage.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';

/**
 * RxJS operator: keeps one super-resolution image up to date from a stream of localization
 * batches (converged fits, {@link addBatch}) and emits it after each batch — the same image
 * object, accumulating (render it to PNG every N frames for a live preview).
 * @param options - render options (pixel size, mode, range)
 */
export function accumulateImage(options: RenderOptions): OperatorFunction<LocalizationBatch, SuperResolutionImage> {
  return (source) => {
    const image = new SuperResolutionImage(options);
    return source.pipe(
      map((batch) => {
        addBatch(image, batch);
        return image;
      }),
    );
  };
}

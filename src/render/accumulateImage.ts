import type { OperatorFunction } from 'rxjs';
import { map } from 'rxjs';
import { FitStatus } from '../fit/FitStatus.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import type { RenderOptions } from './SuperResolutionImage.js';
import { SuperResolutionImage } from './SuperResolutionImage.js';

/**
 * RxJS operator: keeps one super-resolution image up to date from a stream of localization
 * batches (converged fits) and emits it after each batch — the same image object, accumulating
 * (render it to PNG every N frames for a live preview).
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

/** Draw the converged fits of a batch into an image. */
export function addBatch(image: SuperResolutionImage, batch: LocalizationBatch): void {
  for (let i = 0; i < batch.count; i++) {
    if (batch.status[i] === FitStatus.converged) image.addOne(batch.x[i], batch.y[i], batch.uncertainty[i]);
  }
}

import { FitStatus } from '../fit/FitStatus.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import type { SuperResolutionImage } from './SuperResolutionImage.js';

/**
 * Draw the converged fits of a batch into an image (each at its x, y in nm, spread by its
 * uncertainty as the image's mode says); fits of any other status are left out.
 * @param image - the image, accumulating
 * @param batch - one frame's localizations
 */
export function addBatch(image: SuperResolutionImage, batch: LocalizationBatch): void {
  for (let i = 0; i < batch.count; i++) {
    if (batch.status[i] === FitStatus.converged) image.addOne(batch.x[i], batch.y[i], batch.uncertainty[i]);
  }
}

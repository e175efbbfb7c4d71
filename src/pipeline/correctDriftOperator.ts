import type { OperatorFunction } from 'rxjs';
import type { AimOptions } from '../post/estimateDriftAim.js';
import { LiveDriftCorrector } from '../post/LiveDriftCorrector.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { operatorOf } from './operatorOf.js';

/**
 * An RxJS operator correcting drift on the batch stream while a run goes on
 * ({@link LiveDriftCorrector}: AIM's causal round): batches come out corrected, one segment
 * (100 frames by default) after they went in, in order.
 *
 *     localize(frames).pipe(correctDriftOperator()).subscribe((batch) => …)
 *
 * @param options - AIM's options
 */
export function correctDriftOperator(options: AimOptions = {}): OperatorFunction<LocalizationBatch, LocalizationBatch> {
  return operatorOf(() => new LiveDriftCorrector(options));
}

import type { OperatorFunction } from 'rxjs';
import { map } from 'rxjs';
import type { Frame } from '../io/Frame.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import type { FrameLocalizer } from './FrameLocalizer.js';

/**
 * RxJS operator: each frame in, its localization batch out, through one {@link FrameLocalizer}
 * (which carries the warm starts from frame to frame, so frames must arrive in order).
 * @param localizer - the run's localizer
 */
export function localizeFrames(localizer: FrameLocalizer): OperatorFunction<Frame, LocalizationBatch> {
  return map((frame) => localizer.process(frame));
}

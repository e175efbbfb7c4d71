/**
 * The live pipeline: localize a stack while the camera is still writing it. It is the standard
 * pipeline with the frame source in follow mode — at the end of the file it waits (polling)
 * for the next complete frame and stops after `idleSeconds` without one — so each frame's
 * localizations reach the CSV (and `onProgress`) seconds after the frame is acquired.
 */
import { FOLLOW_DEFAULTS } from '../src/io/TiffStack.js';
import type { LocalizeStackRun, LocalizeStackSummary } from './LocalizeStackRun.js';
import { localizeStack } from './localizeStack.js';

/** A live run: as {@link LocalizeStackRun}, plus how long to wait for new frames. */
export interface LiveLocalizeRun extends Omit<LocalizeStackRun, 'frames'> {
  /** Stop after this long without a new frame, s. @default 10 */
  idleSeconds?: number;
  /** How often to look for new frames, ms. @default 100 */
  pollIntervalMs?: number;
  /** First frame, 0-based. @default 0 */
  start?: number;
}

/**
 * Follow a growing stack and localize each frame as soon as it is complete on disk.
 * @param run - input, output, options, timing of the follow mode
 */
export function liveLocalize(run: LiveLocalizeRun): Promise<LocalizeStackSummary> {
  const { idleSeconds = FOLLOW_DEFAULTS.idleTimeoutMs / 1000, pollIntervalMs = FOLLOW_DEFAULTS.pollIntervalMs, start = 0, ...rest } = run;
  return localizeStack({ ...rest, frames: { start, follow: true, idleTimeoutMs: idleSeconds * 1000, pollIntervalMs } });
}

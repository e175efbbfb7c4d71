import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import type { SimulateStackOptions, TruthRows } from '../../src/simulate/simulateStack.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import type { LocalizationBatch } from '../../src/table/LocalizationBatch.js';

/** A simulated stack localized in memory: the truth of each frame and the batches. */
export function simulateAndLocalize(options: SimulateStackOptions): { truth: TruthRows[]; batches: LocalizationBatch[] } {
  const width = options.width ?? 64;
  const height = options.height ?? 64;
  const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: options.pixelSizeNm ?? 100 } }));
  const truth: TruthRows[] = [];
  const batches: LocalizationBatch[] = [];
  for (const f of simulateStack(options)) {
    truth.push(f.truth);
    batches.push(localizer.process({ index: f.index, width, height, data: Uint16Array.from(f.adu) }));
  }
  return { truth, batches };
}

/**
 * The number of true blinks: runs of one emitter's frames with gaps of at most `maxOff` frames.
 * @param truth - the truth of each frame
 */
export function trueBlinks(truth: readonly TruthRows[], maxOff = 1): number {
  const last = new Map<number, number>();
  let blinks = 0;
  for (const t of truth) {
    for (const e of t.emitter) {
      const before = last.get(e);
      if (before === undefined || t.frame - before - 1 > maxOff) blinks++;
      last.set(e, t.frame);
    }
  }
  return blinks;
}

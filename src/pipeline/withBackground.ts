import type { Frame } from '../io/Frame.js';
import type { ResolvedBackgroundOptions } from './BackgroundOptions.js';
import type { BackgroundFrame } from './TemporalMedian.js';
import { TemporalMedian } from './TemporalMedian.js';

/**
 * The frames of a run with their background: as they are with `none`; through a
 * {@link TemporalMedian} otherwise (each frame comes out half a window plus the anchor spacing
 * later, the last ones when the frames end). A read error ends the run there: the frames read
 * before it come out first (their backgrounds from the frames read), then the error.
 * @param frames - the run's frames, in order
 * @param background - the resolved background options
 */
export function withBackground(frames: AsyncIterable<Frame>, background: ResolvedBackgroundOptions): AsyncIterable<BackgroundFrame> {
  if (background.method === 'none') return frames;
  return (async function* () {
    const step = new TemporalMedian(background.windowFrames, background.anchorFrames);
    try {
      for await (const frame of frames) yield* step.push(frame);
    } catch (error) {
      yield* step.finish();
      throw error;
    }
    yield* step.finish();
  })();
}

import type { Frame } from '../io/Frame.js';
import type { ResolvedBackgroundOptions } from './BackgroundOptions.js';
import type { BackgroundFrame } from './TemporalMedian.js';
import { TemporalMedian } from './TemporalMedian.js';

/** A run's frames with their backgrounds, and where their background arrays go back once used. */
export interface BackgroundSource {
  readonly frames: AsyncIterable<BackgroundFrame>;
  /** Give back a frame's background array once the frame is localized (for reuse). */
  give(background: Float32Array): void;
}

/**
 * The frames of a run with their background: as they are with `none`; through a
 * {@link TemporalMedian} otherwise (each frame comes out half a window plus the anchor spacing
 * later, the last ones when the frames end). A read error ends the run there: the frames read
 * before it come out first (their backgrounds from the frames read), then the error.
 * @param frames - the run's frames, in order
 * @param background - the resolved background options
 */
export function withBackground(frames: AsyncIterable<Frame>, background: ResolvedBackgroundOptions): BackgroundSource {
  if (background.method === 'none') return { frames, give: () => undefined };
  const step = new TemporalMedian(background.windowFrames, background.anchorFrames);
  return { frames: run(frames, step), give: (b) => step.give(b) };
}

/** The step's outputs as the frames come in, then the ones it holds. */
async function* run(frames: AsyncIterable<Frame>, step: TemporalMedian): AsyncGenerator<BackgroundFrame> {
  try {
    for await (const frame of frames) yield* step.push(frame);
  } catch (error) {
    yield* step.finish();
    throw error;
  }
  yield* step.finish();
}

import { frameCamera } from '../src/camera/CameraModel.js';
import { FrameBufferPool } from '../src/io/FrameBufferPool.js';
import { PERSISTENCE_FRAMES, PERSISTENT_WARNING, PersistentSpots } from '../src/detect/PersistentSpots.js';
import type { BackgroundChoice, BackgroundOptions } from '../src/pipeline/BackgroundOptions.js';
import { BACKGROUND_DEFAULTS } from '../src/pipeline/BackgroundOptions.js';
import type { LocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { resolveLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import type { OpenedRun } from './openRun.js';

/** What {@link chooseBackground} decided, and what to tell the user. */
export interface ChosenBackground {
  /**
   * The run's options with the background explicit (`none` or `temporal-median`), as this
   * machine's workers and the queue's take them: the choice is made once, here.
   */
  readonly options: LocalizeOptions;
  /** After `auto`: how it chose, for the run's record; undefined when the background was given. */
  readonly choice: BackgroundChoice | undefined;
  /** After `auto` chose the temporal median: one line for the user (a notice). */
  readonly notice: string | undefined;
  /** `none` given, and spots stayed in place: the warning that names the temporal median. */
  readonly warning: string | undefined;
}

/**
 * The run's background, chosen before the run (a step before its options are resolved, in
 * `localizeStack` and `localize(path)`): with `background.method` `auto` (the default) the
 * first {@link PERSISTENCE_FRAMES} frames of the run's range are read through the opened run
 * and followed by the run's detector and camera ({@link PersistentSpots}, on at most the central
 * 256² px: 30 detections, ~0.1 s); when {@link PERSISTENT_WARNING} or more places keep a spot
 * through them (a cell's vesicles, or fiducial beads), the temporal median with its default
 * window (or `background.windowFrames` when given) is used, else `none`. Runs with fewer frames in range (or, in follow mode, in the
 * stack when the run starts: only the frames there are read, the run does not wait) get `none`,
 * as PersistentSpots needs all its frames to tell vesicles from molecules that stay on; so do
 * runs whose first frames cannot all be read (the run itself reports the read error).
 *
 * A given `none` is checked the same way, and warned about (naming `--background
 * temporal-median`) when spots stay in place; a given temporal median is not checked.
 *
 * @param opened - the opened run (its range and reader)
 * @param options - the run's options as given (the camera and detection the run will use)
 * @param signal - stops reading
 * @returns the options with an explicit background, and how it was chosen
 * @throws InvalidOptionError for impossible options (as resolving them would)
 */
export async function chooseBackground(opened: OpenedRun, options: LocalizeOptions, signal?: AbortSignal): Promise<ChosenBackground> {
  const asked: BackgroundOptions = options.background ?? {};
  const method = asked.method ?? BACKGROUND_DEFAULTS.method;
  const explicit = (background: BackgroundOptions): LocalizeOptions => ({ ...options, background });
  if (method === 'temporal-median') return { options, choice: undefined, notice: undefined, warning: undefined };
  const { metadata, input } = opened;
  const resolved = resolveLocalizeOptions({ ...options, background: { method: 'none' } }, metadata);
  frameCamera(resolved.camera, metadata.width, metadata.height); // the maps cover the frames (as the run checks)
  const spots = new PersistentSpots(metadata.width, metadata.height, resolved.detect, resolved.camera);
  try {
    // One buffer, reused: only the central crop of each frame is looked at (30 frames of 2048²
    // px were 240 MB of new buffers to zero and collect).
    const buffers = new FrameBufferPool(1);
    for await (const frame of opened.readFirst(PERSISTENCE_FRAMES, signal, buffers)) {
      spots.add(frame.data);
      buffers.give(frame.data.buffer as ArrayBuffer);
    }
  } catch {
    // A frame that cannot be read (a stack cut off): the run reads it too, and reports it where
    // the rows of the frames before it are kept. The check goes on with the frames it has.
  }
  if (method === 'none') {
    const structured = spots.warning();
    return { options: explicit({ ...asked, method: 'none' }), choice: undefined, notice: undefined, warning: structured && `${input}: ${structured}` };
  }
  const found = spots.result();
  const choice: BackgroundChoice = { chosen: 'auto', persistentPlaces: found.persistent, framesChecked: found.frames };
  if (found.frames < PERSISTENCE_FRAMES || found.persistent < PERSISTENT_WARNING) {
    return { options: explicit({ method: 'none' }), choice, notice: undefined, warning: undefined };
  }
  const windowFrames = asked.windowFrames ?? BACKGROUND_DEFAULTS.windowFrames;
  return {
    options: explicit({ method: 'temporal-median', windowFrames }),
    choice,
    notice: `structured background (${found.persistent} places keep a spot through the first ${found.frames} frames): the temporal median over ${windowFrames} frames is used; --background none turns it off`,
    warning: undefined,
  };
}

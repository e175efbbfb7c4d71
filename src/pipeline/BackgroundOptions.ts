import { InvalidOptionError } from '../errors/InvalidOptionError.js';

/**
 * Every default of the background option, stated once (the CLI's help, the guide and the
 * README read them here).
 *
 * `windowFrames` 51, measured on a simulated cell (`simulate --cell-background`, 128×128 px,
 * 1000 frames, isolated spots of 1500 photons; docs/guides/backgrounds.md): windows of 21, 35,
 * 51, 71, 101, 201 frames gave Jaccard 96.5, 99.8, 99.9, 99.4, 98.7, 93.6 % and 0.003, 0.007,
 * 0.029, 0.14, 0.32, 1.7 false positives per frame. Shorter windows lose molecules that stay on
 * for a good part of the window (the median rises under them) and are noisier (precision 1.50×
 * the CRLB at 21 frames, 1.16× at 35, 1.09× at 51); longer ones miss slowly blinking or
 * drifting vesicles, which then look like spots. `anchorsPerWindow` 2: the exact median is
 * taken every (W − 1)/2 frames (25 for 51; the most that keeps the frames held to the window)
 * and interpolated linearly between. Medians every 12 frames cost twice as much for the same
 * result (Jaccard 99.9 vs 99.8 %, precision 1.10 vs 1.09× the CRLB, calibration 0.96 both);
 * cell backgrounds that bleach over hundreds of frames are straight lines over 25.
 *
 * `method` `auto`: a run of a stack given by its path looks at its first frames before it
 * starts (pipelines/chooseBackground.ts) and takes the temporal median when spots stay in place
 * there (a cell's vesicles: PersistentSpots), else `none`. Measured over simulated cells
 * (docs/guides/backgrounds.md, "What the default run does over a cell").
 */
export const BACKGROUND_DEFAULTS = {
  method: 'auto',
  windowFrames: 51,
  anchorsPerWindow: 2,
} as const;

/**
 * The background methods: `auto` (chosen from the stack's first frames before a run), `none`
 * (the fit's constant offset only), or the temporal median.
 */
export const BACKGROUND_METHODS = ['auto', 'none', 'temporal-median'] as const;
export type BackgroundMethod = (typeof BACKGROUND_METHODS)[number];

/** Options of the per-pixel background. */
export interface BackgroundOptions {
  /**
   * `temporal-median`: each pixel's median over a sliding window of frames centred on the frame
   * (the window kept inside the run at its ends) is the known background of detection and of
   * every fit, the fit's constant background a small free offset on top. `auto`: a run of a
   * stack by its path (`localizeStack`, `localize(path)`) chooses one of the two from its first
   * frames before it starts (pipelines/chooseBackground.ts); where frames come without a path
   * (an Observable or async iterable, which cannot be read twice) `auto` is `none`. @default 'auto'
   */
  method?: BackgroundMethod;
  /** The window, frames: odd, ≥ 3. @default 51 */
  windowFrames?: number;
}

/**
 * How `auto` chose, as the run's record says: the persistent places of the first frames
 * (`PersistentSpots`) and the frames looked at.
 */
export interface BackgroundChoice {
  readonly chosen: 'auto';
  /** Places that kept a spot through the first frames. */
  readonly persistentPlaces: number;
  /** Frames looked at (fewer than PersistentSpots' when the run has fewer: then `none`). */
  readonly framesChecked: number;
}

/**
 * Background options resolved: with the temporal median, its window and anchor spacing; after
 * `auto`, how it chose.
 */
export type ResolvedBackgroundOptions =
  | ({ readonly method: 'none' } & Partial<BackgroundChoice>)
  | ({
      readonly method: 'temporal-median';
      /** The window, frames (odd). */
      readonly windowFrames: number;
      /** The exact median is taken at every this many frames of the run, interpolated between. */
      readonly anchorFrames: number;
    } & Partial<BackgroundChoice>);

/** The smallest window, frames. */
export const MIN_WINDOW_FRAMES = 3;

/**
 * Resolve the background options, filling defaults. `auto` resolves to `none` here: a run that
 * can look at its frames first chooses before it resolves (pipelines/chooseBackground.ts).
 * @param options - the caller's options
 * @throws InvalidOptionError naming `background.method` or `background.windowFrames`
 */
export function resolveBackgroundOptions(options: BackgroundOptions | undefined): ResolvedBackgroundOptions {
  const asked = options?.method ?? BACKGROUND_DEFAULTS.method;
  if (!(BACKGROUND_METHODS as readonly string[]).includes(asked)) {
    throw new InvalidOptionError(`the background must be one of ${BACKGROUND_METHODS.join(', ')}, got ${String(asked)}`, 'background.method');
  }
  const method = asked === 'auto' ? 'none' : asked;
  if (method === 'none') {
    if (asked === 'none' && options?.windowFrames !== undefined) throw new InvalidOptionError('a background window needs the temporal-median background', 'background.windowFrames');
    return { method };
  }
  const windowFrames = options?.windowFrames ?? BACKGROUND_DEFAULTS.windowFrames;
  if (!(Number.isInteger(windowFrames) && windowFrames >= MIN_WINDOW_FRAMES && windowFrames % 2 === 1)) {
    throw new InvalidOptionError(`the temporal median's window must be an odd whole number of frames ≥ ${MIN_WINDOW_FRAMES}, got ${windowFrames}`, 'background.windowFrames');
  }
  return { method, windowFrames, anchorFrames: anchorSpacing(windowFrames) };
}

/**
 * The spacing of the exact medians for a window of `windowFrames`: (W − 1)/anchorsPerWindow
 * frames, at least 1 and at most the half window (so a frame waits for no more than the window).
 */
export function anchorSpacing(windowFrames: number): number {
  return Math.max(1, Math.floor((windowFrames - 1) / BACKGROUND_DEFAULTS.anchorsPerWindow));
}

/**
 * Parse the CLI's `auto`, `none` or `temporal-median[:FRAMES]`.
 * @param text - the flag's value
 * @throws InvalidOptionError naming `--background`
 */
export function parseBackground(text: string): BackgroundOptions {
  const [method, window, ...rest] = text.split(':');
  const example = `auto, none or temporal-median[:FRAMES] (e.g. temporal-median:${BACKGROUND_DEFAULTS.windowFrames})`;
  if (rest.length > 0 || !(BACKGROUND_METHODS as readonly string[]).includes(method)) throw new InvalidOptionError(`--background: expected ${example}, got '${text}'`, 'background');
  if (window === undefined) return { method: method as BackgroundMethod };
  const frames = /^\d+$/.test(window) ? Number(window) : Number.NaN;
  if (method !== 'temporal-median' || !(frames >= MIN_WINDOW_FRAMES && frames % 2 === 1)) {
    throw new InvalidOptionError(`--background: the window must be an odd whole number of frames ≥ ${MIN_WINDOW_FRAMES}, as temporal-median:${BACKGROUND_DEFAULTS.windowFrames}; got '${text}'`, 'background');
  }
  return { method: 'temporal-median', windowFrames: frames };
}

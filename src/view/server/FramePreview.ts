import { checkOffsetReachable, frameCamera } from '../../camera/CameraModel.js';
import { FitStatus } from '../../fit/FitStatus.js';
import type { Frame } from '../../io/Frame.js';
import type { FrameSourceOptions } from '../../io/framesFromTiff.js';
import { FrameLocalizer } from '../../pipeline/FrameLocalizer.js';
import type { LocalizeOptions, ResolvedLocalizeOptions } from '../../pipeline/LocalizeOptions.js';
import { checkFrameSize, resolveLocalizeOptions } from '../../pipeline/LocalizeOptions.js';
import type { BackgroundFrame } from '../../pipeline/TemporalMedian.js';
import { TemporalMedian } from '../../pipeline/TemporalMedian.js';
import { chooseBackground } from '../../../pipelines/chooseBackground.js';
import type { ChosenBackground } from '../../../pipelines/chooseBackground.js';
import { estimateRunSettings } from '../../../pipelines/estimateRunSettings.js';
import type { RunSettings } from '../../../pipelines/estimateRunSettings.js';
import type { OpenedRun } from '../../../pipelines/openRun.js';
import type { CameraSettings, PreviewCandidate, PreviewFit, PreviewResult } from '../protocol.js';

/** Settings steps and background choices kept per stack, the oldest dropped beyond this. */
const CACHE_ENTRIES = 16;

/** The most bytes of the run's first frames kept for the background choices (a 256² stack's 30 frames: 4 MB). */
const FIRST_FRAMES_MAX_BYTES = 64 * 2 ** 20;

/** What the settings step gave: the options with explicit values, what it found, and its warnings. */
interface Settled {
  readonly options: LocalizeOptions;
  readonly settings: RunSettings;
  readonly warnings: readonly string[];
}

/**
 * One frame through exactly what `localize` runs, for the page's overlay: the settings step
 * (estimateRunSettings: the camera and the PSF σ not given, from the first frames), the
 * background's choice (chooseBackground; with the temporal median, the frame's background from
 * the frames around it, as a run's part computes it: TemporalMedian with its halo), the options
 * resolved and checked as a run resolves them, then the pipeline's {@link FrameLocalizer}
 * (camera → detection → patches → fit). The candidates are the detector's on that frame; the
 * fits those the CSV would keep (converged), started cold (a run warm-starts a frame from the
 * one before it within a chunk, so its fits of the same spots can differ in the last digits).
 *
 * The settings step depends on neither the detection threshold (it measures σ at the default
 * threshold) nor the fit's flags, so it is cached by the flags less those, and what it adds to
 * the options (the camera, the σ) is put on each call's options; the background's choice is
 * cached by the flags less the fit's. A threshold change costs the background's choice (its 30
 * frames of detection, as a run chooses; the frames themselves read once) and the frame; a fit
 * flag's change only the frame. The page asks with `allowStale`: a choice not made yet is then
 * made after the answer, which uses the last choice and says so (`backgroundCurrent: false`);
 * the page asks again, without `allowStale`, for the answer that equals a run's.
 */
export class FramePreview {
  private readonly settled = new Map<string, Promise<Settled>>();
  private readonly backgrounds = new Map<string, Promise<ChosenBackground>>();
  /** The choices made so far, by key (the newest last), for an answer that may not wait. */
  private readonly chosen = new Map<string, ChosenBackground>();
  /** The choice to make next in the background (the latest asked wins), and whether one is being made. */
  private nextChoice: (() => Promise<unknown>) | undefined;
  private choosing = false;
  /** The last preview's answer and its key (frame, flags, background): a refresh that finds the same choice reuses it. */
  private last: { key: string; result: PreviewResult } | undefined;
  /** The run's first frames as the background's choice reads them (each a buffer of its own), once read in full. */
  private firstFrames: Frame[] | undefined;
  /** The opened run for chooseBackground: its first frames read once, then from memory. */
  private readonly choiceRun: OpenedRun;

  /**
   * @param opened - the stack, opened as a run opens it (its channel and range)
   * @param fitOnlyFlags - flags that change neither the camera, detection nor the background
   *   (left out of the background choice's cache key)
   */
  constructor(
    readonly opened: OpenedRun,
    private readonly fitOnlyFlags: ReadonlySet<string> = new Set(),
  ) {
    this.choiceRun = { ...opened, readFirst: (count, signal) => this.readFirst(count, signal) };
  }

  /**
   * The run's first `count` frames (OpenedRun.readFirst), kept after a full read when they fit
   * in {@link FIRST_FRAMES_MAX_BYTES}: each background choice reads the same frames (the range's
   * first), and a threshold change makes a new choice. A read cut short (a stack being written,
   * a bad frame) is not kept: the next choice reads again, as a run would.
   */
  private async *readFirst(count: number, signal: AbortSignal | undefined): AsyncIterable<Frame> {
    const kept = this.firstFrames;
    if (kept !== undefined && kept.length >= count) {
      yield* kept.slice(0, count);
      return;
    }
    const read: Frame[] = [];
    let bytes = 0;
    for await (const frame of this.opened.readFirst(count, signal)) {
      bytes += frame.data.byteLength;
      if (bytes <= FIRST_FRAMES_MAX_BYTES) read.push(frame);
      yield frame;
    }
    if (read.length === count) this.firstFrames = read;
  }

  /**
   * The settings step of a run with these options (cached).
   * @param options - localize's options as parsed from its flags
   * @param frames - localize's frame options (range, channel)
   * @param flags - the flags they were parsed from (the cache's key)
   */
  settle(options: LocalizeOptions, frames: FrameSourceOptions, flags: Readonly<Record<string, string>>): Promise<Settled> {
    const key = flagKey(flags, 'threshold', ...this.fitOnlyFlags);
    return cached(this.settled, key, async () => {
      const warnings: string[] = [];
      const s = await estimateRunSettings(this.opened, options, { ...frames, follow: false }, (w) => warnings.push(w));
      return { options: s.options, settings: s.settings, warnings };
    });
  }

  /**
   * Localize frame `index` (0-based, in the stack) as a run with these options would.
   * @param index - the frame
   * @param options - localize's options as parsed from its flags
   * @param frames - localize's frame options
   * @param flags - the flags they were parsed from (the cache's key)
   * @param allowStale - when the background's choice for these flags is not made yet, answer at
   *   once with the last choice made (`backgroundCurrent: false`) and make it in the background
   *   (the latest asked first); else wait for it @default false
   * @throws InvalidOptionError for options a run would refuse; TiffError for a frame out of range
   */
  async preview(index: number, options: LocalizeOptions, frames: FrameSourceOptions, flags: Readonly<Record<string, string>>, allowStale = false): Promise<PreviewResult> {
    const t0 = performance.now();
    const step = await this.settle(options, frames, flags);
    // The cached step may come from flags that differ in the threshold or the fit's: what it
    // adds to the options (settingsFromFrames: the camera, its source, the σ) on this call's.
    const settled = { ...step, options: { ...options, camera: step.options.camera, cameraSource: step.options.cameraSource, psfSigmaNm: step.options.psfSigmaNm } };
    const warnings = [...settled.warnings];
    const key = flagKey(flags, ...this.fitOnlyFlags);
    const choose = () => cached(this.backgrounds, key, () => chooseBackground(this.choiceRun, settled.options)).then((c) => this.remember(key, c));
    const known = this.chosen.get(key);
    const previous = [...this.chosen.values()].at(-1);
    const current = known !== undefined || !allowStale || previous === undefined;
    const background = known ?? (current ? await choose() : (previous as ChosenBackground));
    if (background.warning) warnings.push(background.warning);
    if (background.notice) warnings.push(background.notice);
    // The cached choice may come from flags that differ in the fit's: only its background is taken.
    const resolved = this.resolve({ ...settled.options, background: background.options.background });
    // The same frame, flags and background as the last answer (a refresh after a stale one that
    // found the same choice): the same candidates and fits. The frame count is in the key: a
    // followed stack's new frames can change a frame's temporal median.
    const lastKey = JSON.stringify([index, this.opened.stack.metadata.frameCount, flagKey(flags), background.options.background ?? null]);
    if (this.last?.key === lastKey) {
      if (!current) this.chooseSoon(choose);
      return { ...this.last.result, warnings, backgroundCurrent: current, elapsedMs: performance.now() - t0 };
    }
    const frame = await this.frameWithBackground(index, resolved);
    const localizer = new FrameLocalizer(resolved);
    const batch = localizer.process(frame);
    const found = localizer.candidates;
    const candidates: PreviewCandidate[] = [];
    for (let i = 0; i < found.count; i++) candidates.push({ xPx: found.column[i], yPx: found.row[i] });
    const pixel = resolved.camera.pixelSizeNm;
    const fits: PreviewFit[] = [];
    for (let i = 0; i < batch.count; i++) {
      if (batch.status[i] !== FitStatus.converged) continue;
      const fit: PreviewFit = { xPx: batch.x[i] / pixel, yPx: batch.y[i] / pixel, photons: batch.intensity[i], sigmaNm: batch.sigma[i], uncertaintyNm: batch.uncertainty[i] };
      fits.push(batch.z ? { ...fit, zNm: batch.z[i] } : fit);
    }
    const result: PreviewResult = { frame: index, candidates, fits, elapsedMs: performance.now() - t0, camera: cameraSettings(resolved), warnings, backgroundCurrent: current };
    this.last = { key: lastKey, result };
    // Begun once the frame is done (its reads would let the choice's detections in before).
    if (!current) this.chooseSoon(choose);
    return result;
  }

  /** Keep a choice made (the newest last, the oldest dropped beyond the cache's size). */
  private remember(key: string, choice: ChosenBackground): ChosenBackground {
    this.chosen.delete(key);
    this.chosen.set(key, choice);
    if (this.chosen.size > CACHE_ENTRIES) this.chosen.delete(this.chosen.keys().next().value as string);
    return choice;
  }

  /**
   * Make a background choice in the background, one at a time: asked while another is being
   * made, it waits for it, and a later ask replaces it (a slider dragged starts no queue). It
   * starts after this turn of the event loop (setImmediate), so that the frame's answer is
   * computed and sent first rather than shared with its 30 frames of detection.
   */
  private chooseSoon(choose: () => Promise<unknown>): void {
    this.nextChoice = choose;
    if (this.choosing) return;
    this.choosing = true;
    setImmediate(async () => {
      for (let next = this.nextChoice; next !== undefined; next = this.nextChoice) {
        this.nextChoice = undefined;
        await next().catch(() => undefined); // the preview that waits for it reports the error
      }
      this.choosing = false;
    });
  }

  /** Resolve and check the options against the stack, as a run does before it starts. */
  private resolve(options: LocalizeOptions): ResolvedLocalizeOptions {
    const { metadata, input } = this.opened;
    const resolved = resolveLocalizeOptions(options, metadata);
    checkOffsetReachable(resolved.camera, metadata.sampleType);
    checkFrameSize(metadata.width, metadata.height, resolved.fit.box, input);
    frameCamera(resolved.camera, metadata.width, metadata.height);
    return resolved;
  }

  /**
   * The frame, with its temporal-median background when the run has one: the frames of the
   * halo around it pushed through a TemporalMedian for the part [position, position + 1) of the
   * run, so that the background is the one the run computes (same anchors, same windows).
   */
  private async frameWithBackground(index: number, options: ResolvedLocalizeOptions): Promise<Frame | BackgroundFrame> {
    const { stack, range } = this.opened;
    const background = options.background;
    if (background.method !== 'temporal-median') return stack.readFrame(index);
    const { start, step } = range;
    const end = Math.min(range.end, stack.metadata.frameCount);
    const position = (index - start) / step;
    if (!Number.isInteger(position) || position < 0 || index >= end) return stack.readFrame(index); // outside the run's range: no background
    const runLength = Math.ceil((end - start) / step);
    const part = { runLength, first: position, end: position + 1 };
    const halo = TemporalMedian.haloOf(runLength, part.first, part.end, background.windowFrames, background.anchorFrames);
    const median = new TemporalMedian(background.windowFrames, background.anchorFrames, part);
    const out: BackgroundFrame[] = [];
    for (let p = halo.from; p < halo.to; p++) out.push(...median.push(await stack.readFrame(start + p * step)));
    out.push(...median.finish());
    const found = out.find((f) => f.index === index);
    if (!found) throw new Error(`frame ${index + 1}: the temporal median gave no background`);
    return found;
  }
}

/** The camera settings of resolved options, as the page shows them. */
export function cameraSettings(options: ResolvedLocalizeOptions): CameraSettings {
  const c = options.camera;
  return { baselineAdu: c.baselineAdu, photonsPerAdu: c.photonsPerAdu, emGain: c.emGain, qe: c.qe, readNoiseElectrons: c.readNoiseElectrons, pixelSizeNm: c.pixelSizeNm };
}

/** A cache key of flags (name → value), in name order, less the names given. */
function flagKey(flags: Readonly<Record<string, string>>, ...without: string[]): string {
  return JSON.stringify(Object.entries(flags).filter(([name]) => !without.includes(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A promise from a small cache (a failed one is dropped, so that a retry runs again). */
function cached<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) return hit;
  const made = make();
  cache.set(key, made);
  made.catch(() => cache.delete(key));
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return made;
}

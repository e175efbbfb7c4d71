import type { FrameCamera } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';
import { Candidates } from './Candidates.js';
import type { ResolvedDetectOptions } from './DetectOptions.js';
import { SpotDetector } from './SpotDetector.js';

/** Frames at the start of a stack in which candidates are followed. */
export const PERSISTENCE_FRAMES = 30;
/**
 * Share of those frames a spot must be found in (within one pixel) to count as persistent: a
 * blinking molecule on for 3 frames on average stays 15 frames in a row with probability
 * (2/3)¹⁴ ≈ 0.3 %; a cell's vesicle stays all the time.
 */
export const PERSISTENT_SHARE = 0.9;
/**
 * Persistent spots per frame from which {@link PersistentSpots.warning} speaks: measured on the
 * simulated stacks (docs/guides/backgrounds.md, "cells and structured background"): 0 on sparse,
 * dense (1.5 and 3 per µm²), filament, sCMOS and 3-D stacks, 10–30 over a cell background.
 */
export const PERSISTENT_WARNING = 3;

/** What {@link PersistentSpots} found in the first frames. */
export interface Persistence {
  /** Frames followed. */
  frames: number;
  /**
   * Places where candidates were found in at least {@link PERSISTENT_SHARE} of the frames (the
   * 8-connected groups of such pixels: each a 3×3 square or more).
   */
  persistent: number;
  /** Candidates per frame, on average. */
  candidates: number;
}

/**
 * Follows the spot candidates of a stack's first {@link PERSISTENCE_FRAMES} frames, as the run's
 * detector finds them, and counts those that stay in place: blinking molecules come and go, a
 * cell's vesicles (and fiducial beads) stay, and are localized in every frame as false
 * positives (measured: 92 % of the false positives of a default run over a cell background sit
 * on vesicles). A check run once per stack, on frames the caller reads anyway.
 */
export class PersistentSpots {
  private readonly detector: SpotDetector;
  private readonly candidates = new Candidates();
  /** Frames in which a candidate lay within one pixel of each pixel. */
  private readonly seen: Uint8Array;
  /** The last frame (1-based) that marked each pixel: a pixel counts once per frame. */
  private readonly stamp: Uint8Array;
  private frames = 0;
  private found = 0;

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   * @param options - the run's detector options
   * @param camera - the run's camera for frames of this size
   */
  constructor(
    readonly width: number,
    readonly height: number,
    options: ResolvedDetectOptions,
    private readonly camera: FrameCamera,
  ) {
    this.detector = new SpotDetector(width, height, options, camera);
    this.seen = new Uint8Array(width * height);
    this.stamp = new Uint8Array(width * height);
  }

  /** Whether it takes more frames. */
  get wantsMore(): boolean {
    return this.frames < PERSISTENCE_FRAMES;
  }

  /**
   * Detect the candidates of the next frame and mark the 3×3 pixels around each.
   * @param adu - the frame, row-major, width·height
   */
  add(adu: PixelArray): void {
    if (!this.wantsMore) return;
    const { width, height, seen, stamp, candidates } = this;
    const frame = this.frames + 1;
    this.detector.detect(adu, candidates, this.camera);
    for (let k = 0; k < candidates.count; k++) {
      const row = candidates.row[k];
      const column = candidates.column[k];
      for (let r = Math.max(0, row - 1); r <= Math.min(height - 1, row + 1); r++) {
        for (let c = Math.max(0, column - 1); c <= Math.min(width - 1, column + 1); c++) {
          const p = r * width + c;
          // One mark per frame and pixel: two candidates' squares may overlap.
          if (stamp[p] !== frame) {
            stamp[p] = frame;
            seen[p]++;
          }
        }
      }
    }
    this.frames = frame;
    this.found += candidates.count;
  }

  /** The persistence found so far (counts the groups once; call it once, at the end). */
  result(): Persistence {
    const { seen, width, height } = this;
    const needed = Math.max(1, Math.ceil(PERSISTENT_SHARE * this.frames));
    // Flood-fill each group of pixels at or above the count, clearing it (the stamps are reused as the stack).
    const stack = new Int32Array(width * height);
    let persistent = 0;
    for (let start = 0; start < seen.length; start++) {
      if (seen[start] < needed) continue;
      persistent++;
      let top = 0;
      stack[top++] = start;
      seen[start] = 0;
      while (top > 0) {
        const p = stack[--top];
        const row = (p / width) | 0;
        const column = p - row * width;
        for (let r = Math.max(0, row - 1); r <= Math.min(height - 1, row + 1); r++) {
          for (let c = Math.max(0, column - 1); c <= Math.min(width - 1, column + 1); c++) {
            const q = r * width + c;
            if (seen[q] >= needed) {
              seen[q] = 0;
              stack[top++] = q;
            }
          }
        }
      }
    }
    return { frames: this.frames, persistent, candidates: this.frames > 0 ? Math.round(this.found / this.frames) : 0 };
  }

  /**
   * A warning naming `--background temporal-median` when, after all {@link PERSISTENCE_FRAMES}
   * frames, {@link PERSISTENT_WARNING} or more spots stayed in place; else undefined.
   */
  warning(): string | undefined {
    if (this.wantsMore) return undefined;
    const r = this.result();
    if (r.persistent < PERSISTENT_WARNING) return undefined;
    return `${r.persistent} spots stayed in place through frames 1–${r.frames} (of ${r.candidates} a frame): a cell's vesicles or other structured background (or fiducial beads), localized in every frame as false positives; --background temporal-median subtracts such a background`;
  }
}

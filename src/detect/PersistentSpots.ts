import type { CameraModel, FrameCamera } from '../camera/CameraModel.js';
import { frameCamera } from '../camera/CameraModel.js';
import type { PixelArray } from '../io/Frame.js';
import { Candidates } from './Candidates.js';
import type { ResolvedDetectOptions } from './DetectOptions.js';
import { SpotDetector } from './SpotDetector.js';

/** Frames at the start of a stack in which candidates are followed. */
export const PERSISTENCE_FRAMES = 30;
/**
 * Share of those frames a spot must be found in (within one pixel) to count as persistent: a
 * blinking molecule on for 3 frames on average stays 27 frames in a row with probability
 * (2/3)²⁶ ≈ 3·10⁻⁵; a cell's vesicle stays all the time. (30 frames at 80 % counted 10 places on
 * a stack of filaments at 3 molecules per µm², where the filaments are lit most of the time.)
 */
export const PERSISTENT_SHARE = 0.9;
/**
 * Persistent places from which {@link PersistentSpots.warning} speaks: measured on simulated
 * 128 × 128 px stacks (docs/guides/backgrounds.md, "Cells and structured background"): 0–1 on
 * sparse, dense (1.5 and 3 per µm²), filament, sCMOS, CCD and 3-D stacks, 4–16 over cell
 * backgrounds of the default peak.
 *
 * Its limit, measured (simulated cells, 128² px, default peak, 30 frames, seeds 34, 1, 2): the
 * places found fall with the density of the molecules on top, 3–8 at 0.01 /µm², 2–5 at 0.3,
 * 0–1 at 0.6, 0 at 1.0 and 0–1 at 1.5 (10 seeds at 1.5: 0 of 10 reach 3, at 0.15: 9 of 10). A
 * molecule within a few pixels of a vesicle makes one maximum of the two, often more than a
 * pixel away, so the vesicle's place misses the share in a third of the frames; plain stacks
 * of 1.5 /µm² count as many pixels seen in 60 % of the frames as the cells do, and a 5×5 mark
 * (2 px) counts 8–13 places on plain stacks at 3–6 /µm²: the candidates cannot tell a vesicle
 * from blinking molecules there. `--background temporal-median` is then the user's choice.
 */
export const PERSISTENT_WARNING = 3;

/**
 * The check looks at the central square of at most this side, px: 30 detections of a 1024² px
 * frame took 2 s of the reading thread (66 ms each), of 256² px 0.1 s.
 */
export const PERSISTENCE_CROP_PX = 256;

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
  /** The square looked at: its side lengths and first column and row. */
  readonly width: number;
  readonly height: number;
  private readonly column0: number;
  private readonly row0: number;
  private readonly frameWidth: number;
  private readonly crop: Float64Array;
  private readonly camera: FrameCamera;
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
   * @param camera - the run's camera (its maps cut to the square looked at)
   */
  constructor(width: number, height: number, options: ResolvedDetectOptions, camera: CameraModel) {
    this.frameWidth = width;
    this.width = Math.min(width, PERSISTENCE_CROP_PX);
    this.height = Math.min(height, PERSISTENCE_CROP_PX);
    this.column0 = (width - this.width) >> 1;
    this.row0 = (height - this.height) >> 1;
    width = this.width;
    height = this.height;
    const maps = camera.maps;
    const cut = maps ? { ...camera, maps: { ...maps, originX: (maps.originX ?? 0) + this.column0, originY: (maps.originY ?? 0) + this.row0 } } : camera;
    this.camera = frameCamera(cut, width, height);
    this.crop = new Float64Array(width * height);
    this.detector = new SpotDetector(width, height, options, this.camera);
    this.seen = new Uint8Array(width * height);
    this.stamp = new Uint8Array(width * height);
  }

  /** Whether it takes more frames. */
  get wantsMore(): boolean {
    return this.frames < PERSISTENCE_FRAMES;
  }

  /**
   * Detect the candidates of the next frame (in the central square) and mark the 3×3 pixels around each.
   * @param adu - the frame, row-major, width·height
   */
  add(adu: PixelArray): void {
    if (!this.wantsMore) return;
    const { width, height, seen, stamp, candidates, crop } = this;
    const frame = this.frames + 1;
    for (let r = 0; r < height; r++) {
      const from = (r + this.row0) * this.frameWidth + this.column0;
      for (let c = 0; c < width; c++) crop[r * width + c] = adu[from + c];
    }
    this.detector.detect(crop, candidates, this.camera);
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

/**
 * What `localizeStack` is given and what it returns: the run, its progress and its summary
 * (what the sidecar records). Kept apart from the run's steps so that each step can name them.
 */
import type { MergeOptions } from '../src/post/BlinkMerger.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import type { NamedPath } from '../src/export/checkOutputPaths.js';
import type { LocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import type { LocalizeStats } from '../src/pipeline/LocalizeStats.js';
import type { RunSettings } from './estimateRunSettings.js';
import type { LocalizationBatch } from '../src/table/LocalizationBatch.js';

/** Defaults of the live preview, stated once. */
export const PREVIEW_DEFAULTS = {
  /** Frames between refreshes. */
  everyFrames: 200,
  /** Pixel of the preview image, nm. */
  pixelNm: 20,
} as const;

/** Progress of a run, reported after every frame (on a queue, after every job: its frames arrive at once). */
export interface Progress {
  /** Frames done. */
  frames: number;
  /** Frames expected (undefined in follow mode). */
  total: number | undefined;
  /** 1-based number of the last frame done. */
  frame: number;
  /** Rows written so far. */
  localizations: number;
  /** Seconds since the start. */
  seconds: number;
  /** With a queue: the workers that have returned chunks so far. */
  workers?: number;
}

/** What to run. */
export interface LocalizeStackRun {
  /**
   * The stack: a TIFF file (a Micro-Manager series is followed from any of its files), a folder
   * of TIFFs, or a list of files, as one stack (see `openStack`).
   */
  input: string | readonly string[];
  /** The CSV to write (its sidecar goes next to it, `.json`). */
  output: string;
  /**
   * The other files the caller read for this run (the calibration of `options.astigmatism`,
   * the camera maps of `options.camera.maps`), with what each is: no output may replace them
   * (see checkOutputPaths). The stack's own files are added here.
   * @default []
   */
  inputs?: readonly NamedPath[];
  /** Pipeline options (pixel size from the file when not given). */
  options?: LocalizeOptions;
  /** Frame range (0-based start, exclusive end, step) and follow mode. */
  frames?: FrameSourceOptions;
  /** Write every fit, not only converged ones. @default false */
  includeAllFits?: boolean;
  /** Worker threads (1 = all on this thread), at most the cores and the chunks of the run.
   *  @default see `chooseWorkers`: available cores, at most one per 512 frames; 1 in follow mode */
  workers?: number;
  /**
   * Merge blinks as the run goes (`BatchMerger`, ThunderSTORM's rules) into a second CSV,
   * `path` (default NAME.merged.csv next to the CSV); the CSV of every localization is written
   * as always.
   */
  merge?: MergeOptions & { path?: string };
  /** A live preview: a super-resolution PNG rewritten every `everyFrames` frames and at the end. */
  preview?: { path: string; everyFrames?: number; pixelNm?: number };
  /**
   * Stop early when this signal aborts: reading stops, the frames in flight are finished, their
   * rows kept, and the sidecar records the abort's reason (`String(signal.reason)`).
   */
  signal?: AbortSignal;
  /**
   * Localize on the machines running `smlm-stream worker` against this queue,
   * `redis://[:PASSWORD@]HOST:PORT` (see localizeOnQueue): the stack's paths must be the same
   * on every machine (shared storage). The CSV is the one a run on this machine writes; the
   * sidecar adds the queue (without its password) and the workers. Not with follow mode.
   */
  queue?: string;
  /** Called after every frame (with a queue: after every job's frames). */
  onProgress?: (progress: Progress) => void;
  /**
   * Called with every frame's batch as it is written to the CSV, in frame order (every fit, each
   * with its status: the CSV keeps the converged ones unless `includeAllFits`); `smlm-stream
   * view` draws them as they come. The batch is the caller's to keep. A promise returned is
   * awaited before the next frame (a server on this thread yields to its requests there).
   */
  onBatch?: (batch: LocalizationBatch) => void | Promise<void>;
  /** Called with warnings (a base level above most pixels, saturated pixels, fewer workers). */
  onWarning?: (message: string) => void;
  /** Called with what a person should know about how the input was read (the series a file belongs to). */
  onNotice?: (message: string) => void;
}

/** Medians of the localizations written: what a microscopist checks first. */
export interface RunMedians {
  /** Lateral uncertainty, nm. */
  uncertaintyNm: number;
  /** Photons N of a localization. */
  photons: number;
  /** Background, photons per pixel. */
  backgroundPhotons: number;
}

/** The outcome of a run (also what the sidecar records). */
export interface LocalizeStackSummary {
  /** The stack: its (first) file's path. */
  input: string;
  /** Where the rows are: the CSV's final path, or `NAME.csv.partial` after a write error. */
  output: string;
  sidecar: string;
  /** Whether every requested frame was processed. */
  complete: boolean;
  /** Why the run stopped early when it was aborted (the signal's reason). */
  stopReason?: string;
  frames: number;
  /** Rows written. */
  localizations: number;
  /** With `merge`: the merged CSV (or its `.partial` after a write error) and its rows. */
  merged?: { output: string; molecules: number };
  stats: LocalizeStats;
  /** Medians of the rows written (NaN when none). */
  medians: RunMedians;
  /** Worker threads used (with a queue: the queue workers that returned chunks). */
  workers: number;
  /** With a queue: its address (without a password) and the workers that returned chunks. */
  cluster?: { queue: string; workers: string[] };
  /** Wall time, s, and the time of reading and writing (the stages are in `stats.ms`). */
  seconds: number;
  readSeconds: number;
  writeSeconds: number;
  /** The error that ended the run early, if any. */
  error?: Error;
  /** What the settings step estimated (the camera, the PSF σ) and where the settings come from. */
  settings?: RunSettings;
}

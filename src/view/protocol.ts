/**
 * The contract between `smlm-stream view`'s server (src/view/server) and its page
 * (src/view/client): route paths, the token's header and query names, the binary record layout of
 * /api/locs and /api/frame, the Server-Sent Event names and the JSON shapes. One home for each,
 * imported by both sides; no node:, DOM or rxjs imports (it is compiled into the page too).
 */

/** The request header that carries the session token (the page sends it on every fetch). */
export const TOKEN_HEADER = 'X-Smlm-Token';

/** The query parameter that carries the session token (the first URL, EventSource, downloads). */
export const TOKEN_QUERY = 'token';

/**
 * The placeholder in index.html that the server replaces with the token when it serves the page,
 * so that `app.js?token=…` and `app.css?token=…` pass the token check (every request needs it).
 */
export const TOKEN_PLACEHOLDER = '__SMLM_VIEW_TOKEN__';

/** Bytes of randomness in the token (hex: twice as many characters): 128 bits. */
export const TOKEN_BYTES = 16;

/** The server's routes (GET unless said). */
export const ROUTES = {
  /** The page: index.html. */
  index: '/',
  /** The bundled page script (dist/view/app.js). */
  app: '/app.js',
  /** The page's style sheet (dist/view/app.css), when there is one. */
  css: '/app.css',
  /** {@link ViewState}. */
  state: '/api/state',
  /** {@link FileListing} of `?dir=REL`. */
  files: '/api/files',
  /** POST {@link OpenRequest} → {@link StackInfo}. */
  open: '/api/open',
  /** `?index=I` → the frame's raw ADU as little-endian Float32, row-major; {@link FRAME_HEADERS}. */
  frame: '/api/frame',
  /** POST {@link PreviewRequest} → {@link PreviewResult}. */
  preview: '/api/preview',
  /** POST {@link RunRequest} → {@link RunStarted}; 409 while a run is going. */
  run: '/api/run',
  /** POST → {@link CancelResult}. */
  cancel: '/api/run/cancel',
  /** Server-Sent Events ({@link VIEW_EVENTS}); the token as a query parameter. */
  events: '/api/events',
  /** `?from=K` → LOC_RECORD_FIELDS little-endian Float32 per localization; {@link LOCS_TOTAL_HEADER}. */
  locs: '/api/locs',
  /** `?format=csv|picasso&filter=EXPR` → a download (Content-Disposition). */
  export: '/api/export',
  /** POST → {@link DriftResult}: `smlm-stream drift` on the table shown; the corrected table becomes the one shown. */
  drift: '/api/drift',
  /** POST → {@link MergeResult}: `smlm-stream merge` on the table shown; the merged table becomes the one shown. */
  merge: '/api/merge',
  /** POST → {@link ResolutionResult}: `smlm-stream resolution` (NeNA, FRC) on the table shown. */
  resolution: '/api/resolution',
} as const;

/** The headers of a /api/frame answer. */
export const FRAME_HEADERS = {
  width: 'X-Frame-Width',
  height: 'X-Frame-Height',
  index: 'X-Frame-Index',
} as const;

/** The header of a /api/locs answer: the number of localizations so far (all, not only those sent). */
export const LOCS_TOTAL_HEADER = 'X-Locs-Total';

/**
 * The floats of one localization in /api/locs, in this order: x and y in nm from the image's
 * top-left corner, z in nm (NaN in 2-D), the frame (0-based), photons, background photons per
 * pixel, the localization uncertainty (nm, CRLB) and the PSF σ (nm).
 */
export const LOC_RECORD_FIELDS = ['xNm', 'yNm', 'zNm', 'frame', 'photons', 'backgroundPhotons', 'uncertaintyNm', 'sigmaNm'] as const;

/** Floats per localization in /api/locs. */
export const LOC_RECORD_LENGTH = LOC_RECORD_FIELDS.length;

/** One field of a localization record. */
export type LocRecordField = (typeof LOC_RECORD_FIELDS)[number];

/** Each field's offset in a record: `records[i * LOC_RECORD_LENGTH + LOC_FIELD.photons]`. */
export const LOC_FIELD = Object.fromEntries(LOC_RECORD_FIELDS.map((f, i) => [f, i])) as Readonly<Record<LocRecordField, number>>;

/** The names of the Server-Sent Events of /api/events. */
export const VIEW_EVENTS = {
  /** {@link ProgressEvent}. */
  progress: 'progress',
  /** {@link DoneEvent}. */
  done: 'done',
  /** {@link CancelledEvent}. */
  cancelled: 'cancelled',
  /** {@link ErrorEvent}. */
  error: 'error',
  /** {@link FramesEvent}: follow mode saw new frames (or a stack was opened). */
  frames: 'frames',
  /** {@link NoteEvent}: a warning of the run (what `localize` prints as `warning: …`). */
  warning: 'warning',
  /** {@link NoteEvent}: a notice of the run (how the stack was read, the background chosen). */
  notice: 'notice',
} as const;

/** An entry's kind in a listing. */
export type FileKind = 'stack' | 'series' | 'folder' | 'csv' | 'other';

/** What was opened: a stack (frames) or a localization CSV (no frames). */
export interface StackInfo {
  /** Path relative to the server's root, '/'-separated ('' or '.' for the root itself). */
  readonly path: string;
  readonly kind: 'stack' | 'csv';
  /** Frame width, px (0 for a CSV). */
  readonly width: number;
  /** Frame height, px (0 for a CSV). */
  readonly height: number;
  /** Frames so far (grows in follow mode; 0 for a CSV). */
  readonly frames: number;
  /** Pixel size in the sample, nm (from the flags, the metadata or the default). */
  readonly pixelSizeNm: number;
  /** For a CSV: the image's extent in nm (the largest x and y), for the reconstruction's size. */
  readonly widthNm?: number;
  readonly heightNm?: number;
}

/** The run's state. */
export interface RunStatus {
  readonly state: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  readonly runId: number | null;
  readonly framesDone: number;
  readonly framesTotal: number;
  readonly localizations: number;
  /** The CSV the run writes (relative to the root when under it, else absolute). */
  readonly csvPath: string | null;
  readonly message?: string;
}

/** The camera settings the server estimated (or was given), in localize's units. */
export interface CameraSettings {
  readonly baselineAdu: number;
  readonly photonsPerAdu: number;
  readonly emGain: number;
  readonly qe: number;
  readonly readNoiseElectrons: number;
  readonly pixelSizeNm: number;
}

/** GET /api/state. */
export interface ViewState {
  /** The root's absolute path (shown to the user). */
  readonly root: string;
  readonly opened: StackInfo | null;
  /** The localize flags given on the command line, flag name (no dashes) → value ('' for a switch). */
  readonly flags: Readonly<Record<string, string>>;
  /** What localize's self-calibration estimates from the opened stack, when done. */
  readonly estimated: { readonly camera?: CameraSettings; readonly psfSigmaNm?: number } | null;
  readonly run: RunStatus;
  /** Whether the server follows a growing stack (--follow). */
  readonly follow: boolean;
  /** localize's default of each flag the page shows (e.g. threshold), as the CLI's help says. */
  readonly defaults: Readonly<Record<string, string>>;
}

/** One entry of GET /api/files. */
export interface FileEntry {
  readonly name: string;
  /** Relative to the root, '/'-separated. */
  readonly path: string;
  readonly kind: FileKind;
}

/** GET /api/files. */
export interface FileListing {
  readonly dir: string;
  readonly entries: readonly FileEntry[];
}

/** POST /api/open. */
export interface OpenRequest {
  readonly path: string;
}

/** localize flags by name without dashes → value as typed ('' or 'true' for a switch). */
export type FlagValues = Readonly<Record<string, string>>;

/** POST /api/preview. */
export interface PreviewRequest {
  /** 0-based frame index. */
  readonly frame: number;
  readonly flags: FlagValues;
  /**
   * Answer at once when the background's choice for these flags is not made yet (with the last
   * choice made, `backgroundCurrent: false`) rather than wait for it. @default false
   */
  readonly allowStale?: boolean;
}

/**
 * A candidate of detection: the peak pixel's column (xPx) and row (yPx), whole pixels (the pixel
 * whose top-left corner is at (xPx, yPx); its centre at +0.5), as localize's detection finds it.
 */
export interface PreviewCandidate {
  readonly xPx: number;
  readonly yPx: number;
}

/** A fit of the preview, positions in px of the frame (0 = the left edge of the first pixel). */
export interface PreviewFit {
  readonly xPx: number;
  readonly yPx: number;
  readonly photons: number;
  readonly sigmaNm: number;
  readonly uncertaintyNm: number;
  readonly zNm?: number;
}

/** POST /api/preview's answer. */
export interface PreviewResult {
  readonly frame: number;
  readonly candidates: readonly PreviewCandidate[];
  readonly fits: readonly PreviewFit[];
  /** The server's time for camera → background → detection → fit of this frame, ms. */
  readonly elapsedMs: number;
  /** The camera settings used. */
  readonly camera: CameraSettings;
  readonly warnings: readonly string[];
  /**
   * Whether the background is the one a run with these flags chooses (then the candidates and
   * fits are the run's); false only for a request with `allowStale`, answered with the last
   * choice while this one is made.
   */
  readonly backgroundCurrent: boolean;
}

/** POST /api/run. */
export interface RunRequest {
  readonly flags: FlagValues;
}

/** POST /api/run's answer. */
export interface RunStarted {
  readonly runId: number;
  readonly csvPath: string;
}

/** POST /api/run/cancel's answer. */
export interface CancelResult {
  readonly cancelled: boolean;
}

/** An error answer (4xx, 5xx): `{ error }`, the message the CLI would give. */
export interface ErrorBody {
  readonly error: string;
}

/** SSE `progress`. */
export interface ProgressEvent {
  readonly runId: number;
  readonly framesDone: number;
  readonly framesTotal: number;
  readonly localizations: number;
}

/** SSE `done`. */
export interface DoneEvent {
  readonly runId: number;
  readonly csvPath: string;
  readonly localizations: number;
  readonly elapsedS: number;
}

/** SSE `cancelled`. */
export interface CancelledEvent {
  readonly runId: number;
}

/** SSE `error`. */
export interface ErrorEvent {
  readonly runId: number;
  readonly message: string;
}

/** SSE `warning` and `notice`. */
export interface NoteEvent {
  readonly runId: number;
  readonly message: string;
}

/** SSE `frames`: the opened stack now has this many frames. */
export interface FramesEvent {
  readonly frames: number;
}

/**
 * The export formats of /api/export: csv, picasso (Picasso's HDF5), picasso-yaml (the YAML
 * Picasso needs beside that HDF5, for the same filter).
 */
export const EXPORT_FORMATS = ['csv', 'picasso', 'picasso-yaml'] as const;

/** One export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What a post-processing step (drift, merge) wrote and what the page now shows. */
export interface StepTable {
  /** The table written, the table shown from now on (relative to the root when under it). */
  readonly csvPath: string;
  /** The other files the step wrote (its sidecar, the drift trajectory). */
  readonly written: readonly string[];
  /** Localizations of the table the step read. */
  readonly rowsBefore: number;
  /** Localizations of the table it wrote (the page's /api/locs holds these now). */
  readonly rowsAfter: number;
  /** The command's report, as it prints it. */
  readonly report: readonly string[];
}

/** POST /api/drift's answer: the trajectory (what was subtracted, relative to frame 1). */
export interface DriftResult extends StepTable {
  /** Frames, from 1. */
  readonly frame: readonly number[];
  /** Drift of each frame, nm. */
  readonly dxNm: readonly number[];
  readonly dyNm: readonly number[];
  /** The trajectory's precision (two independent halves), nm. */
  readonly precisionNm: { readonly x: number; readonly y: number };
}

/** POST /api/merge's answer. */
export type MergeResult = StepTable;

/** POST /api/resolution's answer: the figures of `smlm-stream resolution --json` (null where it has none). */
export interface ResolutionResult {
  /** The table measured (relative to the root when under it). */
  readonly csvPath: string;
  readonly localizations: number;
  /** NeNA, the mean localization precision, nm, and its standard error; null with `nenaError` when NeNA refused the table. */
  readonly nenaNm: number | null;
  readonly nenaStandardErrorNm: number | null;
  /** Why NeNA is missing (a merged table, too few next-frame pairs): the command's message. */
  readonly nenaError?: string;
  /** FRC resolution at the 1/7 threshold, nm: the mean and SD over the splits (null when never crossed). */
  readonly frcResolutionNm: number | null;
  readonly frcResolutionSdNm: number | null;
  /** The FRC curve: spatial frequency (1/nm) and the smoothed correlation, and the threshold. */
  readonly frcFrequencyPerNm: readonly number[];
  readonly frcSmoothed: readonly number[];
  readonly frcThreshold: number;
  /** The command's report, as it prints it. */
  readonly report: readonly string[];
}

/** The URL of a route with the token as a query parameter (EventSource, downloads). */
export function withToken(route: string, token: string, query: Readonly<Record<string, string>> = {}): string {
  const params = new URLSearchParams({ ...query, [TOKEN_QUERY]: token });
  return `${route}?${params.toString()}`;
}

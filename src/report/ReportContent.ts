import type { JsonRecord, StepSummary } from './readRunRecord.js';
import type { ColumnHistogram, FrameCounts } from './summarizeTable.js';

/** The sections of a report, in page order: each is a `<section>` with this `id` and `data-testid`. */
export const REPORT_SECTIONS = ['summary', 'image', 'per-frame', 'histograms', 'drift', 'nena', 'frc', 'camera', 'parameters', 'timing'] as const;

/** A section's id. */
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/** A result that could not be had, and why (shown in its section instead of a number). */
export interface NotComputed {
  readonly reason: string;
}

/** The super-resolution image of a report. */
export interface ReportImage {
  /** The PNG's bytes (inlined as a data: URI). */
  readonly png: Uint8Array;
  /** Size, px, and the pixel size, nm. */
  readonly width: number;
  readonly height: number;
  readonly pixelNm: number;
  /** How localizations were drawn. */
  readonly mode: string;
  /** Localizations drawn (inside the field of view). */
  readonly drawn: number;
  /** The scale bar: its length, nm, and its label. */
  readonly scaleBar: { readonly lengthNm: number; readonly label: string };
}

/** NeNA's result as the report shows it. */
export interface NenaResult {
  /** Mean localization precision, nm, and its standard error. */
  readonly precisionNm: number;
  readonly precisionSeNm: number;
  /** Pairs of next-frame nearest neighbours used. */
  readonly pairs: number;
  /** The fitted distance distribution (inline SVG), when drawn. */
  readonly svg?: string;
  /** Its parameters, as the library records them. */
  readonly parameters?: JsonRecord;
}

/** FRC's result as the report shows it. */
export interface FrcResult {
  /** The resolution at the 1/7 threshold, nm, and its spread over the random splits. */
  readonly resolutionNm: number;
  readonly resolutionSdNm: number;
  /** The curve with the threshold and the crossing (inline SVG). */
  readonly svg: string;
  readonly parameters?: JsonRecord;
}

/** The drift the run corrected. */
export interface DriftResult {
  /** The trajectory plot (inline SVG). */
  readonly svg: string;
  /** The trajectory's file. */
  readonly path: string;
  /** Frames, and the largest drift along x and y, nm. */
  readonly frames: number;
  readonly maxAbsNm: { readonly x: number; readonly y: number };
  /** The estimate's precision, nm, as the drift step recorded it. */
  readonly precisionNm: { readonly x: number; readonly y: number } | undefined;
}

/** Everything a report page shows, computed (the page builder only formats it). */
export interface ReportContent {
  /** The record file the report is of, and the table it read. */
  readonly recordPath: string;
  readonly table: string;
  /** Rows of the table read, and a sentence on rows left out (no usable frame, x or y). */
  readonly rows: number;
  readonly skippedRows: string | undefined;
  /** Whether the table is merged (one row per molecule). */
  readonly merged: boolean;
  /** The localization run's record, and the steps after it. */
  readonly run: JsonRecord | undefined;
  readonly steps: readonly StepSummary[];
  readonly image: ReportImage;
  readonly frames: { readonly counts: FrameCounts; readonly svg: string };
  readonly histograms: readonly { readonly histogram: ColumnHistogram; readonly unit: string; readonly svg: string }[];
  /** undefined: the run corrected no drift. */
  readonly drift: DriftResult | NotComputed | undefined;
  readonly nena: NenaResult | NotComputed;
  readonly frc: FrcResult | NotComputed;
  /** The software that made the report, when, and how long it took, s. */
  readonly reportedBy: { readonly version: string; readonly runtime: string; readonly made: string; readonly seconds: number };
}

/** Whether a result is a {@link NotComputed}. */
export function notComputed(value: object): value is NotComputed {
  return typeof (value as NotComputed).reason === 'string';
}

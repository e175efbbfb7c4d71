/**
 * Localization to a finished, drift-corrected image — a composition of the library's steps:
 *
 *     TIFF stack ─▶ localizeStack (+ blinks merged as the run goes) ─▶ NAME.merged.csv
 *                ─▶ estimateDriftAim ─▶ correctDrift ─▶ NAME.merged.corrected.csv (+ .drift.csv)
 *                ─▶ SuperResolutionImage ─▶ NAME.png
 *
 * Each file gets its sidecar: the localization run's, then one per step recording its
 * parameters and the record before it. Merging comes before drift correction here, as in
 * ThunderSTORM's and Picasso's usual order: a molecule's detections are seconds apart, where
 * drift is far below the merging distance, and drift is estimated better from molecules (each
 * one more precise) than from their detections.
 */
import { checkOutputPaths } from '../src/export/checkOutputPaths.js';
import { RUN_RECORD } from '../src/export/checkRecordPath.js';
import { partialPath } from '../src/export/CsvFile.js';
import { temporaryPath, writeFileAtomically } from '../src/export/writeFileAtomically.js';
import { sidecarPath } from '../src/export/writeSidecar.js';
import { writeStepSidecar } from '../src/export/writeStepSidecar.js';
import type { MergeOptions } from '../src/post/BlinkMerger.js';
import { correctDrift } from '../src/post/correctDrift.js';
import { driftPath, DRIFT_HEADERS } from '../src/table/driftPath.js';
import type { DriftTrajectory } from '../src/post/DriftTrajectory.js';
import type { AimOptions } from '../src/post/estimateDriftAim.js';
import { AIM_DEFAULTS, estimateDriftAim } from '../src/post/estimateDriftAim.js';
import { encodePng } from '../src/render/encodePng.js';
import { SuperResolutionImage } from '../src/render/SuperResolutionImage.js';
import { writeLocalizationTable } from '../src/export/writeLocalizationTable.js';
import { positions, readLocalizationTable } from '../src/table/LocalizationTable.js';
import type { LocalizeStackRun, LocalizeStackSummary } from './LocalizeStackRun.js';
import { localizeStack } from './localizeStack.js';

/** What to run: a localization run, with merging and drift options, and the image's pixel. */
export interface LocalizeMergeDriftRun extends Omit<LocalizeStackRun, 'merge'> {
  /** Merging (ThunderSTORM's defaults). */
  merge?: MergeOptions;
  /** Drift estimation (AIM's defaults). */
  drift?: AimOptions;
  /** The image: its path and pixel, nm. @default NAME.png, 10 nm */
  image?: { path?: string; pixelNm?: number };
}

/** What came of it. */
export interface LocalizeMergeDriftSummary {
  localize: LocalizeStackSummary;
  /** The merged, corrected table and its drift. */
  corrected: string;
  drift: DriftTrajectory;
  image: string;
}

/**
 * Localize a stack, merge blinks, correct drift, render.
 * @param run - as {@link localizeStack}, plus merge, drift and image options
 */
export async function localizeMergeDrift(run: LocalizeMergeDriftRun): Promise<LocalizeMergeDriftSummary> {
  const mergedPath = run.output.replace(/\.csv$/i, '') + '.merged.csv';
  const corrected = mergedPath.replace(/\.csv$/i, '.corrected.csv');
  const png = run.image?.path ?? run.output.replace(/\.csv$/i, '') + '.png';
  // The steps' own outputs, checked before anything runs (localizeStack checks its own).
  const inputs = [...(typeof run.input === 'string' ? [run.input] : run.input).map((path) => ({ path, role: 'the input stack' })), ...(run.inputs ?? [])];
  checkOutputPaths(inputs, [
    { path: run.output, role: 'the CSV' },
    { path: mergedPath, role: 'the merged CSV' },
    { path: corrected, role: 'the corrected CSV' },
    { path: partialPath(corrected), role: "the corrected CSV's temporary file" },
    { path: sidecarPath(corrected), role: "the corrected CSV's sidecar", record: RUN_RECORD },
    { path: temporaryPath(sidecarPath(corrected)), role: "the corrected CSV's sidecar's temporary file" },
    { path: driftPath(corrected), role: 'the drift trajectory' },
    { path: partialPath(driftPath(corrected)), role: "the drift trajectory's temporary file" },
    { path: png, role: 'the image' },
    { path: temporaryPath(png), role: "the image's temporary file" },
  ]);
  const localize = await localizeStack({ ...run, merge: { ...run.merge, path: mergedPath } });
  const merged = mergedPath;
  const started = new Date().toISOString();
  const t0 = performance.now();
  const table = readLocalizationTable(merged);
  const { frame, x, y } = positions(table, merged);
  const options = { ...AIM_DEFAULTS, ...run.drift };
  const drift = estimateDriftAim(frame, x, y, options);
  const result = correctDrift(table, drift, merged);
  writeLocalizationTable(corrected, result);
  const frames = Float64Array.from(drift.x, (_, f) => f + 1);
  writeLocalizationTable(driftPath(corrected), { header: DRIFT_HEADERS, columns: [frames, drift.x, drift.y], rows: frames.length });
  writeStepSidecar({
    step: 'drift',
    input: merged,
    output: corrected,
    parameters: { method: 'aim', ...options },
    counts: { rowsIn: table.rows, rowsOut: result.rows },
    results: { precisionNm: drift.precisionNm, trajectory: driftPath(corrected) },
    started,
    seconds: (performance.now() - t0) / 1000,
  });
  // The image of the camera's field, from the corrected positions.
  const pixelNm = run.image?.pixelNm ?? 10;
  const p = positions(result, corrected);
  let x1 = 1;
  let y1 = 1;
  for (let i = 0; i < result.rows; i++) {
    x1 = Math.max(x1, p.x[i]);
    y1 = Math.max(y1, p.y[i]);
  }
  const image = new SuperResolutionImage({ pixelNm, mode: 'histogram', range: { x0: 0, x1, y0: 0, y1 } });
  image.add(p.x, p.y);
  writeFileAtomically(png, encodePng(image.counts, image.width, image.height));
  return { localize, corrected, drift, image: png };
}

import { temporaryPath, writeFileAtomically } from '../export/writeFileAtomically.js';
import { correctDrift } from '../post/correctDrift.js';
import { driftPath, DRIFT_HEADERS } from '../table/driftPath.js';
import { AIM_DEFAULTS, estimateDriftAim } from '../post/estimateDriftAim.js';
import { DRIFT_DEFAULTS } from '../post/DriftTrajectory.js';
import { readDriftTrajectory } from '../post/readDriftTrajectory.js';
import { findFaultyRows } from '../table/checkRows.js';
import { writeLocalizationTable } from '../export/writeLocalizationTable.js';
import { positionColumns } from '../table/LocalizationTable.js';
import { refuseFaultyRows } from '../table/refuseFaultyRows.js';
import { partialPath } from '../export/CsvFile.js';
import { FlagTable } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';
import { runTableStep } from './tableStep.js';
import type { TableStep } from './tableStep.js';
import { UsageError } from './UsageError.js';

/** A trajectory less precise than this (nm, either axis) is reported as a poor estimate. */
const POOR_PRECISION_NM = 5;

export const DRIFT_FLAGS = new FlagTable([
  ['Output', [
    { name: 'output', short: 'o', value: 'FILE', help: 'corrected CSV to write; the drift goes to FILE with .drift.csv, the sidecar to FILE with .json', default: 'LOCS.corrected.csv' },
    { name: 'plot', value: 'FILE', help: 'draw the drift x and y against the frame as a PNG' },
    { name: 'true-drift', value: 'FILE', help: "a known drift (a simulation's NAME.truth.drift.csv): drawn dashed, and the estimate's RMS error reported" },
  ]],
  ['Estimate (AIM: Ma et al., Sci. Adv. 2024; defaults as Picasso and webSMLM)', [
    { name: 'method', value: 'M', help: 'aim (adaptive intersection maximization)', default: DRIFT_DEFAULTS.method },
    { name: 'segment-frames', value: 'N', help: 'frames per segment: each segment gets one drift estimate', default: String(AIM_DEFAULTS.segmentFrames), option: 'segmentFrames' },
    { name: 'intersect', value: 'NM', help: 'two localizations closer than this intersect', default: String(AIM_DEFAULTS.intersectNm), option: 'intersectNm' },
    { name: 'search', value: 'NM', help: "a segment's drift is searched this far from the previous segment's", default: String(AIM_DEFAULTS.searchNm), option: 'searchNm' },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = DRIFT_FLAGS;

export const help = `smlm-stream drift LOCS.csv [-o OUT.csv] [options]

Estimates the stage drift of a localization table (ours or ThunderSTORM's) and subtracts it: OUT.csv
is the table with x and y corrected and every other column kept; OUT.drift.csv holds the drift
of every frame (what was subtracted), relative to frame 1. The estimate's precision is reported
(from two independent halves of the data) and recorded in OUT.json.

${DRIFT_FLAGS.help()}`;

export const optionFlags = DRIFT_FLAGS.optionFlags;

/** The flags that take a value (to name the flag that gave a missing file). */
export const valueFlags = DRIFT_FLAGS.valueFlags;

const DRIFT: TableStep = {
  name: 'drift',
  suffix: 'corrected',
  flags: DRIFT_FLAGS,
  extraInputs(values) {
    return typeof values['true-drift'] === 'string' ? [{ path: values['true-drift'], role: 'the true drift (--true-drift)' }] : [];
  },
  extraOutputs(output, values) {
    const plot = typeof values.plot === 'string' ? values.plot : undefined;
    return [
      { path: driftPath(output), role: 'the drift trajectory' },
      { path: partialPath(driftPath(output)), role: "the drift trajectory's temporary file" },
      ...(plot ? [{ path: plot, role: 'the drift plot' }, { path: temporaryPath(plot), role: "the drift plot's temporary file" }] : []),
    ];
  },
  apply(table, input, output, values, out) {
    const method = values.method ?? DRIFT_DEFAULTS.method;
    if (method !== 'aim') throw new UsageError(`--method must be aim, got '${String(method)}'`);
    const number = (flag: string, fallback: number, integer = false) => (typeof values[flag] === 'string' ? parseNumber(values[flag], `--${flag}`, { min: integer ? 1 : 1e-3, integer }) : fallback);
    const options = {
      segmentFrames: number('segment-frames', AIM_DEFAULTS.segmentFrames, true),
      intersectNm: number('intersect', AIM_DEFAULTS.intersectNm),
      searchNm: number('search', AIM_DEFAULTS.searchNm),
    };
    const truth = typeof values['true-drift'] === 'string' ? readDriftTrajectory(values['true-drift']) : undefined;
    // Pass 1 holds the frame (Int32 while whole), x and y (Float64, as written) columns only;
    // pass 2 corrects the rows block by block while they are written.
    const c = positionColumns(table, input);
    const [frame, x, y] = table.readColumns([c.frame, c.x, c.y], [c.frame]);
    refuseFaultyRows(input, 'drift', findFaultyRows(frame, x, y));
    const t0 = performance.now();
    const drift = estimateDriftAim(frame, x, y, options);
    const seconds = (performance.now() - t0) / 1000;
    const range = (v: Float64Array) => `${v.reduce((a, b) => Math.min(a, b), Infinity).toFixed(1)} to ${v.reduce((a, b) => Math.max(a, b), -Infinity).toFixed(1)} nm`;
    const p = drift.precisionNm;
    out(`smlm-stream drift: ${table.rows} localizations of ${drift.x.length} frames, ${drift.segments.length} segments of ${options.segmentFrames} frames, AIM in ${seconds.toFixed(2)} s`);
    out(`  drift x ${range(drift.x)}, y ${range(drift.y)} (relative to frame 1)`);
    out(`  precision of the trajectory: ${p.x.toFixed(2)} nm (x), ${p.y.toFixed(2)} nm (y)`);
    if (p.x > POOR_PRECISION_NM || p.y > POOR_PRECISION_NM) {
      out(`  warning: the estimate is poor (worse than ${POOR_PRECISION_NM} nm): too few localizations per segment, or a sample without repeated structure; try longer segments (--segment-frames)`);
    }
    let truthError: { x: number; y: number; offsetX: number; offsetY: number } | undefined;
    if (truth) {
      // The estimate against the truth, both relative to frame 1, the mean difference removed.
      const n = Math.min(truth.x.length, drift.x.length);
      const compare = (a: Float64Array, b: Float64Array) => {
        let mean = 0;
        for (let f = 0; f < n; f++) mean += (a[f] - (b[f] - b[0])) / n;
        let s = 0;
        for (let f = 0; f < n; f++) s += (a[f] - (b[f] - b[0]) - mean) ** 2;
        return [Math.sqrt(s / n), mean];
      };
      const [x, offsetX] = compare(drift.x, truth.x);
      const [y, offsetY] = compare(drift.y, truth.y);
      truthError = { x, y, offsetX, offsetY };
      out(`  against ${values['true-drift']}: RMS error ${truthError.x.toFixed(2)} nm (x), ${truthError.y.toFixed(2)} nm (y), a constant offset aside`);
    }
    const plot = typeof values.plot === 'string' ? values.plot : undefined;
    const frames = Float64Array.from(drift.x, (_, f) => f + 1);
    function* blocks() {
      for (const block of table.blocks()) yield correctDrift(block, drift, input);
    }
    return {
      header: table.header,
      blocks: blocks(),
      parameters: { method, ...options },
      results: () => ({ precisionNm: p, segments: drift.segments, trajectory: driftPath(output), trueDriftRmsErrorNm: truthError && { x: truthError.x, y: truthError.y } }),
      async writeMore() {
        writeLocalizationTable(driftPath(output), { header: DRIFT_HEADERS, columns: [frames, drift.x, drift.y], rows: frames.length });
        out(`  → ${output}, ${driftPath(output)}`);
        if (plot) {
          const { plotDrift } = await import('../post/plotDrift.js');
          writeFileAtomically(plot, await plotDrift(drift, { truth: truth && truthError && { x: truth.x.map((v) => v - truth.x[0] + truthError.offsetX), y: truth.y.map((v) => v - truth.y[0] + truthError.offsetY) } }));
          out(`  → ${plot}`);
        }
      },
    };
  },
};

/**
 * `smlm-stream drift`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 * @param blockRows - rows per block read @default TABLE_BLOCK_ROWS (8192)
 */
export function run(argv: string[], out: (line: string) => void, blockRows?: number): Promise<number> {
  return runTableStep(DRIFT, argv, out, blockRows);
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../../cli/describeError.js';
import { DRIFT_FLAGS, run as runDrift } from '../../cli/driftCommand.js';
import { MERGE_FLAGS, run as runMerge } from '../../cli/mergeCommand.js';
import { RESOLUTION_FLAGS, run as runResolution } from '../../cli/resolutionCommand.js';
import type { FlagTable } from '../../cli/FlagTable.js';
import { sidecarPath } from '../../export/writeSidecar.js';
import { readDriftTrajectory } from '../../post/readDriftTrajectory.js';
import { driftPath } from '../../table/driftPath.js';
import { readLocalizationTable } from '../../table/LocalizationTable.js';
import type { LocalizationTable } from '../../table/LocalizationTable.js';
import { TableSource } from '../../table/TableSource.js';
import type { DriftResult, MergeResult, ResolutionResult } from '../protocol.js';
import { HttpError } from './HttpError.js';

/** A step's output table, read whole for the page's records, and where it is. */
export interface StepOutput<T> {
  /** The answer, its paths absolute (the session makes them relative to the root). */
  readonly result: T;
  /** The table the step wrote (absolute), to become the table shown. */
  readonly csv: string;
  readonly table: LocalizationTable;
}

/**
 * The reconstruction's buttons: `smlm-stream drift`, `merge` and `resolution` on a localization
 * CSV, through the commands' own code (their `run`, with the input as their only argument), so
 * that the files written (NAME.corrected.csv with NAME.corrected.drift.csv, NAME.merged.csv, and
 * their sidecars), the defaults and the refusals are the commands' own. A refusal becomes
 * HttpError 400 with the message the command prints.
 */
export class TableSteps {
  /**
   * `smlm-stream drift CSV`: AIM with its defaults; NAME.corrected.csv, its .drift.csv and sidecar.
   * @param csv - the table shown (absolute)
   */
  async drift(csv: string): Promise<StepOutput<DriftResult>> {
    const report = await command(runDrift, DRIFT_FLAGS, csv);
    const output = `${csv.replace(/\.csv$/i, '')}.corrected.csv`;
    const trajectory = readDriftTrajectory(driftPath(output));
    const results = stepResults(output);
    const precision = (results?.precisionNm ?? {}) as { x?: number; y?: number };
    const table = readLocalizationTable(output);
    return {
      csv: output,
      table,
      result: {
        csvPath: output,
        written: [sidecarPath(output), driftPath(output)],
        rowsBefore: rowsOf(csv),
        rowsAfter: table.rows,
        report,
        frame: Array.from(trajectory.x, (_, f) => f + 1),
        dxNm: Array.from(trajectory.x),
        dyNm: Array.from(trajectory.y),
        precisionNm: { x: precision.x ?? NaN, y: precision.y ?? NaN },
      },
    };
  }

  /**
   * `smlm-stream merge CSV`: ThunderSTORM's rules with the command's defaults; NAME.merged.csv and its sidecar.
   * @param csv - the table shown (absolute)
   */
  async merge(csv: string): Promise<StepOutput<MergeResult>> {
    const report = await command(runMerge, MERGE_FLAGS, csv);
    const output = `${csv.replace(/\.csv$/i, '')}.merged.csv`;
    const table = readLocalizationTable(output);
    return { csv: output, table, result: { csvPath: output, written: [sidecarPath(output)], rowsBefore: rowsOf(csv), rowsAfter: table.rows, report } };
  }

  /**
   * `smlm-stream resolution CSV --json TMP`: NeNA and FRC with the command's defaults, the figures
   * read back from the JSON it writes (a temporary file, removed; the command writes nothing
   * else by default).
   * @param csv - the table shown (absolute)
   */
  async resolution(csv: string): Promise<ResolutionResult> {
    const folder = mkdtempSync(join(tmpdir(), 'smlm-stream-view-resolution-'));
    try {
      const json = join(folder, 'resolution.json');
      const report = await command(runResolution, RESOLUTION_FLAGS, csv, ['--json', json]);
      const record = JSON.parse(readFileSync(json, 'utf8')) as {
        localizations: number;
        nenaNm: number | null;
        nenaStandardErrorNm: number | null;
        frcResolutionNm: number | null;
        frcResolutionSdNm: number | null;
        nena: { error?: string };
        frc: { parameters: { threshold: number }; curve: { frequencyPerNm: number[]; smoothed: number[] } };
      };
      return {
        csvPath: csv,
        localizations: record.localizations,
        nenaNm: record.nenaNm,
        nenaStandardErrorNm: record.nenaStandardErrorNm,
        ...(record.nena.error === undefined ? {} : { nenaError: record.nena.error }),
        frcResolutionNm: record.frcResolutionNm,
        frcResolutionSdNm: record.frcResolutionSdNm,
        frcFrequencyPerNm: record.frc.curve.frequencyPerNm,
        frcSmoothed: record.frc.curve.smoothed,
        frcThreshold: record.frc.parameters.threshold,
        report: report.filter((line) => !line.trim().startsWith('→')),
      };
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

/** A command's `run` on one CSV: its report lines; what it throws as HttpError 400 in the command's words. */
async function command(run: (argv: string[], out: (line: string) => void) => Promise<number>, flags: FlagTable, csv: string, more: string[] = []): Promise<string[]> {
  const lines: string[] = [];
  const argv = [csv, ...more];
  let code: number;
  try {
    code = await run(argv, (line) => lines.push(line));
  } catch (error) {
    const message = describeError(error, flags.optionFlags, argv, flags.valueFlags).message;
    if (message.startsWith('internal error')) throw error;
    throw new HttpError(400, message);
  }
  if (code !== 0) throw new HttpError(400, lines.at(-1) ?? `the step ended with exit code ${code}`);
  return lines;
}

/** The rows of a CSV (read as the commands read it). */
function rowsOf(csv: string): number {
  let rows = 0;
  for (const block of new TableSource(csv).blocks()) rows += block.rows;
  return rows;
}

/** A step's findings from its sidecar (`results`), when it wrote one. */
function stepResults(csv: string): Record<string, unknown> | undefined {
  const sidecar = sidecarPath(csv);
  if (!existsSync(sidecar)) return undefined;
  return (JSON.parse(readFileSync(sidecar, 'utf8')) as { results?: Record<string, unknown> }).results;
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sidecarPath } from '../../export/writeSidecar.js';
import { readDriftTrajectory } from '../../post/readDriftTrajectory.js';
import { driftPath } from '../../table/driftPath.js';
import { readLocalizationTable } from '../../table/LocalizationTable.js';
import type { LocalizationTable } from '../../table/LocalizationTable.js';
import { TableSource } from '../../table/TableSource.js';
import type { DriftResult, MergeResult, ResolutionResult } from '../protocol.js';

/**
 * A table command run on one CSV with more arguments (`smlm-stream drift`, `merge`, `resolution`:
 * given by src/cli/viewTableCommands.ts, so that the server runs the commands' own code without
 * importing the command line): its report lines; a refusal is an HttpError 400 in the command's
 * words.
 */
export type TableCommand = (csv: string, more?: string[]) => Promise<string[]>;

/** The commands behind the reconstruction's buttons. */
export interface TableCommands {
  readonly drift: TableCommand;
  readonly merge: TableCommand;
  readonly resolution: TableCommand;
}

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
  /** @param commands - the commands' runs ({@link TableCommands}) */
  constructor(private readonly commands: TableCommands) {}

  /**
   * `smlm-stream drift CSV`: AIM with its defaults; NAME.corrected.csv, its .drift.csv and sidecar.
   * @param csv - the table shown (absolute)
   */
  async drift(csv: string): Promise<StepOutput<DriftResult>> {
    const report = await this.commands.drift(csv);
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
    const report = await this.commands.merge(csv);
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
      const report = await this.commands.resolution(csv, ['--json', json]);
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

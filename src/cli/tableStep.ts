import type { NamedPath } from '../export/checkOutputPaths.js';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { RUN_RECORD } from '../export/checkRecordPath.js';
import { partialPath } from '../export/CsvFile.js';
import { temporaryPath } from '../export/writeFileAtomically.js';
import { rmSync } from 'node:fs';
import { FileWriteError } from '../errors/FileWriteError.js';
import { TableCsvWriter } from '../export/TableCsvWriter.js';
import { sidecarPath } from '../export/writeSidecar.js';
import { writeStepSidecar } from '../export/writeStepSidecar.js';
import { TABLE_BLOCK_ROWS } from '../table/CsvTableReader.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { positionColumns } from '../table/LocalizationTable.js';
import { TableSource } from '../table/TableSource.js';
import { EXIT } from './describeError.js';
import type { FlagTable } from './FlagTable.js';
import { UsageError } from './UsageError.js';

/** What a post-processing step makes of its input: the output table as a stream of blocks. */
export interface StepResult {
  /** The output table's header. */
  header: readonly string[];
  /** The output rows, block by block in order, made while they are written (consumed once). */
  blocks: Iterable<LocalizationTable>;
  /** The step's parameters as the sidecar records them. */
  parameters: Record<string, unknown>;
  /** Its findings (precision, counts) for the sidecar, once every block is written. */
  results?: () => Record<string, unknown> | undefined;
  /** Its report and other files, after the table is written. */
  writeMore?: () => Promise<void> | void;
  /**
   * Lines for stdout that name the output ("→ FILE"), made once everything is written (counts
   * and notes gathered while the blocks were made) and printed then.
   */
  report?: () => readonly string[];
}

/** One post-processing command: its name, the output's default suffix, other outputs, the work. */
export interface TableStep {
  readonly name: string;
  /** `locs.csv` → `locs.SUFFIX.csv` by default. */
  readonly suffix: string;
  readonly flags: FlagTable;
  /** Files the step reads besides the table and its sidecar (a truth file): no output may be one. */
  extraInputs?(values: Record<string, string | boolean | undefined>): NamedPath[];
  /** Files the step writes besides the table and its sidecar (checked before anything is read). */
  extraOutputs?(output: string, values: Record<string, string | boolean | undefined>): NamedPath[];
  /**
   * The work: read what it needs from the table (a pass over its blocks, or a few columns
   * whole), and return the output as blocks made while they are written.
   */
  apply(table: TableSource, input: string, output: string, values: Record<string, string | boolean | undefined>, out: (line: string) => void): Promise<StepResult> | StepResult;
}

/**
 * Run a post-processing command on one localization CSV (ours or ThunderSTORM's): check that
 * no output is an input (the table, its sidecar, the step's `extraInputs`) or another output,
 * nor replaces anything but a regular file, nor (the sidecar) someone's own JSON file; open the
 * table, apply the step, write the table while the step makes it, block by block (as
 * `.partial`, renamed when whole; a failure other than the write's removes it), its other
 * files, and a sidecar recording the step's parameters, its findings, and the input's own
 * record (so a chain of steps is traceable); then print the step's report.
 * @param blockRows - rows per block read @default TABLE_BLOCK_ROWS (8192)
 * @returns the exit code
 */
export async function runTableStep(step: TableStep, argv: string[], out: (line: string) => void, blockRows = TABLE_BLOCK_ROWS): Promise<number> {
  const { values, positionals } = step.flags.parse(argv);
  if (positionals.length !== 1) throw new UsageError(`${step.name} needs one localization CSV, got ${positionals.length}`);
  const input = positionals[0];
  const output = typeof values.output === 'string' ? values.output : `${input.replace(/\.csv$/i, '')}.${step.suffix}.csv`;
  const sidecar = sidecarPath(output);
  checkOutputPaths(
    [{ path: input, role: 'the localization CSV' }, { path: sidecarPath(input), role: "the CSV's sidecar" }, ...(step.extraInputs?.(values) ?? [])],
    [
      { path: output, role: 'the CSV' },
      { path: partialPath(output), role: "the CSV's temporary file" },
      { path: sidecar, role: 'the sidecar (the CSV name with .json)', record: RUN_RECORD },
      { path: temporaryPath(sidecar), role: "the sidecar's temporary file" },
      ...(step.extraOutputs?.(output, values) ?? []),
    ],
  );
  const started = new Date().toISOString();
  const t0 = performance.now();
  const table = new TableSource(input, blockRows);
  positionColumns(table, input);
  const result = await step.apply(table, input, output, values, out);
  const writer = new TableCsvWriter(output, result.header);
  try {
    for (const block of result.blocks) writer.write(block);
    writer.commit();
  } catch (error) {
    writer.abandon();
    // A failed write leaves its whole rows in `.partial`; a table that could not be read or
    // processed to its end leaves nothing.
    if (!(error instanceof FileWriteError)) rmSync(writer.partialPath, { force: true });
    throw error;
  }
  await result.writeMore?.();
  writeStepSidecar({
    step: step.name,
    input,
    output,
    parameters: result.parameters,
    counts: { rowsIn: table.rows, rowsOut: writer.rows },
    results: result.results?.(),
    started,
    seconds: (performance.now() - t0) / 1000,
  });
  for (const line of result.report?.() ?? []) out(line);
  return EXIT.ok;
}

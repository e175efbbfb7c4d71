import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputFileError } from '../errors/InputFileError.js';

/** A JSON record as read: fields of unknown shape (the report reads what is there). */
export type JsonRecord = Record<string, unknown>;

/** A post-processing step between the localization run and the table reported (drift, merge, filter). */
export interface StepSummary {
  readonly step: string;
  readonly output: string;
  readonly parameters: JsonRecord;
  readonly results: JsonRecord;
  readonly seconds: number | undefined;
}

/** What a report reads: the record, the localization run's record, the steps after it, the table and the drift. */
export interface RunRecordChain {
  /** The record file given (a run's sidecar or a step's). */
  readonly path: string;
  /** The localization run's record: the file itself, or the first of its `previous` chain; undefined when the chain has none. */
  readonly run: JsonRecord | undefined;
  /** The steps from the run to the table reported, in the order they ran. */
  readonly steps: readonly StepSummary[];
  /** The table the record describes (its CSV). */
  readonly table: string;
  /** The drift trajectory CSV (undefined when it is missing: `recorded` is where the step wrote it) and its precision, when a step corrected drift. */
  readonly drift: { readonly path: string | undefined; readonly recorded: string; readonly precisionNm: { x: number; y: number } | undefined } | undefined;
}

/** A JSON value as a record, or an empty one. */
export function asRecord(value: unknown): JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonRecord) : {};
}

/**
 * A file a record names, found: as written (relative to the working folder the run had), else by
 * its name next to the record (a run's folder moved or read from elsewhere).
 */
function locate(recorded: string, recordPath: string): string | undefined {
  if (existsSync(recorded)) return recorded;
  const beside = join(dirname(recordPath), basename(recorded));
  return existsSync(beside) ? beside : undefined;
}

/**
 * Read the record of a localization run (`localize`'s JSON sidecar) or of a step after it (the
 * sidecar of `drift`, `merge` or `filter`, whose `previous` holds the record of the table it
 * read), and find the table it describes: `NAME.csv` next to `NAME.json`, else the record's
 * `output`.
 * @param path - the record, e.g. `locs.json`
 * @throws InputFileError naming the file when it is missing, not JSON, not one of our records, or its table is missing
 */
export function readRunRecord(path: string): RunRecordChain {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputFileError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputFileError(`${path}: is not JSON; give the .json sidecar that localize writes next to its CSV`);
  }
  const record = asRecord(parsed);
  if (asRecord(record.software).name !== 'smlm-stream' || typeof record.output !== 'string') {
    throw new InputFileError(`${path}: is not a run record of smlm-stream (no "software" and "output"); give the .json sidecar that localize writes next to its CSV`);
  }
  // The chain back to the localization run: this record, its previous, …
  const chain: JsonRecord[] = [];
  for (let r: unknown = record; r !== undefined && chain.length < 64; r = asRecord(r).previous) chain.push(asRecord(r));
  const runIndex = chain.findIndex((r) => r.step === undefined && r.counts !== undefined);
  const steps = chain
    .slice(0, runIndex < 0 ? chain.length : runIndex)
    .filter((r) => typeof r.step === 'string')
    .reverse()
    .map((r) => ({ step: r.step as string, output: String(r.output), parameters: asRecord(r.parameters), results: asRecord(r.results), seconds: typeof r.seconds === 'number' ? r.seconds : undefined }));
  const own = path.replace(/\.json$/i, '.csv');
  const table = (own !== path && existsSync(own) ? own : undefined) ?? locate(record.output, path);
  if (!table) throw new InputFileError(`${path}: its table ${record.output} is missing (looked there and next to the record)`);
  const driftStep = [...steps].reverse().find((s) => s.step === 'drift' && typeof s.results.trajectory === 'string');
  let drift: RunRecordChain['drift'];
  if (driftStep) {
    const found = locate(driftStep.results.trajectory as string, path);
    const p = asRecord(driftStep.results.precisionNm);
    const precisionNm = typeof p.x === 'number' && typeof p.y === 'number' ? { x: p.x, y: p.y } : undefined;
    drift = { path: found, recorded: driftStep.results.trajectory as string, precisionNm };
  }
  return { path, run: runIndex < 0 ? undefined : chain[runIndex], steps, table, drift };
}

import { existsSync, readFileSync } from 'node:fs';
import { softwareVersion } from '../softwareVersion.js';
import { sidecarPath, writeSidecar } from './writeSidecar.js';

/** What a post-processing step (drift, merge, filter) records next to its output. */
export interface StepRecord {
  /** The step's name. */
  step: string;
  /** The table it read. */
  input: string;
  /** The table it wrote. */
  output: string;
  /** Its parameters, as resolved. */
  parameters: Record<string, unknown>;
  /** Rows read and written. */
  counts: { rowsIn: number; rowsOut: number };
  /** Its findings (precision, molecules…). */
  results?: Record<string, unknown>;
  /** When it started (ISO 8601) and how long it took, s. */
  started: string;
  seconds: number;
}

/**
 * A file's sidecar content (the record of the step that made it), or undefined when it has
 * none or it is not JSON.
 * @param path - a table
 */
export function readPreviousRecord(path: string): unknown {
  const sidecar = sidecarPath(path);
  if (!existsSync(sidecar)) return undefined;
  try {
    return JSON.parse(readFileSync(sidecar, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Write a step's sidecar (`OUTPUT.json`, atomically): the software, the step's record, and the
 * input's own record under `previous`, so that a chain of steps back to the localization run is
 * in the last file's sidecar.
 * @param record - the step
 * @throws FileWriteError naming the file
 */
export function writeStepSidecar(record: StepRecord): void {
  writeSidecar(sidecarPath(record.output), {
    software: { name: 'smlm-stream', version: softwareVersion() },
    ...record,
    finished: new Date().toISOString(),
    previous: readPreviousRecord(record.input),
  });
}

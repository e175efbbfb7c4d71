import { readFileSync } from 'node:fs';
import { checkRecordPath } from './checkRecordPath.js';
import { writeSidecar } from './writeSidecar.js';

/** What a later run that has not finished says in the record of an earlier one. */
export interface Supersession {
  /** When the later run started (ISO 8601). */
  readonly startedAt: string;
  /** Where the later run writes its rows until it ends. */
  readonly partial: string;
}

/**
 * At the start of a run, mark the sidecar an earlier run left at `path` as superseded: it keeps
 * describing the earlier CSV (which stays until the new run replaces it), and says that a later
 * run started and where its rows go. If the later run is killed (kill -9), the next run and a
 * reader see what happened. A file at `path` that is not an smlm-stream run record is not
 * touched: the run is refused instead ({@link checkRecordPath}), so a user's own file is never replaced.
 *
 * @param path - the sidecar path
 * @param later - the run that starts
 * @throws OutputPathError when `path` holds something else than an smlm-stream sidecar
 */
export function supersedeSidecar(path: string, later: Supersession): void {
  checkRecordPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return; // none yet
  }
  writeSidecar(path, {
    ...(JSON.parse(text) as Record<string, unknown>),
    superseded: {
      note: 'a later run with the same output started; until it ends, this record still describes the CSV next to it',
      startedAt: later.startedAt,
      partial: later.partial,
    },
  });
}

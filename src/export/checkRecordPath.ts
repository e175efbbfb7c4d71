import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { CALIBRATION_FORMAT } from '../astig/AstigmaticCalibration.js';
import { OutputPathError } from '../errors/OutputPathError.js';
import { notRegular } from './notRegular.js';

/**
 * The largest file read to decide whether it is one of our records, bytes: our records are
 * kilobytes (the sidecar of `localize samples/filaments.tif` is 2.8 kB; a calibration holds two
 * curves and a few numbers per bead), so a larger file at a record's name is someone else's and
 * is refused unread.
 */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/**
 * A kind of JSON record smlm-stream writes, and how to recognise one: a record replaces only
 * one of its own kind, so a sidecar never takes the place of a calibration.
 */
export interface RecordKind {
  /** What a record of this kind is, for a refusal: "an smlm-stream run record". */
  readonly words: string;
  /** Whether a parsed JSON file is a record of this kind. */
  readonly matches: (value: unknown) => boolean;
}

/** A run's or a step's record (a sidecar): its `software.name` is "smlm-stream". */
export const RUN_RECORD: RecordKind = {
  words: 'an smlm-stream run record',
  matches: (value) => typeof value === 'object' && value !== null && (value as { software?: { name?: unknown } }).software?.name === 'smlm-stream',
};

/** A calibration of `calibrate-3d` (its `format` names it), which only another calibration replaces. */
export const CALIBRATION_RECORD: RecordKind = {
  words: 'a calibration of smlm-stream calibrate-3d',
  matches: (value) => typeof value === 'object' && value !== null && (value as { format?: unknown }).format === CALIBRATION_FORMAT,
};

/**
 * The one rule for every JSON record a command writes (a run's sidecar, a step's sidecar, the
 * merged CSV's sidecar, a calibration): an existing file at its name is replaced only when it
 * is itself a record smlm-stream wrote, of the same kind, so a user's own `NAME.json` (notes,
 * another tool's settings), or a calibration where a sidecar goes, is never lost. Nothing there
 * yet is fine. Call it before anything is read or written (checkOutputPaths does, for every
 * output marked `record`).
 *
 * @param path - where the record goes
 * @param kind - what it is @default RUN_RECORD (a sidecar)
 * @throws OutputPathError naming the file when it exists and is not a record of that kind
 */
export function checkRecordPath(path: string, kind: RecordKind = RUN_RECORD): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return; // none yet (or a link to nothing)
    stats = undefined;
  }
  // Opening a pipe would wait for a writer: anything but a plain file is refused unread.
  if (stats && !stats.isFile()) throw new OutputPathError(path, `${notRegular(stats)}: refusing to replace it with a file (choose another output name)`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return; // none yet
    throw new OutputPathError(path, `exists and cannot be read to tell whether it is ${kind.words} (${(error as { code?: string }).code ?? 'error'}): refusing to replace it`);
  }
  let ours = false;
  try {
    const size = fstatSync(fd).size;
    if (size <= MAX_RECORD_BYTES) {
      const bytes = Buffer.alloc(size);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, bytes, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      try {
        ours = kind.matches(JSON.parse(bytes.subarray(0, read).toString('utf8')));
      } catch {
        ours = false;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (!ours) throw new OutputPathError(path, `exists and is not ${kind.words}: refusing to replace it (move it, or choose another output name)`);
}

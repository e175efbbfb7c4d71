import { InputFileError } from '../errors/InputFileError.js';
import { DETECTIONS_HEADER } from '../table/columns.js';
import type { NenaOptions, NenaResult } from './estimateNena.js';
import { estimateNenaOfColumns, refuseMergedTable } from './estimateNena.js';

/**
 * NeNA of a table's columns, or why it cannot be had, for the callers that go on without it (the
 * `resolution` command, the run report, FRC's pixel): a merged table (a `detections` column
 * above 1), too few next-frame pairs, unusable rows: the library's own message
 * ({@link estimateNenaOfColumns}, {@link refuseMergedTable}). Other errors are thrown.
 * @param frame - frame of each localization
 * @param x - x, nm
 * @param y - y, nm
 * @param detections - the table's `detections` column, when it has one (a merged table's)
 * @param options - NeNA's options ({@link NenaOptions})
 * @param path - the table's file, named in the reason
 */
export function nenaOrReason(frame: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, detections: Float64Array | undefined, options: NenaOptions, path: string): { nena: NenaResult; reason?: undefined } | { nena?: undefined; reason: string } {
  try {
    if (detections) refuseMergedTable({ header: [DETECTIONS_HEADER], columns: [detections] }, path);
    return { nena: estimateNenaOfColumns(frame, x, y, options, path) };
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    return { reason: error.message };
  }
}

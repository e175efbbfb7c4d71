import { TABLE_BLOCK_ROWS } from '../table/CsvTableReader.js';
import type { Evaluation } from './Evaluation.js';
import { EVALUATE_DEFAULTS, evaluateLocalizations } from './evaluateLocalizations.js';
import { MatchTally } from './MatchTally.js';
import { pointTableChunks, readPointTable } from './PointTable.js';

/** Points a frame's buffer holds at first (it grows to the largest frame). */
const FRAME_POINTS = 1024;

/**
 * Evaluate a localization CSV against a truth CSV: the figures of {@link evaluateLocalizations}
 * on the two tables as {@link readPointTable} reads them (frame, x and y only), to the last bit.
 * The truth is held whole; the localizations are read frame by frame while they are in frame
 * order (as smlm-stream writes them), so their number does not change the memory needed. A
 * localization table out of frame order is read again whole and sorted.
 * @param truthPath - the truth CSV
 * @param foundPath - the localization CSV
 * @param toleranceNm - matching distance, nm @default {@link EVALUATE_DEFAULTS}
 * @throws InputFileError naming the file and the missing column or the bad line
 */
export function evaluateFiles(truthPath: string, foundPath: string, toleranceNm: number = EVALUATE_DEFAULTS.toleranceNm): Evaluation {
  const truth = readPointTable(truthPath, { positionsOnly: true });
  const rows = truth.frame.length;
  const tally = new MatchTally(toleranceNm);
  // The localizations of the frame being read (reused: grown to the largest frame).
  let x = new Float64Array(FRAME_POINTS);
  let y = new Float64Array(FRAME_POINTS);
  let n = 0;
  let frame = 0;
  let found = 0;
  let t0 = 0;
  const matchFrame = () => {
    while (t0 < rows && truth.frame[t0] < frame) t0++;
    let t1 = t0;
    while (t1 < rows && truth.frame[t1] === frame) t1++;
    if (t1 > t0) tally.addFrame(truth.x.subarray(t0, t1), truth.y.subarray(t0, t1), x.subarray(0, n), y.subarray(0, n));
    t0 = t1;
  };
  let inOrder = true;
  reading: for (const chunk of pointTableChunks(foundPath, TABLE_BLOCK_ROWS)) {
    for (let r = 0; r < chunk.frame.length; r++) {
      const f = chunk.frame[r];
      if (n > 0 && f !== frame) {
        if (f < frame) {
          inOrder = false;
          break reading;
        }
        matchFrame();
        n = 0;
      }
      frame = f;
      if (n === x.length) {
        const [wx, wy] = [new Float64Array(2 * n), new Float64Array(2 * n)];
        wx.set(x);
        wy.set(y);
        [x, y] = [wx, wy];
      }
      x[n] = chunk.x[r];
      y[n] = chunk.y[r];
      n++;
      found++;
    }
  }
  if (!inOrder) return evaluateLocalizations(truth, readPointTable(foundPath, { positionsOnly: true }), toleranceNm).evaluation;
  if (n > 0) matchFrame();
  return tally.evaluation(rows, found);
}

import { TABLE_BLOCK_ROWS } from '../table/CsvTableReader.js';
import type { Evaluation } from './Evaluation.js';
import { EVALUATE_DEFAULTS, evaluateLocalizations } from './evaluateLocalizations.js';
import { MatchTally } from './MatchTally.js';
import { pointTableChunks, readPointTable, Z_NAMES, zColumn } from './PointTable.js';

/** Points a frame's buffer holds at first (it grows to the largest frame). */
const FRAME_POINTS = 1024;

/**
 * Evaluate a localization CSV against a truth CSV: the figures of {@link evaluateLocalizations}
 * on the two tables as {@link readPointTable} reads them (frame, x, y and z only), to the last bit.
 * The truth is held whole; the localizations are read frame by frame while they are in frame
 * order (as smlm-stream writes them), so their number does not change the memory needed. A
 * localization table out of frame order is read again whole and sorted.
 * @param truthPath - the truth CSV
 * @param foundPath - the localization CSV
 * @param toleranceNm - matching distance, nm @default {@link EVALUATE_DEFAULTS}
 * @param zOutlierNm - |Δz| beyond which a match is a z outlier, nm @default {@link EVALUATE_DEFAULTS}
 * @throws InputFileError naming the file and the missing column or the bad line
 */
export function evaluateFiles(truthPath: string, foundPath: string, toleranceNm: number = EVALUATE_DEFAULTS.toleranceNm, zOutlierNm: number = EVALUATE_DEFAULTS.zOutlierNm): Evaluation {
  const read = (path: string) => readPointTable(path, { positionsOnly: true, keep: Z_NAMES });
  const truth = read(truthPath);
  const rows = truth.frame.length;
  const tz = zColumn(truth);
  const tally = new MatchTally(toleranceNm, zOutlierNm);
  // The localizations of the frame being read (reused: grown to the largest frame).
  let x = new Float64Array(FRAME_POINTS);
  let y = new Float64Array(FRAME_POINTS);
  let z = new Float64Array(FRAME_POINTS);
  // Whether the localizations have z (known from the first block).
  let withZ = false;
  let n = 0;
  let frame = 0;
  let found = 0;
  let t0 = 0;
  const matchFrame = () => {
    while (t0 < rows && truth.frame[t0] < frame) t0++;
    let t1 = t0;
    while (t1 < rows && truth.frame[t1] === frame) t1++;
    const zs = tz !== undefined && withZ;
    if (t1 > t0) tally.addFrame(truth.x.subarray(t0, t1), truth.y.subarray(t0, t1), x.subarray(0, n), y.subarray(0, n), zs ? tz.subarray(t0, t1) : undefined, zs ? z.subarray(0, n) : undefined);
    t0 = t1;
  };
  let inOrder = true;
  reading: for (const chunk of pointTableChunks(foundPath, TABLE_BLOCK_ROWS)) {
    const cz = zColumn(chunk);
    withZ = cz !== undefined;
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
        const [wx, wy, wz] = [new Float64Array(2 * n), new Float64Array(2 * n), new Float64Array(2 * n)];
        wx.set(x);
        wy.set(y);
        wz.set(z);
        [x, y, z] = [wx, wy, wz];
      }
      x[n] = chunk.x[r];
      y[n] = chunk.y[r];
      z[n] = cz ? cz[r] : Number.NaN;
      n++;
      found++;
    }
  }
  if (!inOrder) return evaluateLocalizations(truth, read(foundPath), toleranceNm, zOutlierNm).evaluation;
  if (n > 0) matchFrame();
  return tally.evaluation(rows, found);
}

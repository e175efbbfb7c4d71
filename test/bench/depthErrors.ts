/**
 * The z errors of a 3-D localization CSV against its simulation's truth (issue 26's numbers):
 * `node --import tsx test/bench/depthErrors.ts TRUTH.csv LOCS.csv [LOCS.json]`.
 * Matches each frame's localizations to the truth within 250 nm (matchPoints, as `evaluate`),
 * and prints the Jaccard index, the z RMSE and bias over the matched pairs, the median |Δz|, the
 * share beyond 250 nm and the RMSE without them, and the RMSE and bias per 200 nm band of true
 * z; with the run's JSON record, the share of fits that converged (status 0).
 */
import { readFileSync } from 'node:fs';
import { matchPoints } from '../../src/evaluate/matchPoints.js';

const TOLERANCE_NM = 250;
const BAND_NM = 200;

const [truthPath, locsPath, recordPath] = process.argv.slice(2);
if (!truthPath || !locsPath) throw new Error('usage: depthErrors.ts TRUTH.csv LOCS.csv [LOCS.json]');

/** A CSV of numbers: its column names (unquoted, with units) and rows. */
function readTable(path: string): { column: (name: string) => number; rows: number[][] } {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',').map((c) => c.replace(/"/g, ''));
  const column = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`${path}: no column "${name}"`);
    return i;
  };
  return { column, rows: lines.map((line) => line.split(',').map(Number)) };
}

/** Rows by frame. */
function byFrame(table: { column: (name: string) => number; rows: number[][] }): Map<number, number[][]> {
  const frames = new Map<number, number[][]>();
  const f = table.column('frame');
  for (const row of table.rows) {
    const list = frames.get(row[f]);
    if (list) list.push(row);
    else frames.set(row[f], [row]);
  }
  return frames;
}

const truth = readTable(truthPath);
const found = readTable(locsPath);
const [tx, ty, tz] = ['x [nm]', 'y [nm]', 'z [nm]'].map((n) => truth.column(n));
const [fx, fy, fz] = ['x [nm]', 'y [nm]', 'z [nm]'].map((n) => found.column(n));
const foundFrames = byFrame(found);
const errors: number[] = [];
const bands = new Map<number, number[]>();
for (const [frame, rows] of byFrame(truth)) {
  const locs = foundFrames.get(frame) ?? [];
  const m = matchPoints(rows.map((r) => r[tx]), rows.map((r) => r[ty]), locs.map((r) => r[fx]), locs.map((r) => r[fy]), TOLERANCE_NM);
  m.truth.forEach((t, k) => {
    const dz = locs[m.found[k]][fz] - rows[t][tz];
    errors.push(dz);
    const band = Math.floor(rows[t][tz] / BAND_NM) * BAND_NM;
    const list = bands.get(band);
    if (list) list.push(dz);
    else bands.set(band, [dz]);
  });
}
const rms = (v: number[]) => Math.sqrt(v.reduce((s, d) => s + d * d, 0) / v.length);
const mean = (v: number[]) => v.reduce((s, d) => s + d, 0) / v.length;
const tp = errors.length;
const inliers = errors.filter((d) => Math.abs(d) <= TOLERANCE_NM);
const absolute = errors.map(Math.abs).sort((a, b) => a - b);
console.log(`truth ${truth.rows.length}, localizations ${found.rows.length}, matched ${tp}: Jaccard ${((100 * tp) / (truth.rows.length + found.rows.length - tp)).toFixed(1)} %`);
console.log(`z RMSE ${rms(errors).toFixed(1)} nm, bias ${mean(errors).toFixed(1)} nm, median |Δz| ${absolute[absolute.length >> 1].toFixed(1)} nm; ${((100 * (tp - inliers.length)) / tp).toFixed(1)} % beyond ${TOLERANCE_NM} nm, RMSE without them ${rms(inliers).toFixed(1)} nm`);
for (const [band, list] of [...bands].sort((a, b) => a[0] - b[0])) console.log(`  z ${band}…${band + BAND_NM} nm: ${list.length} matched, RMSE ${rms(list).toFixed(1)} nm, bias ${mean(list).toFixed(1)} nm`);
if (recordPath) {
  const counts = (JSON.parse(readFileSync(recordPath, 'utf8')) as { counts: { fits: number; converged: number } }).counts;
  console.log(`fits ${counts.fits}, converged ${counts.converged} (${((100 * counts.converged) / counts.fits).toFixed(1)} %)`);
}

/**
 * Issue 26's comparison: the Gaussian astigmatic model (calibrate-3d's curves) against the
 * spline (calibrate-psf's PSF.h5) on the same non-Gaussian data, a pupil-function PSF (NA 1.49,
 * Zernike astigmatism, 20 nm spherical aberration) that neither model made:
 * `npm run build && node --import tsx test/bench/splineVsGaussian.ts [DIR]`.
 * Simulates isolated spots (96×96 px, 300 frames, depths uniform in ±600 nm) and the bead stack
 * of the same optics, calibrates both models from the beads as a user would (the CLI), localizes
 * the spots with each, and prints a Markdown table: Jaccard (matched within 250 nm laterally,
 * matchPoints as `evaluate`), lateral RMSE (√⟨Δx² + Δy²⟩) and the mean Δx, Δy, z RMSE and bias over the matched (and the RMSE of the z errors within 250 nm, the median |Δz|), the
 * largest |z bias| of a 200 nm band of true z (bands with ≥ 20 matches), the share of z errors
 * beyond 250 nm, the share of fits that converged (the run record), and the precision against
 * the reported uncertainties (RMSE / RMS uncertainty over the z inliers, each axis against its own:
 * `uncertainty_x`, `uncertainty_y`, and `uncertainty_z`, which holds the calibration's model error;
 * the lateral `uncertainty` is their RMS, which astigmatism makes unlike either), then the bias band
 * by band.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchPoints } from '../../src/evaluate/matchPoints.js';

const CLI = join(import.meta.dirname, '../../dist/src/cli/smlm-stream.js');
const dir = process.argv[2] ?? '/tmp/spline-vs-gaussian';
mkdirSync(dir, { recursive: true });
const TOLERANCE_NM = 250;
const BAND_NM = 200;
const MIN_BAND = 20;
const OPTICS = ['--psf', 'pupil', '--zernike-spherical', '20'];

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`smlm-stream ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

const spots = join(dir, 'spots.tif');
const beads = join(dir, 'beads.tif');
cli('simulate', spots, ...OPTICS, '--astigmatism', '600', '--width', '96', '--height', '96', '--frames', '300', '--density', '0.1', '--min-separation', '1500', '--seed', '8', '--quiet');
cli('simulate', beads, '--beads', ...OPTICS, '--seed', '6', '--quiet');
cli('calibrate-3d', beads, '--z-start', '-800', '--z-step', '20', '-o', join(dir, 'calib.json'));
cli('calibrate-psf', beads, '--z-start', '-800', '--z-step', '20', '-o', join(dir, 'psf.h5'));

/** A CSV of numbers: a column's values by name (unquoted, with units). */
function readTable(path: string): { col: (name: string) => number; rows: number[][] } {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',').map((c) => c.replace(/"/g, ''));
  const col = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`${path}: no column "${name}"`);
    return i;
  };
  return { col, rows: lines.map((line) => line.split(',').map(Number)) };
}

function byFrame(rows: number[][], f: number): Map<number, number[][]> {
  const m = new Map<number, number[][]>();
  for (const r of rows) (m.get(r[f]) ?? m.set(r[f], []).get(r[f]) as number[][]).push(r);
  return m;
}

const rms = (v: number[]) => Math.sqrt(v.reduce((s, d) => s + d * d, 0) / Math.max(1, v.length));
const mean = (v: number[]) => v.reduce((s, d) => s + d, 0) / Math.max(1, v.length);
const truth = readTable(join(dir, 'spots.truth.csv'));

function measure(name: string, calibration: string) {
  const out = join(dir, `${name}.csv`);
  const t0 = process.hrtime.bigint();
  cli('localize', spots, '-o', out, '--calibration', calibration, '--workers', '1', '--quiet');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const found = readTable(out);
  const [tf, tx, ty, tz] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map(truth.col);
  const [ff, fx, fy, fz, fux, fuy, fuz] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]', 'uncertainty_x [nm]', 'uncertainty_y [nm]', 'uncertainty_z [nm]'].map(found.col);
  const foundFrames = byFrame(found.rows, ff);
  const dx: number[] = [], dy: number[] = [], dz: number[] = [], ux: number[] = [], uy: number[] = [], uz: number[] = [];
  const inX: number[] = [], inY: number[] = [], inZ: number[] = [];
  const bands = new Map<number, number[]>();
  for (const [frame, rows] of byFrame(truth.rows, tf)) {
    const locs = foundFrames.get(frame) ?? [];
    const m = matchPoints(rows.map((r) => r[tx]), rows.map((r) => r[ty]), locs.map((r) => r[fx]), locs.map((r) => r[fy]), TOLERANCE_NM);
    m.truth.forEach((t, k) => {
      const l = locs[m.found[k]];
      const e = l[fz] - rows[t][tz];
      dx.push(l[fx] - rows[t][tx]);
      dy.push(l[fy] - rows[t][ty]);
      dz.push(e);
      const band = Math.floor(rows[t][tz] / BAND_NM) * BAND_NM;
      (bands.get(band) ?? bands.set(band, []).get(band) as number[]).push(e);
      if (Math.abs(e) <= TOLERANCE_NM) {
        inX.push(l[fx] - rows[t][tx]);
        inY.push(l[fy] - rows[t][ty]);
        inZ.push(e);
        ux.push(l[fux]);
        uy.push(l[fuy]);
        uz.push(l[fuz]);
      }
    });
  }
  const tp = dz.length;
  const counts = (JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { counts: { fits: number; converged: number } }).counts;
  const bandBias = [...bands].filter(([, l]) => l.length >= MIN_BAND).sort((a, b) => a[0] - b[0]).map(([b, l]) => ({ band: b, n: l.length, bias: mean(l), rmse: rms(l) }));
  return {
    name,
    jaccard: (100 * tp) / (truth.rows.length + found.rows.length - tp),
    lateral: Math.sqrt(mean(dx.map((v, i) => v * v + dy[i] * dy[i]))),
    lateralBias: [mean(dx), mean(dy)],
    zRmse: rms(dz),
    zBias: mean(dz),
    zInliers: rms(inZ),
    zMedian: dz.map(Math.abs).sort((a, b) => a - b)[dz.length >> 1],
    worstBand: Math.max(...bandBias.map((b) => Math.abs(b.bias))),
    outliers: (100 * (tp - inZ.length)) / tp,
    converged: (100 * counts.converged) / counts.fits,
    precision: [rms(inX) / rms(ux), rms(inY) / rms(uy), rms(inZ) / rms(uz)],
    bandBias,
    seconds,
  };
}

const results = [measure('gaussian', join(dir, 'calib.json')), measure('spline', join(dir, 'psf.h5'))];
console.log(`truth ${truth.rows.length} emitters (pupil PSF, NA 1.49, astigmatism, 20 nm spherical; z in ±600 nm)\n`);
console.log('| model | Jaccard | lateral RMSE (x / y bias) | z RMSE (≤ 250 nm; median \\|Δz\\|) | z bias | largest \\|z bias\\| per 200 nm | z errors > 250 nm | converged | RMSE / uncertainty (x / y / z) | localize, 1 thread |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.name === 'gaussian' ? 'astigmatic Gaussian (calibrate-3d)' : 'spline (calibrate-psf)'} | ${r.jaccard.toFixed(1)} % | ${r.lateral.toFixed(1)} nm (${r.lateralBias.map((b) => b.toFixed(1)).join(' / ')}) | ${r.zRmse.toFixed(1)} nm (${r.zInliers.toFixed(1)}; ${r.zMedian.toFixed(1)}) | ${r.zBias.toFixed(1)} nm | ${r.worstBand.toFixed(1)} nm | ${r.outliers.toFixed(1)} % | ${r.converged.toFixed(1)} % | ${r.precision.map((p) => p.toFixed(2)).join(' / ')} | ${r.seconds.toFixed(1)} s |`);
}
console.log('\nz bias by 200 nm band of true z, nm (its RMSE in brackets):\n');
console.log(`| band | ${results.map((r) => `${r.name} bias (RMSE)`).join(' | ')} |`);
console.log(`|---|${results.map(() => '---').join('|')}|`);
for (const b of results[0].bandBias.map((x) => x.band)) {
  console.log(`| ${b}…${b + BAND_NM} | ${results.map((r) => { const x = r.bandBias.find((y) => y.band === b); return x ? `${x.bias.toFixed(1)} (${x.rmse.toFixed(1)}), ${x.n} matched` : '—'; }).join(' | ')} |`);
}

/**
 * Issue 26's comparison: the Gaussian astigmatic model (calibrate-3d's curves) against the
 * spline (calibrate-psf's PSF.h5) on the same non-Gaussian data, a pupil-function PSF that
 * neither model made:
 * `npm run build && node --import tsx test/bench/splineVsGaussian.ts [DIR] [--optics NAMES]
 * [--camera given|estimated|both] [--models gaussian,spline,true]`.
 * For each optical model of `--optics` (comma-separated names of benchOptics.ts's OPTICS;
 * default `na149`), simulates isolated spots (96×96 px, 300 frames, depths uniform in ±600 nm)
 * and the bead stack of the same optics, calibrates the models from the beads as a user would
 * (the CLI: with the camera's flags, `given`, or the camera estimated from the bead stack,
 * `estimated`; the default `estimated` is what a user who gives no flags gets), localizes the
 * spots with each and prints a Markdown table: Jaccard (matched within 250 nm laterally,
 * matchPoints as `evaluate`), the false positives (unmatched localizations), lateral RMSE
 * (√⟨Δx² + Δy²⟩) and the mean Δx, Δy, z RMSE and bias over the matched (and the RMSE of the z
 * errors within 250 nm, the median |Δz|), the largest |z bias| of a 200 nm band of true z (bands
 * with ≥ 20 matches), the share of z errors beyond 250 nm, the share of fits that converged or
 * were marked duplicate (the run record), and the precision against the reported uncertainties
 * (RMSE / RMS uncertainty over the z inliers, each axis against its own: `uncertainty_x`,
 * `uncertainty_y`, and `uncertainty_z`, which holds the calibration's model error), the
 * calibration's leave-one-bead-out z error and usable range, and the camera calibrate-psf used;
 * then band by band the z bias and RMSE and the three ratios, and the x, y ratios of the spots
 * within 1.5 px of the frame's edge apart from the others, and the z ratio of the others by band. Model `true` is the true PSF's own
 * spline (benchOptics.ts's trueSpline over calibrate-psf's padded side, no beads, model
 * error 0): the spline path without its
 * calibration.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PSF_CALIBRATION_DEFAULTS } from '../../src/astig/calibratePsf.js';
import { matchPoints } from '../../src/evaluate/matchPoints.js';
import { writeSplineCalibration } from '../../src/export/writeSplineCalibration.js';
import { PupilPsf } from '../../src/simulate/PupilPsf.js';
import { OPTICS, trueSpline } from './benchOptics.js';
import { readNumberTable, rowsByFrame } from './numberTable.js';
import type { NumberTable } from './numberTable.js';
import { takeOption } from './takeOption.js';

const CLI = join(import.meta.dirname, '../../dist/src/cli/smlm-stream.js');
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => takeOption(args, name, fallback);
const opticsNames = option('--optics', 'na149').split(',');
/** A spot whose true position lies within this of the frame's edge, px, is an edge spot. */
const EDGE_PX = 1.5;
const FRAME_PX = 96;
const PIXEL_NM = 100;
const cameraModes = option('--camera', 'estimated');
const models = option('--models', 'gaussian,spline').split(',');
const root = args[0] ?? '/tmp/spline-vs-gaussian';
for (const n of opticsNames) if (!OPTICS[n]) throw new Error(`--optics ${n}: not one of ${Object.keys(OPTICS).join(', ')}`);
const TOLERANCE_NM = 250;
const BAND_NM = 200;
const MIN_BAND = 20;
/** The simulator's default camera (what `given` passes to calibrate-psf and calibrate-3d). */
const CAMERA_FLAGS = ['--baseline', '100', '--photons-per-adu', '1'];

function cli(...a: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...a], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`smlm-stream ${a.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}


const rms = (v: number[]) => Math.sqrt(v.reduce((s, d) => s + d * d, 0) / Math.max(1, v.length));
const mean = (v: number[]) => v.reduce((s, d) => s + d, 0) / Math.max(1, v.length);

function measure(dir: string, name: string, calibration: string, truth: NumberTable) {
  const out = join(dir, `${name}.csv`);
  const t0 = process.hrtime.bigint();
  cli('localize', join(dir, 'spots.tif'), '-o', out, '--calibration', calibration, '--workers', '1', '--quiet');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const found = readNumberTable(out);
  const [tf, tx, ty, tz] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map(truth.col);
  const [ff, fx, fy, fz, fux, fuy, fuz] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]', 'uncertainty_x [nm]', 'uncertainty_y [nm]', 'uncertainty_z [nm]'].map(found.col);
  const foundFrames = rowsByFrame(found.rows, ff);
  const dx: number[] = [], dy: number[] = [], dz: number[] = [], ux: number[] = [], uy: number[] = [], uz: number[] = [];
  const inX: number[] = [], inY: number[] = [], inZ: number[] = [];
  const bands = new Map<number, number[]>();
  /** Per band: the inliers' errors and uncertainties, x, y, z. */
  const bandPrecision = new Map<number, number[][]>();
  /** Per band: the z errors and uncertainties of the z inliers away from the frame's edge. */
  const farZ = new Map<number, number[][]>();
  /** Edge spots' and the others' x, y errors and uncertainties. */
  const edge = { near: [[], [], [], []] as number[][], far: [[], [], [], []] as number[][] };
  for (const [frame, rows] of rowsByFrame(truth.rows, tf)) {
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
        const p = bandPrecision.get(band) ?? bandPrecision.set(band, [[], [], [], [], [], []]).get(band) as number[][];
        [l[fx] - rows[t][tx], l[fy] - rows[t][ty], e, l[fux], l[fuy], l[fuz]].forEach((v, i) => p[i].push(v));
        const margin = Math.min(rows[t][tx], rows[t][ty], FRAME_PX * PIXEL_NM - rows[t][tx], FRAME_PX * PIXEL_NM - rows[t][ty]) / PIXEL_NM;
        const side = margin < EDGE_PX ? edge.near : edge.far;
        if (margin >= EDGE_PX) (farZ.get(band) ?? farZ.set(band, [[], []]).get(band) as number[][]).forEach((list, i) => list.push([e, l[fuz]][i]));
        [l[fx] - rows[t][tx], l[fy] - rows[t][ty], l[fux], l[fuy]].forEach((v, i) => side[i].push(v));
      }
    });
  }
  const tp = dz.length;
  const counts = (JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { counts: { fits: number; converged: number; duplicates?: number } }).counts;
  const ratios = (p: number[][] | undefined) => (p ? [0, 1, 2].map((a) => rms(p[a]) / rms(p[a + 3])) : [Number.NaN, Number.NaN, Number.NaN]);
  const bandBias = [...bands].filter(([, l]) => l.length >= MIN_BAND).sort((a, b) => a[0] - b[0]).map(([b, l]) => ({ band: b, n: l.length, bias: mean(l), rmse: rms(l), ratios: ratios(bandPrecision.get(b)), farZ: ((p) => (p ? rms(p[0]) / rms(p[1]) : Number.NaN))(farZ.get(b)) }));
  const edgeRatio = (p: number[][]) => ({ n: p[0].length, x: rms(p[0]) / rms(p[2]), y: rms(p[1]) / rms(p[3]) });
  return {
    name,
    jaccard: (100 * tp) / (truth.rows.length + found.rows.length - tp),
    falsePositives: found.rows.length - tp,
    lateral: Math.sqrt(mean(dx.map((v, i) => v * v + dy[i] * dy[i]))),
    lateralBias: [mean(dx), mean(dy)],
    zRmse: rms(dz),
    zBias: mean(dz),
    zInliers: rms(inZ),
    zMedian: dz.map(Math.abs).sort((a, b) => a - b)[dz.length >> 1],
    worstBand: Math.max(...bandBias.map((b) => Math.abs(b.bias))),
    outliers: (100 * (tp - inZ.length)) / tp,
    converged: (100 * (counts.converged + (counts.duplicates ?? 0))) / counts.fits,
    precision: [rms(inX) / rms(ux), rms(inY) / rms(uy), rms(inZ) / rms(uz)],
    bandBias,
    edge: { near: edgeRatio(edge.near), far: edgeRatio(edge.far) },
    seconds,
  };
}

/** calibrate-psf's record: its leave-one-bead-out error, usable range and the camera it used. */
function psfRecord(path: string): string {
  const r = (JSON.parse(readFileSync(path, 'utf8')) as { results: { leaveOneOut?: { zErrorRmsNm?: number; usableRangeNm?: number[] }; camera: { baselineAdu: number; photonsPerAdu: number; source: string }[]; beads?: { kept?: number } } }).results;
  const camera = r.camera.map((c) => `${c.source} ${c.baselineAdu.toFixed(1)} ADU, ${c.photonsPerAdu.toFixed(3)} e⁻/ADU`).join('; ');
  const loo = r.leaveOneOut?.zErrorRmsNm;
  const range = r.leaveOneOut?.usableRangeNm;
  return `leave-one-bead-out ${loo === undefined ? '—' : loo.toFixed(1)} nm, usable ${range ? range.map((v) => v.toFixed(0)).join('…') : '—'} nm, camera ${camera}`;
}

for (const opticsName of opticsNames) {
  const optics = OPTICS[opticsName];
  const flags = ['--psf', 'pupil', ...optics.flags];
  const dir = join(root, opticsName);
  mkdirSync(dir, { recursive: true });
  const spots = join(dir, 'spots.tif');
  const beads = join(dir, 'beads.tif');
  cli('simulate', spots, ...flags, '--astigmatism', '600', '--width', '96', '--height', '96', '--frames', '300', '--density', '0.1', '--min-separation', '1500', '--seed', '8', '--quiet', '--overwrite');
  cli('simulate', beads, '--beads', ...flags, '--seed', '6', '--quiet', '--overwrite');
  const truth = readNumberTable(join(dir, 'spots.truth.csv'));
  const results: ReturnType<typeof measure>[] = [];
  const notes: string[] = [];
  for (const camera of cameraModes === 'both' ? ['given', 'estimated'] : [cameraModes]) {
    const cameraFlags = camera === 'given' ? CAMERA_FLAGS : [];
    if (models.includes('gaussian')) {
      cli('calibrate-3d', beads, '--z-start', '-800', '--z-step', '20', ...cameraFlags, '-o', join(dir, `calib-${camera}.json`));
      results.push(measure(dir, `gaussian-${camera}`, join(dir, `calib-${camera}.json`), truth));
    }
    if (models.includes('true') && camera === (cameraModes === 'both' ? 'given' : cameraModes)) {
      // The true PSF's own spline on calibrate-psf's grid (its padded side, sampled), no model error: the fit without the calibration.
      const { spline } = trueSpline(new PupilPsf(PIXEL_NM, optics.pupil), PSF_CALIBRATION_DEFAULTS.splineSidePx);
      await writeSplineCalibration(join(dir, 'psf-true.h5'), spline, { pixelSizeNm: PIXEL_NM, record: { zOrigin: "the pupil PSF's z = 0", zErrorRmsNm: 0 } });
      results.push(measure(dir, 'true', join(dir, 'psf-true.h5'), truth));
    }
    if (models.includes('spline')) {
      cli('calibrate-psf', beads, '--z-start', '-800', '--z-step', '20', ...cameraFlags, '-o', join(dir, `psf-${camera}.h5`));
      notes.push(`spline-${camera}: ${psfRecord(join(dir, `psf-${camera}.json`))}`);
      results.push(measure(dir, `spline-${camera}`, join(dir, `psf-${camera}.h5`), truth));
    }
  }
  console.log(`\n### ${opticsName}: ${optics.label}\n\ntruth ${truth.rows.length} emitters (z in ±600 nm)\n`);
  console.log('| model (bead camera) | Jaccard | FP | lateral RMSE (x / y bias) | z RMSE (≤ 250 nm; median \\|Δz\\|) | z bias | largest \\|z bias\\| per 200 nm | z errors > 250 nm | converged | RMSE / uncertainty (x / y / z) | localize, 1 thread |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.name} | ${r.jaccard.toFixed(1)} % | ${r.falsePositives} | ${r.lateral.toFixed(1)} nm (${r.lateralBias.map((b) => b.toFixed(1)).join(' / ')}) | ${r.zRmse.toFixed(1)} nm (${r.zInliers.toFixed(1)}; ${r.zMedian.toFixed(1)}) | ${r.zBias.toFixed(1)} nm | ${r.worstBand.toFixed(1)} nm | ${r.outliers.toFixed(1)} % | ${r.converged.toFixed(1)} % | ${r.precision.map((p) => p.toFixed(2)).join(' / ')} | ${r.seconds.toFixed(1)} s |`);
  }
  console.log('');
  for (const n of notes) console.log(`- ${n}`);
  console.log(`\nx / y RMSE over uncertainty of the spots within ${EDGE_PX} px of the frame's edge (their count), and of the others:\n`);
  for (const r of results) console.log(`- ${r.name}: edge ${r.edge.near.x.toFixed(2)} / ${r.edge.near.y.toFixed(2)} (${r.edge.near.n}), others ${r.edge.far.x.toFixed(2)} / ${r.edge.far.y.toFixed(2)} (${r.edge.far.n})`);
  console.log(`\nz bias by 200 nm band of true z, nm (its RMSE in brackets), matches; RMSE / uncertainty x / y / z of its z inliers (z of those ${EDGE_PX} px or more from the frame's edge):\n`);
  console.log(`| band | ${results.map((r) => r.name).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---').join('|')}|`);
  const allBands = [...new Set(results.flatMap((r) => r.bandBias.map((x) => x.band)))].sort((a, b) => a - b);
  for (const b of allBands) {
    console.log(`| ${b}…${b + BAND_NM} | ${results.map((r) => { const x = r.bandBias.find((y) => y.band === b); return x ? `${x.bias.toFixed(1)} (${x.rmse.toFixed(1)}), ${x.n}; ${x.ratios.map((v) => v.toFixed(2)).join(' / ')} (z ${x.farZ.toFixed(2)})` : '—'; }).join(' | ')} |`);
  }
}

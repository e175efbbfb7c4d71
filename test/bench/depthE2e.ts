/**
 * Issue 26's speed case, end to end: an astigmatic stack of 64×64 frames with ~12 spots each,
 * through the Gaussian astigmatic calibration and through a bead-calibrated spline, as a user
 * would run it (the CLI, a fresh process per run):
 * `npm run build && node --import tsx test/bench/depthE2e.ts [DIR] [--frames 1000] [--workers 1,2]
 * [--models astig,spline] [--repeat 1] [--other CHECKOUT]`.
 * Simulates once into DIR (default `$TMPDIR/smlm-stream-depth-e2e`, reused when there): the stack
 * (a scalar pupil PSF, NA 1.49, Zernike astigmatism and 20 nm spherical aberration, depths uniform
 * in ±500 nm, 0.3 emitters/µm² on per frame = ~12 a 64×64 frame of 100 nm px, 2 000 photons over
 * 20/px, no minimum separation) and its bead z-stack (same optics), calibrates both models from
 * the beads (calibrate-3d, calibrate-psf), then localizes with each model and worker count and
 * prints a Markdown table: frames/s (wall, the whole command: start, settings, workers), CPU
 * seconds of the process tree (user + system, /usr/bin/time), rows, the share of fits that
 * converged (the run record), Jaccard (matched within 250 nm laterally, as `evaluate`), lateral
 * RMSE, z RMSE and z bias over the matched, and the share of matched z errors beyond 250 nm.
 * `--other CHECKOUT` runs that checkout's dist/ CLI too, each run right after this one's (the
 * machine's load falls on both alike), and adds its rows: a before/after table from one run.
 * `--repeat R` repeats each pair R times (the table gives every run; compare CPU, which load
 * moves less than wall).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { matchPoints } from '../../src/evaluate/matchPoints.js';
import { readNumberTable, rowsByFrame } from './numberTable.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const frames = Number(flag('--frames', '1000'));
const workerCounts = flag('--workers', '1,2').split(',').map(Number);
const models = flag('--models', 'astig,spline').split(',');
const repeat = Number(flag('--repeat', '1'));
const other = flag('--other', '');
const dir = args[0] ?? join(tmpdir(), 'smlm-stream-depth-e2e');
mkdirSync(dir, { recursive: true });

const THIS_CLI = join(import.meta.dirname, '../../dist/src/cli/smlm-stream.js');
const TOLERANCE_NM = 250;
/** The optics neither model made (as test/bench/splineVsGaussian.ts). */
const OPTICS = ['--psf', 'pupil', '--zernike-spherical', '20'];
/** ~12 emitters on in a 64×64 frame of 100 nm px: 0.3 /µm² × 40.96 µm². */
const STACK = ['--width', '64', '--height', '64', '--density', '0.3', '--astigmatism', '500', '--seed', '11'];

function cli(command: string, ...rest: string[]): string {
  const r = spawnSync(process.execPath, [THIS_CLI, command, ...rest], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`smlm-stream ${command} ${rest.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

const stack = join(dir, `stack-${frames}.tif`);
const beads = join(dir, 'beads.tif');
if (!existsSync(stack)) cli('simulate', stack, ...OPTICS, ...STACK, '--frames', String(frames), '--quiet');
if (!existsSync(beads)) cli('simulate', beads, '--beads', ...OPTICS, '--seed', '6', '--quiet');
const calibrations: Record<string, string> = { astig: join(dir, 'calib.json'), spline: join(dir, 'psf.h5') };
if (!existsSync(calibrations.astig)) cli('calibrate-3d', beads, '--z-start', '-800', '--z-step', '20', '-o', calibrations.astig);
if (!existsSync(calibrations.spline)) cli('calibrate-psf', beads, '--z-start', '-800', '--z-step', '20', '-o', calibrations.spline);


const truth = readNumberTable(stack.replace(/\.tif$/, '.truth.csv'));
const truthFrames = rowsByFrame(truth.rows, truth.col('frame'));

/** Jaccard, lateral RMSE, z RMSE and bias, and z outliers of one run's CSV against the truth. */
function score(csv: string): { rows: number; jaccard: number; lateral: number; zRmse: number; zBias: number; outliers: number } {
  const found = readNumberTable(csv);
  const [tx, ty, tz] = ['x [nm]', 'y [nm]', 'z [nm]'].map(truth.col);
  const [ff, fx, fy, fz] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map(found.col);
  const foundFrames = rowsByFrame(found.rows, ff);
  let d2 = 0;
  const dz: number[] = [];
  for (const [frame, rows] of truthFrames) {
    const locs = foundFrames.get(frame) ?? [];
    const m = matchPoints(rows.map((r) => r[tx]), rows.map((r) => r[ty]), locs.map((r) => r[fx]), locs.map((r) => r[fy]), TOLERANCE_NM);
    m.truth.forEach((t, k) => {
      const l = locs[m.found[k]];
      d2 += (l[fx] - rows[t][tx]) ** 2 + (l[fy] - rows[t][ty]) ** 2;
      dz.push(l[fz] - rows[t][tz]);
    });
  }
  const tp = dz.length;
  return {
    rows: found.rows.length,
    jaccard: (100 * tp) / (truth.rows.length + found.rows.length - tp),
    lateral: Math.sqrt(d2 / tp),
    zRmse: Math.sqrt(dz.reduce((s, e) => s + e * e, 0) / tp),
    zBias: dz.reduce((s, e) => s + e, 0) / tp,
    outliers: (100 * dz.filter((e) => Math.abs(e) > TOLERANCE_NM).length) / tp,
  };
}

/** One localize run: wall and CPU seconds (/usr/bin/time), then its scores. */
function run(name: string, cliPath: string, model: string, workers: number): string {
  const out = join(dir, `${name}-${model}-${workers}.csv`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, cliPath, 'localize', stack, '-o', out, '--calibration', calibrations[model], '--workers', String(workers), '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} localize (${model}, ${workers} workers): exit ${r.status}\n${r.stderr}`);
  const [wall, user, system] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  const counts = (JSON.parse(readFileSync(out.replace(/\.csv$/, '.json'), 'utf8')) as { counts: { fits: number; converged: number } }).counts;
  const s = score(out);
  return `| ${name} | ${model} | ${workers} | ${Math.round(frames / wall)} | ${wall.toFixed(2)} | ${(user + system).toFixed(2)} | ${s.rows} | ${((100 * counts.converged) / counts.fits).toFixed(2)} | ${s.jaccard.toFixed(2)} | ${s.lateral.toFixed(2)} | ${s.zRmse.toFixed(2)} | ${s.zBias.toFixed(2)} | ${s.outliers.toFixed(2)} |`;
}

const checkouts: [string, string][] = [['this', THIS_CLI]];
if (other) checkouts.push(['other', join(resolve(other), 'dist/src/cli/smlm-stream.js')]);
console.log(`${frames} frames of 64×64, ${truth.rows.length} emitters (pupil PSF, ±500 nm); load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| checkout | model | workers | frames/s | wall s | CPU s | rows | converged % | Jaccard % | lateral RMSE nm | z RMSE nm | z bias nm | z err > 250 nm % |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (let i = 0; i < repeat; i++) {
  for (const model of models) {
    for (const workers of workerCounts) {
      for (const [name, path] of checkouts) console.log(run(name, path, model, workers));
    }
  }
}

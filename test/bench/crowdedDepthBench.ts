/**
 * 3-D crowded spots (issue 27, item 1): `node --import tsx test/bench/crowdedDepthBench.ts
 * [DIR] [--models a,p] [--densities 0.5,1,2] [--frames N] [--multi on|off] [--refits on|off] [--max-emitters K] [--p-value P]` (after `npm run build`:
 * the stacks and calibrations come from the CLI, made once into DIR).
 *
 * Stacks: 64×64 px at 100 nm, z uniform in ±400 nm, N = 2000, b = 20, `--seed 7`. Model `a`:
 * Gaussian astigmatic spots, calibrated by calibrate-3d on `simulate --beads`; model `p`:
 * pupil-function spots with 20 nm spherical aberration, calibrated by calibrate-psf on the same
 * optics' beads (so neither fit's model drew its data). Each stack is localized frame by frame
 * through {@link FrameLocalizer} with the simulator's camera, one thread.
 *
 * Prints per stack: Jaccard (matched within 250 nm laterally, as `evaluate`), false positives per
 * frame, lateral and z RMSE over the matches (and z RMSE of those within 250 nm), the median
 * `uncertainty_z` (the z CRLB with the model error), CPU ms per frame, and where each missed
 * emitter was lost: no candidate within 250 nm (with / without another emitter within 400 nm:
 * merged or suppressed by distance, or undetected), a candidate but only failed fits there (z at
 * the range's edge, iteration limit, other), or a candidate and no fit at all near it (the
 * window's emitters went elsewhere: wrong K or the assignment).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCalibrationFile } from '../../src/export/readCalibrationFile.js';
import { matchPoints } from '../../src/evaluate/matchPoints.js';
import { FitStatus } from '../../src/fit/FitStatus.js';
import { readFrames } from '../../src/io/framesFromTiff.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';

const REPO = join(import.meta.dirname, '../..');
const CLI = join(REPO, 'dist/src/cli/smlm-stream.js');
const TOLERANCE_NM = 250;
const NEIGHBOUR_NM = 400;
const PIXEL_NM = 100;
/** Two converged rows closer than this are counted as one spot fitted twice. */
const DUPLICATE_NM = 100;
/** Nearest-neighbour distance bins (lower edges), nm: recall and z RMSE by how crowded an emitter is. */
const NN_BINS_NM = [0, 250, 500, 1000];
const binOf = (d: number) => NN_BINS_NM.findLastIndex((edge) => d >= edge);
const byNeighbour: string[] = [];

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const models = flag('--models', 'a,p').split(',');
const densities = flag('--densities', '0.5,1,2').split(',');
const frameCount = Number(flag('--frames', '100'));
const multi = flag('--multi', 'on') === 'on';
/** `off`: 3-D rows keep their fits alone (FrameLocalizer's DepthRefits off). */
const refits = flag('--refits', 'on') === 'on';
const maxEmitters = args.includes('--max-emitters') ? Number(flag('--max-emitters', '5')) : undefined;
const pValue = args.includes('--p-value') ? Number(flag('--p-value', '1e-6')) : undefined;
const D = args[0] ?? '/tmp/smlm-stream-crowded-depth';
mkdirSync(D, { recursive: true });

const cli = (a: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...a], { cwd: D, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${a.join(' ')}: ${r.stderr}`);
};
const SIM = ['--width', '64', '--height', '64', '--frames', '100', '--astigmatism', '400', '--seed', '7', '--quiet'];
const PUPIL = ['--psf', 'pupil', '--zernike-spherical', '20'];
if (models.includes('a') && !existsSync(join(D, 'calib.json'))) {
  cli(['simulate', 'beads.tif', '--beads', '--seed', '6', '--quiet']);
  cli(['calibrate-3d', 'beads.tif', '--z-start', '-800', '--z-step', '20', '-o', 'calib.json']);
}
if (models.includes('p') && !existsSync(join(D, 'psf.h5'))) {
  cli(['simulate', 'pbeads.tif', '--beads', ...PUPIL, '--seed', '6', '--quiet']);
  cli(['calibrate-psf', 'pbeads.tif', '--z-start', '-800', '--z-step', '20', '-o', 'psf.h5']);
}

/** Truth rows by frame: x, y, z in nm. */
function readTruth(path: string): Map<number, { x: number[]; y: number[]; z: number[] }> {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',').map((c) => c.replace(/"/g, ''));
  const [f, x, y, z] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map((n) => names.indexOf(n));
  const frames = new Map<number, { x: number[]; y: number[]; z: number[] }>();
  for (const line of lines) {
    const r = line.split(',').map(Number);
    let t = frames.get(r[f]);
    if (!t) frames.set(r[f], (t = { x: [], y: [], z: [] }));
    t.x.push(r[x]);
    t.y.push(r[y]);
    t.z.push(r[z]);
  }
  return frames;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : Number.NaN;
};
const rms = (v: number[]) => Math.sqrt(v.reduce((s, e) => s + e * e, 0) / v.length);

console.log(`| model, density | Jaccard | FP/frame | lateral RMSE | z RMSE (≤ 250 nm) | median z CRLB | z RMSE / CRLB | CPU ms/frame | missed: no cand. (neighbour / alone) | cand., failed fit (z edge / iter / other) | cand., its fit matched to another / no fit near | pairs < 100 nm /frame |`);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const model of models) {
  for (const density of densities) {
    const stack = join(D, `${model}${density}.tif`);
    if (!existsSync(stack)) cli(['simulate', `${model}${density}.tif`, '--density', density, ...SIM, ...(model === 'p' ? PUPIL : [])]);
    const calibration = await readCalibrationFile(join(D, model === 'p' ? 'psf.h5' : 'calib.json'));
    const options = resolveLocalizeOptions({
      camera: { pixelSizeNm: PIXEL_NM, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.5 },
      ...calibration,
      multiEmitter: { enabled: multi, maxEmitters, pValue },
    });
    const localizer = new FrameLocalizer(options, { depthRefits: refits });
    const truth = readTruth(stack.replace('.tif', '.truth.csv'));
    const bins = NN_BINS_NM.map(() => ({ truth: 0, found: 0, dz: [] as number[] }));
    let duplicates = 0, nTruth = 0, found = 0, matched = 0, cpu = 0, frames = 0;
    const lateral: number[] = [], dz: number[] = [], crlb: number[] = [];
    const lost = { neighbour: 0, alone: 0, zEdge: 0, iterations: 0, otherFailed: 0, shared: 0, noFit: 0 };
    for await (const frame of readFrames(stack, { end: frameCount })) {
      const t0 = process.cpuUsage();
      const b = localizer.process(frame);
      const t1 = process.cpuUsage(t0);
      cpu += (t1.user + t1.system) / 1000;
      frames++;
      const t = truth.get(frame.index + 1) ?? { x: [], y: [], z: [] };
      nTruth += t.x.length;
      const ok: number[] = [];
      for (let i = 0; i < b.count; i++) if (b.status[i] === FitStatus.converged) ok.push(i);
      found += ok.length;
      for (let a = 0; a < ok.length; a++) for (let c = a + 1; c < ok.length; c++) if (Math.hypot(b.x[ok[a]] - b.x[ok[c]], b.y[ok[a]] - b.y[ok[c]]) < DUPLICATE_NM) duplicates++;
      const m = matchPoints(t.x, t.y, ok.map((i) => b.x[i]), ok.map((i) => b.y[i]), TOLERANCE_NM);
      matched += m.truth.length;
      const hit = new Uint8Array(t.x.length);
      const nn = t.x.map((x, k) => Math.min(...t.x.map((x2, j) => (j === k ? Infinity : Math.hypot(x2 - x, t.y[j] - t.y[k])))));
      nn.forEach((d) => bins[binOf(d)].truth++);
      m.truth.forEach((k, j) => {
        const i = ok[m.found[j]];
        hit[k] = 1;
        const bin = bins[binOf(nn[k])];
        bin.found++;
        bin.dz.push((b.z as Float64Array)[i] - t.z[k]);
        lateral.push(Math.hypot(b.x[i] - t.x[k], b.y[i] - t.y[k]));
        dz.push((b.z as Float64Array)[i] - t.z[k]);
        crlb.push((b.uncertaintyZ as Float64Array)[i]);
      });
      const c = localizer.candidates;
      for (let k = 0; k < t.x.length; k++) {
        if (hit[k]) continue;
        const near = (x: number, y: number) => Math.hypot(x - t.x[k], y - t.y[k]) <= TOLERANCE_NM;
        let candidate = false;
        for (let q = 0; q < c.count && !candidate; q++) candidate = near((c.column[q] + 0.5) * PIXEL_NM, (c.row[q] + 0.5) * PIXEL_NM);
        if (!candidate) {
          let neighbour = false;
          for (let j = 0; j < t.x.length && !neighbour; j++) neighbour = j !== k && Math.hypot(t.x[j] - t.x[k], t.y[j] - t.y[k]) <= NEIGHBOUR_NM;
          lost[neighbour ? 'neighbour' : 'alone']++;
          continue;
        }
        let status = -1;
        for (let i = 0; i < b.count && status !== FitStatus.converged; i++) {
          if (!near(b.x[i], b.y[i])) continue;
          if (b.status[i] === FitStatus.converged || status < 0 || status === FitStatus.leftPatch) status = b.status[i];
        }
        if (status === FitStatus.converged) lost.shared++;
        else if (status < 0) lost.noFit++;
        else if (status === FitStatus.zOutOfRange) lost.zEdge++;
        else if (status === FitStatus.maxIterations) lost.iterations++;
        else lost.otherFailed++;
      }
    }
    byNeighbour.push(`| ${model}${density} | ${bins.map((bin) => `${bin.truth}: ${((100 * bin.found) / bin.truth).toFixed(1)} %, ${rms(bin.dz).toFixed(0)} (${rms(bin.dz.filter((e) => Math.abs(e) <= 250)).toFixed(0)}) nm`).join(' | ')} |`);
    const within = dz.filter((e) => Math.abs(e) <= 250);
    const pct = (v: number) => `${((100 * v) / nTruth).toFixed(1)}`;
    const medCrlb = median(crlb);
    console.log(
      `| ${model === 'a' ? 'astigmatic' : 'spline'}, ${density} /µm² | ${((100 * matched) / (nTruth + found - matched)).toFixed(1)} % | ${((found - matched) / frames).toFixed(2)} | ${rms(lateral).toFixed(0)} nm | ${rms(dz).toFixed(0)} (${rms(within).toFixed(0)}) nm | ${medCrlb.toFixed(1)} nm | ${(rms(dz) / medCrlb).toFixed(1)} (${(rms(within) / medCrlb).toFixed(1)}) | ${(cpu / frames).toFixed(0)} | ${pct(lost.neighbour)} / ${pct(lost.alone)} % | ${pct(lost.zEdge)} / ${pct(lost.iterations)} / ${pct(lost.otherFailed)} % | ${pct(lost.shared)} / ${pct(lost.noFit)} % | ${(duplicates / frames).toFixed(2)} |`,
    );
  }
}
console.log(`\nBy the nearest neighbour's distance (${NN_BINS_NM.join(', ')}… nm): emitters, recall, z RMSE (within 250 nm)`);
for (const line of byNeighbour) console.log(line);

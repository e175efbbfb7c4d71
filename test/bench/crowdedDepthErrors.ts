/**
 * Where the z error of crowded 3-D stacks comes from (issue 27): `node --import tsx
 * test/bench/crowdedDepthErrors.ts [DIR] [--models a,p] [--density 1] [--frames N] [--refits on|off]`, DIR and its
 * stacks as made by crowdedDepthBench.ts (run that first).
 *
 * Matches each frame's converged rows to the truth within 250 nm (matchPoints, as `evaluate`)
 * and splits the matched pairs by the true emitter's nearest-neighbour distance and by whether
 * the row came from a single fit (K = 1) or a window of K > 1 emitters. For each group: pairs,
 * z RMSE, median |Δz|, the share of outliers (|Δz| > 250 nm) and the RMSE without them. The
 * outliers are then sorted by cause: the fitted z at the range's edge; a neighbour within
 * 500 nm whose true z lies within 100 nm of the fitted z (the fit took its neighbour's depth or
 * the pair was fitted as one); the truth's own nearest row is a row matched to another emitter;
 * other. Finally the share of the z error's sum of squares each group carries. With `DUMP=N` it
 * prints the first N outliers (with `ISO=1`: pairs ≥ 1 µm from any neighbour and |Δz| > 50 nm)
 * with the truth and the rows within 1 µm (offset nm, z, photons, background, K, status).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCalibrationFile } from '../../src/export/readCalibrationFile.js';
import { matchPoints } from '../../src/evaluate/matchPoints.js';
import { FitStatus } from '../../src/fit/FitStatus.js';
import { readFrames } from '../../src/io/framesFromTiff.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';

const TOLERANCE_NM = 250;
const OUTLIER_NM = 250;
const SWAP_NM = 100;
const SWAP_REACH_NM = 500;
const NN_BINS_NM = [0, 250, 500, 1000];

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const models = flag('--models', 'a,p').split(',');
const density = flag('--density', '1');
const frameCount = Number(flag('--frames', '40'));
/** `off`: 3-D rows keep their fits alone (FrameLocalizer's DepthRefits off). */
const refits = flag('--refits', 'on') === 'on';
const D = args[0] ?? '/tmp/smlm-stream-crowded-depth';

interface Truth {
  x: number[];
  y: number[];
  z: number[];
}
function readTruth(path: string): Map<number, Truth> {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',').map((c) => c.replace(/"/g, ''));
  const [f, x, y, z] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map((n) => names.indexOf(n));
  const frames = new Map<number, Truth>();
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

interface Pair {
  nn: number;
  k: number;
  dz: number;
  z: number;
  fitZ: number;
  crlb: number;
  cause: string;
}
const rms = (v: number[]) => (v.length ? Math.sqrt(v.reduce((s, e) => s + e * e, 0) / v.length) : Number.NaN);
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : Number.NaN;
};
const summary = (pairs: Pair[], total: number) => {
  const dz = pairs.map((p) => p.dz);
  const inl = dz.filter((e) => Math.abs(e) <= OUTLIER_NM);
  const ss = dz.reduce((s, e) => s + e * e, 0);
  return `${pairs.length} | ${rms(dz).toFixed(0)} | ${median(dz.map(Math.abs)).toFixed(0)} | ${((100 * (dz.length - inl.length)) / Math.max(1, dz.length)).toFixed(1)} % | ${rms(inl).toFixed(0)} | ${((100 * ss) / total).toFixed(0)} %`;
};

for (const model of models) {
  const stack = join(D, `${model}${density}.tif`);
  if (!existsSync(stack)) throw new Error(`${stack}: run crowdedDepthBench.ts ${D} first`);
  const calibration = await readCalibrationFile(join(D, model === 'p' ? 'psf.h5' : 'calib.json'));
  const options = resolveLocalizeOptions({ camera: { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.5 }, ...calibration });
  const localizer = new FrameLocalizer(options, { depthRefits: refits });
  const truth = readTruth(stack.replace('.tif', '.truth.csv'));
  const pairs: Pair[] = [];
  let nTruth = 0;
  let found = 0;
  let dumped = 0;
  for await (const frame of readFrames(stack, { end: frameCount })) {
    const b = localizer.process(frame);
    const z = b.z as Float64Array;
    const t = truth.get(frame.index + 1) ?? { x: [], y: [], z: [] };
    nTruth += t.x.length;
    const ok: number[] = [];
    for (let i = 0; i < b.count; i++) if (b.status[i] === FitStatus.converged) ok.push(i);
    found += ok.length;
    const m = matchPoints(t.x, t.y, ok.map((i) => b.x[i]), ok.map((i) => b.y[i]), TOLERANCE_NM);
    const matchedRow = new Map<number, number>();
    m.truth.forEach((k, j) => matchedRow.set(ok[m.found[j]], k));
    m.truth.forEach((k, j) => {
      const i = ok[m.found[j]];
      let nn = Number.POSITIVE_INFINITY;
      for (let o = 0; o < t.x.length; o++) if (o !== k) nn = Math.min(nn, Math.hypot(t.x[o] - t.x[k], t.y[o] - t.y[k]));
      const dz = z[i] - t.z[k];
      let cause = '';
      if (Math.abs(dz) > OUTLIER_NM) {
        let swap = false;
        for (let o = 0; o < t.x.length && !swap; o++) swap = o !== k && Math.hypot(t.x[o] - t.x[k], t.y[o] - t.y[k]) <= SWAP_REACH_NM && Math.abs(t.z[o] - z[i]) <= SWAP_NM;
        let hasNear = false;
        for (let o = 0; o < t.x.length && !hasNear; o++) hasNear = o !== k && Math.hypot(t.x[o] - t.x[k], t.y[o] - t.y[k]) <= SWAP_REACH_NM;
        cause = Math.abs(z[i]) > 700 ? 'z edge' : swap ? "neighbour's z" : hasNear ? 'neighbour ≤ 500 nm, other z' : 'alone';
      }
      if ((process.env.ISO ? nn >= 1000 && Math.abs(dz) > 50 : cause) && process.env.DUMP && dumped++ < Number(process.env.DUMP)) {
        const near = (x: number, y: number) => Math.hypot(x - t.x[k], y - t.y[k]) <= 1000;
        const tr = t.x.map((_, o) => o).filter((o) => near(t.x[o], t.y[o])).map((o) => `${o === k ? '*' : ''}(${(t.x[o] - t.x[k]).toFixed(0)},${(t.y[o] - t.y[k]).toFixed(0)},z${t.z[o].toFixed(0)})`);
        const rows: string[] = [];
        for (let r = 0; r < b.count; r++) if (near(b.x[r], b.y[r])) rows.push(`${r === i ? '*' : ''}(${(b.x[r] - t.x[k]).toFixed(0)},${(b.y[r] - t.y[k]).toFixed(0)},z${z[r].toFixed(0)},N${b.intensity[r].toFixed(0)},b${b.offset[r].toFixed(1)},K${b.emitters[r]},s${b.status[r]}${matchedRow.has(r) ? '' : ',FP'})`);
        console.log(`${cause} f${frame.index + 1}: truth ${tr.join(' ')}\n   rows ${rows.join(' ')}`);
      }
      pairs.push({ nn, k: b.emitters[i], dz, z: t.z[k], fitZ: z[i], crlb: (b.uncertaintyZ as Float64Array)[i], cause });
    });
  }
  const total = pairs.reduce((s, p) => s + p.dz * p.dz, 0);
  const crlb = median(pairs.map((p) => p.crlb));
  console.log(`\n${model}${density}: ${nTruth} emitters, ${found} converged rows, ${pairs.length} matched; z RMSE ${rms(pairs.map((p) => p.dz)).toFixed(0)} nm, median |Δz| ${median(pairs.map((p) => Math.abs(p.dz))).toFixed(0)} nm, median z CRLB ${crlb.toFixed(1)} nm`);
  console.log('| nearest neighbour | rows | pairs | z RMSE nm | median abs dz nm | outliers > 250 nm | RMSE without | share of Σdz² |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (let bin = 0; bin < NN_BINS_NM.length; bin++) {
    const lo = NN_BINS_NM[bin];
    const hi = NN_BINS_NM[bin + 1] ?? Number.POSITIVE_INFINITY;
    const inBin = pairs.filter((p) => p.nn >= lo && p.nn < hi);
    for (const [name, group] of [['K = 1', inBin.filter((p) => p.k === 1)], ['K > 1', inBin.filter((p) => p.k > 1)]] as const) {
      console.log(`| ${lo}–${hi} nm | ${name} | ${summary(group, total)} |`);
    }
  }
  console.log(`| all | K = 1 | ${summary(pairs.filter((p) => p.k === 1), total)} |`);
  console.log(`| all | K > 1 | ${summary(pairs.filter((p) => p.k > 1), total)} |`);
  const outliers = pairs.filter((p) => p.cause);
  const causes = new Map<string, Pair[]>();
  for (const p of outliers) causes.set(p.cause, [...(causes.get(p.cause) ?? []), p]);
  console.log(`outliers (|Δz| > ${OUTLIER_NM} nm): ${outliers.length} of ${pairs.length}, ${((100 * outliers.reduce((s, p) => s + p.dz * p.dz, 0)) / total).toFixed(0)} % of Σdz²`);
  for (const [cause, list] of causes) console.log(`  ${cause}: ${list.length} (K = 1: ${list.filter((p) => p.k === 1).length}); true z ${list.map((p) => p.z.toFixed(0)).slice(0, 12).join(' ')}…; fitted ${list.map((p) => p.fitZ.toFixed(0)).slice(0, 12).join(' ')}…`);
  // Error by the true z (200 nm bands): is it the defocused ends?
  const bands = [-400, -200, 0, 200];
  console.log(`by true z: ${bands.map((lo) => { const g = pairs.filter((p) => p.z >= lo && p.z < lo + 200); return `${lo}…${lo + 200}: ${g.length}, RMSE ${rms(g.map((p) => p.dz)).toFixed(0)}, median ${median(g.map((p) => Math.abs(p.dz))).toFixed(0)}, out ${g.filter((p) => p.cause).length}`; }).join('; ')}`);
}

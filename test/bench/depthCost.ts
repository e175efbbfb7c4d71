/**
 * CPU per frame of the 3-D localizer (FrameLocalizer, one thread) against another checkout, on
 * depthE2e.ts's stack and calibrations, frame by frame interleaved (the order alternating, so
 * the machine's load falls on both alike): `node --import tsx test/bench/depthCost.ts DIR
 * OTHER_REPO [--models astig,spline] [--frames 1000]`, DIR as depthE2e.ts's (its
 * `stack-FRAMES.tif`, calib.json, psf.h5), OTHER_REPO a checkout of the same library with its
 * sources (e.g. `git archive` of the base). The camera is given (the simulator's), so the
 * settings step is left out: this is the frames' cost. Prints ms of CPU per frame of each, their
 * ratio with its range over blocks of 50 frames, and how many frames' rows differ (count, or the
 * sum of z beyond 1e-3 nm): a change meant to keep the output must show 0.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFrames } from '../../src/io/framesFromTiff.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const models = flag('--models', 'astig,spline').split(',');
const frameCount = Number(flag('--frames', '1000'));
const [dir, other] = args;
if (!dir || !other) throw new Error('usage: depthCost.ts DIR OTHER_REPO [--models astig,spline] [--frames N]');
const BLOCK = 50;
const camera = { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.5 };

interface Localizer {
  process(frame: unknown): { count: number; z?: Float64Array };
}

/** A checkout's localizer for a calibration file. */
async function localizer(repo: string, calibrationPath: string): Promise<Localizer> {
  const load = async (path: string) => (await import(pathToFileURL(join(repo, path)).href)) as Record<string, unknown>;
  const { readCalibrationFile } = (await load('src/export/readCalibrationFile.ts')) as { readCalibrationFile: (p: string) => Promise<object> };
  const { FrameLocalizer } = (await load('src/pipeline/FrameLocalizer.ts')) as { FrameLocalizer: new (o: unknown) => Localizer };
  const { resolveLocalizeOptions } = (await load('src/pipeline/LocalizeOptions.ts')) as { resolveLocalizeOptions: (o: object) => unknown };
  return new FrameLocalizer(resolveLocalizeOptions({ camera, ...(await readCalibrationFile(calibrationPath)) }));
}

for (const model of models) {
  const calibration = join(dir, model === 'spline' ? 'psf.h5' : 'calib.json');
  const runs = [
    { name: 'this', localizer: await localizer(resolve(import.meta.dirname, '../..'), calibration), cpu: 0, rows: 0 },
    { name: 'other', localizer: await localizer(resolve(other), calibration), cpu: 0, rows: 0 },
  ];
  let frames = 0;
  let differing = 0;
  const ratios: number[] = [];
  let blockStart = [0, 0];
  for await (const frame of readFrames(join(dir, `stack-${frameCount}.tif`), { end: frameCount })) {
    const out: [number, number][] = [[0, 0], [0, 0]];
    for (const i of frames % 2 ? [1, 0] : [0, 1]) {
      const run = runs[i];
      const t0 = process.cpuUsage();
      const batch = run.localizer.process(frame);
      const t = process.cpuUsage(t0);
      run.cpu += (t.user + t.system) / 1000;
      run.rows += batch.count;
      let z = 0;
      for (let r = 0; r < batch.count; r++) z += batch.z?.[r] ?? 0;
      out[i] = [batch.count, z];
    }
    if (out[0][0] !== out[1][0] || Math.abs(out[0][1] - out[1][1]) > 1e-3) differing++;
    if (++frames % BLOCK === 0) {
      ratios.push((runs[0].cpu - blockStart[0]) / (runs[1].cpu - blockStart[1]));
      blockStart = [runs[0].cpu, runs[1].cpu];
    }
  }
  ratios.sort((a, b) => a - b);
  const range = ratios.length ? ` (blocks of ${BLOCK}: ${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)}, median ${ratios[ratios.length >> 1].toFixed(2)})` : '';
  console.log(`${model}: ${frames} frames; ${runs.map((r) => `${r.name} ${(r.cpu / frames).toFixed(2)} ms/frame, ${r.rows} rows`).join('; ')}; this/other ${(runs[0].cpu / runs[1].cpu).toFixed(3)}${range}; frames whose rows differ: ${differing}`);
}

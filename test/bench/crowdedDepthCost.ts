/**
 * CPU per frame of 3-D crowding against another checkout, frame by frame interleaved (so the
 * machine's load falls on both alike): `node --import tsx test/bench/crowdedDepthCost.ts DIR
 * OTHER_REPO [--models a,p] [--density 1] [--frames N]`, DIR as for crowdedDepthBench.ts (its
 * stacks and calibrations), OTHER_REPO a checkout of the same library (e.g. `git archive` of
 * the base). Prints CPU ms/frame of this checkout with multi-emitter fitting on, the other's,
 * and this one's with it off.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readCalibrationFile } from '../../src/export/readCalibrationFile.js';
import { readFrames } from '../../src/io/framesFromTiff.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const models = flag('--models', 'a,p').split(',');
const density = flag('--density', '1');
const frameCount = Number(flag('--frames', '40'));
const [D, other] = args;
const otherModule = (await import(pathToFileURL(join(other, 'src/pipeline/FrameLocalizer.ts')).href)) as { FrameLocalizer: typeof FrameLocalizer };
const otherOptions = (await import(pathToFileURL(join(other, 'src/pipeline/LocalizeOptions.ts')).href)) as { resolveLocalizeOptions: typeof resolveLocalizeOptions };
const camera = { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.5 };
for (const model of models) {
  const calibration = await readCalibrationFile(join(D, model === 'p' ? 'psf.h5' : 'calib.json'));
  const runs = [
    { name: 'this, on', localizer: new FrameLocalizer(resolveLocalizeOptions({ camera, ...calibration })), cpu: 0 },
    { name: 'other, on', localizer: new otherModule.FrameLocalizer(otherOptions.resolveLocalizeOptions({ camera, ...calibration })), cpu: 0 },
    { name: 'this, off', localizer: new FrameLocalizer(resolveLocalizeOptions({ camera, ...calibration, multiEmitter: { enabled: false } })), cpu: 0 },
  ];
  let frames = 0;
  for await (const frame of readFrames(join(D, `${model}${density}.tif`), { end: frameCount })) {
    for (const run of runs) {
      const t0 = process.cpuUsage();
      run.localizer.process(frame);
      const t1 = process.cpuUsage(t0);
      run.cpu += (t1.user + t1.system) / 1000;
    }
    frames++;
  }
  console.log(`${model}${density}: CPU ms/frame ${runs.map((r) => `${r.name} ${(r.cpu / frames).toFixed(1)}`).join(', ')}; this/other ${(runs[0].cpu / runs[1].cpu).toFixed(2)}`);
}

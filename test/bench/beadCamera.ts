/**
 * The camera calibrate-psf estimates from a bead z-stack when no camera flag is given (issue 26:
 * "the camera estimated from a bead stack is biased"), against the simulator's (offset 100 ADU,
 * 1 e⁻/ADU, read noise 1.5 ADU):
 * `npm run build && node --import tsx test/bench/beadCamera.ts [DIR] [--seeds N] [--optics NAMES]`.
 * For each optical model of benchOptics.ts's OPTICS and each seed, simulates the bead stack
 * (`simulate --beads --psf pupil …`, 9 beads, 81 frames of 20 nm) and reads it as calibrate-psf
 * does ({@link readBeadStack}: {@link BEAD_CAMERA_ESTIMATE}.frames frames spread over the stack);
 * prints each estimate with its own standard error, and per optics the mean error and its
 * standard error over the seeds and the RMS of the z-scores (error / reported sd: ≈ 1 where the
 * reported sd is honest).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readBeadStack } from '../../src/cli/readBeadStack.js';
import { TiffStack } from '../../src/io/TiffStack.js';
import { OPTICS } from './benchOptics.js';
import { takeOption } from './takeOption.js';

const CLI = join(import.meta.dirname, '../../dist/src/cli/smlm-stream.js');
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => takeOption(args, name, fallback);
const seeds = Number(option('--seeds', '5'));
const opticsNames = option('--optics', 'na149,na14,na12').split(',');
const root = args[0] ?? '/tmp/bead-camera';
const TRUE_BASELINE = 100;
const TRUE_GAIN = 1;

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + (x - mean(v)) ** 2, 0) / Math.max(1, v.length - 1));
console.log('| optics | seed | offset, ADU (± its sd) | gain, e⁻/ADU (± its sd) |');
console.log('|---|---|---|---|');
const summary: string[] = [];
for (const name of opticsNames) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const db: number[] = [], dg: number[] = [], zb: number[] = [], zg: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const path = join(dir, `beads-${seed}.tif`);
    const r = spawnSync(process.execPath, [CLI, 'simulate', path, '--beads', '--psf', 'pupil', ...OPTICS[name].flags, '--seed', String(seed), '--quiet', '--overwrite'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const stack = TiffStack.open(path);
    const bead = await readBeadStack(path, stack, () => undefined, { estimateCamera: true });
    stack.close();
    const e = bead.estimate;
    if (!e) {
      console.log(`| ${name} | ${seed} | not estimated: ${bead.warning} | |`);
      continue;
    }
    db.push(e.baselineAdu - TRUE_BASELINE);
    dg.push(e.photonsPerAdu - TRUE_GAIN);
    zb.push((e.baselineAdu - TRUE_BASELINE) / e.baselineSdAdu);
    zg.push((e.photonsPerAdu - TRUE_GAIN) / e.photonsPerAduSd);
    console.log(`| ${name} | ${seed} | ${e.baselineAdu.toFixed(1)} ± ${e.baselineSdAdu.toFixed(1)} | ${e.photonsPerAdu.toFixed(3)} ± ${e.photonsPerAduSd.toFixed(3)} |`);
  }
  const rmsZ = (v: number[]) => Math.sqrt(mean(v.map((x) => x * x)));
  summary.push(`| ${name} | ${db.length} | ${mean(db).toFixed(1)} ± ${(sd(db) / Math.sqrt(db.length)).toFixed(1)} (z-scores RMS ${rmsZ(zb).toFixed(2)}) | ${mean(dg).toFixed(3)} ± ${(sd(dg) / Math.sqrt(dg.length)).toFixed(3)} (z-scores RMS ${rmsZ(zg).toFixed(2)}) |`);
}
console.log('\n| optics | stacks | offset error, ADU: mean ± its SE | gain error, e⁻/ADU: mean ± its SE |');
console.log('|---|---|---|---|');
for (const s of summary) console.log(s);

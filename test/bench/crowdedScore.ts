/**
 * Find–fit–subtract against density (issue 27, item 2):
 * `node --import tsx test/bench/crowdedScore.ts [--frames F] [--passes 1,2] [--densities 1.5,4,6] [DIR]`.
 * Simulates 2-D stacks (128 × 128 px of 100 nm, N = 2000, b = 20 photons/px, σ = 130 nm, seed
 * 3, the project's simulator) at each density, localizes each with the right camera settings
 * and each `--passes` value (the CLI run from the sources, one worker), and prints Jaccard,
 * false positives per frame, lateral RMSE (`evaluate`'s matching, 250 nm) and the run's CPU
 * time. 50 frames hold 12 000–49 000 true spots: the Jaccard's standard error is < 0.5 %.
 * Extra localize flags after `--`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { readPointTable } from '../../src/evaluate/PointTable.js';

const REPO = join(import.meta.dirname, '../..');
const CLI = join(REPO, 'src/cli/smlm-stream.ts');
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const args = dash >= 0 ? argv.slice(0, dash) : argv;
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const frames = Number(flag('--frames', '50'));
const passes = flag('--passes', '1,2').split(',');
const densities = flag('--densities', '1.5,4,6').split(',');
const D = args[0] ?? join(tmpdir(), 'smlm-stream-crowded-score');
mkdirSync(D, { recursive: true });

/** Run the CLI from the sources; its CPU time (user + system, s) from /usr/bin/time. */
const run = (cliArgs: string[]): number => {
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, '--import', 'tsx', CLI, ...cliArgs], { encoding: 'utf8', cwd: REPO });
  if (r.status !== 0) throw new Error(r.stderr);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return m ? Number(m[1]) + Number(m[2]) : Number.NaN;
};
const RIGHT = ['--baseline', '100', '--photons-per-adu', '1', '--read-noise', '1.5', '--pixel-size', '100', '--psf-sigma', '130', '--workers', '1'];

console.log(`128 × 128 px, ${frames} frames, seed 3; localize ${RIGHT.join(' ')} ${extra.join(' ')}`);
console.log('| density /µm² | passes | Jaccard | FP / frame | FN / frame | lateral RMSE nm | CPU s |');
console.log('|---|---|---|---|---|---|---|');
for (const density of densities) {
  const stack = join(D, `d${density}-f${frames}.tif`);
  if (!existsSync(stack)) run(['simulate', stack, '--density', density, '--seed', '3', '--width', '128', '--height', '128', '--frames', String(frames), '--quiet', '--overwrite']);
  const truth = readPointTable(stack.replace('.tif', '.truth.csv'));
  for (const p of passes) {
    const out = join(D, `d${density}-p${p}.csv`);
    const cpu = run(['localize', stack, '-o', out, '--quiet', '--passes', p, ...RIGHT, ...extra]);
    const { evaluation: e } = evaluateLocalizations(truth, readPointTable(out));
    console.log(`| ${density} | ${p} | ${(100 * e.jaccard).toFixed(2)} % | ${(e.falsePositives / frames).toFixed(2)} | ${(e.falseNegatives / frames).toFixed(1)} | ${e.rmseLateralNm.toFixed(1)} | ${cpu.toFixed(1)} |`);
  }
}

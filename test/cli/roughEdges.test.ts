import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI } from './cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });
const sample = join(import.meta.dirname, '../../samples/filaments.tif');

test("'help localize' prints the command's help, --quiet under Running", () => {
  const r = run(['help', 'localize']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^smlm-stream localize STACK \[options\]/);
  assert.match(r.stdout, /Running:\n(.*\n)*\s+--quiet/);
  assert.doesNotMatch(r.stdout.split('Running:')[0], /--quiet/);
});

test('evaluate with no localizations says n/a, never NaN', () => {
  writeFileSync(join(dir, 'empty.csv'), '"id","frame","x [nm]","y [nm]"\n');
  writeFileSync(join(dir, 'truth.csv'), '"frame","x [nm]","y [nm]"\n1,100,100\n');
  const r = run(['evaluate', join(dir, 'truth.csv'), join(dir, 'empty.csv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /NaN/);
  assert.match(r.stdout, /precision\s+n\/a/);
  assert.match(r.stdout, /lateral RMSE\s+n\/a/);
  assert.match(r.stdout, /recall\s+0\.00 %/);
});

test('render of a TIFF refuses in one line, printing no binary', () => {
  const r = run(['render', sample, '-o', join(dir, 'x.png')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /filaments\.tif: is a TIFF image, not a localization CSV/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u000e-\u001f]/, 'no control characters');
});

test('simulate refuses a 100 000 × 100 000 field, and a stack past 4 GB without --bigtiff', () => {
  const huge = run(['simulate', join(dir, 'huge.tif'), '--width', '100000', '--height', '100000']);
  assert.equal(huge.status, 2);
  assert.match(huge.stderr, /--width and --height are at most 8192 px, got 100000×100000/);
  const big = run(['simulate', join(dir, 'big.tif'), '--width', '4096', '--height', '4096', '--frames', '200']);
  assert.equal(big.status, 2);
  assert.match(big.stderr, /200 frames of 4096×4096 px take 6\.7 GB, beyond classic TIFF's 4 GB: add --bigtiff/);
});

test('simulate shows progress and the size it writes; an unknown command is one line', () => {
  const r = run(['simulate', join(dir, 's.tif'), '--frames', '5']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /5 frames of 64×64 px \(0\.\d MB\)/);
  const bad = run(['frobnicate']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "smlm-stream: unknown command 'frobnicate' (see smlm-stream --help)\n");
});

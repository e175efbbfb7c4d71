/**
 * Every writer on a full disk (issue 23): `export --format picasso`, `simulate` (stack, truth,
 * true drift, sCMOS maps, bead stacks), `render`, the drift plot and `calibrate-3d` exit 1 with
 * one line naming the file and the cause, leave nothing under the final names (or the earlier
 * files unchanged, by sha256), no temporary file, and no HDF5 diagnostics.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { pointTableChunks } from '../../src/evaluate/PointTable.js';
import { FileWriteError } from '../../src/errors/FileWriteError.js';
import { writePicasso } from '../../src/export/writePicasso.js';
import { writeBeadStack } from '../../src/simulate/writeBeadStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import type { FullFolder } from '../export/fullFolder.js';
import { fullFolder } from '../export/fullFolder.js';
import { CLI } from './cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-fulldisk-'));
const folders: FullFolder[] = [];
after(() => {
  for (const f of folders) f.release();
  rmSync(dir, { recursive: true, force: true });
});
const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A full folder of its own for one test (released after the file's tests). */
function full(name: string, options?: Parameters<typeof fullFolder>[1]): FullFolder {
  const folder = fullFolder(join(dir, name), options);
  folders.push(folder);
  return folder;
}

/** What a full folder holds besides the filler that fills it. */
const listing = (folder: FullFolder) => readdirSync(folder.path).filter((n) => n !== '.filler').sort();

/** The run failed with exit 1 and exactly one line: the file and the cause. */
function failsWithOneLine(r: ReturnType<typeof run>, file: string, folder: FullFolder): void {
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /HDF5-DIAG/);
  assert.deepEqual(r.stderr.trim().split('\n'), [`smlm-stream: could not write ${file}: ${folder.cause}`]);
}

// Inputs: a simulated stack localized in-process (its CSV has every column Picasso needs).
const stack = join(dir, 'in.tif');
writeSimulation(stack, join(dir, 'in.truth.csv'), { width: 64, height: 64, frames: 200, density: 0.3, seed: 23 });
const csv = join(dir, 'in.csv');
await localizeStack({ input: stack, output: csv });
const beads = join(dir, 'beads.tif');
writeBeadStack(beads, join(dir, 'beads.truth.csv'), { frames: 41, zStepNm: 40 });
// A good export, for its files' sizes and as the earlier files (in-process, as the cases below
// but the first: the CLI loads h5wasm from the sources in seconds).
const good = join(dir, 'good.hdf5');
const info = { width: 64, height: 64, frames: 200, pixelSizeNm: 100 };
await writePicasso(good, pointTableChunks(csv), info);

/** writePicasso fails with the one error naming `file`. */
async function exportFails(out: string, file: string, folder: FullFolder): Promise<void> {
  await assert.rejects(writePicasso(out, pointTableChunks(csv), info), (e: unknown) => e instanceof FileWriteError && e.message === `could not write ${file}: ${folder.cause}`);
}

describe('export --format picasso on a full disk', () => {
  test('one line naming the HDF5 file, no HDF5-DIAG, neither file nor a temporary one left', () => {
    const folder = full('export');
    const out = join(folder.path, 'x.hdf5');
    failsWithOneLine(run(['export', csv, '--format', 'picasso', '-o', out]), out, folder);
    assert.deepEqual(listing(folder), []);
  });

  test('earlier x.hdf5 and x.yaml are left unchanged (sha256)', async () => {
    const folder = full('export-earlier', {
      prepare: (path) => {
        copyFileSync(good, join(path, 'x.hdf5'));
        copyFileSync(join(dir, 'good.yaml'), join(path, 'x.yaml'));
      },
    });
    const out = join(folder.path, 'x.hdf5');
    const before = [digest(out), digest(join(folder.path, 'x.yaml'))];
    await exportFails(out, out, folder);
    assert.deepEqual([digest(out), digest(join(folder.path, 'x.yaml'))], before);
    assert.deepEqual(listing(folder), ['x.hdf5', 'x.yaml']);
  });

  test('room for the HDF5 file but not its YAML: the error names the YAML, and the whole HDF5 file is not left either', async () => {
    const folder = full('export-yaml', { roomBytes: statSync(good).size });
    const out = join(folder.path, 'x.hdf5');
    // A read-only folder (no tmpfs here) refuses the HDF5 file already.
    await exportFails(out, folder.full ? join(folder.path, 'x.yaml') : out, folder);
    assert.deepEqual(listing(folder), []);
  });

  test("a table without the columns Picasso needs: the reader's error as it is, no file and no temporary file left", async () => {
    const folder = mkdtempSync(join(dir, 'export-bad-'));
    const bare = join(dir, 'bare.csv');
    writeFileSync(bare, '"frame","x [nm]","y [nm]"\n1,100,200\n');
    await assert.rejects(writePicasso(join(folder, 'x.hdf5'), pointTableChunks(bare), info), /Picasso export needs a "sigma \[nm\]" column/);
    assert.deepEqual(readdirSync(folder), []);
  });
});

describe('simulate on a full disk', () => {
  test('the stack cut mid-way: one line naming it; neither the stack nor its truth left', () => {
    const folder = full('simulate', { roomBytes: 64 * 1024 });
    const out = join(folder.path, 's.tif');
    failsWithOneLine(run(['simulate', out, '--frames', '100', '--quiet']), out, folder);
    assert.deepEqual(listing(folder), []);
  });

  test('sCMOS maps and the true drift written, then the stack fails: none of the five files left', () => {
    const folder = full('simulate-scmos', { roomBytes: 96 * 1024 });
    const out = join(folder.path, 's.tif');
    failsWithOneLine(run(['simulate', out, '--frames', '100', '--sensor', 'scmos', '--drift', '100,50', '--quiet']), out, folder);
    assert.deepEqual(listing(folder), []);
  });

  test('with --overwrite, an earlier stack and truth of the same names are left unchanged (sha256)', () => {
    const folder = full('simulate-earlier', {
      prepare: (path) => {
        copyFileSync(stack, join(path, 's.tif'));
        copyFileSync(join(dir, 'in.truth.csv'), join(path, 's.truth.csv'));
      },
    });
    const out = join(folder.path, 's.tif');
    const before = [digest(out), digest(join(folder.path, 's.truth.csv'))];
    failsWithOneLine(run(['simulate', out, '--frames', '20', '--quiet', '--overwrite']), out, folder);
    assert.deepEqual([digest(out), digest(join(folder.path, 's.truth.csv'))], before);
    assert.deepEqual(listing(folder), ['s.tif', 's.truth.csv']);
  });

  test('a bead stack: one line, neither the stack nor the bead positions left', () => {
    const folder = full('beads');
    const out = join(folder.path, 'b.tif');
    failsWithOneLine(run(['simulate', out, '--beads', '--frames', '11', '--quiet']), out, folder);
    assert.deepEqual(listing(folder), []);
  });
});

describe('images, plots and the calibration on a full disk', () => {
  test('render: one line naming the PNG; an earlier image is left unchanged (sha256)', () => {
    const earlier = join(dir, 'earlier.png');
    assert.equal(run(['render', csv, '-o', earlier]).status, 0);
    const folder = full('render', { prepare: (path) => copyFileSync(earlier, join(path, 'x.png')) });
    const out = join(folder.path, 'x.png');
    const before = digest(out);
    failsWithOneLine(run(['render', csv, '-o', out, '--pixel', '5']), out, folder);
    assert.equal(digest(out), before);
    assert.deepEqual(listing(folder), ['x.png']);
  });

  test('drift --plot: one line naming the plot, no plot and no temporary file', () => {
    const folder = full('drift');
    const plot = join(folder.path, 'drift.png');
    failsWithOneLine(run(['drift', csv, '-o', join(dir, 'in.dc.csv'), '--plot', plot]), plot, folder);
    assert.deepEqual(listing(folder), []);
  });

  test('calibrate-3d: one line naming the calibration, neither it nor its plot left', () => {
    const folder = full('calibrate');
    const out = join(folder.path, 'c.json');
    failsWithOneLine(run(['calibrate-3d', beads, '--z-start', '-800', '--z-step', '40', '-o', out, '--plot', join(folder.path, 'c.png')]), out, folder);
    assert.deepEqual(listing(folder), []);
  });
});

describe('the temporary names are outputs too', () => {
  test("an input named as an output's temporary file is refused before anything is written, and is unchanged (sha256)", () => {
    const cases: [string, string, string[], RegExp][] = [
      [csv, 't.hdf5.tmp', ['export', '{input}', '--format', 'picasso', '-o', join(dir, 't.hdf5')], /t\.hdf5\.tmp: refusing to write the Picasso HDF5 file's temporary file over the localization CSV/],
      [beads, 'cal.json.tmp', ['calibrate-3d', '{input}', '--z-start', '-800', '--z-step', '40', '-o', join(dir, 'cal.json')], /cal\.json\.tmp: refusing to write the calibration's temporary file over the bead stack/],
    ];
    for (const [source, name, args, message] of cases) {
      const input = join(dir, name);
      copyFileSync(source, input);
      const before = digest(input);
      const r = run(args.map((a) => (a === '{input}' ? input : a)));
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(digest(input), before);
    }
  });
});

/**
 * One rule for every command (issue 23): every file a command reads is an input, no output of
 * any role may be one of them, no output may replace anything that is not a regular file, and
 * no JSON record may replace a file that is not a record of its kind. Each refusal: exit 2,
 * one line naming the file, before anything is read or written, the protected file's bytes
 * (sha256) unchanged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { localizeMergeDrift } from '../../pipelines/localizeMergeDrift.js';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import { OutputPathError } from '../../src/errors/OutputPathError.js';
import { checkOutputPaths } from '../../src/export/checkOutputPaths.js';
import { CALIBRATION_RECORD, RUN_RECORD } from '../../src/export/checkRecordPath.js';
import { writeFileAtomically } from '../../src/export/writeFileAtomically.js';
import { writeTiff } from '../../src/io/TiffWriter.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { runBatch } from '../cli/cliBatch.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-rule-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

// The inputs: a small stack, a 3-D calibration, sCMOS maps, a table, a true drift.
const SIM = { width: 32, height: 32, frames: 4, density: 0.3, seed: 5 } as const;
writeSimulation(at('astig.tif'), at('astig.truth.csv'), SIM);
writeSimulation(at('astig2.tif'), at('astig2.truth.csv'), { ...SIM, seed: 6 });
const CALIBRATION = {
  format: CALIBRATION_FORMAT,
  x: { sigma0Nm: 130, centerNm: -200, depthNm: 400, a: 0, b: 0 },
  y: { sigma0Nm: 130, centerNm: 200, depthNm: 400, a: 0, b: 0 },
  zOrigin: 'midway between the foci',
  zRangeNm: [-400, 400],
  pixelSizeNm: 100,
  residualsNm: { x: 1, y: 1 },
  beads: [],
  zStartNm: -800,
  zStepNm: 20,
};
writeFileSync(at('calib.json'), `${JSON.stringify(CALIBRATION, null, 2)}\n`);
for (const [name, value] of [['off', 100], ['var', 2], ['gain', 1]] as const) {
  writeTiff(at(`${name}.tif`), [new Float32Array(SIM.width * SIM.height).fill(value)], { width: SIM.width, height: SIM.height, sampleType: 'float32' });
}
writeFileSync(at('dl.csv'), '"frame","x [nm]","y [nm]","uncertainty [nm]"\n1,100,100,10\n2,110,100,10\n');
writeFileSync(at('dl.truth.csv'), '"frame","x [nm]","y [nm]"\n1,5,5\n');
writeFileSync(at('m.gain.tif'), 'a gain map of another camera');
writeFileSync(at('truth.drift.csv'), '"frame","x [nm]","y [nm]"\n1,0,0\n2,1,1\n');
// Someone's own JSON files where our records would go.
writeFileSync(at('settings.json'), '{"laser": 640}\n');
writeFileSync(at('q.merged.json'), '{"my": "notes"}\n');
writeFileSync(at('mine.calibration.json'), '{"beads": "my own notes"}\n');
// Not regular files: a named pipe, a link to a device, a pipe where a temporary file goes.
const mkfifo = (path: string) => assert.equal(spawnSync('mkfifo', [path]).status, 0, `mkfifo ${path}`);
mkfifo(at('pipe'));
mkfifo(at('pipe2.json'));
mkfifo(at('t.csv.partial'));
mkfifo(at('r.png.tmp'));
symlinkSync('/dev/null', at('null.csv'));
// A device node of our own (`mknod x c 1 3`, as the issue's): as root, a run that failed to
// refuse /dev/null itself would replace it for the whole machine. Without the right to make
// one, /dev/null is safe to name (its folder cannot be written).
const device = spawnSync('mknod', [at('null-device'), 'c', '1', '3']).status === 0 ? at('null-device') : process.getuid?.() === 0 ? at('null.csv') : '/dev/null';

const PROTECTED = ['astig.tif', 'astig2.tif', 'calib.json', 'off.tif', 'var.tif', 'gain.tif', 'dl.csv', 'dl.truth.csv', 'm.gain.tif', 'truth.drift.csv', 'settings.json', 'q.merged.json', 'mine.calibration.json'];
const FIFOS = ['pipe', 'pipe2.json', 't.csv.partial', 'r.png.tmp'];

describe('the rule, through the command line', () => {
  test('every refused run exits 2 with one line naming the file; inputs, pipes and devices unchanged; nothing written', () => {
    const before = new Map(PROTECTED.map((name) => [name, digest(at(name))]));
    const listing = readdirSync(dir).sort();
    const stack = at('astig.tif');
    const cases: [string, string[], RegExp][] = [
      // 1. the 3-D calibration is an input
      ['--preview over the calibration', ['localize', stack, '--calibration', at('calib.json'), '-o', at('a.csv'), '--preview', at('calib.json')], /calib\.json: refusing to write the preview over the 3-D calibration/],
      ['-o over the calibration', ['localize', stack, '--calibration', at('calib.json'), '-o', at('calib.json')], /calib\.json: refusing to write the CSV over the 3-D calibration/],
      ["the CSV's sidecar over the calibration", ['localize', stack, '--calibration', at('calib.json'), '-o', at('calib.csv')], /calib\.json: refusing to write the sidecar .* over the 3-D calibration/],
      ['-o over the second file of a list', ['localize', stack, at('astig2.tif'), '-o', at('astig2.tif')], /astig2\.tif: refusing to write the CSV over the input stack/],
      // 2. the sCMOS maps are inputs
      ['-o over the offset map', ['localize', stack, '--offset-map', at('off.tif'), '-o', at('off.tif')], /off\.tif: refusing to write the CSV over the offset map/],
      ['--preview over the gain map', ['localize', stack, '--gain-map', at('gain.tif'), '-o', at('b.csv'), '--preview', at('gain.tif')], /gain\.tif: refusing to write the preview over the gain map/],
      ['-o over the variance map', ['localize', stack, '--variance-map', at('var.tif'), '-o', at('var.tif')], /var\.tif: refusing to write the CSV over the variance map/],
      ['--preview over the variance map, with two maps', ['localize', stack, '--offset-map', at('off.tif'), '--variance-map', at('var.tif'), '-o', at('c.csv'), '--preview', at('var.tif')], /var\.tif: refusing to write the preview over the variance map/],
      // 3. the true drift is an input
      ['drift --plot over the true drift', ['drift', at('dl.csv'), '--true-drift', at('truth.drift.csv'), '--plot', at('truth.drift.csv')], /truth\.drift\.csv: refusing to write the drift plot over the true drift/],
      ['drift -o over the true drift', ['drift', at('dl.csv'), '--true-drift', at('truth.drift.csv'), '-o', at('truth.drift.csv')], /truth\.drift\.csv: refusing to write the CSV over the true drift/],
      ["drift's trajectory over the true drift", ['drift', at('dl.csv'), '--true-drift', at('truth.drift.csv'), '-o', at('truth.csv')], /truth\.drift\.csv: refusing to write the drift trajectory over the true drift/],
      // 4. nothing but regular files is replaced
      ['-o a named pipe', ['localize', stack, '-o', at('pipe')], /pipe: is a named pipe \(FIFO\), not a regular file: refusing to write over it/],
      ['-o a device', ['localize', stack, '-o', device], /null(-device|\.csv)?: is a (device|symbolic link to \/dev\/null, which is a device), not a regular file: refusing to write over it/],
      ['-o a link to /dev/null', ['localize', stack, '-o', at('null.csv')], /null\.csv: is a symbolic link to \/dev\/null, which is a device, not a regular file/],
      ['the sidecar is a named pipe', ['localize', stack, '-o', at('pipe2.csv')], /pipe2\.json: is a named pipe/],
      ["the CSV's temporary file is a named pipe", ['filter', at('dl.csv'), '--where', 'x > 0', '-o', at('t.csv')], /t\.csv\.partial: is a named pipe/],
      ["the image's temporary file is a named pipe", ['render', at('dl.csv'), '-o', at('r.png')], /r\.png\.tmp: is a named pipe/],
      ['render -o a device', ['render', at('dl.csv'), '-o', device], /null(-device|\.csv)?: is a (device|symbolic link)/],
      ['export -o a device', ['export', at('dl.csv'), '--format', 'picasso', '-o', device], /null(-device|\.csv)?: is a (device|symbolic link)/],
      ['drift --plot a pipe', ['drift', at('dl.csv'), '--plot', at('pipe')], /pipe: is a named pipe/],
      ['merge -o a device', ['merge', at('dl.csv'), '-o', device], /null(-device|\.csv)?: is a (device|symbolic link)/],
      ['calibrate-3d -o a device', ['calibrate-3d', stack, '--z-start', '-800', '--z-step', '20', '-o', device], /null(-device|\.csv)?: is a (device|symbolic link)/],
      ['calibrate-3d --plot a pipe', ['calibrate-3d', stack, '--z-start', '-800', '--z-step', '20', '-o', at('cal.json'), '--plot', at('pipe')], /pipe: is a named pipe/],
      ['simulate into a pipe', ['simulate', at('pipe')], /pipe: is a named pipe/],
      // 6. simulate replaces nothing that exists unless told to
      ['simulate over a recording', ['simulate', stack, '--frames', '2', '--quiet'], /astig\.tif: exists: refusing to replace it with the stack \(add --overwrite/],
      ['simulate over a table where its truth goes', ['simulate', at('dl.tif'), '--frames', '2', '--quiet'], /dl\.truth\.csv: exists: refusing to replace it with the ground truth/],
      ['simulate --beads over a recording', ['simulate', stack, '--beads', '--frames', '5', '--quiet'], /astig\.tif: exists: refusing to replace it with the bead stack/],
      ['simulate --sensor scmos over a map', ['simulate', at('m.tif'), '--sensor', 'scmos', '--frames', '2', '--quiet'], /m\.gain\.tif: exists: refusing to replace it with the gain map/],
      // 5. no JSON record replaces a file that is not one of its kind
      ['filter next to settings.json', ['filter', at('dl.csv'), '--where', 'x > 0', '-o', at('settings.csv')], /settings\.json: exists and is not an smlm-stream run record: refusing to replace it/],
      ['merge next to settings.json', ['merge', at('dl.csv'), '-o', at('settings.csv')], /settings\.json: exists and is not an smlm-stream run record/],
      ['drift next to settings.json', ['drift', at('dl.csv'), '-o', at('settings.csv')], /settings\.json: exists and is not an smlm-stream run record/],
      ['localize --merge next to q.merged.json', ['localize', stack, '-o', at('q.csv'), '--merge'], /q\.merged\.json: exists and is not an smlm-stream run record/],
      ['a sidecar where a calibration is (not used by the run)', ['localize', stack, '-o', at('calib.csv')], /calib\.json: exists and is not an smlm-stream run record/],
      ['calibrate-3d over its own JSON', ['calibrate-3d', stack, '--z-start', '-800', '--z-step', '20', '-o', at('mine.calibration.json')], /mine\.calibration\.json: exists and is not a calibration of smlm-stream calibrate-3d/],
    ];
    const results = runBatch(dir, cases.map(([, args]) => args));
    cases.forEach(([name, , message], i) => {
      const r = results[i];
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line: ${r.stderr}`);
      assert.equal(r.stdout, '', `${name}: nothing announced`);
    });
    for (const [name, hash] of before) assert.equal(digest(at(name)), hash, `${name} is unchanged`);
    for (const name of FIFOS) assert.ok(lstatSync(at(name)).isFIFO(), `${name} is still a named pipe`);
    assert.ok(lstatSync(device).isCharacterDevice() || lstatSync(device).isSymbolicLink(), 'the device is still a device');
    assert.ok(lstatSync(at('null.csv')).isSymbolicLink(), 'the link to /dev/null is still a link');
    assert.deepEqual(readdirSync(dir).filter((name) => !name.startsWith('batch-')).sort(), listing.filter((name) => !name.startsWith('batch-')), 'no file was written by a refused run');
  });
});

describe('simulate --overwrite', () => {
  test('a second simulate of the same name is refused; --overwrite replaces the stack and its truth', () => {
    const args = ['simulate', at('again.tif'), '--width', '32', '--height', '32', '--frames', '3', '--density', '1', '--quiet'];
    const [first] = runBatch(dir, [args]);
    assert.equal(first.status, 0, first.stderr);
    const before = [digest(at('again.tif')), digest(at('again.truth.csv'))];
    const [second, third] = runBatch(dir, [[...args, '--seed', '2'], [...args, '--seed', '2', '--overwrite']]);
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, /again\.tif: exists: refusing to replace it/);
    assert.equal(third.status, 0, third.stderr);
    const after = [digest(at('again.tif')), digest(at('again.truth.csv'))];
    assert.ok(after[0] !== before[0] && after[1] !== before[1], 'the seed-2 simulation replaced the seed-1 one');
    assert.ok(!existsSync(at('again.tif.tmp')) && !existsSync(at('again.truth.csv.tmp')));
  });
});

describe('the rule, in the library', () => {
  test('a symbolic link to a regular file that is not an input is written as a new file in its place; the file it pointed to is unchanged', () => {
    writeFileSync(at('elsewhere.png'), 'an earlier image');
    const before = digest(at('elsewhere.png'));
    symlinkSync(at('elsewhere.png'), at('link.png'));
    checkOutputPaths([{ path: at('dl.csv'), role: 'the localization CSV' }], [{ path: at('link.png'), role: 'the image' }]);
    writeFileAtomically(at('link.png'), 'the new image');
    assert.equal(digest(at('elsewhere.png')), before, 'the target is unchanged');
    assert.ok(lstatSync(at('link.png')).isFile(), 'the link was replaced by the new file');
    assert.equal(readFileSync(at('link.png'), 'utf8'), 'the new image');
  });

  test('a record replaces only a record of its kind: a calibration another calibration, never a sidecar', () => {
    const record = { path: at('calib.json'), role: 'the calibration', record: CALIBRATION_RECORD };
    checkOutputPaths([], [record]);
    assert.throws(() => checkOutputPaths([], [{ ...record, record: RUN_RECORD }]), /calib\.json: exists and is not an smlm-stream run record/);
    writeFileSync(at('run.json'), '{"software": {"name": "smlm-stream", "version": "0"}}\n');
    checkOutputPaths([], [{ path: at('run.json'), role: 'the sidecar', record: RUN_RECORD }]);
    assert.throws(() => checkOutputPaths([], [{ path: at('run.json'), role: 'the calibration', record: CALIBRATION_RECORD }]), /run\.json: exists and is not a calibration of smlm-stream calibrate-3d/);
    assert.throws(() => checkOutputPaths([], [{ path: at('pipe2.json'), role: 'the sidecar', record: RUN_RECORD }]), OutputPathError);
  });

  test("localizeStack and localizeMergeDrift: the caller's other inputs (calibration, maps) are protected", async () => {
    const before = digest(at('calib.json'));
    const inputs = [{ path: at('calib.json'), role: 'the 3-D calibration' }];
    await assert.rejects(localizeStack({ input: at('astig.tif'), output: at('l.csv'), inputs, preview: { path: at('calib.json') } }), /calib\.json: refusing to write the preview over the 3-D calibration/);
    await assert.rejects(localizeMergeDrift({ input: at('astig.tif'), output: at('m.csv'), inputs, image: { path: at('calib.json') } }), /calib\.json: refusing to write the image over the 3-D calibration/);
    assert.equal(digest(at('calib.json')), before);
    assert.ok(!existsSync(at('l.csv.partial')) && !existsSync(at('m.csv.partial')), 'nothing written');
  });
});

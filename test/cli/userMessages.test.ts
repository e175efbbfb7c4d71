/**
 * What a CLI user reads: every message names the file it is about, in the CLI's words (flags,
 * never the library's option names), with no control characters from a file name; values that
 * cannot work are refused, not run.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { run as filterRun } from '../../src/cli/filterCommand.js';
import { FILTER_FLAGS } from '../../src/cli/filterCommand.js';
import { run as mergeRun } from '../../src/cli/mergeCommand.js';
import { runTableStep } from '../../src/cli/tableStep.js';
import type { TableStep } from '../../src/cli/tableStep.js';
import { FileWriteError } from '../../src/errors/FileWriteError.js';
import { resolveFitOptions } from '../../src/fit/FitOptions.js';
import { writeTiff } from '../../src/io/TiffWriter.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { buildTiff } from '../io/buildTiff.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-messages-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/**
 * Run the CLI's `main` in this process (as the binary does, without the cost of a process per
 * case), with what it writes to stdout and stderr (stdout is the test runner's: its lines are
 * taken from main's output function instead).
 */
async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const written = { stdout: '', stderr: '' };
  const { stderr } = process;
  const stderrWrite = stderr.write;
  stderr.write = ((chunk: string) => ((written.stderr += chunk), true)) as typeof stderr.write;
  try {
    const status = await main(args, (text) => (written.stdout += text));
    return { status, ...written };
  } finally {
    stderr.write = stderrWrite;
  }
}
/** Exit 2 and one line on stderr, no stack trace. */
const refused = async (args: string[]) => {
  const r = await cli(args);
  assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |ENOENT|internal error/);
  return r.stderr.trim();
};
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

// 20 frames of 32×32 px, 100 nm pixels (in the file's metadata).
const SIM = { width: 32, height: 32, frames: 20, density: 0.5, seed: 5 } as const;
const stack = join(dir, 'stack.tif');
writeSimulation(stack, join(dir, 'stack.truth.csv'), SIM);

describe('messages name the file, in the CLI words', () => {
  test('a stack without a pixel size: the message names the file and --pixel-size, not camera.pixelSizeNm', async () => {
    const bare = join(dir, 'no-pixel-size.tif');
    writeTiff(bare, [new Uint16Array(32 * 32).fill(100)], { width: 32, height: 32 });
    const line = await refused(['localize', bare, '-o', join(dir, 'np.csv')]);
    assert.equal(line, `smlm-stream: ${bare}: the pixel size is not in the file's metadata: give it with --pixel-size`);
  });

  test('frames narrower than any window blame the file (a corrupt width), not --box', async () => {
    const frame = Array.from({ length: 64 * 64 }, () => 100);
    const bytes = buildTiff([frame], { width: 64, height: 64, sampleType: 'uint16' });
    // The ImageWidth tag (256) rewritten to 2 px: the pixel data are still there, so it reads.
    const view = new DataView(bytes.buffer);
    const ifd = view.getUint32(4, true);
    for (let i = 0; i < view.getUint16(ifd, true); i++) {
      const entry = ifd + 2 + 12 * i;
      if (view.getUint16(entry, true) === 256) {
        view.setUint16(entry + 2, 4, true);
        view.setUint32(entry + 8, 2, true);
      }
    }
    const corrupt = join(dir, 'corrupt-width.tif');
    writeFileSync(corrupt, bytes);
    const line = await refused(['localize', corrupt, '--pixel-size', '100', '-o', join(dir, 'cw.csv')]);
    assert.match(line, /corrupt-width\.tif: frames of 2×64 px are smaller than the smallest fitting window \(3×3 px\): its width or height is wrong/);
    assert.doesNotMatch(line, /--box/);
    // A box the user gave that is too wide for sound frames is the box's fault, and names the stack.
    const small = join(dir, 'small.tif');
    writeTiff(small, [new Uint16Array(10 * 10).fill(100)], { width: 10, height: 10, pixelSizeNm: 100 });
    assert.equal(await refused(['localize', small, '--box', '11', '-o', join(dir, 'wide.csv')]), `smlm-stream: --box: frames of 10×10 px (${small}) are smaller than the 11×11 px fitting window: give a smaller box, or check the pixel size and PSF sigma`);
  });

  test('library option names become flags (one mapping, from the FlagTable); library users keep the names', async () => {
    assert.equal(await refused(['localize', stack, '--max-iterations', '0']), 'smlm-stream: --max-iterations must be a positive integer, got 0');
    assert.equal(await refused(['localize', stack, '--chunk-frames', '0']), 'smlm-stream: --chunk-frames must be a whole number ≥ 1, got 0');
    assert.equal(await refused(['localize', stack, '--max-emitters', '0']), 'smlm-stream: --max-emitters must be a whole number from 1 to 10, got 0');
    assert.equal(await refused(['localize', stack, '--tolerance', '0']), 'smlm-stream: --tolerance must be > 0, got 0');
    assert.equal(await refused(['simulate', join(dir, 'x.tif'), '--psf-sigma', '0']), 'smlm-stream: --psf-sigma must be > 0, got 0');
    assert.equal(await refused(['simulate', join(dir, 'x.tif'), '--on-frames', '0.5']), 'smlm-stream: --on-frames must be ≥ 1, got 0.5');
    assert.equal(
      await refused(['simulate', join(dir, 'x.tif'), '--density', '10000']),
      'smlm-stream: --density of 10000 per µm² puts 409600 emitters in a 64×64 px frame, more than its 4096 pixels: at most 100 per µm² at 100 nm pixels',
    );
    // Called as a library, the message keeps the option's name.
    assert.throws(() => resolveFitOptions({ box: 7, sigmaPx: 1.3, maxIterations: 0 }), /fit option maxIterations must be a positive integer, got 0/);
  });

  test('a camera map with a value that is not a number names the map file', async () => {
    const map = join(dir, 'nan-offset.tif');
    const values = new Float32Array(32 * 32).fill(100);
    values[33] = Number.NaN;
    writeTiff(map, [values], { width: 32, height: 32, sampleType: 'float32' });
    assert.equal(await refused(['localize', stack, '--offset-map', map, '-o', join(dir, 'nan.csv')]), `smlm-stream: --offset-map: ${map}: the offset map is not a number at pixel (x 1, y 1)`);
  });
});

describe('a missing input file is one line: FILE: no such file (--flag)', () => {
  test('calibration, camera map, true drift, truth table, localization table', async () => {
    const missing = join(dir, 'missing');
    assert.equal(await refused(['localize', stack, '--calibration', `${missing}.json`]), `smlm-stream: ${missing}.json: no such file (--calibration)`);
    assert.equal(await refused(['localize', stack, `--calibration=${missing}.json`]), `smlm-stream: ${missing}.json: no such file (--calibration)`);
    assert.equal(await refused(['localize', stack, '--offset-map', `${missing}.tif`]), `smlm-stream: ${missing}.tif: unreadable: no such file (--offset-map)`);
    assert.equal(await refused(['evaluate', `${missing}.csv`, join(dir, 'stack.truth.csv')]), `smlm-stream: ${missing}.csv: no such file`);
    // A folder where a file is read.
    assert.equal(await refused(['localize', stack, '--calibration', dir]), `smlm-stream: ${dir}: is a folder, not a file (--calibration)`);
    assert.equal(await refused(['evaluate', dir, join(dir, 'stack.truth.csv')]), `smlm-stream: ${dir}: is a folder, not a file`);
    // A file after a switch is a positional, not the switch's value.
    assert.equal(await refused(['localize', '--quiet', `${missing}.tif`]), `smlm-stream: ${missing}.tif: unreadable: no such file`);
    assert.equal(await refused(['filter', `${missing}.csv`, '--where', 'x > 0']), `smlm-stream: ${missing}.csv: no such file`);
    const locs = join(dir, 'locs.csv');
    writeFileSync(locs, '"frame","x [nm]","y [nm]"\n1,100,100\n2,110,100\n');
    assert.equal(await refused(['drift', locs, '--true-drift', `${missing}.drift.csv`, '-o', join(dir, 'd.csv')]), `smlm-stream: ${missing}.drift.csv: no such file (--true-drift)`);
  });
});

describe('file names reach the terminal through one sanitizer', () => {
  test('escape sequences in a file name are shown as ?, in errors, warnings and the summary', async () => {
    const evil = join(dir, 'red\u001b[31m\u0007name');
    // An error naming the file.
    const missing = await cli(['localize', `${evil}.tif`]);
    assert.equal(missing.status, 2);
    assert.doesNotMatch(missing.stderr, CONTROL);
    assert.match(missing.stderr, /red\?\[31m\?name\.tif: unreadable: no such file/);
    // A run whose stack and output carry the escape: stdout and stderr (a warning names the stack) stay clean.
    writeSimulation(`${evil}.tif`, `${evil}.truth.csv`, { ...SIM, frames: 3 });
    const ok = await cli(['localize', `${evil}.tif`, '--baseline', '5000', '-o', `${evil}.csv`]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /warning: .*red\?\[31m\?name\.tif: the base level/);
    assert.match(ok.stdout, /red\?\[31m\?name\.csv/);
    assert.doesNotMatch(ok.stderr, CONTROL);
    assert.doesNotMatch(ok.stdout, CONTROL);
    // The picture under a filter expression's error, too.
    const expression = await cli(['filter', `${evil}.csv`, '--where', 'x > \u001b[31m']);
    assert.equal(expression.status, 2);
    assert.match(expression.stderr, /x > \?\[31m\n/);
    assert.doesNotMatch(expression.stderr, CONTROL);
  });
});

describe('values that cannot work are refused', () => {
  test('--frames past the end of the stack names its frame count', async () => {
    assert.equal(await refused(['localize', stack, '--frames', '30:40']), `smlm-stream: --frames: frames 30 to 40 asked for, but ${stack} has 20 frames`);
    assert.equal(await refused(['localize', stack, '--frames', '21:']), `smlm-stream: --frames: from frame 21 asked for, but ${stack} has 20 frames`);
    assert.match(await refused(['localize', stack, '--frames', '15:25']), /frames 15 to 25 asked for, but .* has 20 frames/);
  });

  test('a threshold no spot can pass, a PSF sigma far from the pixel size', async () => {
    assert.match(await refused(['localize', stack, '--threshold', '1e9']), /^smlm-stream: --threshold: the detection threshold must be > 0 and at most 100000 .*got 1000000000$/);
    assert.match(await refused(['localize', stack, '--psf-sigma', '1']), /^smlm-stream: --psf-sigma: the PSF sigma of 1 nm is 0\.01 px at 100 nm pixels; a fit needs 0\.3–10 px \(30–1000 nm\)/);
    assert.match(await refused(['localize', stack, '--psf-sigma', '2000']), /the PSF sigma of 2000 nm is 20 px at 100 nm pixels; a fit needs 0\.3–10 px/);
    // A threshold below the limit that no spot of this stack passes: the run says so.
    const high = await cli(['localize', stack, '--threshold', '50000', '-o', join(dir, 'high.csv'), '--quiet']);
    assert.equal(high.status, 0, high.stderr);
    // (20 frames of this small stack leave the estimated gain uncertain: that warning aside.)
    assert.equal(high.stderr.replace(/^smlm-stream: warning: .*the gain estimated from 20 frames is uncertain.*\n/m, ''), 'smlm-stream: warning: no spot passed the detection threshold in 20 frames: check --threshold (50000 × the noise) and the camera settings\n');
  });

  test('an offset map above what the stack can hold names the map file', async () => {
    const map = join(dir, 'offset-1e9.tif');
    writeTiff(map, [new Float32Array(32 * 32).fill(1e9)], { width: 32, height: 32, sampleType: 'float32' });
    assert.equal(
      await refused(['localize', stack, '--offset-map', map, '-o', join(dir, 'o.csv')]),
      `smlm-stream: --offset-map: ${map}: the offset map has 1000000000 ADU at pixel (x 0, y 0), above the largest uint16 value the stack can hold (65535)`,
    );
    assert.match(await refused(['localize', stack, '--baseline', '70000', '-o', join(dir, 'o.csv')]), /^smlm-stream: --baseline: the base level of 70000 ADU is above the largest uint16 value the stack can hold \(65535\)$/);
  });

  test('numbers are decimal: hex, octal, binary and separators are refused', async () => {
    for (const text of ['0x10', '0o7', '0b1', '1_000', 'Infinity', '1e400']) {
      assert.equal(await refused(['localize', stack, '--photons-per-adu', text]), `smlm-stream: --photons-per-adu needs a decimal number, got '${text}'`);
    }
  });
});

describe('"→ FILE" once the file is written', () => {
  const locs = join(dir, 'written.csv');
  writeFileSync(locs, '"frame","x [nm]","y [nm]","uncertainty [nm]"\n1,100,100,10\n2,110,100,10\n5,900,900,10\n');

  test('filter and merge print their line after the table and its sidecar exist', async () => {
    for (const [name, run, args] of [['filter', filterRun, ['--where', 'x > 0']], ['merge', mergeRun, []]] as const) {
      const output = join(dir, `written.${name}.csv`);
      const lines: string[] = [];
      const code = await run([locs, ...args, '-o', output], (line) => {
        if (line.includes('→')) assert.ok(existsSync(output) && existsSync(join(dir, `written.${name}.json`)), `${name}: "${line}" before the files were written`);
        lines.push(line);
      });
      assert.equal(code, 0);
      assert.ok(lines.some((line) => line.includes(`→ ${output}`)), lines.join('\n'));
    }
  });

  test('a write that fails prints no "→" line', async () => {
    const lines: string[] = [];
    const failing: TableStep = {
      name: 'filter',
      suffix: 'failing',
      flags: FILTER_FLAGS,
      apply: (table) => ({
        header: table.header,
        blocks: table.blocks(),
        parameters: {},
        report: () => ['smlm-stream filter: → somewhere'],
        writeMore: () => {
          throw new FileWriteError(join(dir, 'plot.png'), Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
        },
      }),
    };
    await assert.rejects(runTableStep(failing, [locs], (line) => lines.push(line)), FileWriteError);
    assert.deepEqual(lines, []);
  });
});

describe('the sidecar records the frames as the user gave them', () => {
  test('--frames 3:5 is {first: 3, last: 5}; no range is {first: 1}', async () => {
    const out = join(dir, 'range.csv');
    const r = await cli(['localize', stack, '--frames', '3:5', '-o', out, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const sidecar = JSON.parse(readFileSync(join(dir, 'range.json'), 'utf8'));
    assert.deepEqual(sidecar.parameters.frames, { first: 3, last: 5 });
    assert.equal(sidecar.counts.frames, 3);
    const all = await cli(['localize', stack, '-o', join(dir, 'all.csv'), '--quiet']);
    assert.equal(all.status, 0, all.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8')).parameters.frames, { first: 1 });
  });
});

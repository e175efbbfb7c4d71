/**
 * Stacks `localize` must not read as if they were whole or plain: `--follow` on a file that stays
 * cut off or is cut while it is read (reported as `localize` without --follow reports a truncated
 * file: the same line, exit 1, a sidecar that says complete: false and why), a file whose frames
 * change size, and a hyperstack of two channels (one channel chosen with --channel).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeTiff } from '../../src/io/TiffWriter.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { CLI } from '../cli/cliArgs.js';
import { withDanglingLastPointer, withEntry } from './buildTiff.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-follow-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SIM = { width: 48, height: 40, frames: 12, density: 0.3, minSeparationNm: 800, seed: 23 } as const;

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const run = (args: string[]) => spawnSync(process.execPath, [...CLI, 'localize', ...args, '--quiet'], { encoding: 'utf8' });
/** The line that names the error (the CLI prints it, then what it kept). */
const errorLine = (stderr: string) => stderr.split('\n').find((line) => /truncated/.test(line));

describe('localize --follow on a truncated file', () => {
  test('a last "next" pointer past the end that never arrives before --idle-timeout: the same line, exit and sidecar as without --follow', () => {
    const whole = join(dir, 'whole.tif');
    writeSimulation(whole, join(dir, 'whole.truth.csv'), SIM);
    const stack = join(dir, 'dangling.tif');
    writeFileSync(stack, withDanglingLastPointer(readFileSync(whole)));
    const before = digest(stack);
    const plain = run([stack, '-o', join(dir, 'plain.csv')]);
    const followed = run([stack, '-o', join(dir, 'followed.csv'), '--follow', '--idle-timeout', '0.2']);
    assert.equal(plain.status, 1, plain.stderr);
    assert.equal(followed.status, plain.status, followed.stderr);
    const line = errorLine(plain.stderr);
    assert.ok(line !== undefined && line.includes(stack), plain.stderr);
    assert.equal(errorLine(followed.stderr), line, 'the same message');
    assert.match(followed.stderr, /kept \d+ localizations of the 12 completed frames/);
    const plainRecord = JSON.parse(readFileSync(join(dir, 'plain.json'), 'utf8'));
    const followedRecord = JSON.parse(readFileSync(join(dir, 'followed.json'), 'utf8'));
    assert.equal(followedRecord.complete, false);
    assert.equal(followedRecord.error, plainRecord.error);
    assert.equal(followedRecord.counts.frames, 12);
    assert.equal(readFileSync(join(dir, 'followed.csv'), 'utf8'), readFileSync(join(dir, 'plain.csv'), 'utf8'), 'the same rows kept');
    assert.equal(digest(stack), before, 'the stack is unchanged');
  });

  test('a file cut shorter while --follow waits for more frames: exit 1 at once, truncated (the file shrank), sidecar complete: false', async () => {
    const stack = join(dir, 'live.tif');
    writeSimulation(stack, join(dir, 'live.truth.csv'), SIM);
    const output = join(dir, 'live.csv');
    // An idle timeout far longer than the test: the run must end because the file shrank.
    const child = spawn(process.execPath, [...CLI, 'localize', stack, '-o', output, '--follow', '--idle-timeout', '120', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the rows of frame 12 are in the partial CSV: the run then waits for frame 13.
    let reached = false;
    for (let t = 0; t < 600 && !reached; t++) {
      await new Promise((r) => setTimeout(r, 50));
      reached = existsSync(`${output}.partial`) && /\n\d+,12,/.test(readFileSync(`${output}.partial`, 'utf8'));
    }
    if (!reached) child.kill('SIGKILL');
    assert.ok(reached, `the run did not reach frame 12: ${stderr}`);
    const size = statSync(stack).size;
    const cut = Math.floor(size * 0.6);
    truncateSync(stack, cut);
    assert.equal(await exit, 1, stderr);
    assert.match(stderr, new RegExp(`${stack.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: truncated: the file shrank from ${size} to ${cut} bytes while it was being read`));
    assert.match(stderr, /kept \d+ localizations of the 12 completed frames/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    const record = JSON.parse(readFileSync(join(dir, 'live.json'), 'utf8'));
    assert.equal(record.complete, false);
    assert.match(record.error, /truncated: the file shrank/);
    assert.ok(!existsSync(`${output}.partial`), 'the rows kept under the final name');
  });
});

describe('localize on a file whose frames change size', () => {
  test('frame 5 narrower than frame 1: one line naming the file and the frame, exit 1, the rows of frames 1-4 kept, sidecar complete: false', () => {
    const whole = join(dir, 'even.tif');
    writeSimulation(whole, join(dir, 'even.truth.csv'), SIM);
    const stack = join(dir, 'mixed.tif');
    writeFileSync(stack, withEntry(readFileSync(whole), 4, 256, SIM.width - 16));
    const before = digest(stack);
    // The camera and σ given: from 4 frames an estimate is warned of as uncertain (another line).
    const r = run([stack, '-o', join(dir, 'mixed.csv'), '--camera', 'given', '--psf-sigma', '130']);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], `smlm-stream: ${stack}: mixed-frames: its frame 5 is 32×40 px uint16, where its frame 1 is 48×40 px uint16: every frame of a stack must have one size and sample type`);
    assert.match(lines[1], /kept \d+ localizations of the 4 completed frames/);
    assert.equal(lines.length, 2, r.stderr);
    const record = JSON.parse(readFileSync(join(dir, 'mixed.json'), 'utf8'));
    assert.equal(record.complete, false);
    assert.match(record.error, /mixed-frames: its frame 5/);
    const framesKept = readFileSync(join(dir, 'mixed.csv'), 'utf8').trim().split('\n').slice(1).map((row) => Number(row.split(',')[1]));
    assert.ok(framesKept.length > 0 && Math.max(...framesKept) <= 4, 'only rows of frames 1-4');
    assert.equal(digest(stack), before, 'the stack is unchanged');
  });
});

describe('localize on a 2-channel ImageJ hyperstack', () => {
  const SMALL = { ...SIM, frames: 6 };
  const red = [...simulateStack({ ...SMALL, seed: 5 })].map((f) => f.adu);
  const green = [...simulateStack({ ...SMALL, seed: 6 })].map((f) => f.adu);
  const options = { width: SIM.width, height: SIM.height, pixelSizeNm: 100 };
  const hyper = join(dir, 'two.tif');
  // ImageJ's plane order: channel 1 and 2 of time point 1, then of time point 2, …
  writeTiff(hyper, red.flatMap((frame, t) => [frame, green[t]]), { ...options, description: 'ImageJ=1.54f\nimages=12\nchannels=2\nframes=6\nhyperstack=true\nunit=micron\nloop=false' });

  test('without --channel: one line naming the file and its 2 channels, exit 2, nothing written', () => {
    const before = digest(hyper);
    const r = run([hyper, '-o', join(dir, 'two-none.csv')]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim(), `smlm-stream: --channel: ${hyper}: an ImageJ hyperstack with 2 channels, their frames interleaved: choose one channel (1 to 2)`);
    assert.ok(!existsSync(join(dir, 'two-none.csv')) && !existsSync(join(dir, 'two-none.csv.partial')));
    const three = run([hyper, '-o', join(dir, 'two-three.csv'), '--channel', '3']);
    assert.equal(three.status, 2, three.stderr);
    assert.equal(three.stderr.trim(), `smlm-stream: --channel: ${hyper} has channels 1 to 2, not channel 3`);
    assert.equal(digest(hyper), before, 'the stack is unchanged');
  });

  test('--channel 2: the CSV of channel 2 saved alone, frames numbered as time points; the sidecar records the channel', () => {
    const alone = join(dir, 'green.tif');
    writeTiff(alone, green, options);
    const expected = run([alone, '-o', join(dir, 'green.csv')]);
    assert.equal(expected.status, 0, expected.stderr);
    const r = run([hyper, '-o', join(dir, 'two-green.csv'), '--channel', '2']);
    assert.equal(r.status, 0, r.stderr);
    const csv = readFileSync(join(dir, 'two-green.csv'), 'utf8');
    assert.ok(csv.trim().split('\n').length > 6, 'rows written');
    assert.equal(csv, readFileSync(join(dir, 'green.csv'), 'utf8'));
    const record = JSON.parse(readFileSync(join(dir, 'two-green.json'), 'utf8'));
    assert.equal(record.input.channel, 2);
    assert.equal(record.input.frameCount, 6);
    assert.equal(record.parameters.frames.channel, 2);
    assert.equal(record.complete, true);
  });

  test('--channel with --queue is refused before anything is read (the queue reads whole stacks)', () => {
    const r = run([hyper, '-o', join(dir, 'two-queue.csv'), '--channel', '1', '--queue', 'redis://127.0.0.1:1']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^smlm-stream: --queue: one channel of a hyperstack is localized on this machine: a queue reads whole stacks\n$/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { liveLocalize } from '../../pipelines/liveLocalize.js';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { countReads } from '../io/countReads.js';
import { readFrames } from '../../src/io/framesFromTiff.js';
import { TiffError } from '../../src/io/TiffError.js';
import { TiffWriter } from '../../src/io/TiffWriter.js';
import { localize } from '../../pipelines/localize.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-pipeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const HEADER = '"id","frame","x [nm]","y [nm]","sigma [nm]","intensity [photon]","offset [photon]","bkgstd [photon]","uncertainty [nm]"';
const SIM = { width: 48, height: 40, frames: 30, density: 0.3, minSeparationNm: 800, seed: 31 } as const;

describe('localizeStack and the CLI', () => {
  test('the same stack as uint16, float32 and BigTIFF gives identical localizations', async () => {
    const outputs: string[] = [];
    for (const [name, format] of [['u16', { sampleType: 'uint16' }], ['f32', { sampleType: 'float32' }], ['big', { bigTiff: true }]] as const) {
      const stack = join(dir, `same-${name}.tif`);
      writeSimulation(stack, join(dir, `same-${name}.truth.csv`), { ...SIM, ...format });
      const summary = await localizeStack({ input: stack, output: join(dir, `same-${name}.csv`) });
      assert.ok(summary.localizations > 50, `${summary.localizations} localizations`);
      outputs.push(readFileSync(summary.output, 'utf8'));
    }
    assert.equal(outputs[1], outputs[0]);
    assert.equal(outputs[2], outputs[0]);
  });

  test('CLI: header byte-identical to design.md, 1-based frames, nm units, sidecar, exit 0', () => {
    const stack = join(dir, 'cli.tif');
    writeSimulation(stack, join(dir, 'cli.truth.csv'), SIM);
    const out = join(dir, 'cli.csv');
    const r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /localizations\s+[\d,]+ written/);
    assert.match(r.stdout, /median iterations/);
    const lines = readFileSync(out, 'utf8').split('\n');
    assert.ok(lines[0].startsWith(`${HEADER},`), lines[0]);
    const design = join(import.meta.dirname, '../../docs/design.md');
    assert.ok(readFileSync(design, 'utf8').includes(`\`${HEADER}\``), 'the header is the one docs/design.md states');
    const rows = lines.slice(1).filter(Boolean).map((l) => l.split(',').map(Number));
    assert.ok(rows.length > 50, `${rows.length} rows`);
    assert.equal(rows[0][0], 1, 'ids from 1');
    assert.equal(Math.min(...rows.map((row) => row[1])), 1, 'frames from 1');
    assert.ok(Math.max(...rows.map((row) => row[1])) <= SIM.frames, 'frames up to the last');
    // nm: positions inside the 48 × 40 px image (4800 × 4000 nm; a fit of a spot at the very edge
    // may land a fraction of a pixel outside), sigma the one measured on the stack (130 nm simulated).
    const outside = rows.filter((row) => row[2] < -100 || row[2] > 4900 || row[3] < -100 || row[3] > 4100);
    assert.equal(outside.length, 0, `rows outside the image: ${JSON.stringify(outside)}`);
    const sidecar = JSON.parse(readFileSync(join(dir, 'cli.json'), 'utf8'));
    assert.equal(sidecar.parameters.psfSigma.source, 'estimated');
    assert.ok(rows.every((row) => row[4] === rows[0][4]) && Math.abs(rows[0][4] / 130 - 1) < 0.05, `sigma [nm] is the PSF sigma measured, within 5 % of 130 nm: ${rows[0][4]}`);
    assert.ok(Math.abs(rows[0][4] - sidecar.parameters.psfSigmaNm) < 0.5, 'the CSV has the sidecar\'s σ');
    assert.equal(sidecar.complete, true);
    assert.equal(sidecar.counts.localizationsWritten, rows.length);
    assert.equal(sidecar.parameters.camera.pixelSizeNm, 100);
    assert.equal(sidecar.software.name, 'smlm-stream');
    const evaluation = JSON.parse(execFileSync(process.execPath, [...CLI, 'evaluate', join(dir, 'cli.truth.csv'), out, '--json'], { encoding: 'utf8' }));
    assert.ok(evaluation.jaccard > 0.95, JSON.stringify(evaluation));
  });

  test('CLI: bad input and bad options give one line and exit code 2', () => {
    const cases: [string[], RegExp][] = [
      [['localize', join(dir, 'missing.tif')], /missing\.tif: unreadable: no such file/],
      [['localize', join(dir, 'cli.truth.csv'), '-o', join(dir, 'other.csv')], /not-tiff/],
      [['localize', join(dir, 'cli.tif'), '--em-gain', '0'], /EM gain must be > 0/],
      [['localize', join(dir, 'cli.tif'), '--pixel-size=-5'], /--pixel-size: the pixel size must be 1–10000 nm, got -5/],
      [['localize', join(dir, 'cli.tif'), '--pixel-size', '-5'], /--pixel-size: the pixel size must be 1–10000 nm, got -5/],
      [['localize', join(dir, 'cli.tif'), '--photons-per-adu', '-1'], /--photons-per-adu: photoelectrons per A\/D count must be > 0, got -1/],
      [['localize', join(dir, 'cli.tif'), '--pixel-size', '1e-9'], /--pixel-size: the pixel size must be 1–10000 nm, got 1e-9/],
      [['localize', join(dir, 'cli.tif'), '--psf-sigma', '10000'], /--psf-sigma: the PSF sigma of 10000 nm is 100 px at 100 nm pixels/],
      [['localize', join(dir, 'cli.tif'), '--frames', '5:2'], /before the first/],
      [['localize', join(dir, 'cli.tif'), '--box', '41'], /frames of 48×40 px are smaller than the 41×41 px fitting window|--box: the fitting window \(box\) must be an odd whole number from 3 to 15 px, got 41/],
      [['localize', join(dir, 'cli.tif'), '--bogus'], /Unknown option '--bogus'/],
      [['localize', join(dir, 'cli.tif'), '--pixel-size'], /--pixel-size <value>' argument missing/],
      [['localize'], /localize needs a stack: a TIFF file, a folder of TIFFs, or several files/],
      [['evaluate', join(dir, 'cli.tif'), join(dir, 'cli.csv')], /cli\.tif: is a TIFF image, not a localization CSV/],
      [['evaluate', join(dir, 'cli.json'), join(dir, 'cli.csv')], /cli\.json: needs columns "frame", "x \[nm\]" and "y \[nm\]"/],
    ];
    for (const [args, message] of cases) {
      const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  test('a stack cut off mid-frame: the rows of completed frames are kept, the error reported, exit 1', () => {
    const stack = join(dir, 'cut.tif');
    writeSimulation(stack, join(dir, 'cut.truth.csv'), SIM);
    truncateSync(stack, Math.floor(statSync(stack).size * 0.6));
    const out = join(dir, 'cut.csv');
    const r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', out, '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /truncated/);
    assert.match(r.stderr, /kept \d+ localizations of the 1[78] completed frames/);
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    assert.ok(rows.length > 20, `${rows.length} rows kept`);
    assert.ok(!existsSync(`${out}.partial`), 'the partial file was renamed');
    const sidecar = JSON.parse(readFileSync(join(dir, 'cut.json'), 'utf8'));
    assert.equal(sidecar.complete, false);
    assert.match(sidecar.error, /truncated/);
  });

  test('a base level above most pixels gives a warning', () => {
    const stack = join(dir, 'cli.tif');
    const r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'warn.csv'), '--baseline', '500', '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: .*base level \(500 ADU\) is above 100 % of the pixels/);
  });
});

describe('stream API', () => {
  test('localize(path) emits one batch per frame; the rows match localizeStack', async () => {
    const stack = join(dir, 'cli.tif');
    const batches = await lastValueFrom(localize(stack).pipe(toArray()));
    assert.equal(batches.length, SIM.frames);
    assert.deepEqual(batches.map((b) => b.frame), Array.from({ length: SIM.frames }, (_, i) => i + 1));
    const converged = batches.reduce((s, b) => s + b.status.filter((v) => v === 0).length, 0);
    const csvRows = readFileSync(join(dir, 'cli.csv'), 'utf8').trim().split('\n').length - 1;
    assert.equal(converged, csvRows);
  });

  test('frames from an async iterable need the pixel size; errors reach the subscriber', async () => {
    const frames = readFrames(join(dir, 'cli.tif'), { end: 3 });
    const batches = await lastValueFrom(localize(frames, { camera: { pixelSizeNm: 100 } }).pipe(toArray()));
    assert.equal(batches.length, 3);
    await assert.rejects(lastValueFrom(localize(readFrames(join(dir, 'cli.tif')))), /pixel size is not in the file's metadata/);
    await assert.rejects(lastValueFrom(localize(join(dir, 'nope.tif'))), (e: unknown) => e instanceof TiffError && e.problem === 'unreadable');
  });

  test('unsubscribing stops reading the file', async (t) => {
    const stack = join(dir, 'long.tif');
    writeSimulation(stack, join(dir, 'long.truth.csv'), { ...SIM, frames: 300 });
    const reads = countReads(stack);
    t.after(reads.stop);
    const first = await firstValueFrom(localize(stack).pipe(take(2), toArray()));
    assert.equal(first.length, 2);
    await new Promise((r) => setTimeout(r, 50));
    const after = reads.count;
    await new Promise((r) => setTimeout(r, 100));
    reads.stop();
    assert.equal(reads.count, after, 'no reads after unsubscribing');
    assert.ok(after < 150, `${after} reads for 2 of 300 frames`);
  });

  test('the live pipeline localizes frames while they are written', async () => {
    const stack = join(dir, 'live.tif');
    const frames = [...simulateStack({ ...SIM, frames: 12 })];
    const writer = new TiffWriter(stack, { width: SIM.width, height: SIM.height, pixelSizeNm: 100 });
    writer.append(frames[0].adu);
    let next = 1;
    const timer = setInterval(() => {
      if (next < frames.length) writer.append(frames[next++].adu);
      else clearInterval(timer);
    }, 20);
    const seen: number[] = [];
    const summary = await liveLocalize({ input: stack, output: join(dir, 'live.csv'), idleSeconds: 0.3, pollIntervalMs: 5, onProgress: (p) => seen.push(p.frame) });
    clearInterval(timer);
    writer.close();
    assert.equal(summary.frames, 12);
    assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => i + 1));
    assert.ok(summary.localizations > 10, `${summary.localizations} localizations`);
  });
});

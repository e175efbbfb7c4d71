/**
 * Outputs that can never destroy data, runs that end early without lying about it, and faults
 * that end in one clear line (issue: "Never lose data, never mislead").
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { OutputPathError } from '../../src/errors/OutputPathError.js';
import { FitStatus } from '../../src/fit/FitStatus.js';
import { TiffWriter, writeTiff } from '../../src/io/TiffWriter.js';
import { chooseWorkers, defaultWorkers } from '../../src/pipeline/localizeStream.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { Random } from '../../src/simulate/Random.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-safety-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SIM = { width: 48, height: 40, frames: 30, density: 0.3, minSeparationNm: 800, seed: 41 } as const;
const stack = join(dir, 'in.tif');
writeSimulation(stack, join(dir, 'in.truth.csv'), SIM);

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });

describe('no output may overwrite an input or another output', () => {
  test('CLI: every clobbering choice exits 2 before a frame is read, in one line, and the input is unchanged', () => {
    const before = digest(stack);
    const csvNamedStack = join(dir, 'stack.csv');
    writeSimulation(csvNamedStack, join(dir, 'stack.truth.txt'), { ...SIM, frames: 3 });
    symlinkSync(stack, join(dir, 'link.csv'));
    linkSync(stack, join(dir, 'hard.csv'));
    mkdirSync(join(dir, 'outdir'));
    writeFileSync(join(dir, 'mine.json'), '{"my": "notes"}\n');
    const cases: [string, string[], RegExp][] = [
      ['the CSV is the stack', ['localize', stack, '-o', stack], /in\.tif: refusing to write the CSV over the input stack/],
      ['the preview is the stack', ['localize', stack, '-o', join(dir, 'a.csv'), '--preview', stack], /refusing to write the preview over the input stack/],
      ['the sidecar is the CSV', ['localize', stack, '-o', join(dir, 'locs.json')], /locs\.json: refusing to write the sidecar .* over the CSV/],
      ['the preview is the CSV', ['localize', stack, '-o', join(dir, 'p.csv'), '--preview', join(dir, 'p.csv')], /p\.csv: refusing to write the preview over the CSV/],
      ['a TIFF named .csv and the default output', ['localize', csvNamedStack], /stack\.csv: refusing to write the CSV over the input stack/],
      ['a symbolic link to the stack', ['localize', stack, '-o', join(dir, 'link.csv')], /link\.csv: refusing to write the CSV over the input stack \(.*in\.tif\)/],
      ['a hard link to the stack', ['localize', stack, '-o', join(dir, 'hard.csv')], /hard\.csv: refusing to write the CSV over the input stack/],
      ['an existing folder', ['localize', stack, '-o', join(dir, 'outdir')], /outdir: is a folder; give a file name/],
      ['an empty name', ['localize', stack, '-o', ''], /'': the CSV needs a file name, got an empty one/],
      ['a folder that does not exist', ['localize', stack, '-o', join(dir, 'nope', 'x.csv')], /the folder .*nope does not exist/],
      ["someone's own file where the sidecar goes", ['localize', stack, '-o', join(dir, 'mine.csv')], /mine\.json: exists and is not an smlm-stream run record: refusing to replace it/],
      ['render over its CSV', ['render', join(dir, 'in.truth.csv'), '-o', join(dir, 'in.truth.csv')], /refusing to write the image over the localization CSV/],
      ['export over its CSV', ['export', join(dir, 'in.truth.csv'), '--format', 'picasso', '-o', join(dir, 'in.truth.csv')], /refusing to write the Picasso HDF5 file over the localization CSV/],
      ['export: the YAML is the HDF5', ['export', join(dir, 'in.truth.csv'), '--format', 'picasso', '-o', join(dir, 'x.yaml')], /x\.yaml: refusing to write the Picasso YAML file over the Picasso HDF5 file/],
    ];
    for (const [name, args, message] of cases) {
      const r = run(args);
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line: ${r.stderr}`);
    }
    assert.equal(digest(stack), before, 'the stack is unchanged');
    assert.equal(readFileSync(join(dir, 'mine.json'), 'utf8'), '{"my": "notes"}\n', "the user's file is unchanged");
    assert.ok(!existsSync(join(dir, 'outdir.partial')) && !existsSync(join(dir, '.partial')), 'no stray partial files');
    assert.ok(!existsSync(join(dir, 'a.csv')) && !existsSync(join(dir, 'p.csv')), 'nothing was written for the refused runs');
  });

  test('library: localizeStack refuses the same with an OutputPathError, before anything is written', async () => {
    await assert.rejects(localizeStack({ input: stack, output: stack }), OutputPathError);
    await assert.rejects(localizeStack({ input: stack, output: join(dir, 'q.csv'), preview: { path: join(dir, 'q.json') } }), /q\.json: refusing to write the preview over the sidecar/);
    assert.ok(!existsSync(join(dir, 'q.csv.partial')));
  });
});

describe('runs that end early keep whole frames and say why', () => {
  /** Start a follow-mode run on a stack of `frames` frames; resolves once `progressFrames` are done. */
  function startLive(name: string, extra: string[]) {
    const path = join(dir, `${name}.tif`);
    const frames = [...simulateStack({ ...SIM, frames: 100, seed: 7 })];
    writeTiff(path, frames.map((f) => f.adu), { width: SIM.width, height: SIM.height, pixelSizeNm: 100 });
    const output = join(dir, `${name}.csv`);
    const child = spawn(process.execPath, [...CLI, 'localize', path, '-o', output, '--follow', '--idle-timeout', '60', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output, exit, stderr: () => stderr };
  }

  /** Wait until `test` holds, polling every 50 ms for at most a minute. */
  async function waitUntil(what: string, test: () => boolean): Promise<void> {
    for (let t = 0; t < 1200; t++) {
      await new Promise((r) => setTimeout(r, 50));
      if (test()) return;
    }
    throw new Error(`timed out waiting until ${what}`);
  }

  /** Wait until the run's CSV (partial) holds rows of frame 100, i.e. the run waits for frame 101. */
  async function waitForFrames(output: string): Promise<void> {
    await waitUntil('the run reached frame 100', () => existsSync(`${output}.partial`) && /\n\d+,100,/.test(readFileSync(`${output}.partial`, 'utf8')));
  }

  for (const [signal, code, workers] of [['SIGINT', 130, '1'], ['SIGTERM', 143, '2']] as const) {
    test(`${signal} (${workers} worker${workers === '1' ? '' : 's'}): whole frames kept under the final name, the sidecar says complete: false and why, exit ${code}`, async () => {
      const name = `signal-${signal}`;
      // An earlier complete run of the same output: its record must not outlive the new run.
      writeSimulation(join(dir, `${name}-old.tif`), join(dir, `${name}-old.truth.csv`), { ...SIM, frames: 5 });
      await localizeStack({ input: join(dir, `${name}-old.tif`), output: join(dir, `${name}.csv`) });
      const live = startLive(name, ['--workers', workers]);
      if (workers === '1') await waitForFrames(live.output);
      else {
        // Two workers write a chunk's rows only when it is whole, so frame 100 never shows in the
        // partial: wait until the run has started (the partial exists, so the signal handlers are
        // in place; a fixed wait alone signalled a slow start before them), then let it read the
        // 100 frames: 64 are done and 36 held for the next chunk.
        await waitUntil('the run started', () => existsSync(`${live.output}.partial`));
        await new Promise((r) => setTimeout(r, 2500));
      }
      live.child.kill(signal);
      assert.equal(await live.exit, code, live.stderr());
      assert.match(live.stderr(), new RegExp(`${signal}: finishing the frames in flight`));
      assert.match(live.stderr(), new RegExp(`interrupted by ${signal}: kept \\d+ localizations of the 100 completed frames in .*${name}\\.csv`));
      assert.doesNotMatch(live.stderr(), /\n\s+at /, 'no stack trace');
      const sidecar = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
      assert.equal(sidecar.complete, false);
      assert.equal(sidecar.stopReason, `interrupted by ${signal}`);
      assert.equal(sidecar.counts.frames, 100);
      assert.equal(sidecar.superseded, undefined, 'the new record replaced the earlier one');
      const rows = readFileSync(live.output, 'utf8').trim().split('\n').slice(1);
      assert.equal(rows.length, sidecar.counts.localizationsWritten);
      assert.equal(Math.max(...rows.map((r) => Number(r.split(',')[1]))), 100, 'every frame read is in the CSV, the last one too');
      assert.ok(!existsSync(`${live.output}.partial`));
    });
  }

  test('kill -9: the earlier record says it was superseded and where the partial rows are; the next run starts clean', async () => {
    const name = 'killed';
    const output = join(dir, `${name}.csv`);
    const first = await localizeStack({ input: stack, output });
    const firstCsv = readFileSync(output, 'utf8');
    const live = startLive(name, []);
    await waitForFrames(live.output);
    live.child.kill('SIGKILL');
    await live.exit;
    const record = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    assert.equal(record.complete, true, 'the record still describes the earlier CSV');
    assert.equal(record.counts.localizationsWritten, first.localizations);
    assert.equal(record.superseded.partial, `${output}.partial`);
    assert.ok(Date.parse(record.superseded.startedAt) >= Date.parse(record.finished));
    assert.equal(readFileSync(output, 'utf8'), firstCsv, 'the earlier CSV is intact');
    assert.ok(existsSync(`${output}.partial`));
    const next = await localizeStack({ input: stack, output });
    assert.equal(next.complete, true);
    const clean = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    assert.equal(clean.superseded, undefined);
    assert.ok(!existsSync(`${output}.partial`), 'the stale partial file is gone');
  });

  test('a full disk (a 48 kB tmpfs, as root): one line naming the file and ENOSPC, exit 1, nothing cut under the final name', (t) => {
    const mount = join(dir, 'full');
    mkdirSync(mount);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', mount]);
    if (mounted.status !== 0) {
      t.skip('cannot mount a tmpfs here (not root); the CSV writer test covers a full disk with an injected write error');
      return;
    }
    try {
      const big = join(dir, 'big.tif');
      writeSimulation(big, join(dir, 'big.truth.csv'), { ...SIM, frames: 200 });
      const output = join(mount, 'locs.csv');
      const r = run(['localize', big, '-o', output, '--quiet']);
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines[0], `smlm-stream: could not write ${output}.partial: no space left on the device (ENOSPC)`);
      assert.match(lines[1], new RegExp(`kept \\d+ localizations of the \\d+ completed frames in ${output}\\.partial`));
      assert.equal(lines.length, 2, r.stderr);
      assert.ok(!existsSync(output), 'nothing under the final name');
      const partial = readFileSync(`${output}.partial`, 'utf8');
      assert.ok(partial.endsWith('\n'), 'whole rows only');
      if (existsSync(join(mount, 'locs.json'))) {
        const sidecar = JSON.parse(readFileSync(join(mount, 'locs.json'), 'utf8'));
        assert.equal(sidecar.complete, false);
        assert.equal(sidecar.output, `${output}.partial`);
        assert.equal(sidecar.counts.localizationsWritten, partial.trim().split('\n').length - 1);
      }
    } finally {
      spawnSync('umount', [mount]);
    }
  });
});

describe('the machine and the camera', () => {
  test('workers: at most the cores (with a warning) and at most one per chunk', () => {
    const cores = defaultWorkers();
    assert.deepEqual(chooseWorkers(undefined, 20, 64), { workers: 1 });
    assert.equal(chooseWorkers(1000, undefined, 64).workers, cores);
    assert.match(chooseWorkers(1000, undefined, 64).warning ?? '', new RegExp(`1000 workers asked for, but this machine has ${cores} core`));
    const short = chooseWorkers(1000, 20, 64);
    assert.equal(short.workers, 1, '20 frames are one chunk');
    assert.equal(chooseWorkers(1, 20, 64).warning, undefined);
    assert.throws(() => chooseWorkers(0, 20, 64), /workers must be a whole number ≥ 1, got 0/);
    const r = run(['localize', stack, '-o', join(dir, 'w.csv'), '--workers', '1000', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: 1000 workers asked for, but .*: using 1/);
  });

  test('saturated pixels: their fits get status 5, stay out of the CSV unless --all-fits, are counted and warned about once', async () => {
    const W = 64;
    const axis = new GaussianAxis(7);
    const rng = new Random(5);
    const frames: Float64Array[] = [];
    for (let f = 0; f < 6; f++) {
      const photons = new Float64Array(W * W).fill(20);
      renderSpot(photons, W, 7, 7, axis, axis, 3.4, 3.6, 2000, 1.3); // a good spot
      const adu = photons.map((v) => 100 + rng.poisson(v));
      for (let r = 40; r < 46; r++) for (let c = 40; c < 46; c++) adu[r * W + c] = 65535; // a saturated blob
      adu[20 * W + 50] = 65535; // a hot pixel
      frames.push(adu);
    }
    const path = join(dir, 'saturated.tif');
    writeTiff(path, frames, { width: W, height: W, pixelSizeNm: 100 });
    const warnings: string[] = [];
    const summary = await localizeStack({ input: path, output: join(dir, 'saturated.csv'), onWarning: (w) => warnings.push(w) });
    assert.equal(summary.stats.saturated, 12, 'the blob and the hot pixel in each of 6 frames');
    assert.equal(summary.localizations, 6, 'only the good spot of each frame is written');
    assert.equal(warnings.filter((w) => /saturated pixels \(at or above 65535 ADU\)/.test(w)).length, 1, warnings.join('\n'));
    const all = await localizeStack({ input: path, output: join(dir, 'saturated-all.csv'), includeAllFits: true });
    const lines = readFileSync(join(dir, 'saturated-all.csv'), 'utf8').trim().split('\n');
    const statusColumn = lines[0].split(',').indexOf('"status"');
    const status = lines.slice(1).map((l) => Number(l.split(',')[statusColumn]));
    assert.equal(status.filter((s) => s === FitStatus.saturated).length, 12);
    assert.equal(all.localizations, 18);
    const sidecar = JSON.parse(readFileSync(join(dir, 'saturated.json'), 'utf8'));
    assert.equal(sidecar.counts.saturated, 12);
    assert.equal(sidecar.parameters.camera.saturationAdu, 65535);
    // A lower level given: the good spot's peak pixel (100 + 20 + ~9 % of 2000 ≈ 300 ADU) counts as saturated too.
    const low = await localizeStack({ input: path, output: join(dir, 'saturated-low.csv'), options: { camera: { saturationAdu: 200 } } });
    assert.equal(low.localizations, 0);
    const r = run(['localize', path, '-o', join(dir, 'saturated-cli.csv')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /not converged\s+12 saturated, 0 other fits/);
    assert.match(r.stdout, /precision \(median\)\s+[\d.]+ nm uncertainty, \d+ photons, background [\d.]+ photons\/px/);
  });

  test('NaN and infinite pixels in a float stack are counted, reported and warned about', async () => {
    const frames = [...simulateStack({ ...SIM, frames: 4 })].map((f) => Float32Array.from(f.adu));
    frames[1][100] = Number.NaN;
    frames[1][101] = Number.NaN;
    frames[3][500] = Number.POSITIVE_INFINITY;
    const path = join(dir, 'nan.tif');
    writeTiff(path, frames, { width: SIM.width, height: SIM.height, pixelSizeNm: 100, sampleType: 'float32' });
    const warnings: string[] = [];
    const summary = await localizeStack({ input: path, output: join(dir, 'nan.csv'), onWarning: (w) => warnings.push(w) });
    assert.equal(summary.stats.nonFinitePixels, 3);
    assert.equal(summary.stats.framesWithNonFinite, 2);
    assert.equal(warnings.filter((w) => /NaN or infinite pixels from frame 2 on/.test(w)).length, 1, warnings.join('\n'));
    const sidecar = JSON.parse(readFileSync(join(dir, 'nan.json'), 'utf8'));
    assert.equal(sidecar.counts.nonFinitePixels, 3);
  });

  test("an implausible pixel size in the file's metadata is refused, naming the tag; the option overrides it", async () => {
    const path = join(dir, 'tiny-pixels.tif');
    const writer = new TiffWriter(path, { width: SIM.width, height: SIM.height, pixelSizeNm: 1e-9 * 1e4 });
    for (const f of simulateStack({ ...SIM, frames: 2 })) writer.append(f.adu);
    writer.close();
    await assert.rejects(localizeStack({ input: path, output: join(dir, 'tiny.csv') }), /the pixel size from the XResolution tag \(.* px per micron\) is [\d.e-]+ nm, outside the plausible 1–10000 nm/);
    const ok = await localizeStack({ input: path, output: join(dir, 'tiny.csv'), options: { camera: { pixelSizeNm: 100 } } });
    assert.equal(ok.complete, true);
  });
});

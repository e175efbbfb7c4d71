import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Progress } from '../../pipelines/LocalizeStackRun.js';
import { ProgressReporter } from '../../src/cli/ProgressReporter.js';
import { Queue } from 'bullmq';
import { lastValueFrom, toArray } from 'rxjs';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { decodeBatches, encodeBatches } from '../../src/cluster/batchCodec.js';
import { checkChunkJob, JOB_ATTEMPTS, QUEUE_NAME } from '../../src/cluster/ChunkJob.js';
import { jobRanges } from '../../src/cluster/localizeOnQueue.js';
import { parseQueueUrl } from '../../src/cluster/parseQueueUrl.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { localize } from '../../pipelines/localize.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import { readCameraMaps } from '../../src/camera/readCameraMaps.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { readCalibrationFile } from '../../src/export/readCalibrationFile.js';
import { writeSplineCalibration } from '../../src/export/writeSplineCalibration.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import { CLI } from '../cli/cliArgs.js';
import { astigmaticVolume } from '../fit/spline/astigmaticVolume.js';
import { redisMissing, startRedis } from './redisServer.js';

const PASSWORD = 'pa55-w0rd-secret';
const dir = mkdtempSync(join(tmpdir(), 'smlm-queue-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the queue, without Redis', () => {
  test('a queue URL keeps its password out of what is shown', () => {
    const a = parseQueueUrl(`redis://:${PASSWORD}@10.0.0.7:6380/2`);
    assert.deepEqual(a.connection, { host: '10.0.0.7', port: 6380, db: 2, password: PASSWORD });
    assert.equal(a.display, 'redis://10.0.0.7:6380/2');
    assert.equal(parseQueueUrl('redis://cache').connection.port, 6379);
    assert.throws(() => parseQueueUrl(`http://:${PASSWORD}@host`), (e: Error) => !e.message.includes(PASSWORD) && /redis:\/\//.test(e.message));
    assert.throws(() => parseQueueUrl(`not a url ${PASSWORD}`), (e: Error) => !e.message.includes(PASSWORD));
  });

  test('batches survive the binary encoding bit for bit', () => {
    const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 } }));
    const batches = [...simulateStack({ width: 64, height: 64, frames: 12, density: 1, seed: 3 })].map((f) => localizer.process({ index: f.index, width: 64, height: 64, data: Uint16Array.from(f.adu) }));
    assert.ok(batches.some((b) => b.count > 0));
    const back = decodeBatches(encodeBatches(batches));
    assert.equal(back.length, batches.length);
    back.forEach((b, i) => assert.deepEqual(b, batches[i]));
    // 3-D batches keep their depth columns.
    const deep = batches.map((b) => ({ ...b, z: b.x.map((v) => v / 7 - 300), uncertaintyZ: b.x.map(() => 21.5), sigma1: b.sigma.slice(), sigma2: b.sigma.map((v) => v * 1.5) }));
    decodeBatches(encodeBatches(deep)).forEach((b, i) => assert.deepEqual(b, deep[i]));
    assert.throws(() => decodeBatches(Buffer.from('{"rows": []}')), /not a chunk result/);
  });

  test('jobs are whole chunks; a job is checked field by field before use', () => {
    assert.deepEqual(jobRanges(0, 2500, 1, 1024), [[0, 1024], [1024, 2048], [2048, 2500]]);
    assert.deepEqual(jobRanges(1000, 1100, 5, 1024), [[1000, 1024], [1025, 1100]]);
    const job = { format: 1, run: '0b6f8f4e-2f9c-4a51-9d0e-3f0b7c1d2e3f', input: '/data/a.tif', start: 0, end: 64, step: 1, options: {}, digest: 'a'.repeat(64), software: '0.1.0' };
    assert.equal(checkChunkJob(job), job);
    assert.equal(checkChunkJob({ ...job, mapFiles: { offset: '/data/offset.tif', origin: [0, 16] } }).mapFiles?.offset, '/data/offset.tif');
    for (const [key, value] of [['input', 'relative.tif'], ['input', { toString: 'x' }], ['end', 0], ['step', 0], ['options', 'rm -rf /'], ['format', 2], ['run', '../../etc'], ['mapFiles', { offset: 'offset.tif' }], ['mapFiles', { script: '/bin/sh' }], ['splineFile', 'psf.h5']] as const) {
      assert.throws(() => checkChunkJob({ ...job, [key]: value }), new RegExp(key === 'end' ? 'empty frame range' : key), `${key}: ${JSON.stringify(value)}`);
    }
  });

  test("the queue's progress, told once per job, gives an ETA from the rate between jobs", () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const update = (reporter: ProgressReporter, frames: number, seconds: number) => reporter.update({ frames, total: 4096, frame: frames, localizations: 0, seconds });
    // Told per frame, a job's 1 024 frames arriving at once after 11 s of workers starting gave
    // 1 frame in 11 s for the first frame of the burst: an ETA of hours (the "8:04:39").
    update(new ProgressReporter(stream, { intervalSeconds: 0 }), 1, 11);
    assert.match(written[0], /ETA \d+:\d\d:\d\d\n$/);
    // Told per job (as localizeStack now does on a queue): 1 024 frames in 11 s, then 1 024 a second.
    written.length = 0;
    const reporter = new ProgressReporter(stream, { intervalSeconds: 0 });
    for (const [frames, seconds] of [[1024, 11], [2048, 12], [3072, 13]]) update(reporter, frames, seconds);
    assert.deepEqual(written.map((line) => /ETA (\S+)/.exec(line)?.[1]), ['0:33', '0:02', '0:01']);
  });
});

const missing = redisMissing();
/** Frames of the main stack, and the chunks (16 to a job: jobs of 256 frames) of every run of it. */
const FRAMES = 600;
const CHUNKS = { chunkFrames: 16 } as const;
const CHUNK_FLAGS = ['--chunk-frames', String(CHUNKS.chunkFrames)] as const;

describe('localizing on a queue (a private redis-server)', { skip: missing }, () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const workers: ChildProcess[] = [];
  const stack = join(dir, 'stack.tif');
  const single = join(dir, 'single.csv');
  before(async () => {
    redis = await startRedis(PASSWORD);
    // 64×64 px, 600 frames in chunks of 16: three jobs of 256 frames (16 chunks), the last one
    // short (88 frames). (Default chunks of 64 made jobs of 1 024 frames: a 2 600-frame stack
    // localized 16 times over made this file take 140 s; jobs are what the tests are about.)
    writeSimulation(stack, join(dir, 'stack.truth.csv'), { width: 64, height: 64, frames: FRAMES, density: 0.15, seed: 21 });
    await localizeStack({ input: stack, output: single, workers: 1, options: CHUNKS });
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await redis?.stop();
  });

  /** A worker process (its password in the environment, not on its command line) and its log. */
  const startWorker = (...flags: string[]) => startWorkerOn(redis.url, flags);
  /** The same on another Redis, with more of the environment and node's own arguments (a preload). */
  const startWorkerOn = (url: string, flags: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) => {
    const child = spawn(process.execPath, [...CLI.slice(0, -1), ...nodeArgs, ...CLI.slice(-1), 'worker', ...flags], { env: { ...process.env, SMLM_STREAM_QUEUE: url, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    workers.push(child);
    let log = '';
    const waiters: { re: RegExp; resolve: () => void }[] = [];
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      for (const w of [...waiters]) if (w.re.test(log)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    return {
      child,
      id: `${hostname()}:${child.pid}`,
      log: () => log,
      waitFor: (re: RegExp) => new Promise<void>((resolve) => (re.test(log) ? resolve() : waiters.push({ re, resolve }))),
      stop: () => new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    };
  };

  // The tests that need healthy workers and nothing else share two (starting a worker process
  // through tsx costs more than most of these runs: 10 starts were half of this file's time).
  describe('with two workers running (one fitting on two threads)', () => {
    let a: ReturnType<typeof startWorker>;
    let b: ReturnType<typeof startWorker>;
    before(async () => {
      a = startWorker();
      b = startWorker('--concurrency', '2');
      await Promise.all([a.waitFor(/taking jobs/), b.waitFor(/taking jobs/)]);
    });
    after(async () => {
      await Promise.all([a.stop(), b.stop()]);
    });

    test('two workers (one fitting on two threads) write the CSV of one machine, byte for byte; the sidecar names them, never the password', async () => {
      const output = join(dir, 'two.csv');
      const progress: Progress[] = [];
      const summary = await localizeStack({ input: stack, output, queue: redis.url, options: CHUNKS, onProgress: (p) => progress.push(p) });
      assert.equal(readFileSync(output, 'utf8'), readFileSync(single, 'utf8'));
      // Progress comes once per job (256 frames), as the jobs arrive: see the ETA test.
      assert.deepEqual(progress.map((p) => p.frames), [256, 512, FRAMES]);
      assert.deepEqual(progress.map((p) => p.frame), [256, 512, FRAMES]);
      const sidecar = readFileSync(join(dir, 'two.json'), 'utf8');
      assert.ok(!sidecar.includes(PASSWORD), 'the password is not in the sidecar');
      const record = JSON.parse(sidecar);
      assert.equal(record.cluster.queue, `redis://127.0.0.1:${redis.port}`);
      assert.ok(record.cluster.workers.length >= 1 && record.cluster.workers.length <= 2, JSON.stringify(record.cluster));
      assert.equal(record.parameters.workers, record.cluster.workers.length);
      assert.deepEqual(record.counts, JSON.parse(readFileSync(join(dir, 'single.json'), 'utf8')).counts);
      assert.equal(summary.frames, FRAMES);
      for (const w of [a, b]) assert.ok(!w.log().includes(PASSWORD));
    });

    test('two submissions at once on one queue keep their results apart', async () => {
      const other = join(dir, 'other.tif');
      writeSimulation(other, join(dir, 'other.truth.csv'), { width: 64, height: 64, frames: 350, density: 0.2, seed: 22 });
      await localizeStack({ input: other, output: join(dir, 'other-single.csv'), workers: 1, options: CHUNKS });
      await Promise.all([
        localizeStack({ input: stack, output: join(dir, 'first.csv'), queue: redis.url, options: CHUNKS }),
        localizeStack({ input: other, output: join(dir, 'second.csv'), queue: redis.url, options: CHUNKS }),
      ]);
      assert.equal(readFileSync(join(dir, 'first.csv'), 'utf8'), readFileSync(single, 'utf8'));
      assert.equal(readFileSync(join(dir, 'second.csv'), 'utf8'), readFileSync(join(dir, 'other-single.csv'), 'utf8'));
    });

    test('localize(path, { queue }) in code emits the batches of this machine', async () => {
      const here = await lastValueFrom(localize(stack, { ...CHUNKS, frames: { start: 100, end: 400 } }).pipe(toArray()));
      const there = await lastValueFrom(localize(stack, { ...CHUNKS, frames: { start: 100, end: 400 }, queue: redis.url }).pipe(toArray()));
      assert.equal(there.length, 300);
      assert.deepEqual(there, here);
    });

    test('a 3-D run on the queue writes the CSV of one machine', async () => {
      const deep = join(dir, 'deep.tif');
      // 100 frames (one job): the CSVs are compared byte for byte, 3-D fits are the slow ones.
      writeSimulation(deep, join(dir, 'deep.truth.csv'), { width: 64, height: 64, frames: 100, density: 0.2, seed: 24, astigmatism: { ...DEFAULT_ASTIGMATISM, zRangeNm: [-400, 400] } });
      const options = { astigmatism: { format: CALIBRATION_FORMAT, ...DEFAULT_ASTIGMATISM, zOrigin: 'midway between the foci', zRangeNm: [-600, 600] as [number, number], pixelSizeNm: 100, residualsNm: { x: 0, y: 0 }, beads: [], zStartNm: -600, zStepNm: 10 } };
      await localizeStack({ input: deep, output: join(dir, 'deep-single.csv'), workers: 1, options });
      await localizeStack({ input: deep, output: join(dir, 'deep-queue.csv'), queue: redis.url, options });
      const local = readFileSync(join(dir, 'deep-single.csv'), 'utf8');
      assert.ok(local.startsWith('"id"') && local.split('\n')[0].includes('"z [nm]"'));
      assert.equal(readFileSync(join(dir, 'deep-queue.csv'), 'utf8'), local);
    });

    test('a spline run on the queue: workers read the same PSF file, and write the CSV of one machine; a spline built in memory is refused', async () => {
      // Small on purpose: a 32×32 stack of 40 frames (one job), a 13×13-px spline over ±600 nm.
      const deep = join(dir, 'spline.tif');
      writeSimulation(deep, join(dir, 'spline.truth.csv'), { width: 32, height: 32, frames: 40, density: 0.3, seed: 26, astigmatism: { ...DEFAULT_ASTIGMATISM, zRangeNm: [-400, 400] } });
      const psfFile = join(dir, 'psf.h5');
      await writeSplineCalibration(psfFile, buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 13, -600, 40, 31), 13, 13, 31, 40), { pixelSizeNm: 100 });
      const options = await readCalibrationFile(psfFile);
      await localizeStack({ input: deep, output: join(dir, 'spline-single.csv'), workers: 1, options });
      await localizeStack({ input: deep, output: join(dir, 'spline-queue.csv'), queue: redis.url, options });
      const local = readFileSync(join(dir, 'spline-single.csv'), 'utf8');
      assert.ok(local.split('\n')[0].includes('"z [nm]"') && local.split('\n').length > 20, 'a 3-D run that found spots');
      assert.equal(readFileSync(join(dir, 'spline-queue.csv'), 'utf8'), local);
      const inMemory = { spline: { ...options.spline, source: undefined } } as typeof options;
      await assert.rejects(localizeStack({ input: deep, output: join(dir, 'spline-bare.csv'), queue: redis.url, options: inMemory }), /built in memory does not travel/);
    });

    test('a temporal-median run on the queue writes the CSV of one machine: each job reads the halo its windows need', async () => {
      // Frames 3–590 of 600, every frame: the run's ends are not the stack's, and the job
      // boundaries (256 frames) fall mid-window, so a job that read only its own frames would differ.
      const options = { ...CHUNKS, background: { method: 'temporal-median' as const, windowFrames: 31 } };
      const frames = { start: 2, end: 590 };
      await localizeStack({ input: stack, output: join(dir, 'median-single.csv'), workers: 1, options, frames });
      await localizeStack({ input: stack, output: join(dir, 'median-queue.csv'), queue: redis.url, options, frames });
      const local = readFileSync(join(dir, 'median-single.csv'), 'utf8');
      assert.ok(local.split('\n').length > 1000, 'the run found spots');
      assert.equal(readFileSync(join(dir, 'median-queue.csv'), 'utf8'), local);
    });

    test('an sCMOS run: workers read the same map files, and write the CSV of one machine; maps given only as arrays are refused', async () => {
      const sc = join(dir, 'scmos.tif');
      const made = writeSimulation(sc, join(dir, 'scmos.truth.csv'), { width: 64, height: 64, frames: 200, density: 0.3, sensor: 'scmos', seed: 25 });
      const files = { offset: made.maps?.offset, variance: made.maps?.variance, gain: made.maps?.gain };
      const maps = await readCameraMaps(files);
      await localizeStack({ input: sc, output: join(dir, 'scmos-single.csv'), workers: 1, options: { camera: { maps } } });
      await localizeStack({ input: sc, output: join(dir, 'scmos-queue.csv'), queue: redis.url, options: { camera: { maps } } });
      assert.equal(readFileSync(join(dir, 'scmos-queue.csv'), 'utf8'), readFileSync(join(dir, 'scmos-single.csv'), 'utf8'));
      const bare = { width: maps.width, height: maps.height, offsetAdu: maps.offsetAdu, varianceAdu2: maps.varianceAdu2, gainAduPerElectron: maps.gainAduPerElectron };
      await assert.rejects(localizeStack({ input: sc, output: join(dir, 'scmos-bare.csv'), queue: redis.url, options: { camera: { maps: bare } } }), /camera maps given as arrays do not travel/);
    });
  });

  test('a worker killed mid-run (SIGKILL): its job is taken by another, nothing lost or doubled', async () => {
    const a = startWorker();
    await a.waitFor(/taking jobs/);
    const output = join(dir, 'killed.csv');
    const run = localizeStack({ input: stack, output, queue: redis.url, options: CHUNKS });
    await a.waitFor(/done frames 1–256/);
    a.child.kill('SIGKILL');
    const b = startWorker();
    const summary = await run;
    assert.equal(summary.complete, true);
    assert.equal(readFileSync(output, 'utf8'), readFileSync(single, 'utf8'));
    // A was killed as it took frames 257–512 (it had just finished the first job): the stalled
    // job went back to the queue, and B did it.
    assert.match(b.log(), /done frames 257–512/);
    await b.stop();
  });

  test('a submitter killed: the next submission with the same output starts clean', async () => {
    // No worker yet: the first submission's jobs wait in the queue when it is killed.
    const output = join(dir, 'restarted.csv');
    const first = spawn(process.execPath, [...CLI, 'localize', stack, '-o', output, '--queue', redis.url, ...CHUNK_FLAGS, '--quiet'], { stdio: 'ignore' });
    const queue = new Queue(QUEUE_NAME, { connection: { ...parseQueueUrl(redis.url).connection, maxRetriesPerRequest: null } });
    while ((await queue.getWaitingCount()) === 0) await new Promise((r) => setTimeout(r, 50));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const w = startWorker();
    await localizeStack({ input: stack, output, queue: redis.url, options: CHUNKS });
    assert.equal(readFileSync(output, 'utf8'), readFileSync(single, 'utf8'));
    // The killed submission's jobs were skipped, not done.
    await w.waitFor(/skipped/);
    assert.equal(await queue.getWaitingCount(), 0);
    await queue.close();
    await w.stop();
  });

  test('a worker that cannot open the stack fails the job with its message, and the submitter reports it', async () => {
    const moved = join(dir, 'moving.tif');
    writeSimulation(moved, join(dir, 'moving.truth.csv'), { width: 64, height: 64, frames: 200, seed: 23 });
    const output = join(dir, 'failed.csv');
    const queue = new Queue(QUEUE_NAME, { connection: { ...parseQueueUrl(redis.url).connection, maxRetriesPerRequest: null } });
    const run = localizeStack({ input: moved, output, queue: redis.url });
    run.catch(() => undefined);
    // Queued while no worker runs; then the file is gone from the worker's view.
    while ((await queue.getWaitingCount()) === 0) await new Promise((r) => setTimeout(r, 50));
    renameSync(moved, `${moved}.away`);
    const w = startWorker();
    try {
      // Every try failed on the one worker there is: the message names it (host:pid) and its error.
      await assert.rejects(run, (e: Error) => {
        assert.match(e.message, new RegExp(`^frames 1–200 failed on every worker that tried them \\(${JOB_ATTEMPTS} tries\\): worker ${w.id}: .*moving\\.tif`));
        assert.ok(!e.message.includes(PASSWORD));
        return true;
      });
      // The submitter can hear of the last failure before the worker has printed it: wait for the
      // line (at most 30 s; then the count below says what was printed).
      await Promise.race([w.waitFor(new RegExp(`(failed frames 1–200[\\s\\S]*){${JOB_ATTEMPTS}}`)), new Promise((r) => setTimeout(r, 30_000).unref())]);
      assert.equal(w.log().match(/failed frames 1–200/g)?.length, JOB_ATTEMPTS, w.log());
    } finally {
      // Also when an assertion fails: a worker left running would take the next tests' jobs.
      await queue.close();
      await w.stop();
    }
  });

  /** A `localize --queue env` process (the URL in SMLM_STREAM_QUEUE) and its stderr. */
  const submit = (url: string, output: string) => {
    const child = spawn(process.execPath, [...CLI, 'localize', stack, '-o', output, '--queue', 'env', ...CHUNK_FLAGS, '--quiet'], { env: { ...process.env, SMLM_STREAM_QUEUE: url }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, stderr: () => stderr, exit };
  };
  /** The single-machine CSV's header and rows of frames 1…`last`. */
  const singleUpTo = (last: number) => {
    const lines = readFileSync(single, 'utf8').split('\n');
    const column = lines[0].split(',').indexOf('"frame"');
    return `${lines.filter((line, i) => i === 0 || (line !== '' && Number(line.split(',')[column]) <= last)).join('\n')}\n`;
  };
  const waitingJobs = async (url: string) => {
    const queue = new Queue(QUEUE_NAME, { connection: { ...parseQueueUrl(url).connection, maxRetriesPerRequest: null } });
    try {
      return await queue.getWaitingCount();
    } finally {
      await queue.close();
    }
  };

  test('Redis killed mid-run: the submitter stops with one line, the rows of the jobs done kept in order, the sidecar incomplete; the worker says it once and stops on SIGTERM', async () => {
    const own = await startRedis(PASSWORD);
    const w = startWorkerOn(own.url, []);
    await w.waitFor(/taking jobs/);
    const output = join(dir, 'redis-killed.csv');
    const s = submit(own.url, output);
    await w.waitFor(/done frames 1–256/);
    // The worker frozen: no job after the first is done. The submitter has taken the first
    // job's rows once the job is gone from the queue; then Redis dies.
    w.child.kill('SIGSTOP');
    const queue = new Queue(QUEUE_NAME, { connection: { ...parseQueueUrl(own.url).connection, maxRetriesPerRequest: null } });
    while ((await queue.getJobs(['completed', 'active', 'waiting'])).some((job) => job?.data.start === 0)) await sleep(50);
    await queue.close();
    await own.kill();
    assert.equal(await s.exit, 1, s.stderr());
    const lines = s.stderr().trim().split('\n');
    assert.equal(lines.length, 2, s.stderr());
    assert.equal(lines[0], `smlm-stream: lost the queue at redis://127.0.0.1:${own.port}: no answer for 5 s (ECONNREFUSED)`);
    assert.match(lines[1], /^smlm-stream: kept \d+ localizations of the 256 completed frames in .*redis-killed\.csv \(see .*redis-killed\.json\)$/);
    assert.equal(readFileSync(output, 'utf8'), singleUpTo(256));
    assert.throws(() => readFileSync(`${output}.partial`), /ENOENT/);
    const record = JSON.parse(readFileSync(join(dir, 'redis-killed.json'), 'utf8'));
    assert.equal(record.complete, false);
    assert.equal(record.counts.frames, 256);
    assert.match(record.error, /lost the queue/);
    // The worker, woken: one line for the lost queue (no stack trace, no line per retry); it
    // says so when Redis is back, and a SIGTERM ends it while Redis is gone.
    w.child.kill('SIGCONT');
    await w.waitFor(/lost the queue/);
    const again = await startRedis(PASSWORD, own.port);
    await w.waitFor(/answers again/);
    await again.kill();
    await w.waitFor(/answers again(.|\n)*lost the queue/);
    await w.stop();
    assert.match(w.log(), /SIGTERM: stopping now \(the queue is lost/);
    // Each loss is said once, with the socket's code: ECONNREFUSED when Redis was already gone at
    // the next connect, ECONNRESET when it died under an open connection (which one is a race).
    assert.equal(w.log().match(/lost the queue at redis:\/\/127\.0\.0\.1:\d+ \((ECONNREFUSED|ECONNRESET)\); trying again until it answers/g)?.length, 2, w.log());
    assert.equal(w.log().match(new RegExp(`the queue at redis://127\\.0\\.0\\.1:${own.port} answers again; taking jobs`, 'g'))?.length, 1, w.log());
    assert.ok(!/\n\s+at /.test(w.log()), w.log());
  });

  test('Ctrl-C or SIGTERM with Redis up and no worker: the submitter stops at once, withdraws its jobs, and the sidecar says why', async () => {
    const runs = (['SIGINT', 'SIGTERM'] as const).map((signal) => ({ signal, output: join(dir, `stopped-${signal}.csv`) }));
    const started = runs.map((r) => ({ ...r, s: submit(redis.url, r.output) }));
    // Both queued their 3 jobs, and nothing takes them.
    while ((await waitingJobs(redis.url)) < 6) await sleep(50);
    for (const { s, signal } of started) s.child.kill(signal);
    for (const { s, signal, output } of started) {
      assert.equal(await s.exit, signal === 'SIGINT' ? 130 : 143, s.stderr());
      assert.match(s.stderr(), new RegExp(`interrupted by ${signal}: kept 0 localizations of the 0 completed frames`));
      const record = JSON.parse(readFileSync(output.replace(/\.csv$/, '.json'), 'utf8'));
      assert.equal(record.complete, false);
      assert.equal(record.stopReason, `interrupted by ${signal}`);
    }
    assert.equal(await waitingJobs(redis.url), 0);
  });

  test('a worker that cannot read the stack next to a healthy one: its jobs go to the healthy one, the run completes', async () => {
    const broken = startWorkerOn(redis.url, [], { SMLM_TEST_UNREADABLE: stack }, ['--import', join(import.meta.dirname, 'unreadableStack.ts')]);
    const healthy = startWorker();
    await Promise.all([broken.waitFor(/taking jobs/), healthy.waitFor(/taking jobs/)]);
    // The healthy worker frozen (alive for the others: its mark in Redis lasts seconds), so that
    // the broken one takes the first job and fails it.
    healthy.child.kill('SIGSTOP');
    const output = join(dir, 'one-broken.csv');
    const run = localizeStack({ input: stack, output, queue: redis.url, options: CHUNKS });
    await broken.waitFor(/failed frames 1–256: .*EACCES.*; it goes back to the queue/);
    healthy.child.kill('SIGCONT');
    const summary = await run;
    assert.equal(summary.complete, true);
    assert.equal(readFileSync(output, 'utf8'), readFileSync(single, 'utf8'));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'one-broken.json'), 'utf8')).cluster.workers, [healthy.id]);
    // The broken worker failed each job it took once, then left it to the healthy one.
    for (const frames of ['1–256', '257–512', '513–600']) assert.ok((broken.log().match(new RegExp(`failed frames ${frames}:`, 'g'))?.length ?? 0) <= 1, broken.log());
    assert.ok(!/done frames/.test(broken.log()), broken.log());
    assert.match(healthy.log(), /done frames 1–256/);
    await Promise.all([broken.stop(), healthy.stop()]);
  });

  test('--concurrency above the cores is cut to the cores, with a warning', async () => {
    const w = startWorker('--concurrency', '200');
    await w.waitFor(/taking jobs/);
    const cores = availableParallelism();
    assert.match(w.log(), new RegExp(`smlm-stream: warning: --concurrency 200 asked for, but this machine has ${cores} cores?: taking ${cores} jobs? at a time`));
    assert.match(w.log(), new RegExp(`taking jobs from redis://127\\.0\\.0\\.1:\\d+ \\(${cores} at a time\\)`));
    await w.stop();
  });

  test('Redis unreachable: one line naming the address (no password), exit 2, nothing written; a password on the command line is warned of', () => {
    // The README's form: the URL in SMLM_STREAM_QUEUE, out of sight of ps.
    const env = { ...process.env, SMLM_STREAM_QUEUE: `redis://:${PASSWORD}@127.0.0.1:1` };
    const r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'unreachable.csv'), '--queue', 'env'], { encoding: 'utf8', env });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /cannot reach the queue at redis:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
    assert.ok(!r.stderr.includes(PASSWORD));
    assert.throws(() => readFileSync(join(dir, 'unreachable.json')));
    // On the command line: the same, after a warning that says where the password belongs.
    const inline = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'unreachable.csv'), '--queue', `redis://:${PASSWORD}@127.0.0.1:1`], { encoding: 'utf8' });
    assert.equal(inline.status, 2, inline.stderr);
    assert.match(inline.stderr, /^smlm-stream: warning: the queue's password is on the command line, .*SMLM_STREAM_QUEUE and give --queue env\n.*cannot reach the queue/);
    assert.ok(!inline.stderr.includes(PASSWORD));
    // --queue env without the variable: a usage error; without --queue: a run on this machine.
    const unset = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'unreachable.csv'), '--queue', 'env'], { encoding: 'utf8', env: { ...process.env, SMLM_STREAM_QUEUE: '' } });
    assert.equal(unset.status, 2, unset.stderr);
    assert.match(unset.stderr, /--queue env takes the queue's URL from SMLM_STREAM_QUEUE, which is not set/);
    assert.throws(() => readFileSync(join(dir, 'unreachable.json')));
    const w = spawnSync(process.execPath, [...CLI, 'worker', '--queue', `redis://:wrong@127.0.0.1:${redis.port}`], { encoding: 'utf8' });
    assert.equal(w.status, 2, w.stderr);
    assert.match(w.stderr, /WRONGPASS/);
  });
});

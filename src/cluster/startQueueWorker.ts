import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { DelayedError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Frame } from '../io/Frame.js';
import { readCameraMaps } from '../camera/readCameraMaps.js';
import { readCalibrationFile } from '../export/readCalibrationFile.js';
import { openStack } from '../io/openStack.js';
import { FrameLocalizer } from '../pipeline/FrameLocalizer.js';
import { TemporalMedian } from '../pipeline/TemporalMedian.js';
import { resolveLocalizeOptions } from '../pipeline/LocalizeOptions.js';
import type { ResolvedLocalizeOptions } from '../pipeline/LocalizeOptions.js';
import { LocalizerPool } from '../pipeline/LocalizerPool.js';
import { HeldWhileUsed } from './HeldWhileUsed.js';
import type { LocalizeStats } from '../pipeline/LocalizeStats.js';
import { addLocalizeStats, createLocalizeStats } from '../pipeline/LocalizeStats.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { encodeBatches } from './batchCodec.js';
import type { ChunkJob, ChunkResultMessage } from './ChunkJob.js';
import { checkChunkJob, DEFER_MS, failuresKey, LOCK_DURATION_MS, MAX_STALLED, optionsDigest, QUEUE_GRACE_MS, QUEUE_NAME, RESULT_TTL_MS, resultKey, runKey, STALLED_INTERVAL_MS, WORKER_TTL_MS, workerKey, WORKERS_KEY } from './ChunkJob.js';
import { bullConnection, connectQueue } from './connectQueue.js';
import { defaultWorkers } from '../pipeline/localizeStream.js';
import { watchConnection } from './watchConnection.js';
import type { QueueAddress } from './parseQueueUrl.js';

/** The defaults of {@link startQueueWorker}: one job at a time. */
export const QUEUE_WORKER_DEFAULTS = { concurrency: 1 } as const;

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /**
   * This worker's name, `host:pid`, under which it marks itself alive and records the jobs it
   * fails (the caller knows its process: src/cli/workerCommand.ts).
   */
  id: string;
  /**
   * Jobs at once; above 1, their frames are fitted on that many worker threads. At most the
   * machine's cores (as `localize --workers`): more is cut to that ({@link QueueWorker.concurrency}).
   * @default {@link QUEUE_WORKER_DEFAULTS} (1)
   */
  concurrency?: number;
  /** Called with a line for each job done or failed, and when Redis is lost and back. */
  onLog?: (line: string) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  /** host:pid, as results and the submitter's sidecar name it. */
  readonly id: string;
  /** Jobs at once: the one asked for, at most the machine's cores. */
  readonly concurrency: number;
  /** Whether Redis is lost now (no answer for {@link QUEUE_GRACE_MS}). */
  isLost(): boolean;
  /**
   * Finish the jobs in hand, then stop taking jobs and disconnect; with Redis lost, stop at once
   * (the jobs in hand go back to the queue for another worker when it returns).
   */
  close(): Promise<void>;
}

/**
 * Take chunk jobs from the queue at `address` until closed: for each, check the job
 * ({@link checkChunkJob}), skip it if its submission is gone, open its stack (from storage
 * shared with the submitter; the last one stays open), resolve its options with the stack's
 * metadata and compare their digest with the submitter's, localize its frames (a chunk of
 * `chunkFrames` at a time, warm starts restarting at each chunk as on one machine), and return
 * the batches encoded ({@link encodeBatches}, binary, under their own key) with the chunk's
 * counters. A job that cannot be done fails with the reason, recorded under this worker's
 * host:pid for the submitter; it goes back to the queue, and this worker leaves it to any other
 * live worker (each marks itself alive in Redis) that has not failed it. The event loop is given
 * a turn between chunks, so BullMQ renews the job's lock while it runs. Redis lost for
 * {@link QUEUE_GRACE_MS}: one line, and again one when it answers (BullMQ reconnects by itself).
 * @param address - the queue (see parseQueueUrl)
 * @param options - the worker's host:pid, concurrency (at most the cores), log lines
 * @throws QueueError when Redis cannot be reached
 */
export async function startQueueWorker(address: QueueAddress, options: QueueWorkerOptions): Promise<QueueWorker> {
  const concurrency = Math.min(options.concurrency ?? QUEUE_WORKER_DEFAULTS.concurrency, defaultWorkers());
  const client = await connectQueue(address);
  const id = options.id;
  const log = (line: string) => options.onLog?.(line);
  const watch = watchConnection(client, QUEUE_GRACE_MS, {
    lost: (why) => log(`lost the queue at ${address.display} (${why}); trying again until it answers (Ctrl-C stops)`),
    back: () => log(`the queue at ${address.display} answers again; taking jobs`),
  });
  // Alive for other workers to see: a worker that failed a job leaves it to one of them.
  const alive = () => client.multi().set(workerKey(id), '1', 'PX', WORKER_TTL_MS).sadd(WORKERS_KEY, id).exec().catch(() => undefined);
  await alive();
  const heartbeat = setInterval(() => void alive(), WORKER_TTL_MS / 3);
  heartbeat.unref();
  /** Whether a live worker other than this one has not failed the job yet. */
  const anotherCanTry = async (failedBy: Record<string, string>): Promise<boolean> => {
    const others = (await client.smembers(WORKERS_KEY)).filter((w) => w !== id && failedBy[w] === undefined);
    if (others.length === 0) return false;
    const live = await client.exists(...others.map(workerKey));
    if (live === 0) await client.srem(WORKERS_KEY, ...others);
    return live > 0;
  };
  type Stack = ReturnType<typeof openStack>['stack'];
  type Resolved = { options: ResolvedLocalizeOptions; pool?: LocalizerPool };
  // Shared by the jobs of one run, kept while any job uses them (two jobs of two runs at once
  // with --concurrency 2: HeldWhileUsed).
  const stacks = new HeldWhileUsed<Stack>((stack) => stack.close());
  const resolvedRuns = new HeldWhileUsed<Resolved>((r) => r.pool?.close());
  const stackKey = (job: ChunkJob) => JSON.stringify(job.input);
  const optionsKey = (job: ChunkJob) => `${job.digest}:${JSON.stringify(job.input)}:${JSON.stringify(job.mapFiles ?? null)}:${job.splineFile ?? ''}`;
  const resolveFor = async (job: ChunkJob, stack: Stack): Promise<Resolved> => {
    // sCMOS maps: read from the files the job names (storage shared with the submitter).
    const maps = job.mapFiles ? await readCameraMaps(job.mapFiles) : undefined;
    let options = maps ? { ...job.options, camera: { ...job.options.camera, maps } } : job.options;
    // A spline: its coefficients from the file the job names, the rest of it from the job.
    if (job.splineFile) {
      const { spline } = await readCalibrationFile(job.splineFile);
      if (!spline) throw new Error(`${job.splineFile}: not a spline calibration (HDF5) here`);
      options = { ...options, spline: { ...job.options.spline, psf: spline.psf } };
    }
    const r = resolveLocalizeOptions(options, stack.metadata);
    if (optionsDigest(r) !== job.digest) throw new Error(`the options resolve differently here than on the submitting machine (smlm-stream ${job.software} there): install the same version on every machine`);
    return { options: r, pool: concurrency > 1 ? new LocalizerPool(r, concurrency) : undefined };
  };
  const processJob = async (job: Job): Promise<ChunkResultMessage> => {
    const data = checkChunkJob(job.data);
    if (!(await client.exists(runKey(data.run)))) return { worker: id, skipped: true };
    const stack = await stacks.acquire(stackKey(data), () => openStack(data.input).stack);
    try {
      const resolved = await resolvedRuns.acquire(optionsKey(data), () => resolveFor(data, stack));
      try {
        return await localizeJob(job, data, stack, resolved);
      } finally {
        resolvedRuns.release(optionsKey(data));
      }
    } finally {
      stacks.release(stackKey(data));
    }
  };
  const localizeJob = async (job: Job, data: ChunkJob, stack: Stack, { options, pool }: Resolved): Promise<ChunkResultMessage> => {
    const stats = createLocalizeStats();
    const batches: LocalizationBatch[] = [];
    const chunk = options.chunkFrames;
    let frames: Frame[] = [];
    const pending: Promise<{ batches: LocalizationBatch[]; stats: LocalizeStats }>[] = [];
    const localizer = pool ? undefined : new FrameLocalizer(options);
    const flush = async () => {
      if (frames.length === 0) return;
      if (pool) pending.push(pool.submit(frames));
      else {
        for (const f of frames) batches.push((localizer as FrameLocalizer).process(f));
        await yieldToEvents();
      }
      frames = [];
    };
    const expected = Math.ceil((Math.min(data.end, stack.metadata.frameCount) - data.start) / data.step);
    const add = async (frame: Frame) => {
      if (frames.length > 0 && Math.floor(frame.index / chunk) !== Math.floor(frames[0].index / chunk)) await flush();
      frames.push(frame);
    };
    const { background } = options;
    if (background.method === 'temporal-median') {
      // The job's frames are positions first … of the run; its windows read the halo around them.
      const { runStart = data.start, runEnd = data.end, step } = data;
      const runLength = Math.ceil((Math.min(runEnd, stack.metadata.frameCount) - runStart) / step);
      const first = (data.start - runStart) / step;
      const part = { runLength, first, end: first + expected };
      const halo = TemporalMedian.haloOf(runLength, part.first, part.end, background.windowFrames, background.anchorFrames);
      const median = new TemporalMedian(background.windowFrames, background.anchorFrames, part);
      for await (const frame of stack.frames({ start: runStart + halo.from * step, end: Math.min(runEnd, runStart + halo.to * step), step })) {
        for (const f of median.push(frame)) await add(f);
      }
      for (const f of median.finish()) await add(f);
    } else {
      for await (const frame of stack.frames({ start: data.start, end: data.end, step: data.step })) await add(frame);
    }
    await flush();
    for (const done of await Promise.all(pending)) {
      batches.push(...done.batches);
      addLocalizeStats(stats, done.stats);
    }
    if (localizer) addLocalizeStats(stats, localizer.takeStats());
    if (batches.length !== expected) throw new Error(`${stack.metadata.path}: read ${batches.length} of the ${expected} frames ${data.start + 1}–${data.end}`);
    const key = resultKey(String(job.id));
    await client.set(key, encodeBatches(batches), 'PX', RESULT_TTL_MS);
    return { worker: id, stats, result: key };
  };
  /**
   * A job this worker failed before goes back to the queue, its try not counted, while another
   * live worker could take it: a worker that cannot read a stack does not use up a job's tries
   * that a healthy one would succeed at. Failures are recorded per worker for the submitter.
   */
  const processOrDefer = async (job: Job, token?: string): Promise<ChunkResultMessage> => {
    const key = failuresKey(String(job.id));
    if (job.attemptsMade > 0) {
      const failedBy = await client.hgetall(key);
      if (failedBy[id] !== undefined && (await anotherCanTry(failedBy))) {
        await job.moveToDelayed(Date.now() + DEFER_MS, token);
        throw new DelayedError();
      }
    }
    try {
      return await processJob(job);
    } catch (error) {
      const message = (error as Error).message.split('\n')[0];
      await client.multi().hset(key, id, message).pexpire(key, RESULT_TTL_MS).exec().catch(() => undefined);
      throw error;
    }
  };
  const worker = new Worker(QUEUE_NAME, processOrDefer, {
    connection: bullConnection(address),
    concurrency,
    lockDuration: LOCK_DURATION_MS,
    stalledInterval: STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED,
    autorun: true,
  });
  worker.on('completed', (job: Job, result: ChunkResultMessage) => {
    const seconds = job.finishedOn && job.processedOn ? ` in ${((job.finishedOn - job.processedOn) / 1000).toFixed(2)} s` : '';
    options.onLog?.(`${result.skipped ? 'skipped' : 'done'} frames ${job.data.start + 1}–${job.data.end}${seconds} (run ${String(job.data.run).slice(0, 8)})`);
  });
  worker.on('failed', (job: Job | undefined, error: Error) => {
    if (error instanceof DelayedError || error.name === 'DelayedError') return;
    const left = job && job.attemptsMade < (job.opts.attempts ?? 1) ? '; it goes back to the queue' : '';
    log(`failed${job ? ` frames ${job.data?.start + 1}–${job.data?.end}` : ''}: ${error.message.split('\n')[0]}${left}`);
  });
  // Connection trouble is the watch's to report, once (BullMQ reports each reconnection
  // attempt); anything else once per distinct message.
  let lastError = '';
  worker.on('error', (error: Error & { code?: string }) => {
    if (error.code !== undefined || watch.isLost() || /connect|Connection is closed|MaxRetriesPerRequest/i.test(error.message)) return;
    const line = error.message.split('\n')[0];
    if (line !== lastError) log(`queue: ${line}`);
    lastError = line;
  });
  await worker.waitUntilReady();
  return {
    id,
    concurrency,
    isLost: () => watch.isLost(),
    close: async () => {
      clearInterval(heartbeat);
      // With Redis gone, BullMQ's orderly close would wait for answers that never come.
      await worker.close(watch.isLost());
      watch.stop();
      if (!watch.isLost()) await client.multi().del(workerKey(id)).srem(WORKERS_KEY, id).exec().catch(() => undefined);
      await resolvedRuns.closeAll();
      await stacks.closeAll();
      client.disconnect();
    },
  };
}


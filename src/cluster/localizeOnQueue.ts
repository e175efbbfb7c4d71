import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolve as resolvePath } from 'node:path';
import type { CameraMapFiles } from '../camera/readCameraMaps.js';
import { Queue, QueueEvents } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueError } from '../errors/QueueError.js';
import type { LocalizeOptions, ResolvedLocalizeOptions } from '../pipeline/LocalizeOptions.js';
import type { LocalizeStats } from '../pipeline/LocalizeStats.js';
import { addLocalizeStats } from '../pipeline/LocalizeStats.js';
import { softwareVersion } from '../softwareVersion.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { decodeBatches } from './batchCodec.js';
import { bullConnection } from './connectQueue.js';
import type { ChunkJob, ChunkResultMessage } from './ChunkJob.js';
import { CHUNKS_PER_JOB, failuresKey, JOB_ATTEMPTS, JOB_FORMAT, JOBS_IN_FLIGHT, optionsDigest, outputKey, QUEUE_GRACE_MS, QUEUE_NAME, resultKey, RETRY_DELAY_MS, RUN_TTL_MS, runKey } from './ChunkJob.js';
import { watchConnection } from './watchConnection.js';
import type { QueueAddress } from './parseQueueUrl.js';

/** One submission: the stack, its frames, the options, and where its counters go. */
export interface QueueSubmission {
  readonly address: QueueAddress;
  /** A client connected to it ({@link connectQueue}); the submission disconnects it when done. */
  readonly client: Redis;
  /** The stack as absolute paths, as workers will open it. */
  readonly input: string | readonly string[];
  /** The output's absolute path (a new submission for it supersedes an earlier one). */
  readonly output: string;
  /** Frames start, start + step, … before end (0-based; end at most the stack's frames). */
  readonly start: number;
  readonly end: number;
  readonly step: number;
  /** The options as the user gave them, and as resolved here (workers must agree). */
  readonly options: LocalizeOptions;
  readonly resolved: ResolvedLocalizeOptions;
  /** Counters, added to as chunks arrive. */
  readonly stats: LocalizeStats;
  /** The workers that returned chunks (host:pid), added to as they do. */
  readonly workers: Set<string>;
  /**
   * Stop early: the submission returns at once (the batches of the jobs already taken are all
   * yielded), no further jobs are queued, and the queued ones are withdrawn.
   */
  readonly signal?: AbortSignal;
  /** Called once the last batch of a job has been taken: progress by whole jobs, as they arrive. */
  readonly onJobWritten?: () => void;
}

export { connectQueue } from './connectQueue.js';

/**
 * Localize a stack on the machines that run `smlm-stream worker` against the same queue: its
 * frames are split into jobs of {@link CHUNKS_PER_JOB} chunks ({@link ChunkJob}: paths, a frame
 * range, options — no pixels), at most {@link JOBS_IN_FLIGHT} queued or running at once, and the
 * batches come back (binary, under a key of their own) in frame order as the jobs finish — the same batches as on one machine,
 * because warm starts restart at every chunk. Each result is removed from Redis once read.
 *
 * The submission marks itself alive in Redis (a key renewed while it runs): workers skip the
 * jobs of a submission that is gone (killed, or superseded by a new one for the same output,
 * which also deletes the older one's key), so the next run starts clean; submissions with other
 * outputs share the queue without meeting (jobs and results are keyed by the submission's id).
 * A job a worker fails is tried again ({@link JOB_ATTEMPTS} tries), by another worker when one
 * is alive. Redis unreachable for {@link QUEUE_GRACE_MS} ends the submission with a QueueError;
 * an abort ends it at once: either way the batches already yielded are those of whole jobs, in
 * frame order.
 * @throws QueueError when Redis cannot be reached or is lost, when a job fails every try (each
 *   worker that failed it, host:pid, with its error), or when another submission for the same
 *   output took over
 */
export async function* localizeOnQueue(run: QueueSubmission): AsyncGenerator<LocalizationBatch, void, undefined> {
  const client = run.client;
  const id = randomUUID();
  const connection = bullConnection(run.address);
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  // Every wait below also ends when Redis is lost (QUEUE_GRACE_MS without an answer) or the run
  // is aborted: a submitter never waits on a queue that is gone, nor past a Ctrl-C.
  let loseQueue: (error: QueueError) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => {
    loseQueue = reject;
  });
  lost.catch(() => undefined);
  const watch = watchConnection(client, QUEUE_GRACE_MS, {
    lost: (why) => loseQueue(new QueueError(`lost the queue at ${run.address.display}: no answer for ${QUEUE_GRACE_MS / 1000} s (${why})`)),
  });
  const stopped = new Promise<typeof STOPPED>((resolve) => {
    if (run.signal?.aborted) resolve(STOPPED);
    run.signal?.addEventListener('abort', () => resolve(STOPPED), { once: true });
  });
  const until = <T>(promise: Promise<T>): Promise<T | typeof STOPPED> => Promise.race([promise, lost, stopped]);
  /** A Redis command's answer: its failure (a connection that broke under it) is the queue lost, in one line. */
  const command = async <T>(promise: Promise<T>): Promise<T | typeof STOPPED> => {
    try {
      return await until(promise);
    } catch (error) {
      if (error instanceof QueueError) throw error;
      throw new QueueError(`lost the queue at ${run.address.display}: ${(error as { code?: string }).code ?? 'no answer'}`);
    }
  };
  const heartbeat = setInterval(() => void client.set(runKey(id), '1', 'PX', RUN_TTL_MS).catch(() => undefined), RUN_TTL_MS / 3);
  heartbeat.unref();
  const jobs: { job: Promise<Job>; start: number; end: number }[] = [];
  try {
    if ((await command(client.set(runKey(id), '1', 'PX', RUN_TTL_MS))) === STOPPED) return;
    const previous = await command(client.set(outputKey(run.output), id, 'GET'));
    if (previous === STOPPED) return;
    if (previous) await command(client.del(runKey(previous)));
    queue = new Queue(QUEUE_NAME, { connection });
    events = new QueueEvents(QUEUE_NAME, { connection });
    // Connection trouble is the watch's to report, once: BullMQ's own would print at every retry.
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    if ((await command(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]))) === STOPPED) return;
    const digest = optionsDigest(run.resolved);
    const software = softwareVersion();
    // sCMOS maps travel as their files' absolute paths; each worker reads them.
    const maps = run.resolved.camera.maps as ({ sources?: CameraMapFiles } | undefined);
    if (maps && !maps.sources) throw new QueueError('camera maps given as arrays do not travel over the queue: read them from files (readCameraMaps), so that workers can read the same files');
    const mapFiles = maps?.sources ? absoluteMapFiles(maps.sources) : undefined;
    // A spline's coefficients (millions of numbers) do not go into a job's JSON: its file's absolute
    // path does, and each worker reads it (the rest of the calibration travels in the options).
    const spline = run.resolved.spline;
    if (spline && spline.source === undefined) throw new QueueError('a spline calibration built in memory does not travel over the queue: read it from a file (readCalibrationFile), so that workers can read the same file');
    const splineFile = spline?.source === undefined ? undefined : resolvePath(spline.source);
    let options: LocalizeOptions = mapFiles ? { ...run.options, camera: { ...run.options.camera, maps: undefined } } : run.options;
    if (spline) options = { ...options, spline: { ...spline, psf: undefined } as unknown as LocalizeOptions['spline'] };
    const ranges = jobRanges(run.start, run.end, run.step, run.resolved.chunkFrames * CHUNKS_PER_JOB);
    let next = 0;
    const q = queue;
    const enqueue = () => {
      while (next < ranges.length && jobs.length < JOBS_IN_FLIGHT && !run.signal?.aborted) {
        const [start, end] = ranges[next++];
        // A temporal median needs the run's ends: a job reads the frames its windows need beyond its own.
        const whole = run.resolved.background.method === 'none' ? {} : { runStart: run.start, runEnd: run.end };
        const data: ChunkJob = { format: JOB_FORMAT, run: id, input: run.input, start, end, step: run.step, ...whole, options, ...(mapFiles ? { mapFiles } : {}), ...(splineFile ? { splineFile } : {}), digest, software };
        const job = q.add('chunk', data, {
          jobId: `${id}-${start}`,
          attempts: JOB_ATTEMPTS,
          backoff: { type: 'fixed', delay: RETRY_DELAY_MS },
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 3600 },
        });
        job.catch(() => undefined);
        jobs.push({ job, start, end });
      }
    };
    enqueue();
    while (jobs.length > 0) {
      const head = jobs[0];
      const job = await command(head.job);
      if (job === STOPPED) return;
      let result: ChunkResultMessage | typeof STOPPED;
      try {
        result = (await until(job.waitUntilFinished(events))) as ChunkResultMessage | typeof STOPPED;
      } catch (error) {
        if (error instanceof QueueError) throw error;
        throw new QueueError(await failureMessage(client, String(job.id), head, (error as Error).message));
      }
      if (result === STOPPED) return;
      jobs.shift();
      if (result.skipped) throw new QueueError(`another submission for ${run.output} took over this one`);
      const bytes = result.result?.startsWith(resultKey('')) ? await command(client.getBuffer(result.result)) : null;
      if (bytes === STOPPED) return;
      if (!bytes) throw new QueueError(`the result of frames ${head.start + 1}–${head.end} is missing from the queue`);
      await command(Promise.all([client.del(result.result as string, failuresKey(String(job.id))), job.remove().catch(() => undefined)]));
      run.workers.add(result.worker);
      addLocalizeStats(run.stats, result.stats as LocalizeStats);
      enqueue();
      yield* decodeBatches(bytes);
      run.onJobWritten?.();
    }
  } finally {
    clearInterval(heartbeat);
    watch.stop();
    if (!watch.isLost()) {
      // Workers skip what is left of a submission that is gone; withdraw what has not started.
      // Bounded: Redis may go while this runs.
      const tidy = async () => {
        await client.del(runKey(id)).catch(() => undefined);
        await Promise.all(jobs.map(async ({ job }) => (await job.catch(() => undefined))?.remove().catch(() => undefined)));
        if ((await client.get(outputKey(run.output)).catch(() => null)) === id) await client.del(outputKey(run.output)).catch(() => undefined);
        await Promise.all([queue?.close(), events?.close()]);
      };
      await Promise.race([tidy(), sleep(QUEUE_GRACE_MS, undefined, { ref: false })]);
    }
    // Whatever is left (a Redis gone: no quit is ever answered) is cut.
    // (Not waited for: ioredis says nothing more of a socket that is already closed.)
    void queue?.disconnect().catch(() => undefined);
    void events?.disconnect().catch(() => undefined);
    client.disconnect();
  }
}

/** What a wait returns once the run is aborted. */
const STOPPED = Symbol('stopped');

/**
 * The message of a job that failed its last try: each worker that failed it (host:pid) with its
 * error, from the job's failures hash; BullMQ's own reason when the hash is gone.
 */
async function failureMessage(client: Redis, jobId: string, range: { start: number; end: number }, reason: string): Promise<string> {
  const failures = await Promise.race([client.hgetall(failuresKey(jobId)), sleep(QUEUE_GRACE_MS, undefined, { ref: false }).then(() => ({}))]).catch(() => ({}));
  await client.del(failuresKey(jobId)).catch(() => undefined);
  const entries = Object.entries(failures as Record<string, string>);
  const frames = `frames ${range.start + 1}–${range.end}`;
  if (entries.length === 0) return `a worker failed on ${frames}: ${reason}`;
  const who = entries.map(([worker, message]) => `worker ${worker}: ${message}`).join('; ');
  return `${frames} failed on every worker that tried them (${JOB_ATTEMPTS} tries): ${who}`;
}

/** Map files with absolute paths (workers resolve nothing against their own directories). */
function absoluteMapFiles(files: CameraMapFiles): CameraMapFiles {
  const abs = (p: string | undefined) => (p === undefined ? undefined : resolvePath(p));
  return { ...files, offset: abs(files.offset), variance: abs(files.variance), gain: abs(files.gain) };
}

/**
 * Frame ranges [start, end) of the jobs: cut at the multiples of `framesPerJob` (whole chunks,
 * so warm starts restart where they do on one machine), each starting on a frame of the run.
 */
export function jobRanges(start: number, end: number, step: number, framesPerJob: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let lo = Math.floor(start / framesPerJob) * framesPerJob; lo < end; lo += framesPerJob) {
    const from = Math.max(start, lo);
    const first = start + Math.ceil((from - start) / step) * step;
    const to = Math.min(end, lo + framesPerJob);
    if (first < to) ranges.push([first, to]);
  }
  return ranges;
}

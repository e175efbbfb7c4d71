import { createHash } from 'node:crypto';
import type { CameraMapFiles } from '../camera/readCameraMaps.js';
import type { LocalizeOptions, ResolvedLocalizeOptions } from '../pipeline/LocalizeOptions.js';

/**
 * A chunk job on the queue: which frames of which stack to localize, with what options. It is
 * data, never code: plain JSON, checked by {@link checkChunkJob} before a worker uses it, the
 * options resolved by the worker itself (the same checks as the user's own) and compared with
 * the submitter's by digest. It carries no pixels: a worker reads the frames from storage it
 * shares with the submitter.
 */
export interface ChunkJob {
  /** The job format ({@link JOB_FORMAT}). */
  readonly format: number;
  /** The submission this job belongs to (a random UUID). */
  readonly run: string;
  /** The stack, as absolute paths (a file, a folder, or a list of files as one stack). */
  readonly input: string | readonly string[];
  /** Frames `start`, `start + step`, … before `end`, 0-based. */
  readonly start: number;
  readonly end: number;
  readonly step: number;
  /**
   * The whole run's frames, `runStart`, `runStart + step`, … before `runEnd`: given with a
   * temporal-median background, whose windows at the job's ends reach into the frames of its
   * neighbours (the job reads them, and emits its own).
   */
  readonly runStart?: number;
  readonly runEnd?: number;
  /** The options as the user gave them (JSON). */
  readonly options: LocalizeOptions;
  /** The camera's map files (absolute paths) when the run has sCMOS maps: the worker reads them. */
  readonly mapFiles?: CameraMapFiles;
  /**
   * The spline calibration's file (an absolute path) when the run fits through a measured PSF:
   * the worker reads its coefficients from it (the job's `options.spline` carries everything else).
   */
  readonly splineFile?: string;
  /** SHA-256 of the submitter's resolved options: the worker's must be the same. */
  readonly digest: string;
  /** The submitter's software version. */
  readonly software: string;
}

/**
 * What a worker returns for a job: small JSON (BullMQ also copies it into its event stream); the
 * batches themselves lie binary under their own key.
 */
export interface ChunkResultMessage {
  /** The worker: host:pid. */
  readonly worker: string;
  /** Set when the job's submission was gone (cancelled or superseded) and nothing was done. */
  readonly skipped?: boolean;
  /** The chunk's counters (LocalizeStats, JSON). */
  readonly stats?: unknown;
  /** The Redis key holding the chunk's batches, binary (encodeBatches); read and deleted by the submitter. */
  readonly result?: string;
}

/** The version of {@link ChunkJob}'s layout. */
export const JOB_FORMAT = 1;
/** The BullMQ queue every worker takes chunk jobs from. */
export const QUEUE_NAME = 'smlm-stream';
/** Frames' chunks (of `chunkFrames`) per job: 16 × 64 = 1 024 frames, ~0.5–1 s of work. */
export const CHUNKS_PER_JOB = 16;
/** Jobs a submission keeps queued or running at once (results are fetched and removed in order). */
export const JOBS_IN_FLIGHT = 32;
/**
 * BullMQ's lock on a running job, ms: a worker renews it every half of this; a worker killed
 * mid-job loses it, and the next stalled-job check ({@link STALLED_INTERVAL_MS}) puts the job
 * back in the queue for another worker: seconds, not BullMQ's default half minute.
 */
export const LOCK_DURATION_MS = 4000;
export const STALLED_INTERVAL_MS = 2000;
/** A job may be put back this many times after its worker died before it fails. */
export const MAX_STALLED = 5;
/** A submission marks itself alive in Redis for this long, renewed every third of it. */
export const RUN_TTL_MS = 15000;

/** How long a chunk's result waits for its submitter, ms. */
export const RESULT_TTL_MS = 3_600_000;
/**
 * How long Redis may be unreachable before it counts as lost, ms: a submitter then stops (the
 * rows of the jobs it has kept, the sidecar incomplete), a worker says so once and keeps trying.
 * A Redis restarted within this goes unnoticed.
 */
export const QUEUE_GRACE_MS = 5000;
/**
 * Tries of a job before the run fails: a job a worker fails goes back to the queue for another
 * worker (a worker that failed it leaves it to any other live worker that has not).
 */
export const JOB_ATTEMPTS = 3;
/** Wait before a failed job is offered again, ms. */
export const RETRY_DELAY_MS = 500;
/** How long a worker that failed a job puts it aside when it takes it again while another worker could try it, ms. */
export const DEFER_MS = 300;
/** A worker marks itself alive in Redis for this long, renewed every third of it. */
export const WORKER_TTL_MS = 6000;
/** The Redis set of the workers that have marked themselves alive (each also has {@link workerKey}). */
export const WORKERS_KEY = `${QUEUE_NAME}:workers`;

/** The Redis key of a job's result. */
export function resultKey(jobId: string): string {
  return `${QUEUE_NAME}:result:${jobId}`;
}

/** The Redis hash of the workers (host:pid) that failed a job, each with its error. */
export function failuresKey(jobId: string): string {
  return `${QUEUE_NAME}:failures:${jobId}`;
}

/** The Redis key that says a worker is alive (it expires when the worker is gone). */
export function workerKey(worker: string): string {
  return `${QUEUE_NAME}:worker:${worker}`;
}

/** The Redis key that says a submission is alive (workers skip the jobs of one that is gone). */
export function runKey(run: string): string {
  return `${QUEUE_NAME}:run:${run}`;
}

/** The Redis key holding the submission that writes an output (so a new one supersedes it). */
export function outputKey(output: string): string {
  return `${QUEUE_NAME}:output:${createHash('sha256').update(output).digest('hex')}`;
}

/**
 * The digest of resolved options that a worker's must equal: their JSON, with every typed array
 * (a camera map, a spline's coefficients) replaced by the SHA-256 of its bytes, every object's
 * keys sorted, and the maps' file names left out (the same maps, wherever they were read from).
 */
export function optionsDigest(options: ResolvedLocalizeOptions): string {
  const json = JSON.stringify(options, (key, value: unknown) => {
    if (key === 'sources') return undefined;
    if (ArrayBuffer.isView(value)) return `sha256:${createHash('sha256').update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)).digest('hex')}`;
    // Keys in sorted order: the same options, however their objects were put together.
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return value;
  });
  return createHash('sha256').update(json).digest('hex');
}

/**
 * Check that `data` is a {@link ChunkJob}, field by field (a job is data from the network).
 * @throws Error naming the first field that is wrong
 */
export function checkChunkJob(data: unknown): ChunkJob {
  const bad = (what: string): never => {
    throw new Error(`not a chunk job of this version: ${what}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad('not an object');
  const d = data as Record<string, unknown>;
  if (d.format !== JOB_FORMAT) bad(`format ${String(d.format)}, expected ${JOB_FORMAT}`);
  if (typeof d.run !== 'string' || !/^[0-9a-f-]{36}$/.test(d.run)) bad('run');
  const input = d.input;
  const isPath = (p: unknown) => typeof p === 'string' && p.startsWith('/') && !p.includes('\0');
  if (!(isPath(input) || (Array.isArray(input) && input.length > 0 && input.every(isPath)))) bad('input (absolute paths)');
  for (const key of ['start', 'end', 'step'] as const) if (!(Number.isInteger(d[key]) && (d[key] as number) >= (key === 'step' ? 1 : 0))) bad(key);
  if ((d.end as number) <= (d.start as number)) bad('an empty frame range');
  if (d.runStart !== undefined || d.runEnd !== undefined) {
    for (const key of ['runStart', 'runEnd'] as const) if (!(Number.isInteger(d[key]) && (d[key] as number) >= 0)) bad(key);
    const [rs, re, s0, e0, st] = [d.runStart, d.runEnd, d.start, d.end, d.step] as number[];
    if (!(rs <= s0 && e0 <= re && (s0 - rs) % st === 0)) bad('runStart…runEnd (the run holds the job, on its step)');
  }
  if (typeof d.options !== 'object' || d.options === null || Array.isArray(d.options)) bad('options');
  if (typeof d.digest !== 'string' || !/^[0-9a-f]{64}$/.test(d.digest)) bad('digest');
  if (d.mapFiles !== undefined) {
    const m = d.mapFiles as Record<string, unknown>;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) bad('mapFiles');
    for (const key of Object.keys(m)) if (!['offset', 'variance', 'gain', 'origin'].includes(key)) bad(`mapFiles.${key}`);
    for (const key of ['offset', 'variance', 'gain'] as const) if (m[key] !== undefined && !isPath(m[key])) bad(`mapFiles.${key} (an absolute path)`);
    const o = m.origin;
    if (o !== undefined && !(Array.isArray(o) && o.length === 2 && o.every((v) => Number.isInteger(v) && v >= 0))) bad('mapFiles.origin');
  }
  if (d.splineFile !== undefined && !isPath(d.splineFile)) bad('splineFile (an absolute path)');
  if (typeof d.software !== 'string') bad('software');
  return d as unknown as ChunkJob;
}

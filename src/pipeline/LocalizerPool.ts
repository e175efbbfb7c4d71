import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { Frame } from '../io/Frame.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import type { ResolvedLocalizeOptions } from './LocalizeOptions.js';
import type { LocalizeStats } from './LocalizeStats.js';
import { FrameSlots } from './FrameSlots.js';
import type { WorkerRequest } from './localizeWorker.js';
import type { BackgroundFrame } from './TemporalMedian.js';
import { workerModule } from './workerModule.js';

/** A chunk's results from a worker. */
export interface ChunkResult {
  batches: LocalizationBatch[];
  stats: LocalizeStats;
  /** The chunk's pixel buffers, transferred back (for reuse by the reader); none when its frames were in shared slots. */
  buffers: ArrayBuffer[];
  /** The chunk's frames whose pixels lie in shared slots (to give back: {@link FrameSlots.release}). */
  shared: Frame[];
  /** The chunk's background arrays' buffers, transferred back (for reuse by the temporal median). */
  backgrounds: ArrayBuffer[];
}

interface Pending {
  resolve: (result: ChunkResult) => void;
  reject: (error: Error) => void;
  worker: number;
  /** The chunk's pixel and background bytes. */
  bytes: number;
  /** The chunk's frames in shared slots. */
  shared: Frame[];
}

/**
 * Each worker's young generation (V8's nursery of short-lived objects), MB: V8 counts three
 * semi-space sizes in it (two semi-spaces of 2 MB and the new large-object space); the old
 * generation and the stack keep their defaults, and typed arrays' pixels live outside the heap.
 * V8's default lets a nursery grow to 16 MB semi-spaces
 * where objects are made fast, as a worker's per-spot arrays and batches are, and each page of
 * it is touched (a page fault each, costly on this project's virtual machines). Measured, 256²
 * × 3 000 frames, 2 workers, three interleaved runs each (load 13–15): peak RSS 212–219 → 198–202
 * MB, minor page faults 54–60 k → 50–53 k, CPU (user + system) 6.44–6.52 → 6.35–6.45 s, the
 * workers' own CPU unchanged (1.2–1.4 s each); the same limit on every thread
 * (`--max-semi-space-size=2`) gave 176–186 MB. On 10 000 frames (two runs each, load 9–10) the
 * peak is the main thread's: 220–222 against 222–226 MB, CPU within the machine's noise.
 */
export const WORKER_YOUNG_GENERATION_MB = 6;

/**
 * What a pool did, for the caller to check (tests, benchmarks): how the chunks spread over the
 * workers and the most bytes of frames (pixels and backgrounds) handed to workers and not yet back.
 */
export interface PoolCounters {
  /** Chunks submitted to each worker. */
  chunksPerWorker: number[];
  /** Most bytes of frames (pixels and backgrounds) in the workers at once. */
  peakBytesInFlight: number;
}

/**
 * A pool of worker threads, each running a FrameLocalizer (localizeWorker.ts, compiled).
 * Chunks of consecutive frames go to the least busy worker: frames in shared slots
 * ({@link FrameSlots}) by number, others with their pixel buffers transferred (not copied);
 * results come back with their arrays transferred, and so do transferred pixel buffers.
 * The caller keeps the order and bounds the frames in flight (see {@link localizeStream}).
 */
export class LocalizerPool {
  /** Number of workers. */
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly busy: number[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private bytesInFlight = 0;
  /** The pool's counters (updated as chunks go and come back). */
  readonly counters: PoolCounters;
  /** The shared slots frames cross in (see {@link submit}). */
  readonly slots: FrameSlots;

  /** Whether the workers have their options (see {@link init}). */
  private initialized = false;

  /**
   * Start `size` workers for `options`; without options, the workers start loading their code
   * at once (~0.15–0.2 s of CPU each) while the caller settles the options, then {@link init}.
   * @param options - resolved pipeline options (sent to every worker) @default given later to {@link init}
   * @param size - number of workers, ≥ 1
   */
  constructor(options: ResolvedLocalizeOptions | undefined, size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new InvalidOptionError(`workers must be a whole number ≥ 1, got ${size}`, 'workers');
    this.size = size;
    this.busy = new Array<number>(size).fill(0);
    this.counters = { chunksPerWorker: new Array<number>(size).fill(0), peakBytesInFlight: 0 };
    this.slots = new FrameSlots(size);
    for (let w = 0; w < size; w++) this.workers.push(this.startWorker());
    if (options) this.init(options);
  }

  /**
   * Give the workers their options (each makes its FrameLocalizer): once, before the first
   * {@link submit}.
   * @throws Error when the workers have their options already
   */
  init(options: ResolvedLocalizeOptions): void {
    if (this.initialized) throw new Error('LocalizerPool: the workers have their options already');
    this.initialized = true;
    const init: WorkerRequest = { type: 'init', options };
    for (const worker of this.workers) worker.postMessage(init);
  }

  private startWorker(): Worker {
    // The compiled package starts workers from the worker bundle (test/build/bundleWorker.mjs:
    // one module with its packages, 0.2-0.3 s of CPU for two against 0.5-0.9 s for the compiled
    // modules one by one, which a build without the bundle still uses). Run from the TypeScript
    // sources (tests, development), a worker loads them through tsx like its parent (~0.5 s).
    const fromSources = import.meta.url.endsWith('.ts');
    const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
    let worker: Worker;
    if (fromSources) {
      // A worker's --import hooks come too late for its entry module: register tsx first, then
      // import the module.
      const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
      const entry = JSON.stringify(new URL('./localizeWorker.ts', import.meta.url).href);
      worker = new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); })`, { eval: true, resourceLimits });
    } else {
      worker = new Worker(compiledWorker(), { resourceLimits });
    }
    worker.on('message', (message: { type: string; id: number; batches?: LocalizationBatch[]; stats?: LocalizeStats; buffers?: ArrayBuffer[]; backgrounds?: ArrayBuffer[]; message?: string }) => {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      this.busy[p.worker]--;
      this.bytesInFlight -= p.bytes;
      if (message.type === 'done') p.resolve({ batches: message.batches ?? [], stats: message.stats as LocalizeStats, buffers: message.buffers ?? [], shared: p.shared, backgrounds: message.backgrounds ?? [] });
      else p.reject(new Error(message.message));
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`localizer worker stopped with exit code ${code}`));
    });
    return worker;
  }

  /**
   * Localize a chunk of consecutive frames on the least busy worker. Frames whose pixels lie in
   * shared slots ({@link FrameSlots.share}, every frame of the chunk) cross by number, the caller
   * keeping them until the result comes back (then {@link FrameSlots.release}); otherwise the
   * pixel buffers are transferred. Backgrounds are transferred: the caller must not use
   * transferred buffers afterwards.
   * @param frames - consecutive frames of one chunk
   */
  submit(frames: Frame[]): Promise<ChunkResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.initialized) return Promise.reject(new Error('LocalizerPool: a chunk before the options (init)'));
    let w = 0;
    for (let k = 1; k < this.size; k++) if (this.busy[k] < this.busy[w]) w = k;
    const id = this.nextId++;
    this.busy[w]++;
    this.counters.chunksPerWorker[w]++;
    const shared = frames.length > 0 && frames.every((f) => FrameSlots.shared(f));
    const backgrounds = frames.flatMap((f) => ((f as BackgroundFrame).background ? [(f as BackgroundFrame).background?.buffer as ArrayBuffer] : []));
    const request: WorkerRequest = shared ? { type: 'chunk', id, slots: this.slots.encode(frames, w) } : { type: 'chunk', id, frames };
    const transfer = shared ? backgrounds : [...frames.map((f) => f.data.buffer as ArrayBuffer), ...backgrounds];
    const bytes = frames.reduce((sum, f) => sum + f.data.byteLength + ((f as BackgroundFrame).background?.byteLength ?? 0), 0);
    this.bytesInFlight += bytes;
    this.counters.peakBytesInFlight = Math.max(this.counters.peakBytesInFlight, this.bytesInFlight);
    return new Promise<ChunkResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w, bytes, shared: shared ? frames : [] });
      this.workers[w].postMessage(request, transfer);
    });
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(error);
    }
  }
}

let chosenWorker: URL | undefined;

/**
 * The compiled worker module: the bundle when its manifest says it was made from the compiled
 * files there now ({@link workerModule}), else the compiled module. Checked once a process.
 */
function compiledWorker(): URL {
  chosenWorker ??= pathToFileURL(workerModule(dirname(fileURLToPath(import.meta.url))));
  return chosenWorker;
}

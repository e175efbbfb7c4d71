import { localizeStack } from '../../../pipelines/localizeStack.js';
import type { LocalizeStackSummary } from '../../../pipelines/LocalizeStackRun.js';
import type { RunStatus } from '../protocol.js';
import { VIEW_EVENTS } from '../protocol.js';
import type { EventHub } from './EventHub.js';
import { HttpError } from './HttpError.js';
import type { ParsedLocalize } from './LocalizeFlags.js';
import type { LocRecords } from './LocRecords.js';

/** The least time between two progress events, ms (a run of 10⁴ frames would send 10⁴ otherwise). */
export const PROGRESS_EVERY_MS = 100;

/** The longest a run holds the server's thread between two looks at its requests, ms. */
export const YIELD_EVERY_MS = 20;

/** What a run is given: the stack, the CSV (localize's default path), the parsed flags, follow mode. */
export interface RunPlan {
  /** The stack's path (absolute). */
  readonly input: string;
  /** The CSV, where `localize` would write it. */
  readonly output: string;
  /** The CSV's path as the page shows it (relative to the root). */
  readonly shownOutput: string;
  readonly parsed: ParsedLocalize;
  /** Follow the stack as it grows (`--follow`, or the page's flags). */
  readonly follow: boolean;
}

/**
 * The run of `smlm-stream view`: the whole stack through `localizeStack`, the pipeline
 * `localize` runs (its workers, CSV, sidecar, follow mode), its batches into the page's records,
 * its progress, end, cancellation and errors as events. One at a time.
 */
export class ViewRun {
  private status: RunStatus = { state: 'idle', runId: null, framesDone: 0, framesTotal: 0, localizations: 0, csvPath: null };
  private stop: AbortController | undefined;
  private running: Promise<void> | undefined;
  private lastId = 0;
  /** The CSV of the last run that wrote one (for export), absolute. */
  csv: string | undefined;

  /**
   * @param hub - where the events go
   * @param records - where the localizations go (cleared at each start)
   * @param describe - an error in the CLI's words
   */
  constructor(
    private readonly hub: EventHub,
    private readonly records: LocRecords,
    private readonly describe: (error: unknown) => string,
  ) {}

  /** The run's state now. */
  get state(): RunStatus {
    return { ...this.status, localizations: this.status.state === 'idle' ? 0 : this.records.count };
  }

  /** Whether a run is going. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Start a run; its end is told by events (done, cancelled, error).
   * @param plan - what to run
   * @param framesTotal - frames the run will read (0 when unknown: follow mode)
   * @throws HttpError 409 while a run is going
   */
  start(plan: RunPlan, framesTotal: number): { runId: number; csvPath: string } {
    if (this.running) throw new HttpError(409, 'a run is going: cancel it first');
    const runId = ++this.lastId;
    const stop = new AbortController();
    this.stop = stop;
    this.records.clear();
    this.csv = undefined;
    this.status = { state: 'running', runId, framesDone: 0, framesTotal, localizations: 0, csvPath: plan.shownOutput };
    const { parsed } = plan;
    let lastSent = 0;
    let lastYield = performance.now();
    const t0 = performance.now();
    const progress = (force: boolean) => {
      const now = performance.now();
      if (!force && now - lastSent < PROGRESS_EVERY_MS) return;
      lastSent = now;
      const { framesDone, framesTotal: total } = this.status;
      this.hub.send(VIEW_EVENTS.progress, { runId, framesDone, framesTotal: total, localizations: this.records.count });
    };
    const work = localizeStack({
      input: plan.input,
      output: plan.output,
      inputs: parsed.inputs,
      options: parsed.options,
      frames: { ...parsed.frames, follow: plan.follow },
      includeAllFits: parsed.includeAllFits,
      workers: parsed.workers,
      signal: stop.signal,
      onBatch: (batch) => {
        this.records.addBatch(batch, parsed.includeAllFits);
        // A run on this thread (one worker: short stacks, follow mode) would hold the event loop
        // until it ends: it lets the requests and the event streams through every few ms.
        const now = performance.now();
        if (now - lastYield < YIELD_EVERY_MS) return undefined;
        lastYield = now;
        return new Promise<void>((resolve) => setImmediate(resolve));
      },
      onProgress: (p) => {
        this.status = { ...this.status, framesDone: p.frames, framesTotal: p.total ?? Math.max(this.status.framesTotal, p.frames) };
        progress(false);
      },
      onWarning: (message) => this.hub.send('warning', { runId, message }),
      onNotice: (message) => this.hub.send('notice', { runId, message }),
    });
    this.running = work.then(
      (summary) => this.finish(runId, summary, (performance.now() - t0) / 1000, progress),
      (error: unknown) => {
        const partial = (error as { summary?: LocalizeStackSummary }).summary;
        const message = this.describe(error);
        this.status = { ...this.status, state: 'error', message, framesDone: partial?.frames ?? this.status.framesDone };
        if (partial?.output) this.csv = partial.output;
        this.hub.send(VIEW_EVENTS.error, { runId, message });
      },
    ).finally(() => {
      this.running = undefined;
      this.stop = undefined;
    });
    return { runId, csvPath: plan.shownOutput };
  }

  /** Cancel the run going (its rows so far kept, as Ctrl-C keeps them in `localize`). */
  cancel(reason = 'cancelled from the page'): boolean {
    if (!this.stop || this.stop.signal.aborted) return false;
    this.stop.abort(new Error(reason));
    return true;
  }

  /** Cancel the run going, if any, and wait for it to end (its CSV and sidecar written). */
  async close(): Promise<void> {
    this.cancel('the server stopped');
    await this.running;
  }

  private finish(runId: number, summary: LocalizeStackSummary, elapsedS: number, progress: (force: boolean) => void): void {
    this.csv = summary.output;
    this.status = { ...this.status, framesDone: summary.frames, localizations: this.records.count };
    progress(true);
    if (summary.stopReason !== undefined) {
      this.status = { ...this.status, state: 'cancelled', message: summary.stopReason };
      this.hub.send(VIEW_EVENTS.cancelled, { runId });
      return;
    }
    this.status = { ...this.status, state: 'done', framesTotal: summary.frames };
    this.hub.send(VIEW_EVENTS.done, { runId, csvPath: this.status.csvPath, localizations: this.records.count, elapsedS });
  }
}

import { LOC_RECORD_LENGTH } from '../protocol.js';
import { isAbort, messageOf } from './FramePanel.js';
import type { ViewApi } from './ViewApi.js';

/** pullUntil's patience: empty pulls, and the wait after each, ms (the server stores the last batch before it says "done"). */
const PULL_UNTIL_TRIES = 10;
const PULL_UNTIL_WAIT_MS = 100;

/** Where the localizations go as they arrive (the reconstruction). */
export interface LocSink {
  /** Forgets every localization (a new run, another file). */
  clear(): void;
  /** Adds records, LOC_RECORD_FIELDS floats each. */
  append(records: Float32Array): void;
}

/**
 * The localizations of the server, fetched in order (GET /api/locs?from=K, K = those the page
 * has): one request at a time; a pull asked while one runs is done right after it, so none is lost.
 */
export class LocStream {
  private loaded = 0;
  private running: Promise<void> | undefined;
  private again = false;
  /** Bumped by restart(): an answer for an older run is dropped. */
  private generation = 0;

  constructor(
    private readonly api: ViewApi,
    private readonly sink: LocSink,
    private readonly onCount: (loaded: number) => void,
  ) {}

  /** The localizations on the page. */
  get count(): number {
    return this.loaded;
  }

  /** Starts from none (a new run or file): the sink is cleared. */
  restart(): void {
    this.generation++;
    this.loaded = 0;
    this.sink.clear();
    this.onCount(0);
  }

  /** Fetches the localizations the page lacks (after the one in flight, when there is one). */
  pull(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Pulls until the page has `total` localizations (the server said so); gives up after a few empty pulls. */
  async pullUntil(total: number): Promise<void> {
    for (let empty = 0; this.loaded < total && empty < PULL_UNTIL_TRIES; ) {
      const before = this.loaded;
      await this.pull();
      if (this.loaded === before) {
        empty++;
        await new Promise((resolve) => setTimeout(resolve, PULL_UNTIL_WAIT_MS));
      }
    }
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const generation = this.generation;
      try {
        const chunk = await this.api.locs(this.loaded);
        if (generation !== this.generation) continue;
        const count = Math.floor(chunk.records.length / LOC_RECORD_LENGTH);
        if (count > 0) {
          this.sink.append(chunk.records.subarray(0, count * LOC_RECORD_LENGTH));
          this.loaded += count;
          this.onCount(this.loaded);
        }
        if (this.loaded < chunk.total) this.again = true;
      } catch (error) {
        if (!isAbort(error)) console.warn(`localizations: ${messageOf(error)}`);
        return;
      }
    } while (this.again);
  }
}

import type { Progress } from '../../pipelines/LocalizeStackRun.js';

/** Options of {@link ProgressReporter}. */
export interface ProgressOptions {
  /** Seconds between plain lines when the stream is not a terminal. @default 10 */
  intervalSeconds?: number;
  /** What the count after the rate is of. @default 'localizations' */
  unit?: string;
  /** Seconds of recent progress the rate (and so the ETA) is measured over. @default 10 */
  rateWindowSeconds?: number;
}

/** Widest progress bar, characters; narrower terminals get a shorter one, or none. */
const BAR_WIDTH = 24;
/** Narrowest bar shown: 5 characters still show the run in fifths. */
const MIN_BAR_WIDTH = 5;

/**
 * Shows a run's progress on stderr: a bar redrawn in place (at most 10 times a second) and
 * fitted to the terminal's width when stderr is a terminal; a plain line every
 * `intervalSeconds` when it is not (log files, CI). The rate and the ETA come from the last
 * `rateWindowSeconds` of progress, not from the start, so they follow a run that speeds up or
 * slows down (the page cache filling, another job starting).
 */
export class ProgressReporter {
  private lastDraw = 0;
  private drawn = false;
  private readonly stream: NodeJS.WriteStream;
  private readonly intervalSeconds: number;
  private readonly unit: string;
  private readonly window: number;
  /** Recent (seconds, frames) samples, oldest first, at least 0.25 s apart. */
  private readonly samples: { seconds: number; frames: number }[] = [];

  /**
   * @param stream - where to write (process.stderr)
   * @param options - interval, unit, rate window
   */
  constructor(stream: NodeJS.WriteStream, options: ProgressOptions = {}) {
    this.stream = stream;
    this.intervalSeconds = options.intervalSeconds ?? 10;
    this.unit = options.unit ?? 'localizations';
    this.window = options.rateWindowSeconds ?? 10;
  }

  /** Report progress (cheap to call after every frame). */
  update(p: Progress): void {
    const now = p.seconds;
    const last = this.samples[this.samples.length - 1];
    if (!last || now - last.seconds >= 0.25) this.samples.push({ seconds: now, frames: p.frames });
    while (this.samples.length > 2 && now - this.samples[1].seconds >= this.window) this.samples.shift();
    if (this.stream.isTTY === true) {
      if (now - this.lastDraw < 0.1 && p.frames !== p.total) return;
      this.lastDraw = now;
      this.drawn = true;
      this.stream.write(`\r${this.line(p, this.stream.columns)}\x1b[K`);
    } else if (now - this.lastDraw >= this.intervalSeconds) {
      this.lastDraw = now;
      this.stream.write(`${this.line(p, undefined)}\n`);
    }
  }

  /** End the bar's line (call before printing anything else). */
  done(): void {
    if (this.stream.isTTY === true && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  /** Frames per second over the recent window (from the start until a window has passed). */
  private rate(p: Progress): number {
    const first = this.samples[0];
    if (first && p.seconds - first.seconds >= 0.5) return (p.frames - first.frames) / (p.seconds - first.seconds);
    return p.seconds > 0 ? p.frames / p.seconds : 0;
  }

  /**
   * The progress line; with `columns` (a terminal), a bar and at most `columns − 1` characters.
   * On a narrow terminal the parts that matter least go first (the workers, "frame N", the
   * count, the rate), so that a bar of at least {@link MIN_BAR_WIDTH} and the whole ETA stay.
   */
  private line(p: Progress, columns: number | undefined): string {
    const rate = this.rate(p);
    const frame = p.total === undefined ? `frame ${p.frame}` : `frame ${p.frame} (${p.frames}/${p.total})`;
    const done = p.total === undefined ? `frame ${p.frame}` : `${p.frames}/${p.total}`;
    // No ETA in the first second: the rate is not known yet (workers are still starting).
    const eta = p.total !== undefined && rate > 0 && p.seconds >= 1 ? `ETA ${formatDuration((p.total - p.frames) / rate)}` : '';
    const speed = `${Math.round(rate)} frames/s`;
    const count = `${p.localizations.toLocaleString('en-US')} ${this.unit}`;
    const workers = p.workers === undefined ? '' : `${p.workers} worker${p.workers === 1 ? '' : 's'} seen`;
    const variants = [
      [frame, speed, count, workers, eta],
      [frame, speed, count, eta],
      [done, speed, count, eta],
      [done, speed, eta],
      [done, eta],
      [eta || done],
    ].map((parts) => parts.filter((part) => part !== '').join('  '));
    if (columns === undefined) return variants[0];
    const room = columns - 1;
    if (p.total) {
      for (const text of variants) {
        const width = Math.min(BAR_WIDTH, room - text.length - 3);
        if (width < MIN_BAR_WIDTH) continue;
        const filled = Math.round((width * p.frames) / p.total);
        return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
      }
    }
    const text = variants.find((v) => v.length <= room) ?? variants[variants.length - 1];
    return text.length > room ? text.slice(0, Math.max(0, room)) : text;
  }
}

/** 75 → "1:15", 3700 → "1:01:40". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const pad = (v: number) => String(v).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}

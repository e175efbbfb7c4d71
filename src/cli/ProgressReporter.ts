import type { Progress } from '../../pipelines/localizeStack.js';

/**
 * Shows a run's progress on stderr: a bar redrawn in place (at most 10 times a second) when
 * stderr is a terminal; a plain line every `intervalSeconds` when it is not (log files, CI).
 */
export class ProgressReporter {
  private lastDraw = 0;
  private drawn = false;
  private readonly tty: boolean;
  private readonly write: (text: string) => void;
  private readonly intervalSeconds: number;

  /**
   * @param stream - where to write (process.stderr)
   * @param intervalSeconds - seconds between plain lines when not a terminal @default 10
   */
  constructor(stream: NodeJS.WriteStream, intervalSeconds = 10) {
    this.tty = stream.isTTY === true;
    this.write = (text) => stream.write(text);
    this.intervalSeconds = intervalSeconds;
  }

  /** Report progress (cheap to call after every frame). */
  update(p: Progress): void {
    const now = p.seconds;
    if (this.tty) {
      if (now - this.lastDraw < 0.1 && p.frames !== p.total) return;
      this.lastDraw = now;
      this.drawn = true;
      this.write(`\r${this.line(p, true)}\x1b[K`);
    } else if (now - this.lastDraw >= this.intervalSeconds) {
      this.lastDraw = now;
      this.write(`${this.line(p, false)}\n`);
    }
  }

  /** End the bar's line (call before printing anything else). */
  done(): void {
    if (this.tty && this.drawn) this.write('\n');
    this.drawn = false;
  }

  private line(p: Progress, bar: boolean): string {
    const rate = p.seconds > 0 ? p.frames / p.seconds : 0;
    const count = p.total === undefined ? `frame ${p.frame}` : `frame ${p.frame} (${p.frames}/${p.total})`;
    let eta = '';
    // No ETA in the first second: the rate is not known yet (workers are still starting).
    if (p.total !== undefined && rate > 0 && p.seconds >= 1) eta = `  ETA ${formatDuration((p.total - p.frames) / rate)}`;
    let graphic = '';
    if (bar && p.total) {
      const width = 24;
      const filled = Math.round((width * p.frames) / p.total);
      graphic = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
    }
    return `${graphic}${count}  ${Math.round(rate)} frames/s  ${p.localizations.toLocaleString('en-US')} localizations${eta}`;
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

import type { CancelledEvent, DoneEvent, ErrorEvent, FlagValues, NoteEvent, ProgressEvent, RunStatus } from '../protocol.js';
import { el, formatCount } from './dom.js';
import { messageOf } from './FramePanel.js';
import { LocStream } from './LocStream.js';
import type { LocSink } from './LocStream.js';
import type { ViewApi } from './ViewApi.js';

/** While a run goes, the localizations are also fetched this often between progress events, ms. */
export const LOCS_POLL_MS = 500;

/**
 * The run controls: `run-button` localizes the opened stack with the panel's flags (POST
 * /api/run), `cancel-button` stops it, `run-progress` and `run-status` follow the server's events,
 * and `localization-count` counts the localizations the page has received (GET /api/locs), which
 * go to the reconstruction as they arrive. "done" is said once the last of them is on the page.
 */
export class RunPanel {
  readonly element: HTMLElement;
  private readonly runButton = el('button', { type: 'button', testid: 'run-button', class: 'primary', disabled: true }, 'Run');
  private readonly cancelButton = el('button', { type: 'button', testid: 'cancel-button', disabled: true }, 'Cancel');
  private readonly progress = el('progress', { testid: 'run-progress', max: 1, value: 0 });
  private readonly status = el('p', { testid: 'run-status', class: 'run-status', role: 'status' });
  private readonly count = el('span', { testid: 'localization-count', class: 'count' }, '0');
  private readonly output = el('p', { class: 'run-output', testid: 'run-output' });
  private readonly notes = el('ul', { class: 'run-notes', testid: 'run-notes' });
  private readonly locs: LocStream;
  private runId: number | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly api: ViewApi,
    private readonly flags: () => FlagValues,
    sink: LocSink,
  ) {
    this.locs = new LocStream(api, sink, (loaded) => (this.count.textContent = formatCount(loaded)));
    this.runButton.addEventListener('click', () => void this.start());
    this.cancelButton.addEventListener('click', () => void this.cancel());
    this.element = el(
      'section',
      { class: 'panel run-panel', 'aria-label': 'run' },
      el('h2', {}, 'Run'),
      el('div', { class: 'run-buttons' }, this.runButton, this.cancelButton),
      this.progress,
      this.status,
      el('p', {}, this.count, ' localizations'),
      this.output,
      this.notes,
    );
  }

  /** A stack (runs allowed) or a table (its localizations loaded at once) is open. */
  opened(kind: 'stack' | 'csv'): void {
    this.runButton.disabled = kind !== 'stack' || this.runId !== null;
    this.locs.restart();
    if (kind === 'csv') void this.locs.pull();
  }

  /** Takes up the server's run state when the page loads (a run going, or finished). */
  resume(run: RunStatus): void {
    if (run.state === 'idle') return;
    this.runId = run.runId;
    this.setProgress(run.framesDone, run.framesTotal);
    if (run.state === 'running') {
      this.setRunning(true);
      this.say(`running: ${run.framesDone} / ${run.framesTotal} frames`, 'running');
    } else if (run.state === 'done') {
      void this.finish(run.localizations, `done: ${formatCount(run.localizations)} localizations`, run.csvPath);
    } else {
      this.say(run.state === 'cancelled' ? 'cancelled' : `error: ${run.message ?? ''}`, run.state);
    }
    void this.locs.pull();
  }

  /** An event of /api/events (progress, done, cancelled, error). */
  event(name: string, data: ProgressEvent | DoneEvent | CancelledEvent | ErrorEvent): void {
    if (this.runId !== null && data.runId !== this.runId) return;
    if (name === 'progress') {
      const progress = data as ProgressEvent;
      this.runId = progress.runId;
      this.setRunning(true);
      this.setProgress(progress.framesDone, progress.framesTotal);
      this.say(`running: ${progress.framesDone} / ${progress.framesTotal} frames`, 'running');
      void this.locs.pull();
    } else if (name === 'done') {
      const done = data as DoneEvent;
      void this.finish(done.localizations, `done: ${formatCount(done.localizations)} localizations in ${done.elapsedS.toFixed(1)} s`, done.csvPath);
    } else if (name === 'cancelled') {
      this.setRunning(false);
      this.say('cancelled', 'cancelled');
      void this.locs.pull();
    } else if (name === 'error') {
      this.setRunning(false);
      this.say(`error: ${(data as ErrorEvent).message}`, 'error');
    }
  }

  /** A warning or a notice of the run (what localize prints as `warning: …` or `notice: …`). */
  note(kind: 'warning' | 'notice', data: NoteEvent): void {
    if (this.runId !== null && data.runId !== this.runId) return;
    this.notes.append(el('li', { 'data-kind': kind }, `${kind}: ${data.message}`));
  }

  /** POST /api/run with the panel's flags; the reconstruction starts empty. */
  private async start(): Promise<void> {
    this.runButton.disabled = true;
    this.say('starting…', 'running');
    this.output.textContent = '';
    this.notes.replaceChildren();
    this.setProgress(0, 1);
    this.locs.restart();
    try {
      const started = await this.api.run(this.flags());
      this.runId = started.runId;
      this.output.textContent = `writing ${started.csvPath}`;
      this.setRunning(true);
      if (this.status.dataset.state !== 'done') this.say('running', 'running');
    } catch (error) {
      this.runButton.disabled = false;
      this.say(`not started: ${messageOf(error)}`, 'error');
    }
  }

  private async cancel(): Promise<void> {
    this.cancelButton.disabled = true;
    try {
      await this.api.cancel();
    } catch (error) {
      this.say(`cancel: ${messageOf(error)}`, 'error');
    }
  }

  /** Fetches the run's last localizations, then says "done". */
  private async finish(total: number, text: string, csvPath: string | null): Promise<void> {
    this.setRunning(false);
    this.say('finishing…', 'running');
    await this.locs.pullUntil(total);
    this.progress.value = this.progress.max;
    if (csvPath !== null) this.output.textContent = `written: ${csvPath}`;
    this.say(text, 'done');
  }

  private setRunning(running: boolean): void {
    this.runButton.disabled = running;
    this.cancelButton.disabled = !running;
    clearInterval(this.poll);
    this.poll = running ? setInterval(() => void this.locs.pull(), LOCS_POLL_MS) : undefined;
  }

  private setProgress(done: number, total: number): void {
    this.progress.max = Math.max(1, total);
    this.progress.value = Math.min(done, this.progress.max);
  }

  private say(text: string, state: string): void {
    this.status.textContent = text;
    this.status.dataset.state = state;
  }
}

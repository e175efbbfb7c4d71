import type { FlagValues, PreviewResult, StackInfo } from '../protocol.js';
import { autoContrast } from './autoContrast.js';
import { el, formatCount } from './dom.js';
import { FrameView } from './FrameView.js';
import { FrameCache } from './FrameCache.js';
import { TIMING_NAMES } from './timingNames.js';
import type { ViewApi } from './ViewApi.js';
import { ViewApiError } from './ViewApi.js';

/**
 * How long a settings change that follows another (or meets a preview on its way) waits for the
 * next keystroke, ms: typing "1.5" sends two requests, not three, and a held arrow key does not
 * queue a preview per repeat on the server. A lone change is sent at once: the overlay target is
 * 100 ms from the change.
 */
export const PREVIEW_DEBOUNCE_MS = 30;

/** What the frame panel needs from the page. */
export interface FramePanelHost {
  readonly api: ViewApi;
  /** The localize flags of the settings panel. */
  flags(): FlagValues;
  /** A preview answered: its warnings and the camera it used. */
  onPreview(result: PreviewResult): void;
  /** A preview refused (a bad flag: the CLI's message) or failed. */
  onPreviewError(message: string): void;
}

/**
 * The frame view: the opened stack's frame (GET /api/frame) on `frame-canvas`, the frame slider,
 * the contrast (auto from percentiles when a stack opens), and the candidates (circles) and fits
 * (crosses) of the shown frame from POST /api/preview, asked again when the frame or a setting
 * changes (debounced, the stale request aborted). `candidate-count` shows the overlay's count;
 * while a newer overlay is on its way it keeps the last count, dimmed, with `data-state="pending"`
 * (`ready` with `data-frame` once the count is the shown frame's with the shown settings; `stale`,
 * dimmed less, while it was made with the last background choice and the new one is being made).
 */
export class FramePanel {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { testid: 'frame-canvas', class: 'frame-canvas' });
  private readonly view = new FrameView(this.canvas);
  private readonly slider = el('input', { type: 'range', testid: 'frame-slider', min: 0, max: 0, value: 0, step: 1, disabled: true });
  private readonly frameLabel = el('span', { class: 'frame-label', testid: 'frame-label' });
  private readonly contrastMin = el('input', { type: 'number', testid: 'contrast-min', step: 'any', title: 'black, ADU' });
  private readonly contrastMax = el('input', { type: 'number', testid: 'contrast-max', step: 'any', title: 'white, ADU' });
  private readonly candidateCount = el('span', { testid: 'candidate-count', class: 'count' });
  private readonly fitCount = el('span', { testid: 'fit-count', class: 'count' });
  private readonly readout = el('span', { class: 'readout', testid: 'pixel-readout' });
  private readonly timing = el('span', { class: 'timing', testid: 'preview-timing' });
  private readonly placeholder = el('p', { class: 'placeholder', text: 'Open a stack to see its frames.' });
  private readonly cache: FrameCache;
  private info: StackInfo | undefined;
  private index = 0;
  private frameRequest: AbortController | undefined;
  private previewRequest: AbortController | undefined;
  private previewInFlight = false;
  private lastSettingsChange = -Infinity;
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the change the next overlay answers happened (performance.now()), or undefined. */
  private changedAt: number | undefined;
  /** The change a stale overlay already drawn answers (its refresh is on its way), or undefined. */
  private shownAt: number | undefined;
  private firstFrameShown = false;
  /** Settles when the opened stack's first frame is on the canvas (or failed, or there is none). */
  private firstFrame: Promise<void> = Promise.resolve();
  private firstFrameSettle: () => void = () => undefined;
  private contrastSet = false;

  constructor(private readonly host: FramePanelHost) {
    this.cache = new FrameCache(host.api);
    this.slider.addEventListener('input', () => this.showFrame(Number(this.slider.value)));
    this.slider.addEventListener('change', () => this.showFrame(Number(this.slider.value)));
    const onContrast = () => this.applyContrast();
    this.contrastMin.addEventListener('input', onContrast);
    this.contrastMax.addEventListener('input', onContrast);
    this.canvas.addEventListener('mousemove', (event) => this.showReadout(event));
    this.canvas.addEventListener('mouseleave', () => (this.readout.textContent = ''));
    const autoButton = el('button', { type: 'button', testid: 'contrast-auto', title: 'from the 0.1 and 99.9 percentiles of the frame', onclick: () => this.autoContrast() }, 'Auto');
    this.element = el(
      'section',
      { class: 'panel frame-panel', 'aria-label': 'camera frame' },
      el('h2', {}, 'Camera frame ', el('span', { class: 'legend' }, el('span', { class: 'legend-candidate' }, '○ candidates'), ' ', el('span', { class: 'legend-fit' }, '+ fits'))),
      el('div', { class: 'canvas-box' }, this.canvas, this.placeholder),
      el('div', { class: 'frame-controls' }, el('label', { class: 'slider-label' }, 'Frame ', this.slider), this.frameLabel),
      el(
        'div',
        { class: 'frame-controls' },
        el('label', {}, 'Black ', this.contrastMin),
        el('label', {}, 'White ', this.contrastMax),
        el('span', { class: 'unit' }, 'ADU'),
        autoButton,
      ),
      el(
        'div',
        { class: 'frame-controls overlay-counts' },
        el('span', {}, this.candidateCount, ' candidates'),
        el('span', {}, this.fitCount, ' fits'),
        this.timing,
        this.readout,
      ),
    );
  }

  /** Shows the opened stack (its first frame, auto contrast, the overlay), or a table without frames. */
  open(info: StackInfo): void {
    this.info = info;
    this.cache.clear();
    this.frameRequest?.abort();
    this.frameRequest = undefined;
    this.contrastSet = false;
    this.firstFrameShown = false;
    const hasFrames = info.kind === 'stack' && info.frames > 0;
    this.placeholder.textContent = hasFrames ? '' : info.kind === 'csv' ? 'A localization table: no camera frames.' : 'No frames yet.';
    this.placeholder.hidden = hasFrames;
    this.firstFrameSettle();
    this.firstFrame = hasFrames ? new Promise((resolve) => (this.firstFrameSettle = resolve)) : Promise.resolve();
    this.index = 0;
    this.setFrameCount(info.frames);
  }

  /** The stack now has this many frames (follow mode). */
  setFrameCount(frames: number): void {
    this.slider.max = String(Math.max(0, frames - 1));
    this.slider.disabled = frames <= 1;
    if (this.info !== undefined) this.info = { ...this.info, frames };
    this.updateLabel();
    // The first frame is drawn as soon as there is one (at open, or when a followed stack gets it).
    if (frames > 0 && !this.firstFrameShown && this.frameRequest === undefined && this.info?.kind === 'stack') void this.showFrame(this.index);
  }

  /** Settles when the opened stack's first frame is drawn (or could not be): the page does the rest after it. */
  firstFrameDrawn(): Promise<void> {
    return this.firstFrame;
  }

  /** The settings changed: the overlay is asked again (at once, or debounced when changes come fast). */
  settingsChanged(): void {
    const now = performance.now();
    const busy = this.previewInFlight || now - this.lastSettingsChange < PREVIEW_DEBOUNCE_MS;
    this.lastSettingsChange = now;
    this.schedulePreview(busy ? PREVIEW_DEBOUNCE_MS : 0);
  }

  /** The 0-based index of the frame shown. */
  get frameIndex(): number {
    return this.index;
  }

  /** Fetches frame `index` (the stale fetch aborted), draws it, then asks its overlay. */
  private async showFrame(index: number): Promise<void> {
    if (this.info === undefined || this.info.kind !== 'stack') return;
    const changedAt = performance.now();
    this.index = index;
    this.slider.value = String(index);
    this.updateLabel();
    this.frameRequest?.abort();
    const request = new AbortController();
    this.frameRequest = request;
    this.clearOverlay(changedAt, true);
    this.previewRequest?.abort();
    try {
      const frame = await this.cache.get(index, request.signal);
      if (request.signal.aborted || this.index !== index) return;
      this.view.setFrame(frame.pixels, frame.width, frame.height);
      if (!this.contrastSet) this.autoContrast();
      if (!this.firstFrameShown) {
        this.firstFrameShown = true;
        void this.view.drawn().then(() => {
          performance.mark(TIMING_NAMES.firstFrame);
          this.firstFrameSettle();
        });
      }
      this.schedulePreview(0);
    } catch (error) {
      if (isAbort(error)) return;
      if (this.frameRequest === request) this.frameRequest = undefined;
      this.firstFrameSettle();
      this.host.onPreviewError(`frame ${index + 1}: ${messageOf(error)}`);
    }
  }

  private updateLabel(): void {
    const info = this.info;
    if (info === undefined || info.kind !== 'stack') {
      this.frameLabel.textContent = '';
      return;
    }
    this.frameLabel.textContent = `${this.index + 1} / ${info.frames}`;
  }

  /**
   * Marks the overlay and its counts as out of date (dimmed until the new ones come); a frame
   * change also takes the overlay off, since it belongs to another frame. `changedAt` starts the
   * timing of the next overlay.
   */
  private clearOverlay(changedAt: number, frameChanged: boolean): void {
    this.changedAt ??= changedAt;
    if (frameChanged) this.view.setOverlay(undefined);
    this.candidateCount.dataset.state = 'pending';
    this.fitCount.dataset.state = 'pending';
  }

  private schedulePreview(delayMs: number): void {
    if (this.info?.kind !== 'stack' || !this.firstFrameShown) return;
    this.clearOverlay(performance.now(), false);
    this.previewRequest?.abort();
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => void this.preview(), delayMs);
  }

  /**
   * POST /api/preview for the shown frame with the panel's flags; a newer change aborts it. The
   * page asks for the current overlay only (`allowStale` false): whatever the counts say is what
   * `localize` finds with the shown settings, the moment they change. Asked with `allowStale`, an
   * answer made with the last background choice (the new one being made) is drawn at once, its
   * counts marked 'stale', and asked again to wait for the choice: 35–90 ms sooner on a loaded
   * machine, but a count that is not yet a run's; only an answer whose background is current is
   * marked 'ready'.
   * @param allowStale - draw a stale overlay first @default false
   */
  private async preview(allowStale = false): Promise<void> {
    const request = new AbortController();
    this.previewRequest = request;
    const frame = this.index;
    this.previewInFlight = true;
    try {
      const result = await this.host.api.preview(frame, this.host.flags(), request.signal, allowStale).finally(() => {
        if (this.previewRequest === request) this.previewInFlight = false;
      });
      if (request.signal.aborted || frame !== this.index) return;
      const state = result.backgroundCurrent ? 'ready' : 'stale';
      this.view.setOverlay({
        // A candidate is its peak pixel (column, row): drawn at the pixel's centre.
        candidates: result.candidates.map((c) => ({ xPx: c.xPx + 0.5, yPx: c.yPx + 0.5 })),
        fits: result.fits,
      });
      this.candidateCount.textContent = formatCount(result.candidates.length);
      this.candidateCount.dataset.state = state;
      this.candidateCount.dataset.frame = String(frame);
      this.fitCount.textContent = formatCount(result.fits.length);
      this.fitCount.dataset.state = state;
      const changedAt = this.changedAt;
      const shownAt = this.shownAt;
      this.shownAt = changedAt;
      if (result.backgroundCurrent) {
        this.changedAt = undefined;
        this.shownAt = undefined;
      }
      void this.view.drawn().then(() => this.showTiming(changedAt, shownAt, result));
      this.host.onPreview(result);
      if (!result.backgroundCurrent) void this.preview(false);
    } catch (error) {
      if (isAbort(error)) return;
      // No overlay belongs to these settings: none is shown.
      this.view.setOverlay(undefined);
      this.candidateCount.textContent = '';
      this.fitCount.textContent = '';
      this.candidateCount.dataset.state = 'error';
      this.fitCount.dataset.state = 'error';
      this.changedAt = undefined;
      this.host.onPreviewError(error instanceof ViewApiError && error.status === 400 ? error.message : `preview: ${messageOf(error)}`);
    }
  }

  /**
   * Records the time from the change (performance.now()) to the overlay on the canvas: the first
   * drawn (stale or not) as {@link TIMING_NAMES.overlayShown}, the current one as
   * {@link TIMING_NAMES.overlay} (performance measures).
   * @param changedAt - the change this overlay answers
   * @param shownAt - the same change when a stale overlay for it was drawn before, else undefined
   */
  private showTiming(changedAt: number | undefined, shownAt: number | undefined, result: PreviewResult): void {
    if (changedAt === undefined) return;
    const end = performance.now();
    if (shownAt !== changedAt) performance.measure(TIMING_NAMES.overlayShown, { start: changedAt, end });
    if (!result.backgroundCurrent) {
      this.timing.textContent = `overlay ${Math.round(end - changedAt)} ms, background being chosen`;
      return;
    }
    const measure = performance.measure(TIMING_NAMES.overlay, { start: changedAt, end });
    this.timing.textContent = `overlay ${Math.round(measure.duration)} ms (server ${Math.round(result.elapsedMs)} ms)`;
  }

  /** Contrast from the shown frame's percentiles. */
  private autoContrast(): void {
    const frame = this.cache.peek(this.index);
    if (frame === undefined) return;
    const range = autoContrast(frame.pixels);
    this.contrastMin.value = String(Math.round(range.min * 10) / 10);
    this.contrastMax.value = String(Math.round(range.max * 10) / 10);
    this.contrastSet = true;
    this.view.setContrast(range);
  }

  private applyContrast(): void {
    const min = Number(this.contrastMin.value);
    const max = Number(this.contrastMax.value);
    if (this.contrastMin.value === '' || this.contrastMax.value === '' || !Number.isFinite(min) || !Number.isFinite(max)) return;
    this.contrastSet = true;
    this.view.setContrast({ min, max });
  }

  private showReadout(event: MouseEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const pixel = this.view.pixelAt(event.clientX - rect.left, event.clientY - rect.top);
    const pixelSizeNm = this.info?.pixelSizeNm ?? 0;
    this.readout.textContent =
      pixel === undefined ? '' : `x ${pixel.column}, y ${pixel.row} px (${((pixel.column + 0.5) * pixelSizeNm).toFixed(0)}, ${((pixel.row + 0.5) * pixelSizeNm).toFixed(0)} nm): ${pixel.valueAdu.toFixed(1)} ADU`;
  }
}

/** Whether a fetch ended because its AbortController aborted it. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** An error's message for the page. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

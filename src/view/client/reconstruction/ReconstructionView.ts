import { RENDER_DEFAULTS } from '../../../render/SuperResolutionImage.js';
import { LOC_FIELD } from '../../protocol.js';
import { compileRecordFilter } from './compileRecordFilter.js';
import { drawBinned } from './drawHistogram.js';
import { drawColourBar, drawScaleBar } from './drawOverlays.js';
import { LocalizationStore } from './LocalizationStore.js';
import { contrastScratch, contrastTop, paintRaster } from './paintRaster.js';
import { fieldExtent, fieldHistogram, sampleField } from './sampleField.js';
import { ViewRaster, type ViewWindow } from './ViewRaster.js';

/** What colours the image: nothing (the 'hot' map of density), the depth z, or the frame (time). */
export type ColorBy = 'none' | 'z' | 'frame';

/** The canvases of the histograms the view keeps up to date with the filter (any may be left out). */
export interface HistogramCanvases {
  photons?: HTMLCanvasElement;
  uncertainty?: HTMLCanvasElement;
  sigma?: HTMLCanvasElement;
}

/** Options of a {@link ReconstructionView}. */
export interface ReconstructionViewOptions {
  /** Width of the imaged field, nm (camera width × pixel size): the first view shows all of it. */
  widthNm: number;
  /** Height of the imaged field, nm. */
  heightNm: number;
  /** Histogram canvases of photons, uncertainty and σ, redrawn as records arrive and the filter changes. */
  histograms?: HistogramCanvases;
  /** Called when the number of localizations or of those shown changes (after append, setFilter, clear). */
  onCounts?: (count: number, shownCount: number) => void;
}

/** The defaults of the reconstruction view. */
export const RECONSTRUCTION_DEFAULTS = {
  /** Time given to accumulating the image in one animation frame during a gesture, ms (the rest of a 17 ms frame is left for drawing and events). */
  frameBudgetMs: 8,
  /** The same when the view rests (the image is being finished; frames may stretch towards 30/s). */
  restBudgetMs: 14,
  /** Zoom factor per wheel pixel (deltaY): exp(−0.002 · 100) ≈ 0.82 per notch of 100 px. */
  zoomPerWheelPx: 0.002,
  /** Least time between two redraws of the histograms while records arrive, ms; at least 4 × the last redraw's time, so at 10⁷ localizations they take ≤ 20 % of the time. */
  histogramIntervalMs: 500,
  /** Smallest canvas pixel, nm (zooming in further is refused). */
  minNmPerPx: 0.1,
  /**
   * A gesture goes on while the view changed within this time, ms; during one, an image that
   * would take more than a frame's budget is not started (the last one is moved instead).
   */
  gestureMs: 120,
} as const;

/** The histograms drawn: record field, label and unit. */
const HISTOGRAMS = [
  { key: 'photons', field: LOC_FIELD.photons, label: 'photons', unit: 'photon' },
  { key: 'uncertainty', field: LOC_FIELD.uncertaintyNm, label: 'uncertainty', unit: 'nm' },
  { key: 'sigma', field: LOC_FIELD.sigmaNm, label: 'σ', unit: 'nm' },
] as const;

/**
 * The super-resolution image of `smlm-stream view`: localizations (LOC_RECORD_FIELDS records)
 * appended batch by batch as a run goes, drawn on a canvas as a 2-D histogram at the canvas's
 * resolution for the current view, coloured by density ('hot'), z or frame, with a scale bar
 * (and a colour bar when coloured). Drag pans, the wheel zooms about the cursor, a double click
 * shows the whole field. During a gesture the last image is moved and scaled (drawImage) while
 * the new one is accumulated within {@link RECONSTRUCTION_DEFAULTS}.frameBudgetMs per frame, so
 * frames keep coming at 10⁷ localizations; an append adds only the new records.
 */
export class ReconstructionView {
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly store = new LocalizationStore();
  private readonly options: ReconstructionViewOptions;
  private widthNm: number;
  private heightNm: number;
  private current: ViewWindow = { x0Nm: 0, y0Nm: 0, nmPerPx: 1 };
  private raster: ViewRaster;
  private colorBy: ColorBy = 'none';
  private range: [number, number] = [0, 1];
  private rangeCount = -1;
  /** No shown localization has a value to colour by (z of a 2-D run). */
  private rangeEmpty = false;
  /** The last finished image and the view it shows. */
  private readonly base: HTMLCanvasElement;
  private baseView: ViewWindow | null = null;
  private image: ImageData;
  private readonly scratch = contrastScratch();
  private frameRequest = 0;
  /** The canvas must be drawn again (view, image, colour bar changed). */
  private needsCompose = true;
  /** Time a paint (contrast, colours, putImageData) takes, ms: a running mean. */
  private paintMs = 0;
  /** performance.now() of the last change of view. */
  private viewChangedAt = 0;
  private histogramsDirty = false;
  private histogramsAt = 0;
  private histogramsTookMs = 0;
  private dragging: { id: number; x: number; y: number } | null = null;
  private waiting: (() => void)[] = [];
  private readonly listeners: [string, EventListener][] = [];

  /**
   * @param canvas - the canvas to draw on (its width and height attributes are its resolution)
   * @param options - the field's size, histogram canvases, a count callback
   */
  constructor(canvas: HTMLCanvasElement, options: ReconstructionViewOptions) {
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('the reconstruction canvas has no 2-D context');
    this.canvas = canvas;
    this.ctx = ctx;
    this.options = options;
    this.widthNm = options.widthNm;
    this.heightNm = options.heightNm;
    this.base = document.createElement('canvas');
    this.raster = new ViewRaster(1, 1);
    this.image = new ImageData(1, 1);
    this.fitCanvas();
    this.resetView();
    this.listen('pointerdown', (e) => this.onPointerDown(e as PointerEvent));
    this.listen('pointermove', (e) => this.onPointerMove(e as PointerEvent));
    this.listen('pointerup', (e) => this.onPointerUp(e as PointerEvent));
    this.listen('pointercancel', (e) => this.onPointerUp(e as PointerEvent));
    this.listen('wheel', (e) => this.onWheel(e as WheelEvent));
    this.listen('dblclick', () => this.resetView());
    canvas.style.touchAction = 'none';
    canvas.style.cursor = 'grab';
  }

  /**
   * The view's own work in its animation frames since made (or since the caller zeroed them):
   * frames drawn, ms spent in them, the longest; for measurements (test/bench/viewFrameRate.ts).
   */
  readonly frameStats = { frames: 0, busyMs: 0, maxMs: 0 };

  /** Localizations received. */
  get count(): number {
    return this.store.count;
  }

  /** Localizations the filter shows. */
  get shownCount(): number {
    return this.store.shownCount;
  }

  /** The current view: the canvas's top-left corner in nm and nm per canvas pixel. */
  get view(): ViewWindow {
    return this.current;
  }

  /** The colour by in use. */
  get color(): ColorBy {
    return this.colorBy;
  }

  /** The values at the two ends of the colour bar (z in nm, or frame from 1), when colouring. */
  get colorRange(): readonly [number, number] {
    return this.range;
  }

  /**
   * Add localizations (LOC_RECORD_FIELDS Float32 records, e.g. an /api/locs answer); only they
   * are accumulated into the shown image.
   */
  append(records: Float32Array): void {
    if (records.length === 0) return;
    this.store.append(records);
    this.histogramsDirty = true;
    this.countsChanged();
    this.request();
  }

  /** Colour by nothing (density, 'hot'), z or frame; the image is accumulated again. */
  setColor(by: ColorBy): void {
    if (by !== 'none' && by !== 'z' && by !== 'frame') throw new Error(`colour by must be none, z or frame, got ${String(by)}`);
    this.colorBy = by;
    this.needsCompose = true;
    this.rangeCount = -1;
    this.restart();
  }

  /**
   * Show only the localizations an expression in the `filter` command's grammar keeps (e.g.
   * `uncertainty < 20 && intensity > 500`; columns x, y, z, frame (from 1), intensity, offset,
   * uncertainty, sigma); blank shows all.
   * @returns the number shown
   * @throws an Error whose message names the problem and its place, for a bad expression (the
   *   filter in use is kept)
   */
  setFilter(expression: string): number {
    const test = compileRecordFilter(expression);
    const shown = this.store.setFilter(test);
    this.rangeCount = -1;
    this.histogramsDirty = true;
    this.histogramsAt = 0;
    this.countsChanged();
    this.restart();
    return shown;
  }

  /** Forget every localization (a new run); the filter and view stay. */
  clear(): void {
    this.store.clear();
    this.rangeCount = -1;
    this.histogramsDirty = true;
    this.histogramsAt = 0;
    this.countsChanged();
    this.restart();
  }

  /** A new field size (e.g. another stack opened): the view shows all of it. */
  setExtent(widthNm: number, heightNm: number): void {
    this.widthNm = widthNm;
    this.heightNm = heightNm;
    this.resetView();
  }

  /**
   * Give the canvas a new resolution (e.g. its CSS size × devicePixelRatio after the page's
   * layout changed), keeping the view's centre and scale, and redraw.
   * @param width - canvas px
   * @param height - canvas px
   */
  resize(width: number, height: number): void {
    const w = Math.max(1, Math.round(width));
    const h = Math.max(1, Math.round(height));
    if (w === this.canvas.width && h === this.canvas.height) return;
    const { x0Nm, y0Nm, nmPerPx } = this.current;
    const cx = x0Nm + (this.canvas.width / 2) * nmPerPx;
    const cy = y0Nm + (this.canvas.height / 2) * nmPerPx;
    this.canvas.width = w;
    this.canvas.height = h;
    this.setView({ x0Nm: cx - (w / 2) * nmPerPx, y0Nm: cy - (h / 2) * nmPerPx, nmPerPx });
  }

  /** Show the whole field, centred. */
  resetView(): void {
    const { width, height } = this.canvas;
    const nmPerPx = Math.max(this.widthNm / width, this.heightNm / height) || 1;
    this.setView({ x0Nm: this.widthNm / 2 - (width / 2) * nmPerPx, y0Nm: this.heightNm / 2 - (height / 2) * nmPerPx, nmPerPx });
  }

  /** Look at a view (canvas's top-left corner in nm, nm per canvas px). */
  setView(view: ViewWindow): void {
    if (!(view.nmPerPx > 0) || !Number.isFinite(view.x0Nm) || !Number.isFinite(view.y0Nm)) throw new Error(`not a view: ${JSON.stringify(view)}`);
    this.current = { ...view };
    this.needsCompose = true;
    this.viewChangedAt = performance.now();
    this.request();
  }

  /**
   * Zoom by `factor` (> 1 magnifies) about a canvas point, which stays over the same place.
   * @param canvasX - px from the canvas's left (its resolution, not CSS px)
   * @param canvasY - px from its top
   */
  zoomAt(canvasX: number, canvasY: number, factor: number): void {
    const { x0Nm, y0Nm, nmPerPx } = this.current;
    const most = 4 * Math.max(this.widthNm / this.canvas.width, this.heightNm / this.canvas.height, RECONSTRUCTION_DEFAULTS.minNmPerPx);
    const next = Math.min(most, Math.max(RECONSTRUCTION_DEFAULTS.minNmPerPx, nmPerPx / factor));
    const xNm = x0Nm + canvasX * nmPerPx;
    const yNm = y0Nm + canvasY * nmPerPx;
    this.setView({ x0Nm: xNm - canvasX * next, y0Nm: yNm - canvasY * next, nmPerPx: next });
  }

  /** Move the image by (dx, dy) canvas px (as a drag does). */
  panBy(dxPx: number, dyPx: number): void {
    const { x0Nm, y0Nm, nmPerPx } = this.current;
    this.setView({ x0Nm: x0Nm - dxPx * nmPerPx, y0Nm: y0Nm - dyPx * nmPerPx, nmPerPx });
  }

  /** The canvas pixel (column, row; fractional) where a place in the sample (nm) is drawn. */
  nmToCanvas(xNm: number, yNm: number): [number, number] {
    const { x0Nm, y0Nm, nmPerPx } = this.current;
    return [(xNm - x0Nm) / nmPerPx, (yNm - y0Nm) / nmPerPx];
  }

  /** Resolves once the image of the current view holds every localization and is on the canvas. */
  drawn(): Promise<void> {
    if (this.frameRequest === 0 && this.upToDate()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.request();
    });
  }

  /** The canvas as a PNG (the current view with every localization, scale bar and colour bar). */
  async toPngBlob(): Promise<Blob> {
    this.needsCompose = true;
    this.renderFrame(Number.POSITIVE_INFINITY);
    return new Promise((resolve, reject) => {
      this.canvas.toBlob((blob) => (blob === null ? reject(new Error('the browser could not encode the reconstruction as PNG')) : resolve(blob)), 'image/png');
    });
  }

  /** Stop listening and drawing; the view cannot be used afterwards. */
  destroy(): void {
    if (this.frameRequest !== 0) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    for (const [type, listener] of this.listeners) this.canvas.removeEventListener(type, listener);
    this.listeners.length = 0;
    this.store.clear();
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Accumulate again from the first record (colour, filter or store changed). */
  private restart(): void {
    // The last image stays on the canvas until the new one is whole.
    this.raster.restart(this.current, this.colorField());
    this.request();
  }

  private colorField(): number {
    return this.colorBy === 'z' ? LOC_FIELD.zNm : this.colorBy === 'frame' ? LOC_FIELD.frame : -1;
  }

  private upToDate(): boolean {
    return this.baseView !== null && sameView(this.baseView, this.current) && this.raster.complete(this.store) && !this.histogramsDirty;
  }

  private request(): void {
    if (this.frameRequest === 0) {
      this.frameRequest = requestAnimationFrame(() => {
        this.frameRequest = 0;
        const now = performance.now();
        const moving = now - this.viewChangedAt < RECONSTRUCTION_DEFAULTS.gestureMs;
        this.renderFrame(now + (moving ? RECONSTRUCTION_DEFAULTS.frameBudgetMs : RECONSTRUCTION_DEFAULTS.restBudgetMs));
        const busyMs = performance.now() - now;
        this.frameStats.frames++;
        this.frameStats.busyMs += busyMs;
        this.frameStats.maxMs = Math.max(this.frameStats.maxMs, busyMs);
      });
    }
  }

  /**
   * One frame: accumulate (until `deadlineMs`), paint when the image is whole, draw the last
   * image moved to the current view, the overlays; ask for another frame while work is left.
   */
  private renderFrame(deadlineMs: number): void {
    this.fitCanvas();
    const raster = this.raster;
    // In a gesture, accumulating an image that cannot be finished and painted in this frame's
    // budget (at the measured rates) would be thrown away at the next move or stretch the frame:
    // move the last image instead and start when the view rests.
    const stale = !sameView(raster.view, this.current) || raster.field !== this.colorField();
    const moving = deadlineMs !== Number.POSITIVE_INFINITY && performance.now() - this.viewChangedAt < RECONSTRUCTION_DEFAULTS.gestureMs;
    const postpone = stale && moving && this.baseView !== null && raster.estimateMs(this.store.count) + this.paintMs > RECONSTRUCTION_DEFAULTS.frameBudgetMs;
    if (stale && !postpone) raster.restart(this.current, this.colorField());
    const complete = postpone ? false : raster.advance(this.store, deadlineMs);
    if (complete && raster.takeChanged()) this.paint();
    // Frames that only wait (histograms throttled, a gesture's rest) leave the canvas as it is.
    if (this.needsCompose) this.compose();
    if (this.histogramsDirty && (complete || deadlineMs === Number.POSITIVE_INFINITY)) this.drawHistograms();
    if (!complete || this.histogramsDirty) this.request();
    else if (this.frameRequest === 0) for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Colour the finished raster into the base canvas. */
  private paint(): void {
    const startMs = performance.now();
    const raster = this.raster;
    if (raster.field >= 0 && this.rangeCount !== this.store.shownCount) this.updateRange();
    const top = contrastTop(raster.counts, this.scratch);
    paintRaster(raster, top, this.range, new Uint32Array(this.image.data.buffer));
    const baseCtx = this.base.getContext('2d');
    baseCtx?.putImageData(this.image, 0, 0);
    this.baseView = raster.view;
    this.needsCompose = true;
    this.paintMs = 0.7 * this.paintMs + 0.3 * (performance.now() - startMs);
  }

  /** The colour bar's range: z between RENDER_DEFAULTS.depthPercentiles of the shown z (as `render --color z`), frames first to last. */
  private updateRange(): void {
    const field = this.colorField();
    this.rangeCount = this.store.shownCount;
    this.rangeEmpty = false;
    if (field === LOC_FIELD.frame) {
      // As `render --color frame`: the first and last frames shown (numbered from 1, as in the CSV).
      const [first, last] = fieldExtent(this.store, field);
      this.range = first <= last ? [first + 1, Math.max(last + 1, first + 2)] : [0, 1];
      return;
    }
    const sorted = sampleField(this.store, field);
    if (sorted.length === 0) {
      this.range = [0, 1];
      this.rangeEmpty = this.store.shownCount > 0;
      return;
    }
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.round((p / 100) * (sorted.length - 1)))];
    this.range = [at(RENDER_DEFAULTS.depthPercentiles[0]), at(RENDER_DEFAULTS.depthPercentiles[1])];
    if (!(this.range[1] > this.range[0])) this.range = [this.range[0] - 1, this.range[0] + 1];
  }

  /** Draw the base image where the current view puts it, then the scale bar and colour bar. */
  private compose(): void {
    this.needsCompose = false;
    const { ctx, canvas } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const base = this.baseView;
    if (base === null || !sameView(base, this.current)) {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    if (base !== null) {
      const scale = base.nmPerPx / this.current.nmPerPx;
      const dx = (base.x0Nm - this.current.x0Nm) / this.current.nmPerPx;
      const dy = (base.y0Nm - this.current.y0Nm) / this.current.nmPerPx;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.base, dx, dy, this.base.width * scale, this.base.height * scale);
    }
    drawScaleBar(ctx, this.current.nmPerPx);
    if (this.colorBy !== 'none') {
      if (this.rangeCount !== this.store.shownCount && this.raster.complete(this.store)) this.updateRange();
      drawColourBar(ctx, this.rangeEmpty ? null : this.range, this.colorBy === 'z' ? 'z [nm]' : 'frame');
    }
  }

  private drawHistograms(): void {
    const canvases = this.options.histograms;
    const now = performance.now();
    if (canvases === undefined) {
      this.histogramsDirty = false;
      return;
    }
    if (now - this.histogramsAt < Math.max(RECONSTRUCTION_DEFAULTS.histogramIntervalMs, 4 * this.histogramsTookMs)) return;
    this.histogramsAt = now;
    this.histogramsDirty = false;
    for (const h of HISTOGRAMS) {
      const canvas = canvases[h.key];
      if (canvas !== undefined) drawBinned(canvas, fieldHistogram(this.store, h.field), { label: h.label, unit: h.unit });
    }
    this.histogramsTookMs = performance.now() - now;
  }

  /** Follow the canvas's size: new rasters when its width or height attribute changed. */
  private fitCanvas(): void {
    const { width, height } = this.canvas;
    if (this.raster.width === width && this.raster.height === height) return;
    this.raster = new ViewRaster(width, height);
    this.raster.restart(this.current, this.colorField());
    this.image = new ImageData(Math.max(1, width), Math.max(1, height));
    this.base.width = width;
    this.base.height = height;
    this.baseView = null;
    this.needsCompose = true;
  }

  private countsChanged(): void {
    this.options.onCounts?.(this.store.count, this.store.shownCount);
  }

  private listen(type: string, listener: EventListener): void {
    this.canvas.addEventListener(type, listener, type === 'wheel' ? { passive: false } : undefined);
    this.listeners.push([type, listener]);
  }

  /** Canvas px per CSS px (the canvas may be shown larger or smaller than its resolution). */
  private pxPerCss(): [number, number] {
    const rect = this.canvas.getBoundingClientRect();
    return [rect.width > 0 ? this.canvas.width / rect.width : 1, rect.height > 0 ? this.canvas.height / rect.height : 1];
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.dragging = { id: e.pointerId, x: e.clientX, y: e.clientY };
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // A synthetic event's pointer cannot be captured; the drag works while it stays on the canvas.
    }
    this.canvas.style.cursor = 'grabbing';
  }

  private onPointerMove(e: PointerEvent): void {
    const drag = this.dragging;
    if (drag === null || drag.id !== e.pointerId) return;
    const [sx, sy] = this.pxPerCss();
    this.panBy((e.clientX - drag.x) * sx, (e.clientY - drag.y) * sy);
    drag.x = e.clientX;
    drag.y = e.clientY;
  }

  private onPointerUp(e: PointerEvent): void {
    if (this.dragging === null || this.dragging.id !== e.pointerId) return;
    this.dragging = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.canvas.style.cursor = 'grab';
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    const [sx, sy] = this.pxPerCss();
    // deltaMode 1 = lines (Firefox), 2 = pages: in px roughly.
    const px = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
    this.zoomAt((e.clientX - rect.left) * sx, (e.clientY - rect.top) * sy, Math.exp(-px * RECONSTRUCTION_DEFAULTS.zoomPerWheelPx));
  }
}

function sameView(a: ViewWindow, b: ViewWindow): boolean {
  return a.x0Nm === b.x0Nm && a.y0Nm === b.y0Nm && a.nmPerPx === b.nmPerPx;
}

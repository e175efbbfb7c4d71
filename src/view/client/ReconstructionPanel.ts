import type { ExportFormat, StackInfo } from '../protocol.js';
import { el, formatCount } from './dom.js';
import { messageOf } from './FramePanel.js';
import type { LocSink } from './LocStream.js';
import { ReconstructionView } from './reconstruction/ReconstructionView.js';
import type { ColorBy } from './reconstruction/ReconstructionView.js';
import type { ViewApi } from './ViewApi.js';

/** How long the filter waits for the next keystroke before it is applied, ms. */
export const FILTER_DEBOUNCE_MS = 250;

/**
 * The reconstruction: viewgl's ReconstructionView on `render-canvas` (pan by dragging, zoom with
 * the wheel, double-click shows all), fed the localizations as they arrive; colour by
 * (`color-select`), the filter in the `filter` command's grammar (`filter-input`, the count it
 * shows in `filtered-count`), the histograms of photons, uncertainty and σ of the shown
 * localizations, and the exports: CSV and Picasso HDF5 from the server (filtered alike), PNG
 * from the canvas.
 */
export class ReconstructionPanel implements LocSink {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { testid: 'render-canvas', class: 'render-canvas' });
  private readonly colorSelect = el(
    'select',
    { testid: 'color-select', title: 'colour the localizations by depth or by frame (time)' },
    el('option', { value: 'none', text: 'density' }),
    el('option', { value: 'z', text: 'z' }),
    el('option', { value: 'frame', text: 'frame' }),
  );
  private readonly filterInput = el('input', {
    type: 'text',
    testid: 'filter-input',
    placeholder: 'e.g. uncertainty < 20 && intensity > 500',
    title: "the filter command's grammar: columns x, y, z, frame (from 1), intensity, offset, uncertainty, sigma",
    spellcheck: 'false',
  });
  private readonly filteredCount = el('span', { testid: 'filtered-count', class: 'count' }, '0');
  private readonly totalCount = el('span', { class: 'count' }, '0');
  private readonly filterMessage = el('p', { class: 'filter-message', role: 'status', testid: 'filter-message' });
  private readonly histograms = {
    photons: el('canvas', { testid: 'hist-photons', title: 'photons per localization' }),
    uncertainty: el('canvas', { testid: 'hist-uncertainty', title: 'localization uncertainty (CRLB), nm' }),
    sigma: el('canvas', { testid: 'hist-sigma', title: 'PSF σ, nm' }),
  };
  private view: ReconstructionView | undefined;
  private filterTimer: ReturnType<typeof setTimeout> | undefined;
  /** The filter the view applies (the last one it accepted): exports use the same. */
  private filter = '';
  private readonly resize: ResizeObserver;

  constructor(private readonly api: ViewApi) {
    this.colorSelect.addEventListener('change', () => this.view?.setColor(this.colorSelect.value as ColorBy));
    this.filterInput.addEventListener('input', () => {
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.applyFilter(), FILTER_DEBOUNCE_MS);
    });
    this.filterInput.addEventListener('change', () => {
      clearTimeout(this.filterTimer);
      this.applyFilter();
    });
    const exportButton = (testid: string, label: string, title: string, action: () => Promise<void>) =>
      el('button', { type: 'button', testid, title, onclick: () => void action().catch((error: unknown) => (this.filterMessage.textContent = `export: ${messageOf(error)}`)) }, label);
    this.element = el(
      'section',
      { class: 'panel reconstruction-panel', 'aria-label': 'super-resolution image' },
      el('h2', {}, 'Super-resolution image'),
      el('div', { class: 'canvas-box' }, this.canvas),
      el(
        'div',
        { class: 'reconstruction-controls' },
        el('label', {}, 'Colour ', this.colorSelect),
        el('label', { class: 'filter-label' }, 'Filter ', this.filterInput),
        el('span', {}, this.filteredCount, ' of ', this.totalCount, ' shown'),
      ),
      this.filterMessage,
      el('div', { class: 'histograms' }, this.histograms.photons, this.histograms.uncertainty, this.histograms.sigma),
      el(
        'div',
        { class: 'reconstruction-controls' },
        el('span', { class: 'unit' }, 'Export'),
        exportButton('export-csv', 'CSV', 'the localizations the filter keeps, as localize writes them', () => this.download('csv')),
        exportButton('export-picasso', 'Picasso HDF5', "the localizations the filter keeps, in Picasso's HDF5, and the YAML Picasso needs beside it", async () => {
          await this.download('picasso');
          await this.download('picasso-yaml');
        }),
        exportButton('export-png', 'PNG', 'the image as shown, with its scale bar', () => this.downloadPng()),
      ),
    );
    this.resize = new ResizeObserver(() => this.fitCanvas());
    this.resize.observe(this.canvas);
  }

  /** A stack or a table was opened: the image's field is its extent. */
  open(info: StackInfo): void {
    const widthNm = info.widthNm ?? info.width * info.pixelSizeNm;
    const heightNm = info.heightNm ?? info.height * info.pixelSizeNm;
    this.fitCanvas();
    if (this.view === undefined) {
      this.view = new ReconstructionView(this.canvas, {
        widthNm,
        heightNm,
        histograms: this.histograms,
        onCounts: (count, shown) => {
          this.totalCount.textContent = formatCount(count);
          this.filteredCount.textContent = formatCount(shown);
        },
      });
      this.view.setColor(this.colorSelect.value as ColorBy);
    } else {
      this.view.setExtent(widthNm, heightNm);
    }
  }

  clear(): void {
    this.view?.clear();
  }

  append(records: Float32Array): void {
    this.view?.append(records);
  }

  /** Applies the filter typed; a bad expression is said under it and the last good filter stays. */
  private applyFilter(): void {
    if (this.view === undefined) return;
    const expression = this.filterInput.value;
    try {
      const shown = this.view.setFilter(expression);
      this.filter = expression;
      this.filteredCount.textContent = formatCount(shown);
      this.filterMessage.textContent = '';
      this.filterInput.classList.remove('filter-input-error');
    } catch (error) {
      this.filterMessage.textContent = messageOf(error);
      this.filterInput.classList.add('filter-input-error');
    }
  }

  /** The canvas's resolution follows its box (× devicePixelRatio); the view redraws at the new size. */
  private fitCanvas(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (this.canvas.width === width && this.canvas.height === height) return;
    this.canvas.width = width;
    this.canvas.height = height;
    this.view?.resetView();
  }

  private async download(format: ExportFormat): Promise<void> {
    const { blob, fileName } = await this.api.export(format, this.filter);
    saveBlob(blob, fileName);
  }

  private async downloadPng(): Promise<void> {
    if (this.view === undefined) throw new Error('nothing to draw yet');
    saveBlob(await this.view.toPngBlob(), 'reconstruction.png');
  }
}

/** Hands a file to the browser as a download. */
function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

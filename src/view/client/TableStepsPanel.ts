import { LOC_RECORD_LENGTH } from '../protocol.js';
import type { DriftResult, MergeResult, ResolutionResult } from '../protocol.js';
import { el, formatCount } from './dom.js';
import { messageOf } from './FramePanel.js';
import { linePlot } from './linePlot.js';
import type { LocSink } from './LocStream.js';
import type { ViewApi } from './ViewApi.js';

/** The colours of the plots' lines: x (or the curve), y, the threshold. */
const COLORS = { first: '#6cb6ff', second: '#f0883e', threshold: '#8b949e' } as const;

/**
 * The reconstruction's post-processing buttons, each the command of the same name on the table
 * shown (the run's CSV, the opened CSV, or a step's output): `drift-button` (AIM; the corrected
 * table replaces the shown one, the trajectory plotted), `merge-button` (blinks merged; the
 * merged table replaces it, the counts before and after said) and `resolution-button` (NeNA and
 * FRC, the FRC curve plotted). Each result in `drift-result`, `merge-result`,
 * `resolution-result`; a refusal is said there in the command's words.
 */
export class TableStepsPanel {
  readonly element: HTMLElement;
  private readonly buttons: HTMLButtonElement[] = [];
  private readonly driftResult = el('div', { testid: 'drift-result', class: 'step-result', role: 'status' });
  private readonly mergeResult = el('div', { testid: 'merge-result', class: 'step-result', role: 'status' });
  private readonly resolutionResult = el('div', { testid: 'resolution-result', class: 'step-result', role: 'status' });

  constructor(
    private readonly api: ViewApi,
    private readonly sink: LocSink,
  ) {
    const button = (testid: string, label: string, title: string, action: () => Promise<void>, result: HTMLElement) => {
      const b = el('button', { type: 'button', testid, title }, label);
      b.addEventListener('click', () => void this.busy(action, result));
      this.buttons.push(b);
      return b;
    };
    this.element = el(
      'section',
      { class: 'panel steps-panel', 'aria-label': 'drift, merging and resolution' },
      el(
        'div',
        { class: 'reconstruction-controls' },
        el('span', { class: 'unit' }, 'Table'),
        button('drift-button', 'Drift correction', 'smlm-stream drift (AIM): writes NAME.corrected.csv and NAME.corrected.drift.csv and shows the corrected table', () => this.drift(), this.driftResult),
        button('merge-button', 'Merge blinks', 'smlm-stream merge: writes NAME.merged.csv and shows the merged table', () => this.merge(), this.mergeResult),
        button('resolution-button', 'Resolution', 'smlm-stream resolution: NeNA (mean localization precision) and FRC of the table shown', () => this.resolution(), this.resolutionResult),
      ),
      this.driftResult,
      this.mergeResult,
      this.resolutionResult,
    );
  }

  /** Runs one step with the buttons disabled; its failure said in its result. */
  private async busy(action: () => Promise<void>, result: HTMLElement): Promise<void> {
    for (const b of this.buttons) b.disabled = true;
    result.dataset.state = 'running';
    result.replaceChildren('working…');
    try {
      await action();
      result.dataset.state = 'ready';
    } catch (error) {
      result.dataset.state = 'error';
      result.replaceChildren(el('p', { class: 'error' }, messageOf(error)));
    } finally {
      for (const b of this.buttons) b.disabled = false;
    }
  }

  private async drift(): Promise<void> {
    const r: DriftResult = await this.api.drift();
    await this.reload();
    const span = (v: readonly number[]) => `${Math.min(...v).toFixed(1)} to ${Math.max(...v).toFixed(1)} nm`;
    const plot = el('canvas', { testid: 'drift-plot', class: 'step-plot', title: 'drift x and y (nm) against the frame, relative to frame 1' });
    this.driftResult.replaceChildren(
      el('p', {}, `Drift of ${formatCount(r.frame.length)} frames: x ${span(r.dxNm)}, y ${span(r.dyNm)}; precision ${r.precisionNm.x.toFixed(2)} nm (x), ${r.precisionNm.y.toFixed(2)} nm (y).`),
      el('p', { class: 'step-files' }, `Shown: ${r.csvPath} (${formatCount(r.rowsAfter)} localizations); also ${r.written.join(', ')}`),
      plot,
    );
    linePlot(plot, [{ x: r.frame, y: r.dxNm, color: COLORS.first, label: 'x' }, { x: r.frame, y: r.dyNm, color: COLORS.second, label: 'y' }], { x: 'frame', y: 'drift, nm' });
  }

  private async merge(): Promise<void> {
    const r: MergeResult = await this.api.merge();
    await this.reload();
    this.mergeResult.replaceChildren(
      el('p', {}, `Merged: ${formatCount(r.rowsBefore)} localizations → ${formatCount(r.rowsAfter)} molecules (${(r.rowsBefore / Math.max(1, r.rowsAfter)).toFixed(2)} detections each).`),
      el('p', { class: 'step-files' }, `Shown: ${r.csvPath}`),
    );
  }

  private async resolution(): Promise<void> {
    const r: ResolutionResult = await this.api.resolution();
    const pm = (v: number | null, e: number | null, digits: number) => (v === null ? 'not found' : `${v.toFixed(digits)} ± ${e === null ? '?' : e.toFixed(digits)} nm`);
    const plot = el('canvas', { testid: 'frc-plot', class: 'step-plot', title: 'FRC (smoothed) against spatial frequency (1/nm), the 1/7 threshold dashed' });
    this.resolutionResult.replaceChildren(
      el('p', {}, `NeNA ${r.nenaNm === null ? `not available: ${r.nenaError ?? ''}` : pm(r.nenaNm, r.nenaStandardErrorNm, 2)} · FRC ${pm(r.frcResolutionNm, r.frcResolutionSdNm, 1)}`),
      el('p', { class: 'step-files' }, `${r.csvPath}, ${formatCount(r.localizations)} localizations`),
      plot,
    );
    // The figures unrounded, for scripts and tests: the command's --json values.
    const figures = { nenaNm: r.nenaNm, nenaStandardErrorNm: r.nenaStandardErrorNm, frcResolutionNm: r.frcResolutionNm, frcResolutionSdNm: r.frcResolutionSdNm };
    this.resolutionResult.dataset.figures = JSON.stringify(figures);
    const f = r.frcFrequencyPerNm;
    linePlot(plot, [{ x: f, y: r.frcSmoothed, color: COLORS.first, label: 'FRC' }, { x: [f[0], f[f.length - 1]], y: [r.frcThreshold, r.frcThreshold], color: COLORS.threshold, dashed: true, label: '1/7' }], { x: 'frequency, 1/nm', y: 'FRC' });
  }

  /** The reconstruction shows the server's table again from its first localization (a step replaced it). */
  private async reload(): Promise<void> {
    this.sink.clear();
    let loaded = 0;
    for (;;) {
      const chunk = await this.api.locs(loaded);
      const count = Math.floor(chunk.records.length / LOC_RECORD_LENGTH);
      if (count > 0) this.sink.append(chunk.records.subarray(0, count * LOC_RECORD_LENGTH));
      loaded += count;
      if (count === 0 || loaded >= chunk.total) return;
    }
  }
}

import type { ColumnHistogram, FrameCounts } from './summarizeTable.js';

/** Size of a histogram's data area and of a line plot's, CSS px (inline SVG, drawn by the browser at any zoom). */
const HISTOGRAM_SIZE = { width: 300, height: 150 } as const;
const LINE_SIZE = { width: 640, height: 220 } as const;

/** One line of a line plot. */
export interface LineSeries {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
}

/** A line plot: lines, axis titles, and optional horizontal and vertical marker lines (a threshold, a crossing). */
export interface LinePlot {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly series: readonly LineSeries[];
  readonly hRule?: { readonly y: number; readonly label: string };
  readonly vRule?: { readonly x: number; readonly label: string };
}

/**
 * The Vega specification of a report histogram: one bar per bin, x in the column's unit, y in
 * localizations; the title names the values left out on either side.
 * @param h - the histogram
 */
export function histogramSpec(h: ColumnHistogram): Record<string, unknown> {
  const values = h.counts.map((count, i) => ({ x0: h.lo + i * h.binWidth, x1: h.lo + (i + 1) * h.binWidth, count }));
  const outside = h.below + h.above;
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    ...HISTOGRAM_SIZE,
    padding: 6,
    background: 'white',
    title: { text: h.label, fontSize: 13, subtitle: outside > 0 ? `${outside.toLocaleString('en-US')} outside the range drawn` : '' },
    data: [{ name: 'bins', values }],
    scales: [
      { name: 'x', type: 'linear', domain: [h.lo, h.lo + h.counts.length * h.binWidth], range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: { data: 'bins', field: 'count' }, range: 'height', nice: true, zero: true },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: h.header, tickCount: 6 },
      { orient: 'left', scale: 'y', title: 'localizations', tickCount: 4, format: '~s' },
    ],
    marks: [
      {
        type: 'rect',
        from: { data: 'bins' },
        encode: { enter: { x: { scale: 'x', field: 'x0' }, x2: { scale: 'x', field: 'x1' }, y: { scale: 'y', field: 'count' }, y2: { scale: 'y', value: 0 }, fill: { value: '#4c78a8' } } },
      },
    ],
  };
}

/**
 * The Vega specification of a line plot (see {@link LinePlot}): one colour per series, a legend
 * when there are several.
 * @param plot - the lines and titles
 */
export function lineSpec(plot: LinePlot): Record<string, unknown> {
  const values: { series: string; x: number; y: number }[] = [];
  for (const s of plot.series) for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.y[i])) values.push({ series: s.name, x: s.x[i], y: s.y[i] });
  const rules: Record<string, unknown>[] = [];
  if (plot.hRule) {
    rules.push({ type: 'rule', encode: { enter: { x: { value: 0 }, x2: { signal: 'width' }, y: { scale: 'y', value: plot.hRule.y }, stroke: { value: '#888' }, strokeDash: { value: [5, 4] } } } });
    rules.push({ type: 'text', encode: { enter: { x: { signal: 'width' }, y: { scale: 'y', value: plot.hRule.y }, dy: { value: -4 }, align: { value: 'right' }, text: { value: plot.hRule.label }, fill: { value: '#555' }, fontSize: { value: 11 } } } });
  }
  if (plot.vRule) {
    rules.push({ type: 'rule', encode: { enter: { x: { scale: 'x', value: plot.vRule.x }, y: { value: 0 }, y2: { signal: 'height' }, stroke: { value: '#d62728' }, strokeDash: { value: [3, 3] } } } });
    rules.push({ type: 'text', encode: { enter: { x: { scale: 'x', value: plot.vRule.x }, y: { value: 10 }, dx: { value: 4 }, text: { value: plot.vRule.label }, fill: { value: '#d62728' }, fontSize: { value: 11 } } } });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    ...LINE_SIZE,
    padding: 6,
    background: 'white',
    title: { text: plot.title, fontSize: 13 },
    data: [{ name: 'points', values }],
    scales: [
      { name: 'x', type: 'linear', domain: { data: 'points', field: 'x' }, range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: { data: 'points', field: 'y' }, range: 'height', nice: true, zero: true },
      { name: 'color', type: 'ordinal', domain: plot.series.map((s) => s.name), range: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'] },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: plot.xTitle, grid: true, tickCount: 8 },
      { orient: 'left', scale: 'y', title: plot.yTitle, grid: true, tickCount: 5 },
    ],
    legends: plot.series.length > 1 ? [{ stroke: 'color', orient: 'right', symbolType: 'stroke' }] : [],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'line', data: 'points', groupby: 'series' } },
        marks: [{ type: 'line', from: { data: 'line' }, encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' }, stroke: { scale: 'color', field: 'series' }, strokeWidth: { value: 1.5 } } } }],
      },
      ...rules,
    ],
  };
}

/**
 * The per-frame plot: the mean localizations per frame of each block of frames.
 * @param counts - from {@link frameCounts}
 */
export function frameCountsPlot(counts: FrameCounts): LinePlot {
  const every = counts.blockFrames === 1 ? '' : ` (mean of each ${counts.blockFrames} frames)`;
  return { title: `localizations per frame${every}`, xTitle: 'frame', yTitle: 'localizations per frame', series: [{ name: 'localizations', x: counts.blockStart, y: counts.perFrame }] };
}

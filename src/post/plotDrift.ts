import { renderVegaPng } from '../render/renderVegaPng.js';
import type { DriftTrajectory } from './DriftTrajectory.js';

/** Size of the drift plot's data area, CSS px (the PNG is drawn at twice this). */
const WIDTH = 640;
const HEIGHT = 300;

/** The frames drawn: all of them up to this many, else evenly spaced ones (a line needs no more). */
const MAX_POINTS = 2000;

/**
 * The Vega specification of the drift plot: drift x and drift y against the frame, one line
 * each, the segment estimates as dots, and an optional true drift as dashed lines.
 */
function specification(values: readonly { frame: number; drift: number; axis: string; kind: string }[], title: string): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: WIDTH,
    height: HEIGHT,
    padding: 8,
    background: 'white',
    title: { text: title, fontSize: 14 },
    data: [
      { name: 'all', values },
      { name: 'lines', source: 'all', transform: [{ type: 'filter', expr: "datum.kind !== 'segment'" }] },
      { name: 'segments', source: 'all', transform: [{ type: 'filter', expr: "datum.kind === 'segment'" }] },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: { data: 'all', field: 'frame' }, range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: { data: 'all', field: 'drift' }, range: 'height', nice: true, zero: true },
      { name: 'color', type: 'ordinal', domain: ['x', 'y'], range: ['#1f77b4', '#d62728'] },
      { name: 'dash', type: 'ordinal', domain: ['estimate', 'truth'], range: [[1, 0], [6, 4]] },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'frame', grid: true, tickCount: 8, format: 'd' },
      { orient: 'left', scale: 'y', title: 'drift [nm]', grid: true },
    ],
    legends: [
      { stroke: 'color', title: 'axis', orient: 'right', symbolType: 'stroke' },
      ...(values.some((v) => v.kind === 'truth') ? [{ strokeDash: 'dash', title: 'line', orient: 'right', symbolType: 'stroke' }] : []),
    ],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'lines', groupby: ['axis', 'kind'] } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'frame' },
                y: { scale: 'y', field: 'drift' },
                stroke: { scale: 'color', field: 'axis' },
                strokeDash: { scale: 'dash', field: 'kind' },
                strokeWidth: { value: 1.5 },
              },
            },
          },
        ],
      },
      {
        type: 'symbol',
        from: { data: 'segments' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'frame' },
            y: { scale: 'y', field: 'drift' },
            fill: { scale: 'color', field: 'axis' },
            size: { value: 12 },
          },
        },
      },
    ],
  };
}

/**
 * A PNG of a drift trajectory: drift x and drift y (nm) against the frame, the segment
 * estimates as dots, and, when given, the true drift as dashed lines (a simulation's). Drawn
 * with Vega (SVG) and rasterized with resvg, both loaded only when a plot is asked for.
 * @param drift - the trajectory
 * @param options - a title; the true drift of every frame, relative to frame 1
 * @returns the PNG's bytes
 */
export async function plotDrift(drift: DriftTrajectory, options: { title?: string; truth?: { x: ArrayLike<number>; y: ArrayLike<number> } } = {}): Promise<Uint8Array> {
  const frames = drift.x.length;
  const step = Math.max(1, Math.ceil(frames / MAX_POINTS));
  const values: { frame: number; drift: number; axis: string; kind: string }[] = [];
  const line = (xs: ArrayLike<number>, ys: ArrayLike<number>, kind: string) => {
    for (let f = 0; f < frames; f += step) {
      values.push({ frame: f + 1, drift: xs[f], axis: 'x', kind }, { frame: f + 1, drift: ys[f], axis: 'y', kind });
    }
    const f = frames - 1;
    if (f % step !== 0) values.push({ frame: f + 1, drift: xs[f], axis: 'x', kind }, { frame: f + 1, drift: ys[f], axis: 'y', kind });
  };
  line(drift.x, drift.y, 'estimate');
  if (options.truth) line(options.truth.x, options.truth.y, 'truth');
  for (const s of drift.segments) {
    const frame = (s.firstFrame + s.lastFrame) / 2;
    values.push({ frame, drift: s.x, axis: 'x', kind: 'segment' }, { frame, drift: s.y, axis: 'y', kind: 'segment' });
  }
  const precision = `precision ${drift.precisionNm.x.toFixed(1)} nm (x), ${drift.precisionNm.y.toFixed(1)} nm (y)`;
  const title = options.title ?? `drift (${drift.method.toUpperCase()}, ${drift.segments.length} segments, ${precision})`;
  return renderVegaPng(specification(values, title));
}

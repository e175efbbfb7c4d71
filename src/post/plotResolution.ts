import { renderVegaPng } from '../render/renderVegaPng.js';
import type { FrcResult } from './estimateFrc.js';
import type { NenaResult } from './estimateNena.js';

/** Size of each panel's data area, CSS px (the PNG is drawn at twice this). */
const WIDTH = 440;
const HEIGHT = 300;

/** Colours: the smoothed FRC and the fit (blue), the raw FRC and the histogram (grey), marks (red). */
const BLUE = '#1f77b4';
const GREY = '#9a9a9a';
const RED = '#d62728';

/** The FRC panel: raw and smoothed curves, the 1/7 threshold, the crossing. */
function frcPanel(frc: FrcResult): Record<string, unknown> {
  const { frequencyPerNm, frc: raw, smoothed } = frc.curve;
  const values: { q: number; frc: number; kind: string }[] = [];
  // Ring 0 (the mean) is left out: its FRC is 1 by construction. Frequencies in 1/µm.
  for (let k = 1; k < frequencyPerNm.length; k++) {
    values.push({ q: frequencyPerNm[k] * 1000, frc: raw[k], kind: 'FRC' }, { q: frequencyPerNm[k] * 1000, frc: smoothed[k], kind: 'smoothed' });
  }
  const crossing = Number.isFinite(frc.resolutionNm) ? 1000 / frc.resolutionNm : undefined;
  const label = crossing === undefined
    ? 'FRC stays above 1/7: use a finer pixel'
    : `FRC resolution ${frc.resolutionNm.toFixed(1)} ± ${frc.resolutionSdNm.toFixed(1)} nm`;
  return {
    type: 'group',
    encode: { enter: { width: { value: WIDTH }, height: { value: HEIGHT } } },
    title: { text: `Fourier ring correlation (${frc.options.splits} ${frc.options.split} split${frc.options.splits === 1 ? '' : 's'}, pixel ${frc.options.pixelNm.toFixed(1)} nm)`, fontSize: 13 },
    data: [
      { name: 'curve', values },
      { name: 'threshold', values: [{ y: frc.threshold }] },
      { name: 'crossing', values: crossing === undefined ? [] : [{ q: crossing, y: frc.threshold }] },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: { data: 'curve', field: 'q' }, range: [0, WIDTH], zero: true, nice: false },
      { name: 'y', type: 'linear', domain: [-0.2, 1], range: [HEIGHT, 0], nice: false, zero: false, clamp: true },
      { name: 'color', type: 'ordinal', domain: ['FRC', 'smoothed'], range: [GREY, BLUE] },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'spatial frequency [1/µm]', grid: true },
      { orient: 'left', scale: 'y', title: 'FRC', grid: true },
    ],
    legends: [{ stroke: 'color', orient: 'top-right', symbolType: 'stroke' }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'curve', groupby: 'kind' } },
        marks: [{
          type: 'line',
          from: { data: 'series' },
          encode: { enter: { x: { scale: 'x', field: 'q' }, y: { scale: 'y', field: 'frc' }, stroke: { scale: 'color', field: 'kind' }, strokeWidth: { value: 1.5 } } },
        }],
      },
      {
        type: 'rule',
        from: { data: 'threshold' },
        encode: { enter: { x: { value: 0 }, x2: { value: WIDTH }, y: { scale: 'y', field: 'y' }, stroke: { value: RED }, strokeDash: { value: [6, 4] } } },
      },
      {
        type: 'text',
        from: { data: 'threshold' },
        encode: { enter: { x: { value: WIDTH - 4 }, y: { scale: 'y', field: 'y', offset: -4 }, text: { value: '1/7' }, align: { value: 'right' }, fill: { value: RED }, fontSize: { value: 11 } } },
      },
      {
        type: 'rule',
        from: { data: 'crossing' },
        encode: { enter: { x: { scale: 'x', field: 'q' }, y: { scale: 'y', value: -0.2 }, y2: { scale: 'y', value: 1 }, stroke: { value: RED }, strokeWidth: { value: 1 } } },
      },
      {
        type: 'symbol',
        from: { data: 'crossing' },
        encode: { enter: { x: { scale: 'x', field: 'q' }, y: { scale: 'y', field: 'y' }, fill: { value: RED }, size: { value: 50 } } },
      },
      {
        type: 'text',
        encode: { enter: { x: { value: WIDTH - 6 }, y: { value: 70 }, text: { value: label }, align: { value: 'right' }, fontSize: { value: 13 }, fontWeight: { value: 'bold' } } },
      },
    ],
  };
}

/** The NeNA panel: the histogram of next-frame distances, the fitted model and its pair term. */
function nenaPanel(nena: NenaResult): Record<string, unknown> {
  const { counts, expected, expectedPair } = nena.histogram;
  const bars = Array.from(counts, (c, k) => ({ d0: k * nena.binNm, d1: (k + 1) * nena.binNm, count: c }));
  const lines: { d: number; count: number; kind: string }[] = [];
  for (let k = 0; k < counts.length; k++) {
    const d = (k + 0.5) * nena.binNm;
    lines.push({ d, count: expected[k], kind: 'fit (all terms)' }, { d, count: expectedPair[k], kind: 'pair term' });
  }
  return {
    type: 'group',
    encode: { enter: { width: { value: WIDTH }, height: { value: HEIGHT } } },
    title: { text: `NeNA: next-frame nearest-neighbour distances (${nena.pairs} pairs)`, fontSize: 13 },
    data: [
      { name: 'bars', values: bars },
      { name: 'lines', values: lines },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: [0, counts.length * nena.binNm], range: [0, WIDTH], zero: true, nice: false },
      { name: 'y', type: 'linear', domain: { fields: [{ data: 'bars', field: 'count' }, { data: 'lines', field: 'count' }] }, range: [HEIGHT, 0], nice: true, zero: true },
      { name: 'color', type: 'ordinal', domain: ['fit (all terms)', 'pair term'], range: [BLUE, RED] },
      { name: 'dash', type: 'ordinal', domain: ['fit (all terms)', 'pair term'], range: [[1, 0], [5, 3]] },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'distance [nm]', grid: true },
      { orient: 'left', scale: 'y', title: `pairs per ${nena.binNm} nm`, grid: true },
    ],
    legends: [{ stroke: 'color', strokeDash: 'dash', orient: 'top-right', symbolType: 'stroke' }],
    marks: [
      {
        type: 'rect',
        from: { data: 'bars' },
        encode: { enter: { x: { scale: 'x', field: 'd0' }, x2: { scale: 'x', field: 'd1' }, y: { scale: 'y', field: 'count' }, y2: { scale: 'y', value: 0 }, fill: { value: GREY }, fillOpacity: { value: 0.6 } } },
      },
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'lines', groupby: 'kind' } },
        marks: [{
          type: 'line',
          from: { data: 'series' },
          encode: { enter: { x: { scale: 'x', field: 'd' }, y: { scale: 'y', field: 'count' }, stroke: { scale: 'color', field: 'kind' }, strokeDash: { scale: 'dash', field: 'kind' }, strokeWidth: { value: 2 } } },
        }],
      },
      {
        type: 'text',
        encode: { enter: { x: { value: WIDTH - 6 }, y: { value: 70 }, text: { value: `NeNA ${nena.nenaNm.toFixed(2)} ± ${nena.nenaStandardErrorNm.toFixed(2)} nm` }, align: { value: 'right' }, fontSize: { value: 13 }, fontWeight: { value: 'bold' } } },
      },
    ],
  };
}

/**
 * A PNG of the resolution estimates: the FRC curve (raw and smoothed, against spatial
 * frequency) with the 1/7 threshold and the crossing marked, and beside it, when NeNA was had,
 * the histogram of next-frame distances with the fitted model and its pair term. Drawn with
 * Vega (SVG) and rasterized with resvg, both loaded only when a plot is asked for.
 * @param frc - the FRC
 * @param nena - NeNA, when it could be had
 * @returns the PNG's bytes
 */
export async function plotResolution(frc: FrcResult, nena?: NenaResult): Promise<Uint8Array> {
  return renderVegaPng({
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    padding: 12,
    background: 'white',
    layout: { columns: 2, padding: 40 },
    marks: [frcPanel(frc), ...(nena ? [nenaPanel(nena)] : [])],
  });
}

import { renderVegaPng } from '../render/renderVegaPng.js';
import type { CalibrationResult } from './calibrateAstigmatism.js';
import { defocusSigma } from '../fit/models/DefocusCurve.js';

/**
 * A PNG of a calibration: σx(z) and σy(z) as lines over the usable range, every bead's fitted
 * widths as dots (beads left out in grey), so that a user sees whether the beads agree.
 * @returns the PNG's bytes
 */
export function plotCalibration(result: CalibrationResult): Promise<Uint8Array> {
  const { calibration: c, beads, zNm } = result;
  const points: { z: number; sigma: number; axis: string; bead: string }[] = [];
  beads.forEach((b, i) => {
    const group = c.beads[i].kept ? 'kept' : 'left out';
    zNm.forEach((z, k) => {
      if (Number.isFinite(b.sigmaXNm[k])) points.push({ z, sigma: b.sigmaXNm[k], axis: group === 'kept' ? 'σx' : group, bead: group });
      if (Number.isFinite(b.sigmaYNm[k])) points.push({ z, sigma: b.sigmaYNm[k], axis: group === 'kept' ? 'σy' : group, bead: group });
    });
  });
  const lines: { z: number; sigma: number; axis: string }[] = [];
  const [lo, hi] = c.zRangeNm;
  for (let i = 0; i <= 200; i++) {
    const z = lo + ((hi - lo) * i) / 200;
    lines.push({ z, sigma: defocusSigma(c.x, z), axis: 'σx' }, { z, sigma: defocusSigma(c.y, z), axis: 'σy' });
  }
  const kept = c.beads.filter((b) => b.kept).length;
  const zError = c.zError && c.zError.frames > 0 ? `, z error ${c.zError.rmsNm.toFixed(1)} nm` : '';
  const title = `astigmatic calibration: ${kept} of ${c.beads.length} beads, RMS ${c.residualsNm.x.toFixed(1)} nm (x), ${c.residualsNm.y.toFixed(1)} nm (y)${zError}`;
  return renderVegaPng({
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: 640,
    height: 360,
    padding: 8,
    background: 'white',
    title: { text: title, fontSize: 14 },
    data: [
      { name: 'points', values: points },
      { name: 'lines', values: lines },
    ],
    scales: [
      // Both the beads and the curves inside the axes (a curve may run past the beads' frames).
      { name: 'x', type: 'linear', domain: { fields: [{ data: 'points', field: 'z' }, { data: 'lines', field: 'z' }] }, range: 'width', nice: true, zero: false },
      { name: 'y', type: 'linear', domain: { fields: [{ data: 'points', field: 'sigma' }, { data: 'lines', field: 'sigma' }] }, range: 'height', nice: true, zero: true },
      { name: 'color', type: 'ordinal', domain: ['σx', 'σy', 'left out'], range: ['#1f77b4', '#d62728', '#aaaaaa'] },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'z [nm] (0 midway between the foci)', grid: true },
      { orient: 'left', scale: 'y', title: 'σ [nm]', grid: true },
    ],
    legends: [{ fill: 'color', title: 'widths', orient: 'right' }],
    marks: [
      { type: 'symbol', from: { data: 'points' }, encode: { enter: { x: { scale: 'x', field: 'z' }, y: { scale: 'y', field: 'sigma' }, fill: { scale: 'color', field: 'axis' }, size: { value: 10 }, opacity: { value: 0.6 } } } },
      {
        type: 'group',
        from: { facet: { name: 'curve', data: 'lines', groupby: 'axis' } },
        marks: [{ type: 'line', from: { data: 'curve' }, encode: { enter: { x: { scale: 'x', field: 'z' }, y: { scale: 'y', field: 'sigma' }, stroke: { scale: 'color', field: 'axis' }, strokeWidth: { value: 2 } } } }],
      },
    ],
  });
}

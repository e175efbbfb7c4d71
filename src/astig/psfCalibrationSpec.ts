import type { PsfCalibrationResult } from './calibratePsf.js';

/**
 * The Vega specification of a spline PSF calibration's plot: the averaged PSF's xz and yz
 * sections through its centre (x or y in nm across, z in nm up from the focus or the stage's
 * zero, as the result's zOrigin says; brightness as colour), and the leave-one-bead-out z error
 * of every bead frame against its depth, with its RMS per 100 nm and the usable range shaded, so
 * a user sees the PSF's shape and where its z can be trusted. Each panel's size is a plain value
 * (sizes encoded from a signal left the bottom axes drawn at the panels' top, hidden).
 * @param result - calibrate-psf's result
 * @param pixelSizeNm - camera pixel size, nm
 * @returns the Vega specification (plotPsfCalibration renders it)
 */
export function psfCalibrationSpec(result: PsfCalibrationResult, pixelSizeNm: number): Record<string, unknown> {
  const { psf, box: P, planes, planeZNm, leaveOneOut, usableRangeNm } = result;
  const centre = (P - 1) >> 1;
  const step = planes > 1 ? Math.abs(planeZNm[1] - planeZNm[0]) : 1;
  const xz: { a0: number; a1: number; z0: number; z1: number; v: number }[] = [];
  const yz: typeof xz = [];
  for (let k = 0; k < planes; k++) {
    for (let i = 0; i < P; i++) {
      const a = (i - centre) * pixelSizeNm;
      const cell = { a0: a - pixelSizeNm / 2, a1: a + pixelSizeNm / 2, z0: planeZNm[k] - step / 2, z1: planeZNm[k] + step / 2 };
      xz.push({ ...cell, v: psf[(k * P + centre) * P + i] });
      yz.push({ ...cell, v: psf[(k * P + i) * P + centre] });
    }
  }
  const bins = new Map<number, { s: number; n: number }>();
  for (const p of leaveOneOut) {
    const k = Math.round(p.zNm / 100);
    const e = bins.get(k) ?? { s: 0, n: 0 };
    e.s += p.errorNm ** 2;
    e.n++;
    bins.set(k, e);
  }
  const rms = [...bins].sort((a, b) => a[0] - b[0]).map(([k, e]) => ({ z: k * 100, rms: Math.sqrt(e.s / e.n) }));
  const errorLimit = Math.max(50, ...rms.filter((r) => !usableRangeNm || (r.z >= usableRangeNm[0] - 50 && r.z <= usableRangeNm[1] + 50)).map((r) => r.rms * 1.5));
  const points = leaveOneOut.map((p) => ({ z: p.zNm, e: Math.max(-errorLimit, Math.min(errorLimit, p.errorNm)) }));
  const zDomain = [Math.min(...planeZNm) - step / 2, Math.max(...planeZNm) + step / 2];
  const kept = result.beads.filter((b) => b.kept).length;
  // z = 0 is the focus or the stage's zero (calibrate-psf's --z-origin): the axes say which.
  const zTitle = result.zOrigin === 'stage' ? "z [nm] (0 at the stage's zero)" : 'z [nm] (0 at the focus)';
  const error = result.zErrorRmsNm !== undefined && usableRangeNm ? `leave-one-out z error ${result.zErrorRmsNm.toFixed(1)} nm RMS over ${usableRangeNm[0].toFixed(0)}…${usableRangeNm[1].toFixed(0)} nm` : 'no leave-one-out z error';
  const section = (name: string, data: string, axis: string) => ({
    type: 'group',
    title: { text: name, fontSize: 13 },
    signals: [{ name: 'width', value: 200 }, { name: 'height', value: 300 }],
    encode: { enter: { width: { value: 200 }, height: { value: 300 } } },
    scales: [
      { name: 'a', type: 'linear', domain: [-(centre + 0.5) * pixelSizeNm, (centre + 0.5) * pixelSizeNm], range: 'width', nice: false, zero: false },
      { name: 'z', type: 'linear', domain: zDomain, range: 'height', nice: false, zero: false },
    ],
    axes: [
      { orient: 'bottom', scale: 'a', title: `${axis} [nm]`, tickCount: 4, format: 'd', labelOverlap: true },
      { orient: 'left', scale: 'z', title: zTitle },
    ],
    marks: [{ type: 'rect', from: { data }, encode: { enter: { x: { scale: 'a', field: 'a0' }, x2: { scale: 'a', field: 'a1' }, y: { scale: 'z', field: 'z0' }, y2: { scale: 'z', field: 'z1' }, fill: { scale: 'colour', field: 'v' } } } }],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    padding: 10,
    background: 'white',
    title: { text: `spline PSF from ${kept} of ${result.beads.length} beads: ${error}`, fontSize: 14 },
    layout: { columns: 3, padding: 30 },
    data: [
      { name: 'xz', values: xz },
      { name: 'yz', values: yz },
      { name: 'points', values: points },
      { name: 'rms', values: rms },
      { name: 'usable', values: usableRangeNm ? [{ z0: usableRangeNm[0], z1: usableRangeNm[1] }] : [] },
    ],
    scales: [{ name: 'colour', type: 'linear', domain: [0, Math.max(...psf)], range: { scheme: 'viridis' } }],
    marks: [
      section('xz section (y at the centre)', 'xz', 'x'),
      section('yz section (x at the centre)', 'yz', 'y'),
      {
        type: 'group',
        title: { text: 'leave-one-bead-out z error', fontSize: 13 },
        signals: [{ name: 'width', value: 320 }, { name: 'height', value: 300 }],
        encode: { enter: { width: { value: 320 }, height: { value: 300 } } },
        scales: [
          { name: 'z', type: 'linear', domain: zDomain, range: 'width', nice: false, zero: false },
          { name: 'e', type: 'linear', domain: [-errorLimit, errorLimit], range: 'height', nice: true },
        ],
        axes: [
          { orient: 'bottom', scale: 'z', title: zTitle, grid: true },
          { orient: 'left', scale: 'e', title: 'fitted − stage z [nm]', grid: true },
        ],
        marks: [
          { type: 'rect', from: { data: 'usable' }, encode: { enter: { x: { scale: 'z', field: 'z0' }, x2: { scale: 'z', field: 'z1' }, y: { value: 0 }, y2: { signal: 'height' }, fill: { value: '#e8f4e8' } } } },
          { type: 'symbol', from: { data: 'points' }, encode: { enter: { x: { scale: 'z', field: 'z' }, y: { scale: 'e', field: 'e' }, size: { value: 6 }, fill: { value: '#7f7f7f' }, opacity: { value: 0.5 } } } },
          { type: 'line', from: { data: 'rms' }, encode: { enter: { x: { scale: 'z', field: 'z' }, y: { scale: 'e', field: 'rms' }, stroke: { value: '#d62728' }, strokeWidth: { value: 2 } } } },
          { type: 'text', encode: { enter: { x: { value: 6 }, y: { value: 14 }, text: { value: 'red: RMS per 100 nm; green: usable range' }, fontSize: { value: 11 }, fill: { value: '#333' } } } },
        ],
      },
    ],
  };
}

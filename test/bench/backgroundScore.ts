/**
 * Scores a localization CSV against a simulation's truth for the background guide's table:
 * Jaccard, false positives per frame, the precision over the CRLB (RMS error per axis over the
 * RMS of the bound at the true parameters: the pixel-integrated Gaussian of the truth's photons
 * on the truth's local background, the camera's read-noise shift, the run's box), and the
 * uncertainty calibration (RMS reported uncertainty over RMS error, per axis).
 *
 *   node --import tsx test/bench/backgroundScore.ts TRUTH.csv LOCS.csv [--box 7 --sigma-nm 130 --pixel-nm 100 --shift 2.25]
 */
import { parseArgs } from 'node:util';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { readPointTable } from '../../src/evaluate/PointTable.js';
import { erf } from '../../src/fit/erf.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { box: { type: 'string', default: '7' }, 'sigma-nm': { type: 'string', default: '130' }, 'pixel-nm': { type: 'string', default: '100' }, shift: { type: 'string', default: '2.25' } },
});
const [truthPath, locsPath] = positionals;
const box = Number(values.box);
const sigma = Number(values['sigma-nm']) / Number(values['pixel-nm']);
const pixel = Number(values['pixel-nm']);
const shift = Number(values.shift);

/** The CRLB variance of x (px²) for a spot at the window's centre (+ a sub-pixel offset), N photons on b per pixel. */
function crlbX(n: number, b: number, dx: number, dy: number): number {
  const c = box / 2 + dx;
  const r = box / 2 + dy;
  const s2 = Math.SQRT2 * sigma;
  const fisher = new Float64Array(16);
  const g = new Float64Array(4);
  for (let j = 0; j < box; j++) {
    const ey = 0.5 * (erf((j + 1 - r) / s2) - erf((j - r) / s2));
    const dey = (Math.exp(-((j - r) ** 2) / (2 * sigma * sigma)) - Math.exp(-((j + 1 - r) ** 2) / (2 * sigma * sigma))) / (Math.sqrt(2 * Math.PI) * sigma);
    for (let i = 0; i < box; i++) {
      const ex = 0.5 * (erf((i + 1 - c) / s2) - erf((i - c) / s2));
      const dex = (Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)) - Math.exp(-((i + 1 - c) ** 2) / (2 * sigma * sigma))) / (Math.sqrt(2 * Math.PI) * sigma);
      const mu = n * ex * ey + b + shift;
      g[0] = n * dex * ey;
      g[1] = n * ex * dey;
      g[2] = ex * ey;
      g[3] = 1;
      for (let a = 0; a < 4; a++) for (let q = 0; q < 4; q++) fisher[a * 4 + q] += (g[a] * g[q]) / mu;
    }
  }
  return inverseDiagonal(fisher, 4)[0];
}

/** diag(A⁻¹) of a symmetric positive-definite p×p matrix (Gauss–Jordan). */
function inverseDiagonal(a: Float64Array, p: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(p * p);
  for (let i = 0; i < p; i++) inv[i * p + i] = 1;
  for (let k = 0; k < p; k++) {
    const d = m[k * p + k];
    for (let q = 0; q < p; q++) {
      m[k * p + q] /= d;
      inv[k * p + q] /= d;
    }
    for (let i = 0; i < p; i++) {
      if (i === k) continue;
      const f = m[i * p + k];
      for (let q = 0; q < p; q++) {
        m[i * p + q] -= f * m[k * p + q];
        inv[i * p + q] -= f * inv[k * p + q];
      }
    }
  }
  return Float64Array.from({ length: p }, (_, i) => inv[i * p + i]);
}

const T = readPointTable(truthPath);
const F = readPointTable(locsPath);
const { evaluation, pairs } = evaluateLocalizations(T, F);
const ux = F.columns.get('uncertainty_x [nm]') as Float64Array;
const uy = F.columns.get('uncertainty_y [nm]') as Float64Array;
const photons = T.columns.get('photons') as Float64Array;
const background = T.columns.get('background') as Float64Array;
let error2 = 0;
let reported2 = 0;
let bound2 = 0;
for (let k = 0; k < pairs.found.length; k++) {
  const f = pairs.found[k];
  const t = pairs.truth[k];
  error2 += (F.x[f] - T.x[t]) ** 2 + (F.y[f] - T.y[t]) ** 2;
  reported2 += ux[f] ** 2 + uy[f] ** 2;
  const dx = T.x[t] / pixel - Math.floor(T.x[t] / pixel) - 0.5;
  const dy = T.y[t] / pixel - Math.floor(T.y[t] / pixel) - 0.5;
  bound2 += 2 * crlbX(photons[t], background[t], dx, dy) * pixel * pixel;
}
const frames = Math.max(...T.frame) - Math.min(...T.frame) + 1;
const out = {
  jaccard: evaluation.jaccard,
  falsePositivesPerFrame: evaluation.falsePositives / frames,
  falseNegatives: evaluation.falseNegatives,
  rmsErrorNm: Math.sqrt(error2 / (2 * pairs.found.length)),
  rmsBoundNm: Math.sqrt(bound2 / (2 * pairs.found.length)),
  precisionOverCrlb: Math.sqrt(error2 / bound2),
  calibration: Math.sqrt(reported2 / error2),
  matched: pairs.found.length,
};
console.log(JSON.stringify(out));

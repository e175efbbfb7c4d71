import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { GaussianAxis } from '../fit/GaussianAxis.js';

/**
 * ml-levenberg-marquardt stops only at its iteration limit here (its tolerance is on the error
 * itself): bead fits from the centroid settle within 10 (tested from σ 1.0–3.0 px).
 */
const LM_ITERATIONS = 15;

/** An elliptical spot's fit: centre (px in the window), photons, background, σx, σy (px). */
export interface EllipticalFit {
  readonly x: number;
  readonly y: number;
  readonly photons: number;
  readonly background: number;
  readonly sigmaX: number;
  readonly sigmaY: number;
  /** Whether the fit ended inside the window with positive widths and photons. */
  readonly ok: boolean;
}

/**
 * Fit μ = N·Ex(x; σx)·Ey(y; σy) + b, the pixel-integrated elliptical Gaussian, to a square
 * window of photons by weighted least squares (weights 1/max(n, 1), Pearson's, close to the
 * Poisson maximum likelihood for bright beads) with ml-levenberg-marquardt and the analytic
 * Jacobian of the axis terms. For calibration beads: not a hot loop. The one fit outside the
 * PsfModel contract's solver (FisherScoring.ts): the calibration files it makes are defined by
 * this least-squares fit, and moving it would change every calibration (and the 3-D
 * localizations made with it).
 * @param data - photons, row-major, `box` × `box`
 * @param box - window width, px
 * @param start - σ to start from, px
 */
export function fitEllipticalSpot(data: ArrayLike<number>, box: number, start: { sigmaPx: number }): EllipticalFit {
  const ax = new GaussianAxis(box);
  const ay = new GaussianAxis(box);
  let sum = 0;
  let sx = 0;
  let sy = 0;
  let min = Infinity;
  for (let i = 0; i < box * box; i++) min = Math.min(min, data[i]);
  for (let r = 0; r < box; r++) {
    for (let c = 0; c < box; c++) {
      const w = Math.max(0, data[r * box + c] - min);
      sum += w;
      sx += w * (c + 0.5);
      sy += w * (r + 0.5);
    }
  }
  const x0 = sum > 0 ? sx / sum : box / 2;
  const y0 = sum > 0 ? sy / sum : box / 2;
  const xs = Array.from({ length: box * box }, (_, i) => i);
  // Weighted by 1/max(n, 1) through the data: every pixel's value and model divided by
  // √max(n, 1), fitted unweighted (ml-levenberg-marquardt 5.1's `weights` enter its error and
  // its step inversely to each other, so only uniform weights are consistent).
  const scale = Array.from(data, (n) => 1 / Math.sqrt(Math.max(n, 1)));
  const ys = Array.from(data, (n, i) => n * scale[i]);
  // One evaluation of the axes per parameter vector (the model is called pixel by pixel).
  let cached: number[] | undefined;
  const update = (p: number[]) => {
    if (cached && p.every((v, i) => v === cached?.[i])) return;
    ax.evaluate(p[0], p[4], true);
    ay.evaluate(p[1], p[5], true);
    cached = p.slice();
  };
  const model = (p: number[]) => (i: number) => {
    update(p);
    const c = i % box;
    const r = (i - c) / box;
    return (p[2] * ax.value[c] * ay.value[r] + p[3]) * scale[i];
  };
  const jacobian = (p: number[]) => (i: number) => {
    update(p);
    const c = i % box;
    const r = (i - c) / box;
    const ex = ax.value[c];
    const ey = ay.value[r];
    const k = scale[i];
    return [k * p[2] * ax.dCenter[c] * ey, k * p[2] * ex * ay.dCenter[r], k * ex * ey, k, k * p[2] * ax.dSigma[c] * ey, k * p[2] * ex * ay.dSigma[r]];
  };
  const result = levenbergMarquardt({ x: xs, y: ys }, model, {
    initialValues: [x0, y0, Math.max(sum, 1), Math.max(min, 0.1), start.sigmaPx, start.sigmaPx],
    jacobianFunction: jacobian,
    damping: 1e-2,
    maxIterations: LM_ITERATIONS,
    errorTolerance: 1e-9,
    minValues: [0, 0, 1, 0, 0.3, 0.3],
    maxValues: [box, box, 1e9, 1e9, box, box],
  });
  const [x, y, photons, background, sigmaX, sigmaY] = result.parameterValues;
  const inside = (v: number) => v > 0.5 && v < box - 0.5;
  return { x, y, photons, background, sigmaX, sigmaY, ok: inside(x) && inside(y) && photons > 1 && sigmaX > 0.31 && sigmaY > 0.31 && sigmaX < box / 2 && sigmaY < box / 2 };
}

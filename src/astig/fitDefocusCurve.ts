import type { DefocusCurve } from '../fit/models/DefocusCurve.js';
import { curveOf } from '../fit/models/DefocusCurve.js';
import type { LeastSquaresProblem, LeastSquaresStatus } from '../fit/leastSquares.js';
import { leastSquares } from '../fit/leastSquares.js';

/** One axis's curve fitted to widths, and how the fit went. */
export interface DefocusCurveFit {
  readonly curve: DefocusCurve;
  /** RMS of the widths about the curve, nm. */
  readonly rmsNm: number;
  /** Whether the best start's run ended on a convergence test ({@link leastSquares}). */
  readonly converged: boolean;
  readonly status: LeastSquaresStatus;
  readonly iterations: number;
  /** Whether the fit moved from its start (the cost fell): a fit that returns its start fitted nothing. */
  readonly moved: boolean;
  /** Starts tried, and how many of them converged. */
  readonly starts: number;
  readonly convergedStarts: number;
}

/**
 * How far the coefficients A, B may go: beyond ±5 the u³, u⁴ terms swamp u² within a focal
 * depth and the curve is no longer a defocus curve but a polynomial chasing noise.
 */
const MAX_HIGHER_ORDER = 5;
/** The fit moved when its cost fell by more than this share of the start's (rounding aside). */
const MOVED_SHARE = 1e-9;

/**
 * Fit σ(z) = σ0·√(1 + u² + A·u³ + B·u⁴), u = (z − c)/d (the {@link DefocusCurve}) to widths by
 * least squares ({@link leastSquares}: Levenberg–Marquardt with Marquardt's scaling, analytic
 * Jacobian, the terms of defocusJacobian), from several starts, keeping the lowest cost:
 * the focus c at the narrowest point of the widths' median per depth (and a quarter of the span
 * to either side of it), σ0 the median width there, the depth d where the median first reaches
 * √2·σ0 on either side (as u = ±1 does; a quarter of the span when it never does), and ½ d,
 * 2 d; A = B = 0. Bounds: σ0 ≥ 1 nm, c within a span of the depths, d from 1 % to 10 spans,
 * |A|, |B| ≤ 5 (MAX_HIGHER_ORDER).
 * @param zNm - each width's depth, nm
 * @param widthNm - the widths, nm (finite)
 * @returns the best fit, its RMS and whether it converged and moved
 */
export function fitDefocusCurve(zNm: ArrayLike<number>, widthNm: ArrayLike<number>): DefocusCurveFit {
  const m = zNm.length;
  let zMin = Infinity;
  let zMax = -Infinity;
  for (let i = 0; i < m; i++) {
    zMin = Math.min(zMin, zNm[i]);
    zMax = Math.max(zMax, zNm[i]);
  }
  const span = Math.max(zMax - zMin, 1);
  const problem: LeastSquaresProblem = {
    parameters: 5,
    residualCount: m,
    lower: [1, zMin - span, span / 100, -MAX_HIGHER_ORDER, -MAX_HIGHER_ORDER],
    upper: [Number.POSITIVE_INFINITY, zMax + span, 10 * span, MAX_HIGHER_ORDER, MAX_HIGHER_ORDER],
    residuals(theta, out) {
      const [s0, c, d, a, b] = theta;
      for (let i = 0; i < m; i++) {
        const u = (zNm[i] - c) / d;
        const q = 1 + u * u * (1 + u * (a + b * u));
        if (!(q > 0)) return false;
        out[i] = s0 * Math.sqrt(q) - widthNm[i];
      }
      return true;
    },
    jacobian(theta, out) {
      // defocusJacobian's terms, written out (no array per width).
      const [s0, c, d, a, b] = theta;
      for (let i = 0; i < m; i++) {
        const u = (zNm[i] - c) / d;
        const q = Math.max(1 + u * u * (1 + u * (a + b * u)), 1e-12);
        const half = s0 / (2 * Math.sqrt(q));
        const dq = u * (2 + u * (3 * a + 4 * b * u));
        const at = i * 5;
        out[at] = Math.sqrt(q);
        out[at + 1] = -(half * dq) / d;
        out[at + 2] = -(half * dq * u) / d;
        out[at + 3] = half * u * u * u;
        out[at + 4] = half * u * u * u * u;
      }
    },
  };
  const starts = startsOf(zNm, widthNm, span);
  let best: { theta: Float64Array; cost: number; startCost: number; status: LeastSquaresStatus; converged: boolean; iterations: number } | undefined;
  let convergedStarts = 0;
  for (const start of starts) {
    const r = leastSquares(problem, start);
    if (r.converged) convergedStarts++;
    if (!Number.isFinite(r.cost)) continue;
    // The lowest cost wins; among equal costs, a converged run.
    if (!best || r.cost < best.cost * (1 - 1e-12) || (r.converged && !best.converged && r.cost <= best.cost * (1 + 1e-12))) best = r;
  }
  if (!best) {
    const s = starts[0];
    return { curve: curveOf(s), rmsNm: Number.POSITIVE_INFINITY, converged: false, status: 'bad-start', iterations: 0, moved: false, starts: starts.length, convergedStarts };
  }
  return {
    curve: curveOf(best.theta),
    rmsNm: Math.sqrt((2 * best.cost) / m),
    converged: best.converged,
    status: best.status,
    iterations: best.iterations,
    moved: best.cost < best.startCost * (1 - MOVED_SHARE),
    starts: starts.length,
    convergedStarts,
  };
}

/** The starts of {@link fitDefocusCurve}, from the widths' median per depth. */
function startsOf(zNm: ArrayLike<number>, widthNm: ArrayLike<number>, span: number): number[][] {
  // The median width at each depth (the beads of one frame share it).
  const byDepth = new Map<number, number[]>();
  for (let i = 0; i < zNm.length; i++) {
    const list = byDepth.get(zNm[i]);
    if (list) list.push(widthNm[i]);
    else byDepth.set(zNm[i], [widthNm[i]]);
  }
  const depths = [...byDepth.keys()].sort((a, b) => a - b);
  const medians = depths.map((z) => {
    const w = (byDepth.get(z) as number[]).sort((a, b) => a - b);
    return w[w.length >> 1];
  });
  // Smoothed over three neighbouring depths, so one noisy frame does not name the focus.
  const smooth = medians.map((_, k) => {
    const lo = Math.max(0, k - 1);
    const hi = Math.min(medians.length - 1, k + 1);
    let s = 0;
    for (let j = lo; j <= hi; j++) s += medians[j];
    return s / (hi - lo + 1);
  });
  let focus = 0;
  for (let k = 1; k < smooth.length; k++) if (smooth[k] < smooth[focus]) focus = k;
  const sigma0 = Math.max(smooth[focus], 1);
  const c = depths[focus];
  // Where the widths first reach √2·σ0 on each side (u = ±1).
  const reach: number[] = [];
  for (let k = focus + 1; k < smooth.length; k++) {
    if (smooth[k] >= Math.SQRT2 * sigma0) {
      reach.push(depths[k] - c);
      break;
    }
  }
  for (let k = focus - 1; k >= 0; k--) {
    if (smooth[k] >= Math.SQRT2 * sigma0) {
      reach.push(c - depths[k]);
      break;
    }
  }
  const d = reach.length ? reach.reduce((s, v) => s + v, 0) / reach.length : span / 4;
  const starts = [
    [sigma0, c, d, 0, 0],
    [sigma0, c, d / 2, 0, 0],
    [sigma0, c, 2 * d, 0, 0],
    [sigma0, c - span / 4, d, 0, 0],
    [sigma0, c + span / 4, d, 0, 0],
  ];
  return starts;
}

// ../initialGuess.ts in the fit kernel: the 2-D fit's start values from the patch (border
// median for b, the brightest 3×3 window's log-parabola vertex or centroid for x, y, least
// squares for N and b at the start's shape), into θ of FitWorkspace.ts.
import { MAX_WINDOW, MIN_BACKGROUND_GUESS } from '../fitConstants';
import { BOX, EX, EY, SIGMA, TB, TN, TX, TY, setTheta, shape } from './FitWorkspace';

/** The patch's border values, sorted. */
const BORDER = new StaticArray<f64>(64);
/** Sums of three neighbouring pixels, per row. */
const TRIPLES = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);

/** ../initialGuess.ts: logParabolaVertex. */
function logParabolaVertex(a: f64, b: f64, c: f64): f64 {
  if (!(a > 0 && b > 0 && c > 0)) return NaN;
  const la = Math.log(a);
  const lc = Math.log(c);
  const curvature = la - 2 * Math.log(b) + lc;
  if (!(curvature < 0)) return NaN;
  const v = (0.5 * (la - lc)) / curvature;
  return v > -1 && v < 1 ? v : NaN;
}

/** ../initialGuess.ts: start values in θ (TX…TS, σ = SIGMA); false for bad data (non-finite or no positive value). */
export function initialGuess(data: usize): bool {
  const box = BOX;
  let sum: f64 = 0, peak: f64 = -Infinity;
  let nb = 0;
  for (let row = 0; row < box; row++) {
    const edge = row == 0 || row == box - 1;
    for (let col = 0; col < box; col++) {
      const v = load<f64>(data + (<usize>(row * box + col) << 3));
      if (!isFinite<f64>(v)) return false;
      sum += v;
      if (v > peak) peak = v;
      if (edge || col == 0 || col == box - 1) { unchecked(BORDER[nb] = v); nb++; }
    }
  }
  if (!(peak > 0)) return false;
  // The border sorted by merging each value into the sorted ones before it, branch-free:
  // sorted[k] = max(sorted[k − 1], min(sorted[k], v)), with f64x2.pmin/pmax (one instruction
  // each, no test of equal values as f64.min/max need) — the insertion sort's comparisons on
  // noise mispredicted ~30 times a fit. The same sorted values, so the same median.
  // Two positions per step: (k − 1, k) ← max((k − 2, k − 1), min((k − 1, k), v)) from the top
  // down, the slot above the sorted ones set to +∞ first; position 0 (and 1 when a is odd) last.
  const border = changetype<usize>(BORDER);
  for (let a = 1; a < nb; a++) {
    const x = unchecked(BORDER[a]);
    const v = f64x2.splat(x);
    unchecked(BORDER[a] = Infinity);
    let k = a;
    for (; k >= 2; k -= 2) {
      const p = border + (<usize>(k - 1) << 3);
      v128.store(p, f64x2.pmax(v128.load(p - 8), f64x2.pmin(v128.load(p), v)));
    }
    if (k == 1) unchecked(BORDER[1] = f64x2.extract_lane(f64x2.pmax(f64x2.splat(unchecked(BORDER[0])), f64x2.pmin(f64x2.splat(unchecked(BORDER[1])), v)), 0));
    unchecked(BORDER[0] = f64x2.extract_lane(f64x2.pmin(f64x2.splat(unchecked(BORDER[0])), v), 0));
  }
  const half = nb >> 1;
  const median = nb % 2 == 1 ? unchecked(BORDER[half]) : 0.5 * (unchecked(BORDER[half - 1]) + unchecked(BORDER[half]));
  const background = median > MIN_BACKGROUND_GUESS ? median : MIN_BACKGROUND_GUESS;
  // Each row's sums of three neighbouring pixels, once (the windows' sums add three of them,
  // in the same order as summing each window's rows).
  const span = box - 2;
  for (let r = 0; r < box; r++) {
    const k = data + (<usize>(r * box) << 3);
    for (let c = 0; c < span; c++) {
      const q = k + (<usize>c << 3);
      unchecked(TRIPLES[r * span + c] = load<f64>(q) + load<f64>(q + 8) + load<f64>(q + 16));
    }
  }
  let row0 = 0, col0 = 0;
  let best: f64 = -Infinity;
  for (let r = 0; r + 3 <= box; r++) {
    for (let c = 0; c < span; c++) {
      const t = r * span + c;
      const s: f64 = 0 + unchecked(TRIPLES[t]) + unchecked(TRIPLES[t + span]) + unchecked(TRIPLES[t + 2 * span]);
      if (s > best) { best = s; row0 = r; col0 = c; }
    }
  }
  let weight: f64 = 0, sx: f64 = 0, sy: f64 = 0;
  let c0: f64 = 0, c1: f64 = 0, c2: f64 = 0, r0: f64 = 0, r1: f64 = 0, r2: f64 = 0;
  for (let r = 0; r < 3; r++) {
    const k = data + (<usize>((row0 + r) * box + col0) << 3);
    const w0 = load<f64>(k) - background, w1 = load<f64>(k + 8) - background, w2 = load<f64>(k + 16) - background;
    c0 += w0; c1 += w1; c2 += w2;
    const rs = w0 + w1 + w2;
    if (r == 0) r0 = 0 + rs; else if (r == 1) r1 = 0 + rs; else r2 = 0 + rs;
    // The centroid of (n − b)₊: a pixel not above b adds nothing (selected, not branched on).
    const y = <f64>(row0 + r) + 0.5;
    const p0 = select<f64>(w0, 0, w0 > 0), p1 = select<f64>(w1, 0, w1 > 0), p2 = select<f64>(w2, 0, w2 > 0);
    weight += p0; sx += p0 * (<f64>col0 + 0.5); sy += p0 * y;
    weight += p1; sx += p1 * (<f64>(col0 + 1) + 0.5); sy += p1 * y;
    weight += p2; sx += p2 * (<f64>(col0 + 2) + 0.5); sy += p2 * y;
  }
  const vx = logParabolaVertex(c0, c1, c2);
  const vy = logParabolaVertex(r0, r1, r2);
  const startX = !isNaN<f64>(vx) ? <f64>col0 + 1.5 + vx : weight > 0 ? sx / weight : <f64>col0 + 1.5;
  const startY = !isNaN<f64>(vy) ? <f64>row0 + 1.5 + vy : weight > 0 ? sy / weight : <f64>row0 + 1.5;
  setTheta(startX, startY, TN, TB, SIGMA);
  shape();
  let sp: f64 = 0, spp: f64 = 0, snp: f64 = 0;
  let k = data;
  for (let row = 0; row < box; row++) {
    const e = unchecked(EY[row]);
    for (let col = 0; col < box; col++, k += 8) {
      const s = unchecked(EX[col]) * e;
      sp += s; spp += s * s; snp += load<f64>(k) * s;
    }
  }
  const area = <f64>(box * box);
  const det = area * spp - sp * sp;
  const photons = (area * snp - sp * sum) / det;
  const bls = (sum - photons * sp) / area;
  if (det > 0 && photons > 0 && bls > MIN_BACKGROUND_GUESS) setTheta(TX, TY, photons, bls, SIGMA);
  else setTheta(TX, TY, Math.max(Math.max(sum - area * background, peak - background), 1), background, SIGMA);
  return true;
}

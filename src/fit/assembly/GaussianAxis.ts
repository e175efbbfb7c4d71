// ../GaussianAxis.ts in the fit kernel: the pixel-integrated Gaussian along one axis, its
// derivatives in the centre and (asked) in σ, written at caller-given addresses. Every model
// builds μ from two of these (x and y); the boundaries' exp(−t²) come from a recurrence whose
// ratio exp(−1/σ²) is kept for the last σ.
import { INV_SQRT_2PI, MAX_WINDOW } from '../fitConstants';
import { erfcPair } from './erf';

// The recurrence's ratio exp(−1/σ²) and the σ it was computed for.
let RATIO_STEP: f64 = 0;
let RATIO_SIGMA: f64 = NaN;
// exp(−t²) and ½·erfc(|t|) at each pixel boundary.
const GAUSS = new StaticArray<f64>(MAX_WINDOW + 1);
const TAIL = new StaticArray<f64>(MAX_WINDOW + 1);

/** Forget the σ of the kept ratio (a new configuration). */
export function forgetAxisRatio(): void {
  RATIO_SIGMA = NaN;
}

/**
 * GaussianAxis.evaluate: E_i, ∂E_i/∂c, ∂²E_i/∂c² (and with `withSigma` the σ derivatives) of
 * `box` pixels for a Gaussian of width `sigma` centred at `center`, written at the addresses
 * given: one erfc per pixel boundary (from exp(−t²) found by the recurrence; the boundaries
 * two at a time in f64x2), two exp per axis.
 */
export function axisAt(
  center: f64, box: i32, sigma: f64, withSigma: bool, value: usize, dCenter: usize, d2Center: usize,
  dSigma: usize, d2Sigma: usize, dCenterSigma: usize,
): void {
  const invSigma = 1 / sigma;
  const scale = invSigma * Math.SQRT1_2;
  const inv2s2 = 0.5 * invSigma * invSigma;
  if (sigma != RATIO_SIGMA) {
    RATIO_SIGMA = sigma;
    RATIO_STEP = Math.exp(-2 * inv2s2);
  }
  const q = RATIO_STEP;
  let m0 = <i32>Math.round(center);
  if (m0 < 0) m0 = 0; else if (m0 > box) m0 = box;
  const u0 = <f64>m0 - center;
  const g0 = Math.exp(-u0 * u0 * inv2s2);
  unchecked(GAUSS[m0] = g0);
  let g = g0;
  const forward = Math.exp(-(2 * u0 + 1) * inv2s2);
  let ratio = forward;
  for (let m = m0 + 1; m <= box; m++) { g *= ratio; unchecked(GAUSS[m] = g); ratio *= q; }
  g = g0;
  ratio = forward > 0 && forward < Infinity ? q / forward : Math.exp((2 * u0 - 1) * inv2s2);
  for (let m = m0 - 1; m >= 0; m--) { g *= ratio; unchecked(GAUSS[m] = g); ratio *= q; }
  // The box + 1 boundaries two at a time (an even count for the odd boxes of every caller; an
  // odd count's last boundary is paired with itself).
  const half = f64x2.splat(0.5);
  const sc = f64x2.splat(scale);
  const cv = f64x2.splat(center);
  let m = 0;
  for (; m < box; m += 2) {
    const t = f64x2.mul(f64x2.sub(f64x2.replace_lane(f64x2.splat(<f64>m), 1, <f64>(m + 1)), cv), sc);
    const tail = f64x2.mul(half, erfcPair(f64x2.abs(t), v128.load(changetype<usize>(GAUSS) + (<usize>m << 3))));
    v128.store(changetype<usize>(TAIL) + (<usize>m << 3), tail);
  }
  if (m == box) {
    const t = f64x2.splat((<f64>m - center) * scale);
    unchecked(TAIL[m] = f64x2.extract_lane(f64x2.mul(half, erfcPair(f64x2.abs(t), f64x2.splat(unchecked(GAUSS[m])))), 0));
  }
  const k1 = INV_SQRT_2PI * invSigma;
  const k3 = k1 * invSigma * invSigma;
  for (let i = 0; i < box; i++) {
    const ga = unchecked(GAUSS[i]);
    const gb = unchecked(GAUSS[i + 1]);
    const ua = <f64>i - center;
    const ub = ua + 1;
    let v: f64;
    if (ua >= 0) v = unchecked(TAIL[i]) - unchecked(TAIL[i + 1]);
    else if (ub <= 0) v = unchecked(TAIL[i + 1]) - unchecked(TAIL[i]);
    else v = 1 - unchecked(TAIL[i]) - unchecked(TAIL[i + 1]);
    const o = <usize>i << 3;
    store<f64>(value + o, v);
    store<f64>(dCenter + o, (ga - gb) * k1);
    store<f64>(d2Center + o, (ga * ua - gb * ub) * k3);
  }
  if (!withSigma) return;
  const inv2 = invSigma * invSigma;
  const k2 = INV_SQRT_2PI * inv2;
  for (let i = 0; i < box; i++) {
    const ga = unchecked(GAUSS[i]);
    const gb = unchecked(GAUSS[i + 1]);
    const ua = <f64>i - center;
    const ub = ua + 1;
    const ha = ua * ga;
    const hb = ub * gb;
    const ra = ua * ua * inv2;
    const rb = ub * ub * inv2;
    const o = <usize>i << 3;
    store<f64>(dSigma + o, -k2 * (hb - ha));
    store<f64>(d2Sigma + o, -k2 * invSigma * (hb * (rb - 2) - ha * (ra - 2)));
    store<f64>(dCenterSigma + o, k2 * (ga * (ra - 1) - gb * (rb - 1)));
  }
}

// axisPair's boundaries: exp(−t²) of x (lane 0) and y (lane 1) interleaved, boundary m at
// AXIS_OFFSET + m, with room on both sides for the recurrences' steps past the box (a lane whose
// start lies further in runs on into the margin, whose values are never read); ½·erfc(|t|) of
// both axes interleaved at boundary m.
const AXIS_OFFSET = MAX_WINDOW + 1;
const GAUSS_XY = new StaticArray<f64>(2 * (3 * MAX_WINDOW + 3));
const TAIL_XY = new StaticArray<f64>(2 * (MAX_WINDOW + 2));

/**
 * GaussianAxis.evaluate of both axes at once, σ fixed: E_i, ∂E_i/∂c, ∂²E_i/∂c² of `box` pixels
 * for a Gaussian of width `sigma` centred at `cx` (x, written at ex, dex, d2ex) and at `cy` (y,
 * at ey, dey, d2ey); x in one f64x2 lane, y in the other, each lane by the same operations as
 * {@link axisAt}, so the same values: the boundaries' exp(−t²) recurrences run side by side, one
 * erfcPair per boundary, the per-pixel terms selected branch-free.
 */
export function axisPair(cx: f64, cy: f64, box: i32, sigma: f64, ex: usize, dex: usize, d2ex: usize, ey: usize, dey: usize, d2ey: usize): void {
  const invSigma = 1 / sigma;
  const scale = invSigma * Math.SQRT1_2;
  const inv2s2 = 0.5 * invSigma * invSigma;
  if (sigma != RATIO_SIGMA) {
    RATIO_SIGMA = sigma;
    RATIO_STEP = Math.exp(-2 * inv2s2);
  }
  const q = RATIO_STEP;
  let mx = <i32>Math.round(cx);
  if (mx < 0) mx = 0; else if (mx > box) mx = box;
  let my = <i32>Math.round(cy);
  if (my < 0) my = 0; else if (my > box) my = box;
  const ux = <f64>mx - cx, uy = <f64>my - cy;
  const gx = Math.exp(-ux * ux * inv2s2), gy = Math.exp(-uy * uy * inv2s2);
  const fx = Math.exp(-(2 * ux + 1) * inv2s2), fy = Math.exp(-(2 * uy + 1) * inv2s2);
  const gauss = changetype<usize>(GAUSS_XY);
  // Lane 0's boundary m at gauss + 16·(AXIS_OFFSET + m), lane 1's 8 bytes further.
  let px = gauss + (<usize>(AXIS_OFFSET + mx) << 4);
  let py = gauss + (<usize>(AXIS_OFFSET + my) << 4) + 8;
  store<f64>(px, gx); store<f64>(py, gy);
  const g0 = f64x2.replace_lane(f64x2.splat(gx), 1, gy);
  const qv = f64x2.splat(q);
  let g = g0;
  let ratio = f64x2.replace_lane(f64x2.splat(fx), 1, fy);
  const up = box - (mx < my ? mx : my);
  for (let s = 1, ax = px, ay = py; s <= up; s++) {
    ax += 16; ay += 16;
    g = f64x2.mul(g, ratio);
    store<f64>(ax, f64x2.extract_lane(g, 0)); store<f64>(ay, f64x2.extract_lane(g, 1));
    ratio = f64x2.mul(ratio, qv);
  }
  g = g0;
  ratio = f64x2.replace_lane(
    f64x2.splat(fx > 0 && fx < Infinity ? q / fx : Math.exp((2 * ux - 1) * inv2s2)), 1,
    fy > 0 && fy < Infinity ? q / fy : Math.exp((2 * uy - 1) * inv2s2),
  );
  const down = mx > my ? mx : my;
  for (let s = 1; s <= down; s++) {
    px -= 16; py -= 16;
    g = f64x2.mul(g, ratio);
    store<f64>(px, f64x2.extract_lane(g, 0)); store<f64>(py, f64x2.extract_lane(g, 1));
    ratio = f64x2.mul(ratio, qv);
  }
  // ½·erfc(|t|) at each boundary, x and y together.
  const base = gauss + (<usize>AXIS_OFFSET << 4);
  const tails = changetype<usize>(TAIL_XY);
  const half = f64x2.splat(0.5);
  const sc = f64x2.splat(scale);
  const c = f64x2.replace_lane(f64x2.splat(cx), 1, cy);
  for (let m = 0; m <= box; m++) {
    const t = f64x2.mul(f64x2.sub(f64x2.splat(<f64>m), c), sc);
    v128.store(tails + (<usize>m << 4), f64x2.mul(half, erfcPair(f64x2.abs(t), v128.load(base + (<usize>m << 4)))));
  }
  const k1 = f64x2.splat(INV_SQRT_2PI * invSigma);
  const k3 = f64x2.splat(INV_SQRT_2PI * invSigma * invSigma * invSigma);
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  for (let i = 0; i < box; i++) {
    const ga = v128.load(base + (<usize>i << 4));
    const gb = v128.load(base + (<usize>(i + 1) << 4));
    const ta = v128.load(tails + (<usize>i << 4));
    const tb = v128.load(tails + (<usize>(i + 1) << 4));
    const ua = f64x2.sub(f64x2.splat(<f64>i), c);
    const ub = f64x2.add(ua, one);
    // ua ≥ 0: Ta − Tb; else ub ≤ 0: Tb − Ta; else 1 − Ta − Tb.
    const inner = v128.bitselect(f64x2.sub(tb, ta), f64x2.sub(f64x2.sub(one, ta), tb), f64x2.le(ub, zero));
    const v = v128.bitselect(f64x2.sub(ta, tb), inner, f64x2.ge(ua, zero));
    const d = f64x2.mul(f64x2.sub(ga, gb), k1);
    const d2 = f64x2.mul(f64x2.sub(f64x2.mul(ga, ua), f64x2.mul(gb, ub)), k3);
    const o = <usize>i << 3;
    store<f64>(ex + o, f64x2.extract_lane(v, 0)); store<f64>(ey + o, f64x2.extract_lane(v, 1));
    store<f64>(dex + o, f64x2.extract_lane(d, 0)); store<f64>(dey + o, f64x2.extract_lane(d, 1));
    store<f64>(d2ex + o, f64x2.extract_lane(d2, 0)); store<f64>(d2ey + o, f64x2.extract_lane(d2, 1));
  }
}

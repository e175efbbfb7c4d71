// The Newton fit of fitPatches in WebAssembly: an AssemblyScript port of the JavaScript reference
// (erf.ts: erfcGivenExp; GaussianAxis.evaluate; PatchLikelihood's 4-parameter pass, here over
// two rows at a time in f64x2 lanes, and its σ-free pass; newtonSolve for 4 and 5 parameters;
// initialGuess; fitPatch's start, final pass and CRLB), the same arithmetic and the same
// constants (../fitConstants.ts, which both sides import), so the two agree to
// rounding (sums in another order, exp and log differ by an ulp; a test pins iterations,
// statuses and values). Compiled into ../fitKernel.wasm by `npm run build:wasm` (AssemblyScript,
// -O3, stub runtime, SIMD; a test checks the committed binary is this source compiled). Loaded
// by WasmFitKernel.ts, which documents the memory layout. The state of one fit (θ in TX…TS, the
// axis terms, gradient and matrices) lives in module globals: one instance per FitWorkspace.
//
// Not part of the TypeScript program (own tsconfig: AssemblyScript's types f64, i32, unchecked…).
import {
  A0, A1, A2, A3, A4, B0, B1, B2, B3, C0, C1, C2, C3, C4, C5, C6, C7, C8, D0, D1, D2, D3, D4, D5, D6, D7,
  ERF_SMALL_LIMIT, INV_SQRT_PI, INV_SQRT_2PI, P0, P1, P2, P3, P4, P5, Q0, Q1, Q2, Q3, Q4,
  ANTICIPATE_END, DAMPING_DIAGONAL_FLOOR, DAMPING_GROWTH, DAMPING_LIMIT, DAMPING_START, LEAVE_PATCH_PX, LL_GUARD,
  MAX_BACKTRACKS, MAX_SHRINK, MAX_SIGMA_STEP, MIN_BACKGROUND, MIN_BACKGROUND_GUESS, MIN_PHOTONS, SIGMA_RELEASE,
  SIGMA_RELEASE_ITERATIONS, STATUS_BAD_DATA, STATUS_CONVERGED, STATUS_LEFT_PATCH, STATUS_MAX_ITERATIONS,
  STATUS_SINGULAR, WARM_START_MARGIN_PX,
  DAMPING_FLOOR, MAX_EMITTERS, MAX_WINDOW, MIN_EMITTER_PHOTONS, MIN_RESIDUAL_SIGNIFICANCE, MIN_RESIDUAL_VARIANCE,
  MIN_START_BACKGROUND, MIN_START_PHOTONS, MIN_TRIAL_ITERATIONS, NEW_EMITTER_PHOTONS_FACTOR, TRIAL_ITERATION_SHARE,
  TRIAL_TOLERANCE_PX, MAX_Z_STEP_NM, STATUS_Z_RANGE, Z_EDGE_NM, Z_START_HIGH, Z_START_LOW, Z_START_MID,
} from '../fitConstants';

// erf.ts's erfcGivenExp (erfc(y) given e = exp(−y²), y ≥ 0) of two values at once, each lane by
// the same formula and operations as the scalar one (so the same result): the formulas of the
// ranges present are computed for both lanes and each lane takes its own.
// @ts-ignore
@inline function erfcPair(y: v128, e: v128): v128 {
  const small = f64x2.le(y, f64x2.splat(ERF_SMALL_LIMIT));
  const middle = f64x2.le(y, f64x2.splat(4));
  const y2 = f64x2.mul(y, y);
  let out = f64x2.splat(0);
  if (v128.any_true(small)) {
    const num = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.splat(A4), y2), f64x2.splat(A0)), y2), f64x2.splat(A1)), y2), f64x2.splat(A2)), y2), f64x2.splat(A3));
    const den = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(y2, f64x2.splat(B0)), y2), f64x2.splat(B1)), y2), f64x2.splat(B2)), y2), f64x2.splat(B3));
    out = f64x2.sub(f64x2.splat(1), f64x2.div(f64x2.mul(y, num), den));
    if (i64x2.all_true(small)) return out;
  }
  if (v128.any_true(v128.andnot(middle, small))) {
    const y4 = f64x2.mul(y2, y2);
    const num = f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.splat(C7), f64x2.mul(f64x2.splat(C6), y)), f64x2.mul(y2, f64x2.add(f64x2.splat(C5), f64x2.mul(f64x2.splat(C4), y)))),
      f64x2.mul(y4, f64x2.add(f64x2.add(f64x2.splat(C3), f64x2.mul(f64x2.splat(C2), y)), f64x2.mul(y2, f64x2.add(f64x2.splat(C1), f64x2.mul(f64x2.splat(C0), y)))))), f64x2.mul(f64x2.mul(y4, y4), f64x2.splat(C8)));
    const den = f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.splat(D7), f64x2.mul(f64x2.splat(D6), y)), f64x2.mul(y2, f64x2.add(f64x2.splat(D5), f64x2.mul(f64x2.splat(D4), y)))),
      f64x2.mul(y4, f64x2.add(f64x2.add(f64x2.splat(D3), f64x2.mul(f64x2.splat(D2), y)), f64x2.mul(y2, f64x2.add(f64x2.splat(D1), f64x2.mul(f64x2.splat(D0), y)))))), f64x2.mul(y4, y4));
    out = v128.bitselect(out, f64x2.mul(e, f64x2.div(num, den)), small);
  }
  if (!i64x2.all_true(middle)) {
    const s = f64x2.div(f64x2.splat(1), y2);
    let num = f64x2.mul(f64x2.splat(P5), s);
    let den = s;
    num = f64x2.mul(f64x2.add(num, f64x2.splat(P0)), s); den = f64x2.mul(f64x2.add(den, f64x2.splat(Q0)), s);
    num = f64x2.mul(f64x2.add(num, f64x2.splat(P1)), s); den = f64x2.mul(f64x2.add(den, f64x2.splat(Q1)), s);
    num = f64x2.mul(f64x2.add(num, f64x2.splat(P2)), s); den = f64x2.mul(f64x2.add(den, f64x2.splat(Q2)), s);
    num = f64x2.mul(f64x2.add(num, f64x2.splat(P3)), s); den = f64x2.mul(f64x2.add(den, f64x2.splat(Q3)), s);
    const r = f64x2.div(f64x2.mul(s, f64x2.add(num, f64x2.splat(P4))), f64x2.add(den, f64x2.splat(Q4)));
    out = v128.bitselect(out, f64x2.mul(e, f64x2.div(f64x2.sub(f64x2.splat(INV_SQRT_PI), r), y)), middle);
  }
  return out;
}

// The natural logarithm of two positive, finite, normal f64 at once (μ of two pixels): fdlibm's
// e_log.c algorithm (x = 2^k·(1 + f) with 1 + f in [√2/2, √2), s = f/(2 + f), ln(1 + f) =
// f − f²/2 + s·(f²/2 + R(s²)) with its minimax R of degree 14), < 1 ulp like V8's Math.log and
// AssemblyScript's; branch-free, as SIMD needs (μ > 0 always: b ≥ MIN_BACKGROUND).
const LOG_C1: f64 = 6.666666666666735130e-01;
const LOG_C2: f64 = 3.999999999940941908e-01;
const LOG_C3: f64 = 2.857142874366239149e-01;
const LOG_C4: f64 = 2.222219843214978396e-01;
const LOG_C5: f64 = 1.818357216161805012e-01;
const LOG_C6: f64 = 1.531383769920937332e-01;
const LOG_C7: f64 = 1.479819860511658591e-01;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;

// @ts-ignore
@inline function logPair(x: v128): v128 {
  // The high word moved so that the mantissa's binade starts at √2/2: k = its exponent.
  const ix = i64x2.add(x, i64x2.splat(0x00095f6200000000));
  const k = i64x2.sub(i64x2.shr_s(ix, 52), i64x2.splat(0x3ff));
  const m = i64x2.add(v128.and(ix, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3fe6a09e00000000));
  // k to f64 exactly: its bits added to those of 1.5·2⁵², minus 1.5·2⁵².
  const magic = f64x2.splat(6755399441055744.0);
  const dk = f64x2.sub(i64x2.add(k, magic), magic);
  const f = f64x2.sub(m, f64x2.splat(1));
  const hfsq = f64x2.mul(f64x2.splat(0.5), f64x2.mul(f, f));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f64x2.splat(LOG_C2), f64x2.mul(w, f64x2.add(f64x2.splat(LOG_C4), f64x2.mul(w, f64x2.splat(LOG_C6))))));
  const t2 = f64x2.mul(z, f64x2.add(f64x2.splat(LOG_C1), f64x2.mul(w, f64x2.add(f64x2.splat(LOG_C3), f64x2.mul(w, f64x2.add(f64x2.splat(LOG_C5), f64x2.mul(w, f64x2.splat(LOG_C7))))))));
  const r = f64x2.add(t2, t1);
  // s·(hfsq + R) + k·ln2_lo − hfsq + f + k·ln2_hi, in that order.
  const low = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(dk, f64x2.splat(LN2_LO)));
  return f64x2.add(f64x2.add(f64x2.sub(low, hfsq), f), f64x2.mul(dk, f64x2.splat(LN2_HI)));
}

/**
 * ../poissonLogLikelihood.ts: Σ (n + s)·ln(μ + s) − (μ + s) over n pixels, μ at mu and the
 * counts n at data (f64 each; with `shifted`, each pixel's shift s at data + delta), a term
 * 0·ln μ where n + s ≤ 0: the Poisson log-likelihood of the multi-emitter and 3-D fits, summed
 * in pixel order, the logarithms two at a time (logPair; μ + s > 0 checked by the caller, and
 * ≥ MIN_BACKGROUND).
 */
function logLikelihoodSum(mu: usize, data: usize, n: i32, shifted: bool, delta: usize): f64 {
  let ll: f64 = 0;
  const zero = f64x2.splat(0);
  const pairs = <usize>(n >> 1) << 4;
  for (let o: usize = 0; o < pairs; o += 16) {
    let m = v128.load(mu + o);
    let c = v128.load(data + o);
    if (shifted) {
      const s = v128.load(data + o + delta);
      m = f64x2.add(m, s);
      c = f64x2.add(c, s);
    }
    const t = f64x2.sub(v128.bitselect(f64x2.mul(c, logPair(m)), zero, f64x2.gt(c, zero)), m);
    ll += f64x2.extract_lane(t, 0);
    ll += f64x2.extract_lane(t, 1);
  }
  if (n & 1) {
    const o = pairs;
    const s: f64 = shifted ? load<f64>(data + o + delta) : 0;
    const m = load<f64>(mu + o) + s;
    const c = load<f64>(data + o) + s;
    ll += f64x2.extract_lane(f64x2.sub(v128.bitselect(f64x2.mul(f64x2.splat(c), logPair(f64x2.splat(m))), zero, f64x2.gt(f64x2.splat(c), zero)), f64x2.splat(m)), 0);
  }
  return ll;
}

// Configuration (configure()).
let BOX: i32 = 5;
let SIGMA: f64 = 1;
let MAX_IT: i32 = 50;
let TOL: f64 = 1e-4;
let MAX_STEP: f64 = 1;
let RATIO_STEP: f64 = 0;
let FIT_SIGMA: bool = false;
let SIGMA_MIN: f64 = 0.3;
let SIGMA_MAX: f64 = 2.5;
// σ of the current estimate (TS) and the σ RATIO_STEP was computed for.
let TS: f64 = 1;
let RATIO_SIGMA: f64 = NaN;

// Axis terms (GaussianAxis): E, ∂E/∂c, ∂²E/∂c² along x and y, and with σ free ∂E/∂σ, ∂²E/∂σ²,
// ∂²E/∂c∂σ; boundary scratch.
const EX = new StaticArray<f64>(16);
const DEX = new StaticArray<f64>(16);
const D2EX = new StaticArray<f64>(16);
const EY = new StaticArray<f64>(16);
const DEY = new StaticArray<f64>(16);
const D2EY = new StaticArray<f64>(16);
const SEX = new StaticArray<f64>(16);
const S2EX = new StaticArray<f64>(16);
const CSEX = new StaticArray<f64>(16);
const SEY = new StaticArray<f64>(16);
const S2EY = new StaticArray<f64>(16);
const CSEY = new StaticArray<f64>(16);
const GAUSS = new StaticArray<f64>(MAX_WINDOW + 1);
const TAIL = new StaticArray<f64>(MAX_WINDOW + 1);
const BORDER = new StaticArray<f64>(64);
/** initialGuess's sums of three neighbouring pixels, per row. */
const TRIPLES = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);

/**
 * Set the fit: box (odd, 3–15), σ (px; the start value when fitted), iteration limit, step
 * tolerance, largest x/y step (px), whether σ is a fifth parameter, its range (px), and the
 * camera's noise scale (the CRLB's factor, F²/QE).
 */
export function configure(box: i32, sigma: f64, maxIterations: i32, tolerance: f64, maxStepPx: f64, fitSigma: bool, sigmaMin: f64, sigmaMax: f64, noiseScale: f64): void {
  BOX = box; SIGMA = sigma; MAX_IT = maxIterations; TOL = tolerance; MAX_STEP = maxStepPx;
  FIT_SIGMA = fitSigma; SIGMA_MIN = sigmaMin; SIGMA_MAX = sigmaMax; NOISE_SCALE = noiseScale;
  TS = sigma; RATIO_SIGMA = NaN;
  AX = NaN; AY = NaN; AS = NaN;
}

/**
 * GaussianAxis.evaluate: E_i, ∂E_i/∂c, ∂²E_i/∂c² (and with `withSigma` the σ derivatives) of
 * `box` pixels for a Gaussian of width `sigma` centred at `center`, written at the addresses
 * given: one erfc per pixel boundary (from exp(−t²) found by the recurrence; the boundaries
 * two at a time in f64x2), two exp per axis.
 */
function axisAt(
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

/** The single fit's axis terms, for the patch's box and the current σ. */
// @ts-ignore
@inline function axis(
  center: f64, value: StaticArray<f64>, dCenter: StaticArray<f64>, d2Center: StaticArray<f64>,
  dSigma: StaticArray<f64>, d2Sigma: StaticArray<f64>, dCenterSigma: StaticArray<f64>,
): void {
  axisAt(center, BOX, TS, FIT_SIGMA, changetype<usize>(value), changetype<usize>(dCenter), changetype<usize>(d2Center), changetype<usize>(dSigma), changetype<usize>(d2Sigma), changetype<usize>(dCenterSigma));
}

// The camera's shifts: whether the batch has them, and where a pixel's shift is relative to its
// datum (fitBatch).
let SHIFTED: bool = false;
let SHIFT_DELTA: usize = 0;
// The CRLB's factor: a pixel's variance is NOISE_SCALE · (μ + s) (F²/QE, 2 with an EM register).
let NOISE_SCALE: f64 = 1;

// θ = (x, y, N, b), the x and y of the axis terms, gradient, Hessian, Fisher information, Σ(n − μ)².
let TX: f64 = 0, TY: f64 = 0, TN: f64 = 0, TB: f64 = 0;
let AX: f64 = NaN, AY: f64 = NaN, AS: f64 = NaN;
const G = new StaticArray<f64>(4);
const H = new StaticArray<f64>(16);
const F = new StaticArray<f64>(16);
let RSS: f64 = 0;
/** Pearson's χ² of the last pass with ℓ, Σ (n − μ)² / μ (shifts included in n and μ). */
let CHI2: f64 = 0;

function shape(): void {
  if (TS != AS) { AS = TS; AX = NaN; AY = NaN; }
  if (TX != AX) { axis(TX, EX, DEX, D2EX, SEX, S2EX, CSEX); AX = TX; }
  if (TY != AY) { axis(TY, EY, DEY, D2EY, SEY, S2EY, CSEY); AY = TY; }
}

function fill4(m: StaticArray<f64>, a00: f64, a01: f64, a02: f64, a03: f64, a11: f64, a12: f64, a13: f64, a22: f64, a23: f64, a33: f64): void {
  unchecked(m[0] = a00); unchecked(m[1] = a01); unchecked(m[2] = a02); unchecked(m[3] = a03);
  unchecked(m[4] = a01); unchecked(m[5] = a11); unchecked(m[6] = a12); unchecked(m[7] = a13);
  unchecked(m[8] = a02); unchecked(m[9] = a12); unchecked(m[10] = a22); unchecked(m[11] = a23);
  unchecked(m[12] = a03); unchecked(m[13] = a13); unchecked(m[14] = a23); unchecked(m[15] = a33);
}

// The pass over two rows at once, one per f64x2 lane (rows j and j + 1; with an odd box the
// last row pairs with itself, its second lane weighted 0): each lane accumulates its row's
// column sums exactly as the scalar pass does, and the row-factored totals accumulate per lane,
// added across lanes once at the end.
// With `shifted`, every pixel's data and model get the camera's shift s_k (the shifted-Poisson
// likelihood of n + s with mean μ + s, docs/design.md §6), read at data + SHIFT_DELTA.
// @ts-ignore
@inline function pass(data: usize, wantHessian: bool, wantInfo: bool, shifted: bool): f64 {
  shape();
  const box = BOX;
  const photons = TN, background = TB;
  const n2 = photons * photons;
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  const bgv = f64x2.splat(background);
  const pv = f64x2.splat(photons);
  const n2v = f64x2.splat(n2);
  let llv = zero, rssv = zero, chiv = zero;
  let gx = zero, gy = zero, gn = zero, gb = zero;
  let hxx = zero, hxy = zero, hxn = zero, hxb = zero, hyy = zero, hyn = zero, hyb = zero, hnn = zero, hnb = zero, hbb = zero;
  let fxx = zero, fxy = zero, fxn = zero, fxb = zero, fyy = zero, fyn = zero, fyb = zero, fnn = zero, fnb = zero, fbb = zero;
  const rowBytes = <usize>box << 3;
  for (let j = 0; j < box; j += 2) {
    const pair = j + 1 < box;
    const j2 = pair ? j + 1 : j;
    const m1: f64 = pair ? 1 : 0;
    // Row factors per lane (0 in an unpaired second lane), and the weight of the factorless sums.
    const e = f64x2.replace_lane(f64x2.splat(unchecked(EY[j])), 1, m1 * unchecked(EY[j2]));
    const mask = f64x2.replace_lane(one, 1, m1);
    const ne = f64x2.mul(pv, e);
    let w0 = zero, w1 = zero, w2 = zero, w3 = zero;
    let v0 = zero, v1 = zero, v2 = zero, v11 = zero, v12 = zero, v22 = zero;
    let r0 = zero, r1 = zero, r2 = zero, r11 = zero, r12 = zero, r22 = zero;
    let k = data + <usize>j * rowBytes;
    const k2 = data + <usize>j2 * rowBytes - k;
    for (let i = 0; i < box; i++, k += 8) {
      const exi = f64x2.splat(unchecked(EX[i]));
      const dexi = f64x2.splat(unchecked(DEX[i]));
      let mu = f64x2.add(f64x2.mul(ne, exi), bgv);
      let n = f64x2.replace_lane(f64x2.splat(load<f64>(k)), 1, load<f64>(k + k2));
      if (shifted) {
        const sk = f64x2.replace_lane(f64x2.splat(load<f64>(k + SHIFT_DELTA)), 1, load<f64>(k + k2 + SHIFT_DELTA));
        mu = f64x2.add(mu, sk);
        n = f64x2.add(n, sk);
      }
      const r = f64x2.div(one, mu);
      const nr = f64x2.mul(n, r);
      const w = f64x2.sub(nr, one);
      w0 = f64x2.add(w0, w);
      w1 = f64x2.add(w1, f64x2.mul(w, exi));
      w2 = f64x2.add(w2, f64x2.mul(w, dexi));
      if (wantHessian) {
        const v = f64x2.mul(nr, r);
        const vex = f64x2.mul(v, exi);
        const vdex = f64x2.mul(v, dexi);
        w3 = f64x2.add(w3, f64x2.mul(w, f64x2.splat(unchecked(D2EX[i]))));
        v0 = f64x2.add(v0, v);
        v1 = f64x2.add(v1, vex);
        v2 = f64x2.add(v2, vdex);
        v11 = f64x2.add(v11, f64x2.mul(vex, exi));
        v12 = f64x2.add(v12, f64x2.mul(vex, dexi));
        v22 = f64x2.add(v22, f64x2.mul(vdex, dexi));
      }
      if (wantInfo) {
        const rex = f64x2.mul(r, exi);
        const rdex = f64x2.mul(r, dexi);
        r0 = f64x2.add(r0, r);
        r1 = f64x2.add(r1, rex);
        r2 = f64x2.add(r2, rdex);
        r11 = f64x2.add(r11, f64x2.mul(rex, exi));
        r12 = f64x2.add(r12, f64x2.mul(rex, dexi));
        r22 = f64x2.add(r22, f64x2.mul(rdex, dexi));
        // n·ln μ − μ (0·ln μ = 0), (n − μ)², (n − μ)²/μ per lane; the unpaired lane weighted 0.
        const nl = v128.bitselect(f64x2.splat(0), f64x2.mul(n, logPair(mu)), f64x2.eq(n, zero));
        const dn = f64x2.sub(n, mu);
        const dn2 = f64x2.mul(dn, dn);
        llv = f64x2.add(llv, f64x2.mul(mask, f64x2.sub(nl, mu)));
        rssv = f64x2.add(rssv, f64x2.mul(mask, dn2));
        chiv = f64x2.add(chiv, f64x2.mul(mask, f64x2.mul(dn2, r)));
      }
    }
    // ∂μ/∂x = N·Ex'·Ey, ∂μ/∂y = N·Ex·Ey', ∂μ/∂N = Ex·Ey, ∂μ/∂b = 1.
    const d = f64x2.replace_lane(f64x2.splat(unchecked(DEY[j])), 1, m1 * unchecked(DEY[j2]));
    const nd = f64x2.mul(pv, d);
    const ee = f64x2.mul(e, e);
    const ed = f64x2.mul(e, d);
    gx = f64x2.add(gx, f64x2.mul(ne, w2));
    gy = f64x2.add(gy, f64x2.mul(nd, w1));
    gn = f64x2.add(gn, f64x2.mul(e, w1));
    gb = f64x2.add(gb, f64x2.mul(mask, w0));
    if (wantHessian) {
      const d2 = f64x2.replace_lane(f64x2.splat(unchecked(D2EY[j])), 1, m1 * unchecked(D2EY[j2]));
      hxx = f64x2.add(hxx, f64x2.sub(f64x2.mul(ne, w3), f64x2.mul(f64x2.mul(n2v, ee), v22)));
      hxy = f64x2.add(hxy, f64x2.sub(f64x2.mul(nd, w2), f64x2.mul(f64x2.mul(n2v, ed), v12)));
      hxn = f64x2.add(hxn, f64x2.sub(f64x2.mul(e, w2), f64x2.mul(f64x2.mul(pv, ee), v12)));
      hxb = f64x2.sub(hxb, f64x2.mul(ne, v2));
      hyy = f64x2.add(hyy, f64x2.sub(f64x2.mul(f64x2.mul(pv, d2), w1), f64x2.mul(f64x2.mul(n2v, f64x2.mul(d, d)), v11)));
      hyn = f64x2.add(hyn, f64x2.sub(f64x2.mul(d, w1), f64x2.mul(f64x2.mul(pv, ed), v11)));
      hyb = f64x2.sub(hyb, f64x2.mul(nd, v1));
      hnn = f64x2.sub(hnn, f64x2.mul(ee, v11));
      hnb = f64x2.sub(hnb, f64x2.mul(e, v1));
      hbb = f64x2.sub(hbb, f64x2.mul(mask, v0));
    }
    if (wantInfo) {
      fxx = f64x2.add(fxx, f64x2.mul(f64x2.mul(n2v, ee), r22));
      fxy = f64x2.add(fxy, f64x2.mul(f64x2.mul(n2v, ed), r12));
      fxn = f64x2.add(fxn, f64x2.mul(f64x2.mul(pv, ee), r12));
      fxb = f64x2.add(fxb, f64x2.mul(ne, r2));
      fyy = f64x2.add(fyy, f64x2.mul(f64x2.mul(n2v, f64x2.mul(d, d)), r11));
      fyn = f64x2.add(fyn, f64x2.mul(f64x2.mul(pv, ed), r11));
      fyb = f64x2.add(fyb, f64x2.mul(nd, r1));
      fnn = f64x2.add(fnn, f64x2.mul(ee, r11));
      fnb = f64x2.add(fnb, f64x2.mul(e, r1));
      fbb = f64x2.add(fbb, f64x2.mul(mask, r0));
    }
  }
  unchecked(G[0] = lanes(gx)); unchecked(G[1] = lanes(gy)); unchecked(G[2] = lanes(gn)); unchecked(G[3] = lanes(gb));
  if (wantHessian) fill4(H, lanes(hxx), lanes(hxy), lanes(hxn), lanes(hxb), lanes(hyy), lanes(hyn), lanes(hyb), lanes(hnn), lanes(hnb), lanes(hbb));
  if (wantInfo) { fill4(F, lanes(fxx), lanes(fxy), lanes(fxn), lanes(fxb), lanes(fyy), lanes(fyn), lanes(fyb), lanes(fnn), lanes(fnb), lanes(fbb)); RSS = lanes(rssv); CHI2 = lanes(chiv); }
  return lanes(llv);
}

// @ts-ignore
@inline function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// The three passes, each compiled twice: for a Poisson camera and with the camera's shift.
function passNewton(data: usize): void { if (SHIFTED) pass(data, true, false, true); else pass(data, true, false, false); }
function passFull(data: usize): f64 { return SHIFTED ? pass(data, true, true, true) : pass(data, true, true, false); }
function passInfo(data: usize): f64 { return SHIFTED ? pass(data, false, true, true) : pass(data, false, true, false); }

/** The Newton step δθ (x, y, N, b, σ). */
const STEP = new StaticArray<f64>(5);

/** newtonSolve's solveUndamped4: (−H)·δ = ∇ℓ for 4 parameters by an unrolled Cholesky. */
function solveUndamped(): bool {
  const a00 = -unchecked(H[0]);
  if (!(a00 > 0)) return false;
  const l00 = Math.sqrt(a00);
  const l10 = -unchecked(H[4]) / l00;
  const l20 = -unchecked(H[8]) / l00;
  const l30 = -unchecked(H[12]) / l00;
  const d1 = -unchecked(H[5]) - l10 * l10;
  if (!(d1 > 0)) return false;
  const l11 = Math.sqrt(d1);
  const l21 = (-unchecked(H[9]) - l20 * l10) / l11;
  const l31 = (-unchecked(H[13]) - l30 * l10) / l11;
  const d2 = -unchecked(H[10]) - l20 * l20 - l21 * l21;
  if (!(d2 > 0)) return false;
  const l22 = Math.sqrt(d2);
  const l32 = (-unchecked(H[14]) - l30 * l20 - l31 * l21) / l22;
  const d3 = -unchecked(H[15]) - l30 * l30 - l31 * l31 - l32 * l32;
  if (!(d3 > 0)) return false;
  const l33 = Math.sqrt(d3);
  const z0 = unchecked(G[0]) / l00;
  const z1 = (unchecked(G[1]) - l10 * z0) / l11;
  const z2 = (unchecked(G[2]) - l20 * z0 - l21 * z1) / l22;
  const z3 = (unchecked(G[3]) - l30 * z0 - l31 * z1 - l32 * z2) / l33;
  const x3 = z3 / l33;
  const x2 = (z2 - l32 * x3) / l22;
  const x1 = (z1 - l21 * x2 - l31 * x3) / l11;
  unchecked(STEP[0] = (z0 - l10 * x1 - l20 * x2 - l30 * x3) / l00);
  unchecked(STEP[1] = x1); unchecked(STEP[2] = x2); unchecked(STEP[3] = x3);
  return true;
}

/** The CRLB variances of the last fit (x, y, N, b, σ). */
const CR = new StaticArray<f64>(5);

/** initialGuess.ts: logParabolaVertex. */
function logParabolaVertex(a: f64, b: f64, c: f64): f64 {
  if (!(a > 0 && b > 0 && c > 0)) return NaN;
  const la = Math.log(a);
  const lc = Math.log(c);
  const curvature = la - 2 * Math.log(b) + lc;
  if (!(curvature < 0)) return NaN;
  const v = (0.5 * (la - lc)) / curvature;
  return v > -1 && v < 1 ? v : NaN;
}

/** initialGuess.ts: start values in TX…TB; false for bad data (non-finite or no positive value). */
function initialGuess(data: usize): bool {
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
  TX = !isNaN<f64>(vx) ? <f64>col0 + 1.5 + vx : weight > 0 ? sx / weight : <f64>col0 + 1.5;
  TY = !isNaN<f64>(vy) ? <f64>row0 + 1.5 + vy : weight > 0 ? sy / weight : <f64>row0 + 1.5;
  TS = SIGMA;
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
  if (det > 0 && photons > 0 && bls > MIN_BACKGROUND_GUESS) { TN = photons; TB = bls; }
  else { TN = Math.max(Math.max(sum - area * background, peak - background), 1); TB = background; }
  return true;
}

let STATUS: i32 = 0;
let ITER: i32 = 0;
let LL: f64 = 0;
let READY: bool = false;


// ---- σ free: θ = (x, y, N, b, σ) — PatchLikelihood.passFreeSigma, and newtonSolve for 4 or 5
// parameters (σ held until x, y, N, b settle; steps that lower ℓ are halved back).

const G5 = new StaticArray<f64>(5);
const H5 = new StaticArray<f64>(25);
const F5 = new StaticArray<f64>(25);

/** passFreeSigma: gradient, and the Hessian, Fisher information and ℓ as asked (ℓ returned). */
function passFree(data: usize, wantHessian: bool, wantFisher: bool, wantLl: bool): f64 {
  shape();
  const box = BOX;
  const photons = TN, background = TB;
  let ll: f64 = 0, rss: f64 = 0, chi2: f64 = 0;
  let gx: f64 = 0, gy: f64 = 0, gn: f64 = 0, gb: f64 = 0, gs: f64 = 0;
  let h0: f64 = 0, h1: f64 = 0, h2: f64 = 0, h3: f64 = 0, h4: f64 = 0, h6: f64 = 0, h7: f64 = 0, h8: f64 = 0, h9: f64 = 0;
  let h12: f64 = 0, h13: f64 = 0, h14: f64 = 0, h18: f64 = 0, h19: f64 = 0, h24: f64 = 0;
  let f0: f64 = 0, f1: f64 = 0, f2: f64 = 0, f3: f64 = 0, f4: f64 = 0, f6: f64 = 0, f7: f64 = 0, f8: f64 = 0, f9: f64 = 0;
  let f12: f64 = 0, f13: f64 = 0, f14: f64 = 0, f18: f64 = 0, f19: f64 = 0, f24: f64 = 0;
  let k = data;
  for (let j = 0; j < box; j++) {
    const eyj = unchecked(EY[j]);
    const deyj = unchecked(DEY[j]);
    const d2eyj = unchecked(D2EY[j]);
    const seyj = unchecked(SEY[j]);
    const s2eyj = unchecked(S2EY[j]);
    const cseyj = unchecked(CSEY[j]);
    for (let i = 0; i < box; i++, k += 8) {
      const exi = unchecked(EX[i]);
      const dexi = unchecked(DEX[i]);
      const sexi = unchecked(SEX[i]);
      const dmn = exi * eyj;
      const dmx = photons * dexi * eyj;
      const dmy = photons * exi * deyj;
      const dmsUnit = sexi * eyj + exi * seyj;
      const dms = photons * dmsUnit;
      const sk: f64 = SHIFTED ? load<f64>(k + SHIFT_DELTA) : 0;
      const mu = photons * dmn + background + sk;
      const n = load<f64>(k) + sk;
      const r = 1 / mu;
      const nr = n * r;
      const w = nr - 1;
      gx += w * dmx; gy += w * dmy; gn += w * dmn; gb += w; gs += w * dms;
      if (wantHessian) {
        const v = nr * r;
        const mxx = photons * unchecked(D2EX[i]) * eyj;
        const mxy = photons * dexi * deyj;
        const mxn = dexi * eyj;
        const mxs = photons * (unchecked(CSEX[i]) * eyj + dexi * seyj);
        const myy = photons * exi * d2eyj;
        const myn = exi * deyj;
        const mys = photons * (sexi * deyj + exi * cseyj);
        const mss = photons * (unchecked(S2EX[i]) * eyj + 2 * sexi * seyj + exi * s2eyj);
        h0 += w * mxx - v * dmx * dmx;
        h1 += w * mxy - v * dmx * dmy;
        h2 += w * mxn - v * dmx * dmn;
        h3 -= v * dmx;
        h4 += w * mxs - v * dmx * dms;
        h6 += w * myy - v * dmy * dmy;
        h7 += w * myn - v * dmy * dmn;
        h8 -= v * dmy;
        h9 += w * mys - v * dmy * dms;
        h12 -= v * dmn * dmn;
        h13 -= v * dmn;
        h14 += w * dmsUnit - v * dmn * dms;
        h18 -= v;
        h19 -= v * dms;
        h24 += w * mss - v * dms * dms;
      }
      if (wantFisher) {
        f0 += r * dmx * dmx; f1 += r * dmx * dmy; f2 += r * dmx * dmn; f3 += r * dmx; f4 += r * dmx * dms;
        f6 += r * dmy * dmy; f7 += r * dmy * dmn; f8 += r * dmy; f9 += r * dmy * dms;
        f12 += r * dmn * dmn; f13 += r * dmn; f14 += r * dmn * dms;
        f18 += r; f19 += r * dms; f24 += r * dms * dms;
      }
      if (wantLl) {
        ll += (n == 0 ? 0 : n * Math.log(mu)) - mu;
        rss += (n - mu) * (n - mu);
        chi2 += (n - mu) * (n - mu) * r;
      }
    }
  }
  if (wantLl) {
    RSS = rss;
    CHI2 = chi2;
  }
  unchecked(G5[0] = gx); unchecked(G5[1] = gy); unchecked(G5[2] = gn); unchecked(G5[3] = gb); unchecked(G5[4] = gs);
  if (wantHessian) fill5(H5, h0, h1, h2, h3, h4, h6, h7, h8, h9, h12, h13, h14, h18, h19, h24);
  if (wantFisher) fill5(F5, f0, f1, f2, f3, f4, f6, f7, f8, f9, f12, f13, f14, f18, f19, f24);
  return wantLl ? ll : NaN;
}

/** A symmetric 5×5 matrix from its upper triangle (row-major indices 0–4, 6–9, 12–14, 18–19, 24). */
function fill5(m: StaticArray<f64>, a0: f64, a1: f64, a2: f64, a3: f64, a4: f64, a6: f64, a7: f64, a8: f64, a9: f64, a12: f64, a13: f64, a14: f64, a18: f64, a19: f64, a24: f64): void {
  unchecked(m[0] = a0); unchecked(m[1] = a1); unchecked(m[2] = a2); unchecked(m[3] = a3); unchecked(m[4] = a4);
  unchecked(m[5] = a1); unchecked(m[6] = a6); unchecked(m[7] = a7); unchecked(m[8] = a8); unchecked(m[9] = a9);
  unchecked(m[10] = a2); unchecked(m[11] = a7); unchecked(m[12] = a12); unchecked(m[13] = a13); unchecked(m[14] = a14);
  unchecked(m[15] = a3); unchecked(m[16] = a8); unchecked(m[17] = a13); unchecked(m[18] = a18); unchecked(m[19] = a19);
  unchecked(m[20] = a4); unchecked(m[21] = a9); unchecked(m[22] = a14); unchecked(m[23] = a19); unchecked(m[24] = a24);
}

const MA5 = new StaticArray<f64>(25);
const ML5 = new StaticArray<f64>(25);
const Z5 = new StaticArray<f64>(5);

/** cholesky.ts choleskyFactor for an n×n matrix (row-major, stride n). */
function choleskyN(a: StaticArray<f64>, n: i32, lower: StaticArray<f64>): bool {
  for (let r = 0; r < n; r++) {
    for (let c = 0; c <= r; c++) {
      let s = unchecked(a[r * n + c]);
      for (let k = 0; k < c; k++) s -= unchecked(lower[r * n + k]) * unchecked(lower[c * n + k]);
      if (r == c) {
        if (!(s > 0) || !isFinite<f64>(s)) return false;
        unchecked(lower[r * n + r] = Math.sqrt(s));
      } else {
        unchecked(lower[r * n + c] = s / unchecked(lower[c * n + c]));
      }
    }
  }
  return true;
}

/**
 * newtonSolve's solveDamped: (−H + λ·diag|H|)·δ = ∇ℓ over the leading `active` parameters of H
 * (row stride `stride`) by Cholesky, λ raised tenfold until positive definite, into `step`.
 */
function solveDampedN(h: StaticArray<f64>, stride: i32, g: StaticArray<f64>, active: i32, step: StaticArray<f64>): bool {
  let lambda: f64 = 0;
  for (;;) {
    for (let r = 0; r < active; r++) {
      for (let c = 0; c < active; c++) unchecked(MA5[r * active + c] = -unchecked(h[r * stride + c]));
      if (lambda > 0) {
        const diag = Math.abs(unchecked(h[r * stride + r]));
        unchecked(MA5[r * active + r] += lambda * (diag > DAMPING_DIAGONAL_FLOOR ? diag : DAMPING_DIAGONAL_FLOOR));
      }
    }
    if (choleskyN(MA5, active, ML5)) break;
    lambda = lambda == 0 ? DAMPING_START : lambda * DAMPING_GROWTH;
    if (lambda > DAMPING_LIMIT) return false;
  }
  choleskySolveN(ML5, active, g, step);
  return true;
}

/** cholesky.ts choleskySolve: A·x = b with A = L·Lᵀ factored by choleskyN. */
function choleskySolveN(lower: StaticArray<f64>, n: i32, b: StaticArray<f64>, x: StaticArray<f64>): void {
  for (let r = 0; r < n; r++) {
    let s = unchecked(b[r]);
    for (let k = 0; k < r; k++) s -= unchecked(lower[r * n + k]) * unchecked(x[k]);
    unchecked(x[r] = s / unchecked(lower[r * n + r]));
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = unchecked(x[r]);
    for (let k = r + 1; k < n; k++) s -= unchecked(lower[k * n + r]) * unchecked(x[k]);
    unchecked(x[r] = s / unchecked(lower[r * n + r]));
  }
}

/** choleskyInverseDiagonal: the diagonal of A⁻¹ (n×n) into `out`; false and NaN when singular. */
function inverseDiagonal(a: StaticArray<f64>, n: i32, out: StaticArray<f64>): bool {
  return inverseDiagonalWith(a, n, out, ML5, Z5);
}

/** choleskyInverseDiagonal with the scratch given: L (n²) and a column (n). */
function inverseDiagonalWith(a: StaticArray<f64>, n: i32, out: StaticArray<f64>, lower: StaticArray<f64>, z: StaticArray<f64>): bool {
  if (!choleskyN(a, n, lower)) { for (let i = 0; i < n; i++) unchecked(out[i] = NaN); return false; }
  for (let i = 0; i < n; i++) {
    let sum: f64 = 0;
    for (let r = i; r < n; r++) {
      let s: f64 = r == i ? 1 : 0;
      for (let k = i; k < r; k++) s -= unchecked(lower[r * n + k]) * unchecked(z[k]);
      const v = s / unchecked(lower[r * n + r]);
      unchecked(z[r] = v);
      sum += v * v;
    }
    unchecked(out[i] = sum);
  }
  return true;
}

// The Newton iteration's state between passes: the parameters being stepped (4, or 5 once σ is
// released) and the largest relative change of the last step.
let ACTIVE: i32 = 4;
let LAST_CHANGE: f64 = Infinity;

/**
 * newtonSolve, for 4 parameters or, with σ free, 5: the step from the pass's gradient and
 * Hessian, scaled as a whole to the step limits; with σ free, σ is held until x, y, N, b settle
 * and a step that lowers ℓ is halved back. The converging pass also gives the Fisher information
 * and ℓ (READY).
 */
function newton(data: usize): void {
  const p = FIT_SIGMA ? 5 : 4;
  STATUS = STATUS_MAX_ITERATIONS;
  ACTIVE = 4;
  LAST_CHANGE = Infinity;
  let llAccepted: f64 = -Infinity;
  let backtracks = 0;
  let iteration = 0;
  let ax0: f64 = 0, ay0: f64 = 0, an0: f64 = 0, ab0: f64 = 0, as0: f64 = 0;
  READY = false;
  while (iteration < MAX_IT) {
    iteration++;
    const anticipate = ACTIVE == p && LAST_CHANGE < ANTICIPATE_END;
    let ll: f64 = NaN;
    if (FIT_SIGMA) {
      ll = passFree(data, true, anticipate, true);
      if (!(ll >= llAccepted - LL_GUARD * Math.abs(llAccepted))) {
        if (++backtracks > MAX_BACKTRACKS) { TX = ax0; TY = ay0; TN = an0; TB = ab0; TS = as0; break; }
        TX = 0.5 * (TX + ax0); TY = 0.5 * (TY + ay0); TN = 0.5 * (TN + an0); TB = 0.5 * (TB + ab0); TS = 0.5 * (TS + as0);
        continue;
      }
      backtracks = 0;
      llAccepted = ll;
      ax0 = TX; ay0 = TY; an0 = TN; ab0 = TB; as0 = TS;
    } else if (anticipate) {
      ll = passFull(data);
    } else {
      passNewton(data);
    }
    if (advance(anticipate, ll, iteration)) break;
  }
  ITER = iteration;
}

/**
 * One Newton step from the last pass (G, H or G5, H5) at θ = (TX, TY, TN, TB, TS): solve, scale
 * to the step limits, update θ, test for leaving the patch and for convergence (STATUS; with
 * `anticipate`, LL from the pass's ℓ and READY). Returns true when the iteration stops.
 */
function advance(anticipate: bool, ll: f64, iteration: i32): bool {
  const box = <f64>BOX;
  const p = FIT_SIGMA ? 5 : 4;
  const g = FIT_SIGMA ? G5 : G;
  const active = ACTIVE;
  const solved = FIT_SIGMA ? solveDampedN(H5, 5, G5, active, STEP) : solveUndamped() || solveDampedN(H, 4, G, 4, STEP);
  if (!solved) return true;
  const n0 = TN, b0 = TB, s0 = TS;
  let dx = unchecked(STEP[0]), dy = unchecked(STEP[1]), dn = unchecked(STEP[2]), db = unchecked(STEP[3]);
  let ds: f64 = active == 5 ? unchecked(STEP[4]) : 0;
  if (!(isFinite<f64>(dx) && isFinite<f64>(dy) && isFinite<f64>(dn) && isFinite<f64>(db) && isFinite<f64>(ds))) return true;
  let f: f64 = 1;
  const adx = Math.abs(dx), ady = Math.abs(dy), ads = Math.abs(ds);
  if (adx * f > MAX_STEP) f = MAX_STEP / adx;
  if (ady * f > MAX_STEP) f = MAX_STEP / ady;
  if (-dn * f > MAX_SHRINK * n0) f = (MAX_SHRINK * n0) / -dn;
  if (-db * f > MAX_SHRINK * b0) f = (MAX_SHRINK * b0) / -db;
  if (ads * f > MAX_SIGMA_STEP * s0) f = (MAX_SIGMA_STEP * s0) / ads;
  if (f < 1) { dx *= f; dy *= f; dn *= f; db *= f; ds *= f; }
  TX += dx; TY += dy;
  TN = Math.max(n0 + dn, MIN_PHOTONS);
  TB = Math.max(b0 + db, MIN_BACKGROUND);
  if (active == 5) TS = Math.min(Math.max(s0 + ds, SIGMA_MIN), SIGMA_MAX);
  const sigmaConverged = Math.abs(TS - s0) < TOL;
  if (TX < -LEAVE_PATCH_PX || TX > box + LEAVE_PATCH_PX || TY < -LEAVE_PATCH_PX || TY > box + LEAVE_PATCH_PX) { STATUS = STATUS_LEFT_PATCH; return true; }
  const change = Math.max(Math.max(Math.abs(dx), Math.abs(dy)), Math.max(Math.abs(TN - n0) / n0, Math.abs(TB - b0) / (b0 > 1 ? b0 : 1)));
  LAST_CHANGE = Math.max(change, Math.abs(TS - s0));
  if (active < p) {
    if (change < SIGMA_RELEASE || iteration >= SIGMA_RELEASE_ITERATIONS) ACTIVE = p;
    LAST_CHANGE = Infinity;
  } else if (sigmaConverged && change < TOL) {
    STATUS = STATUS_CONVERGED;
    if (anticipate) {
      let gain = unchecked(g[0]) * dx + unchecked(g[1]) * dy + unchecked(g[2]) * dn + unchecked(g[3]) * db;
      if (p == 5) gain += unchecked(g[4]) * ds;
      LL = ll + 0.5 * gain;
      READY = true;
    }
    return true;
  }
  return false;
}

/**
 * The start of patch number p at `patch`: its warm start where one is given and usable (in
 * TX…TS; returns 1), else initialGuess's (returns 0), or −1 for bad data (non-finite values or
 * none positive).
 */
function startFit(patch: usize, p: i32, starts: usize, col: usize): i32 {
  if (starts != 0) {
    const s = starts + (<usize>p << 3);
    const x = load<f64>(s), y = load<f64>(s + col), n = load<f64>(s + 2 * col), b = load<f64>(s + 3 * col), sg = load<f64>(s + 4 * col);
    const bx = <f64>BOX;
    if (x > -WARM_START_MARGIN_PX && x < bx + WARM_START_MARGIN_PX && y > -WARM_START_MARGIN_PX && y < bx + WARM_START_MARGIN_PX && n > 0 && b > 0 && isFinite<f64>(n) && isFinite<f64>(b)) {
      const area = BOX * BOX;
      let peak: f64 = -Infinity;
      for (let k = 0; k < area; k++) {
        const v = load<f64>(patch + (<usize>k << 3));
        if (!isFinite<f64>(v)) return -1;
        if (v > peak) peak = v;
      }
      if (!(peak > 0)) return -1;
      TX = x; TY = y; TN = n; TB = b;
      TS = FIT_SIGMA && sg >= SIGMA_MIN && sg <= SIGMA_MAX ? sg : SIGMA;
      return 1;
    }
  }
  return initialGuess(patch) ? 0 : -1;
}

/** A bad-data patch's outputs at o (columns `col` bytes apart). */
function writeBadData(o: usize, col: usize): void {
  for (let c = 0; c < 12; c++) store<f64>(o + <usize>c * col, NaN);
  store<f64>(o + 12 * col, 0);
  store<f64>(o + 13 * col, STATUS_BAD_DATA);
  store<f64>(o + 14 * col, 0);
  store<f64>(o + 15 * col, NaN);
}

/**
 * The outputs of the fit that ended at θ = (TX…TS) with STATUS, ITER (and, when READY, LL, F,
 * RSS and CHI2 of its last pass; otherwise the final pass runs here): θ, √CRLB, ℓ, residual
 * std, iterations, status, warm start, χ², at o.
 */
function finishFit(patch: usize, o: usize, col: usize, warm: f64): void {
  const area = BOX * BOX;
  if (!READY) LL = FIT_SIGMA ? passFree(patch, false, true, true) : passInfo(patch);
  const parameters = FIT_SIGMA ? 5 : 4;
  const ok = inverseDiagonal(FIT_SIGMA ? F5 : F, parameters, CR);
  for (let c = 0; c < 5; c++) store<f64>(o + <usize>(5 + c) * col, c < parameters ? Math.sqrt(NOISE_SCALE * unchecked(CR[c])) : NaN);
  const rstd = Math.sqrt(RSS / <f64>(area - parameters));
  if (!ok && STATUS == STATUS_CONVERGED) STATUS = STATUS_SINGULAR;
  store<f64>(o, TX); store<f64>(o + col, TY); store<f64>(o + 2 * col, TN); store<f64>(o + 3 * col, TB);
  store<f64>(o + 4 * col, TS);
  store<f64>(o + 10 * col, LL); store<f64>(o + 11 * col, rstd);
  store<f64>(o + 12 * col, <f64>ITER); store<f64>(o + 13 * col, <f64>STATUS); store<f64>(o + 14 * col, warm);
  store<f64>(o + 15 * col, CHI2);
}

/**
 * Fit `count` patches at `data` (f64, box² each, row-major, photons). `starts` (0: none) holds
 * the warm starts as five f64 columns x, y, N, b, σ of `stride` values each (NaN x: none; σ is
 * used when fitted and in range); `out` receives OUTPUT_COLUMNS f64 columns of `stride` values:
 * x, y, N, b, σ, √CRLB of x, y, N, b, σ (NaN with σ fixed), ℓ, residual std, iterations,
 * status, warm start (1/0), Pearson's χ². `shift` (0: none) holds the camera's shift of each
 * pixel, laid out as `data`.
 */
export function fitBatch(data: usize, count: i32, starts: usize, out: usize, stride: i32, shift: usize): void {
  const area = BOX * BOX;
  SHIFTED = shift != 0;
  SHIFT_DELTA = shift - data;
  const col = <usize>stride << 3;
  for (let p = 0; p < count; p++) {
    const patch = data + (<usize>(p * area) << 3);
    const o = out + (<usize>p << 3);
    const started = startFit(patch, p, starts, col);
    if (started < 0) {
      writeBadData(o, col);
      continue;
    }
    newton(patch);
    finishFit(patch, o, col, started == 1 ? 1 : 0);
  }
}

// ---- Several emitters of one fixed σ on one background in a window of MW px: MultiEmitterFit
// (evaluate, derivatives, fit, bound, refresh, residualStd, residualPeak) and
// EmitterSelector.select, the same arithmetic in the same order. θ = (x₁, y₁, N₁, …, x_K, y_K,
// N_K, b) in MTH; each emitter's axis terms at e·MAX_WINDOW in MXV/MXD (x) and MYV/MYD (y).

const MP = 3 * MAX_EMITTERS + 1;
let MW: i32 = 9;
let MK: i32 = 5;
let MLLR: f64 = Infinity;
let MSIG: f64 = 1;
/** Where a pixel's shift is relative to its datum (0: no shifts). */
let MSHIFTED: bool = false;
let MSHIFT_DELTA: usize = 0;
const MXV = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
const MXD = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
const MYV = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
const MYD = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
const MD2 = new StaticArray<f64>(MAX_WINDOW);
const MMU = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);
const MTH = new StaticArray<f64>(MP);
const MTRIAL = new StaticArray<f64>(MP);
const MBEST = new StaticArray<f64>(MP);
const MSTEP = new StaticArray<f64>(MP);
const MGRAD = new StaticArray<f64>(MP);
const MDER = new StaticArray<f64>(MP + 1);
const MFI = new StaticArray<f64>(MP * MP + 2);
const MSYS = new StaticArray<f64>(MP * MP);
const MLOW = new StaticArray<f64>(MP * MP);
const MCR = new StaticArray<f64>(MP);
const MZ = new StaticArray<f64>(MP);
/** The chosen model: ℓ, iterations, residual std, status, K (multiSelect). */
const MOUT = new StaticArray<f64>(5);
let MLL: f64 = NaN;
let MITER: i32 = 0;
let PEAK_COLUMN: i32 = 0;
let PEAK_ROW: i32 = 0;
let PEAK_EXCESS: f64 = 0;
let PEAK_SIGNIFICANCE: f64 = 0;

/**
 * Set the multi-emitter selection: window width (px, ≤ MAX_WINDOW), most emitters (≤
 * MAX_EMITTERS), and the likelihood-ratio statistic a larger model must exceed.
 */
export function multiConfigure(window: i32, maxEmitters: i32, llrThreshold: f64): void {
  MW = window; MK = maxEmitters; MLLR = llrThreshold;
}

/** Addresses of θ̂, the √CRLB (MP each) and MOUT, for the JavaScript side to read. */
export function multiTheta(): usize { return changetype<usize>(MTH); }
export function multiCrlb(): usize { return changetype<usize>(MCR); }
export function multiOut(): usize { return changetype<usize>(MOUT); }

/** MultiEmitterFit.evaluate: μ of every pixel for θ into MMU; ℓ, or −∞ where μ + s ≤ 0. */
function multiEvaluate(theta: StaticArray<f64>, k: i32, data: usize): f64 {
  const w = MW;
  for (let e = 0; e < k; e++) {
    const o = <usize>(e * MAX_WINDOW) << 3;
    axisAt(unchecked(theta[3 * e]), w, MSIG, false, changetype<usize>(MXV) + o, changetype<usize>(MXD) + o, changetype<usize>(MD2), 0, 0, 0);
    axisAt(unchecked(theta[3 * e + 1]), w, MSIG, false, changetype<usize>(MYV) + o, changetype<usize>(MYD) + o, changetype<usize>(MD2), 0, 0, 0);
  }
  const b = unchecked(theta[3 * k]);
  for (let r = 0; r < w; r++) {
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      let m = b;
      for (let e = 0; e < k; e++) m += unchecked(theta[3 * e + 2]) * unchecked(MXV[e * MAX_WINDOW + c]) * unchecked(MYV[e * MAX_WINDOW + r]);
      unchecked(MMU[i] = m);
      const s: f64 = MSHIFTED ? load<f64>(data + (<usize>i << 3) + MSHIFT_DELTA) : 0;
      if (!(m + s > 0)) return -Infinity;
    }
  }
  return logLikelihoodSum(changetype<usize>(MMU), data, w * w, MSHIFTED, MSHIFT_DELTA);
}

/** multiDerivatives for K = 1 (p = 4), every sum in a local: the same products, added in the same order. */
function multiDerivatives1(theta: StaticArray<f64>, data: usize): void {
  const w = MW;
  const n0 = unchecked(theta[2]);
  let g0: f64 = 0; let g1: f64 = 0; let g2: f64 = 0; let g3: f64 = 0;
  let f0_0: f64 = 0; let f1_0: f64 = 0; let f1_1: f64 = 0; let f2_0: f64 = 0; let f2_1: f64 = 0; let f2_2: f64 = 0; let f3_0: f64 = 0; let f3_1: f64 = 0;
  let f3_2: f64 = 0; let f3_3: f64 = 0;
  for (let r = 0; r < w; r++) {
    const yv0 = unchecked(MYV[0 * MAX_WINDOW + r]);
    const yd0 = unchecked(MYD[0 * MAX_WINDOW + r]);
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      const xv0 = unchecked(MXV[0 * MAX_WINDOW + c]);
      const d0 = n0 * unchecked(MXD[0 * MAX_WINDOW + c]) * yv0;
      const d1 = n0 * xv0 * yd0;
      const d2 = xv0 * yv0;
      const d3: f64 = 1;
      const at = data + (<usize>i << 3);
      const s: f64 = MSHIFTED ? load<f64>(at + MSHIFT_DELTA) : 0;
      const inv = 1 / (unchecked(MMU[i]) + s);
      const wt = (load<f64>(at) + s) * inv - 1;
      g0 += wt * d0;
      const a0 = d0 * inv;
      f0_0 += a0 * d0;
      g1 += wt * d1;
      const a1 = d1 * inv;
      f1_0 += a1 * d0; f1_1 += a1 * d1;
      g2 += wt * d2;
      const a2 = d2 * inv;
      f2_0 += a2 * d0; f2_1 += a2 * d1; f2_2 += a2 * d2;
      g3 += wt * d3;
      const a3 = d3 * inv;
      f3_0 += a3 * d0; f3_1 += a3 * d1; f3_2 += a3 * d2; f3_3 += a3 * d3;
    }
  }
  unchecked(MGRAD[0] = g0);
  unchecked(MGRAD[1] = g1);
  unchecked(MGRAD[2] = g2);
  unchecked(MGRAD[3] = g3);
  unchecked(MFI[0] = f0_0);
  unchecked(MFI[4] = f1_0); unchecked(MFI[1] = f1_0); unchecked(MFI[5] = f1_1);
  unchecked(MFI[8] = f2_0); unchecked(MFI[2] = f2_0); unchecked(MFI[9] = f2_1); unchecked(MFI[6] = f2_1); unchecked(MFI[10] = f2_2);
  unchecked(MFI[12] = f3_0); unchecked(MFI[3] = f3_0); unchecked(MFI[13] = f3_1); unchecked(MFI[7] = f3_1); unchecked(MFI[14] = f3_2); unchecked(MFI[11] = f3_2); unchecked(MFI[15] = f3_3);
}

/** multiDerivatives for K = 2 (p = 7), every sum in a local: the same products, added in the same order. */
function multiDerivatives2(theta: StaticArray<f64>, data: usize): void {
  const w = MW;
  const n0 = unchecked(theta[2]);
  const n1 = unchecked(theta[5]);
  let g0: f64 = 0; let g1: f64 = 0; let g2: f64 = 0; let g3: f64 = 0; let g4: f64 = 0; let g5: f64 = 0; let g6: f64 = 0;
  let f0_0: f64 = 0; let f1_0: f64 = 0; let f1_1: f64 = 0; let f2_0: f64 = 0; let f2_1: f64 = 0; let f2_2: f64 = 0; let f3_0: f64 = 0; let f3_1: f64 = 0;
  let f3_2: f64 = 0; let f3_3: f64 = 0; let f4_0: f64 = 0; let f4_1: f64 = 0; let f4_2: f64 = 0; let f4_3: f64 = 0; let f4_4: f64 = 0; let f5_0: f64 = 0;
  let f5_1: f64 = 0; let f5_2: f64 = 0; let f5_3: f64 = 0; let f5_4: f64 = 0; let f5_5: f64 = 0; let f6_0: f64 = 0; let f6_1: f64 = 0; let f6_2: f64 = 0;
  let f6_3: f64 = 0; let f6_4: f64 = 0; let f6_5: f64 = 0; let f6_6: f64 = 0;
  for (let r = 0; r < w; r++) {
    const yv0 = unchecked(MYV[0 * MAX_WINDOW + r]);
    const yd0 = unchecked(MYD[0 * MAX_WINDOW + r]);
    const yv1 = unchecked(MYV[1 * MAX_WINDOW + r]);
    const yd1 = unchecked(MYD[1 * MAX_WINDOW + r]);
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      const xv0 = unchecked(MXV[0 * MAX_WINDOW + c]);
      const d0 = n0 * unchecked(MXD[0 * MAX_WINDOW + c]) * yv0;
      const d1 = n0 * xv0 * yd0;
      const d2 = xv0 * yv0;
      const xv1 = unchecked(MXV[1 * MAX_WINDOW + c]);
      const d3 = n1 * unchecked(MXD[1 * MAX_WINDOW + c]) * yv1;
      const d4 = n1 * xv1 * yd1;
      const d5 = xv1 * yv1;
      const d6: f64 = 1;
      const at = data + (<usize>i << 3);
      const s: f64 = MSHIFTED ? load<f64>(at + MSHIFT_DELTA) : 0;
      const inv = 1 / (unchecked(MMU[i]) + s);
      const wt = (load<f64>(at) + s) * inv - 1;
      g0 += wt * d0;
      const a0 = d0 * inv;
      f0_0 += a0 * d0;
      g1 += wt * d1;
      const a1 = d1 * inv;
      f1_0 += a1 * d0; f1_1 += a1 * d1;
      g2 += wt * d2;
      const a2 = d2 * inv;
      f2_0 += a2 * d0; f2_1 += a2 * d1; f2_2 += a2 * d2;
      g3 += wt * d3;
      const a3 = d3 * inv;
      f3_0 += a3 * d0; f3_1 += a3 * d1; f3_2 += a3 * d2; f3_3 += a3 * d3;
      g4 += wt * d4;
      const a4 = d4 * inv;
      f4_0 += a4 * d0; f4_1 += a4 * d1; f4_2 += a4 * d2; f4_3 += a4 * d3; f4_4 += a4 * d4;
      g5 += wt * d5;
      const a5 = d5 * inv;
      f5_0 += a5 * d0; f5_1 += a5 * d1; f5_2 += a5 * d2; f5_3 += a5 * d3; f5_4 += a5 * d4; f5_5 += a5 * d5;
      g6 += wt * d6;
      const a6 = d6 * inv;
      f6_0 += a6 * d0; f6_1 += a6 * d1; f6_2 += a6 * d2; f6_3 += a6 * d3; f6_4 += a6 * d4; f6_5 += a6 * d5; f6_6 += a6 * d6;
    }
  }
  unchecked(MGRAD[0] = g0);
  unchecked(MGRAD[1] = g1);
  unchecked(MGRAD[2] = g2);
  unchecked(MGRAD[3] = g3);
  unchecked(MGRAD[4] = g4);
  unchecked(MGRAD[5] = g5);
  unchecked(MGRAD[6] = g6);
  unchecked(MFI[0] = f0_0);
  unchecked(MFI[7] = f1_0); unchecked(MFI[1] = f1_0); unchecked(MFI[8] = f1_1);
  unchecked(MFI[14] = f2_0); unchecked(MFI[2] = f2_0); unchecked(MFI[15] = f2_1); unchecked(MFI[9] = f2_1); unchecked(MFI[16] = f2_2);
  unchecked(MFI[21] = f3_0); unchecked(MFI[3] = f3_0); unchecked(MFI[22] = f3_1); unchecked(MFI[10] = f3_1); unchecked(MFI[23] = f3_2); unchecked(MFI[17] = f3_2); unchecked(MFI[24] = f3_3);
  unchecked(MFI[28] = f4_0); unchecked(MFI[4] = f4_0); unchecked(MFI[29] = f4_1); unchecked(MFI[11] = f4_1); unchecked(MFI[30] = f4_2); unchecked(MFI[18] = f4_2); unchecked(MFI[31] = f4_3); unchecked(MFI[25] = f4_3); unchecked(MFI[32] = f4_4);
  unchecked(MFI[35] = f5_0); unchecked(MFI[5] = f5_0); unchecked(MFI[36] = f5_1); unchecked(MFI[12] = f5_1); unchecked(MFI[37] = f5_2); unchecked(MFI[19] = f5_2); unchecked(MFI[38] = f5_3); unchecked(MFI[26] = f5_3); unchecked(MFI[39] = f5_4); unchecked(MFI[33] = f5_4); unchecked(MFI[40] = f5_5);
  unchecked(MFI[42] = f6_0); unchecked(MFI[6] = f6_0); unchecked(MFI[43] = f6_1); unchecked(MFI[13] = f6_1); unchecked(MFI[44] = f6_2); unchecked(MFI[20] = f6_2); unchecked(MFI[45] = f6_3); unchecked(MFI[27] = f6_3); unchecked(MFI[46] = f6_4); unchecked(MFI[34] = f6_4); unchecked(MFI[47] = f6_5); unchecked(MFI[41] = f6_5); unchecked(MFI[48] = f6_6);
}

/** MultiEmitterFit.derivatives: ∇ℓ into MGRAD and the Fisher information into MFI at the θ last evaluated. */
function multiDerivatives(theta: StaticArray<f64>, k: i32, data: usize): void {
  if (k == 1) { multiDerivatives1(theta, data); return; }
  if (k == 2) { multiDerivatives2(theta, data); return; }
  const w = MW;
  const p = 3 * k + 1;
  for (let a = 0; a < p; a++) unchecked(MGRAD[a] = 0);
  for (let a = 0; a < p * p + 2; a++) unchecked(MFI[a] = 0);
  for (let r = 0; r < w; r++) {
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      for (let e = 0; e < k; e++) {
        const n = unchecked(theta[3 * e + 2]);
        const xv = unchecked(MXV[e * MAX_WINDOW + c]);
        const yv = unchecked(MYV[e * MAX_WINDOW + r]);
        unchecked(MDER[3 * e] = n * unchecked(MXD[e * MAX_WINDOW + c]) * yv);
        unchecked(MDER[3 * e + 1] = n * xv * unchecked(MYD[e * MAX_WINDOW + r]));
        unchecked(MDER[3 * e + 2] = xv * yv);
      }
      unchecked(MDER[p - 1] = 1);
      const at = data + (<usize>i << 3);
      const s: f64 = MSHIFTED ? load<f64>(at + MSHIFT_DELTA) : 0;
      const inv = 1 / (unchecked(MMU[i]) + s);
      const wt = (load<f64>(at) + s) * inv - 1;
      // The lower triangle two entries at a time (f64x2); the second lane of a row's last pair
      // lands in the upper triangle (overwritten below) or, for the last row, in MFI's slack.
      const der = changetype<usize>(MDER);
      for (let a = 0; a < p; a++) {
        const d = unchecked(MDER[a]);
        unchecked(MGRAD[a] += wt * d);
        const da = f64x2.splat(d * inv);
        const row = changetype<usize>(MFI) + (<usize>(a * p) << 3);
        for (let e = 0; e <= a; e += 2) {
          const o = <usize>e << 3;
          v128.store(row + o, f64x2.add(v128.load(row + o), f64x2.mul(da, v128.load(der + o))));
        }
      }
    }
  }
  for (let a = 0; a < p; a++) for (let e = 0; e < a; e++) unchecked(MFI[e * p + a] = unchecked(MFI[a * p + e]));
}

/** MultiEmitterFit.fit: K emitters from the start in MTH; θ̂ in MTH, ℓ in MLL, iterations in MITER. */
function multiFit(data: usize, k: i32, maxIterations: i32, tolerance: f64): i32 {
  const p = 3 * k + 1;
  const w = MW;
  const wf = <f64>w;
  MITER = 0;
  for (let i = 0; i < w * w; i++) if (!isFinite<f64>(load<f64>(data + (<usize>i << 3)))) return STATUS_BAD_DATA;
  let ll = multiEvaluate(MTH, k, data);
  MLL = ll;
  if (!isFinite<f64>(ll)) return STATUS_BAD_DATA;
  let lambda = DAMPING_START;
  let status = STATUS_MAX_ITERATIONS;
  for (let it = 0; it < maxIterations; it++) {
    MITER = it + 1;
    multiDerivatives(MTH, k, data);
    let accepted = false;
    let moved: f64 = 0;
    while (lambda <= DAMPING_LIMIT) {
      for (let a = 0; a < p * p; a++) unchecked(MSYS[a] = unchecked(MFI[a]));
      for (let a = 0; a < p; a++) unchecked(MSYS[a * p + a] *= 1 + lambda);
      if (!choleskyN(MSYS, p, MLOW)) { lambda *= DAMPING_GROWTH; continue; }
      choleskySolveN(MLOW, p, MGRAD, MSTEP);
      moved = 0;
      for (let a = 0; a < p; a++) {
        const t = unchecked(MTH[a]);
        let v = t + unchecked(MSTEP[a]);
        if (a == p - 1 || a % 3 == 2) {
          // N and b shrink by at most half a step (they stay positive).
          const floor = a == p - 1 ? MIN_BACKGROUND : MIN_PHOTONS;
          v = Math.max(v, Math.max(floor, t * (1 - MAX_SHRINK)));
        } else {
          moved = Math.max(moved, Math.abs(v - t));
        }
        unchecked(MTRIAL[a] = v);
      }
      const next = multiEvaluate(MTRIAL, k, data);
      if (next >= ll - LL_GUARD * Math.abs(ll)) {
        for (let a = 0; a < p; a++) unchecked(MTH[a] = unchecked(MTRIAL[a]));
        ll = next;
        lambda = Math.max(lambda / DAMPING_GROWTH, DAMPING_FLOOR);
        accepted = true;
        break;
      }
      lambda *= DAMPING_GROWTH;
    }
    if (!accepted) {
      // No damping raises ℓ: θ is a maximum to rounding.
      multiEvaluate(MTH, k, data);
      status = STATUS_CONVERGED;
      break;
    }
    for (let e = 0; e < k; e++) {
      const x = unchecked(MTH[3 * e]);
      const y = unchecked(MTH[3 * e + 1]);
      if (x < -LEAVE_PATCH_PX || y < -LEAVE_PATCH_PX || x > wf + LEAVE_PATCH_PX || y > wf + LEAVE_PATCH_PX) {
        MLL = ll;
        return STATUS_LEFT_PATCH;
      }
    }
    if (moved < tolerance) { status = STATUS_CONVERGED; break; }
  }
  MLL = ll;
  return status;
}

/** residualSpread.ts: the standard deviation of n − μ over `n` pixels (the multi-emitter and 3-D fits' residual std). */
function residualSpread(data: usize, mu: StaticArray<f64>, n: i32): f64 {
  let s: f64 = 0, s2: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = load<f64>(data + (<usize>i << 3)) - unchecked(mu[i]);
    s += d;
    s2 += d * d;
  }
  const mean = s / <f64>n;
  return Math.sqrt(Math.max(0, s2 / <f64>n - mean * mean));
}

/** MultiEmitterFit.residualPeak: the 3×3 residual's maximum, into PEAK_*. */
function multiResidualPeak(data: usize): void {
  const w = MW;
  let best: f64 = -Infinity;
  let bestVariance: f64 = 1;
  let column = w >> 1;
  let row = w >> 1;
  for (let r = 0; r < w; r++) {
    for (let c = 0; c < w; c++) {
      let s: f64 = 0, variance: f64 = 0;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= w) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if (cc < 0 || cc >= w) continue;
          const i = rr * w + cc;
          s += load<f64>(data + (<usize>i << 3)) - unchecked(MMU[i]);
          variance += unchecked(MMU[i]);
        }
      }
      if (s > best) { best = s; bestVariance = variance; column = c; row = r; }
    }
  }
  PEAK_COLUMN = column; PEAK_ROW = row; PEAK_EXCESS = best;
  PEAK_SIGNIFICANCE = best / Math.sqrt(Math.max(bestVariance, MIN_RESIDUAL_VARIANCE));
}

/** EmitterSelector.plausible: every emitter inside the window and brighter than MIN_EMITTER_PHOTONS. */
function multiPlausible(k: i32): bool {
  const wf = <f64>MW;
  for (let e = 0; e < k; e++) {
    const x = unchecked(MTH[3 * e]);
    const y = unchecked(MTH[3 * e + 1]);
    if (!(x >= 0 && x <= wf && y >= 0 && y <= wf && unchecked(MTH[3 * e + 2]) > MIN_EMITTER_PHOTONS)) return false;
  }
  return true;
}

/**
 * EmitterSelector.select for the window at `data` (MW² f64 photons, row-major; `shift` 0 or the
 * camera's shift of each pixel, laid out as `data`), from one emitter at (x, y) window px with
 * `photons` on `background`; σ px, iteration limit and position tolerance (px) of the final fit.
 * θ̂ in multiTheta(), √CRLB in multiCrlb(), ℓ, iterations, residual std, status, K in multiOut().
 * @returns K (0 when even one emitter does not fit)
 */
export function multiSelect(data: usize, shift: usize, x: f64, y: f64, photons: f64, background: f64, sigma: f64, maxIterations: i32, tolerance: f64): i32 {
  MSIG = sigma;
  MSHIFTED = shift != 0;
  MSHIFT_DELTA = shift - data;
  unchecked(MOUT[4] = 0);
  const k = multiChoose(data, x, y, photons, background, maxIterations, tolerance);
  unchecked(MOUT[0] = MLL);
  unchecked(MOUT[1] = <f64>MITER);
  unchecked(MOUT[4] = <f64>k);
  return k;
}

function multiChoose(data: usize, x: f64, y: f64, photons: f64, background: f64, maxIterations: i32, tolerance: f64): i32 {
  // Models are compared after fits to a looser tolerance and a share of the iterations; the
  // chosen one is then fitted to the full tolerance.
  const trialTolerance = Math.max(tolerance, TRIAL_TOLERANCE_PX);
  const trialIterations = max<i32>(MIN_TRIAL_ITERATIONS, <i32>Math.ceil(<f64>maxIterations * TRIAL_ITERATION_SHARE));
  unchecked(MTH[0] = x);
  unchecked(MTH[1] = y);
  unchecked(MTH[2] = Math.max(photons, MIN_START_PHOTONS));
  unchecked(MTH[3] = Math.max(background, MIN_START_BACKGROUND));
  let status = multiFit(data, 1, trialIterations, trialTolerance);
  unchecked(MOUT[3] = <f64>status);
  if (status != STATUS_CONVERGED) return 0;
  let k = 1;
  let ll = MLL;
  for (let a = 0; a < 4; a++) unchecked(MBEST[a] = unchecked(MTH[a]));
  for (let next = 2; next <= MK; next++) {
    multiResidualPeak(data);
    if (!(PEAK_SIGNIFICANCE > MIN_RESIDUAL_SIGNIFICANCE)) break;
    for (let a = 0; a < 3 * k; a++) unchecked(MTH[a] = unchecked(MBEST[a]));
    unchecked(MTH[3 * k] = <f64>PEAK_COLUMN + 0.5);
    unchecked(MTH[3 * k + 1] = <f64>PEAK_ROW + 0.5);
    unchecked(MTH[3 * k + 2] = NEW_EMITTER_PHOTONS_FACTOR * PEAK_EXCESS);
    unchecked(MTH[3 * k + 3] = unchecked(MBEST[3 * k]));
    const s = multiFit(data, next, trialIterations, trialTolerance);
    if (s != STATUS_CONVERGED || !(2 * (MLL - ll) > MLLR) || !multiPlausible(next)) break;
    k = next;
    ll = MLL;
    for (let a = 0; a < 3 * k + 1; a++) unchecked(MBEST[a] = unchecked(MTH[a]));
    // The residual of the model kept, for the next emitter's start.
    multiEvaluate(MTH, k, data);
  }
  for (let a = 0; a < 3 * k + 1; a++) unchecked(MTH[a] = unchecked(MBEST[a]));
  status = multiFit(data, k, maxIterations, tolerance);
  unchecked(MOUT[3] = <f64>status);
  if (status != STATUS_CONVERGED) return 0;
  const p = 3 * k + 1;
  multiDerivatives(MTH, k, data);
  if (!inverseDiagonalWith(MFI, p, MCR, MLOW, MZ)) {
    unchecked(MOUT[3] = <f64>STATUS_SINGULAR);
    return 0;
  }
  for (let a = 0; a < p; a++) unchecked(MCR[a] = Math.sqrt(unchecked(MCR[a])));
  unchecked(MOUT[2] = residualSpread(data, MMU, MW * MW));
  return k;
}

// ---- 3-D: one astigmatic spot, θ = (x, y, N, b, z) — AstigmaticFit (evaluate, derivatives,
// fitFrom, fit, residualStd) and DefocusCurve.defocusSlope, the same arithmetic in the same order.

const Z_START_FRACTIONS = StaticArray.fromArray<f64>([Z_START_LOW, Z_START_MID, Z_START_HIGH]);
let ZBOX: i32 = 11;
let ZPIXEL: f64 = 100;
let ZLO: f64 = -600;
let ZHI: f64 = 600;
// The two curves: σ0, c, d, A, B of x, then of y (nm).
const ZCURVE = new StaticArray<f64>(10);
const ZXV = new StaticArray<f64>(MAX_WINDOW);
const ZXD = new StaticArray<f64>(MAX_WINDOW);
const ZXS = new StaticArray<f64>(MAX_WINDOW);
const ZYV = new StaticArray<f64>(MAX_WINDOW);
const ZYD = new StaticArray<f64>(MAX_WINDOW);
const ZYS = new StaticArray<f64>(MAX_WINDOW);
const ZSCRATCH = new StaticArray<f64>(MAX_WINDOW);
const ZMU = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);
const ZTH = new StaticArray<f64>(5);
const ZTRIAL = new StaticArray<f64>(5);
const ZBEST = new StaticArray<f64>(5);
const ZSTEP = new StaticArray<f64>(5);
const ZGRAD = new StaticArray<f64>(5);
const ZDER = new StaticArray<f64>(5);
const ZFI = new StaticArray<f64>(25);
const ZSYS = new StaticArray<f64>(25);
const ZLOW = new StaticArray<f64>(25);
const ZCR = new StaticArray<f64>(5);
const ZZ = new StaticArray<f64>(5);
const ZORDER = new StaticArray<f64>(3);
const ZRANK = new StaticArray<i32>(3);
/** After zFit: θ̂ (5), √CRLB (5), ℓ, iterations, σx (nm), σy (nm), residual std. */
const ZOUT = new StaticArray<f64>(15);
let ZSLOPE_X: f64 = 0;
let ZSLOPE_Y: f64 = 0;
let ZSX_NM: f64 = NaN;
let ZSY_NM: f64 = NaN;
let ZLL: f64 = NaN;
let ZITER: i32 = 0;
let ZSHIFTED: bool = false;
let ZSHIFT_DELTA: usize = 0;

/** Set the 3-D fit: patch width (px), pixel size (nm), the calibrated range (nm), the x and y curves (σ0, c, d, A, B each, nm). */
export function zConfigure(box: i32, pixelNm: f64, zLo: f64, zHi: f64, sx0: f64, cx: f64, dx: f64, ax: f64, bx: f64, sy0: f64, cy: f64, dy: f64, ay: f64, by: f64): void {
  ZBOX = box; ZPIXEL = pixelNm; ZLO = zLo; ZHI = zHi;
  unchecked(ZCURVE[0] = sx0); unchecked(ZCURVE[1] = cx); unchecked(ZCURVE[2] = dx); unchecked(ZCURVE[3] = ax); unchecked(ZCURVE[4] = bx);
  unchecked(ZCURVE[5] = sy0); unchecked(ZCURVE[6] = cy); unchecked(ZCURVE[7] = dy); unchecked(ZCURVE[8] = ay); unchecked(ZCURVE[9] = by);
}

/** The address of ZOUT. */
export function zOut(): usize { return changetype<usize>(ZOUT); }

// defocusSlope of curve `at` (0: x, 5: y): σ (nm) into ZSIGMA, dσ/dz into ZSLOPE; NaN where undefined.
let ZSIGMA: f64 = 0;
let ZSLOPE: f64 = 0;
function zSlope(at: i32, z: f64): void {
  const s0 = unchecked(ZCURVE[at]), c = unchecked(ZCURVE[at + 1]), d = unchecked(ZCURVE[at + 2]), a = unchecked(ZCURVE[at + 3]), b = unchecked(ZCURVE[at + 4]);
  const u = (z - c) / d;
  const q = 1 + u * u + a * u * u * u + b * u * u * u * u;
  if (!(q > 0)) { ZSIGMA = NaN; ZSLOPE = NaN; return; }
  const root = Math.sqrt(q);
  const dq = 2 * u + 3 * a * u * u + 4 * b * u * u * u;
  ZSIGMA = s0 * root;
  ZSLOPE = (s0 * dq) / (2 * root * d);
}

function zEvaluate(theta: StaticArray<f64>, data: usize): f64 {
  const box = ZBOX;
  const pixel = ZPIXEL;
  zSlope(0, unchecked(theta[4]));
  const sx = ZSIGMA / pixel;
  ZSLOPE_X = ZSLOPE / pixel;
  zSlope(5, unchecked(theta[4]));
  const sy = ZSIGMA / pixel;
  ZSLOPE_Y = ZSLOPE / pixel;
  if (!(sx > 0 && sy > 0)) return -Infinity;
  ZSX_NM = sx * pixel;
  ZSY_NM = sy * pixel;
  const scratch = changetype<usize>(ZSCRATCH);
  axisAt(unchecked(theta[0]), box, sx, true, changetype<usize>(ZXV), changetype<usize>(ZXD), scratch, changetype<usize>(ZXS), scratch, scratch);
  axisAt(unchecked(theta[1]), box, sy, true, changetype<usize>(ZYV), changetype<usize>(ZYD), scratch, changetype<usize>(ZYS), scratch, scratch);
  const n = unchecked(theta[2]);
  const b = unchecked(theta[3]);
  for (let r = 0; r < box; r++) {
    for (let col = 0; col < box; col++) {
      const i = r * box + col;
      const m = n * unchecked(ZXV[col]) * unchecked(ZYV[r]) + b;
      unchecked(ZMU[i] = m);
      const s: f64 = ZSHIFTED ? load<f64>(data + (<usize>i << 3) + ZSHIFT_DELTA) : 0;
      if (!(m + s > 0)) return -Infinity;
    }
  }
  return logLikelihoodSum(changetype<usize>(ZMU), data, box * box, ZSHIFTED, ZSHIFT_DELTA);
}

function zDerivatives(theta: StaticArray<f64>, data: usize): void {
  const box = ZBOX;
  for (let a = 0; a < 5; a++) unchecked(ZGRAD[a] = 0);
  for (let a = 0; a < 25; a++) unchecked(ZFI[a] = 0);
  const n = unchecked(theta[2]);
  for (let r = 0; r < box; r++) {
    for (let col = 0; col < box; col++) {
      const i = r * box + col;
      const ex = unchecked(ZXV[col]);
      const ey = unchecked(ZYV[r]);
      unchecked(ZDER[0] = n * unchecked(ZXD[col]) * ey);
      unchecked(ZDER[1] = n * ex * unchecked(ZYD[r]));
      unchecked(ZDER[2] = ex * ey);
      unchecked(ZDER[3] = 1);
      unchecked(ZDER[4] = n * (unchecked(ZXS[col]) * ZSLOPE_X * ey + ex * unchecked(ZYS[r]) * ZSLOPE_Y));
      const at = data + (<usize>i << 3);
      const s: f64 = ZSHIFTED ? load<f64>(at + ZSHIFT_DELTA) : 0;
      const inv = 1 / (unchecked(ZMU[i]) + s);
      const w = (load<f64>(at) + s) * inv - 1;
      for (let a = 0; a < 5; a++) {
        const d = unchecked(ZDER[a]);
        unchecked(ZGRAD[a] += w * d);
        const da = d * inv;
        for (let e = 0; e <= a; e++) unchecked(ZFI[a * 5 + e] += da * unchecked(ZDER[e]));
      }
    }
  }
  for (let a = 0; a < 5; a++) for (let e = 0; e < a; e++) unchecked(ZFI[e * 5 + a] = unchecked(ZFI[a * 5 + e]));
}

function zFitFrom(data: usize, maxIterations: i32, tolerance: f64): i32 {
  const box = <f64>ZBOX;
  ZITER = 0;
  let ll = zEvaluate(ZTH, data);
  ZLL = ll;
  if (!isFinite<f64>(ll)) return STATUS_BAD_DATA;
  let lambda = DAMPING_START;
  let status = STATUS_MAX_ITERATIONS;
  for (let it = 0; it < maxIterations; it++) {
    ZITER = it + 1;
    zDerivatives(ZTH, data);
    let accepted = false;
    let moved: f64 = 0;
    while (lambda <= DAMPING_LIMIT) {
      for (let a = 0; a < 25; a++) unchecked(ZSYS[a] = unchecked(ZFI[a]));
      for (let a = 0; a < 5; a++) unchecked(ZSYS[a * 5 + a] *= 1 + lambda);
      if (!choleskyN(ZSYS, 5, ZLOW)) { lambda *= DAMPING_GROWTH; continue; }
      choleskySolveN(ZLOW, 5, ZGRAD, ZSTEP);
      unchecked(ZTRIAL[0] = unchecked(ZTH[0]) + unchecked(ZSTEP[0]));
      unchecked(ZTRIAL[1] = unchecked(ZTH[1]) + unchecked(ZSTEP[1]));
      unchecked(ZTRIAL[2] = Math.max(unchecked(ZTH[2]) + unchecked(ZSTEP[2]), Math.max(MIN_PHOTONS, unchecked(ZTH[2]) * (1 - MAX_SHRINK))));
      unchecked(ZTRIAL[3] = Math.max(unchecked(ZTH[3]) + unchecked(ZSTEP[3]), Math.max(MIN_BACKGROUND, unchecked(ZTH[3]) * (1 - MAX_SHRINK))));
      unchecked(ZTRIAL[4] = Math.min(ZHI, Math.max(ZLO, unchecked(ZTH[4]) + Math.max(-MAX_Z_STEP_NM, Math.min(MAX_Z_STEP_NM, unchecked(ZSTEP[4]))))));
      moved = Math.max(Math.max(Math.abs(unchecked(ZTRIAL[0]) - unchecked(ZTH[0])), Math.abs(unchecked(ZTRIAL[1]) - unchecked(ZTH[1]))), Math.abs(unchecked(ZTRIAL[4]) - unchecked(ZTH[4])) / ZPIXEL);
      const next = zEvaluate(ZTRIAL, data);
      if (next >= ll - LL_GUARD * Math.abs(ll)) {
        for (let a = 0; a < 5; a++) unchecked(ZTH[a] = unchecked(ZTRIAL[a]));
        ll = next;
        lambda = Math.max(lambda / DAMPING_GROWTH, DAMPING_FLOOR);
        accepted = true;
        break;
      }
      lambda *= DAMPING_GROWTH;
    }
    if (!accepted) {
      zEvaluate(ZTH, data);
      status = STATUS_CONVERGED;
      break;
    }
    const x = unchecked(ZTH[0]), y = unchecked(ZTH[1]);
    if (x < -LEAVE_PATCH_PX || y < -LEAVE_PATCH_PX || x > box + LEAVE_PATCH_PX || y > box + LEAVE_PATCH_PX) { status = STATUS_LEFT_PATCH; break; }
    if (moved < tolerance) { status = STATUS_CONVERGED; break; }
  }
  ZLL = ll;
  return status;
}

function zPlace(x: f64, y: f64, n: f64, b: f64, s: i32): void {
  unchecked(ZTH[0] = x);
  unchecked(ZTH[1] = y);
  unchecked(ZTH[2] = Math.max(n, 1));
  unchecked(ZTH[3] = Math.max(b, 1e-3));
  unchecked(ZTH[4] = (ZLO + ZHI) / 2 + (unchecked(Z_START_FRACTIONS[s]) * (ZHI - ZLO)) / 2);
}

/**
 * AstigmaticFit.fit for the patch at `data` (ZBOX² f64 photons; `shift` 0 or the camera's
 * shift of each pixel, laid out as `data`) from (x, y) px, N, b: the z starts ranked by ℓ, the
 * fit from the best (the next when it does not converge), the CRLB; results in zOut().
 * @returns the status
 */
export function zFit(data: usize, shift: usize, x: f64, y: f64, n: f64, b: f64, maxIterations: i32, tolerance: f64): i32 {
  ZSHIFTED = shift != 0;
  ZSHIFT_DELTA = shift - data;
  const status = zChoose(data, x, y, n, b, maxIterations, tolerance);
  for (let a = 0; a < 5; a++) { unchecked(ZOUT[a] = unchecked(ZTH[a])); unchecked(ZOUT[5 + a] = unchecked(ZCR[a])); }
  unchecked(ZOUT[10] = ZLL);
  unchecked(ZOUT[11] = <f64>ZITER);
  unchecked(ZOUT[12] = ZSX_NM);
  unchecked(ZOUT[13] = ZSY_NM);
  unchecked(ZOUT[14] = residualSpread(data, ZMU, ZBOX * ZBOX));
  return status;
}

function zChoose(data: usize, x: f64, y: f64, n: f64, b: f64, maxIterations: i32, tolerance: f64): i32 {
  for (let a = 0; a < 5; a++) unchecked(ZCR[a] = NaN);
  const area = ZBOX * ZBOX;
  for (let i = 0; i < area; i++) if (!isFinite<f64>(load<f64>(data + (<usize>i << 3)))) return STATUS_BAD_DATA;
  for (let s = 0; s < 3; s++) {
    zPlace(x, y, n, b, s);
    unchecked(ZORDER[s] = zEvaluate(ZTH, data));
    unchecked(ZRANK[s] = s);
  }
  // A stable sort by ℓ, largest first.
  for (let i = 1; i < 3; i++) {
    const v = unchecked(ZRANK[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(ZORDER[unchecked(ZRANK[j])]) < unchecked(ZORDER[v])) { unchecked(ZRANK[j + 1] = unchecked(ZRANK[j])); j--; }
    unchecked(ZRANK[j + 1] = v);
  }
  let bestLl: f64 = -Infinity;
  let bestStatus = STATUS_BAD_DATA;
  let iterations = 0;
  for (let k = 0; k < 3; k++) {
    zPlace(x, y, n, b, unchecked(ZRANK[k]));
    const status = zFitFrom(data, maxIterations, tolerance);
    iterations += ZITER;
    const better = status == STATUS_CONVERGED ? bestStatus != STATUS_CONVERGED || ZLL > bestLl : bestStatus != STATUS_CONVERGED && ZLL > bestLl;
    if (better) {
      for (let a = 0; a < 5; a++) unchecked(ZBEST[a] = unchecked(ZTH[a]));
      bestLl = ZLL;
      bestStatus = status;
    }
    if (bestStatus == STATUS_CONVERGED) break;
  }
  for (let a = 0; a < 5; a++) unchecked(ZTH[a] = unchecked(ZBEST[a]));
  ZITER = iterations;
  ZLL = zEvaluate(ZTH, data);
  if (bestStatus != STATUS_CONVERGED) return bestStatus;
  zDerivatives(ZTH, data);
  if (!inverseDiagonalWith(ZFI, 5, ZCR, ZLOW, ZZ)) return STATUS_SINGULAR;
  for (let a = 0; a < 5; a++) unchecked(ZCR[a] = Math.sqrt(unchecked(ZCR[a])));
  const z = unchecked(ZTH[4]);
  if (z <= ZLO + Z_EDGE_NM || z >= ZHI - Z_EDGE_NM) return STATUS_Z_RANGE;
  return STATUS_CONVERGED;
}

/** Reserve `bytes` of memory (bump allocation, 16-byte aligned); returns the address. */
export function reserve(bytes: usize): usize {
  return heap.alloc(bytes);
}

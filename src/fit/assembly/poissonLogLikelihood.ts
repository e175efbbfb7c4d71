// ../poissonLogLikelihood.ts in the fit kernel: the Poisson log-likelihood of a window summed in
// pixel order, with its logarithm two pixels at a time (logPair, also used by PatchLikelihood.ts).

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
@inline export function logPair(x: v128): v128 {
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
export function logLikelihoodSum(mu: usize, data: usize, n: i32, shifted: bool, delta: usize): f64 {
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

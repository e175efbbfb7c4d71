// ../erf.ts's erfcGivenExp in the fit kernel, two values at a time (f64x2): W. J. Cody's rational
// approximations with the constants of ../fitConstants.ts.
import {
  A0, A1, A2, A3, A4, B0, B1, B2, B3, C0, C1, C2, C3, C4, C5, C6, C7, C8, D0, D1, D2, D3, D4, D5, D6, D7,
  ERF_SMALL_LIMIT, INV_SQRT_PI, P0, P1, P2, P3, P4, P5, Q0, Q1, Q2, Q3, Q4,
} from '../fitConstants';

// erf.ts's erfcGivenExp (erfc(y) given e = exp(−y²), y ≥ 0) of two values at once, each lane by
// the same formula and operations as the scalar one (so the same result): the formulas of the
// ranges present are computed for both lanes and each lane takes its own.
// @ts-ignore
@inline export function erfcPair(y: v128, e: v128): v128 {
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


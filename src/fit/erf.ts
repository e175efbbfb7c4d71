/**
 * The error function and its complement in double precision.
 *
 * JavaScript has no `erf`. This module evaluates W. J. Cody's near-minimax rational
 * approximations ("Rational Chebyshev approximations for the error function", Math. Comp. 23,
 * 1969, pp. 631–638), whose coefficients give at least 18 significant digits in exact
 * arithmetic; in IEEE doubles the absolute error is below 1e-15 over the whole real line
 * (tested against 50-digit references in `test/fit/erf.test.ts`).
 *
 * Three ranges of |x|:
 * - |x| ≤ 0.46875: erf(x) = x · R₁(x²)
 * - 0.46875 < |x| ≤ 4: erfc(|x|) = exp(−x²) · R₂(|x|)
 * - |x| > 4: erfc(|x|) = exp(−x²)/|x| · (1/√π − x⁻² R₃(x⁻²))
 *
 * `erfcGivenExp` exposes the scaled form so that the PSF model, which needs exp(−t²) anyway for
 * its derivatives, pays one `exp` per pixel boundary instead of two.
 */

import { A0, A1, A2, A3, A4, B0, B1, B2, B3, C0, C1, C2, C3, C4, C5, C6, C7, C8, D0, D1, D2, D3, D4, D5, D6, D7, ERF_SMALL_LIMIT, INV_SQRT_PI, P0, P1, P2, P3, P4, P5, Q0, Q1, Q2, Q3, Q4 } from './fitConstants.js';

/** erfc(x) underflows to 0 for x at or above this value (IEEE double). */
const ERFC_UNDERFLOW = 26.543;

/** erf(x) for |x| ≤ 0.46875 (Cody's R₁). */
function erfSmall(x: number): number {
  const y2 = x * x;
  const num = (((A4 * y2 + A0) * y2 + A1) * y2 + A2) * y2 + A3;
  const den = (((y2 + B0) * y2 + B1) * y2 + B2) * y2 + B3;
  return (x * num) / den;
}

/** exp(y²)·erfc(y) for y > 0.46875 (Cody's R₂ up to 4, the asymptotic R₃ beyond). */
function erfcxLarge(y: number): number {
  if (y <= 4) {
    // Estrin's scheme: the same polynomials as Cody's Horner loop, a third of its dependency
    // depth (the fit calls this for every pixel boundary, so latency matters).
    const y2 = y * y;
    const y4 = y2 * y2;
    const num =
      C7 + C6 * y + y2 * (C5 + C4 * y) + y4 * (C3 + C2 * y + y2 * (C1 + C0 * y)) + y4 * y4 * C8;
    const den =
      D7 + D6 * y + y2 * (D5 + D4 * y) + y4 * (D3 + D2 * y + y2 * (D1 + D0 * y)) + y4 * y4;
    return num / den;
  }
  const s = 1 / (y * y);
  let num = P5 * s;
  let den = s;
  num = (num + P0) * s;
  den = (den + Q0) * s;
  num = (num + P1) * s;
  den = (den + Q1) * s;
  num = (num + P2) * s;
  den = (den + Q2) * s;
  num = (num + P3) * s;
  den = (den + Q3) * s;
  const r = (s * (num + P4)) / (den + Q4);
  return (INV_SQRT_PI - r) / y;
}

/**
 * exp(−y²) for y ≥ 0, with y² split into a 4-bit head and a tail so that the rounding
 * error of y² does not spoil the relative accuracy of the result (as in Cody's CALERF).
 */
function expNegSquareAccurate(y: number): number {
  const head = Math.trunc(y * 16) / 16;
  const del = (y - head) * (y + head);
  return Math.exp(-head * head) * Math.exp(-del);
}

/**
 * Complementary error function erfc(y) = 1 − erf(y) for y ≥ 0, given `expNegYSquared` =
 * exp(−y²) computed by the caller. Keeps relative accuracy in the far tail (no 1 − erf
 * cancellation). Used by the PSF model, which needs exp(−y²) for its derivatives anyway.
 *
 * @param y - argument, y ≥ 0
 * @param expNegYSquared - exp(−y²)
 * @returns erfc(y)
 */
export function erfcGivenExp(y: number, expNegYSquared: number): number {
  if (y <= ERF_SMALL_LIMIT) return 1 - erfSmall(y);
  return expNegYSquared * erfcxLarge(y);
}

/**
 * The error function erf(x) = 2/√π ∫₀ˣ exp(−t²) dt.
 *
 * @param x - any real number; NaN gives NaN
 * @returns erf(x) with absolute error ≤ 1e-15
 */
export function erf(x: number): number {
  const y = x < 0 ? -x : x;
  if (y <= ERF_SMALL_LIMIT) return erfSmall(x);
  if (y >= 6) return x < 0 ? -1 : 1; // 1 − erfc(6) rounds to 1 in double precision
  const c = expNegSquareAccurate(y) * erfcxLarge(y);
  const r = 0.5 - c + 0.5;
  return x < 0 ? -r : r;
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), accurate in relative terms for
 * large positive x (where 1 − erf(x) would cancel).
 *
 * @param x - any real number; NaN gives NaN
 * @returns erfc(x) with absolute error ≤ 1e-15 and relative error of a few ulp for x > 0
 */
export function erfc(x: number): number {
  const y = x < 0 ? -x : x;
  let c: number;
  if (y <= ERF_SMALL_LIMIT) return 1 - erfSmall(x);
  if (y >= ERFC_UNDERFLOW) c = 0;
  else c = expNegSquareAccurate(y) * erfcxLarge(y);
  return x < 0 ? 2 - c : c;
}

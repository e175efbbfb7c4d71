// ../models/proposeLateral.ts and ../models/outsideWindow.ts in the fit kernel: the step limits
// and the window test every model shares for N, b and the position.
import { LEAVE_PATCH_PX, MAX_SHRINK, MIN_BACKGROUND, MIN_PHOTONS } from '../fitConstants';

/** N + δ, shrinking by at most MAX_SHRINK of itself and staying above MIN_PHOTONS. */
// @ts-ignore
@inline export function proposePhotons(n: f64, step: f64): f64 {
  return Math.max(n + step, Math.max(MIN_PHOTONS, n * (1 - MAX_SHRINK)));
}

/** b + δ, shrinking by at most MAX_SHRINK of itself and staying above MIN_BACKGROUND. */
// @ts-ignore
@inline export function proposeBackground(b: f64, step: f64): f64 {
  return Math.max(b + step, Math.max(MIN_BACKGROUND, b * (1 - MAX_SHRINK)));
}

/** Whether (x, y) lies more than LEAVE_PATCH_PX outside a `window`-wide window (the fit stops with STATUS_LEFT_PATCH). */
// @ts-ignore
@inline export function outsideWindow(x: f64, y: f64, window: i32): bool {
  const w = <f64>window;
  return x < -LEAVE_PATCH_PX || y < -LEAVE_PATCH_PX || x > w + LEAVE_PATCH_PX || y > w + LEAVE_PATCH_PX;
}

// ../SplineFit.ts in the fit kernel: one spot through a tricubic spline PSF (../models/SplineModel.ts,
// ../spline/SplineEvaluator.ts), θ = (x, y, N, b, z): evaluate (S of every pixel from the window's
// shared weights), derivatives (∂S/∂u, ∂S/∂v, ∂S/∂w at the first call after an evaluation), the z
// starts ranked by ℓ, the fit from the best (FisherScoring.ts's loop), the CRLB, the residual and the
// PSF's widths; the same arithmetic in the same order as the JavaScript.
import {
  MAX_WINDOW, MAX_Z_STEP_NM, MIN_START_BACKGROUND, MIN_START_PHOTONS, SPLINE_COEFFICIENTS, SPLINE_EDGE_START_PX, SPLINE_LOBE_FRACTION, SPLINE_LOBE_MIN_PX, SPLINE_SCAN_LOBES, SPLINE_SETTLED_DECREMENT, STATUS_MAX_ITERATIONS, SPLINE_Z_SCAN_FITS, SPLINE_Z_SCAN_STARTS, STATUS_BAD_DATA, STATUS_CONVERGED,
  STATUS_SINGULAR, STATUS_Z_RANGE, Z_EDGE_NM, Z_OUT_CRLB, Z_OUT_ITERATIONS, Z_OUT_LOG_LIKELIHOOD, Z_OUT_RESIDUAL_STD,
  Z_OUT_SIGMA_X_NM, Z_OUT_SIGMA_Y_NM, Z_OUT_THETA, Z_OUTPUT_COLUMNS, Z_PARAMETERS,
} from '../fitConstants';
import { choleskyFactor, choleskyInverseDiagonal, choleskySolve } from './cholesky';
import { fisherFive } from './fisherFive';
import { outsideWindow, proposeBackground, proposePhotons } from './proposeLateral';
import { SCORING_FISHER, SCORING_GRADIENT, SCORING_ITERATIONS, SCORING_LL, fisherScoring } from './FisherScoring';
import { logLikelihoodSum } from './poissonLogLikelihood';
import { residualSpread } from './residualSpread';

/** Offsets beyond this many samples are impossible (SplineModel.ts: keeps Math.floor in i32). */
export const FAR: f64 = 1e6;
let SBOX: i32 = 13;
let SPIXEL: f64 = 100;
/** The spline: its coefficients at SCOEF (f32 where SF32, else f64), voxels, plane 0's z and the step (nm), the emitter's sample. */
let SCOEF: usize = 0;
let SF32: bool = false;
/** log2 of a voxel's bytes: 64 coefficients of 4 (f32) or 8 (f64) bytes. */
let SVOXEL_SHIFT: usize = 9;
let SVX: i32 = 0;
let SVY: i32 = 0;
export let SVZ: i32 = 0;
export let SZ0: f64 = 0;
export let SDZ: f64 = 1;
export let SCX: f64 = 0;
export let SCY: f64 = 0;
export let SZLO: f64 = 0;
export let SZHI: f64 = 0;
/** Fit from every z start (SplineFit's everyStart), not only until one converges. */
let SEVERY: bool = false;
/** dx^0…3 and their derivatives (two f64x2 each), per group g = j + 4k: dy^j·dz^k, ∂/∂v and ∂/∂w of it (SplineEvaluator's). */
const SPX = new StaticArray<f64>(4);
const SDPX = new StaticArray<f64>(4);
const SPY = new StaticArray<f64>(4);
const SPZ = new StaticArray<f64>(4);
const SDPY = new StaticArray<f64>(4);
const SDPZ = new StaticArray<f64>(4);
const SYZ = new StaticArray<f64>(16);
const SDYZ = new StaticArray<f64>(16);
const SYDZ = new StaticArray<f64>(16);
/** Whether an evaluation computes the derivatives with the values (in the fit: its next step needs them). */
let SEAGER: bool = false;
/** S, ∂S/∂u, ∂S/∂v, ∂S/∂w of every pixel (SplineModel's terms). */
const STERMS = new StaticArray<f64>(4 * MAX_WINDOW * MAX_WINDOW);
const SMU = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);
let SIU: i32 = 0;
let SIV: i32 = 0;
let SIZ: i32 = 0;
let SGRADIENTS: bool = false;
/** The θ last evaluated (of this patch) and its ℓ, while STERMS and SMU hold its evaluation. */
const SKEPT_THETA = new StaticArray<f64>(Z_PARAMETERS);
let SKEPT_LL: f64 = NaN;
let SKEPT: bool = false;
const STH = new StaticArray<f64>(Z_PARAMETERS);
const STRIAL = new StaticArray<f64>(Z_PARAMETERS);
const SBEST = new StaticArray<f64>(Z_PARAMETERS);
const SLOW = new StaticArray<f64>(Z_PARAMETERS * Z_PARAMETERS);
const SCR = new StaticArray<f64>(Z_PARAMETERS);
const SZZ = new StaticArray<f64>(Z_PARAMETERS);
/** Scan starts: each scanned plane at the lateral start, then at each of its lobes (../spline/scanLobes.ts). */
const SCAN_STARTS: i32 = SPLINE_Z_SCAN_STARTS * (1 + SPLINE_SCAN_LOBES);
const SORDER = new StaticArray<f64>(SCAN_STARTS);
const SRANK = new StaticArray<i32>(SCAN_STARTS);
/** N and b of each scan start (least squares). */
const SPROF = new StaticArray<f64>(2 * SCAN_STARTS);
/** The scanned planes' lobes: (dx, dy) px from the emitter at 2·(SPLINE_SCAN_LOBES·s + j); NaN: none (scanLobes). */
const SLOBES = new StaticArray<f64>(2 * SPLINE_SCAN_LOBES * SPLINE_Z_SCAN_STARTS);
const SLOBE_VALUE = new StaticArray<f64>(SPLINE_SCAN_LOBES);
/** The lateral start of the scan start last ranked or placed, px. */
let SLX: f64 = 0;
let SLY: f64 = 0;
/** After splineFit: the Z_OUT_* layout (θ̂, √CRLB, ℓ, iterations, the PSF's widths in nm, residual std). */
const SOUT = new StaticArray<f64>(Z_OUTPUT_COLUMNS);
let SLL: f64 = NaN;
let SITER: i32 = 0;
let SSHIFTED: bool = false;
let SSHIFT_DELTA: usize = 0;

/**
 * Set the spline fit: patch width (px), pixel size (nm, for the widths), the coefficients (64 a
 * voxel in SplinePsf's layout at `coefficients`, f32 where `f32` is 1, else f64: a spline read
 * from a file holds f32, and each is promoted to f64 exactly where used, half the memory to read;
 * reordered there into the kernel's, once: pairGroups), voxels along x, y, z, plane 0's z and the
 * plane step (nm), the emitter's sample position (px), and whether to fit from every z start (1) or
 * until one converges (0).
 */
export function splineConfigure(box: i32, pixelNm: f64, coefficients: usize, f32: i32, vx: i32, vy: i32, vz: i32, zStart: f64, dz: f64, cx: f64, cy: f64, every: i32): void {
  SEVERY = every != 0;
  SF32 = f32 != 0;
  SVOXEL_SHIFT = SF32 ? 8 : 9;
  SBOX = box;
  SPIXEL = pixelNm;
  SCOEF = coefficients;
  SVX = vx;
  SVY = vy;
  SVZ = vz;
  SZ0 = zStart;
  SDZ = dz;
  SCX = cx;
  SCY = cy;
  const a = zStart, b = zStart + <f64>vz * dz;
  SZLO = a <= b ? a : b;
  SZHI = a <= b ? b : a;
  if (coefficients != SPAIRED) pairGroups(coefficients, <usize>vx * <usize>vy * <usize>vz);
  SPAIRED = coefficients;
  sLobes();
  scanPlanes();
}

/** The scanned planes' samples (sScanPlane(s) of s = 0…SPLINE_Z_SCAN_STARTS − 1), vx × vy f64 each, row-major; its size in bytes. */
let SPLANES: usize = 0;
let SPLANES_BYTES: usize = 0;

/** SPLANES from the spline just configured: each scanned plane's samples side by side, so the scan reads rows, not one f64 every 512 bytes. */
function scanPlanes(): void {
  const plane = <usize>SVX * <usize>SVY;
  const bytes = (<usize>SPLINE_Z_SCAN_STARTS * plane) << 3;
  if (bytes > SPLANES_BYTES) {
    SPLANES = heap.alloc(bytes);
    SPLANES_BYTES = bytes;
  }
  for (let s = 0; s < SPLINE_Z_SCAN_STARTS; s++) {
    const iz = sScanPlane(s);
    const to = SPLANES + ((<usize>s * plane) << 3);
    for (let iy = 0; iy < SVY; iy++) for (let ix = 0; ix < SVX; ix++) store<f64>(to + (<usize>(iy * SVX + ix) << 3), sSample(ix, iy, iz));
  }
}

/**
 * The coefficients last reordered by pairGroups (a configure again on them leaves them as they
 * are). Only the last block is remembered: an instance holds one spline, configured once (each
 * WasmSplineFit / WasmMultiSplineFit has its own instance); configuring A, B, then A again would
 * reorder A twice.
 */
let SPAIRED: usize = 0;

/** One voxel's 64 coefficients while {@link pairGroups} reorders them. */
const SVOXEL = new StaticArray<f64>(SPLINE_COEFFICIENTS);

/**
 * Reorder each voxel's coefficients in place from SplinePsf's layout (a_ijk at i + 4g, g = j + 4k)
 * to the kernel's: per pair of groups (g, g + 1), g even, the coefficients i = 0…3 of both side
 * by side, [a_i,g, a_i,g+1] at 4g + 2i, so one f64x2 holds coefficient i of the pair and X_g, X_g+1
 * are lane-wise sums (voxelValueOf, voxelTermsOf); coefficient 0 of a voxel (its sample) stays first.
 */
function pairGroups(coefficients: usize, voxels: usize): void {
  const scratch = changetype<usize>(SVOXEL);
  for (let v: usize = 0; v < voxels; v++) {
    const at = coefficients + (v << SVOXEL_SHIFT);
    if (SF32) {
      for (let m = 0; m < SPLINE_COEFFICIENTS; m++) unchecked(SVOXEL[m] = <f64>load<f32>(at + (<usize>m << 2)));
    } else memory.copy(scratch, at, SPLINE_COEFFICIENTS << 3);
    for (let g = 0; g < 16; g += 2) {
      for (let i = 0; i < 4; i++) {
        const m = 4 * g + 2 * i;
        if (SF32) {
          store<f32>(at + (<usize>m << 2), <f32>unchecked(SVOXEL[4 * g + i]));
          store<f32>(at + (<usize>(m + 1) << 2), <f32>unchecked(SVOXEL[4 * g + 4 + i]));
        } else {
          store<f64>(at + (<usize>m << 3), unchecked(SVOXEL[4 * g + i]));
          store<f64>(at + (<usize>(m + 1) << 3), unchecked(SVOXEL[4 * g + 4 + i]));
        }
      }
    }
  }
}

/** The sample at voxel (ix, iy, iz)'s corner (its first coefficient). */
function sSample(ix: i32, iy: i32, iz: i32): f64 {
  const at = SCOEF + (<usize>((iz * SVY + iy) * SVX + ix) << SVOXEL_SHIFT);
  return SF32 ? <f64>load<f32>(at) : load<f64>(at);
}

/** scanLobes: SLOBES from the spline just configured, the same arithmetic in the same order. */
function sLobes(): void {
  const lobes = SPLINE_SCAN_LOBES;
  for (let i = 0; i < 2 * lobes * SPLINE_Z_SCAN_STARTS; i++) unchecked(SLOBES[i] = NaN);
  for (let s = 0; s < SPLINE_Z_SCAN_STARTS; s++) {
    const iz = sScanPlane(s);
    let peak: f64 = 0;
    for (let iy = 0; iy < SVY; iy++) for (let ix = 0; ix < SVX; ix++) peak = Math.max(peak, sSample(ix, iy, iz));
    for (let j = 0; j < lobes; j++) unchecked(SLOBE_VALUE[j] = 0);
    for (let iy = 1; iy < SVY - 1; iy++) {
      for (let ix = 1; ix < SVX - 1; ix++) {
        const v = sSample(ix, iy, iz);
        if (!(v > 0 && v >= SPLINE_LOBE_FRACTION * peak)) continue;
        const dx = <f64>ix - SCX, dy = <f64>iy - SCY;
        if (Math.sqrt(dx * dx + dy * dy) < SPLINE_LOBE_MIN_PX) continue;
        let isMaximum = true;
        for (let bb = -1; bb <= 1 && isMaximum; bb++) {
          for (let aa = -1; aa <= 1; aa++) {
            if ((aa != 0 || bb != 0) && sSample(ix + aa, iy + bb, iz) > v) { isMaximum = false; break; }
          }
        }
        if (!isMaximum) continue;
        let j = lobes;
        while (j > 0 && v > unchecked(SLOBE_VALUE[j - 1])) j--;
        if (j >= lobes) continue;
        for (let k = lobes - 1; k > j; k--) {
          unchecked(SLOBE_VALUE[k] = unchecked(SLOBE_VALUE[k - 1]));
          unchecked(SLOBES[2 * (lobes * s + k)] = unchecked(SLOBES[2 * (lobes * s + k - 1)]));
          unchecked(SLOBES[2 * (lobes * s + k) + 1] = unchecked(SLOBES[2 * (lobes * s + k - 1) + 1]));
        }
        unchecked(SLOBE_VALUE[j] = v);
        unchecked(SLOBES[2 * (lobes * s + j)] = dx);
        unchecked(SLOBES[2 * (lobes * s + j) + 1] = dy);
      }
    }
  }
}

/**
 * SplineFit.lateralStart: SLX, SLY = the lateral start of scan start s (lobe 0: (x, y); lobe j: the
 * emitter whose lobe j of the plane lies on it). @returns false where the plane lacks the lobe or it
 * puts the emitter outside the window (½ px in).
 */
function sLateral(x: f64, y: f64, s: i32): bool {
  const j = s / SPLINE_Z_SCAN_STARTS;
  if (j == 0) {
    SLX = x;
    SLY = y;
    return true;
  }
  const at = 2 * (SPLINE_SCAN_LOBES * (s % SPLINE_Z_SCAN_STARTS) + j - 1);
  SLX = x - unchecked(SLOBES[at]);
  SLY = y - unchecked(SLOBES[at + 1]);
  const far = <f64>SBOX - 0.5;
  return SLX >= 0.5 && SLX <= far && SLY >= 0.5 && SLY <= far;
}

/** The address of SOUT. */
export function splineOut(): usize { return changetype<usize>(SOUT); }

// @ts-ignore
@inline function powers(t: f64, p: StaticArray<f64>, d: StaticArray<f64>): void {
  unchecked(p[0] = 1);
  unchecked(p[1] = t);
  unchecked(p[2] = t * t);
  unchecked(p[3] = t * t * t);
  unchecked(d[0] = 0);
  unchecked(d[1] = 1);
  unchecked(d[2] = 2 * t);
  unchecked(d[3] = 3 * t * t);
}

/** SplineEvaluator.prepare. */
export function prepare(dx: f64, dy: f64, dz: f64): void {
  powers(dx, SPX, SDPX);
  powers(dy, SPY, SDPY);
  powers(dz, SPZ, SDPZ);
  for (let k = 0; k < 4; k++) {
    for (let j = 0; j < 4; j++) {
      unchecked(SYZ[j + 4 * k] = unchecked(SPY[j]) * unchecked(SPZ[k]));
      unchecked(SDYZ[j + 4 * k] = unchecked(SDPY[j]) * unchecked(SPZ[k]));
      unchecked(SYDZ[j + 4 * k] = unchecked(SPY[j]) * unchecked(SDPZ[k]));
    }
  }
}

/**
 * Coefficient i (0…3) of the pair of groups at `at` (pairGroups' layout) as f64x2, stored as T
 * (f32: promoted exactly; f64).
 */
// @ts-ignore
@inline function pairCoefficient<T>(at: usize, i: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(at + (i << 3)));
  return v128.load(at + (i << 4));
}

/**
 * S of the voxel at `base` (SplineEvaluator.value), its coefficients stored as T; p1…p3: dx, dx²,
 * dx³ splatted (windowValuesOf's, once a window).
 */
// @ts-ignore
@inline function voxelValueOf<T>(base: usize, p1: v128, p2: v128, p3: v128): f64 {
  const yz = changetype<usize>(SYZ);
  let acc = f64x2.splat(0);
  for (let g: usize = 0; g < 16; g += 2) {
    const at = base + g * 4 * sizeof<T>();
    // X of groups g, g + 1 as SplineEvaluator.value sums it: (a_0·1 + a_2·dx²) + (a_1·dx + a_3·dx³), a_0·1 being a_0.
    const x = f64x2.add(f64x2.add(pairCoefficient<T>(at, 0), f64x2.mul(pairCoefficient<T>(at, 2), p2)), f64x2.add(f64x2.mul(pairCoefficient<T>(at, 1), p1), f64x2.mul(pairCoefficient<T>(at, 3), p3)));
    acc = f64x2.add(acc, f64x2.mul(x, v128.load(yz + (g << 3))));
  }
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/**
 * S, ∂S/∂u, ∂S/∂v, ∂S/∂w of the voxel at `base` (coefficients stored as T) into the four f64 at
 * `dst`: per pair of groups (pairGroups' layout) X and its x-derivative (a_0·0 + a_2·2dx) +
 * (a_1·1 + a_3·3dx²) as SplineEvaluator.gradient sums them (a_0·0 adds nothing, a_1·1 is a_1:
 * the same values); p1…p3, d2, d3: dx, dx², dx³, 2dx, 3dx² splatted (once a window). Each pair
 * of lanes is summed as [S, ∂S/∂u] and [∂S/∂v, ∂S/∂w] lane-wise (lane 0 + lane 1 of each: the
 * same sums), two stores.
 */
// @ts-ignore
@inline function voxelTermsOf<T>(base: usize, dst: usize, p1: v128, p2: v128, p3: v128, d2: v128, d3: v128): void {
  const yz = changetype<usize>(SYZ), dyz = changetype<usize>(SDYZ), ydz = changetype<usize>(SYDZ);
  let av = f64x2.splat(0), au = f64x2.splat(0), ay = f64x2.splat(0), az = f64x2.splat(0);
  for (let g: usize = 0; g < 16; g += 2) {
    const at = base + g * 4 * sizeof<T>();
    // Coefficient i of groups g (lane 0) and g + 1 (lane 1), each loaded once for X and its x-derivative.
    const a0 = pairCoefficient<T>(at, 0), a1 = pairCoefficient<T>(at, 1), a2 = pairCoefficient<T>(at, 2), a3 = pairCoefficient<T>(at, 3);
    const x = f64x2.add(f64x2.add(a0, f64x2.mul(a2, p2)), f64x2.add(f64x2.mul(a1, p1), f64x2.mul(a3, p3)));
    const e = f64x2.add(f64x2.mul(a2, d2), f64x2.add(a1, f64x2.mul(a3, d3)));
    const o = g << 3;
    const wyz = v128.load(yz + o);
    av = f64x2.add(av, f64x2.mul(x, wyz));
    au = f64x2.add(au, f64x2.mul(e, wyz));
    ay = f64x2.add(ay, f64x2.mul(x, v128.load(dyz + o)));
    // Groups 0…3 (k = 0) weigh ∂/∂w by ∂(dz⁰) = 0: X·0 = ±0 added to the +0 az starts from leaves
    // it +0, so skipping them gives the same az.
    if (g >= 4) az = f64x2.add(az, f64x2.mul(x, v128.load(ydz + o)));
  }
  v128.store(dst, f64x2.add(v128.shuffle<f64>(av, au, 0, 2), v128.shuffle<f64>(av, au, 1, 3)));
  v128.store(dst, f64x2.add(v128.shuffle<f64>(ay, az, 0, 2), v128.shuffle<f64>(ay, az, 1, 3)), 16);
}

/** The x powers of the offsets last {@link prepare}d, splatted: which of dx, dx², dx³, 2dx, 3dx². */
// @ts-ignore
@inline function splatPower(d: StaticArray<f64>, i: i32): v128 {
  return f64x2.splat(unchecked(d[i]));
}

/**
 * The window's pixels from voxel (iu, iv, iz) on (row r, column c: voxel (iu + c, iv + r, iz)),
 * `window` px square, at the offsets last {@link prepare}d: where `terms`, S, ∂S/∂u, ∂S/∂v, ∂S/∂w
 * of each into 4 f64 at `dst` (pixel i at dst + 32·i; zeros outside the grid), else S alone at
 * `dst` with a stride of `stride` bytes (0 outside). The voxels of a row are consecutive, so a
 * row's pixels inside the grid are one run, its address stepped a voxel a pixel.
 */
// @ts-ignore
@inline function windowPassOf<T>(iu: i32, iv: i32, iz: i32, window: i32, dst: usize, terms: bool, stride: usize): void {
  const p1 = splatPower(SPX, 1), p2 = splatPower(SPX, 2), p3 = splatPower(SPX, 3);
  const d2 = splatPower(SDPX, 2), d3 = splatPower(SDPX, 3);
  const step = terms ? <usize>32 : stride;
  const voxel = <usize>1 << SVOXEL_SHIFT;
  // Columns c0 … c1 − 1 of each row lie inside the grid along x (iz is inside: the callers' z test).
  const c0 = iu >= 0 ? 0 : min(window, -iu);
  const c1 = max(c0, min(window, SVX - iu));
  let out = dst;
  for (let r = 0; r < window; r++) {
    const iy = iv + r;
    const inside = iy >= 0 && iy < SVY;
    const a = inside ? c0 : window;
    const b = inside ? c1 : window;
    for (let col = 0; col < a; col++) {
      if (terms) { v128.store(out, f64x2.splat(0)); v128.store(out, f64x2.splat(0), 16); } else store<f64>(out, 0);
      out += step;
    }
    let base = SCOEF + (<usize>((iz * SVY + iy) * SVX + iu + a) << SVOXEL_SHIFT);
    for (let col = a; col < b; col++) {
      if (terms) voxelTermsOf<T>(base, out, p1, p2, p3, d2, d3);
      else store<f64>(out, voxelValueOf<T>(base, p1, p2, p3));
      base += voxel;
      out += step;
    }
    for (let col = b; col < window; col++) {
      if (terms) { v128.store(out, f64x2.splat(0)); v128.store(out, f64x2.splat(0), 16); } else store<f64>(out, 0);
      out += step;
    }
  }
}

/**
 * S, ∂S/∂u, ∂S/∂v, ∂S/∂w (SplineEvaluator.value and .gradient) of a window's pixels from voxel
 * (iu, iv, iz) at the offsets last {@link prepare}d, 4 f64 a pixel at `dst`, row-major; zeros
 * outside the grid (iz inside it).
 */
export function windowTerms(iu: i32, iv: i32, iz: i32, window: i32, dst: usize): void {
  if (SF32) windowPassOf<f32>(iu, iv, iz, window, dst, true, 32);
  else windowPassOf<f64>(iu, iv, iz, window, dst, true, 32);
}

/** S alone (SplineEvaluator.value) of windowTerms' pixels, one f64 every `stride` bytes at `dst`; 0 outside the grid. */
export function windowValues(iu: i32, iv: i32, iz: i32, window: i32, dst: usize, stride: usize): void {
  if (SF32) windowPassOf<f32>(iu, iv, iz, window, dst, false, stride);
  else windowPassOf<f64>(iu, iv, iz, window, dst, false, stride);
}

/** SplineModel.evaluate with PoissonEstimator.evaluate: S and μ of every pixel; ℓ, or −∞ where impossible. */
function sEvaluate(theta: StaticArray<f64>, data: usize): f64 {
  SKEPT = false;
  const box = SBOX;
  const w = (unchecked(theta[4]) - SZ0) / SDZ;
  if (!(w >= 0 && w <= <f64>SVZ)) return -Infinity;
  const iz = <i32>Math.min(Math.floor(w), <f64>(SVZ - 1));
  const u0 = SCX + 0.5 - unchecked(theta[0]);
  const v0 = SCY + 0.5 - unchecked(theta[1]);
  if (!(Math.abs(u0) < FAR && Math.abs(v0) < FAR)) return -Infinity;
  const fu = Math.floor(u0);
  const fv = Math.floor(v0);
  const iu = <i32>fu;
  const iv = <i32>fv;
  prepare(u0 - fu, v0 - fv, w - <f64>iz);
  const eager = SEAGER;
  if (eager) windowTerms(iu, iv, iz, box, changetype<usize>(STERMS));
  else windowValues(iu, iv, iz, box, changetype<usize>(STERMS), 32);
  SIU = iu;
  SIV = iv;
  SIZ = iz;
  SGRADIENTS = eager;
  const n = unchecked(theta[2]);
  const b = unchecked(theta[3]);
  const count = box * box;
  for (let k = 0; k < count; k++) {
    const m = n * unchecked(STERMS[4 * k]) + b;
    unchecked(SMU[k] = m);
    const s: f64 = SSHIFTED ? load<f64>(data + (<usize>k << 3) + SSHIFT_DELTA) : 0;
    if (!(m + s > 0)) return -Infinity;
  }
  const ll = logLikelihoodSum(changetype<usize>(SMU), data, count, SSHIFTED, SSHIFT_DELTA);
  for (let a = 0; a < 5; a++) unchecked(SKEPT_THETA[a] = unchecked(theta[a]));
  SKEPT_LL = ll;
  SKEPT = true;
  return ll;
}

/** sEvaluate, or its kept result where θ is the one last evaluated with its derivatives (the fit's last step, mostly). */
function sAgain(theta: StaticArray<f64>, data: usize): f64 {
  if (SKEPT && SGRADIENTS) {
    let same = true;
    for (let a = 0; a < 5; a++) same = same && unchecked(SKEPT_THETA[a]) == unchecked(theta[a]);
    if (same) return SKEPT_LL;
  }
  return sEvaluate(theta, data);
}

/** SplineModel's gradients of every pixel (SplineEvaluator.gradient), once after an evaluation. */
function sGradients(): void {
  if (SGRADIENTS) return;
  windowTerms(SIU, SIV, SIZ, SBOX, changetype<usize>(STERMS));
  SGRADIENTS = true;
}

/** One pixel's ∂μ/∂(x, y, N, b, z) from STERMS, in fisherFive's pairs (N of the θ last evaluated in `n`). */
class SplineTerms {
  n: f64 = 0;

  /** (−N·∂S/∂u, −N·∂S/∂v). */
  // @ts-ignore
  @inline d01(r: i32, col: i32): v128 {
    return f64x2.mul(f64x2.splat(-this.n), v128.load(changetype<usize>(STERMS) + (<usize>(4 * (r * SBOX + col) + 1) << 3)));
  }

  /** (S, 1). */
  // @ts-ignore
  @inline d23(r: i32, col: i32): v128 {
    return f64x2.replace_lane(f64x2.splat(unchecked(STERMS[4 * (r * SBOX + col)])), 1, 1.0);
  }

  /** (N·∂S/∂w / Δz, 0). */
  // @ts-ignore
  @inline d4(r: i32, col: i32): v128 {
    return f64x2.replace_lane(f64x2.splat((this.n * unchecked(STERMS[4 * (r * SBOX + col) + 3])) / SDZ), 1, 0.0);
  }
}

const SPLINE_TERMS = new SplineTerms();

/** PoissonEstimator.derivatives on SplineModel: ∇ℓ and the Fisher information (5 × 5) at the θ last evaluated (fisherFive). */
function sDerivatives(theta: StaticArray<f64>, data: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
  sGradients();
  SPLINE_TERMS.n = unchecked(theta[2]);
  fisherFive<SplineTerms>(SPLINE_TERMS, SBOX, data, changetype<usize>(SMU), SSHIFTED, SSHIFT_DELTA, gradient, fisher);
}

/** The spline model of FisherScoring.ts: the patch at `data`. */
class SplineModel {
  data: usize = 0;

  evaluate(theta: StaticArray<f64>): f64 {
    return sEvaluate(theta, this.data);
  }

  derivatives(theta: StaticArray<f64>, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
    sDerivatives(theta, this.data, gradient, fisher);
  }

  /** θ + δ with N and b shrinking by at most MAX_SHRINK, z moving by at most MAX_Z_STEP_NM within the range; the largest position change (px, z in planes). */
  propose(theta: StaticArray<f64>, step: StaticArray<f64>, trial: StaticArray<f64>): f64 {
    unchecked(trial[0] = unchecked(theta[0]) + unchecked(step[0]));
    unchecked(trial[1] = unchecked(theta[1]) + unchecked(step[1]));
    unchecked(trial[2] = proposePhotons(unchecked(theta[2]), unchecked(step[2])));
    unchecked(trial[3] = proposeBackground(unchecked(theta[3]), unchecked(step[3])));
    unchecked(trial[4] = Math.min(SZHI, Math.max(SZLO, unchecked(theta[4]) + Math.max(-MAX_Z_STEP_NM, Math.min(MAX_Z_STEP_NM, unchecked(step[4]))))));
    const lateral = Math.max(Math.abs(unchecked(trial[0]) - unchecked(theta[0])), Math.abs(unchecked(trial[1]) - unchecked(theta[1])));
    return Math.max(lateral, Math.abs(unchecked(trial[4]) - unchecked(theta[4])) / Math.abs(SDZ));
  }

  leftWindow(theta: StaticArray<f64>): bool {
    return outsideWindow(unchecked(theta[0]), unchecked(theta[1]), SBOX);
  }
}

const MODEL = new SplineModel();

function sFitFrom(data: usize, maxIterations: i32, tolerance: f64): i32 {
  MODEL.data = data;
  SEAGER = true;
  const status = fisherScoring<SplineModel>(MODEL, STH, STRIAL, Z_PARAMETERS, maxIterations, tolerance, SPLINE_SETTLED_DECREMENT);
  SITER = SCORING_ITERATIONS;
  SLL = SCORING_LL;
  return status;
}

/** SplineFit.settle: a fit stopped at the z range's edge is STATUS_Z_RANGE; a fit at the iteration limit whose Newton decrement at θ̂ is below SPLINE_SETTLED_DECREMENT has converged. */
function sSettle(data: usize, status: i32): i32 {
  const z = unchecked(STH[4]);
  if (status == STATUS_CONVERGED && (z <= SZLO + Z_EDGE_NM || z >= SZHI - Z_EDGE_NM)) return STATUS_Z_RANGE;
  if (status != STATUS_MAX_ITERATIONS) return status;
  if (!isFinite<f64>(sEvaluate(STH, data))) return status;
  sDerivatives(STH, data, SCORING_GRADIENT, SCORING_FISHER);
  if (!choleskyFactor(SCORING_FISHER, 5, SLOW)) return status;
  choleskySolve(SLOW, 5, SCORING_GRADIENT, SZZ);
  let decrement: f64 = 0;
  for (let a = 0; a < 5; a++) decrement += unchecked(SCORING_GRADIENT[a]) * unchecked(SZZ[a]);
  return decrement < SPLINE_SETTLED_DECREMENT ? STATUS_CONVERGED : status;
}

/** STH = scan start s's lateral start (sLateral, from x, y px), N and b (at least their floors), z of its plane. */
function sPlace(x: f64, y: f64, n: f64, b: f64, s: i32): void {
  sLateral(x, y, s);
  unchecked(STH[0] = SLX);
  unchecked(STH[1] = SLY);
  unchecked(STH[2] = Math.max(n, MIN_START_PHOTONS));
  unchecked(STH[3] = Math.max(b, MIN_START_BACKGROUND));
  unchecked(STH[4] = SZ0 + <f64>sScanPlane(s % SPLINE_Z_SCAN_STARTS) * SDZ);
}

/** The plane of scan start s: evenly spread over the spline's planes. */
function sScanPlane(s: i32): i32 {
  return <i32>Math.min(<f64>(SVZ - 1), Math.floor(((<f64>s + 0.5) * <f64>SVZ) / <f64>SPLINE_Z_SCAN_STARTS));
}

/**
 * Scan start s at its lateral start from (x, y) (sLateral; −∞ where it has none): the spline's
 * samples of plane sScanPlane(s mod SPLINE_Z_SCAN_STARTS) at the samples nearest the pixels'
 * offsets (no interpolation: a coarse start), N and b by least squares on them, ℓ of that μ; N and
 * b into SPROF.
 */
function sScan(data: usize, x: f64, y: f64, s: i32): f64 {
  const box = SBOX;
  if (!sLateral(x, y, s)) return -Infinity;
  const plane = SPLANES + ((<usize>(s % SPLINE_Z_SCAN_STARTS) * <usize>SVX * <usize>SVY) << 3);
  const iu = <i32>Math.floor(SCX + 1 - SLX);
  const iv = <i32>Math.floor(SCY + 1 - SLY);
  let ss: f64 = 0, s1: f64 = 0, sd: f64 = 0, d1: f64 = 0;
  for (let r = 0; r < box; r++) {
    const iy = iv + r;
    const inside = iy >= 0 && iy < SVY;
    const row = plane + (<usize>(iy * SVX) << 3);
    for (let col = 0; col < box; col++) {
      const ix = iu + col;
      const v: f64 = inside && ix >= 0 && ix < SVX ? load<f64>(row + (<usize>ix << 3)) : 0;
      const k = r * box + col;
      unchecked(SMU[k] = v);
      const d = load<f64>(data + (<usize>k << 3));
      s1 += v; ss += v * v; sd += v * d; d1 += d;
    }
  }
  const count = box * box;
  const m = <f64>count;
  const det = m * ss - s1 * s1;
  let nn: f64 = det > 0 ? (m * sd - s1 * d1) / det : 0;
  let bb: f64 = (d1 - nn * s1) / m;
  if (!(bb >= MIN_START_BACKGROUND)) { bb = MIN_START_BACKGROUND; nn = ss > 0 ? (sd - bb * s1) / ss : 0; }
  if (!(nn >= MIN_START_PHOTONS)) nn = MIN_START_PHOTONS;
  unchecked(SPROF[2 * s] = nn);
  unchecked(SPROF[2 * s + 1] = bb);
  for (let k = 0; k < count; k++) {
    const mu = nn * unchecked(SMU[k]) + bb;
    unchecked(SMU[k] = mu);
    const sh: f64 = SSHIFTED ? load<f64>(data + (<usize>k << 3) + SSHIFT_DELTA) : 0;
    if (!(mu + sh > 0)) return -Infinity;
  }
  return logLikelihoodSum(changetype<usize>(SMU), data, count, SSHIFTED, SSHIFT_DELTA);
}

/** SplineModel.widthsPx at the θ last evaluated, times the pixel size: SOUT's σx, σy (nm). */
function sWidths(): void {
  const box = SBOX;
  const x = unchecked(STH[0]), y = unchecked(STH[1]);
  let sum: f64 = 0, sxx: f64 = 0, syy: f64 = 0;
  for (let r = 0; r < box; r++) {
    const dy = <f64>r + 0.5 - y;
    for (let col = 0; col < box; col++) {
      const s = unchecked(STERMS[4 * (r * box + col)]);
      const dx = <f64>col + 0.5 - x;
      sum += s;
      sxx += s * dx * dx;
      syy += s * dy * dy;
    }
  }
  unchecked(SOUT[Z_OUT_SIGMA_X_NM] = sum > 0 && sxx > 0 ? Math.sqrt(sxx / sum) * SPIXEL : NaN);
  unchecked(SOUT[Z_OUT_SIGMA_Y_NM] = sum > 0 && syy > 0 ? Math.sqrt(syy / sum) * SPIXEL : NaN);
}

/**
 * SplineFit.fit for the patch at `data` (SBOX² f64 photons; `shift` 0 or the camera's shift of
 * each pixel, laid out as `data`) from (x, y) px, N, b: the z starts ranked by ℓ, the fit from the
 * best (the next when it does not converge), the CRLB; results in splineOut().
 * @returns the status
 */
export function splineFit(data: usize, shift: usize, x: f64, y: f64, n: f64, b: f64, maxIterations: i32, tolerance: f64): i32 {
  SSHIFTED = shift != 0;
  SSHIFT_DELTA = shift - data;
  SKEPT = false;
  const status = sChoose(data, x, y, n, b, maxIterations, tolerance);
  for (let a = 0; a < Z_PARAMETERS; a++) { unchecked(SOUT[Z_OUT_THETA + a] = unchecked(STH[a])); unchecked(SOUT[Z_OUT_CRLB + a] = unchecked(SCR[a])); }
  unchecked(SOUT[Z_OUT_LOG_LIKELIHOOD] = SLL);
  unchecked(SOUT[Z_OUT_ITERATIONS] = <f64>SITER);
  sWidths();
  unchecked(SOUT[Z_OUT_RESIDUAL_STD] = residualSpread(data, SMU, SBOX * SBOX));
  return status;
}

function sChoose(data: usize, x: f64, y: f64, n: f64, b: f64, maxIterations: i32, tolerance: f64): i32 {
  for (let a = 0; a < 5; a++) unchecked(SCR[a] = NaN);
  const area = SBOX * SBOX;
  for (let i = 0; i < area; i++) if (!isFinite<f64>(load<f64>(data + (<usize>i << 3)))) return STATUS_BAD_DATA;
  // The starts' ranking needs the values alone; the fits' evaluations are followed by derivatives (sFitFrom).
  SEAGER = false;
  const starts = SCAN_STARTS;
  for (let s = 0; s < starts; s++) {
    unchecked(SORDER[s] = sScan(data, x, y, s));
    unchecked(SRANK[s] = s);
  }
  // A stable sort by ℓ, largest first.
  for (let i = 1; i < starts; i++) {
    const v = unchecked(SRANK[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(SORDER[unchecked(SRANK[j])]) < unchecked(SORDER[v])) { unchecked(SRANK[j + 1] = unchecked(SRANK[j])); j--; }
    unchecked(SRANK[j + 1] = v);
  }
  let bestLl: f64 = -Infinity;
  let bestStatus = STATUS_BAD_DATA;
  let iterations = 0;
  const far = <f64>SBOX - SPLINE_EDGE_START_PX;
  const every = SEVERY || x < SPLINE_EDGE_START_PX || y < SPLINE_EDGE_START_PX || x > far || y > far;
  for (let k = 0; k < SPLINE_Z_SCAN_FITS; k++) {
    const r = unchecked(SRANK[k]);
    sPlace(x, y, unchecked(SPROF[2 * r]), unchecked(SPROF[2 * r + 1]), r);
    const status = sSettle(data, sFitFrom(data, maxIterations, tolerance));
    iterations += SITER;
    const better = status == STATUS_CONVERGED ? bestStatus != STATUS_CONVERGED || SLL > bestLl : bestStatus != STATUS_CONVERGED && SLL > bestLl;
    if (better) {
      for (let a = 0; a < 5; a++) unchecked(SBEST[a] = unchecked(STH[a]));
      bestLl = SLL;
      bestStatus = status;
    }
    if (bestStatus == STATUS_CONVERGED && !every) break;
  }
  for (let a = 0; a < 5; a++) unchecked(STH[a] = unchecked(SBEST[a]));
  SITER = iterations;
  SLL = sAgain(STH, data);
  if (bestStatus != STATUS_CONVERGED && bestStatus != STATUS_Z_RANGE) return bestStatus;
  sDerivatives(STH, data, SCORING_GRADIENT, SCORING_FISHER);
  if (!choleskyInverseDiagonal(SCORING_FISHER, 5, SCR, SLOW, SZZ)) return STATUS_SINGULAR;
  for (let a = 0; a < 5; a++) unchecked(SCR[a] = Math.sqrt(unchecked(SCR[a])));
  const z = unchecked(STH[4]);
  if (z <= SZLO + Z_EDGE_NM || z >= SZHI - Z_EDGE_NM) return STATUS_Z_RANGE;
  return STATUS_CONVERGED;
}

// ../PatchLikelihood.ts in the fit kernel: the passes over one patch at θ (FitWorkspace.ts) that
// give ∇ℓ, and as asked the Hessian, the Fisher information, ℓ, Σ(n − μ)² and Pearson's χ²: with
// σ fixed over 4 parameters (x, y, N, b), two rows at a time in f64x2 lanes and row-factored
// sums; with σ free over 5 (passFree, pixel by pixel).
import {
  BOX, CSEX, CSEY, D2EX, D2EY, DEX, DEY, EX, EY, S2EX, S2EY, SEX, SEY, SHIFT_DELTA, SHIFTED, TB, TN, shape,
} from './FitWorkspace';
import { logPair } from './poissonLogLikelihood';

// σ fixed: gradient, Hessian, Fisher information (x, y, N, b); both: Σ(n − μ)² and χ² of the last pass with ℓ.
export const G = new StaticArray<f64>(4);
export const H = new StaticArray<f64>(16);
export const F = new StaticArray<f64>(16);
export let RSS: f64 = 0;
/** Pearson's χ² of the last pass with ℓ, Σ (n − μ)² / μ (shifts included in n and μ). */
export let CHI2: f64 = 0;
// σ free: gradient, Hessian, Fisher information (x, y, N, b, σ).
export const G5 = new StaticArray<f64>(5);
export const H5 = new StaticArray<f64>(25);
export const F5 = new StaticArray<f64>(25);

/** A symmetric 4×4 matrix from its upper triangle. */
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
/** The Newton pass at θ: gradient and Hessian (PatchLikelihood.evaluate with the Hessian only). */
export function passNewton(data: usize): void { if (SHIFTED) pass(data, true, false, true); else pass(data, true, false, false); }
/** The full pass at θ: gradient, Hessian, Fisher information; returns ℓ. */
export function passFull(data: usize): f64 { return SHIFTED ? pass(data, true, true, true) : pass(data, true, true, false); }
/** The final pass at θ̂: Fisher information (for the CRLB) and ℓ, no Hessian; returns ℓ. */
export function passInfo(data: usize): f64 { return SHIFTED ? pass(data, false, true, true) : pass(data, false, true, false); }

/** passFreeSigma: gradient, and the Hessian, Fisher information and ℓ as asked (ℓ returned). */
export function passFree(data: usize, wantHessian: bool, wantFisher: bool, wantLl: bool): f64 {
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

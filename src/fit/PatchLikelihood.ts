import { GaussianAxis } from './GaussianAxis.js';

/** What one {@link PatchLikelihood.evaluate} pass computes besides the gradient (bit flags). */
export const PassMode = {
  /** Gradient only. */
  gradient: 0,
  /** Also the Hessian ∂²ℓ/∂θ² (for Newton steps). */
  hessian: 1,
  /** Also the Fisher information I = Σ ∂μ∂μᵀ/μ (for the CRLB). */
  fisher: 2,
  /** Also the log-likelihood ℓ itself (costs one `log` per pixel). */
  logLikelihood: 4,
} as const;

/**
 * The cached Poisson likelihood of one box×box patch under the pixel-integrated Gaussian PSF
 * (design.md §3):
 *
 *     μ_k = N · Ex_i · Ey_j + b,      ℓ(θ) = Σ_k [ n_k log μ_k − μ_k ]
 *     ∂ℓ/∂θ_a = Σ_k (n_k/μ_k − 1) ∂μ_k/∂θ_a
 *     ∂²ℓ/∂θ_a∂θ_b = Σ_k [ (n_k/μ_k − 1) ∂²μ_k/∂θ_a∂θ_b − n_k/μ_k² ∂μ_k/∂θ_a ∂μ_k/∂θ_b ]
 *     I_ab = Σ_k ∂μ_k/∂θ_a ∂μ_k/∂θ_b / μ_k
 *
 * θ = (x, y, N, b) with σ fixed, or (x, y, N, b, σ) — in that order in `theta`, `gradient` and
 * the matrices; x, y in px of the patch (pixel column i covers [i, i+1)), N in photons, b in
 * photons/px, σ in px. One pass does all the transcendental work at the 2·(box+1) pixel boundaries (GaussianAxis) and then a single loop
 * over the pixels accumulates ℓ, the gradient and the curvature together.
 *
 * The fast path of the {@link GaussianModel} (the PsfModel contract's 2-D Gaussian): the same
 * μ, ∇ℓ and Fisher information as that model under {@link PoissonEstimator} (tested to rounding
 * in test/fit/PsfModel.test.ts), with row-factored sums and the Hessian for newtonSolve.ts, kept
 * for the single 2-D fit because it is measured faster there.
 *
 * Workspace: create once per worker and reuse; `evaluate` allocates nothing.
 */
export class PatchLikelihood {
  /** Patch width in pixels. */
  readonly box: number;
  /** Whether σ is the fifth free parameter. */
  readonly fitSigma: boolean;
  /** 4, or 5 with σ free. */
  readonly parameterCount: number;
  /** θ = (x, y, N, b, σ); σ is used (fixed) even when it is not fitted. */
  readonly theta = new Float64Array(5);
  /** ∂ℓ/∂θ, length `parameterCount`. */
  readonly gradient: Float64Array;
  /** ∂²ℓ/∂θ², row-major `parameterCount`², filled with `PassMode.hessian`. */
  readonly hessian: Float64Array;
  /** Fisher information, row-major `parameterCount`², filled with `PassMode.fisher`. */
  readonly fisher: Float64Array;
  /** Σ (n − μ)² of the last pass that computed ℓ (photons²). */
  residualSumSquares = 0;
  /** Pearson's χ² of the last pass with ℓ, Σ (n − μ)² / μ (shifts included in n and μ). */
  chiSquare = 0;
  /**
   * The camera's shift s of each pixel (photons), laid out as the data, or undefined for a
   * Poisson camera: the passes then use the shifted-Poisson likelihood of n + s with mean μ + s
   * (docs/design.md §6). Set by the caller before a fit.
   */
  shift: Float64Array | undefined = undefined;
  /** Axis terms along x (columns). */
  readonly xAxis: GaussianAxis;
  /** Axis terms along y (rows). */
  readonly yAxis: GaussianAxis;
  /** x, y, σ at which the axis terms were last evaluated (NaN: not valid). */
  private axisX = Number.NaN;
  private axisY = Number.NaN;
  private axisSigma = Number.NaN;

  /**
   * @param box - patch width in px (odd, 3–15)
   * @param fitSigma - fit σ as a fifth parameter @default false
   */
  constructor(box: number, fitSigma = false) {
    this.box = box;
    this.fitSigma = fitSigma;
    this.parameterCount = fitSigma ? 5 : 4;
    this.gradient = new Float64Array(this.parameterCount);
    this.hessian = new Float64Array(this.parameterCount * this.parameterCount);
    this.fisher = new Float64Array(this.parameterCount * this.parameterCount);
    this.xAxis = new GaussianAxis(box);
    this.yAxis = new GaussianAxis(box);
  }

  /**
   * Evaluate the axis terms at the current x, y, σ of `theta` (for callers that need the PSF
   * shape, like the initial guess); the next pass at the same x, y, σ reuses them.
   */
  evaluateShape(): void {
    const theta = this.theta;
    this.xAxis.evaluate(theta[0], theta[4], this.fitSigma);
    this.yAxis.evaluate(theta[1], theta[4], this.fitSigma);
    this.axisX = theta[0];
    this.axisY = theta[1];
    this.axisSigma = theta[4];
  }

  /**
   * One cached pass at the current `theta` over the patch `data[offset … offset + box² − 1]`
   * (row-major, photons). Writes `gradient`, and `hessian` / `fisher` as `mode` asks.
   *
   * @param data - photon counts of one or many patches (negative values from read noise are legal)
   * @param offset - index of the patch's first pixel in `data`
   * @param mode - bit flags of {@link PassMode}
   * @returns ℓ(θ) when `mode` includes `PassMode.logLikelihood`, else NaN
   */
  evaluate(data: Float64Array, offset: number, mode: number): number {
    const theta = this.theta;
    const withSigma = this.fitSigma;
    // The axis terms depend on x, y and σ only: a pass after a change of N or b alone (the
    // initial guess's linear N, b estimate, then the first iteration) reuses them.
    if (theta[0] !== this.axisX || theta[1] !== this.axisY || theta[4] !== this.axisSigma) {
      this.xAxis.evaluate(theta[0], theta[4], withSigma);
      this.yAxis.evaluate(theta[1], theta[4], withSigma);
      this.axisX = theta[0];
      this.axisY = theta[1];
      this.axisSigma = theta[4];
    }
    if (withSigma) return this.passFreeSigma(data, offset, mode);
    const wantFisher = (mode & PassMode.fisher) !== 0;
    const wantLl = (mode & PassMode.logLikelihood) !== 0;
    if ((mode & PassMode.hessian) === 0) return this.passInformation4(data, offset, wantFisher, wantLl);
    this.passCurvature4(data, offset);
    if (!wantFisher && !wantLl) return Number.NaN;
    return this.passInformation4(data, offset, wantFisher, wantLl);
  }

  /**
   * Pixel loop for θ = (x, y, N, b): gradient and Hessian (the Newton iteration's pass).
   * The sums factor by rows: with w = n/μ − 1 and v = n/μ², every term is a row factor of Ey
   * times a column sum Σ_i (w or v)·(a factor of Ex), so the inner loop only accumulates ten
   * column sums and the row factors are applied once per row.
   */
  private passCurvature4(data: Float64Array, offset: number): void {
    const box = this.box;
    const photons = this.theta[2];
    const background = this.theta[3];
    const ex = this.xAxis.value;
    const dex = this.xAxis.dCenter;
    const d2ex = this.xAxis.d2Center;
    const ey = this.yAxis.value;
    const dey = this.yAxis.dCenter;
    const d2ey = this.yAxis.d2Center;
    const n2 = photons * photons;
    const shift = this.shift;
    let gx = 0, gy = 0, gn = 0, gb = 0;
    let hxx = 0, hxy = 0, hxn = 0, hxb = 0, hyy = 0, hyn = 0, hyb = 0, hnn = 0, hnb = 0, hbb = 0;
    let k = offset;
    for (let j = 0; j < box; j++) {
      const e = ey[j];
      const ne = photons * e;
      let w0 = 0, w1 = 0, w2 = 0, w3 = 0;
      let v0 = 0, v1 = 0, v2 = 0, v11 = 0, v12 = 0, v22 = 0;
      for (let i = 0; i < box; i++, k++) {
        const exi = ex[i];
        const dexi = dex[i];
        const sk = shift ? shift[k] : 0;
        const r = 1 / (ne * exi + background + sk);
        const nr = (data[k] + sk) * r;
        const w = nr - 1;
        const v = nr * r;
        const vex = v * exi;
        const vdex = v * dexi;
        w0 += w;
        w1 += w * exi;
        w2 += w * dexi;
        w3 += w * d2ex[i];
        v0 += v;
        v1 += vex;
        v2 += vdex;
        v11 += vex * exi;
        v12 += vex * dexi;
        v22 += vdex * dexi;
      }
      // ∂μ/∂x = N·Ex'·Ey, ∂μ/∂y = N·Ex·Ey', ∂μ/∂N = Ex·Ey, ∂μ/∂b = 1.
      const d = dey[j];
      const ee = e * e;
      const ed = e * d;
      const nd = photons * d;
      gx += ne * w2;
      gy += nd * w1;
      gn += e * w1;
      gb += w0;
      hxx += ne * w3 - n2 * ee * v22;
      hxy += nd * w2 - n2 * ed * v12;
      hxn += e * w2 - photons * ee * v12;
      hxb -= ne * v2;
      hyy += photons * d2ey[j] * w1 - n2 * d * d * v11;
      hyn += d * w1 - photons * ed * v11;
      hyb -= nd * v1;
      hnn -= ee * v11;
      hnb -= e * v1;
      hbb -= v0;
    }
    const g = this.gradient;
    g[0] = gx;
    g[1] = gy;
    g[2] = gn;
    g[3] = gb;
    fillSymmetric4(this.hessian, hxx, hxy, hxn, hxb, hyy, hyn, hyb, hnn, hnb, hbb);
  }

  /**
   * Pixel loop for θ = (x, y, N, b): gradient, and the Fisher information and ℓ as asked
   * (the final pass of a fit, and the generic solver's pass). Factored by rows like
   * {@link passCurvature4}, with 1/μ in place of n/μ² for the Fisher sums.
   */
  private passInformation4(data: Float64Array, offset: number, wantFisher: boolean, wantLl: boolean): number {
    const box = this.box;
    const photons = this.theta[2];
    const background = this.theta[3];
    const ex = this.xAxis.value;
    const dex = this.xAxis.dCenter;
    const ey = this.yAxis.value;
    const dey = this.yAxis.dCenter;
    const n2 = photons * photons;
    const shift = this.shift;
    let ll = 0;
    let rss = 0;
    let chi2 = 0;
    let gx = 0, gy = 0, gn = 0, gb = 0;
    let fxx = 0, fxy = 0, fxn = 0, fxb = 0, fyy = 0, fyn = 0, fyb = 0, fnn = 0, fnb = 0, fbb = 0;
    let k = offset;
    for (let j = 0; j < box; j++) {
      const e = ey[j];
      const ne = photons * e;
      let w0 = 0, w1 = 0, w2 = 0;
      let r0 = 0, r1 = 0, r2 = 0, r11 = 0, r12 = 0, r22 = 0;
      for (let i = 0; i < box; i++, k++) {
        const exi = ex[i];
        const dexi = dex[i];
        const sk = shift ? shift[k] : 0;
        const mu = ne * exi + background + sk;
        const n = data[k] + sk;
        const r = 1 / mu;
        const w = n * r - 1;
        w0 += w;
        w1 += w * exi;
        w2 += w * dexi;
        if (wantFisher) {
          const rex = r * exi;
          const rdex = r * dexi;
          r0 += r;
          r1 += rex;
          r2 += rdex;
          r11 += rex * exi;
          r12 += rex * dexi;
          r22 += rdex * dexi;
        }
        if (wantLl) {
          ll += (n === 0 ? 0 : n * Math.log(mu)) - mu;
          rss += (n - mu) * (n - mu);
          chi2 += ((n - mu) * (n - mu)) / mu;
        }
      }
      const d = dey[j];
      const nd = photons * d;
      gx += ne * w2;
      gy += nd * w1;
      gn += e * w1;
      gb += w0;
      if (wantFisher) {
        const ee = e * e;
        const ed = e * d;
        fxx += n2 * ee * r22;
        fxy += n2 * ed * r12;
        fxn += photons * ee * r12;
        fxb += ne * r2;
        fyy += n2 * d * d * r11;
        fyn += photons * ed * r11;
        fyb += nd * r1;
        fnn += ee * r11;
        fnb += e * r1;
        fbb += r0;
      }
    }
    const g = this.gradient;
    g[0] = gx;
    g[1] = gy;
    g[2] = gn;
    g[3] = gb;
    if (wantFisher) fillSymmetric4(this.fisher, fxx, fxy, fxn, fxb, fyy, fyn, fyb, fnn, fnb, fbb);
    if (wantLl) {
      this.residualSumSquares = rss;
      this.chiSquare = chi2;
    }
    return wantLl ? ll : Number.NaN;
  }

  /** The pixel loop for θ = (x, y, N, b, σ). */
  private passFreeSigma(data: Float64Array, offset: number, mode: number): number {
    const box = this.box;
    const photons = this.theta[2];
    const background = this.theta[3];
    const xa = this.xAxis;
    const ya = this.yAxis;
    const wantHessian = (mode & PassMode.hessian) !== 0;
    const wantFisher = (mode & PassMode.fisher) !== 0;
    const wantLl = (mode & PassMode.logLikelihood) !== 0;
    const h = this.hessian;
    const f = this.fisher;
    if (wantHessian) h.fill(0);
    if (wantFisher) f.fill(0);
    const shift = this.shift;
    let ll = 0;
    let rss = 0;
    let chi2 = 0;
    let gx = 0, gy = 0, gn = 0, gb = 0, gs = 0;
    let k = offset;
    for (let j = 0; j < box; j++) {
      const eyj = ya.value[j];
      const deyj = ya.dCenter[j];
      const d2eyj = ya.d2Center[j];
      const seyj = ya.dSigma[j];
      const s2eyj = ya.d2Sigma[j];
      const cseyj = ya.dCenterSigma[j];
      for (let i = 0; i < box; i++, k++) {
        const exi = xa.value[i];
        const dexi = xa.dCenter[i];
        const sexi = xa.dSigma[i];
        const dmn = exi * eyj;
        const dmx = photons * dexi * eyj;
        const dmy = photons * exi * deyj;
        const dmsUnit = sexi * eyj + exi * seyj; // ∂(Ex·Ey)/∂σ
        const dms = photons * dmsUnit;
        const sk = shift ? shift[k] : 0;
        const mu = photons * dmn + background + sk;
        const n = data[k] + sk;
        const r = 1 / mu;
        const nr = n * r;
        const w = nr - 1;
        gx += w * dmx;
        gy += w * dmy;
        gn += w * dmn;
        gb += w;
        gs += w * dms;
        if (wantHessian) {
          const v = nr * r;
          // Second derivatives of μ (zero for every pair with b, and for N·N).
          const mxx = photons * xa.d2Center[i] * eyj;
          const mxy = photons * dexi * deyj;
          const mxn = dexi * eyj;
          const mxs = photons * (xa.dCenterSigma[i] * eyj + dexi * seyj);
          const myy = photons * exi * d2eyj;
          const myn = exi * deyj;
          const mys = photons * (sexi * deyj + exi * cseyj);
          const mss = photons * (xa.d2Sigma[i] * eyj + 2 * sexi * seyj + exi * s2eyj);
          h[0] += w * mxx - v * dmx * dmx;
          h[1] += w * mxy - v * dmx * dmy;
          h[2] += w * mxn - v * dmx * dmn;
          h[3] -= v * dmx;
          h[4] += w * mxs - v * dmx * dms;
          h[6] += w * myy - v * dmy * dmy;
          h[7] += w * myn - v * dmy * dmn;
          h[8] -= v * dmy;
          h[9] += w * mys - v * dmy * dms;
          h[12] -= v * dmn * dmn;
          h[13] -= v * dmn;
          h[14] += w * dmsUnit - v * dmn * dms;
          h[18] -= v;
          h[19] -= v * dms;
          h[24] += w * mss - v * dms * dms;
        }
        if (wantFisher) {
          f[0] += r * dmx * dmx;
          f[1] += r * dmx * dmy;
          f[2] += r * dmx * dmn;
          f[3] += r * dmx;
          f[4] += r * dmx * dms;
          f[6] += r * dmy * dmy;
          f[7] += r * dmy * dmn;
          f[8] += r * dmy;
          f[9] += r * dmy * dms;
          f[12] += r * dmn * dmn;
          f[13] += r * dmn;
          f[14] += r * dmn * dms;
          f[18] += r;
          f[19] += r * dms;
          f[24] += r * dms * dms;
        }
        if (wantLl) {
          ll += (n === 0 ? 0 : n * Math.log(mu)) - mu;
          rss += (n - mu) * (n - mu);
          chi2 += ((n - mu) * (n - mu)) / mu;
        }
      }
    }
    if (wantLl) {
      this.residualSumSquares = rss;
      this.chiSquare = chi2;
    }
    const g = this.gradient;
    g[0] = gx;
    g[1] = gy;
    g[2] = gn;
    g[3] = gb;
    g[4] = gs;
    if (wantHessian) mirrorUpper(h, 5);
    if (wantFisher) mirrorUpper(f, 5);
    return wantLl ? ll : Number.NaN;
  }
}

/** Write a symmetric 4×4 matrix from its upper triangle, row by row. */
function fillSymmetric4(
  m: Float64Array,
  a00: number, a01: number, a02: number, a03: number,
  a11: number, a12: number, a13: number,
  a22: number, a23: number,
  a33: number,
): void {
  m[0] = a00; m[1] = a01; m[2] = a02; m[3] = a03;
  m[4] = a01; m[5] = a11; m[6] = a12; m[7] = a13;
  m[8] = a02; m[9] = a12; m[10] = a22; m[11] = a23;
  m[12] = a03; m[13] = a13; m[14] = a23; m[15] = a33;
}

/** Copy the upper triangle of a row-major n×n matrix into its lower triangle. */
function mirrorUpper(m: Float64Array, n: number): void {
  for (let a = 1; a < n; a++) {
    for (let b = 0; b < a; b++) m[a * n + b] = m[b * n + a];
  }
}

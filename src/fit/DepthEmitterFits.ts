import type { EmitterFits } from './EmitterFits.js';
import { FisherScoring } from './FisherScoring.js';
import { CHI_SQUARE_CORE_PX, MULTI_Z_PER_EMITTER, STATUS_BAD_DATA, Z_EDGE_NM, Z_SCAN_STARTS } from './fitConstants.js';
import { MultiEmitterModel } from './models/MultiEmitterModel.js';
import { poissonLogLikelihood } from './poissonLogLikelihood.js';
import { PoissonEstimator } from './PoissonEstimator.js';
import type { PsfModel } from './PsfModel.js';
import { residualPeak } from './residualPeak.js';
import type { ResidualPeak } from './residualPeak.js';

/** Parameters of one 3-D model: x, y, N, b, z. */
const P = MULTI_Z_PER_EMITTER + 1;

/**
 * The K-emitter fit of the same model in the fit kernel (as {@link WasmMultiAstigmaticFit}): the
 * same θ̂, ℓ and iterations as the JavaScript fit to rounding, with the CRLB (STATUS_SINGULAR where
 * the Fisher information at θ̂ is singular) and the residual's spread.
 */
export interface DepthFitKernel {
  fit(data: Float64Array, at: number, emitters: number, start: Float64Array, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number;
  readonly theta: Float64Array;
  readonly crlb: Float64Array;
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly residualStd: number;
  /** {@link DepthEmitterFits.startOwn} in the kernel: z (nm) of emitter e of the (e + 1)-emitter θ, the most likely of `starts` depths over zLo … zHi. */
  startOwn?(data: Float64Array, at: number, e: number, theta: Float64Array, shift: Float64Array | undefined, zLo: number, zHi: number, starts: number): number;
  /** {@link DepthEmitterFits.refresh}'s μ in the kernel: μ of the K-emitter θ over the window into `mu`; ℓ, or −∞ where θ is impossible. */
  evaluate?(data: Float64Array, at: number, emitters: number, theta: Float64Array, shift: Float64Array | undefined, mu: Float64Array): number;
}

/** What a 3-D run's crowding reads of its K-emitter fit besides θ̂ (see {@link DepthEmitterFits}). */
export interface EmitterDepths {
  /** σx, σy of emitter e of θ̂, nm, into `out[0]`, `out[1]`. */
  widthsNm(e: number, out: Float64Array): void;
  /** Pearson's χ² of a single 3-D fit θ̂ = (x, y, N, b, z) over the core of its patch at `data[at…]` ({@link chiSquareFreedom} degrees of freedom). */
  chiSquare(data: Float64Array, at: number, theta: Float64Array, shift: Float64Array | undefined, column: number, row: number): number;
  /** Degrees of freedom of {@link chiSquare}: the core's pixels less the 5 parameters. */
  readonly chiSquareFreedom: number;
}

/**
 * The joint Poisson maximum-likelihood fit of K emitters of a 3-D PSF model (the astigmatic
 * Gaussian or a measured spline: any {@link PsfModel} of θ = (x, y, N, b, z)) on one background
 * in a square window (docs/design.md §8, §9), each emitter with its own z:
 *
 *     μ_k = b + Σ_e N_e · PSF(pixel k − (x_e, y_e); z_e)
 *
 * — the generic {@link MultiEmitterModel} of K copies through the one estimator
 * ({@link PoissonEstimator}, shifted Poisson with the camera's shift) and the one solver
 * ({@link FisherScoring}); θ = (x₁, y₁, N₁, z₁, …, x_K, y_K, N_K, z_K, b). At θ̂ the joint Fisher
 * information gives each emitter's CRLB, z's included. For the selection
 * ({@link EmitterSelector}) it starts an added emitter's z from the residual
 * ({@link startOwn}: the z of Z_SCAN_STARTS depths through the range whose spot, added to the
 * other emitters' model, is most likely), refuses an emitter at the range's edge
 * ({@link plausibleOwn}), and gives each emitter's widths ({@link widthsNm}) and a single 3-D
 * fit's Pearson χ² on its patch ({@link chiSquare}: which single fits are tried).
 *
 * With a {@link DepthFitKernel} the fits and the z starts run in the kernel and the rest (the
 * residual, the widths) in JavaScript on its θ̂.
 *
 * One instance holds the scratch for windows of `window` px and up to `maxEmitters` emitters;
 * fitting allocates nothing. Never throws for numeric reasons: the status says what happened.
 */
export class DepthEmitterFits<M extends PsfModel> implements EmitterFits, EmitterDepths {
  readonly box: number;
  readonly perEmitter = MULTI_Z_PER_EMITTER;
  /** A single fit of a pair wanders in z: it gets the full iteration limit before the window is given up. */
  readonly continueFirst = true;
  readonly maxEmitters: number;
  readonly theta: Float64Array;
  readonly crlb: Float64Array;
  logLikelihood = Number.NaN;
  iterations = 0;
  private readonly model: MultiEmitterModel;
  private readonly copies: M[] = [];
  private readonly estimator: PoissonEstimator;
  private readonly scoring: FisherScoring;
  private readonly peak: ResidualPeak = { column: 0, row: 0, excess: 0, significance: 0 };
  /** One emitter's θ (x, y, N, b, z), the other emitters' μ and a trial μ (scratch). */
  private readonly one = new Float64Array(P);
  private readonly base: Float64Array;
  private readonly trialMu: Float64Array;
  /** The model on a single fit's patch (box px) and its μ, for {@link chiSquare}. */
  private readonly single: M;
  private readonly singleMu: Float64Array;
  /** The single fit's patch width and its χ² core's first and past-last row (and column). */
  private readonly singleBox: number;
  /** Half the core's width, px: CHI_SQUARE_CORE_PX, or less in a patch narrower than the core. */
  private readonly coreHalf: number;
  readonly chiSquareFreedom: number;
  private readonly zLo: number;
  private readonly zHi: number;
  /** Whether μ is not yet θ̂'s (after a kernel fit), and whether the kernel's CRLB and residual are θ̂'s. */
  private stale = false;
  private kernelFitted = false;

  /**
   * @param window - window width, px
   * @param box - a single fit's patch width, px (for {@link chiSquare})
   * @param make - makes one copy of the model for a window of the width given (each copy holds its own scratch)
   * @param maxEmitters - most emitters one fit may hold
   * @param widths - σx, σy (nm) of a copy at θ (x, y, N, b, z), the θ it last evaluated, into `out[0]`, `out[1]`
   * @param kernel - the same model's K-emitter fit in the fit kernel, for windows of `window` px @default none: JavaScript
   */
  constructor(
    window: number,
    box: number,
    make: (width: number) => M,
    maxEmitters: number,
    private readonly widths: (model: M, theta: Float64Array, out: Float64Array) => void,
    private readonly kernel?: DepthFitKernel,
  ) {
    this.box = window;
    this.maxEmitters = maxEmitters;
    const p = MULTI_Z_PER_EMITTER * maxEmitters + 1;
    this.theta = new Float64Array(p);
    this.crlb = new Float64Array(p);
    const copies = this.copies;
    this.model = new MultiEmitterModel(() => {
      const copy = make(window);
      copies.push(copy);
      return copy;
    }, maxEmitters);
    this.estimator = new PoissonEstimator(this.model, p);
    this.scoring = new FisherScoring(p);
    this.base = new Float64Array(window * window);
    this.trialMu = new Float64Array(window * window);
    this.single = make(box);
    this.singleMu = new Float64Array(box * box);
    this.singleBox = box;
    this.coreHalf = Math.min(CHI_SQUARE_CORE_PX, (box - 1) >> 1);
    this.chiSquareFreedom = (2 * this.coreHalf + 1) ** 2 - P;
    // z's bounds are the model's range (θ index 4 of a 3-D model).
    this.zLo = this.single.parameters[4].min;
    this.zHi = this.single.parameters[4].max;
  }

  private prepare(emitters: number, data: Float64Array, at: number, shift: Float64Array | undefined): void {
    this.model.emitters = emitters;
    this.estimator.bind(data, at, shift);
  }

  /** Fit K emitters from the start in {@link theta}; `_sigma` unused (the widths come from z). */
  fit(data: Float64Array, at: number, emitters: number, _sigma: number, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const { box } = this;
    this.iterations = 0;
    this.stale = false;
    this.kernelFitted = false;
    for (let i = 0; i < box * box; i++) if (!Number.isFinite(data[at + i])) return STATUS_BAD_DATA;
    this.prepare(emitters, data, at, options.shift);
    const p = MULTI_Z_PER_EMITTER * emitters + 1;
    const kernel = this.kernel;
    if (kernel) {
      const status = kernel.fit(data, at, emitters, this.theta, options);
      this.theta.set(kernel.theta.subarray(0, p));
      this.iterations = kernel.iterations;
      this.logLikelihood = kernel.logLikelihood;
      this.stale = true;
      this.kernelFitted = true;
      return status;
    }
    const status = this.scoring.run(this.estimator, this.theta, p, options.maxIterations, options.tolerance);
    this.iterations = this.scoring.iterations;
    this.logLikelihood = this.scoring.logLikelihood;
    return status;
  }

  bound(emitters: number, data: Float64Array, at: number, shift?: Float64Array): boolean {
    const p = MULTI_Z_PER_EMITTER * emitters + 1;
    if (this.kernel && this.kernelFitted) {
      // The kernel's fit computed the bound at θ̂ (NaN where the information is singular).
      this.crlb.set(this.kernel.crlb.subarray(0, p));
      for (let a = 0; a < p; a++) if (!Number.isFinite(this.crlb[a])) return false;
      return true;
    }
    this.prepare(emitters, data, at, shift);
    // μ and the copies' terms at θ̂ (the solver's last evaluation may have been a refused trial).
    this.estimator.evaluate(this.theta);
    return this.estimator.bound(this.theta, this.crlb, this.scoring.gradient, this.scoring.fisher);
  }

  refresh(data: Float64Array, at: number, emitters: number, _sigma: number, shift?: Float64Array): number {
    this.prepare(emitters, data, at, shift);
    this.stale = false;
    this.kernelFitted = false;
    // μ from the kernel where it has one (the residual's peak and spread read it; the bound
    // evaluates the model's terms again itself).
    if (this.kernel?.evaluate) return this.kernel.evaluate(data, at, emitters, this.theta, shift, this.estimator.mu);
    return this.estimator.evaluate(this.theta);
  }

  residualStd(data: Float64Array, at: number): number {
    if (this.kernel && this.kernelFitted) return this.kernel.residualStd;
    this.estimator.bind(data, at, undefined);
    return this.estimator.residualStd();
  }

  /** The residual's peak ({@link residualPeak}) of θ̂, or of the θ last refreshed; `margin` px from the window's edge left out @default 0 */
  residualPeak(data: Float64Array, at: number, margin = 0): ResidualPeak {
    if (this.stale) {
      // μ of the kernel's θ̂ (the estimator is bound to the window and K of the fit).
      this.estimator.evaluate(this.theta);
      this.stale = false;
    }
    return residualPeak(data, at, this.estimator.mu, this.box, this.peak, margin);
  }

  /**
   * z of emitter e of the (e + 1)-emitter θ (its x, y, N and b placed): the best of
   * Z_SCAN_STARTS depths spread over the range by ℓ of the window with the emitters before it
   * held at their θ (the likelihood is not convex in z; a few evaluations, no fit).
   */
  startOwn(data: Float64Array, at: number, e: number, shift: Float64Array | undefined): void {
    const { theta, one, base, trialMu, copies, zLo, zHi } = this;
    const q = MULTI_Z_PER_EMITTER;
    if (this.kernel?.startOwn) {
      // The same scan in the kernel (its evaluations and ℓ).
      theta[q * e + 3] = this.kernel.startOwn(data, at, e, theta, shift, zLo, zHi, Z_SCAN_STARTS);
      return;
    }
    const count = this.box * this.box;
    base.fill(theta[q * (e + 1)], 0, count);
    for (let i = 0; i < e; i++) {
      this.place(i, 0);
      copies[i].evaluate(one, base, true);
    }
    this.place(e, 0);
    let bestZ = (zLo + zHi) / 2;
    let bestLl = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < Z_SCAN_STARTS; s++) {
      const z = zLo + ((s + 0.5) * (zHi - zLo)) / Z_SCAN_STARTS;
      one[4] = z;
      trialMu.set(base.subarray(0, count));
      if (!copies[e].evaluate(one, trialMu, true)) continue;
      const ll = poissonLogLikelihood(trialMu, data, at, count, shift);
      if (ll > bestLl) {
        bestLl = ll;
        bestZ = z;
      }
    }
    theta[q * e + 3] = bestZ;
  }

  /** z of emitter e of the K-emitter θ̂ more than Z_EDGE_NM inside the range (an emitter at the edge explains nothing it can be trusted for). */
  plausibleOwn(_emitters: number, e: number): boolean {
    const z = this.theta[MULTI_Z_PER_EMITTER * e + 3];
    return z > this.zLo + Z_EDGE_NM && z < this.zHi - Z_EDGE_NM;
  }

  /**
   * σx, σy of emitter e of θ̂, nm, into `out[0]`, `out[1]` (the model's widths: the astigmatic
   * curves', or the spline's over the window).
   */
  widthsNm(e: number, out: Float64Array): void {
    this.place(e, 0);
    const copy = this.copies[e];
    if (!copy.evaluate(this.one, this.trialMu, false)) {
      out[0] = out[1] = Number.NaN;
      return;
    }
    this.widths(copy, this.one, out);
  }

  /**
   * Pearson's χ² of a single 3-D fit over the core of its patch, Σ (n − μ̂)²/(μ̂ + s) over the
   * (2·CHI_SQUARE_CORE_PX + 1)² pixels about the candidate's pixel (moved inwards where the
   * candidate is nearer the patch's edge than that, as at a frame's edge, where the patch is
   * shifted inwards; the whole patch where it is smaller), the statistic the 2-D fit computes over its patch in its last pass
   * (FitResults.chiSquare), with {@link chiSquareFreedom} degrees of freedom. The core leaves out
   * the patch's edge, where a neighbour's light (0.3 /µm² puts one in most 15 px patches) would
   * flag a spot whose own pixels fit one emitter; a second emitter near the candidate, the blend
   * a window resolves, lies in the core. NaN where θ is impossible.
   * @param data - photons; the patch (box px) at `data[at…]`
   * @param theta - the single fit's θ̂: x, y (px in the patch), N, b, z (nm)
   * @param shift - the camera's shift of each pixel, laid out as `data`
   * @param column - the candidate's column in the patch, px
   * @param row - the candidate's row in the patch, px
   */
  chiSquare(data: Float64Array, at: number, theta: Float64Array, shift: Float64Array | undefined, column: number, row: number): number {
    const mu = this.singleMu;
    if (!this.single.evaluate(theta, mu, false)) return Number.NaN;
    const { singleBox: box, coreHalf: h } = this;
    const cx = Math.min(Math.max(column, h), box - 1 - h);
    const cy = Math.min(Math.max(row, h), box - 1 - h);
    const from = cx - h;
    const to = cx + h + 1;
    let chi = 0;
    for (let r = cy - h; r <= cy + h; r++) {
      for (let i = r * box + from; i < r * box + to; i++) {
        const r = data[at + i] - mu[i];
        chi += (r * r) / (mu[i] + (shift ? shift[at + i] : 0));
      }
    }
    return chi;
  }

  /** {@link one} = emitter e's (x, y, N, b, z) from θ, b = `background`. */
  private place(e: number, background: number): void {
    const { theta, one } = this;
    const q = MULTI_Z_PER_EMITTER;
    one[0] = theta[q * e];
    one[1] = theta[q * e + 1];
    one[2] = theta[q * e + 2];
    one[3] = background;
    one[4] = theta[q * e + 3];
  }
}

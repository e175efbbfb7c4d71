// ../models/MultiEmitterModel.ts with ../PoissonEstimator.ts in the fit kernel: K copies of a
// per-emitter model on one shared background, a model of FisherScoring.ts (evaluate,
// derivatives, propose, leftWindow), with its fit, CRLB and residual:
//
//     μ_k = b + Σ_e signal_e(θ_e)_k,     θ = (θ₁, …, θ_K, b)
//
// the same arithmetic in the same order as the JavaScript MultiEmitterModel fitted through
// PoissonEstimator by FisherScoring (μ starts at b, each emitter adds its signal in emitter
// order; ∇ℓ and each entry of the Fisher information's lower triangle summed in pixel order:
// the pixels' ∂μ/∂θ are kept, then each entry pair summed in a register).
// The per-emitter model E (AstigmaticModel.ts's AstigmaticEmitter documents its five members)
// is a class, so MultiEmitterModel<E> and fisherScoring<MultiEmitterModel<E>> are compiled once
// per emitter model and call it directly. Instances: the 2-D Gaussian's (MultiEmitterFit.ts,
// GaussianEmitter; the multi-emitter selection) and the 3-D one (MultiAstigmaticFit.ts).
import { MAX_FIT_PARAMETERS, MAX_WINDOW, STATUS_BAD_DATA, STATUS_CONVERGED, STATUS_SINGULAR } from '../fitConstants';
import { choleskyInverseDiagonal } from './cholesky';
import { SCORING_FISHER, SCORING_GRADIENT, SCORING_ITERATIONS, SCORING_LL, fisherScoring } from './FisherScoring';
import { logLikelihoodSum } from './poissonLogLikelihood';
import { proposeBackground } from './proposeLateral';
import { residualSpread } from './residualSpread';

const P = MAX_FIT_PARAMETERS;
/**
 * derivatives' scratch, shared by the module's models (one fit at a time): each pixel's ∂μ/∂θ
 * (a row of P + 1 values, padded to an even length) and the same times 1/(μ + s).
 */
const JACOBIAN = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW * (P + 1));
const SCALED = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW * (P + 1));

/** K copies of the per-emitter model E and one background over a window of `window` px, the window's data at `data`. */
export class MultiEmitterModel<E> {
  /** Emitters now, K. */
  k: i32 = 1;
  /** Window width, px (≤ MAX_WINDOW). */
  window: i32 = 11;
  /** The window's photons (window² f64, row-major). */
  data: usize = 0;
  /** Whether each pixel has a camera shift, and where it is relative to its datum. */
  shifted: bool = false;
  shiftDelta: usize = 0;
  /** ℓ and iterations of the last fit. */
  logLikelihood: f64 = NaN;
  iterations: i32 = 0;
  /** μ of every pixel at the θ last evaluated (photons, without the shift). */
  readonly mu: StaticArray<f64> = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);
  /** One pixel's ∂μ/∂θ; one value of slack for the SIMD read past the last. */
  private readonly d: StaticArray<f64> = new StaticArray<f64>(P + 1);
  private readonly trial: StaticArray<f64> = new StaticArray<f64>(P);
  private readonly lower: StaticArray<f64> = new StaticArray<f64>(P * P);
  private readonly z: StaticArray<f64> = new StaticArray<f64>(P);
  /** The other emitters' μ and one trial μ of {@link startOwn}; emitter e's θ_e there. */
  private readonly base: StaticArray<f64> = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);
  private readonly trialMu: StaticArray<f64> = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);
  private readonly own: StaticArray<f64> = new StaticArray<f64>(P);

  constructor(readonly emitter: E) {}

  /** Parameters of θ for K emitters: K·(E's parameters) + 1. */
  parameters(): i32 {
    return this.emitter.parameters * this.k + 1;
  }

  /** The window the next calls fit: its photons and (`shift` 0: none) the camera's shift of each pixel, laid out as `data`. */
  bind(data: usize, shift: usize): void {
    this.data = data;
    this.shifted = shift != 0;
    this.shiftDelta = shift - data;
  }

  /** μ = b + Σ_e signal_e into mu; ℓ, or −∞ where an emitter's θ is impossible or some μ + s ≤ 0. */
  evaluate(theta: StaticArray<f64>): f64 {
    const w = this.window, k = this.k, q = this.emitter.parameters;
    const area = w * w;
    const mu = this.mu;
    const b = unchecked(theta[q * k]);
    for (let i = 0; i < area; i++) unchecked(mu[i] = b);
    for (let e = 0; e < k; e++) if (!this.emitter.addSignal(e, theta, e * q, mu, w)) return -Infinity;
    const data = this.data;
    if (this.shifted) {
      for (let i = 0; i < area; i++) if (!(unchecked(mu[i]) + load<f64>(data + (<usize>i << 3) + this.shiftDelta) > 0)) return -Infinity;
    } else {
      for (let i = 0; i < area; i++) if (!(unchecked(mu[i]) > 0)) return -Infinity;
    }
    return logLikelihoodSum(changetype<usize>(mu), data, area, this.shifted, this.shiftDelta);
  }

  /**
   * evaluate with each emitter's values alone where the per-emitter model has `addValue` (its
   * terms not kept: no derivatives may follow): μ into mu; ℓ, or −∞ as evaluate.
   */
  values(theta: StaticArray<f64>): f64 {
    const w = this.window, k = this.k, q = this.emitter.parameters;
    const area = w * w;
    const mu = this.mu;
    const b = unchecked(theta[q * k]);
    for (let i = 0; i < area; i++) unchecked(mu[i] = b);
    for (let e = 0; e < k; e++) if (!this.add(e, theta, e * q, mu, w)) return -Infinity;
    const data = this.data;
    if (this.shifted) {
      for (let i = 0; i < area; i++) if (!(unchecked(mu[i]) + load<f64>(data + (<usize>i << 3) + this.shiftDelta) > 0)) return -Infinity;
    } else {
      for (let i = 0; i < area; i++) if (!(unchecked(mu[i]) > 0)) return -Infinity;
    }
    return logLikelihoodSum(changetype<usize>(mu), data, area, this.shifted, this.shiftDelta);
  }

  /**
   * PoissonEstimator.derivatives: ∇ℓ and the Fisher information (p × p, row-major; `fisher`
   * holds p·p + 2 values: a SIMD write may pass the last row by one) at the θ last evaluated.
   * A per-emitter model may have a whole-window pass `windowDerivatives(k, θ, data, window, mu,
   * shifted, shiftDelta, gradient, fisher): bool` for the K it specialises (true: done; the
   * same products added in the same order, so the same values): it is used where it exists.
   */
  derivatives(theta: StaticArray<f64>, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
    const w = this.window, k = this.k, q = this.emitter.parameters;
    // @ts-ignore: isDefined is AssemblyScript's compile-time test
    if (isDefined(this.emitter.windowDerivatives)) {
      if (this.emitter.windowDerivatives(k, theta, this.data, w, this.mu, this.shifted, this.shiftDelta, gradient, fisher)) return;
    }
    const p = q * k + 1;
    // Rows of the Jacobian padded to an even length, so a pair (e, e + 1) of a row is one load.
    const pp = (p + 1) & ~1;
    const stride = <usize>pp << 3;
    const d = this.d, mu = this.mu, data = this.data;
    for (let a = 0; a < p; a++) unchecked(gradient[a] = 0);
    for (let a = 0; a < p * p + 2; a++) unchecked(fisher[a] = 0);
    unchecked(d[p - 1] = 1);
    const jac = changetype<usize>(JACOBIAN), scaled = changetype<usize>(SCALED);
    // Pass 1, pixel by pixel: ∂μ/∂θ into the Jacobian's row, the same times 1/(μ + s) beside it,
    // ∇ℓ summed in pixel order.
    const area = w * w;
    for (let r = 0; r < w; r++) {
      for (let col = 0; col < w; col++) {
        const i = r * w + col;
        for (let e = 0; e < k; e++) this.emitter.derivatives(e, theta, e * q, r, col, d, e * q);
        const at = data + (<usize>i << 3);
        const s: f64 = this.shifted ? load<f64>(at + this.shiftDelta) : 0;
        const inv = 1 / (unchecked(mu[i]) + s);
        const wt = (load<f64>(at) + s) * inv - 1;
        const rowJ = jac + <usize>i * stride, rowS = scaled + <usize>i * stride;
        for (let a = 0; a < p; a++) {
          const da = unchecked(d[a]);
          unchecked(gradient[a] += wt * da);
          store<f64>(rowJ + (<usize>a << 3), da);
          store<f64>(rowS + (<usize>a << 3), da * inv);
        }
        if (pp > p) {
          store<f64>(rowJ + (<usize>p << 3), 0);
          store<f64>(rowS + (<usize>p << 3), 0);
        }
      }
    }
    // Pass 2: the lower triangle's entries (a, e) two at a time (f64x2), each summed over the
    // pixels in pixel order in a register, fisher[a·p + e] = Σ_i (∂μ_a·inv)·∂μ_e, the same
    // products added in the same order as a pixel-by-pixel pass; up to four pairs of a row per
    // sweep over the pixels. The second lane of a row's last pair lands in the upper triangle
    // (overwritten below) or, for the last row, in fisher's slack.
    const zero = f64x2.splat(0);
    for (let a = 0; a < p; a++) {
      const row = changetype<usize>(fisher) + (<usize>(a * p) << 3);
      const sa = scaled + (<usize>a << 3);
      let e = 0;
      for (; e + 6 <= a; e += 8) {
        let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        let si = sa, ji = jac + (<usize>e << 3);
        for (let i = 0; i < area; i++) {
          const di = f64x2.splat(load<f64>(si));
          a0 = f64x2.add(a0, f64x2.mul(di, v128.load(ji)));
          a1 = f64x2.add(a1, f64x2.mul(di, v128.load(ji, 16)));
          a2 = f64x2.add(a2, f64x2.mul(di, v128.load(ji, 32)));
          a3 = f64x2.add(a3, f64x2.mul(di, v128.load(ji, 48)));
          si += stride;
          ji += stride;
        }
        const o = row + (<usize>e << 3);
        v128.store(o, a0);
        v128.store(o, a1, 16);
        v128.store(o, a2, 32);
        v128.store(o, a3, 48);
      }
      for (; e + 2 <= a; e += 4) {
        let a0 = zero, a1 = zero;
        let si = sa, ji = jac + (<usize>e << 3);
        for (let i = 0; i < area; i++) {
          const di = f64x2.splat(load<f64>(si));
          a0 = f64x2.add(a0, f64x2.mul(di, v128.load(ji)));
          a1 = f64x2.add(a1, f64x2.mul(di, v128.load(ji, 16)));
          si += stride;
          ji += stride;
        }
        const o = row + (<usize>e << 3);
        v128.store(o, a0);
        v128.store(o, a1, 16);
      }
      for (; e <= a; e += 2) {
        let a0 = zero;
        let si = sa, ji = jac + (<usize>e << 3);
        for (let i = 0; i < area; i++) {
          a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(load<f64>(si)), v128.load(ji)));
          si += stride;
          ji += stride;
        }
        v128.store(row + (<usize>e << 3), a0);
      }
    }
    for (let a = 0; a < p; a++) for (let e = 0; e < a; e++) unchecked(fisher[e * p + a] = unchecked(fisher[a * p + e]));
  }

  /**
   * DepthEmitterFits.startOwn for a 3-D emitter (θ_e = x, y, N, z): z of emitter e of the
   * (e + 1)-emitter θ (its x, y, N and b placed, b at θ[q·(e + 1)]), the best of `starts` depths
   * zLo + (s + ½)·(zHi − zLo)/starts by ℓ of the window with the emitters before it held at
   * their θ; (zLo + zHi)/2 where no depth is possible. The window bound; θ is not changed.
   */
  startOwn(theta: StaticArray<f64>, e: i32, zLo: f64, zHi: f64, starts: i32): f64 {
    const w = this.window, q = this.emitter.parameters;
    const area = w * w;
    const base = this.base, trialMu = this.trialMu, own = this.own;
    const b = unchecked(theta[q * (e + 1)]);
    for (let i = 0; i < area; i++) unchecked(base[i] = b);
    for (let i = 0; i < e; i++) this.add(i, theta, i * q, base, w);
    for (let a = 0; a < q; a++) unchecked(own[a] = unchecked(theta[q * e + a]));
    const data = this.data;
    let bestZ = (zLo + zHi) / 2;
    let bestLl: f64 = -Infinity;
    for (let s = 0; s < starts; s++) {
      const z = zLo + ((<f64>s + 0.5) * (zHi - zLo)) / <f64>starts;
      unchecked(own[3] = z);
      for (let i = 0; i < area; i++) unchecked(trialMu[i] = unchecked(base[i]));
      if (!this.add(e, own, 0, trialMu, w)) continue;
      let possible = true;
      if (this.shifted) {
        for (let i = 0; i < area; i++) if (!(unchecked(trialMu[i]) + load<f64>(data + (<usize>i << 3) + this.shiftDelta) > 0)) { possible = false; break; }
      } else {
        for (let i = 0; i < area; i++) if (!(unchecked(trialMu[i]) > 0)) { possible = false; break; }
      }
      if (!possible) continue;
      const ll = logLikelihoodSum(changetype<usize>(trialMu), data, area, this.shifted, this.shiftDelta);
      if (ll > bestLl) {
        bestLl = ll;
        bestZ = z;
      }
    }
    return bestZ;
  }

  /** Emitter e's signal added to `mu`: its values alone where the per-emitter model has `addValue` (no terms kept for derivatives), else addSignal. */
  private add(e: i32, theta: StaticArray<f64>, at: i32, mu: StaticArray<f64>, w: i32): bool {
    // @ts-ignore: isDefined is AssemblyScript's compile-time test
    if (isDefined(this.emitter.addValue)) return this.emitter.addValue(e, theta, at, mu, w);
    return this.emitter.addSignal(e, theta, at, mu, w);
  }

  /** Each emitter's own step limits; b shrinking by at most MAX_SHRINK, above MIN_BACKGROUND; the largest position change. */
  propose(theta: StaticArray<f64>, step: StaticArray<f64>, trial: StaticArray<f64>): f64 {
    const k = this.k, q = this.emitter.parameters;
    let moved: f64 = 0;
    for (let e = 0; e < k; e++) moved = Math.max(moved, this.emitter.propose(theta, step, trial, e * q));
    const b = unchecked(theta[q * k]);
    unchecked(trial[q * k] = proposeBackground(b, unchecked(step[q * k])));
    return moved;
  }

  /** Any emitter out of the window. */
  leftWindow(theta: StaticArray<f64>): bool {
    const q = this.emitter.parameters;
    for (let e = 0; e < this.k; e++) if (this.emitter.leftWindow(theta, e * q, this.window)) return true;
    return false;
  }

  /**
   * FisherScoring.run from θ (modified in place; K emitters, the window bound): the solver's
   * status; ℓ and iterations in the fields, mu and the emitters' terms those of θ̂. A window
   * holding a non-finite value is STATUS_BAD_DATA without iterating, ℓ left as it was (as the
   * JavaScript MultiEmitterFit.fit).
   */
  fit(theta: StaticArray<f64>, maxIterations: i32, tolerance: f64): i32 {
    this.iterations = 0;
    const area = this.window * this.window;
    for (let i = 0; i < area; i++) if (!isFinite<f64>(load<f64>(this.data + (<usize>i << 3)))) return STATUS_BAD_DATA;
    const status = fisherScoring<MultiEmitterModel<E>>(this, theta, this.trial, this.parameters(), maxIterations, tolerance);
    this.iterations = SCORING_ITERATIONS;
    this.logLikelihood = SCORING_LL;
    return status;
  }

  /**
   * PoissonEstimator.bound after a converged fit: √CRLB of θ̂ (the θ last evaluated) into `out`
   * (before any noise scale), NaN where not converged; STATUS_SINGULAR where the Fisher
   * information is singular, else `status`.
   */
  bound(theta: StaticArray<f64>, status: i32, out: StaticArray<f64>): i32 {
    const p = this.parameters();
    for (let a = 0; a < p; a++) unchecked(out[a] = NaN);
    if (status != STATUS_CONVERGED) return status;
    this.derivatives(theta, SCORING_GRADIENT, SCORING_FISHER);
    if (!choleskyInverseDiagonal(SCORING_FISHER, p, out, this.lower, this.z)) return STATUS_SINGULAR;
    for (let a = 0; a < p; a++) unchecked(out[a] = Math.sqrt(unchecked(out[a])));
    return status;
  }

  /** PoissonEstimator.residualStd: the standard deviation of n − μ over the window, photons. */
  residualStd(): f64 {
    return residualSpread(this.data, this.mu, this.window * this.window);
  }
}

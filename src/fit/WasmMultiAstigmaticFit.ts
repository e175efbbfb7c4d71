import { MAX_EMITTERS, MULTI_Z_OUT_SIGMA_X_NM, MULTI_Z_OUT_SIGMA_Y_NM } from './fitConstants.js';
import type { AstigmatismCurves } from './models/AstigmaticModel.js';
import { fitKernelInstance } from './fitKernelInstance.js';
import { WasmMultiDepthFit } from './WasmMultiDepthFit.js';

interface MultiZExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  multiZConfigure(window: number, pixelNm: number, zLo: number, zHi: number, sx0: number, cx: number, dx: number, ax: number, bx: number, sy0: number, cy: number, dy: number, ay: number, by: number): void;
  multiZFit(data: number, shift: number, k: number, maxIterations: number, tolerance: number): number;
  multiZTheta(): number;
  multiZValues(data: number, shift: number, k: number): number;
  multiZMu(): number;
  multiZStart(data: number, shift: number, e: number, zLo: number, zHi: number, starts: number): number;
  multiZOut(): number;
}

/**
 * K astigmatic 3-D emitters on one shared background fitted in the fit kernel
 * (fit/assembly/MultiAstigmaticFit.ts, `multiZFit`: the kernel's generic MultiEmitterModel of
 * AstigmaticEmitter, run by its one Fisher-scoring loop): the same model, solver, limits and
 * CRLB as the JavaScript {@link MultiEmitterModel} over {@link AstigmaticModel} fitted through
 * {@link PoissonEstimator} by {@link FisherScoring}, the same arithmetic in the same order, so
 * the two agree to rounding (tested: the same statuses and iterations, θ̂ within 1e-6 px).
 *
 * θ = (x₁, y₁, N₁, z₁, …, x_K, y_K, N_K, z_K, b): x, y px in the window, N photons, z nm, b
 * photons/px; MULTI_Z_PER_EMITTER·K + 1 values. The caller gives the start θ; the fit runs from
 * it alone (no z starts: a multi-emitter fit starts from earlier fits). The window is copied
 * into the module's memory (its own instance of fitKernel.wasm); the results are read from it
 * by their named offsets (MULTI_Z_OUT_*) in {@link WasmMultiDepthFit}, which this class extends
 * with the widths.
 */
export class WasmMultiAstigmaticFit extends WasmMultiDepthFit<MultiZExports> {
  /** σx, σy of each emitter at θ̂, nm (the first K values). */
  readonly sigmaXNm = new Float64Array(MAX_EMITTERS);
  readonly sigmaYNm = new Float64Array(MAX_EMITTERS);

  /**
   * @param window - window width, px (at most {@link MAX_WINDOW})
   * @param curves - the defocus curves, their range and the pixel size (an AstigmaticCalibration is one)
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(window: number, curves: AstigmatismCurves) {
    super(window, () => {
      const e = fitKernelInstance<MultiZExports>();
      const { x, y } = curves;
      e.multiZConfigure(window, curves.pixelSizeNm, curves.zRangeNm[0], curves.zRangeNm[1], x.sigma0Nm, x.centerNm, x.depthNm, x.a, x.b, y.sigma0Nm, y.centerNm, y.depthNm, y.a, y.b);
      return { exports: e, theta: e.multiZTheta(), out: e.multiZOut() };
    });
  }

  protected kernelFit(data: number, shift: number, emitters: number, maxIterations: number, tolerance: number): number {
    return this.exports.multiZFit(data, shift, emitters, maxIterations, tolerance);
  }

  protected kernelValues(data: number, shift: number, emitters: number): number {
    return this.exports.multiZValues(data, shift, emitters);
  }

  protected kernelMu(): number {
    return this.exports.multiZMu();
  }

  protected kernelStart(data: number, shift: number, e: number, zLo: number, zHi: number, starts: number): number {
    return this.exports.multiZStart(data, shift, e, zLo, zHi, starts);
  }

  protected override readExtra(out: Float64Array): void {
    this.sigmaXNm.set(out.subarray(MULTI_Z_OUT_SIGMA_X_NM, MULTI_Z_OUT_SIGMA_X_NM + MAX_EMITTERS));
    this.sigmaYNm.set(out.subarray(MULTI_Z_OUT_SIGMA_Y_NM, MULTI_Z_OUT_SIGMA_Y_NM + MAX_EMITTERS));
  }
}

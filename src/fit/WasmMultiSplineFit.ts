import type { SplinePsf } from './spline/SplinePsf.js';
import { copySplineCoefficients } from './copySplineCoefficients.js';
import { fitKernelInstance } from './fitKernelInstance.js';
import { WasmMultiDepthFit } from './WasmMultiDepthFit.js';

interface MultiSplineExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  multiSplineConfigure(window: number, coefficients: number, f32: number, vx: number, vy: number, vz: number, zStart: number, dz: number, cx: number, cy: number): void;
  multiSplineFit(data: number, shift: number, k: number, maxIterations: number, tolerance: number): number;
  multiSplineTheta(): number;
  multiSplineValues(data: number, shift: number, k: number): number;
  multiSplineMu(): number;
  multiSplineStart(data: number, shift: number, e: number, zLo: number, zHi: number, starts: number): number;
  multiSplineOut(): number;
}

/**
 * K emitters of a tricubic spline PSF on one shared background fitted in the fit kernel
 * (fit/assembly/MultiSplineFit.ts, `multiSplineFit`: the kernel's generic MultiEmitterModel of
 * SplineEmitter, run by its one Fisher-scoring loop): the same model, solver, limits and CRLB as
 * the JavaScript {@link MultiEmitterModel} over {@link SplineModel} fitted through
 * {@link PoissonEstimator} by {@link FisherScoring}, so the two agree to rounding (tested through
 * the selection: the same K, θ̂ within 1e-6 px). As {@link WasmMultiAstigmaticFit}: θ = (x₁, y₁,
 * N₁, z₁, …, b), the caller's start, the results by their named offsets (MULTI_Z_OUT_*; the
 * widths are NaN: the JavaScript model gives them). The spline's coefficients are copied once
 * into the module's memory (its own instance of fitKernel.wasm; the kernel's configure reorders
 * them there for its SIMD pass); the window, start and results are handled by
 * {@link WasmMultiDepthFit}.
 */
export class WasmMultiSplineFit extends WasmMultiDepthFit<MultiSplineExports> {
  /**
   * @param window - window width, px (at most {@link MAX_WINDOW})
   * @param spline - the PSF (its samples 1 camera px apart)
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(window: number, spline: SplinePsf) {
    super(window, () => {
      const e = fitKernelInstance<MultiSplineExports>();
      const coefficients = copySplineCoefficients(e, spline);
      e.multiSplineConfigure(window, coefficients.at, coefficients.f32, spline.voxelsX, spline.voxelsY, spline.voxelsZ, spline.zStartNm, spline.dzNm, spline.centerXPx, spline.centerYPx);
      return { exports: e, theta: e.multiSplineTheta(), out: e.multiSplineOut() };
    });
  }

  protected kernelFit(data: number, shift: number, emitters: number, maxIterations: number, tolerance: number): number {
    return this.exports.multiSplineFit(data, shift, emitters, maxIterations, tolerance);
  }

  protected kernelValues(data: number, shift: number, emitters: number): number {
    return this.exports.multiSplineValues(data, shift, emitters);
  }

  protected kernelMu(): number {
    return this.exports.multiSplineMu();
  }

  protected kernelStart(data: number, shift: number, e: number, zLo: number, zHi: number, starts: number): number {
    return this.exports.multiSplineStart(data, shift, e, zLo, zHi, starts);
  }
}

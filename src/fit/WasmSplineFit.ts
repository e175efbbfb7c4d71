import { copySplineCoefficients } from './copySplineCoefficients.js';
import { fitKernelInstance } from './fitKernelInstance.js';
import type { SplinePsf } from './spline/SplinePsf.js';
import { WasmDepthFit } from './WasmDepthFit.js';
import type { DepthKernelMemory } from './WasmDepthFit.js';

interface SplineExports extends DepthKernelMemory {
  splineConfigure(box: number, pixelNm: number, coefficients: number, f32: number, vx: number, vy: number, vz: number, zStart: number, dz: number, cx: number, cy: number, everyStart: number): void;
  splineFit(data: number, shift: number, x: number, y: number, photons: number, background: number, maxIterations: number, tolerance: number): number;
  splineOut(): number;
}

/**
 * The 3-D fit of {@link SplineFit} in the fit kernel (fit/assembly/SplineFit.ts, `splineFit`):
 * the same evaluation, solver, starts and constants, the same arithmetic in the same order, so
 * the two agree to rounding (tested: the same statuses and iterations, θ̂ within 1e-6). The
 * spline's coefficients are copied once into the module's memory (its own instance of
 * fitKernel.wasm) in their own precision (copySplineCoefficients: a file's Float32Array as f32, 4
 * bytes a coefficient, widened where read; f64 otherwise), where the kernel's configure reorders each voxel's 64
 * for its SIMD pass (pairGroups: the same products and sums); each patch is copied in, the
 * results read out ({@link WasmDepthFit}).
 */
export class WasmSplineFit extends WasmDepthFit<SplineExports> {
  /**
   * @param box - patch width, px (at most MAX_WINDOW)
   * @param spline - the PSF, its samples 1 camera px apart
   * @param pixelSizeNm - the camera's pixel size, nm (for σx, σy in nm)
   * @param everyStart - fit from each of the SPLINE_Z_SCAN_FITS best-ranked scan starts (not only until one converges) and keep the best ℓ (2-D optics: z ambiguous about focus); a spot within SPLINE_EDGE_START_PX of the window's edge is fitted so regardless @default false
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(box: number, spline: SplinePsf, pixelSizeNm: number, everyStart = false) {
    super(box, () => {
      const e = fitKernelInstance<SplineExports>();
      const coefficients = copySplineCoefficients(e, spline);
      e.splineConfigure(box, pixelSizeNm, coefficients.at, coefficients.f32, spline.voxelsX, spline.voxelsY, spline.voxelsZ, spline.zStartNm, spline.dzNm, spline.centerXPx, spline.centerYPx, everyStart ? 1 : 0);
      return { exports: e, out: e.splineOut() };
    });
  }

  protected kernelFit(data: number, shift: number, x: number, y: number, photons: number, background: number, maxIterations: number, tolerance: number): number {
    return this.exports.splineFit(data, shift, x, y, photons, background, maxIterations, tolerance);
  }
}

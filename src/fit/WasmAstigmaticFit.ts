import type { AstigmatismCurves } from './models/AstigmaticModel.js';
import { fitKernelInstance } from './fitKernelInstance.js';
import { WasmDepthFit } from './WasmDepthFit.js';
import type { DepthKernelMemory } from './WasmDepthFit.js';

interface ZExports extends DepthKernelMemory {
  zConfigure(box: number, pixelNm: number, zLo: number, zHi: number, sx0: number, cx: number, dx: number, ax: number, bx: number, sy0: number, cy: number, dy: number, ay: number, by: number): void;
  zFit(data: number, shift: number, x: number, y: number, photons: number, background: number, maxIterations: number, tolerance: number): number;
  zOut(): number;
}

/**
 * The 3-D fit of {@link AstigmaticFit} in the fit kernel (fit/assembly/AstigmaticFit.ts, `zFit`): the
 * same evaluation, solver, starts and constants, the same arithmetic in the same order, so the
 * two agree to rounding (tested: the same statuses and iterations, θ̂ within 1e-6). The patch
 * is copied into the module's memory (its own instance of fitKernel.wasm); the results are read
 * from it ({@link WasmDepthFit}).
 */
export class WasmAstigmaticFit extends WasmDepthFit<ZExports> {
  /**
   * @param box - patch width, px (at most MAX_WINDOW)
   * @param curves - the defocus curves and their range
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(box: number, curves: AstigmatismCurves) {
    super(box, () => {
      const e = fitKernelInstance<ZExports>();
      const { x, y } = curves;
      e.zConfigure(box, curves.pixelSizeNm, curves.zRangeNm[0], curves.zRangeNm[1], x.sigma0Nm, x.centerNm, x.depthNm, x.a, x.b, y.sigma0Nm, y.centerNm, y.depthNm, y.a, y.b);
      return { exports: e, out: e.zOut() };
    });
  }

  protected kernelFit(data: number, shift: number, x: number, y: number, photons: number, background: number, maxIterations: number, tolerance: number): number {
    return this.exports.zFit(data, shift, x, y, photons, background, maxIterations, tolerance);
  }
}

import { DepthEmitterFits } from './DepthEmitterFits.js';
import { MAX_WINDOW } from './fitConstants.js';
import { AstigmaticModel } from './models/AstigmaticModel.js';
import type { AstigmatismCurves } from './models/AstigmaticModel.js';
import { SplineModel } from './models/SplineModel.js';
import type { SplinePsf } from './spline/SplinePsf.js';
import { WasmMultiAstigmaticFit } from './WasmMultiAstigmaticFit.js';
import { WasmMultiSplineFit } from './WasmMultiSplineFit.js';

/**
 * The K-emitter fit of a run's 3-D model ({@link DepthEmitterFits}) for windows of `window` px:
 * the spline's where the run has one, else the astigmatic curves'; in the fit kernel with `wasm`
 * (windows up to MAX_WINDOW), else in JavaScript.
 * @param window - window width, px
 * @param box - a single fit's patch width, px
 * @param maxEmitters - most emitters one fit may hold
 * @param wasm - fit in the kernel (fit.engine 'wasm')
 * @param astigmatism - the astigmatic calibration, if the run has one
 * @param spline - the spline PSF and the camera's pixel size (nm), if the run has one (instead of `astigmatism`)
 * @returns the fit, or undefined in 2-D
 */
export function createDepthEmitterFits(
  window: number,
  box: number,
  maxEmitters: number,
  wasm: boolean,
  astigmatism: AstigmatismCurves | undefined,
  spline?: { readonly psf: SplinePsf; readonly pixelSizeNm: number },
): DepthEmitterFits<SplineModel> | DepthEmitterFits<AstigmaticModel> | undefined {
  const kernel = wasm && window <= MAX_WINDOW;
  if (spline) {
    return new DepthEmitterFits<SplineModel>(window, box, (w) => new SplineModel(w, spline.psf), maxEmitters, (m, theta, out) => {
      m.widthsPx(theta, out);
      out[0] *= spline.pixelSizeNm;
      out[1] *= spline.pixelSizeNm;
    }, kernel ? new WasmMultiSplineFit(window, spline.psf) : undefined);
  }
  if (!astigmatism) return undefined;
  return new DepthEmitterFits<AstigmaticModel>(window, box, (w) => new AstigmaticModel(w, astigmatism), maxEmitters, (m, _theta, out) => {
    out[0] = m.sigmaXNm;
    out[1] = m.sigmaYNm;
  }, kernel ? new WasmMultiAstigmaticFit(window, astigmatism) : undefined);
}

import type { AstigmaticFitter } from './AstigmaticFitter.js';
import { SplineModel } from './models/SplineModel.js';
import type { SplinePsf } from './spline/SplinePsf.js';
import { ZStartFit } from './ZStartFit.js';

/**
 * The 3-D fit of one spot through a measured PSF (issue 26; Li et al., Nat. Methods 15:367,
 * 2018): the {@link ZStartFit} (Poisson / shifted-Poisson MLE from three ranked z starts by the
 * shared damped Fisher scoring, the CRLB from the spline's Fisher information) of the
 * {@link SplineModel}, μ_k = N·S(pixel k − (x, y), z) + b. Runs wherever the astigmatic fit
 * runs ({@link AstigmaticFitter}); its σx, σy are the spline PSF's widths over the window at θ̂
 * ({@link SplineModel.widthsPx}), in nm. Allocates nothing per fit.
 */
export class SplineFit extends ZStartFit<SplineModel> implements AstigmaticFitter {
  private readonly widths = new Float64Array(2);

  /** The PSF's width along x at θ̂, nm (see {@link SplineModel.widthsPx}). */
  get sigmaXNm(): number {
    this.model.widthsPx(this.theta, this.widths);
    return this.widths[0] * this.pixelSizeNm;
  }
  /** The PSF's width along y at θ̂, nm. */
  get sigmaYNm(): number {
    this.model.widthsPx(this.theta, this.widths);
    return this.widths[1] * this.pixelSizeNm;
  }

  /**
   * @param box - patch width, px
   * @param spline - the PSF, its samples 1 camera px apart
   * @param pixelSizeNm - the camera's pixel size, nm (for σx, σy in nm)
   * @param everyStart - fit from every z start, keep the best ℓ (2-D optics: z ambiguous about focus) @default false
   */
  constructor(box: number, spline: SplinePsf, private readonly pixelSizeNm: number, everyStart = false) {
    const model = new SplineModel(box, spline);
    super(model, model.zRangeNm, everyStart);
  }
}

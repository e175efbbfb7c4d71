import { AstigmaticModel } from './models/AstigmaticModel.js';
import type { AstigmatismCurves } from './models/AstigmaticModel.js';
import type { AstigmaticFitter } from './AstigmaticFitter.js';
import type { ScoringStops } from './ZStartFit.js';
import { NO_STOPS, ZStartFit } from './ZStartFit.js';
import { Z_MIN_GAIN, Z_MIN_GAIN_RATIO } from './fitConstants.js';

/**
 * The 3-D fit of one astigmatic spot (docs/design.md §8): the {@link ZStartFit} (Poisson MLE
 * from three ranked z starts, the CRLB) of the {@link AstigmaticModel}
 *
 *     μ_i = N · Ex(x; σx(z)) · Ey(y; σy(z)) + b,
 *
 * θ = (x, y, N, b, z), z kept inside the calibrated range. Allocates nothing per fit; never
 * throws: the status says what happened (STATUS_Z_RANGE when z ends at an edge of the range).
 */
export class AstigmaticFit extends ZStartFit<AstigmaticModel> implements AstigmaticFitter {
  /** σx, σy at θ̂, nm. */
  get sigmaXNm(): number {
    return this.model.sigmaXNm;
  }
  get sigmaYNm(): number {
    return this.model.sigmaYNm;
  }

  /**
   * @param box - patch width, px
   * @param curves - the defocus curves and their range
   * @param stops - the fit's optional convergence tests (the kernel's zFit uses the default)
   *   @default the gain test Z_MIN_GAIN and the overshoot test Z_MIN_GAIN_RATIO
   */
  constructor(box: number, curves: AstigmatismCurves, stops: ScoringStops = { ...NO_STOPS, minGain: Z_MIN_GAIN, minRatio: Z_MIN_GAIN_RATIO }) {
    super(new AstigmaticModel(box, curves), curves.zRangeNm, false, undefined, undefined, stops);
  }
}

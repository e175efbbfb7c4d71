import { AstigmaticModel } from './models/AstigmaticModel.js';
import type { AstigmatismCurves } from './models/AstigmaticModel.js';
import type { AstigmaticFitter } from './AstigmaticFitter.js';
import { ZStartFit } from './ZStartFit.js';
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
   */
  constructor(box: number, curves: AstigmatismCurves) {
    super(new AstigmaticModel(box, curves), curves.zRangeNm);
    this.minGain = Z_MIN_GAIN;
    this.minRatio = Z_MIN_GAIN_RATIO;
  }
}

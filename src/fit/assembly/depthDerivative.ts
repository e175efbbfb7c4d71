// The one formula of a pixel's ∂μ/∂z in the astigmatic model, in a file of its own so that
// AstigmaticModel.ts and the generated astigmaticPasses.ts both import it without a circle.

/**
 * ∂μ/∂z of one pixel, N·(∂Ex/∂σx·σx′·Ey + Ex·∂Ey/∂σy·σy′), from its column's Ex, ∂Ex/∂σx, its
 * row's Ey, ∂Ey/∂σy and the slopes (px per nm): the one spelling of pixelDerivatives, the
 * single fit's AstigTerms (AstigmaticFit.ts) and the unrolled passes (astigmaticPasses.ts).
 */
// @ts-ignore
@inline export function depthDerivative(n: f64, ex: f64, sex: f64, ey: f64, sey: f64, slopeX: f64, slopeY: f64): f64 {
  return n * (sex * slopeX * ey + ex * sey * slopeY);
}

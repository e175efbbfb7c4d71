/**
 * A PSF the simulator draws spots through, other than the pixel-integrated Gaussian it renders
 * itself: the pupil function ({@link PupilPsf}) or a measured spline ({@link SplineSpotPsf}).
 * simulateStack and simulateBeadStack take any of them.
 */
export interface SpotPsf {
  /**
   * Add one spot's expected photon counts to a row-major image (no background; pixels off the
   * image are dropped). Allocates nothing.
   * @param image - row-major image, photons, modified in place
   * @param width - image width, px (row stride)
   * @param height - image height, px
   * @param xPx - the emitter's x, px from the image's left edge (pixel c spans [c, c + 1))
   * @param yPx - the emitter's y, px from the image's top edge
   * @param photons - N, photons (what 1 means is the PSF's normalisation: see each PSF)
   * @param zNm - the emitter's depth, nm
   */
  add(image: Float64Array, width: number, height: number, xPx: number, yPx: number, photons: number, zNm: number): void;
}

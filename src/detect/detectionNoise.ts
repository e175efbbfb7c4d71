/**
 * Where the detection threshold's noise comes from, and every constant of it, stated once
 * (docs/guides/crowded-spots.md, "The noise behind the threshold").
 *
 * - `'camera'`: from the camera model and the frame's background level. A pixel's variance in
 *   photons is F²/QE · (b + s) (docs/design.md §6: F² = 2 with an EM register, s the read noise²
 *   referred to the input, per pixel with a variance map); F1's is that times F1's noise gain
 *   (Σ w² of its linear weights). The background level b is a low quantile of the smoothed level
 *   V1 in tiles ({@link BackgroundTiles}): spots only add light, so the darkest pixels between
 *   them give the level, and the threshold follows b across the frame. Spots do not inflate it:
 *   measured on 128×128 px stacks (test/bench/densityNoise.ts), σ(F1) is 1.00–1.02× the truth's
 *   prediction on sparse frames and 1.6× at 6 emitters/µm² (where the overlapping tails of the
 *   spots do raise the light between them: σ(F1) is 1.01–1.03× the camera's noise at the level
 *   the noise-free frame has there, test/detect/detectionNoise.test.ts), against 1.2× and 6.5×
 *   for the MAD of F1.
 * - `'data'`: no camera model: the MAD of F1 (1.4826 · median |F1 − median|) on a grid of
 *   pixels, left out those where F2 shows a spot (|F2| above {@link DETECTION_NOISE}.maskSigmas
 *   of F2's noise), so the spots' own structure in F1 does not count.
 * - `'auto'` (the default): `'camera'` wherever the detector has a camera whose read noise is
 *   known (given, estimated by `--camera auto`'s settings step, or a variance map), else
 *   `'data'`. A read noise left at its default of 0 is not known: on background-only frames of
 *   2 photons/px with 1.5 e⁻ of read noise, the camera's noise without it (2 photons² instead of
 *   4.25) put the threshold so low that 890 false candidates passed in 150 frames of 256²
 *   (test/pipeline/acceptance.test.ts: at most 1).
 */
export type NoiseSource = 'auto' | 'camera' | 'data';

/** The noise sources, for messages and option checks. */
export const NOISE_SOURCES: readonly NoiseSource[] = ['auto', 'camera', 'data'];

/** The constants of the detection noise, stated once. */
export const DETECTION_NOISE = {
  /**
   * Side of a background tile, px. Small enough to follow a cell's background (its bodies are
   * 5–15 µm across: 50–150 px of 100 nm), large enough for a quantile of 64 values.
   */
  tilePx: 16,
  /** V1 is read every this many px along rows and columns of a tile (V1 is smooth: neighbours are alike). */
  sampleStepPx: 2,
  /**
   * The quantile of V1 that gives a tile's background level, and the standard normal's value
   * there (Φ⁻¹(0.1)): the level is the quantile plus that many of V1's standard deviations at
   * the level. Lower quantiles see fewer spots' tails and more of the noise's (skewed, at a
   * few photons a pixel) tail; measured (σ(F1) at 6 /µm² over its truth's prediction) 0.05:
   * 1.45×, 0.1: 1.6×, 0.2: 1.9×, 0.3: 2.1×; sparse frames 1.00–1.01× at all four.
   */
  quantile: 0.1,
  quantileZ: 1.2815515655446004,
  /** Fixed-point steps of b = q + z·√(gain·F²·(b + s)) (from b = q: converged to 0.01 photons in 3). */
  iterations: 4,
  /**
   * The lowest background level used, photons/px: a frame without background (noise-free
   * synthetic frames, or a base level set too high) would otherwise get a threshold of 0.
   */
  minimumBackgroundPhotons: 1,
  /** Samples with |F2| above this many of F2's noise are spots, left out of the MAD ('data'). */
  maskSigmas: 3,
  /** The masked MAD needs this share of the samples; fewer (a frame full of spots): the MAD of all. */
  minimumKeptShare: 0.1,
} as const;

/**
 * The noise source a detector uses: the one asked for, `'auto'` resolved by whether the
 * detector has a camera model.
 * @param asked - the option @default 'auto'
 * @param hasCamera - whether the detector was given a camera whose read noise is known (its noise model)
 */
export function chooseNoiseSource(asked: NoiseSource, hasCamera: boolean): 'camera' | 'data' {
  if (asked === 'auto') return hasCamera ? 'camera' : 'data';
  return asked;
}

/** A bead's windows made into a spot's: its counts thinned to the spot's photons, background added. */
export interface BeadThinning {
  /** The share of each photon kept, p = spot photons / bead photons (0 < p ≤ 1). */
  readonly keep: number;
  /** Photons per pixel added after thinning (the spot's background less p × the bead's), ≥ 0. */
  readonly addBackground: number;
}

/**
 * A seeded uniform deviate in [0, 1): SplitMix32 (Steele et al., OOPSLA 2014), the state a
 * 32-bit counter; enough for thinning (no simulation statistics hang on its period).
 */
class SplitMix {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  uniform(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
    t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
    return ((t ^ (t >>> 16)) >>> 0) / 4294967296;
  }
  /** A standard normal deviate (Box–Muller, one of the pair). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }
}

/**
 * Above this mean a binomial or Poisson count is drawn from the normal approximation (its
 * skewness 1/√mean < 0.2: a spot's brightest pixels, whose shot noise the fit meets as nearly
 * Gaussian anyway); below it by inversion of the exact distribution.
 */
const NORMAL_ABOVE = 30;

/**
 * A bead's z-stack thinned to a spot's brightness (binomial thinning: each photon kept with
 * probability p; a Poisson count of mean μ thinned is a Poisson count of mean p·μ, so a bead of
 * 20 000 photons becomes, frame by frame, a spot of p·20 000 photons of the same PSF with a
 * spot's shot noise) plus Poisson background. What calibrate-psf fits to measure the z error at
 * a spot's brightness, where the beads' own leave-one-out fits (10× the photons) show only the
 * model's error, not how a dim spot's fit spreads through it. Counts are rounded to whole
 * photons (≥ 0) first.
 * @param pixels - the bead's windows, photons (background included), frames back to back
 * @param offset - index of its first pixel
 * @param length - pixels to thin (frames × window²)
 * @param thinning - the share kept and the background added
 * @param seed - the draw's seed (same seed, same spots)
 * @param out - out: the thinned windows, `length` values from 0
 */
export function thinBeadWindows(pixels: Float32Array | Float64Array, offset: number, length: number, thinning: BeadThinning, seed: number, out: Float64Array): void {
  const random = new SplitMix(seed);
  const p = Math.min(1, Math.max(0, thinning.keep));
  const add = Math.max(0, thinning.addBackground);
  for (let i = 0; i < length; i++) {
    const n = Math.max(0, Math.round(pixels[offset + i]));
    out[i] = binomial(random, n, p) + poisson(random, add);
  }
}

/** Binomial(n, p): inversion where n·p ≤ {@link NORMAL_ABOVE}, else the normal approximation, rounded, clamped to 0…n. */
function binomial(random: SplitMix, n: number, p: number): number {
  const mean = n * p;
  if (mean <= 0) return 0;
  if (p >= 1) return n;
  if (mean > NORMAL_ABOVE) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * random.normal())));
  // P(0) = (1 − p)ⁿ, P(k + 1) = P(k)·(n − k)/(k + 1)·p/(1 − p).
  const ratio = p / (1 - p);
  let pk = Math.exp(n * Math.log1p(-p));
  let cumulative = pk;
  const u = random.uniform();
  let k = 0;
  while (u > cumulative && k < n) {
    pk *= ((n - k) / (k + 1)) * ratio;
    k++;
    cumulative += pk;
  }
  return k;
}

/** Poisson(mean): inversion where mean ≤ {@link NORMAL_ABOVE}, else the normal approximation, rounded, ≥ 0. */
function poisson(random: SplitMix, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > NORMAL_ABOVE) return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.normal()));
  let pk = Math.exp(-mean);
  let cumulative = pk;
  const u = random.uniform();
  let k = 0;
  while (u > cumulative && k < 1000) {
    k++;
    pk *= mean / k;
    cumulative += pk;
  }
  return k;
}

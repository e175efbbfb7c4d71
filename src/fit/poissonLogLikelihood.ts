/**
 * The Poisson log-likelihood of a window's counts under the model means already computed:
 * ℓ = Σ_i (n_i + s_i)·ln(μ_i + s_i) − (μ_i + s_i), a term 0·ln μ where n + s ≤ 0 (design.md §3;
 * s the camera's shift of each pixel, §6, 0 for a Poisson camera), summed in pixel order. The
 * constant −ln((n + s)!) is left out. Used by PoissonEstimator (every PsfModel's fit); the
 * kernel's logLikelihoodSum is its port.
 * @param mu - the model's mean of each pixel, photons (`count` values from 0)
 * @param data - counts, photons; the window's pixel i at data[at + i]
 * @param at - index of the window's first pixel in `data` (and in `shift`)
 * @param count - pixels in the window
 * @param shift - the camera's shift of each pixel, laid out as `data` @default none
 * @returns ℓ, or −∞ where some μ + s ≤ 0 (or is NaN): θ is impossible there
 */
export function poissonLogLikelihood(mu: Float64Array, data: Float64Array, at: number, count: number, shift?: Float64Array): number {
  let ll = 0;
  for (let i = 0; i < count; i++) {
    const s = shift ? shift[at + i] : 0;
    const ms = mu[i] + s;
    if (!(ms > 0)) return Number.NEGATIVE_INFINITY;
    const ns = data[at + i] + s;
    ll += (ns > 0 ? ns * Math.log(ms) : 0) - ms;
  }
  return ll;
}

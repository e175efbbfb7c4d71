import { choleskyInverseDiagonal } from './cholesky.js';

/**
 * The Cramér–Rao lower bound of every model's fit: the diagonal of the inverse Fisher
 * information (docs/design.md §3), times the camera's noise scale — a camera whose pixels'
 * variance is noiseScale·(μ + s) (EMCCD excess noise F² = 2, over the QE; §6) carries
 * 1/noiseScale of the Poisson information. Variances, in θ's units squared.
 * @param fisher - the Fisher information I, p × p row-major (positive definite where the model is identifiable)
 * @param p - parameters
 * @param noiseScale - F²/QE, 1 for a Poisson camera (or where the caller scales the bound itself)
 * @param variances - receives diag(I⁻¹)·noiseScale, p values (NaN where I is singular)
 * @param scratch - at least p² + p values
 * @returns false where I is not positive definite
 */
export function cramerRaoBound(fisher: Float64Array, p: number, noiseScale: number, variances: Float64Array, scratch: Float64Array): boolean {
  const ok = choleskyInverseDiagonal(fisher, p, variances, scratch);
  for (let a = 0; a < p; a++) variances[a] *= noiseScale;
  return ok;
}

import { conjugateGradientSolve } from './conjugateGradientSolve.js';
import { cramerRaoBound } from './cramerRaoBound.js';
import { WARM_START_MARGIN_PX } from './fitConstants.js';
import type { FitStartValues } from './FitResults.js';
import { FitStatus } from './FitStatus.js';
import type { FitWorkspace } from './FitWorkspace.js';
import { initialGuess } from './initialGuess.js';
import { newtonSolve } from './newtonSolve.js';
import { PassMode } from './PatchLikelihood.js';

/**
 * Use start value `index` of `start` if it is a sane point inside the patch; also checks that
 * the patch is fittable (finite, some positive value).
 * @returns 1 when the warm start was taken, 0 when the automatic guess was used, -1 for bad data
 */
function applyStart(workspace: FitWorkspace, data: Float64Array, offset: number, start: FitStartValues, index: number): number {
  const x = start.x[index];
  const y = start.y[index];
  const n = start.photons[index];
  const b = start.background[index];
  const box = workspace.options.box;
  const inside = x > -WARM_START_MARGIN_PX && x < box + WARM_START_MARGIN_PX && y > -WARM_START_MARGIN_PX && y < box + WARM_START_MARGIN_PX;
  if (!(inside && n > 0 && b > 0 && Number.isFinite(n) && Number.isFinite(b))) {
    return initialGuess(workspace, data, offset) ? 0 : -1;
  }
  let peak = -Infinity;
  const end = offset + box * box;
  for (let k = offset; k < end; k++) {
    const v = data[k];
    if (!Number.isFinite(v)) return -1;
    if (v > peak) peak = v;
  }
  if (!(peak > 0)) return -1;
  const theta = workspace.likelihood.theta;
  theta[0] = x;
  theta[1] = y;
  theta[2] = n;
  theta[3] = b;
  const s = start.sigma?.[index];
  const { sigmaPx, sigmaMinPx, sigmaMaxPx } = workspace.options;
  theta[4] = workspace.options.fitSigma && s !== undefined && s >= sigmaMinPx && s <= sigmaMaxPx ? s : sigmaPx;
  return 1;
}

/**
 * Fit one patch: start value (warm start `start[index]` when given and sane, else the automatic
 * guess), the configured solver, then one final pass for ℓ(θ̂), the residuals and the Fisher
 * information, whose inverse's diagonal is the CRLB — unless the solver's converging pass already
 * computed them (Newton near convergence does; the point is then within the tolerance of θ̂). Results stay in the workspace (`likelihood.theta`,
 * `crlb`, `status`, `iterations`, `logLikelihood`). Never throws for numeric reasons.
 *
 * @param workspace - fit workspace
 * @param data - photon counts, row-major patches
 * @param offset - index of this patch's first pixel in `data`
 * @param start - optional warm starts
 * @param index - index into `start`
 * @returns whether a warm start was used
 */
export function fitPatch(
  workspace: FitWorkspace,
  data: Float64Array,
  offset: number,
  start?: FitStartValues,
  index = 0,
): boolean {
  const started = start ? applyStart(workspace, data, offset, start, index) : initialGuess(workspace, data, offset) ? 0 : -1;
  const lik = workspace.likelihood;
  if (started < 0) {
    lik.theta.fill(Number.NaN);
    workspace.crlb.fill(Number.NaN);
    workspace.status = FitStatus.badData;
    workspace.iterations = 0;
    workspace.logLikelihood = Number.NaN;
    workspace.residualStd = Number.NaN;
    workspace.chiSquare = Number.NaN;
    return false;
  }
  workspace.informationReady = false;
  if (workspace.options.solver === 'newton') newtonSolve(workspace, data, offset);
  else conjugateGradientSolve(workspace, data, offset);
  if (!workspace.informationReady) workspace.logLikelihood = lik.evaluate(data, offset, PassMode.fisher | PassMode.logLikelihood);
  const box = workspace.options.box;
  workspace.residualStd = Math.sqrt(lik.residualSumSquares / (box * box - lik.parameterCount));
  workspace.chiSquare = lik.chiSquare;
  // The Fisher information of a camera whose pixels' variance is noiseScale·(μ + s).
  const ok = cramerRaoBound(lik.fisher, lik.parameterCount, workspace.options.noiseScale, workspace.crlb, workspace.inverseScratch);
  if (!ok && workspace.status === FitStatus.converged) workspace.status = FitStatus.singular;
  if (lik.parameterCount === 4) workspace.crlb[4] = Number.NaN;
  return started === 1;
}

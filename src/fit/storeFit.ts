import type { FitResults } from './FitResults.js';
import type { FitWorkspace } from './FitWorkspace.js';

/**
 * Copy the workspace's last fit into element `index` of struct-of-arrays outputs.
 *
 * @param workspace - workspace after fitPatch (fitPatch.ts)
 * @param out - outputs
 * @param index - element to write
 */
export function storeFit(workspace: FitWorkspace, out: FitResults, index: number): void {
  const theta = workspace.likelihood.theta;
  const crlb = workspace.crlb;
  out.x[index] = theta[0];
  out.y[index] = theta[1];
  out.photons[index] = theta[2];
  out.background[index] = theta[3];
  out.sigma[index] = theta[4];
  out.uncertaintyX[index] = Math.sqrt(crlb[0]);
  out.uncertaintyY[index] = Math.sqrt(crlb[1]);
  out.uncertaintyPhotons[index] = Math.sqrt(crlb[2]);
  out.uncertaintyBackground[index] = Math.sqrt(crlb[3]);
  out.uncertaintySigma[index] = Math.sqrt(crlb[4]);
  out.logLikelihood[index] = workspace.logLikelihood;
  out.residualStd[index] = workspace.residualStd;
  out.chiSquare[index] = workspace.chiSquare;
  out.iterations[index] = workspace.iterations;
  out.status[index] = workspace.status;
}

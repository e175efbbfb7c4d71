// The shared body of MultiAstigmaticFit.ts's multiZFit and MultiSplineFit.ts's multiSplineFit:
// K 3-D emitters fitted by MultiEmitterModel from the start θ, bounded (CRLB), the result written
// in the MULTI_Z_OUT_* layout except the widths (each caller writes its own).
import {
  MULTI_Z_MAX_PARAMETERS, MULTI_Z_OUT_CRLB, MULTI_Z_OUT_ITERATIONS, MULTI_Z_OUT_LOG_LIKELIHOOD,
  MULTI_Z_OUT_RESIDUAL_STD, MULTI_Z_OUT_THETA,
} from '../fitConstants';
import { MultiEmitterModel } from './MultiEmitterModel';

/**
 * Fit K emitters (1 … MAX_EMITTERS) of `model` to the window at `data` (window² f64 photons;
 * `shift` 0 or the camera's shift of each pixel) from the start θ in `theta` (θ̂ on return);
 * θ̂, √CRLB (from `crlb`, NaN unless converged), ℓ, iterations and the residual std into `out`.
 * @returns the status: the solver's, or STATUS_SINGULAR where the Fisher information at θ̂ is singular
 */
export function multiDepthFit<E>(model: MultiEmitterModel<E>, theta: StaticArray<f64>, crlb: StaticArray<f64>, out: StaticArray<f64>, data: usize, shift: usize, k: i32, maxIterations: i32, tolerance: f64): i32 {
  model.k = k;
  model.bind(data, shift);
  model.logLikelihood = NaN;
  let status = model.fit(theta, maxIterations, tolerance);
  status = model.bound(theta, status, crlb);
  const p = model.parameters();
  for (let a = 0; a < MULTI_Z_MAX_PARAMETERS; a++) {
    unchecked(out[MULTI_Z_OUT_THETA + a] = a < p ? unchecked(theta[a]) : NaN);
    unchecked(out[MULTI_Z_OUT_CRLB + a] = a < p ? unchecked(crlb[a]) : NaN);
  }
  unchecked(out[MULTI_Z_OUT_LOG_LIKELIHOOD] = model.logLikelihood);
  unchecked(out[MULTI_Z_OUT_ITERATIONS] = <f64>model.iterations);
  unchecked(out[MULTI_Z_OUT_RESIDUAL_STD] = model.residualStd());
  return status;
}

/**
 * DepthEmitterFits.startOwn in the kernel: z of emitter e (0 … MAX_EMITTERS − 1) of the
 * (e + 1)-emitter θ in `theta` (MultiEmitterModel.startOwn) on the window at `data` (`shift` 0 or
 * the camera's shift of each pixel), the best of `starts` depths spread over zLo … zHi (nm).
 */
export function multiDepthStart<E>(model: MultiEmitterModel<E>, theta: StaticArray<f64>, data: usize, shift: usize, e: i32, zLo: f64, zHi: f64, starts: i32): f64 {
  model.bind(data, shift);
  return model.startOwn(theta, e, zLo, zHi, starts);
}

/**
 * DepthEmitterFits.refresh in the kernel: μ of the K-emitter θ in `theta` over the window at
 * `data` (`shift` 0 or the camera's shift of each pixel) into the model's mu (values alone);
 * ℓ, or −∞ where θ is impossible.
 */
export function multiDepthValues<E>(model: MultiEmitterModel<E>, theta: StaticArray<f64>, data: usize, shift: usize, k: i32): f64 {
  model.k = k;
  model.bind(data, shift);
  return model.values(theta);
}

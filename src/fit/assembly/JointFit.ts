// ../WasmMultiEmitterFit.ts's side of the fit kernel: MultiEmitterFit.ts's calls one by one (fit,
// refresh, bound, residualStd) for a caller that drives the K-emitter fit itself (the residual
// passes' joint refits and likelihood-ratio tests, ../../pipeline/ResidualPass.ts). θ in
// multiTheta(), √CRLB in multiCrlb() (EmitterSelector.ts's addresses); ℓ and iterations of the
// last fit by jointLogLikelihood() and jointIterations().
import { MITER, MLL, multiBound, multiFit, multiPrepare, multiRefresh, multiResidualStd, multiWindow } from './MultiEmitterFit';

/** The joint fits' window width, px (≤ MAX_WINDOW). */
export function jointConfigure(window: i32): void {
  multiWindow(window);
}

/** MultiEmitterFit.fit: K emitters of σ (px) from θ = multiTheta() on the window at `data` (`shift` 0: none); returns the status. */
export function jointFit(data: usize, shift: usize, sigma: f64, k: i32, maxIterations: i32, tolerance: f64): i32 {
  multiPrepare(data, shift, sigma);
  return multiFit(data, k, maxIterations, tolerance);
}

/** MultiEmitterFit.refresh: the model of θ = multiTheta() (K emitters of σ px) evaluated again; returns ℓ(θ). */
export function jointRefresh(data: usize, shift: usize, sigma: f64, k: i32): f64 {
  multiPrepare(data, shift, sigma);
  return multiRefresh(data, k);
}

/** MultiEmitterFit.bound: √CRLB of θ (K emitters, σ of the last fit) into multiCrlb(); false when singular. */
export function jointBound(data: usize, shift: usize, sigma: f64, k: i32): bool {
  multiPrepare(data, shift, sigma);
  return multiBound(data, k);
}

/** MultiEmitterFit.residualStd: the standard deviation of n − μ over the window (μ of the θ last evaluated). */
export function jointResidualStd(data: usize): f64 {
  return multiResidualStd(data);
}

/** ℓ(θ̂) of the last jointFit. */
export function jointLogLikelihood(): f64 {
  return MLL;
}

/** Iterations of the last jointFit. */
export function jointIterations(): i32 {
  return MITER;
}

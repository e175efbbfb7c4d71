// The fit kernel's entry: the exports of ../fitKernel.wasm, compiled from this file and the files
// it imports by `npm run build:wasm` (AssemblyScript, -O3, stub runtime, SIMD; a test checks the
// committed binary is these sources compiled). An AssemblyScript port of the JavaScript fit, split
// like it (after Gpufit: models, one estimator, one solver), each file named after its original:
//
//   shared pieces   erf.ts (erfc pairs), poissonLogLikelihood.ts (log pairs, ℓ of a window),
//                   GaussianAxis.ts (a pixel-integrated Gaussian along one axis), cholesky.ts,
//                   residualSpread.ts, FisherScoring.ts (the damped Fisher-scoring loop),
//                   fisherFive.ts (∇ℓ and I of the five-parameter 3-D fits)
//   2-D model       fitPatch.ts (fitBatch) on FitWorkspace.ts (its state), initialGuess.ts,
//                   PatchLikelihood.ts and newtonSolve.ts: the specialised Newton path
//   multi-emitter   MultiEmitterModel.ts (K copies of a per-emitter model + one background, run by
//                   FisherScoring.ts); MultiEmitterFit.ts (its 2-D Gaussian instance) and
//                   EmitterSelector.ts (multiSelect); proposeLateral.ts (the shared step limits)
//   3-D             AstigmaticModel.ts (the curves, one emitter), AstigmaticFit.ts (zFit),
//                   MultiAstigmaticFit.ts (multiZFit: MultiEmitterModel of AstigmaticEmitter),
//                   SplineFit.ts (splineFit: a tricubic spline PSF, one emitter),
//                   MultiSplineFit.ts (multiSplineFit: MultiEmitterModel of SplineEmitter)
//
// The same arithmetic and the same constants (../fitConstants.ts, which both sides import, also
// for the output layouts) as the JavaScript, so the two agree to rounding (sums in another order,
// exp and log differ by an ulp; tests pin iterations, statuses and values). Loaded by
// ../WasmFitKernel.ts (which documents the memory layout), ../WasmEmitterSelector.ts,
// ../WasmAstigmaticFit.ts, ../WasmMultiAstigmaticFit.ts and ../WasmMultiSplineFit.ts, each its own instance: the state of
// a fit lives in module globals.
//
// Not part of the TypeScript program (own tsconfig: AssemblyScript's types f64, i32, unchecked…).
export { configure } from './FitWorkspace';
export { fitBatch } from './fitPatch';
export { multiConfigure, multiCrlb, multiOut, multiSelect, multiTheta } from './EmitterSelector';
export { jointBound, jointConfigure, jointFit, jointIterations, jointLogLikelihood, jointRefresh, jointResidualStd } from './JointFit';
export { zConfigure, zFit, zOut } from './AstigmaticFit';
export { multiZConfigure, multiZFit, multiZMu, multiZOut, multiZStart, multiZTheta, multiZValues } from './MultiAstigmaticFit';
export { splineConfigure, splineFit, splineOut } from './SplineFit';
export { multiSplineConfigure, multiSplineFit, multiSplineMu, multiSplineOut, multiSplineStart, multiSplineTheta, multiSplineValues } from './MultiSplineFit';

/** Reserve `bytes` of memory (bump allocation, 16-byte aligned); returns the address. */
export function reserve(bytes: usize): usize {
  return heap.alloc(bytes);
}

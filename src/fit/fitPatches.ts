import type { NdArray } from 'ndarray';
import type { FitOptions } from './FitOptions.js';
import { resolveFitOptions } from './FitOptions.js';
import type { FitResults, FitStartValues } from './FitResults.js';
import { createFitResults } from './FitResults.js';
import { fitPatch } from './fitPatch.js';
import { storeFit } from './storeFit.js';
import { FitWorkspace } from './FitWorkspace.js';
import type { WasmFitKernel } from './WasmFitKernel.js';

/** Optional inputs and outputs of {@link fitPatches}. */
export interface FitPatchesOptions {
  /** Warm starts, one element per patch (NaN x = none for that patch). */
  start?: FitStartValues;
  /** Outputs to write into (at least as many elements as patches); allocated when omitted. */
  out?: FitResults;
  /** Number of patches to fit. @default all patches in the input */
  count?: number;
  /**
   * The camera's shift s of each pixel (photons; read noise σ²/(F²·QE), docs/design.md §6), laid
   * out as the patches: the fit then maximizes the shifted-Poisson likelihood of n + s with mean
   * μ + s. @default none (Poisson)
   */
  shift?: Float64Array;
}

/**
 * Fit a batch of box×box patches stored contiguously: patch p occupies
 * `data[p·box² … (p+1)·box² − 1]`, row-major, in photons. Accepts the flat `Float64Array`, or an
 * `ndarray` of shape [n, box, box] (a contiguous row-major view is used directly, any other
 * layout is copied once).
 *
 * Pass a {@link FitWorkspace} to reuse its scratch across calls (the streaming pipeline does);
 * pass options to get a fresh one. Newton fits run in WebAssembly ({@link WasmFitKernel}) unless
 * the options say `engine: 'js'`; the results agree to rounding.
 *
 * @param patches - photon counts
 * @param fit - a workspace, or fit options (box, sigmaPx, …) to make one
 * @param options - warm starts, caller-owned outputs, count
 * @returns the outputs (struct of arrays, element p for patch p)
 */
export function fitPatches(
  patches: Float64Array | NdArray<Float64Array>,
  fit: FitWorkspace | FitOptions,
  options: FitPatchesOptions = {},
): FitResults {
  const workspace = fit instanceof FitWorkspace ? fit : new FitWorkspace(resolveFitOptions(fit));
  const box = workspace.options.box;
  const area = box * box;
  const data = patches instanceof Float64Array ? patches : contiguousPatches(patches, box);
  const available = Math.floor(data.length / area);
  const count = options.count ?? available;
  if (count > available) throw new RangeError(`fitPatches: ${count} patches asked for, the data holds ${available} of ${box}×${box}`);
  const out = options.out ?? createFitResults(count);
  if (out.count < count) throw new RangeError(`fitPatches: outputs hold ${out.count} fits, ${count} needed`);
  const start = options.start;
  if (options.shift && options.shift.length < count * area) throw new RangeError(`fitPatches: ${options.shift.length} shifts for ${count} patches of ${box}×${box}`);
  if (workspace.kernel) {
    workspace.kernel.fit(data, count, start, out, options.shift);
    return out;
  }
  workspace.likelihood.shift = options.shift;
  for (let p = 0; p < count; p++) {
    out.warmStart[p] = fitPatch(workspace, data, p * area, start, p) ? 1 : 0;
    storeFit(workspace, out, p);
  }
  return out;
}

/** The data of an [n, box, box] ndarray as one contiguous row-major Float64Array. */
function contiguousPatches(array: NdArray<Float64Array>, box: number): Float64Array {
  const [n, rows, columns] = array.shape;
  if (array.shape.length !== 3 || rows !== box || columns !== box) {
    throw new RangeError(`fitPatches: expected an ndarray of shape [n, ${box}, ${box}], got [${array.shape.join(', ')}]`);
  }
  const [s0, s1, s2] = array.stride;
  if (s2 === 1 && s1 === box && s0 === box * box) {
    return array.data.subarray(array.offset, array.offset + n * box * box);
  }
  const copy = new Float64Array(n * box * box);
  let k = 0;
  for (let p = 0; p < n; p++) {
    for (let r = 0; r < box; r++) {
      for (let c = 0; c < box; c++) copy[k++] = array.data[array.offset + p * s0 + r * s1 + c * s2];
    }
  }
  return copy;
}

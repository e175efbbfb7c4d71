import type { SplinePsf } from './spline/SplinePsf.js';
import type { DepthKernelMemory } from './WasmDepthFit.js';

/**
 * Copy a spline's coefficients into a fit kernel instance's memory, in their own precision: a
 * Float32Array (a spline read from a file) as f32, 4 bytes a coefficient, which the kernel
 * promotes to f64 exactly where it reads them (the same values, half the memory each fit reads);
 * a Float64Array as f64. The kernel's configure then reorders them in place for its SIMD pass.
 * @param kernel - the instance (its allocator and memory)
 * @param spline - the PSF
 * @returns the coefficients' address and 1 where they are f32 (0: f64), as splineConfigure and multiSplineConfigure take them
 */
export function copySplineCoefficients(kernel: DepthKernelMemory, spline: SplinePsf): { at: number; f32: number } {
  const c = spline.coefficients;
  if (c instanceof Float32Array) {
    const at = kernel.reserve(c.length * 4);
    new Float32Array(kernel.memory.buffer, at, c.length).set(c);
    return { at, f32: 1 };
  }
  const at = kernel.reserve(c.length * 8);
  new Float64Array(kernel.memory.buffer, at, c.length).set(c);
  return { at, f32: 0 };
}

/**
 * Facts shared by the detection kernel (assembly/waveletKernel.ts, AssemblyScript) and its
 * JavaScript side (WasmWaveletKernel.ts, WaveletFilter.ts): plain numeric constants, so that
 * both compilers read the same file. Nothing else belongs here.
 *
 * AssemblyScript types a literal without a decimal point as an integer, and `1 / 96` of two
 * integers is 0 there: fractions are written with float literals (`1.0 / 96.0`).
 */

/** Mirrored margin of the padded image, px: the reach of the filter's two levels, 3 + 6. */
export const PAD = 9;

/**
 * Spare f32 values kept after every buffer: the kernel's loops read and write whole groups of
 * four values and may run up to three past a row's last column or a buffer's end.
 */
export const SLACK = 64;

/** Buffers start on this boundary, bytes. */
export const ALIGN = 64;

/** Taps of k1, the cubic B-spline β₃(x/2)/2 at x = −3…3: [1, 8, 23, 32, 23, 8, 1] / 96 (centre last). */
export const K1_OUTER = 1.0 / 96.0;
export const K1_FAR = 8.0 / 96.0;
export const K1_NEAR = 23.0 / 96.0;
export const K1_CENTRE = 32.0 / 96.0;

/**
 * Facts shared by the detection kernel (assembly/waveletKernel.ts, AssemblyScript) and its
 * JavaScript side (WasmWaveletKernel.ts, WaveletFilter.ts): plain numeric constants, so that
 * both compilers read the same file. Nothing else belongs here.
 *
 * AssemblyScript types a literal without a decimal point as an integer, and `1 / 96` of two
 * integers is 0 there: fractions are written with float literals (`1.0 / 96.0`).
 */

/** Margin of the padded image for the 7-tap filter, px: the reach of its two levels, 3 + 6. */
export const PAD7 = 9;

/** Margin of the padded image for ThunderSTORM's 5-tap filter, px: 2 + 4. */
export const PAD5 = 6;

/** ThunderSTORM pads the image by this many px of duplicated edge values, then with zeros. */
export const DUPLICATE_PAD = 4;

/**
 * Spare f32 values kept after every buffer: the kernel's loops read and write whole groups of
 * four to sixteen values and may run up to fifteen past a row's last column or a buffer's end.
 */
export const SLACK = 64;

/** Buffers start on this boundary, bytes. */
export const ALIGN = 64;

/** ThunderSTORM's k1, the B-spline of order 3 at scale 2 in 5 samples: [1, 4, 6, 4, 1] / 16. */
export const K5_OUTER = 1.0 / 16.0;
export const K5_NEAR = 4.0 / 16.0;
export const K5_CENTRE = 6.0 / 16.0;

/** Taps of the 7-tap k1, the cubic B-spline β₃(x/2)/2 at x = −3…3: [1, 8, 23, 32, 23, 8, 1] / 96 (centre last). */
export const K1_OUTER = 1.0 / 96.0;
export const K1_FAR = 8.0 / 96.0;
export const K1_NEAR = 23.0 / 96.0;
export const K1_CENTRE = 32.0 / 96.0;

/**
 * The same kernels factored, as the detection kernel's column passes apply them: the 5-tap k1 is
 * (1 + z)⁴ · K5_SCALE, the 7-tap one (1 + z)⁴ · (1 + K7_MIDDLE·z + z²) · K7_SCALE
 * ([1, 8, 23, 32, 23, 8, 1] = [1, 4, 6, 4, 1] * [1, 4, 1]; FilterKernel.test.ts checks both).
 */
export const K5_SCALE = 1.0 / 16.0;
export const K7_MIDDLE = 4.0;
export const K7_SCALE = 1.0 / 96.0;

/**
 * Output rows of F2 per band of the WebAssembly filter: the passes run band after band, so a
 * band's rows of the image, V1, F2 and the band-sized scratch stay in cache between passes, and
 * a 2048-px-wide frame costs per pixel what a 256-px one does. SpotDetector's bands are whole
 * tile rows of about this many px (detectionBands.ts), and its kernel holds a band's rows, not
 * the frame's (the memory no longer grows with the frame's height). Measured on 2048² and 256²
 * frames (CPU ms a 256²-equivalent, detection with the camera's noise, load ~11): bands of 32,
 * 64, 128, 256 rows gave 0.244, 0.234, 0.230, 0.239 (2048²) and 0.240, 0.211, 0.203, 0.203
 * (256²): 64 is within 4 % of the best at both sizes with half the buffers of 128.
 */
export const FILTER_BAND_ROWS = 64;

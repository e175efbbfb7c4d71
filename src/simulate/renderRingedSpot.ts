/** Sub-pixel samples per pixel and axis (the ring is a pixel or two thick: 5 × 5 keeps its sum within 0.1 %). */
const SAMPLES = 5;

/**
 * Add an aberrated astigmatic spot to a row-major image window: a fraction `1 − ringFraction` of
 * the photons in the elliptical Gaussian core (σx, σy), the rest in a ring around it (the halo
 * of a defocused PSF with spherical aberration), an elliptical annulus at `ringRadius` core
 * widths, `ringWidth` widths thick:
 *
 *     I(u, v) ∝ (1 − f)·G(u, v)/(2πσxσy) + f·exp(−(ρ − R)²/2w²)/Z,   ρ = √((u/σx)² + (v/σy)²)
 *
 * Not the fit's model, on purpose: test beads for a calibration that must notice it. Each pixel
 * is the mean of 5 × 5 samples; the window's sum is scaled to `photons` (the window must hold
 * the ring: 2·(R + 3w)·σ fits inside it).
 * @param image - row-major image (photons), modified in place
 * @param width - image width, px (row stride)
 * @param column0 - first column of the window, px
 * @param row0 - first row of the window, px
 * @param size - the window's width and height, px
 * @param x - spot centre along columns, px relative to `column0`
 * @param y - spot centre along rows, px relative to `row0`
 * @param photons - N, photons in the window
 * @param sigmaX - core width along x, px
 * @param sigmaY - core width along y, px
 * @param ringFraction - f, the photons' share in the ring (0–1)
 * @param scratch - caller-owned, at least 2·size² values (nothing is allocated per spot)
 * @param ringRadius - R, in core widths @default 2.5
 * @param ringWidth - w, in core widths @default 0.4
 */
export function renderRingedSpot(
  image: Float64Array,
  width: number,
  column0: number,
  row0: number,
  size: number,
  x: number,
  y: number,
  photons: number,
  sigmaX: number,
  sigmaY: number,
  ringFraction: number,
  scratch: Float64Array,
  ringRadius = 2.5,
  ringWidth = 0.4,
): void {
  const area = size * size;
  let coreSum = 0;
  let ringSum = 0;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let c = 0;
      let r = 0;
      for (let sj = 0; sj < SAMPLES; sj++) {
        const v = (j + (sj + 0.5) / SAMPLES - y) / sigmaY;
        for (let si = 0; si < SAMPLES; si++) {
          const u = (i + (si + 0.5) / SAMPLES - x) / sigmaX;
          const rho = Math.sqrt(u * u + v * v);
          c += Math.exp(-0.5 * rho * rho);
          r += Math.exp(-0.5 * ((rho - ringRadius) / ringWidth) ** 2);
        }
      }
      scratch[j * size + i] = c;
      scratch[area + j * size + i] = r;
      coreSum += c;
      ringSum += r;
    }
  }
  const a = coreSum > 0 ? (photons * (1 - ringFraction)) / coreSum : 0;
  const b = ringSum > 0 ? (photons * ringFraction) / ringSum : 0;
  for (let j = 0; j < size; j++) {
    const base = (row0 + j) * width + column0;
    for (let i = 0; i < size; i++) image[base + i] += a * scratch[j * size + i] + b * scratch[area + j * size + i];
  }
}

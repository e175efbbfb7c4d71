import type { GaussianAxis } from '../fit/GaussianAxis.js';

/**
 * Add the expected photon counts of one pixel-integrated Gaussian spot (design.md §3,
 * μ = N·Ex_i·Ey_j, no background) to a row-major image window, exactly as the fit models it.
 *
 * @param image - row-major image (photons), modified in place
 * @param width - image width in px (row stride)
 * @param column0 - first column of the window, px
 * @param row0 - first row of the window, px
 * @param xAxis - scratch axis with the window's width (`box`)
 * @param yAxis - scratch axis with the window's height
 * @param x - spot centre along columns, px relative to `column0`
 * @param y - spot centre along rows, px relative to `row0`
 * @param photons - N, photons
 * @param sigma - σ, px (along x when `sigmaY` is given)
 * @param sigmaY - σ along y, px (an astigmatic spot) @default sigma
 */
export function renderSpot(
  image: Float64Array,
  width: number,
  column0: number,
  row0: number,
  xAxis: GaussianAxis,
  yAxis: GaussianAxis,
  x: number,
  y: number,
  photons: number,
  sigma: number,
  sigmaY: number = sigma,
): void {
  xAxis.evaluate(x, sigma, false);
  yAxis.evaluate(y, sigmaY, false);
  const ex = xAxis.value;
  const ey = yAxis.value;
  for (let j = 0; j < yAxis.box; j++) {
    const base = (row0 + j) * width + column0;
    const ny = photons * ey[j];
    for (let i = 0; i < xAxis.box; i++) image[base + i] += ny * ex[i];
  }
}

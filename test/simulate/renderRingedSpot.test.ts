import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { renderRingedSpot } from '../../src/simulate/renderRingedSpot.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';

const SIZE = 24;
const scratch = new Float64Array(2 * SIZE * SIZE);

test('a ringed spot: its photons in the window, without a ring the pixel-integrated Gaussian, with one a share at the ring radius', () => {
  const plain = new Float64Array(SIZE * SIZE);
  const exact = new Float64Array(SIZE * SIZE);
  renderRingedSpot(plain, SIZE, 0, 0, SIZE, 12.3, 11.8, 10000, 1.3, 2.1, 0, scratch);
  renderSpot(exact, SIZE, 0, 0, new GaussianAxis(SIZE), new GaussianAxis(SIZE), 12.3, 11.8, 10000, 1.3, 2.1);
  const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
  // The window's sum is scaled to the photons exactly (rounding only).
  assert.ok(Math.abs(sum(plain) - 10000) < 1e-6, String(sum(plain)));
  // 5 × 5 samples per pixel against the exact integral: the midpoint rule's error is ~(1/5)²/24
  // of the curvature, under 0.5 % of the peak pixel for σ ≥ 1.3 px.
  const peak = Math.max(...exact);
  for (let i = 0; i < exact.length; i++) assert.ok(Math.abs(plain[i] - exact[i]) < 0.005 * peak, `pixel ${i}: ${plain[i]} vs ${exact[i]}`);
  // A 30 % ring, 2.5 widths out along x (3.25 px from the centre): the pixel there gains, the centre loses 30 %.
  const ringed = new Float64Array(SIZE * SIZE);
  renderRingedSpot(ringed, SIZE, 0, 0, SIZE, 12.5, 12.5, 10000, 1.3, 1.3, 0.3, scratch);
  const round = new Float64Array(SIZE * SIZE);
  renderRingedSpot(round, SIZE, 0, 0, SIZE, 12.5, 12.5, 10000, 1.3, 1.3, 0, scratch);
  assert.ok(Math.abs(sum(ringed) - 10000) < 1e-6);
  const centre = 12 * SIZE + 12;
  assert.ok(Math.abs(ringed[centre] / round[centre] - 0.7) < 0.01, `centre ${ringed[centre] / round[centre]}`);
  // The ring's photons (ringed − 0.7 × the core) sit at a mean radius R + w²/R = 2.564 widths =
  // 3.33 px (a Gaussian in ρ on the plane's ρ dρ); pixelation moves it by < 0.05 px.
  let mass = 0;
  let radius = 0;
  for (let j = 0; j < SIZE; j++) {
    for (let i = 0; i < SIZE; i++) {
      const excess = ringed[j * SIZE + i] - 0.7 * round[j * SIZE + i];
      mass += excess;
      radius += excess * Math.hypot(i + 0.5 - 12.5, j + 0.5 - 12.5);
    }
  }
  assert.ok(Math.abs(mass - 3000) < 1e-6, String(mass));
  assert.ok(Math.abs(radius / mass - 3.33) < 0.1, `mean ring radius ${radius / mass} px`);
});

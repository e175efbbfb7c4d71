import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitEllipticalSpot } from '../../src/astig/fitEllipticalSpot.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';

const BOX = 15;

test('a bead\'s widths by Poisson MLE: unbiased from 1 to 4 px, converged, scattered as the noise allows', () => {
  const rng = new Random(7);
  const ax = new GaussianAxis(BOX);
  const ay = new GaussianAxis(BOX);
  const mean = new Float64Array(BOX * BOX);
  const data = new Float64Array(BOX * BOX);
  for (const [sx, sy] of [[1.0, 3.0], [1.3, 1.3], [2.2, 1.5], [4.0, 1.1]]) {
    let ex = 0;
    let ey = 0;
    let failed = 0;
    const n = 100;
    for (let k = 0; k < n; k++) {
      mean.fill(50);
      const x = 7 + rng.uniform();
      const y = 7 + rng.uniform();
      renderSpot(mean, BOX, 0, 0, ax, ay, x, y, 20000, sx, sy);
      for (let i = 0; i < data.length; i++) data[i] = rng.poisson(mean[i]);
      const f = fitEllipticalSpot(data, BOX, { sigmaPx: 1.5 });
      if (!f.ok) {
        failed++;
        continue;
      }
      ex += f.sigmaX - sx;
      ey += f.sigmaY - sy;
    }
    assert.equal(failed, 0, `σ ${sx}, ${sy}`);
    // 20 000 photons on 50/px: a width's scatter is ~1 % of σ (2.5 nm of 130 at 100 nm pixels),
    // so a mean over 100 has ~0.1 %; a bias of 0.5 % of σ would show.
    assert.ok(Math.abs(ex / n) < 0.005 * sx && Math.abs(ey / n) < 0.005 * sy, `σ ${sx}, ${sy}: bias ${(ex / n).toFixed(4)}, ${(ey / n).toFixed(4)} px`);
  }
  // A window of background alone is no bead: not ok.
  for (let i = 0; i < data.length; i++) data[i] = rng.poisson(50);
  assert.equal(fitEllipticalSpot(data, BOX, { sigmaPx: 1.5 }).ok, false);
});

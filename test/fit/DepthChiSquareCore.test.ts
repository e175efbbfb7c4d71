import assert from 'node:assert/strict';
import { test } from 'node:test';
import { astigmaticWindow } from './astigmaticWindow.js';
import { DepthEmitterFits } from '../../src/fit/DepthEmitterFits.js';
import { chiSquareThreshold, MULTI_EMITTER_DEFAULTS } from '../../src/fit/EmitterSelector.js';
import { CHI_SQUARE_CORE_PX } from '../../src/fit/fitConstants.js';
import { AstigmaticModel } from '../../src/fit/models/AstigmaticModel.js';
import type { AstigmatismCurves } from '../../src/fit/models/AstigmaticModel.js';
import { Random } from '../../src/simulate/Random.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';

const PIXEL_NM = 100;
/** The 3-D runs' patch (15 px: depthE2e's stacks). */
const BOX = 15;
const CURVES: AstigmatismCurves = { ...DEFAULT_ASTIGMATISM, zRangeNm: [-600, 600], pixelSizeNm: PIXEL_NM };
/** The candidate's pixel in a patch centred on it. */
const MID = (BOX - 1) >> 1;
const PHOTONS = 3000;
const BACKGROUND = 20;
/** Draws per case: enough that a 10 % false-flag share is told from 50 % (fixed seed). */
const DRAWS = 40;

/** A BOX² patch of astigmatic Gaussian spots (x, y px in the patch, z nm) with Poisson noise. */
function patch(rng: Random, spots: readonly { x: number; y: number; z: number }[]): Float64Array {
  return astigmaticWindow(rng, BOX, spots, PHOTONS, BACKGROUND, PIXEL_NM);
}

test(`the 3-D ambiguity χ² (core of ${2 * CHI_SQUARE_CORE_PX + 1}² px) passes a spot whose neighbour lies at the patch's edge and flags a pair 2 px apart`, () => {
  const fits = new DepthEmitterFits<AstigmaticModel>(BOX + 4, BOX, (w) => new AstigmaticModel(w, CURVES), 2, () => undefined);
  const dof = fits.chiSquareFreedom;
  assert.equal(dof, Math.min(BOX, 2 * CHI_SQUARE_CORE_PX + 1) ** 2 - 5);
  const threshold = chiSquareThreshold(MULTI_EMITTER_DEFAULTS.ambiguityPValue, dof);
  const wholeThreshold = chiSquareThreshold(MULTI_EMITTER_DEFAULTS.ambiguityPValue, BOX * BOX - 5);
  const centre = { x: BOX / 2, y: BOX / 2, z: 100 };
  // θ of the centre spot (the single fit's target): the statistic is tested, not the fit.
  const theta = Float64Array.of(centre.x, centre.y, PHOTONS, BACKGROUND, centre.z);
  const model = new AstigmaticModel(BOX, CURVES);
  const mu = new Float64Array(BOX * BOX);
  assert.ok(model.evaluate(theta, mu, false));
  const rng = new Random(17);
  let edgeFlagged = 0;
  let edgeWholeFlagged = 0;
  let pairFlagged = 0;
  for (let d = 0; d < DRAWS; d++) {
    const edge = patch(rng, [centre, { x: BOX, y: BOX / 2 + 1, z: -200 }]);
    if (fits.chiSquare(edge, 0, theta, undefined, MID, MID) > threshold) edgeFlagged++;
    let whole = 0;
    for (let i = 0; i < mu.length; i++) whole += (edge[i] - mu[i]) ** 2 / mu[i];
    if (whole > wholeThreshold) edgeWholeFlagged++;
    const pair = patch(rng, [centre, { x: centre.x + 2, y: centre.y, z: -200 }]);
    if (fits.chiSquare(pair, 0, theta, undefined, MID, MID) > threshold) pairFlagged++;
  }
  // The whole patch's χ² flags the spot for its neighbour's light (the test's reason to exist).
  assert.equal(edgeWholeFlagged, DRAWS);
  // p = 1e-3 at the true θ: a flag or two in 40 would already be unlikely; allow 10 %.
  assert.ok(edgeFlagged <= DRAWS / 10, `edge neighbour flagged ${edgeFlagged} of ${DRAWS}`);
  assert.equal(pairFlagged, DRAWS);
});

test('the 3-D ambiguity χ² follows a candidate near the patch\'s edge (a patch shifted inwards at a frame\'s edge)', () => {
  const fits = new DepthEmitterFits<AstigmaticModel>(BOX + 4, BOX, (w) => new AstigmaticModel(w, CURVES), 2, () => undefined);
  const h = CHI_SQUARE_CORE_PX;
  // A spot on column 1 of the patch (its candidate's pixel), fitted there; a second emitter
  // 2 px to its right makes the pair the core must see. The core is columns 0…2h, not the
  // centred columns MID − h … MID + h, which hold little of the spot.
  const spot = { x: 1.5, y: BOX / 2, z: 100 };
  const theta = Float64Array.of(spot.x, spot.y, PHOTONS, BACKGROUND, spot.z);
  const model = new AstigmaticModel(BOX, CURVES);
  const mu = new Float64Array(BOX * BOX);
  assert.ok(model.evaluate(theta, mu, false));
  const pair = patch(new Random(5), [spot, { x: spot.x + 2, y: spot.y, z: -200 }]);
  let byHand = 0;
  for (let r = MID - h; r <= MID + h; r++) for (let c = 0; c <= 2 * h; c++) byHand += (pair[r * BOX + c] - mu[r * BOX + c]) ** 2 / mu[r * BOX + c];
  const chi = fits.chiSquare(pair, 0, theta, undefined, 1, MID);
  // The same sum in another order: equal to rounding (1e-9 relative).
  assert.ok(Math.abs(chi - byHand) <= 1e-9 * byHand, `χ² ${chi} against ${byHand} summed by hand`);
  const threshold = chiSquareThreshold(MULTI_EMITTER_DEFAULTS.ambiguityPValue, fits.chiSquareFreedom);
  assert.ok(chi > threshold, `a pair at the edge flagged: χ² ${chi} > ${threshold}`);
});

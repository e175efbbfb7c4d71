import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import type { MultiEmitterOptions } from '../../src/fit/EmitterSelector.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';

const W = 128;
const SIGMA_PX = 1.3;

/**
 * Groups of spots (offsets from a grid point, px) on a 20 px grid, N = 2000, b = 20, σ = 1.3 px,
 * Poisson noise plus 1.5 ADU read noise, random orientation per group; the fraction of the true
 * spots found (each localization matched to the nearest unmatched true spot within `radiusNm`),
 * the localizations that match none (per frame) and the RMSE of the matches, nm.
 */
function groups(offsets: readonly [number, number][], multiEmitter: MultiEmitterOptions, frames: number, seed: number, radiusNm = 50, residualRegion: 'seeds' | 'frame' = 'seeds') {
  const rng = new Random(seed);
  const ax = new GaussianAxis(11);
  const ay = new GaussianAxis(11);
  const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, multiEmitter }), { residualRegion });
  let truth = 0;
  let matched = 0;
  let extra = 0;
  let se = 0;
  const rows: number[][] = [];
  for (let f = 0; f < frames; f++) {
    const image = new Float64Array(W * W).fill(20);
    const spots: [number, number][] = [];
    for (let gy = 10; gy < W - 10; gy += 20) {
      for (let gx = 10; gx < W - 10; gx += 20) {
        const a = rng.uniform() * Math.PI;
        const [c, s] = [Math.cos(a), Math.sin(a)];
        const [cx, cy] = [gx + rng.uniform(), gy + rng.uniform()];
        for (const [dx, dy] of offsets) spots.push([cx + c * dx - s * dy, cy + s * dx + c * dy]);
      }
    }
    for (const [x, y] of spots) renderSpot(image, W, Math.round(x) - 5, Math.round(y) - 5, ax, ay, x - Math.round(x) + 5, y - Math.round(y) + 5, 2000, SIGMA_PX);
    const adu = new Uint16Array(W * W);
    for (let i = 0; i < adu.length; i++) adu[i] = Math.round(100 + rng.poisson(image[i]) + 1.5 * rng.normal());
    const b = localizer.process({ index: f, width: W, height: W, data: adu });
    rows.push(Array.from(b.x).concat(Array.from(b.y)));
    truth += spots.length;
    const used = new Set<number>();
    for (let i = 0; i < b.count; i++) {
      if (b.status[i] !== 0) continue;
      let best = -1;
      let bestD = radiusNm;
      spots.forEach(([x, y], k) => {
        const d = Math.hypot(b.x[i] - 100 * x, b.y[i] - 100 * y);
        if (d < bestD && !used.has(k)) [bestD, best] = [d, k];
      });
      if (best < 0) {
        extra++;
        continue;
      }
      used.add(best);
      matched++;
      se += bestD * bestD;
    }
  }
  return { found: matched / truth, extraPerFrame: extra / frames, rmseNm: Math.sqrt(se / Math.max(1, matched)), rows };
}

/**
 * Pairs of a bright spot (4000 photons) and a faint one (700) 2.2 px from it, one every 16 px
 * (so pairs sit across the detector's 16 px tiles and on the frame's edges), 4 frames, seed 12:
 * the share of faint spots matched (within 100 nm) and every frame's rows.
 */
function hiddenPairs(passes: number, residualRegion: 'seeds' | 'frame', residualFrom: 'unexplained' | 'tried' = 'unexplained') {
  const rng = new Random(12);
  const ax = new GaussianAxis(11);
  const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.5 }, multiEmitter: { passes } }), { residualRegion, residualFrom });
  let faint = 0;
  let pairs = 0;
  const rows: number[][] = [];
  for (let f = 0; f < 4; f++) {
    const image = new Float64Array(W * W).fill(20);
    const faintAt: [number, number][] = [];
    for (let gy = 1; gy < W; gy += 16) {
      for (let gx = 1; gx < W; gx += 16) {
        const a = rng.uniform() * 2 * Math.PI;
        const [x, y] = [gx + 4 * rng.uniform(), gy + 4 * rng.uniform()];
        const [fx, fy] = [x + 2.2 * Math.cos(a), y + 2.2 * Math.sin(a)];
        renderSpot(image, W, Math.round(x) - 5, Math.round(y) - 5, ax, ax, x - Math.round(x) + 5, y - Math.round(y) + 5, 4000, SIGMA_PX);
        renderSpot(image, W, Math.round(fx) - 5, Math.round(fy) - 5, ax, ax, fx - Math.round(fx) + 5, fy - Math.round(fy) + 5, 700, SIGMA_PX);
        faintAt.push([fx, fy]);
      }
    }
    const adu = new Uint16Array(W * W);
    for (let i = 0; i < adu.length; i++) adu[i] = Math.max(0, Math.round(100 + rng.poisson(image[i]) + 1.5 * rng.normal()));
    const b = localizer.process({ index: f, width: W, height: W, data: adu });
    rows.push(Array.from(b.x).concat(Array.from(b.y), Array.from(b.intensity)));
    for (const [fx, fy] of faintAt) {
      pairs++;
      for (let i = 0; i < b.count; i++) {
        if (b.status[i] === 0 && Math.hypot(b.x[i] - 100 * fx, b.y[i] - 100 * fy) < 100) {
          faint++;
          break;
        }
      }
    }
  }
  return { faint: faint / pairs, rows };
}

describe('find–fit–subtract passes (multiEmitter.passes)', () => {
  // Matches within 100 nm (0.77 σ): a fit between the two spots of a pair (125 nm from each at
  // 2.5 px) must not count as either.
  test('a pair 1.8 px apart (closer than the detector\'s 2 px min distance), single fits: one pass finds one of each, two passes ≥ 85 %', () => {
    const pair: [number, number][] = [[-0.9, 0], [0.9, 0]];
    const one = groups(pair, { enabled: false }, 8, 5, 100);
    const two = groups(pair, { enabled: false, passes: 2 }, 8, 5, 100);
    assert.ok(one.found <= 0.55, `one pass found ${one.found}`);
    assert.ok(two.found >= 0.85, `two passes found ${two.found}`);
  });

  test('a pair 2.5 px apart, single fits: one pass finds neither (the fit sits between), two passes ≥ 97 %', () => {
    const pair: [number, number][] = [[-1.25, 0], [1.25, 0]];
    const one = groups(pair, { enabled: false }, 6, 5, 100);
    const two = groups(pair, { enabled: false, passes: 2 }, 6, 5, 100);
    assert.ok(one.found <= 0.1, `one pass found ${one.found}`);
    assert.ok(two.found >= 0.97, `two passes found ${two.found}`);
    // The single fit between the two (first pass) is explained by its refitted neighbours and
    // dropped: 36 pairs a frame, each left one such row before the likelihood-ratio test.
    assert.ok(two.extraPerFrame <= 0.5, `two passes: ${two.extraPerFrame} unmatched a frame`);
  });

  // Measured (seed 8, 6 frames, 36 pairs a frame): 1.5 px, one pass 95.4 % found, 0 unmatched,
  // 26.2 nm; three passes 98.1 %, 1.17 unmatched a frame, 27.6 nm. 2 and 3 px: 100 %, 0, the
  // same rows. Tolerances: 1.5 px may add up to 2 unmatched a frame (3 % of its 72 spots, an
  // emitter split where the pair's light is one blob); wider pairs none.
  test('pairs 1.5 / 2 / 3 px apart, multi-emitter on: three passes find at least as many as one, RMSE ≤ 1.1 × one pass, few unmatched', () => {
    for (const [d, extra] of [[1.5, 2], [2, 0], [3, 0]] as const) {
      const pair: [number, number][] = [[-d / 2, 0], [d / 2, 0]];
      const one = groups(pair, {}, 6, 8, 100);
      const three = groups(pair, { passes: 3 }, 6, 8, 100);
      assert.ok(three.found >= one.found, `${d} px: found ${three.found} (one pass ${one.found})`);
      assert.ok(three.extraPerFrame <= extra, `${d} px: ${three.extraPerFrame} unmatched a frame (one pass ${one.extraPerFrame})`);
      assert.ok(three.rmseNm <= 1.1 * one.rmseNm, `${d} px: RMSE ${three.rmseNm} vs ${one.rmseNm} nm`);
    }
  });

  test('a cluster of 3 (1.5 px from its centre), multi-emitter on: two passes find as many as one (≥ 97 %), as precisely (RMSE within 10 %)', () => {
    const tri: [number, number][] = [[0, -1.5], [1.3, 0.75], [-1.3, 0.75]];
    const one = groups(tri, {}, 6, 6, 100);
    const two = groups(tri, { passes: 2 }, 6, 6, 100);
    assert.ok(one.found >= 0.97 && two.found >= 0.97, `found ${one.found}, ${two.found}`);
    assert.ok(two.rmseNm <= 1.1 * one.rmseNm, `RMSE ${two.rmseNm} vs ${one.rmseNm} nm`);
    assert.ok(two.extraPerFrame <= one.extraPerFrame + 1, `unmatched ${two.extraPerFrame} vs ${one.extraPerFrame} a frame`);
  });

  test('isolated spots: two and three passes give the very same rows as one (nothing significant left)', () => {
    const single: [number, number][] = [[0, 0]];
    const one = groups(single, {}, 6, 7);
    assert.ok(one.found >= 0.99, `found ${one.found}`);
    assert.deepEqual(groups(single, { passes: 2 }, 6, 7).rows, one.rows);
    assert.deepEqual(groups(single, { passes: 3 }, 6, 7).rows, one.rows);
    // Multi-emitter fitting off: the passes run on every frame, and find nothing to add.
    assert.deepEqual(groups(single, { enabled: false, passes: 3 }, 6, 7).rows, groups(single, { enabled: false }, 6, 7).rows);
  });

  // A bright spot (4000 photons) with a faint neighbour (700) 2.2 px away on its flank: often no
  // maximum of its own in the frame's F2, so the first pass fits the pair as one (the crowding
  // test tries it) and the neighbour shows only in the residual. The local passes (detection in
  // the tiles around the seeds) must find the neighbours the whole-frame passes find; seeded by
  // every window tried (not only those their model does not explain), the very rows.
  test('a spot with a hidden neighbour: local passes find the neighbours the whole-frame passes find, within a row a frame', () => {
    const one = hiddenPairs(1, 'seeds');
    const local = hiddenPairs(3, 'seeds');
    const tried = hiddenPairs(3, 'seeds', 'tried');
    const whole = hiddenPairs(3, 'frame');
    // Measured (256 pairs): one pass 75.8 %; three 85.2 % (seeds: the windows their model does
    // not explain, and the rows with a neighbour), 85.2 % (seeds: every window tried), 85.5 %
    // (whole frame). At least 5 points more than one pass, and within 2 of 256 of the
    // whole-frame passes.
    assert.ok(local.faint >= one.faint + 0.05, `faint neighbours found: three passes ${local.faint}, one ${one.faint}`);
    assert.ok(local.faint >= whole.faint - 2 / 256, `faint neighbours found: local ${local.faint}, whole frame ${whole.faint}`);
    assert.ok(tried.faint >= whole.faint - 2 / 256, `faint neighbours found: local (every window tried) ${tried.faint}, whole frame ${whole.faint}`);
    // Seeded by every window tried, the local passes do not look around pairs the crowding test
    // passed: measured, one faint neighbour of 256 that the whole-frame passes find they miss
    // (that row, and its neighbour's refit, differ in one frame; two frames' rows are identical
    // to the last digit).
    const rowsOf = (r: number[]) => r.length / 3;
    const missing = tried.rows.reduce((sum, r, f) => sum + Math.abs(rowsOf(r) - rowsOf(whole.rows[f])), 0);
    assert.ok(missing <= 2, `${missing} rows more or fewer than the whole-frame passes in 4 frames`);
    // The shipped default (seeds: the unexplained windows and the rows with a neighbour): its
    // row count within 2 of the whole-frame passes' in 4 frames (measured 1: 128, 128, 121, 126
    // rows against 128, 128, 122, 126).
    const offDefault = local.rows.reduce((sum, r, f) => sum + Math.abs(rowsOf(r) - rowsOf(whole.rows[f])), 0);
    assert.ok(offDefault <= 2, `default seeds: ${offDefault} rows more or fewer than the whole-frame passes in 4 frames`);
    assert.ok(tried.rows.some((r, f) => JSON.stringify(r) === JSON.stringify(whole.rows[f])), 'a frame with the very rows of the whole-frame passes');
  });

  // The gate (FrameLocalizer): the passes run only in a frame with a tried window its chosen
  // model does not explain. A frame of pairs 3 px apart (each fitted as two) has tried windows
  // and none unexplained: it skips the passes (FrameLocalizer.residualPassesRan), while the old gate (every tried
  // window, residualFrom 'tried') runs them; a bright spot with a hidden faint neighbour opens
  // them.
  test('the residual passes skip a frame whose tried windows are all explained, and run where one is not', () => {
    const camera = { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.5 };
    const S = 64;
    const ax = new GaussianAxis(11);
    const frameOf = (spots: readonly [number, number, number][], seed: number) => {
      const rng = new Random(seed);
      const image = new Float64Array(S * S).fill(20);
      for (const [x, y, n] of spots) renderSpot(image, S, Math.round(x) - 5, Math.round(y) - 5, ax, ax, x - Math.round(x) + 5, y - Math.round(y) + 5, n, SIGMA_PX);
      const adu = new Uint16Array(S * S);
      for (let i = 0; i < adu.length; i++) adu[i] = Math.max(0, Math.round(100 + rng.poisson(image[i]) + 1.5 * rng.normal()));
      return adu;
    };
    const run = (spots: readonly [number, number, number][], seed: number, residualFrom: 'unexplained' | 'tried') => {
      const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera }), { residualFrom });
      localizer.process({ index: 0, width: S, height: S, data: frameOf(spots, seed) });
      return { tried: localizer.takeStats().multiEmitterTried, ran: localizer.residualPassesRan };
    };
    const pairs: [number, number, number][] = [
      [15.3, 16.1, 2000], [18.3, 16.1, 2000],
      [44.7, 20.4, 2000], [44.7, 23.4, 2000],
      [20.2, 45.5, 2000], [22.3, 47.6, 2000],
    ];
    // Bright spots each with a faint neighbour 2.2 px away (as hiddenPairs), 16 in the frame.
    const hidden: [number, number, number][] = [];
    for (let gy = 8; gy < S - 8; gy += 14) for (let gx = 8; gx < S - 8; gx += 14) hidden.push([gx + 0.3, gy + 0.6, 4000], [gx + 2.5, gy + 0.9, 700]);
    let skipped = 0;
    let oldGateRan = 0;
    let opened = 0;
    const SEEDS = 20;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const explained = run(pairs, seed, 'unexplained');
      assert.ok(explained.tried >= 1, `seed ${seed}: the pairs' windows are tried`);
      if (!explained.ran) skipped++;
      if (run(pairs, seed, 'tried').ran) oldGateRan++;
      if (run(hidden, seed, 'unexplained').ran) opened++;
    }
    // Measured (seeds 1–20): the pairs' frame skips the passes in 17 of 20 (3 with a window
    // unexplained by chance: a residual peak above 3 σ), the old gate runs them in 20 of 20; the
    // hidden neighbours' frame opens them in 10 of 20 (the selection fits most faint neighbours
    // as a second emitter: explained). The limits leave room for the noise; an always-open gate
    // fails the first, a never-open one the last two.
    const message = `pairs skip ${skipped}, old gate ran ${oldGateRan}, hidden neighbours open ${opened} of ${SEEDS}`;
    assert.ok(skipped >= 14, message);
    assert.equal(oldGateRan, SEEDS, message);
    assert.ok(opened >= 6, message);
    assert.ok(opened >= SEEDS - skipped + 4, message);
  });

  // The refits after a pass are due only near a change (a new row, a row dropped, a refit that
  // moved more than REFINE_TOLERANCE_CRLB of its √CRLB), the row tests likewise; the reference
  // refits every row with a neighbour in every sweep and tests it in every round.
  test('refits and tests near a change only: half the refits, the rows of the full refits within a fraction of their √CRLB', () => {
    const rng = new Random(21);
    const ax = new GaussianAxis(11);
    const camera = { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.5 };
    const gated = new FrameLocalizer(resolveLocalizeOptions({ camera }));
    const full = new FrameLocalizer(resolveLocalizeOptions({ camera }), { everyRefit: true });
    let refits = 0;
    let fullRefits = 0;
    let rows = 0;
    let paired = 0;
    let within = 0;
    let near = 0;
    let unequal = 0;
    for (let f = 0; f < 3; f++) {
      // 1.5 spots /µm² (≈ 245 in 128² px of 100 nm), N 1000–3000, b = 20: the dense case.
      const image = new Float64Array(W * W).fill(20);
      for (let i = 0; i < 245; i++) {
        const [x, y] = [2 + (W - 4) * rng.uniform(), 2 + (W - 4) * rng.uniform()];
        renderSpot(image, W, Math.round(x) - 5, Math.round(y) - 5, ax, ax, x - Math.round(x) + 5, y - Math.round(y) + 5, 1000 + 2000 * rng.uniform(), SIGMA_PX);
      }
      const adu = new Uint16Array(W * W);
      for (let i = 0; i < adu.length; i++) adu[i] = Math.max(0, Math.round(100 + rng.poisson(image[i]) + 1.5 * rng.normal()));
      const a = gated.process({ index: f, width: W, height: W, data: adu });
      refits += gated.residualRefits;
      const b = full.process({ index: f, width: W, height: W, data: adu });
      fullRefits += full.residualRefits;
      // Each converged row of the full refits against the nearest of the gated ones.
      for (let j = 0; j < b.count; j++) {
        if (b.status[j] !== 0) continue;
        rows++;
        let best = Number.POSITIVE_INFINITY;
        for (let i = 0; i < a.count; i++) if (a.status[i] === 0) best = Math.min(best, Math.hypot(a.x[i] - b.x[j], a.y[i] - b.y[j]));
        if (best > 50) continue;
        paired++;
        const bound = Math.hypot(b.uncertaintyX[j], b.uncertaintyY[j]);
        if (best <= 0.25 * bound) within++;
        if (best <= 0.5 * bound) near++;
        if (best > 0) unequal++;
      }
    }
    // Measured (3 frames, seed 21): 5 712 refits against 12 008; of 710 rows all paired, the
    // distance to the full refits' row a median 0.004 of its √CRLB (x and y together), 95 % ≤
    // 0.17, 99 % ≤ 0.38, the largest 0.93: both are four sweeps towards the same fixed point, and
    // a row's own error is one √CRLB. (At 4 /µm² nearly every row is near a change: 12 % fewer.)
    const message = `refits ${refits} vs ${fullRefits}; ${rows} rows, ${paired} paired within 50 nm, ${within} within 0.25 √CRLB, ${near} within 0.5, ${unequal} not identical`;
    assert.ok(refits <= 0.6 * fullRefits, message);
    assert.ok(paired >= 0.99 * rows && within >= 0.95 * rows && near >= 0.98 * rows, message);
    // Not vacuous: the two runs differ somewhere (the gate skipped refits that would have moved a row a little).
    assert.ok(unequal > 0, message);
  });

  test('passes are checked: a whole number from 1 to MAX_PASSES', () => {
    assert.throws(() => resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, multiEmitter: { passes: 0 } }), /passes/);
    assert.throws(() => resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, multiEmitter: { passes: 1.5 } }), /passes/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import type { LocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import type { LocalizationBatch } from '../../src/table/LocalizationBatch.js';

/** The simulator's curves as calibrate-3d's file holds them, with no record of their z error (so not known to follow the beads). */
const CURVES = { format: CALIBRATION_FORMAT, ...DEFAULT_ASTIGMATISM, zOrigin: 'midway between the foci', zRangeNm: [-600, 600] as const, pixelSizeNm: 100, residualsNm: { x: 0, y: 0 }, beads: [], zStartNm: -600, zStepNm: 10 };
/** The same curves with calibrate-3d's record that they follow the beads (z error within the photon noise): the refits may split rows. */
const FOLLOWING = { ...CURVES, zError: { method: 'leave one bead out', frames: 200, failedFits: 0, rmsNm: 12, noiseRmsNm: 12, modelErrorNm: 0 } };

const SIZE = 64;
const PIXEL_NM = 100;
const PHOTONS = 2000;
const BACKGROUND = 20;
const BASELINE = 100;
/** Sites 16 px apart (4 × 4), 8 px from the edges: a spot's box (≤ 15 px) holds no other site's spot. */
const SITES = 16;
/** The sites holding a pair (the others hold one emitter). */
const PAIR_SITES = [0, 5, 10, 15];

interface Truth { x: number[]; y: number[]; z: number[]; photons: number[]; pair: boolean[] }

/**
 * Emitters of one field: an emitter at each site (±0.5 px), at the pair sites a second one
 * `separationNm` (> 0) from it in a random direction, depths ≥ 300 nm apart in ±400 nm. `brightness`
 * draws each emitter's photons (constant, or varying).
 */
function field(rng: Random, separationNm: number, brightness: (rng: Random) => number): Truth {
  const t: Truth = { x: [], y: [], z: [], photons: [], pair: [] };
  for (let s = 0; s < SITES; s++) {
    const cx = (8 + 16 * (s % 4) + rng.uniform() - 0.5) * PIXEL_NM;
    const cy = (8 + 16 * Math.floor(s / 4) + rng.uniform() - 0.5) * PIXEL_NM;
    const z1 = -400 + 800 * rng.uniform();
    const pair = separationNm > 0 && PAIR_SITES.includes(s);
    if (!pair) {
      t.x.push(cx), t.y.push(cy), t.z.push(z1), t.photons.push(brightness(rng)), t.pair.push(false);
      continue;
    }
    const angle = 2 * Math.PI * rng.uniform();
    const dx = (Math.cos(angle) * separationNm) / 2;
    const dy = (Math.sin(angle) * separationNm) / 2;
    let z2 = 0;
    do z2 = -400 + 800 * rng.uniform();
    while (Math.abs(z1 - z2) < 300);
    t.x.push(cx - dx, cx + dx), t.y.push(cy - dy, cy + dy), t.z.push(z1, z2), t.photons.push(brightness(rng), brightness(rng)), t.pair.push(true, true);
  }
  return t;
}

/** The field rendered (spots `widen` × the curves' widths) and Poisson-sampled into ADU. */
function render(rng: Random, t: Truth, widen: number, image: Float64Array, axes: { x: GaussianAxis; y: GaussianAxis }): Uint16Array {
  image.fill(BACKGROUND);
  const box = axes.x.box;
  for (let k = 0; k < t.x.length; k++) {
    const xPx = t.x[k] / PIXEL_NM;
    const yPx = t.y[k] / PIXEL_NM;
    const c0 = Math.floor(xPx) - (box >> 1);
    const r0 = Math.floor(yPx) - (box >> 1);
    const sx = (widen * defocusSigma(DEFAULT_ASTIGMATISM.x, t.z[k])) / PIXEL_NM;
    const sy = (widen * defocusSigma(DEFAULT_ASTIGMATISM.y, t.z[k])) / PIXEL_NM;
    renderSpot(image, SIZE, c0, r0, axes.x, axes.y, xPx - c0, yPx - r0, t.photons[k], sx, sy);
  }
  const adu = new Uint16Array(SIZE * SIZE);
  for (let i = 0; i < adu.length; i++) adu[i] = BASELINE + rng.poisson(image[i]);
  return adu;
}

interface Counts {
  /** True emitters with a converged row within 150 nm (each row matched once, nearest first). */
  found: number;
  truth: number;
  /** Converged rows, and those with emitters = 2. */
  rows: number;
  pairRows: number;
  /** Converged rows with emitters = 2 that match a pair's emitter. */
  pairRowsOnPairs: number;
  /** Converged rows that are warm-started. */
  warm: number;
  /** Rows the refits split into pairs, and rows they refitted. */
  splits: number;
  refits: number;
}

/** Localize `frames` frames (the same field `repeat` frames in a row, fresh noise each frame); `check` sees each batch. */
function localize(calibration: LocalizeOptions, internals: { depthRefits?: boolean }, run: { frames: number; repeat: number; separationNm: number; widen: number; brightness: (rng: Random) => number; seed: number }, check?: (b: LocalizationBatch, i: number) => void): Counts {
  const options = resolveLocalizeOptions({ camera: { pixelSizeNm: PIXEL_NM, baselineAdu: BASELINE, photonsPerAdu: 1 }, chunkFrames: 64, ...calibration });
  const localizer = new FrameLocalizer(options, internals);
  const rng = new Random(run.seed);
  const image = new Float64Array(SIZE * SIZE);
  const axes = { x: new GaussianAxis(21), y: new GaussianAxis(21) };
  const c: Counts = { found: 0, truth: 0, rows: 0, pairRows: 0, pairRowsOnPairs: 0, warm: 0, splits: 0, refits: 0 };
  let t = field(rng, run.separationNm, run.brightness);
  for (let f = 0; f < run.frames; f++) {
    if (f % run.repeat === 0 && f > 0) t = field(rng, run.separationNm, run.brightness);
    const b = localizer.process({ index: f, width: SIZE, height: SIZE, data: render(rng, t, run.widen, image, axes) });
    c.splits += localizer.depthSplits;
    c.refits += localizer.depthRefitRows;
    const taken = new Uint8Array(b.count);
    for (let i = 0; i < b.count; i++) {
      if (b.status[i] !== 0) continue;
      c.rows++;
      c.warm += b.warmStart[i];
      if (b.emitters[i] === 2) c.pairRows++;
      check?.(b, i);
    }
    c.truth += t.x.length;
    for (let k = 0; k < t.x.length; k++) {
      let best = -1;
      let bestD = 150;
      for (let i = 0; i < b.count; i++) {
        if (b.status[i] !== 0 || taken[i]) continue;
        const d = Math.hypot(b.x[i] - t.x[k], b.y[i] - t.y[k]);
        if (d < bestD) [bestD, best] = [d, i];
      }
      if (best < 0) continue;
      taken[best] = 1;
      c.found++;
      if (t.pair[k] && b.emitters[best] === 2) c.pairRowsOnPairs++;
    }
  }
  return c;
}

const constant = () => PHOTONS;
/** Log-normal photons, ×/÷ 2 (one geometric standard deviation). */
const varying = (rng: Random) => PHOTONS * Math.exp(Math.LN2 * rng.normal());

/** The crowded windows' χ² test switched off (no converged fit is tried as a window): a close pair reaches the refits as one bright row, which only their split can resolve. */
const NO_WINDOWS = { ambiguityPValue: 1e-300 };

describe('3-D refits: bright rows split into pairs (DepthRefits)', () => {
  test('pairs 250–400 nm apart fitted as one row are split: both emitters found, the pair rows on true pairs, their fields finite', () => {
    // 16 sites a frame, 4 of them pairs (depths ≥ 300 nm apart), N = 2000 each: 20 converged rows
    // a frame (≥ SPLIT_MIN_SINGLE_FITS), a pair's one row twice the median's photons.
    const sum = (a: Counts, b: Counts) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof Counts] + b[k as keyof Counts]])) as unknown as Counts;
    const zero: Counts = { found: 0, truth: 0, rows: 0, pairRows: 0, pairRowsOnPairs: 0, warm: 0, splits: 0, refits: 0 };
    let on = zero, off = zero;
    for (const separationNm of [250, 300, 350, 400]) {
      const run = { frames: 20, repeat: 1, separationNm, widen: 1, brightness: constant, seed: 31 };
      on = sum(on, localize({ astigmatism: FOLLOWING, multiEmitter: NO_WINDOWS }, {}, run, (b, i) => {
        if (b.emitters[i] !== 2) return;
        // A pair's row: its own position, photons and depth from the joint fit, z's uncertainty from its CRLB.
        const z = (b.z as Float64Array)[i], uz = (b.uncertaintyZ as Float64Array)[i];
        assert.ok(Number.isFinite(b.x[i]) && Number.isFinite(b.y[i]) && b.intensity[i] > 0 && Number.isFinite(b.intensity[i]) && b.uncertainty[i] > 0, `x ${b.x[i]}, y ${b.y[i]}, intensity ${b.intensity[i]}, uncertainty ${b.uncertainty[i]}`);
        assert.ok(Math.abs(z) <= 600 && uz > 0 && Number.isFinite(uz), `z ${z} nm, uncertainty_z ${uz} nm`);
      }));
      off = sum(off, localize({ astigmatism: FOLLOWING, multiEmitter: NO_WINDOWS }, { depthRefits: false }, run));
    }
    const pairSites = PAIR_SITES.length * 80;
    // Measured (seed 31, 80 frames, 320 pairs): 288 splits, 1568 of 1600 emitters found with the
    // refits, 1154 without; 583 of 584 pair rows on a true pair's emitter; 6 rows matching no
    // emitter. Bounds leave ~3× the binomial scatter of those counts.
    assert.ok(on.splits >= 0.75 * pairSites, `${on.splits} splits of ${pairSites} pairs`);
    assert.ok(on.found >= 0.95 * on.truth && off.found <= 0.85 * off.truth, `${on.found} found with the refits, ${off.found} without, of ${on.truth}`);
    assert.ok(on.pairRows >= 1.5 * on.splits && on.pairRowsOnPairs >= 0.97 * on.pairRows, `${on.pairRows} rows with emitters = 2 (${on.pairRowsOnPairs} on a true pair), ${on.splits} splits`);
    assert.ok(on.rows - on.found <= 0.02 * on.truth, `${on.rows - on.found} converged rows match no emitter`);
  });

  test('with multiEmitter.maxEmitters 1 no row is split (no emitters = 2)', () => {
    let rows = 0;
    for (const separationNm of [250, 350]) {
      const c = localize({ astigmatism: FOLLOWING, multiEmitter: { ...NO_WINDOWS, maxEmitters: 1 } }, {}, { frames: 20, repeat: 1, separationNm, widen: 1, brightness: constant, seed: 31 });
      assert.equal(c.splits, 0);
      assert.equal(c.pairRows, 0);
      rows += c.rows;
    }
    // Measured: 320 rows a separation (a pair's one row each); the rows are still there.
    assert.ok(rows >= 0.95 * 640, `${rows} converged rows`);
  });

  test('through curves not known to follow the beads, single spots of varying brightness are not split', () => {
    // Spots 15 % wider than the curves, N log-normal ×/÷ 2, no pairs: 40 frames, 640 emitters.
    // The same frames through the same curves with the record that they follow the beads are
    // split (the misfit of a wide bright spot reads as a pair): the gate, not the data, keeps
    // them whole. Measured: 65 false splits with the record, 0 without.
    const run = { frames: 40, repeat: 1, separationNm: 0, widen: 1.15, brightness: varying, seed: 32 };
    const gated = localize({ astigmatism: CURVES, multiEmitter: NO_WINDOWS }, {}, run);
    const followed = localize({ astigmatism: FOLLOWING, multiEmitter: NO_WINDOWS }, {}, run);
    assert.ok(followed.splits >= 20, `${followed.splits} splits through curves that follow the beads`);
    assert.equal(gated.splits, 0);
    assert.equal(gated.pairRows, 0);
    assert.ok(gated.rows <= gated.truth, `${gated.rows} converged rows of ${gated.truth} emitters`);
  });

  test('a refitted row keeps its warm start: as many warm-started rows with the refits as without', () => {
    // The same field 10 frames in a row (fresh noise), 4 fields; windows on as by default, so
    // the pairs' rows have neighbours and are refitted. Measured (seed 33): 633 warm-started
    // converged rows of 809 with the refits (384 refits), 628 of 808 without; before the rows
    // kept their flag, 204 → 57 in the reviewer's probe. 5 % covers the few rows a refit moves
    // across WarmStarts' match radius.
    const run = { frames: 40, repeat: 10, separationNm: 300, widen: 1, brightness: constant, seed: 33 };
    const on = localize({ astigmatism: FOLLOWING }, {}, run);
    const off = localize({ astigmatism: FOLLOWING }, { depthRefits: false }, run);
    assert.ok(on.refits >= 100, `${on.refits} refits`);
    assert.ok(off.warm >= 0.5 * off.rows, `${off.warm} warm-started of ${off.rows}`);
    assert.ok(Math.abs(on.warm - off.warm) <= 0.05 * off.warm, `${on.warm} warm-started converged rows with the refits, ${off.warm} without`);
  });
});
